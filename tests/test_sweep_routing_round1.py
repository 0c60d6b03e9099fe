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

