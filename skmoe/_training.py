"""The pieces of skmoe's torch training loops: shuffled minibatches and early stopping.

Every network skmoe trains by minibatch Adam -- a torch expert on its own
(``experts``), the gate with the torch experts (``_gradient``), the
multi-task networks (``_mmoe``), the gate's Adam solver (``gates``) -- runs
the same epoch: the training rows in a fresh random order, cut into
minibatches (:func:`minibatches`), and, where it stops early, the same rule
(:class:`EarlyStopping`): an epoch improves when its monitored loss beats the
best so far by more than ``tol``; training stops after ``patience`` epochs
without one and returns to the best epoch's weights. The stacked gate's
fold gates (``_blend``) keep their best epochs the same way, inside one
batched network, and step with :class:`Adam` (torch's update, written out).
"""

import copy
import math

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


class Adam:
    """Adam with L2 weight decay, as ``torch.optim.Adam`` computes it.

    Written out because constructing a ``torch.optim`` optimiser imports
    torch's compiler stack on first use (seconds, once per process), which
    would dominate the fit of a small gate.
    """

    def __init__(self, groups, lr, betas=(0.9, 0.999), eps=1e-8):
        self.groups, self.lr, self.betas, self.eps, self.t = groups, lr, betas, eps, 0
        self.moments = [[(torch.zeros_like(p), torch.zeros_like(p)) for p in g["params"]]
                        for g in groups]

    def zero_grad(self):
        for group in self.groups:
            for p in group["params"]:
                p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        beta1, beta2 = self.betas
        step = self.lr * math.sqrt(1 - beta2 ** self.t) / (1 - beta1 ** self.t)
        for group, moments in zip(self.groups, self.moments):
            for p, (m, v) in zip(group["params"], moments):
                if p.grad is None:
                    continue
                grad = p.grad + group["weight_decay"] * p if group["weight_decay"] else p.grad
                m.mul_(beta1).add_(grad, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denominator = v.sqrt().add_(self.eps * math.sqrt(1 - beta2 ** self.t))
                p.addcdiv_(m, denominator, value=-step)
