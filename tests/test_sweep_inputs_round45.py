"""Bad-input sweep, round 45: pandas' pyarrow-backed columns and polars frames.

Probed (no defect found unless a test below names it): X of pyarrow's double,
int64, bool, float16, decimal128, string, large_string and dictionary columns
(with and without nulls), timestamps (naive, with a zone, with nulls), date32,
duration, time64, null and list columns; fit on one of pandas' own, nullable
or pyarrow dtypes and predict on another (the same predictions); y of
pyarrow's double (with nulls), decimal, string, large_string, bool, int64,
int8, dictionary, binary, date32 and timestamp types (classes_ and predict as
LogisticRegression gives them, refusals named), one-column frames of them;
sample_weight and groups of pyarrow types with nulls; the multi-task mixtures'
y frames of pyarrow columns; LightGBM experts on pyarrow columns (LightGBM's
own refusal, named); pickling and skops of a model fitted on pyarrow columns;
the gate displays; compare(), select_n_experts and bic. polars frames and
Series as X, y, sample_weight and groups (strings, bool, Categorical, Enum,
nulls, Float32/Int8, a one-column frame as y), at fit and predict, reordered
at predict; dask arrays and frames; pandas frames with set_flags(
allows_duplicate_labels=False), attrs, Categorical, string, datetime,
interval and float column indexes, a datetime row index; y as a SparseArray,
pd.Index, a torch tensor, a range, a tuple, np.matrix and a sparse column;
category columns whose categories are reordered or extended at predict;
CSV files for the CLI with a BOM, UTF-16, Latin-1, gzip, CRLF, tabs, quoted
names, spaces around names, duplicate names, a header alone, one row,
labels differing by spaces, inf and TRUE/FALSE targets.

Each test here failed before the fix it names (the pyarrow and polars ones
are skipped where those are not installed).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

from skmoe import (AutoGateTransformer, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts, RuleExpert,
                   TorchMLPRegressor)

# (The fits are cut short on purpose: a few iterations show what X reaches.)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _dropping(column, estimator):
    """``estimator`` on X without ``column``: the gate alone reads it."""
    return make_pipeline(make_column_transformer(("drop", [column]), remainder="passthrough"),
                         estimator)


MODELS = {
    "gradient": lambda column: MixtureOfExpertsRegressor(
        [("lin", _dropping(column, Ridge())),
         ("tree", _dropping(column, DecisionTreeRegressor(max_depth=3, random_state=0)))],
        max_epochs=3, random_state=0),
    "em": lambda column: MixtureOfExpertsRegressor(
        [("lin", _dropping(column, Ridge())),
         ("tree", _dropping(column, DecisionTreeRegressor(max_depth=3, random_state=0)))],
        training="em", max_iter=2, random_state=0),
    "hme": lambda column: HierarchicalMixtureRegressor(
        _dropping(column, Ridge()), branching=(2,), max_iter=2, random_state=0),
}


def _frame(n=40):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"])
    y = X["a"].to_numpy() + np.where(X["b"] > 0, 2.0, -2.0) + 0.1 * rng.normal(size=n)
    return X, y


def _arrow_times(n):
    """pandas-backed time columns and the same as pyarrow's types."""
    pa = pytest.importorskip("pyarrow")
    dates = pd.Series(pd.date_range("2020-01-01", periods=n, freq="D"))
    aware = dates.dt.tz_localize("Europe/Paris")
    spans = pd.Series(pd.to_timedelta(np.arange(n), unit="h"))
    return {
        "zone": (aware, aware.astype(pd.ArrowDtype(pa.timestamp("ns", tz="Europe/Paris")))),
        "date32": (dates.astype("datetime64[ms]"),
                   pd.Series(dates.dt.date).astype(pd.ArrowDtype(pa.date32()))),
        "duration": (spans, spans.astype(pd.ArrowDtype(pa.duration("ns")))),
    }


@pytest.mark.parametrize("kind", ["zone", "date32", "duration"])
@pytest.mark.parametrize("model", sorted(MODELS))
def test_pyarrow_dates_and_durations_are_read_as_pandas_ones_by_the_gate(kind, model):
    # pd.read_parquet(..., dtype_backend="pyarrow") gives these columns. A
    # time-zone aware timestamp or a date32 column failed in the gate's view
    # with a bare "unsupported operand type(s) for /: 'Timestamp' and
    # 'datetime.timedelta'" (to_numpy() gave Timestamp or date objects), and a
    # duration column was refused as "cannot make numbers for the gate",
    # where the same columns in pandas' own dtypes are read as seconds.
    X, y = _frame()
    plain, arrow = _arrow_times(len(X))[kind]
    X_plain, X_arrow = X.assign(t=plain), X.assign(t=arrow)
    expected = MODELS[model]("t").fit(X_plain, y).predict(X_plain)
    fitted = MODELS[model]("t").fit(X_arrow, y)
    np.testing.assert_allclose(fitted.predict(X_arrow), expected, rtol=1e-12, atol=1e-12)
    # (The same instants in pandas' dtypes at predict.)
    np.testing.assert_allclose(fitted.predict(X_plain), expected, rtol=1e-12, atol=1e-12)


