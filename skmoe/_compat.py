"""Version shims and the few private scikit-learn helpers we rely on, in one place."""

from sklearn.ensemble._base import _set_random_states  # noqa: F401
from sklearn.utils import get_tags  # noqa: F401
from sklearn.utils.metaestimators import _BaseComposition  # noqa: F401
from sklearn.utils.validation import validate_data  # noqa: F401
