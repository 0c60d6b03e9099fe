"""Sweep of user-given cross-validation splits (``cv`` as a splitter or a list
of (train, test) pairs): awkward kinds of splits, across the mixtures, the
ensembles, the heterogeneous MMoE and ``compare``."""
import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (GroupKFold, KFold, LeaveOneGroupOut, PredefinedSplit,
                                     StratifiedGroupKFold, cross_val_score)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skmoe._blend as blend
from skmoe import (EnsembleClassifier, EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor)
from skmoe._crossfit import united_folds

_N = 120


def _data(seed=0, n_groups=12):
    rng = np.random.RandomState(seed)
    groups = np.arange(_N) % n_groups
    X = rng.randn(_N, 3)
    y = (X[:, 0] + np.sin(2 * X[:, 1]) + 0.3 * rng.randn(_N)
         + 0.5 * rng.randn(n_groups)[groups])
    return X, y, groups


def _experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]


@pytest.mark.parametrize("kind, dtype", [
    ("stacked gate", np.uint8), ("stacked gate", np.int8), ("stacked gate", np.int16),
    ("stacked gate", np.uint16), ("hetero mmoe", np.uint8)])
def test_splits_of_small_integer_types_fit_as_int64_ones(kind, dtype):
    # The gate folds, unions of the user's test folds, kept their dtype and
    # indexed torch tensors: uint8 row numbers were taken for a mask ("The
    # shape of the mask [30] at index 0 does not match the shape of the
    # indexed tensor [120, 6]"), int8, int16 and uint16 ones refused by the
    # stacked gate ("tensors used as indices must be long, int, byte or bool
    # tensors").
    X, y, groups = _data()
    if kind == "stacked gate":
        make = lambda cv: MixtureOfExpertsRegressor(  # noqa: E731
            _experts(), cv=cv, random_state=0, max_epochs=20)
    else:
        make = lambda cv: HeterogeneousMultiGateMixtureOfExperts(  # noqa: E731
            _experts(), cv=cv, max_iter=10, random_state=0)
        y = np.column_stack([y, -y])
    folds = list(GroupKFold(4).split(X, y, groups))
    small = [(train.astype(dtype), test.astype(dtype)) for train, test in folds]
    expected = make(folds).fit(X, y).predict(X)
    assert_allclose(make(small).fit(X, y).predict(X), expected, rtol=0, atol=0)


_MAKERS = {
    "stacked gate": lambda cv: MixtureOfExpertsRegressor(_experts(), cv=cv, random_state=0,
                                                         max_epochs=20),
    "em": lambda cv: MixtureOfExpertsRegressor(_experts(), cv=cv, training="em", max_iter=3,
                                               random_state=0),
    "ensemble greedy": lambda cv: EnsembleRegressor(_experts(), weights="greedy", cv=cv),
    "hetero mmoe": lambda cv: HeterogeneousMultiGateMixtureOfExperts(
        _experts(), cv=cv, max_iter=10, random_state=0),
}


@pytest.mark.parametrize("kind", list(_MAKERS))
def test_predefined_split_with_rows_of_zero_weight_is_the_fit_on_the_others(kind):
    # Rows of zero weight are left out and splits given as indices renumbered
    # to the others; a PredefinedSplit (test folds given for the rows given
    # to fit) was passed on as a splitter and split the kept rows, yielding
    # row numbers of all of them: "Split 0 of cv holds indices other than the
    # row numbers 0 .. 101 in its train part".
    X, y, groups = _data()
    if kind == "hetero mmoe":
        y = np.column_stack([y, -y])
    weight = np.where(np.arange(_N) % 7 == 0, 0.0, 1.0)
    kept = weight > 0
    test_fold = groups % 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = _MAKERS[kind](PredefinedSplit(test_fold)).fit(X, y, sample_weight=weight)
        alone = _MAKERS[kind](PredefinedSplit(test_fold[kept])).fit(X[kept], y[kept])
    assert_allclose(weighted.predict(X), alone.predict(X), rtol=0, atol=0)


