"""Gate levers round 18: the plain classification head on many classes.

Three variants of the mixture, side by side on the same splits with the
experts' out-of-fold outputs shared (as ``bench_gate_levers.py``): ``default``
(the library before this round: ``LEVERS["plain_head_C"] = None``, C=1);
``search`` (``"many"``, the library's now: the plain log-probability head's
``C`` searched as the feature-weighted head's, only where its coefficients --
features x classes -- outnumber the rows it is fitted on); ``proba``
(``LEVERS["proba_head"] = True``, C=1 for the log head: StackingClassifier's
head, a logistic regression with ``C=1`` on the experts' probabilities, as an
extra candidate). On the multiclass sets (3+ classes) of the unseen rounds
6-27 (each round's loader, the suite's pool and splits) and the suite's
classification sets. One JSON line per set and split::

    OMP_NUM_THREADS=1 python benchmarks/bench_plain_head_round18.py --min-classes 5 \\
        --out round18.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_plain_head_round18.py --suite iris wine \\
        --out round18.jsonl
    python benchmarks/bench_plain_head_round18.py --report round18.jsonl

Results: ``benchmarks/results/gate_levers_round18.md``.
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
from run_benchmarks import _splits, make_experts  # noqa: E402

import skmoe._blend as blend  # noqa: E402
import skmoe._candidates as candidates  # noqa: E402

# ("default" is the library before round 18: its plain head at C=1 everywhere;
# the probabilities head off, as the library was when measured -- its default
# is now True, every classifier, since round 20.)
VARIANTS = {"default": {"plain_head_C": None, "proba_head": False},
            "search": {"plain_head_C": "many", "proba_head": False},
            "proba": {"plain_head_C": None, "proba_head": True}}
ROUNDS = range(6, 28)


def unseen_sets(min_classes, max_classes, max_rows):
    """(round, name, loader) of every classification set of rounds 6-27 with
    ``min_classes`` to ``max_classes`` classes, in round order."""
    found = []
    for r in ROUNDS:
        module = importlib.import_module(f"bench_accuracy_unseen_round{r}")
        for name, spec in module.SETS.items():
            if spec[3] != "classification":
                continue
            _, X, y = module.load(name)
            k = len(np.unique(y))
            if min_classes <= k <= max_classes and len(y) <= max_rows:
                found.append((f"round{r}", name, module.load))
    return found


def run_set(source, name, X, y, n_splits, seed, handle):
    searched = []
    search = candidates.LinearHead._search_C

    def logged(features, y_, w):
        C = search(features, y_, w)
        searched.append((C, features.shape[1]))
        return C

    from sklearn.metrics import log_loss

    from skmoe import MixtureOfExpertsClassifier
    for split, (train, test) in enumerate(_splits("classification", X, y, n_splits, 0.25, seed)):
        for variant, levers in VARIANTS.items():
            model = MixtureOfExpertsClassifier(make_experts("classification", seed=split),
                                               random_state=split)
            searched.clear()
            candidates.LinearHead._search_C = staticmethod(logged)
            started, before = time.perf_counter(), bench_gate_levers.EXPERT_SECONDS[0]
            try:
                with warnings.catch_warnings(), blend.levers_set(**levers):
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
            finally:
                candidates.LinearHead._search_C = staticmethod(search)
            seconds = (time.perf_counter() - started
                       - (bench_gate_levers.EXPERT_SECONDS[0] - before))
            score = log_loss(y[test], model.predict_proba(X[test]), labels=model.classes_)
            record = {"source": source, "set": name, "split": split, "variant": variant,
                      "log_loss": score, "gate_s": seconds, "rows": int(len(train)),
                      "classes": int(len(np.unique(y))),
                      "weights": {k: round(float(v), 3)
                                  for k, v in model.candidate_weights_.items()}
                      if hasattr(model, "candidate_weights_") else None,
                      "C_searched": list(searched)}
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            print(name, split, variant, f"{score:.4f}", f"{seconds:.1f}s", searched,
                  flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-classes", type=int, default=3)
    parser.add_argument("--max-classes", type=int, default=1000)
    parser.add_argument("--max-rows", type=int, default=10 ** 9)
    parser.add_argument("--sets", nargs="*", default=None, help="only these unseen sets")
    parser.add_argument("--suite", nargs="*", default=None, help="suite sets instead")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", default=None)
    parser.add_argument("--report", default=None, help="print the report of a JSON-lines file")
    parser.add_argument("--both", action="store_true",
                        help="a fourth variant: the search and the probabilities head together")
    args = parser.parse_args(argv)
    if args.both:
        VARIANTS["both"] = {"plain_head_C": "many", "proba_head": True}
    if args.report:
        print(report(args.report))
        return
    blend.fixed_outputs = bench_gate_levers._cached(blend.fixed_outputs)
    with open(args.out, "a") as handle:
        if args.suite is not None:
            from run_benchmarks import load
            for name in args.suite:
                _, X, y, _ = load(name, 20000)
                run_set("suite", name, X, y, args.splits, 0, handle)
            return
        for source, name, load in unseen_sets(args.min_classes, args.max_classes,
                                              args.max_rows):
            if args.sets and name not in args.sets:
                continue
            _, X, y = load(name)
            run_set(source, name, X, y, args.splits, 0, handle)


def round_scores(source, name, splits, metric=None):
    """{method: [test score of each of ``splits``]} of the set ``name`` in the
    round ``source``'s records (``metric``: the round's own by default); None
    where the round kept no Stacking, Caruana and mixture on all of them."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                        f"accuracy_unseen_{source}.jsonl")
    if not os.path.exists(path):
        return None
    for line in open(path):
        entry = json.loads(line)
        if entry["set"] != name:
            continue
        by = {}
        for r in entry["records"]:
            if r["split"] in splits:
                by.setdefault(r["method"], []).append(r[metric or entry["metric"]])
        if not all(len(by.get(m, [])) == len(splits) for m in ("stacking", "caruana", "moe")):
            return None
        return by
    return None


