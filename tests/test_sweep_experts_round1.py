"""Experts that misbehave, first round: a rule's NaN outcomes, classifiers
fitted already (FrozenEstimator), duck-typed models and models writing into
their weights in compare(), warnings whose numbers vary from fit to fit and
warnings of predict (repeated per fit, fold and call), predictions indexed by
X's rows in another order, and probabilities outside [0, 1] by rounding.

Each test fails without its fix (but those said to be guards).
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, RuleExpert)


# -------------------------------- a classification rule's NaN in an object array
def _sign_or_nan_objects(X):
    # A rule that says 0 or 1, and NaN (as objects: pandas' object columns
    # hold them so) where it has no answer.
    out = (X[:, 0] > 0).astype(float).astype(object)
    out[X[:, 1] > 0.5] = np.nan
    return out


def test_a_classification_rule_returning_nan_among_objects_is_told_they_are_missing():
    # NaN among numbers in an object array sorts, so fit took it; but NaN
    # equals nothing: np.unique kept each NaN as an outcome of its own
    # (outcomes_ of 142 entries for 3 outcomes, unsorted), and predict gave
    # the rows of the NaN outcome the class prior, 0.59, where fit had
    # calibrated 0.79 for them.
    X = np.random.RandomState(0).normal(size=(300, 2))
    y = np.where(X[:, 1] > 0.5, 1, (X[:, 0] > 0).astype(int))
    n_missing = int(np.sum(X[:, 1] > 0.5))
    with pytest.raises(ValueError, match=rf"RuleExpert\(_sign_or_nan_objects\) returned "
                                         rf"outcomes of which {n_missing} of 300 are missing "
                                         r"\(None, NaN or pd\.NA\); a rule must give every "
                                         "row an outcome"):
        RuleExpert(_sign_or_nan_objects, task="classification").fit(X, y)
    # At predict too, for rows fit never saw the rule leave without an answer.
    rows = X[:, 1] <= 0.5
    rule = RuleExpert(_sign_or_nan_objects, task="classification").fit(X[rows], y[rows])
    with pytest.raises(ValueError, match=f"{n_missing} of 300 are missing"):
        rule.predict_proba(X)


# ------------------------------------- a classifier fitted before, as an expert
def _frozen_and_y():
    from sklearn.frozen import FrozenEstimator
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    y = np.digitize(X[:, 0], [-0.5, 0.5]) + 1        # labels 1, 2, 3
    seen = y < 3                                     # the frozen model saw 1 and 2
    return FrozenEstimator(LogisticRegression().fit(X[seen], y[seen])), X, y


@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsClassifier([("lr", LogisticRegression()), ("frozen", e)],
                                         random_state=0),
    lambda e: MixtureOfExpertsClassifier([("lr", LogisticRegression()), ("frozen", e)],
                                         training="em", cv=None, max_iter=2, random_state=0),
    lambda e: EnsembleClassifier([("lr", LogisticRegression()), ("frozen", e)]),
    lambda e: HierarchicalMixtureClassifier([("lr", LogisticRegression()), ("frozen", e)],
                                            branching=2, max_iter=2, random_state=0),
], ids=["stacked", "em", "ensemble", "hme"])
def test_a_frozen_classifier_whose_classes_are_other_labels_is_refused(make):
    # A FrozenEstimator is not refitted (clone returns it): its classes_ [1, 2]
    # are labels, which were read as the codes 1 and 2 of y's classes
    # [1, 2, 3]: class 1's column went to class 2, class 2's to class 3, silently.
    frozen, X, y = _frozen_and_y()
    with pytest.raises(ValueError, match=r"Expert 'frozen' \(FrozenEstimator\) is fitted "
                                         r"already \(it has classes_ \[1, 2\] before the fit"
                                         r".*its classes_ are labels of y.*y's classes "
                                         r"\[1, 2, 3\] encoded as 0 \.\. 2"):
        make(frozen).fit(X, y)


@pytest.mark.parametrize("shift", [0, 1], ids=["labels-0-1-2", "labels-1-2-3"])
def test_a_frozen_classifier_fitted_on_the_codes_still_serves(shift):
    # A guard: classes_ that are the codes of the same labels (y of 0, 1, 2),
    # or that are no labels of y (codes 0, 1 of y's 1, 2, 3: an expert of a
    # fitted mixture), are taken as before, and the columns placed right.
    from sklearn.frozen import FrozenEstimator
    _, X, y = _frozen_and_y()
    codes = y - 1
    seen = codes < 2                                 # it saw codes 0 and 1 only
    frozen = FrozenEstimator(LogisticRegression().fit(X[seen], codes[seen]))
    ensemble = EnsembleClassifier([("lr", LogisticRegression()), ("frozen", frozen)],
                                  weights=[0.0, 1.0]).fit(X, codes + shift)
    expected = np.c_[frozen.predict_proba(X), np.zeros(len(X))]
    np.testing.assert_allclose(ensemble.predict_proba(X), expected)


# ------------------------------------------- compare() of a duck-typed model
class _FitPredictOnly:
    """fit and predict, no BaseEstimator: no tags, no get_params."""

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_compare_names_a_model_without_estimator_tags():
    # It failed in is_classifier with scikit-learn's "The following error was
    # raised: '_FitPredictOnly' object has no attribute '__sklearn_tags__'",
    # naming no model (the mixtures name such an expert).
    from sklearn.linear_model import Ridge

    from skmoe import compare
    X = np.random.RandomState(0).normal(size=(30, 2))
    with pytest.raises(TypeError, match=r"Estimator 'mean' \(_FitPredictOnly\) has no "
                                        r"scikit-learn estimator tags .* inherit from "
                                        r"sklearn\.base\.BaseEstimator"):
        compare({"ridge": Ridge(), "mean": _FitPredictOnly()}, X, X[:, 0], cv=3)


class _UnitWeights(RegressorMixin, BaseEstimator):
    """Sets its sample_weight to ones in place (ignores the weights it is given)."""

    def fit(self, X, y, sample_weight=None):
        if sample_weight is not None:
            sample_weight[:] = 1.0
        self.coef_ = np.linalg.lstsq(X, y, rcond=None)[0]
        return self

    def predict(self, X):
        return X @ self.coef_


def test_compare_tells_a_model_writing_into_its_weights_why_they_are_read_only():
    # compare gives the training weights read-only (X and y are the split's
    # copies): the failure said only "assignment destination is read-only".
    from skmoe import compare
    X = np.random.RandomState(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match=r"Model 'unit' failed to fit .*read-only \(compare "
                                         r"gives the models their training rows' "
                                         r"sample_weight read-only"):
        compare({"unit": _UnitWeights(), "also": _UnitWeights()}, X, X[:, 0], cv=3,
                sample_weight=np.linspace(1, 2, 30))


# ----------------------------------- an expert's warning whose numbers vary
class _WarnsWithItsNumbers(RegressorMixin, BaseEstimator):
    """A least-squares fit that warns, in every fit, with a number of that fit
    (as scipy's "An ill-conditioned matrix detected: slice 0 has rcond =
    8.97e-21." of a Ridge(solver='cholesky') does), and once in other words."""

    def fit(self, X, y, sample_weight=None):
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
        rcond = abs(float(np.sum(w * y))) * 1e-21
        warnings.warn(f"Ill-conditioned (rcond = {rcond:.6g}).", UserWarning)
        warnings.warn("Another warning, in other words.", UserWarning)
        self.coef_ = np.linalg.lstsq(X * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)[0]
        return self

    def predict(self, X):
        return X @ self.coef_


def test_an_experts_warning_whose_numbers_vary_is_given_once_per_fit():
    # Each text was given once, and the numbers made each fit's text its own:
    # scipy's rcond warning of a Ridge(solver='cholesky') on near-collinear
    # columns came 22 times out of one EM fit (cv=None, max_iter=20), 16
    # times out of a hierarchical mixture's, 5 out of the stacked gate's.
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import MixtureOfExpertsRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 2))
    y = X[:, 0] + np.sin(2 * X[:, 1])
    model = MixtureOfExpertsRegressor(
        [("lstsq", _WarnsWithItsNumbers()), ("tree", DecisionTreeRegressor(max_depth=3))],
        training="em", cv=None, max_iter=4, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    texts = [str(w.message) for w in caught]
    rcond = [t for t in texts if t.startswith("Ill-conditioned")]
    assert len(rcond) == 1, texts
    assert re.search(r"gave this warning in (\d+) of its \1 fits, its numbers differing "
                     r"between fits \(those of the first\); shown once", rcond[0])
    # The other text stays a warning of its own, its count without the note.
    other = [t for t in texts if t.startswith("Another warning")]
    assert len(other) == 1 and "numbers differing" not in other[0]


def test_compare_gives_a_warning_whose_numbers_vary_once():
    # compare gave each text once per model: a number of each split's own
    # made 20 warnings, "(1 of 20 splits)" each, out of 20 splits.
    from sklearn.linear_model import Ridge

    from skmoe import compare
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] + rng.normal(size=40)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare({"warns": _WarnsWithItsNumbers(), "ridge": Ridge()}, X, y, cv=4)
    texts = [str(w.message) for w in caught]
    rcond = [t for t in texts if "Ill-conditioned" in t]
    assert len(rcond) == 1, texts
    assert rcond[0].startswith("warns (4 of 4 splits, its numbers differing between splits "
                               "(those of the first)): Ill-conditioned (rcond = ")
    other = [t for t in texts if "Another warning" in t]
    assert other == ["warns (4 of 4 splits): Another warning, in other words."]


