"""Bad-input sweep, round 30: the expert specification and user-written
experts, across the mixtures, the ensembles, the hierarchical and multi-task
mixtures, CrossFitAverage and compare().

Each test fails without the fix it names.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import ColumnTransformer, make_column_transformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skmoe import (CrossFitAverage, EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, RuleExpert, compare)
from skmoe.experts import TorchMLPRegressor


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


class _TakesVarargs(RegressorMixin, BaseEstimator):
    """An __init__ with *args, which scikit-learn's get_params (and clone) refuse."""

    def __init__(self, *args, alpha=1.0):
        self.args = args
        self.alpha = alpha

    def fit(self, X, y, sample_weight=None):
        self.model_ = Ridge(alpha=self.alpha).fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


# -- an expert whose __init__ takes *args ---------------------------------------------
@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsRegressor(e, cv=3, random_state=0),
    lambda e: EnsembleRegressor(e),
])
def test_an_expert_whose_init_takes_varargs_is_named(make):
    # The check of X asked every expert's get_params whether it holds a
    # Pipeline, and scikit-learn's RuntimeError "scikit-learn estimators should
    # always specify their parameters in the signature of their __init__ (no
    # varargs)" stopped fit there, naming no expert.
    X, y = _data()
    with pytest.raises(RuntimeError, match=r"Expert 'mine' \(_TakesVarargs\) cannot be "
                                           r"cloned: .*no varargs"):
        make([("ridge", Ridge()), ("mine", _TakesVarargs())]).fit(X, y)


class _RenamesItsParameter(RegressorMixin, BaseEstimator):
    def __init__(self, alpha=1.0):
        self.a = alpha                     # not self.alpha: clone cannot rebuild it

    def fit(self, X, y, sample_weight=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))


# -- a leaf of the tree mixture that clone cannot copy ---------------------------------
@pytest.mark.parametrize("experts, named", [
    ([("ridge", Ridge()), ("mine", _RenamesItsParameter())], "mine"),
    (_RenamesItsParameter(), "leaf0"),
])
def test_a_leaf_that_cannot_be_cloned_is_named_by_the_tree_mixture(experts, named):
    # HierarchicalMixtureRegressor cloned its leaves itself: scikit-learn's
    # bare "'_RenamesItsParameter' object has no attribute 'alpha'" (an
    # AttributeError) named no leaf, where the flat mixtures name the expert.
    X, y = _data()
    with pytest.raises(ValueError, match=rf"Expert '{named}' \(_RenamesItsParameter\) cannot "
                                         r"be cloned: .*no attribute 'alpha'\. Each expert is "
                                         r"copied with sklearn\.base\.clone.*self\.alpha = alpha"):
        HierarchicalMixtureRegressor(experts, branching=2, max_iter=2, random_state=0).fit(X, y)


# -- compare() given an estimator class -----------------------------------------------
def test_compare_names_a_model_given_as_a_class():
    # The class has fit and predict, so it passed compare's check and stopped
    # in is_classifier: scikit-learn's "Expected an estimator instance
    # (Ridge()), got estimator class instead (Ridge)." named no model.
    X, y = _data()
    with pytest.raises(TypeError, match=r"^Estimator 'plain' is the class Ridge, not an "
                                        r"estimator: pass an instance, e\.g\. Ridge\(\)\.$"):
        compare({"ridge": Ridge(alpha=10.0), "plain": Ridge}, X, y, cv=3)


# -- compare() given the experts' list of pairs ---------------------------------------
def test_compare_tells_how_to_pass_a_list_of_pairs():
    # The mixtures take (name, estimator) pairs, compare a dict; a list of
    # pairs got the words of any other type, without the way to pass it (the
    # mixtures say list(experts.items()) for a dict).
    X, y = _data()
    pairs = [("ridge", Ridge()), ("strong", Ridge(alpha=10.0))]
    with pytest.raises(TypeError, match=r"estimators must be a non-empty dict of name -> "
                                        r"estimator, got list; for a list of \(name, "
                                        r"estimator\) pairs pass dict\(estimators\)\.$"):
        compare(pairs, X, y, cv=3)
    # Anything else keeps the plain message, and the dict of the pairs compares.
    with pytest.raises(TypeError, match=r"estimator, got list\.$"):
        compare([Ridge(), Ridge(alpha=10.0)], X, y, cv=3)
    assert list(compare(dict(pairs), X, y, cv=3).scores) == ["ridge", "strong"]


