"""Regression edge-case sweep: interpolating, constant, duplicated and
meta-estimator experts, weights with many zeros, tiny data.

Each test here failed before the fix it names.
"""

import warnings

import numpy as np
from numpy.testing import assert_allclose
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import VotingRegressor
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor, select_n_experts
from skmoe._base import fit_expert


def _data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    return X, np.exp(X[:, 0]) + 0.1 * rng.normal(size=n), rng


def _log_target():
    return TransformedTargetRegressor(regressor=Ridge(), func=np.log1p,
                                      inverse_func=np.expm1)


def test_transformed_target_expert_takes_sample_weight_as_voting_does():
    # Fix in _base.py (_supports_sample_weight): TransformedTargetRegressor's
    # fit(X, y, **fit_params) hands sample_weight to its regressor, but its
    # signature shows no sample_weight: the ensemble refused it ("does not
    # accept sample_weight"), where VotingRegressor fits it.
    X, y, rng = _data()
    weight = rng.uniform(size=len(y))
    weight[:15] = 0.0
    experts = [("ttr", _log_target()), ("ridge", Ridge())]
    ours = EnsembleRegressor(experts).fit(X, y, sample_weight=weight)
    voting = VotingRegressor(experts).fit(X, y, sample_weight=weight)
    assert_allclose(ours.predict(X), voting.predict(X))


def test_transformed_target_expert_is_weighted_not_resampled():
    # Same fix: the mixtures fitted it on a weighted resample of the rows
    # (the fallback for experts that cannot take weights) instead of with
    # the weights.
    X, y, rng = _data()
    weight = rng.uniform(size=len(y))
    weight[:15] = 0.0
    fitted = fit_expert("ttr", _log_target(), X, y, weight, seed=0)
    scaled = weight * len(weight) / weight.sum()   # (fit_expert's rescaling to mean one)
    keep = scaled > 0
    expected = _log_target().fit(X[keep], y[keep], sample_weight=scaled[keep])
    assert_allclose(fitted.predict(X), expected.predict(X), rtol=1e-6)


def test_single_expert_candidate_measures_an_interpolating_expert_out_of_fold():
    # Fix in _selection.py (_candidate, _SingleExpert): k = 1's noise scale
    # came from in-sample residuals, zero for an unpruned tree, so its
    # held-out log-likelihood was about -7.6e4 per row (the floor) while the
    # cross-fitting mixtures measure theirs out of fold: k = 1 always lost.
    X, _, rng = _data()
    y = X[:, 0] + 0.1 * rng.normal(size=len(X))
    template = MixtureOfExpertsRegressor(DecisionTreeRegressor(random_state=0),
                                         n_experts=2, training="em", max_iter=2,
                                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, scores = select_n_experts(template, X, y, candidates=(1,), criterion="cv", cv=3)
    assert -3.0 < scores[1] < 0.5
