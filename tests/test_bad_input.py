"""Bad input: every public estimator either works or says what is wrong."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate)

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)
REGRESSORS = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
CLASSIFIERS = [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))]


def _regression(n=60, n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- gate__* parameters with the default gate=None ---------------------------
def test_gate_params_without_a_gate_say_to_pass_one():
    X, y = _regression()
    moe = MixtureOfExpertsRegressor(REGRESSORS, training="em", max_iter=2)
    with pytest.raises(ValueError, match=r"gate=MLPGate\(\.\.\.\)"):
        moe.set_params(gate__hidden_layer_sizes=(4,))
    search = GridSearchCV(moe, {"gate__hidden_layer_sizes": [(), (4,)]}, cv=2,
                          error_score="raise")
    with pytest.raises(ValueError, match=r"gate=MLPGate\(\.\.\.\)"):
        search.fit(X, y)
    # Passing a gate along with its parameters works.
    moe.set_params(gate=MLPGate(), gate__hidden_layer_sizes=(4,))
    assert moe.gate.hidden_layer_sizes == (4,)


# -- options of the trainer that is not used -------------------------------
@pytest.mark.parametrize("training, option, value", [
    ("gradient", "collapse_action", "drop"),
    ("gradient", "collapse_threshold", 0.05),
    ("gradient", "max_iter", 50),
    ("gradient", "init_params", "kmeans"),
    ("em", "loss", "squared_error"),
    ("em", "learning_rate", 5),
    ("em", "max_epochs", 3),
    ("em", "device", "cpu"),
])
def test_options_of_the_other_trainer_warn(training, option, value):
    X, y = _regression()
    moe = MixtureOfExpertsRegressor(REGRESSORS, training=training, gate=FAST_GATE,
                                    max_epochs=5, random_state=0)
    moe.set_params(**{option: value})
    with pytest.warns(UserWarning, match=rf"{option}=.*no effect with training='{training}'"):
        moe.fit(X, y)


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_own_options_and_defaults_do_not_warn(training):
    X, y = _regression()
    own = (dict(max_iter=2, init_params="kmeans", collapse_action="drop")
           if training == "em" else dict(max_epochs=5, learning_rate=1e-2, loss="nll"))
    moe = MixtureOfExpertsRegressor(REGRESSORS, training=training, gate=FAST_GATE,
                                    random_state=0, tol=1e-2, n_init=1, **own)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*no effect with training")
        moe.fit(X, y)


# -- the minimum number of rows ----------------------------------------------
@pytest.mark.parametrize("make, minimum", [
    (lambda: MixtureOfExpertsRegressor(REGRESSORS, training="em", max_iter=2), 4),
    (lambda: MixtureOfExpertsRegressor(REGRESSORS, training="gradient", max_epochs=2), 5),
    (lambda: MixtureOfExpertsRegressor(REGRESSORS, training="em", cv=3, max_iter=2), 3),
    (lambda: EnsembleRegressor(REGRESSORS, weights="greedy", cv=5), 5),
])
def test_too_few_rows_for_the_folds_say_the_minimum(make, minimum):
    X, y = _regression(n=minimum - 1)
    with pytest.raises(ValueError, match=f"at least {minimum} samples"):
        make().fit(X, y)
    X, y = _regression(n=minimum)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make().set_params(random_state=0).fit(X, y)


def test_classifier_folds_need_a_class_as_large_as_cv():
    X, _ = _regression(n=8)
    y = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    with pytest.raises(ValueError, match="class with at least 5 samples"):
        MixtureOfExpertsClassifier(CLASSIFIERS, max_epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="class with at least 5 samples"):
        EnsembleClassifier(CLASSIFIERS, weights="greedy").fit(X, y)


def test_score_samples_was_renamed():
    X, y = _regression()
    moe = MixtureOfExpertsRegressor([("line", LinearRegression()),
                                     ("tree", DecisionTreeRegressor(max_depth=2))],
                                    max_epochs=5, random_state=0).fit(X, y)
    assert not hasattr(moe, "score_samples")
    with pytest.raises(AttributeError, match="renamed log_likelihood_samples"):
        moe.score_samples(X, y)
    assert moe.log_likelihood_samples(X, y).shape == (len(y),)
