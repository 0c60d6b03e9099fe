"""Wrong-numbers sweep, round 16: the figures of compare(), its table and plots."""

import warnings
from inspect import signature

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import brier_score_loss, r2_score
from sklearn.tree import DecisionTreeRegressor

from skmoe import ComparisonResult, HeterogeneousMultiGateMixtureOfExperts, compare


def test_compare_warns_of_r2_scored_on_a_constant_test_target():
    # R^2 is undefined where the test rows all have the same target;
    # scikit-learn scores it 0 there, and the table's mean counted that 0 as
    # a measurement (a mean of 0.44 for a model of R^2 0.87 elsewhere),
    # without a word.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=40)
    y[30:] = 1.0
    splits = [(np.arange(30), np.arange(30, 40)), (np.arange(10, 40), np.arange(10))]
    with pytest.warns(UserWarning, match=r"constant on 1 of the 2 splits \(split 1\): R\^2 "
                                         r"is undefined .* which the means of r2 count"):
        result = compare({"line": LinearRegression(), "mean": DummyRegressor()}, X, y,
                         cv=splits)
    # The figures themselves are scikit-learn's, unchanged.
    line = LinearRegression().fit(X[10:], y[10:])
    assert_array_equal(result.scores["line"]["r2"], [0.0, r2_score(y[:10], line.predict(X[:10]))])
    # No warning where every test target varies.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare({"line": LinearRegression()}, X, y, cv=[splits[1]])


def test_compare_warns_of_r2_scored_on_a_constant_column_of_y():
    # With several columns of y, R^2 averages the columns' scores: a column
    # constant on a split's test rows was scored 0 and averaged in without a
    # word, as was a regression task's R^2 in the multi-task mean score.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    Y = np.c_[X[:, 0] + 0.1 * rng.normal(size=40), X[:, 1] > 0]
    Y[30:, 0] = 1.0
    splits = [(np.arange(30), np.arange(30, 40)), (np.arange(10, 40), np.arange(10))]
    with pytest.warns(UserWarning, match=r"target \(a column of y\) is constant on 1 of the "
                                         r"2 splits \(split 1\).* the means of r2 count"):
        compare({"line": LinearRegression()}, X, Y, cv=splits)
    experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    model = HeterogeneousMultiGateMixtureOfExperts(experts, tasks=["regression", "binary"],
                                                   max_iter=20, cv=None, random_state=0)
    with pytest.warns(UserWarning, match=r"\(split 1\).* the means of score count"):
        compare({"mmoe": model}, X, Y, cv=splits)
    # Only the regression task's column counts: the binary one is constant on
    # no split here, and a constant label column is no R^2.
    Y[:, 0] = X[:, 0]
    Y[30:, 1] = 1
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*is constant on", category=UserWarning)
        compare({"mmoe": model}, X, Y, cv=splits)


def test_table_gives_no_verdict_on_a_paired_test_of_nan_scores():
    # A model that scored NaN on a split has no paired test (t and p are NaN);
    # the line under the table still said "not significant at 0.05: no real
    # difference shown", a verdict drawn from nothing.
    ones = {"a": np.ones(3), "b": np.ones(3)}
    result = ComparisonResult(["a", "b"], ["r2"],
                              {"a": {"r2": np.array([0.5, np.nan, 0.6])},
                               "b": {"r2": np.array([0.4, 0.5, 0.5])}},
                              ones, ones, [20] * 3, [10] * 3, pair=("a", "b"))
    line = str(result).splitlines()[-1]
    assert line == ("a vs b on r2: difference +nan, corrected resampled t(2) = nan, "
                    "p = nan (no test: a score is NaN)")


@pytest.mark.skipif("labels" not in signature(brier_score_loss).parameters,
                    reason="multi-class Brier score needs scikit-learn >= 1.7")
