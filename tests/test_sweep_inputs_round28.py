"""Bad-input sweep, round 28: the multi-task and hierarchical estimators, the
wrappers (CrossFitAverage, RuleExpert, AutoGateTransformer), persistence and
the displays.

Each test fails without the fix it names.
"""

import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import (AutoGateTransformer, CrossFitAverage, HeterogeneousMultiGateMixtureOfExperts,
                   MultiGateMixtureOfExperts, RuleExpert)


def _slope(X, a=1.0):
    return a * X[:, 0]


@pytest.mark.parametrize("start, fitted", [(2**64, None), (Fraction(3, 2), None),
                                           (10**400, "10**400")],
                         ids=["2**64", "Fraction", "10**400"])
def test_rule_params_of_python_ints_or_fractions_are_read_as_numbers(start, fitted):
    # A start of 2**64 or Fraction(3, 2) (numbers.Real) stopped in np.isfinite
    # with numpy's bare "ufunc 'isfinite' not supported for the input types",
    # naming no parameter; 10**400, beyond float64, too.
    X = np.arange(20.0).reshape(10, 2)
    y = 2.0 * X[:, 0]
    if fitted is not None:
        with pytest.raises(ValueError, match=r"RuleExpert params must map names to numbers "
                                             r"\(the finite starting values of the search\); "
                                             r"'a' is 1000000"):
            RuleExpert(_slope, params={"a": start}).fit(X, y)
        return
    rule = RuleExpert(_slope, params={"a": start}).fit(X, y)
    # The search of the same start given as a float.
    as_float = RuleExpert(_slope, params={"a": float(start)}).fit(X, y)
    assert rule.params_ == as_float.params_
    assert rule.noise_std_ == as_float.noise_std_


def _two_tasks(n=30):
    X = np.random.RandomState(0).normal(size=(n, 2))
    return X, np.c_[X[:, 0], (X[:, 1] > 0).astype(int)]


