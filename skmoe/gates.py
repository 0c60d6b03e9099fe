"""Gating networks: softmax over experts from a torch MLP.

The torch module lives behind a small scikit-learn-style object so that its
hyperparameters are ordinary parameters: ``gate__hidden_layer_sizes`` tunes in
``GridSearchCV`` like any nested parameter.
"""

import numbers
import warnings

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import (_check_sample_weight, _get_feature_names, check_array,
                                      check_is_fitted)

from ._data import cast_numeric, is_dataframe, normalised_weights
from ._nn import ACTIVATIONS, check_layer_sizes, forward_in_chunks, linear, make_mlp
from ._persistence import TorchStateMixin
from ._training import (LEARNING_RATE, MAX_LEARNING_RATE, MAX_WEIGHT_DECAY, WEIGHT_DECAY,
                        diverged, lbfgs, minibatches, set_away_from_default)
from ._torch_utils import (DTYPE, adam, check_device_name, device_array, resolve_device,
                           seeded_torch, standardisation, standardise, to_numpy, to_tensor,
                           torch_fit_mode)

# L-BFGS curvature pairs kept (torch.optim.LBFGS's default, which the gate
# used before skmoe._training.lbfgs; scipy's L-BFGS-B runs its two-loop
# recursion in compiled code, so 100 pairs cost little).
LBFGS_HISTORY = 100
# Standardised inputs are clipped to this many standard deviations: a rare
# one-hot column or an outlying row must not drive a gate into extrapolation
# (in training or at prediction). The stacked gate clips its inputs the same.
INPUT_CLIP = 5.0
# The parameters only the gate's own fit reads (EM's M-steps): the gradient
# trainer trains the gate's network inside the mixture's optimiser, with the
# mixture's learning_rate, batch_size, max_epochs and device, and warns when
# these are set (skmoe._trainers.warn_ignored_options).
GATE_FIT_OPTIONS = ("solver", "max_iter", "warm_max_iter", "learning_rate", "batch_size",
                    "device")
# The gate options only the Adam solver reads: L-BFGS takes full-batch steps
# and chooses their length by a line search.
ADAM_OPTIONS = ("learning_rate", "batch_size")


def _warn_unused_adam_options(gate, stacklevel):
    """Warn about ``learning_rate`` or ``batch_size`` set away from their
    defaults on an :class:`MLPGate` with ``solver='lbfgs'``, which reads
    neither (they were ignored without a word: the fit was that of the
    defaults). For the callers whose gate fits itself (EM, the hierarchical
    mixture); ``stacklevel`` points the warning at the caller of ``fit``."""
    if not isinstance(gate, MLPGate) or gate.solver != "lbfgs":
        return
    changed = set_away_from_default(gate, ADAM_OPTIONS)
    if changed:
        warnings.warn(f"gate parameter(s) {', '.join(changed)} have no effect with "
                      "solver='lbfgs', which takes full-batch steps with a line search; "
                      "they are only used with solver='adam'.", UserWarning,
                      stacklevel=stacklevel + 1)


def _warn_unused_activation(gate, stacklevel):
    """Warn about ``activation`` set away from 'relu' on an :class:`MLPGate`
    with no hidden layer (``hidden_layer_sizes=()``), which has no activation
    to apply: the fit was that of 'relu', without a word, in the mixtures and
    the hierarchical mixture alike. For the callers of a gate's fit, once per
    fit; ``stacklevel`` points the warning at the caller of ``fit``."""
    if not isinstance(gate, MLPGate) or gate.activation == "relu":
        return
    if not check_layer_sizes(gate.hidden_layer_sizes, "gate hidden_layer_sizes"):
        warnings.warn(f"gate parameter activation={gate.activation!r} has no effect with "
                      "hidden_layer_sizes=() (a linear gate: no hidden layer).",
                      UserWarning, stacklevel=stacklevel + 1)


def _float_x(X, **kwargs):
    """``X`` as float64 (``check_array``, NaN allowed), read as the torch experts read it.

    (scikit-learn's cast read an array of strings as the numbers they spell and
    dates in their unit, silently; a DataFrame's category column failed with
    numpy's "Cannot cast str dtype to float64", naming no column.)
    """
    return cast_numeric(X, lambda X: check_array(
        X, dtype=np.float64, ensure_all_finite="allow-nan", input_name="X", **kwargs), "MLPGate")