# -- CrossFitAverage of fits that write into X ----------------------------------------
class _ZeroesItsFirstColumn(RegressorMixin, BaseEstimator):
    """Ridge, whose predict then writes zeros into the first column of its X."""

    def fit(self, X, y):
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        prediction = self.model_.predict(X)
        X[:, 0] = 0.0
        return prediction


class _ZeroesItsFirstColumnClassifier(LogisticRegression):
    def predict_proba(self, X):
        proba = super().predict_proba(X)
        X[:, 0] = 0.0
        return proba


@pytest.mark.parametrize("classification", [False, True], ids=["predict", "predict_proba"])
def test_cross_fit_average_fits_cannot_change_the_callers_x(classification):
    # CrossFitAverage gave its fits the caller's X itself: the first fit's
    # predict zeroed the caller's column and the second fit predicted from the
    # zeroed column, silently (a mixture gives its experts X read-only).
    X, y = _data()
    if classification:
        y = (y > 0).astype(int)
        fits = [_ZeroesItsFirstColumnClassifier().fit(X[:30], y[:30]),
                _ZeroesItsFirstColumnClassifier().fit(X[10:], y[10:])]
        average, method = CrossFitAverage(fits, n_classes=2, name="mine"), "predict_proba"
    else:
        fits = [_ZeroesItsFirstColumn().fit(X[:30], y[:30]),
                _ZeroesItsFirstColumn().fit(X[10:], y[10:])]
        average, method = CrossFitAverage(fits, name="mine"), "predict"
    given = X.copy()
    kind = type(fits[0]).__name__
    with pytest.raises(ValueError, match=rf"Expert 'mine' \({kind}\) failed in {method}: "
                                         r"assignment destination is read-only \(the experts "
                                         r"get their inputs read-only"):
        getattr(average, method)(given)
    np.testing.assert_array_equal(given, X)


# -- the heterogeneous multi-task mixture's experts get an array -----------------------
def test_hetero_mmoe_expert_selecting_columns_by_name_is_told_x_is_an_array():
    # X is checked as numbers and the experts get a float64 array: a
    # ColumnTransformer of named columns failed with scikit-learn's "Specifying
    # the columns using strings is only supported for dataframes.", although
    # the user had passed a DataFrame.
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    named = make_pipeline(ColumnTransformer([("scale", StandardScaler(), ["a", "b"])]), Ridge())
    with pytest.raises(ValueError, match=r"Expert 'named' \(Pipeline\) failed to fit: "
                                         r"Specifying the columns using strings is only "
                                         r"supported for dataframes\. \(Heterogeneous"
                                         r"MultiGateMixtureOfExperts gives its experts X as a "
                                         r"numeric array, not the DataFrame given: select "
                                         r"columns by position, as in X's column order "
                                         r"\('a': 0, 'b': 1, 'c': 2\)\)"):
        HeterogeneousMultiGateMixtureOfExperts([("named", named), ("ridge", Ridge())],
                                               random_state=0).fit(frame, y)
    # By position, the same expert fits the frame.
    by_position = make_pipeline(ColumnTransformer([("scale", StandardScaler(), [0, 1])]),
                                Ridge())
    model = HeterogeneousMultiGateMixtureOfExperts([("named", by_position), ("ridge", Ridge())],
                                                   random_state=0).fit(frame, y)
    assert model.predict(frame).shape == (40,)


