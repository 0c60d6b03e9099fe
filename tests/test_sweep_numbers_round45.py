"""Wrong-number sweep, round 45: the hierarchical and multi-task mixtures'
outputs recomputed by hand (numpy forward passes from the fitted parameters,
scikit-learn metrics).

Recomputed:

* ``MultiGateMixtureOfExperts`` for 'mmoe', 'omoe', 'shared_bottom' and
  'ple' (one to three extraction layers, hidden layers in the experts, gates
  and towers, tanh), and with user bottom, expert and tower modules: each
  task's ``predict`` and ``predict_proba`` from a numpy forward pass of
  ``module_``'s weights, ``predict_gate`` per task (PLE's own experts, then
  the shared ones), ``classes_`` against the columns of ``predict_proba``,
  the regression tasks' un-standardisation (the weighted mean and standard
  deviation), the inputs' weighted standardisation (a 3-D X's per feature
  over rows and steps), per-step gates of sequence experts (``predict_gate``
  their mean over the steps), and ``score`` as the
  mean of the weighted R^2 and accuracies (``task_weights`` do not weigh
  it, as documented): all within float32 rounding (2.5e-7 on targets of
  spread 5);
* the first value of ``loss_curve_`` against the loss of the initial network
  by hand (squared error of the standardised target, binary and categorical
  cross-entropy, each the ``sample_weight``-weighted mean, summed with
  ``task_weights`` rescaled to mean one), with one minibatch and with
  several (within 1.3e-7 relative, at a learning rate of 1e-9);
  ``min(validation_loss_curve_)`` against the same loss of the network kept
  on the rows early stopping held out;
* the parameter counts that ``docs/mmoe.rst`` gives for the seesaw study
  (MMoE 14,834, CGC 14,228, two-layer PLE 15,157) against the modules built
  and a count by hand;
* ``HeterogeneousMultiGateMixtureOfExperts``' classification tasks: each
  gate by hand (linear and one hidden layer), the experts' indicator columns
  clipped, smoothed by 1e-4 and renormalised, mixed by the task's gate, and
  the labels from them (within 2.3e-16);
* ``HierarchicalMixtureRegressor`` and ``Classifier``: leaf weights as the
  products of the branch probabilities along each path of a three-level
  tree (2, 3, 2) and of uneven two-level trees, ``predict_path`` per level,
  ``predict`` and ``return_std`` from the leaves and ``noise_variance_``,
  ``log_likelihood_samples`` against the Gaussian mixture density (and the
  log of ``predict_proba`` at the label, with ``class_prior_``'s share
  ``1/n^2`` for ``n`` the weights' sum over the smallest),
  ``log_likelihood_`` against the weighted mean of the training rows',
  ``n_free_parameters`` against a count by hand (every gate but one output
  row, every leaf, a multinomial leaf but one row, one variance per leaf)
  and ``bic`` from it.

Found (the docs fixed, with its test below): ``alpha='auto'`` of the
heterogeneous multi-task mixture was documented as chosen by 3-fold
cross-validation of the gates, but on fewer than 6 rows (of positive
``sample_weight``) none is held out and every task gets ``alpha_`` 1.0
without a penalty tried (in the test: ``[1.0, 1.0]`` on 5 rows, and on 6
rows one of weight zero; ``[1e-2, 1.0]`` on 7). The parameter's docstring
and ``docs/mmoe.rst`` now say so; the behaviour is kept (3 folds of 5 rows
would score each penalty on one or two rows).

Every other test is a ``test_guard_*`` that pins a recomputation found
right; no wrong number was found.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MultiGateMixtureOfExperts)
from skmoe._selection import n_free_parameters

MMOE_GUIDE = Path(__file__).resolve().parents[1] / "docs" / "mmoe.rst"


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        # (Short fits: max_iter is reached on purpose.)
        warnings.simplefilter("ignore")
        yield


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _layers(batched):
    return [(layer.weight.detach().double().numpy(), layer.bias.detach().double().numpy())
            for layer in batched.layers]


def _mlp(layers, x, member, activation):
    """Member ``member`` of a BatchedMLP (weights (e, in, out)) on x, by hand."""
    for i, (weight, bias) in enumerate(layers):
        x = x @ weight[member] + bias[member]
        if i < len(layers) - 1:
            x = activation(x)
    return x


def _relu(z):
    return np.maximum(z, 0.0)


def _tasks_data(n=50, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 5.0, 0.2] + [0.0, 3.0, 1.0]
    price = 3 * X[:, 0] + X[:, 1] + 0.3 * rng.normal(size=n) + 10
    kind = np.array(["c", "a", "b"])[(X[:, 0] > 0).astype(int) + (X[:, 2] > 1).astype(int)]
    sold = np.where(X[:, 1] > 3, 5, 2)
    Y = pd.DataFrame({"price": price, "kind": kind, "sold": sold})
    return X, Y, rng.uniform(0.1, 3.0, size=n)


TASKS = ["regression", "multiclass", "binary"]


def _check_outputs(model, X, Y, w, out, gates=None):
    """predict, predict_proba, predict_gate and score against the tower outputs
    ``out`` (per task, (n, o)) and gate weights computed by hand."""
    price, kind, sold = (Y[c].to_numpy() for c in Y.columns)
    mean = np.average(price, weights=w)
    scale = np.sqrt(np.average((price - mean) ** 2, weights=w))
    np.testing.assert_allclose(model._y_mean[0], mean, rtol=1e-14)
    np.testing.assert_allclose(model._y_scale[0], scale, rtol=1e-14)
    P, proba = model.predict(X), model.predict_proba(X)
    regression = out[0][:, 0] * scale + mean
    np.testing.assert_allclose(P[:, 0].astype(float), regression, rtol=1e-6, atol=1e-5)
    multi = _softmax(out[1][:, :3])
    binary = 1 / (1 + np.exp(-out[2][:, 0]))
    np.testing.assert_allclose(proba[1], multi, atol=1e-6)
    np.testing.assert_allclose(proba[2][:, 1], binary, atol=1e-6)
    assert list(model.classes_[1]) == ["a", "b", "c"] and list(model.classes_[2]) == [2, 5]
    # (No row near a tie here: the labels follow the probabilities' columns.)
    assert np.array_equal(P[:, 1], model.classes_[1][multi.argmax(1)])
    assert np.array_equal(P[:, 2].astype(int), model.classes_[2][(binary > 0.5).astype(int)])
    if gates is not None:
        np.testing.assert_allclose(model.predict_gate(X), gates, atol=1e-6)
    hand = np.mean([r2_score(price, P[:, 0].astype(float), sample_weight=w),
                    accuracy_score(kind, P[:, 1].astype(str), sample_weight=w),
                    accuracy_score(sold, P[:, 2].astype(int), sample_weight=w)])
    assert model.score(X, Y, sample_weight=w) == pytest.approx(hand, abs=1e-6)


@pytest.mark.parametrize("architecture", ["mmoe", "omoe", "shared_bottom"])
def test_guard_mmoe_outputs_by_hand(architecture):
    X, Y, w = _tasks_data()
    model = MultiGateMixtureOfExperts(TASKS, architecture=architecture, n_experts=3,
                                      expert_units=4, task_weights=[1, 2, 0.5], max_iter=3,
                                      random_state=0).fit(X, Y, sample_weight=w)
    x_mean = np.average(X, axis=0, weights=w)
    x_scale = np.sqrt(np.average((X - x_mean) ** 2, axis=0, weights=w))
    np.testing.assert_allclose(model._x_mean, x_mean, rtol=1e-13)
    np.testing.assert_allclose(model._x_scale, x_scale, rtol=1e-13)
    Z = (X - x_mean) / x_scale
    net = model.module_
    experts = _layers(net.experts)
    hidden = np.stack([_relu(_mlp(experts, Z, e, _relu))
                       for e in range(experts[0][0].shape[0])])           # (e, n, u)
    gates = None
    if net.gates is not None:
        gate_layers = _layers(net.gates)
        weights = np.stack([_softmax(_mlp(gate_layers, Z, g, _relu))
                            for g in range(gate_layers[0][0].shape[0])])  # (g, n, e)
        mixed = np.einsum("gne,enu->gnu", weights, hidden)
        gates = np.broadcast_to(weights, (3,) + weights.shape[1:]).transpose(1, 0, 2)
    else:
        mixed = hidden
    mixed = np.broadcast_to(mixed, (3,) + mixed.shape[1:])
    towers = _layers(net.towers)
    out = [_mlp(towers, mixed[t], t, _relu) for t in range(3)]
    _check_outputs(model, X, Y, w, out, gates)


@pytest.mark.parametrize("n_levels,n_task_experts,n_shared", [(1, 2, 1), (3, 1, 2)])
def test_guard_ple_outputs_by_hand(n_levels, n_task_experts, n_shared):
    X, Y, w = _tasks_data()
    model = MultiGateMixtureOfExperts(
        TASKS, architecture="ple", n_levels=n_levels, n_task_experts=n_task_experts,
        n_experts=n_shared, expert_hidden_layer_sizes=(5,), gate_hidden_layer_sizes=(3,),
        tower_hidden_layer_sizes=(4, 2), activation="tanh", expert_units=4, max_iter=3,
        random_state=0).fit(X, Y, sample_weight=w)
    net, n_tasks = model.module_, 3
    n_experts = n_tasks * n_task_experts + n_shared
    # Expert e reads its task's representation (or the shared one, last); task
    # t's gate mixes its own experts, then the shared ones.
    source = [t for t in range(n_tasks) for _ in range(n_task_experts)] + [n_tasks] * n_shared
    own = [list(range(t * n_task_experts, (t + 1) * n_task_experts))
           + list(range(n_tasks * n_task_experts, n_experts)) for t in range(n_tasks)]
    reps = [(X - model._x_mean) / model._x_scale] * (n_tasks + 1)
    for level in range(n_levels):
        layers = _layers(net.experts[level])
        hidden = np.stack([np.tanh(_mlp(layers, reps[source[e]], e, np.tanh))
                           for e in range(n_experts)])
        task_gates = _layers(net.task_gates[level])
        gates = [_softmax(_mlp(task_gates, reps[t], t, np.tanh)) for t in range(n_tasks)]
        tasks = [np.einsum("nk,knu->nu", gates[t], hidden[own[t]]) for t in range(n_tasks)]
        if level < n_levels - 1:
            shared = _softmax(_mlp(_layers(net.shared_gates[level]), reps[-1], 0, np.tanh))
            reps = tasks + [np.einsum("ne,enu->nu", shared, hidden)]
        else:
            reps = tasks
    towers = _layers(net.towers)
    out = [_mlp(towers, reps[t], t, np.tanh) for t in range(n_tasks)]
    _check_outputs(model, X, Y, w, out, np.stack(gates, axis=1))


def test_guard_mmoe_user_modules_by_hand():
    X, Y, w = _tasks_data()
    model = MultiGateMixtureOfExperts(
        TASKS, n_experts=3, max_iter=3, random_state=0,
        bottom_module=torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh()),
        expert_module=torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh()),
        tower_module=torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU()),
    ).fit(X, Y, sample_weight=w)
    net = model.module_

    def run(module, x):
        with torch.no_grad():
            return module(torch.as_tensor(x, dtype=torch.float32)).double().numpy()

    z = run(net.bottom, (X - model._x_mean) / model._x_scale)
    hidden = np.stack([run(expert, z) for expert in net.experts])
    gate_layers = _layers(net.gates)
    weights = np.stack([_softmax(_mlp(gate_layers, z, t, _relu)) for t in range(3)])
    mixed = np.einsum("tne,enu->tnu", weights, hidden)
    heads = _layers(net.heads)
    out = [_mlp(heads, run(net.towers[t], mixed[t]), t, _relu) for t in range(3)]
    _check_outputs(model, X, Y, w, out, weights.transpose(1, 0, 2))


class _MeanOfStepsTower(torch.nn.Module):
    """A tower over sequences: the time-mean of its input, then a layer."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3)

    def forward(self, x):
        return torch.relu(self.linear(x.mean(dim=1)))


