"""Gate levers round 19: deploy the level-2 blend only where it beats the
constant candidate on cross-fitted level-2 predictions.

``LEVERS["level2_check"] = k``: the level-2 blend's weights are cross-fitted
on 5 interleaved folds of the held-out rows (each fold's weights fitted by
``choose_candidates`` on the other four); the blend fitted on all rows is
deployed only if the honest per-row gain over the constant candidate exceeds
``k`` paired standard errors, else the constant candidate alone.

Per split two fits share the experts' out-of-fold outputs (as
``bench_gate_levers.py``): ``default`` (the library: no check) and
``constant`` (the same fit with the constant candidate deployed, the check's
gain and SE logged). ``check_k0``, ``check_k1`` and ``check_k2`` are read off
those two fits: the default's prediction where the gain exceeds k SE, the
constant's otherwise -- what the lever does, since nothing before the choice
depends on it (``--verify`` fits ``check_k1`` for real too, to show it).
Each task with the suite's pool (``build_method("moe")``) and splits, or its
round's loader and splits::

    OMP_NUM_THREADS=1 python benchmarks/bench_gate_levers_round19.py --suite iris wine \\
        --out round19.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_gate_levers_round19.py --rounds 30 29 \\
        --out round19.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_gate_levers_round19.py --tasks 9:Soybean \\
        --out round19.jsonl
    python benchmarks/bench_gate_levers_round19.py --report round19.jsonl

Results: ``benchmarks/results/gate_levers_round19.md``.
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
from run_benchmarks import _splits, build_method  # noqa: E402

import skmoe._blend as blend  # noqa: E402
import skmoe._candidates as candidates  # noqa: E402

KS = (0, 1, 2)
# Reported apart (chosen by their outcome, not part of the decision rule):
# the census's ten cause-A tasks (census_unseen.md, section 3: the level-2
# choice; nlschools counted as half there) and the tasks where the mixture
# leads the better of Stacking and Caruana most (census, gap below -10 %).
CAUSE_A = ("9:Soybean", "15:mdvis", "13:FirstYearGPA", "29:penguins_island", "28:tips_day",
           "25:Train", "9:hprice1", "6:Kershaw", "8:KosteckiDillon", "6:nlschools")
LEADERS = ("9:oils", "6:Credit", "26:Gasoline", "27:Diamonds", "7:meats",
           "23:USRegionalMortality", "26:Diamond", "18:tinting")
VARIANTS = ("default",) + tuple(f"check_k{k}" for k in KS)


def _score(task, model, X, y):
    from sklearn.metrics import log_loss, mean_squared_error
    if task == "regression":
        return float(mean_squared_error(y, model.predict(X)) ** 0.5)
    return float(log_loss(y, model.predict_proba(X), labels=model.classes_))


def _fit(task, split, X, y, levers):
    model = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
    started, before = time.perf_counter(), bench_gate_levers.EXPERT_SECONDS[0]
    with warnings.catch_warnings(), blend.levers_set(**levers):
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model, time.perf_counter() - started - (bench_gate_levers.EXPERT_SECONDS[0] - before)


def run_set(source, name, task, X, y, n_splits, handle, verify=False):
    logged = []

    def constant_after_check(weights, predictions, y_, w, regression, k, mode="blend",
                             constant_floor=candidates.CONSTANT_FLOOR):
        started = time.perf_counter()
        all_constant = all(n == "constant" or v == 0 for n, v in weights.items())
        gain = ((float("inf"), 0.0) if all_constant else
                candidates.level2_gain(predictions, y_, w, regression, mode=mode,
                                       constant_floor=constant_floor))
        logged.append((gain, time.perf_counter() - started))
        return {n: float(n == "constant") for n in weights}

    real = blend.level2_checked
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        default, default_s = _fit(task, split, X[train], y[train], {})
        logged.clear()
        blend.level2_checked = constant_after_check
        try:
            constant, _ = _fit(task, split, X[train], y[train], {"level2_check": 0})
        finally:
            blend.level2_checked = real
        (gain, se), check_s = logged[0]
        scores = {"default": _score(task, default, X[test], y[test])}
        constant_score = _score(task, constant, X[test], y[test])
        for k in KS:
            scores[f"check_k{k}"] = scores["default"] if gain > k * se else constant_score
        record = {"source": source, "set": name, "task": task, "split": split,
                  "rows": int(len(train)), "scores": scores, "constant": constant_score,
                  "gain": gain, "se": se, "gate_s": default_s, "check_s": check_s,
                  "weights": {k: round(float(v), 3)
                              for k, v in default.candidate_weights_.items()}}
        if verify:
            checked, _ = _fit(task, split, X[train], y[train], {"level2_check": 1})
            record["verify_k1"] = _score(task, checked, X[test], y[test])
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        print(source, name, split, " ".join(f"{v} {s:.4f}" for v, s in scores.items()),
              f"gain/se {gain / max(se, 1e-300):.2f}", f"{default_s:.1f}s + {check_s:.2f}s",
              record.get("verify_k1", ""), flush=True)


def round_tasks(r):
    module = importlib.import_module(f"bench_accuracy_unseen_round{r}")
    return [(f"round{r}", name, module.load) for name in module.SETS]


def task_arguments(description):
    """The parser of the tasks to run (read by :func:`selected_tasks`), the
    splits, the output file and ``--report``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--suite", nargs="*", default=None, help="suite sets")
    parser.add_argument("--rounds", nargs="*", type=int, default=None,
                        help="every task of these unseen rounds, in this order")
    parser.add_argument("--tasks", nargs="*", default=None, help="ROUND:NAME tasks")
    parser.add_argument("--skip", nargs="*", default=(), help="ROUND:NAME tasks to skip")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", default=None)
    parser.add_argument("--report", default=None, help="print the report of a JSON-lines file")
    return parser