def test_compare_scores_brier_over_every_class_on_a_fold_without_one():
    # A 3-class test fold without class 2 stopped compare() with "y_true and
    # y_prob contain different number of classes: 2 vs 3", blamed on the
    # model; neg_log_loss was already scored over every class of y.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    y = np.array([0] * 12 + [1] * 12 + [2] * 6)
    splits = [(np.r_[0:10, 12:22, 24:30], np.r_[10:12, 22:24]),
              (np.r_[2:12, 14:24, 24:27], np.r_[0:2, 12:14, 27:30])]
    result = compare({"line": LogisticRegression()}, X, y, cv=splits,
                     scoring="neg_brier_score")
    expected = [-brier_score_loss(y[test], LogisticRegression().fit(X[train], y[train])
                                  .predict_proba(X[test]), labels=[0, 1, 2])
                for train, test in splits]
    assert_allclose(result.scores["line"]["neg_brier_score"], expected, rtol=1e-12)
    # A binary fold of one class, labels as text: scikit-learn's scorer failed
    # with "y_true takes value in {'p'} and pos_label is not specified"; the
    # scores are those of the same labels as 0/1 (scikit-learn's own there).
    y = np.array([0] * 20 + [1] * 10)
    splits = [(np.r_[0:22], np.r_[22:30]), (np.r_[8:30], np.r_[0:8])]
    as_text = compare({"line": LogisticRegression()}, X, np.where(y == 1, "p", "n"),
                      cv=splits, scoring="neg_brier_score")
    as_numbers = compare({"line": LogisticRegression()}, X, y, cv=splits,
                         scoring="neg_brier_score")
    assert_allclose(as_text.scores["line"]["neg_brier_score"],
                    as_numbers.scores["line"]["neg_brier_score"], rtol=1e-12)


def test_gate_region_pixels_are_centred_on_their_grid_points():
    # The map's pixel i of n was drawn at (i + 1/2) / n of the features'
    # range instead of at its grid point i / (n - 1): boundaries between
    # experts shifted by up to half a pixel, the last grid point on the edge.
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skmoe.plotting import GateRegionDisplay

    xx0, xx1 = np.array([0.0, 1.0, 2.0]), np.array([10.0, 20.0])
    weights = np.zeros((2, 3, 2))
    weights[..., 0] = [[1, 0, 1], [0, 1, 0]]    # expert 0 wins on a checkerboard
    weights[..., 1] = 1 - weights[..., 0]
    display = GateRegionDisplay(xx0, xx1, weights, ["a", "b"], ("x0", "x1")).plot()
    image = display.ax_.images[0]
    assert image.get_extent() == [-0.5, 2.5, 5.0, 25.0]
    # Every grid point lies in its own pixel (the last one was on the edge).
    left, right, bottom, top = image.get_extent()
    for j, b in enumerate(xx1):
        for i, a in enumerate(xx0):
            col = int((a - left) / (right - left) * len(xx0))
            row = int((b - bottom) / (top - bottom) * len(xx1))
            assert (row, col) == (j, i)
    plt.close("all")


def test_one_split_reports_its_scores_without_a_spread():
    # compare() on one split printed "0.50 ± 0.00" under "1 splits ... mean ±
    # std over splits", and its paired test a std_difference of 0.0: a spread
    # reported as measured and nil, where one split has none to measure.
    from sklearn.model_selection import ShuffleSplit

    from skmoe.datasets import make_regimes

    X, y = make_regimes(120, random_state=0)
    result = compare({"line": LinearRegression(), "tree": DecisionTreeRegressor(max_depth=3)},
                     X, y, cv=ShuffleSplit(1, test_size=0.25, random_state=0))
    lines = result.table().splitlines()
    assert lines[0].startswith("1 split,")
    rows = lines[3:5]                       # (after the title, header and rule)
    assert [row.split()[0] for row in rows] == ["line", "tree"]
    assert not any("±" in row for row in rows)
    r2 = result.scores["line"]["r2"][0]
    assert rows[0].split()[1] == f"{r2:.4f}"   # (four significant digits: no spread)
    test = result.paired_test(a="line", b="tree")
    assert np.isnan(test.std_difference) and np.isnan(test.p_value)
    assert test.mean_difference == pytest.approx(r2 - result.scores["tree"]["r2"][0])
