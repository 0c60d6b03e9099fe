"""The hierarchical mixture's EM with and without early stopping on held-out rows.

``early_stopping=False`` (EM in-sample until the log-likelihood changes by less
than ``tol``) against ``early_stopping=True`` with ``validation_fraction`` 0.1
and 0.2 (``n_iter_no_change=10``; the tree of the best held-out iteration is
kept), on two groups of sets, each with its own benchmark's loader, splits,
leaves and seeds (nothing else changes):

* ``unseen``: the 10 sets of ``bench_trainers_unseen.py`` and its 'hme' model
  (standardised Ridge / LogisticRegression leaves, ``branching=(2, 2)``,
  ``max_iter=100``), 5 splits (test 25 %);
* ``suite``: the sets of ``bench_hme_suite.py`` and its model (the pool of
  ``run_benchmarks.py`` as the four leaves, ``max_iter=20``), 3 splits, at
  most 3000 rows.

Test RMSE or log-loss (mean over splits) and fit seconds (median)::

    OMP_NUM_THREADS=1 python benchmarks/bench_hme_early_stopping.py unseen --out unseen.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_hme_early_stopping.py suite --out suite.jsonl
    python benchmarks/bench_hme_early_stopping.py unseen --out unseen.jsonl --report

A run resumes: the sets already in ``--out`` are skipped. Results:
``benchmarks/results/hme_early_stopping.md`` (and ``hme_early_stopping_*.jsonl``).
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round6 as round6  # noqa: E402
import bench_trainers_unseen as unseen  # noqa: E402
from run_benchmarks import _scores, _splits, load, make_experts  # noqa: E402

# name: the parameters that differ from the model's own.
CONFIGS = {"off": {"early_stopping": False},
           "es0.1": {"early_stopping": True, "validation_fraction": 0.1},
           "es0.2": {"early_stopping": True, "validation_fraction": 0.2}}


def data_and_model(group, name):
    """(task, X, y, splits, make(config, seed)) of one set of one group."""
    if group == "unseen":
        task, X, y = unseen.load(name)
        splits = _splits(task, X, y, 5, 0.25, 0)
        return task, X, y, splits, lambda seed: unseen.build("hme", task, seed)
    import skmoe
    task, X, y, _ = load(name, 3000)
    splits = _splits(task, X, y, 3, 0.25)
    cls = (skmoe.HierarchicalMixtureRegressor if task == "regression"
           else skmoe.HierarchicalMixtureClassifier)
    return task, X, y, splits, lambda seed: cls(make_experts(task, seed=seed),
                                                branching=(2, 2), max_iter=20,
                                                random_state=seed)


def run(group, name, log=print):
    task, X, y, splits, make = data_and_model(group, name)
    metric = "rmse" if task == "regression" else "log_loss"
    records = []
    for split, (train, test) in enumerate(splits):
        for config, params in CONFIGS.items():
            model = make(split).set_params(**params)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                model.fit(X[train], y[train])
                seconds = time.perf_counter() - start
                score = _scores(task, model, X[test], y[test])[0][metric]
            records.append({"split": split, "config": config, "score": float(score),
                            "fit_s": seconds, "n_iter": int(model.n_iter_),
                            "best_iteration": int(model.best_iteration_),
                            "converged": bool(model.converged_)})
        log(f"  {name} split {split} " + " ".join(
            f"{r['config']} {r['score']:.4f} ({r['best_iteration']}/{r['n_iter']}, "
            f"{r['fit_s']:.1f} s)" for r in records if r["split"] == split))
    return {"set": name, "task": task, "n": len(y), "metric": metric, "records": records}


def report(results):
    lines = ["| set | task | rows | off | es 0.1 | es 0.2 | fit s off / 0.1 / 0.2 "
             "| iterations off; 0.1; 0.2 (best/run) |", "|---|---|---|---|---|---|---|---|"]
    wins = {c: [0, 0, 0] for c in CONFIGS if c != "off"}   # better, equal (±1 %), worse
    for res in results:
        recs = res["records"]
        mean = {c: np.mean([r["score"] for r in recs if r["config"] == c]) for c in CONFIGS}
        secs = {c: np.median([r["fit_s"] for r in recs if r["config"] == c]) for c in CONFIGS}
        cells = [f"{mean['off']:.4g}"]
        for c in wins:
            change = mean[c] / mean["off"] - 1
            cells.append(f"{mean[c]:.4g} ({100 * change:+.1f} %)")
            wins[c][0 if change < -0.01 else 1 if change <= 0.01 else 2] += 1
        iters = "; ".join(" ".join(f"{r['best_iteration']}/{r['n_iter']}"
                                   f"{'' if r['converged'] else '*'}"
                                   for r in recs if r["config"] == c) for c in CONFIGS)
        lines.append(f"| {res['set']} | {res['task'][:5]}. | {res['n']} | " + " | ".join(cells)
                     + " | " + " / ".join(f"{secs[c]:.2f}" for c in CONFIGS)
                     + f" | {iters} |")
    lines += ["", "In brackets: change of the mean test score from 'off' (lower is better). "
              "* = not converged (max_iter reached).", ""]
    lines += [f"- {c}: better (by more than 1 %) on {b}, within 1 % on {e}, worse on {w} of "
              f"{len(results)} sets" for c, (b, e, w) in wins.items()]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=["unseen", "suite"])
    parser.add_argument("sets", nargs="*")
    parser.add_argument("--out", required=True, help="JSON-lines file of per-set results")
    parser.add_argument("--report", action="store_true", help="print the table and stop")
    args = parser.parse_args(argv)
    if not args.sets:
        from skmoe.datasets import list_datasets
        args.sets = list(unseen.SETS) if args.group == "unseen" else list(list_datasets())
    args.splits = None            # (each group's splits are its benchmark's)
    round6.run_or_report(args, lambda name, _, log: run(args.group, name, log), report,
                         lambda result: f"{result['set']}: {result['seconds']} s")


if __name__ == "__main__":
    main()
