"""Copies of one estimator: the stacked gate against EM (what ``training='auto'`` picks).

A homogeneous mixture (``experts=est, n_experts=k``) of a fixed estimator
gets its experts' differences only from refitting them on different rows.
For each set, the single estimator, the mixture with ``training='gradient'``
(the stacked gate over the copies' out-of-fold predictions) and with
``training='em'`` (which the default ``'auto'`` runs for these pools), each
scored by 5-fold cross-validation (the same folds; RMSE or log-loss, mean
over folds)::

    OMP_NUM_THREADS=1 python benchmarks/bench_homogeneous.py

With ``--em-variants``, EM alone with its default gate, with the linear gate of
the hierarchical mixtures (``MLPGate(hidden_layer_sizes=(), alpha=1e-6)``) and
with three restarts (``n_init=3``), on the same folds.
"""

import warnings

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.tree import DecisionTreeRegressor


def two_lines(n=600, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n, 1))
    return X, np.where(X[:, 0] < 0, 2 * X[:, 0], 1 - 3 * X[:, 0]) + 0.3 * rng.normal(size=n)


def xor(n=800, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)


def sets():
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from skmoe.datasets import load_dataset, make_regimes
    mcycle = load_dataset("mcycle")
    boston = load_dataset("boston")
    yield "two lines (generator)", two_lines(), LinearRegression(), 2, "regression"
    yield "regimes (generator)", make_regimes(n_samples=1500, random_state=0), \
        LinearRegression(), 2, "regression"
    yield "mcycle", (mcycle.X, mcycle.y), LinearRegression(), 4, "regression"
    yield "mcycle", (mcycle.X, mcycle.y), DecisionTreeRegressor(max_depth=2), 4, "regression"
    yield "boston", (boston.X, boston.y), LinearRegression(), 3, "regression"
    yield "diabetes", load_diabetes(return_X_y=True), LinearRegression(), 3, "regression"
    yield "XOR (generator)", xor(), LogisticRegression(), 4, "classification"
    yield "breast_cancer", load_breast_cancer(return_X_y=True), \
        LogisticRegression(max_iter=5000), 2, "classification"


def _table(columns, models):
    """Print one row per set of :func:`sets`: ``models(mixture, expert, k)`` gives
    the models of the columns, each scored by the same 5-fold cross-validation."""
    from sklearn.preprocessing import StandardScaler
    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
    warnings.simplefilter("ignore")
    print("| set | expert | k | " + " | ".join(columns) + " |")
    print("|---|---|---|" + "---|" * len(columns))
    for name, (X, y), expert, k, task in sets():
        regression = task == "regression"
        cv = (KFold(5, shuffle=True, random_state=0) if regression
              else StratifiedKFold(5, shuffle=True, random_state=0))
        scoring = "neg_root_mean_squared_error" if regression else "neg_log_loss"
        mixture = MixtureOfExpertsRegressor if regression else MixtureOfExpertsClassifier
        if not regression:
            X = StandardScaler().fit_transform(X)
        scores = [-cross_val_score(model, X, y, cv=cv, scoring=scoring).mean()
                  for model in models(mixture, expert, k)]
        label = type(expert).__name__ + (f"(max_depth={expert.max_depth})"
                                         if hasattr(expert, "max_depth") else "")
        print(f"| {name} | {label} | {k} | " + " | ".join(f"{s:.4g}" for s in scores) + " |",
              flush=True)


def em_variants():
    """EM's gate and restarts: the table of ``--em-variants``."""
    from skmoe.gates import MLPGate
    variants = {"EM (default gate)": {},
                "linear gate, alpha 1e-6": {"gate": MLPGate(hidden_layer_sizes=(), alpha=1e-6)},
                "n_init=3": {"n_init": 3}}
    _table(list(variants), lambda mixture, expert, k: [
        mixture(expert, n_experts=k, training="em", random_state=0, **params)
        for params in variants.values()])


def main():
    import sys
    if "--em-variants" in sys.argv[1:]:
        return em_variants()
    _table(["alone", "training='gradient'", "training='em' ('auto')"],
           lambda mixture, expert, k: [
               expert, mixture(expert, n_experts=k, training="gradient", random_state=0),
               mixture(expert, n_experts=k, training="em", random_state=0)])


if __name__ == "__main__":
    main()
