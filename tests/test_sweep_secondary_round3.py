"""Defects found by the third sweep of the secondary estimators and paths (the
multi-gate mixture, CrossFitAverage, the displays of hierarchical mixtures, the
torch MLP experts).

Each test fails without its fix.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import CrossFitAverage, HierarchicalMixtureRegressor, MultiGateMixtureOfExperts
from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    return X, X[:, 0] + 0.1 * rng.randn(60), (X[:, 1] > 0).astype(int)


# ------------------------------- 1. a binary task's sigmoid far from the data
def test_mmoe_binary_task_far_outside_the_training_range_predicts_without_overflow():
    # 1 / (1 + exp(-z)) overflowed in exp for logits below -709: numpy's
    # "overflow encountered in exp" RuntimeWarning at every predict.
    X, y, labels = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (ConvergenceWarning of the short fit)
        model = MultiGateMixtureOfExperts(tasks=["regression", "binary"], n_experts=2,
                                          max_iter=3, random_state=0).fit(
            X, np.column_stack([y, labels]))
    X_far = X * 1e4
    logits = model._forward(model._check_X(X_far), model.module_)[1, :, 0]
    assert logits.min() < -710        # beyond exp's float64 range once negated
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = model.predict_proba(X_far)[1]
        pred = model.predict(X_far)
    assert_allclose(proba[:, 1], expit(logits), rtol=1e-12, atol=0)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert_allclose(pred[:, 1], (logits > 0).astype(float))


# ------------------------ 2. CrossFitAverage's predict_proba and hasattr
def test_regression_cross_fit_average_has_no_predict_proba_for_hasattr():
    # The method raised AttributeError when called, but hasattr said True: a
    # regression average looked like a model with probabilities to code that
    # asks (STYLE: available_if, so that hasattr tells the truth).
    X, y, labels = _data()
    regression = CrossFitAverage([Ridge().fit(X[:30], y[:30]), Ridge().fit(X[30:], y[30:])])
    assert not hasattr(regression, "predict_proba")
    with pytest.raises(AttributeError, match="predict_proba"):
        regression.predict_proba(X)
    fits = [LogisticRegression().fit(X[:30], labels[:30]),
            LogisticRegression().fit(X[30:], labels[30:])]
    classification = CrossFitAverage(fits, n_classes=2)
    assert hasattr(classification, "predict_proba")
    assert_allclose(classification.predict_proba(X),
                    (fits[0].predict_proba(X) + fits[1].predict_proba(X)) / 2)


# ------------- 3. the held-out log-likelihood of an HME in ConvergenceDisplay
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # (6 iterations)
def test_convergence_display_draws_the_held_out_log_likelihood_of_an_early_stopped_hme():
    # The display drew the in-sample log-likelihood alone (it rises at every
    # iteration), not the held-out one that chose the tree.
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skmoe.plotting import ConvergenceDisplay

    X, y, _ = _data()
    hme = HierarchicalMixtureRegressor(Ridge(), branching=(2,), early_stopping=True,
                                       validation_fraction=0.3, n_iter_no_change=2,
                                       max_iter=6, random_state=0).fit(X, y)
    held_out = [h["validation_log_likelihood"] for h in hme.history_]
    assert len(held_out) > 1
    display = ConvergenceDisplay.from_estimator(hme)
    try:
        assert_allclose(display.objective, [h["log_likelihood"] for h in hme.history_])
        assert display.validation is not None
        assert_allclose(display.validation, held_out)
        lines = {line.get_label(): line for line in display.ax_.get_lines()}
        assert_allclose(lines["validation log likelihood"].get_ydata(), held_out)
        assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
            "log likelihood", "validation log likelihood"]
    finally:
        plt.close(display.figure_)
    # Without early stopping there is nothing held out to draw.
    hme.set_params(early_stopping=False).fit(X, y)
    display = ConvergenceDisplay.from_estimator(hme)
    assert display.validation is None
    plt.close(display.figure_)


# ------------------- 4. a display's typical value of a column missing in X
def test_gate_display_of_an_x_with_a_column_missing_in_every_row_warns_nothing():
    # The other features are held at their median in X; a column missing
    # (NaN) in every row made numpy warn "All-NaN slice encountered" (its
    # typical value is missing, as a DataFrame's median gives it, and the
    # leaves and the gates take it).
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skmoe.plotting import GateDisplay

    X, y, _ = _data()
    X[::3, 1] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (ConvergenceWarning of the short fit)
        hme = HierarchicalMixtureRegressor(HistGradientBoostingRegressor(max_iter=5),
                                           branching=(2,), max_iter=2, random_state=0).fit(X, y)
    shown = X.copy()
    shown[:, 2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        display = GateDisplay.from_estimator(hme, shown, feature=0, grid_resolution=5)
    plt.close(display.figure_)
    grid = np.linspace(X[:, 0].min(), X[:, 0].max(), 5)
    rows = np.column_stack([grid, np.full(5, np.nanmedian(X[:, 1])), np.full(5, np.nan)])
    assert_allclose(display.gate_weights, hme.predict_gate(rows))


# ----------------- 5. a torch expert's scaling from rows of zero sample_weight
def test_torch_mlp_rows_of_zero_weight_do_not_set_its_scaling():
    # The target's mean and scale (and the inputs' standardisation) came from
    # every row, those of weight zero included: rows at y ~ 1e4 masked out
    # beside rows of spread 0.7 made y_scale_ about 5000 and the network's
    # RMSE on the rows it fitted 60.0, against 0.35 with those rows left out.
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (200, 1))
    kept = X[:, 0] < 0
    y = np.where(kept, np.sin(3 * X[:, 0]), 1e4 + 100 * X[:, 0]) + 0.05 * rng.randn(200)
    settings = dict(hidden_layer_sizes=(16,), learning_rate=1e-2, max_epochs=60,
                    random_state=0)   # (early-stopped after 32-34 epochs)
    masked = TorchMLPRegressor(**settings).fit(X, y, sample_weight=kept.astype(float))
    alone = TorchMLPRegressor(**settings).fit(X[kept], y[kept])
    assert (masked.y_mean_, masked.y_scale_) == (alone.y_mean_, alone.y_scale_)
    assert_array_equal(masked.x_mean_, alone.x_mean_)
    assert_array_equal(masked.x_scale_, alone.x_scale_)
    rmse = np.sqrt(np.mean((masked.predict(X[kept]) - y[kept]) ** 2))
    assert rmse < 0.5
    # The classifier's inputs: rows of weight zero far out moved their scaling.
    labels = (X[:, 0] > -1).astype(int)
    far = X.copy()
    far[~kept] = 1e6
    masked = TorchMLPClassifier(max_epochs=2, random_state=0).fit(
        far, labels, sample_weight=kept.astype(float))
    alone = TorchMLPClassifier(max_epochs=2, random_state=0).fit(X[kept], labels[kept])
    assert_array_equal(masked.x_mean_, alone.x_mean_)
    assert_array_equal(masked.x_scale_, alone.x_scale_)


# -------------------- 6. MMoE's scaling from rows of zero sample_weight
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # (5 epochs)
@pytest.mark.parametrize("far", ["y", "X"])
def test_mmoe_rows_of_zero_weight_do_not_set_its_scaling(far):
    # A row of weight zero adds nothing to the loss, but it set the inputs'
    # standardisation (X = 1e300 there: every other row's inputs about zero,
    # the same prediction for every row) and its regression target reached
    # float32 as inf (y = 1e40 there: "diverged: its training loss became nan").
    X, y, labels = _data()
    Y = np.column_stack([y, labels])
    weight = np.ones(60)
    weight[0] = 0.0
    X_far, Y_far = X.copy(), Y.copy()
    if far == "y":
        Y_far[0, 0] = 1e40
    else:
        X_far[0] = 1e300
    settings = dict(tasks=["regression", "binary"], n_experts=2, max_iter=5, random_state=0)
    masked = MultiGateMixtureOfExperts(**settings).fit(X_far, Y_far, sample_weight=weight)
    alone = MultiGateMixtureOfExperts(**settings).fit(X[1:], Y[1:])
    assert_allclose(masked.predict(X[1:])[:, 0], alone.predict(X[1:])[:, 0], rtol=1e-5)
    assert_allclose(masked.predict_proba(X[1:])[1], alone.predict_proba(X[1:])[1], rtol=1e-5)
