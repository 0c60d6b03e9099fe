"""Bad-input sweep, round 24: the standalone torch experts and gate, the
persistence of their torch state, the selection tools and the generators."""

import numpy as np
import pytest

from skmoe.gates import MLPGate


def _gate_data():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((40, 3))
    targets = rng.uniform(size=(40, 2))
    return X, targets / targets.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_mlp_gate_names_targets_that_are_no_probability_vectors(solver):
    # Rows summing to 1e37 overflowed the float32 loss: the lbfgs gate kept its
    # initial weights and the adam gate became NaN (at 1e39), without a word.
    X, targets = _gate_data()
    with pytest.raises(ValueError, match=r"probability vectors .* a row sums to 1e\+37"):
        MLPGate(solver=solver, max_iter=5).fit(X, targets * 1e37)
    # Probability vectors, and rows summing to less (experts dropped), still fit.
    for scale in (1.0, 0.5):
        proba = MLPGate(solver=solver, max_iter=5).fit(X, targets * scale).predict_proba(X)
        assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
