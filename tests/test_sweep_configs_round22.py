"""Defects found by the configuration sweep, round 22 (determinism of every
public estimator across fits, processes, ``n_jobs`` and joblib backends, and
torch's thread count; whether round 21's lock on torch's seeded generator can
deadlock; whether ``torch_fit_mode`` gives the caller's torch modes back).

Found: a process forked while another thread was in a seeded block (a torch
MLP with dropout trains in one) inherited the lock held by a thread it does
not have, and its first seeded block waited for ever. ``MLPGate.init`` (and
``add_noise``) built the network in the caller's torch modes, which round 21
kept away from ``fit``.
"""

import multiprocessing
import threading
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge

from skmoe import (EnsembleRegressor, HierarchicalMixtureRegressor, MixtureOfExpertsRegressor,
                   MLPGate, MultiGateMixtureOfExperts, TorchMLPRegressor)
from skmoe._torch_utils import seeded_torch


def _data(n=80):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + (X[:, 1] > 0) + 0.1 * rng.normal(size=n)


def _fit_with_dropout():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # (not converged in 3 epochs)
        TorchMLPRegressor((4,), dropout=0.2, max_epochs=3, random_state=0).fit(X, y)


def _forked(target, holding):
    """Exit code of ``target`` run in a process forked while another thread is
    inside ``holding()`` (None where it was still running after 30 s)."""
    entered, leave = threading.Event(), threading.Event()

    def hold():
        with holding():
            entered.set()
            leave.wait(120)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert entered.wait(30)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # (3.12: fork with threads)
            child = multiprocessing.get_context("fork").Process(target=target)
            child.start()
        child.join(30)
        if child.is_alive():
            child.kill()
            child.join()
            return None
        return child.exitcode
    finally:
        leave.set()
        holder.join()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="no fork on this platform")
def test_a_fit_in_a_process_forked_while_a_thread_trains_does_not_hang():
    # A torch MLP with dropout trains in a seeded block, which holds the lock
    # of round 21 for the whole training. A process forked meanwhile (a
    # multiprocessing 'fork' pool started while a thread fits) copied the
    # lock held by a thread it does not have: its first fit with dropout
    # waited for ever. (Here the other thread holds the lock for the whole
    # test, so that the fork meets it held every time.)
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        # (Seen on an H100 after other tests trained on the GPU: torch refuses
        # autograd in a process forked after its parent ran autograd on CUDA,
        # "Unable to handle autograd's threading in combination with
        # fork-based multiprocessing"; no library can fit there.)
        pytest.skip("this process initialised CUDA: torch refuses autograd in its forks")
    exitcode = _forked(_fit_with_dropout, lambda: seeded_torch(0))
    assert exitcode is not None, "the fit in the forked process waited for the lock for 30 s"
    assert exitcode == 0


def test_a_process_forked_after_cuda_was_initialised_fits_on_the_cpu(monkeypatch):
    # A process forked after its parent initialised CUDA cannot use it
    # ("Cannot re-initialize CUDA in forked subprocess"): the fork test above
    # failed so on a GPU machine, since seeded_torch saved every CUDA
    # generator and device='auto' chose the GPU. Here torch is told it is
    # such a process, on any machine; touching CUDA raises as it would there.
    from skmoe._torch_utils import resolve_device

    def refused(*args, **kwargs):
        raise RuntimeError("Cannot re-initialize CUDA in forked subprocess.")

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "_is_in_bad_fork", lambda: True, raising=False)
    monkeypatch.setattr(torch.cuda, "device_count", refused)
    monkeypatch.setattr(torch.cuda, "get_rng_state", refused)
    assert resolve_device("auto") == torch.device("cpu")
    with seeded_torch(0):
        first = torch.rand(3)
    with seeded_torch(0):
        assert torch.equal(torch.rand(3), first)


def _simulate_bad_fork(monkeypatch):
    """Make torch believe this is a process forked after CUDA was initialised:
    CUDA present, unusable, and every question to it fails as it does there
    (torch 2.8+ asks through torch.accelerator, earlier ones through torch.cuda)."""
    def refused(*args, **kwargs):
        raise RuntimeError("CUDA error: initialization error")

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "_is_in_bad_fork", lambda: True, raising=False)
    monkeypatch.setattr(torch.cuda, "is_current_stream_capturing", refused)
    if hasattr(torch, "accelerator"):
        monkeypatch.setattr(torch.accelerator, "is_available", lambda: True)
        monkeypatch.setattr(torch.accelerator, "current_accelerator",
                            lambda *args, **kwargs: torch.device("cuda"))
        monkeypatch.setattr(torch.accelerator, "current_stream", refused, raising=False)


