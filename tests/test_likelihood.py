"""Per-expert likelihoods and mixture moments (skmoe._likelihood)."""

import numpy as np
from numpy.testing import assert_allclose
from sklearn.metrics import log_loss

from skmoe._likelihood import gaussian_mixture_moments, log_proba_at_labels, mix_probabilities


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
