"""Leftovers, round 20: top_k set after fit above the number of experts.

Each test failed before the change it names."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skmoe import MixtureOfExpertsRegressor


def _data(n=200):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + 0.1 * rng.normal(size=n)
    return X, y


# --------- 1. top_k set after fit above the number of experts
def test_top_k_set_after_fit_above_the_experts_is_refused():
    # fit refuses top_k=3 for 2 experts; set after fit it was capped at 2
    # without a word (every expert on every row: the dense mixture), where
    # the message for 0 or 1.5 says "an integer from 1 to 2".
    X, y = _data()
    model = MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge(alpha=30.0))],
                                      training="em", max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    every_expert = model.set_params(top_k=2).predict(X)
    model.set_params(top_k=3)
    with pytest.raises(ValueError, match=r"top_k=3 was set after fit: .* from 1 to 2"):
        model.predict(X)
    with pytest.raises(ValueError, match=r"top_k=3 was set after fit"):
        model.expert_usage(X)
    np.testing.assert_array_equal(model.set_params(top_k=2).predict(X), every_expert)
