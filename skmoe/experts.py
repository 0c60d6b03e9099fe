"""Extra expert estimators: torch MLPs (CPU or GPU) and rules written as functions.

* :class:`TorchMLPRegressor` / :class:`TorchMLPClassifier` -- scikit-learn
  estimators around a torch MLP. They take ``sample_weight`` (so EM can use
  them) and, inside a mixture with ``training="gradient"``, are trained end to
  end with the gate; several of one shape then run as one batched network.
* :class:`~skmoe.RuleExpert` -- a plain Python function of ``X`` (a domain rule),
  optionally with a few fitted parameters, as an expert.
"""

import contextlib
import numbers
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval
from ._base import (CheckedScoreMixin, _float_target, check_finite_target, check_label_values,
                    check_sample_weight, encode_class_labels, refuse_time_target)
from ._data import (FittedMarkerMixin, keep_column_labels, mean_and_scale, normalised_weights,
                    refuse_reordered_columns, refuse_unreadable_tensor, validate_numeric_data)
from ._likelihood import LogProbaMixin
from ._nn import ACTIVATIONS, check_layer_sizes, make_mlp
from ._persistence import TorchStateMixin
from ._rules import RuleExpert
from ._training import (LEARNING_RATE, WEIGHT_DECAY, EarlyStopping, check_kept_loss,
                        check_training_rows, diverged, is_default, minibatches,
                        n_validation_rows, validation_split,
                        warn_unused_without_early_stopping)
from ._torch_utils import (PRECISIONS, adam, device_array, matmul_precision, resolve_device,
                           seeded_torch, standardisation, standardise, to_numpy, to_tensor,
                           torch_fit_mode)

# Activations held per layer at predict time, in float32 elements (512 MB):
# bounds the rows of one forward pass by the width of the widest layer.
PREDICT_ELEMENTS = 2 ** 27


