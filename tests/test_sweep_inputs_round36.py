"""Bad-input sweep, round 36: numpy's and pandas' less common containers.

Probed (no defect found unless a test below names it): read-only memmaps
of X and y, X of negative strides or not contiguous, X with pandas'
nullable columns (Float64, Int64, boolean, with and without pd.NA), string,
category (unused or ordered categories), date, time-span and object columns
mixing numbers and words; values near float64's limits (1e300, -1e308,
subnormals) in X and y; a column constant in the training rows but not at
predict; a classifier's y as floats 0.0/1.0, a Categorical with unused
categories, nullable Int64/boolean and string labels (classes_ and predict
as scikit-learn gives them); a class of one row with cv=5; sample_weight
of int, bool, object, Int64 and Float64 with pd.NA. Across the mixtures,
the ensembles, the hierarchical and multi-task mixtures, the torch
experts, RuleExpert, CrossFitAverage, the gates and compare().

Each test here failed before the fix it names.
"""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skmoe import (AutoGateTransformer, CrossFitAverage, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MLPGate, MixtureOfExpertsRegressor, MultiGateMixtureOfExperts, compare)
from skmoe.experts import RuleExpert, TorchMLPRegressor


def _pairs():
    return [("a", Ridge()), ("b", Ridge(alpha=10.0))]


# Each fits y (1-D, numbers); none gets to fit here.
MODELS = {
    "mixture": lambda: MixtureOfExpertsRegressor(_pairs(), training="em", max_iter=2,
                                                 random_state=0),
    "ensemble": lambda: EnsembleRegressor(_pairs()),
    "greedy": lambda: EnsembleRegressor(_pairs(), weights="greedy", cv=3, random_state=0),
    "hme": lambda: HierarchicalMixtureRegressor(Ridge(), branching=(2,), max_iter=2,
                                                random_state=0),
    "torch": lambda: TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=2, random_state=0),
    "rule": lambda: RuleExpert(lambda X: X[:, 0]),
    "mmoe": lambda: MultiGateMixtureOfExperts(tasks=["regression"], max_iter=2,
                                              random_state=0),
    "hetero": lambda: HeterogeneousMultiGateMixtureOfExperts(_pairs(), tasks=["regression"],
                                                             max_iter=2, random_state=0),
}


def _data(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _structured(X):
    records = np.zeros(len(X), dtype=[("a", "f8"), ("b", "f8"), ("c", "f8")])
    for j, field in enumerate("abc"):
        records[field] = X[:, j]
    return records


@pytest.mark.parametrize("model", list(MODELS), ids=list(MODELS))
def test_a_structured_array_as_x_is_named_with_the_calls_that_read_it(model):
    # Its rows are records: scikit-learn said "Expected 2D array, got 1D
    # array instead", printed them and advised reshape(-1, 1) (one column of
    # records); the torch experts, the rule and the multi-task mixtures
    # stopped with numpy's "Cannot cast array data from dtype([('a', '<f8'),
    # ...]) to dtype('float64')". Neither said what X is nor how to read it.
    X, y = _data()
    with pytest.raises(TypeError, match=r"X is a numpy structured array \(fields 'a', 'b', "
                                        r"'c'\).*pd\.DataFrame\(X\).*structured_to_unstructured"):
        MODELS[model]().fit(_structured(X), y)


@pytest.mark.parametrize("call", ["compare", "gate", "auto_gate", "crossfit"])
def test_the_tools_around_the_models_name_a_structured_array_too(call):
    X, y = _data()
    records = _structured(X)
    run = {
        "compare": lambda: compare({"ridge": Ridge()}, records, y, cv=3),
        "gate": lambda: MLPGate(max_iter=2).fit(records, np.full((len(y), 2), 0.5)),
        "auto_gate": lambda: AutoGateTransformer().fit(records),
        "crossfit": lambda: CrossFitAverage([Ridge().fit(X, y)]).predict(records),
    }[call]
    with pytest.raises(TypeError, match="X is a numpy structured array"):
        run()