def _multitask_models():
    return [MultiGateMixtureOfExperts(["regression", "binary"], max_iter=2, random_state=0),
            HeterogeneousMultiGateMixtureOfExperts([("a", Ridge()), ("b", Ridge(alpha=10.0))],
                                                   ["regression", "binary"], max_iter=2,
                                                   random_state=0)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=2
@pytest.mark.parametrize("model", _multitask_models(), ids=["mmoe", "hetero"])
def test_multitask_y_given_as_a_dict_is_told_to_be_a_frame(model):
    # np.asarray of a dict is a 0-d object array: fit and score said "y must
    # have shape (n_samples,) or (n_samples, n_tasks) with n_samples=30; got
    # shape ()" for a dict of two columns of 30 values.
    X, Y = _two_tasks()
    columns = {"price": Y[:, 0], "sold": Y[:, 1]}
    message = (r"y is a dict \(keys \['price', 'sold'\]\); pass one column per task as an "
               r"array of shape \(n_samples, n_tasks\) or a DataFrame, e.g\. pd\.DataFrame\(y\)")
    with pytest.raises(TypeError, match=message):
        model.fit(X, columns)
    model.fit(X, pd.DataFrame(columns))          # the fix the message names
    with pytest.raises(TypeError, match=message):
        model.score(X, columns)
    assert model.score(X, pd.DataFrame(columns)) == model.score(X, Y)


def test_auto_gate_transformer_refuses_integer_labelled_columns_in_another_order():
    # Column labels 0, 1, 2 are no feature names to scikit-learn: transform of
    # X[[2, 1, 0]] gave the view of the swapped columns, silently (the
    # mixtures refuse it, round 11).
    X = pd.DataFrame(np.arange(12.0).reshape(4, 3))
    view = AutoGateTransformer().fit(X)
    with pytest.raises(ValueError, match=r"X has the columns seen in fit in another order "
                                         r"\(\[2, 1, 0\]; in fit: \[0, 1, 2\]\)"):
        view.transform(X[[2, 1, 0]])
    np.testing.assert_array_equal(view.transform(X), X.to_numpy())
    # String labels are scikit-learn's feature names, checked as before.
    named = X.set_axis(["a", "b", "c"], axis=1)
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        AutoGateTransformer().fit(named).transform(named[["c", "b", "a"]])


def test_cross_fit_average_warns_once_of_feature_names_as_its_fits_would():
    # Its fits predict without their feature-names warnings (one per fit would
    # be a storm), and an array given to an average of fits on a DataFrame was
    # predicted without the warning scikit-learn's estimators give.
    X = pd.DataFrame(np.random.RandomState(0).normal(size=(20, 3)), columns=["a", "b", "c"])
    y = X["a"] - X["b"]
    fits = [Ridge().fit(X.iloc[rows], y.iloc[rows]) for rows in (slice(0, 15), slice(5, 20))]
    average = CrossFitAverage(fits)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pred = average.predict(X.to_numpy())
    assert [str(w.message) for w in caught] == [
        "X does not have valid feature names, but CrossFitAverage was fitted with feature names"]
    np.testing.assert_allclose(pred, (fits[0].predict(X) + fits[1].predict(X)) / 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # a DataFrame as in fit: no warning
        average.predict(X)
    # Classification: predict_proba (and predict through it) warns as well.
    labels = (X["a"] > 0).astype(int)
    classifier = CrossFitAverage([LogisticRegression().fit(X, labels)], n_classes=2)
    for method in ("predict_proba", "predict"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(classifier, method)(X.to_numpy())
        assert len(caught) == 1 and "CrossFitAverage was fitted with feature names" in str(
            caught[0].message)


def test_untrusted_types_names_a_skops_file_opened_in_text_mode(tmp_path):
    # zipfile's "File is not a zip file" was reported as "file is not a model
    # saved by skops.io.dump(s)", of a file that was one, opened with open(path).
    sio = pytest.importorskip("skops.io")
    from skmoe.persistence import untrusted_types
    path = tmp_path / "view.skops"
    sio.dump(AutoGateTransformer().fit(np.eye(3)), path)
    with open(path) as text:
        with pytest.raises(TypeError, match=r"file is open in text mode \('r'\); a skops file "
                                            r"is a zip archive: open it in binary mode, "
                                            r"open\(path, 'rb'\), or pass the path itself"):
            untrusted_types(file=text)
    with open(path, "rb") as binary:
        assert untrusted_types(file=binary) == untrusted_types(file=path) == []


def _first_column(X):
    return X[:, 0]


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_rule_expert_refuses_integer_labelled_columns_in_another_order(task):
    # A rule reads columns by position, and labels 0, 1, 2 are no feature
    # names that scikit-learn checks: X[[2, 1, 0]] gave the rule's output on
    # column 2 for column 0 without a word (the mixtures refuse such an X).
    X = pd.DataFrame(np.arange(30.0).reshape(10, 3) % 7)
    y = X[0] if task == "regression" else (X[0] > 3).astype(int)
    rule = RuleExpert(_first_column, task=task).fit(X, y)
    with pytest.raises(ValueError, match=r"X has the columns seen in fit in another order "
                                         r"\(\[2, 1, 0\]; in fit: \[0, 1, 2\]\)\. .* and the "
                                         r"rule reads the columns by position"):
        rule.predict(X[[2, 1, 0]])
    assert rule.score(X, y) == 1.0         # in the order of fit, as before


def _sign_or_none(X):
    return np.where(X[:, 0] > 1, None, np.where(X[:, 1] > 0, "up", "down"))


def _sign_or_na_string(X):
    return pd.array(_sign_or_none(X), dtype="string")


def _sign_or_na_boolean(X):
    return pd.array(np.where(X[:, 0] > 1, None, X[:, 1] > 0), dtype="boolean")


@pytest.mark.parametrize("rule", [_sign_or_none, _sign_or_na_string, _sign_or_na_boolean])
def test_a_classification_rule_without_an_answer_for_some_rows_is_told_they_are_missing(rule):
    # None or pd.NA among the outcomes said "returned outcomes that cannot be
    # sorted ('<' not supported between instances of 'NoneType' and ...)" or
    # "(boolean value of NA is ambiguous); return labels of one type", and a
    # pandas boolean array with pd.NA "returned a masked array ... e.g.
    # out.filled(fallback)", a method pandas arrays lack.
    X = np.random.RandomState(0).normal(size=(40, 2))
    n_missing = int(np.sum(X[:, 0] > 1))
    assert n_missing > 0
    with pytest.raises(ValueError, match=rf"RuleExpert\({rule.__name__}\) returned outcomes "
                                         rf"that cannot be sorted \(.*\): {n_missing} of 40 "
                                         r"are missing \(None, NaN or pd\.NA\); a rule must "
                                         r"give every row an outcome"):
        RuleExpert(rule, task="classification").fit(X, (X[:, 1] > 0).astype(int))
    # At predict, for rows fit never saw the rule leave without an answer.
    rows = np.abs(X[:, 0]) <= 1
    fitted = RuleExpert(rule, task="classification").fit(X[rows], (X[rows, 1] > 0).astype(int))
    with pytest.raises(ValueError, match=rf"sorted \(.*\): {n_missing} of 40 are missing"):
        fitted.predict(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=2
def test_pickling_a_multi_gate_mixture_names_the_module_it_cannot_store():
    # A lambda given as expert_module (the form the modules' own errors show)
    # stopped pickle with "Can't pickle <function <lambda> ...>: attribute
    # lookup <lambda> on __main__ failed", naming no parameter.
    import copy
    import functools
    import pickle

    import torch
    X, Y = _two_tasks()
    model = MultiGateMixtureOfExperts(expert_module=lambda: torch.nn.Linear(2, 4),
                                      n_experts=2, max_iter=2, random_state=0).fit(X, Y)
    with pytest.raises(pickle.PicklingError,
                       match=r"MultiGateMixtureOfExperts cannot be pickled: its expert_module "
                             r"'\S*<lambda>' cannot be found by name when loading .* Pass a module "
                             r"instance, functools\.partial\(torch\.nn\.Linear, 3, 16\)"):
        pickle.dumps(model)
    # copy.deepcopy keeps the function as it is, as before.
    np.testing.assert_array_equal(copy.deepcopy(model).predict(X), model.predict(X))
    # The fix the message names.
    model.set_params(expert_module=functools.partial(torch.nn.Linear, 2, 4)).fit(X, Y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), model.predict(X))
