"""Bad-input sweep, round 28: the multi-task and hierarchical estimators, the
wrappers (CrossFitAverage, RuleExpert, AutoGateTransformer), persistence and
the displays.

Each test fails without the fix it names.
"""

from fractions import Fraction

import numpy as np
import pytest

from skmoe import RuleExpert


def _slope(X, a=1.0):
    return a * X[:, 0]


@pytest.mark.parametrize("start, fitted", [(2**64, None), (Fraction(3, 2), None),
                                           (10**400, "10**400")],
                         ids=["2**64", "Fraction", "10**400"])
def test_rule_params_of_python_ints_or_fractions_are_read_as_numbers(start, fitted):
    # A start of 2**64 or Fraction(3, 2) (numbers.Real) stopped in np.isfinite
    # with numpy's bare "ufunc 'isfinite' not supported for the input types",
    # naming no parameter; 10**400, beyond float64, too.
    X = np.arange(20.0).reshape(10, 2)
    y = 2.0 * X[:, 0]
    if fitted is not None:
        with pytest.raises(ValueError, match=r"RuleExpert params must map names to numbers "
                                             r"\(the finite starting values of the search\); "
                                             r"'a' is 1000000"):
            RuleExpert(_slope, params={"a": start}).fit(X, y)
        return
    rule = RuleExpert(_slope, params={"a": start}).fit(X, y)
    # The search of the same start given as a float.
    as_float = RuleExpert(_slope, params={"a": float(start)}).fit(X, y)
    assert rule.params_ == as_float.params_
    assert rule.noise_std_ == as_float.noise_std_
