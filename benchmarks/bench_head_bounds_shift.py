"""The stacked gate's heads, bounded or not, on folds unlike each other.

scikit-learn's ``cross_val_score`` splits a classifier's rows with unshuffled
stratified folds: on sets stored sorted (by group, by time) the test rows then
differ from the training rows. Per set (as stored), the default mixture with
each ``head_bounds`` (``skmoe._blend.LEVERS``; "lower" is the library's),
Caruana's blend and the best single expert; mean test log-loss over the 3
folds, then the per-fold values::

    OMP_NUM_THREADS=1 python benchmarks/bench_head_bounds_shift.py \
        wine iris breast_cancer fgl biopsy Womenlf Chile Titanic OJ Pima

Regression sets (test RMSE, unshuffled ``KFold(3)``, each
``regression_head_bounds``: unbounded, the library's 1.0, and 0.0) run the
same way: ``bench_head_bounds_shift.py boston diabetes Auto cpus``.
"""
import os
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_benchmarks as rb  # noqa: E402
from bench_more_datasets import load  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold  # noqa: E402

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor  # noqa: E402
from skmoe._blend import levers_set  # noqa: E402
from skmoe.datasets import list_datasets  # noqa: E402

MODES = {"classification": ("head_bounds", [None, "lower", "experts"]),
         "regression": ("regression_head_bounds", [None, 1.0, 0.0])}


def held_out_score(task, model, X, y):
    """Test log-loss (classification) or RMSE (regression)."""
    scores = rb._scores(task, model, X, y)[0]
    return scores["log_loss"] if task != "regression" else scores["rmse"]


for name in sys.argv[1:]:
    if name in list_datasets():
        task, X, y, _ = rb.load(name, 20000)
    else:
        task, X, y = load(name)
    lever, modes = MODES["regression" if task == "regression" else "classification"]
    cls, folds = ((MixtureOfExpertsRegressor, KFold(3)) if task == "regression"
                  else (MixtureOfExpertsClassifier, StratifiedKFold(3)))
    res = {m: [] for m in [*map(str, modes), "caruana", "best_expert"]}
    for k, (tr, te) in enumerate(folds.split(X, y)):
        for mode in modes:
            with levers_set(**{lever: mode}):
                model = cls(rb.make_experts(task, seed=k), random_state=k).fit(X[tr], y[tr])
                res[str(mode)].append(held_out_score(task, model, X[te], y[te]))
        caruana = rb.build_method("caruana", task, seed=k, lgbm_trees=300,
                                  n_jobs=1).fit(X[tr], y[tr])
        res["caruana"].append(held_out_score(task, caruana, X[te], y[te]))
        res["best_expert"].append(min(
            held_out_score(task, clone(expert).fit(X[tr], y[tr]), X[te], y[te])
            for _, expert in rb.make_experts(task, seed=k)))
    print(name, "  ".join(f"{key}: {np.mean(v):.4f} {np.round(v, 3).tolist()}"
                          for key, v in res.items()), flush=True)
