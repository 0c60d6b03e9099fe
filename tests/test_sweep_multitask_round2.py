"""Multi-task models sweep, round 2: a user with several real targets
(MultiGateMixtureOfExperts, its PLE architecture, and
HeterogeneousMultiGateMixtureOfExperts)."""

import re
import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 3)
    Y = np.column_stack([X[:, 0] + 0.1 * rng.randn(n), X[:, 1] ** 2])
    return X, Y


_MODELS = {
    "mmoe": lambda w: MultiGateMixtureOfExperts(task_weights=w, max_iter=3, random_state=0),
    "ple": lambda w: MultiGateMixtureOfExperts(task_weights=w, architecture="ple", max_iter=3,
                                               random_state=0),
    "hetero": lambda w: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))],
        task_weights=w, alpha=1e-2, max_iter=5, random_state=0),
}


@pytest.mark.parametrize("make", _MODELS.values(), ids=_MODELS.keys())
@pytest.mark.parametrize("weights", [[1e-300, 1.0], [1e-200, 1e-150]])
def test_a_task_weight_that_is_zero_in_float32_is_refused_as_weight_zero(make, weights):
    # The weights are rescaled and trained in float32, where a ratio below
    # ~1e-45 is 0.0: task 0 was trained with weight 0 -- the untrained tower
    # (or gate) that task_weights=[0, 1] is refused for -- without a word.
    X, Y = _data()
    with pytest.raises(ValueError, match=re.escape(
            "task_weights gives task(s) [0] (by position in y's columns) weight 0 (task(s) "
            f"[0] weigh [{weights[0]!r}], below float32's smallest number")):
        make(weights).fit(X, Y)


@pytest.mark.parametrize("make", _MODELS.values(), ids=_MODELS.keys())
def test_a_small_task_weight_float32_holds_is_still_taken(make):
    X, Y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make([1e-30, 1.0]).fit(X, Y)
    assert np.isfinite(model.predict(X)).all()


def test_guard_documented_probability_scorers_do_not_take_the_list_of_one_task():
    # predict_proba's Notes (and docs/mmoe.rst) say that a one-task fit on a
    # 1-D y still returns a list, which scikit-learn's probability scorers
    # read as a 3-D array; the note goes stale if either changes.
    from sklearn.metrics import get_scorer
    X, Y = _data()
    y = np.where(Y[:, 0] > 0, "yes", "no")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MultiGateMixtureOfExperts("binary", max_iter=2, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert isinstance(proba, list) and proba[0].shape == (len(X), 2)
    with pytest.raises(ValueError, match="Found array with dim 3"):
        get_scorer("neg_log_loss")(model, X, y)
