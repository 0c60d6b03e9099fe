"""Wrong-number sweep, round 29: routed calls, refits, restarts and reruns,
the linear gate, deployed expert averages and the multi-task models, each
against an independent computation.

No defect was found in this round; these guard the identities checked.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts)
from skmoe._likelihood import PROBA_FLOOR


def _data(n=150):
    # Two regimes split by the third feature, so that a gate routes rows
    # to different experts.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    X[:, 2] *= 3
    y = np.where(X[:, 2] > 0, 5 * X[:, 0], -5 * X[:, 1]) + 0.3 * rng.normal(size=n)
    codes = np.digitize(X[:, 0] + 0.5 * rng.normal(size=n), [-0.5, 0.5])
    return X, y, codes, rng.randint(1, 4, size=n).astype(float)


def _quietly(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y, **fit_params)


_REGRESSORS = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("lr", LinearRegression()), ("stump", DecisionTreeRegressor(max_depth=1))]
_CLASSIFIERS = [("lr", LogisticRegression()),
                ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
                ("lr2", LogisticRegression(C=0.01)),
                ("stump", DecisionTreeClassifier(max_depth=1))]


@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_guard_top_k_predictions_are_the_renormalised_top_k_and_call_only_routed_rows(
        classifier):
    # predict_gate is the top 2 of the gate's softmax, renormalised; the
    # prediction is those weights times the experts' outputs (a classifier's
    # floored at PROBA_FLOOR, then the class prior's share); every expert is
    # called on exactly the rows routed to it, by predict, score and the
    # per-row likelihood; expert_usage is the routed share of the rows.
    X, y, _, _ = _data()
    make = MixtureOfExpertsClassifier if classifier else MixtureOfExpertsRegressor
    # (Classes of the two regimes' target: a gate sends them apart too.)
    target = np.array(["a", "b", "c"])[np.digitize(y, [-2, 2])] if classifier else y
    model = _quietly(make(_CLASSIFIERS if classifier else _REGRESSORS, top_k=2,
                          training="em", cv=None, max_iter=15, random_state=0), X, target)
    full = model.gate_.predict_proba(model._gate_view(X))
    top = np.argsort(-full, axis=1, kind="stable")[:, :2]
    by_hand = np.zeros_like(full)
    np.put_along_axis(by_hand, top, np.take_along_axis(full, top, axis=1), axis=1)
    by_hand /= by_hand.sum(axis=1, keepdims=True)
    gate = model.predict_gate(X)
    assert_allclose(gate, by_hand, rtol=0, atol=1e-12)
    routed = gate > 0
    assert (routed.sum(axis=1) == 2).all()
    counts = routed.sum(axis=0)
    assert ((0 < counts) & (counts < len(X))).any()   # the rows are shared out
    assert_allclose(model.expert_usage(X), routed.mean(axis=0), rtol=0, atol=0)

    outputs = np.asarray(model.predict_experts(X))
    method = "predict_proba" if classifier else "predict"
    calls = {}
    for j, expert in enumerate(model.experts_):
        def spy(Z, own=getattr(expert, method), j=j):
            calls[j] = calls.get(j, 0) + len(Z)
            return own(Z)
        setattr(expert, method, spy)
    if classifier:
        mixed = np.maximum(np.einsum("ne,nec->nc", gate, outputs), PROBA_FLOOR)
        mixed /= mixed.sum(axis=1, keepdims=True)
        share, frequencies = model.class_prior_
        assert_allclose(model.predict_proba(X), (1 - share) * mixed + share * frequencies,
                        rtol=0, atol=1e-12)
    else:
        assert_allclose(model.predict(X), (gate * outputs).sum(axis=1), rtol=0, atol=1e-12)
    expected = {j: int(n) for j, n in enumerate(routed.sum(axis=0)) if n}
    assert calls == expected
    for call in (lambda: model.score(X, target), lambda: model.log_likelihood_samples(X, target)):
        calls.clear()
        call()
        assert calls == expected


def _out(model, X):
    if isinstance(model, (MultiGateMixtureOfExperts, HeterogeneousMultiGateMixtureOfExperts)):
        return np.asarray(model.predict(X), dtype=float)
    return np.asarray(model.predict_proba(X) if hasattr(model, "predict_proba")
                      else model.predict(X))


_SEEDED = {
    "em": lambda: MixtureOfExpertsRegressor(_REGRESSORS[:2], training="em", max_iter=4,
                                            random_state=0),
    "noisy top-2": lambda: MixtureOfExpertsRegressor(_REGRESSORS[:3], top_k=2, noisy_gating=True,
                                                     random_routing=True, max_epochs=5,
                                                     random_state=0),
    "classifier top-1": lambda: MixtureOfExpertsClassifier(_CLASSIFIERS[:2], top_k=1,
                                                           max_epochs=5, random_state=0),
    "greedy ensemble": lambda: EnsembleClassifier(_CLASSIFIERS[:2], weights="greedy",
                                                  random_state=0),
    "tree": lambda: HierarchicalMixtureRegressor(Ridge(), max_iter=3, random_state=0),
    "mmoe": lambda: MultiGateMixtureOfExperts(max_iter=5, random_state=0),
}


@pytest.mark.parametrize("name", list(_SEEDED))
def test_guard_refits_with_the_same_seed_give_the_same_numbers(name):
    # A clone refitted with the same random_state, a model refitted after
    # set_params(random_state=5) and back to 0, and (where there is n_jobs)
    # two jobs: the same numbers, to the last bit.
    X, y, codes, _ = _data(100)
    make = _SEEDED[name]
    target = codes if "classifier" in name or "ensemble" in name else y
    if name == "mmoe":
        target = np.column_stack([y, y ** 2])
    first = _out(_quietly(make(), X, target), X)
    assert np.array_equal(_out(_quietly(make(), X, target), X), first)
    model = _quietly(make().set_params(random_state=5), X, target)
    assert np.array_equal(_out(_quietly(model.set_params(random_state=0), X, target), X), first)
    if "n_jobs" in make().get_params():
        assert np.array_equal(_out(_quietly(make().set_params(n_jobs=2), X, target), X), first)


@pytest.mark.parametrize("name", ["mmoe", "ple", "top-1 mixture"])
def test_guard_an_early_stopped_fit_is_the_rerun_to_its_best_epoch(name):
    # The network kept is the one of the lowest validation loss: a rerun
    # with max_iter (max_epochs) at that epoch predicts the same, and its
    # curve is the first fit's up to there.
    X, y, _, weight = _data(200)
    y = y + np.random.RandomState(1).normal(size=len(y))   # (noisier: stops earlier)
    if name == "top-1 mixture":
        model = _quietly(MixtureOfExpertsRegressor(_REGRESSORS[:3], top_k=1, max_epochs=200,
                                                   n_iter_no_change=5, learning_rate=0.01,
                                                   random_state=0), X, y, sample_weight=weight)
        curve = [record["validation_loss"] for record in model.history_]
        assert model.n_iter_ == len(curve)
        best = int(np.argmin(curve)) + 1
        rerun = _quietly(clone(model).set_params(max_epochs=best), X, y, sample_weight=weight)
        assert [r["validation_loss"] for r in rerun.history_] == curve[:best]
    else:
        Y = np.column_stack([y, y ** 2 / 10])
        model = _quietly(MultiGateMixtureOfExperts(architecture=name, max_iter=300,
                                                   early_stopping=True, n_iter_no_change=5,
                                                   learning_rate=0.01, random_state=0),
                         X, Y, sample_weight=weight)
        curve = model.validation_loss_curve_
        assert model.n_iter_ == len(curve) == len(model.loss_curve_)
        best = int(np.argmin(curve)) + 1
        rerun = _quietly(clone(model).set_params(max_iter=best), X, Y, sample_weight=weight)
        assert rerun.validation_loss_curve_ == curve[:best]
    assert best < model.n_iter_
    assert np.array_equal(rerun.predict(X), model.predict(X))


def test_guard_em_iterations_and_log_likelihood_are_those_of_its_history():
    # n_iter_ counts the iterations in history_; log_likelihood_ is the best
    # of them; converged_ says whether EM stopped before max_iter; exact EM's
    # figure is the weighted mean of log_likelihood_samples on the rows.
    X, y, _, weight = _data()
    for params in ({"cv": None, "max_iter": 30}, {"max_iter": 30}, {"cv": None, "max_iter": 3}):
        model = _quietly(MixtureOfExpertsRegressor(_REGRESSORS[:3], training="em",
                                                   random_state=0, **params),
                         X, y, sample_weight=weight)
        figures = [record["log_likelihood"] for record in model.history_]
        assert model.n_iter_ == len(figures)
        assert model.converged_ == (model.n_iter_ < params["max_iter"])
        assert model.log_likelihood_ == max(figures)
        if params.get("cv", "auto") is None:
            assert model.log_likelihood_ == pytest.approx(
                np.average(model.log_likelihood_samples(X, y), weights=weight), abs=1e-12)


def test_guard_top_k_expert_share_is_the_mean_routed_gate_weight():
    # history_'s expert_share of a top-k epoch is the weighted mean of the
    # routed gate weights: one full batch at a learning rate that leaves the
    # gate as it was, so that the trained gate is the one the epoch saw.
    X, y, _, weight = _data()
    for k in (1, 2, 4):
        for w in (None, weight):
            model = _quietly(MixtureOfExpertsRegressor(
                _REGRESSORS, top_k=k, max_epochs=1, learning_rate=1e-9, batch_size=1000,
                validation_fraction=0, random_state=0), X, y, sample_weight=w)
            assert_allclose(model.history_[0]["expert_share"],
                            np.average(model.predict_gate(X), axis=0, weights=w),
                            rtol=0, atol=1e-6)


def test_guard_linear_gate_is_the_penalised_multinomial_logit():
    # MLPGate((), alpha) minimises the weighted mean cross-entropy plus
    # alpha * ||W||^2 on the weighted-standardised inputs: scikit-learn's
    # multinomial LogisticRegression with C = 1 / (2 alpha sum(w)).
    X, _, codes, weight = _data(300)
    X = X[:, :2]
    for alpha in (1e-3, 1e-2):
        for w in (np.ones(len(X)), weight):
            gate = MLPGate(hidden_layer_sizes=(), alpha=alpha, max_iter=500).fit(
                X, np.eye(3)[codes], sample_weight=w)
            mean = np.average(X, axis=0, weights=w)
            scale = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=w))
            Z = (X - mean) / scale
            assert np.abs(Z).max() < 5.0   # (INPUT_CLIP does not bind)
            logit = LogisticRegression(C=1 / (2 * alpha * w.sum()), tol=1e-10,
                                       max_iter=10000).fit(Z, codes, sample_weight=w)
            assert_allclose(gate.predict_proba(X), logit.predict_proba(Z), rtol=0, atol=5e-4)


@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_guard_refit_experts_share_averages_the_refit_and_the_fold_fits(classifier):
    # refit_experts=s deploys s * (the refit on all rows) + (1 - s) * (the
    # mean of the cv fold fits), each fitted with its rows' weights rescaled
    # to mean one (a Ridge sees their scale).
    X, y, codes, weight = _data()
    experts = (_CLASSIFIERS if classifier else _REGRESSORS)[:2]
    target = codes if classifier else y
    splitter = StratifiedKFold if classifier else KFold
    folds = list(splitter(3, shuffle=True, random_state=1).split(X, target))
    make = MixtureOfExpertsClassifier if classifier else MixtureOfExpertsRegressor

    def output(estimator, rows):
        fitted = clone(estimator).fit(X[rows], target[rows],
                                      sample_weight=weight[rows] / weight[rows].mean())
        return fitted.predict_proba(X) if classifier else fitted.predict(X)

    for share in (0.0, 0.3, 1.0):
        model = _quietly(make(experts, refit_experts=share, cv=folds, max_epochs=3,
                              random_state=0), X, target, sample_weight=weight)
        deployed = np.asarray(model.predict_experts(X))
        for j, (_, expert) in enumerate(experts):
            by_hand = (share * output(expert, np.arange(len(X)))
                       + (1 - share) * np.mean([output(expert, train) for train, _ in folds],
                                               axis=0))
            assert_allclose(deployed[:, j], by_hand, rtol=0, atol=1e-12)


_CLASSIFYING = {
    "stacked": lambda: MixtureOfExpertsClassifier(_CLASSIFIERS[:3], max_epochs=5,
                                                  random_state=0),
    "em": lambda: MixtureOfExpertsClassifier(_CLASSIFIERS[:3], training="em", max_iter=5,
                                             random_state=0),
    "top-1": lambda: MixtureOfExpertsClassifier(_CLASSIFIERS[:3], top_k=1, max_epochs=5,
                                                random_state=0),
    "greedy": lambda: EnsembleClassifier([("lr", LogisticRegression()), ("nb", GaussianNB()),
                                          ("tree", DecisionTreeClassifier(max_depth=3,
                                                                          random_state=0))],
                                         weights="greedy", random_state=0),
    "tree": lambda: HierarchicalMixtureClassifier(LogisticRegression(), max_iter=3,
                                                  random_state=0),
}


@pytest.mark.parametrize("name", list(_CLASSIFYING))
def test_guard_log_probabilities_stay_finite_far_from_the_training_rows(name):
    # Rows 1e8 times the training rows: predict_log_proba is the log of
    # predict_proba with no -inf or NaN (the class prior's share or the
    # routed floor keeps every class), predict its argmax, and score
    # scikit-learn's weighted accuracy; 3 classes named by strings.
    X, _, codes, weight = _data(120)
    labels = np.array(["low", "mid", "high"], dtype=object)[codes]
    model = _quietly(_CLASSIFYING[name](), X, labels)
    far = X * 1e8
    proba = model.predict_proba(far)
    log_proba = model.predict_log_proba(far)
    assert np.isfinite(log_proba).all()
    assert np.array_equal(log_proba, np.log(proba))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    predicted = model.predict(far)
    assert np.array_equal(predicted, model.classes_[np.argmax(proba, axis=1)])
    assert model.score(far, labels, sample_weight=weight) == accuracy_score(
        labels, predicted, sample_weight=weight)


def test_guard_heterogeneous_mmoe_regression_is_the_gated_experts_in_ys_units():
    # Each regression task's prediction is its gate's weights times the
    # experts' predictions of the task's standardised target, back in y's
    # units by the weighted mean and standard deviation.
    X, y, _, weight = _data()
    y2 = 100 + 50 * X[:, 2] ** 2
    Y = np.column_stack([y, y2])
    model = _quietly(HeterogeneousMultiGateMixtureOfExperts(_REGRESSORS[:3], alpha=1e-2,
                                                            random_state=0),
                     X, Y, sample_weight=weight)
    gates = model.predict_gate(X)                                     # (n, t, e)
    outputs = np.stack([e.predict(X) for e in model.experts_], axis=1)  # (n, e, t)
    predicted = model.predict(X)
    for t, target in enumerate((y, y2)):
        mean = np.average(target, weights=weight)
        scale = np.sqrt(np.average((target - mean) ** 2, weights=weight))
        by_hand = (gates[:, t] * outputs[:, :, t]).sum(axis=1) * scale + mean
        assert_allclose(predicted[:, t], by_hand, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(max_iter=10, random_state=0),
    lambda: MultiGateMixtureOfExperts(architecture="ple", max_iter=10, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(_REGRESSORS[:2], alpha=1e-2,
                                                   random_state=0),
], ids=["mmoe", "ple", "heterogeneous"])
def test_guard_multi_task_numbers_do_not_depend_on_how_the_tasks_are_given(make):
    # One task as a vector or as a one-column matrix, and task_weights times
    # ten: the same predictions to the last bit.
    X, y, _, _ = _data()
    vector = _quietly(make(), X, y).predict(X)
    column = _quietly(make(), X, y[:, None]).predict(X)
    assert np.array_equal(vector, np.ravel(column))
    Y = np.column_stack([y, y ** 2])
    assert np.array_equal(_quietly(make().set_params(task_weights=[1, 3]), X, Y).predict(X),
                          _quietly(make().set_params(task_weights=[10, 30]), X, Y).predict(X))


def test_guard_greedy_regression_ensemble_predicts_its_weighted_average():
    # weights_ non-negative, summing to one, counts of n_rounds; predict is
    # weights_ times predict_experts (a 'drop' expert left out of both).
    X, y, _, weight = _data()
    experts = [("ridge", Ridge()), ("gone", "drop"),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("stump", DecisionTreeRegressor(max_depth=1))]
    model = _quietly(EnsembleRegressor(experts, weights="greedy", n_rounds=20, random_state=0),
                     X, y, sample_weight=weight)
    assert model.expert_names_ == ["ridge", "tree", "stump"]
    assert (model.weights_ >= 0).all()
    assert model.weights_.sum() == pytest.approx(1.0, abs=1e-15)
    assert_allclose(model.weights_ * 20, np.round(model.weights_ * 20), rtol=0, atol=1e-12)
    assert_allclose(model.predict(X), np.asarray(model.predict_experts(X)) @ model.weights_,
                    rtol=0, atol=1e-12)
