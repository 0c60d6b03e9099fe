"""Sparse routing: top-k, noise, random routing, capacity, balance losses, dispatch."""

import pickle
import warnings
from functools import partial

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.dummy import DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, MLPGate
from skmoe._candidates import with_class_prior
from skmoe._routing import (ExpertCollapseWarning, RoutingOptions, dispatch_outputs,
                            gate_penalty, importance_loss, load_loss, route, route_numpy,
                            routed_log_weights, straight_through, switch_loss, to_dense,
                            train_route, z_loss)
from skmoe.datasets import make_regimes

# These tests exercise EM; the estimators default to training="gradient".
EMRegressor = partial(MixtureOfExpertsRegressor, training="em")
EMClassifier = partial(MixtureOfExpertsClassifier, training="em")

LINEAR_GATE = MLPGate(hidden_layer_sizes=(), max_iter=50, warm_max_iter=10)


def T(rows):
    return torch.tensor(rows, dtype=torch.float64)


def softmax(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ------------------------------------------------------------ exact routing
def test_top_k_keeps_the_k_largest_and_renormalises():
    logits = np.array([[3.0, 1.0, 2.0, 0.0], [0.0, 5.0, 4.0, 1.0]])
    routing = route(T(logits), 2)
    assert_array_equal(routing.indices, [[0, 2], [1, 2]])
    p = softmax(logits)
    expected = np.array([p[0, [0, 2]] / p[0, [0, 2]].sum(), p[1, [1, 2]] / p[1, [1, 2]].sum()])
    assert_allclose(routing.weights, expected)
    # Renormalised top-k of the softmax == softmax of the kept logits.
    assert_allclose(routing.weights[0], softmax(logits[:1, [0, 2]])[0])
    assert routing.aux_losses == {}
    dense = to_dense(routing.weights, routing.indices, 4).numpy()
    assert_allclose(dense[0], [expected[0, 0], 0, expected[0, 1], 0])
    assert_allclose(route(T(logits), 1).weights, 1.0)


def test_ties_go_to_the_lower_expert_index():
    logits = T([[1.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
    routing = route(logits, 2)
    assert_array_equal(routing.indices, [[1, 2], [0, 1]])
    assert_allclose(routing.weights, 0.5)


def test_capacity_overflow_goes_to_the_next_best_expert_by_priority():
    # Every row prefers expert 0; capacity ceil(1.0 * 1 * 4 / 3) = 2 rows.
    logits = T([[3.0, 1.0, 2.0], [0.0, 0.0, 0.0], [5.0, 4.0, -1.0], [2.0, 2.0, 1.0]])
    routing = route(logits, 1, capacity_factor=1.0)
    # Expert 0 keeps the two rows that want it most (rows 2 and 0); rows 1
    # and 3 overflow to their second choice, expert 1 (a tie for row 1).
    assert_array_equal(routing.indices[:, 0], [0, 1, 0, 1])
    assert_allclose(routing.weights, 1.0)


def test_capacity_never_drops_a_row():
    # Capacity 1 per expert, 5 rows that all want expert 0: 3 rows get an
    # expert within capacity, the 2 stranded rows keep their first choice.
    r = np.arange(5.0)
    logits = T(np.column_stack([np.full(5, 4.0), 2.0 - 0.5 * r, 1.0 - 0.5 * r]))
    routing = route(logits, 1, capacity_factor=0.01)
    # Rank 1: row 4 wants expert 0 most; rank 2: row 0 wants expert 1 most;
    # rank 3: row 1 wants expert 2 most; rows 2 and 3 find all full.
    assert_array_equal(routing.indices[:, 0], [1, 2, 0, 0, 0])
    assert (routing.indices >= 0).all() and torch.all(routing.weights == 1.0)


def test_capacity_with_top_2_fills_both_slots_in_preference_order():
    logits = T([[3.0, 2.0, 1.0], [3.0, 2.0, 1.0], [3.0, 2.0, 1.0]])
    # capacity ceil(1 * 2 * 3 / 3) = 2 per expert; 6 slots for 6 places.
    # First slots first: rows 0 and 1 take expert 0, row 2 its next, expert 1;
    # then second slots: row 0 the last place of expert 1, rows 1 and 2
    # expert 2. (Rank by rank, rows 0 and 1 took both places of expert 1
    # and row 2 got one slot of its third choice: [[0, 1], [0, 1], [2, -1]].)
    routing = route(logits, 2, capacity_factor=1.0)
    assert_array_equal(routing.indices, [[0, 1], [0, 2], [1, 2]])
    assert_allclose(routing.weights[2].sum(), 1.0)
    dense = route_numpy(logits.numpy(), 2, capacity_factor=1.0)
    assert_allclose(dense.sum(axis=1), 1.0)
    assert_array_equal((dense > 0).sum(axis=0), [2, 2, 2])


def test_random_routing_keeps_the_second_expert_in_proportion_to_its_weight():
    # Renormalised top-2 weights 0.75 / 0.25: keep the second w.p. 2 * 0.25.
    logits = T(np.tile([[np.log(3.0), 0.0, -5.0]], (4000, 1)))
    generator = torch.Generator().manual_seed(0)
    routing = route(logits, 2, training=True, random_routing=True, generator=generator)
    kept = (routing.indices[:, 1] >= 0).double().mean().item()
    assert 0.46 < kept < 0.54
    assert torch.all(routing.indices[:, 0] == 0)
    assert_allclose(routing.weights.sum(1), 1.0)
    assert_allclose(routing.weights[routing.indices[:, 1] < 0, 0], 1.0)
    # Prediction (training=False) is deterministic and keeps both.
    assert torch.all(route(logits, 2, random_routing=True).indices[:, 1] == 1)


def test_noise_applies_only_in_training():
    logits = T(np.tile([[1.0, 0.9, 0.8]], (500, 1)))
    std = torch.full_like(logits, 5.0)
    clean = route(logits, 1, noise_std=std)
    assert torch.all(clean.indices[:, 0] == 0)
    noisy = route(logits, 1, training=True, noise_std=std,
                  generator=torch.Generator().manual_seed(0))
    # With noise far larger than the gaps every expert is chosen sometimes.
    assert set(noisy.indices[:, 0].tolist()) == {0, 1, 2}


def test_top_k_out_of_range_is_an_error():
    with pytest.raises(ValueError, match="top_k must be between 1"):
        route(T([[0.0, 1.0]]), 3)


# ------------------------------------------------------------ balance losses
def _uniform_and_collapsed(n=60, e=3, k=1):
    uniform = np.full((n, e), -3.0)
    uniform[np.arange(n), np.arange(n) % e] = 3.0
    collapsed = np.full((n, e), -3.0)
    collapsed[:, 0] = 3.0
    return T(uniform), T(collapsed)


@pytest.mark.parametrize("name", ["importance", "load", "switch"])
def test_balance_losses_are_minimal_at_uniform_routing(name):
    uniform, collapsed = _uniform_and_collapsed()
    lo = route(uniform, 1, training=True).aux_losses[name].item()
    hi = route(collapsed, 1, training=True).aux_losses[name].item()
    minimum = 1.0 if name == "switch" else 0.0
    assert lo == pytest.approx(minimum, abs=1e-6)
    assert hi > lo + 0.5


def test_balance_losses_by_hand():
    gates = T([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    # Importance (3, 1): cv^2 = var / mean^2 = 1 / 4.
    assert importance_loss(gates).item() == pytest.approx(0.25)
    probs = T([[0.5, 0.5]] * 4)
    # f = (3/4, 1/4), P = (1/2, 1/2): 2 * (3/8 + 1/8) = 1.
    assert switch_loss(probs, gates > 0).item() == pytest.approx(1.0)
    assert switch_loss(gates, gates > 0).item() == pytest.approx(2 * (0.75**2 + 0.25**2))
    # z-loss of zero logits is log(e)^2.
    assert z_loss(T([[0.0, 0.0, 0.0]])).item() == pytest.approx(np.log(3) ** 2)
    # With k = number of experts every expert is always in: no load imbalance.
    assert load_loss(gates, gates, None, 2).item() == 0.0


def test_load_loss_trains_the_noise():
    logits = T([[2.0, 0.0, 0.0]] * 8).requires_grad_(True)
    std = torch.full((8, 3), 1.0, dtype=torch.float64, requires_grad=True)
    routing = route(logits, 1, training=True, noise_std=std,
                    generator=torch.Generator().manual_seed(0))
    routing.aux_losses["load"].backward()
    assert torch.isfinite(std.grad).all() and std.grad.abs().sum() > 0
    assert logits.grad.abs().sum() > 0


def test_train_route_is_the_one_entry_point_for_trainers():
    logits = T([[2.0, 0.0, -1.0], [0.0, 1.0, 0.5], [0.3, 0.2, 0.1]])
    dense, zero = train_route(logits, RoutingOptions())
    assert_allclose(to_dense(dense.weights, dense.indices, 3), softmax(logits.numpy()))
    assert zero.item() == 0.0
    options = RoutingOptions(top_k=1, balance_coef=0.5, router_z_coef=0.1)
    routing, penalty = train_route(logits, options)
    assert_array_equal(routing.indices[:, 0], [0, 1, 0])
    aux = routing.aux_losses
    assert penalty.item() == pytest.approx(0.5 * aux["switch"].item() + 0.1 * aux["z"].item())
    assert gate_penalty(RoutingOptions(top_k=1), seed=0) is None


def test_gate_penalty_balances_a_collapsed_gate():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 2))
    targets = np.tile([[0.98, 0.01, 0.01]], (300, 1))
    shares = {}
    for coef in (0.0, 5.0):
        options = RoutingOptions(top_k=1, balance_coef=coef, balance_loss="importance")
        gate = MLPGate(hidden_layer_sizes=(), max_iter=15).init(X, 3, seed=0)
        gate.fit(X, targets, penalty=gate_penalty(options, seed=0))
        shares[coef] = route_numpy(gate.logits(X), 1).mean(axis=0)
    assert shares[0.0][0] == 1.0
    assert shares[5.0][0] < 0.9


def test_noisy_gate_keeps_plain_logits_and_learns_its_noise():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    gate = clone(LINEAR_GATE).init(X, 3, seed=0).add_noise()
    assert gate.module_(gate._inputs(X)).shape == (200, 3)
    before = gate.noise_module_.weight.detach().clone()
    options = RoutingOptions(top_k=1, noisy_gating=True, balance_coef=1.0, balance_loss="load")
    gate.fit(X, softmax(rng.normal(size=(200, 3))), penalty=gate_penalty(options, seed=0),
             warm_start=True)
    assert not torch.equal(before, gate.noise_module_.weight)
    logits, noise = gate.logits_and_noise(X)
    assert logits.shape == noise.shape == (200, 3) and np.all(noise > 0)
    restored = pickle.loads(pickle.dumps(gate))
    assert_allclose(restored.logits_and_noise(X)[1], noise)


# ------------------------------------------------------------ sparse predict
def with_top_k(fitted, top_k):
    """A copy of a fitted mixture that predicts with another top_k."""
    return pickle.loads(pickle.dumps(fitted)).set_params(top_k=top_k)


class CountingRegressor(DummyRegressor):
    """A constant expert that records how many rows each predict call gets."""

    def predict(self, X):
        self.calls_ = getattr(self, "calls_", []) + [len(X)]
        return super().predict(X)


def regime_experts():
    return [("line", LinearRegression()),
            ("quadratic", make_pipeline(PolynomialFeatures(2), LinearRegression()))]


@pytest.fixture(scope="module")
def regimes():
    return make_regimes(n_samples=600, noise=1.0, return_regime=True, random_state=0)


@pytest.fixture(scope="module")
def dense_moe(regimes):
    X, y, _ = regimes
    experts = regime_experts() + [("mean", DummyRegressor())]
    moe = EMRegressor(experts, gate=LINEAR_GATE, cv=None, max_iter=5,
                                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return moe.fit(X, y)


def test_sparse_path_equals_dense_path_when_top_k_is_every_expert(dense_moe, regimes):
    X, y, _ = regimes
    sparse = with_top_k(dense_moe, 3)
    assert_allclose(sparse.predict(X), dense_moe.predict(X), rtol=1e-5)
    # The dense gate is float32 and the std cancels digits: a looser tolerance.
    assert_allclose(sparse.predict(X, return_std=True)[1],
                    dense_moe.predict(X, return_std=True)[1], rtol=1e-4)
    assert_allclose(sparse.log_likelihood_samples(X, y), dense_moe.log_likelihood_samples(X, y), rtol=1e-5)
    assert_allclose(sparse.predict_gate(X), dense_moe.predict_gate(X), rtol=1e-5)
    assert_allclose(sparse.expert_usage(X), 1.0)
    assert_allclose(dense_moe.expert_usage(X), 1.0)


def test_top_1_predict_calls_each_expert_once_on_its_rows(regimes):
    X, y, _ = regimes
    experts = [("a", CountingRegressor(constant=0.0, strategy="constant")),
               ("b", CountingRegressor(constant=20.0, strategy="constant")),
               ("c", CountingRegressor(constant=40.0, strategy="constant"))]
    moe = EMRegressor(experts, gate=LINEAR_GATE, cv=None, max_iter=3,
                                    top_k=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe.fit(X, y)
    for expert in moe.experts_:
        expert.calls_ = []
    pred = moe.predict(X)
    calls = [expert.calls_ for expert in moe.experts_]
    assert all(len(c) <= 1 for c in calls)
    assert sum(sum(c) for c in calls) == len(X)
    # Every row gets exactly one expert's constant.
    assert np.all(np.isin(pred, [0.0, 20.0, 40.0]))
    usage = moe.expert_usage(X)
    assert_allclose(usage.sum(), 1.0)
    assert_allclose(usage * len(X), [sum(c) for c in calls])
    weights = moe.predict_gate(X)
    assert_array_equal((weights > 0).sum(axis=1), 1)
    assert_allclose(pred, (weights * moe.predict_experts(X)).sum(axis=1))


def test_predict_time_routing_is_row_independent_without_capacity():
    # Capacity makes a row's expert depend on the other rows of its batch;
    # without it (predict time) each row is routed on its own.
    logits = np.random.RandomState(0).normal(size=(200, 4))
    logits[:, 0] += 2.0  # most rows want expert 0
    for k in (1, 2):
        batch = route_numpy(logits, k)
        one_by_one = np.vstack([route_numpy(row[None], k) for row in logits])
        assert_array_equal(one_by_one, batch)
    capped = route_numpy(logits, 1, capacity_factor=1.0)
    assert (capped > 0).sum(axis=0).max() <= 50  # ceil(1.0 * 200 / 4)
    assert not np.array_equal(capped, route_numpy(logits, 1))


def test_dispatch_outputs_calls_experts_on_their_blocks_only():
    X = np.arange(12.0).reshape(6, 2)
    experts = [CountingRegressor(constant=float(i), strategy="constant").fit(X, np.zeros(6))
               for i in range(3)]
    routed = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]],
                      dtype=bool)
    out = dispatch_outputs(["a", "b", "c"], experts, X, routed)
    assert [e.calls_ for e in experts] == [[3], [2], [2]]
    assert_allclose(out, routed * np.arange(3.0))


def test_capacity_routes_every_row_at_predict_time(regimes):
    X, y, _ = regimes
    moe = EMRegressor(regime_experts(), gate=LINEAR_GATE, cv=None,
                                    max_iter=4, top_k=1, capacity_factor=1.0,
                                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe.fit(X, y)
    weights = moe.predict_gate(X)
    assert_array_equal((weights > 0).sum(axis=1), 1)
    assert np.all(np.isfinite(moe.predict(X)))


def test_hard_em_recovers_the_regimes(regimes):
    X, y, regime = regimes
    moe = EMRegressor(regime_experts(), gate=LINEAR_GATE, cv=None, top_k=1,
                                    max_iter=15, random_state=0).fit(X, y)
    chosen = moe.predict_gate(X).argmax(axis=1)
    away = np.abs(X[:, 0] - 5.0) > 0.5
    assert (chosen == regime)[away].mean() >= 0.95
    # Classification EM: every share comes from one-hot responsibilities.
    shares = moe.history_[-1]["expert_share"]
    assert_allclose(shares * len(X), np.round(shares * len(X)), atol=1e-6)


def test_top_k_classifier_matches_dense_and_routes_every_row():
    X, y = load_iris(return_X_y=True)
    experts = [("logit", LogisticRegression(max_iter=500)),
               ("tree", DecisionTreeClassifier(max_depth=2))]
    dense = EMClassifier(experts, gate=LINEAR_GATE, max_iter=2, cv=None,
                                       random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense.fit(X, y)
    sparse = with_top_k(dense, 2)
    assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-5, atol=1e-7)
    top1 = with_top_k(dense, 1)
    proba = top1.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(np.isfinite(top1.log_likelihood_samples(X, y)))


def test_routed_probabilities_are_floored_as_in_training(monkeypatch):
    # A top-1 row's probabilities are one expert's: a deep tree's are 0 or 1.
    # The gate learned from likelihoods floored at PROBA_FLOOR, so the routed
    # probabilities are floored the same way (before: exact zeros, an
    # infinite log-loss for one confident mistake of the routed tree).
    # (The gradient trainer's gate here is no better than the logistic
    # regression alone and would give way to it: rival off, so that rows
    # still go to the tree.)
    import skmoe._gradient
    from skmoe._likelihood import PROBA_FLOOR
    monkeypatch.setattr(skmoe._gradient, "TOPK_RIVAL", False)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + 0.8 * rng.normal(size=300) > 0).astype(int)
    experts = [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier())]
    for training in ("gradient", "em"):
        top1 = MixtureOfExpertsClassifier(experts, top_k=1, training=training, max_epochs=5,
                                          max_iter=3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            top1.fit(X[:200], y[:200])
        proba = top1.predict_proba(X[200:])
        assert_allclose(proba.sum(axis=1), 1.0)
        assert proba.min() >= PROBA_FLOOR / (1 + 2 * PROBA_FLOOR)
        assert top1.expert_usage(X[200:]).min() > 0     # both are routed to


# ------------------------------------------------------------ training aids
def test_collapse_is_warned_recorded_and_dropped(regimes):
    X, y, _ = regimes
    experts = regime_experts() + [("far", DummyRegressor(strategy="constant",
                                                         constant=1e4))]
    moe = EMRegressor(experts, gate=LINEAR_GATE, cv=None, top_k=1,
                                    max_iter=6, init_params="kmeans",
                                    collapse_threshold=0.02, collapse_patience=2,
                                    collapse_action="drop", random_state=0)
    with pytest.warns(ExpertCollapseWarning, match=r"\['far'\].*action: drop"):
        moe.fit(X, y)
    assert moe.expert_names_ == ["line", "quadratic"]
    assert moe.predict_gate(X).shape == (len(X), 2)
    assert moe.noise_variance_.shape == (2,)
    dropped_at = [h["iteration"] for h in moe.history_ if h["collapsed"]]
    assert dropped_at == [2]
    assert len(moe.history_[-1]["expert_share"]) == 2


def test_collapse_reinit_gives_the_expert_the_worst_rows(regimes):
    X, y, _ = regimes
    experts = regime_experts() + [("far", DummyRegressor(strategy="constant",
                                                         constant=1e4))]
    moe = EMRegressor(experts, gate=LINEAR_GATE, cv=None, top_k=1,
                                    max_iter=3, tol=0, init_params="kmeans",
                                    collapse_threshold=0.02, collapse_patience=1,
                                    random_state=0)
    with pytest.warns(ExpertCollapseWarning, match=r"\['far'\].*action: reinit"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            moe.fit(X, y)
    assert moe.expert_names_ == ["line", "quadratic", "far"]
    first = moe.history_[0]
    assert first["collapsed"] == ["far"]
    # It is handed the n / M rows the mixture explains worst.
    assert first["expert_share"][2] == pytest.approx((len(X) // 3) / len(X))


def test_default_mixture_is_unchanged_by_routing(dense_moe, regimes):
    X, _, _ = regimes
    assert dense_moe.top_k is None
    assert all(h["collapsed"] == [] for h in dense_moe.history_)
    assert_allclose(dense_moe.predict_gate(X), dense_moe.gate_.predict_proba(X))


@pytest.mark.parametrize("params, match", [
    ({"top_k": 0}, "top_k"),
    ({"top_k": 3}, "top_k=3 is larger than the number of experts"),
    ({"top_k": 1, "capacity_factor": 0.0}, "capacity_factor"),
    ({"balance_coef": -1.0}, "balance_coef"),
    ({"router_z_coef": -0.1}, "router_z_coef"),
    ({"balance_loss": "cv"}, "balance_loss"),
    ({"capacity_factor": 1.0}, "capacity_factor applies to sparse routing only"),
    ({"noisy_gating": True}, "noisy_gating applies to sparse routing only"),
    ({"top_k": 1, "collapse_action": "explode"}, "collapse_action"),
])
def test_bad_routing_parameters(regimes, params, match):
    X, y, _ = regimes
    moe = EMRegressor(regime_experts(), **params)
    with pytest.raises(ValueError, match=match):
        moe.fit(X[:50], y[:50])


# ------------------------------------------------------------ gradient training
def test_routed_log_weights_backpropagate_without_nan():
    logits = T([[2.0, 0.0, -1.0], [0.0, 1.0, 0.5]]).requires_grad_(True)
    routing = route(logits, 1)
    log_w = routed_log_weights(routing, 3)
    assert_array_equal(torch.isinf(log_w), [[False, True, True], [True, False, True]])
    torch.logsumexp(log_w + T([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0]]), dim=1).sum().backward()
    assert torch.isfinite(logits.grad).all()


def test_straight_through_reaches_a_top_1_gate():
    # Top-1 renormalised weights are exactly one: the routed loss alone sends
    # the gate no gradient. The dense surrogate does, towards the better expert.
    logits = T([[0.0, 0.0], [0.0, 0.0]]).requires_grad_(True)
    log_lik = T([[-5.0, 0.0], [-5.0, 0.0]])  # expert 1 explains both rows
    routed = -torch.logsumexp(routed_log_weights(route(logits, 1), 2) + log_lik, 1).sum()
    routed.backward(retain_graph=True)
    assert_array_equal(logits.grad, 0.0)
    logits.grad = None
    dense = -torch.logsumexp(torch.log_softmax(logits, 1) + log_lik, 1).sum()
    loss = straight_through(routed, dense)
    assert loss.item() == routed.item()  # the value is the routed loss
    loss.backward()
    assert torch.all(logits.grad[:, 1] < 0) and torch.all(logits.grad[:, 0] > 0)


def _gradient_fit(X, y, **params):
    experts = [("line", LinearRegression()),
               ("quadratic", make_pipeline(PolynomialFeatures(2), LinearRegression())),
               ("mean", DummyRegressor())]
    moe = EMRegressor(experts, training="gradient", max_epochs=12,
                                    validation_fraction=0, learning_rate=1e-2,
                                    random_state=0, **params)
    return moe.fit(X, y)


def test_gradient_training_routes_top_k_and_balances(regimes):
    X, y, _ = regimes
    top1 = _gradient_fit(X, y, top_k=1, noisy_gating=True, balance_coef=0.1,
                         balance_loss="load", router_z_coef=1e-3)
    assert_array_equal((top1.predict_gate(X) > 0).sum(axis=1), 1)
    assert np.all(np.isfinite(top1.predict(X)))
    assert_allclose(top1.expert_usage(X).sum(), 1.0)
    # The noise scale is a separate module, trained by the load loss.
    assert top1.gate_.noise_module_.weight.abs().sum().item() > 0
    # A strong importance loss spreads the gate weight over the experts.
    shares = {coef: _gradient_fit(X, y, balance_coef=coef, balance_loss="importance")
              .history_[-1]["expert_share"] for coef in (0.0, 5.0)}
    assert shares[5.0].max() < shares[0.0].max()
    assert shares[5.0].min() > 0.15


@pytest.mark.parametrize("top_k", [None, 1])
def test_adam_gate_with_zero_weight_minibatches_stays_finite(top_k):
    # A minibatch of rows of weight zero gave the gate's loss 0/0: a NaN gate,
    # NaN predictions (dense) or an error in routing (top_k).
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3)
    y = np.abs(X[:, 0]) + 0.1 * rng.randn(80)
    weight = np.zeros(80)
    weight[::10] = 1.0
    targets = np.column_stack([X[:, 0] > 0, X[:, 0] <= 0]).astype(float)
    gate = MLPGate(solver="adam", batch_size=4, max_iter=3)
    assert np.isfinite(gate.fit(X, targets, sample_weight=weight).predict_proba(X)).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MixtureOfExpertsRegressor(
            [("a", LinearRegression()), ("b", DummyRegressor())], gate=gate,
            training="em", top_k=top_k, max_iter=2, random_state=0)
        model.fit(X, y, sample_weight=weight)
    assert np.isfinite(model.predict(X)).all()


# ------------------------------------------------------------ top-k gate's rival
def _line(X):
    return 5.0 * X[:, 0]


def _parabola(X):
    return 40.0 - (X[:, 0] - 5.0) ** 2


def _regime_pool():
    from sklearn.linear_model import Ridge
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.tree import DecisionTreeRegressor
    return [("ridge", Ridge()),
            ("tree", DecisionTreeRegressor(max_depth=4, random_state=0)),
            ("knn", KNeighborsRegressor(10))]


def test_top_1_gate_worse_than_the_best_expert_is_replaced_by_it():
    # Measured: this top-1 gate (learnt from the dense mixture's loss, straight
    # through) sent the rows x < 5 to the line fitted on both regimes and
    # scored RMSE 3.26 on new data, against 1.45 for k-NN alone. Its
    # validation rows show it: every row now goes to the best expert.
    X, y = make_regimes(300, random_state=0)
    keep = np.arange(len(y)) % 5 != 0
    X_new, y_new = make_regimes(2000, random_state=1)
    moe = MixtureOfExpertsRegressor(_regime_pool(), top_k=1, random_state=0)
    moe.fit(X[keep], y[keep])
    assert_array_equal(moe.predict_gate(X_new)[:, 2], 1.0)
    assert_allclose(moe.predict(X_new), moe.experts_[2].predict(X_new))
    assert np.sqrt(np.mean((moe.predict(X_new) - y_new) ** 2)) < 1.6


def test_top_1_gate_worse_than_the_best_expert_on_every_row_is_replaced_by_it():
    # 200 rows leave 20 validation rows, too few for the rival to win there
    # by one standard error; the gate kept its routing (21 % of new rows to
    # 5-NN, log-loss 0.74 against 0.57 for the logistic regression alone).
    # On every row -- most of them rows the gate was trained on, which
    # favours it -- the best expert is better: the mixture becomes it.
    from sklearn.datasets import make_classification
    from sklearn.neighbors import KNeighborsClassifier
    X, y = make_classification(1200, n_features=6, n_informative=3, n_redundant=0,
                               flip_y=0.2, class_sep=0.8, random_state=3)
    experts = [("lr", LogisticRegression()),
               ("tree", DecisionTreeClassifier(max_depth=8, random_state=0)),
               ("knn", KNeighborsClassifier(5))]
    moe = MixtureOfExpertsClassifier(experts, top_k=1, random_state=0).fit(X[:200], y[:200])
    assert_array_equal(moe.expert_usage(X[200:]), [1.0, 0.0, 0.0])
    alone = clone(experts[0][1]).fit(X[:200], y[:200])
    # (with the mixture's 1/n^2 share of the class frequencies: class_prior_)
    assert_allclose(moe.predict_proba(X[200:]),
                    with_class_prior(alone.predict_proba(X[200:]), moe.class_prior_), atol=1e-5)


def _first_column(X):
    return X[:, 0]


def test_top_1_gate_with_torch_experts_worse_than_a_fixed_expert_is_replaced_by_it():
    # With a torch expert training beside the gate the rival was never
    # checked: on 150 rows (one Adam step per epoch, early-stopped after 21)
    # the gate routed 46 % of new rows to a depth-6 tree and 4 % to a rule
    # that ignores y, R^2 -2.16 against 0.87 for the ridge alone (a sweep
    # of real sets saw -13 on ggplot2::mpg). The rival is now checked, and
    # chosen among the fixed experts: every row goes to the ridge.
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score
    from sklearn.tree import DecisionTreeRegressor
    from skmoe.experts import RuleExpert, TorchMLPRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 20))
    y = 24 + 3 * X[:, 1] + rng.normal(size=200)
    pool = [("ridge", Ridge()),
            ("mlp", TorchMLPRegressor((16,), random_state=0)),
            ("rule", RuleExpert(_first_column)),
            ("tree", DecisionTreeRegressor(max_depth=6, random_state=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe = MixtureOfExpertsRegressor(pool, top_k=1, random_state=1).fit(X[:150], y[:150])
    assert_array_equal(moe.expert_usage(X[150:]), [1.0, 0.0, 0.0, 0.0])
    alone = Ridge().fit(X[:150], y[:150])
    assert_allclose(moe.predict(X[150:]), alone.predict(X[150:]), rtol=1e-6)
    assert r2_score(y[150:], moe.predict(X[150:])) > 0.8


def test_top_1_gate_with_torch_experts_that_routes_well_keeps_its_routing():
    # Two torch experts, one per regime, and a ridge fitted on both: routing
    # by x beats the ridge alone on the rows the gate learned from, so the
    # gate keeps routing rows to the torch experts.
    from sklearn.linear_model import Ridge
    from skmoe.experts import TorchMLPRegressor
    X, y = make_regimes(600, random_state=0)
    pool = [("ridge", Ridge()),
            ("mlp1", TorchMLPRegressor((16,), random_state=0)),
            ("mlp2", TorchMLPRegressor((16,), random_state=1))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe = MixtureOfExpertsRegressor(pool, top_k=1, max_epochs=200, learning_rate=1e-2,
                                        random_state=0).fit(X, y)
    X_new, y_new = make_regimes(1000, random_state=1)
    assert moe.expert_usage(X_new)[1:].sum() > 0.5
    ridge = Ridge().fit(X, y)
    assert (np.mean((moe.predict(X_new) - y_new) ** 2)
            < np.mean((ridge.predict(X_new) - y_new) ** 2))


def test_top_1_gate_that_routes_well_keeps_its_routing():
    # Two rules, each exact on one regime: routing by x beats either alone,
    # so the rival (the better rule everywhere) is not taken.
    from skmoe.experts import RuleExpert
    X, y = make_regimes(600, random_state=0)
    experts = [("line", RuleExpert(_line)), ("parabola", RuleExpert(_parabola))]
    moe = MixtureOfExpertsRegressor(experts, top_k=1, random_state=0).fit(X, y)
    X_new, y_new = make_regimes(2000, random_state=1)
    usage = moe.expert_usage(X_new)
    assert usage.min() > 0.35
    alone = min(np.sqrt(np.mean((rule.predict(X_new) - y_new) ** 2)) for rule in moe.experts_)
    assert np.sqrt(np.mean((moe.predict(X_new) - y_new) ** 2)) < alone / 2


def test_rival_checks_score_routed_probabilities_as_predict_proba_gives_them():
    # The rival checks' routed log-loss floored a zero probability at 1e-300
    # (a cost of 690 on one row) where predict_proba floors it at 1e-6 (13.8):
    # a few rows where 15-NN gave the true class probability zero drowned
    # every other difference (MASS::biopsy, top-1 EM: honest routed
    # log-loss 1.44 for the rival against 0.09 for its expert's own, and
    # the rival could not win by one standard error).
    from sklearn.neighbors import KNeighborsClassifier
    from skmoe._candidates import routed_task_loss
    X, y = load_iris(return_X_y=True)
    experts = [("lr", LogisticRegression(max_iter=500)), ("knn", KNeighborsClassifier(1))]
    moe = EMClassifier(experts, top_k=1, max_iter=3, random_state=0).fit(X[::2], y[::2])
    X_new, y_new = X[1::2], y[1::2]
    out = np.stack([expert.predict_proba(X_new) for expert in moe.experts_], axis=1)
    gate = moe.predict_gate(X_new)
    assert (np.take_along_axis(out, y_new[:, None, None], 2) == 0).any()  # 1-NN's zeros
    loss = routed_task_loss(np.log(gate + 1e-300), out, y_new, 1, False)
    # predict_proba less the final 1/n^2 share of the class frequencies (class_prior_)
    share, frequencies = moe.class_prior_
    routed = (moe.predict_proba(X_new) - share * frequencies) / (1 - share)
    expected = -np.log(routed[np.arange(len(y_new)), y_new])
    assert_allclose(loss, expected, rtol=1e-10)
    assert loss.max() < 14.0


def test_top_1_em_worse_than_the_best_expert_is_replaced_by_it():
    # Hard EM from the full-data fits sent every row to 5-NN (log-loss 1.09
    # on new rows; logistic regression alone 0.69). On the honest outputs of
    # every row the best expert is better by more than one standard error,
    # so the mixture becomes it: every row routed to the logistic regression.
    from sklearn.datasets import make_classification
    from sklearn.neighbors import KNeighborsClassifier
    X, y = make_classification(600, n_features=6, n_informative=3, n_redundant=0,
                               flip_y=0.25, class_sep=0.8, random_state=4)
    experts = [("lr", LogisticRegression()),
               ("tree", DecisionTreeClassifier(max_depth=8, random_state=0)),
               ("knn", KNeighborsClassifier(5))]
    moe = EMClassifier(experts, top_k=1, random_state=4).fit(X[:300], y[:300])
    assert_array_equal(moe.expert_usage(X[300:]), [1.0, 0.0, 0.0])
    proba = moe.predict_proba(X[300:])[np.arange(300), y[300:]]
    assert -np.mean(np.log(proba)) < 0.75
    # The mixture's experts are the full-data fits: the expert alone.
    alone = clone(experts[0][1]).fit(X[:300], y[:300])
    assert_allclose(moe.predict_proba(X[300:]),
                    with_class_prior(alone.predict_proba(X[300:]), moe.class_prior_), atol=1e-6)


def test_top_1_em_that_routes_well_keeps_its_routing():
    from skmoe.experts import RuleExpert
    X, y = make_regimes(600, random_state=0)
    experts = [("line", RuleExpert(_line)), ("parabola", RuleExpert(_parabola))]
    moe = EMRegressor(experts, top_k=1, random_state=0).fit(X, y)
    X_new, y_new = make_regimes(2000, random_state=1)
    assert moe.expert_usage(X_new).min() > 0.35
    assert np.sqrt(np.mean((moe.predict(X_new) - y_new) ** 2)) < 1.5
