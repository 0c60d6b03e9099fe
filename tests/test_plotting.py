"""Tests for skmoe.plotting: every display is rendered to PNG and checked."""

import copy
import os
import sys
from functools import partial

import numpy as np
import pytest
from sklearn.datasets import make_moons
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleRegressor, MixtureOfExpertsClassifier, MixtureOfExpertsRegressor,
                   MLPGate, compare)
from skmoe.datasets import make_regimes
from skmoe.plotting import (ComparisonDisplay, ConvergenceDisplay, ExpertUsageDisplay,
                            GateDisplay, GateRegionDisplay, check_matplotlib)

# These tests exercise EM; the estimators default to training="gradient".
EMRegressor = partial(MixtureOfExpertsRegressor, training="em")
EMClassifier = partial(MixtureOfExpertsClassifier, training="em")

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Short EM runs are the point here; their ConvergenceWarning is expected.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST_GATE = MLPGate(hidden_layer_sizes=(8,), max_iter=50, warm_max_iter=10)
EXPERTS = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return make_regimes(n_samples=400, n_noise_features=1, random_state=0)


@pytest.fixture(scope="module")
def moe(data):
    X, y = data
    # Regimes: EM starts from the matched regions (its default start under
    # cross-fitting is the full-data fits, the more accurate one on real data).
    return EMRegressor(EXPERTS, gate=FAST_GATE, max_iter=4, tol=0, init_params="matched",
                       random_state=0).fit(X, y)


def _save_and_check(display, tmp_path, name):
    """Write the PNG (to $SKMOE_PLOT_DIR too, for a human look) and check layout."""
    fig = display.figure_
    out_dir = os.environ.get("SKMOE_PLOT_DIR")
    paths = [tmp_path / f"{name}.png"] + ([os.path.join(out_dir, f"{name}.png")]
                                          if out_dir else [])
    for path in paths:
        fig.savefig(path, dpi=80)
    assert open(paths[0], "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    # Nothing clipped: each axes with its drawn titles, labels, tick labels and
    # legend (outside the axes too) lies within the figure.
    renderer = fig.canvas.get_renderer()
    fig_box = fig.bbox
    for ax in display.axes_:
        assert ax.get_xlabel() and ax.get_title()
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= -1 and box.y0 >= -1, (name, box)
        assert box.x1 <= fig_box.x1 + 1 and box.y1 <= fig_box.y1 + 1, (name, box)


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_gate_display_recovers_the_boundary(moe, data, tmp_path):
    X, _ = data
    display = GateDisplay.from_estimator(moe, X, feature=0)
    _save_and_check(display, tmp_path, "gate_area")
    np.testing.assert_allclose(display.gate_weights.sum(axis=1), 1.0, rtol=1e-6)
    assert display.grid[0] == X[:, 0].min() and display.grid[-1] == X[:, 0].max()
    # The line rules x < 5 and the tree x > 5 (make_regimes' boundary).
    line = display.gate_weights[:, 0]
    assert line[display.grid < 3].mean() > 0.8 and line[display.grid > 7].mean() < 0.2
    assert _legend_texts(display.ax_) == ["line", "tree"]
    assert display.ax_.get_xlabel() == "x0" and "gate weight" in display.ax_.get_ylabel()
    lines = GateDisplay.from_estimator(moe, X, feature=0, kind="line")
    _save_and_check(lines, tmp_path, "gate_line")
    assert len(lines.ax_.get_lines()) == 3  # two experts and the rug


def test_gate_display_feature_names_and_given_ax(data, tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=["speed", "noise"])
    model = EMRegressor(EXPERTS, gate=FAST_GATE, max_iter=2,
                                      random_state=0).fit(frame, y)
    fig, ax = plt.subplots(layout="constrained")
    display = GateDisplay.from_estimator(model, frame, feature="speed", ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    assert ax.get_xlabel() == "speed"
    with pytest.raises(ValueError, match="Unknown feature 'speeed'"):
        GateDisplay.from_estimator(model, frame, feature="speeed")


def test_gate_region_display(moe, data, tmp_path):
    X, _ = data
    display = GateRegionDisplay.from_estimator(moe, X, features=(0, 1), grid_resolution=40)
    _save_and_check(display, tmp_path, "gate_region")
    assert display.gate_weights.shape == (40, 40, 2)
    winner = display.gate_weights.argmax(axis=-1)
    assert (winner[:, display.xx0 < 3] == 0).mean() > 0.9  # line on the left
    assert (winner[:, display.xx0 > 7] == 1).mean() > 0.9  # tree on the right
    assert _legend_texts(display.ax_) == ["line", "tree"]
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == ("x0", "x1")


def test_gate_region_display_classifier(tmp_path):
    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    clf = EMClassifier(
        [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))],
        gate=FAST_GATE, max_iter=2, random_state=0).fit(X, y)
    display = GateRegionDisplay.from_estimator(clf, X, grid_resolution=30)
    _save_and_check(display, tmp_path, "gate_region_classifier")
    usage = ExpertUsageDisplay.from_estimator(clf, X)
    np.testing.assert_allclose(usage.soft_usage.sum(), 1.0)


