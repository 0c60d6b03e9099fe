"""Hierarchical mixtures of experts (Jordan & Jacobs, 1994), trained by EM.

A tree of softmax gates whose leaves are experts. With ``branching=(2, 2)``
the root gate chooses between two branches and each branch's gate between
two leaves; a leaf's weight is the product of the gate probabilities on its
path, and ``p(y | x) = sum_leaves prod_path g(x) * p_leaf(y | x)``.

The tree is trained by one EM over all its nodes (``_hme_em.py``), not as a
mixture nested in a mixture fitted level by level; this module holds the
public API: validation, prediction and the fitted attributes.
"""

import math
import numbers
import warnings

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, _safe_indexing, check_random_state
from sklearn.utils.parallel import Parallel
from sklearn.utils.validation import _num_samples
from sklearn.utils._param_validation import HasMethods, StrOptions

from ._base import (CheckedScoreMixin, _BaseExpertComposition, _seed_unset_random_states,
                    check_expert_name, check_not_a_class, refuse_groups, clone_expert,
                    encode_class_labels, encode_label_parameters, function_hint,
                    refuse_pairwise_rows_left_out, rows_of_positive_weight)
from ._blend import class_prior
from ._candidates import log_likelihood_with_class_prior, with_class_prior
from ._cluster import scatter_once
from ._compat import Interval, N_JOBS, _set_random_states, check_flag
from ._data import read_only_view
from ._hme_em import (DEFAULT_GATE_ALPHA, TreeProblem, Tree, check_branching,
                      check_leaves_fit_rows, leaf_outputs, log_conditionals, run_em,
                      tree_log_likelihood_samples)
from ._inspection import ExpertOutputMixin
from ._likelihood import (InformationCriteriaMixin, LogProbaMixin, gaussian_mixture_moments,
                          log_proba_at_labels, mix_probabilities)
from ._torch_utils import torch_fit_mode
from ._training import training_rows_shortfall, warn_unused_without_early_stopping
from ._warnings import expert_warnings_once
from .gates import MLPGate, _warn_unused_activation, _warn_unused_adam_options


