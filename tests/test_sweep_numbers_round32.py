"""Wrong-number sweep, round 32: invariances -- a row's prediction against
the other rows predicted with it, float32 X against the same numbers in
float64, weights of one against none, relabelled binary classes, the order
of the experts, a DataFrame against its array and compare() on y moved by
an affine map.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)
from skmoe.datasets import make_regimes


def _quietly(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the short fits
        return model.fit(X, y, sample_weight=sample_weight)


def _wine():
    X, y = load_wine(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _regression_experts():
    # Experts that take sample_weight and are seeded: nothing is resampled
    # or seeded by the expert's position.
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
            ("deep", DecisionTreeRegressor(max_depth=6, min_samples_leaf=5, random_state=0))]


def _classification_experts():
    # No trees: a decision tree breaks ties between equal splits by rounding,
    # and a leaf that flips moves probabilities by up to 1.
    return [("lr", LogisticRegression(C=0.1)), ("lr2", LogisticRegression(C=10.0)),
            ("nb", GaussianNB())]


# Fix: the hierarchical mixtures' gates were float32 networks (the flat
# mixture's EM gate is float64), so a row's gate weights depended on the
# other rows in the matrix product (its blocking): predict_proba on wine in
# two chunks differed from one call by 9e-9 (gate weights by 7e-8), predict
# on diabetes by 9e-6; _hme_em.run_em now builds them in float64.
@pytest.mark.parametrize("task", ["classifier", "regressor"])
def test_tree_mixture_predicts_a_row_whatever_rows_come_with_it(task):
    if task == "classifier":
        X, y = _wine()
        model = _quietly(HierarchicalMixtureClassifier(LogisticRegression(), max_iter=5,
                                                       random_state=0), X, y)
        predict = model.predict_proba
    else:
        X, y = load_diabetes(return_X_y=True)
        model = _quietly(HierarchicalMixtureRegressor(LinearRegression(), max_iter=10,
                                                      random_state=0), X, y)
        predict = model.predict
    whole = predict(X)
    scale = np.abs(whole).max()
    order = np.random.RandomState(0).permutation(len(X))
    assert_allclose(predict(X[order]), whole[order], rtol=0, atol=1e-12 * scale)
    assert_allclose(np.concatenate([predict(X[:50]), predict(X[50:])]), whole,
                    rtol=0, atol=1e-12 * scale)
    gate = model.predict_gate(X)
    assert_allclose(np.concatenate([model.predict_gate(X[:50]), model.predict_gate(X[50:])]),
                    gate, rtol=0, atol=1e-12)


# Fix as above: with float32 gates, float32 X fitted a tree 7.6e-5 (gate
# weights 3.3e-4) from the float64 fit of the very same numbers; now 4e-7
# (the logistic leaves compute in float32 on float32 X, as scikit-learn's do).
def test_tree_mixture_fits_float32_X_as_the_same_numbers_in_float64():
    X, y = _wine()
    X32 = X.astype(np.float32)
    make = lambda: HierarchicalMixtureClassifier(LogisticRegression(), max_iter=5,  # noqa
                                                 random_state=0)
    single, double = _quietly(make(), X32, y), _quietly(make(), X32.astype(np.float64), y)
    assert_allclose(single.predict_proba(X32), double.predict_proba(X32.astype(np.float64)),
                    rtol=0, atol=1e-5)


# ---------------------------------------------------------------- guards
_MIXTURES = {
    "stacked": lambda e: MixtureOfExpertsRegressor(e, max_epochs=10, random_state=0),
    "em": lambda e: MixtureOfExpertsRegressor(e, training="em", max_iter=4, random_state=0),
    "exact em": lambda e: MixtureOfExpertsRegressor(e, training="em", cv=None, max_iter=4,
                                                    random_state=0),
    "top-1": lambda e: MixtureOfExpertsRegressor(e, top_k=1, max_epochs=10, random_state=0),
    "greedy": lambda e: EnsembleRegressor(e, weights="greedy", random_state=0),
    "tree": lambda e: HierarchicalMixtureRegressor(LinearRegression(), max_iter=5,
                                                   random_state=0),
}


# The stacked gate's candidates are float32 networks: the last bits of an
# expert's out-of-fold predictions (Ridge fitted on a frame is 1e-14 from
# Ridge fitted on its array; a sum in another order) move its predictions by
# float32 rounding (2.7e-7 and 3e-9 here), the float64 fits by float64's.
_RTOL = {"stacked": 1e-6, "em": 1e-12, "greedy": 1e-12, "tree": 1e-12}


@pytest.mark.parametrize("name", list(_MIXTURES))
def test_guard_weights_of_one_fit_what_no_weights_fit(name):
    X, y = make_regimes(n_samples=150, random_state=0)
    make = _MIXTURES[name]
    plain = _quietly(make(_regression_experts()), X, y)
    ones = _quietly(make(_regression_experts()), X, y, np.ones(len(y)))
    assert_allclose(ones.predict(X), plain.predict(X), rtol=0, atol=0)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsClassifier(_classification_experts(), max_epochs=10,
                                       random_state=0),
    lambda: MixtureOfExpertsClassifier(_classification_experts(), training="em", max_iter=4,
                                       random_state=0),
    lambda: EnsembleClassifier(_classification_experts(), voting="soft"),
], ids=["stacked", "em", "soft vote"])
@pytest.mark.parametrize("names", [["no", "yes"], [-1, 1], ["yes", "no"], [1, -1]])
def test_guard_relabelled_binary_classes_keep_their_probabilities(make, names):
    # 0/1 renamed (and swapped): classes_ sorted, each class keeps its
    # probability in the column classes_ gives it (binary logistic regression
    # is symmetric: swapped, its optimiser ends 1e-7 away).
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X[::2, :8])
    y, names = y[::2], np.array(names)
    plain, renamed = _quietly(make(), X, y), _quietly(make(), X, names[y])
    assert list(renamed.classes_) == sorted(names)
    column = np.searchsorted(renamed.classes_, names)
    assert_allclose(renamed.predict_proba(X)[:, column], plain.predict_proba(X),
                    rtol=0, atol=1e-6)
    assert np.array_equal(renamed.predict(X), names[plain.predict(X)])


@pytest.mark.parametrize("name", ["stacked", "em"])
def test_guard_the_order_of_the_experts_changes_no_prediction(name):
    # The stacked gate and EM from the uniform start (cross-fitted EM's
    # default) are order-free for experts that take weights and are seeded.
    # (Exact EM's 'matched' start is not: the gate's random initial output
    # weights go by position -- 0.035 here; docs/user_guide.rst says so.)
    X, y = make_regimes(n_samples=150, random_state=0)
    make = _MIXTURES[name]
    experts = _regression_experts()
    forward = _quietly(make(experts), X, y)
    backward = _quietly(make(experts[::-1]), X, y)
    assert_allclose(backward.predict(X), forward.predict(X), rtol=_RTOL[name])
    assert_allclose(backward.predict_gate(X)[:, ::-1], forward.predict_gate(X),
                    rtol=0, atol=_RTOL[name])


@pytest.mark.parametrize("name", ["stacked", "em", "greedy", "tree"])
def test_guard_a_frame_predicts_what_its_array_does(name):
    X, y = make_regimes(n_samples=150, n_noise_features=2, random_state=0)
    X = np.asarray(X)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    make = _MIXTURES[name]
    array = _quietly(make(_regression_experts()), X, y)
    framed = _quietly(make(_regression_experts()), frame, y)
    assert_allclose(framed.predict(frame), array.predict(X), rtol=_RTOL[name])


def test_guard_compare_scores_an_affine_change_of_y_in_its_units():
    # y -> 1000 y + 7: R^2 and the paired test unchanged, RMSE times 1000.
    X, y = make_regimes(n_samples=150, random_state=0)
    models = lambda: {  # noqa
        "mixture": MixtureOfExpertsRegressor(_regression_experts()[:2], max_epochs=5,
                                             random_state=0),
        "ensemble": EnsembleRegressor(_regression_experts()[:2], random_state=0),
        "tree": DecisionTreeRegressor(max_depth=3, random_state=0)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = compare(models(), X, y, cv=3, greedy_ensemble=True)
        moved = compare(models(), X, 1000 * y + 7, cv=3, greedy_ensemble=True)
    assert moved.names == plain.names
    for name in plain.names:
        assert_allclose(moved.scores[name]["r2"], plain.scores[name]["r2"],
                        rtol=0, atol=1e-10)
        assert_allclose(moved.scores[name]["neg_root_mean_squared_error"],
                        1000 * np.asarray(plain.scores[name]["neg_root_mean_squared_error"]),
                        rtol=1e-10)
    assert_allclose(moved.paired_test().t_statistic, plain.paired_test().t_statistic,
                    rtol=1e-8)
