"""Census of the unseen-data rounds (6 on): one table of every task they measured.

Each round (``bench_accuracy_unseen_round*.py``) measured the default mixture
against the best expert, the plain average, Caruana's greedy blend and Stacking,
each with the library of its day. This script reads every round's per-split
records (``results/accuracy_unseen_roundNN.jsonl``; rounds 6 and 7 have only
their page, whose 5-split table is read instead) and prints, per task, the rows,
the task type, the mixture's gap to the better of Stacking and Caruana (ratio of
the mean test scores, and the paired SE of the per-split gaps: the rounds' own
``summarise``), its rank and its round; then the running tallies, checked
against README.md's, and the tasks behind the better blend by more than one
paired SE, sorted by gap / SE::

    python benchmarks/census_unseen.py
    python benchmarks/census_unseen.py --markdown          # the whole table
    python benchmarks/census_unseen.py --compare \\
        benchmarks/results/census_unseen_remeasure.jsonl

``--compare`` reads re-runs of some tasks with today's library (records as the
rounds write them, each with a ``"round"`` key) and prints the gap then and now;
``--candidates-table`` reads saved ``--candidates`` outputs of the round scripts
and splits each task's gap into the level-2 choice, the constant blend against
Caruana's and Caruana against the better blend::

    python benchmarks/census_unseen.py --candidates-table \\
        benchmarks/results/census_unseen_candidates.txt

Results: ``benchmarks/results/census_unseen.md``.
"""

import argparse
import ast
import json
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
sys.path.insert(0, HERE)
from bench_accuracy_unseen_round6 import summarise  # noqa: E402
from run_benchmarks import _paired_gap_se  # noqa: E402


def rounds():
    """Every round with a results page or per-split records (a new round's files
    are found without editing this script)."""
    found = set()
    for name in os.listdir(RESULTS):
        m = re.fullmatch(r"accuracy_unseen_round(\d+)\.(jsonl|md)", name)
        if m:
            found.add(int(m.group(1)))
    return sorted(found)


# Rounds measured before their per-split records were kept: their page's table.
PAGE_ONLY = (6, 7)
# Simulated by its own documentation (README.md counts the tallies without it too).
SIMULATED = {(6, "Credit")}


