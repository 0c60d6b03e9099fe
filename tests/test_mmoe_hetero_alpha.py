"""The heterogeneous multi-gate mixture chooses its gates' L2 penalty.

With the former default (``alpha=1e-4``) the task gates overfit the experts'
out-of-fold predictions on real data: they turned one-hot on some rows and
routed them to a deep tree whose class "probabilities" are 0/1 indicators, so
a binary task's log-loss was 1.18 on birthwt where the single-task mixture
scores 0.59 (``benchmarks/results/multitask_realdata.md``). ``alpha='auto'``
(the default now) picks each task's penalty by cross-validating the gates.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.metrics import log_loss
from sklearn.multioutput import MultiOutputRegressor
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts
from skmoe._mmoe_hetero import ALPHA_GRID


class Slope(RegressorMixin, BaseEstimator):
    """Predicts ``slope * x0`` whatever it is fitted on."""

    def __init__(self, slope=1.0):
        self.slope = slope

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return self.slope * np.asarray(X)[:, 0]


SLOPES = [("up", Slope(3.0)), ("down", Slope(-3.0))]


def _uniform(seed, n, d=2):
    rng = np.random.RandomState(seed)
    return rng, rng.uniform(-1, 1, (n, d))


def test_auto_learns_two_regimes():
    # "up" is right where x1 < 0, "down" where x1 > 0: input-dependent gates
    # are needed, and the weakest penalty wins the cross-validation.
    rng, X = _uniform(0, 300)
    y = np.where(X[:, 1] < 0, 3.0, -3.0) * X[:, 0] + 0.1 * rng.standard_normal(300)
    model = HeterogeneousMultiGateMixtureOfExperts(SLOPES, random_state=0).fit(X, y)
    assert model.alpha_.shape == (1,) and model.alpha_[0] == min(ALPHA_GRID)
    weight_up = model.predict_gate(X)[:, 0, 0]
    assert weight_up[X[:, 1] < -0.2].mean() > 0.75
    assert weight_up[X[:, 1] > 0.2].mean() < 0.25
    constant = HeterogeneousMultiGateMixtureOfExperts(SLOPES, alpha=max(ALPHA_GRID),
                                                      random_state=0).fit(X, y)
    mse = ((model.predict(X) - y) ** 2).mean()
    assert mse < 0.5 * ((constant.predict(X) - y) ** 2).mean()


def test_auto_returns_to_a_constant_blend_without_input_dependence():
    # y = x0 + noise is one constant blend of the two experts everywhere:
    # the gates stay (all but) constant.
    rng, X = _uniform(0, 300)
    y = X[:, 0] + 0.3 * rng.standard_normal(300)
    model = HeterogeneousMultiGateMixtureOfExperts(SLOPES, random_state=0).fit(X, y)
    assert model.alpha_[0] > min(ALPHA_GRID)
    weight_up = model.predict_gate(X)[:, 0, 0]
    assert weight_up.std() < 0.05
    # The targets are standardised: y / sd(y) = 6 w - 3 times x0 for weight w.
    assert_allclose(weight_up.mean(), (1 / y.std() + 3) / 6, atol=0.03)


def test_auto_mends_the_overconfident_tree_on_a_noisy_binary_task():
    # Labels drawn with p = sigmoid(2 x0): a depth-8 tree's out-of-fold
    # indicators are 0/1, and gates trained with alpha=1e-4 trusted it on
    # some rows (test log-loss 0.88 for this seed against 0.63).
    rng, X = _uniform(0, 400, 3)
    y = (rng.uniform(size=400) < 1 / (1 + np.exp(-2 * X[:, 0]))).astype(int)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=8, random_state=0))]
    losses = {}
    for alpha in ("auto", 1e-4):
        model = HeterogeneousMultiGateMixtureOfExperts(experts, ["binary"], alpha=alpha,
                                                       random_state=0).fit(X[:200], y[:200])
        losses[alpha] = log_loss(y[200:], model.predict_proba(X[200:])[0])
    assert losses["auto"] < 0.7 < losses[1e-4]
    # The default is 'auto'.
    default = HeterogeneousMultiGateMixtureOfExperts(experts, ["binary"], random_state=0)
    assert_array_equal(default.fit(X[:200], y[:200]).predict_proba(X[200:])[0],
                       model.set_params(alpha="auto").fit(X[:200], y[:200])
                       .predict_proba(X[200:])[0])


def test_each_task_gets_its_own_penalty():
    # Task 0 has two regimes, task 1 none: one fit, two choices.
    rng, X = _uniform(1, 300)
    Y = np.column_stack([np.where(X[:, 1] < 0, 3.0, -3.0) * X[:, 0],
                         X[:, 0] + 0.3 * rng.standard_normal(300)])
    Y[:, 0] += 0.1 * rng.standard_normal(300)
    both = [(name, MultiOutputRegressor(expert)) for name, expert in SLOPES]
    model = HeterogeneousMultiGateMixtureOfExperts(both, random_state=0).fit(X, Y)
    assert model.alpha_[0] == min(ALPHA_GRID) and model.alpha_[1] > min(ALPHA_GRID)
    gate = model.predict_gate(X)
    assert gate[:, 1, 0].std() < 0.05 < gate[:, 0, 0].std()


def test_a_given_alpha_is_kept():
    rng, X = _uniform(0, 60)
    y = X[:, 0] + 0.1 * rng.standard_normal(60)
    model = HeterogeneousMultiGateMixtureOfExperts(SLOPES, alpha=0.5, random_state=0).fit(X, y)
    assert_array_equal(model.alpha_, [0.5])


def test_too_few_rows_to_hold_out_take_the_strongest_penalty():
    rng, X = _uniform(0, 5)
    y = X[:, 0]
    model = HeterogeneousMultiGateMixtureOfExperts(SLOPES, cv=None, random_state=0).fit(X, y)
    assert_array_equal(model.alpha_, [max(ALPHA_GRID)])
    assert np.all(np.isfinite(model.predict(X)))


def test_auto_is_deterministic_and_refuses_other_strings():
    rng, X = _uniform(2, 120)
    y = np.where(X[:, 1] < 0, 3.0, -3.0) * X[:, 0]
    fits = [HeterogeneousMultiGateMixtureOfExperts(SLOPES, random_state=3).fit(X, y)
            for _ in range(2)]
    assert_array_equal(fits[0].predict(X), fits[1].predict(X))
    with pytest.raises(ValueError, match="alpha"):
        HeterogeneousMultiGateMixtureOfExperts(SLOPES, alpha="cv").fit(X, y)
