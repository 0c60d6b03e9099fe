"""The k-means starts (EM's ``init_params="kmeans"``, the hierarchical
mixtures' default) on inputs with missing values."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.ensemble import HistGradientBoostingRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe._data import standardised_filled
from skmoe._hme_em import Tree, initial_log_posterior


def _years_with_gaps(n=400, missing=0.15, seed=0):
    """One column of years in two clusters (1990s, 2010s) that set the
    target's level; ``missing`` of the years unknown."""
    rng = np.random.RandomState(seed)
    regime = rng.rand(n) < 0.5
    year = np.where(regime, 2010.0, 1990.0) + rng.normal(0, 2, n)
    y = np.where(regime, 1.0, -1.0) + 0.8 * rng.randn(n)
    gap = rng.rand(n) < missing
    year[gap] = np.nan
    return year[:, None], y, regime, gap


def _agreement(labels, regime):
    """Share of rows whose region is their regime (either naming of two regions)."""
    same = np.mean(labels == regime)
    return max(same, 1.0 - same)


def test_standardised_filled_reads_a_missing_value_as_the_column_mean():
    X = np.array([[1990.0, 1.0], [np.nan, 2.0], [2010.0, np.nan], [2000.0, 3.0]])
    Z = standardised_filled(X)
    observed = np.array([1990.0, 2010.0, 2000.0])
    assert_array_equal(Z[[0, 2, 3], 0], (observed - observed.mean()) / observed.std())
    assert_array_equal(Z[[0, 1, 3], 1], (np.array([1.0, 2.0, 3.0]) - 2.0) / np.sqrt(2 / 3))
    assert Z[1, 0] == 0.0 and Z[2, 1] == 0.0
    assert np.isnan(X[1, 0]) and np.isnan(X[2, 1])       # the input is not modified


def test_hierarchical_kmeans_start_finds_the_regimes_despite_missing_years():
    # A missing year was read as year 0 before standardising: the observed
    # years became one point far from the missing ones, and k-means split
    # missing from observed (agreement with the regimes 0.50, against 0.998
    # on the complete column).
    X, y, regime, gap = _years_with_gaps()
    log_h = initial_log_posterior(Tree((2,)), X, y, None, "kmeans", np.random.RandomState(0))
    leaf = log_h.argmax(axis=1)
    assert _agreement(leaf[~gap], regime[~gap]) > 0.95


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # (max_iter=2)
def test_mixture_kmeans_start_finds_the_regimes_despite_missing_years(monkeypatch):
    import skmoe._em as em
    regions = {}
    kmeans_regions = em._kmeans_regions

    def recorded(problem, rng):
        regions["labels"] = kmeans_regions(problem, rng)
        return regions["labels"]

    monkeypatch.setattr(em, "_kmeans_regions", recorded)
    X, y, regime, gap = _years_with_gaps()
    experts = [(name, HistGradientBoostingRegressor(max_iter=10)) for name in ("a", "b")]
    MixtureOfExpertsRegressor(experts, training="em", init_params="kmeans", max_iter=2,
                              random_state=0).fit(X, y)
    # (Before: 0.916.)
    assert _agreement(regions["labels"][~gap], regime[~gap]) > 0.95
