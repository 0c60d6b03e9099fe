"""Sweep of skmoe.datasets, round 1: argument checks of the generators."""

import numpy as np
import pytest

from skmoe.datasets import make_piecewise_linear


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
