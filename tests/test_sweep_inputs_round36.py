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
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmoe import (AutoGateTransformer, CrossFitAverage, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MLPGate, MixtureOfExpertsRegressor, MultiGateMixtureOfExperts, bic, compare,
                   log_likelihood_scorer, select_n_experts)
from skmoe.experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor


def _pairs():
    return [("a", Ridge()), ("b", Ridge(alpha=10.0))]


# Each fits y (1-D, numbers) and takes sample_weight; none gets to fit here.
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


def _labelled(X):
    """X as a DataFrame whose rows carry labels (as after a selection of rows,
    ``df.iloc[...]`` or a train_test_split part), not a new RangeIndex: with
    one, the misaligned rows are warned of, not refused (a Pipeline step that
    rebuilds X gives one; tests/test_review_round1.py)."""
    return pd.DataFrame(X, columns=["a", "b", "c"], index=pd.Index(np.arange(len(X))))


def _shuffled(values, index, seed=1):
    """``values`` as a Series labelled by ``index``, its rows in another order."""
    order = np.random.default_rng(seed).permutation(len(index))
    return pd.Series(values, index=index).iloc[order]


@pytest.mark.parametrize("model", list(MODELS), ids=list(MODELS))
def test_y_labelled_by_xs_rows_in_another_order_is_refused(model):
    # y and X are read by position, as scikit-learn reads them: a y sorted or
    # shuffled apart from X (its index X's labels in another order) was
    # fitted to the wrong rows without a word (an EM mixture's predictions up
    # to 3.4 apart from the aligned fit's, on y of standard deviation 1.3).
    X, y = _data()
    frame = _labelled(X)
    with pytest.raises(ValueError, match=r"y is a pandas Series whose index holds X's row "
                                         r"labels in another order \(at position 0: \d+, "
                                         r"where X has 0\).*y\.reindex\(X\.index\)"):
        MODELS[model]().fit(frame, _shuffled(y, frame.index))


@pytest.mark.parametrize("model", list(MODELS), ids=list(MODELS))
def test_sample_weight_labelled_by_xs_rows_in_another_order_is_refused(model):
    # The same for the weights: read by position, they weighed the wrong rows
    # (the mixture's predictions moved by 1.2 from the aligned fit's).
    X, y = _data()
    frame = _labelled(X)
    weights = _shuffled(np.linspace(0.5, 2.0, len(y)), frame.index)
    with pytest.raises(ValueError, match=r"sample_weight is a pandas Series whose index holds "
                                         r"X's row labels in another order.*"
                                         r"sample_weight\.reindex\(X\.index\)"):
        MODELS[model]().fit(frame, y, sample_weight=weights)


def test_a_torch_classifier_refuses_labels_and_weights_in_another_order():
    X, y = _data()
    frame = _labelled(X)
    labels = np.where(y > 0, "up", "down")
    model = TorchMLPClassifier(hidden_layer_sizes=(4,), max_epochs=2, random_state=0)
    with pytest.raises(ValueError, match="y is a pandas Series whose index holds X's row"):
        model.fit(frame, _shuffled(labels, frame.index))
    with pytest.raises(ValueError, match="sample_weight is a pandas Series whose index"):
        model.fit(frame, labels, sample_weight=_shuffled(np.ones(len(y)), frame.index))


def test_score_and_compare_refuse_y_in_another_order():
    X, y = _data()
    frame = _labelled(X)
    shuffled = _shuffled(y, frame.index)
    model = EnsembleRegressor(_pairs()).fit(frame, y)
    with pytest.raises(ValueError, match="EnsembleRegressor: y is a pandas Series whose"):
        model.score(frame, shuffled)
    multi = MultiGateMixtureOfExperts(tasks=["regression"], max_iter=2,
                                      random_state=0).fit(frame, y)
    with pytest.raises(ValueError, match="MultiGateMixtureOfExperts: y is a pandas Series"):
        multi.score(frame, shuffled)
    with pytest.raises(ValueError, match="compare: y is a pandas Series whose index holds"):
        compare({"ridge": Ridge()}, frame, shuffled, cv=3)


def test_the_likelihood_tools_refuse_y_in_another_order():
    # bic, aic and the likelihood scorer read the shuffled y by position:
    # bic 12409 where the aligned y gives 601, without a word.
    X, y = _data()
    frame = _labelled(X)
    shuffled = _shuffled(y, frame.index)
    model = MixtureOfExpertsRegressor(Ridge(), n_experts=2, training="em", max_iter=2,
                                      random_state=0).fit(frame, y)
    says = "y is a pandas Series whose index holds X's row labels in another order"
    for call in (lambda: bic(model, frame, shuffled), lambda: model.aic(frame, shuffled),
                 lambda: log_likelihood_scorer(make_pipeline(StandardScaler(), model)
                                               .fit(frame, y), frame, shuffled),
                 lambda: select_n_experts(model, frame, shuffled, candidates=(1, 2))):
        with pytest.raises(ValueError, match=says):
            call()


@pytest.mark.parametrize("call", ["mixture", "greedy", "hetero", "compare"])
def test_groups_labelled_by_xs_rows_in_another_order_are_refused(call):
    # groups too are read by position: shuffled apart from X, the folds of
    # "whole groups" split the user's groups, silently (the very leak they
    # are given to prevent).
    X, y = _data()
    frame = _labelled(X)
    groups = _shuffled(np.arange(len(y)) // 4, frame.index)
    run = {
        "mixture": lambda: MixtureOfExpertsRegressor(_pairs(), cv=3, random_state=0)
        .fit(frame, y, groups=groups),
        "greedy": lambda: EnsembleRegressor(_pairs(), weights="greedy", cv=3)
        .fit(frame, y, groups=groups),
        "hetero": lambda: HeterogeneousMultiGateMixtureOfExperts(_pairs(), max_iter=2)
        .fit(frame, y, groups=groups),
        "compare": lambda: compare({"ridge": Ridge()}, frame, y, cv=3, groups=groups),
    }[call]
    with pytest.raises(ValueError, match=r"groups is a pandas Series whose index holds X's "
                                         r"row labels in another order.*"
                                         r"groups\.reindex\(X\.index\)"):
        run()


def test_y_of_other_labels_or_of_xs_own_order_is_read_by_position():
    # The rule refuses only X's own labels in another order: a y of the same
    # labels in the same order, or of other labels (X renumbered, y not), is
    # read by position as before.
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(len(y))[::-1])
    expected = EnsembleRegressor(_pairs()).fit(X, y).predict(X)
    for target in (pd.Series(y, index=frame.index), pd.Series(y, index=frame.index + 1000)):
        got = EnsembleRegressor(_pairs()).fit(frame, target).predict(frame)
        np.testing.assert_allclose(got, expected)


def test_compare_names_a_class_left_out_of_a_splits_training_rows():
    # A class of one row is in the test part of one of 5 folds, and out of
    # its training part: compare said only "Model 'lr' failed to fit on a
    # split of 32 training rows: This solver needs samples of at least 2
    # classes", naming neither the class nor its count (a mixture blamed
    # its own cross-fitting folds).
    X, _ = _data()
    y = np.zeros(len(X), dtype=int)
    y[7] = 1
    with pytest.raises(ValueError, match=r"this split's training rows hold 1 of y's 2 "
                                         r"classes; missing: 1 \(1 row\) in y: drop or merge"):
        compare({"lr": LogisticRegression()}, X, y, cv=5)
