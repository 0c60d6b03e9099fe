"""Bad-input sweep, round 26: the multi-task and hierarchical estimators and
the wrappers (CrossFitAverage, RuleExpert, AutoGateTransformer) and the
displays, given inputs of the wrong kind.

Each test fails without the fix it names.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import (AutoGateTransformer, CrossFitAverage, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MultiGateMixtureOfExperts, RuleExpert)


def _two_tasks(n=30):
    X = np.random.RandomState(0).normal(size=(n, 2))
    return X, np.c_[X[:, 0], X[:, 0] - X[:, 1]]


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts([("a", Ridge()), ("b", Ridge(alpha=10.0))]),
])
def test_multitask_sparse_y_is_told_to_be_dense(make):
    # np.asarray of a sparse matrix is a 0-d object array: "y must have shape
    # (n_samples,) or (n_samples, n_tasks) with n_samples=30; got shape ()"
    # for a y of shape (30, 2).
    X, Y = _two_tasks()
    with pytest.raises(TypeError, match=r"Sparse data was passed for y \(shape \(30, 2\)\), "
                                        r"but dense data is required\. Use '\.toarray\(\)'"):
        make().fit(X, sparse.csr_matrix(Y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (MMoE's two epochs do not converge)
        model = make().fit(X, Y)
    with pytest.raises(TypeError, match=r"Sparse data was passed for y \(shape \(30, 2\)\)"):
        model.score(X, sparse.csr_matrix(Y))


@pytest.mark.parametrize("y, shown", [
    (["a", "b", "a", "b"], r"\['a', 'b'\]"),
    ([0, 5, 1, 0], r"\['0', '1', '5'\]"),
    ([0.0, 0.5, 1.0, 1.0], r"\['0.0', '0.5', '1.0'\]"),
])
def test_cross_fit_average_score_names_labels_that_are_not_encoded(y, shown):
    # The average predicts the encoded labels 0 .. n_classes - 1. Labels of
    # y itself were scikit-learn's "Mix of label input types (string and
    # number)", and a label 5 of n_classes=2 scored 0.25, silently.
    X = np.random.RandomState(0).normal(size=(20, 2))
    codes = (X[:, 0] > 0).astype(int)
    average = CrossFitAverage([LogisticRegression().fit(X[:10], codes[:10]),
                               LogisticRegression().fit(X[10:], codes[10:])], n_classes=2,
                              name="lr")
    with pytest.raises(ValueError, match=r"expert 'lr' predicts encoded labels, integers "
                                         r"from 0 to 1; y holds " + shown):
        average.score(X[:4], y)
    assert average.score(X[:4], average.predict(X[:4])) == 1.0


def _rule_of_words_in_fit_and_numbers_after(X):
    # 'high' / 'low' on the 20 rows of fit, 1 / 0 on fewer rows.
    if len(X) == 20:
        return np.where(X[:, 0] > 0, "high", "low")
    return (X[:, 0] > 0).astype(int)


def _rule_of_numbers_in_fit_and_words_after(X):
    if len(X) == 20:
        return (X[:, 0] > 0).astype(int)
    return np.where(X[:, 0] > 0, "high", "low")


@pytest.mark.parametrize("rule, message", [
    (_rule_of_words_in_fit_and_numbers_after,
     r"returned values that are not strings \(e\.g\. [01]\) where in fit it returned "
     r"strings \(outcomes \['high', 'low'\]\)"),
    (_rule_of_numbers_in_fit_and_words_after,
     r"returned strings \(e\.g\. '(high|low)'\) where in fit it returned values that are "
     r"not strings \(outcomes \[0, 1\]\)"),
])
def test_rule_outcomes_of_another_type_at_predict_are_named(rule, message):
    # No number equals a string: every row got the class prior, (0.25, 0.75)
    # here, whatever the rule said, silently, in either direction.
    X = np.random.RandomState(0).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    expert = RuleExpert(rule, task="classification").fit(X, y)
    with pytest.raises(ValueError, match=message):
        expert.predict_proba(X[:5])


def test_auto_gate_transformer_warns_once_of_an_array_after_a_dataframe():
    # The array's missing feature names were warned of twice, by the view
    # and by its OneHotEncoder ("X does not have valid feature names, but
    # OneHotEncoder was fitted with feature names").
    X = pd.DataFrame({"a": [0.5, 1.5, 2.5, 3.5], "c": ["u", "v", "u", "v"]})
    view = AutoGateTransformer().fit(X)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = view.transform(X.to_numpy())
    assert [str(w.message) for w in caught] == [
        "X does not have valid feature names, but AutoGateTransformer was fitted with "
        "feature names"]
    np.testing.assert_array_equal(out, [[0.5, 1, 0], [1.5, 0, 1], [2.5, 1, 0], [3.5, 0, 1]])


@pytest.mark.parametrize("rows, columns, what", [
    (slice(None), [], r"0 feature\(s\) \(shape=\(4, 0\)\)"),
    (slice(0, 0), ["a"], r"0 sample\(s\) \(shape=\(0, 1\)\)"),
    (slice(0, 0), ["a", "c"], r"0 sample\(s\) \(shape=\(0, 2\)\)"),
])
def test_auto_gate_transformer_refuses_an_empty_dataframe_as_an_empty_array(rows, columns,
                                                                            what):
    # An array of no rows or columns is refused by check_array, which a
    # DataFrame skips: a frame of no columns gave a view of shape (4, 0), one
    # of no rows a view of no rows or OneHotEncoder's "Found array with 0
    # sample(s) (shape=(0,))", naming neither the frame nor the view.
    X = pd.DataFrame({"a": [0.5, 1.5, 2.5, 3.5], "c": ["u", "v", "u", "v"]})
    with pytest.raises(ValueError, match=r"Found DataFrame with " + what + r" while a minimum "
                                         r"of 1 is required by AutoGateTransformer"):
        AutoGateTransformer().fit(X.iloc[rows][columns])
    if columns:
        view = AutoGateTransformer().fit(X[columns])
        with pytest.raises(ValueError, match=r"Found DataFrame with 0 sample"):
            view.transform(X[columns].iloc[:0])


@pytest.mark.parametrize("draw", [
    lambda GateDisplay, GateRegionDisplay, tree, X: GateDisplay.from_estimator(tree, X, 1),
    lambda GateDisplay, GateRegionDisplay, tree, X: GateRegionDisplay.from_estimator(
        tree, X, grid_resolution=3),
])
def test_gate_displays_refuse_an_array_of_strings_as_the_gate_does(draw):
    # The displays read X with np.asarray(X, dtype=float), which parses text:
    # they drew the gate of X.astype(str), which predict_gate refuses.
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt
    from skmoe.plotting import GateDisplay, GateRegionDisplay

    X = np.random.RandomState(0).normal(size=(30, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (EM stopped at max_iter)
        tree = HierarchicalMixtureRegressor(Ridge(), branching=(2,), max_iter=2,
                                            random_state=0).fit(X, X[:, 0] * np.abs(X[:, 1]))
    text = X.astype(str)
    with pytest.raises(ValueError, match=r"X is an array of strings \(dtype <U\d+\); the gate "
                                         r"needs numbers"):
        tree.predict_gate(text)
    try:
        with pytest.raises(ValueError, match=r"X is an array of strings \(dtype <U\d+\)"):
            draw(GateDisplay, GateRegionDisplay, tree, text)
        draw(GateDisplay, GateRegionDisplay, tree, X)   # the numbers themselves draw
    finally:
        plt.close("all")


def _numbers_with_a_pd_na(X):
    return np.array([pd.NA] + list(X[1:, 0]), dtype=object)


def _numbers_with_a_none(X):
    return np.array([None] + list(X[1:, 0]), dtype=object)


@pytest.mark.parametrize("rule", [_numbers_with_a_pd_na, _numbers_with_a_none])
def test_a_regression_rule_returning_missing_objects_is_told_they_are_missing(rule):
    # pd.NA among numbers was "returned non-numeric values (object) for a
    # regression rule", which did not say that a value was missing (None, read
    # as NaN, was "returned NaN or infinite values").
    X = np.random.RandomState(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match=r"RuleExpert\(" + rule.__name__ + r"\) returned "
                                         r"missing values \(None, NaN or pd\.NA\) for 1 of "
                                         r"20 rows; a rule must give every row a value\."):
        RuleExpert(rule).fit(X, X[:, 0])


class _LastStep:
    """A factory of LSTM experts that keep the last step (a module per call)."""

    def __call__(self):
        import torch

        class LastStep(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = torch.nn.LSTM(2, 4, batch_first=True)

            def forward(self, x):
                return self.lstm(x)[0][:, -1]

        return LastStep()


def _sequences():
    X = np.random.RandomState(0).normal(size=(20, 4, 2))
    return X, np.c_[X[:, -1, 0], X[:, 0, 1]]


@pytest.mark.parametrize("convert, what", [
    (lambda X: X.astype(str), r"strings \(dtype <U\d+\)"),
    (lambda X: (X * 1e6).astype("datetime64[s]"), r"dates \(dtype datetime64\[s\]\)"),
    (lambda X: (X * 1e6).astype("timedelta64[s]"), r"time spans \(dtype timedelta64\[s\]\)"),
])
def test_mmoe_three_dimensional_x_of_strings_or_dates_is_refused(convert, what):
    # check_array(dtype=float64) parses text and casts dates to their unit's
    # count: a 3-D X of strings or dates was fitted silently, where a 2-D
    # one is refused.
    X, Y = _sequences()
    model = MultiGateMixtureOfExperts(expert_module=_LastStep(), n_experts=2, max_iter=2,
                                      random_state=0)
    with pytest.raises(ValueError, match=r"X is a 3-D array of " + what + r"; "
                                         r"MultiGateMixtureOfExperts needs numbers"):
        model.fit(convert(X), Y)


def test_mmoe_three_dimensional_x_of_no_features_is_refused():
    # check_array asks a 2-D X only for a feature: fit stopped in the inputs'
    # scaling with numpy's "cannot reshape array of size 0 into shape (0)".
    X, Y = _sequences()
    model = MultiGateMixtureOfExperts(expert_module=_LastStep(), n_experts=2, max_iter=2)
    with pytest.raises(ValueError, match=r"X has shape \(20, 4, 0\): steps of 0 features; "
                                         r"MultiGateMixtureOfExperts needs at least one "
                                         r"feature per step\."):
        model.fit(X[:, :, :0], Y)


@pytest.mark.parametrize("target, what", [
    (pd.Series(pd.date_range("2020-01-01", periods=6)), "dates"),
    (pd.Series(pd.to_timedelta(np.arange(1, 7), unit="D")), "time spans"),
])
@pytest.mark.parametrize("method", ["log_likelihood_samples", "score"])
def test_a_fitted_tree_refuses_dates_or_time_spans_as_y_to_score(target, what, method):
    # fit refuses them (round 23), but log_likelihood_samples and score read
    # them as numbers in their unit, silently: -8.6e32 a row and R^2 -1.1e8
    # for the six dates, -2.6e24 a row and R^2 -4.2 for the time spans.
    X = np.random.RandomState(0).normal(size=(30, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (EM stopped at max_iter)
        tree = HierarchicalMixtureRegressor(Ridge(), branching=(2,), max_iter=2,
                                            random_state=0).fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"y holds " + what + r" \(dtype \w+\[\w+\]\), which "
                                         r"HierarchicalMixtureRegressor would read as numbers "
                                         r"in their unit"):
        getattr(tree, method)(X[:6], target)


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts([("a", Ridge()), ("b", Ridge(alpha=10.0))]),
])
@pytest.mark.parametrize("unit, what", [("datetime64[D]", "dates"),
                                        ("timedelta64[s]", "time spans")])
def test_multitask_regression_tasks_of_dates_or_time_spans_are_refused(make, unit, what):
    # astype(float64) reads them as counts of their unit: an array of dates
    # was fitted as days since 1970 (MMoE predicted 28.9 and 33.0 for the
    # first row) and scored as such (R^2 -2.85), silently. (A DataFrame's
    # date columns were refused as "not numeric".)
    X, Y = _two_tasks()
    dates = np.arange(60).reshape(30, 2).astype(unit)
    message = (r"Task 0 is a regression task but its column of y holds " + what
               + r" \(dtype " + unit.replace("[", r"\[").replace("]", r"\]") + r"\)")
    with pytest.raises(ValueError, match=message):
        make().fit(X, dates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (MMoE's two epochs do not converge)
        model = make().fit(X, Y)
    with pytest.raises(ValueError, match=message):
        model.score(X, dates)