def test_guard_mmoe_sequence_gates_per_step_by_hand():
    # Experts that keep the time axis: one gate mixture per step (the
    # forward pass), predict_gate their mean over the steps; X standardised
    # per feature over rows and steps, each step weighted as its row.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 5, 2))
    Y = np.column_stack([X[:, :, 0].sum(axis=1), X[:, :, 1].mean(axis=1)])
    w = rng.uniform(0.2, 2.0, size=30)
    model = MultiGateMixtureOfExperts(
        n_experts=2, expert_module=torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh()),
        tower_module=_MeanOfStepsTower(), max_iter=3, random_state=0).fit(X, Y, sample_weight=w)
    steps = X.reshape(-1, 2)
    mean = np.average(steps, axis=0, weights=np.repeat(w, 5))
    scale = np.sqrt(np.average((steps - mean) ** 2, axis=0, weights=np.repeat(w, 5)))
    np.testing.assert_allclose(model._x_mean, mean, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(model._x_scale, scale, rtol=1e-13)
    net, Z = model.module_, (X - mean) / scale
    with torch.no_grad():
        hidden = torch.stack([expert(torch.as_tensor(Z, dtype=torch.float32))
                              for expert in net.experts]).double().numpy()   # (e, n, s, u)
        (weight, bias), = _layers(net.gates)
        logits = np.einsum("nsd,tde->tnse", Z, weight) + bias[:, :, None, :]
        gates = _softmax(logits)                                             # (t, n, s, e)
        mixed = np.einsum("tnse,ensu->tnsu", gates, hidden)
        (head_weight, head_bias), = _layers(net.heads)
        out = [net.towers[t](torch.as_tensor(mixed[t], dtype=torch.float32)).double().numpy()
               @ head_weight[t] + head_bias[t] for t in range(2)]
    hand = np.column_stack([out[t][:, 0] * model._y_scale[t] + model._y_mean[t]
                            for t in range(2)])
    np.testing.assert_allclose(model.predict(X), hand, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(model.predict_gate(X), gates.mean(axis=2).transpose(1, 0, 2),
                               atol=1e-6)


def _hand_loss(model, X, Y, w, task_weights):
    """The network's weighted training loss on (X, Y), by hand."""
    Z = torch.as_tensor((X - model._x_mean) / model._x_scale, dtype=torch.float32)
    with torch.no_grad():
        out = model.module_(Z).double().numpy()
    target = (Y["price"].to_numpy() - model._y_mean[0]) / model._y_scale[0]
    squared = (out[0, :, 0] - target) ** 2
    codes = np.searchsorted(model.classes_[1], Y["kind"].to_numpy())
    logits = out[1, :, :3] - out[1, :, :3].max(axis=1, keepdims=True)
    log_proba = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    categorical = -log_proba[np.arange(len(X)), codes]
    z, yes = out[2, :, 0], (Y["sold"].to_numpy() == 5)
    binary = np.logaddexp(0.0, z) - yes * z
    task_weights = np.asarray(task_weights, dtype=float)
    task_weights = task_weights / task_weights.mean()
    return sum(t_w * np.average(loss, weights=w)
               for t_w, loss in zip(task_weights, (squared, categorical, binary)))


@pytest.mark.parametrize("architecture", ["mmoe", "ple", "shared_bottom"])
@pytest.mark.parametrize("batch_size", [200, 16])
def test_guard_first_loss_is_the_initial_networks(architecture, batch_size):
    # At a learning rate of 1e-9 the network after the first epoch is the
    # initial one to float32 rounding: the epoch's loss is its loss.
    X, Y, w = _tasks_data()
    model = MultiGateMixtureOfExperts(TASKS, architecture=architecture, n_experts=3,
                                      expert_units=4, task_weights=[1, 2, 0.5], max_iter=1,
                                      learning_rate=1e-9, batch_size=batch_size, alpha=0.0,
                                      random_state=0).fit(X, Y, sample_weight=w)
    assert model.loss_curve_[0] == pytest.approx(_hand_loss(model, X, Y, w, [1, 2, 0.5]),
                                                 rel=1e-6)


def test_guard_validation_loss_of_the_kept_network(monkeypatch):
    import skmoe._mmoe as mmoe_module
    split = {}
    original = mmoe_module.validation_split

    def recording(*args, **kwargs):
        split["valid"], train = original(*args, **kwargs)
        return split["valid"], train

    monkeypatch.setattr(mmoe_module, "validation_split", recording)
    X, Y, w = _tasks_data(n=60)
    model = MultiGateMixtureOfExperts(TASKS, n_experts=3, max_iter=30, early_stopping=True,
                                      n_iter_no_change=3, validation_fraction=0.3,
                                      learning_rate=0.05, task_weights=[3, 1, 1],
                                      random_state=0).fit(X, Y, sample_weight=w)
    valid = np.sort(split["valid"])
    hand = _hand_loss(model, X[valid], Y.iloc[valid], w[valid], [3, 1, 1])
    assert min(model.validation_loss_curve_) == pytest.approx(hand, rel=1e-6)


def test_guard_documented_seesaw_parameter_counts():
    # docs/mmoe.rst: 100 features, two regression tasks, experts of 16 units,
    # linear gates, towers of 8 hidden units.
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(12, 100)), rng.normal(size=(12, 2))
    expert = 100 * 16 + 16
    towers = 2 * (16 * 8 + 8 + 8 + 1)
    by_hand = {
        "mmoe": 8 * expert + 2 * (100 * 8 + 8) + towers,
        "cgc": 8 * expert + 2 * (100 * 5 + 5) + towers,
        "ple": 7 * expert + 2 * (100 * 4 + 4) + (100 * 7 + 7)
               + 7 * (16 * 16 + 16) + 2 * (16 * 4 + 4) + towers,
    }
    assert by_hand == {"mmoe": 14_834, "cgc": 14_228, "ple": 15_157}
    configurations = {
        "mmoe": dict(architecture="mmoe", n_experts=8),
        "cgc": dict(architecture="ple", n_levels=1, n_experts=2, n_task_experts=3),
        "ple": dict(architecture="ple", n_levels=2, n_experts=1, n_task_experts=3),
    }
    for name, params in configurations.items():
        model = MultiGateMixtureOfExperts(**params, max_iter=1, random_state=0).fit(X, Y)
        assert sum(p.numel() for p in model.module_.parameters()) == by_hand[name], name


@pytest.mark.parametrize("gate_sizes", [(), (4,)])
def test_guard_heterogeneous_classification_by_hand(gate_sizes):
    X, Y, w = _tasks_data(n=60)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))],
        TASKS, task_weights=[1, 2, 0.5], gate_hidden_layer_sizes=gate_sizes, alpha=1e-3,
        random_state=0).fit(X, Y, sample_weight=w)
    Z = (X - model._x_mean) / model._x_scale
    layers = _layers(model.gates_)
    gates = np.stack([_softmax(_mlp(layers, Z, t, _relu)) for t in range(3)])   # (t, n, e)
    np.testing.assert_allclose(model.predict_gate(X), gates.transpose(1, 0, 2), atol=1e-14)
    # The encoded columns: price, then 'a', 'b', 'c', then 2, 5.
    columns = np.stack([expert.predict(X) for expert in model.experts_])        # (e, n, 6)
    P, proba = model.predict(X), model.predict_proba(X)
    for t, block in ((1, slice(1, 4)), (2, slice(4, 6))):
        smoothed = np.maximum(columns[:, :, block], 0.0) + 1e-4
        smoothed /= smoothed.sum(axis=2, keepdims=True)
        mixed = np.einsum("ne,enc->nc", gates[t], smoothed)
        np.testing.assert_allclose(proba[t], mixed, atol=1e-14)
        assert np.array_equal(P[:, t], model.classes_[t][mixed.argmax(axis=1)])


