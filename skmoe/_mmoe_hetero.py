"""Heterogeneous multi-gate mixture: per-task gates over scikit-learn experts.

Every expert is a multi-output scikit-learn regressor fitted once to all the
tasks' targets, encoded as one matrix: the standardised value of each
regression task and the class-indicator columns of each classification task
(so a forest or k-NN regressor predicts class frequencies). Task ``t``
mixes the experts' predictions for its own columns with its own gate:

    regression:     y_t(x)     = sum_e g_te(x) f_e,t(x)
    classification: p_t(c | x) = sum_e g_te(x) p_e,t(c | x)

Training follows the gradient recipe of the single-task mixture for
non-differentiable experts: the experts are cross-fitted first and the gates
(one batched torch module, one softmax per task) learn on their honest
out-of-fold predictions; the experts are then refitted on all rows.
"""

import numbers
import re
import warnings
from functools import partial

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.frozen import FrozenEstimator
from sklearn.multioutput import MultiOutputRegressor, RegressorChain
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.parallel import Parallel

from ._compat import Interval, N_JOBS, get_tags
from ._base import (_BaseExpertComposition, _check_has_tags, _check_not_a_transformer,
                    _check_not_unsupervised, _holds_a, _refuse_misnamed_fit_params,
                    clone_expert, fit_expert, rebuilt_error)
from ._crossfit import (CrossFitAverage, _check_every_class_trains, check_folds_partition,
                        cross_fit, cv_of_groups, group_codes, make_folds, splits_of_rows,
                        united_folds)
from ._data import (FRAME_AS_ARRAY_HINT, normalised_weights, read_only_view,
                    refuse_misaligned_rows)
from ._inspection import TaskGateOutputMixin
from ._likelihood import _check_finite, call_expert, check_not_diverging, mix_probabilities
from ._multitask import TASK_TYPES, _BaseMultiTask
from ._nn import ACTIVATIONS, BatchedMLP, check_layer_sizes
from ._persistence import TorchStateMixin
from ._torch_utils import (resolve_device, seeded_torch, standardisation,
                           standardised_tensor, to_numpy, to_tensor, torch_fit_mode)
from ._training import WEIGHT_DECAY, lbfgs
from ._warnings import expert_warnings_once

# Regressors' predictions of class indicators are clipped at zero and
# smoothed by this much before renormalising them into probabilities (additive
# smoothing of one expert's output; not a floor on the mixture's probability).
INDICATOR_SMOOTHING = 1e-4

# alpha='auto': the gates' L2 penalties tried, strongest first (a tie goes to
# the stronger one), and the folds of the gates' training rows they are
# compared on. At 1.0 the gates are all but constant (the best constant blend
# of the experts); at 1e-4, the former default, they overfit the
# out-of-fold rows of real data (multitask_realdata.md: binary log-loss 1.18
# on birthwt where the single-task mixture scores 0.59).
ALPHA_GRID = (1.0, 1e-2, 1e-4)
ALPHA_CV = 3
# Shuffles an int cv tries (each on every task's labels) for folds whose
# training rows hold every class of every task (_int_folds).
_FOLD_SHUFFLES = 10


_FEWER_OUTPUTS = "(is it a multi-output regressor?)"


