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
