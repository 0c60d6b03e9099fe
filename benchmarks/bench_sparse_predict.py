"""Sparse (top-1) inference: mixture predict time / EnsembleRegressor predict time.

Issue "Routing": 100,000 rows, four experts (Ridge, depth-8 tree, LightGBM
with 300 trees, 15-nearest-neighbours); the pool is repeated for 8 and 16
experts (other seeds / penalties). A top-1 mixture calls each expert only on
the rows routed to it, so its predict time should approach ``1/M`` of the
ensemble's plus the gate. Both models are fitted on the same rows and
timed side by side (alternating, ``--repeats`` times) on the same 100,000
rows; the script prints the median ratio, the median times, each expert's
share of the rows and the test RMSE of both.

The data have four regimes selected by ``x0`` (linear, axis-aligned steps,
a smooth interaction and a high-frequency local pattern), so that different
experts are good in different places.

Run::

    python benchmarks/bench_sparse_predict.py --repeats 5 --experts 4 8 16

``--fit-rows 20000`` fits both models on fewer rows (EM with 16 experts on
100,000 rows takes many minutes); predict still runs on ``--rows`` rows.
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from lightgbm import LGBMRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor, MLPGate


def make_four_regimes(n_samples, n_features=8, noise=0.3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(0.0, 1.0, size=(n_samples, n_features))
    regime = np.minimum((X[:, 0] * 4).astype(int), 3)
    x1, x2, x3 = X[:, 1], X[:, 2], X[:, 3]
    y = np.select(
        [regime == 0, regime == 1, regime == 2, regime == 3],
        [3 * x1 - 2 * x2 + x3,
         np.floor(4 * x1) - np.floor(3 * x2),
         10 * np.sin(np.pi * x1 * x2) + 5 * (x3 - 0.5) ** 2,
         2 * np.sin(12 * x1) * np.cos(12 * x2)])
    return X, y + noise * rng.standard_normal(n_samples)


def make_experts(n_experts, n_jobs):
    """Ridge, depth-8 tree, LightGBM (300 trees), 15-NN, repeated to n_experts.

    ``n_jobs`` is the threads of LightGBM and k-NN inside each expert.
    """
    kinds = [
        lambda i: make_pipeline(StandardScaler(), Ridge(alpha=1.0 + i)),
        lambda i: DecisionTreeRegressor(max_depth=8, random_state=i),
        lambda i: LGBMRegressor(n_estimators=300, verbose=-1, random_state=i,
                                n_jobs=n_jobs),
        lambda i: make_pipeline(StandardScaler(),
                                KNeighborsRegressor(n_neighbors=15, n_jobs=n_jobs)),
    ]
    names = ["ridge", "tree", "lgbm", "knn"]
    return [(f"{names[i % 4]}{i // 4}", kinds[i % 4](i // 4)) for i in range(n_experts)]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run(n_experts, X_fit, y_fit, X_pred, y_pred, args):
    experts = make_experts(n_experts, args.expert_jobs)
    ensemble, ens_fit = timed(lambda: EnsembleRegressor(experts, n_jobs=args.n_jobs)
                              .fit(X_fit, y_fit))
    moe = MixtureOfExpertsRegressor(
        experts, training="em", top_k=1, capacity_factor=args.capacity_factor,
        gate=MLPGate(hidden_layer_sizes=(32,)), max_iter=args.max_iter,
        init_params=args.init_params, n_jobs=args.n_jobs, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe, moe_fit = timed(lambda: moe.fit(X_fit, y_fit))
    ens_times, moe_times, gate_times, ratios = [], [], [], []
    for _ in range(args.repeats):
        ens_pred, t_ens = timed(lambda: ensemble.predict(X_pred))
        moe_pred, t_moe = timed(lambda: moe.predict(X_pred))
        _, t_gate = timed(lambda: moe.predict_gate(X_pred))
        ens_times.append(t_ens)
        moe_times.append(t_moe)
        gate_times.append(t_gate)
        ratios.append(t_moe / t_ens)
    usage = moe.expert_usage(X_pred)
    rmse = lambda p: float(np.sqrt(np.mean((p - y_pred) ** 2)))  # noqa: E731
    return {
        "M": n_experts,
        "ratio": statistics.median(ratios),
        "ens_s": statistics.median(ens_times),
        "moe_s": statistics.median(moe_times),
        "gate_s": statistics.median(gate_times),
        "fit_ens_s": ens_fit,
        "fit_moe_s": moe_fit,
        "rmse_ens": rmse(ens_pred),
        "rmse_moe": rmse(moe_pred),
        "usage": dict(zip(moe.expert_names_, np.round(usage, 3))),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows to predict")
    parser.add_argument("--fit-rows", type=int, default=100_000, help="rows to fit on")
    parser.add_argument("--init-params", default="kmeans",
                        help="EM start ('matched' costs M^2 region fits)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--experts", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--max-iter", type=int, default=5, help="EM iterations")
    parser.add_argument("--capacity-factor", type=float, default=None)
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="joblib workers of EM and the ensemble")
    parser.add_argument("--expert-jobs", type=int, default=None,
                        help="threads inside LightGBM / k-NN (keep n-jobs * expert-jobs "
                             "<= cores: oversubscribed LightGBM is very slow)")
    args = parser.parse_args()

    # LightGBM may warn about feature names on numpy input; noise only.
    warnings.filterwarnings("ignore", message=".*valid feature names.*")
    X_fit, y_fit = make_four_regimes(args.fit_rows, seed=0)
    X_pred, y_pred = make_four_regimes(args.rows, seed=1)
    print(f"fit {X_fit.shape}, predict {X_pred.shape}, repeats {args.repeats}, "
          f"capacity_factor {args.capacity_factor}, init {args.init_params}, "
          f"EM max_iter {args.max_iter}, n_jobs {args.n_jobs}, expert_jobs {args.expert_jobs}")
    print(f"{'M':>3} {'ratio':>6} {'1/M':>6} {'moe s':>7} {'ens s':>7} {'gate s':>7} "
          f"{'rmse moe':>9} {'rmse ens':>9}  usage")
    for n_experts in args.experts:
        r = run(n_experts, X_fit, y_fit, X_pred, y_pred, args)
        usage = " ".join(f"{k}={v:.2f}" for k, v in r["usage"].items())
        print(f"{r['M']:>3} {r['ratio']:6.3f} {1 / r['M']:6.3f} {r['moe_s']:7.3f} "
              f"{r['ens_s']:7.3f} {r['gate_s']:7.3f} {r['rmse_moe']:9.4f} "
              f"{r['rmse_ens']:9.4f}  {usage}", flush=True)
        print(f"    fit seconds: mixture {r['fit_moe_s']:.1f}, ensemble {r['fit_ens_s']:.1f}",
              flush=True)


if __name__ == "__main__":
    main()
