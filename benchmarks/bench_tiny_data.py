"""Tiny training sets: the default mixture against Caruana, Stacking, the plain
average and each expert when it learns from 40 or 80 rows.

Round 9 found the default mixture far behind on 48 rows of MASS::oils (LightGBM
could not split its inner folds' rows; fixed by clipping the feature-weighted
classification head). This stress test looks for more such cases: 16 real sets
(8 regression, 8 classification: the suite's registry and the unseen rounds'),
5 random training sets of ``n_train`` rows per (set, n_train) (stratified for
classification, every class at least 3 rows; a set where that is impossible is
left out), each method tested on up to 1,000 of the remaining rows. The suite's
pool and baselines (``run_benchmarks.build_method``); each expert alone is read
off the ensemble's members. Test RMSE or log-loss. A method that raises is
recorded as failed for that draw (sklearn's Stacking may, with tiny classes).

Each draw's scores go to a JSON-lines file (a (set, n_train) already there is
skipped, so a run can be resumed); ``--report`` prints the tables::

    OMP_NUM_THREADS=1 python benchmarks/bench_tiny_data.py --out tiny.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_tiny_data.py --out tiny.jsonl --report

Results: ``benchmarks/results/tiny_data.md``.
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round6 as round6  # noqa: E402
import bench_accuracy_unseen_round9 as round9  # noqa: E402
import bench_more_datasets as more  # noqa: E402
import run_benchmarks  # noqa: E402
from run_benchmarks import _expert_scores, _scores, build_method  # noqa: E402

R, C = "regression", "classification"
# name: where it is read from (the suite's registry, an unseen round, bench_more_datasets).
SETS = {
    # regression
    "diabetes": "registry", "mcycle": "registry", "boston": "registry",
    "cps1985": "registry", "Credit": "round6", "mariokart": "round9",
    "Auto": "more", "Salaries": "more",
    # classification
    "iris": "registry", "wine": "registry", "breast_cancer": "registry",
    "mroz": "registry", "fgl": "more", "Womenlf": "more", "NeuroCog": "round6",
    "digits": "registry",
}
N_TRAIN = (40, 80)
DRAWS = 5
MAX_TEST = 1000
MIN_PER_CLASS = 3
METHODS = ("ensemble", "stacking", "caruana", "moe")


def load(name):
    """(task, X, y) of one set, read by the loader of the benchmark it comes from."""
    source = SETS[name]
    if source == "registry":
        task, X, y, _ = run_benchmarks.load(name, max_rows=None)
        return task, np.asarray(X, float), np.asarray(y)
    if source == "round6":
        return round6.load(name)
    if source == "round9":
        return round9.load(name)
    return more.load(name)


def class_counts(y, n_train, min_per_class=MIN_PER_CLASS):
    """Rows per class of a stratified training set of ``n_train`` rows with at
    least ``min_per_class`` of each class (largest remainders), or None where
    impossible."""
    classes, totals = np.unique(y, return_counts=True)
    if totals.min() < min_per_class or min_per_class * len(classes) > n_train:
        return None
    share = n_train * totals / totals.sum()
    counts = np.maximum(np.floor(share).astype(int), min_per_class)
    while counts.sum() < n_train:  # the class furthest below its share gets a row
        counts[np.argmax(np.where(counts < totals, share - counts, -np.inf))] += 1
    while counts.sum() > n_train:  # the minimums raised the total: the furthest above
        counts[np.argmax(np.where(counts > min_per_class, counts - share, -np.inf))] -= 1
    return dict(zip(classes, counts))


def draw(task, y, n_train, seed, max_test=MAX_TEST):
    """(train, test) row indices of one draw."""
    rng = np.random.RandomState(seed)
    if task == R:
        order = rng.permutation(len(y))
        train = np.sort(order[:n_train])
    else:
        counts = class_counts(y, n_train)
        train = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), k, replace=False)
                                        for c, k in counts.items()]))
    rest = np.setdiff1d(np.arange(len(y)), train)
    test = np.sort(rng.choice(rest, min(max_test, len(rest)), replace=False))
    return train, test


def run(name, n_train, draws=DRAWS, log=print):
    """Per-draw records ``{"draw", "method", metric}`` (or ``"error"``) of one
    (set, n_train), and the mixture's candidate weights per draw."""
    task, X, y = load(name)
    metric = "rmse" if task == R else "log_loss"
    if task == C and class_counts(y, n_train) is None:
        return {"set": name, "task": task, "n_train": n_train, "n": len(y),
                "p": X.shape[1], "metric": metric, "skipped": "a class has too few rows",
                "records": [], "moe": []}
    records, diag = [], []
    for d in range(draws):
        train, test = draw(task, y, n_train, seed=1000 * n_train + d)
        for method in METHODS:
            model = build_method(method, task, seed=d, lgbm_trees=300, n_jobs=1)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                try:
                    model.fit(X[train], y[train])
                    fit_s = time.perf_counter() - start
                    scores = _scores(task, model, X[test], y[test])[0]
                except Exception as exc:  # recorded, not raised: a method's failure
                    records.append({"draw": d, "method": method,
                                    "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
                    continue
            seen = sorted({f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught})
            records.append({"draw": d, "method": method, metric: scores[metric],
                            "fit_s": round(fit_s, 3), "warnings": seen,
                            "nan": bool(not np.isfinite(scores[metric]))})
            if method == "ensemble":
                for expert, s in _expert_scores(task, model, X[test], y[test]).items():
                    records.append({"draw": d, "method": f"expert:{expert}",
                                    metric: s[metric]})
            if method == "moe":
                diag.append({"draw": d, "candidate_weights": {
                    k: round(float(v), 3) for k, v in (model.candidate_weights_ or {}).items()}})
        log(f"  {name} n={n_train} draw {d} " + " ".join(
            f"{r['method']} {r.get(metric, float('nan')):.4f}" for r in records
            if r["draw"] == d))
    return {"set": name, "task": task, "n_train": n_train, "n": len(y), "p": X.shape[1],
            "n_test": int(len(test)), "metric": metric, "records": records, "moe": diag}


def summarise(result):
    """Means over draws, the best expert (by its mean), the reference
    min(Caruana, Stacking, best expert) by mean (a method that failed on a draw
    is left out of it), the mixture's gap to it with the paired SE, the worst
    single-draw ratio to min(Caruana, Stacking, best expert) of that draw, and
    the flags (> 20 % on the mean, > 2x on a draw)."""
    recs, metric = result["records"], result["metric"]
    by = {}
    for r in recs:
        by.setdefault(r["method"], {})[r["draw"]] = r.get(metric)
    draws = sorted(by["moe"])
    ok = {m: v for m, v in by.items()
          if len(v) == len(draws) and all(s is not None and np.isfinite(s) for s in v.values())}
    mean = {m: float(np.mean([v[d] for d in draws])) for m, v in ok.items()}
    failed = {m: sum(s is None for s in v.values()) + len(draws) - len(v)
              for m, v in by.items() if m not in ok}
    for m in METHODS:
        if m not in by:
            failed[m] = len(draws)
    experts = [m for m in mean if m.startswith("expert:")]
    best = min(experts, key=mean.get)
    refs = [m for m in ("caruana", "stacking", best) if m in mean]
    ref = min(refs, key=mean.get)
    gaps = [by["moe"][d] / by[ref][d] - 1 for d in draws]
    per_draw = [by["moe"][d] / min(by[m][d] for m in refs) for d in draws]
    gap = mean["moe"] / mean[ref] - 1 if "moe" in mean else float("nan")
    return {"mean": mean, "failed": failed, "best_expert": best, "ref": ref, "gap": gap,
            "gap_se": float(np.std(gaps, ddof=1) / np.sqrt(len(gaps))),
            "worst_draw_ratio": float(max(per_draw)),
            "worst_draw": int(draws[int(np.argmax(per_draw))]),
            "flag": bool(gap > 0.2 or max(per_draw) > 2.0)}


def report(results):
    """The markdown table, the failures and the flagged cases."""
    lines = ["| set | task | rows | cols | n_train | experts (ridge/logreg, tree, lgbm, knn) "
             "| Ensemble | Caruana | Stacking | mixture | gap to min(Caruana, Stacking, best "
             "expert) ± SE | worst draw: mixture / min | flag |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    notes, flagged = [], []
    for res in results:
        if res.get("skipped"):
            notes.append(f"{res['set']} at {res['n_train']} rows: left out ({res['skipped']}).")
            continue
        s = summarise(res)
        m = s["mean"]
        fmt = (lambda v: f"{v:.4g}") if res["task"] == R else (lambda v: f"{v:.4f}")
        get = lambda k: fmt(m[k]) if k in m else "failed"  # noqa: E731
        order = ["ridge", "logreg", "tree", "lgbm", "knn"]
        experts = sorted((k for k in m if k.startswith("expert:")),
                         key=lambda k: order.index(k.split(":", 1)[1]))
        cells = " / ".join(("**" + fmt(m[k]) + "**") if k == s["best_expert"] else fmt(m[k])
                           for k in experts)
        lines.append(f"| {res['set']} | {res['task'][:5]}. | {res['n']} | {res['p']} "
                     f"| {res['n_train']} | {cells} | {get('ensemble')} | {get('caruana')} "
                     f"| {get('stacking')} | {get('moe')} | {100 * s['gap']:+.1f} % ± "
                     f"{100 * s['gap_se']:.1f} ({s['ref'].replace('expert:', '')}) "
                     f"| {s['worst_draw_ratio']:.2f} (draw {s['worst_draw']}) "
                     f"| {'**yes**' if s['flag'] else ''} |")
        for method, n in s["failed"].items():
            errors = sorted({r["error"].splitlines()[0][:160] for r in res["records"]
                             if r["method"] == method and "error" in r})
            notes.append(f"{res['set']} at {res['n_train']} rows: {method} failed on {n} of "
                         f"{len({r['draw'] for r in res['records']})} draws ({'; '.join(errors)}).")
        if s["flag"]:
            flagged.append(res)
    lines += ["", "Failures and left-out sets:", ""] + [f"* {n}" for n in notes or ["none"]]
    lines += ["", "Flagged: " + (", ".join(f"{r['set']} at {r['n_train']}" for r in flagged)
                                 or "none")]
    for res in flagged:
        lines.append(f"\n{res['set']} at {res['n_train']} rows, per draw "
                     "(mixture, Caruana, Stacking, experts; the mixture's candidate weights):")
        metric = res["metric"]
        for d in sorted({r["draw"] for r in res["records"]}):
            row = {r["method"]: r.get(metric) for r in res["records"] if r["draw"] == d}
            weights = next((x["candidate_weights"] for x in res["moe"] if x["draw"] == d), {})
            lines.append(f"    draw {d}: " + " ".join(
                f"{k.replace('expert:', '')} {v:.4f}" if v is not None else f"{k} failed"
                for k, v in row.items()) + f"  | {weights}")
    return "\n".join(lines)


# The ablations of a flagged case: (label, levers_set changes, extra moe_params).
ABLATIONS = [("default", {}, {}),
             ("no feature-weighted head", {"feature_weighted_head": False}, {}),
             ("no best-expert candidate", {"best_expert": False}, {}),
             ("classification head unclipped", {"classification_beyond_range": None}, {}),
             ("products_beyond_range None", {"products_beyond_range": None}, {}),
             ("refit_experts=0.0", {}, {"refit_experts": 0.0})]


def diagnose(name, n_train, d):
    """One draw of one set: the mixture under each ablation (its test score,
    candidate weights and held-out losses), each candidate alone on the test
    rows, and the experts' out-of-fold against refitted test scores."""
    from sklearn.metrics import log_loss
    from diagnose_candidates import candidates_alone
    from skmoe._blend import levers_set

    task, X, y = load(name)
    train, test = draw(task, y, n_train, seed=1000 * n_train + d)
    regression = task == R
    for label, levers, params in ABLATIONS:
        with levers_set(**levers):
            moe = build_method("moe", task, seed=d, lgbm_trees=300, n_jobs=1,
                               moe_params=params).fit(X[train], y[train])
            score = (lambda p: float(np.sqrt(np.mean((p - y[test]) ** 2)))) if regression \
                else (lambda p: float(log_loss(y[test], np.clip(p, 1e-15, 1),
                                               labels=moe.classes_)))
            X_test = moe._check_X(X[test])
            combiner, view = moe._combiner_and_view(X_test)
            weights, outputs = moe._weights_and_outputs(X_test, view)
            alone = candidates_alone(moe, combiner, view, weights, outputs, score)
            total = score(moe.predict(X[test]) if regression else moe.predict_proba(X[test]))
        print(f"{label}: test {total:.4f}; weights "
              + ", ".join(f"{k} {v:.3f}" for k, v in (moe.candidate_weights_ or {}).items()))
        print("    held-out loss " + ", ".join(
            f"{k} {v:.4f}" for k, v in (moe.out_of_fold_loss_ or {}).items()))
        print("    each candidate on the test rows " + ", ".join(
            f"{k} {v:.4f}" for k, v in alone.items()), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--n-train", type=int, nargs="+", default=list(N_TRAIN))
    parser.add_argument("--draws", type=int, default=DRAWS)
    parser.add_argument("--out", help="JSON-lines file of per-case results")
    parser.add_argument("--report", action="store_true", help="print the tables and stop")
    parser.add_argument("--diagnose", type=int, metavar="DRAW",
                        help="the ablations of one draw of the named sets (no --out)")
    args = parser.parse_args(argv)
    if args.diagnose is not None:
        warnings.simplefilter("ignore")
        for name in args.sets:
            for n_train in args.n_train:
                print(f"== {name} at {n_train} rows, draw {args.diagnose}", flush=True)
                diagnose(name, n_train, args.diagnose)
        return
    if not args.out:
        parser.error("--out is required (except with --diagnose)")
    done = {}
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = {(r["set"], r["n_train"]): r for r in map(json.loads, f)}
    cases = [(s, n) for s in args.sets for n in args.n_train]
    if args.report:
        print(report([done[c] for c in cases if c in done]))
        return
    for name, n_train in cases:
        if (name, n_train) in done:
            continue
        start = time.perf_counter()
        result = run(name, n_train, args.draws, log=lambda s: print(s, flush=True))
        result["seconds"] = round(time.perf_counter() - start, 1)
        with open(args.out, "a") as f:
            f.write(json.dumps(result) + "\n")
        print(f"{name} n={n_train}: {result['seconds']} s", flush=True)


if __name__ == "__main__":
    main()
