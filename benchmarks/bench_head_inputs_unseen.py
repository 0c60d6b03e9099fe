"""The classifier's plain linear head on the experts' log-probabilities (the
default, ``skmoe._blend.LEVERS["head_inputs"] = "log"``) against their
probabilities (``"proba"``, as ``StackingClassifier`` reads them), on the
classification sets of the unseen-data rounds 12 to 15.

The default chose log inputs on the public suite (``results/head_inputs.md``);
round 15 found probabilities 0.39 % better on MathPlacement (10 splits). Each
set is read with its round's loader; the default ``MixtureOfExpertsClassifier``
is built as the rounds build it (``run_benchmarks.build_method("moe")``, their
splits and seeds), fitted once with each setting of the lever (set in
``LEVERS`` before the fit, restored after it) on the same splits, and scored by
test log-loss. The experts' out-of-fold outputs, which the lever does not
touch, are computed once per split and shared by the two fits (as in
``bench_levers_unseen.py``); the default's figures reproduce the rounds'
records (``--report`` checks it). Records, then the report::

    OMP_NUM_THREADS=1 python benchmarks/bench_head_inputs_unseen.py \\
        --out head_inputs_unseen.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_head_inputs_unseen.py --out head_inputs_unseen.jsonl \\
        --report

Results: ``benchmarks/results/head_inputs_unseen.md``.
"""

import argparse
import importlib
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_gate_levers  # noqa: E402
from run_benchmarks import _paired_gap_se, _scores, _splits, build_method  # noqa: E402

import skmoe._blend as blend  # noqa: E402

ROUNDS = {12: "bench_accuracy_unseen_round12", 13: "bench_accuracy_unseen_round13",
          14: "bench_accuracy_unseen_round14", 15: "bench_accuracy_unseen_round15"}
# The rounds' classification sets whose default fit took under 20 s a split in
# their round (birds, round 12: 22 s, left out).
SKIPPED = {"birds"}
VARIANTS = ("log", "proba")


def classification_sets():
    """(round, name) of every classification set of rounds 12-15 but the skipped."""
    out = []
    for r, module in ROUNDS.items():
        sets = importlib.import_module(module).SETS
        out += [(r, name) for name, spec in sets.items()
                if spec[3] == "classification" and name not in SKIPPED]
    return out


def run(r, name, n_splits, log, share=True):
    """Per-split test log-loss and fit time of the mixture with each head input."""
    task, X, y = importlib.import_module(ROUNDS[r]).load(name)
    records, uncached = [], blend.fixed_outputs
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        # A fresh cache a split, so the fitted experts of past splits are let go.
        if share:
            blend.fixed_outputs = bench_gate_levers._cached(uncached)
        for variant in VARIANTS:
            before = blend.LEVERS["head_inputs"]
            blend.LEVERS["head_inputs"] = variant
            try:
                model = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    start = time.perf_counter()
                    model.fit(X[train], y[train])
                    fit_s = time.perf_counter() - start
                    score = _scores(task, model, X[test], y[test])[0]["log_loss"]
            finally:
                blend.LEVERS["head_inputs"] = before
            seen = sorted({f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught})
            records.append({"split": split, "method": variant, "log_loss": score,
                            "fit_s": fit_s, "warnings": seen,
                            "candidate_weights": {k: round(float(v), 3) for k, v in
                                                  (model.candidate_weights_ or {}).items()}})
        blend.fixed_outputs = uncached
        log(f"  {name} split {split} " + " ".join(
            f"{rec['method']} {rec['log_loss']:.4f}" for rec in records if rec["split"] == split))
    return {"set": name, "round": r, "n": len(y), "p": X.shape[1],
            "classes": int(len(np.unique(y))), "records": records}


