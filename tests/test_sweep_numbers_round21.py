"""Wrong-numbers sweep, round 21: reported figures and derived outputs.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right, each
against an independent computation.
"""

import re
import warnings

import numpy as np
import torch
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import log_loss, r2_score, root_mean_squared_error
from sklearn.model_selection import RepeatedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (CrossFitAverage, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)
from skmoe.datasets import make_regimes


def test_guard_compare_on_repeated_folds_is_the_models_refitted_by_hand():
    # The command line's splits (repeated K-fold) and its greedy twin: every
    # per-split score is the model refitted on that split's rows, the table's
    # figures and marks are those scores' means and spreads, and the paired
    # test is Nadeau and Bengio's corrected t-test of their differences.
    X, y = make_regimes(n_samples=120, random_state=0)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    estimators = {"ensemble": EnsembleRegressor(experts, random_state=0),
                  "ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=3, random_state=0)}
    cv = RepeatedKFold(n_splits=3, n_repeats=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(estimators, X, y, cv=cv, greedy_ensemble=True)
    splits = list(cv.split(X))
    twin = clone(estimators["ensemble"]).set_params(weights="greedy")
    assert result.names == ["ensemble", "ensemble (greedy)", "ridge", "tree"]
    for name, model in {**estimators, "ensemble (greedy)": twin}.items():
        r2, rmse = [], []
        for train, test in splits:
            prediction = clone(model).fit(X[train], y[train]).predict(X[test])
            r2.append(r2_score(y[test], prediction))
            rmse.append(root_mean_squared_error(y[test], prediction))
        assert_allclose(result.scores[name]["r2"], r2, rtol=1e-12)
        assert_allclose(result.display_scores(name, "neg_root_mean_squared_error"), rmse,
                        rtol=1e-12)
        row = next(r for r in result.summary() if r["model"] == name)
        assert row["rmse_mean"] == np.mean(result.display_scores(name,
                                                                 "neg_root_mean_squared_error"))
        assert row["r2_std"] == np.std(result.scores[name]["r2"])
    # Best: the highest mean R^2 and the lowest mean RMSE, marked with '*'.
    rows = [re.split(r"\s{2,}", line.strip()) for line in str(result).splitlines()[3:7]]
    for column, metric in ((1, "r2"), (2, "neg_root_mean_squared_error")):
        means = {n: result.scores[n][metric].mean() for n in result.names}
        top = {n for n, v in means.items() if np.isclose(v, max(means.values()), rtol=1e-12)}
        assert top and {cells[0] for cells in rows if cells[column].endswith("*")} == top
    test = result.paired_test("ensemble (greedy)", "ensemble", "neg_root_mean_squared_error")
    d = (result.display_scores("ensemble (greedy)", "neg_root_mean_squared_error")
         - result.display_scores("ensemble", "neg_root_mean_squared_error"))
    ratio = np.mean([len(te) / len(tr) for tr, te in splits])
    t = d.mean() / np.sqrt((1 / len(d) + ratio) * d.var(ddof=1))
    assert test.mean_difference == d.mean()
    assert abs(test.t_statistic - t) < 1e-12 * abs(t)
    assert abs(test.p_value - 2 * stats.t.sf(abs(t), len(d) - 1)) < 1e-12


def test_guard_stacked_gate_weights_blend_the_gate_and_the_constant_by_their_shares():
    # predict_gate of the default mixture is the input-dependent gate and the
    # constant blend mixed in the ratio of their candidate_weights_, weights
    # (not logits) mixed, as the held-out candidates it was chosen on were.
    X, y = make_regimes(n_samples=200, random_state=3)
    moe = MixtureOfExpertsRegressor(
        [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=3,
                                                                      random_state=0))],
        random_state=0).fit(X, y)
    shares = moe.candidate_weights_
    assert moe.gate_selected_ and shares["gate"] > 0 and shares["constant"] > 0
    assert_allclose(sum(shares.values()), 1.0, rtol=1e-12)
    # The averaged fold gates alone, on the gate's own inputs.
    inputs = moe.gate_._inputs(moe._gate_input(X))
    with torch.no_grad():
        gate = softmax(moe.gate_.module_.first(inputs).double().cpu().numpy(), axis=1)
    share = shares["gate"] / (shares["gate"] + shares["constant"])
    expected = share * gate + (1 - share) * moe.blend_weights_
    assert_allclose(moe.predict_gate(X), expected, rtol=1e-12, atol=1e-14)
    assert_array_equal(moe.expert_usage(X), [1.0, 1.0])


