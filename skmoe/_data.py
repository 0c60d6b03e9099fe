"""X as users have it: checked, passed to the experts untouched, and a numeric view for the gate.

The mixtures and ensembles hand X to their experts as the user gave it -- a
pandas DataFrame with categorical or string columns, a scipy.sparse matrix,
a numeric array -- as scikit-learn's ``StackingRegressor`` does, so that
every expert can be a ``Pipeline`` with its own ``ColumnTransformer``. Rows
are taken with :func:`take_rows` (``sklearn.utils._safe_indexing``), which
works for all of them.

The gate is a torch network and needs numbers: :class:`AutoGateTransformer`
(``gate_transformer='auto'``) or the user's own transformer builds its view
of X, and :func:`gate_matrix` checks that view.
"""

import contextlib
import functools
import math
import numbers
import os
import sys
import threading
import warnings
from collections import Counter

import numpy as np
from scipy import sparse
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import (_check_feature_names_in, _num_samples, check_array,
                                      check_is_fitted)

from ._compat import Interval, validate_data
from ._versioning import VersionedStateMixin
from ._warnings import thread_filter, thread_filters

# Sparse formats whose rows can be indexed; other formats are converted to CSR.
_ROW_FORMATS = ("csr", "csc")


def is_dataframe(X):
    """Whether X is a pandas DataFrame (pandas is not imported for the test)."""
    try:
        from sklearn.utils._dataframe import is_pandas_df
    except ImportError:  # scikit-learn < 1.7
        from sklearn.utils.validation import _is_pandas_df as is_pandas_df
    return is_pandas_df(X)


def is_polars_frame(X):
    """Whether X is a polars DataFrame (polars is not imported for the test)."""
    try:
        from sklearn.utils._dataframe import is_polars_df
    except ImportError:  # scikit-learn < 1.7
        from sklearn.utils.validation import _is_polars_df as is_polars_df
    return is_polars_df(X)


def is_sparse_frame(X):
    """Whether X is a DataFrame of sparse columns only, which scikit-learn
    reads as a sparse matrix (a frame mixing sparse and dense columns it reads
    as a dense array)."""
    if not is_dataframe(X) or X.shape[1] == 0:
        return False
    import pandas as pd

    return all(isinstance(dtype, pd.SparseDtype) for dtype in X.dtypes)


def n_samples(X):
    """Number of rows of X, whatever its container (``len`` fails on sparse matrices)."""
    return _num_samples(X)


def take_rows(X, rows):
    """Rows ``rows`` of X: an array, a DataFrame (by position) or a sparse matrix."""
    return _safe_indexing(X, rows, axis=0)


def _float_column(column):
    """A DataFrame column as float64, or None when its values are not numbers."""
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype) and (
            dtype != object):
        return None
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_complex_dtype(dtype):
            return column.to_numpy()
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    if dtype == object:
        # Strings are words, even those that read as numbers: MASS::Cars93's
        # Cylinders ('4', '6', ..., one 'rotary') was numeric in a fold
        # without 'rotary' and a category in one with it, and cross-validation
        # failed with "not numbers, but they were when the gate's view was fitted".
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if kind in ("string", "bytes") or kind in ("mixed", "mixed-integer") and any(
                isinstance(value, (str, bytes)) for value in column.to_numpy()):
            return None
        if kind in ("datetime64", "datetime", "date", "timedelta64", "timedelta"):
            # Dates and time spans are not numbers: numpy cast np.datetime64
            # and np.timedelta64 values each to a number in its own unit (2021-
            # 01-01 as 18628 days next to 2021-01-02T10 as 447106 hours).
            return None
        try:
            return column.to_numpy(dtype=np.float64, na_value=np.nan)
        except OverflowError:
            # A Python int beyond float64 (10**400): numpy's bare "int too
            # large to convert to float" named neither X nor the column; as
            # infinity, the check of X refuses it naming both.
            values = column.to_numpy(dtype=object)
            missing = pd.isna(values)
            as_numbers = np.full(len(values), np.nan)
            try:
                as_numbers[~missing] = [_float_or_infinity(v) for v in values[~missing]]
            except (TypeError, ValueError):
                return None
            return as_numbers
        except (TypeError, ValueError):
            return None
    return None  # datetimes, periods, intervals...


def _float_or_infinity(value):
    """``float(value)``, or infinity of its sign where ``value`` is beyond
    float64's range (a Python int or Fraction of 10**400, on which float()
    raises OverflowError)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def as_float64(values):
    """An object or longdouble array as float64, numbers beyond float64's range
    as infinity (see :func:`beyond_float64_hint`)."""
    with np.errstate(over="ignore"):
        try:
            return values.astype(np.float64)
        except OverflowError:
            return np.vectorize(_float_or_infinity, otypes=[np.float64])(values)


def _shown_value(value):
    """``repr(value)``, cut short for a number of hundreds of digits."""
    value = value.item() if isinstance(value, np.generic) and value.dtype.itemsize <= 8 else value
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:12]}... ({len(text)} characters)"


def beyond_float64_hint(values, as_numbers):
    """Where a 2-D object or longdouble array ``values`` holds a finite number
    that float64 (``as_numbers``) reads as infinity, for the error of the
    check of X; "" where none does (a real infinity is named by that error).

    X of longdouble 1e400 (finite in its type) passed the check, and the
    gate's view or an expert's float64 prediction became infinite: the
    error blamed the gate transformer ("returned infinity") or the expert.
    """
    if values.ndim != 2:
        return ""
    for i, j in zip(*np.nonzero(np.isinf(as_numbers))):
        value = values[i, j]
        finite = getattr(value, "is_finite", None)    # Decimal
        if (isinstance(value, numbers.Rational) and not isinstance(value, (bool, np.bool_))
                or isinstance(value, np.floating) and np.isfinite(value)
                or callable(finite) and finite()):
            return (f" (X holds numbers beyond float64's range (about 1.8e308), which the "
                    f"experts and the gate read as infinity: row {i}, column {j} holds "
                    f"{_shown_value(value)}; divide that column by a constant)")
    return ""


def column_kinds(frame):
    """Positions of a DataFrame's numeric and categorical columns, and of the others.

    Numeric: numbers and booleans (nullable ones included), and object
    columns whose values are all numbers. Categorical: ``category`` and string
    dtypes, and object columns holding anything else (strings, mixed values).
    Other: datetimes, timedeltas, periods, intervals.
    """
    import pandas as pd

    numeric, categorical, other = [], [], []
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        dtype = column.dtype
        if _float_column(column) is not None:
            numeric.append(j)
        elif (isinstance(dtype, pd.CategoricalDtype) or dtype == object
              or pd.api.types.is_string_dtype(dtype) or _is_arrow_dictionary(dtype)):
            categorical.append(j)
        else:
            other.append(j)
    return numeric, categorical, other


def _is_arrow_dictionary(dtype):
    """Whether ``dtype`` is pyarrow's dictionary type: the category columns of
    ``pd.read_parquet(..., dtype_backend="pyarrow")``, refused for the gate
    as "cannot make numbers" where pandas' ``category`` is one-hot encoded."""
    import pandas as pd

    arrow = getattr(dtype, "pyarrow_dtype", None)
    return (isinstance(dtype, pd.ArrowDtype)
            and getattr(arrow, "index_type", None) is not None)


def _time_kind(dtype):
    """'dates', 'time-zone aware dates' or 'time spans' for a datetime, a time-zone
    aware datetime or a timedelta dtype; None for any other dtype."""
    import pandas as pd

    if pd.api.types.is_timedelta64_dtype(dtype):
        return "time spans"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "time-zone aware dates" if getattr(dtype, "tz", None) is not None else "dates"
    return None


def _as_time(column, inferred=None):
    """An object column of dates (``datetime.date``, ``datetime``, Timestamps,
    one time zone or several) or of time spans (``timedelta``) as a datetime64
    or timedelta64 column; any other column as it is. ``inferred``: the
    column's ``infer_dtype`` (skipna), if at hand.

    Such columns were one-hot encoded for the gate, each date a category of
    its own (dates after fit's all "infrequent"), and one mixing zones with
    naive dates was refused as holding "neither strings nor numbers".
    """
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype) and dtype.kind in "Mm":
        # pyarrow's timestamps (with or without a zone), dates and durations
        # (pd.read_parquet(..., dtype_backend="pyarrow")) as pandas' own: their
        # to_numpy() gave Timestamp or date objects, and a zone or a date32
        # column failed with "unsupported operand type(s) for /: 'Timestamp'
        # and 'datetime.timedelta'"; durations were refused as not numbers.
        tz = getattr(dtype.pyarrow_dtype, "tz", None)
        unit = np.datetime_data(dtype.numpy_dtype)[0]
        return column.astype(pd.DatetimeTZDtype(unit, tz) if tz else dtype.numpy_dtype)
    if dtype != object:
        return column
    kind = inferred or pd.api.types.infer_dtype(column, skipna=True)
    if kind in ("timedelta", "timedelta64"):
        return pd.to_timedelta(column)
    if kind not in ("datetime", "datetime64", "date"):
        return column
    try:
        return pd.to_datetime(column)         # naive dates, or dates of one zone
    except ValueError:
        pass
    # Several zones (the same instants in UTC), or zones and naive dates,
    # which no zone can be read for.
    dates = column.dropna()
    aware = np.array([getattr(v, "tzinfo", None) is not None for v in dates])
    if aware.all():
        return pd.to_datetime(column, utc=True)
    raise ValueError(
        f"The column {str(column.name)!r} of X mixes time-zone aware dates with naive "
        f"ones (e.g. {dates.iloc[int(np.argmax(aware))]!r} and "
        f"{dates.iloc[int(np.argmin(aware))]!r}), which the gate cannot read as one "
        "time: give them one zone (pd.to_datetime(X[column], utc=True) reads the naive "
        "ones as UTC), or pass gate_transformer for the gate's view of X.")


