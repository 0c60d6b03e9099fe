"""The second-level folds follow the user's ``cv`` splits.

A user with rows in groups passes ``cv=list(GroupKFold(k).split(X, y, groups))``.
The experts' out-of-fold predictions always followed those splits; the gate
folds that score the mixture's candidates (the constant blend, the gates, the
heads) and the heterogeneous MMoE's penalty folds were shuffled rows, so a
candidate that had learnt a group's noise was scored on rows of that group
(plm::Produc, new states: RMSE 0.231 against 0.141 once the gate folds follow
the user's splits; ``benchmarks/results/grouped_gate_folds.md``).
"""
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skmoe._blend as blend
import skmoe._mmoe_hetero as hetero
from skmoe import (HeterogeneousMultiGateMixtureOfExperts, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from skmoe._crossfit import united_folds


def grouped_data(seed=0, n_groups=30, size=10):
    """y = x + a group's offset; z, the group's signature, says nothing of the offset."""
    rng = np.random.RandomState(seed)
    groups = np.repeat(np.arange(n_groups), size)
    z = rng.uniform(-3, 3, n_groups)[groups]
    x = rng.normal(size=len(groups))
    y = x + rng.normal(0, 1.0, n_groups)[groups] + rng.normal(0, 0.1, len(groups))
    return np.column_stack([x, z]), y, groups


def regressors():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))]


def assert_groups_held_out_together(folds, groups):
    n = len(groups)
    tested = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tested), np.arange(n))          # a partition
    for train, test in folds:
        assert np.array_equal(np.sort(np.r_[train, test]), np.arange(n))
        # No group on both sides of any fold.
        assert not set(groups[train]) & set(groups[test])


def recording(monkeypatch, module, name):
    """Wrap ``module.name`` so that each call's folds are kept."""
    calls, original = [], getattr(module, name)

    def wrapper(*args, **kwargs):
        out = original(*args, **kwargs)
        calls.append(out)
        return out

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_united_folds_are_unions_of_whole_test_folds():
    folds = [(np.setdiff1d(np.arange(14), t), t) for t in np.array_split(np.arange(14), 7)]
    united = united_folds(folds, 3, seed=0, n_rows=14)
    assert len(united) == 3
    tests = [set(test) for _, test in folds]
    for train, test in united:
        members = [t for t in tests if t <= set(test)]
        assert set().union(*members) == set(test)                 # whole folds only
        assert np.array_equal(train, np.setdiff1d(np.arange(14), test))
    assert sorted(len(test) for _, test in united) == [4, 4, 6]
    again = united_folds(folds, 3, seed=0, n_rows=14)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(united, again))
    # Fewer user folds than asked for: one each (and never fewer than two).
    assert len(united_folds(folds[:2] + [(np.arange(4, 14), np.arange(4))], 5, 1, 14)) == 3


def test_regressor_gate_folds_keep_the_users_groups_together(monkeypatch):
    X, y, groups = grouped_data()
    calls = recording(monkeypatch, blend, "_gate_folds")
    folds = list(GroupKFold(5).split(X, y, groups))
    MixtureOfExpertsRegressor(regressors(), cv=folds, random_state=0).fit(X, y)
    assert len(calls) == 1 and len(calls[0]) == 5
    assert_groups_held_out_together(calls[0], groups)


def test_classifier_gate_folds_keep_the_users_groups_together(monkeypatch):
    X, y, groups = grouped_data(1)
    labels = (y > np.median(y)).astype(int)
    calls = recording(monkeypatch, blend, "_gate_folds")
    folds = list(GroupKFold(3).split(X, labels, groups))
    MixtureOfExpertsClassifier(
        [("logistic", LogisticRegression()),
         ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))],
        cv=folds, random_state=0).fit(X, labels)
    assert len(calls[0]) == 3
    assert_groups_held_out_together(calls[0], groups)


def test_gate_early_stopping_rows_are_one_of_the_users_folds(monkeypatch):
    # Shuffled rows let a gate that learnt the training groups keep improving
    # on its early-stopping rows (rows of the same groups).
    X, y, groups = grouped_data()
    calls = recording(monkeypatch, blend, "_inner_split")
    folds = list(GroupKFold(5).split(X, y, groups))
    MixtureOfExpertsRegressor(regressors(), cv=folds, random_state=0).fit(X, y)
    tests = [set(test) for _, test in folds]
    assert len(calls) == 5            # one gate per gate fold (n_init=1)
    for fit_rows, val_rows in calls:
        assert set(val_rows) in tests
        assert not set(groups[fit_rows]) & set(groups[val_rows])
        assert len(fit_rows) + len(val_rows) == len(y) * 4 // 5


