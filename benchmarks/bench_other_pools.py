"""The default mixture with expert pools other than the suite's.

Every lever of the mixture was chosen with one pool (``run_benchmarks.
make_experts``: ridge/logistic, a depth-8 tree, LightGBM, 15-NN). This script
swaps it for another and fits, on the suite's splits (random, seed 0, test
25 %) of a suite or unseen set (``bench_more_datasets.py``), Stacking(cv=5),
Caruana's ensemble selection, the default mixture and each expert alone.
Prints one line per set: the mean test RMSE / log-loss of each, the
mixture's gap to the better constant blend (with the paired standard error
over splits) and to the best expert, and its median fit time over
Stacking's.

Pools:

* ``strong``: other strong learners -- cross-validated ridge / logistic
  regression, a random forest (100 trees), histogram gradient boosting, an
  RBF support vector machine (Platt-scaled for classification), 5-NN.
* ``weak``: weak and overfitting members -- the prior (DummyRegressor /
  DummyClassifier), a stump, an unpruned tree, 1-NN, ridge / logistic.

``--set key=value`` switches a lever of the stacked gate
(``skmoe._blend.LEVERS``, JSON values) for the mixture::

    OMP_NUM_THREADS=1 python benchmarks/bench_other_pools.py --pool strong \\
        --splits 5 breast_cancer wine Pima birthwt mroz
    OMP_NUM_THREADS=1 python benchmarks/bench_other_pools.py --pool strong \\
        --set constant_floor=0 -- breast_cancer wine Pima birthwt mroz
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.base import clone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_gate_levers  # noqa: E402
import bench_more_datasets  # noqa: E402
from run_benchmarks import _scores, _splits, load  # noqa: E402

import skmoe._blend as blend  # noqa: E402


def make_pool(pool, task, seed):
    """The experts of ``pool`` ('strong' or 'weak'), fresh and unfitted."""
    from sklearn import dummy, ensemble, linear_model, neighbors, svm, tree
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def scaled(model):
        return make_pipeline(StandardScaler(), model)

    if task == "regression":
        if pool == "strong":
            return [("ridge", scaled(linear_model.RidgeCV())),
                    ("forest", ensemble.RandomForestRegressor(
                        100, min_samples_leaf=2, random_state=seed, n_jobs=1)),
                    ("hgb", ensemble.HistGradientBoostingRegressor(random_state=seed)),
                    ("svr", scaled(svm.SVR(C=3.0))),
                    ("knn5", scaled(neighbors.KNeighborsRegressor(5)))]
        return [("prior", dummy.DummyRegressor()),
                ("stump", tree.DecisionTreeRegressor(max_depth=1)),
                ("full_tree", tree.DecisionTreeRegressor(random_state=seed)),
                ("knn1", scaled(neighbors.KNeighborsRegressor(1))),
                ("ridge", scaled(linear_model.Ridge()))]
    if pool == "strong":
        return [("logistic", scaled(linear_model.LogisticRegression(max_iter=2000))),
                ("forest", ensemble.RandomForestClassifier(
                    100, min_samples_leaf=2, random_state=seed, n_jobs=1)),
                ("hgb", ensemble.HistGradientBoostingClassifier(random_state=seed)),
                ("svc", scaled(svm.SVC(probability=True, random_state=seed))),
                ("knn5", scaled(neighbors.KNeighborsClassifier(5)))]
    return [("prior", dummy.DummyClassifier()),
            ("stump", tree.DecisionTreeClassifier(max_depth=1)),
            ("full_tree", tree.DecisionTreeClassifier(random_state=seed)),
            ("knn1", scaled(neighbors.KNeighborsClassifier(1))),
            ("logistic", scaled(linear_model.LogisticRegression(max_iter=2000)))]


def load_set(name):
    """(task, X, y) of a suite dataset or of an unseen set."""
    if name in bench_more_datasets.SETS:
        return bench_more_datasets.load(name)
    task, X, y, _ = load(name, 20000)
    return task, X, y


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", choices=["strong", "weak"], default="strong")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("sets", nargs="+")
    args = parser.parse_args(argv)
    switches = bench_gate_levers.lever_switches(parser, args.set)
    blend.LEVERS.update(switches)
    warnings.simplefilter("ignore")

    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                       MixtureOfExpertsRegressor)

    for name in args.sets:
        task, X, y = load_set(name)
        regression = task == "regression"
        scores, seconds = {}, {}
        for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
            pool = make_pool(args.pool, task, split)
            methods = {
                "stacking": (StackingRegressor if regression else StackingClassifier)(
                    pool, cv=5),
                "caruana": (EnsembleRegressor if regression else EnsembleClassifier)(
                    pool, weights="greedy", cv=5, random_state=split),
                "moe": (MixtureOfExpertsRegressor if regression else MixtureOfExpertsClassifier)(
                    pool, random_state=split),
                **{expert: clone(estimator) for expert, estimator in pool}}
            for method, model in methods.items():
                started = time.perf_counter()
                model.fit(X[train], y[train])
                seconds.setdefault(method, []).append(time.perf_counter() - started)
                score = next(iter(_scores(task, model, X[test], y[test])[0].values()))
                scores.setdefault(method, []).append(score)
        mean = {method: float(np.mean(values)) for method, values in scores.items()}
        experts = [expert for expert, _ in make_pool(args.pool, task, 0)]
        best_expert = min(experts, key=mean.get)
        best_blend = min(["stacking", "caruana"], key=mean.get)
        gap = np.array(scores["moe"]) / np.array(scores[best_blend]) - 1
        se = gap.std(ddof=1) / np.sqrt(len(gap)) if len(gap) > 1 else np.nan
        ratio = np.median(np.array(seconds["moe"]) / np.array(seconds["stacking"]))
        print(f"{name} {task} pool {args.pool}: "
              + " ".join(f"{method} {value:.4f}" for method, value in mean.items())
              + f" | gap to {best_blend} {100 * (mean['moe'] / mean[best_blend] - 1):+.2f} %"
              f" (SE {100 * se:.2f} %), to {best_expert} "
              f"{100 * (mean['moe'] / mean[best_expert] - 1):+.2f} % | fit / Stacking "
              f"{ratio:.2f}", flush=True)


if __name__ == "__main__":
    main()