def _seconds(column):
    """A datetime column as seconds since 1970-01-01 (UTC where time-zone
    aware), a timedelta column as seconds; NaT as NaN."""
    if getattr(column.dtype, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    values = column.to_numpy()          # datetime64 or timedelta64 in its unit, NaT kept
    if values.dtype.kind == "M":
        # 1970 in the column's own unit: pandas' Timestamp(0) is in nanoseconds,
        # and a date outside 1677-2262 (year 1 in a datetime64[s] column)
        # failed with pandas' "Out of bounds nanosecond timestamp".
        values = values - np.datetime64(0, np.datetime_data(values.dtype)[0])
    return values / np.timedelta64(1, "s")           # NaT / 1 s is NaN


def _time_block(frame, positions, kinds=None):
    """The datetime and timedelta columns ``positions`` of a DataFrame as
    seconds, each of the kind (:func:`_time_kind`) in ``kinds`` (None: any)."""
    import pandas as pd

    if not positions:
        return np.empty((frame.shape[0], 0))
    columns = [_as_time(frame.iloc[:, j]) for j in positions]
    now = [_time_kind(column.dtype) for column in columns]
    kinds = kinds or now
    for k, column in enumerate(columns):
        if now[k] is None and column.isna().all():
            # Missing values only (a row to predict, its date unknown): pandas
            # makes None an object column and NaN a float64 one, which were
            # "not dates or time spans"; they are missing, as NaT is.
            columns[k] = pd.Series(np.full(len(column), np.nan), dtype="timedelta64[s]")
            now[k] = kinds[k]
    bad = [j for j, kind in zip(positions, now) if kind is None]
    if bad:
        raise ValueError(f"The column(s) {_describe(frame, bad)} of X are not dates or time "
                         "spans, but they were when the gate's view was fitted.")
    # Time spans where fit saw dates were read as seconds from 0 where fit's
    # were seconds since 1970, and naive dates where fit's were aware (or the
    # reverse) shifted by the zone's offset: the gate read other numbers, silently.
    changed = [(j, fitted, kind) for j, fitted, kind in zip(positions, kinds, now)
               if kind != fitted]
    if changed:
        j, fitted, kind = changed[0]
        fix = (" (X[column].dt.tz_localize(None) drops a time zone, "
               ".dt.tz_localize('UTC') or the dates' own zone sets one)"
               if "dates" in kind and "dates" in fitted else "")
        raise ValueError(
            f"The column(s) {_describe(frame, [c[0] for c in changed])} of X hold {kind} "
            f"(dtype {frame.dtypes.iloc[j]}), but {fitted} when the gate's view was fitted, "
            f"and read as seconds they would mean other times: give them the type of "
            f"fit{fix}, or pass gate_transformer for the gate's view of X.")
    return np.column_stack([_seconds(column) for column in columns])


def _numeric_block(frame, positions):
    """The columns ``positions`` of a DataFrame as one float64 array (NaN for missing)."""
    if not positions:
        return np.empty((frame.shape[0], 0))
    columns = [_float_column(frame.iloc[:, j]) for j in positions]
    bad = [j for j, column in zip(positions, columns) if column is None]
    if bad:
        # (Columns found numeric in fit that are not now: a numpy stacking
        # error named nothing.)
        raise ValueError(f"The column(s) {_describe(frame, bad)} of X are not numbers, "
                         "but they were when the gate's view was fitted.")
    return np.column_stack(columns)


def _refuse_complex(frame, positions):
    """Refuse complex columns among a DataFrame's numeric ``positions`` for the gate.

    :func:`_numeric_block` keeps them complex (for scikit-learn's check of
    the experts' X), and the view, documented as float64, was complex.
    """
    import pandas as pd

    bad = [j for j in positions if pd.api.types.is_complex_dtype(frame.dtypes.iloc[j])]
    if bad:
        raise ValueError(
            f"gate_transformer='auto' cannot make real numbers for the gate from the "
            f"complex column(s) {_describe(frame, bad)} of X: take their real part, "
            "absolute value or angle as columns, or pass gate_transformer for the gate's "
            "view of X.")


def _describe(frame, positions):
    names = [str(frame.columns[j]) for j in positions]
    shown = ", ".join(repr(n) for n in names[:10])
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


# Above this magnitude a value's square overflows float64 (the square root of
# its largest number), so a variance of the column is infinite: scikit-learn's
# StandardScaler then turned a column of 1e306 into NaN, and Ridge after it
# failed with "Input X contains NaN" although X holds none. Above float32's
# largest number, estimators that convert X to float32 (the trees) fail too.
_SQUARE_OVERFLOW = float(np.sqrt(np.finfo(np.float64).max))
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# How :func:`huge_values_hint` ends, to tell whether a message has it already.
HUGE_HINT_END = "divide that column by a constant)"


def huge_values_hint(exc, X):
    """A hint for an expert whose error speaks of NaN or infinite values where
    a column of X holds finite values too large for its arithmetic.

    "" unless the message mentions NaN or infinity and a numeric column of
    ``X`` reaches beyond float32's largest number (3.4e38), or ``X`` is
    float32 and the squares of a column summed over its rows may pass that
    number; the hint names the column, its largest magnitude and why. Only on
    the error path: its cost
    (a pass over X) is never paid by a fit that succeeds.
    """
    text = str(exc).lower()
    if not any(word in text for word in ("nan", "inf", "finite", "too large")):
        return ""
    try:
        with np.errstate(all="ignore"), thread_filter("ignore", category=RuntimeWarning):
            # (All-NaN columns.)
            names, single = None, _is_float32(X)
            if sparse.issparse(X):
                values = abs(sparse.csc_matrix(X, dtype=np.float64))
                peaks = values.max(axis=0).toarray().ravel()
                has_nan = bool(np.isnan(values.data).any())
            elif is_dataframe(X):
                numeric = column_kinds(X)[0]
                block = _numeric_block(X, numeric)
                peaks = np.zeros(X.shape[1])
                if block.size:
                    peaks[numeric] = np.nanmax(np.abs(block), axis=0)
                has_nan = bool(np.isnan(block).any())
                names = [str(c) for c in X.columns]
            else:
                values = np.asarray(X)
                if values.ndim != 2 or values.dtype.kind not in "biuf" or not values.size:
                    return ""
                values = np.abs(values.astype(np.float64, copy=False))
                peaks, has_nan = np.nanmax(values, axis=0), bool(np.isnan(values).any())
    except (TypeError, ValueError):
        return ""
    peaks = np.where(np.isfinite(peaks), peaks, 0.0)
    if not len(peaks):
        return ""
    j = int(np.argmax(peaks))
    column = f"column {names[j]!r}" if names else f"column {j}"
    if single and peaks[j] ** 2 * X.shape[0] > _FLOAT32_MAX:
        # A float32 X holds its values, but an expert that computes in X's
        # dtype (Ridge's X^T X, BayesianRidge's squared singular values) does
        # not hold their squares: Ridge on a float32 X of 1e30 said only "array
        # must not contain infs or NaNs", BayesianRidge predicted NaN.
        squares = ("its square" if peaks[j] ** 2 > _FLOAT32_MAX else
                   "a sum of its squares over the rows")
        return (f" ({'X holds no NaN or infinity, but ' if not has_nan else ''}X is "
                f"float32 and its {column} reaches {peaks[j]:.3g}: {squares} passes "
                "float32's largest number (3.4e+38) in estimators that compute in X's dtype "
                f"(Ridge among them); cast X to float64 (X.astype(np.float64)) or "
                f"{HUGE_HINT_END}")
    if peaks[j] <= _FLOAT32_MAX:
        return ""
    why = ("beyond float32's largest number (3.4e+38), which estimators that work in "
           "float32 (trees among them) cannot hold")
    if peaks[j] > _SQUARE_OVERFLOW:
        why += (", and its square overflows float64, so a variance or a standardisation "
                "of the column (StandardScaler) is infinite or NaN")
    return (f" ({'X holds no NaN or infinity, but ' if not has_nan else ''}its {column} "
            f"reaches {peaks[j]:.3g}: {why}; {HUGE_HINT_END}")


def _is_float32(X):
    """Whether an expert given ``X`` gets a float32 array: a float32 array or
    sparse matrix, or a DataFrame of float32 columns only."""
    if is_dataframe(X):
        return X.shape[1] > 0 and all(dtype == np.float32 for dtype in X.dtypes)
    return getattr(X, "dtype", None) == np.float32


def pandas_na_hint(exc, X):
    """A hint for a failed cast of an array that holds pandas' ``pd.NA``.

    ``DataFrame.to_numpy()`` of nullable columns (Int64, Float64, boolean)
    gives an object array whose missing values are ``pd.NA``, which numpy
    reads as no number: the experts, the gate and the torch networks stopped
    with a bare "float() argument must be a string or a real number, not
    'NAType'" (the gate's message told to one-hot encode categorical columns).
    "" unless ``exc`` says so and X is such an array (a DataFrame:
    :func:`_frame_na_hint`); only on the error path.
    """
    if is_dataframe(X):
        return _frame_na_hint(exc, X)
    if "NAType" not in str(exc) or sparse.issparse(X):
        return ""
    try:
        values = np.asarray(X, dtype=object)
    except (TypeError, ValueError):
        return ""
    if values.ndim != 2:
        return ""
    columns = [j for j in range(values.shape[1])
               if any(type(v).__name__ == "NAType" for v in values[:, j])]
    if not columns:
        return ""
    return (f" (X holds pandas' missing value pd.NA in column(s) {columns[:10]}, as "
            "DataFrame.to_numpy() gives for nullable columns (Int64, Float64, boolean), "
            "and numpy reads no number from it: pass the DataFrame itself, or "
            "X.to_numpy(dtype=float, na_value=np.nan), whose missing values are NaN)")


def _frame_na_hint(exc, X):
    """:func:`pandas_na_hint` for a DataFrame: its string (or object) columns
    that hold ``pd.NA``, on which scikit-learn's SimpleImputer stopped with a
    bare "boolean value of NA is ambiguous", and its OneHotEncoder and
    OrdinalEncoder (an encoder first in a Pipeline, no imputer before it)
    with "Encoders require their input argument must be uniformly strings or
    numbers. Got ['NAType', 'str']", naming no column."""
    message = str(exc)
    if not ("NA is ambiguous" in message
            or ("uniformly strings or numbers" in message and "'NAType'" in message)):
        return ""
    import pandas as pd

    found = [j for j in column_kinds(X)[1]
             if X.iloc[:, j].dtype != "category"
             and any(value is pd.NA for value in X.iloc[:, j].to_numpy(dtype=object))]
    if not found:
        return ""
    return (f" (X's column(s) {_describe(X, found)} hold pandas' missing value pd.NA "
            "among strings, which scikit-learn's imputers and encoders cannot compare: "
            "X[column] = X[column].astype('str') holds them as NaN)")


def refuse_sparse_fill(X, who=None):
    """Refuse a DataFrame of sparse columns whose fill value is not 0.

    scikit-learn reads a DataFrame whose columns are all sparse as a sparse
    matrix (pandas' ``to_coo``), whose unstored entries are zeros. pandas 3.1
    refuses another fill value; pandas 3.0 built the matrix anyway, so the
    entries a NaN-filled column leaves unstored, its missing values, were
    read as zeros, silently. The same error on every pandas version, before
    any expert sees X (and so before any expert can fail with pandas' "fill
    value must be 0 when converting to COO matrix", which named neither the
    columns nor the fix).
    """
    if not is_dataframe(X) or X.shape[1] == 0:
        return
    import pandas as pd

    dtypes = list(X.dtypes)
    if not all(isinstance(dtype, pd.SparseDtype) for dtype in dtypes):
        return                      # (read as a dense array, NaN kept)
    filled = [j for j, dtype in enumerate(dtypes) if not dtype.fill_value == 0]
    if filled:
        raise ValueError(
            f"{'Cannot' if who is None else who + ' cannot'} read X: fill value must be 0 "
            f"to read a DataFrame of sparse columns (X's sparse column(s) "
            f"{_describe(X, filled)} have fill value {dtypes[filled[0]].fill_value!r}; "
            "scikit-learn reads a DataFrame of sparse columns only as a sparse matrix, "
            "which needs fill value 0: make the columns sparse with fill_value=0, e.g. "
            "X.astype(pd.SparseDtype('float', 0)), or dense with X.sparse.to_dense()).")


def missing_column_hint(X):
    """A hint for an expert that failed on an X with a column missing (NaN) in
    every row: scikit-learn's HistGradientBoosting says only "window shape
    cannot be larger than input array shape". "" when X has no such column (a
    sparse X never has: its unstored entries are zeros). Only on the error
    path: its cost (a pass over X) is never paid by a fit that succeeds.
    """
    try:
        if sparse.issparse(X) or not n_samples(X):
            return ""
        if is_dataframe(X):
            numeric = column_kinds(X)[0]
            empty = [numeric[i] for i in
                     np.flatnonzero(np.isnan(_numeric_block(X, numeric)).all(axis=0))]
            shown = _describe(X, empty) if empty else ""
        else:
            values = np.asarray(X)
            if values.ndim != 2 or values.dtype.kind != "f":
                return ""
            empty = np.flatnonzero(np.isnan(values).all(axis=0)).tolist()
            shown = ", ".join(map(str, empty[:10])) + (
                f" and {len(empty) - 10} more" if len(empty) > 10 else "")
    except (TypeError, ValueError):
        return ""
    if not empty:
        return ""
    return (f" (X's column(s) {shown} are missing (NaN) in every row it was fitted on: "
            "no estimator learns from such a column, and some fail on it with a message "
            "that does not say so; drop the column)")


def sequence_cells_hint(exc, X):
    """A hint for an expert that failed on a list, tuple, array, set or dict
    stored in a cell of X: numpy's "setting an array element with a
    sequence" named no column. "" unless the error says so and X (a
    DataFrame: its columns by name; an array of objects: by position) has
    such cells. Only on the error path.
    """
    if "sequence" not in str(exc) or sparse.issparse(X):
        return ""

    def holds_sequences(values):
        return any(isinstance(v, (list, tuple, np.ndarray, set, dict)) for v in values)
    try:
        if is_dataframe(X):
            found = [j for j in range(X.shape[1]) if X.iloc[:, j].dtype == object
                     and holds_sequences(X.iloc[:, j])]
            shown = _describe(X, found)
        else:
            values = np.asarray(X, dtype=object)
            if values.ndim != 2:
                return ""
            found = [j for j in range(values.shape[1]) if holds_sequences(values[:, j])]
            shown = listed_rows(np.asarray(found, dtype=np.int64), 10)
    except (TypeError, ValueError):
        return ""
    if not found:
        return ""
    return (f" (X's column(s) {shown} hold lists or arrays in their cells, where "
            "the experts need one number per cell: spread them over columns of their own, "
            "or drop them)")


def other_frame_names(X, n_columns):
    """A data frame's column names where X is one but not pandas' (polars):
    ``repr`` of each; None for any other X (names by position then)."""
    names = getattr(X, "columns", None)
    if names is None or is_dataframe(X) or sparse.issparse(X) or isinstance(X, np.ndarray):
        return None
    try:
        names = list(names)
    except TypeError:
        return None
    if len(names) != n_columns or not all(isinstance(name, str) for name in names):
        return None
    return [repr(name) for name in names]


def _not_number_positions(values):
    """Positions of the columns of a 2-D object array that do not cast to float64."""
    bad = []
    for j in range(values.shape[1] if values.ndim == 2 else 0):
        try:
            values[:, j].astype(np.float64)
        except (TypeError, ValueError):
            bad.append(j)
    return bad


def other_frame_text_columns(X):
    """``repr`` of the names of a polars frame's columns that are not numbers
    (strings, categories); [] for any other X or on failure. Only on the
    error path."""
    names = other_frame_names(X, (getattr(X, "shape", None) or (0, 0))[-1])
    if not names:
        return []
    try:
        return [names[j] for j in _not_number_positions(np.asarray(X, dtype=object))]
    except (TypeError, ValueError):
        return []


def nan_columns(X):
    """"'a' (3 rows), 'b' (1 row)": the columns of X holding NaN, with counts
    (of a frame by name, of an array or sparse matrix by position); "" for
    none (or an X that cannot tell). Only on the error path."""
    try:
        if not n_samples(X):
            return ""
        if sparse.issparse(X):
            # (Its stored values only: an implicit zero is no NaN.)
            stored = sparse.coo_matrix(X)
            stored.sum_duplicates()     # (a position stored twice is one cell)
            counts = np.bincount(stored.col[np.isnan(stored.data)],
                                 minlength=stored.shape[1])
            names = [str(j) for j in range(stored.shape[1])]
        elif is_dataframe(X):
            counts = np.asarray(X.isna().sum(axis=0), dtype=np.int64)
            names = [repr(str(c)) for c in X.columns]
        else:
            values = np.asarray(X)
            if values.dtype.kind == "O":
                # (Numbers held as objects, as a frame's .values of mixed
                # columns: their NaN went unnamed.)
                values = values.astype(np.float64)
            if values.ndim != 2 or values.dtype.kind not in "fc":
                return ""
            counts = np.isnan(values).sum(axis=0)
            # (A polars frame's by name: "column(s) 0" named none of them.)
            names = (other_frame_names(X, values.shape[1])
                     or [str(j) for j in range(values.shape[1])])
    except (TypeError, ValueError):
        return ""
    found = np.flatnonzero(counts)
    shown = ", ".join(f"{names[j]} ({counts[j]} row{'s' if counts[j] != 1 else ''})"
                      for j in found[:10])
    return shown + (f" and {found.size - 10} more" if found.size > 10 else "")


def nan_columns_hint(exc, X):
    """A hint for an expert that refused missing values: which columns hold them.

    scikit-learn's "Input X contains NaN" names no column, and a mixture
    with cross-fitting added that the fit was on a fold's rows, as if the
    number of rows were at fault (a raw frame with gaps, or one after
    ``pd.get_dummies`` or ``select_dtypes('number')``, gives every expert
    its NaN as they are). "" unless the error says so and X has such
    columns. Only on the error path.
    """
    if "contains nan" not in str(exc).lower():
        return ""
    shown = nan_columns(X)
    if not shown:
        return ""
    # The rows counted are those the expert was given: a cross-fitting
    # fold's (which the message otherwise no longer says), so the counts
    # were fewer than X's, unexplained.
    return (f" (of the {n_samples(X)} rows this expert was given, X's column(s) {shown} "
            "hold missing values (NaN), which this expert does "
            "not take: the experts get X as it is. Impute them for it, e.g. "
            "make_pipeline(SimpleImputer(), <expert>), or use experts that take NaN "
            f"{NAN_HINT_END}")


def column_names_hint(expert, X):
    """A hint for a fitted expert that failed on an X without the column names of fit.

    scikit-learn only warns when a model fitted on a DataFrame gets a numpy
    array, or a frame whose labels are not all strings (MultiIndex
    columns), at prediction; an expert that selects columns by name (a
    ColumnTransformer) then failed with "Specifying the columns using
    strings is only supported for dataframes" or "'NoneType' object is not
    iterable", which did not say what was wrong with X. "" when the expert
    has no ``feature_names_in_`` or X has string column names.
    """
    names = getattr(expert, "feature_names_in_", None)
    if names is None:
        return ""
    if is_dataframe(X):
        if all(isinstance(c, str) for c in X.columns):
            return ""
        kind = type(X.columns).__name__
        what = (f"a DataFrame whose column labels are not all strings ({kind}: "
                f"{', '.join(map(repr, list(X.columns)[:3]))}"
                f"{', ...' if X.shape[1] > 3 else ''})")
    else:
        # A polars frame reaches the experts as this array too (check_X_for_experts):
        # "X here is a ndarray" told its user, who had passed the very columns of
        # fit by name, to build a DataFrame from an array they never had.
        what = (f"a {type(X).__name__} without column names (as a polars frame reaches "
                "the experts too: only a pandas DataFrame is handed to them as it is)")
    shown = ", ".join(map(repr, [str(c) for c in names[:5]])) + (
        ", ..." if len(names) > 5 else "")
    return (f" (this expert was fitted on a DataFrame with the columns {shown} and may read "
            f"them by name, but X here is {what}: pass a pandas DataFrame with the columns "
            "of fit, e.g. X.to_pandas() for a polars frame, or "
            "pd.DataFrame(X, columns=model.feature_names_in_))")


def frame_as_array_hint(exc, X):
    """A hint for an expert that failed to fit on an array because it selects
    columns by name.

    The experts get a pandas DataFrame as it is, but a polars frame as a
    numpy array (:func:`check_X_for_experts`): a ColumnTransformer of named
    columns, which takes a polars frame in a plain Pipeline, failed with
    scikit-learn's bare "Specifying the columns using strings is only
    supported for dataframes" although the user had passed a data frame.
    "" unless the error says so and X is an array.
    """
    if "only supported for dataframes" not in str(exc) or not isinstance(X, np.ndarray):
        return ""
    return FRAME_AS_ARRAY_HINT


# :func:`frame_as_array_hint`'s text, for a model whose experts get every X as
# an array (the heterogeneous multi-task mixture) to take it out again.
FRAME_AS_ARRAY_HINT = (" (the experts get X as a numpy array without column names unless "
                       "X is a pandas DataFrame: a polars frame too. Pass X.to_pandas() "
                       "for a polars frame, or select the columns by position in the "
                       "expert)")


# How :func:`nan_columns_hint` ends, to tell whether a message has it already.
NAN_HINT_END = "(LightGBM, HistGradientBoosting))"


def _is_time_of_day(column):
    """Whether a DataFrame column holds times of day: pyarrow's time32/time64
    or ``datetime.time`` objects. Only on the error path."""
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa
        return pa.types.is_time(dtype.pyarrow_dtype)
    return dtype == object and pd.api.types.infer_dtype(column, skipna=True) == "time"


def time_columns_hint(exc, X):
    """A hint for an expert that failed on a DataFrame's date or time-span columns.

    The gate's view reads them as seconds, but the experts get X as it is,
    and scikit-learn's estimators stopped on them with numpy's "The DType
    <class 'numpy.dtypes.DateTime64DType'> could not be promoted by <class
    'numpy.dtypes.Float64DType'>" (or "float() argument must be a string or a
    real number, not 'Timestamp'"), naming no column. "" unless the error
    speaks of types or dates and X has such columns, or is an array of dates
    or time spans. Only on the error path.
    """
    text = str(exc).lower()
    if not any(word in text for word in ("dtype", "date", "time")):
        return ""
    kind = X.dtype.kind if isinstance(X, np.ndarray) else None
    if kind is not None and kind in "Mm":
        # The ensembles (no gate to refuse them) gave Ridge's failure in
        # predict alone: "ufunc 'matmul' did not contain a loop with signature
        # matching types (<class 'numpy.dtypes.DateTime64DType'>, ...)" (its
        # fit had read the dates as nanoseconds since 1970).
        what, fix = (("dates", "(X - X.min()) / np.timedelta64(1, 'D'), days from the first")
                     if kind == "M" else ("time spans", "X / np.timedelta64(1, 's'), seconds"))
        return (f" (X is an array of {what} (dtype {X.dtype}), which numpy reads as counts "
                "of its unit: scikit-learn's estimators fit them as such and some fail in "
                f"predict. Convert X to numbers, e.g. {fix})")
    if not is_dataframe(X):
        return ""
    _, categorical, other = column_kinds(X)
    found, clocks = [], []
    for j in categorical + other:
        if _is_time_of_day(X.iloc[:, j]):
            clocks.append(j)
            continue
        try:
            if _time_kind(_as_time(X.iloc[:, j]).dtype) is not None:
                found.append(j)
        except ValueError:     # dates of several zones and naive ones: dates too
            found.append(j)
    if clocks:
        # (An ensemble's Ridge on a pyarrow time64 column: "float() argument
        # must be a string or a real number, not 'datetime.time'", no column.)
        dtypes = ", ".join(str(X.iloc[:, j].dtype) for j in clocks)
        return (f" (X's column(s) {_describe(X, clocks)} hold times of day (dtype {dtypes}), "
                "which this expert cannot read as numbers, nor a mixture's gate: convert "
                "them, e.g. X[column] = X[column].map(lambda t: 3600 * t.hour + 60 * "
                "t.minute + t.second), seconds since midnight)")
    if not found:
        return ""
    return (f" (X's column(s) {_describe(X, found)} hold dates or time spans, which this "
            "expert cannot read as numbers: the experts get X as it is, only a mixture's "
            "gate reads them, as seconds. Convert them for the experts, e.g. X[column] = "
            "(X[column] - X[column].min()).dt.days, or make the expert a Pipeline whose "
            "ColumnTransformer does)")


def word_columns_hint(exc, X, at_predict=False):
    """A hint for an expert that failed on a DataFrame's category or string columns.

    ``at_predict``: the expert fitted, so the columns held what it reads
    then; the hint names them without the fit-time advice to encode them.

    The gate's view one-hot encodes them, but the experts get X as it is,
    and scikit-learn's estimators stopped on them with numpy's "could not
    convert string to float: 'x'" (or, for a string column of pd.NA only,
    "float() argument must be a string or a real number, not 'NAType'"; for
    pd.cut's categories of intervals, "..., not 'pandas._libs.interval.
    Interval'"), naming no column. "" unless the error says so and X has
    such columns (dates aside: :func:`time_columns_hint`). Only on the error
    path.
    """
    text = str(exc)
    words = "could not convert string" in text or "not 'NAType'" in text
    if not is_dataframe(X) or not (words or "float() argument must be a string or a real "
                                            "number, not '" in text):
        return ""
    import pandas as pd

    _, categorical, other = column_kinds(X)
    # Periods and intervals not in a category column (a plain EnsembleRegressor's
    # Ridge: "float() argument must be ... not 'Period'", naming no column;
    # the mixtures' gate names them).
    spans = [j for j in other
             if isinstance(X.iloc[:, j].dtype, (pd.PeriodDtype, pd.IntervalDtype))]
    if spans and not words:
        kinds = sorted({"periods" if isinstance(X.iloc[:, j].dtype, pd.PeriodDtype)
                        else "intervals" for j in spans})
        examples = {"periods": "a period column's .dt.start_time in days",
                    "intervals": "an interval column's .array.mid"}
        return (f" (X's column(s) {_describe(X, spans)} hold {' and '.join(kinds)} "
                f"(dtype {', '.join(sorted({str(X.iloc[:, j].dtype) for j in spans}))}), "
                "which this expert cannot read as numbers: the experts get X as it is. "
                f"Convert them to numbers first, e.g. {', '.join(examples[k] for k in kinds)})")
    found = []
    for j in categorical:
        if not (words or isinstance(X.iloc[:, j].dtype, pd.CategoricalDtype)):
            # (Another object stopped the cast, e.g. a dict, a time of day:
            # only a category column is one this hint can name for it.)
            continue
        try:
            if _time_kind(_as_time(X.iloc[:, j]).dtype) is None:
                found.append(j)
        except ValueError:     # dates of several zones: time_columns_hint's
            pass
    if not found:
        return ""
    if at_predict:
        # (Text in a column of numbers at fit: "could not convert string to
        # float: 'n/a'", naming no column, where fit names it.)
        return (f" (X's column(s) {_describe(X, found)} hold categories or strings, which "
                "this expert cannot read as numbers: give it numbers there, as in fit)")
    return (f" (X's column(s) {_describe(X, found)} hold categories or strings, which this "
            "expert cannot read as numbers: the experts get X as it is, only a mixture's "
            "gate encodes them. Make the expert a Pipeline whose ColumnTransformer encodes "
            "them, e.g. make_pipeline(make_column_transformer((OneHotEncoder("
            "handle_unknown='ignore'), columns), remainder='passthrough'), <expert>))")


def _infinite_columns_hint(frame, positions, block):
    """Which numeric columns of a DataFrame hold infinity, and a first row of it.

    scikit-learn's "Input X contains infinity or a value too large" names no
    column; in a frame the value may be no float at all (an object column of
    Decimal('1E+400') is infinite as a float64). "" when none does.
    """
    with np.errstate(invalid="ignore"):
        infinite = np.isinf(block)
    columns = np.flatnonzero(infinite.any(axis=0))
    if not columns.size:
        return ""
    j = int(columns[0])
    i = int(np.flatnonzero(infinite[:, j])[0])
    value = frame.iloc[i, positions[j]]
    value = value.item() if isinstance(value, np.generic) else value
    return (f" The column(s) {_describe(frame, [positions[c] for c in columns])} hold it: "
            f"{str(frame.columns[positions[j]])!r} at row {i} holds {_shown_value(value)}.")


def refuse_unreadable_tensor(X, who=None, name="X"):
    """Refuse a torch tensor that numpy cannot read, with the call that makes it readable.

    Float and integer CPU tensors are read as numpy reads them; one of
    bfloat16 or one that requires grad stopped inside torch with "Got
    unsupported ScalarType BFloat16" or "Can't call numpy() on Tensor that
    requires grad", which named neither ``name`` (X, y, sample_weight) nor
    ``who``. A tensor on a GPU, which numpy cannot read either, is named too.
    """
    if type(X).__module__.split(".")[0] != "torch" or not hasattr(X, "detach"):
        return
    import torch

    problems, fix = [], name
    if X.requires_grad:
        problems.append("it requires grad")
        fix += ".detach()"
    if X.device.type != "cpu":
        problems.append(f"it is on {X.device}")
        fix += ".cpu()"
    try:
        torch.empty(0, dtype=X.dtype).numpy()
    except (TypeError, RuntimeError):
        problems.append(f"numpy has no dtype {X.dtype}")
        fix += ".double()"
    if problems:
        raise TypeError(f"{who + ': ' if who else ''}{name} is a torch tensor that numpy "
                        f"cannot read ({', '.join(problems)}); pass {fix}.")


def refuse_structured_array(X, who=None, name="X"):
    """Refuse a numpy structured (or record) array, with the calls that read it.

    Its rows are records, so scikit-learn saw a 1-D array and said "Expected
    2D array, got 1D array instead", printed the records and advised
    ``reshape(-1, 1)`` (one column of records); the torch experts and gates
    stopped with numpy's "Cannot cast array data from dtype([('a', '<f8'),
    ...])": neither said what X is nor how to read it as columns.
    """
    names = getattr(getattr(X, "dtype", None), "names", None)
    if not isinstance(X, np.ndarray) or not names:
        return
    fields = ", ".join(repr(field) for field in names[:5]) + (", ..." if len(names) > 5 else "")
    raise TypeError(f"{who + ': ' if who else ''}{name} is a numpy structured array (fields "
                    f"{fields}): one record per row, not a column per feature. Pass "
                    f"pd.DataFrame({name}) (a column per field) or numpy.lib.recfunctions."
                    f"structured_to_unstructured({name}).")


def _outside_stacklevel():
    """The ``stacklevel`` that points a warning, issued by the caller of this
    function, at the first frame outside skmoe and scikit-learn (the user's
    call, however deep the check sits: fit, score, compare, a Pipeline)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in (
            "skmoe", "sklearn"):
        frame, level = frame.f_back, level + 1
    return level


def refuse_misaligned_rows(X, values, name, who=None):
    """Refuse a pandas ``values`` (y, sample_weight, groups) whose index holds
    X's row labels in another order; warn where one of the two indexes is a
    new ``RangeIndex``.

    Both are read by position, as scikit-learn reads them: a Series sorted or
    shuffled apart from X (its index X's own labels, in another order) was
    fitted to the wrong rows without a word. Indexes of other labels (X
    renumbered, y not) are left to be read by position.

    A ``RangeIndex`` from 0 is what pandas gives a frame made from an array
    or reset: a Pipeline step that rebuilds X (``pd.DataFrame(values,
    columns=...)``) of rows sorted by date, or ``pd.Series(encoded)`` beside
    such an X, in X's order, was refused too (and a GridSearchCV of such a
    Pipeline at its refit, after the whole search). Such an index says
    nothing of the rows' order: a warning, not an error.
    """
    import pandas as pd

    mine, theirs = getattr(X, "index", None), getattr(values, "index", None)
    if not (is_dataframe(X) and isinstance(values, (pd.Series, pd.DataFrame))):
        return
    if len(mine) != len(theirs) or mine.equals(theirs):
        return
    unique = mine.is_unique and theirs.is_unique
    if not (theirs.isin(mine).all() if unique else _same_labels_as_often(mine, theirs)):
        return
    at = int(np.flatnonzero(mine != theirs)[0])
    label, given = (value.item() if isinstance(value, np.generic) else value
                    for value in (mine[at], theirs[at]))
    kind = "Series" if isinstance(values, pd.Series) else "DataFrame"
    # (reindex refuses labels that repeat: those of pd.concat without ignore_index.)
    by_label = (f"Pass {name}.reindex(X.index) to match it by label" if unique else
                f"X's row labels repeat, so {name} cannot be matched to them by label: "
                f"give X and {name} unique labels before reordering either (reset_index)")
    message = (f"{who + ': ' if who else ''}{name} is a pandas {kind} whose index holds "
               f"X's row labels in another order (at position {at}: {given!r}, where "
               f"X has {label!r}); {name} is read by position, not by label, "
               f"so it would go to the wrong rows. {by_label}, or {name}.to_numpy() if "
               "it is in X's row order already.")
    fresh = [side for side, index in (("X", mine), (name, theirs))
             if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1]
    if fresh:
        warnings.warn(f"{message} ({fresh[0]}'s index is a new RangeIndex, as a frame made "
                      "from an array or reset has: it may have been rebuilt in the other's "
                      "order, so this is not refused.)", UserWarning,
                      stacklevel=_outside_stacklevel())
        return
    raise ValueError(message)


def _same_labels_as_often(mine, theirs):
    """Whether two indexes hold the same labels, each as many times (labels
    that repeat: a Series of X's rows in another order still holds them)."""
    counts, others = mine.value_counts(dropna=False), theirs.value_counts(dropna=False)
    return len(counts) == len(others) and others.reindex(counts.index).equals(counts)


def refuse_duplicate_columns(X, who):
    """Refuse a DataFrame whose column names repeat, naming them and ``who``.

    scikit-learn's check of the feature names stopped with narwhals'
    DuplicateError, "Expected unique column names", which named no
    estimator; a name given twice cannot tell the columns apart in a later
    X (the check of names and order by which predict reads them).
    """
    if not is_dataframe(X):
        return
    counts = X.columns.value_counts(sort=False)
    repeated = counts[counts > 1]
    if len(repeated):
        listed = ", ".join(f"{name!r} ({n} times)" for name, n in repeated.items())
        raise ValueError(f"{who}: X has duplicate column names: {listed}. Every column "
                         "needs its own name: rename or drop the copies.")


def refuse_other_frame_time_columns(X, estimator=None, name="X"):
    """Refuse a polars frame's date, time, time-span or time-of-day columns, by
    name and dtype.

    np.asarray reads them as counts of their time unit (microseconds since
    1970 for Datetime('us'), days for Date, nanoseconds since midnight for
    Time): a mixture fitted on Datetime('us') and given the same instants as
    Datetime('ns') predicted 1.8e7 where it had predicted 0 to 2, silently.
    ``name``: what X is, for the message ('y' for a multi-task target).
    """
    names, dtypes = getattr(X, "columns", None), getattr(X, "dtypes", None)
    if names is None or dtypes is None or is_dataframe(X) or isinstance(X, np.ndarray):
        return
    try:
        found = [(str(name), str(dtype)) for name, dtype in zip(list(names), list(dtypes))
                 if callable(getattr(dtype, "is_temporal", None)) and dtype.is_temporal()]
    except (TypeError, ValueError):
        return
    if found:
        who = "" if estimator is None else f"{type(estimator).__name__}: "
        shown = ", ".join(f"{name!r} ({dtype})" for name, dtype in found)
        raise ValueError(
            f"{who}{name}'s column(s) {shown} hold dates, times or time spans, which a "
            "polars frame gives as counts of their time unit (microseconds, nanoseconds or "
            "days since a start), so the same instants in another unit would read as other "
            "numbers. Convert them to numbers in a unit of your choice first, e.g. "
            "pl.col(name).dt.epoch('s') for dates, .dt.total_seconds() for time spans"
            + (", or pass X.to_pandas(), whose date and time-span columns a mixture's gate "
               "reads as seconds." if name == "X" else "."))


def check_X_for_experts(X, *, ensure_min_samples=1, allow_nan=False, input_name="X",
                        estimator=None):
    """Check X as the experts will get it, and return it untouched.

    What is checked: two dimensions, enough rows, at least one feature, no
    complex numbers and no infinity in the numeric values (ndarray, sparse
    matrix, the numeric columns of a DataFrame), nor NaN unless
    ``allow_nan``. Missing values in categorical or string columns are left
    to the experts. Nothing is copied or cast, with two
    exceptions: a list (or another container that is neither an array, a
    DataFrame nor a sparse matrix) becomes an ndarray, and a sparse matrix
    in a format without row indexing (COO, DIA, BSR, DOK, LIL) becomes CSR.
    """
    refuse_unreadable_tensor(X, None if estimator is None else type(estimator).__name__)
    refuse_structured_array(X, None if estimator is None else type(estimator).__name__)
    options = dict(ensure_all_finite="allow-nan" if allow_nan else True,
                   ensure_min_samples=ensure_min_samples,
                   input_name=input_name, estimator=estimator)
    if sparse.issparse(X):
        if X.format not in _ROW_FORMATS:
            X = X.tocsr()
        check_array(X, accept_sparse=_ROW_FORMATS, dtype=None, **options)
        return X
    if is_dataframe(X):
        _check_shape(X.shape, ensure_min_samples, estimator)
        refuse_sparse_fill(X, None if estimator is None else type(estimator).__name__)
        numeric, _, _ = column_kinds(X)
        if numeric:
            block = _numeric_block(X, numeric)
            try:
                check_array(block, **options)
            except ValueError as exc:
                raise ValueError(f"{exc}{_infinite_columns_hint(X, numeric, block)}") from exc
        return X
    if not isinstance(X, np.ndarray):
        refuse_other_frame_time_columns(X, estimator)
        X = np.asarray(X)
    if X.dtype.kind in "OUS" or X.dtype.kind == "f" and X.dtype.itemsize > 8:
        # (longdouble too: its 1e400 is finite, but float64's infinity.)
        try:
            as_numbers = as_float64(X)
        except (TypeError, ValueError):
            # Not all numbers: the experts decide (e.g. a Pipeline encoding strings).
            check_array(X, dtype=None, **dict(options, ensure_all_finite=False))
            return X
        try:
            check_array(as_numbers, **options)
        except ValueError as exc:
            hint = beyond_float64_hint(X, as_numbers)
            if not hint:
                raise
            raise ValueError(f"{exc}{hint}") from exc
        return X
    check_array(X, dtype=None, **options)
    return X


def read_only_view(X):
    """X as the experts get it: an ndarray as a read-only view (the same memory,
    no copy), a DataFrame as a frame of its own (:func:`own_frame`), anything
    else as it is.

    An expert that writes into its X (``X[:, 0] = 0`` in its fit or predict)
    changed the caller's array, and in EM what the other experts saw next;
    now it fails with an error that names it, as it would on joblib's
    read-only memory maps with ``n_jobs``. The gate keeps its own view.
    """
    if is_dataframe(X):
        return own_frame(X)
    if sparse.issparse(X) and X.format in _ROW_FORMATS:
        # A CSR/CSC matrix of the same arrays, read-only: a Pipeline step with
        # copy=False (StandardScaler(with_mean=False, copy=False), Normalizer)
        # scaled the caller's matrix in place, and in EM the next expert's X
        # (scikit-learn copies read-only input where it writes). Unsorted or
        # duplicate indices, which scipy sorts in place, are put in order on a copy.
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        return X.__class__((_locked(X.data), _locked(X.indices), _locked(X.indptr)),
                           shape=X.shape, copy=False)
    if not isinstance(X, np.ndarray):
        return X
    return _locked(X)


def _locked(array):
    """An ndarray's memory, read-only for good: no copy, no writeable flag to set back.

    A view with its flag off (``X.view()``) let an expert do
    ``X.flags.writeable = True`` and write into the caller's array; numpy
    refuses to set the flag on an array over a read-only buffer. A subclass
    (np.matrix) or a dtype no buffer carries (dates, objects) keeps the
    flag-off view, which is the best numpy allows without a copy.
    """
    locked = _read_only_buffer(array)
    if locked is not None:
        return locked
    view = array.view()
    view.flags.writeable = False
    return view


def _read_only_buffer(array):
    """A plain ndarray's memory behind a read-only buffer, or None where no
    buffer carries it (subclasses, dates, objects)."""
    if type(array) is not np.ndarray:
        return None
    try:
        locked = np.asarray(memoryview(array).toreadonly())
    except (TypeError, ValueError, BufferError, NotImplementedError):
        return None
    same = (locked.dtype == array.dtype and locked.shape == array.shape
            and locked.strides == array.strides)
    return locked if same else None


def own_frame(X):
    """A DataFrame as a frame of its own; anything else as it is.

    An expert that added a column to its DataFrame (``X["a2"] = X["a"] ** 2``)
    or set values in it changed the caller's frame (whose next ``predict``
    then failed on the unseen column) and the next expert's X. Each expert's
    call gets a frame of its own (:func:`_frame_of_its_own`): under pandas'
    copy-on-write its numeric columns are the caller's memory, read-only
    all the way down, so that nothing is copied unless the expert writes.
    """
    if not is_dataframe(X):
        return X
    return _frame_of_its_own(X)


def _frame_of_its_own(X):
    """A new frame of X's columns that no writer can change X through.

    A shallow copy under copy-on-write is not enough: scikit-learn (pandas
    >= 3) makes ``np.asarray`` of a frame, a read-only view of its columns,
    writeable again for a step that writes in place (``force_writeable``),
    and ``StandardScaler(copy=False)`` in an expert scaled the caller's frame
    and the next expert's X. A deep copy per expert's call cost the whole
    frame each time (benchmarks/results/frame_copies.md). Here each numeric
    block is the caller's memory behind a read-only buffer, whose flag numpy
    refuses to set back (scikit-learn then copies, as for a read-only array);
    pandas' own writes (``X.loc[...] = v``, ``X["a"] *= 2``) copy the block
    first, as the frame returned shares its blocks with a second one that it
    keeps alive. Other columns (text, categories, dates, nullable numbers),
    which no read-only buffer covers, are copied. Before pandas 3 (no
    copy-on-write by default) or without these internals: a deep copy.
    """
    import pandas as pd
    if not _copy_on_write() or type(X) is not pd.DataFrame:   # (a subclass keeps its type)
        return X.copy(deep=True)
    try:
        from pandas.api.internals import create_dataframe_from_blocks
        blocks = [(_read_only_block(block.values), block.mgr_locs.as_array)
                  for block in X._mgr.blocks]
        base = create_dataframe_from_blocks(blocks, X.index, X.columns).__finalize__(X)
    except (ImportError, AttributeError, TypeError, ValueError):  # internals moved
        return X.copy(deep=True)
    frame = base.copy(deep=False)
    # Kept alive with the frame: while base lives, pandas sees its blocks
    # shared and copies one before writing into it; alone, a write into a
    # read-only block failed ("assignment destination is read-only").
    object.__setattr__(frame, "_skmoe_shares_with", base)
    # Pickled as a frame of writeable columns: pickle keeps neither base nor
    # pandas' record of shared blocks, and numpy unpickles a read-only array
    # read-only, so an expert that kept its X (self.X_ = X) and came back
    # from a joblib worker (n_jobs=2), or from the user's pickle, failed to
    # write into it where with n_jobs=1 it could.
    object.__setattr__(frame, "__reduce_ex__", _WriteablePickle(frame))
    return frame


class _WriteablePickle:
    """``__reduce_ex__`` of a frame of :func:`_frame_of_its_own`: that of a
    deep copy, whose columns unpickle writeable (a weak reference: no cycle
    keeps the frame alive)."""

    __slots__ = ("frame",)

    def __init__(self, frame):
        import weakref
        self.frame = weakref.ref(frame)

    def __call__(self, protocol):
        return self.frame().copy(deep=True).__reduce_ex__(protocol)


def _read_only_block(values):
    """A block's values behind a read-only buffer (the same memory), or a copy."""
    shared = (_read_only_buffer(values)
              if isinstance(values, np.ndarray) and values.dtype.kind in "biufc" else None)
    return values.copy() if shared is None else shared


@functools.cache
def _copy_on_write():
    """Whether pandas always copies a shared column before writing into it (>= 3).

    (pandas 2's optional copy-on-write is left to the deep copy: the frame
    built here relies on pandas 3's internals API.)
    """
    import pandas as pd
    return int(pd.__version__.split(".")[0]) >= 3


def _check_shape(shape, ensure_min_samples, estimator=None):
    """scikit-learn's errors for too few rows or no columns (of a DataFrame).

    With the estimator's name, as scikit-learn's check of an array gives it (a
    mixture's predict on a DataFrame of no rows said only "... a minimum of 1
    is required.", on an array "... is required by MixtureOfExpertsRegressor.").
    """
    n_rows, n_columns = shape
    by = "" if estimator is None else f" by {type(estimator).__name__}"
    if n_rows < ensure_min_samples:
        raise ValueError(f"Found array with {n_rows} sample(s) (shape={shape}) while a "
                         f"minimum of {ensure_min_samples} is required{by}.")
    if n_columns < 1:
        raise ValueError(f"Found array with 0 feature(s) (shape={shape}) while a "
                         f"minimum of 1 is required{by}.")


class FittedMarkerMixin(VersionedStateMixin):
    """Fitted once the attribute ``_fitted_marker`` names is set, at the end of
    ``fit``; ``_forget_fit``, at its start, drops it (and ``_forget_also``).
    (Saved states carry the skmoe version: :class:`VersionedStateMixin`.)

    Without it an estimator whose fit failed half-way looked fitted to
    ``check_is_fitted`` (it had ``n_features_in_``), and a failed refit kept
    the previous fit beside the new one's feature names.
    """

    _fitted_marker = None
    _forget_also = ()

    def __sklearn_is_fitted__(self):
        return hasattr(self, self._fitted_marker)

    def _forget_fit(self):
        for name in (self._fitted_marker, *self._forget_also):
            self.__dict__.pop(name, None)


def keep_column_labels(estimator, X):
    """At fit, after scikit-learn's feature names check: keep the column
    labels of a DataFrame X that are no feature names (not all strings), for
    :func:`refuse_reordered_columns`."""
    estimator._column_labels_in = (X.columns.tolist() if is_dataframe(X) and not hasattr(
        estimator, "feature_names_in_") else None)


def shown_head(values, limit=10):
    """A list for a message: its first ``limit`` values, then '...'."""
    return repr(list(values[:limit]))[:-1] + (", ...]" if len(values) > limit else "]")


def refuse_reordered_columns(estimator, X, reads):
    """Refuse a DataFrame with the columns seen in fit in another order.

    Labels that are not all strings (0, 1, 2) are no feature names that
    scikit-learn checks, and ``reads`` (e.g. 'the rule reads') the columns by
    position, as the mixtures refuse it.
    """
    fitted = getattr(estimator, "_column_labels_in", None)
    if fitted is None or not is_dataframe(X):
        return
    labels = X.columns.tolist()
    if labels != fitted and Counter(labels) == Counter(fitted):
        raise ValueError(
            f"X has the columns seen in fit in another order ({shown_head(labels)}; in fit: "
            f"{shown_head(fitted)}). Its column labels are not all strings, so they are no "
            f"feature names that scikit-learn checks, and {reads} the columns by "
            "position: reorder them as in fit (X[fit_columns]).")


class AutoGateTransformer(FittedMarkerMixin, TransformerMixin, BaseEstimator):
    """The gate's numeric view of X, for ``gate_transformer='auto'``.

    * A numeric array, or a DataFrame whose columns are all numbers (or
      booleans, or objects holding numbers): X as float64, the view the gate
      always had. The gate standardises every input column itself and
      imputes missing values with the column's training mean.
    * A DataFrame with categorical columns (``category`` or string dtype, or
      objects that are not all numbers): its numeric columns as float64
      (standardised and mean-imputed by the gate, as above) followed by a
      one-hot encoding of each categorical column, ``OneHotEncoder(
      max_categories=max_categories, handle_unknown='infrequent_if_exist')``:
      a column of ``max_categories`` categories or more gives its
      ``max_categories - 1`` most frequent ones a column each and the rarer
      ones (and categories first seen at prediction) one "infrequent"
      column; in a column of fewer, every category has its own column and a
      category first seen at prediction is 0 in all of them. A missing value
      is a category of its own. Datetime columns (time-zone aware ones in UTC)
      are read as seconds since 1970-01-01 and timedelta columns as seconds
      (so are object columns of dates, Timestamps of one zone or several,
      or timedeltas), after the numeric columns, so that a gate can split
      on time; NaT is missing, and at prediction each must be of its kind
      of fit (time spans where fit saw dates, or naive dates where fit's
      were time-zone aware, are an error). Periods, intervals and other
      columns are an error that names them, as are, at prediction, values
      of another type than the categories of fit (numbers where fit saw
      strings, or the reverse).
    * A sparse matrix: densified when it has at most ``max_sparse_features``
      columns; wider ones are an error (a gate on thousands of inputs is slow
      and overfits), which suggests a reducing transformer such as
      ``TruncatedSVD``.
    * An array of strings or objects that are not all numbers: an error that
      names the columns; pass it as a DataFrame or set ``gate_transformer``.

    ``transform`` checks X as scikit-learn's transformers do: the number of
    columns, and a DataFrame's column names and their order, must be those
    seen in ``fit``. An array or a sparse matrix given where ``fit`` saw a
    DataFrame is read as that DataFrame's columns, in their order, its
    categorical columns one-hot encoded as at fit (a view with date or time
    span columns needs the DataFrame again).

    Parameters
    ----------
    max_categories : int, default=20
        Cap on the one-hot columns of each categorical column.
    max_sparse_features : int, default=1000
        Widest sparse X densified for the gate.

    Attributes
    ----------
    kind_ : {'numeric', 'frame', 'sparse'}
        Which of the views above.
    numeric_columns_, categorical_columns_, time_columns_ : list of int
        Positions of a DataFrame's numeric, one-hot encoded, and date or time
        span columns.
    time_kinds_ : list of str
        Of each time column: 'dates', 'time-zone aware dates' or 'time spans';
        at transform the column must be of the same kind.
    empty_columns_ : list of int
        Positions of the object columns with no value in fit: numeric
        columns of missing values, read as missing at transform whatever
        they hold (the gate learned nothing from them).
    encoder_ : OneHotEncoder or None
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X was a DataFrame whose column names are all strings.
    """

    _parameter_constraints = {
        "max_categories": [Interval(numbers.Integral, 2, None, closed="left")],
        "max_sparse_features": [Interval(numbers.Integral, 0, None, closed="left")],
    }

    def __init__(self, max_categories=20, max_sparse_features=1000):
        self.max_categories = max_categories
        self.max_sparse_features = max_sparse_features

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Sparse X is densified; NaN is imputed by the gate.
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        return tags

    def _validate_X(self, X, reset):
        """X checked as scikit-learn's transformers check it, a DataFrame kept as it is.

        The feature count, and a DataFrame's column names (their order
        included), must be those seen in fit; a list becomes an ndarray; 1-D
        X is an error.
        """
        frame = is_dataframe(X)
        refuse_structured_array(X, type(self).__name__)
        refuse_duplicate_columns(X, type(self).__name__)
        if frame and (X.shape[0] < 1 or X.shape[1] < 1):
            # (check_array, skipped for a DataFrame, refuses them in an array: a
            # frame of no columns gave a view of none, one of no rows an empty
            # view or the one-hot encoder's "Found array with 0 sample(s)
            # (shape=(0,))".)
            what = "0 sample(s)" if X.shape[0] < 1 else "0 feature(s)"
            raise ValueError(f"Found DataFrame with {what} (shape={X.shape}) while a "
                             f"minimum of 1 is required by {type(self).__name__}.")
        if not reset:
            # (X[[2, 1, 0]] gave the view of swapped columns without a word.)
            refuse_reordered_columns(self, X, "the view reads")
        # (Array API dispatch off, as validate_numeric_data: under the caller's
        # array_api_dispatch=True a torch tensor stayed one, and the view
        # failed with "'torch.dtype' object has no attribute 'kind'".)
        with config_context(array_api_dispatch=False):
            checked = validate_data(self, X, reset=reset, skip_check_array=frame,
                                    accept_sparse=True, dtype=None, ensure_all_finite=False)
        if reset:
            keep_column_labels(self, X)
        return checked

    # Fitted once ``kind_`` is set, at the end of fit: a fit that failed
    # (strings in an array, a categorical column OneHotEncoder refuses) looked
    # fitted, and transform failed with "'NoneType' object has no attribute
    # 'categories_'", or a failed refit kept the previous fit.
    _fitted_marker = "kind_"

    def fit(self, X, y=None):
        """Find the view of X: which columns are numbers, the categories of the others.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : AutoGateTransformer
        """
        self._forget_fit()
        self._validate_params()
        X = self._validate_X(X, reset=True)
        self.encoder_ = None
        self.numeric_columns_ = list(range(X.shape[1]))
        self.categorical_columns_ = []
        self.time_columns_, self.time_kinds_ = [], []
        self.empty_columns_ = []
        if sparse.issparse(X):
            if X.shape[1] > self.max_sparse_features:
                raise ValueError(
                    f"gate_transformer='auto' densifies sparse X for the gate only up to "
                    f"max_sparse_features={self.max_sparse_features} columns; X has "
                    f"{X.shape[1]}. The experts take sparse X as it is; give the gate a "
                    "smaller view, e.g. gate_transformer=TruncatedSVD(n_components=50) "
                    "or a transformer that selects a few columns.")
            self.kind_ = "sparse"
            return self
        if not is_dataframe(X):
            # (Raises, naming the columns, on strings.)
            _numeric_array(X, getattr(self, "feature_names_in_", None))
            self.kind_ = "numeric"
            return self
        import pandas as pd

        numeric, categorical, other = column_kinds(X)
        _refuse_complex(X, numeric)
        # An object column with no value (duke_forest's hoa, '$70/mo' on 2 of
        # 98 rows, in a fold without them) passes for numbers; at predict its
        # strings were "not numbers, but they were when the gate's view was
        # fitted". Its values are missing to the gate, as they were in fit.
        self.empty_columns_ = [j for j in numeric if X.dtypes.iloc[j] == object
                               and X.iloc[:, j].isna().all()]
        # Dates and time spans as seconds: a gate can then split on time
        # (regimes before and after a date); they were refused. So are object
        # columns of them, and object columns of periods or intervals are
        # refused as their dtypes are (they were one-hot encoded).
        kinds, dtypes = {}, {j: str(X.dtypes.iloc[j]) for j in other}
        for j in categorical + other:
            column = X.iloc[:, j]
            # (Inferred once: the time reading and the check below both need it.)
            values = (pd.api.types.infer_dtype(column, skipna=True)
                      if column.dtype == object else None)
            kinds[j] = _time_kind(_as_time(column, values).dtype)
            if j in categorical and values in ("period", "interval"):
                other, dtypes[j] = other + [j], f"object of {values}s"
        time = sorted(j for j, kind in kinds.items() if kind is not None)
        categorical = [j for j in categorical if j not in time and j not in other]
        other = sorted(j for j in other if j not in time)
        if other:
            raise ValueError(
                f"gate_transformer='auto' cannot make numbers for the gate from the "
                f"column(s) {_describe(X, other)} of dtype "
                f"{sorted({dtypes[j] for j in other})}. Drop or convert them, "
                "or pass gate_transformer (e.g. a ColumnTransformer) for the gate's view "
                "of X; the experts still get X as it is.")
        self.numeric_columns_, self.categorical_columns_ = numeric, categorical
        self.time_columns_ = time
        self.time_kinds_ = [kinds[j] for j in time]
        if not categorical and not time:
            self.kind_ = "numeric"
            return self
        if not categorical:
            self.kind_ = "frame"
            return self
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist", max_categories=self.max_categories,
            sparse_output=False, dtype=np.float64)
        try:
            self.encoder_ = encoder.fit(_categorical_block(X, categorical))
        except TypeError as exc:
            # scikit-learn's "Encoders require their input argument must be
            # uniformly strings or numbers" named neither the column nor the gate.
            mixed = [j for j in categorical if _mixed_example(X.iloc[:, j]) is not None]
            if not mixed:
                # Values that are neither strings nor numbers (lists, dicts):
                # the same error, naming nothing.
                odd = [(j, v) for j in categorical for v in [_unencodable_example(X.iloc[:, j])]
                       if v is not None]
                if not odd:
                    raise
                raise TypeError(
                    f"gate_transformer='auto' one-hot encodes the column(s) "
                    f"{_describe(X, [j for j, _ in odd])} for the gate, but they hold values "
                    f"that are neither strings nor numbers (e.g. {odd[0][1]!r}, a "
                    f"{type(odd[0][1]).__name__}), which OneHotEncoder refuses. Convert them "
                    "(e.g. to strings), drop them, or pass gate_transformer for the gate's "
                    "view of X; the experts still get X as it is.") from exc
            text, other = _mixed_example(X.iloc[:, mixed[0]])
            raise TypeError(
                f"gate_transformer='auto' one-hot encodes the column(s) "
                f"{_describe(X, mixed)} for the gate, but they mix strings with other "
                f"values (e.g. {text!r} and {other!r}), which OneHotEncoder refuses. Make "
                "each column one type (e.g. X[column] = X[column].astype(str)), or pass "
                "gate_transformer for the gate's view of X; the experts still get X as "
                "it is.") from exc
        self.kind_ = "frame"
        return self

    def transform(self, X):
        """The gate's view: a dense float64 array.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
            With the columns (and a DataFrame's column names) seen in ``fit``.

        Returns
        -------
        X_view : ndarray of shape (n_samples, n_features_out)
            The numeric columns, then the one-hot columns (see
            :meth:`get_feature_names_out`).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        if sparse.issparse(X):
            if self.kind_ != "frame":
                return X.toarray().astype(np.float64, copy=False)
            # Fitted on a DataFrame with categorical columns: read as an array
            # of its columns, one-hot encoded below. (The codes went to the
            # gate as they were: "returned 4 column(s) for this X but 5 at
            # fit" where the same numbers as an array were taken, or, for a
            # column of one category, as wide as the view: a silent misread.)
            X = X.toarray()
        X = _missing_columns(X, getattr(self, "empty_columns_", []))
        if self.kind_ != "frame":  # numbers (fitted on an array, a frame or sparse X)
            if is_dataframe(X):
                _refuse_complex(X, list(range(X.shape[1])))
                return _numeric_block(X, list(range(X.shape[1])))
            return _numeric_array(X)
        time = getattr(self, "time_columns_", [])  # (none in views fitted before them)
        if not is_dataframe(X):
            if time:
                raise ValueError("The gate's view was fitted on a DataFrame with date or time "
                                 f"span column(s) {time}; pass X as a DataFrame again.")
            X = np.asarray(X, dtype=object)
            numbers_ = np.asarray(X[:, self.numeric_columns_], dtype=np.float64)
        else:
            _refuse_complex(X, self.numeric_columns_)
            numbers_ = np.hstack([_numeric_block(X, self.numeric_columns_),
                                  _time_block(X, time, getattr(self, "time_kinds_", None))])
        if self.encoder_ is None:   # (dates or time spans, no categorical column)
            return numbers_
        block = _categorical_block(X, self.categorical_columns_)
        self._check_category_types(X, block)
        block = _all_missing_as_objects(block, self.encoder_.categories_)
        # Once: validate_data above warned of an array where fit saw a
        # DataFrame, and the encoder, fitted on its columns, warned again.
        return np.hstack([numbers_, warned_once(self.encoder_.transform, block)])

    def _check_category_types(self, X, block):
        """Refuse a one-hot encoded column holding strings where fit saw other
        values, or the reverse ('1' in fit, 1 now), naming it.

        OneHotEncoder never matches such values with the categories of fit:
        it failed with a bare "ufunc 'isnan' not supported" or "y contains
        previously unseen labels", naming neither the gate nor the column, or
        (in an object column, or strings where fit saw numbers) took every
        value for an unknown category, silently.
        """
        for k, (j, categories) in enumerate(zip(self.categorical_columns_,
                                                self.encoder_.categories_)):
            column = block.iloc[:, k] if is_dataframe(block) else block[:, k]
            fitted, now = _string_kinds(categories), _string_kinds(column)
            if not fitted or now <= fitted:
                continue
            strings = True in fitted
            seen = next(v for v in np.asarray(categories, dtype=object)
                        if _string_kinds([v]) == fitted)
            value = next(v for v in np.asarray(column, dtype=object)
                         if _string_kinds([v]) and _string_kinds([v]) != fitted)
            name = repr(str(X.columns[j])) if is_dataframe(X) else f"at position {j}"
            raise ValueError(
                f"gate_transformer='auto' one-hot encodes the column {name} of X for the "
                f"gate, fitted on {'strings' if strings else 'values that are not strings'} "
                f"(e.g. {seen!r}); it now holds {'other values' if strings else 'strings'} "
                f"(e.g. {value!r}), which match none of those categories. Give the column "
                "the type it had in fit, or pass gate_transformer for the gate's view of X; "
                "the experts get X as it is.")

    def get_feature_names_out(self, input_features=None):
        """Names of the view's columns (numeric columns, dates and time spans,
        then one-hot columns).

        Parameters
        ----------
        input_features : array-like of str, default=None
            The input columns' names; None means ``feature_names_in_`` if
            fitted on a DataFrame, else ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        numeric = [str(names[j]) for j in
                   self.numeric_columns_ + getattr(self, "time_columns_", [])]
        # The encoder gets the categorical columns' names: unnamed, it called
        # the first of them "x0", as the first numeric column is called.
        encoded = [] if self.encoder_ is None else list(self.encoder_.get_feature_names_out(
            [str(names[j]) for j in self.categorical_columns_]))
        return np.asarray(numeric + encoded, dtype=object)


