"""Bad input, round 4: each test fails without the fix it names."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MixtureOfExpertsRegressor, MLPGate,
                   MultiGateMixtureOfExperts, RuleExpert, TorchMLPRegressor,
                   select_n_experts)

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _regression(n=60, n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- a sparse X reaches the experts read-only ---------------------------------
@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsRegressor(e, training="em", gate=FAST_GATE, max_iter=2, cv=None,
                                        random_state=0),
    lambda e: MixtureOfExpertsRegressor(e, top_k=1, max_epochs=3, random_state=0),
    lambda e: EnsembleRegressor(e),
    lambda e: HierarchicalMixtureRegressor(e[0][1], branching=(2,), max_iter=2,
                                           random_state=0),
], ids=["em", "top_k", "ensemble", "hierarchical"])
@pytest.mark.parametrize("step", [lambda: StandardScaler(with_mean=False, copy=False),
                                  lambda: Normalizer(copy=False)], ids=["scaler", "normalizer"])
def test_an_expert_scaling_in_place_cannot_change_a_sparse_X(make, step):
    # The experts got the caller's CSR matrix itself: a Pipeline step with
    # copy=False scaled its data in place (by up to 1.6 here), so the caller's
    # X changed and, in EM, the other experts fitted on the scaled values. A
    # dense X was already passed read-only (scikit-learn then copies).
    X, y = _regression()
    X_sparse = sparse.csr_matrix(X)
    before = X_sparse.copy()
    experts = [("scaled", make_pipeline(step(), Ridge())),
               ("tree", DecisionTreeRegressor(max_depth=3))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make(experts).fit(X_sparse, y)
        predicted = model.predict(X_sparse)
        dense = make(experts).fit(X, y).predict(X)
    assert abs(X_sparse - before).max() == 0
    assert_allclose(predicted, dense, rtol=1e-6, atol=1e-8)


class _SortsIndices(Ridge):
    """Ridge after scipy's in-place ``sort_indices`` of its sparse X."""

    def fit(self, X, y, sample_weight=None):
        if sparse.issparse(X):
            X.sort_indices()
        return super().fit(X, y, sample_weight=sample_weight)

    def predict(self, X):
        if sparse.issparse(X):
            X.sort_indices()
        return super().predict(X)


def test_a_sparse_x_with_unsorted_indices_is_sorted_on_a_copy():
    # Unsorted column indices, which scipy sorts in place, are given to the
    # experts sorted, on a copy: the caller's matrix keeps its order (it was
    # sorted in place) and the read-only view does not stop scipy.
    X, y = _regression()
    X_sparse = sparse.csr_matrix(X)
    data, indices = X_sparse.data.copy(), X_sparse.indices.copy()
    for row in range(X.shape[0]):
        part = slice(X_sparse.indptr[row], X_sparse.indptr[row + 1])
        data[part], indices[part] = data[part][::-1], indices[part][::-1]
    unsorted = sparse.csr_matrix((data.copy(), indices.copy(), X_sparse.indptr.copy()),
                                 shape=X.shape)
    assert not unsorted.has_sorted_indices
    model = EnsembleRegressor([("sorts", _SortsIndices()),
                               ("tree", DecisionTreeRegressor(max_depth=3))])
    assert_allclose(model.fit(unsorted, y).predict(unsorted), model.fit(X, y).predict(X))
    assert_allclose(unsorted.indices, indices)


# -- multi-task targets -------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=3, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))], max_iter=5, cv=2,
        random_state=0),
], ids=["mmoe", "heterogeneous"])
def test_a_complex_regression_task_is_refused(make):
    # The imaginary parts were dropped (numpy's ComplexWarning only) and the
    # model fitted the real parts; scikit-learn refuses complex targets.
    X, y = _regression()
    with pytest.raises(ValueError, match=r"complex numbers in column 0 \(task 0, regression\)"):
        make().fit(X, np.column_stack([y + 1j * y, y]))


# -- experts given as something else than estimators --------------------------
@pytest.mark.parametrize("experts", [None, "ridge"], ids=["None", "string"])
@pytest.mark.parametrize("make", [MixtureOfExpertsRegressor, EnsembleRegressor])
def test_experts_that_are_no_estimators_with_n_experts_are_named(make, experts):
    # experts=None with n_experts=2 stopped with a bare "object of type
    # 'NoneType' has no len()", and experts='ridge' was "a list of 5 experts".
    X, y = _regression()
    with pytest.raises(TypeError, match=r"experts must be a non-empty list of \(name, "
                                        r"estimator\) pairs or a single estimator, got "
                                        rf"{type(experts).__name__}\."):
        make(experts, n_experts=2).fit(X, y)


@pytest.mark.parametrize("experts, who", [
    (Ridge, "experts"),
    ([("ridge", Ridge), ("tree", DecisionTreeRegressor())], "Expert 'ridge'"),
], ids=["one", "list"])
def test_a_leaf_given_as_a_class_is_named(experts, who):
    # scikit-learn's clone said "provide an instance of scikit-learn estimator
    # instead of a class", naming no expert (the flat mixtures named it).
    X, y = _regression()
    with pytest.raises(TypeError, match=rf"^{who} is the class Ridge, not an estimator: pass "
                                        r"an instance, e.g. Ridge\(\)"):
        HierarchicalMixtureRegressor(experts, branching=(2,), max_iter=2).fit(X, y)


