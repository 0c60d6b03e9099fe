"""Wrong-number sweep, round 34: invariances and equivalences -- a row's
prediction against the other rows predicted with it under the stacked and
the jointly trained gates, integer weights against repeated rows, y
shifted and scaled, classes renamed, copies and pickles, each against an
independent computation.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)


def _quietly(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the short fits
        return model.fit(X, y, sample_weight=sample_weight)


def _regression(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + np.abs(X[:, 1]) + 0.3 * rng.normal(size=n)


def _classification(n=120):
    # Two regimes (x2 > 0: a line; else a disc), where the stacked gate
    # takes most of the candidate blend (0.77 here).
    rng = np.random.RandomState(1)
    X = rng.normal(size=(n, 3))
    disc = X[:, 0] ** 2 + X[:, 1] ** 2 < 1.5
    return X, np.where(X[:, 2] > 0, X[:, 0] > 0, disc).astype(int)


def _regression_experts():
    return [("ridge", Ridge()), ("knn", KNeighborsRegressor(5)),
            ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]


def _classification_experts():
    return [("lr", LogisticRegression()), ("knn", KNeighborsClassifier(7)),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]


def _stacked(task):
    if task == "regressor":
        X, y = _regression()
        model = _quietly(MixtureOfExpertsRegressor(_regression_experts(), random_state=0),
                         X, y)
        return model, X, model.predict
    X, y = _classification()
    model = _quietly(MixtureOfExpertsClassifier(_classification_experts(), random_state=0),
                     X, y)
    return model, X, model.predict_proba


# Fix: the stacked gate (the default training) predicted with its float32
# networks, and float32's batched products round by how many rows they hold:
# a row's gate weights moved by 5.6e-8 between one call and two chunks, the
# regressor's prediction by 6.6e-9 (the classifier's probabilities 7.2e-9),
# although the user guide says a row's prediction does not depend on the
# other rows predicted with it. The gate now predicts in float64
# (_blend.py: gate.use_module(module, dtype=torch.float64)); 7e-16 now.
@pytest.mark.parametrize("task", ["regressor", "classifier"])
def test_stacked_gate_predicts_a_row_whatever_rows_come_with_it(task):
    model, X, predict = _stacked(task)
    assert model.candidate_weights_["gate"] > 0.1   # the gate has a share to show
    whole, gate = predict(X), model.predict_gate(X)
    scale = np.abs(whole).max()
    chunks = np.concatenate([predict(X[:25]), predict(X[25:])])
    alone = np.concatenate([predict(X[i:i + 1]) for i in range(0, len(X), 7)])
    order = np.random.RandomState(0).permutation(len(X))
    assert_allclose(chunks, whole, rtol=0, atol=1e-12 * scale)
    assert_allclose(alone, whole[::7], rtol=0, atol=1e-12 * scale)
    assert_allclose(predict(X[order]), whole[order], rtol=0, atol=1e-12 * scale)
    assert_allclose(np.concatenate([model.predict_gate(X[:25]), model.predict_gate(X[25:])]),
                    gate, rtol=0, atol=1e-12)


# Fix as above for the gate trained jointly by gradient (top_k, torch
# experts): float32 too, its weights moved by 3.0e-8 for a row alone, the
# prediction by 3.5e-8; it now predicts in float64 (_gradient.py), 4e-16.
def test_joint_gate_predicts_a_row_whatever_rows_come_with_it():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = X[:, 0] + np.abs(X[:, 1]) + np.sin(3 * X[:, 2]) + 0.3 * rng.normal(size=200)
    model = _quietly(MixtureOfExpertsRegressor(_regression_experts(), top_k=3, max_epochs=30,
                                               random_state=0), X, y)
    whole, gate = model.predict(X), model.predict_gate(X)
    rows = range(0, len(X), 2)
    alone = np.concatenate([model.predict(X[i:i + 1]) for i in rows])
    gate_alone = np.concatenate([model.predict_gate(X[i:i + 1]) for i in rows])
    assert_allclose(alone, whole[::2], rtol=0, atol=1e-12 * np.abs(whole).max())
    assert_allclose(gate_alone, gate[::2], rtol=0, atol=1e-12)


def test_guard_stacked_gate_predicts_the_same_after_a_pickle_a_copy_and_a_refit():
    # (The float64 gate survives pickle and deepcopy; a clone refits it bit for bit.)
    model, X, predict = _stacked("regressor")
    whole = predict(X)
    for other in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert_allclose(other.predict(X), whole, rtol=0, atol=0)
    _, y = _regression()
    assert_allclose(_quietly(clone(model), X, y).predict(X), whole, rtol=0, atol=0)


# ---------------------------------------------------------------- guards
def test_guard_exact_em_fits_integer_weights_as_repeated_rows():
    # Exact EM (cv=None) from the uniform start with experts that take
    # weights and have no penalty, whose fit on weights 2 is their fit on
    # the row twice: the weights (rescaled to mean one) are the repeated rows.
    # Not with penalised experts (Ridge's alpha against weights of mean
    # one), folds or k-means starts (which take rows by position).
    X, y = _regression()
    rows = [0, 5]
    weights = np.ones(len(y))
    weights[rows] = 2
    experts = [("ols", LinearRegression()), ("ridge", Ridge(1e-12))]
    make = lambda: MixtureOfExpertsRegressor(experts, training="em", cv=None,  # noqa
                                             init_params="uniform", max_iter=3,
                                             random_state=0)
    weighted = _quietly(make(), X, y, weights)
    repeated = _quietly(make(), np.vstack([X, X[rows]]), np.concatenate([y, y[rows]]))
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=1e-12)
    assert_allclose(weighted.predict_gate(X), repeated.predict_gate(X), rtol=0, atol=1e-7)


@pytest.mark.parametrize("config, atol", [
    (dict(), 1e-6), (dict(training="em", max_iter=3), 1e-12),
    (dict(training="em", cv=None, max_iter=3), 1e-12), (dict(top_k=1, max_epochs=10), 1e-12)],
    ids=["stacked", "em", "exact em", "top-1"])
def test_guard_y_shifted_and_scaled_moves_the_predictions_with_it(config, atol):
    # y + 100 and 7 y with Ridge and kNN experts (no tree: its ties between
    # equal splits break by rounding, which a scaled y changes: 62 of 200
    # weighted DecisionTreeRegressor fits on 30 rows were not 3.3 times
    # those of y). The stacked gate trains float32 networks, which the last
    # bits of the standardised outputs move by float32 rounding (3e-8 here).
    X, y = _regression()
    experts = _regression_experts()[:2]
    make = lambda: MixtureOfExpertsRegressor(experts, random_state=0, **config)  # noqa
    plain = _quietly(make(), X, y).predict(X)
    assert_allclose(_quietly(make(), X, y + 100).predict(X) - 100, plain, rtol=0, atol=atol)
    assert_allclose(_quietly(make(), X, 7 * y).predict(X) / 7, plain, rtol=0, atol=atol)


@pytest.mark.parametrize("voting", ["soft", "hard"])
def test_guard_renamed_classes_permute_the_vote_except_hard_votes_tied(voting):
    # 0/1/2 renamed c/a/b: classes_ sorted, the soft vote's columns follow.
    # A hard vote of three experts tied one class each goes to the first of
    # classes_ (as VotingClassifier's does), as does an expert's own vote
    # between tied probabilities (3/7 and 3/7 of 7 neighbours), so a renaming
    # that reorders the classes changes those rows, and only those.
    X, y = _classification()
    rng = np.random.RandomState(0)
    y = np.where(rng.uniform(size=len(y)) < 0.3, 2, y)
    names = np.array(["c", "a", "b"])
    plain = _quietly(EnsembleClassifier(_classification_experts(), voting=voting), X, y)
    renamed = _quietly(EnsembleClassifier(_classification_experts(), voting=voting),
                       X, names[y])
    assert list(renamed.classes_) == ["a", "b", "c"]
    if voting == "soft":
        assert_allclose(renamed.predict_proba(X)[:, [2, 0, 1]], plain.predict_proba(X),
                        rtol=0, atol=1e-12)
        assert np.array_equal(renamed.predict(X), names[plain.predict(X)])
        return
    proba = plain.predict_experts(X)                      # (n, experts, classes)
    top_two = np.sort(proba, axis=2)[:, :, -2:]
    votes = proba.argmax(axis=2)
    tied = (np.array([len(set(row)) == 3 for row in votes])
            | (top_two[:, :, 0] == top_two[:, :, 1]).any(axis=1))
    same = renamed.predict(X) == names[plain.predict(X)]
    assert np.all(same[~tied]) and tied.any()
