"""Experts that misbehave or are unusual, third round: a
RadiusNeighborsClassifier's ``outlier_label`` (a label of y), a
``class_weight`` or ``constant`` inside a OneVsRestClassifier (labels of
its own), experts whose fit takes ``sample_weight`` without using it, under
EM and in the hierarchical mixture, and a CategoricalNB that meets a
category its fold lacks.

Probed (no defect found unless a test below names it), across the stacked
gate, ``training="em"`` with and without ``cv=None``, ``top_k=1``, the
ensembles (mean and greedy) and the hierarchical mixture: ``SVR``, ``SVC``
with ``probability=True``, ``NuSVC``, Gaussian processes (regressor and
classifier), ``QuantileRegressor``, ``IsotonicRegression`` on one feature,
``DummyRegressor``/``DummyClassifier`` (mean, median, prior, stratified;
``constant`` re-keyed already), ``TransformedTargetRegressor`` (one whose
inverse gives NaN is refused naming the expert), ``CalibratedClassifierCV``
(around a model without ``sample_weight`` EM's weights reach only its
calibration, as scikit-learn warns; a resample instead was no better on
held-out log-loss, so it is left), ``OneVsRestClassifier``,
``LabelSpreading``, Theil-Sen, Huber, RANSAC, ARD, Bayesian ridge, kernel
ridge, PLS, LinearSVR, Lars, OMP, Poisson GLM, AdaBoost and MLP regressors,
LDA, GaussianNB, MLP, ExtraTrees and AdaBoost classifiers, LightGBM of
``objective="quantile"`` and ``"poisson"`` (a negative y refused naming it),
HistGradientBoosting with ``categorical_features="from_dtype"`` on a pandas
category column, a ``Pipeline`` of ``ColumnTransformer`` and
``OneHotEncoder(handle_unknown="ignore")`` where a category has two rows,
skmoe's torch MLPs and RuleExperts (regression and classification).
Refused naming the expert: ``MultiOutputRegressor`` on one target,
``SVC(probability=False)``, ``SGDClassifier(loss="hinge")`` and
``Perceptron`` (no predict_proba, with the calibration hint),
``KNeighbors*(metric="precomputed")`` (with the pairwise message where rows
are subset), ``RadiusNeighbors*`` whose held-out rows have no neighbour
(NaN, or scikit-learn's "No neighbors found"), QDA on a class of three rows,
MultinomialNB on negative X, and a FrozenEstimator fitted on three features
or other column names. Probabilities of experts fitted without a class (a
fold, or ``refit_experts=False``'s average of fold fits) are placed by
``classes_`` for torch MLPs, LabelSpreading, Gaussian processes,
one-vs-rest, calibrated, LightGBM, HistGradientBoosting and bagging
classifiers. In :class:`~skmoe.HeterogeneousMultiGateMixtureOfExperts`:
Gaussian processes, ``PLSRegression``, forests, k-NN,
``MultiOutputRegressor(SVR())`` and ``DummyRegressor`` serve, with
``sample_weight`` too; single-output regressors are refused with the
``MultiOutputRegressor`` hint.

Each test fails without the fix it names (but those said to be guards).
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import RadiusNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmoe import (EnsembleClassifier, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)


# --------------------------- parameters whose value is (or is not) a label of y
def _three_classes(labels):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    return X, np.asarray(labels)[np.digitize(X[:, 0], [-0.5, 0.5])]


@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsClassifier([("x", e), ("lr", LogisticRegression())],
                                         random_state=0),
    lambda e: MixtureOfExpertsClassifier([("x", e), ("lr", LogisticRegression())],
                                         training="em", cv=None, max_iter=2, random_state=0),
    lambda e: EnsembleClassifier([("x", e), ("lr", LogisticRegression())],
                                 weights=[1.0, 0.0]),
    lambda e: HierarchicalMixtureClassifier([("x", e), ("lr", LogisticRegression())],
                                            branching=2, max_iter=2, random_state=0),
], ids=["stacked", "em", "ensemble", "hme"])
@pytest.mark.parametrize("labels", [[1, 2, 3], ["a", "b", "c"]], ids=["ints", "strings"])
def test_a_radius_classifier_gives_its_outliers_the_label_it_names(make, labels):
    # Fix in _base.encode_outlier_labels: the experts learn the codes 0 .. 2,
    # so outlier_label=1 of the labels 1, 2, 3 gave the rows without a
    # neighbour the label 2 (code 1), silently; outlier_label="a" of the
    # labels "a", "b", "c" failed ("The dtype of outlier_label a is
    # inconsistent with classes [0 1 2] in y").
    X, y = _three_classes(labels)
    radius = make_pipeline(StandardScaler(), RadiusNeighborsClassifier(
        radius=0.5, outlier_label=labels[0]))
    model = make(radius).fit(X, y)
    far = X[:3] + 100.0                          # no training row within the radius
    np.testing.assert_allclose(model.predict_experts(far)[:, 0],
                               np.tile([1.0, 0.0, 0.0], (3, 1)))
    assert radius[-1].outlier_label == labels[0]    # the caller's expert is left as it was


def test_an_outlier_label_that_is_no_label_of_y_is_refused_naming_the_expert():
    # (The same fix: its rows without a neighbour got no probability anywhere,
    # refused at predict as rows that do not sum to one, or at fit as above.)
    X, y = _three_classes([1, 2, 3])
    radius = make_pipeline(StandardScaler(), RadiusNeighborsClassifier(outlier_label="z"))
    with pytest.raises(ValueError, match=r"Expert 'x': radiusneighborsclassifier__"
                                         r"outlier_label='z' is not a label of y \(the "
                                         r"labels are \[1, 2, 3\]\); give one of them or "
                                         "'most_frequent'"):
        EnsembleClassifier([("x", radius), ("lr", LogisticRegression())]).fit(X, y)


def test_guard_an_outlier_label_of_most_frequent_stays_as_given():
    X, y = _three_classes([1, 2, 3])
    model = EnsembleClassifier([
        ("lr", LogisticRegression()),
        ("radius", RadiusNeighborsClassifier(radius=0.5, outlier_label="most_frequent")),
    ]).fit(X, y)
    assert model.named_experts_["radius"].outlier_label == "most_frequent"


def test_a_class_weight_inside_one_vs_rest_weighs_its_positives():
    # Fix in _base.encode_class_weights: a one-vs-rest's models learn 0/1,
    # so its LogisticRegression's class_weight={1: 5} weighs the positives
    # of each class; it was re-keyed as y's label 1 (to {0: 5}) and weighed
    # the negatives: probabilities 0.34 off scikit-learn's own.
    X, y = _three_classes([1, 2, 3])
    ovr = OneVsRestClassifier(LogisticRegression(class_weight={1: 5}))
    model = EnsembleClassifier([("ovr", ovr), ("lr", LogisticRegression())],
                               weights=[1.0, 0.0]).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), clone(ovr).fit(X, y).predict_proba(X),
                               atol=1e-12)


def test_a_constant_inside_one_vs_rest_stays_its_binary_label():
    # Fix in _base.encode_constant_labels (_learns_labels_of_its_own): its
    # DummyClassifier's constant=1 ("yes, this class") was re-keyed as y's
    # label 1 (to 0, "no") for every class.
    X, y = _three_classes([1, 2, 3])
    ovr = OneVsRestClassifier(DummyClassifier(strategy="constant", constant=1))
    model = EnsembleClassifier([("ovr", ovr), ("lr", LogisticRegression())],
                               weights=[1.0, 0.0]).fit(X, y)
    assert model.named_experts_["ovr"].estimator.constant == 1
    np.testing.assert_allclose(model.predict_proba(X), clone(ovr).fit(X, y).predict_proba(X))


# --------------------------------- an expert whose fit drops its sample_weight
class _DropsWeights(LinearRegression):
    """Takes sample_weight, as a wrapper may, and fits without it."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(X, y)


