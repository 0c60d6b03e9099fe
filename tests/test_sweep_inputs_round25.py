"""Bad input left by sweep round 23 (helper h88's list): sample weights of
dates or time spans, compare's n_jobs and model names, an expert's pd.NA."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)


@pytest.mark.parametrize("weights, what", [
    (pd.Series(pd.date_range("2020-01-01", periods=40)), "dates"),
    (pd.Series(pd.to_timedelta(np.arange(1, 41), unit="D")), "time spans"),
    (np.arange(1, 41).astype("timedelta64[s]"), "time spans"),
])
@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("a", Ridge()), ("b", Ridge(alpha=10.0))]),
    lambda: MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge(alpha=10.0))],
                                      training="em", cv=None, max_iter=2, random_state=0),
])
def test_sample_weight_of_dates_or_time_spans_is_refused(weights, what, make):
    # They were read as numbers in their unit (microseconds since 1970 for a
    # date), silently.
    X = np.random.RandomState(0).randn(40, 2)
    y = X[:, 0]
    with pytest.raises(ValueError, match=f"sample_weight holds {what}"):
        make().fit(X, y, sample_weight=weights)


@pytest.mark.parametrize("n_jobs", [1.5, 0, True])
def test_compare_refuses_an_n_jobs_that_is_no_count(n_jobs):
    # n_jobs=1.5 ran (joblib reads it), 0 failed inside joblib.
    X = np.random.RandomState(0).randn(30, 2)
    y = X[:, 0]
    with pytest.raises(ValueError, match="n_jobs must be a non-zero integer or None"):
        compare({"a": Ridge(), "b": Ridge(alpha=10.0)}, X, y, cv=3, n_jobs=n_jobs)


@pytest.mark.parametrize("name", ["", "  ", "two\nlines", "tab\there"])
def test_compare_refuses_names_that_would_garble_its_table(name):
    # An empty name or one holding a newline garbled the printed table.
    X = np.random.RandomState(0).randn(30, 2)
    y = X[:, 0]
    with pytest.raises(ValueError, match="printable and not blank"):
        compare({name: Ridge(), "b": Ridge(alpha=10.0)}, X, y, cv=3)


class _NullableProba(ClassifierMixin, BaseEstimator):
    """A classifier whose predict_proba is a DataFrame of nullable floats
    holding one pd.NA."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        proba = pd.DataFrame(np.full((len(X), 2), 0.5), dtype="Float64")
        proba.iloc[0, 0] = pd.NA
        return proba

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize("make", [
    lambda: EnsembleClassifier([("lr", LogisticRegression()), ("na", _NullableProba())]),
    lambda: MixtureOfExpertsClassifier([("lr", LogisticRegression()), ("na", _NullableProba())],
                                       random_state=0),
])
def test_an_expert_probability_of_pd_na_is_named_as_missing(make):
    # numpy's cast stopped at it: "float() argument must be a string or a real
    # number, not 'NAType'"; a regression expert's pd.NA already got this message.
    X = np.random.RandomState(0).randn(60, 2)
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="Expert 'na' returned NaN or infinite"):
        make().fit(X, y).predict_proba(X)     # (the ensemble calls it only here)


def test_map_device_keeps_mps_where_it_exists(monkeypatch):
    # A tensor saved on Apple's GPU was loaded on the CPU even where MPS
    # exists; map_device's docstring promises the same device.
    import torch

    from skmoe._persistence import map_device
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert map_device("mps") == torch.device("mps")
    assert map_device("mps", restore="cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert map_device("mps") == torch.device("cpu")
