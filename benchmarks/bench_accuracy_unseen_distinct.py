"""The unseen-data rounds' sets whose rows are often exact copies, re-run on their
distinct rows: each round's own loader, fits, 5 splits and summary (round 6's),
with round 20's ``_distinct`` applied last (after the round's subsampling, on the
columns the model sees and the target), so no row has a copy across a split.

The sets are those of ``benchmarks/results/exact_copies.md`` (written by
``diagnose_exact_copies.py``) with more than 10 % repeated rows::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_distinct.py \\
        --out benchmarks/results/accuracy_unseen_distinct.jsonl 10:Milk 15:radon
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_distinct.py \\
        --out benchmarks/results/accuracy_unseen_distinct.jsonl --report

Results: ``benchmarks/results/accuracy_unseen_distinct.md``.
"""

import argparse
import importlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round6 as round6  # noqa: E402
from bench_accuracy_unseen_round20 import _distinct  # noqa: E402


def _distinct_after(drop):
    """A last step of the frame: the round's dropped columns removed first (rows
    equal but for an id or a leak are copies to the model), then ``_distinct``."""
    def prepare(frame):
        return _distinct(frame.drop(columns=[c for c in drop if c in frame.columns]))
    return prepare


def distinct_sets(rnd):
    """Round ``rnd``'s sets, each loaded as the round loads it, then deduplicated."""
    sets = importlib.import_module(f"bench_accuracy_unseen_round{rnd}").SETS
    return {name: (*entry, _distinct_after(entry[4])) for name, entry in sets.items()}


# Sets with over 10 % repeats that could not be re-run on their distinct rows.
NOT_RUN = {(19, "schizophrenia2"): "19 distinct rows of 204: too few for the kNN "
                                   "expert's 15 neighbours in a fold"}
# The rounds' running tallies as their pages give them (sets, first, within 0.5 %).
AS_RUN = (182, 103, 146)


def _page_cells(rnd, name):
    """The cells of the set's first table row on its round's page."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "results", f"accuracy_unseen_round{rnd}.md")) as f:
        for line in f:
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 12 and cells[1] == name and cells[2] in ("regre.", "class."):
                return cells
    raise ValueError(f"{name} not in round {rnd}'s page")


def page_row(rnd, name):
    """(rank, gap to the better blend) of a set as its round's page gives them:
    the figures the running tallies add up."""
    cells = _page_cells(rnd, name)
    return int(cells[10]), float(cells[11].split("%")[0]) / 100


def tallies(results):
    """The rounds' tallies (sets, first, within 0.5 % of the better blend) with
    the re-run sets counted on their distinct rows instead of as run, and the
    sets of ``NOT_RUN`` left out."""
    sets, first, within = AS_RUN
    for rnd, name in [*((r["round"], r["set"]) for r in results), *NOT_RUN]:
        rank, gap = page_row(rnd, name)
        first, within = first - (rank == 1), within - (gap <= 0.005)
    for res in results:
        s = round6.summarise(res)
        first, within = first + (s["rank"] == 1), within + (s["gap_blend"] <= 0.005)
    return sets - len(NOT_RUN), first, within


def _cells(result):
    """(rank, gap ± SE (blend)) of a result, or n/a."""
    if result is None:
        return "n/a", "n/a"
    s = round6.summarise(result)
    return s["rank"], (f"{100 * s['gap_blend']:+.2f} % ± {round6._pct(s['gap_blend_se'])} "
                       f"({s['best_blend']})")


def report(results, controls=()):
    """Per set: rows, the mixture's rank and its gap to the better blend as the
    round ran it (its library), on all rows with today's library (``controls``:
    the round script's records, where run) and on the distinct rows."""
    controls = {r["set"]: r for r in controls}
    lines = ["| round | set | rows → distinct | rank: as run / today, all rows / today, "
             "distinct | gap to min(Stacking, Caruana) ± SE: as run / today, all rows / "
             "today, distinct |", "|---|---|---|---|---|"]
    for res in results:
        page = _page_cells(res["round"], res["set"])
        cells = [(page[10], page[11]), _cells(controls.get(res["set"])), _cells(res)]
        rows = page[3]
        lines.append(f"| {res['round']} | {res['set']} | {rows} → {res['n']} | "
                     + " / ".join(str(c[0]) for c in cells) + " | "
                     + " / ".join(c[1] for c in cells) + " |")
    return "\n".join(lines)


