"""MixtureOfExpertsRegressor and MixtureOfExpertsClassifier.

    p(y | x) = sum_i g_i(x) p_i(y | x),       y_hat(x) = sum_i g_i(x) f_i(x)

(the default stacked gate blends that mixture with stacking heads where
held-out rows say so: ``combiner_``). The experts are any scikit-learn
estimators; the gate ``g`` is a torch MLP
(:class:`~skmoe.gates.MLPGate`).  Training is delegated to the trainer that
``training`` names (``_trainers.py``); this module holds the parameters,
validation, prediction and the fitted attributes.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import _num_samples

from ._compat import Interval, N_JOBS, check_flag
from ._base import (CheckedScoreMixin, _BaseExpertComposition, encode_class_labels,
                    refuse_pairwise_rows_left_out, rows_of_positive_weight)
from ._blend import class_prior
from ._candidates import log_likelihood_with_class_prior, with_class_prior
from ._cluster import scatter_once
from ._data import read_only_view
from ._device_predict import applies as device_predict_applies
from ._device_predict import weights_and_outputs as device_weights_and_outputs
from ._problem import EMProblem
from ._inspection import ExpertInspectionMixin
from ._likelihood import (LogProbaMixin, MixtureLikelihoodMixin, classification_outputs,
                          floored_renormalised, gaussian_mixture_moments, mix_probabilities,
                          regression_outputs)
from ._progress import verbose_fits
from ._routing import BALANCE_LOSSES, RoutingOptions, dispatch_outputs, route_numpy
from ._trainers import TRAINERS, _folds_the_data_allow, resolve_training, warn_ignored_options
from ._torch_utils import torch_fit_mode
from ._training import WEIGHT_DECAY
from ._warnings import expert_warnings_once
from .gates import MLPGate


class _BaseMixtureOfExperts(MixtureLikelihoodMixin, ExpertInspectionMixin,
                            _BaseExpertComposition):
    """Shared fit/predict logic of the regressor and the classifier.

    The trainers (which options each reads, how each is called) are in
    ``_trainers.py``; the likelihood API (``log_likelihood_samples``, ``bic``,
    ``aic``) in ``_likelihood.py``; ``predict_gate``, ``expert_usage``,
    ``predict_experts`` and ``set_output`` in ``_inspection.py``.
    """

    _raw_X = True  # the experts get X as given; the gate its view (gate_transformer)

    _parameter_constraints = {
        "experts": "no_validation",
        "n_experts": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "gate": [MLPGate, None],
        "gate_transformer": [StrOptions({"auto"}), HasMethods(["fit", "transform"])],
        "training": [StrOptions({"auto", *TRAINERS})],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        # ("cv_object": an int >= 2, a splitter, an iterable of splits or None.)
        "cv": ["cv_object", StrOptions({"auto"})],
        "n_jobs": N_JOBS,
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        # routing
        "top_k": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "noisy_gating": ["boolean"],
        "random_routing": ["boolean"],
        "capacity_factor": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "balance_loss": [StrOptions(set(BALANCE_LOSSES))],
        # (Weights of loss terms, as a weight decay is: see _training.)
        "balance_coef": WEIGHT_DECAY,
        "router_z_coef": WEIGHT_DECAY,
        # the options only one trainer reads (max_iter, max_epochs, ...)
        **{option: constraint for trainer in TRAINERS.values()
           for option, constraint in trainer.options.items()},
    }

    def __init__(self, experts, *, n_experts=None, gate=None, gate_transformer="auto",
                 training="auto", max_iter=20, tol=1e-3, n_init=1, init_params="auto",
                 cv="auto", n_jobs=None, random_state=None, verbose=0,
                 # training="gradient" only
                 max_epochs=100, learning_rate=1e-3, batch_size=256, loss="auto",
                 validation_fraction=0.1, n_iter_no_change=10, device="auto",
                 refit_experts="auto", top_k=None, noisy_gating=False, random_routing=False, capacity_factor=None,
                 balance_loss="switch", balance_coef=0.0, router_z_coef=0.0,
                 collapse_threshold=None, collapse_patience=3, collapse_action="reinit"):
        self.experts = experts
        self.n_experts = n_experts
        self.gate = gate
        self.gate_transformer = gate_transformer
        self.training = training
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.init_params = init_params
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.loss = loss
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.refit_experts = refit_experts
        # routing
        self.top_k = top_k
        self.noisy_gating = noisy_gating
        self.random_routing = random_routing
        self.capacity_factor = capacity_factor
        self.balance_loss = balance_loss
        self.balance_coef = balance_coef
        self.router_z_coef = router_z_coef
        self.collapse_threshold = collapse_threshold
        self.collapse_patience = collapse_patience
        self.collapse_action = collapse_action

    # ------------------------------------------------------------------ fit
    def _validate_inputs(self, X, y, sample_weight, fit_params, groups=None):
        def check_experts():
            # The copies against the rows first: the data's checks ask every
            # expert, and n_experts=10**6 asked a million (12 s for 10**5).
            try:
                n_rows = _num_samples(X)
            except TypeError:
                return   # not array-like: the data's checks say so
            self._check_copies_fit_rows(n_rows, 0)

        return self._validate_weighted_fit(X, y, sample_weight, fit_params, "experts", (
            "the experts are refitted on changing subsets of the rows and receive only "
            "their weights"), check_experts=check_experts, groups=groups)

    def _fit(self, X, y, sample_weight, n_classes, groups=None):
        # With groups, the folds of whole groups stand in for cv while fitting
        # (the trainers read them); the model keeps no copy.
        self._cv_of_groups = (None if groups is None else
                              self._group_folds(X, y, groups, sample_weight))
        try:
            return self._fit_rows(X, y, sample_weight, n_classes)
        finally:
            del self._cv_of_groups

    def _fit_rows(self, X, y, sample_weight, n_classes):
        rng = check_random_state(self.random_state)
        n_given = len(y)
        # (The kept weights have mean one already: _validate_weighted_fit.)
        X, y, sample_weight, kept_rows = rows_of_positive_weight(
            X, y, sample_weight, classes=self.classes_ if self._is_classifier else None,
            rescale=False)
        # Again, against the rows of positive weight, before any copy is cloned.
        self._check_copies_fit_rows(len(y), n_given - len(y))
        names, templates = self._resolve_experts(rng)
        self._check_expert_types(names, templates, classifier=self._is_classifier,
                                 need_proba=self._is_classifier)
        refuse_pairwise_rows_left_out(names, templates, n_given - len(y))
        gate = MLPGate() if self.gate is None else self.gate
        # Before any expert is fitted (the gradient trainer builds it late), and
        # before the warnings of ignored options: MLPGate(solver='sgd') was
        # warned of as having "no effect with training='auto'", then refused.
        gate._validate()
        self.training_ = resolve_training(self)
        warn_ignored_options(self, self.training_)
        trainer = TRAINERS[self.training_]
        n_splits = trainer.cross_fitting_splits(self, templates, y)
        if n_splits is not None:
            self._check_min_samples(y, n_splits, n_given - len(y))
        routing = self._routing_options(len(names))
        # The experts get X untouched; the gate (and EM's k-means start) its numeric view.
        X_gate = self._fit_gate_view(X, y)
        problem = EMProblem(names, templates, X_gate, y, sample_weight, n_classes,
                            homogeneous=self._copies_of_one_estimator(),
                            expert_X=read_only_view(X))   # no expert can change X
        problem.kept_rows, problem.n_rows_given = kept_rows, n_given
        # Progress of the out-of-fold fits with verbose; on a Dask cluster
        # (joblib's dask backend) X and y sent to every worker once for the
        # whole fit, not once per parallel step (EM has one per M-step).
        # (An expert's own warnings once per fit, not once per refit.)
        with verbose_fits(self.verbose), scatter_once(problem.expert_X, problem.y), \
                expert_warnings_once(type(self).__name__):
            result = trainer.fit(self, problem, gate, rng, routing)
        self.gate_inputs_ = getattr(result, "gate_inputs", None)
        self.blend_weights_ = getattr(result, "blend_weights", None)
        self.gate_selected_ = getattr(result, "gate_selected", None)
        self.out_of_fold_loss_ = getattr(result, "out_of_fold_loss", None)
        self.candidate_weights_ = getattr(result, "candidate_weights", None)
        self.rival_selected_ = getattr(result, "rival", None)
        self.rival_loss_ = getattr(result, "rival_loss", None)
        self.combiner_ = getattr(result, "combiner", None)
        if self._is_classifier:
            self.class_prior_ = class_prior(y, sample_weight, n_classes)
        names = getattr(result, "names", names)
        self.expert_names_ = names
        self.experts_ = result.experts
        self.named_experts_ = self._make_named_experts(names, result.experts)
        self.gate_ = result.gate
        self.history_ = result.history
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.log_likelihood_ = result.log_likelihood
        per_sample = getattr(result, "per_sample", None)
        if self._is_classifier and per_sample is not None:
            # Of the probabilities predict_proba gives, class_prior_ mixed in, as
            # the stacked gate's is: EM's and the joint trainer's left it out
            # (-0.0978386 against log_likelihood_samples' -0.0978664 on iris,
            # exact EM, which were equal before the share).
            self.log_likelihood_ = float(np.average(
                log_likelihood_with_class_prior(per_sample, problem.y, self.class_prior_),
                weights=problem.sample_weight))
        if result.variances is not None:
            self.noise_variance_ = result.variances
        return self

    def _check_copies_fit_rows(self, n_rows, n_left_out):
        """Refuse, for EM, more copies of one estimator than training rows.

        EM makes copies of one estimator different experts only by refitting
        each on the rows it is responsible for, and starts them on k-means
        regions of the rows, at most one per row: 10 copies of Ridge on 6 rows
        gave 4 experts no rows, identical fits that the gate all but ignored, and
        6 that each started on one row (the gate sent each training row to a
        different one), silently; HME refuses more leaves than rows so.
        """
        if resolve_training(self) != "em" or not self._copies_of_one_estimator():
            return
        experts = [e for _, e in self._expert_list() if not (isinstance(e, str) and e == "drop")]
        if len(experts) <= n_rows:
            return
        # (n_samples=: scikit-learn's check_fit2d_1sample looks for it.)
        left_out = (f" of positive sample_weight; the {n_left_out} rows of zero weight "
                    "are left out" if n_left_out else "")
        raise ValueError(
            f"{type(self).__name__}: {len(experts)} copies of {type(experts[0]).__name__} "
            f"as experts, more than its training rows (n_samples={n_rows}{left_out}); EM "
            "makes copies of one estimator different experts only by fitting each on rows "
            f"of its own, so at least {len(experts) - n_rows} would have none. Use at most "
            f"{n_rows} copies (far fewer in practice), or a pool of different experts.")

    def _inner_fold_count(self, y=None):
        """How many folds this model's ``cv`` makes (for 'auto' its trainer's,
        fewer where the targets ``y`` are too few), or None where it makes none
        (None: in-sample predictions; a splitter).

        ``fit(groups=...)`` and :func:`~skmoe.compare` with ``groups`` make
        that many folds of whole groups instead.
        """
        if isinstance(self.cv, numbers.Integral) and not isinstance(self.cv, bool):
            return int(self.cv)
        if isinstance(self.cv, str) and self.cv == "auto":
            try:
                trainer = TRAINERS[resolve_training(self)]
            except Exception:   # experts that do not resolve: fit will say why
                trainer = TRAINERS["gradient"]
            if y is None:
                return trainer.auto_cv
            return _folds_the_data_allow(trainer.auto_cv, y, self._is_classifier)
        return None

    def _warn_collapse_threshold(self, n_experts):
        """Warn of a ``collapse_threshold`` that flags an expert whatever the fit.

        The shares sum to 1, so the smallest is at most 1/n for n experts:
        at or above it some expert "collapsed" at every iteration. With
        ``collapse_action='drop'`` the pool shrinks as experts go, down to
        ``max(2, top_k)``, and 1/n grows: a threshold at or above 1/n_experts
        drops experts whatever the fit only until fewer than 1/threshold are
        left (it was warned of as flagging one at every iteration), and one
        flags an expert at every iteration only at or above 1/max(2, top_k).
        """
        threshold, drop = self.collapse_threshold, self.collapse_action == "drop"
        smallest = min(n_experts, max(2, self.top_k or 1)) if drop else n_experts
        if threshold >= 1 / smallest:
            pool = (f"the smallest pool collapse_action='drop' keeps (max(2, top_k) = "
                    f"{smallest})" if drop else "n_experts")
            message = (
                f"collapse_threshold={threshold!r} is at or above 1/{pool} "
                f"(1/{smallest} = {1 / smallest:.4g}): the experts' shares sum to 1, so at "
                f"every iteration where they are not all equal some expert is below it and "
                f"flagged as collapsed, whatever the fit; use a threshold below "
                f"{1 / smallest:.4g}.")
        elif drop and threshold >= 1 / n_experts:
            left = int(np.ceil(1 / threshold)) - 1
            message = (
                f"collapse_threshold={threshold!r} is at or above 1/n_experts "
                f"(1/{n_experts} = {1 / n_experts:.4g}): the experts' shares sum to 1, so "
                f"collapse_action='drop' drops experts whatever the fit until at most "
                f"{left} are left (fewer than 1/{threshold!r}); use a threshold below "
                f"{1 / n_experts:.4g} to drop only experts that collapse.")
        else:
            return
        # At the caller of fit, as warn_ignored_options.
        warnings.warn(message, UserWarning, stacklevel=6)

    def _routing_options(self, n_experts):
        """Check the routing parameters against the pool; bundle them."""
        if self.top_k is not None and self.top_k > n_experts:
            raise ValueError(f"top_k={self.top_k} is larger than the number of experts "
                             f"({n_experts}); use 1 <= top_k <= {n_experts}.")
        if self.top_k is None:
            for name in ("capacity_factor", "noisy_gating", "random_routing"):
                if getattr(self, name) not in (None, False):
                    raise ValueError(f"{name} applies to sparse routing only; set top_k "
                                     f"(1 <= top_k <= {n_experts}) or leave {name} off.")
        if self.random_routing and self.top_k == 1:
            # (It keeps the experts after a row's first at random: with one,
            # there is none, and the option did nothing without a word.)
            raise ValueError("random_routing applies to top_k >= 2 only (it keeps each "
                             "expert after a row's first at random; top_k=1 routes a row "
                             "to its first alone); set top_k >= 2 or leave random_routing "
                             "off.")
        if (self.top_k is not None and self.capacity_factor is not None
                and self.capacity_factor * self.top_k < 1 - 1e-12):
            # (The margin: 1/top_k itself, the documented minimum, times top_k
            # is 0.9999999999999999 in floats for top_k = 49, 98, 103, ...)
            # The experts take about capacity_factor * top_k * n_rows rows in
            # all, fewer than the rows: those left over keep their first choice
            # over the cap (no row is dropped), so the cap cannot hold. A
            # warning, as for the collapse threshold that fires whatever the fit.
            warnings.warn(
                f"capacity_factor={self.capacity_factor!r} is below 1/top_k "
                f"(top_k={self.top_k}, 1/{self.top_k} = {1 / self.top_k:.4g}): the "
                f"experts' capacity (ceil(capacity_factor * top_k * n_rows / n_experts) "
                f"rows each) is short of one slot per row, so the rows it cannot place "
                f"keep their first choice over the cap and the cap does not hold; use "
                f"capacity_factor >= {1 / self.top_k:.4g} for a slot per row.", UserWarning,
                stacklevel=5)
        if self.training_ == "em" and self.collapse_threshold is not None:
            self._warn_collapse_threshold(n_experts)
        return RoutingOptions(
            top_k=self.top_k, noisy_gating=self.noisy_gating,
            random_routing=self.random_routing, capacity_factor=self.capacity_factor,
            balance_coef=self.balance_coef, balance_loss=self.balance_loss,
            router_z_coef=self.router_z_coef, collapse_threshold=self.collapse_threshold,
            collapse_patience=self.collapse_patience, collapse_action=self.collapse_action)

    # -------------------------------------------------------------- predict
    def _outputs(self, X):
        X = read_only_view(X)   # no expert can change the caller's X
        if self._is_classifier:
            return classification_outputs(self.expert_names_, self.experts_, X,
                                          len(self.classes_))
        return regression_outputs(self.expert_names_, self.experts_, X)

    def _gate_weights(self, X, outputs=None, view=None):
        """Weights used by predict: the softmax gate, or its routed top-k.

        A stacked gate (``gate_inputs_`` set) also reads the experts'
        outputs; pass them, and the gate's view of X, when already computed.
        """
        if self.top_k is None:
            return self.gate_.predict_proba(self._gate_input(X, outputs, view))
        if getattr(self, "gate_inputs_", None) is not None:
            # top_k set after a fit with the stacked gate, which reads the
            # experts' outputs too: torch's "The size of tensor a (3) must
            # match the size of tensor b (6)" from routing its logits.
            raise ValueError(
                f"top_k={self.top_k} was set after fit: this mixture was fitted with the "
                "stacked gate (top_k=None), which reads the experts' outputs and routes "
                "no top-k. Refit it with top_k set, or set top_k=None again.")
        n_experts = len(self.experts_)
        if (isinstance(self.top_k, (bool, np.bool_))
                or not isinstance(self.top_k, numbers.Integral)
                or not 1 <= self.top_k <= n_experts):
            # Read at predict, top_k set after fit is not validated by fit:
            # 1.5 failed with "slice indices must be integers", 'a' with "'<' not
            # supported", True routed as 1, and 5 of 3 experts routed as 3
            # (all refused by fit).
            raise ValueError(
                f"top_k={self.top_k!r} was set after fit: predict routes each row to "
                f"top_k of the experts, an integer from 1 to {n_experts} (or None "
                "for every expert).")
        # No capacity at predict time: a row's prediction must not depend on
        # the other rows of the batch (capacity is a training aid).
        return route_numpy(self.gate_.logits(self._gate_view(X)), self.top_k)

    def _gate_input(self, X, outputs=None, view=None):
        """What the gate reads: its view of X, and the experts' outputs (stacked gate)."""
        view = self._gate_view(X) if view is None else view
        if getattr(self, "gate_inputs_", None) is None:
            return view
        return self.gate_inputs_.transform(view,
                                           self._outputs(X) if outputs is None else outputs)

    def _combiner_and_view(self, X):
        """The candidate blend (None without heads) and, when there is one, the
        gate's view of X, which its heads read too (built once per predict)."""
        combiner = getattr(self, "combiner_", None)
        return combiner, None if combiner is None else self._gate_view(X)

    def _weights_and_outputs(self, X, view=None):
        """Gate weights and the experts' outputs (zeros off-route with top_k).

        ``view``: the gate's view of X when the caller needs it too (the
        candidate blend's heads read it), so that it is built once.
        """
        if device_predict_applies(self, X):
            # X on the device once; torch experts batched (skmoe._device_predict).
            return device_weights_and_outputs(self, X)
        if self.top_k is None:
            outputs = self._outputs(X)
            return self._gate_weights(X, outputs, view), outputs
        weights = self._gate_weights(X)
        return weights, self._routed_outputs(X, weights)

    def _routed_outputs(self, X, weights):
        """Top-k expert outputs: each expert runs only on its rows (zeros elsewhere)."""
        n_classes = len(self.classes_) if self._is_classifier else None
        return dispatch_outputs(self.expert_names_, self.experts_, X, weights > 0,
                                n_classes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._experts_accept_sparse()
        tags.non_deterministic = False
        return tags


class MixtureOfExpertsRegressor(CheckedScoreMixin, RegressorMixin, _BaseMixtureOfExperts):
    """Mixture of heterogeneous regression experts with a neural gate.

    Predicts ``y_hat(x) = sum_i g_i(x) f_i(x)`` where each ``f_i`` is any
    scikit-learn regressor and ``g(x)`` is a softmax gate from a torch MLP.
    With the default training that mixture is one of the candidates of a
    convex blend with stacking's linear heads and the best expert (weights
    ``candidate_weights_``; ``combiner_`` when a head has a share), so
    ``predict`` is ``sum_i g_i f_i`` only where ``combiner_`` is None.
    Each expert has its own Gaussian noise scale, so the mixture is also a
    conditional density: ``predict(X, return_std=True)`` and
    ``log_likelihood_samples(X, y)`` (formerly ``score_samples``) use it.

    Read more in the :doc:`user guide </user_guide>`: :ref:`training` (how
    each trainer works), :ref:`routing`, :ref:`raw-data` (what X may be).

    Parameters
    ----------
    experts : list of (str, estimator) or estimator
        The experts, as ``(name, estimator)`` pairs (``'drop'`` removes one),
        or a single estimator repeated ``n_experts`` times.
    n_experts : int, default=None
        Number of copies of a single estimator (homogeneous mixture); each
        copy gets its own ``random_state``. Must be None with a list. EM
        (the default for copies) takes at most one copy per training row.
    gate : MLPGate, default=None
        The gating network; None means ``MLPGate()``. Pass ``MLPGate(...)``
        to tune it, e.g. ``gate__hidden_layer_sizes`` in ``GridSearchCV``.
    gate_transformer : 'auto' or transformer, default='auto'
        How the gate, a torch network, gets numbers from X; the experts
        always get X as it is (a DataFrame with categorical or string
        columns, a sparse matrix, an array of any dtype). 'auto' is
        :class:`~skmoe.AutoGateTransformer`: numbers as float64, categorical
        columns one-hot, a sparse matrix of at most 1000 columns densified;
        anything else is an error that asks for a ``gate_transformer``. A
        transformer is cloned and fitted in ``fit`` (``gate_transformer_``).
        The gate standardises its inputs and imputes missing values with
        their training mean. A transformer's output may hold NaN only where
        every expert takes NaN in X, and no column of NaN in every row at
        fit unless X has one of its own; infinity never (each refused at fit
        and predict, naming the rows and columns). One that returns no
        columns makes a constant gate, with a warning. See :ref:`raw-data`.
    training : {'auto', 'gradient', 'em'}, default='auto'
        'auto': 'em' for copies of one estimator that is not a torch MLP
        (``n_experts`` of it, or a list of experts of one type with the
        same parameters but for ``random_state``): copies of a fixed
        estimator become different experts only by being refitted on
        different rows, which EM does (the stacked gate over identical
        copies would be that estimator again; where the joint trainer's
        experts give the same predictions on every row, fit warns).
        'gradient' otherwise;
        ``training_`` says which ran.
        'gradient': the gate learns on the experts' out-of-fold predictions
        (``cv`` folds; the experts that predict are their fold fits averaged
        or refits on all rows, see ``refit_experts``), about the cost of
        ``StackingRegressor`` and the more accurate choice on most real data. With a dense gate and no torch experts
        this is the *stacked gate* (``blend_weights_`` to ``gate_inputs_``);
        with torch MLP experts (:class:`~skmoe.experts.TorchMLPRegressor`),
        ``top_k``, ``balance_coef`` or ``router_z_coef`` (or ``cv=None``), the
        gate and the torch experts train jointly by minibatch
        Adam on ``loss``. 'em': expectation-maximisation; every expert is
        refitted on its responsibilities, so experts *specialise* by region:
        choose it when the data has distinct regimes; it costs
        ``2 * n_iter_ + 1`` fits of every expert with the default two
        folds, ``n_iter_ + 2`` with ``cv=None`` (``n_iter_``, the
        iterations run, is at most ``max_iter``). An option that only one
        trainer reads warns at fit when set away from its default under the
        other.
        See :ref:`training`.
    max_iter : int, default=20
        EM only: maximum EM iterations per initialisation.
    tol : float, default=1e-3
        EM: the least gain in mean per-sample (honest) log-likelihood over
        its best iteration that counts as an improvement (with cross-fitting
        also more than one standard error of that gain); EM stops at the
        first iteration without one and keeps its best iteration
        (``converged_`` False if still improving after ``max_iter``); so
        does top-k EM, whose log-likelihood can fall and then rise again
        (waiting for the rise was measured no better on held-out rows).
        Gradient: the improvement in validation loss that resets the
        early-stopping patience (unread with ``validation_fraction=0``:
        set there, it warns).
    n_init : int, default=1
        Restarts: EM keeps the run with the best log-likelihood (its
        restarts run in parallel with ``n_jobs``), joint gradient training
        (torch experts or ``top_k``) the one with the best validation loss.
        The stacked gate keeps them all: ``n_init`` gates on each of its
        folds of the rows (five, fewer below 20 rows), their logits averaged.
        EM restarts that all give the same fit (nothing in them depends on
        the seed) warn that ``n_init`` had no effect.
    init_params : {'auto', 'matched', 'kmeans', 'random', 'uniform'}, default='auto'
        EM only: starting responsibilities. 'kmeans': each expert starts on
        one k-means region of the joint (x, y) space; 'matched': the same
        regions, each given to the expert that models it best; 'uniform':
        every expert on all rows; 'random': Dirichlet draws. 'auto' is
        'uniform' for a heterogeneous pool with cross-fitting, 'matched' for
        exact EM (``cv=None``), 'kmeans' for copies of one estimator. See
        :ref:`how EM starts <em-start>`.
    cv : int, cross-validation generator, iterable, None or 'auto', default='auto'
        Folds of the out-of-fold (cross-fitted) predictions: the gate learns
        how good each expert is on rows it has not memorised, so experts that
        interpolate (1-NN, deep trees) cannot claim every row. 'auto' is 5
        folds for ``training='gradient'`` and 2 for 'em', fewer (at least 2)
        on data too small for them (e.g. a classifier's largest class with
        4 rows: 4 folds). None uses
        in-sample predictions (exact EM, for low-capacity experts; both
        trainers warn of experts that fit their training rows exactly). With k
        folds every fold must leave two training rows (at least k rows, 4
        for k=2), and a classifier needs a class with k rows. A splitter
        must put every row in exactly one test fold (``KFold``; not
        ``ShuffleSplit`` or ``TimeSeriesSplit``). For rows in groups, pass
        them to fit, ``fit(X, y, groups=groups)`` (or the folds themselves:
        ``cv=list(GroupKFold(5).split(X, y, groups))``); the stacked gate's folds (which score its candidates) are then
        unions of whole test folds of them, and its gates stop early on
        whole ones (see ``validation_fraction``), so a group is held out
        whole there too (with three folds or more: with two, a gate's
        training rows are one fold, its early-stopping rows are drawn from
        it at random, and ``fit(X, y, groups=groups)`` warns). Where every expert is a torch MLP, the gradient
        trainer trains them with the gate on every row and reads no folds
        (``cv`` or ``groups`` set then warns).
    n_jobs : int, default=None
        Experts (and folds) are refitted in parallel with joblib; EM's
        ``n_init`` restarts, when there are several, run in parallel instead.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the folds, the resampling fallback, torch
        and the experts: each expert's ``random_state`` left None (a seed
        set on an expert is kept), and, for a homogeneous mixture, each
        copy its own (in place of any seed it had).
    verbose : int, default=0
        Print the log-likelihood and expert shares at every EM iteration
        (the training and validation loss at every epoch with
        ``training='gradient'``), and show tqdm progress bars on stderr
        over the iterations and the out-of-fold fits (off a
        terminal, or with ``SKMOE_PROGRESS=lines``, a line every ten seconds).
    max_epochs : int, default=100
        ``training='gradient'`` only, as are the parameters below up to
        ``device``: epochs of minibatch Adam.
    learning_rate : float, default=1e-3
        Adam step size for the gate, the torch experts and the noise scales.
    batch_size : int, default=256
    loss : {'auto', 'nll', 'squared_error'}, default='auto'
        'nll': the mixture's negative log-likelihood (per-expert noise scales
        learned with it). 'squared_error': the squared error of the mixed
        prediction ``sum_i g_i f_i`` (noise scales then fitted to the trained
        gate by maximum likelihood). 'auto': 'squared_error' for the stacked
        gate, 'nll' for joint training (torch experts, ``top_k``,
        ``balance_coef`` or ``router_z_coef``).
    validation_fraction : float, default=0.1
        Rows held out for early stopping (at least one, and two left to
        train on; refused where it holds out more rows than it leaves and
        leaves fewer than 10, or two per class; the best epoch's weights
        are kept: the stacked gate's last epoch that improved by more than
        ``tol``); 0 trains for
        ``max_epochs`` on all rows. With ``cv`` your own splits the stacked
        gate holds out whole test folds of them instead, drawn until they
        hold this share of its rows (one fold or more, never all:
        one of five ``GroupKFold`` folds, a quarter of its rows; with two
        splits, rows drawn at random).
    n_iter_no_change : int, default=10
        Early-stopping patience in epochs.
    device : str or None, default='auto'
        Where the gate and the torch experts train: 'auto' (or None) uses
        CUDA when available, 'cuda' without CUDA is an error.
    refit_experts : bool, float in [0, 1] or 'auto', default='auto'
        The stacked gate only (``training='gradient'``, no ``top_k``,
        ``balance_coef``, ``router_z_coef`` or torch experts): which models of
        each expert predict. True: one fit
        on all rows, as ``StackingRegressor`` refits. False: the average of
        the expert's ``cv`` fold fits (:class:`~skmoe.CrossFitAverage`), the
        very models whose out-of-fold predictions the gate learned from,
        bagged; it saves the refit and costs ``cv`` predictions per expert at
        predict time (with ``cv=5``, about 5x ``StackingRegressor``'s predict
        time on the benchmark's pool, True 1.0-1.9x:
        ``benchmarks/results/predict_cost.md``; and, for an expert that
        stores its training rows, such as k-NN, ``cv`` copies of most of
        them in the fitted model). A share
        ``s`` between 0 and 1: the refit with weight ``s`` and the fold fits
        with ``1 - s`` (both fitted and kept; 0 is False, 1 is True).
        'auto' is False for the regressor (better on all ten regression sets
        of the benchmark, by 0.1-5.7 %) and True for the classifier
        (averaging k fits' probabilities cannot recover the confidence a
        classifier gains from the rows it did not see: 12 and 38 % worse
        log-loss on two of nine sets). A classifier's 0.5 was better than
        its refits on 15 of 20 classification sets outside the benchmark
        (mean -1.0 %), but 4.5 % worse on ``college_distance``, where
        LightGBM alone is the best model. See :ref:`training`.
    top_k : int, default=None
        Sparse routing: each row uses only the ``top_k`` experts with the
        largest gate weights, renormalised; ``predict`` calls each expert
        only on the rows routed to it (:meth:`expert_usage`). None is the
        dense mixture (so is a ``top_k`` of every expert, which the gradient
        trainer trains jointly, not by the stacked gate: it warns). The
        routing options below apply to both trainers
        unless marked; see :ref:`routing`. A top-k mixture over fixed
        experts is replaced by its rival (the best expert alone for
        ``top_k=1``, else the top k of the experts' best constant blend)
        if the rival beats it by more than one standard error: on the
        validation rows with the gradient trainer (and no balance loss),
        which also gives way to the rival where its gate is no better on
        every row (rows it was trained on, which favour it); on the honest
        outputs of every row with cross-fitted EM from the full-data fits.
        A top-1 mixture with torch experts (gradient trainer) does the
        same, its rival the best of the experts that are not torch MLPs.
    noisy_gating : bool, default=False
        Noisy top-k gating in training (learned, input-dependent noise on
        the gate logits).
    random_routing : bool, default=False
        In training, keep each expert after a row's first with probability
        ``min(1, top_k * weight)``. Needs ``top_k >= 2``.
    capacity_factor : float, default=None
        Cap each expert at ``ceil(capacity_factor * top_k * n_rows / n_experts)``
        rows of a training batch (no row is dropped; ``predict`` has no
        cap). Needs ``top_k``; below ``1 / top_k`` there is not a slot per
        row and fit warns. Cross-fitted EM from the full-data fits (the
        default start) keeps its best iteration by honest likelihood, which a
        tight cap (near ``1 / top_k``: near-equal shares) lowers: then the
        first iteration (the constant blend, which the cap does not touch)
        is kept and ``capacity_factor`` has no effect on the fitted mixture
        (``history_`` shows the capped iterations). See :ref:`routing`.
    balance_loss : {'switch', 'importance', 'load'}, default='switch'
        Load-balancing term added to the gate's loss when ``balance_coef > 0``.
        For the dense mixture (``top_k`` None or every expert), 'switch' and
        'load' count each row's first choice. With ``top_k=1``, whose routed
        weights are all one, 'importance' sums the chosen experts' softmax
        weights.
    balance_coef : float, default=0.0
        Weight of the balance loss. Above 0 on a dense gate over fixed
        experts (with ``cv`` folds), the gradient trainer trains the gate
        jointly instead of fitting the stacked gate, which has no such
        term: fit warns.
    router_z_coef : float, default=0.0
        Weight of the router z-loss ``mean(logsumexp(logits)^2)``; above 0,
        as ``balance_coef``.
    collapse_threshold : float, default=None
        EM only. An expert whose share of responsibility stays below this for
        ``collapse_patience`` EM iterations has collapsed: an
        :class:`~skmoe.ExpertCollapseWarning` (with ``n_init``, of the
        restart kept only), an event in ``history_`` and
        ``collapse_action``. None turns the check off. The shares sum to 1,
        so at or above ``1 / n_experts`` some expert is below it at nearly
        every iteration: fit warns of such a threshold. With
        ``collapse_action='drop'`` such a threshold drops experts, whatever
        the fit, until fewer than ``1 / collapse_threshold`` are left (fit
        warns of that), and flags one at every iteration only at or above
        ``1 / max(2, top_k)``.
    collapse_patience : int, default=3
        Consecutive iterations below the threshold before acting.
    collapse_action : {'reinit', 'drop', 'warn'}, default='reinit'
        'reinit' hands the collapsed expert the rows the mixture explains
        worst, and EM goes on from there; the iteration kept is still the
        best by EM's log-likelihood (held-out with ``cv``) over all
        iterations, those before the re-initialisation included. 'drop'
        removes it (never below ``max(2, top_k)`` experts) and keeps the best
        iteration after the drop; 'warn' only warns.

    Attributes
    ----------
    experts_ : list of estimators
        The fitted experts: fitted on all rows (EM: with their
        responsibilities), or each a :class:`~skmoe.CrossFitAverage` of its
        fold fits (``refit_experts``).
    named_experts_ : Bunch
        The fitted experts by name.
    expert_names_ : list of str
        Names of the experts kept (``'drop'`` removed), the column order of
        ``predict_gate`` and ``predict_experts``.
    gate_ : MLPGate
        The fitted gate.
    gate_transformer_ : transformer
        The fitted transformer that builds the gate's numeric view of X
        (:class:`~skmoe.AutoGateTransformer` for 'auto').
    noise_variance_ : ndarray of shape (n_experts,)
        Each expert's noise variance (from honest residuals when ``cv``):
        with the gate and the experts' means, those that maximise the
        mixture's likelihood on the training rows. After EM, those of its
        kept iteration's M-step (weighted by that iteration's
        responsibilities): within EM's ``tol`` of that maximum, not at it
        (one exact-EM fit: 0.87724 against 0.87907, a mean log-likelihood
        5e-7 lower).
    history_ : list of dict
        Per EM iteration: ``iteration`` (from 1), ``log_likelihood`` (mean
        per sample; with ``top_k`` that of the routed model used by
        ``predict``), ``expert_share`` (each expert's share of
        responsibility), ``experts`` (the names those shares are of: fewer
        from the iteration that dropped experts, with
        ``collapse_action='drop'``), ``seconds``, ``collapsed`` (names of
        the experts found collapsed at that iteration). Per epoch for
        ``training='gradient'``: ``epoch`` (from 1), ``train_loss``,
        ``validation_loss`` (not with ``validation_fraction=0``),
        ``log_likelihood`` (joint training with ``loss='nll'``: torch
        experts or ``top_k``; the stacked gate records none, whatever its
        ``loss``), ``expert_share`` (mean gate weights, routed with
        ``top_k``), ``seconds``; for the stacked gate
        ``train_loss`` and ``validation_loss`` are means over the fold gates.
    log_likelihood_ : float
        Mean per-sample log-likelihood of the kept run on the training rows
        (the classifier's with ``class_prior_`` mixed in, as ``predict_proba``
        mixes it). Where the experts are cross-fitted (the stacked gate, EM with
        ``cv``, the experts other than torch MLPs when the gate trains with
        torch experts or routing), it is computed from their out-of-fold
        outputs: a held-out figure, usually lower than the mean of
        ``log_likelihood_samples`` on the training rows, which uses the
        deployed experts. Cross-fitted EM's is that of its own gate's
        held-out weights at the kept iteration: the gate ``predict`` uses is
        that gate blended with the experts' constant blend (the level-2
        share, chosen after), which this figure does not include. A
        classifier's is, whichever trainer ran, the log of the probabilities
        ``predict_proba`` makes of those outputs (cross-fitted EM's: with
        that gate's weights), with no floor on an expert's probability: the
        training objectives (EM's and the joint trainer's ``log_likelihood``
        in ``history_``) floor each at 1e-6.
    blend_weights_ : ndarray of shape (n_experts,) or None
        Stacked gate only (as are the attributes below up to
        ``gate_inputs_``; None otherwise): the best constant blend of the
        experts on their out-of-fold predictions, where the gate starts.
    gate_selected_ : bool or None
        Whether the input-dependent gate has a share in the final predictor
        (``candidate_weights_['gate'] > 0``: almost always, if only a tiny
        one). Without it ``predict_gate`` returns ``blend_weights_`` on every
        row.
    out_of_fold_loss_ : dict or None
        Held-out task loss (standardised squared error, or log-loss) of each
        candidate: ``'constant'`` (the blend), ``'gate'`` (the averaged fold
        gates), ``'linear'`` (stacking's linear model),
        ``'feature_weighted'`` (feature-weighted linear stacking) and
        ``'best_expert'`` (the expert with the lowest held-out loss, alone);
        for classification also ``'prior'`` (the training rows' class
        frequencies on every row) and ``'linear_proba'``
        (StackingClassifier's head: logistic regression on the experts'
        probabilities).
    candidate_weights_ : dict or None
        Weights (summing to 1) of the final predictor, the best convex blend
        of the candidates' held-out predictions in which ``'constant'`` keeps
        at least 0.02. ``predict_gate`` shows the mixture's part (the
        constant blend and the gate).
    combiner_ : CandidateBlend or None
        When a head (stacking's linear models, the best expert, for a
        classifier the class frequencies and StackingClassifier's head on the
        probabilities) has a weight: the blend of the
        mixture's prediction with the heads', which ``predict``, ``predict_proba`` and
        ``log_likelihood_samples`` go through. The regressor's predictive
        density is then the mixture moved, row by row, to that blended mean:
        ``predict(return_std=True)`` gives its mean and spread, and
        ``log_likelihood_samples`` scores it.
    gate_inputs_ : GateInputs or None
        How the gate's input is built from X and the experts' predictions.
    rival_selected_ : bool or None
        Top-k mixtures (None where no rival check ran, as ``top_k`` says
        when one runs: not for a dense mixture, nor the gradient trainer
        with a balance loss, nor EM without ``cv``): whether the trained routing was replaced by its rival,
        the best constant routing (the best expert alone for ``top_k=1``),
        because the rival beat it (see ``top_k``). Then ``predict_gate`` gives
        the rival's constant weights on every row, and ``history_``,
        ``n_iter_`` and ``converged_`` describe the discarded training run.
    rival_loss_ : dict or None
        Where a rival check ran (``rival_selected_`` not None), the losses
        that decided it (standardised squared error, or log-loss, of the
        routed prediction): ``'gate'`` and ``'rival'``, their weighted means
        on the rows scored, and ``'standard_error'`` of the paired
        difference; the rival replaces the gate where ``gate - rival``
        exceeds it. EM scores every row (held-out: cross-fitted outputs and
        gate logits); gradient training the validation rows, and adds
        ``'gate_every_row'`` and ``'rival_every_row'``: the rival also
        replaces a gate that is no better on every row.
    training_ : {'gradient', 'em'}
        The trainer that ran (``training``, with 'auto' resolved).
    n_iter_ : int
    converged_ : bool
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    See Also
    --------
    EnsembleRegressor : the averaging baseline on the same experts.

    Notes
    -----
    X reaches the experts untouched: no copy, no cast (an array as a
    read-only view, so that no expert can change it), rows taken with
    ``sklearn.utils._safe_indexing``. ``fit`` and ``predict`` check its
    shape, its feature names and count and that its numbers hold no
    infinity; NaN is refused up front when an expert's tags (``allow_nan``)
    say it cannot take NaN, unless that expert is a ``Pipeline`` or wraps
    one (GridSearchCV, CalibratedClassifierCV of a Pipeline): their tags
    describe only the first step, so it gets the NaN and decides. Experts
    whose ``fit`` has no ``sample_weight`` (e.g. k-nearest neighbours) are
    fitted on a systematic resample of the rows drawn in proportion to
    their weights; a ``Pipeline`` receives them in its last step, or, with
    metadata routing enabled, in the steps that request them. See
    :ref:`raw-data`.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from skmoe import MixtureOfExpertsRegressor
    >>> from skmoe.datasets import make_regimes
    >>> X, y = make_regimes(n_samples=400, random_state=0)
    >>> moe = MixtureOfExpertsRegressor(
    ...     [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=4))],
    ...     random_state=0).fit(X, y)
    >>> moe.predict_gate(X[:2]).shape
    (2, 2)
    """

    # Each task takes its own losses only: the base's constraint holds both
    # tasks', so the other task's was taken and, under EM, only warned about as
    # unread.
    _parameter_constraints = {
        **_BaseMixtureOfExperts._parameter_constraints,
        "loss": [StrOptions({"auto", "nll", "squared_error"})],
    }

    def fit(self, X, y, sample_weight=None, groups=None, **fit_params):
        """Fit the mixture (by EM or by gradients, see ``training``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Only relative weights matter: they are rescaled to mean one. Rows
            of weight zero are left out (the fit is the one without them).
        groups : array-like of shape (n_samples,), default=None
            The group of each row (pupils of a school, a person's repeated
            measures). Given, the cross-fitting folds are whole groups: an
            int or 'auto' ``cv`` makes that many ``GroupKFold`` folds
            (stratified for a classifier; 'auto' fewer where there are
            fewer groups), a splitter is split with the groups, and splits
            given as a list must keep each group on one side. The experts'
            out-of-fold predictions, the stacked gate's folds and its early
            stopping then follow them (see ``cv``), so the blend is chosen on
            groups it did not learn from. (Joint training -- ``top_k``,
            routing losses, torch experts -- stops early on shuffled rows:
            holding out whole groups there was better on 3 of 6 grouped sets
            and worse on 3, ``benchmarks/results/grouped_gate_folds.md``.) Inside
            ``GridSearchCV`` or a ``Pipeline``, request it with metadata
            routing: ``set_fit_request(groups=True)``.
        **fit_params : dict
            Only with metadata routing enabled, and only so that requests are
            validated: the experts take no metadata but their weights.

        Returns
        -------
        self : MixtureOfExpertsRegressor
        """
        with torch_fit_mode():
            X, y, sample_weight = self._validate_inputs(X, y, sample_weight, fit_params, groups)
            if y.ndim != 1:
                raise ValueError("y must be one-dimensional for MixtureOfExpertsRegressor.")
            return self._fit(X, y.astype(np.float64), sample_weight, None, groups)

    def predict(self, X, return_std=False):
        """Mixture prediction ``sum_i g_i(x) f_i(x)``, blended with the heads of
        ``combiner_`` where it is set (the default stacked gate).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard deviation of the predictive mixture
            (gate-weighted expert noise plus disagreement between experts).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,)
            Only when ``return_std=True``.
        """
        return_std = check_flag(return_std, "return_std", f"{type(self).__name__}.predict")
        X = self._check_X(X)
        combiner, view = self._combiner_and_view(X)
        weights, outputs = self._weights_and_outputs(X, view)
        if return_std:
            mean, std = gaussian_mixture_moments(weights, outputs, self.noise_variance_)
        else:  # the same mean, without the spread's passes over (n, M)
            mean = (weights * outputs).sum(axis=1)
        if combiner is not None:
            mean = combiner.predict(view, outputs, mean)
        return (mean, std) if return_std else mean


class MixtureOfExpertsClassifier(CheckedScoreMixin, ClassifierMixin, LogProbaMixin,
                                 _BaseMixtureOfExperts):
    """Mixture of heterogeneous classification experts with a neural gate.

    ``p(y | x) = sum_i g_i(x) p_i(y | x)`` where each ``p_i`` is an expert's
    ``predict_proba`` aligned to the mixture's ``classes_`` (an expert whose
    weighted fit saw only some classes gives the others probability zero).
    With the default training those probabilities are blended with stacking
    heads' and the best expert's where held-out rows say so
    (``candidate_weights_``, ``combiner_``).

    Parameters
    ----------
    experts : list of (str, estimator) or estimator
        Classifiers with ``predict_proba``, as ``(name, estimator)`` pairs, or
        one classifier repeated ``n_experts`` times.
    n_experts : int, default=None
        See :class:`MixtureOfExpertsRegressor`.
    gate : MLPGate, default=None
        The gating network; None means ``MLPGate()``.
    gate_transformer : 'auto' or transformer, default='auto'
        The gate's numeric view of X; the experts get X as it is. See
        :class:`MixtureOfExpertsRegressor`.
    training : {'auto', 'gradient', 'em'}, default='auto'
        See :class:`MixtureOfExpertsRegressor`.
    max_iter : int, default=20
    tol : float, default=1e-3
    n_init : int, default=1
    init_params : {'auto', 'matched', 'kmeans', 'random', 'uniform'}, default='auto'
    cv : int, cross-validation generator, iterable, None or 'auto', default='auto'
        Folds of the out-of-fold predictions; stratified for ints. See
        :class:`MixtureOfExpertsRegressor`.
    n_jobs : int, default=None
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
    max_epochs : int, default=100
    learning_rate : float, default=1e-3
    batch_size : int, default=256
    loss : {'auto', 'nll', 'log_loss'}, default='auto'
        'nll' and 'log_loss' are the same objective for a classifier.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    device : str or None, default='auto'
    refit_experts : bool, float in [0, 1] or 'auto', default='auto'
        ``'auto'`` refits the experts on all rows. These eight are
        ``training='gradient'`` only; see :class:`MixtureOfExpertsRegressor`.
    top_k : int, default=None
    noisy_gating : bool, default=False
    random_routing : bool, default=False
    capacity_factor : float, default=None
    balance_loss : {'switch', 'importance', 'load'}, default='switch'
    balance_coef : float, default=0.0
    router_z_coef : float, default=0.0
    collapse_threshold : float, default=None
    collapse_patience : int, default=3
    collapse_action : {'reinit', 'drop', 'warn'}, default='reinit'
        Routing, these ten; see :class:`MixtureOfExpertsRegressor`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_prior_ : (float, ndarray of shape (n_classes,))
        The share ``1/n^2`` (``n`` training rows, a row of weight 2 counted
        twice) of the training rows' class frequencies that ``predict_proba``
        mixes in, whatever the training and routing: on 30 rows a tree never
        wrong out of fold took every weight and gave the true class 1e-6
        where it was wrong (top-1, EM: iris log-loss 0.68, 0.65; with the
        share 0.47, 0.44; ``benchmarks/results/class_prior_variants.md``).
    experts_, named_experts_, expert_names_, gate_, gate_transformer_, history_,
    log_likelihood_, blend_weights_, gate_selected_, out_of_fold_loss_,
    candidate_weights_, combiner_, gate_inputs_, rival_selected_, rival_loss_, training_,
    n_iter_,
    converged_, n_features_in_, feature_names_in_
        As in :class:`MixtureOfExpertsRegressor`.

    See Also
    --------
    EnsembleClassifier : the soft-voting baseline on the same experts.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skmoe import MixtureOfExpertsClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> logit = make_pipeline(StandardScaler(), LogisticRegression())
    >>> moe = MixtureOfExpertsClassifier(
    ...     [("logit", logit), ("tree", DecisionTreeClassifier(max_depth=3))],
    ...     random_state=0).fit(X, y)
    >>> moe.predict_proba(X[:1]).shape
    (1, 3)
    """

    _parameter_constraints = {  # (the classifier's losses: see the regressor's)
        **_BaseMixtureOfExperts._parameter_constraints,
        "loss": [StrOptions({"auto", "nll", "log_loss"})],
    }

    def fit(self, X, y, sample_weight=None, groups=None, **fit_params):
        """Fit the mixture (by EM or by gradients, see ``training``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (any hashable type: strings, ints).
        sample_weight : array-like of shape (n_samples,), default=None
            Only relative weights matter; rows of weight zero are left out.
        groups : array-like of shape (n_samples,), default=None
            Folds of whole groups; see :meth:`MixtureOfExpertsRegressor.fit`.
        **fit_params : dict
            See :meth:`MixtureOfExpertsRegressor.fit`.

        Returns
        -------
        self : MixtureOfExpertsClassifier
        """
        with torch_fit_mode():
            X, y, sample_weight = self._validate_inputs(X, y, sample_weight, fit_params, groups)
            if y.ndim != 1:
                raise ValueError("y must be one-dimensional for MixtureOfExpertsClassifier.")
            self._label_encoder, codes = encode_class_labels(y)
            self.classes_ = self._label_encoder.classes_
            return self._fit(X, codes, sample_weight, len(self.classes_), groups)

    def predict_proba(self, X):
        """Mixture class probabilities ``sum_i g_i(x) p_i(y | x)``, blended with
        the heads of ``combiner_`` where it is set (the default stacked gate;
        and with ``class_prior_``, a ``1/n^2`` share of the training rows'
        class frequencies for ``n`` training rows, so that no class falls
        below what ``n`` rows can rule out).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._check_X(X)
        return self._proba(X)

    def _proba(self, X):
        combiner, view = self._combiner_and_view(X)
        weights, outputs = self._weights_and_outputs(X, view)
        proba = mix_probabilities(weights, outputs)
        if self.top_k is not None and self.top_k < len(self.experts_):
            # Routed, a row's probabilities are one expert's (or k experts'),
            # zeros included: floored as in training, where every expert's
            # likelihood is floored at PROBA_FLOOR, so that a routed expert's
            # confident mistake costs what the gate was trained to expect
            # (benchmarks/results/topk_trainers.md). With every expert
            # routed the mixture is the dense one, and stays it.
            proba = floored_renormalised(proba)
        if combiner is not None:
            proba = combiner.predict_proba(view, outputs, proba, len(self.classes_))
        # (A mixture pickled before class_prior_ kept the share in its combiner_.)
        prior = self.__dict__.get("class_prior_", getattr(combiner, "prior", None))
        return with_class_prior(proba, prior)

    def predict(self, X):
        """Most probable class under the mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
