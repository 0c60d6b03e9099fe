"""Defects found by the configuration sweep, round 18 (combinations of
settings: a parameter that another setting makes unread, values at the edge
of their range, and ``set_params`` followed by ``fit``). Each setting must do
what its docstring says, or warn at fit that it has no effect."""
import warnings

import numpy as np
import pytest
import torch

from skmoe import MultiGateMixtureOfExperts


def _tasks(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, np.column_stack([X[:, 0] + X[:, 1], X[:, 1] * X[:, 2]])


def _linear_module():
    return torch.nn.Linear(3, 4)


def _tower_module():
    return torch.nn.LazyLinear(2)   # reads 16 built-in expert units, or 4


# (settings, the parameter away from its default that nothing reads)
_UNBUILT = [
    (dict(architecture="shared_bottom"), dict(gate_hidden_layer_sizes=(8,))),
    (dict(expert_module=_linear_module), dict(expert_units=4)),
    (dict(expert_module=_linear_module), dict(expert_hidden_layer_sizes=(8,))),
    (dict(architecture="shared_bottom", bottom_module=_linear_module), dict(n_experts=2)),
    (dict(architecture="shared_bottom", bottom_module=_linear_module),
     dict(expert_units=4)),
    (dict(tower_module=_tower_module), dict(tower_hidden_layer_sizes=(3,))),
    # Dropout follows hidden layers only: none in () experts and () towers.
    (dict(tower_hidden_layer_sizes=()), dict(dropout=0.5)),
    (dict(tower_module=_tower_module), dict(dropout=0.5)),
    (dict(expert_module=_linear_module, tower_module=_tower_module),
     dict(activation="tanh")),
]


@pytest.mark.parametrize("settings, unread", _UNBUILT)
def test_mmoe_warns_of_settings_of_parts_it_does_not_build(settings, unread):
    # Each of these changed nothing and said nothing: a user module replaces
    # the built-in part whose sizes were set, and 'shared_bottom' has no gate.
    X, Y = _tasks()
    base = dict(max_iter=3, device="cpu", random_state=0, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = MultiGateMixtureOfExperts(**base).fit(X, Y).predict(X)
    (name, value), = unread.items()
    with pytest.warns(UserWarning, match=rf"^{name}=.* has no effect"):
        model = MultiGateMixtureOfExperts(**base, **unread).fit(X, Y)
    # The warning is true: the predictions are those of the default.
    np.testing.assert_array_equal(model.predict(X), reference)


@pytest.mark.parametrize("settings, read", [
    (dict(architecture="shared_bottom"), dict(n_experts=2)),       # widens the network
    (dict(architecture="omoe"), dict(gate_hidden_layer_sizes=(8,))),
    (dict(expert_module=_linear_module), dict(dropout=0.5)),        # the towers' (8,)
    (dict(expert_module=_linear_module), dict(activation="tanh")),  # the towers' (8,)
    (dict(tower_hidden_layer_sizes=()), dict(activation="tanh")),   # the experts' outputs
])
def test_mmoe_does_not_warn_of_settings_that_act(settings, read):
    X, Y = _tasks()
    base = dict(max_iter=3, device="cpu", random_state=0, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = MultiGateMixtureOfExperts(**base).fit(X, Y).predict(X)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*has no effect", category=UserWarning)
        warnings.filterwarnings("ignore", category=Warning)
        changed = MultiGateMixtureOfExperts(**base, **read).fit(X, Y).predict(X)
    assert np.abs(changed - reference).max() > 0