def _v_shape():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(200, 1))
    return X, 3 * np.abs(X[:, 0]) + 0.1 * rng.normal(size=200)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                      training="em", max_iter=5, random_state=0),
    lambda: MixtureOfExpertsRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                      training="em", cv=None, max_iter=5, random_state=0),
    lambda: HierarchicalMixtureRegressor([("a", _DropsWeights()), ("b", _DropsWeights())],
                                         branching=2, max_iter=5, random_state=0),
], ids=["cross-fitted", "exact", "hme"])
def test_em_says_when_its_experts_ignore_their_weights(make):
    # Fix in _em.warn_if_weights_ignored: two copies of it are the same model
    # for every responsibility, so EM cannot split the V between them; the
    # mixture scored R^2 0.0 (two LinearRegression copies: 0.99), the
    # hierarchical one 0.28 (0.997), without a word.
    X, y = _v_shape()
    with pytest.warns(UserWarning, match=r"Experts \['a', 'b'\] were refitted with "
                                         r"different weights .* predict the same on every "
                                         r"row, as if their fit ignored sample_weight") as rec:
        make().fit(X, y)
    # (Once per fit, not once per iteration.)
    assert sum("predict the same" in str(w.message) for w in rec) == 1


def test_guard_experts_that_use_their_weights_are_not_warned_of():
    # Guard: copies that use their weights specialise, and nothing is said.
    import warnings
    X, y = _v_shape()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Experts .* predict the same")
        model = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                          max_iter=5, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9


# ------------------------------------- CategoricalNB and a category of one row
def _one_rare_category():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(60, 2))
    X[0, 0] = 4                                  # held out of one fold's training rows
    return X, (X[:, 1] > 1).astype(int)


@pytest.mark.parametrize("fit", [
    lambda nb, X, y: MixtureOfExpertsClassifier([("nb", nb), ("lr", LogisticRegression())],
                                                random_state=0).fit(X, y),
    lambda nb, X, y: EnsembleClassifier([("nb", nb), ("lr", LogisticRegression())],
                                        weights="greedy", random_state=0).fit(X, y),
    lambda nb, X, y: compare({"nb": nb}, X, y, cv=3),
], ids=["mixture", "greedy", "compare"])
def test_categorical_nb_meeting_a_category_its_fold_lacks_is_told_of_min_categories(fit):
    # Fix in _base.unknown_category_hint: its predict_proba on the held-out
    # row of category 4 said only numpy's "index 4 is out of bounds for axis 1
    # with size 4" (the mixtures added "if the error is about too few rows,
    # pass more folds").
    from sklearn.naive_bayes import CategoricalNB
    X, y = _one_rare_category()
    with pytest.raises(IndexError, match=r"CategoricalNB met a category above those of the "
                                         r"rows it was fitted on.*set its min_categories"):
        fit(CategoricalNB(), X, y)
    fit(CategoricalNB(min_categories=5), X, y)   # as the hint says: it then serves
