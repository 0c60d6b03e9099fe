"""Where the default mixture's fit time goes on one split of a round-22 set,
against Stacking's (the sets where its fit took over twice Stacking's).

One fit of each on the round's first split (the same rows, seed and experts as
``bench_accuracy_unseen_round22.py``), the mixture's under ``cProfile``: its
total, the experts' own ``fit`` calls (the cross-fitting and the final refits),
and the skmoe functions with the largest cumulative time::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_fit_time_round22.py trump_tweets
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round22 as round22  # noqa: E402
from run_benchmarks import _splits, build_method  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=list(round22.SETS))
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    task, X, y = round22.load(args.set)
    train, _ = next(iter(_splits(task, X, y, 5, 0.25, 0)))
    for method in ("stacking", "caruana"):
        model = build_method(method, task, seed=0, lgbm_trees=300, n_jobs=1)
        start = time.perf_counter()
        model.fit(X[train], y[train])
        print(f"{method}: {time.perf_counter() - start:.1f} s", flush=True)
    model = build_method("moe", task, seed=0, lgbm_trees=300, n_jobs=1)
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.runcall(model.fit, X[train], y[train])
    print(f"moe: {time.perf_counter() - start:.1f} s (under cProfile)")
    print("candidate weights:", {k: round(float(v), 3)
                                 for k, v in (model.candidate_weights_ or {}).items()})
    stats = pstats.Stats(profile)
    # Each expert class's own fit (cross-fitting and refits), by its module.
    for (path, line, name), (cc, nc, tt, ct, callers) in sorted(
            stats.stats.items(), key=lambda kv: -kv[1][3]):
        if name == "fit" and any(k in path for k in ("lightgbm", "sklearn/linear_model/_log",
                                                     "sklearn/linear_model/_ridge",
                                                     "sklearn/tree", "sklearn/neighbors")):
            print(f"  expert fit {path.split('site-packages/')[-1]}:{line} calls {nc} "
                  f"cumulative {ct:.1f} s")
    print(f"skmoe functions by cumulative time (top {args.top}):")
    rows = [(ct, nc, path, line, name) for (path, line, name), (cc, nc, tt, ct, _)
            in stats.stats.items() if "/skmoe/" in path]
    for ct, nc, path, line, name in sorted(rows, reverse=True)[:args.top]:
        print(f"  {ct:7.1f} s  {nc:6d} calls  {path.split('/skmoe/')[-1]}:{line} {name}")
    print("all functions by own time (top 15):")
    rows = [(tt, nc, path, line, name) for (path, line, name), (cc, nc, tt, ct, _)
            in stats.stats.items()]
    for tt, nc, path, line, name in sorted(rows, reverse=True)[:15]:
        print(f"  {tt:7.1f} s  {nc:6d} calls  {path.split('site-packages/')[-1]}:{line} {name}")


if __name__ == "__main__":
    main()
