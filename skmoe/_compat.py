"""Version shims and the few private scikit-learn helpers we rely on, in one place."""

import numbers

import numpy as np
from sklearn.ensemble._base import _set_random_states  # noqa: F401
from sklearn.metrics._scorer import _Scorer  # noqa: F401  (a make_scorer's scorer)
from sklearn.utils import get_tags  # noqa: F401
from sklearn.utils._metadata_requests import SIMPLE_METHODS, request_is_alias  # noqa: F401
from sklearn.utils._param_validation import Interval as _SklearnInterval
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.metaestimators import _BaseComposition  # noqa: F401
from sklearn.utils.validation import validate_data  # noqa: F401


class Interval(_SklearnInterval):
    """scikit-learn's ``Interval`` constraint, except that True and False are not numbers.

    Python counts ``bool`` as an int, so scikit-learn accepts ``top_k=True`` as
    1 or ``capacity_factor=True`` as 1.0. A flag given where a count or a rate
    belongs is a mistake (usually a parameter mixed up with its neighbour), so
    every count and rate of this library refuses it with scikit-learn's message.

    Real numbers that are neither Python's nor numpy's ints and floats (a
    ``fractions.Fraction``) are refused with that message too: scikit-learn's
    test ``np.isnan(val)`` raised numpy's bare "ufunc 'isnan' not supported
    for the input types", naming no parameter (``tol=Fraction(1, 1000)``,
    ``make_regimes(noise=Fraction(1, 2))``), and downstream arithmetic would
    turn arrays into object arrays of Fractions.
    """

    def is_satisfied_by(self, val):
        if isinstance(val, (bool, np.bool_)):
            return False
        if isinstance(val, numbers.Real) and not isinstance(
                val, (numbers.Integral, float, np.floating)):
            return False
        return super().is_satisfied_by(val)


# joblib's n_jobs: a number of jobs, or -1, -2, ... (all CPUs, all but one, ...).
# 0 passed scikit-learn's [Integral, None] and stopped inside joblib ("n_jobs
# == 0 in Parallel has no meaning", naming no estimator) after the checks of
# the data, and True ran as one job; compare() already refused both.
N_JOBS = [Interval(numbers.Integral, None, -1, closed="right"),
          Interval(numbers.Integral, 1, None, closed="left"), None]


# A flag is True or False (numpy's too): any non-empty string is true, so
# return_regime="no" returned the regimes and predict(return_std="no") the
# spread. The datasets' generators check theirs with this constraint through
# scikit-learn's ``validate_params``; methods and helpers through
# :func:`check_flag`, with the same message.
FLAG = ["boolean"]


def check_flag(value, name, caller):
    """Raise scikit-learn's InvalidParameterError unless ``value`` is a bool.

    ``caller`` names the function or method in the message, as
    ``validate_params`` does ("The 'return_std' parameter of
    MixtureOfExpertsRegressor.predict must be an instance of 'bool' ...").
    """
    validate_parameter_constraints({name: FLAG}, {name: value}, caller_name=caller)
    return bool(value)
