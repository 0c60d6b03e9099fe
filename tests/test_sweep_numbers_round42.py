"""Wrong-number sweep, round 42: the classifiers' experts against the same
estimators fitted alone on the labels of y, the heterogeneous multi-task
mixture's regression predictions and score, exact EM's reported
log-likelihoods, top-k routing and the gradient trainer's rival losses, each
recomputed by hand (numpy, scikit-learn).

Found (each fixed, with its test below):

* a search expert's ``class_weight`` candidates were not re-keyed to the
  encoded labels 0 .. C-1 the experts learn (a ``class_weight`` set on the
  expert was): with the labels 1 and 2,
  ``GridSearchCV(LogisticRegression(), {'class_weight': [{1: 10}]})``
  weighted the label 2, and gave it probability 0.986 on the first row
  where the search fitted alone gives 0.570 (the same for a Pipeline's
  ``logisticregression__class_weight`` and ``RandomizedSearchCV``'s
  ``param_distributions``);
* a ``DummyClassifier(strategy='constant', constant=1)`` expert with the
  labels 1 and 2 gave the label 2 probability 1 on every row (alone: the
  label 1), ``constant='a'`` with the labels 'a' and 'b' failed, and
  ``constant=0`` (no label of y) was taken as the label 1.

Recomputed and found right (the ``test_guard_*`` tests):

* ``HeterogeneousMultiGateMixtureOfExperts``' regression predictions as
  ``predict_gate`` mixing the refitted experts' predictions of the
  standardised columns, in y's units by the weighted mean and standard
  deviation (within 4e-15), and ``score`` as the mean of the weighted R^2;
* exact EM's (``cv=None``) ``log_likelihood_`` and last ``history_``
  log-likelihood against the weighted mean of ``log_likelihood_samples``
  (dense, ``n_init=2`` random starts, top-1, top-2 of three copies, weights
  with zeros);
* ``route_numpy``: exactly k experts per row, ties to the first, the
  softmax renormalised over them;
* the gradient trainer's ``rival_loss_['rival_every_row']`` (top-1 and
  top-2, weighted) against the rival routing applied to the experts'
  out-of-fold predictions refitted by hand over the user's folds;
* also, not pinned here: scikit-learn's ``brier_score_loss`` of two text
  labels given ``labels=`` and both columns, as compare's
  ``_AllClassesLogLoss`` calls it, is the binary score (0.135 on four rows,
  as on the same labels coded 0/1 with the second column).

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleClassifier, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor)
from skmoe.datasets import make_mmoe_tasks, make_regimes


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


def test_guard_heterogeneous_multitask_regression_by_hand():
    # Guard (found right): each regression task's prediction is its gate's
    # mix of the experts' predictions of its standardised column, in y's
    # units by the (weighted) mean and standard deviation of the column, and
    # score() is the mean over tasks of the (weighted) R^2.
    X, Y = make_mmoe_tasks(n_samples=100, n_features=4, random_state=0)
    weight = np.random.RandomState(1).randint(0, 4, size=len(X)).astype(float)
    for sample_weight in (None, weight):
        model = HeterogeneousMultiGateMixtureOfExperts(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
            alpha=1e-2, max_iter=20, random_state=0).fit(X, Y, sample_weight=sample_weight)
        w = np.ones(len(X)) if sample_weight is None else weight
        mean = np.average(Y, axis=0, weights=w)
        std = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=w))
        own = np.stack([expert.predict(X) for expert in model.experts_], axis=1)  # (n, e, t)
        by_hand = mean + std * np.einsum("nte,net->nt", model.predict_gate(X), own)
        assert_allclose(model.predict(X), by_hand, rtol=1e-12, atol=1e-12)
        r2 = [r2_score(Y[:, t], by_hand[:, t], sample_weight=sample_weight) for t in range(2)]
        assert_allclose(model.score(X, Y, sample_weight=sample_weight), np.mean(r2),
                        rtol=1e-12)


@pytest.mark.parametrize("options", [{}, {"n_init": 2, "init_params": "random"},
                                     {"top_k": 1}, {"top_k": 2, "n_experts": 3}])
def test_guard_exact_em_log_likelihood_is_the_mean_of_its_samples(options):
    # Guard (found right): exact EM (cv=None) fits and scores with the
    # deployed experts, so its log_likelihood_ and last history_ entry are
    # the (weighted) mean of log_likelihood_samples on the training rows --
    # dense, with restarts, top-1 and top-2 routed, weights with zeros.
    X, y = make_regimes(n_samples=150, random_state=0)
    weight = np.random.RandomState(0).randint(0, 3, size=len(X)).astype(float)
    experts = (LinearRegression() if "n_experts" in options
               else [("a", LinearRegression()), ("b", LinearRegression())])
    for sample_weight in (None, weight):
        model = MixtureOfExpertsRegressor(experts, training="em", cv=None, max_iter=5,
                                          random_state=0, **options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")    # (not converged in 5 iterations)
            model.fit(X, y, sample_weight=sample_weight)
        by_hand = np.average(model.log_likelihood_samples(X, y), weights=sample_weight)
        assert_allclose(model.log_likelihood_, by_hand, rtol=1e-12)
        assert_allclose(model.history_[-1]["log_likelihood"], by_hand, rtol=1e-12)


def test_guard_top_k_routing_keeps_exactly_k_renormalised():
    # Guard (found right): predict's routing keeps exactly k experts per row,
    # ties going to the first (lowest index), with the softmax of their
    # logits renormalised over them.
    from skmoe._routing import route_numpy
    logits = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, -1.0], [2.0, 1.0, 1.0], [1.0, 2.0, 3.0]])
    for k in (1, 2, 3):
        G = route_numpy(logits, k)
        assert np.all((G > 0).sum(axis=1) == k)
        kept = np.argsort(-logits, axis=1, kind="stable")[:, :k]
        for row, columns in zip(range(len(G)), kept):
            soft = np.exp(logits[row, columns] - logits[row, columns].max())
            assert_allclose(G[row, columns], soft / soft.sum(), rtol=1e-12)


@pytest.mark.parametrize("top_k", [1, 2])
def test_guard_gradient_rival_loss_on_every_row_by_hand(top_k):
    # Guard (found right): the gradient trainer's rival_loss_['rival_every_row']
    # is the weighted mean standardised squared error, over every row, of the
    # rival's routing (predict_gate once it replaced the gate) applied to the
    # experts' out-of-fold predictions over the user's folds, y standardised
    # by its weighted mean and standard deviation.
    X, y = make_regimes(n_samples=120, random_state=0)
    weight = np.random.RandomState(2).randint(1, 4, size=len(X)).astype(float)
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    experts = [("line", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("deep", DecisionTreeRegressor(max_depth=6, random_state=0))]
    model = MixtureOfExpertsRegressor(experts, top_k=top_k, cv=splits, max_epochs=10,
                                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (not converged in 10 epochs)
        model.fit(X, y, sample_weight=weight)
    assert model.rival_selected_           # (the by-hand routing is the rival's)
    mean = np.average(y, weights=weight)
    std = np.sqrt(np.average((y - mean) ** 2, weights=weight))
    held_out = np.zeros((len(X), len(experts)))
    for j, (_, expert) in enumerate(experts):
        for train, test in splits:
            held_out[test, j] = clone(expert).fit(X[train], y[train],
                                                  sample_weight=weight[train]).predict(X[test])
    routed = (model.predict_gate(X) * (held_out - mean) / std).sum(axis=1)
    by_hand = np.average(((y - mean) / std - routed) ** 2, weights=weight)
    assert_allclose(model.rival_loss_["rival_every_row"], by_hand, rtol=1e-8)
