"""Sparse routing: top-k, noisy top-k, random routing, capacity, balance losses.

Routing lives here and only here, as pure functions, so that the EM trainer,
the gradient trainer and prediction all route the same way.

* :func:`route` (torch) turns scores of shape ``(b, e)`` into a
  :class:`Routing`: the chosen experts of every row, their renormalised
  weights (Shazeer et al., 2017) and, in training, the auxiliary losses.
* :func:`dispatch_outputs` (numpy) calls each expert once, on the block of
  rows routed to it (sparse inference).

Shape legend: ``b`` rows, ``e`` experts, ``k`` slots per row.

Conventions
-----------
* Ties between equal scores go to the expert with the lower index (stable
  sort), so routing is deterministic.
* ``indices[:, j]`` is a row's j-th choice; ``-1`` marks an empty slot (its
  weight is zero): random routing dropped it, or every other expert was full.
* Capacity: each expert takes at most ``ceil(capacity_factor * k * b / e)``
  rows of a batch.  Slots are filled one at a time: every row gets its
  first slot before any row gets a second (GShard, Switch).  Within a slot,
  rows claim experts one preference rank at a time; an expert keeps the rows
  with the largest weight for it (ties: lower row index), and the rows it
  turns away try their next-best expert at the next rank.  So the cap holds
  whenever the experts have a slot per row (``capacity_factor >= 1 / k``).
  A row that finds every expert full keeps its first choice beyond capacity:
  no row is ever dropped.  After random routing a row claims the experts it
  kept first, then the others by preference.
* Training a top-k gate: a top-1 row's renormalised weight is exactly one,
  so the routed loss sends the gate no gradient (and with top-k, none across
  the boundary of the chosen set).  Switch Transformer's fix, scaling the
  chosen output by its unnormalised probability ``p_i``, does not carry over:
  in the mixture's log-likelihood it adds ``log p_i`` to every row, a
  gradient that raises the current choice whatever its loss.  The gradient
  trainer uses :func:`straight_through` instead: the routed loss is the
  value, and the gate also gets the gradient of the dense mixture's loss at
  the same, detached, expert outputs (an expert network still trains on
  its routed rows only).
"""

import math
from collections import namedtuple

import numpy as np
import torch

from ._data import take_rows
from ._likelihood import classification_outputs, regression_outputs

BALANCE_LOSSES = ("importance", "load", "switch")


class ExpertCollapseWarning(UserWarning):
    """An expert kept almost no responsibility for several EM iterations."""


Routing = namedtuple("Routing", ["weights", "indices", "aux_losses"])
Routing.__doc__ = """Result of :func:`route`.

weights : tensor of shape (b, k)
    Renormalised weights of the chosen experts (rows sum to one; zero in
    empty slots).
indices : long tensor of shape (b, k)
    Chosen experts, best first; ``-1`` for an empty slot.
aux_losses : dict of str to scalar tensor
    ``'importance'``, ``'load'``, ``'switch'`` and ``'z'`` in training; empty
    otherwise.
"""


def sort_experts(scores):
    """Experts by decreasing score, ties to the lower index: (b, e) long tensor."""
    return torch.sort(scores, dim=1, descending=True, stable=True).indices


def noisy_scores(logits, noise_std, generator=None):
    """``logits + N(0, 1) * noise_std`` (Shazeer et al.'s noisy gating)."""
    eps = torch.randn(logits.shape, generator=generator, dtype=logits.dtype,
                      device="cpu" if generator is not None else logits.device)
    return logits + eps.to(logits.device) * noise_std


