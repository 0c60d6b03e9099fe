"""Experts that misbehave or are unusual, third round: experts whose fit
takes ``sample_weight`` without using it, under EM and in the hierarchical
mixture.

Each test fails without the fix it names (but those said to be guards).
"""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skmoe import HierarchicalMixtureRegressor, MixtureOfExpertsRegressor


# --------------------------------- an expert whose fit drops its sample_weight
class _DropsWeights(LinearRegression):
    """Takes sample_weight, as a wrapper may, and fits without it."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(X, y)


def _v_shape():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(200, 1))
    return X, 3 * np.abs(X[:, 0]) + 0.1 * rng.normal(size=200)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                      training="em", max_iter=5, random_state=0),
    lambda: MixtureOfExpertsRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                      training="em", cv=None, max_iter=5, random_state=0),
    lambda: HierarchicalMixtureRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                         branching=2, max_iter=5, random_state=0),
], ids=["cross-fitted", "exact", "hme"])
def test_em_says_when_its_experts_ignore_their_weights(make):
    # Fix in _em.warn_if_weights_ignored: two copies of it are the same model
    # for every responsibility, so EM cannot split the V between them; the
    # mixture scored R^2 0.0 (two LinearRegression copies: 0.99), the
    # hierarchical one 0.28 (0.997), without a word.
    X, y = _v_shape()
    with pytest.warns(UserWarning, match=r"Experts \['a', 'b'\] were refitted with "
                                         r"different weights .* predict the same on every "
                                         r"row, as if their fit ignored sample_weight") as rec:
        make().fit(X, y)
    # (Once per fit, not once per iteration.)
    assert sum("predict the same" in str(w.message) for w in rec) == 1


def test_guard_experts_that_use_their_weights_are_not_warned_of():
    # Guard: copies that use their weights specialise, and nothing is said.
    import warnings
    X, y = _v_shape()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Experts .* predict the same")
        model = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                          max_iter=5, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9
