"""Bad-input sweep, round 8: options (constructor parameters and their
combinations) rather than data."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe.gates import MLPGate


def _fast_gate(**params):
    return MLPGate(**{"hidden_layer_sizes": (), "max_iter": 20, "warm_max_iter": 5, **params})


def _regression_rows(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _fixed_experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]


@pytest.mark.parametrize("name", ["max_iter", "warm_max_iter", "batch_size"])
def test_gate_counts_refuse_a_flag(name):
    # bool is an int to Python: MLPGate(max_iter=True) ran one L-BFGS
    # iteration without a word, where the mixture refuses max_iter=True.
    X, y = _regression_rows()
    moe = MixtureOfExpertsRegressor(_fixed_experts(), gate=_fast_gate(**{name: True}),
                                    training="em", max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=f"gate {name} must be a positive integer, got True"):
        moe.fit(X, y)
    moe.set_params(**{f"gate__{name}": np.int64(2)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert moe.fit(X, y).predict(X).shape == (len(X),)