SUITE_METHODS = ["experts", "ensemble", "stacking", "caruana", "moe"]


def run_suite_set(name, distinct, splits=10):
    """The public suite's protocol (``run_benchmarks.run_suite``: its loader, 10
    splits, its summary) on one set, on all its rows or on its distinct rows."""
    import pandas as pd

    import run_benchmarks as bench
    load = bench.load

    def deduplicated(name, max_rows, seed=0):
        task, X, y, n_total = load(name, max_rows, seed)
        keep = _distinct(pd.DataFrame(X).assign(target=y)).index.to_numpy()
        return task, X[keep], y[keep], n_total

    bench.load = deduplicated if distinct else load
    try:
        result = bench.run_suite([name], methods=list(SUITE_METHODS), splits=splits)
    finally:
        bench.load = load
    return {"set": name, "distinct": distinct, "summary": result["summary"][0],
            "records": result["datasets"][0]["records"],
            "rows": result["datasets"][0]["n_rows_used"]}


def suite_report(results):
    lines = ["| set | rows | mixture rank | gap to the better blend ± SE | Stacking | Caruana "
             "| mixture |", "|---|---|---|---|---|---|---|"]
    for r in results:
        s, metric = r["summary"], r["summary"]["metric"]
        lines.append(f"| {r['set']}{' (distinct)' if r['distinct'] else ''} | {r['rows']} "
                     f"| {s['moe_rank']} | {100 * s['moe_gap_to_best_blend']:+.2f} % ± "
                     f"{100 * s['moe_gap_to_best_blend_se']:.2f} ({s['best_blend']}) | "
                     + " | ".join(f"{s['scores'][m][metric]:.4f}"
                                  for m in ("stacking", "caruana", "moe")) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="ROUND:SET, e.g. 10:Milk")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", required=True)
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--control", help="with --report: the round scripts' records of "
                        "the same sets on all their rows with today's library (JSON lines)")
    parser.add_argument("--suite", action="store_true",
                        help="the sets are the public suite's: run each on all its rows and "
                             "on its distinct rows with run_benchmarks' protocol")
    args = parser.parse_args(argv)
    if args.suite:
        return suite_main(args)
    done = []
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = [json.loads(line) for line in f]
    if args.report:
        controls = []
        if args.control:
            with open(args.control) as f:
                controls = [json.loads(line) for line in f]
        print(report(done, controls))
        print("\nTallies of rounds 6-20 (sets, first, within 0.5 %%): as run %s; with "
              "these sets on their distinct rows %s" % (AS_RUN, tallies(done)))
        return
    seen = {(r["round"], r["set"]) for r in done}
    for item in args.sets:
        rnd, name = item.split(":")
        if (int(rnd), name) in seen:
            continue
        start = time.perf_counter()
        result = round6.run(name, args.splits, lambda s: print(s, flush=True),
                            distinct_sets(int(rnd)))
        result.update(round=int(rnd), seconds=round(time.perf_counter() - start, 1))
        with open(args.out, "a") as f:
            f.write(json.dumps(result) + "\n")
        print(report([result]).splitlines()[-1], flush=True)


def suite_main(args):
    done = []
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = [json.loads(line) for line in f]
    if not args.report:
        for name in args.sets:
            for distinct in (False, True):
                if any(r["set"] == name and r["distinct"] == distinct for r in done):
                    continue
                done.append(run_suite_set(name, distinct, args.splits))
                with open(args.out, "a") as f:
                    f.write(json.dumps(done[-1]) + "\n")
    print(suite_report(done))


if __name__ == "__main__":
    main()
