"""Top-k routing over the suite's pool: the gradient trainer against EM.

The suite's top-k mixture (``top_k``, the pool and splits of
``run_benchmarks.py``) trained by ``training="gradient"`` (the gate learns
from the dense mixture's loss, straight through) and by ``training="em"``
(the gate fits the responsibilities), next to the best single expert; mean
test RMSE or log-loss over the first ``--splits`` splits, and the median
ratio of the two trainers' fit times. A dataset is a suite set
(``run_benchmarks.py``) or one of the sets outside it
(``bench_more_datasets.py``)::

    OMP_NUM_THREADS=1 python benchmarks/bench_topk_trainers.py --splits 5 wine iris mcycle
    OMP_NUM_THREADS=1 python benchmarks/bench_topk_trainers.py --splits 5 --top-k 2 fgl Pima
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.base import clone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_more_datasets  # noqa: E402
from run_benchmarks import _scores, _splits, build_method, load, make_experts  # noqa: E402


def load_any(name):
    """(task, X, y) of a suite set or of a set outside the suite."""
    if name in bench_more_datasets.SETS:
        return bench_more_datasets.load(name)
    return load(name, 20000)[:3]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--top-k", type=int, default=1, choices=(1, 2))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    k = args.top_k
    print(f"| dataset | metric | best expert | top-{k}, gradient | top-{k}, EM "
          "| fit time EM / gradient (median) |")
    print("|---|---|---|---|---|---|")
    for name in args.datasets:
        task, X, y = load_any(name)
        metric = "rmse" if task == "regression" else "log_loss"
        scores = {"gradient": [], "em": []}
        seconds = {"gradient": [], "em": []}
        experts = {}
        for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
            for expert_name, expert in make_experts(task, seed=split):
                model = clone(expert).fit(X[train], y[train])
                experts.setdefault(expert_name, []).append(
                    _scores(task, model, X[test], y[test])[0][metric])
            for training in scores:
                model = build_method(f"moe_top{k}", task, seed=split, lgbm_trees=300,
                                     n_jobs=1, moe_params={"training": training})
                start = time.perf_counter()
                model.fit(X[train], y[train])
                seconds[training].append(time.perf_counter() - start)
                scores[training].append(_scores(task, model, X[test], y[test])[0][metric])
        best = min(experts, key=lambda e: np.mean(experts[e]))
        ratio = np.median(np.array(seconds["em"]) / np.array(seconds["gradient"]))
        print(f"| {name} | {'RMSE' if task == 'regression' else 'log-loss'} | "
              f"{np.mean(experts[best]):.4f} ({best}) | {np.mean(scores['gradient']):.4f} | "
              f"{np.mean(scores['em']):.4f} | {ratio:.2f} |", flush=True)


if __name__ == "__main__":
    main()
