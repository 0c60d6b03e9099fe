"""Numbers the library reports, checked against independent computations (round 3)."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skmoe import MixtureOfExpertsClassifier, aic, bic
from skmoe.experts import TorchMLPClassifier
from skmoe.gates import MLPGate
from skmoe._selection import n_free_parameters


def test_torch_classifier_expert_counts_one_output_row_fewer():
    # A torch classifier's C logits go through a softmax: adding one vector to
    # every row of its output layer changes no probability, so one row is not
    # free, as bic already counts a multinomial LogisticRegression and the
    # gates. Every row was counted: 4 -> 5 -> 3 gave 43 (free: 37).
    X, y = make_classification(150, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=3, random_state=0)
    mlp = TorchMLPClassifier((5,), max_epochs=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsClassifier(
            [("mlp", mlp), ("lr", LogisticRegression())], training="em", cv=None,
            gate=MLPGate(hidden_layer_sizes=()), max_iter=2, random_state=0).fit(X, y)
    fitted = moe.named_experts_["mlp"]
    p0 = fitted.predict_proba(X[:20])
    last = fitted.module_[-1]
    with torch.no_grad():        # the redundancy: a shift of every row is invisible
        last.weight += torch.linspace(-1, 1, last.in_features, device=last.weight.device)
        last.bias += 2.0
    np.testing.assert_allclose(fitted.predict_proba(X[:20]), p0, atol=1e-5)
    # mlp: 4 x 5 + 5, then (3 - 1) x (5 + 1); lr: (3 - 1) x (4 + 1);
    # linear gate 4 -> 2: 1 x (4 + 1); no noise scales for a classifier.
    expected = (25 + 12) + 10 + 5
    assert n_free_parameters(moe) == expected
    total = moe.log_likelihood_samples(X, y).sum()
    assert bic(moe, X, y) == pytest.approx(-2 * total + expected * np.log(150), rel=1e-12)
    assert aic(moe, X, y) == pytest.approx(-2 * total + 2 * expected, rel=1e-12)


@pytest.mark.parametrize("params", [{"cv": None}, {}])
def test_rows_of_zero_weight_give_the_fit_without_them(params):
    # "Rows of weight zero are left out (the fit is the one without them)".
    # The kept weights of a 0/1 mask were rescaled by their mean only, after
    # the weights had been divided by the mean of all rows (0.75 here): they
    # came out 1 - 1e-16 instead of 1, and EM's fit (cv=None) moved the
    # predictions by 2.5e-4 (cross-fitted EM: 9e-10) from the fit on the kept
    # rows alone.
    from sklearn.linear_model import LinearRegression, Ridge
    from skmoe import MixtureOfExpertsRegressor
    from skmoe.datasets import make_regimes
    X, y = make_regimes(n_samples=200, random_state=0)
    weight = np.ones(200)
    weight[:50] = 0

    def fit(*args, **kwargs):
        return MixtureOfExpertsRegressor(
            [("line", LinearRegression()), ("ridge", Ridge(alpha=10))], training="em",
            max_iter=10, random_state=0, **params).fit(*args, **kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        masked, alone = fit(X, y, sample_weight=weight), fit(X[50:], y[50:])
    np.testing.assert_allclose(masked.predict(X), alone.predict(X), rtol=1e-13, atol=0)
    assert masked.log_likelihood_ == pytest.approx(alone.log_likelihood_, rel=1e-13)


def test_stacked_gate_networks_count_one_output_row_fewer_each():
    # The default (stacked) gate averages the logits of a BatchedMLP's
    # networks: the same number added to every logit of one network moves the
    # average by a constant, which the softmax ignores, so each network has
    # one output row (n_in + 1 parameters) that is not free. Its layers are
    # not torch.nn.Linear, and they were counted in full: 5 x 33 parameters
    # too many for five gates of 32 hidden units.
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor
    from skmoe import MixtureOfExpertsRegressor
    from skmoe._blend import ConstantLogits
    from skmoe._nn import BatchedMLP
    from skmoe._selection import _gate_parameters
    from skmoe.datasets import make_regimes
    X, y = make_regimes(n_samples=400, random_state=0)
    moe = MixtureOfExpertsRegressor(
        [("line", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))],
        random_state=0).fit(X, y)
    gate = moe.gate_
    [net] = [m for m in gate.module_.modules() if isinstance(m, BatchedMLP)]
    last = net.layers[-1]
    networks, n_in, n_out = last.weight.shape
    assert (networks, n_in, n_out) == (5, 32, 2)
    g0 = moe.predict_gate(X[:30])
    with torch.no_grad():        # the redundancy: one network's logits all shifted
        last.weight[1] += torch.linspace(-1, 1, n_in, device=last.weight.device)[:, None]
        last.bias[1] += 3.0
    np.testing.assert_allclose(moe.predict_gate(X[:30]), g0, atol=1e-6)
    constant = sum(m.logits.numel() - 1 for m in gate.module_.modules()
                   if isinstance(m, ConstantLogits))
    total = sum(p.numel() for p in gate.module_.parameters())
    assert _gate_parameters(gate) == total - networks * (n_in + 1) + constant
