"""Bad-input sweep, round 53: pandas nullable, category and time columns, odd
arrays, y and sample_weight, at fit, predict, predict_proba, score,
log_likelihood_samples and predict(..., return_std=True).

Probed (no defect found unless a test below names it), on the mixtures
(gradient and EM), the ensembles (mean, greedy, hard voting), default
settings, Ridge/LogisticRegression, tree, k-NN and dummy experts: X as a
Fortran-ordered array, a strided view, a read-only array, np.memmap (modes
'r' and 'c'), float16, float32, longdouble, a list and a tuple of rows (the
same predictions as float64 X of the same values; the caller's X never
modified); frames of Int64, UInt8, Float32, Float64 (with and without
pd.NA), bool, boolean (with pd.NA), pyarrow int, double and bool, string
(with pd.NA), object, category (of strings and of ints), datetime (naive
and zoned), timedelta, period, interval and sparse columns, constant,
all-zero, 1e300 and subnormal columns, integer and mixed column names (an
int or bool column gives the predictions its float64 values give;
pd.NA named with the expert; unreadable columns named; the frame, its
categories, index name, columns name and attrs untouched, y and
sample_weight Series too); numpy fit then pandas predict and the reverse
(scikit-learn's feature-name warnings, the same predictions), reordered,
renamed, extra and missing columns, 2 or 4 columns, 0 columns, 0 rows, a
1-D row, a 3-D array and a Series row at predict (scikit-learn's errors); 1,
2 and 3 rows at fit (refused, naming the folds); y of shape (n, 1), a list,
a tuple, float32, float16, longdouble, Float64 (pd.NA named), Int64,
boolean, strings of numbers, words, 1e300 (refused by the mixtures, named),
1e-310, constant and zero; class labels as Int64, boolean, Categorical
(unused categories), string, object, uint64 near 2**64, int8, -0.0 beside
0.0, bytes, Decimals, tuples, complex, inf, mixed int/str, int/float and
bool/int objects (refused, named), a class of one row (with and without
weight), a class all of whose rows weigh zero; sample_weight with zeros,
all zero, negative, NaN, inf, of the wrong length, 2-D, a scalar, a list,
bool, int, Float64 with pd.NA, 1e300, 1e-320 and a Series of other row
labels; log_likelihood_samples, bic and aic with y of (n, 1), a list,
strings, words, NaN, pd.NA, dates, unseen and missing labels; score and
log_likelihood_samples of a classifier given its labels as floats, Int64,
a Categorical, bools, a list, (n, 1), pandas strings (the same numbers;
strings for numeric classes refused as scikit-learn refuses them);
HistGradientBoosting experts given NaN as float64 NaN, Float64 and Int64
pd.NA, boolean pd.NA and None in an object column (the same predictions);
set_output(transform='pandas') on predict_gate, predict_experts and
expert_usage (row labels kept).

Left as they are: the ensembles pass sample_weight to their experts as
given, so a scalar weight of 2.0 or weights of 1e-320 change Ridge's
effective alpha (as VotingRegressor does; the docstring of
check_relative_sample_weight says so); experts that cannot take 1e300 or
subnormal X (trees in float32, k-NN's squared distances), or a y of 1e300
(a tree's squared errors overflow), behave in the ensembles as they do
alone; a period or interval column (not a category) given to the plain
ensemble's Ridge still stops with numpy's "float() argument must be ...,
not 'Period'", which names the kind of value but not the column (the
mixtures' gate names it first).

Each test here failed before the fix it names, but for two guards:
test_other_objects_that_stop_the_cast_get_no_category_hint (a time of day
or a dict is no category) and
test_a_longdouble_target_in_range_fits_as_its_float64_values.
"""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning",
                                        "ignore:The gate did not converge")


def _city_frame():
    rng = np.random.RandomState(0)
    a, b = rng.normal(size=40), rng.normal(size=40)
    city = pd.array(np.where(np.arange(40) % 7 == 0, None, np.where(b > 0, "x", "y")),
                    dtype="string")
    return pd.DataFrame({"a": a, "city": city}), 2 * a + rng.normal(0, 0.1, 40)


def _experts(estimator):
    encode = make_pipeline(make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["city"]), remainder="passthrough"),
        estimator)
    numbers = make_pipeline(make_column_transformer(("drop", ["city"]),
                                                    remainder="passthrough"), estimator)
    return [("enc", encode), ("lin", numbers)]


