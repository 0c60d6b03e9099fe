"""Bad-input sweep, round 16: errors that come from inside an expert and do
not say what is wrong with the input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor)


def _experts():
    return [("gbm", HistGradientBoostingRegressor(max_iter=5)),
            ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(_experts(), max_epochs=2, random_state=0),
    lambda: MixtureOfExpertsRegressor(_experts(), training="em", max_iter=2, random_state=0),
    lambda: EnsembleRegressor(_experts()),
    lambda: HierarchicalMixtureRegressor(HistGradientBoostingRegressor(max_iter=5),
                                         branching=2, max_iter=2, random_state=0),
])
@pytest.mark.parametrize("frame", [False, True])
def test_a_column_missing_in_every_row_is_named(make, frame):
    # An expert that takes NaN fails on a column of NaN only with scikit-
    # learn's "window shape cannot be larger than input array shape", which
    # says neither the column nor that it is empty.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    X[:, 1] = np.nan
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    if frame:
        X = pd.DataFrame(X, columns=["a", "empty", "c"])
    column = "'empty'" if frame else "1"
    with pytest.raises(ValueError, match=rf"failed to fit: .*column\(s\) {column} are missing "
                                         r"\(NaN\) in every row it was fitted on"):
        make().fit(X, y)


@pytest.mark.parametrize("proba, why", [
    ([0.2, 0.3, -0.5], "a negative weight: a NaN gate, silently"),
    ([0.0, 0.0, 0.0], "all zeros: a NaN gate, silently"),
    ([0.2, np.nan, 0.8], "NaN: a NaN gate, silently"),
    ([0.5, 0.5], "one weight short: torch's 'The size of tensor a (3) must match'"),
    (["a", "b", "c"], "words: numpy's 'could not convert string to float'"),
])
def test_gate_fit_constant_names_weights_that_are_no_gate(proba, why):
    from skmoe import MLPGate
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 2))
    gate = MLPGate(max_iter=2).fit(X, rng.dirichlet(np.ones(3), size=20))
    with pytest.raises(ValueError, match=r"fit_constant: proba must be 3 finite, non-negative"):
        gate.fit_constant(np.array(proba, dtype=object) if why.startswith("words") else proba)


def test_gate_fit_constant_still_takes_zero_weights():
    # A zero weight is an expert the constant gate never picks (the greedy
    # constant blend gives some experts none).
    from skmoe import MLPGate
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 2))
    gate = MLPGate(max_iter=2).fit(X, rng.dirichlet(np.ones(3), size=20))
    proba = gate.fit_constant([0.0, 2.0, 6.0]).predict_proba(X[:4])
    np.testing.assert_allclose(proba, np.tile([0.0, 0.25, 0.75], (4, 1)), rtol=1e-6, atol=0)
