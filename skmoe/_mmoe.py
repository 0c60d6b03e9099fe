"""Multi-task mixtures: Multi-gate Mixture-of-Experts (Ma et al., KDD 2018).

Several targets are predicted at once. Experts are shared by all tasks; each
task ``t`` has its own softmax gate ``g_t`` and its own tower ``h_t``:

    y_t(x) = h_t( sum_e g_te(x) f_e(x) )

Baselines selected by ``architecture``: ``'omoe'`` (one gate shared by all
tasks) and ``'shared_bottom'`` (no gate: one wide network feeds every tower);
``'ple'`` is Progressive Layered Extraction (Tang et al., RecSys 2020). The
shared bottom, the experts and the towers may be user torch modules (e.g.
LSTMs over sequences: MoSE, Qin et al., KDD 2020). The networks are in
``_mmoe_nets.py``.

The target handling shared by the multi-task estimators (task types,
encoding, decoding predictions) is in ``_multitask.py``; the heterogeneous
variant (scikit-learn experts) in ``_mmoe_hetero.py``.

Shape legend: ``b`` batch rows, ``e`` experts, ``u`` expert units,
``g`` gates (tasks or one), ``t`` tasks, ``o`` tower outputs.
"""

import numbers
import pickle
import warnings
from inspect import signature

import numpy as np
import torch
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array

from ._base import _refuse_misnamed_fit_params, refuse_groups
from ._compat import Interval
from ._data import normalised_weights
from ._inspection import TaskGateOutputMixin
from ._mmoe_nets import ModuleNet, MultiTaskNet, PLENet
from ._training import (LEARNING_RATE, WEIGHT_DECAY, EarlyStopping, check_kept_loss,
                        check_training_rows, diverged, is_default, minibatches,
                        not_converged_reason, validation_split,
                        warn_unused_without_early_stopping)
from ._multitask import TASK_TYPES, _BaseMultiTask
from ._nn import ACTIVATIONS, check_layer_sizes
from ._persistence import TorchStateMixin
from ._rules import _cloudpickling
from ._torch_utils import (adam, caller_autocast_off, resolve_device, seeded_torch,
                           standardisation, standardised_tensor, to_numpy, to_tensor,
                           torch_fit_mode)

ARCHITECTURES = ("mmoe", "omoe", "shared_bottom", "ple")
MODULE_PARAMS = ("bottom_module", "expert_module", "tower_module")
# Rows per forward pass at predict time (bounds memory on large inputs).
_PREDICT_CHUNK = 16_384