def predict_chunk(n_experts, widths):
    """Rows per forward pass when ``n_experts`` networks of these layer widths run."""
    return max(1024, PREDICT_ELEMENTS // (max(n_experts, 1) * max(widths)))


def constant_target(y, sample_weight=None):
    """The value of a regression target constant over its rows of positive
    weight, or None.

    A torch regressor predicts such a target as its constant (``y_scale_ =
    0``), as the multi-task mixtures predict one: scaled by one, the network's
    leftover outputs were added to it (predictions from -0.005 to 0.24 for y =
    0 or 3.7e-12; a mixture trained jointly predicted 5.09 for y = 5).
    """
    kept = y if sample_weight is None else y[np.asarray(sample_weight) > 0]
    return float(kept[0]) if len(kept) and kept.min() == kept.max() else None


# The logit of a class that no row of positive weight has: its softmax
# probability, exp(-1e4) against any other class, is 0 in float64.
_NO_ROW_LOGIT = -1e4


def rule_out_classes_without_rows(module, codes, sample_weight, n_classes):
    """Make a trained classifier network give probability 0 to the classes
    (of ``classes_``) that no row of positive weight has.

    Such a class is in ``classes_``, as scikit-learn's classifiers keep it,
    but a row of zero weight is a row left out: the network kept its initial
    logit for it, lowered only as far as training got (a probability up to
    0.5 after 5 epochs, predicted for 70 of 300 rows; 0.05 after 200), where
    the mixtures' other experts (and a tree) give it 0. Its output row of
    weights is zeroed and its bias set to :data:`_NO_ROW_LOGIT`.
    """
    codes = np.asarray(codes)
    if sample_weight is not None:
        codes = codes[np.asarray(sample_weight) > 0]
    absent = np.ones(n_classes, dtype=bool)
    absent[np.unique(codes).astype(np.int64)] = False
    if not absent.any():
        return
    last = [m for m in module.modules() if isinstance(m, torch.nn.Linear)][-1]
    rows = torch.as_tensor(np.flatnonzero(absent), device=last.weight.device)
    with torch.no_grad():
        last.weight[rows] = 0.0
        last.bias[rows] = _NO_ROW_LOGIT


class _BaseTorchMLP(FittedMarkerMixin, TorchStateMixin, BaseEstimator):
    """Shared fitting of the torch MLP regressor and classifier."""

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "learning_rate": LEARNING_RATE,
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "weight_decay": WEIGHT_DECAY,
        "device": [str, None],
        "precision": [StrOptions(set(PRECISIONS))],
        "random_state": ["random_state"],
    }

    def __init__(self, hidden_layer_sizes=(64,), *, activation="relu", dropout=0.0,
                 learning_rate=1e-3, batch_size=256, max_epochs=200, early_stopping=True,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-4, weight_decay=0.0,
                 device="auto", precision="float32", random_state=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.weight_decay = weight_decay
        self.device = device
        self.precision = precision
        self.random_state = random_state

    # -- pieces the gradient trainer shares ---------------------------------
    def _hidden_sizes(self):
        return check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")

    def _warn_unused_layer_options(self, stacklevel, who=""):
        """Warn of ``activation`` or ``dropout`` set with no hidden layer
        (``hidden_layer_sizes=()``: a linear model), where neither acts (the
        fit was that of the defaults, without a word). ``who`` names the
        expert in a mixture; ``stacklevel`` points at the caller of fit."""
        if self._hidden_sizes():
            return
        changed = [f"{name}={getattr(self, name)!r}" for name, default in
                   (("activation", "relu"), ("dropout", 0.0))
                   if not is_default(getattr(self, name), default)]
        if changed:
            warnings.warn(f"{who}{' and '.join(changed)} "
                          f"{'has' if len(changed) == 1 else 'have'} no effect with "
                          "hidden_layer_sizes=() (a linear model: no hidden layer to "
                          "activate or drop out).", UserWarning, stacklevel=stacklevel + 1)

    def _architecture(self, n_out):
        """Experts with equal architectures can be batched together."""
        return (self._hidden_sizes(), self.activation, float(self.dropout), n_out)

    def _seed(self):
        return check_random_state(self.random_state).randint(np.iinfo(np.int32).max)

    def _new_module(self, n_in, n_out, seed):
        with seeded_torch(seed):
            return make_mlp(n_in, self._hidden_sizes(), n_out, self.activation,
                            self.dropout)

    # Fitted once ``module_`` is installed, at the end of fit: a fit that failed
    # (y refused after n_features_in_ was set, a diverged network) looked
    # fitted, and predict failed with "object has no attribute 'device_'", or
    # a failed refit kept the previous network.
    _fitted_marker = "module_"

    def _set_fitted(self, module, x_mean, x_scale, device, n_iter, history):
        """Install a trained module (used by fit and by the gradient trainer)."""
        self.module_ = module.eval()
        self.x_mean_, self.x_scale_ = x_mean, x_scale
        self.device_ = device
        self.n_iter_ = n_iter
        self.history_ = history
        return self

    # -- training ----------------------------------------------------------
    def _fit_torch(self, X, target, sample_weight, n_out):
        self._validate_params()
        self._hidden_sizes()
        # (Read without a word before; n_iter_no_change and tol are read
        # either way: the training loss stops the run.)
        warn_unused_without_early_stopping(self, ("validation_fraction",), stacklevel=3)
        self._warn_unused_layer_options(stacklevel=3)
        device = resolve_device(self.device)
        seed = self._seed()
        # (Of the rows fitted, weighted as the loss weighs them, as the
        # target's: see TorchMLPRegressor.fit.)
        positive = sample_weight > 0
        x_mean, x_scale = standardisation(X[positive], sample_weight[positive])
        Z = standardise(device_array(X, device), x_mean, x_scale)
        T = torch.as_tensor(target, device=device)
        # (The mean of weights near 1e308 overflowed, every weight became 0
        # and the network kept its initial weights, silently.)
        w = to_tensor(normalised_weights(sample_weight), device)
        rng = np.random.RandomState(seed)
        n = len(X)
        n_val = n_validation_rows(self.validation_fraction, n) if self.early_stopping else 0
        check_training_rows(self.validation_fraction, n, n_val, type(self).__name__,
                            "early_stopping=False", n_out if n_out > 1 else 0)
        # (Zero weights, rows routed elsewhere, could leave one side of the
        # split weightless: its loss was 0/0, NaN, and the network NaN.)
        val, train = validation_split(rng.permutation(n), n_val, sample_weight,
                                      self.validation_fraction, rng)
        n_val = len(val)
        module = self._new_module(X.shape[1], n_out, seed).to(device)
        optimizer = adam(module.parameters(), lr=self.learning_rate,
                         weight_decay=self.weight_decay, fused=device.type == "cuda" or None)
        generator = torch.Generator().manual_seed(int(seed))
        train_t = torch.as_tensor(train, device=device)
        train_weight = w[train_t].sum().item()
        stopping = EarlyStopping(self.tol, self.n_iter_no_change, keep_best=bool(n_val))
        history = []
        # Dropout masks come from the seeded global generator; without
        # dropout nothing is drawn, and fits in threads need not wait for
        # each other (seeded_torch runs one seeded block at a time).
        with seeded_torch(seed) if self.dropout else contextlib.nullcontext():
            for epoch in range(1, self.max_epochs + 1):
                module.train()
                total = 0.0
                for rows in minibatches(train_t, self.batch_size, generator):
                    optimizer.zero_grad()
                    with matmul_precision(self.precision, device):
                        output = module(Z[rows]).float()
                        loss = self._weighted_loss(output, T[rows], w[rows])
                        loss.backward()
                    optimizer.step()
                    # The weighted mean over the epoch (see _mmoe's loss_curve_).
                    total += loss.item() * w[rows].sum().item()
                record = {"epoch": epoch, "train_loss": total / max(train_weight, 1e-12)}
                if n_val:
                    module.eval()
                    with torch.no_grad(), matmul_precision(self.precision, device):
                        rows = torch.as_tensor(val, device=device)
                        record["validation_loss"] = self._weighted_loss(
                            module(Z[rows]).float(), T[rows], w[rows]).item()
                history.append(record)
                if stopping.update(record.get("validation_loss", record["train_loss"]),
                                   module):
                    break
        stopping.restore(module)
        if not all(torch.isfinite(p).all() for p in module.parameters()):
            # A diverged network (the best one kept by early stopping, if any,
            # included) predicted NaN for every row, and a classifier class 0,
            # silently.
            raise diverged(type(self).__name__, self.learning_rate,
                           "its weights became NaN or infinite (training loss "
                           f"{history[-1]['train_loss']:.3g} at epoch {epoch})")
        self._check_kept_loss(history, bool(n_val),
                              self._reference_loss(target, sample_weight))
        module.zero_grad(set_to_none=True)
        return self._set_fitted(module, x_mean, x_scale, device, epoch, history)

    def _check_kept_loss(self, history, kept_best, reference):
        """Raise where the network kept diverged without becoming NaN.

        ``reference`` is the loss of a fit that learnt nothing (the
        regressor's mean, the classifier's equal probabilities); None or 0 (nothing to learn)
        skips the check. learning_rate=1e3 kept a regressor 1e11 times worse
        than the mean (predictions spread 1e5 wide on a target of spread 3),
        10 one that blew up and then predicted one constant; only NaN was an
        error. A diverged fit is one whose kept epoch trained at a loss over
        10 times the reference, or no better than 0.9 times it after the loss
        went over 100 times it (:func:`~skmoe._training.check_kept_loss`).
        """
        if not reference:
            return
        kept = (int(np.argmin([record["validation_loss"] for record in history]))
                if kept_best else len(history) - 1)
        check_kept_loss(type(self).__name__, self.learning_rate,
                        [record["train_loss"] for record in history], kept, reference,
                        self._reference_words.format(reference))

    def _forward_numpy(self, X):
        # X goes to the device once, in float64, and is standardised there
        # (the same numbers as numpy's); rows are then run in chunks.
        X_device = device_array(X, self.device_)
        widths = [m.out_features for m in self.module_ if isinstance(m, torch.nn.Linear)]
        chunk = predict_chunk(1, widths)
        outputs = []
        with torch.no_grad(), matmul_precision(self._precision(), self.device_):
            for start in range(0, len(X), chunk):
                Z = standardise(X_device[start:start + chunk], self.x_mean_, self.x_scale_)
                outputs.append(self.module_(Z).float())
        if not outputs:
            return np.empty((0,) + self._output_shape())
        return self._transform_output(torch.cat(outputs))

    def _precision(self):
        return getattr(self, "precision", "float32")  # models pickled before it existed

    def _check_X(self, X):
        check_is_fitted(self)
        # (X[[2, 1, 0]] of a frame labelled 0, 1, 2 was predicted from swapped
        # features without a word, as the mixtures and RuleExpert refuse it.)
        refuse_reordered_columns(self, X, "the network reads")
        return validate_numeric_data(self, X, reset=False, who=type(self).__name__)

    def __setstate__(self, state):
        # Pickles written before skmoe._persistence hold a CPU module and this key.
        state.pop("_fitted_on", None)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags


class TorchMLPRegressor(CheckedScoreMixin, RegressorMixin, _BaseTorchMLP):
    """Multi-layer perceptron regressor in torch, on the CPU or a GPU.

    Inputs and target are standardised; the network is trained with minibatch
    Adam on the (sample-weighted) squared error, with early stopping on a
    validation fraction. In a mixture with ``training="gradient"`` it is
    instead trained jointly with the gate (see
    :class:`~skmoe.MixtureOfExpertsRegressor`), with the mixture's learning
    rate, batch size, epochs, early stopping and device: its own warn there
    when set away from their defaults.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64,)
    activation : {'relu', 'tanh', 'gelu', 'logistic'}, default='relu'
    dropout : float, default=0.0
        Dropout after every hidden layer (training only). With
        ``hidden_layer_sizes=()`` neither acts, and set they warn.
    learning_rate : float, default=1e-3
        Adam step size.
    batch_size : int, default=256
    max_epochs : int, default=200
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows and stop when their loss
        has not improved by ``tol`` for ``n_iter_no_change`` epochs; the best
        weights are kept. Without it, the training loss decides when to stop,
        as it does on fewer than three rows.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping (at least one, and
        two left to train on); a fraction that holds out more rows than it
        leaves and leaves fewer than 10 (or two per class) is refused. Only
        read with
        ``early_stopping=True`` (set without it: a warning).
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    weight_decay : float, default=0.0
        L2 penalty (Adam's ``weight_decay``).
    device : str or None, default='auto'
        ``'auto'`` (or None) uses CUDA when available; ``'cuda'`` without CUDA
        is an error.
    precision : {'float32', 'tf32', 'bf16'}, default='float32'
        Matmul precision of the network's forward and backward passes (fit,
        predict, and joint training in a mixture). ``'float32'`` is full
        float32. ``'tf32'`` lets CUDA matmuls use TF32 tensor cores (10-bit
        mantissa, float32 accumulation; no effect on the CPU). ``'bf16'``
        autocasts the network to bfloat16 (float32 accumulation, float32
        weights and optimiser). The network's outputs are cast to float32
        either way, and ``predict`` and ``predict_proba`` return float64
        (rescaled to y's units, or a float64 softmax). In a mixture's joint
        training, ``'tf32'`` covers the whole training step
        (the gate's matmuls too); ``'bf16'`` the experts only.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling, dropout and the split.

    Attributes
    ----------
    module_ : torch.nn.Sequential
    x_mean_, x_scale_ : ndarray of shape (n_features,)
        The inputs' scaling, over the rows of positive weight.
    y_mean_, y_scale_ : float
        The target's scaling, over the rows of positive weight; a constant
        target has ``y_scale_ = 0``, so that it is predicted exactly.
    n_iter_ : int
        Epochs run.
    history_ : list of dict
        Per epoch: ``epoch`` (from 1), ``train_loss`` and, where rows were
        held out for early stopping, ``validation_loss``.
    device_ : torch.device
        Where the network lives (``device`` resolved).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from skmoe.experts import TorchMLPRegressor
    >>> X = np.linspace(0, 1, 50)[:, None]
    >>> TorchMLPRegressor(max_epochs=5, random_state=0).fit(X, X[:, 0]).predict(X).shape
    (50,)
    """

    def fit(self, X, y, sample_weight=None):
        """Fit the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : TorchMLPRegressor
        """
        with torch_fit_mode():
            self._forget_fit()
            X_given = X
            # Before the cast, which reads dates as counts of their unit: the
            # network fitted microseconds since 1970 and predicted them, silently
            # (the mixtures, the ensembles and this model's score refuse them).
            refuse_time_target(y, type(self).__name__)
            X, y = validate_numeric_data(self, X, y, y_numeric=True, who=type(self).__name__)
            keep_column_labels(self, X_given)
            # y_numeric converts object arrays only; a string array reached numpy's
            # "resolved dtypes are not compatible with add.reduce". Read as the
            # mixtures (and scikit-learn's regressors) read it: numbers written as
            # text are numbers (they were refused as if they were class labels).
            if y.dtype.kind not in "biuf":
                def not_numeric(exc):
                    return ValueError(f"y must be numeric for {type(self).__name__} (a "
                                      f"regressor): {exc}; use TorchMLPClassifier for class "
                                      "labels.")
                y = _float_target(y, not_numeric)
            # float64, as the mixtures read it: a float32 y was standardised in
            # float32 arithmetic (its mean rounded to float32 first), and the same
            # numbers fitted another network (predictions 0.002 apart at y ~ 1e6).
            y = y.astype(np.float64)
            # (y_mean_ was NaN, and every prediction, silently.)
            check_finite_target(y, type(self).__name__)
            # (X as given: its row labels are checked against the weights'.)
            sample_weight = check_sample_weight(sample_weight, X_given)
            sample_weight = np.ones(len(y)) if sample_weight is None else sample_weight
            # The scaling of the rows fitted, those of positive weight: rows of
            # weight zero (rows masked out) set it too, and rows at y ~ 1e4 beside
            # rows of spread 0.7 left the network a standardised range of 1e-4 to
            # fit (RMSE 60 on those rows, 0.35 with the others left out).
            # Their targets, which no loss reads, are zero.
            positive = sample_weight > 0
            # Weighted as the loss weighs the rows: unweighted, integer weights
            # fitted another network than their repeated rows, and five rows of
            # weight 1e-9 at y = 300 set the scale of all the others.
            self._set_target_scaling(y[positive], sample_weight[positive])
            target = np.zeros(len(y), dtype=np.float32)
            target[positive] = (y[positive] - self.y_mean_) / self.y_scale_
            constant = constant_target(y, sample_weight)
            if constant is not None:
                self.y_mean_, self.y_scale_ = constant, 0.0
            return self._fit_torch(X, target, sample_weight, 1)

    def _set_target_scaling(self, y, sample_weight=None):
        self.y_mean_, self.y_scale_ = mean_and_scale(y, sample_weight)

    _reference_words = "predicting the mean costs 1 (the loss is on the standardised target)"

    def _reference_loss(self, target, sample_weight):
        """The loss of predicting the mean: 1, or None for a constant target."""
        return None if self.y_scale_ == 0 else 1.0

    @staticmethod
    def _weighted_loss(output, target, weight):
        # (A minibatch of zero-weight rows: 0, not 0/0 = NaN in every weight.)
        return (weight * (output[:, 0] - target) ** 2).sum() / weight.sum().clamp_min(1e-12)

    def _transform_output(self, output):
        return to_numpy(output[:, 0]) * self.y_scale_ + self.y_mean_

    def _output_shape(self):
        return ()

    def predict(self, X):
        """Predicted values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._forward_numpy(self._check_X(X))


class TorchMLPClassifier(CheckedScoreMixin, ClassifierMixin, LogProbaMixin, _BaseTorchMLP):
    """Multi-layer perceptron classifier in torch, on the CPU or a GPU.

    Trained with minibatch Adam on the (sample-weighted) cross-entropy; in a
    mixture with ``training="gradient"``, jointly with the gate, as
    :class:`TorchMLPRegressor`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64,)
    activation : {'relu', 'tanh', 'gelu', 'logistic'}, default='relu'
    dropout : float, default=0.0
    learning_rate : float, default=1e-3
    batch_size : int, default=256
    max_epochs : int, default=200
    early_stopping : bool, default=True
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    weight_decay : float, default=0.0
    device : str or None, default='auto'
    precision : {'float32', 'tf32', 'bf16'}, default='float32'
    random_state : int, RandomState instance or None, default=None
        All as in :class:`TorchMLPRegressor`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_, x_mean_, x_scale_, n_iter_, history_, device_, n_features_in_, \
