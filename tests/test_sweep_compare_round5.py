"""Round 5 of the compare() / command-line sweep: ``compare(sample_weight=...)``.

Probed as a user would (int / splitter / list / LeaveOneOut cv, groups,
pandas weights, classifiers with log-loss, ROC AUC and balanced accuracy, the
mixtures, ensembles, HME and MMoE, n_jobs=2, checked against a loop by hand).
What was wrong: a scorer whose metric takes no weights ('neg_max_error',
make_scorer of a plain f(y_true, y_pred)) failed after the first fit; R^2 on
a test part whose rows of positive weight share one target was 0 without a
word; a class whose training rows all weigh zero was not warned of as
missing; a Series of weights in another order than X was warned of twice.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import make_scorer
from sklearn.model_selection import KFold, StratifiedKFold

from skmoe import compare


def regression_data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=n)
    return X, y, rng.uniform(0.5, 2.0, size=n)


@pytest.mark.parametrize("scoring", [
    "neg_max_error",
    {"mae": make_scorer(lambda y_true, y_pred: np.mean(np.abs(y_true - y_pred)))},
])
def test_a_scorer_whose_metric_takes_no_weight_is_refused_before_any_fit(scoring):
    # The scorer passes sample_weight on to its metric: "Model 'line' failed
    # to score (neg_max_error) ...: got an unexpected keyword argument
    # 'sample_weight'", after the first model's fit, though compare promises
    # to refuse such a scorer before any fit.
    X, y, w = regression_data()

    class NeverFitted(LinearRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fitted before the scorer was refused")

    with pytest.raises(TypeError, match=r"scoring '(neg_max_error|mae)' takes no "
                       r"sample_weight: its metric '(max_error|<lambda>)' has no "
                       "sample_weight parameter"):
        compare({"line": NeverFitted()}, X, y, cv=3, scoring=scoring, sample_weight=w)


def test_a_metric_with_sample_weight_or_kwargs_is_taken():
    X, y, w = regression_data()

    def mae(y_true, y_pred, **kwargs):
        return np.average(np.abs(y_true - y_pred), weights=kwargs.get("sample_weight"))

    result = compare({"line": LinearRegression()}, X, y, cv=3, sample_weight=w,
                     scoring={"mae": make_scorer(mae, greater_is_better=False),
                              "mad": "neg_median_absolute_error"})
    assert np.all(result.scores["line"]["mae"] < 0)
