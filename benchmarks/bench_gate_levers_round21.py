"""Gate levers round 21: the constant candidate's floor in the level-2 blend
chosen per fit by the cross-fitted level-2 loss.

``LEVERS["constant_floor_grid"] = FLOORS``: before the level-2 blend is fitted,
the constant candidate's floor is chosen among 0.02 (``CONSTANT_FLOOR``, the
library's) and ``FLOORS`` by the loss of the blend cross-fitted on 5
interleaved folds of the held-out rows (``skmoe._candidates.level2_floor``,
ties to the smallest); the blend is then fitted on all held-out rows with it.

Per split two real fits share the experts' out-of-fold outputs (as
``bench_gate_levers_round19.py``, whose harness this reuses): ``default`` (the
library) and ``floor_cv`` (the switch on), each task with its round's loader
and splits or the suite's::

    OMP_NUM_THREADS=1 python benchmarks/bench_gate_levers_round21.py --suite iris wine \\
        --out round21.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_gate_levers_round21.py --rounds 30 29 \\
        --out round21.jsonl
    python benchmarks/bench_gate_levers_round21.py --report round21.jsonl

Results: ``benchmarks/results/gate_levers_round21.md``.
"""

import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_gate_levers  # noqa: E402
from bench_gate_levers_round19 import (CAUSE_A, LEADERS, _fit, _score,  # noqa: E402
                                       baselines, selected_tasks, task_arguments)
from run_benchmarks import _splits  # noqa: E402

import skmoe._blend as blend  # noqa: E402

FLOORS = (0.2, 0.4, 0.6, 0.8, 1.0)


def run_set(source, name, task, X, y, n_splits, handle):
    chosen = []
    real = blend.level2_floor

    def logged(*args, **kwargs):
        started = time.perf_counter()
        floor = real(*args, **kwargs)
        chosen.append((floor, time.perf_counter() - started))
        return floor

    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        default, default_s = _fit(task, split, X[train], y[train], {})
        chosen.clear()
        blend.level2_floor = logged
        try:
            lever, lever_s = _fit(task, split, X[train], y[train],
                                  {"constant_floor_grid": FLOORS})
        finally:
            blend.level2_floor = real
        floor, choice_s = chosen[0] if chosen else (None, 0.0)
        scores = {"default": _score(task, default, X[test], y[test]),
                  "floor_cv": _score(task, lever, X[test], y[test])}
        record = {"source": source, "set": name, "task": task, "split": split,
                  "rows": int(len(train)), "scores": scores, "floor": floor,
                  "gate_s": default_s, "lever_s": lever_s, "choice_s": choice_s,
                  "weights": {k: round(float(v), 3)
                              for k, v in default.candidate_weights_.items()},
                  "lever_weights": {k: round(float(v), 3)
                                    for k, v in lever.candidate_weights_.items()}}
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        print(source, name, split, " ".join(f"{v} {s:.4f}" for v, s in scores.items()),
              f"floor {floor}", f"{default_s:.1f}s / {lever_s:.1f}s", flush=True)


def main(argv=None):
    args = task_arguments(__doc__.splitlines()[0]).parse_args(argv)
    if args.report:
        print(report(args.report))
        return
    blend.fixed_outputs = bench_gate_levers._cached(blend.fixed_outputs)
    with open(args.out, "a") as handle:
        for source, name, task, X, y in selected_tasks(args):
            run_set(source, name, task, X, y, args.splits, handle)


def _change(rs):
    """(default's mean, change % of it, paired SE %) over the splits."""
    d = np.array([r["scores"]["default"] for r in rs])
    x = np.array([r["scores"]["floor_cv"] for r in rs])
    return (d.mean(), 100 * (x.mean() / d.mean() - 1),
            100 * np.std(x - d, ddof=1) / np.sqrt(len(rs)) / d.mean())


