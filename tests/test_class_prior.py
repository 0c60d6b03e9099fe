"""Every classifier whose weights are learnt keeps a 1/n^2 share of the class
frequencies (``class_prior_``): on 30 rows a tree that is never wrong out of
fold can take every weight, and where it is wrong on new rows its 0 (or the
routed floor's 1e-6) for the true class is a log-loss no 30 rows can justify."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skmoe import EnsembleClassifier, HierarchicalMixtureClassifier, MixtureOfExpertsClassifier
from skmoe._blend import levers_set


def _iris_30():
    X, y = load_iris(return_X_y=True)
    rng = np.random.RandomState(5)
    train = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), 10, replace=False)
                                    for c in range(3)]))
    test = np.setdiff1d(np.arange(len(y)), train)
    return X[train], y[train], X[test], y[test]


def _experts():
    return [("knn", make_pipeline(StandardScaler(), KNeighborsClassifier(15))),
            ("tree", DecisionTreeClassifier(max_depth=8, random_state=0))]


MODELS = {
    "top-1": lambda: MixtureOfExpertsClassifier(_experts(), top_k=1, random_state=0),
    "em": lambda: MixtureOfExpertsClassifier(_experts(), training="em", random_state=0),
    "greedy ensemble": lambda: EnsembleClassifier(_experts(), weights="greedy",
                                                  random_state=0),
    "hierarchical": lambda: HierarchicalMixtureClassifier(_experts(), branching=(2,),
                                                          random_state=0),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", list(MODELS))
def test_learnt_weights_keep_a_share_of_the_class_frequencies(name):
    X, y, X_new, y_new = _iris_30()
    proba = {}
    for floor in (True, False):
        with levers_set(prior_floor=floor):
            model = MODELS[name]().fit(X, y)
        proba[floor] = model.predict_proba(X_new)
        if floor:
            share, frequencies = model.class_prior_
            assert share == 1 / 30 ** 2
            assert_allclose(frequencies, [1 / 3] * 3)
        else:
            assert model.class_prior_ is None
    # Exactly the floor-less probabilities, mixed with the frequencies at 1/n^2.
    assert_allclose(proba[True], (1 - share) * proba[False] + share / 3, rtol=1e-12)
    true_class = np.arange(len(y_new)), y_new
    assert proba[False][true_class].min() < 1e-5         # the tree's confident miss
    assert proba[True][true_class].min() >= share / 3
    assert log_loss(y_new, proba[True]) < 0.8 * log_loss(y_new, proba[False])


def test_a_refit_with_given_weights_averages_the_experts_as_they_are():
    X, y, X_new, _ = _iris_30()
    ensemble = EnsembleClassifier(_experts(), weights="greedy", random_state=0).fit(X, y)
    assert ensemble.class_prior_ is not None
    ensemble.set_params(weights=None).fit(X, y)
    assert ensemble.class_prior_ is None
    assert_allclose(ensemble.predict_proba(X_new),
                    ensemble.predict_experts(X_new).mean(axis=1), rtol=1e-12)


def test_the_share_counts_weights_as_repeated_rows():
    # A row of weight 2 is that row twice: the same share as the repeated rows.
    X, y, _, _ = _iris_30()
    weights = np.ones(30)
    weights[:5] = 2.0
    model = MixtureOfExpertsClassifier(_experts(), top_k=1, random_state=0)
    share, _ = model.fit(X, y, sample_weight=weights).class_prior_
    assert share == 1 / 35 ** 2


def test_a_model_pickled_before_class_prior_predicts_as_it_did():
    # Before class_prior_, the default classifier's share lived in its
    # combiner_ (CandidateBlend.prior) and the other classifiers had none:
    # unpickled, they predicted_proba with AttributeError 'class_prior_'.
    import pickle
    X, y, X_new, _ = _iris_30()
    moe = MixtureOfExpertsClassifier(_experts(), random_state=0).fit(X, y)
    expected = moe.predict_proba(X_new)
    old = pickle.loads(pickle.dumps(moe))
    old.combiner_.prior = old.__dict__.pop("class_prior_")
    assert_allclose(old.predict_proba(X_new), expected, rtol=1e-12)
    ensemble = EnsembleClassifier(_experts(), weights="greedy", random_state=0).fit(X, y)
    old = pickle.loads(pickle.dumps(ensemble))
    del old.class_prior_
    assert_allclose(old.predict_proba(X_new),
                    np.einsum("nmc,m->nc", old.predict_experts(X_new), old.weights_),
                    rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("params, rtol", [
    (dict(training="em"), 1e-10),
    (dict(training="em", top_k=1), 1e-10),
    (dict(training="gradient", top_k=1), 1e-5),   # (float32 networks)
])
def test_log_likelihood_is_that_of_the_probabilities_with_the_share(params, rtol):
    # Exact EM (cv=None) scores the deployed experts on the training rows: its
    # log_likelihood_ is the mean of log_likelihood_samples there. EM and the
    # joint trainer left the share out (-0.0978386 against -0.0978664).
    X, y = load_iris(return_X_y=True)
    moe = MixtureOfExpertsClassifier(LogisticRegression(max_iter=500), n_experts=2, cv=None,
                                     max_iter=20, random_state=0, **params).fit(X, y)
    assert moe.class_prior_[0] == 1 / 150 ** 2
    assert_allclose(moe.log_likelihood_, moe.log_likelihood_samples(X, y).mean(), rtol=rtol)
