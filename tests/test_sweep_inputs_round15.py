"""Bad-input sweep, round 15: folds, seeds, encoders and the gate's inputs."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MixtureOfExpertsRegressor, TorchMLPRegressor,
                   compare, select_n_experts)


def _regression(n=30):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 2)
    return X, X[:, 0] + 0.1 * rng.randn(n)


def _two_experts():
    return [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]


def _em_template():
    return MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                     cv=None, max_iter=3, random_state=0)


@pytest.mark.parametrize("cv, message", [
    (1, r"cv must be a number of folds \(2 or more\), .*got 1\."),
    (np.int64(0), r"cv must be a number of folds \(2 or more\), .*got (np\.int64\()?0"),
    (31, r"cv=31 folds need at least 31 rows; the data has 30\. Lower cv or add rows\."),
])
def test_compare_and_select_n_experts_name_a_number_of_folds_they_cannot_make(cv, message):
    # scikit-learn's KFold said "k-fold cross-validation requires at least one
    # train/test split by setting n_splits=2 or more, got n_splits=1" and
    # "Cannot have number of splits n_splits=31 greater than the number of
    # samples: n_samples=30": a parameter neither function has (the
    # estimators name cv for the same values).
    X, y = _regression()
    with pytest.raises(ValueError, match=message):
        compare({"ridge": Ridge(), "tree": DecisionTreeRegressor()}, X, y, cv=cv)
    with pytest.raises(ValueError, match=message):
        select_n_experts(_em_template(), X, y, candidates=[1, 2], criterion="cv", cv=cv)


def test_compare_and_select_n_experts_still_take_as_many_folds_as_rows():
    X, y = _regression(n=6)
    result = compare({"ridge": Ridge(), "line": LinearRegression()}, X, y, cv=6,
                     scoring="neg_mean_absolute_error")
    assert len(result.scores["ridge"]["neg_mean_absolute_error"]) == 6


@pytest.mark.parametrize("random_state", [np.random.default_rng(0), -1, 1.5])
def test_compare_names_a_random_state_it_cannot_seed_folds_with(random_state):
    # Failed in KFold with "Generator(PCG64) at 0x... cannot be used to seed
    # a numpy.random.RandomState instance" or "Seed must be between 0 and
    # 2**32 - 1", naming no parameter (the estimators refuse these by name).
    X, y = _regression()
    with pytest.raises(ValueError, match=r"The 'random_state' parameter of compare must be"):
        compare({"ridge": Ridge(), "tree": DecisionTreeRegressor()}, X, y, cv=3,
                random_state=random_state)


def _frame_with_a_rare_category():
    X, y = _regression(n=40)
    frame = pd.DataFrame(X, columns=["a", "b"])
    frame["kind"] = np.where(X[:, 1] > 0, "u", "v")
    frame.loc[5, "kind"] = "w"   # one row: some training rows never see it
    return frame, y


def _encoded(estimator):
    return make_pipeline(make_column_transformer((OneHotEncoder(), ["kind"]),
                                                 remainder="passthrough"), estimator)


_UNKNOWN_CATEGORY = (r"Found unknown categories \['w'\] .* \(a category absent from the rows "
                     r"this model was fitted on.*OneHotEncoder\(handle_unknown='ignore'\)")


def test_an_encoder_meeting_a_category_its_rows_lack_is_told_to_take_unknown_ones():
    # The fold that holds the one 'w' row left it out of the training rows:
    # the mixture said "If the error is about too few rows, pass fewer folds
    # or cv=None", compare nothing at all; the fix is the encoder's
    # handle_unknown.
    X, y = _frame_with_a_rare_category()
    experts = [("line", _encoded(LinearRegression())), ("ridge", _encoded(Ridge()))]
    moe = MixtureOfExpertsRegressor(experts, training="em", cv=2, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match="Expert 'line' .*" + _UNKNOWN_CATEGORY):
        moe.fit(X, y)
    with pytest.raises(ValueError, match="Model 'line' .*" + _UNKNOWN_CATEGORY):
        compare(dict(experts), X, y, cv=2)
    # A tree mixture's leaf is fitted on its rows of weight only, and then
    # predicts every row: its fit failed with scikit-learn's message alone.
    hme = HierarchicalMixtureRegressor(experts, branching=(2,), random_state=0)
    with pytest.raises(ValueError, match="Expert '(line|ridge)' .*" + _UNKNOWN_CATEGORY):
        hme.fit(X, y + 3 * (X["kind"] == "u"))


def test_an_encoder_that_takes_unknown_categories_still_fits():
    X, y = _frame_with_a_rare_category()

    def encoded(estimator):
        return make_pipeline(make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["kind"]), remainder="passthrough"),
            estimator)

    moe = MixtureOfExpertsRegressor([("line", encoded(LinearRegression())),
                                     ("ridge", encoded(Ridge()))],
                                    training="em", cv=2, max_iter=2, random_state=0)
    assert np.all(np.isfinite(moe.fit(X, y).predict(X)))


@pytest.mark.parametrize("make", [
    lambda gate_view: MixtureOfExpertsRegressor(
        _two_experts(), training="em", gate_transformer=gate_view, max_iter=2, random_state=0),
    lambda gate_view: MixtureOfExpertsRegressor(
        _two_experts(), top_k=1, noisy_gating=True, gate_transformer=gate_view, max_epochs=2,
        random_state=0),
    lambda gate_view: MixtureOfExpertsRegressor(
        # (Three experts: top_k=2 of two is the dense mixture, which now warns
        # that top_k=None trains it better.)
        _two_experts() + [("stump", DecisionTreeRegressor(max_depth=1))], top_k=2,
        gate_transformer=gate_view, max_epochs=2, random_state=0),
    lambda gate_view: HierarchicalMixtureRegressor(
        _two_experts(), branching=(2,), gate_transformer=gate_view, max_iter=2,
        random_state=0),
], ids=["em", "noisy-top-1", "top-2", "tree"])
def test_a_gate_on_no_column_fits_without_torch_warnings(make):
    # A gate_transformer that keeps no column leaves the gate its constant
    # bias; torch warned at every fit: "Initializing zero-element tensors is a
    # no-op" (the first layer's and the noise layer's init) and "var_mean():
    # degrees of freedom is <= 0" (the inputs' scaling).
    X, y = _regression()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = make(FunctionTransformer(lambda Z: Z[:, :0])).fit(X, y)
    assert np.all(np.isfinite(model.predict(X)))
    # (Only skmoe's own word that the gate sees no column, round 22.)
    assert [str(w.message)[:53] for w in caught
            if not issubclass(w.category, ConvergenceWarning)] == [
        "gate_transformer (FunctionTransformer) returned no co"]


def test_heterogeneous_multitask_too_few_rows_mention_weights_only_when_given():
    # "got 2 (rows of zero sample_weight are left out)" was said of a fit
    # without sample_weight, sending the user after weights they never gave.
    X, y = _regression()
    Y = np.c_[y, -y]
    make = lambda: HeterogeneousMultiGateMixtureOfExperts(_two_experts(), cv=3)  # noqa: E731
    with pytest.raises(ValueError) as error:
        make().fit(X[:2], Y[:2])
    assert str(error.value) == "cv=3 folds need at least 3 samples, got 2. Lower cv or add rows."
    weight = np.r_[1.0, 1.0, np.zeros(len(X) - 2)]
    with pytest.raises(ValueError, match=r"got 2 \(rows of positive weight; 28 rows of zero "
                                         r"sample_weight are left out\)\. Lower cv"):
        make().fit(X, Y, sample_weight=weight)


@pytest.mark.parametrize("value", [0.0, 3.7e-12, -2.5])
def test_a_torch_regressor_predicts_a_constant_target_as_its_constant(value):
    # The constant was scaled by one and the network's leftover outputs added
    # to it: TorchMLPRegressor(max_epochs=2) predicted -0.005 .. 0.24 for y = 0
    # and for y = 3.7e-12 (the multi-task mixtures predict such a task exactly).
    X, _ = _regression()
    model = TorchMLPRegressor(max_epochs=2, random_state=0).fit(X, np.full(len(X), value))
    assert np.all(model.predict(X) == value)
    # Constant over the rows of weight: those are the rows it learns from.
    y = np.r_[np.arange(5.0), np.full(len(X) - 5, value)]
    weight = np.r_[np.zeros(5), np.ones(len(X) - 5)]
    weighted = TorchMLPRegressor(max_epochs=2, random_state=0).fit(X, y, sample_weight=weight)
    assert np.all(weighted.predict(X) == value)
    # Two torch experts in a mixture predict through the batched device path.
    ensemble = EnsembleRegressor([("a", TorchMLPRegressor(max_epochs=2, random_state=0)),
                                  ("b", TorchMLPRegressor(max_epochs=2, random_state=1))])
    assert np.all(ensemble.fit(X, np.full(len(X), value)).predict(X) == value)


@pytest.mark.parametrize("value", [0.0, 3.7e-12, -2.5])
def test_torch_experts_trained_with_the_gate_predict_a_constant_target(value):
    # The joint trainer exported its networks with the target's scale of one,
    # so the mixture predicted the constant plus their leftover outputs:
    # 0.09 for y = 0, 5.09 for y = 5 (a TorchMLPRegressor alone predicts it).
    X, _ = _regression()
    moe = MixtureOfExpertsRegressor(
        [("a", TorchMLPRegressor(max_epochs=2, random_state=0)),
         ("b", TorchMLPRegressor(max_epochs=2, random_state=1))],
        training="gradient", max_epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe.fit(X, np.full(len(X), value))
    assert np.all(moe.predict_experts(X) == value)
    # (The gate's weights sum to one up to rounding.)
    assert_allclose(moe.predict(X), value, rtol=1e-12, atol=0)


def test_select_n_experts_reads_a_regression_target_as_the_mixtures_do():
    # The mixtures take numbers written as text (a CSV column read as
    # strings) and name words; select_n_experts' one-expert candidate failed
    # on the text with numpy's "ufunc 'subtract' did not contain a loop with
    # signature matching types", on words with a bare "could not convert
    # string to float".
    X, y = _regression()
    template = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                         random_state=0)
    expected = select_n_experts(template, X, y, candidates=[1, 2])
    as_text = select_n_experts(template, X, y.astype(str), candidates=[1, 2])
    assert as_text[0] == expected[0]
    assert_allclose(list(as_text[1].values()), list(expected[1].values()), rtol=1e-12)
    for words in (np.where(y > 0, "up", "down"), np.where(y > 0, "up", "down").astype(object)):
        with pytest.raises(ValueError, match=r"y must be numeric for MixtureOfExpertsRegressor "
                                             r"\(a regressor\): could not convert string to "
                                             r"float: .*use a classifier for class labels"):
            select_n_experts(template, X, words, candidates=[1, 2])


def test_a_torch_regressor_reads_numbers_written_as_text_as_the_mixtures_do():
    # Refused as "y must be numeric for TorchMLPRegressor (a regressor), got an
    # array of dtype <U32; use TorchMLPClassifier for class labels", although
    # they are no labels and every other regressor here takes them.
    X, y = _regression()
    as_text = TorchMLPRegressor(max_epochs=2, random_state=0).fit(X, y.astype(str))
    as_numbers = TorchMLPRegressor(max_epochs=2, random_state=0).fit(X, y)
    assert_allclose(as_text.predict(X), as_numbers.predict(X))
    with pytest.raises(ValueError, match=r"y must be numeric for TorchMLPRegressor \(a "
                                         r"regressor\): could not convert string to float"):
        TorchMLPRegressor(max_epochs=2).fit(X, np.where(y > 0, "up", "down"))