@pytest.mark.parametrize("kind", ["stacked gate", "em", "ensemble greedy", "hetero mmoe"])
@pytest.mark.parametrize("as_iterator", [False, True], ids=["list", "iterator"])
def test_splits_that_leave_a_class_out_of_training_are_named_in_a_line(kind, as_iterator):
    # A rare class all in one test fold of the user's (grouped) splits: the
    # refusal printed every split's row numbers ("cv=_CVIterableWrapper(cv=
    # [(array([ 40,  41, ..., 198, 199], ...", 733 characters on 200 rows; the
    # multi-task mixture the list's own repr), and its only advice was
    # StratifiedKFold, which ignores the groups the splits were made for.
    X, y, groups = _data()
    labels = (y > np.median(y)).astype(int)
    labels[[0, 12, 24]] = 2                          # group 0: one test fold
    folds = list(GroupKFold(4).split(X, labels, groups))
    cv = iter(folds) if as_iterator else folds
    experts = [("logistic", LogisticRegression()),
               ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
    model = {
        "stacked gate": lambda: MixtureOfExpertsClassifier(experts, cv=cv, random_state=0),
        "em": lambda: MixtureOfExpertsClassifier(experts, cv=cv, training="em",
                                                 random_state=0),
        "ensemble greedy": lambda: EnsembleClassifier(experts, weights="greedy", cv=cv),
        "hetero mmoe": lambda: HeterogeneousMultiGateMixtureOfExperts(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
            ["regression", "multiclass"], cv=cv, random_state=0),
    }[kind]()
    target = np.column_stack([y, labels]) if kind == "hetero mmoe" else labels
    fold = next(k for k, (train, _) in enumerate(folds) if 2 not in labels[train])
    with pytest.raises(ValueError) as error:
        model.fit(X, target)
    message = str(error.value)
    assert (f"cv (the 4 splits given) leaves 1 of the 3 classes out of the training rows "
            f"of fold {fold + 1} of 4:") in message
    assert message.endswith("For rows in groups, cv=list(StratifiedGroupKFold(5, shuffle=True, "
                            "random_state=0).split(X, y, groups)).")
    assert "array(" not in message and len(message) < 500


@pytest.mark.parametrize("kind", ["stacked gate", "ensemble greedy", "hetero mmoe"])
def test_splits_of_all_rows_inside_cross_val_score_say_why_they_are_refused(kind):
    # cross_val_score (GridSearchCV, compare) fits the model on a part of the
    # rows, which splits made for all of them do not number: refused as
    # "Split 0 of cv holds indices other than the row numbers 0 .. 59 in its
    # train part", with no word of why or of what to give instead.
    X, y, groups = _data()
    if kind == "hetero mmoe":
        y = np.column_stack([y, -y])
    folds = list(GroupKFold(4).split(X, y, groups))
    largest = folds[0][0].max()
    with pytest.raises(ValueError, match=(
            r"Split 1 of 4 in cv holds indices other than the row numbers 0 \.\. 59 in its train "
            rf"part \(row {largest} is past the end: splits made for more rows than the 60 "
            r"given to fit\? Inside cross_val_score, GridSearchCV or compare, fit gets a part "
            r"of the rows, which such splits do not number: give cv a splitter or an int "
            r"there\)\.")):
        cross_val_score(_MAKERS[kind](folds), X, y, cv=KFold(2), error_score="raise")


@pytest.mark.parametrize("splitter", [StratifiedGroupKFold(3), LeaveOneGroupOut()],
                         ids=["StratifiedGroupKFold", "LeaveOneGroupOut"])
def test_a_splitter_that_needs_groups_is_shown_with_its_own_splits(splitter):
    # The advice was cv=list(GroupKFold(5).split(X, y, groups)) whatever the
    # splitter: followed for StratifiedGroupKFold, it dropped the
    # stratification (a rare class then left out of a training fold).
    X, y, _ = _data()
    labels = (y > np.median(y)).astype(int)
    model = MixtureOfExpertsClassifier(
        [("logistic", LogisticRegression()), ("tree", DecisionTreeClassifier())], cv=splitter)
    with pytest.raises(ValueError, match=re.escape(
            f"needs groups: pass them to fit, fit(X, y, groups=groups), or pass the "
            f"folds themselves instead, "
            f"e.g. cv=list({splitter!r}.split(X, y, groups)) for the rows given to fit.")):
        model.fit(X, labels)


def _purged_splits(n_rows, n_splits, gap):
    """Contiguous test blocks; each trains on the rows more than ``gap`` away."""
    rows = np.arange(n_rows)
    return [(rows[(rows < test[0] - gap) | (rows > test[-1] + gap)], test)
            for test in np.array_split(rows, n_splits)]


def test_united_folds_train_only_on_rows_their_splits_train_on():
    # Splits that keep rows next to each test block out of training (a gap,
    # as for rows in time): the united folds trained on every row outside
    # their test rows, the gap included.
    folds = _purged_splits(40, 8, 2)
    united = united_folds(folds, 3, seed=0, n_rows=40)
    for train, test in united:
        members = [(t, s) for t, s in folds if set(s) <= set(test)]
        assert set().union(*(set(s) for _, s in members)) == set(test)
        want = set(range(40))
        for member_train, _ in members:
            want &= set(member_train)
        assert set(train) == want
    # Splits whose train parts are the rest of the rows: as before.
    plain = [(np.setdiff1d(np.arange(40), s), s) for _, s in folds]
    for train, test in united_folds(plain, 3, seed=0, n_rows=40):
        assert np.array_equal(train, np.setdiff1d(np.arange(40), test))


def test_gate_folds_keep_out_of_training_the_rows_the_users_splits_do(monkeypatch):
    X, y, _ = _data()
    folds = _purged_splits(_N, 6, 5)
    calls = []
    original = blend._gate_folds

    def spy(*args, **kwargs):
        calls.append(original(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(blend, "_gate_folds", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MixtureOfExpertsRegressor(_experts(), cv=folds, random_state=0,
                                  max_epochs=20).fit(X, y)
    (gate_folds,) = calls
    for train, test in gate_folds:
        for user_train, user_test in folds:
            if set(user_test) <= set(test):
                # (Before: 5 to 15 rows of the gaps in each gate fold's training rows.)
                assert set(train) <= set(user_train)
