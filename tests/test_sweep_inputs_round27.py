"""Bad-input sweep, round 27: the single-target mixtures' and ensembles' entry
points and compare(), given experts of odd outputs, parameters addressed by
position, targets with gaps and metrics that do not apply.

Each test fails without the fix it names.
"""

from inspect import signature

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import brier_score_loss
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


class _SparseRegressor(RegressorMixin, BaseEstimator):
    """Ridge's predictions as a sparse (n, 1) column."""

    def fit(self, X, y, sample_weight=None):
        self.model_ = Ridge().fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X):
        return sparse.csr_matrix(self.model_.predict(X)[:, None])


class _SparseClassifier(ClassifierMixin, BaseEstimator):
    """LogisticRegression's probabilities as a sparse matrix."""

    def fit(self, X, y, sample_weight=None):
        self.model_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return sparse.csr_matrix(self.model_.predict_proba(X))


@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("r", Ridge()), ("s", _SparseRegressor())]),
    lambda: MixtureOfExpertsRegressor([("r", Ridge()), ("s", _SparseRegressor())],
                                      training="em", max_iter=2, random_state=0),
    lambda: EnsembleClassifier([("r", LogisticRegression()), ("s", _SparseClassifier())]),
    lambda: MixtureOfExpertsClassifier([("r", LogisticRegression()),
                                        ("s", _SparseClassifier())], random_state=0),
])
def test_an_expert_returning_a_sparse_matrix_is_told_to_return_a_dense_one(make):
    # numpy read the sparse matrix as one object: "Expert 's' (_SparseRegressor)
    # failed in predict: setting an array element with a sequence." (fit of
    # the mixtures and the greedy ensemble, predict of the plain ensemble).
    X, y = _data()
    model = make()
    if isinstance(model, ClassifierMixin):
        y = (y > 0).astype(int)
    method = "predict_proba" if isinstance(model, ClassifierMixin) else "predict"
    with pytest.raises(ValueError, match=rf"Expert 's' \(_Sparse\w+\) failed in {method}: it "
                                         r"returned a sparse matrix \(csr_matrix of shape "
                                         r"\(\d+, [12]\)\); expected a dense array"):
        model.fit(X, y).predict(X)   # (a plain ensemble calls its experts at predict)


@pytest.mark.parametrize("make", [MixtureOfExpertsRegressor, EnsembleRegressor])
@pytest.mark.parametrize("given, hint", [
    ("dict", r"got dict; for a dict of name -> estimator pass list\(experts\.items\(\)\)\."),
    ("generator", r"got generator; pass the pairs as a list, list\(experts\)"),
])
def test_experts_given_as_a_dict_or_a_generator_are_told_how_to_pass_them(make, given, hint):
    # A dict of name -> estimator (as compare() takes) or a generator of pairs
    # was told only "experts must be a non-empty list of (name, estimator)
    # pairs or a single estimator, got dict." -- as None is.
    X, y = _data()
    pairs = [("ridge", Ridge()), ("strong", Ridge(alpha=10.0))]
    experts = dict(pairs) if given == "dict" else (pair for pair in pairs)
    with pytest.raises(TypeError, match=r"experts must be a non-empty list of \(name, "
                                        rf"estimator\) pairs or a single estimator, {hint}"):
        make(experts).fit(X, y)
    # What the hint says fits.
    fixed = list(dict(pairs).items()) if given == "dict" else list(pairs)
    assert make(fixed).fit(X, y).predict(X[:2]).shape == (2,)


@pytest.mark.parametrize("key, hint", [("experts__1__max_depth", "'tree__max_depth'"),
                                       ("experts__0", "'ridge'"),
                                       ("experts__5__alpha", "'ridge__5__alpha'")])
def test_set_params_of_an_expert_by_position_hints_at_its_name(key, hint):
    # The hint put the first expert's name in front of the position:
    # set_params(experts__1__max_depth=2) was told "e.g. 'ridge__1__max_depth'",
    # a key that fails too. (A position past the experts keeps the general hint.)
    mixture = MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())])
    with pytest.raises(ValueError, match=rf"address an expert by its name, e\.g\. {hint}\."):
        mixture.set_params(**{key: 2})
    if key == "experts__1__max_depth":   # the key the hint gives sets the tree's
        assert mixture.set_params(tree__max_depth=2).experts[1][1].max_depth == 2


