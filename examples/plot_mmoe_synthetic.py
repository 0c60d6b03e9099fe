"""
MMoE, OMoE and shared-bottom on tasks of controlled relatedness
===============================================================

Ma et al. (KDD 2018) built two regression tasks whose relatedness is set by
one number, the cosine ``p`` between their weight vectors
(:func:`skmoe.datasets.make_mmoe_tasks`), and showed that a Multi-gate
Mixture-of-Experts handles weakly related tasks better than a one-gate
mixture (OMoE) or a shared-bottom network.

This example is a small, fast version of that study (one seed, 3,000
training rows, 30 features); the full study with 10 seeds is
``benchmarks/bench_mmoe_synthetic.py``, whose table is on the MMoE page of
the documentation.
"""

# %%
# The tasks
# ---------
# The sines make the labels less correlated than the weight vectors.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skmoe import MultiGateMixtureOfExperts
from skmoe.datasets import make_mmoe_tasks

warnings.simplefilter("ignore", ConvergenceWarning)
correlations = [0.5, 0.9, 1.0]
data = {}
for p in correlations:
    X, Y = make_mmoe_tasks(n_samples=4000, n_features=30, correlation=p, random_state=0)
    data[p] = (X[:3000], Y[:3000], X[3000:], Y[3000:])
    print(f"p = {p}: label correlation {np.corrcoef(Y.T)[0, 1]:.2f}")

# %%
# Three architectures, one parameter
# ----------------------------------
# ``architecture`` switches between per-task gates, one shared gate and no
# gate; everything else (8 experts of 16 units, towers, optimiser) is equal.
losses, gate_gap = {}, {}
for p in correlations:
    X_train, Y_train, X_test, Y_test = data[p]
    for arch in ["mmoe", "omoe", "shared_bottom"]:
        model = MultiGateMixtureOfExperts(architecture=arch, max_iter=40,
                                          learning_rate=3e-3, random_state=0)
        model.fit(X_train, Y_train)
        losses[p, arch] = ((model.predict(X_test) - Y_test) ** 2).mean()
        if arch == "mmoe":
            gates = model.predict_gate(X_test)               # (n, tasks, experts)
            # Total-variation distance between the two tasks' gates, per row.
            gate_gap[p] = 0.5 * np.abs(gates[:, 0] - gates[:, 1]).sum(axis=1).mean()

for p in correlations:
    print(f"p = {p}: " + ", ".join(f"{arch} {losses[p, arch]:.3f}"
                                   for arch in ["mmoe", "omoe", "shared_bottom"]))

fig, ax = plt.subplots(figsize=(6, 3.5))
for i, arch in enumerate(["mmoe", "omoe", "shared_bottom"]):
    ax.bar(np.arange(3) + (i - 1) * 0.25, [losses[p, arch] for p in correlations], 0.25,
           label=arch)
ax.set_xticks(np.arange(3), [f"p = {p}" for p in correlations])
ax.set_ylabel("test MSE (mean of two tasks)")
ax.legend()
fig.tight_layout()

# %%
# How different are the two tasks' gates?
# ---------------------------------------
# The MMoE gates are free to route the two tasks to different experts; the
# printed distance (0 = same mixture, 1 = disjoint experts) shows how far
# apart they are after training at each correlation.
for p in correlations:
    print(f"p = {p}: mean total-variation distance between the task gates "
          f"{gate_gap[p]:.2f}")
plt.show()
