"""
Heterogeneous regimes: a line here, a curve there
=================================================

One model is rarely right everywhere. In :func:`skmoe.datasets.make_regimes`
the target follows a straight line for ``x < 5`` and a parabola after it. A
linear model is perfect on the left and useless on the right; a shallow tree
is the reverse. A mixture of experts learns *where* each one is right: its
gate routes every input to the expert that is good there, while an ensemble
averages both everywhere.
"""

# %%
# The data and two experts that are each right on one side
# ---------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes

X, y = make_regimes(n_samples=1000, noise=1.0, random_state=0)
experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=3))]

# Exact EM (``cv=None``): neither a line nor a depth-3 tree can memorise its
# rows, so in-sample likelihoods are honest, and EM then starts from the
# expert that fits each region best.
moe = MixtureOfExpertsRegressor(experts, training="em", cv=None, max_iter=20,
                                random_state=0).fit(X, y)
ensemble = EnsembleRegressor(experts).fit(X, y)

# %%
# Predictions
# -----------
# The mixture follows the line on the left and the tree on the right; the
# ensemble averages them and is wrong on both sides. The shaded band is the
# mixture's predictive standard deviation (``predict(X, return_std=True)``).
grid = np.linspace(0, 10, 400)[:, None]
mean, std = moe.predict(grid, return_std=True)

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.scatter(X[:, 0], y, s=4, color="0.6", label="data")
for i, name in enumerate(moe.expert_names_):
    ax.plot(grid, moe.predict_experts(grid)[:, i], "--", color=f"C{i}", label=f"expert: {name}")
ax.plot(grid, ensemble.predict(grid), color="C2", lw=2, label="ensemble (average)")
ax.plot(grid, mean, color="k", lw=2, label="mixture")
ax.fill_between(grid[:, 0], mean - 2 * std, mean + 2 * std, color="k", alpha=0.15,
                label="mixture ± 2 std")
ax.set(xlabel="x", ylabel="y", title="Mixture of experts vs ensemble")
ax.legend(loc="lower right", fontsize=8)

# %%
# Who counts where
# ----------------
# :class:`~skmoe.plotting.GateDisplay` draws the gate weights along a feature:
# the switch from the line to the tree sits at about ``x = 4.75``, just before
# the true boundary, ``x = 5``.
from skmoe.plotting import ConvergenceDisplay, GateDisplay

GateDisplay.from_estimator(moe, X, feature=0)

# %%
# Convergence of EM
# -----------------
# ``history_`` holds the mean log-likelihood and each expert's share of
# responsibility at every EM iteration.
ConvergenceDisplay.from_estimator(moe)

# %%
# Accuracy on held-out data
# -------------------------
from sklearn.metrics import root_mean_squared_error

X_test, y_test = make_regimes(n_samples=1000, random_state=1)
for name, model in [("mixture", moe), ("ensemble", ensemble),
                    *[(n, e.fit(X, y)) for n, e in experts]]:
    print(f"{name:>8}: test RMSE {root_mean_squared_error(y_test, model.predict(X_test)):.2f}")
