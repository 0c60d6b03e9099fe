"""Bad-input sweep, round 13: the tools around the estimators (CLI, datasets,
displays, compare)."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes

pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# (max_epochs=3 keeps the fits fast; their gates have not converged.)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    return make_regimes(120, random_state=0)


@pytest.fixture(scope="module")
def moe(data):
    X, y = data
    return MixtureOfExpertsRegressor([("lin", Ridge()),
                                      ("tree", DecisionTreeRegressor(max_depth=3))],
                                     max_epochs=3, random_state=0).fit(X, y)


# -- displays ---------------------------------------------------------------
@pytest.mark.parametrize("make_ax, error, message", [
    (lambda: "left", TypeError, r"ax must be a matplotlib Axes .*got 'left'"),
    (lambda: plt.figure(), TypeError, r"ax must be a matplotlib Axes"),
    (lambda: [], TypeError, r"ax must be a matplotlib Axes"),
    (lambda: plt.subplots(1, 2)[1], ValueError, r"ax has 2 Axes; this display draws one"),
])
def test_displays_name_an_ax_of_the_wrong_kind(moe, data, make_ax, error, message):
    # Was AttributeError "'str' object has no attribute 'figure'" (or
    # "'Figure' object has no attribute 'stackplot'"), IndexError "list index
    # out of range", ValueError "too many values to unpack (expected 1)".
    from skmoe.plotting import ConvergenceDisplay, ExpertUsageDisplay, GateDisplay
    X, _ = data
    with pytest.raises(error, match=message):
        GateDisplay.from_estimator(moe, X, grid_resolution=5, ax=make_ax())
    with pytest.raises(error, match=message):
        ExpertUsageDisplay.from_estimator(moe, X, ax=make_ax())
    plt.close("all")
    three = plt.subplots(1, 3)[1]
    with pytest.raises(ValueError, match="ax has 3 Axes; this display draws one or two"):
        ConvergenceDisplay.from_estimator(moe, ax=three)
    pair = plt.subplots(1, 2)[1]
    assert ConvergenceDisplay.from_estimator(moe, ax=pair).axes_ == list(pair)
    plt.close("all")


def test_displays_say_how_to_plot_a_mixture_inside_a_pipeline(data):
    # Was "Expected a fitted mixture of experts (with predict_gate), got
    # Pipeline." alone, though the Pipeline's last step is a mixture.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skmoe.plotting import ExpertUsageDisplay, GateDisplay
    X, y = data
    pipe = make_pipeline(StandardScaler(), MixtureOfExpertsRegressor(
        [("lin", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))], max_epochs=3,
        random_state=0)).fit(X, y)
    message = (r"got Pipeline\. This Pipeline ends with a MixtureOfExpertsRegressor: pass "
               r"pipe\[-1\] and pipe\[:-1\]\.transform\(X\)")
    with pytest.raises(TypeError, match=message):
        GateDisplay.from_estimator(pipe, X)
    with pytest.raises(TypeError, match=message):
        ExpertUsageDisplay.from_estimator(pipe, X)
    # What it says works, and gives the mixture's own gate.
    display = ExpertUsageDisplay.from_estimator(pipe[-1], pipe[:-1].transform(X))
    gate = pipe[-1].predict_gate(pipe[:-1].transform(X))
    np.testing.assert_allclose(display.soft_usage, gate.mean(axis=0))
    plt.close("all")


# -- compare ----------------------------------------------------------------
def _two_ridges():
    return {"a": Ridge(), "b": Ridge(alpha=10.0)}


@pytest.mark.parametrize("scoring, message", [
    ("neg_mean_squared_eror", r"scoring 'neg_mean_squared_eror' is not a scikit-learn scorer "
                              r"name\. Did you mean 'neg_mean_squared_error'"),
    (["r2", "r22"], r"scoring 'r22' is not a scikit-learn scorer name\. Did you mean 'r2'\?"),
    ({"err": "rmse"}, r"scoring\['err'\] 'rmse' is not a scikit-learn scorer name\. Did you "
                      r"mean 'neg_root_mean_squared_error'\?"),
    ("zzzz", r"'zzzz' is not a scikit-learn scorer name\. "
             r"sklearn\.metrics\.get_scorer_names\(\) lists them\."),
])
def test_compare_suggests_the_scorer_meant_by_a_typo(scoring, message):
    # Was scikit-learn's "'r22' is not a valid scoring value. Use
    # sklearn.metrics.get_scorer_names() to get valid options.", and 'rmse',
    # the name compare's own table shows, got the same.
    from skmoe import compare
    X, y = make_regimes(20, random_state=0)
    with pytest.raises(ValueError, match=message):
        compare(_two_ridges(), X, y, cv=2, scoring=scoring, progress=False)


@pytest.mark.parametrize("scoring", ["accuracy", "neg_log_loss", ["r2", "roc_auc"],
                                     {"f": "f1"}])
def test_compare_refuses_a_classification_metric_for_regressors_before_fitting(scoring):
    # Was, after the first fit, "Model 'a' failed to score (accuracy) on a split
    # of 10 training rows: continuous is not supported" ('roc_auc', 'neg_log_loss':
    # "Ridge has none of the following attributes: ... predict_proba").
    from skmoe import compare

    class NoFit(Ridge):
        def fit(self, X, y):
            raise AssertionError("fitted before the scoring was checked")

    X, y = make_regimes(20, random_state=0)
    with pytest.raises(ValueError, match=r"is a classification metric, but the estimators "
                                         r"are regressors; for regression use e\.g\. 'r2'"):
        compare({"a": NoFit(), "b": Ridge()}, X, y, cv=2, scoring=scoring, progress=False)
    # A regression metric still runs.
    assert compare(_two_ridges(), X, y, cv=2, scoring="r2", progress=False).metrics == ["r2"]


# -- the command line ---------------------------------------------------------
def _cli_error(argv, capsys):
    from skmoe._cli import main
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_cli_names_a_missing_file_a_folder_and_an_excel_file(tmp_path, capsys):
    # Each was "Unknown dataset '...'. `python -m skmoe datasets` lists them:
    # ames, boston, ...", and an existing Excel file "Cannot read ... as CSV:
    # 'utf-8' codec can't decode byte 0x87".
    missing = str(tmp_path / "sales.xlsx")
    assert f"skmoe: error: No such file: {missing}\n" == _cli_error(
        ["compare", missing], capsys)
    assert "skmoe: error: No such file: data/train.txt\n" == _cli_error(
        ["compare", "data/train.txt"], capsys)
    assert f"skmoe: error: {tmp_path} is a folder, not a CSV file.\n" == _cli_error(
        ["compare", str(tmp_path)], capsys)
    excel = tmp_path / "sales.xlsx"
    excel.write_bytes(b"PK\x03\x04\x14\x00\x87\x88")
    err = _cli_error(["compare", str(excel)], capsys)
    assert err == (f"skmoe: error: {excel} is an Excel file; compare reads CSV files: save "
                   "it as CSV (with pandas: pd.read_excel(path).to_csv('data.csv', "
                   "index=False)).\n")
    # A bundled name is still a bundled name.
    assert "Unknown dataset 'no_such_set'" in _cli_error(["compare", "no_such_set"], capsys)


@pytest.mark.parametrize("name, meant", [("Iris", "'iris'"), ("irsi", "'iris'"),
                                         ("breastcancer", "'breast_cancer'"),
                                         ("Diamonds", "'diamonds'")])
def test_an_unknown_dataset_name_gets_the_close_match(name, meant, capsys):
    # Was "Unknown dataset 'Iris'; choose one of ['ames', 'boston', ...]" (19
    # names), in load_dataset as in the command line.
    from skmoe.datasets import load_dataset
    with pytest.raises(ValueError, match=rf"Unknown dataset '{name}'; did you mean {meant}\? "
                                         r"Choose one of \['ames'"):
        load_dataset(name)
    err = _cli_error(["compare", name], capsys)
    assert err.startswith(f"skmoe: error: Unknown dataset '{name}'; did you mean {meant}? "
                          "`python -m skmoe datasets` lists them: ames, ")
    with pytest.raises(ValueError, match=r"Unknown dataset 'xyz'; choose one of \['ames'"):
        load_dataset("xyz")


def test_cli_names_an_expert_given_twice(capsys):
    # Was "--experts needs at least two distinct experts, got ['linear',
    # 'tree', 'tree']", though two distinct experts were given.
    err = _cli_error(["compare", "regimes", "--experts", "linear,tree,tree"], capsys)
    assert err == ("skmoe: error: --experts names 'tree' more than once (linear,tree,tree); "
                   "give each expert once: --experts linear,tree.\n")
    err = _cli_error(["compare", "regimes", "--experts", "linear,linear"], capsys)
    assert "at least two distinct experts, got ['linear', 'linear']" in err


def test_cli_an_expert_after_a_space_in_experts_is_not_called_a_dataset(capsys):
    # "--experts linear tree" gave 'tree' to the data argument: "Unknown
    # dataset 'tree'. `python -m skmoe datasets` lists them: ames, ...".
    err = _cli_error(["compare", "--experts", "gbm,forest", "mlp"], capsys)
    assert err == ("skmoe: error: 'mlp' is an expert, not a dataset: --experts takes the "
                   "experts separated by commas, without spaces (--experts gbm,forest,mlp).\n")


def test_cli_an_unknown_expert_gets_the_close_match_or_the_separator(capsys):
    # Was "Unknown expert(s) ['tre', 'LINEAR']; choose from [...]." alone.
    err = _cli_error(["compare", "regimes", "--experts", "tre,LINEAR"], capsys)
    assert err == ("skmoe: error: Unknown expert(s) ['tre', 'LINEAR']; choose from ['forest', "
                   "'gbm', 'knn', 'linear', 'mlp', 'tree'] ('tre': did you mean 'tree'?; "
                   "'LINEAR': did you mean 'linear'?).\n")
    err = _cli_error(["compare", "regimes", "--experts", "linear;tree"], capsys)
    assert err.endswith("('linear;tree' holds several names: separate them with commas).\n")
    err = _cli_error(["compare", "regimes", "--experts", "xyz,tree"], capsys)
    assert err.endswith("choose from ['forest', 'gbm', 'knn', 'linear', 'mlp', 'tree'].\n")


def test_a_metric_named_by_its_table_label_says_which_key_to_pass():
    # Was "Unknown metric 'rmse'; choose from ['r2', 'neg_root_mean_squared_error']."
    # though the table prints that metric's column as 'rmse'.
    from skmoe import compare
    from skmoe.plotting import ComparisonDisplay
    X, y = make_regimes(20, random_state=0)
    result = compare(_two_ridges(), X, y, cv=2, progress=False)
    assert "rmse" in str(result)
    message = (r"Unknown metric 'rmse'; choose from \['r2', 'neg_root_mean_squared_error'\] "
               r"\('rmse' is the table's label of 'neg_root_mean_squared_error': pass that\)\.")
    with pytest.raises(ValueError, match=message):
        result.paired_test("a", "b", metric="rmse")
    with pytest.raises(ValueError, match=message):
        result.display_scores("a", "rmse")
    with pytest.raises(ValueError, match=message):
        ComparisonDisplay.from_result(result, metric="rmse")
    with pytest.raises(ValueError, match=r"Unknown metric 'r22'; choose from \['r2', "
                                         r"'neg_root_mean_squared_error'\]\.$"):
        result.display_scores("a", "r22")
    np.testing.assert_array_equal(result.display_scores("a", "neg_root_mean_squared_error"),
                                  -np.asarray(result.scores["a"]["neg_root_mean_squared_error"]))


@pytest.mark.parametrize("scoring, metric, message", [
    (None, "r22", r"Unknown metric 'r22'; the scoring makes 'r2' and "
                  r"'neg_root_mean_squared_error' \(regression\), 'accuracy' and "
                  r"'neg_log_loss' \(classification\)\."),
    ("r2", "rmse", r"Unknown metric 'rmse'; the scoring makes \['r2'\]\."),
    (["r2", "neg_mean_absolute_error"], "mae",
     r"Unknown metric 'mae'; the scoring makes \['r2', 'neg_mean_absolute_error'\]\."),
])
def test_comparison_display_checks_its_metric_before_fitting(scoring, metric, message):
    # ComparisonDisplay.from_estimators ran the whole comparison, every fit,
    # and only then said "Unknown metric 'r22'; choose from [...]".
    from skmoe.plotting import ComparisonDisplay

    class NoFit(Ridge):
        def fit(self, X, y):
            raise AssertionError("fitted before the metric was checked")

    X, y = make_regimes(20, random_state=0)
    with pytest.raises(ValueError, match=message):
        ComparisonDisplay.from_estimators({"a": NoFit(), "b": NoFit()}, X, y, cv=2,
                                          scoring=scoring, metric=metric, progress=False)
    display = ComparisonDisplay.from_estimators(_two_ridges(), X, y, cv=2, scoring=scoring,
                                                metric="r2", progress=False)
    assert display.metric == "r2"
    plt.close("all")
