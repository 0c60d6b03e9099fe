"""Torch building blocks: a plain MLP, and several MLPs of one shape run batched.

``E`` experts with identical layer sizes keep their weights stacked in
tensors of shape ``(E, n_in, n_out)``; a forward pass is one ``baddbmm`` per
layer for all experts at once instead of a Python loop over ``E`` modules.
Used by the gradient trainer (several torch MLP experts), and by MMoE
(experts shared by the tasks).

At predict time :meth:`BatchedMLP.inference` runs the same network without
autograd as one 2-D matrix product per expert and layer, with the bias and
ReLU applied in the product's epilogue (cuBLASLt on CUDA) instead of separate
passes over the activations, which dominate once the products run on tensor
cores (TF32, bf16). No compiler is needed.

Shape legend: ``e`` experts, ``b`` batch rows, ``i``/``o`` layer widths.
"""

import math
import numbers

import torch

from ._torch_utils import caller_autocast_off, forked_torch_rng, map_row_blocks
from ._warnings import thread_filter

# The fused inference path needs torch's addmm with a fused activation.
_FUSED = hasattr(torch, "_addmm_activation")

ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU,
               "logistic": torch.nn.Sigmoid}


def _autocast_dtype(device):
    """The autocast dtype on ``device``'s type if autocast is on there, else None."""
    try:
        enabled = torch.is_autocast_enabled(device.type)
    except TypeError:  # older torch: CUDA only
        enabled = device.type == "cuda" and torch.is_autocast_enabled()
    if not enabled:
        return None
    try:
        return torch.get_autocast_dtype(device.type)
    except AttributeError:
        return (torch.get_autocast_gpu_dtype() if device.type == "cuda"
                else torch.get_autocast_cpu_dtype())


# Rows per forward pass when a network predicts without gradients.
PREDICT_CHUNK = 65_536


def forward_in_chunks(module, Z, dim=0, networks=1):
    """``module(Z)`` without gradients, a chunk of rows of ``Z`` at a time, the
    results joined along ``dim`` (the rows' axis of the output).

    The hidden activations of every row at once (of every fold gate, for the
    stacked gate) would be the largest thing a fit on 10^6 rows holds. A
    chunk is ``PREDICT_CHUNK`` rows, divided by ``networks`` when the module
    runs that many networks side by side (batched gates), so that its
    activations stay the same size.
    """
    rows = max(1, PREDICT_CHUNK // max(networks, 1))
    with torch.no_grad(), caller_autocast_off():
        return map_row_blocks(lambda block: module(Z[block]), len(Z), rows, dim)


def check_layer_sizes(value, name):
    """``value`` (an int or a sequence of ints >= 1) as a tuple; a clear error otherwise."""
    try:
        sizes = (value,) if isinstance(value, numbers.Integral) else tuple(value)
    except TypeError:   # None, a float: a bare "object is not iterable" before
        sizes = (value,)
    # (True is an Integral: (True,) built a hidden layer of width 1.)
    if isinstance(value, str) or any(not isinstance(s, numbers.Integral) or isinstance(s, bool)
                                     or s < 1 for s in sizes):
        raise ValueError(f"{name} must be a tuple of positive integers, got {value!r}.")
    return sizes


def linear(n_in, n_out):
    """``torch.nn.Linear(n_in, n_out)``, without torch's warning for ``n_in == 0``.

    A gate on no column (a gate_transformer that keeps none; the gate is then
    its constant bias) made torch warn "Initializing zero-element tensors is
    a no-op" from the layer's init, at every fit.
    """
    with thread_filter("ignore", "Initializing zero-element tensors", UserWarning):
        return torch.nn.Linear(n_in, n_out)


def make_mlp(n_in, hidden_layer_sizes, n_out, activation="relu", dropout=0.0):
    """A plain MLP ``n_in -> hidden... -> n_out`` as a ``torch.nn.Sequential``."""
    layers, width = [], n_in
    for size in hidden_layer_sizes:
        layers += [linear(width, size), ACTIVATIONS[activation]()]
        if dropout:
            layers.append(torch.nn.Dropout(dropout))
        width = size
    layers.append(linear(width, n_out))
    return torch.nn.Sequential(*layers)


class BatchedLinear(torch.nn.Module):
    """``E`` independent linear layers ``n_in -> n_out`` with stacked weights.

    Initialised like ``torch.nn.Linear`` (Kaiming-uniform), independently per
    expert, so a batched layer and ``E`` separate ``nn.Linear`` layers start
    from the same distribution.
    """

    def __init__(self, n_experts, n_in, n_out, device=None):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(n_experts, n_in, n_out, device=device))
        self.bias = torch.nn.Parameter(torch.empty(n_experts, 1, n_out, device=device))
        bound = 1.0 / math.sqrt(n_in) if n_in else 0.0
        torch.nn.init.uniform_(self.weight, -bound, bound)
        torch.nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        # x: (e, b, i) -> (e, b, o)
        return torch.baddbmm(self.bias, x, self.weight)

    @classmethod
    def from_linears(cls, linears):
        """Stack ``E`` ``nn.Linear`` layers of the same shape into one."""
        first = linears[0]
        layer = cls(len(linears), first.in_features, first.out_features)
        with torch.no_grad():
            layer.weight.copy_(torch.stack([lin.weight.T for lin in linears]))
            layer.bias.copy_(torch.stack([lin.bias[None, :] for lin in linears]))
        return layer.to(first.weight.device)


