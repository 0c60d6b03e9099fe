"""Experts that misbehave or are unusual, fourth round: a blank name in the
hierarchical mixture, a CalibratedClassifierCV of a frozen model fitted on
y's labels, an expert out of memory, a torch MLP subclass with outputs of
its own, and a FrozenEstimator given sample_weight (ensembles, compare()).

Probed (no defect found unless a test below names it), across the stacked
gate, the gradient trainer, ``training="em"`` with and without ``cv=None``,
``top_k=1``, the ensembles (mean, greedy, hard voting), the hierarchical and
the heterogeneous multi-gate mixtures: experts predicting NaN or inf at fit
or only at predict, shapes (n, 1), (n, k), (n - 1,), a scalar, text,
complex numbers, lists, sparse, polars, torch and np.matrix outputs,
probabilities as logits, transposed or one column short; experts writing
into X at fit or predict (the caller's X is never changed, nor another
expert's), raising in fit or predict (n_jobs=2 too), returning None or
another object from fit; classes_ of strings, floats, a list, a subset or
a superset of the codes; hard votes of NaN, floats, unknown or negative
labels; duplicate, dunder, blank, odd-character and parameter-clashing
names, the same instance twice, 'drop' with given weights; RuleExperts
returning (n, 1), lists, Series, frames, tensors, generators, masked
arrays, None; LightGBM on pandas categories (reordered or object at
predict), frozen torch experts under the gradient trainer (left unchanged)
and EM's dropped experts against named_experts_.

Each test fails without the fix it names (but those said to be guards).
"""

import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.preprocessing import LabelEncoder

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, TorchMLPClassifier, TorchMLPRegressor)
from skmoe.experts import is_differentiable_expert


# ------------------------------------------- a blank name in the hierarchical mixture
@pytest.mark.parametrize("name", ["", "  ", "a\nb"])
@pytest.mark.parametrize("make, y", [
    (lambda e: HierarchicalMixtureRegressor(e, branching=2, max_iter=2, random_state=0),
     np.arange(40.0)),
    (lambda e: HierarchicalMixtureClassifier(e, branching=2, max_iter=2, random_state=0),
     np.arange(40) % 2),
], ids=["regressor", "classifier"])
def test_the_hierarchical_mixture_refuses_a_blank_expert_name(make, y, name):
    # Fix in _hme._expert_list (_base.check_expert_name): the flat mixtures
    # and the ensembles refuse such a name, the hierarchical one took it: its
    # errors said "Expert ''", and get_params had a key '__C' or '__alpha'.
    X = np.random.RandomState(0).normal(size=(40, 2))
    expert = Ridge() if y.dtype.kind == "f" else LogisticRegression()
    model = make([(name, expert), ("b", expert)])
    with pytest.raises(ValueError, match=r"Expert names must be printable and not blank .*"
                                         f"got {re.escape(repr(name))}"):
        model.fit(X, y)


@pytest.mark.filterwarnings("ignore:EM did not converge")
def test_guard_the_hierarchical_mixture_takes_names_of_spaces_and_accents():
    X = np.random.RandomState(0).normal(size=(40, 2))
    model = HierarchicalMixtureRegressor([("my model", Ridge()), ("modèle", LinearRegression())],
                                         branching=2, max_iter=2, random_state=0)
    assert list(model.fit(X, X[:, 0]).named_experts_) == ["my model", "modèle"]


# ------------------------- a calibrator of a model fitted already on y's labels
def _three_labels(labels):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    return X, np.asarray(labels)[np.digitize(X[:, 0], [-0.5, 0.5])]


def _calibrated_frozen(X, y):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.naive_bayes import GaussianNB
    return CalibratedClassifierCV(FrozenEstimator(GaussianNB().fit(X, y)), method="sigmoid")


_CLASSIFIERS = [
    lambda e: EnsembleClassifier([("cal", e), ("lr", LogisticRegression())], weights=[1, 0]),
    lambda e: MixtureOfExpertsClassifier([("cal", e), ("lr", LogisticRegression())],
                                         random_state=0),
    lambda e: HierarchicalMixtureClassifier([("cal", e), ("lr", LogisticRegression())],
                                            branching=2, max_iter=2, random_state=0),
]


