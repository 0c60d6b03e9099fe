"""Round 4 of odd input to ``python -m skmoe`` and :func:`skmoe.compare`: options
given twice, a wide CSV, a split that trains without a class. Each test fails
without its fix."""

import os
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier

import skmoe._compare
from skmoe import compare
from skmoe._cli import build_parser, main

FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
        "--n-jobs", "1", "--quiet", "--no-greedy"]


def _three(tmp_path, n=30, seed=0):
    """A CSV of features a, b, c and target y."""
    rng = np.random.RandomState(seed)
    a, b, c = rng.uniform(0, 10, (3, n)).round(3)
    path = tmp_path / "three.csv"
    path.write_text("a,b,c,y\n" + "".join(f"{u},{v},{w},{2 * u + v:.3f}\n"
                                          for u, v, w in zip(a, b, c)))
    return path


@pytest.fixture
def spy(monkeypatch):
    """Records the X that the command passed to compare(), without fitting."""
    calls = []

    def recording(estimators, X, y, **kwargs):
        calls.append(X)
        raise ValueError("stop here")
    monkeypatch.setattr(skmoe._compare, "compare", recording)
    return calls


def test_cli_drop_given_twice_leaves_out_both_columns(tmp_path, spy, capsys):
    # argparse kept the last --drop: "--drop a --drop b" left out b alone, and
    # a stayed a feature without a word.
    path = _three(tmp_path)
    assert main(["compare", str(path), "--drop", "a", "--drop", "b", *FAST]) == 2
    assert list(spy[-1].columns) == ["c"]
    assert "30 rows, 1 feature;" in capsys.readouterr().out
    assert build_parser().parse_args(["compare", "x.csv", "--drop", "a", "b", "--drop",
                                      "c"]).drop == ["a", "b", "c"]
    # The default list is not shared between parses.
    assert build_parser().parse_args(["compare", "x.csv"]).drop == []


@pytest.mark.parametrize("argv, message", [
    (["--target", "y", "--target", "c"],
     "argument --target: given twice, 'y' then 'c': give it once."),
    (["--groups", "a", "--groups", "b"],
     "argument --groups: given twice, 'a' then 'b': give it once."),
    (["--experts", "linear", "--experts", "tree"],
     "argument --experts: given twice, 'linear' then 'tree': give it once (--experts takes "
     "them in one list, separated by commas: --experts linear,tree)."),
])
def test_cli_an_option_naming_what_is_fitted_given_twice_is_refused(tmp_path, capsys, argv,
                                                                    message):
    # "--target y ... --target c" fitted c, silently; "--experts linear
    # --experts tree" said "needs at least two distinct experts, got ['tree']".
    path = _three(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["compare", str(path), *argv])
    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(f"python -m skmoe compare: error: {message}\n")
    # The same value twice, and the others' last-wins override, are kept.
    args = build_parser().parse_args(["compare", "x.csv", "--target", "y", "--target", "y",
                                      "--cv", "3", "--cv", "10"])
    assert (args.target, args.cv) == ("y", 10)


