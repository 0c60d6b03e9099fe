"""EM trainer (skmoe._em): noisy gating, scale equivariance, collapse, monotonicity."""

import warnings

import numpy as np
import pytest
from lightgbm import LGBMRegressor
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_breast_cancer
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, MLPGate
import skmoe._em as em_module
from skmoe._problem import EMProblem
from skmoe.datasets import make_regimes


def em(experts, **params):
    params = {"random_state": 0, **params}
    return MixtureOfExpertsRegressor(experts, training="em", **params)


@pytest.fixture(scope="module")
def small_regimes():
    return make_regimes(n_samples=300, random_state=0)


def three_experts():
    return [("a", LinearRegression()),
            ("b", DecisionTreeRegressor(max_depth=3, random_state=0)),
            ("c", LinearRegression())]


def fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


# -------------------------------------------------------------- noisy gating
def test_noisy_gating_survives_the_first_gate_fit_and_is_trained(small_regimes):
    X, y = small_regimes
    params = dict(top_k=1, balance_coef=0.1, max_iter=3)
    clean = fit_quietly(em(three_experts(), **params), X, y)
    noisy = fit_quietly(em(three_experts(), noisy_gating=True, **params), X, y)
    assert clean.gate_.noise_module_ is None
    assert noisy.gate_.noise_module_ is not None
    # Trained through the load-balance penalty: it left its zero start.
    assert noisy.gate_.noise_module_.weight.abs().sum().item() > 0
    assert not np.allclose(noisy.predict(X), clean.predict(X))


# ------------------------------------------------------ scale and precision
def tree_and_line():
    return [("line", LinearRegression()),
            ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))]


@pytest.mark.parametrize("cv", [2, None])
@pytest.mark.parametrize("a, b", [(1e6, 0.0), (1e-6, 0.0), (1.0, 1e6), (-3.0, 7.0)])
def test_em_is_scale_equivariant_in_y(small_regimes, cv, a, b):
    X, y = small_regimes
    # Shifting y by 1e6 changes the experts' own fits by ~1e-10 (rounding),
    # which a non-convex MLP gate may amplify; the convex linear gate may not.
    gate = MLPGate(hidden_layer_sizes=()) if b else None
    base = fit_quietly(em(tree_and_line(), cv=cv, gate=gate), X, y)
    moved = fit_quietly(em(tree_and_line(), cv=cv, gate=gate), X, a * y + b)
    error = np.abs((moved.predict(X) - b) / a - base.predict(X)).max() / y.std()
    assert error <= 1e-6
    assert moved.noise_variance_ == pytest.approx(a ** 2 * base.noise_variance_, rel=1e-6)
    assert moved.log_likelihood_ == pytest.approx(base.log_likelihood_ - np.log(abs(a)),
                                                  abs=1e-6)


@pytest.mark.parametrize("cv", [2, None])
def test_em_scaled_by_a_power_of_two_is_the_same_fit(small_regimes, cv):
    # Scaling y by 2**k is exact in floating point: every standardised
    # quantity is bitwise the same, so the whole fit must be too (the test
    # above allows for rounding, which a non-convex gate may amplify).
    X, y = small_regimes
    base = fit_quietly(em(tree_and_line(), cv=cv), X, y)
    moved = fit_quietly(em(tree_and_line(), cv=cv), X, 1024.0 * y)
    np.testing.assert_array_equal(moved.predict(X), 1024.0 * base.predict(X))
    assert moved.log_likelihood_ == pytest.approx(base.log_likelihood_ - np.log(1024.0),
                                                  abs=1e-12)


