"""Cross-fitting: shared folds, out-of-fold outputs, and the fold fits' average."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils.parallel import Parallel

from skmoe._crossfit import CrossFitAverage, cross_fit, expert_outputs, make_folds


def _data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ [1.0, -2.0, 0.5] + 0.3 * rng.normal(size=n)


def test_fold_fits_are_the_models_behind_the_out_of_fold_outputs():
    X, y = _data()
    folds = make_folds(4, X, y, seed=0)
    fits = cross_fit(Parallel(n_jobs=1), ["ridge", "tree"],
                     [Ridge(), DecisionTreeRegressor(max_depth=3, random_state=0)], X, y,
                     folds, expert_outputs, keep_fold_fits=True)
    assert fits.experts is None
    assert [len(f) for f in fits.fold_experts] == [4, 4]
    for i in range(2):
        for (train, test), model in zip(folds, fits.fold_experts[i]):
            assert_allclose(model.predict(X[test]), fits.outputs[test, i])
            assert model.n_features_in_ == 3


def test_average_of_fold_fits_regression():
    X, y = _data()
    models = [Ridge(alpha=a).fit(X, y) for a in (0.1, 10.0, 100.0)]
    average = CrossFitAverage(models, None, "ridge")
    assert_allclose(average.predict(X), np.mean([m.predict(X) for m in models], axis=0))
    assert average.n_features_in_ == 3
    with pytest.raises(AttributeError):
        average.classes_


def test_average_of_fold_fits_is_one_value_per_row():
    # Fits that predict a column (n, 1) still average to (n,), as the
    # mixture's experts must (an average of the raw outputs kept the column).
    X, y = _data()
    models = [ColumnRidge(alpha=a).fit(X, y) for a in (0.1, 10.0)]
    assert models[0].predict(X).shape == (len(X), 1)
    average = CrossFitAverage(models, None, "ridge").predict(X)
    assert average.shape == (len(X),)
    assert_allclose(average, np.mean([m.predict(X)[:, 0] for m in models], axis=0))


class ColumnRidge(Ridge):
    """Ridge whose predictions are a column, shape (n, 1)."""

    def predict(self, X):
        return super().predict(X)[:, None]


def test_average_of_fold_fits_aligns_a_missing_class():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    y = np.repeat([0, 1, 2], 30)
    full = LogisticRegression().fit(X, y)
    two = LogisticRegression().fit(X[:60], y[:60])        # never saw class 2
    average = CrossFitAverage([full, two], n_classes=3, name="logit")
    proba = average.predict_proba(X)
    expected_two = np.column_stack([two.predict_proba(X), np.zeros(len(X))])
    assert_allclose(proba, (full.predict_proba(X) + expected_two) / 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(average.classes_, [0, 1, 2])
    assert_array_equal(average.predict(X), proba.argmax(axis=1))


def test_average_of_no_fits_is_an_error():
    # An empty list predicted NaN for every row (with a RuntimeWarning).
    X, _ = _data(n=5)
    average = CrossFitAverage([], None, "ridge")
    with pytest.raises(ValueError, match="'ridge' needs a non-empty list"):
        average.predict(X)
    with pytest.raises(ValueError, match="non-empty list"):
        average.n_features_in_


def test_average_of_classifiers_needs_encoded_labels_and_n_classes():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    fits = [LogisticRegression().fit(X, y)]
    # String labels failed in int(); a too small n_classes with an IndexError.
    with pytest.raises(ValueError, match=r"classes_.*integers from 0 to 1"):
        CrossFitAverage([LogisticRegression().fit(X, np.array(["a", "b"])[y])],
                        n_classes=2).predict_proba(X)
    with pytest.raises(ValueError, match=r"n_classes=1.*integers from 0 to 0"):
        CrossFitAverage(fits, n_classes=1).predict(X)
    with pytest.raises(ValueError, match="n_classes must be"):
        CrossFitAverage(fits, n_classes="2").predict(X)
    # Without n_classes the 0/1 labels were averaged as numbers (0.5 in between).
    with pytest.raises(ValueError, match="is a classifier; give n_classes"):
        CrossFitAverage(fits, name="logit").predict(X)
    assert_array_equal(CrossFitAverage(fits, n_classes=2).predict(X), fits[0].predict(X))


def test_clone_of_an_average_keeps_the_fits():
    # There is no fit: clone's unfitted copies of the fits could never predict.
    X, y = _data(n=20)
    average = CrossFitAverage([Ridge().fit(X, y), Ridge(alpha=5.0).fit(X, y)], None, "ridge")
    copy = clone(average)
    assert copy is not average and copy.estimators == average.estimators
    assert_allclose(copy.predict(X), average.predict(X))


class _RecordingRegressor(RegressorMixin, BaseEstimator):
    """Records what fit received."""

    def fit(self, X, y, sample_weight=None):
        self.X_seen_, self.sample_weight_seen_ = X, sample_weight
        return self

    def predict(self, X):
        return np.zeros(len(X))


class _NoWeightRegressor(RegressorMixin, BaseEstimator):
    """An expert without sample_weight (as k-NN): records the X it got."""

    def fit(self, X, y):
        self.X_seen_ = X
        return self

    def predict(self, X):
        return np.zeros(len(X))


@pytest.mark.parametrize("make", [_RecordingRegressor, _NoWeightRegressor])
def test_equal_weights_fit_without_weights_or_copies(make):
    # Equal weights (the stacked gate's experts, no user weights) are no
    # weights: the expert gets X itself and no sample_weight. They used to
    # cost a copy of X (Ridge's rescaling; a resample of every row for an
    # expert without sample_weight).
    from skmoe._base import fit_expert
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    expert = fit_expert("e", make(), X, y, np.full(10, 3.0), seed=0)
    assert expert.X_seen_ is X
    assert getattr(expert, "sample_weight_seen_", None) is None
    # Unequal weights still reach the expert (or its resample).
    weight = np.linspace(1.0, 2.0, 10)
    expert = fit_expert("e", make(), X, y, weight, seed=0)
    if make is _RecordingRegressor:
        assert_allclose(expert.sample_weight_seen_, weight * 10 / weight.sum())
    else:
        assert expert.X_seen_ is not X
