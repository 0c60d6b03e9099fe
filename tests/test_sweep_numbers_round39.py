"""Wrong-number sweep, round 39: ``bic``/``aic`` free-parameter counts,
the hierarchical mixtures' paths and likelihoods, the multi-task loss
curve, and ``predict(return_std=True)`` of top-k and EM regressors, each
recomputed by hand.

Found: ``docs/hme.rst`` listed what ``k`` counts as if every mixture were
trained by EM ("every gate: the parameters of ``gate_.module_`` but one row
of its output layer"), leaving out what the default stacked gate adds: one
network per gate fold (each with its own softmax row), the constant blend's
weights, and the final blend's heads and candidate weights. Those dominate
``k`` (1286 of 1316 parameters for two logistic experts on three features,
with the gate's weight in the blend at 8e-9), so BIC and AIC chose one
expert for every stacked-gate template tried. The docs now say so; the
counts themselves matched a count by hand.
"""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.special import logsumexp
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts, aic, bic,
                   select_n_experts)
from skmoe._blend import ConstantLogits, MixedLogits
from skmoe._candidates import ExpertHead, LinearHead, PriorHead
from skmoe._nn import BatchedMLP
from skmoe._selection import n_free_parameters
from skmoe.datasets import make_hierarchical_regimes, make_piecewise_linear

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _stacked_classifier():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 3)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
    model = MixtureOfExpertsClassifier(
        [("a", LogisticRegression()), ("b", LogisticRegression(C=0.1))],
        random_state=0).fit(X, y)
    return model, X, y


def test_stacked_gate_count_by_hand():
    model, X, y = _stacked_classifier()
    assert model.training_ == "gradient" and model.combiner_ is not None
    # Experts: binary logistic regressions, coef_ (1, 3) and one intercept.
    experts = sum(e.coef_.size + e.intercept_.size for e in model.experts_)
    # Gate: every bagged network, one output row (its weights and bias) of
    # each fixed by the softmax; the constant blend's M logits sum to a
    # constant, M - 1 free.
    nets = [m for m in model.gate_.module_.modules() if isinstance(m, BatchedMLP)]
    assert len(nets) == 1
    networks, n_in, n_out = nets[0].layers[-1].weight.shape
    assert (networks, n_out) == (5, 2)
    gate = sum(p.numel() for p in nets[0].parameters()) - networks * (n_in + 1)
    gate += sum(m.logits.numel() - 1 for m in model.gate_.module_.modules()
                if isinstance(m, ConstantLogits))
    # Final blend: the heads' fitted coefficients and intercepts (binary:
    # no row to drop), the class frequencies' C - 1, the expert head none;
    # the candidates' weights sum to one.
    heads = 0
    for _, head in model.combiner_.heads:
        if isinstance(head, LinearHead):
            heads += head.model_.coef_.size + head.model_.intercept_.size
            assert getattr(head, "plain_", None) is None
        elif isinstance(head, PriorHead):
            heads += len(head.frequencies) - 1
        else:
            assert isinstance(head, ExpertHead)
    weights = len(model.candidate_weights_) - 1
    hand = experts + gate + heads + weights
    assert n_free_parameters(model) == hand
    # The figures docs/hme.rst gives: 1316 in all, 1286 the gate's, though
    # the blend gives the gate next to no weight.
    assert (hand, gate) == (1316, 1286)
    assert model.candidate_weights_["gate"] < 1e-6
    log_l = model.log_likelihood_samples(X, y).sum()
    assert aic(model, X, y) == pytest.approx(-2 * log_l + 2 * hand, rel=1e-12)
    assert bic(model, X, y) == pytest.approx(-2 * log_l + hand * np.log(120), rel=1e-12)
    # The same pool by EM: one network, 3 -> 32 -> 2, one output row fixed;
    # blended with the constant blend (its level-2 share): its M - 1 = 1
    # weight and the share.
    em = MixtureOfExpertsClassifier(
        [("a", LogisticRegression()), ("b", LogisticRegression(C=0.1))],
        training="em", random_state=0).fit(X, y)
    assert isinstance(em.gate_.module_, MixedLogits)
    assert n_free_parameters(em) == experts + (3 * 32 + 32 + 32 * 2 + 2 - 33) + 1 + 1 == 171