class BatchedMLP(torch.nn.Module):
    """``E`` MLPs ``n_in -> hidden... -> n_out`` of one shape, run together.

    Parameters
    ----------
    n_experts : int
    n_in : int
    hidden_layer_sizes : tuple of int
    n_out : int
    activation : {'relu', 'tanh', 'gelu', 'logistic'}
    dropout : float
        Dropout after each hidden activation (training only).

    ``forward(x)`` takes ``x`` of shape ``(b, n_in)`` (the same rows for every
    expert) or ``(e, b, n_in)`` (each expert its own rows) and returns
    ``(e, b, n_out)``.
    """

    def __init__(self, n_experts, n_in, hidden_layer_sizes, n_out, activation="relu",
                 dropout=0.0, device=None):
        super().__init__()
        self.n_experts = n_experts
        widths = [n_in, *hidden_layer_sizes, n_out]
        self.layers = torch.nn.ModuleList(
            BatchedLinear(n_experts, a, b, device=device)
            for a, b in zip(widths[:-1], widths[1:]))
        self.activation = ACTIVATIONS[activation]()
        self.dropout = torch.nn.Dropout(dropout) if dropout else torch.nn.Identity()

    def forward(self, x):
        if x.dim() == 2:
            # The same rows for every expert: a broadcast view, no copy.
            x = x.unsqueeze(0).expand(self.n_experts, -1, -1)
        # Without autograd (predict), ReLU in place on the layer's fresh
        # output: the out-of-place one wrote and read a second (e, b, width)
        # array, 35% of the stacked gate's predict time on the CPU.
        in_place = not torch.is_grad_enabled() and isinstance(self.activation, torch.nn.ReLU)
        for layer in self.layers[:-1]:
            x = layer(x)
            x = self.dropout(x.relu_() if in_place else self.activation(x))
        return self.layers[-1](x)

    def inference(self, x):
        """:meth:`forward` for predict: no autograd, the same numbers up to rounding.

        Each expert's layer is one 2-D ``addmm`` whose epilogue adds the bias
        (and applies ReLU, through ``torch._addmm_activation``) as the product
        is written, so a hidden layer's activations are written once and read
        once, instead of the bias being broadcast into the output, read back by
        ``baddbmm`` and the activation reading and writing them again. Under a
        bfloat16 autocast the weights, inputs and activations are bfloat16
        (float32 accumulation), as autocast's ``baddbmm`` gives. With shared
        rows (``x`` of shape ``(b, n_in)``) the first layer of every expert is
        one product against the experts' concatenated weights. Returns
        ``(e, b, n_out)`` in the compute dtype. Dropout is off (``eval``).

        Only on CUDA, where the epilogue is fused; elsewhere (and on a torch
        without ``_addmm_activation``) it is :meth:`forward` under ``no_grad``.
        """
        with torch.no_grad():
            if not (_FUSED and x.device.type == "cuda"):
                return self(x)
            return self._inference(x)

    def _inference(self, x):
        dtype = _autocast_dtype(x.device) or self.layers[0].weight.dtype
        relu = isinstance(self.activation, torch.nn.ReLU)
        n_experts, last = self.n_experts, len(self.layers) - 1
        with torch.autocast(x.device.type, enabled=False):
            weights = [layer.weight.to(dtype) for layer in self.layers]
            biases = [layer.bias.to(dtype)[:, 0] for layer in self.layers]  # (e, o)
            x = x.to(dtype)

            def linear(k, e, rows):
                if k < last and relu:
                    return torch._addmm_activation(biases[k][e], rows, weights[k][e])
                out = torch.addmm(biases[k][e], rows, weights[k][e])
                return self.activation(out) if k < last else out

            if x.dim() == 2 and n_experts > 1 and last > 0:
                # Shared rows: the first layer of all experts as one product,
                # (b, i) @ (i, e * o); expert e reads its columns as a strided view.
                n_in, width = weights[0].shape[1:]
                w = weights[0].permute(1, 0, 2).reshape(n_in, n_experts * width)
                if relu:
                    h = torch._addmm_activation(biases[0].reshape(-1), x, w)
                else:
                    h = self.activation(torch.addmm(biases[0].reshape(-1), x, w))
                hidden = [h[:, e * width:(e + 1) * width] for e in range(n_experts)]
                start = 1
            else:
                hidden = list(x.unsqueeze(0).expand(n_experts, -1, -1) if x.dim() == 2 else x)
                start = 0
            outputs = []
            for e in range(n_experts):   # expert by expert: one expert's activations alive
                rows = hidden[e]
                for k in range(start, last + 1):
                    rows = linear(k, e, rows)
                outputs.append(rows)
            return torch.stack(outputs)

    @classmethod
    def from_mlps(cls, mlps, activation="relu", dropout=0.0, skip_init=False):
        """Stack ``E`` MLPs built by :func:`make_mlp` (same shape) into one.

        ``skip_init=True`` (predict) builds the network on the MLPs' device
        without first drawing random initial weights on the CPU and copying
        them over: no draws from torch's global generator and no waits for the
        device (about 12 ms for eight 64-256-256-1 networks, otherwise spent
        before the first product is queued). The default keeps training's
        draws as they were.
        """
        linears = [[m for m in mlp if isinstance(m, torch.nn.Linear)] for mlp in mlps]
        first = linears[0]
        hidden = tuple(lin.out_features for lin in first[:-1])
        # (In the MLPs' dtype, not torch's default: under the caller's
        # torch.set_default_dtype(torch.float64) the network was float64 and
        # a gradient mixture's predict failed, "Input dtypes must be the same".)
        device, dtype = first[0].weight.device, first[0].weight.dtype
        if skip_init:
            batched = torch.nn.utils.skip_init(
                cls, len(mlps), first[0].in_features, hidden, first[-1].out_features,
                activation=activation, dropout=dropout, device=device).to(dtype)
            with torch.no_grad():
                for position, layer in enumerate(batched.layers):
                    layer.weight.copy_(torch.stack([l[position].weight.T for l in linears]))
                    layer.bias.copy_(torch.stack([l[position].bias[None, :] for l in linears]))
            return batched
        batched = cls(len(mlps), first[0].in_features, hidden, first[-1].out_features,
                      activation=activation, dropout=dropout)
        for position, layer in enumerate(batched.layers):
            layer.load_state_dict(BatchedLinear.from_linears(
                [layers[position] for layers in linears]).state_dict())
        return batched.to(device, dtype)

    def select(self, indices):
        """The networks ``indices`` alone, as one network (weights copied, no
        random draws): the same outputs as ``self(x)[indices]`` for a fraction
        of the work."""
        first = self.layers[0]
        hidden = tuple(layer.weight.shape[2] for layer in self.layers[:-1])
        sub = torch.nn.utils.skip_init(type(self), len(indices), first.weight.shape[1], hidden,
                                       self.layers[-1].weight.shape[2],
                                       device=first.weight.device).to(first.weight.dtype)
        sub.activation, sub.dropout = self.activation, self.dropout
        with torch.no_grad():
            for mine, theirs in zip(sub.layers, self.layers):
                mine.weight.copy_(theirs.weight[indices])
                mine.bias.copy_(theirs.bias[indices])
        return sub

    def to_mlps(self, activation="relu", dropout=0.0):
        """Unstack into ``E`` plain MLPs (:func:`make_mlp` layout), on the same device."""
        first = self.layers[0]
        n_in, n_out = first.weight.shape[1], self.layers[-1].weight.shape[2]
        hidden = tuple(layer.weight.shape[2] for layer in self.layers[:-1])
        # Built on the CPU with a forked RNG: their random initial weights are
        # overwritten below, and drawing them moved the caller's global torch
        # seed (a fit must leave it as it found it).
        with forked_torch_rng():
            built = [make_mlp(n_in, hidden, n_out, activation, dropout)
                     for _ in range(self.n_experts)]
        mlps = []
        for e, mlp in enumerate(built):
            mlp = mlp.to(first.weight.device, first.weight.dtype)
            linears = [m for m in mlp if isinstance(m, torch.nn.Linear)]
            with torch.no_grad():
                for lin, layer in zip(linears, self.layers):
                    lin.weight.copy_(layer.weight[e].T)
                    lin.bias.copy_(layer.bias[e, 0])
            mlps.append(mlp)
        return mlps
