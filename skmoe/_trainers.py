"""The trainers of the mixtures of experts: the options each reads, how each is called.

``training`` picks one of :data:`TRAINERS` ('auto': :func:`resolve_training`).
A trainer names the parameters that only it reads (every other parameter is
used by both), what ``cv='auto'`` means for it, the folds it cross-fits the
experts on, and how it is called: ``fit(estimator, problem, gate, rng,
routing)`` returns the fitted experts, the gate and the history (the modules
that train are ``_em.py``, ``_blend.py`` and ``_gradient.py``).

A trainer-only option set away from its default under the other trainer
warns at fit: a warning, not an error, so that a parameter grid may cover
both trainers.
"""

import math
import numbers
import warnings
from inspect import signature

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions

from ._compat import Interval
from ._base import _kept_rows
from ._blend import fit_stacked_gate
from ._crossfit import splits_of_rows
from ._em import fit_em
from ._gradient import fit_gradient
from ._problem import VARIANCE_FLOOR
from ._routing import is_dense
from ._training import (LEARNING_RATE, check_training_rows, is_default as _is_default,
                        n_validation_rows, set_away_from_default as _set_away_from_default)
from .experts import TORCH_FIT_OPTIONS, is_differentiable_expert
from .gates import (GATE_FIT_OPTIONS, MLPGate, _warn_unused_activation,
                    _warn_unused_adam_options)


class _Trainer:
    name = None
    options = {}  # the parameters only this trainer reads, with their constraints
    auto_cv = None  # the folds cv='auto' means

    def cv(self, estimator, y=None, rows=None, n_rows=None):
        """The estimator's ``cv`` with 'auto' resolved for this trainer (and,
        given the targets ``y``, for data too small for its folds).

        ``rows``: the rows fitted on among the ``n_rows`` given to fit, where
        rows of zero weight were left out (``EMProblem.kept_rows`` and
        ``n_rows_given``); splits given as indices are renumbered to them.
        """
        # fit(groups=...) made the folds of whole groups, for the rows given.
        cv = getattr(estimator, "_cv_of_groups", None)
        if cv is None:
            cv = estimator.cv
        if not (isinstance(cv, str) and cv == "auto"):
            return cv if rows is None else splits_of_rows(cv, rows, n_rows)
        return self.auto_cv if y is None else _folds_the_data_allow(
            self.auto_cv, y, estimator._is_classifier)

    def cross_fitting_splits(self, estimator, templates, y=None):
        """Folds the trainer cross-fits the experts on (None: none, or not known)."""
        cv = self.cv(estimator, y)
        if isinstance(cv, numbers.Integral):
            return int(cv)
        return getattr(cv, "n_splits", None)

    def fit(self, estimator, problem, gate, rng, routing):
        raise NotImplementedError


class EMTrainer(_Trainer):
    """``training='em'``: expectation-maximisation (``_em.fit_em``)."""

    name = "em"
    options = {
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "init_params": [StrOptions({"auto", "matched", "kmeans", "random", "uniform"})],
        # an expert whose responsibility share stays low (_em._check_collapse)
        "collapse_threshold": [Interval(numbers.Real, 0, 1, closed="neither"), None],
        "collapse_patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "collapse_action": [StrOptions({"warn", "reinit", "drop"})],
    }
    auto_cv = 2  # EM refits every expert on every fold at every iteration

    def fit(self, estimator, problem, gate, rng, routing):
        cv = self.cv(estimator, problem.y, problem.kept_rows, problem.n_rows_given)
        result = fit_em(problem, gate, cv=cv,
                        max_iter=estimator.max_iter,
                        tol=estimator.tol, n_init=estimator.n_init,
                        init_params=estimator.init_params, n_jobs=estimator.n_jobs,
                        random_state=rng, verbose=estimator.verbose, routing=routing)
        if cv is None:
            _warn_exact_fits(result, problem)
        return result


