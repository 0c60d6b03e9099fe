"""Sweep of inputs at prediction that differ from those of fit (column types,
containers, values), and of y, sample_weight and expert specs beyond the
earlier sweeps (tests/test_bad_input.py, tests/test_sweep_*.py,
tests/test_raw_data.py).

Each test fails without the fix it names.
"""

import warnings

import numpy as np
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

from skmoe import AutoGateTransformer, MixtureOfExpertsRegressor

pd = pytest.importorskip("pandas")


def _frame_with_codes(n=40, seed=0):
    """Two numbers and a column of category codes written as strings."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                      "code": rng.choice(["1", "2", "3"], size=n)})
    return X, X["a"] + (X["code"] == "1") + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("change", [
    lambda codes: codes.astype(int),                     # '1' in fit, 1 now
    lambda codes: codes.astype(float),
    lambda codes: codes.astype(int).astype("category"),
    lambda codes: codes.where(codes != "2", 2),          # one number among the strings
])
@pytest.mark.parametrize("dtype", [object, "category"])
def test_the_gates_one_hot_column_of_another_type_at_prediction_is_named(change, dtype):
    # The gate's view one-hot encodes the column; numbers where fit saw
    # strings failed with OneHotEncoder's bare "ufunc 'isnan' not supported
    # for the input types" (naming neither the gate nor the column), and a
    # number among the strings was silently an unknown category.
    X, _ = _frame_with_codes()
    X = X.astype({"code": dtype})
    view = AutoGateTransformer().fit(X)
    changed = X.assign(code=change(X["code"].astype(str)))
    with pytest.raises(ValueError, match=r"column 'code' of X for the gate, fitted on "
                                         r"strings \(e\.g\. '1'\); it now holds other values"):
        view.transform(changed)
    # Strings where fit saw numbers: every value was an unknown category, silently.
    numbers = X.assign(code=X["code"].astype(int).astype("category"))
    view = AutoGateTransformer().fit(numbers)
    with pytest.raises(ValueError, match=r"column 'code' .* now holds strings"):
        view.transform(numbers.assign(code=numbers["code"].astype(str)))
    # Values of the type seen in fit still work, unseen categories included.
    assert view.transform(numbers.assign(code=[7] * len(X))).shape[0] == len(X)


def test_a_mixture_names_the_gates_column_of_another_type():
    # The experts read only 'a' and 'b'; the gate's bare encoder error was all
    # that the user saw of a code column turned into integers (True for bools:
    # "y contains previously unseen labels: np.True_").
    X, y = _frame_with_codes()
    columns = make_column_transformer(("passthrough", ["a", "b"]))
    experts = [("ridge", make_pipeline(columns, Ridge())),
               ("tree", make_pipeline(columns, DecisionTreeRegressor(max_depth=2)))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(experts, training="em", max_iter=2,
                                        random_state=0).fit(X, y)
    assert np.isfinite(moe.predict(X)).all()
    for bad in (X["code"].astype(int), X["a"] > 0):
        with pytest.raises(ValueError, match="column 'code' of X for the gate"):
            moe.predict(X.assign(code=bad))


def test_a_category_column_of_nullable_strings_with_a_missing_value_fits_the_gate():
    # astype('category') of a 'string' column (convert_dtypes()'s strings, as
    # LightGBM experts want them) keeps pd.NA as its missing value; the gate's
    # view refused it: "they mix strings with other values (e.g. 'b' and <NA>)".
    words = pd.array(["a", "b", None, "a", "b", None, "a", "b"], dtype="string")
    X = pd.DataFrame({"x": np.arange(8.0), "word": words})
    as_category = X.astype({"word": "category"})
    before = as_category.copy()
    view = AutoGateTransformer().fit(as_category)
    assert list(view.get_feature_names_out()) == ["x", "word_a", "word_b", "word_nan"]
    # The view of the category column is the view of the strings themselves,
    # a missing value a category of its own.
    assert np.array_equal(view.transform(as_category), AutoGateTransformer().fit_transform(X))
    assert np.array_equal(view.transform(as_category)[2], [2.0, 0.0, 0.0, 1.0])
    pd.testing.assert_frame_equal(as_category, before)   # the user's frame is left alone


def test_an_expert_with_two_outputs_in_an_ensemble_is_named_without_mixture_words():
    # EnsembleRegressor said "the regressor mixture expects one" of an
    # expert that returned two outputs per row, naming neither its type
    # nor the ensemble's own rule.
    from sklearn.base import BaseEstimator, RegressorMixin

    from skmoe import EnsembleRegressor

    class TwoOutputs(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            self.n_features_in_ = np.asarray(X).shape[1]
            return self

        def predict(self, X):
            return np.zeros((len(X), 2))

    X, y = np.arange(40.0).reshape(20, 2), np.arange(20.0)
    model = EnsembleRegressor([("ridge", Ridge()), ("two", TwoOutputs())])
    with pytest.raises(ValueError, match=r"Expert 'two' \(TwoOutputs\) returned 2 outputs per "
                                         r"sample; a regression expert must return one") as info:
        model.fit(X, y).predict(X)
    assert "mixture" not in str(info.value)


@pytest.mark.parametrize("make_model", [
    lambda: MixtureOfExpertsRegressor([("ridge", Ridge), ("tree", DecisionTreeRegressor())]),
    lambda: MixtureOfExpertsRegressor(Ridge, n_experts=2),
], ids=["list", "homogeneous"])
def test_an_expert_given_as_a_class_is_named(make_model):
    # scikit-learn's clone said "provide an instance of scikit-learn
    # estimator instead of a class", naming no expert.
    X, y = np.arange(40.0).reshape(20, 2), np.arange(20.0)
    with pytest.raises(TypeError, match=r"(Expert 'ridge'|experts) is the class Ridge, not an "
                                        r"estimator: pass an instance, e.g. Ridge\(\)"):
        make_model().fit(X, y)
