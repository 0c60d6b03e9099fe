"""Leftovers of earlier sessions, round 4a: data and trainers."""

import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import ExpertCollapseWarning, MixtureOfExpertsRegressor


def _line(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, 2 * X[:, 0] + 0.3 * rng.normal(size=n)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_em_reinit_keeps_the_best_iteration_of_the_whole_run():
    # The dummy's share collapses at every iteration; each re-initialisation
    # made EM drop its best iteration so far and keep the last start's best:
    # -0.51 per row where the first iteration had -0.22.
    X, y = _line()
    experts = [("ridge", Ridge()), ("dummy", DummyRegressor()),
               ("tree", DecisionTreeRegressor(max_depth=2))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MixtureOfExpertsRegressor(
            experts, training="em", cv=3, max_iter=30, collapse_threshold=0.1,
            collapse_patience=1, collapse_action="reinit", random_state=0).fit(X, y)
    assert any(issubclass(w.category, ExpertCollapseWarning) for w in caught)
    history = [h["log_likelihood"] for h in model.history_]
    assert any(h["collapsed"] for h in model.history_)
    assert model.log_likelihood_ == pytest.approx(max(history), abs=1e-9)
