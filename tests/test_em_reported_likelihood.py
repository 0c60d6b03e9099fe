"""EM's reported log-likelihood is the one its classifier's predict_proba gives."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer
from sklearn.naive_bayes import GaussianNB

from skmoe import MixtureOfExpertsClassifier


@pytest.mark.parametrize("top_k", [None, 1])
def test_exact_em_log_likelihood_is_the_mean_log_of_predict_proba(top_k):
    # EM's objective floors each expert's probability of the label at 1e-6;
    # log_likelihood_ reported that floored figure (-0.1714018 against the mean
    # log of predict_proba, -0.1714106, with top_k=None), which GaussianNB's
    # near-certain probabilities make visible.
    X, y = load_breast_cancer(return_X_y=True)
    weights = np.random.RandomState(0).randint(1, 4, len(y)).astype(float)
    experts = [("nb", GaussianNB()), ("smooth", GaussianNB(var_smoothing=1e-3))]
    model = MixtureOfExpertsClassifier(experts, training="em", cv=None, top_k=top_k,
                                       random_state=0).fit(X, y, sample_weight=weights)
    proba = model.predict_proba(X)
    by_hand = np.average(np.log(proba[np.arange(len(y)), y]), weights=weights)
    assert_allclose(model.log_likelihood_, by_hand, rtol=1e-12)
    assert_allclose(model.log_likelihood_,
                    np.average(model.log_likelihood_samples(X, y), weights=weights),
                    rtol=1e-12)
