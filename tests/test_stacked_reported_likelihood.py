"""The stacked gate's reported log-likelihood is the one predict_proba gives.

Its experts are cross-fitted, so ``log_likelihood_`` is computed from their
out-of-fold probabilities. With experts that fit nothing (a fixed rule's
probabilities), those are the deployed experts' probabilities and the
figure must equal the mean log of ``predict_proba`` at the labels.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, ClassifierMixin

from skmoe import MixtureOfExpertsClassifier


class HardRule(ClassifierMixin, BaseEstimator):
    """Probability 1 for the class ``floor(X[:, column]) mod n_classes``: fits nothing."""

    def __init__(self, column=0):
        self.column = column

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X):
        k = len(self.classes_)
        said = np.floor(np.asarray(X)[:, self.column]).astype(int) % k
        return np.eye(k)[said]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_stacked_log_likelihood_is_the_mean_log_of_predict_proba(n_classes, weighted):
    # Both rules give some rows' labels probability 0. The stacked gate's
    # figure floored each expert's probability at 1e-6 (as its training
    # does), so it was above the mean log of predict_proba, which reads the
    # experts unfloored (binary, unweighted: 4.2e-7 above it; small, because
    # the candidate heads keep such rows' probabilities far above 1e-6).
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 2 * n_classes, size=(600, 2))
    y = np.floor(X[:, 0] + 0.3 * rng.normal(size=600)).astype(int) % n_classes
    flipped = rng.rand(600) < 0.05
    y[flipped] = (y[flipped] + 1) % n_classes
    weights = rng.randint(1, 4, 600).astype(float) if weighted else None
    model = MixtureOfExpertsClassifier([("a", HardRule(0)), ("b", HardRule(1))],
                                       max_epochs=20, random_state=0)
    model.fit(X, y, sample_weight=weights)
    proba = model.predict_proba(X)
    by_hand = np.average(np.log(proba[np.arange(len(y)), y]), weights=weights)
    assert_allclose(model.log_likelihood_, by_hand, rtol=1e-12)
