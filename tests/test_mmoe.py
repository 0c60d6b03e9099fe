"""Multi-task mixtures: MMoE / OMoE / shared-bottom, the heterogeneous variant,
and the synthetic generator of Ma et al. (2018)."""

import pickle
import re
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts
from skmoe.datasets import make_mmoe_tasks

SMALL = dict(n_experts=3, expert_units=8, tower_hidden_layer_sizes=(4,), max_iter=15,
             batch_size=64, learning_rate=1e-2, random_state=0)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def two_tasks():
    return make_mmoe_tasks(n_samples=300, n_features=6, correlation=0.5, random_state=0)


def _mixed_targets(X, Y):
    """A regression, a binary (string labels) and a 3-class task on the same rows."""
    binary = np.where(Y[:, 1] > np.median(Y[:, 1]), "yes", "no")
    three = np.digitize(Y[:, 0], np.quantile(Y[:, 0], [1 / 3, 2 / 3]))
    Y_mixed = np.empty((len(X), 3), dtype=object)
    Y_mixed[:, 0], Y_mixed[:, 1], Y_mixed[:, 2] = Y[:, 0], binary, three
    return Y_mixed


# --------------------------------------------------------------- generator
def test_make_mmoe_tasks_weights_and_correlation():
    X, Y, W = make_mmoe_tasks(n_samples=4000, n_features=20, correlation=0.5, scale=2.0,
                              return_weights=True, random_state=1)
    assert X.shape == (4000, 20) and Y.shape == (4000, 2)
    # |w_k| = c and cos(w1, w2) = p by construction.
    assert_allclose(np.linalg.norm(W, axis=1), [2.0, 2.0])
    assert_allclose(W[0] @ W[1] / 4.0, 0.5, atol=1e-12)
    # The sines lower the label correlation below p; p = 1 makes the tasks equal.
    assert np.corrcoef(Y.T)[0, 1] < 0.5
    _, Y1 = make_mmoe_tasks(n_samples=500, n_features=20, correlation=1.0, noise=0.0,
                            random_state=1)
    assert_allclose(Y1[:, 0], Y1[:, 1])


def test_make_mmoe_tasks_formula():
    alpha, beta = np.array([1.0, 2.0]), np.array([0.0, 0.5])
    X, Y, W = make_mmoe_tasks(n_samples=50, n_features=3, correlation=0.3, n_sines=2,
                              alpha=alpha, beta=beta, noise=0.0, return_weights=True,
                              random_state=0)
    z = X @ W.T
    expected = z + np.sin(z[:, :, None] * alpha + beta).sum(axis=2)
    assert_allclose(Y, expected)


@pytest.mark.parametrize("kwargs, match", [
    (dict(correlation=1.5), "correlation must be in"),
    # Two orthogonal directions need two features; the range the message
    # gives says so for any value below it (it said [1, inf) and then refused 1).
    (dict(n_features=1), r"'n_features' parameter .* range \[2, inf\)"),
    (dict(n_features=0), r"'n_features' parameter .* range \[2, inf\)"),
    (dict(n_sines=3, alpha=[1.0, 2.0]), "alpha and beta must have shape"),
])
def test_make_mmoe_tasks_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_mmoe_tasks(n_samples=10, **kwargs)


# ---------------------------------------------------------- shapes & types
@pytest.mark.parametrize("architecture", ["mmoe", "omoe", "shared_bottom"])
def test_shapes_per_architecture(two_tasks, architecture):
    X, Y = two_tasks
    model = MultiGateMixtureOfExperts(architecture=architecture, **SMALL).fit(X, Y)
    assert model.predict(X[:7]).shape == (7, 2)
    assert model.tasks_ == ["regression", "regression"]
    assert not hasattr(model, "predict_proba")       # no classification task
    assert len(model.loss_curve_) == model.n_iter_
    if architecture == "shared_bottom":
        assert not hasattr(model, "predict_gate")
        return
    gate = model.predict_gate(X[:7])
    assert gate.shape == (7, 2, 3)
    assert_allclose(gate.sum(axis=2), 1.0, rtol=1e-5)
    if architecture == "omoe":
        assert_allclose(gate[:, 0], gate[:, 1])
    else:
        assert not np.allclose(gate[:, 0], gate[:, 1])


