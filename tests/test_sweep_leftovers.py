"""Defects left over by the sweep of the secondary API (CLI, select_n_experts,
MLPGate, compare, the displays, persistence, inspection, datasets).

Each test fails without its fix.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import get_scorer, make_scorer, mean_squared_error, r2_score
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (MixtureOfExpertsRegressor, MLPGate, TorchMLPRegressor, compare,
                   select_n_experts)
from skmoe._cli import load_csv, main
from skmoe.datasets import make_piecewise_linear, make_regimes

FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
        "--n-jobs", "1", "--quiet"]


# --------------------------------------------------------------------- 1. CLI
def test_cli_target_with_thousands_separators_is_named(tmp_path, capsys):
    # Read as text: ~40 one-row classes, and the error said "lower --cv".
    rng = np.random.RandomState(0)
    path = tmp_path / "prices.csv"
    path.write_text("a,b,price\n" + "".join(
        f'{a:.3f},{b:.3f},"{1000 + int(900 * a):,}"\n' for a, b in rng.uniform(0, 10, (40, 2))))
    for task in ("auto", "regression"):
        assert main(["compare", str(path), "--task", task, *FAST]) == 2
        err = capsys.readouterr().err
        assert "target column 'price' holds numbers written as text" in err
        assert "thousands separators" in err and "--cv" not in err


def test_cli_feature_with_thousands_separators_is_named(tmp_path, capsys):
    # Was "not numeric ... pass --one-hot", which makes a category of every number.
    path = tmp_path / "income.csv"
    path.write_text("income,b,y\n" + "".join(
        f'"{1000 * (i + 1):,}",{i % 3},{i * 0.5}\n' for i in range(30)))
    assert main(["compare", str(path), "--one-hot", *FAST]) == 2
    err = capsys.readouterr().err
    assert "Column(s) ['income']" in err and "thousands separators" in err
    assert "--one-hot" not in err


def test_cli_one_row_classes_do_not_blame_cv(tmp_path, capsys):
    path = tmp_path / "ids.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 4},id{i}\n" for i in range(30)))
    assert main(["compare", str(path), *FAST]) == 2
    err = capsys.readouterr().err
    assert "30 of the 30 classes of the target have a single row" in err
    assert "lower --cv" not in err


def test_cli_leaves_out_a_saved_index_column(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    path = tmp_path / "saved.csv"
    pd.DataFrame({"a": rng.normal(size=30), "y": rng.normal(size=30)}).to_csv(path)
    X, y, task, _ = load_csv(str(path))
    assert list(X.columns) == ["a"] and task == "regression"
    assert "left out the column(s) ['Unnamed: 0']" in capsys.readouterr().err
    # An unnamed column of other values is data, kept.
    pd.DataFrame({"a": rng.normal(size=30), "y": rng.normal(size=30)},
                 index=rng.permutation(30)).to_csv(path)
    assert list(load_csv(str(path))[0].columns) == ["Unnamed_ 0", "a"]   # (":" for LightGBM)


# -------------------------------------------------------- 2. select_n_experts
def test_select_n_experts_on_a_pipeline_ending_in_a_mixture():
    # Default param: "Pipeline has none"; candidate 1 under the step's
    # parameter: "n_experts must be an int in the range [2, inf)".
    X, y = make_piecewise_linear(n_samples=150, n_regimes=2, random_state=0)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em", cv=None,
                                    max_iter=20, random_state=0)
    Xt = StandardScaler().fit_transform(X)
    best, expected = select_n_experts(moe, Xt, y, candidates=(1, 2))
    for param in ("n_experts", "mixtureofexpertsregressor__n_experts"):
        got_best, got = select_n_experts(make_pipeline(StandardScaler(), moe), X, y,
                                         candidates=(1, 2), param=param)
        assert got_best == best and set(got) == {1, 2}
        assert_allclose([got[1], got[2]], [expected[1], expected[2]], rtol=1e-6)
    _, cv_scores = select_n_experts(make_pipeline(StandardScaler(), moe), X, y,
                                    candidates=(1,), criterion="cv", cv=3)
    assert np.isfinite(cv_scores[1])


def test_select_n_experts_refuses_a_list_of_experts_up_front():
    X, y = make_piecewise_linear(n_samples=60, n_regimes=2, random_state=0)
    pool = MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge())], training="em")
    # (Every candidate's fit failed: "n_experts is only used with a single estimator".)
    with pytest.raises(ValueError, match="varies n_experts.*homogeneous pool.*got list"):
        select_n_experts(pool, X, y, candidates=(2, 3))


# ------------------------------------------------------------------ 3. MLPGate
def _pool(gate, training):
    short = {"max_epochs": 2} if training == "gradient" else {"max_iter": 2}
    return MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], gate=gate,
        training=training, random_state=0, **short)


@pytest.mark.parametrize("training", ["gradient", "em"])
def test_gate_device_is_checked_at_fit(training):
    X, y = make_regimes(n_samples=60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="gate device must be 'auto', 'cpu'.*'gpu'"):
            _pool(MLPGate(device="gpu"), training).fit(X, y)


def test_gate_options_the_gradient_trainer_ignores_warn():
    X, y = make_regimes(n_samples=60, random_state=0)
    gate = MLPGate(solver="adam", max_iter=5, learning_rate=0.1)
    with pytest.warns(UserWarning, match=r"gate parameter\(s\) solver='adam', max_iter=5, "
                                         r"learning_rate=0.1 have no effect with "
                                         r"training='gradient'"):
        _pool(gate, "gradient").fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _pool(gate, "em").fit(X, y)
    assert not [w for w in caught if "gate parameter" in str(w.message)]


# ------------------------------------------------------------------ 4. compare
@pytest.fixture(scope="module")
def regimes():
    return make_regimes(n_samples=120, random_state=0)


TWO = {"line": LinearRegression(), "tree": DecisionTreeRegressor(max_depth=3)}


@pytest.mark.parametrize("scoring, message", [
    ({"r2": None}, r"scoring\['r2'\] must be a scorer name .* got None"),
    ({"x": 3}, r"scoring\['x'\] must be a scorer name .* got 3"),
    ({"r2": r2_score}, r"scoring\['r2'\] is the metric r2_score\(y_true, y_pred, \.\.\.\), "
                       r"not a scorer .*make_scorer\(r2_score\)"),
    (mean_squared_error, r"scoring is the metric mean_squared_error"),
])
def test_compare_refuses_what_is_no_scorer_before_fitting(regimes, scoring, message):
    class NoFit(LinearRegression):
        def fit(self, X, y):
            raise AssertionError("fitted before the scoring was checked")
    with pytest.raises(TypeError, match=message):
        compare({"a": NoFit(), "b": NoFit()}, *regimes, cv=3, scoring=scoring)


def test_compare_takes_the_direction_from_the_scorer_not_its_key(regimes):
    X, y = regimes
    scoring = {"my_err": "neg_mean_squared_error",
               "loss": make_scorer(mean_squared_error, greater_is_better=False),
               "neg_thing": "r2", "neg_mean_squared_error": get_scorer("neg_mean_squared_error")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(TWO, X, y, cv=3, scoring=scoring, pair=("line", "tree"))
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    mse = [mean_squared_error(y[te], DecisionTreeRegressor(max_depth=3).fit(X[tr], y[tr])
                              .predict(X[te])) for tr, te in folds]
    for key in ("my_err", "loss", "neg_mean_squared_error"):
        assert result.signs[key] == -1.0
        assert_allclose(result.display_scores("tree", key), mse)   # the error, positive
    # r2 under a "neg_" key is still a score (higher is better), shown as it is.
    assert result.signs["neg_thing"] == 1.0
    assert_allclose(result.display_scores("tree", "neg_thing"), result.scores["tree"]["neg_thing"])
    row = result.summary()[1]
    assert_allclose(row["my_err_mean"], np.mean(mse))
    table = result.table()
    assert "my_err (lower better)" in table and "loss (lower better)" in table
    assert "neg_thing (lower better)" not in table and "neg_thing" in table
    test = result.paired_test(metric="my_err")
    assert test.mean_difference > 0             # the line's error is larger
    assert "on my_err: difference +" in table and "tree is better" in table


@pytest.mark.parametrize("scoring", [
    {"neg_mse": "neg_mean_squared_error", "mse": "neg_mean_squared_error"},
    {"rmse": "neg_root_mean_squared_error",
     "neg_root_mean_squared_error": "neg_root_mean_squared_error"},
])
def test_compare_refuses_two_metrics_shown_under_one_label(regimes, scoring):
    # The summary kept one "mse_mean" of the two, silently.
    with pytest.raises(ValueError, match=r"are both shown as '(r?mse)'.*rename one"):
        compare(TWO, *regimes, cv=3, scoring=scoring)


# ---------------------------------------------------------------- 5, 6. plots
@pytest.fixture(scope="module")
def fitted_with_constant_column():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    X[:, 1] = 2.0
    y = X[:, 0] + 0.1 * rng.normal(size=100)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                    max_iter=3, random_state=0).fit(X, y)
    return moe, X


def test_gate_displays_refuse_a_constant_feature(fitted_with_constant_column):
    pytest.importorskip("matplotlib")
    from skmoe.plotting import GateDisplay, GateRegionDisplay
    moe, X = fitted_with_constant_column
    # (A blank plot of zero width, and matplotlib's "identical low and high xlims".)
    with pytest.raises(ValueError, match=r"Feature 'x1' is constant in X \(every value is 2\)"):
        GateDisplay.from_estimator(moe, X, 1)
    with pytest.raises(ValueError, match=r"Feature 'x1' is constant in X"):
        GateRegionDisplay.from_estimator(moe, X, (0, 1))


def test_gate_display_takes_the_feature_label_it_draws(fitted_with_constant_column):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from skmoe.plotting import GateDisplay, GateRegionDisplay
    moe, X = fitted_with_constant_column
    # Fitted on an array: the displays label column j "x{j}", and refused that label.
    by_name = GateDisplay.from_estimator(moe, X, "x2", grid_resolution=5)
    by_index = GateDisplay.from_estimator(moe, X, 2, grid_resolution=5)
    assert by_name.feature_name == "x2"
    assert_array_equal(by_name.gate_weights, by_index.gate_weights)
    region = GateRegionDisplay.from_estimator(moe, X, ("x0", "x2"), grid_resolution=4)
    assert region.feature_names == ("x0", "x2")
    with pytest.raises(ValueError, match=r"Unknown feature 'x3'.*\['x0', 'x1', 'x2'\]"):
        GateDisplay.from_estimator(moe, X, "x3")
    plt.close("all")


# --------------------------------------------------------------- 7. persistence
def test_untrusted_types_names_bytes_given_as_file():
    sio = pytest.importorskip("skops.io")
    from skmoe.persistence import untrusted_types
    data = sio.dumps(LinearRegression().fit(np.eye(3), [1.0, 2.0, 3.0]))
    # (AttributeError: 'bytes' object has no attribute 'seek'.)
    with pytest.raises(TypeError, match=r"file must be a path .* got bytes; .* as data="):
        untrusted_types(file=data)
    with pytest.raises(TypeError, match=r"file must be a path .* got int\."):
        untrusted_types(file=3)
    assert untrusted_types(data=data) == []


# --------------------------------------------------------------- 8. inspection
@pytest.mark.parametrize("top_k", [None, 1])
def test_numbers_as_text_are_refused_as_predict_refuses_them(top_k):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                    max_iter=2, top_k=top_k, random_state=0).fit(X, y)
    text = np.array([["1.0", "2.0"]])
    with pytest.raises(ValueError, match="strings"):
        moe.predict(text)
    for method in (moe.predict_gate, moe.expert_usage):
        with pytest.raises(ValueError, match=r"X is an array of strings \(dtype <U3\)"):
            method(text)
    assert moe.predict_gate(text.astype(float)).shape == (1, 2)


# ------------------------------------------------------------------- 9. minor
@pytest.mark.parametrize("make", [make_regimes, make_piecewise_linear])
def test_return_regime_must_be_a_bool(make):
    # ("no" is a non-empty string: the regimes were returned.)
    with pytest.raises(ValueError, match="'return_regime' parameter"):
        make(10, return_regime="no")
    assert len(make(10, return_regime=np.True_)) == 3


def test_hidden_layer_sizes_of_booleans_are_refused():
    X, y = make_regimes(n_samples=30, random_state=0)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes must be a tuple of positive "
                                         r"integers, got \(True,\)"):
        TorchMLPRegressor(hidden_layer_sizes=(True,), max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"gate hidden_layer_sizes .* got \(True,\)"):
        _pool(MLPGate(hidden_layer_sizes=(True,)), "em").fit(X, y)
