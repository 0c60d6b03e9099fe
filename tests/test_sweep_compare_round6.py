"""Round 6 of the compare / ensembles / selection sweep.

Probed: compare's paired test, summary and table against numpy and scipy by
hand (custom scorers of greater_is_better=False, sample_weight, string labels,
NaN scores, ties), the greedy ensembles against a by-hand Caruana selection
with replacement, and select_n_experts.
"""

import re

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsRegressor, aic, bic,
                   compare, select_n_experts)


def regression_data(n=40, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    return X, np.sin(2 * X[:, 0]) + 0.3 * X[:, 1] + 0.2 * rng.normal(size=n), rng


def test_the_one_expert_candidate_is_seeded_by_the_templates_random_state():
    # The k = 1 candidate fitted its expert unseeded, where the mixtures seed
    # every copy from their random_state: a forest scored k = 1 -0.74, -0.55
    # and -0.59 on three identical calls of a template of random_state=0.
    X, y, _ = regression_data(n=60, seed=0)
    moe = MixtureOfExpertsRegressor(ExtraTreesRegressor(n_estimators=3, max_depth=3),
                                    n_experts=2, training="em", max_iter=2, random_state=0)
    scores = [select_n_experts(moe, X, y, candidates=(1,), criterion="cv", cv=3)[1][1]
              for _ in range(3)]
    assert scores[0] == scores[1] == scores[2]


def test_the_greedy_twin_of_a_hard_voting_ensemble_without_probabilities_is_refused():
    # Hard voting needs no predict_proba, the greedy copy compare adds does:
    # it failed after the other models' fits, "Model 'e (greedy)' failed to
    # fit ...: EnsembleClassifier needs every expert's class probabilities",
    # naming neither greedy_ensemble nor weights='greedy'.
    X, _, _ = regression_data()
    y = (X[:, 0] > 0).astype(int)

    class NeverFitted(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fitted before the twin was refused")

    ensemble = EnsembleClassifier([("svc", SVC()), ("lin", LinearSVC())], voting="hard")
    with pytest.raises(TypeError, match=re.escape(
            "greedy_ensemble=True adds 'e (greedy)', a copy of 'e' with weights='greedy', "
            "which chooses its weights by the log-loss of the experts' probabilities; its "
            "expert 'svc' (SVC) has no predict_proba")):
        compare({"lr": NeverFitted(), "e": ensemble}, X, y, cv=3, greedy_ensemble=True)
    # Without the twin, the hard-voting ensemble is compared.
    result = compare({"lr": LogisticRegression(), "e": ensemble}, X, y, cv=3)
    assert result.names == ["lr", "e"]


@pytest.mark.parametrize("wrap", [lambda e: e, lambda e: make_pipeline(StandardScaler(), e)])
def test_an_ensemble_with_an_expert_without_sample_weight_is_refused_before_any_fit(wrap):
    # compare(sample_weight=...) refuses before any fit a model that cannot
    # take the weights; an EnsembleRegressor, whose fit has sample_weight,
    # passed, and failed after the other models' fits: "Model 'ens' failed to
    # fit ...: Expert 'knn' (KNeighborsRegressor) does not accept sample_weight".
    X, y, rng = regression_data()
    w = rng.uniform(0.5, 2.0, size=len(y))

    class NeverFitted(Ridge):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fitted before the ensemble was refused")

    ensemble = wrap(EnsembleRegressor([("lin", LinearRegression()),
                                       ("knn", KNeighborsRegressor(3))]))
    with pytest.raises(TypeError, match=re.escape(
            "Model 'ens' cannot take sample_weight: KNeighborsRegressor (inside "
            "EnsembleRegressor, expert 'knn') has no sample_weight in its fit")):
        compare({"r": NeverFitted(), "ens": ensemble}, X, y, cv=3, sample_weight=w)
    # Experts that all take them (one 'drop'ped): compared, weighted.
    ensemble = EnsembleRegressor([("lin", LinearRegression()), ("knn", "drop"),
                                  ("ridge", Ridge())])
    result = compare({"r": Ridge(), "ens": ensemble}, X, y, cv=3, sample_weight=w)
    assert result.weighted and np.all(np.isfinite(result.scores["ens"]["r2"]))


@pytest.mark.parametrize("criterion", [bic, aic])
def test_bic_of_an_ensemble_of_a_tree_says_the_ensemble_has_no_likelihood(criterion):
    # The ensemble's tree was blamed: "expert 'tree' (DecisionTreeRegressor)
    # has no defined number of free parameters; use held-out log-likelihood
    # instead (skmoe.log_likelihood_scorer ...)", which fails on an ensemble
    # too; the docstring promises a TypeError for an ensemble.
    X, y, _ = regression_data()
    ensemble = EnsembleRegressor([("lin", LinearRegression()),
                                  ("tree", DecisionTreeRegressor(max_depth=2))]).fit(X, y)
    with pytest.raises(TypeError, match=re.escape(
            "EnsembleRegressor does not define a likelihood of y given X (an ensemble "
            "averages its experts' predictions), which bic and aic need")):
        criterion(ensemble, X, y)