def test_one_dimensional_y_gives_one_dimensional_predictions(two_tasks):
    X, Y = two_tasks
    model = MultiGateMixtureOfExperts(**SMALL).fit(X, Y[:, 0])
    assert model.n_tasks_ == 1
    assert model.predict(X[:5]).shape == (5,)
    assert model.score(X, Y[:, 0]) > 0.3


def test_mixed_regression_and_classification_tasks(two_tasks):
    X, Y = two_tasks
    Y_mixed = _mixed_targets(X, Y)
    model = MultiGateMixtureOfExperts(["regression", "binary", "multiclass"],
                                      **{**SMALL, "max_iter": 40}).fit(X, Y_mixed)
    pred = model.predict(X)
    assert pred.shape == (300, 3) and pred.dtype == object
    assert set(pred[:, 1]) <= {"no", "yes"} and set(pred[:, 2]) <= {0, 1, 2}
    assert_array_equal(model.classes_[1], ["no", "yes"])
    assert model.classes_[0] is None
    proba = model.predict_proba(X[:10])
    assert proba[0] is None
    assert proba[1].shape == (10, 2) and proba[2].shape == (10, 3)
    for p in proba[1:]:
        assert_allclose(p.sum(axis=1), 1.0)
    # Labels follow the probabilities, and every task is learned well above chance.
    assert_array_equal(pred[:10, 1], model.classes_[1][proba[1].argmax(1)])
    assert np.mean(pred[:, 1] == Y_mixed[:, 1]) > 0.75
    assert np.mean(pred[:, 2] == Y_mixed[:, 2]) > 0.6
    assert model.score(X, Y_mixed) > 0.6


def test_task_weights_change_the_fit(two_tasks):
    X, Y = two_tasks
    # (Not 0: a task of weight 0 is refused, its tower would never train.)
    favour_first = MultiGateMixtureOfExperts(task_weights=[1.0, 0.01], **SMALL).fit(X, Y)
    favour_second = MultiGateMixtureOfExperts(task_weights=[0.01, 1.0], **SMALL).fit(X, Y)

    def mse(model):
        return ((model.predict(X) - Y) ** 2).mean(axis=0)

    assert mse(favour_first)[0] < mse(favour_second)[0]
    assert mse(favour_second)[1] < mse(favour_first)[1]


def test_pickle_and_determinism(two_tasks):
    X, Y = two_tasks
    model = MultiGateMixtureOfExperts(**SMALL).fit(X, Y)
    restored = pickle.loads(pickle.dumps(model))
    # Restored on the device it was fitted on where there is one (the CPU
    # otherwise: tests/test_persistence.py simulates a GPU-fitted model);
    # float32 kernels may differ in the last digits.
    assert restored.device_ == model.device_
    assert_allclose(restored.predict(X), model.predict(X), rtol=1e-5, atol=1e-6)
    assert_allclose(restored.predict_gate(X), model.predict_gate(X), rtol=1e-5, atol=1e-6)
    again = clone(model).fit(X, Y)
    assert_allclose(again.predict(X), model.predict(X))


def test_early_stopping_keeps_validation_curve(two_tasks):
    X, Y = two_tasks
    model = MultiGateMixtureOfExperts(early_stopping=True, n_iter_no_change=3,
                                      **SMALL).fit(X, Y)
    assert len(model.validation_loss_curve_) == model.n_iter_
    assert not hasattr(MultiGateMixtureOfExperts(**SMALL).fit(X, Y),
                       "validation_loss_curve_")


