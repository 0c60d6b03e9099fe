"""Is the benchmarks' Stacking baseline crippled by the target's scale? scikit-
learn's ``StackingRegressor(experts, cv=5)`` (final ``RidgeCV``, penalties 0.1, 1
and 10, not scale-free) against the same fitted on the standardised target and
mapped back (``run_benchmarks.stacking_regressor``), on each set's own loader and
splits (5; seed ``split`` for the models, as the rounds do)::

    OMP_NUM_THREADS=1 python benchmarks/check_stacking_scale.py 20:MunExp suite:cps1985

The penalty matters where it is not small against ``n_train * var(y)``
(``diagnose_exact_copies.py`` gives it per set): the sets checked are those where
it is under 1,000. Prints, per set, both RMSEs, their paired ratio with its
standard error, and the penalty and coefficients of the plain final ``RidgeCV``
(first split).

``--rescore OUT`` instead re-fits the standardised Stacking alone on the named
sets of rounds 8 to 20 (those with a jsonl), on the round's splits and seeds, and
appends the round's recorded result with its Stacking records replaced to the
JSON-lines file OUT (the other methods as the round measured them)::

    OMP_NUM_THREADS=1 python benchmarks/check_stacking_scale.py 20:MunExp \
        --rescore benchmarks/results/accuracy_unseen_stacking_scaled.jsonl

Results: ``benchmarks/results/stacking_scale.md``.
"""

import argparse
import importlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_benchmarks  # noqa: E402


def load(source, name):
    """(task, X, y) as the round (``6`` to ``20``) or the suite (``suite``) loads it."""
    if source == "suite":
        return run_benchmarks.load(name, 20000)[:3]
    return importlib.import_module(f"bench_accuracy_unseen_round{source}").load(name)


def check(source, name, n_splits=5):
    from sklearn.ensemble import StackingRegressor
    task, X, y = load(source, name)
    if task != "regression":
        raise ValueError(f"{name} is {task}: only a regression Stacking has a RidgeCV")
    plain, scaled, first = [], [], None
    for split, (train, test) in enumerate(run_benchmarks._splits(task, X, y, n_splits,
                                                                 0.25, 0)):
        for out, model in ((plain, StackingRegressor(run_benchmarks.make_experts(
                                task, seed=split), cv=5, n_jobs=1)),
                           (scaled, run_benchmarks.stacking_regressor(
                                run_benchmarks.make_experts(task, seed=split)))):
            model.fit(X[train], y[train])
            out.append(float(np.sqrt(np.mean((model.predict(X[test]) - y[test]) ** 2))))
            if first is None:
                final = model.final_estimator_  # the plain one's
                first = (float(final.alpha_), [round(float(c), 3) for c in final.coef_])
    ratio = np.array(scaled) / np.array(plain)
    return {"source": source, "set": name, "rows": len(y), "y_sd": float(np.std(y)),
            "plain": float(np.mean(plain)), "standardised": float(np.mean(scaled)),
            "ratio": float(ratio.mean()), "ratio_se": float(ratio.std(ddof=1)
                                                            / np.sqrt(len(ratio))),
            "alpha": first[0], "coef": first[1]}


def rescore(rnd, name, out):
    """The round's result of ``name`` with its Stacking records re-fitted by
    ``run_benchmarks.stacking_regressor`` (same splits and seeds), appended to ``out``."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "results", f"accuracy_unseen_round{rnd}.jsonl")) as f:
        result = next(r for r in map(json.loads, f) if r["set"] == name)
    task, X, y = load(rnd, name)
    assert len(y) == result["n"], (name, len(y), result["n"])
    splits = run_benchmarks._splits(task, X, y, len({r["split"] for r in result["records"]}),
                                    0.25, 0)
    records = [r for r in result["records"] if r["method"] != "stacking"]
    for split, (train, test) in enumerate(splits):
        model = run_benchmarks.build_method("stacking", task, seed=split, lgbm_trees=300,
                                            n_jobs=1)
        model.fit(X[train], y[train])
        rmse = float(np.sqrt(np.mean((model.predict(X[test]) - y[test]) ** 2)))
        records.append({"split": split, "method": "stacking", "rmse": rmse,
                        "standardised": True})
    result.update(records=records, round=int(rnd))
    with open(out, "a") as f:
        f.write(json.dumps(result) + "\n")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="SOURCE:SET, e.g. 20:MunExp, suite:wage")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--rescore", metavar="OUT",
                        help="re-fit the standardised Stacking into a round's records")
    args = parser.parse_args(argv)
    if args.rescore:
        import bench_accuracy_unseen_round6 as round6
        for item in args.sets:
            s = round6.summarise(rescore(*item.split(":"), args.rescore))
            print(f"{item}: rank {s['rank']}, gap to {s['best_blend']} "
                  f"{100 * s['gap_blend']:+.2f} % ± {round6._pct(s['gap_blend_se'])}")
        return
    print("| source | set | rows | target sd | Stacking RMSE | standardised | ratio ± SE "
          "| plain RidgeCV alpha, coefficients (split 0) |")
    print("|---|---|---|---|---|---|---|---|")
    for item in args.sets:
        source, name = item.split(":")
        r = check(source, name, args.splits)
        print(f"| {source} | {name} | {r['rows']} | {r['y_sd']:.3g} | {r['plain']:.4g} "
              f"| {r['standardised']:.4g} | {r['ratio']:.4f} ± {r['ratio_se']:.4f} "
              f"| {r['alpha']:g}, {r['coef']} |", flush=True)


if __name__ == "__main__":
    main()