def _categorical_block(X, positions):
    """The columns ``positions`` of X for the one-hot encoder, pandas' ``pd.NA`` as NaN.

    A missing value of a ``string[python]`` column (``convert_dtypes()``'s
    strings) or an object column is ``pd.NA``, which OneHotEncoder takes
    for a value that is not a string: "they mix strings with other values
    (e.g. 'a' and <NA>)" for ``convert_dtypes()`` of openintro::births14.
    As NaN it is the category of its own that a missing value is. So it is
    in a ``category`` column of such strings (``astype('category')`` of one,
    as LightGBM experts want it), whose missing values are ``pd.NA`` too.
    """
    block = _safe_indexing(X, positions, axis=1)
    if not is_dataframe(block):
        return block
    import pandas as pd

    copied = False
    for k in range(block.shape[1]):
        column = block.iloc[:, k]
        missing = column.isna().to_numpy()
        if not missing.any():
            continue
        values = column.to_numpy(dtype=object)
        if any(value is pd.NA for value in values[missing]):
            # A new array: a string[python] column's object values are its own
            # memory, and writing NaN into them changed the user's frame.
            values = np.where(missing, np.nan, values)
            if not copied:   # (never the user's frame)
                block, copied = block.copy(), True
            block.isetitem(k, values)   # (by position: column names may repeat)
    return block


