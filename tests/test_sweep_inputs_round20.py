"""Bad-input sweep, round 20: the multi-task mixtures given to the selection
tools (bic, aic, select_n_experts); R^2 of y far from unit scale."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts, aic, bic,
                   select_n_experts)
from skmoe.experts import TorchMLPRegressor


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


@pytest.mark.parametrize("scale", [1e-200, 1e200])
@pytest.mark.parametrize("make", [
    lambda: TorchMLPRegressor(max_epochs=3, random_state=0),
    lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=3, random_state=0),
])
def test_score_is_r2_whatever_the_scale_of_y(make, scale):
    # R^2 does not depend on y's scale, but its squared deviations underflowed
    # (y of order 1e-200: every one 0, and the model scored 1.0) or overflowed
    # (y of order 1e200: NaN). The predictions themselves scale with y.
    X, y = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make().fit(X, y * scale)
    pred = np.asarray(model.predict(X)).ravel() / scale
    expected = r2_score(y, pred)
    assert np.isfinite(expected) and expected < 0.99
    np.testing.assert_allclose(model.score(X, y * scale), expected, rtol=1e-12)
    # At y's own scale, exactly scikit-learn's number (a power of two divides it).
    assert model.score(X, y) == r2_score(y, model.predict(X))


@pytest.mark.parametrize("make", [
    lambda w: MultiGateMixtureOfExperts(task_weights=w, n_experts=2, max_iter=30,
                                        random_state=0),
    lambda w: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
        task_weights=w, random_state=0),
])
def test_only_the_ratios_of_task_weights_matter(make):
    # Equal task weights of 1e-8 scaled the loss under the stopping rules'
    # tolerances: MMoE stopped after 11 epochs (R^2 -0.09 against 0.97 on 200
    # rows), the heterogeneous gates after 2 L-BFGS iterations.
    X, y = _regression(60)
    Y = np.column_stack([y, np.sin(X[:, 1])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        default = make(None).fit(X, Y)
        tiny = make([1e-8, 1e-8]).fit(X, Y)
        ratio = make([2e-8, 1e-8]).fit(X, Y)
        same_ratio = make([2.0, 1.0]).fit(X, Y)
    assert tiny.n_iter_ == default.n_iter_
    np.testing.assert_array_equal(tiny.predict(X), default.predict(X))
    np.testing.assert_allclose(ratio.predict(X), same_ratio.predict(X), rtol=1e-6, atol=1e-6)
    # task_weights_ stays as given.
    np.testing.assert_array_equal(tiny.task_weights_, [1e-8, 1e-8])
