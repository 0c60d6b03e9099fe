"""Experts that misbehave or are unusual, second round: scikit-learn's
Stacking ensembles with their default final estimator (bare, in a Pipeline,
in a search), a search of ``refit=False``, and meta-estimators that take
per-row weights through their fit's keywords (a search, a Stacking or Voting
ensemble).

Probed (no defect found unless a test below names it), across the stacked
gate, ``training="em"`` with and without ``cv=None``, ``top_k=1``, the
ensembles (mean and greedy), the hierarchical mixture and compare():
classifiers with only ``decision_function`` (LinearSVC, RidgeClassifier:
refused naming the expert, with the CalibratedClassifierCV hint; taken by
``voting="hard"``, which agrees with scikit-learn's VotingClassifier, and
wrapped in CalibratedClassifierCV; compare() scores them on accuracy); a
regressor given to a classifier and the reverse (refused naming the
expert); experts without ``sample_weight`` given weights (the mixtures fit a
resample, as documented; the ensembles and compare() refuse naming the
expert); Pipeline/ColumnTransformer experts that need the DataFrame's column
names (they get them in every fold and at predict); GridSearchCV and
HalvingGridSearchCV experts, with and without weights, and a
RandomizedSearchCV of unset random_state (seeded by the mixture's);
LightGBM on pandas category columns and HistGradientBoosting with
``categorical_features="from_dtype"``; classifiers
whose ``classes_`` are strings (12 classes, sorted as text) or in descending
order while y is ints (mapped right); a RandomForest with ``n_jobs=-1``
inside a mixture of ``n_jobs=2``; one expert (refused), 20 identical
experts, the same instance given twice (cloned apart, the caller's left
unfitted); the torch MLP experts on float64 X, one row per class and
``random_state`` None against an int.

Each test fails without the fix it names.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import StackingClassifier, StackingRegressor, VotingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 2))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.1 * rng.normal(size=120)
    return X, y, rng.uniform(0.2, 3.0, size=120)


# ------------------------- a Stacking ensemble of default final_estimator=None
@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsRegressor(e, random_state=0),
    lambda e: MixtureOfExpertsRegressor(e, training="em", cv=None, max_iter=2, random_state=0),
    lambda e: EnsembleRegressor(e),
    lambda e: HierarchicalMixtureRegressor(e, branching=2, max_iter=2, random_state=0),
], ids=["stacked", "em", "ensemble", "hme"])
@pytest.mark.parametrize("wrap", ["bare", "pipeline", "search"])
def test_a_default_stacking_regressor_is_taken_as_an_expert(make, wrap):
    # Fix in _base._will_have: StackingRegressor shows predict only where its
    # final_estimator has one, and that is None (RidgeCV once fitted) before
    # the fit: the expert was refused as "a transformer without predict; an
    # expert must be a regressor", though compare() fits it as one.
    X, y, _ = _data()
    stack = StackingRegressor([("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=2))], cv=2)
    if wrap == "pipeline":
        stack = make_pipeline(StandardScaler(), stack)
    elif wrap == "search":
        # (A search shows predict where its model does: refused as well.)
        stack = GridSearchCV(stack, {"cv": [2]}, cv=2)
    prediction = make([("stack", stack), ("r", Ridge())]).fit(X, y).predict(X)
    assert prediction.shape == y.shape and np.isfinite(prediction).all()


@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsClassifier(e, random_state=0),
    lambda e: MixtureOfExpertsClassifier(e, training="em", cv=None, max_iter=2, random_state=0),
    lambda e: EnsembleClassifier(e, weights="greedy", random_state=0),
    lambda e: HierarchicalMixtureClassifier(e, branching=2, max_iter=2, random_state=0),
], ids=["stacked", "em", "greedy", "hme"])
def test_a_default_stacking_classifier_is_taken_as_an_expert(make):
    # Fix in _base._will_have: as above, its predict_proba is shown only
    # once final_estimator (None: LogisticRegression once fitted) is set: it
    # was refused as having "no predict_proba", with a hint to calibrate it.
    X, y, _ = _data()
    labels = (y > 0).astype(int)
    stack = StackingClassifier([("lr", LogisticRegression()),
                                ("t", DecisionTreeClassifier(max_depth=2))], cv=2)
    proba = make([("stack", stack), ("lr", LogisticRegression())]).fit(X, labels).predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_guard_a_stacking_classifier_whose_final_model_has_no_proba_is_refused():
    # Guard: a final_estimator without predict_proba stays refused.
    from sklearn.linear_model import RidgeClassifier
    X, y, _ = _data()
    stack = StackingClassifier([("lr", LogisticRegression())], final_estimator=RidgeClassifier())
    with pytest.raises(TypeError, match=r"Expert 'stack' \(StackingClassifier\) has no "
                                        "predict_proba"):
        MixtureOfExpertsClassifier([("stack", stack), ("lr", LogisticRegression())]).fit(
            X, (y > 0).astype(int))


# ----------------------------------------- a search that keeps no model (refit=False)
@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsRegressor(e, random_state=0),
    lambda e: MixtureOfExpertsRegressor(e, training="em", cv=None, max_iter=2, random_state=0),
    lambda e: EnsembleRegressor(e),
    lambda e: HierarchicalMixtureRegressor(e, branching=2, max_iter=2, random_state=0),
], ids=["stacked", "em", "mean", "hme"])
@pytest.mark.parametrize("in_pipeline", [False, True], ids=["bare", "pipeline"])
def test_a_search_of_refit_false_is_refused_before_the_fit(make, in_pipeline):
    # Fix in _base._check_search_refits: such a search keeps no model to
    # predict with; the mixtures fitted it and then failed "in predict: This
    # 'GridSearchCV' has no attribute 'predict'", and the plain average
    # fitted without a word, to fail at its first predict.
    X, y, _ = _data()
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=2, refit=False)
    expert = make_pipeline(StandardScaler(), search) if in_pipeline else search
    kind = "Pipeline" if in_pipeline else "GridSearchCV"
    with pytest.raises(TypeError, match=rf"Expert 'gs' \({kind}\) holds a GridSearchCV of "
                                        "refit=False, which keeps no model to predict with"):
        make([("gs", expert), ("r", Ridge())]).fit(X, y)


# ------------------------------------------ meta-estimators that take weights
class _WeightSpy(RegressorMixin, BaseEstimator):
    """Ridge that records whether its fit was given weights."""

    calls = []

    def fit(self, X, y, sample_weight=None):
        _WeightSpy.calls.append(sample_weight is not None)
        self.model_ = Ridge().fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _search_of(model):
    # A search over one candidate: its refit is that candidate on the weights.
    return GridSearchCV(model, {"alpha": [1.0]}, cv=2)


@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsRegressor(e, training="em", cv=None, max_iter=3, random_state=0),
    lambda e: MixtureOfExpertsRegressor(e, random_state=0),
    lambda e: HierarchicalMixtureRegressor(e, branching=2, max_iter=3, random_state=0),
    lambda e: EnsembleRegressor(e, weights="greedy", random_state=0),
    lambda e: EnsembleRegressor(e),
], ids=["em", "stacked", "hme", "greedy", "mean"])
def test_a_search_expert_is_fitted_on_the_weights_as_the_model_it_searches(make):
    # Fix in _base._weight_keyword: GridSearchCV.fit takes sample_weight in
    # **fit_params and hands it to its model, a signature has_fit_parameter
    # cannot see. The mixtures fitted the search on a weighted resample of
    # the rows (at every EM step, the responsibilities being weights) and the
    # ensembles refused it: "Expert 'gs' (GridSearchCV) does not accept
    # sample_weight", though compare() and scikit-learn give it the weights.
    X, y, w = _data()
    tree = ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))
    searched = make([("gs", _search_of(Ridge())), tree]).fit(X, y, sample_weight=w)
    plain = make([("gs", Ridge(alpha=1.0)), tree]).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(searched.predict(X), plain.predict(X), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("wrap", [
    lambda: StackingRegressor([("a", _WeightSpy()), ("b", _WeightSpy())],
                              final_estimator=Ridge(), cv=2),
    lambda: VotingRegressor([("a", _WeightSpy()), ("b", _WeightSpy())]),
    lambda: GridSearchCV(_WeightSpy(), {}, cv=2),
], ids=["stacking", "voting", "search"])
def test_a_stacking_or_voting_expert_gets_the_em_weights(wrap):
    # Fix in _base._weight_keyword: a scikit-learn Stacking or Voting
    # ensemble takes sample_weight in **fit_params (since scikit-learn 1.6)
    # and hands it to each of its models; the EM mixture fitted it on a
    # resample instead, its models never seeing a weight.
    X, y, w = _data()
    _WeightSpy.calls.clear()
    MixtureOfExpertsRegressor([("wrapped", wrap()),
                               ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))],
                              training="em", cv=None, max_iter=2,
                              random_state=0).fit(X, y, sample_weight=w)
    assert _WeightSpy.calls and all(_WeightSpy.calls)


def test_guard_a_stacking_expert_with_a_model_without_weights_is_still_resampled():
    # Guard: where one of the ensemble's models takes no sample_weight, the
    # ensemble cannot take them (scikit-learn would raise): the mixture keeps
    # the documented fallback, a resample, and the ensemble of experts refuses.
    from sklearn.neighbors import KNeighborsRegressor
    X, y, w = _data()
    stack = StackingRegressor([("knn", KNeighborsRegressor()), ("r", Ridge())], cv=2)
    moe = MixtureOfExpertsRegressor([("stack", stack), ("r", Ridge())], training="em",
                                    cv=None, max_iter=2, random_state=0)
    assert np.isfinite(moe.fit(X, y, sample_weight=w).predict(X)).all()
    with pytest.raises(TypeError, match=r"Expert 'stack' \(StackingRegressor\) does not "
                                        "accept sample_weight"):
        EnsembleRegressor([("stack", stack), ("r", Ridge())]).fit(X, y, sample_weight=w)
