"""Fitted state after a fit that failed: the estimator is left unfitted."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.utils.validation import check_is_fitted

import skmoe._mmoe_hetero
from skmoe import (AutoGateTransformer, HeterogeneousMultiGateMixtureOfExperts, RuleExpert,
                   TorchMLPClassifier, TorchMLPRegressor)


def scaled_rule(X, k):
    return k * X[:, 0]


def _data():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=list("abc"))
    return X, X["a"].to_numpy()


def _assert_unfitted(model, X):
    for estimator in (model, pickle.loads(pickle.dumps(model))):
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)
        with pytest.raises(NotFittedError):
            estimator.predict(X)


@pytest.mark.parametrize("refit", [False, True])
def test_multi_gate_mixture_whose_gate_training_failed_is_not_fitted(monkeypatch, refit):
    # named_experts_ (the fitted mark) was set before the gates were trained:
    # a first fit that failed there looked fitted, and predict ran a gate
    # that was never trained.
    X, y = _data()
    Y = np.column_stack([y, X["b"]])
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("lr", LinearRegression()), ("ridge", Ridge())], max_iter=2, random_state=0)
    if refit:
        model.fit(X, Y)

    def diverged(*args, **kwargs):
        raise ValueError("the gates diverged")

    with monkeypatch.context() as patch:
        patch.setattr(skmoe._mmoe_hetero, "lbfgs", diverged)
        with pytest.raises(ValueError, match="the gates diverged"):
            model.fit(X, Y)
    _assert_unfitted(model, X)
    assert model.fit(X, Y).predict(X).shape == Y.shape


@pytest.mark.parametrize("classifier", [False, True])
@pytest.mark.parametrize("stage", ["bad X", "bad y", "diverged"])
@pytest.mark.parametrize("refit", [False, True])
def test_torch_mlp_whose_fit_failed_is_not_fitted(classifier, stage, refit):
    # n_features_in_ was the fitted mark: a first fit that refused y (or
    # diverged) looked fitted, and predict failed with "object has no
    # attribute 'device_'"; a failed refit kept the previous network.
    X, y = _data()
    y = (y > 0).astype(int) if classifier else y
    make = TorchMLPClassifier if classifier else TorchMLPRegressor
    model = make(hidden_layer_sizes=(3,), max_epochs=3, random_state=0)
    if refit:
        model.fit(X, y)
    X_given, y_given = X.copy(), y.copy()
    if stage == "bad X":
        with pytest.raises(ValueError, match="NaN"):
            model.fit(X.assign(d=np.nan), y)
    elif stage == "bad y":
        bad = y.astype(float)
        bad[0] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            model.fit(X, bad)
    else:
        if classifier:
            pytest.skip("the regressor's target is scaled; only it diverges here")
        with pytest.raises(ValueError, match="diverged"):
            model.set_params(learning_rate=1e30).fit(X, y * 1e30)
        model.set_params(learning_rate=1e-3)
    pd.testing.assert_frame_equal(X, X_given)
    np.testing.assert_array_equal(y, y_given)
    _assert_unfitted(model, X)
    assert model.fit(X, y).predict(X).shape == y.shape


@pytest.mark.parametrize("stage", ["bad X", "bad y", "bad params"])
@pytest.mark.parametrize("refit", [False, True])
def test_rule_expert_whose_fit_failed_is_not_fitted(stage, refit):
    # check_is_fitted passed on n_features_in_ after a failed first fit; a
    # failed refit kept the previous params_ (predict went on with them, or
    # refused X of the previous width by the failed fit's feature names).
    X, y = _data()
    model = RuleExpert(scaled_rule, params={"k": 0.5})
    if refit:
        model.fit(X, y)
    X_given, y_given = X.copy(), y.copy()
    if stage == "bad X":
        with pytest.raises(ValueError, match="NaN"):
            model.fit(X.assign(d=np.nan), y)
    elif stage == "bad y":
        with pytest.raises(ValueError, match="NaN|finite"):
            model.fit(X, np.where(np.arange(40) == 0, np.nan, y))
    else:
        with pytest.raises(ValueError, match="params"):
            model.set_params(params={"k": np.nan}).fit(X, y)
        model.set_params(params={"k": 0.5})
    pd.testing.assert_frame_equal(X, X_given)
    np.testing.assert_array_equal(y, y_given)
    _assert_unfitted(model, X)
    assert model.fit(X, y).params_["k"] == pytest.approx(1.0)


@pytest.mark.parametrize("stage", ["mixed column", "array of strings"])
@pytest.mark.parametrize("refit", [False, True])
def test_auto_gate_transformer_whose_fit_failed_is_not_fitted(stage, refit):
    # kind_ was set before X was refused: check_is_fitted passed, and
    # transform failed with "'NoneType' object has no attribute
    # 'categories_'" (or kept the previous fit after a failed refit).
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=20), "c": list("xy") * 10})
    model = AutoGateTransformer()
    if refit:
        model.fit(X)
    bad = X.assign(c=["x", 1] * 10) if stage == "mixed column" else np.array([["a", "b"]] * 20)
    with pytest.raises((TypeError, ValueError)):
        model.fit(bad)
    for estimator in (model, pickle.loads(pickle.dumps(model))):
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)
        with pytest.raises(NotFittedError):
            estimator.transform(X)
    assert model.fit(X).transform(X).shape == (20, 3)


@pytest.mark.parametrize("method", ["logits", "predict_log_proba", "predict_proba",
                                    "log_proba_tensor", "logits_and_noise"])
def test_mlp_gate_whose_first_fit_failed_raises_not_fitted(method):
    # The gate's outputs failed with "'MLPGate' object has no attribute
    # 'module_'" (or 'device_') before a fit, or after a first fit that failed.
    from skmoe.gates import MLPGate
    X = np.random.RandomState(0).normal(size=(20, 3))
    gate = MLPGate(hidden_layer_sizes=(), max_iter=5)
    with pytest.raises(NotFittedError):
        getattr(gate, method)(X)
    with pytest.raises(ValueError, match="Expected 2D array"):
        gate.fit(X, np.full(20, 0.5))   # targets need one column per expert
    for estimator in (gate, pickle.loads(pickle.dumps(gate))):
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)
        with pytest.raises(NotFittedError):
            getattr(estimator, method)(X)
    gate.fit(X, np.full((20, 2), 0.5))
    assert gate.predict_proba(X).shape == (20, 2)
