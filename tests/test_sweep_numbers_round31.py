"""Wrong-number sweep, round 31: the hierarchical and multi-task mixtures --
the tree's held-out and training log-likelihoods recomputed on the rows early
stopping held out, its predictive density by hand, invariance to an affine
change of a regression target, ``task_weights`` near zero against the model
of the one task left (as the Notes on ``alpha / w_t`` say), experts fitted on
the weights rescaled to mean one, and refits, two jobs and permuted tasks.

No defect was found in this round: the ``test_guard_*`` tests pin the
properties found right.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MultiGateMixtureOfExperts)
from skmoe.datasets import make_regimes

_TASKS = ["regression", "binary", "multiclass"]


def _quietly(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the short fits
        return model.fit(X, y, sample_weight=sample_weight)


def _tasks_data(n=160):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 4))
    y0 = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 2]) + 0.3 * rng.normal(size=n)
    Y = pd.DataFrame({"a": y0, "b": np.where(X[:, 1] + X[:, 2] > 0, "yes", "no"),
                      "c": np.digitize(X[:, 3], [-0.5, 0.5])})
    return X, Y, rng.randint(0, 4, n).astype(float)   # (weights with zeros)


def _held_out_rows(model, y, n_classes, n_leaves):
    # The rows EM did not see: the split is the first draw of the seed's rng,
    # made on the rows of positive weight.
    return model._validation_split(y, n_classes, n_leaves, np.random.RandomState(0))


@pytest.mark.parametrize("classifier", [False, True])
def test_guard_tree_early_stopping_log_likelihoods_are_those_of_its_two_parts(classifier):
    # validation_log_likelihood_ is the weighted mean of log_likelihood_samples
    # on the held-out rows; log_likelihood_ that on the rows EM was fitted on.
    if classifier:
        X, y = load_iris(return_X_y=True)
        model = HierarchicalMixtureClassifier(LogisticRegression(max_iter=500), branching=(2,),
                                              max_iter=10, early_stopping=True, random_state=0)
    else:
        X, y = make_regimes(n_samples=200, random_state=0)
        model = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2), max_iter=15,
                                             early_stopping=True, random_state=0)
    w = np.random.RandomState(1).randint(0, 4, len(y)).astype(float)
    _quietly(model, X, y, w)
    kept = w > 0
    X, y, w = X[kept], y[kept], w[kept]
    val = _held_out_rows(model, y, 3 if classifier else None, model.n_leaves_)
    train = np.setdiff1d(np.arange(len(y)), val)
    samples = model.log_likelihood_samples(X, y)
    assert_allclose(model.validation_log_likelihood_,
                    np.average(samples[val], weights=w[val]), rtol=1e-12)
    assert_allclose(model.log_likelihood_,
                    np.average(samples[train], weights=w[train]), rtol=1e-12)


def test_guard_tree_predictive_density_and_moments_by_hand():
    # log p(y|x) = log sum_leaves w_leaf N(y; f_leaf, s2_leaf); the predictive
    # standard deviation is that mixture's.
    X, y = make_regimes(n_samples=200, random_state=0)
    model = _quietly(HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2),
                                                  max_iter=15, random_state=0), X, y)
    G, F, s2 = model.predict_gate(X), model.predict_experts(X), model.noise_variance_
    density = (G * np.exp(-(y[:, None] - F) ** 2 / (2 * s2)) / np.sqrt(2 * np.pi * s2)).sum(1)
    assert_allclose(model.log_likelihood_samples(X, y), np.log(density), rtol=1e-12)
    mean, std = model.predict(X, return_std=True)
    assert_allclose(mean, (G * F).sum(1), rtol=1e-12)
    assert_allclose(std ** 2, (G * (s2 + F ** 2)).sum(1) - mean ** 2, rtol=1e-9)


@pytest.mark.parametrize("name", ["mmoe", "ple", "heterogeneous", "tree"])
def test_guard_an_affine_change_of_a_regression_target_moves_the_predictions_with_it(name):
    # y -> 8 y - 3: the regression predictions follow, the class
    # probabilities, gates and scores do not move (the tree's mean
    # log-likelihood falls by log 8).
    X, Y, w = _tasks_data()
    if name == "tree":
        X, y = make_regimes(n_samples=150, random_state=0)
        make = lambda: HierarchicalMixtureRegressor(LinearRegression(), max_iter=10,   # noqa
                                                    random_state=0)
        a, b = _quietly(make(), X, y, w[:150]), _quietly(make(), X, 8 * y - 3, w[:150])
        assert_allclose(8 * a.predict(X) - 3, b.predict(X), rtol=1e-12, atol=1e-12)
        assert_allclose(a.log_likelihood_ - np.log(8), b.log_likelihood_, rtol=1e-12)
        assert_allclose(a.predict_gate(X), b.predict_gate(X), rtol=0, atol=1e-12)
        return
    Y = Y[["a", "b"]]
    make = {"mmoe": lambda: MultiGateMixtureOfExperts(_TASKS[:2], max_iter=5, random_state=0),
            "ple": lambda: MultiGateMixtureOfExperts(_TASKS[:2], architecture="ple",
                                                     max_iter=5, random_state=0),
            "heterogeneous": lambda: HeterogeneousMultiGateMixtureOfExperts(
                [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
                _TASKS[:2], max_iter=50, random_state=0)}[name]
    moved = Y.assign(a=8 * Y["a"] - 3)
    a, b = _quietly(make(), X, Y, w), _quietly(make(), X, moved, w)
    assert_allclose(8 * a.predict(X)[:, 0].astype(float) - 3, b.predict(X)[:, 0].astype(float),
                    rtol=1e-12, atol=1e-12)
    assert_allclose(a.predict_proba(X)[1], b.predict_proba(X)[1], rtol=0, atol=1e-12)
    assert_allclose(a.score(X, Y, sample_weight=w), b.score(X, moved, sample_weight=w),
                    rtol=1e-12)


def _heterogeneous(**params):
    # Fixed folds and penalty: a regression task alone is cross-fitted on
    # KFold, a multi-task y with a class task on stratified folds.
    experts = [("ridge", Ridge()), ("poly", make_pipeline(PolynomialFeatures(2), Ridge()))]
    return HeterogeneousMultiGateMixtureOfExperts(
        experts, _TASKS, gate_hidden_layer_sizes=(), alpha=0.03, max_iter=500,
        cv=KFold(3, shuffle=True, random_state=0), random_state=0).set_params(**params)


def test_guard_heterogeneous_task_weights_near_zero_give_the_task_alone_at_alpha_over_w():
    # The docstring: task weights are rescaled to mean one and act as
    # alpha / w_t on the task's gate. task_weights=[1, 1e-9, 1e-9] rescales
    # to about [3, 0, 0]: the regression task is the model of that task alone
    # with alpha / 3 (to L-BFGS's tolerance; 0.22 apart at the same alpha).
    # (Weights of 0 are refused: those tasks' gates would stay untrained.)
    X, Y, w = _tasks_data()
    weighted = _quietly(_heterogeneous(task_weights=[1, 1e-9, 1e-9]), X, Y, w)
    alone = _quietly(_heterogeneous(tasks=["regression"], alpha=0.01), X, Y[["a"]], w)
    same_alpha = _quietly(_heterogeneous(tasks=["regression"]), X, Y[["a"]], w)
    pred = weighted.predict(X)[:, 0].astype(float)
    assert_allclose(pred, alone.predict(X).ravel(), rtol=0, atol=5e-3)
    assert np.abs(pred - same_alpha.predict(X).ravel()).max() > 0.05
    # Only the ratios matter.
    equal = _quietly(_heterogeneous(task_weights=[2, 2, 2]), X, Y, w)
    default = _quietly(_heterogeneous(), X, Y, w)
    assert np.array_equal(equal.predict(X), default.predict(X))
    assert np.array_equal(equal.predict_proba(X)[2], default.predict_proba(X)[2])


def test_guard_heterogeneous_two_equal_experts_predict_what_one_fitted_on_the_weights_does():
    # Whatever the gates, two identical ridges mix to one ridge, fitted on
    # the rows of positive weight with the weights rescaled to mean one (as
    # fit's docstring says); a class task's probabilities are its indicator
    # predictions clipped at zero, plus 1e-4, renormalised.
    X, Y, w = _tasks_data()
    model = _quietly(HeterogeneousMultiGateMixtureOfExperts(
        [("r1", Ridge()), ("r2", Ridge())], _TASKS, max_iter=20, random_state=0), X, Y, w)
    kept = w > 0
    rescaled = w[kept] / w[kept].mean()
    ridge = Ridge().fit(X[kept], Y["a"][kept], sample_weight=rescaled)
    assert_allclose(model.predict(X)[:, 0].astype(float), ridge.predict(X), rtol=1e-10)
    indicators = np.eye(3)[Y["c"].to_numpy()[kept]]
    proba = np.maximum(Ridge().fit(X[kept], indicators, sample_weight=rescaled).predict(X), 0)
    proba += 1e-4
    assert_allclose(model.predict_proba(X)[2], proba / proba.sum(1, keepdims=True), rtol=1e-10)


def test_guard_heterogeneous_permuted_tasks_permute_the_model():
    # y's columns (with tasks and task_weights) in another order: the same
    # model, its columns permuted (to L-BFGS's tolerance: each gate starts
    # from its position's seeded weights).
    X, Y, w = _tasks_data()
    order = [2, 0, 1]
    a = _quietly(_heterogeneous(task_weights=[1, 2, 3]), X, Y, w)
    b = _quietly(_heterogeneous(tasks=[_TASKS[i] for i in order], task_weights=[3, 1, 2]),
                 X, Y.iloc[:, order], w)
    assert_allclose(a.predict(X)[:, 0].astype(float), b.predict(X)[:, 1].astype(float),
                    rtol=0, atol=2e-3)
    assert_allclose(a.predict_proba(X)[2], b.predict_proba(X)[0], rtol=0, atol=1e-3)
    assert_allclose(a.predict_gate(X)[:, order], b.predict_gate(X), rtol=0, atol=1e-3)
    assert_allclose(a.score(X, Y, sample_weight=w), b.score(X, Y.iloc[:, order], sample_weight=w),
                    rtol=0, atol=1e-4)


@pytest.mark.parametrize("name", ["heterogeneous", "tree classifier", "ple"])
def test_guard_clone_and_two_jobs_refit_to_the_same_numbers(name):
    X, Y, w = _tasks_data(120)
    if name == "tree classifier":
        X, y = load_iris(return_X_y=True)
        w = np.random.RandomState(1).randint(0, 4, len(y)).astype(float)
        model = HierarchicalMixtureClassifier(LogisticRegression(max_iter=300), max_iter=5,
                                              random_state=0)
        out = lambda m: m.predict_proba(X)   # noqa: E731
    else:
        y = Y
        model = (MultiGateMixtureOfExperts(_TASKS, architecture="ple", max_iter=5,
                                           random_state=0) if name == "ple"
                 else HeterogeneousMultiGateMixtureOfExperts(
                     [("ridge", Ridge()),
                      ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
                     _TASKS, max_iter=30, random_state=0))
        out = lambda m: np.column_stack([m.predict_proba(X)[2], m.predict_gate(X)[:, 0]])  # noqa
    first = out(_quietly(model, X, y, w))
    assert np.array_equal(out(_quietly(clone(model), X, y, w)), first)
    if "n_jobs" in model.get_params():
        assert np.array_equal(out(_quietly(clone(model).set_params(n_jobs=2), X, y, w)), first)
