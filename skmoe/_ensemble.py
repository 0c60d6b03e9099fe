"""EnsembleRegressor / EnsembleClassifier: averaging baselines with constant weights.

Same experts specification as the mixtures. The weights are uniform (plain
averaging, as scikit-learn's ``VotingRegressor`` / ``VotingClassifier``),
given by the user, or learned by Caruana et al.'s (2004) ensemble selection
on out-of-fold predictions (``weights="greedy"``, the weighted ensemble of
AutoGluon): the best constant blend, which a mixture must beat.
"""

import warnings
from functools import partial
from numbers import Integral

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.parallel import Parallel
from sklearn.utils.validation import _check_method_params

from ._compat import Interval, N_JOBS
from ._base import (CheckedScoreMixin, _BaseExpertComposition, _routes_metadata,
                    _supports_sample_weight, _weight_kwargs, check_expert_classes,
                    check_sample_weight, check_some_weight, check_weighted_classes,
                    encode_class_labels, failed_fit_error, fitted_as_given,
                    rows_of_positive_weight)
from ._data import n_samples, normalised_weights, own_frame, read_only_view, standardisation
from ._crossfit import cross_fit, make_folds, refit, splits_of_rows
from ._inspection import ExpertOutputMixin
from ._blend import class_prior
from ._candidates import with_class_prior
from ._trainers import GradientTrainer, _folds_the_data_allow
from ._likelihood import (LogProbaMixin, _check_finite, aligned_proba, call_expert,
                          classification_outputs, regression_outputs)
from ._warnings import _recorded_expert_warnings, expert_warnings_once

# Probabilities are clipped before the log of the selection's log-loss, as in
# scikit-learn's log_loss, so an expert's confident mistake costs a finite amount.
_EPS = 1e-15


def ensemble_selection(predictions, y, n_rounds, sample_weight=None, classifier=False):
    """Caruana et al. (2004) greedy ensemble selection with replacement.

    Each round adds the expert (possibly one already chosen) whose addition
    gives the lowest loss of the running average; the first round therefore
    picks the single best expert, as in AutoGluon's ``EnsembleSelection``.

    Parameters
    ----------
    predictions : ndarray of shape (n_samples, n_experts)
        Out-of-fold predictions (regression) or out-of-fold probabilities of
        the true class (classification: the log-loss of averaged probabilities
        depends only on the true class's column).
    y : ndarray of shape (n_samples,)
        Targets (regression); ignored for classification.
    n_rounds : int
        Number of selections.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the rows in the loss.
    classifier : bool, default=False
        Minimise log-loss instead of squared error.

    Returns
    -------
    weights : ndarray of shape (n_experts,)
        Selection counts divided by ``n_rounds``.
    """
    n, n_experts = predictions.shape
    if not classifier:
        # Squared errors in y's units overflow (y of 1e160) or underflow (1e-160)
        # to ties, which go to the first expert: measure them in standard units
        # instead (an affine change that moves no choice otherwise).
        mean, scale = standardisation(y[:, None])
        # An expert's prediction far out (1e200 for y of unit scale) makes an
        # infinite loss, which is never the least: numpy's "overflow encountered
        # in square" (once a round) came from here, meaning nothing to the user.
        with np.errstate(over="ignore"):
            predictions, y = (predictions - mean) / scale, (y - mean[0]) / scale[0]
    if sample_weight is None:
        w = np.full(n, 1.0 / n)
    else:
        with np.errstate(over="ignore"):
            total = sample_weight.sum()
        if not np.isfinite(total):
            # Weights near the largest float (1e307, or 3e38 in float32): their sum
            # overflowed, every row weighed 0 and the first expert won every round.
            sample_weight = sample_weight / sample_weight.max()
            total = sample_weight.sum()
        w = sample_weight / total
    counts = np.zeros(n_experts, dtype=np.int64)
    total = np.zeros(n)
    for r in range(1, n_rounds + 1):
        candidates = (total[:, None] + predictions) / r  # (n, M): average if i is added
        if classifier:
            loss = -(w @ np.log(np.clip(candidates, _EPS, None)))
        else:
            with np.errstate(over="ignore"):
                loss = w @ (candidates - y[:, None]) ** 2
        best = int(np.argmin(loss))  # ties go to the first expert: deterministic
        counts[best] += 1
        total += predictions[:, best]
    return counts / n_rounds


