"""Bad-input sweep, round 40: the multi-task mixtures and the torch experts.

Probed (no defect found unless a test below names it): MultiGateMixtureOfExperts
(mmoe, omoe, shared_bottom, ple) and HeterogeneousMultiGateMixtureOfExperts
given a DataFrame y of mixed task types (float, int, string, bool, category,
nullable Int64/Float64/boolean, with and without pd.NA), a constant regression
or classification task, a class of one row, NaN in one task only (refused
naming the column, task and rows), tasks of the wrong count, name or type,
task_weights of the wrong length or NaN, targets of 1e-6 and 1e6 (predictions
scale exactly), sample_weight per row (2-D refused; a class of zero weight),
misaligned pandas indexes, duplicate and integer y column names, X of 1 or 2
rows, 1 column, constant columns, 1e200 values, reordered columns at predict,
predict_proba with regression tasks only, score with a task missing, extra or
reordered, pickling, clone after fit, random_state, device ('cpu', 'cpu:0',
'cuda' without CUDA, None, torch.device), batch_size above n, max_iter 0 and
1, warm_start and partial_fit (neither exists); TorchMLPRegressor and
TorchMLPClassifier given the same X, y of 1e300 and 1e-300, an outlier, big
integers, category, Int64 and strings, one class, a class of one row, 80
classes of one row, zero weights, precision and hidden_layer_sizes values;
RuleExpert with odd y, params and smoothing, inside the heterogeneous mixture.

Each test here failed before the fix it names, but for
test_int_cv_on_too_few_rows_to_stratify_still_fits: a guard on that fix (it
failed with a first version that stratified every int cv).
"""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

import skmoe._mmoe_hetero as mmoe_hetero
from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts


def _folds_of_fit(monkeypatch, model, X, Y):
    """The cross-fitting folds ``model.fit(X, Y)`` hands its experts."""
    seen = {}
    cross_fit = mmoe_hetero.cross_fit

    def spy(parallel, names, templates, X, targets, folds, *args, **kwargs):
        seen["folds"] = folds
        return cross_fit(parallel, names, templates, X, targets, folds, *args, **kwargs)

    monkeypatch.setattr(mmoe_hetero, "cross_fit", spy)
    model.fit(X, Y)
    return seen["folds"]


@pytest.mark.parametrize("random_state", [0, 4, 6])
def test_int_cv_keeps_a_small_class_in_every_training_fold(monkeypatch, random_state):
    # cv=3 (the default) made shuffled KFold folds, not stratified ones: both
    # rows of a class of two landed in one test fold for 7 of 20 seeds, so the
    # experts of that fold never saw the class and its out-of-fold indicator
    # was 0 on those rows, silently (a splitter making such folds is refused).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    labels = np.array(["a"] * 14 + ["b"] * 14 + ["rare"] * 2)
    Y = np.empty((30, 2), dtype=object)
    Y[:, 0], Y[:, 1] = X[:, 0], labels
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        ["regression", "multiclass"], max_iter=5, random_state=random_state)
    folds = _folds_of_fit(monkeypatch, model, X, Y)
    assert len(folds) == 3
    for train, _ in folds:
        assert set(labels[train]) == {"a", "b", "rare"}


def test_int_cv_on_too_few_rows_to_stratify_still_fits():
    # No class has cv=3 rows: StratifiedKFold cannot make the folds, and the
    # fit keeps its shuffled KFold (it did before the stratification).
    X = np.random.RandomState(0).normal(size=(4, 2))
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("a", Ridge()), ("b", Ridge(alpha=10.0))], "binary", random_state=0)
    assert model.fit(X, [0, 0, 1, 1]).predict(X).shape == (4,)


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=1, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("a", Ridge()), ("b", Ridge(alpha=10.0))], random_state=0),
], ids=["mmoe", "hetero"])
def test_sample_weight_per_task_and_row_is_refused_as_such(make):
    # A (n_samples, n_tasks) matrix, weights per task and row, got only
    # scikit-learn's "Sample weights must be 1D array or scalar", which said
    # nothing of weights per task (task_weights) or of their being shared.
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(30, 2)), rng.normal(size=(30, 2))
    with pytest.raises(ValueError, match=r"shape \(30, 2\).*one weight per row.*shared by "
                                         r"every task.*task_weights"):
        make().fit(X, Y, sample_weight=np.ones((30, 2)))
