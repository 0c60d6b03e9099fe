"""Round 8 of the sweep for wrong numbers: sparse routing, joint training with
torch experts, model selection, likelihoods, gate paths and the data
generators. Each ``test_`` below fails without its fix, except those named
``test_guard_...``, which pin a property found right, against an independent
computation."""

import warnings

import numpy as np
import torch
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import logsumexp, softmax
from scipy.stats import norm
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_val_predict

from skmoe import (HierarchicalMixtureRegressor, MixtureOfExpertsRegressor, MLPGate,
                   select_n_experts)
from skmoe._routing import route
from skmoe.datasets import (make_hierarchical_regimes, make_mmoe_tasks, make_piecewise_linear,
                            make_regimes)
from skmoe.experts import TorchMLPRegressor

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _quiet_fit(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the tiny fits
        return model.fit(X, y, sample_weight=sample_weight)


def _softmax_rows(logits):
    return softmax(np.asarray(logits, dtype=np.float64), axis=1)


# -- sparse routing --------------------------------------------------------------
def test_random_routing_keeps_its_experts_under_a_capacity_that_binds_nothing():
    # Fix in _routing.route: capacity refilled each row's slots from its
    # preference order, ignoring which experts random routing had kept. With
    # top-3 a row that kept its 1st and 3rd choices ([0, 2]) got [0, 1] under
    # capacity_factor=100 (every expert may take every row): the capacity, a
    # cap that bound nothing, changed the routing. Now the kept experts are
    # claimed first, and a capacity that binds nothing changes nothing.
    logits = torch.tensor([[3.0, 2.0, 1.0, 0.0]] * 4, dtype=torch.float64)
    differs = 0
    for seed in range(8):
        free = route(logits, 3, training=True, random_routing=True,
                     generator=torch.Generator().manual_seed(seed))
        capped = route(logits, 3, training=True, random_routing=True, capacity_factor=100.0,
                       generator=torch.Generator().manual_seed(seed))
        assert_array_equal(capped.indices.numpy(), free.indices.numpy())
        assert_allclose(capped.weights.numpy(), free.weights.numpy())
        kept = free.indices.numpy()
        differs += int(any(list(row[row >= 0]) != list(range((row >= 0).sum()))
                           for row in kept))
    assert differs > 0     # some row kept a later choice but not an earlier one



def test_guard_balance_losses_are_the_documented_formulas_on_a_noisy_top_2_batch():
    # Shazeer et al.'s smooth load: P(x, i) = Phi((clean_i - kth_other_i) / std_i),
    # with kth_other_i the k-th largest noisy score among the other experts;
    # CV^2 of its column sums. Importance: CV^2 of the routed weights' sums.
    # Switch: e * sum_i f_i P_i (f: weighted share of slots, P: weighted mean
    # router probability). z: weighted mean of logsumexp(logits)^2.
    rng = np.random.RandomState(0)
    b, e, k = 7, 4, 2
    clean = rng.normal(size=(b, e))
    std = np.exp(0.3 * rng.normal(size=(b, e)))
    weight = rng.uniform(0.5, 2.0, size=b)
    routing = route(torch.tensor(clean), k, training=True, noise_std=torch.tensor(std),
                    generator=torch.Generator().manual_seed(1),
                    sample_weight=torch.tensor(weight))
    eps = torch.randn((b, e), generator=torch.Generator().manual_seed(1),
                      dtype=torch.float64).numpy()
    noisy = clean + eps * std
    load = np.zeros(e)
    for i in range(b):
        for j in range(e):
            kth_other = np.sort(np.delete(noisy[i], j))[::-1][k - 1]
            load[j] += weight[i] * norm.cdf((clean[i, j] - kth_other) / std[i, j])
    probs = _softmax_rows(noisy)
    routed = np.zeros((b, e))
    for i in range(b):
        top = np.argsort(-noisy[i])[:k]
        routed[i, top] = probs[i, top] / probs[i, top].sum()
    importance = (weight[:, None] * routed).sum(0)
    f = (weight[:, None] * (routed > 0)).sum(0)
    P = (weight[:, None] * probs).sum(0)
    aux = {name: value.item() for name, value in routing.aux_losses.items()}
    assert_array_equal(np.sort(routing.indices.numpy(), axis=1),
                       np.sort(np.argsort(-noisy, axis=1)[:, :k], axis=1))
    assert_allclose(aux["load"], load.var() / load.mean() ** 2, rtol=1e-8)
    assert_allclose(aux["importance"], importance.var() / importance.mean() ** 2, rtol=1e-8)
    assert_allclose(aux["switch"], e * (f / f.sum()) @ (P / P.sum()), rtol=1e-12)
    assert_allclose(aux["z"], np.average(logsumexp(clean, axis=1) ** 2, weights=weight),
                    rtol=1e-12)


class _CountingLine(LinearRegression):
    """A line that records how many rows each predict call got."""

    def predict(self, X):
        _CALLS.append((id(self), len(X)))
        return super().predict(X)


_CALLS = []


def test_guard_a_noisy_top_2_mixture_predicts_the_renormalised_top_2_density_by_hand():
    # Noisy gating is a training aid: predict routes the clean logits (the same
    # numbers twice), runs each expert on its routed rows only, and the mean,
    # the spread and log p(y | x) are those of the top-2 softmax weights,
    # renormalised, over the experts' own predictions.
    X, y = make_regimes(n_samples=150, random_state=0)
    experts = [(f"e{i}", _CountingLine()) for i in range(3)]
    moe = _quiet_fit(MixtureOfExpertsRegressor(
        experts, gate=FAST_GATE, training="em", cv=None, top_k=2, noisy_gating=True,
        balance_loss="load", balance_coef=0.1, max_iter=3, random_state=0), X, y)
    assert moe.gate_.noise_module_ is not None
    logits = moe.gate_.logits(moe._gate_view(X))
    probs = _softmax_rows(logits)
    top = np.argsort(-logits, axis=1, kind="stable")[:, :2]
    weights = np.zeros_like(probs)
    rows = np.arange(len(X))[:, None]
    weights[rows, top] = probs[rows, top] / probs[rows, top].sum(axis=1, keepdims=True)
    _CALLS.clear()
    mean, std = moe.predict(X, return_std=True)
    routed = (weights > 0).sum(axis=0)
    calls = dict(_CALLS)
    assert len(_CALLS) == np.count_nonzero(routed)          # one call per routed expert
    assert [calls.get(id(e), 0) for e in moe.experts_] == list(routed)
    assert_allclose(moe.predict_gate(X), weights, atol=1e-12)
    assert_allclose(moe.expert_usage(X), (weights > 0).mean(axis=0))
    assert_array_equal(moe.predict(X), mean)
    F = np.column_stack([LinearRegression.predict(e, X) for e in moe.experts_])
    s2 = moe.noise_variance_
    hand_mean = (weights * F).sum(axis=1)
    assert_allclose(mean, hand_mean, rtol=1e-12)
    assert_allclose(std, np.sqrt((weights * (s2 + (F - hand_mean[:, None]) ** 2)).sum(axis=1)),
                    rtol=1e-12)
    with np.errstate(divide="ignore"):
        hand = logsumexp(np.log(weights) + norm.logpdf(y[:, None], F, np.sqrt(s2)), axis=1)
    assert_allclose(moe.log_likelihood_samples(X, y), hand, rtol=1e-12)
    assert_allclose(moe.log_likelihood_, hand.mean(), rtol=1e-10)


# -- joint training with torch experts ------------------------------------------
def test_guard_exported_torch_experts_predict_what_the_joint_mixture_trained():
    # log_likelihood_ is computed inside the trainer on the joint network; the
    # mixture's own density, rebuilt by hand from the exported experts' own
    # predict, the gate and noise_variance_, gives the same number on the
    # training rows (both torch experts, so no cross-fitted outputs differ).
    X, y = make_regimes(n_samples=120, n_noise_features=1, random_state=0)
    X[0, 1] = 200.0         # beyond the gate's input clip: the experts read it unclipped
    y = 10 * y + 100
    experts = [("wide", TorchMLPRegressor(hidden_layer_sizes=(8,), max_epochs=5)),
               ("narrow", TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=5))]
    for top_k in (None, 1):
        moe = _quiet_fit(MixtureOfExpertsRegressor(
            experts, gate=MLPGate(hidden_layer_sizes=()), training="gradient", top_k=top_k,
            max_epochs=8, validation_fraction=0, random_state=0), X, y)
        F = np.column_stack([e.predict(X) for e in moe.experts_])
        assert_array_equal(moe.predict_experts(X), F)
        W = moe.predict_gate(X)
        s2 = moe.noise_variance_
        # (predict batches the torch experts in float32: skmoe._device_predict.)
        assert_allclose(moe.predict(X), (W * F).sum(axis=1), rtol=1e-6)
        with np.errstate(divide="ignore"):
            hand = logsumexp(np.log(W) + norm.logpdf(y[:, None], F, np.sqrt(s2)), axis=1)
        assert_allclose(moe.log_likelihood_samples(X, y), hand, rtol=1e-10)
        assert_allclose(moe.log_likelihood_, hand.mean(), rtol=1e-6)   # (float32 network)