def _fits_one_column(name, template, X, column, weight, seed):
    """Whether a copy of the expert fits and predicts one target column: then
    the several columns were its failure, and ``MultiOutputRegressor`` the cure."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # (the failure is reported, not these)
            expert = fit_expert(name, clone_expert(name, template), X, column, weight, seed)
            _predict_columns(name, expert, X, 1)
    except Exception:
        return False
    return True


def _takes_only_multi_output(estimator):
    """Whether an expert fits only a 2-D y: a ``MultiOutputRegressor`` or a
    ``RegressorChain``, or one inside it (a ``Pipeline`` or a ``GridSearchCV``,
    whose tags do not pass on theirs), or one whose tags say it has no single
    output."""
    if _holds_a(estimator, (MultiOutputRegressor, RegressorChain)):
        return True
    try:
        return not get_tags(estimator).target_tags.single_output
    except (TypeError, ValueError, AttributeError):    # not an estimator: fit says so
        return False


def _fit_on_encoded_targets(name, estimator, X, y, weight, seed, **kwargs):
    """:func:`fit_expert`, with one encoded column (a single regression task,
    given as a 1-D y) as a column to an expert that fits only a 2-D y.

    (A ``MultiOutputRegressor(LGBMRegressor())``, an expert the class's
    docstring names, failed on one regression task with scikit-learn's "y
    must have at least two dimensions for multi-output regression", even
    for a y of shape (n_samples, 1); a RegressorChain with "tuple index out
    of range".)
    """
    if y.ndim == 1 and _takes_only_multi_output(estimator):
        y = y.reshape(-1, 1)
    return fit_expert(name, estimator, X, y, weight, seed, **kwargs)


def _with_multi_output_hint(exc, names, templates, n_columns, X, targets, weight, seed):
    """``exc``, with a hint where the expert it names is a single-output regressor
    that fits one column of ``targets`` (the encoded targets; X, the weights and
    the seed as the experts were given them).

    (An SVR given the two indicator columns of a binary task failed with
    scikit-learn's "y should be a 1d array, got (60, 2)", and nothing said why
    y had two columns or what to do. And not where one column fails too: an
    IsotonicRegression given X of 3 features was sent to the wrapper, which
    fails the same.)
    """
    for name, template in zip(names, templates):
        message = str(exc)
        # Not where _predict_columns found NaN or too many outputs: there the
        # hint ("'n' predicts one output") was wrong and sent users to a
        # wrapper that changes nothing.
        own_check = (message.startswith(f"Expert '{name}' returned ")
                     and _FEWER_OUTPUTS not in message)
        if (n_columns > 1 and message.startswith(f"Expert '{name}' ") and not own_check
                and not get_tags(template).target_tags.multi_output
                and _fits_one_column(name, template, X, targets[:, 0], weight, seed)):
            # A sentence of its own, in place of the question it answers: it was
            # "... (is it a multi-output regressor?). (the experts are ...
            # MultiOutputRegressor)", without a full stop.
            message = message.replace(f" {_FEWER_OUTPUTS}", "").rstrip()
            return rebuilt_error(exc, (
                f"{message}{'' if message.endswith('.') else '.'} The experts are fitted "
                f"on all the encoded targets at once, {n_columns} columns: one per "
                "regression task and one per class of a classification task; "
                f"'{name}' predicts one output, so wrap it in "
                "sklearn.multioutput.MultiOutputRegressor."))
    return exc


def _with_standardised_target_hint(exc, names, templates, y_min, targets_min):
    """``exc``, with a hint where an expert that needs non-negative targets (a
    Poisson, Gamma or Tweedie loss) failed on the encoded targets' negative
    values, ``targets_min`` below 0, although the regression tasks' values in
    ``y``, ``y_min`` at the least, have none.

    (A PoissonRegressor fitted on counts failed with scikit-learn's "Some
    value(s) of y are out of the valid range of the loss 'HalfPoissonLoss'",
    where y had no such value: the standardised task had. The single-task
    mixtures take such experts.)
    """
    if not (targets_min < 0 <= y_min):
        return exc
    message = str(exc)
    for name, template in zip(names, templates):
        if not message.startswith(f"Expert '{name}' "):
            continue
        try:
            positive_only = get_tags(template).target_tags.positive_only
        except (TypeError, ValueError, AttributeError):
            positive_only = False
        # (Or a message of y's range: a forest's or a boosting's poisson
        # criterion has no such tag.)
        if positive_only or re.search(r"\by\b", message) and any(
                word in message.lower() for word in ("negative", "valid range", "positive")):
            return rebuilt_error(exc, (
                f"{message} (the experts are fitted on the encoded targets, in which each "
                "regression task is standardised to mean 0, so has negative values where y "
                f"has none: '{name}' needs non-negative targets and cannot be an expert "
                "here; fit such a task with a MixtureOfExpertsRegressor of its own)"))
    return exc


def _with_array_hint(exc, feature_names):
    """``exc``, with a hint where an expert selected columns of a DataFrame by name.

    X is checked as numbers and the experts get a float64 array: a
    ColumnTransformer of named columns failed with scikit-learn's "Specifying
    the columns using strings is only supported for dataframes" although the
    user had passed a DataFrame. ``feature_names``: X's column names in fit.
    """
    if feature_names is None or "only supported for dataframes" not in str(exc):
        return exc
    shown = ", ".join(f"{name!r}: {i}" for i, name in enumerate(feature_names[:5]))
    # (Without the single-task mixtures' hint, whose X.to_pandas() cures
    # nothing here: this mixture gives a pandas DataFrame as an array too.)
    message = str(exc).replace(FRAME_AS_ARRAY_HINT, "")
    return rebuilt_error(exc, (
        f"{message} (HeterogeneousMultiGateMixtureOfExperts gives its experts X as a numeric "
        "array, not the DataFrame given: select columns by position, as in X's column "
        f"order ({shown}{', ...' if len(feature_names) > 5 else ''}))"))


def _predict_columns(name, expert, X, n_columns):
    """One expert's (n, n_columns) predictions, checked; errors name the expert."""
    pred = call_expert(name, expert, "predict", X).reshape(len(X), -1)
    if pred.shape[1] != n_columns:
        raise ValueError(f"Expert '{name}' returned {pred.shape[1]} outputs per sample; "
                         f"the encoded targets have {n_columns} columns"
                         + (f" {_FEWER_OUTPUTS}." if pred.shape[1] < n_columns else "."))
    _check_finite(pred, name, X)
    return pred


def _check_refitted(name, estimator):
    """Refuse an expert fitted already (a ``FrozenEstimator``, a
    ``CrossFitAverage``, or one holding such a step), whose ``fit`` does not
    refit it.

    The experts here must predict the encoded target matrix (each regression
    task standardised, one indicator column per class), which only this fit
    makes: a Ridge frozen after fitting on y's raw values (mean 100) was read
    as a standardised target, and the gates gave it weight 2e-8, silently.
    """
    if _holds_a(estimator, (FrozenEstimator, CrossFitAverage)):
        raise ValueError(
            f"Expert '{name}' ({type(estimator).__name__}) is fitted already and is not "
            "refitted, but the experts of HeterogeneousMultiGateMixtureOfExperts are fitted "
            "on the encoded targets of all the tasks (each regression task standardised, "
            "one indicator column per class), which a model fitted before does not predict. "
            "Give the expert unfitted.")


def _no_penalty(alpha):
    """Whether ``alpha`` is a penalty of zero (not 'auto', whose penalties are not)."""
    return not isinstance(alpha, str) and float(alpha) == 0.0


class HeterogeneousMultiGateMixtureOfExperts(TorchStateMixin, TaskGateOutputMixin,
                                             _BaseExpertComposition, _BaseMultiTask):
    """Multi-task mixture whose shared experts are any scikit-learn regressors.

    Each task has its own softmax gate over the same experts. Experts are
    fitted once on the encoded target matrix of all tasks (see Notes); the
    gates are trained by gradient on the tasks' losses using the experts'
    cross-fitted predictions.

    Parameters
    ----------
    experts : list of (str, estimator)
        Multi-output regressors (``Ridge``, ``RandomForestRegressor``,
        ``KNeighborsRegressor``, ``MultiOutputRegressor(LGBMRegressor())``,
        a ``Pipeline``...). ``'drop'`` removes one. Each is fitted here, on
        the encoded targets (see Notes): an expert fitted already (a
        ``FrozenEstimator``, or a step of one) is refused.
    tasks : list of {'regression', 'binary', 'multiclass'} or str, default=None
        Type of each column of ``y``; None means all regression.
    task_weights : array-like of shape (n_tasks,), default=None
        Weight of each task's loss in the gates' objective, by position (y's
        column order), rescaled to mean one. The experts are fitted first,
        on every task's targets, without it; and each task has its own gate,
        so a task's weight ``w_t`` only trades that task's loss against its
        gate's L2 penalty: it acts as ``alpha / w_t`` on that gate (with
        ``alpha='auto'``, on each penalty tried). A larger weight gives the
        task a less regularised gate, not more of the experts (unlike
        :class:`MultiGateMixtureOfExperts`, whose experts are trained on the
        weighted sum of the tasks' losses). Each must be positive: a task of
        weight 0 would keep its untrained gate (fit without its column
        instead), and so is one whose weight is 0 in float32 once divided by
        the largest (a ratio below about 1e-45). With ``alpha=0`` they have no effect: they warn, and are not
        applied.
    gate_hidden_layer_sizes : tuple of int, default=(16,)
        Hidden layers of every task's gate; ``()`` for linear gates.
    activation : {'relu', 'tanh', 'gelu', 'logistic'}, default='relu'
        Of the gates' hidden layers (linear gates have none: it warns).
    alpha : 'auto' or float, default='auto'
        L2 penalty on the gates' weights. ``'auto'`` chooses it for each task
        among ``1.0`` (gates all but constant: the task's best constant blend
        of the experts), ``1e-2`` and ``1e-4`` by 3-fold cross-validation of
        the gates on the experts' out-of-fold predictions (the task's loss on
        held-out rows; a tie goes to the stronger penalty; the penalties are
        tried strongest first, and the weaker ones are not tried once one did
        worse than a stronger one on every task); ``alpha_`` holds the choice.
        With fewer than 6 rows (of positive ``sample_weight``) there are too
        few to hold any out: no penalty is tried, and every task gets
        ``1.0``.
        With ``cv`` a splitter or splits of yours, those folds (3, or 2 from
        2 splits) are unions of whole test folds of them (a group is held
        out whole).
    max_iter : int, default=200
        L-BFGS iterations (full batch) for the gates.
    cv : int, cross-validation generator, iterable or None, default=3
        Folds of the cross-fitted expert predictions the gates learn on: a
        number of shuffled folds (``StratifiedKFold`` on the first
        classification task's labels; where those folds leave a class of
        another task out of a training fold, on another task's labels, on
        all of them together, or with another shuffle, and refused where none
        of these keeps every class of two rows or more; ``KFold`` when every
        task is a regression or no class has ``cv`` rows), or a splitter (or
        an iterable of (train, test) splits) whose test folds partition the rows and whose
        training folds hold every class (of two rows or more) of each
        classification task. A splitter
        is called as ``cv.split(X, y_t)`` with ``y_t`` the labels of the first
        classification task (None when every task is a regression). None: the
        experts' in-sample predictions (right for low-capacity experts only).
    n_jobs : int, default=None
        Folds and experts are fitted in parallel with joblib.
    device : str or None, default='auto'
        Where the gates train: 'auto' (or None) uses CUDA when available,
        else the CPU; 'cuda' without CUDA is an error.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, unset expert seeds and the gates.

    Attributes
    ----------
    experts_ : list of estimators
        The experts refitted on all rows.
    named_experts_ : Bunch
        The fitted experts by name.
    expert_names_ : list of str
    tasks_, n_tasks_, classes_, task_weights_
        As in :class:`MultiGateMixtureOfExperts`.
    gates_ : torch.nn.Module
        Batched gate networks, one per task.
    alpha_ : ndarray of shape (n_tasks,)
        The L2 penalty of each task's gate (``alpha``, or its choice with
        ``'auto'``).
    n_iter_ : int
        Iterations of the gates' final L-BFGS (at most ``max_iter``).
    device_ : torch.device
        Where the gates live (``device`` resolved).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    Notes
    -----
    The encoded target matrix has one column per regression task (the
    standardised target, of mean 0: where there is one, an expert that needs
    non-negative targets, of a Poisson, Gamma or Tweedie loss, cannot be
    one, and is refused saying so) and one indicator column per class of each
    classification task. An expert's predictions for a classification task's
    columns are clipped at zero, given ``1e-4`` each (additive smoothing, so
    that no class an expert has not seen gets probability 0) and renormalised
    into probabilities: trees, forests and k-NN give their class frequencies
    so smoothed, a linear model a linear probability model. A class whose
    rows all have zero ``sample_weight`` (rows left out) gets none: it has
    probability 0, and the fit is the one without those rows.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from skmoe import HeterogeneousMultiGateMixtureOfExperts
    >>> from skmoe.datasets import make_mmoe_tasks
    >>> X, Y = make_mmoe_tasks(n_samples=300, n_features=5, random_state=0)
    >>> model = HeterogeneousMultiGateMixtureOfExperts(
    ...     [("ridge", Ridge()), ("forest", RandomForestRegressor(20, max_depth=5))],
    ...     random_state=0).fit(X, Y)
    >>> model.predict_gate(X[:4]).shape
    (4, 2, 2)
    """

    _zero_weight_rows_left_out = True

    _parameter_constraints = {
        "experts": "no_validation",
        "tasks": [list, tuple, StrOptions(set(TASK_TYPES)), None],
        "task_weights": ["array-like", None],
        "gate_hidden_layer_sizes": [tuple, list, Interval(numbers.Integral, 1, None,
                                                          closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        # (Below 1e37: alpha=1e300 made the float32 penalty infinite, and the
        # gates kept their initial random weights without a word.)
        "alpha": [StrOptions({"auto"}), *WEIGHT_DECAY],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "cv": ["cv_object"],      # an int >= 2, a splitter, an iterable of splits or None
        "n_jobs": N_JOBS,
        "device": [str, None],
        "random_state": ["random_state"],
    }

    def __init__(self, experts, tasks=None, *, task_weights=None,
                 gate_hidden_layer_sizes=(16,), activation="relu", alpha="auto",
                 max_iter=200, cv=3, n_jobs=None, device="auto", random_state=None):
        self.experts = experts
        self.tasks = tasks
        self.task_weights = task_weights
        self.gate_hidden_layer_sizes = gate_hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.max_iter = max_iter
        self.cv = cv
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state

    # The multi-task check of X (float64; NaN only where every expert takes it),
    # not the mixtures'.
    _check_X = _BaseMultiTask._check_X

    def _inner_fold_count(self, y=None):
        """How many folds ``cv`` makes, or None where it makes none (None:
        in-sample predictions; a splitter). :func:`~skmoe.compare` with
        ``groups`` gives the model that many folds of whole groups instead."""
        if isinstance(self.cv, numbers.Integral) and not isinstance(self.cv, bool):
            return int(self.cv)
        return None

    def _expert_list(self):
        # There is no n_experts here: the mixtures' message for a single
        # estimator asked for one, which set_params then refused.
        if hasattr(self.experts, "fit"):
            raise ValueError(
                f"{type(self).__name__} needs experts as a list of (name, estimator) "
                f"pairs (at least two), got a single {type(self.experts).__name__}.")
        return super()._expert_list()

    # ------------------------------------------------------------------ fit
    def _encode_targets(self, Y):
        """Encoded target matrix (n, K) and each task's column slice."""
        blocks, self._slices, start = [], [], 0
        for t, kind in enumerate(self.tasks_):
            if kind == "regression":
                blocks.append(Y[:, t:t + 1])
            else:
                n_classes = len(self.classes_[t])
                blocks.append((Y[:, t:t + 1] == np.arange(n_classes)).astype(np.float64))
            width = blocks[-1].shape[1]
            self._slices.append(slice(start, start + width))
            start += width
        return np.hstack(blocks)

    def fit(self, X, y, sample_weight=None, groups=None, **fit_params):
        """Cross-fit the experts, train the per-task gates, refit the experts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numbers; missing values (NaN) where every expert takes them (the
            gates impute them by the column mean).
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            One column per task. Every row needs a value for every task:
            tasks are not masked, and a missing one (NaN, None, pd.NA) is
            refused, naming its task and rows.
        sample_weight : array-like of shape (n_samples,), default=None
            One weight per row, shared by every task. Only relative weights
            matter: they are rescaled to mean one, and so passed to the
            experts (see ``MixtureOfExpertsRegressor`` for experts without
            ``sample_weight``) and to the gates' loss. Rows of weight zero
            are left out.
        groups : array-like of shape (n_samples,), default=None
            The group of each row. Given, the cross-fitting folds are whole
            groups, as for ``MixtureOfExpertsRegressor.fit``: an int ``cv``
            makes that many ``GroupKFold`` folds (stratified on the first
            classification task), a splitter is split with the groups, and
            splits given as a list must keep each group on one side. The
            gates' penalty (``alpha='auto'``) is then chosen on unions of
            those folds, so on groups the gates did not learn from.
        **fit_params : dict
            None is taken: a misspelt ``sample_weight`` is named, any other
            keyword refused as Python refuses it.

        Returns
        -------
        self : HeterogeneousMultiGateMixtureOfExperts
        """
        with torch_fit_mode():
            # sample_weights=w got Python's bare "unexpected keyword argument",
            # where the single-task mixtures name sample_weight.
            _refuse_misnamed_fit_params(self, fit_params)
            if fit_params:
                raise TypeError(f"{type(self).__name__}.fit() got an unexpected keyword argument "
                                f"{next(iter(fit_params))!r}")
            # (Before X becomes an array, whose rows have no labels to compare.)
            refuse_misaligned_rows(X, groups, "groups", type(self).__name__)
            X, Y, sample_weight, kept = self._validate_fit_data(X, y, sample_weight)
            gate_sizes = check_layer_sizes(self.gate_hidden_layer_sizes, "gate_hidden_layer_sizes")
            self._warn_unread_settings(gate_sizes)
            self.device_ = resolve_device(self.device)
            rng = check_random_state(self.random_state)
            names, templates = self._resolve_experts(rng)
            for name, est in zip(names, templates):
                _check_has_tags(name, est)
                if is_classifier(est):
                    raise TypeError(
                        f"Expert '{name}' ({type(est).__name__}) is a classifier; experts "
                        "are fitted as multi-output regressors on the encoded targets "
                        "(class indicators for classification tasks).")
                _check_not_a_transformer(name, est)
                _check_not_unsupervised(name, est)
                _check_refitted(name, est)
            Z = self._encode_targets(Y)
            seed = int(rng.randint(np.iinfo(np.int32).max))
            # One encoded column (a single regression task) goes to the experts as
            # the 1-D y it was: as a column, single-output regressors warned about
            # a "column-vector y" the user never passed. (As a column to those that
            # fit only a 2-D y: _fit_on_encoded_targets.)
            targets = Z[:, 0] if Z.shape[1] == 1 else Z
            folds = self._folds(X, Y, seed, kept, groups)
            try:
                # (An expert's own warnings once, not once per fold.)
                with expert_warnings_once(type(self).__name__):
                    fits = cross_fit(Parallel(n_jobs=self.n_jobs), names, templates,
                                     read_only_view(X), targets,   # no expert can change X
                                     folds,
                                     partial(_predict_columns, n_columns=Z.shape[1]),
                                     weights=sample_weight, seeds=[seed] * len(names),
                                     fit=_fit_on_encoded_targets, refit=True)
            except Exception as exc:
                hinted = _with_multi_output_hint(exc, names, templates, Z.shape[1],
                                                 read_only_view(X), Z, sample_weight, seed)
                if hinted is exc:
                    hinted = _with_array_hint(exc, getattr(self, "feature_names_in_", None))
                if hinted is exc:
                    regression = [t for t, kind in enumerate(self.tasks_)
                                  if kind == "regression"]
                    y_min = min((float(np.min(Y[:, t])) * self._y_scale[t] + self._y_mean[t]
                                 for t in regression), default=0.0)
                    hinted = _with_standardised_target_hint(exc, names, templates, y_min,
                                                            float(np.min(Z)))
                if hinted is exc:
                    raise
                raise hinted from exc
            honest = fits.outputs.transpose(1, 0, 2)                        # (e, n, K)
            # (In the encoded targets' units: one column per expert.)
            check_not_diverging(honest.reshape(len(names), -1).T, names)
            self.expert_names_ = names
            self.experts_ = list(fits.experts)
            # (The gates' inputs, weighted as their loss weighs the rows.)
            self._x_mean, self._x_scale = standardisation(X, sample_weight)
            weight = np.ones(len(X)) if sample_weight is None else sample_weight
            Zx, outputs = self._inputs(X), self._per_task(honest)
            new_gates = partial(self._new_gates, X.shape[1], gate_sizes, len(names), seed)
            # The user's splits (cv not an int) are the penalty's folds too, and
            # so are the folds of whole groups.
            user_folds = (None if isinstance(self.cv, numbers.Integral) and groups is None
                          else folds)
            self.alpha_ = self._choose_alpha(new_gates, Zx, outputs, Y, weight, seed, user_folds)
            self.gates_ = new_gates()
            self.n_iter_ = self._fit_gates(self.gates_, Zx, outputs, Y, weight, self.alpha_)
            if self.device_.type != "mps":   # (MPS has no float64)
                # Trained in float32, predicting in float64, as the single-task
                # mixtures' gates: float32's batched products round by how many
                # rows they hold, so a row's gate weights, and its predictions,
                # depended on the other rows predicted with it (3.1e-8).
                self.gates_.to(torch.float64)
            # Last: named_experts_ marks the estimator fitted. Set before the gates
            # were trained, a first fit that failed there looked fitted.
            self.named_experts_ = self._make_named_experts(names, self.experts_)
            return self

    def _folds(self, X, Y, seed, kept=None, groups=None):
        """(train, test) index pairs; every row in exactly one test fold.

        ``kept``: None, or ``(kept_rows, n_given)``, the rows fitted on among
        the ``n_given`` given to fit (rows of zero weight left out). Splits
        given as indices refer to the rows given and are renumbered to those
        kept (they failed as "not a partition"). ``groups``: one label per
        row given; the folds are then of whole groups (``cv_of_groups``).
        """
        first = next((t for t, kind in enumerate(self.tasks_) if kind != "regression"), None)
        labels = None if first is None else Y[:, first]
        if groups is not None:
            codes = group_codes(groups, len(X) if kept is None else kept[1])
            if kept is not None:
                codes = codes[kept[0]]
            folds = cv_of_groups(self.cv if kept is None else splits_of_rows(self.cv, *kept),
                                 self._inner_fold_count(), X, labels, codes,
                                 classifier=labels is not None,
                                 classes=None if first is None else self.classes_[first])
            if folds is not None:
                # (Checked without groups only: GroupShuffleSplit left rows in no
                # test fold, whose out-of-fold outputs the gates learnt from were
                # never set, and LeavePGroupsOut put rows in several, silently.)
                check_folds_partition(folds, len(X), self.cv)
            return self._checked_classes(folds, Y)
        if isinstance(self.cv, numbers.Integral):
            if len(X) < self.cv:
                # (The note on zero weights was given without sample_weight too.)
                left_out = ("" if kept is None else
                            f" (rows of positive weight; {kept[1] - len(X)} rows of zero "
                            "sample_weight are left out)")
                raise ValueError(f"cv={self.cv} folds need at least {self.cv} samples, "
                                 f"got {len(X)}{left_out}. Lower cv or add rows.")
            return self._int_folds(X, Y, seed)
        cv = self.cv if kept is None else splits_of_rows(self.cv, *kept)
        # Each row needs exactly one honest (out-of-fold) prediction.
        try:
            folds = make_folds(cv, X, labels, check_partition=True, fit_takes_groups=True)
        except TypeError as exc:
            if labels is not None:
                raise
            # A stratified splitter given y=None: scikit-learn's bare "Input
            # should have at least 1 dimension", naming neither cv nor tasks.
            raise ValueError(
                f"cv={self.cv!r} was given no labels (y=None): every task is a "
                "regression, so there is no class to stratify on; use KFold or an "
                "int.") from exc
        return self._checked_classes(folds, Y)

    def _int_folds(self, X, Y, seed):
        """The folds of an int ``cv``: shuffled, and stratified so that every
        training fold holds every class (of two rows or more) of every task.

        Stratified on the first classification task's labels, as the
        single-task classifiers' int cv and the folds of groups here are
        (shuffled KFold put both rows of a 2-row class in one test fold for 7
        of 20 seeds, and that class's out-of-fold indicator was 0, silently).
        Those folds keep every class of that task only: a 2-row class of a
        second classification task missed a training fold for 6 of 20 seeds,
        silently. Where they leave one out, the other tasks' labels are tried
        in turn, then all the tasks' labels together, then each with other
        shuffles; where none keeps them all, the folds are refused, as a
        splitter's are. KFold where no class has ``cv`` rows (StratifiedKFold
        refuses such tiny fits; they keep the KFold they had).
        """
        tasks = [t for t, kind in enumerate(self.tasks_) if kind != "regression"]
        keys = [Y[:, t] for t in tasks]
        if len(tasks) > 1:
            codes = np.column_stack([np.unique(key, return_inverse=True)[1].reshape(-1)
                                     for key in keys])
            keys.append(np.unique(codes, axis=0, return_inverse=True)[1].reshape(-1))
        keys = [key for key in keys if np.unique(key, return_counts=True)[1].max() >= self.cv]
        if not keys:
            return make_folds(self.cv, X, seed=seed)
        first = None
        # Then other shuffles, seeded from the fit's seed (three tasks with a
        # 2-row class each: 3 of 50 fits found no keeping folds with the
        # seed alone, none with these).
        for attempt in range(_FOLD_SHUFFLES):
            for key in keys:
                folds = make_folds(self.cv, X, key, seed=(seed + attempt) % 2 ** 31,
                                   classifier=True)
                missing = self._class_left_out(folds, Y)
                if missing is None:
                    return folds
                first = first or missing
        t, k, n_missing, n_classes = first
        raise ValueError(
            f"Classification task {t}: the {self.cv} stratified folds of cv={self.cv} leave "
            f"{n_missing} of its {n_classes} classes out of the training rows of fold "
            f"{k + 1} of {self.cv}, whichever task's labels (or all of them together) they "
            f"are stratified on, in {_FOLD_SHUFFLES} shuffles: the experts fitted there "
            "would never predict those classes. Lower cv, merge that task's rare classes, "
            "or pass cv as (train, test) splits whose training rows hold every class of "
            "every task.")

    def _class_left_out(self, folds, Y):
        """(task, fold, number of classes missing, classes) of the first training
        fold without a class (of two rows or more) of a task; None if none."""
        for t, kind in enumerate(self.tasks_):
            if kind == "regression":
                continue
            labels, counts = np.unique(Y[:, t], return_counts=True)
            for k, (train, _) in enumerate(folds):
                missing = np.setdiff1d(labels[counts >= 2], np.unique(Y[train, t]))
                if len(missing):
                    return t, k, len(missing), len(labels)
        return None

    def _checked_classes(self, folds, Y):
        """``folds``, refused where a training part lacks a class of a task."""
        # As the single-task classifiers' folds are checked: a fold fitted
        # without a class predicts its indicator 0 on every held-out row of it,
        # and the gates learnt from those (KFold(3) on rows sorted by class:
        # test accuracy 0.663 against 0.722 with shuffled folds), silently.
        for t, kind in enumerate(self.tasks_ if folds is not None else ()):
            if kind != "regression":
                try:
                    _check_every_class_trains(folds, Y[:, t], self.cv)
                except ValueError as exc:
                    raise ValueError(f"Classification task {t}: {exc}") from exc
        return folds

    def _inputs(self, X, dtype=torch.float32):
        # (Clamped: 1e300 would be infinite in float32, and the gates' weights NaN.
        # Missing values, which the experts take, are imputed by the column
        # mean: zero once standardised.)
        return standardised_tensor(X, self._x_mean, self._x_scale, self.device_,
                                   nan_to_zero=True, dtype=dtype)

    def _warn_unread_settings(self, gate_sizes):
        """Warn of settings that this configuration does not read (both were
        ignored without a word): ``activation`` with linear gates (no hidden
        layer), and ``task_weights`` with ``alpha=0`` (each task's gate then
        minimises its own loss alone; a weight only trades it against the
        gate's penalty, and they are not applied)."""
        if not gate_sizes and self.activation != "relu":
            warnings.warn(f"activation={self.activation!r} has no effect with "
                          "gate_hidden_layer_sizes=() (linear gates: no hidden layer).",
                          UserWarning, stacklevel=3)
        if (_no_penalty(self.alpha) and self.task_weights is not None
                and np.ptp(self.task_weights_) > 0):
            warnings.warn(
                f"task_weights={self.task_weights!r} has no effect with alpha="
                f"{self.alpha!r}: each task has its own gate, and a task's weight only "
                "trades its loss against its gate's L2 penalty (as alpha / w_t); without "
                "a penalty the weights are not applied.", UserWarning, stacklevel=3)

    def _per_task(self, P):
        """Split expert outputs (e, n, K) into per-task arrays (n, e) or (n, e, C)."""
        out = []
        # (None in models pickled before it: every class has rows.)
        absent = getattr(self, "_classes_without_rows", None) or [None] * len(self.tasks_)
        for kind, cols, missing in zip(self.tasks_, self._slices, absent):
            if kind == "regression":
                out.append(P[:, :, cols.start].T)
            else:
                proba = np.maximum(P[:, :, cols], 0.0) + INDICATOR_SMOOTHING
                if missing is not None:
                    # A class whose rows all have weight zero (left out) gets
                    # no smoothing: probability 0, as in the other
                    # classifiers. Smoothed, it had 1e-4 on every row, and the
                    # other classes, the gates and every task's predictions
                    # moved off the fit without those rows (by 1e-4).
                    proba[:, :, missing] = 0.0
                out.append((proba / proba.sum(axis=2, keepdims=True)).transpose(1, 0, 2))
        return out

    def _new_gates(self, n_in, gate_sizes, n_experts, seed):
        # Every gate network (the final one and the ones that choose alpha)
        # starts from the same seeded weights.
        with seeded_torch(seed):
            return BatchedMLP(self.n_tasks_, n_in, gate_sizes, n_experts,
                              self.activation).to(self.device_)

    def _row_losses(self, gates, Zx, outputs, targets):
        """Each task's loss per row, (n_tasks, n): squared error or -log p."""
        G = torch.softmax(gates(Zx), dim=-1)                            # (t, n, e)
        losses = []
        for t, kind in enumerate(self.tasks_):
            if kind == "regression":
                losses.append(((G[t] * outputs[t]).sum(1) - targets[:, t]) ** 2)
            else:
                q = torch.einsum("ne,nec->nc", G[t], outputs[t])
                losses.append(-torch.log(q.gather(1, targets[:, t:t + 1].long())[:, 0]))
        return torch.stack(losses)

    def _fit_gates(self, gates, Zx, outputs, Y, weight, alphas, rows=None):
        """Train ``gates`` on ``rows`` (all when None); return L-BFGS's iterations.

        ``alphas``: the L2 penalty of each task's gate.
        """
        dev = self.device_
        if rows is not None:
            Zx, Y, weight = Zx[rows], Y[rows], weight[rows]
            outputs = [o[rows] for o in outputs]
        outputs = [to_tensor(o, dev) for o in outputs]
        targets = to_tensor(Y, dev)
        w = to_tensor(weight / weight.sum(), dev)
        # Rescaled to mean one: against the L-BFGS tolerance and alpha's
        # penalty, task_weights=[1e-8, 1e-8] stopped after 2 iterations
        # (R^2 0.93 against 0.97).
        task_w = to_tensor(normalised_weights(self.task_weights_), dev)
        if not np.any(alphas):
            # Without a penalty the weights have no optimum to move, only the
            # path of the joint L-BFGS (diabetes, alpha=0, task_weights=[1, 5]:
            # predictions 40 apart): not applied, as fit warns.
            task_w = torch.ones_like(task_w)
        alphas = to_tensor(alphas, dev)
        gates.train()

        def objective():
            loss = (task_w * (self._row_losses(gates, Zx, outputs, targets) * w).sum(1)).sum()
            # (Each layer's weight is (tasks, in, out): one penalty per task.)
            penalty = sum((layer.weight ** 2).sum((1, 2)) for layer in gates.layers)
            return loss + (alphas * penalty).sum()

        _, n_iter = lbfgs(gates.parameters(), objective, self.max_iter,
                          tolerance_grad=1e-7, return_n_iter=True)
        gates.eval()
        return n_iter

    def _choose_alpha(self, new_gates, Zx, outputs, Y, weight, seed, user_folds=None):
        """Each task's L2 penalty: ``alpha``, or with 'auto' the best of ALPHA_GRID.

        Gates are trained on all but one of ``ALPHA_CV`` shuffled folds of the
        rows and scored on the held-out fold (each task's weighted loss); the
        folds are the same for every penalty. ``user_folds``: the splits the
        user gave as ``cv``; each fold is then a union of their test folds, so
        that rows the user keeps together (a group) are held out together.
        """
        if not isinstance(self.alpha, str):
            return np.full(self.n_tasks_, float(self.alpha))
        if len(Zx) < 2 * ALPHA_CV:
            # Too few rows to hold any out: the all-but-constant gates.
            return np.full(self.n_tasks_, ALPHA_GRID[0])
        folds = (make_folds(ALPHA_CV, np.empty((len(Zx), 0)), seed=seed) if user_folds is None
                 else united_folds(user_folds, ALPHA_CV, seed, len(Zx)))
        held_out = np.full((len(ALPHA_GRID), self.n_tasks_), np.inf)
        for i, alpha in enumerate(ALPHA_GRID):
            if i > 1 and np.all(held_out[i - 1] > held_out[:i - 1].min(axis=0)):
                # Weaker than a penalty that already did worse on every task
                # (the held-out loss rises along the path from there): not
                # tried, as the weakest ones are the slowest to fit.
                break
            held_out[i] = self._held_out_loss(alpha, folds, new_gates, Zx, outputs, Y, weight)
        # (argmin takes the first of equal losses: the stronger penalty.)
        return np.asarray(ALPHA_GRID)[np.argmin(held_out, axis=0)]

    def _held_out_loss(self, alpha, folds, new_gates, Zx, outputs, Y, weight):
        """Each task's weighted loss on the held-out rows of ``folds``, (n_tasks,),
        of gates trained with the penalty ``alpha`` on the other rows."""
        targets = to_tensor(Y, self.device_)
        total = np.zeros(self.n_tasks_)
        for train, test in folds:
            gates = new_gates()
            self._fit_gates(gates, Zx, outputs, Y, weight, np.full(self.n_tasks_, alpha),
                            rows=train)
            with torch.no_grad():
                losses = self._row_losses(
                    gates, Zx[test], [to_tensor(o[test], self.device_) for o in outputs],
                    targets[test])
            total += to_numpy(losses.double()) @ weight[test]
        return total

    # -------------------------------------------------------------- predict
    def _expert_outputs(self, X):
        n_columns = self._slices[-1].stop
        X = read_only_view(X)   # no expert can change the caller's X
        return np.stack([_predict_columns(name, expert, X, n_columns)
                         for name, expert in zip(self.expert_names_, self.experts_)])

    def _gates(self, X):
        # The inputs in the gates' precision: float64 (fit), float32 in models
        # pickled before it.
        dtype = next(self.gates_.parameters()).dtype
        with torch.no_grad():
            # (The softmax in float64: in float32 the rows summed to one only
            # within ~1e-7.)
            logits = self.gates_(self._inputs(X, dtype))
            return to_numpy(torch.softmax(logits.to(torch.float64), dim=-1))

    def _task_outputs(self, X):
        G = self._gates(X)                                               # (t, n, e)
        outputs = []
        for t, out in enumerate(self._per_task(self._expert_outputs(X))):
            if out.ndim == 2:
                outputs.append((G[t] * out).sum(axis=1))
            else:
                outputs.append(mix_probabilities(G[t], out))
        return outputs

    def predict_gate(self, X):
        """Gate weights of every task over the experts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        weights : ndarray of shape (n_samples, n_tasks, n_experts)
            Columns follow ``expert_names_``; rows sum to one. After
            ``set_output(transform="pandas")`` a DataFrame with X's index
            and (task, expert name) column pairs.
        """
        return self._gates_as_output(
            np.ascontiguousarray(self._gates(self._check_X(X)).transpose(1, 0, 2)), X)
