"""Numerical extremes and degenerate data: tiny or huge targets, degenerate X,
extreme sample weights, experts with extreme predictions."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor)


def _regression(n=80, n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    return X, X[:, 0] + np.sin(2 * X[:, 1]) + 0.1 * rng.normal(size=n)


# -- targets on extreme scales ---------------------------------------------------
@pytest.mark.parametrize("scale", [1e-6, 1e-12])
def test_tree_mixture_predictions_follow_a_small_scale_of_y(scale):
    # Its leaves' noise variances were floored at 1e-6 var(y) + 1e-12: for y of
    # order 1e-6 the fixed 1e-12 outweighed every leaf's variance, the posteriors
    # came out flat and the predictions differed from those for y by 0.8
    # standard deviations of y (no error).
    X, y = _regression()
    make = lambda: HierarchicalMixtureRegressor(  # noqa: E731
        [("ridge", Ridge()), ("knn", KNeighborsRegressor())], branching=2, max_iter=5,
        random_state=0)
    base = make().fit(X, y).predict(X)
    assert_allclose(make().fit(X, scale * y).predict(X) / scale, base, rtol=0,
                    atol=1e-9 * np.std(y))


# -- experts with extreme predictions ----------------------------------------------
class FarOutRegressor(RegressorMixin, BaseEstimator):
    """X[:, 0], and ``value`` on rows whose X[:, 2] exceeds 100 (none in training)."""

    def __init__(self, value=1e200):
        self.value = value

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.where(X[:, 2] > 100, self.value, X[:, 0])


def test_mixture_moments_of_predictions_far_apart_are_finite():
    from skmoe._likelihood import gaussian_mixture_moments
    gate = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])
    predictions = np.array([[0.0, 1e200, 1.0], [1.0, 2.0, 1e200]])
    mean, std = gaussian_mixture_moments(gate, predictions, np.array([1.0, 4.0, 1.0]))
    assert_allclose(mean, [5e199, 2.0])
    assert_allclose(std, [5e199, 2.0])    # was [inf, nan]


@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsRegressor(experts, random_state=0),
    lambda experts: MixtureOfExpertsRegressor(experts, training="em", top_k=2,
                                              random_state=0),
    lambda experts: HierarchicalMixtureRegressor(experts, branching=3, max_iter=5,
                                                 random_state=0),
])
def test_predictive_std_of_an_expert_far_out_is_finite(make):
    # An expert predicting 1e200 at predict time (finite) gave a finite mean and
    # a standard deviation of inf (its squared spread overflowed), or NaN where
    # the expert was off the route (0 * inf).
    X, y = _regression()
    model = make([("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3)),
                  ("far", FarOutRegressor())])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    far = X.copy()
    far[::5, 2] = 1e3
    mean, std = model.predict(far, return_std=True)
    assert np.isfinite(mean).all() and np.isfinite(std).all()
    near_mean, near_std = model.predict(X, return_std=True)
    rows = np.arange(len(X)) % 5 != 0
    assert_allclose(std[rows], near_std[rows]) and assert_allclose(mean[rows], near_mean[rows])
    assert np.all(std[::5] < 1e200)


# -- extreme sample weights ----------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())],
                              weights="greedy", random_state=0),
    lambda: EnsembleClassifier([("logit", LogisticRegression()),
                                ("tree", DecisionTreeClassifier())],
                               weights="greedy", random_state=0),
])
def test_one_weighted_row_is_named_by_the_greedy_ensemble(make):
    # One row of positive weight: the folds that held it out trained on rows
    # of zero weight only, and the expert's own message ("Sample weights must
    # contain at least one non-zero number") did not say why. Rows of zero
    # weight are now left out before the folds are made, as in the mixtures.
    X, y = _regression(n=60)
    match = r"got 1 of positive sample_weight \(the 59 rows of zero weight are left out\)"
    if isinstance(make(), EnsembleClassifier):
        y = (y > 0).astype(int)
        # One row is one class, named as the mixtures name it.
        match = (r"Only class 1 has rows of positive sample_weight \(y has 2 classes; rows of "
                 r"zero weight are left out\)")
    with pytest.raises(ValueError, match=match):
        make().fit(X, y, sample_weight=np.r_[1.0, np.zeros(59)])


@pytest.mark.parametrize("make, match", [
    # The mixture leaves rows of zero weight out of the whole fit.
    (lambda experts: MixtureOfExpertsRegressor(experts, top_k=1, random_state=0),
     r"got 1 of positive sample_weight \(the 59 rows of zero weight are left out\)"),
    # The tree: two leaves for one row of positive weight are refused before
    # any leaf is fitted (it was LightGBM's "1 sample(s)", with a hint).
    (lambda experts: HierarchicalMixtureRegressor(experts, branching=2, max_iter=2,
                                                  random_state=0),
     r"branching=\(2,\) has 2 leaves, more than its training rows \(n_samples=1 of "
     r"positive sample_weight; the 59 rows of zero weight are left out\)"),
])
def test_an_expert_fitted_on_the_one_row_of_positive_weight_says_so(make, match):
    # The rows of zero weight are left out of an expert's fit: with one row of
    # positive sample_weight LightGBM said "Found array with 1 sample(s)" of the
    # 60 rows given, and nothing about the weights.
    from lightgbm import LGBMRegressor
    X, y = _regression(n=60)
    experts = [("ridge", Ridge()), ("gbm", LGBMRegressor(n_estimators=5, verbose=-1))]
    with pytest.raises(ValueError, match=match):
        make(experts).fit(X, y, sample_weight=np.r_[1.0, np.zeros(59)])


def test_a_leaf_of_the_tree_mixture_on_few_rows_is_not_fitted_on_one_row():
    # On six rows a leaf's posterior underflowed to exactly zero on five of them:
    # LightGBM, fitted on the sixth alone, refused "1 sample(s)".
    from lightgbm import LGBMRegressor
    X, y = _regression(n=6)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3)),
               ("gbm", LGBMRegressor(n_estimators=20, verbose=-1)),
               ("knn", KNeighborsRegressor(n_neighbors=2))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = HierarchicalMixtureRegressor(experts, branching=4, max_iter=5,
                                             random_state=0).fit(X, y)
    assert np.isfinite(model.predict(X)).all()


class WeightBlindRidge(Ridge):
    """Ridge that takes sample_weight and ignores it (so that huge weights fit)."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(X, y)


