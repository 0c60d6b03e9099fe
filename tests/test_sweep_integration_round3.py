"""scikit-learn integration sweep, round 3: the estimators inside the tools.

Probed (every public estimator where it applies), no defect found:

- ``cross_validate`` with ``return_estimator``, ``return_indices``,
  ``error_score='raise'`` and ``n_jobs=2`` searches (``GridSearchCV`` with a
  callable ``refit`` over multi-metric scoring, ``RandomizedSearchCV``,
  ``HalvingGridSearchCV`` with ``resource='max_iter'``/``'max_epochs'``);
  ``AdaBoostClassifier``/``AdaBoostRegressor``, ``BaggingRegressor`` and
  ``VotingRegressor`` with ``sample_weight``; ``CalibratedClassifierCV``
  (the weights change the fit); ``ClassifierChain``; weighted
  ``partial_dependence`` and ``permutation_importance``; ``score`` with
  weights (zeros included) equal to the weighted metric, every estimator.
- ``enable_metadata_routing=True``: ``set_fit_request(sample_weight='w')``
  aliases and ``set_fit_request(sample_weight=False)`` beside a weighted
  scorer, for every estimator; ``groups`` routed to a mixture's, an
  ensemble's and the heterogeneous MMoE's own ``GroupKFold`` through
  ``cross_validate`` and ``GridSearchCV`` (and the legacy ``params=``).
- ``transform_output='pandas'``/``'polars'`` (predictions equal the default
  config's), ``AutoGateTransformer.get_feature_names_out`` in a Pipeline and
  a ColumnTransformer; ``joblib.load(mmap_mode='r')`` then predict and refit;
  ``clone``/``estimator_html_repr`` of a weighted ``CrossFitAverage``; the
  parameters (experts, gate, gate_transformer) are not fitted in place.

These tests pin some of those figures, checked by hand.
"""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import make_scorer, r2_score
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, cross_validate
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureClassifier, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=120):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] > 0, 3 * X[:, 1], -X[:, 2]) + 0.1 * rng.normal(size=n)
    labels = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y, labels


def test_aliased_and_refused_weights_are_routed_as_asked():
    X, y, _ = _data()
    weight = np.r_[np.ones(60), 8 * np.ones(60)]
    folds = list(KFold(3).split(X))
    model = MixtureOfExpertsRegressor([("ridge", Ridge()),
                                       ("tree", DecisionTreeRegressor(max_depth=2))],
                                      max_epochs=3, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        weighted_r2 = make_scorer(r2_score).set_score_request(sample_weight=True)
        aliased = cross_validate(
            clone(model).set_fit_request(sample_weight="w").set_score_request(sample_weight="w"),
            X, y, cv=folds, params={"w": weight})["test_score"]
        refused = cross_validate(clone(model).set_fit_request(sample_weight=False), X, y,
                                 cv=folds, scoring=weighted_r2,
                                 params={"sample_weight": weight})["test_score"]
    assert_allclose(aliased, [
        clone(model).fit(X[tr], y[tr], sample_weight=weight[tr])
        .score(X[te], y[te], sample_weight=weight[te]) for tr, te in folds])
    assert_allclose(refused, [
        r2_score(y[te], clone(model).fit(X[tr], y[tr]).predict(X[te]), sample_weight=weight[te])
        for tr, te in folds])
    assert not np.allclose(aliased, refused)


@pytest.mark.parametrize("make", [
    lambda: (EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
                               weights="greedy", cv=GroupKFold(3), random_state=0), 1),
    lambda: (HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        cv=GroupKFold(3), max_iter=3, random_state=0), 2)])
def test_groups_reach_the_estimators_own_folds_through_a_search(make):
    X, y, _ = _data()
    groups = np.arange(len(y)) // 10
    model, n_tasks = make()
    target = y if n_tasks == 1 else np.c_[y, 2 * y]
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(clone(model).set_fit_request(groups=True),
                              {"random_state": [0]}, cv=GroupKFold(2)).fit(X, target,
                                                                          groups=groups)
    outer = list(GroupKFold(2).split(X, target, groups))
    assert_allclose(search.cv_results_["mean_test_score"][0], np.mean(
        [clone(model).fit(X[tr], target[tr], groups=groups[tr]).score(X[te], target[te])
         for tr, te in outer]))
    assert_allclose(search.best_estimator_.predict(X),
                    clone(model).fit(X, target, groups=groups).predict(X))


def test_mixtures_under_adaboost_see_only_relative_weights():
    # AdaBoost and Bagging give weights that sum to one: a mixture fits the
    # same model as with those weights times any factor.
    X, _, labels = _data()
    weight = np.random.RandomState(1).uniform(0.2, 3, len(labels))
    for model in (MixtureOfExpertsClassifier(
                      [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))],
                      training="em", max_iter=3, random_state=0),
                  HierarchicalMixtureClassifier(LogisticRegression(), branching=2, max_iter=2,
                                                random_state=0)):
        big = clone(model).fit(X, labels, sample_weight=weight)
        small = clone(model).fit(X, labels, sample_weight=weight / weight.sum())
        assert_allclose(big.predict_proba(X), small.predict_proba(X), atol=1e-12)
