"""Sweep of class labels and the probability API: defects found, each with its fix."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Perceptron, Ridge, RidgeClassifier
from sklearn.metrics import get_scorer, log_loss
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsClassifier, MultiGateMixtureOfExperts, compare)


def _data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("rare_rows", [
    [0, 25],   # binary: the last test fold holds class 0 only ("y_true contains only one label")
    None,      # three classes, the last test fold two ("different number of classes: 2 vs 3")
])
def test_compare_scores_log_loss_on_a_fold_missing_a_class(rare_rows):
    # A class rarer than the folds is missing from some test fold: compare()
    # stopped with scikit-learn's log-loss error, which asks for a labels
    # argument compare() does not take. That fold is now scored over all
    # classes; the others exactly as scikit-learn's scorer scores them.
    X, y = _data()
    if rare_rows is None:
        y[[0, 25]] = 2
    else:
        y = np.zeros(len(y), dtype=int)
        y[rare_rows] = 1
    splits = list(KFold(3).split(X))
    models = {"lr": LogisticRegression(), "tree": DecisionTreeClassifier(max_depth=2,
                                                                         random_state=0)}
    result = compare(models, X, y, cv=splits)
    classes = np.unique(y)
    for name, model in models.items():
        for k, (train, test) in enumerate(splits):
            fitted = clone(model).fit(X[train], y[train])
            if k < 2:
                expected = get_scorer("neg_log_loss")(fitted, X[test], y[test])
                assert result.scores[name]["neg_log_loss"][k] == expected
            else:
                assert len(np.unique(y[test])) < len(classes)
                expected = -log_loss(y[test], fitted.predict_proba(X[test]), labels=classes)
                assert_allclose(result.scores[name]["neg_log_loss"][k], expected, rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(["regression", "multiclass"], n_experts=2,
                                      expert_units=4, max_iter=2, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        tasks=["regression", "multiclass"], max_iter=2, cv=2, random_state=0),
])
def test_huge_integer_labels_beside_a_float_task_stay_apart(make):
    # A DataFrame y with a float column made every column float64: the labels
    # 2**62 and 2**62 - 1 became one float and one class, silently.
    pd = pytest.importorskip("pandas")
    X, codes = _data()
    codes[X[:, 2] > 0.5] = 2
    labels = np.array([2 ** 62, 2 ** 62 - 1, -2 ** 62], dtype=np.int64)
    Y = pd.DataFrame({"value": X[:, 1] * 2.0, "label": labels[codes]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the tiny fits
        model = make().fit(X, Y)
    assert [int(c) for c in model.classes_[1]] == sorted(labels.tolist())
    assert set(model.predict(X)[:, 1].tolist()) <= set(labels.tolist())
    assert model.predict_proba(X)[1].shape == (len(X), 3)
    assert 0 <= model.score(X, Y) <= 1


@pytest.mark.parametrize("expert", [RidgeClassifier(), Perceptron()])
@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsClassifier(experts, max_epochs=2, random_state=0),
    lambda experts: EnsembleClassifier(experts),
])
def test_an_expert_with_decision_function_only_is_told_to_calibrate(make, expert):
    # The message gave an SVC's remedy (probability=True) only, which a
    # RidgeClassifier or a Perceptron does not have.
    X, y = _data()
    kind = type(expert).__name__
    with pytest.raises(TypeError, match=rf"Expert 'bad' \({kind}\) has no predict_proba; "
                                        r".*wrap it in CalibratedClassifierCV"):
        make([("lr", LogisticRegression()), ("bad", expert)]).fit(X, y)
