"""The regressor's deployment, fold fits averaged ('auto') or half refit (0.5), on
the regression sets of the unseen-data rounds 6, 7, 9 and 10.

Rounds 8 and 11 (``accuracy_unseen_round8.md``, ``accuracy_unseen_round11.md``)
and ``bench_refit_unseen.py`` measured ``refit_experts=0.5`` on their own sets;
this script measures it on the other rounds' regression sets, with each
round's loader and the suite's splits and seeds (5 splits): per split the
test RMSE and fit time of the default mixture and of ``refit_experts=0.5``,
one JSON line each::

    OMP_NUM_THREADS=1 python benchmarks/bench_refit_share_unseen.py \\
        6:HousePrices 6:Credit 7:MedExp 9:hprice1 10:Births > refit_share.jsonl
    python benchmarks/bench_refit_share_unseen.py --report refit_share.jsonl

Results: ``benchmarks/results/refit_experts.md``.
"""
import collections
import importlib
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method  # noqa: E402

SHARES = ("auto", 0.5)


def run(specs, n_splits=5):
    """Print one JSON line per split of each ``round:set`` in ``specs``."""
    warnings.simplefilter("ignore")
    for spec in specs:
        round_, name = spec.split(":")
        task, X, y = importlib.import_module(f"bench_accuracy_unseen_round{round_}").load(name)
        if task != "regression":
            continue
        for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
            row = {"round": round_, "set": name, "split": split}
            for share in SHARES:
                started = time.perf_counter()
                model = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1,
                                     moe_params={"refit_experts": share})
                model.fit(X[train], y[train])
                row[f"fit_{share}"] = time.perf_counter() - started
                row[str(share)] = float(np.sqrt(np.mean((model.predict(X[test]) - y[test]) ** 2)))
            print(json.dumps(row), flush=True)


def report(paths):
    """Per set: the mean RMSEs, the change (mean of the per-split changes' set
    means: the ratio of the means) with its standard error over the splits,
    and the median fit-time ratio; then the counts."""
    rows = [json.loads(line) for path in paths for line in open(path)]
    by_set = collections.defaultdict(list)
    for row in rows:
        by_set[(row["round"], row["set"])].append(row)
    changes = []
    print("| set (round) | splits | default | refit_experts=0.5 | change ± SE | fit time ratio |")
    print("|---|---|---|---|---|---|")
    for (round_, name), split_rows in by_set.items():
        default = np.mean([r["auto"] for r in split_rows])
        half = np.mean([r["0.5"] for r in split_rows])
        per_split = [r["0.5"] / r["auto"] - 1 for r in split_rows]
        se = np.std(per_split, ddof=1) / np.sqrt(len(per_split))
        ratio = np.median([r["fit_0.5"] / r["fit_auto"] for r in split_rows])
        changes.append(half / default - 1)
        print(f"| {name} ({round_}) | {len(split_rows)} | {default:.4g} | {half:.4g} | "
              f"{100 * (half / default - 1):+.2f} % ± {100 * se:.2f} | {ratio:.2f} |")
    changes = np.array(changes)
    print(f"\n{len(changes)} sets: mean {100 * changes.mean():+.2f} %, median "
          f"{100 * np.median(changes):+.2f} %; better by more than 0.5 %: "
          f"{(changes < -0.005).sum()}, worse by more than 0.5 %: {(changes > 0.005).sum()}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--report"]:
        report(sys.argv[2:])
    else:
        run(sys.argv[1:])