@pytest.mark.parametrize("gap", [np.nan, np.inf, None])
def test_compare_names_a_regression_target_with_gaps_before_fitting(gap):
    # A gap in y was blamed on the first model: "Model 'ridge' failed to fit on
    # a split of 26 training rows: Input y contains NaN." (with the gap among
    # the test rows: "failed to score (r2) ...: Input contains NaN.").
    X, y = _data()
    y = y.astype(object) if gap is None else y.copy()
    y[7] = gap

    class _NeverFitted(Ridge):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fitted")

    with pytest.raises(ValueError, match=r"y contains NaN or infinity \(1 row\(s\), e\.g\. "
                                         r"row 7\); the regressors need finite targets"):
        compare({"ridge": _NeverFitted(), "other": Ridge()}, X, y, cv=3)


def test_a_gate_transformer_that_fails_is_named():
    # scikit-learn's own words alone, naming neither the transformer nor the
    # gate: "n_components=5 must be between 0 and min(n_samples, n_features)=3
    # with svd_solver='covariance_eigh'" at fit; "Found unknown categories
    # [np.float64(9.0)] in column 0 during transform" at predict.
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import OneHotEncoder
    X, y = _data()
    mixture = MixtureOfExpertsRegressor([("r", Ridge()), ("s", Ridge(alpha=10.0))],
                                        gate_transformer=PCA(n_components=5), random_state=0)
    with pytest.raises(ValueError, match=r"^gate_transformer \(PCA\) failed in fit_transform: "
                                         r"n_components=5 must be between 0 and"):
        mixture.fit(X, y)
    codes = np.tile([0.0, 1.0, 2.0, 3.0], 10)[:, None]
    mixture.set_params(gate_transformer=OneHotEncoder()).fit(codes, y)
    with pytest.raises(ValueError, match=r"^gate_transformer \(OneHotEncoder\) failed in "
                                         r"transform: Found unknown categories \[(np\.float64\()?9\.0"):
        mixture.predict([[9.0]])


@pytest.mark.skipif("labels" not in signature(brier_score_loss).parameters,
                    reason="multi-class Brier score needs scikit-learn >= 1.7")
def test_compare_scores_brier_of_two_text_labels_on_folds_of_both():
    # Folds holding both labels 'n' and 'p' failed after the fit: "Model 'lr'
    # failed to score (neg_brier_score) on a split of 26 training rows: y_true
    # takes value in {'n', 'p'} and pos_label is not specified" (folds of one
    # label were scored). The scores are those of the same labels as 0/1.
    X, y = _data()
    codes = (y > 0).astype(int)
    estimators = {"lr": LogisticRegression(), "weak": LogisticRegression(C=0.01)}
    as_text = compare(estimators, X, np.array(["n", "p"])[codes], cv=3,
                      scoring="neg_brier_score")
    as_numbers = compare(estimators, X, codes, cv=3, scoring="neg_brier_score")
    for name in estimators:
        np.testing.assert_allclose(as_text.scores[name]["neg_brier_score"],
                                   as_numbers.scores[name]["neg_brier_score"], rtol=1e-12)


