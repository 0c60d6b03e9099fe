"""Bad-input sweep, round 23: the single-target mixtures' and ensembles' entry
points, compare() and the command line, on messy data (pandas' sparse and
nullable columns, targets of dates, labels held as objects, huge values).

Each test fails without the fix it names.
"""

import re
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)
from skmoe._cli import UserError, load_csv, main
from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor


def _regression(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("classifier", [False, True])
def test_torch_experts_refuse_a_dataframe_of_sparse_columns_at_fit(classifier):
    # scikit-learn reads a DataFrame whose columns are all sparse as a sparse
    # matrix. The gradient trainer read it as a dense array for the torch
    # experts, so the mixture fitted; then every predict failed with "Expert
    # 't' (TorchMLPRegressor) failed in predict: Sparse data was passed for X,
    # but dense data is required" (the expert alone refuses it in fit).
    X, y = _regression()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).astype(pd.SparseDtype(float, 0.0))
    if classifier:
        y = (y > 0).astype(int)
        experts = [("r", LogisticRegression()), ("t", TorchMLPClassifier(max_epochs=2))]
        mixture = MixtureOfExpertsClassifier(experts, max_epochs=2, random_state=0)
    else:
        experts = [("r", Ridge()), ("t", TorchMLPRegressor(max_epochs=2))]
        mixture = MixtureOfExpertsRegressor(experts, max_epochs=2, random_state=0)
    with pytest.raises(ValueError, match=r"torch MLP experts \(trained with the gate\) need "
                                         r"dense numeric X; .*X is a DataFrame of sparse "
                                         r"columns.*X\.sparse\.to_dense\(\)"):
        mixture.fit(frame, y)
    # Made dense it fits and predicts, as the same numbers as an array do.
    dense = frame.sparse.to_dense()
    with pytest.warns(UserWarning, match="did not converge"):
        mixture.fit(dense, y)
    assert mixture.predict(dense[:3]).shape == (3,)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())],
                                      training="em", max_iter=2, random_state=0),
    lambda: EnsembleRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())]),
    lambda: EnsembleRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())],
                              weights="greedy", random_state=0),
])
def test_a_target_of_dates_or_time_spans_is_refused_by_the_regressors(make):
    # Read as numbers in their unit (microseconds for pandas 3's dates,
    # nanoseconds for pandas 2's), y of dates fitted a mixture and the plain
    # ensemble that predicted 1.58e15 (microseconds since 1970) without a
    # word; the greedy ensemble failed with numpy's "ufunc 'add' cannot use
    # operands with types dtype('<M8[us]') and dtype('<M8[us]')".
    X, _ = _regression()
    dates = pd.Series(pd.date_range("2020-01-01", periods=len(X), freq="D"))
    with pytest.raises(ValueError, match=r"y holds dates \(dtype datetime64\[.s\]\), which "
                                         r"\w+Regressor would read as numbers in their unit: "
                                         r"convert y to numbers first, e\.g\. days since"):
        make().fit(X, dates)
    spans = dates - dates.min()
    with pytest.raises(ValueError, match=r"y holds time spans \(dtype timedelta64\[.s\]\)"):
        make().fit(X, spans.to_numpy())
    # As numbers (days) they fit; the regressor's predictions are days.
    days = (dates - dates.min()) / np.timedelta64(1, "D")
    assert make().fit(X, days).predict(X[:2]).shape == (2,)