def test_a_pyarrow_time_zone_column_the_expert_cannot_read_is_named():
    # Ridge given the column itself: the same bare TypeError came from the
    # hint meant to name the column.
    pa = pytest.importorskip("pyarrow")
    X, y = _frame()
    aware = pd.Series(pd.date_range("2020-01-01", periods=len(X), tz="UTC"))
    X["t"] = aware.astype(pd.ArrowDtype(pa.timestamp("ns", tz="UTC")))
    with pytest.raises(TypeError, match=r"Expert 'lin' \(Ridge\).*'t' hold dates"):
        MixtureOfExpertsRegressor([("lin", Ridge()), ("ridge", Ridge(alpha=10.0))],
                                  max_epochs=2).fit(X, y)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_a_pyarrow_dictionary_column_is_one_hot_encoded_as_a_category_column(model):
    # pd.read_parquet(..., dtype_backend="pyarrow") gives a category column
    # as pyarrow's dictionary type: the gate refused it ("gate_transformer=
    # 'auto' cannot make numbers for the gate from the column(s) 'c' of dtype
    # ['dictionary<values=string, indices=int32, ordered=0>[pyarrow]']")
    # where it one-hot encodes the same column as a pandas category.
    pa = pytest.importorskip("pyarrow")
    X, y = _frame()
    X["c"] = pd.Categorical(np.where(X["b"] > 0, "up", "down"))
    X_arrow = X.assign(c=X["c"].astype(pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))))
    expected = MODELS[model]("c").fit(X, y).predict(X)
    fitted = MODELS[model]("c").fit(X_arrow, y)
    np.testing.assert_allclose(fitted.predict(X_arrow), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fitted.predict(X), expected, rtol=1e-12, atol=1e-12)


def test_a_pyarrow_dictionary_column_with_missing_values_gets_its_own_category():
    pa = pytest.importorskip("pyarrow")
    X = pd.DataFrame({"c": pd.Series(["up", None, "down", "up"]).astype(
        pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string())))})
    Z = AutoGateTransformer().fit(X).transform(X)
    expected = AutoGateTransformer().fit(X.astype(object)).transform(X.astype(object))
    np.testing.assert_array_equal(Z, expected)


def _polars_frame(n=30):
    pl = pytest.importorskip("polars")
    rng = np.random.RandomState(0)
    values = rng.normal(size=(n, 2))
    X = pl.DataFrame(values, schema=["a", "b"])
    return pl, X, values[:, 0] + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("make", [
    lambda: TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=2),
    lambda: RuleExpert(lambda X: X[:, 0] > 0),
    lambda: MultiGateMixtureOfExperts(tasks=["regression"], max_iter=2),
    lambda: HeterogeneousMultiGateMixtureOfExperts([("a", Ridge()), ("b", Ridge(alpha=5.0))],
                                                   ["regression"], max_iter=2),
], ids=["torch", "rule", "mmoe", "heterogeneous-mmoe"])
def test_a_polars_string_column_an_expert_cannot_read_is_named(make):
    # These need numbers and name a pandas frame's string columns; a polars
    # frame's stopped them with polars' bare "could not convert string to
    # float: 'u'", naming neither the model nor the column.
    pl, X, y = _polars_frame()
    X = X.with_columns(pl.Series("colour", np.where(y > 0, "u", "v")))
    model = make()
    with pytest.raises(ValueError, match=rf"{type(model).__name__}.*needs numeric X; the "
                                         r"column\(s\) 'colour' are not numbers"):
        model.fit(X, y)


def test_a_polars_string_column_the_gate_cannot_read_is_named():
    # "(column(s) [2])": by position, where the frame names its columns.
    pl, X, y = _polars_frame()
    X = X.with_columns(pl.Series("colour", np.where(y > 0, "u", "v")))
    with pytest.raises(ValueError, match=r"could not convert X: .*\(column\(s\) 'colour'\)"):
        AutoGateTransformer().fit(X)


def test_a_polars_column_with_gaps_is_named_for_the_experts_that_refuse_it():
    # "X's column(s) 1 (1 row) hold them": by position, where the frame
    # names its columns.
    pl, X, y = _polars_frame()
    X = X.with_columns(pl.when(pl.int_range(len(y)) == 3).then(None).otherwise(pl.col("b"))
                       .alias("b"))
    with pytest.raises(ValueError, match=r"X's column\(s\) 'b' \(1 row\) hold them"):
        EnsembleRegressor([("a", Ridge()), ("b", Ridge(alpha=5.0))]).fit(X, y)
