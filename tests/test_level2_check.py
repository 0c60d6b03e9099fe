"""LEVERS["level2_check"]: the level-2 blend deployed only where its
cross-fitted predictions beat the constant candidate's by k paired SE."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from skmoe._blend import levers_set
from skmoe._candidates import choose_candidates, level2_checked, level2_gain


def _candidates(seed, true_head):
    # The constant candidate off by noise of sd 1; three heads that are the
    # constant plus noise unrelated to y (the in-sample blend still gives
    # them weight: it fits the noise); with ``true_head`` the linear head is
    # y plus noise of sd 0.5, truly better.
    rng = np.random.RandomState(seed)
    n = 100
    y = rng.normal(size=n)
    base = y + rng.normal(size=n)
    predictions = {"constant": base}
    for name in ("gate", "linear", "feature_weighted", "best_expert"):
        predictions[name] = base + 0.7 * rng.normal(size=n)
    if true_head:
        predictions["linear"] = y + 0.5 * rng.normal(size=n)
    return predictions, y, np.ones(n)


@pytest.mark.parametrize("seed", range(3))
def test_a_head_that_wins_in_sample_by_noise_gives_way_to_the_constant(seed):
    predictions, y, w = _candidates(seed, true_head=False)
    weights = choose_candidates(predictions, y, w, True)
    # In sample the noise heads get weight (what the check is for) ...
    assert weights["constant"] < 0.9
    # ... cross-fitted, they are no better than the constant blend alone.
    gain, se = level2_gain(predictions, y, w, True)
    assert gain < se
    checked = level2_checked(weights, predictions, y, w, True, 1)
    assert checked == {name: float(name == "constant") for name in weights}


@pytest.mark.parametrize("seed", range(3))
def test_a_head_that_truly_wins_is_kept(seed):
    predictions, y, w = _candidates(seed, true_head=True)
    weights = choose_candidates(predictions, y, w, True)
    assert weights["linear"] > 0.5
    gain, se = level2_gain(predictions, y, w, True)
    assert gain > 2 * se
    assert level2_checked(weights, predictions, y, w, True, 1) == weights


def test_level2_gain_of_classification_candidates():
    # Probabilities: the blend is linear in them, the loss is the log-loss.
    rng = np.random.RandomState(0)
    n = 150
    y = rng.randint(3, size=n)
    onehot = np.eye(3)[y]
    constant = 0.5 * onehot + 0.5 / 3
    noise = rng.dirichlet(np.ones(3), size=n)
    predictions = {"constant": constant, "prior": np.full((n, 3), 1 / 3),
                   "gate": 0.9 * onehot + 0.1 * noise}
    gain, se = level2_gain(predictions, y, np.ones(n), False)
    assert gain > 2 * se > 0
    flat = {"constant": constant, "prior": np.full((n, 3), 1 / 3),
            "gate": 0.5 * constant + 0.5 * noise}
    gain, se = level2_gain(flat, y, np.ones(n), False)
    assert gain < 0


@pytest.mark.parametrize("regression", [True, False])
def test_the_switch_reaches_the_fit(regression):
    # A k no gain can pass deploys the constant blend alone; None (the
    # default) leaves the level-2 blend as it is.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(160, 3))
    if regression:
        y = X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=160)
        experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3,
                                                                      random_state=0))]
        cls = MixtureOfExpertsRegressor
    else:
        y = (X[:, 0] + np.sin(3 * X[:, 1]) + 0.5 * rng.normal(size=160) > 0).astype(int)
        experts = [("logistic", LogisticRegression()),
                   ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
        cls = MixtureOfExpertsClassifier
    fits = {}
    for k in (None, 1e9):
        with levers_set(level2_check=k), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits[k] = cls(experts, random_state=0).fit(X, y)
    default = fits[None].candidate_weights_
    assert default["constant"] < 0.99
    assert fits[1e9].candidate_weights_ == {name: float(name == "constant")
                                            for name in default}
    assert not fits[1e9].gate_selected_
    prediction = (fits[1e9].predict(X) if regression else fits[1e9].predict_proba(X))
    assert np.all(np.isfinite(prediction))
