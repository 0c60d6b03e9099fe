"""Correctness sweep: numbers the library reports, checked against an
independent computation (numpy, scipy, scikit-learn) on tiny exact cases.

Each test here failed before the fix it names.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.tree import DecisionTreeClassifier

from skmoe import (HierarchicalMixtureClassifier, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from skmoe._selection import _SingleExpert


def _three_blobs(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    codes = np.digitize(X[:, 0] + 0.3 * X[:, 1], [-0.5, 0.5])
    return X, np.array(["zeta", "alpha", "mid"])[codes]


def _log_proba_at(proba, classes, y):
    """log predict_proba at each row's label, by hand (log 0 floored at 1e-300)."""
    picked = proba[np.arange(len(y)), np.searchsorted(classes, y)]
    return np.log(np.maximum(picked, 1e-300))


def test_hme_classifier_log_likelihood_is_the_log_of_predict_proba():
    # Fix in _hme.py (log_likelihood_samples): every leaf was floored at 1e-6
    # (an EM-only floor), so a label that all the leaves (pure trees) rule out
    # scored log(1e-6) = -13.8 while predict_proba gave it probability 0.
    X, y = _three_blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        hme = HierarchicalMixtureClassifier(DecisionTreeClassifier(max_depth=2),
                                            branching=(2,), max_iter=5,
                                            random_state=0).fit(X, y)
    X_new = np.random.RandomState(1).normal(size=(40, 2)) * 3
    y_new = np.array(["zeta", "alpha", "mid"])[np.arange(40) % 3]
    proba = hme.predict_proba(X_new)
    # Where every leaf rules the label out, only class_prior_'s share is left.
    share, frequencies = hme.class_prior_
    codes = np.searchsorted(hme.classes_, y_new)
    assert_allclose(proba[np.arange(40), codes].min(), share * frequencies[codes].min(),
                    rtol=1e-12)
    assert_allclose(hme.log_likelihood_samples(X_new, y_new),
                    _log_proba_at(proba, hme.classes_, y_new), rtol=1e-12)


def test_single_expert_of_select_n_experts_scores_its_own_probabilities():
    # Fix in _selection.py (_SingleExpert.log_likelihood_samples): the k = 1
    # candidate of select_n_experts floored its expert at 1e-6 (-13.8 for a
    # label the tree rules out) while every mixture candidate scores the log
    # of its predict_proba (-690.8): k = 1 was favoured.
    X, y = _three_blobs()
    one = _SingleExpert(DecisionTreeClassifier(max_depth=1, random_state=0)).fit(X, y)
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    X_new = np.random.RandomState(1).normal(size=(40, 2)) * 3
    y_new = np.array(["zeta", "alpha", "mid"])[np.arange(40) % 3]
    proba = tree.predict_proba(X_new)
    assert np.any(proba[np.arange(40), np.searchsorted(tree.classes_, y_new)] == 0)
    # With the mixtures' 1/n^2 share of the class frequencies (class_prior_,
    # tests/test_sweep_numbers_round36.py), which the mixture candidates mix
    # into the probabilities they score.
    share = 1.0 / len(y) ** 2
    frequencies = np.unique(y, return_counts=True)[1] / len(y)
    assert_allclose(one.log_likelihood_samples(X_new, y_new),
                    _log_proba_at((1 - share) * proba + share * frequencies, tree.classes_,
                                  y_new), rtol=1e-12)


@pytest.mark.parametrize("cv", [np.int64(4), np.int32(4)])
def test_compare_numpy_integer_cv_is_the_documented_shuffled_kfold(cv):
    # Fix in _compare.py (compare): only a Python int made the documented
    # shuffled K-fold; a numpy integer went to check_cv, unshuffled KFold, and
    # every score (and the paired test) came from other folds.
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import KFold, cross_val_score

    from skmoe import compare
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.3 * rng.normal(size=40)
    result = compare({"line": LinearRegression()}, X, y, cv=cv, scoring="r2")
    by_hand = cross_val_score(LinearRegression(), X, y, scoring="r2",
                              cv=KFold(4, shuffle=True, random_state=0))
    assert_allclose(result.scores["line"]["r2"], by_hand, rtol=1e-12)


