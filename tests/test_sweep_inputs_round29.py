"""Bad-input sweep, round 29: inputs at prediction and data shapes at the
edges, across the single-target mixtures and ensembles, the hierarchical and
multi-task mixtures, CrossFitAverage and the torch experts.

Each test fails without the fix it names.
"""

import numpy as np
import pandas as pd
import pytest

from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor


# -- the torch experts read a frame's columns by position -----------------------------
@pytest.mark.parametrize("Model", [TorchMLPRegressor, TorchMLPClassifier])
def test_torch_experts_refuse_integer_labelled_columns_in_another_order(Model):
    # Labels 0, 1, 2 are no feature names that scikit-learn checks: X[[2, 1, 0]]
    # was predicted from swapped features without a word (the mixtures, the
    # multi-task mixtures and RuleExpert refuse it).
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(20, 3))
    y = X[0].to_numpy() if Model is TorchMLPRegressor else (X[0] > 0).astype(int)
    model = Model((4,), max_epochs=2, device="cpu", random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"another order \(\[2, 1, 0\]; in fit: \[0, 1, 2\]\)"
                                         r".*the network reads the columns by position"):
        model.predict(X[[2, 1, 0]])
    # The same columns in their order, an array, and another frame's own labels pass.
    assert model.predict(X).shape == (20,)
    assert model.predict(X.to_numpy()).shape == (20,)
    assert model.predict(X.set_axis([5, 6, 7], axis=1)).shape == (20,)


# -- an array of numbers with pandas' pd.NA (DataFrame.to_numpy() of nullable columns) --
def _numbers_with_pd_na():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.randn(30, 3), columns=["a", "b", "c"]).astype("Float64")
    frame.loc[0, "b"] = pd.NA
    X = frame.to_numpy()       # an object array whose missing value is pd.NA
    assert X.dtype == object
    return X, rng.randn(30)


def _models_reading_x():
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import Ridge

    from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor, MultiGateMixtureOfExperts

    nan_takers = [("h", HistGradientBoostingRegressor(max_iter=5)),
                  ("h2", HistGradientBoostingRegressor(max_iter=3))]
    return [MixtureOfExpertsRegressor([("r", Ridge()), ("r2", Ridge(alpha=9.0))]),  # the gate
            EnsembleRegressor(nan_takers),                                            # an expert
            TorchMLPRegressor((4,), max_epochs=2, device="cpu", random_state=0),
            MultiGateMixtureOfExperts(max_iter=2, random_state=0)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("model", _models_reading_x(), ids=lambda m: type(m).__name__)
def test_pandas_na_in_an_array_of_numbers_is_named_as_a_missing_value(model):
    # numpy reads no number from pd.NA: a bare "float() argument must be a string
    # or a real number, not 'NAType'" (the gate's told to one-hot encode
    # categorical columns), where None, NaN and a DataFrame's pd.NA are missing values.
    X, y = _numbers_with_pd_na()
    with pytest.raises(TypeError, match=r"pd\.NA in column\(s\) \[1\].*DataFrame\.to_numpy\(\)"
                                        r".*X\.to_numpy\(dtype=float, na_value=np\.nan\)"):
        model.fit(X, y)
    model.fit(X[1:].astype(float), y[1:])
    with pytest.raises(TypeError, match=r"pd\.NA in column\(s\) \[1\]"):
        model.predict(X[:3])


# -- torch tensors that numpy cannot read -----------------------------------------------
def test_a_torch_tensor_numpy_cannot_read_is_named_with_the_call_that_reads_it():
    # Float CPU tensors are read as numpy reads them; bfloat16 or one that
    # requires grad stopped inside torch ("Got unsupported ScalarType BFloat16",
    # "Can't call numpy() on Tensor that requires grad"), naming neither X nor
    # the estimator.
    import torch
    from sklearn.linear_model import Ridge

    from skmoe import EnsembleRegressor

    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 3), rng.randn(20)
    mlp = TorchMLPRegressor((4,), max_epochs=2, device="cpu", random_state=0)
    with pytest.raises(TypeError, match=r"^TorchMLPRegressor: X is a torch tensor that numpy "
                                        r"cannot read \(numpy has no dtype torch\.bfloat16\); "
                                        r"pass X\.double\(\)\.$"):
        mlp.fit(torch.tensor(X, dtype=torch.bfloat16), y)
    ensemble = EnsembleRegressor([("a", Ridge()), ("b", Ridge(alpha=9.0))]).fit(X, y)
    graded = torch.tensor(X, requires_grad=True)
    with pytest.raises(TypeError, match=r"^EnsembleRegressor: X is a torch tensor that numpy "
                                        r"cannot read \(it requires grad\); pass X\.detach\(\)"):
        ensemble.predict(graded)
    # The calls named read them, as float tensors always were.
    np.testing.assert_allclose(ensemble.predict(graded.detach()), ensemble.predict(X))
    # y and sample_weight likewise.
    half = torch.tensor(y, dtype=torch.bfloat16)
    with pytest.raises(TypeError, match=r"^EnsembleRegressor: y is a torch tensor that numpy "
                                        r"cannot read .*; pass y\.double\(\)\.$"):
        ensemble.fit(X, half)
    with pytest.raises(TypeError, match=r"^sample_weight is a torch tensor that numpy cannot "
                                        r"read .*; pass sample_weight\.double\(\)\.$"):
        mlp.fit(X, y, sample_weight=torch.ones(20, dtype=torch.bfloat16))
    ensemble.fit(X, half.double(), sample_weight=torch.ones(20))
    # A deployed expert, the average of its fold fits, too.
    from skmoe import CrossFitAverage

    average = CrossFitAverage([Ridge().fit(X[:15], y[:15]), Ridge().fit(X[5:], y[5:])], name="a")
    with pytest.raises(TypeError, match=r"^CrossFitAverage of expert 'a': X is a torch tensor "
                                        r"that numpy cannot read \(it requires grad\)"):
        average.predict(graded)
    np.testing.assert_allclose(average.predict(graded.detach()), average.predict(X))
    mlp.fit(torch.tensor(X, dtype=torch.bfloat16).double(), y)
    assert mlp.predict(torch.tensor(X, dtype=torch.float32)).shape == (20,)


