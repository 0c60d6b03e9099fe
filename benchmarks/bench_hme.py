"""Hierarchical (2x2) against flat (4 experts) mixture on four regimes in a 2x2 layout.

Issue "The mixtures still missing": ``make_hierarchical_regimes`` (x1 splits
the plane, then x2 splits each half; a different plane per quadrant, noise
0.1). Both mixtures have four ``LinearRegression`` experts and are trained by
EM. The script prints, as medians over the seeds: the agreement of the argmax
expert with the true quadrant (best matching, rows at least 0.1 from a
boundary), test RMSE and mean test log-likelihood (1000 fresh rows), EM
iterations and fit seconds (after one warm-up fit, one torch thread).

Run::

    python benchmarks/bench_hme.py --seeds 7
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from skmoe import HierarchicalMixtureRegressor, MixtureOfExpertsRegressor
from skmoe.datasets import make_hierarchical_regimes


def agreement(weights, regime, X, margin=0.1):
    away = (np.abs(X) > margin).all(axis=1)
    confusion = np.zeros((4, weights.shape[1]))
    np.add.at(confusion, (regime[away], weights[away].argmax(axis=1)), 1)
    rows, cols = linear_sum_assignment(-confusion)
    return confusion[rows, cols].sum() / away.sum()


MODELS = {
    "hme_2x2": lambda seed: HierarchicalMixtureRegressor(
        LinearRegression(), branching=(2, 2), random_state=seed),
    "flat_em_exact": lambda seed: MixtureOfExpertsRegressor(
        LinearRegression(), n_experts=4, training="em", cv=None, max_iter=100, tol=1e-5,
        random_state=seed),
    "flat_em_default": lambda seed: MixtureOfExpertsRegressor(
        LinearRegression(), n_experts=4, training="em", random_state=seed),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=7)
    parser.add_argument("--n-samples", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = make_hierarchical_regimes(200, random_state=0)
    for make in MODELS.values():  # warm-up: torch's first optimiser imports a lot
        make(0).fit(X, y)
    rows = {name: [] for name in MODELS}
    for seed in range(args.seeds):
        X, y, regime = make_hierarchical_regimes(args.n_samples, random_state=seed,
                                                 return_regime=True)
        X_test, y_test, regime_test = make_hierarchical_regimes(
            1000, random_state=1000 + seed, return_regime=True)
        for name, make in MODELS.items():
            start = time.perf_counter()
            model = make(seed).fit(X, y)
            seconds = time.perf_counter() - start
            rows[name].append((
                agreement(model.predict_gate(X_test), regime_test, X_test),
                np.sqrt(np.mean((model.predict(X_test) - y_test) ** 2)),
                model.log_likelihood_samples(X_test, y_test).mean(), model.n_iter_, seconds))
    print(f"{args.seeds} seeds, {args.n_samples} training rows; medians (min agreement)")
    print(f"{'model':16s} {'agreement':>9s} {'min':>6s} {'RMSE':>7s} {'test LL':>8s} "
          f"{'iters':>6s} {'fit s':>7s}")
    for name, values in rows.items():
        cols = list(zip(*values))
        med = [statistics.median(c) for c in cols]
        print(f"{name:16s} {med[0]:9.3f} {min(cols[0]):6.3f} {med[1]:7.3f} {med[2]:8.3f} "
              f"{med[3]:6.0f} {med[4]:7.2f}")


if __name__ == "__main__":
    main()
