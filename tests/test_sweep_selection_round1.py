"""select_n_experts and the information criteria, recomputed by hand.

Found: a candidate n_experts of 0 or less was fitted after the candidates
before it and refused by the mixture's "must be an int in the range [2, inf)",
which hides that 1 (one expert alone) is a candidate of select_n_experts; it
is now refused before any fit, by name.

Guards (these passed before): the BIC and AIC scores of a regressor's and a
classifier's candidates equal ``-2 sum log p + k log n`` and ``... + 2 k``
from ``log_likelihood_samples`` and ``n_free_parameters`` of each candidate
fitted on all rows, the chosen number is their minimum; the 'cv' scores
equal the mean over the given folds of each fold's mean held-out
log-likelihood; ``log_likelihood_scorer(sample_weight=...)`` is the weighted
mean of the per-row log-likelihoods.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold

from skmoe import (MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, MLPGate,
                   log_likelihood_scorer, select_n_experts)
from skmoe._selection import _candidate, log_likelihood_samples, n_free_parameters
from skmoe.datasets import make_piecewise_linear

LINEAR_GATE = MLPGate(hidden_layer_sizes=())


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def em_regressor(max_iter=10, expert=None):
    return MixtureOfExpertsRegressor(expert or LinearRegression(), n_experts=2,
                                     training="em", cv=None, gate=LINEAR_GATE,
                                     max_iter=max_iter, random_state=0)


class CountedFits(LinearRegression):
    """A line that counts its fits (on the class: the template is cloned)."""

    n_fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).n_fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("candidates", [(0, 2), (2, 0), (2, -1)])
@pytest.mark.parametrize("criterion", ["bic", "cv"])
def test_candidates_below_one_expert_are_refused_by_name_before_any_fit(candidates,
                                                                        criterion):
    X, y = make_piecewise_linear(n_samples=40, n_regimes=2, random_state=0)
    bad = min(candidates)
    CountedFits.n_fits = 0
    with pytest.raises(ValueError, match=rf"n_experts must be 1 or more .*got {bad}") as info:
        select_n_experts(em_regressor(expert=CountedFits()), X, y, candidates=candidates,
                         criterion=criterion, cv=3 if criterion == "cv" else 5)
    # Not the mixture's own bound, which 1, a candidate here, breaks; and
    # before the candidate 2 is fitted.
    assert "[2, inf)" not in str(info.value)
    assert CountedFits.n_fits == 0


def _by_hand_criteria(template, X, y, candidates):
    bic, aic = {}, {}
    for k in candidates:
        model = _candidate(template, "n_experts", k).fit(X, y)
        total = float(np.sum(log_likelihood_samples(model, X, y)))
        n_params = n_free_parameters(model)
        bic[k] = -2 * total + n_params * np.log(len(y))
        aic[k] = -2 * total + 2 * n_params
    return bic, aic


def test_guard_bic_and_aic_of_a_regressor_and_a_classifier_by_hand():
    X, y = make_piecewise_linear(n_samples=80, n_regimes=2, random_state=0)
    Xi, yi = load_iris(return_X_y=True)
    classifier = MixtureOfExpertsClassifier(LogisticRegression(max_iter=200), n_experts=2,
                                            training="em", cv=None, gate=LINEAR_GATE,
                                            max_iter=5, random_state=0)
    for template, data, n_params_of_two in ((em_regressor(), (X, y), 4 + 1 * 2 + 2),
                                            (classifier, (Xi, yi), 2 * 10 + 5)):
        bic, aic = _by_hand_criteria(template, *data, (1, 2))
        # Two lines, a linear 1 -> 2 gate less a row, two noise scales; two
        # multinomial logistic models of 4 features (15 less a row of 5
        # each), a 4 -> 2 gate less a row.
        assert n_free_parameters(_candidate(template, "n_experts", 2).fit(*data)) \
            == n_params_of_two
        for criterion, by_hand in (("bic", bic), ("aic", aic)):
            best, scores = select_n_experts(template, *data, candidates=(1, 2),
                                            criterion=criterion)
            assert_allclose([scores[1], scores[2]], [by_hand[1], by_hand[2]], rtol=1e-10)
            assert best == min(by_hand, key=by_hand.get)


def test_guard_cv_scores_are_the_mean_over_the_given_folds():
    X, y = make_piecewise_linear(n_samples=60, n_regimes=2, random_state=1)
    template = em_regressor()
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    best, scores = select_n_experts(template, X, y, candidates=(1, 2), criterion="cv",
                                    cv=folds)
    by_hand = {k: np.mean([np.mean(log_likelihood_samples(
        _candidate(template, "n_experts", k).fit(X[train], y[train]), X[test], y[test]))
        for train, test in folds]) for k in (1, 2)}
    assert_allclose([scores[1], scores[2]], [by_hand[1], by_hand[2]], rtol=1e-10)
    assert best == max(by_hand, key=by_hand.get) == 2


def test_guard_weighted_scorer_is_the_weighted_mean():
    X, y = make_piecewise_linear(n_samples=60, n_regimes=2, random_state=2)
    weights = np.random.default_rng(0).uniform(0.1, 3.0, len(y))
    model = em_regressor(max_iter=5).fit(X, y, sample_weight=weights)
    per_row = log_likelihood_samples(model, X, y)
    assert_allclose(log_likelihood_scorer(model, X, y, sample_weight=weights),
                    np.sum(weights * per_row) / np.sum(weights), rtol=1e-12)
    assert_allclose(log_likelihood_scorer(model, X, y), np.mean(per_row), rtol=1e-12)
