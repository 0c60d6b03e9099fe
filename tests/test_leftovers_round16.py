"""Leftovers, round 16: precomputed-kernel experts inside wrappers (a
MultiOutputRegressor, a Pipeline), experts' warnings at prediction named,
and scikit-learn's "groups parameter is ignored" warning of splitters whose
folds skmoe checks against the groups itself.

Each test failed before the change it names."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, PredefinedSplit
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import get_tags

from skmoe import (EnsembleClassifier, EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureClassifier, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from skmoe._base import is_pairwise


def _kernel(n=60):
    rng = np.random.RandomState(0)
    Z = rng.randn(n, 2)
    return Z @ Z.T, Z


# ------------------- 1. a precomputed kernel inside a wrapper is seen
_WRAPPED = {
    "multioutput": lambda: MultiOutputRegressor(SVR(kernel="precomputed")),
    "pipeline": lambda: make_pipeline(FunctionTransformer(), SVR(kernel="precomputed")),
    "gridsearch": lambda: GridSearchCV(SVR(kernel="precomputed"), {"C": [1.0, 10.0]}, cv=2),
}


@pytest.mark.parametrize("wrapped", list(_WRAPPED), ids=list(_WRAPPED))
def test_is_pairwise_looks_inside_wrappers(wrapped):
    assert is_pairwise(_WRAPPED[wrapped]())
    # ... and not at every wrapper.
    assert not is_pairwise(MultiOutputRegressor(SVR()))
    assert not is_pairwise(make_pipeline(FunctionTransformer(), SVR()))


@pytest.mark.parametrize("wrapped", ["multioutput", "pipeline"])
def test_wrapped_precomputed_kernel_refused_with_zero_weights(wrapped):
    # The rows of zero weight were left out of the kernel's rows only:
    # scikit-learn's "Precomputed matrix must be a square matrix. Input is a
    # 55x60 matrix" (the pipeline) or a y-shape error (the MultiOutputRegressor),
    # where an SVR alone is refused by name.
    K, Z = _kernel()
    weight = np.ones(60)
    weight[:5] = 0.0
    model = MixtureOfExpertsRegressor([("svr", _WRAPPED[wrapped]()), ("ridge", Ridge())],
                                      training="em", cv=None, max_iter=3, random_state=0)
    with pytest.raises(ValueError, match=r"Expert 'svr' \(\w+\) takes a precomputed kernel.*"
                                         r"the 5 row\(s\) of zero sample_weight are left out"):
        model.fit(K, Z[:, 0], sample_weight=weight)


@pytest.mark.parametrize("model, wrapped, n_tasks", [
    (lambda e: MixtureOfExpertsRegressor(e, random_state=0), "pipeline", 1),
    (lambda e: EnsembleRegressor(e, weights="greedy"), "pipeline", 1),
    (lambda e: HeterogeneousMultiGateMixtureOfExperts(e, random_state=0, max_iter=5),
     "multioutput", 2),
    (lambda e: HeterogeneousMultiGateMixtureOfExperts(e, random_state=0, max_iter=5),
     "pipeline", 1),
], ids=["mixture", "greedy", "multitask", "multitask-pipeline"])
def test_wrapped_precomputed_kernel_refused_before_cross_fitting(model, wrapped, n_tasks):
    # The folds take the kernel's rows, not its columns: "Precomputed matrix
    # must be a square matrix. Input is a 48x60 matrix" (40x60 in the
    # multi-task mixture), under a hint that blamed too few rows.
    K, Z = _kernel()
    y = Z[:, 0] if n_tasks == 1 else Z[:, :n_tasks]
    with pytest.raises(ValueError, match=r"Expert 'svr' \(\w+\) takes a "
                                         "precomputed kernel.*cross-fitting"):
        model([("svr", _WRAPPED[wrapped]()), ("ridge", Ridge())]).fit(K, y)


def test_composition_of_a_wrapped_precomputed_kernel_is_pairwise():
    # Its pairwise tag makes cross_val_score slice the kernel's columns too.
    model = EnsembleRegressor([("svr", clone(_WRAPPED["pipeline"]())), ("ridge", Ridge())])
    assert get_tags(model).input_tags.pairwise


# ------------------- 2. an expert's warning at prediction names the expert
def _imputing_experts():
    return [("imp", make_pipeline(SimpleImputer(), LogisticRegression())),
            ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]


@pytest.mark.filterwarnings("ignore:EM did not converge")
@pytest.mark.parametrize("model", [
    lambda e: MixtureOfExpertsClassifier(e, random_state=0),
    lambda e: EnsembleClassifier(e),
    lambda e: HierarchicalMixtureClassifier(e, branching=2, max_iter=3, random_state=0),
], ids=["mixture", "ensemble", "hme"])
@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_expert_warning_at_prediction_names_the_expert(model, method):
    # SimpleImputer's "Skipping features without any observed values" at
    # predict_proba came bare, where fit says which expert gave it.
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = (X[:, 0] > 0).astype(int)
    X[:, 2] = np.nan
    fitted = model(_imputing_experts()).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(fitted, method)(X[:5])
    texts = [str(w.message) for w in caught if "without any observed" in str(w.message)]
    assert texts
    assert all("\n(Expert 'imp' (Pipeline) gave this warning in predict_proba.)" in text
               for text in texts), texts


def test_nested_composition_warning_at_prediction_names_the_outer_expert():
    # A mixture as an expert: its experts' warnings are that expert's, named once.
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = (X[:, 0] > 0).astype(int)
    X[:, 2] = np.nan
    outer = EnsembleClassifier([("inner", EnsembleClassifier(_imputing_experts())),
                                ("tree", DecisionTreeClassifier(random_state=0))]).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outer.predict_proba(X[:5])
    texts = [str(w.message) for w in caught if "without any observed" in str(w.message)]
    assert texts == [texts[0]] * len(texts) and texts[0].count("gave this warning") == 1
    assert texts[0].endswith("(Expert 'inner' (EnsembleClassifier) gave this warning in "
                             "predict_proba.)")


# ------------------- 3. fit(groups=...) with a splitter of rows: no "ignored"
def _grouped_regression():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    return X, X[:, 0] + 0.1 * rng.randn(60), np.repeat(np.arange(6), 10)


_TWO_REGRESSORS = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2,
                                                                      random_state=0))]


@pytest.mark.parametrize("model", [
    lambda cv: MixtureOfExpertsRegressor(_TWO_REGRESSORS, cv=cv, random_state=0),
    lambda cv: EnsembleRegressor(_TWO_REGRESSORS, weights="greedy", cv=cv),
    lambda cv: HeterogeneousMultiGateMixtureOfExperts(_TWO_REGRESSORS, cv=cv, random_state=0,
                                                      max_iter=5),
], ids=["mixture", "greedy", "multitask"])
@pytest.mark.parametrize("cv", [KFold(3), PredefinedSplit(np.arange(60) // 20)],
                         ids=["KFold", "PredefinedSplit"])
def test_fit_with_groups_and_a_row_splitter_does_not_say_groups_are_ignored(model, cv):
    # scikit-learn's "The groups parameter is ignored by KFold" came through,
    # though fit checks those folds against the groups (as compare() does,
    # which filters the same warning).
    X, y, groups = _grouped_regression()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model(cv).fit(X, y, groups=groups)
    assert not [w for w in caught if "groups parameter is ignored" in str(w.message)]


def test_row_splitter_that_splits_a_group_is_still_refused():
    # What makes the warning above wrong: the folds are checked against groups.
    X, y, groups = _grouped_regression()
    with pytest.raises(ValueError, match=r"group\(s\) on both its train and test sides"):
        MixtureOfExpertsRegressor(_TWO_REGRESSORS, cv=KFold(4), random_state=0).fit(
            X, y, groups=groups)
