"""Mixture-level checks of fixes whose helpers live in skmoe._likelihood / _routing.

They pass once ``_moe.py`` calls those helpers (the call-site changes of the
correctness branch); until then they fail, by design: no xfail.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, MLPGate
from skmoe.datasets import make_regimes
from skmoe.experts import RuleExpert


def _two_trees():
    return [("shallow", DecisionTreeClassifier(max_depth=3, random_state=0)),
            ("deep", DecisionTreeClassifier(max_depth=5, random_state=1))]


def test_em_tree_mixture_probabilities_never_exceed_one():
    # Pure leaves give one-hot probabilities; mixed by a gate whose weights
    # round to 1 + 2e-16 they exceeded one and log_loss raised.
    X, y = make_classification(n_samples=300, random_state=0)
    clf = MixtureOfExpertsClassifier(_two_trees(), training="em", max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        proba = clf.fit(X, y).predict_proba(X)
        assert proba.min() >= 0.0 and proba.max() <= 1.0
        assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
        log_loss(y, proba)
        scores = cross_val_score(clf, X, y, cv=2, scoring="neg_log_loss")
    assert np.all(np.isfinite(scores))


def test_classifier_log_likelihood_samples_is_the_log_of_predict_proba():
    # A deep tree gives the true label probability zero on some test rows; the
    # old score floored that expert at 1e-6 before mixing.
    X, y = make_classification(n_samples=400, flip_y=0.2, random_state=0)
    clf = MixtureOfExpertsClassifier(_two_trees(), training="em", max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:300], y[:300])
    X_test, y_test = X[300:], y[300:]
    proba = clf.predict_proba(X_test)[np.arange(len(y_test)), y_test]
    experts = clf.predict_experts(X_test)[np.arange(len(y_test)), :, y_test]
    assert (experts == 0).any()  # the case the floor got wrong is present
    assert_allclose(np.exp(clf.log_likelihood_samples(X_test, y_test)), proba, rtol=1e-12, atol=0)


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_routed_classifier_log_likelihood_samples_is_the_log_of_predict_proba(training):
    # A top-1 row's probabilities are one tree's, zeros included;
    # predict_proba floors them (as in training) and log_likelihood_samples
    # must score the same probabilities (before: the unfloored mixture, log 0
    # floored at 1e-300 where predict_proba gave 1e-6).
    X, y = make_classification(n_samples=400, flip_y=0.2, random_state=0)
    clf = MixtureOfExpertsClassifier(_two_trees(), training=training, top_k=1, max_iter=3,
                                     max_epochs=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X[:300], y[:300])
    X_test, y_test = X[300:], y[300:]
    proba = clf.predict_proba(X_test)[np.arange(len(y_test)), y_test]
    experts = clf.predict_experts(X_test)[np.arange(len(y_test)), :, y_test]
    assert (experts == 0).any()  # a tree that rules the label out is present
    assert_allclose(np.exp(clf.log_likelihood_samples(X_test, y_test)), proba, rtol=1e-12, atol=0)


def test_capacity_applies_in_training_only_so_predict_is_row_independent():
    # Needs _moe._gate_weights to route without capacity at predict time.
    X, y, regime = make_regimes(n_samples=400, noise=1.0, return_regime=True, random_state=0)
    experts = [("line", LinearRegression()),
               ("quadratic", make_pipeline(PolynomialFeatures(2), LinearRegression()))]
    moe = MixtureOfExpertsRegressor(experts, training="em", gate=MLPGate(hidden_layer_sizes=()),
                                    cv=None, max_iter=4, top_k=1, capacity_factor=1.0,
                                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe.fit(X, y)
    # A batch from one regime: every row wants the same expert, more rows
    # than its training-time capacity.
    X = X[regime == 0]
    batch = moe.predict(X)
    one_by_one = np.array([moe.predict(X[i:i + 1])[0] for i in range(len(X))])
    assert_allclose(one_by_one, batch, rtol=1e-6, atol=1e-9)
    assert_allclose(moe.predict_gate(X[::-1])[::-1], moe.predict_gate(X))


# Rules exact on one half of the line each (module level: they pickle).
def _line(X):
    return 2.0 * X[:, 0]


def _wave(X):
    return np.sin(3.0 * X[:, 0]) + 1.0


@pytest.mark.parametrize("loss", ["nll", "squared_error"])
def test_top_1_gate_learns_from_the_loss_whatever_the_expert_order(loss):
    # Needs _gradient.py's straight-through call site. A top-1 row's routed
    # weight is exactly one: without it the gate never moved from its random
    # start (50-99 % of rows on the right expert depending on seed and order).
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(400, 1))
    left = X[:, 0] < 0
    y = np.where(left, _line(X), _wave(X)) + 0.1 * rng.normal(size=len(X))
    line, wave = ("line", RuleExpert(_line)), ("wave", RuleExpert(_wave))
    for experts in ([line, wave], [wave, line]):
        moe = MixtureOfExpertsRegressor(experts, top_k=1, loss=loss, learning_rate=3e-2,
                                        max_epochs=200, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            moe.fit(X, y)
        names = np.array(moe.expert_names_)
        chosen = names[moe.predict_gate(X).argmax(axis=1)]
        assert np.mean(chosen == np.where(left, "line", "wave")) >= 0.95
