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
  "0.0000"), as scores below 1e-3 did before round 10;
* classifiers of a y of several columns, one of more than two classes, were
  documented as scored by accuracy (all of a row's labels right) by default,
  but scikit-learn's accuracy refuses such a y: compare failed after the
  first fit ("multiclass-multioutput is not supported").

The ``test_guard_*`` tests pin recomputations found right.
"""

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import brier_score_loss, log_loss, mean_squared_error, r2_score
from sklearn.model_selection import (KFold, RepeatedKFold, RepeatedStratifiedKFold,
                                     StratifiedKFold)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skmoe._compare
from skmoe import ComparisonResult, compare
from skmoe._cli import main


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


def test_classifiers_of_several_columns_of_many_classes_are_scored_by_row_accuracy():
    # Fix in compare (_RowAccuracy): the default accuracy of a 2-D y failed
    # after the first fit where a column held three classes; now the
    # (weighted) share of rows whose labels are all right, as by hand, and
    # as scikit-learn's accuracy of columns of two classes.
    from sklearn.ensemble import RandomForestClassifier
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    w = rng.uniform(0.5, 2.0, size=60)
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    models = {"tree": DecisionTreeClassifier(max_depth=3, random_state=0),
              "forest": RandomForestClassifier(5, max_depth=3, random_state=0)}
    three = np.c_[np.digitize(X[:, 0], [-0.5, 0.5]), X[:, 1] > 0].astype(int)
    two = np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)
    for Y in (three, two):
        for weight in (None, w):
            result = compare(models, X, Y, cv=splits, sample_weight=weight)
            assert result.metrics == ["accuracy"]
            for name, model in models.items():
                by_hand = []
                for train, test in splits:
                    fit_weight = None if weight is None else weight[train]
                    pred = model.fit(X[train], Y[train], sample_weight=fit_weight).predict(
                        X[test])
                    by_hand.append(np.average(np.all(pred == Y[test], axis=1),
                                              weights=None if weight is None else weight[test]))
                np.testing.assert_allclose(result.scores[name]["accuracy"], by_hand,
                                           rtol=1e-12)


def test_guard_weighted_scores_and_the_corrected_t_test_by_hand():
    # Each split refitted by hand (weights in the fit and in the metrics),
    # the table's mean and std (ddof=0, as summary() says), and the
    # Nadeau-Bengio test: var(d, ddof=1) * (1/J + mean n_test/n_train), df = J - 1.
    X, y, w = _regression()
    cv = RepeatedKFold(n_splits=4, n_repeats=2, random_state=3)
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=2, random_state=0)}
    result = compare(models, X, y, cv=cv, sample_weight=w, pair=("ridge", "tree"))
    r2, rmse, ratio = {n: [] for n in models}, {n: [] for n in models}, []
    for train, test in cv.split(X):
        ratio.append(len(test) / len(train))
        for name, model in models.items():
            pred = model.fit(X[train], y[train], sample_weight=w[train]).predict(X[test])
            r2[name].append(r2_score(y[test], pred, sample_weight=w[test]))
            rmse[name].append(np.sqrt(mean_squared_error(y[test], pred,
                                                         sample_weight=w[test])))
    for name in models:
        np.testing.assert_allclose(result.scores[name]["r2"], r2[name], rtol=1e-12)
        np.testing.assert_allclose(result.display_scores(name, "neg_root_mean_squared_error"),
                                   rmse[name], rtol=1e-12)
    row = result.summary()[0]
    assert row["r2_mean"] == pytest.approx(np.mean(r2["ridge"]), rel=1e-12)
    assert row["r2_std"] == pytest.approx(np.std(r2["ridge"]), rel=1e-12)
    for key, label, by_hand in (("r2", "r2", r2), ("neg_root_mean_squared_error", "rmse",
                                                    rmse)):
        d = np.subtract(by_hand["ridge"], by_hand["tree"])
        t = d.mean() / np.sqrt((1 / len(d) + np.mean(ratio)) * d.var(ddof=1))
        p = 2 * stats.t.sf(abs(t), len(d) - 1)
        test = result.paired_test(metric=key)
        assert test.df == len(d) - 1 == 7
        assert test.mean_difference == pytest.approx(d.mean(), rel=1e-12)
        assert test.t_statistic == pytest.approx(t, rel=1e-10)
        assert test.p_value == pytest.approx(p, rel=1e-10)
        verdict = ("significant at 0.05: ridge is better" if p < 0.05 else
                   "not significant at 0.05: no real difference shown")
        assert (f"ridge vs tree on {label}: difference {d.mean():+.4g}, corrected resampled "
                f"t(7) = {t:.2f}, p = {p:.3g} ({verdict})") in result.table()
    # The ridge's RMSE is lower: a negative difference (the error itself).
    assert result.paired_test(metric="neg_root_mean_squared_error").mean_difference < 0


def test_guard_log_loss_and_brier_of_a_fold_without_a_class_are_over_every_class():
    # Unshuffled folds, the first of class 0 alone: scored over both classes
    # (labels=[0, 1]), text labels alike, as by hand.
    rng = np.random.RandomState(1)
    X = rng.normal(size=(40, 2))
    y = np.r_[np.zeros(10, int), np.arange(30) % 2]
    X[:, 0] += y
    splits = list(KFold(4).split(X))
    loss, brier = [], []
    for train, test in splits:
        proba = LogisticRegression().fit(X[train], y[train]).predict_proba(X[test])
        loss.append(log_loss(y[test], proba, labels=[0, 1]))
        brier.append(brier_score_loss(y[test], proba[:, 1]))
    for labels in (y, np.array(["no", "yes"])[y]):
        result = compare({"lr": LogisticRegression(), "tree": DecisionTreeClassifier()}, X,
                         labels, cv=splits, scoring=["neg_log_loss", "neg_brier_score"])
        np.testing.assert_allclose(result.display_scores("lr", "neg_log_loss"), loss,
                                   rtol=1e-12)
        np.testing.assert_allclose(result.display_scores("lr", "neg_brier_score"), brier,
                                   rtol=1e-12)


@pytest.fixture
def folds_given(monkeypatch):
    """The cv the command passes to compare(), without fitting."""
    calls = []

    def recording(estimators, X, y, **kwargs):
        calls.append((kwargs["cv"], np.asarray(y)))
        raise ValueError("stop here")
    monkeypatch.setattr(skmoe._compare, "compare", recording)
    return calls


@pytest.mark.parametrize("extra, expected", [
    (["--cv", "3", "--repeats", "2", "--seed", "7"],
     lambda y: RepeatedKFold(n_splits=3, n_repeats=2, random_state=7)),
    (["--cv", "4", "--repeats", "1", "--seed", "3"],
     lambda y: KFold(4, shuffle=True, random_state=3)),
    (["--cv", "3", "--repeats", "2", "--seed", "5", "--task", "classification"],
     lambda y: RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=5)),
    (["--cv", "2", "--repeats", "1", "--seed", "9", "--task", "classification"],
     lambda y: StratifiedKFold(2, shuffle=True, random_state=9)),
])
def test_guard_the_command_folds_follow_cv_repeats_and_seed(tmp_path, folds_given, extra,
                                                             expected):
    rng = np.random.RandomState(0)
    a = rng.uniform(0, 10, 40).round(3)
    path = tmp_path / "d.csv"
    classes = "classification" in extra
    path.write_text("a,y\n" + "".join(f"{u},{int(u > 5) if classes else 2 * u + 0.5}\n"
                                       for u in a))
    assert main(["compare", str(path), "--experts", "linear,tree", "--quiet", "--n-jobs",
                 "1", *extra]) == 2
    cv, y = folds_given[-1]
    given = list(cv.split(a[:, None], y))
    by_hand = list(expected(y).split(a[:, None], y))
    assert len(given) == len(by_hand) == int(extra[1]) * int(extra[3])
    for (train, test), (train_h, test_h) in zip(given, by_hand):
        np.testing.assert_array_equal(train, train_h)
        np.testing.assert_array_equal(test, test_h)
