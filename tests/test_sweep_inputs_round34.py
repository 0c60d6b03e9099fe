"""Bad-input sweep, round 34.

Each test here failed before the fix it names.
"""

import numpy as np
import pandas as pd
import pytest

from skmoe import RuleExpert, TorchMLPRegressor


def _first_column(X):
    return X[:, 0]


@pytest.mark.parametrize("make", [
    lambda: TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=2, random_state=0),
    lambda: RuleExpert(_first_column, task="regression")],
    ids=["torch", "rule"])
@pytest.mark.parametrize("target, what", [
    (pd.Series(pd.date_range("2020", periods=30)), "dates"),
    (np.arange(30).astype("datetime64[D]"), "dates"),
    (pd.to_timedelta(np.arange(30), "D").to_numpy(), "time spans")],
    ids=["pandas-dates", "numpy-days", "time-spans"])
def test_a_regression_expert_refuses_dates_as_y(make, target, what):
    # TorchMLPRegressor fitted microseconds since 1970 and predicted them
    # (1.6e15), RuleExpert a noise_std_ in them, silently; the mixtures, the
    # ensembles and these experts' own score refuse such a y.
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match=f"y holds {what} .* convert y to numbers first"):
        make().fit(X, target)
