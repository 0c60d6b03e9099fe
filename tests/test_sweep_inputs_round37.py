"""Bad-input sweep, round 37: scikit-learn's wrappers and odd containers.

Probed (no defect found unless a test below names it): the estimators inside
Pipeline, cross_val_predict, TransformedTargetRegressor,
CalibratedClassifierCV and BaggingRegressor/Classifier (max_features too),
sample_weight routed with enable_metadata_routing=True through Pipeline,
cross_validate, GridSearchCV and TransformedTargetRegressor (weighted fits
match direct ones); predict on 0 rows, on a list of lists, a tuple, a
generator, a 1-D array and a Series for a 1-feature model; a classifier
refitted on fewer classes; refits with another number of features; integer,
mixed, unicode and 500-character column names; experts returning float16,
int or (n, 1) predictions, raising in predict on some rows only, or whose
classes_ (and predict_proba columns) are in reverse order; random_state as a
RandomState (clones reproduce) or a Generator (refused by name); the plotting
displays, bic/aic/log_likelihood_scorer, select_n_experts' candidates,
CrossFitAverage's weights and fits, AutoGateTransformer, compare's cv,
scoring, pair, groups and n_jobs, RuleExpert with rules returning odd
objects and odd params; the multi-task mixtures' y containers; experts'
predict_proba with too few columns, unnormalised, negative, NaN, float16 or
a list; groups routed to a mixture's GroupKFold cv; MultiIndex, sparse-dtype
and 5,000-character column names; a cv generator refitted (already named);
MLPGate's and the gradient trainer's odd settings; HME branching values.

Each test here failed before the fix it names.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import KFold

from skmoe import (EnsembleRegressor, MixtureOfExpertsRegressor, MultiGateMixtureOfExperts,
                   bic, compare, select_n_experts)
from skmoe._compare import ComparisonResult
from skmoe.experts import RuleExpert


def _data(n=30):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("rule, said", [
    (lambda X: None, r"returned None \(does the function end without a return\?\)"),
    (lambda X: (v for v in X[:, 0]), r"returned an iterator, not an array \(collect it: "
                                     r"np\.fromiter\(\.\.\.\)\)"),
    (lambda X: 1.5, r"returned one value \(1\.5\)"),
], ids=["none", "generator", "scalar"])
@pytest.mark.parametrize("task", ["regression", "classification"])
def test_a_rule_returning_no_array_is_told_what_it_returned(rule, said, task):
    # All three were "returned an array of shape () for 30 rows": a shape for
    # a missing return, a generator or a single number.
    X, y = _data()
    if task == "classification":
        y = (y > 0).astype(int)
    with pytest.raises(ValueError, match=r"RuleExpert\(<lambda>\) " + said
                                         + r" for 30 rows; a rule must return one value per "
                                           r"row, shape \(30,\)\."):
        RuleExpert(rule, task=task).fit(X, y)


def test_compare_names_an_infinite_score():
    # A scorer giving inf (a log-likelihood of -inf on a row of zero density)
    # printed 'inf ± nan' with only numpy's "invalid value encountered in
    # subtract" to say why; NaN scores were already named.
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning, match=r"ridge scored -inf on 2 of 2 splits by "
                                                 r"score; its mean is -inf and its spread "
                                                 r"undefined\."):
            compare({"ridge": Ridge()}, X, y, cv=KFold(2),
                    scoring=lambda est, X, y: -np.inf)


def test_the_comparison_table_prints_huge_scores_in_scientific_notation():
    # Fixed point printed every digit: a mean log-likelihood of -4.4e59 took
    # 60 characters and the table's column 130.
    scores = {"a": {"score": np.array([-1e60, -3e59, -4e58])},
              "b": {"score": np.array([-2.5e12, -2.5e12, -2.5e12])}}
    result = ComparisonResult(["a", "b"], ["score"], scores,
                              {"a": np.ones(3), "b": np.ones(3)},
                              {"a": np.ones(3), "b": np.ones(3)}, [20] * 3, [10] * 3)
    rows = result.table().splitlines()[3:]
    assert rows[0].split()[:4] == ["a", "-4.5e+59", "±", "4.1e+59"]
    assert rows[1].split()[:4] == ["b", "-2.500e+12", "±", "0.0e+00"]   # (no spread: 4 digits)
    assert max(len(row) for row in rows) < 60


def _split_generator(n):
    return KFold(3).split(np.zeros((n, 1)))


@pytest.mark.parametrize("call, who", [
    (lambda X, y: compare({"moe": MixtureOfExpertsRegressor(
        [("a", Ridge()), ("b", Ridge(alpha=10.0))], training="em", max_iter=2,
        random_state=0, cv=_split_generator(len(X)))}, X, y, cv=2),
     r"Model 'moe' failed to fit on a split of 15 training rows: MixtureOfExpertsRegressor"),
    (lambda X, y: select_n_experts(MixtureOfExpertsRegressor(
        Ridge(), training="em", max_iter=2, random_state=0, cv=_split_generator(len(X))),
        X, y, candidates=(2,)), r"MixtureOfExpertsRegressor"),
    (lambda X, y: EnsembleRegressor([("rcv", RidgeCV(cv=_split_generator(len(X)))),
                                     ("r", Ridge())]).fit(X, y), r"Expert 'rcv' \(RidgeCV\)"),
], ids=["compare", "select_n_experts", "expert"])
def test_a_generator_as_cv_is_named_where_the_model_is_copied(call, who):
    # clone() deep-copies parameters: a generator of splits failed with a
    # bare "cannot pickle 'generator' object" (select_n_experts), or an
    # expert was told its __init__ did not store its arguments.
    X, y = _data()
    with pytest.raises(TypeError, match=who + r" cannot be copied for a new fit: its parameter "
                                              r"cv is an iterator \(generator, such as "
                                              r"KFold\(5\)\.split\(X\)\)"):
        call(X, y)


def _result(bad):
    scores = {"a": {"r2": np.array([0.5, bad, 0.7])}, "b": {"r2": np.array([0.6, 0.6, 0.65])}}
    ones = {"a": np.ones(3), "b": np.ones(3)}
    return ComparisonResult(["a", "b"], ["r2"], scores, ones, ones, [20] * 3, [10] * 3,
                            pair=("a", "b"))


def test_the_paired_test_line_says_a_score_is_infinite_not_nan():
    # A score of -inf left no test, explained as "a score is NaN".
    assert "p = nan (no test: a score is infinite)" in _result(-np.inf).table()
    assert "p = nan (no test: a score is NaN)" in _result(np.nan).table()


@pytest.mark.parametrize("bad", [np.nan, -np.inf], ids=["nan", "-inf"])
def test_the_comparison_display_names_scores_it_cannot_draw(bad):
    # matplotlib skips NaN and inf silently: model 'a' was drawn with two
    # points of three and no mean, as if that were its whole result.
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skmoe.plotting import ComparisonDisplay
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning, match=rf"^a scored {bad} on 1 of 3 splits by r2: "
                                                 r"those points, and its mean and spread, are "
                                                 r"not drawn\.$"):
            ComparisonDisplay.from_result(_result(bad))
    plt.close("all")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bic_tells_multigate_mixture_it_is_multi_task():
    # MultiGateMixtureOfExperts has no experts_: it was told bic needs "a
    # fitted skmoe mixture (an estimator with experts_)", which it is; the
    # heterogeneous one already got the multi-task reason.
    X, y = _data()
    model = MultiGateMixtureOfExperts(tasks=["regression"], max_iter=1, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match=r"MultiGateMixtureOfExperts is a multi-task model: it "
                                        r"does not define a likelihood of y given X"):
        bic(model, X, y)


@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("a", Ridge()), ("b", Ridge(alpha=10.0))]),
    lambda: MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge(alpha=10.0))],
                                      training="em", max_iter=2, random_state=0),
], ids=["ensemble", "mixture"])
def test_text_at_predict_in_a_column_of_numbers_names_the_column(make):
    # Fit named the column; predict said only "could not convert string to
    # float: 'n/a'", with 30 columns to search.
    pd = pytest.importorskip("pandas")
    X, y = _data()
    frame = pd.DataFrame(X, columns=["age", "income"])
    model = make().fit(frame, y)
    frame = frame.astype({"income": object})
    frame.loc[3, "income"] = "n/a"
    with pytest.raises(ValueError, match=r"Expert 'a' \(Ridge\) failed in predict: could not "
                                         r"convert string to float: 'n/a' \(X's column\(s\) "
                                         r"'income' hold categories or strings, which this "
                                         r"expert cannot read as numbers: give it numbers "
                                         r"there, as in fit\)"):
        model.predict(frame)


def test_compare_names_inf_and_minus_inf_without_numpy_warnings():
    # A model scoring inf on one split and -inf on another: its mean is NaN;
    # numpy's "invalid value encountered in reduce" came with the warning
    # and again when the table was printed.
    X, y = _data()
    scores = iter([np.inf, -np.inf])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compare({"r": Ridge()}, X, y, cv=KFold(2),
                         scoring=lambda est, X, y: next(scores))
        table = result.table()
    assert [str(w.message) for w in caught] == [
        "r scored -inf/inf on 2 of 2 splits by score; its mean is nan and its spread "
        "undefined."]
    assert "nan ± nan" in table
