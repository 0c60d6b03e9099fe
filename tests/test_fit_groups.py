"""fit(X, y, groups=...): the cross-fitting folds are whole groups.

The list-of-splits idiom (``cv=list(GroupKFold(5).split(X, y, groups))``)
numbers the rows given to fit, so it breaks inside GridSearchCV or
cross_val_score; ``groups`` in ``fit`` goes through metadata routing there.
"""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (GridSearchCV, GroupKFold, KFold, StratifiedGroupKFold,
                                     cross_val_score)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from skmoe._crossfit import cv_of_groups

REG = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=5, random_state=0))]
CLF = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3,
                                                                     random_state=0))]


def _grouped(n_groups=30, per=6, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_groups), per)
    X = np.c_[rng.normal(size=len(groups)), rng.normal(size=n_groups)[groups]]
    y = X[:, 0] + rng.normal(size=n_groups)[groups] + 0.3 * rng.normal(size=len(groups))
    return X, y, groups


def _whole(folds, groups):
    return all(not set(groups[tr]) & set(groups[te]) for tr, te in folds)


def test_regressor_with_groups_is_the_fit_on_group_folds():
    X, y, groups = _grouped()
    given = MixtureOfExpertsRegressor(REG, random_state=0).fit(X, y, groups=groups)
    listed = MixtureOfExpertsRegressor(
        REG, random_state=0, cv=list(GroupKFold(5).split(X, y, groups))).fit(X, y)
    plain = MixtureOfExpertsRegressor(REG, random_state=0).fit(X, y)
    np.testing.assert_array_equal(given.predict(X), listed.predict(X))
    assert not np.array_equal(given.predict(X), plain.predict(X))
    assert not hasattr(given, "_cv_of_groups")   # no copy of the folds is kept
    # and a later fit without groups is the plain fit again
    np.testing.assert_array_equal(given.fit(X, y).predict(X), plain.predict(X))


def test_em_takes_its_two_folds_of_groups():
    X, y, groups = _grouped()
    given = MixtureOfExpertsRegressor(REG, training="em", max_iter=3,
                                      random_state=0).fit(X, y, groups=groups)
    listed = MixtureOfExpertsRegressor(REG, training="em", max_iter=3, random_state=0,
                                       cv=list(GroupKFold(2).split(X, y, groups))).fit(X, y)
    np.testing.assert_array_equal(given.predict(X), listed.predict(X))


def test_classifier_folds_are_stratified_groups():
    X, y, groups = _grouped()
    labels = np.where(y > 0, "yes", "no")
    given = MixtureOfExpertsClassifier(CLF, random_state=0).fit(X, labels, groups=groups)
    codes = (labels == "yes").astype(int)
    listed = MixtureOfExpertsClassifier(
        CLF, random_state=0,
        cv=list(StratifiedGroupKFold(5).split(X, codes, groups))).fit(X, labels)
    np.testing.assert_array_equal(given.predict_proba(X), listed.predict_proba(X))


def test_greedy_ensemble_with_groups():
    X, y, groups = _grouped()
    given = EnsembleRegressor(REG, weights="greedy", random_state=0).fit(X, y, groups=groups)
    listed = EnsembleRegressor(REG, weights="greedy", random_state=0,
                               cv=list(GroupKFold(5).split(X, y, groups))).fit(X, y)
    np.testing.assert_array_equal(given.weights_, listed.weights_)
    clf = EnsembleClassifier(CLF, weights="greedy", random_state=0)
    clf.fit(X, (y > 0).astype(int), groups=groups)
    with pytest.warns(UserWarning, match="groups has no effect with weights=None"):
        EnsembleRegressor(REG).fit(X, y, groups=groups)


def test_zero_weights_with_groups():
    X, y, groups = _grouped()
    w = np.ones(len(y))
    w[:12] = 0   # two whole groups left out
    model = MixtureOfExpertsRegressor(REG, random_state=0).fit(X, y, sample_weight=w,
                                                               groups=groups)
    assert np.all(np.isfinite(model.predict(X)))


def test_cv_of_groups_rules():
    X, y, groups = _grouped(n_groups=8)
    folds = cv_of_groups(5, 5, X, y, groups, classifier=False)
    assert len(folds) == 5 and _whole(folds, groups)
    # 'auto' takes fewer folds where there are fewer groups; an int is refused
    assert len(cv_of_groups("auto", 10, X, y, groups, classifier=False, auto=True)) == 8
    with pytest.raises(ValueError, match="asks for 10 folds of whole groups, but groups "
                                         "has 8"):
        cv_of_groups(10, 10, X, y, groups, classifier=False)
    # a group splitter is split with the groups
    assert _whole(cv_of_groups(GroupKFold(4), None, X, y, groups, classifier=False), groups)
    # a splitter or splits that mix groups are refused
    with pytest.raises(ValueError, match="group.*on both its train and test sides"):
        cv_of_groups(KFold(4, shuffle=True, random_state=0), None, X, y, groups,
                     classifier=False)
    mixed = list(KFold(4, shuffle=True, random_state=0).split(X))
    with pytest.raises(ValueError, match="on both its train and test sides"):
        cv_of_groups(mixed, None, X, y, groups, classifier=False)
    with pytest.warns(UserWarning, match="groups has no effect with cv=None"):
        assert cv_of_groups(None, None, X, y, groups, classifier=False) is None


@pytest.mark.parametrize("bad, message", [
    (np.arange(5), "one label per row: 180 rows"),
    (np.r_[np.nan, np.arange(179.0)], "missing labels"),
])
def test_bad_groups_are_named(bad, message):
    X, y, _ = _grouped()
    with pytest.raises(ValueError, match=message):
        MixtureOfExpertsRegressor(REG).fit(X, y, groups=bad)


def test_grid_search_routes_groups_to_the_mixture():
    # 6 groups, 3 outer folds: 4 groups to train on, too few for cv=5 folds of
    # whole groups -- the error shows the groups reached the mixture's fit.
    X, y, groups = _grouped(n_groups=6, per=10)
    with sklearn.config_context(enable_metadata_routing=True):
        moe = MixtureOfExpertsRegressor(REG, cv=5).set_fit_request(groups=True,
                                                                   sample_weight=False)
        search = GridSearchCV(moe, {"validation_fraction": [0.1]}, cv=GroupKFold(3),
                              error_score="raise")
        with pytest.raises(ValueError, match="5 folds of whole groups, but groups has 4"):
            search.fit(X, y, groups=groups)
        moe = MixtureOfExpertsRegressor(REG, random_state=0).set_fit_request(
            groups=True, sample_weight=False)
        scores = cross_val_score(moe, X, y, cv=GroupKFold(3), params={"groups": groups})
    assert np.all(np.isfinite(scores))


def test_a_class_in_one_group_is_named_with_its_label():
    # The classifier's own check spoke of "cv (the 3 splits given)" and advised
    # listed splits, which the user had not given: fit made them from groups.
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(15), 6)
    y = np.array(["a", "b", "rare"])[np.repeat(np.r_[np.zeros(7), np.ones(7), [2]], 6)
                                     .astype(int)]
    X = rng.normal(size=(90, 2))
    with pytest.raises(ValueError, match=r"^Class 'rare' is in 1 group, and the 3 folds of "
                                         r"whole groups that cv=3 makes leave it out"):
        MixtureOfExpertsClassifier(CLF, cv=3).fit(X, y, groups=groups)
    with pytest.raises(ValueError, match=r"^Class 'rare' is in 1 group"):
        EnsembleClassifier(CLF, weights="greedy", cv=3).fit(X, y, groups=groups)
