"""Defects found by the configuration sweep, round 20 (documented parameters at
and beyond their boundaries, random_state as an int or a RandomState, refits
with other features and classes, set_params after fit, n_jobs under joblib
backends, verbose levels, scikit-learn's tags against what an estimator
takes, and its text and HTML display)."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import (GammaRegressor, LogisticRegression, PoissonRegressor,
                                  Ridge)
from sklearn.naive_bayes import MultinomialNB
from sklearn.utils import estimator_html_repr, get_tags

from skmoe import (CrossFitAverage, EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, select_n_experts)


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    return X, X[:, 0] + (X[:, 1] > 0) + 0.1 * rng.normal(size=60)


def test_cross_fit_average_tags_follow_its_fits():
    # The average kept BaseEstimator's tags (no NaN, no sparse X) whatever
    # its fits take: an ensemble given a mixture's deployed expert (fold fits
    # of HistGradientBoosting) refused NaN those fits predict on, "Expert(s)
    # 'cfa' (CrossFitAverage) do not accept missing values".
    X, y = _data()
    X[::7, 1] = np.nan
    fits = [HistGradientBoostingRegressor(max_iter=5).fit(X[:40], y[:40]),
            HistGradientBoostingRegressor(max_iter=5).fit(X[20:], y[20:])]
    average = CrossFitAverage(fits)
    assert get_tags(average).input_tags.allow_nan
    assert np.isfinite(average.predict(X)).all()
    ensemble = EnsembleRegressor([("cfa", average),
                                  ("h", HistGradientBoostingRegressor(max_iter=5))]).fit(X, y)
    assert np.isfinite(ensemble.predict(X)).all()
    # Ridge's fits take sparse X and no NaN, and the tags say so.
    ridge = CrossFitAverage([Ridge().fit(np.nan_to_num(X), y)])
    assert get_tags(ridge).input_tags.sparse and not get_tags(ridge).input_tags.allow_nan
    assert ridge.predict(sp.csr_matrix(np.nan_to_num(X))).shape == (60,)
    # A fit that needs y > 0 makes the average need it.
    poisson = CrossFitAverage([PoissonRegressor().fit(np.nan_to_num(X), np.exp(y))])
    assert get_tags(poisson).target_tags.positive_only


POSITIVE_Y = [("p", PoissonRegressor()), ("g", GammaRegressor())]


@pytest.mark.parametrize("make", [
    lambda experts: EnsembleRegressor(experts),
    lambda experts: MixtureOfExpertsRegressor(experts),
    lambda experts: HierarchicalMixtureRegressor(experts, branching=2),
    lambda experts: HeterogeneousMultiGateMixtureOfExperts(experts),
], ids=["ensemble", "moe", "hme", "hetero-mmoe"])
def test_experts_that_need_positive_y_make_the_composition_need_it(make):
    # Every expert is fitted on y: with a PoissonRegressor among them the
    # composition needs y > 0 (its fit fails otherwise), but its tags said
    # positive_only=False, as for experts that take any y.
    X, y = _data()
    assert get_tags(make(POSITIVE_Y)).target_tags.positive_only
    assert not get_tags(make([("a", Ridge()), ("b", Ridge(alpha=9.0))])).target_tags.positive_only
    with pytest.raises(ValueError, match="Expert 'p' .PoissonRegressor. failed to fit"):
        make(POSITIVE_Y).fit(X, y)


@pytest.mark.parametrize("make", [EnsembleClassifier, MixtureOfExpertsClassifier])
def test_experts_that_need_positive_x_make_the_composition_need_it(make):
    # MultinomialNB refuses negative X; the mixture (whose gate takes any X)
    # and the ensemble do too, and their tags now say so.
    assert get_tags(make([("nb", MultinomialNB()),
                          ("lr", LogisticRegression())])).input_tags.positive_only
    assert not get_tags(make([("a", LogisticRegression()),
                              ("b", LogisticRegression(C=0.1))])).input_tags.positive_only


@pytest.mark.parametrize("params", [dict(estimators=[None]), dict(estimators="fits"),
                                    dict(estimators=[Ridge()], n_classes="three")])
def test_cross_fit_average_that_is_not_valid_displays(params):
    # A notebook's display (estimator_html_repr: dir, then hasattr of every
    # attribute) failed with the TypeError of n_features_in_ (or numpy's of
    # classes_): hasattr only takes AttributeError. The error is still the
    # ValueError or TypeError that names the fault, and predict's too.
    average = CrossFitAverage(**params)
    assert "CrossFitAverage" in estimator_html_repr(average)
    assert not hasattr(average, "n_features_in_")
    with pytest.raises((TypeError, ValueError), match="CrossFitAverage of expert 'expert'"):
        average.n_features_in_
    with pytest.raises((TypeError, ValueError), match="CrossFitAverage of expert 'expert'"):
        average.predict(np.zeros((2, 3)))


@pytest.mark.parametrize("make", [
    lambda experts: EnsembleRegressor(experts),
    lambda experts: MixtureOfExpertsRegressor(experts, random_state=0),
    lambda experts: HierarchicalMixtureRegressor(experts, branching=2, max_iter=2,
                                                 random_state=0),
    lambda experts: HeterogeneousMultiGateMixtureOfExperts(experts, max_iter=5,
                                                           random_state=0),
], ids=["ensemble", "moe", "hme", "hetero-mmoe"])
def test_what_predict_lets_into_the_experts_is_decided_by_the_fit(make):
    # predict asked the experts as given now, not the fitted ones, whether
    # they take NaN: after set_params(experts=[Ridge...]) a fit of
    # HistGradientBoosting experts refused NaN that they predict on ("Expert(s)
    # 'a' (Ridge), 'b' (Ridge) do not accept missing values").
    X, y = _data()
    X[::5, 1] = np.nan
    boosted = [("a", HistGradientBoostingRegressor(max_iter=5)),
               ("b", HistGradientBoostingRegressor(max_iter=5, learning_rate=0.5))]
    ridges = [("a", Ridge()), ("b", Ridge(alpha=9.0))]
    model = make(boosted).fit(X, y)
    expected = model.predict(X)
    model.set_params(experts=ridges)
    np.testing.assert_allclose(model.predict(X), expected)
    # The other way, the fitted Ridge experts' refusal is still the fit's,
    # and names them; the tags are those of the experts given now.
    model = make(ridges).fit(np.nan_to_num(X), y).set_params(experts=boosted)
    assert get_tags(model).input_tags.allow_nan
    with pytest.raises(ValueError, match=r"Expert\(s\) 'a' \(Ridge\), 'b' \(Ridge\) do not"):
        model.predict(X)


@pytest.mark.parametrize("criterion", ["bic", "aic"])
def test_select_n_experts_warns_of_folds_it_does_not_use(criterion):
    # cv is read by criterion='cv' only: cv=10 (or even cv=0) with the BIC
    # ran without a word, as if the folds had been used.
    X, y = _data()
    moe = MixtureOfExpertsRegressor(Ridge(), n_experts=2, training="em", cv=None,
                                    max_iter=2, random_state=0)
    with pytest.warns(UserWarning, match=f"cv=10 has no effect with criterion='{criterion}'"):
        select_n_experts(moe, X, y, candidates=(1, 2), criterion=criterion, cv=10)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="cv=")
        select_n_experts(moe, X, y, candidates=(1, 2), criterion=criterion)


@pytest.mark.parametrize("method", ["predict_proba", "predict_log_proba"])
def test_hard_voting_says_why_there_are_no_probabilities(method):
    # "This 'EnsembleClassifier' has no attribute 'predict_proba'" named no
    # reason; scikit-learn's VotingClassifier chains "predict_proba is not
    # available when voting='hard'", which a traceback shows. hasattr is
    # still False.
    X, y = _data()
    y = (y > 1).astype(int)
    ensemble = EnsembleClassifier([("a", LogisticRegression()),
                                   ("b", LogisticRegression(C=0.1))], voting="hard").fit(X, y)
    assert not hasattr(ensemble, method)
    with pytest.raises(AttributeError) as info:
        getattr(ensemble, method)(X)
    chain, error = [], info.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__
    assert any("not available when voting='hard'" in message for message in chain), chain


@pytest.mark.parametrize("top_k", [0, 1.5, "two", True])
def test_top_k_set_after_fit_that_is_no_count_is_named(top_k):
    # predict reads top_k (routing an EM fit set after fit is taken), but a
    # value fit refuses reached the routing: 1.5 failed with "slice indices
    # must be integers", 'two' with "'<' not supported", 0 was "top_k must be
    # between 1 and ..." without saying it was set after fit, and True routed
    # as top_k=1.
    X, y = _data()
    model = MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge(alpha=30.0))],
                                      training="em", max_iter=2, random_state=0).fit(X, y)
    routed = model.set_params(top_k=1).predict(X)
    model.set_params(top_k=top_k)
    with pytest.raises(ValueError, match=rf"top_k={top_k!r} was set after fit: .* from 1 to 2"):
        model.predict(X)
    np.testing.assert_array_equal(model.set_params(top_k=1).predict(X), routed)


def test_voting_set_after_fit_that_is_no_way_to_vote_is_named():
    # predict reads voting (as VotingClassifier does): 'Soft' set after fit
    # voted 'hard' without a word.
    X, y = _data()
    y = (y > 1).astype(int)
    ensemble = EnsembleClassifier([("a", LogisticRegression()),
                                   ("b", LogisticRegression(C=0.1))]).fit(X, y)
    hard = ensemble.set_params(voting="hard").predict(X)
    with pytest.raises(ValueError, match="voting='Soft' was set after fit"):
        ensemble.set_params(voting="Soft").predict(X)
    np.testing.assert_array_equal(ensemble.set_params(voting="hard").predict(X), hard)
