"""Bad-input sweep, round 19: the classifier's class-frequency share over
rows with missing values."""

import numpy as np

from skmoe._candidates import prior_floor


def test_prior_floor_counts_a_repeated_row_with_a_missing_value_once():
    # The share is 1/n^2 over distinct rows of (X, y): a row repeated is the
    # row given weight 2. np.unique(axis=0) held NaN unequal to itself, so a
    # row with a missing value and its repetition were two rows (share 1/16
    # here, not 1/9). A missing value stays distinct from a 0.
    X = np.array([[np.nan, 1.0], [np.nan, 1.0], [0.0, 1.0], [2.0, 3.0]])
    y = np.array([0, 0, 0, 1])
    share, frequencies = prior_floor(X, y, None, 2)
    assert share == 1 / 9
    np.testing.assert_array_equal(frequencies, [0.75, 0.25])
    weighted, _ = prior_floor(X[1:], y[1:], np.array([2.0, 1.0, 1.0]), 2)
    assert weighted == share
    # The input is not modified.
    assert np.isnan(X[:2, 0]).all() and X[2, 0] == 0.0
