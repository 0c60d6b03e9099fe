"""Leftovers of earlier sessions, round 15: the plain average's one-class
weights, the rows of an expert's NaN predictions, CrossFitAverage's fits
checked in fit, dict views and arrays of pairs as experts, the
multi-gate mixtures' misspelt sample_weight, zero weights beside a
precomputed-kernel expert, the CLI's infinite scores.

Each test failed before the change it names."""

import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (CrossFitAverage, EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts)


def _binary(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 3)
    return X, (X[:, 0] > 0).astype(int)


# ------------------- 1. the plain average refuses weights of one class only
@pytest.mark.parametrize("weights", [None, [1.0, 2.0]])
def test_plain_average_refuses_weights_of_one_class(weights):
    X, y = _binary()
    experts = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(random_state=0))]
    with pytest.raises(ValueError, match=r"Only class 1 has rows of positive sample_weight"):
        EnsembleClassifier(experts, weights=weights).fit(X, y, sample_weight=(y == 1) * 1.0)


# ------------------- 2. an expert's NaN predictions: how many rows, and which
class _NaNOnSomeRows(RegressorMixin, BaseEstimator):
    """A regressor that predicts NaN on rows 4, 17 and 99 of what it is given
    (infinity on row 17), for arrays of at least 100 rows."""

    def fit(self, X, y, sample_weight=None):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        pred = np.full(len(X), self.mean_)
        pred[[4, 99]] = np.nan
        pred[17] = np.inf
        return pred


def test_nan_predictions_name_their_rows():
    # "Expert 'x' returned NaN or infinite predictions." and no more: the user
    # had to predict with the expert alone to find the rows.
    rng = np.random.RandomState(0)
    X = rng.randn(120, 2)
    y = X[:, 0]
    model = EnsembleRegressor([("ridge", Ridge()), ("x", _NaNOnSomeRows())]).fit(X, y)
    with pytest.raises(ValueError, match=re.escape(
            "Expert 'x' returned NaN or infinite predictions on 3 of 120 rows (first: 4, "
            "17, 99; positions counted from 0).")):
        model.predict(X)


# ------------------- 3. CrossFitAverage checks its fits in fit, naming the fit
def test_cross_fit_average_fits_of_different_widths_refused_at_fit():
    # Accepted by fit; predict failed with the later fit's own "X has 2
    # features, but Ridge is expecting 3", naming no position.
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    y = X[:, 0]
    average = CrossFitAverage([Ridge().fit(X[:, :2], y), Ridge().fit(X, y)], name="r")
    with pytest.raises(ValueError, match=re.escape(
            "CrossFitAverage of expert 'r': fit 1 (Ridge) was fitted on 3 features, fit 0 "
            "on 2")):
        average.fit(X[:, :2], y)


class _RepeatedClasses(LogisticRegression):
    """A classifier whose classes_ repeat a class (its columns cannot be placed)."""

    def fit(self, X, y):
        super().fit(X, y)
        self.classes_ = np.array([0, 0])
        return self


def test_cross_fit_average_classes_that_cannot_be_aligned_refused_at_fit():
    # Accepted, and predict_proba placed the repeated class's last column over
    # the other and renormalised the rows: wrong probabilities, silently.
    X, y = _binary(40)
    fits = [LogisticRegression().fit(X, y), _RepeatedClasses().fit(X, y)]
    with pytest.raises(ValueError, match=r"fit 1 \(_RepeatedClasses\) has classes_ \[0, 0\], "
                                         "which repeat a class"):
        CrossFitAverage(fits, n_classes=2).fit(X, y)


# ------------------- 4. a dict's items() or an array of pairs: the dict's hint
def _pairs_array():
    pairs = np.empty((2, 2), dtype=object)
    pairs[:] = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]
    return pairs


@pytest.mark.parametrize("model", [MixtureOfExpertsRegressor, EnsembleRegressor])
@pytest.mark.parametrize("experts", [
    lambda: {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=2)}.items(),
    _pairs_array], ids=["dict_items", "array"])
def test_experts_as_dict_items_or_array_get_the_dict_hint(model, experts):
    # "got dict_items." / "got ndarray." and no way out, where a dict got
    # "pass list(experts.items())".
    X, y = _binary(30)
    with pytest.raises(TypeError, match=re.escape("pass list(experts.items())")):
        model(experts()).fit(X, X[:, 0])