@pytest.mark.parametrize("labels, shown", [
    (lambda y: pd.Series(y, dtype=object), "1 of type int"),
    (lambda y: pd.Series([Decimal(int(v)) for v in y]), "Decimal('1') of type Decimal"),
    (lambda y: pd.Series(y.astype(bool), dtype=object), "True of type bool"),
])
@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsClassifier([("l", LogisticRegression()),
                                        ("t", DecisionTreeClassifier(max_depth=2))],
                                       training="em", max_iter=2, random_state=0),
    lambda: EnsembleClassifier([("l", LogisticRegression()),
                                ("t", DecisionTreeClassifier(max_depth=2))]),
])
def test_class_labels_held_as_objects_that_are_not_strings_are_named(make, labels, shown):
    # An object column of numbers (after rows of a stray word were dropped,
    # or SQL's Decimal) stopped in scikit-learn's "Unknown label type:
    # unknown. Maybe you are trying to fit a classifier, which expects
    # discrete classes on a regression target with continuous values." for
    # the labels 0 and 1.
    X, y = _regression()
    y = (y > 0).astype(int)
    with pytest.raises(ValueError, match=rf"The target holds its class labels as Python "
                                         rf"objects that are not strings \(e\.g\. "
                                         rf"{re.escape(shown)}; dtype object\), whose kind "
                                         r"scikit-learn cannot tell \(Unknown label type\): "
                                         r"convert them, e\.g\. y\.astype\(int\)"):
        make().fit(X, labels(y))
    # Converted as it says, they fit.
    assert make().fit(X, labels(y).astype(int)).classes_.tolist() == [0, 1]


@pytest.mark.parametrize("column", [
    pd.date_range("2020-01-01", periods=40, freq="D"),
    pd.date_range("2020-01-01", periods=40, freq="D", tz="UTC"),
    pd.to_timedelta(np.arange(40), unit="h"),
    pd.date_range("2020-01-01", periods=40, freq="D").date,   # an object column
])
@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())],
                                      training="em", max_iter=2, random_state=0),
    lambda: EnsembleRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())]),
])
def test_an_expert_failing_on_columns_of_dates_is_told_which_they_are(make, column):
    # The gate's view reads a DataFrame's dates and time spans as seconds, but
    # the experts get X as it is, and scikit-learn's stopped on them with
    # numpy's "The DType <class 'numpy.dtypes.DateTime64DType'> could not be
    # promoted by <class 'numpy.dtypes.Float64DType'>" or "float() argument
    # must be a string or a real number, not 'Timestamp'", naming no column.
    X, y = _regression()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(when=column)
    with pytest.raises((TypeError, ValueError), match=r"Expert 'r' \(Ridge\) failed to fit: "
                                                      r".* \(X's column\(s\) 'when' hold "
                                                      r"dates or time spans, which this "
                                                      r"expert cannot read as numbers"):
        make().fit(frame, y)
    # A column of words is not called one of dates.
    with pytest.raises(ValueError) as info:
        make().fit(frame.assign(when="x"), y)
    assert "dates or time spans" not in str(info.value)


def test_cli_a_column_of_repeated_dates_is_not_sent_to_one_hot(tmp_path, capsys):
    # A date column (three rows a day) was "not numeric and the experts need
    # numbers: pass --one-hot to encode them", and --one-hot then made a
    # column of each of its 20 dates but one (a date the training rows lack
    # is like none of them). A column of dates in every row but unique was
    # already told to write them as numbers.
    rng = np.random.RandomState(0)
    path = tmp_path / "daily.csv"
    path.write_text("day,x,y\n" + "".join(
        f"2020-01-{i // 3 + 1:02d},{rng.normal():.3f},{rng.normal():.3f}\n" for i in range(60)))
    assert main(["compare", str(path), "--experts", "linear,tree", "--cv", "2",
                 "--repeats", "1", "--n-jobs", "1", "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Column(s) ['day'] of {path} hold dates, which the experts cannot read "
        "as numbers: write them as numbers (e.g. days since the first, a day of the week), "
        "or --drop them; --one-hot would make a column of each date.\n")
    # Codes that are not dates are still sent to --one-hot.
    codes = tmp_path / "codes.csv"
    codes.write_text("k,x,y\n" + "".join(f"{['a', 'b'][i % 2]},{i},{i % 7}.5\n"
                                         for i in range(20)))
    with pytest.raises(UserError, match=r"Column\(s\) \['k'\] .* are not numeric .* pass "
                                        "--one-hot"):
        load_csv(str(codes))


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())],
                                      training="em", max_iter=2, random_state=0),
    lambda: EnsembleRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())]),
])
def test_a_sparse_target_of_a_regressor_is_told_to_be_dense(make):
    # A target sliced from a sparse matrix (M[:, [0]]) was "y must be numeric
    # for MixtureOfExpertsRegressor (a regressor): setting an array element
    # with a sequence.; use a classifier for class labels": numbers sent to a
    # classifier. The classifiers got scikit-learn's message, as now the
    # regressors do.
    X, y = _regression()
    column = sparse.csr_matrix(y[:, None])
    with pytest.raises(TypeError, match=r"Sparse data was passed for y, but dense data is "
                                        r"required\. Use '\.toarray\(\)'"):
        make().fit(X, column)
    with pytest.warns(UserWarning, match="column-vector y"):   # (n, 1): raveled
        assert make().fit(X, column.toarray()).predict(X[:2]).shape == (2,)


