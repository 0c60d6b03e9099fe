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
