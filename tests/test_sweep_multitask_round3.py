"""Multi-task models sweep, round 3 (MultiGateMixtureOfExperts, its PLE
architecture, and HeterogeneousMultiGateMixtureOfExperts): what a user of
several targets meets around fitting, refitting and reading the results."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skmoe import MultiGateMixtureOfExperts


def _tasks(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    Y = np.column_stack([X[:, 0] + 0.1 * rng.randn(n), X[:, 1] > 0,
                         np.digitize(X[:, 2], [-0.5, 0.5])]).astype(float)
    return X, Y


@pytest.mark.parametrize("architecture", ["mmoe", "ple"])
def test_a_fit_refused_as_diverged_leaves_the_model_unfitted(architecture):
    # n_iter_, which marks the model fitted, was set before the check of the
    # kept network's loss: a fit that raised "diverged" left a model whose
    # predict gave the diverged network's outputs (-115.3 for a target of
    # mean 0), without a word.
    X, Y = _tasks()
    model = MultiGateMixtureOfExperts(["regression", "binary", "multiclass"],
                                      architecture=architecture, n_experts=2,
                                      learning_rate=10.0, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="MultiGateMixtureOfExperts diverged"):
            model.fit(X, Y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(NotFittedError):
        model.predict(X)
