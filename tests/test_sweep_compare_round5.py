"""Round 5 of the compare() / command-line sweep: ``compare(sample_weight=...)``.

Probed as a user would (int / splitter / list / LeaveOneOut cv, groups,
pandas weights, classifiers with log-loss, ROC AUC and balanced accuracy, the
mixtures, ensembles, HME and MMoE, n_jobs=2, checked against a loop by hand).
What was wrong: a scorer whose metric takes no weights ('neg_max_error',
make_scorer of a plain f(y_true, y_pred)) failed after the first fit; R^2 on
a test part whose rows of positive weight share one target was 0 without a
word; a class whose training rows all weigh zero was not warned of as
missing; a Series of weights in another order than X was warned of twice.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import make_scorer
from sklearn.model_selection import KFold, StratifiedKFold

from skmoe import compare


def regression_data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=n)
    return X, y, rng.uniform(0.5, 2.0, size=n)


@pytest.mark.parametrize("scoring", [
    "neg_max_error",
    {"mae": make_scorer(lambda y_true, y_pred: np.mean(np.abs(y_true - y_pred)))},
])
def test_a_scorer_whose_metric_takes_no_weight_is_refused_before_any_fit(scoring):
    # The scorer passes sample_weight on to its metric: "Model 'line' failed
    # to score (neg_max_error) ...: got an unexpected keyword argument
    # 'sample_weight'", after the first model's fit, though compare promises
    # to refuse such a scorer before any fit.
    X, y, w = regression_data()

    class NeverFitted(LinearRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fitted before the scorer was refused")

    with pytest.raises(TypeError, match=r"scoring '(neg_max_error|mae)' takes no "
                       r"sample_weight: its metric '(max_error|<lambda>)' has no "
                       "sample_weight parameter"):
        compare({"line": NeverFitted()}, X, y, cv=3, scoring=scoring, sample_weight=w)


def test_a_metric_with_sample_weight_or_kwargs_is_taken():
    X, y, w = regression_data()

    def mae(y_true, y_pred, **kwargs):
        return np.average(np.abs(y_true - y_pred), weights=kwargs.get("sample_weight"))

    result = compare({"line": LinearRegression()}, X, y, cv=3, sample_weight=w,
                     scoring={"mae": make_scorer(mae, greater_is_better=False),
                              "mad": "neg_median_absolute_error"})
    assert np.all(result.scores["line"]["mae"] < 0)


def test_r2_on_test_rows_of_positive_weight_with_one_target_is_warned_of():
    # Weighted R^2 of test rows whose positive weights fall on rows of one
    # target (or on one row) is 0/0, which scikit-learn scores 0: a mean R^2
    # pulled down by a third, silently (unweighted, the same is warned of).
    X, y, w = regression_data()
    splits = list(KFold(3).split(X))
    test = splits[0][1]
    y, w = y.copy(), w.copy()
    y[test[:5]] = 1.0
    w[test[5:]] = 0.0
    models = {"line": LinearRegression(), "ridge": Ridge(2.0)}
    with pytest.warns(UserWarning, match=re.escape(
            "The test target of the rows of positive sample_weight is constant on 1 of "
            "the 3 splits (split 1)")):
        result = compare(models, X, y, cv=splits, sample_weight=w)
    assert result.scores["line"]["r2"][0] == 0.0
    w[test[1:]] = 0.0   # one row of positive weight: the same
    with pytest.warns(UserWarning, match="of positive sample_weight is constant on 1 of"):
        compare(models, X, y, cv=splits, sample_weight=w)
    # Positive weight on rows of different targets: no warning.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="The test target")
        compare(models, X, y, cv=splits, sample_weight=np.ones(len(y)))


def test_a_class_whose_training_rows_weigh_zero_is_warned_of():
    # A class present in a split's training rows with zero weight only is not
    # learnt: every model misclassified its test rows (accuracy 0.50 there
    # against 1.0 on the others) without the warning an absent class gets.
    X, y, w = regression_data(n=60)
    labels = (X[:, 0] > 0).astype(int)
    splits = list(StratifiedKFold(3).split(X, labels))
    train = splits[0][0]
    w = w.copy()
    w[train[labels[train] == 1]] = 0.0
    models = {"a": LogisticRegression(), "b": LogisticRegression(C=0.1)}
    n_test = int(np.sum(labels[splits[0][1]] == 1))
    with pytest.warns(UserWarning, match=re.escape(
            "1 of the 3 splits train without a class that their test rows hold (split 1: "
            f"class(es) [1], {n_test} test row(s); rows of positive sample_weight")):
        compare(models, X, labels, cv=splits, scoring="accuracy", sample_weight=w)
    # Test rows of a class that weigh zero are not scored: no warning.
    w = np.ones(len(labels))
    test = splits[0][1]
    rows = np.r_[train[labels[train] == 1], test[labels[test] == 1]]
    w[rows] = 0.0
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*train without a class")
        compare(models, X, labels, cv=splits, scoring="accuracy", sample_weight=w)


def test_weights_in_another_order_than_x_are_warned_of_once():
    X, y, w = regression_data()
    frame = pd.DataFrame(X, columns=["a", "b"])
    weights = pd.Series(w, index=np.arange(len(w))[::-1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare({"line": LinearRegression()}, frame, y, cv=3, sample_weight=weights)
    said = [w for w in caught if "index holds X's row labels in another order"
            in str(w.message)]
    assert len(said) == 1, [str(w.message) for w in said]
    assert str(said[0].message).startswith("compare: sample_weight is a pandas Series")


def test_the_comparison_plot_says_the_scores_are_weighted_and_of_whole_groups():
    # The table's header says so; the plot's title, saved and shown apart
    # from it, said "r2 over 3 splits (higher is better)" alone.
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skmoe import ComparisonResult
    from skmoe.plotting import ComparisonDisplay

    def result(**kwargs):
        scores = {n: {"r2": np.array([0.5, 0.6, 0.7]) + d} for n, d in (("a", 0), ("b", .1))}
        times = {n: np.full(3, 0.01) for n in scores}
        return ComparisonResult(["a", "b"], ["r2"], scores, times, times, [20] * 3, [10] * 3,
                                **kwargs)

    titles = []
    for kwargs in ({}, {"weighted": True}, {"weighted": True, "grouped_by": "column 's'"}):
        display = ComparisonDisplay.from_result(result(**kwargs))
        titles.append(display.ax_.get_title())
        plt.close(display.figure_)
    assert titles == ["r2 over 3 splits (higher is better)",
                      "weighted r2 over 3 splits (higher is better)",
                      "weighted r2 over 3 splits of whole groups (higher is better)"]