def test_float32_and_float64_inputs_agree(small_regimes):
    # X's float32 rounding is a real (1e-7) change of the data, which a
    # non-convex MLP gate may amplify; with the convex linear gate, fitted in
    # float64 by EM, the two mixtures must agree.
    X, y = small_regimes
    gate = MLPGate(hidden_layer_sizes=())
    double = fit_quietly(em(tree_and_line(), gate=gate), X, y)
    single = fit_quietly(em(tree_and_line(), gate=gate), X.astype(np.float32), y)
    assert np.abs(single.predict(X) - double.predict(X)).max() <= 1e-5
    Xc, yc = load_breast_cancer(return_X_y=True)
    # Closed-form experts: an iterative solver's stopping point moves with X.
    experts = [("bayes", GaussianNB()),
               ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
    clf = [fit_quietly(MixtureOfExpertsClassifier(experts, gate=gate, training="em", cv=None,
                                                  random_state=0), Z, yc)
           for Z in (Xc, Xc.astype(np.float32))]
    # The experts get X as given (no cast): GaussianNB computes its variances
    # in float32 for float32 X, so the two agree to float32 precision.
    assert np.abs(clf[0].predict_proba(Xc) - clf[1].predict_proba(Xc)).max() <= 1e-4


# ---------------------------------------------------------------- collapse
def small_pool():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4)),
            ("gbm", LGBMRegressor(n_estimators=30, verbose=-1, n_jobs=1))]


def test_an_expert_whose_share_collapses_is_still_fitted():
    X = np.array([[1.764], [0.4], [0.979], [2.241], [1.868]])
    y = np.array([3.235, 1.085, 1.912, 4.451, 3.858])
    model = fit_quietly(em(small_pool()), X, y)
    assert np.all(np.isfinite(model.predict(X)))


@pytest.mark.parametrize("seed", range(6))
def test_small_random_regressions_fit(seed):
    rng = np.random.RandomState(seed)
    n = rng.randint(5, 30)
    X = rng.normal(size=(n, rng.randint(1, 4)))
    y = X @ rng.normal(size=X.shape[1]) + rng.normal(size=n) * rng.uniform()
    model = fit_quietly(em(small_pool(), random_state=seed), X, y)
    assert np.all(np.isfinite(model.predict(X)))


