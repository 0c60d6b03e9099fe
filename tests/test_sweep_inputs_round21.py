"""Bad-input sweep, round 21: the gate's dates and time spans (units, time
zones, dates far from 1970, object columns of dates), and inputs of unusual
dtypes."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from skmoe import AutoGateTransformer


def test_dates_outside_pandas_nanosecond_range_are_read_as_seconds():
    # A datetime64[s] column holds years 1 to 9999; pandas' Timestamp(0),
    # subtracted from it, is in nanoseconds and stopped the view with
    # "Out of bounds nanosecond timestamp: 1-01-01 00:00:00", at fit or at
    # predict (a date far outside the fit range).
    fit = pd.DataFrame({"a": [1.0, 2.0, 3.0],
                        "when": pd.to_datetime(["2020-01-01", "2020-01-02", None])})
    far = np.array(["0001-01-01", "9999-12-31T12:00", "NaT"], dtype="datetime64[s]")
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "when": far})
    seconds = [-62135596800.0, 253402257600.0, np.nan]   # numpy's int64 seconds of far
    assert_array_equal(far[:2].astype(np.int64), seconds[:2])
    assert_array_equal(AutoGateTransformer().fit(fit).transform(X)[:, 1], seconds)
    assert_array_equal(AutoGateTransformer().fit_transform(X)[:, 1], seconds)
    zoned = X.assign(when=X["when"].dt.tz_localize("Etc/GMT-9"))   # UTC + 9 h
    assert_array_equal(AutoGateTransformer().fit_transform(zoned)[:, 1],
                       [seconds[0] - 9 * 3600, seconds[1] - 9 * 3600, np.nan])


@pytest.mark.parametrize("fitted, now, message", [
    ("dates", "spans", r"'when' of X hold time spans \(dtype timedelta64\[s\]\), but dates "
                       r"when the gate's view was fitted.*other times: give them the type "
                       r"of fit, or pass gate_transformer"),
    ("spans", "dates", r"'when' of X hold dates \(dtype datetime64\[s\]\), but time spans"),
    ("dates", "zoned", r"'when' of X hold time-zone aware dates \(dtype datetime64\[s, "
                       r"Europe/Paris\]\), but dates when.*tz_localize\(None\) drops a time "
                       r"zone, \.dt\.tz_localize\('UTC'\)"),
    ("zoned", "dates", r"hold dates \(dtype datetime64\[s\]\), but time-zone aware dates"),
])
def test_a_time_column_of_another_kind_at_predict_is_refused(fitted, now, message):
    # Time spans at predict where fit saw dates were read as seconds from 0
    # (0 to 172800 for fit's 1.6e9), naive dates where fit's were aware
    # shifted by the zone's offset: the gate read other numbers, silently.
    when = pd.Series(np.array(["2021-01-01", "2021-01-02", "2021-01-03"],
                              dtype="datetime64[s]"))
    columns = {"dates": when, "spans": when - when[0],
               "zoned": when.dt.tz_localize("Europe/Paris")}
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "when": columns[fitted]})
    view = AutoGateTransformer().fit(X)
    with pytest.raises(ValueError, match=message):
        view.transform(X.assign(when=columns[now]))
    kinds = {"dates": "dates", "spans": "time spans", "zoned": "time-zone aware dates"}
    assert view.time_kinds_ == [kinds[fitted]]
    # Another time zone is the same instants: read in UTC, as in fit.
    tokyo = X.assign(when=columns["zoned"].dt.tz_convert("Asia/Tokyo"))
    if fitted == "zoned":
        assert_array_equal(view.transform(tokyo), view.transform(X))


def test_object_columns_of_dates_and_time_spans_are_read_as_seconds():
    # X["day"] = X["when"].dt.date makes an object column of datetime.date,
    # and Timestamps of several zones are one: they were one-hot encoded for
    # the gate, each date a category (those after fit's all one "infrequent"
    # column), so the gate could not split on time.
    import datetime
    day = 18628 * 86400.0                                  # 2021-01-01 in seconds
    X = pd.DataFrame({
        "a": [1.0, 2.0, 3.0],
        "day": pd.Series([datetime.date(2021, 1, 1), None, datetime.date(2021, 1, 3)],
                         dtype=object),
        "zones": pd.Series([pd.Timestamp("2021-01-01", tz="UTC"),
                            pd.Timestamp("2021-01-01", tz="Europe/Paris"),   # UTC + 1 h
                            pd.Timestamp("2021-01-01", tz="Asia/Tokyo")],    # UTC + 9 h
                           dtype=object),
        "span": pd.Series([datetime.timedelta(minutes=1), pd.Timedelta(2, "h"), None],
                          dtype=object)})
    view = AutoGateTransformer().fit(X)
    assert (view.time_columns_, view.categorical_columns_) == ([1, 2, 3], [])
    assert view.time_kinds_ == ["dates", "time-zone aware dates", "time spans"]
    assert_array_equal(view.transform(X), [[1.0, day, day, 60.0],
                                           [2.0, np.nan, day - 3600, 7200.0],
                                           [3.0, day + 2 * 86400, day - 9 * 3600, np.nan]])
    later = X.assign(day=pd.Series([datetime.date(2030, 1, 1)] * 3, dtype=object))
    assert_array_equal(view.transform(later)[:, 1], [day + 3287 * 86400] * 3)
    # The same seconds as the datetime64 column of those dates.
    dates = X.assign(day=pd.to_datetime(X["day"]))
    assert_array_equal(AutoGateTransformer().fit(dates).transform(dates), view.transform(X))


def test_object_columns_of_periods_or_mixed_zones_are_refused():
    # Dates with and without a zone cannot be one time: the encoder refused
    # them as "neither strings nor numbers" and suggested converting them
    # to strings. Periods and intervals in an object column were one-hot
    # encoded where their own dtypes are refused.
    mixed = pd.Series([pd.Timestamp("2021-01-01"), pd.Timestamp("2021-01-02", tz="UTC"),
                       None], dtype=object)
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "when": mixed})
    with pytest.raises(ValueError, match=r"column 'when' of X mixes time-zone aware dates "
                                         r"with naive ones \(e\.g\. Timestamp\('2021-01-02 "
                                         r".*utc=True\) reads the naive ones as UTC"):
        AutoGateTransformer().fit(X)
    for values, kind in [(pd.period_range("2021-01", periods=3, freq="M"), "periods"),
                         (pd.interval_range(0, 3), "intervals")]:
        X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "when": pd.Series(list(values), dtype=object)})
        with pytest.raises(ValueError, match=rf"column\(s\) 'when' of dtype \['object of "
                                             rf"{kind}'\]\. Drop or convert them"):
            AutoGateTransformer().fit(X)


@pytest.mark.parametrize("missing", [None, np.nan])
def test_a_row_whose_date_is_missing_is_predicted(missing):
    # One row to predict with its date unknown: pandas makes the column
    # object (None) or float64 (NaN), and the view refused it as "not dates
    # or time spans", where a NaT in a datetime64 column is missing.
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "when": pd.date_range("2021-01-01", periods=3),
                      "span": pd.to_timedelta([1, 2, 3], unit="s"), "city": ["x", "y", "x"]})
    view = AutoGateTransformer().fit(X)
    row = pd.DataFrame({"a": [2.0], "when": [missing], "span": [missing], "city": ["y"]})
    assert_array_equal(view.transform(row), [[2.0, np.nan, np.nan, 0.0, 1.0]])
    nat = pd.DataFrame({"a": [2.0], "when": pd.to_datetime([None]),
                        "span": pd.to_timedelta([None]), "city": ["y"]})
    assert_array_equal(view.transform(nat), view.transform(row))


@pytest.mark.parametrize("unit", ["D", "s", "ns"])
def test_an_array_of_dates_or_time_spans_is_refused_for_the_gate(unit):
    # numpy casts datetime64 and timedelta64 to numbers in their unit: the
    # gate read days for datetime64[D], nanoseconds for [ns], and a view
    # fitted on seconds read the same dates in nanoseconds 1e9 times later,
    # silently. A DataFrame's date columns are read as seconds whatever the unit.
    dates = (np.datetime64("2021-01-01") + np.arange(6)).astype(f"datetime64[{unit}]")
    dates = dates.reshape(3, 2)
    for X, what in [(dates, "dates"), (dates - dates[0, 0], "time spans")]:
        with pytest.raises(ValueError, match=rf"X is an array of {what} \(dtype "
                                             rf"(datetime|timedelta)64\[{unit}\]\).*pass X as "
                                             r"a DataFrame \(pd\.DataFrame\(X\)\)"):
            AutoGateTransformer().fit(X)
        with pytest.raises(ValueError, match=rf"X is an array of {what}"):
            AutoGateTransformer().fit(np.zeros((3, 2))).transform(X)
    seconds = (18628.0 + np.arange(6).reshape(3, 2)) * 86400   # 2021-01-01 is day 18628
    assert_array_equal(AutoGateTransformer().fit_transform(pd.DataFrame(dates)), seconds)


@pytest.mark.parametrize("columns", [["a", "b"], ["a", "b", "city"]])
def test_a_complex_column_is_refused_by_the_gates_view(columns):
    # The view, documented as float64, was complex128 for a DataFrame with a
    # complex column, at fit and at transform (an array of them is refused
    # by scikit-learn's check already).
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0],
                      "city": ["x", "y", "x"]})[columns]
    complex_ = X.assign(b=[1j, 2.0, 3.0])
    message = (r"cannot make real numbers for the gate from the complex column\(s\) 'b' of "
               r"X: take their real part")
    with pytest.raises(ValueError, match=message):
        AutoGateTransformer().fit(complex_)
    view = AutoGateTransformer().fit(X)
    with pytest.raises(ValueError, match=message):
        view.transform(complex_)
    assert view.transform(X).dtype == np.float64


def test_gate_displays_hold_dates_and_time_spans_at_their_median():
    # The gate reads dates: a display along another feature held a date
    # column at its most frequent value, which for distinct dates is the
    # earliest, and showed the gate of the first day only (on a regime that
    # changes in 2021, the early expert's weight 1.0 where the median date's
    # gate gives the late one 0.98).
    from skmoe.plotting import _grid_input
    when = pd.Series(pd.date_range("2020-01-01", periods=5, freq="7D"))
    X = pd.DataFrame({"a": [3.0, 1.0, 2.0, 5.0, 4.0], "when": when,
                      "zoned": when.dt.tz_localize("Europe/Paris"),
                      "span": pd.to_timedelta([50, 10, 40, 20, 30], unit="s"),
                      "city": ["x", "y", "y", "x", "y"]})
    rows = _grid_input(None, X, [0], [np.array([0.0, 9.0])])
    assert_array_equal(rows["a"], [0.0, 9.0])
    assert (rows["when"] == pd.Timestamp("2020-01-15")).all()         # the third week
    assert (rows["zoned"] == pd.Timestamp("2020-01-15", tz="Europe/Paris")).all()
    assert (rows["span"] == pd.Timedelta(30, "s")).all()
    assert (rows["city"] == "y").all()
    assert rows.dtypes.to_dict() == X.dtypes.to_dict()


@pytest.mark.parametrize("dtype", ["Int64", "Float64", "boolean"])
def test_mlp_gate_predicts_on_nullable_columns_with_missing_values(dtype):
    # MLPGate.fit reads a DataFrame of nullable columns with pd.NA (as NaN,
    # imputed by the mean); its predict_proba failed inside numpy with
    # "float() argument must be a string or a real number, not 'NAType'".
    from skmoe import MLPGate
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randint(0, 2, size=(30, 2)), columns=["a", "b"]).astype(dtype)
    X["a"] = X["a"].mask(X.index % 7 == 0)
    targets = np.eye(2)[np.arange(30) % 2]
    gate = MLPGate(hidden_layer_sizes=(), max_iter=5).fit(X, targets)
    dense = X.astype("float64").to_numpy()                 # pd.NA as NaN
    assert np.isnan(dense).sum() == 5
    for method in ("predict_proba", "predict_log_proba", "logits"):
        assert_array_equal(getattr(gate, method)(X), getattr(gate, method)(dense))
    assert_array_equal(X.isna().sum().to_numpy(), [5, 0])   # X untouched


def test_object_columns_of_numpy_dates_are_not_read_in_their_units():
    # An object column of np.datetime64 or np.timedelta64 values was taken
    # for numbers, each cast in its own unit: 2021-01-01 as 18628 (days) next
    # to 2021-01-02T10 as 447106 (hours), 2 minutes as 2 next to 30 s as 30.
    X = pd.DataFrame({
        "a": [1.0, 2.0, 3.0],
        "when": pd.Series([np.datetime64("2021-01-01"), np.datetime64("2021-01-02T10"),
                           None], dtype=object),
        "span": pd.Series([np.timedelta64(2, "m"), np.timedelta64(30, "s"), None],
                          dtype=object)})
    view = AutoGateTransformer().fit(X)
    assert (view.numeric_columns_, view.time_columns_) == ([0], [1, 2])
    day = 18628 * 86400.0                                  # 2021-01-01 in seconds
    assert_array_equal(view.transform(X), [[1.0, day, 120.0],
                                           [2.0, day + 34 * 3600, 30.0],
                                           [3.0, np.nan, np.nan]])