# -- a DataFrame of no rows ----------------------------------------------------------------
def _fitted_on_a_frame():
    from sklearn.linear_model import Ridge

    from skmoe import EnsembleRegressor, HierarchicalMixtureRegressor, MixtureOfExpertsRegressor

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(30, 2), columns=["a", "b"])
    y = X["a"].to_numpy() + 0.1 * rng.randn(30)
    experts = [("a", Ridge()), ("b", Ridge(alpha=9.0))]
    models = [MixtureOfExpertsRegressor(experts, training="em", max_iter=2, random_state=0),
              EnsembleRegressor(experts),
              HierarchicalMixtureRegressor(Ridge(), branching=(2,), max_iter=2, random_state=0)]
    return X, y, models


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_a_dataframe_of_too_few_rows_names_the_estimator_as_an_array_does():
    # scikit-learn names the estimator in "Found array with 0 sample(s) ...
    # is required by MixtureOfExpertsRegressor." for an array; a DataFrame,
    # checked by skmoe to reach the experts as it is, said only "... is required."
    X, y, models = _fitted_on_a_frame()
    for model in models[:2]:   # (HME names its leaves against the rows first)
        name = type(model).__name__
        with pytest.raises(ValueError, match=r"^Found array with 1 sample\(s\) \(shape=\(1, 2\)\) "
                                             rf"while a minimum of 2 is required by {name}\.$"):
            model.fit(X.iloc[:1], y[:1])
    for model in models:
        name = type(model).__name__
        model.fit(X, y)
        for empty in (X.iloc[:0], X.to_numpy()[:0]):
            with pytest.raises(ValueError, match=r"^Found array with 0 sample\(s\) \(shape=\(0, 2\)\)"
                                                 rf" while a minimum of 1 is required by {name}\.$"):
                model.predict(empty)


def test_mlp_gate_fits_a_tensor_of_any_dtype_as_it_predicts_one():
    # predict_proba reads a bfloat16 tensor, or one that requires grad, as its
    # float64 values; fit stopped in numpy's cast ("Got unsupported ScalarType
    # BFloat16", "Can't call numpy() on Tensor that requires grad").
    import torch

    from skmoe import MLPGate

    rng = np.random.RandomState(0)
    X = torch.tensor(rng.randn(30, 3), dtype=torch.bfloat16)
    targets = rng.dirichlet(np.ones(2), size=30)
    values = X.double().numpy()      # the numbers the tensor holds
    expected = MLPGate(max_iter=5).fit(values, targets).predict_proba(values)
    for tensor in (X, X.double().requires_grad_()):
        gate = MLPGate(max_iter=5).fit(tensor, targets)
        np.testing.assert_array_equal(gate.predict_proba(values), expected)
        np.testing.assert_array_equal(gate.predict_proba(tensor), expected)


# -- one-hot labels ------------------------------------------------------------------------
def test_one_hot_labels_are_told_to_be_given_as_labels():
    # A classifier's y of one-hot rows was sent to the multi-task mixtures alone
    # ("for several, use MultiGateMixtureOfExperts ..."), as if each column were
    # a task; the labels it encodes are the likely intent.
    from sklearn.linear_model import LogisticRegression

    from skmoe import EnsembleClassifier, MixtureOfExpertsClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(30, 2)
    labels = np.arange(30) % 3
    one_hot = np.eye(3, dtype=int)[labels]
    experts = [("a", LogisticRegression()), ("b", LogisticRegression(C=0.1))]
    for model in (MixtureOfExpertsClassifier(experts), EnsembleClassifier(experts)):
        with pytest.raises(ValueError, match=r"use MultiGateMixtureOfExperts .*Its rows are "
                                             r"one-hot .*pass that label instead "
                                             r"\(y\.argmax\(axis=1\)"):
            model.fit(X, one_hot)
        # Columns that are no one-hot code (two labels on a row) get no such hint.
        with pytest.raises(ValueError, match=r"or fit one model per column\.$"):
            model.fit(X, np.c_[one_hot[:, :2], np.ones(30, dtype=int)])
    assert EnsembleClassifier(experts).fit(X, one_hot.argmax(axis=1)).predict(X[:2]).shape == (2,)
