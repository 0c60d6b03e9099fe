"""Sweep of skmoe.datasets, round 1: argument checks of the generators."""

import numpy as np
import pytest

from skmoe.datasets import make_mmoe_tasks, make_piecewise_linear


@pytest.mark.parametrize("n_regimes", ["3", 2.0, None])
def test_piecewise_linear_n_regimes_of_a_wrong_type_is_a_type_error(n_regimes):
    # Its own check raised a bare ValueError, where every other wrong type of
    # the generators raises InvalidParameterError (a TypeError too).
    with pytest.raises(TypeError, match="'n_regimes' parameter of make_piecewise_linear"):
        make_piecewise_linear(10, n_regimes=n_regimes)


@pytest.mark.parametrize("n_regimes", [0, -2])
def test_piecewise_linear_n_regimes_below_one_names_the_range(n_regimes):
    with pytest.raises(ValueError, match=r"'n_regimes' parameter .* \[1, inf\)"):
        make_piecewise_linear(10, n_regimes=n_regimes)


def test_piecewise_linear_still_takes_numpy_integer_regimes():
    X, y, regime = make_piecewise_linear(50, n_regimes=np.int64(2), return_regime=True,
                                         random_state=0)
    assert X.shape == (50, 1) and set(np.unique(regime)) <= {0, 1}


@pytest.mark.parametrize("name, value", [
    ("alpha", ["1", "2"]),          # was read as [1.0, 2.0]
    ("alpha", [True, False]),       # was read as [1.0, 0.0]
    ("beta", ["0.5", "x"]),         # was numpy's "could not convert string to float"
    ("beta", [1.0, None]),
    ("alpha", [1.0, 2j]),
])
def test_mmoe_tasks_alpha_and_beta_must_be_real_numbers(name, value):
    with pytest.raises(ValueError, match=f"{name} must be an array of real numbers"):
        make_mmoe_tasks(10, 3, n_sines=2, **{name: value})


def test_mmoe_tasks_still_takes_integer_and_float_alpha_beta():
    X, Y = make_mmoe_tasks(10, 3, n_sines=2, alpha=[1, 2], beta=np.array([0.0, 0.5]),
                           random_state=0)
    assert Y.shape == (10, 2) and np.isfinite(Y).all()
