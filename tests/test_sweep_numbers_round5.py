"""Fifth sweep for wrong numbers: properties checked against an independent
computation. (No defect was found in this sweep; these guard the newest code.)"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe._blend import levers_set


def _exponential_index():
    # An exponential trend (as AER::ArgentinaCPI): rows beyond the training
    # range, where a ridge head over the experts' outputs extrapolates and
    # the regression heads' bound (REGRESSION_HEAD_BOUNDS) clips it.
    rng = np.random.RandomState(0)
    X = np.sort(rng.uniform(0, 4, 120))[:, None]
    y = np.exp(X[:, 0]) + 0.3 * rng.randn(120)
    return X, y, np.linspace(-1.0, 6.0, 30)[:, None]


def _fit(X, y):
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("knn", KNeighborsRegressor(5))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MixtureOfExpertsRegressor(experts, random_state=0, max_epochs=20).fit(X, y)


@pytest.mark.parametrize("bounds", ["library", None])
def test_the_bounded_regression_heads_are_equivariant_in_y(bounds):
    # The heads' clip compares the prediction with the experts' outputs and
    # the training targets' range, both in standardised units: fitting on
    # 1000 y + 5 must give 1000 * prediction + 5 (and the sd times 1000),
    # where the bound binds and without it.
    X, y, X_new = _exponential_index()
    changes = {} if bounds == "library" else {"regression_head_bounds": None}
    with levers_set(**changes):
        base, scaled = _fit(X, y), _fit(X, 1000.0 * y + 5.0)
    mean, std = base.predict(X_new, return_std=True)
    mean_scaled, std_scaled = scaled.predict(X_new, return_std=True)
    size = np.abs(mean).max()
    np.testing.assert_allclose(mean_scaled, 1000.0 * mean + 5.0, rtol=0, atol=1e-9 * 1000 * size)
    np.testing.assert_allclose(std_scaled, 1000.0 * std, rtol=1e-9)


def test_the_regression_heads_bound_binds_on_these_rows():
    # (So that the test above checks the clip: unbounded, the same mixture
    # predicts otherwise beyond the training range. The feature-weighted
    # head's own range rule, which also acts beyond the training range, is
    # off in both: this is the bound's doing.)
    X, y, X_new = _exponential_index()
    with levers_set(products_beyond_range=None):
        bounded = _fit(X, y).predict(X_new)
    with levers_set(regression_head_bounds=None, products_beyond_range=None):
        free = _fit(X, y).predict(X_new)
    inside = (X_new[:, 0] >= 0) & (X_new[:, 0] <= 4)
    assert np.max(np.abs(bounded - free)[~inside]) > 1.0
