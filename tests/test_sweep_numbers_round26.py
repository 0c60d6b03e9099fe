"""Wrong-numbers sweep, round 26: the mixtures' gate inputs and targets
standardised unweighted under sample_weight.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor)
from skmoe._candidates import make_head
from skmoe._data import standardisation
from skmoe.gates import MLPGate


def _data(n=90):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3)) * [1.0, 5.0, 0.2]
    y = X[:, 0] + np.abs(X[:, 1]) + 0.3 * rng.normal(size=n)
    return X, y, rng.randint(1, 4, size=n).astype(float)


def _far_rows(X, y, weight, far_weight):
    """Five rows far out (X x 50, y = 300) of weight ``far_weight`` appended."""
    return (np.vstack([X, X[:5] * 50]), np.concatenate([y, np.full(5, 300.0)]),
            np.concatenate([weight, np.full(5, far_weight)]))


def _fit(model, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, **fit_params)


def _em():
    # Exact EM (cv=None) from the uniform start: nothing is drawn at random.
    return MixtureOfExpertsRegressor(
        [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        training="em", cv=None, init_params="uniform", max_iter=3, tol=0, random_state=0)


def _joint_top_k():
    # The joint trainer over in-sample experts, one full batch, no rows held out.
    return MixtureOfExpertsRegressor(
        [("line", LinearRegression()), ("origin", LinearRegression(fit_intercept=False)),
         ("tree", DecisionTreeRegressor(max_depth=2))],
        training="gradient", cv=None, top_k=2, max_epochs=20, batch_size=10000,
        validation_fraction=0.0, random_state=0)


def test_em_integer_weights_fit_what_their_repeated_rows_fit():
    # Fix in MLPGate.init (its input scaling weighted by sample_weight, which
    # EM passes: the user's weights), EMProblem (y's mean and scale weighted)
    # and the k-means start's standardisation. Unweighted, a row of weight 3
    # moved the gate's scaling as one row, not as its three copies: the
    # predictions were 0.41 apart after three iterations (now 1.4e-13).
    # (The experts' pruning, which differed between a row of weight 3 and its
    # copies, was switched off here until round 27 fixed it.)
    X, y, weight = _data()
    rows = np.repeat(np.arange(len(X)), weight.astype(int))
    weighted = _fit(_em(), X, y, sample_weight=weight)
    repeated = _fit(_em(), X[rows], y[rows])
    assert_allclose(weighted.gate_.mean_, repeated.gate_.mean_, rtol=1e-12)
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=1e-8)


def test_em_rows_of_almost_no_weight_fit_nearly_what_rows_of_zero_weight_fit():
    # Same fix: five rows of weight 1e-9 far out set the gate's scaling (and
    # y's): the fit moved by 1.8 from the fit without them (now 6e-6).
    X, y, weight = _data()
    tiny = _fit(_em(), *_far_rows(X, y, weight, 1e-9)[:2],
                sample_weight=_far_rows(X, y, weight, 1e-9)[2])
    zero = _fit(_em(), *_far_rows(X, y, weight, 0.0)[:2],
                sample_weight=_far_rows(X, y, weight, 0.0)[2])
    assert_allclose(tiny.predict(X), zero.predict(X), rtol=0, atol=1e-4)


def test_joint_top_k_integer_weights_and_rows_of_almost_no_weight():
    # Fix in _gradient.fit_gradient (the gate's scaling weighted by the
    # user's weights, device_standardisation too): the top-2 mixture of
    # weighted rows was 1.8 from its repeated rows', and rows of weight 1e-9
    # far out moved it by 4.3 (now 9e-8 and 2e-7).
    X, y, weight = _data()
    rows = np.repeat(np.arange(len(X)), weight.astype(int))
    weighted = _fit(_joint_top_k(), X, y, sample_weight=weight).predict(X)
    repeated = _fit(_joint_top_k(), X[rows], y[rows]).predict(X)
    assert_allclose(weighted, repeated, rtol=0, atol=1e-5)
    X_far, y_far, tiny_weight = _far_rows(X, y, weight, 1e-9)
    tiny = _fit(_joint_top_k(), X_far, y_far, sample_weight=tiny_weight).predict(X)
    zero = _fit(_joint_top_k(), X_far, y_far,
                sample_weight=_far_rows(X, y, weight, 0.0)[2]).predict(X)
    assert_allclose(tiny, zero, rtol=0, atol=1e-5)


def test_mlp_gate_integer_weights_and_rows_of_almost_no_weight():
    # Fix in MLPGate.init: a gate fitted alone (Adam, one full batch)
    # standardised its inputs unweighted: 0.015 from the repeated rows' gate,
    # and rows of weight 1e-9 far out moved its weights by 0.43 (now 4e-8
    # and 7e-8).
    X, _, weight = _data()
    targets = np.column_stack([X[:, 0] > 0, X[:, 0] <= 0]) * 0.8 + 0.1
    rows = np.repeat(np.arange(len(X)), weight.astype(int))

    def gate():
        return MLPGate(hidden_layer_sizes=(8,), solver="adam", max_iter=30,
                       batch_size=10000, device="cpu")

    weighted = gate().fit(X, targets, weight).predict_proba(X)
    repeated = gate().fit(X[rows], targets[rows]).predict_proba(X)
    assert_allclose(weighted, repeated, rtol=0, atol=1e-5)
    X_far, far_targets = np.vstack([X, X[:5] * 50]), np.vstack([targets, targets[:5]])
    tiny = gate().fit(X_far, far_targets, np.r_[weight, np.full(5, 1e-9)]).predict_proba(X)
    zero = gate().fit(X_far, far_targets, np.r_[weight, np.zeros(5)]).predict_proba(X)
    assert_allclose(tiny, zero, rtol=0, atol=1e-5)


def test_stacked_gate_scaling_is_weighted():
    # Fix in _blend.fit_stacked_gate (GateInputs.scaling weighted): the
    # stacked gate standardised X over the rows unweighted, so rows of weight
    # 1e-9 far out set every other row's scale (a mean 5.8 off). Its folds
    # are drawn, so its fits cannot be compared with the repeated rows':
    # its scaling is.
    X, y, weight = _data()
    X_far, y_far, tiny_weight = _far_rows(X, y, weight, 1e-9)
    model = _fit(MixtureOfExpertsRegressor(
        [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        training="gradient", max_epochs=5, random_state=0), X_far, y_far,
        sample_weight=tiny_weight)
    mean, scale = standardisation(X_far, tiny_weight)
    d = X.shape[1]
    assert_allclose(model.gate_.mean_[:d], mean, rtol=1e-9)
    assert_allclose(model.gate_.scale_[:d], scale, rtol=1e-9)


def test_hme_rows_of_almost_no_weight_fit_nearly_what_rows_of_zero_weight_fit():
    # Fix in _hme_em.run_em (every gate's scaling, and y's and the k-means
    # start's, weighted by the user's weights, never by the posteriors its
    # gates' fits are weighted with): rows of weight 1e-9 far out moved the
    # hierarchical mixture's predictions by 6.2 (now 4e-4). Its k-means start
    # draws, so integer weights are not compared with repeated rows; the
    # gates' scaling is.
    X, y, weight = _data()

    def hme():
        return HierarchicalMixtureRegressor(LinearRegression(), branching=(2,), max_iter=5,
                                            random_state=0)

    X_far, y_far, tiny_weight = _far_rows(X, y, weight, 1e-9)
    tiny = _fit(hme(), X_far, y_far, sample_weight=tiny_weight)
    zero = _fit(hme(), X_far, y_far, sample_weight=_far_rows(X, y, weight, 0.0)[2])
    assert_allclose(tiny.predict(X), zero.predict(X), rtol=0, atol=1e-2)
    mean, scale = standardisation(X, weight)
    for gate in (gate for level in tiny.gates_ for gate in level):
        assert_allclose(gate.mean_, mean, rtol=1e-6)
        assert_allclose(gate.scale_, scale, rtol=1e-6)


def test_feature_weighted_head_standardisation_is_weighted():
    # Fix in LinearHead.fit (the feature-weighted head's meta-feature scaling,
    # principal directions and product standardisation weighted by the
    # user's weights): a row of weight 3 counted as one row in them.
    X, y, weight = _data()
    rng = np.random.RandomState(1)
    X = np.hstack([X, rng.normal(size=(len(X), 30))])   # more columns than meta-features
    outputs = np.column_stack([y + 0.1 * rng.normal(size=len(y)), 0.5 * X[:, 0]])
    rows = np.repeat(np.arange(len(X)), weight.astype(int))

    def head():
        return make_head("feature_weighted", True, 0.0, 1.0)

    weighted = head().fit(X, outputs, y, weight)
    repeated = head().fit(X[rows], outputs[rows], y[rows], np.ones(len(rows)))
    for name in ("meta_mean_", "meta_scale_"):
        assert_allclose(getattr(weighted, name), getattr(repeated, name), rtol=1e-9,
                        err_msg=name)
    # The principal directions, up to their signs (their whitening divides by
    # n - 1, rows and not copies: 0.3 % apart, left as it is).
    directions = [np.abs(head.meta_components_)
                  / np.linalg.norm(head.meta_components_, axis=0)
                  for head in (weighted, repeated)]
    assert_allclose(*directions, rtol=1e-6, atol=1e-9)
    # The experts' own columns' standardisation (the products' depends on
    # the whitening too).
    assert_allclose(weighted.feature_mean_[:2], repeated.feature_mean_[:2], rtol=1e-9)
    assert_allclose(weighted.feature_scale_[:2], repeated.feature_scale_[:2], rtol=1e-9)


_UNWEIGHTED = {
    "em": lambda: MixtureOfExpertsRegressor(
        [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        training="em", max_iter=3, random_state=0),
    "stacked": lambda: MixtureOfExpertsRegressor(
        [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        training="gradient", max_epochs=5, random_state=0),
    "joint top-k": _joint_top_k,
    "hme": lambda: HierarchicalMixtureRegressor(LinearRegression(), branching=(2,),
                                                max_iter=3, random_state=0),
    "em classifier": lambda: MixtureOfExpertsClassifier(
        LogisticRegression(), n_experts=2, training="em", max_iter=3,
        random_state=0),
    "hme classifier": lambda: HierarchicalMixtureClassifier(
        LogisticRegression(), branching=(2,), max_iter=3, random_state=0),
}


@pytest.mark.parametrize("name", list(_UNWEIGHTED))
def test_guard_no_sample_weight_fits_what_equal_weights_fit_bit_for_bit(name):
    # The weighted scalings take equal weights as no weights, so that a fit
    # without sample_weight is the unweighted fit of before, bit for bit
    # (checked against the code before the fix on 18 configurations; the
    # gates' scalings too, where numpy computes them).
    X, y, _ = _data()
    classifier = "classifier" in name
    target = (y > np.median(y)).astype(int) if classifier else y
    plain = _fit(_UNWEIGHTED[name](), X, target)
    equal = _fit(_UNWEIGHTED[name](), X, target, sample_weight=np.full(len(y), 2.5))
    if classifier:
        assert_array_equal(plain.predict_proba(X), equal.predict_proba(X))
    else:
        assert_array_equal(plain.predict(X), equal.predict(X))
    gates = ([plain.gate_] if hasattr(plain, "gate_") else
             [gate for level in plain.gates_ for gate in level])
    for gate, other in zip(gates, [equal.gate_] if hasattr(equal, "gate_") else
                           [gate for level in equal.gates_ for gate in level]):
        assert_array_equal(gate.mean_, other.mean_)
        assert_array_equal(gate.scale_, other.scale_)