# -- model selection -------------------------------------------------------------
def test_guard_select_n_experts_bic_is_the_formula_with_out_of_fold_noise_for_one_expert():
    # k = 1 is the line alone with its noise measured out of fold on the
    # template's folds (the full fit's predictions as the mean): 3 parameters.
    # k = 2 is the fitted mixture: 2 lines, a linear gate 1 -> 2 less one
    # output row, the constant blend it is blended with less one weight and
    # the share, 2 noise scales. The chosen n is the argmin.
    X, y = make_piecewise_linear(n_samples=120, n_regimes=2, random_state=0)
    template = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                         cv=KFold(3), gate=FAST_GATE, max_iter=3,
                                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the tiny fits
        best, scores = select_n_experts(template, X, y, candidates=(1, 2), criterion="bic")
    n = len(y)
    oof = cross_val_predict(LinearRegression(), X, y, cv=KFold(3))
    full = LinearRegression().fit(X, y).predict(X)
    one = -2 * norm.logpdf(y, full, np.sqrt(np.mean((y - oof) ** 2))).sum() + 3 * np.log(n)
    assert_allclose(scores[1], one, rtol=1e-12)
    two = _quiet_fit(clone(template), X, y)
    # (+ 1 + 1: EM's gate blended with the constant blend, the level-2 share:
    # the blend's M - 1 weights and the share.)
    k = 2 * 2 + (2 - 1) * 2 + 2 + 1 + 1
    assert_allclose(scores[2], -2 * two.log_likelihood_samples(X, y).sum() + k * np.log(n),
                    rtol=1e-12)
    assert best == min(scores, key=scores.get) == 2


