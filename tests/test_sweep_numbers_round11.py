"""Round-11 numbers sweep: the classifier side and the predictive density.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right, each
against an independent computation.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris


def test_cli_experts_alone_are_seeded_by_the_seed():
    # Fix in _cli.make_estimators: the experts alone ('tree', 'forest') had no
    # random_state, so `python -m skmoe compare iris --experts
    # linear,tree,forest` printed other scores at every run with the same
    # --seed (tree log-loss 1.51 or 2.20; forest accuracy 0.94 or 0.9533), and
    # the best model's '*' moved between the mixture and the forest.
    from skmoe._cli import make_estimators
    X, y = load_iris(return_X_y=True)
    estimators = make_estimators("tree,forest", "classification", 7)
    forest = estimators["forest"]
    assert forest.random_state == 7 and estimators["tree"].random_state == 7
    first = clone(forest).fit(X, y).predict_proba(X)
    assert_array_equal(clone(forest).fit(X, y).predict_proba(X), first)
    # The mixture's and the ensemble's copies are left to them (they seed the
    # unset ones from their own random_state).
    mixture_experts = dict(estimators["mixture"].experts)
    assert mixture_experts["forest"].random_state is None


def test_cli_seed_reaches_the_mlp_expert():
    # Fix in _cli._expert_factories: the 'mlp' expert was built with
    # random_state=0, so --seed 1 and --seed 2 trained the same networks (alone,
    # in the mixture and in the ensemble) while every other expert followed
    # the seed.
    from skmoe._cli import make_estimators
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=40)
    fits = {}
    for seed in (1, 2):
        estimators = make_estimators("linear,mlp", "regression", seed)
        assert estimators["mlp"].random_state == seed
        fits[seed] = clone(estimators["mlp"]).set_params(max_epochs=2).fit(X, y).predict(X)
        # In the mixture, the seed comes from the mixture's random_state.
        assert dict(estimators["mixture"].experts)["mlp"].random_state is None
        assert estimators["mixture"].random_state == seed
    assert not np.allclose(fits[1], fits[2])


def _iris_labels():
    X, y = load_iris(return_X_y=True)
    return X, np.array(["c", "a", "b"])[y]


def test_guard_classifier_outputs_are_those_of_predict_proba():
    # predict is the first most probable class, predict_log_proba the log of
    # predict_proba, score sklearn's weighted accuracy and
    # log_likelihood_samples the log-probability of the label: for the flat
    # mixture (EM), the tree mixture and the ensemble.
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.naive_bayes import GaussianNB

    from skmoe import (EnsembleClassifier, HierarchicalMixtureClassifier,
                       MixtureOfExpertsClassifier)
    X, labels = _iris_labels()
    w = np.random.RandomState(0).uniform(0.2, 3.0, size=len(labels))
    experts = [("lr", LogisticRegression(C=0.1, max_iter=500)), ("nb", GaussianNB())]
    models = [MixtureOfExpertsClassifier(experts, training="em", cv=None, max_iter=3,
                                         random_state=0),
              HierarchicalMixtureClassifier(LogisticRegression(C=0.1, max_iter=500),
                                            branching=(2,), max_iter=3, random_state=0),
              EnsembleClassifier(experts, weights=[1.0, 3.0])]
    for model in models:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, labels, sample_weight=w)
        proba = model.predict_proba(X)
        assert_array_equal(model.classes_, ["a", "b", "c"])
        assert_array_equal(model.predict(X), model.classes_[np.argmax(proba, axis=1)])
        assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=0, atol=0)
        assert model.score(X, labels, sample_weight=w) == accuracy_score(
            labels, model.predict(X), sample_weight=w)
        if hasattr(model, "log_likelihood_samples"):
            at_label = proba[np.arange(len(labels)), np.searchsorted(model.classes_, labels)]
            assert_allclose(model.log_likelihood_samples(X, labels), np.log(at_label),
                            rtol=1e-13)


def test_guard_an_expert_of_two_of_three_classes_gives_the_third_zero():
    # An expert that learns only two of the three classes (its classes_ [0, 1]
    # of the encoded labels) has its columns placed by classes_ and a zero for
    # the third: the ensemble is the average of the padded probabilities.
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    from skmoe import EnsembleClassifier

    class TwoClasses(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            rows = y != y.max()
            self.model_ = LogisticRegression(max_iter=1000).fit(X[rows], y[rows])
            self.classes_ = self.model_.classes_
            return self

        def predict_proba(self, X):
            return self.model_.predict_proba(X)

    X, labels = _iris_labels()
    codes = np.searchsorted(["a", "b", "c"], labels)
    two = TwoClasses().fit(X, codes)
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, codes)
    padded = np.zeros((len(X), 3))
    padded[:, two.classes_] = two.predict_proba(X)
    ensemble = EnsembleClassifier([("two", TwoClasses()), ("tree", clone(tree))]).fit(X, labels)
    assert_array_equal(ensemble.named_experts_["two"].classes_, [0, 1])
    assert_allclose(ensemble.predict_proba(X), (padded + tree.predict_proba(X)) / 2,
                    rtol=1e-14)


def test_guard_regression_density_is_the_gaussian_mixture_in_the_units_of_y():
    # predict(return_std=True) and log_likelihood_samples are the Gaussian
    # mixture of predict_gate, predict_experts and noise_variance_ by hand;
    # y * 1000 scales the mean and sd by 1000 and moves the log-density by
    # -log(1000) (experts whose fits are linear in y; sample weights).
    from scipy.special import logsumexp
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skmoe import HierarchicalMixtureRegressor, MixtureOfExpertsRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 3))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.3 * rng.normal(size=150) + 5
    w = rng.uniform(0.2, 3.0, size=150)
    experts = [("line", LinearRegression()),
               ("abs", make_pipeline(FunctionTransformer(np.abs), LinearRegression()))]
    makers = [lambda: MixtureOfExpertsRegressor(experts, training="em", max_iter=4,
                                                random_state=0),
              lambda: MixtureOfExpertsRegressor(experts, training="em", top_k=1, cv=None,
                                                max_iter=4, random_state=0),
              lambda: HierarchicalMixtureRegressor(LinearRegression(), branching=(2,),
                                                   max_iter=4, random_state=0)]
    for make in makers:
        out = {}
        for scale in (1.0, 1000.0):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = make().fit(X, y * scale, sample_weight=w)
            mean, std = model.predict(X, return_std=True)
            G, F, v = model.predict_gate(X), model.predict_experts(X), model.noise_variance_
            by_hand = (G * F).sum(axis=1)
            assert_allclose(mean, by_hand, rtol=1e-12)
            assert_allclose(std, np.sqrt((G * (v + (F - by_hand[:, None]) ** 2)).sum(axis=1)),
                            rtol=1e-12)
            with np.errstate(divide="ignore"):
                density = logsumexp(np.log(G) - 0.5 * np.log(2 * np.pi * v)
                                    - 0.5 * (y[:, None] * scale - F) ** 2 / v, axis=1)
            log_lik = model.log_likelihood_samples(X, y * scale)
            assert_allclose(log_lik, density, rtol=1e-12, atol=1e-12)
            out[scale] = mean, std, log_lik
        assert_allclose(out[1000.0][0] / 1000, out[1.0][0], rtol=1e-9)
        assert_allclose(out[1000.0][1] / 1000, out[1.0][1], rtol=1e-9)
        assert_allclose(out[1000.0][2] + np.log(1000), out[1.0][2], rtol=1e-9, atol=1e-9)


def test_guard_compare_scores_classifiers_by_sklearns_metrics_on_its_folds():
    # compare()'s accuracy, log-loss and one-vs-rest ROC AUC are scikit-learn's
    # metrics of a clone fitted on each of its shuffled stratified folds.
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.naive_bayes import GaussianNB

    from skmoe import EnsembleClassifier, compare
    X, labels = _iris_labels()
    estimators = {"lr": LogisticRegression(C=0.05, max_iter=500),
                  "ens": EnsembleClassifier([("lr", LogisticRegression(C=0.05, max_iter=500)),
                                             ("nb", GaussianNB())])}
    metrics = ["accuracy", "neg_log_loss", "roc_auc_ovr"]
    result = compare(estimators, X, labels, cv=3, scoring=metrics, random_state=4)
    folds = StratifiedKFold(3, shuffle=True, random_state=4).split(X, labels)
    for j, (train, test) in enumerate(folds):
        for name, estimator in estimators.items():
            model = clone(estimator).fit(X[train], labels[train])
            proba = model.predict_proba(X[test])
            expected = [accuracy_score(labels[test], model.predict(X[test])),
                        -log_loss(labels[test], proba),
                        roc_auc_score(labels[test], proba, multi_class="ovr")]
            assert_allclose([result.scores[name][m][j] for m in metrics], expected,
                            rtol=1e-12)
