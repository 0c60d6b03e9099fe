"""Gate levers round 20: StackingClassifier's probabilities head on binary problems.

Two variants of the classifier, side by side on the same splits with the experts'
out-of-fold outputs shared (round 18's ``run_set``, ``bench_plain_head_round18.py``):
``default`` (the library before this round: ``LEVERS["proba_head"] = "multiclass"``,
so no probabilities head on two classes) and ``proba`` (``True``: the head a candidate
on two classes too; the library's default since). On the binary sets of the unseen
rounds 6-30 (each with its round's loader, the suite's pool and splits), smallest
first, and the suite's binary sets.
One JSON line per set, split and variant::

    OMP_NUM_THREADS=1 python benchmarks/bench_proba_head_binary_round20.py --list
    OMP_NUM_THREADS=1 python benchmarks/bench_proba_head_binary_round20.py --max-rows 600 \\
        --out round20.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_proba_head_binary_round20.py --suite \\
        breast_cancer mroz --out round20.jsonl
    python benchmarks/bench_proba_head_binary_round20.py --report round20.jsonl

Results: ``benchmarks/results/gate_levers_round20.md``.
"""

import argparse
import importlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_gate_levers  # noqa: E402
import bench_plain_head_round18 as round18  # noqa: E402

import skmoe._blend as blend  # noqa: E402

# Everything but the probabilities head as the library has it; "default" is
# the library before this round, set explicitly so that it stays what it measured.
VARIANTS = {"default": {"proba_head": "multiclass"}, "proba": {"proba_head": True}}
ROUNDS = range(6, 31)
LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                    "gate_levers_round20_sets.json")


def binary_sets():
    """[round, name, training rows] of every binary classification set of the
    unseen rounds 6-30, smallest first (cached in ``LIST``: loading all takes
    minutes)."""
    if os.path.exists(LIST):
        return json.load(open(LIST))
    found = []
    for r in ROUNDS:
        module = importlib.import_module(f"bench_accuracy_unseen_round{r}")
        for name, spec in module.SETS.items():
            if spec[3] != "classification":
                continue
            _, X, y = module.load(name)
            if len(np.unique(y)) == 2:
                found.append([r, name, len(y) - int(np.ceil(0.25 * len(y)))])
    found.sort(key=lambda entry: (entry[2], entry[0]))
    with open(LIST, "w") as handle:
        json.dump(found, handle, indent=0)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the binary unseen sets")
    parser.add_argument("--max-rows", type=int, default=10 ** 9,
                        help="unseen sets of at most this many training rows")
    parser.add_argument("--sets", nargs="*", default=None, help="only these unseen sets")
    parser.add_argument("--suite", nargs="*", default=None, help="suite sets instead")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", default=None)
    parser.add_argument("--report", default=None, help="print the report of JSON-lines files")
    args = parser.parse_args(argv)
    if args.report:
        print(report(args.report))
        return
    if args.list:
        for r, name, rows in binary_sets():
            print(f"round{r} {name} {rows}")
        return
    round18.VARIANTS.clear()
    round18.VARIANTS.update(VARIANTS)
    blend.fixed_outputs = bench_gate_levers._cached(blend.fixed_outputs)
    with open(args.out, "a") as handle:
        if args.suite is not None:
            from run_benchmarks import load
            for name in args.suite:
                _, X, y, _ = load(name, 20000)
                round18.run_set("suite", name, X, y, args.splits, 0, handle)
            return
        # (Sets already finished in ``--out`` are skipped: the runs can be resumed.)
        done = {(r["source"], r["set"]) for r in map(json.loads, open(args.out))
                if r["split"] == args.splits - 1 and r["variant"] == "proba"} \
            if os.path.getsize(args.out) else set()
        for r, name, rows in binary_sets():
            if (args.sets and name not in args.sets) or (not args.sets and rows > args.max_rows):
                continue
            if (f"round{r}", name) in done:
                continue
            _, X, y = importlib.import_module(f"bench_accuracy_unseen_round{r}").load(name)
            round18.run_set(f"round{r}", name, X, y, args.splits, 0, handle)


def changes(path):
    """{(source, set): (rows, default mean, proba mean, change %, paired SE %,
    median fit-time ratio, splits)} over the sets with every split of both
    variants."""
    sets = {}
    for r in map(json.loads, round18.path_lines(path)):
        sets.setdefault((r["source"], r["set"]), {})[r["variant"], r["split"]] = r
    out = {}
    for key, by in sets.items():
        splits = sorted({s for _, s in by})
        if len(splits) < 5 or not all((v, s) in by for v in VARIANTS for s in splits):
            continue
        d = np.array([by["default", s]["log_loss"] for s in splits])
        x = np.array([by["proba", s]["log_loss"] for s in splits])
        change = 100 * (x.mean() / d.mean() - 1)
        se = 100 * np.std(x - d, ddof=1) / np.sqrt(len(splits)) / d.mean()
        ratio = np.median([by["proba", s]["gate_s"] / by["default", s]["gate_s"]
                           for s in splits])
        out[key] = (by["default", 0]["rows"], d.mean(), x.mean(), change, se, ratio,
                    len(splits), np.mean([by["proba", s]["weights"].get("linear_proba", 0.0)
                                          for s in splits]))
    return out


def report(path):
    """Per set: both variants' mean log-loss, the change and its paired SE (in %
    of the default's mean), the probabilities head's mean weight, the gate's
    fit-time ratio (median over splits), the round's Stacking / Caruana / best
    expert; then the rule's three counts per group."""
    found = changes(path)
    lines = ["| source | set | rows | default | proba head | change (SE) | weight of linear_proba "
             "| time proba / default | Stacking / Caruana / best expert (round's) |",
             "|---" * 9 + "|"]
    groups = {"unseen": [], "suite": []}
    for (source, name), (rows, d, x, change, se, ratio, n, weight) in sorted(
            found.items(), key=lambda item: (item[0][0] == "suite", item[1][0])):
        base = None if source == "suite" else round18.baselines(source, name, set(range(n)))
        if base is None:
            ref = ""
        else:
            check = ("" if abs(base["moe"] / d - 1) < 1e-3
                     else f" (round's mixture {base['moe']:.4f})")
            ref = (f"{base['stacking']:.4f} / {base['caruana']:.4f} / "
                   f"{base['best expert']:.4f}{check}")
        lines.append(f"| {source} | {name} | {rows} | {d:.4f} | {x:.4f} | {change:+.2f} % "
                     f"({se:.2f}) | {weight:.2f} | {ratio:.2f} | {ref} |")
        groups["suite" if source == "suite" else "unseen"].append((change, se, ratio))
    lines.append("")
    for group, c in groups.items():
        if not c:
            continue
        c = np.array(c)
        lines.append(
            f"proba on {group} ({len(c)} sets): mean change {c[:, 0].mean():+.2f} %, "
            f"median {np.median(c[:, 0]):+.2f} %, better by > 2 SE "
            f"{int(np.sum(c[:, 0] < -2 * c[:, 1]))}, worse by > 2 SE "
            f"{int(np.sum(c[:, 0] > 2 * c[:, 1]))}, better/worse "
            f"{int(np.sum(c[:, 0] < 0))}/{int(np.sum(c[:, 0] > 0))}, worse by > 0.5 % "
            f"beyond 1 SE {int(np.sum(c[:, 0] - c[:, 1] > 0.5))}; gate fit time proba / "
            f"default, median of the per-set medians {np.median(c[:, 2]):.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