# -- gate paths and generators ---------------------------------------------------
def test_guard_predict_path_of_an_uneven_tree_multiplies_the_gates_on_each_path():
    # branching=(3, 2): leaf j sits under root branch j // 2; its weight is
    # the root gate's probability of that branch times that branch's gate's
    # probability of child j % 2. A level's path probability is the sum of
    # the leaves below its node.
    X, y = make_hierarchical_regimes(n_samples=120, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(3, 2), max_iter=3,
                                           random_state=0).fit(X, y)
    view = hme._gate_view(X)
    root = hme.gates_[0][0].predict_proba(view)
    leaves = np.column_stack([root[:, j // 2] * hme.gates_[1][j // 2].predict_proba(view)[:, j % 2]
                              for j in range(6)])
    assert_allclose(hme.predict_gate(X), leaves, rtol=1e-12)
    top, bottom = hme.predict_path(X)
    assert_allclose(bottom, leaves, rtol=1e-12)
    assert_allclose(top, leaves.reshape(-1, 3, 2).sum(axis=2), rtol=1e-12)
    conditional = hme.predict_path(X, conditional=True)
    assert_allclose(conditional[1], np.hstack([g.predict_proba(view) for g in hme.gates_[1]]))
    F, s2 = hme.predict_experts(X), hme.noise_variance_
    hand = logsumexp(np.log(leaves) + norm.logpdf(y[:, None], F, np.sqrt(s2)), axis=1)
    assert_allclose(hme.log_likelihood_samples(X, y), hand, rtol=1e-12)


def test_guard_generators_have_their_documented_noise_and_label_correlation():
    X, y, regime = make_piecewise_linear(n_samples=20000, n_regimes=4, noise=0.5,
                                         return_regime=True, random_state=0)
    residual = np.concatenate([
        y[regime == r] - LinearRegression().fit(X[regime == r], y[regime == r]).predict(
            X[regime == r]) for r in range(4)])
    assert abs(residual.std() - 0.5) < 0.01
    X, y, regime = make_hierarchical_regimes(n_samples=20000, noise=0.3, return_regime=True,
                                             random_state=0)
    assert_array_equal(regime, 2 * (X[:, 0] > 0) + (X[:, 1] > 0))
    residual = np.concatenate([
        y[regime == r] - LinearRegression().fit(X[regime == r], y[regime == r]).predict(
            X[regime == r]) for r in range(4)])
    assert abs(residual.std() - 0.3) < 0.006
    # make_mmoe_tasks's docstring: label correlation about 0.27 for p = 0.5 and
    # 0.80 for p = 0.9 on 20,000 rows and 100 features, each label's sd ~3.3.
    for p, measured in ((0.5, 0.27), (0.9, 0.80)):
        _, Y, W = make_mmoe_tasks(20000, 100, correlation=p, return_weights=True,
                                  random_state=0)
        assert_allclose(W @ W.T, [[1.0, p], [p, 1.0]], atol=1e-12)
        assert abs(np.corrcoef(Y.T)[0, 1] - measured) < 0.02
        assert_allclose(Y.std(axis=0), 3.3, atol=0.15)