def _column_names(X):
    """A DataFrame's column names when all are strings (scikit-learn's
    ``feature_names_in_``), else None."""
    try:
        return _get_feature_names(X)
    except TypeError:   # names of mixed types: read by position, as before
        return None


def _checked_scaling(scaling, n_features):
    """A given ``(mean, scale)`` as two float64 arrays of shape (n_features,), or
    a ValueError: a NaN mean or a zero scale made every standardised input
    NaN or infinite, and the gate constant, silently (a scalar pair broadcast
    over the columns)."""
    try:
        mean, scale = (np.asarray(part, dtype=np.float64) for part in scaling)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"MLPGate: scaling must be a pair (mean, scale) of arrays of shape "
                         f"({n_features},), as standardisation returns it; got "
                         f"{scaling!r}.") from exc
    if (mean.shape != (n_features,) or scale.shape != (n_features,)
            or not np.all(np.isfinite(mean)) or not np.all(np.isfinite(scale))
            or not np.all(scale > 0)):
        raise ValueError(f"MLPGate: scaling must be a pair (mean, scale) of arrays of shape "
                         f"({n_features},), one per column of X, finite, with every scale > 0 "
                         f"(as standardisation returns it); got shapes {mean.shape} and "
                         f"{scale.shape}" + (", with NaN, infinite or non-positive values."
                                             if mean.shape == scale.shape == (n_features,)
                                             else "."))
    return mean, scale


