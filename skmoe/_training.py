"""The pieces of skmoe's torch training loops: shuffled minibatches and early stopping.

Every network skmoe trains by minibatch Adam -- a torch expert on its own
(``experts``), the gate with the torch experts (``_gradient``), the
multi-task networks (``_mmoe``), the gate's Adam solver (``gates``) -- runs
the same epoch: the training rows in a fresh random order, cut into
minibatches (:func:`minibatches`), and, where it stops early, the same rule
(:class:`EarlyStopping`): an epoch improves when its monitored loss beats the
best so far by more than ``tol``; training stops after ``patience`` epochs
without one and returns to the best epoch's weights. The stacked gate's
fold gates (``_blend``) stop the same way, each on its own, inside one
batched network.
"""

import copy

import numpy as np
import torch


def minibatches(rows, batch_size, generator=None):
    """The index tensor ``rows`` in a random order, cut into minibatches.

    The permutation is drawn on the CPU (from ``generator``, or torch's global
    generator when None), so a seed gives the same order on every device.
    """
    order = rows[torch.randperm(len(rows), generator=generator).to(rows.device)]
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


class EarlyStopping:
    """Best monitored loss, the module's weights at it, and the epochs since.

    Parameters
    ----------
    tol : float
        The least improvement over the best loss that counts.
    patience : int
        Epochs without one before stopping.
    keep_best : bool, default=True
        Keep a copy of the weights of the best epoch (restored by
        :meth:`restore`); off where the monitored loss is the training loss.
    """

    def __init__(self, tol, patience, keep_best=True):
        self.tol, self.patience, self.keep_best = tol, patience, keep_best
        self.best, self.stale, self.best_state = np.inf, 0, None

    def update(self, score, module):
        """Record an epoch's monitored loss; True when training should stop."""
        if score < self.best - self.tol:
            self.best, self.stale = score, 0
            if self.keep_best:
                self.best_state = copy.deepcopy(module.state_dict())
        else:
            self.stale += 1
        return self.stale >= self.patience

    def restore(self, module):
        """Load the best epoch's weights into ``module`` (when they were kept)."""
        if self.best_state is not None:
            module.load_state_dict(self.best_state)
        return module
