"""Review round 5: the expert-warnings machinery and the morning's merges.

- A pandas result with its own default RangeIndex was refused as "X's row
  labels in another order" where X was shuffled (labels 0 .. n-1 permuted),
  with the advice reindex(X.index), which would misplace every prediction.
- CrossFitAverage gave its fits' warnings that differ in their numbers alone
  as the first fit's text, without saying that the others' numbers differed.
- Each recorded warning was matched against every warning held (its numbers
  blanked each time): quadratic in the number of distinct warnings.
"""
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression

from skmoe import EnsembleRegressor


def test_a_series_of_its_own_range_index_is_read_by_position_on_shuffled_rows():
    # X shuffled (df.sample(frac=1)): its labels are 0 .. n-1 in another
    # order, as the result's own RangeIndex is; the result, in X's order, was
    # refused and told to reindex(X.index), which would misplace every row.
    import pandas as pd

    class SeriesOut(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            self.model_ = LinearRegression().fit(np.asarray(X), y)
            return self

        def predict(self, X):
            return pd.Series(self.model_.predict(np.asarray(X)))

    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(80, 3)), columns=list("abc"))
    y = frame["a"] + rng.normal(size=80)
    shuffled = frame.sample(frac=1, random_state=0)
    model = EnsembleRegressor([("s", SeriesOut()), ("t", SeriesOut())])
    model.fit(shuffled, y.loc[shuffled.index])
    expected = LinearRegression().fit(shuffled.to_numpy(), y.loc[shuffled.index])
    np.testing.assert_allclose(model.predict(shuffled), expected.predict(shuffled.to_numpy()))


def test_a_fold_average_says_when_its_fits_warnings_differed_in_their_numbers():
    # "column x0 is constant" stood for the x1 and x2 of the other fits,
    # with nothing to say so.
    from skmoe._crossfit import CrossFitAverage

    class Says(RegressorMixin, BaseEstimator):
        def __init__(self, k=0):
            self.k = k

        def fit(self, X, y):
            self.model_ = LinearRegression().fit(X, y)
            return self

        def predict(self, X):
            warnings.warn(f"column x{self.k} is constant", UserWarning)
            return self.model_.predict(X)

    X = np.random.default_rng(3).normal(size=(20, 2))
    average = CrossFitAverage([Says(k).fit(X, X[:, 0]) for k in range(3)], None, "w")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        average.predict(X)
    assert len(caught) == 1
    assert "its numbers differing between the fits" in str(caught[0].message)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CrossFitAverage([Says(1).fit(X, X[:, 0]) for _ in range(3)], None, "w").predict(X)
    assert "3 times; shown once" in str(caught[0].message)


def test_recording_many_distinct_warnings_is_not_quadratic(monkeypatch):
    # Each warning was matched by blanking the numbers of every key held:
    # 4.8 s for a greedy ensemble of two experts giving 1,000 distinct
    # warnings a fit (0.3 s for 250). Counted here as calls of the blanking.
    import skmoe._warnings as base

    texts = [f"column col_{chr(97 + i // 26)}{chr(97 + i % 26)} has few values"
             for i in range(200)]

    class Many(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            for text in texts:
                warnings.warn(text, UserWarning)
            self.model_ = LinearRegression().fit(X, y)
            return self

        def predict(self, X):
            return self.model_.predict(X)

    calls = []
    blank = base.numbers_blanked
    monkeypatch.setattr(base, "numbers_blanked", lambda text: calls.append(1) or blank(text))
    X = np.random.default_rng(4).normal(size=(60, 2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        EnsembleRegressor([("a", Many()), ("b", Many())], weights="greedy").fit(X, X[:, 0])
    assert len(caught) == len(texts)
    recorded = 2 * 6 * len(texts)     # two experts, 5 fold fits and a full fit each
    assert len(calls) <= 2 * recorded
