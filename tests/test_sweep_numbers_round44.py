"""Wrong-number sweep, round 44: what the docs promise about ``sample_weight``
and the classifiers' labels, recomputed by hand (numpy, scikit-learn) for the
default stacked mixtures, EM (cross-fitted and exact), top-k, the
hierarchical mixtures and the ensembles (mean and ``weights="greedy"``).

Found (the docs fixed, each with its test below):

* the user guide said weights times 1,000 "fit the same model"; they fit it
  to rounding only: rescaled to mean one, ``w * 1000`` and ``w`` are up to an
  ulp apart (4.4e-16), and EM's iterations turned that into predictions
  1.5e-4 apart (EM's default fit of ``Ridge`` and a depth-3 tree, a target
  spanning 42), where weights times 1,024 (a power of two) fit the same
  model to the last bit. The guide (and ``check_relative_sample_weight``'s
  docstring) now say so; the code cannot do better, since ``w * 1000`` is
  itself rounded;
* the guide promised integer weights as repeated rows for exact EM from the
  uniform start "with experts whose fit has no penalty", without a word of
  the experts whose fit counts rows, not weights: ``GaussianNB`` smooths its
  variances by 1e-9 of X's largest variance over the rows, and EM turned
  that into probabilities 0.0099 apart (the gate 0.024) on iris with a
  depth-2 tree and weights 1-3 (9e-14 with ``var_smoothing=0``). The guide
  now names it, and the gate's optimiser tolerance (the regressor's
  predictions below: 8e-12 apart after 5 iterations, 1.0e-6 after 20).

Recomputed and found right (the ``test_guard_*`` tests pin them):

* integer weights against the repeated rows: exact EM from the uniform
  start with ``LinearRegression``, its quadratic pipeline and a tree
  (predictions 8e-12 apart after 5 iterations, 1.0e-6 after 20; in the
  test above), ``class_prior_``'s ``n`` the count of the repeated rows; the
  plain ensembles, whose experts get the weights as given (predictions
  1.4e-14 apart, the same labels soft and hard), and the greedy ensemble's
  ``class_prior_`` (whatever its folds);
* rows of weight zero against the fit without them (classifiers with text
  labels, every trainer and the greedy ensemble: the same probabilities to
  the last bit);
* ``class_prior_``'s ``n`` (the weights' sum over the smallest) and the
  probabilities for weights times 1e-300 and 1e300 (every mixture: the
  same to the last bit here);
* ``predict_proba``'s columns against ``classes_`` for classes renamed so
  that their order changes (reversed, rotated), with experts whose fits do
  not depend on the class order (within 4e-15), and for labels that are
  negative int8, nullable ``Int64`` (float classes, as scikit-learn's),
  ``string`` dtype, mixed-case text, bools and pandas Categoricals whose
  categories are not sorted (``classes_`` sorted by value, as
  scikit-learn's); ``predict`` is ``classes_[argmax]`` and ``score`` the
  weighted ``accuracy_score``;
* ``predict_gate`` times ``predict_experts`` against ``predict`` (EM, exact
  EM, top-1, top-2, top-2 EM, hierarchical; within 1e-12) and ``score``
  against ``r2_score`` with the same weights; for the classifiers with the
  routed floor (1e-6, renormalised) and ``class_prior_`` mixed in (within
  8e-16); the ensembles' ``weights_`` times ``predict_experts`` (greedy:
  with ``class_prior_``);
* also, not pinned here: zero weights for the regressors (every trainer,
  the greedy ensemble; also with folds given as splits, renumbered: the
  same predictions to the last bit); ``score`` for float32 y, pandas
  Series and no weights (exact); the stacked gate's ``predict`` as
  ``combiner_``'s blend of the mixture (``mixture_share`` 0.02 in the
  cases tried) with its heads, as ``predict_gate``'s docstring says;
  ``predict(return_std=True)`` and ``log_likelihood_samples`` (round 41
  integrates them); and a row of weight 1e-12 whose target is 1e5, which
  moves the stacked regressor's noise variance of an expert that the gate
  all but ignores from 62.5 to 6717 -- linearly in the weight (1e-15:
  69.2): the maximum-likelihood variance of an expert whose total
  responsibility is about 1.5e-6, not a row counted unweighted.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from skmoe.datasets import make_regimes

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "user_guide.rst"


def _quietly(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the short fits
        return model.fit(X, y, sample_weight=sample_weight)


def _iris():
    X, y = load_iris(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(y))
    return X[order], y[order]


# Experts whose fits do not depend on the order of the classes.
_ORDER_FREE = [("lda", LinearDiscriminantAnalysis()), ("nb", GaussianNB())]
_CLASSIFIERS = {
    "stacked": lambda: MixtureOfExpertsClassifier(_ORDER_FREE, random_state=0),
    "em": lambda: MixtureOfExpertsClassifier(_ORDER_FREE, training="em", random_state=0),
    "top1": lambda: MixtureOfExpertsClassifier(_ORDER_FREE, top_k=1, max_epochs=5,
                                               random_state=0),
    "hme": lambda: HierarchicalMixtureClassifier(GaussianNB(), max_iter=5, random_state=0),
    "greedy": lambda: EnsembleClassifier(_ORDER_FREE, weights="greedy", random_state=0),
}


def test_em_weights_times_1000_fit_to_rounding_and_the_guide_says_so():
    # The guide read "weights times 1,000 fit the same model". Rescaled to
    # mean one, w * 1000 is an ulp from w, and EM amplifies it; times 1,024
    # the rescaled weights, and so the fit, are the same to the last bit.
    X, y = make_regimes(n_samples=120, random_state=0)
    rng = np.random.RandomState(1)
    rng.randint(1, 4, len(y)), rng.rand(len(y))
    w = rng.rand(len(y)) + 0.1
    experts = [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3, random_state=0))]

    def em(weight):
        return _quietly(MixtureOfExpertsRegressor(experts, training="em", random_state=0),
                        X, y, weight).predict(X)

    reference = em(w)
    assert_array_equal(em(w * 1024.0), reference)
    apart = np.abs(em(w * 1000.0) - reference).max()
    assert 1e-6 < apart < 1e-3      # 1.5e-4 measured: rounding, amplified
    guide = " ".join(GUIDE.read_text().split())
    assert ("weights times a power of two fit the same model to the last bit, and weights "
            "times 1,000 the same model to rounding") in guide


def test_exact_em_integer_weights_are_repeated_rows_where_the_guide_now_says():
    # The guide: integer weights are repetitions "only for exact EM, cv=None,
    # from the uniform start, with experts whose fit has no penalty" -- and
    # whose fit weighs rows as repetitions, and to the gate's tolerance.
    X, y = make_regimes(n_samples=120, random_state=0)
    count = np.random.RandomState(1).randint(1, 4, len(y))
    experts = [("line", LinearRegression()),
               ("quad", make_pipeline(PolynomialFeatures(2), LinearRegression())),
               ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]

    def exact(X_fit, y_fit, weight=None):
        return _quietly(MixtureOfExpertsRegressor(experts, training="em", cv=None,
                                                  init_params="uniform", max_iter=5,
                                                  random_state=0),
                        X_fit, y_fit, weight)

    weighted = exact(X, y, count.astype(float))
    repeated = exact(np.repeat(X, count, 0), np.repeat(y, count))
    # 8e-12 apart (1.0e-6 after EM's default 20 iterations: the gate's tolerance).
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=1e-9)
    assert_allclose(weighted.noise_variance_, repeated.noise_variance_, rtol=1e-9)

    Xc, yc = _iris()
    count = np.random.RandomState(2).randint(1, 4, len(yc))
    apart = []
    for smoothing in (1e-9, 0.0):   # GaussianNB's default, and none
        classifiers = [("nb", GaussianNB(var_smoothing=smoothing)),
                       ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
        fits = [_quietly(MixtureOfExpertsClassifier(classifiers, training="em", cv=None,
                                                    init_params="uniform", random_state=0),
                         *data)
                for data in ((Xc, yc, count.astype(float)),
                             (np.repeat(Xc, count, 0), np.repeat(yc, count)))]
        apart.append(np.abs(fits[0].predict_proba(Xc) - fits[1].predict_proba(Xc)).max())
        # n: the weights' sum over the smallest, the count of the repeated rows.
        assert fits[0].class_prior_[0] == pytest.approx(1.0 / count.sum() ** 2, rel=1e-12)
        assert fits[0].class_prior_[0] == pytest.approx(fits[1].class_prior_[0], rel=1e-12)
    # GaussianNB's smoothing is 1e-9 of X's largest variance over the rows,
    # not the weights: EM made it 0.0099 (the gate 0.024); without it 9e-14.
    assert 1e-3 < apart[0] < 0.05
    assert apart[1] < 1e-10
    guide = " ".join(GUIDE.read_text().split())
    assert ("``LinearRegression``, and there to the gate's optimiser tolerance (not "
            "``GaussianNB``, whose variance smoothing") in guide


def test_guard_plain_ensembles_integer_weights_are_the_repeated_rows():
    # The ensembles pass the weights as given: integer weights are repeated
    # rows wherever the experts' own fits make them so (and the greedy
    # ensemble's class_prior_ counts them so, whatever its folds).
    X, y = make_regimes(n_samples=150, random_state=0)
    count = np.random.RandomState(1).randint(1, 4, len(y))
    experts = [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3, random_state=0))]
    weighted = EnsembleRegressor(experts).fit(X, y, sample_weight=count.astype(float))
    repeated = EnsembleRegressor(experts).fit(np.repeat(X, count, 0), np.repeat(y, count))
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=1e-10)

    Xc, yc = _iris()
    count = np.random.RandomState(2).randint(1, 4, len(yc))
    experts = [("nb", GaussianNB()), ("t", DecisionTreeClassifier(max_depth=2, random_state=0))]
    for voting in ("soft", "hard"):
        weighted = EnsembleClassifier(experts, voting=voting).fit(
            Xc, yc, sample_weight=count.astype(float))
        repeated = EnsembleClassifier(experts, voting=voting).fit(
            np.repeat(Xc, count, 0), np.repeat(yc, count))
        assert_array_equal(weighted.predict(Xc), repeated.predict(Xc))
    greedy = [EnsembleClassifier(experts, weights="greedy", random_state=0).fit(*data)
              for data in ((Xc, yc, count.astype(float)),
                           (np.repeat(Xc, count, 0), np.repeat(yc, count)))]
    assert greedy[0].class_prior_[0] == pytest.approx(1.0 / count.sum() ** 2, rel=1e-12)
    assert_allclose(greedy[0].class_prior_[1], greedy[1].class_prior_[1], rtol=1e-12)
    assert_allclose(greedy[0].class_prior_[1], np.bincount(yc, weights=count) / count.sum(),
                    rtol=1e-12)


@pytest.mark.parametrize("name", list(_CLASSIFIERS))
def test_guard_classifier_rows_of_zero_weight_are_rows_left_out(name):
    # "A row of weight zero is a row left out": text labels, every trainer.
    X, y = _iris()
    labels = np.array(["virginica", "Setosa", "versicolor"])[y]
    w = np.random.RandomState(1).randint(0, 4, len(y)).astype(float)
    kept = w > 0
    make = _CLASSIFIERS[name]
    if name == "greedy":   # (the ensembles' experts must take the weights: not LDA)
        make = lambda: EnsembleClassifier(  # noqa: E731
            [("lr", LogisticRegression(max_iter=300)), ("nb", GaussianNB())],
            weights="greedy", random_state=0)
    with_zeros = _quietly(make(), X, labels, w)
    without = _quietly(make(), X[kept], labels[kept], w[kept])
    assert_array_equal(with_zeros.predict_proba(X), without.predict_proba(X))
    assert with_zeros.class_prior_[0] == without.class_prior_[0]


@pytest.mark.parametrize("name", ["stacked", "em", "top1", "hme"])
def test_guard_class_prior_and_probabilities_do_not_see_the_weights_scale(name):
    # Only relative weights matter, to the last bit for powers of ten too here
    # (n = the weights' sum over the smallest, 1e-300 to 1e300 times w).
    X, y = _iris()
    w = np.random.RandomState(1).randint(1, 4, len(y)).astype(float)
    reference = _quietly(_CLASSIFIERS[name](), X, y, w)
    assert reference.class_prior_[0] == pytest.approx(1.0 / w.sum() ** 2, rel=1e-12)
    for scale in (1e-300, 1e300):
        model = _quietly(_CLASSIFIERS[name](), X, y, w * scale)
        assert model.class_prior_[0] == reference.class_prior_[0]
        assert_allclose(model.predict_proba(X), reference.predict_proba(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", list(_CLASSIFIERS))
def test_guard_proba_columns_follow_classes_when_a_renaming_reorders_them(name):
    # Class k renamed to the letter perm[k]: column j of predict_proba is the
    # letter j, so the class with perm[k] == j, for experts that do not
    # depend on the classes' order.
    X, y = _iris()
    reference = _quietly(_CLASSIFIERS[name](), X, y).predict_proba(X)
    for perm in ((2, 1, 0), (1, 2, 0)):
        labels = np.array(["a", "b", "c"])[np.array(perm)[y]]
        model = _quietly(_CLASSIFIERS[name](), X, labels)
        assert_array_equal(model.classes_, ["a", "b", "c"])
        proba = model.predict_proba(X)
        assert_allclose(proba, reference[:, np.argsort(perm)], rtol=0, atol=1e-12)
        assert_array_equal(model.predict(X), model.classes_[np.argmax(proba, axis=1)])


_LABEL_KINDS = {
    "negative int8": lambda y: (-y).astype(np.int8),
    "nullable Int64": lambda y: pd.Series(10 * y - 7, dtype="Int64"),
    "string dtype": lambda y: pd.Series(np.array(["x", "Y", "z"])[y], dtype="string"),
    "mixed case": lambda y: np.array(["b", "B", "a"])[y],
    "unsorted categories": lambda y: pd.Series(pd.Categorical(
        np.array(["z", "a", "m"])[y], categories=["z", "m", "a"])),
    "bool": lambda y: y > 0,
}


@pytest.mark.parametrize("kind", list(_LABEL_KINDS))
def test_guard_classes_are_sorted_as_scikit_learns_and_columns_follow_them(kind):
    # classes_ as LogisticRegression's (sorted values; Int64 as float), each
    # column of predict_proba the class of classes_ at its position (against
    # the fit on the codes 0..C-1 of the same sorted classes), predict the
    # argmax's class and score the weighted accuracy.
    X, y = _iris()
    labels = _LABEL_KINDS[kind](y)
    values = np.asarray(labels)
    w = np.random.RandomState(1).randint(0, 3, len(y)).astype(float)
    expected = LogisticRegression(max_iter=5).fit(X, labels).classes_
    codes = np.searchsorted(expected, values)
    reference = _quietly(_CLASSIFIERS["em"](), X, codes).predict_proba(X)
    model = _quietly(_CLASSIFIERS["em"](), X, labels)
    assert_array_equal(model.classes_, expected)
    proba = model.predict_proba(X)
    assert_allclose(proba, reference, rtol=0, atol=1e-12)
    predicted = model.predict(X)
    assert_array_equal(predicted, model.classes_[np.argmax(proba, axis=1)])
    assert model.score(X, labels, sample_weight=w) == accuracy_score(values, predicted,
                                                                     sample_weight=w)


_TREES = [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3, random_state=0)),
          ("s", DecisionTreeRegressor(max_depth=1, random_state=0))]
_REGRESSORS = {
    "em": lambda: MixtureOfExpertsRegressor(_TREES, training="em", random_state=0),
    "exact em": lambda: MixtureOfExpertsRegressor(_TREES, training="em", cv=None,
                                                  random_state=0),
    "top1": lambda: MixtureOfExpertsRegressor(_TREES, top_k=1, max_epochs=5, random_state=0),
    "top2": lambda: MixtureOfExpertsRegressor(_TREES, top_k=2, max_epochs=5, random_state=0),
    "top2 em": lambda: MixtureOfExpertsRegressor(_TREES, top_k=2, training="em",
                                                 random_state=0),
    "hme": lambda: HierarchicalMixtureRegressor(Ridge(), max_iter=5, random_state=0),
}


@pytest.mark.parametrize("name", list(_REGRESSORS))
def test_guard_regressor_predict_is_the_gate_times_the_experts_and_score_is_r2(name):
    X, y = make_regimes(n_samples=200, random_state=0)
    w = np.random.RandomState(1).randint(0, 4, len(y)).astype(float)
    model = _quietly(_REGRESSORS[name](), X, y, w)
    predicted = model.predict(X)
    by_hand = (model.predict_gate(X) * model.predict_experts(X)).sum(axis=1)
    assert_allclose(predicted, by_hand, rtol=0, atol=1e-12)
    assert model.score(X, y, sample_weight=w) == pytest.approx(
        r2_score(y, predicted, sample_weight=w), rel=1e-15, abs=1e-15)


_THREE = [("lr", LogisticRegression(max_iter=300)),
          ("tree", DecisionTreeClassifier(max_depth=2, random_state=0)), ("nb", GaussianNB())]


@pytest.mark.parametrize("name, make", [
    ("em", lambda: MixtureOfExpertsClassifier(_THREE, training="em", random_state=0)),
    ("top1", lambda: MixtureOfExpertsClassifier(_THREE, top_k=1, max_epochs=5,
                                                random_state=0)),
    ("top2", lambda: MixtureOfExpertsClassifier(_THREE, top_k=2, max_epochs=5,
                                                random_state=0)),
    ("hme", lambda: HierarchicalMixtureClassifier(LogisticRegression(max_iter=300),
                                                  max_iter=5, random_state=0)),
], ids=["em", "top1", "top2", "hme"])
def test_guard_classifier_proba_is_the_gate_times_the_experts_floored_with_the_prior(
        name, make):
    # sum_i g_i p_i; routed (top-k of three): floored at 1e-6 and
    # renormalised; then (1 - s) p + s f with class_prior_ = (s, f).
    X, y = _iris()
    w = np.random.RandomState(3).randint(0, 3, len(y)).astype(float)
    model = _quietly(make(), X, y, w)
    mixed = np.einsum("nm,nmc->nc", model.predict_gate(X), model.predict_experts(X))
    if name.startswith("top"):
        mixed = np.maximum(mixed, 1e-6)
        mixed /= mixed.sum(axis=1, keepdims=True)
    share, frequencies = model.class_prior_
    kept = w > 0
    assert share == pytest.approx(1.0 / w[kept].sum() ** 2, rel=1e-12)
    assert_allclose(frequencies, np.bincount(y, weights=w) / w.sum(), rtol=1e-12)
    proba = model.predict_proba(X)
    assert_allclose(proba, (1 - share) * mixed + share * frequencies, rtol=0, atol=1e-14)
    assert model.score(X, y, sample_weight=w) == accuracy_score(
        y, model.classes_[np.argmax(proba, axis=1)], sample_weight=w)


def test_guard_ensembles_are_their_weights_times_their_experts():
    X, y = make_regimes(n_samples=150, random_state=0)
    w = np.random.RandomState(1).randint(0, 4, len(y)).astype(float)
    for model in (EnsembleRegressor(_TREES, weights=[1, 3, 0]),
                  EnsembleRegressor(_TREES, weights="greedy", random_state=0)):
        model.fit(X, y, sample_weight=w)
        assert_allclose(model.predict(X), model.predict_experts(X) @ model.weights_,
                        rtol=0, atol=1e-12)
        assert model.score(X, y, sample_weight=w) == pytest.approx(
            r2_score(y, model.predict(X), sample_weight=w), rel=1e-15, abs=1e-15)
    Xc, yc = _iris()
    for model in (EnsembleClassifier(_THREE, weights=[1, 3, 0]),
                  EnsembleClassifier(_THREE, weights="greedy", random_state=0)):
        _quietly(model, Xc, yc, w)
        average = np.einsum("nmc,m->nc", model.predict_experts(Xc), model.weights_)
        if model.class_prior_ is not None:
            share, frequencies = model.class_prior_
            average = (1 - share) * average + share * frequencies
        assert_allclose(model.predict_proba(Xc), average, rtol=0, atol=1e-14)

