"""How often BIC, AIC and held-out likelihood pick the true number of experts.

Issue "The mixtures still missing": 1-D piecewise-linear data with 2, 3 and
4 regimes (``make_piecewise_linear``: equal segments, a different line in
each, 400 rows), a homogeneous pool ``MixtureOfExpertsRegressor(
LinearRegression(), n_experts=k, training="em", cv=None)``, candidates
k = 1..6. For every criterion and gate the script prints, per true number of
regimes, how many of the seeds picked it and the choices made.

Run::

    python benchmarks/bench_select_n_experts.py --seeds 10
"""

import argparse
import collections
import time
import warnings

import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from skmoe import MixtureOfExpertsRegressor, MLPGate, select_n_experts
from skmoe.datasets import make_piecewise_linear

GATES = {"linear": MLPGate(hidden_layer_sizes=()), "mlp32": MLPGate()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-samples", type=int, default=400)
    parser.add_argument("--criteria", nargs="+", default=["bic", "aic", "cv"])
    parser.add_argument("--gates", nargs="+", default=["linear", "mlp32"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    print(f"{'gate':7s} {'criterion':9s} {'regimes':7s} {'correct':>7s}  choices   seconds")
    for gate in args.gates:
        for criterion in args.criteria:
            for n_regimes in (2, 3, 4):
                picks, start = [], time.perf_counter()
                for seed in range(args.seeds):
                    X, y = make_piecewise_linear(args.n_samples, n_regimes=n_regimes,
                                                 random_state=seed)
                    moe = MixtureOfExpertsRegressor(
                        LinearRegression(), n_experts=2, training="em", cv=None,
                        gate=GATES[gate], max_iter=30, random_state=seed)
                    best, _ = select_n_experts(moe, X, y, candidates=range(1, 7),
                                               criterion=criterion, cv=5)
                    picks.append(best)
                counts = dict(sorted(collections.Counter(picks).items()))
                print(f"{gate:7s} {criterion:9s} {n_regimes:7d} "
                      f"{picks.count(n_regimes):4d}/{args.seeds:<2d}  {counts}  "
                      f"{time.perf_counter() - start:7.1f}", flush=True)


if __name__ == "__main__":
    main()
