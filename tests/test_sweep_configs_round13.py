"""Defects found by the configuration sweep, round 13
(benchmarks/bench_sweep_configs_unseen_round13.py)."""
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

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


def _three_experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
            ("knn", KNeighborsRegressor(15))]


def test_top_k_of_every_expert_under_the_gradient_trainer_warns():
    # top_k=3 of 3 experts routes every row to every expert, the dense mixture,
    # but it took the joint trainer in place of the stacked gate of top_k=None
    # without a word: 5-fold RMSE on diabetes 0.55 (SE 0.29) above top_k=None's.
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:120], y[:120]
    with pytest.warns(UserWarning, match=r"^top_k=3 routes every row to all 3 experts: "
                      r"the dense mixture, .* set top_k below 3\.$"):
        MixtureOfExpertsRegressor(_three_experts(), top_k=3, max_epochs=5,
                                  random_state=0).fit(X, y)


@pytest.mark.parametrize("options", [dict(top_k=2), dict(top_k=3, noisy_gating=True),
                                     dict(top_k=3, training="em", max_iter=2)])
def test_top_k_below_every_expert_or_with_routing_options_does_not_warn(options):
    # (EM treats top_k of every expert as the dense mixture already; noisy
    # gating changes the training of a top-3 gate.)
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:120], y[:120]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MixtureOfExpertsRegressor(_three_experts(), max_epochs=5, random_state=0,
                                  **options).fit(X, y)
    assert not [w for w in caught if "routes every row" in str(w.message)]
