"""Bad input, round 10: degenerate data (few rows, constant targets, wide X)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier, MultiGateMixtureOfExperts
from skmoe.gates import MLPGate


def _gate():
    return MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def test_stacked_gate_classifier_fits_more_features_than_rows():
    # The feature-weighted head on all 10 rows spans more meta directions than
    # a fold's head on 6 or 7: warm-starting the fold's head from the full one
    # failed in scikit-learn with "Initialization coef is of shape (1, 23),
    # expected shape (13,) or (1, 13)".
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(10, 30)), np.arange(10) % 2
    model = MixtureOfExpertsClassifier(
        [("lr", LogisticRegression()), ("dt", DecisionTreeClassifier(max_depth=2))],
        gate=_gate(), max_iter=3, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (10, 2) and np.all(np.isfinite(proba))


@pytest.mark.parametrize("value", [0.0, 3.7, 3.7e-12, 3.7e12])
def test_multi_gate_mixture_predicts_a_constant_task_as_its_constant(value):
    # The constant task was scaled by one: the network's leftover outputs
    # (about 0.35 after 2 epochs) were added to it, -0.35 for y = 0 and for
    # y = 3.7e-12 (off by eleven orders of magnitude).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    Y = np.column_stack([np.full(40, value), X[:, 0]])
    model = MultiGateMixtureOfExperts(max_iter=2, random_state=0).fit(X, Y)
    pred = model.predict(X)
    assert np.all(pred[:, 0] == value)
    assert np.all(np.isfinite(pred[:, 1])) and np.std(pred[:, 1]) > 0
    one_task = MultiGateMixtureOfExperts(max_iter=2, random_state=0).fit(X, Y[:, 0])
    assert np.all(one_task.predict(X) == value)