def test_mmoe_beats_shared_bottom_on_unrelated_tasks():
    # Two unrelated tasks (p = 0), small networks, same training budget. The
    # paper's claim, checked on three seeds (deterministic on the CPU).
    mmoe, bottom = [], []
    for seed in range(3):
        X, Y = make_mmoe_tasks(n_samples=1500, n_features=10, correlation=0.0,
                               random_state=seed)
        params = dict(n_experts=4, expert_units=8, max_iter=40, batch_size=64,
                      learning_rate=5e-3, tol=0.0, random_state=seed)
        for arch, losses in (("mmoe", mmoe), ("shared_bottom", bottom)):
            model = MultiGateMixtureOfExperts(architecture=arch, **params)
            model.fit(X[:1000], Y[:1000])
            losses.append(((model.predict(X[1000:]) - Y[1000:]) ** 2).mean())
    assert np.mean(mmoe) < np.mean(bottom)


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize("tasks, y_kind, match", [
    (["regression"], "two", r"y has 2 column\(s\) but 1 task"),
    (["regression", "ranking"], "two", "Unknown task type 'ranking' for task 1"),
    (["regression", "binary"], "one_class", "task 1 has only one class"),
    (["regression", "binary"], "three_classes", "declared 'binary' but has 3 classes"),
    (None, "nan", r"y contains NaN in column 1"),
    (["regression", "binary"], "nan_object", r"y contains NaN in column 1"),
    (["binary", "regression"], "text_regression", "not numeric"),
    (["regression", "binary"], "inf_label", "y contains infinity in column 1"),
    (["regression", "multiclass"], "continuous", "Task 1 .*Unknown label type"),
    (["regression", "multiclass"], "continuous_object", "Task 1 .*Unknown label type"),
])
def test_bad_targets(two_tasks, tasks, y_kind, match):
    X, Y = two_tasks
    Y = Y.copy()
    if y_kind == "one_class":
        Y[:, 1] = 1.0
    elif y_kind == "three_classes":
        Y[:, 1] = np.arange(len(Y)) % 3
    elif y_kind == "nan":
        Y[5, 1] = np.nan
    elif y_kind == "nan_object":
        Y = Y.astype(object)
        Y[:, 1] = "a"
        Y[5, 1] = np.nan
    elif y_kind == "inf_label":
        Y[:, 1] = np.arange(len(Y)) % 2
        Y[5, 1] = np.inf
    elif y_kind in ("continuous", "continuous_object"):
        # 300 distinct floats would otherwise become 300 classes.
        Y = Y.astype(object) if y_kind == "continuous_object" else Y
    elif y_kind == "text_regression":
        Y = Y.astype(object)
        Y[:, 0] = np.where(np.arange(len(Y)) % 2, "a", "b")
        Y[:, 1] = "x"
    for model in (MultiGateMixtureOfExperts(tasks, **SMALL),
                  HeterogeneousMultiGateMixtureOfExperts(
                      [("a", Ridge()), ("b", Ridge(alpha=10))], tasks)):
        with pytest.raises(ValueError, match=match):
            model.fit(X, Y)


def test_missing_labels_none_and_pd_na_are_named(two_tasks):
    # pd.NA in a string column stopped with pandas' bare "boolean value of NA
    # is ambiguous"; None in a regression column was called infinity.
    pd = pytest.importorskip("pandas")
    X, Y = two_tasks
    labels = pd.array(np.where(Y[:, 1] > 0, "a", "b"), dtype="string")
    labels[5] = pd.NA
    frame = pd.DataFrame({"value": Y[:, 0], "label": labels})
    with pytest.raises(ValueError, match=r"y contains NaN in column 1 \(task 1, binary\)"):
        MultiGateMixtureOfExperts(["regression", "binary"], **SMALL).fit(X, frame)
    frame = pd.DataFrame({"value": Y[:, 0].astype(object), "label": np.asarray(labels)[:]})
    frame.loc[5, "label"] = "a"
    frame.loc[3, "value"] = None
    with pytest.raises(ValueError, match=r"y contains NaN in column 0 \(task 0, regression\)"):
        MultiGateMixtureOfExperts(["regression", "binary"], **SMALL).fit(X, frame)


def test_category_and_string_columns_of_x_are_named(two_tasks):
    # pandas' "Cannot cast str dtype to float64" named no column before.
    pd = pytest.importorskip("pandas")
    X, Y = two_tasks
    frame = pd.DataFrame(X[:, :2], columns=["a", "b"]).assign(
        kind=pd.Categorical(np.where(X[:, 2] > 0, "x", "y")),
        text=np.where(X[:, 3] > 0, "p", "q").astype(object))
    for model in (MultiGateMixtureOfExperts(**SMALL),
                  HeterogeneousMultiGateMixtureOfExperts([("a", Ridge()), ("b", Ridge(10))])):
        with pytest.raises(ValueError, match=r"needs numeric X; the column\(s\) 'kind', "
                                             r"'text' are not numbers"):
            model.fit(frame, Y)


