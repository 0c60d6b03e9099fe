"""Fit time and log-loss with many classes: the mixture against Stacking.

The classification heads have one coefficient per expert output and class,
so their cost grows with the square of the number of classes; the suite's
largest is ``digits`` (10). On ``make_classification`` data with more
classes this fits, side by side in one process and on the same split,
``StackingClassifier(cv=5)``, the default mixture, and the mixture with the
plain head's inputs uncentred (``LEVERS["centre_head_inputs"] = False``, as
before centring)::

    OMP_NUM_THREADS=1 python benchmarks/bench_many_classes.py --rows 8000 --classes 26

The pool is the suite's (``run_benchmarks.make_experts``), with
``--lgbm-trees`` trees (LightGBM grows one tree per class and round).
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import make_experts  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8000)
    parser.add_argument("--classes", type=int, default=26)
    parser.add_argument("--lgbm-trees", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from sklearn.datasets import make_classification
    from sklearn.ensemble import StackingClassifier
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split

    import skmoe._blend as blend
    from skmoe import MixtureOfExpertsClassifier

    X, y = make_classification(args.rows, 16, n_informative=12, n_classes=args.classes,
                               n_clusters_per_class=1, random_state=args.seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=args.seed,
                                                        stratify=y)

    def experts():
        return make_experts("classification", seed=args.seed, lgbm_trees=args.lgbm_trees)

    methods = {"stacking": (lambda: StackingClassifier(experts(), cv=5), {}),
               "mixture": (lambda: MixtureOfExpertsClassifier(
                   experts(), random_state=args.seed), {}),
               "mixture, plain head uncentred": (lambda: MixtureOfExpertsClassifier(
                   experts(), random_state=args.seed), {"centre_head_inputs": False})}
    seconds = {}
    for name, (build, levers) in methods.items():
        model = build()
        with blend.levers_set(**levers):
            started = time.perf_counter()
            model.fit(X_train, y_train)
            seconds[name] = time.perf_counter() - started
        loss = log_loss(y_test, model.predict_proba(X_test), labels=model.classes_)
        print(f"{name:30s} fit {seconds[name]:6.1f} s ({seconds[name] / seconds['stacking']:.2f}x "
              f"Stacking's)  log-loss {loss:.5f}", flush=True)


if __name__ == "__main__":
    main()