def test_docs_list_what_the_stacked_gate_adds_to_k():
    # The list of what k counts said "every gate: the parameters of
    # gate_.module_ but one row of its output layer", after "For a mixture
    # trained by EM": the stacked gate's bagged networks (one softmax row
    # each), its constant blend and its final blend were not named, nor
    # that they dominate k.
    text = (DOCS / "hme.rst").read_text()
    section = text[text.index("Information criteria"):text.index("Held-out log-likelihood")]
    flat = re.sub(r"\s+", " ", section)
    assert "bagged networks" in flat and "one output row of each" in flat
    assert "combiner_" in flat and "candidate_weights_" in flat
    assert "1316 free parameters, 1286 of them" in flat
    assert 'criterion="cv"' in flat


def test_bic_with_the_stacked_gate_chooses_one_expert_as_documented():
    X, y = make_piecewise_linear(n_samples=300, n_regimes=3, random_state=0)
    em = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                   cv=None, random_state=0)
    stacked = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2,
                                        training="gradient", random_state=0)
    assert select_n_experts(em, X, y, candidates=(1, 2, 3, 4))[0] == 3
    best, scores = select_n_experts(stacked, X, y, candidates=(1, 2, 3, 4))
    assert best == 1
    counts = [n_free_parameters(stacked.set_params(n_experts=k).fit(X, y)) for k in (2, 3, 4)]
    assert counts == [987, 1320, 1653]


def test_hierarchical_paths_and_likelihood_by_hand():
    X, y = make_hierarchical_regimes(n_samples=200, random_state=0)
    X, y = np.asarray(X), np.asarray(y)
    w = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    model = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 3), max_iter=5,
                                         random_state=0)
    with pytest.warns(Warning, match="did not converge"):
        model.fit(X, y, sample_weight=w)
    Z = model._gate_view(X)
    cond = [np.hstack([g.predict_proba(Z) for g in level]) for level in model.gates_]
    # Node k at level d has children k * branching[d + 1] + c.
    root = cond[0]
    leaves = np.repeat(root, 3, axis=1) * cond[1]
    paths = model.predict_path(X)
    np.testing.assert_allclose(paths[0], root, atol=1e-14)
    np.testing.assert_allclose(paths[1], leaves, atol=1e-14)
    for got, want in zip(model.predict_path(X, conditional=True), cond):
        np.testing.assert_allclose(got, want, atol=1e-14)
    np.testing.assert_allclose(model.predict_gate(X), leaves, atol=1e-14)
    F = np.column_stack([e.predict(X) for e in model.experts_])
    var = np.asarray(model.noise_variance_)
    log_l = logsumexp(np.log(leaves) - 0.5 * np.log(2 * np.pi * var)
                      - 0.5 * (y[:, None] - F) ** 2 / var, axis=1)
    np.testing.assert_allclose(model.log_likelihood_samples(X, y), log_l, atol=1e-12)
    assert model.log_likelihood_ == pytest.approx(np.average(log_l, weights=w), abs=1e-12)
    np.testing.assert_allclose(model.predict(X), (leaves * F).sum(1), atol=1e-12)
    # Six linear leaves, the root's 2-way softmax-linear gate (one row free),
    # two 3-way ones (two rows each), six noise scales.
    d = X.shape[1]
    assert n_free_parameters(model) == 6 * (d + 1) + (d + 1) + 2 * 2 * (d + 1) + 6


@pytest.mark.parametrize("params", [dict(training="em", top_k=2),
                                    dict(training="gradient", top_k=1),
                                    dict(training="gradient")])
def test_return_std_by_hand(params):
    X, y = make_piecewise_linear(n_samples=200, n_regimes=3, random_state=0)
    pool = [("lr", LinearRegression()), ("r", Ridge(alpha=30.0)),
            ("t", DecisionTreeRegressor(max_depth=3, random_state=0))]
    model = MixtureOfExpertsRegressor(pool, random_state=0, **params).fit(X, y)
    G, F = model.predict_gate(X), np.asarray(model.predict_experts(X))
    var = np.asarray(model.noise_variance_)
    mean, std = model.predict(X, return_std=True)
    np.testing.assert_array_equal(mean, model.predict(X))
    # The density is the mixture moved to the predicted mean (the stacked
    # gate's final blend moves it): every component shifted alike.
    F = F + (mean - (G * F).sum(1))[:, None]
    np.testing.assert_allclose(std, np.sqrt((G * (var + F ** 2)).sum(1) - mean ** 2),
                               rtol=1e-9)
    with np.errstate(divide="ignore"):
        log_l = logsumexp(np.log(G) - 0.5 * np.log(2 * np.pi * var)
                          - 0.5 * (y[:, None] - F) ** 2 / var, axis=1)
    np.testing.assert_allclose(model.log_likelihood_samples(X, y), log_l, atol=1e-10)