# ------------------------- predictions indexed by X's rows in another order
class _PerSegment(RegressorMixin, BaseEstimator):
    """One least-squares line per sign of column 'a', its predictions the
    per-segment Series concatenated: X's row labels in another order."""

    def fit(self, X, y, sample_weight=None):
        y, seg = np.asarray(y), (X["a"] > 0).to_numpy()
        self.coef_ = {s: np.linalg.lstsq(X[seg == s].to_numpy(), y[seg == s], rcond=None)[0]
                      for s in (False, True)}
        return self

    def predict(self, X):
        seg = (X["a"] > 0).to_numpy()
        return pd.concat([pd.Series(X[seg == s].to_numpy() @ self.coef_[s],
                                    index=X.index[seg == s]) for s in (False, True)])


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("seg", _PerSegment()), ("ridge", Ridge())],
                                      random_state=0),
    lambda: MixtureOfExpertsRegressor([("seg", _PerSegment()), ("ridge", Ridge())],
                                      training="em", cv=None, max_iter=2, random_state=0),
    lambda: EnsembleRegressor([("seg", _PerSegment()), ("ridge", Ridge())]),
    lambda: HierarchicalMixtureRegressor([("seg", _PerSegment()), ("ridge", Ridge())],
                                         branching=2, max_iter=2, random_state=0),
], ids=["stacked", "em", "ensemble", "hme"])
def test_an_expert_returning_xs_rows_in_another_order_is_refused(make):
    # Read by position, each row got another row's prediction, silently: the
    # ensemble's mean squared error was 1.07, the expert's own 3.0 where its
    # predictions in X's row order have 0.39.
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 2)), columns=["a", "b"],
                     index=rng.permutation(60) + 500)
    y = X["a"].to_numpy() + np.abs(X["b"].to_numpy())
    with pytest.raises(ValueError, match=r"Expert 'seg' \(_PerSegment\) failed in predict: "
                                         r"it returned a Series whose index holds X's row "
                                         r"labels in another order .* return "
                                         r"result\.reindex\(X\.index\)"):
        make().fit(X, y).predict(X)    # (the plain average predicts in predict only)