@torch.no_grad()
def capacity_assign(probs, order, demand, capacity):
    """Fill each row's ``demand`` slots under a per-expert capacity.

    Parameters
    ----------
    probs : tensor (b, e)
        Routing weights; the priority of a row for an expert.
    order : long tensor (b, e)
        Each row's experts, best first.
    demand : long tensor (b,)
        Slots each row wants (``k``, or fewer after random routing).
    capacity : int
        Rows per expert.

    Returns
    -------
    indices : long tensor (b, k) with k = demand.max(); -1 marks empty slots.
    """
    b, e = probs.shape
    k = int(demand.max()) if b else 1
    device = probs.device
    indices = torch.full((b, k), -1, dtype=torch.long, device=device)
    filled = torch.zeros(b, dtype=torch.long, device=device)
    tried = torch.zeros(b, dtype=torch.long, device=device)  # next rank in `order`
    remaining = torch.full((e,), capacity, dtype=torch.long, device=device)
    # Slot by slot (GShard, Switch): every row's first slot is filled before
    # anyone's second, so a row's second choice never takes the place another
    # row needs for its first.  Rank by rank, that happened, and the row left
    # without a slot kept its first choice over the cap.  Loops over slots and
    # preference ranks, never over rows; an expert full once stays full, so a
    # row resumes at the rank after the last one it tried.
    for slot in range(k):
        for _ in range(e):
            rows = torch.nonzero((filled == slot) & (demand > slot) & (tried < e)).flatten()
            if rows.numel() == 0:
                break
            experts = order[rows, tried[rows]]
            tried[rows] += 1
            # Lexicographic order (expert, -priority, row) from two stable sorts.
            by_priority = torch.sort(-probs[rows, experts], stable=True).indices
            by_expert = torch.sort(experts[by_priority], stable=True).indices
            perm = by_priority[by_expert]
            rows, experts = rows[perm], experts[perm]
            counts = torch.bincount(experts, minlength=e)
            starts = torch.cumsum(counts, 0) - counts
            position = torch.arange(len(rows), device=device) - starts[experts]
            accept = position < remaining[experts]
            rows, experts = rows[accept], experts[accept]
            remaining -= torch.bincount(experts, minlength=e)
            indices[rows, filled[rows]] = experts
            filled[rows] += 1
    stranded = torch.nonzero(filled == 0).flatten()
    indices[stranded, 0] = order[stranded, 0]  # never drop a row
    return indices


def expert_capacity(capacity_factor, k, n_rows, n_experts):
    """Rows per expert: ``ceil(capacity_factor * k * n_rows / n_experts)``, from 1 to
    ``n_rows`` (more is no cap: a capacity_factor of 1e300 overflowed torch's int64)."""
    rows = capacity_factor * k * n_rows / n_experts
    if not rows < n_rows:
        # (Also an overflow to inf: capacity_factor=1e308 with top_k=2 failed
        # with "cannot convert float infinity to integer".)
        return n_rows
    # The product's rounding lifted a whole number just above itself, and
    # ceil made it one row more: 1.1 * 100 / 2 is 55.00000000000001 in
    # floats, which gave 56 rows, not 55. A relative 1e-12 is far beyond
    # those few ulps and far below any factor's meaningful digits.
    return max(1, math.ceil(rows * (1 - 1e-12)))


