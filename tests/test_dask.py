"""Fitting on a Dask cluster: joblib's dask backend, X sent to the workers once.

A two-process ``LocalCluster`` (one thread each) for the whole module. Its
Active Memory Manager is off, as docs/scaling.rst recommends: with it on, the
scheduler drops the broadcast copies of X between two parallel steps and a
worker fetches X again from its peer (never from the client).
"""

import gc
import os
import time
from contextlib import contextmanager, nullcontext

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
from distributed import Client, LocalCluster, WorkerPlugin  # noqa: E402
from joblib import parallel_config  # noqa: E402
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # noqa: E402

import skmoe._moe  # noqa: E402
from skmoe import (HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,  # noqa: E402
                   MixtureOfExpertsRegressor, MLPGate, compare)
from skmoe._cluster import scatter_once  # noqa: E402

N_FEATURES = 20  # X is then 20 times larger than y or any weight column


class _Arrivals(WorkerPlugin):
    """Records every key that reaches a worker from outside (scatter or a peer)."""

    name = "skmoe-arrivals"

    def setup(self, worker):
        self.worker = worker
        worker.skmoe_arrivals = []

    def transition(self, key, start, finish, **kwargs):
        if finish == "memory" and start != "executing":  # not computed here
            ts = self.worker.state.tasks.get(key)
            self.worker.skmoe_arrivals.append((key, getattr(ts, "nbytes", None)))


def _reset(dask_worker):
    dask_worker.skmoe_arrivals.clear()


def _arrived(dask_worker):
    return list(dask_worker.skmoe_arrivals)


@pytest.fixture(scope="module")
def client():
    with dask.config.set({"distributed.scheduler.active-memory-manager.start": False}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None, worker_dashboard_address=None)
    client = Client(cluster)
    client.register_plugin(_Arrivals())
    yield client
    client.close()
    cluster.close()


@contextmanager
def _copies_of(client, X, into):
    """Count, per worker, the arrivals of objects at least as large as X."""
    client.run(_reset)
    yield
    for worker, arrived in client.run(_arrived).items():
        into[worker] = sum(1 for _, nbytes in arrived if (nbytes or 0) >= X.nbytes)


class PidRidge(RegressorMixin, BaseEstimator):
    """Ridge that remembers the process that fitted it."""

    def fit(self, X, y, sample_weight=None):
        self.model_ = Ridge().fit(X, y, sample_weight=sample_weight)
        self.pid_ = os.getpid()
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _data(n=600, classification=False, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, N_FEATURES))
    signal = np.where(X[:, 0] > 0, 2 * X[:, 1], np.sin(3 * X[:, 2]))
    y = signal + 0.1 * rng.normal(size=n)
    return X, (y > np.median(y)).astype(int) if classification else y


GATE = MLPGate(hidden_layer_sizes=(8,), max_iter=40, warm_max_iter=5)


def _mixture(classification, training, **kw):
    if classification:
        experts = [("lr", LogisticRegression()),
                   ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
        cls = MixtureOfExpertsClassifier
    else:
        experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3,
                                                                      random_state=0))]
        cls = MixtureOfExpertsRegressor
    if training == "em":
        kw = {"max_iter": 4, **kw}
    return cls(experts=experts, training=training, gate=GATE, random_state=0, **kw)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("classification", [False, True], ids=["regressor", "classifier"])
@pytest.mark.parametrize("training", ["gradient", "em"])
def test_cluster_fit_matches_local_fit(client, classification, training):
    X, y = _data(classification=classification)
    local = _mixture(classification, training, n_jobs=1).fit(X, y)
    with parallel_config(backend="dask"):
        remote = _mixture(classification, training, n_jobs=-1).fit(X, y)
    method = "predict_proba" if classification else "predict"
    np.testing.assert_allclose(getattr(remote, method)(X), getattr(local, method)(X),
                               rtol=1e-10, atol=1e-12)
    assert remote.n_iter_ == local.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("training", ["gradient", "em"])
def test_expert_fits_run_on_the_workers(client, training):
    X, y = _data()
    worker_pids = set(client.run(os.getpid).values())
    moe = MixtureOfExpertsRegressor(experts=[("a", PidRidge()), ("b", PidRidge())],
                                    training=training, gate=GATE, random_state=0,
                                    n_jobs=-1, **({"max_iter": 3} if training == "em" else {}))
    with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
        moe.fit(X, y)
    # (A CrossFitAverage expert, the regressor's default: each of its fold fits.)
    pids = {fit.pid_ for expert in moe.experts_
            for fit in getattr(expert, "estimators_", [expert])}
    assert pids <= worker_pids and os.getpid() not in pids
    # Every fold fit (and EM's final fits) went through the scheduler; the
    # regressor's stacked gate predicts with its fold fits and refits nothing.
    names = " ".join(task["key"] if isinstance(task["key"], str) else str(task["key"])
                     for task in stream.data)
    assert "fit_predict" in names
    assert ("fit_on_rows" in names) == (training == "em")
    assert {task["worker"] for task in stream.data} <= set(client.scheduler_info()["workers"])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("training", ["gradient", "em"])
