"""Bad-input sweep, round 24: the standalone torch experts and gate, the
persistence of their torch state, the selection tools and the generators."""

import re

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skmoe import MixtureOfExpertsRegressor, select_n_experts
from skmoe.datasets import (make_hierarchical_regimes, make_mmoe_tasks, make_piecewise_linear,
                            make_regimes)
from skmoe.gates import MLPGate


def _gate_data():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((40, 3))
    targets = rng.uniform(size=(40, 2))
    return X, targets / targets.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_mlp_gate_names_targets_that_are_no_probability_vectors(solver):
    # Rows summing to 1e37 overflowed the float32 loss: the lbfgs gate kept its
    # initial weights and the adam gate became NaN (at 1e39), without a word.
    X, targets = _gate_data()
    with pytest.raises(ValueError, match=r"probability vectors .* a row sums to 1e\+37"):
        MLPGate(solver=solver, max_iter=5).fit(X, targets * 1e37)
    # Probability vectors, and rows summing to less (experts dropped), still fit.
    for scale in (1.0, 0.5):
        proba = MLPGate(solver=solver, max_iter=5).fit(X, targets * scale).predict_proba(X)
        assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("one", [1.0, np.float64(1.0)])
def test_select_n_experts_refuses_a_float_count_of_experts(one):
    # 1.0 was taken as one expert alone (1.0 == 1), scored and returned as the
    # best candidate, 1.0, while the mixtures refuse 2.0 (an int is required).
    X, y = make_piecewise_linear(n_samples=60, n_regimes=2, random_state=0)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em", cv=None,
                                    max_iter=2, random_state=0)
    with pytest.raises(TypeError, match=r"candidates of n_experts must be integers, got "
                                        r"(np\.float64\()?1\.0\)? in"):
        select_n_experts(moe, X, y, candidates=(one, 2))


def test_a_gate_device_this_machine_lacks_is_named_as_the_gates():
    # "device='cuda' was requested but CUDA is not available", the words a
    # mixture's own device gets: nothing said it was the gate's.
    import torch
    X, y = make_piecewise_linear(n_samples=60, n_regimes=2, random_state=0)
    missing = "mps" if torch.cuda.is_available() else "cuda"
    if missing == "mps" and torch.backends.mps.is_available():
        pytest.skip("this machine has both CUDA and MPS")
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em", cv=None,
                                    max_iter=2, gate=MLPGate(device=missing), random_state=0)
    with pytest.raises(ValueError, match=rf"^gate device='{missing}' was requested but"):
        moe.fit(X, y)
    with pytest.raises(ValueError, match=rf"^gate device='{missing}' was requested but"):
        MLPGate(device=missing).fit(*_gate_data())


def test_a_gate_diverging_under_adam_is_named():
    # learning_rate=1e30 (below the 1e37 bound) made the gate's weights NaN:
    # predict_proba was NaN for every row, without a word (the torch experts
    # raise), and a hierarchical mixture said its leaves had no weighted row.
    from sklearn.exceptions import NotFittedError

    X, targets = _gate_data()
    gate = MLPGate(solver="adam", learning_rate=1e30, max_iter=5)
    with pytest.raises(ValueError, match=r"MLPGate \(solver='adam'\) diverged: its weights "
                                         r"became NaN or infinite; lower learning_rate "
                                         r"\(now 1e\+30\)"):
        gate.fit(X, targets)
    with pytest.raises(NotFittedError):   # a failed fit, not a gate of NaN weights
        gate.predict_proba(X)
    proba = MLPGate(solver="adam", learning_rate=1e3, max_iter=5).fit(X, targets).predict_proba(X)
    assert np.all(np.isfinite(proba))


def test_mlp_gate_refuses_a_dataframe_whose_columns_are_in_another_order():
    # A gate fitted on a DataFrame read later DataFrames by position: columns
    # in another order got the gate weights of other inputs, silently.
    import pandas as pd

    X, targets = _gate_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    gate = MLPGate(max_iter=5).fit(frame, targets)
    assert gate.feature_names_in_.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(gate.predict_proba(frame), gate.predict_proba(X))
    message = (r"X has the columns \['b', 'a', 'c'\], but MLPGate was fitted on the columns "
               r"\['a', 'b', 'c'\]: pass those, in that order")
    with pytest.raises(ValueError, match=message):
        gate.predict_proba(frame[["b", "a", "c"]])
    with pytest.raises(ValueError, match=message):
        gate.fit(frame[["b", "a", "c"]], targets, warm_start=True)
    # A refit on an array forgets the names; arrays are read by position.
    assert not hasattr(gate.fit(X, targets), "feature_names_in_")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # numpy's overflow warnings