def test_heterogeneous_mmoe_takes_missing_values_where_every_expert_does(two_tasks):
    # It refused NaN that the mixtures, the ensembles and HME take (trees
    # split on it); the gates impute it by the column mean.
    X, Y = two_tasks
    X = X.copy()
    X[::7, 1] = np.nan
    trees = [("shallow", DecisionTreeRegressor(max_depth=3)),
             ("deep", DecisionTreeRegressor(max_depth=6))]
    model = HeterogeneousMultiGateMixtureOfExperts(trees, random_state=0).fit(X, Y)
    assert np.all(np.isfinite(model.predict(X)))
    assert np.all(np.isfinite(model.predict_gate(X)))
    assert model.__sklearn_tags__().input_tags.allow_nan
    # An expert that refuses NaN is named.
    with pytest.raises(ValueError, match="'linear' \\(Ridge\\) do not accept missing values"):
        HeterogeneousMultiGateMixtureOfExperts([("linear", Ridge()), *trees]).fit(X, Y)


class _WritingRidge(Ridge):
    """Sets column 0 of its X to zero in ``fit`` or in ``predict`` (``when``)."""

    def __init__(self, alpha=1.0, when="fit"):
        super().__init__(alpha=alpha)
        self.when = when

    def fit(self, X, y, sample_weight=None):
        if self.when == "fit":
            X[:, 0] = 0.0
        return super().fit(X, y, sample_weight)

    def predict(self, X):
        if self.when == "predict":
            X[:, 0] = 0.0
        return super().predict(X)


@pytest.mark.parametrize("when", ["fit", "predict"])
def test_heterogeneous_mmoe_experts_cannot_change_the_callers_X(two_tasks, when):
    # The experts got the caller's array itself: one that wrote into it
    # changed the user's data.
    X, Y = two_tasks
    original = X.copy()
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("bad", _WritingRidge(when=when))], random_state=0)
    step = "failed to fit" if when == "fit" else "failed in predict"
    with pytest.raises(ValueError, match=rf"Expert 'bad' \(_WritingRidge\) {step}: .*read-only"):
        model.fit(X, Y).predict(X)
    assert_array_equal(X, original)


def test_bad_parameters(two_tasks):
    X, Y = two_tasks
    with pytest.raises(ValueError, match="task_weights must be 2"):
        MultiGateMixtureOfExperts(task_weights=[1.0], **SMALL).fit(X, Y)
    with pytest.raises(ValueError, match="task_weights must be 2"):  # was accepted
        MultiGateMixtureOfExperts(task_weights=[[1.0, 1.0]], **SMALL).fit(X, Y)
    with pytest.raises(ValueError, match="architecture"):
        MultiGateMixtureOfExperts(architecture="mtl").fit(X, Y)
    with pytest.raises(ValueError, match="tower_hidden_layer_sizes"):
        MultiGateMixtureOfExperts(tower_hidden_layer_sizes=(0,)).fit(X, Y)
    with pytest.raises(ValueError, match="requires y"):
        MultiGateMixtureOfExperts().fit(X, None)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA error")
def test_cuda_requested_without_cuda(two_tasks):
    X, Y = two_tasks
    with pytest.raises(ValueError, match="CUDA is not available"):
        MultiGateMixtureOfExperts(device="cuda", **SMALL).fit(X, Y)
    assert MultiGateMixtureOfExperts(device="auto", **SMALL).fit(X, Y).device_.type == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_fit_pickles_to_cpu(two_tasks, monkeypatch):
    X, Y = two_tasks
    model = MultiGateMixtureOfExperts(device="cuda", **SMALL).fit(X, Y)
    data = pickle.dumps(model)
    # Back on the GPU where there is one: the same predictions.
    restored = pickle.loads(data)
    assert next(restored.module_.parameters()).device.type == "cuda"
    assert_allclose(restored.predict(X), model.predict(X))
    # On a machine without CUDA, on the CPU.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    restored = pickle.loads(data)
    assert next(restored.module_.parameters()).device.type == "cpu"
    assert restored.device_.type == "cpu"
    assert_allclose(restored.predict(X), model.predict(X), rtol=1e-4, atol=1e-4)


