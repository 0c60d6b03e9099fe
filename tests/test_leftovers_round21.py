"""Leftovers, round 21: a fitted (frozen) expert in the heterogeneous
multi-task mixture, its MultiOutputRegressor hint where the wrapper would not
help, the positive class of threshold classifiers and of a search's scoring
inside a classifier mixture, and compare's table below 1e-3.

Each test failed before the change it names, but those marked a guard."""

import warnings

import numpy as np
import pytest

from skmoe import ComparisonResult


# --------- 5. compare's table below 1e-3: two significant digits, zeros kept
def test_table_below_a_thousandth_keeps_the_trailing_zeros_of_its_digits():
    # Fix in _compare._mean_std: 0.000500 ± 0.000010 read "0.0005 ± 1e-05",
    # one significant digit each, where the docstring promises the std's two
    # (and the mean to as many places, at least three digits).
    rmse = {"a": np.array([0.00049, 0.00051]), "b": np.array([0.0009, 0.0011])}
    scores = {n: {"neg_root_mean_squared_error": -v} for n, v in rmse.items()}
    times = {n: np.full(2, 0.01) for n in rmse}
    result = ComparisonResult(list(rmse), ["neg_root_mean_squared_error"], scores, times,
                              times, [20, 20], [10, 10])
    rows = {row.split()[0]: row for row in result.table().splitlines()[3:5]}
    assert "0.000500 ± 1.0e-05 *" in rows["a"]
    assert "0.00100 ± 0.00010  " in rows["b"]
