"""The model the joint gradient trainer trains: gate, batched torch experts, fixed experts.

:class:`JointMixture` holds the gate, the torch MLP experts of each
architecture as one batched network (:class:`_ExpertGroup`) and the cached
out-of-fold outputs of the fixed experts; :func:`mixture_loss` is its loss
(the mixture's negative log-likelihood or the squared error of its mean),
:class:`TrainingData` the tensors it trains on (on the device once), and
:func:`evaluate` its loss on rows without gradients. The trainer that uses
them is :mod:`skmoe._gradient`.
"""

import numpy as np
import torch

from ._likelihood import LOG_2PI
from ._nn import BatchedMLP
from ._routing import is_dense, route, routed_log_weights, train_route
from ._torch_utils import device_array, matmul_precision, standardise, to_tensor

# Rows per forward pass when evaluating without gradients.
EVAL_CHUNK = 65_536


class _ExpertGroup(torch.nn.Module):
    """Torch MLP experts of one architecture, run as one batched network."""

    def __init__(self, positions, mlps, architecture, precision="float32"):
        super().__init__()
        _, activation, dropout, _ = architecture
        self.register_buffer("positions", torch.as_tensor(positions))
        self.architecture = architecture
        self.precision = precision
        self.net = BatchedMLP.from_mlps(mlps, activation, dropout)

    def forward(self, z):
        """(e, b, o) float32 outputs, the matmuls in the group's precision."""
        with matmul_precision(self.precision, z.device):
            return self.net(z).float()


class JointMixture(torch.nn.Module):
    """Gate + batched MLP experts + cached outputs of the fixed experts.

    ``forward`` returns ``(log_g, out)`` for a batch of rows: ``log_g`` of
    shape (b, M) and ``out`` the experts' outputs, (b, M) predictions for
    regression or (b, M, C) log-probabilities for classification, columns in
    the mixture's expert order.
    """

    def __init__(self, gate_module, groups, fixed_positions, n_experts, regression,
                 log_variance=None, routing=None, noise_module=None):
        super().__init__()
        self.gate = gate_module
        # Sparse routing (skmoe._routing); None is the dense softmax.
        self.routing = None if is_dense(routing) else routing
        self.noise = noise_module
        self.groups = torch.nn.ModuleList(groups)
        self.regression = regression
        self.n_experts = n_experts
        order = list(fixed_positions) + [int(p) for g in groups for p in g.positions]
        # Column j of the concatenation [fixed, group 0, group 1, ...] is
        # expert order[j]; ``inverse`` puts the columns back in expert order.
        self.register_buffer("inverse", torch.as_tensor(np.argsort(order)))
        self.in_order = order == sorted(order)   # then the gather is skipped
        self.log_variance = (torch.nn.Parameter(log_variance) if log_variance is not None
                             else None)

    def forward(self, z_gate, z_expert, fixed_out):
        """Log gate weights (b, M) and the experts' outputs (b, M[, C])."""
        log_g, out, _ = self.forward_with_routing_terms(z_gate, z_expert, fixed_out)
        return log_g, out

    def forward_with_routing_terms(self, z_gate, z_expert, fixed_out, sample_weight=None):
        """:meth:`forward`, and what a training step with routing adds to the loss.

        Returns ``log_g``, ``out`` and ``(penalty, dense_log_g)``: the batch's
        balance / z-loss penalty, weighted by the rows' ``sample_weight``
        (b,) when given, and the dense log-softmax the gate learns
        from under top-k (:func:`~skmoe._routing.straight_through`); each
        None where it does not apply (no routing, or not training).
        """
        # b rows, M experts, e experts in a group, C classes
        log_g, routing_terms = self._log_weights(z_gate, sample_weight)  # (b, M)
        pieces = [fixed_out] if fixed_out.shape[1] else []              # (b, Mf[, C])
        for group in self.groups:
            out = group(z_expert)                                       # (e, b, o)
            out = out[..., 0] if self.regression else torch.log_softmax(out, dim=-1)
            pieces.append(out.transpose(0, 1))                          # (b, e[, C])
        out = pieces[0] if len(pieces) == 1 else torch.cat(pieces, dim=1)
        return log_g, (out if self.in_order else out[:, self.inverse]), routing_terms

    def _log_weights(self, z_gate, sample_weight=None):
        """Dense log-softmax, or top-k routed log weights (-inf off-route), and
        the routing terms of a training step (see :meth:`forward_with_routing_terms`)."""
        logits = self.gate(z_gate)
        options = self.routing
        penalty = dense_log_g = None
        if options is None:
            return torch.log_softmax(logits, dim=1), (penalty, dense_log_g)
        if self.training:
            noise = (None if self.noise is None
                     else torch.nn.functional.softplus(self.noise(z_gate)))
            # The rows' weights too, as EM's gate penalty has them: unweighted,
            # a row of weight 2 counted once in the balance and z-losses.
            routing, penalty = train_route(logits, options, noise_std=noise,
                                           sample_weight=sample_weight)
            if options.top_k is not None:
                # The gate's straight-through surrogate (_routing.straight_through).
                dense_log_g = torch.log_softmax(logits, dim=1)
        elif options.top_k is not None:
            routing = route(logits, options.top_k)   # as predict routes: no capacity
        if options.top_k is None:
            return torch.log_softmax(logits, dim=1), (penalty, dense_log_g)
        return routed_log_weights(routing, self.n_experts), (penalty, dense_log_g)


