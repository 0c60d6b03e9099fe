"""Bad input: every public estimator either works or says what is wrong."""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts,
                   TorchMLPClassifier)
from skmoe.experts import RuleExpert

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)
REGRESSORS = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
CLASSIFIERS = [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))]


def _regression(n=60, n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- gate__* parameters with the default gate=None ---------------------------
def test_gate_params_without_a_gate_say_to_pass_one():
    X, y = _regression()
    moe = MixtureOfExpertsRegressor(REGRESSORS, training="em", max_iter=2)
    with pytest.raises(ValueError, match=r"gate=MLPGate\(\.\.\.\)"):
        moe.set_params(gate__hidden_layer_sizes=(4,))
    search = GridSearchCV(moe, {"gate__hidden_layer_sizes": [(), (4,)]}, cv=2,
                          error_score="raise")
    with pytest.raises(ValueError, match=r"gate=MLPGate\(\.\.\.\)"):
        search.fit(X, y)
    # Passing a gate along with its parameters works.
    moe.set_params(gate=MLPGate(), gate__hidden_layer_sizes=(4,))
    assert moe.gate.hidden_layer_sizes == (4,)


# -- options of the trainer that is not used -------------------------------
@pytest.mark.parametrize("training, option, value", [
    ("gradient", "collapse_action", "drop"),
    ("gradient", "collapse_threshold", 0.05),
    ("gradient", "max_iter", 50),
    ("gradient", "init_params", "kmeans"),
    ("em", "loss", "squared_error"),
    ("em", "learning_rate", 5),
    ("em", "max_epochs", 3),
    ("em", "device", "cpu"),
    ("em", "refit_experts", False),
])
def test_options_of_the_other_trainer_warn(training, option, value):
    X, y = _regression()
    fast = dict(max_iter=2) if training == "em" else dict(max_epochs=5)
    moe = MixtureOfExpertsRegressor(REGRESSORS, training=training, gate=FAST_GATE,
                                    random_state=0, **fast)
    moe.set_params(**{option: value})
    with pytest.warns(UserWarning, match=rf"{option}=.*no effect with training='{training}'"):
        moe.fit(X, y)


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_own_options_and_defaults_do_not_warn(training):
    X, y = _regression()
    own = (dict(max_iter=2, init_params="kmeans", collapse_action="drop")
           if training == "em" else dict(max_epochs=5, learning_rate=1e-2, loss="nll"))
    # FAST_GATE's max_iter and warm_max_iter are EM's: the gradient trainer
    # warns that it ignores them (a gate of the gradient trainer's own options).
    gate = FAST_GATE if training == "em" else MLPGate(hidden_layer_sizes=())
    moe = MixtureOfExpertsRegressor(REGRESSORS, training=training, gate=gate,
                                    random_state=0, tol=1e-2, n_init=1, **own)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*no effect with training")
        moe.fit(X, y)


# -- the minimum number of rows ----------------------------------------------
@pytest.mark.parametrize("make, minimum", [
    (lambda: MixtureOfExpertsRegressor(REGRESSORS, training="em", max_iter=2), 4),
    (lambda: MixtureOfExpertsRegressor(REGRESSORS, training="gradient", cv=5,
                                       max_epochs=2), 5),
    # cv='auto': as many folds (up to 5) as the rows allow, 3 rows at least.
    (lambda: MixtureOfExpertsRegressor(REGRESSORS, training="gradient", max_epochs=2), 3),
    (lambda: MixtureOfExpertsRegressor(REGRESSORS, training="em", cv=3, max_iter=2), 3),
    (lambda: EnsembleRegressor(REGRESSORS, weights="greedy", cv=5), 5),
])
def test_too_few_rows_for_the_folds_say_the_minimum(make, minimum):
    X, y = _regression(n=minimum - 1)
    with pytest.raises(ValueError, match=f"at least {minimum} samples"):
        make().fit(X, y)
    X, y = _regression(n=minimum)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make().set_params(random_state=0).fit(X, y)


def test_three_rows_fit_with_three_folds():
    # On three rows the heads' leave-one-out errors are undefined (0/0) for
    # the light penalties; the penalty search failed with an IndexError.
    X, y = _regression(n=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(REGRESSORS, cv=3, max_epochs=2,
                                        random_state=0).fit(X, y)
    assert np.isfinite(moe.predict(X)).all()
    from skmoe._candidates import _most_regularised_best
    assert _most_regularised_best([np.nan, 2.0, 1.0, np.nan]) == 2
    assert _most_regularised_best([np.nan, np.nan]) == 0


def test_classifier_folds_need_a_class_as_large_as_cv():
    X, _ = _regression(n=8)
    y = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    with pytest.raises(ValueError, match="class with at least 5 samples"):
        MixtureOfExpertsClassifier(CLASSIFIERS, cv=5, max_epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="class with at least 5 samples"):
        EnsembleClassifier(CLASSIFIERS, weights="greedy", cv=5).fit(X, y)
    # cv='auto' (the default of both) uses the 2 folds the largest class allows.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsClassifier(CLASSIFIERS, max_epochs=2, random_state=0).fit(X, y)
        greedy = EnsembleClassifier(CLASSIFIERS, weights="greedy", random_state=0).fit(X, y)
    assert_allclose(moe.predict_proba(X).sum(axis=1), 1.0)
    assert_allclose(greedy.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsClassifier(experts, max_epochs=2, random_state=0),
    # Its fold fits said only "the data contains only one class", although y
    # has two: the hint the mixtures give was missing.
    lambda experts: EnsembleClassifier(experts, weights="greedy", random_state=0),
])
def test_a_class_of_one_row_is_named_when_an_expert_cannot_fit_without_it(make):
    # The fold that holds out the only row of class 1 trains on class 0 alone:
    # a logistic regression cannot fit that, and the error says why.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.r_[np.zeros(59), 1].astype(int)
    experts = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # StratifiedKFold: 1 member < 5 folds
        with pytest.raises(ValueError, match=r"Expert 'lr' .*one class only: a class "
                                             r"with very few rows"):
            make(experts).fit(X, y)
    # Fitted on all rows (no folds), the plain ensemble sees both classes.
    ensemble = EnsembleClassifier(experts).fit(X, y)
    assert_allclose(ensemble.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("training", ["auto", "em"])
def test_a_fold_without_weighted_rows_is_named(training):
    # Two rows of positive weight: some cross-fitting fold trained on rows of
    # zero weight only, and the expert's own error was about an empty array.
    # Rows of zero weight are now left out: too few rows for the folds, said
    # with the weights.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=120)
    sample_weight = np.r_[1.0, 1.0, np.zeros(118)]
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]
    with pytest.raises(ValueError, match=r"got 2 of positive sample_weight \(the 118 rows "
                                         r"of zero weight are left out\)"):
        MixtureOfExpertsRegressor(experts, training=training, random_state=0).fit(
            X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("params", [{}, {"training": "em"}, {"top_k": 1}])
def test_a_few_rows_of_huge_weight_do_not_leave_an_expert_one_row(params):
    # Rows below 1e-3 of the mean weight are left out of an expert's fit; two
    # rows of weight 1e6 (the rest 1) left one row in a fold, and LightGBM
    # refused to fit "1 sample(s)" although every weight was positive.
    from lightgbm import LGBMRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    y = X[:, 0] + 0.1 * rng.normal(size=120)
    sample_weight = np.ones(120)
    sample_weight[:2] = 1e6
    experts = [("gbm", LGBMRegressor(n_estimators=5, verbose=-1)), ("line", LinearRegression())]
    moe = MixtureOfExpertsRegressor(experts, random_state=0, **params).fit(
        X, y, sample_weight=sample_weight)
    assert np.all(np.isfinite(moe.predict(X)))


def test_score_samples_was_renamed():
    X, y = _regression()
    moe = MixtureOfExpertsRegressor([("line", LinearRegression()),
                                     ("tree", DecisionTreeRegressor(max_depth=2))],
                                    max_epochs=5, random_state=0).fit(X, y)
    assert not hasattr(moe, "score_samples")
    with pytest.raises(AttributeError, match="renamed log_likelihood_samples"):
        moe.score_samples(X, y)
    assert moe.log_likelihood_samples(X, y).shape == (len(y),)


# -- the matrix: every public estimator x bad input ---------------------------
class RaisingRegressor(RegressorMixin, BaseEstimator):
    """An expert whose fit always fails."""

    def fit(self, X, y, sample_weight=None):
        raise RuntimeError("this expert always fails")


class NaNRegressor(RegressorMixin, BaseEstimator):
    """An expert that predicts NaN."""

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = X.shape[1]
        self.shape_ = np.shape(y)[1:]  # multi-output targets: one NaN per column
        return self

    def predict(self, X):
        return np.full((len(X), *self.shape_), np.nan)


class NaNClassifier(ClassifierMixin, BaseEstimator):
    """A classifier whose probabilities are NaN."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), np.nan)

    def predict(self, X):
        return self.classes_[np.zeros(len(X), dtype=int)]


class PredictRaisingRegressor(NaNRegressor):
    """An expert that fits but whose predict fails."""

    def predict(self, X):
        raise RuntimeError("this expert cannot predict")


class ShortRegressor(NaNRegressor):
    """An expert that predicts one row too few (a reshape error, naming nothing, before)."""

    def predict(self, X):
        return np.zeros((len(X) - 1, *self.shape_))


class PredictRaisingClassifier(NaNClassifier):
    """A classifier that fits but whose predict_proba fails."""

    def predict_proba(self, X):
        raise RuntimeError("this expert cannot predict")


class ShortClassifier(NaNClassifier):
    """A classifier whose predict_proba has one row too few."""

    def predict_proba(self, X):
        return np.full((len(X) - 1, len(self.classes_)), 1.0 / len(self.classes_))


class RaisingClassifier(ClassifierMixin, BaseEstimator):
    """A classifier whose fit always fails."""

    def fit(self, X, y, sample_weight=None):
        raise RuntimeError("this expert always fails")

    def predict_proba(self, X):
        raise AssertionError("never fitted")


ESTIMATORS = {
    "moe_em_reg": (lambda experts=REGRESSORS, **kw: MixtureOfExpertsRegressor(
        experts, training="em", gate=FAST_GATE, max_iter=2, random_state=0, **kw), "reg"),
    "moe_gradient_reg": (lambda experts=REGRESSORS, **kw: MixtureOfExpertsRegressor(
        experts, training="gradient", max_epochs=5, random_state=0, **kw), "reg"),
    "moe_em_clf": (lambda experts=CLASSIFIERS, **kw: MixtureOfExpertsClassifier(
        experts, training="em", gate=FAST_GATE, max_iter=2, random_state=0, **kw), "clf"),
    "moe_gradient_clf": (lambda experts=CLASSIFIERS, **kw: MixtureOfExpertsClassifier(
        experts, training="gradient", max_epochs=5, random_state=0, **kw), "clf"),
    "ensemble_reg": (lambda experts=REGRESSORS, **kw: EnsembleRegressor(
        experts, weights="greedy", cv=3, n_rounds=5, random_state=0, **kw), "reg"),
    "ensemble_clf": (lambda experts=CLASSIFIERS, **kw: EnsembleClassifier(
        experts, weights="greedy", cv=3, n_rounds=5, random_state=0, **kw), "clf"),
    "mmoe": (lambda **kw: MultiGateMixtureOfExperts(
        n_experts=2, expert_units=4, max_iter=3, random_state=0, **kw), "multi"),
    "hetero_mmoe": (lambda experts=REGRESSORS, **kw: HeterogeneousMultiGateMixtureOfExperts(
        experts, max_iter=5, cv=2, random_state=0, **kw), "multi"),
}
WITH_EXPERTS = [name for name in ESTIMATORS if name != "mmoe"]
MIXTURES = [name for name in ESTIMATORS if name.startswith("moe")]


def _data(task, n=40, seed=0):
    X, y = _regression(n=n, seed=seed)
    if task == "clf":
        return X, np.where(y > 0, "yes", "no")
    if task == "multi":
        return X, np.column_stack([y, X[:, 1]])
    return X, y


def _fit_check(name, X, y, sample_weight=None, **params):
    """Fit, then check that predict (and predict_proba) are finite."""
    make, task = ESTIMATORS[name]
    est = make(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence of the tiny fits
        if sample_weight is None:
            est.fit(X, y)
        else:
            est.fit(X, y, sample_weight=sample_weight)
    if task == "clf":
        proba = est.predict_proba(X)
        assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1)
        assert set(est.predict(X)) <= set(np.unique(y))
    else:
        assert np.all(np.isfinite(est.predict(X)))
    return est


def _with(X, rows, column, value):
    X = X.astype(object if isinstance(value, str) else float)
    X[rows, column] = value
    return X


BAD_X = {
    "nan_in_X": (lambda X: _with(X, [3], 0, np.nan), "NaN"),
    "inf_in_X": (lambda X: _with(X, [3], 0, np.inf), "infinity"),
    "X_1d": (lambda X: X[:, 0], "Expected 2D array"),
    "string_feature": (lambda X: _with(X, [3], 1, "abc"), "could not convert|string"),
}


@pytest.mark.parametrize("case", BAD_X)
@pytest.mark.parametrize("name", ESTIMATORS)
def test_bad_X(name, case):
    X, y = _data(ESTIMATORS[name][1])
    transform, message = BAD_X[case]
    with pytest.raises(ValueError, match=message):
        _fit_check(name, transform(X), y)


@pytest.mark.parametrize("value, message", [(np.nan, "NaN"), (np.inf, "infinity")])
@pytest.mark.parametrize("name", [n for n in ESTIMATORS if ESTIMATORS[n][1] != "clf"])
def test_nan_or_inf_in_y(name, value, message):
    X, y = _data(ESTIMATORS[name][1])
    y = y.astype(float)
    y[3] = value
    with pytest.raises(ValueError, match=message):
        _fit_check(name, X, y)


@pytest.mark.parametrize("n_rows, message", [(0, "0 sample"), (1, "minimum of 2|at least")])
@pytest.mark.parametrize("name", ESTIMATORS)
def test_too_few_rows(name, n_rows, message):
    X, y = _data(ESTIMATORS[name][1])
    with pytest.raises(ValueError, match=message):
        _fit_check(name, X[:n_rows], y[:n_rows])


@pytest.mark.parametrize("name", ESTIMATORS)
def test_two_rows_work_or_say_the_minimum(name):
    X, y = _data(ESTIMATORS[name][1], n=40)
    rows = [0, int(np.flatnonzero(y != y[0])[0]) if y.ndim == 1 else 1]
    try:
        _fit_check(name, X[rows], y[rows])
    except ValueError as exc:
        assert re.search("at least .* samples|needs at least", str(exc)), exc


@pytest.mark.parametrize("name", ESTIMATORS)
def test_length_mismatch(name):
    X, y = _data(ESTIMATORS[name][1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples|n_samples=40"):
        _fit_check(name, X, y[:-1])


@pytest.mark.parametrize("sample_weight, message", [
    (lambda n: -np.ones(n), "[Nn]egative"),
    (lambda n: np.zeros(n), "zero for every sample|sum to zero|zero"),
    (lambda n: np.ones(n - 1), "shape|samples"),
    (lambda n: np.r_[np.nan, np.ones(n - 1)], "NaN"),
])
@pytest.mark.parametrize("name", ESTIMATORS)
def test_bad_sample_weight(name, sample_weight, message):
    X, y = _data(ESTIMATORS[name][1])
    with pytest.raises(ValueError, match=message):
        _fit_check(name, X, y, sample_weight=sample_weight(len(y)))


@pytest.mark.parametrize("name", ["moe_em_reg", "moe_gradient_reg", "ensemble_reg",
                                  "hetero_mmoe"])
def test_string_targets_for_a_regressor(name):
    X, y = _data(ESTIMATORS[name][1])
    y = np.where(y > 0, "a", "b") if y.ndim == 1 else np.where(y > 0, "a", "b").astype(object)
    with pytest.raises(ValueError, match="could not convert|numeric|string|[Uu]nknown"):
        _fit_check(name, X, y)


@pytest.mark.parametrize("name", ["moe_em_clf", "moe_gradient_clf", "ensemble_clf"])
def test_classifier_targets(name):
    X, y = _data("clf")
    _fit_check(name, X, y)  # string labels work
    with pytest.raises(ValueError, match="[Uu]nknown label type|continuous"):
        _fit_check(name, X, _regression(n=len(y))[1])
    with pytest.raises(ValueError, match="only one class"):
        _fit_check(name, X, np.full(len(y), "yes"))


def _labels_with(y, row, value):
    y = y.astype(object)
    y[row] = value
    return y


@pytest.mark.parametrize("bad, message", [
    (lambda y: _labels_with(y, 5, None), r"1 missing class label\(s\) .*row 5"),
    (lambda y: _labels_with(y, 7, np.nan), r"NaN"),   # stopped by the input check
    (lambda y: _labels_with(y, 3, 1), r"mixes string and numeric class labels"),
])
@pytest.mark.parametrize("make", [
    lambda: ESTIMATORS["moe_em_clf"][0](),
    lambda: ESTIMATORS["moe_gradient_clf"][0](),
    lambda: ESTIMATORS["ensemble_clf"][0](),
    lambda: HierarchicalMixtureClassifier(CLASSIFIERS, branching=2, max_iter=2,
                                          random_state=0),
    lambda: TorchMLPClassifier(max_epochs=2, random_state=0),
])
def test_missing_or_mixed_class_labels_are_named(make, bad, message):
    # Before, sorting the labels failed with a bare TypeError ("'<' not
    # supported between instances of 'NoneType' and 'str'") or an "Unknown
    # label type: unknown" that named neither the row nor the problem.
    X, y = _data("clf")
    with pytest.raises(ValueError, match=message):
        make().fit(X, bad(y))


@pytest.mark.parametrize("value, message", [(None, "missing class label"),
                                            (1, "mixes string and numeric")])
@pytest.mark.parametrize("name", ["mmoe", "hetero_mmoe"])
def test_missing_or_mixed_labels_of_a_classification_task_are_named(name, value, message):
    X, y = _data("multi")
    y = y.astype(object)
    y[:, 1] = np.where(y[:, 1] > 0, "yes", "no")
    y[4, 1] = value
    make = ESTIMATORS[name][0]
    with pytest.raises(ValueError, match=f"Classification task 1 .*{message}"):
        make(tasks=["regression", "binary"]).fit(X, y)


def test_an_expert_that_fails_in_predict_is_named_once():
    # The regressor predicts with each expert's fold fits averaged
    # (CrossFitAverage), which names the expert already: the error said
    # "Expert 'tree' (CrossFitAverage) failed in predict: Expert 'tree'
    # (DecisionTreeRegressor) failed in predict: ...".
    X, y = _regression()
    moe = MixtureOfExpertsRegressor(REGRESSORS, max_epochs=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="Expert 'tree' .*float32") as caught:
        moe.predict(np.array([[1e300, 0.0, 0.0]]))   # finite, too large for a tree
    assert str(caught.value).count("Expert 'tree'") == 1


class ScaledProbaClassifier(NaNClassifier):
    """A classifier whose probability rows sum to ``total``, with entries ``low``
    on the first class."""

    def __init__(self, total=1.5, low=0.6):
        self.total, self.low = total, low

    def predict_proba(self, X):
        proba = np.full((len(X), len(self.classes_)),
                        (self.total - self.low) / (len(self.classes_) - 1))
        proba[:, 0] = self.low
        return proba


def _bad_expert(task, kind):
    if task == "clf":
        return {"raises": RaisingClassifier(), "nan": NaNClassifier(),
                "no_proba": LinearSVC(), "not_a_distribution": ScaledProbaClassifier(),
                "negative": ScaledProbaClassifier(total=1.0, low=-0.1),
                "predict_raises": PredictRaisingClassifier(),
                "wrong_length": ShortClassifier()}[kind]
    return {"raises": RaisingRegressor(), "nan": NaNRegressor(),
            "predict_raises": PredictRaisingRegressor(), "wrong_length": ShortRegressor()}[kind]


_BAD_EXPERTS = {"raises": (RuntimeError, "Expert 'bad'.*always fails"),
                "nan": (ValueError, "'bad'.*NaN|NaN.*'bad'"),
                "no_proba": (TypeError, "'bad'.*predict_proba"),
                # Rows summing to 1.5 were averaged into the ensemble's output
                # and inflated the expert's likelihood in the mixtures.
                "not_a_distribution": (ValueError, "Expert 'bad'.*do not sum to one.*1.5"),
                "negative": (ValueError, "Expert 'bad'.*outside \\[0, 1\\].*-0.1"),
                # Errors in the experts' predict named no expert, and a
                # prediction with a row missing failed in a reshape.
                "predict_raises": (RuntimeError, "Expert 'bad'.*failed in predict.*cannot"),
                "wrong_length": (ValueError, "Expert 'bad'.*shape \\(\\d+,?.*for \\d+ rows")}
_CLASSIFIER_ONLY = {"no_proba", "not_a_distribution", "negative"}


@pytest.mark.parametrize("name, kind", [
    (name, kind) for name in WITH_EXPERTS for kind in _BAD_EXPERTS
    if kind not in _CLASSIFIER_ONLY or ESTIMATORS[name][1] == "clf"])
def test_bad_expert_is_named(name, kind):
    task = ESTIMATORS[name][1]
    error, message = _BAD_EXPERTS[kind]
    X, y = _data(task)
    good = (CLASSIFIERS if task == "clf" else REGRESSORS)[0]
    with pytest.raises(error, match=message):
        _fit_check(name, X, y, experts=[good, ("bad", _bad_expert(task, kind))])


@pytest.mark.parametrize("experts, error, message", [
    ("empty", TypeError, "non-empty list"),
    ("duplicate", ValueError, "not unique"),
    ("one", ValueError, "at least two experts"),
])
@pytest.mark.parametrize("name", WITH_EXPERTS)
def test_bad_expert_lists(name, experts, error, message):
    task = ESTIMATORS[name][1]
    pool = CLASSIFIERS if task == "clf" else REGRESSORS
    experts = {"empty": [], "duplicate": [pool[0], pool[0]], "one": pool[:1]}[experts]
    X, y = _data(task)
    with pytest.raises(error, match=message):
        _fit_check(name, X, y, experts=experts)


@pytest.mark.parametrize("params, message", [
    (dict(n_experts=1), "n_experts"),
    (dict(n_experts="two"), "n_experts"),
    (dict(top_k=0), "top_k"),
    (dict(top_k=3), "top_k"),
])
@pytest.mark.parametrize("name", MIXTURES)
def test_bad_n_experts_and_top_k(name, params, message):
    task = ESTIMATORS[name][1]
    pool = CLASSIFIERS if task == "clf" else REGRESSORS
    if "n_experts" in params:
        params = dict(params, experts=pool[1][1])
    X, y = _data(task)
    with pytest.raises((ValueError, TypeError), match=message):
        _fit_check(name, X, y, **params)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_predict_before_fit_and_with_wrong_features(name):
    make, task = ESTIMATORS[name]
    X, y = _data(task)
    with pytest.raises(NotFittedError):
        make().predict(X)
    est = _fit_check(name, X, y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :2])


@pytest.mark.parametrize("name", ESTIMATORS)
def test_sparse_input(name):
    X, y = _data(ESTIMATORS[name][1])
    if name in MIXTURES or name.startswith("ensemble"):
        # Their experts take X as it is (tests/test_raw_data.py).
        _fit_check(name, sparse.csr_matrix(X), y)
        return
    with pytest.raises((TypeError, ValueError), match="[Ss]parse"):
        _fit_check(name, sparse.csr_matrix(X), y)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_object_and_categorical_columns(name):
    pd = pytest.importorskip("pandas")
    X, y = _data(ESTIMATORS[name][1])
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    _fit_check(name, frame.astype(object), y)  # numbers stored as objects work
    frame["c"] = pd.Categorical(np.where(X[:, 2] > 0, "up", "down"))
    with pytest.raises(ValueError, match="could not convert|string"):
        _fit_check(name, frame, y)


@pytest.mark.parametrize("name", WITH_EXPERTS)
def test_nan_in_X_names_the_experts_that_refuse_it(name):
    # scikit-learn's message alone ("does not accept missing values ... consider
    # HistGradientBoosting") did not say which expert was at fault.
    task = ESTIMATORS[name][1]
    X, y = _data(task)
    X = X.copy()
    X[3, 0] = np.nan
    expert = ("lin", LogisticRegression() if task == "clf" else Ridge())
    tree = ("tree", DecisionTreeClassifier() if task == "clf" else DecisionTreeRegressor())
    with pytest.raises(ValueError, match=r"contains NaN\. Expert\(s\) 'lin' \((Ridge|"
                                         r"LogisticRegression)\) do not accept missing"):
        _fit_check(name, X, y, experts=[expert, tree])
    fitted = ESTIMATORS[name][0](experts=[expert, tree]).fit(*_data(task))
    with pytest.raises(ValueError, match=r"contains NaN\. Expert\(s\) 'lin'"):
        fitted.predict(X)


class DivergingRegressor(RegressorMixin, BaseEstimator):
    """Right (X[:, 0]) on most rows, ``value`` on every seventh."""

    def __init__(self, value=1e20):
        self.value = value

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        out = np.asarray(X, dtype=float)[:, 0].copy()
        out[::7] = self.value
        return out


@pytest.mark.parametrize("params", [{}, {"training": "em"}, {"top_k": 1}, "hme"])
def test_a_diverging_expert_is_named(params):
    # 1e20 overflowed the gate's float32 loss ("lower learning_rate"), 1e300
    # the heads' penalty search (an IndexError) and EM's E-step (an expert
    # "fitted on 0 samples"); the tree mixture predicted 1e13 silently.
    X, y = _regression(n=80)
    experts = [("ridge", Ridge()), ("bad", DivergingRegressor())]
    if params == "hme":
        model = HierarchicalMixtureRegressor(experts, branching=2, random_state=0)
    else:
        model = MixtureOfExpertsRegressor(experts, random_state=0, **params)
    with pytest.raises(ValueError, match="Expert 'bad' returned predictions .* standard "
                                         "deviations of y"):
        model.fit(X, y)


def test_a_large_but_finite_error_is_weighed_away():
    X, y = _regression(n=120)
    model = MixtureOfExpertsRegressor([("ridge", Ridge()), ("bad", DivergingRegressor(1e6))],
                                      random_state=0).fit(X, y)
    assert np.sqrt(np.mean((model.predict(X) - y) ** 2)) < 0.2


def _regression_mixtures(experts):
    """Factories of the gradient, EM and tree mixtures of ``experts``."""
    return [lambda: MixtureOfExpertsRegressor(experts, random_state=0),
            lambda: MixtureOfExpertsRegressor(experts, training="em", random_state=0),
            lambda: HierarchicalMixtureRegressor(experts, branching=2, random_state=0)]


@pytest.mark.parametrize("make", _regression_mixtures(REGRESSORS))
def test_a_target_too_spread_for_its_variances_is_named(make):
    # y of order 1e200: its standard deviation overflowed to infinity; the
    # default stopped in its heads' ridge ("Input X contains NaN"), EM predicted
    # (wrong numbers) without an error, the tree mixture named an expert.
    X, y = _regression(n=60)
    with pytest.raises(ValueError, match="target's standard deviation is .* Divide y"):
        make().fit(X, y * 1e200)
    # 1e100 is fine, and the predictions follow the scale of y.
    model = make()
    small = model.fit(X, y).predict(X)
    assert np.allclose(model.fit(X, y * 1e100).predict(X) / 1e100, small, rtol=1e-6,
                       atol=1e-6 * np.std(y))


LINEAR = [("ridge", Ridge()), ("line", LinearRegression())]   # (bic counts their parameters)


@pytest.mark.parametrize("make", _regression_mixtures(LINEAR))
def test_likelihood_of_a_bad_target_is_an_error(make):
    # A NaN target gave a NaN log-likelihood (and bic/aic NaN) with no error.
    from skmoe import bic
    X, y = _regression(n=60)
    model = make().fit(X, y)
    bad = y.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match=r"y contains NaN or infinity: 1 value\(s\) of y, "
                                         r"at row 3 \(positions counted from 0\)"):
        model.log_likelihood_samples(X, bad)
    with pytest.raises(ValueError, match="y contains NaN"):
        bic(model, X, bad)
    with pytest.raises(ValueError, match="1d array"):
        model.log_likelihood_samples(X, np.column_stack([y, y]))
    assert np.all(np.isfinite(model.log_likelihood_samples(X, y)))


@pytest.mark.parametrize("make", _regression_mixtures(REGRESSORS))
def test_a_target_too_little_spread_for_its_variances_is_named(make):
    # y of order 1e-200: its squares underflowed, its scale came out as one and
    # every standardised target as zero (predictions off by 1.5 standard
    # deviations of y, no error).
    X, y = _regression(n=60)
    with pytest.raises(ValueError, match="target's standard deviation is .* Multiply y"):
        make().fit(X, y * 1e-200)


class _DivergingMultiOutput(DivergingRegressor):
    """DivergingRegressor for every column of a 2-D target."""

    def fit(self, X, y, sample_weight=None):
        self.n_outputs_ = np.shape(y)[1]
        return super().fit(X, y)

    def predict(self, X):
        return np.tile(super().predict(X)[:, None], (1, self.n_outputs_))


def test_a_diverging_expert_of_the_multi_task_mixture_is_named():
    # Its gates weighed a prediction of 1e20 into every task (RMSE 2e19), and
    # of 1e300 into infinite errors, with no error.
    X, y = _regression(n=80)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("bad", _DivergingMultiOutput())], random_state=0)
    with pytest.raises(ValueError, match="Expert 'bad' returned predictions"):
        model.fit(X, np.column_stack([y, 2 * y]))


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(max_iter=5, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("ridge10", Ridge(10.0))], random_state=0),
])
def test_multi_task_mixtures_stay_finite_on_a_huge_value(make):
    # A value of 1e300 at predict was infinite in the float32 networks: NaN out.
    X, y = _regression(n=80)
    Y = np.column_stack([y, 2 * y])
    huge = X.copy()
    huge[0, 1] = 1e300
    assert np.all(np.isfinite(make().fit(X, Y).predict(huge)))


# -- experts that break the contract of fit and predict ---------------------------
class ForeignClassesClassifier(NaNClassifier):
    """A classifier whose classes_ are not the labels it was fitted on."""

    def __init__(self, classes="shifted"):
        self.classes = classes

    def fit(self, X, y, sample_weight=None):
        labels = np.unique(y)
        self.classes_ = labels + 10 if self.classes == "shifted" else np.array(
            [f"c{label}" for label in labels])
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))


def _classifier_mixtures(experts):
    return [lambda: ESTIMATORS["moe_em_clf"][0](experts=experts),
            lambda: ESTIMATORS["moe_gradient_clf"][0](experts=experts),
            lambda: ESTIMATORS["ensemble_clf"][0](experts=experts),
            lambda: EnsembleClassifier(experts, voting="hard"),
            lambda: HierarchicalMixtureClassifier(experts, branching=2, max_iter=2,
                                                  random_state=0)]


@pytest.mark.parametrize("classes, shown", [("shifted", r"\[10, 11\]"),
                                            ("strings", r"\['c0', 'c1'\]")])
@pytest.mark.parametrize("make", _classifier_mixtures(
    [CLASSIFIERS[0], ("bad", ForeignClassesClassifier())]))
def test_an_expert_with_classes_of_its_own_is_named(make, classes, shown):
    # Its probability columns are placed by classes_: classes_ outside the
    # encoded labels 0 .. C-1 failed with a bare "index 10 is out of bounds"
    # IndexError or "invalid literal for int()", naming no expert.
    X, y = _data("clf")
    model = make()
    model.set_params(bad__classes=classes)
    with pytest.raises(ValueError, match=rf"Expert 'bad' \(ForeignClassesClassifier\) has "
                                         rf"classes_ {shown} after fitting; .*encoded labels "
                                         r"0 \.\. 1"):
        model.fit(X, y)


class LabelClassifier(NaNClassifier):
    """A classifier whose predict returns ``labels`` (hard voting reads predict)."""

    def __init__(self, labels="negative"):
        self.labels = labels

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))

    def predict(self, X):
        if self.labels == "two_columns":
            return np.zeros((len(X), 2))
        return np.full(len(X), {"negative": -1, "too_large": 7, "fraction": 0.5}[self.labels])


@pytest.mark.parametrize("labels, message", [
    # -1 was counted as a vote for the last class and 0.5 as one for the
    # first, silently; 7 and a (n, 2) array failed with a bare IndexError.
    ("negative", r"returned labels such as \[-1\.0\]"),
    ("fraction", r"returned labels such as \[0\.5\]"),
    ("too_large", r"returned labels such as \[7\.0\]"),
    ("two_columns", r"returned predict of shape \(40, 2\)"),
])
def test_a_hard_vote_outside_the_classes_is_named(labels, message):
    X, y = _data("clf")
    model = EnsembleClassifier([CLASSIFIERS[0], ("bad", LabelClassifier(labels))],
                               voting="hard", weights=[1, 3]).fit(X, y)
    with pytest.raises(ValueError, match=rf"Expert 'bad' \(LabelClassifier\) {message}; a "
                                         r"hard vote needs one encoded label per row"):
        model.predict(X)


class SelfRidge(Ridge):
    """Ridge (returns self from fit)."""


class ForgetfulRidge(Ridge):
    """Ridge whose fit forgets to return self."""

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("make", [
    lambda experts: ESTIMATORS["moe_em_reg"][0](experts=experts),
    lambda experts: ESTIMATORS["moe_gradient_reg"][0](experts=experts),
    lambda experts: HierarchicalMixtureRegressor(experts, branching=2, max_iter=2,
                                                 random_state=0),
])
def test_an_expert_whose_fit_returns_none_is_the_fitted_expert(make):
    # The mixtures kept what fit returned: "Expert 'bad' (NoneType) failed in
    # predict: 'NoneType' object has no attribute 'predict'" (the ensembles,
    # like scikit-learn's, keep the estimator they fitted).
    X, y = _regression()
    tree = ("tree", DecisionTreeRegressor(max_depth=3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = make([tree, ("bad", SelfRidge())]).fit(X, y)
        model = make([tree, ("bad", ForgetfulRidge())]).fit(X, y)
    assert_allclose(model.predict(X), expected.predict(X))


class WritingRegressor(NaNRegressor):
    """Sets column 0 of its X to zero in ``fit`` or in ``predict`` (``when``)."""

    def __init__(self, when="fit"):
        self.when = when

    def fit(self, X, y, sample_weight=None):
        if self.when == "fit":
            X[:, 0] = 0.0
        return super().fit(X, y)

    def predict(self, X):
        if self.when == "predict":
            X[:, 0] = 0.0
        return np.zeros(len(X))


@pytest.mark.parametrize("when, make", [
    ("fit", lambda experts: ESTIMATORS["moe_em_reg"][0](experts=experts)),
    ("fit", lambda experts: EnsembleRegressor(experts)),
    ("fit", lambda experts: HierarchicalMixtureRegressor(experts, branching=2, max_iter=2,
                                                         random_state=0)),
    ("predict", lambda experts: ESTIMATORS["moe_gradient_reg"][0](experts=experts)),
    # (EM with an MLPGate predicts through skmoe._device_predict.)
    ("predict", lambda experts: ESTIMATORS["moe_em_reg"][0](experts=experts)),
    ("predict", lambda experts: EnsembleRegressor(experts)),
])
def test_an_expert_cannot_change_the_callers_X(when, make):
    # The experts got the caller's array itself: one that wrote into it
    # changed the user's data (and, in EM, what the other experts saw next).
    X, _ = _regression()
    y = X[:, 0].copy()
    original = X.copy()
    model = make([("ridge", Ridge()), ("bad", WritingRegressor(when))])
    if when == "predict":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        with pytest.raises(ValueError, match=r"Expert 'bad' \(WritingRegressor\) failed in "
                                             r"predict: .*read-only"):
            model.predict(X)
    else:
        with pytest.raises(ValueError, match=r"Expert 'bad' \(WritingRegressor\) failed to "
                                             r"fit: .*read-only .*writes into its X"):
            model.fit(X, y)
    assert_allclose(X, original)


def test_a_huge_capacity_factor_is_no_cap():
    # capacity_factor=1e300 (a valid float) made a capacity of 1e301 rows:
    # "OverflowError: int too big to convert" from torch.
    from skmoe._routing import expert_capacity
    assert expert_capacity(1e300, 1, 60, 2) == 60
    assert expert_capacity(1.0, 1, 60, 2) == 30
    X, y = _regression()
    fits = [MixtureOfExpertsRegressor(REGRESSORS, top_k=1, capacity_factor=factor,
                                      training="em", gate=FAST_GATE, max_iter=2,
                                      random_state=0).fit(X, y) for factor in (1e300, 2.0)]
    assert_allclose(fits[0].predict(X), fits[1].predict(X))   # both leave every row free


@pytest.mark.parametrize("gate, message", [
    # A bare "TypeError: 'NoneType' object is not iterable".
    (MLPGate(hidden_layer_sizes=None), "gate hidden_layer_sizes must be a tuple of positive "
                                       "integers, got None"),
    # A NaN training loss with the advice to lower learning_rate (gradient),
    # a fit without error (EM).
    (MLPGate(alpha=np.inf), "gate alpha must be a finite number >= 0, got inf"),
    (MLPGate(learning_rate=np.inf), "gate learning_rate must be a finite number > 0"),
])
def test_bad_gate_settings_are_named(gate, message):
    X, y = _regression()
    with pytest.raises(ValueError, match=message):
        MixtureOfExpertsRegressor(REGRESSORS, gate=gate, training="em", max_iter=1,
                                  random_state=0).fit(X, y)


# -- displays and persistence --------------------------------------------------------
@pytest.fixture(scope="module")
def fitted_moe():
    X, y = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ESTIMATORS["moe_em_reg"][0]().fit(X, y), X


def _column(X, j, value):
    X = X.copy()
    X[:, j] = value
    return X


@pytest.mark.parametrize("draw, error, message", [
    # Before: bare IndexErrors, "zero-size array to reduction operation",
    # int() of None, "Found array with 0 sample(s)" for grid_resolution=0, and
    # "Input X contains NaN" for a column holding infinity.
    (lambda d, m, X: d.GateDisplay.from_estimator(m, X[:, 0]), ValueError,
     r"Expected a 2D X .* got shape \(60,\)"),
    (lambda d, m, X: d.GateDisplay.from_estimator(m, X[:, :2], feature=2), ValueError,
     "X has 2 features, but MixtureOfExpertsRegressor is expecting 3"),
    (lambda d, m, X: d.GateDisplay.from_estimator(m, X[:0]), ValueError, "X has no rows"),
    (lambda d, m, X: d.GateDisplay.from_estimator(m, X, feature=None), TypeError,
     r"feature must be a column index \(int\) or a feature name \(str\), got None"),
    (lambda d, m, X: d.GateDisplay.from_estimator(m, X, feature=1.5), TypeError,
     "feature must be a column index"),
    (lambda d, m, X: d.GateDisplay.from_estimator(m, X, grid_resolution=0), ValueError,
     "grid_resolution must be an integer >= 2, got 0"),
    (lambda d, m, X: d.GateDisplay.from_estimator(m, _column(X, 0, np.inf)), ValueError,
     r"Feature 'x0' of X has no finite range \(infinite values\)"),
    (lambda d, m, X: d.GateDisplay.from_estimator(m, _column(X, 0, np.nan)), ValueError,
     r"Feature 'x0' of X has no finite range \(only missing values\)"),
    (lambda d, m, X: d.GateRegionDisplay.from_estimator(m, X, features=0), ValueError,
     "features must name two features, got 0"),
    (lambda d, m, X: d.GateRegionDisplay.from_estimator(m, X[:, 0]), ValueError,
     "Expected a 2D X"),
    (lambda d, m, X: d.ComparisonDisplay.from_result(m), TypeError,
     "Expected a ComparisonResult .*got MixtureOfExpertsRegressor"),
])
def test_displays_name_bad_input(fitted_moe, draw, error, message):
    pytest.importorskip("matplotlib")
    from skmoe import plotting
    model, X = fitted_moe
    with pytest.raises(error, match=message):
        draw(plotting, model, X)


def test_persistence_helpers_name_bad_arguments(fitted_moe):
    pytest.importorskip("skops")
    from skmoe.persistence import trusted_types, untrusted_types
    # A bare "'NoneType' object is not iterable".
    with pytest.raises(TypeError, match="extra must be a type name or an iterable of type "
                                        "names .*got None"):
        trusted_types(None)
    # A bare "a bytes-like object is required, not 'MixtureOfExpertsRegressor'".
    with pytest.raises(TypeError, match=r"data must be the bytes that skops\.io\.dumps "
                                        r"returns, got MixtureOfExpertsRegressor"):
        untrusted_types(fitted_moe[0])
    # zipfile's "BadZipFile: File is not a zip file".
    with pytest.raises(ValueError, match=r"data is not a model saved by skops\.io\.dump"):
        untrusted_types(b"not a model")


class ComplexRegressor(NaNRegressor):
    """Predicts complex numbers (real part right, imaginary part 1)."""

    def fit(self, X, y, sample_weight=None):
        self.coef_ = 1.0
        return self

    def predict(self, X):
        return X[:, 0] + 1j


class ExtraColumnClassifier(LogisticRegression):
    """Its predict_proba has one column more than its classes_."""

    def predict_proba(self, X):
        proba = super().predict_proba(X)
        return np.hstack([proba, np.zeros((len(proba), 1))])


@pytest.mark.parametrize("make", [
    lambda experts: ESTIMATORS["moe_gradient_reg"][0](experts=experts),
    lambda experts: ESTIMATORS["moe_em_reg"][0](experts=experts),
    lambda experts: EnsembleRegressor(experts),
])
def test_complex_predictions_are_named(make):
    # numpy's cast to float64 dropped the imaginary parts with a ComplexWarning
    # only: the mixture predicted from the real parts.
    X, y = _regression()
    with pytest.raises(ValueError, match=r"Expert 'bad' \(ComplexRegressor\) failed in "
                                         r"predict: it returned complex numbers"):
        make([("ridge", Ridge()), ("bad", ComplexRegressor())]).fit(X, y).predict(X)


@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsClassifier(experts, random_state=0),
    lambda experts: EnsembleClassifier(experts),
    lambda experts: HierarchicalMixtureClassifier(experts, branching=2, max_iter=2,
                                                  random_state=0),
])
def test_probability_columns_other_than_the_classes_are_named(make):
    # Two classes_ and three columns: a bare "shape mismatch: value array of
    # shape (60,3) could not be broadcast to indexing result of shape (60,2)".
    X, y = _data("clf")
    with pytest.raises(ValueError, match=r"Expert 'bad' \(ExtraColumnClassifier\) returned "
                                         r"predict_proba with 3 columns but has 2 classes_"):
        make([("tree", DecisionTreeClassifier(max_depth=2)),
              ("bad", ExtraColumnClassifier())]).fit(X, y).predict_proba(X)


@pytest.mark.parametrize("value, message", [(None, r"1 missing class label\(s\) .*row 4"),
                                            (np.nan, r"1 missing class label\(s\) .*row 4"),
                                            (7, "mixes string and numeric class labels")])
def test_likelihood_of_missing_or_mixed_labels_is_named(value, message):
    # log_likelihood_samples(X, y) sorted the labels first: a None, a NaN or a
    # number among string labels stopped it with a bare TypeError ("'<' not
    # supported between instances of 'NoneType' and 'str").
    X, y = _data("clf")
    model = ESTIMATORS["moe_em_clf"][0]().fit(X, y)
    bad = _labels_with(y, 4, value)
    with pytest.raises(ValueError, match=message):
        model.log_likelihood_samples(X, bad)
    assert np.all(np.isfinite(model.log_likelihood_samples(X, y)))


def _sign_label(X):
    return np.where(X[:, 0] > 0, "yes", "no")


@pytest.mark.parametrize("value", [None, np.nan])
def test_score_of_a_rule_expert_names_missing_labels(value):
    # skmoe's experts' score (checked_score: RuleExpert, CrossFitAverage)
    # skipped the label check that the mixtures' score makes: a None label
    # was a bare TypeError ("'<' not supported between instances of
    # 'NoneType' and 'str"), a NaN one "Input y_true contains NaN." with a
    # cast warning.
    X, y = _data("clf")
    model = RuleExpert(_sign_label, task="classification").fit(X, y)
    with pytest.raises(ValueError, match=r"y has 1 missing class label\(s\) .*row 4"):
        model.score(X, _labels_with(y, 4, value))
    assert 0 <= model.score(X, y) <= 1


@pytest.mark.parametrize("make", [
    lambda: ESTIMATORS["moe_em_clf"][0](),
    lambda: ESTIMATORS["moe_gradient_clf"][0](),
    lambda: ESTIMATORS["ensemble_clf"][0](),
])
def test_pandas_na_among_class_labels_is_named(make):
    # pandas' NA (a string column's missing value) stopped scikit-learn's
    # target check with a bare "boolean value of NA is ambiguous".
    pd = pytest.importorskip("pandas")
    X, y = _data("clf")
    with pytest.raises(ValueError, match=r"y has 1 missing class label\(s\) .*row 5"):
        make().fit(X, _labels_with(y, 5, pd.NA))


@pytest.mark.parametrize("make", [
    lambda: ESTIMATORS["moe_em_reg"][0](),
    lambda: ESTIMATORS["moe_gradient_reg"][0](),
    lambda: EnsembleRegressor(REGRESSORS),
])
def test_a_regression_target_of_words_is_named(make):
    # A string y that is no number failed in a bare float cast ("could not
    # convert string to float") naming nothing; numbers written as strings
    # still work.
    X, y = _regression()
    with pytest.raises(ValueError, match=r"y must be numeric for \w+ \(a regressor\): could "
                                         r"not convert string to float"):
        make().fit(X, np.where(y > 0, "high", "low"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_allclose(make().fit(X, y.astype(str)).predict(X), make().fit(X, y).predict(X))


class _DuckRegressor:
    """fit / predict / get_params, but no BaseEstimator (so no estimator tags)."""

    def __init__(self, shift=0.0):
        self.shift = shift

    def get_params(self, deep=True):
        return {"shift": self.shift}

    def set_params(self, **params):
        self.shift = params.get("shift", self.shift)
        return self

    def fit(self, X, y, sample_weight=None):
        self.mean_ = float(np.mean(y)) + self.shift
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsRegressor(experts),
    lambda experts: EnsembleRegressor(experts),
    lambda experts: HeterogeneousMultiGateMixtureOfExperts(experts, max_iter=2),
], ids=["mixture", "ensemble", "multi-task"])
def test_an_expert_without_estimator_tags_is_named(make):
    # scikit-learn's is_classifier raised its own AttributeError about
    # __sklearn_tags__ and the MRO, naming no expert.
    X = np.random.RandomState(0).normal(size=(40, 2))
    y = X[:, 0]
    with pytest.raises(TypeError, match=r"Expert 'duck' \(_DuckRegressor\) has no "
                                        r"scikit-learn estimator tags.*BaseEstimator"):
        make([("ridge", Ridge()), ("duck", _DuckRegressor())]).fit(X, y)
