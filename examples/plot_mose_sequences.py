"""
Sequence experts: MoSE as a configuration of MultiGateMixtureOfExperts
======================================================================

MoSE (Qin et al., KDD 2020) is a multi-gate mixture whose shared bottom,
experts and towers are LSTMs reading a stream of user actions. In skmoe it
is :class:`~skmoe.MultiGateMixtureOfExperts` with three user modules:
``bottom_module``, ``expert_module`` and ``tower_module``, and a 3-D ``X``
of shape ``(n_samples, n_steps, n_features)``.

Here two targets depend on the *order* of the actions, so a model that sees
only summary statistics of each stream (mean, spread, minimum, maximum of
every feature, which do not change when the steps are shuffled) cannot
learn them, whatever its architecture. The baseline is the same MMoE with
its built-in MLP experts on those statistics.
"""

# %%
# Streams of actions, two order-dependent targets
# ------------------------------------------------
# Each user has 10 steps of 3 features. Task 1 (regression) is a
# recency-weighted sum of feature 0 minus the first step's value of feature
# 2; task 2 (binary) is whether feature 1 peaks after feature 2 does.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from skmoe import MultiGateMixtureOfExperts

warnings.simplefilter("ignore", ConvergenceWarning)
torch.set_num_threads(1)
n_steps, n_features = 10, 3


def make_streams(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, n_steps, n_features))
    recency = 0.7 ** np.arange(n_steps)[::-1]               # the last step weighs most
    y_reg = X[:, :, 0] @ recency - X[:, 0, 2]
    y_cls = (X[:, :, 1].argmax(1) > X[:, :, 2].argmax(1)).astype(int)
    return X, np.column_stack([y_reg, y_cls]).astype(object)


def summary_statistics(X):
    """Per feature: mean, std, min, max over the steps (blind to their order)."""
    return np.concatenate([X.mean(1), X.std(1), X.min(1), X.max(1)], axis=1)


# %%
# The LSTM modules
# ----------------
# ``torch.nn.LSTM`` returns a tuple; a small wrapper returns the sequence of
# hidden states (bottom, experts) or the last one (towers). Instances are
# deep-copied and re-initialised at fit, one copy per expert and per task,
# so ``random_state`` decides the starting weights and ``clone`` works.
class LSTMBlock(torch.nn.Module):
    def __init__(self, n_in, n_hidden, last_step=False):
        super().__init__()
        self.lstm = torch.nn.LSTM(n_in, n_hidden, batch_first=True)
        self.last_step = last_step

    def forward(self, x):                      # x: (b, s, n_in)
        out = self.lstm(x)[0]                  # (b, s, n_hidden)
        return out[:, -1] if self.last_step else out


common = dict(tasks=["regression", "binary"], n_experts=3, max_iter=40,
              learning_rate=1e-2, batch_size=128)
mose = MultiGateMixtureOfExperts(
    bottom_module=LSTMBlock(n_features, 16), expert_module=LSTMBlock(16, 8),
    tower_module=LSTMBlock(8, 8, last_step=True), **common)
baseline = MultiGateMixtureOfExperts(expert_units=8, tower_hidden_layer_sizes=(8,),
                                     **common)

# %%
# Five seeds
# ----------
# Same rows, same seed, same optimiser for both models; test loss on 1,000
# new users: mean squared error (task 1) and error rate (task 2).
results = {"MoSE (LSTMs on the sequence)": [], "MMoE on summary statistics": []}
start = time.perf_counter()
for seed in range(5):
    X, Y = make_streams(2000, seed)
    train, test = slice(0, 1000), slice(1000, None)
    y_test = Y[test].astype(float)
    for (name, scores), model, features in zip(
            results.items(), (mose, baseline), (X, summary_statistics(X))):
        model.set_params(random_state=seed).fit(features[train], Y[train])
        pred = model.predict(features[test]).astype(float)
        scores.append([np.mean((pred[:, 0] - y_test[:, 0]) ** 2),
                       np.mean(pred[:, 1] != y_test[:, 1])])
print(f"{time.perf_counter() - start:.0f} s for 5 seeds x 2 models")
for name, scores in results.items():
    mean, std = np.mean(scores, 0), np.std(scores, 0, ddof=1)
    print(f"{name}: task 1 MSE {mean[0]:.3f} ± {std[0]:.3f}, "
          f"task 2 error {mean[1]:.3f} ± {std[1]:.3f}")
print(f"variance of task 1: {np.var(y_test[:, 0]):.3f}; task 2 positives: "
      f"{y_test[:, 1].mean():.2f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
for task, (ax, title) in enumerate(zip(axes, ["task 1: test MSE", "task 2: test error"])):
    for i, (name, scores) in enumerate(results.items()):
        values = np.array(scores)[:, task]
        ax.bar(i, values.mean(), color=f"C{i}", alpha=0.5)
        ax.scatter(np.full(len(values), i), values, color=f"C{i}", s=12)
    ax.set_xticks(range(len(results)), [n.split(" (")[0].replace(" on ", "\non ")
                                        for n in results], fontsize=8)
    ax.set_title(title, fontsize=10)
fig.suptitle("Mean (bars) and seeds (dots), 5 seeds", fontsize=10)
fig.tight_layout()

# %%
# Gates per time step
# -------------------
# With sequence experts the gates mix the experts at every step;
# ``predict_gate`` reports their average over the steps.
print(mose.predict_gate(X[test][:3]).round(2))
