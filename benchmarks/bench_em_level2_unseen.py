"""EM with and without the level-2 share (``skmoe._em.LEVEL2_SHARE``) on the
regression tasks of unseen accuracy rounds 24 to 31 and on the suite's sets.

One fit per split gives both: EM is fitted with the switch on; the lever only
replaces the final gate's network by ``MixedLogits(EM's gate, constant blend,
share)`` after the run (nothing before it reads the switch but what it keeps;
where EM's gate is constant the library sets the blended constant instead,
which the script replaces by the ``MixedLogits`` of the same weights),
so putting the mixed module's first part back gives EM without the lever on
the same fit (``--check`` fits EM without the switch too and compares the
two test scores). Scores: test RMSE, or log-loss for the suite's
classification sets. Splits and seeds as the rounds' (``run_benchmarks._splits``,
test 25 %, seed 0; the suite's EM, ``build_method("moe_em")``, seed = split).

Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_em_level2_unseen.py --splits 5 \\
        --sets unseen --out level2.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_em_level2_unseen.py --splits 10 \\
        --sets mcycle regimes --out level2_suite.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_em_level2_unseen.py --report level2.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_em_level2_unseen.py --target level2_suite.jsonl

Results: ``benchmarks/results/em_levers_round6.md``.
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
from run_benchmarks import _scores, _splits, build_method, load as suite_load  # noqa: E402

ROUNDS = range(24, 32)


def unseen_tasks(task="regression"):
    """{name: round module} of the rounds' tasks of one kind (None: all), in the
    rounds' order."""
    tasks = {}
    for r in ROUNDS:
        module = importlib.import_module(f"bench_accuracy_unseen_round{r}")
        for name, entry in module.SETS.items():
            if task is None or entry[3] == task:
                tasks[name] = module
    return tasks


def _score(task, model, X, y):
    """Test RMSE (regression) or log-loss (classification), the suite's first score."""
    return next(iter(_scores(task, model, X, y)[0].values()))


def _load(name):
    tasks = unseen_tasks(None)
    if name in tasks:
        return tasks[name].load(name)
    return suite_load(name, 20000)[:3]


def _always_mixed():
    """Patch EM's level-2 blend to wrap EM's gate in ``MixedLogits`` even where
    that gate is constant (the library then sets the blended constant exactly,
    the same weights to rounding), so that the gate without the lever can be
    read back from every fit; returns the undo."""
    import skmoe._em as em
    from skmoe._blend import ConstantLogits, MixedLogits
    original = em._with_level2_share

    def mixed(problem, gate, best, folds):
        logits, share = em._level2_share(problem, best.outputs, best.logits, folds)
        constant = ConstantLogits(logits).to(gate._dtype())
        return gate.use_module(MixedLogits(gate.module_, constant, share))
    em._with_level2_share = mixed
    return lambda: setattr(em, "_with_level2_share", original)


