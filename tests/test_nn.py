"""Torch building blocks: the batched MLP equals a loop over separate MLPs."""

import pytest
import torch
from numpy.testing import assert_allclose

from skmoe._nn import BatchedLinear, BatchedMLP, make_mlp


def _batched_copy_of(mlps, hidden, activation):
    batched = BatchedMLP(len(mlps), 5, hidden, 2, activation=activation)
    linear_positions = [i for i, m in enumerate(mlps[0]) if isinstance(m, torch.nn.Linear)]
    for layer, position in zip(batched.layers, linear_positions):
        layer.load_state_dict(
            BatchedLinear.from_linears([m[position] for m in mlps]).state_dict())
    return batched


@pytest.mark.parametrize("hidden", [(), (7,), (7, 3)])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_batched_mlp_matches_a_loop_over_mlps(hidden, activation):
    torch.manual_seed(0)
    mlps = [make_mlp(5, hidden, 2, activation) for _ in range(4)]
    batched = _batched_copy_of(mlps, hidden, activation)
    x = torch.randn(11, 5)
    expected = torch.stack([m(x) for m in mlps])
    assert batched(x).shape == (4, 11, 2)
    assert_allclose(batched(x).detach(), expected.detach(), atol=1e-6)
    # Per-expert rows: expert e sees its own batch.
    xs = torch.randn(4, 3, 5)
    expected = torch.stack([m(xs[e]) for e, m in enumerate(mlps)])
    assert_allclose(batched(xs).detach(), expected.detach(), atol=1e-6)


def test_batched_gradients_match_the_loop():
    torch.manual_seed(1)
    mlps = [make_mlp(5, (6,), 2) for _ in range(3)]
    batched = _batched_copy_of(mlps, (6,), "relu")
    x = torch.randn(9, 5)
    torch.stack([m(x) for m in mlps]).square().sum().backward()
    batched(x).square().sum().backward()
    expected = torch.stack([m[0].weight.grad.T for m in mlps])
    assert_allclose(batched.layers[0].weight.grad, expected, atol=1e-5)


@pytest.mark.parametrize("hidden", [(), (7,), (7, 3)])
@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu"])
def test_fused_inference_matches_forward(hidden, activation):
    # The predict path (addmm per expert, bias and ReLU fused; used on CUDA)
    # run directly on the CPU: the same numbers as the training forward.
    torch.manual_seed(2)
    batched = BatchedMLP(4, 5, hidden, 2, activation=activation).eval()
    for x in (torch.randn(11, 5), torch.randn(4, 11, 5)):
        with torch.no_grad():
            expected = batched(x)
            fused = batched._inference(x)
        assert fused.shape == expected.shape == (4, 11, 2)
        assert_allclose(fused, expected, atol=1e-6)
        assert_allclose(batched.inference(x), expected, atol=1e-6)   # CPU: forward
        # Under a bfloat16 autocast: bfloat16 activations, as autocast's baddbmm.
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            expected, fused = batched(x), batched._inference(x)
        assert fused.dtype == expected.dtype == torch.bfloat16
        assert_allclose(fused.float(), expected.float(), atol=0.05)


def test_inference_needs_no_autograd():
    batched = BatchedMLP(2, 3, (4,), 1)
    assert not batched.inference(torch.randn(5, 3)).requires_grad


def test_to_mlps_copies_the_weights_without_moving_the_global_seed():
    # Its MLPs' initial weights (overwritten) were drawn from the global
    # generator: fitting a mixture with a torch expert moved the caller's seed.
    batched = BatchedMLP(3, 5, (7,), 2)
    torch.manual_seed(3)
    state = torch.random.get_rng_state()
    mlps = batched.to_mlps()
    assert torch.equal(torch.random.get_rng_state(), state)
    x = torch.randn(4, 5)
    for e, mlp in enumerate(mlps):
        assert torch.allclose(mlp(x), batched(x)[e], atol=1e-6)


def test_from_mlps_skip_init_stacks_the_same_weights_without_drawing():
    torch.manual_seed(3)
    mlps = [make_mlp(5, (7, 3), 2) for _ in range(3)]
    drawn = BatchedMLP.from_mlps(mlps)
    state = torch.random.get_rng_state()
    stacked = BatchedMLP.from_mlps(mlps, skip_init=True)
    assert torch.equal(torch.random.get_rng_state(), state)   # no draws
    for a, b in zip(drawn.state_dict().values(), stacked.state_dict().values()):
        assert torch.equal(a, b)


def test_select_runs_only_the_chosen_networks():
    torch.manual_seed(0)
    net = BatchedMLP(5, 3, (4,), 2, activation="tanh").double()
    x = torch.randn(7, 3, dtype=torch.float64)
    own = torch.tensor([1, 3])
    sub = net.select(own)
    assert sub.n_experts == 2 and sub.layers[0].weight.dtype == torch.float64
    assert torch.equal(sub(x), net(x)[own])
