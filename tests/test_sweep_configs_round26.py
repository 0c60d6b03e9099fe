"""Configuration sweep, round 26: data shapes against parameters, on every
public estimator.

Found: ``compare()`` and ``select_n_experts(criterion='cv')`` with an int
``cv`` and a classifier whose largest class has fewer than ``cv`` rows (33
classes of 3 rows each, or 5 rows with ``cv=5``) failed with scikit-learn's
"n_splits=5 cannot be greater than the number of members in each class",
naming neither ``cv`` nor a way out; the mixtures refuse such data in their
own words. Both now refuse it so, before any fit.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier, compare, select_n_experts


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
