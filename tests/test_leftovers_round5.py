"""Leftovers of earlier sessions, round 5: where NaN is in y, HME's BIC/AIC,
validation fractions that leave too few rows, compare() on 2-D labels,
MMoE's set_output."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureClassifier, HierarchicalMixtureRegressor, MLPGate,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts)
from skmoe.experts import RuleExpert, TorchMLPRegressor

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=10, warm_max_iter=3)


def _experts():
    return [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]


def _regression(n=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _first_column(X, a=1.0):
    return a * X[:, 0]


# -- 1. where NaN is in y ------------------------------------------------------
REGRESSORS = {
    "moe": lambda: MixtureOfExpertsRegressor(_experts(), max_epochs=2, random_state=0),
    "moe_em": lambda: MixtureOfExpertsRegressor(_experts(), training="em", gate=FAST_GATE,
                                                max_iter=2, random_state=0),
    "ensemble": lambda: EnsembleRegressor(_experts()),
    "ensemble_greedy": lambda: EnsembleRegressor(_experts(), weights="greedy", cv=3,
                                                 n_rounds=3),
    "hme": lambda: HierarchicalMixtureRegressor(_experts(), branching=2, gate=FAST_GATE,
                                                max_iter=2, random_state=0),
    "torch_mlp": lambda: TorchMLPRegressor((4,), max_epochs=2, random_state=0),
    "rule": lambda: RuleExpert(_first_column, params={"a": 1.0}),
}


@pytest.mark.parametrize("name", REGRESSORS)
def test_nan_in_y_names_its_rows(name):
    # scikit-learn's "Input y contains NaN." said nothing of where.
    X, y = _regression()
    y[[4, 7]] = np.nan
    with pytest.raises(ValueError, match=r"^Input y contains NaN\. 2 value\(s\) of y, at "
                                         r"row 4, row 7 \(positions counted from 0\)"):
        REGRESSORS[name]().fit(X, y)
    y[[4, 7]] = 0.0
    y[3] = np.inf
    with pytest.raises(ValueError, match=r"^Input y contains infinity.* at row 3 "):
        REGRESSORS[name]().fit(X, y)


@pytest.mark.parametrize("name", ["torch_mlp", "rule"])
def test_none_and_pd_na_in_the_y_of_an_expert_are_named_with_their_rows(name):
    # None was counted but not placed; pd.NA stopped scikit-learn's check of
    # the objects with a bare "TypeError: boolean value of NA is ambiguous".
    X, y = _regression()
    for missing in (None, pd.NA):
        target = pd.Series([*y[:5], missing, *y[6:]], dtype=object)
        with pytest.raises(ValueError, match=r"y contains NaN, infinity or None \(1 of its "
                                             r"values\) at row\(s\) 5 "):
            REGRESSORS[name]().fit(X, target)


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2,
                                      random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(_experts(), max_iter=2, cv=2,
                                                   random_state=0),
])
def test_nan_in_a_multi_task_y_names_its_task_and_rows(make):
    X, y = _regression()
    Y = np.c_[y, -y]
    Y[[5, 9], 1] = np.nan
    with pytest.raises(ValueError, match=r"^y contains NaN in column 1 \(task 1, regression\): "
                                         r"2 value\(s\), at row\(s\) 5, 9 \(positions"):
        make().fit(X, Y)


# -- 2. the hierarchical mixtures' bic and aic -----------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_hme_regressor_has_bic_and_aic_counted_by_hand():
    # The flat mixtures had .bic/.aic; the hierarchical ones had only skmoe.bic.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = np.where(X[:, 0] > 0, X[:, 1], -X[:, 1]) + 0.1 * rng.normal(size=80)
    model = HierarchicalMixtureRegressor(
        LinearRegression(), branching=(2, 2), gate=MLPGate(hidden_layer_sizes=(3,), max_iter=20),
        max_iter=3, random_state=0).fit(X, y)
    d, h = X.shape[1], 3
    # Three node gates d -> h -> 2 (one output row fixed by the other), four
    # linear leaves (coef_ and intercept_) and their four noise variances.
    k = 3 * ((d + 1) * h + (h + 1) * 2 - (h + 1)) + 4 * (d + 1) + 4
    log_l = model.log_likelihood_samples(X, y).sum()
    assert model.bic(X, y) == pytest.approx(-2 * log_l + k * np.log(80), rel=1e-12)
    assert model.aic(X, y) == pytest.approx(-2 * log_l + 2 * k, rel=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_hme_classifier_has_bic_and_aic_counted_by_hand():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=80) > 0).astype(int)
    model = HierarchicalMixtureClassifier(
        LogisticRegression(), branching=2, gate=MLPGate(hidden_layer_sizes=(), max_iter=20),
        max_iter=3, random_state=0).fit(X, y)
    # One linear root gate of two outputs (d + 1 free), two binary logistic
    # leaves (d + 1 each); no noise variance.
    k = 3 * (X.shape[1] + 1)
    log_l = np.log(model.predict_proba(X)[np.arange(80), y]).sum()
    np.testing.assert_allclose(model.log_likelihood_samples(X, y).sum(), log_l, rtol=1e-10)
    assert model.bic(X, y) == pytest.approx(-2 * log_l + k * np.log(80), rel=1e-10)
    assert model.aic(X, y) == pytest.approx(-2 * log_l + 2 * k, rel=1e-10)
    # A leaf without a count is named, as for the flat mixtures.
    trees = HierarchicalMixtureClassifier(
        DecisionTreeClassifier(max_depth=2), branching=2, gate=FAST_GATE, max_iter=2,
        random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="has no defined number of free parameters"):
        trees.bic(X, y)


# -- 3. a validation_fraction that leaves too few rows to train on -------------
def _holds_out_too_much(who, n, n_val, n_train, off):
    return (rf"^{who}: validation_fraction=0\.99 of the {n} .*holds out {n_val} for early "
            rf"stopping and leaves {n_train} to train on; .*needs at least 10 training rows"
            rf".*validation_fraction=0\.\d+ or lower\), or set {re.escape(off)}")


@pytest.mark.parametrize("name, make, n, n_val", [
    ("MixtureOfExpertsRegressor",   # the stacked gate, on a fold's 24 training rows
     lambda f: MixtureOfExpertsRegressor(_experts(), max_epochs=2, validation_fraction=f,
                                         random_state=0), 24, 22),
    ("MixtureOfExpertsRegressor",   # the joint trainer (top_k)
     lambda f: MixtureOfExpertsRegressor(
         [*_experts(), ("stump", DecisionTreeRegressor(max_depth=1))], top_k=1, max_epochs=2,
         validation_fraction=f, random_state=0), 30, 28),
    ("TorchMLPRegressor",
     lambda f: TorchMLPRegressor((4,), max_epochs=2, validation_fraction=f, random_state=0),
     30, 28),
])
def test_a_validation_fraction_that_leaves_too_few_rows_is_refused(name, make, n, n_val):
    # 0.99 of 30 rows trained on 2 rows (the HME's EM on none), silently.
    X, y = _regression()
    off = "validation_fraction=0" if name.startswith("MixtureOf") else "early_stopping=False"
    with pytest.raises(ValueError, match=_holds_out_too_much(name, n, n_val, n - n_val, off)):
        make(0.99).fit(X, y)
    # The fraction the message offers fits.
    with pytest.raises(ValueError) as info:
        make(0.99).fit(X, y)
    offered = float(re.search(r"validation_fraction=(0\.\d+) or lower", str(info.value))[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make(offered).fit(X, y)


def test_hme_refuses_a_validation_fraction_that_leaves_too_few_rows():
    # 0.7 of 30 rows (rounded up, as train_test_split) ran EM on 9 rows,
    # silently; 'auto' fits without early stopping there, as documented.
    X, y = _regression()
    make = lambda f, stop=True: HierarchicalMixtureRegressor(   # noqa: E731
        _experts(), branching=2, gate=FAST_GATE, max_iter=2, early_stopping=stop,
        validation_fraction=f, random_state=0)
    with pytest.raises(ValueError, match=r"^HierarchicalMixtureRegressor: early_stopping=True "
                                         r"holds out validation_fraction=0\.7 of the 30 rows .*"
                                         r"but 9 rows are left for EM; .* at least 10 training "
                                         r"rows: hold out at most 20 rows \(validation_fraction="
                                         r"0\.666 or lower\)"):
        make(0.7).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert make(0.7, "auto").fit(X, y).validation_log_likelihood_ is None
        assert make(0.666).fit(X, y).validation_log_likelihood_ is not None


def test_mmoe_refuses_a_validation_fraction_that_leaves_too_few_rows():
    X, y = _regression()
    make = lambda f: MultiGateMixtureOfExperts(   # noqa: E731
        n_experts=2, expert_units=4, max_iter=2, early_stopping=True, validation_fraction=f,
        random_state=0)
    with pytest.raises(ValueError, match=r"^MultiGateMixtureOfExperts: validation_fraction=0\.7 "
                                         r"of the 30 rows holds out 21 .* leaves 9 to train on"):
        make(0.7).fit(X, np.c_[y, -y])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make(0.66).fit(X, np.c_[y, -y])


def test_a_classifier_needs_two_training_rows_per_class():
    # Eight classes in 30 rows: 0.6 holds out 18 and leaves 12, fewer than 16.
    from skmoe.experts import TorchMLPClassifier
    X, _ = _regression()
    y = np.arange(30) % 8
    with pytest.raises(ValueError, match=r"leaves 12 to train on; .* needs at least 16 training "
                                         r"rows \(10, and two of each of the 8 classes\)"):
        TorchMLPClassifier((4,), max_epochs=2, validation_fraction=0.6).fit(X, y)


def test_small_data_with_a_held_out_part_no_larger_is_not_refused():
    # The rule is the fraction's, not the data's size: 8 rows and the
    # default fraction train on 7; half of them on 4.
    X, y = _regression(n=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        TorchMLPRegressor((4,), max_epochs=2, random_state=0).fit(X, y)
        TorchMLPRegressor((4,), max_epochs=2, validation_fraction=0.5, random_state=0).fit(X, y)


# -- 4. compare() with classifiers and a y of several columns -------------------
def _two_label_columns(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)


@pytest.mark.parametrize("groups", [None, np.arange(60) % 6])
def test_compare_names_classifiers_of_one_target_for_a_2d_y(groups):
    # Without groups scikit-learn's stratified folds stopped first: "Supported
    # target types are: ('binary', 'multiclass'). Got 'multilabel-indicator'
    # instead."; with groups each model failed on its first split.
    from skmoe import MixtureOfExpertsClassifier, compare
    X, Y = _two_label_columns()
    models = {"moe": MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                                 ("tree", DecisionTreeClassifier(max_depth=2))]),
              "lr": LogisticRegression(), "tree": DecisionTreeClassifier(max_depth=2)}
    with pytest.raises(ValueError, match=r"^y has 2 columns \(shape \(60, 2\)\), but model\(s\) "
                                         r"'moe' \(MixtureOfExpertsClassifier\) fit one "
                                         r"target\. .*MultiGateMixtureOfExperts"):
        compare(models, X, Y, cv=3, groups=groups, progress=False)
    # A model of another library, whose tags do not say what it fits (see
    # tests/test_review_round1.py), is named at its failed fit, with the advice.
    del models["moe"]
    with pytest.raises(ValueError, match=r"Model 'lr' failed to fit .*y has 2 columns, shape "
                                         r"\(\d+, 2\): this model may fit one target\. .*"
                                         r"MultiGateMixtureOfExperts"):
        compare(models, X, Y, cv=3, groups=groups, progress=False)


def test_compare_takes_classifiers_of_several_outputs_scored_by_accuracy():
    from sklearn.ensemble import RandomForestClassifier

    from skmoe import compare
    X, Y = _two_label_columns()
    models = {"tree": DecisionTreeClassifier(max_depth=2),
              "forest": RandomForestClassifier(10, random_state=0)}
    # (The default log-loss renormalised the columns' probabilities together.)
    result = compare(models, X, Y, cv=3, progress=False)
    assert result.metrics == ["accuracy"]
    assert len(result.scores["tree"]["accuracy"]) == 3
    assert np.all(result.scores["tree"]["accuracy"] > 0.8)


# -- 5. set_output on the multi-task mixtures ------------------------------------
@pytest.mark.parametrize("make, experts", [
    (lambda: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2,
                                       random_state=0), ["expert0", "expert1"]),
    (lambda: MultiGateMixtureOfExperts(n_experts=2, n_task_experts=1, expert_units=4,
                                       architecture="ple", max_iter=2, random_state=0),
     ["own0", "shared0", "shared1"]),
    (lambda: HeterogeneousMultiGateMixtureOfExperts(_experts(), max_iter=2, cv=2,
                                                    random_state=0), ["lin", "tree"]),
])
def test_set_output_on_the_multi_task_mixtures_as_on_the_others(make, experts):
    # The ensembles, HME and the flat mixtures have set_output for their
    # per-expert methods; the multi-task ones had none (AttributeError).
    from sklearn.base import clone
    X, y = _regression()
    frame = pd.DataFrame(X, columns=["u", "v", "w"], index=np.arange(100, 130))
    Y = np.c_[y, -y]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = clone(make().set_output(transform="pandas")).fit(frame, Y)   # survives clone
        plain = clone(est).set_output(transform="default").fit(frame, Y).predict_gate(frame)
    out = est.predict_gate(frame)
    assert isinstance(out, pd.DataFrame) and isinstance(plain, np.ndarray)
    assert list(out.index) == list(frame.index)
    assert list(out.columns) == [(t, e) for t in range(2) for e in experts]
    assert out.columns.names == ["task", "expert"]
    np.testing.assert_allclose(out.to_numpy(), plain.reshape(len(plain), -1))
    assert isinstance(est.predict(frame), np.ndarray)       # predictions stay arrays
    with pytest.raises(ValueError, match="transform must be"):
        est.set_output(transform="polars")
