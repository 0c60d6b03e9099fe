"""EM's ``n_init`` restarts in parallel against parallel M-steps (issue "Scale").

``n_init=4`` EM fits on one split of a suite dataset, ``--repeats`` times
side by side: ``n_jobs=1``; ``n_jobs=2`` with the restarts one after another
and each M-step's expert fits in parallel (what ``n_jobs`` did before the
restarts ran in parallel; forced here by making the restart decision see one
job); ``n_jobs=2`` with the restarts in parallel (the default now). Prints
median fit times and the speed-up over ``n_jobs=1``.

Run (one thread per process; results in ``results/em_restarts.md``)::

    OMP_NUM_THREADS=1 python benchmarks/bench_em_restarts.py --datasets wage diabetes
"""

import argparse
import os
import statistics
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method, load  # noqa: E402

LABELS = ["n_jobs=1", "n_jobs=2, parallel M-steps", "n_jobs=2, parallel restarts"]


def run(name, repeats, n_init):
    import skmoe._em as em
    from joblib import effective_n_jobs
    task, X, y, _ = load(name, 20000)
    train, _ = next(iter(_splits(task, X, y, 5, 0.25, 0)))
    times = {label: [] for label in LABELS}
    try:
        for _ in range(repeats):
            for label in LABELS:
                em.effective_n_jobs = (lambda n: 1) if "M-steps" in label else effective_n_jobs
                model = build_method("moe_em", task, seed=0, lgbm_trees=300, n_jobs=1,
                                     moe_params={"n_init": n_init})
                model.set_params(n_jobs=1 if label == "n_jobs=1" else 2)
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
                times[label].append(time.perf_counter() - start)
    finally:
        em.effective_n_jobs = effective_n_jobs
    base = statistics.median(times[LABELS[0]])
    for label in LABELS:
        median = statistics.median(times[label])
        print(f"| {name} | {label} | {median:.2f} | {base / median:.2f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["wage", "diabetes"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-init", type=int, default=4)
    args = parser.parse_args()
    print("| dataset | EM with n_init=%d | median fit s | speed-up |" % args.n_init)
    print("|---|---|---|---|")
    for name in args.datasets:
        run(name, args.repeats, args.n_init)


if __name__ == "__main__":
    main()
