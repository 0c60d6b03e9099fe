"""Review, round 6: the core modules (_blend, _candidates, _crossfit,
_gradient, _em, gates) read end to end. Each test fails without its fix."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge

from skmoe import MixtureOfExpertsRegressor


def test_a_clone_of_a_deployed_average_predicts_the_frame_it_was_fitted_on():
    # The mixture records X's own column names on each CrossFitAverage it
    # deploys (LightGBM keeps 'a b' as 'a_b'); clone() built the copy from
    # the parameters alone and lost them, so the clone refused the very frame
    # the mixture was fitted on ("Feature names unseen at fit time: a b").
    pd = pytest.importorskip("pandas")
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(120, 2)), columns=["a b", "c"])
    y = 2.0 * X["a b"].to_numpy() + rng.normal(size=120)
    mixture = MixtureOfExpertsRegressor(
        [("lgbm", lightgbm.LGBMRegressor(n_estimators=10, verbose=-1)), ("ridge", Ridge())],
        random_state=0).fit(X, y)
    average = mixture.experts_[0]
    copy = clone(average)
    assert list(copy.feature_names_in_) == ["a b", "c"]
    np.testing.assert_array_equal(copy.predict(X), average.predict(X))


def test_a_clone_of_an_average_with_bad_weights_defers_to_the_clear_error():
    # clone() converted the weights with np.array(weights, dtype=float), so
    # weights that are not numbers failed inside clone with numpy's "could
    # not convert string to float: 'a'", naming no parameter, where predict
    # says what weights must be. They are now copied as clone copies any
    # parameter, and predict names the problem.
    from skmoe import CrossFitAverage

    X, y = np.arange(8.0).reshape(4, 2), np.arange(4.0)
    fits = [Ridge().fit(X[:3], y[:3]), Ridge().fit(X[1:], y[1:])]
    copy = clone(CrossFitAverage(fits, weights=["a", "b"]))
    with pytest.raises(ValueError, match="weights must be 2 finite, non-negative numbers"):
        copy.predict(X)
    # Numbers are still copied, not shared with the original.
    weights = [1.0, 3.0]
    copy = clone(CrossFitAverage(fits, weights=weights))
    weights[0] = 100.0
    np.testing.assert_allclose(copy.predict(X),
                               CrossFitAverage(fits, weights=[1.0, 3.0]).predict(X))
