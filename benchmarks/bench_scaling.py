"""Fit time and peak memory against the number of rows: the mixture vs Stacking.

Data: scikit-learn's ``make_friedman1`` with 20 features (5 used) and unit
noise, ``n`` rows. Methods: ``MixtureOfExpertsRegressor`` with
``training="gradient"`` (the default) and with ``training="em"``, and
``StackingRegressor(cv=5)``, on the
expert pool of ``run_benchmarks.py`` (Ridge, depth-8 tree, LightGBM 300
trees, 15-NN), one thread each.

Each fit runs in a fresh child process (after a warm-up fit on 100 rows, so
one-off imports are not counted), which reports its fit time and its
peak resident memory (``ru_maxrss``: the high-water mark of the whole process,
data and imports included, so it is what a machine must hold). A fit that
outlasts ``--timeout`` is recorded as such and the larger sizes of that
method are skipped. Results are written after every fit.

Run (the documented command; see benchmarks/README.md)::

    python benchmarks/bench_scaling.py --sizes 1000 10000 100000 300000 1000000 --timeout 600

``--report-only --merge OTHER.json`` folds measurements made in another run
into ``--out`` and re-draws the tables and the plot.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# Where the experts' own work happens, by (file suffix, function): the rest
# of a fit is the method's own overhead (folds, gate, heads, copies).
EXPERT_WORK = {
    ("skmoe/_base.py", "fit_expert"),                  # every expert fit of a mixture
    ("skmoe/_likelihood.py", "regression_outputs"),    # every expert prediction
    ("skmoe/_likelihood.py", "classification_outputs"),
    ("sklearn/ensemble/_base.py", "_fit_single_estimator"),   # stacking's refits
    ("sklearn/model_selection/_validation.py", "_fit_and_predict"),  # its out-of-fold fits
}


def profiled_fit(model, X, y):
    """``model.fit(X, y)`` under ``cProfile``: its seconds and the profile."""
    import cProfile

    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    model.fit(X, y)
    profile.disable()
    return time.perf_counter() - start, profile


def _build(method, lgbm_trees):
    """``METHOD`` or ``METHOD/no_knn`` (the pool without the 15-NN expert)."""
    from run_benchmarks import build_method
    name, _, pool = method.partition("/")
    model = build_method(name, "regression", seed=0, lgbm_trees=lgbm_trees, n_jobs=1)
    if pool == "no_knn":
        key = "estimators" if hasattr(model, "estimators") else "experts"
        model.set_params(**{key: [e for e in getattr(model, key) if e[0] != "knn"]})
    elif pool:
        raise ValueError(f"unknown pool {pool!r}")
    return model


def _expert_seconds(profile):
    """Cumulative seconds in the experts' fits and predictions (outermost calls)."""
    import pstats
    stats = pstats.Stats(profile).stats
    total = 0.0
    for (filename, _, function), (_, _, _, cumulative, _) in stats.items():
        if any(filename.endswith(suffix) and function == name for suffix, name in EXPERT_WORK):
            total += cumulative
    return total


def child(method, n_rows, n_features, lgbm_trees):
    """Fit one method on n_rows rows in this process; print one JSON line.

    The fit runs under ``cProfile`` to split its time into the experts' own
    fits and predictions and the rest (the method's overhead); the profiler
    slows Python-heavy code more than the experts' compiled code, so the
    overhead share is an upper bound.
    """
    import warnings

    import torch
    from sklearn.datasets import make_friedman1
    from threadpoolctl import threadpool_limits

    sys.path.insert(0, HERE)

    torch.set_num_threads(1)
    X, y = make_friedman1(n_samples=n_rows, n_features=n_features, noise=1.0, random_state=0)
    model = _build(method, lgbm_trees)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Warm-up on 100 rows: one-off lazy imports (torch.optim pulls in
        # torch._dynamo, ~1 s) are a per-process cost, not a per-row one.
        _build(method, 5).fit(X[:100], y[:100])
        before = _peak_rss_mb()
        fit_s, profile = profiled_fit(model, X, y)
    experts_s = _expert_seconds(profile)
    print(json.dumps({"method": method, "n_rows": n_rows, "fit_s": fit_s,
                      "experts_s": experts_s, "overhead_share": 1 - experts_s / fit_s,
                      "peak_rss_mb": _peak_rss_mb(), "rss_before_fit_mb": before,
                      "data_mb": (X.nbytes + y.nbytes) / 2**20}))


def measure(method, n_rows, *, n_features, lgbm_trees, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", method, str(n_rows),
           "--n-features", str(n_features), "--lgbm-trees", str(lgbm_trees)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]))
    start = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env) as child_process:
        try:
            stdout, stderr = child_process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # The peak memory reached so far is a lower bound on the fit's.
            peak = _vm_hwm_mb(child_process.pid)
            child_process.kill()
            child_process.communicate()
            rec = {"method": method, "n_rows": n_rows, "timeout_s": timeout}
            return rec if peak is None else {**rec, "peak_rss_so_far_mb": peak}
    if child_process.returncode != 0:
        return {"method": method, "n_rows": n_rows, "error": stderr.strip()[-500:],
                "wall_s": time.perf_counter() - start}
    return json.loads(stdout.strip().splitlines()[-1])


