"""How often the torch MLPs' "diverged" check (a kept network whose training
loss is far above that of the constant prediction) fires on ordinary fits,
and whether it catches learning rates that diverge to finite numbers.

Regression (``TorchMLPRegressor``, ``max_epochs=100``): the 10 regression sets
of ``skmoe.datasets`` (one-hot encoded, the first 2,000 rows), ``make_regimes``,
``make_piecewise_linear``, ``make_hierarchical_regimes``, a pure-noise set and
a 12-row set. Classification (``TorchMLPClassifier``, ``max_epochs=60``): the
9 classification sets (at most 2,000 rows drawn with seed 0). Ordinary
learning rates 1e-3, 1e-2, 1e-1 with and without early stopping, seeds 0-2;
diverging ones 10 and 1e3::

    OMP_NUM_THREADS=1 python benchmarks/bench_torch_mlp_diverged.py --task regression
    OMP_NUM_THREADS=1 python benchmarks/bench_torch_mlp_diverged.py --task classification

Prints each fit the check flags where it should not (or misses), then the counts.
"""

import argparse
import warnings

import numpy as np
import pandas as pd

from skmoe.datasets import (list_datasets, load_dataset, make_hierarchical_regimes,
                            make_piecewise_linear, make_regimes)
from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor

ORDINARY, DIVERGING = (1e-3, 1e-2, 1e-1), (10.0, 1e3)


def regression_sets():
    sets = {}
    for name in list_datasets("regression"):
        bunch = load_dataset(name, as_frame=True)
        X = pd.get_dummies(bunch.X, dtype=float).to_numpy(float)
        sets[name] = (X[:2000], np.asarray(bunch.y, float)[:2000])
    sets["make_regimes"] = make_regimes(400, random_state=0)[:2]
    sets["make_piecewise_linear"] = make_piecewise_linear(300, random_state=0)[:2]
    sets["make_hierarchical_regimes"] = make_hierarchical_regimes(300, random_state=0)[:2]
    rng = np.random.RandomState(0)
    sets["noise"] = (rng.randn(200, 3), rng.randn(200))
    sets["tiny"] = (rng.randn(12, 2), rng.randn(12))
    return sets


def classification_sets():
    sets = {}
    for name in list_datasets("classification"):
        bunch = load_dataset(name)
        X, y = np.asarray(bunch.X, dtype=float), np.asarray(bunch.y)
        if len(y) > 2000:
            rows = np.random.RandomState(0).choice(len(y), 2000, replace=False)
            X, y = X[rows], y[rows]
        sets[name] = (X, y)
    return sets


def flagged(model, X, y):
    """'diverged' where fit raised the check's error, else 'ok'."""
    try:
        model.fit(X, y)
    except ValueError as exc:
        if "diverged" not in str(exc):
            raise
        return "diverged"
    return "ok"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["regression", "classification"], required=True)
    args = parser.parse_args(argv)
    regression = args.task == "regression"
    make = TorchMLPRegressor if regression else TorchMLPClassifier
    epochs = 100 if regression else 60
    sets = regression_sets() if regression else classification_sets()
    counts = {"ordinary": [0, 0], "diverging": [0, 0]}
    warnings.simplefilter("ignore")      # (ConvergenceWarning of the short fits)
    for name, (X, y) in sets.items():
        for lr in ORDINARY + DIVERGING:
            for early_stopping in (True, False):
                for seed in range(3):
                    model = make(learning_rate=lr, early_stopping=early_stopping,
                                 max_epochs=epochs, random_state=seed)
                    outcome = flagged(model, X, y)
                    kind = "ordinary" if lr in ORDINARY else "diverging"
                    counts[kind][0] += outcome == "diverged"
                    counts[kind][1] += 1
                    if (outcome == "diverged") != (kind == "diverging"):
                        print(f"{name} lr={lr} early_stopping={early_stopping} seed={seed}: "
                              f"{outcome}", flush=True)
    print(f"ordinary fits flagged: {counts['ordinary'][0]} of {counts['ordinary'][1]}")
    print(f"diverging fits flagged: {counts['diverging'][0]} of {counts['diverging'][1]}")


if __name__ == "__main__":
    main()