def run(name, n_splits, check=False):
    """Per-split records: EM's test score without and with the lever, the share of
    EM's gate in the final one (1: the lever left it alone)."""
    import skmoe._em as em
    from skmoe._blend import MixedLogits
    task, X, y = _load(name)
    records = []
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        switch, em.LEVEL2_SHARE = em.LEVEL2_SHARE, True
        undo = _always_mixed()
        try:
            model = build_method("moe_em", task, seed=split, lgbm_trees=300, n_jobs=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                model.fit(X[train], y[train])
                seconds = time.perf_counter() - start
        finally:
            em.LEVEL2_SHARE = switch
            undo()
        lever = _score(task, model, X[test], y[test])
        gate = model.gate_
        share = 1.0
        if isinstance(gate.module_, MixedLogits):
            share = gate.module_.share
            gate.module_ = gate.module_.first
        record = {"set": name, "task": task, "split": split, "em": _score(task, model, X[test],
                                                                            y[test]),
                  "em_level2": lever, "gate_share": share, "fit_s": seconds}
        if check:
            plain = build_method("moe_em", task, seed=split, lgbm_trees=300, n_jobs=1)
            switch, em.LEVEL2_SHARE = em.LEVEL2_SHARE, False
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    plain.fit(X[train], y[train])
            finally:
                em.LEVEL2_SHARE = switch
            record["em_refit"] = _score(task, plain, X[test], y[test])
        records.append(record)
        print(json.dumps(record), flush=True)
    return records


def run_default(name, n_splits):
    """Per-split records of the default mixture ('moe') on the same splits."""
    task, X, y = _load(name)
    records = []
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        moe = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            moe.fit(X[train], y[train])
        records.append({"set": name, "task": task, "split": split,
                        "moe": _score(task, moe, X[test], y[test])})
        print(json.dumps(records[-1]), flush=True)
    return records


def summary(records):
    """{set: (mean EM, mean EM + lever, mean change, its paired SE, relative change, SE / EM,
    number of splits, mean share)} over each set's splits."""
    out = {}
    records = [r for r in records if "em" in r]
    for name in dict.fromkeys(r["set"] for r in records):
        rows = [r for r in records if r["set"] == name]
        a = np.array([r["em"] for r in rows])
        b = np.array([r["em_level2"] for r in rows])
        d = b - a
        se = d.std(ddof=1) / np.sqrt(len(d))
        out[name] = (a.mean(), b.mean(), d.mean(), se, d.mean() / a.mean(), se / a.mean(),
                     len(d), float(np.mean([r["gate_share"] for r in rows])))
    return out


def report(paths):
    records = [json.loads(line) for p in paths for line in open(p) if line.strip()]
    s = summary(records)
    print("| set | splits | EM | EM + level-2 share | change | paired SE | change / SE "
          "| mean share of EM's gate |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (a, b, d, se, rel, rel_se, n, share) in s.items():
        print(f"| {name} | {n} | {a:.5g} | {b:.5g} | {100 * rel:+.2f} % | {100 * rel_se:.2f} % "
              f"| {d / se if se > 0 else float('nan'):+.1f} | {share:.2f} |")
    rels = [v[4] for v in s.values()]
    better = sum(v[2] < -2 * v[3] for v in s.values())
    worse = sum(v[2] > 2 * v[3] for v in s.values())
    print(f"\n{len(rels)} sets: mean change {100 * np.mean(rels):+.2f} % "
          f"(median {100 * np.median(rels):+.2f} %); better by > 2 SE: {better}, "
          f"worse by > 2 SE: {worse}; changed at all: "
          f"{sum(v[2] != 0 for v in s.values())}")


def target_iv(paths, results=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                           "results", "results.json")):
    """Target (iv)'s per-set gaps, EM / default mixture - 1 (ratio of the mean scores,
    as ``run_benchmarks._em_target``), with the default's and EM's figures of
    ``results.json`` and EM's replaced by this script's (with and without the
    lever) on the sets it measured."""
    records = [json.loads(line) for p in paths for line in open(p) if line.strip()]
    s = summary(records)
    rerun = {}     # the default mixture re-run here (--default-only), per set
    for r in records:
        if "moe" in r:
            rerun.setdefault(r["set"], []).append(r["moe"])
    suite = json.load(open(results))
    rows = []
    for d in suite["datasets"]:
        metric = "rmse" if d["task"] == "regression" else "log_loss"

        def mean(method):
            return float(np.mean([r[metric] for r in d["records"] if r["method"] == method]))
        default, em = mean("moe"), mean("moe_em")
        now, lever = (s[d["name"]][0], s[d["name"]][1]) if d["name"] in s else (em, em)
        again = float(np.mean(rerun[d["name"]])) if d["name"] in rerun else default
        rows.append((d["name"], d["name"] in s, default, again, em / default - 1,
                     now / default - 1, lever / default - 1, now / again - 1,
                     lever / again - 1))
    print("| set | EM measured here | default (results.json) | default (here) "
          "| EM gap (results.json) | EM gap (lever off) | EM gap (lever on) "
          "| EM gap to the default here (lever off) | (lever on) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, here, default, again, *gaps in sorted(rows, key=lambda r: r[6]):
        print(f"| {name} | {'yes' if here else 'no'} | {default:.5g} | "
              f"{again:.5g}{'' if name in rerun else ' (not re-run)'} | "
              + " | ".join(f"{100 * g:+.2f} %" for g in gaps) + " |")
    for i, label in enumerate(["results.json", "lever off", "lever on",
                               "lever off, default here", "lever on, default here"]):
        print(f"median gap ({label}): {100 * np.median([r[4 + i] for r in rows]):+.2f} %")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=[],
                        help="task names ('unseen': every regression task of rounds 24-31; "
                             "'unseen-classification': their classification tasks)")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", help="append each split's record to this JSON-lines file")
    parser.add_argument("--check", action="store_true",
                        help="also fit EM with the switch off and record its test score")
    parser.add_argument("--default-only", action="store_true",
                        help="fit the default mixture ('moe') instead, on the same splits")
    parser.add_argument("--report", nargs="*", help="JSON-lines files to summarise")
    parser.add_argument("--target", nargs="*",
                        help="JSON-lines files of the suite's sets: target (iv)'s gaps")
    args = parser.parse_args()
    if args.report or args.target:
        if args.report:
            report(args.report)
        if args.target:
            target_iv(args.target)
        return
    groups = {"unseen": "regression", "unseen-classification": "classification"}
    names = [n for s in args.sets
             for n in (unseen_tasks(groups[s]) if s in groups else [s])]
    for name in names:
        records = (run_default(name, args.splits) if args.default_only
                   else run(name, args.splits, args.check))
        for record in records:
            if args.out:
                with open(args.out, "a") as f:
                    f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