# -- an expert whose predict forgot its return ----------------------------------------
class _PredictsNothing(RegressorMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        self.model_.predict(X)             # no return: None


class _NoProbabilities(LogisticRegression):
    def predict_proba(self, X):
        super().predict_proba(X)           # no return: None


@pytest.mark.parametrize("make, method", [
    (lambda: EnsembleRegressor([("mine", _PredictsNothing()), ("ridge", Ridge())]), "predict"),
    (lambda: MixtureOfExpertsRegressor([("mine", _PredictsNothing()), ("ridge", Ridge())],
                                       training="em", cv=None, max_iter=2, random_state=0),
     "predict"),
    (lambda: EnsembleClassifier([("mine", _NoProbabilities()), ("lr", LogisticRegression())]),
     "predict_proba"),
])
def test_an_expert_returning_none_is_told_so(make, method):
    # None became a 0-d array: "Expert 'mine' (...) returned predict of shape ()
    # for 40 rows; expected one value per row.", a shape for a missing return.
    X, y = _data()
    if method == "predict_proba":
        y = (y > 0).astype(int)
    with pytest.raises(ValueError, match=rf"Expert 'mine' \(_\w+\) failed in {method}: it "
                                         r"returned None; expected an array \(does its "
                                         rf"{method} end with a return statement\?\)"):
        getattr(make().fit(X, y), method)(X)


# -- a RuleExpert of the other task ---------------------------------------------------
def _above_zero(X):
    return X[:, 0] > 0


@pytest.mark.parametrize("make, task, wanted", [
    (lambda rule: MixtureOfExpertsClassifier([("rule", rule), ("lr", LogisticRegression())],
                                             random_state=0), "regression", "classification"),
    (lambda rule: HierarchicalMixtureClassifier([("rule", rule), ("lr", LogisticRegression())],
                                                branching=2, random_state=0),
     "regression", "classification"),
    (lambda rule: EnsembleRegressor([("rule", rule), ("ridge", Ridge())]),
     "classification", "regression"),
])
def test_a_rule_expert_of_the_other_task_is_told_which_task_to_pass(make, task, wanted):
    # A RuleExpert is a regressor or a classifier by its task parameter: one
    # left at task='regression' in a classifier was "Expert 'rule' (RuleExpert)
    # is not a classifier.", which did not say that one parameter makes it one.
    X, y = _data()
    if wanted == "classification":
        y = (y > 0).astype(int)
    with pytest.raises(TypeError, match=rf"Expert 'rule' \(RuleExpert\) .* \(its task is "
                                        rf"'{task}': pass task='{wanted}'\)\.$"):
        make(RuleExpert(_above_zero, task=task)).fit(X, y)
    # Of the right task, it fits.
    make(RuleExpert(_above_zero, task=wanted)).fit(X, y)


# -- an expert whose classes_ name a class twice --------------------------------------
class _RepeatsAClass(LogisticRegression):
    """Three classes, whose classes_ read [0, 0, 1] (a slip in a user's fit)."""

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight=sample_weight)
        self.classes_ = np.array([0, 0, 1])
        return self


@pytest.mark.parametrize("make", [
    lambda e: EnsembleClassifier(e),
    lambda e: MixtureOfExpertsClassifier(e, training="em", cv=None, max_iter=2, random_state=0),
])
def test_an_expert_whose_classes_repeat_a_class_is_named(make):
    # The probability columns are placed by classes_: [0, 0, 1] put two of the
    # three columns on class 0 (the second overwrote the first) and none on
    # class 2, whose probability from that expert was 0 on every row, silently.
    X, y = _data(60)
    y = np.digitize(y, [-0.5, 0.5])
    experts = [("mine", _RepeatsAClass()), ("lr", LogisticRegression())]
    with pytest.raises(ValueError, match=r"Expert 'mine' \(_RepeatsAClass\) has classes_ "
                                         r"\[0, 0, 1\] after fitting; .*encoded labels 0 \.\. 2 "
                                         r"and must keep them as classes_, each once"):
        make(experts).fit(X, y)


# -- compare() predicts the same test rows several times -------------------------------
def test_compare_scores_a_model_that_scales_in_place_on_its_test_rows():
    # compare predicted the test rows once for the time and once per scorer,
    # on the same array: StandardScaler(copy=False) scaled them in place at
    # every predict, so the scorers saw rows scaled twice or more (R^2 0.869,
    # 0.910, 0.973 on the three splits against 0.997, 0.987, 0.986 for the
    # same pipeline with copy=True), silently.
    X, y = _data(60)
    result = compare({"in_place": make_pipeline(StandardScaler(copy=False), Ridge()),
                      "copying": make_pipeline(StandardScaler(), Ridge())}, X, y, cv=3)
    for metric in result.scores["copying"]:
        np.testing.assert_allclose(result.scores["in_place"][metric],
                                   result.scores["copying"][metric], rtol=1e-12)


def test_compare_names_a_model_that_writes_into_its_test_rows():
    # (Its predictions for the scorers came from the rows it had zeroed: R^2
    # -0.09 for a model of 0.99.)
    X, y = _data(60)
    with pytest.raises(ValueError, match=r"Model 'mine' failed to predict on a split of 40 "
                                         r"training rows: assignment destination is read-only "
                                         r"\(compare gives the models their test rows "
                                         r"read-only: this model writes into its X; make it "
                                         r"copy X first\)"):
        compare({"mine": _ZeroesItsFirstColumn(), "ridge": Ridge()}, X, y, cv=3)


