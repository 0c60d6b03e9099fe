"""Docs audit, round 9: README.md, docs/*.rst, examples/ and the public
docstrings, read claim by claim against the code after round 8
(tests/test_docs_audit_round8.py). Each test pins a place where the two
disagreed: the doc text and what the code does, side by side, so that the
test fails if they drift apart again."""

import os
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _text(*path):
    """A file of the repository with its whitespace collapsed (the docs wrap lines)."""
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return " ".join(f.read().split())


def _sentence(text, words):
    """The one sentence (up to a full stop and a space) of ``text`` holding ``words``."""
    found = [s for s in re.split(r"(?<=\.) ", text) if words in s]
    assert len(found) == 1, f"{len(found)} sentences hold {words!r}"
    return found[0]


def test_user_guide_says_an_ensemble_refuses_an_expert_without_sample_weight():
    """The user guide said, right after the ensembles' handling of weights,
    "Sample weights reach each expert's fit; an expert whose fit has no
    sample_weight (k-nearest neighbours, for example) is fitted on a
    systematic resample": true of the mixtures, but an EnsembleRegressor
    with a KNeighborsRegressor refuses the weights ("Expert 'knn'
    (KNeighborsRegressor) does not accept sample_weight"), as scikit-learn's
    ensembles do. The sentence now says which estimators resample."""
    from sklearn.linear_model import Ridge
    from sklearn.neighbors import KNeighborsRegressor

    from skmoe import EnsembleRegressor, HierarchicalMixtureRegressor
    from skmoe.datasets import make_regimes

    sentence = _sentence(_text("docs", "user_guide.rst"), "systematic resample of the rows")
    assert "in a mixture (flat, hierarchical or multi-task)" in sentence
    assert "an ensemble refuses it with its name" in sentence

    X, y = make_regimes(n_samples=40, random_state=0)
    weights = np.r_[np.ones(20), 2 * np.ones(20)]
    experts = [("ridge", Ridge()), ("knn", KNeighborsRegressor(n_neighbors=3))]
    with pytest.raises(TypeError, match=r"Expert 'knn' \(KNeighborsRegressor\) does not "
                                        r"accept sample_weight"):
        EnsembleRegressor(experts).fit(X, y, sample_weight=weights)
    # A mixture takes it (resampled): the hierarchical one, the quickest to fit.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # (max_iter=1)
        HierarchicalMixtureRegressor(KNeighborsRegressor(n_neighbors=3), branching=(2,),
                                     max_iter=1, random_state=0).fit(X, y, sample_weight=weights)
