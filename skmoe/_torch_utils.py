"""Small torch helpers: device choice, seeding without touching global state."""

import contextlib

import numpy as np
import torch

DTYPE = torch.float32


def resolve_device(device):
    """Turn ``'auto'``/``'cpu'``/``'cuda[:i]'`` into a ``torch.device``.

    ``'auto'`` falls back to the CPU; an explicit CUDA device on a machine
    without CUDA is an error, not a silent fallback.
    """
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {device!r}.") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={str(device)!r} was requested but CUDA is not available on this "
            "machine; use device='auto' to fall back to the CPU."
        )
    return device


@contextlib.contextmanager
def seeded_torch(seed):
    """Seed torch inside the block only; the caller's RNG state is restored."""
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield


def standardisation(X):
    """Column means and scales that standardise ``X`` (NaN ignored).

    Constant, empty or all-NaN columns get scale one (and mean zero where the
    mean is undefined), so the standardised inputs are always finite.
    """
    if len(X) == 0:
        return np.zeros(X.shape[1]), np.ones(X.shape[1])
    mean, scale = np.nanmean(X, axis=0), np.nanstd(X, axis=0)
    return np.nan_to_num(mean), np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


def to_tensor(array, device, dtype=DTYPE):
    return torch.as_tensor(np.asarray(array), dtype=dtype, device=device)


def to_numpy(tensor):
    return tensor.detach().to("cpu", torch.float64).numpy()
