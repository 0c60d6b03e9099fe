"""Cross-fitting: shared folds, out-of-fold outputs, and the fold fits' average."""

import numpy as np
import pytest
from joblib import Parallel
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

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
