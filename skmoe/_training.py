"""The pieces of skmoe's torch training loops: shuffled minibatches and early stopping.

Every network skmoe trains by minibatch Adam -- a torch expert on its own
(``experts``), the gate with the torch experts (``_gradient``), the
multi-task networks (``_mmoe``), the gate's Adam solver (``gates``) -- runs
the same epoch: the training rows in a fresh random order, cut into
minibatches (:func:`minibatches`), and, where it stops early, the same rule
(:class:`EarlyStopping`): an epoch improves when its monitored loss beats the
best so far by more than ``tol``; training stops after ``patience`` epochs
without one and returns to the weights of the lowest loss. The stacked
gate's fold gates (``_blend``) stop by the same rule, inside one batched
network, but each keeps its weights of the last epoch that beat its best by
more than ``tol`` (so within ``tol`` of its lowest validation loss; keeping
the lowest would change every default fit's predictions, and was left), and
they step with :class:`Adam` (torch's update, written out).
Full-batch fits (the EM gate's M-step, the multi-task gates of
``_mmoe_hetero``) run :func:`lbfgs`: scipy's L-BFGS-B on torch's gradients.
Neither touches ``torch.optim``, whose first optimiser in a process imports
torch's compiler stack (about 1.3 s here, once per process), which would
dominate the fit of a small mixture.
"""

import copy
import math
import numbers
import warnings
from inspect import signature

import numpy as np
import torch

from ._compat import Interval

# Adam's first step moves a weight by up to learning_rate / (1 - beta1), ten
# times the learning rate: from about 3.4e37 on that overflows float32, and
# learning_rate=1e38 stopped inside torch ("value cannot be converted to type
# float without overflow"). Every learning rate of this library is checked
# against this bound at fit; a large one below it that makes the training
# loss or the weights non-finite is :func:`diverged`.
MAX_LEARNING_RATE = 1e37
LEARNING_RATE = [Interval(numbers.Real, 0, MAX_LEARNING_RATE, closed="neither")]
# A weight decay (the L2 penalty's weight) reaches Adam as a float32 scalar
# too: weight_decay=1e300 stopped inside torch the same way, and a gate's
# alpha=1e300 gave the stacked gate a NaN loss reported as "lower
# learning_rate". The same bound, for the same reason; and for the weights of
# sparse routing's loss terms (balance_coef, router_z_coef): 1e300 stopped EM's
# gate inside torch ("Expected value argument ... within the support (Real())
# of the distribution Normal"), and the gradient trainer blamed learning_rate.
MAX_WEIGHT_DECAY = 1e37
WEIGHT_DECAY = [Interval(numbers.Real, 0, MAX_WEIGHT_DECAY, closed="left")]


def diverged(who, learning_rate, what, scale_of="X and sample_weight"):
    """The error for a network whose training became NaN or infinite.

    ``who`` is the estimator (or the part of it) trained, ``what`` what went
    non-finite and when; the message names learning_rate and its value, the
    usual cause, and the data whose scale can cause it too.
    """
    return ValueError(f"{who} diverged: {what}; lower learning_rate (now "
                      f"{learning_rate!r}) or check the scale of {scale_of}.")


def check_kept_loss(who, learning_rate, train_losses, kept, reference, words,
                    scale_of="X and sample_weight"):
    """Raise where a network kept an epoch that diverged without becoming NaN.

    ``train_losses`` is the training loss per epoch, ``kept`` the epoch kept
    (0-based), ``reference`` the loss of a fit that learnt nothing (a
    regression's mean, equal probabilities for the classes), said by
    ``words``; 0 (nothing to learn) skips the check. A diverged fit is one
    whose kept epoch trained at a loss over 10 times the reference, or no
    better than 0.9 times it after the loss went over 100 times it (a
    network that blew up and then predicted one constant); the first epoch
    counts, as it can have diverged already (a loss of 3e5 at
    learning_rate=10).
    """
    if not reference:
        return
    losses = np.asarray(train_losses, dtype=float) / reference
    if losses[kept] > 10 or (losses[kept] >= 0.9 and losses.max() > 100):
        raise diverged(who, learning_rate,
                       f"the training loss reached {losses.max() * reference:.3g} and was "
                       f"{losses[kept] * reference:.3g} at the epoch kept ({kept + 1} of "
                       f"{len(losses)}), where {words}", scale_of=scale_of)


