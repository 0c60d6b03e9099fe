"""Bad-input sweep, round 16: errors that come from inside an expert (or
torch) and do not say what is wrong with the input, and inputs that were taken
though they mean nothing (a gate's negative constant weights, negative score
weights)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor)


def _experts():
    return [("gbm", HistGradientBoostingRegressor(max_iter=5)),
            ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(_experts(), max_epochs=2, random_state=0),
    lambda: MixtureOfExpertsRegressor(_experts(), training="em", max_iter=2, random_state=0),
    lambda: EnsembleRegressor(_experts()),
    lambda: HierarchicalMixtureRegressor(HistGradientBoostingRegressor(max_iter=5),
                                         branching=2, max_iter=2, random_state=0),
])
@pytest.mark.parametrize("frame", [False, True])
def test_a_column_missing_in_every_row_is_named(make, frame):
    # An expert that takes NaN fails on a column of NaN only with scikit-
    # learn's "window shape cannot be larger than input array shape", which
    # says neither the column nor that it is empty.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    X[:, 1] = np.nan
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    if frame:
        X = pd.DataFrame(X, columns=["a", "empty", "c"])
    column = "'empty'" if frame else "1"
    with pytest.raises(ValueError, match=rf"failed to fit: .*column\(s\) {column} are missing "
                                         r"\(NaN\) in every row it was fitted on"):
        make().fit(X, y)


@pytest.mark.parametrize("proba, why", [
    ([0.2, 0.3, -0.5], "a negative weight: a NaN gate, silently"),
    ([0.0, 0.0, 0.0], "all zeros: a NaN gate, silently"),
    ([0.2, np.nan, 0.8], "NaN: a NaN gate, silently"),
    ([0.5, 0.5], "one weight short: torch's 'The size of tensor a (3) must match'"),
    (["a", "b", "c"], "words: numpy's 'could not convert string to float'"),
])
def test_gate_fit_constant_names_weights_that_are_no_gate(proba, why):
    from skmoe import MLPGate
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 2))
    gate = MLPGate(max_iter=2).fit(X, rng.dirichlet(np.ones(3), size=20))
    with pytest.raises(ValueError, match=r"fit_constant: proba must be 3 finite, non-negative"):
        gate.fit_constant(np.array(proba, dtype=object) if why.startswith("words") else proba)


def test_gate_fit_constant_still_takes_zero_weights():
    # A zero weight is an expert the constant gate never picks (the greedy
    # constant blend gives some experts none).
    from skmoe import MLPGate
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 2))
    gate = MLPGate(max_iter=2).fit(X, rng.dirichlet(np.ones(3), size=20))
    proba = gate.fit_constant([0.0, 2.0, 6.0]).predict_proba(X[:4])
    np.testing.assert_allclose(proba, np.tile([0.0, 0.25, 0.75], (4, 1)), rtol=1e-6, atol=0)


@pytest.fixture(scope="module")
def fitted_experts():
    from sklearn.linear_model import LogisticRegression, Ridge
    from skmoe import CrossFitAverage, RuleExpert, TorchMLPClassifier, TorchMLPRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y, labels = X[:, 0], (X[:, 0] > 0).astype(int)
    return X, [
        (CrossFitAverage([Ridge().fit(X[:20], y[:20]), Ridge().fit(X[20:], y[20:])]), y),
        (CrossFitAverage([LogisticRegression().fit(X[:20], labels[:20]),
                          LogisticRegression().fit(X[20:], labels[20:])], n_classes=2), labels),
        (RuleExpert(_first_column).fit(X, y), y),
        (RuleExpert(_first_positive, task="classification").fit(X, labels), labels),
        (TorchMLPRegressor(max_epochs=2, random_state=0).fit(X, y), y),
        (TorchMLPClassifier(max_epochs=2, random_state=0).fit(X, labels), labels),
    ]


def _first_column(X):
    return X[:, 0]


def _first_positive(X):
    return X[:, 0] > 0


@pytest.mark.parametrize("which", range(6))
@pytest.mark.parametrize("weight", [-np.ones(40), np.r_[-1.0, np.ones(39)]])
def test_the_experts_score_refuses_negative_sample_weight_as_the_mixtures_do(
        fitted_experts, which, weight):
    # scikit-learn's metrics took negative weights: all -1 scored as all +1
    # (the R^2 of a CrossFitAverage was 0.99 for either), a number that means
    # nothing. The mixtures' score refuses them; so do the experts' now.
    X, experts = fitted_experts
    expert, y = experts[which]
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        expert.score(X, y, sample_weight=weight)
