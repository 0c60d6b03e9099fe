"""Bad-input sweep, round 32: experts' masked outputs, complex targets at
score time, a gate view given as text, a constant target of large magnitude,
and the messages of the hierarchical mixture and select_n_experts for sizes
they cannot take.

Each test fails without the fix it names.
"""
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LinearRegression, LogisticRegression

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=n)
    return X, y, (X[:, 0] > 0).astype(int)


class _MaskedRegressor(RegressorMixin, BaseEstimator):
    """Predicts zeros, the first row masked (a model with no answer there)."""

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        n = len(X)
        return np.ma.masked_array(np.zeros(n), mask=np.arange(n) == 0)


class _MaskedClassifier(ClassifierMixin, BaseEstimator):
    """Uniform probabilities and labels, the first row masked."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        n = len(X)
        return np.ma.masked_array(np.zeros(n, dtype=int), mask=np.arange(n) == 0)

    def predict_proba(self, X):
        n, k = len(X), len(self.classes_)
        mask = np.repeat((np.arange(n) == 0)[:, None], k, axis=1)
        return np.ma.masked_array(np.full((n, k), 1.0 / k), mask=mask)


@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("lin", LinearRegression()), ("bad", _MaskedRegressor())]),
    lambda: MixtureOfExpertsRegressor([("lin", LinearRegression()), ("bad", _MaskedRegressor())],
                                      training="em", max_iter=2, random_state=0),
    lambda: MixtureOfExpertsRegressor([("lin", LinearRegression()), ("bad", _MaskedRegressor())],
                                      max_epochs=2, random_state=0),
], ids=["ensemble", "em-mixture", "stacked-mixture"])
def test_an_expert_returning_a_masked_array_is_named(make):
    # np.asarray dropped the mask: the numbers under it (whatever the expert
    # left there) were averaged and weighed as predictions, without a word,
    # while a RuleExpert returning one is refused.
    X, y, _ = _data()
    with pytest.raises(ValueError, match=r"Expert 'bad' \(_MaskedRegressor\) failed in predict: "
                                         r"it returned a masked array with 1 masked value"):
        make().fit(X, y).predict(X)   # (the plain ensemble calls no expert in fit)
    # A masked array with nothing masked is an array like any other.
    class Unmasked(_MaskedRegressor):
        def predict(self, X):
            return np.ma.masked_array(X[:, 0], mask=False)

    model = make().set_params(experts=[("lin", LinearRegression()), ("first", Unmasked())])
    assert np.all(np.isfinite(model.fit(X, y).predict(X)))


@pytest.mark.parametrize("make", [
    lambda: EnsembleClassifier([("lr", LogisticRegression()), ("bad", _MaskedClassifier())]),
    lambda: EnsembleClassifier([("lr", LogisticRegression()), ("bad", _MaskedClassifier())],
                               voting="hard"),
    lambda: MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                        ("bad", _MaskedClassifier())],
                                       training="em", max_iter=2, random_state=0),
], ids=["soft-ensemble", "hard-ensemble", "em-mixture"])
def test_a_classifier_returning_masked_probabilities_or_labels_is_named(make):
    X, _, y = _data()
    with pytest.raises(ValueError, match=r"Expert 'bad' \(_MaskedClassifier\) failed in "
                                         r"predict(_proba)?: it returned a masked array"):
        make().fit(X, y).predict(X)   # (the plain ensembles call no expert in fit)
