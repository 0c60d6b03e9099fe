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
