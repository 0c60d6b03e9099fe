"""
A hierarchical mixture of experts on regimes nested two by two
==============================================================

Four linear regimes tile the plane: ``x1`` splits it in two halves and
``x2`` splits each half again. A flat mixture's gate has to learn all four
regions at once; a hierarchical mixture (Jordan & Jacobs, 1994) mirrors the
nesting -- the root gate chooses a half, each branch gate a quadrant -- and
with linear gates and linear leaves it can represent the data exactly. The
whole tree is trained by one EM, whose log-likelihood never decreases.
Then: how many experts does a dataset need? BIC answers for linear pools.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from skmoe import HierarchicalMixtureRegressor, MixtureOfExpertsRegressor, MLPGate
from skmoe import select_n_experts
from skmoe.datasets import make_hierarchical_regimes
from skmoe.datasets import make_piecewise_linear

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y, regime = make_hierarchical_regimes(n_samples=1000, random_state=0,
                                         return_regime=True)
hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2),
                                   random_state=0).fit(X, y)
print(f"EM iterations: {hme.n_iter_}, converged: {hme.converged_}")
print("leaf noise standard deviations:", np.sqrt(hme.noise_variance_).round(3))

# %%
# Where each gate sends the inputs
# --------------------------------
# ``predict_path`` gives the probability of reaching every node, level by
# level: the root's two branches, then the four leaves (the same as
# ``predict_gate``).
grid = np.linspace(-1, 1, 150)
xx, yy = np.meshgrid(grid, grid)
points = np.column_stack([xx.ravel(), yy.ravel()])
root, leaves = hme.predict_path(points)

fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
axes[0].contourf(xx, yy, root[:, 0].reshape(xx.shape), levels=20, cmap="RdBu")
axes[0].set(title="root gate: P(branch 0)", xlabel="x1", ylabel="x2")
axes[1].contourf(xx, yy, leaves.argmax(axis=1).reshape(xx.shape),
                 levels=np.arange(5) - 0.5, cmap="tab10", alpha=0.6)
axes[1].scatter(X[:300, 0], X[:300, 1], c=regime[:300], cmap="tab10", s=6,
                edgecolor="k", linewidth=0.2)
axes[1].set(title="most probable leaf (points: true regime)", xlabel="x1")
fig.tight_layout()

# %%
# The exact log-likelihood per EM iteration
# -----------------------------------------
# Every M-step -- leaves, noise scales, gates -- is kept only if it does not
# lower the expected complete-data log-likelihood, so the curve never goes down.
history = [h["log_likelihood"] for h in hme.history_]
flat = MixtureOfExpertsRegressor(LinearRegression(), n_experts=4, training="em", cv=None,
                                 max_iter=100, tol=1e-5, random_state=0).fit(X, y)
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(range(1, len(history) + 1), history, marker="o", label="hierarchical 2x2")
ax.plot(range(1, flat.n_iter_ + 1), [h["log_likelihood"] for h in flat.history_],
        marker=".", label="flat, 4 experts")
ax.set(xlabel="EM iteration", ylabel="mean log-likelihood")
ax.legend()
fig.tight_layout()

# %%
# How many experts?
# -----------------
# On 1-D data with three linear segments, BIC (lower is better) of a pool of
# ``k`` lines drops sharply until ``k = 3`` and rises slowly after: each
# extra expert costs its slope, intercept, noise scale and gate weights, and
# buys almost no likelihood.
X1, y1 = make_piecewise_linear(n_samples=400, n_regimes=3, random_state=0)
pool = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em", cv=None,
                                 gate=MLPGate(hidden_layer_sizes=()), max_iter=30,
                                 random_state=0)
best, scores = select_n_experts(pool, X1, y1, candidates=range(1, 7), criterion="bic")
print(f"BIC chooses {best} experts")
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(list(scores), list(scores.values()), marker="o")
ax.set(xlabel="number of experts", ylabel="BIC")
fig.tight_layout()
plt.show()
