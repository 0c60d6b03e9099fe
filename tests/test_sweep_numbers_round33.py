"""Wrong-number sweep, round 33: the public outputs against each other --
``predict`` against the argmax of ``predict_proba`` (exact ties included),
``predict_log_proba`` against its log, ``score`` against its metric by hand
with and without ``sample_weight``, the gate's rows, the regressor's
prediction against its gate and experts, ``history_`` against ``n_iter_``
and the limits, and ``classes_``' dtype against scikit-learn's
LogisticRegression on the same labels. Two fixes: the multi-task mixtures'
classes_ of a DataFrame column kept as Python objects, and the soft vote's
probabilities breaking a tie of the given weights by rounding.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_diabetes, load_iris
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts)
from skmoe.experts import TorchMLPClassifier


def _quietly(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the short fits
        return model.fit(X, y, sample_weight=sample_weight)


def _iris():
    X, y = load_iris(return_X_y=True)
    return X[::2], y[::2]


def _classifiers():
    return [("lr", LogisticRegression(max_iter=500)),
            ("tree", DecisionTreeClassifier(max_depth=2, random_state=0)), ("nb", GaussianNB())]


def _regressors():
    return [("ridge", Ridge(1e-3)), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
            ("deep", DecisionTreeRegressor(max_depth=6, min_samples_leaf=5, random_state=0))]


# Fix: a DataFrame y is one array of its columns' common dtype, so beside a
# string or bool column the multi-task mixtures' classes_ of an int or bool
# column were Python objects (dtype object: [10, 11, 12], [False, True]), and
# an int8 or float32 column's classes int64 / float64 objects, where a
# classifier fitted on the column alone (LogisticRegression) keeps its
# dtype; predict then gave an object array for a y of ints and bools.
# _multitask._labels_in_column_dtype now casts them back where exact.
@pytest.mark.parametrize("model", [
    MultiGateMixtureOfExperts(max_iter=3, random_state=0),
    HeterogeneousMultiGateMixtureOfExperts([("r", Ridge()), ("q", Ridge(10.0))], max_iter=5,
                                           random_state=0)],
    ids=["mmoe", "hetero"])
def test_multitask_classes_keep_their_column_dtype(model):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 2)
    a = np.arange(60) % 3
    Y = pd.DataFrame({"price": X[:, 0], "sold": np.array(["no", "yes"])[a % 2],
                      "rooms": a + 10, "level": (a - 1).astype(np.int8), "new": a > 0,
                      "grade": (a * 2).astype(np.float32)})
    tasks = ["regression", "binary", "multiclass", "multiclass", "binary", "multiclass"]
    _quietly(model.set_params(tasks=tasks), X, Y)
    for t, column in enumerate(Y.columns[1:], start=1):
        expected = LogisticRegression().fit(X, Y[column]).classes_
        assert model.classes_[t].dtype == expected.dtype, column
        assert_array_equal(model.classes_[t], expected)
    # The labels of ints and bools alone come back numeric, as they went in.
    ints = Y[["rooms", "new"]]
    _quietly(model.set_params(tasks=["multiclass", "binary"]), X, ints)
    assert [c.dtype for c in model.classes_] == [np.dtype(np.int64), np.dtype(bool)]
    pred, proba = model.predict(X), model.predict_proba(X)
    assert pred.dtype == np.int64
    for t in range(2):
        assert_array_equal(pred[:, t], model.classes_[t][proba[t].argmax(axis=1)])
    assert model.score(X, ints) == pytest.approx(np.mean(
        [accuracy_score(ints[c], pred[:, t]) for t, c in enumerate(ints.columns)]))


@pytest.mark.parametrize("labels", [
    np.arange(30) % 3 - 1, (np.arange(30) % 3).astype(np.int8), np.arange(30) % 2 == 1,
    np.array(["pear", "Apple", "apple"])[np.arange(30) % 3],
    np.array(["b", "a", "c"], dtype=object)[np.arange(30) % 3],
    (np.arange(30) % 3 * 2).astype(np.float32),
    pd.Series(pd.Categorical(np.array(["z", "y"])[np.arange(30) % 2], categories=["z", "y"]))],
    ids=["int", "int8", "bool", "mixed-case", "object", "float32", "categorical"])
def test_guard_classes_dtype_and_order_as_logistic_regression(labels):
    X = np.random.RandomState(1).randn(30, 2)
    expected = LogisticRegression().fit(X, labels).classes_
    experts = [("lr", LogisticRegression()), ("nb", GaussianNB())]
    models = [MixtureOfExpertsClassifier(experts, max_epochs=3, random_state=0),
              MixtureOfExpertsClassifier(experts, training="em", cv=None, max_iter=2,
                                         random_state=0),
              EnsembleClassifier(experts), EnsembleClassifier(experts, voting="hard"),
              HierarchicalMixtureClassifier(LogisticRegression(), branching=(2,), max_iter=2,
                                            random_state=0),
              TorchMLPClassifier(max_epochs=2, random_state=0),
              MultiGateMixtureOfExperts(tasks=["multiclass"], max_iter=2, random_state=0)]
    for model in models:
        _quietly(model, X, labels)
        classes = model.classes_[0] if isinstance(model.classes_, list) else model.classes_
        assert classes.dtype == expected.dtype, type(model).__name__
        assert_array_equal(classes, expected)
        assert model.predict(X).dtype == expected.dtype, type(model).__name__


def test_guard_exact_ties_go_to_the_first_class():
    # Two experts of probabilities exactly 1/2 (and, voting, one vote each):
    # predict gives the first of classes_ ('a', though 'b' comes first in
    # y), as numpy's argmax and scikit-learn's VotingClassifier do.
    X = np.random.RandomState(0).randn(40, 2)
    y = np.array(["b", "a"] * 20)
    halves = [("prior", DummyClassifier(strategy="prior")),
              ("uniform", DummyClassifier(strategy="uniform"))]
    for model in [MixtureOfExpertsClassifier(halves, random_state=0),
                  MixtureOfExpertsClassifier(halves, training="em", max_iter=2, random_state=0),
                  MixtureOfExpertsClassifier(halves, top_k=1, max_epochs=3, random_state=0),
                  EnsembleClassifier(halves), EnsembleClassifier(halves, weights="greedy",
                                                                 random_state=0)]:
        proba = _quietly(model, X, y).predict_proba(X)
        assert np.all(proba[:, 0] == proba[:, 1]), model
        assert_array_equal(model.predict(X), "a")
    # (A DummyClassifier's constant names a label of y, re-keyed to the
    # encoded one the experts are fitted on since round 42.)
    votes = [("b", DummyClassifier(strategy="constant", constant="b")),
             ("a", DummyClassifier(strategy="constant", constant="a"))]
    assert_array_equal(EnsembleClassifier(votes, voting="hard").fit(X, y).predict(X), "a")


_CLASSIFIER_CONFIGS = {
    "stacked": dict(max_epochs=30),
    "em-exact": dict(training="em", cv=None, max_iter=3),
    "em-cv": dict(training="em", max_iter=3),
    "top1": dict(top_k=1, max_epochs=5),
    "top2": dict(top_k=2, max_epochs=5, validation_fraction=0),
}


@pytest.mark.parametrize("config", list(_CLASSIFIER_CONFIGS))
def test_guard_mixture_classifier_outputs_agree(config):
    X, y = _iris()
    weight = np.random.RandomState(0).uniform(0.2, 3.0, len(y))
    kwargs = _CLASSIFIER_CONFIGS[config]
    model = _quietly(MixtureOfExpertsClassifier(_classifiers(), random_state=0, **kwargs), X, y)
    proba, pred = model.predict_proba(X), model.predict(X)
    assert_array_equal(pred, model.classes_[proba.argmax(axis=1)])
    log_proba = model.predict_log_proba(X)
    assert np.all(np.isfinite(log_proba))       # the class prior keeps every class > 0
    assert_allclose(np.exp(log_proba), proba, rtol=1e-12)
    assert model.score(X, y) == pytest.approx(accuracy_score(y, pred))
    assert model.score(X, y, sample_weight=weight) == pytest.approx(
        accuracy_score(y, pred, sample_weight=weight))
    gate = model.predict_gate(X)
    assert_allclose(gate.sum(axis=1), 1.0)
    top_k = kwargs.get("top_k")
    if top_k is not None:
        assert np.all((gate > 0).sum(axis=1) <= top_k)
        assert_allclose(model.expert_usage(X), (gate > 0).mean(axis=0))
    if model.combiner_ is None:
        # predict_proba from the inspection API: the gate-weighted experts
        # (routed ones floored at 1e-6, as the user guide says) and the prior.
        mixed = np.einsum("ne,nec->nc", gate, model.predict_experts(X))
        if top_k is not None:
            mixed = np.maximum(mixed, 1e-6)
            mixed /= mixed.sum(axis=1, keepdims=True)
        share, frequencies = model.class_prior_
        assert_allclose((1 - share) * mixed + share * frequencies, proba, atol=1e-12)
    limit = kwargs.get("max_iter") if model.training_ == "em" else kwargs["max_epochs"]
    key = "iteration" if model.training_ == "em" else "epoch"
    assert 1 <= model.n_iter_ == len(model.history_) <= limit
    assert [row[key] for row in model.history_] == list(range(1, model.n_iter_ + 1))
    assert_allclose([np.sum(row["expert_share"]) for row in model.history_], 1.0)


@pytest.mark.parametrize("config", ["em-exact", "em-cv", "top1", "top2"])
def test_guard_regressor_predict_is_the_gate_weighted_experts(config):
    # Where no combiner_ blends in stacking's heads (every trainer but the
    # stacked gate), predict = sum_i predict_gate_i * predict_experts_i.
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:200], y[:200]
    weight = np.random.RandomState(0).uniform(0.2, 3.0, len(y))
    kwargs = _CLASSIFIER_CONFIGS[config]
    model = _quietly(MixtureOfExpertsRegressor(_regressors(), random_state=0, **kwargs), X, y)
    assert model.combiner_ is None
    gate, pred = model.predict_gate(X), model.predict(X)
    assert_allclose(gate.sum(axis=1), 1.0)
    if "top_k" in kwargs:
        assert np.all((gate > 0).sum(axis=1) <= kwargs["top_k"])
    assert_allclose((gate * model.predict_experts(X)).sum(axis=1), pred, rtol=1e-12)
    assert_allclose(model.predict(X, return_std=True)[0], pred, rtol=1e-12)
    assert model.score(X, y, sample_weight=weight) == pytest.approx(
        r2_score(y, pred, sample_weight=weight))


def test_guard_trees_and_ensembles_outputs_agree():
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:200], y[:200]
    weight = np.random.RandomState(0).uniform(0.2, 3.0, len(y))
    tree = _quietly(HierarchicalMixtureRegressor(Ridge(1e-3), branching=(2, 2), max_iter=3,
                                                 random_state=0), X, y)
    gate, pred = tree.predict_gate(X), tree.predict(X)
    assert_allclose(tree.predict_path(X)[-1], gate)
    assert_allclose((gate * tree.predict_experts(X)).sum(axis=1), pred, rtol=1e-12)
    assert tree.n_iter_ == len(tree.history_) <= 3
    assert tree.score(X, y, sample_weight=weight) == pytest.approx(
        r2_score(y, pred, sample_weight=weight))
    for weights in (None, "greedy", [1, 2, 3]):
        ensemble = _quietly(EnsembleRegressor(_regressors(), weights=weights, random_state=0),
                            X, y)
        pred = ensemble.predict(X)
        assert_allclose(ensemble.predict_experts(X) @ ensemble.weights_, pred, rtol=1e-12)
        assert ensemble.score(X, y, sample_weight=weight) == pytest.approx(
            r2_score(y, pred, sample_weight=weight))
    X, y = _iris()
    weight = weight[:len(y)]
    tree = _quietly(HierarchicalMixtureClassifier(LogisticRegression(max_iter=500),
                                                  branching=(2, 2), max_iter=3,
                                                  random_state=0), X, y)
    share, frequencies = tree.class_prior_
    mixed = np.einsum("ne,nec->nc", tree.predict_gate(X), tree.predict_experts(X))
    proba = tree.predict_proba(X)
    assert_allclose((1 - share) * mixed + share * frequencies, proba, atol=1e-12)
    for level, branches in zip(tree.predict_path(X, conditional=True), tree.branching_):
        assert_allclose(level.reshape(len(X), -1, branches).sum(axis=2), 1.0)
    for model in (tree, *(_quietly(EnsembleClassifier(_classifiers(), voting=voting,
                                                      weights=weights, random_state=0), X, y)
                          for voting in ("soft", "hard") for weights in (None, "greedy"))):
        pred = model.predict(X)
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(X)
            assert_array_equal(pred, model.classes_[proba.argmax(axis=1)])
            with np.errstate(divide="ignore"):
                assert_array_equal(model.predict_log_proba(X), np.log(proba))
        else:
            assert not hasattr(model, "predict_log_proba")
        assert model.score(X, y, sample_weight=weight) == pytest.approx(
            accuracy_score(y, pred, sample_weight=weight))


@pytest.mark.parametrize("model", [
    MultiGateMixtureOfExperts(max_iter=20, random_state=0),
    MultiGateMixtureOfExperts(architecture="ple", max_iter=20, random_state=0),
    HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
        max_iter=20, random_state=0)],
    ids=["mmoe", "ple", "hetero"])
def test_guard_multitask_outputs_agree(model):
    rng = np.random.RandomState(0)
    X = rng.randn(90, 4)
    Y = pd.DataFrame({"r": X[:, 0] + 0.1 * rng.randn(90),
                      "c": np.where(X[:, 1] + X[:, 2] > 0, "yes", "no"),
                      "m": np.array(["a", "b", "c"])[(X[:, 3] > -0.5).astype(int)
                                                      + (X[:, 3] > 0.5)]})
    weight = rng.uniform(0.2, 3.0, 90)
    _quietly(model.set_params(tasks=["regression", "binary", "multiclass"]), X, Y)
    pred, proba = model.predict(X), model.predict_proba(X)
    assert proba[0] is None
    for t in (1, 2):
        assert_allclose(proba[t].sum(axis=1), 1.0)
        assert_array_equal(pred[:, t], model.classes_[t][proba[t].argmax(axis=1)])
    assert_allclose(model.predict_gate(X).sum(axis=-1), 1.0)
    assert model.n_iter_ <= 20
    for w in (None, weight):
        assert model.score(X, Y, sample_weight=w) == pytest.approx(np.mean([
            r2_score(Y["r"], pred[:, 0].astype(float), sample_weight=w),
            accuracy_score(Y["c"], pred[:, 1].astype(str), sample_weight=w),
            accuracy_score(Y["m"], pred[:, 2].astype(str), sample_weight=w)]))


# Fix: the soft vote averaged the probabilities with weights_ (normalised to
# sum to one), so weights [5, 18, 12, 13] voting 2, 1, 0, 2 gave class 2 the
# probability 5/48 + 13/48, rounded 5.6e-17 above class 1's 18/48: predict
# gave the tie to the first class (1), as VotingClassifier does, and
# predict_proba's argmax said 2. The votes now use the weights scaled by a
# power of two (exact; greedy's selection counts), which keeps such ties
# exact in predict_proba, as VotingClassifier's average keeps them.
def test_soft_vote_probabilities_keep_the_ties_of_the_given_weights():
    from sklearn.ensemble import VotingClassifier
    X, y = np.zeros((8, 1)), np.arange(8) % 4
    experts = [(f"e{i}", DummyClassifier(strategy="constant", constant=c))
               for i, c in enumerate([2, 1, 0, 2])]
    weights = [5, 18, 12, 13]
    model = EnsembleClassifier(experts, weights=weights).fit(X, y)
    proba = model.predict_proba(X)
    assert np.all(proba[:, 1] == proba[:, 2])
    assert_allclose(proba[0], [12 / 48, 18 / 48, 18 / 48, 0.0])
    voting = VotingClassifier(experts, voting="soft", weights=weights).fit(X, y)
    assert_array_equal(model.predict(X), voting.predict(X))
    assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    hard = EnsembleClassifier(experts, voting="hard", weights=weights).fit(X, y)
    assert_array_equal(hard.predict(X), 1)
    # Weights near the largest float still sum (their ratios alone matter).
    huge = EnsembleClassifier(experts, weights=np.array(weights) * 1e306).fit(X, y)
    assert_allclose(huge.predict_proba(X), proba)
    assert_array_equal(huge.predict(X), 1)