def test_cli_a_missing_target_in_a_wide_file_lists_a_few_names(tmp_path, capsys):
    # A file of 500 features: the error listed all 501 names, some 5,000
    # characters; and 'yy' for 'y' got no "did you mean".
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"x{i}" for i in range(500)) + ",y\n"
                    + "".join(",".join(["1"] * 500) + f",{k}\n" for k in range(12)))
    assert main(["compare", str(path), "--target", "yy", *FAST]) == 2
    err = capsys.readouterr().err
    assert err == (f"skmoe: error: {path} has no column 'yy' (did you mean 'y'?); its 501 "
                   "columns are ['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', "
                   "... (489 more), 'x499', 'y']. Choose one with --target.\n")
    assert main(["compare", str(path), "--groups", "school", *FAST]) == 2
    assert "its 501 columns are ['x0'," in capsys.readouterr().err
    # A short file keeps its whole list, and 'x' (in many names) gets no guess.
    small = _three(tmp_path)
    assert main(["compare", str(small), "--target", "x", *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: {small} has no column 'x'; its columns are ['a', 'b', 'c', 'y']. "
        "Choose one with --target.\n")


def test_compare_warns_of_a_split_that_trains_without_a_class_it_tests():
    # Splits given by hand (or unshuffled KFold of rows sorted by class): the
    # split testing the 4 rows of class 'c' trained without it, every model
    # scored 0 there, and nothing said why.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] > 0, "a", "b")
    y[:4] = "c"
    models = {"lr": LogisticRegression(), "tree": DecisionTreeClassifier(max_depth=2)}
    with pytest.warns(UserWarning, match=r"^1 of the 2 splits train without a class that "
                      r"their test rows hold \(split 1: class\(es\) \['c'\], 4 test row\(s\)\)"):
        result = compare(models, X, y, scoring="accuracy",
                         cv=[(np.arange(4, 40), np.arange(4)), (np.arange(20), np.arange(20, 40))])
    assert result.scores["lr"]["accuracy"][0] == 0.0
    # Stratified folds keep every class in each training part: no warning.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*train without a class")
        compare(models, X, y, cv=2, scoring="accuracy")


class _FailsOnFewRows(Ridge):
    """A Ridge that fails to fit on fewer than 30 rows."""

    def fit(self, X, y):
        if len(y) < 30:
            raise RuntimeError("too few rows")
        return super().fit(X, y)


def test_compare_says_which_split_a_model_failed_on():
    # "Model 'bad' failed to fit on a split of 25 training rows: ..." named
    # no split: K-fold's splits have about as many training rows each.
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    rows = np.arange(40)
    splits = [(rows[10:], rows[:10]), (rows[15:], rows[:15]), (rows[:30], rows[30:])]
    with pytest.raises(RuntimeError, match=r"^Model 'bad' failed to fit on a split of 25 "
                       r"training rows: too few rows \(split 2 of 3\)$"):
        compare({"ridge": Ridge(), "bad": _FailsOnFewRows()}, X, y, cv=splits)


def test_compare_refuses_before_fitting_a_scorer_of_probabilities_for_models_without():
    # make_scorer(..., response_method="predict_proba") on regressors, or
    # 'neg_log_loss' for a LinearSVC: "Model 'r' failed to score ...: Ridge has
    # none of the following attributes: predict_proba", after its fit.
    from sklearn.metrics import log_loss, make_scorer
    from sklearn.svm import LinearSVC

    class NoFit(Ridge):
        def fit(self, X, y):
            raise AssertionError("fitted")

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    proba = make_scorer(log_loss, response_method="predict_proba", greater_is_better=False)
    with pytest.raises(ValueError, match=r"^scoring 'score' needs the models' predict_proba; "
                       r"'a' \(NoFit\), 'b' \(NoFit\) have none: choose a metric on "):
        compare({"a": NoFit(), "b": NoFit()}, X, X[:, 0], cv=2, scoring=proba)
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=r"^scoring 'neg_log_loss' needs the models' "
                       r"predict_proba; 'svc' \(LinearSVC\) has none"):
        compare({"svc": LinearSVC(), "lr": LogisticRegression()}, X, y, cv=2,
                scoring=["accuracy", "neg_log_loss"])
    # A scorer of decision_function or predict_proba takes either.
    result = compare({"svc": LinearSVC(), "lr": LogisticRegression()}, X, y, cv=2,
                     scoring="roc_auc")
    assert result.scores["svc"]["roc_auc"].shape == (2,)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_cli_a_plot_file_that_cannot_be_written_is_named_before_fitting(tmp_path, spy,
                                                                        capsys):
    # /proc (as a read-only file or file system) passes os.access for root:
    # savefig failed after every fit.
    path = _three(tmp_path)
    assert main(["compare", str(path), "--plot", "/proc/skmoe-plot.png", *FAST]) == 2
    assert capsys.readouterr().err == ("skmoe: error: --plot: cannot write "
                                       "'/proc/skmoe-plot.png': No such file or directory.\n")
    assert spy == []
    # A writable name passes, and the check leaves no file behind.
    plot = tmp_path / "plot.png"
    assert main(["compare", str(path), "--plot", str(plot), *FAST]) == 2   # (spy stops it)
    assert len(spy) == 1 and not plot.exists()


def test_compare_refuses_before_fitting_a_target_outside_the_metrics_domain():
    # 'neg_mean_squared_log_error' of a y below -1 failed after the first
    # fit, blamed on that model: "Model 'a' failed to score ...: Mean Squared
    # Logarithmic Error cannot be used when targets contain values ...".
    from sklearn.metrics import make_scorer, mean_gamma_deviance

    class NoFit(Ridge):
        def fit(self, X, y):
            raise AssertionError("fitted")

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    y = np.r_[-1.5, np.abs(X[1:, 0])]
    models = {"a": NoFit(), "b": NoFit()}
    with pytest.raises(ValueError, match=r"^scoring 'neg_mean_squared_log_error' "
                       r"\(mean_squared_log_error\) takes targets greater than -1; y has 1 "
                       r"row\(s\) that are not \(e.g. row 0: -1.5\): choose another metric"):
        compare(models, X, y, cv=2, scoring=["r2", "neg_mean_squared_log_error"])
    with pytest.raises(ValueError, match=r"^scoring 'gamma' \(mean_gamma_deviance\) takes "
                       r"targets greater than 0; y has 2 row"):
        compare(models, X, np.r_[0.0, y[1:]] * (np.arange(30) != 5), cv=2,
                scoring={"gamma": make_scorer(mean_gamma_deviance, greater_is_better=False)})
