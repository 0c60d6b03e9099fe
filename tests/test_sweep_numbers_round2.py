"""Numbers the library reports, checked against independent computations (round 2)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, bic
from skmoe._candidates import LinearHead, PriorHead
from skmoe._selection import n_free_parameters


def _regimes():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (150, 3))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 2]) + 0.3 * rng.randn(150) + 5
    return X, y


def test_stacked_gate_density_is_scale_equivariant_in_y():
    # The stacked gate fitted its noise scales in y's units, with a stopping
    # rule relative to the log-likelihood (which moves by -log 1000 when y is
    # multiplied by 1,000): the EM stopped at another step. The predictions
    # were rescaled exactly, but the predictive sd was off by 0.14 % (8.7e-4
    # on 0.61) and log_likelihood_samples by 0.044 per row.
    X, y = _regimes()
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("knn", KNeighborsRegressor(5))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = MixtureOfExpertsRegressor(experts, random_state=0, max_epochs=30).fit(
            X[:120], y[:120])
        large = MixtureOfExpertsRegressor(experts, random_state=0, max_epochs=30).fit(
            X[:120], 1000 * y[:120])
    assert small.combiner_ is not None
    mean, std = small.predict(X[120:], return_std=True)
    mean_large, std_large = large.predict(X[120:], return_std=True)
    assert_allclose(mean_large / 1000, mean, rtol=1e-8)
    assert_allclose(std_large / 1000, std, rtol=1e-6)
    assert_allclose(large.noise_variance_ / 1000 ** 2, small.noise_variance_, rtol=1e-6)
    assert_allclose(large.log_likelihood_samples(X[120:], 1000 * y[120:]) + np.log(1000),
                    small.log_likelihood_samples(X[120:], y[120:]), rtol=0, atol=1e-5)
    assert large.log_likelihood_ + np.log(1000) == pytest.approx(small.log_likelihood_,
                                                                 abs=1e-6)


def test_multinomial_head_counts_one_row_fewer_like_a_logistic_expert():
    # A multinomial LinearHead counted C (p + 1) parameters; a softmax has
    # (C - 1)(p + 1) free ones, as bic counts a multinomial LogisticRegression
    # expert. Three classes, two experts: the plain head's inputs are 2 x 3
    # log-probabilities, so 2 x 7 = 14 (21 before); the feature-weighted one's
    # 24 products, 2 x 25 = 50 (75 before).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 3))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1] + 0.8 * rng.randn(150), [-0.7, 0.5])
    experts = [("lr", LogisticRegression()), ("lr2", LogisticRegression(C=0.05))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsClassifier(experts, random_state=0, max_epochs=20).fit(X, y)
    # (Three classes: StackingClassifier's head on the probabilities is a
    # candidate too, as many inputs as the plain head: 2 x 7 = 14.)
    heads = {("feature_weighted" if h.feature_weighted else
              "linear" if h.log_inputs else "linear_proba"): h
             for _, h in moe.combiner_.heads if isinstance(h, LinearHead)}
    assert heads["linear"].model_.coef_.shape == (3, 6)
    assert heads["linear"].n_parameters == 2 * 7
    assert heads["feature_weighted"].model_.coef_.shape == (3, 24)
    assert heads["feature_weighted"].n_parameters == 2 * 25
    assert heads["linear_proba"].model_.coef_.shape == (3, 6)
    assert heads["linear_proba"].n_parameters == 2 * 7
    (prior,) = [h for _, h in moe.combiner_.heads if isinstance(h, PriorHead)]
    assert prior.n_parameters == 2
    # The whole count, by hand: two experts of (3 - 1)(3 + 1) = 8, the gate's
    # networks, the heads (the best expert adds none), the candidates' weights.
    from skmoe._selection import _gate_parameters
    expected = (2 * 8 + _gate_parameters(moe.gate_) + 14 + 50 + 14 + 2
                + len(moe.candidate_weights_) - 1)
    assert n_free_parameters(moe) == expected
    total = moe.log_likelihood_samples(X, y).sum()
    assert bic(moe, X, y) == pytest.approx(-2 * total + expected * np.log(150), rel=1e-12)