def new_targets(rnd):
    """The round's ``NEW_TARGETS`` (new targets of data used before, counted apart
    from the new sets), read from its script without importing it."""
    path = os.path.join(HERE, f"bench_accuracy_unseen_round{rnd}.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == "NEW_TARGETS"):
            return tuple(ast.literal_eval(node.value))
    return ()


def _page_rows(rnd):
    """Rows of a page-only round's 5-split results table (the first table whose
    header starts ``| set | task | rows``)."""
    with open(os.path.join(RESULTS, f"accuracy_unseen_round{rnd}.md"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| set | task | rows |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        gap = re.fullmatch(r"([+-][\d.]+) % ± ([\d.]+) \((\w+)\)", cells[10])
        if gap is None:
            raise ValueError(f"round {rnd}, {cells[0]}: unreadable gap cell {cells[10]!r}")
        rows.append({"round": rnd, "set": cells[0],
                     "task": "regression" if cells[1].startswith("regre") else "classification",
                     "n": int(cells[2]), "p": int(cells[3]), "rank": int(cells[9]),
                     "gap": float(gap.group(1)) / 100, "se": float(gap.group(2)) / 100,
                     "best_blend": gap.group(3), "source": "page",
                     # The page's mean test scores (4 significant digits).
                     "mean": {"ensemble": float(cells[5]), "caruana": float(cells[6]),
                              "stacking": float(cells[7]), "moe": float(cells[8])}})
    return rows


def _records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _row(rnd, result, source):
    s = summarise(result)
    return {"round": rnd, "set": result["set"], "task": result["task"], "n": result["n"],
            "p": result["p"], "rank": s["rank"], "gap": s["gap_blend"],
            "se": s["gap_blend_se"], "best_blend": s["best_blend"], "source": source}


def census():
    """Every task of every round, one dict each: round, set, task, n, p, rank,
    gap (to the better of Stacking and Caruana), se (paired), best_blend,
    new_target, source ("jsonl" or "page"), and gap10/se10 where the round
    re-ran the task at 10 splits (``_10.jsonl``)."""
    rows = []
    for rnd in rounds():
        apart = new_targets(rnd)
        records = os.path.join(RESULTS, f"accuracy_unseen_round{rnd}.jsonl")
        if rnd in PAGE_ONLY:
            found = _page_rows(rnd)
        elif not os.path.exists(records):
            raise ValueError(f"round {rnd} has a page but no per-split records")
        else:
            found = [_row(rnd, r, "jsonl") for r in _records(records)]
        ten = os.path.join(RESULTS, f"accuracy_unseen_round{rnd}_10.jsonl")
        ten = {r["set"]: summarise(r) for r in _records(ten)} if os.path.exists(ten) else {}
        names = [r["set"] for r in found]
        if len(set(names)) != len(names):
            raise ValueError(f"round {rnd}: a set is recorded twice")
        missing = set(apart) - set(names)
        if missing:
            raise ValueError(f"round {rnd}: NEW_TARGETS {sorted(missing)} have no record")
        for row in found:
            row["new_target"] = row["set"] in apart
            if row["set"] in ten:
                row["gap10"] = ten[row["set"]]["gap_blend"]
                row["se10"] = ten[row["set"]]["gap_blend_se"]
        rows.extend(found)
    return rows


def tallies(rows):
    """(tasks, first, within 0.5 %) of a list of census rows, as the rounds count
    them: rank 1 among the best expert and the baselines; gap <= 0.5 %."""
    return (len(rows), sum(r["rank"] == 1 for r in rows), sum(r["gap"] <= 0.005 for r in rows))


_WORDS = dict(zip("one two three four five six seven eight nine ten eleven twelve thirteen "
                  "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(),
                  range(1, 21)))


def _number(word):
    """A number README.md writes in words (up to ninety-nine) or digits."""
    if word.isdigit():
        return int(word)
    tens = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
    head, _, unit = word.partition("-")
    return tens[head] + _WORDS[unit] if unit else tens.get(head, _WORDS.get(head))


def readme_tallies(path=os.path.join(ROOT, "README.md")):
    """README.md's running tallies: rounds, (sets, first, within), (new targets,
    first, within) and (sets, first, within) without the simulated Credit."""
    with open(path, encoding="utf-8") as f:
        text = " ".join(f.read().split())
    m = re.search(r"Over the ([\w-]+) rounds \((\d+) sets, each measured with the library of its "
                  r"day\): first on (\d+) \(\d+ %\), within 0\.5 % of the better of\s+Stacking and Caruana on "
                  r"(\d+) \(\d+ %\); the ([\w-]+) new targets of data used before \(rounds \d+ to "
                  r"\d+\) are counted apart: first on (\d+), within 0\.5 % on (\d+)\.", text)
    c = re.search(r"without it: (\d+) sets, first on (\d+), within 0\.5 % on (\d+)\.", text)
    if m is None or c is None:
        raise ValueError("README.md's running tallies were not found")
    return {"rounds": _number(m.group(1)),
            "sets": tuple(int(m.group(i)) for i in (2, 3, 4)),
            "new_targets": (_number(m.group(5)), int(m.group(6)), int(m.group(7))),
            "without_simulated": tuple(int(g) for g in c.groups())}


def counted(rows):
    """The same four tallies from the census."""
    sets = [r for r in rows if not r["new_target"]]
    return {"rounds": len({r["round"] for r in rows}), "sets": tallies(sets),
            "new_targets": tallies([r for r in rows if r["new_target"]]),
            "without_simulated": tallies([r for r in sets
                                          if (r["round"], r["set"]) not in SIMULATED])}


def behind(rows, k=1.0):
    """Tasks whose gap exceeds ``k`` paired SE, furthest (in SE) first."""
    out = [r for r in rows if r["se"] and r["gap"] > k * r["se"]]
    return sorted(out, key=lambda r: -r["gap"] / r["se"])


def _line(r):
    ten = (f"{100 * r['gap10']:+.2f} ± {100 * r['se10']:.2f}" if "gap10" in r else "")
    return (f"| {r['round']} | {r['set']}{' (new target)' * r['new_target']} | "
            f"{r['task'][:5]}. | {r['n']} | {r['p']} | {r['rank']} | "
            f"{100 * r['gap']:+.2f} ± {100 * r['se']:.2f} ({r['best_blend']}) | "
            f"{r['gap'] / r['se']:.1f} | {ten} |")


HEADER = ("| round | task | type | rows | cols | rank | gap to the better blend, % ± paired SE "
          "| gap / SE | at 10 splits |\n|---|---|---|---|---|---|---|---|---|")


def compare(rows, path):
    """Markdown table: each re-measured task's gap then (its round's records or,
    rounds 6 and 7, its page) and now (``path``), with each model's change paired
    by split ("same" where no split's score moved by more than 1e-6 of itself,
    with the largest move)."""
    then = {(r["round"], r["set"]): r for r in rows}
    out = ["| round | task | rows | gap then ± SE | gap now ± SE | rank then / now "
           "| mixture now / then - 1 | Stacking | Caruana | behind by > 1 SE now |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for result in _records(path):
        rnd, metric = result["round"], result["metric"]
        now, was = _row(rnd, result, "now"), then[(rnd, result["set"])]
        old = [] if rnd in PAGE_ONLY else [
            r for r in _records(os.path.join(RESULTS, f"accuracy_unseen_round{rnd}.jsonl"))
            if r["set"] == result["set"]][0]["records"]

        def change(method):
            # The same splits and seeds: the model's score now against then, split by split.
            if not old:
                # Only the page's rounded means: the change of the means, unpaired.
                now_mean = np.mean([r[metric] for r in result["records"]
                                    if r["method"] == method])
                return f"{100 * (now_mean / was['mean'][method] - 1):+.2f} % (means)"
            a = {r["split"]: r[metric] for r in result["records"] if r["method"] == method}
            b = {r["split"]: r[metric] for r in old if r["method"] == method}
            diff = max(abs(a[k] / b[k] - 1) for k in b)
            if diff < 1e-6:
                # Bit-identical, or apart at the optimisers' tolerance (1e-8 seen).
                return "same" if diff == 0 else f"same ({diff:.0e})"
            recs = ([{"split": k, "method": "now", metric: v} for k, v in a.items()]
                    + [{"split": k, "method": "then", metric: v} for k, v in b.items()])
            return (f"{100 * (np.mean(list(a.values())) / np.mean(list(b.values())) - 1):+.3f} %"
                    f" ± {100 * _paired_gap_se(recs, 'now', 'then', metric):.3f}")

        out.append(f"| {rnd} | {result['set']} | {result['n']} | {100 * was['gap']:+.2f} ± "
                   f"{100 * was['se']:.2f} ({was['best_blend']}) | {100 * now['gap']:+.2f} ± "
                   f"{100 * now['se']:.2f} ({now['best_blend']}) | {was['rank']} / {now['rank']} "
                   f"| {change('moe')} | {change('stacking')} | {change('caruana')} "
                   f"| {'yes' if now['gap'] > now['se'] else 'no'} |")
    return "\n".join(out)


CANDIDATES = ("constant", "gate", "linear", "feature_weighted", "best_expert", "prior")


def parse_candidates(text):
    """Per task, the splits of a round script's ``--candidates`` output (the
    outputs concatenated, each task's headed ``== round NN NAME``): each split's
    candidate weights, held-out losses and test scores (dicts by name)."""
    tasks, split = {}, None
    for line in text.splitlines():
        head = re.fullmatch(r"== round (\d+) (\S+)", line.strip())
        if head:
            splits = tasks.setdefault((int(head.group(1)), head.group(2)), [])
            continue
        for key, pattern in (("weights", r"split \d+: weights (.*)"),
                             ("held_out", r"held-out loss (.*)"),
                             ("test", r"test (?:RMSE|log-loss) (.*)")):
            m = re.fullmatch(pattern, line.strip())
            if m:
                if key == "weights":
                    split = {}
                    splits.append(split)
                split[key] = {k: float(v) for k, v in
                              (item.rsplit(" ", 1) for item in m.group(1).split(", "))}
    return tasks


def candidates_table(text):
    """Markdown table of each task's gap to the better blend (means over its
    splits) split into three factors: the mixture against its own constant
    candidate (the level-2 choice), that constant blend against Caruana's (the
    same kind of blend, on experts deployed as the mixture deploys them), and
    Caruana against the better blend (what Stacking's unconstrained final model
    adds); then the best candidate alone on the test rows (an oracle), on how many
    splits the candidate with the most weight was the best out of fold and the
    best on the test rows, how much better than the constant candidate it was
    out of fold and on the test rows (mean over splits of the ratio less 1; the
    held-out loss is the root standardised squared error for regression), and
    the mean level-2 weights."""
    out = ["| round | task | better blend | mixture: gap | = level-2 choice (mixture / "
           "constant) | x constant / Caruana | x Caruana / better blend | best candidate "
           "alone on test | most weight: best out of fold / on test | most weight against "
           "constant: out of fold / on test | mean weights (const / gate / lin / fw / best / "
           "prior) |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (rnd, name), splits in parse_candidates(text).items():
        mean = {k: np.mean([s["test"][k] for s in splits]) for k in splits[0]["test"]}
        blend = min(("stacking", "caruana"), key=mean.get)
        names = [c for c in CANDIDATES if c in splits[0]["weights"]]
        best = min(names, key=mean.get)
        top = [max(names, key=s["weights"].get) for s in splits]
        # A tie counts for each tied candidate (the gate often equals the constant blend).
        oof = sum(s["held_out"][t] == min(s["held_out"][c] for c in names)
                  for t, s in zip(top, splits))
        test = sum(s["test"][t] == min(s["test"][c] for c in names) for t, s in zip(top, splits))
        weights = " / ".join(f"{np.mean([s['weights'][c] for s in splits]):.2f}" for c in names)
        edge = {k: 100 * np.mean([s[k][t] / s[k]["constant"] - 1 for t, s in zip(top, splits)])
                for k in ("held_out", "test")}

        def pct(a, b):
            return f"{100 * (mean[a] / mean[b] - 1):+.2f} %"

        out.append(f"| {rnd} | {name} | {blend} {mean[blend]:.4g} | {pct('mixture', blend)} "
                   f"| {pct('mixture', 'constant')} | {pct('constant', 'caruana')} "
                   f"| {pct('caruana', blend)} | {best} {pct(best, blend)} "
                   f"| {oof} / {test} of {len(splits)} | {edge['held_out']:+.2f} % / "
                   f"{edge['test']:+.2f} % | {weights} |")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="also print every task's row")
    parser.add_argument("--compare", help="JSON-lines re-runs (with a 'round' key) to compare")
    parser.add_argument("--candidates-table", metavar="FILE",
                        help="the level-2 choice table of saved --candidates outputs")
    args = parser.parse_args(argv)
    if args.candidates_table:
        with open(args.candidates_table, encoding="utf-8") as f:
            print(candidates_table(f.read()))
        return
    rows = census()
    if args.compare:
        print(compare(rows, args.compare))
        return
    mine, readme = counted(rows), readme_tallies()
    pages = sum(r["source"] == "page" for r in rows)
    print(f"{len(rows)} tasks in {mine['rounds']} rounds, {min(rounds())} to {max(rounds())} "
          f"({pages} read from pages: rounds {', '.join(map(str, PAGE_ONLY))})")
    for key in ("sets", "new_targets", "without_simulated"):
        print(f"{key}: (tasks, first, within 0.5 %) = {mine[key]}; README.md: {readme[key]}"
              f"{'' if mine[key] == readme[key] else '  <-- DIFFERS'}")
    print("\nPer round (new sets / new targets): (tasks, first, within 0.5 %), behind by > 1 "
          "SE, by > 2 SE")
    for rnd in rounds():
        part = [r for r in rows if r["round"] == rnd]
        sets, new = ([r for r in part if r["new_target"] == flag] for flag in (False, True))
        print(f"  round {rnd}: {tallies(sets)}{f' / {tallies(new)}' if new else ''}, "
              f"{len(behind(part))}, {len(behind(part, 2))}")
    late = behind(rows)
    print(f"\n{len(late)} tasks behind the better of Stacking and Caruana by more than 1 paired "
          f"SE ({len(behind(rows, 2))} by more than 2), furthest in SE first:\n")
    print(HEADER)
    print("\n".join(map(_line, late)))
    if args.markdown:
        print("\nEvery task:\n")
        print(HEADER)
        print("\n".join(map(_line, rows)))


if __name__ == "__main__":
    main()
