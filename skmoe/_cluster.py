"""Fitting on a Dask cluster through joblib's ``dask`` backend: X sent once.

Every parallel step of a fit -- the experts on every fold, each EM M-step, the
final refit -- is one ``joblib.Parallel`` call whose tasks take X and y as
arguments. Under ``joblib.parallel_config(backend="dask")`` joblib scatters a
large argument to the cluster once per call (not once per task), but again at
every call, so EM sent X to the workers once per iteration.
:func:`scatter_once` scatters the training arrays to every worker once for
the whole fit: inside it, every call's tasks refer to the same copies.

Under any other backend (loky, threads, Ray, ...) it does nothing.
"""

import sys
from contextlib import contextmanager

from joblib import parallel_config
from joblib.parallel import get_active_backend


def _dask_backend():
    """The active joblib backend if it is joblib's dask backend, else None."""
    dask_module = sys.modules.get("joblib._dask")
    if dask_module is None:  # never imported: the dask backend cannot be active
        return None
    backend, _ = get_active_backend()
    if not isinstance(backend, dask_module.DaskDistributedBackend):
        return None
    # The attributes scatter_once reads (joblib >= 1.3); otherwise joblib's
    # per-call scatter is all there is.
    needed = ("client", "data_futures", "_scatter", "submit_kwargs",
              "wait_for_workers_timeout")
    return backend if all(hasattr(backend, name) for name in needed) else None


def _on_worker():
    """Whether this code runs inside a dask task (a nested fit)."""
    try:
        from distributed import get_worker
        get_worker()
    except (ImportError, ValueError):
        return False
    return True


def _register_sizes():
    """Let dask see the arrays inside skmoe's task arguments.

    joblib's dask backend scatters an argument (once per call) when dask's
    ``sizeof`` says it is large; an :class:`~skmoe._problem.EMProblem` holds X and
    y but looks small, and would be pickled into every task.
    """
    from dask.sizeof import sizeof

    from ._problem import EMProblem

    if EMProblem not in sizeof._lookup:
        sizeof.register(EMProblem)(lambda p: sizeof(p.X) + sizeof(p.y)
                                   + sizeof(p.sample_weight))


@contextmanager
def scatter_once(*arrays):
    """Under joblib's dask backend, send ``arrays`` to every worker once for the block.

    The arrays are broadcast when the block starts (joblib's own ``scatter``
    option, ``DaskDistributedBackend(scatter=...)``) and every task of every
    ``Parallel`` call inside the block that takes one of them (the same
    object) as an argument gets the worker's copy instead of a new transfer.
    They are released when the block ends. Outside the dask backend, and in a
    fit nested inside a dask task (its data are already on that worker), it
    does nothing.
    """
    backend = _dask_backend()
    if backend is None or _on_worker():
        yield
        return
    _register_sizes()
    new = [a for a in arrays if a is not None and id(a) not in backend.data_futures]
    if not new:
        yield
        return
    shared = type(backend)(client=backend.client, scatter=None,
                           wait_for_workers_timeout=backend.wait_for_workers_timeout,
                           **backend.submit_kwargs)
    # Scattered here, not by the backend's constructor, which hashes the
    # data into the key: a second fit on the same X then scattered under the
    # key the first fit was releasing, and the scheduler could drop the new
    # copies with the old ones ("lost dependencies", or a hang). Random keys,
    # as joblib's own per-call scatter uses (dask/distributed#3703).
    futures = backend.client.scatter(new, broadcast=True, hash=False)
    # Keep what the user scattered (parallel_config(backend="dask", scatter=[...])).
    shared._scatter = list(backend._scatter) + list(new)
    shared.data_futures = {**backend.data_futures,
                           **{id(a): future for a, future in zip(new, futures)}}
    try:
        with parallel_config(backend=shared):
            yield
    finally:
        # Release the copies now, not when the backend is garbage-collected
        # (joblib's Parallel and the backend reference each other).
        for a in new:
            shared.data_futures.pop(id(a), None)
        shared._scatter = [a for a in shared._scatter if all(a is not b for b in new)]
