"""Bad-input sweep, round 46: sample weights at fit, the experts' containers and
outputs, and cv objects given to the estimators, compare() and select_n_experts.

Probed (no defect found unless a test below names it): fit's sample_weight
negative, all zero, NaN, inf, a list, a scalar, 2-D, of the wrong length, a
Series in another row order (read by position), 1e300, one row or few rows
of positive weight, a class whose rows all weigh zero (probability 0, as
LogisticRegression gives it) and rows of zero weight against the rows left
out (the same predictions) across the mixtures (gradient, EM, top_k=1), the
ensembles (mean and greedy), the hierarchical and multi-task mixtures;
experts as a tuple, a dict, a generator, an empty list, None, with
duplicate, '__' or integer names, a class instead of an instance, None and
'drop' entries, triples, an already fitted expert, a fit that returns None
or writes into X, a predict that writes into X, returns a list, a Series of
other row labels, ints, two columns, NaN on some rows (at fit, or at predict
only on rows far from the training rows), a classifier among regressors and
a regressor among classifiers, classifier experts whose classes_ lack a
class, hold an extra one, come in another order or as strings, or are
missing, and whose predict_proba is missing, NaN on some rows, a DataFrame,
ints or a list; the ensembles' weights as a dict, a Series by expert name
in another order, strings, a generator or 2-D; cv as LeaveOneOut,
LeavePOut, TimeSeriesSplit, RepeatedKFold, ShuffleSplit, PredefinedSplit,
GroupKFold and LeaveOneGroupOut without groups, KFold given groups, lists of
splits with an empty test part, overlapping or missing test rows, float or
boolean indices, a tuple or generator of splits, 1, 3.0, '3', True and
np.int64(3); CrossFitAverage given a tuple, generator, dict, pairs, None, a
class, unfitted or differently sized fits, classifiers without or with a
wrong n_classes, odd weights, and frames of permuted, renamed or missing
columns at predict; select_n_experts' candidates as a generator, set,
array, floats, strings, bools, 0 or empty, its criterion and cv of odd
values, a fitted template, a Pipeline, a list of experts and ensembles.

Each test here failed before the fix it names (the plain average's test in
part: its first half guards those fixes, which must leave an unused cv alone).
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge, RidgeCV
from sklearn.model_selection import (GroupKFold, GroupShuffleSplit, KFold, LeaveOneGroupOut,
                                     LeaveOneOut, LeavePGroupsOut, StratifiedGroupKFold,
                                     StratifiedKFold, TimeSeriesSplit)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (CrossFitAverage, EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, compare,
                   select_n_experts)


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- a model's own group splitter, in compare() without groups ------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make, key", [
    (lambda cv: MixtureOfExpertsRegressor([("ridge", Ridge()),
                                           ("tree", DecisionTreeRegressor(max_depth=2))],
                                          training="em", max_iter=2, cv=cv, random_state=0),
     "cv"),
    (lambda cv: make_pipeline(StandardScaler(), MixtureOfExpertsRegressor(
        Ridge(), n_experts=2, training="em", max_iter=2, cv=cv, random_state=0)),
     "mixtureofexpertsregressor__cv"),
    (lambda cv: RidgeCV(cv=cv), "cv"),
])
@pytest.mark.parametrize("splitter", [GroupKFold(3), LeaveOneGroupOut()])
def test_compare_without_groups_names_a_models_group_splitter(make, key, splitter):
    # Each split's fit failed with the mixture's "needs groups: pass them to
    # fit, fit(X, y, groups=groups), or pass the folds themselves instead",
    # neither of which compare lets the user do (compare calls fit; folds of
    # all the rows do not number a split's training rows), and RidgeCV's with
    # scikit-learn's "The 'groups' parameter should not be None.".
    X, y = _data()
    with pytest.raises(ValueError, match=rf"Estimator 'm': {key}=.*needs groups, and compare "
                                         r"was given none: pass them, compare\(\.\.\., "
                                         r"groups=groups\)"):
        compare({"m": make(splitter), "ridge": Ridge()}, X, y, cv=3)
    # Given the groups, compare splits it on each split's training rows.
    result = compare({"m": make(splitter), "ridge": Ridge()}, X, y, cv=3,
                     groups=np.arange(len(y)) % 6)
    assert np.all(np.isfinite(result.scores["m"]["r2"]))


# -- a template's group splitter in select_n_experts ----------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("candidates", [(1, 2), (2, 3)])
@pytest.mark.parametrize("criterion", ["bic", "cv"])
def test_select_n_experts_names_the_templates_group_splitter(candidates, criterion):
    # The candidates' fits failed with "needs groups: pass them to fit,
    # fit(X, y, groups=groups)" (select_n_experts calls fit, and takes no
    # groups), or, where n_experts=1 came first, "which this model's fit does
    # not take" of the one expert fitted in the mixture's place.
    X, y = _data()
    moe = MixtureOfExpertsRegressor(Ridge(), n_experts=2, training="em", max_iter=2,
                                    cv=GroupKFold(3), random_state=0)
    with pytest.raises(ValueError, match=r"select_n_experts: the mixture's cv=GroupKFold\(.*"
                                         r"needs groups, which select_n_experts does not "
                                         r"take: set its cv to an int"):
        select_n_experts(moe, X, y, candidates=candidates, criterion=criterion)
    # The folds themselves (for 'bic', fitted on all the rows given) are taken.
    groups = np.arange(len(y)) % 6
    moe.set_params(cv=list(GroupKFold(3).split(X, y, groups)))
    best, scores = select_n_experts(moe, X, y, candidates=candidates)
    assert set(scores) == set(candidates) and best in scores


def test_select_n_experts_names_a_pipelines_group_splitter_for_a_classifier():
    X, y = _data()
    labels = (y > 0).astype(int)
    moe = make_pipeline(StandardScaler(), MixtureOfExpertsClassifier(
        LogisticRegression(), n_experts=2, training="em", max_iter=2,
        cv=LeaveOneGroupOut(), random_state=0))
    with pytest.raises(ValueError, match=r"the mixture's mixtureofexpertsclassifier__cv="
                                         r"LeaveOneGroupOut\(\) needs groups"):
        select_n_experts(moe, X, labels, candidates=(1, 2))


# -- CrossFitAverage given a class among its fits -------------------------------------
@pytest.mark.parametrize("position", [0, 1])
def test_cross_fit_average_names_a_class_given_as_a_fit(position):
    # A class has predict (a function): it passed the check for one and
    # failed in is_classifier with scikit-learn's "Expected an estimator
    # instance (Ridge()), got estimator class instead (Ridge).", naming
    # neither the wrapper nor which fit.
    X, y = _data()
    fits = [Ridge().fit(X, y)]
    fits.insert(position, Ridge)
    with pytest.raises(TypeError, match=rf"CrossFitAverage of expert 'lin': fit {position} "
                                        r"is the class Ridge, not a fitted estimator"):
        CrossFitAverage(fits, name="lin").predict(X)


# -- the heterogeneous multi-task mixture's group folds must partition the rows -------
def _group_splits_missing_rows(X, y, groups):
    rows = np.arange(len(y))
    return [(rows[groups >= 2], rows[groups < 2]), (rows[groups < 2], rows[(groups >= 2)
                                                                        & (groups < 4)])]


@pytest.mark.parametrize("cv, what", [
    (GroupShuffleSplit(3, random_state=0), r"cv \(GroupShuffleSplit\) puts 20 of the 60 rows "
                                           r"in no test fold and 20 of the 60 rows in several"),
    (LeavePGroupsOut(2), r"cv \(LeavePGroupsOut\) puts 60 of the 60 rows in several"),
    (_group_splits_missing_rows, r"cv puts 20 of the 60 rows in no test fold"),
])
def test_hetero_mmoe_refuses_group_folds_that_are_no_partition(cv, what):
    # Without groups such folds were refused; with groups (fit(..., groups=))
    # they were taken: the out-of-fold outputs of a row in no test fold, which
    # the gates learnt from, were never set (np.empty), and a row in several
    # kept its last fold's, silently.
    X, y = _data()
    groups = np.arange(len(y)) % 6
    if callable(cv):
        cv = cv(X, y, groups)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], cv=cv,
        max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=r"cv must put every row in exactly one test fold.*"
                                         + what):
        model.fit(X, np.c_[y, -y], groups=groups)
    # Folds of whole groups that partition the rows are taken.
    model.set_params(cv=LeaveOneGroupOut()).fit(X, np.c_[y, -y], groups=groups)
    assert np.all(np.isfinite(model.predict(X)))


@pytest.mark.parametrize("cv", [3, LeaveOneGroupOut()])
def test_hetero_mmoe_names_a_class_that_group_folds_leave_out(cv):
    # Its labels are the float targets' columns of class indices: the check
    # that names the class indexed classes_ by a float, and fit stopped with
    # numpy's bare "IndexError: only integers, slices (`:`), ellipsis (`...`),
    # numpy.newaxis (`None`) and integer or boolean arrays are valid indices".
    X, y = _data()
    codes = np.digitize(y, [-0.5, 0.5])
    groups = np.where(codes == 2, 0, 1 + np.arange(len(y)) % 4)   # 'hi' in one group
    Y = np.column_stack([y, np.array(["lo", "mid", "hi"], dtype=object)[codes]])
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        tasks=["regression", "multiclass"], cv=cv, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=r"Class 'hi' is in 1 group, and the \d folds of "
                                         r"whole groups"):
        model.fit(X, Y, groups=groups)


# -- a stratified splitter for a regression, given groups -----------------------------
@pytest.mark.parametrize("make", [
    lambda cv: MixtureOfExpertsRegressor([("ridge", Ridge()),
                                          ("tree", DecisionTreeRegressor(max_depth=2))],
                                         training="em", max_iter=2, cv=cv, random_state=0),
    lambda cv: EnsembleRegressor([("ridge", Ridge()),
                                  ("tree", DecisionTreeRegressor(max_depth=2))],
                                 weights="greedy", cv=cv, random_state=0),
    lambda cv: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], cv=cv,
        max_iter=5, random_state=0),
])
@pytest.mark.parametrize("splitter", [StratifiedGroupKFold(3), StratifiedKFold(3)])
@pytest.mark.parametrize("weighted", [False, True])
def test_a_stratified_splitter_for_a_regression_with_groups_is_named(make, splitter, weighted):
    # Without groups it is named ("stratifies by class, and a regressor's y
    # is continuous"); with groups it was scikit-learn's bare "Supported target
    # types are: ('binary', 'multiclass'). Got 'unknown' instead." or
    # "TypeError: Input should have at least 1 dimension ... got scalar
    # array(None, dtype=object)".
    X, y = _data()
    model = make(splitter)
    Y = np.c_[y, -y] if isinstance(model, HeterogeneousMultiGateMixtureOfExperts) else y
    weight = np.where(np.arange(len(y)) % 7 == 0, 0.0, 1.0) if weighted else None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The groups parameter is ignored", UserWarning)
        with pytest.raises(ValueError, match=r"stratifies by class, and a regression has no "
                                             r"class labels to stratify on: use GroupKFold"):
            model.fit(X, Y, groups=np.arange(len(y)) % 6, sample_weight=weight)


# -- compare(groups=...) and a model's own splitter of rows ---------------------------
@pytest.mark.parametrize("make", [
    lambda cv: MixtureOfExpertsRegressor([("ridge", Ridge()),
                                          ("tree", DecisionTreeRegressor(max_depth=2))],
                                         training="em", max_iter=2, cv=cv, random_state=0),
    lambda cv: RidgeCV(cv=cv),
])
@pytest.mark.parametrize("splitter", [KFold(3), LeaveOneOut(), TimeSeriesSplit(3)])
def test_compare_with_groups_refuses_a_models_row_splitter_that_mixes_groups(make, splitter):
    # compare replaces a model's int cv by folds of whole groups and splits
    # its group splitter on the groups, but kept a splitter of rows: the model
    # chose its blend (or alpha) on inner folds whose test rows shared groups
    # with their training rows, silently -- splits compare refuses as its own
    # and the mixture's fit(groups=...) refuses too.
    X, y = _data()
    groups = np.arange(len(y)) % 6
    with pytest.raises(ValueError, match=r"Estimator 'm': cv=.* splits rows, not groups: on "
                                         r"a split's training rows its fold 1 has \d groups? "
                                         r"on both its train and test sides"):
        compare({"m": make(splitter), "ridge": Ridge()}, X, y, cv=3, groups=groups)
    # Where its folds keep the groups whole (rows sorted by group), it is kept.
    sorted_groups = np.repeat(np.arange(6), 10)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "The groups parameter is ignored", UserWarning)
        result = compare({"m": make(KFold(2)), "ridge": Ridge()}, X, y, cv=3,
                         groups=sorted_groups)
    assert np.all(np.isfinite(result.scores["m"]["r2"]))


@pytest.mark.filterwarnings("ignore:.*has no effect with weights=None:UserWarning")
@pytest.mark.parametrize("splitter, groups", [(GroupKFold(3), None), (KFold(3), "rows % 6")])
def test_compare_leaves_a_plain_averages_unused_cv_alone(splitter, groups):
    # A guard on the two refusals above: a plain average reads no cv (it
    # warns so), and is fitted as before; its greedy twin reads it.
    X, y = _data()
    groups = None if groups is None else np.arange(len(y)) % 6
    plain = EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
                              cv=splitter)
    result = compare({"e": plain, "ridge": Ridge()}, X, y, cv=3, groups=groups)
    assert np.all(np.isfinite(result.scores["e"]["r2"]))
    with pytest.raises(ValueError, match=r"'e \(greedy\)': cv="):
        compare({"e": plain, "ridge": Ridge()}, X, y, cv=3, groups=groups,
                greedy_ensemble=True)
