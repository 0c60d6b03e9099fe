"""Leftovers, round 21: a fitted (frozen) expert in the heterogeneous
multi-task mixture, its MultiOutputRegressor hint where the wrapper would not
help, the positive class of threshold classifiers and of a search's scoring
inside a classifier mixture, and compare's table below 1e-3.

Each test failed before the change it names, but those marked a guard."""

import warnings

import numpy as np
import pytest

from sklearn.frozen import FrozenEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import Ridge
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

from skmoe import ComparisonResult, CrossFitAverage, HeterogeneousMultiGateMixtureOfExperts


# --------- 5. compare's table below 1e-3: two significant digits, zeros kept
def test_table_below_a_thousandth_keeps_the_trailing_zeros_of_its_digits():
    # Fix in _compare._mean_std: 0.000500 ± 0.000010 read "0.0005 ± 1e-05",
    # one significant digit each, where the docstring promises the std's two
    # (and the mean to as many places, at least three digits).
    rmse = {"a": np.array([0.00049, 0.00051]), "b": np.array([0.0009, 0.0011])}
    scores = {n: {"neg_root_mean_squared_error": -v} for n, v in rmse.items()}
    times = {n: np.full(2, 0.01) for n in rmse}
    result = ComparisonResult(list(rmse), ["neg_root_mean_squared_error"], scores, times,
                              times, [20, 20], [10, 10])
    rows = {row.split()[0]: row for row in result.table().splitlines()[3:5]}
    assert "0.000500 ± 1.0e-05 *" in rows["a"]
    assert "0.00100 ± 0.00010  " in rows["b"]


# --------- 1. a fitted (frozen) expert in the heterogeneous multi-task mixture
def _regression(n=120):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, 100 + 20 * X[:, 0] + rng.normal(size=n)


@pytest.mark.parametrize("wrap", [lambda fitted: FrozenEstimator(fitted),
                                  lambda fitted: make_pipeline(FrozenEstimator(fitted)),
                                  lambda fitted: CrossFitAverage([fitted])])
def test_hetero_mixture_refuses_an_expert_fitted_already(wrap):
    # Fix in _mmoe_hetero._check_refitted: a Ridge frozen after fitting on y
    # (mean 100) was read as a prediction of the standardised target; the
    # gates gave that near-perfect expert weight 2e-8, silently.
    X, y = _regression()
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("fitted", wrap(Ridge().fit(X, y))), ("tree", DecisionTreeRegressor(max_depth=2))],
        cv=2, alpha=1.0, random_state=0)
    with pytest.raises(ValueError, match=r"Expert 'fitted' \(\w+\) is fitted already and is "
                                         r"not refitted.*Give the expert unfitted"):
        model.fit(X, y)
    # The same expert unfitted is fitted on the encoded target, and used.
    model.set_params(experts=[("fitted", Ridge()),
                              ("tree", DecisionTreeRegressor(max_depth=2))]).fit(X, y)
    assert np.sqrt(np.mean((model.predict(X) - y) ** 2)) < 1.5


# --------- 2. the MultiOutputRegressor hint only where the wrapper would help
def test_hetero_mixture_hints_the_wrapper_only_where_one_column_fits():
    # Fix in _mmoe_hetero._with_multi_output_hint: an IsotonicRegression
    # given X of 3 features fails on one column too, and was told to wrap
    # itself in MultiOutputRegressor, which fails the same.
    X, y = _regression(60)
    Y = np.column_stack([y, X[:, 1]])
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("iso", IsotonicRegression()), ("ridge", Ridge())], cv=2, alpha=1.0, random_state=0)
    with pytest.raises(ValueError, match=r"Expert 'iso'.*1 feature") as info:
        model.fit(X, Y)
    assert "MultiOutputRegressor" not in str(info.value)
    # With X of one feature its failure is the two columns: the hint stays.
    with pytest.raises(ValueError, match=r"Expert 'iso'.*2 columns.*so wrap it in "
                                         r"sklearn\.multioutput\.MultiOutputRegressor"):
        model.fit(X[:, :1], Y)
    # (Clipped: by default it predicts NaN beyond its training range.)
    model.set_params(experts=[("iso", MultiOutputRegressor(IsotonicRegression(
                                  out_of_bounds="clip"))),
                              ("ridge", Ridge())]).fit(X[:, :1], Y)
