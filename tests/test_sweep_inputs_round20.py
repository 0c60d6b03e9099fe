"""Bad-input sweep, round 20: the multi-task mixtures given to the selection
tools (bic, aic, select_n_experts)."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts, aic, bic,
                   select_n_experts)


def _regression(n=30):
    X = np.random.RandomState(0).normal(size=(n, 2))
    return X, X[:, 0] + 0.5 * X[:, 1]


def test_bic_and_aic_name_a_multi_task_mixture():
    # Its gates_ (one network per task) were read as a hierarchical mixture's
    # levels: "'BatchedMLP' object is not iterable".
    X, y = _regression()
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("line", LinearRegression())], cv=None,
        random_state=0).fit(X, y)
    for criterion in (bic, aic):
        with pytest.raises(TypeError, match=r"HeterogeneousMultiGateMixtureOfExperts is a "
                                            r"multi-task model: it does not define a "
                                            r"likelihood"):
            criterion(model, X, y)


@pytest.mark.parametrize("candidates", [(1, 2), (2, 3)])
@pytest.mark.parametrize("criterion", ["bic", "cv"])
def test_select_n_experts_refuses_a_multi_task_mixture_before_fitting(candidates, criterion):
    # MultiGateMixtureOfExperts has n_experts but no experts: n_experts=1
    # failed with "AttributeError: 'MultiGateMixtureOfExperts' object has no
    # attribute 'experts'", other candidates only after every fit.
    X, y = _regression()
    model = MultiGateMixtureOfExperts(max_iter=1, random_state=0)
    with pytest.raises(TypeError, match=r"MultiGateMixtureOfExperts does not define a "
                                        r"likelihood \(a multi-task model"):
        select_n_experts(model, X, y, candidates=candidates, criterion=criterion, cv=2)
