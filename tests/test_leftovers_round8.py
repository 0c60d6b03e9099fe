"""Leftovers of earlier sessions, round 8: the hierarchical mixture's leaf
fits with restarts, the cross-fitting folds' "too few rows" advice, weighted
scores in compare's summary, frame and paired test, the CLI's --n-jobs and
columns without a header, and a column name as compare's sample_weight."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeRegressor

from skmoe import HierarchicalMixtureRegressor, MixtureOfExpertsRegressor
from skmoe._cli import load_csv, main
from skmoe._compare import compare


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- 1. the tree mixture's leaf fits with n_init (no defect: a guard) ----------
class _CountingRidge(Ridge):
    calls = []

    def fit(self, X, y, sample_weight=None):
        type(self).calls.append(len(X))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("n_init", [1, 3])
def test_every_leaf_fit_of_the_tree_mixture_is_an_m_step(n_init):
    # n_init=3 made 12 leaf fits on all rows against 4 for n_init=1: each
    # restart's EM fits the 4 leaves once per iteration, and its fits decide
    # its log-likelihood, which picks the restart kept. Unlike the flat EM
    # (cross-fitted, then refitted on all rows), no fit follows the EM:
    # the count is n_init x n_iter x leaves, none wasted.
    X, y = _regression(n=80)
    _CountingRidge.calls = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = HierarchicalMixtureRegressor(_CountingRidge(), branching=(2, 2), max_iter=2,
                                             tol=0.0, n_init=n_init, random_state=0).fit(X, y)
    assert model.n_iter_ == 2
    assert len(_CountingRidge.calls) == n_init * 2 * 4