def _missing_columns(X, positions):
    """A copy of the DataFrame X with its columns ``positions`` missing
    (float64 NaN); X itself when there are none (or X is not a DataFrame)."""
    if not positions or not is_dataframe(X):
        return X
    X = X.copy()   # (never the user's frame)
    for j in positions:
        X.isetitem(j, np.full(X.shape[0], np.nan))   # (by position: names may repeat)
    return X


def _all_missing_as_objects(block, categories):
    """``block`` with its columns of missing values only as objects, where fit saw strings.

    A column whose every value is missing is float64 NaN in pandas (one row
    to predict with its category unknown, ``np.nan``); OneHotEncoder, fitted
    on strings, stopped on it with a bare "ufunc 'isnan' not supported". As
    objects, its NaN are the missing values that an object column holds: the
    category of fit's missing values, else an unknown category.
    """
    if not is_dataframe(block):
        return block
    copied = False
    for k, fitted in enumerate(categories):
        column = block.iloc[:, k]
        if fitted.dtype == object and column.dtype != object and column.isna().all():
            if not copied:   # (never the user's frame)
                block, copied = block.copy(), True
            block.isetitem(k, column.to_numpy(dtype=object))
    return block


def _string_kinds(values):
    """Which kinds the values hold, missing ones aside: True for strings
    (or bytes), False for anything else; an empty set when all are missing."""
    import pandas as pd

    values = np.asarray(values, dtype=object)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "empty":
        return set()
    if kind in ("string", "bytes"):
        return {True}
    if kind not in ("mixed", "mixed-integer"):
        return {False}
    return {isinstance(v, (str, bytes)) for v in values
            if not (v is None or v is pd.NA or (isinstance(v, float) and v != v))}


