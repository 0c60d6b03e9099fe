"""Leftovers of earlier sessions, round 13: device=None in the multi-task
mixtures, repeated candidates of select_n_experts, the multi-task "not
numeric" error, the EM restart each verbose line belongs to.

Each test failed before the change it names."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HeterogeneousMultiGateMixtureOfExperts, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts, select_n_experts)
from skmoe._multitask import task_mean_score
from skmoe.datasets import make_regimes
from skmoe.gates import MLPGate


def _tasks(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, np.column_stack([X[:, 0], X[:, 1] - X[:, 2]])


# ------------------------------------------------ 1. device=None means 'auto'
@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2,
                                      device=None, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("ridge10", Ridge(10.0))], max_iter=5, cv=2, device=None,
        random_state=0),
])
def test_multi_task_mixtures_take_device_none_as_auto(make):
    # Refused by _validate_params ("The 'device' parameter ... must be an
    # instance of 'str'"), where the single-task mixtures, TorchMLP* and
    # MLPGate read None as 'auto'.
    X, Y = _tasks()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (max_iter=2's ConvergenceWarning)
        model = make().fit(X, Y)
        auto = make().set_params(device="auto").fit(X, Y)
    assert model.device_ == auto.device_
    np.testing.assert_array_equal(model.predict(X), auto.predict(X))


# ------------------------------------- 2. a candidate given twice is refused
@pytest.mark.parametrize("candidates, repeated", [((2, 2), "[2]"), ([1, 2, 1, 2], "[1, 2]"),
                                                  ((2, np.int64(2)), "[2]")])
def test_select_n_experts_refuses_repeated_candidates(candidates, repeated):
    # (2, 2) fitted n_experts=2 twice and returned scores {2: ...}: one entry
    # for two candidates, without a word.
    X, y = make_regimes(n_samples=60, random_state=0)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                    cv=None, random_state=0)
    with pytest.raises(ValueError, match=re.escape(f"candidates holds {repeated} more than "
                                                   "once")):
        select_n_experts(moe, X, y, candidates=candidates)


# --------------------------- 3. the "not numeric" error names column and dtype
def test_not_numeric_task_names_the_dataframe_column_and_its_dtype():
    # Was "Task 1 is a regression task but its column of y is not numeric.":
    # neither 'colour' nor its dtype.
    X, _ = _tasks()
    y = pd.DataFrame({"price": np.arange(60.0), "colour": ["red", "blue"] * 30})
    model = MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2, random_state=0)
    # (object, or str under pandas 3's string dtype)
    with pytest.raises(ValueError, match=re.escape(
            "Task 1 is a regression task but its column of y ('colour', dtype "
            f"{y.dtypes['colour']}) is not numeric.")):
        model.fit(X, y)


def test_not_numeric_task_names_an_array_columns_dtype():
    X, _ = _tasks()
    Y = np.column_stack([np.arange(60.0).astype(str), ["red", "blue"] * 30])
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("ridge10", Ridge(10.0))], max_iter=5, cv=2, random_state=0)
    with pytest.raises(ValueError, match=re.escape(
            "Task 1 is a regression task but its column of y (dtype <U32) is not numeric.")):
        model.fit(X, Y)


def test_not_numeric_score_names_the_column_and_its_dtype():
    y = pd.DataFrame({"price": np.arange(4.0), "size": pd.Categorical(["s", "m", "l", "s"])})
    Y = y.to_numpy()
    with pytest.raises(ValueError, match=re.escape(
            "Task 1 is a regression task but its column of y ('size', dtype category) "
            "is not numeric.")):
        task_mean_score(Y, np.zeros((4, 2)), ["regression", "regression"], y=y)


# ------------------------------------- 4. verbose EM lines name their restart
def _verbose_em_fit(capsys, n_init):
    """(stdout, stderr) of a verbose two-iteration EM fit with ``n_init`` restarts."""
    X, y = make_regimes(n_samples=80, random_state=0)
    experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MixtureOfExpertsRegressor(experts, training="em", gate=MLPGate(
            hidden_layer_sizes=(4,), max_iter=20, warm_max_iter=5), max_iter=2, tol=0,
            n_init=n_init, init_params="random", verbose=1, random_state=0).fit(X, y)
    return capsys.readouterr()


def _verbose_em_lines(capsys, n_init):
    out = _verbose_em_fit(capsys, n_init).out
    return [line for line in out.splitlines() if line.startswith("[EM]")]


def test_verbose_em_lines_name_their_restart(capsys):
    # Were six "[EM] iter   1 ..." / "[EM] iter   2 ..." lines: which restart
    # each belonged to was not said.
    lines = _verbose_em_lines(capsys, n_init=3)
    assert [line.split("  log-likelihood")[0] for line in lines] == [
        f"[EM] restart {r}/3 iter {i:3d}" for r in (1, 2, 3) for i in (1, 2)]


@pytest.mark.parametrize("n_init", [1, 2])
def test_em_progress_bars_name_their_restart(capsys, monkeypatch, n_init):
    # The progress bars of n_init restarts were all "EM: ..."; the lines above
    # said which restart they belong to, the bars did not.
    from skmoe import _progress
    monkeypatch.setattr(_progress, "PLAIN_INTERVAL", 0)   # every step, as in the CLI's test
    monkeypatch.delenv("SKMOE_PROGRESS", raising=False)
    err = _verbose_em_fit(capsys, n_init).err
    names = sorted({ln.split(":")[0] for ln in err.splitlines() if ln.startswith("EM")})
    assert names == (["EM"] if n_init == 1 else ["EM restart 1/2", "EM restart 2/2"])


def test_verbose_em_lines_of_one_run_are_unchanged(capsys):
    lines = _verbose_em_lines(capsys, n_init=1)
    assert [line.split("  log-likelihood")[0] for line in lines] == [
        "[EM] iter   1", "[EM] iter   2"]
