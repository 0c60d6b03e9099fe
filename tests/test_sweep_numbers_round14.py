"""Wrong-numbers sweep, round 14: the scale of weights given to the public
gate, and other results that must not depend on how the same data are given."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmoe import MLPGate, TorchMLPRegressor


def _gate_data(n=100):
    rng = np.random.RandomState(0)
    return rng.normal(size=(n, 3)), rng.dirichlet(np.ones(3), size=n), rng.uniform(0.5, 2, n)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
@pytest.mark.parametrize("scale", [1e-30, 1e40, 1e300])
def test_gate_weights_times_a_constant_fit_the_same_gate(solver, scale):
    # Only relative weights matter: the gate's loss divides by their total.
    # They were cast to the network's float32 as given: times 1e40 they were
    # infinite (adam: a NaN gate; lbfgs: probabilities 0.43 off), times 1e-30
    # their total fell below the loss's floor on it and the penalty outweighed
    # the data (0.38 off; adam 0.30). Rescaled to mean one first, the gates are
    # identical.
    X, targets, weight = _gate_data()
    a = MLPGate(solver=solver, max_iter=10).fit(X, targets, sample_weight=weight)
    b = MLPGate(solver=solver, max_iter=10).fit(X, targets, sample_weight=weight * scale)
    assert_allclose(b.predict_proba(X), a.predict_proba(X), rtol=0, atol=1e-12)



def test_torch_regressor_fits_a_float32_target_as_the_same_float64_numbers():
    # The same numbers, as float32 or as float64, must fit the same network.
    # A float32 y was standardised in float32 arithmetic: its mean (1e6 +
    # 0.04) was rounded to float32 (an ulp of 0.0625) before it was
    # subtracted, and the predictions moved by 0.0021.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = (1e6 + X[:, 0] + 0.1 * rng.normal(size=200)).astype(np.float32)
    a = TorchMLPRegressor(max_epochs=5, random_state=0).fit(X, y.astype(np.float64))
    b = TorchMLPRegressor(max_epochs=5, random_state=0).fit(X, y)
    assert_allclose(b.predict(X), a.predict(X), rtol=0, atol=0)