def _warn_exact_fits(result, problem):
    """Warn of experts that fit their training rows exactly after exact EM.

    In-sample, an expert that memorises its rows (a Gaussian process without
    a noise term, 1-nearest-neighbour, an unpruned tree) has no residuals (a
    regressor's noise variance sits at its floor) or gives every row's class
    probability 1 (a classifier, on the rows it was fitted to): exact EM then
    hands it those rows and the mixture predicts new rows with it. Nothing
    said so: a ridge and an unpruned tree with ``cv=None`` scored a 5-fold
    RMSE of 84.5 on diabetes (the ridge alone 54.5, cross-fitted EM 55.1);
    a logistic regression and an unpruned tree a log-loss of 1.75 on
    MASS::Pima.tr (0.47 alone and cross-fitted). Called from the trainer's
    ``fit`` (:func:`_warn_of_exact_fits` warns at the caller of the estimator's ``fit``, as
    :func:`warn_ignored_options` explains).
    """
    if result.variances is not None:
        exact = result.variances <= problem.variance_floor * (1 + 1e-6)
    else:
        proba = problem.outputs(result.experts, problem.expert_X, result.names)
        log_true = np.log(np.maximum(proba[np.arange(len(problem.y)), :, problem.y], 1e-300))
        # On the rows each was fitted to (weighted by its responsibilities):
        # those the M-step's pruning keeps. Over every row, a 1-nearest-
        # neighbour classifier (no sample_weight: fitted on a resample) was
        # not flagged: rows left out of its resample, of responsibility
        # ~1e-10, each added log(1e-300) to the mean (-1.4e-5 against the
        # -1e-6 threshold), though it memorised the rows it was fitted on
        # (beside a logistic regression, 200 rows of breast_cancer, 5
        # stratified folds: log-loss 0.64 against 0.24 cross-fitted, paired
        # SE of the difference 0.18).
        weights = result.responsibilities * problem.sample_weight[:, None]
        exact = np.zeros(len(result.names), dtype=bool)
        for i in range(len(result.names)):
            if weights[:, i].sum() > 0:
                rows = _kept_rows(weights[:, i] * (len(weights) / weights[:, i].sum()),
                                  problem.sample_weight)
                exact[i] = len(rows) > 0 and np.average(
                    log_true[rows, i], weights=weights[rows, i]) > -1e-6
    if not exact.any():
        return
    _warn_of_exact_fits([name for name, flag in zip(result.names, exact) if flag],
                        " under exact EM (cv=None)",
                        "cross-fitted EM: likelihoods of rows the experts did not see")


def _warn_of_exact_fits(names, where, way_out):
    """The warning of both trainers with ``cv=None`` that experts ``names``
    fit their training rows exactly; ``where`` says what learns from those
    rows, ``way_out`` what ``cv='auto'`` does instead. (``stacklevel=7``: the
    caller of the estimator's ``fit``, through the trainer's check.)"""
    warnings.warn(
        f"Expert(s) {names} fit their training rows exactly (no residual, or "
        f"probability 1 for every row's class){where}, which cannot tell an expert "
        f"that memorises its rows (a Gaussian process without a noise term, "
        f"1-nearest-neighbour, an unpruned tree) from one that is right, and hands it "
        f"those rows. Unless the targets are free of noise, use cv='auto' ({way_out}).",
        UserWarning, stacklevel=7)


