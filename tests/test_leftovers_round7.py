"""Leftovers of earlier sessions, round 7: the losses behind a top-k
mixture's rival check, a gate_transformer's NaN and infinity, a collapse
threshold under collapse_action='drop', a list in a cell of X, tiny
sample weights in the ensembles, and compare() with sample_weight."""

import re
import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import MLPGate, MixtureOfExpertsRegressor

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=10, warm_max_iter=3)


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _fit_quietly(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, **kwargs)


# -- 6. the losses behind rival_selected_ --------------------------------------
@pytest.mark.parametrize("settings", [dict(max_epochs=5),
                                      dict(training="em", max_iter=3, gate=FAST_GATE)])
def test_rival_loss_gives_the_losses_that_decided_the_rival_check(settings):
    # rival_selected_ said what was kept, not why: now the gate's and the
    # rival's losses and the standard error of their difference.
    X, y = _regression(n=120)
    experts = [("lin", LinearRegression()), ("dummy", DummyRegressor())]
    moe = _fit_quietly(MixtureOfExpertsRegressor(experts, top_k=1, random_state=0,
                                                 **settings), X, y)
    report = moe.rival_loss_
    assert moe.rival_selected_ in (True, False)
    assert {"gate", "rival", "standard_error"} <= set(report)
    assert all(np.isfinite(v) and v >= 0 for v in report.values())
    wins = report["gate"] - report["rival"] > report["standard_error"]
    if "gate_every_row" in report:      # gradient: also a gate no better on every row
        wins = wins or report["gate_every_row"] >= report["rival_every_row"]
    assert moe.rival_selected_ == wins


def test_rival_loss_is_none_where_no_rival_check_ran():
    X, y = _regression()
    moe = _fit_quietly(MixtureOfExpertsRegressor(
        [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        max_epochs=5, random_state=0), X, y)
    assert moe.rival_selected_ is None and moe.rival_loss_ is None
