"""Bad-input sweep, round 20: the multi-task mixtures given to the selection
tools (bic, aic, select_n_experts)."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge

from skmoe import HeterogeneousMultiGateMixtureOfExperts, aic, bic


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
