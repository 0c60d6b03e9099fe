"""Hierarchical mixtures, sweep round 1."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from skmoe import (HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   select_n_experts)


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 2)
    return X, np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.1 * rng.randn(n)


def test_select_n_experts_branching_of_a_list_of_leaves_refused_before_any_fit():
    # A tree of two (name, estimator) pairs fits only two-leaf branchings: the
    # candidate (2, 2) failed after 2 was fitted, with the tree's advice to
    # give "a branching with 2 leaves", the parameter being varied.
    X, y = _data()
    hme = HierarchicalMixtureRegressor([("a", LinearRegression()), ("b", LinearRegression())],
                                       branching=2, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"one per leaf: candidate \(2, 2\) has 4 leaves"):
        select_n_experts(hme, X[:3], y[:3], candidates=[2, (2, 2)], param="branching")
    # Branchings of as many leaves as the list are still compared.
    four = HierarchicalMixtureRegressor([(f"e{i}", LinearRegression()) for i in range(4)],
                                        max_iter=2, random_state=0)
    best, scores = select_n_experts(four, X, y, candidates=[(4,), (2, 2)], param="branching")
    assert set(scores) == {(4,), (2, 2)}


@pytest.mark.parametrize("cls", [HierarchicalMixtureRegressor, HierarchicalMixtureClassifier])
def test_score_samples_points_to_its_new_name(cls):
    # The trees had score_samples(X, y) before log_likelihood_samples, as the
    # flat mixtures had; only the flat ones said where it went ("object has
    # no attribute 'score_samples'").
    X, y = _data()
    if cls is HierarchicalMixtureClassifier:
        y = y > 0
    hme = cls(LinearRegression() if cls is HierarchicalMixtureRegressor
              else LogisticRegression(), branching=2, max_iter=2, random_state=0).fit(X, y)
    assert not hasattr(hme, "score_samples")
    with pytest.raises(AttributeError, match="renamed log_likelihood_samples"):
        hme.score_samples(X, y)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        hme.nothing
