"""The mixture's device predict path and the torch experts' matmul precision.

Checked on the CPU (the same code runs on a GPU); the ``needs_cuda`` tests
repeat the key ones on CUDA and skip without it.
"""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

import skmoe._device_predict as device_predict
import skmoe._moe as moe
from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from skmoe._joint import JointMixture
from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
FAST = dict(max_epochs=3, batch_size=64, random_state=0)


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5)) * [1, 10, 0.1, 3, 1] + [0, 5, -2, 0, 100]
    y = np.sin(X[:, 0]) + 0.1 * X[:, 1] + rng.normal(scale=0.1, size=n)
    return X, y


def _regressor(device="cpu", precision="float32"):
    experts = [(f"a{i}", TorchMLPRegressor((16, 16), random_state=i, precision=precision))
               for i in range(3)]
    experts += [("narrow", TorchMLPRegressor((8,), random_state=5)),
                ("line", LinearRegression())]
    return MixtureOfExpertsRegressor(experts, device=device, cv=2, **FAST)


def _per_expert(model, X, monkeypatch, method="predict"):
    """The same call with the device path switched off (experts asked one by one)."""
    with monkeypatch.context() as patch:
        patch.setattr(moe, "device_predict_applies", lambda mixture, X: False)
        return getattr(model, method)(X), model._weights_and_outputs(X)


def _check_batched_equals_per_expert(model, X, monkeypatch, method="predict", atol=1e-6):
    assert device_predict.applies(model, X)
    fast, (weights, outputs) = getattr(model, method)(X), model._weights_and_outputs(X)
    slow, (slow_weights, slow_outputs) = _per_expert(model, X, monkeypatch, method)
    assert weights.dtype == outputs.dtype == np.float64
    assert outputs.shape == slow_outputs.shape
    # Equal up to the summation order of the batched matmuls (float32), or,
    # in TF32/bf16, up to their rounding (``atol``).
    rtol = 1e-5 if atol <= 1e-6 else 0
    assert_allclose(outputs, slow_outputs, rtol=rtol, atol=atol)
    assert_allclose(weights, slow_weights, rtol=1e-6, atol=1e-9)
    assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose(fast, slow, rtol=rtol, atol=atol)


def test_batched_predict_equals_per_expert_predict(monkeypatch):
    X, y = _data()
    model = _regressor().fit(X, y)
    groups = device_predict.torch_expert_groups(model.experts_)
    assert sorted(map(len, groups)) == [1, 3]   # the three (16, 16) experts run batched
    _check_batched_equals_per_expert(model, X, monkeypatch)
    mean, std = model.predict(X, return_std=True)
    slow_mean, slow_std = _per_expert(model, X, monkeypatch)[0], None
    with monkeypatch.context() as patch:
        patch.setattr(moe, "device_predict_applies", lambda mixture, X: False)
        slow_mean, slow_std = model.predict(X, return_std=True)
    assert_allclose(mean, slow_mean, rtol=1e-5, atol=1e-6)
    assert_allclose(std, slow_std, rtol=1e-5, atol=1e-6)


def test_batched_predict_classifier(monkeypatch):
    X, y = _data()
    labels = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    experts = [(f"m{i}", TorchMLPClassifier((16,), random_state=i)) for i in range(3)]
    experts.append(("logit", LogisticRegression()))
    model = MixtureOfExpertsClassifier(experts, cv=2, device="cpu", **FAST).fit(X, labels)
    _check_batched_equals_per_expert(model, X, monkeypatch, "predict_proba")


def test_experts_with_their_own_scaling_run_batched(monkeypatch):
    """Experts of one shape but different input scalings: one (e, b, d) batch."""
    X, y = _data()
    model = _regressor().fit(X, y)
    model.experts_[1].x_mean_ = model.experts_[1].x_mean_ + 0.5
    model.experts_[2].x_scale_ = model.experts_[2].x_scale_ * 2.0
    _check_batched_equals_per_expert(model, X, monkeypatch)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
def test_predict_validates_once_and_copies_x_once(device, monkeypatch):
    """X reaches the device once; no expert re-validates it; no float64 nan_to_num.

    On CUDA the gate's device ('cuda') and the experts' ('cuda:0') are one.
    """
    X, y = _data()
    model = _regressor(device=device).fit(X, y)
    expected = model.predict(X)
    copies = []
    original = device_predict.device_array

    def counting(array, device):
        copies.append(array)
        return original(array, device)

    def refuse(*args, **kwargs):
        raise AssertionError("not on the device path")

    monkeypatch.setattr(device_predict, "device_array", counting)
    monkeypatch.setattr(TorchMLPRegressor, "predict", refuse)    # no per-expert call
    monkeypatch.setattr(TorchMLPRegressor, "_check_X", refuse)   # no re-validation
    monkeypatch.setattr(np, "nan_to_num", refuse)                 # gate input on device
    assert_allclose(model.predict(X), expected)
    assert len(copies) == 1 and copies[0].dtype == np.float64   # one copy, the input itself


