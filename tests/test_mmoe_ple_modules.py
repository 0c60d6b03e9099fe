"""MultiGateMixtureOfExperts: PLE, user torch modules (MoSE), sequence inputs."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmoe import MultiGateMixtureOfExperts
from skmoe.datasets import make_mmoe_tasks

FAST = dict(expert_units=4, tower_hidden_layer_sizes=(3,), max_iter=5, batch_size=64,
            learning_rate=1e-2, random_state=0)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def two_tasks():
    return make_mmoe_tasks(n_samples=200, n_features=5, correlation=0.3, random_state=0)


class LSTMBlock(torch.nn.Module):
    """An LSTM that returns its hidden states (or the last one), not a tuple."""

    def __init__(self, n_in, n_hidden, last_step=False):
        super().__init__()
        self.lstm = torch.nn.LSTM(n_in, n_hidden, batch_first=True)
        self.last_step = last_step

    def forward(self, x):
        out = self.lstm(x)[0]
        return out[:, -1] if self.last_step else out


class TupleModule(torch.nn.Module):
    def forward(self, x):
        return x, x


def lazy_expert():
    return torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU())


def _sequences(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, 6, 2))
    # Order matters: the last step against the first.
    return X, np.column_stack([X[:, -1, 0] - X[:, 0, 0], X[:, :, 1].sum(1)])


# -------------------------------------------------------------------- PLE
@pytest.mark.parametrize("n_levels", [1, 3])
def test_ple_shapes_and_gates(two_tasks, n_levels):
    X, Y = two_tasks
    model = MultiGateMixtureOfExperts(architecture="ple", n_experts=2, n_task_experts=1,
                                      n_levels=n_levels, **FAST).fit(X, Y)
    assert model.predict(X[:7]).shape == (7, 2)
    gate = model.predict_gate(X[:7])
    # Each task's last gate: its own expert, then the two shared ones.
    assert gate.shape == (7, 2, 3)
    assert_allclose(gate.sum(axis=2), 1.0, rtol=1e-5)


def test_ple_parameter_count():
    # Counted by hand: 5 inputs, 2 tasks, 2 experts per task + 1 shared per
    # layer, 4 units, linear gates, towers 4 -> 3 -> 1, two layers.
    X, Y = make_mmoe_tasks(n_samples=50, n_features=5, random_state=0)
    model = MultiGateMixtureOfExperts(architecture="ple", n_experts=1, n_task_experts=2,
                                      n_levels=2, **FAST).fit(X, Y)
    layer1 = 5 * (5 * 4 + 4) + 2 * (5 * 3 + 3) + (5 * 5 + 5)     # experts, task/shared gates
    layer2 = 5 * (4 * 4 + 4) + 2 * (4 * 3 + 3)                   # no shared gate on top
    towers = 2 * ((4 * 3 + 3) + (3 + 1))
    assert sum(p.numel() for p in model.module_.parameters()) == layer1 + layer2 + towers


def test_cgc_task_reads_only_its_own_and_shared_experts(two_tasks):
    # In one extraction layer (CGC), task 1's own experts cannot change task
    # 0's prediction; with two layers they can, through the shared gate.
    X, Y = two_tasks
    for n_levels, task0_moves in ((1, False), (2, True)):
        model = MultiGateMixtureOfExperts(architecture="ple", n_experts=1,
                                          n_task_experts=1, n_levels=n_levels,
                                          activation="tanh", **FAST).fit(X, Y)
        before = model.predict(X)
        with torch.no_grad():
            # Expert order: task 0's, task 1's, then the shared ones.
            model.module_.experts[0].layers[0].weight[1] += 1.0
        after = model.predict(X)
        assert not np.allclose(after[:, 1], before[:, 1])
        assert np.allclose(after[:, 0], before[:, 0]) is not task0_moves


def test_ple_mixed_tasks_and_pickle(two_tasks):
    X, Y = two_tasks
    Y_mixed = np.column_stack([Y[:, 0], (Y[:, 1] > 0).astype(int)])
    model = MultiGateMixtureOfExperts(["regression", "binary"], architecture="ple",
                                      **{**FAST, "max_iter": 30}).fit(X, Y_mixed)
    assert model.predict_proba(X[:4])[1].shape == (4, 2)
    assert np.mean(model.predict(X)[:, 1] == Y_mixed[:, 1]) > 0.7
    restored = pickle.loads(pickle.dumps(model))
    assert_allclose(restored.predict(X), model.predict(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("params, match", [
    (dict(n_task_experts=2), "n_task_experts only applies to architecture='ple'"),
    (dict(architecture="omoe", n_levels=2), "n_levels only applies to architecture='ple'"),
    (dict(architecture="ple", expert_module=lazy_expert),
     "expert_module cannot be used with architecture='ple'"),
    (dict(architecture="shared_bottom", expert_module=lazy_expert),
     "'shared_bottom' has no experts"),
    (dict(expert_module=TupleModule()), "returned tuple, not a tensor"),
    (dict(expert_module=lambda: "not a module"), "callable returning one"),
    (dict(bottom_module=LSTMBlock(5, 3)), "built-in experts need 2-D inputs"),
    # A module of the wrong width: torch's bare "mat1 and mat2 shapes cannot be
    # multiplied" named no module.
    (dict(bottom_module=torch.nn.Linear(7, 4)),
     r"bottom_module \(its input: X's features\) failed on an input of shape \(2, 1, 5\)"
     ".*7x4"),
    (dict(expert_module=torch.nn.Linear(9, 4)), r"expert_module .* failed .*9x4"),
    (dict(tower_module=torch.nn.Linear(99, 4)), r"tower_module .* failed .*99x4"),
])
def test_inapplicable_parameters_raise(two_tasks, params, match):
    X, Y = two_tasks
    if "bottom_module" in params:       # an LSTM over rows of 5 features... as steps
        X = X.reshape(len(X), 1, 5)
    with pytest.raises((ValueError, TypeError), match=match):
        MultiGateMixtureOfExperts(**params, **FAST).fit(X, Y)


# ------------------------------------------------------------ user modules
def test_module_instance_is_copied_reinitialised_and_untouched(two_tasks):
    X, Y = two_tasks
    expert = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU())
    weights = expert[0].weight.detach().clone()
    model = MultiGateMixtureOfExperts(expert_module=expert, n_experts=3, **FAST).fit(X, Y)
    assert torch.equal(expert[0].weight, weights)              # the given one never trains
    copies = [e[0].weight for e in model.module_.experts]
    assert not torch.allclose(copies[0], copies[1])            # re-initialised, not equal
    # clone() and random_state: the same fit again.
    assert_allclose(clone(model).fit(X, Y).predict(X), model.predict(X))
    other = clone(model).set_params(random_state=1).fit(X, Y)
    assert not np.allclose(other.predict(X), model.predict(X))


def test_mose_on_sequences():
    X, Y = _sequences()
    model = MultiGateMixtureOfExperts(
        n_experts=2, bottom_module=LSTMBlock(2, 6), expert_module=LSTMBlock(6, 4),
        tower_module=LSTMBlock(4, 4, last_step=True), **{**FAST, "max_iter": 30})
    model.fit(X, Y)
    assert model.n_features_in_ == 2
    assert model.predict(X[:5]).shape == (5, 2)
    gate = model.predict_gate(X[:5])                     # per-step gates, averaged
    assert gate.shape == (5, 2, 2)
    assert_allclose(gate.sum(axis=2), 1.0, rtol=1e-5)
    assert model.score(X, Y) > 0.3
    restored = pickle.loads(pickle.dumps(model))
    # A GPU fit is restored to the CPU: cuDNN's LSTM and the CPU's differ by ~1e-3.
    tolerance = 5e-3 if torch.cuda.is_available() else 1e-6
    assert_allclose(restored.predict(X), model.predict(X), rtol=1e-5, atol=tolerance)
    # Another sequence length is fine for LSTMs; other features per step are not.
    assert model.predict(X[:5, :4]).shape == (5, 2)
    with pytest.raises(ValueError, match="fitted on 3-D X with 2 features per step"):
        model.predict(np.zeros((5, 6, 3)))
    with pytest.raises(ValueError, match="X must be 3-D too"):
        model.predict(X[:, 0])


def test_sequence_experts_pooling_the_time_axis():
    # Experts that return the last step: one mixture per row, gates on the
    # time-mean of the bottom's states; built-in towers.
    X, Y = _sequences()
    model = MultiGateMixtureOfExperts(
        n_experts=2, bottom_module=LSTMBlock(2, 6),
        expert_module=LSTMBlock(6, 4, last_step=True), **FAST).fit(X, Y)
    assert model.predict_gate(X[:3]).shape == (3, 2, 2)
    shared = MultiGateMixtureOfExperts(
        architecture="shared_bottom", bottom_module=LSTMBlock(2, 6, last_step=True),
        **FAST).fit(X, Y)
    assert shared.module_.experts is None and not hasattr(shared, "predict_gate")


def test_three_dimensional_X_needs_a_sequence_module():
    X, Y = _sequences()
    with pytest.raises(ValueError, match="X is 3-D"):
        MultiGateMixtureOfExperts(**FAST).fit(X, Y)


# ------------------------------------------------------------ common checks
@parametrize_with_checks(
    [MultiGateMixtureOfExperts(architecture="ple", n_experts=1, n_task_experts=1,
                               expert_units=4, max_iter=5, random_state=0),
     MultiGateMixtureOfExperts(expert_module=torch.nn.Sequential(
         torch.nn.LazyLinear(4), torch.nn.ReLU()), n_experts=2, max_iter=5,
         random_state=0)],
    # (check_sample_weight_equivalence_on_dense_data passes: the check's data
    # fit in one batch, and the input and target scaling are weighted.)
    expected_failed_checks=lambda est: {
        # A regressor (its tasks are regressions): the check asks R² > 0.5 on
        # its training rows, which these 5-epoch fits do not reach.
        "check_regressors_train": "5 epochs (the fast settings) do not reach R² > 0.5"})
def test_sklearn_compatible(estimator, check):
    check(estimator)