class _FarOnSomeRows(RegressorMixin, BaseEstimator):
    """The mean of y, but 1e200 on the rows whose second feature exceeds 1.5."""

    def fit(self, X, y, sample_weight=None):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        pred = np.full(len(X), self.mean_)
        pred[np.asarray(X)[:, 1] > 1.5] = 1e200
        return pred


def test_greedy_weights_leave_out_an_expert_far_out_without_numpy_warnings():
    # An expert predicting 1e200 on 8 of 60 rows (y of unit scale) gets weight 0,
    # as it should, but numpy's "RuntimeWarning: overflow encountered in square"
    # came from inside the selection (once a round: 50 with warnings shown
    # always), naming nothing.
    X, y = _regression(60)
    assert (X[:, 1] > 1.5).sum() == 8
    ensemble = EnsembleRegressor([("ridge", Ridge()), ("far", _FarOnSomeRows())],
                                 weights="greedy", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ensemble.fit(X, y)
    assert ensemble.weights_.tolist() == [1.0, 0.0]


def test_sample_weight_given_as_a_sparse_matrix_is_named_as_such():
    # A sparse column of weights was "sample_weight must hold numbers, one
    # weight per row; it holds <Compressed Sparse Row sparse matrix of dtype
    # 'float64' with 40 stored elements and shape (40, 1)>": numbers, said
    # not to be.
    X, y = _regression()
    weights = sparse.csr_matrix(np.ones((40, 1)))
    message = (r"sample_weight is a sparse matrix \(shape \(40, 1\)\); pass the weights as a "
               r"dense 1-D array, one per row, e\.g\. sample_weight\.toarray\(\)\.ravel\(\)\.")
    mixture = MixtureOfExpertsRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())],
                                        training="em", max_iter=2, random_state=0)
    ensemble = EnsembleRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())])
    for model in (mixture, ensemble):
        with pytest.raises(ValueError, match=message):
            model.fit(X, y, sample_weight=weights)
        model.fit(X, y, sample_weight=weights.toarray().ravel())
        with pytest.raises(ValueError, match=message):
            model.score(X, y, sample_weight=weights)