def _hme_data(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] > 0, 3 * X[:, 1], -2 * X[:, 2]) + 0.3 * rng.normal(size=n) + 5
    return X, y, rng.uniform(0.1, 3.0, size=n)


def test_guard_hme_three_levels_leaf_weights_are_path_products():
    X, y, _ = _hme_data(n=150, seed=1)
    model = HierarchicalMixtureRegressor(Ridge(), branching=(2, 3, 2), max_iter=3,
                                         random_state=0).fit(X, y)
    view = model._gate_view(X)
    g = [[gate.predict_proba(view) for gate in level] for level in model.gates_]
    assert [len(level) for level in g] == [1, 2, 6]
    top, middle, leaves = np.zeros((150, 2)), np.zeros((150, 6)), np.zeros((150, 12))
    for a in range(2):
        top[:, a] = g[0][0][:, a]
        for b in range(3):
            middle[:, 3 * a + b] = top[:, a] * g[1][a][:, b]
            for c in range(2):
                leaves[:, 2 * (3 * a + b) + c] = middle[:, 3 * a + b] * g[2][3 * a + b][:, c]
    np.testing.assert_allclose(model.predict_gate(X), leaves, atol=1e-15)
    for got, hand in zip(model.predict_path(X), (top, middle, leaves)):
        np.testing.assert_allclose(got, hand, atol=1e-15)
    outputs = np.column_stack([leaf.predict(X) for leaf in model.experts_])
    np.testing.assert_allclose(model.predict(X), (leaves * outputs).sum(axis=1), atol=1e-13)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_guard_hme_regressor_density_and_count_by_hand(early_stopping):
    X, y, w = _hme_data()
    model = HierarchicalMixtureRegressor(Ridge(), branching=(2, 3), max_iter=5,
                                         early_stopping=early_stopping,
                                         random_state=0).fit(X, y, sample_weight=w)
    view = model._gate_view(X)
    leaves = (np.repeat(model.gates_[0][0].predict_proba(view), 3, axis=1)
              * np.hstack([gate.predict_proba(view) for gate in model.gates_[1]]))
    outputs = np.column_stack([leaf.predict(X) for leaf in model.experts_])
    variances = model.noise_variance_
    mean = (leaves * outputs).sum(axis=1)
    std = np.sqrt((leaves * (variances + (outputs - mean[:, None]) ** 2)).sum(axis=1))
    got_mean, got_std = model.predict(X, return_std=True)
    np.testing.assert_allclose(got_mean, mean, atol=1e-12)
    np.testing.assert_allclose(got_std, std, rtol=1e-12)
    density = (leaves * np.exp(-(y[:, None] - outputs) ** 2 / (2 * variances))
               / np.sqrt(2 * np.pi * variances)).sum(axis=1)
    np.testing.assert_allclose(model.log_likelihood_samples(X, y), np.log(density),
                               atol=1e-12)
    if not early_stopping:
        assert model.log_likelihood_ == pytest.approx(np.average(np.log(density), weights=w),
                                                      abs=1e-13)
    # Six Ridge leaves (3 coefficients and an intercept), a root gate of two
    # branches and two gates of three on three inputs, each but one output
    # row, and six noise variances.
    k = 6 * 4 + (2 - 1) * 4 + 2 * (3 - 1) * 4 + 6
    assert n_free_parameters(model) == k == 50
    assert model.bic(X, y) == pytest.approx(-2 * np.log(density).sum() + k * np.log(80),
                                            rel=1e-13)


