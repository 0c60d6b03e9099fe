"""Leftovers of earlier sessions, round 6: which routing a top-k mixture
kept, a collapse threshold no share can stay above, MMoE's message for a
validation_fraction that leaves no row, where NaN is in y for the
log-likelihood methods, compare() with R^2 on one-row test parts, the CLI's
header names that differ by spaces and its blank target rows."""

import re
import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import LeaveOneOut
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HierarchicalMixtureRegressor, MLPGate, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts, bic, compare)
from skmoe._cli import main

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=10, warm_max_iter=3)


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


# -- 1. which routing a top-k mixture kept -------------------------------------
def test_a_top1_gate_replaced_by_its_rival_says_so():
    # A top-1 gate that lost to the best expert alone gave way to it, as
    # top_k documents, without a word: no attribute, and n_iter_ and history_
    # of the discarded run. Here the line beats a constant on every row.
    X, y = _regression(n=120)
    experts = [("lin", LinearRegression()), ("dummy", DummyRegressor())]
    moe = _fit_quietly(MixtureOfExpertsRegressor(experts, top_k=1, max_epochs=5,
                                                 random_state=0), X, y)
    assert moe.rival_selected_ is True
    # The rival's constant routing: the line on every row.
    np.testing.assert_array_equal(moe.predict_gate(X), np.tile([1.0, 0.0], (len(X), 1)))


@pytest.mark.parametrize("settings", [dict(training="em", max_iter=3),
                                      dict(training="gradient", max_epochs=5)])
def test_rival_selected_is_none_where_no_rival_check_ran(settings):
    # The dense mixture (the stacked gate, or EM) has no rival check.
    X, y = _regression()
    moe = _fit_quietly(MixtureOfExpertsRegressor(
        [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        random_state=0, **settings), X, y)
    assert moe.rival_selected_ is None


def test_em_top1_says_whether_its_rival_check_kept_the_gate():
    X, y = _regression(n=120)
    experts = [("lin", LinearRegression()), ("dummy", DummyRegressor())]
    moe = _fit_quietly(MixtureOfExpertsRegressor(experts, training="em", top_k=1,
                                                 max_iter=3, random_state=0), X, y)
    assert moe.rival_selected_ in (True, False)
    if moe.rival_selected_:
        weights = moe.predict_gate(X)
        np.testing.assert_array_equal(weights, np.tile(weights[0], (len(X), 1)))


# -- 2. a collapse threshold at or above 1/n_experts ---------------------------
def test_a_collapse_threshold_no_share_can_stay_above_is_warned_of():
    # The shares sum to 1: with 2 experts a threshold of 0.6 flags one of
    # them at every iteration, whatever the fit, without a word of why.
    X, y = _regression()
    experts = [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    with pytest.warns(UserWarning, match=re.escape(
            "collapse_threshold=0.6 is at or above 1/n_experts (1/2 = 0.5)")) as record:
        MixtureOfExpertsRegressor(experts, training="em", collapse_threshold=0.6,
                                  collapse_action="warn", max_iter=2,
                                  random_state=0).fit(X, y)
    ours = [w for w in record if "1/n_experts" in str(w.message)]
    assert ours[0].filename == __file__   # at the caller of fit
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        MixtureOfExpertsRegressor(experts, training="em", collapse_threshold=0.4,
                                  max_iter=2, random_state=0).fit(X, y)


# -- 3. MMoE's validation_fraction that leaves no row -------------------------
def test_mmoe_fraction_that_leaves_no_row_names_the_estimator_and_a_fraction():
    # "validation_fraction=0.9 of the 4 rows holds out 4 of them and leaves no
    # row to train on: lower validation_fraction or ..." named no estimator
    # and no fraction that would do, as the newer check does.
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    with pytest.raises(ValueError, match=re.escape(
            "MultiGateMixtureOfExperts: validation_fraction=0.9 of the 4 rows holds out 4 "
            "for early stopping and leaves 0 to train on; holding out more rows than it "
            "trains on needs at least 10 training rows: hold out at most 2 rows "
            "(validation_fraction=0.5 or lower), or set early_stopping=False.")):
        MultiGateMixtureOfExperts(early_stopping=True, validation_fraction=0.9,
                                  random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match=r"hold out at most 1 row \("):
        MultiGateMixtureOfExperts(early_stopping=True, validation_fraction=0.9,
                                  random_state=0).fit(X[:2], Y[:2])


# -- 4. where NaN is in y, for the log-likelihood methods ----------------------
@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("lin", LinearRegression()), ("ridge", Ridge())],
                                      training="em", max_iter=2, random_state=0),
    lambda: HierarchicalMixtureRegressor([("lin", LinearRegression()), ("ridge", Ridge())],
                                         branching=2, gate=FAST_GATE, max_iter=2,
                                         random_state=0)], ids=["moe", "hme"])
