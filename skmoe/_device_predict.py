"""The mixture's predict with X on the device: one copy, one validation, batched experts.

``MixtureOfExperts*.predict`` needs the gate's weights and every expert's
output on the same rows. Asked one by one, each torch expert would validate
X again, standardise it in float64 on the CPU and copy it to its device in
chunks, and the gate would do the same with a float64 ``nan_to_num``. Here,
for a dense (softmax) gate:

* X, validated once by the mixture, goes to each device used once, in
  float64, and is standardised there (the same numbers as numpy's, then
  float32), shared by the gate and by every expert of the same scaling;
* torch MLP experts of one shape, device and precision run as one
  :class:`~skmoe._nn.BatchedMLP` (its :meth:`~skmoe._nn.BatchedMLP.inference`:
  per layer, one product per expert with the bias and ReLU fused into it), in
  chunks of rows that bound the device memory;
* the other experts (trees, linear models, rules) predict on the CPU as
  before.

The numbers equal the per-expert path's up to the summation order of the
matrix products (float32 rounding).
"""

import numpy as np
import torch

from ._data import read_only_view
from ._likelihood import _check_finite, aligned_proba, regression_outputs
from ._nn import BatchedMLP
from ._torch_utils import (device_array, matmul_precision, standardise, to_host,
                           to_tensor)
from .experts import is_differentiable_expert, predict_chunk
from .gates import MLPGate


def _linears(expert):
    return [m for m in expert.module_ if isinstance(m, torch.nn.Linear)]


# Activations of the widest layer of one chunk of rows on a GPU, in elements:
# 2**30 (4 GiB in float32, 2 GiB in bfloat16), at most a sixteenth of the free
# device memory, at least the CPU bound. Fewer, larger chunks keep the device
# busy: with 65,536-row chunks the reduced-precision products finish faster
# than Python queues them.
DEVICE_PREDICT_ELEMENTS = 2 ** 30


