"""Leftovers of earlier sessions, round 15: the plain average's one-class
weights, the rows of an expert's NaN predictions, CrossFitAverage's fits
checked at construction, dict views and arrays of pairs as experts, the
multi-gate mixture's misspelt sample_weight, zero weights beside a
precomputed-kernel expert, the CLI's infinite scores.

Each test failed before the change it names."""

import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier

from skmoe import EnsembleClassifier, EnsembleRegressor


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


# ------------------- 2. an expert's NaN predictions: how many rows, and which
class _NaNOnSomeRows(RegressorMixin, BaseEstimator):
    """A regressor that predicts NaN on rows 4, 17 and 99 of what it is given
    (infinity on row 17), for arrays of at least 100 rows."""

    def fit(self, X, y, sample_weight=None):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        pred = np.full(len(X), self.mean_)
        pred[[4, 99]] = np.nan
        pred[17] = np.inf
        return pred


def test_nan_predictions_name_their_rows():
    # "Expert 'x' returned NaN or infinite predictions." and no more: the user
    # had to predict with the expert alone to find the rows.
    rng = np.random.RandomState(0)
    X = rng.randn(120, 2)
    y = X[:, 0]
    model = EnsembleRegressor([("ridge", Ridge()), ("x", _NaNOnSomeRows())]).fit(X, y)
    with pytest.raises(ValueError, match=re.escape(
            "Expert 'x' returned NaN or infinite predictions on 3 of 120 rows (first: 4, "
            "17, 99; positions counted from 0).")):
        model.predict(X)
