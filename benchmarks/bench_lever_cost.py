"""Fit time of the default mixture with a lever changed, against Stacking's.

``bench_gate_levers.py`` times the gate and heads alone (the experts' fits
cached); this times whole fits side by side in one process, on the suite's
splits and pool: per split, ``StackingRegressor/Classifier(cv=5)``, the
default mixture and the mixture with ``skmoe._blend.LEVERS`` changed by
``--set NAME=VALUE`` (a Python literal); it prints the medians over splits of
each mixture's fit time over Stacking's::

    OMP_NUM_THREADS=1 python benchmarks/bench_lever_cost.py --set gate_folds=10 \
        --datasets iris mroz mcycle
"""

import argparse
import ast
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method, load  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--set", nargs="+", required=True, metavar="NAME=VALUE")
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--max-rows", type=int, default=20000)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import skmoe._blend as blend

    changed = {}
    for item in args.set:
        name, value = item.split("=", 1)
        if name not in blend.LEVERS:
            parser.error(f"unknown lever {name!r}; choose from {sorted(blend.LEVERS)}")
        changed[name] = ast.literal_eval(value)
    for dataset in args.datasets:
        task, X, y, _ = load(dataset, args.max_rows)
        seconds = {"stacking": [], "default": [], "changed": []}
        splits = _splits(task, X, y, args.splits, 0.25, 0)
        # One untimed fit first: the first mixture in a process pays torch's
        # lazy initialisation.
        build_method("moe", task, seed=0, lgbm_trees=300, n_jobs=1).fit(
            X[splits[0][0]], y[splits[0][0]])
        for split, (train, _) in enumerate(splits):
            for method in seconds:
                model = build_method("stacking" if method == "stacking" else "moe", task,
                                     seed=split, lgbm_trees=300, n_jobs=1)
                with blend.levers_set(**(changed if method == "changed" else {})):
                    started = time.perf_counter()
                    model.fit(X[train], y[train])
                    seconds[method].append(time.perf_counter() - started)
        stacking = np.array(seconds["stacking"])
        print(f"{dataset}: fit / Stacking's, median over {args.splits} splits: default "
              f"{np.median(np.array(seconds['default']) / stacking):.2f}, "
              f"{' '.join(args.set)} {np.median(np.array(seconds['changed']) / stacking):.2f}",
              flush=True)


if __name__ == "__main__":
    main()
