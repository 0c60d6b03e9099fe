"""Wrong-numbers sweep, round 13: dtypes of the inputs, batches against rows,
reported statistics against hand counts (tests named ``test_guard_*`` pass
before and after the fixes of this round)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (HierarchicalMixtureClassifier, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)


def _data(n=200):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=n)
    # Weights that float32 holds exactly: the same numbers in either dtype.
    weight = rng.uniform(0.5, 2.0, size=n).astype(np.float32).astype(np.float64)
    return X, y, np.digitize(y, [0.3, 1.2]), weight


def _regression_experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]


def _classification_experts():
    return [("logit", LogisticRegression()),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]


@pytest.mark.parametrize("make, task", [
    (lambda: MixtureOfExpertsClassifier(_classification_experts(), max_epochs=10,
                                        random_state=0), "classification"),
    (lambda: MixtureOfExpertsRegressor(_regression_experts(), training="em", top_k=1,
                                       max_iter=5, random_state=0), "regression"),
    (lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, max_iter=5,
                                           random_state=0), "classification"),
])
def test_float32_sample_weight_fits_what_the_same_float64_weights_fit(make, task):
    # The same weights, as float32 or as float64, are the same numbers: the
    # fit must not see their dtype. The float32 ones were kept in float32
    # (scikit-learn's _check_sample_weight keeps float32) and rescaled to mean
    # one there, rounded at 1e-7; the mixture's discrete choices amplified
    # the rounding: the stacked classifier's probabilities moved by 0.16, the
    # top-1 EM regressor's predictions by 1.2, the tree mixture's
    # probabilities by 0.006.
    X, y, labels, weight = _data()
    target = y if task == "regression" else labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = make().fit(X, target, sample_weight=weight)
        b = make().fit(X, target, sample_weight=weight.astype(np.float32))
    predict = "predict" if task == "regression" else "predict_proba"
    assert_allclose(getattr(b, predict)(X), getattr(a, predict)(X), rtol=0, atol=1e-12)
