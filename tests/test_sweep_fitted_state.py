"""Fitted state after a fit that failed: the estimator is left unfitted."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.utils.validation import check_is_fitted

import skmoe._mmoe_hetero
from skmoe import HeterogeneousMultiGateMixtureOfExperts


def _data():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=list("abc"))
    return X, X["a"].to_numpy()


def _assert_unfitted(model, X):
    for estimator in (model, pickle.loads(pickle.dumps(model))):
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)
        with pytest.raises(NotFittedError):
            estimator.predict(X)


@pytest.mark.parametrize("refit", [False, True])
def test_multi_gate_mixture_whose_gate_training_failed_is_not_fitted(monkeypatch, refit):
    # named_experts_ (the fitted mark) was set before the gates were trained:
    # a first fit that failed there looked fitted, and predict ran a gate
    # that was never trained.
    X, y = _data()
    Y = np.column_stack([y, X["b"]])
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("lr", LinearRegression()), ("ridge", Ridge())], max_iter=2, random_state=0)
    if refit:
        model.fit(X, Y)

    def diverged(*args, **kwargs):
        raise ValueError("the gates diverged")

    with monkeypatch.context() as patch:
        patch.setattr(skmoe._mmoe_hetero, "lbfgs", diverged)
        with pytest.raises(ValueError, match="the gates diverged"):
            model.fit(X, Y)
    _assert_unfitted(model, X)
    assert model.fit(X, Y).predict(X).shape == Y.shape
