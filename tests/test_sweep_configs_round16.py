"""Defects found by the configuration sweep, round 16 (experts users bring:
HistGradientBoosting, SVR/SVC, distance-weighted k-NN, MLPRegressor, Gaussian
processes, quantile regression, Pipelines, TransformedTargetRegressor,
CalibratedClassifierCV, LightGBM with huber/poisson objectives, Dummy models;
1 to 20 experts; experts of very different speeds, their fits counted by a
spy; GridSearchCV/RandomizedSearchCV over the mixture's and its experts'
parameters)."""
import warnings
from collections import Counter

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

FITS = Counter()


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


def _diabetes_head(n=200):
    X, y = load_diabetes(return_X_y=True)
    return X[:n], y[:n]


def test_em_restarts_refit_the_experts_on_all_rows_once():
    # EM with n_init=3 refitted every expert on all rows at the end of each
    # restart and kept one: three full-data fits per expert (the costliest fit
    # of a run for an expert that scales worse than linearly, e.g. an SVR or
    # a Gaussian process) where one is used. The kept restart is now refitted
    # alone, and gives the same mixture as before.
    X, y = _diabetes_head()
    FITS.clear()
    experts = [("ridge", CountingRegressor("ridge")),
               ("tree", CountingRegressor("tree", max_depth=3))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # max_iter=4 may not converge
        model = MixtureOfExpertsRegressor(experts, training="em", max_iter=4, n_init=3,
                                          random_state=0).fit(X, y)
        one = MixtureOfExpertsRegressor(experts, training="em", max_iter=4,
                                        random_state=0).fit(X, y)
    assert FITS["ridge", len(X)] == 2    # one for n_init=3, one for n_init=1
    assert FITS["tree", len(X)] == 2
    assert model.log_likelihood_ >= one.log_likelihood_
    assert np.isfinite(model.predict(X)).all()


def _pool(classifier, max_depth=None):
    if classifier:
        return [("linear", LogisticRegression()),
                ("tree", DecisionTreeClassifier(max_depth=max_depth, random_state=0))]
    return [("linear", Ridge()), ("tree", DecisionTreeRegressor(max_depth=max_depth,
                                                                random_state=0))]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=3
@pytest.mark.parametrize("Model", [MixtureOfExpertsRegressor, MixtureOfExpertsClassifier])
def test_exact_em_warns_of_an_expert_that_fits_its_rows_exactly(Model):
    # A linear model and an unpruned tree under exact EM (cv=None): the tree's
    # in-sample residuals are zero (its noise variance sat at the floor), or
    # its in-sample probabilities of the true classes one, and EM handed it
    # the rows without a word; on held-out rows the mixture was far worse
    # than the linear model alone (diabetes: RMSE 84.5 against 54.5; Pima.tr:
    # log-loss 1.75 against 0.47).
    X, y = _diabetes_head()
    classifier = Model is MixtureOfExpertsClassifier
    if classifier:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        y = (y > np.median(y)).astype(int)
    with pytest.warns(UserWarning, match=r"Expert\(s\) \['tree'\] fit their training rows "
                                         r"exactly .* exact EM \(cv=None\).*use cv='auto'") as rec:
        Model(_pool(classifier), training="em", cv=None, max_iter=3, random_state=0).fit(X, y)
    assert [w.filename for w in rec if "fit their training rows" in str(w.message)] == [__file__]
    # Not for experts that leave residuals, nor for cross-fitted EM.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)   # max_iter=3
        Model(_pool(classifier, max_depth=3), training="em", cv=None, max_iter=3,
              random_state=0).fit(X, y)
        Model(_pool(classifier), training="em", max_iter=3, random_state=0).fit(X, y)
