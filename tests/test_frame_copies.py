"""Inputs are never modified, without a copy of a DataFrame per expert.

Each expert's call (and the gate_transformer's) gets a frame of its own whose
numeric columns are the caller's memory, read-only all the way down
(``skmoe._data._frame_of_its_own``). These tests pin what that must keep: an
expert or a gate_transformer that writes into its X, in fit or predict, in
any way pandas or scikit-learn lets it, changes neither the caller's X nor
what the next expert sees -- for a DataFrame, an array and a sparse matrix.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
from skmoe._data import own_frame, read_only_view

COLUMNS = ["a", "b", "c"]


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3)) * 3 + 5
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _as(kind, X):
    if kind == "DataFrame":
        return pd.DataFrame(X.copy(), columns=COLUMNS)
    if kind == "sparse":
        return sparse.csr_matrix(X)
    return X.copy()


def _dense(X):
    return X.toarray() if sparse.issparse(X) else np.asarray(X, dtype=np.float64)


def _write_into(X):
    """Write into X every way pandas, numpy and scipy allow (refusals are fine)."""
    if isinstance(X, pd.DataFrame):
        # What scikit-learn's check_array does for a step that writes in place
        # (force_writeable, pandas >= 3): np.asarray of the frame made writeable.
        values = np.asarray(X)
        try:
            values.flags.writeable = True
            values[...] = 1e6
        except ValueError:
            pass
        X.iloc[:, 0] = 1e6              # pandas' own writes
        X["b"] *= -1
        X["added"] = 1.0
        return
    target = X.data if sparse.issparse(X) else X
    try:
        target[...] = 1e6
    except ValueError:
        pass                            # read-only: nothing written


class _Writer(RegressorMixin, BaseEstimator):
    """Writes into its X in fit and in predict; predicts the mean of y."""

    def fit(self, X, y, sample_weight=None):
        _write_into(X)
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        _write_into(X)
        return np.full(X.shape[0], self.mean_)


class _Recorder(RegressorMixin, BaseEstimator):
    """Ridge that keeps what it was given: the X of its fit and of its last predict."""

    def fit(self, X, y, sample_weight=None):
        self.fit_X_ = X
        self.fit_seen_ = _dense(X).copy()
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        self.predict_X_ = X
        self.predict_seen_ = _dense(X).copy()
        return self.model_.predict(X)


class _WritingGateView(TransformerMixin, BaseEstimator):
    """A gate_transformer that writes into its X in fit and transform."""

    def fit(self, X, y=None):
        _write_into(X)
        return self

    def transform(self, X):
        # (fit_transform hands fit's X, column added, to transform: the first 3.)
        view = _dense(X)[:, :3].copy()
        _write_into(X)
        return view


def _writers(kind):
    # The first writes in pandas' and numpy's ways; the second scales in place
    # as a scikit-learn step may (StandardScaler(copy=False)).
    scaler = StandardScaler(with_mean=kind != "sparse", copy=False)
    return [("writer", _Writer()), ("scales_in_place", make_pipeline(scaler, Ridge())),
            ("recorder", _Recorder())]


def _recorders(fitted):
    """The recorder expert, or its fold fits where it was cross-fitted."""
    last = fitted.experts_[-1]
    return getattr(last, "estimators_", [last])


MODELS = {
    "ensemble": lambda e, **kw: EnsembleRegressor(e),
    "em": lambda e, **kw: MixtureOfExpertsRegressor(e, training="em", cv=None, max_iter=2,
                                                    random_state=0, **kw),
    "crossfit": lambda e, **kw: MixtureOfExpertsRegressor(e, cv=2, max_epochs=3,
                                                          random_state=0, **kw),
}


@pytest.mark.filterwarnings("ignore:EM did not converge")
@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("kind", ["DataFrame", "ndarray", "sparse"])
def test_experts_writing_into_x_change_neither_the_callers_x_nor_the_next_expert(kind, model):
    X, y = _data()
    given = _as(kind, X)
    fitted = MODELS[model](_writers(kind)).fit(given, y)
    predicted = fitted.predict(given)
    np.testing.assert_array_equal(_dense(given), X)
    if kind == "DataFrame":
        assert list(given.columns) == COLUMNS
    for recorder in _recorders(fitted):
        np.testing.assert_array_equal(recorder.predict_seen_, X)
        if model != "crossfit":     # (cross-fitted experts are fitted on folds)
            np.testing.assert_array_equal(recorder.fit_seen_, X)
    # The same predictions as from experts that write nothing.
    quiet = [("writer", _Writer()), ("scales_in_place", make_pipeline(
        StandardScaler(with_mean=kind != "sparse"), Ridge())), ("recorder", _Recorder())]
    expected = MODELS[model](quiet).fit(_as(kind, X), y).predict(_as(kind, X))
    np.testing.assert_allclose(predicted, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore:EM did not converge")
@pytest.mark.parametrize("model", ["em", "crossfit"])
@pytest.mark.parametrize("kind", ["DataFrame", "ndarray"])
def test_a_gate_transformer_writing_into_x_changes_neither_x_nor_the_experts_x(kind, model):
    X, y = _data()
    given = _as(kind, X)
    experts = [("ridge", Ridge()), ("recorder", _Recorder())]
    fitted = MODELS[model](experts, gate_transformer=_WritingGateView()).fit(given, y)
    fitted.predict(given)
    np.testing.assert_array_equal(_dense(given), X)
    if kind == "DataFrame":
        assert list(given.columns) == COLUMNS
    for recorder in _recorders(fitted):
        np.testing.assert_array_equal(recorder.predict_seen_, X)
        if model == "em":
            np.testing.assert_array_equal(recorder.fit_seen_, X)


@pytest.mark.parametrize("model", ["ensemble", "em"])
def test_experts_read_a_dataframes_numbers_without_a_copy(model):
    # Each expert's call got a deep copy of the frame (and predict one more on
    # entry): 1e6 x 20 rows cost the whole frame again per expert.
    X, y = _data()
    frame = pd.DataFrame(X.copy(), columns=COLUMNS)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "EM did not converge")
        fitted = MODELS[model]([("ridge", Ridge()), ("recorder", _Recorder())]).fit(frame, y)
    fitted.predict(frame)
    recorder = fitted.experts_[-1]
    for seen in (recorder.fit_X_, recorder.predict_X_):
        assert seen is not frame
        assert np.shares_memory(seen["a"].to_numpy(), frame["a"].to_numpy())


def test_a_frame_of_its_own_keeps_dtypes_names_and_copies_what_it_cannot_share():
    frame = pd.DataFrame({"x": [1.5, 2.5, 3.5], "i": [1, 2, 3], "s": ["u", "v", "u"],
                          "c": pd.Categorical(["p", "q", "p"]),
                          "n": pd.array([1, None, 3], dtype="Int64")},
                         index=[10, 20, 30])
    frame.attrs["source"] = "test"
    kept = frame.copy(deep=True)
    own = own_frame(read_only_view(frame))
    pd.testing.assert_frame_equal(own, kept)
    assert own.attrs == {"source": "test"}
    assert np.shares_memory(own["x"].to_numpy(), frame["x"].to_numpy())
    assert np.shares_memory(own["i"].to_numpy(), frame["i"].to_numpy())
    # Numbers shared are read-only to the bottom: their flag cannot be set back.
    with pytest.raises(ValueError, match="WRITEABLE"):
        own["x"].to_numpy().flags.writeable = True
    # Writes through pandas copy first; the caller's frame stays as it was.
    own.loc[10, "x"] = -1.0
    own.loc[20, "i"] = -1
    own.loc[10, "s"] = "w"
    own.loc[10, "n"] = 7
    own["c"] = own["c"].cat.add_categories("r")
    own.loc[30, "c"] = "r"
    pd.testing.assert_frame_equal(frame, kept)