class GradientTrainer(_Trainer):
    """``training='gradient'``: the stacked gate (``_blend.fit_stacked_gate``) for a
    dense gate over fixed experts, else joint minibatch training of the gate and
    the torch experts (``_gradient.fit_gradient``)."""

    name = "gradient"
    options = {
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": LEARNING_RATE,
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        # (Both tasks' losses; each mixture narrows it to its own.)
        "loss": [StrOptions({"auto", "nll", "squared_error", "log_loss"})],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, None],
        "refit_experts": [StrOptions({"auto"}), "boolean",
                          Interval(numbers.Real, 0, 1, closed="both")],
    }
    auto_cv = 5

    def cross_fitting_splits(self, estimator, templates, y=None):
        if all(is_differentiable_expert(t) for t in templates):
            return None  # torch experts train with the gate, on no folds
        return super().cross_fitting_splits(estimator, templates, y)

    def fit(self, estimator, problem, gate, rng, routing):
        torch_experts = any(is_differentiable_expert(t) for t in problem.templates)
        stacked = is_dense(routing) and not torch_experts
        if (routing is not None and routing.top_k is not None
                and routing.top_k >= problem.n_experts and not torch_experts
                and not (routing.noisy_gating or routing.random_routing
                         or routing.capacity_factor is not None
                         or routing.balance_coef or routing.router_z_coef)):
            # Every row routed to every expert is the dense mixture, but top_k set
            # took the joint trainer in place of the stacked gate, without a word:
            # 5-fold RMSE on diabetes 0.55 (SE 0.29) above top_k=None's.
            warnings.warn(
                f"top_k={routing.top_k} routes every row to all {problem.n_experts} "
                "experts: the dense mixture, here trained by the joint trainer and not "
                "by the stacked gate that top_k=None fits (with its candidate heads; "
                "the more accurate on most data). Leave top_k=None for the dense "
                f"mixture, or set top_k below {problem.n_experts}.", UserWarning,
                stacklevel=5)
        # 'auto': the task loss for a gate over fixed experts; the mixture's
        # likelihood where experts train with the gate (it lets them
        # specialise). The classifier's log-loss is the mixture's likelihood.
        loss = "squared_error" if estimator.loss == "squared_error" else "nll"
        if estimator.loss == "auto" and stacked and not estimator._is_classifier:
            loss = "squared_error"
        cv = self.cv(estimator, problem.y, problem.kept_rows, problem.n_rows_given)
        if (routing is not None and routing.top_k is None and not torch_experts
                and cv is not None
                and (routing.balance_coef or routing.router_z_coef)):
            # A penalty on a dense gate over fixed experts took the joint trainer
            # in place of the stacked gate (its candidate heads, refit_experts,
            # the squared-error loss), without a word: balance_coef=1e-6 took a
            # held-out R^2 from 0.73 to 0.68 (200 rows, a ridge and a tree).
            given = " and ".join(f"{name}={getattr(estimator, name)!r}"
                                 for name in ("balance_coef", "router_z_coef")
                                 if getattr(routing, name))
            warnings.warn(
                f"{given} on a dense gate over fixed experts trains it by the joint "
                "trainer (minibatch Adam; loss='auto' is 'nll' there) and not by the "
                "stacked gate that the default fits (with its candidate heads and "
                "refit_experts; the more accurate on most data), which has no balance "
                "or z-loss. Leave them at 0 for the stacked gate.", UserWarning,
                stacklevel=5)
        settings = Bunch(max_epochs=estimator.max_epochs,
                         learning_rate=estimator.learning_rate,
                         batch_size=estimator.batch_size, loss=loss,
                         validation_fraction=estimator.validation_fraction,
                         n_iter_no_change=estimator.n_iter_no_change, tol=estimator.tol,
                         verbose=estimator.verbose, routing=routing,
                         who=type(estimator).__name__,
                         # (fit's groups made the folds: the stacked gate says where
                         # its early stopping cannot hold them out whole)
                         groups=getattr(estimator, "_cv_of_groups", None) is not None)
        if not (stacked and cv is not None) and not _is_default(estimator.refit_experts,
                                                                "auto"):
            # (It was ignored without a word, as the other trainer's options are not.)
            reason = (f"top_k={estimator.top_k!r}" if estimator.top_k is not None else
                      "balance_coef or router_z_coef" if not is_dense(routing) else
                      "torch experts" if not stacked else "cv=None")
            warnings.warn(
                f"refit_experts={estimator.refit_experts!r} has no effect with {reason}; "
                "it is only used by the stacked gate (training='gradient' with cv folds, "
                "no top_k, balance_coef, router_z_coef or torch experts).",
                UserWarning, stacklevel=5)
        if stacked and cv is not None:
            refit = estimator.refit_experts
            if refit == "auto":
                # Averaging k fits' probabilities cannot recover the confidence a
                # classifier gains from more rows (benchmarks/results/refit_experts.md;
                # half of each, a share of 0.5, was measured there too).
                refit = 1.0 if estimator._is_classifier else 0.0
            return fit_stacked_gate(problem, gate, cv=cv, settings=settings,
                                    n_init=estimator.n_init, device=estimator.device,
                                    n_jobs=estimator.n_jobs, random_state=rng,
                                    refit_experts=float(refit))
        # The joint trainer holds out rows of the kept rows (_gradient._split);
        # the stacked gate of each fold's training rows (_blend._inner_split).
        n = len(problem.y)
        check_training_rows(estimator.validation_fraction, n,
                            n_validation_rows(estimator.validation_fraction, n),
                            settings.who, _EARLY_STOPPING_OFF, problem.n_classes)
        result = fit_gradient(
            problem, gate, cv=cv, max_epochs=estimator.max_epochs,
            learning_rate=estimator.learning_rate, batch_size=estimator.batch_size,
            loss=loss, validation_fraction=estimator.validation_fraction,
            n_iter_no_change=estimator.n_iter_no_change, tol=estimator.tol,
            n_init=estimator.n_init, device=estimator.device, n_jobs=estimator.n_jobs,
            random_state=rng, verbose=estimator.verbose, routing=routing)
        if cv is None:
            _warn_exact_in_sample_fits(result, problem)
        return result


