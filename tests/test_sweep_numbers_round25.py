"""Wrong-numbers sweep, round 25: sample weights against repeated rows and
rows of almost no weight, weights times a constant, batches against rows,
relabelled classes and scores by hand.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, HierarchicalMixtureClassifier,
                   MixtureOfExpertsClassifier, MultiGateMixtureOfExperts,
                   TorchMLPClassifier, TorchMLPRegressor)
from skmoe._data import mean_and_scale, standardisation


def _data(n=90):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.3 * rng.normal(size=n)
    labels = (X[:, 0] + 0.5 * X[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y, labels, rng.randint(1, 4, size=n)


def _fit_quietly(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y, **fit_params)


# Full batches, no rows held out: the same seed draws nothing else, so the
# weighted rows and their copies train the same network up to float32 sums.
_NETWORKS = {
    "torch regressor": (lambda: TorchMLPRegressor((8,), max_epochs=20, early_stopping=False,
                                                  batch_size=1000, random_state=0), False),
    "torch classifier": (lambda: TorchMLPClassifier((8,), max_epochs=20, early_stopping=False,
                                                    batch_size=1000, random_state=0), True),
    "mmoe regression": (lambda: MultiGateMixtureOfExperts(max_iter=20, batch_size=1000,
                                                          random_state=0), False),
    "mmoe binary": (lambda: MultiGateMixtureOfExperts(tasks=["binary"], max_iter=20,
                                                      batch_size=1000, random_state=0), True),
    "ple regression": (lambda: MultiGateMixtureOfExperts(architecture="ple", max_iter=20,
                                                         batch_size=1000, random_state=0), False),
}


def _outputs(model, X, classifier):
    out = model.predict_proba(X) if classifier else model.predict(X)
    return np.asarray(out[0] if isinstance(out, list) else out, dtype=float)


@pytest.mark.parametrize("name", list(_NETWORKS))
def test_integer_weights_fit_what_their_repeated_rows_fit(name):
    # Fix in _data.standardisation (weighted) and its callers: the torch
    # networks and MultiGateMixtureOfExperts standardised X (and a
    # regression y) over the rows unweighted, so a row of weight 3 moved the
    # scaling as one row, not as its three copies: another network than the
    # repeated rows' (predictions 0.18 apart for the torch regressor, 0.13
    # for MMoE, 0.12 for PLE, probabilities 0.026 for the torch classifier
    # and 0.0068 for a binary MMoE task; now at most 4e-8). MMoE now passes
    # scikit-learn's check_sample_weight_equivalence_on_dense_data too.
    X, y, labels, weight = _data()
    make, classifier = _NETWORKS[name]
    target = labels if classifier else y
    rows = np.repeat(np.arange(len(X)), weight)
    weighted = _fit_quietly(make(), X, target, sample_weight=weight)
    repeated = _fit_quietly(make(), X[rows], target[rows])
    assert_allclose(_outputs(weighted, X, classifier), _outputs(repeated, X, classifier),
                    rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", ["torch regressor", "mmoe regression", "ple regression"])
def test_rows_of_almost_no_weight_fit_nearly_what_rows_of_zero_weight_fit(name):
    # (As above.) A row of zero weight is left out of the scaling; one of
    # weight 1e-9 counted as a whole row: five such rows far out (X times
    # 50, y = 300) set every other row's scale, and the network fitted to
    # rows of total weight 183 moved by 28 (torch), 29 (MMoE) and 1.9 (PLE)
    # on a target of standard deviation 1.3. Now by at most 5e-7.
    X, y, _, weight = _data()
    rng = np.random.RandomState(1)
    X_far = np.vstack([X, 50 * rng.normal(size=(5, 3))])
    y_far = np.r_[y, np.full(5, 300.0)]
    make, _ = _NETWORKS[name]
    predictions = [
        _fit_quietly(make(), X_far, y_far,
                     sample_weight=np.r_[weight, np.full(5, tiny)]).predict(X)
        for tiny in (0.0, 1e-9)]
    assert_allclose(predictions[1], predictions[0], rtol=0, atol=1e-4)


def test_weighted_standardisation_is_that_of_the_repeated_rows():
    # The scaling itself: integer weights are the repeated rows' figures, NaN
    # ignored, a column beyond 1e154 (whose squares overflow) included; equal
    # weights the unweighted figures bit for bit.
    X, _, _, weight = _data(40)
    X = X * np.array([1.0, 1e200, 1e-200])
    X[3, 0] = np.nan
    rows = np.repeat(np.arange(len(X)), weight)
    for got, expected in zip(standardisation(X, weight), standardisation(X[rows])):
        assert_allclose(got, expected, rtol=1e-12)
    for got, expected in zip(standardisation(X, np.full(len(X), 0.3)), standardisation(X)):
        assert np.array_equal(got, expected)
    assert_allclose(mean_and_scale(X[:, 1], weight), mean_and_scale(X[rows, 1]), rtol=1e-12)


# ---------------------------------------------------------------- guards
def test_guard_weights_times_a_constant_change_no_network():
    # Only relative weights matter: the weighted scaling too.
    X, y, _, weight = _data()
    for make, _ in (_NETWORKS["torch regressor"], _NETWORKS["mmoe regression"]):
        base = _fit_quietly(make(), X, y, sample_weight=weight).predict(X)
        for factor in (1e-30, 0.1, 7.0, 1e30):
            assert_allclose(_fit_quietly(make(), X, y, sample_weight=weight * factor)
                            .predict(X), base, rtol=0, atol=1e-6)


def test_guard_classifiers_probabilities_predictions_and_scores_by_hand():
    # predict is classes_[argmax(predict_proba)], rows sum to one, labels 0/1,
    # 'a'/'b' and -1/1 give the same probabilities, predict on one
    # row is predict on the batch, and score is scikit-learn's weighted
    # accuracy.
    X, _, labels, weight = _data()
    experts = [("logit", LogisticRegression()),
               ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
    models = [lambda: MixtureOfExpertsClassifier(experts, training="em", max_iter=5,
                                                 random_state=0),
              lambda: MixtureOfExpertsClassifier(experts, top_k=1, max_epochs=10,
                                                 random_state=0),
              lambda: EnsembleClassifier(experts, weights="greedy", random_state=0),
              lambda: HierarchicalMixtureClassifier(LogisticRegression(), max_iter=3,
                                                    random_state=0)]
    scoring_weight = np.random.RandomState(2).uniform(0.5, 2, len(X))
    for make in models:
        model = _fit_quietly(make(), X, labels, sample_weight=weight)
        proba = model.predict_proba(X)
        assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        assert np.array_equal(model.predict(X), model.classes_[np.argmax(proba, axis=1)])
        rows = np.vstack([model.predict_proba(X[i:i + 1]) for i in range(5)])
        assert_allclose(rows, proba[:5], rtol=0, atol=1e-12)
        assert model.score(X, labels, sample_weight=scoring_weight) == accuracy_score(
            labels, model.predict(X), sample_weight=scoring_weight)
        for names in (np.array(["a", "b"], dtype=object), np.array([-1, 1])):
            renamed = _fit_quietly(make(), X, names[labels], sample_weight=weight)
            assert_allclose(renamed.predict_proba(X), proba, rtol=0, atol=1e-9)


def test_guard_multi_task_score_is_the_mean_of_the_weighted_metrics():
    X, y, labels, weight = _data()
    Y = np.column_stack([y, labels])
    model = _fit_quietly(MultiGateMixtureOfExperts(tasks=["regression", "binary"],
                                                   max_iter=10, random_state=0),
                         X, Y, sample_weight=weight)
    predicted = np.asarray(model.predict(X), dtype=float)
    scoring_weight = np.random.RandomState(2).uniform(0.5, 2, len(X))
    by_hand = (r2_score(y, predicted[:, 0], sample_weight=scoring_weight)
               + accuracy_score(labels, predicted[:, 1], sample_weight=scoring_weight)) / 2
    assert model.score(X, Y, sample_weight=scoring_weight) == pytest.approx(by_hand, abs=1e-15)


def test_guard_ensemble_of_ridge_and_tree_fits_integer_weights_as_repeated_rows():
    # The ensembles pass the weights to their experts as given (integer
    # weights are repetitions; a penalised expert such as Ridge sees their
    # scale, so weights times 10 fit another Ridge there, by design).
    from skmoe import EnsembleRegressor
    X, y, _, weight = _data()
    rows = np.repeat(np.arange(len(X)), weight)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    weighted = EnsembleRegressor(experts).fit(X, y, sample_weight=weight)
    repeated = EnsembleRegressor(experts).fit(X[rows], y[rows])
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=1e-12)
