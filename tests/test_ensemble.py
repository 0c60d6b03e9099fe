"""EnsembleRegressor / EnsembleClassifier: averaging and learned constant weights."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, ShuffleSplit, TimeSeriesSplit
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skmoe import EnsembleClassifier, EnsembleRegressor
from skmoe._ensemble import ensemble_selection


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



def test_set_params_replaces_an_expert_given_in_a_tuple():
    # scikit-learn replaces experts by name only in a list: with a tuple,
    # set_params(ols="drop") set a stray attribute and the expert stayed.
    X, y = load_diabetes(return_X_y=True)
    experts = (("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2)),
               ("ols", LinearRegression()))
    ensemble = EnsembleRegressor(experts).set_params(ols="drop", tree=Ridge(alpha=5.0))
    assert "ols" not in vars(ensemble) and "tree" not in vars(ensemble)
    assert ensemble.get_params()["ols"] == "drop"
    ensemble.fit(X, y)
    assert ensemble.expert_names_ == ["ridge", "tree"]
    assert isinstance(ensemble.named_experts_["tree"], Ridge)
    assert ensemble.named_experts_["tree"].alpha == 5.0
    assert experts[2][1] != "drop" and isinstance(experts[1][1], DecisionTreeRegressor)

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


# -- learned constant weights: ensemble selection (Caruana et al., 2004) ------
def test_ensemble_selection_by_hand():
    # y = 0; experts err by +1, -1 and +3 everywhere. Round 1 takes the first
    # of the two best (a), round 2 cancels it with b, and so on: a b a b.
    predictions = np.tile([1.0, -1.0, 3.0], (6, 1))
    weights = ensemble_selection(predictions, np.zeros(6), n_rounds=4)
    assert_array_equal(weights, [0.5, 0.5, 0.0])
    # Classification: probabilities of the true class; the log-loss of the
    # average is lowest with the confident expert alone.
    true_class = np.tile([0.9, 0.6, 0.2], (5, 1))
    assert_array_equal(ensemble_selection(true_class, None, 3, classifier=True), [1, 0, 0])


class _ColumnRegressor(RegressorMixin, BaseEstimator):
    """Predicts one input column as it is (an expert with a known error)."""

    def __init__(self, column=0):
        self.column = column

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.asarray(X)[:, self.column]


def test_greedy_puts_all_weight_on_a_perfect_expert():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 2))
    y = 2 * X[:, 0] + 1
    ensemble = EnsembleRegressor([("noisy", DummyRegressor()), ("ols", LinearRegression())],
                                 weights="greedy", random_state=0).fit(X, y)
    assert_array_equal(ensemble.weights_, [0.0, 1.0])
    assert_allclose(ensemble.predict(X), y)


@pytest.mark.parametrize("factor", [1e160, 1e300, 1e-160, 1e-300])
def test_greedy_weights_do_not_depend_on_the_units_of_y(factor):
    # Squared errors of y x 1e160 overflowed (of y x 1e-160 underflowed) to
    # ties, and the selection silently put all weight on the first expert.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=80)
    experts = [("dummy", DummyRegressor()), ("ridge", Ridge()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    unit = EnsembleRegressor(experts, weights="greedy", random_state=0).fit(X, y)
    scaled = EnsembleRegressor(experts, weights="greedy", random_state=0).fit(X, y * factor)
    assert unit.weights_[0] == 0.0
    assert_array_equal(scaled.weights_, unit.weights_)
    assert_allclose(scaled.predict(X) / factor, unit.predict(X), rtol=1e-9)


def test_greedy_selects_both_experts_with_independent_errors():
    rng = np.random.RandomState(0)
    y = rng.normal(size=400)
    X = np.column_stack([y + rng.normal(size=400), y + rng.normal(size=400)])
    ensemble = EnsembleRegressor([("a", _ColumnRegressor(0)), ("b", _ColumnRegressor(1))],
                                 weights="greedy", n_rounds=20, random_state=0).fit(X, y)
    assert ensemble.weights_.sum() == pytest.approx(1.0)
    assert np.all(ensemble.weights_ >= 0.3)  # averaging halves the error variance
    assert_allclose(ensemble.predict(X), X @ ensemble.weights_)


def test_greedy_sample_weight_reaches_the_selection_and_the_experts():
    X = np.linspace(-1, 1, 60).reshape(-1, 1)
    y = np.where(X[:, 0] < 0, 0.0, 10.0)
    experts = [("low", DummyRegressor(strategy="constant", constant=0.0)),
               ("mean", DummyRegressor())]
    left = (X[:, 0] < 0).astype(float)
    ensemble = EnsembleRegressor(experts, weights="greedy", random_state=0)
    assert_array_equal(ensemble.fit(X, y, sample_weight=left).weights_, [1.0, 0.0])
    # The weighted mean expert learned the weighted mean (0), not 5.
    assert ensemble.named_experts_["mean"].predict(X[:1]) == pytest.approx(0.0)


def test_greedy_classifier_weights_and_probabilities():
    X, y = load_iris(return_X_y=True)
    experts = [("lr", make_pipeline(StandardScaler(), LogisticRegression())),
               ("nb", GaussianNB()), ("stump", DecisionTreeClassifier(max_depth=1))]
    ensemble = EnsembleClassifier(experts, weights="greedy", n_rounds=10, random_state=0)
    ensemble.fit(X, np.array(["a", "b", "c"])[y])
    assert ensemble.weights_.sum() == pytest.approx(1.0)
    assert ensemble.weights_[2] == 0  # a stump never improves the log-loss here
    # The weighted average, with a 1/n^2 share of the class frequencies (1/3 each).
    share = 1.0 / len(y) ** 2
    assert ensemble.class_prior_[0] == share
    assert_allclose(ensemble.predict_proba(X),
                    (1 - share) * np.einsum("nmc,m->nc", ensemble.predict_experts(X),
                                            ensemble.weights_) + share / 3, rtol=1e-12)
    again = clone(ensemble).fit(X, np.array(["a", "b", "c"])[y])
    assert_array_equal(again.weights_, ensemble.weights_)  # random_state fixes the folds
    splitter = EnsembleClassifier(experts, weights="greedy", cv=KFold(3, shuffle=True,
                                                                    random_state=0))
    assert splitter.fit(X, y).score(X, y) > 0.9


def test_greedy_in_pipeline_and_grid_search():
    X, y = load_diabetes(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), EnsembleRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
        weights="greedy", cv=3, random_state=0))
    grid = GridSearchCV(pipe, {"ensembleregressor__n_rounds": [1, 5],
                               "ensembleregressor__tree__max_depth": [2, 3]}, cv=2).fit(X, y)
    weights = grid.best_estimator_[-1].weights_
    assert weights.shape == (2,) and weights.sum() == pytest.approx(1.0)


def test_user_weights_with_drop_and_hard_voting():
    X, y = load_iris(return_X_y=True)
    experts = [("lr", LogisticRegression(max_iter=1000)), ("nb", GaussianNB()),
               ("tree", DecisionTreeClassifier(max_depth=1))]
    ensemble = EnsembleClassifier(experts, voting="hard", weights=[3, 1, 1]).fit(X, y)
    assert_allclose(ensemble.weights_, [0.6, 0.2, 0.2])
    assert_array_equal(ensemble.predict(X), ensemble.named_experts_["lr"].predict(X))
    ensemble.set_params(nb="drop").fit(X, y)
    assert ensemble.expert_names_ == ["lr", "tree"]
    assert_allclose(ensemble.weights_, [0.75, 0.25])
    with pytest.raises(ValueError, match="one weight per expert"):
        EnsembleRegressor([("a", Ridge()), ("b", Ridge())], weights=[1, 2, 3]).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        EnsembleRegressor([("a", Ridge()), ("b", Ridge())], weights=[1, -1]).fit(X, y)
    with pytest.raises(InvalidParameterError, match="weights"):
        EnsembleRegressor([("a", Ridge()), ("b", Ridge())], weights="best").fit(X, y)


# -- issues ---------------------------------------------------------------
class _NaNRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.full(len(X), np.nan)


class _NaNClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), np.nan)


class _BrokenRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        raise ValueError("the solver exploded")


def test_nan_from_an_expert_is_an_error_naming_it():
    X, y = load_iris(return_X_y=True)
    regressor = EnsembleRegressor([("ridge", Ridge()), ("nan", _NaNRegressor())]).fit(X, y)
    with pytest.raises(ValueError, match="Expert 'nan' returned NaN"):
        regressor.predict(X)
    classifier = EnsembleClassifier([("lr", LogisticRegression(max_iter=1000)),
                                     ("nan", _NaNClassifier())]).fit(X, y)
    with pytest.raises(ValueError, match="Expert 'nan' returned NaN"):
        classifier.predict_proba(X)
    with pytest.raises(ValueError, match="Expert 'nan' returned NaN"):
        classifier.predict(X)


def test_an_expert_failing_to_fit_is_named():
    X, y = load_diabetes(return_X_y=True)
    for weights in (None, "greedy"):
        ensemble = EnsembleRegressor([("ridge", Ridge()), ("broken", _BrokenRegressor())],
                                     weights=weights)
        with pytest.raises(ValueError, match="Expert 'broken'.*the solver exploded"):
            ensemble.fit(X, y)


def test_numpy_integers_are_valid_parameters():
    X, y = load_diabetes(return_X_y=True)
    ensemble = EnsembleRegressor(DecisionTreeRegressor(max_depth=2), n_experts=np.int64(2),
                                 n_jobs=np.int64(1), random_state=0)
    assert ensemble.fit(X, y).predict(X[:3]).shape == (3,)
    greedy = EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())],
                               weights="greedy", cv=np.int64(3), n_rounds=np.int64(5))
    assert greedy.fit(X, y).weights_.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("cv", [ShuffleSplit(2, test_size=0.3, random_state=0),
                                TimeSeriesSplit(3), [(np.arange(60), np.arange(60, 120))]],
                         ids=["shuffle-split", "time-series", "one-split"])
@pytest.mark.parametrize("classifier", [False, True])
def test_greedy_needs_folds_that_partition_the_rows(cv, classifier):
    # Rows in no test fold had no out-of-fold prediction: the selection read
    # uninitialised memory for them (np.empty) and returned weights anyway.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    if classifier:
        y = (X[:, 0] > 0).astype(int)
        experts = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))]
        ensemble = EnsembleClassifier(experts, weights="greedy", cv=cv, n_rounds=5)
    else:
        y = X[:, 0] + 0.1 * rng.normal(size=120)
        experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]
        ensemble = EnsembleRegressor(experts, weights="greedy", cv=cv, n_rounds=5)
    with pytest.raises(ValueError, match="exactly one test fold"):
        ensemble.fit(X, y)
