"""Bad input, round 12: the data frames and labels real users bring."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts
from skmoe.experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _first_column(X, a=1.0):
    return a * X[:, 0]


@pytest.mark.parametrize("make, y_of", [
    (lambda: TorchMLPRegressor(max_epochs=2), lambda y: y),
    (lambda: TorchMLPClassifier(max_epochs=2), lambda y: (y > 0).astype(int)),
    (lambda: RuleExpert(_first_column, params={"a": 1.0}), lambda y: y),
    (lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2), lambda y: np.c_[y, y]),
    (lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("linear", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        max_iter=2), lambda y: np.c_[y, y]),
])
def test_a_dataframe_without_columns_is_named(make, y_of):
    # A DataFrame of no columns (every column dropped) stopped scikit-learn's
    # check with numpy's bare "at least one array or dtype is required".
    X, y = _data()
    with pytest.raises(ValueError, match=r"needs at least one feature; X is a DataFrame "
                                         r"with no columns \(shape \(40, 0\)\)"):
        make().fit(pd.DataFrame(index=range(len(y))), y_of(y))
