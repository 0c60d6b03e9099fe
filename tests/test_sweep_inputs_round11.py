"""Bad input, round 11: inputs that differ from fit, helpers and the CLI's CSVs."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsRegressor,
                   select_n_experts)


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("Ensemble", [EnsembleRegressor, EnsembleClassifier])
def test_ensemble_weights_labelled_by_the_experts_in_another_order_are_named(Ensemble):
    # A Series of weights by expert name was read by position: {'tree': 3,
    # 'linear': 1} for the experts ['linear', 'tree'] weighted 'linear' by 3.
    X, y = _data()
    if Ensemble is EnsembleClassifier:
        y = (y > 0).astype(int)
        experts = [("linear", LogisticRegression()), ("tree", DecisionTreeClassifier())]
    else:
        experts = [("linear", LinearRegression()), ("tree", DecisionTreeRegressor())]
    weights = pd.Series({"tree": 3.0, "linear": 1.0})
    with pytest.raises(ValueError, match=r"weights is labelled \['tree', 'linear'\] but the "
                                         r"experts are \['linear', 'tree'\].*weights\["):
        Ensemble(experts, weights=weights).fit(X, y)
    # In the experts' order (or unlabelled), the values are the experts' weights.
    fitted = Ensemble(experts, weights=weights[["linear", "tree"]]).fit(X, y)
    assert_allclose(fitted.weights_, [0.25, 0.75])
    for unlabelled in (pd.Series([1.0, 3.0]), [1.0, 3.0], (1.0, 3.0), np.array([1.0, 3.0])):
        assert_allclose(Ensemble(experts, weights=unlabelled).fit(X, y).weights_, [0.25, 0.75])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_select_n_experts_names_a_splitter_that_needs_groups():
    # scikit-learn's "The 'groups' parameter should not be None.", as if
    # select_n_experts took groups (compare() and the mixtures name it).
    X, y = _data()
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                    cv=None, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"cv=GroupKFold\(.*needs groups, which "
                                         r"select_n_experts does not take"):
        select_n_experts(moe, X, y, candidates=(1, 2), criterion="cv", cv=GroupKFold(2))
    # The splits themselves are taken.
    groups = np.arange(len(y)) % 4
    best, scores = select_n_experts(moe, X, y, candidates=(1, 2), criterion="cv",
                                    cv=list(GroupKFold(2).split(X, y, groups)))
    assert set(scores) == {1, 2} and best in scores


@pytest.mark.parametrize("split, message", [
    # A negative index was silently a row from the end; a row in both parts
    # was scored by the fit that saw it; no splits read "The cv score of
    # candidates [1] is NaN; check the data and the experts' predictions".
    ((np.r_[np.arange(29), -1], np.arange(30, 40)), r"indices other than the row numbers"),
    ((np.arange(35), np.arange(30, 40)), r"5 rows in both its train and test parts"),
    (None, r"gave no splits"),
])
def test_select_n_experts_checks_explicit_splits(split, message):
    X, y = _data()
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                    cv=None, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=message):
        select_n_experts(moe, X, y, candidates=(1,), criterion="cv",
                         cv=[] if split is None else [split])