class _BaseHierarchicalMixture(InformationCriteriaMixin, ExpertOutputMixin,
                               _BaseExpertComposition):
    """Shared EM and prediction logic of the HME regressor and classifier."""

    _raw_X = True  # the leaves get X as given; the gates its view (gate_transformer)

    _parameter_constraints = {
        "experts": "no_validation",
        "branching": [Interval(numbers.Integral, 2, None, closed="left"), tuple, list],
        "gate": [MLPGate, None],
        "gate_transformer": [StrOptions({"auto"}), HasMethods(["fit", "transform"])],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "init_params": [StrOptions({"kmeans", "random"})],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_jobs": N_JOBS,
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, experts, *, branching=(2, 2), gate=None, gate_transformer="auto",
                 max_iter=100, tol=1e-5, n_init=1, init_params="kmeans",
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 n_jobs=None, random_state=None, verbose=0):
        self.experts = experts
        self.branching = branching
        self.gate = gate
        self.gate_transformer = gate_transformer
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.init_params = init_params
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ---------------------------------------------------------------- leaves
    def _expert_list(self):
        n_leaves = math.prod(check_branching(self.branching))
        if hasattr(self.experts, "fit"):
            return [(f"leaf{i}", self.experts) for i in range(n_leaves)]
        expected = ("experts must be one estimator (cloned to every leaf) or a list of "
                    "(name, estimator) pairs, one per leaf")
        if not isinstance(self.experts, (list, tuple)):
            raise TypeError(f"{expected}; got {type(self.experts).__name__}.")
        for item in self.experts:
            # The item at fault: a list of bare estimators ([Ridge(), Ridge()])
            # or of pairs named by numbers said "got list", as if a list
            # were refused.
            if not (isinstance(item, (list, tuple)) and len(item) == 2
                    and isinstance(item[0], str)):
                raise TypeError(f"{expected}, each name a string; got {item!r} in the list.")
            # (A blank name was fitted here, which the flat mixtures refuse.)
            check_expert_name(*item)
        if len(self.experts) != n_leaves:
            # (The flat mixtures' list of 3 experts, given as is, said only that
            # the counts differ: name the ways to make them agree.)
            n = len(self.experts)
            # (With fewer than two experts it suggested branching=1 or 0,
            # which branching itself refuses: a tree needs two leaves.)
            other = (f"a branching with {n} leaves (e.g. branching={n}, one level)" if n >= 2
                     else "two experts or more (a tree has at least two leaves)")
            # (A pair set to 'drop', as the flat mixtures and scikit-learn's
            # Stacking take, was counted as an expert: the hint to give a
            # branching with that many leaves led to a second refusal.)
            dropped = [name for name, est in self.experts
                       if isinstance(est, str) and est == "drop"]
            if dropped:
                raise ValueError(
                    f"branching={self.branching!r} has {n_leaves} leaves but {n} experts "
                    f"were given, {dropped} set to 'drop', which a tree does not take "
                    "(every leaf needs an expert): remove those pairs from the list and "
                    "give one expert per leaf.")
            raise ValueError(f"branching={self.branching!r} has {n_leaves} leaves but "
                             f"{n} experts were given: give one (name, estimator) pair "
                             f"per leaf, one estimator (cloned to every leaf), or {other}.")
        return list(self.experts)

    def _resolve_leaves(self, rng):
        pairs = self._expert_list()
        names = [name for name, _ in pairs]
        homogeneous = hasattr(self.experts, "fit")
        if not homogeneous:
            self._validate_names(names)
        templates = []
        for name, est in pairs:
            check_not_a_class("experts" if homogeneous else f"Expert '{name}'", est)
            if not hasattr(est, "fit"):
                raise TypeError(f"Expert '{name}' is {est!r}, not an estimator with fit "
                                "(a tree has no 'drop': every leaf needs an expert)"
                                f"{function_hint(est)}.")
            # (A leaf clone cannot copy was scikit-learn's bare "'MyExpert' object
            # has no attribute 'alpha'", naming no leaf, as the flat mixtures name it.)
            est = clone_expert(name, est)
            if homogeneous:
                # Copies of one estimator must differ: each leaf gets its own seed.
                _set_random_states(est, rng)
            else:
                _seed_unset_random_states(est, rng)
            if self._is_classifier:   # the leaves learn encoded labels
                encode_label_parameters(est, self.classes_, name)
            templates.append(est)
        self._check_expert_types(names, templates, classifier=self._is_classifier,
                                 need_proba=self._is_classifier)
        return names, templates

    # ------------------------------------------------------------------- fit
    def _validate_inputs(self, X, y, sample_weight, fit_params):
        # EM makes no folds (the flat mixtures' fit(groups=) makes their
        # cross-fitting folds of whole groups): said, not routed.
        refuse_groups(self, fit_params, "EM fits the tree on all the rows (early_stopping "
                      "holds out a random validation_fraction of them)")
        # The experts against the tree (a list of the wrong length) before the
        # data: the NaN check of X asks the experts, and found none to ask, so
        # NaN in X was blamed on the estimator instead.
        def check_experts():
            # The leaves against the rows first: one estimator is cloned to
            # every leaf, and branching=(10**6,) made a million of them.
            try:
                n_rows = _num_samples(X)
            except TypeError:
                n_rows = None   # not array-like: the data's checks say so
            if n_rows is not None:
                check_leaves_fit_rows(check_branching(self.branching), n_rows,
                                      type(self).__name__)
            self._expert_list()

        return self._validate_weighted_fit(
            X, y, sample_weight, fit_params, "leaves",
            "the leaves are refitted with changing weights and receive only those",
            check_experts=check_experts)

    def _validation_split(self, y, n_classes, n_leaves, rng):
        """The held-out rows (sorted), or None without early stopping.

        Stratified for the classifier. 'auto' falls back to no early stopping
        where the split cannot be made; True raises.
        """
        # (Not "is False": the parameter check takes numpy's bool too, and
        # np.False_ held rows out.)
        auto = isinstance(self.early_stopping, str)
        if not (auto or self.early_stopping):
            return None
        n = len(y)
        n_val = math.ceil(self.validation_fraction * n)   # as train_test_split
        n_train = n - n_val
        counts = np.bincount(y) if n_classes else None
        present = counts[counts > 0] if n_classes else None   # (a class of zero weight)
        remedy = "Use another validation_fraction, a smaller branching or early_stopping=False."
        shortfall = training_rows_shortfall(n, n_val, n_classes)
        if n_train < n_leaves:
            problem = f"{n_train} rows are left for EM, fewer than the {n_leaves} leaves"
        elif shortfall is not None:
            # (0.7 of 30 rows ran EM on the other 9, silently.)
            problem = (f"{n_train} rows are left for EM; holding out more rows than it "
                       f"trains on needs {shortfall[0]}: {shortfall[1]}")
        elif n_classes and present.min() < 2:
            # (A slice's tolist: classes_ of Python strings, an object array
            # such as a pandas column's, have no tolist of their own, and
            # 'auto' stopped with "'str' object has no attribute 'tolist'".)
            rare = self.classes_[np.flatnonzero(counts == 1)[:1]].tolist()[0]
            problem = (f"class {rare!r} has a single row (the split is stratified: it "
                       "needs two rows of every class)")
            # (The advice was "another validation_fraction, a smaller branching",
            # neither of which gives a class a second row.)
            remedy = (f"Drop the row of class {rare!r} or add rows of it, or set "
                      "early_stopping=False (or 'auto', which fits without early "
                      "stopping where the split cannot be made).")
        elif n_classes and min(n_val, n_train) < len(present):
            problem = (f"{n_val} held-out and {n_train} training rows cannot each hold "
                       f"the {len(present)} classes")
        else:
            problem = None
        if problem is not None:
            if auto:
                return None
            raise ValueError(
                f"{type(self).__name__}: early_stopping=True holds out "
                f"validation_fraction={self.validation_fraction} of the {n} rows (of "
                f"positive sample_weight), but {problem}. {remedy}")
        strata = None
        if n_classes:
            # The classes numbered in the order they first appear, as
            # StratifiedKFold numbers them: train_test_split draws each class's
            # rows in the order of the labels' sort, so classes renamed in
            # reverse order held out other rows, and the probabilities (their
            # columns permuted back) moved by up to 0.26 (two leaves, 120
            # rows; 0.82 for a 2x2 tree).
            _, first, codes = np.unique(y, return_index=True, return_inverse=True)
            rank = np.empty(len(first), dtype=int)
            rank[np.argsort(first)] = np.arange(len(first))
            strata = rank[codes]
        _, val = train_test_split(np.arange(n), test_size=n_val,
                                  random_state=rng.randint(2**31 - 1), stratify=strata)
        return np.sort(val)

    def _fit(self, X, y, sample_weight, n_classes):
        # (called from fit: the warning points at fit's caller)
        warn_unused_without_early_stopping(self, ("validation_fraction", "n_iter_no_change"),
                                           stacklevel=3)
        rng = check_random_state(self.random_state)
        n_given = len(y)
        # (The kept weights have mean one already: _validate_weighted_fit.)
        X, y, sample_weight, _ = rows_of_positive_weight(
            X, y, sample_weight, classes=getattr(self, "classes_", None) if n_classes else None,
            rescale=False)
        branching = check_branching(self.branching)
        # Before any leaf is fitted: the rows the leaves share are those of
        # positive weight.
        check_leaves_fit_rows(branching, len(y), type(self).__name__,
                              n_left_out=n_given - len(y))
        # (Of the rows given, the held-out ones too.)
        prior = class_prior(y, sample_weight, n_classes) if n_classes else None
        tree = Tree(branching)
        val = self._validation_split(y, n_classes, tree.n_leaves, rng)
        names, templates = self._resolve_leaves(rng)
        refuse_pairwise_rows_left_out(names, templates, n_given - len(y))
        self._n_classes = n_classes
        validation = None
        if val is not None:
            # The held-out rows take no part in the fit, the gates' view of X
            # included; EM gets the others, their weights rescaled to mean one
            # as for rows left out by a weight of zero.
            X_val, y_val, w_val = _safe_indexing(X, val), y[val], sample_weight[val]
            train_weight = sample_weight.copy()
            train_weight[val] = 0.0
            X, y, sample_weight, _ = rows_of_positive_weight(X, y, train_weight)
        X_gate = self._fit_gate_view(X, y)
        if val is not None:
            validation = Bunch(X=self._gate_view(X_val), expert_X=read_only_view(X_val),
                               y=read_only_view(y_val), sample_weight=w_val)
        problem = TreeProblem(tree, names, templates, X_gate, y, sample_weight, n_classes,
                              expert_X=read_only_view(X))   # no leaf can change X
        gate = (MLPGate(hidden_layer_sizes=(), alpha=DEFAULT_GATE_ALPHA)
                if self.gate is None else self.gate)
        gate._validate()   # (before the warning below reads its options)
        _warn_unused_adam_options(gate, stacklevel=3)
        _warn_unused_activation(gate, stacklevel=3)
        best = None
        # On a Dask cluster: X and y sent to every worker once, not once per M-step.
        # (A leaf's own warnings once per fit, not once per EM iteration.)
        with scatter_once(problem.expert_X, problem.y), Parallel(n_jobs=self.n_jobs) as parallel, \
                expert_warnings_once(type(self).__name__):
            for _ in range(self.n_init):
                run = run_em(problem, gate, max_iter=self.max_iter, tol=self.tol,
                             init_params=self.init_params, rng=rng, parallel=parallel,
                             verbose=self.verbose, validation=validation,
                             n_iter_no_change=self.n_iter_no_change)
                # With early stopping, the restart of the best held-out score.
                if best is None or run.score > best.score:
                    best = run
        if not best.converged:
            # (Said without the last part, "Increase max_iter" sent users to more
            # iterations of an in-sample EM that, on few rows per leaf, made the
            # held-out loss worse: gbsg 0.697 / 0.745 / 0.993 at max_iter 5 / 20 /
            # 100, benchmarks/results/trainers_unseen.md.)
            if validation is None:
                warnings.warn(f"EM did not converge in max_iter={self.max_iter} iterations "
                              f"(last change in log-likelihood above tol={self.tol}). "
                              "Increase max_iter or tol; the log-likelihood is in-sample, "
                              "so check a held-out score too: on few rows per leaf more "
                              "iterations can overfit (early_stopping=True stops on "
                              "held-out rows; docs/hme.rst).", ConvergenceWarning)
            else:
                warnings.warn(f"EM did not stop in max_iter={self.max_iter} iterations: the "
                              "held-out log-likelihood still gained more than "
                              f"tol={self.tol} within the last n_iter_no_change="
                              f"{self.n_iter_no_change} iterations. The tree of the best "
                              f"held-out iteration ({best.best_iteration}) is kept; "
                              "increase max_iter to let EM go on.", ConvergenceWarning)
        self.branching_ = tree.branching
        self.n_leaves_ = tree.n_leaves
        self.expert_names_ = names
        self.experts_ = best.experts
        self.named_experts_ = self._make_named_experts(names, best.experts)
        self.gates_ = best.gates
        self.history_ = best.history
        self.n_iter_ = best.n_iter
        self.best_iteration_ = best.best_iteration
        self.converged_ = best.converged
        self.log_likelihood_ = best.log_likelihood
        self.validation_log_likelihood_ = best.validation_log_likelihood
        if not self._is_classifier:
            self.noise_variance_ = best.variances
            return self
        self.class_prior_ = prior
        # Of the kept tree's mixed probabilities, not EM's per-sample figures,
        # whose leaves are floored at 1e-6 (breast cancer, two GaussianNB
        # leaves: -0.3026 against -0.3077, the mean log of predict_proba).
        per_sample = best.scored_per_sample
        self.log_likelihood_ = float(np.average(per_sample, weights=problem.sample_weight))
        if prior is not None:
            # The figures of the probabilities predict_proba gives, the share
            # mixed in (EM's history_ and its choices are without it).
            self.log_likelihood_ = float(np.average(
                log_likelihood_with_class_prior(per_sample, problem.y, prior),
                weights=problem.sample_weight))
            if validation is not None:
                self.validation_log_likelihood_ = float(np.average(
                    log_likelihood_with_class_prior(best.validation_samples, validation.y,
                                                    prior),
                    weights=validation.sample_weight))
        return self

    # --------------------------------------------------------------- predict
    def _outputs(self, X):
        return leaf_outputs(self.expert_names_, self.experts_, read_only_view(X),
                            self._n_classes)

    def _leaf_log_weights(self, X):
        return Tree(self.branching_).leaf_log_prior(
            log_conditionals(self.gates_, self._gate_view(X)))

    def predict_gate(self, X):
        """Leaf weights: the product of the gate probabilities on each leaf's path.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        weights : ndarray of shape (n_samples, n_leaves)
            Rows sum to one; columns follow ``expert_names_``. A DataFrame
            (the leaves' names as columns, X's index) after
            ``set_output(transform="pandas")``.
        """
        return self._as_output(np.exp(self._leaf_log_weights(self._check_X(X))), X)

    def predict_path(self, X, conditional=False):
        """Probability of reaching every node, level by level.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        conditional : bool, default=False
            If True, each node's probability given its parent (the gates'
            own outputs) instead of the probability of the whole path.

        Returns
        -------
        paths : list of ndarray
            One array per level ``d`` of shape ``(n_samples, prod(branching[:d+1]))``;
            node ``k`` at a level has children ``k * branching[d+1] + c``. The
            last (non-conditional) array equals ``predict_gate(X)``.
        """
        conditional = check_flag(conditional, "conditional",
                                 f"{type(self).__name__}.predict_path")
        X = self._check_X(X)  # first: NotFittedError, not a missing gates_
        log_cond = log_conditionals(self.gates_, self._gate_view(X))
        if conditional:
            return [np.exp(lc) for lc in log_cond]
        paths, log_path = [], np.zeros((len(log_cond[0]), 1))
        for lc, b in zip(log_cond, self.branching_):
            log_path = np.repeat(log_path, b, axis=1) + lc
            paths.append(np.exp(log_path))
        return paths

    def predict_experts(self, X):
        """Every leaf's own prediction (class probabilities for the classifier).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        predictions : ndarray of shape (n_samples, n_leaves[, n_classes])
            After ``set_output(transform="pandas")`` a DataFrame with X's
            index: the leaves' names as columns, or (leaf, class) pairs (a
            MultiIndex, levels named 'expert' and 'class') for the classifier.
        """
        return self._as_output(self._outputs(self._check_X(X)), X)

    def log_likelihood_samples(self, X, y):
        """Log-likelihood of each sample under the tree, log p(y | x).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        X, y = self._check_X_y_for_likelihood(X, y)
        if self._is_classifier:    # (the log of predict_proba at the label)
            return log_proba_at_labels(self._proba(X), y)
        return tree_log_likelihood_samples(
            Tree(self.branching_), self.gates_, self._gate_view(X), self._outputs(X), y,
            self._n_classes if self._is_classifier else None,
            getattr(self, "noise_variance_", None))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._experts_accept_sparse()
        tags.non_deterministic = False
        return tags


_PARAMS_DOC = """
    Parameters
    ----------
    experts : estimator or list of (str, estimator)
        The leaves: one estimator cloned to every leaf (each clone gets its own
        ``random_state``), or one ``(name, estimator)`` pair per leaf, in
        row-major order (leaf ``j`` of ``branching=(2, 2)`` sits under root
        branch ``j // 2``). EM scores the leaves in-sample: use leaves of low
        capacity (linear models, GLMs, shallow trees); a leaf that memorises
        its rows (a deep tree, k-NN, boosting) takes their posterior and the
        tree overfits. The flat mixtures (:class:`MixtureOfExpertsRegressor`,
        :class:`MixtureOfExpertsClassifier`) cross-fit such experts.
    branching : int or tuple of int, default=(2, 2)
        Children per node at each level; the tree has ``prod(branching)``
        leaves. An int is a one-level tree (a flat mixture).
    gate : MLPGate, default=None
        Template cloned to every internal node; None means
        ``MLPGate(hidden_layer_sizes=(), alpha=1e-6)``, the softmax-linear
        gates of Jordan & Jacobs (1994) with a penalty that only keeps their
        weights finite.
    gate_transformer : 'auto' or transformer, default='auto'
        How the gates get numbers from X; the leaves get X as it is (a
        DataFrame, a sparse matrix), so each can be a ``Pipeline``. See
        :class:`MixtureOfExpertsRegressor`.
    max_iter : int, default=100
        Maximum EM iterations per initialisation.
    tol : float, default=1e-5
        Stop when the mean per-sample log-likelihood changes by less; with
        early stopping, a held-out gain of at most ``tol`` is no gain.
    n_init : int, default=1
        EM restarts; the run with the best log-likelihood (held-out with
        early stopping) is kept.
    init_params : {'kmeans', 'random'}, default='kmeans'
        Starting leaf posteriors: 'kmeans' cuts the joint (x, y) space into
        one k-means region per leaf and orders the regions so that siblings
        are close in x (sorted along their first principal direction, cut
        into equal blocks, recursively); 'random' draws Dirichlet posteriors.
    early_stopping : 'auto' or bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified for the
        classifier; rows of zero weight are never held out), run EM on the
        others, score the held-out weighted mean log-likelihood after every
        iteration, stop once ``n_iter_no_change`` iterations in a row gained
        no more than ``tol`` on the best, and keep the tree of the best
        iteration. In-sample EM overfits on few rows per leaf (the gates
        sharpen without bound). True raises a ValueError where the rows cannot
        be split (fewer training rows than leaves; more rows held out than
        left, and fewer than 10 left or two per class; for the classifier a
        class of one row, or fewer rows than classes on a side); 'auto' then
        fits without early stopping, and otherwise with it.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping (rounded up); set away
        from its default with ``early_stopping=False``, it warns (unread).
    n_iter_no_change : int, default=10
        Iterations without a held-out gain above ``tol`` before EM stops;
        likewise only read with early stopping.
    n_jobs : int, default=None
        Leaves are refitted in parallel with joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the gates (torch), the resampling fallback
        and the leaves: each leaf's ``random_state`` left None (a seed set
        on a leaf is kept), and, for one estimator cloned to every leaf,
        each clone its own (in place of any seed it had).
    verbose : int, default=0
        Print the log-likelihood at every EM iteration.
