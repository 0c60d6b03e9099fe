"""Bad-input sweep, round 48: scipy sparse inputs everywhere.

Probed (no defect found unless a test below names it): X as csr_array,
csc_array, coo_array and csr_matrix, of int and bool data, with explicit
zeros, int64 and unsorted indices (the caller's matrix untouched), sparse at
fit and dense at predict and the reverse (the same predictions where the
experts fit the same on both), on the stacked, EM and top-k mixtures, the
ensembles (mean and greedy), the hierarchical mixtures, the multi-task
mixtures (sparse X refused by name), compare(), select_n_experts, bic,
AutoGateTransformer and CrossFitAverage; DataFrames of pandas' sparse
columns (all or some, fill value 0, NaN or 1, int, bool, with NaN values);
y, sample_weight and groups as sparse matrices (1-D coo_array too) and as
pd.arrays.SparseArray (with NaN, with labels, strings and bools).

Each test here failed before the fix it names.
"""

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (CrossFitAverage, EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsRegressor, compare)

REG = [("lin", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]


def _data(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("fit", [
    lambda X, y, g: MixtureOfExpertsRegressor(REG, random_state=0).fit(X, y, groups=g),
    lambda X, y, g: EnsembleRegressor(REG, weights="greedy", random_state=0).fit(
        X, y, groups=g),
    lambda X, y, g: HeterogeneousMultiGateMixtureOfExperts(REG, random_state=0).fit(
        X, np.c_[y, y], groups=g),
    lambda X, y, g: compare({"ridge": Ridge()}, X, y, cv=3, groups=g),
], ids=["mixture", "greedy-ensemble", "multi-task", "compare"])
@pytest.mark.parametrize("make", [sparse.csr_matrix, sparse.coo_array],
                         ids=["csr_matrix", "coo_array"])
def test_sparse_groups_are_named(fit, make):
    # np.asarray of a sparse matrix is a 0-d object array: "groups must be
    # one label per row: 40 rows, got an array of shape ()" for a (1, 40)
    # matrix of 40 labels. (A sparse sample_weight was already named.)
    X, y = _data()
    groups = make((np.arange(40) % 5)[None])
    with pytest.raises(ValueError, match=r"groups is a sparse matrix \(shape \(1, 40\)\); "
                                         r"pass the labels as a dense 1-D array"):
        fit(X, y, groups)


@pytest.mark.parametrize("make", [lambda y: sparse.csr_array(y[:, None]),
                                  lambda y: sparse.coo_array(y)], ids=["column", "1-D"])
def test_compare_names_a_sparse_y(make):
    # compare stopped with a bare "TypeError: len() of unsized object" (of
    # np.asarray of the sparse y, a 0-d object array); the estimators
    # themselves refuse it as scikit-learn does.
    X, y = _data()
    with pytest.raises(TypeError, match=r"Sparse data was passed for y \(shape \((40, 1|40,)\)\), "
                                        r"but dense data is required\. Use '\.toarray\(\)'"):
        compare({"ridge": Ridge(), "moe": MixtureOfExpertsRegressor(REG, random_state=0)},
                X, make(y), cv=3)


def test_crossfit_average_score_names_a_sparse_y():
    # A classification average's score read the sparse y as a 0-d object
    # array and stopped with numpy's "setting an array element with a
    # sequence", naming neither y nor the expert.
    X, y = _data()
    labels = (y > 0).astype(int)
    average = CrossFitAverage([LogisticRegression().fit(X[:30], labels[:30]),
                               LogisticRegression().fit(X[10:], labels[10:])],
                              n_classes=2, name="lr")
    with pytest.raises(TypeError, match=r"CrossFitAverage of expert 'lr': sparse data was "
                                        r"passed for y \(shape \(40, 1\)\), but dense data "
                                        r"is required"):
        average.score(X, sparse.csr_array(labels[:, None]))
    assert average.score(X, labels) == average.score(sparse.csr_array(X), labels)


def test_a_sparse_x_names_the_torch_experts_trained_with_the_gate():
    # "torch MLP experts (trained with the gate) need dense numeric X; sparse
    # input is not supported for them (X is a sparse matrix)." named neither
    # the experts nor how to keep X sparse for the others; a Pipeline that
    # makes X dense first is fitted on its own, and takes it.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skmoe import TorchMLPRegressor

    X, y = _data()
    experts = [("ridge", Ridge()), ("net", TorchMLPRegressor(hidden_layer_sizes=(4,)))]
    with pytest.raises(ValueError, match=r"\(X is a sparse matrix\)\. Expert\(s\) \['net'\]: "
                                         r"pass X dense, or make each a Pipeline"):
        MixtureOfExpertsRegressor(experts, max_epochs=2, random_state=0).fit(
            sparse.csr_array(X), y)
    densified = make_pipeline(FunctionTransformer(_dense, accept_sparse=True),
                              TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=2,
                                                random_state=0))
    model = MixtureOfExpertsRegressor([("ridge", Ridge()), ("net", densified)],
                                      random_state=0).fit(sparse.csr_array(X), y)
    assert np.isfinite(model.predict(sparse.csr_array(X))).all()


def _dense(X):
    return X.toarray()
