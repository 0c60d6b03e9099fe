"""Defects found by the configuration sweep, round 13
(benchmarks/bench_sweep_configs_unseen_round13.py)."""
import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge

from skmoe import ExpertCollapseWarning, MixtureOfExpertsRegressor


def test_em_restarts_never_keep_a_worse_run_than_one():
    # Every EM restart drew from a generator of its own, none of them the one
    # n_init=1 runs on: exact EM over three Ridge copies on diabetes kept a
    # log-likelihood of -4.7024 with n_init=3 against -4.7002 with n_init=1
    # (random_state=0). The first restart is now the run of n_init=1.
    X, y = load_diabetes(return_X_y=True)
    params = dict(n_experts=3, cv=None, max_iter=20, random_state=0)
    one = MixtureOfExpertsRegressor(Ridge(), **params).fit(X, y)
    three = MixtureOfExpertsRegressor(Ridge(), n_init=3, **params).fit(X, y)
    assert three.training_ == "em"
    assert three.log_likelihood_ >= one.log_likelihood_


def test_a_drop_that_would_leave_too_few_experts_says_why_it_only_warns():
    # EM with collapse_threshold=0.2, collapse_action='drop' on carData::Chile
    # (three experts, two of them collapsed) warned "action: warn" to a user
    # who had asked for 'drop', without a word of why: dropping both would
    # leave one expert, below the two the pool keeps.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = X @ [1.0, -2.0] + rng.normal(scale=0.1, size=120)
    far = [(name, DummyRegressor(strategy="constant", constant=1e4)) for name in ("a", "b")]
    model = MixtureOfExpertsRegressor(
        [("line", LinearRegression()), *far], training="em", cv=None, max_iter=3,
        collapse_threshold=0.2, collapse_patience=1, collapse_action="drop", random_state=0)
    with pytest.warns(ExpertCollapseWarning, match=(
            r"\['a', 'b'\] .* action: warn \(collapse_action='drop' would leave 1 of the 3 "
            r"experts; the pool never shrinks below 2\)\.$")):
        model.fit(X, y)
    assert model.expert_names_ == ["line", "a", "b"]
