"""Round-10 numbers sweep: outputs checked against independent computations.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor


def _regression_data(n=150, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=n)
    return X, y, rng


def test_capacity_overflow_to_an_expert_of_underflowing_weight_gets_weight_one():
    # Fix in _routing.route: capacity sent a row to an expert whose softmax
    # weight underflows to 0 (EM's posterior of an expert 34,500 nats worse),
    # and the renormalised weights were 0 / 0 = NaN. Top-1 EM with
    # capacity_factor=1.0 and sample weights then failed: "Expert 't2' cannot
    # be fitted: every row it is to be fitted on has zero weight", with every
    # weight positive.
    from skmoe._routing import route_numpy
    logits = np.array([[0.0, -1000.0], [0.0, -1000.0]])
    # Capacity 1 row per expert: row 1 overflows to expert 1 (weight exp(-1000)).
    assert_array_equal(route_numpy(logits, 1, capacity_factor=1.0), [[1, 0], [0, 1]])
    X, y, rng = _regression_data()
    w = rng.uniform(0.5, 2.0, size=len(y))
    experts = [("line", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("t2", DecisionTreeRegressor(max_depth=2, random_state=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixtureOfExpertsRegressor(experts, training="em", top_k=1,
                                          capacity_factor=1.0, max_iter=3,
                                          random_state=0).fit(X, y, sample_weight=w)
    assert np.all(np.isfinite([h["log_likelihood"] for h in model.history_]))
    assert np.all(np.isfinite(model.predict(X)))


def test_convergence_display_of_a_tree_mixture_draws_its_leaf_shares():
    # Fix in plotting.ConvergenceDisplay: a hierarchical mixture's history_
    # holds each leaf's share as 'leaf_share', which the display did not
    # read: shares was None and only the log-likelihood was drawn.
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skmoe import HierarchicalMixtureRegressor
    from skmoe.plotting import ConvergenceDisplay
    X, y, _ = _regression_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2), max_iter=4,
                                           random_state=0).fit(X, y)
    display = ConvergenceDisplay.from_estimator(hme)
    try:
        assert_array_equal(display.shares, [h["leaf_share"] for h in hme.history_])
        assert display.expert_names == hme.expert_names_
        assert_array_equal(display.objective, [h["log_likelihood"] for h in hme.history_])
        assert len(display.axes_) == 2
    finally:
        plt.close("all")


def test_comparison_table_shows_scores_below_a_thousandth():
    # Fix in _compare._mean_std: the table printed means and stds to at most
    # four decimals, so the RMSE of a target in micro-units (4.8e-07 ± 4.5e-08)
    # read "0.0000 ± 0.0000" for every model.
    from skmoe import ComparisonResult
    rmse = {"lr": np.array([4.0e-7, 5.0e-7, 6.0e-7]), "tree": np.array([0.1, 0.2, 0.3])}
    scores = {name: {"neg_root_mean_squared_error": -values} for name, values in rmse.items()}
    times = {name: np.full(3, 0.01) for name in rmse}
    result = ComparisonResult(list(rmse), ["neg_root_mean_squared_error"], scores, times,
                              times, [20, 20, 20], [10, 10, 10])
    lines = {line.split()[0]: line for line in result.table().splitlines()[3:5]}
    mean, std = np.mean(rmse["lr"]), np.std(rmse["lr"])
    assert f"{mean:.3g} ± {std:.2g} *" in lines["lr"]          # 5e-07 ± 8.2e-08 *
    assert "0.200 ± 0.082" in lines["tree"]                     # unchanged above 1e-3
