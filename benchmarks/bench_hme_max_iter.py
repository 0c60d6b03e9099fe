"""The hierarchical mixture's held-out log-loss as ``max_iter`` grows, on
``survival::gbsg`` (``docs/hme.rst``: "it grew with the iterations").

The set, its splits (5 shuffled, test 25 %, stratified) and the model ('hme' of
``bench_trainers_unseen.py``: a 2x2 tree of scaled logistic regressions, in-sample
EM) are those of ``bench_trainers_unseen.py``; only ``max_iter`` changes::

    OMP_NUM_THREADS=1 python benchmarks/bench_hme_max_iter.py

Prints one line per split: the test log-loss at each ``max_iter``. Results:
``benchmarks/results/trainers_unseen.md`` (section "Log-loss against max_iter").
"""

import argparse
import os
import sys
import warnings

from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_trainers_unseen as trainers  # noqa: E402
from run_benchmarks import _splits  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="gbsg")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--max-iter", type=int, nargs="+", default=[5, 20, 100])
    args = parser.parse_args(argv)
    task, X, y = trainers.load(args.set)
    print("split " + " ".join(f"max_iter={it}" for it in args.max_iter))
    for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
        losses = []
        for max_iter in args.max_iter:
            model = trainers.build("hme", task, split).set_params(max_iter=max_iter)
            with warnings.catch_warnings():
                # ConvergenceWarning at small max_iter is the point of the run.
                warnings.simplefilter("ignore")
                model.fit(X[train], y[train])
            losses.append(log_loss(y[test], model.predict_proba(X[test]),
                                   labels=model.classes_))
        print(f"{split} " + " ".join(f"{loss:.3f}" for loss in losses), flush=True)


if __name__ == "__main__":
    main()
