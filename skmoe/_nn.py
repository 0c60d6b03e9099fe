"""Torch building blocks: a plain MLP, and several MLPs of one shape run batched.

``E`` experts with identical layer sizes keep their weights stacked in
tensors of shape ``(E, n_in, n_out)``; a forward pass is one ``baddbmm`` per
layer for all experts at once instead of a Python loop over ``E`` modules.
Used by the gradient trainer (several torch MLP experts), and by MMoE
(experts shared by the tasks).

Shape legend: ``e`` experts, ``b`` batch rows, ``i``/``o`` layer widths.
"""

import math
import numbers

import torch

ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU,
               "logistic": torch.nn.Sigmoid}


def check_layer_sizes(value, name):
    """``value`` (an int or a sequence of ints >= 1) as a tuple; a clear error otherwise."""
    sizes = (value,) if isinstance(value, numbers.Integral) else tuple(value)
    if any(not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
        raise ValueError(f"{name} must be a tuple of positive integers, got {value!r}.")
    return sizes


def make_mlp(n_in, hidden_layer_sizes, n_out, activation="relu", dropout=0.0):
    """A plain MLP ``n_in -> hidden... -> n_out`` as a ``torch.nn.Sequential``."""
    layers, width = [], n_in
    for size in hidden_layer_sizes:
        layers += [torch.nn.Linear(width, size), ACTIVATIONS[activation]()]
        if dropout:
            layers.append(torch.nn.Dropout(dropout))
        width = size
    layers.append(torch.nn.Linear(width, n_out))
    return torch.nn.Sequential(*layers)


class BatchedLinear(torch.nn.Module):
    """``E`` independent linear layers ``n_in -> n_out`` with stacked weights.

    Initialised like ``torch.nn.Linear`` (Kaiming-uniform), independently per
    expert, so a batched layer and ``E`` separate ``nn.Linear`` layers start
    from the same distribution.
    """

    def __init__(self, n_experts, n_in, n_out):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(n_experts, n_in, n_out))
        self.bias = torch.nn.Parameter(torch.empty(n_experts, 1, n_out))
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
                 dropout=0.0):
        super().__init__()
        self.n_experts = n_experts
        widths = [n_in, *hidden_layer_sizes, n_out]
        self.layers = torch.nn.ModuleList(
            BatchedLinear(n_experts, a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.activation = ACTIVATIONS[activation]()
        self.dropout = torch.nn.Dropout(dropout) if dropout else torch.nn.Identity()

    def forward(self, x):
        if x.dim() == 2:
            # The same rows for every expert: a broadcast view, no copy.
            x = x.unsqueeze(0).expand(self.n_experts, -1, -1)
        for layer in self.layers[:-1]:
            x = self.dropout(self.activation(layer(x)))
        return self.layers[-1](x)

    @classmethod
    def from_mlps(cls, mlps, activation="relu", dropout=0.0):
        """Stack ``E`` MLPs built by :func:`make_mlp` (same shape) into one."""
        linears = [[m for m in mlp if isinstance(m, torch.nn.Linear)] for mlp in mlps]
        first = linears[0]
        hidden = tuple(lin.out_features for lin in first[:-1])
        batched = cls(len(mlps), first[0].in_features, hidden, first[-1].out_features,
                      activation=activation, dropout=dropout)
        for position, layer in enumerate(batched.layers):
            layer.load_state_dict(BatchedLinear.from_linears(
                [layers[position] for layers in linears]).state_dict())
        return batched.to(first[0].weight.device)

    def to_mlps(self, activation="relu", dropout=0.0):
        """Unstack into ``E`` plain MLPs (:func:`make_mlp` layout), on the same device."""
        first = self.layers[0]
        n_in, n_out = first.weight.shape[1], self.layers[-1].weight.shape[2]
        hidden = tuple(layer.weight.shape[2] for layer in self.layers[:-1])
        mlps = []
        for e in range(self.n_experts):
            mlp = make_mlp(n_in, hidden, n_out, activation, dropout).to(first.weight.device)
            linears = [m for m in mlp if isinstance(m, torch.nn.Linear)]
            with torch.no_grad():
                for lin, layer in zip(linears, self.layers):
                    lin.weight.copy_(layer.weight[e].T)
                    lin.bias.copy_(layer.bias[e, 0])
            mlps.append(mlp)
        return mlps
