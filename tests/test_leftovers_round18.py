"""Round 18 of known leftovers: each test fails without its fix."""
import numpy as np
import pytest

from skmoe.datasets import load_dataset
from skmoe.experts import TorchMLPClassifier


# ------------------ 1. a TorchMLPClassifier that diverged to finite numbers
def _wine():
    data = load_dataset("wine")
    return np.asarray(data.X, dtype=float), np.asarray(data.y)


@pytest.mark.parametrize("learning_rate", [10.0, 1e3])
def test_torch_mlp_classifier_diverged_without_nan_raises(learning_rate):
    # Only NaN weights were an error: the kept network's training loss was
    # far above that of predicting the class frequencies, silently.
    X, y = _wine()
    with pytest.raises(ValueError, match=r"diverged: .*class frequencies costs 1\.09; "
                                         r"lower learning_rate \(now"):
        TorchMLPClassifier(learning_rate=learning_rate, max_epochs=30,
                           random_state=0).fit(X, y)


def test_torch_mlp_classifier_normal_fit_is_not_diverged():
    # A guard: the check of item 1 must not refuse ordinary fits.
    X, y = _wine()
    for learning_rate in (1e-3, 1e-1):
        TorchMLPClassifier(learning_rate=learning_rate, max_epochs=30,
                           random_state=0).fit(X, y)