@pytest.mark.parametrize("make", _CLASSIFIERS, ids=["ensemble", "stacked", "hme"])
@pytest.mark.parametrize("labels, seen", [
    ([1, 2, 3], [1, 2, 3]), (["a", "b", "c"], ["a", "b", "c"]), ([-1, 0, 1], [0, 1]),
], ids=["ints", "strings", "codes-too"])
def test_a_calibrator_of_a_model_fitted_on_ys_labels_is_refused_naming_the_expert(
        make, labels, seen):
    # Fix in _base._check_fitted_classes (_calibrated_models): the experts
    # learn y's codes, and a CalibratedClassifierCV reads its frozen model's
    # classes_ as those codes. Labels 1, 2, 3 failed with scikit-learn's "y
    # contains previously unseen labels: [3]", labels 'a', 'b', 'c' with
    # "invalid literal for int()"; classes_ [0, 1] of y's labels -1, 0, 1 were
    # read as the codes of -1 and 0: the expert's probabilities were 1.0 off
    # those of the same calibrator fitted on y (accuracy 0.37), silently.
    X, y = _three_labels(labels)
    rows = np.isin(y, seen)
    expert = _calibrated_frozen(X[rows], y[rows])
    with pytest.raises(ValueError, match=re.escape(
            "Expert 'cal' (CalibratedClassifierCV) calibrates a model fitted already (its "
            f"estimator, a FrozenEstimator, has classes_ {seen} before the fit), which is "
            "not refitted; its classes_ are labels of y, but the calibrator places its "
            f"probability columns by classes_ read as y's classes {labels} encoded as 0 .. 2. "
            "Fit it on the codes")):
        make(expert).fit(X, y)


def test_guard_a_calibrator_of_a_model_fitted_on_the_codes_serves():
    # Guard: fitted on the codes (as the message says), it is taken, and the
    # ensemble gives the calibrator's own probabilities.
    X, y = _three_labels([1, 2, 3])
    codes = LabelEncoder().fit_transform(y)
    expert = _calibrated_frozen(X, codes)
    model = _CLASSIFIERS[0](expert).fit(X, y)
    np.testing.assert_allclose(model.predict_experts(X)[:, 0],
                               clone(expert).fit(X, codes).predict_proba(X), atol=1e-12)


# ----------------------------------------------------- an expert out of memory
class _OutOfMemory(LinearRegression):
    """Fails as numpy does when an array does not fit in memory."""

    fits = []

    def fit(self, X, y, sample_weight=None):
        type(self).fits.append(len(X))
        raise MemoryError("Unable to allocate 8.00 GiB for an array with shape (1073741824,)")


@pytest.mark.parametrize("make, rows_fitted", [
    (lambda e: MixtureOfExpertsRegressor([("big", e), ("lr", LinearRegression())],
                                         random_state=0), [48]),
    (lambda e: MixtureOfExpertsRegressor([("big", e), ("lr", LinearRegression())],
                                         training="em", max_iter=2, random_state=0), [30]),
    (lambda e: EnsembleRegressor([("big", e), ("lr", LinearRegression())]), [60]),
    (lambda e: HierarchicalMixtureRegressor([("big", e), ("lr", LinearRegression())],
                                            branching=2, max_iter=2, random_state=0), [60]),
], ids=["stacked", "em", "ensemble", "hme"])
def test_an_expert_out_of_memory_stays_a_memory_error_naming_it(make, rows_fitted):
    # Fix in _base.rebuilt_error: it became a ValueError ("Expert 'big'
    # (...) failed to fit: Unable to allocate ..."), which no `except
    # MemoryError` caught, and the cross-fitted mixtures took it for a
    # failure on the fold's rows: they fitted the expert again on all 60 rows
    # (fits of 48 then 60 rows) before raising.
    X = np.random.RandomState(0).normal(size=(60, 2))
    _OutOfMemory.fits = []
    with pytest.raises(MemoryError, match=r"^Expert 'big' \(_OutOfMemory\) failed to fit: "
                                          "Unable to allocate 8.00 GiB"):
        make(_OutOfMemory()).fit(X, X[:, 0])
    assert _OutOfMemory.fits == rows_fitted


# ------------------------------ a torch MLP subclass with outputs of its own
class _Clipped(TorchMLPRegressor):
    """Post-processes its network's predictions (a floor)."""

    calls = 0

    def predict(self, X):
        type(self).calls += 1
        return np.maximum(super().predict(X), 0.5)


class _Sharpened(TorchMLPClassifier):
    """Post-processes its network's probabilities."""

    calls = 0

    def predict_proba(self, X):
        type(self).calls += 1
        proba = super().predict_proba(X) ** 4
        return proba / proba.sum(axis=1, keepdims=True)


def _torch_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    return X, np.abs(X[:, 0])


_TORCH = dict(hidden_layer_sizes=(4,), max_epochs=3, random_state=0, device="cpu")


@pytest.mark.parametrize("Expert, Mixture, other, classify", [
    (_Clipped, MixtureOfExpertsRegressor, LinearRegression, False),
    (_Sharpened, MixtureOfExpertsClassifier, LogisticRegression, True),
], ids=["regressor", "classifier"])
def test_a_torch_subclass_with_its_own_outputs_predicts_with_them(Expert, Mixture, other,
                                                                  classify):
    # Fix in experts.is_differentiable_expert (read by the gradient trainer and
    # _device_predict.torch_expert_groups): such a subclass was trained as a
    # bare network and predicted from it in one batched pass, its predict or
    # predict_proba read by predict_experts only: the mixture's predictions
    # were 0.01 (probabilities 0.11) off the gate's blend of the experts' own,
    # silently. It is now fitted and predicted by its own methods.
    X, y = _torch_data()
    y = (y > 0.7).astype(int) if classify else y
    model = Mixture([("net", Expert(**_TORCH)), ("other", other())], training="gradient",
                    cv=2, refit_experts=True, max_epochs=2, device="cpu",
                    random_state=0).fit(X, y)
    Expert.calls = 0
    model.predict(X[:5])
    assert Expert.calls == 1
    assert not is_differentiable_expert(model.named_experts_["net"])