# ---------------------------------------------------------- monotonicity
@pytest.mark.parametrize("init_params", ["random", "uniform"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_em_with_the_default_gate_never_lowers_the_likelihood(seed, init_params):
    # 'uniform' starts at the best constant blend (best_constant_blend).
    X, y = make_regimes(n_samples=500, noise=1.0, random_state=seed)
    experts = [("line", LinearRegression()),
               ("quadratic", make_pipeline(PolynomialFeatures(2), LinearRegression()))]
    model = em(experts, cv=None, init_params=init_params, max_iter=15, tol=0,
               random_state=seed)
    log_likelihood = np.array([h["log_likelihood"]
                               for h in fit_quietly(model, X, y).history_])
    assert np.all(np.diff(log_likelihood) >= -1e-9), np.diff(log_likelihood).min()


# ------------------------------------------------- stopping and best iteration
def test_cross_fitted_em_keeps_its_best_iteration_and_stops(small_regimes):
    X, y = small_regimes
    model = fit_quietly(em(tree_and_line(), max_iter=30, tol=0.0), X, y)
    log_likelihood = [h["log_likelihood"] for h in model.history_]
    assert model.converged_ and model.n_iter_ < 30
    assert model.log_likelihood_ == max(log_likelihood)
    # Stopped PATIENCE iterations after its last significant gain; the best
    # iteration is that one or a later one whose gain was within the noise.
    assert np.argmax(log_likelihood) >= len(log_likelihood) - 1 - em_module.PATIENCE


# ------------------------------------------------------------- cheaper M-steps
def test_fit_constant_sets_the_gate_to_its_target_exactly():
    X = np.random.RandomState(0).normal(size=(40, 3))
    gate = MLPGate().init(X, 3, seed=0)
    proba = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(gate.fit_constant(proba).predict_proba(X),
                               np.tile(proba, (40, 1)), rtol=1e-6)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_gate_penalty_is_an_argument_not_state(solver):
    # fit's penalty reaches the loss of every step and is not kept on the gate
    # (it was hidden state, set and reset around the fit).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    targets = np.full((80, 2), 0.5)
    calls = []

    def penalty(gate, logits, Z, weight):
        calls.append(len(Z))
        return 0.0 * logits.sum()

    gate = MLPGate(hidden_layer_sizes=(), solver=solver, max_iter=3, batch_size=40)
    gate.init(X, 2, seed=7).fit(X, targets, penalty=penalty)
    assert calls and not hasattr(gate, "_penalty")
    assert gate.seed_ == 7


def test_best_constant_blend_maximises_the_likelihood_of_fixed_outputs():
    # EM on the mixing weights (and noise variances) of fixed outputs: at its
    # fixed point the weights are the mean posterior, the variances the
    # posterior-weighted squared residuals, and no other constant weights do
    # better with those variances (the log-likelihood is concave in them).
    rng = np.random.RandomState(0)
    n = 400
    y = rng.normal(size=n)
    # "left" is right on the first 300 rows, "right" on the last 100.
    left, right = y + 0.1 * rng.normal(size=n), y + 0.1 * rng.normal(size=n)
    left[300:] += 3.0
    right[:300] -= 3.0
    outputs = np.column_stack([left, right, rng.normal(size=n)])
    problem = EMProblem(["left", "right", "bad"], [None] * 3, np.zeros((n, 1)), y,
                        np.ones(n))
    outputs = problem.standardise(outputs)
    start = problem.variances(outputs, np.full((n, 3), 1 / 3))
    proba, variances = em_module.best_constant_blend(problem, outputs, start)
    log_lik = problem.log_likelihood(outputs, variances)

    def total(p):
        return logsumexp(np.log(p) + log_lik, axis=1).mean()

    joint = np.log(proba) + log_lik
    R = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
    np.testing.assert_allclose(R.mean(axis=0), proba, atol=1e-4)
    # (The variance of an expert with no weight left hardly moves the likelihood.)
    np.testing.assert_allclose(problem.variances(outputs, R)[:2], variances[:2], rtol=1e-3)
    np.testing.assert_allclose(proba, [0.75, 0.25, 0.0], atol=0.02)
    others = rng.dirichlet(np.ones(3), size=200)
    assert max(total(p) for p in others) <= total(proba) + 1e-8
    assert total(proba) > total(np.full(3, 1 / 3))


def test_uniform_start_gates_with_the_best_constant_blend(small_regimes, monkeypatch):
    # From the full-data fits, the first iteration's gate is the best constant
    # blend (a useless expert gets almost nothing at once), not equal weights
    # that outer EM moved a few hundredths per iteration. (EM's own gate: the
    # level-2 share would blend it with the blend by squared error.)
    monkeypatch.setattr(em_module, "LEVEL2_SHARE", False)
    X, y = small_regimes
    experts = [*tree_and_line(), ("mean", DummyRegressor())]
    model = fit_quietly(em(experts, init_params="uniform", max_iter=1), X, y)
    first = model.history_[0]["expert_share"]
    assert first[2] < 0.05, first
    # The gate kept (the best iteration here is the first) is that blend.
    np.testing.assert_allclose(model._gate_weights(X[:5]),
                               np.tile(first, (5, 1)), atol=1e-3)


def test_uniform_start_spends_no_cold_gate_fit(small_regimes, monkeypatch):
    # The uniform start's targets are one constant row: the gate is set to it
    # exactly (it used to be a cold L-BFGS fit per fold, plus a cold final fit).
    X, y = small_regimes
    calls = []
    fit = MLPGate.fit

    def counted(self, *args, warm_start=False, **kwargs):
        calls.append(warm_start)
        return fit(self, *args, warm_start=warm_start, **kwargs)

    monkeypatch.setattr(MLPGate, "fit", counted)
    model = fit_quietly(em(tree_and_line(), max_iter=3, init_params="uniform"), X, y)
    assert model.n_iter_ >= 2
    assert calls and all(calls), "no gate fit should be cold"


def test_gain_standard_error_is_the_paired_standard_error():
    rng = np.random.RandomState(0)
    before, after = rng.normal(size=500), rng.normal(size=500)
    weights = np.ones(500)
    expected = np.std(after - before) / np.sqrt(500)
    assert em_module._gain_standard_error(after, before, weights) == pytest.approx(expected)
    # Weights: the effective number of rows.
    weights[:250] = 0.0
    expected = np.std((after - before)[250:]) / np.sqrt(250)
    assert em_module._gain_standard_error(after, before, weights) == pytest.approx(expected)


def test_cross_fitted_em_converges_on_noise():
    # Nothing to specialise on: the held-out gains are noise, and EM says it
    # converged instead of running out of iterations.
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(300, 2)), rng.normal(size=300)
    model = fit_quietly(em(tree_and_line()), X, y)
    assert model.converged_ and model.n_iter_ < model.max_iter


@pytest.mark.parametrize("init_params", ["kmeans", "matched"])
def test_exact_em_rows_of_zero_weight_count_as_dropped(init_params):
    # Rows of zero weight, moved far off, moved EM's k-means regions, the
    # gate's input scaling and the experts' weight floor: predictions 0.3
    # apart from the fit without those rows (2.1 with other experts).
    X, y = make_regimes(n_samples=120, random_state=0)
    dropped = np.random.RandomState(1).rand(len(y)) < 0.3
    X_off, y_off = X.copy(), y.copy()
    X_off[dropped] += 5.0
    y_off[dropped] += 10.0

    def mixture():
        # Experts whose fits depend on relative weights only (as the mixture's
        # weights, rescaled to mean one, do).
        return MixtureOfExpertsRegressor(
            [("line", LinearRegression()), ("origin", LinearRegression(fit_intercept=False))],
            training="em", cv=None, max_iter=5, init_params=init_params, random_state=0)

    weighted = mixture().fit(X_off, y_off, sample_weight=(~dropped).astype(float))
    without = mixture().fit(X_off[~dropped], y_off[~dropped])
    np.testing.assert_allclose(weighted.predict(X), without.predict(X), atol=1e-5)
    np.testing.assert_allclose([h["log_likelihood"] for h in weighted.history_],
                               [h["log_likelihood"] for h in without.history_], rtol=1e-8)


class _Shifted(RegressorMixin, BaseEstimator):
    """A linear fit plus a fixed bias: an expert whose error is the same on every x."""

    def __init__(self, shift=0.0):
        self.shift = shift

    def fit(self, X, y, sample_weight=None):
        self.model_ = LinearRegression().fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X):
        return self.model_.predict(X) + self.shift


