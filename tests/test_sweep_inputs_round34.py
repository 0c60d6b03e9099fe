"""Bad-input sweep, round 34.

Each test here failed before the fix it names.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from skmoe import RuleExpert, TorchMLPRegressor


def _first_column(X):
    return X[:, 0]


@pytest.mark.parametrize("make", [
    lambda: TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=2, random_state=0),
    lambda: RuleExpert(_first_column, task="regression")],
    ids=["torch", "rule"])
@pytest.mark.parametrize("target, what", [
    (pd.Series(pd.date_range("2020", periods=30)), "dates"),
    (np.arange(30).astype("datetime64[D]"), "dates"),
    (pd.to_timedelta(np.arange(30), "D").to_numpy(), "time spans"),
    (pd.Series(pd.date_range("2020", periods=30, tz="UTC")), "dates")],
    ids=["pandas-dates", "numpy-days", "time-spans", "time-zone-aware"])
def test_a_regression_expert_refuses_dates_as_y(make, target, what):
    # TorchMLPRegressor fitted microseconds since 1970 and predicted them
    # (1.6e15), RuleExpert a noise_std_ in them, silently; the mixtures, the
    # ensembles and these experts' own score refuse such a y.
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match=f"y holds {what} .* convert y to numbers first"):
        make().fit(X, target)


def _regressors():
    from sklearn.linear_model import Ridge

    from skmoe import EnsembleRegressor, HierarchicalMixtureRegressor, MixtureOfExpertsRegressor
    pair = [("a", Ridge()), ("b", Ridge(alpha=10.0))]
    return [MixtureOfExpertsRegressor(pair, training="em", max_iter=2, random_state=0),
            EnsembleRegressor(pair, weights="greedy", random_state=0),
            HierarchicalMixtureRegressor(Ridge(), max_iter=2, random_state=0),
            TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=2, random_state=0),
            RuleExpert(_first_column, task="regression")]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("model", _regressors(),
                         ids=["mixture", "greedy", "hme", "torch", "rule"])
@pytest.mark.parametrize("gap", ["nan", "pd.NA", "None", "inf"])
def test_score_names_the_rows_of_y_without_a_finite_target(model, gap):
    # A test set with a gap in its target (penguins' body_mass_g): r2_score
    # said "Input contains NaN." (or "... infinity ..."), naming neither y
    # nor a row, where fit and the multi-task mixtures' score name them.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=40)
    model.fit(X, y)
    if gap == "pd.NA":
        bad = pd.Series(y, dtype="Float64")
        bad[[3, 7]] = pd.NA
    else:
        bad = y.astype(object)
        bad[[3, 7]] = {"nan": np.nan, "None": None, "inf": np.inf}[gap]
    with pytest.raises(ValueError, match=r"y has 2 row\(s\) of missing or infinite values "
                                         r"\(None, NaN, pd.NA or inf; the first at row 3\)"):
        model.score(X, bad)
    assert model.score(X, y.astype(object)) == pytest.approx(model.score(X, y))


def _sparse_huge():
    from scipy import sparse
    rng = np.random.default_rng(0)
    X = np.abs(rng.normal(size=(60, 2)))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    X[0, 0] = 1e308
    return sparse.csr_matrix(X), y


def _ridge_models():
    from sklearn.linear_model import Ridge

    from skmoe import (EnsembleRegressor, HierarchicalMixtureRegressor,
                       MixtureOfExpertsRegressor)
    pair = [("a", Ridge()), ("b", Ridge(alpha=10.0))]
    return [EnsembleRegressor(pair),
            EnsembleRegressor(pair, weights="greedy", random_state=0),
            MixtureOfExpertsRegressor(pair, training="em", max_iter=2, random_state=0),
            MixtureOfExpertsRegressor(pair, training="gradient", max_epochs=2,
                                      random_state=0),
            HierarchicalMixtureRegressor(Ridge(), max_iter=2, random_state=0)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("model", _ridge_models(),
                         ids=["ensemble", "greedy", "em", "gradient", "hme"])
def test_nan_predictions_of_an_expert_name_the_huge_value_of_sparse_x(model):
    # Ridge fits a sparse X with a value of 1e308 and predicts NaN: the error
    # said "Expert 'a' returned NaN or infinite predictions." and no more (a
    # dense X fails in the expert's fit, with the hint that names the column).
    # (The plain ensemble predicts nothing in fit: it fails in predict.)
    X, y = _sparse_huge()
    with pytest.raises(ValueError, match=r"returned NaN or infinite predictions.*X holds no "
                                         r"NaN or infinity, but its column 0 reaches 1e\+308"):
        model.fit(X, y).predict(X)


def _grouped_regression(n_groups):
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(n_groups), 6)
    X = rng.normal(size=(len(groups), 2))
    return X, X[:, 0] + 0.3 * rng.normal(size=len(groups)), groups


def _group_mixture(cv):
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import MixtureOfExpertsRegressor
    return MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))],
        training="em", max_iter=2, cv=cv, random_state=0)


def test_compare_tells_to_use_more_outer_folds_for_the_inner_ones():
    # 8 groups in 2 outer folds leave 4 to train on, too few for cv=5: the
    # error said "use fewer, larger outer folds", which leave fewer still;
    # 4 outer folds (6 groups to train on) is what works.
    from skmoe import compare
    X, y, groups = _grouped_regression(8)
    with pytest.raises(ValueError, match=r"training rows hold 4 groups\. Lower its cv or "
                                         r"use more outer folds") as error:
        compare({"moe": _group_mixture(5)}, X, y, cv=2, groups=groups)
    assert "fewer, larger" not in str(error.value)
    result = compare({"moe": _group_mixture(5)}, X, y, cv=4, groups=groups)
    assert len(result.scores["moe"]["r2"]) == 4


def test_compare_does_not_tell_cv_auto_on_one_group_to_be_lowered():
    # 3 groups in 2 outer folds: a split trains on 1 group, and cv='auto'
    # (which takes as few folds as 2) was told "asks for 5 folds ... Lower its
    # cv", as was a cv=2 that cannot go lower (the CLI's user sets neither).
    from skmoe import compare
    X, y, groups = _grouped_regression(3)
    for cv in ["auto", 2]:
        with pytest.raises(ValueError, match=rf"cv={cv!r} needs two or more folds of whole "
                                             r"groups, but a split's training rows hold 1 "
                                             r"group\. Use more outer folds") as error:
            compare({"moe": _group_mixture(cv)}, X, y, cv=2, groups=groups)
        assert "Lower" not in str(error.value)


def test_time_zone_aware_dates_as_y_are_named_as_dates():
    # To numpy they are an object array of Timestamps: fit and score said
    # "y must be numeric ...: float() argument must be a string or a real
    # number, not 'Timestamp'; use a classifier for class labels" (the torch
    # regressor and the rule the float cast's words alone).
    from sklearn.linear_model import Ridge

    from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    dates = pd.Series(pd.date_range("2020", periods=30, tz="UTC"))
    pair = [("a", Ridge()), ("b", Ridge(alpha=10.0))]
    for model in [EnsembleRegressor(pair), MixtureOfExpertsRegressor(pair, training="em")]:
        with pytest.raises(ValueError, match=r"y holds dates \(dtype datetime64\[.*, UTC\]\)"):
            model.fit(X, dates)
    fitted = EnsembleRegressor(pair).fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"y holds dates \(dtype datetime64\[.*, UTC\]\)"):
        fitted.score(X, dates)


@pytest.mark.parametrize("scale, says", [
    (1e-170, r"underflow float64, and every model would score perfectly"),
    (1e200, r"overflow float64, and every model would score NaN")])
def test_compare_refuses_a_target_whose_squared_errors_are_lost(scale, says):
    # Of order 1e-170 every model scored R^2 1.0 and RMSE 0 (the squares are
    # 0), a DummyRegressor too, with no warning; of order 1e200 R^2 NaN and
    # RMSE inf (starred as the best).
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import Ridge

    from skmoe import compare
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + 0.1 * rng.normal(size=60)) * scale
    models = {"ridge": Ridge(), "dummy": DummyRegressor()}
    with pytest.raises(ValueError, match=rf"y spans .*: the squares of errors .*{says}"):
        compare(models, X, y, cv=3)
    # An error metric without squares is left to score them.
    result = compare(models, X, y, cv=3, scoring="neg_mean_absolute_error")
    assert np.all(np.isfinite(result.scores["dummy"]["neg_mean_absolute_error"]))


@pytest.mark.parametrize("ensemble", [True, False], ids=["ensemble", "mixture"])
def test_a_category_column_read_back_as_strings_is_named_for_lightgbm(ensemble):
    # Fitted on a category column, given it as strings at prediction (a file
    # read again): LightGBM's "train and valid dataset categorical_feature do
    # not match" named no column and no fix.
    from lightgbm import LGBMRegressor

    from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60),
                      "colour": pd.Categorical(rng.choice(["red", "blue", "green"], 60))})
    y = X["a"].to_numpy() + (X["colour"] == "red").to_numpy()
    experts = [("g1", LGBMRegressor(n_estimators=5, verbose=-1)),
               ("g2", LGBMRegressor(n_estimators=10, verbose=-1))]
    model = (EnsembleRegressor(experts) if ensemble else
             MixtureOfExpertsRegressor(experts, training="em", max_iter=2, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    with pytest.raises(ValueError, match=r"categorical_feature do not match\. \(a column of X "
                                         r"was of pandas' category dtype .* X's column\(s\) "
                                         r"'colour' hold strings"):
        model.predict(X.assign(colour=X["colour"].astype(str)))


@pytest.mark.parametrize("joint", [False, True], ids=["alone", "trained-with-the-gate"])
def test_a_torch_classifier_gives_no_probability_to_a_class_of_zero_weight_rows(joint):
    # Class 'z' only on rows of zero weight (rows left out): it stays in
    # classes_, as scikit-learn's classifiers keep it, but the network kept
    # its initial logit for it -- P(z) up to 0.5 after 5 epochs, 'z'
    # predicted for 70 of 300 rows -- where the other experts give it 0.
    from sklearn.linear_model import LogisticRegression

    from skmoe import MixtureOfExpertsClassifier, TorchMLPClassifier
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = np.where(X[:, 0] > 0, "x", "y").astype(object)
    y[:3] = "z"
    weight = np.ones(120)
    weight[:3] = 0.0
    if joint:
        model = MixtureOfExpertsClassifier(
            [("net", TorchMLPClassifier(hidden_layer_sizes=(4,))), ("lr", LogisticRegression())],
            training="gradient", max_epochs=5, random_state=0)
    else:
        model = TorchMLPClassifier(hidden_layer_sizes=(4,), max_epochs=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y, sample_weight=weight)
    assert list(model.classes_) == ["x", "y", "z"]
    proba = model.predict_proba(X)
    assert proba[:, 2].max() == 0.0
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert "z" not in model.predict(X)


def test_mmoe_gives_no_probability_to_a_class_of_zero_weight_rows():
    # As the torch classifier: a multiclass task's class 'z' on rows of zero
    # weight only kept its tower's initial logit -- P(z) up to 0.38 after 5
    # epochs, 'z' predicted for 108 of 300 rows (0.03 after 200).
    from skmoe import MultiGateMixtureOfExperts
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    labels = np.where(X[:, 1] > 0, "p", "q").astype(object)
    labels[:3] = "z"
    Y = pd.DataFrame({"r": X[:, 0], "c": labels})
    weight = np.r_[np.zeros(3), np.ones(117)]
    model = MultiGateMixtureOfExperts(tasks=["regression", "multiclass"], max_iter=5,
                                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y, sample_weight=weight)
    assert list(model.classes_[1]) == ["p", "q", "z"]
    proba = model.predict_proba(X)[1]
    assert proba[:, 2].max() == 0.0
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert "z" not in model.predict(X)[:, 1]