def test_X_reaches_each_worker_once(client, training, monkeypatch):
    X, y = _data(n=2000)
    moe = _mixture(False, training, n_jobs=-1, tol=0.0)
    copies = {}
    with _copies_of(client, X, copies), parallel_config(backend="dask"):
        moe.fit(X, y)
    assert all(count <= 1 for count in copies.values()), copies
    assert sum(copies.values()) >= 1  # X did travel: the count sees it
    # ... and was released at the end of the fit.
    # (The scheduler forgets released data asynchronously, and joblib's own
    # per-call futures go with its backend object, which a reference cycle
    # keeps until the garbage collector runs: give both a moment.)
    deadline = time.monotonic() + 10
    while (any(key.startswith("ndarray-") for key in client.who_has())
           and time.monotonic() < deadline):
        gc.collect()
        time.sleep(0.2)
    assert not any(key.startswith("ndarray-") for key in client.who_has()), list(client.who_has())
    if training == "em":
        assert moe.n_iter_ >= 3  # several M-steps, each a parallel call
        # Without scatter_once joblib scatters X again at every M-step: the
        # count above would fail.
        monkeypatch.setattr(skmoe._moe, "scatter_once", lambda *arrays: nullcontext())
        again = {}
        with _copies_of(client, X, again), parallel_config(backend="dask"):
            _mixture(False, training, n_jobs=-1, tol=0.0).fit(X, y)
        assert max(again.values()) > 1, again


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_em_restarts_run_on_the_cluster_with_X_sent_once(client):
    # n_init > 1: the restarts are the parallel tasks (each with sequential
    # M-steps on its worker); the fit is the local one, and X travels once.
    X, y = _data(n=2000, seed=2)
    local = _mixture(False, "em", n_jobs=1, n_init=2).fit(X, y)
    copies = {}
    with (_copies_of(client, X, copies), parallel_config(backend="dask"),
          distributed.get_task_stream(client) as stream):
        remote = _mixture(False, "em", n_jobs=-1, n_init=2).fit(X, y)
    np.testing.assert_allclose(remote.predict(X), local.predict(X), rtol=1e-10, atol=1e-12)
    # Up to rounding: the workers run one thread each, the parent all cores.
    assert remote.log_likelihood_ == pytest.approx(local.log_likelihood_, rel=1e-10)
    assert all(count <= 1 for count in copies.values()), copies
    assert any("_sequential_run" in str(task["key"]) for task in stream.data)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_hierarchical_mixture_sends_X_once(client):
    X, y = _data(n=2000, seed=1)
    local = HierarchicalMixtureRegressor(Ridge(), branching=(2, 2), max_iter=4, tol=0.0,
                                         random_state=0, n_jobs=1).fit(X, y)
    copies = {}
    with _copies_of(client, X, copies), parallel_config(backend="dask"):
        remote = HierarchicalMixtureRegressor(Ridge(), branching=(2, 2), max_iter=4, tol=0.0,
                                              random_state=0, n_jobs=-1).fit(X, y)
    np.testing.assert_allclose(remote.predict(X), local.predict(X), rtol=1e-10)
    assert all(count <= 1 for count in copies.values()), copies
    assert sum(copies.values()) >= 1


def test_compare_on_the_cluster(client):
    X, y = _data(n=900)
    estimators = {"mixture": _mixture(False, "gradient", n_jobs=-1, cv=3),
                  "tree": DecisionTreeRegressor(max_depth=4, random_state=0)}
    local = compare(estimators, X, y, cv=3, n_jobs=1)
    copies = {}
    with _copies_of(client, X, copies), parallel_config(backend="dask"):
        remote = compare(estimators, X, y, cv=3, n_jobs=-1)
    for name in estimators:
        np.testing.assert_allclose(remote.scores[name]["r2"], local.scores[name]["r2"],
                                   rtol=1e-10)
    # joblib's dask backend scatters X once for the whole compare() call.
    assert all(count <= 1 for count in copies.values()), copies
    assert sum(copies.values()) >= 1


def test_scatter_once_is_a_no_op_elsewhere():
    X = np.ones((10, 2))
    for backend in ("threading", "loky"):
        with parallel_config(backend=backend), scatter_once(X) as entered:
            assert entered is None
            from joblib.parallel import get_active_backend
            assert type(get_active_backend()[0]).__name__ != "DaskDistributedBackend"


def test_users_scattered_data_are_kept(client):
    X, y = _data()
    extra = np.arange(5000.0)
    with parallel_config(backend="dask", scatter=[extra]):
        from joblib.parallel import get_active_backend
        outer = get_active_backend()[0]
        with scatter_once(X, y):
            inner = get_active_backend()[0]
            assert inner is not outer
            assert set(inner.data_futures) == {id(extra), id(X), id(y)}
            assert inner.data_futures[id(extra)] is outer.data_futures[id(extra)]
        assert get_active_backend()[0] is outer



@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_each_fit_scatters_X_under_a_key_of_its_own(client):
    # Keys hashed from the data gave a second fit on the same X the key the
    # first fit was releasing: the scheduler could drop the new copies with
    # the old ones ("lost dependencies", or a hang) -- a flaky failure of
    # test_expert_fits_run_on_the_workers[em] in a full run.
    from joblib.parallel import get_active_backend
    X, y = _data()
    keys = []
    with parallel_config(backend="dask"):
        for _ in range(2):
            with scatter_once(X, y):
                futures = get_active_backend()[0].data_futures
                keys.append((futures[id(X)].key, futures[id(y)].key))
    assert keys[0][0] != keys[1][0] and keys[0][1] != keys[1][1]
    # Back to back on the same X, the fits still run (and agree).
    with parallel_config(backend="dask"):
        fits = [_mixture(False, "em", n_jobs=-1).fit(X, y) for _ in range(3)]
    for fit in fits[1:]:
        np.testing.assert_allclose(fit.predict(X), fits[0].predict(X), rtol=1e-10)
