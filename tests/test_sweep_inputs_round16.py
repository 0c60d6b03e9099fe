"""Bad-input sweep, round 16: errors that come from inside an expert and do
not say what is wrong with the input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor)


def _experts():
    return [("gbm", HistGradientBoostingRegressor(max_iter=5)),
            ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(_experts(), max_epochs=2, random_state=0),
    lambda: MixtureOfExpertsRegressor(_experts(), training="em", max_iter=2, random_state=0),
    lambda: EnsembleRegressor(_experts()),
    lambda: HierarchicalMixtureRegressor(HistGradientBoostingRegressor(max_iter=5),
                                         branching=2, max_iter=2, random_state=0),
])
@pytest.mark.parametrize("frame", [False, True])
def test_a_column_missing_in_every_row_is_named(make, frame):
    # An expert that takes NaN fails on a column of NaN only with scikit-
    # learn's "window shape cannot be larger than input array shape", which
    # says neither the column nor that it is empty.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    X[:, 1] = np.nan
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    if frame:
        X = pd.DataFrame(X, columns=["a", "empty", "c"])
    column = "'empty'" if frame else "1"
    with pytest.raises(ValueError, match=rf"failed to fit: .*column\(s\) {column} are missing "
                                         r"\(NaN\) in every row it was fitted on"):
        make().fit(X, y)