def report(paths):
    """A table per group of tasks, and per group: the mean change, the counts
    better / worse by more than 2 paired SE, worse by more than 0.5 % beyond
    1 SE, and the floors chosen."""
    records = [json.loads(line) for path in paths.split(",") for line in open(path)]
    sets = {}
    for r in records:
        sets.setdefault((r["source"], r["set"]), {})[r["split"]] = r

    def named(tasks):
        return lambda source, name: f"{source[5:]}:{name}" in tasks

    groups = {
        "suite": lambda source, name: source == "suite",
        "unseen rounds 24-30 (the decision rule's sample)":
            lambda source, name: source[5:].isdigit() and 24 <= int(source[5:]) <= 30,
        "the census's cause-A tasks (apart)": named(CAUSE_A),
        "where the mixture leads most (apart)": named(LEADERS)}
    lines = []
    for group, member in groups.items():
        rows, changes, splits = [], [], []
        for (source, name), by in sets.items():
            if not member(source, name) or len(by) < 5:
                continue
            rs = [by[s] for s in sorted(by)]
            splits += rs
            mean, change, se = _change(rs)
            changes.append((change, se))
            floors = " ".join(f"{r['floor']:g}" for r in rs)
            ratio = np.median([r["lever_s"] / r["gate_s"] for r in rs])
            cells = [source, name, rs[0]["task"][:5] + ".", str(rs[0]["rows"]), f"{mean:.4g}",
                     f"{change:+.2f} ({se:.2f})", floors, f"{ratio:.3f}"]
            base = None if source == "suite" else baselines(source, name, set(by))
            if base is None:
                cells.append("")
            else:
                best = min(base["stacking"], base["caruana"])
                lever = np.mean([r["scores"]["floor_cv"] for r in rs])
                cells.append(f"{100 * (mean / best - 1):+.2f} / {100 * (lever / best - 1):+.2f}")
            rows.append("| " + " | ".join(cells) + " |")
        if not rows:
            continue
        c = np.array(changes)
        lines += [f"### {group} ({len(rows)} tasks)", "",
                  "| source | task | type | train rows | default | floor_cv change % (SE) "
                  "| floors chosen (per split) | gate fit time with the lever / without "
                  "| default / floor_cv against the round's better of Stacking and Caruana, % |",
                  "|---" * 9 + "|", *rows, ""]
        lines.append(
            f"- floor_cv: mean change {c[:, 0].mean():+.3f} % (SE over tasks "
            f"{c[:, 0].std(ddof=1) / np.sqrt(len(c)) if len(c) > 1 else 0:.3f}), "
            f"median {np.median(c[:, 0]):+.3f} %, better / worse by > 2 SE "
            f"{int(np.sum(c[:, 0] < -2 * c[:, 1]))} / {int(np.sum(c[:, 0] > 2 * c[:, 1]))}, "
            f"better / worse {int(np.sum(c[:, 0] < 0))} / {int(np.sum(c[:, 0] > 0))}, "
            f"worse by > 0.5 % beyond 1 SE {int(np.sum(c[:, 0] - c[:, 1] > 0.5))}")
        moved = [r for r in splits if r["floor"] is not None and r["floor"] > 0.021]
        right = sum(r["scores"]["floor_cv"] < r["scores"]["default"] for r in moved)
        wrong = sum(r["scores"]["floor_cv"] > r["scores"]["default"] for r in moved)
        counts = {}
        for r in splits:
            counts[r["floor"]] = counts.get(r["floor"], 0) + 1
        lines.append(f"- floors chosen over the {len(splits)} splits: "
                     + ", ".join(f"{k:g}: {v}" for k, v in sorted(counts.items(),
                                                                  key=lambda kv: kv[0] or 0)))
        lines.append(f"- a floor above 0.02 chosen on {len(moved)} splits; better / worse than "
                     f"the default on the test rows on {right} / {wrong} of them")
        ratio = [r["lever_s"] / r["gate_s"] for r in splits]
        choice = np.median([r["choice_s"] for r in splits])
        lines.append(f"- gate fit time (less the experts' cross-fitting) with the lever / "
                     f"without: median {np.median(ratio):.3f}, max {np.max(ratio):.3f}; the "
                     f"floor's choice alone: median {choice:.3f} s")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
