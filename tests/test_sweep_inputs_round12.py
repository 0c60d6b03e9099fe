"""Bad input, round 12: the data frames and labels real users bring."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts, compare, select_n_experts)
from skmoe.experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor
from skmoe.gates import MLPGate


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _first_column(X, a=1.0):
    return a * X[:, 0]


@pytest.mark.parametrize("make, y_of", [
    (lambda: TorchMLPRegressor(max_epochs=2), lambda y: y),
    (lambda: TorchMLPClassifier(max_epochs=2), lambda y: (y > 0).astype(int)),
    (lambda: RuleExpert(_first_column, params={"a": 1.0}), lambda y: y),
    (lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2), lambda y: np.c_[y, y]),
    (lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("linear", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        max_iter=2), lambda y: np.c_[y, y]),
])
def test_a_dataframe_without_columns_is_named(make, y_of):
    # A DataFrame of no columns (every column dropped) stopped scikit-learn's
    # check with numpy's bare "at least one array or dtype is required".
    X, y = _data()
    with pytest.raises(ValueError, match=r"needs at least one feature; X is a DataFrame "
                                         r"with no columns \(shape \(40, 0\)\)"):
        make().fit(pd.DataFrame(index=range(len(y))), y_of(y))


def _sparse_frame(X, fill_value=np.nan):
    return pd.DataFrame({name: pd.arrays.SparseArray(X[:, j], fill_value=fill_value)
                         for j, name in enumerate("abc")})


@pytest.mark.parametrize("make, y_of", [
    (lambda: TorchMLPRegressor(max_epochs=2, random_state=0), lambda y: y),
    (lambda: RuleExpert(_first_column, params={"a": 1.0}), lambda y: y),
    (lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0), lambda y: np.c_[y, y]),
    (lambda: EnsembleRegressor([("linear", LinearRegression()),
                                ("tree", DecisionTreeRegressor(max_depth=2))]), lambda y: y),
    (lambda: MixtureOfExpertsClassifier(
        [("linear", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))],
        training="em", max_iter=2, random_state=0), lambda y: (y > 0).astype(int)),
])
def test_sparse_columns_filled_with_nan_are_named(make, y_of):
    # A DataFrame of float SparseArray columns (fill value NaN, pandas'
    # default) failed in every expert with pandas' "fill value must be 0 when
    # converting to COO matrix", which names neither the columns nor the fix.
    X, y = _data()
    with pytest.raises(ValueError, match=r"fill value must be 0 .*X's sparse column\(s\) "
                                         r"'a', 'b', 'c' have fill value nan.*"
                                         r"fill_value=0.*X.sparse.to_dense\(\)"):
        make().fit(_sparse_frame(X), y_of(y))
    # With fill value 0 (or dense) the frame fits as the array does.
    dense = _sparse_frame(X).sparse.to_dense()
    assert_allclose(make().fit(dense, y_of(y)).predict(dense),
                    make().fit(X, y_of(y)).predict(X))


def _nan_takers():
    # (Trees take NaN and sparse X.)
    return [("stump", DecisionTreeRegressor(max_depth=1)),
            ("tree", DecisionTreeRegressor(max_depth=3))]


def _to_coo_of_pandas_3_0(self):
    """pandas 3.0's ``DataFrame.sparse.to_coo``: the stored values only, whatever
    the fill value (pandas 3.1 refuses a fill value other than 0)."""
    from scipy.sparse import coo_matrix
    frame = self._parent
    rows, cols, values = [], [], []
    for j, name in enumerate(frame.columns):
        array = frame[name].array
        rows.append(array.sp_index.indices)
        cols.append(np.full(len(array.sp_values), j))
        values.append(array.sp_values)
    return coo_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                      shape=frame.shape)


@pytest.mark.parametrize("make, y_of", [
    # (Experts that take NaN: the mixture's own check lets the frame through.)
    (lambda: EnsembleRegressor(_nan_takers()), lambda y: y),
    (lambda: MixtureOfExpertsRegressor(_nan_takers(), cv=2, max_epochs=5, random_state=0),
     lambda y: y),
    (lambda: RuleExpert(_first_column, params={"a": 1.0}), lambda y: y),
    (lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0),
     lambda y: np.c_[y, y]),
])
def test_missing_values_of_sparse_columns_are_never_read_as_zeros(monkeypatch, make, y_of):
    # pandas 3.0 turned a DataFrame of NaN-filled sparse columns into a sparse
    # matrix whose unstored entries, the missing values, read as zeros: a
    # mixture fitted and predicted on them silently (measured with pandas
    # 3.0.6). The frame is refused on every pandas version, at fit and at
    # predict, before any expert sees it.
    from pandas.core.arrays.sparse.accessor import SparseFrameAccessor
    monkeypatch.setattr(SparseFrameAccessor, "to_coo", _to_coo_of_pandas_3_0)
    X, y = _data()
    X[::4, 1] = np.nan
    frame = _sparse_frame(X)
    assert np.isnan(frame.sparse.to_dense().to_numpy()).any()
    assert not np.isnan(frame.sparse.to_coo().toarray()).any()     # the zeros
    message = r"fill value must be 0 .*X's sparse column\(s\) 'a', 'b', 'c' have fill value nan"
    with pytest.raises(ValueError, match=message):
        make().fit(frame, y_of(y))
    dense = pd.DataFrame(np.nan_to_num(X), columns=list("abc"))
    model = make().fit(dense, y_of(y))
    with pytest.raises(ValueError, match=message):
        model.predict(frame)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("rare", [2, "z"])
def test_select_n_experts_by_cv_names_a_class_missing_from_a_training_fold(rare):
    # A class of one row is in some fold's test rows only: the candidate fitted
    # there failed when scored, with "y contains labels not seen in fit: [2]",
    # naming no way out.
    X, y = _data()
    labels = (y > 0).astype(int) if rare == 2 else np.where(y > 0, "a", "b")
    labels = np.append(labels[:-1], rare)
    moe = MixtureOfExpertsClassifier(LogisticRegression(), n_experts=2, training="em",
                                     cv=None, max_iter=3, random_state=0)
    with pytest.raises(ValueError, match=rf"fold \d of 3 has class\(es\) \[{rare!r}\] in its "
                                         rf"test rows but none in its training rows "
                                         rf"\({rare!r} has 1 row\(s\) in y\).*criterion='bic'"):
        select_n_experts(moe, X, labels, candidates=(1, 2), criterion="cv", cv=3)
    # BIC fits every candidate on all rows, the rare class included.
    best, scores = select_n_experts(moe, X, labels, candidates=(1, 2), criterion="bic")
    assert set(scores) == {1, 2} and best in scores


def test_a_gate_fits_a_dataframe_without_columns_as_the_empty_array():
    # MLPGate fits a gate on no column (a tree mixture's node may see none) as
    # the constant gate of the targets' mean; given as a DataFrame of no
    # columns, scikit-learn's check failed with numpy's bare "at least one
    # array or dtype is required".
    X, y = _data()
    targets = np.c_[np.full(len(y), 0.25), np.full(len(y), 0.75)]
    torch.manual_seed(0)
    from_array = MLPGate(max_iter=20).fit(np.empty((len(y), 0)), targets)
    torch.manual_seed(0)
    from_frame = MLPGate(max_iter=20).fit(pd.DataFrame(index=range(len(y))), targets)
    assert from_frame.n_features_in_ == 0
    proba = from_frame.predict_proba(np.empty((3, 0)))
    assert_allclose(proba, from_array.predict_proba(np.empty((3, 0))))
    assert_allclose(proba, [[0.25, 0.75]] * 3, atol=1e-3)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("linear", LinearRegression()),
                                       ("tree", DecisionTreeRegressor(max_depth=2))],
                                      training="em", max_iter=2, random_state=0),
    lambda: EnsembleRegressor([("linear", LinearRegression()),
                               ("tree", DecisionTreeRegressor(max_depth=2))]),
])
def test_infinity_in_a_dataframe_names_its_columns(make):
    # scikit-learn's "Input X contains infinity or a value too large for
    # dtype('float64')" named no column; in an object column of Decimals the
    # value is not even infinite as written (Decimal('1E+400')).
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame.loc[7, "b"] = -np.inf
    frame.loc[9, "c"] = np.inf
    with pytest.raises(ValueError, match=r"contains infinity.* The column\(s\) 'b', 'c' hold "
                                         r"it: 'b' at row 7 holds -inf\.$"):
        make().fit(frame, y)
    decimals = pd.DataFrame({"a": X[:, 0], "d": [Decimal("1e400") if i == 3 else Decimal(1)
                                                 for i in range(len(y))]})
    with pytest.raises(ValueError, match=r"The column\(s\) 'd' hold it: 'd' at row 3 holds "
                                         r"Decimal\('1E\+400'\)\.$"):
        make().fit(decimals, y)


def _above_zero(X, t=0.0):
    return (X[:, 0] > t).astype(int)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsClassifier(LogisticRegression(), n_experts=2, training="em",
                                       max_iter=2, random_state=0),
    lambda: EnsembleClassifier([("linear", LogisticRegression()),
                                ("tree", DecisionTreeClassifier(max_depth=2))]),
    lambda: HierarchicalMixtureClassifier([("a", LogisticRegression()),
                                           ("b", LogisticRegression(C=0.1))], branching=(2,)),
    lambda: TorchMLPClassifier(max_epochs=2),
    lambda: RuleExpert(_above_zero, params={"t": 0.0}, task="classification"),
])
@pytest.mark.parametrize("missing", ["nan", "pd.NA"])
def test_a_missing_label_among_numeric_labels_is_named(make, missing):
    # Float labels with NaN, or a nullable Int64 column with pd.NA (which
    # reads as NaN), stopped with scikit-learn's "Input y contains NaN.", where
    # an object y with None or NaN named the row and the way out.
    X, y = _data()
    labels = (y > 0).astype(int)
    if missing == "nan":
        labels = labels.astype(float)
        labels[5] = np.nan
    else:
        labels = pd.Series(labels, dtype="Int64")
        labels[5] = pd.NA
    with pytest.raises(ValueError, match=r"^y has 1 missing class label\(s\) \(None or NaN; "
                                         r"the first at row 5\): drop those rows"):
        make().fit(X, labels)


def test_compare_names_a_missing_label_among_numeric_labels():
    X, y = _data()
    labels = (y > 0).astype(float)
    labels[5] = np.nan
    with pytest.raises(ValueError, match=r"^y has 1 missing class label\(s\) .*row 5"):
        compare({"linear": LogisticRegression()}, X, labels, cv=2)


def test_untrusted_types_without_skops_names_the_optional_dependency(monkeypatch):
    # Without skops (an optional dependency) untrusted_types stopped with a
    # bare "No module named 'skops'".
    import sys

    from skmoe.persistence import untrusted_types
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    with pytest.raises(ImportError, match=r"untrusted_types needs skops.*skmoe\[persistence\]"):
        untrusted_types(b"not a model")


def test_sparse_fill_refusal_without_an_estimator_reads_plainly():
    # check_X_for_experts without an estimator said "X cannot read X: ...".
    from skmoe._data import check_X_for_experts
    X, _ = _data()
    with pytest.raises(ValueError, match=r"^Cannot read X: fill value must be 0 to read a "
                                         r"DataFrame of sparse columns \(X's sparse column"):
        check_X_for_experts(_sparse_frame(X))
