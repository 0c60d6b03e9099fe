"""Bad-input sweep, round 38: messy cells, degenerate rows and targets.

Probed (no defect found unless a test below names it): DataFrame columns of
Python Decimals, bytes, lists, dicts and of mixed True/1/"yes"; an all-bool
X; X whose rows are all the same row; a constant y for every regressor and a
one-class y for every classifier (the mixtures, ensembles, hierarchical and
multi-task mixtures, the torch experts); class labels as np.str_, tuples,
None mixed with strings and ints mixed with strings; sample_weight all 1e-300
or all 1e300; one column of two values with eight experts; more experts (and
top_k) than training rows.

Each test here failed before the fix it names.
"""

import numpy as np
import pytest

from skmoe import MultiGateMixtureOfExperts
from skmoe.experts import TorchMLPRegressor


MODELS = {
    "torch": lambda: TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=3, random_state=0),
    "mmoe": lambda: MultiGateMixtureOfExperts(tasks=["regression"], max_iter=3, random_state=0),
}


@pytest.mark.parametrize("model", list(MODELS), ids=list(MODELS))
def test_rows_all_the_same_give_predictions_of_ys_order_elsewhere(model):
    # A column holding one value got the spread around its rounded mean as
    # its scale (2.8e-17 for -0.132 in 40 rows), not one: at predict a value
    # 1 away was 4e16 standard deviations out, and the torch regressor
    # predicted 3e14 (MMoE 6e13) for a y within [-3, 3]. The values are
    # those of a real draw, not round ones (whose mean is exact).
    rng = np.random.default_rng(0)
    X_new = rng.normal(size=(40, 3))
    X = np.tile(X_new[:1], (40, 1))
    y = X_new[:, 0] + 0.1 * rng.normal(size=40)
    predictions = MODELS[model]().fit(X, y).predict(X_new)
    assert np.all(np.isfinite(predictions))
    assert np.abs(predictions).max() < 2 * np.abs(y).max()
