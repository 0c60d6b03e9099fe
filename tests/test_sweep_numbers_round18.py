"""Wrong-numbers sweep, round 18: the multi-task, hierarchical and wrapper
estimators, each figure against an independent computation.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import norm
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor)
from skmoe.datasets import make_hierarchical_regimes

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


def test_heterogeneous_mmoe_refuses_folds_that_leave_a_class_out_of_training():
    # Fix in _mmoe_hetero.py (_folds): folds given as cv whose training rows
    # miss a class (KFold(3) on rows sorted by class) were taken silently,
    # where the single-task classifiers refuse them: the experts' out-of-fold
    # indicator for that class is 0 on every row of it, and the gates learnt
    # from those (150 rows, kNN and ridge experts: the gate's weight on kNN
    # 0.69 against 0.28 with shuffled folds, test accuracy 0.663 against 0.722).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    label = np.digitize(X[:, 0], [-0.5, 0.5])
    order = np.argsort(label, kind="stable")
    X, Y = X[order], np.column_stack([X[order, 1], label[order]])
    experts = [("ridge", Ridge()), ("strong", Ridge(alpha=100.0))]
    model = HeterogeneousMultiGateMixtureOfExperts(
        experts, ["regression", "multiclass"], cv=KFold(3), random_state=0)
    with pytest.raises(ValueError, match="Classification task 1: cv=KFold.* leaves 1 of "
                                         "the 3 classes out of the training rows of fold 1 of 3"):
        model.fit(X, Y)
    # Stratified folds keep every class in every training fold.
    model.set_params(cv=StratifiedKFold(3, shuffle=True, random_state=0)).fit(X, Y)
    assert model.predict_proba(X)[1].shape == (60, 3)


def test_guard_hme_regressor_posterior_shares_and_log_likelihood_by_hand():
    # The last EM iteration's leaf shares and log-likelihood are those of the
    # fitted tree: posterior g_leaf(x) N(y; f_leaf(x), noise_variance_) over
    # its sum, weighted by sample_weight (rows of zero weight left out).
    X, y = make_hierarchical_regimes(n_samples=200, random_state=0)
    w = np.random.RandomState(0).randint(0, 4, len(y)).astype(float)
    hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2), max_iter=8,
                                       random_state=0).fit(X, y, sample_weight=w)
    joint = hme.predict_gate(X) * norm.pdf(y[:, None], hme.predict_experts(X),
                                           np.sqrt(hme.noise_variance_))
    posterior = joint / joint.sum(axis=1, keepdims=True)
    assert_allclose(hme.history_[-1]["leaf_share"], np.average(posterior, axis=0, weights=w),
                    rtol=1e-10, atol=1e-14)
    by_hand = np.average(np.log(joint.sum(axis=1)), weights=w)
    assert_allclose(hme.history_[-1]["log_likelihood"], by_hand, rtol=1e-10)
    assert_allclose(hme.log_likelihood_, by_hand, rtol=1e-10)
