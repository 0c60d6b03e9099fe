"""Defects found by the configuration sweep, round 20 (documented parameters at
and beyond their boundaries, random_state as an int or a RandomState, refits
with other features and classes, set_params after fit, n_jobs under joblib
backends, verbose levels, scikit-learn's tags against what an estimator
takes, and its text and HTML display)."""

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import PoissonRegressor, Ridge
from sklearn.utils import get_tags

from skmoe import CrossFitAverage, EnsembleRegressor


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    return X, X[:, 0] + (X[:, 1] > 0) + 0.1 * rng.normal(size=60)


def test_cross_fit_average_tags_follow_its_fits():
    # The average kept BaseEstimator's tags (no NaN, no sparse X) whatever
    # its fits take: an ensemble given a mixture's deployed expert (fold fits
    # of HistGradientBoosting) refused NaN those fits predict on, "Expert(s)
    # 'cfa' (CrossFitAverage) do not accept missing values".
    X, y = _data()
    X[::7, 1] = np.nan
    fits = [HistGradientBoostingRegressor(max_iter=5).fit(X[:40], y[:40]),
            HistGradientBoostingRegressor(max_iter=5).fit(X[20:], y[20:])]
    average = CrossFitAverage(fits)
    assert get_tags(average).input_tags.allow_nan
    assert np.isfinite(average.predict(X)).all()
    ensemble = EnsembleRegressor([("cfa", average),
                                  ("h", HistGradientBoostingRegressor(max_iter=5))]).fit(X, y)
    assert np.isfinite(ensemble.predict(X)).all()
    # Ridge's fits take sparse X and no NaN, and the tags say so.
    ridge = CrossFitAverage([Ridge().fit(np.nan_to_num(X), y)])
    assert get_tags(ridge).input_tags.sparse and not get_tags(ridge).input_tags.allow_nan
    assert ridge.predict(sp.csr_matrix(np.nan_to_num(X))).shape == (60,)
    # A fit that needs y > 0 makes the average need it.
    poisson = CrossFitAverage([PoissonRegressor().fit(np.nan_to_num(X), np.exp(y))])
    assert get_tags(poisson).target_tags.positive_only