@pytest.mark.parametrize("make, given, n_bad", [
    (lambda: make_regimes(1000, noise=1e308, random_state=0), "noise=1e+308", 59),
    (lambda: make_piecewise_linear(1000, noise=1e308, random_state=0), "noise=1e+308", 59),
    (lambda: make_hierarchical_regimes(1000, noise=1e308, random_state=0), "noise=1e+308", 59),
    (lambda: make_mmoe_tasks(50, 5, scale=1e308, random_state=0), "scale=1e+308", 23),
    (lambda: make_mmoe_tasks(50, 5, alpha=[1e308] * 10, random_state=0),
     "largest_abs_alpha=1e+308", 3),
])
def test_generators_name_sizes_that_overflow_y(make, given, n_bad):
    # noise=1e308 returned a y of inf, and make_mmoe_tasks' scale=1e308 or
    # alpha of 1e308 a y of NaN, with numpy's overflow warnings only.
    with pytest.raises(ValueError, match=rf"y overflowed float64 \({n_bad} NaN or infinite "
                                         rf"value\(s\)\) with .*{re.escape(given)}"):
        make()
    # Large but representable sizes still give finite data.
    assert np.all(np.isfinite(make_regimes(1000, noise=1e307, random_state=0)[1]))
    assert np.all(np.isfinite(make_mmoe_tasks(50, 5, scale=1e306, random_state=0)[1]))


def test_mlp_gate_reads_tensors_of_any_dtype_as_their_arrays():
    # The gate takes tensors (the mixtures hand it float64 ones on its
    # device): an int64 or bool tensor failed inside torch ("result type Float
    # can't be cast to the desired output type Long", "Subtraction ... with two
    # bool tensors is not supported"), and a float32 one was standardised in
    # float32 (weights 5e-8 from its array's).
    import torch

    X, targets = _gate_data()
    X = np.round(X * 3)
    gate = MLPGate(max_iter=10).fit(X, targets)
    for array in (X, X.astype(np.float32), X.astype(np.int64), X > 0):
        np.testing.assert_array_equal(gate.predict_proba(torch.from_numpy(array)),
                                      gate.predict_proba(array))


def test_mlp_gate_names_targets_that_hold_no_weight():
    # All-zero targets (on every row, or on every row of positive weight) made
    # the loss zero: the gate was fitted to its penalty alone, without a word.
    X, targets = _gate_data()
    with pytest.raises(ValueError, match=r"targets hold no weight: every row is all zeros"):
        MLPGate(max_iter=5).fit(X, np.zeros_like(targets))
    weight = np.r_[np.ones(20), np.zeros(20)]
    zero_where_weighted = np.where(weight[:, None] > 0, 0.0, targets)
    with pytest.raises(ValueError, match=r"every row of positive sample_weight is all zeros"):
        MLPGate(max_iter=5).fit(X, zero_where_weighted, sample_weight=weight)
    # Some rows of zeros among others (rows no expert is kept for) still fit.
    some = np.where(np.arange(40)[:, None] < 10, 0.0, targets)
    assert np.all(np.isfinite(MLPGate(max_iter=5).fit(X, some).predict_proba(X)))


def test_trusted_types_names_a_type_name_given_as_bytes():
    # b"sklearn.tree._tree.Tree" was read as its byte values: "extra must hold
    # type names (str, as untrusted_types gives them); got [115, 107, ...]".
    from skmoe.persistence import trusted_types

    with pytest.raises(TypeError, match=r"got bytes b'sklearn\.tree\._tree\.Tree'; decode it"):
        trusted_types(b"sklearn.tree._tree.Tree")
    assert "sklearn.tree._tree.Tree" in trusted_types(b"sklearn.tree._tree.Tree".decode())


def test_mlp_gate_reads_x_as_the_torch_experts_do():
    # An array of strings was read as the numbers it spells and dates in their
    # unit (the mixtures and the torch experts refuse them), and a DataFrame's
    # category column failed with numpy's "Cannot cast str dtype to float64".
    import pandas as pd

    X, targets = _gate_data()
    X = np.round(X, 2)
    gate = MLPGate(max_iter=5).fit(X, targets)
    for what, array in [("strings", X.astype(str)), ("bytes", X.astype("S")),
                        ("dates", (X * 1e3).astype("datetime64[s]")),
                        ("time spans", (X * 1e3).astype("timedelta64[s]"))]:
        with pytest.raises(ValueError, match=f"MLPGate needs numeric X; X is an array of {what}"):
            MLPGate(max_iter=5).fit(array, targets)
        with pytest.raises(ValueError, match=f"MLPGate needs numeric X; X is an array of {what}"):
            gate.predict_proba(array)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1],
                          "c": pd.Categorical(np.where(X[:, 2] > 0, "x", "y"))})
    with pytest.raises(ValueError, match=r"MLPGate needs numeric X; the column\(s\) 'c' are not "
                                         "numbers"):
        MLPGate(max_iter=5).fit(frame, targets)
    # Numbers in object arrays are still numbers.
    np.testing.assert_array_equal(gate.predict_proba(X.astype(object)), gate.predict_proba(X))
