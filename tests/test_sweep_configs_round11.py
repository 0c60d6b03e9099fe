"""Defects found by the configuration sweep, round 11
(benchmarks/bench_sweep_configs_unseen_round11.py)."""
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge

from skmoe import MixtureOfExpertsRegressor, TorchMLPRegressor


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, np.sin(X[:, 0]) + X[:, 1]


def test_a_torch_experts_own_training_settings_unread_by_joint_training_warn():
    # A user's TorchMLPRegressor(max_epochs=1, device='cpu') in a mixture
    # trained with the gate: its network is trained by the mixture's loop, so
    # its own epochs and device went unread without a word (the predictions
    # are those of the default settings), as the gate's did before it warned.
    X, y = _data()
    set_ = MixtureOfExpertsRegressor(
        [("lin", Ridge()), ("mlp", TorchMLPRegressor((4,), max_epochs=1, device="cpu",
                                                     random_state=0))],
        max_epochs=2, random_state=0)
    with pytest.warns(UserWarning, match=r"Expert 'mlp' \(TorchMLPRegressor\) "
                      r"parameter\(s\) max_epochs=1, device='cpu' have no effect with "
                      r"training='auto' \(here 'gradient'\)"
                      r".*set those on the mixture"):
        set_.fit(X, y)
    default = MixtureOfExpertsRegressor(
        [("lin", Ridge()), ("mlp", TorchMLPRegressor((4,), random_state=0))],
        max_epochs=2, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        default.fit(X, y)
    assert not [w for w in caught if "have no effect" in str(w.message)]   # nothing set
    assert_allclose(set_.predict(X), default.predict(X), rtol=0, atol=0)
    # EM fits the expert with its own settings: no warning there
    em = MixtureOfExpertsRegressor(
        [("lin", Ridge()), ("mlp", TorchMLPRegressor((4,), max_epochs=1, device="cpu",
                                                     random_state=0))],
        training="em", max_iter=1, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        em.fit(X, y)
    assert not [w for w in caught if "have no effect" in str(w.message)]
