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
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC, LinearSVC

from skmoe import EnsembleClassifier, MixtureOfExpertsRegressor, compare, select_n_experts


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
