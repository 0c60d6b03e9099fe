"""Tests for skmoe.compare: same folds, the corrected resampled t-test, the table."""

import io
import warnings
from functools import partial

import numpy as np
import pytest
from joblib import parallel_config, register_parallel_backend
from joblib._parallel_backends import ThreadingBackend
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GroupKFold, KFold, cross_val_score
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (ComparisonResult, EnsembleRegressor, MixtureOfExpertsRegressor, MLPGate,
                   compare)
from skmoe import _progress
from skmoe.datasets import make_regimes

# These tests exercise EM; the estimators default to training="gradient".
EMRegressor = partial(MixtureOfExpertsRegressor, training="em")

FAST_GATE = MLPGate(hidden_layer_sizes=(8,), max_iter=50, warm_max_iter=10)


def _result(diff, n_train=80, n_test=20):
    """A two-model result whose per-split differences are ``diff``."""
    diff = np.asarray(diff, dtype=float)
    J = len(diff)
    scores = {"a": {"r2": 0.5 + diff}, "b": {"r2": np.full(J, 0.5)}}
    times = {"a": np.ones(J), "b": np.ones(J)}
    return ComparisonResult(["a", "b"], ["r2"], scores, times, times, [n_train] * J,
                            [n_test] * J, pair=("a", "b"))


def test_corrected_resampled_t_test_by_hand():
    result = _result([0.01, 0.02, 0.03, 0.04, 0.05])
    test = result.paired_test()
    # mean 0.03, sample std sqrt(2.5)*0.01, variance factor 1/5 + 20/80.
    se = np.sqrt((1 / 5 + 0.25) * 2.5e-4)
    assert test.mean_difference == pytest.approx(0.03)
    assert test.t_statistic == pytest.approx(0.03 / se)
    assert test.df == 4
    assert test.p_value == pytest.approx(2 * stats.t.sf(0.03 / se, 4))
    # The correction makes it more cautious than the naive paired t-test.
    naive = stats.ttest_rel(result.scores["a"]["r2"], result.scores["b"]["r2"])
    assert test.p_value > naive.pvalue


def test_t_test_degenerate_cases():
    assert _result([0.0, 0.0, 0.0]).paired_test().p_value == 1.0
    constant = _result([0.1, 0.1, 0.1]).paired_test()
    assert constant.p_value == 0.0 and constant.t_statistic == np.inf
    assert np.isnan(_result([0.1]).paired_test().p_value)


def test_error_metrics_shown_positive_and_difference_oriented():
    X, y = make_regimes(n_samples=200, random_state=0)
    result = compare({"line": LinearRegression(), "tree": DecisionTreeRegressor(max_depth=3)},
                     X, y, cv=3, pair=("tree", "line"))
    rmse = result.display_scores("tree", "neg_root_mean_squared_error")
    assert np.all(rmse > 0)
    test = result.paired_test(metric="neg_root_mean_squared_error")
    assert test.mean_difference < 0  # the tree has the lower error
    table = result.table()
    assert "rmse (lower better)" in table and "tree vs line on rmse" in table
    rows = {row["model"]: row for row in result.summary()}
    assert rows["tree"]["rmse_mean"] == pytest.approx(rmse.mean())


def test_same_folds_as_cross_val_score():
    X, y = make_regimes(n_samples=150, random_state=1)
    tree = DecisionTreeRegressor(max_depth=3, random_state=0)
    result = compare({"tree": tree, "mean": DummyRegressor()}, X, y, cv=4, scoring="r2",
                     random_state=3)
    expected = cross_val_score(tree, X, y, cv=KFold(4, shuffle=True, random_state=3))
    np.testing.assert_allclose(result.scores["tree"]["r2"], expected)
    assert result.n_train.tolist() == [112, 112, 113, 113] and result.n_test.sum() == 150
    assert result.pair is None
    with pytest.raises(ValueError, match="No default pair"):
        result.paired_test()


