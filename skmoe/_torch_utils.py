"""Small torch helpers: device choice, seeding without touching global state,
inputs standardised on the device, matmul precision of torch experts."""

import contextlib
import os
import threading

import numpy as np
import torch

from ._data import TINY_SCALE, SharedProcessSetting, standardisation, unequal_weights

DTYPE = torch.float32


def check_device_name(device):
    """``device`` (not 'auto') as a ``torch.device`` of a type skmoe runs on, or a
    ValueError; whether this machine has it is :func:`resolve_device`'s check."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {device!r}.") from exc
    # torch knows more device types ('meta', 'xpu', ...), and 'mps' where it
    # is missing: they passed here and failed deep in the fit ("Tensor.item()
    # cannot be called on meta tensors", "PyTorch is not linked with support
    # for mps devices"). Apple's MPS is kept where it exists (see device_array).
    if device.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {str(device)!r}.")
    return device


def cuda_usable():
    """Whether this process can use CUDA: available, and not a process forked
    after its parent initialised CUDA, where torch refuses it ("Cannot
    re-initialize CUDA in forked subprocess"): a CPU fit there failed in
    :func:`seeded_torch`, which saved the CUDA generators, and ``'auto'``
    chose the GPU."""
    in_bad_fork = getattr(torch.cuda, "_is_in_bad_fork", lambda: False)
    return torch.cuda.is_available() and not in_bad_fork()


def adam(params, **options):
    """``torch.optim.Adam(params, **options)``, usable in a process forked
    after its parent initialised CUDA.

    Every ``step`` of torch's optimisers asks CUDA whether a graph is being
    captured; in such a process CUDA cannot be initialised, so even a fit on
    the CPU failed there ("CUDA error: initialization error"). No graph can
    be captured where CUDA is unusable, so the check is skipped there only.
    """
    optimizer = torch.optim.Adam(params, **options)
    if torch.cuda.is_available() and not cuda_usable():
        # (The check's name before torch 2.8, and since.)
        for name in ("_cuda_graph_capture_health_check",
                     "_accelerator_graph_capture_health_check"):
            setattr(optimizer, name, _no_graph_capture)
    return optimizer


def _no_graph_capture():
    """The graph-capture check where no graph can be captured (see :func:`adam`)."""


def resolve_device(device):
    """Turn ``'auto'``/``'cpu'``/``'cuda[:i]'`` into a ``torch.device``.

    ``'auto'`` falls back to the CPU; an explicit CUDA device on a machine
    without CUDA is an error, not a silent fallback.
    """
    if device is None or device == "auto":
        return torch.device("cuda" if cuda_usable() else "cpu")
    device = check_device_name(device)
    available = {"cuda": torch.cuda.is_available, "mps": torch.backends.mps.is_available}
    if device.type in available and not available[device.type]():
        raise ValueError(
            f"device={str(device)!r} was requested but {device.type.upper()} is not "
            "available on this machine; use device='auto' to fall back to the CPU."
        )
    if device.type == "cuda" and device.index is not None and (
            device.index >= torch.cuda.device_count()):
        # (Was torch's "CUDA error: invalid device ordinal" from the first tensor.)
        raise ValueError(
            f"device={str(device)!r} was requested but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s) (cuda:0 .. "
            f"cuda:{torch.cuda.device_count() - 1}).")
    return device


@contextlib.contextmanager
def seeded_torch(seed):
    """Seed torch inside the block only; the caller's RNG state is restored.

    One thread at a time runs a seeded block (re-entrant in that thread):
    torch's global generator is shared by the threads of a process.
    """
    devices = list(range(torch.cuda.device_count())) if cuda_usable() else []
    # (Without the lock, fits in threads -- joblib's threading backend, as
    # GridSearchCV or an ensemble's n_jobs run under it -- seeded the
    # generator and drew initial weights and dropout masks from each other's
    # seeds, and restored each other's state: 65 of 80 TorchMLPRegressor fits
    # with dropout differed from the same fit alone.)
    with forked_torch_rng(devices):
        torch.manual_seed(int(seed))
        yield


_SEEDED = threading.RLock()


def _new_lock_in_child():
    # A process forked while another thread was in a seeded block (a torch
    # MLP with dropout trains in one) copied the lock held, by a thread the
    # child does not have: the child's first seeded block waited for ever
    # (a fit in a multiprocessing 'fork' pool hung). No library code forks
    # inside a seeded block, so the forking thread holds none of it.
    global _SEEDED
    _SEEDED = threading.RLock()


if hasattr(os, "register_at_fork"):      # (not on Windows, which does not fork)
    os.register_at_fork(after_in_child=_new_lock_in_child)


@contextlib.contextmanager
def forked_torch_rng(devices=()):
    """``torch.random.fork_rng`` in the lock of :func:`seeded_torch`.

    (A fork restores the state it saved: unlocked, it set back the generator
    of a seeded block in another thread, which drew the same numbers again.)
    """
    with _SEEDED, torch.random.fork_rng(devices=list(devices)):
        yield


def device_standardisation(X_device, X, sample_weight=None):
    """:func:`standardisation` of ``X`` from its device copy ``X_device`` (float64).

    Without NaN the column means and scales are reductions on the device
    (equal to numpy's up to summation order); with NaN numpy's, and for a
    column whose squares overflow or underflow, or that is constant, numpy's
    for that column (a constant's value as its mean, scale one, on every
    device). Unequal ``sample_weight`` (the user's weights): numpy's
    weighted one.
    """
    # (No column: torch's var_mean warned "degrees of freedom is <= 0".)
    if (len(X) == 0 or X.shape[1] == 0 or X_device.dtype != torch.float64
            or torch.isnan(X_device).any()):
        return standardisation(X, sample_weight)
    if unequal_weights(sample_weight) is not None:
        return standardisation(X, sample_weight)
    var, mean = torch.var_mean(X_device, dim=0, correction=0)
    mean, scale = mean.cpu().numpy(), torch.sqrt(var).cpu().numpy()
    # Columns whose squares overflowed or underflowed: numpy's standardisation
    # of those columns, which measures them safely (and gives constant ones
    # scale one).
    # Constant columns too, whatever the device's reduction: torch's var_mean
    # gives them exactly zero variance on the CPU and on an H100 (torch 2.11,
    # 12 cases measured), but a reduction by plain sums (as another device or
    # version may compute it) leaves the mean an ulp off and a spread of about
    # 1e-17 as the scale, and a value 1 away at predict 1e16 standard
    # deviations. One min/max pass buys that guarantee.
    low, high = (bound.cpu().numpy() for bound in torch.aminmax(X_device, dim=0))
    bad = np.flatnonzero(~np.isfinite(scale) | ~np.isfinite(mean) | (scale < TINY_SCALE)
                         | (low == high))
    if len(bad):
        mean[bad], scale[bad] = standardisation(X[:, bad])
    return mean, np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


def to_host(tensor):
    """A device tensor as a numpy array, through pinned memory from a GPU (faster)."""
    tensor = tensor.detach()
    if tensor.device.type != "cuda":
        return tensor.cpu().numpy()
    host = torch.empty(tensor.shape, dtype=tensor.dtype, pin_memory=True)
    host.copy_(tensor)
    return host.numpy()


def device_array(X, device):
    """``X`` (a float numpy array) on ``device`` in float64: one copy, none on the CPU.

    Devices without float64 (Apple's MPS) get float32. Standardise it there
    with :func:`standardise`.
    """
    X = np.asarray(X, dtype=np.float64)
    shared = X.flags.writeable and not _negative_strides(X)
    tensor = torch.from_numpy(X) if shared else torch.as_tensor(X.copy())
    if device.type == "mps":
        return tensor.to(device, torch.float32)
    return tensor.to(device)


# Standardised inputs beyond this many standard deviations are clamped to it:
# their float32 products in a network stay finite (1e15 times a few hundred
# weights of order one, layer after layer, is far below float32's 3e38).
MAX_STANDARDISED_INPUT = 1e15
# Rows standardised at a time by standardise() on large X.
STANDARDISE_CHUNK = 65_536


def standardise(X, mean, scale, dtype=DTYPE, nan_to_zero=False):
    """``(X - mean) / scale`` of a device tensor, computed in its own precision
    (float64: the same numbers as numpy) and returned in ``dtype``.

    ``nan_to_zero`` imputes missing values by the mean (zero once standardised),
    as ``np.nan_to_num`` does.
    """
    # Tensors already on X's device (and of its dtype) are used as they are:
    # no host-to-device copy, which would wait for the work queued before it.
    # Arrays go through to_tensor: read-only ones (a model loaded with
    # joblib.load(..., mmap_mode='r')) are copied, as torch warns otherwise.
    mean, scale = (torch.as_tensor(v, dtype=X.dtype, device=X.device)
                   if isinstance(v, torch.Tensor) else to_tensor(v, X.device, X.dtype)
                   for v in (mean, scale))

    def rows(block):
        Z = X[block] - mean
        Z.div_(scale)                 # in place: the same numbers, one temporary
        Z = (Z.nan_to_num_(nan=0.0) if nan_to_zero else Z).to(dtype)
        # A value 1e300 from the training data is no number to a float32 network
        # (infinite, then NaN): it gets the largest one that keeps it finite.
        # (After the cast, which makes it infinite: half the bytes to clamp.)
        return Z.clamp_(-MAX_STANDARDISED_INPUT, MAX_STANDARDISED_INPUT)

    # Large X: a block of rows at a time into the result, so that no full
    # float64 temporary is held next to it (on 10^6 rows the gate's inputs'
    # temporaries were a large share of a fit's peak memory).
    return map_row_blocks(rows, len(X), STANDARDISE_CHUNK)


def map_row_blocks(function, n_rows, block, dim=0):
    """``function(rows)`` for consecutive slices of ``block`` rows, its tensors
    joined along ``dim`` (the rows' axis of its output); one call when
    ``n_rows <= block``.

    Each block's result is copied into one preallocated tensor as it comes:
    a list joined at the end held every block's output between the blocks'
    temporaries, and the heap did not shrink back (on 10^6 rows the fold
    gates' forward pass grew the process by 3x its output).
    """
    if n_rows <= block:
        return function(slice(0, n_rows))
    out = None
    for start in range(0, n_rows, block):
        part = function(slice(start, start + block))
        if out is None:
            shape = list(part.shape)
            shape[dim] = n_rows
            out = torch.empty(shape, dtype=part.dtype, device=part.device)
        out.narrow(dim, start, part.shape[dim]).copy_(part)
    return out


def _float32_default():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    return previous


# Torch's default dtype is process-wide: shared as the TF32 switch below is,
# so that fits overlapping in threads do not restore each other's.
_FLOAT32_DEFAULT = SharedProcessSetting(_float32_default, torch.set_default_dtype)


@contextlib.contextmanager
def torch_fit_mode():
    """Train torch networks inside the block whatever the caller's torch mode.

    Gradients on and inference mode off: a fit inside the caller's
    ``torch.no_grad()`` or ``torch.inference_mode()`` failed with torch's
    "element 0 of tensors does not require grad". And float32 as torch's
    default dtype: after ``torch.set_default_dtype(torch.float64)`` the
    networks were built in float64 and met float32 inputs ("mat1 and mat2
    must have the same dtype"), or trained another gate, silently. Also in the
    methods that build a network to be trained later (``MLPGate.init``).

    And the caller's ``torch.autocast`` off: it overrode the ``precision``
    of the torch networks (a ``TorchMLPRegressor`` with ``precision='float32'``
    trained in bfloat16 on the CPU), which turns it back on where it asks for
    ``'bf16'`` (:func:`matmul_precision`).

    A block in the public ``fit``, not a decorator: a wrapper's frame moved
    every warning's fixed ``stacklevel`` off the caller's line.
    """
    with torch.inference_mode(False), torch.enable_grad(), _FLOAT32_DEFAULT, \
            caller_autocast_off():
        yield


@contextlib.contextmanager
def caller_autocast_off():
    """The caller's ``torch.autocast`` off inside the block (fit, and the
    forward passes of predict).

    At predict, a caller's ``torch.autocast("cpu", dtype=torch.bfloat16)``
    ran float32 networks in bfloat16: a ``TorchMLPRegressor``'s predictions
    on ``diabetes`` moved by 1.5e-3 of their largest (0.43 in y's units), its
    classifier's probabilities by 2.7e-3 on ``wine``, a
    ``MultiGateMixtureOfExperts``' by 3.5e-3. Networks with
    ``precision='bf16'`` turn it back on (:func:`matmul_precision`).
    """
    with contextlib.ExitStack() as stack:
        for device_type in _AUTOCAST_DEVICES:
            if _autocast_on(device_type):
                stack.enter_context(torch.autocast(device_type, enabled=False))
        yield


# The device types whose autocast caller_autocast_off turns off where the caller has it on.
_AUTOCAST_DEVICES = ("cpu", "cuda", "mps")


def _autocast_on(device_type):
    try:
        return torch.is_autocast_enabled(device_type)
    except (TypeError, RuntimeError, ValueError):
        # Older torch took no device type (its answer is CUDA's autocast);
        # a type this build does not know has none on.
        return device_type == "cuda" and torch.is_autocast_enabled()


# Matmul precision of torch experts (the ``precision`` parameter).
PRECISIONS = ("float32", "tf32", "bf16")


def _tf32_on():
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = True
    return previous


def _tf32_restore(previous):
    torch.backends.cuda.matmul.allow_tf32 = previous


# The TF32 switch is process-wide: blocks of matmul_precision('tf32')
# overlapping in threads (a service's predictions) restored each other's saved
# values, and TF32 stayed on for every later float32 matmul of the process.
_TF32_ON = SharedProcessSetting(_tf32_on, _tf32_restore)


@contextlib.contextmanager
def matmul_precision(precision, device):
    """Run the block's matrix products in ``precision``.

    ``'float32'``: full float32, whatever the caller's ``torch.autocast``
    (:func:`caller_autocast_off`; so for ``'tf32'``). ``'tf32'``:
    float32 matmuls on CUDA tensor cores with TF32 inputs (10-bit mantissa,
    float32 accumulation; no effect on the CPU). ``'bf16'``: autocast to
    bfloat16 (CUDA or CPU), float32 accumulation; parameters and the
    optimiser stay float32. The previous settings are restored on exit.
    """
    if precision in (None, "float32") or (precision == "tf32" and device.type != "cuda"):
        with caller_autocast_off():
            yield
        return
    if precision == "tf32":
        with _TF32_ON, caller_autocast_off():
            yield
        return
    if precision == "bf16":
        # No weight-cast cache: a cached cast would outlive a CUDA graph capture.
        with torch.autocast(device.type, dtype=torch.bfloat16, cache_enabled=False):
            yield
        return
    raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}.")


def _negative_strides(array):
    # A reversed view (X[::-1], X[:, ::-1]): torch takes none, with "At least
    # one stride in the given numpy array is negative" (a torch MLP's fit and
    # an MLPGate's fit and predict failed so); it is copied.
    return any(stride < 0 for stride in array.strides)


def to_tensor(array, device, dtype=DTYPE):
    array = np.asarray(array)
    if _negative_strides(array):
        array = array.copy()
    if not array.flags.writeable:
        # A read-only array (y and the weights, as the experts get them) is
        # copied: torch warns that a tensor cannot share read-only memory.
        return torch.tensor(array, dtype=dtype, device=device)
    return torch.as_tensor(array, dtype=dtype, device=device)


def standardised_tensor(X, mean, scale, device, nan_to_zero=False, dtype=DTYPE):
    """``(X - mean) / scale`` of a numpy array as a tensor of ``dtype`` (float32
    by default) on ``device``, clamped at ``MAX_STANDARDISED_INPUT`` as
    :func:`standardise` does (``nan_to_zero``: missing values imputed by the
    mean, as there)."""
    Z = (X - mean) / scale
    if nan_to_zero:
        Z = np.nan_to_num(Z, copy=False, nan=0.0, posinf=np.inf, neginf=-np.inf)
    return to_tensor(np.clip(Z, -MAX_STANDARDISED_INPUT, MAX_STANDARDISED_INPUT), device,
                     dtype)


def to_numpy(tensor):
    return tensor.detach().to("cpu", torch.float64).numpy()
