"""Sample weights on CUDA: integer weights fit what their repeated rows fit,
and rows of weight 1e-9 fit nearly what rows of weight 0 fit.

The same identities are checked on the CPU in ``test_sweep_numbers_round25``
and ``test_sweep_numbers_round26``; here the device paths (the joint
trainer's ``device_standardisation``, the torch experts' and MMoE's scaling on
the GPU) repeat them, and skip without CUDA.
"""

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor, MultiGateMixtureOfExperts, TorchMLPRegressor

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def _data(n=90):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3)) * [1.0, 5.0, 0.2]
    y = X[:, 0] + np.abs(X[:, 1]) + 0.3 * rng.normal(size=n)
    return X, y, rng.randint(1, 4, size=n).astype(float)


def _fit(model, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, **fit_params)


# Full batches and no rows held out: nothing else is drawn, so the weighted
# rows and their copies train the same network up to float32 sums.
_MODELS = {
    "joint top-2 mixture": lambda: MixtureOfExpertsRegressor(
        [("line", LinearRegression()), ("origin", LinearRegression(fit_intercept=False)),
         ("tree", DecisionTreeRegressor(max_depth=2))],
        training="gradient", cv=None, top_k=2, max_epochs=20, batch_size=10000,
        validation_fraction=0.0, device="cuda", random_state=0),
    "torch regressor": lambda: TorchMLPRegressor(
        (8,), max_epochs=20, early_stopping=False, batch_size=1000, device="cuda",
        random_state=0),
    "mmoe regression": lambda: MultiGateMixtureOfExperts(
        max_iter=20, batch_size=1000, device="cuda", random_state=0),
}


@pytest.mark.parametrize("name", list(_MODELS))
def test_cuda_integer_weights_fit_what_their_repeated_rows_fit(name):
    X, y, weight = _data()
    rows = np.repeat(np.arange(len(X)), weight.astype(int))
    weighted = _fit(_MODELS[name](), X, y, sample_weight=weight).predict(X)
    repeated = _fit(_MODELS[name](), X[rows], y[rows]).predict(X)
    assert_allclose(np.ravel(weighted), np.ravel(repeated), rtol=0, atol=1e-4)


@pytest.mark.parametrize("name", list(_MODELS))
def test_cuda_rows_of_almost_no_weight_fit_nearly_what_rows_of_zero_weight_fit(name):
    X, y, weight = _data()
    X_far = np.vstack([X, X[:5] * 50])
    y_far = np.r_[y, np.full(5, 300.0)]
    tiny, zero = (
        _fit(_MODELS[name](), X_far, y_far, sample_weight=np.r_[weight, np.full(5, w)]).predict(X)
        for w in (1e-9, 0.0))
    assert_allclose(np.ravel(tiny), np.ravel(zero), rtol=0, atol=1e-3)