def _mixed_example(column):
    """A string and a non-string value of a column that holds both (missing
    values aside), or None."""
    values = [v for v in column.to_numpy(dtype=object)
              if not (v is None or (isinstance(v, float) and v != v))]
    text = next((v for v in values if isinstance(v, str)), None)
    other = next((v for v in values if not isinstance(v, str)), None)
    return None if text is None or other is None else (text, other)


def _unencodable_example(column):
    """A value of a column that is neither a string nor a number (a list, a
    dict), missing values aside, or None."""
    import pandas as pd

    return next((v for v in column.to_numpy(dtype=object)
                 if not (v is None or v is pd.NA
                         or isinstance(v, (str, bytes, numbers.Number, np.bool_)))), None)


def normalised_weights(weights, to="mean"):
    """Non-negative ``weights`` divided by their mean (``to='mean'``) or sum ('sum').

    By the largest first: the mean or sum of weights near the largest float
    (1e308) overflows, and every weight became 0 (predictions 0.0, a NaN
    noise, a network that never trained).
    """
    weights = weights / weights.max()
    return weights / (weights.mean() if to == "mean" else weights.sum())


def _numeric_array(X, names=None):
    """An array (not a DataFrame) as float64; an error naming the non-numeric
    columns (by ``names``, the columns' names where X came from a polars
    frame, else by position)."""
    if getattr(X, "dtype", None) is not None and X.dtype.kind in "US":
        # As scikit-learn refuses them (dtype='numeric'), and so the experts in
        # predict: predict_gate read np.array([["1.0", "2.0"]]) as numbers, silently.
        raise ValueError(
            f"X is an array of strings (dtype {X.dtype}); the gate needs numbers and, as "
            "scikit-learn's estimators do, does not read them from text: convert X to "
            "numbers (X.astype(float)), or pass a pandas DataFrame (its string columns "
            "are then one-hot encoded for the gate).")
    if getattr(X, "dtype", None) is not None and X.dtype.kind in "Mm":
        # numpy casts them to numbers in their unit: days for datetime64[D],
        # nanoseconds for [ns], so a gate fitted on seconds read dates in
        # nanoseconds at predict as 1e9 times later, silently.
        what = "dates" if X.dtype.kind == "M" else "time spans"
        raise ValueError(
            f"X is an array of {what} (dtype {X.dtype}), whose numbers are in its unit; "
            "the gate reads dates and time spans as seconds from a pandas DataFrame's "
            "datetime and timedelta columns: pass X as a DataFrame (pd.DataFrame(X)), or "
            "convert it to numbers.")
    try:
        return np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        hint = pandas_na_hint(exc, X)
        if hint:
            raise type(exc)(f"The gate needs numbers, and gate_transformer='auto' could not "
                            f"convert X: {exc}{hint}.") from exc
        values = np.asarray(X, dtype=object)
        bad = _not_number_positions(values)
        # (A polars frame's by name: "column(s) [3]" named none of them.)
        shown = (", ".join(repr(str(names[j])) for j in bad)
                 if names is not None and values.ndim == 2 and len(names) == values.shape[1]
                 else bad)
        raise type(exc)(
            f"The gate needs numbers, and gate_transformer='auto' could not convert X: "
            f"{exc} (column(s) {shown}). Pass X as a pandas DataFrame (its categorical "
            "and string columns are then one-hot encoded for the gate) or set "
            "gate_transformer to a transformer that makes numbers (e.g. a "
            "ColumnTransformer with a OneHotEncoder); the experts get X as it is.") from exc


