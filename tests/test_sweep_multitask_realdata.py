"""Defects of the multi-task mixtures found on real multi-target data
(benchmarks/bench_multitask_realdata.py: linnerud, birthwt, penguins, College,
Auto, CPS1985)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 3)
    Y = pd.DataFrame({"body_mass_g": 4000 + 500 * X[:, 0],
                      "sex": np.where(X[:, 1] > 0, "male", "female")})
    return X, Y


def _models():
    return [MultiGateMixtureOfExperts(["regression", "binary"], max_iter=3, random_state=0),
            HeterogeneousMultiGateMixtureOfExperts(
                [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2,
                                                                     random_state=0))],
                ["regression", "binary"], max_iter=5, random_state=0)]


@pytest.mark.parametrize("model", _models(), ids=["mmoe", "hetero"])
@pytest.mark.parametrize("missing", [np.nan, pd.NA], ids=["nan", "pd.NA"])
def test_score_names_a_missing_regression_target(model, missing):
    # penguins' body_mass_g has missing values: score on such test rows said
    # "Input contains NaN." (NaN, naming no task) or "Task 0 is a regression
    # task but its column of y is not numeric." (pd.NA in a Float64 column).
    X, Y = _data()
    model.fit(X, Y)
    Y_test = Y.copy()
    if missing is pd.NA:
        Y_test["body_mass_g"] = pd.array(Y_test["body_mass_g"], dtype="Float64")
    Y_test.loc[[4, 9], "body_mass_g"] = missing
    with pytest.raises(ValueError, match=r"Regression task 0 has 2 missing value\(s\) "
                                         r"\(the first at row 4\): drop those rows"):
        model.score(X, Y_test)


@pytest.mark.parametrize("model", _models(), ids=["mmoe", "hetero"])
def test_integer_labels_beside_a_float_task_keep_their_dtype(model):
    # Auto (mpg, origin 1/2/3) and birthwt (bwt, low 0/1): a DataFrame y of a
    # float and an int column is one float64 array, and classes_ held the
    # labels 1.0, 2.0, 3.0; fitted on origin alone (or beside a string
    # column) they are 1, 2, 3, as a classifier's.
    X, Y = _data()
    origin = np.where(X[:, 1] > 0.5, 3, np.where(X[:, 1] > -0.5, 1, 2))
    Y = pd.DataFrame({"mpg": 20 + 5 * X[:, 0], "origin": origin})
    model.set_params(tasks=["regression", "multiclass"]).fit(X, Y)
    assert model.classes_[1].dtype == origin.dtype
    np.testing.assert_array_equal(model.classes_[1], [1, 2, 3])
    # The predictions are the classes_ of the highest probability.
    proba = model.predict_proba(X)[1]
    np.testing.assert_array_equal(model.predict(X)[:, 1],
                                  model.classes_[1][proba.argmax(axis=1)])
    pred = model.predict(X)
    assert model.score(X, Y) == pytest.approx(np.mean([
        r2_score(Y["mpg"], pred[:, 0]), accuracy_score(origin, pred[:, 1])]))