def route(logits, k, *, training=False, noise_std=None, random_routing=False,
          capacity_factor=None, generator=None, sample_weight=None):
    """Top-k routing of rows to experts.

    Parameters
    ----------
    logits : tensor of shape (b, e)
        Routing scores (gate logits, or log gate + log likelihood in EM).
    k : int
        Experts per row, ``1 <= k <= e``.
    training : bool, default=False
        Noise, random routing and the auxiliary losses apply only in training.
    noise_std : tensor of shape (b, e), default=None
        Learned noise scale (softplus output) for noisy top-k gating.
    random_routing : bool, default=False
        Keep each expert after the first with probability ``min(1, k * w_j)``
        (GShard's ``2 * g_2`` for k=2).
    capacity_factor : float, default=None
        Cap each expert at ``ceil(capacity_factor * k * b / e)`` rows;
        every row's first slot is filled before any second, and overflow goes
        to the next-best expert.
    generator : torch.Generator, default=None
        Randomness of the noise and of random routing.
    sample_weight : tensor of shape (b,), default=None
        Row weights for the auxiliary losses.

    Returns
    -------
    routing : Routing
    """
    b, e = logits.shape
    if not 1 <= k <= e:
        raise ValueError(f"top_k must be between 1 and the number of experts ({e}), got {k}.")
    noisy = logits
    if training and noise_std is not None:
        noisy = noisy_scores(logits, noise_std, generator)
    probs = torch.softmax(noisy, dim=1)
    order = sort_experts(noisy.detach())
    indices = order[:, :k]
    if training and random_routing and k > 1:
        top = probs.detach().gather(1, indices)
        top = top / top.sum(1, keepdim=True)
        u = torch.rand(top.shape, generator=generator,
                       device="cpu" if generator is not None else top.device).to(top.device)
        keep = u < torch.clamp(k * top, max=1.0)
        keep[:, 0] = True
        # Kept slots first, in preference order.
        slot_order = torch.sort((~keep).to(torch.int8), dim=1, stable=True).indices
        indices = torch.where(keep.gather(1, slot_order), indices.gather(1, slot_order),
                              torch.full_like(indices, -1))
        if capacity_factor is not None:
            # Capacity fills the kept experts first: with top-3, a row that kept
            # its 1st and 3rd choices got its 1st and 2nd under a capacity that
            # bound nothing (the experts it dropped stay next in line).
            slots = torch.where(indices >= 0, indices, e)
            kept_expert = torch.zeros((b, e + 1), dtype=torch.bool,
                                      device=indices.device).scatter_(1, slots, True)[:, :e]
            first = torch.sort((~kept_expert.gather(1, order)).to(torch.int8), dim=1,
                               stable=True).indices
            order = order.gather(1, first)
    if capacity_factor is not None:
        demand = (indices >= 0).sum(1)
        capacity = expert_capacity(capacity_factor, k, b, e)
        indices = capacity_assign(probs.detach(), order, demand, capacity)
        if indices.shape[1] < k:
            pad = torch.full((b, k - indices.shape[1]), -1, dtype=torch.long,
                             device=indices.device)
            indices = torch.cat([indices, pad], dim=1)
    kept = indices >= 0
    weights = probs.gather(1, indices.clamp(min=0)) * kept
    total = weights.sum(1, keepdim=True)
    lost = (total[:, 0] == 0).detach()
    if lost.any():
        # Capacity sent a row only to experts whose softmax weight underflows
        # to 0 (a posterior 1e-15000 of the best's in EM): 0 / 0 gave it NaN
        # weights, and EM failed naming an expert that had "zero weight".
        # The renormalised weights of the chosen experts are the softmax of
        # their own scores, computed so for those rows.
        chosen = noisy.gather(1, indices.clamp(min=0)).masked_fill(~kept, -math.inf)
        weights = torch.where(lost[:, None], torch.softmax(chosen, dim=1),
                              weights / total.clamp_min(torch.finfo(total.dtype).tiny))
    else:
        weights = weights / total
    aux = {}
    if training:
        dense = to_dense(weights, indices, e)
        aux = {
            # Top-1's routed weights are all one: their sums only count rows,
            # which sends the gate no gradient ('importance' with top_k=1
            # balanced nothing in the joint trainer). Its gate weights are
            # then the softmax weights of the chosen experts (as Switch's).
            "importance": importance_loss(dense if k > 1 else probs * (dense > 0),
                                          sample_weight),
            "load": load_loss(logits, noisy, noise_std, k, sample_weight),
            "switch": switch_loss(probs, dense > 0, sample_weight),
            "z": z_loss(logits, sample_weight),
        }
    return Routing(weights, indices, aux)


def to_dense(weights, indices, n_experts):
    """Routing weights as a (b, e) matrix, zero outside the chosen experts."""
    dense = torch.zeros(weights.shape[0], n_experts, dtype=weights.dtype,
                        device=weights.device)
    return dense.scatter_add(1, indices.clamp(min=0), weights * (indices >= 0))


def routed_log_weights(routing, n_experts):
    """Log routing weights as (b, e), ``-inf`` off-route, safe to backpropagate.

    ``log p(y|x) = logsumexp(log_w + log p_i(y|x))`` then mixes only the routed
    experts; the off-route entries get a zero gradient, never NaN.
    """
    dense = to_dense(routing.weights, routing.indices, n_experts)
    on_route = dense > 0
    log_w = torch.log(dense.clamp_min(torch.finfo(dense.dtype).tiny))
    return torch.where(on_route, log_w, torch.full_like(log_w, -math.inf))


