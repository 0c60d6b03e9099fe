"""Per-expert likelihoods and mixture moments (skmoe._likelihood)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import log_loss

from skmoe import MixtureOfExpertsRegressor
from skmoe._likelihood import (fitted_noise_variances, gaussian_log_likelihood,
                               gaussian_mixture_moments, log_proba_at_labels,
                               mix_probabilities, noise_variances)


def test_mixture_std_is_exact_with_a_large_target_offset():
    # E[y^2] - mean^2 loses every digit at y ~ 1e8; the centred form does not.
    rng = np.random.RandomState(0)
    gate = rng.dirichlet(np.ones(3), size=50)
    predictions = rng.normal(size=(50, 3))
    variances = np.array([0.5, 1.0, 2.0])
    mean, std = gaussian_mixture_moments(gate, predictions, variances)
    shifted_mean, shifted_std = gaussian_mixture_moments(gate, predictions + 1e8, variances)
    assert_allclose(shifted_mean - 1e8, mean, atol=1e-6)
    assert_allclose(shifted_std, std, rtol=1e-6)
    # Hand-computed: two experts at -1 and +1, equal weights, unit noise.
    _, std = gaussian_mixture_moments(np.array([[0.5, 0.5]]), np.array([[-1.0, 1.0]]),
                                      np.ones(2))
    assert_allclose(std, [np.sqrt(2.0)])


def test_mixed_probabilities_stay_in_the_unit_interval():
    # Gate weights one rounding step above a sum of one and one-hot experts
    # (pure tree leaves): the plain einsum exceeds one.
    weights = np.array([[0.5, 0.5000000000000002], [0.1, 0.9]])
    probas = np.array([[[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [0.5, 0.5]]])
    assert np.einsum("ne,nec->nc", weights, probas).max() > 1.0
    proba = mix_probabilities(weights, probas)
    assert proba.min() >= 0.0 and proba.max() <= 1.0
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert_allclose(proba[1], [0.45, 0.55])
    log_loss(np.array([0, 1]), proba)  # raised on values above one


def test_mixture_log_proba_is_the_log_of_the_mixed_probability():
    # Expert A rules the label out, expert B gives it 1e-5: the mixture gives
    # 1e-7. Flooring each expert at 1e-6 first made it 1.09e-6.
    weights = np.array([[0.99, 0.01], [0.5, 0.5]])
    probas = np.array([[[0.0, 1.0], [1e-5, 1 - 1e-5]], [[0.0, 1.0], [0.0, 1.0]]])
    y = np.array([0, 0])
    log_proba = log_proba_at_labels(mix_probabilities(weights, probas), y)
    assert_allclose(np.exp(log_proba[0]), 1e-7, rtol=1e-12)
    assert_allclose(np.exp(log_proba[0]), mix_probabilities(weights, probas)[0, 0])
    # A label every expert rules out: finite, far below any real probability.
    assert np.isfinite(log_proba[1]) and log_proba[1] < -600


def _two_component_data(n, rng):
    """y is x or x + 4, each half the time, whatever x: a mixture the gate
    cannot resolve, with noise sd 0.5 and 1.5 around the two means."""
    x = rng.normal(size=n)
    upper = rng.rand(n) < 0.5
    y = np.where(upper, x + 4 + 1.5 * rng.normal(size=n), x + 0.5 * rng.normal(size=n))
    return x, y


def test_fitted_noise_variances_recover_the_components_and_never_lose_likelihood():
    rng = np.random.RandomState(0)
    x, y = _two_component_data(20000, rng)
    predictions = np.column_stack([x, x + 4])
    log_gate = np.log(np.full((len(y), 2), 0.5))
    w = np.ones(len(y))
    variances, _ = fitted_noise_variances(y, predictions, log_gate, w, 1e-12)
    assert_allclose(variances, [0.25, 2.25], rtol=0.05)
    # The gate-weighted residuals (the start) count the other component as noise.
    start = noise_variances(y, predictions, np.exp(log_gate), 1e-12)
    assert np.all(start > 2.5 * variances)

    def log_likelihood(v):
        return logsumexp(log_gate + gaussian_log_likelihood(y, predictions, v), axis=1).mean()

    assert log_likelihood(variances) > log_likelihood(start)
    # A maximum: no scale moved by 5 % either way does better.
    for i in range(2):
        for factor in (0.95, 1.05):
            moved = variances.copy()
            moved[i] *= factor
            assert log_likelihood(moved) < log_likelihood(variances)


class _ShiftedIdentity(RegressorMixin, BaseEstimator):
    """Predicts its one feature plus ``shift`` (fit learns nothing)."""

    def __init__(self, shift=0.0):
        self.shift = shift

    def fit(self, X, y):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0] + self.shift


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("params", [{}, {"top_k": 2}], ids=["stacked", "joint-nll"])
def test_regressor_predictive_std_is_calibrated_when_experts_disagree(params):
    # Two experts, each the mean of one component. The predictive variance
    # is sum_i g_i (sigma_i^2 + (f_i - mean)^2). Stacked gate: with each
    # sigma_i^2 the gate-weighted squared residual the disagreement counted
    # twice (std 3.63 instead of 2.29 here, a held-out log-likelihood 0.5
    # lower). Joint training on the likelihood: its minibatch steps left the
    # scales at 6.1 and 6.5 (std 3.20, log-likelihood 0.42 lower).
    rng = np.random.RandomState(0)
    x, y = _two_component_data(1500, rng)
    X = x[:, None]
    moe = MixtureOfExpertsRegressor([("lower", _ShiftedIdentity(0.0)),
                                     ("upper", _ShiftedIdentity(4.0))],
                                    random_state=0, **params).fit(X[:1000], y[:1000])
    _, std = moe.predict(X[1000:], return_std=True)
    true_std = np.sqrt(0.5 * 0.25 + 0.5 * 2.25 + 4.0)   # the components' spread, 2.29
    assert_allclose(np.median(std), true_std, rtol=0.05)
    test_x, test_y = x[1000:], y[1000:]
    true_log_density = logsumexp(
        np.log(0.5) + gaussian_log_likelihood(test_y, np.column_stack([test_x, test_x + 4]),
                                              np.array([0.25, 2.25])), axis=1)
    assert_allclose(moe.log_likelihood_samples(X[1000:], test_y).mean(),
                    true_log_density.mean(), atol=0.03)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("loss", ["squared_error", "nll"])
def test_joint_training_reports_the_likelihood_of_its_final_density(loss):
    # log_likelihood_ was computed before the noise scales were fitted (with
    # loss='squared_error', from scales the loss never trained). Experts that
    # learn nothing predict the same on the training rows in and out of fold.
    rng = np.random.RandomState(0)
    x, y = _two_component_data(600, rng)
    X = x[:, None]
    moe = MixtureOfExpertsRegressor([("lower", _ShiftedIdentity(0.0)),
                                     ("upper", _ShiftedIdentity(4.0))], top_k=2,
                                    loss=loss, random_state=0).fit(X, y)
    assert_allclose(moe.log_likelihood_, moe.log_likelihood_samples(X, y).mean(), rtol=1e-6)
