"""Torch networks behind :class:`~skmoe.MultiGateMixtureOfExperts`.

- ``MultiTaskNet``: MMoE, OMoE and shared-bottom with built-in MLP experts
  (batched), linear or MLP gates and per-task MLP towers.
- ``PLENet``: Progressive Layered Extraction (Tang et al., RecSys 2020),
  stacked extraction layers of task-specific and shared experts with
  Customized Gate Control.
- ``ModuleNet``: MMoE / OMoE / shared-bottom where the shared bottom, the
  experts and the towers may be user modules (e.g. LSTMs over a sequence,
  which makes MoSE, Qin et al., KDD 2020, a configuration).

Every net maps standardised inputs to tower outputs of shape ``(t, b, o)``
and has ``gate_weights(x)`` of shape ``(g, b, e)``.

Shape legend: ``b`` batch rows, ``e`` experts, ``k`` experts one gate mixes,
``u`` expert units, ``g`` gates, ``t`` tasks, ``o`` tower outputs, ``s``
time steps (sequence inputs), ``d`` features.
"""

import copy

import torch

from ._nn import ACTIVATIONS, BatchedMLP


class MultiTaskNet(torch.nn.Module):
    """Experts (batched), per-task or shared gates, and per-task towers."""

    def __init__(self, n_in, out_dims, architecture, n_experts, expert_sizes, units,
                 gate_sizes, tower_sizes, activation, dropout):
        super().__init__()
        self.n_tasks = len(out_dims)
        if architecture == "shared_bottom":
            # One network as wide as all the experts together, no gate.
            self.experts = BatchedMLP(1, n_in, [s * n_experts for s in expert_sizes],
                                      units * n_experts, activation, dropout)
            self.gates = None
            width = units * n_experts
        else:
            self.experts = BatchedMLP(n_experts, n_in, expert_sizes, units, activation,
                                      dropout)
            n_gates = self.n_tasks if architecture == "mmoe" else 1
            self.gates = BatchedMLP(n_gates, n_in, gate_sizes, n_experts, activation)
            width = units
        self.activation = ACTIVATIONS[activation]()
        # Towers share one batched module; task t reads its first out_dims[t] outputs.
        self.towers = BatchedMLP(self.n_tasks, width, tower_sizes, max(out_dims),
                                 activation, dropout)

    def gate_weights(self, x):
        return torch.softmax(self.gates(x), dim=-1)            # (g, b, e)

    def forward(self, x):
        hidden = self.activation(self.experts(x))                # (e, b, u)
        if self.gates is not None:
            hidden = torch.einsum("gbe,ebu->gbu", self.gate_weights(x), hidden)
        return self.towers(hidden.expand(self.n_tasks, -1, -1))  # (t, b, o)


class PLENet(torch.nn.Module):
    """Progressive Layered Extraction: ``n_levels`` extraction layers, towers.

    Each layer has ``n_task`` experts per task and ``n_shared`` shared
    experts, all batched in one module. Task ``t``'s gate mixes its own
    experts and the shared ones (Customized Gate Control); below the last
    layer a shared gate mixes every expert into the shared representation
    that the next layer's shared experts read. In layer one every expert
    and gate reads ``x``; above, task ``t``'s experts and gate read task
    ``t``'s representation and the shared ones read the shared one.
    """

    def __init__(self, n_in, out_dims, n_levels, n_shared, n_task, expert_sizes, units,
                 gate_sizes, tower_sizes, activation, dropout):
        super().__init__()
        n_tasks = self.n_tasks = len(out_dims)
        n_experts = n_tasks * n_task + n_shared
        # Expert e reads representation source[e]: task t's own (t) or shared (n_tasks).
        self.register_buffer("source", torch.arange(n_tasks + 1).repeat_interleave(
            torch.tensor([n_task] * n_tasks + [n_shared])), persistent=False)
        # Task t's gate mixes experts select[t]: its own, then the shared ones.
        own = torch.arange(n_tasks * n_task).reshape(n_tasks, n_task)
        shared = torch.arange(n_tasks * n_task, n_experts).expand(n_tasks, n_shared)
        self.register_buffer("select", torch.cat([own, shared], dim=1), persistent=False)
        self.experts, self.task_gates, self.shared_gates = (torch.nn.ModuleList() for _ in
                                                             range(3))
        for level in range(n_levels):
            width = n_in if level == 0 else units
            self.experts.append(BatchedMLP(n_experts, width, expert_sizes, units,
                                           activation, dropout))
            self.task_gates.append(BatchedMLP(n_tasks, width, gate_sizes, n_task + n_shared,
                                              activation))
            if level < n_levels - 1:    # the last layer feeds only the towers
                self.shared_gates.append(BatchedMLP(1, width, gate_sizes, n_experts,
                                                    activation))
        self.activation = ACTIVATIONS[activation]()
        self.towers = BatchedMLP(n_tasks, units, tower_sizes, max(out_dims), activation,
                                 dropout)

    def _levels(self, x):
        """Per layer, the task gates' weights; finally the task representations."""
        reps = x.unsqueeze(0).expand(self.n_tasks + 1, -1, -1)   # (t + 1, b, d)
        gates = []
        for level, experts in enumerate(self.experts):
            hidden = self.activation(experts(reps[self.source]))          # (e, b, u)
            weights = torch.softmax(self.task_gates[level](reps[:-1]), dim=-1)  # (t, b, k)
            gates.append(weights)
            tasks = torch.einsum("tbk,tkbu->tbu", weights, hidden[self.select])
            if level < len(self.shared_gates):
                shared_w = torch.softmax(self.shared_gates[level](reps[-1:]), dim=-1)
                shared = torch.einsum("gbe,ebu->gbu", shared_w, hidden)      # (1, b, u)
                reps = torch.cat([tasks, shared])
            else:
                reps = tasks
        return gates, reps

    def gate_weights(self, x):
        return self._levels(x)[0][-1]                             # (t, b, k)

    def forward(self, x):
        return self.towers(self._levels(x)[1])                    # (t, b, o)


