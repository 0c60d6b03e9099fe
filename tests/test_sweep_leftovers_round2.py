"""Defects left over by the earlier sweeps, second round: learning rates and
weight decays that overflow float32 training, HME branchings, bool-like flags,
huge feature values, and the stacked gate's parameter count.

Each test fails without its fix.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts,
                   TorchMLPClassifier, TorchMLPRegressor)


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, X[:, 0] + 0.1 * rng.randn(n)


FIXED = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]


def _torch_pair():
    return [("a", TorchMLPRegressor((4,), max_epochs=3, random_state=0)),
            ("b", TorchMLPRegressor((4,), max_epochs=3, random_state=1))]


# ------------------------------------------------ 1. learning rates and decays
# learning_rate=1e38 passed the (0, inf) check and stopped inside torch's Adam:
# "RuntimeError: value cannot be converted to type float without overflow"
# (its first step is 10 x learning_rate, beyond float32). So did weight_decay
# or alpha=1e300.
@pytest.mark.parametrize("make, name, owner", [
    (lambda v: TorchMLPRegressor((4,), learning_rate=v, max_epochs=2),
     "learning_rate", "TorchMLPRegressor"),
    (lambda v: TorchMLPClassifier((4,), learning_rate=v, max_epochs=2),
     "learning_rate", "TorchMLPClassifier"),
    (lambda v: TorchMLPRegressor((4,), weight_decay=v, max_epochs=2),
     "weight_decay", "TorchMLPRegressor"),
    (lambda v: MultiGateMixtureOfExperts(n_experts=2, learning_rate=v, max_iter=2),
     "learning_rate", "MultiGateMixtureOfExperts"),
    (lambda v: MultiGateMixtureOfExperts(n_experts=2, alpha=v, max_iter=2),
     "alpha", "MultiGateMixtureOfExperts"),
    (lambda v: MixtureOfExpertsRegressor(_torch_pair(), training="gradient",
                                         learning_rate=v, max_epochs=2),
     "learning_rate", "MixtureOfExpertsRegressor"),
])
@pytest.mark.parametrize("value", [1e38, 1e300])
def test_learning_rate_or_decay_beyond_float32_is_named(make, name, owner, value):
    X, y = _regression()
    target = (y > 0).astype(int) if owner == "TorchMLPClassifier" else y
    if owner == "MultiGateMixtureOfExperts":
        target = np.c_[y, X[:, 1]]
    with pytest.raises(ValueError, match=f"'{name}' parameter of {owner} must be a float "
                                         r"in the range .*1e\+37\)"):
        make(value).fit(X, target)


@pytest.mark.parametrize("gate, message", [
    (MLPGate((4,), solver="adam", learning_rate=1e300), "gate learning_rate must be"),
    (MLPGate((4,), alpha=1e300), "gate alpha must be"),
    (MLPGate((4,), learning_rate=True), "gate learning_rate must be"),
])
@pytest.mark.parametrize("training", ["em", "gradient"])
def test_gate_rates_beyond_float32_are_named(gate, message, training):
    # EM: learning_rate=1e300 gave the adam gate NaN weights and the mixture
    # NaN predictions, silently. Gradient training with torch experts:
    # alpha=1e300 stopped inside torch's Adam (an overflow RuntimeError).
    X, y = _regression()
    experts = FIXED if training == "em" else _torch_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # gate options the gradient trainer ignores
        with pytest.raises(ValueError, match=message + r".*below 1e\+37"):
            MixtureOfExpertsRegressor(experts, gate=gate, training=training, max_iter=2,
                                      max_epochs=2, random_state=0).fit(X, y)


@pytest.mark.parametrize("make, who", [
    (lambda: MultiGateMixtureOfExperts(n_experts=2, learning_rate=1e30, max_iter=3,
                                       random_state=0), "MultiGateMixtureOfExperts"),
    (lambda: MixtureOfExpertsRegressor(_torch_pair(), training="gradient",
                                       learning_rate=1e30, max_epochs=3, random_state=0),
     "The mixture's gradient training"),
    (lambda: MixtureOfExpertsRegressor(FIXED, training="gradient", learning_rate=1e30,
                                       max_epochs=3, random_state=0), "The stacked gate"),
])
def test_a_diverging_network_names_itself_and_its_learning_rate(make, who):
    # The MMoE said "The training loss became NaN or infinite; lower
    # learning_rate", the mixtures "... lower learning_rate.": neither named
    # what diverged nor the value; now one message, the torch MLP expert's.
    X, y = _regression()
    target = np.c_[y, X[:, 1]] if who == "MultiGateMixtureOfExperts" else y
    with pytest.raises(ValueError, match=rf"^{who} diverged: .*; lower learning_rate "
                                         r"\(now 1e\+30\)"):
        make().fit(X, target)