def test_cli_labels_differing_only_by_spaces_at_their_ends_are_named(tmp_path, capsys):
    # "yes" and "yes " (a spreadsheet cell typed with a space after the word)
    # were two classes of the target, and two one-hot categories of a feature
    # with --one-hot, silently.
    rng = np.random.RandomState(0)
    path = tmp_path / "spaced.csv"
    path.write_text("x,colour,y\n" + "".join(
        f"{rng.normal():.3f},{['red', 'red ', 'blue'][i % 3]},{['yes', 'no', 'yes '][i % 3]}\n"
        for i in range(30)))
    assert main(["compare", str(path), "--experts", "linear,tree", "--cv", "2",
                 "--repeats", "1", "--n-jobs", "1", "--quiet"]) == 2
    assert capsys.readouterr().err == (
        "skmoe: error: The target column 'y' holds labels that differ only by spaces at their "
        "ends ('yes' and 'yes '), which would be separate classes: remove those spaces in the "
        "file.\n")
    with pytest.raises(UserError, match=r"Column\(s\) \['colour'\] of .* hold values that "
                                        r"differ only by spaces at their ends \(in 'colour': "
                                        r"'red' and 'red '\), which --one-hot would make "
                                        "separate categories"):
        load_csv(str(path), target="x", drop=["y"], one_hot=True)
    # Without those spaces the same file loads: three classes, two of 'colour'.
    path.write_text(path.read_text().replace(" ,", ",").replace(" \n", "\n"))
    X, y, task, _ = load_csv(str(path), one_hot=True)
    assert task == "classification" and sorted(set(y)) == ["no", "yes"]
    assert list(X.columns) == ["x", "colour_red"]


@pytest.mark.parametrize("key", ["sample_weights", "sampleweight", "weights"])
def test_fit_names_sample_weight_misspelt(key):
    # fit(X, y, sample_weights=w) was "Passing extra keyword arguments to
    # MixtureOfExpertsRegressor.fit is only supported if
    # enable_metadata_routing=True": routing, under which it fails again.
    X, y = _regression()
    mixture = MixtureOfExpertsRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())],
                                        training="em", max_iter=2, random_state=0)
    with pytest.raises(TypeError, match=rf"^MixtureOfExpertsRegressor\.fit got the keyword "
                                        rf"{key}=, which it does not take: the rows' weights "
                                        r"are its sample_weight\.$"):
        mixture.fit(X, y, **{key: np.ones(len(y))})
    ensemble = EnsembleRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())])
    with pytest.raises(TypeError, match=r"the rows' weights are its sample_weight \(the "
                                        r"experts' weights are the parameter weights: "
                                        r"EnsembleRegressor\(\.\.\., weights=\[\.\.\.\]\)\)\.$"):
        ensemble.fit(X, y, **{key: np.ones(len(y))})


def test_fit_takes_groups_as_folds_of_whole_groups():
    # fit(X, y, groups=g) was refused ("takes no groups: pass the folds as
    # cv"); it now makes the cross-fitting folds of whole groups, the fit the
    # listed folds give (tests/test_fit_groups.py pins the rest).
    X, y = _regression()
    groups = np.arange(len(y)) % 4
    for model in (MixtureOfExpertsRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())],
                                            training="em", max_iter=2, cv=4, random_state=0),
                  EnsembleRegressor([("r", Ridge()), ("t", DecisionTreeRegressor())],
                                    weights="greedy", cv=4, random_state=0)):
        given = clone(model).fit(X, y, groups=groups).predict(X)
        listed = clone(model).set_params(
            cv=list(GroupKFold(4).split(X, y, groups))).fit(X, y).predict(X)
        np.testing.assert_array_equal(given, listed)
    # Other metadata still needs routing, as scikit-learn says.
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        model.fit(X, y, eval_set=[(X, y)])


def test_compare_names_class_labels_held_as_objects_before_fitting():
    # compare() on such labels failed in its stratified folds with "Supported
    # target types are: ('binary', 'multiclass'). Got 'unknown' instead.",
    # naming neither y nor what to do.
    X, y = _regression()
    labels = pd.Series((y > 0).astype(int), dtype=object)
    models = {"logit": LogisticRegression(), "tree": DecisionTreeClassifier(max_depth=2)}
    with pytest.raises(ValueError, match=r"^y holds its class labels as Python objects that "
                                         r"are not strings \(e\.g\. 1 of type int; dtype "
                                         r"object\), whose kind scikit-learn cannot tell"):
        compare(models, X, labels, cv=2)
    assert compare(models, X, labels.astype(int), cv=2).n_splits == 2
