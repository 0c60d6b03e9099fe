"""Wrong-number sweep, round 43: what :func:`skmoe.compare` returns and what
``python -m skmoe compare`` prints, recomputed by hand (numpy, scipy,
scikit-learn).

Recomputed: each model's per-split scores, refitted by hand on the same folds
(shuffled ``KFold`` / ``StratifiedKFold`` seeded by ``random_state``, a
``RepeatedKFold``, the command line's ``RepeatedKFold`` /
``RepeatedStratifiedKFold`` seeded by ``--seed``, ``KFold`` for ``--repeats 1``,
and its ``StratifiedGroupKFold`` seeded ``seed + r`` per repeat with
``--groups``); R^2, RMSE, accuracy, log-loss and the Brier score weighted by
the test rows' ``sample_weight`` (fits weighted by the training rows'); the
log-loss and Brier score of a fold without a class, over every class of y
(text labels too); the table's mean and std (numpy's, ddof=0, as
``summary()`` and the plot) and the paired test's std (ddof=1); the
Nadeau--Bengio corrected t (variance x (1/J + mean n_test/n_train)), df = J -
1 and its two-sided p-value; the "better" wording against p and each
metric's direction; and the printed figures.

Found (each fixed, with its test below):

* the paired test called a difference of rounding significant: two models
  whose scores differ by their rounding alone (``Ridge(solver='cholesky')``
  and ``Ridge(solver='lsqr', tol=1e-12)``, R^2 apart by 2e-17 on every
  split), which the table ties (both marked best), got t = inf, p = 0,
  "significant at 0.05: a is better";
* a mean that rounds to zero printed as a negative zero: a mean R^2 of
  -4e-5 spread by 0.01 read "-0.000 ± 0.010" beside another model's
  "0.000", and a t statistic of -0.0004 read "t(1) = -0.00";
* a fit or predict time below the column's rounding printed as none: a
  DummyRegressor's fit of 0.0003 s per split read "0.000" (its predict
  "0.0000"), as scores below 1e-3 did before round 10.

The ``test_guard_*`` tests pin recomputations found right.
"""

import numpy as np
from sklearn.linear_model import Ridge

from skmoe import ComparisonResult, compare


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.5 * rng.normal(size=n), rng.uniform(0.5, 2.0, size=n)


def test_scores_apart_by_their_rounding_alone_are_no_significant_difference():
    # Fix in ComparisonResult.paired_test: the std of differences at the
    # rounding of the scores is taken as 0 (round 38), and so a mean
    # difference of 2e-17 over it was t = inf, p = 0, "a is better", while
    # the table marked both models best.
    X, y, _ = _regression()
    result = compare({"a": Ridge(solver="cholesky"), "b": Ridge(solver="lsqr", tol=1e-12)},
                     X, y, cv=5, pair=("a", "b"))
    assert np.allclose(result.scores["a"]["r2"], result.scores["b"]["r2"], rtol=1e-13)
    for metric in result.metrics:
        test = result.paired_test(metric=metric)
        assert (test.mean_difference, test.t_statistic, test.p_value) == (0.0, 0.0, 1.0)
    table = result.table()
    assert "significant at 0.05: a is better" not in table
    assert table.count("no real difference shown") == 2
    # The same, IEEE-exact whatever the solvers: 0.1 + 0.2 and 0.5 + 0.1
    # beside 0.3 and 0.6 (t = inf, p = 0 before).
    scores = {"a": {"r2": np.array([0.1 + 0.2, 0.7, 0.5 + 0.1, 0.4])},
              "b": {"r2": np.array([0.3, 0.7, 0.6, 0.4])}}
    times = {n: np.full(4, 0.01) for n in scores}
    result = ComparisonResult(["a", "b"], ["r2"], scores, times, times, [20] * 4, [5] * 4,
                              pair=("a", "b"))
    test = result.paired_test()
    assert (test.mean_difference, test.t_statistic, test.p_value) == (0.0, 0.0, 1.0)
    rows = result.table().splitlines()[3:5]
    assert all("0.50 ± 0.16 *" in row for row in rows)   # both marked best
    assert "no real difference shown" in result.table()
    # Constant differences of 0.3 up to their rounding stay significant.
    scores = {"a": {"r2": np.array([0.1 + 0.2, 0.7, 0.4])},
              "b": {"r2": np.array([0.0, 0.4, 0.1])}}
    times = {n: np.full(3, 0.01) for n in scores}
    test = ComparisonResult(["a", "b"], ["r2"], scores, times, times, [20] * 3,
                            [10] * 3).paired_test("a", "b")
    assert test.t_statistic == np.inf and test.p_value == 0.0


def test_a_mean_that_rounds_to_zero_prints_no_negative_zero():
    # Fix in _compare._mean_std and _describe_test (_unsigned_zero): the
    # rounding of a small negative mean (or t) kept its sign, "-0.000".
    scores = {"a": np.array([0.5, 0.3999]), "b": np.array([0.4, 0.5]),
              "c": np.array([0.00996, -0.01004]), "d": np.array([0.01004, -0.00996])}
    times = {n: np.full(2, 0.01) for n in scores}
    result = ComparisonResult(list(scores), ["r2"], {n: {"r2": v} for n, v in scores.items()},
                              times, times, [20, 20], [20, 20], pair=("a", "b"))
    rows = {row.split()[0]: row for row in result.table().splitlines()[3:7]}
    assert np.mean(scores["c"]) < 0 < np.mean(scores["d"])
    assert "  0.000 ± 0.010  " in rows["c"] and "  0.000 ± 0.010  " in rows["d"]
    test = result.paired_test()
    assert -0.005 < test.t_statistic < 0
    assert (f"a vs b on r2: difference {test.mean_difference:+.4g}, corrected resampled "
            "t(1) = 0.00, p = 1 (not significant") in result.table()
    assert "-0.0" not in result.table()


def test_times_below_the_columns_rounding_are_not_shown_as_none():
    # Fix in ComparisonResult.table (_compare._seconds): the fit column has
    # three decimals and the predict column four, so a fit of 0.0004 s read
    # "0.000" and a predict of 4.2e-5 s "0.0000".
    scores = {"fast": {"r2": np.array([0.5, 0.6])}, "slow": {"r2": np.array([0.6, 0.7])}}
    fit = {"fast": np.array([0.0003, 0.0005]), "slow": np.array([0.0104, 0.0096])}
    predict = {"fast": np.array([4.0e-5, 4.4e-5]), "slow": np.array([0.0123, 0.0123])}
    result = ComparisonResult(["fast", "slow"], ["r2"], scores, fit, predict, [20, 20],
                              [10, 10])
    rows = {row.split()[0]: row.split() for row in result.table().splitlines()[3:5]}
    assert rows["fast"][-2:] == ["0.0004", "4.2e-05"]
    assert rows["slow"][-2:] == ["0.010", "0.0123"]      # (unchanged above the rounding)