def baselines(source, name, splits):
    """Stacking's, Caruana's and the best expert's mean log-loss on these
    splits from the round's own records (the same pool and splits), and that
    round's default mixture's (a check: it must equal ours); None where the
    round kept none."""
    by = round_scores(source, name, splits, metric="log_loss")
    if by is None:
        return None
    experts = [np.mean(v) for m, v in by.items() if m.startswith("expert:")]
    return {"stacking": np.mean(by["stacking"]), "caruana": np.mean(by["caruana"]),
            "best expert": min(experts), "moe": np.mean(by["moe"])}


def report(path):
    """Per set: each variant's mean log-loss, its change against the default
    and the change's paired standard error over the splits (in % of the
    default's mean); the gate's fit-time ratio (median over splits); the
    round's Stacking, Caruana and best expert."""
    records = [json.loads(line) for line in path_lines(path)]
    sets = {}
    for r in records:
        sets.setdefault((r["source"], r["set"]), []).append(r)
    lines = ["| source | set | classes | rows | default | search C | change (SE) | C chosen "
             "| proba head | change (SE) | time search / proba | Stacking / Caruana / best expert "
             "(round's) |", "|---" * 12 + "|"]
    summary = {v: {"unseen": [], "suite": []} for v in ("search", "proba")}
    for (source, name), rs in sets.items():
        by = {(r["variant"], r["split"]): r for r in rs}
        splits = sorted({r["split"] for r in rs})
        # (A set cut off before its last split is left out.)
        if len(splits) < 5 or not all((v, s) in by for v in VARIANTS for s in splits):
            continue
        d = np.array([by["default", s]["log_loss"] for s in splits])
        cells = [source, name, str(rs[0]["classes"]), str(rs[0]["rows"]), f"{d.mean():.4f}"]
        times = []
        for v in ("search", "proba"):
            x = np.array([by[v, s]["log_loss"] for s in splits])
            change = 100 * (x.mean() / d.mean() - 1)
            se = 100 * np.std(x - d, ddof=1) / np.sqrt(len(splits)) / d.mean()
            cells += [f"{x.mean():.4f}", f"{change:+.2f} % ({se:.2f})"]
            if v == "search":
                # (The plain head's searches: as many features as experts x classes;
                # the feature-weighted head's search is logged too.)
                width = 4 * rs[0]["classes"]
                chosen = sorted({c for s in splits for c, n in by[v, s]["C_searched"]
                                 if n == width})
                cells.append(" ".join(f"{c:g}" for c in chosen) or "not searched")
            times.append(np.median([by[v, s]["gate_s"] / by["default", s]["gate_s"]
                                    for s in splits]))
            summary[v]["suite" if source == "suite" else "unseen"].append((change, se))
        cells.append(f"{times[0]:.2f} / {times[1]:.2f}")
        base = None if source == "suite" else baselines(source, name, set(splits))
        if base is None:
            cells.append("")
        else:
            # (Marked where the round's mixture differs from this default.)
            check = ("" if abs(base["moe"] / d.mean() - 1) < 1e-3
                     else f" (round's mixture {base['moe']:.4f})")
            cells.append(f"{base['stacking']:.4f} / {base['caruana']:.4f} / "
                         f"{base['best expert']:.4f}{check}")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for v, groups in summary.items():
        for group, changes in groups.items():
            if not changes:
                continue
            c = np.array(changes)
            lines.append(
                f"{v} on {group} ({len(c)} sets): mean change {c[:, 0].mean():+.2f} %, "
                f"median {np.median(c[:, 0]):+.2f} %, better by > 2 SE "
                f"{int(np.sum(c[:, 0] < -2 * c[:, 1]))}, worse by > 2 SE "
                f"{int(np.sum(c[:, 0] > 2 * c[:, 1]))}, better/worse "
                f"{int(np.sum(c[:, 0] < 0))}/{int(np.sum(c[:, 0] > 0))}, worse by > 0.5 % "
                f"beyond 1 SE {int(np.sum(c[:, 0] - c[:, 1] > 0.5))}")
    return "\n".join(lines)


def path_lines(paths):
    for path in paths.split(","):
        yield from open(path)


if __name__ == "__main__":
    main()
