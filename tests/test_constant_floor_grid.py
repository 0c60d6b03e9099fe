"""LEVERS["constant_floor_grid"]: the constant candidate's floor in the
level-2 blend chosen per fit by the cross-fitted level-2 loss."""

import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe._blend import levers_set
from skmoe._candidates import CONSTANT_FLOOR, choose_candidates, level2_floor
# Round 19's candidates: the constant off by noise of sd 1, four heads that
# are the constant plus noise unrelated to y; with ``true_head`` the linear
# head is y plus noise of sd 0.5, truly better.
from test_level2_check import _candidates

GRID = (0.2, 0.4, 0.6, 0.8, 1.0)


@pytest.mark.parametrize("seed", range(3))
def test_heads_that_win_by_noise_raise_the_floor_to_the_constant_alone(seed):
    predictions, y, w = _candidates(seed, true_head=False)
    # In sample the noise heads take weight off the constant ...
    assert choose_candidates(predictions, y, w, True)["constant"] < 0.9
    # ... cross-fitted, a floor near the constant alone is the best.
    assert level2_floor(predictions, y, w, True, (CONSTANT_FLOOR, *GRID)) >= 0.8


@pytest.mark.parametrize("seed", range(3))
def test_a_head_that_truly_wins_keeps_the_smallest_floor(seed):
    predictions, y, w = _candidates(seed, true_head=True)
    # (Closer to y than _candidates' true head: the best blend's constant
    # share is below 0.2 by a margin, where the floor's loss is clear.)
    predictions["linear"] = y + 0.5 * (predictions["linear"] - y) / 2.5
    assert choose_candidates(predictions, y, w, True)["constant"] < 0.1
    assert level2_floor(predictions, y, w, True, (CONSTANT_FLOOR, *GRID)) == CONSTANT_FLOOR


def test_ties_and_too_few_rows_keep_the_smallest_floor():
    # Every candidate the same: every floor's loss is the same.
    rng = np.random.RandomState(0)
    y = rng.normal(size=50)
    same = {name: y + 0.3 for name in ("constant", "gate")}
    assert level2_floor(same, y, np.ones(50), True, (0.5, *GRID)) == 0.2
    predictions, y, w = _candidates(0, true_head=False)
    few = {name: p[:9] for name, p in predictions.items()}
    assert level2_floor(few, y[:9], w[:9], True, (CONSTANT_FLOOR, *GRID)) == CONSTANT_FLOOR


def _fits(X, y, experts):
    fits = {}
    for name, levers in (("default", {}), ("grid", {"constant_floor_grid": GRID}),
                         ("constant", {"constant_floor": 1.0})):
        with levers_set(**levers), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits[name] = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
    return fits


def test_no_input_dependence_deploys_the_constant_candidate():
    # y is noise: the heads and the gate fit nothing the held-out folds
    # confirm, and on this draw the switch puts all the weight on the
    # constant blend: the fit predicts what the floor 1 fit does. (On pure
    # noise the chosen floor varies with the draw: the folds' losses differ by
    # noise too; the candidate-level tests above pin the rule.)
    rng = np.random.RandomState(1)
    X = rng.normal(size=(200, 3))
    y = rng.normal(size=200)
    fits = _fits(X, y, [("ridge", Ridge()), ("dummy", DummyRegressor())])
    default = fits["default"].candidate_weights_
    assert default["constant"] < 0.5
    assert fits["grid"].candidate_weights_ == {name: float(name == "constant")
                                               for name in default}
    assert not fits["grid"].gate_selected_
    np.testing.assert_array_equal(fits["grid"].predict(X), fits["constant"].predict(X))


def test_strong_input_dependence_keeps_the_library_blend():
    # Two regimes the gate and heads tell apart: the smallest floor is kept
    # and the fit is the library's.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = np.where(X[:, 2] > 0, 3 * X[:, 0], np.sin(3 * X[:, 1])) + 0.1 * rng.normal(size=200)
    fits = _fits(X, y, [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3,
                                                                           random_state=0))])
    assert fits["default"].candidate_weights_["constant"] < 0.5
    assert fits["grid"].candidate_weights_ == fits["default"].candidate_weights_
    np.testing.assert_array_equal(fits["grid"].predict(X), fits["default"].predict(X))
