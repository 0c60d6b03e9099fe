"""Round 35 of the wrong-number sweep: compare()'s statistics recomputed by hand."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Lasso, LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, RepeatedKFold, ShuffleSplit
from sklearn.tree import DecisionTreeRegressor

from skmoe import ComparisonResult, compare


def _rows(result, n):
    """The table's body rows, by model name (after the header line, column
    names and rule)."""
    return {row.split()[0]: row for row in result.table().splitlines()[3:3 + n]}


def test_scores_without_a_spread_are_shown_to_four_significant_digits():
    # Fix in _compare._mean_std: without a spread (one split) the mean was
    # rounded as if its std were of its own size, to two significant digits:
    # on diabetes, one split's RMSE of 56.39 (OLS) and 55.97 (ridge) both
    # read "56", one marked best, and R^2 of 0.3594 and 0.3550 both "0.36".
    X, y = load_diabetes(return_X_y=True)
    models = {"ols": LinearRegression(), "ridge": Ridge(0.1), "lasso": Lasso(0.1)}
    result = compare(models, X, y, cv=ShuffleSplit(1, test_size=0.25, random_state=0))
    rows = _rows(result, 3)
    for name in models:
        r2 = result.scores[name]["r2"][0]
        rmse = -result.scores[name]["neg_root_mean_squared_error"][0]
        cells = [c for c in rows[name].split() if c != "*"]
        assert cells[1:3] == [f"{r2:.4f}", f"{rmse:.2f}"]
    assert rows["ridge"].split()[1:5] == ["0.3690", "*", "55.97", "*"]
    assert rows["ols"].split()[1:3] == ["0.3594", "56.39"]
    # The same scores on every split: the mean to four digits, the std nil.
    same = {"neg_root_mean_squared_error": np.full(3, -24.63)}
    times = {"a": np.full(3, 0.01)}
    table = ComparisonResult(["a"], list(same), {"a": same}, times, times,
                             [20] * 3, [10] * 3).table()
    assert "24.63 ± 0.00 *" in table
    # And in scientific notation, for scores of 1e10 and more (4.1e+12 before).
    huge = {"neg_mean_squared_error": np.full(3, -4.123456e12)}
    table = ComparisonResult(["a"], list(huge), {"a": huge}, times, times,
                             [20] * 3, [10] * 3).table()
    assert "4.123e+12 ± 0.0e+00 *" in table
    # A spread still sets the digits (the std's second significant one).
    spread = {"neg_root_mean_squared_error": -np.array([24.0, 25.0, 26.0])}
    table = ComparisonResult(["a"], list(spread), {"a": spread}, times, times,
                             [20] * 3, [10] * 3).table()
    assert "25.00 ± 0.82 *" in table


def _data(n=53):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=n)


def _by_hand(X, y, splits, models, w=None):
    """Each model's R^2 on each split, refitted here (weighted where w is given)."""
    out = {}
    for name, model in models.items():
        out[name] = np.array([
            r2_score(y[te], clone(model).fit(
                X[tr], y[tr], **({} if w is None else {"sample_weight": w[tr]})).predict(X[te]),
                sample_weight=None if w is None else w[te]) for tr, te in splits])
    return out


def _corrected_t(d, n_train, n_test):
    J = len(d)
    ratio = np.mean(np.asarray(n_test) / np.asarray(n_train))
    t = d.mean() / np.sqrt((1 / J + ratio) * d.var(ddof=1))
    return t, 2 * stats.t.sf(abs(t), J - 1)


@pytest.mark.parametrize("weighted", [False, True])
def test_guard_repeated_cv_of_unequal_folds_and_weights_by_hand(weighted):
    # 53 rows in 5 folds x 3 repeats: folds of 10 and 11 test rows. The test is
    # Nadeau & Bengio's, df = 15 - 1, the ratio the mean of each split's
    # n_test / n_train; the table's std is numpy's (ddof=0), as documented by
    # summary(); weighted scores as refitted with the weights.
    X, y = _data()
    w = np.random.default_rng(1).uniform(0.2, 3, size=len(y)) if weighted else None
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=3, random_state=0)}
    cv = RepeatedKFold(n_splits=5, n_repeats=3, random_state=1)
    result = compare(models, X, y, cv=cv, pair=("ridge", "tree"), sample_weight=w)
    splits = list(cv.split(X))
    hand = _by_hand(X, y, splits, models, w)
    for name in models:
        assert_allclose(result.scores[name]["r2"], hand[name], rtol=1e-12)
    assert sorted(set(result.n_test)) == [10, 11]
    test = result.paired_test()
    t, p = _corrected_t(hand["ridge"] - hand["tree"], result.n_train, result.n_test)
    assert test.df == 14 and test.weighted == weighted
    assert_allclose([test.t_statistic, test.p_value], [t, p], rtol=1e-10)
    row = result.summary()[0]
    assert_allclose([row["r2_mean"], row["r2_std"]], [hand["ridge"].mean(), hand["ridge"].std()])


def test_guard_greedy_twin_row_is_the_greedy_ensemble_seeded_by_compare():
    from skmoe import EnsembleRegressor

    X, y = _data(60)
    ens = EnsembleRegressor([("ridge", Ridge()),
                             ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))])
    result = compare({"ens": ens}, X, y, cv=3, greedy_ensemble=True, random_state=0)
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    twin = clone(ens).set_params(weights="greedy", random_state=0)
    hand = _by_hand(X, y, splits, {"twin": twin, "ens": ens})
    assert_allclose(result.scores["ens (greedy)"]["r2"], hand["twin"], rtol=1e-12)
    assert_allclose(result.scores["ens"]["r2"], hand["ens"], rtol=1e-12)
