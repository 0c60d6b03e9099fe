"""scikit-learn integration sweep: the estimators inside scikit-learn's tools."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone, is_regressor
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeRegressor

from skmoe import (CrossFitAverage, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts)


def _regimes(n=90):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] > 0, 3 * X[:, 1], -X[:, 2]) + 0.1 * rng.normal(size=n)
    return X, y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_cross_fit_average_works_in_the_inspection_tools():
    # The default regressor deploys each expert as a CrossFitAverage, which had
    # no fit: partial_dependence and permutation_importance of a mixture's
    # expert refused it ("The 'estimator' parameter of partial_dependence must
    # be an object implementing 'fit' and 'predict' ...").
    X, y = _regimes()
    fits = [Ridge().fit(X[:60], y[:60]), Ridge().fit(X[30:], y[30:])]
    average = CrossFitAverage(fits)
    assert average.fit(X, y) is average                   # the fits are kept as made
    assert average.estimators_[0] is fits[0]
    mean = (fits[0].predict(X) + fits[1].predict(X)) / 2
    assert_allclose(average.score(X, y), r2_score(y, mean))
    grid = np.array([-1.0, 0.0, 1.0])
    pd = partial_dependence(average, X, [0], custom_values={0: grid})["average"][0]
    coef = (fits[0].coef_[0] + fits[1].coef_[0]) / 2          # a line: its slope
    assert_allclose(np.diff(pd), coef * np.diff(grid))
    importance = permutation_importance(average, X, y, n_repeats=2, random_state=0)
    assert importance.importances_mean.shape == (3,)
    # The mixture's own deployed expert, as a user inspects it.
    moe = MixtureOfExpertsRegressor([("ridge", Ridge()),
                                     ("tree", DecisionTreeRegressor(max_depth=3))],
                                    max_epochs=5, random_state=0)
    moe.fit(X, y)
    tree = moe.named_experts_["tree"]
    assert isinstance(tree, CrossFitAverage)
    assert partial_dependence(tree, X, [1], grid_resolution=4)["average"].shape == (1, 4)
    # Classification: accuracy on the encoded labels it predicts.
    labels = (y > 0).astype(int)
    logits = [LogisticRegression().fit(X[:60], labels[:60]),
              LogisticRegression().fit(X[30:], labels[30:])]
    proba = (logits[0].predict_proba(X) + logits[1].predict_proba(X)) / 2
    classifier = CrossFitAverage(logits, n_classes=2)
    assert_allclose(classifier.score(X, labels), accuracy_score(labels, proba.argmax(1)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", ["mmoe", "hetero"])
def test_a_multi_task_regression_is_a_regressor_for_partial_dependence(make):
    # Its tags named no estimator type: partial_dependence of a multi-task
    # regression failed with "'estimator' must be a fitted regressor or classifier".
    X, y = _regimes()
    Y = np.c_[y, 2 * X[:, 0]]
    if make == "mmoe":
        model = MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=5,
                                          random_state=0)
    else:
        model = HeterogeneousMultiGateMixtureOfExperts(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
            max_iter=10, random_state=0)
    assert is_regressor(model) and is_regressor(clone(model).set_params(tasks="regression"))
    assert not is_regressor(clone(model).set_params(tasks=["regression", "binary"]))
    model.fit(X, Y)
    grid = np.array([-1.0, 0.0, 1.0])
    average = partial_dependence(model, X, [0], custom_values={0: grid})["average"]
    # One curve per task: the mean prediction with column 0 set to each value.
    expected = [model.predict(np.c_[np.full(len(X), v), X[:, 1:]]).mean(axis=0) for v in grid]
    assert_allclose(average, np.array(expected).T, rtol=1e-5)
