"""Defects left over by the earlier sweeps, third round: the joint trainer's
reported classification log-likelihood.

Each test fails without its fix.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, ClassifierMixin

from skmoe import MixtureOfExpertsClassifier, TorchMLPClassifier


# ------------------------------ 3. the joint trainer's reported log-likelihood
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
        return np.eye(k)[np.floor(np.asarray(X)[:, self.column]).astype(int) % k]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("top_k", [None, 1])
def test_joint_trainer_log_likelihood_is_the_mean_log_of_predict_proba(n_classes, top_k):
    # With a torch expert the gate trains jointly; its classification
    # log_likelihood_ was the training objective, each fixed expert's
    # probability floored at 1e-6, so it was above the mean log of
    # predict_proba where both rules gave the label 0 (relative 1.1e-6 binary
    # dense, 1.4e-7 binary top-1, 1.7e-6 and 4.4e-7 with 3 classes). The
    # rules fit nothing, so their out-of-fold probabilities are the deployed
    # ones; the torch expert trained on every row (float32: ~1e-9 apart).
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 2 * n_classes, size=(600, 2))
    y = np.floor(X[:, 0] + 0.3 * rng.normal(size=600)).astype(int) % n_classes
    flipped = rng.rand(600) < 0.05
    y[flipped] = (y[flipped] + 1) % n_classes
    weights = rng.randint(1, 4, 600).astype(float)
    experts = [("a", HardRule(0)), ("b", HardRule(1)),
               ("mlp", TorchMLPClassifier((4,), random_state=0))]
    model = MixtureOfExpertsClassifier(experts, training="gradient", top_k=top_k,
                                       max_epochs=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # max_epochs
        model.fit(X, y, sample_weight=weights)
    proba = model.predict_proba(X)
    by_hand = np.average(np.log(proba[np.arange(len(y)), y]), weights=weights)
    assert_allclose(model.log_likelihood_, by_hand, rtol=2e-8)
    assert_allclose(model.log_likelihood_,
                    np.average(model.log_likelihood_samples(X, y), weights=weights),
                    rtol=2e-8)
