"""Wrong-numbers sweep, round 18: the multi-task, hierarchical and wrapper
estimators, each figure against an independent computation.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer
from sklearn.naive_bayes import GaussianNB

from skmoe import HierarchicalMixtureClassifier

# Short runs are the point here; their ConvergenceWarning is expected.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_hme_classifier_log_likelihood_is_the_mean_log_of_predict_proba():
    # Fix in _hme.py (_fit): log_likelihood_, documented as of the
    # probabilities predict_proba gives, was computed from EM's per-sample
    # figures, whose leaves are floored at 1e-6: GaussianNB leaves, which give
    # a misclassified row far less, scored -0.3095 for -0.3230 (weights of
    # 1 to 3).
    X, y = load_breast_cancer(return_X_y=True)
    w = np.random.RandomState(0).randint(1, 4, len(y)).astype(float)
    hme = HierarchicalMixtureClassifier(GaussianNB(), branching=(2,), max_iter=10,
                                        random_state=0).fit(X, y, sample_weight=w)
    proba = hme.predict_proba(X)
    by_hand = np.average(np.log(proba[np.arange(len(y)), y]), weights=w)
    assert_allclose(hme.log_likelihood_, by_hand, rtol=1e-12)