def resolve_gate_transformer(gate_transformer):
    """An unfitted clone of the transformer that builds the gate's view."""
    if isinstance(gate_transformer, str) and gate_transformer == "auto":
        return AutoGateTransformer()
    return clone(gate_transformer)


# scikit-learn's warnings for an X with or without the feature names fit saw.
# The mixture's own check gives them once; the parts it calls (the gate's
# transformer, each expert and its fold fits) repeated them a dozen times.
_FEATURE_NAME_WARNINGS = ("X does not have valid feature names", "X has feature names, but")


class SharedProcessSetting:
    """A process-wide setting that blocks overlapping in threads share.

    ``with setting:`` -- the first block in calls ``switch_on()``, the last one
    out ``switch_off(state)`` with what ``switch_on`` returned. (Saving and
    restoring the setting in each block, as ``warnings.catch_warnings`` does,
    let two overlapping blocks restore each other's saved values: the
    setting stayed changed for good.) A forked process keeps the blocks of
    the thread that forked and none of the others' (see :meth:`_after_fork`).
    """

    def __init__(self, switch_on, switch_off):
        self._switch_on, self._switch_off = switch_on, switch_off
        self._lock = threading.Lock()
        self._depth, self._state = 0, None
        self._by_thread = {}            # {thread id: its blocks open}
        _SHARED_SETTINGS.append(self)

    def __enter__(self):
        with self._lock:
            if self._depth == 0:
                self._state = self._switch_on()
            self._depth += 1
            me = threading.get_ident()
            self._by_thread[me] = self._by_thread.get(me, 0) + 1

    def __exit__(self, *exc_info):
        with self._lock:
            me = threading.get_ident()
            self._by_thread[me] -= 1
            if not self._by_thread[me]:
                del self._by_thread[me]
            self._depth -= 1
            if self._depth == 0:
                self._switch_off(self._state)
                self._state = None

    def _after_fork(self):
        # In the child of a fork. A lock held by another thread then (which the
        # child does not have) was held for ever: the child's first block
        # waited for good. And the other threads' blocks are not the child's:
        # their count kept the setting on (float32 as torch's default dtype
        # where the caller had float64) with none to switch it off. Left: the
        # forking thread's own blocks, which the child leaves as it did.
        self._lock = threading.Lock()
        mine = self._by_thread.get(threading.get_ident(), 0)
        self._by_thread = {threading.get_ident(): mine} if mine else {}
        if self._depth and not mine:
            self._switch_off(self._state)
            self._state = None
        self._depth = mine