def test_multitask_first_epoch_loss_by_hand():
    # One full-batch epoch at a vanishing learning rate: the loss recorded
    # is the initial network's, which predict gives.
    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)
    y1 = 3 * X[:, 0] + 10 + rng.randn(120)
    y2 = (X[:, 1] > 0).astype(int)
    y3 = rng.randint(0, 3, 120)
    w = rng.uniform(0.5, 2.0, 120)
    model = MultiGateMixtureOfExperts(
        tasks=["regression", "binary", "multiclass"], max_iter=1, learning_rate=1e-12,
        batch_size=1000, task_weights=[1.0, 2.0, 3.0], random_state=0)
    with pytest.warns(Warning):
        model.fit(X, np.column_stack([y1, y2, y3]), sample_weight=w)
    pred = np.asarray(model.predict(X))[:, 0].astype(float)
    proba = model.predict_proba(X)
    scale = np.sqrt(np.average((y1 - np.average(y1, weights=w)) ** 2, weights=w))
    losses = [np.average(((pred - y1) / scale) ** 2, weights=w),
              np.average(-np.log(proba[1][np.arange(120), y2]), weights=w),
              np.average(-np.log(proba[2][np.arange(120), y3]), weights=w)]
    task_weights = np.array([1.0, 2.0, 3.0]) / 2.0       # rescaled to mean one
    assert model.loss_curve_[0] == pytest.approx(task_weights @ losses, rel=1e-5)


def test_bic_is_a_python_float_as_aic_is():
    # bic returned np.float64 (k * np.log(n)) where aic and the docstring
    # give a float: select_n_experts' scores printed as np.float64(...) for
    # 'bic' only.
    X, y = make_piecewise_linear(n_samples=120, n_regimes=2, random_state=0)
    em = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                   cv=None, random_state=0)
    model = em.fit(X, y)
    assert type(bic(model, X, y)) is float and type(aic(model, X, y)) is float
    assert type(model.bic(X, y)) is float
    _, scores = select_n_experts(em, X, y, candidates=(1, 2))
    assert all(type(value) is float for value in scores.values())


def test_constant_rival_gate_counts_its_weights_not_its_network():
    # A top-k mixture whose rival routing replaced the gate has a constant
    # gate (output weights zero, bias log(proba)): its 32 hidden units no
    # longer touch a prediction, yet all 130 gate parameters were counted,
    # and a top-1 rival routes every row to one expert, whose 2 coefficients
    # and noise scale are the whole model (139 counted, 3 by hand).
    X, y = make_piecewise_linear(n_samples=200, n_regimes=2, random_state=0)
    pool = [("a", LinearRegression()), ("b", Ridge(alpha=1e4)), ("c", Ridge(alpha=1e3))]
    model = MixtureOfExpertsRegressor(pool, top_k=1, training="gradient",
                                      random_state=0).fit(X, y)
    assert model.rival_selected_
    weights = model.predict_gate(X)
    used = np.flatnonzero(weights.max(axis=0) > 0)
    assert len(used) == 1 and np.all(weights[:, used[0]] == 1.0)
    # The prediction is that expert's, whatever the gate's hidden layers hold.
    np.testing.assert_array_equal(model.predict(X), model.experts_[used[0]].predict(X))
    assert n_free_parameters(model) == 2 + 1
    log_l = model.log_likelihood_samples(X, y).sum()
    assert bic(model, X, y) == pytest.approx(-2 * log_l + 3 * np.log(200), rel=1e-12)
    # top_k=2: two experts (2 coefficients and a noise scale each) and one
    # free weight between them.
    model = MixtureOfExpertsRegressor(pool, top_k=2, training="gradient",
                                      random_state=1).fit(X, y)
    assert model.rival_selected_
    assert (model.predict_gate(X).max(axis=0) > 0).sum() == 2
    assert n_free_parameters(model) == 2 * 3 + 1