def main(argv=None):
    parser = task_arguments(__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="fit check_k1 for real too")
    args = parser.parse_args(argv)
    if args.report:
        print(report(args.report))
        return
    blend.fixed_outputs = bench_gate_levers._cached(blend.fixed_outputs)
    with open(args.out, "a") as handle:
        for source, name, task, X, y in selected_tasks(args):
            run_set(source, name, task, X, y, args.splits, handle, args.verify)


def selected_tasks(args):
    """``(source, name, task, X, y)`` of ``--suite``'s sets, then every task of
    ``--rounds`` and the ``--tasks`` ROUND:NAME items, less ``--skip``'s."""
    from run_benchmarks import load as load_suite
    for name in args.suite or ():
        task, X, y, _ = load_suite(name, 20000)
        yield "suite", name, task, X, y
    tasks = [t for r in args.rounds or () for t in round_tasks(r)]
    for item in args.tasks or ():
        r, name = item.split(":")
        module = importlib.import_module(f"bench_accuracy_unseen_round{r}")
        tasks.append((f"round{r}", name, module.load))
    for source, name, load in tasks:
        if f"{source[5:]}:{name}" not in args.skip:
            task, X, y = load(name)
            yield source, name, task, X, y


def _changes(rs):
    """Per variant: (change % of the default's mean, paired SE %) over the splits."""
    d = np.array([r["scores"]["default"] for r in rs])
    out = {}
    for v in VARIANTS[1:]:
        x = np.array([r["scores"][v] for r in rs])
        out[v] = (100 * (x.mean() / d.mean() - 1),
                  100 * np.std(x - d, ddof=1) / np.sqrt(len(rs)) / d.mean())
    return d.mean(), out


def baselines(source, name, splits):
    """The round's Stacking, Caruana and mixture on these splits (mean test
    score, from its records: the same pool and splits); None where it kept none."""
    from bench_plain_head_round18 import round_scores
    by = round_scores(source, name, splits)
    return None if by is None else {m: float(np.mean(by[m])) for m in ("stacking", "caruana",
                                                                       "moe")}