def fresh_module(spec, name):
    """A new module from ``spec``: a factory is called, an instance deep-copied.

    Copies are re-initialised (``reset_parameters`` of every submodule that
    has one) so that the seeded torch generator, not the instance given,
    decides the starting weights and the copies differ.
    """
    if isinstance(spec, torch.nn.Module):
        module = copy.deepcopy(spec)
        for sub in module.modules():
            if callable(getattr(sub, "reset_parameters", None)):
                sub.reset_parameters()
        return module
    try:
        module = spec()
    except TypeError as exc:
        # A module class that needs arguments (torch.nn.Linear) or a factory
        # of (n_in, n_out) failed with Python's bare "missing 2 required
        # positional arguments", which named neither the parameter nor how
        # the factory is called.
        raise TypeError(f"{name} is called with no arguments to build each module, and "
                        f"calling {getattr(spec, '__qualname__', spec)!r} raised: {exc}. "
                        "Pass a module instance (copied and re-initialised) or a callable "
                        "without arguments, e.g. functools.partial(torch.nn.Linear, 3, 16) "
                        "or lambda: torch.nn.Linear(3, 16).") from exc
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module or a callable returning one; "
                        f"the callable returned {type(module).__name__}.")
    return module


class ModuleNet(torch.nn.Module):
    """MMoE / OMoE / shared-bottom with user modules for bottom, experts, towers.

    ``bottom`` (or the identity) maps the inputs to ``z``; every expert maps
    ``z`` to ``(b, [s,] u)``; the gates are MLPs on the last axis of ``z``
    (one gate per time step when the experts keep the time axis; on the
    time-mean of ``z`` when they pool it away); each task's tower maps the
    mixture to ``(b, w)``, then a linear head to the task's outputs. Missing
    experts or towers are the built-in MLPs, which need 2-D inputs. In
    'shared_bottom' a user bottom is the whole shared network (no experts).
    """

    def __init__(self, sample, out_dims, architecture, n_experts, modules, expert_sizes,
                 units, gate_sizes, tower_sizes, activation, dropout):
        super().__init__()
        bottom, expert, tower = (modules[name] for name in (
            "bottom_module", "expert_module", "tower_module"))
        self.n_tasks = len(out_dims)
        self.activation = ACTIVATIONS[activation]()
        self.bottom = (torch.nn.Identity() if bottom is None
                       else fresh_module(bottom, "bottom_module"))
        z = _dry_run(self.bottom, sample, name="bottom_module (its input: X's features)")
        if expert is not None:
            self.experts = torch.nn.ModuleList(fresh_module(expert, "expert_module")
                                               for _ in range(n_experts))
            # One tensor out, or a clear error.
            _dry_run(self.experts[0], z, name="expert_module (its input: the bottom's output)")
        elif architecture == "shared_bottom" and bottom is not None:
            self.experts = None
        else:
            # Built-in experts; shared-bottom's is one network as wide as them all.
            wide = n_experts if architecture == "shared_bottom" else 1
            self.experts = BatchedMLP(n_experts // wide, _check_2d(z, "the built-in experts"
                                                                   ).shape[-1],
                                      [s * wide for s in expert_sizes], units * wide,
                                      activation, dropout)
        hidden = _dry_run(self._experts, z, self.experts)          # (e, b, [s,] u)
        self.pooled = z.dim() > hidden.dim() - 1
        self.gates = None if architecture == "shared_bottom" else BatchedMLP(
            self.n_tasks if architecture == "mmoe" else 1, z.shape[-1], gate_sizes,
            hidden.shape[0], activation)
        if tower is not None:
            self.towers = torch.nn.ModuleList(fresh_module(tower, "tower_module")
                                              for _ in range(self.n_tasks))
            width = _check_2d(_dry_run(self.towers[0], hidden[0],
                                       name="tower_module (its input: the experts' mixture)"),
                              "the output of tower_module").shape[-1]
            self.heads = BatchedMLP(self.n_tasks, width, (), max(out_dims))
        else:
            self.towers = None
            self.heads = BatchedMLP(self.n_tasks, _check_2d(hidden[0], "the built-in "
                                                            "towers").shape[-1],
                                    tower_sizes, max(out_dims), activation, dropout)

    def _experts(self, z):
        if self.experts is None:
            return z.unsqueeze(0)
        if isinstance(self.experts, BatchedMLP):
            return self.activation(self.experts(z))
        return torch.stack([expert(z) for expert in self.experts])

    def _gate_logits(self, z):
        if self.pooled:     # one mixture per row: the gate reads z's time-mean
            z = z.reshape(z.shape[0], -1, z.shape[-1]).mean(dim=1)
        flat = self.gates(z.reshape(-1, z.shape[-1]))               # (g, b [* s], e)
        return flat.reshape(flat.shape[0], *z.shape[:-1], flat.shape[-1])

    def gate_weights(self, x):
        weights = torch.softmax(self._gate_logits(self.bottom(x)), dim=-1)
        # Per-time-step gates are summarised by their mean over time.
        return weights.reshape(weights.shape[0], weights.shape[1], -1,
                               weights.shape[-1]).mean(dim=2)       # (g, b, e)

    def forward(self, x):
        z = self.bottom(x)
        hidden = self._experts(z)                                   # (e, b, [s,] u)
        if self.gates is not None:
            weights = torch.softmax(self._gate_logits(z), dim=-1)   # (g, b, [s,] e)
            hidden = torch.einsum("g...e,e...u->g...u", weights, hidden)
        hidden = hidden.expand(self.n_tasks, *hidden.shape[1:])     # (t, b, [s,] u)
        if self.towers is not None:
            hidden = torch.stack([tower(h) for tower, h in zip(self.towers, hidden)])
        return self.heads(hidden)                                   # (t, b, o)


