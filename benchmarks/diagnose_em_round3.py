"""Why EM trails the default mixture on ``mcycle`` and ``regimes`` (round 3).

The figures of ``benchmarks/results/em_levers_round3.md``, on the suite's
splits (seed 0, test 25 %) and pool (``run_benchmarks.make_experts``):

* ``history DATASET [SPLIT ...]``: EM's held-out log-likelihood and expert
  shares per iteration, the iteration kept, the final gate's mean weights on
  the test rows, the refitted experts' test RMSE and noise scales (``--cv``:
  EM's folds, 2 by default).
* ``evidence DATASET``: each expert's RMSE from 2-, 5- and 10-fold
  cross-validated predictions of the training rows (EM's evidence uses 2
  folds) and on the test rows when fitted on all training rows.
* ``bins DATASET EDGES``: the test squared error summed over the splits in
  bins of the first feature, for EM, EM with ``MLPGate(warm_max_iter=100)``,
  the default mixture, k-NN and LightGBM alone.
* ``gate SPLIT``: EM's final gate on ``regimes`` along x, with the gate's
  warm fits at 15 (the default) and 100 iterations.

Run::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round3.py history mcycle
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round3.py history mcycle --cv 10
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round3.py evidence mcycle
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round3.py bins regimes \\
        0.5,4.8,4.95,5.05,5.2,9.5
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round3.py gate 9
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run_benchmarks import _splits, build_method, load, make_experts  # noqa: E402


def _rmse(prediction, y):
    return float(np.sqrt(np.mean((prediction - y) ** 2)))


def _em(task, X, y, split, warm_max_iter=None, cv=None):
    from skmoe import MLPGate
    params = {}
    if warm_max_iter is not None:
        params["gate"] = MLPGate(warm_max_iter=warm_max_iter)
    if cv is not None:
        params["cv"] = cv
    return build_method("moe_em", task, seed=split, lgbm_trees=300, n_jobs=1,
                        moe_params=params or None).fit(X, y)


def history(name, splits, cv=None):
    task, X, y, _ = load(name, 20000)
    every = list(_splits(task, X, y, 10, 0.25, 0))
    for s in splits or range(10):
        train, test = every[s]
        model = _em(task, X[train], y[train], s, cv=cv)
        ll = [r["log_likelihood"] for r in model.history_]
        gate = model.gate_.predict_proba(X[test]).mean(axis=0)
        errors = [_rmse(e.predict(X[test]), y[test]) for e in model.experts_]
        print(f"split {s}: EM {_rmse(model.predict(X[test]), y[test]):.4f}, "
              f"{model.n_iter_} iterations, kept {int(np.argmax(ll)) + 1}; held-out "
              f"log-likelihood {' '.join(f'{v:.4f}' for v in ll)}")
        for r in model.history_:
            print(f"    shares {' '.join(f'{v:.2f}' for v in r['expert_share'])}")
        print(f"    gate on test {' '.join(f'{v:.2f}' for v in gate)}; refitted experts' "
              f"test RMSE {' '.join(f'{v:.1f}' for v in errors)}; noise sd "
              f"{' '.join(f'{v:.2f}' for v in np.sqrt(model.noise_variance_))}")


def evidence(name):
    from sklearn.base import clone
    from sklearn.model_selection import KFold, cross_val_predict
    task, X, y, _ = load(name, 20000)
    for s, (train, test) in enumerate(_splits(task, X, y, 10, 0.25, 0)):
        experts = make_experts(task, seed=s)
        line = f"split {s}:"
        for cv in (2, 5, 10):
            folds = KFold(cv, shuffle=True, random_state=s)
            line += f" | cv={cv} " + " ".join(
                f"{_rmse(cross_val_predict(clone(e), X[train], y[train], cv=folds), y[train]):.1f}"
                for _, e in experts)
        line += " | test " + " ".join(
            f"{_rmse(clone(e).fit(X[train], y[train]).predict(X[test]), y[test]):.1f}"
            for _, e in experts)
        print(line)


def bins(name, edges):
    from sklearn.base import clone
    task, X, y, _ = load(name, 20000)
    totals = {}
    count = np.zeros(len(edges) + 1)
    for s, (train, test) in enumerate(_splits(task, X, y, 10, 0.25, 0)):
        experts = dict(make_experts(task, seed=s))
        predictions = {
            "EM": _em(task, X[train], y[train], s).predict(X[test]),
            "EM, warm_max_iter=100": _em(task, X[train], y[train], s, 100).predict(X[test]),
            "default mixture": build_method("moe", task, seed=s, lgbm_trees=300, n_jobs=1)
            .fit(X[train], y[train]).predict(X[test]),
            "knn": clone(experts["knn"]).fit(X[train], y[train]).predict(X[test]),
            "lgbm": clone(experts["lgbm"]).fit(X[train], y[train]).predict(X[test])}
        where = np.digitize(X[test][:, 0], edges)
        count += np.bincount(where, minlength=len(edges) + 1)
        for method, prediction in predictions.items():
            totals.setdefault(method, np.zeros(len(edges) + 1))
            totals[method] += np.bincount(where, weights=(prediction - y[test]) ** 2,
                                          minlength=len(edges) + 1)
    print(f"| method | {' | '.join(_bin_names(edges))} | all |")
    print("|---" * (len(edges) + 3) + "|")
    for method, total in totals.items():
        print(f"| {method} | {' | '.join(f'{v:.0f}' for v in total)} | {total.sum():.0f} |")
    print(f"| test rows | {' | '.join(f'{v:.0f}' for v in count)} | {count.sum():.0f} |")


def _bin_names(edges):
    bounds = [None, *edges, None]
    return [f"x < {hi:g}" if lo is None else f"x >= {lo:g}" if hi is None
            else f"{lo:g}-{hi:g}" for lo, hi in zip(bounds[:-1], bounds[1:])]


def gate(split):
    task, X, y, _ = load("regimes", 20000)
    train, test = list(_splits(task, X, y, 10, 0.25, 0))[split]
    grid = np.array([2.0, 4.5, 4.8, 4.9, 4.95, 5.0, 5.05, 5.1, 5.2, 5.5, 8.0])[:, None]
    for warm in (15, 100):
        model = _em(task, X[train], y[train], split, warm)
        print(f"warm_max_iter={warm}: {model.n_iter_} iterations, test RMSE "
              f"{_rmse(model.predict(X[test]), y[test]):.4f}; gate (ridge tree lgbm knn):")
        for x, g in zip(grid[:, 0], model.gate_.predict_proba(grid)):
            print(f"    x = {x:4.2f}: {' '.join(f'{v:.2f}' for v in g)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["history", "evidence", "bins", "gate"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--cv", type=int, default=None, help="EM's folds (history)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.what == "history":
        history(args.args[0], [int(s) for s in args.args[1:]], args.cv)
    elif args.what == "evidence":
        evidence(args.args[0])
    elif args.what == "bins":
        bins(args.args[0], [float(e) for e in args.args[1].split(",")])
    else:
        gate(int(args.args[0]))


if __name__ == "__main__":
    main()
