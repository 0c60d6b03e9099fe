"""Sweep: scikit-learn conventions a user relies on (tags, display, refits, persistence)."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import is_classifier
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils import estimator_html_repr, get_tags

from skmoe import (EnsembleRegressor, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor)
from skmoe.experts import RuleExpert
from skmoe.gates import MLPGate

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _linear_rule(X, slope):
    return slope * X[:, 0]


def _threshold_rule(X, threshold):
    return X[:, 0] > threshold


@pytest.mark.parametrize("task, rule, params", [
    ("regression", _linear_rule, {"slope": 1.0}),
    ("classification", _threshold_rule, {"threshold": 0.0}),
])
def test_rule_expert_requires_y_as_scikit_learn_estimators_do(task, rule, params):
    # Before: target_tags.required was False (RuleExpert has no Regressor/
    # ClassifierMixin), and fit(X, None) failed with a bare "check_array() got
    # an unexpected keyword argument 'y_numeric'".
    expert = RuleExpert(rule, params=params, task=task)
    assert get_tags(expert).target_tags.required
    X = np.random.RandomState(0).randn(10, 2)
    with pytest.raises(ValueError, match="requires y to be passed"):
        expert.fit(X, None)


@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsRegressor(experts),
    lambda experts: EnsembleRegressor(experts),
    lambda experts: HierarchicalMixtureRegressor(experts, branching=(2,)),
])
def test_tags_and_display_of_an_expert_list_holding_a_non_estimator(make):
    # Before: get_tags raised AttributeError ('NoneType' object has no attribute
    # '__sklearn_tags__'), so is_classifier, the HTML display and
    # cross_val_score failed before fit could name the expert (scikit-learn's
    # VotingRegressor displays such a list).
    estimator = make([("ridge", Ridge()), ("later", None)])
    assert not is_classifier(estimator)
    assert not get_tags(estimator).input_tags.sparse
    assert "later" in estimator_html_repr(estimator)
    X = np.random.RandomState(0).randn(12, 2)
    with pytest.raises(TypeError, match="Expert 'later' is None"):
        cross_val_score(estimator, X, X[:, 0], cv=2, error_score="raise")


@pytest.mark.parametrize("make", [
    lambda gt: MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], gate=FAST_GATE,
        gate_transformer=gt, training="em", max_iter=2, random_state=0),
    lambda gt: HierarchicalMixtureRegressor(Ridge(), branching=(2,), gate=FAST_GATE,
                                            gate_transformer=gt, max_iter=2, random_state=0),
])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_tag_follows_a_gate_transformer_that_refuses_sparse_x(make):
    # Before: the sparse tag asked the experts only, so it said True while fit
    # on sparse X failed in the user's gate_transformer ("Cannot center sparse
    # matrices"); scikit-learn's check_estimator_sparse_tag failed.
    X = sparse.random(30, 3, density=0.5, format="csr", random_state=0)
    y = np.asarray(X[:, 0].todense()).ravel()
    refusing = make(StandardScaler())
    assert not get_tags(refusing).input_tags.sparse
    with pytest.raises(ValueError, match="sparse"):
        refusing.fit(X, y)
    taking = make(StandardScaler(with_mean=False))
    assert get_tags(taking).input_tags.sparse
    assert taking.fit(X, y).predict(X).shape == (30,)


@pytest.mark.parametrize("make", [
    lambda gt: MixtureOfExpertsRegressor(
        [("a", HistGradientBoostingRegressor(max_iter=5)),
         ("b", HistGradientBoostingRegressor(max_iter=5, max_depth=2))],
        gate=FAST_GATE, gate_transformer=gt, training="em", max_iter=2, random_state=0),
    lambda gt: HierarchicalMixtureRegressor(
        HistGradientBoostingRegressor(max_iter=5), branching=(2,), gate=FAST_GATE,
        gate_transformer=gt, max_iter=2, random_state=0),
])
def test_allow_nan_tag_follows_a_gate_transformer_that_refuses_nan(make):
    # Before: allow_nan asked the experts only, so it said True while fit on X
    # with NaN failed in the user's gate_transformer (PCA).
    assert get_tags(make("auto")).input_tags.allow_nan
    refusing = make(PCA(n_components=2))
    assert not get_tags(refusing).input_tags.allow_nan
    X = np.random.RandomState(0).randn(30, 3)
    y = X[:, 0].copy()
    X[::5, 1] = np.nan
    with pytest.raises(ValueError, match="PCA"):
        refusing.fit(X, y)


@pytest.mark.parametrize("make", [
    lambda experts: __import__("skmoe").MixtureOfExpertsClassifier(experts, random_state=0),
    lambda experts: __import__("skmoe").EnsembleClassifier(experts),
    lambda experts: __import__("skmoe").HierarchicalMixtureClassifier(
        experts, branching=(2,), max_iter=3, random_state=0),
], ids=["mixture", "ensemble", "hierarchical"])
def test_classifiers_give_log_probabilities(make):
    # scikit-learn's classifiers with predict_proba have predict_log_proba
    # (cross_val_predict(method="predict_log_proba") failed on the mixtures).
    import warnings

    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.tree import DecisionTreeClassifier
    X, y = load_iris(return_X_y=True)
    experts = [("logit", LogisticRegression(max_iter=500)),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make(experts).fit(X, y)
        log_proba = cross_val_predict(make(experts), X, y, cv=3,
                                      method="predict_log_proba")
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), model.predict_proba(X),
                               rtol=1e-12)
    assert log_proba.shape == (len(y), 3) and np.all(log_proba <= 0)
