"""Bad-input sweep, round 15: compare, select_n_experts and their folds."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor, compare, select_n_experts


def _regression(n=30):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 2)
    return X, X[:, 0] + 0.1 * rng.randn(n)


def _em_template():
    return MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                     cv=None, max_iter=3, random_state=0)


@pytest.mark.parametrize("cv, message", [
    (1, r"cv must be a number of folds \(2 or more\), .*got 1\."),
    (np.int64(0), r"cv must be a number of folds \(2 or more\), .*got (np\.int64\()?0"),
    (31, r"cv=31 folds need at least 31 rows; the data has 30\. Lower cv or add rows\."),
])
def test_compare_and_select_n_experts_name_a_number_of_folds_they_cannot_make(cv, message):
    # scikit-learn's KFold said "k-fold cross-validation requires at least one
    # train/test split by setting n_splits=2 or more, got n_splits=1" and
    # "Cannot have number of splits n_splits=31 greater than the number of
    # samples: n_samples=30": a parameter neither function has (the
    # estimators name cv for the same values).
    X, y = _regression()
    with pytest.raises(ValueError, match=message):
        compare({"ridge": Ridge(), "tree": DecisionTreeRegressor()}, X, y, cv=cv)
    with pytest.raises(ValueError, match=message):
        select_n_experts(_em_template(), X, y, candidates=[1, 2], criterion="cv", cv=cv)


def test_compare_and_select_n_experts_still_take_as_many_folds_as_rows():
    X, y = _regression(n=6)
    result = compare({"ridge": Ridge(), "line": LinearRegression()}, X, y, cv=6,
                     scoring="neg_mean_absolute_error")
    assert len(result.scores["ridge"]["neg_mean_absolute_error"]) == 6


@pytest.mark.parametrize("random_state", [np.random.default_rng(0), -1, 1.5])
def test_compare_names_a_random_state_it_cannot_seed_folds_with(random_state):
    # Failed in KFold with "Generator(PCG64) at 0x... cannot be used to seed
    # a numpy.random.RandomState instance" or "Seed must be between 0 and
    # 2**32 - 1", naming no parameter (the estimators refuse these by name).
    X, y = _regression()
    with pytest.raises(ValueError, match=r"The 'random_state' parameter of compare must be"):
        compare({"ridge": Ridge(), "tree": DecisionTreeRegressor()}, X, y, cv=3,
                random_state=random_state)