# ------------------- 5. the multi-gate mixtures name a misspelt sample_weight
@pytest.mark.parametrize("model", [
    MultiGateMixtureOfExperts,
    lambda: HeterogeneousMultiGateMixtureOfExperts([("ridge", Ridge()), ("r", Ridge(2.0))])],
    ids=["mmoe", "hetero"])
@pytest.mark.parametrize("keyword", ["sample_weights", "weights"])
def test_multi_gate_mixtures_name_misspelt_sample_weight(model, keyword):
    # Python's bare "got an unexpected keyword argument 'sample_weights'",
    # where the other estimators say "the rows' weights are its sample_weight".
    X, _ = _binary(20)
    model = model()
    with pytest.raises(TypeError, match=re.escape(
            f"{type(model).__name__}.fit got the keyword {keyword}=, which it does not "
            "take: the rows' weights are its sample_weight.")):
        model.fit(X, X[:, :2], **{keyword: np.ones(20)})


def test_hetero_multi_gate_mixture_other_keywords_refused_as_python_does():
    # (fit now takes **fit_params for the hint above: any other keyword must
    # still be refused, not silently taken.)
    X, _ = _binary(20)
    with pytest.raises(TypeError, match=re.escape(
            "HeterogeneousMultiGateMixtureOfExperts.fit() got an unexpected keyword "
            "argument 'foo'")):
        HeterogeneousMultiGateMixtureOfExperts([("ridge", Ridge()), ("r", Ridge(2.0))]).fit(
            X, X[:, :2], foo=1)


# ------------------- 6. zero weights beside a precomputed-kernel expert: why
@pytest.mark.parametrize("model", [
    lambda experts: MixtureOfExpertsRegressor(experts, training="em", cv=None, max_iter=3,
                                              random_state=0),
    lambda experts: HierarchicalMixtureRegressor(experts, branching=2, max_iter=3,
                                                 random_state=0)], ids=["em", "hme"])
def test_zero_weights_beside_a_precomputed_kernel_expert_say_why(model):
    # The rows of zero weight were left out of the kernel's rows only, and
    # the expert failed with "Precomputed matrix must be a square matrix.
    # Input is a 55x60 matrix", which did not say why.
    rng = np.random.RandomState(0)
    Z = rng.randn(60, 2)
    weight = np.ones(60)
    weight[:5] = 0.0
    experts = [("svr", SVR(kernel="precomputed")), ("ridge", Ridge())]
    with pytest.raises(ValueError, match=r"Expert 'svr' \(SVR\) takes a precomputed kernel.*"
                                         r"the 5 row\(s\) of zero sample_weight are left out.*"
                                         "cannot be fitted on a subset of its rows"):
        model(experts).fit(Z @ Z.T, Z[:, 0], sample_weight=weight)


# ------------------- 7. the CLI's mixture-vs-greedy line: an infinite score
def test_cli_greedy_line_calls_an_infinite_score_infinite(tmp_path, monkeypatch, capsys):
    # The line after the table called _describe_test without missing: a
    # score of -inf read "no test: a score is NaN" where the table says inf.
    from skmoe import _compare
    from skmoe._cli import GREEDY, main

    def fake_compare(estimators, X, y, **kwargs):
        names = ["mixture", GREEDY]
        scores = {"mixture": {"r2": np.array([0.5, -np.inf])},
                  GREEDY: {"r2": np.array([0.6, 0.6])}}
        ones = {name: np.ones(2) for name in names}
        return _compare.ComparisonResult(names, ["r2"], scores, ones, ones, [20] * 2,
                                         [10] * 2)

    monkeypatch.setattr(_compare, "compare", fake_compare)
    rng = np.random.RandomState(0)
    path = tmp_path / "data.csv"
    path.write_text("x,y\n" + "\n".join(f"{a:.4f},{2 * a:.4f}" for a in rng.randn(40)) + "\n")
    assert main(["compare", str(path), "--target", "y", "--experts", "linear,tree", "--cv",
                 "2", "--repeats", "1", "--n-jobs", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"mixture vs {GREEDY} on r2" in out
    assert "(no test: a score is infinite)" in out
    assert "a score is NaN" not in out
