"""Bad input, round 5: each test fails without the fix it names."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (AutoGateTransformer, EnsembleClassifier, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate)

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _classification(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 1] > 0).astype(int)


# -- a classifier expert without classes_ -------------------------------------
class _NoClasses(ClassifierMixin, BaseEstimator):
    """predict_proba, but no classes_ after fit."""

    def fit(self, X, y, sample_weight=None):
        self.n_labels_ = len(np.unique(y))
        return self

    def predict_proba(self, X):
        return np.full((len(X), self.n_labels_), 1.0 / self.n_labels_)

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsClassifier(e, max_epochs=3, random_state=0),
    lambda e: MixtureOfExpertsClassifier(e, training="em", gate=FAST_GATE, max_iter=2,
                                         random_state=0),
    lambda e: MixtureOfExpertsClassifier(e, top_k=1, max_epochs=3, random_state=0),
    lambda e: EnsembleClassifier(e),
    lambda e: EnsembleClassifier(e, weights="greedy"),
    lambda e: HierarchicalMixtureClassifier(e[1][1], branching=(2,), max_iter=2,
                                            random_state=0),
], ids=["gradient", "em", "top_k", "ensemble", "greedy", "hierarchical"])
def test_a_classifier_expert_without_classes_is_named(make):
    # Every classifier stopped with a bare AttributeError "'_NoClasses' object
    # has no attribute 'classes_'" (at fit, or at predict for the averaging
    # ensemble), naming no expert.
    X, y = _classification()
    experts = [("logit", LogisticRegression()), ("odd", _NoClasses())]
    with pytest.raises(TypeError, match=r"Expert '(odd|leaf0)' \(_NoClasses\) has "
                                        r"predict_proba but no classes_ after fitting"):
        make(experts).fit(X, y).predict(X)
    # Hard voting reads the labels only: it still fits.
    EnsembleClassifier([("tree", DecisionTreeClassifier(max_depth=2)), ("odd", _NoClasses())],
                       voting="hard").fit(X, y).predict(X)



# -- a category column of missing values only, at prediction ------------------
def _numbers_only(estimator):
    """``estimator`` on the columns a and b (the gate alone reads city)."""
    return make_pipeline(make_column_transformer(("passthrough", ["a", "b"])), estimator)


@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsRegressor(e, max_epochs=3, random_state=0),
    lambda e: MixtureOfExpertsRegressor(e, top_k=1, max_epochs=3, random_state=0),
    lambda e: HierarchicalMixtureRegressor(e[0][1], branching=(2,), max_iter=2,
                                           random_state=0),
], ids=["gradient", "top_k", "hierarchical"])
@pytest.mark.parametrize("seen_missing", [False, True], ids=["strings", "strings_and_nan"])
def test_a_category_column_of_missing_values_only_is_predicted(make, seen_missing):
    # One row to predict with its category unknown (np.nan) makes the column
    # float64: the gate's one-hot encoder, fitted on strings (and NaN), stopped
    # with a bare TypeError "ufunc 'isnan' not supported for the input types".
    # Now its NaN are missing values, as in an object column.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(city=np.where(X[:, 1] > 0, "n", "s"))
    if seen_missing:
        frame.loc[:5, "city"] = np.nan
    model = make([("ridge", _numbers_only(Ridge())),
                  ("tree", _numbers_only(DecisionTreeRegressor(max_depth=3)))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(frame, y)
    rows = frame.iloc[[8]].assign(city=np.nan), frame.iloc[:4].assign(city=np.nan)
    for missing in rows:
        assert missing["city"].dtype == np.float64
        as_objects = missing.assign(city=np.full(len(missing), np.nan, dtype=object))
        assert_allclose(model.predict(missing), model.predict(as_objects))
        assert missing["city"].dtype == np.float64   # the caller's frame as it was
    gate = AutoGateTransformer().fit(frame)
    view = gate.transform(rows[0])
    assert_allclose(view[0, 2:], [0, 0, 1] if seen_missing else [0, 0])


# -- the CLI names a one-row class as the user wrote it -----------------------
@pytest.mark.parametrize("labels, shown", [((0, 1, 3), "(e.g. 3)"),
                                           (("a", "b", "cat"), "(e.g. 'cat')")])
def test_cli_names_a_one_row_class_without_numpy_types(tmp_path, capsys, labels, shown):
    # The class was shown as numpy 2's repr: "(e.g. np.int64(3))".
    from skmoe._cli import main
    rows = [f"{i},{i % 3},{labels[i % 2]}" for i in range(20)] + [f"20,1,{labels[2]}"]
    path = tmp_path / "one_row_class.csv"
    path.write_text("x,z,y\n" + "\n".join(rows) + "\n")
    assert main(["compare", str(path), "--task", "classification", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "1 of the 3 classes of the target has a single row" in err
    assert shown in err and "np." not in err
