"""Sparse top-k routing sweep, round 1."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from scipy.special import softmax

from skmoe._routing import RoutingOptions, route, train_route


def test_importance_loss_of_top_1_trains_the_gate():
    # Top-1's routed weights are all one: the importance loss computed on
    # them only counted rows and sent the gate a zero gradient (1e-17), so
    # balance_loss='importance' with top_k=1 balanced nothing in the joint
    # trainer. It is now the CV^2 of the chosen experts' softmax weights
    # summed over the (weighted) rows.
    rng = np.random.RandomState(0)
    logits = torch.tensor(rng.normal(size=(8, 3)), requires_grad=True)
    weight = rng.uniform(0.5, 2.0, 8)
    routing = route(logits, 1, training=True, sample_weight=torch.tensor(weight))
    P = softmax(logits.detach().numpy(), axis=1)
    chosen = P == P.max(axis=1, keepdims=True)
    sums = weight @ (P * chosen)
    loss = routing.aux_losses["importance"]
    assert loss.item() == pytest.approx(sums.var() / sums.mean() ** 2, rel=1e-10)
    (grad,) = torch.autograd.grad(loss, logits)
    assert grad.abs().sum().item() > 1e-3
    # The same through train_route, the trainers' entry point.
    options = RoutingOptions(top_k=1, balance_coef=2.0, balance_loss="importance")
    _, penalty = train_route(logits, options, sample_weight=torch.tensor(weight))
    assert penalty.item() == pytest.approx(2.0 * loss.item(), rel=1e-12)
    (grad,) = torch.autograd.grad(penalty, logits)
    assert grad.abs().sum().item() > 1e-3


def test_joint_trainer_weights_the_balance_and_z_losses_by_sample_weight(monkeypatch):
    # The joint gradient trainer called train_route without the rows'
    # weights: its balance and z-losses counted a row of weight 3 once (EM's
    # gate penalty weighs them). Now each batch's weights reach them.
    import skmoe._joint as joint
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import MixtureOfExpertsRegressor

    seen = []
    original = joint.train_route

    def recording(logits, options, **kwargs):
        seen.append(kwargs.get("sample_weight"))
        return original(logits, options, **kwargs)

    monkeypatch.setattr(joint, "train_route", recording)
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (60, 2))
    y = X[:, 0] * np.sign(X[:, 1]) + 0.1 * rng.randn(60)
    sample_weight = np.where(np.arange(60) % 2, 3.0, 1.0)
    MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))],
        training="gradient", top_k=1, balance_coef=0.5, router_z_coef=1e-3, cv=2,
        max_epochs=2, validation_fraction=0, random_state=0,
    ).fit(X, y, sample_weight=sample_weight)
    assert seen and all(w is not None for w in seen)
    values = np.unique(np.concatenate([w.detach().cpu().numpy() for w in seen]))
    # Normalised to mean one: 1 / 2 and 3 / 2.
    assert_allclose(values, [0.5, 1.5], rtol=1e-6)


def test_em_top_k_of_every_expert_is_the_dense_mixture():
    # Cross-fitted EM blends its final gate with the experts' constant blend
    # for the dense mixture; a top_k of every expert (documented as dense)
    # went without that blend: predictions up to 1.51 apart from top_k=None's
    # here, from the same EM run. Now the same.
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import MixtureOfExpertsRegressor

    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (60, 2))
    y = np.where(X[:, 0] > 0, 3 * X[:, 1], -2 * X[:, 1]) + 0.1 * rng.randn(60)
    experts = [("a", Ridge()), ("b", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("c", Ridge(alpha=30))]
    fits = {k: MixtureOfExpertsRegressor(experts, training="em", top_k=k, max_iter=2, cv=3,
                                         random_state=0).fit(X, y) for k in (None, 3)}
    assert_allclose(fits[3].predict(X), fits[None].predict(X), rtol=1e-9, atol=1e-12)
    assert_allclose(fits[3].predict_gate(X), fits[None].predict_gate(X), rtol=1e-9,
                    atol=1e-12)
