"""Bad input, round 3: experts that write into the y or sample_weight they are
given, and ``cv`` given as explicit splits that are not splits of the rows.

Each test fails without the fix it names (the last one guards the fix: the
read-only y and weights must still reach LightGBM and the torch experts).
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, compare)
# The expert that centres the y it is given in place (the ensembles' test of it).
from test_sweep_inputs_more import _CentresY

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

_READ_ONLY = r"read-only.*y or sample_weight"


class _FlipsLabels(ClassifierMixin, BaseEstimator):
    """Fits, then sets the labels it was given to 0 in place."""

    def fit(self, X, y, sample_weight=None):
        self.lr_ = LogisticRegression().fit(X, y)
        self.classes_ = self.lr_.classes_
        y[:] = 0
        return self

    def predict(self, X):
        return self.lr_.predict(X)

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)


class _OnesWeights(RegressorMixin, BaseEstimator):
    """Sets the sample_weight it is given to ones in place."""

    def fit(self, X, y, sample_weight=None):
        self.ridge_ = Ridge().fit(X, y, sample_weight=sample_weight)
        if sample_weight is not None:
            sample_weight[:] = 1.0
        return self

    def predict(self, X):
        return self.ridge_.predict(X)


def _regression():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    return X, X @ [1.0, 2.0, 0.0] + 5.0 + 0.1 * rng.randn(200)


def _classification():
    X, _ = _regression()
    return X, (X[:, 0] > 0).astype(int)


# ------------------------------------------- 1. experts writing into y / weights
_REGRESSORS = {
    "moe cv=None": lambda: MixtureOfExpertsRegressor(
        [("c", _CentresY()), ("ridge", Ridge())], cv=None, random_state=0),
    "moe em": lambda: MixtureOfExpertsRegressor(
        [("c", _CentresY()), ("ridge", Ridge())], training="em", max_iter=3,
        random_state=0),
    "moe stacked": lambda: MixtureOfExpertsRegressor(
        [("c", _CentresY()), ("ridge", Ridge())], random_state=0),
    "hme": lambda: HierarchicalMixtureRegressor(
        _CentresY(), branching=(2,), max_iter=3, random_state=0),
    "hetero mmoe": lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("c", _CentresY()), ("ridge", Ridge())], max_iter=20, random_state=0),
}


@pytest.mark.parametrize("kind", list(_REGRESSORS))
def test_an_expert_that_centres_its_y_is_refused_by_every_mixture(kind):
    # Only EnsembleRegressor(weights=None) handed y over read-only: in the
    # mixtures every expert shared one writable y, and a Ridge beside an
    # expert that centred it learnt intercept 0.02 instead of 5 (predictions
    # [2.56 5.95 0.67] for [7.41 11.02 5.55]), with no error.
    X, y = _regression()
    before = y.copy()
    name = "leaf0" if kind == "hme" else "c"
    with pytest.raises(ValueError, match=rf"Expert '{name}' \(_CentresY\).*{_READ_ONLY}"):
        _REGRESSORS[kind]().fit(X, y)
    assert_allclose(y, before)


_CLASSIFIERS = {
    "ensemble": lambda: EnsembleClassifier(
        [("flip", _FlipsLabels()), ("tree", DecisionTreeClassifier(random_state=0))]),
    "moe em": lambda: MixtureOfExpertsClassifier(
        [("flip", _FlipsLabels()), ("tree", DecisionTreeClassifier(random_state=0))],
        training="em", max_iter=3, random_state=0),
    "moe stacked": lambda: MixtureOfExpertsClassifier(
        [("flip", _FlipsLabels()), ("tree", DecisionTreeClassifier(random_state=0))],
        random_state=0),
    "hme": lambda: HierarchicalMixtureClassifier(
        _FlipsLabels(), branching=(2,), max_iter=3, random_state=0),
}


@pytest.mark.parametrize("kind", list(_CLASSIFIERS))
def test_an_expert_that_relabels_its_y_is_refused_by_every_classifier(kind):
    # The encoded labels were a new, writable array: the tree fitted after the
    # expert that zeroed them learnt classes_ [0] (accuracy 0.495; alone 1.0),
    # or a later fold fit failed blaming "a class with very few rows".
    X, y = _classification()
    name = "leaf0" if kind == "hme" else "flip"
    with pytest.raises(ValueError, match=rf"Expert '{name}' \(_FlipsLabels\).*{_READ_ONLY}"):
        _CLASSIFIERS[kind]().fit(X, y)


def test_an_expert_that_rewrites_its_weights_is_refused_by_the_greedy_ensemble():
    # Rows of zero weight left out: the kept weights were a new, writable
    # array, handed as it was to every expert and to the selection.
    X, y = _regression()
    weight = np.where(np.arange(len(y)) % 5 == 0, 0.0, 1.0 + np.arange(len(y)) % 3)
    model = EnsembleRegressor([("ones", _OnesWeights()), ("ridge", Ridge())],
                              weights="greedy", cv=3)
    with pytest.raises(ValueError, match=rf"Expert 'ones' \(_OnesWeights\).*{_READ_ONLY}"):
        model.fit(X, y, sample_weight=weight)


def test_read_only_y_and_weights_still_reach_lightgbm_and_torch_experts():
    # They copy what they change; the torch trainers copy the read-only arrays
    # they turn into tensors (torch warns about sharing read-only memory).
    lightgbm = pytest.importorskip("lightgbm")
    pytest.importorskip("torch")
    from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor
    X, y = _regression()
    weight = 1.0 + np.arange(len(y)) % 3
    experts = [("lgbm", lightgbm.LGBMRegressor(n_estimators=20, verbose=-1)),
               ("mlp", TorchMLPRegressor(hidden_layer_sizes=(8,), max_epochs=5,
                                         random_state=0))]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*not writable")
        for training, options in (("em", {"max_iter": 2}), ("auto", {}),
                                  ("gradient", {"max_epochs": 5})):
            model = MixtureOfExpertsRegressor(experts, training=training, cv=2,
                                              random_state=0, **options)
            model.fit(X, y, sample_weight=weight)
            assert np.all(np.isfinite(model.predict(X)))
        # (The joint trainer turned a classifier's read-only labels into a tensor.)
        X, y = _classification()
        model = MixtureOfExpertsClassifier(
            [("mlp", TorchMLPClassifier(hidden_layer_sizes=(8,), max_epochs=5,
                                        random_state=0)),
             ("mlp2", TorchMLPClassifier(hidden_layer_sizes=(4,), max_epochs=5,
                                         random_state=1))],
            training="gradient", cv=2, max_epochs=5, random_state=0)
        assert model.fit(X, y, sample_weight=weight).score(X, y) > 0.5


# -------------------------------------------------------- 2. cv as explicit splits
_N = 120
_IDX = np.arange(_N)


class _Counted(RegressorMixin, BaseEstimator):
    """A Ridge that counts its fits (on the class: clones share the count)."""

    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        self.ridge_ = Ridge().fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X):
        return self.ridge_.predict(X)


def _halves(first_train=None, first_test=None):
    train = _IDX[60:] if first_train is None else first_train
    test = _IDX[:60] if first_test is None else first_test
    return [(train, test), (_IDX[:60], _IDX[60:])]


# cv -> the error that names it (the first split is the one at fault).
_BAD_SPLITS = {
    "no splits": ([], r"cv=\[\] gave no splits"),
    "used-up iterator": (iter([]), r"cv=<list_iterator.*> gave no splits"),
    # -120 is row 0, which is in the same split's test rows: a silent leak.
    "negative train index": (_halves(np.r_[_IDX[60:], -120]),
                             r"Split 1 of 2 in cv holds indices other than the row numbers "
                             r"0 \.\. 119 in its train part"),
    "negative test index": (_halves(first_test=_IDX[:60] - _N),
                            r"Split 1 of 2 in cv holds indices other than the row numbers "
                            r"0 \.\. 119 in its test part"),
    "train index past the end": (_halves(_IDX[60:] + 1000),
                                 r"Split 1 of 2 in cv holds indices other than the row numbers "
                                 r"0 \.\. 119 in its train part"),
    "float indices": (_halves(_IDX[60:].astype(float)),
                      r"Split 1 of 2 in cv holds indices other than the row numbers"),
    "boolean mask": (_halves(_IDX >= 60), r"Split 1 of 2 in cv .*a boolean mask\?"),
    "empty train part": ([(np.array([], dtype=int), _IDX)],
                         r"Split 1 of 1 in cv has an empty train part"),
    "row in train and test": (_halves(np.r_[_IDX[60:], 5]),
                              r"Split 1 of 2 in cv has 1 rows in both its train and test parts "
                              r"\(row 5 first\)"),
}

_ESTIMATORS = {
    "moe": lambda cv: MixtureOfExpertsRegressor(
        [("r", _Counted()), ("t", DecisionTreeRegressor(max_depth=3))], cv=cv,
        random_state=0, max_epochs=5),
    "moe em": lambda cv: MixtureOfExpertsRegressor(
        [("r", _Counted()), ("t", DecisionTreeRegressor(max_depth=3))], cv=cv,
        training="em", max_iter=2, random_state=0),
    "ensemble greedy": lambda cv: EnsembleRegressor(
        [("r", _Counted()), ("t", DecisionTreeRegressor(max_depth=3))], weights="greedy",
        cv=cv),
    "hetero mmoe": lambda cv: HeterogeneousMultiGateMixtureOfExperts(
        [("r", _Counted()), ("t", DecisionTreeRegressor(max_depth=3))], cv=cv, max_iter=5,
        random_state=0),
}


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(_N, 3)
    return X, X[:, 0] + 0.1 * rng.randn(_N)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "zero weights"])
@pytest.mark.parametrize("kind", list(_ESTIMATORS))
@pytest.mark.parametrize("case", list(_BAD_SPLITS))
def test_bad_explicit_splits_are_refused_before_any_expert_is_fitted(case, kind, weighted):
    # The estimators took splits as they came: a negative train index fitted
    # silently (row 0 trained the fit that gave its "out-of-fold" prediction),
    # [] or a used-up iterator was numpy's "need at least one array to
    # concatenate", an index past the end an IndexError blamed on expert 'r'.
    # With rows of zero weight, the splits were renumbered first (a negative
    # index taken as a row from the end, one past the end dropped).
    cv, message = _BAD_SPLITS[case]
    if case == "used-up iterator":
        cv = iter([])
    X, y = _data()
    weight = np.where(_IDX == 7, 0.0, 1.0) if weighted else None
    _Counted.fits = 0
    with pytest.raises(ValueError, match=message):
        _ESTIMATORS[kind](cv).fit(X, y, sample_weight=weight)
    assert _Counted.fits == 0


def test_a_generator_of_splits_refitted_says_it_is_used_up():
    # The second fit of the same object (after set_params, say) got numpy's
    # "need at least one array to concatenate".
    X, y = _data()
    model = _ESTIMATORS["moe"](((a, b) for a, b in _halves()))
    model.fit(X, y)
    with pytest.raises(ValueError, match=r"cv=<generator.*> gave no splits \(an iterator "
                                         r"used up by an earlier fit\?"):
        model.fit(X, y)


def test_good_explicit_splits_still_fit_and_zero_weights_renumber_them():
    # The check must pass good splits (lists, too) and leave the renumbering
    # of rows of zero weight as it was: the same model as on the kept rows.
    X, y = _data()
    weight = np.where(_IDX % 4 == 0, 0.0, 1.0)
    kept = np.flatnonzero(weight > 0)
    position = np.full(_N, -1)
    position[kept] = np.arange(len(kept))
    given = [(list(train), list(test)) for train, test in _halves()]
    renumbered = [(position[train][position[train] >= 0], position[test][position[test] >= 0])
                  for train, test in _halves()]
    # (The multi-task mixture did not renumber them: "cv must put every row in
    # exactly one test fold".)
    for make in (_ESTIMATORS["moe"], _ESTIMATORS["ensemble greedy"],
                 _ESTIMATORS["hetero mmoe"]):
        weighted = make(given).fit(X, y, sample_weight=weight)
        dropped = make(renumbered).fit(X[kept], y[kept])
        assert_allclose(weighted.predict(X), dropped.predict(X), rtol=1e-9, atol=1e-9)


def test_compare_checks_splits_with_the_estimators_helper():
    # compare() refused out-of-range indices already, by a check of its own;
    # it now shares the estimators' (crossfit.check_splits), which also refuses
    # an empty training part and a row in both parts of a split.
    from skmoe._crossfit import check_splits
    X, y = _data()
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=2)}
    with pytest.raises(ValueError, match=r"Split 1 of 1 in cv has an empty train part"):
        compare(models, X, y, cv=[(np.array([], dtype=int), _IDX)])
    with pytest.raises(ValueError, match=r"Split 2 of 2 in cv has 60 rows in both its train and "
                                         r"test parts"):
        compare(models, X, y, cv=[_halves()[0], (_IDX, _IDX[60:])])
    splits = check_splits([([2, 3], [0, 1]), ([0, 1], [2, 3])], 4, "cv")
    assert [[p.tolist() for p in s] for s in splits] == [[[2, 3], [0, 1]], [[0, 1], [2, 3]]]