feature_names_in_
        As in :class:`TorchMLPRegressor`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skmoe.experts import TorchMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y).predict_proba(X).shape
    (150, 3)
    """

    def fit(self, X, y, sample_weight=None):
        """Fit the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : TorchMLPClassifier
        """
        with torch_fit_mode():
            self._forget_fit()
            refuse_unreadable_tensor(y, type(self).__name__, "y")
            if y is not None:
                # Before scikit-learn's check, which stopped on pd.NA (a "string"
                # column's missing value) with "boolean value of NA is ambiguous".
                check_label_values(y, "y")
            X_given = X
            X, y = validate_numeric_data(self, X, y, who=type(self).__name__)
            keep_column_labels(self, X_given)
            encoder, target = encode_class_labels(y)
            # (X as given: its row labels are checked against the weights'.)
            sample_weight = check_sample_weight(sample_weight, X_given)
            sample_weight = np.ones(len(y)) if sample_weight is None else sample_weight
            self.classes_ = encoder.classes_
            target = target.astype(np.int64)
            self._fit_torch(X, target, sample_weight, len(self.classes_))
            rule_out_classes_without_rows(self.module_, target, sample_weight, len(self.classes_))
            return self

    _reference_words = "equal probabilities for the classes cost {:.3g}"

    def _reference_loss(self, target, sample_weight):
        """The cross-entropy of equal probabilities for the classes of positive
        weight, ``log(n_classes)``: what an untrained network costs.

        What the loss of 1 of the regressor's mean is to a classifier: 0 (one
        class of positive weight) skips the check. (Not the class frequencies'
        cross-entropy: with a rare class it is tiny, about 0.005 for 3 rows in
        5,000, and an ordinary fit started 100 times above it and ended near
        it, so it was called diverged.)
        """
        weights = np.bincount(target, weights=sample_weight)
        return float(np.log(np.count_nonzero(weights > 0)))

    @staticmethod
    def _weighted_loss(output, target, weight):
        nll = torch.nn.functional.cross_entropy(output, target, reduction="none")
        return (weight * nll).sum() / weight.sum().clamp_min(1e-12)

    def _transform_output(self, output):
        # The softmax in float64 of the float32 logits, as the gate's: in
        # float32 the rows summed to one only within ~1e-7, and scikit-learn's
        # log_loss warned "The y_prob values do not sum to one".
        return to_numpy(torch.softmax(output.to(torch.float64), dim=1))

    def _output_shape(self):
        return (len(self.classes_),)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return self._forward_numpy(self._check_X(X))

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _defined_by(cls, method):
    """The class of ``cls``'s MRO that defines ``method`` (None if none does)."""
    return next((c for c in cls.__mro__ if method in vars(c)), None)