def _round_records(r, name):
    """The mixture's per-split log-loss in its round's own records (5 splits)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                        f"accuracy_unseen_round{r}.jsonl")
    with open(path) as f:
        for line in f:
            result = json.loads(line)
            if result["set"] == name:
                return {rec["split"]: rec["log_loss"] for rec in result["records"]
                        if rec["method"] == "moe"}
    return {}


def report(results):
    """The markdown table, the tally and the check against the rounds' records."""
    lines = ["| set | round | rows | cols | classes | log (default) | proba | "
             "gap (proba / log - 1) ± SE | proba lower on | plain head's weight (log / proba) "
             "| default fit s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    gaps, wins, drift = [], {"proba": [], "log": [], "wash": []}, 0.0
    material = {"proba": [], "log": []}
    for res in results:
        recs = res["records"]
        by = {v: np.array([rec["log_loss"] for rec in recs if rec["method"] == v])
              for v in VARIANTS}
        # (The "proba" fit reused the experts' outputs: only the default's time is a
        # whole fit.)
        fit = np.mean([rec["fit_s"] for rec in recs if rec["method"] == "log"])
        plain = {v: np.mean([rec["candidate_weights"].get("linear", 0.0) for rec in recs
                             if rec["method"] == v]) for v in VARIANTS}
        gap = 100 * (by["proba"].mean() / by["log"].mean() - 1)
        se = 100 * _paired_gap_se(recs, "proba", "log", "log_loss")
        gaps.append(gap)
        wins["proba" if gap < -se else "log" if gap > se else "wash"].append(res["set"])
        if abs(gap) > max(se, 0.1):
            material["proba" if gap < 0 else "log"].append(res["set"])
        own = _round_records(res["round"], res["set"])
        drift = max([drift] + [abs(rec["log_loss"] - own[rec["split"]]) for rec in recs
                               if rec["method"] == "log" and rec["split"] in own])
        lines.append(f"| {res['set']} | {res['round']} | {res['n']} | {res['p']} | "
                     f"{res['classes']} | {by['log'].mean():.4f} | {by['proba'].mean():.4f} | "
                     f"{gap:+.2f} % ± {se:.2f} | {int(np.sum(by['proba'] < by['log']))} of "
                     f"{len(by['log'])} | {plain['log']:.2f} / {plain['proba']:.2f} | "
                     f"{fit:.2f} |")
    warned = sorted({res["set"] for res in results for rec in res["records"]
                     if rec["warnings"]})
    lines += ["", f"{len(results)} sets; mean gap {np.mean(gaps):+.2f} % ± "
              f"{np.std(gaps, ddof=1) / np.sqrt(len(gaps)):.2f} (SE over the sets), median "
              f"{np.median(gaps):+.2f} %; proba lower by more than one SE on "
              f"{len(wins['proba'])} ({', '.join(wins['proba'])}), log lower by more than "
              f"one SE on {len(wins['log'])} ({', '.join(wins['log'])}), within one SE on "
              f"{len(wins['wash'])}. By more than one SE and more than 0.1 %: proba on "
              f"{len(material['proba'])} ({', '.join(material['proba'])}), log on "
              f"{len(material['log'])} ({', '.join(material['log'])}).",
              f"Largest difference of the default's log-loss from its round's records: "
              f"{drift:.2e}. Fits that warned: {', '.join(warned) or 'none'}."]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="set names (default: every one kept)")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", required=True, help="jsonl, one line a set (appended)")
    parser.add_argument("--no-share", action="store_true",
                        help="refit the experts for each variant (the check of the sharing)")
    parser.add_argument("--report", action="store_true", help="report the --out records")
    args = parser.parse_args(argv)
    chosen = [(r, name) for r, name in classification_sets()
              if not args.sets or name in args.sets]
    if args.report:
        with open(args.out) as f:
            results = {res["set"]: res for res in map(json.loads, f)}
        print(report([results[name] for _, name in chosen if name in results]))
        return
    for r, name in chosen:
        result = run(r, name, args.splits, lambda s: print(s, flush=True),
                     share=not args.no_share)
        with open(args.out, "a") as f:
            f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