def _dry_run(fn, x, module=None, name=None):
    """``fn(x)`` with ``module`` (default ``fn``) in eval mode, no gradients.

    Used to learn output shapes without touching batch-norm statistics. An
    error of a user module (``name``) is re-raised naming it and its input.
    """
    module = fn if module is None else module
    states = ([(m, m.training) for m in module.modules()]
              if isinstance(module, torch.nn.Module) else [])
    for m, _ in states:
        m.eval()
    try:
        with torch.no_grad():
            out = fn(x)
    except (RuntimeError, ValueError, TypeError, IndexError) as exc:
        if name is None:
            raise
        # (torch's own message names no module: "mat1 and mat2 shapes cannot
        # be multiplied (2x3 and 7x4)".)
        raise ValueError(f"{name} failed on an input of shape {tuple(x.shape)}: {exc}"
                         ) from exc
    finally:
        for m, training in states:
            m.train(training)
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"A user module returned {type(out).__name__}, not a tensor; wrap "
                        "modules such as torch.nn.LSTM (which returns a tuple) so that "
                        "forward returns one tensor.")
    if name is not None and out.dtype != x.dtype:
        # (A module computing in float64, its input cast with .double(), failed
        # later in the gates' einsum: "expected scalar type Float but found Double".)
        raise TypeError(f"{name} returned a tensor of dtype {out.dtype} for an input of "
                        f"dtype {x.dtype}; the network works in {x.dtype}: compute in it, "
                        "or cast the module's output back to it.")
    if name is not None and (out.dim() == 0 or out.shape[0] != x.shape[0]):
        # (A module that dropped or pooled rows, x[:1] or x.mean(0), broadcast
        # silently: predict returned one row for 40, or every row the same.)
        raise ValueError(f"{name} returned a tensor of shape {tuple(out.shape)} for an "
                         f"input of shape {tuple(x.shape)}; its output must keep the "
                         "rows (first axis) of its input, one per sample.")
    if (name is not None and out.is_floating_point() and bool(torch.isfinite(x).all())
            and not bool(torch.isfinite(out).all())):
        # (Training then stopped as "diverged: its training loss became nan
        # at epoch 1; lower learning_rate", which named neither the module
        # nor that it had not been trained yet.)
        raise ValueError(f"{name} returned NaN or infinite values for a finite input of "
                         f"shape {tuple(x.shape)} (from the first rows of X, before any "
                         "training); its forward must give finite values.")
    return out


def _check_2d(z, what):
    if z.dim() != 2:
        raise ValueError(f"{what} need 2-D inputs (rows, features) but got a tensor of "
                         f"shape {tuple(z.shape)}; give a module that returns "
                         "(rows, features), e.g. the last step of an LSTM.")
    return z
