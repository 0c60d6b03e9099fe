"""Torch state as numpy arrays and plain Python, for pickle and ``skops.io``.

Fitted estimators hold torch modules, tensors, devices and dtypes. Their
``__getstate__`` runs :func:`encode` over the attributes: every torch object
becomes one of the small state classes below, which hold only numpy arrays,
builtins and (for modules) the module's class. ``__setstate__`` runs
:func:`decode`, which rebuilds the torch objects.

* Plain pickle keeps working (and no longer pickles torch storages).
* ``skops.io`` sees numpy arrays, builtins, these classes and the module
  classes (``torch.nn.Linear``, ...): each of them is a type the user trusts
  explicitly when loading (see :func:`skmoe.persistence.trusted_types`);
  no tensor is ever constructed from a pickle stream.
* A module is rebuilt without its ``__init__``: ``cls.__new__`` and
  ``torch.nn.Module.__init__`` (empty hook tables), then the module's own
  ``__setstate__`` with its attributes, parameters, buffers and submodules.
  This is what pickle does, so any module that pickles (user modules in
  :class:`~skmoe.MultiGateMixtureOfExperts` included) is restored the same
  way, whatever its constructor's arguments were.

Devices: each tensor remembers where it was. :func:`decode` puts it back on
that device when it exists here and on the CPU otherwise (``restore='fitted'``),
or on the CPU always (``restore='cpu'``), so a model fitted on a GPU loads on
a CPU-only machine either way.
"""

from collections import OrderedDict

import numpy as np
import torch
from torch.nn.modules.lazy import LazyModuleMixin

from ._versioning import VersionedStateMixin

__all__ = ["TorchDevice", "TorchDtype", "TorchModule", "TorchStateMixin", "TorchTensor",
           "decode", "encode", "map_device"]

# Hook tables etc. that torch.nn.Module.__init__ recreates empty on loading.
_MODULE_DEFAULTS = frozenset(torch.nn.Module().__dict__) - {
    "training", "_parameters", "_buffers", "_modules", "_non_persistent_buffers_set"}
# The hook handles a lazy module not run yet holds (LazyModuleMixin.__init__),
# and the hook tables they point into.
_LAZY_HANDLES = ("_load_hook", "_initialize_hook")
_LAZY_HOOK_TABLES = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs",
                     "_load_state_dict_pre_hooks")


def _device_name(device):
    """``'cpu'``, ``'cuda:0'``, ... (a seam for the tests: CUDA is simulated on CPU)."""
    return str(device)


def map_device(name, restore="fitted"):
    """The device to load a tensor on that was saved on device ``name``.

    Parameters
    ----------
    name : str
        The device it was saved on, e.g. ``'cuda:1'``.
    restore : {'fitted', 'cpu'}
        ``'fitted'``: the same device when it exists here (a missing GPU
        index falls back to the current GPU), otherwise the CPU. ``'cpu'``:
        the CPU always.

    Returns
    -------
    torch.device
    """
    device = torch.device(name)
    if restore == "cpu" or device.type == "cpu":
        return torch.device("cpu")
    if device.type == "cuda" and torch.cuda.is_available():
        if device.index is not None and device.index >= torch.cuda.device_count():
            return torch.device("cuda")
        return device
    if device.type == "mps" and torch.backends.mps.is_available():
        # (Loaded on the CPU always, where the docstring promises the same
        # device when it exists.)
        return device
    return torch.device("cpu")


class _State:
    """Plain attributes only: numpy arrays, builtins, a module class."""

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()
                           if not isinstance(v, (np.ndarray, dict)))
        return f"{type(self).__name__}({fields})"


class TorchDevice(_State):
    """A ``torch.device`` by name."""

    def __init__(self, device):
        self.name = _device_name(device)


class TorchDtype(_State):
    """A ``torch.dtype`` by name (``'float32'``, ...)."""

    def __init__(self, dtype):
        self.name = str(dtype).removeprefix("torch.")


# The tensor types stored (anything else, e.g. a user's tensor subclass, is
# left to pickle as it is).
_TENSOR_KINDS = {torch.Tensor: "tensor", torch.nn.Parameter: "parameter",
                 # a lazy module's weights before its first forward (user modules)
                 torch.nn.UninitializedParameter: "uninitialized_parameter",
                 torch.nn.UninitializedBuffer: "uninitialized_buffer"}


class TorchTensor(_State):
    """A tensor (or ``torch.nn.Parameter``) as a numpy array.

    Attributes
    ----------
    kind : {'tensor', 'parameter', 'uninitialized_parameter', 'uninitialized_buffer'}
    data : ndarray or None
        The values (float32 for dtypes numpy lacks, e.g. bfloat16); None for
        an uninitialised (lazy) parameter or buffer.
    dtype : str
        The torch dtype's name.
    device : str
        Where the tensor was.
    requires_grad : bool
    """

    def __init__(self, tensor):
        self.kind = _TENSOR_KINDS[type(tensor)]
        self.dtype = TorchDtype(tensor.dtype).name
        self.device = _device_name(tensor.device)
        self.requires_grad = bool(tensor.requires_grad)
        self.data = None
        if not self.kind.startswith("uninitialized"):
            values = tensor.detach().to("cpu").resolve_conj().resolve_neg()
            try:
                self.data = values.numpy().copy()
            except TypeError:  # no numpy dtype (bfloat16, ...): float32 holds its values
                self.data = values.to(torch.float32).numpy()