def test_standardised_inputs_stay_float32_on_the_device():
    X, _ = _data(50)
    from skmoe._torch_utils import device_array, standardise, standardisation
    mean, scale = standardisation(X)
    Xd = device_array(X, torch.device("cpu"))
    assert Xd.dtype == torch.float64 and np.shares_memory(Xd.numpy(), X)  # no copy on CPU
    Z = standardise(Xd, mean, scale)
    assert Z.dtype == torch.float32
    # The same numbers as numpy's float64 standardisation, rounded once.
    assert np.array_equal(Z.numpy(), ((X - mean) / scale).astype(np.float32))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_standardise_in_blocks_of_rows_gives_the_same_numbers(dtype, monkeypatch):
    # Large X is standardised a block of rows at a time (no full float64
    # temporary): bit for bit what the whole-array path gives, NaN imputed.
    import skmoe._torch_utils as torch_utils
    X = np.random.RandomState(0).normal(size=(1000, 4))
    X[3, 1] = np.nan
    mean, scale = np.nanmean(X, axis=0), np.nanstd(X, axis=0)
    Xd = torch_utils.device_array(X, torch.device("cpu"))
    whole = torch_utils.standardise(Xd, mean, scale, dtype, nan_to_zero=True)
    monkeypatch.setattr(torch_utils, "STANDARDISE_CHUNK", 7)
    blocks = torch_utils.standardise(Xd, mean, scale, dtype, nan_to_zero=True)
    assert blocks.dtype == dtype and torch.equal(blocks, whole)
    expected = np.nan_to_num((X - mean) / scale, nan=0.0)
    assert np.array_equal(whole.numpy(), expected.astype(whole.numpy().dtype))


def test_precision_is_validated():
    X, y = _data(60)
    with pytest.raises(InvalidParameterError, match="precision"):
        TorchMLPRegressor(precision="fp16", **FAST).fit(X, y)
    with pytest.raises(InvalidParameterError, match="precision"):
        TorchMLPClassifier(precision="double", **FAST).fit(X, y > 0)
    assert TorchMLPRegressor().precision == "float32"   # default unchanged


def test_precision_on_the_cpu():
    X, y = _data(200)
    base = TorchMLPRegressor((16,), device="cpu", **FAST).fit(X, y)
    tf32 = TorchMLPRegressor((16,), device="cpu", precision="tf32", **FAST).fit(X, y)
    # TF32 is a CUDA matmul mode: a no-op on the CPU.
    assert_allclose(tf32.predict(X), base.predict(X), rtol=0, atol=0)
    bf16 = TorchMLPRegressor((16,), device="cpu", precision="bf16", **FAST).fit(X, y)
    pred = bf16.predict(X)
    assert pred.dtype == np.float64 and np.isfinite(pred).all()
    bf16.precision = "float32"
    assert_allclose(pred, bf16.predict(X), atol=0.1 * y.std())   # bf16 rounding only
    assert not np.array_equal(pred, bf16.predict(X))


def test_joint_training_groups_by_precision(monkeypatch):
    X, y = _data()
    experts = [("f", TorchMLPRegressor((16,), random_state=0)),
               ("b", TorchMLPRegressor((16,), random_state=1, precision="bf16"))]
    seen = []
    original = JointMixture.__init__

    def record(self, gate, groups, *args, **kwargs):
        seen.extend(g.precision for g in groups)
        original(self, gate, groups, *args, **kwargs)

    monkeypatch.setattr(JointMixture, "__init__", record)
    model = MixtureOfExpertsRegressor(experts, device="cpu", **FAST).fit(X, y)
    assert sorted(seen) == ["bf16", "float32"]
    assert [e.precision for e in model.experts_] == ["float32", "bf16"]
    _check_batched_equals_per_expert(model, X, monkeypatch)


def test_matmul_precision_restores_the_tf32_switch():
    from skmoe._torch_utils import matmul_precision
    before = torch.backends.cuda.matmul.allow_tf32
    with matmul_precision("tf32", torch.device("cuda")):
        assert torch.backends.cuda.matmul.allow_tf32
    assert torch.backends.cuda.matmul.allow_tf32 == before
    with pytest.raises(ValueError, match="precision"):
        with matmul_precision("fp8", torch.device("cpu")):
            pass


@needs_cuda
def test_batched_predict_equals_per_expert_predict_on_cuda(monkeypatch):
    X, y = _data()
    model = _regressor(device="cuda").fit(X, y)
    assert next(model.experts_[0].module_.parameters()).is_cuda
    _check_batched_equals_per_expert(model, X, monkeypatch)


@needs_cuda
@pytest.mark.parametrize("precision", ["tf32", "bf16"])
def test_reduced_precision_on_cuda(precision, monkeypatch):
    X, y = _data()
    model = _regressor(device="cuda", precision=precision).fit(X, y)
    pred = model.predict(X)
    assert np.isfinite(pred).all()
    # Batched and per-expert matmuls round differently in TF32/bf16 (seen on an
    # H200: at most 3e-4 and 5e-3 for targets of unit scale).
    _check_batched_equals_per_expert(model, X, monkeypatch, atol=0.02 * y.std())
    for expert in model.experts_[:3]:
        expert.precision = "float32"
    assert_allclose(model.predict(X), pred, atol=0.1 * y.std())


@needs_cuda
@pytest.mark.parametrize("precision", ["float32", "tf32", "bf16"])
def test_fused_inference_on_cuda(precision):
    from skmoe._nn import BatchedMLP
    from skmoe._torch_utils import matmul_precision
    torch.manual_seed(0)
    device = torch.device("cuda")
    net = BatchedMLP(3, 5, (64, 32), 2).to(device).eval()
    for x in (torch.randn(300, 5, device=device), torch.randn(3, 300, 5, device=device)):
        with torch.no_grad(), matmul_precision(precision, device):
            expected, fused = net(x).float(), net.inference(x).float()
        atol = {"float32": 1e-5, "tf32": 5e-3, "bf16": 5e-2}[precision]
        assert_allclose(fused.cpu(), expected.cpu(), atol=atol)


def test_batched_predict_chunk_on_the_cpu_is_the_experts_bound():
    from skmoe.experts import predict_chunk
    widths = [256, 256, 1]
    assert (device_predict.batched_predict_chunk(8, widths, torch.device("cpu"))
            == predict_chunk(8, widths))
