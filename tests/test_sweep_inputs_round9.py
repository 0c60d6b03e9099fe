"""Bad input, round 9: the post-fit API (predict and the other methods after fit)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score

from skmoe import (EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts)
from skmoe.gates import MLPGate


def _gate():
    return MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _experts():
    return [("lr", LinearRegression()), ("ridge", Ridge())]


@pytest.mark.parametrize("make, two_tasks", [
    (lambda: MixtureOfExpertsRegressor(_experts(), gate=_gate(), max_iter=3, random_state=0),
     False),
    (lambda: MixtureOfExpertsRegressor(_experts(), gate=_gate(), training="gradient",
                                       max_iter=3, random_state=0), False),
    (lambda: HierarchicalMixtureRegressor(_experts(), branching=2, gate=_gate(), max_iter=3,
                                          random_state=0), False),
    (lambda: EnsembleRegressor(_experts()), False),
    (lambda: HeterogeneousMultiGateMixtureOfExperts(_experts(), max_iter=2, random_state=0),
     True),
    (lambda: MultiGateMixtureOfExperts(max_iter=2, random_state=0), True),
])
def test_a_refit_that_failed_leaves_the_estimator_unfitted(make, two_tasks):
    # The previous fit stayed "fitted" beside the failed fit's feature names:
    # predict refused the old columns ("Feature names seen at fit time, yet
    # now missing: d") and the new ones ("X has 4 features, but ... is
    # expecting 3").
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=list("abc"))
    y = X["a"].to_numpy()
    y = np.column_stack([y, y]) if two_tasks else y
    model = make().fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X.assign(d=np.nan), y)
    for columns in (X, X.assign(d=0.0)):
        with pytest.raises(NotFittedError):
            model.predict(columns)
    assert model.fit(X, y).predict(X).shape == y.shape


@pytest.mark.parametrize("bad_y", [False, True])
def test_multi_gate_mixture_after_a_failed_first_fit_is_not_fitted(bad_y):
    # feature_names_in_ was set before X or y was refused: check_is_fitted
    # passed, and predict failed with "object has no attribute 'module_'".
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=list("abc"))
    y = np.column_stack([X["a"], X["b"]])
    model = MultiGateMixtureOfExperts(max_iter=2, random_state=0)
    if bad_y:
        y[0, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X.assign(d=np.nan) if not bad_y else X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    with pytest.raises(NotFittedError):
        model.predict_gate(X)


@pytest.mark.parametrize("make, classifier", [
    (lambda: MixtureOfExpertsRegressor(_experts(), gate=_gate(), max_iter=3, random_state=0),
     False),
    (lambda: MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                         ("lr2", LogisticRegression(C=0.1))],
                                        gate=_gate(), max_iter=3, random_state=0), True),
    (lambda: HierarchicalMixtureRegressor(_experts(), branching=2, gate=_gate(), max_iter=3,
                                          random_state=0), False),
    (lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, gate=_gate(),
                                           max_iter=3, random_state=0), True),
    (lambda: EnsembleRegressor(_experts()), False),
    (lambda: EnsembleClassifier([("lr", LogisticRegression()),
                                 ("lr2", LogisticRegression(C=0.1))]), True),
])
def test_score_refuses_negative_sample_weight_as_fit_does(make, classifier):
    # scikit-learn's score took them: weights summing to zero failed with a
    # ZeroDivisionError "Weights sum to zero, can't be normalized", others
    # gave a number that meant nothing (the multi-task score refused them).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int) if classifier else X[:, 0]
    model = make().fit(X, y)
    signs = np.where(np.arange(40) % 2, 1.0, -1.0)
    for weight in (signs, signs + 0.5):
        with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
            model.score(X, y, sample_weight=weight)
    # Non-negative weights score as before.
    weight = rng.uniform(size=40)
    plain = (accuracy_score if classifier else r2_score)(y, model.predict(X),
                                                         sample_weight=weight)
    assert model.score(X, y, sample_weight=weight) == pytest.approx(plain)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                        ("lr2", LogisticRegression(C=0.1))],
                                       gate=_gate(), max_iter=3, random_state=0),
    lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, gate=_gate(),
                                          max_iter=3, random_state=0),
    lambda: EnsembleClassifier([("lr", LogisticRegression()),
                                ("lr2", LogisticRegression(C=0.1))]),
])
@pytest.mark.parametrize("missing", [None, np.nan])
def test_score_names_a_missing_label_as_log_likelihood_samples_does(make, missing):
    # accuracy_score sorted the labels: TypeError "'<' not supported between
    # instances of 'str' and 'NoneType'" (or 'float'), naming nothing.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    model = make().fit(X, y)
    bad = y.astype(object)
    bad[3] = missing
    with pytest.raises(ValueError, match=r"y has 1 missing class label\(s\) .*first at row 3"):
        model.score(X, bad)
    assert model.score(X, y.astype(object)) == model.score(X, y)


@pytest.mark.parametrize("classifier", [False, True])
def test_top_k_set_after_a_stacked_gate_fit_is_named(classifier):
    # The stacked gate reads the experts' outputs: routing its logits failed
    # in torch, "The size of tensor a (3) must match the size of tensor b (6)".
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    if classifier:
        y = (X[:, 0] > 0).astype(int)
        model = MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                            ("lr2", LogisticRegression(C=0.1))],
                                           training="gradient", max_iter=3, random_state=0)
    else:
        y = X[:, 0]
        model = MixtureOfExpertsRegressor(_experts(), training="gradient", max_iter=3,
                                          random_state=0)
    model.fit(X, y)
    assert model.gate_inputs_ is not None
    before = model.predict(X)
    model.set_params(top_k=1)
    for method in (model.predict, model.predict_gate, model.expert_usage):
        with pytest.raises(ValueError, match="top_k=1 was set after fit: .*stacked gate"):
            method(X)
    with pytest.raises(ValueError, match="top_k=1 was set after fit"):
        model.log_likelihood_samples(X, y)
    np.testing.assert_array_equal(model.set_params(top_k=None).predict(X), before)