def minibatches(rows, batch_size, generator=None):
    """The index tensor ``rows`` in a random order, cut into minibatches.

    The permutation is drawn on the CPU (from ``generator``, or torch's global
    generator when None), so a seed gives the same order on every device.
    """
    order = rows[torch.randperm(len(rows), generator=generator).to(rows.device)]
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def n_validation_rows(fraction, n, min_train=2):
    """Early-stopping rows for ``fraction`` of ``n`` rows: ``round(fraction * n)``,
    at least one and at most ``n - min_train``; none for ``fraction`` 0 or
    fewer than ``min_train + 1`` rows.

    (A positive fraction that rounded to no rows, or to too many, turned early
    stopping off without a word: ``validation_fraction=0.01`` or ``0.99`` on
    30 rows trained without it, and a top-k mixture without its rival check.
    HistGradientBoosting and ``train_test_split`` keep one row at least.)
    """
    if not fraction or n < min_train + 1:
        return 0
    return min(max(int(round(fraction * n)), 1), n - min_train)


# Early stopping's training part must keep this many rows (and two of every
# class) where validation_fraction holds out more rows than it leaves: on
# fewer, the network that early stopping keeps is fitted to a handful of
# points (validation_fraction=0.99 on 30 rows trained on 2, silently). Only
# then: a held-out part no larger than the training part is the data's size,
# not the fraction, and small data with the default fraction keeps fitting.
MIN_TRAINING_ROWS = 10


