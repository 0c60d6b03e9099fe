"""Bad-input sweep, round 17: the HME's early stopping, the feature-weighted
head's range rule and MLPGate's weights (new in round 16)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge

from skmoe import HierarchicalMixtureRegressor


@pytest.mark.parametrize("flag", [np.False_, np.True_])
def test_hme_early_stopping_takes_numpy_bools_as_bools(flag):
    # The parameter check takes numpy's bool, but the fit asked
    # "early_stopping is False": np.False_ held out a tenth of the rows and
    # stopped early (validation_log_likelihood_ 0.887, predictions 0.015 off
    # the fit with False).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=40)

    def fit(early_stopping):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # (EM stopped by max_iter)
            return HierarchicalMixtureRegressor(
                Ridge(), branching=2, early_stopping=early_stopping, max_iter=3,
                random_state=0).fit(X, y)

    given, plain = fit(flag), fit(bool(flag))
    assert (given.validation_log_likelihood_ is None) == (not flag)
    assert given.validation_log_likelihood_ == plain.validation_log_likelihood_
    assert_allclose(given.predict(X), plain.predict(X), rtol=0, atol=0)


def test_hme_early_stopping_auto_needs_every_class_on_both_sides():
    # docs/hme.rst named only "two rows of every class" for the classifier:
    # here every class has two rows or more, yet a held-out share of 1 row
    # cannot hold 3 classes, so 'auto' fits without early stopping and True
    # says why (the docstring's "fewer rows than classes on a side").
    from sklearn.linear_model import LogisticRegression

    from skmoe import HierarchicalMixtureClassifier
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    y = np.array(["a"] * 14 + ["b"] * 14 + ["c"] * 2)

    def fit(early_stopping):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # (EM stopped by max_iter)
            return HierarchicalMixtureClassifier(
                LogisticRegression(), branching=2, early_stopping=early_stopping,
                validation_fraction=0.01, max_iter=2, random_state=0).fit(X, y)

    assert fit("auto").validation_log_likelihood_ is None
    with pytest.raises(ValueError, match=r"1 held-out and 29 training rows cannot each hold "
                                         r"the 3 classes"):
        fit(True)
