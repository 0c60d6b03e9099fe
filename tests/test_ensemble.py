"""EnsembleRegressor / EnsembleClassifier: the averaging baseline."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import EnsembleClassifier, EnsembleRegressor


def test_regressor_is_the_weighted_average_of_its_experts():
    X, y = load_diabetes(return_X_y=True)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3)),
               ("ols", LinearRegression())]
    ensemble = EnsembleRegressor(experts, weights=[1, 2, 1]).fit(X, y)
    each = ensemble.predict_experts(X)
    assert each.shape == (len(X), 3)
    assert_allclose(each[:, 1], ensemble.named_experts_["tree"].predict(X))
    assert_allclose(ensemble.predict(X), each @ np.array([1, 2, 1]) / 4)


def test_drop_and_grid_search():
    X, y = load_diabetes(return_X_y=True)
    ensemble = EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor()),
                                  ("ols", LinearRegression())])
    ensemble.set_params(ols="drop")
    grid = GridSearchCV(ensemble, {"tree__max_depth": [1, 3]}, cv=2).fit(X, y)
    assert grid.best_estimator_.expert_names_ == ["ridge", "tree"]


def test_homogeneous_ensemble_copies_differ():
    X, y = load_diabetes(return_X_y=True)
    ensemble = EnsembleRegressor(DecisionTreeRegressor(max_depth=3, max_features=0.5), n_experts=3,
                                 random_state=0).fit(X, y)
    each = ensemble.predict_experts(X[:50])
    assert not np.allclose(each[:, 0], each[:, 1])


def test_classifier_soft_voting_with_string_labels():
    X, y = load_iris(return_X_y=True)
    labels = np.array(["a", "b", "c"])[y]
    experts = [("lr", make_pipeline(StandardScaler(), LogisticRegression())),
               ("nb", GaussianNB()), ("tree", DecisionTreeClassifier(max_depth=2))]
    ensemble = EnsembleClassifier(experts).fit(X, labels)
    each = ensemble.predict_experts(X)
    assert each.shape == (150, 3, 3)
    assert_allclose(ensemble.predict_proba(X), each.mean(axis=1))
    assert_array_equal(ensemble.classes_, ["a", "b", "c"])
    assert ensemble.score(X, labels) > 0.9
    restored = pickle.loads(pickle.dumps(ensemble))
    assert_array_equal(restored.predict(X), ensemble.predict(X))


def test_hard_voting_has_no_predict_proba():
    X, y = load_iris(return_X_y=True)
    ensemble = EnsembleClassifier([("svc", SVC()), ("tree", DecisionTreeClassifier())],
                                  voting="hard").fit(X, y)
    assert not hasattr(ensemble, "predict_proba")
    assert ensemble.score(X, y) > 0.9


def test_bad_input():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(TypeError, match="Expert 'svc'.*predict_proba"):
        EnsembleClassifier([("lr", LogisticRegression()), ("svc", SVC())]).fit(X, y)
    with pytest.raises(ValueError, match="at least two experts"):
        EnsembleClassifier([("lr", LogisticRegression())]).fit(X, y)
    with pytest.raises(ValueError, match="one class"):
        EnsembleClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())]).fit(
            X, np.ones(150))
    with pytest.raises(TypeError, match="Expert 'lr'.*classifier"):
        EnsembleRegressor([("lr", LogisticRegression()), ("r", Ridge())]).fit(X, y)
