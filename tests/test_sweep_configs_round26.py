"""Configuration sweep, round 26: data shapes against parameters, on every
public estimator.

Found: ``compare()`` and ``select_n_experts(criterion='cv')`` with an int
``cv`` and a classifier whose largest class has fewer than ``cv`` rows (33
classes of 3 rows each, or 5 rows with ``cv=5``) failed with scikit-learn's
"n_splits=5 cannot be greater than the number of members in each class",
naming neither ``cv`` nor a way out; the mixtures refuse such data in their
own words. Both now refuse it so, before any fit.

A classifier expert's weighted fit on the rows pruning keeps (an HME leaf,
an EM expert) with 33 classes of 3 rows each warned "The number of unique
classes is greater than 50% of the number of samples. `y` could represent a
regression problem": of those rows, not of the user's y, and with nothing
to do about it. Silenced there, as the cross-fitting folds' fits already
were; a y that earns it still gets it.

``EnsembleRegressor``/``EnsembleClassifier`` with ``n_experts`` copies of an
estimator that no seed varies (Ridge, LogisticRegression, SVC with hard
voting) were one model fitted ``n_experts`` times, predicting as it alone,
with ``weights='greedy'`` choosing between equals, without a word (round 25
found this of the mixtures' joint trainer). They now warn, as the mixtures
do; copies that a seed varies, and unpruned trees that agree on the training
rows only because they reproduce y there, do not.

Probed without a defect (the default mixtures, ``training='em'``,
``top_k=1/2``, ``cv`` 2/5/10, ``refit_experts=False``, ``n_init=2``, gates
with no hidden layer, Adam and tanh, ``noisy_gating``, ``capacity_factor``,
the torch MLP experts, HME, MMoE and its heterogeneous twin, the ensembles
with ``weights='greedy'``, ``select_n_experts``, ``compare()``,
``CrossFitAverage``): n = cv and n = cv + 1 (fit, or a refusal naming cv and
the row count), a class of fewer rows than cv, one positive in 200 (the
expert at fault named, with the missing class), 33 classes of 3 rows, a
group count equal to cv (and one below: refused by name), one feature, one
non-constant feature among constant ones, all-constant X, 500 features on
40 rows, identical rows with differing y, y at 1e9 plus noise and at 1e-9
scale (the same fit, standardised), integer y for regressors, sample
weights on one row (1e-12 elsewhere: fitted; zero elsewhere: refused by
name), a feature of scale 1e12 (Ridge's LinAlgWarning, named once).

Noticed and left alone: ``GroupKFold(6)`` given as the mixture's ``cv`` with
five groups fails with scikit-learn's "Cannot have number of splits
n_splits=6 greater than the number of groups: 5" (clear, the user's own
splitter); MMoE with a 33-class task of 3 rows a class reaches 15 %
training accuracy in its default 200 epochs (one batch an epoch), and says
to raise ``max_iter``.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   MixtureOfExpertsClassifier, compare, select_n_experts)
from skmoe._base import fit_expert

_MANY_CLASSES = "The number of unique classes is greater than 50%"


def _small_classes(n_classes=33, per_class=3):
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(n_classes), per_class)
    X = rng.randn(len(y), 2)
    X[:, 0] += y
    return X, y


@pytest.mark.parametrize("labels", [int, str])
def test_compare_refuses_classes_smaller_than_cv_by_name(labels):
    X, y = _small_classes()
    with pytest.raises(ValueError, match=r"cv=5 stratified folds need a class with at "
                                         r"least 5 rows; the largest class of y has 3\. "
                                         r"Lower cv"):
        compare({"tree": DecisionTreeClassifier()}, X, y.astype(labels), cv=5)


def test_compare_with_as_many_rows_as_cv_names_the_class_sizes():
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match=r"largest class of y has 3"):
        compare({"tree": DecisionTreeClassifier()}, X, np.array([0, 1, 0, 1, 0]), cv=5)


def test_compare_keeps_folds_a_class_can_fill():
    X, y = _small_classes()
    # (Three rows a class fill three stratified folds: no refusal there.)
    result = compare({"tree": DecisionTreeClassifier(max_depth=2)}, X, y, cv=3)
    assert result.n_splits == 3


def test_select_n_experts_cv_refuses_classes_smaller_than_cv_by_name():
    X, y = _small_classes(n_classes=4)
    mixture = MixtureOfExpertsClassifier(LogisticRegression(), training="em", max_iter=2,
                                         cv=2, random_state=0)
    with pytest.raises(ValueError, match=r"cv=5 stratified folds need a class with at "
                                         r"least 5 rows; the largest class of y has 3"):
        select_n_experts(mixture, X, y, candidates=(1, 2), criterion="cv", cv=5)


def _many_classes_warnings(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return [str(w.message) for w in caught if _MANY_CLASSES in str(w.message)]


def test_hme_leaves_do_not_call_33_classes_of_3_rows_a_regression_problem():
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(33), 3)
    X = rng.randn(len(y), 2)
    X[:, 0] += y
    model = HierarchicalMixtureClassifier(LogisticRegression(max_iter=30), branching=(2, 2),
                                          random_state=0, max_iter=3)
    assert _many_classes_warnings(lambda: model.fit(X, y)) == []
    assert model.predict_proba(X).shape == (99, 33)


def _half_the_rows_pruned(n_classes):
    # Two rows a class; the second of each gets no weight, so pruning keeps
    # one row a class (more classes than half those rows).
    y = np.repeat(np.arange(n_classes), 2)
    X = np.c_[y.astype(float), np.ones(len(y))]
    return X, y, np.tile([1.0, 0.0], n_classes)


def test_pruned_weighted_fit_is_quiet_about_the_classes_of_its_kept_rows():
    X, y, weight = _half_the_rows_pruned(30)     # y itself: 30 classes in 60 rows
    assert _many_classes_warnings(lambda: fit_expert(
        "a", LogisticRegression(max_iter=5), X, y, weight, 0, classes_needed=True,
        n_classes=30)) == []


def test_a_y_that_earns_the_many_classes_warning_still_gets_it():
    X, y, weight = _half_the_rows_pruned(30)
    y = y.copy()
    y[1::4] = np.arange(30, 45)                  # 45 classes in 60 rows
    assert _many_classes_warnings(lambda: fit_expert(
        "a", LogisticRegression(max_iter=5), X, y, weight, 0, classes_needed=True,
        n_classes=45))


def _easy_regression():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    return X, X[:, 0] + 0.1 * rng.randn(60)


@pytest.mark.parametrize("weights", [None, "greedy"])
def test_ensemble_of_copies_no_seed_varies_warns(weights):
    X, y = _easy_regression()
    with pytest.warns(UserWarning, match=r"^The 3 copies of Ridge \(n_experts=3\) gave the "
                                         r"same predictions on every row") as record:
        model = EnsembleRegressor(Ridge(), n_experts=3, weights=weights,
                                  random_state=0).fit(X, y)
    assert any(w.filename == __file__ for w in record if "copies of Ridge" in str(w.message))
    np.testing.assert_allclose(model.predict(X), Ridge().fit(X, y).predict(X), atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: EnsembleClassifier(LogisticRegression(), n_experts=2, random_state=0),
    lambda: EnsembleClassifier(SVC(), n_experts=2, voting="hard", random_state=0),
], ids=["soft", "hard"])
def test_classifier_ensemble_of_copies_no_seed_varies_warns(make):
    X, y = _easy_regression()
    labels = np.where(y > 0, "yes", "no")
    with pytest.warns(UserWarning, match=r"copies of (LogisticRegression|SVC) "
                                         r"\(n_experts=2\) gave the same predictions"):
        make().fit(X, labels)


@pytest.mark.parametrize("tree", [
    DecisionTreeRegressor(max_depth=3, max_features=1),   # a seed varies it
    DecisionTreeRegressor(max_features=1),                 # unpruned: reproduces y
], ids=["seeded", "unpruned"])
def test_ensemble_of_copies_a_seed_varies_does_not_warn(tree):
    X, y = _easy_regression()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        EnsembleRegressor(tree, n_experts=3, random_state=0).fit(X, y)
    assert not [w for w in caught if "copies of" in str(w.message)]
