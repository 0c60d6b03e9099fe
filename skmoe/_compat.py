"""Version shims and the few private scikit-learn helpers we rely on, in one place."""

import numpy as np
from sklearn.ensemble._base import _set_random_states  # noqa: F401
from sklearn.utils import get_tags  # noqa: F401
from sklearn.utils._param_validation import Interval as _SklearnInterval
from sklearn.utils.metaestimators import _BaseComposition  # noqa: F401
from sklearn.utils.validation import validate_data  # noqa: F401


class Interval(_SklearnInterval):
    """scikit-learn's ``Interval`` constraint, except that True and False are not numbers.

    Python counts ``bool`` as an int, so scikit-learn accepts ``top_k=True`` as
    1 or ``capacity_factor=True`` as 1.0. A flag given where a count or a rate
    belongs is a mistake (usually a parameter mixed up with its neighbour), so
    every count and rate of this library refuses it with scikit-learn's message.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)