class MLPGate(TorchStateMixin, BaseEstimator):
    """Neural gate: softmax over experts computed by a small MLP.

    With ``hidden_layer_sizes=()`` it is the multinomial-logit gate of the
    classic mixture of experts (Jordan & Jacobs, 1994).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Widths of the hidden layers; ``()`` for a linear (softmax) gate.
    activation : {'relu', 'tanh', 'gelu', 'logistic'}, default='relu'
        Activation of the hidden layers (a linear gate has none: the
        mixtures warn).
    alpha : float, default=1e-4
        L2 penalty on the weights (mean over samples scale).
    solver : {'lbfgs', 'adam'}, default='lbfgs'
        ``'lbfgs'`` takes full-batch steps with a line search, so every
        M-step of EM lowers the gate's loss (the "generalised EM" guarantee);
        ``'adam'`` takes minibatch steps and suits very large data.
    max_iter : int, default=100
        Optimiser iterations on the first fit (L-BFGS iterations, or epochs
        for Adam).
    warm_max_iter : int, default=15
        Iterations for each later, warm-started fit (EM's later M-steps).
    learning_rate : float, default=1e-2
        Step size of the Adam solver (L-BFGS chooses its own steps by a
        line search).
    batch_size : int, default=1024
        Minibatch size for Adam. A mixture that fits the gate with
        ``solver='lbfgs'`` warns when this or ``learning_rate`` is set.
    device : str or None, default='auto'
        ``'auto'`` (or None) uses CUDA when available, else the CPU.

        ``solver``, ``max_iter``, ``warm_max_iter``, ``learning_rate``,
        ``batch_size`` and ``device`` are read by the gate's own fit
        (``training='em'``); ``training='gradient'`` trains the gate with the
        mixture's settings instead and warns when they are set.

    Attributes
    ----------
    module_ : torch.nn.Module
        The network: standardised inputs to one logit per expert.
    noise_module_ : torch.nn.Linear or None
        The learned noise scale of noisy top-k gating; None without it.
    mean_, scale_ : ndarray of shape (n_features,)
        The input standardisation.
    input_clip_ : float
        Standardised inputs are clipped to this many standard deviations.
    n_experts_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``fit`` was given a DataFrame with string column names;
        DataFrames given later must have these columns, in this order.
    seed_ : int
        Seed of the network's initial weights.
    device_ : torch.device
    dtype_ : torch.dtype

    Notes
    -----
    Inputs are standardised with the statistics of the first fit; missing
    values (allowed when every expert accepts them) are imputed with the
    mean, i.e. zero after standardisation. Standardised inputs are clipped to
    ``INPUT_CLIP`` standard deviations, in training and at prediction, so an
    outlying row (a typo, a value far outside the training data) gets the
    weights of the edge of the data instead of an extrapolation that can hand
    it to one expert outright.
    """

    def __init__(self, hidden_layer_sizes=(32,), activation="relu", alpha=1e-4,
                 solver="lbfgs", max_iter=100, warm_max_iter=15, learning_rate=1e-2,
                 batch_size=1024, device="auto"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.solver = solver
        self.max_iter = max_iter
        self.warm_max_iter = warm_max_iter
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.device = device

    # ------------------------------------------------------------------
    def _validate(self):
        sizes = check_layer_sizes(self.hidden_layer_sizes, "gate hidden_layer_sizes")
        # (A list as activation failed in the dict look-up: "unhashable type: 'list'".)
        if not isinstance(self.activation, str) or self.activation not in ACTIVATIONS:
            raise ValueError(f"gate activation must be one of {sorted(ACTIVATIONS)}, "
                             f"got {self.activation!r}.")
        if self.solver not in ("lbfgs", "adam"):
            raise ValueError(f"gate solver must be 'lbfgs' or 'adam', got {self.solver!r}.")
        for name in ("max_iter", "warm_max_iter", "batch_size"):
            value = getattr(self, name)
            # (bool is an int to Python: max_iter=True ran one iteration, as the
            # mixtures' Interval constraints refuse for their own counts.)
            if (not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_))
                    or value < 1):
                raise ValueError(f"gate {name} must be a positive integer, got {value!r}.")
        # The library's bounds of every weight decay and learning rate (real
        # numbers, not bools, below 1e37): alpha=inf failed as a NaN training
        # loss, a string as a bare comparison TypeError, alpha=1e300 inside
        # torch's Adam, and learning_rate=1e300 gave the EM gate NaN weights,
        # and the mixture NaN predictions, silently.
        if not WEIGHT_DECAY[0].is_satisfied_by(self.alpha):
            raise ValueError(f"gate alpha must be a finite number >= 0, got {self.alpha!r} "
                             f"(and below {MAX_WEIGHT_DECAY:.0e}, beyond which float32 "
                             "training overflows).")
        if not LEARNING_RATE[0].is_satisfied_by(self.learning_rate):
            raise ValueError("gate learning_rate must be a finite number > 0, got "
                             f"{self.learning_rate!r} (and below {MAX_LEARNING_RATE:.0e}, "
                             "beyond which float32 training overflows).")
        if self.device is not None and not (isinstance(self.device, str)
                                            and self.device == "auto"):
            try:
                # The name is checked even where a mixture places the gate itself
                # (the gradient trainer): device='gpu' passed there without a word.
                # Whether the machine has it is checked where the device is used.
                check_device_name(self.device)
            except ValueError as exc:
                raise ValueError(f"gate {exc}") from None
        return sizes

    def init(self, X, n_experts, seed, dtype=DTYPE, scaling=None, device=None,
             sample_weight=None):
        """Build the network and the input scaling for ``n_experts`` outputs.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Sets the number of inputs and, unless ``scaling`` is given, the
            input scaling.
        n_experts : int
            Number of outputs.
        seed : int
            Seed of the network's initial weights (kept as ``seed_``).
        dtype : torch.dtype, default=torch.float32
            The network's precision; EM asks for float64 so that rounding in
            the gate's fit does not compound over its iterations (float32 vs
            float64 inputs, rescaled targets).
        scaling : tuple of (ndarray, ndarray), default=None
            ``(mean, scale)`` of ``X`` as ``standardisation`` returns them,
            which spares computing them again; None computes them.
        device : str or torch.device, default=None
            Where the network lives, when the caller decides (a mixture's own
            ``device``); None resolves the gate's ``device``.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weighs the rows in the input scaling, as the user's weights weigh
            them (a row of weight 3 as its three copies); rows of zero weight
            count as dropped. (Unweighted, a row of weight 3 moved the scaling
            as one row, and rows of weight 1e-9 far out set it: EM's mixture
            was 0.41 from its repeated rows' fit, 1.8 from the fit without
            those rows; tests/test_sweep_numbers_round26.py.) Pass the user's
            weights only, never
            responsibilities: those are the gate's targets, not the data's.

        Returns
        -------
        self : MLPGate
        """
        # (As in fit: built inside the caller's torch.inference_mode() the
        # network's weights were inference tensors, and a warm-started fit failed
        # with "Inplace update to inference tensor outside InferenceMode"; after
        # torch.set_default_dtype(torch.float64) the initial weights were drawn
        # in float64, other numbers from the same seed: a warm-started fit's
        # probabilities 0.10 from those under float32.)
        with torch_fit_mode():
            sizes = self._validate()
            try:
                self.device_ = resolve_device(self.device if device is None else device)
            except ValueError as exc:
                if device is not None:    # the caller's device: the caller names it
                    raise
                # (The gate's own device, missing here, read "device='cuda' was
                # requested", as a mixture's own device does: not which was.)
                raise ValueError(f"gate {exc}") from None
            self.dtype_ = dtype
            if scaling is None:
                if sample_weight is not None:
                    sample_weight = np.asarray(sample_weight, dtype=np.float64)
                    positive = sample_weight > 0
                    if not positive.all():
                        X, sample_weight = X[positive], sample_weight[positive]
                # (In float64: float32 X gave float32 means and scales, and another gate.
                # Equal weights give the unweighted scaling bit for bit.)
                scaling = standardisation(np.asarray(X, dtype=np.float64), sample_weight)
            else:
                scaling = _checked_scaling(scaling, X.shape[1])
            self.mean_, self.scale_ = scaling
            self.input_clip_ = INPUT_CLIP
            with seeded_torch(seed):
                self.module_ = make_mlp(X.shape[1], sizes, n_experts, self.activation)
            self.module_.to(self.device_, dtype)
            self.n_experts_ = n_experts
            self.n_features_in_ = X.shape[1]
            self.seed_ = seed
            self.noise_module_ = None
            return self

    def use_module(self, module, dtype=None):
        """Make ``module`` (trained elsewhere: inside a mixture's joint model,
        or the stacked gate's blend of gates) the gate's network, in eval mode.

        Parameters
        ----------
        module : torch.nn.Module
            Maps the standardised inputs to ``n_experts_`` logits; moved to
            the gate's device.
        dtype : torch.dtype, default=None
            The precision the gate predicts in from now on (its inputs and
            the module, cast to it); None leaves both as they are. float64
            is ignored on MPS, which has no float64.

        Returns
        -------
        self : MLPGate
        """
        if dtype is not None and not (dtype == torch.float64 and self.device_.type == "mps"):
            self.dtype_ = dtype
            module = module.to(dtype=dtype)
            if getattr(self, "noise_module_", None) is not None:   # it reads the same inputs
                self.noise_module_.to(dtype=dtype)
        for layer in module.modules():
            # ReLU in place on its Linear's fresh output (autograd allows it):
            # the float64 gate then predicts in about the time the float32
            # one did (0.12 s against 0.19 s for 201,000 rows on the CPU).
            if isinstance(layer, torch.nn.ReLU):
                layer.inplace = True
        self.module_ = module.to(self.device_).eval()
        return self

    # ---------------------------------------------------------- routing aids
    def add_noise(self):
        """Add a learned noise scale for noisy top-k gating (Shazeer et al., 2017).

        The noise is a separate linear layer ``noise_module_`` whose softplus
        is the per-expert standard deviation; ``module_`` keeps returning the
        clean logits. Its weights start at zero (a scale of ``log 2``) and
        are trained only through a balance penalty (the 'load' loss).

        Returns
        -------
        self : MLPGate
        """
        # (Its layer is built as init's network is: see there.)
        with torch_fit_mode():
            # (Before init or fit: "'MLPGate' object has no attribute 'n_features_in_'".)
            check_is_fitted(self, "module_")
            with seeded_torch(self._init_seed()):
                self.noise_module_ = linear(self.n_features_in_, self.n_experts_)
            torch.nn.init.zeros_(self.noise_module_.weight)
            torch.nn.init.zeros_(self.noise_module_.bias)
            self.noise_module_.to(self.device_, self._dtype())
            return self

    def noise_std(self, Z):
        """Noise scale ``softplus(noise_module_(Z))`` on standardised inputs, or None.

        Parameters
        ----------
        Z : torch.Tensor of shape (n_samples, n_features)
            Standardised, clipped inputs on the gate's device.

        Returns
        -------
        noise_std : torch.Tensor of shape (n_samples, n_experts) or None
            None when the gate has no noise (:meth:`add_noise` not called).
        """
        if getattr(self, "noise_module_", None) is None:
            return None
        return torch.nn.functional.softplus(self.noise_module_(Z))

    def drop_experts(self, keep):
        """Keep only the output columns ``keep`` (experts dropped after collapse).

        Parameters
        ----------
        keep : sequence of int
            Indices of the outputs (experts) to keep, in their new order.

        Returns
        -------
        self : MLPGate
        """
        check_is_fitted(self, "module_")   # (before: no attribute 'device_')
        keep = torch.as_tensor(np.asarray(keep), dtype=torch.long, device=self.device_)
        for _, module in self._fitted_modules():
            last = module[-1] if isinstance(module, torch.nn.Sequential) else module
            with torch.no_grad():
                last.weight = torch.nn.Parameter(last.weight[keep].clone())
                last.bias = torch.nn.Parameter(last.bias[keep].clone())
            last.out_features = len(keep)
        self.n_experts_ = len(keep)
        return self

    def fit_constant(self, proba):
        """Fit the gate to the same target ``proba`` on every row, exactly.

        The last layer's weights become zero and its bias ``log(proba)``, the
        cross-entropy's minimiser; the hidden layers keep their start, so
        later warm-started fits can move them. Costs no optimisation (EM's
        uniform start used to spend a cold L-BFGS fit on it).

        Parameters
        ----------
        proba : array-like of shape (n_experts,)
            The constant gate weights, non-negative and not all zero: the
            last layer's bias becomes ``log(proba)``, so the gate gives
            ``proba`` normalised to sum to one.

        Returns
        -------
        self : MLPGate
        """
        check_is_fitted(self, "module_")   # (before: no attribute 'module_')
        last = self.module_[-1] if isinstance(self.module_, torch.nn.Sequential) else self.module_
        given = proba
        try:
            proba = np.asarray(proba, dtype=np.float64)
        except (TypeError, ValueError):
            proba = None
        n_experts = last.bias.shape[-1]
        if (proba is None or proba.shape != (n_experts,) or not np.all(np.isfinite(proba))
                or np.any(proba < 0) or not np.any(proba > 0)):
            # (A negative weight, or all zeros, made the gate NaN without a
            # word; a length other than the experts' failed in torch with "The
            # size of tensor a (3) must match the size of tensor b (2)".)
            raise ValueError(f"MLPGate.fit_constant: proba must be {n_experts} finite, "
                             "non-negative gate weights (one per expert), not all zero; "
                             f"got {given!r}.")
        with torch.no_grad(), np.errstate(divide="ignore"):   # log(0): never picked
            last.weight.zero_()
            last.bias.copy_(torch.as_tensor(np.log(proba), dtype=last.bias.dtype))
        self.module_.eval()
        return self

    def _dtype(self):
        return getattr(self, "dtype_", DTYPE)  # gates fitted before dtype_ existed

    def _inputs(self, X):
        """Standardised, clipped inputs on the device (NaN imputed by the mean).

        ``X`` is a numpy array, or a float64 tensor already on the device
        (:func:`~skmoe._torch_utils.device_array`): then nothing is copied.
        """
        # (Before init or fit: "object has no attribute 'device_'".)
        check_is_fitted(self, "module_")
        if not isinstance(X, torch.Tensor):
            self._check_column_names(_column_names(X))
            if not (isinstance(X, np.ndarray) and X.dtype == np.float64):
                # As fit reads X (the mixtures give float64 arrays): a DataFrame
                # of nullable columns with pd.NA failed inside numpy ("float()
                # argument must be a string or a real number, not 'NAType'").
                X = _float_x(X, ensure_min_samples=0, ensure_min_features=0)
            X = device_array(X, self.device_)
        else:
            # A tensor as device_array gives one (no copy when it is so already):
            # an integer or bool tensor failed in torch ("result type Float can't
            # be cast to the desired output type Long"), and a float32 one was
            # standardised in float32, other weights than its array's.
            X = X.to(self.device_, torch.float32 if self.device_.type == "mps"
                     else torch.float64)
        n_features = getattr(self, "n_features_in_", None)
        if X.ndim != 2:
            raise ValueError(f"Expected a 2D X (n_samples, n_features), got {X.ndim}D.")
        if n_features is not None and X.shape[1] != n_features:
            # (A failure inside torch: "The size of tensor a (2) must match the
            # size of tensor b (3) at non-singleton dimension 1".)
            raise ValueError(f"X has {X.shape[1]} features, but MLPGate is expecting "
                             f"{n_features} features as input.")
        return self.clip(standardise(X, self.mean_, self.scale_, self._dtype(),
                                     nan_to_zero=True))

    def _check_column_names(self, names):
        """A DataFrame's columns against those of the DataFrame fitted on, if any.

        (Columns in another order were read by position: each row got the
        gate weights of other inputs, silently.) Arrays are read by position,
        as the mixtures give them.
        """
        fitted = getattr(self, "feature_names_in_", None)
        if names is None or fitted is None:
            return
        if len(names) != len(fitted) or np.any(names != fitted):
            raise ValueError(f"X has the columns {names.tolist()}, but MLPGate was fitted "
                             f"on the columns {fitted.tolist()}: pass those, in that order "
                             "(X[gate.feature_names_in_]).")

    def clip(self, Z):
        """Standardised inputs clipped to ``input_clip_`` (in place; gates pickled
        before the clip have none and are left as they were fitted).

        Parameters
        ----------
        Z : torch.Tensor of shape (n_samples, n_features)
            Standardised inputs.

        Returns
        -------
        Z : torch.Tensor of shape (n_samples, n_features)
            The same tensor, clipped.
        """
        limit = getattr(self, "input_clip_", None)
        return Z if limit is None else Z.clamp_(-limit, limit)

    def log_proba_tensor(self, X):
        """Log gate weights as a float64 tensor on the device, shape (n, n_experts).

        The device-side twin of :meth:`predict_log_proba`, equal to it within
        an ulp or two (torch's logsumexp, not numpy's); the mixture's predict
        takes :meth:`predict_proba` of X on the device instead, so that an
        array predicts what its DataFrame does to the last bit.

        Parameters
        ----------
        X : ndarray or torch.Tensor of shape (n_samples, n_features)
            Raw inputs: a numpy array, or a float64 tensor already on the
            gate's device (then nothing is copied).

        Returns
        -------
        log_proba : torch.Tensor of shape (n_samples, n_experts)
            float64, on the gate's device.
        """
        Z = self._inputs(X)   # (first: it checks the gate is fitted)
        logits = forward_in_chunks(self.module_, Z).to(torch.float64)
        return logits - torch.logsumexp(logits, dim=1, keepdim=True)

    def _init_seed(self):
        """The seed ``init`` was given (``_seed`` in gates pickled before ``seed_``)."""
        return getattr(self, "seed_", getattr(self, "_seed", 0))

    def _loss(self, Z, targets, weight, extra=None):
        """Weighted cross-entropy to ``targets``, the L2 penalty, and ``extra``
        (``fit``'s ``penalty``: a balance loss of the routing) when given."""
        logits = self.module_(Z)
        log_g = torch.log_softmax(logits, dim=1)
        # (clamped: an adam minibatch of zero-weight rows gave 0/0, a NaN gate)
        loss = -(weight * (targets * log_g).sum(1)).sum() / weight.sum().clamp_min(1e-12)
        if self.alpha:
            penalty = sum((p ** 2).sum() for _, module in self._fitted_modules()
                          for n, p in module.named_parameters() if n.endswith("weight"))
            loss = loss + self.alpha * penalty
        if extra is not None:
            loss = loss + extra(self, logits, Z, weight)
        return loss

    def _fitted_modules(self):
        """The torch modules fitted together: the gate, and its noise if any."""
        modules = [("module_", self.module_)]
        if getattr(self, "noise_module_", None) is not None:
            modules.append(("noise_module_", self.noise_module_))
        return modules

    def _parameters(self):
        return [p for _, module in self._fitted_modules() for p in module.parameters()]

    def fit(self, X, targets, sample_weight=None, warm_start=False, penalty=None,
            scaling=None):
        """Fit the gate to soft targets (responsibilities) by cross-entropy.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        targets : ndarray of shape (n_samples, n_experts)
            Rows are probability vectors over experts.
        sample_weight : ndarray of shape (n_samples,), default=None
        warm_start : bool, default=False
            Continue from the current network (``init`` must have run).
        penalty : callable, default=None
            Extra loss term ``penalty(gate, logits, Z, weight) -> scalar tensor``
            on the logits of the (standardised) inputs ``Z`` of a batch, e.g.
            a load-balancing loss (see ``skmoe._routing``).
        scaling : tuple of (ndarray, ndarray), default=None
            The input ``(mean, scale)`` of a cold start, as :meth:`init` takes
            it; None: ``X``'s, weighted by ``sample_weight``. A caller whose
            ``sample_weight`` is not the user's weights alone (a hierarchical
            mixture's posterior times them) passes the scaling of the user's.

        Returns
        -------
        self : MLPGate
        """
        with torch_fit_mode():
            names = _column_names(X)
            X, targets, sample_weight = self._check_fit_args(X, targets, sample_weight, warm_start)
            if not warm_start or not hasattr(self, "module_"):
                # A cold start rebuilds the network; noisy gating, once switched on
                # by ``add_noise``, stays on (with its noise reset too).
                noisy = getattr(self, "noise_module_", None) is not None
                self.init(X, targets.shape[1], self._init_seed(), self._dtype(), scaling=scaling,
                          sample_weight=sample_weight)
                if noisy:
                    self.add_noise()
                if names is None:
                    self.__dict__.pop("feature_names_in_", None)
                else:
                    self.feature_names_in_ = names
            else:
                self._check_column_names(names)
            Z = self._inputs(X)
            T = to_tensor(targets, self.device_, self._dtype())
            w = to_tensor(np.ones(len(X)) if sample_weight is None else sample_weight,
                          self.device_, self._dtype())
            n_iter = self.warm_max_iter if warm_start else self.max_iter
            self.module_.train()
            if self.solver == "lbfgs":
                self._fit_lbfgs(Z, T, w, n_iter, penalty)
            else:
                self._fit_adam(Z, T, w, n_iter, penalty)
                if not all(torch.isfinite(p).all() for p in self._parameters()):
                    # (The torch experts' check: a learning_rate of 1e30 gave a
                    # gate of NaN weights, and NaN gate weights, without a word; a
                    # hierarchical mixture then said its leaves had no weighted row.)
                    # The NaN network goes: the gate is left unfitted, as a failed fit.
                    del self.module_
                    raise diverged("MLPGate (solver='adam')", self.learning_rate,
                                   "its weights became NaN or infinite")
            self.module_.eval()
            return self

    def _check_fit_args(self, X, targets, sample_weight, warm_start):
        """``fit``'s arguments as arrays, or a clear error.

        (A list or a DataFrame as X failed with "'list' object has no attribute
        'mean'" or "The truth value of a Series is ambiguous", targets of the
        wrong length or width inside torch, and negative or NaN targets gave a
        gate of NaN or one-hot weights without a word.)
        """
        # (ensure_min_features=0: a tree mixture's node may see no column, and
        # its gate is then a constant one.)
        if is_dataframe(X) and X.shape[1] == 0:
            # A DataFrame of no columns is that too: scikit-learn's check failed
            # on it with numpy's bare "at least one array or dtype is required".
            X = np.empty((X.shape[0], 0))
        if isinstance(X, torch.Tensor):
            # As predict reads a tensor (_inputs), whatever its dtype: a
            # bfloat16 one, or one that requires grad, stopped in numpy's cast
            # ("Got unsupported ScalarType BFloat16"), though predict took it.
            X = X.detach().to("cpu", torch.float64).numpy()
        # float64, as the mixtures give it: float32 X was kept, its means and
        # scales computed in float32, and the same numbers fitted another gate.
        X = _float_x(X, ensure_min_features=0)
        targets = check_array(targets, dtype=np.float64, input_name="targets")
        width = self.n_experts_ if warm_start and hasattr(self, "module_") else None
        if len(targets) != len(X) or (width is not None and targets.shape[1] != width):
            raise ValueError(
                f"MLPGate: targets must have shape ({len(X)}, {width or 'n_experts'}), one "
                f"row of expert weights per row of X; got shape {targets.shape}.")
        if np.any(targets < 0):
            raise ValueError("MLPGate: targets must be non-negative weights over the experts "
                             "(responsibilities); got a negative value.")
        # Rows are probability vectors (EM's responsibilities; less than one
        # where experts were dropped). Rows summing to more scale the loss in
        # float32 against the penalty: targets of 1e37 overflowed it, and the
        # gate kept its initial weights (lbfgs) or became NaN (adam), silently.
        row_sums = targets.sum(axis=1)
        largest = float(row_sums.max()) if targets.size else 0.0
        if largest > 1.0 + 1e-6:
            raise ValueError(
                f"MLPGate: targets must be probability vectors over the experts (each row "
                f"summing to at most one); a row sums to {largest:.6g}. Divide each row by "
                "its sum (targets / targets.sum(axis=1, keepdims=True)) and pass row "
                "weights as sample_weight.")
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
            # Only relative weights matter (the loss divides by their total),
            # but the network computes in float32: weights of 1e40 became
            # infinite (a NaN gate with solver='adam', an untrained one with
            # 'lbfgs'), and weights of 1e-30 summed below the loss's floor on
            # the total (the penalty outweighed the data).
            sample_weight = normalised_weights(sample_weight)
        informative = row_sums > 0
        if sample_weight is not None:
            informative &= sample_weight > 0
        if len(X) and not informative.any():
            # (The loss was zero: the gate was fitted to its penalty alone, and
            # kept weights no data had set, without a word.)
            raise ValueError("MLPGate: targets hold no weight: every row"
                             + ("" if sample_weight is None else " of positive sample_weight")
                             + " is all zeros, so there is nothing to fit the gate to.")
        return X, targets, sample_weight

    def _fit_lbfgs(self, Z, T, w, n_iter, penalty=None):
        # Never leave the gate worse than it was: EM's M-step must not lower
        # the expected log-likelihood.
        lbfgs(self._parameters(), lambda: self._loss(Z, T, w, penalty), n_iter,
              history_size=LBFGS_HISTORY, never_worse=True)

    def _fit_adam(self, Z, T, w, n_epochs, penalty=None):
        optimizer = adam(self._parameters(), lr=self.learning_rate)
        rows = torch.arange(Z.shape[0], device=Z.device)
        generator = torch.Generator().manual_seed(int(self._init_seed()))
        for _ in range(n_epochs):
            for batch in minibatches(rows, self.batch_size, generator):
                optimizer.zero_grad()
                self._loss(Z[batch], T[batch], w[batch], penalty).backward()
                optimizer.step()

    # ------------------------------------------------------------------
    def logits(self, X):
        """Raw gate scores.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        logits : ndarray of shape (n_samples, n_experts)
        """
        Z = self._inputs(X)   # (first: it checks the gate is fitted)
        return to_numpy(forward_in_chunks(self.module_, Z))

    def logits_and_noise(self, X):
        """Clean logits and noise scale (None without noise) as numpy arrays.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        logits : ndarray of shape (n_samples, n_experts)
        noise_std : ndarray of shape (n_samples, n_experts) or None
            None when the gate has no noise (:meth:`add_noise` not called).
        """
        with torch.no_grad():
            Z = self._inputs(X)
            std = self.noise_std(Z)
            return (to_numpy(self.module_(Z)), None if std is None else to_numpy(std))

    def predict_log_proba(self, X):
        """Log gate weights.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_experts)
        """
        # The softmax is taken in float64 on the float32 logits: in float32,
        # exp(log_softmax) rows sum to one only within ~1e-7, which
        # probability consumers such as sklearn's log_loss reject.
        logits = self.logits(X)
        return logits - logsumexp(logits, axis=1, keepdims=True)

    def predict_proba(self, X):
        """Gate weights (rows sum to one).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_experts)
        """
        return np.exp(self.predict_log_proba(X))
