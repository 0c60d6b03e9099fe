"""Wrong-numbers sweep, round 13: dtypes of the inputs, batches against rows,
reported statistics against hand counts (tests named ``test_guard_*`` pass
before and after the fixes of this round)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (HierarchicalMixtureClassifier, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)


def _data(n=200):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=n)
    # Weights that float32 holds exactly: the same numbers in either dtype.
    weight = rng.uniform(0.5, 2.0, size=n).astype(np.float32).astype(np.float64)
    return X, y, np.digitize(y, [0.3, 1.2]), weight


def _regression_experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]


def _classification_experts():
    return [("logit", LogisticRegression()),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]


@pytest.mark.parametrize("make, task", [
    (lambda: MixtureOfExpertsClassifier(_classification_experts(), max_epochs=10,
                                        random_state=0), "classification"),
    (lambda: MixtureOfExpertsRegressor(_regression_experts(), training="em", top_k=1,
                                       max_iter=5, random_state=0), "regression"),
    (lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, max_iter=5,
                                           random_state=0), "classification"),
])
def test_float32_sample_weight_fits_what_the_same_float64_weights_fit(make, task):
    # The same weights, as float32 or as float64, are the same numbers: the
    # fit must not see their dtype. The float32 ones were kept in float32
    # (scikit-learn's _check_sample_weight keeps float32) and rescaled to mean
    # one there, rounded at 1e-7; the mixture's discrete choices amplified
    # the rounding: the stacked classifier's probabilities moved by 0.16, the
    # top-1 EM regressor's predictions by 1.2, the tree mixture's
    # probabilities by 0.006.
    X, y, labels, weight = _data()
    target = y if task == "regression" else labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = make().fit(X, target, sample_weight=weight)
        b = make().fit(X, target, sample_weight=weight.astype(np.float32))
    predict = "predict" if task == "regression" else "predict_proba"
    assert_allclose(getattr(b, predict)(X), getattr(a, predict)(X), rtol=0, atol=1e-12)



def _above(X, threshold):
    return X[:, 0] > threshold


def _line(X, slope):
    return slope * X[:, 0]


def test_rule_expert_rows_of_zero_weight_fit_what_their_removal_fits():
    # A row of zero weight is a row left out. The rule rescaled the weights to
    # mean one over every row, so zero weights on half the rows made the kept
    # rows weigh 2 and halved the smoothing (probabilities 0.0108 away from
    # the fit without those rows, another threshold); and its noise floor
    # came from the spread of every y: an exact rule's noise_std_ was 0.0547,
    # 34 times the 0.00159 of the fit without the left-out rows.
    from skmoe import RuleExpert
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    labels = (X[:, 0] + 0.8 * rng.normal(size=40) > 0).astype(int)
    y = 2 * X[:, 0]
    y[::2] += 100 * rng.normal(size=20)             # noise on the rows left out only
    weight = np.ones(40)
    weight[::2] = 0
    kept = weight > 0
    rule = RuleExpert(_above, params={"threshold": 0.0}, task="classification")
    weighted = rule.fit(X, labels, sample_weight=weight).predict_proba(X)
    assert_allclose(weighted, rule.fit(X[kept], labels[kept]).predict_proba(X),
                    rtol=0, atol=1e-12)
    rule = RuleExpert(_line, params={"slope": 1.0})
    weighted = rule.fit(X, y, sample_weight=weight).noise_std_
    alone = rule.fit(X[kept], y[kept]).noise_std_
    assert rule.params_["slope"] == pytest.approx(2.0)
    assert weighted == pytest.approx(alone, rel=1e-12)



def test_gate_fitted_on_float32_X_is_the_gate_of_the_same_float64_X():
    # MLPGate.fit kept a float32 X and standardised it in float32 (the mean
    # of a column around -300 was 1.3e-4 off): with the same numbers in
    # float64 the fitted gate's probabilities differed by 0.0026.
    from skmoe import MLPGate
    rng = np.random.RandomState(0)
    X = (rng.normal(size=(300, 3)) * [1, 100, 0.01] + [5, -300, 2]).astype(np.float32)
    logit = X[:, 0] - 5 + (X[:, 1] + 300) / 100
    targets = np.column_stack([1 / (1 + np.exp(-logit)), 1 / (1 + np.exp(logit))])
    single = MLPGate().fit(X, targets)
    double = MLPGate().fit(X.astype(np.float64), targets)
    assert_allclose(single.mean_, double.mean_, rtol=0, atol=0)
    assert_allclose(single.predict_proba(X), double.predict_proba(X), rtol=0, atol=1e-12)


# ---------------------------------------------------------------- guards
def _relabelled_classifiers():
    from skmoe import EnsembleClassifier
    return {
        "em": lambda: MixtureOfExpertsClassifier(_classification_experts(), training="em",
                                                 max_iter=5, random_state=0),
        "em top-1": lambda: MixtureOfExpertsClassifier(_classification_experts(),
                                                       training="em", top_k=1, max_iter=5,
                                                       random_state=0),
        "gradient top-1": lambda: MixtureOfExpertsClassifier(_classification_experts(),
                                                             top_k=1, max_epochs=10,
                                                             random_state=0),
        "greedy ensemble": lambda: EnsembleClassifier(_classification_experts(),
                                                      weights="greedy", random_state=0),
        "tree mixture": lambda: HierarchicalMixtureClassifier(
            LogisticRegression(), branching=(2, 2), max_iter=5, random_state=0),
    }


@pytest.mark.parametrize("name", list(_relabelled_classifiers()))
def test_guard_relabelled_classes_permute_the_probability_columns(name):
    # Classes 0, 1, 2 renamed 'c', 'a', 'b': classes_ is ['a', 'b', 'c'], and
    # each class keeps its probability, in the column classes_ gives it.
    X, _, labels, _ = _data()
    names = np.array(["c", "a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = _relabelled_classifiers()[name]().fit(X, labels)
        renamed = _relabelled_classifiers()[name]().fit(X, names[labels])
    assert list(renamed.classes_) == ["a", "b", "c"]
    column = np.searchsorted(renamed.classes_, names)        # of classes 0, 1, 2
    # (EM's level-2 share is an L-BFGS optimum: experts' probabilities 1e-15
    # apart moved it by 2e-8 and the probabilities by 1e-8.)
    assert_allclose(renamed.predict_proba(X)[:, column], plain.predict_proba(X),
                    rtol=0, atol=1e-7 if name == "em" else 1e-9)
    assert np.array_equal(renamed.predict(X), names[plain.predict(X)])


def test_guard_relabelled_classes_permute_a_task_of_the_heterogeneous_mmoe():
    from skmoe import HeterogeneousMultiGateMixtureOfExperts
    X, y, labels, _ = _data()
    names = np.array(["c", "a", "b"])
    Y = np.column_stack([y, labels])
    renamed_Y = Y.astype(object)
    renamed_Y[:, 1] = names[labels]
    make = lambda: HeterogeneousMultiGateMixtureOfExperts(  # noqa: E731
        _regression_experts(), tasks=["regression", "multiclass"], max_iter=50,
        random_state=0)
    plain, renamed = make().fit(X, Y), make().fit(X, renamed_Y)
    column = np.searchsorted(renamed.classes_[1], names)
    assert_allclose(renamed.predict_proba(X)[1][:, column], plain.predict_proba(X)[1],
                    rtol=0, atol=1e-9)
    assert_allclose(renamed.predict(X)[:, 0].astype(float), plain.predict(X)[:, 0],
                    rtol=0, atol=1e-9)


@pytest.mark.parametrize("params", [
    dict(top_k=1, capacity_factor=1.0), dict(top_k=2, capacity_factor=0.5),
    dict(top_k=2, random_routing=True), dict(top_k=2, noisy_gating=True),
    dict(top_k=1, balance_coef=0.1),
    dict(training="em", top_k=1, capacity_factor=1.0, max_iter=3),
    dict(training="em", top_k=2, random_routing=True, max_iter=3)])
def test_guard_routed_predictions_are_k_experts_per_row_and_usage_is_their_count(params):
    # predict_gate: k positive weights per row, summing to one; expert_usage:
    # the share of rows with a positive weight; predict: the sum of those
    # weights times the experts' own predictions, the same for a row alone
    # or in a shuffled batch (no capacity at predict time).
    from sklearn.neighbors import KNeighborsRegressor
    X, y, _, _ = _data(300)
    experts = _regression_experts() + [("knn", KNeighborsRegressor(5))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(experts, max_epochs=10, random_state=0,
                                        **params).fit(X, y)
    gate, outputs, pred = moe.predict_gate(X), moe.predict_experts(X), moe.predict(X)
    assert np.all((gate > 0).sum(axis=1) == params["top_k"])
    assert_allclose(gate.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert_allclose(moe.expert_usage(X), (gate > 0).mean(axis=0), rtol=0, atol=0)
    assert_allclose(pred, (gate * outputs).sum(axis=1), rtol=0, atol=1e-12)
    order = np.random.RandomState(1).permutation(len(X))
    assert_allclose(moe.predict(X[order]), pred[order], rtol=0, atol=1e-12)
    alone = np.array([moe.predict(X[i:i + 1])[0] for i in range(0, len(X), 29)])
    assert_allclose(alone, pred[::29], rtol=0, atol=1e-12)


def test_guard_multi_task_predictions_do_not_depend_on_the_predict_chunk(monkeypatch):
    # The network runs _PREDICT_CHUNK rows at a time and the chunks' (task,
    # row, output) blocks are joined along the rows: 7-row chunks give the
    # predictions, probabilities and gates of one pass.
    from skmoe import MultiGateMixtureOfExperts, _mmoe
    X, y, labels, _ = _data()
    Y = np.column_stack([y, labels])
    for architecture in ("mmoe", "ple"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MultiGateMixtureOfExperts(tasks=["regression", "multiclass"],
                                              architecture=architecture, n_experts=3,
                                              max_iter=5, random_state=0).fit(X, Y)
        X_new = X[:40]
        whole = (model.predict(X_new), model.predict_proba(X_new)[1],
                 model.predict_gate(X_new))
        monkeypatch.setattr(_mmoe, "_PREDICT_CHUNK", 7)
        chunked = (model.predict(X_new), model.predict_proba(X_new)[1],
                   model.predict_gate(X_new))
        monkeypatch.setattr(_mmoe, "_PREDICT_CHUNK", 16_384)
        for a, b in zip(chunked, whole):
            assert_allclose(a, b, rtol=0, atol=1e-6)   # (float32 products)


def _zero_weight_estimators():
    from skmoe import (EnsembleClassifier, EnsembleRegressor,
                       HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor)
    return {
        "stacked regressor": (lambda: MixtureOfExpertsRegressor(
            _regression_experts(), max_epochs=10, random_state=0), "regression"),
        "stacked classifier": (lambda: MixtureOfExpertsClassifier(
            _classification_experts(), max_epochs=10, random_state=0), "classification"),
        "gradient top-2": (lambda: MixtureOfExpertsClassifier(
            _classification_experts(), top_k=2, max_epochs=10, random_state=0),
            "classification"),
        "em top-1": (lambda: MixtureOfExpertsRegressor(
            _regression_experts(), training="em", top_k=1, max_iter=5, random_state=0),
            "regression"),
        "greedy ensemble": (lambda: EnsembleClassifier(
            _classification_experts(), weights="greedy", random_state=0), "classification"),
        "greedy regression ensemble": (lambda: EnsembleRegressor(
            _regression_experts(), weights="greedy", random_state=0), "regression"),
        "tree mixture": (lambda: HierarchicalMixtureRegressor(
            LinearRegression(), branching=2, max_iter=5, random_state=0), "regression"),
        "heterogeneous mmoe": (lambda: HeterogeneousMultiGateMixtureOfExperts(
            _regression_experts(), tasks=["regression", "multiclass"], max_iter=30,
            random_state=0), "multi-task"),
    }


@pytest.mark.parametrize("name", list(_zero_weight_estimators()))
def test_guard_rows_of_zero_weight_fit_what_their_removal_fits(name):
    # A row of zero weight is a row left out: folds, gates, starts and heads
    # are those of the fit without it, to the last digit.
    make, task = _zero_weight_estimators()[name]
    X, y, labels, _ = _data()
    target = {"regression": y, "classification": labels,
              "multi-task": np.column_stack([y, labels])}[task]
    weight = np.ones(len(y))
    weight[::4] = 0
    kept = weight > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = make().fit(X, target, sample_weight=weight)
        alone = make().fit(X[kept], target[kept])
    if task == "multi-task":
        assert_allclose(weighted.predict(X)[:, 0], alone.predict(X)[:, 0], rtol=0, atol=1e-12)
        assert_allclose(weighted.predict_proba(X)[1], alone.predict_proba(X)[1], rtol=0,
                        atol=1e-12)
    elif task == "regression":
        assert_allclose(weighted.predict(X), alone.predict(X), rtol=0, atol=1e-12)
    else:
        assert_allclose(weighted.predict_proba(X), alone.predict_proba(X), rtol=0, atol=1e-12)