def mixture_loss(model, log_g, out, y, w, loss):
    """Weighted mean loss of a batch; also returns per-row log-likelihoods."""
    if model.regression:
        log_var = model.log_variance
        log_lik = -0.5 * (LOG_2PI + log_var + (y[:, None] - out) ** 2 * torch.exp(-log_var))
    else:
        log_lik = out.gather(2, y[:, None, None].expand(-1, out.shape[1], 1))[..., 0]
    per_row = torch.logsumexp(log_g + log_lik, dim=1)
    if loss == "squared_error":
        value = (y - (torch.exp(log_g) * out).sum(1)) ** 2
    else:
        value = -per_row
    return (w * value).sum() / w.sum().clamp_min(1e-12), per_row


class TrainingData:
    """Tensors on the device: inputs of the gate and experts, cached outputs.

    ``z_gate`` and ``z_expert`` (n, d) standardised inputs, ``fixed`` (n, Mf)
    or (n, Mf, C) outputs of the fixed experts, ``y`` (n,), ``w`` (n,).
    """

    def __init__(self, z_gate, z_expert, fixed, y, w):
        self.z_gate, self.z_expert, self.fixed, self.y, self.w = z_gate, z_expert, fixed, y, w

    @classmethod
    def from_problem(cls, problem, gate, x_mean, x_scale, fixed_out, device, X=None):
        # The gate's X goes to the device once (float64; ``X`` when already
        # there) and is standardised there; the torch experts share it when
        # they read the same numbers with the same scaling, and get their own
        # copy (``problem.torch_X``) when the gate reads another view of X.
        X = device_array(problem.X, device) if X is None else X
        z_gate = standardise(X, gate.mean_, gate.scale_, nan_to_zero=True)
        if x_mean is None:
            z_expert = z_gate
        elif getattr(problem, "torch_X_is_gate_X", True):
            same = (np.array_equal(x_mean, gate.mean_) and np.array_equal(x_scale, gate.scale_))
            z_expert = z_gate if same else standardise(X, x_mean, x_scale)
        else:
            z_expert = standardise(device_array(problem.torch_X, device), x_mean, x_scale)
        del X
        # The gate reads its inputs clipped (MLPGate.clip), the torch experts
        # unclipped: a copy only when they share it and something is clipped.
        limit = getattr(gate, "input_clip_", None)
        if x_mean is not None and z_expert is z_gate and limit is not None and len(z_gate):
            low, high = torch.aminmax(z_gate)    # no temporary the size of X
            if float(low) < -limit or float(high) > limit:
                z_gate = z_gate.clone()
        z_gate = gate.clip(z_gate)
        if problem.is_classifier:
            y = torch.tensor(problem.y, dtype=torch.long, device=device)   # a copy: y is read-only
        else:
            y = to_tensor(problem.y_standardised, device)
        w = to_tensor(problem.sample_weight / problem.sample_weight.mean(), device)
        return cls(z_gate, z_expert, to_tensor(fixed_out, device), y, w)

    def rows(self, index):
        z_gate = self.z_gate[index]
        z_expert = z_gate if self.z_expert is self.z_gate else self.z_expert[index]
        return z_gate, z_expert, self.fixed[index], self.y[index], self.w[index]


def evaluate(model, data, index, loss):
    """Loss, per-row log-likelihoods and gate weights on rows ``index``."""
    model.eval()
    totals, per_row, weights = 0.0, [], []
    with torch.no_grad():
        for start in range(0, len(index), EVAL_CHUNK):
            zg, ze, fo, y, w = data.rows(index[start:start + EVAL_CHUNK])
            log_g, out = model(zg, ze, fo)
            value, rows = mixture_loss(model, log_g, out, y, w, loss)
            totals += value.item() * w.sum().item()
            per_row.append(rows)
            weights.append(torch.exp(log_g))
    total_weight = max(data.w[index].sum().item(), 1e-12)
    return totals / total_weight, torch.cat(per_row), torch.cat(weights)
