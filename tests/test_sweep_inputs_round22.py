"""Bad input on the multi-task and hierarchical estimators and the expert
wrappers (sweep round 22)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts, RuleExpert)


class _RidgeNaNPredictions(RegressorMixin, BaseEstimator):
    """A regressor without the multi-output tag whose predictions hold a NaN."""

    def fit(self, X, y, sample_weight=None):
        self.ridge_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        pred = self.ridge_.predict(X)
        pred[0] = np.nan
        return pred


class _RidgeTwiceTheOutputs(_RidgeNaNPredictions):
    def predict(self, X):
        pred = self.ridge_.predict(X)
        return np.hstack([pred, pred])


def _two_tasks():
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    Y = np.c_[X[:, 0], (X[:, 1] > 0).astype(int)]
    return X, Y


@pytest.mark.parametrize("expert, message", [
    (_RidgeNaNPredictions(), "Expert 'x' returned NaN or infinite predictions on "),
    (_RidgeTwiceTheOutputs(), "Expert 'x' returned 6 outputs per sample; the encoded "
                              "targets have 3 columns."),
])
def test_hetero_mmoe_no_multi_output_hint_on_nan_or_extra_outputs(expert, message):
    # The multi-output hint ("'x' predicts one output, so wrap it in
    # MultiOutputRegressor") was added to these errors too, though the expert
    # had fitted all 3 columns: the wrapper would change nothing.
    X, Y = _two_tasks()
    mixture = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("x", expert)], tasks=["regression", "binary"], max_iter=5,
        random_state=0)
    with pytest.raises(ValueError) as info:
        mixture.fit(X, Y)
    assert str(info.value).startswith(message)
    assert "MultiOutputRegressor" not in str(info.value)
    assert "is it a multi-output regressor" not in str(info.value)


@pytest.mark.parametrize("estimator", [
    MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0),
    HeterogeneousMultiGateMixtureOfExperts([("ridge", Ridge()), ("tree", DecisionTreeRegressor(
        max_depth=2))], max_iter=2, random_state=0),
], ids=["mmoe", "hetero"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_multitask_classification_task_of_one_weighted_class_refused(estimator):
    # Zero weight on every 'yes' row: the task was fitted on 'no' rows only and
    # said 'no' for every row (the hetero mixture) without a word, where the
    # single-task classifiers refuse it.
    X, Y = _two_tasks()
    labels = np.where(Y[:, 1] == 1, "yes", "no")
    y = pd.DataFrame({"value": Y[:, 0], "sold": labels})
    weight = (labels == "no").astype(float)
    before = weight.copy()
    with pytest.raises(ValueError, match=r"^Classification task 1: only class 'no' has rows "
                                         r"of positive sample_weight \(the column has 2 "
                                         r"classes; rows of zero weight do not count\)"):
        estimator.set_params(tasks=["regression", "binary"]).fit(X, y, sample_weight=weight)
    np.testing.assert_array_equal(weight, before)
    # One row of the other class is enough.
    weight[np.flatnonzero(labels == "yes")[0]] = 1.0
    assert estimator.fit(X, y, sample_weight=weight).classes_[1].tolist() == ["no", "yes"]


def test_mmoe_sequence_x_with_nan_names_x_and_the_estimator():
    # A 3-D X is checked apart from the 2-D path: its NaN was "Input contains
    # NaN.", naming neither X nor the estimator.
    X = np.random.RandomState(0).randn(10, 4, 2)
    X[3, 1, 0] = np.nan
    with pytest.raises(ValueError) as info:
        MultiGateMixtureOfExperts().fit(X, np.arange(10.0))
    assert str(info.value).startswith("Input X contains NaN.\nMultiGateMixtureOfExperts does "
                                      "not accept missing values")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mmoe_four_dimensional_x_error_names_what_is_taken():
    # scikit-learn's check said "Found array with dim 4, while dim <= 2 is
    # required", though a 3-D X (sequences) is taken.
    X = np.zeros((6, 3, 2, 1))
    message = ("X has 4 dimensions (shape (6, 3, 2, 1)); MultiGateMixtureOfExperts takes a "
               "2-D X (n_samples, n_features) or, with a module that reads sequences, a 3-D "
               "X (n_samples, n_steps, n_features).")
    with pytest.raises(ValueError) as info:
        MultiGateMixtureOfExperts().fit(X, np.arange(6.0))
    assert str(info.value) == message
    fitted = MultiGateMixtureOfExperts(max_iter=1).fit(np.random.RandomState(0).randn(6, 2),
                                                       np.arange(6.0))
    with pytest.raises(ValueError) as info:
        fitted.predict(X.tolist())   # a nested list too
    assert str(info.value) == message


@pytest.mark.parametrize("estimator", [
    HeterogeneousMultiGateMixtureOfExperts([("ridge", Ridge()), ("tree", DecisionTreeRegressor(
        max_depth=2))], max_iter=5, random_state=0),
    MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor(
        max_depth=2))], random_state=0),
], ids=["hetero", "moe"])
def test_cv_split_whose_training_rows_all_have_zero_weight(estimator):
    # Weight only on the test rows of split 2: its training rows were all left
    # out, and the error said "Split 0 of cv has an empty train part", of a
    # split given with 30 training rows (numbered among the splits kept).
    X, Y = _two_tasks()
    splits = list(KFold(4).split(X))
    weight = np.zeros(40)
    weight[20:30] = 1.0
    with pytest.raises(ValueError) as info:
        estimator.set_params(cv=splits).fit(X, Y[:, 0], sample_weight=weight)
    assert str(info.value) == (
        "Split 3 of 4 in cv has no training row of positive sample_weight (rows of zero weight "
        "are left out), but test rows that have: nothing would be fitted to predict them. "
        "Give some of its training rows weight, or pass splits of the rows of positive "
        "weight only.")


def _rule_times(X, t):
    return X[:, 0] * t


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("scale", [1e308, 5e-324])
def test_score_takes_only_the_ratios_of_sample_weight(scale):
    # Equal weights score as no weights. Weights of 5e-324 made every squared
    # residual 0 (R^2 1.0: 1.0 for the tree and the rule, 0.7625 for the
    # multi-task mean); weights of 1e308 overflowed the accuracy's sum (NaN)
    # and moved R^2 (0.743 for the tree's 0.737).
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = X[:, 0] + rng.randn(40)
    Y = np.c_[y, y > 0]
    weight = np.full(40, scale)
    models = [
        (MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0,
                                   tasks=["regression", "binary"]).fit(X, Y), Y),
        (HierarchicalMixtureRegressor(Ridge(), max_iter=3, random_state=0).fit(X, y), y),
        (RuleExpert(_rule_times, params={"t": 1.0}).fit(X, y), y),
    ]
    for model, target in models:
        assert model.score(X, target, sample_weight=weight) == pytest.approx(
            model.score(X, target), rel=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_task_weights_labelled_by_names_that_are_not_columns_of_y():
    # Read by position: the weight labelled 'stock' went to 'sold', silently.
    X, Y = _two_tasks()
    y = pd.DataFrame({"price": Y[:, 0], "sold": Y[:, 1]})
    weights = pd.Series({"price": 1.0, "stock": 5.0})
    mmoe = MultiGateMixtureOfExperts(n_experts=2, max_iter=1, random_state=0,
                                     tasks=["regression", "binary"], task_weights=weights)
    with pytest.raises(ValueError) as info:
        mmoe.fit(X, y)
    assert str(info.value) == (
        "task_weights is labelled ['price', 'stock'] but y's columns are ['price', "
        "'sold']: ['stock'] name no column of y. Label the weights by y's columns, or pass "
        "them as a list, by position.")
    # Unlabelled (a list's Series, 0 and 1) and labelled by y's columns: taken.
    for given in (pd.Series([1.0, 5.0]), pd.Series({"price": 1.0, "sold": 5.0})):
        fitted = mmoe.set_params(task_weights=given).fit(X, y)
        np.testing.assert_array_equal(fitted.task_weights_, [1.0, 5.0])
