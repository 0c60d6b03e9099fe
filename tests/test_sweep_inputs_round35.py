"""Bad-input sweep, round 35: the surfaces around fit and predict.

Probed (no defect found unless a test below names it): predict_gate,
predict_experts, expert_usage, predict_path, log_likelihood_samples,
score_samples, return_std=True, bic/aic and set_output on frames with
reordered or extra columns, one row, sparse, float32 and NaN (with
HistGradientBoosting experts); set_params with bad values after
construction; duplicate, '__' and non-string expert names, one object
given twice, experts whose predict returns a Series, a frame, a list or
object dtype, of the wrong length or 2-D, rules returning the wrong shape
or strings; a classifier expert whose classes_ are strings; refits with
fewer features; pickling unfitted and fitted models; the multi-task
mixtures' task lists and weights.

Each test here failed before the fix it names.
"""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts)


@pytest.mark.parametrize("make", [
    lambda pairs: MixtureOfExpertsRegressor(pairs, training="em", max_iter=2, random_state=0),
    lambda pairs: EnsembleRegressor(pairs, random_state=0)],
    ids=["mixture", "ensemble"])
@pytest.mark.parametrize("name", ["", "  ", "a\nb"], ids=["empty", "blank", "newline"])
def test_a_blank_or_unprintable_expert_name_is_refused(make, name):
    # A blank name was fitted: errors then named "Expert '' (Ridge)",
    # predict_gate's frame had a column '' and get_params keys '__alpha';
    # compare() already refused such names.
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = X[:, 0]
    model = make([(name, Ridge()), ("b", Ridge(alpha=10.0))])
    with pytest.raises(ValueError, match=r"Expert names must be printable and not blank .* "
                                         r"got .* for Ridge"):
        model.fit(X, y)


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=1, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts([("a", Ridge()), ("b", Ridge(alpha=10.0))],
                                                   random_state=0)],
    ids=["mmoe", "heterogeneous"])
def test_multitask_default_tasks_with_class_labels_says_how_to_declare_them(make):
    # tasks=None makes every column a regression task: a y of labels got
    # "Task 0 is a regression task but its column of y is not numeric.",
    # naming neither the default that made it one nor the tasks parameter.
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.where(X[:, 0] > 0, "yes", "no")
    with pytest.raises(ValueError, match=r"Task 0 is a regression task .* tasks=None \(the "
                                         r"default\) .* pass tasks=\['binary'\]"):
        make().fit(X, y)
