"""Leftovers, round 21: a fitted (frozen) expert in the heterogeneous
multi-task mixture, its MultiOutputRegressor hint where the wrapper would not
help, the positive class of threshold classifiers and of a search's scoring
inside a classifier mixture, and compare's table below 1e-3.

Each test failed before the change it names, but those marked a guard."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import FixedThresholdClassifier, GridSearchCV
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (ComparisonResult, CrossFitAverage, EnsembleClassifier,
                   HeterogeneousMultiGateMixtureOfExperts)


# --------- 5. compare's table below 1e-3: two significant digits, zeros kept
def test_table_below_a_thousandth_keeps_the_trailing_zeros_of_its_digits():
    # Fix in _compare._mean_std: 0.000500 ± 0.000010 read "0.0005 ± 1e-05",
    # one significant digit each, where the docstring promises the std's two
    # (and the mean to as many places, at least three digits).
    rmse = {"a": np.array([0.00049, 0.00051]), "b": np.array([0.0009, 0.0011])}
    scores = {n: {"neg_root_mean_squared_error": -v} for n, v in rmse.items()}
    times = {n: np.full(2, 0.01) for n in rmse}
    result = ComparisonResult(list(rmse), ["neg_root_mean_squared_error"], scores, times,
                              times, [20, 20], [10, 10])
    rows = {row.split()[0]: row for row in result.table().splitlines()[3:5]}
    assert "0.000500 ± 1.0e-05 *" in rows["a"]
    assert "0.00100 ± 0.00010  " in rows["b"]


# --------- 1. a fitted (frozen) expert in the heterogeneous multi-task mixture
def _regression(n=120):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, 100 + 20 * X[:, 0] + rng.normal(size=n)


@pytest.mark.parametrize("wrap", [lambda fitted: FrozenEstimator(fitted),
                                  lambda fitted: make_pipeline(FrozenEstimator(fitted)),
                                  lambda fitted: CrossFitAverage([fitted])])
def test_hetero_mixture_refuses_an_expert_fitted_already(wrap):
    # Fix in _mmoe_hetero._check_refitted: a Ridge frozen after fitting on y
    # (mean 100) was read as a prediction of the standardised target; the
    # gates gave that near-perfect expert weight 2e-8, silently.
    X, y = _regression()
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("fitted", wrap(Ridge().fit(X, y))), ("tree", DecisionTreeRegressor(max_depth=2))],
        cv=2, alpha=1.0, random_state=0)
    with pytest.raises(ValueError, match=r"Expert 'fitted' \(\w+\) is fitted already and is "
                                         r"not refitted.*Give the expert unfitted"):
        model.fit(X, y)
    # The same expert unfitted is fitted on the encoded target, and used.
    model.set_params(experts=[("fitted", Ridge()),
                              ("tree", DecisionTreeRegressor(max_depth=2))]).fit(X, y)
    assert np.sqrt(np.mean((model.predict(X) - y) ** 2)) < 1.5


# --------- 2. the MultiOutputRegressor hint only where the wrapper would help
def test_hetero_mixture_hints_the_wrapper_only_where_one_column_fits():
    # Fix in _mmoe_hetero._with_multi_output_hint: an IsotonicRegression
    # given X of 3 features fails on one column too, and was told to wrap
    # itself in MultiOutputRegressor, which fails the same.
    X, y = _regression(60)
    Y = np.column_stack([y, X[:, 1]])
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("iso", IsotonicRegression()), ("ridge", Ridge())], cv=2, alpha=1.0, random_state=0)
    with pytest.raises(ValueError, match=r"Expert 'iso'.*1 feature") as info:
        model.fit(X, Y)
    assert "MultiOutputRegressor" not in str(info.value)
    # With X of one feature its failure is the two columns: the hint stays.
    with pytest.raises(ValueError, match=r"Expert 'iso'.*2 columns.*so wrap it in "
                                         r"sklearn\.multioutput\.MultiOutputRegressor"):
        model.fit(X[:, :1], Y)
    # (Clipped: by default it predicts NaN beyond its training range.)
    model.set_params(experts=[("iso", MultiOutputRegressor(IsotonicRegression(
                                  out_of_bounds="clip"))),
                              ("ridge", Ridge())]).fit(X[:, :1], Y)


# --------- 3. the positive class of threshold classifiers and of a scoring
def _labels_1_and_2(seed=3):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(200, 4))
    return X, np.where(X[:, 0] + 0.8 * rng.normal(size=200) > 0.9, 1, 2)


def _ensemble(expert):
    return EnsembleClassifier([("e", expert), ("tree", DecisionTreeClassifier(max_depth=2))])


@pytest.mark.parametrize("scoring", ["f1", ["f1", "accuracy"],
                                     {"f1": make_scorer(f1_score, pos_label=1)}])
def test_search_scoring_inside_a_mixture_chooses_as_the_search_alone(scoring):
    # Fix in _base.encode_scoring_labels: with the labels 1 and 2 'f1' scored
    # the label 2 (encoded as 1) inside the mixture, and the search chose
    # C=0.1 (best F1 0.913) where alone it chose C=1.0 (0.604).
    X, y = _labels_1_and_2()
    search = GridSearchCV(LogisticRegression(), {"C": [1e-3, 1e-2, 0.1, 1.0]},
                          scoring=scoring, refit="f1", cv=3)
    alone = clone(search).fit(X, y)
    inside = _ensemble(search).fit(X, y).named_experts_["e"]
    assert inside.best_params_ == alone.best_params_ == {"C": 1.0}
    assert inside.best_score_ == pytest.approx(alone.best_score_, abs=1e-12)
    assert search.scoring is scoring          # the user's search is left as given


def test_threshold_pos_label_inside_a_mixture_names_a_label_of_y():
    # Fix in _base.encode_threshold_labels: pos_label=1 with the labels 1 and
    # 2 thresholded the probability of the label 2 (encoded as 1): the
    # expert's predictions agreed with its own alone on 52 % of the rows.
    X, y = _labels_1_and_2()
    fixed = FixedThresholdClassifier(LogisticRegression(), threshold=0.9, pos_label=1)
    model = _ensemble(fixed).fit(X, y)
    np.testing.assert_array_equal(model.classes_[model.named_experts_["e"].predict(X)],
                                  clone(fixed).fit(X, y).predict(X))
    with pytest.raises(ValueError, match=r"Expert 'e': pos_label=3 is not a label of y"):
        _ensemble(clone(fixed).set_params(pos_label=3)).fit(X, y)


def test_scorer_pos_label_that_names_no_label_is_refused_or_warned():
    # A given pos_label that is no label of y was an error inside the search
    # (error_score=nan: every candidate NaN, with warnings); the metric's
    # default pos_label=1 with the labels 'a' and 'b' scored 'b', silently.
    X, y = _labels_1_and_2()
    labels = np.where(y == 1, "a", "b")
    search = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0]},
                          scoring=make_scorer(f1_score, pos_label="c"), cv=3)
    with pytest.raises(ValueError, match=r"Expert 'e': scoring=.*pos_label=c.* is not a label "
                                         r"of y \(the labels are \['a', 'b'\]\)"):
        _ensemble(search).fit(X, labels)
    inside = _ensemble(search.set_params(scoring=make_scorer(f1_score, pos_label="a"))
                       ).fit(X, labels).named_experts_["e"]
    assert inside.best_score_ == pytest.approx(clone(search).fit(X, labels).best_score_)
    with pytest.warns(UserWarning, match=r"Expert 'e': scoring='f1' scores pos_label=1 .*no "
                                         r"label of y.* scores y's label 'b'"):
        _ensemble(search.set_params(scoring="f1")).fit(X, labels)