# Every SharedProcessSetting, for the fork handler (module-level settings, never freed).
_SHARED_SETTINGS = []


def _settings_after_fork():
    for setting in _SHARED_SETTINGS:
        setting._after_fork()


if hasattr(os, "register_at_fork"):      # (not on Windows, which does not fork)
    os.register_at_fork(after_in_child=_settings_after_fork)


def warned_once(call, *args):
    """``call(*args)`` without repeating the feature-names warnings."""
    # (Not warnings.catch_warnings: two predictions overlapping in threads put
    # back each other's filter lists, and the ignore filters stayed for good,
    # the feature-names warnings gone for every estimator of the process.)
    with thread_filters(*(("ignore", message, UserWarning)
                          for message in _FEATURE_NAME_WARNINGS)):
        return call(*args)


def gate_matrix(Z, n_rows, transformer, n_columns=None, allow_nan=True, X=None):
    """Check and return the gate's view: dense float64, (n_rows, d), no infinity;
    ``n_columns``: the d of the view at fit, for the view at prediction.

    A user's transformer may return NaN (which the gate imputes) only where
    ``allow_nan`` (every expert takes NaN in X, so X may hold it), and at fit
    no column that is NaN in every row (nothing to learn, imputed to a
    constant): a transformer failing on its rows returned NaN, and the gate
    imputed it without a word. Unless ``X`` (the X transformed, at fit) has
    such a column itself: a transformer that passes it on (a StandardScaler)
    is not at fault, and the 'auto' view keeps it too."""
    name = type(transformer).__name__
    if Z is None:
        # (numpy made it [nan]: "it returned shape (1,)", said as a shape.)
        raise ValueError(f"gate_transformer ({name}) returned None; expected an array (does "
                         "its transform, or its function, end with a return statement?)")
    if sparse.issparse(Z):
        Z = Z.toarray()
    if np.iscomplexobj(Z):
        # (The cast below dropped the imaginary parts, with numpy's
        # ComplexWarning only.)
        raise ValueError(f"gate_transformer ({name}) returned complex numbers; the gate "
                         "needs real numbers.")
    values = np.asarray(Z)
    if values.dtype.kind in "mM":
        # (Cast below to their count of nanoseconds, or of their unit, since
        # 1970, silently, where an array X of dates is refused.)
        what = "dates" if values.dtype.kind == "M" else "time spans"
        raise ValueError(f"gate_transformer ({name}) returned {what} (dtype {values.dtype}), "
                         "which would be read as counts of their unit; the gate needs "
                         "numbers: convert them in the transformer (e.g. to seconds).")
    if values.dtype.kind in "USa" or (values.dtype.kind == "O" and any(
            isinstance(v, (str, bytes)) for v in values.ravel())):
        # (The cast below read text such as '1.5' as numbers, silently, where
        # X itself, and an expert's output, are refused as text.)
        example = next((v for v in values.ravel() if isinstance(v, (str, bytes, np.str_))),
                       values.ravel()[0] if values.size else "")
        raise ValueError(f"gate_transformer ({name}) returned text (dtype {values.dtype}, "
                         f"e.g. {str(example)!r}); the gate needs numbers and does not read "
                         "them from text: convert them in the transformer.")
    try:
        # C order whatever the source (a DataFrame's values are column-major):
        # the same numbers give the same gate and heads, bit for bit.
        Z = np.ascontiguousarray(Z, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"gate_transformer ({name}) must return numbers for the gate; "
                         f"its output could not be converted: {exc}") from exc
    if Z.ndim != 2 or Z.shape[0] != n_rows:
        raise ValueError(f"gate_transformer ({name}) must return one row per sample "
                         f"({n_rows}) in a 2-D array; it returned shape {Z.shape}.")
    if n_columns is not None and Z.shape[1] != n_columns:
        # (torch said "The size of tensor a (2) must match the size of tensor b (3)".)
        raise ValueError(f"gate_transformer ({name}) returned {Z.shape[1]} column(s) for "
                         f"this X but {n_columns} at fit; the gate needs the columns it "
                         "was trained on.")
    if np.isinf(Z).any():
        raise ValueError(f"gate_transformer ({name}) returned infinity "
                         f"{_where_in_view(np.isinf(Z))}; the gate needs finite numbers.")
    if isinstance(transformer, AutoGateTransformer):
        return Z        # (its NaN are X's, which the checks of X allowed)
    missing = np.isnan(Z)
    if missing.any() and not allow_nan:
        raise ValueError(f"gate_transformer ({name}) returned NaN {_where_in_view(missing)}; "
                         "the gate imputes missing values only where every expert takes "
                         "NaN in X, and these do not: make the transformer return numbers "
                         "for every row (e.g. end it in a SimpleImputer).")
    if (n_columns is None and n_rows > 1 and missing.all(axis=0).any()
            and not _has_empty_column(X)):
        empty = np.flatnonzero(missing.all(axis=0))
        raise ValueError(f"gate_transformer ({name}) returned NaN in every row of column(s) "
                         f"{listed_rows(empty)} (of {Z.shape[1]}): the gate learns nothing "
                         "from such a column; check the transformer.")
    return Z


def _has_empty_column(X):
    """Whether a column of X is missing (NaN) in every row; False for an X
    that cannot tell (None, sparse, words). Only where the gate's view has
    such a column."""
    try:
        if X is None or sparse.issparse(X) or n_samples(X) < 2:
            return False
        if is_dataframe(X):
            return bool(X.isna().all(axis=0).any())
        values = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return values.ndim == 2 and bool(np.isnan(values).all(axis=0).any())


def _where_in_view(mask):
    """Where ``mask`` (the gate's view) is true, in words: "in 3 row(s) (rows 0,
    4, 9), column(s) 1" (positions counted from 0)."""
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return (f"in {len(rows)} row(s) (rows {listed_rows(rows)}), column(s) "
            f"{listed_rows(columns)} of its output (positions counted from 0)")


def _nonfinite_mask(y):
    """Where ``y`` (1-D or 2-D) is NaN, infinite, None or pandas' NA; None
    when it cannot be read as such (sparse, or words)."""
    if sparse.issparse(y):
        return None
    values = np.asarray(y)
    if values.dtype == object:
        values = np.array([np.nan if v is None or type(v).__name__ == "NAType" else v
                           for v in values.ravel()], dtype=object).reshape(values.shape)
    try:
        return ~np.isfinite(values.astype(np.float64))
    except (TypeError, ValueError):
        return None


@contextlib.contextmanager
def nonfinite_y_rows_named(y):
    """Add where they are to scikit-learn's "Input y contains NaN." (or
    infinity): it named no row, so a user had to search y for them.

    The message keeps its start; the rows are positions counted from 0 (and
    for a 2-D y, the columns).
    """
    try:
        yield
    except ValueError as error:
        message = str(error)
        bad = _nonfinite_mask(y) if message.startswith("Input y contains") else None
        if bad is None or not bad.any():
            raise
        raise ValueError(f"{message.rstrip()} {nonfinite_y_where(bad)}: drop those rows or "
                         "fill in their targets.") from error


def listed_rows(rows, most=5):
    """The first ``most`` row positions of ``rows``, as the messages list them:
    "4, 7, 9, ..." (the dots where there are more)."""
    return ", ".join(map(str, rows[:most].tolist())) + (", ..." if len(rows) > most else "")


def nonfinite_y_where(bad):
    """Where the mask ``bad`` of y (1-D, or 2-D: the columns too) is true, in
    words: "2 value(s) of y, at row 4, row 7 (positions counted from 0)"
    (the first five), as fit and the log-likelihood methods say it."""
    if bad.ndim == 2 and bad.shape[1] > 1:
        rows, columns = np.nonzero(bad)
        at = [f"row {r} column {c}" for r, c in zip(rows.tolist(), columns.tolist())]
    else:
        rows = np.flatnonzero(bad)
        at = [f"row {r}" for r in rows.tolist()]
    more = ", ..." if len(at) > 5 else ""
    return f"{len(at)} value(s) of y, at {', '.join(at[:5])}{more} (positions counted from 0)"


