"""Leftovers of earlier sessions, round 13: device=None in the multi-task
mixtures, repeated candidates of select_n_experts, the multi-task "not
numeric" error, the EM restart each verbose line belongs to.

Each test failed before the change it names."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts


def _tasks(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, np.column_stack([X[:, 0], X[:, 1] - X[:, 2]])


# ------------------------------------------------ 1. device=None means 'auto'
@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2,
                                      device=None, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("ridge10", Ridge(10.0))], max_iter=5, cv=2, device=None,
        random_state=0),
])
def test_multi_task_mixtures_take_device_none_as_auto(make):
    # Refused by _validate_params ("The 'device' parameter ... must be an
    # instance of 'str'"), where the single-task mixtures, TorchMLP* and
    # MLPGate read None as 'auto'.
    X, Y = _tasks()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (max_iter=2's ConvergenceWarning)
        model = make().fit(X, Y)
        auto = make().set_params(device="auto").fit(X, Y)
    assert model.device_ == auto.device_
    np.testing.assert_array_equal(model.predict(X), auto.predict(X))
