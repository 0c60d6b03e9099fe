"""Round 6 of the sweep for wrong numbers: sample weights that a step of the
fit ignored. Each ``test_`` below fails without its fix, except those named
``test_guard_...``, which pin a property found right, against an independent
computation."""

import warnings

import numpy as np
from numpy.testing import assert_allclose
from scipy.special import logsumexp
from scipy.stats import norm
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsRegressor, MLPGate
from skmoe._em import _region_score
from skmoe._problem import EMProblem

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _quiet_fit(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the tiny fits
        return model.fit(X, y, sample_weight=sample_weight)


def test_an_expert_routed_no_row_gets_the_pooled_variance_of_the_weighted_rows():
    # Top-1 exact EM routes every row to the line; the constant expert keeps
    # the pooled variance (the mean squared residual over the experts), which
    # took every row once whatever its weight: 52.59 against the 45.44 of
    # the rows duplicated by their weights, and of the weighted mean by hand.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    y = 2 * X[:, 0] + rng.normal(size=30)
    w = np.where(np.arange(30) < 10, 5, 1)
    experts = [("line", LinearRegression()),
               ("far", DummyRegressor(strategy="constant", constant=10.0))]

    def mixture():
        return MixtureOfExpertsRegressor(experts, training="em", cv=None, top_k=1,
                                         init_params="matched", gate=FAST_GATE, max_iter=3,
                                         random_state=0)

    weighted = _quiet_fit(mixture(), X, y, w.astype(float))
    assert_allclose(weighted.expert_usage(X), [1.0, 0.0])   # 'far' has no row
    line = LinearRegression().fit(X, y, sample_weight=w).predict(X)
    by_hand = np.average(((y - line) ** 2 + (y - 10.0) ** 2) / 2, weights=w)
    assert_allclose(weighted.noise_variance_[1], by_hand, rtol=1e-6)
    duplicated = _quiet_fit(mixture(), np.repeat(X, w, axis=0), np.repeat(y, w))
    assert_allclose(weighted.noise_variance_, duplicated.noise_variance_, rtol=1e-6)


def _two_regions():
    # A steep line on 6 rows of weight 20, a gentle one on 30 rows of weight 1.
    rng = np.random.RandomState(0)
    x0, x1 = np.linspace(0, 1, 6), np.linspace(3, 4, 30)
    X = np.r_[x0, x1][:, None]
    y = np.r_[10 + 8 * x0 + 0.3 * rng.normal(size=6), -10 + 2 * x1 + 0.3 * rng.normal(size=30)]
    return X, y, np.r_[np.full(6, 20), np.full(30, 1)]


def test_the_matched_start_weighs_each_region_by_the_weight_of_its_rows():
    # init_params='matched' (the default of exact EM on a heterogeneous pool)
    # gives each k-means region the expert that models it best, each region
    # counted by its size. By its number of rows the line (whose gain is
    # largest on the steep region) went to the 30 light rows, where the
    # duplicated rows (120 against 30) give it the steep region; after EM the
    # weighted fit stayed in the other optimum (log-likelihood -2.03 per row
    # against the duplicates' -0.45, predictions 3.6 apart).
    X, y, w = _two_regions()
    experts = [("line", LinearRegression()), ("flat", DummyRegressor())]

    def mixture():
        return MixtureOfExpertsRegressor(experts, training="em", cv=None,
                                         init_params="matched", gate=FAST_GATE, max_iter=1,
                                         random_state=0)

    weighted = _quiet_fit(mixture(), X, y, w.astype(float))
    duplicated = _quiet_fit(mixture(), np.repeat(X, w, axis=0), np.repeat(y, w))
    gate = weighted.predict_gate(X)
    assert gate[0, 0] > 0.9 and gate[-1, 1] > 0.9      # the line on the steep rows
    assert_allclose(gate, duplicated.predict_gate(X), atol=0.01)


def test_a_region_is_scored_by_the_weighted_mean_of_its_rows():
    # The matched start scores an expert on a region by its mean honest
    # log-likelihood there: the mean was over rows, a row of weight 20
    # counting as one, although the expert was fitted with the weights.
    X, y, w = _two_regions()
    w = np.where(np.arange(len(y)) % 2, 1.0, 9.0)
    problem = EMProblem(["line"], [LinearRegression()], X, y, w / w.mean())
    rows = np.arange(len(y))
    fitted = LinearRegression().fit(X, y, sample_weight=w).predict(X)
    mse = np.average(((y - fitted) / problem.y_scale) ** 2, weights=w)
    assert_allclose(_region_score(problem, 0, rows, None, 0), -0.5 * np.log(mse), rtol=1e-9)


def test_guard_ensembles_with_integer_weights_are_their_duplicated_rows():
    # Averaging (uniform or user weights) fits every expert on all rows: with
    # deterministic experts, integer weights are the rows repeated, and
    # weights times a constant the same fit (to rounding).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=40)
    labels = np.array(["b", "a", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 1)]
    w = rng.randint(1, 4, size=40)
    Xd = np.repeat(X, w, axis=0)
    regressors = [("line", LinearRegression()),
                  ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    for weights in (None, [1, 3]):
        fitted = EnsembleRegressor(regressors, weights=weights).fit(X, y, sample_weight=w)
        again = EnsembleRegressor(regressors, weights=weights).fit(Xd, np.repeat(y, w))
        scaled = EnsembleRegressor(regressors, weights=weights).fit(X, y, sample_weight=7.0 * w)
        assert_allclose(fitted.predict(X), again.predict(X), rtol=1e-12, atol=1e-12)
        assert_allclose(fitted.predict(X), scaled.predict(X), rtol=1e-12, atol=1e-12)
    classifiers = [("logit", LogisticRegression()),
                   ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    fitted = EnsembleClassifier(classifiers).fit(X, labels, sample_weight=w)
    again = EnsembleClassifier(classifiers).fit(Xd, np.repeat(labels, w))
    assert_allclose(fitted.predict_proba(X), again.predict_proba(X), atol=1e-9)


def test_guard_stacked_regressor_density_is_the_mixture_moved_to_predict():
    # The stacked regressor (default training) with linear heads: its density
    # is the gate's mixture of the experts, each moved by predict's mean minus
    # the mixture's, with noise_variance_; log_likelihood_samples and
    # predict(return_std=True) computed by hand from the public outputs.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] + 3 * np.abs(X[:, 1]) + 0.1 * rng.normal(size=60)
    experts = [("line", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    moe = _quiet_fit(MixtureOfExpertsRegressor(experts, gate=FAST_GATE, max_epochs=5,
                                               random_state=0), X, y)
    assert moe.combiner_ is not None               # heads blended in: the moved density
    gate, each, variances = moe.predict_gate(X), moe.predict_experts(X), moe.noise_variance_
    mean, std = moe.predict(X, return_std=True)
    mixture = (gate * each).sum(axis=1)
    moved = each + (mean - mixture)[:, None]
    assert_allclose(std, np.sqrt((gate * (variances + (each - mixture[:, None]) ** 2)).sum(1)),
                    rtol=1e-12)
    by_hand = logsumexp(np.log(gate) + norm.logpdf(y[:, None], moved, np.sqrt(variances)),
                        axis=1)
    assert_allclose(moe.log_likelihood_samples(X, y), by_hand, rtol=1e-10)