@pytest.mark.parametrize("scoring, labels, message", [
    ("roc_auc", ["a", "b", "c"], r"scoring 'roc_auc' cannot score y's classes \['a', 'b', "
                                 r"'c'\]: multi_class must be in \('ovo', 'ovr'\)\. Use "
                                 r"'roc_auc_ovr' or 'roc_auc_ovo' for more than two classes\."),
    ("f1", [0, 1, 2], r"scoring 'f1' cannot score y's classes \[0, 1, 2\]: Target is "
                      r"multiclass but average='binary'.* Use 'f1_macro' or 'f1_weighted'"),
    ("precision", ["no", "yes"], r"scoring 'precision' cannot score y's classes \['no', "
                                 r"'yes'\]: pos_label=1 is not a valid label.* e\.g\. "
                                 r"scoring=\{'precision': make_scorer\(precision_score, "
                                 r"pos_label='yes'\)\}\."),
    ("average_precision", ["no", "yes"], r"make_scorer\(average_precision_score, "
                                         r"pos_label='yes', response_method=\("
                                         r"'decision_function', 'predict_proba'\)\)"),
])
def test_compare_refuses_a_scorer_that_cannot_score_the_classes_before_fitting(
        scoring, labels, message):
    # It failed at the first score, after a fit, blamed on the first model:
    # "Model 'lr' failed to score (roc_auc) on a split of 26 training rows:
    # multi_class must be in ('ovo', 'ovr')".
    from sklearn.metrics import make_scorer

    X, y = _data()
    codes = np.digitize(y, [-0.5, 0.5]) if len(labels) == 3 else (y > 0).astype(int)
    labels = np.array(labels)[codes]

    class _NeverFitted(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fitted")

    with pytest.raises(ValueError, match=message):
        compare({"lr": _NeverFitted(), "other": LogisticRegression()}, X, labels, cv=3,
                scoring=scoring)
    if scoring == "average_precision":   # the scorer the hint gives scores those labels
        from sklearn.metrics import average_precision_score
        hinted = make_scorer(average_precision_score, pos_label="yes",
                             response_method=("decision_function", "predict_proba"))
        result = compare({"lr": LogisticRegression(), "other": LogisticRegression(C=0.1)},
                         X, labels, cv=3, scoring={"ap": hinted})
        assert np.all(result.scores["lr"]["ap"] > 0.5)


def test_cli_class_labels_that_read_as_one_number_are_named(tmp_path):
    # pandas reads "007" and "07" as 7: two classes of the file became one,
    # silently ("The target 'target' has a single value (7)"; with a third
    # label, a classification of two classes instead of three).
    from skmoe._cli import UserError, load_csv
    X, y = _data()
    labels = np.where(y > 0.5, "007", np.where(y > -0.5, "07", "08"))
    path = tmp_path / "codes.csv"
    path.write_text("a,b,target\n" + "".join(f"{a:.3f},{b:.3f},{label}\n" for (a, b, _), label
                                               in zip(X, labels)))
    with pytest.raises(UserError, match=r"The target 'target' holds labels written differently "
                                        r"that read as the same number \('0?07' and '0?07' are "
                                        r"both 7\): pass --task classification to keep them "
                                        r"apart as written"):
        load_csv(str(path))
    _, target, task, _ = load_csv(str(path), task="classification")
    assert task == "classification"
    assert target.tolist() == labels.tolist()   # the three labels as written
    # Labels written one way each are read as numbers, as before.
    path.write_text(path.read_text().replace(",007\n", ",9\n"))
    _, target, _, _ = load_csv(str(path))
    assert sorted(set(target.tolist())) == [7, 8, 9]


@pytest.mark.parametrize("make", [
    lambda cv: MixtureOfExpertsRegressor([("r", Ridge()), ("s", Ridge(alpha=10.0))], cv=cv,
                                         random_state=0),
    lambda cv: MixtureOfExpertsRegressor([("r", Ridge()), ("s", Ridge(alpha=10.0))], cv=cv,
                                         training="em", random_state=0),
    lambda cv: EnsembleRegressor([("r", Ridge()), ("s", Ridge(alpha=10.0))], cv=cv,
                                 weights="greedy"),
])
@pytest.mark.parametrize("cv, says", [
    ("predefined", r"cv \(PredefinedSplit\) puts 10 of the 40 rows in no test fold\.$"),
    ("shuffle", r"cv \(ShuffleSplit\) puts 19 of the 40 rows in no test fold and 3 of the "
                r"40 rows in several\.$"),
    ("list", r"cv puts 20 of the 40 rows in no test fold\.$"),
])
def test_cv_that_leaves_rows_out_of_the_test_folds_is_told_how_many(make, cv, says):
    # "cv must put every row in exactly one test fold (as KFold does), so that
    # each row gets one out-of-fold prediction." said neither which splitter
    # nor what it did (a PredefinedSplit whose test_fold holds -1, say).
    from sklearn.model_selection import PredefinedSplit, ShuffleSplit
    X, y = _data()
    cv = {"predefined": PredefinedSplit(np.where(np.arange(40) < 10, -1, np.arange(40) % 3)),
          "shuffle": ShuffleSplit(2, test_size=0.3, random_state=0),
          "list": [(np.arange(20, 40), np.arange(20))]}[cv]
    with pytest.raises(ValueError, match=r"cv must put every row in exactly one test fold "
                                         r"\(as KFold does\), so that each row gets one "
                                         r"out-of-fold prediction; " + says):
        make(cv).fit(X, y)


def test_paired_test_refuses_a_model_against_itself():
    # ComparisonResult.paired_test('ridge', 'ridge') "tested" a model against
    # itself: t = 0, p = 1, as if the comparison had found no difference
    # (compare's pair= refuses the same).
    X, y = _data()
    result = compare({"ridge": Ridge(), "strong": Ridge(alpha=10.0)}, X, y, cv=3)
    with pytest.raises(ValueError, match=r"a and b are the same estimator \('ridge'\); a "
                                         r"paired test needs two different ones\."):
        result.paired_test("ridge", "ridge")
    assert result.paired_test("ridge", "strong").df == 2


@pytest.mark.parametrize("call", [lambda result: result.display_scores(["ridge"]),
                                  lambda result: result.paired_test(["ridge"], "strong")])
def test_comparison_result_names_a_list_given_for_a_name(call):
    # A list where one name belongs was a bare "TypeError: unhashable type: 'list'".
    X, y = _data()
    result = compare({"ridge": Ridge(), "strong": Ridge(alpha=10.0)}, X, y, cv=3)
    with pytest.raises(TypeError, match=r"Estimators are named by one string each, got "
                                        r"\['ridge'\]; choose from \['ridge', 'strong'\]\."):
        call(result)


def test_an_invalid_gate_is_refused_before_its_options_are_warned_of():
    # MLPGate(solver='sgd') was first warned of ("gate parameter(s)
    # solver='sgd' have no effect with training='auto' (here 'gradient')"),
    # then refused: a warning about a value that is an error.
    import warnings

    from skmoe.gates import MLPGate
    X, y = _data()
    mixture = MixtureOfExpertsRegressor([("r", Ridge()), ("s", Ridge(alpha=10.0))],
                                        gate=MLPGate(solver="sgd"), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"gate solver must be 'lbfgs' or 'adam', got "
                                             r"'sgd'\."):
            mixture.fit(X, y)
    # A valid gate option the trainer ignores is still warned of.
    with pytest.warns(UserWarning, match=r"gate parameter\(s\) solver='adam' have no effect"):
        mixture.set_params(gate=MLPGate(solver="adam")).fit(X, y)


@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("ridge", Ridge()), ("strong", Ridge(alpha=10.0))]),
    lambda: EnsembleClassifier([("lr", LogisticRegression()),
                                ("tree", DecisionTreeClassifier(max_depth=2))]),
])
def test_ensemble_weights_whose_sum_overflows_are_named(make):
    # The experts get the ensemble's weights as given, and their sums
    # overflowed inside them, blamed on an expert: "Expert 'ridge' (Ridge)
    # failed to fit: array must not contain infs or NaNs" (after numpy's
    # overflow warnings), "Expert 'tree' returned NaN or infinite predictions".
    import warnings
    X, y = _data()
    model = make()
    if isinstance(model, ClassifierMixin):
        y = (y > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"sample_weight sums to more than the largest "
                                             r"float \(its largest weight is 1e\+308\); "
                                             r"Ensemble\w+ gives the weights to its experts as "
                                             r"they are: divide them by a constant\."):
            model.fit(X, y, sample_weight=np.full(len(y), 1e308))
    # Divided by a constant, they fit.
    assert model.fit(X, y, sample_weight=np.full(len(y), 1e300)).predict(X[:2]).shape == (2,)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("r", Ridge()), ("s", Ridge(alpha=10.0))],
                                      random_state=0),
    lambda: EnsembleRegressor([("r", Ridge()), ("s", Ridge(alpha=10.0))]),
    lambda: EnsembleClassifier([("lr", LogisticRegression()),
                                ("tree", DecisionTreeClassifier(max_depth=2))]),
])
def test_a_target_of_several_columns_is_sent_to_the_multi_task_mixtures(make):
    # scikit-learn's "y should be a 1d array, got an array of shape (40, 2)
    # instead." did not say where several targets go.
    X, y = _data()
    model = make()
    Y = np.c_[y, -y]
    if isinstance(model, ClassifierMixin):
        Y = (Y > 0).astype(int)
    with pytest.raises(ValueError, match=r"y should be a 1d array, got an array of shape "
                                         r"\(40, 2\) instead: \w+ fits one target; for "
                                         r"several, use MultiGateMixtureOfExperts or "
                                         r"HeterogeneousMultiGateMixtureOfExperts"):
        model.fit(X, Y)
    assert model.fit(X, Y[:, :1].ravel()).predict(X[:2]).shape == (2,)   # one column fits