def is_differentiable_expert(estimator):
    """Whether the gradient trainer can train ``estimator`` jointly with the
    gate, and the mixtures' predict run it as a (batched) network: a torch MLP
    whose outputs are its network's.

    A subclass with a ``predict`` (regressor) or ``predict_proba`` (classifier)
    of its own (outputs clipped, sharpened) is an expert as any other
    scikit-learn model, fitted and predicted by its own methods: its network
    was trained jointly and predicted from directly, and the override read
    by ``predict_experts`` only (the mixture's predictions 0.01 off the gate's
    blend of the experts' own, its probabilities 0.11 off), silently.
    """
    if not isinstance(estimator, _BaseTorchMLP):
        return False
    base, output = ((TorchMLPClassifier, "predict_proba")
                    if isinstance(estimator, TorchMLPClassifier)
                    else (TorchMLPRegressor, "predict"))
    return _defined_by(type(estimator), output) is _defined_by(base, output)


# The parameters only a torch expert's own fit reads: the gradient trainer
# trains its network (hidden_layer_sizes, activation, dropout, weight_decay,
# precision, random_state) jointly with the gate, with the mixture's
# learning_rate, batch_size, max_epochs, early stopping and device, and warns
# when these are set (skmoe._trainers.warn_ignored_options).
TORCH_FIT_OPTIONS = ("learning_rate", "batch_size", "max_epochs", "early_stopping",
                     "validation_fraction", "n_iter_no_change", "tol", "device")

__all__ = ["RuleExpert", "TorchMLPClassifier", "TorchMLPRegressor"]
