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