"""

_ATTRIBUTES_DOC = """
    experts_ : list of estimators
        The fitted leaves, in leaf order.
    named_experts_ : Bunch
        The fitted leaves by name.
    expert_names_ : list of str
        Leaf names, the column order of ``predict_gate``.
    gates_ : list of list of MLPGate
        ``gates_[d][k]`` is the gate of node ``k`` at depth ``d``.
    gate_transformer_ : transformer
        The fitted transformer that builds the gates' numeric view of X.
    branching_ : tuple of int
    n_leaves_ : int
    history_ : list of dict
        Per EM iteration: ``iteration`` (from 1), ``log_likelihood`` (exact,
        mean per sample of the rows EM was fitted on; never decreases; a
        classification leaf's probability of the label floored at 1e-6 in
        it, as in EM's objective, where ``log_likelihood_samples`` takes the
        log of ``predict_proba``),
        ``leaf_share`` (each leaf's share of the posterior), ``seconds``;
        with early stopping, ``validation_log_likelihood`` (on the held-out
        rows).
    log_likelihood_ : float
        Mean per-sample log-likelihood of the kept tree on the rows EM was
        fitted on (all but the held-out ones with early stopping).
    validation_log_likelihood_ : float or None
        The kept tree's held-out weighted mean log-likelihood; None without
        early stopping.
    n_iter_ : int
        EM iterations run (of the kept restart).
    best_iteration_ : int
        The iteration whose tree is kept: the best held-out one with early
        stopping, else the last (``n_iter_``).
    converged_ : bool
        Whether EM stopped before ``max_iter``: the log-likelihood changed by
        less than ``tol`` or, with early stopping, the held-out one gained no
        more than ``tol`` in ``n_iter_no_change`` iterations.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.
"""


class HierarchicalMixtureRegressor(CheckedScoreMixin, RegressorMixin,
                                   _BaseHierarchicalMixture):
    __doc__ = """Hierarchical mixture of regression experts, trained by EM.

    A tree of softmax gates routes each input down to the leaves, which are
    any scikit-learn regressors, each with its own Gaussian noise scale.
    Predicts ``sum_leaves w_leaf(x) f_leaf(x)`` with ``w_leaf`` the product of
    the gate probabilities on the leaf's path (Jordan & Jacobs, 1994).
""" + _PARAMS_DOC + """
    Attributes
    ----------""" + _ATTRIBUTES_DOC + """    noise_variance_ : ndarray of shape (n_leaves,)
        Each leaf's noise variance.

    See Also
    --------
    MixtureOfExpertsRegressor : the flat mixture.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from skmoe import HierarchicalMixtureRegressor
    >>> from skmoe.datasets import make_hierarchical_regimes
    >>> X, y = make_hierarchical_regimes(n_samples=400, random_state=0)
    >>> hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2),
    ...                                    random_state=0).fit(X, y)
    >>> hme.predict_gate(X[:3]).shape
    (3, 4)
    """

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the tree by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Only relative weights matter: they are rescaled to mean one. Rows
            of weight zero are left out (the fit is the one without them).
        **fit_params : dict
            Only with metadata routing enabled, and only so that requests are
            validated: the leaves take no metadata but their weights.

        Returns
        -------
        self : HierarchicalMixtureRegressor
        """
        with torch_fit_mode():
            X, y, sample_weight = self._validate_inputs(X, y, sample_weight, fit_params)
            return self._fit(X, y.astype(np.float64), sample_weight, None)

    def predict(self, X, return_std=False):
        """Mixture prediction ``sum_leaves w_leaf(x) f_leaf(x)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard deviation of the predictive mixture.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,), only if ``return_std``
        """
        return_std = check_flag(return_std, "return_std", f"{type(self).__name__}.predict")
        X = self._check_X(X)
        weights = np.exp(self._leaf_log_weights(X))
        mean, std = gaussian_mixture_moments(weights, self._outputs(X), self.noise_variance_)
        return (mean, std) if return_std else mean