def test_level2_share_of_nothing_leaves_the_constant_blend_alone(monkeypatch):
    # Where the level-2 blend gives EM's gate no share (its held-out logits
    # non-finite, or a share below float64's range), the final gate is the
    # constant blend: MixedLogits weighed EM's gate by log(0) and predict
    # failed with "math domain error".
    def constant_only(predictions, *args, **kwargs):
        return {"constant": 1.0, "gate": 0.0}

    monkeypatch.setattr(em_module, "choose_candidates", constant_only)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    y = np.where(X[:, 0] > 0, X[:, 1], -X[:, 1]) + 0.1 * rng.normal(size=400)
    model = fit_quietly(em([("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]),
                        X, y)
    weights = model.predict_gate(X)
    assert np.all(np.isfinite(model.predict(X)))
    np.testing.assert_allclose(weights, np.broadcast_to(weights[0], weights.shape), atol=1e-12)


@pytest.mark.parametrize("level2", [False, True])
def test_level2_share_moves_em_to_the_constant_blend_by_squared_error(level2, monkeypatch):
    # Two experts biased by +1 and -3 everywhere: the likelihood gives the
    # first nearly every row (EM's gate), the squared error wants 3/4 and 1/4,
    # whose biases cancel. With LEVEL2_SHARE, EM's final gate is blended with
    # that constant blend, so its predictions lose the bias.
    monkeypatch.setattr(em_module, "LEVEL2_SHARE", level2)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(800, 2))
    f = X @ [1.0, -1.0]
    y = f + 0.1 * rng.normal(size=len(f))
    model = fit_quietly(em([("up", _Shifted(1.0)), ("down", _Shifted(-3.0))]), X[:400], y[:400])
    bias = np.mean(model.predict(X[400:]) - f[400:])
    if level2:
        assert abs(bias) < 0.05
    else:
        assert bias > 0.9