# -- an expert scaling a DataFrame in place -------------------------------------------
@pytest.mark.filterwarnings("ignore:EM did not converge")
@pytest.mark.parametrize("make", [
    lambda e: EnsembleRegressor(e),
    lambda e: MixtureOfExpertsRegressor(e, training="em", cv=None, max_iter=2, random_state=0),
])
def test_an_expert_scaling_in_place_cannot_change_the_callers_dataframe(make):
    # Each expert got a shallow copy of the frame, whose columns are the
    # caller's: scikit-learn (pandas >= 3) makes np.asarray of a frame
    # writeable for a step that writes in place, and StandardScaler(copy=False)
    # scaled the caller's frame (by up to 13.4 here), which the next expert
    # then fitted on: predictions off those of the same model fitted on the
    # array by up to 9.9, silently. (An array reaches the experts read-only.)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3)) * 3 + 5
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    experts = [("in_place", make_pipeline(StandardScaler(copy=False), Ridge())),
               ("ridge", Ridge())]
    frame = pd.DataFrame(X.copy(), columns=["a", "b", "c"])
    from_frame = make(experts).fit(frame, y).predict(frame)
    np.testing.assert_array_equal(frame.to_numpy(), X)
    np.testing.assert_allclose(from_frame, make(experts).fit(X, y).predict(X), rtol=1e-12)


# -- ensemble weights for the experts left after a 'drop' ------------------------------
@pytest.mark.parametrize("Ensemble, make", [
    (EnsembleRegressor, lambda: (Ridge(), Ridge(alpha=10.0), Ridge(alpha=100.0))),
    (EnsembleClassifier, lambda: (LogisticRegression(), LogisticRegression(C=0.1),
                                  LogisticRegression(C=0.01))),
])
def test_ensemble_weights_for_the_kept_experts_only_are_told_drop_counts(Ensemble, make):
    # weights has one entry per listed expert, 'drop' included (as in
    # VotingRegressor): two weights after set_params(b='drop') were told
    # "expected one weight per expert, (3,)." without why three.
    X, y = _data()
    if Ensemble is EnsembleClassifier:
        y = (y > 0).astype(int)
    a, b, c = make()
    model = Ensemble([("a", a), ("b", b), ("c", c)], weights=[1.0, 3.0]).set_params(b="drop")
    with pytest.raises(ValueError, match=r"weights has shape \(2,\); expected one weight per "
                                         r"expert, \(3,\): one per listed expert, 'drop' "
                                         r"included \(\['b'\] is 'drop'\), in the order "
                                         r"\['a', 'b', 'c'\], as in scikit-learn's "
                                         r"VotingRegressor\.$"):
        model.fit(X, y)
    # One per listed expert fits, the dropped one's weight unused.
    model.set_params(weights=[1.0, 0.0, 3.0]).fit(X, y)
    np.testing.assert_array_equal(model.weights_, [0.25, 0.75])
    # Without a 'drop', the message stays as it was.
    with pytest.raises(ValueError, match=r"expected one weight per expert, \(3,\)\.$"):
        Ensemble(list(zip("abc", make())), weights=[1.0, 3.0]).fit(X, y)


# -- a torch expert trained with the gate, on a column of words -----------------------
def test_torch_experts_trained_with_the_gate_are_named_with_the_way_to_encode():
    # "torch MLP experts (trained with the gate) need numeric X; the column(s)
    # 'c' are not numbers." named neither the expert nor a way out, where the
    # same expert in EM or an ensemble says to encode the columns first.
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40),
                          "c": rng.choice(["x", "y"], size=40)})
    y = frame["a"].to_numpy() + (frame["c"] == "x")
    encoded = make_column_transformer((OneHotEncoder(), ["c"]), remainder="passthrough")
    ridge = make_pipeline(encoded, Ridge())
    with pytest.raises(ValueError, match=r"torch MLP experts \(trained with the gate\) need "
                                         r"numeric X; the column\(s\) 'c' are not numbers\. "
                                         r"Expert\(s\) \['mlp'\]: encode them first, or make "
                                         r"each a Pipeline with an encoder .* before the "
                                         r"network; it is then fitted on its own, before the "
                                         r"gate"):
        MixtureOfExpertsRegressor([("mlp", TorchMLPRegressor((4,), max_epochs=2)),
                                   ("ridge", ridge)], max_epochs=2, random_state=0).fit(frame, y)
    # The Pipeline the message suggests fits.
    mlp = make_pipeline(clone(encoded), TorchMLPRegressor((4,), max_epochs=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (two epochs do not converge)
        model = MixtureOfExpertsRegressor([("mlp", mlp), ("ridge", ridge)], cv=2,
                                          max_epochs=2, random_state=0).fit(frame, y)
    assert model.predict(frame).shape == (40,)