def test_guard_hme_classifier_proba_and_count_by_hand():
    X, _, w = _hme_data()
    labels = np.array(["z", "x", "y"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)]
    model = HierarchicalMixtureClassifier(LogisticRegression(), branching=(3, 2), max_iter=5,
                                          random_state=0).fit(X, labels, sample_weight=w)
    view = model._gate_view(X)
    leaves = (np.repeat(model.gates_[0][0].predict_proba(view), 2, axis=1)
              * np.hstack([gate.predict_proba(view) for gate in model.gates_[1]]))
    np.testing.assert_allclose(model.predict_gate(X), leaves, atol=1e-15)
    assert list(model.classes_) == ["x", "y", "z"]
    mixed = np.einsum("nl,nlc->nc", leaves,
                      np.stack([leaf.predict_proba(X) for leaf in model.experts_], axis=1))
    codes = np.searchsorted(model.classes_, labels)
    share, frequencies = model.class_prior_
    rescaled = w / w.mean()
    assert share == pytest.approx(1 / (rescaled.sum() / rescaled.min()) ** 2, rel=1e-12)
    np.testing.assert_allclose(frequencies, np.bincount(codes, weights=w) / w.sum(),
                               rtol=1e-12)
    proba = (1 - share) * mixed + share * frequencies
    np.testing.assert_allclose(model.predict_proba(X), proba, atol=1e-14)
    assert np.array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    log_lik = np.log(proba[np.arange(len(X)), codes])
    np.testing.assert_allclose(model.log_likelihood_samples(X, labels), log_lik, atol=1e-13)
    assert model.log_likelihood_ == pytest.approx(np.average(log_lik, weights=w), abs=1e-13)
    # Six multinomial leaves (3 classes x (3 + 1), less one row) and a root
    # gate of three branches and three gates of two, each less one row.
    assert n_free_parameters(model) == 6 * 2 * 4 + (3 - 1) * 4 + 3 * (2 - 1) * 4 == 68