class HierarchicalMixtureClassifier(CheckedScoreMixin, ClassifierMixin, LogProbaMixin,
                                    _BaseHierarchicalMixture):
    __doc__ = """Hierarchical mixture of classification experts, trained by EM.

    A tree of softmax gates routes each input down to the leaves, which are
    any scikit-learn classifiers with ``predict_proba``;
    ``p(y | x) = sum_leaves w_leaf(x) p_leaf(y | x)`` (Jordan & Jacobs, 1994).
""" + _PARAMS_DOC + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_prior_ : (float, ndarray of shape (n_classes,))
        The share ``1/n^2`` (``n`` training rows, the held-out ones
        included; a row of weight 2 counted twice) of the training rows'
        class frequencies that ``predict_proba`` mixes in, as the flat
        mixtures do: on 30 rows of iris a leaf's confident mistakes gave
        the true class 1e-7 (log-loss 0.69 over five draws; with the share
        0.50). ``log_likelihood_``, ``validation_log_likelihood_`` and
        ``log_likelihood_samples`` are of those probabilities; EM's own
        figures (``history_``) and choices are without it.""" + _ATTRIBUTES_DOC + """
    See Also
    --------
    MixtureOfExpertsClassifier : the flat mixture.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmoe import HierarchicalMixtureClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> hme = HierarchicalMixtureClassifier(LogisticRegression(), branching=(2, 2),
    ...                                     max_iter=20, tol=1e-3, random_state=0).fit(X, y)
    >>> hme.predict_proba(X[:1]).shape
    (1, 3)
    """

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the tree by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Only relative weights matter: they are rescaled to mean one. Rows
            of weight zero are left out (the fit is the one without them).
        **fit_params : dict
            Only with metadata routing enabled, and only so that requests are
            validated: the leaves take no metadata but their weights.

        Returns
        -------
        self : HierarchicalMixtureClassifier
        """
        with torch_fit_mode():
            X, y, sample_weight = self._validate_inputs(X, y, sample_weight, fit_params)
            self._label_encoder, codes = encode_class_labels(y)
            self.classes_ = self._label_encoder.classes_
            return self._fit(X, codes, sample_weight, len(self.classes_))

    def predict_proba(self, X):
        """Class probabilities ``sum_leaves w_leaf(x) p_leaf(y | x)``, with
        ``class_prior_``'s share of the class frequencies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._proba(self._check_X(X))

    def _proba(self, X):
        weights = np.exp(self._leaf_log_weights(X))
        # float64, clipped and renormalised: entries in [0, 1], rows sum to 1.
        # (A tree pickled before class_prior_ has none: it predicts as it did.)
        return with_class_prior(mix_probabilities(weights, self._outputs(X)),
                                getattr(self, "class_prior_", None))

    def predict(self, X):
        """Most probable class under the tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # checks fitted before classes_ is read
        return self.classes_[np.argmax(proba, axis=1)]