def validate_numeric_data(estimator, X, *args, who, **kwargs):
    """``validate_data`` to float64 for an expert that needs numbers (a rule,
    a torch MLP), naming a DataFrame's non-numeric columns if that fails.

    In a mixture such experts get X as the user gave it: scikit-learn's check
    stopped a DataFrame with string columns with pandas' "could not convert
    string to float: 'white'", which names neither the column nor what to do.

    An array of strings, dates or time spans is refused, as scikit-learn's
    estimators refuse it (dtype='numeric'): the cast to float64 read
    np.array([["1.5"]]) as 1.5 and dates as nanoseconds since 1970, silently
    (a DataFrame's date columns were refused already).
    """
    refuse_unreadable_tensor(X, who)
    if args:
        refuse_unreadable_tensor(args[0], who, "y")
        refuse_misaligned_rows(X, args[0], "y", who)
    refuse_duplicate_columns(X, who)
    if is_dataframe(X) and X.shape[1] == 0:
        # scikit-learn's check stopped a DataFrame without columns with numpy's
        # bare "at least one array or dtype is required".
        raise ValueError(f"{who} needs at least one feature; X is a DataFrame with no "
                         f"columns (shape {X.shape}).")
    refuse_sparse_fill(X, who)
    if args and args[0] is not None and kwargs.get("y_numeric") and not sparse.issparse(args[0]):
        y = np.asarray(args[0])
        if y.dtype == object:
            # pandas' NA as None, which the finite-target check after the cast
            # names: NA stopped scikit-learn's NaN check of the objects with a
            # bare "boolean value of NA is ambiguous".
            args = (np.array([None if type(v).__name__ == "NAType" else v for v in y.ravel()],
                             dtype=object).reshape(y.shape), *args[1:])
    # Checked with array API dispatch off: these estimators compute on numpy
    # arrays (and move them to their device themselves). Under the caller's
    # array_api_dispatch=True a torch tensor was checked in torch's namespace,
    # where dtype=np.float64 failed: "asarray(): argument 'dtype' must be
    # torch.dtype, not type" (the mixtures, which read X as numpy first, took it).
    with nonfinite_y_rows_named(args[0] if args else None), \
            config_context(array_api_dispatch=False):
        return cast_numeric(
            X, lambda X: validate_data(estimator, X, *args, dtype=np.float64, **kwargs), who,
            " (e.g. a Pipeline with a ColumnTransformer before it)")


def cast_numeric(X, cast, who, fix=""):
    """``cast(X)`` (scikit-learn's check to float64) for ``who``, which needs
    numbers, naming what is not numbers when that fails.

    An array of strings, dates or time spans is refused first, as
    scikit-learn's estimators refuse it (dtype='numeric'): the cast read
    np.array([["1.5"]]) as 1.5 and dates as counts of their unit, silently. A
    DataFrame's non-numeric columns are named (pandas' "could not convert
    string to float: 'white'" named none); ``fix`` ends that message.
    """
    refuse_structured_array(X, who)
    kind = X.dtype.kind if isinstance(X, np.ndarray) else None
    if kind is not None and kind in "USMm":
        what = {"U": "strings", "S": "bytes", "M": "dates", "m": "time spans"}[kind]
        raise ValueError(f"{who} needs numeric X; X is an array of {what} (dtype "
                         f"{X.dtype}), which scikit-learn's estimators do not read as "
                         "numbers: convert it to numbers first.")
    try:
        return cast(X)
    except (TypeError, ValueError) as exc:
        if is_dataframe(X):
            _, categorical, other = column_kinds(X)
            if categorical or other:
                raise ValueError(
                    f"{who} needs numeric X; the column(s) "
                    f"{_describe(X, categorical + other)} are not numbers (category, "
                    f"string or other columns): encode them first{fix}.") from exc
        text = other_frame_text_columns(X)
        if text:
            # (A polars frame's: "could not convert string to float: 'u'"
            # named neither the model nor the column.)
            raise ValueError(
                f"{who} needs numeric X; the column(s) {', '.join(text)} are not numbers "
                f"(category, string or other columns): encode them first{fix}.") from exc
        hint = pandas_na_hint(exc, X)
        if hint:
            raise type(exc)(f"{who} needs numeric X: {exc}{hint}.") from exc
        raise


def dense_numeric(X, who):
    """X as a dense float64 array for ``who``, which needs numbers; a clear error otherwise."""
    if sparse.issparse(X):
        raise ValueError(f"{who} need dense numeric X; sparse input is not supported for "
                         "them (X is a sparse matrix).")
    if is_dataframe(X):
        if is_sparse_frame(X):
            # scikit-learn reads it as a sparse matrix, which the torch experts
            # refuse at predict: read here as a dense array, a mixture fitted, then
            # failed in every predict ("Sparse data was passed for X, but dense
            # data is required").
            raise ValueError(f"{who} need dense numeric X; sparse input is not supported "
                             "for them (X is a DataFrame of sparse columns, which "
                             "scikit-learn reads as a sparse matrix): make it dense with "
                             "X.sparse.to_dense().")
        numeric, categorical, other = column_kinds(X)
        if categorical or other:
            raise ValueError(f"{who} need numeric X; the column(s) "
                             f"{_describe(X, categorical + other)} are not numbers.")
        return _numeric_block(X, numeric)
    try:
        return np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{who} need numeric X: {exc}") from exc


# Below this standard deviation, squares of deviations (about 1e-280) near
# float64's smallest normal number (2.2e-308): the column is measured in units
# of its largest magnitude instead (1e-200 came out as 0, its scale one).
TINY_SCALE = 1e-140


def _mean_std(X, sample_weight=None):
    """Column means and standard deviations of a 2-D ``X``, NaN ignored;
    weighted by ``sample_weight`` (positive, one per row) unless None."""
    if sample_weight is not None:
        observed = ~np.isnan(X)
        weight = observed * sample_weight[:, None]
        total = weight.sum(axis=0)                     # (0 for an all-NaN column: NaN)
        filled = np.where(observed, X, 0.0)
        mean = (weight * filled).sum(axis=0) / total
        deviation = np.where(observed, X - mean, 0.0)
        return mean, np.sqrt((weight * deviation ** 2).sum(axis=0) / total)
    if np.isnan(X).any():
        return np.nanmean(X, axis=0), np.nanstd(X, axis=0)
    # The same values (same pairwise sums), without nan-functions' copies.
    return X.mean(axis=0), X.std(axis=0)


def unequal_weights(sample_weight):
    """``sample_weight`` as float64, or None where it is None or all equal.

    Equal weights weigh nothing: the weighted paths take the unweighted code
    then, so that fits without weights stay the same bit for bit.
    """
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    return (None if not sample_weight.size or np.all(sample_weight == sample_weight[0])
            else sample_weight)


def standardisation(X, sample_weight=None):
    """Column means and scales that standardise ``X`` (NaN ignored).

    ``sample_weight`` (positive, one per row; None: equal) weighs the rows,
    as the fit that reads the standardised values weighs them: a row of
    weight 3 as its three copies, a row of weight 1e-9 nearly as none
    (unweighted, such a row far out set every other row's scale, and a
    torch network's fit moved by 28 on a target of standard deviation 1.3).
    Equal weights give the unweighted figures, bit for bit.

    Constant, empty or all-NaN columns get scale one (and mean zero where the
    mean is undefined), so the standardised inputs are always finite. A
    column of finite values beyond about 1e154, whose squares overflow, or
    with a spread below ``TINY_SCALE``, whose squares underflow, is measured
    in units of its largest magnitude: a scale of one made a value of 1e300
    infinite in float32 (every prediction NaN), and values of 1e-200 zero.
    """
    if len(X) == 0:
        return np.zeros(X.shape[1]), np.ones(X.shape[1])
    sample_weight = unequal_weights(sample_weight)
    if sample_weight is not None:
        # (Rescaled by a power of two, exactly: weights near the largest
        # float would overflow their sums.)
        sample_weight = np.ldexp(sample_weight, -np.frexp(sample_weight.max())[1])
    # Overflow, underflow and all-NaN columns are handled below (an all-NaN
    # column warned "Mean of empty slice" from here at every fit).
    with np.errstate(all="ignore"), thread_filter("ignore", category=RuntimeWarning):
        mean, scale = _mean_std(X, sample_weight)
    bad = np.flatnonzero(~np.isfinite(scale) | (scale < TINY_SCALE))
    if len(bad):
        with thread_filter("ignore", category=RuntimeWarning), np.errstate(all="ignore"):
            columns = X[:, bad]     # (all-NaN columns among them)
            peak = np.nanmax(np.abs(columns), axis=0)
            # (Constant columns keep their mean, unless its sum overflowed,
            # and scale one.)
            fixable = (np.isfinite(peak) & (peak > 0)
                       & ((np.nanmax(columns, axis=0) > np.nanmin(columns, axis=0))
                          | ~np.isfinite(mean[bad])))
            unit_mean, unit_scale = _mean_std(columns[:, fixable] / peak[fixable],
                                              sample_weight)
        mean[bad[fixable]] = unit_mean * peak[fixable]
        scale[bad[fixable]] = unit_scale * peak[fixable]
    with np.errstate(all="ignore"), thread_filter("ignore", category=RuntimeWarning):
        # (All-NaN columns.)
        low, high = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    # A constant column is its value, exactly: its mean, a rounded sum, was an
    # ulp away, which at 1e300 left standardised values of 3e284 (infinite in
    # float32) in a column without spread; the torch networks fed such a
    # feature predicted 1e13 for a y of order one, silently.
    constant = (low == high) & np.isfinite(low)
    mean[constant] = low[constant]
    # And its scale is one: the spread around that rounded mean (2.8e-17 for
    # a column of -0.132 in 40 rows) passed as a scale, so a value 1 away at
    # predict became 4e16 standard deviations (a torch network trained on
    # repeated rows predicted 3e14 for a y of order one).
    scale[constant] = 1.0
    return np.nan_to_num(mean), np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


def standardised_filled(X, sample_weight=None):
    """``X`` standardised column by column (:func:`standardisation`, NaN
    ignored, rows weighted by ``sample_weight``), a missing value read as its
    column's mean: zero.

    For distances (the k-means starts): a missing value filled with zero
    before standardising sat at minus the column's mean in its units, so on a
    column of years with 15 % missing, k-means split missing from observed
    instead of the years' two clusters.
    """
    mean, scale = standardisation(X, sample_weight)
    Z = (X - mean) / scale
    return np.where(np.isnan(Z), 0.0, Z)


def kmeans_space(X, target, sample_weight=None):
    """The space the k-means starts cluster: ``X`` standardised
    (:func:`standardised_filled`) beside ``target`` (n, k), which weighs as
    much as all the columns that vary together.

    A constant column (a column of ones, a category no row has) is zero in
    every row and adds no distance; counted, one column of ones moved EM's
    start, and its predictions by 0.33. Returns the space and which columns
    of ``X`` vary.

    ``sample_weight`` weighs the standardisation, as it weighs the k-means
    fit (unweighted, a row of weight 3 moved the scaling as one row).
    """
    Z = standardised_filled(X, sample_weight)   # (safe for columns of 1e-200 or 1e200)
    varying = np.any(Z != 0, axis=0)
    return np.hstack([Z, target * np.sqrt(max(np.count_nonzero(varying), 1))]), varying


def mean_and_scale(y, sample_weight=None):
    """Mean and scale (standard deviation; one when zero or undefined) of a 1-D
    target, overflow- and underflow-safe: :func:`standardisation` of its one
    column (y of order 1e200 had an infinite scale, every standardised target
    zero; y of order 1e-200 a scale of one), weighted as there."""
    mean, scale = standardisation(np.asarray(y, dtype=np.float64).reshape(-1, 1),
                                  sample_weight)
    return float(mean[0]), float(scale[0])


# A target whose spread is outside [1 / MAX_TARGET_SCALE, MAX_TARGET_SCALE] has
# noise variances (its square, summed over up to 10^8 rows, times 1e-6 for
# their floor) near float64's largest number (1.8e308) or below its smallest
# normal one (2.2e-308).
MAX_TARGET_SCALE = 1e150


def check_target_scale(scale):
    """A clear error for a regression target too spread out, or too little, for
    its noise variances."""
    if scale > MAX_TARGET_SCALE:
        raise ValueError(
            f"The target's standard deviation is {scale:.3g}, more than "
            f"{MAX_TARGET_SCALE:.0e}: noise variances (its square, summed over rows) "
            "would overflow float64. Divide y by a constant (the predictions scale "
            "with it).")
    if scale < 1.0 / MAX_TARGET_SCALE:
        raise ValueError(
            f"The target's standard deviation is {scale:.3g}, less than "
            f"{1.0 / MAX_TARGET_SCALE:.0e}: noise variances (its square) would underflow "
            "float64. Multiply y by a constant (the predictions scale with it).")