def test_expert_usage_display(moe, data, tmp_path):
    X, _ = data
    display = ExpertUsageDisplay.from_estimator(moe, X)
    _save_and_check(display, tmp_path, "expert_usage")
    gate = moe.predict_gate(X)
    np.testing.assert_allclose(display.soft_usage, gate.mean(axis=0))
    np.testing.assert_allclose(display.top1_share.sum(), 1.0)
    assert [t.get_text() for t in display.ax_.get_yticklabels()] == ["line", "tree"]


def test_convergence_display(moe, tmp_path):
    display = ConvergenceDisplay.from_estimator(moe)
    _save_and_check(display, tmp_path, "convergence")
    assert len(display.axes_) == 2
    np.testing.assert_array_equal(display.iterations, np.arange(1, moe.n_iter_ + 1))
    np.testing.assert_allclose(display.objective, [h["log_likelihood"] for h in moe.history_])
    assert _legend_texts(display.axes_[1]) == ["line", "tree"]
    fig, ax = plt.subplots()
    single = ConvergenceDisplay.from_estimator(moe, ax=ax)
    assert single.axes_ == [ax]


def test_convergence_display_gradient_history(moe, tmp_path):
    # The gradient trainer logs epochs, a training and a validation loss.
    model = copy.copy(moe)
    model.history_ = [{"epoch": e, "train_loss": 1.0 / e, "validation_loss": 1.2 / e,
                       "expert_share": np.array([0.3, 0.7])} for e in range(1, 6)]
    display = ConvergenceDisplay.from_estimator(model)
    _save_and_check(display, tmp_path, "convergence_gradient")
    assert display.objective_name == "train_loss" and display.ax_.get_xlabel() == "epoch"
    np.testing.assert_allclose(display.validation, 1.2 / np.arange(1, 6))
    assert _legend_texts(display.ax_) == ["train loss", "validation loss"]
    model.history_ = []
    with pytest.raises(ValueError, match="empty history_"):
        ConvergenceDisplay.from_estimator(model)


def test_comparison_display(data, moe, tmp_path):
    X, y = data
    estimators = {"mixture": moe, "ensemble": EnsembleRegressor(EXPERTS), **dict(EXPERTS)}
    result = compare(estimators, X, y, cv=3)
    display = ComparisonDisplay.from_result(result)
    _save_and_check(display, tmp_path, "comparison")
    labels = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert labels == ["mixture", "ensemble", "line", "tree"]
    assert "corrected t-test p =" in display.ax_.get_title()
    rmse = ComparisonDisplay.from_result(result, metric="neg_root_mean_squared_error")
    assert rmse.ax_.get_xlabel() == "rmse" and "lower is better" in rmse.ax_.get_title()
    with pytest.raises(ValueError, match="Unknown metric"):
        ComparisonDisplay.from_result(result, metric="auc")
    fig, ax = plt.subplots()
    direct = ComparisonDisplay.from_estimators(dict(EXPERTS), X, y, cv=2, ax=ax)
    assert direct.axes_ == [ax] and direct.result.n_splits == 2
    assert "corrected t-test" not in ax.get_title()  # no mixture/ensemble pair


def test_bad_input():
    X, y = make_regimes(n_samples=50, random_state=0)
    with pytest.raises(TypeError, match="Expected a fitted mixture"):
        GateDisplay.from_estimator(LinearRegression().fit(X, y), X)
    with pytest.raises(NotFittedError):
        GateDisplay.from_estimator(EMRegressor(EXPERTS), X)


def test_bad_display_arguments(moe, data):
    X, _ = data
    with pytest.raises(ValueError, match="kind must be"):
        GateDisplay.from_estimator(moe, X, kind="bars")
    with pytest.raises(ValueError, match="two different features"):
        GateRegionDisplay.from_estimator(moe, X, features=(0, 0))
    with pytest.raises(ValueError, match="out of range"):
        GateDisplay.from_estimator(moe, X, feature=5)