def training_rows_shortfall(n, n_val, n_classes=0):
    """Where ``n_val`` of ``n`` rows held out leave too few to train on:
    ``(need, hint)``, the training rows needed and the most rows (and a
    fraction) that may be held out, in words; None where they leave enough.

    Too few: the held-out part is the larger, and the training part has
    fewer than ``MIN_TRAINING_ROWS`` rows, or fewer than two per class.
    """
    n_train = n - n_val
    minimum = max(MIN_TRAINING_ROWS, 2 * (n_classes or 0))
    if not (n_val > n_train and n_train < minimum):
        return None
    # Rounded down: the estimators round fraction * n, or round it up.
    most = max(n // 2, n - minimum)
    fraction = math.floor(1000 * most / n) / 1000
    rows = "row" if most == 1 else "rows"
    hint = (f"hold out at most {most} {rows} (validation_fraction={fraction:g} or lower)"
            if fraction > 0 else "lower validation_fraction")
    need = f"at least {minimum} training rows"
    if n_classes:
        need += f" ({MIN_TRAINING_ROWS}, and two of each of the {n_classes} classes)"
    return need, hint


def check_training_rows(fraction, n, n_val, who, off, n_classes=0, of="rows"):
    """Refuse a ``validation_fraction`` that leaves too few rows to train on
    (:func:`training_rows_shortfall`).

    ``n_val`` of the ``n`` rows are held out; ``who`` names the estimator,
    ``off`` how to turn its early stopping off, ``of`` what the rows are.
    """
    shortfall = training_rows_shortfall(n, n_val, n_classes)
    if shortfall is not None:
        need, hint = shortfall
        raise ValueError(
            f"{who}: validation_fraction={fraction} of the {n} {of} holds out {n_val} for "
            f"early stopping and leaves {n - n_val} to train on; holding out more rows than "
            f"it trains on needs {need}: {hint}, or set {off}.")


def validation_split(order, n_val, sample_weight, fraction, rng):
    """Early-stopping rows ``order[:n_val]`` and training rows ``order[n_val:]``.

    Where either part would carry no weight (rows of zero ``sample_weight``:
    rows a hard EM routed elsewhere, or rows a user masked out), the rows of
    positive weight are split instead, ``fraction`` of them (at least one,
    leaving one at least; none where there are fewer than two): a weightless validation part
    scored 0/0, a loss of exactly 0.0 on every epoch, and early stopping
    kept the first epoch's weights. ``rng`` draws that split.

    Returns
    -------
    val, train : ndarray
        Row positions; ``val`` may be empty.
    """
    val, train = order[:n_val], order[n_val:]
    if n_val and not (sample_weight[val].any() and sample_weight[train].any()):
        positive = np.flatnonzero(sample_weight > 0)
        n_val = n_validation_rows(fraction, len(positive), min_train=1)
        val = positive[rng.permutation(len(positive))[:n_val]]
        train = np.setdiff1d(order, val, assume_unique=True)
    return val, train


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
        self._bar = np.inf   # the loss that an improvement must beat by tol

    def update(self, score, module):
        """Record an epoch's monitored loss; True when training should stop."""
        if score < self._bar - self.tol:
            self._bar, self.stale = score, 0
        else:
            self.stale += 1
        if score < self.best:
            # The weights of the lowest loss, also where it beat the previous
            # one by less than tol (which only decides when to stop, as in
            # scikit-learn's MLP): the epoch of the last improvement by tol
            # was restored instead, at a higher validation loss.
            self.best = score
            if self.keep_best:
                self.best_state = copy.deepcopy(module.state_dict())
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


def lbfgs(params, objective, max_iter, history_size=100, tolerance_grad=1e-6,
          tolerance_change=1e-9, never_worse=False, return_n_iter=False):
    """Minimise ``objective()`` over the torch tensors ``params`` by L-BFGS.

    scipy's L-BFGS-B (no bounds) on the flattened parameters, in float64,
    with the gradients from torch's autograd; the parameters are left at the
    solver's result. The counterpart of ``torch.optim.LBFGS`` with
    ``line_search_fn='strong_wolfe'``: at most ``max_iter`` iterations and
    ``1.25 * max_iter`` evaluations, stopping once the largest gradient
    entry is at most ``tolerance_grad`` or the loss changes by at most
    ``tolerance_change`` (relative). ``never_worse``: if the result's loss
    is higher than the start's, or not finite, the parameters go back to the
    start (EM's M-step must not lower its objective).

    Returns
    -------
    loss : float
        The objective at the returned parameters.
    n_iter : int
        Only with ``return_n_iter``: the solver's iterations.
    """
    from scipy.optimize import minimize
    params = [p for p in params if p.requires_grad]
    sizes = [p.numel() for p in params]

    def assign(x):
        with torch.no_grad():
            offset = 0
            for p, size in zip(params, sizes):
                p.copy_(torch.as_tensor(x[offset:offset + size]).view_as(p))
                offset += size

    start = []   # the objective at the starting point: the solver's first call

    def loss_and_gradient(x):
        assign(x)
        loss = objective()
        if not start:
            start.append(float(loss.item()))
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        gradient = np.concatenate([
            (np.zeros(size) if grad is None
             else grad.detach().reshape(-1).to("cpu", torch.float64).numpy())
            for grad, size in zip(grads, sizes)])
        return float(loss.item()), gradient

    if not params:
        loss = float(objective().item())
        return (loss, 0) if return_n_iter else loss
    x0 = np.concatenate([p.detach().reshape(-1).to("cpu", torch.float64).numpy()
                         for p in params])
    result = minimize(loss_and_gradient, x0, jac=True, method="L-BFGS-B",
                      options={"maxiter": max_iter, "maxfun": int(max_iter * 1.25) + 1,
                               "maxcor": history_size, "gtol": tolerance_grad,
                               "ftol": tolerance_change})
    if never_worse and (not np.isfinite(result.fun) or result.fun > start[0]):
        assign(x0)
        loss = start[0]
    else:
        assign(result.x)
        loss = float(result.fun)
    return (loss, int(result.nit)) if return_n_iter else loss


def not_converged_reason(loss, max_name, max_epochs, n_iter_no_change, could_stop=None):
    """The reason and advice that end a trainer's "did not converge in
    max_epochs" warning: its ``loss`` still improving, or, where stopping
    needed more epochs than ``max_epochs`` (``could_stop`` False; by default
    where ``n_iter_no_change >= max_epochs``: the first epoch sets the loss
    to beat), that early stopping could not fire. That case was said to be
    a loss "still improving" too, also of a loss that had risen since its
    first epoch."""
    if could_stop is None:
        could_stop = n_iter_no_change < max_epochs
    if could_stop:
        return f"({loss} still improving). Increase {max_name}."
    return (f"(early stopping could not stop it: n_iter_no_change={n_iter_no_change} epochs "
            f"without improvement of the {loss} need more than {max_name}={max_epochs}). "
            f"Increase {max_name} or lower n_iter_no_change.")


def warn_unused_without_early_stopping(estimator, names, stacklevel):
    """Warn of the options ``names`` set away from their defaults while
    ``estimator.early_stopping`` is off: they only shape its held-out split
    and its stopping rule (HierarchicalMixture*'s validation_fraction and
    n_iter_no_change, MultiGateMixtureOfExperts' validation_fraction went
    unread without a word, as the mixtures' options read only when another
    is on warn)."""
    early_stopping = estimator.early_stopping
    if isinstance(early_stopping, str) or early_stopping:
        return
    defaults = signature(type(estimator).__init__).parameters
    for name in names:
        value = getattr(estimator, name)
        if value != defaults[name].default:
            warnings.warn(
                f"{name}={value!r} has no effect with early_stopping={early_stopping!r}; "
                "it is only used with early_stopping on.", UserWarning,
                stacklevel=stacklevel + 1)


def is_default(value, default):
    """Whether a parameter's ``value`` is its ``default`` (False where they
    cannot be compared, e.g. an array and a number)."""
    try:
        return value is default or bool(value == default)
    except (TypeError, ValueError):
        return False


def set_away_from_default(obj, names):
    """``name=value`` of each parameter in ``names`` that ``obj`` has set away
    from its class's default."""
    defaults = {key: p.default for key, p in signature(type(obj).__init__).parameters.items()}
    return [f"{key}={getattr(obj, key)!r}" for key in names
            if not is_default(getattr(obj, key), defaults[key])]
