"""Bad input a user could plausibly pass: the experts spec, X and y, parameters.

Each test is a defect found by a sweep beyond tests/test_bad_input.py,
tests/test_sweep_*.py and tests/test_raw_data.py: the input now works or
raises an error that names the problem.
"""

import warnings

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MLPGate,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts)
from skmoe._torch_utils import resolve_device

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=10, warm_max_iter=3)


def _experts():
    return [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]


def _regression(n=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence of the tiny fits
        return est.fit(X, y)


# -- the experts spec ----------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsRegressor(experts, max_epochs=2, random_state=0),
    lambda experts: MixtureOfExpertsRegressor(experts, training="em", gate=FAST_GATE,
                                              max_iter=2, random_state=0),
    lambda experts: EnsembleRegressor(experts),
    lambda experts: EnsembleRegressor(experts, weights="greedy", cv=3, n_rounds=3),
    lambda experts: HierarchicalMixtureRegressor(experts, branching=2, gate=FAST_GATE,
                                                 max_iter=2, random_state=0),
    lambda experts: HeterogeneousMultiGateMixtureOfExperts(experts, max_iter=2, cv=2,
                                                           random_state=0),
])
def test_a_pipeline_ending_with_a_transformer_is_named_before_fitting(make):
    # It has fit, so it was fitted (cross-fitted, for the gradient trainer)
    # and only then failed with "Expert 'pipe' (Pipeline) failed in predict:
    # This 'Pipeline' has no attribute 'predict'".
    X, y = _regression()
    experts = [("lin", LinearRegression()), ("pipe", make_pipeline(StandardScaler()))]
    with pytest.raises(TypeError, match=r"Expert 'pipe' \(Pipeline\) is a transformer "
                                        r"without predict.*must end with"):
        make(experts).fit(X, y)
    # The same pipeline ending with a regressor is an expert like any other.
    experts[1] = ("pipe", make_pipeline(StandardScaler(), DecisionTreeRegressor(max_depth=2)))
    assert np.all(np.isfinite(_fit(make(experts), X, y).predict(X)))


# -- parameters ----------------------------------------------------------------
@pytest.mark.parametrize("weights", [{"lin": 1.0, "tree": 2.0}, ["one", "two"]])
def test_ensemble_weights_that_are_not_numbers_are_named(weights):
    # Were numpy's bare "could not convert string to float: 'one'" and
    # "float() argument must be a string or a real number, not 'dict'".
    X, y = _regression()
    with pytest.raises(ValueError, match=r"weights must be one number per expert, in the "
                                         r"order of experts \(\['lin', 'tree'\]\)"):
        EnsembleRegressor(_experts(), weights=weights).fit(X, y)


@pytest.mark.parametrize("make", [
    lambda w: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2,
                                        task_weights=w, random_state=0),
    lambda w: HeterogeneousMultiGateMixtureOfExperts(_experts(), max_iter=2, cv=2,
                                                     task_weights=w, random_state=0),
])
@pytest.mark.parametrize("task_weights", [{"price": 2.0, "demand": 1.0}, ["high", "low"]])
def test_task_weights_that_are_not_numbers_are_named(make, task_weights):
    # A dict by task name passes the "array-like" constraint and failed in
    # numpy's float() without naming task_weights.
    X, y = _regression()
    Y = np.column_stack([y, X[:, 1]])
    with pytest.raises(ValueError, match="task_weights must be 2 finite positive numbers"):
        make(task_weights).fit(X, Y)


@pytest.mark.parametrize("make, two_tasks", [
    (lambda d: MixtureOfExpertsRegressor(_experts(), max_epochs=2, device=d), False),
    (lambda d: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2,
                                         device=d), True),
])
def test_a_device_torch_cannot_run_on_is_named(make, two_tasks):
    # 'meta' (and 'mps' where it is missing) passed the device check and
    # failed deep in the fit: "Tensor.item() cannot be called on meta tensors",
    # "PyTorch is not linked with support for mps devices".
    X, y = _regression()
    if two_tasks:
        y = np.column_stack([y, X[:, 1]])
    with pytest.raises(ValueError, match=r"device must be 'auto', 'cpu' or 'cuda\[:i\]', "
                                         "got 'meta'"):
        make("meta").fit(X, y)
    if not torch.backends.mps.is_available():
        with pytest.raises(ValueError, match="'mps' was requested but MPS is not available"):
            make("mps").fit(X, y)
    with pytest.raises(ValueError, match="device must be .* got 'xpu'"):
        resolve_device("xpu")
    assert resolve_device("cpu") == torch.device("cpu")


def test_a_cuda_device_beyond_the_machines_is_named(monkeypatch):
    # cuda:3 on a one-GPU machine failed at the first tensor with torch's
    # "CUDA error: invalid device ordinal".
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"'cuda:3' was requested but this machine has 1 "
                                         r"CUDA device\(s\) \(cuda:0 \.\. cuda:0\)"):
        resolve_device("cuda:3")
    assert resolve_device("cuda:0") == torch.device("cuda:0")
    assert resolve_device("cuda") == torch.device("cuda")


