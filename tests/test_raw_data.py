"""Data as users have it: DataFrames with categorical and string columns, sparse matrices.

The experts get X untouched (each can be a Pipeline with its own
ColumnTransformer); the gate gets its numeric view (``gate_transformer``).
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import make_column_transformer
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate)
from skmoe._data import AutoGateTransformer
from skmoe.experts import TorchMLPRegressor

pd = pytest.importorskip("pandas")
lightgbm = pytest.importorskip("lightgbm")

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)
N = 120


def _frame(n=N, seed=0):
    """Numeric, pandas categorical and object string columns; y depends on all kinds."""
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({
        "x": rng.normal(size=n),
        "z": rng.normal(size=n),
        "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
        "city": pd.Series(rng.choice(["paris", "rome", "oslo", "lima"], n), dtype=object),
    })
    y = (2.0 * frame["x"] + 3.0 * (frame["colour"] == "red") - (frame["city"] == "oslo")
         + 0.1 * rng.normal(size=n)).to_numpy()
    return frame, y


def _linear(task="reg"):
    """One-hot for the categoricals, the numbers as they are, then a linear model."""
    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["colour", "city"]), remainder="passthrough")
    return make_pipeline(encode, Ridge() if task == "reg" else LogisticRegression())


def _lightgbm(task="reg"):
    """LightGBM on the numbers and the pandas categorical (native categorical splits)."""
    keep = make_column_transformer(
        ("passthrough", ["x", "z", "colour"]), verbose_feature_names_out=False
    ).set_output(transform="pandas")
    model = (lightgbm.LGBMRegressor if task == "reg" else lightgbm.LGBMClassifier)(
        n_estimators=10, min_child_samples=5, verbose=-1, random_state=0)
    return make_pipeline(keep, model)


def _experts(task):
    return [("linear", _linear(task)), ("lgbm", _lightgbm(task))]


def _classes(y):
    return np.where(y > np.median(y), "high", "low")


MIXTURES = {
    "gradient": dict(training="gradient", max_epochs=5, cv=3),
    "em": dict(training="em", gate=FAST_GATE, max_iter=2),
}


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence of the tiny fits
        return estimator.fit(X, y)


class Recorder(RegressorMixin, BaseEstimator):
    """A mean regressor that records what X it was given."""

    def fit(self, X, y, sample_weight=None):
        self.fit_type_ = type(X)
        self.fit_dtypes_ = getattr(X, "dtypes", None)
        self.mean_ = float(np.average(y, weights=sample_weight))
        return self

    def predict(self, X):
        self.predict_type_ = type(X)
        return np.full(X.shape[0], self.mean_)


# -- a mixed-type DataFrame with one Pipeline per expert -----------------------
@pytest.mark.parametrize("training", MIXTURES)
def test_mixture_regressor_on_a_mixed_frame(training):
    X, y = _frame()
    before = X.copy(deep=True)
    moe = _fit(MixtureOfExpertsRegressor(_experts("reg"), random_state=0,
                                         **MIXTURES[training]), X, y)
    pred = moe.predict(X)
    assert pred.shape == (N,) and np.all(np.isfinite(pred))
    assert np.mean((pred - y) ** 2) < 0.5 * np.var(y)
    assert moe.n_features_in_ == 4
    assert list(moe.feature_names_in_) == ["x", "z", "colour", "city"]
    assert moe.predict_gate(X).shape == (N, 2)
    assert moe.gate_transformer_.kind_ == "frame"
    assert moe.gate_transformer == "auto"  # the parameter is not replaced
    pd.testing.assert_frame_equal(X, before)  # the input is not modified


@pytest.mark.parametrize("training", MIXTURES)
def test_mixture_classifier_on_a_mixed_frame(training):
    X, y = _frame()
    labels = _classes(y)
    moe = _fit(MixtureOfExpertsClassifier(_experts("clf"), random_state=0,
                                          **MIXTURES[training]), X, labels)
    proba = moe.predict_proba(X)
    assert proba.shape == (N, 2) and np.allclose(proba.sum(axis=1), 1)
    assert np.mean(moe.predict(X) == labels) > 0.8
    assert np.all(np.isfinite(moe.log_likelihood_samples(X, labels)))


def test_ensembles_on_a_mixed_frame():
    X, y = _frame()
    ens = _fit(EnsembleRegressor(_experts("reg"), weights="greedy", cv=3, n_rounds=5,
                                 random_state=0), X, y)
    assert np.mean((ens.predict(X) - y) ** 2) < 0.5 * np.var(y)
    assert ens.predict_experts(X).shape == (N, 2)
    labels = _classes(y)
    ens = _fit(EnsembleClassifier(_experts("clf")), X, labels)
    assert ens.predict_proba(X).shape == (N, 2)
    assert np.mean(ens.predict(X) == labels) > 0.8


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("a", Recorder()), ("b", Recorder())],
                                      random_state=0, **MIXTURES["gradient"]),
    lambda: MixtureOfExpertsRegressor([("a", Recorder()), ("b", Recorder())],
                                      random_state=0, **MIXTURES["em"]),
    lambda: MixtureOfExpertsRegressor([("a", Recorder()), ("b", Recorder())], top_k=1,
                                      random_state=0, **MIXTURES["em"]),
    lambda: EnsembleRegressor([("a", Recorder()), ("b", Recorder())]),
], ids=["gradient", "em", "em_top_k", "ensemble"])
@pytest.mark.parametrize("container", ["frame", "csr"])
def test_experts_get_X_untouched(make, container):
    X, y = _frame()
    if container == "csr":
        X = sparse.csr_matrix(X[["x", "z"]].to_numpy())
    est = _fit(make(), X, y)
    est.predict(X)
    # With top_k a routed-to-nobody expert is never asked to predict.
    # A CrossFitAverage expert (the regressor's stacked gate) predicts through its fold fits.
    fits = [fit for expert in est.experts_ for fit in getattr(expert, "estimators_", [expert])]
    predicted = [expert for expert in fits if hasattr(expert, "predict_type_")]
    assert predicted
    for expert in fits:
        assert expert.fit_type_ is type(X)
    for expert in predicted:
        assert expert.predict_type_ is type(X)
        if container == "frame":
            assert isinstance(expert.fit_dtypes_["colour"], pd.CategoricalDtype)
            assert expert.fit_dtypes_["city"] == object


# -- sparse X ------------------------------------------------------------------
def _sparse_problem(n=N, n_features=30, seed=0):
    rng = np.random.RandomState(seed)
    X = sparse.random(n, n_features, density=0.2, format="csr", random_state=rng)
    return X, X @ rng.normal(size=n_features) + 0.01 * rng.normal(size=n)


@pytest.mark.parametrize("training", MIXTURES)
def test_sparse_csr_with_linear_experts(training):
    X, y = _sparse_problem()
    data = X.data.copy()
    # lsqr: the same solver for sparse and dense X (Ridge's 'auto' picks different ones).
    experts = [("ridge", Ridge(alpha=0.01, solver="lsqr", tol=1e-10)),
               ("strong", Ridge(alpha=10.0, solver="lsqr", tol=1e-10))]
    moe = _fit(MixtureOfExpertsRegressor(experts, random_state=0, **MIXTURES[training]),
               X, y)
    assert moe.gate_transformer_.kind_ == "sparse"
    pred = moe.predict(X)
    assert np.mean((pred - y) ** 2) < 0.1 * np.var(y)
    assert np.array_equal(X.data, data) and sparse.isspmatrix_csr(X)
    # Dense X with the same values: the same mixture.
    dense = _fit(MixtureOfExpertsRegressor(experts, random_state=0, **MIXTURES[training]),
                 X.toarray(), y)
    np.testing.assert_allclose(pred, dense.predict(X.toarray()), rtol=1e-9, atol=1e-9)
    ens = _fit(EnsembleRegressor(experts), X, y)
    assert np.mean((ens.predict(X) - y) ** 2) < 0.1 * np.var(y)


def test_sparse_classifier_and_other_formats():
    X, y = _sparse_problem()
    labels = _classes(y)
    experts = [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))]
    moe = _fit(MixtureOfExpertsClassifier(experts, random_state=0, **MIXTURES["em"]),
               X.tocoo(), labels)  # COO has no row indexing: converted to CSR
    assert moe.predict_proba(X.tocsc()).shape == (N, 2)


def test_wide_sparse_X_needs_a_gate_transformer():
    X, y = _sparse_problem(n_features=1500)
    experts = [("ridge", Ridge()), ("strong", Ridge(alpha=10.0))]
    moe = MixtureOfExpertsRegressor(experts, random_state=0, **MIXTURES["em"])
    with pytest.raises(ValueError, match="max_sparse_features=1000.*1500.*TruncatedSVD"):
        moe.fit(X, y)
    moe.set_params(gate_transformer=TruncatedSVD(n_components=5, random_state=0))
    _fit(moe, X, y)
    assert moe.gate_.n_features_in_ == 5
    assert moe.predict(X[:7]).shape == (7,)


# -- different features per expert ---------------------------------------------
def test_experts_on_different_feature_subsets():
    X, y = _frame()
    numbers_only = make_pipeline(
        make_column_transformer(("passthrough", ["x", "z"])), Ridge())
    colours_only = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["colour"])), DecisionTreeRegressor(
            max_depth=3))
    experts = [("numbers", numbers_only), ("colours", colours_only)]
    for est in (MixtureOfExpertsRegressor(experts, random_state=0, **MIXTURES["em"]),
                MixtureOfExpertsRegressor(experts, random_state=0, **MIXTURES["gradient"]),
                EnsembleRegressor(experts)):
        est = _fit(est, X, y)
        assert est.predict(X).shape == (N,)
        each = est.predict_experts(X)
        # Each expert sees only its columns: the colour expert is constant per colour.
        for colour in ("red", "green", "blue"):
            rows = (X["colour"] == colour).to_numpy()
            assert np.ptp(each[rows, 1]) == 0
        numbers = est.named_experts_["numbers"]
        for fit in getattr(numbers, "estimators_", [numbers]):   # CrossFitAverage: its fits
            assert fit[-1].n_features_in_ == 2


# -- the dense path: a numeric DataFrame gives what the ndarray gives -----------
@pytest.mark.parametrize("training", MIXTURES)
@pytest.mark.parametrize("task", ["reg", "clf"])
def test_numeric_frame_equals_ndarray(training, task):
    # On the CPU: CUDA kernels need not give the same bits twice.
    X, y = _frame()
    X = X[["x", "z"]]
    if task == "reg":
        make = lambda: MixtureOfExpertsRegressor(  # noqa: E731
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
            random_state=0, device="cpu", **MIXTURES[training])
    else:
        y = _classes(y)
        make = lambda: MixtureOfExpertsClassifier(  # noqa: E731
            [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))],
            random_state=0, device="cpu", **MIXTURES[training])
    from_frame = _fit(make(), X, y)
    from_array = _fit(make(), X.to_numpy(), y)
    assert from_frame.gate_transformer_.kind_ == "numeric"
    method = "predict" if task == "reg" else "predict_proba"
    # Equal up to rounding: the experts see a column-major frame or a row-major
    # array (BLAS sums in another order), and the stacked gate's blend of two
    # near-identical candidates (gate and constant blend) splits its weight
    # between them in a way that moves with the last digits.
    # (Here they agree to 1e-6; on the GPU machine's 16-core CPU, with
    # multi-threaded BLAS, the gate's 100 epochs of float32 Adam grew them to
    # 6.2e-4 of predictions with sd 2.6. A wrong column or row order would
    # differ at order one, far above these tolerances.)
    scale = np.std(y) if task == "reg" else 1.0
    np.testing.assert_allclose(getattr(from_frame, method)(X),
                               getattr(from_array, method)(X.to_numpy()), rtol=1e-2,
                               atol=1e-2 * scale)
    np.testing.assert_allclose(from_frame.predict_gate(X),
                               from_array.predict_gate(X.to_numpy()), rtol=1e-2, atol=1e-3)


# -- the gate's view -------------------------------------------------------------
def test_auto_gate_view_of_a_mixed_frame():
    X, _ = _frame()
    view = AutoGateTransformer(max_categories=3)
    Z = view.fit_transform(X)
    # x, z; then colour (3 categories) and city (2 frequent + 1 infrequent column)
    assert Z.shape == (N, 2 + 3 + 3) and Z.dtype == np.float64
    np.testing.assert_array_equal(Z[:, :2], X[["x", "z"]].to_numpy())
    assert list(view.get_feature_names_out()[:3]) == ["x", "z", "colour_blue"]
    new = X.iloc[:2].copy()
    new["city"] = ["tokyo", None]  # unseen and missing categories still transform
    assert np.all(np.isfinite(view.transform(new)))


def test_auto_gate_view_checks_X_as_transformers_do():
    X, _ = _frame(n=12)
    numbers = X[["x", "z"]].to_numpy()
    # A wrong count passed; a list and 1-D X failed on X.shape.
    view = AutoGateTransformer().fit(numbers)
    with pytest.raises(ValueError, match="X has 1 features.*expecting 2"):
        view.transform(numbers[:, :1])
    np.testing.assert_array_equal(view.transform(numbers.tolist()), numbers)
    np.testing.assert_array_equal(AutoGateTransformer().fit_transform(numbers.tolist()),
                                  numbers)
    with pytest.raises(ValueError, match="Expected 2D array"):
        AutoGateTransformer().fit(numbers[:, 0])
    # Reordered columns were swapped silently; with a categorical column a
    # missing one failed in pandas, a reordered frame in numpy.
    view = AutoGateTransformer().fit(X[["x", "z"]])
    with pytest.raises(ValueError, match="same order"):
        view.transform(X[["z", "x"]])
    view = AutoGateTransformer().fit(X)
    with pytest.raises(ValueError, match="same order"):
        view.transform(X[["z", "x", "colour", "city"]])
    with pytest.raises(ValueError, match="missing:\n- z"):
        view.transform(X[["x", "colour", "city"]])
    # Unnamed columns: a numeric one that is no longer numbers is named.
    view = AutoGateTransformer().fit(X.set_axis(range(4), axis=1))
    with pytest.raises(ValueError, match="column.*'1'.*not numbers"):
        view.transform(X[["x", "city", "colour", "z"]].set_axis(range(4), axis=1))
    # ... and the one-hot columns are named by their own position, not the
    # first numeric column's ("x0_blue" for both the colours and column 0).
    assert list(view.get_feature_names_out()[:3]) == ["x0", "x1", "x2_blue"]


@pytest.mark.parametrize("params, match", [
    (dict(max_sparse_features="x"), "'max_sparse_features' parameter"),
    (dict(max_categories=1), "'max_categories' parameter"),
])
def test_auto_gate_view_parameters_are_validated(params, match):
    # max_sparse_features='x' passed dense X and failed on sparse X with
    # "'>' not supported".
    with pytest.raises(ValueError, match=match):
        AutoGateTransformer(**params).fit(np.zeros((3, 2)))


@parametrize_with_checks([AutoGateTransformer()])
def test_auto_gate_view_is_a_scikit_learn_transformer(estimator, check):
    check(estimator)


def test_user_gate_transformer_is_cloned_and_fitted():
    X, y = _frame()
    only_colour = make_column_transformer((OneHotEncoder(sparse_output=True), ["colour"]))
    moe = _fit(MixtureOfExpertsRegressor(_experts("reg"), gate_transformer=only_colour,
                                         random_state=0, **MIXTURES["em"]), X, y)
    assert moe.gate_transformer is only_colour and not hasattr(only_colour, "transformers_")
    assert hasattr(moe.gate_transformer_, "transformers_")
    assert moe.gate_.n_features_in_ == 3  # the gate reads the one-hot colours only
    assert moe.predict(X.iloc[:5]).shape == (5,)
    assert "gate_transformer__remainder" in moe.get_params()
    moe.set_params(gate_transformer__remainder="passthrough")
    assert moe.gate_transformer.remainder == "passthrough"


def test_new_categories_at_prediction():
    X, y = _frame()
    moe = _fit(MixtureOfExpertsRegressor(_experts("reg"), random_state=0,
                                         **MIXTURES["em"]), X, y)
    new = X.iloc[:4].copy()
    new["city"] = ["tokyo", "paris", "tokyo", "rome"]  # unseen by every expert and the gate
    assert np.all(np.isfinite(moe.predict(new)))


# -- errors that say what is wrong ------------------------------------------------
def test_strings_in_an_array_name_the_columns_and_the_way_out():
    X, y = _frame()
    array = X.to_numpy(dtype=object)  # columns 2 and 3 hold strings
    moe = MixtureOfExpertsRegressor(_experts("reg"), **MIXTURES["em"])
    with pytest.raises(ValueError, match=r"could not convert.*column\(s\) \[2, 3\].*"
                                         r"DataFrame.*gate_transformer"):
        moe.fit(array, y)


def test_period_columns_are_named():
    X, y = _frame()
    X["when"] = pd.period_range("2020-01", periods=N, freq="M")
    moe = MixtureOfExpertsRegressor(_experts("reg"), **MIXTURES["em"])
    with pytest.raises(ValueError, match=r"'when' of dtype \['period\[M\]'\].*gate_transformer"):
        moe.fit(X, y)


def test_the_gate_reads_dates_and_time_spans_as_seconds():
    # Datetime and timedelta columns were refused ("cannot make numbers for
    # the gate from the column(s) 'when', 'dur'"), though time is where
    # regimes often change: seconds since 1970 (UTC where time-zone aware)
    # and seconds, after the numeric columns; NaT is missing.
    when = pd.to_datetime(["2020-01-01 00:00:00", None, "2020-01-02 00:00:30"])
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "when": when,
                      "zoned": when.tz_localize("Europe/Rome"),
                      "dur": pd.to_timedelta([90, 0, None], unit="s"),
                      "city": ["x", "y", "x"]})
    view = AutoGateTransformer().fit(X)
    assert view.time_columns_ == [1, 2, 3]
    assert_array_equal(view.get_feature_names_out(),
                       ["a", "when", "zoned", "dur", "city_x", "city_y"])
    day = 18262 * 86400.0                                  # 2020-01-01 in seconds
    assert_array_equal(view.transform(X), [[1.0, day, day - 3600, 90.0, 1.0, 0.0],
                                           [2.0, np.nan, np.nan, 0.0, 0.0, 1.0],
                                           [3.0, day + 86430, day + 86430 - 3600, np.nan,
                                            1.0, 0.0]])
    numbers = AutoGateTransformer().fit(X.drop(columns="city"))   # no categorical column
    assert_array_equal(numbers.transform(X.drop(columns="city")), view.transform(X)[:, :4])
    with pytest.raises(ValueError, match=r"'when' of X are not dates or time spans"):
        view.transform(X.assign(when=X["when"].astype(str)))


def _up(X):
    return 2 * X[:, 0]


def _down(X):
    return -2 * X[:, 0]


def test_a_gate_splits_on_a_date():
    # y = 2a before 2021 and -2a from 2021 on: the gate learns the two periods
    # from the date column alone (the experts read only 'a').
    from skmoe.experts import RuleExpert
    rng = np.random.RandomState(0)
    when = pd.date_range("2020-01-01", periods=300, freq="3D")
    X = pd.DataFrame({"a": rng.normal(size=300), "when": when})
    late = np.asarray(when >= "2021-01-01")
    y = np.where(late, -2.0, 2.0) * X["a"] + 0.1 * rng.normal(size=300)
    only_a = lambda: make_column_transformer(("passthrough", ["a"]))   # noqa: E731
    experts = [("up", make_pipeline(only_a(), RuleExpert(_up))),
               ("down", make_pipeline(only_a(), RuleExpert(_down)))]
    moe = MixtureOfExpertsRegressor(experts, training="em", random_state=0).fit(X, y)
    G = moe.predict_gate(X)
    assert G[~late, 0].min() > 0.5 and G[late, 1].min() > 0.5
    assert G[~late, 0].mean() > 0.95 and G[late, 1].mean() > 0.95
    assert moe.score(X, y) > 0.95


def test_a_column_mixing_strings_and_numbers_is_named_for_the_gate():
    # The gate's one-hot encoder stopped on it with scikit-learn's bare
    # "Encoders require their input argument must be uniformly strings or
    # numbers. Got ['int', 'str']", which named neither the column nor the gate.
    X, y = _frame()
    X["city"] = X["city"].astype(object)
    X.loc[[3, 8], "city"] = 7
    X.loc[[4], "city"] = None                  # missing values are not a type
    moe = MixtureOfExpertsRegressor(_experts("reg"), **MIXTURES["em"])
    with pytest.raises(TypeError, match=r"column\(s\) 'city' .*strings.*\(e\.g\. 'rome' "
                                        r"and 7\).*astype\(str\).*gate_transformer"):
        moe.fit(X, y)
    X["city"] = X["city"].astype(str)          # one type: the view is built
    assert AutoGateTransformer().fit_transform(X).shape[0] == N


def test_infinity_in_a_numeric_column_is_refused():
    X, y = _frame()
    X.loc[3, "z"] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        MixtureOfExpertsRegressor(_experts("reg"), **MIXTURES["em"]).fit(X, y)


def test_missing_values_go_to_the_experts():
    X, y = _frame()
    X.loc[[3, 7], "x"] = np.nan
    X.loc[[4], "city"] = None
    # An expert that takes NaN works; the gate imputes (numbers: mean; categories: own).
    hgb = make_pipeline(make_column_transformer(("passthrough", ["x", "z"])),
                        HistGradientBoostingRegressor(max_iter=10))
    experts = [("hgb", hgb), ("hgb2", clone(hgb))]
    moe = _fit(MixtureOfExpertsRegressor(experts, random_state=0, **MIXTURES["em"]), X, y)
    assert np.all(np.isfinite(moe.predict(X)))
    # One that does not is named in the error.
    experts = [("hgb", hgb), ("ridge", make_pipeline(
        make_column_transformer(("passthrough", ["x", "z"])), Ridge()))]
    with pytest.raises(ValueError, match="Expert 'ridge'.*NaN"):
        _fit(MixtureOfExpertsRegressor(experts, random_state=0, **MIXTURES["em"]), X, y)


def test_feature_names_and_counts_are_checked_at_prediction():
    X, y = _frame()
    moe = _fit(MixtureOfExpertsRegressor(_experts("reg"), random_state=0,
                                         **MIXTURES["em"]), X, y)
    with pytest.raises(ValueError, match="feature names"):
        moe.predict(X[["z", "x", "colour", "city"]])
    with pytest.raises(ValueError, match="X has 3 features.*expecting 4"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # X has no feature names
            moe.predict(X.to_numpy()[:, :3])


@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsRegressor(experts, random_state=0, **MIXTURES["em"]),
    lambda experts: EnsembleRegressor(experts),
])
def test_reordered_columns_without_string_names_are_refused(make):
    # Integer column labels are no feature names to scikit-learn, which checks
    # nothing; the experts and the gate read the columns by position, so the
    # same columns in another order gave predictions from swapped features
    # (off by up to 10 standard deviations of y) without a word.
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)))          # columns 0, 1, 2
    y = 2 * X[0].to_numpy() - X[2].to_numpy()
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
    model = _fit(make(experts), X, y)
    with pytest.raises(ValueError, match=r"columns seen in fit in another order "
                                         r"\(\[2, 1, 0\]; in fit: \[0, 1, 2\]\)"):
        model.predict(X[[2, 1, 0]])
    expected = model.predict(X)
    assert_allclose(model.predict(X.to_numpy()), expected, rtol=1e-12)   # by position
    assert_array_equal(model.predict(X[[2, 1, 0]][[0, 1, 2]]), expected)


def test_torch_experts_need_numbers():
    X, y = _frame()
    experts = [("linear", _linear()), ("mlp", TorchMLPRegressor((4,), max_epochs=2))]
    moe = MixtureOfExpertsRegressor(experts, training="gradient", max_epochs=2)
    with pytest.raises(ValueError, match="torch MLP experts.*'colour', 'city'"):
        moe.fit(X, y)
    moe = MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("mlp", TorchMLPRegressor((4,)))], training="gradient",
        max_epochs=2)
    with pytest.raises(ValueError, match="sparse"):
        moe.fit(sparse.csr_matrix(X[["x", "z"]].to_numpy()), y)
    _fit(moe, X[["x", "z"]], y)  # a numeric frame works
    assert moe.predict(X[["x", "z"]]).shape == (N,)


def test_torch_experts_read_all_of_X_when_the_gate_reads_another_view():
    # The gate reads column 0 only; the torch expert all three columns. In
    # training the expert must get its own inputs, not the gate's device copy
    # (fed the gate's one column, its three-input network fails), and
    # prediction must not take the shared-array device path.
    from sklearn.compose import ColumnTransformer
    from skmoe import _device_predict
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = X[:, 1] - 2 * X[:, 2] + 0.1 * rng.normal(size=200)
    only_first = ColumnTransformer([("first", "passthrough", [0])])
    moe = MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("mlp", TorchMLPRegressor((8,), max_epochs=5))],
        gate_transformer=only_first, max_epochs=5, random_state=0)
    _fit(moe, X, y)
    assert moe.gate_.n_features_in_ == 1
    assert moe.named_experts_["mlp"].n_features_in_ == 3
    assert not _device_predict.applies(moe, X)
    standalone = moe.named_experts_["mlp"].predict(X)
    assert np.allclose(moe.predict_experts(X)[:, 1], standalone)
    assert np.all(np.isfinite(moe.predict(X)))
