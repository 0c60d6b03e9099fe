"""Wrong-number sweep, round 30: invariances and bookkeeping -- a class whose
every row has weight zero against the fit without those rows, the order of
the experts and of compare()'s models, y times a constant in the predictive
density, early stopping's kept iteration, the training history's length and
shares.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, bic, compare)
from skmoe.datasets import make_piecewise_linear, make_regimes


def _experts():
    return [("lr", LogisticRegression(C=0.1)),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
            ("nb", GaussianNB())]


def _fit(X, y, sample_weight=None, **params):
    model = MixtureOfExpertsClassifier(_experts(), max_epochs=10, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("load, empty", [(load_wine, 2), (load_iris, 0)])
@pytest.mark.parametrize("refit_experts", ["auto", False])
def test_stacked_classifier_with_a_class_of_zero_weight_fits_what_its_removal_fits(
        load, empty, refit_experts):
    # Fix in _blend.GateInputs and _candidates.LinearHead (their ``columns``,
    # set by the stacked trainer to the classes that have rows): the stacked
    # gate's inputs and stacking's heads read every class of ``classes_``,
    # that of weight zero too, whose probability every expert gives as 0.
    # Three classes with one empty are not two: the heads got each expert's
    # log-probabilities of three classes (a constant floor among them, whose
    # products with X handed the feature-weighted head X itself) where the
    # fit without those rows gives them the log-odds of two. The fit "without
    # them" that fit's docstring promises was another model: probabilities
    # 0.57 apart on wine (class 2 weighted 0), 0.49 on iris (class 0).
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kept = y != empty
    weighted = _fit(X, y, kept.astype(float), refit_experts=refit_experts)
    removed = _fit(X[kept], y[kept], refit_experts=refit_experts)
    assert list(weighted.classes_) == [0, 1, 2]
    proba = weighted.predict_proba(X)
    assert np.all(proba[:, empty] == 0)
    assert_allclose(np.delete(proba, empty, axis=1), removed.predict_proba(X),
                    rtol=0, atol=1e-9)
    assert weighted.candidate_weights_ == pytest.approx(removed.candidate_weights_,
                                                        abs=1e-9)
    assert weighted.log_likelihood_ == pytest.approx(removed.log_likelihood_, abs=1e-9)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsClassifier(_experts(), training="em", max_iter=3, random_state=0),
    lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, max_iter=3,
                                          random_state=0),
    lambda: EnsembleClassifier(_experts(), weights="greedy", random_state=0),
], ids=["em", "tree mixture", "greedy ensemble"])
def test_guard_other_classifiers_with_a_class_of_zero_weight_fit_what_its_removal_fits(make):
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kept = y != 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = make().fit(X, y, sample_weight=kept.astype(float))
        removed = make().fit(X[kept], y[kept])
    proba = weighted.predict_proba(X)
    assert np.all(proba[:, 2] == 0)
    assert_allclose(proba[:, :2], removed.predict_proba(X), rtol=0, atol=1e-12)


def _regression_experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
            ("knn", KNeighborsRegressor(7))]


@pytest.mark.parametrize("make", [
    lambda e, w: EnsembleRegressor(e, weights=w, random_state=0),
    lambda e, w: EnsembleRegressor(e, weights="greedy", random_state=0),
], ids=["given weights", "greedy"])
def test_guard_ensembles_do_not_depend_on_the_order_of_the_experts(make):
    # An average is order-free: the experts reversed (their weights with
    # them) predict the same, and the weights are the same, reversed.
    X, y = make_regimes(n_samples=150, random_state=0)
    experts = _regression_experts()
    weights = np.array([1.0, 2.0, 3.0])
    forward = make(experts, weights).fit(X, y)
    backward = make(experts[::-1], weights[::-1]).fit(X, y)
    assert_allclose(forward.predict(X), backward.predict(X), rtol=0, atol=1e-12)
    assert_allclose(forward.weights_, backward.weights_[::-1], rtol=0, atol=1e-15)


def test_guard_soft_voting_does_not_depend_on_the_order_of_the_experts():
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    forward = EnsembleClassifier(_experts(), voting="soft").fit(X, y)
    backward = EnsembleClassifier(_experts()[::-1], voting="soft").fit(X, y)
    assert_allclose(forward.predict_proba(X), backward.predict_proba(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(_linear_pool(), training="em", max_iter=4,
                                      random_state=0),
    lambda: MixtureOfExpertsRegressor(_linear_pool(), training="em", cv=None, max_iter=4,
                                      random_state=0),
    lambda: MixtureOfExpertsRegressor(_linear_pool(), top_k=1, max_epochs=5,
                                      random_state=0),
    lambda: HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2),
                                         early_stopping=True, max_iter=5, random_state=0),
], ids=["em", "exact em", "top-1", "tree mixture"])
def test_guard_the_density_of_y_times_a_follows_y(make):
    # y times a: the predictive spread times a, the log-likelihood (per row,
    # fitted and in history_) less log(a), BIC up by 2 n log(a), the gate
    # unchanged.
    X, y = make_regimes(n_samples=150, random_state=0)
    a, n = 1000.0, len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain, scaled = make().fit(X, y), make().fit(X, a * y)
    mean, std = plain.predict(X, return_std=True)
    mean_a, std_a = scaled.predict(X, return_std=True)
    assert_allclose(mean_a, a * mean, rtol=1e-9)
    assert_allclose(std_a, a * std, rtol=1e-9)
    assert_allclose(scaled.log_likelihood_samples(X, a * y),
                    plain.log_likelihood_samples(X, y) - np.log(a), rtol=0, atol=1e-9)
    assert scaled.log_likelihood_ == pytest.approx(plain.log_likelihood_ - np.log(a),
                                                   abs=1e-9)
    assert [h["log_likelihood"] for h in scaled.history_] == pytest.approx(
        [h["log_likelihood"] - np.log(a) for h in plain.history_], abs=1e-9)
    assert bic(scaled, X, a * y) == pytest.approx(bic(plain, X, y) + 2 * n * np.log(a),
                                                  abs=1e-6)
    assert_allclose(scaled.predict_gate(X), plain.predict_gate(X), rtol=0, atol=1e-9)


def _linear_pool():
    return [("line", LinearRegression()), ("through 0", LinearRegression(fit_intercept=False))]


def test_guard_tree_mixture_early_stopping_keeps_and_reports_its_best_iteration():
    # best_iteration_ is the first of the highest held-out log-likelihood in
    # history_, and log_likelihood_ and validation_log_likelihood_ are that
    # iteration's, weights given or not.
    X, y = make_piecewise_linear(n_samples=300, n_regimes=3, random_state=0)[:2]
    weight = np.random.RandomState(0).randint(1, 4, len(y)).astype(float)
    for sample_weight in (None, weight):
        model = HierarchicalMixtureRegressor(
            LinearRegression(), branching=(2, 2), early_stopping=True, max_iter=50,
            n_iter_no_change=3, random_state=0).fit(X, y, sample_weight=sample_weight)
        held_out = [h["validation_log_likelihood"] for h in model.history_]
        best = model.best_iteration_
        assert len(model.history_) == model.n_iter_
        assert best == int(np.argmax(held_out)) + 1
        assert model.validation_log_likelihood_ == held_out[best - 1]
        assert model.log_likelihood_ == pytest.approx(
            model.history_[best - 1]["log_likelihood"], abs=1e-12)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(_regression_experts(), max_epochs=10, random_state=0),
    lambda: MixtureOfExpertsRegressor(_regression_experts(), training="em", max_iter=4,
                                      random_state=0),
    lambda: MixtureOfExpertsRegressor(LinearRegression(), n_experts=5, cv=None, max_iter=10,
                                      collapse_threshold=0.15, collapse_patience=1,
                                      collapse_action="drop", random_state=0),
    lambda: MixtureOfExpertsRegressor(_regression_experts(), top_k=2, max_epochs=5,
                                      random_state=0),
    lambda: HierarchicalMixtureRegressor(LinearRegression(), branching=3, max_iter=5,
                                         random_state=0),
], ids=["stacked", "em", "em dropping", "top-2", "tree mixture"])
def test_guard_history_has_n_iter_entries_whose_shares_sum_to_one(make):
    X, y = make_piecewise_linear(n_samples=200, n_regimes=3, random_state=0)[:2]
    weight = np.random.RandomState(0).randint(1, 4, len(y)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(X, y, sample_weight=weight)
    history = model.history_
    assert len(history) == model.n_iter_
    key = "leaf_share" if "leaf_share" in history[0] else "expert_share"
    for number, entry in enumerate(history, start=1):
        assert entry.get("iteration", entry.get("epoch")) == number
        names = entry.get("experts", model.expert_names_)
        assert len(entry[key]) == len(names)
        assert np.sum(entry[key]) == pytest.approx(1.0, abs=1e-6)


def test_guard_compare_does_not_depend_on_the_order_of_the_models():
    # Every model is cloned and scored on the same splits: the dict reversed
    # gives each the same scores, and the default pair is still (mixture,
    # ensemble).
    X, y = make_regimes(n_samples=150, random_state=0)
    experts = [("line", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    models = {"mixture": MixtureOfExpertsRegressor(experts, max_epochs=5, random_state=0),
              "ensemble": EnsembleRegressor(experts),
              "tree": DecisionTreeRegressor(max_depth=3, random_state=0)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forward = compare(models, X, y, cv=3, greedy_ensemble=True)
        backward = compare(dict(reversed(list(models.items()))), X, y, cv=3,
                           greedy_ensemble=True)
    assert set(forward.names) == set(backward.names)
    assert forward.pair == backward.pair == ("mixture", "ensemble")
    for name in forward.names:
        for metric in forward.metrics:
            assert_allclose(forward.scores[name][metric], backward.scores[name][metric],
                            rtol=0, atol=0)
    assert forward.paired_test() == backward.paired_test()