def _warn_exact_in_sample_fits(result, problem):
    """Warn of fixed experts that fit their training rows exactly, where the
    gradient trainer's gate learnt from in-sample outputs (``cv=None``).

    As :func:`_warn_exact_fits` warns under exact EM: the gate cannot tell
    an expert that memorises its rows from one that is right. Nothing said
    so here: a ridge and an unpruned tree with ``cv=None`` (200 rows, noise
    sd 0.5) gave the tree 85 % of the gate's weight (100 % with ``top_k=1``)
    and a held-out R^2 of 0.67 (0.63), against 0.78 with the default folds,
    where exact EM warned. The fixed experts are fitted on every row (with
    ``sample_weight``); the torch experts train with the gate and are left out.
    """
    fixed = [i for i, t in enumerate(problem.templates) if not is_differentiable_expert(t)]
    if not fixed:
        return
    names = [problem.names[i] for i in fixed]
    outputs = problem.outputs([result.experts[i] for i in fixed], problem.expert_X, names)
    weights = problem.sample_weight
    if problem.is_classifier:
        log_true = np.log(np.maximum(outputs[np.arange(len(problem.y)), :, problem.y], 1e-300))
        exact = np.average(log_true, axis=0, weights=weights) > -1e-6
    else:
        # (EM's test: a residual variance at the floor, in units of y's.)
        residual2 = problem.squared_residuals(problem.standardise(outputs, names))
        exact = np.average(residual2, axis=0, weights=weights) <= VARIANCE_FLOOR * (1 + 1e-6)
    if not exact.any():
        return
    _warn_of_exact_fits([name for name, flag in zip(names, exact) if flag],
                        ", and with cv=None the gate learns from the experts' in-sample "
                        "predictions", "the gate then learns from out-of-fold predictions")


# How a mixture's gradient training turns early stopping off.
_EARLY_STOPPING_OFF = "validation_fraction=0 to train without held-out rows"


TRAINERS = {trainer.name: trainer for trainer in (EMTrainer(), GradientTrainer())}


def _folds_the_data_allow(k, y, classifier):
    """At most ``k`` folds, fewer (at least 2) where the data are too small.

    Every fold must leave two training rows, and a classifier's stratified
    folds need a class with as many rows as folds. (``cv='auto'`` only: a
    number of folds the user asked for is kept, and too little data for it
    is an error that says so.)
    """
    n = len(y)
    if classifier:
        k = min(k, max(2, int(np.unique(y, return_counts=True)[1].max())))
    for folds in range(k, 1, -1):
        largest_test_fold = math.ceil(n / folds)
        if n >= folds and n - largest_test_fold >= 2:
            return folds
    # Too few rows for any: the folds that need the fewest (3 rows), so
    # that the error gives the true minimum.
    return min(k, 3)


def resolve_training(estimator):
    """The trainer ``estimator.training`` names; 'auto' picks one from the experts.

    'auto' is EM for copies of one estimator (``n_experts`` of it, or a list
    of experts with one type and the same parameters but for
    ``random_state``) that is not a torch MLP, and the gradient trainer
    otherwise. Copies of one fixed estimator can only become different
    experts by being refitted on different rows, which EM does and the
    stacked gate (which learns on the experts' out-of-fold predictions and
    never refits them) does not: the mixture of ``n_experts`` copies of
    ``LinearRegression`` would be a linear regression again. A heterogeneous
    pool is already a set of different experts, where the stacked gate is the
    more accurate choice on most real data; torch experts specialise by
    training jointly with the gate.
    """
    if estimator.training != "auto":
        return estimator.training
    if estimator._copies_of_one_estimator():
        pairs = estimator._expert_list()
        if not any(is_differentiable_expert(e) for _, e in pairs):
            return "em"
    return "gradient"


# The options only one trainer reads, with the trainers that read them.
TRAINER_OPTIONS = {option: tuple(name for name, trainer in TRAINERS.items()
                                 if option in trainer.options)
                   for trainer in TRAINERS.values() for option in trainer.options}