def test_cross_fit_average_probabilities_are_in_zero_one_and_sum_to_one():
    # A mixture deploying each expert as its refit and its fold fits
    # (refit_experts=0.5, cv=3: weights 1/2, 1/6, 1/6, 1/6): the tree's
    # certain fits averaged to 1.0000000000000002, and scikit-learn's log_loss
    # refused the deployed expert ("y_prob contains values greater than 1").
    # Fixed by clipping and renormalising the average as a mixture's is.
    X, y = load_iris(return_X_y=True)
    moe = MixtureOfExpertsClassifier(
        [("lr", LogisticRegression(max_iter=1000)),
         ("tree", DecisionTreeClassifier(random_state=0))],
        refit_experts=0.5, cv=3, random_state=0).fit(X, y)
    tree = moe.named_experts_["tree"]
    proba = tree.predict_proba(X)
    by_hand = np.average([fit.predict_proba(X) for fit in tree.estimators_], axis=0,
                         weights=[0.5, 1 / 6, 1 / 6, 1 / 6])
    assert_allclose(proba, by_hand, rtol=0, atol=1e-15)
    assert proba.max() <= 1.0 and proba.min() >= 0.0
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert_allclose(log_loss(y, proba), log_loss(y, np.clip(by_hand, 0.0, 1.0)), rtol=1e-12)
    # Fits whose float32 probabilities sum to one within 1.8e-6 (GaussianNB on
    # float32 X): the average summed to 1 +- 1.5e-6, and log_loss warned "The
    # y_prob values do not sum to one".
    X, y = load_wine(return_X_y=True)
    X = X.astype(np.float32)
    fits = [GaussianNB().fit(X[k::3], y[k::3]) for k in range(3)]
    proba = CrossFitAverage(fits, n_classes=3).predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert_allclose(proba, np.mean([fit.predict_proba(X) for fit in fits], axis=0),
                    rtol=0, atol=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_loss(y, proba)


def test_stacked_classifier_probabilities_sum_to_one_with_a_float32_best_expert():
    # A LogisticRegression fitted on float32 X gives float32 probabilities,
    # rows summing to 1 +- 3e-8; the final blend gave the best expert alone
    # (0.97 of the weight) its probabilities as they were: predict_proba's rows
    # summed to 1 +- 2.9e-8 and scikit-learn's log_loss warned "The y_prob
    # values do not sum to one". Fixed by renormalising the best expert's
    # probabilities in its head, as the mixture's are.
    X, y = load_breast_cancer(return_X_y=True)
    X, y = X[::3, :4].astype(np.float32), y[::3]
    moe = MixtureOfExpertsClassifier(
        [("nb", GaussianNB()), ("lr", LogisticRegression(max_iter=300))],
        max_epochs=15, random_state=0).fit(X, y)
    assert moe.candidate_weights_["best_expert"] > 0.9
    experts = moe.predict_experts(X)
    assert np.abs(experts.sum(axis=2) - 1).max() > 1e-8      # (the float32 rounding)
    proba = moe.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert proba.min() >= 0 and proba.max() <= 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_loss(y, proba)
    # The blend itself is unchanged but for that rounding: the best expert's
    # renormalised probabilities are within 3e-8 of those it gives.
    best = experts[:, list(moe.expert_names_).index("lr")]
    head = moe.combiner_.heads[[type(h).__name__ for _, h in moe.combiner_.heads].index(
        "ExpertHead")][1]
    assert_allclose(head.predict_proba(X, experts, 2), best / best.sum(axis=1, keepdims=True),
                    rtol=0, atol=1e-16)
    assert np.abs(head.predict_proba(X, experts, 2) - best).max() < 3e-8
