"""skmoe._training.lbfgs, and full-batch fits that stay off torch.optim."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from skmoe._training import lbfgs


def test_lbfgs_finds_the_least_squares_solution():
    rng = np.random.RandomState(0)
    A = torch.as_tensor(rng.randn(50, 3))
    b = torch.as_tensor(rng.randn(50))
    x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    loss = lbfgs([x], lambda: ((A @ x - b) ** 2).sum(), max_iter=100)
    exact = np.linalg.lstsq(A.numpy(), b.numpy(), rcond=None)[0]
    assert_allclose(x.detach().numpy(), exact, rtol=1e-6, atol=1e-8)
    assert loss == pytest.approx(float(((A @ x - b) ** 2).sum().detach()))


def test_lbfgs_updates_several_float32_tensors_in_place():
    weight = torch.nn.Parameter(torch.ones(2, 2))
    bias = torch.nn.Parameter(torch.ones(2))
    target = torch.tensor([[0.5, -1.0], [2.0, 0.0]])
    lbfgs([weight, bias], lambda: ((weight - target) ** 2).sum() + (bias ** 2).sum(), 50)
    assert weight.dtype == torch.float32
    assert_allclose(weight.detach().numpy(), target.numpy(), atol=1e-5)
    assert_allclose(bias.detach().numpy(), 0.0, atol=1e-5)


def test_lbfgs_never_worse_goes_back_to_the_start(monkeypatch):
    # A solver that ends worse than it started (4 steps past the minimum):
    # with never_worse the parameters go back to the start, without it they
    # stay at the solver's result.
    import scipy.optimize
    from scipy.optimize import OptimizeResult

    def overshooting(fun, x0, **kwargs):
        fun(x0)
        x = x0 + 5.0
        return OptimizeResult(x=x, fun=fun(x)[0])

    monkeypatch.setattr(scipy.optimize, "minimize", overshooting)
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    objective = lambda: ((x - 1) ** 2).sum()  # noqa: E731
    assert lbfgs([x], objective, max_iter=50, never_worse=True) == 1.0
    assert x.item() == 0.0
    assert lbfgs([x], objective, max_iter=50) == 16.0
    assert x.item() == 5.0


def test_lbfgs_respects_max_iter():
    calls = []
    x = torch.tensor([3.0, -2.0], dtype=torch.float64, requires_grad=True)

    def rosenbrock():
        calls.append(1)
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

    lbfgs([x], rosenbrock, max_iter=4)
    assert len(calls) <= int(4 * 1.25) + 2   # the evaluations max_iter allows


@pytest.mark.parametrize("estimator", [
    "MixtureOfExpertsRegressor(experts, training='em', max_iter=3, random_state=0)",
    "HierarchicalMixtureRegressor([(f'e{i}', Ridge()) for i in range(4)], max_iter=3, "
    "random_state=0)",
    "HeterogeneousMultiGateMixtureOfExperts(experts, max_iter=5, cv=2, random_state=0)",
])
def test_full_batch_gate_fits_do_not_import_torch_compiler(estimator):
    # torch.optim's first optimiser imports torch._dynamo (~1.3 s per
    # process); an EM fit paid it on its first gate M-step.
    code = textwrap.dedent(f"""
        import sys, warnings
        import numpy as np
        from sklearn.linear_model import Ridge
        from sklearn.tree import DecisionTreeRegressor
        from skmoe import (MixtureOfExpertsRegressor, HierarchicalMixtureRegressor,
                           HeterogeneousMultiGateMixtureOfExperts)
        warnings.simplefilter("ignore")
        X = np.random.RandomState(0).randn(80, 3)
        y = X[:, 0] + np.abs(X[:, 1])
        experts = [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3))]
        est = {estimator}
        est.fit(X, np.column_stack([y, X[:, 2]]) if "MultiGate" in type(est).__name__ else y)
        print("torch._dynamo" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_lbfgs_on_cuda_parameters_and_an_em_gate_on_cuda():
    rng = np.random.RandomState(0)
    A = torch.as_tensor(rng.randn(50, 3), device="cuda")
    b = torch.as_tensor(rng.randn(50), device="cuda")
    x = torch.zeros(3, dtype=torch.float64, device="cuda", requires_grad=True)
    lbfgs([x], lambda: ((A @ x - b) ** 2).sum(), max_iter=100)
    assert x.device.type == "cuda"
    exact = np.linalg.lstsq(A.cpu().numpy(), b.cpu().numpy(), rcond=None)[0]
    assert_allclose(x.detach().cpu().numpy(), exact, rtol=1e-6, atol=1e-8)
    # EM's gate M-steps on the GPU give the CPU's mixture (float64 gates).
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import MixtureOfExpertsRegressor, MLPGate
    X = rng.randn(300, 3)
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 2])
    fits = [MixtureOfExpertsRegressor(
        [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3, random_state=0))],
        training="em", gate=MLPGate(device=device), max_iter=3, random_state=0).fit(X, y)
        for device in ("cpu", "cuda")]
    assert fits[1].gate_.device_.type == "cuda"
    assert_allclose(fits[1].predict(X), fits[0].predict(X), rtol=1e-5, atol=1e-6)
