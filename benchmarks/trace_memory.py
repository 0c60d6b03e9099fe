"""Where a fit's memory goes: Python/numpy allocations (tracemalloc) vs the process.

Fits one method of ``bench_scaling.py`` (e.g. ``moe_gradient/no_knn``) on
``make_friedman1`` and prints the peak of the allocations ``tracemalloc``
sees (Python objects and numpy arrays) next to the growth of the process's
peak resident memory; the difference is native memory (torch tensors,
LightGBM's datasets, the allocator)::

    OMP_NUM_THREADS=1 python benchmarks/trace_memory.py --method moe_gradient/no_knn \\
        --rows 100000
"""

import argparse
import os
import resource
import sys
import tracemalloc
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="moe_gradient/no_knn")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=8, help="largest allocation sites shown")
    args = parser.parse_args(argv)

    from sklearn.datasets import make_friedman1

    from bench_scaling import _build

    X, y = make_friedman1(n_samples=args.rows, n_features=20, noise=1.0, random_state=0)
    warnings.simplefilter("ignore")
    _build(args.method, 5).fit(X[:100], y[:100])      # one-off imports and allocations
    model = _build(args.method, 300)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start(10)
    model.fit(X, y)
    _, traced_peak = tracemalloc.get_traced_memory()
    top = tracemalloc.take_snapshot().statistics("lineno")[:args.top]
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data = (X.nbytes + y.nbytes) / 2**20
    print(f"{args.method}, {args.rows} rows: data {data:.0f} MB; traced peak "
          f"{traced_peak / 2**20:.0f} MB ({traced_peak / 2**20 / data:.1f}x); peak RSS "
          f"growth {after - before:.0f} MB ({(after - before) / data:.1f}x)")
    for stat in top:
        print("   ", stat)


if __name__ == "__main__":
    main()