# -- the gate's view -------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda t: HierarchicalMixtureRegressor(_experts(), branching=2, gate_transformer=t,
                                           gate=FAST_GATE, max_iter=2, random_state=0),
    lambda t: HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2),
                                           gate_transformer=t, gate=FAST_GATE, max_iter=2,
                                           random_state=0),
])
def test_a_tree_mixture_whose_gate_view_has_no_columns_fits(make):
    # A gate_transformer that keeps no column leaves the gates constant (the
    # flat mixture then blends its experts); the tree's k-means start sorted
    # the regions along an SVD direction of zero columns: an IndexError.
    X, y = _regression()
    hme = _fit(make(FunctionTransformer(lambda Z: Z[:, :0])), X, y)
    pred = hme.predict(X)
    assert pred.shape == (len(X),) and np.all(np.isfinite(pred))
    assert hme.gate_transformer_.transform(X).shape == (len(X), 0)


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_a_gate_activation_that_is_not_a_string_is_named(training):
    # A list (as for hidden_layer_sizes) failed in the look-up of the
    # activations: "TypeError: unhashable type: 'list'".
    X, y = _regression()
    gate = MLPGate(hidden_layer_sizes=(4,), activation=["relu"], max_iter=5)
    moe = MixtureOfExpertsRegressor(_experts(), training=training, gate=gate, max_iter=2,
                                    max_epochs=2, random_state=0)
    with pytest.raises(ValueError, match=r"gate activation must be one of \['gelu', "
                                         r"'logistic', 'relu', 'tanh'\], got \['relu'\]"):
        _fit(moe, X, y)


# -- y of a regressor ------------------------------------------------------------
REGRESSORS = {
    "moe_em": lambda: MixtureOfExpertsRegressor(_experts(), training="em", gate=FAST_GATE,
                                                max_iter=2, random_state=0),
    "moe_gradient": lambda: MixtureOfExpertsRegressor(_experts(), max_epochs=2,
                                                      random_state=0),
    "ensemble_greedy": lambda: EnsembleRegressor(_experts(), weights="greedy", cv=3,
                                                 n_rounds=3, random_state=0),
    "hme": lambda: HierarchicalMixtureRegressor(_experts(), branching=2, gate=FAST_GATE,
                                                max_iter=2, random_state=0),
}


@pytest.mark.parametrize("missing", ["None", "pd.NA"])
@pytest.mark.parametrize("name", REGRESSORS)
def test_a_missing_value_in_an_object_y_of_a_regressor_is_named(name, missing):
    # None passed scikit-learn's NaN check of y (made on the objects) and
    # became NaN after it: "Expert 'lin' failed to fit: Input y contains NaN",
    # or for the tree mixture "Input X contains NaN" from its k-means start.
    # pd.NA (pd.Series([1.5, pd.NA]) is of dtype object) stopped the check
    # with a bare "TypeError: boolean value of NA is ambiguous".
    pd = pytest.importorskip("pandas")
    X, y = _regression()
    target = pd.Series([None if missing == "None" else pd.NA, *y[1:]], dtype=object)
    with pytest.raises(ValueError, match=r"^Input y contains NaN"):
        REGRESSORS[name]().fit(X, target)
    with pytest.raises(ValueError, match=r"^Input y contains NaN"):
        REGRESSORS[name]().fit(X, list(target))


@pytest.mark.parametrize("name", REGRESSORS)
def test_words_in_a_pandas_column_as_the_target_of_a_regressor_are_named(name):
    # A column of strings is of dtype object: it missed the check that names
    # words in a string array, and failed in scikit-learn's bare float cast.
    pd = pytest.importorskip("pandas")
    X, y = _regression()
    with pytest.raises(ValueError, match=r"y must be numeric for \w+ \(a regressor\): "
                                         r"could not convert string to float: 'high'"):
        REGRESSORS[name]().fit(X, pd.Series(np.where(y > 0, "high", "low")))
    # Numbers in an object column are numbers.
    expected = _fit(REGRESSORS[name](), X, y).predict(X)
    np.testing.assert_allclose(
        _fit(REGRESSORS[name](), X, pd.Series(list(y), dtype=object)).predict(X), expected)


def test_numbers_written_as_strings_fit_the_greedy_ensemble():
    # The other regressors convert them; the greedy ensemble's NaN check of
    # y failed on them: "ufunc 'isnan' not supported for the input types".
    X, y = _regression()
    expected = _fit(REGRESSORS["ensemble_greedy"](), X, y).predict(X)
    np.testing.assert_allclose(
        _fit(REGRESSORS["ensemble_greedy"](), X, y.astype(str)).predict(X), expected)


@pytest.mark.parametrize("name", ["moe_em", "hme"])
def test_log_likelihood_of_an_object_target_with_na_or_words_is_named(name):
    # Its float cast failed bare: "float() argument must be a string or a real
    # number, not 'NAType'", "could not convert string to float: 'high'".
    pd = pytest.importorskip("pandas")
    X, y = _regression()
    model = _fit(REGRESSORS[name](), X, y)
    with pytest.raises(ValueError, match=r"y contains NaN or infinity: 1 value\(s\) of y, "
                                         r"at row 0 \(positions"):
        model.log_likelihood_samples(X, pd.Series([pd.NA, *y[1:]], dtype=object))
    with pytest.raises(ValueError, match=r"y must be numeric for \w+ \(a regressor\)"):
        model.log_likelihood_samples(X, pd.Series(np.where(y > 0, "high", "low")))
    np.testing.assert_allclose(model.log_likelihood_samples(X, y.astype(str)),
                               model.log_likelihood_samples(X, y))