def test_mixture_beats_ensemble_on_regimes():
    X, y = make_regimes(n_samples=600, random_state=0)
    experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    estimators = {"mixture": EMRegressor(experts, gate=FAST_GATE, max_iter=5,
                                                       random_state=0),
                  "ensemble": EnsembleRegressor(experts), **dict(experts)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(estimators, X, y, cv=3)
    assert result.pair == ("mixture", "ensemble")
    assert result.names == ["mixture", "ensemble", "line", "tree"]
    test = result.paired_test()
    assert test.mean_difference > 0.05 and test.p_value < 0.05
    assert "mixture is better" in str(result)
    assert np.all(result.fit_time["mixture"] > result.fit_time["line"])
    assert np.all(result.predict_time["tree"] >= 0)


def test_scoring_forms():
    X, y = make_regimes(n_samples=100, random_state=0)
    est = {"a": LinearRegression(), "b": DummyRegressor()}
    assert compare(est, X, y, cv=2, scoring="r2").metrics == ["r2"]
    assert compare(est, X, y, cv=2, scoring=["r2", "neg_mean_absolute_error"]).metrics == [
        "r2", "neg_mean_absolute_error"]
    custom = compare(est, X, y, cv=2, scoring={"my": "r2"})
    assert custom.metrics == ["my"]
    called = compare(est, X, y, cv=2, scoring=lambda e, X, y: 1.0)
    np.testing.assert_array_equal(called.scores["a"]["score"], [1.0, 1.0])
    with pytest.raises(TypeError, match="scoring must be"):
        compare(est, X, y, cv=2, scoring=3)


def test_classification_default_metrics():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    y = np.where(X[:, 0] > 0, "yes", "no")
    both = compare({"lr": LogisticRegression(), "tree": DecisionTreeClassifier(max_depth=2)},
                   X, y, cv=3)
    assert both.metrics == ["accuracy", "neg_log_loss"] and both.task == "classification"
    assert "log_loss (lower better)" in both.table()
    no_proba = compare({"svc": LinearSVC(), "tree": DecisionTreeClassifier()}, X, y, cv=3)
    assert no_proba.metrics == ["accuracy"]


def test_bad_arguments():
    X, y = make_regimes(n_samples=60, random_state=0)
    with pytest.raises(TypeError, match="non-empty dict"):
        compare([LinearRegression()], X, y)
    with pytest.raises(TypeError, match="'x' has no fit/predict"):
        compare({"x": object()}, X, y)
    with pytest.raises(ValueError, match="Mixing classifiers and regressors"):
        compare({"a": LinearRegression(), "b": LogisticRegression()}, X, y)
    with pytest.raises(ValueError, match="pair must name two"):
        compare({"a": LinearRegression(), "b": DummyRegressor()}, X, y, pair=("a", "c"))
    result = compare({"a": LinearRegression(), "b": DummyRegressor()}, X, y, cv=2)
    with pytest.raises(ValueError, match="Unknown estimator 'c'"):
        result.paired_test("a", "c")
    with pytest.raises(ValueError, match="Unknown metric 'auc'"):
        result.paired_test("a", "b", metric="auc")
    with pytest.raises(ValueError, match="Pass both a and b"):
        result.paired_test("a")
    # X and y of different lengths (the folds come from y: a row of X was dropped).
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        compare({"a": LinearRegression(), "b": DummyRegressor()}, X, y[:-1], cv=2)
    with pytest.raises(ValueError, match="needs groups"):
        compare({"a": LinearRegression(), "b": DummyRegressor()}, X, y, cv=GroupKFold(2))
    with pytest.raises(TypeError, match="title must be a string"):
        compare({"a": LinearRegression(), "b": DummyRegressor()}, X, y, cv=2, title=5)


class _Warns(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        warnings.warn("watch out", UserWarning)
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_warnings_collected_and_named():
    X, y = make_regimes(n_samples=60, random_state=0)
    with pytest.warns(UserWarning, match=r"noisy \(3 of 3 splits\): watch out"):
        compare({"noisy": _Warns(), "line": LinearRegression()}, X, y, cv=3)


def test_progress_plain_lines_off_terminal(monkeypatch):
    stream = io.StringIO()  # not a terminal: plain lines, no carriage returns
    monkeypatch.setattr(_progress, "PLAIN_INTERVAL", 0)
    with _progress.progress_bar(3, "fit", file=stream) as bar:
        for _ in range(3):
            bar.update()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and lines[-1].startswith("fit: 3/3 [")
    assert len(lines) == 4  # 0/3 at the start, then one per step
    silent = io.StringIO()
    with _progress.progress_bar(3, "fit", enabled=False, file=silent) as bar:
        bar.update()
    assert silent.getvalue() == ""


def test_progress_lines_are_throttled():
    stream = io.StringIO()  # the default interval: a quick loop prints nothing
    with _progress.progress_bar(1000, "fit", file=stream) as bar:
        for _ in range(1000):
            bar.update()
    assert stream.getvalue() == ""


def test_verbose_em_prints_each_iteration(capsys):
    X, y = make_regimes(n_samples=120, random_state=0)
    experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        EMRegressor(experts, gate=FAST_GATE, max_iter=3, tol=0, verbose=1,
                                  random_state=0).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[EM]")]
    assert len(lines) == 3
    assert "iter   3" in lines[-1] and "log-likelihood" in lines[-1] and "shares" in lines[-1]


def test_dataframe_input_in_parallel_matches_serial():
    pd = pytest.importorskip("pandas")
    X, y = make_regimes(n_samples=120, n_noise_features=1, random_state=0)
    frame, target = pd.DataFrame(X, columns=["x", "noise"]), pd.Series(y)
    estimators = {"line": LinearRegression(), "tree": DecisionTreeRegressor(random_state=0)}
    serial = compare(estimators, frame, target, cv=3)
    # Threads exercise the parallel path without paying for worker processes.
    with parallel_config(backend="threading"):
        parallel = compare(estimators, frame, target, cv=3, n_jobs=2)
    for name in estimators:
        np.testing.assert_allclose(parallel.scores[name]["r2"], serial.scores[name]["r2"])


class _NoGeneratorBackend(ThreadingBackend):
    """Like Ray's joblib backend: no ``return_as="generator"``."""

    supports_return_generator = False


def test_backend_without_generator_mode():
    register_parallel_backend("no_generator", _NoGeneratorBackend)
    X, y = make_regimes(n_samples=100, random_state=0)
    models = {"line": LinearRegression(), "tree": DecisionTreeRegressor(max_depth=3)}
    with parallel_config(backend="no_generator", n_jobs=2):
        result = compare(models, X, y, cv=3)
    serial = compare(models, X, y, cv=3)
    for name in models:
        np.testing.assert_allclose(result.scores[name]["r2"], serial.scores[name]["r2"])


def test_greedy_ensemble_twin():
    X, y = make_regimes(n_samples=120, random_state=0)
    experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=3))]
    estimators = {"ens": EnsembleRegressor(experts), **dict(experts)}
    result = compare(estimators, X, y, cv=2, greedy_ensemble=True)
    assert result.names == ["ens", "ens (greedy)", "line", "tree"]
    assert "\nens (greedy) " in result.table()
    assert "ens (greedy)" not in estimators  # the caller's dict is left alone
    # The greedy blend is at least as good as the worse of the two experts here.
    rmse = {n: result.display_scores(n, "neg_root_mean_squared_error").mean()
            for n in result.names}
    assert rmse["ens (greedy)"] <= max(rmse["line"], rmse["tree"])
    assert compare(estimators, X, y, cv=2).names == ["ens", "line", "tree"]