def test_log_likelihood_methods_name_the_rows_of_nan_in_y(make):
    # "y contains NaN or infinity (2 of its values)" said no row; fit names them.
    X, y = _regression()
    model = _fit_quietly(make(), X, y)
    bad = y.copy()
    bad[[4, 7]] = [np.nan, np.inf]
    expected = re.escape("y contains NaN or infinity: 2 value(s) of y, at row 4, row 7 "
                         "(positions counted from 0); a log-likelihood needs finite targets")
    for method in (model.log_likelihood_samples, lambda X, y: bic(model, X, y),
                   model.bic, model.aic):
        with pytest.raises(ValueError, match=expected):
            method(X, bad)


# -- 5. compare() with R^2 on one-row test parts ------------------------------
@pytest.mark.parametrize("scoring", ["r2", None, ["neg_mean_absolute_error", "r2"]])
def test_compare_refuses_r2_on_single_test_rows_before_fitting(scoring):
    # It fitted every model on every split, then reported R^2 NaN with a
    # warning per model; the CLI refuses --cv folds of one row.
    X, y = _regression(n=12)
    fitted = []

    class Spy(LinearRegression):
        def fit(self, X, y, sample_weight=None):
            fitted.append(len(X))
            return super().fit(X, y, sample_weight)

    with pytest.raises(ValueError, match=re.escape(
            "12 of the 12 splits of cv test a single row (split 1, 2, 3, 4, 5, ...), on "
            "which 'r2'")):
        compare({"line": Spy(), "ridge": Ridge()}, X, y, cv=LeaveOneOut(), scoring=scoring)
    assert not fitted
    # An error metric is defined on one row.
    result = compare({"line": Spy(), "ridge": Ridge()}, X, y, cv=LeaveOneOut(),
                     scoring="neg_root_mean_squared_error")
    assert all(np.isfinite(split_scores).all() for split_scores in result.scores["line"].values())


# -- 6. the CLI: names that differ by spaces, blank target rows ---------------
def _write(path, header, a, y, blank=()):
    rows = [f"{u:.4f},{'' if i in blank else f'{t:.4f}'},{t:.4f}\n"
            for i, (u, t) in enumerate(zip(a, y))]
    path.write_text(header + "\n" + "".join(rows))


def test_cli_header_names_that_differ_only_by_spaces_are_refused(tmp_path, capsys):
    # "a,y, y" is 'y' and ' y' to pandas: the repeated-name check missed it,
    # and --target y left the copy ' y' a feature (a leaked, perfect score).
    X, y = _regression(n=40)
    path = tmp_path / "spaced.csv"
    _write(path, "a,y, y", X[:, 0], y)
    assert main(["compare", str(path), "--target", "y", "--experts", "linear"]) == 2
    assert ("Column names 'y' and ' y' in the header of" in capsys.readouterr().err)


def test_cli_blank_target_rows_are_counted(tmp_path, capsys):
    X, y = _regression(n=40)
    path = tmp_path / "blank.csv"
    _write(path, "a,y,z", X[:, 0], y, blank=(3, 5, 8))
    assert main(["compare", str(path), "--target", "y", "--experts", "linear"]) == 2
    assert ("The target column 'y' has missing values in 3 of the 40 rows; pass --dropna."
            in capsys.readouterr().err)
