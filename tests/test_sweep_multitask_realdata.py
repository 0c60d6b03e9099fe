"""Defects of the multi-task mixtures found on real multi-target data
(benchmarks/bench_multitask_realdata.py: linnerud, birthwt, penguins, College,
Auto, CPS1985)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 3)
    Y = pd.DataFrame({"body_mass_g": 4000 + 500 * X[:, 0],
                      "sex": np.where(X[:, 1] > 0, "male", "female")})
    return X, Y


def _models():
    return [MultiGateMixtureOfExperts(["regression", "binary"], max_iter=3, random_state=0),
            HeterogeneousMultiGateMixtureOfExperts(
                [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2,
                                                                     random_state=0))],
                ["regression", "binary"], max_iter=5, random_state=0)]


@pytest.mark.parametrize("model", _models(), ids=["mmoe", "hetero"])
@pytest.mark.parametrize("missing", [np.nan, pd.NA], ids=["nan", "pd.NA"])
def test_score_names_a_missing_regression_target(model, missing):
    # penguins' body_mass_g has missing values: score on such test rows said
    # "Input contains NaN." (NaN, naming no task) or "Task 0 is a regression
    # task but its column of y is not numeric." (pd.NA in a Float64 column).
    X, Y = _data()
    model.fit(X, Y)
    Y_test = Y.copy()
    if missing is pd.NA:
        Y_test["body_mass_g"] = pd.array(Y_test["body_mass_g"], dtype="Float64")
    Y_test.loc[[4, 9], "body_mass_g"] = missing
    with pytest.raises(ValueError, match=r"Regression task 0 has 2 missing value\(s\) "
                                         r"\(the first at row 4\): drop those rows"):
        model.score(X, Y_test)