def _fit(name, estimator, X, y, sample_weight, seed=None, fit_params=None, n_classes=None):
    """Fit ``estimator`` as it is, with ``sample_weight`` or none; errors name the expert.

    Unlike :func:`skmoe._base.fit_expert`, an expert that does not accept
    ``sample_weight`` is an error, not resampled. ``seed`` is not used.
    ``fit_params`` is the metadata routed to this expert (rows of X).
    ``n_classes``: a classifier's ``classes_`` must be among the encoded
    labels ``0 .. n_classes - 1`` (:func:`skmoe._base.check_expert_classes`).
    """
    fit_params = dict(fit_params or {})
    routed_weight = fit_params.pop("sample_weight", None)
    if sample_weight is None:
        # The weights an expert requests under another name (set_fit_request(
        # sample_weight="w"), the caller passing w=...): dropped with the
        # ensemble's own, and the expert was fitted unweighted without a word.
        sample_weight = routed_weight
    kind = type(estimator).__name__
    if fitted_as_given(estimator):
        # Fitted already: its fit fits nothing, with weights or without (it was
        # refused as not accepting them, though the weights still weigh the
        # rows of 'greedy''s selection, and the mixtures take it).
        sample_weight = None
    if sample_weight is not None and not _supports_sample_weight(estimator):
        # (A meta-estimator under metadata routing takes the weights where they
        # are requested: told to drop it, a user did not learn that
        # set_fit_request(sample_weight=True) was all it lacked.)
        hint = (" under metadata routing, where a meta-estimator takes them only as "
                "requested: call set_fit_request(sample_weight=True) on it or on the "
                "estimators inside it, drop it from the ensemble, or fit without "
                "sample_weight" if _routes_metadata(estimator) else
                "; drop it from the ensemble or fit without sample_weight")
        raise TypeError(f"Expert '{name}' ({kind}) does not accept sample_weight{hint}.")
    # (The expert's own message, "Sample weights must contain at least one
    # non-zero number", did not say why.)
    check_some_weight(name, estimator, sample_weight)
    kwargs = {} if sample_weight is None else _weight_kwargs(estimator, sample_weight)
    try:
        with _recorded_expert_warnings(name, estimator):
            estimator.fit(own_frame(X), y, **kwargs, **fit_params)
    except Exception as exc:
        raise failed_fit_error(name, estimator, exc, X, y, n_classes is not None) from exc
    return check_expert_classes(name, estimator, n_classes)


def _check_labels(labels, name, kind, n_classes):
    """A hard vote's labels must be the encoded classes the expert was fitted on.

    A label of -1 was counted as a vote for the last class, 0.5 as one for
    the first, 7 or a (n, 2) array failed with a bare IndexError.
    """
    expected = (f"a hard vote needs one encoded label per row (an integer from 0 to "
                f"{n_classes - 1}, as the expert was fitted on)")
    if labels.ndim != 1:
        raise ValueError(f"Expert '{name}' ({kind}) returned predict of shape "
                         f"{labels.shape}; {expected}.")
    wrong = (labels < 0) | (labels >= n_classes) | (labels != np.round(labels))
    if wrong.any():
        raise ValueError(f"Expert '{name}' ({kind}) returned labels such as "
                         f"{np.unique(labels[wrong])[:5].tolist()}; {expected}.")


def _first_of_the_best(votes):
    """Column of each row's largest hard vote, ties to the first, as in
    VotingClassifier.

    Exact, without a tolerance: the votes are the weights scaled by a power
    of two (:func:`_tie_keeping`) summed in the experts' order, as
    VotingClassifier's ``np.bincount`` sums the weights as given, so ties
    and their breaking are its own. (Votes within 1e-12 counted as a tie,
    from when the weights were normalised and their rounding decided ties:
    weights [2, 2, 1e-13] voting 0, 1, 1 went to class 0, VotingClassifier's
    to class 1.)

    Hard votes only: a soft vote is the argmax of ``predict_proba``, as
    scikit-learn defines ``predict``."""
    return np.argmax(votes, axis=1)


def _tie_keeping(weights):
    """``weights`` times the power of two that brings the largest into [0.5, 1).

    Exact, so weights whose sums tie still tie in the weighted votes and
    probabilities: normalised to sum to one, weights [5, 18, 12, 13] voting
    2, 1, 0, 2 gave class 2 the probability 5/48 + 13/48, rounded above
    class 1's 18/48, and predict_proba's argmax (class 2) was not predict's
    tie to the first (class 1), nor VotingClassifier's (whose average of
    the weights as given keeps the tie). Scaled by a power of two, weights
    near the largest float do not overflow their sum.
    """
    return np.ldexp(weights, -np.frexp(np.max(weights))[1])


