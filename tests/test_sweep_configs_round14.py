"""Configurations of round 14's sweep: a validation_fraction that rounded to no
validation rows, a convergence warning about a gate that was replaced, and
what HeterogeneousMultiGateMixtureOfExperts' task_weights do."""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skmoe._em as em_module
import skmoe._gradient as gradient_module
from skmoe import (HeterogeneousMultiGateMixtureOfExperts, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from skmoe._training import n_validation_rows, validation_split
from skmoe.experts import TorchMLPRegressor


def _experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]


def _small():
    return make_regression(30, 3, noise=5, random_state=0)


def test_n_validation_rows_keeps_one_row_each_way_and_rounds_as_before():
    assert n_validation_rows(0.01, 30) == 1
    assert n_validation_rows(0.99, 30) == 28
    assert n_validation_rows(0.1, 30) == 3          # as round() gave it
    assert n_validation_rows(0.5, 1001) == round(0.5 * 1001)
    assert n_validation_rows(0.0, 30) == 0          # 0: no early stopping, as asked
    assert n_validation_rows(0.5, 2) == 0           # too few rows to hold any out
    assert n_validation_rows(0.01, 2, min_train=1) == 1


# (0.99 on 30 rows, which rounded to 30 rows, then trained on 2: it is now
# refused, tests/test_leftovers_round5.py.)
@pytest.mark.parametrize("fraction", [0.01])
@pytest.mark.parametrize("kind", ["top_k", "stacked"])
def test_a_fraction_that_rounds_to_no_rows_still_stops_early(kind, fraction):
    # On 30 rows 0.01 rounded to 0 rows and 0.99 to 30: the gate trained with
    # no validation rows (no early stopping, no top-k rival check), silently.
    X, y = _small()
    extra = {"top_k": 1} if kind == "top_k" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MixtureOfExpertsRegressor(_experts(), validation_fraction=fraction,
                                          max_epochs=20, random_state=0, **extra).fit(X, y)
    assert all("validation_loss" in record for record in model.history_)


@pytest.mark.parametrize("fraction", [0.01])
def test_a_torch_expert_holds_out_a_row_for_a_small_fraction(fraction):
    X, y = _small()
    model = TorchMLPRegressor(max_epochs=3, validation_fraction=fraction,
                              random_state=0).fit(X, y)
    assert all("validation_loss" in record for record in model.history_)


def test_the_positive_rows_split_keeps_one_validation_row():
    # Row 0, the one validation row, has no weight: the positive rows are
    # split again, 0.01 of 9 rounded to none and early stopping went off.
    weight = np.ones(10)
    weight[0] = 0.0
    val, train = validation_split(np.arange(10), 1, weight, 0.01, np.random.RandomState(0))
    assert len(val) == 1 and weight[val].all()
    assert len(train) == 9 and weight[train].any()


def _constant_gate(gate, X):
    proba = gate.predict_proba(X)
    return np.allclose(proba, proba[0])


def test_gradient_convergence_warning_only_for_a_gate_that_is_kept(monkeypatch):
    # top-1 with max_epochs=2 on a line: the best expert alone (the rival)
    # replaces the gate, and "did not converge ... Increase max_epochs" was
    # given about a gate predict never uses.
    X, y = make_regression(200, 3, noise=5, random_state=0)
    make = lambda: MixtureOfExpertsRegressor(_experts(), top_k=1, max_epochs=2,  # noqa: E731
                                             random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = make().fit(X, y)
    assert _constant_gate(model.gate_, X)
    # The gate kept (no rival): the warning is still given.
    monkeypatch.setattr(gradient_module, "TOPK_RIVAL", False)
    with pytest.warns(ConvergenceWarning, match="max_epochs=2"):
        model = make().fit(X, y)
    assert not _constant_gate(model.gate_, X)


def test_em_convergence_warning_only_for_a_fit_that_is_kept(monkeypatch):
    X, y = load_breast_cancer(return_X_y=True)
    experts = [("nb", GaussianNB()), ("knn", KNeighborsClassifier(1)),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    make = lambda: MixtureOfExpertsClassifier(experts, top_k=1, training="em",  # noqa: E731
                                              max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = make().fit(X, y)
    assert _constant_gate(model.gate_, X)
    monkeypatch.setattr(em_module, "TOPK_RIVAL", False)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        make().fit(X, y)


def test_hetero_mmoe_task_weight_acts_as_its_gates_penalty():
    # As its docstring says: experts fitted without the weights, and a task's
    # weight w_t the same as alpha / w_t on its own gate.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    Y = np.c_[X[:, 0] + np.abs(X[:, 1]) + rng.normal(scale=.3, size=200),
              np.sin(2 * X[:, 1]) + rng.normal(scale=.3, size=200)]

    def fit(task_weights, alpha):
        experts = [("ridge", Ridge()),
                   ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
        return HeterogeneousMultiGateMixtureOfExperts(
            experts, task_weights=task_weights, alpha=alpha, random_state=0).fit(X, Y)

    plain, weighted = fit(None, 0.01), fit([1.0, 3.0], 0.01)   # rescaled to [0.5, 1.5]
    for a, b in zip(plain.experts_, weighted.experts_):
        assert np.array_equal(a.predict(X), b.predict(X))
    task0 = fit(None, 0.01 / 0.5).predict(X)[:, 0]
    moved = np.abs(weighted.predict(X)[:, 0] - plain.predict(X)[:, 0]).max()
    assert moved > 0.1
    assert np.abs(weighted.predict(X)[:, 0] - task0).max() < 0.1 * moved
    doc = " ".join(HeterogeneousMultiGateMixtureOfExperts.__doc__.split())
    assert "so a task's weight ``w_t`` only trades that task's loss against its gate's" in doc
    assert "it acts as ``alpha / w_t`` on that gate" in doc


def test_mmoe_names_the_fraction_and_rows_that_leave_nothing_to_train_on():
    # It said only "validation_fraction leaves no rows to train on."
    from skmoe import MultiGateMixtureOfExperts
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    model = MultiGateMixtureOfExperts(early_stopping=True, validation_fraction=0.9,
                                      random_state=0)
    with pytest.raises(ValueError, match=re.escape(
            "MultiGateMixtureOfExperts: validation_fraction=0.9 of the 4 rows holds out 4 "
            "for early stopping and leaves 0 to train on")):
        model.fit(X, Y)
