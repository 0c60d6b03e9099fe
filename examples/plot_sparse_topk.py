"""
Sparse top-k routing: pay for one expert per row
================================================

A dense mixture evaluates every expert on every row, like an ensemble. With
``top_k=1`` the gate keeps only its largest weight per row (Shazeer et al.,
2017) and ``predict`` calls each expert only on the rows routed to it, so a
mixture of M experts costs about 1/M of the ensemble plus the gate.
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
experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=6)),
           ("knn", KNeighborsRegressor(20)),
           ("gbm", LGBMRegressor(n_estimators=200, verbose=-1, n_jobs=1))]

dense = MixtureOfExpertsRegressor(experts, training="em", max_iter=10, random_state=0).fit(X, y)
top1 = MixtureOfExpertsRegressor(experts, training="em", top_k=1, max_iter=10, random_state=0).fit(X, y)
ensemble = EnsembleRegressor(experts).fit(X, y)

# %%
# Which experts does each row reach?
# ----------------------------------
# ``expert_usage(X)`` is the share of rows each expert is evaluated on: all
# ones for a dense mixture, summing to one with ``top_k=1``.
print("dense:", dict(zip(dense.expert_names_, dense.expert_usage(X).round(2).tolist())))
print("top-1:", dict(zip(top1.expert_names_, top1.expert_usage(X).round(2).tolist())))
ExpertUsageDisplay.from_estimator(top1, X)

# %%
GateDisplay.from_estimator(top1, X, kind="line")

# %%
# Prediction cost, measured side by side
# --------------------------------------
X_big = np.repeat(X, 10, axis=0)


def median_time(model, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(X_big)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


times = {name: median_time(model) for name, model in
         [("ensemble", ensemble), ("dense mixture", dense), ("top-1 mixture", top1)]}
for name, seconds in times.items():
    print(f"{name:>14}: predict {seconds / times['ensemble']:.2f} x the ensemble's time")

# %%
# Accuracy: does sparsity cost anything here?
# -------------------------------------------
result = compare({"top-1 mixture": top1, "dense mixture": dense, "ensemble": ensemble},
                 X, y, cv=3, pair=("top-1 mixture", "ensemble"))
print(result)
