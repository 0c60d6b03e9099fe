"""Sweep of classification edge cases (label types, rare classes, shapes of y):
defects found, each with its fix."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleClassifier, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureClassifier, MixtureOfExpertsClassifier,
                   MultiGateMixtureOfExperts)
from skmoe._selection import _SingleExpert


def _data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts("binary", n_experts=2, max_iter=3, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], "binary",
        max_iter=5, random_state=0),
])
def test_one_task_of_string_labels_predicts_them_as_classes_holds_them(make):
    # A multi-task mixture fitted on a 1-D y of strings returned its
    # predictions as an object array (classes_ of dtype '<U3'): predict of a
    # single-output classifier gives classes_'s own dtype.
    X, codes = _data()
    y = np.array(["no", "yes"])[codes]
    model = make().fit(X, y)
    pred = model.predict(X)
    assert pred.dtype == model.classes_[0].dtype == y.dtype
    assert pred.shape == (len(X),)
    assert set(pred) <= {"no", "yes"}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("labels, class_weight", [
    ([1, 2], {1: 20}),          # silently weighted the label 2 (encoded as 1)
    (["a", "b"], {"a": 20}),    # "The classes, [0, 1], are not in class_weight"
])
def test_class_weight_of_an_expert_is_keyed_by_the_labels_of_y(labels, class_weight):
    # The experts are fitted on the encoded labels 0 .. C-1; their class_weight
    # dicts, keyed by the user's labels, were not: the wrong class was weighted
    # (P(first label) 0.16 instead of the 0.84 of the expert alone) or the fit
    # failed. Now each behaves as the expert alone would on the labels of y.
    X, codes = _data(80)
    y = np.asarray(labels)[codes]
    alone = LogisticRegression(class_weight=class_weight).fit(X, y).predict_proba(X)
    experts = [("lr", LogisticRegression(class_weight=class_weight)),
               ("pipe", make_pipeline(StandardScaler(with_mean=False, with_std=False),
                                      LogisticRegression(class_weight=class_weight)))]
    ensemble = EnsembleClassifier(experts).fit(X, y)
    assert_allclose(ensemble.predict_proba(X), alone, atol=1e-6)
    single = _SingleExpert(LogisticRegression(class_weight=class_weight)).fit(X, y)
    # (One expert mixes in the class frequencies' 1/n^2 share, as the mixtures
    # do: select_n_experts scores it as it scores them.)
    share, frequencies = single.class_prior_
    assert_allclose(share, 1 / len(y) ** 2)
    mixed = (1 - share) * alone + share * frequencies
    assert_allclose(single.log_likelihood_samples(X, y),
                    np.log(mixed[np.arange(len(y)), codes]), atol=1e-6)
    encoded = {0: 20}                       # the first label is encoded as 0
    for model in (MixtureOfExpertsClassifier(experts, training="em", cv=None, max_iter=2,
                                             random_state=0),
                  HierarchicalMixtureClassifier(LogisticRegression(class_weight=class_weight),
                                                branching=2, max_iter=2, random_state=0)):
        fitted = model.fit(X, y).experts_[0]
        assert fitted.get_params()["class_weight" if hasattr(fitted, "class_weight")
                                   else "logisticregression__class_weight"] == encoded
    # The template is untouched, and weights already keyed 0 .. C-1 for labels
    # 0 .. C-1 are kept as given.
    assert experts[0][1].class_weight == class_weight
    kept = EnsembleClassifier([("lr", LogisticRegression(class_weight={1: 20})),
                               ("lr2", LogisticRegression())]).fit(X, codes)
    assert kept.experts_[0].class_weight == {1: 20}