def _predict_column(name, estimator, X):
    """One expert's predictions as a vector, checked to be finite."""
    return regression_outputs([name], [estimator], X)[:, 0]


class _BaseEnsemble(ExpertOutputMixin, _BaseExpertComposition):
    _raw_X = True  # the experts see X as given, as in VotingRegressor
    _parameter_constraints = {
        "experts": "no_validation",
        "n_experts": [Integral, None],
        "weights": ["array-like", StrOptions({"greedy"}), None],
        "cv": ["cv_object", StrOptions({"auto"})],
        "n_rounds": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": N_JOBS,
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _inner_fold_count(self, y=None):
        """How many folds ``cv`` makes for the greedy weights ('auto': 5, fewer
        where the targets ``y`` are too few), or None where it makes none
        (weights not 'greedy', a splitter).

        ``fit(groups=...)`` and :func:`~skmoe.compare` with ``groups`` make
        that many folds of whole groups instead.
        """
        if not (isinstance(self.weights, str) and self.weights == "greedy"):
            return None
        if isinstance(self.cv, Integral) and not isinstance(self.cv, bool):
            return int(self.cv)
        if isinstance(self.cv, str) and self.cv == "auto":
            if y is None:
                return GradientTrainer.auto_cv
            return _folds_the_data_allow(GradientTrainer.auto_cv, y, self._is_classifier)
        return None

    def _warn_ignored_greedy_options(self):
        """Warn about ``cv`` or ``n_rounds`` set while ``weights`` is not 'greedy'
        (they were ignored silently; the mixtures warn about their ignored options)."""
        for option, default in (("cv", "auto"), ("n_rounds", 50)):
            value = getattr(self, option)
            if not (isinstance(value, (str, Integral)) and value == default):
                warnings.warn(f"{option}={value!r} has no effect with weights="
                              f"{self.weights!r}; it is only used with weights='greedy'.",
                              UserWarning, stacklevel=4)

    def _fit(self, X, y, sample_weight, fit_params, groups=None):
        """Validate, learn the weights if asked, and fit every expert on all rows."""
        self._forget_fit()
        self._validate_params()
        routed = self._route_fit_params(fit_params, groups)
        X, y = self._check_raw_X_y(X, y)
        X = read_only_view(X)   # no expert can change the caller's X
        sample_weight = check_sample_weight(sample_weight, X)
        with np.errstate(over="ignore"):
            overflows = sample_weight is not None and not np.isfinite(np.sum(sample_weight))
        if overflows:
            # The experts get the weights as given (integer weights are
            # repetitions), and their sums overflowed inside them: "Expert
            # 'ridge' (Ridge) failed to fit: array must not contain infs or
            # NaNs", or "Expert 'tree' returned NaN or infinite predictions".
            raise ValueError(f"sample_weight sums to more than the largest float (its largest "
                             f"weight is {np.max(sample_weight):.3g}); {type(self).__name__} "
                             "gives the weights to its experts as they are: divide them by a "
                             "constant.")
        # ... nor its y or weights: the experts fitted next learnt from what an
        # expert that centred y in place (y -= y.mean()) had left.
        y, sample_weight = read_only_view(y), read_only_view(sample_weight)
        if self._is_classifier:
            encoder, y = encode_class_labels(y)  # experts learn 0..C-1: probabilities align
            # (The encoded labels are a new array: read-only too, or an expert
            # that relabelled y in place changed the next experts' classes.)
            y = read_only_view(y)
            self.classes_ = encoder.classes_
        greedy = isinstance(self.weights, str)
        rng = check_random_state(self.random_state)
        names, experts = self._resolve_experts(rng)
        self._check_expert_types(
            names, experts, classifier=self._is_classifier,
            need_proba=self._is_classifier and (greedy or self.voting == "soft"))
        weights = None if greedy else self._given_weights(names)
        if not greedy:
            self._warn_ignored_greedy_options()
            if groups is not None:
                warnings.warn(f"groups has no effect with weights={self.weights!r}; it "
                              "makes the folds of weights='greedy'.", UserWarning, stacklevel=3)

        parallel = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)
        fit_params = [routed.get(name, {}) for name in names]
        fit = partial(_fit, n_classes=len(self.classes_) if self._is_classifier else None)
        if greedy:
            if self.cv is None:
                # (scikit-learn's "cv_object" takes None, its spelling of the
                # default folds; here it gave no folds: the weights were chosen
                # on in-sample predictions, all of them to a 1-NN expert.)
                raise ValueError(
                    "cv=None would choose the weights on the experts' in-sample "
                    "predictions, where an expert that memorises its rows (1-nearest-"
                    "neighbour, a deep tree) wins every row; use cv='auto' (the default: "
                    "5 folds, fewer on small data), an int >= 2 or a splitter.")
            cv, n_left_out = self.cv, 0
            if groups is not None:
                # Folds of whole groups, for the rows given (renumbered below
                # where rows of zero weight are left out).
                cv = self._group_folds(X, y, groups, sample_weight)
            if sample_weight is not None:
                # A row of zero weight is a row left out: kept, it moved the
                # other rows' folds, and so the weights chosen. (Leaving one
                # class, an expert failed with a hint about rare classes and
                # folds, or trees fitted it and predicted it everywhere: the
                # mixtures' error instead.)
                n_rows = len(y)
                X_all = X
                X, y, sample_weight, kept = rows_of_positive_weight(
                    X, y, sample_weight, rescale=False,
                    classes=self.classes_ if self._is_classifier else None)
                y, sample_weight = read_only_view(y), read_only_view(sample_weight)
                if kept is not None:
                    fit_params = [_check_method_params(X_all, p, kept) if p else p
                                  for p in fit_params]
                    n_left_out = n_rows - len(kept)
                    cv = splits_of_rows(cv, kept, n_rows)
            if isinstance(cv, str):
                # 'auto': the mixtures' rule (cv='auto'), 5 folds, fewer (at
                # least 2) where the data are too small: a fixed cv=5 refused
                # 14 classes of 4 rows ("uses 5 stratified cross-fitting folds
                # (cv), which needs a class with at least 5 samples"), where
                # the mixture took 4 folds -- in compare(), whose training
                # splits of Loblolly hold 3 or 4 rows a class, the greedy twin
                # failed on every split.
                cv = _folds_the_data_allow(GradientTrainer.auto_cv, y, self._is_classifier)
            seed = None
            if isinstance(cv, Integral):
                self._check_min_samples(y, cv, n_left_out)
                seed = rng.randint(np.iinfo(np.int32).max)
            # Every row needs its one out-of-fold prediction for the selection
            # (a row in no test fold kept uninitialised memory as its prediction).
            folds = make_folds(cv, X, y, seed=seed, classifier=self._is_classifier,
                               check_partition=True, fit_takes_groups=True)
            predict = (partial(aligned_proba, n_classes=len(self.classes_))
                       if self._is_classifier else _predict_column)
            # Full fits and fold fits in one pool, so n_jobs workers stay busy
            # (an expert's own warnings once, not once per fold).
            with expert_warnings_once(type(self).__name__):
                fits = cross_fit(parallel, names, experts, X, y, folds, predict,
                                 weights=sample_weight, fit_params=fit_params, fit=fit,
                                 refit=True)
            self.experts_, oof = fits.experts, fits.outputs
            if self._is_classifier:  # log-loss needs only the true class's probability
                oof = oof[np.arange(len(y)), :, y]
            weights = ensemble_selection(oof, y, self.n_rounds, sample_weight,
                                         classifier=self._is_classifier)
        else:
            if self._is_classifier:
                # As for weights='greedy' and the mixtures: weights of one class
                # only were taken, and an expert that fitted them predicted
                # that class everywhere.
                check_weighted_classes(y, sample_weight, self.classes_)
            # Named, as greedy's and the mixtures' are: a plain average gave its
            # experts' warnings bare (lbfgs's ConvergenceWarning, no expert named).
            with expert_warnings_once(type(self).__name__):
                self.experts_ = refit(parallel, names, experts, X, y, weights=sample_weight,
                                      fit_params=fit_params, fit=fit)
        if self.n_experts is not None:
            self._warn_identical_copies(X, y, names, greedy)
        # (The sum of weights near the largest float overflowed, and weights_
        # became zeros: predictions all 0.0.)
        self.weights_ = normalised_weights(weights, to="sum")
        if self._is_classifier:
            # The votes' weights, scaled exactly: greedy's selection counts, or
            # the given weights, times a power of two (see _tie_keeping).
            self._vote_weights = _tie_keeping(
                np.round(weights * self.n_rounds) if greedy else weights)
        if self._is_classifier:   # (a refit with given weights forgets a greedy fit's)
            self.class_prior_ = (class_prior(y, sample_weight, len(self.classes_))
                                 if greedy else None)
        self.expert_names_ = list(names)
        self.named_experts_ = self._make_named_experts(self.expert_names_, self.experts_)
        return self

    def _warn_identical_copies(self, X, y, names, greedy):
        """Warn where the ``n_experts`` copies, fitted, predict alike on every row.

        Copies differ only by their ``random_state``: of an estimator that no
        seed varies (``Ridge``, ``LogisticRegression``) they are one model,
        and the ensemble was that model alone, fitted ``n_experts`` times (and
        ``weights='greedy'`` chose between equals), without a word. Compared
        on what the average uses (probabilities, labels for hard voting), on
        the training rows: where the copies reproduce ``y`` there (unpruned
        trees of different seeds do), agreeing says nothing, and no warning.
        """
        if self._is_classifier and (greedy or self.voting == "soft"):
            outputs = classification_outputs(names, self.experts_, X, len(self.classes_))
            target = np.eye(len(self.classes_))[y][:, None, :]
        elif self._is_classifier:
            outputs = np.stack([call_expert(n, e, "predict", X)
                                for n, e in zip(names, self.experts_)], axis=1)
            target = np.asarray(y)[:, None]   # (the experts learn the encoded labels)
        else:
            outputs = regression_outputs(names, self.experts_, X)
            target = np.asarray(y, dtype=np.float64)[:, None]
        if np.all(outputs == outputs[:, :1]) and not np.all(outputs == target):
            template = type(self.experts_[0]).__name__
            warnings.warn(
                f"The {len(names)} copies of {template} (n_experts={self.n_experts}) gave "
                f"the same predictions on every row: its random_state, the one thing that "
                f"differs between them, does not change its fit, so {type(self).__name__} "
                "predicts as one of them alone. Give a list of experts that differ, or an "
                "estimator that a seed varies (a bagged or randomised one).",
                UserWarning, stacklevel=4)

    def _given_weights(self, names):
        """User weights (one per listed expert, 'drop' included) for the kept experts."""
        listed = [name for name, _ in self._expert_list()]
        if self.weights is None:
            return np.ones(len(names))
        try:
            weights = np.asarray(self.weights, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            # A dict of weights by expert name, or words, failed in numpy's
            # float() ("could not convert string to float: 'a'"), naming no parameter.
            raise ValueError(f"weights must be one number per expert, in the order of "
                             f"experts ({listed}), 'greedy' or None; got "
                             f"{self.weights!r}.") from exc
        if weights.shape != (len(listed),):
            # (With an expert set to 'drop', weights for the kept ones only were
            # told "expected (3,)", without why three.)
            dropped = [name for name, est in self._expert_list() if isinstance(est, str)]
            raise ValueError(f"weights has shape {weights.shape}; expected one weight per "
                             f"expert, ({len(listed)},)" + (
                                 f": one per listed expert, 'drop' included ({dropped} "
                                 f"{'is' if len(dropped) == 1 else 'are'} 'drop'), in the "
                                 f"order {listed}, as in scikit-learn's VotingRegressor"
                                 if dropped else "") + ".")
        index = getattr(self.weights, "index", None)   # (a list's index is a method)
        if (index is not None and not callable(index) and list(index) != listed
                and set(index) == set(listed)):
            # A Series labelled by the experts' names was read by position:
            # pd.Series({'tree': 3, 'linear': 1}) for experts ['linear', 'tree']
            # weighted 'linear' by 3, without a word (as task_weights was).
            raise ValueError(f"weights is labelled {list(index)} but the experts are "
                             f"{listed}; its values are read by position, one per expert: "
                             f"pass weights[{listed}].")
        weights = weights[[listed.index(name) for name in names]]
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not np.any(weights > 0):
            raise ValueError("weights must be finite, non-negative and not all zero; got "
                             f"{weights.tolist()} for experts {names}.")
        return weights

    def _check_X(self, X):
        """X at prediction, read-only for the experts (see ``read_only_view``)."""
        return read_only_view(super()._check_X(X))

    def _used(self):
        """Indices of the experts with a non-zero weight: the others are not called."""
        return np.flatnonzero(self.weights_ > 0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._experts_accept_sparse()
        return tags


class EnsembleRegressor(CheckedScoreMixin, RegressorMixin, _BaseEnsemble):
    """Weighted average of the experts' predictions: the baseline a mixture must beat.

    Parameters
    ----------
    experts : list of (str, estimator) or estimator
        As for :class:`MixtureOfExpertsRegressor`.
    n_experts : int, default=None
        Copies of a single estimator, each with its own ``random_state``. Of
        an estimator that no seed varies (``Ridge``) they are one model: fit
        warns where they predict alike on every training row.
    weights : array-like of shape (n_experts,), 'greedy' or None, default=None
        Weights of the average: uniform when None; one non-negative weight per
        listed expert ('drop' included); or ``'greedy'``: learned by ensemble
        selection (Caruana et al., 2004) on out-of-fold predictions, greedy
        forward selection with replacement for ``n_rounds`` rounds, weights
        = selection counts / ``n_rounds``.
    cv : int, cross-validation generator, iterable or 'auto', default='auto'
        Folds of the out-of-fold predictions, the same for every expert; an
        int means shuffled K-fold seeded by ``random_state``. 'auto' is 5
        folds, fewer (at least 2) on data too small for them, as the
        mixtures' ``cv='auto'``; an int is kept, and too little data for it
        is an error. Only used when ``weights='greedy'``.
    n_rounds : int, default=50
        Selection rounds. Only used when ``weights='greedy'``.
    n_jobs : int, default=None
        Experts (and, for ``'greedy'``, their fold fits) are fitted in parallel.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the experts: each expert's ``random_state``
        left None (a seed set on an expert is kept), and each copy of a
        homogeneous ensemble its own (in place of any seed it had).
    verbose : bool, default=False

    Attributes
    ----------
    weights_ : ndarray of shape (n_experts,)
        Weight of each fitted expert in the average; sums to one.
    experts_, named_experts_, expert_names_, n_features_in_, feature_names_in_

    See Also
    --------
    sklearn.ensemble.VotingRegressor : plain and user-weighted averaging.

    Notes
    -----
    The experts get X as it is -- a pandas DataFrame with categorical or
    string columns, a scipy.sparse matrix, an array of any dtype -- as in
    ``VotingRegressor``, so each can be a ``Pipeline`` with its own
    ``ColumnTransformer``. ``fit`` and ``predict`` check its shape, feature
    names and count and that its numbers hold no infinity, nor NaN unless
    every expert takes NaN or is, or wraps, a Pipeline (which decides itself; see
    :class:`MixtureOfExpertsRegressor`).

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from skmoe import EnsembleRegressor
    >>> from skmoe.datasets import make_regimes
    >>> X, y = make_regimes(n_samples=200, random_state=0)
    >>> experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4))]
    >>> EnsembleRegressor(experts).fit(X, y).predict_experts(X[:3]).shape
    (3, 2)
    >>> greedy = EnsembleRegressor(experts, weights="greedy", random_state=0).fit(X, y)
    >>> float(greedy.weights_.sum())
    1.0
    """

    _parameter_constraints = dict(_BaseEnsemble._parameter_constraints)

    def __init__(self, experts, *, n_experts=None, weights=None, cv="auto", n_rounds=50,
                 n_jobs=None, random_state=None, verbose=False):
        self.experts = experts
        self.n_experts = n_experts
        self.weights = weights
        self.cv = cv
        self.n_rounds = n_rounds
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None, groups=None, **fit_params):
        """Learn the weights (if ``'greedy'``) and fit every expert on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every expert (each must accept it, but a
            ``FrozenEstimator``, which is not fitted again) as given, so that
            integer weights are repetitions of rows (as scikit-learn's
            estimators take them; a mixture rescales them to mean one): their
            scale matters to a regularised expert (Ridge's ``alpha`` weighs
            against their sum), and tiny weights underflow in some experts'
            arithmetic (all 1e-200 times w changed a tree's fit, 1e-100 times
            w GaussianNB's). For ``'greedy'`` they
            also weight the rows of the selection loss, where only their
            ratios count; there rows of zero weight are left out before the
            folds are made.
        groups : array-like of shape (n_samples,), default=None
            For ``'greedy'``: the group of each row; the weights are then
            chosen on folds of whole groups (an int or 'auto' ``cv``: that
            many ``GroupKFold`` folds, stratified for a classifier; a
            splitter is split with them). With metadata routing, request it
            with ``set_fit_request(groups=True)``; an expert that requests
            it too (a nested mixture) gets those of the rows it is fitted on.
        **fit_params : dict
            Other metadata for the experts' ``fit``; only with metadata
            routing enabled, routed as the experts request.

        Returns
        -------
        self : EnsembleRegressor
        """
        return self._fit(X, y, sample_weight, fit_params, groups)

    def predict(self, X):
        """Weighted average of the experts' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        used = self._used()
        each = regression_outputs([self.expert_names_[i] for i in used],
                                  [self.experts_[i] for i in used], X)
        return each @ self.weights_[used]

    def predict_experts(self, X):
        """Every expert's prediction, shape (n_samples, n_experts).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        predictions : ndarray of shape (n_samples, n_experts)
            Columns follow ``expert_names_``. A DataFrame (the experts'
            names as columns, X's index) after ``set_output(transform="pandas")``.
        """
        checked = self._check_X(X)
        return self._as_output(regression_outputs(self.expert_names_, self.experts_, checked),
                               X)


class EnsembleClassifier(CheckedScoreMixin, ClassifierMixin, LogProbaMixin,
                         _BaseEnsemble):
    """Soft (or hard) weighted voting over the experts: the classification baseline.

    Parameters
    ----------
    experts : list of (str, estimator) or estimator
        Classifiers, as for :class:`MixtureOfExpertsClassifier`.
    n_experts : int, default=None
        Copies of a single estimator, as for :class:`EnsembleRegressor`.
    voting : {'soft', 'hard'}, default='soft'
        Average the probabilities (``predict`` is the argmax of
        ``predict_proba``), or take the weighted majority of the predicted
        labels (summed as :class:`~sklearn.ensemble.VotingClassifier` sums
        them, in the experts' order: a tie goes to the first of
        ``classes_``, and weights such as [0.3, 0.1, 0.2] voting 0, 1, 1
        give class 1, as 0.1 + 0.2 rounds above 0.3 there too).
    weights : array-like of shape (n_experts,), 'greedy' or None, default=None
        Weights of the average: uniform when None; one non-negative weight per
        listed expert ('drop' included); or ``'greedy'``: learned by ensemble
        selection (Caruana et al., 2004) on out-of-fold predictions, greedy
        forward selection with replacement for ``n_rounds`` rounds, weights
        = selection counts / ``n_rounds``.
    cv : int, cross-validation generator, iterable or 'auto', default='auto'
        Folds of the out-of-fold predictions, the same for every expert; an
        int means shuffled stratified K-fold seeded by ``random_state``.
        'auto' is 5 folds, fewer (at least 2) where the largest class has
        fewer rows (4 rows a class: 4 folds), as the mixtures' ``cv='auto'``;
        an int is kept, and too little data for it is an error. Only used
        when ``weights='greedy'``.
    n_rounds : int, default=50
        Selection rounds. Only used when ``weights='greedy'``.
        ``'greedy'`` minimises the log-loss of the averaged probabilities, so
        every expert needs ``predict_proba`` even with hard voting.
    n_jobs : int, default=None
    random_state : int, RandomState instance or None, default=None
    verbose : bool, default=False

    Attributes
    ----------
    weights_ : ndarray of shape (n_experts,)
        Weight of each fitted expert; sums to one.
    classes_ : ndarray of shape (n_classes,)
    class_prior_ : (float, ndarray of shape (n_classes,)) or None
        With ``weights='greedy'`` only: the share ``1/n^2`` (``n`` training
        rows, a row of weight 2 counted twice) of the training rows' class
        frequencies that ``predict_proba`` mixes into the weighted average.
        On 30 rows the selection can give every weight to a tree that was
        never wrong out of fold, whose probabilities are 0 for every class
        but one: where it was wrong on new rows, log-loss was infinite (iris,
        five draws: 25 with sklearn's clip; with the share 0.43). Given
        weights (or none) average the experts as they are.
    experts_, named_experts_, expert_names_, n_features_in_, feature_names_in_

    See Also
    --------
    sklearn.ensemble.VotingClassifier : plain and user-weighted voting.

    Notes
    -----
    The experts get X as it is; see :class:`EnsembleRegressor`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skmoe import EnsembleClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> lr = make_pipeline(StandardScaler(), LogisticRegression())
    >>> ens = EnsembleClassifier([("lr", lr), ("nb", GaussianNB())])
    >>> ens.fit(X, y).predict_experts(X[:2]).shape
    (2, 2, 3)
    """

    _parameter_constraints = {**_BaseEnsemble._parameter_constraints,
                              "voting": [StrOptions({"soft", "hard"})]}

    def __init__(self, experts, *, n_experts=None, voting="soft", weights=None, cv="auto",
                 n_rounds=50, n_jobs=None, random_state=None, verbose=False):
        self.experts = experts
        self.n_experts = n_experts
        self.voting = voting
        self.weights = weights
        self.cv = cv
        self.n_rounds = n_rounds
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None, groups=None, **fit_params):
        """Learn the weights (if ``'greedy'``) and fit every expert on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        groups : array-like of shape (n_samples,), default=None
            See :meth:`EnsembleRegressor.fit`.
        **fit_params : dict
            See :meth:`EnsembleRegressor.fit`.

        Returns
        -------
        self : EnsembleClassifier
        """
        return self._fit(X, y, sample_weight, fit_params, groups)

    def predict(self, X):
        """Voted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        if self.voting not in ("soft", "hard"):
            # Read here, voting set after fit is not validated by fit: any
            # other value voted 'hard' without a word.
            raise ValueError(f"voting={self.voting!r} was set after fit: predict votes "
                             "'soft' or 'hard'.")
        if self.voting == "soft":
            problem = self._soft_voting_set_after_hard_fit()
            if problem:
                raise ValueError(problem)
            # predict_proba's argmax, as scikit-learn's (ties: the first).
            return self.classes_[np.argmax(self._average_proba(X), axis=1)]
        votes = np.zeros((n_samples(X), len(self.classes_)))
        rows = np.arange(n_samples(X))
        weights = self._votes_weights()
        for i in self._used():
            name = self.expert_names_[i]
            labels = call_expert(name, self.experts_[i], "predict", X)
            _check_finite(labels, name)
            _check_labels(labels, name, type(self.experts_[i]).__name__, len(self.classes_))
            votes[rows, labels.astype(np.intp)] += weights[i]
        return self.classes_[_first_of_the_best(votes)]

    def _soft_voting(self):
        # scikit-learn's VotingClassifier says why (hasattr still False): "This
        # 'EnsembleClassifier' has no attribute 'predict_proba'" did not.
        if self.voting != "soft":
            raise AttributeError(f"predict_proba is not available when voting="
                                 f"{self.voting!r}; set voting='soft'.")
        problem = self._soft_voting_set_after_hard_fit()
        if problem:
            raise AttributeError(f"predict_proba is not available: {problem}")
        return True

    def _soft_voting_set_after_hard_fit(self):
        """Why soft voting cannot be read from this fit, or None.

        voting='soft' set after a hard-voting fit of experts without
        ``predict_proba`` (an SVC) failed in predict with "Expert 'b' (SVC)
        failed in predict_proba: This 'SVC' has no attribute
        'predict_proba'", and ``hasattr(model, 'predict_proba')`` was True.
        """
        if "experts_" not in vars(self):
            return None   # not fitted: check_is_fitted says so
        lacking = [f"'{self.expert_names_[i]}' ({type(self.experts_[i]).__name__})"
                   for i in self._used() if not hasattr(self.experts_[i], "predict_proba")]
        if not lacking:
            return None
        return (f"voting='soft' was set after fit, and the fitted expert(s) "
                f"{', '.join(lacking)} have no predict_proba to average; set "
                "voting='hard' again (the voting they were fitted for).")

    @available_if(_soft_voting)
    def predict_proba(self, X):
        """Weighted average of the experts' class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._average_proba(self._check_X(X))

    def _average_proba(self, X):
        used = self._used()
        each = classification_outputs([self.expert_names_[i] for i in used],
                                      [self.experts_[i] for i in used], X,
                                      len(self.classes_))
        proba = np.einsum("nmc,m->nc", each, self._votes_weights()[used])
        # Renormalised: experts' float32 probabilities (a torch model's) sum to
        # 1 only to float32's rounding, and their average summed to 1 +- 1.5e-8.
        # (An ensemble pickled before class_prior_ has none: it predicts as it did.)
        return with_class_prior(proba / proba.sum(axis=1, keepdims=True),
                                getattr(self, "class_prior_", None))

    def _votes_weights(self):
        # (An ensemble pickled before _vote_weights votes with weights_.)
        return self.__dict__.get("_vote_weights", self.weights_)

    def predict_experts(self, X):
        """Every expert's class probabilities, (n_samples, n_experts, n_classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        probabilities : ndarray of shape (n_samples, n_experts, n_classes)
            After ``set_output(transform="pandas")`` a DataFrame with X's
            index whose columns are (expert, class) pairs (a MultiIndex).
        """
        checked = self._check_X(X)
        return self._as_output(classification_outputs(self.expert_names_, self.experts_,
                                                      checked, len(self.classes_)), X)

