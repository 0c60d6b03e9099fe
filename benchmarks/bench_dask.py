"""EM M-step and out-of-fold predictions on a Dask cluster of 1, 2 and 4 workers.

Data: scikit-learn's ``make_friedman1`` with 20 features and unit noise,
``--rows`` rows (10^5 by default: X is 16 MB). Experts: Ridge, a depth-8
tree and LightGBM (``--lgbm-trees`` trees), one thread each.

Two steps, timed as the mixture runs them (``skmoe._crossfit.cross_fit`` in
one ``joblib.Parallel`` call, X and y scattered once by
``skmoe._cluster.scatter_once``):

* **M-step**: one EM M-step with ``cv=2`` (EM's default): every expert fitted
  on each of the two folds with per-row weights (random responsibilities),
  then predicting the held-out fold -- 3 x 2 = 6 fits;
* **out-of-fold**: the stacked gate's cross-fitting with ``cv=5`` (the
  gradient trainer's default) plus every expert refitted on all rows, in one
  pool -- 3 x 5 + 3 = 18 fits.

Baseline: the same calls with ``n_jobs=1`` in this process, no cluster. Then,
for each worker count, a fresh ``LocalCluster(n_workers=w,
threads_per_worker=1, processes=True)`` (Active Memory Manager off, as
docs/scaling.rst recommends), a warm-up, and ``--repeats`` timings of each
step under ``joblib.parallel_config(backend="dask")`` with ``n_jobs=-1``;
the table shows the fastest. It also counts, per worker, how many times an
object at least as large as X arrived there (scattered or fetched from a
peer) over all the repeats of a step: 1 means X was sent once.

Run (the committed results; see benchmarks/README.md)::

    python benchmarks/bench_dask.py --workers 1 2 4 --repeats 3 --out benchmarks/results/dask.md
"""

import argparse
import os
import platform
import sys
import time

import numpy as np
from joblib import Parallel, parallel_config
from lightgbm import LGBMRegressor
from sklearn.datasets import make_friedman1
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe._cluster import scatter_once
from skmoe._crossfit import cross_fit, expert_outputs, make_folds


def experts(lgbm_trees):
    return [("ridge", Ridge()),
            ("tree", DecisionTreeRegressor(max_depth=8, random_state=0)),
            ("lgbm", LGBMRegressor(n_estimators=lgbm_trees, n_jobs=1, verbose=-1,
                                   random_state=0))]


def steps(X, y, pool):
    """name -> (folds, weights, refit): the two cross-fits the benchmark times."""
    rng = np.random.RandomState(0)
    responsibilities = rng.dirichlet(np.ones(len(pool)), size=len(y))
    return {"M-step (cv=2)": (make_folds(2, X, y, seed=0), responsibilities, False),
            "out-of-fold + refit (cv=5)": (make_folds(5, X, y, seed=0), None, True)}


def run_step(parallel, pool, X, y, folds, weights, refit):
    names, templates = zip(*pool)
    start = time.perf_counter()
    cross_fit(parallel, list(names), list(templates), X, y, folds, expert_outputs,
              weights=weights, seeds=list(range(len(pool))), refit=refit)
    return time.perf_counter() - start


def _arrivals_plugin():
    from distributed import WorkerPlugin

    class Arrivals(WorkerPlugin):
        name = "bench-arrivals"

        def setup(self, worker):
            self.worker = worker
            worker.bench_arrivals = []

        def transition(self, key, start, finish, **kwargs):
            if finish == "memory" and start != "executing":
                ts = self.worker.state.tasks.get(key)
                self.worker.bench_arrivals.append(getattr(ts, "nbytes", 0) or 0)

    return Arrivals()


def _reset(dask_worker):
    dask_worker.bench_arrivals.clear()


def _large(dask_worker, nbytes):
    return sum(1 for b in dask_worker.bench_arrivals if b >= nbytes)


def on_cluster(n_workers, X, y, pool, plan, repeats):
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.active-memory-manager.start": False}):
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, worker_dashboard_address=None)
    client = Client(cluster)
    try:
        client.register_plugin(_arrivals_plugin())
        client.run(lambda: __import__("skmoe._crossfit") and None)
        out = {}
        with parallel_config(backend="dask"):
            # Warm-up: one small call, so worker start-up is not timed.
            small = slice(0, 2000)
            run_step(Parallel(n_jobs=-1), pool, X[small], y[small],
                     make_folds(2, X[small], y[small], seed=0), None, False)
            for name, (folds, weights, refit) in plan.items():
                client.run(_reset)
                times = []
                with scatter_once(X, y):
                    for _ in range(repeats):
                        times.append(run_step(Parallel(n_jobs=-1), pool, X, y, folds,
                                              weights, refit))
                copies = client.run(_large, nbytes=X.nbytes)
                out[name] = (min(times), times, max(copies.values()))
        return out
    finally:
        client.close()
        cluster.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lgbm-trees", type=int, default=100)
    parser.add_argument("--out", default=None, help="markdown file to write")
    args = parser.parse_args(argv)

    X, y = make_friedman1(n_samples=args.rows, n_features=20, noise=1.0, random_state=0)
    pool = experts(args.lgbm_trees)
    plan = steps(X, y, pool)
    load_before = os.getloadavg()

    results = {}
    local = {}
    for name, (folds, weights, refit) in plan.items():
        times = [run_step(Parallel(n_jobs=1), pool, X, y, folds, weights, refit)
                 for _ in range(args.repeats)]
        local[name] = (min(times), times)
        print(f"local n_jobs=1  {name}: {min(times):.2f} s  {times}", flush=True)
    for w in args.workers:
        results[w] = on_cluster(w, X, y, pool, plan, args.repeats)
        for name, (best, times, copies) in results[w].items():
            print(f"{w} worker(s)     {name}: {best:.2f} s  {times}  X copies/worker "
                  f"<= {copies}", flush=True)
    load_after = os.getloadavg()

    lines = [
        "# Dask backend: M-step and out-of-fold speed-up",
        "",
        f"`{' '.join(['python', 'benchmarks/bench_dask.py', *(argv or sys.argv[1:])])}`",
        "",
        f"{args.rows:,} rows x 20 features (X = {X.nbytes / 2**20:.0f} MiB); experts Ridge, "
        f"depth-8 tree, LightGBM {args.lgbm_trees} trees (one thread each). "
        f"Fastest of {args.repeats} repeats. Machine: {os.cpu_count()} CPU cores, "
        f"{platform.python_implementation()} {platform.python_version()}; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        "(shared machine).",
        "",
        "| setting | " + " | ".join(f"{n} (s)" for n in plan) + " | speed-up | "
        "X copies per worker |",
        "|---|" + "---|" * len(plan) + "---|---|",
    ]
    base = [local[n][0] for n in plan]
    lines.append("| local, n_jobs=1 | " + " | ".join(f"{t:.2f}" for t in base)
                 + " | 1.00x / 1.00x | - |")
    for w, res in results.items():
        cells = [res[n][0] for n in plan]
        speed = " / ".join(f"{b / c:.2f}x" for b, c in zip(base, cells))
        copies = max(res[n][2] for n in plan)
        lines.append(f"| dask, {w} worker{'s' if w > 1 else ''} x 1 thread | "
                     + " | ".join(f"{t:.2f}" for t in cells) + f" | {speed} | {copies} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return local, results


if __name__ == "__main__":
    main()
