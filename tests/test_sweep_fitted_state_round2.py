"""Fitted state and persistence, round 2: refits, copies and saved models
behave as fresh fits."""

import copy
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, Ridge

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, MixtureOfExpertsRegressor, MLPGate,
                   MultiGateMixtureOfExperts, RuleExpert, TorchMLPClassifier, TorchMLPRegressor)
from skmoe.persistence import trusted_types, untrusted_types

sio = pytest.importorskip("skops.io")
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _multitask_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    return X, np.column_stack([X[:, 0] + X[:, 1], X[:, 1] - X[:, 2]])


def _lazy_mmoe():
    return MultiGateMixtureOfExperts(
        n_experts=2, expert_module=torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU()),
        max_iter=3, random_state=0)


@pytest.mark.parametrize("fitted", [False, True])
@pytest.mark.parametrize("how", ["pickle", "deepcopy", "skops"])
def test_a_lazy_user_module_survives_saving_and_copying(fitted, how):
    # A lazy module's hooks are methods bound to itself: pickle stored the
    # module unencoded with them, and a loaded or copied model failed to fit
    # with "'Linear' object has no attribute 'initialize_parameters'" (the
    # first forward removed the hook from the stray copy's table); skops.io
    # could not save it: "Cannot directly construct TensorBase".
    X, Y = _multitask_data()
    expected = _lazy_mmoe().fit(X, Y).predict(X)
    model = _lazy_mmoe()
    if fitted:
        model.fit(X, Y)
    if how == "pickle":
        loaded = pickle.loads(pickle.dumps(model))
    elif how == "deepcopy":
        loaded = copy.deepcopy(model)
    else:
        data = sio.dumps(model)
        loaded = sio.loads(data, trusted=trusted_types(untrusted_types(data)))
    if fitted:
        assert_array_equal(loaded.predict(X), expected)
    assert isinstance(loaded.expert_module[0], torch.nn.LazyLinear)   # still lazy
    assert_array_equal(loaded.fit(X, Y).predict(X), expected)
    assert_array_equal(loaded.fit(X, Y).predict(X), expected)


def threshold_rule(X, threshold):
    return X[:, 0] > threshold


def linear_rule(X, slope):
    return slope * X[:, 0]


@pytest.mark.parametrize("first, then", [("classification", "regression"),
                                         ("regression", "classification")])
def test_a_rule_refitted_for_the_other_task_keeps_nothing_of_the_first(first, then):
    # A regression refit of a rule fitted as a classifier kept its classes_,
    # outcomes_ and proba_table_ (a classification refit the noise_std_):
    # hasattr(rule, "classes_") was True for a regressor.
    X, y = _multitask_data()
    targets = {"regression": y[:, 0], "classification": np.where(y[:, 0] > 0, "up", "down")}
    params = {"regression": {"slope": 1.0}, "classification": {"threshold": 0.0}}
    funcs = {"regression": linear_rule, "classification": threshold_rule}

    def rule(task):
        return RuleExpert(funcs[task], params=params[task], task=task)

    fresh = rule(then).fit(X, targets[then])
    refitted = rule(first).fit(X, targets[first])
    refitted.set_params(func=funcs[then], params=params[then], task=then).fit(X, targets[then])
    assert sorted(vars(refitted)) == sorted(vars(fresh))
    assert hasattr(refitted, "classes_") == (then == "classification")
    assert_array_equal(refitted.predict(X), fresh.predict(X))


@pytest.mark.parametrize("make", [TorchMLPRegressor, TorchMLPClassifier])
def test_torch_experts_fit_on_reversed_views(make):
    # X[::-1] (or X[:, ::-1]) reached torch as it was: "ValueError: At least
    # one stride in the given numpy array is negative, and tensors with
    # negative strides are not currently supported."
    X, Y = _multitask_data()
    y = Y[:, 0] if make is TorchMLPRegressor else (Y[:, 0] > 0).astype(int)
    model = make(hidden_layer_sizes=(4,), max_epochs=3, random_state=0)
    for view in (X[::-1], X[:, ::-1]):
        expected = clone(model).fit(view.copy(), y[::-1].copy()).predict(X)
        assert_array_equal(clone(model).fit(view, y[::-1]).predict(X), expected)


def test_mlp_gate_fits_and_predicts_reversed_views():
    X, _ = _multitask_data()
    targets = np.random.RandomState(0).dirichlet(np.ones(3), size=len(X))
    expected = MLPGate(max_iter=5).fit(X[::-1].copy(), targets[::-1].copy())
    gate = MLPGate(max_iter=5).fit(X[::-1], targets[::-1])
    assert_array_equal(gate.predict_proba(X[:, ::-1][:, ::-1]), expected.predict_proba(X))
    assert_array_equal(gate.predict_proba(X[::-1]), expected.predict_proba(X[::-1].copy()))


@pytest.mark.parametrize("make", [
    lambda w: MultiGateMixtureOfExperts(task_weights=w, n_experts=2, expert_units=4,
                                        max_iter=2, random_state=0),
    lambda w: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("lr", LinearRegression())], task_weights=w, max_iter=2,
        random_state=0)],
    ids=["mmoe", "heterogeneous"])
def test_task_weights_are_copied_at_fit(make):
    # A float64 array given as task_weights was task_weights_ itself: changing
    # the array after fit changed the fitted model's weights.
    X, Y = _multitask_data()
    weights = np.array([1.0, 2.0])
    model = make(weights).fit(X, Y)
    weights[0] = 5.0
    assert_array_equal(model.task_weights_, [1.0, 2.0])


_LOAD_WITH_MMAP = """
import sys, warnings
import joblib, numpy as np
warnings.filterwarnings("error", message="The given NumPy array is not writable")
X = np.load(sys.argv[1])
for name in sys.argv[2:]:
    model = joblib.load(name + ".joblib", mmap_mode="r")
    np.save(name + ".npy", model.predict(X))
"""


def test_models_loaded_with_joblib_mmap_predict_without_torch_warnings(tmp_path):
    # joblib.load(..., mmap_mode='r') gives read-only arrays: the gate's and
    # the torch experts' input means and scales reached torch.as_tensor as
    # they were, and predict warned "The given NumPy array is not writable,
    # and PyTorch does not support non-writable tensors ... undefined
    # behavior". (torch warns once per process: a fresh process loads them.)
    X, Y = _multitask_data()
    models = {
        "stacked": [("ridge", Ridge()), ("lr", LinearRegression())],
        "torch": [("ridge", Ridge()), ("mlp", TorchMLPRegressor((4,), max_epochs=3,
                                                                random_state=0))]}
    for name, experts in models.items():
        models[name] = MixtureOfExpertsRegressor(experts, max_epochs=3,
                                                 random_state=0).fit(X, Y[:, 0])
        joblib.dump(models[name], tmp_path / f"{name}.joblib")
    np.save(tmp_path / "X.npy", X)
    subprocess.run([sys.executable, "-c", _LOAD_WITH_MMAP, str(tmp_path / "X.npy"),
                    *(str(tmp_path / name) for name in models)], check=True)
    for name, model in models.items():
        assert_array_equal(np.load(tmp_path / f"{name}.npy"), model.predict(X))
