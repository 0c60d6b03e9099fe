"""Defects found by the configuration sweep, round 13
(benchmarks/bench_sweep_configs_unseen_round13.py)."""
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from skmoe import MixtureOfExpertsRegressor


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