MODELS = {
    "gradient": lambda c: (MixtureOfExpertsClassifier if c else MixtureOfExpertsRegressor)(
        _experts(LogisticRegression() if c else Ridge()), max_epochs=2, random_state=0),
    "em": lambda c: (MixtureOfExpertsClassifier if c else MixtureOfExpertsRegressor)(
        _experts(LogisticRegression() if c else Ridge()), training="em", max_iter=2,
        random_state=0),
    "ensemble": lambda c: (EnsembleClassifier if c else EnsembleRegressor)(
        _experts(LogisticRegression() if c else Ridge())),
}


@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
@pytest.mark.parametrize("model", list(MODELS), ids=list(MODELS))
def test_pd_na_among_strings_is_named_for_a_one_hot_encoder_expert(model, classifier):
    # A "string" column with pd.NA, one-hot encoded by the expert's Pipeline
    # (the usual way, no imputer before the encoder): scikit-learn's encoder
    # says only "Encoders require their input argument must be uniformly
    # strings or numbers. Got ['NAType', 'str']", and the hint that names
    # the column and the way out was given for an imputer's message only.
    X, y = _city_frame()
    if classifier:
        y = (y > 0).astype(int)
    with pytest.raises(TypeError, match=r"Expert 'enc' \(Pipeline\) failed to fit: Encoders "
                                        r"require .*Got \['NAType', 'str'\] \(X's column\(s\) "
                                        r"'city' hold pandas' missing value pd.NA.*"
                                        r"astype\('str'\)"):
        MODELS[model](classifier).fit(X, y)
    # The way out it names works.
    MODELS[model](classifier).fit(X.assign(city=X["city"].astype("str")), y)


def test_compare_names_pd_na_among_strings_for_a_one_hot_encoder_model():
    X, y = _city_frame()
    encode = _experts(Ridge())[0][1]
    with pytest.raises(TypeError, match=r"Model 'enc' failed to fit on a split .*Got "
                                        r"\['NAType', 'str'\] \(X's column\(s\) 'city' hold "
                                        r"pandas' missing value pd.NA") as info:
        compare({"enc": encode}, X, y, cv=2)
    assert str(info.value).count("hold pandas' missing value pd.NA") == 1


@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("r", Ridge()), ("r10", Ridge(10.0))]),
    lambda: MixtureOfExpertsRegressor([("r", Ridge()), ("r10", Ridge(10.0))], training="em",
                                      max_iter=2, random_state=0),
], ids=["ensemble", "em-mixture"])
def test_a_column_of_pd_cut_intervals_is_named_for_an_expert_that_cannot_read_it(make):
    # pd.cut gives a category column of Interval objects: the mixture's gate
    # one-hot encodes it, but Ridge (given X as it is) stopped with numpy's
    # "float() argument must be a string or a real number, not
    # 'pandas._libs.interval.Interval'", naming no column, where a category
    # column of strings is named with the way out.
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "band": pd.cut(rng.normal(size=40), 3)})
    y = 2 * X["a"].to_numpy()
    with pytest.raises(TypeError, match=r"Expert 'r' \(Ridge\) failed to fit: float\(\) "
                                        r"argument .*not 'pandas\._libs\.interval\.Interval' "
                                        r"\(X's column\(s\) 'band' hold categories or "
                                        r"strings.*ColumnTransformer"):
        make().fit(X, y)


def test_other_objects_that_stop_the_cast_get_no_category_hint():
    # A guard on the fix above: a time of day or a dict in an object column
    # is no category; its own hint (times of day) or none is given.
    import datetime

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=40)})
    y = 2 * X["a"].to_numpy()
    experts = [("r", Ridge()), ("r10", Ridge(10.0))]
    for column in ([datetime.time(i % 24) for i in range(40)], [{"k": 1}] * 40):
        with pytest.raises(TypeError, match="float\\(\\) argument") as info:
            EnsembleRegressor(experts).fit(X.assign(c=column), y)
        assert "categories or strings" not in str(info.value)


def _huge_cell_inputs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = 2 * X[:, 0] + rng.normal(0, 0.1, 40)
    wide = X.astype(np.longdouble)
    wide[3, 1] = np.longdouble("1e400")      # finite in longdouble, not in float64
    objects = X.astype(object)
    objects[3, 1] = 10**400                  # a Python int: float() overflows
    fractions = X.astype(object)
    fractions[3, 1] = Fraction(10**400, 3)
    return X, y, {"longdouble": wide, "object-int": objects, "object-fraction": fractions}


HUGE_MODELS = {
    "gradient": lambda: MixtureOfExpertsRegressor([("r", Ridge()), ("r10", Ridge(10.0))],
                                                  max_epochs=2, random_state=0),
    "ensemble": lambda: EnsembleRegressor([("r", Ridge()), ("r10", Ridge(10.0))]),
}