def batched_predict_chunk(n_experts, widths, device):
    """Rows per batched forward of ``n_experts`` networks of these widths on ``device``."""
    chunk = predict_chunk(n_experts, widths)
    if device.type != "cuda":
        return chunk
    free, _ = torch.cuda.mem_get_info(device)
    elements = min(DEVICE_PREDICT_ELEMENTS, free // 64)   # /16 of free, 4-byte elements
    return max(chunk, elements // (max(n_experts, 1) * max(widths)))


def _group_key(expert):
    """Experts with equal keys run as one batched network."""
    parameter = next(expert.module_.parameters())
    shapes = tuple((lin.in_features, lin.out_features) for lin in _linears(expert))
    return (shapes, expert.activation, str(parameter.device), parameter.dtype,
            expert._precision())


def torch_expert_groups(experts):
    """Positions of fitted torch MLP experts, grouped by :func:`_group_key`."""
    groups = {}
    for position, expert in enumerate(experts):
        # (Not a subclass whose outputs are not its network's: it predicts itself.)
        if (is_differentiable_expert(expert) and hasattr(expert, "module_")
                and isinstance(expert.module_, torch.nn.Sequential)):
            groups.setdefault(_group_key(expert), []).append(position)
    return list(groups.values())


def device_key(device):
    """``device`` as a string, a CUDA device always with its index.

    The gate's device (``'cuda'``) and its experts' parameters' (``'cuda:0'``)
    are one device: one key, one copy of X.
    """
    device = torch.device(device)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    return str(device)


class _DeviceX:
    """X on each device it is needed on, copied at most once per device."""

    def __init__(self, X):
        self.X, self.copies = X, {}

    def on(self, device):
        key = device_key(device)
        if key not in self.copies:
            self.copies[key] = device_array(self.X, device)
        return self.copies[key]


def batched_expert_outputs(experts, positions, device_x):
    """Outputs of the torch experts ``positions`` (one group) on all rows.

    Returns a float64 tensor on the group's device: (n, e) predictions for
    regressors, (n, e, C) class probabilities (columns as each expert's
    ``classes_``) for classifiers, exactly as the experts' own
    ``predict``/``predict_proba`` compute them but in one batched pass.
    """
    group = [experts[p] for p in positions]
    first = group[0]
    device = next(first.module_.parameters()).device
    X = device_x.on(device)
    net = BatchedMLP.from_mlps([e.module_ for e in group], first.activation,
                               skip_init=True).eval()
    widths = [lin.out_features for lin in _linears(first)]
    chunk = batched_predict_chunk(len(group), widths, device)
    shared = all(np.array_equal(e.x_mean_, first.x_mean_)
                 and np.array_equal(e.x_scale_, first.x_scale_) for e in group)
    # Means and scales go to the device once (a copy per chunk would wait for
    # the chunk before it, leaving the device idle while Python queues work).
    # (to_tensor: a model loaded with joblib's mmap_mode has read-only means.)
    scalings = [(to_tensor(e.x_mean_, device, X.dtype), to_tensor(e.x_scale_, device, X.dtype))
                for e in (group[:1] if shared else group)]
    outputs = []
    with torch.no_grad(), matmul_precision(first._precision(), device):
        for start in range(0, len(X), chunk):
            rows = X[start:start + chunk]
            if shared:   # (b, d): one standardised copy, broadcast to every expert
                Z = standardise(rows, *scalings[0])
            else:        # (e, b, d): each expert its own scaling
                Z = torch.stack([standardise(rows, *scaling) for scaling in scalings])
            outputs.append(net.inference(Z).float())                # (e, b, o)
    out = torch.cat(outputs, dim=1) if outputs else torch.empty(
        (len(group), 0, widths[-1]), device=device)
    if hasattr(first, "classes_"):
        # (In float64, as TorchMLPClassifier.predict_proba: rows sum to one.)
        return torch.softmax(out.to(torch.float64), dim=-1).transpose(0, 1)  # (n, e, C)
    y_scale = torch.as_tensor([e.y_scale_ for e in group], dtype=torch.float64, device=device)
    y_mean = torch.as_tensor([e.y_mean_ for e in group], dtype=torch.float64, device=device)
    return out[..., 0].T.to(torch.float64) * y_scale + y_mean             # (n, e)


def applies(mixture, X):
    """Whether :func:`weights_and_outputs` can serve this fitted mixture on ``X``.

    The gate and the experts must read the same numbers: a float array that
    the default gate transformer passes through as it is. It does not where
    it was fitted on a DataFrame with categorical or date columns (``kind_``
    'frame'): it one-hot encodes an array's columns of them, and the gate
    read the raw codes instead (a float array for a frame of one category
    column: predictions 0.94 off the frame's, silently; of two categories:
    "X has 4 features, but MLPGate is expecting 5").
    """
    from ._data import AutoGateTransformer
    transformer = getattr(mixture, "gate_transformer_", None)
    return (mixture.top_k is None and isinstance(mixture.gate_, MLPGate)
            and getattr(mixture, "gate_inputs_", None) is None
            and hasattr(mixture.gate_, "module_")
            and isinstance(X, np.ndarray) and X.dtype.kind == "f"
            and (transformer is None or (type(transformer) is AutoGateTransformer
                                         and getattr(transformer, "kind_", None) != "frame")))


def weights_and_outputs(mixture, X):
    """Gate weights (n, M) and expert outputs ((n, M) or (n, M, C)), float64 numpy.

    ``X`` is the mixture's validated float64 array. Torch experts run batched
    on their device, the gate on its own; other experts as before.
    """
    experts, names = mixture.experts_, mixture.expert_names_
    n, n_experts = len(X), len(experts)
    n_classes = len(mixture.classes_) if mixture._is_classifier else None
    device_x = _DeviceX(X)
    gate = mixture.gate_
    # The gate's predict_proba itself, on X already on its device: torch's
    # logsumexp and exp (log_proba_tensor) gave weights an ulp or two off
    # numpy's, so a float array's predictions differed (1.8e-14) from its
    # DataFrame's, which takes the gate's predict_proba.
    weights = gate.predict_proba(device_x.on(gate.device_))
    shape = (n, n_experts) + ((n_classes,) if n_classes else ())
    outputs = np.empty(shape)
    done = set()
    for positions in torch_expert_groups(experts):
        out = to_host(batched_expert_outputs(experts, positions, device_x))
        for j, position in enumerate(positions):
            column, name, expert = out[:, j], names[position], experts[position]
            _check_finite(column, name)
            if n_classes:
                classes = np.asarray(expert.classes_)
                if column.shape[1] != n_classes or not np.array_equal(
                        classes, np.arange(n_classes)):
                    aligned = np.zeros((n, n_classes))
                    aligned[:, classes.astype(int)] = column
                    column = aligned
            outputs[:, position] = column
            done.add(position)
    rest = [i for i in range(n_experts) if i not in done]
    if rest:
        X = read_only_view(X)   # no expert can change the caller's X
        if n_classes:
            for i in rest:
                outputs[:, i] = aligned_proba(names[i], experts[i], X, n_classes)
        else:
            outputs[:, rest] = regression_outputs([names[i] for i in rest],
                                                  [experts[i] for i in rest], X)
    return weights, outputs