@pytest.mark.parametrize("n_rows", [61, 60])   # an integer median, and 1.5
def test_gate_display_along_an_integer_column_is_the_gate_at_its_grid(n_rows):
    # Fix in plotting.py (_grid_input): the grid of an integer DataFrame
    # column was cast to int, so the weights drawn at 0.5 were the gate's at 0
    # (and a median of 1.5 for the other rows failed to build them at all).
    pd = pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.linear_model import LinearRegression

    from skmoe import MixtureOfExpertsRegressor, MLPGate
    from skmoe.plotting import GateDisplay
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.randint(0, 4, n_rows), "b": rng.normal(size=n_rows)})
    y = np.where(X["a"] >= 2, 5.0, -5.0) + 0.1 * rng.normal(size=n_rows)
    model = MixtureOfExpertsRegressor(
        LinearRegression(), n_experts=2, training="em", cv=None, max_iter=5,
        gate=MLPGate(hidden_layer_sizes=(), max_iter=30), random_state=0).fit(X, y)
    display = GateDisplay.from_estimator(model, X, "a", grid_resolution=7)
    plt.close("all")
    assert_allclose(display.grid, np.linspace(0, 3, 7))
    by_hand = model.predict_gate(pd.DataFrame(
        {"a": display.grid, "b": np.full(7, X["b"].median())}))
    # (The gate moves between the grid's integer and half-integer points.)
    assert np.ptp(by_hand[:, 0]) > 0.5
    assert_allclose(display.gate_weights, by_hand, rtol=1e-12, atol=1e-15)


class _Shifted(RegressorMixin, BaseEstimator):
    """Predicts feature 0 plus ``shift``; its fit learns nothing, so its
    out-of-fold and refitted predictions are the same numbers."""

    def __init__(self, shift=0.0):
        self.shift = shift

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0] + self.shift


class _FixedProba(ClassifierMixin, BaseEstimator):
    """softmax(scale * X[:, :3]) over three classes; its fit learns nothing."""

    def __init__(self, scale=1.0):
        self.scale = scale

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.arange(3)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_proba(self, X):
        z = np.asarray(X, dtype=float)[:, :3] * self.scale
        p = np.exp(z - z.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)


@pytest.mark.parametrize("params", [dict(training="gradient", max_epochs=20),
                                    dict(training="em", max_iter=5),
                                    dict(training="em", max_iter=5, cv=None)])
def test_capacity_routed_fit_reports_the_likelihood_of_the_model_predict_uses(params):
    # Fix in _em.e_step and _joint.JointModel._log_weights: the capacity
    # (a training aid; predict routes without it) was also applied when the
    # fit scored its final model, so log_likelihood_ (-2.41 against -2.25 by
    # log_likelihood_samples) and the gradient trainer's noise_variance_
    # (5.01 against 5.30) described another routing than predict's.
    rng = np.random.RandomState(0)
    n = 200
    x = rng.normal(size=n)
    y = np.where(rng.rand(n) < 0.5, x + 4 + 1.5 * rng.normal(size=n),
                 x + 0.5 * rng.normal(size=n))
    X = np.column_stack([x, rng.normal(size=n)])
    experts = [("lo", _Shifted(0.0)), ("hi", _Shifted(4.0)), ("mid", _Shifted(2.0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(experts, top_k=1, capacity_factor=1.0,
                                        random_state=0, **params).fit(X, y)
    assert_allclose(moe.log_likelihood_, moe.log_likelihood_samples(X, y).mean(),
                    rtol=1e-6)
    if params.get("cv", "auto") is None:
        return   # exact EM's variances are its M-step's (responsibility-weighted)
    G, F = moe.predict_gate(X), moe.predict_experts(X)
    used = G.sum(axis=0) > 0
    by_hand = (G * (y[:, None] - F) ** 2).sum(axis=0)[used] / G.sum(axis=0)[used]
    assert_allclose(moe.noise_variance_[used], by_hand, rtol=1e-5)


@pytest.mark.parametrize("weighted", [False, True])
def test_stacked_classifier_reports_the_likelihood_of_its_predict_proba(weighted):
    # Fix in _blend.fit_stacked_gate: the classifier's log_likelihood_ scored
    # the gate's mixture alone, not the candidate blend predict_proba gives
    # (-1.01 against -0.50 per row here), as the regressor's already did.
    rng = np.random.RandomState(1)
    n = 300
    X = rng.normal(size=(n, 3))
    y = np.array(["x", "y", "z"])[np.argmax(2 * X[:, [1, 2, 0]] + rng.gumbel(size=(n, 3)), 1)]
    weight = rng.randint(1, 4, size=n).astype(float) if weighted else None
    experts = [("a", _FixedProba(1.0)), ("b", _FixedProba(0.2)), ("c", _FixedProba(-0.5))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsClassifier(experts, random_state=0).fit(X, y,
                                                                      sample_weight=weight)
    assert moe.combiner_ is not None     # the heads have a share of predict_proba
    by_hand = _log_proba_at(moe.predict_proba(X), moe.classes_, y)
    assert_allclose(moe.log_likelihood_, np.average(by_hand, weights=weight), rtol=1e-6)