class _Fails(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        raise RuntimeError("boom")

    def predict(self, X):
        return np.zeros(len(X))


class _PredictsNaN(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.full(len(X), np.nan)


class _NoReturnSelf(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        self.mean_ = float(np.mean(y))  # and no ``return self``

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_a_failing_model_is_named():
    # The errors were the model's own ("boom", "Input contains NaN."), naming
    # none of several models.
    X, y = make_regimes(n_samples=60, random_state=0)
    with pytest.raises(RuntimeError, match="Model 'bad' failed to fit on a split of 40 "
                                           "training rows: boom"):
        compare({"line": LinearRegression(), "bad": _Fails()}, X, y, cv=3)
    with pytest.raises(ValueError, match=r"Model 'nan' failed to score \(r2\) .*: Input "
                                         "contains NaN"):
        compare({"line": LinearRegression(), "nan": _PredictsNaN()}, X, y, cv=3)
    with pytest.raises(ValueError, match=r"scoring 'neg_log_loss' needs the models' "
                                         r"predict_proba; 'line' \(LinearRegression\)"):
        # (A scorer object: refused before any fit too, by its response_method.)
        compare({"line": LinearRegression()}, X, y, cv=3,
                scoring={"neg_log_loss": get_scorer("neg_log_loss")})


def test_a_fit_without_return_self_is_scored_as_fitted():
    # As in scikit-learn's cross_validate; was "'NoneType' object has no attribute
    # 'predict'".
    X, y = make_regimes(n_samples=60, random_state=0)
    result = compare({"mean": _NoReturnSelf(), "dummy": DummyRegressor()}, X, y, cv=3)
    for metric in result.metrics:
        np.testing.assert_array_equal(result.scores["mean"][metric], result.scores["dummy"][metric])


def test_more_bad_arguments_are_named():
    X, y = make_regimes(n_samples=60, random_state=0)
    two = {"a": LinearRegression(), "b": DummyRegressor()}
    # A table without metrics; keys, names and pairs that failed only when printed
    # or as bare TypeErrors; a model tested against itself; a table of NaN.
    with pytest.raises(ValueError, match="scoring as a dict must map at least one"):
        compare(two, X, y, cv=2, scoring={})
    with pytest.raises(ValueError, match=r"got keys \[1\]"):
        compare(two, X, y, cv=2, scoring={1: "r2"})
    with pytest.raises(TypeError, match=r"Estimator names must be strings, got 1 \(int\)"):
        compare({1: LinearRegression()}, X, y, cv=2)
    for pair in (3, ("a", "a"), "ab"):
        with pytest.raises(ValueError, match="pair must name two different estimators"):
            compare(two, X, y, cv=2, pair=pair)
    with pytest.raises(ValueError, match=r"cv=\[\] gave no splits"):
        compare(two, X, y, cv=[])
    # Index lists out of range: a bare IndexError, or (negative) rows from the end.
    for bad in ([np.arange(30), np.arange(30, 61)], [np.arange(1, 30), np.array([-1, 0])]):
        with pytest.raises(ValueError, match=r"Split 1 of 1 in cv holds indices other than the "
                                             r"row numbers 0 \.\. 59"):
            compare(two, X, y, cv=[bad])
    # A constant target: every model predicts it up to rounding, and the paired
    # test reported t = -inf, p = 0 for scores 4e-16 apart.
    with pytest.raises(ValueError, match=r"y is constant \(3\.0\): there is nothing to compare"):
        compare(two, X, np.full(60, 3.0), cv=3)
    # A classifier on one class: was a scorer's "Got predict_proba of shape (20, 1)".
    with pytest.raises(ValueError, match=r"y has the classes \[0\]; the classifiers need"):
        compare({"tree": DecisionTreeClassifier()}, X, np.zeros(60, dtype=int), cv=3)


def test_result_methods_check_their_arguments():
    result = _result([0.1, 0.2, 0.0])
    with pytest.raises(ValueError, match=r"Unknown estimator 'c'; choose from \['a', 'b'\]"):
        result.display_scores("c")  # was a bare KeyError
    with pytest.raises(ValueError, match="Unknown metric 'rmse'"):
        result.display_scores("a", "rmse")
    for significance in (2, "x", 0):  # 2 printed "significant at 2" for p = 0.3
        with pytest.raises(ValueError, match=r"significance must be a number in \(0, 1\)"):
            result.table(significance=significance)


def test_nan_scores_are_warned_and_never_marked_best():
    X, y = make_regimes(n_samples=30, random_state=0)

    def score(estimator, X, y):
        return np.nan if isinstance(estimator, LinearRegression) else 1.0

    with pytest.warns(RuntimeWarning, match="line scored NaN on 3 of 3 splits by s"):
        result = compare({"line": LinearRegression(), "dummy": DummyRegressor()}, X, y,
                         cv=3, scoring={"s": score})
    rows = result.table().splitlines()
    assert rows[3].startswith("line") and "nan ± nan  " in rows[3]
    assert rows[4].startswith("dummy") and "1.000 ± 0.000 *" in rows[4]


def test_compare_fits_in_workers_see_the_scikit_learn_configuration():
    # compare() ran its fits through joblib's own Parallel: worker processes
    # did not see scikit-learn's configuration (here assume_finite; equally
    # enable_metadata_routing or set_output), so with n_jobs=2 a scorer read
    # the defaults. scikit-learn's Parallel hands the configuration on.
    import sklearn
    from sklearn.linear_model import LinearRegression

    def reads_assume_finite(estimator, X, y):
        return float(sklearn.get_config()["assume_finite"])

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] + rng.normal(size=40)
    # (Threads: scikit-learn's configuration is per thread, and loky's
    # processes would take seconds to start.)
    with sklearn.config_context(assume_finite=True), parallel_config(backend="threading"):
        result = compare({"lr": LinearRegression(), "lr2": LinearRegression()}, X, y, cv=2,
                         scoring={"flag": reads_assume_finite}, n_jobs=2, progress=False)
    assert result.scores["lr"]["flag"].tolist() == [1.0, 1.0]
