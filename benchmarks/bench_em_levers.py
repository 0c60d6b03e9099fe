"""EM's levers, switched one at a time on the same splits (``training="em"``).

Each variant sets module constants of :mod:`skmoe._em` (every constant that
any variant touches is reset to its default first) and fits the benchmark
suite's EM mixture on the same splits as ``run_benchmarks.py``; the script
prints, per dataset and variant, the mean test score, the median fit time,
the mean number of iterations and the share of fits without a
ConvergenceWarning. Variants whose switch has since been removed from
``skmoe._em`` fail with an AttributeError: run them from the commit named in
``benchmarks/results/em_levers.md``.

Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_em_levers.py --splits 5 \\
        --datasets regimes mcycle --variants default "floor 0"
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run_benchmarks import _scores, _splits, build_method, load  # noqa: E402

VARIANTS = {
    "default": {},
    "equal-weights start": {"CONSTANT_BLEND_START": False},
    "patience 2": {"PATIENCE": 2},
    "floor 0": {"WEIGHT_FLOOR": 0.0},
    "floor 0.03": {"WEIGHT_FLOOR": 0.03},
    "3 gate-only steps per M-step": {"GATE_INNER_STEPS": 3},
    "gate reads X only": {"GATE_READS_EXPERTS": False},
    "keep by squared error": {"KEEP_BY": "squared_error"},
}


def apply(variant, defaults):
    import skmoe._em as em
    for name, value in {**defaults, **VARIANTS[variant]}.items():
        if not hasattr(em, name):
            raise AttributeError(f"skmoe._em has no {name} (variant {variant!r}): run it from "
                                 "the commit named in benchmarks/results/em_levers.md")
        setattr(em, name, value)


def run(name, variants, splits, lgbm_trees):
    import skmoe._em as em
    touched = {k for v in variants for k in VARIANTS[v]}
    defaults = {k: getattr(em, k) for k in touched if hasattr(em, k)}
    task, X, y, _ = load(name, 20000)
    rows = {v: [] for v in variants}
    for split, (train, test) in enumerate(_splits(task, X, y, splits, 0.25, 0)):
        for variant in variants:
            apply(variant, defaults)
            model = build_method("moe_em", task, seed=split, lgbm_trees=lgbm_trees, n_jobs=1,
                                 moe_params=None)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                model.fit(X[train], y[train])
                seconds = time.perf_counter() - start
            converged = not any("did not converge" in str(w.message) for w in caught)
            score = next(iter(_scores(task, model, X[test], y[test])[0].values()))
            rows[variant].append((score, seconds, model.n_iter_, converged))
    apply("default", defaults)
    for variant, r in rows.items():
        scores = [s for s, *_ in r]
        print(f"| {name} | {variant} | {np.mean(scores):.4f} | "
              f"{statistics.median(t for _, t, _, _ in r):.2f} | "
              f"{np.mean([i for _, _, i, _ in r]):.1f} | "
              f"{np.mean([c for *_, c in r]):.0%} | "
              f"{' '.join(f'{s:.4f}' for s in scores)} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--variants", nargs="+", default=["default"], choices=list(VARIANTS))
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--lgbm-trees", type=int, default=300)
    args = parser.parse_args()
    print("| dataset | variant | mean score | median fit s | mean iterations | converged "
          "| per split |")
    print("|---|---|---|---|---|---|---|")
    for name in args.datasets:
        run(name, args.variants, args.splits, args.lgbm_trees)


if __name__ == "__main__":
    main()
