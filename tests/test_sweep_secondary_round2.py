"""Defects found by the second sweep of the secondary estimators (the torch
MLP experts, the multi-gate mixture's user modules).

Each test fails without its fix.
"""

import functools

import numpy as np
import pytest
import torch

from skmoe import MultiGateMixtureOfExperts
from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    return X, X[:, 0] + 0.1 * rng.randn(60), (X[:, 0] > 0).astype(int)


# ------------------------------------------------ 1. a diverged torch expert
@pytest.mark.parametrize("Estimator", [TorchMLPRegressor, TorchMLPClassifier])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_torch_mlp_that_diverges_is_an_error_not_nan_predictions(Estimator, early_stopping):
    # Its weights became NaN: every prediction NaN (a classifier's class 0), silently.
    X, y, labels = _data()
    target = y if Estimator is TorchMLPRegressor else labels
    model = Estimator(learning_rate=1e20, max_epochs=5, early_stopping=early_stopping,
                      random_state=0)
    with pytest.raises(ValueError, match="diverged.*lower learning_rate"):
        model.fit(X, target)


def test_torch_mlp_with_a_sane_learning_rate_still_fits():
    X, y, _ = _data()
    pred = TorchMLPRegressor(learning_rate=1e-2, max_epochs=5, random_state=0).fit(
        X, y).predict(X)
    assert np.isfinite(pred).all()


# ------------------------------- 2. a module factory that needs arguments
@pytest.mark.parametrize("name", ["bottom_module", "expert_module", "tower_module"])
def test_mmoe_module_class_needing_arguments_names_the_parameter(name):
    # torch.nn.Linear itself (a class) is callable: Python's bare "Linear.__init__()
    # missing 2 required positional arguments" named no parameter.
    X, y, _ = _data()
    model = MultiGateMixtureOfExperts(**{name: torch.nn.Linear}, max_iter=2)
    with pytest.raises(TypeError, match=f"{name} is called with no arguments.*partial"):
        model.fit(X, y)


def test_mmoe_module_factory_of_n_in_n_out_names_the_parameter():
    X, y, _ = _data()
    model = MultiGateMixtureOfExperts(
        expert_module=lambda n_in, n_out: torch.nn.Linear(n_in, n_out), max_iter=2)
    with pytest.raises(TypeError, match="expert_module is called with no arguments"):
        model.fit(X, y)


def test_mmoe_module_factory_without_arguments_still_works():
    X, y, _ = _data()
    model = MultiGateMixtureOfExperts(
        expert_module=functools.partial(torch.nn.Linear, 3, 4), n_experts=2,
        max_iter=2, random_state=0).fit(X, y)
    assert np.isfinite(model.predict(X)).all()


# --------------------------------------- 3. a regression rule returning dates
@pytest.mark.parametrize("dtype", ["datetime64[D]", "timedelta64[s]"])
def test_regression_rule_returning_dates_is_an_error_not_a_day_count(dtype):
    # Dates became days since 1970 (18262.0 for 2020-01-01) as the prediction.
    from skmoe.experts import RuleExpert
    X, y, _ = _data()
    rule = RuleExpert(lambda X: np.full(len(X), 5).astype(dtype))
    with pytest.raises(ValueError, match=r"returned (datetime|timedelta)64.*regression rule"):
        rule.fit(X, y)
