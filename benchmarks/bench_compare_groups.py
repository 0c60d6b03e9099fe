"""compare() on rows in groups, with and without ``groups=``.

Without ``groups``, compare's splits are shuffled rows: every test fold holds
rows of groups the models were fitted on, and each model's inner folds (the
mixture's blend, Stacking's, Caruana's weights) are shuffled rows too. This
script runs the suite's pool, the plain average, Caruana's blend, Stacking
and the default mixture through ``compare`` both ways on the grouped sets of
``bench_grouped_gate_folds.py``, and reports each model's RMSE, how much
lower the shuffled-row estimate is than the whole-group one (optimism), and
the ranking each gives.

    OMP_NUM_THREADS=1 python benchmarks/bench_compare_groups.py --out compare_groups.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_compare_groups.py --out compare_groups.jsonl --report

``--outer-only`` runs the mixture alone with the same test folds of whole
groups given to ``compare`` as a list of splits, without ``groups=``, so that
its inner folds stay the shuffled rows of ``cv='auto'`` (what a user got
before ``compare`` took groups); ``--report`` then also gives the paired gap
of the mixture's inner folds of groups against that, and of the mixture
against the best other model on whole groups::

    OMP_NUM_THREADS=1 python benchmarks/bench_compare_groups.py --outer-only \
        --out compare_groups_outer.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_compare_groups.py --out compare_groups.jsonl \
        --outer compare_groups_outer.jsonl --report
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_grouped_gate_folds import CLASSIFICATION, grouped_set  # noqa: E402
from run_benchmarks import build_method, make_experts  # noqa: E402

SETS = ["synthetic", "Produc", "Fatalities", "Wages"]
METHODS = ["ensemble", "caruana", "stacking", "moe"]


def models(task, seed=0):
    out = dict(make_experts(task, seed=seed, lgbm_trees=300, n_jobs=1))
    for name in METHODS:
        out[name] = build_method(name, task, seed=seed, lgbm_trees=300, n_jobs=1)
    return out


def run(name, cv, repeats):
    from skmoe import compare
    X, y, groups = grouped_set(name)
    task = "classification" if name in CLASSIFICATION else "regression"
    metric = "neg_log_loss" if task == "classification" else "neg_root_mean_squared_error"
    records = []
    for way in ("rows", "groups"):
        for r in range(repeats):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = compare(models(task, seed=r), X, y, cv=cv, scoring=metric,
                                 random_state=r, groups=groups if way == "groups" else None)
            for model, scores in result.scores.items():
                records.append({"set": name, "way": way, "repeat": r, "model": model,
                                "scores": [-float(s) for s in scores[metric]]})
            print(f"{name} {way} repeat {r}: {time.perf_counter() - start:.0f} s", flush=True)
    return records


def run_outer_only(name, cv, repeats):
    """The mixture on the test folds of whole groups that ``groups=`` makes,
    passed as splits, its own inner folds left to ``cv='auto'``."""
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
    from skmoe import compare
    from skmoe._crossfit import group_codes
    X, y, groups = grouped_set(name)
    task = "classification" if name in CLASSIFICATION else "regression"
    metric = "neg_log_loss" if task == "classification" else "neg_root_mean_squared_error"
    codes = group_codes(groups, len(y))
    records = []
    for r in range(repeats):
        # The splitter compare(cv=cv, groups=groups, random_state=r) uses.
        splitter = (StratifiedGroupKFold if task == "classification" else GroupKFold)(
            n_splits=cv, shuffle=True, random_state=r)
        splits = list(splitter.split(np.zeros((len(y), 1)), y, codes))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = compare({"moe": models(task, seed=r)["moe"]}, X, y, cv=splits,
                             scoring=metric, random_state=r)
        records.append({"set": name, "way": "outer", "repeat": r, "model": "moe",
                        "scores": [-float(s) for s in result.scores["moe"][metric]]})
    return records


def paired(a, b):
    """mean(a) / mean(b) - 1 in %, the SE of the per-fold ratios (uncorrected for
    the folds' overlapping training rows), and on how many folds a is lower."""
    a, b = np.asarray(a), np.asarray(b)
    q = a / b - 1
    return (100 * (a.mean() / b.mean() - 1), 100 * q.std(ddof=1) / np.sqrt(len(q)),
            int((q < 0).sum()), len(q))


def report_paired(records):
    by = {}
    for rec in sorted(records, key=lambda r: r["repeat"]):
        by.setdefault((rec["set"], rec["way"], rec["model"]), []).extend(rec["scores"])
    print()
    print("| set | mixture against the best other model, whole groups | "
          "inner folds of groups against shuffled inner folds (the mixture) |")
    print("|---|---|---|")
    for s in dict.fromkeys(rec["set"] for rec in records):
        others = [m for (t, w, m) in by if t == s and w == "groups" and m != "moe"]
        best = min(others, key=lambda m: np.mean(by[(s, "groups", m)]))
        g = by[(s, "groups", "moe")]
        cells = ["{:+.2f} % ± {:.2f} ({}; lower on {} of {})".format(
            *paired(g, by[(s, "groups", best)])[:2], best,
            *paired(g, by[(s, "groups", best)])[2:])]
        outer = by.get((s, "outer", "moe"))
        cells.append("n/a" if outer is None else "{:+.2f} % ± {:.2f} (lower on {} of {})"
                     .format(*paired(g, outer)))
        print(f"| {s} | {cells[0]} | {cells[1]} |")


def report(records):
    by = {}
    for rec in records:
        by.setdefault((rec["set"], rec["way"], rec["model"]), []).extend(rec["scores"])
    sets = list(dict.fromkeys(rec["set"] for rec in records))
    print("| set | model | shuffled rows | whole groups | optimism (rows / groups - 1) "
          "| rank (rows) | rank (groups) |")
    print("|---|---|---|---|---|---|---|")
    for s in sets:
        names = list(dict.fromkeys(rec["model"] for rec in records if rec["set"] == s))
        mean = {(way, m): float(np.mean(by[(s, way, m)])) for way in ("rows", "groups")
                for m in names}
        rank = {way: {m: i + 1 for i, m in enumerate(sorted(names, key=lambda m: mean[(way, m)]))}
                for way in ("rows", "groups")}
        for m in names:
            a, b = mean[("rows", m)], mean[("groups", m)]
            print(f"| {s} | {m} | {a:.4f} | {b:.4f} | {100 * (a / b - 1):+.1f} % "
                  f"| {rank['rows'][m]} | {rank['groups'][m]} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=SETS)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", required=True)
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--outer-only", action="store_true",
                        help="run the mixture with outer group folds only (see above)")
    parser.add_argument("--outer", help="--report: the records of --outer-only")
    args = parser.parse_args(argv)
    if not args.report:
        with open(args.out, "a") as f:
            for name in args.sets:
                for rec in (run_outer_only if args.outer_only else run)(
                        name, args.cv, args.repeats):
                    f.write(json.dumps(rec) + "\n")
        if args.outer_only:
            return
    with open(args.out) as f:
        records = [json.loads(line) for line in f]
    report(records)
    if args.outer:
        with open(args.outer) as f:
            records += [json.loads(line) for line in f]
        report_paired(records)


if __name__ == "__main__":
    main()
