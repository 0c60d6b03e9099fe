"""skmoe.bic / aic / log_likelihood_scorer / select_n_experts."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import norm
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate, aic, bic, log_likelihood_scorer,
                   select_n_experts)
from skmoe.datasets import make_hierarchical_regimes
from skmoe._selection import _SingleExpert, log_likelihood_samples, n_free_parameters
from skmoe.datasets import make_piecewise_linear
from skmoe.experts import TorchMLPRegressor

LINEAR_GATE = MLPGate(hidden_layer_sizes=())


def em_pool(n_experts=2, **kwargs):
    return MixtureOfExpertsRegressor(LinearRegression(), n_experts=n_experts, training="em",
                                     cv=None, gate=LINEAR_GATE, max_iter=30, random_state=0,
                                     **kwargs)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def three_regimes():
    return make_piecewise_linear(n_samples=300, n_regimes=3, random_state=0)


def test_parameter_count_and_bic_of_a_linear_pool(three_regimes):
    X, y = three_regimes
    moe = em_pool(3).fit(X, y)
    # 3 lines (slope + intercept), a linear gate 1 -> 3 (3 weights + 3 biases,
    # less one output row: a softmax is unchanged when every logit gains the
    # same number), 3 noise scales.
    assert n_free_parameters(moe) == 6 + (6 - 2) + 3
    total = moe.log_likelihood_samples(X, y).sum()
    assert_allclose(bic(moe, X, y), -2 * total + 13 * np.log(len(X)))
    assert_allclose(aic(moe, X, y), -2 * total + 26)


def test_parameter_count_of_the_default_gradient_mixture(three_regimes):
    # The regressor's stacked gate predicts with each expert's fold fits
    # averaged (CrossFitAverage): an average of lines is a line, counted once
    # (bic raised "no defined number of free parameters" for it).
    X, y = three_regimes
    experts = [("a", LinearRegression()), ("b", make_pipeline(StandardScaler(), Ridge()))]
    averaged = MixtureOfExpertsRegressor(experts, random_state=0, max_epochs=5).fit(X, y)
    refitted = MixtureOfExpertsRegressor(experts, random_state=0, max_epochs=5,
                                         refit_experts=True).fit(X, y)
    assert n_free_parameters(averaged) == n_free_parameters(refitted)
    assert np.isfinite(averaged.bic(X, y))


def test_parameter_count_includes_the_heads_of_the_final_blend():
    # The final blend's heads shape the regressor's density (its mean): their
    # coefficients, and the candidates' weights, are parameters too (they
    # were left out of bic's count).
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import PolynomialFeatures
    X, y = load_diabetes(return_X_y=True)
    moe = MixtureOfExpertsRegressor(
        [("ridge", Ridge(1e-3)), ("quad", make_pipeline(PolynomialFeatures(2), Ridge()))],
        random_state=0).fit(X[:300], y[:300])
    from skmoe._candidates import LinearHead
    heads = {("feature_weighted" if h.feature_weighted else "linear"): h
             for _, h in moe.combiner_.heads if isinstance(h, LinearHead)}
    assert set(heads) == {"linear", "feature_weighted"}
    # (A best-expert candidate, if weighted, adds no parameter of its own.)
    experts = (10 + 1) + (66 + 1)     # ridge; 66 quadratic features (with the bias) + intercept
    gates = sum(p.numel() for p in moe.gate_.module_.parameters())
    # The constant blend has a share (2 % at least): its M - 1 = 1 free weight,
    # a buffer of the gate's module, not a parameter.
    assert moe.candidate_weights_["constant"] > 0
    gates += 1
    # Five gate networks (one per fold of the out-of-fold rows), 32 hidden
    # units each: each network's output layer has one row fixed by the others.
    gates -= 5 * (32 + 1)
    # linear head: 2 experts + intercept; feature-weighted: 2 x (10 + 1) products + intercept,
    # and its own plain head for rows beyond its products' range (2 + 1)
    head_parameters = (2 + 1) + (22 + 1) + (2 + 1)
    weights = len(moe.candidate_weights_) - 1
    assert n_free_parameters(moe) == experts + gates + head_parameters + weights + 2


def test_parameter_count_of_pipelines_torch_experts_and_mlp_gates(three_regimes):
    X, y = three_regimes
    mlp = TorchMLPRegressor((4,), max_epochs=5, random_state=0)
    moe = MixtureOfExpertsRegressor(
        [("ridge", make_pipeline(StandardScaler(), Ridge())), ("mlp", mlp)],
        training="em", cv=None, gate=MLPGate(hidden_layer_sizes=(3,)), max_iter=2,
        random_state=0).fit(X, y)
    # Ridge: 1 + 1; MLP 1 -> 4 -> 1: 8 + 5; gate 1 -> 3 -> 2: 6 + 8 less one
    # output row (3 + 1); 2 noise scales.
    assert n_free_parameters(moe) == 2 + 13 + (14 - 4) + 2


def test_parameter_count_of_a_tree_of_gates():
    X, y = make_hierarchical_regimes(n_samples=200, random_state=0)
    hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2), max_iter=3,
                                       random_state=0).fit(X, y)
    # 4 planes (2 slopes + intercept), 3 linear gates 2 -> 2 (4 + 2, less one
    # output row of 2 + 1), 4 noise scales.
    assert n_free_parameters(hme) == 12 + 3 * (6 - 3) + 4
    assert np.isfinite(bic(hme, X, y))


def test_classifier_parameter_count():
    X, y = load_iris(return_X_y=True)
    clf = MixtureOfExpertsClassifier(LogisticRegression(max_iter=500), n_experts=2,
                                     training="em", cv=None, gate=LINEAR_GATE,
                                     max_iter=2, random_state=0).fit(X, y)
    # 2 multinomial models x (3 x 4 coefficients + 3 intercepts, less one
    # class's row of 4 + 1), gate 4 -> 2 (8 + 2, less one row of 4 + 1), no noise.
    assert n_free_parameters(clf) == 2 * (15 - 5) + (10 - 5)
    assert np.isfinite(aic(clf, X, y))


def test_undefined_parameter_count_names_the_expert(three_regimes):
    X, y = three_regimes
    moe = MixtureOfExpertsRegressor(
        [("tree", DecisionTreeRegressor(max_depth=2)), ("line", LinearRegression())],
        training="em", cv=None, max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"expert 'tree' \(DecisionTreeRegressor\) has no "
                                         "defined number of free parameters"):
        bic(moe, X, y)
    # Held-out likelihood works for any pool.
    assert np.isfinite(log_likelihood_scorer(moe, X, y))


def test_single_expert_likelihood(three_regimes):
    X, y = three_regimes
    one = _SingleExpert(LinearRegression()).fit(X, y)
    residual = y - LinearRegression().fit(X, y).predict(X)
    sigma = np.sqrt(np.mean(residual ** 2))
    assert_allclose(one.log_likelihood_samples(X, y), norm.logpdf(residual, scale=sigma))
    assert n_free_parameters(one) == 3


@pytest.mark.parametrize("n_regimes", [2, 3, 4])
def test_bic_picks_the_true_number_of_regimes(n_regimes):
    X, y = make_piecewise_linear(n_samples=300, n_regimes=n_regimes, random_state=1)
    best, scores = select_n_experts(em_pool(), X, y, candidates=range(1, 6))
    assert best == n_regimes
    assert sorted(scores) == [1, 2, 3, 4, 5]


def test_cross_validated_selection(three_regimes):
    X, y = three_regimes
    best, scores = select_n_experts(em_pool(), X, y, candidates=(2, 3), criterion="cv",
                                    cv=3)
    assert best == 3 and scores[3] > scores[2]


def test_scorer_in_grid_search(three_regimes):
    X, y = three_regimes
    search = GridSearchCV(em_pool(), {"n_experts": [2, 3]}, scoring=log_likelihood_scorer,
                          cv=3).fit(X, y)
    assert search.best_params_ == {"n_experts": 3}
    # A pipeline ending in a mixture is scored through its transformers.
    pipe = make_pipeline(StandardScaler(), em_pool(3)).fit(X, y)
    assert_allclose(log_likelihood_scorer(pipe, X, y),
                    pipe[-1].log_likelihood_samples(pipe[0].transform(X), y).mean())


def test_helper_prefers_log_likelihood_samples_and_errors():
    class Both:
        def log_likelihood_samples(self, X, y):
            return np.zeros(len(X))

        def score_samples(self, X, y):
            raise AssertionError("the new name comes first")

    assert_allclose(log_likelihood_samples(Both(), np.ones((3, 1)), np.ones(3)), 0.0)
    with pytest.raises(TypeError, match="does not define a likelihood"):
        log_likelihood_samples(LinearRegression(), np.ones((3, 1)), np.ones(3))
    # A density of X alone: was "score_samples() takes 2 positional arguments
    # but 3 were given".
    from sklearn.mixture import GaussianMixture
    X3 = np.random.RandomState(0).normal(size=(20, 2))
    with pytest.raises(TypeError, match=r"GaussianMixture.score_samples takes no y: it is "
                                        r"a density of X"):
        log_likelihood_scorer(GaussianMixture().fit(X3), X3, np.ones(20))
    X, y = make_piecewise_linear(n_samples=50, n_regimes=2, random_state=0)
    with pytest.raises(ValueError, match="criterion must be"):
        select_n_experts(em_pool(), X, y, criterion="loo")
    pool = MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge())], training="em")
    with pytest.raises(ValueError, match="homogeneous pool"):
        select_n_experts(pool, X, y, candidates=(1, 2))


def test_bic_sizes_a_tree_of_gates():
    X, y = make_hierarchical_regimes(n_samples=300, random_state=0)
    hme = HierarchicalMixtureRegressor(LinearRegression(), random_state=0)
    best, scores = select_n_experts(hme, X, y, param="branching", candidates=[2, (2, 2)])
    assert best == (2, 2) and set(scores) == {2, (2, 2)}


def test_mixture_bic_and_aic_methods_match_the_functions():
    X, y = make_piecewise_linear(n_samples=200, n_regimes=2, random_state=0)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em", cv=None,
                                    random_state=0).fit(X, y)
    assert_allclose(moe.bic(X, y), bic(moe, X, y))
    assert_allclose(moe.aic(X, y), aic(moe, X, y))
    assert moe.aic(X, y) < moe.bic(X, y)   # BIC's penalty is larger for n > e^2


def _small_regression(n=60):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("criterion", ["bic", "cv"])
def test_select_n_experts_ravels_a_column_y(criterion):
    # A (n, 1) y broadcast to (n, n) in the one-expert candidate (its BIC
    # 33638 instead of -130): it is raveled as the mixtures ravel it.
    pd = pytest.importorskip("pandas")
    X, y = _small_regression()
    pool = em_pool().set_params(max_iter=3)
    expected = select_n_experts(pool, X, y, candidates=(1, 2), criterion=criterion, cv=3)
    for column in (y[:, None], pd.DataFrame({"y": y})):
        with pytest.warns(DataConversionWarning):
            best, scores = select_n_experts(pool, X, column, candidates=(1, 2),
                                            criterion=criterion, cv=3)
        assert best == expected[0]
        assert_allclose([scores[1], scores[2]], [expected[1][1], expected[1][2]])


@pytest.mark.parametrize("criterion", ["bic", "cv"])
def test_select_n_experts_takes_any_class_labels(criterion):
    # The one-expert candidate read raw labels as encoded ones: strings
    # failed in int(), labels {5, 9} indexed out of bounds.
    X, _ = _small_regression()
    encoded = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    clf = MixtureOfExpertsClassifier(LogisticRegression(), n_experts=2, training="em",
                                     cv=None, gate=LINEAR_GATE, max_iter=3, random_state=0)
    expected = select_n_experts(clf, X, encoded, candidates=(1, 2), criterion=criterion, cv=3)
    for labels in (np.array(["no", "yes"]), np.array([5, 9])):
        best, scores = select_n_experts(clf, X, labels[encoded], candidates=(1, 2),
                                        criterion=criterion, cv=3)
        assert best == expected[0]
        assert_allclose([scores[1], scores[2]], [expected[1][1], expected[1][2]])
    one = _SingleExpert(LogisticRegression()).fit(X, np.array([5, 9])[encoded])
    with pytest.raises(ValueError, match="labels not seen in fit"):
        one.log_likelihood_samples(X[:2], np.array([5, 7]))


def test_select_n_experts_checks_the_target_scale_of_every_candidate():
    # y of order 1e200 scored NaN with one expert (the mixtures refuse it), y
    # of order 1e-200 scored against an absolute noise floor of 1e-12.
    X, y = _small_regression()
    for factor, message in [(1e200, "Divide y"), (1e-200, "Multiply y")]:
        for candidates in [(1,), (2,)]:
            with pytest.raises(ValueError, match=f"standard deviation .* {message}"):
                select_n_experts(em_pool().set_params(max_iter=3), X, y * factor,
                                 candidates=candidates)
    # The noise floor is relative to var(y), as the mixtures': rescaling an
    # exactly linear y shifts the log-likelihood by -log(factor) per row.
    exact = X @ [1.0, -2.0]
    small = _SingleExpert(LinearRegression()).fit(X, exact * 1e-100)
    one = _SingleExpert(LinearRegression()).fit(X, exact)
    assert_allclose(small.log_likelihood_samples(X, exact * 1e-100),
                    one.log_likelihood_samples(X, exact) - np.log(1e-100))

    class NaNLikelihood(MixtureOfExpertsRegressor):
        def log_likelihood_samples(self, X, y):
            return np.full(len(y), np.nan)

    with pytest.raises(ValueError, match=r"candidates \[2\] is NaN"):
        select_n_experts(NaNLikelihood(LinearRegression(), training="em", cv=None,
                                       max_iter=2), X, y, candidates=(2,))


def test_bic_and_aic_of_a_non_mixture_are_refused():
    # (A fitted LinearRegression got AttributeError: 'experts_'.)
    X, y = _small_regression()
    line = LinearRegression().fit(X, y)
    for criterion in (bic, aic):
        with pytest.raises(TypeError, match="need a fitted skmoe mixture.*LinearRegression"):
            criterion(line, X, y)


def test_select_n_experts_names_a_missing_parameter_and_bad_candidates(three_regimes):
    X, y = three_regimes
    # Was AttributeError: 'LinearRegression' object has no attribute 'experts'.
    with pytest.raises(ValueError, match="needs a mixture with a parameter 'n_experts'; "
                                         "LinearRegression has none"):
        select_n_experts(LinearRegression(), X, y, candidates=(1, 2))
    with pytest.raises(ValueError, match="parameter 'nope'; MixtureOfExpertsRegressor"):
        select_n_experts(em_pool(), X, y, candidates=(2,), param="nope")
    # Was "'NoneType' object is not iterable".
    for candidates in (None, 3):
        with pytest.raises(TypeError, match="candidates must be an iterable of values of "
                                            rf"n_experts, e\.g\. \(1, 2, 3\); got {candidates}"):
            select_n_experts(em_pool(), X, y, candidates=candidates)


def test_select_n_experts_names_the_candidate_and_fold_that_failed():
    # The rare class is only in the last fold's test rows: that fold's
    # training rows hold one class, and the error said "The target has only
    # one class" with no word of which fit, although y has two.
    from sklearn.model_selection import KFold
    rng = np.random.RandomState(0)
    X = rng.normal(size=(42, 2))
    y = np.r_[np.zeros(40, dtype=int), 1, 1]
    pool = MixtureOfExpertsClassifier(LogisticRegression(), n_experts=2, training="em",
                                      cv=None, max_iter=3, random_state=0)
    with pytest.raises(ValueError, match=r"select_n_experts: candidate n_experts=2 failed on "
                                         r"fold 3 of 3 \(28 training rows"):
        select_n_experts(pool, X, y, candidates=(2,), criterion="cv", cv=KFold(3))


def test_bic_with_the_default_hidden_layer_gate_picks_fewer_experts_on_few_rows():
    # What bic's and select_n_experts' docs say: the default gate's hidden
    # layer counts in k, and on 150 rows of two regimes it outweighs the
    # likelihood's gain from the second expert; a linear gate's does not.
    X, y = make_piecewise_linear(n_samples=150, n_regimes=2, random_state=0)
    chosen = {}
    for name, gate in (("default", MLPGate()), ("linear", MLPGate(hidden_layer_sizes=()))):
        moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, gate=gate,
                                        training="em", cv=None, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            chosen[name], _ = select_n_experts(moe, X, y, candidates=(1, 2, 3))
    assert chosen == {"default": 1, "linear": 2}