def test_inner_split_draws_a_whole_user_fold():
    rng = np.random.RandomState(0)
    train = np.arange(20)
    user_tests = [np.arange(0, 8), np.arange(8, 20)]
    fit_rows, val_rows = blend._inner_split(train, np.ones(25), 0.1, rng, user_tests)
    assert any(np.array_equal(val_rows, t) for t in user_tests)
    assert np.array_equal(np.sort(np.r_[fit_rows, val_rows]), train)
    # Small folds (LeaveOneGroupOut): as many whole ones as hold the fraction.
    many = [np.arange(k, k + 2) for k in range(0, 40, 2)]
    fit_rows, val_rows = blend._inner_split(np.arange(40), np.ones(40), 0.25, rng, many)
    assert len(val_rows) == 10 and len(fit_rows) == 30
    assert all(set(t) <= set(val_rows) or not set(t) & set(val_rows) for t in many)
    # Never every fold.
    fit_rows, val_rows = blend._inner_split(np.arange(40), np.ones(40), 0.99, rng, many)
    assert len(fit_rows) == 2
    # No early stopping asked for, or one fold only: as without user folds.
    for fraction, tests in ((0.0, user_tests), (0.1, user_tests[:1])):
        got = blend._inner_split(train, np.ones(25), fraction, np.random.RandomState(0), tests)
        want = blend._inner_split(train, np.ones(25), fraction, np.random.RandomState(0))
        assert all(np.array_equal(a, b) for a, b in zip(got, want))


def test_an_int_cv_keeps_shuffled_gate_folds(monkeypatch):
    # (The default: nothing changes.)
    X, y, _ = grouped_data()
    calls = recording(monkeypatch, blend, "united_folds")
    MixtureOfExpertsRegressor(regressors(), cv=5, random_state=0).fit(X, y)
    assert calls == []


def test_a_head_that_learnt_the_groups_noise_is_not_trusted():
    # The feature-weighted head learns the offsets of the training groups from
    # z. Scored on rows of the same groups (shuffled gate folds) it looked
    # better than the constant blend (held-out loss 0.462 against 0.529) and
    # took 0.9 of the final blend; scored on held-out groups it is worse.
    X, y, groups = grouped_data()
    folds = list(GroupKFold(5).split(X, y, groups))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixtureOfExpertsRegressor(regressors(), cv=folds, random_state=0).fit(X, y)
        with blend.levers_set(gate_folds_follow_cv=False):
            shuffled = MixtureOfExpertsRegressor(regressors(), cv=folds,
                                                 random_state=0).fit(X, y)
    held_out = model.out_of_fold_loss_
    assert held_out["feature_weighted"] > held_out["constant"] + 0.02
    assert model.candidate_weights_["feature_weighted"] < 0.5
    assert shuffled.out_of_fold_loss_["feature_weighted"] < held_out["constant"]
    # On new groups the mixture that did not trust the head does better.
    X_new, y_new, _ = grouped_data(seed=1, n_groups=200)
    rmse = [np.sqrt(np.mean((m.predict(X_new) - y_new) ** 2)) for m in (model, shuffled)]
    assert rmse[0] < rmse[1]


def test_hetero_penalty_folds_keep_the_users_groups_together(monkeypatch):
    X, y, groups = grouped_data()
    Y = np.column_stack([y, -y + X[:, 0]])
    calls = []
    original = hetero.HeterogeneousMultiGateMixtureOfExperts._held_out_loss

    def spy(self, alpha, folds, *args):
        calls.append(folds)
        return original(self, alpha, folds, *args)

    monkeypatch.setattr(hetero.HeterogeneousMultiGateMixtureOfExperts, "_held_out_loss", spy)
    folds = list(GroupKFold(4).split(X, y, groups))
    HeterogeneousMultiGateMixtureOfExperts(regressors(), cv=folds, max_iter=30,
                                           random_state=0).fit(X, Y)
    assert calls and all(len(f) == 3 for f in calls)
    for f in calls:
        assert_groups_held_out_together(f, groups)


@pytest.mark.parametrize("cv", [3, None])
def test_hetero_penalty_folds_without_user_splits_are_unchanged(monkeypatch, cv):
    X, y, _ = grouped_data()
    calls = recording(monkeypatch, hetero, "united_folds")
    HeterogeneousMultiGateMixtureOfExperts(regressors(), cv=cv, max_iter=30,
                                           random_state=0).fit(X, np.column_stack([y, y]))
    assert calls == []
