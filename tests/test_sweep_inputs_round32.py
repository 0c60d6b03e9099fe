"""Bad-input sweep, round 32: experts' masked outputs, complex targets at
score time, a gate view given as text, a constant target of large magnitude,
and the messages of the hierarchical mixture and select_n_experts for sizes
they cannot take.

Each test fails without the fix it names.
"""
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.preprocessing import FunctionTransformer

from skmoe import (EnsembleClassifier, EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts, select_n_experts)
from skmoe.experts import RuleExpert, TorchMLPRegressor


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=n)
    return X, y, (X[:, 0] > 0).astype(int)


class _MaskedRegressor(RegressorMixin, BaseEstimator):
    """Predicts zeros, the first row masked (a model with no answer there)."""

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        n = len(X)
        return np.ma.masked_array(np.zeros(n), mask=np.arange(n) == 0)


class _MaskedClassifier(ClassifierMixin, BaseEstimator):
    """Uniform probabilities and labels, the first row masked."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        n = len(X)
        return np.ma.masked_array(np.zeros(n, dtype=int), mask=np.arange(n) == 0)

    def predict_proba(self, X):
        n, k = len(X), len(self.classes_)
        mask = np.repeat((np.arange(n) == 0)[:, None], k, axis=1)
        return np.ma.masked_array(np.full((n, k), 1.0 / k), mask=mask)


@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("lin", LinearRegression()), ("bad", _MaskedRegressor())]),
    lambda: MixtureOfExpertsRegressor([("lin", LinearRegression()), ("bad", _MaskedRegressor())],
                                      training="em", max_iter=2, random_state=0),
    lambda: MixtureOfExpertsRegressor([("lin", LinearRegression()), ("bad", _MaskedRegressor())],
                                      max_epochs=2, random_state=0),
], ids=["ensemble", "em-mixture", "stacked-mixture"])
def test_an_expert_returning_a_masked_array_is_named(make):
    # np.asarray dropped the mask: the numbers under it (whatever the expert
    # left there) were averaged and weighed as predictions, without a word,
    # while a RuleExpert returning one is refused.
    X, y, _ = _data()
    with pytest.raises(ValueError, match=r"Expert 'bad' \(_MaskedRegressor\) failed in predict: "
                                         r"it returned a masked array with 1 masked value"):
        make().fit(X, y).predict(X)   # (the plain ensemble calls no expert in fit)
    # A masked array with nothing masked is an array like any other.
    class Unmasked(_MaskedRegressor):
        def predict(self, X):
            return np.ma.masked_array(X[:, 0], mask=False)

    model = make().set_params(experts=[("lin", LinearRegression()), ("first", Unmasked())])
    assert np.all(np.isfinite(model.fit(X, y).predict(X)))


@pytest.mark.parametrize("make", [
    lambda: EnsembleClassifier([("lr", LogisticRegression()), ("bad", _MaskedClassifier())]),
    lambda: EnsembleClassifier([("lr", LogisticRegression()), ("bad", _MaskedClassifier())],
                               voting="hard"),
    lambda: MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                        ("bad", _MaskedClassifier())],
                                       training="em", max_iter=2, random_state=0),
], ids=["soft-ensemble", "hard-ensemble", "em-mixture"])
def test_a_classifier_returning_masked_probabilities_or_labels_is_named(make):
    X, _, y = _data()
    with pytest.raises(ValueError, match=r"Expert 'bad' \(_MaskedClassifier\) failed in "
                                         r"predict(_proba)?: it returned a masked array"):
        make().fit(X, y).predict(X)   # (the plain ensembles call no expert in fit)


@pytest.mark.parametrize("make", [
    lambda: EnsembleRegressor([("lin", LinearRegression()), ("ridge", Ridge())]),
    lambda: MixtureOfExpertsRegressor([("lin", LinearRegression()), ("ridge", Ridge())],
                                      training="em", max_iter=2, random_state=0),
    lambda: HierarchicalMixtureRegressor(LinearRegression(), branching=2, max_iter=2,
                                         random_state=0),
    lambda: TorchMLPRegressor((4,), max_epochs=2, random_state=0),
    lambda: RuleExpert(lambda X: X[:, 0]),
], ids=["ensemble", "em-mixture", "hme", "torch-mlp", "rule"])
def test_score_refuses_a_complex_target_as_fit_does(make):
    # fit refuses complex y ("Complex data not supported"); score cast it to
    # float64, dropping the imaginary parts with numpy's ComplexWarning only,
    # and gave the R^2 of the real parts (0.99 for y + 1j * noise).
    X, y, _ = _data()
    model = make().fit(X, y)
    noisy = y + 1j * np.random.RandomState(1).normal(size=len(y))
    with pytest.raises(ValueError, match="y contains complex numbers; R\\^2 needs real targets"):
        model.score(X, noisy)
    assert np.isfinite(model.score(X, y))


@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts([("lin", LinearRegression()),
                                                    ("ridge", Ridge())],
                                                   max_iter=3, alpha=1e-3, random_state=0),
], ids=["mmoe", "hetero-mmoe"])
def test_multi_task_score_refuses_a_complex_task_as_fit_does(make):
    X, y, _ = _data()
    Y = np.c_[y, -y]
    model = make().fit(X, Y)
    # (score cast the column to float64, dropping the imaginary parts with
    # numpy's ComplexWarning only; fit refuses them.)
    with pytest.raises(ValueError, match=r"complex numbers in column 0 \(task 0, regression\)"):
        model.score(X, np.c_[y + 1j, -y])


@pytest.mark.parametrize("output", [
    lambda Z: Z.astype(str),
    lambda Z: np.c_[Z, Z[:, :1].astype(str)].astype(object),
], ids=["str-array", "object-array"])
def test_a_gate_transformer_returning_numbers_as_text_is_refused(output):
    # The gate's view was cast to float64 as it came: '1.76' was read as
    # 1.76 without a word, where an X of text and an expert's text output
    # are refused.
    X, y, _ = _data()
    model = MixtureOfExpertsRegressor([("lin", LinearRegression()), ("ridge", Ridge())],
                                      training="em", max_iter=2, random_state=0,
                                      gate_transformer=FunctionTransformer(output))
    with pytest.raises(ValueError, match=r"gate_transformer \(FunctionTransformer\) returned "
                                         r"text \(dtype .*e\.g\. '1\.76"):
        model.fit(X, y)


@pytest.mark.parametrize("n", [0, 1])
def test_a_tree_given_fewer_than_two_experts_is_not_told_a_branching_it_refuses(n):
    # It said "or a branching with 1 leaves (e.g. branching=1, one level)"
    # (branching=0 for none), which branching itself refuses: "branching
    # must be an int >= 2".
    X, y, _ = _data()
    experts = [("lin", LinearRegression())][:n]
    with pytest.raises(ValueError) as info:
        HierarchicalMixtureRegressor(experts).fit(X, y)
    message = str(info.value)
    assert f"but {n} experts were given" in message
    assert "branching=1" not in message and "branching=0" not in message
    assert "two experts or more" in message
    # Two experts or more still get the branching that fits them.
    with pytest.raises(ValueError, match=r"e\.g\. branching=3, one level"):
        HierarchicalMixtureRegressor([(f"e{i}", LinearRegression()) for i in range(3)]).fit(X, y)


def test_select_n_experts_tells_a_hierarchical_mixture_to_vary_branching():
    # "select_n_experts needs a mixture with a parameter 'n_experts';
    # HierarchicalMixtureRegressor has none": not the param='branching' that
    # its own docstring names for a hierarchical mixture.
    X, y, _ = _data()
    hme = HierarchicalMixtureRegressor(LinearRegression(), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"HierarchicalMixtureRegressor has none: .*pass "
                                         r"param='branching'"):
        select_n_experts(hme, X, y, candidates=(2, 3))
    best, scores = select_n_experts(hme, X, y, param="branching", candidates=(2, 3))
    assert best in scores
    with pytest.raises(ValueError, match=r"LinearRegression has none\.$"):
        select_n_experts(LinearRegression(), X, y, candidates=(2, 3))


@pytest.mark.parametrize("value", [1e300, 1e200])
@pytest.mark.parametrize("make, multi_task", [
    (lambda: TorchMLPRegressor((4,), max_epochs=2, random_state=0), False),
    (lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0), True),
    (lambda: HeterogeneousMultiGateMixtureOfExperts([("lin", LinearRegression()),
                                                     ("ridge", Ridge())],
                                                    max_iter=3, alpha=1e-3, random_state=0),
     True),
], ids=["torch-mlp", "mmoe", "hetero-mmoe"])
def test_a_constant_target_of_large_magnitude_is_predicted_as_its_constant(make, multi_task,
                                                                           value):
    # Its mean, rounded, was an ulp off the constant: the standardised
    # target was 3e284 (infinite in float32), and the torch regressor and
    # MMoE said they "diverged ... lower learning_rate", the heterogeneous
    # mixture that its expert "returned predictions 2.97e+284 standard
    # deviations of y from its mean".
    X, y, _ = _data()
    target = np.full(len(y), value)
    Y = np.c_[y, target] if multi_task else target
    pred = make().fit(X, Y).predict(X[:5])
    np.testing.assert_array_equal(pred[:, 1] if multi_task else pred, value)


def _first_column(X):
    return X[:, 0]


@pytest.mark.parametrize("make", [
    lambda experts: MixtureOfExpertsRegressor(experts),
    lambda experts: EnsembleRegressor(experts),
    lambda experts: HierarchicalMixtureRegressor(experts, branching=2),
], ids=["mixture", "ensemble", "hme"])
def test_a_function_given_as_an_expert_is_told_to_be_wrapped_in_a_rule_expert(make):
    # "Expert 'f' is <function _first_column at 0x...>, which is neither an
    # estimator with fit nor 'drop'": not that skmoe's RuleExpert makes an
    # expert of a function of X.
    X, y, _ = _data()
    with pytest.raises(TypeError, match=r"Expert 'f' is <function _first_column.*a plain "
                                        r"function of X becomes an expert wrapped in "
                                        r"RuleExpert"):
        make([("lin", LinearRegression()), ("f", _first_column)]).fit(X, y)
    # The way out it names works; an object without fit gets no such hint.
    make([("lin", LinearRegression()), ("f", RuleExpert(_first_column))]).fit(X, y)
    with pytest.raises(TypeError) as info:
        make([("lin", LinearRegression()), ("f", None)]).fit(X, y)
    assert "RuleExpert" not in str(info.value)


@pytest.mark.parametrize("make, multi_task", [
    (lambda: TorchMLPRegressor((4,), max_epochs=3, random_state=0), False),
    (lambda: MultiGateMixtureOfExperts(n_experts=2, max_iter=3, random_state=0), True),
], ids=["torch-mlp", "mmoe"])
def test_a_constant_feature_of_large_magnitude_is_no_signal(make, multi_task):
    # The same ulp: a feature constant at 1e300 was standardised to 3e284
    # (infinite in float32), and the networks predicted 1.5e13 (the torch
    # regressor) and -2.6e12 (MMoE) for a y of order one, silently. A
    # constant column now standardises to 0, as a column of zeros does.
    X, y, _ = _data()
    Y = np.c_[y, -y] if multi_task else y
    huge = make().fit(np.c_[X, np.full(len(X), 1e300)], Y)
    zero = make().fit(np.c_[X, np.zeros(len(X))], Y)
    np.testing.assert_allclose(huge.predict(np.c_[X, np.full(len(X), 1e300)]),
                               zero.predict(np.c_[X, np.zeros(len(X))]))
