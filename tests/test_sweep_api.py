"""Sweep of the estimator API: methods before fit, helpers on every estimator kind.

Each test fails without the fix it names.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MultiGateMixtureOfExperts)


def _regression(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("make", [
    lambda: HierarchicalMixtureRegressor(Ridge(), branching=2),
    lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2),
])
@pytest.mark.parametrize("conditional", [False, True])
def test_hme_predict_path_before_fit_is_not_fitted(make, conditional):
    # predict_path read gates_ before checking the fit: a bare
    # AttributeError ("object has no attribute 'gates_'").
    X, _ = _regression()
    with pytest.raises(NotFittedError):
        make().predict_path(X, conditional=conditional)


@pytest.mark.parametrize("display, args", [
    ("GateDisplay", (True,)), ("GateRegionDisplay", (True,)),
    ("ExpertUsageDisplay", (True,)), ("ConvergenceDisplay", ()),
])
@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2,
                                      random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], max_iter=3,
        cv=2, random_state=0),
])
def test_gate_displays_name_a_multi_task_mixture(make, display, args):
    # The multi-task mixtures have predict_gate, of shape (n, n_tasks,
    # n_experts): the displays failed with a bare AttributeError on
    # expert_names_, an IndexError, "object too deep for desired array" or
    # "empty history_".
    pytest.importorskip("matplotlib")
    from skmoe import plotting
    X, y = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(X, np.column_stack([y, X[:, 1]]))
    with pytest.raises(TypeError, match=f"{type(model).__name__} is a multi-task mixture"
                       ".*predict_gate\\(X\\)\\[:, t, :\\]"):
        getattr(plotting, display).from_estimator(model, *(X for _ in args))
