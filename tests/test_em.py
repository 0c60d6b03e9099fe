"""EM trainer (skmoe._em): noisy gating, scale equivariance, collapse, monotonicity."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes


def em(experts, **params):
    return MixtureOfExpertsRegressor(experts, training="em", random_state=0, **params)


@pytest.fixture(scope="module")
def small_regimes():
    return make_regimes(n_samples=300, random_state=0)


def three_experts():
    return [("a", LinearRegression()),
            ("b", DecisionTreeRegressor(max_depth=3, random_state=0)),
            ("c", LinearRegression())]


def fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


# -------------------------------------------------------------- noisy gating
def test_noisy_gating_survives_the_first_gate_fit_and_is_trained(small_regimes):
    X, y = small_regimes
    params = dict(top_k=1, balance_coef=0.1, max_iter=3)
    clean = fit_quietly(em(three_experts(), **params), X, y)
    noisy = fit_quietly(em(three_experts(), noisy_gating=True, **params), X, y)
    assert clean.gate_.noise_module_ is None
    assert noisy.gate_.noise_module_ is not None
    # Trained through the load-balance penalty: it left its zero start.
    assert noisy.gate_.noise_module_.weight.abs().sum().item() > 0
    assert not np.allclose(noisy.predict(X), clean.predict(X))