# ------------------------------------------------------ heterogeneous variant
def _linear_and_step(n=600, seed=0):
    """Task 0 is linear in x0, task 1 a step in x1: one expert suits each."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    Y = np.column_stack([3 * X[:, 0], 3.0 * (X[:, 1] > 0)])
    return X, Y + 0.05 * rng.standard_normal(Y.shape)


def test_heterogeneous_gates_pick_the_suited_expert():
    X, Y = _linear_and_step()
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("linear", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=1))],
        gate_hidden_layer_sizes=(), random_state=0).fit(X, Y)
    gate = model.predict_gate(X).mean(axis=0)       # (tasks, experts)
    assert gate[0, 0] > 0.8 and gate[1, 1] > 0.8
    mse = ((model.predict(X) - Y) ** 2).mean(axis=0)
    for name in ("linear", "tree"):
        alone = ((model.named_experts_[name].predict(X) - Y) ** 2).mean(axis=0)
        assert np.all(mse < alone)


def test_heterogeneous_mixed_tasks_and_pickle(two_tasks):
    X, Y = two_tasks
    Y_mixed = _mixed_targets(X, Y)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4))],
        ["regression", "binary", "multiclass"], random_state=0).fit(X, Y_mixed)
    proba = model.predict_proba(X[:5])
    assert proba[0] is None and proba[1].shape == (5, 2) and proba[2].shape == (5, 3)
    assert_allclose(proba[2].sum(axis=1), 1.0)
    assert model.predict_gate(X[:5]).shape == (5, 3, 2)
    assert np.mean(model.predict(X)[:, 1] == Y_mixed[:, 1]) > 0.65
    restored = pickle.loads(pickle.dumps(model))
    before, after = model.predict(X), restored.predict(X)
    assert_array_equal(after[:, 1:], before[:, 1:])
    # The gates ran on the GPU where there is one; restored, on the CPU.
    assert_allclose(after[:, 0].astype(float), before[:, 0].astype(float), rtol=1e-5)


def test_heterogeneous_expert_errors(two_tasks):
    X, Y = two_tasks
    with pytest.raises(TypeError, match="Expert 'logit'.*is a classifier"):
        HeterogeneousMultiGateMixtureOfExperts(
            [("logit", LogisticRegression()), ("ridge", Ridge())]).fit(X, Y)

    class OneOutput(Ridge):
        def predict(self, X):
            return super().predict(X)[:, 0]

    with pytest.raises(ValueError, match="Expert 'single' returned 1 outputs"):
        HeterogeneousMultiGateMixtureOfExperts(
            [("single", OneOutput()), ("ridge", Ridge())]).fit(X, Y)


@pytest.mark.parametrize("make_model", [
    lambda: MultiGateMixtureOfExperts(**SMALL),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
        random_state=0),
])
def test_sample_weight_focuses_the_fit(two_tasks, make_model):
    # Rows with zero weight are ignored: the weighted model fits the other
    # half better than the unweighted model does.
    X, Y = two_tasks
    kept = X[:, 0] > 0
    weighted = make_model().fit(X, Y, sample_weight=kept.astype(float))
    plain = make_model().fit(X, Y)

    def mse(model):
        return ((model.predict(X[kept]) - Y[kept]) ** 2).mean()

    assert mse(weighted) < mse(plain)


@pytest.mark.parametrize("make_model", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("line", LinearRegression())], max_iter=2, random_state=0),
])
def test_score_names_a_y_of_the_wrong_shape(two_tasks, make_model):
    # A y with one task too few was an IndexError ("index 1 is out of bounds"),
    # one row too few a failed reshape.
    X, Y = two_tasks
    model = make_model().fit(X[:60], Y[:60])
    for bad in (Y[:60, :1], Y[:59], Y[:60, :, None]):
        with pytest.raises(ValueError, match=r"y must have shape \(60, 2\) \(one column per "
                                             r"task\); got shape " + re.escape(str(bad.shape))):
            model.score(X[:60], bad)
    assert model.score(X[:60], Y[:60]) == pytest.approx(np.mean(
        [1 - ((Y[:60, t] - model.predict(X[:60])[:, t]) ** 2).sum()
         / ((Y[:60, t] - Y[:60, t].mean()) ** 2).sum() for t in range(2)]))