def report(paths, groups=None):
    """A table per group of tasks ("suite", "unseen rounds 24-30", ...), and
    per group and variant: the mean change, the counts better / worse by more
    than 2 paired SE, and worse by more than 0.5 % beyond 1 SE."""
    records = [json.loads(line) for path in paths.split(",") for line in open(path)]
    sets = {}
    for r in records:
        sets.setdefault((r["source"], r["set"]), {})[r["split"]] = r
    def named(tasks):
        return lambda source, name: f"{source[5:]}:{name}" in tasks

    groups = groups or {
        "suite": lambda source, name: source == "suite",
        "unseen rounds 24-30 (the decision rule's sample)":
            lambda source, name: source[5:].isdigit() and 24 <= int(source[5:]) <= 30,
        "the census's cause-A tasks (apart)": named(CAUSE_A),
        "where the mixture leads most (apart)": named(LEADERS)}
    lines = []
    for group, member in groups.items():
        rows, summary, splits = [], {v: [] for v in VARIANTS[1:]}, []
        for (source, name), by in sets.items():
            if not member(source, name) or len(by) < 5:
                continue
            rs = [by[s] for s in sorted(by)]
            splits += rs
            mean, changes = _changes(rs)
            ratio = np.median([(r["gate_s"] + r["check_s"]) / r["gate_s"] for r in rs])
            kept = sum(r["gain"] > r["se"] for r in rs)
            cells = [source, name, rs[0]["task"][:5] + ".", str(rs[0]["rows"]), f"{mean:.4g}"]
            cells += [f"{c:+.2f} ({se:.2f})" for c, se in changes.values()]
            cells += [f"{kept} of {len(rs)}", f"{ratio:.3f}"]
            base = None if source == "suite" else baselines(source, name, set(by))
            if base is None:
                cells.append("")
            else:
                blend_mean = min(base["stacking"], base["caruana"])
                k1 = np.mean([r["scores"]["check_k1"] for r in rs])
                cells.append(f"{100 * (mean / blend_mean - 1):+.2f} / "
                             f"{100 * (k1 / blend_mean - 1):+.2f}"
                             + ("" if abs(base["moe"] / mean - 1) < 1e-3
                                else f" (round's mixture {base['moe']:.4g})"))
            rows.append("| " + " | ".join(cells) + " |")
            for v, c in changes.items():
                summary[v].append(c)
        if not rows:
            continue
        lines += [f"### {group} ({len(rows)} tasks)", "",
                  "| source | task | type | train rows | default | check k=0 % (SE) "
                  "| check k=1 % (SE) | check k=2 % (SE) | blend kept at k=1 "
                  "| gate fit time with the check / without | default / check k=1 against "
                  "the round's better of Stacking and Caruana, % |", "|---" * 11 + "|",
                  *rows, ""]
        for v, changes in summary.items():
            c = np.array(changes)
            lines.append(
                f"- {v}: mean change {c[:, 0].mean():+.3f} % (SE over tasks "
                f"{c[:, 0].std(ddof=1) / np.sqrt(len(c)) if len(c) > 1 else 0:.3f}), "
                f"median {np.median(c[:, 0]):+.3f} %, better / worse by > 2 SE "
                f"{int(np.sum(c[:, 0] < -2 * c[:, 1]))} / {int(np.sum(c[:, 0] > 2 * c[:, 1]))}, "
                f"better / worse {int(np.sum(c[:, 0] < 0))} / {int(np.sum(c[:, 0] > 0))}, "
                f"worse by > 0.5 % beyond 1 SE {int(np.sum(c[:, 0] - c[:, 1] > 0.5))}")
        # Did the check revert where the constant was better on the test rows?
        for k in KS:
            reverted = [r for r in splits if not r["gain"] > k * r["se"]]
            right = sum(r["constant"] < r["scores"]["default"] for r in reverted)
            lines.append(f"- k={k}: the constant deployed on {len(reverted)} of {len(splits)} "
                         f"splits; better than the default on the test rows on {right} of them")
        ratio = [(r["gate_s"] + r["check_s"]) / r["gate_s"] for r in splits]
        lines.append(f"- fit time (less the experts' cross-fitting) with the check / without: "
                     f"median {np.median(ratio):.3f}, max {np.max(ratio):.3f} over the splits")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
