"""The skmoe version that saved models carry (pickle, joblib, ``skops.io``).

scikit-learn stamps ``_sklearn_version`` only on estimators of its own
modules, so a model saved by another skmoe version loaded without a word and
could predict other numbers. :class:`VersionedStateMixin` does for skmoe what
``BaseEstimator`` does for scikit-learn.
"""

import warnings

from . import __version__

# The first version whose saved models carry the stamp: a state without one
# was saved before it.
_STAMPED_SINCE = "0.1.0.dev0"
_STAMP = "_skmoe_version"


class InconsistentSkmoeVersionWarning(UserWarning):
    """A model is loaded with another skmoe version than the one that saved it.

    Its predictions may differ from those of the saved model, or fail. The
    message names the estimator, the version that saved it (or says that it
    was saved before models carried their version) and the running one.
    """


class VersionedStateMixin:
    """Stamp ``__getstate__`` with the skmoe version; warn in ``__setstate__``
    when the stamp differs from the running version or is missing.

    Pickle, joblib, ``skops.io`` and ``copy.deepcopy`` all go through these.
    The stamp is taken off the state on loading: it never becomes an
    attribute, so it is not in ``get_params``, the repr or a clone.
    """

    def __getstate__(self):
        # A new dict: BaseEstimator.__getstate__ may return self.__dict__ itself.
        return {**super().__getstate__(), _STAMP: __version__}

    def __setstate__(self, state):
        state = dict(state)   # the caller's state stays as it was
        saved = state.pop(_STAMP, None)
        if saved != __version__:
            was = (f"skmoe {saved}" if saved is not None else
                   "an unknown skmoe version (saved before models recorded theirs, in "
                   f"{_STAMPED_SINCE})")
            warnings.warn(
                f"{type(self).__name__} was saved with {was} and is loaded with skmoe "
                f"{__version__}: it may predict differently or fail. Refit it with this "
                "version, or load it where the version that saved it is installed.",
                InconsistentSkmoeVersionWarning)
        super().__setstate__(state)