class WeightBlindMean(WeightBlindRidge):
    """The mean of y, whatever X (a constant expert)."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(np.zeros_like(X), y)


@pytest.mark.parametrize("weight", [np.float64(1e307), np.float32(3e38)])
def test_greedy_weights_of_rows_weighted_near_the_largest_float(weight):
    # The selection loss normalised the weights by their sum, which overflowed:
    # every row weighed 0 and the first expert (here a constant) won every round.
    from skmoe._ensemble import ensemble_selection
    X, y = _regression()
    P = np.column_stack([np.full_like(y, y.mean()), y + 0.1, y - 0.3])
    expected = ensemble_selection(P, y, 10)
    assert_allclose(expected, [0.0, 0.7, 0.3])
    assert_allclose(ensemble_selection(P, y, 10, np.full(len(y), weight)), expected)
    experts = [("mean", WeightBlindMean()), ("ridge", WeightBlindRidge())]
    plain = EnsembleRegressor(experts, weights="greedy", random_state=0).fit(X, y)
    # Weights whose sum fits a float64 give the same weights. The ensemble
    # refuses weights whose sum overflows: its experts get them as they are,
    # and most experts' sums overflowed, blamed on the expert.
    fits = np.isfinite(np.float64(weight) * len(y))
    heavy = EnsembleRegressor(experts, weights="greedy", random_state=0).fit(
        X, y, sample_weight=np.full(len(y), weight if fits else weight / len(y)))
    assert plain.weights_[1] > 0.9
    assert_allclose(heavy.weights_, plain.weights_)
    if not fits:
        with pytest.raises(ValueError, match="sample_weight sums to more than the largest"):
            EnsembleRegressor(experts, weights="greedy", random_state=0).fit(
                X, y, sample_weight=np.full(len(y), weight))