def straight_through(routed, dense):
    """The value of ``routed`` with the gradient of ``dense`` added.

    ``routed + (dense - dense.detach())``: a straight-through estimator
    (Bengio et al., 2013) for a top-k gate.  The forward value (what is
    reported and early-stopped on) is the routed loss; the gate learns from
    ``dense``, the loss of the dense softmax mixture computed on the experts'
    detached outputs, which compares every expert on every row.

    Parameters
    ----------
    routed : scalar tensor
        Loss of the top-k routed mixture.
    dense : scalar tensor
        Loss of the dense mixture, ``log_softmax(logits)`` as log weights and
        the experts' outputs detached.

    Returns
    -------
    loss : scalar tensor
        Equal to ``routed``; its gradient is ``routed``'s plus ``dense``'s.
    """
    return routed + (dense - dense.detach())


def is_dense(options):
    """Whether routing options are the plain dense softmax with no penalty."""
    return options is None or (options.top_k is None and not options.balance_coef
                               and not options.router_z_coef)


# ------------------------------------------------------------ balance losses
def _weighted_sum(values, sample_weight):
    """Sum over rows of (b, e) values, optionally weighted: (e,)."""
    if sample_weight is None:
        return values.sum(0)
    return (sample_weight[:, None] * values).sum(0)


def _cv_squared(x):
    """Squared coefficient of variation; zero for a constant vector."""
    mean = x.mean()
    return x.var(unbiased=False) / (mean ** 2 + 1e-10)


def importance_loss(gates, sample_weight=None):
    """``CV(sum_x G(x))^2``: zero when every expert gets the same total weight.

    :func:`route` passes the routed weights; for top-1, which are all one,
    the softmax weights of the chosen experts.
    """
    return _cv_squared(_weighted_sum(gates, sample_weight))


def load_loss(logits, noisy, noise_std, k, sample_weight=None):
    """``CV(load)^2`` with Shazeer et al.'s smooth load estimator.

    ``P(x, i) = Phi((clean_i - threshold_i) / std_i)`` is the probability that
    expert i stays in the top k when its noise is redrawn, with ``threshold_i``
    the k-th largest noisy score among the other experts.  Without learned
    noise a unit scale is used, so the loss still trains the gate.
    """
    b, e = logits.shape
    if k >= e:
        return logits.new_zeros(())
    std = torch.ones_like(logits) if noise_std is None else noise_std
    top = torch.topk(noisy, k + 1, dim=1).values
    threshold_if_in, threshold_if_out = top[:, k:k + 1], top[:, k - 1:k]
    is_in = noisy > threshold_if_in
    normal = torch.distributions.Normal(0.0, 1.0)
    prob_in = normal.cdf((logits - threshold_if_in) / std)
    prob_out = normal.cdf((logits - threshold_if_out) / std)
    return _cv_squared(_weighted_sum(torch.where(is_in, prob_in, prob_out), sample_weight))


def switch_loss(probs, routed, sample_weight=None):
    """Switch Transformer loss ``e * sum_i f_i * P_i``; 1 at uniform routing.

    ``f_i`` is the share of routing slots dispatched to expert i (not
    differentiable), ``P_i`` the mean gate probability of expert i.
    """
    e = probs.shape[1]
    f = _weighted_sum(routed.to(probs.dtype), sample_weight)
    P = _weighted_sum(probs, sample_weight)
    return e * (f / f.sum()) @ (P / P.sum())


def z_loss(logits, sample_weight=None):
    """Router z-loss: mean squared log-partition ``logsumexp(logits)^2``."""
    lse2 = torch.logsumexp(logits, dim=1) ** 2
    if sample_weight is None:
        return lse2.mean()
    return (sample_weight * lse2).sum() / sample_weight.sum()


# --------------------------------------------------- numpy-facing prediction
def route_numpy(logits, k, capacity_factor=None):
    """Routing of numpy scores: dense (n, e) weights, zero off-route.

    Leave ``capacity_factor`` None at predict time: a capacity makes each
    row's experts depend on the other rows of the batch (EM's training prior
    passes it).
    """
    scores = torch.as_tensor(np.asarray(logits, dtype=np.float64))
    routing = route(scores, k, capacity_factor=capacity_factor)
    return to_dense(routing.weights, routing.indices, scores.shape[1]).numpy()


