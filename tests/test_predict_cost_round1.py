"""What one predict of a mixture costs in expert calls (benchmarks/results/predict_cost.md).

The default regressor predicts about 5x as long as ``StackingRegressor(cv=5)``
on the same experts because it deploys each expert as the average of its
``cv`` fold fits (``refit_experts='auto'``): one predict is ``cv`` predicts
per expert, each fold fit called once, and nothing more (no expert called a
second time for the stacked gate's inputs, the spread or the heads).
Refitted experts (``refit_experts=True``, the classifier's default, EM) are
called once each. Counted with experts that count their own calls.
"""

from collections import Counter

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import CrossFitAverage, MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

# The gate's few epochs (max_epochs=5, for speed) are not what is tested.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Calls by expert tag and method, and by fitted model (id), since the last reset.
CALLS = Counter()
CALLS_PER_MODEL = Counter()


def _count(model, method):
    CALLS[model.tag, method] += 1
    CALLS_PER_MODEL[id(model)] += 1


def _reset():
    CALLS.clear()
    CALLS_PER_MODEL.clear()


class CountingRegressor(RegressorMixin, BaseEstimator):
    """A ridge (``depth=None``) or a tree of that depth that counts its predicts."""

    def __init__(self, tag="expert", depth=None):
        self.tag = tag
        self.depth = depth

    def fit(self, X, y, sample_weight=None):
        model = Ridge() if self.depth is None else DecisionTreeRegressor(
            max_depth=self.depth, random_state=0)
        self.model_ = model.fit(X, y, sample_weight=sample_weight)
        self.n_features_in_ = self.model_.n_features_in_
        return self

    def predict(self, X):
        _count(self, "predict")
        return self.model_.predict(X)


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """A logistic regression (``depth=None``) or a tree that counts its calls."""

    def __init__(self, tag="expert", depth=None):
        self.tag = tag
        self.depth = depth

    def fit(self, X, y, sample_weight=None):
        model = LogisticRegression() if self.depth is None else DecisionTreeClassifier(
            max_depth=self.depth, random_state=0)
        self.model_ = model.fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self.n_features_in_ = self.model_.n_features_in_
        return self

    def predict_proba(self, X):
        _count(self, "predict_proba")
        return self.model_.predict_proba(X)

    def predict(self, X):
        _count(self, "predict")
        return self.model_.predict(X)


def _steps(n=240, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, np.sign(X[:, 0]) + np.sin(2 * X[:, 1]) + 0.3 * rng.normal(size=n)


def _regressors():
    return [("ridge", CountingRegressor("ridge")), ("tree", CountingRegressor("tree", 4))]


def _classifiers():
    return [("logit", CountingClassifier("logit")), ("tree", CountingClassifier("tree", 3))]


def test_default_regressor_calls_each_fold_fit_once_per_predict():
    X, y = _steps()
    moe = MixtureOfExpertsRegressor(_regressors(), cv=4, random_state=0,
                                    max_epochs=5).fit(X, y)
    assert moe.training_ == "gradient"
    assert all(isinstance(e, CrossFitAverage) and len(e.estimators) == 4
               for e in moe.experts_)
    folds = [f for e in moe.experts_ for f in e.estimators]
    for return_std in (False, True):
        _reset()
        moe.predict(X[:30], return_std=return_std)
        # cv predicts per expert -- the whole of the cost over Stacking's --
        # and none twice: the stacked gate's inputs, the spread and the heads
        # read the outputs computed once.
        assert CALLS == {("ridge", "predict"): 4, ("tree", "predict"): 4}
        assert CALLS_PER_MODEL == {id(f): 1 for f in folds}


def test_refitted_regressor_calls_each_expert_once_per_predict():
    X, y = _steps()
    moe = MixtureOfExpertsRegressor(_regressors(), cv=4, random_state=0, max_epochs=5,
                                    refit_experts=True).fit(X, y)
    _reset()
    moe.predict(X[:30])
    assert CALLS == {("ridge", "predict"): 1, ("tree", "predict"): 1}
    assert CALLS_PER_MODEL == {id(e): 1 for e in moe.experts_}


def test_refit_share_calls_the_refit_and_each_fold_fit_once():
    X, y = _steps()
    moe = MixtureOfExpertsRegressor(_regressors(), cv=4, random_state=0, max_epochs=5,
                                    refit_experts=0.5).fit(X, y)
    _reset()
    moe.predict(X[:30])
    assert CALLS == {("ridge", "predict"): 5, ("tree", "predict"): 5}
    assert set(CALLS_PER_MODEL.values()) == {1}


def test_default_regressors_prediction_is_its_gate_over_the_fold_averages():
    # What the counted calls give is all predict uses: the same numbers
    # from the experts' averages computed once, outside the mixture.
    X, y = _steps()
    moe = MixtureOfExpertsRegressor(_regressors(), cv=4, random_state=0,
                                    max_epochs=5).fit(X, y)
    averages = np.column_stack([np.mean([f.predict(X[:30]) for f in e.estimators], axis=0)
                                for e in moe.experts_])
    assert_allclose(moe.predict_experts(X[:30]), averages, rtol=1e-12)
    _reset()
    moe.predict_experts(X[:30])
    assert CALLS == {("ridge", "predict"): 4, ("tree", "predict"): 4}


@pytest.mark.parametrize("method", ["predict_proba", "predict"])
def test_default_classifier_calls_each_refit_once_per_prediction(method):
    X, y = _steps()
    y = (y > 0).astype(int)
    moe = MixtureOfExpertsClassifier(_classifiers(), cv=4, random_state=0,
                                     max_epochs=5).fit(X, y)
    _reset()
    getattr(moe, method)(X[:30])
    # The classifier refits (refit_experts='auto'): one call of each
    # expert's predict_proba, whichever method was asked for.
    assert CALLS == {("logit", "predict_proba"): 1, ("tree", "predict_proba"): 1}
    assert CALLS_PER_MODEL == {id(e): 1 for e in moe.experts_}


def test_em_mixture_calls_each_expert_once_per_predict():
    X, y = _steps()
    moe = MixtureOfExpertsRegressor(_regressors(), training="em", max_iter=3,
                                    random_state=0).fit(X, y)
    _reset()
    moe.predict(X[:30])
    assert CALLS == {("ridge", "predict"): 1, ("tree", "predict"): 1}