@pytest.mark.parametrize("make", [
    lambda: TorchMLPRegressor((4,), dropout=0.2, max_epochs=3, random_state=0),
    lambda: MixtureOfExpertsRegressor(
        [("mlp", TorchMLPRegressor((4,), max_epochs=3, random_state=1)), ("ridge", Ridge())],
        training="gradient", max_epochs=3, random_state=0),
    lambda: MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("mlp", TorchMLPRegressor((4,), max_epochs=3, random_state=1))],
        gate=MLPGate(solver="adam", max_iter=3), training="em", max_iter=2, random_state=0),
    lambda: MultiGateMixtureOfExperts(max_iter=3, random_state=0),
], ids=["torch-mlp", "gradient-joint", "em-adam-gate", "mmoe"])
def test_a_cpu_fit_in_a_process_forked_after_cuda_was_initialised_steps_its_optimiser(
        monkeypatch, make):
    # On an H100, the forked fit of the test above failed in Adam's step:
    # every torch optimiser asks CUDA whether a graph is being captured, and a
    # process forked after CUDA was initialised cannot initialise it ("CUDA
    # error: initialization error"), though the fit ran on the CPU.
    _simulate_bad_fork(monkeypatch)
    parameter = torch.zeros(2, requires_grad=True)
    parameter.sum().backward()
    with pytest.raises(RuntimeError, match="initialization error"):
        torch.optim.Adam([parameter]).step()          # (what torch itself does there)
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")               # (not converged in 3 epochs)
        model = make()
        Y = np.column_stack([y, -y]) if isinstance(model, MultiGateMixtureOfExperts) else y
        assert np.all(np.isfinite(model.fit(X, Y).predict(X)))


def _nested_mixture():
    inner = MixtureOfExpertsRegressor(
        [("mlp", TorchMLPRegressor((4,), dropout=0.2, random_state=1)), ("ridge", Ridge())],
        training="gradient", max_epochs=3, random_state=2)
    hme = HierarchicalMixtureRegressor(
        [("mlp", TorchMLPRegressor((4,), dropout=0.2, max_epochs=3, random_state=3)),
         ("ridge", Ridge())], branching=2, max_iter=2, n_jobs=2, random_state=4)
    return EnsembleRegressor(
        [("inner", inner), ("hme", hme),
         ("mlp", TorchMLPRegressor((4,), dropout=0.2, max_epochs=3, random_state=5))],
        n_jobs=2, random_state=0)


def test_nested_torch_fits_in_threads_neither_deadlock_nor_differ():
    # The riskiest nesting for the lock of round 21 (a thread in a seeded
    # block waiting for threads that need it): an ensemble fitting, in
    # threads, a gradient mixture and a hierarchical mixture that fits its
    # own torch experts in threads, beside a torch MLP, all with dropout.
    # No seeded block waits for other threads (it holds the building and
    # training of networks only): no deadlock in 2 fits, and the same
    # predictions as the sequential fit.
    X, y = _data()
    with warnings.catch_warnings(), joblib.parallel_config(backend="sequential"):
        warnings.simplefilter("ignore")
        expected = _nested_mixture().fit(X, y).predict(X)
    results, errors = [], []

    def fit():
        try:
            with warnings.catch_warnings(), joblib.parallel_config(backend="threading"):
                warnings.simplefilter("ignore")
                results.append(_nested_mixture().fit(X, y).predict(X))
        except Exception as exc:  # (reported below, not lost in the thread)
            errors.append(exc)

    for _ in range(2):
        thread = threading.Thread(target=fit, daemon=True)
        thread.start()
        thread.join(60)
        assert not thread.is_alive(), "the nested fit in threads did not end in 60 s"
    assert not errors, errors
    for result in results:
        np.testing.assert_array_equal(result, expected)


def _modes():
    return (torch.is_grad_enabled(), torch.is_inference_mode_enabled(),
            torch.get_default_dtype())


