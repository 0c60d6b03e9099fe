"""Wrong-number sweep, round 30: invariances -- a class whose every row has
weight zero, against the fit without those rows.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier


def _experts():
    return [("lr", LogisticRegression(C=0.1)),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
            ("nb", GaussianNB())]


def _fit(X, y, sample_weight=None, **params):
    model = MixtureOfExpertsClassifier(_experts(), max_epochs=10, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("load, empty", [(load_wine, 2), (load_iris, 0)])
@pytest.mark.parametrize("refit_experts", ["auto", False])
def test_stacked_classifier_with_a_class_of_zero_weight_fits_what_its_removal_fits(
        load, empty, refit_experts):
    # Fix in _blend.GateInputs and _candidates.LinearHead (their ``columns``,
    # set by the stacked trainer to the classes that have rows): the stacked
    # gate's inputs and stacking's heads read every class of ``classes_``,
    # that of weight zero too, whose probability every expert gives as 0.
    # Three classes with one empty are not two: the heads got each expert's
    # log-probabilities of three classes (a constant floor among them, whose
    # products with X handed the feature-weighted head X itself) where the
    # fit without those rows gives them the log-odds of two. The fit "without
    # them" that fit's docstring promises was another model: probabilities
    # 0.57 apart on wine (class 2 weighted 0), 0.49 on iris (class 0).
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kept = y != empty
    weighted = _fit(X, y, kept.astype(float), refit_experts=refit_experts)
    removed = _fit(X[kept], y[kept], refit_experts=refit_experts)
    assert list(weighted.classes_) == [0, 1, 2]
    proba = weighted.predict_proba(X)
    assert np.all(proba[:, empty] == 0)
    assert_allclose(np.delete(proba, empty, axis=1), removed.predict_proba(X),
                    rtol=0, atol=1e-9)
    assert weighted.candidate_weights_ == pytest.approx(removed.candidate_weights_,
                                                        abs=1e-9)
    assert weighted.log_likelihood_ == pytest.approx(removed.log_likelihood_, abs=1e-9)