def _vm_hwm_mb(pid):
    """Peak resident memory of a running process (Linux), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def plot(records, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_time, ax_mem) = plt.subplots(1, 2, figsize=(10, 4))
    labels = {"moe": "MixtureOfExpertsRegressor (default)", "stacking": "StackingRegressor(cv=5)",
              "moe_gradient": "MixtureOfExpertsRegressor(training='gradient', the default)",
              "moe_em": "MixtureOfExpertsRegressor(training='em')"}
    for method in sorted({r["method"] for r in records}):
        done = sorted((r for r in records if r["method"] == method and "fit_s" in r),
                      key=lambda r: r["n_rows"])
        if not done:
            continue
        n = [r["n_rows"] for r in done]
        ax_time.plot(n, [r["fit_s"] for r in done], "o-", label=labels.get(method, method))
        lines = ax_mem.plot(n, [r["peak_rss_mb"] / 1024 for r in done], "o-",
                            label=labels.get(method, method))
        # A fit that timed out: an 'x' at the time limit (a lower bound on its
        # fit time) and at the peak memory it had reached.
        late = [r for r in records if r["method"] == method and "timeout_s" in r]
        for r in late:
            color = lines[0].get_color()
            ax_time.plot([r["n_rows"]], [r["timeout_s"]], "x", color=color, markersize=9)
            if "peak_rss_so_far_mb" in r:
                ax_mem.plot([r["n_rows"]], [r["peak_rss_so_far_mb"] / 1024], "x",
                            color=color, markersize=9)
    ax_time.set(xscale="log", yscale="log", xlabel="rows (20 features)", ylabel="fit time (s)",
                title="Fit time, 1 thread (x: timed out)")
    ax_mem.set(xscale="log", yscale="log", xlabel="rows (20 features)",
               ylabel="peak memory (GiB)", title="Peak resident memory of the process")
    for ax in (ax_time, ax_mem):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=110)


def table(records, fmt):
    """Scaling results as a markdown ('md') or rst ('rst') table."""
    header = ["rows", "method", "fit time (s)", "own overhead", "peak memory (GiB)",
              "peak / X", "note"]
    rows = []
    for r in sorted(records, key=lambda r: (r["n_rows"], r["method"])):
        note = r.get("skipped") or ("error" if "error" in r else "")
        if "timeout_s" in r:
            note = f"timed out after {r['timeout_s']:.0f} s"
            if "peak_rss_so_far_mb" in r:
                note += f" (peak memory by then {r['peak_rss_so_far_mb'] / 1024:.2f} GiB)"
        growth = (f"{(r['peak_rss_mb'] - r['rss_before_fit_mb']) / r['data_mb']:.1f}x"
                  if "rss_before_fit_mb" in r and r.get("data_mb") else "-")
        rows.append([f"{r['n_rows']:,}", r["method"],
                     f"{r['fit_s']:.1f}" if "fit_s" in r else "-",
                     f"{100 * r['overhead_share']:.0f} %" if "overhead_share" in r else "-",
                     f"{r['peak_rss_mb'] / 1024:.2f}" if "peak_rss_mb" in r else "-",
                     growth, note])
    if fmt == "md":
        return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                         + ["| " + " | ".join(row) + " |" for row in rows]) + "\n"
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines += ["   * - " + row[0]] + [f"     - {c or chr(92)}" for c in row[1:]]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1000, 10_000, 100_000, 300_000, 1_000_000])
    parser.add_argument("--methods", nargs="+", default=["stacking", "moe_gradient", "moe_em"],
                        help="method names of run_benchmarks.py (stacking, moe, moe_gradient...)")
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--lgbm-trees", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds per fit; a method's larger sizes are skipped after one")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "scaling.json"))
    parser.add_argument("--plot", default=os.path.join(ROOT, "docs", "_static", "scaling.png"))
    parser.add_argument("--append", action="store_true",
                        help="add to the records already in --out (same size+method replaced)")
    parser.add_argument("--report-only", action="store_true",
                        help="re-write the tables and the plot from --out without fitting")
    parser.add_argument("--merge", nargs="+", default=[],
                        help="with --report-only: add the records of these JSON files to --out")
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "N_ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child[0], int(args.child[1]), args.n_features, args.lgbm_trees)

    if args.report_only:
        with open(args.out) as f:
            result = json.load(f)
        records = result["records"]
        for path in args.merge:  # records measured into other files replace ours
            with open(path) as f:
                other = json.load(f)
            keys = {(r["method"], r["n_rows"]) for r in other["records"]}
            records = [r for r in records if (r["method"], r["n_rows"]) not in keys]
            records += other["records"]
            result["runs"] = (result.get("runs") or []) + other.get("runs", [])
        if args.merge:
            result["records"] = records
            with open(args.out, "w") as f:
                json.dump(result, f, indent=1)
        _write_tables(records, args.out)
        if args.plot:
            plot(records, args.plot)
        return records

    records, stopped, runs = [], set(), []
    if args.append and os.path.exists(args.out):  # keep earlier sizes / methods
        with open(args.out) as f:
            previous = json.load(f)
        runs = previous.get("runs") or [previous.get("settings", {})]
        records = [r for r in previous["records"]
                   if not (r["n_rows"] in args.sizes and r["method"] in args.methods)]
    runs.append({k: v for k, v in vars(args).items() if k != "child"})
    for n_rows in sorted(args.sizes):
        for method in args.methods:
            if method in stopped:
                rec = {"method": method, "n_rows": n_rows,
                       "skipped": "a smaller size timed out"}
            else:
                rec = measure(method, n_rows, n_features=args.n_features,
                              lgbm_trees=args.lgbm_trees, timeout=args.timeout)
            if "fit_s" not in rec:
                stopped.add(method)
            records.append(rec)
            print(json.dumps(rec), flush=True)
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            with open(args.out, "w") as f:
                json.dump({"runs": runs, "records": records}, f, indent=1)
            _write_tables(records, args.out)
    if args.plot:
        plot(records, args.plot)
        print("wrote", args.out, args.plot)
    return records


def _write_tables(records, json_path):
    for fmt in ("md", "rst"):
        with open(os.path.splitext(json_path)[0] + f".{fmt}", "w") as f:
            f.write(table(records, fmt))


if __name__ == "__main__":
    main()
