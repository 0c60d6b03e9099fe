"""Where in a fit the process's resident memory peaks: a sampled timeline.

Fits one method of ``bench_scaling.py`` (e.g. ``moe_gradient/no_knn``) on
``make_friedman1`` while a thread samples the resident memory (``/proc``,
Linux) every ``--every`` seconds together with the function the fit is in,
and prints the highest samples with their call stacks and a coarse
timeline. Samples miss short spikes: ``bench_scaling.py``'s peak (the
kernel's high-water mark) is the figure to report; this says where it is::

    OMP_NUM_THREADS=1 python benchmarks/memory_timeline.py --method moe_gradient/no_knn \\
        --rows 1000000
"""

import argparse
import os
import sys
import threading
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# Frames of these files name the phase of the fit in the timeline.
PHASE_FILES = ("_blend.py", "_crossfit.py", "_candidates.py", "_problem.py", "_em.py")


def _resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="moe_gradient/no_knn")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--every", type=float, default=0.02, help="seconds between samples")
    parser.add_argument("--top", type=int, default=5, help="highest samples shown")
    args = parser.parse_args(argv)

    from sklearn.datasets import make_friedman1

    from bench_scaling import _build

    X, y = make_friedman1(n_samples=args.rows, n_features=20, noise=1.0, random_state=0)
    warnings.simplefilter("ignore")
    _build(args.method, 5).fit(X[:200], y[:200])      # one-off imports and allocations
    main_thread, samples, done = threading.get_ident(), [], threading.Event()

    def sample():
        while not done.is_set():
            stack = traceback.extract_stack(sys._current_frames().get(main_thread))
            samples.append((time.perf_counter(), _resident_mb(), stack[::-1]))
            time.sleep(args.every)

    before = _resident_mb()
    watcher = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    watcher.start()
    _build(args.method, 300).fit(X, y)
    done.set()
    watcher.join()
    data = (X.nbytes + y.nbytes) / 2**20

    def phase(stack):
        return " < ".join(f"{os.path.basename(f.filename)}:{f.name}:{f.lineno}" for f in stack
                          if os.path.basename(f.filename) in PHASE_FILES)[:160]

    print(f"{args.method}, {args.rows} rows: data {data:.0f} MB; highest samples "
          f"(growth over X and y):")
    for _, mb, stack in sorted(samples, key=lambda s: -s[1])[:args.top]:
        print(f"  {(mb - before) / data:.2f}x  " + " < ".join(
            f"{os.path.basename(f.filename)}:{f.name}:{f.lineno}" for f in stack[:12]))
    print("timeline (one line per change of phase):")
    last = None
    for t, mb, stack in samples:
        where = phase(stack)
        if where != last:
            print(f"  {t - start:7.1f} s  {(mb - before) / data:5.2f}x  {where}")
            last = where


if __name__ == "__main__":
    main()
