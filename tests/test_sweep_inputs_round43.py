"""Bad-input sweep, round 43: the feature matrix X.

Probed (no defect found unless a test below names it): scipy sparse X in
every format (csr, csc, coo, lil, dok, dia, bsr; matrices and arrays), with
explicit zeros, int64 indices, unsorted indices and duplicate entries (the
same predictions as the dense X; the caller's matrix, its index arrays and
flags untouched), of float32, int8, int and bool data, all zeros, with NaN
(refused by name where an expert refuses it) and inf, at fit and at predict
only, of 0 rows, 0 columns, one row or too few columns at predict, and in
every method (predict, predict_proba, predict_gate, predict_experts,
expert_usage, predict_path, log_likelihood_samples, score, return_std,
bic); sparse X with experts that refuse it (HistGradientBoosting,
GaussianNB, the torch experts: named) or take it (LightGBM, k-NN, SVR,
forests); a list of lists, a tuple of tuples, a ragged list, object arrays
of floats, of Python ints, with None and with pd.NA, bool and float16 X,
complex X (with and without imaginary parts), +-inf at fit and at predict,
1e308 and a column of 1e307, numeric strings, 1-D, 3-D and scalar X, zero
columns, one row and zero rows at predict, Fortran-ordered and sliced X,
torch tensors (float64, float32, requiring grad); a DataFrame at fit and an
array, a list or a sparse matrix at predict and the reverse (scikit-learn's
warnings, the same predictions), integer names at fit and strings or other
integers at predict, renamed, float, bool, tuple, np.str_, empty-string,
None and mixed-type column names, MultiIndex rows and columns, Float64,
Int64 and boolean columns with and without pd.NA, string[python], category
and category-of-ints columns, a frame of sparse columns at predict;
gate_transformer FunctionTransformer, StandardScaler (sparse X: named),
TruncatedSVD and a ColumnTransformer by column names (an array at predict:
named); compare() on these. Across the mixtures (default, training='em',
top_k=1, gate=MLPGate()), the ensembles (mean and greedy), the hierarchical
and multi-task mixtures, with Ridge, LogisticRegression and
StackingRegressor as the reference.

Left as they are: a masked array's mask is ignored (scikit-learn ignores it
too); a category column of numbers at predict where fit saw plain numbers
is refused by the mixtures' gate view ("not numbers, but they were when
the gate's view was fitted"), where Ridge and the ensembles take it.

Each test here failed before the fix it names.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts)

# (The fits are cut short on purpose: a few iterations show what X reaches.)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _frame(n_categories, n=60):
    """Three numeric columns and a category column of integer codes (numbers
    to the experts, one-hot encoded for the gate); y and its class labels."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["d"] = pd.Categorical(5 + np.arange(n) % n_categories)
    y = X[:, 0] + np.where(X[:, 1] > 0, 1.0, -1.0) + 0.1 * rng.normal(size=n)
    return frame, y


def _as_floats(frame):
    return frame.astype({"d": int}).to_numpy(dtype=float)


MODELS = {
    "em": lambda: MixtureOfExpertsRegressor(
        [("lin", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
        training="em", max_iter=2, random_state=0),
    "em-classifier": lambda: MixtureOfExpertsClassifier(
        [("lin", LogisticRegression()),
         ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))],
        training="em", max_iter=2, random_state=0),
}


def _predict(model, X):
    with warnings.catch_warnings():
        # scikit-learn's "X does not have valid feature names, but ... was
        # fitted with feature names", as Ridge gives it on the same X.
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        if hasattr(model, "predict_proba"):
            return model.predict_proba(X)
        return model.predict(X)


@pytest.mark.parametrize("model, n_categories", [("em", 1), ("em", 2), ("em-classifier", 2)])
def test_a_float_array_for_a_frame_with_a_category_column_is_one_hot_encoded_for_the_gate(
        model, n_categories):
    # The EM mixture's predict (skmoe._device_predict) took a float array
    # straight to the gate whenever its view was the default
    # AutoGateTransformer, "which passes a float array through as it is";
    # fitted on a DataFrame with a category column it does not: it one-hot
    # encodes that column. The gate read the codes instead: for a category
    # column of one value the predictions were 0.94 off the frame's, without
    # a word but scikit-learn's feature-names warning; of two values, "X has
    # 4 features, but MLPGate is expecting 5 features as input" (the user's
    # X has 4, as at fit). Ridge, the ensembles and the other mixtures
    # predict the same on the array as on the frame.
    frame, y = _frame(n_categories)
    if model == "em-classifier":
        y = (y > 0).astype(int)
    fitted = MODELS[model]().fit(frame, y)
    np.testing.assert_allclose(_predict(fitted, _as_floats(frame)), _predict(fitted, frame),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_categories", [1, 2])
@pytest.mark.parametrize("make", [
    MODELS["em"],
    lambda: HierarchicalMixtureRegressor(Ridge(), branching=(2,), max_iter=2, random_state=0),
], ids=["em", "hme"])
def test_a_sparse_x_for_a_frame_with_a_category_column_is_one_hot_encoded_for_the_gate(
        make, n_categories):
    # AutoGateTransformer.transform densified a sparse X and gave it to the
    # gate as it was, whatever it had been fitted on: fitted on a DataFrame
    # with a category column (one-hot encoded), the mixtures' predict on the
    # same numbers as a CSR matrix was, for a column of one category, 0.94
    # off the frame's (the EM mixture), without a word; of two,
    # "gate_transformer (AutoGateTransformer) returned 4 column(s) for this
    # X but 5 at fit". Ridge and the ensembles predict on it as on the frame.
    frame, y = _frame(n_categories)
    fitted = make().fit(frame, y)
    X = sparse.csr_matrix(_as_floats(frame))
    np.testing.assert_allclose(_predict(fitted, X), _predict(fitted, frame),
                               rtol=1e-12, atol=1e-12)


MULTITASK = {
    "mmoe": lambda: MultiGateMixtureOfExperts(tasks=["regression"], max_iter=2, random_state=0),
    "hetero": lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        tasks=["regression"], max_iter=2, random_state=0),
}


@pytest.mark.parametrize("at", ["fit", "predict"])
@pytest.mark.parametrize("model", list(MULTITASK))
def test_the_multitask_mixtures_name_a_frame_of_sparse_columns_and_its_fix(model, at):
    # scikit-learn reads a DataFrame whose columns are all sparse as a sparse
    # matrix: the multi-task mixtures, which refuse a sparse matrix with a
    # message of their own, stopped with scikit-learn's "Sparse data was
    # passed for X, but dense data is required. Use '.toarray()' to convert
    # to a dense numpy array." -- a DataFrame has no toarray(). (Ridge, the
    # single-target mixtures and the ensembles take such a frame.)
    frame, y = _frame(2)
    frame = frame.drop(columns="d")
    sparse_frame = frame.astype(pd.SparseDtype(float, 0.0))
    message = (r"X is a DataFrame of sparse columns, which scikit-learn reads as a sparse "
               r"matrix, but \w+ needs dense data \(its gates read X\)\. Make it dense "
               r"with X\.sparse\.to_dense\(\)\.")
    with pytest.raises(TypeError, match=message):
        if at == "fit":
            MULTITASK[model]().fit(sparse_frame, y)
        else:
            MULTITASK[model]().fit(frame, y).predict(sparse_frame)
