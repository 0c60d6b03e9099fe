"""Bad-input sweep, round 31: pandas dtypes and real-world DataFrames through
the Python API (nullable, string and category columns, targets and weights
of pandas dtypes) across the single-target mixtures, the ensembles, the
hierarchical and multi-task mixtures and compare().

Each test fails without the fix it names.
"""
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skmoe import EnsembleRegressor, HierarchicalMixtureRegressor, MixtureOfExpertsRegressor


def _frame(n=60):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"])
    y = X["a"].to_numpy() + 0.1 * rng.normal(size=n)
    return X, y


@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("lin", LinearRegression()), ("lin2", LinearRegression())]),
    lambda: MixtureOfExpertsRegressor([("lin", LinearRegression()), ("lin2", LinearRegression())],
                                      training="em", max_iter=2, random_state=0),
    lambda: HierarchicalMixtureRegressor([("lin", LinearRegression()), ("lin2", LinearRegression())],
                                         branching=2, max_iter=2, random_state=0),
], ids=["ensemble", "em-mixture", "hme"])
def test_an_expert_failing_on_category_or_string_columns_is_told_which_they_are(make):
    # The gate's view one-hot encodes a DataFrame's category and string
    # columns, but the experts get X as it is, and scikit-learn's stopped on
    # them with numpy's "could not convert string to float: 'x'" (or, for a
    # string column of pd.NA only, "float() argument must be a string or a
    # real number, not 'NAType'"), naming neither the column nor the way out.
    X, y = _frame()
    words = pd.Series(np.where(X["b"] > 0, "x", "y"), dtype="string")
    frame = X.assign(city=words, kind=words.astype("category"))
    with pytest.raises(ValueError, match=r"Expert 'lin' \(LinearRegression\) failed to fit: "
                                         r"could not convert string to float: 'x' \(X's "
                                         r"column\(s\) 'city', 'kind' hold categories or "
                                         r"strings.*ColumnTransformer"):
        make().fit(frame, y)
    empty = X.assign(note=pd.array([pd.NA] * len(X), dtype="string"))
    with pytest.raises(TypeError, match=r"not 'NAType' \(X's column\(s\) 'note' hold "
                                        r"categories or strings"):
        make().fit(empty, y)
    # A frame of numbers only gets no such hint (LinearRegression's NaN error).
    with pytest.raises(ValueError) as info:
        make().fit(X.assign(b=np.where(X["b"] > 0, np.nan, X["b"])), y)
    assert "categories or strings" not in str(info.value)


@pytest.mark.parametrize("make", [
    lambda experts: EnsembleRegressor(experts, weights="greedy", random_state=0),
    lambda experts: MixtureOfExpertsRegressor(experts, training="em", max_iter=2,
                                              random_state=0),
], ids=["greedy-ensemble", "em-mixture"])
def test_pd_na_among_strings_of_a_dataframe_is_named_with_the_way_out(make):
    # A "string" column with pd.NA (pandas' nullable dtypes) stopped an expert
    # that imputes and one-hot encodes it with scikit-learn's bare "boolean
    # value of NA is ambiguous", naming neither the column nor the value.
    X, y = _frame()
    city = pd.array(np.where(np.arange(len(X)) % 7 == 0, None,
                             np.where(X["b"] > 0, "x", "y")), dtype="string")
    frame = X.assign(city=city)
    encode = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["city"]),
        remainder="passthrough")
    numbers = make_column_transformer(("drop", ["city"]), remainder="passthrough")
    model = make([("enc", make_pipeline(encode, LinearRegression())),
                  ("lin", make_pipeline(numbers, LinearRegression()))])
    with pytest.raises(TypeError, match=r"Expert 'enc' \(Pipeline\) failed to fit: boolean "
                                        r"value of NA is ambiguous \(X's column\(s\) 'city' "
                                        r"hold pandas' missing value pd.NA.*astype\('str'\)"):
        model.fit(frame, y)
    # The way out it names works.
    model.fit(frame.assign(city=frame["city"].astype("str")), y)


@pytest.mark.parametrize("mixture", [False, True], ids=["plain-model", "mixture"])
def test_compare_names_pd_na_among_strings_once(mixture):
    # compare() named the model but not the column: "Model 'enc' failed to fit
    # on a split of 20 training rows: boolean value of NA is ambiguous". A
    # mixture's own message has the hint already: not twice.
    from skmoe import compare

    X, y = _frame()
    city = pd.array(np.where(np.arange(len(X)) % 7 == 0, None,
                             np.where(X["b"] > 0, "x", "y")), dtype="string")
    frame = X.assign(city=city)
    encode = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["city"]),
        remainder="passthrough"), LinearRegression())
    numbers = make_pipeline(make_column_transformer(("drop", ["city"]),
                                                    remainder="passthrough"), LinearRegression())
    model = (MixtureOfExpertsRegressor([("enc", encode), ("lin", numbers)], training="em",
                                       max_iter=2, random_state=0) if mixture else encode)
    with pytest.raises(TypeError, match=r"Model 'm' failed to fit on a split of \d+ training "
                                        r"rows: .*boolean value of NA is ambiguous") as info:
        compare({"m": model, "lin": numbers}, frame, y, cv=2)
    assert str(info.value).count("hold pandas' missing value pd.NA") == 1
    assert "'city'" in str(info.value) and "astype('str')" in str(info.value)