def test_guard_a_torch_subclass_of_the_same_outputs_still_trains_with_the_gate():
    class _Named(TorchMLPRegressor):
        pass

    X, y = _torch_data()
    assert is_differentiable_expert(_Named())
    model = MixtureOfExpertsRegressor([("net", _Named(**_TORCH)), ("lr", LinearRegression())],
                                      training="gradient", max_epochs=2, device="cpu",
                                      random_state=0).fit(X, y)
    blend = (model.predict_gate(X) * model.predict_experts(X)).sum(axis=1)
    np.testing.assert_allclose(model.predict(X), blend, atol=1e-12)


# ----------------------------------- a frozen expert in a weighted ensemble
@pytest.mark.parametrize("weights", [None, "greedy"])
@pytest.mark.parametrize("classify", [False, True], ids=["regressor", "classifier"])
def test_an_ensemble_fitted_with_weights_takes_a_frozen_expert(classify, weights):
    # Fix in _ensemble._fit: a FrozenEstimator (whose fit takes no
    # sample_weight) was refused, "Expert 'fz' (FrozenEstimator) does not
    # accept sample_weight; drop it from the ensemble or fit without
    # sample_weight", though it is not fitted again, with weights or without
    # (the mixtures take it).
    from sklearn.frozen import FrozenEstimator
    rng = np.random.RandomState(0)
    X, w = rng.normal(size=(60, 2)), rng.uniform(0.5, 2.0, size=60)
    y = (X[:, 0] > 0).astype(int) if classify else X[:, 0]
    Model, Other, Ensemble = ((LogisticRegression, LogisticRegression, EnsembleClassifier)
                              if classify else
                              (LinearRegression, Ridge, EnsembleRegressor))
    fitted = Model().fit(X, y)
    model = Ensemble([("fz", FrozenEstimator(fitted)), ("other", Other())],
                     weights=weights, random_state=0).fit(X, y, sample_weight=w)
    assert model.named_experts_["fz"].estimator is fitted
    other = model.named_experts_["other"]
    np.testing.assert_allclose(other.coef_, Other().fit(X, y, sample_weight=w).coef_)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_compare_takes_a_frozen_model(weighted):
    # Fix in _compare (the model check and _weight_fit_key): a FrozenEstimator
    # was refused, "Estimator 'fz' has no fit/predict" (its predict is the
    # model's, handed on from the instance, and compare looked on the class),
    # and with sample_weight as having "no sample_weight in its fit". It is
    # scored on every split as it was fitted, with the weights where given.
    from sklearn.frozen import FrozenEstimator
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold

    from skmoe import compare
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    w = rng.uniform(0.5, 2.0, size=60) if weighted else None
    fitted = LinearRegression().fit(X[:30], y[:30])
    splits = list(KFold(3).split(X))
    result = compare({"fz": FrozenEstimator(fitted), "ridge": Ridge()}, X, y, cv=splits,
                     scoring="r2", sample_weight=w)
    expected = [r2_score(y[test], fitted.predict(X[test]),
                         sample_weight=None if w is None else w[test]) for _, test in splits]
    np.testing.assert_allclose(result.scores["fz"]["r2"], expected)


def test_compare_weighs_an_ensemble_that_holds_a_frozen_expert():
    """compare(sample_weight=...) refused an EnsembleRegressor with a
    FrozenEstimator expert ('FrozenEstimator (inside EnsembleRegressor, expert
    'fz') has no sample_weight in its fit'), though the ensemble fits it
    weighted (the frozen model as given); its scores are the by-hand ones."""
    from sklearn.frozen import FrozenEstimator
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold

    from skmoe import EnsembleRegressor, compare

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    w = rng.uniform(0.5, 2.0, size=60)
    frozen = FrozenEstimator(Ridge(alpha=5.0).fit(X, y))
    ensemble = EnsembleRegressor([("fz", frozen), ("r", Ridge())])
    cv = KFold(3, shuffle=True, random_state=0)
    result = compare({"e": ensemble}, X, y, cv=cv, scoring="r2", sample_weight=w)
    expected = []
    for train, test in cv.split(X):
        fitted = EnsembleRegressor([("fz", frozen), ("r", Ridge())]).fit(
            X[train], y[train], sample_weight=w[train])
        expected.append(r2_score(y[test], fitted.predict(X[test]), sample_weight=w[test]))
    np.testing.assert_allclose(result.scores["e"]["r2"], expected, rtol=1e-12)
