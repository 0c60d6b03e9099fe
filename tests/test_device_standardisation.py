"""The device path of the column standardisation (``device_standardisation``)
gives numpy's figures for constant columns, whatever the device's reductions.

torch's ``var_mean`` gives a constant column exactly zero variance on the CPU
and, as measured, on an H100 (torch 2.11); a reduction by plain sums leaves
its mean an ulp off and a spread of about 1e-17, which would pass as the
column's scale. The CPU test imitates such a reduction; the CUDA test runs the
real one and skips without a GPU.
"""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from skmoe._data import standardisation
from skmoe._torch_utils import device_standardisation

# Constants that are not sums of their own copies in float64 (40 rows of
# -0.132 sum to a mean 2.8e-17 away), and a huge one.
_CONSTANTS = [-0.132, 0.1, 1 / 3, 7e300]


def _columns(n=40):
    return np.column_stack([np.full(n, c) for c in _CONSTANTS] + [np.arange(n) / 7.0])


def _summed_var_mean(X, dim=0, correction=0):
    # A mean from a plain sum (not torch's Welford pass).
    mean = X.sum(dim=dim) / X.shape[dim]
    return ((X - mean) ** 2).sum(dim=dim) / (X.shape[dim] - correction), mean


def test_constant_columns_scale_one_whatever_the_device_sums(monkeypatch):
    X = _columns()
    monkeypatch.setattr(torch, "var_mean", _summed_var_mean)
    # (The imitation does leave a spread where numpy's figures have none.)
    assert _summed_var_mean(torch.as_tensor(X))[0][0] > 0
    mean, scale = device_standardisation(torch.as_tensor(X), X)
    assert_allclose(scale[:-1], 1.0, rtol=0)
    assert_allclose(mean[:-1], _CONSTANTS, rtol=0)
    # Standardised, a value 1 away from the constant is 1, not 1e16.
    assert abs((X[0, 0] + 1.0 - mean[0]) / scale[0]) == pytest.approx(1.0)
    expected = standardisation(X)
    assert_allclose(mean, expected[0], rtol=1e-15)
    assert_allclose(scale, expected[1], rtol=1e-12)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_constant_columns_scale_one_on_cuda():
    X = _columns(1000)
    mean, scale = device_standardisation(torch.as_tensor(X, device="cuda"), X)
    expected = standardisation(X)
    assert_allclose(scale[:-1], 1.0, rtol=0)
    assert_allclose(mean[:-1], _CONSTANTS, rtol=0)
    assert_allclose(scale, expected[1], rtol=1e-12)
