"""Experts that misbehave or are unusual, fourth round.

Each test fails without the fix it names (but those said to be guards).
"""

import re

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from skmoe import HierarchicalMixtureClassifier, HierarchicalMixtureRegressor


# ------------------------------------------- a blank name in the hierarchical mixture
@pytest.mark.parametrize("name", ["", "  ", "a\nb"])
@pytest.mark.parametrize("make, y", [
    (lambda e: HierarchicalMixtureRegressor(e, branching=2, max_iter=2, random_state=0),
     np.arange(40.0)),
    (lambda e: HierarchicalMixtureClassifier(e, branching=2, max_iter=2, random_state=0),
     np.arange(40) % 2),
], ids=["regressor", "classifier"])
def test_the_hierarchical_mixture_refuses_a_blank_expert_name(make, y, name):
    # Fix in _hme._expert_list (_base.check_expert_name): the flat mixtures
    # and the ensembles refuse such a name, the hierarchical one took it: its
    # errors said "Expert ''", and get_params had a key '__C' or '__alpha'.
    X = np.random.RandomState(0).normal(size=(40, 2))
    expert = Ridge() if y.dtype.kind == "f" else LogisticRegression()
    model = make([(name, expert), ("b", expert)])
    with pytest.raises(ValueError, match=r"Expert names must be printable and not blank .*"
                                         f"got {re.escape(repr(name))}"):
        model.fit(X, y)


@pytest.mark.filterwarnings("ignore:EM did not converge")
def test_guard_the_hierarchical_mixture_takes_names_of_spaces_and_accents():
    X = np.random.RandomState(0).normal(size=(40, 2))
    model = HierarchicalMixtureRegressor([("my model", Ridge()), ("modèle", LinearRegression())],
                                         branching=2, max_iter=2, random_state=0)
    assert list(model.fit(X, X[:, 0]).named_experts_) == ["my model", "modèle"]