def test_auto_alpha_on_fewer_than_six_rows_is_one_and_the_docs_say_so():
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(7, 2)), rng.normal(size=(7, 2))
    experts = [("ridge", Ridge()), ("strong", Ridge(alpha=100.0))]

    def chosen(rows, sample_weight=None):
        model = HeterogeneousMultiGateMixtureOfExperts(
            experts, gate_hidden_layer_sizes=(), random_state=0)
        return model.fit(X[rows], Y[rows], sample_weight=sample_weight).alpha_

    # Five rows (or six, one of weight zero): no penalty is cross-validated.
    np.testing.assert_array_equal(chosen(slice(0, 5)), [1.0, 1.0])
    np.testing.assert_array_equal(chosen(slice(0, 6), [1, 1, 1, 0, 1, 1]), [1.0, 1.0])
    # (Seven rows: the penalties are tried; a weaker one wins for task 0.)
    np.testing.assert_array_equal(chosen(slice(0, 7)), [1e-2, 1.0])
    # (Before: "chooses it ... by 3-fold cross-validation", without the exception.)
    doc = " ".join(HeterogeneousMultiGateMixtureOfExperts.__doc__.split())
    assert "With fewer than 6 rows (of positive ``sample_weight``)" in doc
    assert "every task gets ``1.0``" in doc
    guide = " ".join(MMOE_GUIDE.read_text().split())
    assert "on fewer than 6 rows, too few to hold any out, it is ``1.0`` for every task" in guide
