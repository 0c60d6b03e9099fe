"""EM mixture vs the gradient default, stacking and the best expert, per dataset.

Same expert pool, splits and loaders as ``run_benchmarks.py``. EM variants
are module settings of :mod:`skmoe._em` (``--variant NAME=KEY:VALUE,...``:
``init`` is ``init_params``, ``floor`` sets ``WEIGHT_FLOOR``, any other key
the module constant of that name in upper case, e.g. ``patience:2``,
``noise_z:0``, ``constant_gate_start:0``, ``final_gate_warm:0``), so that
design choices can be measured side by side without new public parameters. Scores: RMSE (regression) or
log-loss (classification), mean over splits; fit times relative to
``Stacking(cv=5)`` in the same split (median over splits).

    OMP_NUM_THREADS=1 python benchmarks/bench_em.py --splits 3 --max-rows 5000 \\
        --out benchmarks/results/bench_em.json
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_benchmarks import _proba_scores, _splits, load, make_experts  # noqa: E402

BASE_METHODS = ["best_expert", "stacking", "gradient"]


def _variant(spec):
    name, _, settings = spec.partition("=")
    out = {}
    for item in filter(None, settings.split(",")):
        key, value = item.split(":")
        out[key] = value if key == "init" else float(value)
    return name, out


def _build(method, task, seed, trees, variants):
    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                       MixtureOfExpertsRegressor)
    experts = make_experts(task, seed=seed, lgbm_trees=trees, n_jobs=1)
    regression = task == "regression"
    if method == "best_expert":
        return (EnsembleRegressor if regression else EnsembleClassifier)(experts)
    if method == "stacking":
        return (StackingRegressor if regression else StackingClassifier)(experts, cv=5)
    cls = MixtureOfExpertsRegressor if regression else MixtureOfExpertsClassifier
    if method == "gradient":
        return cls(experts, training="gradient", random_state=seed)
    settings = variants[method]
    return cls(experts, training="em", random_state=seed,
               init_params=settings.get("init", "auto"))


def _score(task, out, y, classes=None):
    if task == "regression":
        return float(np.sqrt(np.mean((out - y) ** 2)))
    return _proba_scores(out, classes, y)["log_loss"]


def run(datasets, variants, splits, max_rows, trees, log=print):
    import skmoe._em as em
    from sklearn.exceptions import ConvergenceWarning
    # getattr: also runs on versions of skmoe without these settings.
    constants = {key: ("WEIGHT_FLOOR" if key == "floor" else key.upper())
                 for v in variants.values() for key in v if key != "init"}
    constants.update(floor="WEIGHT_FLOOR", patience="PATIENCE")
    defaults = {key: getattr(em, const, None) for key, const in constants.items()}
    methods = BASE_METHODS + list(variants)
    rows = []
    for name in datasets:
        task, X, y, _ = load(name, max_rows)
        per = {m: {"score": [], "time": [], "warned": 0, "n_iter": []} for m in methods}
        for seed, (train, test) in enumerate(_splits(task, X, y, splits, 0.25)):
            for method in methods:
                settings = variants.get(method, {})
                for key, const in constants.items():
                    value = settings.get(key, defaults[key])
                    if value is not None:
                        default = defaults[key]
                        setattr(em, const, type(default)(value)
                                if isinstance(default, (bool, int, float)) else value)
                model = _build(method, task, seed, trees, variants)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    start = time.perf_counter()
                    model.fit(X[train], y[train])
                    seconds = time.perf_counter() - start
                per[method]["warned"] += any(issubclass(w.category, ConvergenceWarning)
                                             for w in caught)
                per[method]["time"].append(seconds)
                per[method]["n_iter"].append(getattr(model, "n_iter_", 0))
                if method == "best_expert":
                    each = model.predict_experts(X[test])
                    scores = [_score(task, each[:, i], y[test], model.classes_
                                     if task != "regression" else None)
                              for i in range(each.shape[1])]
                    per[method]["score"].append(scores)
                else:
                    out = (model.predict(X[test]) if task == "regression"
                           else model.predict_proba(X[test]))
                    per[method]["score"].append(
                        _score(task, out, y[test], getattr(model, "classes_", None)))
        experts = np.mean(per["best_expert"]["score"], axis=0)
        row = {"dataset": name, "task": task, "n": len(y)}
        for method in methods:
            score = float(min(experts)) if method == "best_expert" else float(
                np.mean(per[method]["score"]))
            ratio = statistics.median(t / s for t, s in zip(per[method]["time"],
                                                             per["stacking"]["time"]))
            row[method] = {"score": score, "fit_vs_stacking": ratio,
                           "converged_all": per[method]["warned"] == 0,
                           "n_iter": statistics.median(per[method]["n_iter"])}
        rows.append(row)
        log(_line(row, methods))
    for key, const in constants.items():
        if defaults[key] is not None:
            setattr(em, const, defaults[key])
    return rows


def _line(row, methods):
    ref = row["gradient"]["score"]
    cells = [f"{row['dataset']:>16}"]
    for m in methods:
        cell = row[m]
        cells.append(f"{m}={cell['score']:.4f}({(cell['score'] - ref) / ref:+.1%},"
                     f"t{cell['fit_vs_stacking']:.2f}{'' if cell['converged_all'] else ',NC'}"
                     f"{'' if m in BASE_METHODS else ',i%g' % cell['n_iter']})")
    return "  ".join(cells)


def summary(rows, variants):
    out = {}
    for v in variants:
        gaps = [(r[v]["score"] - r["gradient"]["score"]) / r["gradient"]["score"]
                for r in rows]
        stack = [(r[v]["score"] - r["stacking"]["score"]) / r["stacking"]["score"]
                 for r in rows]
        out[v] = {"median_gap_to_gradient": statistics.median(gaps),
                  "median_gap_to_stacking": statistics.median(stack),
                  "converged_share": float(np.mean([r[v]["converged_all"] for r in rows])),
                  "median_fit_vs_stacking": statistics.median(
                      r[v]["fit_vs_stacking"] for r in rows)}
    return out


def main(argv=None):
    from skmoe.datasets import list_datasets
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--variant", action="append", default=None,
                        help="NAME=floor:0.1,patience:2,init:uniform (repeatable)")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=5000)
    parser.add_argument("--lgbm-trees", type=int, default=300)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    variants = dict(_variant(v) for v in (args.variant or ["em="]))
    datasets = args.datasets or sorted(list_datasets())
    rows = run(datasets, variants, args.splits, args.max_rows, args.lgbm_trees)
    result = {"rows": rows, "summary": summary(rows, variants), "args": vars(args)}
    print(json.dumps(result["summary"], indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