class MultiGateMixtureOfExperts(TorchStateMixin, TaskGateOutputMixin, _BaseMultiTask):
    """Multi-gate Mixture-of-Experts (MMoE) for several targets at once.

    Torch MLP experts shared by all tasks, one softmax gate per task and one
    tower per task, trained end to end with Adam on the weighted sum of the
    tasks' losses (squared error on standardised regression targets, binary
    or multinomial cross-entropy for classification tasks).

    Parameters
    ----------
    tasks : list of {'regression', 'binary', 'multiclass'} or str, default=None
        Type of each column of ``y``; a single string applies to every
        column; None means every column is a regression task.
    task_weights : array-like of shape (n_tasks,), default=None
        Weight of each task's loss, by position (y's column order); None
        weighs them equally. Only their ratios matter (they are rescaled to
        mean one for training; with one task they have no effect, and warn).
        Each must be positive: a task of weight 0 would keep its untrained
        tower (fit without its column instead), and so is one whose weight is
        0 in float32 once divided by the largest (a ratio below about 1e-45).
    architecture : {'mmoe', 'omoe', 'shared_bottom', 'ple'}, default='mmoe'
        'mmoe': one gate per task. 'omoe': one gate shared by all tasks
        (one-gate MoE baseline). 'shared_bottom': no gate; one network whose
        layers are ``n_experts`` times wider than an expert's feeds every
        tower (same first-layer parameter count as the experts together).
        'ple': Progressive Layered Extraction, ``n_levels`` extraction
        layers, each with ``n_task_experts`` experts per task and
        ``n_experts`` shared experts; task ``t``'s gate mixes its own and
        the shared experts, and below the last layer a shared gate mixes
        all of them for the next layer's shared experts.
    n_experts : int, default=8
        Number of experts; with 'ple', shared experts per extraction layer.
    n_task_experts : int, default=None
        Only for 'ple' (None means 2): task-specific experts per task and
        extraction layer. An error with another architecture.
    n_levels : int, default=None
        Only for 'ple' (None means 2): number of extraction layers; 1 is
        Customized Gate Control (CGC). An error with another architecture.
    expert_hidden_layer_sizes : tuple of int, default=()
        Hidden layers of each expert; ``()`` is the paper's one-layer expert.
    expert_units : int, default=16
        Output width of each expert (after the activation).
    gate_hidden_layer_sizes : tuple of int, default=()
        ``()`` is a linear softmax gate, as in the paper. 'shared_bottom' has
        no gate: set there, it warns that it has no effect.
    tower_hidden_layer_sizes : tuple of int, default=(8,)
    bottom_module, expert_module, tower_module : torch.nn.Module or callable, \
default=None
        User networks, for 'mmoe', 'omoe' and 'shared_bottom' (an error
        with 'ple'). A callable is called without arguments for each copy
        needed; an instance is deep-copied (it is never trained itself) and
        its copies re-initialised with ``reset_parameters``, so that
        ``random_state`` sets the starting weights. ``bottom_module`` maps
        the standardised X to ``z``, read by the experts and the gates (in
        'shared_bottom' it is the shared network). ``expert_module`` (one
        copy per expert; not with 'shared_bottom') maps ``z`` to ``(b, u)``
        or ``(b, s, u)``. Gates are MLPs on the last axis of ``z``: one
        mixture per time step when the experts keep the time axis, else
        gates on the time-mean of ``z``. ``tower_module`` (one per task)
        maps the mixture to ``(b, w)``; a linear layer per task follows.
        Omitted parts are the built-in MLPs, which need 2-D inputs. Every
        module must return one tensor (wrap ``torch.nn.LSTM``, which returns
        a tuple). The settings of a built-in part that a module replaces
        (``expert_hidden_layer_sizes`` and ``expert_units`` with an
        ``expert_module``, or with a 'shared_bottom' ``bottom_module``, which
        also leaves ``n_experts`` unread; ``tower_hidden_layer_sizes`` with a
        ``tower_module``) warn at fit, set away from their defaults. With a module that reads sequences, X may be 3-D,
        ``(n_samples, n_steps, n_features)``; static features go along,
        repeated over the steps.
    activation : {'relu', 'tanh', 'gelu', 'logistic'}, default='relu'
        Of the built-in networks (with none that has one, it warns).
    dropout : float, default=0.0
        Dropout after the hidden layers of the built-in experts and towers
        during training; where none has a hidden layer (the default experts
        have none), it warns that it has no effect.
    alpha : float, default=1e-4
        L2 penalty (Adam weight decay).
    learning_rate : float, default=1e-3
        Adam step size. A fit that diverges raises a ValueError: a loss
        that becomes NaN, or a network kept at over ten times the loss of
        one that learnt nothing (each task's mean or equal class
        probabilities), or no better than it after its loss went over a
        hundred times it.
    batch_size : int, default=128
    max_iter : int, default=200
        Maximum number of epochs.
    tol : float, default=1e-4
        Training stops when the monitored loss (training loss, or validation
        loss with ``early_stopping``) has not improved by ``tol`` for
        ``n_iter_no_change`` epochs.
    n_iter_no_change : int, default=10
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, monitor their loss and
        keep the network of the best epoch.
    validation_fraction : float, default=0.1
        Only read with ``early_stopping``; set away from its default
        without it, it warns. Refused where it holds out more rows than it
        leaves and leaves fewer than 10 (or two per class).
    device : str or None, default='auto'
        'auto' (or None) uses CUDA when available, else the CPU; 'cuda'
        without CUDA is an error.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the shuffling, dropout and the validation
        split.
    verbose : int, default=0

    Attributes
    ----------
    tasks_ : list of str
        The type of each task.
    n_tasks_ : int
    classes_ : list
        Per task, the class labels (ndarray) or None for a regression task.
    task_weights_ : ndarray of shape (n_tasks,)
    module_ : torch.nn.Module
        The fitted network.
    loss_curve_ : list of float
        Weighted training loss per epoch.
    validation_loss_curve_ : list of float
        Validation loss per epoch, only with ``early_stopping``: on
        ``validation_fraction`` of the rows (at least one) where both they
        and the training rows carry weight, else on that share of the rows
        of positive weight, where it rounds to at least one and leaves one
        to train on (otherwise none is held out and this is not set).
    n_iter_ : int
        Epochs run.
    device_ : torch.device
        Where the network lives (``device`` resolved).
    n_features_in_ : int
        Features per row (per time step for a 3-D X).
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    See Also
    --------
    HeterogeneousMultiGateMixtureOfExperts : per-task gates over
        scikit-learn experts.

    References
    ----------
    J. Ma, Z. Zhao, X. Yi, J. Chen, L. Hong, E. H. Chi. Modeling Task
    Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts.
    KDD 2018.

    H. Tang, J. Liu, M. Zhao, X. Gong. Progressive Layered Extraction (PLE):
    A Novel Multi-Task Learning (MTL) Model for Personalized
    Recommendations. RecSys 2020.

    Z. Qin, Y. Cheng, Z. Zhao, Z. Chen, D. Metzler, J. Qin. Multitask
    Mixture of Sequential Experts for User Activity Streams. KDD 2020.

    Examples
    --------
    >>> from skmoe import MultiGateMixtureOfExperts
    >>> from skmoe.datasets import make_mmoe_tasks
    >>> X, Y = make_mmoe_tasks(n_samples=200, n_features=10, random_state=0)
    >>> mmoe = MultiGateMixtureOfExperts(n_experts=4, learning_rate=1e-2, tol=1e-3,
    ...                                  random_state=0)
    >>> mmoe.fit(X, Y).predict(X[:3]).shape
    (3, 2)
    >>> mmoe.predict_gate(X[:3]).shape
    (3, 2, 4)
    """

    _parameter_constraints = {
        "tasks": [list, tuple, StrOptions(set(TASK_TYPES)), None],
        "task_weights": ["array-like", None],
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "n_experts": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_task_experts": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_levels": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "bottom_module": [callable, None],
        "expert_module": [callable, None],
        "tower_module": [callable, None],
        "expert_hidden_layer_sizes": [tuple, list, Interval(numbers.Integral, 1, None,
                                                            closed="left")],
        "expert_units": [Interval(numbers.Integral, 1, None, closed="left")],
        "gate_hidden_layer_sizes": [tuple, list, Interval(numbers.Integral, 1, None,
                                                          closed="left")],
        "tower_hidden_layer_sizes": [tuple, list, Interval(numbers.Integral, 1, None,
                                                           closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "alpha": WEIGHT_DECAY,
        "learning_rate": LEARNING_RATE,
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "device": [str, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, tasks=None, *, task_weights=None, architecture="mmoe", n_experts=8,
                 n_task_experts=None, n_levels=None, expert_hidden_layer_sizes=(),
                 expert_units=16, gate_hidden_layer_sizes=(), tower_hidden_layer_sizes=(8,),
                 bottom_module=None, expert_module=None, tower_module=None,
                 activation="relu", dropout=0.0, alpha=1e-4,
                 learning_rate=1e-3, batch_size=128, max_iter=200, tol=1e-4,
                 n_iter_no_change=10, early_stopping=False, validation_fraction=0.1,
                 device="auto", random_state=None, verbose=0):
        self.tasks = tasks
        self.task_weights = task_weights
        self.architecture = architecture
        self.n_experts = n_experts
        self.n_task_experts = n_task_experts
        self.n_levels = n_levels
        self.expert_hidden_layer_sizes = expert_hidden_layer_sizes
        self.expert_units = expert_units
        self.gate_hidden_layer_sizes = gate_hidden_layer_sizes
        self.tower_hidden_layer_sizes = tower_hidden_layer_sizes
        self.bottom_module = bottom_module
        self.expert_module = expert_module
        self.tower_module = tower_module
        self.activation = activation
        self.dropout = dropout
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Train experts, gates and towers end to end.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, n_steps, n_features)
            3-D (sequences) only with a ``bottom_module`` or an
            ``expert_module`` that reads them.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            One column per task: numbers for regression tasks, labels of
            any hashable type for classification tasks. Every row needs a
            value for every task: tasks are not masked, and a missing one
            (NaN, None, pd.NA) is refused, naming its task and rows.
        sample_weight : array-like of shape (n_samples,), default=None
            One weight per row, shared by every task. Only relative
            weights matter: they are rescaled to mean one.
        **fit_params : dict
            None is taken: ``groups`` is refused with what to do instead
            (the network makes no folds), a misspelt ``sample_weight`` is
            named, any other keyword refused as Python refuses it.

        Returns
        -------
        self : MultiGateMixtureOfExperts
        """
        with torch_fit_mode():
            refuse_groups(self, fit_params, "the network trains on all the rows (early_stopping "
                          "holds out a random validation_fraction of them)")
            # sample_weights=w got Python's bare "unexpected keyword argument",
            # where the other estimators name sample_weight.
            _refuse_misnamed_fit_params(self, fit_params)
            if fit_params:
                raise TypeError(f"{type(self).__name__}.fit() got an unexpected keyword argument "
                                f"{next(iter(fit_params))!r}")
            X, Y, sample_weight, _ = self._validate_fit_data(X, y, sample_weight)
            self._check_architecture()
            # (n_iter_no_change is read either way: it stops on the training loss.)
            warn_unused_without_early_stopping(self, ("validation_fraction",), stacklevel=2)
            sizes = {name: check_layer_sizes(getattr(self, name), name) for name in (
                "expert_hidden_layer_sizes", "gate_hidden_layer_sizes",
                "tower_hidden_layer_sizes")}
            self._warn_unbuilt_parts(sizes)
            self.device_ = resolve_device(self.device)
            rng = check_random_state(self.random_state)
            seed = int(rng.randint(np.iinfo(np.int32).max))
            self._out_dims = [1 if kind != "multiclass" else len(classes)
                              for kind, classes in zip(self.tasks_, self.classes_)]
            weight = np.ones(len(X)) if sample_weight is None else sample_weight
            # Rows of zero weight stay in the minibatches but add nothing to the
            # loss; they must not set the inputs' scaling either (one far out made
            # every other row's standardised inputs about zero), nor give a target
            # that overflows float32 (y = 1e40: loss 0 * inf, "diverged"). The
            # targets' scaling is of the rows of positive weight too (_multitask).
            positive = weight > 0
            # Per feature over rows (and time steps, for a 3-D X), weighted as the
            # loss weighs the rows (unweighted, integer weights fitted another
            # network than their repeated rows).
            steps = X.shape[1] if X.ndim == 3 else 1
            self._x_mean, self._x_scale = standardisation(
                X[positive].reshape(-1, X.shape[-1]), np.repeat(weight[positive], steps))
            Y = np.where(positive[:, None], Y, 0.0)
            train, valid = np.arange(len(X)), None
            if self.early_stopping:
                order = rng.permutation(len(X))
                n_valid = max(1, int(round(self.validation_fraction * len(X))))
                # (A fraction that left no row at all had a message of its own
                # before this check, which named neither the estimator nor the
                # fraction to use; this one covers it.)
                check_training_rows(self.validation_fraction, len(X), n_valid, type(self).__name__,
                                    "early_stopping=False",
                                    max((len(c) for kind, c in zip(self.tasks_, self.classes_)
                                         if kind != "regression"), default=0))
                # Rows of zero weight could fill the validation rows: their loss
                # was 0.0 on every epoch, and training stopped after
                # n_iter_no_change epochs at the first one. The weighted rows are
                # split then (too few of them: the training loss is monitored).
                valid, train = validation_split(order, n_valid, weight,
                                                self.validation_fraction, rng)
                train, valid = np.sort(train), (np.sort(valid) if len(valid) else None)
            Z = self._inputs(X)
            with seeded_torch(seed):
                self.module_ = self._build(Z, sizes).to(self.device_)
                self._train(Z, to_tensor(Y, self.device_), to_tensor(weight, self.device_),
                            train, valid)
            return self

    def _check_architecture(self):
        """Errors for parameters that the chosen architecture does not use."""
        if self.architecture != "ple":
            for name in ("n_task_experts", "n_levels"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} only applies to architecture='ple', not "
                                     f"{self.architecture!r}; leave it None.")
        given = [name for name in MODULE_PARAMS if getattr(self, name) is not None]
        if given and self.architecture == "ple":
            raise ValueError(f"{', '.join(given)} cannot be used with architecture='ple' "
                             "(PLE uses the built-in MLP experts).")
        if self.expert_module is not None and self.architecture == "shared_bottom":
            raise ValueError("architecture='shared_bottom' has no experts; give the shared "
                             "network as bottom_module instead of expert_module.")
        if self._sequence_input and self.bottom_module is None and self.expert_module is None:
            raise ValueError("X is 3-D (n_samples, n_steps, n_features); that needs a "
                             "bottom_module or an expert_module that reads sequences.")

    def _warn_unbuilt_parts(self, sizes):
        """Warn of settings, away from their defaults, of built-in parts this
        configuration does not build.

        A user module replaces the built-in part it names, and 'shared_bottom'
        has no gate: their sizes (and the dropout and activation of hidden
        layers that no part has) were ignored without a word, as
        ``expert_units=4`` with an ``expert_module``, or
        ``gate_hidden_layer_sizes=(8,)`` with 'shared_bottom'.
        """
        shared = self.architecture == "shared_bottom"
        unused = {}
        if shared:
            unused["gate_hidden_layer_sizes"] = "architecture='shared_bottom' has no gate"
        if self.expert_module is not None:
            reason = "expert_module replaces the built-in experts"
            unused.update(expert_hidden_layer_sizes=reason, expert_units=reason)
        elif shared and self.bottom_module is not None:
            reason = ("with architecture='shared_bottom' the bottom_module is the whole "
                      "shared network (no built-in experts)")
            unused.update(n_experts=reason, expert_hidden_layer_sizes=reason,
                          expert_units=reason)
        built_experts = "expert_units" not in unused
        if self.tower_module is not None:
            unused["tower_hidden_layer_sizes"] = ("tower_module replaces the built-in "
                                                  "towers (a linear layer per task follows)")
        # Dropout follows the hidden activations of the built-in experts and towers.
        hidden = ((built_experts and sizes["expert_hidden_layer_sizes"])
                  or (self.tower_module is None and sizes["tower_hidden_layer_sizes"]))
        if not hidden:
            unused["dropout"] = ("it follows hidden layers of the built-in experts and "
                                 "towers, and none has one")
            # Activations: the built-in experts' outputs and every hidden layer.
            if not built_experts and (shared or not sizes["gate_hidden_layer_sizes"]):
                unused["activation"] = ("it acts in the built-in experts and in hidden "
                                        "layers, and there are none")
        defaults = signature(type(self).__init__).parameters
        for name, reason in unused.items():
            value = getattr(self, name)
            default = defaults[name].default
            if name in sizes:
                value, default = sizes[name], tuple(default)
            if not is_default(value, default):
                warnings.warn(f"{name}={getattr(self, name)!r} has no effect: {reason}.",
                              UserWarning, stacklevel=3)

    def _build(self, Z, sizes):
        common = dict(expert_sizes=sizes["expert_hidden_layer_sizes"],
                      units=self.expert_units, gate_sizes=sizes["gate_hidden_layer_sizes"],
                      tower_sizes=sizes["tower_hidden_layer_sizes"],
                      activation=self.activation, dropout=self.dropout)
        if self.architecture == "ple":
            return PLENet(Z.shape[1], self._out_dims, self.n_levels or 2, self.n_experts,
                          self.n_task_experts or 2, **common)
        if any(getattr(self, name) is not None for name in MODULE_PARAMS):
            modules = {name: getattr(self, name) for name in MODULE_PARAMS}
            return ModuleNet(Z[:2].cpu(), self._out_dims, self.architecture, self.n_experts,
                             modules, **common)
        return MultiTaskNet(Z.shape[1], self._out_dims, self.architecture, self.n_experts,
                            **common)

    def _validate_X(self, X, reset):
        """2-D X as in scikit-learn; a 3-D X (sequences) checked by hand."""
        # Only arrays (and nested lists) can be 3-D; anything else takes the 2-D path.
        ndim = getattr(X, "ndim", None)
        if ndim is None and isinstance(X, (list, tuple)):
            ndim = np.ndim(X)
        if ndim is not None and ndim > 3:
            # (scikit-learn's check said "dim <= 2 is required", though a 3-D X
            # is taken.)
            raise ValueError(f"X has {ndim} dimensions (shape {np.shape(X)}); "
                             f"{type(self).__name__} takes a 2-D X (n_samples, n_features) "
                             "or, with a module that reads sequences, a 3-D X (n_samples, "
                             "n_steps, n_features).")
        if hasattr(X, "columns") or ndim != 3:
            if not reset and getattr(self, "_sequence_input", False):
                raise ValueError(f"{type(self).__name__} was fitted on 3-D X (n_samples, "
                                 "n_steps, n_features); X must be 3-D too.")
            if reset:
                self._sequence_input, self._n_steps_in = False, None
            return super()._validate_X(X, reset)
        dtype = np.asarray(X).dtype
        if dtype.kind in "USMm":
            # check_array's dtype=float64 parses text and casts dates to their
            # unit's count: X.astype(str) and datetime64 X were fitted silently,
            # where a 2-D X of them is refused.
            what = {"U": "strings", "S": "strings", "M": "dates", "m": "time spans"}
            raise ValueError(f"X is a 3-D array of {what[dtype.kind]} (dtype {dtype}); "
                             f"{type(self).__name__} needs numbers: convert X to numbers "
                             "first.")
        # (Named: without them NaN was "Input contains NaN.", naming neither X
        # nor the estimator, where a 2-D X's message names both.)
        X = check_array(X, allow_nd=True, dtype=np.float64,
                        ensure_min_samples=2 if reset else 1, input_name="X", estimator=self)
        if X.shape[1] == 0:
            # (The time-mean of no steps is NaN: fit said "diverged ... lower
            # learning_rate", and predict returned NaN.)
            raise ValueError(f"X has shape {X.shape}: sequences of 0 steps; "
                             f"{type(self).__name__} needs at least one step per sequence.")
        if X.shape[2] == 0:
            # (check_array's minimum of one feature is for 2-D X only: fit
            # stopped in the scaling with "cannot reshape array of size 0 into
            # shape (0)".)
            raise ValueError(f"X has shape {X.shape}: steps of 0 features; "
                             f"{type(self).__name__} needs at least one feature per step.")
        if reset:
            self._sequence_input, self._n_steps_in = True, X.shape[1]
            self.n_features_in_ = X.shape[2]
            self.__dict__.pop("feature_names_in_", None)
        elif not self._sequence_input or X.shape[2] != self.n_features_in_:
            raise ValueError(f"X has shape {X.shape}; {type(self).__name__} was fitted on "
                             + (f"3-D X with {self.n_features_in_} features per step."
                                if self._sequence_input else "2-D X."))
        return X

    def _inputs(self, X):
        # Broadcasts over the last axis: features, per time step for a 3-D X.
        # (Clamped: 1e300 would be infinite in float32, and every output NaN.)
        return standardised_tensor(X, self._x_mean, self._x_scale, self.device_)

    def _task_losses(self, out, Y):
        """Per task and row loss, shape (t, b)."""
        losses = []
        for t, kind in enumerate(self.tasks_):
            logits = out[t, :, :self._out_dims[t]]
            if kind == "regression":
                losses.append((logits[:, 0] - Y[:, t]) ** 2)
            elif kind == "binary":
                losses.append(torch.nn.functional.binary_cross_entropy_with_logits(
                    logits[:, 0], Y[:, t], reduction="none"))
            else:
                losses.append(torch.nn.functional.cross_entropy(
                    logits, Y[:, t].long(), reduction="none"))
        return torch.stack(losses)

    def _loss(self, Z, Y, w, rows):
        losses = self._task_losses(self.module_(Z[rows]), Y[rows])     # (t, b)
        per_task = (losses * w[rows]).sum(1) / w[rows].sum().clamp_min(1e-12)
        return (self._task_weights_t * per_task).sum()

    def _train(self, Z, Y, w, train, valid):
        # Rescaled to mean one: the stopping rule's tol is on the loss, and
        # task_weights=[1e-8, 1e-8] (the default's ratios) stopped training
        # after 11 epochs at R^2 -0.09 against 0.97.
        self._task_weights_t = to_tensor(normalised_weights(self.task_weights_),
                                         self.device_)
        optimizer = adam(self.module_.parameters(), lr=self.learning_rate,
                         weight_decay=self.alpha)
        train_t = torch.as_tensor(train, device=self.device_)
        valid_t = None if valid is None else torch.as_tensor(valid, device=self.device_)
        self.loss_curve_, self.validation_loss_curve_ = [], []
        stopping = EarlyStopping(self.tol, self.n_iter_no_change,
                                 keep_best=valid_t is not None)
        for epoch in range(self.max_iter):
            self.module_.train()
            total = torch.zeros((), device=self.device_)
            for rows in minibatches(train_t, self.batch_size):
                optimizer.zero_grad()
                try:
                    loss = self._loss(Z, Y, w, rows)
                except (RuntimeError, ValueError) as exc:
                    if len(rows) != 1:
                        raise
                    # (torch's own message names nothing: "Expected more than 1
                    # value per channel when training", a user module's batch norm
                    # on the last minibatch, of one row.)
                    raise ValueError(
                        f"The network of {type(self).__name__} failed on a minibatch of "
                        f"1 row ({exc}): the {len(train_t)} training rows leave 1 row over "
                        f"with batch_size={self.batch_size}, and a module such as "
                        "torch.nn.BatchNorm1d needs 2 or more while training; choose a "
                        "batch_size that leaves no single row.") from exc
                loss.backward()
                optimizer.step()
                # Summed on the device: one host sync per epoch, not per step.
                # Each minibatch's weighted mean times its weight: the epoch's
                # weighted mean (times its rows, the minibatches' means were
                # averaged as if every row weighed the same).
                total += loss.detach() * w[rows].sum()
            self.loss_curve_.append(total.item() / max(w[train_t].sum().item(), 1e-12))
            if not np.isfinite(self.loss_curve_[-1]):
                raise diverged(type(self).__name__, self.learning_rate,
                               f"its training loss became {self.loss_curve_[-1]} at "
                               f"epoch {epoch + 1}", scale_of="X and the targets")
            monitored = self.loss_curve_[-1]
            if valid_t is not None:
                self.module_.eval()
                with torch.no_grad():
                    monitored = self._loss(Z, Y, w, valid_t).item()
                self.validation_loss_curve_.append(monitored)
            if self.verbose:
                print(f"epoch {epoch + 1}: loss {self.loss_curve_[-1]:.5f}"
                      + (f", validation {monitored:.5f}" if valid_t is not None else ""))
            if stopping.update(monitored, self.module_):
                stopped = True
                break
        else:
            stopped = False
        stopping.restore(self.module_).eval()
        # Before the advice to train longer, which a diverged network does not need.
        self._check_kept_loss(Y, w, valid_t is not None)
        # After that check: n_iter_ marks the estimator fitted, and set before
        # it, a fit refused as diverged left a model that predicted from the
        # diverged network (-115.3 for a target of mean 0), without a word.
        self.n_iter_ = epoch + 1
        if not stopped:
            warnings.warn(f"MultiGateMixtureOfExperts did not converge in max_iter="
                          f"{self.max_iter} epochs " + not_converged_reason(
                              "validation loss" if valid_t is not None else "training loss",
                              "max_iter", self.max_iter, self.n_iter_no_change),
                          ConvergenceWarning)
        if valid_t is None:
            del self.validation_loss_curve_

    def _check_kept_loss(self, Y, w, kept_best):
        """Raise where the network kept diverged without becoming NaN.

        Only a NaN loss was an error: at learning_rate=10 the network
        predicted a regression task of variance 4.3 with a mean squared error
        of 1e4, and its classification tasks at chance, silently (PLE at 100:
        4.5e13). The reference is the loss of a network that learnt nothing,
        each task's weighed as training weighs it: 1 for a regression task's
        mean (the loss is on the standardised target; 0 for a constant
        task), log(n_classes) for equal probabilities of a classification
        task's classes of positive weight; the rule is the torch experts'
        (:func:`~skmoe._training.check_kept_loss`).
        """
        weights, codes, w = to_numpy(self._task_weights_t), to_numpy(Y), to_numpy(w)
        reference = 0.0
        for t, (kind, scale) in enumerate(zip(self.tasks_, self._y_scale)):
            if kind == "regression":
                reference += weights[t] * (1.0 if scale else 0.0)
            else:
                present = np.bincount(codes[:, t].astype(np.int64), weights=w) > 0
                reference += weights[t] * float(np.log(np.count_nonzero(present)))
        kept = (int(np.argmin(self.validation_loss_curve_)) if kept_best
                else len(self.loss_curve_) - 1)
        check_kept_loss(type(self).__name__, self.learning_rate, self.loss_curve_, kept,
                        reference, f"a network that learnt nothing costs {reference:.3g} "
                        "(each regression task's mean and equal probabilities for each "
                        "classification task's classes, weighed by task_weights)",
                        scale_of="X and the targets")

    # -------------------------------------------------------------- predict
    def _forward(self, X, fn):
        Z = self._inputs(X)
        self.module_.eval()
        try:
            with torch.no_grad(), caller_autocast_off():   # (as in fit)
                parts = [to_numpy(fn(Z[i:i + _PREDICT_CHUNK]))
                         for i in range(0, len(Z), _PREDICT_CHUNK)]
        except (RuntimeError, ValueError, TypeError, IndexError) as exc:
            # (torch's own message names nothing: "mat1 and mat2 shapes cannot be
            # multiplied (40x6 and 15x4)" for a user module that flattens the
            # steps, given X with fewer steps than in fit.)
            steps = getattr(self, "_n_steps_in", None)
            hint = (f"; it was fitted on X of {steps} steps per row, and a module that "
                    "reads a fixed number of steps needs X with as many"
                    if steps is not None and X.ndim == 3 and X.shape[1] != steps else "")
            raise ValueError(f"The network of {type(self).__name__} failed on X of shape "
                             f"{tuple(X.shape)}: {exc}{hint}.") from exc
        return np.concatenate(parts, axis=1)

    def _task_outputs(self, X):
        out = self._forward(X, self.module_)                            # (t, n, o)
        outputs = []
        for t, kind in enumerate(self.tasks_):
            logits = out[t, :, :self._out_dims[t]]
            if kind == "regression":
                outputs.append(logits[:, 0])
            elif kind == "binary":
                # (1 / (1 + exp(-z)) overflowed in exp for a logit below -709,
                # a row far outside the training range: numpy's RuntimeWarning
                # "overflow encountered in exp" at every predict.)
                p = expit(logits[:, 0])
                outputs.append(np.column_stack([1.0 - p, p]))
            else:
                # A class whose rows all have zero weight (rows left out) has
                # probability 0, as in the other classifiers: its tower output
                # kept its initial logit, lowered only as far as training got
                # (up to 0.38 after 5 epochs, predicted for 108 of 300 rows).
                absent = getattr(self, "_classes_without_rows", [None] * (t + 1))[t]
                if absent is not None:
                    logits = logits.copy()
                    logits[:, absent] = -np.inf
                logits = logits - logits.max(axis=1, keepdims=True)
                p = np.exp(logits)
                outputs.append(p / p.sum(axis=1, keepdims=True))
        return outputs

    @available_if(lambda self: self.architecture != "shared_bottom")
    def predict_gate(self, X):
        """Gate weights of every task over the experts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        weights : ndarray of shape (n_samples, n_tasks, n_experts)
            Rows sum to one. With ``architecture='omoe'`` every task shows
            the one shared gate. With 'ple', the last extraction layer's
            task gates over ``n_task_experts`` own experts, then the
            ``n_experts`` shared ones. Per-time-step gates (sequence
            experts) are averaged over the time steps. After
            ``set_output(transform="pandas")`` a DataFrame with X's index
            and (task, expert) column pairs: experts 'expert0'...; for
            'ple' 'own0'... then 'shared0'....
        """
        X_given = X
        X = self._check_X(X)
        if getattr(self.module_, "gates", True) is None:
            # (architecture set to another value after fitting a shared bottom:
            # the network's "'NoneType' object is not callable" named nothing.)
            raise ValueError(f"This {type(self).__name__} was fitted with "
                             "architecture='shared_bottom', which has no gate; refit it with "
                             f"architecture={self.architecture!r} to get gate weights.")
        gates = self._forward(X, self.module_.gate_weights)             # (g, n, e)
        # Renormalised in float64: the network's float32 softmax summed to one
        # only within ~1e-7.
        gates = gates / gates.sum(axis=-1, keepdims=True)
        gates = np.broadcast_to(gates, (self.n_tasks_,) + gates.shape[1:])
        return self._gates_as_output(np.ascontiguousarray(gates.transpose(1, 0, 2)), X_given)

    def _gate_expert_names(self):
        # Counted in the fitted network, not read from the parameters: after
        # set_params(n_task_experts=None) on a fitted PLE of 3 own experts the
        # names were 2 + shared, and pandas refused "Shape of passed values is
        # (2, 10), indices imply (2, 8)".
        module = self.module_
        if isinstance(module, PLENet):   # a task's own experts, then the shared ones
            n_own = int((module.source == 0).sum())
            n_shared = int((module.source == module.n_tasks).sum())
            return ([f"own{i}" for i in range(n_own)]
                    + [f"shared{i}" for i in range(n_shared)])
        return [f"expert{i}" for i in range(module.gates.layers[-1].weight.shape[-1])]

    # Pickle and skops.io store the network as numpy arrays (TorchStateMixin),
    # without the training-time task weights.
    _transient_attributes = ("_task_weights_t",)

    def __getstate__(self):
        # A lambda given as a module (the form the modules' own errors show)
        # stopped pickling with pickle's "Can't pickle <function <lambda> ...>:
        # attribute lookup <lambda> on __main__ failed", naming no parameter.
        # Not while copy.deepcopy or cloudpickle (joblib's workers) asks for
        # the state: they keep or send the function as it is.
        for name in MODULE_PARAMS:
            spec = getattr(self, name, None)
            if spec is None or isinstance(spec, torch.nn.Module):
                continue
            try:
                pickle.dumps(spec)
            except Exception as exc:
                if _cloudpickling(or_copying=True):
                    continue
                raise pickle.PicklingError(
                    f"{type(self).__name__} cannot be pickled: its {name} "
                    f"{getattr(spec, '__qualname__', None) or spec!r} cannot be found by name "
                    "when loading (pickle stores functions by reference). Pass a module "
                    "instance, functools.partial(torch.nn.Linear, 3, 16), or a function "
                    "defined with `def` at the top level of an importable module.") from exc
        return super().__getstate__()