def warn_ignored_options(estimator, training):
    """Warn about options set away from their default that ``training`` (the
    trainer :func:`resolve_training` picked) ignores.

    Called from the estimator's ``_fit_rows``, called from ``_fit``, itself
    called from ``fit`` (as the trainers' ``fit`` is): ``stacklevel=5`` points
    the warning at the caller of ``fit``. (It was 4 from before ``_fit_rows``,
    which pointed every one of them at the line of skmoe's own ``fit``.)
    """
    defaults = {name: p.default
                for name, p in signature(type(estimator).__init__).parameters.items()}
    shown = (repr(training) if training == estimator.training
             else f"{estimator.training!r} (here {training!r})")
    for name, trainers in TRAINER_OPTIONS.items():
        value = getattr(estimator, name)
        if training not in trainers and not _is_default(value, defaults[name]):
            warnings.warn(
                f"{name}={value!r} has no effect with training={shown}; "
                f"it is only used with training={' or '.join(map(repr, trainers))}.",
                UserWarning, stacklevel=5)
    # Options read only when another is on (ignored without a word before).
    no_threshold = estimator.collapse_threshold is None
    for name, needed, off, on in (
            ("balance_loss", "balance_coef", not estimator.balance_coef, "above 0"),
            ("collapse_patience", "collapse_threshold", no_threshold, "set"),
            ("collapse_action", "collapse_threshold", no_threshold, "set"),
            # (0 trains for max_epochs on every row: no early stopping.)
            ("n_iter_no_change", "validation_fraction", not estimator.validation_fraction,
             "above 0")):
        value = getattr(estimator, name)
        if (off and not _is_default(value, defaults[name])
                and training in TRAINER_OPTIONS.get(name, (training,))):
            warnings.warn(
                f"{name}={value!r} has no effect with {needed}="
                f"{getattr(estimator, needed)!r}; it is only used with {needed} {on}.",
                UserWarning, stacklevel=5)
    if (training == "gradient" and not estimator.validation_fraction
            and not _is_default(estimator.tol, defaults["tol"])):
        # (tol, which EM reads too, is the gradient trainers' early-stopping
        # threshold on held-out rows alone: without them tol=10 gave the fit of
        # the default, without a word, where n_iter_no_change warned.)
        warnings.warn(
            f"tol={estimator.tol!r} has no effect with validation_fraction="
            f"{estimator.validation_fraction!r} and training={shown}; it is only used "
            "with validation_fraction above 0 (early stopping) or with training='em'.",
            UserWarning, stacklevel=5)
    gate = getattr(estimator, "gate", None)
    _warn_unused_activation(gate, stacklevel=5)
    if training == "em":
        # EM's M-steps fit the gate with its own solver.
        _warn_unused_adam_options(gate, stacklevel=5)
    if training == "gradient" and isinstance(gate, MLPGate):
        # The gradient trainer trains the gate's network in its own optimiser:
        # the gate's optimiser settings and device went unread, silently.
        changed = _set_away_from_default(gate, GATE_FIT_OPTIONS)
        if changed:
            warnings.warn(
                f"gate parameter(s) {', '.join(changed)} have no effect with "
                f"training={shown}, which trains the gate's network (its "
                "hidden_layer_sizes, activation and alpha) with the mixture's "
                "learning_rate, batch_size, max_epochs and device; they are only used "
                "with training='em'.", UserWarning, stacklevel=5)
    if training == "gradient":
        pairs = [(name, expert) for name, expert in estimator._expert_list()
                 if not (isinstance(expert, str) and expert == "drop")]
        given = ([] if _is_default(estimator.cv, "auto") else [f"cv={estimator.cv!r}"]) + (
            ["groups"] if getattr(estimator, "_cv_of_groups", None) is not None else [])
        if pairs and given and all(is_differentiable_expert(e) for _, e in pairs):
            # Every expert trains with the gate on every row: no out-of-fold
            # predictions to make, and cv (or fit's groups) was read by nothing:
            # cv=3, 10, None or a shuffled KFold gave the same predictions.
            warnings.warn(
                f"{' and '.join(given)} {'has' if len(given) == 1 else 'have'} no effect "
                f"with training={shown} when every expert is a "
                "torch MLP: they train jointly with the gate on every row, with no "
                "out-of-fold predictions; the folds are used where some expert is not a "
                "torch MLP, or with training='em'.", UserWarning, stacklevel=5)
        # Likewise a torch expert's own training loop: the joint trainer trains
        # its network with the mixture's settings (ignored without a word before).
        warned = set()
        for name, expert in estimator._expert_list():
            if not is_differentiable_expert(expert) or id(expert) in warned:
                continue
            warned.add(id(expert))   # n_experts copies of one expert: one warning
            expert._warn_unused_layer_options(
                stacklevel=5, who=f"Expert {name!r} ({type(expert).__name__}): ")
            changed = _set_away_from_default(expert, TORCH_FIT_OPTIONS)
            if changed:
                warnings.warn(
                    f"Expert {name!r} ({type(expert).__name__}) parameter(s) "
                    f"{', '.join(changed)} have no effect with training={shown}, which "
                    "trains the torch experts' networks jointly with the gate, with the "
                    "mixture's learning_rate, batch_size, max_epochs, validation_fraction, "
                    "n_iter_no_change, tol and device: set those on the mixture (the "
                    "expert's own are used with training='em').", UserWarning,
                    stacklevel=5)
