"""Numerical and API correctness of the mixtures' own modules (no call-site changes)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts
from skmoe.datasets import make_mmoe_tasks


def test_hetero_mmoe_probabilities_are_exact_distributions():
    # The gates' softmax is float32: mixed as is, rows summed to 1 +- 1e-7.
    X, Y = make_mmoe_tasks(n_samples=200, n_features=4, random_state=0)
    labels = (Y[:, 1] > np.median(Y[:, 1])).astype(int)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("deep", DecisionTreeRegressor(random_state=0)),
         ("shallow", DecisionTreeRegressor(max_depth=2, random_state=0))],
        tasks=["binary"], cv=2, max_iter=20, random_state=0).fit(X, labels)
    proba = model.predict_proba(X)[0]
    assert proba.min() >= 0.0 and proba.max() <= 1.0
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    log_loss(labels, proba)


@pytest.mark.parametrize("cv", [KFold(3), StratifiedKFold(3), "splits"])
def test_hetero_mmoe_accepts_a_cv_splitter(cv):
    X, Y = make_mmoe_tasks(n_samples=120, n_features=4, random_state=0)
    Y = np.column_stack([Y[:, 0], (Y[:, 1] > np.median(Y[:, 1])).astype(int)])
    if cv == "splits":
        cv = list(KFold(3).split(X))
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
    model = HeterogeneousMultiGateMixtureOfExperts(
        experts, tasks=["regression", "binary"], cv=cv, max_iter=10, random_state=0)
    assert model.fit(X, Y).predict(X).shape == (120, 2)


def test_hetero_mmoe_cv_must_partition_the_rows():
    X, Y = make_mmoe_tasks(n_samples=60, n_features=4, random_state=0)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        cv=ShuffleSplit(3, random_state=0), max_iter=5)
    with pytest.raises(ValueError, match="exactly one test fold"):
        model.fit(X, Y)


@pytest.mark.parametrize("training", ["gradient", "em"])
@pytest.mark.parametrize("task", ["regression", "classification"])
def test_mixture_cv_must_partition_the_rows(training, task):
    # A splitter that leaves rows out of every test fold left them without an
    # out-of-fold prediction: the gate was fitted on uninitialised memory and
    # the fit "worked".
    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=120)
    if task == "regression":
        model = MixtureOfExpertsRegressor(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))])
    else:
        from sklearn.linear_model import LogisticRegression
        from sklearn.tree import DecisionTreeClassifier
        y = (y > 0).astype(int)
        model = MixtureOfExpertsClassifier(
            [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))])
    model.set_params(training=training, cv=ShuffleSplit(3, test_size=0.2, random_state=0))
    with pytest.raises(ValueError, match="exactly one test fold"):
        model.fit(X, y)


@pytest.mark.parametrize("training", ["gradient", "em"])
def test_group_folds_are_passed_as_splits_and_a_group_splitter_is_named(training):
    # The docstring once offered cv=GroupKFold(5), which fit cannot hand
    # groups to: scikit-learn's "The 'groups' parameter should not be None"
    # surfaced from deep inside the cross-fit.
    from sklearn.model_selection import GroupKFold

    from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=120)
    groups = np.repeat(np.arange(12), 10)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]
    model = MixtureOfExpertsRegressor(experts, training=training, cv=GroupKFold(3),
                                      random_state=0)
    with pytest.raises(ValueError, match=r"needs groups: pass them to fit, fit\(X, y, "
                                         r"groups=groups\).*cv=list\(GroupKFold"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="needs groups"):
        EnsembleRegressor(experts, weights="greedy", cv=GroupKFold(3)).fit(X, y)
    model.set_params(cv=list(GroupKFold(3).split(X, y, groups)))
    assert np.all(np.isfinite(model.fit(X, y).predict(X)))
