"""compare(groups=...): whole groups in every test part and in every inner fold.

Rows in groups (pupils of a school, a person's repeated measures) scored on
rows of groups the model was fitted on look better than they are; the mixture's
own blend is chosen on its inner folds, which must be whole groups too.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.ensemble import StackingRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GroupKFold, KFold, LeaveOneGroupOut
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor, compare
from skmoe._compare import _with_inner_group_folds

SEEN = []


class GroupSpy(RegressorMixin, BaseEstimator):
    """Predicts the mean; records, per fit, whether its cv's folds and the
    outer split kept column 0 (the group) on one side."""

    def __init__(self, cv=3):
        self.cv = cv

    def fit(self, X, y):
        X = np.asarray(X)
        groups = X[:, 0]
        folds = self.cv if isinstance(self.cv, list) else None
        self.record_ = {"cv": self.cv, "train_groups": set(groups),
                        "folds_whole": None if folds is None else all(
                            not set(groups[tr]) & set(groups[te]) for tr, te in folds)}
        SEEN.append(self.record_)
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        X = np.asarray(X)
        self.record_["test_shares_group"] = bool(set(X[:, 0]) & self.record_["train_groups"])
        return np.full(len(X), self.mean_)


def _grouped(n_groups=12, per=6, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_groups), per)
    X = np.c_[groups, rng.normal(size=len(groups))]
    y = X[:, 1] + rng.normal(size=n_groups)[groups]
    return X, y, groups


def test_every_split_and_inner_fold_holds_whole_groups():
    X, y, groups = _grouped()
    SEEN.clear()
    compare({"spy": GroupSpy(cv=3), "none": GroupSpy(cv=None)}, X, y, cv=4, groups=groups)
    assert len(SEEN) == 8
    for record in SEEN:
        assert record["test_shares_group"] is False
        assert record["folds_whole"] is True
        # int 3 -> 3 folds, None -> 5 (scikit-learn's default), of whole groups
        assert len(record["cv"]) in (3, 5)
    assert sorted(len(r["cv"]) for r in SEEN) == [3] * 4 + [5] * 4


def test_without_groups_nothing_changes():
    X, y, groups = _grouped()
    SEEN.clear()
    compare({"spy": GroupSpy(cv=3)}, X, y, cv=4)
    assert [r["cv"] for r in SEEN] == [3] * 4
    assert any(r["test_shares_group"] for r in SEEN)


def test_pipeline_final_step_gets_group_folds_and_splitter_is_split_on_groups():
    X, y, groups = _grouped()
    SEEN.clear()
    compare({"pipe": make_pipeline(StandardScaler(), GroupSpy(cv=2)),
             "logo": GroupSpy(cv=LeaveOneGroupOut())}, X, y, cv=3, groups=groups)
    by_n = sorted(len(r["cv"]) for r in SEEN)
    # 12 groups, 3 outer folds: 8 training groups, so LeaveOneGroupOut gives 8.
    assert by_n == [2, 2, 2, 8, 8, 8]
    assert all(r["folds_whole"] for r in SEEN)


def test_nested_estimators_keep_their_cv():
    # A Stacking's base models are fitted on parts of the rows: folds of the
    # outer training rows would number the wrong rows, so they are left alone.
    X, y, groups = _grouped()
    stack = StackingRegressor([("spy", GroupSpy(cv=3))], final_estimator=LinearRegression())
    out = _with_inner_group_folds("stack", stack, groups[:48])
    assert isinstance(out.cv, list) and len(out.cv) == 5
    assert out.estimators[0][1].cv == 3


def test_unfitted_scikit_learn_stacking_is_accepted():
    # scikit-learn shows a Stacking's predict only once fitted: it was
    # refused as "has no fit/predict".
    X, y, groups = _grouped()
    stack = make_pipeline(StandardScaler(), StackingRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]))
    result = compare({"stack": stack, "ridge": Ridge()}, X, y, cv=3, groups=groups)
    assert np.all(np.isfinite(result.scores["stack"]["r2"]))


def test_mixture_and_ensemble_run_with_groups():
    X, y, groups = _grouped(n_groups=20, per=8)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    result = compare({"moe": MixtureOfExpertsRegressor(experts, random_state=0, cv=3),
                      "ens": EnsembleRegressor(experts)}, X, y, cv=4, groups=groups,
                     greedy_ensemble=True)
    for name in ("moe", "ens", "ens (greedy)"):
        assert np.all(np.isfinite(result.scores[name]["neg_root_mean_squared_error"]))
    given = MixtureOfExpertsRegressor(experts, cv=3)
    moe = _with_inner_group_folds("moe", given, groups[:120])
    assert len(moe.cv) == 3 and given.cv == 3   # a clone was changed


def _whole(folds, groups):
    return all(not set(groups[tr]) & set(groups[te]) for tr, te in folds)


def test_skmoe_defaults_get_as_many_group_folds_as_they_make():
    # cv='auto', the default of the mixtures and the greedy ensemble, was
    # left as it was: their inner folds were shuffled rows, and on the
    # generator compare ranked the mixture first on rows and fourth on groups.
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
    groups = np.repeat(np.arange(20), 4)
    gradient = _with_inner_group_folds("m", MixtureOfExpertsRegressor(experts), groups)
    em = _with_inner_group_folds("m", MixtureOfExpertsRegressor(experts, training="em"),
                                 groups)
    greedy = _with_inner_group_folds("e", EnsembleRegressor(experts, weights="greedy"),
                                     groups)
    assert [len(gradient.cv), len(em.cv), len(greedy.cv)] == [5, 2, 5]
    assert all(_whole(m.cv, groups) for m in (gradient, em, greedy))
    # 'auto' takes fewer folds where there are fewer groups, as on small data.
    assert len(_with_inner_group_folds("m", MixtureOfExpertsRegressor(experts),
                                       np.repeat(np.arange(3), 4)).cv) == 3


def test_skmoe_cv_that_makes_no_folds_is_kept():
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
    groups = np.repeat(np.arange(20), 4)
    in_sample = MixtureOfExpertsRegressor(experts, cv=None)   # None: in-sample, no folds
    plain = EnsembleRegressor(experts)                        # cv unused without greedy
    assert _with_inner_group_folds("m", in_sample, groups) is in_sample
    assert _with_inner_group_folds("e", plain, groups) is plain


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored")
def test_splits_that_mix_groups_are_refused():
    X, y, groups = _grouped()
    with pytest.raises(ValueError, match="group.*on both its train and test sides"):
        compare({"r": Ridge()}, X, y, cv=KFold(3, shuffle=True, random_state=0), groups=groups)
    mixed = list(KFold(3, shuffle=True, random_state=0).split(X))
    with pytest.raises(ValueError, match="Split 1 of 3 in cv has .* group"):
        compare({"r": Ridge()}, X, y, cv=mixed, groups=groups)
    whole = list(GroupKFold(3).split(X, y, groups))
    compare({"r": Ridge()}, X, y, cv=whole, groups=groups)


@pytest.mark.parametrize("bad, message", [
    (np.arange(5), "one label per row: 72 rows"),
    (np.r_[np.nan, np.arange(71.0)], "missing labels"),
    (np.array([None] + list(range(71)), dtype=object), "missing labels"),
    (np.array(["a"] + list(range(71)), dtype=object), "mixes label types"),
    (np.zeros((72, 2)), "one label per row"),
])
def test_bad_groups_are_named(bad, message):
    X, y, _ = _grouped()
    with pytest.raises(ValueError, match=message):
        compare({"r": Ridge()}, X, y, cv=3, groups=bad)


def test_too_few_groups_for_the_folds():
    X, y, groups = _grouped(n_groups=4)
    with pytest.raises(ValueError, match="need at least 5 groups; groups has 4"):
        compare({"r": Ridge()}, X, y, cv=5, groups=groups)
    # 4 groups, 2 outer folds: 2 training groups for an inner cv of 3.
    with pytest.raises(ValueError, match="Estimator 'spy': cv=3 asks for 3 folds of whole "
                                         "groups, but a split's training rows hold 2"):
        compare({"spy": GroupSpy(cv=3)}, X, y, cv=2, groups=groups)


def test_group_splitter_without_groups_names_the_parameter():
    X, y, _ = _grouped()
    with pytest.raises(ValueError, match=r"needs groups: pass them, compare\(\.\.\., groups"):
        compare({"r": Ridge()}, X, y, cv=GroupKFold(3))


class GroupSpyClassifier(ClassifierMixin, GroupSpy):
    def fit(self, X, y):
        super().fit(X, y)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.prior_ = counts / counts.sum()
        return self

    def predict_proba(self, X):
        GroupSpy.predict(self, X)
        return np.tile(self.prior_, (len(X), 1))

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def test_classifier_splits_are_whole_groups_with_every_class():
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(30), 5)
    X = np.c_[groups, rng.normal(size=150)]
    y = (X[:, 1] + rng.normal(size=30)[groups] > 0).astype(int)
    SEEN.clear()
    result = compare({"spy": GroupSpyClassifier(cv=3)}, X, y, cv=3, groups=groups)
    assert result.n_splits == 3 and len(SEEN) == 3
    assert not any(r["test_shares_group"] for r in SEEN)
    assert all(r["folds_whole"] and len(r["cv"]) == 3 for r in SEEN)


def test_heterogeneous_mmoe_and_greedy_classifier_get_group_folds():
    from sklearn.linear_model import LogisticRegression
    from skmoe import EnsembleClassifier, HeterogeneousMultiGateMixtureOfExperts

    groups = np.repeat(np.arange(12), 5)
    hetero = _with_inner_group_folds(
        "h", HeterogeneousMultiGateMixtureOfExperts([("ridge", Ridge())]), groups)
    assert len(hetero.cv) == 3 and _whole(hetero.cv, groups)   # its default cv=3
    y = np.tile([0, 1], 30)
    greedy = _with_inner_group_folds(
        "g", EnsembleClassifier([("lr", LogisticRegression())], weights="greedy"), groups, y)
    assert len(greedy.cv) == 5 and _whole(greedy.cv, groups)
    # stratified: every training fold holds both classes
    assert all(set(y[tr]) == {0, 1} for tr, _ in greedy.cv)


def test_the_header_says_the_splits_are_of_whole_groups():
    pd = pytest.importorskip("pandas")
    X, y, groups = _grouped()
    named = compare({"r": Ridge(), "t": DecisionTreeRegressor(max_depth=2, random_state=0)},
                    X, y, cv=3, groups=pd.Series(groups, name="school"))
    assert named.table().splitlines()[0].startswith(
        "3 splits of whole groups (column 'school'), the same for every model; mean ± std")
    assert named.grouped_by == "column 'school'"
    plain = compare({"r": Ridge()}, X, y, cv=3, groups=groups)
    assert plain.table().splitlines()[0].startswith("3 splits of whole groups, the same")
    rows = compare({"r": Ridge()}, X, y, cv=3)
    assert rows.grouped_by is None
    assert rows.table().splitlines()[0].startswith("3 splits, the same for every model; mean")
    with pytest.raises(TypeError, match="grouped_by must be a string or None"):
        type(rows)(rows.names, rows.metrics, rows.scores, rows.fit_time, rows.predict_time,
                   rows.n_train, rows.n_test, grouped_by=True)


def test_a_classifiers_inner_group_folds_are_stratified():
    # By size alone, GroupKFold put both groups of class 'c' in one fold, whose
    # training rows then held class 'a' only: the mixture refused those folds
    # (h124's find).
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier
    from skmoe import MixtureOfExpertsClassifier

    groups = np.repeat([0, 1, 2, 3], [10, 9, 5, 4])
    y = np.repeat(["a", "c", "c", "a"], [10, 9, 5, 4])
    for cv, n_folds in [(2, 2), ("auto", 4)]:    # ('auto': 5, at most the 4 groups)
        spy = MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                          ("tree", DecisionTreeClassifier())], cv=cv)
        folds = _with_inner_group_folds("m", spy, groups, y).cv
        assert len(folds) == n_folds and _whole(folds, groups)
        assert all(set(y[train]) == {"a", "c"} for train, _ in folds), cv
    # Classes too small to stratify (3 folds, 2 rows a class): group folds all the same.
    from skmoe._crossfit import folds_of_groups
    small = folds_of_groups(3, np.arange(6), np.arange(6) % 3)
    assert len(small) == 3 and _whole(small, np.arange(6))
