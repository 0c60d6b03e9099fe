"""Bad-input sweep, round 26: the multi-task and hierarchical estimators and
the wrappers (CrossFitAverage, RuleExpert, AutoGateTransformer) and the
displays, given inputs of the wrong kind.

Each test fails without the fix it names.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import (AutoGateTransformer, CrossFitAverage, HeterogeneousMultiGateMixtureOfExperts,
                   MultiGateMixtureOfExperts, RuleExpert)


def _two_tasks(n=30):
    X = np.random.RandomState(0).normal(size=(n, 2))
    return X, np.c_[X[:, 0], X[:, 0] - X[:, 1]]


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts([("a", Ridge()), ("b", Ridge(alpha=10.0))]),
])
def test_multitask_sparse_y_is_told_to_be_dense(make):
    # np.asarray of a sparse matrix is a 0-d object array: "y must have shape
    # (n_samples,) or (n_samples, n_tasks) with n_samples=30; got shape ()"
    # for a y of shape (30, 2).
    X, Y = _two_tasks()
    with pytest.raises(TypeError, match=r"Sparse data was passed for y \(shape \(30, 2\)\), "
                                        r"but dense data is required\. Use '\.toarray\(\)'"):
        make().fit(X, sparse.csr_matrix(Y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (MMoE's two epochs do not converge)
        model = make().fit(X, Y)
    with pytest.raises(TypeError, match=r"Sparse data was passed for y \(shape \(30, 2\)\)"):
        model.score(X, sparse.csr_matrix(Y))


@pytest.mark.parametrize("y, shown", [
    (["a", "b", "a", "b"], r"\['a', 'b'\]"),
    ([0, 5, 1, 0], r"\['0', '1', '5'\]"),
    ([0.0, 0.5, 1.0, 1.0], r"\['0.0', '0.5', '1.0'\]"),
])
def test_cross_fit_average_score_names_labels_that_are_not_encoded(y, shown):
    # The average predicts the encoded labels 0 .. n_classes - 1. Labels of
    # y itself were scikit-learn's "Mix of label input types (string and
    # number)", and a label 5 of n_classes=2 scored 0.25, silently.
    X = np.random.RandomState(0).normal(size=(20, 2))
    codes = (X[:, 0] > 0).astype(int)
    average = CrossFitAverage([LogisticRegression().fit(X[:10], codes[:10]),
                               LogisticRegression().fit(X[10:], codes[10:])], n_classes=2,
                              name="lr")
    with pytest.raises(ValueError, match=r"expert 'lr' predicts encoded labels, integers "
                                         r"from 0 to 1; y holds " + shown):
        average.score(X[:4], y)
    assert average.score(X[:4], average.predict(X[:4])) == 1.0
