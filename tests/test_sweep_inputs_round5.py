"""Bad input, round 5: each test fails without the fix it names."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import (EnsembleClassifier, HierarchicalMixtureClassifier,
                   MixtureOfExpertsClassifier, MLPGate)

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _classification(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 1] > 0).astype(int)


# -- a classifier expert without classes_ -------------------------------------
class _NoClasses(ClassifierMixin, BaseEstimator):
    """predict_proba, but no classes_ after fit."""

    def fit(self, X, y, sample_weight=None):
        self.n_labels_ = len(np.unique(y))
        return self

    def predict_proba(self, X):
        return np.full((len(X), self.n_labels_), 1.0 / self.n_labels_)

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsClassifier(e, max_epochs=3, random_state=0),
    lambda e: MixtureOfExpertsClassifier(e, training="em", gate=FAST_GATE, max_iter=2,
                                         random_state=0),
    lambda e: MixtureOfExpertsClassifier(e, top_k=1, max_epochs=3, random_state=0),
    lambda e: EnsembleClassifier(e),
    lambda e: EnsembleClassifier(e, weights="greedy"),
    lambda e: HierarchicalMixtureClassifier(e[1][1], branching=(2,), max_iter=2,
                                            random_state=0),
], ids=["gradient", "em", "top_k", "ensemble", "greedy", "hierarchical"])
def test_a_classifier_expert_without_classes_is_named(make):
    # Every classifier stopped with a bare AttributeError "'_NoClasses' object
    # has no attribute 'classes_'" (at fit, or at predict for the averaging
    # ensemble), naming no expert.
    X, y = _classification()
    experts = [("logit", LogisticRegression()), ("odd", _NoClasses())]
    with pytest.raises(TypeError, match=r"Expert '(odd|leaf0)' \(_NoClasses\) has "
                                        r"predict_proba but no classes_ after fitting"):
        make(experts).fit(X, y).predict(X)
    # Hard voting reads the labels only: it still fits.
    EnsembleClassifier([("tree", DecisionTreeClassifier(max_depth=2)), ("odd", _NoClasses())],
                       voting="hard").fit(X, y).predict(X)
