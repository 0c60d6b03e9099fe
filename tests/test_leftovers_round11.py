"""Leftovers of earlier sessions, round 11: a capacity_factor below 1/top_k.

Each test failed before the change it names, but the guards, which say so."""

import os
import warnings

import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe.gates import MLPGate
from skmoe._routing import expert_capacity, route

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGRESSORS = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20)


def _text(*path):
    """A file of the repository with its whitespace collapsed (the docs wrap lines)."""
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return " ".join(f.read().split())


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# ------------------------------------------------ 1. capacity_factor < 1/top_k
def test_a_capacity_below_one_over_top_k_cannot_hold():
    # Why it warns: 100 rows, 4 experts, top-2 at 0.25 caps each expert at
    # 13 rows, 52 slots for 100 rows; the rows left over keep their first
    # choice, over the cap.
    torch.manual_seed(0)
    routing = route(torch.randn(100, 4), 2, capacity_factor=0.25)
    counts = torch.bincount(routing.indices[routing.indices >= 0], minlength=4)
    assert expert_capacity(0.25, 2, 100, 4) == 13
    assert counts.max() > 13


@pytest.mark.parametrize("top_k, factor", [(1, 0.5), (2, 0.3)])
def test_a_capacity_factor_below_one_over_top_k_warns_naming_both(top_k, factor):
    # It was taken without a word.
    X, y = _regression()
    model = MixtureOfExpertsRegressor(REGRESSORS, top_k=top_k, capacity_factor=factor,
                                      training="em", gate=FAST_GATE, max_iter=2,
                                      random_state=0)
    with pytest.warns(UserWarning, match=rf"capacity_factor={factor} is below 1/top_k "
                                         rf"\(top_k={top_k}, ") as record:
        model.fit(X, y)
    # At the caller of fit, as the other warnings of settings.
    hit = [w for w in record if "is below 1/top_k" in str(w.message)]
    assert hit[0].filename == __file__


@pytest.mark.parametrize("top_k, factor", [(1, 1.0), (2, 0.5), (2, 2.0)])
def test_a_capacity_factor_of_a_slot_per_row_does_not_warn(top_k, factor):
    X, y = _regression()
    model = MixtureOfExpertsRegressor(REGRESSORS, top_k=top_k, capacity_factor=factor,
                                      training="em", gate=FAST_GATE, max_iter=2,
                                      random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(X, y)
    assert not [w for w in record if "1/top_k" in str(w.message)]


def test_the_docs_say_a_capacity_below_one_over_top_k_warns():
    assert ("Below ``1 / top_k`` the experts have fewer slots than there are rows, the "
            "cap cannot hold and fit warns." in _text("docs", "user_guide.rst"))
