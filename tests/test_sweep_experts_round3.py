"""Experts that misbehave or are unusual, third round: experts whose fit
takes ``sample_weight`` without using it, under EM and in the hierarchical
mixture, and a CategoricalNB that meets a category its fold lacks.

Each test fails without the fix it names (but those said to be guards).
"""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from skmoe import (EnsembleClassifier, HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)


# --------------------------------- an expert whose fit drops its sample_weight
class _DropsWeights(LinearRegression):
    """Takes sample_weight, as a wrapper may, and fits without it."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(X, y)


def _v_shape():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(200, 1))
    return X, 3 * np.abs(X[:, 0]) + 0.1 * rng.normal(size=200)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                      training="em", max_iter=5, random_state=0),
    lambda: MixtureOfExpertsRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                      training="em", cv=None, max_iter=5, random_state=0),
    lambda: HierarchicalMixtureRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                         branching=2, max_iter=5, random_state=0),
], ids=["cross-fitted", "exact", "hme"])
def test_em_says_when_its_experts_ignore_their_weights(make):
    # Fix in _em.warn_if_weights_ignored: two copies of it are the same model
    # for every responsibility, so EM cannot split the V between them; the
    # mixture scored R^2 0.0 (two LinearRegression copies: 0.99), the
    # hierarchical one 0.28 (0.997), without a word.
    X, y = _v_shape()
    with pytest.warns(UserWarning, match=r"Experts \['a', 'b'\] were refitted with "
                                         r"different weights .* predict the same on every "
                                         r"row, as if their fit ignored sample_weight") as rec:
        make().fit(X, y)
    # (Once per fit, not once per iteration.)
    assert sum("predict the same" in str(w.message) for w in rec) == 1


def test_guard_experts_that_use_their_weights_are_not_warned_of():
    # Guard: copies that use their weights specialise, and nothing is said.
    import warnings
    X, y = _v_shape()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Experts .* predict the same")
        model = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                          max_iter=5, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9


# ------------------------------------- CategoricalNB and a category of one row
def _one_rare_category():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(60, 2))
    X[0, 0] = 4                                  # held out of one fold's training rows
    return X, (X[:, 1] > 1).astype(int)


@pytest.mark.parametrize("fit", [
    lambda nb, X, y: MixtureOfExpertsClassifier([("nb", nb), ("lr", LogisticRegression())],
                                                random_state=0).fit(X, y),
    lambda nb, X, y: EnsembleClassifier([("nb", nb), ("lr", LogisticRegression())],
                                        weights="greedy", random_state=0).fit(X, y),
    lambda nb, X, y: compare({"nb": nb}, X, y, cv=3),
], ids=["mixture", "greedy", "compare"])
def test_categorical_nb_meeting_a_category_its_fold_lacks_is_told_of_min_categories(fit):
    # Fix in _base.unknown_category_hint: its predict_proba on the held-out
    # row of category 4 said only numpy's "index 4 is out of bounds for axis 1
    # with size 4" (the mixtures added "if the error is about too few rows,
    # pass more folds").
    from sklearn.naive_bayes import CategoricalNB
    X, y = _one_rare_category()
    with pytest.raises(IndexError, match=r"CategoricalNB met a category above those of the "
                                         r"rows it was fitted on.*set its min_categories"):
        fit(CategoricalNB(), X, y)
    fit(CategoricalNB(min_categories=5), X, y)   # as the hint says: it then serves
