"""Bad-input sweep, round 14: torch parts, rules and tree mixtures."""

import numpy as np
import pytest
import torch

from skmoe import MultiGateMixtureOfExperts, RuleExpert


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 3)
    y = X[:, 0] + 0.1 * rng.randn(n)
    return X, np.c_[y, y]


class _FirstRow(torch.nn.Module):
    """Drops every row but the first (a slicing slip)."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.LazyLinear(16)

    def forward(self, x):
        return self.linear(x)[:1]


@pytest.mark.parametrize("where", ["bottom_module", "expert_module", "tower_module"])
def test_mmoe_module_that_drops_rows_is_refused(where):
    # Before: broadcast silently; predict returned shape (1, 2) for 40 rows
    # (bottom/tower) or every row mixed from one row's expert output.
    X, Y = _data()
    model = MultiGateMixtureOfExperts(max_iter=2, random_state=0, **{where: _FirstRow})
    with pytest.raises(ValueError, match=rf"{where} .*returned a tensor of shape \(1, 16\)"
                                         r".*must keep the rows"):
        model.fit(X, Y)


class _MeanOverSteps(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.LazyLinear(8)

    def forward(self, x):
        return self.linear(x).mean(dim=1)


def test_mmoe_sequences_of_zero_steps_are_refused():
    # Before: fit said "diverged: its training loss became nan ... lower
    # learning_rate", and predict on 0 steps returned NaN.
    X, Y = _data()
    X3 = np.random.RandomState(1).randn(40, 4, 3)
    with pytest.raises(ValueError, match=r"shape \(40, 0, 3\): sequences of 0 steps"):
        MultiGateMixtureOfExperts(bottom_module=_MeanOverSteps, max_iter=2,
                                  random_state=0).fit(X3[:, :0], Y)
    model = MultiGateMixtureOfExperts(bottom_module=_MeanOverSteps, max_iter=2,
                                      random_state=0).fit(X3, Y)
    with pytest.raises(ValueError, match=r"shape \(5, 0, 3\): sequences of 0 steps"):
        model.predict(X3[:5, :0])


def _ragged(X):
    return [[v] if v > 0 else [v, v] for v in X[:, 0]]


def test_rule_returning_ragged_rows_names_the_rule():
    # Before: numpy's bare "setting an array element with a sequence. The
    # requested array has an inhomogeneous shape ...", naming no rule.
    X, Y = _data()
    with pytest.raises(ValueError, match=r"RuleExpert\(_ragged\) returned values that do "
                                         r"not form an array .*shape \(40,\)"):
        RuleExpert(_ragged).fit(X, Y[:, 0])


def _masked_above_one(X):
    return np.ma.masked_array(X[:, 0], X[:, 0] > 1)


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_rule_returning_a_masked_array_is_refused(task):
    # Before: the mask was dropped, and the values under it used as the
    # rule's answers (regression noise_std_ 0.092), silently.
    X, Y = _data()
    y = Y[:, 0] if task == "regression" else (Y[:, 0] > 0)
    n_masked = int(np.sum(X[:, 0] > 1))
    with pytest.raises(ValueError, match=rf"RuleExpert\(_masked_above_one\) returned a masked "
                                         rf"array with {n_masked} of 40 rows masked"):
        RuleExpert(_masked_above_one, task=task).fit(X, y)


def _batch_norm_bottom():
    return torch.nn.Sequential(torch.nn.LazyLinear(8), torch.nn.BatchNorm1d(8),
                               torch.nn.ReLU())


def test_mmoe_batch_norm_on_a_last_minibatch_of_one_row_names_the_batch_size():
    # Before: torch's bare "Expected more than 1 value per channel when
    # training, got input size torch.Size([1, 8])" (41 rows, batch_size=8).
    X, Y = _data(41)
    model = MultiGateMixtureOfExperts(bottom_module=_batch_norm_bottom, batch_size=8,
                                      max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"minibatch of 1 row .*the 41 training rows leave "
                                         r"1 row over with batch_size=8"):
        model.fit(X, Y)