def dispatch_outputs(names, experts, X, routed, n_classes=None):
    """Call each expert only on its rows: outputs with zeros where not routed.

    Rows are grouped by expert with ``np.flatnonzero``; each expert gets one
    ``predict`` (or ``predict_proba``) call on its block of rows.

    Parameters
    ----------
    names, experts : list
    X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
    routed : bool ndarray of shape (n_samples, n_experts)
    n_classes : int, default=None
        None for regression, else the number of classes.

    Returns
    -------
    outputs : ndarray
        (n_samples, n_experts), or (n_samples, n_experts, n_classes).
    """
    n, e = routed.shape
    shape = (n, e) if n_classes is None else (n, e, n_classes)
    outputs = np.zeros(shape)
    for j, (name, expert) in enumerate(zip(names, experts)):
        rows = np.flatnonzero(routed[:, j])
        if len(rows) == 0:
            continue
        if n_classes is None:
            outputs[rows, j] = regression_outputs([name], [expert], take_rows(X, rows))[:, 0]
        else:
            outputs[rows, j] = classification_outputs([name], [expert], take_rows(X, rows),
                                                      n_classes)[:, 0]
    return outputs


# ------------------------------------------------------------ configuration
RoutingOptions = namedtuple(
    "RoutingOptions",
    ["top_k", "noisy_gating", "random_routing", "capacity_factor", "balance_coef",
     "balance_loss", "router_z_coef", "collapse_threshold", "collapse_patience",
     "collapse_action"],
    defaults=[None, False, False, None, 0.0, "switch", 0.0, None, 3, "reinit"])
RoutingOptions.__doc__ = "The routing parameters of a mixture (see MixtureOfExpertsRegressor)."
DENSE = RoutingOptions()


def train_route(logits, options, *, noise_std=None, generator=None, sample_weight=None,
                capacity=True):
    """Training-time routing and its penalty, for any trainer (EM's gate, gradient).

    Parameters
    ----------
    logits : tensor of shape (b, e)
        Clean gate logits.
    options : RoutingOptions
    noise_std : tensor of shape (b, e), default=None
        The gate's learned noise scale (``MLPGate.noise_std``); used only
        when ``options.noisy_gating``.
    generator : torch.Generator, default=None
    sample_weight : tensor of shape (b,), default=None
    capacity : bool, default=True
        Apply ``options.capacity_factor`` (off for the balance penalty, which
        measures what the gate wants, not what capacity allows).

    Returns
    -------
    routing : Routing
        With ``top_k=None``: every expert, weights = softmax(logits).
    penalty : scalar tensor
        ``balance_coef * aux[balance_loss] + router_z_coef * aux['z']``.
    """
    e = logits.shape[1]
    k = options.top_k or e
    routing = route(logits, k, training=True,
                    noise_std=noise_std if options.noisy_gating else None,
                    random_routing=options.random_routing,
                    capacity_factor=options.capacity_factor if capacity else None,
                    generator=generator, sample_weight=sample_weight)
    aux = routing.aux_losses
    balance = aux[options.balance_loss]
    if k >= e and options.balance_loss != "importance":
        # Dense mixture (so is a top_k of every expert): load and f_i count
        # each row's first choice. (Over every expert, as top_k=n_experts
        # counted them, the load loss is 0 and the switch loss the constant 1:
        # balance_coef did nothing, without a word.)
        dense = route(logits, 1, training=True, sample_weight=sample_weight)
        balance = dense.aux_losses[options.balance_loss]
    penalty = options.balance_coef * balance + options.router_z_coef * aux["z"]
    return routing, penalty


def gate_penalty(options, seed):
    """Balance + z-loss penalty for ``MLPGate.fit``, or None when both are off.

    The noise is redrawn from the same seed at every call, so that L-BFGS sees
    one deterministic objective during a fit.
    """
    if not (options.balance_coef or options.router_z_coef):
        return None
    options = options._replace(random_routing=False)

    def penalty(gate, logits, Z, weight):
        generator = torch.Generator().manual_seed(int(seed))
        _, value = train_route(logits, options, noise_std=gate.noise_std(Z),
                               generator=generator, sample_weight=weight, capacity=False)
        return value

    return penalty
