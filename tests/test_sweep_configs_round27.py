"""Configuration sweep, round 27: combinations of parameters of the mixtures
(``training`` x ``top_k`` x gate x ``loss`` x ``refit_experts`` x ``cv``).

Found: ``HierarchicalMixtureRegressor``/``HierarchicalMixtureClassifier``
fitted experts named ``''``, ``'  '`` or ``'a\\nb'``, which the flat mixtures,
the ensembles, the heterogeneous multi-task mixture and ``compare()`` refuse
(round 35 of the input sweep): its ``get_params`` had the keys ``''`` and
``'__alpha'``, and its errors named "Expert ''". Refused now, in the same
words.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import HierarchicalMixtureClassifier, HierarchicalMixtureRegressor


@pytest.mark.parametrize("name", ["", "  ", "a\nb"], ids=["empty", "blank", "newline"])
@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_hme_refuses_a_blank_or_unprintable_expert_name(name, classifier):
    X = np.random.default_rng(0).normal(size=(40, 2))
    if classifier:
        model = HierarchicalMixtureClassifier(
            [(name, LogisticRegression()), ("b", LogisticRegression(C=0.1))], branching=2,
            max_iter=2, random_state=0)
        y = (X[:, 0] > 0).astype(int)
    else:
        model = HierarchicalMixtureRegressor([(name, Ridge()), ("b", Ridge(alpha=10.0))],
                                             branching=2, max_iter=2, random_state=0)
        y = X[:, 0]
    with pytest.raises(ValueError, match=r"Expert names must be printable and not blank .* "
                                         r"got .* for (Ridge|LogisticRegression)"):
        model.fit(X, y)
