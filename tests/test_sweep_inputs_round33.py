"""Bad-input sweep, round 33: fit(groups=...) and the DataFrames experts get.

Each test here failed before the fix it names.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from scipy import sparse
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from skmoe._crossfit import folds_of_groups, group_codes

REG = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
CLF = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3,
                                                                     random_state=0))]


def _grouped(n_groups=12, per=8, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_groups), per)
    X = np.c_[rng.normal(size=len(groups)), rng.normal(size=n_groups)[groups]]
    return X, X[:, 0] + 0.3 * rng.normal(size=len(groups)), groups


def _regressors(cv):
    return [MixtureOfExpertsRegressor(REG, cv=cv, random_state=0),
            EnsembleRegressor(REG, weights="greedy", cv=cv, random_state=0)]


@pytest.mark.parametrize("i", [0, 1])
def test_group_folds_are_made_of_the_rows_of_positive_weight(i):
    # Two groups of positive weight, both in one of GroupKFold's folds of all
    # twelve: the folds were made of all rows, and the one left with their
    # rows had none to train on -- "Split 1 of cv has no training row of
    # positive sample_weight", of splits the user never gave (cv='auto').
    X, y, groups = _grouped()
    folds = list(GroupKFold(5).split(X, y, groups))
    together = np.unique(groups[folds[1][1]])[:2]
    weight = np.isin(groups, together).astype(float)
    model = _regressors("auto")[i]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y, sample_weight=weight, groups=groups)
    kept = weight > 0
    plain = _regressors("auto")[i]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain.fit(X[kept], y[kept], groups=groups[kept])
    np.testing.assert_allclose(model.predict(X), plain.predict(X))


@pytest.mark.parametrize("i", [0, 1])
def test_an_int_cv_counts_the_groups_of_positive_weight(i):
    # cv=5 on 4 groups of positive weight (8 of 12 weighted zero) ran silently
    # on the 3 folds that kept a test row.
    X, y, groups = _grouped()
    weight = np.isin(groups, [0, 5, 6, 7]).astype(float)
    with pytest.raises(ValueError, match="5 folds of whole groups, but groups has 4 among "
                                         "the rows of positive sample_weight"):
        _regressors(5)[i].fit(X, y, sample_weight=weight, groups=groups)


@pytest.mark.parametrize("model", [
    MixtureOfExpertsClassifier(CLF, cv=3, random_state=0),
    EnsembleClassifier(CLF, weights="greedy", cv=3, random_state=0)],
    ids=["mixture", "ensemble"])
def test_a_class_whose_weighted_rows_are_in_one_group_is_named(model):
    # Class 'rare' in 4 groups, 3 of them weighted zero: the check counted 4
    # groups, and the fold left without it was blamed on "cv (the 3 splits
    # given) ... is y sorted by class?".
    X, _, groups = _grouped()
    y = np.where(groups < 4, "rare", np.where(X[:, 0] > 0, "hi", "lo")).astype(object)
    weight = np.where(np.isin(groups, [0, 1, 2]), 0.0, 1.0)
    with pytest.raises(ValueError, match="Class 'rare' is in 1 group, and the 3 folds"):
        model.fit(X, y, sample_weight=weight, groups=groups)


@pytest.mark.parametrize("model", [
    MixtureOfExpertsClassifier(CLF, cv=LeaveOneGroupOut(), random_state=0),
    EnsembleClassifier(CLF, weights="greedy", cv=LeaveOneGroupOut(), random_state=0)],
    ids=["mixture", "ensemble"])
def test_a_class_in_one_group_is_named_for_a_group_splitter(model):
    # LeaveOneGroupOut split by the groups given to fit, a class in one
    # group: blamed on "cv (the 12 splits given)", "Shuffle or stratify the
    # folds ... is y sorted by class?"
    X, _, groups = _grouped()
    y = np.where(X[:, 0] > 0, "hi", "lo").astype(object)
    y[:3] = "few"
    with pytest.raises(ValueError, match="Class 'few' is in 1 group, and the 12 folds of "
                                         "whole groups that cv=LeaveOneGroupOut"):
        model.fit(X, y, groups=groups)


@pytest.mark.parametrize("key", ["group", "Groups", "groups_"])
def test_groups_misspelt_is_named(key):
    # fit(X, y, group=g) got scikit-learn's "Passing extra keyword arguments
    # ... is only supported if enable_metadata_routing=True", where it fails
    # again ("not routed to any object").
    X, y, groups = _grouped()
    with pytest.raises(TypeError, match=f"got the keyword {key}=.*fit\\(X, y, groups=groups\\)"):
        MixtureOfExpertsRegressor(REG).fit(X, y, **{key: groups})
    with pytest.raises(TypeError, match="its groups"):
        EnsembleRegressor(REG, weights="greedy").fit(X, y, **{key: groups})


def test_an_expert_that_requests_groups_gets_them(monkeypatch):
    # A mixture nested in a greedy ensemble, set_fit_request(groups=True): the
    # ensemble used groups for its own folds and gave the mixture none (its
    # folds were of rows, silently); the mixture, which routes nothing but
    # weights, ignored the request instead of refusing it.
    X, y, groups = _grouped()
    given = []
    group_folds = MixtureOfExpertsRegressor._group_folds

    def recorded(self, X, y, groups, sample_weight):
        given.append(len(groups))
        return group_folds(self, X, y, groups, sample_weight)

    monkeypatch.setattr(MixtureOfExpertsRegressor, "_group_folds", recorded)
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inner = MixtureOfExpertsRegressor(REG, max_epochs=3, random_state=0)
        inner.set_fit_request(groups=True)
        EnsembleRegressor([("moe", inner), ("ridge", Ridge())], weights="greedy", cv=3,
                          random_state=0).fit(X, y, groups=groups)
        # the fit on all rows, and one on each fold's training rows
        folds = folds_of_groups(3, group_codes(groups, len(y)))
        assert sorted(given) == sorted([len(y)] + [len(train) for train, _ in folds])
        with pytest.raises(ValueError, match=r"asked for: \{'moe': \['groups'\]\}"):
            MixtureOfExpertsRegressor([("moe", clone(inner)), ("ridge", Ridge())],
                                      random_state=0).fit(X, y, groups=groups)



class _FlagSetter(Ridge):
    """Sets the WRITEABLE flag of its X (and y) back, then writes into them."""

    def fit(self, X, y, sample_weight=None):
        for given in (X.data if sparse.issparse(X) else np.asarray(X), np.asarray(y)):
            given.setflags(write=True)
            given[...] = 0
        return super().fit(X, y, sample_weight)


@pytest.mark.parametrize("kind", ["array", "sparse", "DataFrame"])
def test_an_expert_cannot_make_the_callers_data_writeable(kind):
    # A read-only view of an array or of a sparse matrix's arrays let an
    # expert set the flag back: EnsembleRegressor's caller's X and y became
    # zeros. (A DataFrame's blocks were already behind a read-only buffer.)
    X, y, _ = _grouped()
    given = {"array": X.copy(), "sparse": sparse.csr_matrix(X),
             "DataFrame": pd.DataFrame(X.copy(), columns=["a", "b"])}[kind]
    y_given = y.copy()
    with pytest.raises(ValueError, match="cannot set WRITEABLE flag.*the experts get their "
                                         "inputs read-only"):
        EnsembleRegressor([("setter", _FlagSetter()), ("ridge", Ridge())]).fit(given, y_given)
    dense = given.toarray() if sparse.issparse(given) else np.asarray(given)
    np.testing.assert_array_equal(dense, X)
    np.testing.assert_array_equal(y_given, y)


@pytest.mark.parametrize("kind", ["str and numpy str_", "int and numpy int64"])
def test_group_labels_that_sort_together_are_taken(kind):
    # A group column put together from a list and a numpy array holds str
    # and np.str_ (or int and np.int64): refused as "groups mixes label
    # types (str, str_): give one type", though they sort as one kind.
    X, y, groups = _grouped()
    if kind.startswith("str"):
        plain = np.array([f"g{g}" for g in groups], dtype=object)
        mixed = plain.copy()
        mixed[::2] = [np.str_(v) for v in plain[::2]]
    else:
        plain = groups.astype(object)
        mixed = plain.copy()
        mixed[::2] = [np.int64(v) for v in plain[::2]]
    fitted = MixtureOfExpertsRegressor(REG, random_state=0).fit(X, y, groups=mixed)
    expected = MixtureOfExpertsRegressor(REG, random_state=0).fit(X, y, groups=plain)
    np.testing.assert_array_equal(fitted.predict(X), expected.predict(X))
    with pytest.raises(ValueError, match=r"mixes label types .*\(int, str\)"):
        MixtureOfExpertsRegressor(REG).fit(
            X, y, groups=np.array([1] + ["1"] * (len(y) - 1), dtype=object))


@pytest.mark.parametrize("weighted", [False, True])
def test_one_group_is_not_told_to_lower_cv(weighted):
    # One group (or one of positive weight) was told "Lower cv.", which
    # cannot go below 2 folds.
    X, y, groups = _grouped()
    weight = (groups == 0).astype(float) if weighted else None
    one = groups if weighted else np.zeros(len(y))
    with pytest.raises(ValueError, match="groups has 1.*need two groups or more"):
        MixtureOfExpertsRegressor(REG).fit(X, y, sample_weight=weight, groups=one)
