"""
Sparse top-k routing: pay for one expert per row
================================================

A dense mixture evaluates every expert on every row, like an ensemble. With
``top_k=1`` the gate keeps only its largest weight per row (Shazeer et al.,
2017) and ``predict`` calls each expert only on the rows routed to it, so a
mixture of M experts costs about 1/M of the ensemble plus the gate -- if the
gate spreads the rows. Here four low-capacity experts fitted by exact EM
(``training="em", cv=None``) on :func:`skmoe.datasets.make_regimes` each take
their own stretch of x under ``top_k=1``; with the default cross-fitted EM the
same top-1 mixture collapses onto a single expert.
"""

# %%
import time
import warnings

import numpy as np
from lightgbm import LGBMRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor, compare
from skmoe.datasets import make_regimes
from skmoe.plotting import ExpertUsageDisplay, GateDisplay

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_regimes(n_samples=3000, random_state=0)

# Low-capacity experts: none can memorise its rows, so exact EM's in-sample
# likelihoods are honest, and ``init_params="auto"`` (then 'matched') starts
# each expert on the k-means region of (x, y) it models best.
experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4)),
           ("knn", KNeighborsRegressor(50)),
           ("gbm", LGBMRegressor(n_estimators=50, num_leaves=8, verbose=-1, n_jobs=1))]
options = dict(training="em", cv=None, max_iter=10, random_state=0)

dense = MixtureOfExpertsRegressor(experts, **options).fit(X, y)
top1 = MixtureOfExpertsRegressor(experts, top_k=1, **options).fit(X, y)
top2 = MixtureOfExpertsRegressor(experts, top_k=2, **options).fit(X, y)
ensemble = EnsembleRegressor(experts).fit(X, y)

# %%
# Which experts does each row reach?
# ----------------------------------
# ``expert_usage(X)`` is the share of rows each expert is evaluated on: all
# ones for a dense mixture, summing to one with ``top_k=1`` and to two with
# ``top_k=2``. Under ``top_k=1`` every expert gets its own stretch of x.
for name, model in [("dense", dense), ("top-1", top1), ("top-2", top2)]:
    print(f"{name}:", dict(zip(model.expert_names_, model.expert_usage(X).round(2).tolist())))

routed_to = top1.predict_gate(X).argmax(axis=1)
for i, name in enumerate(top1.expert_names_):
    x = X[routed_to == i, 0]
    if len(x):
        print(f"top-1 sends {name:>5} {len(x) / len(X):.0%} of the rows, "
              f"x from {x.min():.1f} to {x.max():.1f}")
ExpertUsageDisplay.from_estimator(top1, X)

# %%
# The top-1 gate along x: one expert at a time.
GateDisplay.from_estimator(top1, X, kind="line")

# %%
# Collapse: the same top-1 mixture with cross-fitted EM
# -----------------------------------------------------
# What spreads the rows is where EM starts. With the default ``cv="auto"``,
# ``init_params="auto"`` is the uniform start (every expert fitted on every
# row), and from there hard top-1 EM hands every row to one expert: the
# sparse mixture is a single model. Cross-fitted EM from exact EM's start,
# ``init_params="matched"``, routes again.
for init in ["auto", "matched"]:
    model = MixtureOfExpertsRegressor(experts, training="em", top_k=1, init_params=init,
                                      max_iter=10, random_state=0).fit(X, y)
    print(f"top-1, cross-fitted EM, init_params={init!r}:",
          dict(zip(model.expert_names_, model.expert_usage(X).round(2).tolist())))

# %%
# Prediction cost, measured side by side
# --------------------------------------
# Each expert runs only on its rows: with four experts, the top-1 mixture
# should need about a quarter of the ensemble's time plus the gate's, the
# top-2 mixture about half, the dense mixture a little more than the ensemble.
X_big = np.repeat(X, 10, axis=0)


def median_time(model, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(X_big)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


times = {name: median_time(model) for name, model in
         [("ensemble", ensemble), ("dense mixture", dense), ("top-2 mixture", top2),
          ("top-1 mixture", top1)]}
for name, seconds in times.items():
    print(f"{name:>14}: predict {seconds / times['ensemble']:.2f} x the ensemble's time")

# %%
# Accuracy: does sparsity cost anything here?
# -------------------------------------------
# The same folds for every model; the noise's standard deviation, 1.0, is the
# best RMSE possible. Here routing costs no accuracy: the top-1 mixture is
# within noise of the dense one (the paired test below), the top-2 mixture
# about as accurate, and all three have less than half the RMSE of the
# ensemble, which averages the four experts everywhere.
result = compare({"top-1 mixture": top1, "top-2 mixture": top2, "dense mixture": dense,
                  "ensemble": ensemble}, X, y, cv=3, pair=("top-1 mixture", "dense mixture"))
print(result)