# -- the gate's view of X (gate_transformer) ----------------------------------
class _FewerColumnsOnSmallX(TransformerMixin, BaseEstimator):
    """A gate transformer whose output has one column less on fewer than 60 rows."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        return X if len(X) >= 60 else X[:, :-1]


_GATED = [
    lambda **kw: MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))], training="em",
        gate=FAST_GATE, max_iter=2, random_state=0, **kw),
    lambda **kw: MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))], max_epochs=3,
        random_state=0, **kw),
    lambda **kw: HierarchicalMixtureRegressor(Ridge(), branching=(2,), max_iter=2,
                                              random_state=0, **kw),
]
_GATED_IDS = ["em", "gradient", "hierarchical"]


@pytest.mark.parametrize("make", _GATED, ids=_GATED_IDS)
def test_a_gate_view_of_another_width_at_prediction_is_named(make):
    # torch said "The size of tensor a (2) must match the size of tensor b (3)".
    X, y = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make(gate_transformer=_FewerColumnsOnSmallX()).fit(X, y)
    with pytest.raises(ValueError, match=r"gate_transformer \(_FewerColumnsOnSmallX\) "
                                         r"returned 2 column\(s\) for this X but 3 at fit"):
        model.predict(X[:10])


class _ComplexView(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float) * (1 + 1j)


@pytest.mark.parametrize("make", _GATED, ids=_GATED_IDS)
def test_a_complex_gate_view_is_refused(make):
    # The imaginary parts were dropped (numpy's ComplexWarning only) and the
    # gate trained on the real parts.
    X, y = _regression()
    with pytest.raises(ValueError, match=r"gate_transformer \(_ComplexView\) returned complex "
                                         "numbers"):
        make(gate_transformer=_ComplexView()).fit(X, y)


@pytest.mark.parametrize("make", _GATED, ids=_GATED_IDS)
def test_a_gate_transformer_given_as_a_class_is_named(make):
    # A class has fit and transform, so the parameter check let it through,
    # and scikit-learn's clone said "provide an instance of scikit-learn
    # estimator instead of a class", naming no parameter.
    X, y = _regression()
    with pytest.raises(TypeError, match=r"^gate_transformer is the class StandardScaler, not an "
                                        r"estimator: pass an instance, e.g. StandardScaler\(\)"):
        make(gate_transformer=StandardScaler).fit(X, y)


# -- select_n_experts ---------------------------------------------------------
@pytest.mark.parametrize("flag", [True, np.True_])
def test_select_n_experts_refuses_a_flag_among_the_candidates(flag):
    # True was taken as n_experts=1 (one expert alone) and returned as the
    # best candidate, True; beside 1 it was the same dict key.
    X, y = _regression()
    moe = MixtureOfExpertsRegressor(Ridge(), n_experts=2, training="em", gate=FAST_GATE,
                                    max_iter=2, random_state=0)
    with pytest.raises(TypeError, match=r"candidates of n_experts must be integers, got "
                                        r"(np\.)?True_? in"):
        select_n_experts(moe, X, y, candidates=(flag, 2))


# -- estimators that need numbers ---------------------------------------------
_NUMERIC = {
    "torch_mlp": (lambda: TorchMLPRegressor(max_epochs=2, random_state=0), "TorchMLPRegressor"),
    "rule": (lambda: RuleExpert(np.sum), r"RuleExpert\(sum\)"),
    "mmoe": (lambda: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2,
                                               random_state=0), "MultiGateMixtureOfExperts"),
    "heterogeneous": (lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))], max_iter=2, cv=2,
        random_state=0), "HeterogeneousMultiGateMixtureOfExperts"),
}


@pytest.mark.parametrize("values, what", [
    (lambda X: X.astype(str), r"strings \(dtype <U32\)"),
    (lambda X: np.datetime64("2020-01-01") + (X * 1e6).astype("timedelta64[s]"),
     r"dates \(dtype datetime64\[s\]\)"),
], ids=["strings", "dates"])
@pytest.mark.parametrize("kind", list(_NUMERIC))
def test_an_array_of_text_or_dates_is_not_read_as_numbers(kind, values, what):
    # The cast to float64 read numbers written as text as numbers and dates as
    # nanoseconds since 1970, silently; scikit-learn's estimators refuse both,
    # and so did these estimators for a DataFrame's date columns.
    make, who = _NUMERIC[kind]
    X, y = _regression()
    with pytest.raises(ValueError, match=rf"^{who} needs numeric X; X is an array of {what}"):
        make().fit(values(X), y)


# -- sparse routing's loss weights ----------------------------------------------
@pytest.mark.parametrize("option", ["balance_coef", "router_z_coef"])
def test_routing_loss_weights_beyond_float32_are_named(option):
    # EM's gate stopped inside torch ("Expected value argument ... to be within
    # the support (Real()) of the distribution Normal"), and the gradient
    # trainer blamed learning_rate; learning rates and weight decays were
    # already checked below 1e37.
    X, y = _regression()
    moe = MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())],
                                    training="em", gate=FAST_GATE, max_iter=2,
                                    random_state=0, **{option: 1e300})
    with pytest.raises(ValueError, match=rf"'{option}' parameter of MixtureOfExpertsRegressor "
                                         r"must be a float in the range \[0.0, 1e\+37\)"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            moe.fit(X, y)


@pytest.mark.parametrize("kind", ["mmoe", "heterogeneous"])
def test_task_weights_beyond_float32_are_named(kind):
    # [1e38, 1] overflowed float32: MMoE's training "diverged ... lower
    # learning_rate (now 0.001)", which was not the cause, and the
    # heterogeneous mixture fitted task 0 differently at 1e300 than at 1e30.
    X, y = _regression()
    with pytest.raises(ValueError, match=r"task_weights must be 2 finite positive numbers "
                                         r"\(below 1e\+37\); got \[1e\+38, 1\]"):
        _NUMERIC[kind][0]().set_params(task_weights=[1e38, 1]).fit(X, np.column_stack([y, y]))
