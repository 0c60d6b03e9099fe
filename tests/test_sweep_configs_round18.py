"""Defects found by the configuration sweep, round 18 (combinations of
settings: a parameter that another setting makes unread, values at the edge
of their range, and ``set_params`` followed by ``fit``). Each setting must do
what its docstring says, or warn at fit that it has no effect."""
import warnings

import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts)


def _tasks(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, np.column_stack([X[:, 0] + X[:, 1], X[:, 1] * X[:, 2]])


def _linear_module():
    return torch.nn.Linear(3, 4)


def _tower_module():
    return torch.nn.LazyLinear(2)   # reads 16 built-in expert units, or 4


# (settings, the parameter away from its default that nothing reads)
_UNBUILT = [
    (dict(architecture="shared_bottom"), dict(gate_hidden_layer_sizes=(8,))),
    (dict(expert_module=_linear_module), dict(expert_units=4)),
    (dict(expert_module=_linear_module), dict(expert_hidden_layer_sizes=(8,))),
    (dict(architecture="shared_bottom", bottom_module=_linear_module), dict(n_experts=2)),
    (dict(architecture="shared_bottom", bottom_module=_linear_module),
     dict(expert_units=4)),
    (dict(tower_module=_tower_module), dict(tower_hidden_layer_sizes=(3,))),
    # Dropout follows hidden layers only: none in () experts and () towers.
    (dict(tower_hidden_layer_sizes=()), dict(dropout=0.5)),
    (dict(tower_module=_tower_module), dict(dropout=0.5)),
    (dict(expert_module=_linear_module, tower_module=_tower_module),
     dict(activation="tanh")),
]


@pytest.mark.parametrize("settings, unread", _UNBUILT)
def test_mmoe_warns_of_settings_of_parts_it_does_not_build(settings, unread):
    # Each of these changed nothing and said nothing: a user module replaces
    # the built-in part whose sizes were set, and 'shared_bottom' has no gate.
    X, Y = _tasks()
    base = dict(max_iter=3, device="cpu", random_state=0, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = MultiGateMixtureOfExperts(**base).fit(X, Y).predict(X)
    (name, value), = unread.items()
    with pytest.warns(UserWarning, match=rf"^{name}=.* has no effect"):
        model = MultiGateMixtureOfExperts(**base, **unread).fit(X, Y)
    # The warning is true: the predictions are those of the default.
    np.testing.assert_array_equal(model.predict(X), reference)


@pytest.mark.parametrize("settings, read", [
    (dict(architecture="shared_bottom"), dict(n_experts=2)),       # widens the network
    (dict(architecture="omoe"), dict(gate_hidden_layer_sizes=(8,))),
    (dict(expert_module=_linear_module), dict(dropout=0.5)),        # the towers' (8,)
    (dict(expert_module=_linear_module), dict(activation="tanh")),  # the towers' (8,)
    (dict(tower_hidden_layer_sizes=()), dict(activation="tanh")),   # the experts' outputs
])
def test_mmoe_does_not_warn_of_settings_that_act(settings, read):
    X, Y = _tasks()
    base = dict(max_iter=3, device="cpu", random_state=0, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = MultiGateMixtureOfExperts(**base).fit(X, Y).predict(X)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*has no effect", category=UserWarning)
        warnings.filterwarnings("ignore", category=Warning)
        changed = MultiGateMixtureOfExperts(**base, **read).fit(X, Y).predict(X)
    assert np.abs(changed - reference).max() > 0


def _pool():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]


def _hetero_fit(**params):
    X, Y = _tasks(n=80)
    Y = Y * 50   # unstandardised targets: the L-BFGS path depends on the loss' scale
    model = HeterogeneousMultiGateMixtureOfExperts(_pool(), device="cpu", random_state=0,
                                                   **params)
    return model.fit(X, Y).predict(X)


def test_hetero_mmoe_activation_of_linear_gates_warns():
    # gate_hidden_layer_sizes=() has no hidden layer: activation='tanh'
    # changed nothing and said nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _hetero_fit(gate_hidden_layer_sizes=(), alpha=0.01)
    with pytest.warns(UserWarning, match=r"^activation='tanh' has no effect with "
                                         r"gate_hidden_layer_sizes=\(\)"):
        changed = _hetero_fit(gate_hidden_layer_sizes=(), alpha=0.01, activation="tanh")
    np.testing.assert_array_equal(changed, reference)


def test_hetero_mmoe_task_weights_without_a_penalty_warn_and_are_not_applied():
    # A task's weight acts as alpha / w_t on its own gate (the docstring):
    # with alpha=0 it has nothing to act on, but it rescaled the joint L-BFGS
    # objective of all the gates and moved the predictions (by 40 on 200 rows
    # of diabetes), silently.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _hetero_fit(alpha=0.0)
    with pytest.warns(UserWarning, match=r"^task_weights=\[1, 5\] has no effect with "
                                         r"alpha=0.0"):
        weighted = _hetero_fit(alpha=0.0, task_weights=[1, 5])
    np.testing.assert_array_equal(weighted, reference)
    # With a penalty they act, and say nothing.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*has no effect", category=UserWarning)
        warnings.filterwarnings("ignore", category=Warning)
        assert np.abs(_hetero_fit(alpha=0.01, task_weights=[1, 5])
                      - _hetero_fit(alpha=0.01)).max() > 0


@pytest.mark.parametrize("make", [
    lambda gate: MixtureOfExpertsRegressor(_pool(), training="em", max_iter=2,
                                           random_state=0, gate=gate),
    lambda gate: MixtureOfExpertsRegressor(_pool(), training="gradient", max_epochs=3,
                                           random_state=0, gate=gate),
    lambda gate: HierarchicalMixtureRegressor(Ridge(), branching=2, max_iter=3,
                                              random_state=0, gate=gate),
], ids=["em", "stacked", "hme"])
def test_activation_of_a_linear_gate_warns(make):
    # MLPGate(hidden_layer_sizes=(), activation='tanh'): a linear gate has no
    # hidden layer to activate; the fit was that of 'relu', without a word.
    X, Y = _tasks(n=60)
    y = Y[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = make(MLPGate(())).fit(X, y).predict(X)
    with pytest.warns(UserWarning, match=r"^gate parameter activation='tanh' has no effect "
                                         r"with hidden_layer_sizes=\(\)") as caught:
        changed = make(MLPGate((), activation="tanh")).fit(X, y).predict(X)
    np.testing.assert_array_equal(changed, reference)
    # Pointed at the caller of fit (this file).
    assert any(w.filename == __file__ for w in caught if "activation" in str(w.message))


@pytest.mark.parametrize("change", [dict(activation="tanh"), dict(dropout=0.5)])
def test_torch_mlp_without_hidden_layers_warns_of_activation_and_dropout(change):
    # TorchMLPRegressor(hidden_layer_sizes=()) is a linear model: activation
    # and dropout changed nothing and said nothing, alone and as an expert of
    # a mixture that trains it jointly with the gate.
    from skmoe.experts import TorchMLPRegressor
    X, Y = _tasks(n=60)
    y = Y[:, 0]
    (name, value), = change.items()

    def alone(**params):
        return TorchMLPRegressor((), max_epochs=3, device="cpu", random_state=0, **params)

    def mixture(**params):
        return MixtureOfExpertsRegressor([("linear", alone(**params)),
                                          ("mlp", TorchMLPRegressor((4,), random_state=0))],
                                         max_epochs=3, device="cpu", random_state=0)

    for make, prefix in ((alone, ""), (mixture, r"Expert 'linear' \(TorchMLPRegressor\): ")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = make().fit(X, y).predict(X)
        with pytest.warns(UserWarning, match=rf"^{prefix}{name}=.* has no effect with "
                                             r"hidden_layer_sizes=\(\)") as caught:
            changed = make(**change).fit(X, y).predict(X)
        np.testing.assert_array_equal(changed, reference)
        assert any(w.filename == __file__ for w in caught if "hidden_layer" in str(w.message))


def _compare_quietly(*args, **kwargs):
    from skmoe import compare
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=Warning)
        warnings.filterwarnings("error", message=".*has no effect", category=UserWarning)
        return compare(*args, **kwargs)


def test_compare_greedy_ensemble_without_an_ensemble_to_copy_warns():
    # greedy_ensemble=True with no plain-averaging ensemble among the models
    # added nothing to the table, without a word.
    from skmoe import EnsembleRegressor, compare
    X, Y = _tasks(n=60)
    with pytest.warns(UserWarning, match=r"^greedy_ensemble=True has no effect"):
        result = compare({"ridge": Ridge()}, X, Y[:, 0], cv=3, greedy_ensemble=True)
    assert result.names == ["ridge"]
    # With one to copy, the copy is added and nothing is said.
    result = _compare_quietly({"ens": EnsembleRegressor(_pool())}, X, Y[:, 0], cv=3,
                              greedy_ensemble=True)
    assert result.names == ["ens", "ens (greedy)"]


def test_compare_random_state_with_a_splitter_of_yours_warns():
    # random_state shuffles an int cv's folds: with a splitter, or splits,
    # random_state=5 gave the table of random_state=0, silently.
    from sklearn.model_selection import KFold

    from skmoe import compare
    X, Y = _tasks(n=60)
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=2, random_state=0)}
    reference = _compare_quietly(models, X, Y[:, 0], cv=KFold(3))
    for cv in (KFold(3), list(KFold(3).split(X))):
        with pytest.warns(UserWarning, match=r"^random_state=5 has no effect with cv="):
            result = compare(models, X, Y[:, 0], cv=cv, random_state=5)
        for name in models:
            np.testing.assert_array_equal(result.scores[name]["r2"],
                                          reference.scores[name]["r2"])
    # Read: an int cv's shuffle; a greedy copy of an unseeded ensemble's seed.
    from skmoe import EnsembleRegressor
    _compare_quietly(models, X, Y[:, 0], cv=3, random_state=5)
    _compare_quietly({"ens": EnsembleRegressor(_pool())}, X, Y[:, 0], cv=KFold(3),
                     random_state=5, greedy_ensemble=True)


@pytest.mark.parametrize("balance_loss", ["switch", "load"])
def test_balance_loss_acts_with_top_k_of_every_expert(balance_loss):
    # top_k=n_experts is the dense mixture, but its balance loss counted every
    # expert as routed for every row: the load loss was 0 and the switch loss
    # the constant 1, so balance_coef changed nothing (EM and the joint
    # trainer alike), silently. It now counts each row's first choice, as
    # top_k=None does.
    from skmoe._routing import RoutingOptions, train_route
    logits = torch.tensor(np.random.RandomState(0).normal(size=(20, 3)), requires_grad=True)
    gradients = {}
    for top_k in (None, 3):
        options = RoutingOptions(top_k=top_k, balance_coef=1.0, balance_loss=balance_loss)
        _, penalty = train_route(logits, options)
        gradients[top_k], = torch.autograd.grad(penalty, logits)
    assert gradients[3].abs().max() > 0
    torch.testing.assert_close(gradients[3], gradients[None])
    # End to end: EM's gate is penalised, as the dense mixture's is. (Since
    # top_k=3 of 3 takes the dense mixture's final blend with the constant
    # blend too, test_sweep_routing_round1, the penalty moves predict less:
    # 1.3e-3 (switch) and 5.2e-4 (load) on these rows, top_k=None's figures.)
    X, Y = _tasks(n=60)

    def fit(coef, top_k=3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return MixtureOfExpertsRegressor(
                _pool() + [("ridge10", Ridge(10.0))], training="em", top_k=top_k, max_iter=3,
                balance_loss=balance_loss, balance_coef=coef,
                random_state=0).fit(X, Y[:, 0]).predict(X)

    penalised = fit(1.0)
    assert np.abs(penalised - fit(1e-12)).max() > 1e-4
    np.testing.assert_allclose(penalised, fit(1.0, top_k=None), rtol=0, atol=1e-8)


@pytest.mark.parametrize("make", [
    lambda **kw: MultiGateMixtureOfExperts(max_iter=3, device="cpu", random_state=0, **kw),
    lambda **kw: HeterogeneousMultiGateMixtureOfExperts(_pool(), alpha=0.01, device="cpu",
                                                        random_state=0, **kw),
], ids=["mmoe", "hetero"])
def test_multitask_task_weights_of_one_task_warn(make):
    # Only the weights' ratios matter: task_weights=[5] for a single task was
    # rescaled to [1], and changed nothing, silently.
    X, Y = _tasks(n=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = make().fit(X, Y[:, 0]).predict(X)
    with pytest.warns(UserWarning, match=r"^task_weights=\[5\] has no effect with one "
                                         r"task") as caught:
        weighted = make(task_weights=[5]).fit(X, Y[:, 0]).predict(X)
    np.testing.assert_array_equal(weighted, reference)
    assert any(w.filename == __file__ for w in caught if "task_weights" in str(w.message))


def test_em_restarts_that_cannot_differ_warn():
    # Exact EM from init_params='uniform' with a linear gate and deterministic
    # experts: every restart is the first, and n_init=3 took three times as
    # long for the fit of n_init=1, without a word.
    X, Y = _tasks(n=60)

    def fit(n_init, gate):
        return MixtureOfExpertsRegressor(_pool(), training="em", cv=None,
                                         init_params="uniform", gate=gate, max_iter=3,
                                         n_init=n_init, random_state=0).fit(X, Y[:, 0])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = fit(1, MLPGate(())).predict(X)
    with pytest.warns(UserWarning, match=r"^n_init=3 had no effect: its 3 EM restarts gave "
                                         r"the same log-likelihood") as caught:
        model = fit(3, MLPGate(()))
    np.testing.assert_array_equal(model.predict(X), reference)
    assert any(w.filename == __file__ for w in caught if "n_init" in str(w.message))
    # Restarts that differ (k-means regions drawn from each restart's seed) say nothing.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=Warning)
        warnings.filterwarnings("error", message="n_init=", category=UserWarning)
        MixtureOfExpertsRegressor(_pool(), training="em", cv=None, init_params="kmeans",
                                  max_iter=3, n_init=3, random_state=0).fit(X, Y[:, 0])