@pytest.mark.parametrize("mode", ["no_grad", "inference_mode", "float64"])
def test_a_fit_that_raises_in_training_gives_the_callers_torch_modes_back(mode):
    # A network diverging in training raises from inside torch_fit_mode: the
    # caller's grad mode, inference mode and default dtype are back after it.
    X, y = _data()
    context = {"no_grad": torch.no_grad, "inference_mode": torch.inference_mode}.get(
        mode, torch.enable_grad)()
    if mode == "float64":
        torch.set_default_dtype(torch.float64)
    try:
        with context:
            before = _modes()
            with pytest.raises(ValueError, match="diverged"):
                TorchMLPRegressor((4,), learning_rate=1e30, max_epochs=50,
                                  random_state=0).fit(X, y * 1e20)
            assert _modes() == before
    finally:
        torch.set_default_dtype(torch.float32)


class _RecordsTorchModes(Ridge):
    """A Ridge that records torch's default dtype and grad mode at each fit."""

    seen = []

    def fit(self, X, y, sample_weight=None):
        type(self).seen.append((torch.get_default_dtype(), torch.is_grad_enabled()))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("backend", ["sequential", "threading"])
def test_nested_fits_give_the_callers_torch_modes_back_once(backend):
    # A mixture whose experts are torch MLPs and a mixture of them: the inner
    # fits do not put the caller's float64 default back while the outer one
    # still trains (every expert fitted after them still sees float32), and
    # the outer fit puts it back at its end.
    X, y = _data()
    _RecordsTorchModes.seen = []
    inner = MixtureOfExpertsRegressor(
        [("mlp", TorchMLPRegressor((4,), max_epochs=3)), ("rec", _RecordsTorchModes())],
        max_epochs=3, random_state=0)
    outer = MixtureOfExpertsRegressor(
        [("mlp", TorchMLPRegressor((4,), max_epochs=3)), ("rec", _RecordsTorchModes()),
         ("inner", inner)], training="em", max_iter=2, n_jobs=2, random_state=0)
    torch.set_default_dtype(torch.float64)
    try:
        with torch.no_grad(), warnings.catch_warnings(), joblib.parallel_config(backend=backend):
            warnings.simplefilter("ignore")
            outer.fit(X, y)
            assert _modes() == (False, False, torch.float64)
    finally:
        torch.set_default_dtype(torch.float32)
    assert len(_RecordsTorchModes.seen) > 4
    assert set(_RecordsTorchModes.seen) == {(torch.float32, True)}


@pytest.mark.parametrize("mode", ["inference_mode", "float64"])
def test_a_gate_built_in_the_callers_torch_modes_is_the_one_built_without(mode):
    # MLPGate.init and add_noise build the network a warm-started fit
    # trains. Inside the caller's torch.inference_mode() its weights were
    # inference tensors, and the fit failed ("Inplace update to inference
    # tensor outside InferenceMode is not allowed"); after
    # torch.set_default_dtype(torch.float64) the initial weights were drawn
    # in float64, other numbers from the same seed (initial logits 1.07
    # apart, a warm-started fit's probabilities 0.10).
    X, _ = _data(60)
    targets = np.random.RandomState(1).dirichlet([1, 1, 1], size=len(X))

    def built():
        gate = MLPGate(max_iter=5).init(X, 3, 0)
        gate.add_noise()
        return gate

    expected = built()
    if mode == "float64":
        torch.set_default_dtype(torch.float64)
    try:
        with torch.inference_mode() if mode == "inference_mode" else torch.enable_grad():
            gate = built()
            assert torch.is_inference_mode_enabled() == (mode == "inference_mode")
        assert torch.get_default_dtype() == (torch.float64 if mode == "float64"
                                             else torch.float32)
    finally:
        torch.set_default_dtype(torch.float32)
    for mine, theirs in ((gate.module_, expected.module_),
                         (gate.noise_module_, expected.noise_module_)):
        for p, q in zip(mine.parameters(), theirs.parameters()):
            assert not p.is_inference()
            torch.testing.assert_close(p, q, rtol=0, atol=0)
    gate.fit(X, targets, warm_start=True)
    expected.fit(X, targets, warm_start=True)
    np.testing.assert_array_equal(gate.predict_proba(X), expected.predict_proba(X))
