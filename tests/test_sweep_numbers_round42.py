"""Wrong-number sweep, round 42: the classifiers' experts against the same
estimators fitted alone on the labels of y.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.dummy import DummyClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmoe import EnsembleClassifier, MixtureOfExpertsClassifier


def _binary(n=120, seed=0, labels=(1, 2)):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    codes = (X[:, 0] + rng.normal(size=n) > 0.8).astype(int)
    return X, np.asarray(labels)[codes], codes


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("search", [
    lambda cw: GridSearchCV(LogisticRegression(), {"class_weight": [cw]}, cv=2),
    lambda cw: GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                            [{"logisticregression__class_weight": [cw]}], cv=2),
    lambda cw: RandomizedSearchCV(LogisticRegression(), {"class_weight": [cw]}, n_iter=1,
                                  cv=2, random_state=0),
])
def test_class_weight_in_a_search_grid_is_keyed_by_the_labels_of_y(search):
    # Fixed: the experts learn the encoded labels 0 .. C-1, and a class_weight
    # set directly on an expert is re-keyed to them, but one among a search's
    # candidates (param_grid, param_distributions) was not: with the labels 1
    # and 2, GridSearchCV(LogisticRegression(), {'class_weight': [{1: 10}]})
    # weighted the label 2 (encoded as 1), and the expert gave P(2) 0.98
    # where LogisticRegression(class_weight={1: 10}) alone gives 0.28.
    X, y, codes = _binary()
    weight = {1: 10.0}                      # the label 1 (encoded as 0) ten times
    template = search(weight)
    alone = search(weight).fit(X, y)
    expected = alone.predict_proba(X)
    ensemble = EnsembleClassifier([("searched", template),
                                   ("plain", LogisticRegression(C=0.5))]).fit(X, y)
    assert_allclose(ensemble.predict_experts(X)[:, 0], expected, atol=1e-8)
    # The candidate, re-keyed to the code of the label 1.
    assert list(ensemble.experts_[0].best_params_.values()) == [{0: 10.0}]
    # The user's search is untouched.
    grid = getattr(template, "param_grid", None) or template.param_distributions
    assert weight in [value for space in (grid if isinstance(grid, list) else [grid])
                      for param, values in space.items() if param.endswith("class_weight")
                      for value in values]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_class_weight_in_a_search_grid_names_keys_that_are_not_labels():
    # Fixed with the above: a candidate keyed by what is no label of y (the
    # codes 0 and 1 for the labels 'a' and 'b') weighted the wrong class, or
    # failed inside the search; it is now refused as a class_weight set on
    # the expert is, naming the expert and the labels.
    X, y, _ = _binary(labels=("a", "b"))
    search = GridSearchCV(LogisticRegression(), {"class_weight": [{0: 1000}]}, cv=2)
    with pytest.raises(ValueError, match=r"Expert 'searched'.*\[0\].*not labels of y.*'a', 'b'"):
        MixtureOfExpertsClassifier([("searched", search), ("plain", LogisticRegression())],
                                   random_state=0).fit(X, y)


@pytest.mark.parametrize("labels, constant", [((1, 2), 1), (("a", "b"), "a")])
def test_constant_of_a_dummy_expert_is_a_label_of_y(labels, constant):
    # Fixed: the experts learn the encoded labels 0 .. C-1, and a
    # DummyClassifier's constant was not re-keyed to them: with the labels 1
    # and 2, DummyClassifier(strategy='constant', constant=1) as an expert
    # gave the label 2 (encoded as 1) probability 1, where alone it gives the
    # label 1 probability 1; with the labels 'a' and 'b', constant='a' failed
    # ("The constant target value must be present in the training data").
    X, y, codes = _binary(labels=labels)
    expected = DummyClassifier(strategy="constant", constant=constant).fit(X, y).predict_proba(X)
    assert_allclose(expected[:, labels.index(constant)], 1.0)    # (by hand: that class)
    experts = [("lr", LogisticRegression()),
               ("always", DummyClassifier(strategy="constant", constant=constant)),
               ("piped", make_pipeline(StandardScaler(),
                                       DummyClassifier(strategy="constant", constant=constant)))]
    ensemble = EnsembleClassifier(experts).fit(X, y)
    assert_allclose(ensemble.predict_experts(X)[:, 1], expected)
    assert_allclose(ensemble.predict_experts(X)[:, 2], expected)
    # The user's experts are untouched, and a frozen one, fitted on the
    # encoded labels as a frozen expert must be, is kept as it is.
    assert experts[1][1].constant == constant
    frozen = FrozenEstimator(DummyClassifier(strategy="constant", constant=0).fit(X, codes))
    ensemble = EnsembleClassifier([("lr", LogisticRegression()), ("frozen", frozen)]).fit(X, y)
    assert_allclose(ensemble.predict_experts(X)[:, 1], expected)


def test_constant_of_a_dummy_expert_that_is_no_label_is_named():
    # Fixed with the above: a constant that is no label of y but is a code
    # (0 for the labels 1 and 2) silently predicted the label 1; it is now
    # refused, naming the expert and the labels.
    X, y, _ = _binary()
    with pytest.raises(ValueError, match=r"Expert 'always'.*constant=0 is not a label of y.*\[1, 2\]"):
        EnsembleClassifier([("lr", LogisticRegression()),
                            ("always", DummyClassifier(strategy="constant", constant=0))]
                           ).fit(X, y)
