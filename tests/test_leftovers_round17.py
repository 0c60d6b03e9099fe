"""Leftovers, round 17: a plain-average ensemble's expert warnings named at
fit, the CLI's advice on training splits too small for the mixture's own
folds, a branching given both as an int and as its one-level tuple, and a
TorchMLPRegressor that diverged without becoming NaN.

Each test failed before the change it names, but the one marked a guard."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import EnsembleClassifier, HierarchicalMixtureRegressor, select_n_experts
from skmoe._cli import main
from skmoe.datasets import make_piecewise_linear
from skmoe.experts import TorchMLPRegressor


# ------------------- 1. a plain average names its experts' warnings at fit
@pytest.mark.parametrize("weights", [None, [1.0, 2.0]])
def test_plain_average_names_expert_warnings_at_fit(weights):
    # They came bare (lbfgs's ConvergenceWarning, no expert named), where
    # weights='greedy' and the mixtures name the expert.
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3) * 1e3
    y = (X[:, 0] + rng.randn(60) * 500 > 0).astype(int)
    model = EnsembleClassifier([("lr", LogisticRegression(max_iter=1)),
                                ("tree", DecisionTreeClassifier(random_state=0))],
                               weights=weights)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    texts = [str(w.message) for w in caught if "failed to converge" in str(w.message)]
    assert len(texts) == 1, texts
    assert "Expert 'lr' (LogisticRegression) of EnsembleClassifier gave this warning" \
        in texts[0]
