"""Exact-copy rows in the benchmarks' data: how many rows of each set of the
unseen-data rounds 6 to 31 and of the public suite repeat an earlier row in every
column (the features as the model sees them, and the target), after each script's
own loading, preprocessing and subsampling.

Shuffled splits put a row's copies on both sides, which rewards the models that
memorise rows (the tree, the nearest neighbours) and any blend that leans on them.
Loading only (no fits), a minute or two::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_exact_copies.py \\
        --out benchmarks/results/exact_copies.md

For each regression set the table also gives the target's standard deviation and
``n_train * var(y)`` (``n_train``: 75 % of the rows), against which the penalties
0.1 to 10 of Stacking's default final ``RidgeCV`` are measured: where it is small,
that penalty shrinks the blend's coefficients (see ``check_stacking_scale.py``).

Results: ``benchmarks/results/exact_copies.md``.
"""

import argparse
import importlib
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROUNDS = range(6, 32)
# A set with more copies than this share of its rows is re-run deduplicated.
THRESHOLD = 0.10


def copies(X, y):
    """(repeats, rows in a repeated group): rows equal in every column of X and
    in y to an earlier row (what deduplication drops), and all rows that have a
    copy (the first of each group included)."""
    frame = pd.DataFrame(np.asarray(X, float)).assign(target=np.asarray(y))
    return int(frame.duplicated().sum()), int(frame.duplicated(keep=False).sum())


def round_sets():
    """(source, name, loader) of every set of rounds 6 to 31, as each round loads it."""
    for rnd in ROUNDS:
        module = importlib.import_module(f"bench_accuracy_unseen_round{rnd}")
        for name in module.SETS:
            yield f"round {rnd}", name, (lambda m=module, n=name: m.load(n))


def suite_sets(max_rows=20000):
    """(source, name, loader) of the public suite's sets, as ``run_benchmarks.py``
    loads them (subsampled to ``max_rows``)."""
    import run_benchmarks
    from skmoe.datasets import list_datasets
    for name in list_datasets():
        yield "suite", name, (lambda n=name: run_benchmarks.load(n, max_rows)[:3])


def rows():
    out = []
    for source, name, loader in [*round_sets(), *suite_sets()]:
        task, X, y = loader()
        repeats, grouped = copies(X, y)
        row = {"source": source, "set": name, "task": task, "rows": len(y),
               "repeats": repeats, "share": repeats / len(y), "in_groups": grouped}
        if task == "regression":
            y = np.asarray(y, float)
            row["y_sd"] = float(np.std(y))
            row["ntrain_var"] = float(0.75 * len(y) * np.var(y))
        out.append(row)
        print(f"{source:9s} {name:24s} {len(y):6d} {repeats:6d} {100 * row['share']:6.1f} %",
              flush=True)
    return out


def report(rows):
    lines = ["# Exact-copy rows in the benchmarks' data", "",
             "Written by `OMP_NUM_THREADS=1 python benchmarks/diagnose_exact_copies.py "
             "--out benchmarks/results/exact_copies.md` (loading only). A row's copy "
             "repeats it in every column the model sees (after each script's own "
             "preprocessing and subsampling) and in the target; *repeats* are the rows "
             "deduplication drops, *rows with a copy* count every member of a repeated "
             "group. Shares over 10 % in bold. The last two columns (regression) are "
             "for `check_stacking_scale.py`.", "",
             "| source | set | task | rows | repeats (dropped by deduplication) | share "
             "| rows with a copy | target sd | n_train·var(y) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        mark = "**" if r["share"] > THRESHOLD else ""
        sd = f"{r['y_sd']:.3g}" if "y_sd" in r else ""
        nv = f"{r['ntrain_var']:.3g}" if "ntrain_var" in r else ""
        lines.append(f"| {r['source']} | {r['set']} | {r['task'][:5]}. | {r['rows']} "
                     f"| {r['repeats']} | {mark}{100 * r['share']:.1f} %{mark} "
                     f"| {r['in_groups']} | {sd} | {nv} |")
    over = [r["set"] for r in rows if r["share"] > THRESHOLD]
    lines += ["", f"{len(rows)} sets; repeats over {100 * THRESHOLD:.0f} % of the rows: "
              f"{len(over)} ({', '.join(over) or 'none'}); any repeat: "
              f"{sum(r['repeats'] > 0 for r in rows)}."]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="markdown table (default: print it)")
    args = parser.parse_args(argv)
    table = report(rows())
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
