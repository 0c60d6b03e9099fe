"""Top-1 routing over the suite's pool: the gradient trainer against EM.

The suite's top-1 mixture (``top_k=1``, the pool and splits of
``run_benchmarks.py``) trained by ``training="gradient"`` (the gate learns
from the dense mixture's loss, straight through) and by ``training="em"``
(the gate fits the responsibilities); mean test RMSE or log-loss over the
first ``--splits`` splits::

    OMP_NUM_THREADS=1 python benchmarks/bench_topk_trainers.py --splits 3 wine iris mcycle
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _scores, _splits, build_method, load  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+")
    parser.add_argument("--splits", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print("| dataset | metric | top-1, gradient | top-1, EM |")
    print("|---|---|---|---|")
    for name in args.datasets:
        task, X, y, _ = load(name, 20000)
        scores = {"gradient": [], "em": []}
        for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
            for training in scores:
                model = build_method("moe_top1", task, seed=split, lgbm_trees=300, n_jobs=1,
                                     moe_params={"training": training})
                model.fit(X[train], y[train])
                metrics = _scores(task, model, X[test], y[test])[0]
                scores[training].append(metrics["rmse" if task == "regression"
                                                else "log_loss"])
        metric = "RMSE" if task == "regression" else "log-loss"
        print(f"| {name} | {metric} | {np.mean(scores['gradient']):.4f} | "
              f"{np.mean(scores['em']):.4f} |", flush=True)


if __name__ == "__main__":
    main()