def test_missing_matplotlib_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install matplotlib"):
        check_matplotlib()


# -- data as users have it: mixed-type frames and sparse X ---------------------
def _mixed_frame(n=160, seed=0):
    import pandas as pd
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({
        "x": rng.normal(size=n),
        "z": rng.normal(size=n),
        "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
        "city": pd.Series(rng.choice(["paris", "rome", "oslo"], n), dtype=object),
    })
    y = 2.0 * frame["x"].to_numpy() + 3.0 * (frame["colour"] == "red").to_numpy()
    return frame, y + 0.1 * rng.normal(size=n)


def test_gate_displays_take_a_mixed_type_frame():
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    X, y = _mixed_frame()
    one_hot = make_pipeline(make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["colour", "city"]), remainder="passthrough"),
        Ridge())
    numbers = make_pipeline(make_column_transformer(("passthrough", ["x", "z"])),
                            DecisionTreeRegressor(max_depth=3))
    moe = MixtureOfExpertsRegressor([("one_hot", one_hot), ("numbers", numbers)],
                                    max_epochs=5, random_state=0).fit(X, y)
    display = GateDisplay.from_estimator(moe, X, feature="x", grid_resolution=20)
    assert display.gate_weights.shape == (20, 2)
    np.testing.assert_allclose(display.gate_weights.sum(axis=1), 1.0)
    assert display.grid.min() == X["x"].min() and display.grid.max() == X["x"].max()
    region = GateRegionDisplay.from_estimator(moe, X, features=("x", "z"),
                                              grid_resolution=10)
    assert region.gate_weights.shape == (10, 10, 2)
    with pytest.raises(ValueError, match="'colour' has dtype category"):
        GateDisplay.from_estimator(moe, X, feature="colour")


def test_gate_display_takes_sparse_X():
    from scipy import sparse
    from sklearn.linear_model import Ridge
    rng = np.random.RandomState(0)
    X = sparse.random(150, 6, density=0.4, format="csr", random_state=rng)
    y = X @ rng.normal(size=6) + 0.05 * rng.normal(size=150)
    moe = MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor(
        max_depth=3))], max_epochs=5, random_state=0).fit(X, y)
    display = GateDisplay.from_estimator(moe, X, feature=2, grid_resolution=15)
    column = X[:, 2].toarray().ravel()
    assert display.grid.min() == column.min() and display.grid.max() == column.max()
    np.testing.assert_allclose(display.gate_weights.sum(axis=1), 1.0)


def test_convergence_display_of_an_em_run_that_dropped_an_expert():
    # collapse_action='drop' leaves later iterations with fewer shares: the
    # display raised on the ragged history ("inhomogeneous shape"). Each
    # expert's line now runs up to its drop, the kept experts' lines unshifted.
    from sklearn.dummy import DummyRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    from skmoe import ExpertCollapseWarning
    X, y = make_regimes(n_samples=600, noise=1.0, random_state=0)
    experts = [("line", LinearRegression()),
               ("quadratic", make_pipeline(PolynomialFeatures(2), LinearRegression())),
               ("far", DummyRegressor(strategy="constant", constant=1e4))]
    moe = EMRegressor(experts, gate=MLPGate(hidden_layer_sizes=(), max_iter=50,
                                            warm_max_iter=10),
                      cv=None, top_k=1, max_iter=6, init_params="kmeans",
                      collapse_threshold=0.02, collapse_patience=2, collapse_action="drop",
                      random_state=0)
    with pytest.warns(ExpertCollapseWarning):
        moe.fit(X, y)
    assert moe.expert_names_ == ["line", "quadratic"]
    # (The iteration that drops it reports the shares of the experts kept.)
    assert [len(h["expert_share"]) for h in moe.history_][:2] == [3, 2]
    display = ConvergenceDisplay.from_estimator(moe)
    assert display.expert_names == ["line", "quadratic", "far"]
    dropped = [h["iteration"] for h in moe.history_].index(2)  # dropped at iteration 2
    assert np.isnan(display.shares[dropped:, 2]).all()
    assert not np.isnan(display.shares[:dropped, 2]).any()
    for row, h in enumerate(moe.history_):
        np.testing.assert_array_equal(display.shares[row, :len(h["experts"])],
                                      h["expert_share"])
        assert h["experts"] == display.expert_names[:len(h["experts"])]
    assert [line.get_label() for line in display.axes_[1].get_lines()] == display.expert_names
