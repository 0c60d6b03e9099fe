"""Leftovers of earlier sessions, round 15: the plain average's one-class
weights, the rows of an expert's NaN predictions, CrossFitAverage's fits
checked at construction, dict views and arrays of pairs as experts, the
multi-gate mixture's misspelt sample_weight, zero weights beside a
precomputed-kernel expert, the CLI's infinite scores.

Each test failed before the change it names."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import EnsembleClassifier


def _binary(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 3)
    return X, (X[:, 0] > 0).astype(int)


# ------------------- 1. the plain average refuses weights of one class only
@pytest.mark.parametrize("weights", [None, [1.0, 2.0]])
def test_plain_average_refuses_weights_of_one_class(weights):
    X, y = _binary()
    experts = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(random_state=0))]
    with pytest.raises(ValueError, match=r"Only class 1 has rows of positive sample_weight"):
        EnsembleClassifier(experts, weights=weights).fit(X, y, sample_weight=(y == 1) * 1.0)