def test_an_expert_returning_a_series_of_its_own_index_is_read_by_position():
    # A guard: a RangeIndex of its own (not X's labels) is read by position.
    class OwnIndex(Ridge):
        def predict(self, X):
            return pd.Series(super().predict(X))

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"],
                     index=rng.permutation(40) + 500)
    y = X["a"].to_numpy()
    ensemble = EnsembleRegressor([("own", OwnIndex()), ("ridge", Ridge())]).fit(X, y)
    np.testing.assert_allclose(ensemble.predict(X), Ridge().fit(X, y).predict(X))


# ------------------------------------------ an expert that warns in predict
class _WarnsInPredict(Ridge):
    """A Ridge whose predict warns at every call."""

    def predict(self, X):
        warnings.warn("predict is deprecated here, use forecast.", FutureWarning)
        return super().predict(X)


@pytest.mark.parametrize("make, calls", [
    (lambda: MixtureOfExpertsRegressor([("warns", _WarnsInPredict()), ("ridge", Ridge())],
                                       random_state=0), 5),
    (lambda: MixtureOfExpertsRegressor([("warns", _WarnsInPredict()), ("ridge", Ridge())],
                                       training="em", cv=None, max_iter=5, random_state=0),
     None),
    (lambda: HierarchicalMixtureRegressor([("warns", _WarnsInPredict()), ("ridge", Ridge())],
                                          branching=2, max_iter=5, random_state=0), None),
], ids=["stacked", "em", "hme"])
def test_an_experts_warning_in_predict_is_given_once_per_fit(make, calls):
    # Only the experts' fits were recorded: a warning of predict came once
    # per out-of-fold prediction or E-step, 5 times out of the stacked gate's
    # fit, 12 out of an EM fit of 10 iterations, 10 out of a hierarchical
    # mixture's.
    from sklearn.exceptions import ConvergenceWarning
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] + np.sin(2 * X[:, 1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        make().fit(X, y)
    given = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
    assert len(given) == 1, given
    match = re.search(r"^predict is deprecated here, use forecast\.\n\(Expert 'warns' "
                      r"\(_WarnsInPredict\) of \w+ gave this warning in (\d+) of its \1 calls "
                      r"of predict; shown once\.\)$", given[0])
    assert match, given[0]
    assert calls is None or int(match.group(1)) == calls


# --------------------------- probabilities off a distribution by rounding
class _SureOfClassOne(ClassifierMixin, BaseEstimator):
    """Probability 1 for class 1; ``off`` moved from class 0 to class 1 (a
    rounding error within the library's tolerance: the rows still sum to one)."""

    def __init__(self, off=0.0):
        self.off = off

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.tile([-self.off, 1.0 + self.off], (len(X), 1))

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@pytest.mark.parametrize("weights", [None, "greedy"])
def test_probabilities_off_by_rounding_leave_the_ensembles_output_a_distribution(weights):
    # An expert's -5e-4 (within the tolerance of 1e-3) was averaged into the
    # ensemble's predict_proba as it was: -2.5e-4 (-4.7e-4 greedy), which
    # scikit-learn's log_loss refuses ("y_prob contains values lower than 0").
    from sklearn.metrics import log_loss
    X = np.random.RandomState(0).normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    ensemble = EnsembleClassifier([("sure", _SureOfClassOne()),
                                   ("sloppy", _SureOfClassOne(off=5e-4))],
                                  weights=weights, random_state=0).fit(X, y)
    proba = ensemble.predict_proba(X)
    assert proba.min() >= 0 and proba.max() <= 1
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert np.isfinite(log_loss(y, proba))


def test_a_warning_of_the_fold_fits_in_predict_is_given_once_per_predict():
    # The default mixture deploys each expert as the average of its 5 fold
    # fits: a warning of the expert's predict came 5 times at every predict.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] + np.sin(2 * X[:, 1])
    model = MixtureOfExpertsRegressor([("warns", _WarnsInPredict()), ("ridge", Ridge())],
                                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model.fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict(X)
    given = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
    assert given == ["predict is deprecated here, use forecast.\n(The 5 fits of expert "
                     "'warns' gave this warning 5 times; shown once.)"]
    # An ignored warning stays ignored.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", FutureWarning)
        model.predict(X)
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]
