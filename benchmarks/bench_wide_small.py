"""Few rows, many features: the default mixture against its baselines.

``make_regression`` (90 rows, 200 features, 10 informative) and
``make_classification`` (100 rows, 300 features, 5 informative), the suite's
pool (``run_benchmarks.make_experts``), 10 random splits (test 25 %: 67-75
training rows). Prints each method's mean test RMSE or log-loss and the mean
weight of each of the mixture's candidates::

    OMP_NUM_THREADS=1 python benchmarks/bench_wide_small.py regression
    OMP_NUM_THREADS=1 python benchmarks/bench_wide_small.py classification
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _expert_scores, _scores, _splits, build_method  # noqa: E402

METHODS = ("ensemble", "stacking", "caruana", "moe")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=["regression", "classification"])
    parser.add_argument("--splits", type=int, default=10)
    args = parser.parse_args(argv)
    from sklearn.datasets import make_classification, make_regression
    warnings.simplefilter("ignore")
    if args.task == "regression":
        X, y = make_regression(n_samples=90, n_features=200, n_informative=10, noise=5,
                               random_state=0)
        metric = "rmse"
    else:
        X, y = make_classification(n_samples=100, n_features=300, n_informative=5,
                                   random_state=0)
        metric = "log_loss"
    scores, weights = {}, {}
    for split, (train, test) in enumerate(_splits(args.task, X, y, args.splits, 0.25, 0)):
        for method in METHODS:
            model = build_method(method, args.task, seed=split, lgbm_trees=300, n_jobs=1)
            model.fit(X[train], y[train])
            scores.setdefault(method, []).append(
                _scores(args.task, model, X[test], y[test])[0][metric])
            if method == "ensemble":
                for name, s in _expert_scores(args.task, model, X[test], y[test]).items():
                    scores.setdefault(name, []).append(s[metric])
            if method == "moe":
                for name, weight in (model.candidate_weights_ or {}).items():
                    weights.setdefault(name, []).append(float(weight))
    print(f"{args.task}, {X.shape[0]} rows x {X.shape[1]} features, {args.splits} splits; "
          f"mean test {metric}:")
    for name, values in scores.items():
        print(f"    {name:10s} {np.mean(values):.4g}  (SE {np.std(values) / np.sqrt(len(values)):.2g})")
    print("mixture's mean candidate weights: " + ", ".join(
        f"{name} {np.mean(values):.2f}" for name, values in weights.items()))


if __name__ == "__main__":
    main()
