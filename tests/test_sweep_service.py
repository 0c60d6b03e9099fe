"""Sweep of fitted models in service: predictions from several threads at
once, prediction inputs, and reuse of a fitted instance.

Each test fails without the fix it names.
"""

import threading
import warnings
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge

from skmoe import MixtureOfExpertsRegressor

pd = pytest.importorskip("pandas")


class _Rendezvous:
    """Makes two predictions overlap in a set order inside one expert's predict.

    The first thread to reach the expert waits there for the second, then
    returns; the second waits until the first thread's whole prediction has
    finished. Later calls (the same prediction calls the expert again) pass.
    """

    def __init__(self):
        self.active = False
        self.arrivals = 0
        self.lock = threading.Lock()
        self.both_in = threading.Barrier(2, timeout=10)
        self.first_done = threading.Event()

    def meet(self):
        with self.lock:
            if not self.active or self.arrivals == 2:
                return
            self.arrivals += 1
            second = self.arrivals == 2
        self.both_in.wait()
        if second:
            self.first_done.wait(timeout=10)


_RENDEZVOUS = _Rendezvous()


class _MeetingRidge(Ridge):
    def predict(self, X):
        _RENDEZVOUS.meet()
        return super().predict(X)


def test_predictions_in_threads_leave_the_warning_filters_as_they_were():
    # Each call of an expert (and of the gate's transformer) hid the repeated
    # feature-names warnings inside warnings.catch_warnings, which saves the
    # process-wide filter list on entry and puts it back on exit. Two
    # predictions overlapping in threads (a web service) restored each
    # other's lists: one entered with the other's filters in place and put
    # them back last, so two "ignore" filters stayed for good and
    # scikit-learn's "X does not have valid feature names" warning was gone
    # for the rest of the process, for every estimator.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=40)
    model = MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("meeting", _MeetingRidge(alpha=10.0))],
        max_epochs=5, random_state=0).fit(X, y)
    expected = model.predict(X)
    before = list(warnings.filters)
    _RENDEZVOUS.__init__()
    _RENDEZVOUS.active = True
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(model.predict, X) for _ in range(2)]
            wait(futures, timeout=20, return_when=FIRST_COMPLETED)
            _RENDEZVOUS.first_done.set()
            results = [future.result(timeout=20) for future in futures]
    finally:
        _RENDEZVOUS.active = False
    assert warnings.filters == before
    for result in results:
        np.testing.assert_array_equal(result, expected)
    # scikit-learn's own warning still reaches the user afterwards.
    names = LinearRegression().fit(pd.DataFrame(X, columns=list("abc")), y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        names.predict(X)
    assert any("X does not have valid feature names" in str(w.message) for w in caught)


def test_tf32_blocks_overlapping_in_threads_restore_the_switch():
    # matmul_precision('tf32') (a torch expert with precision='tf32' on CUDA,
    # at fit and at prediction) saved torch's process-wide TF32 switch on
    # entry and put it back on exit: of two predictions overlapping in
    # threads, the first out turned TF32 off under the second, and the
    # second put back the True it had found, so TF32 stayed on for every
    # later float32 matmul of the process. The switch is only read and set
    # here, so a device that says "cuda" tests it on any machine.
    from types import SimpleNamespace

    import torch

    from skmoe._torch_utils import matmul_precision

    cuda = SimpleNamespace(type="cuda")
    switch = torch.backends.cuda.matmul
    original = switch.allow_tf32
    switch.allow_tf32 = False
    both_in, first_out = threading.Barrier(2, timeout=10), threading.Event()
    seen = {}

    def first():
        with matmul_precision("tf32", cuda):
            both_in.wait()
        first_out.set()

    def second():
        with matmul_precision("tf32", cuda):
            both_in.wait()
            first_out.wait(timeout=10)
            seen["inside"] = switch.allow_tf32

    try:
        with ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(first), pool.submit(second)]:
                future.result(timeout=20)
        assert seen["inside"] is True          # still TF32 for the block still running
        assert switch.allow_tf32 is False      # and off again once both are out
    finally:
        switch.allow_tf32 = original