@pytest.mark.parametrize("kind", ["longdouble", "object-int", "object-fraction"])
@pytest.mark.parametrize("model", list(HUGE_MODELS), ids=list(HUGE_MODELS))
def test_an_array_cell_beyond_float64_is_refused_naming_where(model, kind):
    # A longdouble X of 1e400 passed the check of X (finite in its type) and
    # the error came later, blaming another: "gate_transformer
    # (AutoGateTransformer) returned infinity in 1 row(s)" (the default
    # gate), "Expert 'r' (Ridge) failed to fit: Input X contains infinity"
    # or "Expert 'r' returned NaN or infinite predictions" (the plain
    # average). An object X holding the Python int 10**400 stopped with
    # numpy's bare OverflowError "int too large to convert to float".
    X, y, huge = _huge_cell_inputs()
    where = (r"Input X contains infinity or a value too large for dtype\('float64'\)\. "
             r"\(X holds numbers beyond float64's range .*row 3, column 1 holds ")
    with pytest.raises(ValueError, match=where):
        HUGE_MODELS[model]().fit(huge[kind], y)
    fitted = HUGE_MODELS[model]().fit(X, y)
    with pytest.raises(ValueError, match=where):
        fitted.predict(huge[kind])
    # In range, the same arrays are read as their float64 values (Ridge
    # computes in longdouble for longdouble X: an ulp apart).
    huge[kind][3, 1] = 0.5
    X[3, 1] = 0.5
    np.testing.assert_allclose(fitted.predict(huge[kind]), fitted.predict(X), rtol=1e-12)


def test_a_frame_cell_of_a_python_int_beyond_float64_is_named_short():
    # An object column holding 10**400 stopped with the bare OverflowError;
    # now the column, the row and the value (cut short) are named.
    X, y, huge = _huge_cell_inputs()
    frame = pd.DataFrame(huge["object-int"], columns=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"infinity or a value too large.* The column\(s\) "
                                         r"'b' hold it: 'b' at row 3 holds 100000000000\.\.\. "
                                         r"\(401 characters\)\.$"):
        EnsembleRegressor([("r", Ridge()), ("r10", Ridge(10.0))]).fit(frame, y)


@pytest.mark.parametrize("kind", ["longdouble", "object-int", "series-object-int"])
@pytest.mark.parametrize("model", list(HUGE_MODELS), ids=list(HUGE_MODELS))
def test_a_target_beyond_float64_is_refused_naming_the_row(model, kind):
    # A longdouble y of 1e400 passed the check of y and an expert failed on
    # it ("Expert 'r' (Ridge) failed to fit: Input y contains infinity");
    # the Python int 10**400 in an object y stopped fit, score and
    # log_likelihood_samples with numpy's bare OverflowError.
    X, y, _ = _huge_cell_inputs()
    huge = y.astype(np.longdouble if kind == "longdouble" else object)
    huge[3] = np.longdouble("1e400") if kind == "longdouble" else 10**400
    if kind.startswith("series"):
        huge = pd.Series(huge)
    with pytest.raises(ValueError, match=r"Input y contains infinity or a value too large "
                                         r"for dtype\('float64'\)\. 1 value\(s\) of y, at "
                                         r"row 3"):
        HUGE_MODELS[model]().fit(X, huge)
    fitted = HUGE_MODELS[model]().fit(X, y)
    with pytest.raises(ValueError, match=r"missing or infinite values .*first at row 3"):
        fitted.score(X, huge)
    if model == "gradient":
        with pytest.raises(ValueError, match=r"y contains NaN or infinity: 1 value\(s\) of "
                                             r"y, at row 3"):
            fitted.log_likelihood_samples(X, huge)


@pytest.mark.parametrize("model", list(HUGE_MODELS), ids=list(HUGE_MODELS))
def test_a_sample_weight_beyond_float64_is_refused_by_name(model):
    # Was numpy's bare OverflowError "int too large to convert to float".
    X, y, _ = _huge_cell_inputs()
    weights = np.ones(40).astype(object)
    weights[3] = 10**400
    match = r"sample_weight holds a number beyond float64's range"
    with pytest.raises(ValueError, match=match):
        HUGE_MODELS[model]().fit(X, y, sample_weight=weights)
    with pytest.raises(ValueError, match=match):
        HUGE_MODELS[model]().fit(X, y).score(X, y, sample_weight=weights)


def test_a_longdouble_target_in_range_fits_as_its_float64_values():
    # A guard on the fix above: the target is now read as float64 before the
    # experts see it, as its float64 values are.
    X, y, _ = _huge_cell_inputs()
    model = HUGE_MODELS["ensemble"]
    np.testing.assert_array_equal(model().fit(X, y.astype(np.longdouble)).predict(X),
                                  model().fit(X, y).predict(X))
