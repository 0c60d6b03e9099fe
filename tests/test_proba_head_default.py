"""StackingClassifier's probabilities head is a candidate of the stacked
gate's final blend by default on every classifier (``LEVERS["proba_head"] =
True``): round 18 measured it on 57 unseen multiclass sets, round 20 on 67
unseen binary sets, and both kept it
(``benchmarks/results/gate_levers_round18.md``, ``gate_levers_round20.md``)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier
from skmoe._blend import LEVERS, levers_set


def _fit(X, y, sample_weight=None):
    experts = [("logit", LogisticRegression(max_iter=500)),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fits' ConvergenceWarning
        return MixtureOfExpertsClassifier(experts, max_epochs=2, random_state=0).fit(
            X, y, sample_weight=sample_weight)


def test_the_probabilities_head_is_a_candidate_by_default_on_two_and_three_classes():
    assert LEVERS["proba_head"] is True
    X, y = load_iris(return_X_y=True)
    three = _fit(X, y)
    assert "linear_proba" in three.candidate_weights_
    assert np.isfinite(three.out_of_fold_loss_["linear_proba"])
    # Two classes: measured in round 20 and kept (before, "multiclass" left it out).
    two = _fit(X[y > 0], y[y > 0])
    assert "linear_proba" in two.candidate_weights_
    assert np.isfinite(two.out_of_fold_loss_["linear_proba"])
    assert {"linear", "feature_weighted", "prior"} <= set(two.candidate_weights_)


def test_a_class_left_out_by_zero_weights_leaves_the_binary_head():
    # Three classes declared, one with weight zero on every row: the heads read
    # two classes, the binary case, which now has the head too.
    X, y = load_iris(return_X_y=True)
    model = _fit(X, y, sample_weight=(y > 0).astype(float))
    assert "linear_proba" in model.candidate_weights_
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1)


def test_the_benchmarks_switches_still_work():
    X, y = load_iris(return_X_y=True)
    with levers_set(proba_head="multiclass"):   # the library before round 20
        assert "linear_proba" not in _fit(X[y > 0], y[y > 0]).candidate_weights_
        assert "linear_proba" in _fit(X, y).candidate_weights_
        assert "linear_proba" not in _fit(
            X, y, sample_weight=(y > 0).astype(float)).candidate_weights_
    with levers_set(proba_head=False):
        assert "linear_proba" not in _fit(X, y).candidate_weights_
    with levers_set(proba_head="always"), pytest.raises(ValueError, match="proba_head"):
        _fit(X, y)