class TorchModule(_State):
    """A ``torch.nn.Module``: its class and its encoded ``__getstate__``.

    The state holds the module's plain attributes (``training``, layer
    sizes, ...) and its ``_parameters``, ``_buffers`` and ``_modules``, all
    encoded; empty hook tables are left out. A lazy module not run yet
    (``lazy``) is stored without the hooks that infer its parameters on its
    first forward; loading registers them again.
    """

    def __init__(self, module, memo):
        self.cls = type(module)
        state = module.__getstate__()
        self.lazy = isinstance(module, LazyModuleMixin) and hasattr(module, "_initialize_hook")
        if self.lazy:
            # Its hooks are methods bound to the module itself, beyond encode's
            # reach: pickle stored the unencoded module with them, and the
            # loaded one's first forward removed them from that stray copy's
            # table, so its second failed ("'Linear' object has no attribute
            # 'initialize_parameters'"); skops.io could not save it at all.
            ids = {state[name].id for name in _LAZY_HANDLES if name in state}
            state = {key: (type(value)((k, v) for k, v in value.items() if k not in ids)
                           if key in _LAZY_HOOK_TABLES else value)
                     for key, value in state.items() if key not in _LAZY_HANDLES}
        self.state = {key: encode(value, memo) for key, value in state.items()
                      if not (key in _MODULE_DEFAULTS and not value)}


def encode(value, memo=None):
    """``value`` with every torch object replaced by its state object.

    Recurses into (exact) dicts, OrderedDicts, lists and tuples; anything
    else that is not a torch object is returned as it is. Tensors shared
    between places stay shared (one state object), as pickle keeps them.
    """
    memo = {} if memo is None else memo
    if type(value) in _TENSOR_KINDS or isinstance(value, torch.nn.Module):
        key = id(value)
        if key not in memo:
            memo[key] = (value, TorchModule(value, memo) if isinstance(value, torch.nn.Module)
                         else TorchTensor(value))
        return memo[key][1]
    if isinstance(value, torch.device):
        return TorchDevice(value)
    if isinstance(value, torch.dtype):
        return TorchDtype(value)
    if isinstance(value, torch.Generator):
        raise TypeError("Cannot persist a torch.Generator.")
    if type(value) in (list, tuple):
        return type(value)(encode(v, memo) for v in value)
    if type(value) in (dict, OrderedDict):
        encoded = {k: encode(v, memo) for k, v in value.items()}
        return encoded if type(value) is dict else type(value)(encoded)
    return value


def _dtype(name):
    dtype = getattr(torch, name, None)
    if not isinstance(dtype, torch.dtype):
        raise ValueError(f"Unknown torch dtype {name!r}.")
    return dtype


def decode(value, restore="fitted", memo=None):
    """Inverse of :func:`encode`; devices are chosen by :func:`map_device`."""
    memo = {} if memo is None else memo
    if isinstance(value, (TorchTensor, TorchModule)):
        key = id(value)
        if key not in memo:
            memo[key] = (value, _decode_module(value, restore, memo)
                         if isinstance(value, TorchModule) else _decode_tensor(value, restore))
        return memo[key][1]
    if isinstance(value, TorchDevice):
        return map_device(value.name, restore)
    if isinstance(value, TorchDtype):
        return _dtype(value.name)
    if type(value) in (list, tuple):
        return type(value)(decode(v, restore, memo) for v in value)
    if type(value) in (dict, OrderedDict):
        decoded = {k: decode(v, restore, memo) for k, v in value.items()}
        return decoded if type(value) is dict else type(value)(decoded)
    return value


def _decode_tensor(state, restore):
    device, dtype = map_device(state.device, restore), _dtype(state.dtype)
    if state.kind == "uninitialized_parameter":
        return torch.nn.UninitializedParameter(state.requires_grad, device, dtype)
    if state.kind == "uninitialized_buffer":
        return torch.nn.UninitializedBuffer(state.requires_grad, device, dtype)
    if state.kind not in ("tensor", "parameter"):
        raise ValueError(f"Unknown tensor kind {state.kind!r}.")
    tensor = torch.as_tensor(np.array(state.data)).to(device, dtype)
    if state.kind == "parameter":
        return torch.nn.Parameter(tensor, requires_grad=state.requires_grad)
    return tensor.requires_grad_(state.requires_grad)


def _decode_module(state, restore, memo):
    cls = state.cls
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise TypeError(f"{cls!r} is not a torch.nn.Module class.")
    module = cls.__new__(cls)
    torch.nn.Module.__init__(module)
    module.__setstate__(decode(state.state, restore, memo))
    if getattr(state, "lazy", False):   # (modules saved before lazy was stored: no)
        # The hooks LazyModuleMixin.__init__ registers, bound to this module.
        module._load_hook = module._register_load_state_dict_pre_hook(module._lazy_load_hook)
        module._initialize_hook = module.register_forward_pre_hook(module._infer_parameters,
                                                                   with_kwargs=True)
    return module


class TorchStateMixin(VersionedStateMixin):
    """``__getstate__``/``__setstate__`` that store torch objects as numpy
    (and, through :class:`VersionedStateMixin`, the skmoe version).

    For the estimators (and the gate) that hold torch modules: the gate, the
    torch MLP experts, both multi-task mixtures. Everything loads back on the
    GPU it was fitted on when there is one, so predictions match the fitted
    model exactly, and on the CPU otherwise (``_restore_device='fitted'``;
    ``'cpu'`` would always load on the CPU). ``_transient_attributes`` are
    caches left out of the state. ``copy.deepcopy`` goes through the same
    state (EM copies its gate), and keeps the device.
    """

    _restore_device = "fitted"
    _transient_attributes = ()

    def __getstate__(self):
        # A copy: BaseEstimator.__getstate__ may return self.__dict__ itself
        # (Python >= 3.11), and the fitted object must stay as it is.
        state = dict(super().__getstate__())
        for name in self._transient_attributes:
            state.pop(name, None)
        return encode(state)

    def __setstate__(self, state):
        super().__setstate__(decode(state, self._restore_device))
