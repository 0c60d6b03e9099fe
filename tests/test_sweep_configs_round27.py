"""Configuration sweep, round 27: combinations of parameters of the mixtures
(``training`` x ``top_k`` x gate x ``loss`` x ``refit_experts`` x ``cv``).

Found: ``HierarchicalMixtureRegressor``/``HierarchicalMixtureClassifier``
fitted experts named ``''``, ``'  '`` or ``'a\\nb'``, which the flat mixtures,
the ensembles, the heterogeneous multi-task mixture and ``compare()`` refuse
(round 35 of the input sweep): its ``get_params`` had the keys ``''`` and
``'__alpha'``, and its errors named "Expert ''". Refused now, in the same
words.

``balance_coef`` or ``router_z_coef`` above 0 on a dense gate over fixed
experts (``training='gradient'``, the default for a heterogeneous pool)
trained the gate by the joint trainer in place of the stacked gate (no
candidate heads, ``refit_experts`` unread, ``loss='auto'`` then 'nll'),
without a word, as ``top_k`` of every expert did before round 13:
``balance_coef=1e-6`` took a held-out R^2 from 0.73 to 0.68 (200 rows, a
ridge and a depth-3 tree). The docs listed only torch experts and ``top_k``
as what trains jointly. Fit now warns, and the docs say so.

``cv=None`` under ``training='gradient'`` (the joint trainer, its gate
learning from the fixed experts' in-sample predictions) with an expert that
reproduces its training rows (an unpruned tree) handed it the rows without a
word: 85 % of the gate's weight (100 % with ``top_k=1``) and a held-out R^2
of 0.67 (0.63) against 0.78 with the default folds, on 200 rows with noise,
where exact EM warns of such experts. The gradient trainer now warns too,
naming them.

``fit(X, y, groups=groups)`` with two folds of groups (``cv=2``,
``GroupKFold(2)``): the docs said the stacked gate's gates stop early on
whole test folds of them, "so a group is held out whole there too", but a
gate fold's training rows are then one fold, and its early-stopping rows were
drawn from it at random, rows of one group on both sides, without a word.
Fit now warns (three folds or more hold out whole ones), and the docs say so.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor)


@pytest.mark.parametrize("name", ["", "  ", "a\nb"], ids=["empty", "blank", "newline"])
@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_hme_refuses_a_blank_or_unprintable_expert_name(name, classifier):
    X = np.random.default_rng(0).normal(size=(40, 2))
    if classifier:
        model = HierarchicalMixtureClassifier(
            [(name, LogisticRegression()), ("b", LogisticRegression(C=0.1))], branching=2,
            max_iter=2, random_state=0)
        y = (X[:, 0] > 0).astype(int)
    else:
        model = HierarchicalMixtureRegressor([(name, Ridge()), ("b", Ridge(alpha=10.0))],
                                             branching=2, max_iter=2, random_state=0)
        y = X[:, 0]
    with pytest.raises(ValueError, match=r"Expert names must be printable and not blank .* "
                                         r"got .* for (Ridge|LogisticRegression)"):
        model.fit(X, y)


def _pool(classifier):
    X = np.random.default_rng(0).normal(size=(60, 2))
    if classifier:
        return (MixtureOfExpertsClassifier, [("l", LogisticRegression()),
                                             ("t", DecisionTreeClassifier(max_depth=2))],
                X, (X[:, 0] > 0).astype(int))
    return (MixtureOfExpertsRegressor, [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=2))],
            X, X[:, 0] + np.abs(X[:, 1]))


@pytest.mark.parametrize("penalty", ["balance_coef", "router_z_coef"])
@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_a_penalty_on_a_dense_gate_over_fixed_experts_says_it_leaves_the_stacked_gate(
        penalty, classifier):
    make, experts, X, y = _pool(classifier)
    model = make(experts, max_epochs=2, random_state=0, **{penalty: 1e-6})
    with pytest.warns(UserWarning, match=rf"^{penalty}=1e-06 on a dense gate over fixed "
                                         r"experts trains it by the joint trainer .* not by "
                                         r"the stacked gate"):
        model.fit(X, y)
    assert model.candidate_weights_ is None      # the joint trainer's fit, as said


@pytest.mark.parametrize("params", [
    {"balance_coef": 0.1, "top_k": 1},           # sparse: joint training anyway
    {"balance_coef": 0.1, "cv": None},           # no folds: joint training anyway
    {"balance_coef": 0.1, "training": "em"},     # EM's gate takes the penalty
    {},                                          # the stacked gate
], ids=["top_k", "cv-none", "em", "default"])
def test_no_trainer_warning_where_the_penalty_changes_no_trainer(params):
    make, experts, X, y = _pool(False)
    model = make(experts, max_epochs=2, max_iter=2, random_state=0, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    assert not [w for w in caught if "on a dense gate over fixed experts" in str(w.message)]


@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
@pytest.mark.parametrize("top_k", [None, 1])
def test_gradient_training_without_folds_names_an_expert_that_reproduces_its_rows(
        classifier, top_k):
    make, experts, X, y = _pool(classifier)
    rng = np.random.default_rng(1)
    y = np.where(rng.random(len(y)) < 0.2, 1 - y, y) if classifier else (
        y + rng.normal(scale=0.5, size=len(y)))
    unpruned = (DecisionTreeClassifier if classifier else DecisionTreeRegressor)(random_state=0)
    model = make([experts[0], ("deep", unpruned)], training="gradient", cv=None, top_k=top_k,
                 max_epochs=2, random_state=0)
    with pytest.warns(UserWarning, match=r"^Expert\(s\) \['deep'\] fit their training rows "
                                         r"exactly .* with cv=None the gate learns from the "
                                         r"experts' in-sample predictions"):
        model.fit(X, y)


@pytest.mark.parametrize("cv", [None, "auto"])
def test_no_exact_fit_warning_for_experts_that_leave_residuals(cv):
    make, experts, X, y = _pool(False)          # a ridge and a depth-2 tree
    y = y + np.random.default_rng(1).normal(scale=0.5, size=len(y))
    model = make(experts, training="gradient", cv=cv, max_epochs=2, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    assert not [w for w in caught if "fit their training rows exactly" in str(w.message)]


@pytest.mark.parametrize("cv, validation_fraction, warns", [
    (2, 0.1, True),                 # a gate fold trains on one fold of groups
    (GroupKFold(2), 0.1, True),
    (3, 0.1, False),                # whole folds of groups held out
    (2, 0.0, False),                # no early-stopping rows
], ids=["cv2", "groupkfold2", "cv3", "no-early-stopping"])
@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_stacked_gate_says_where_its_early_stopping_splits_the_groups(
        cv, validation_fraction, warns, classifier):
    make, experts, X, y = _pool(classifier)
    groups = np.repeat(np.arange(6), 10)
    model = make(experts, cv=cv, validation_fraction=validation_fraction, max_epochs=2,
                 random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y, groups=groups)
    said = [str(w.message) for w in caught if "fold of whole groups" in str(w.message)]
    if warns:
        assert len(said) == 1 and said[0].startswith(
            "A fold of the stacked gate trains on one fold of whole groups (of the 2 that cv "
            "makes with fit's groups)") and "Pass cv=3 or more" in said[0]
    else:
        assert not said
