"""Leftovers of earlier sessions, round 11: a capacity_factor below 1/top_k,
the warnings of an expert whose fit fails.

Each test failed before the change it names, but the guards, which say so."""

import os
import re
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
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


# ------------------------------------- 2. warnings of an expert whose fit fails
class WarnsThenFails(RegressorMixin, BaseEstimator):
    """Warns (the cause), then fails; fits only on more than ``min_rows`` and
    fewer than ``max_rows`` rows."""

    def __init__(self, min_rows=np.inf, max_rows=np.inf):
        self.min_rows = min_rows
        self.max_rows = max_rows

    def fit(self, X, y, sample_weight=None):
        warnings.warn("column 2 is constant: the solver will fail", UserWarning)
        if not self.min_rows < len(y) < self.max_rows:
            raise ValueError("singular matrix")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def _em(experts, **params):
    return MixtureOfExpertsRegressor(experts, training="em", gate=FAST_GATE, max_iter=2,
                                     random_state=0, **params)


def _given(model):
    """The warnings that the failing fit of ``model`` gave, with its error's text."""
    X, y = _regression()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="singular matrix") as error:
            model.fit(X, y)
    return [str(w.message) for w in record if "column 2" in str(w.message)], str(error.value)


@pytest.mark.parametrize("model, who", [
    (_em([("ridge", Ridge()), ("bad", WarnsThenFails())]),
     "Expert 'bad' (WarnsThenFails) of MixtureOfExpertsRegressor"),
    # Processes: the job's error carries them (its causes do not come back).
    (_em([("ridge", Ridge()), ("bad", WarnsThenFails())], n_jobs=2),
     "Expert 'bad' (WarnsThenFails) of MixtureOfExpertsRegressor"),
    (EnsembleRegressor([("ridge", Ridge()), ("bad", WarnsThenFails(min_rows=59))],
                       weights="greedy"),
     "Expert 'bad' (WarnsThenFails) of EnsembleRegressor"),
    # A mixture as an expert hands them up: once, as its enclosing expert's.
    (_em([("ridge", Ridge()), ("inner", _em([("r", Ridge()), ("bad", WarnsThenFails())]))]),
     "Expert 'inner' (MixtureOfExpertsRegressor) of MixtureOfExpertsRegressor")])
def test_the_warnings_of_a_fit_that_fails_are_given_once_before_its_error(model, who):
    # They were dropped with the composition's record: the error alone.
    given, error = _given(model)
    # Counted in the fits the expert was given: the refit on all the rows that
    # says whether a fold's rows are the cause ("(It was fitted on 30 of the
    # 60 rows") is none of them ("in 1 of its 2 fits").
    assert given == [f"column 2 is constant: the solver will fail\n({who} gave this "
                     "warning in 1 of its 1 fit; shown once.)"]
    assert "fitted on" in error


def test_the_warnings_of_a_fit_that_fails_and_of_the_fits_before_it_are_given():
    # The fits before the failing one warned too: dropped with it.
    given, _ = _given(_em([("ridge", Ridge()), ("bad", WarnsThenFails(min_rows=0,
                                                                      max_rows=60))]))
    assert len(given) == 1
    # Every fit warned (the folds', then the failing one on all the rows).
    count = re.search(r"gave this warning in (\d+) of its (\d+) fits", given[0])
    assert count[1] == count[2] and int(count[1]) > 1
