"""StackingClassifier's probabilities head is a candidate of the stacked
gate's final blend by default on 3+ classes only (``LEVERS["proba_head"] =
"multiclass"``): round 18 measured it on 57 unseen multiclass sets and kept
it there; two classes were never measured
(``benchmarks/results/gate_levers_round18.md``)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier
from skmoe._blend import levers_set


def _fit(X, y, sample_weight=None):
    experts = [("logit", LogisticRegression(max_iter=500)),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fits' ConvergenceWarning
        return MixtureOfExpertsClassifier(experts, max_epochs=2, random_state=0).fit(
            X, y, sample_weight=sample_weight)


def test_the_probabilities_head_is_a_candidate_by_default_on_three_classes_only():
    X, y = load_iris(return_X_y=True)
    three = _fit(X, y)
    assert "linear_proba" in three.candidate_weights_
    assert np.isfinite(three.out_of_fold_loss_["linear_proba"])
    two = _fit(X[y > 0], y[y > 0])    # two classes: not measured, not a candidate
    assert "linear_proba" not in two.candidate_weights_
    assert "linear_proba" not in two.out_of_fold_loss_
    assert {"linear", "feature_weighted"} <= set(two.candidate_weights_)


def test_a_class_left_out_by_zero_weights_does_not_count():
    # Three classes declared, one with weight zero on every row: the heads read
    # two classes, the binary case.
    X, y = load_iris(return_X_y=True)
    model = _fit(X, y, sample_weight=(y > 0).astype(float))
    assert "linear_proba" not in model.candidate_weights_


def test_the_benchmarks_switches_still_work():
    X, y = load_iris(return_X_y=True)
    with levers_set(proba_head=True):
        assert "linear_proba" in _fit(X[y > 0], y[y > 0]).candidate_weights_
    with levers_set(proba_head=False):
        assert "linear_proba" not in _fit(X, y).candidate_weights_
    with levers_set(proba_head="always"), pytest.raises(ValueError, match="proba_head"):
        _fit(X, y)
