"""Round 6 of the compare / ensembles / selection sweep.

Probed: compare's paired test, summary and table against numpy and scipy by
hand (custom scorers of greater_is_better=False, sample_weight, string labels,
NaN scores, ties), the greedy ensembles against a by-hand Caruana selection
with replacement, and select_n_experts.
"""

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor

from skmoe import MixtureOfExpertsRegressor, select_n_experts


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
