"""RuleExpert: a domain rule written as a Python function, used as an expert.

Regression: ``func(X, **params)`` returns one number per row; the rule's
noise scale ``noise_std_`` is the (weighted) root mean squared residual
(floored at ``NOISE_FLOOR`` times y's standard deviation, or at
``NOISE_FLOOR`` itself where y is constant).
Classification: ``func(X, **params)`` returns one outcome per row (a class
label, a bool, any discrete value); ``predict_proba`` is the calibrated
table ``P(class | outcome)`` estimated in ``fit`` with additive smoothing, so
a rule that says "approve" but is right 80% of the time says 0.8.

The few parameters in ``params`` (e.g. a threshold) are fitted by a
derivative-free search (Powell), since rules are usually piecewise constant.
"""

import copy
import math
import numbers
import pickle
import sys
from collections.abc import Iterator

import numpy as np
from scipy import linalg
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval
from ._base import (check_finite_target, check_label_values, check_sample_weight,
                    checked_score, encode_class_labels, is_missing_value, refuse_time_target)
from ._data import (FittedMarkerMixin, _string_kinds, keep_column_labels, mean_and_scale,
                    normalised_weights, read_only_view, refuse_reordered_columns,
                    validate_numeric_data)
from ._likelihood import PROBA_FLOOR, LogProbaMixin, is_text

# Floor on the fitted noise scale (relative to std(y)) so a perfect rule does
# not give the mixture a zero-variance expert.
NOISE_FLOOR = 1e-3


def _rule_name(func):
    return getattr(func, "__qualname__", None) or repr(func)


def _cloudpickling(or_copying=False):
    """Whether cloudpickle is pickling (a frame of it is on the stack): it
    stores lambdas and local functions by value, which pickle cannot. With
    ``or_copying``, also whether ``copy.deepcopy`` is copying, which reads
    the same state and keeps a function as it is."""
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if "cloudpickle" in module or or_copying and module == "copy":
            return True
        frame = frame.f_back
    return False


def _n_missing(values):
    """How many of a rule's outputs are missing (None, NaN or pd.NA in an object array)."""
    return int(sum(map(is_missing_value, values))) if values.dtype == object else 0


class RuleExpert(FittedMarkerMixin, LogProbaMixin, BaseEstimator):
    """An expert defined by a plain Python function of ``X``.

    Parameters
    ----------
    func : callable
        ``func(X, **params)`` with ``X`` an ndarray of shape
        ``(n_samples, n_features)``; returns an array of shape
        ``(n_samples,)``: predictions (regression) or outcomes
        (classification). Define it at module level in an importable module
        for the fitted expert to pickle (joblib's parallel fits take any
        function: they send it by value).
    params : dict of str to float, default=None
        Parameters of ``func`` fitted in ``fit``, with their starting
        values, e.g. ``{"threshold": 50_000}``. None: nothing is fitted.
    task : {'regression', 'classification'}, default='regression'
        Whether the expert is a regressor or a classifier (its
        scikit-learn tags follow).
    smoothing : float, default=1.0
        Classification only: additive smoothing of ``P(class | outcome)``
        towards the class prior: ``smoothing`` average rows' weight (of the
        rows of positive weight) spread over the classes by their
        frequencies, ``(count + smoothing * prior) / (total + smoothing)``,
        not ``smoothing`` added to every class.

    Attributes
    ----------
    params_ : dict
        The fitted parameters (the starting values when nothing moved).
    noise_std_ : float
        Regression: root weighted mean squared residual of the rule, at
        least ``1e-3`` times the standard deviation of y on the rows of
        positive weight (a perfect rule is not a zero-variance expert);
        where y is constant on those rows, at least ``1e-3`` in y's units
        (the floor then takes a standard deviation of 1).
    classes_ : ndarray of shape (n_classes,)
        Classification: the class labels.
    outcomes_ : ndarray
        Classification: the rule's distinct outputs seen in ``fit``.
    proba_table_ : ndarray of shape (n_outcomes + 1, n_classes)
        Classification: ``P(class | outcome)``; the last row (the class
        prior) is used for outcomes not seen in ``fit``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names (the rule still gets a numpy
        array: it reads columns by position).

    Examples
    --------
    >>> import numpy as np
    >>> from skmoe.experts import RuleExpert
    >>> def above(X, threshold):
    ...     return X[:, 0] > threshold
    >>> X = np.arange(10.0)[:, None]; y = (X[:, 0] > 4).astype(int)
    >>> rule = RuleExpert(above, params={"threshold": 2.0}, task="classification")
    >>> rule.fit(X, y).predict(X).tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    """

    _parameter_constraints = {
        "func": [callable],
        "params": [dict, None],
        "task": [StrOptions({"regression", "classification"})],
        "smoothing": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(self, func, *, params=None, task="regression", smoothing=1.0):
        self.func = func
        self.params = params
        self.task = task
        self.smoothing = smoothing

    # -- calling the rule ----------------------------------------------------
    def _call(self, X, params):
        name = _rule_name(self.func)
        # Read-only: a rule that wrote into X changed the caller's array (X is
        # not copied) and what the next call of the parameter search saw.
        X = read_only_view(X)
        try:
            out = self.func(X, **params)
        except Exception as exc:
            hint = (" (a rule must not modify X in place; work on X.copy())"
                    if "read-only" in str(exc) else "")
            names = getattr(self, "feature_names_in_", None)
            if names is not None and isinstance(exc, (IndexError, KeyError, TypeError,
                                                      AttributeError)):
                # A rule written for the DataFrame, X["income"], met numpy's
                # "only integers, slices (`:`) ... are valid indices".
                shown = ", ".join(f"{j}: {n!r}" for j, n in enumerate(names[:10]))
                hint += (" (a rule gets X as a numpy array of float64, not the DataFrame "
                         "given to fit: read columns by position, e.g. X[:, 0] for "
                         f"{names[0]!r}; the columns are {shown}"
                         f"{', ...' if len(names) > 10 else ''})")
            # With the parameters, as for NaN below: the search may reach values
            # the rule refuses (a start of s=2.0 met "s must be positive", which
            # named neither the s tried nor that fit's search had tried it).
            at = f" with params {({k: float(v) for k, v in params.items()})}" if params else ""
            raise ValueError(f"RuleExpert({name}) raised {type(exc).__name__}{at}: "
                             f"{exc}{hint}") from exc
        if isinstance(out, np.ma.MaskedArray) and np.ma.is_masked(out):
            # (np.asarray drops the mask: the values under it, the rule's
            # "no answer here", were used as predictions, silently. A pandas
            # nullable array has a _mask too, but no filled(): its pd.NA are
            # named as missing values below.)
            raise ValueError(f"RuleExpert({name}) returned a masked array with "
                             f"{int(np.ma.count_masked(out))} of {len(X)} rows masked "
                             "(missing); a rule must give every row a value, e.g. "
                             "out.filled(fallback).")
        try:
            out = np.asarray(out)
        except ValueError as exc:
            # (Rows of different lengths: numpy's "setting an array element with
            # a sequence ... inhomogeneous shape", naming no rule.)
            raise ValueError(f"RuleExpert({name}) returned values that do not form an "
                             f"array ({exc}); a rule must return one value per row, "
                             f"shape ({len(X)},).") from exc
        if out.dtype.kind == "c":
            # (Regression dropped the imaginary part with a ComplexWarning;
            # classification failed in numpy's remainder.)
            raise ValueError(f"RuleExpert({name}) returned complex values.")
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.ndim == 0:
            # (None -- a function without a return -- a generator or a single
            # number all became "an array of shape ()", which named neither
            # what the rule gave nor how to mend it.)
            got = out.item()
            what = ("None (does the function end without a return?)" if got is None
                    else "an iterator, not an array (collect it: np.fromiter(...))"
                    if isinstance(got, Iterator)
                    else f"one value ({got!r})" if np.isscalar(got)
                    else f"a {type(got).__name__}")
            raise ValueError(f"RuleExpert({name}) returned {what} for {len(X)} rows; a "
                             f"rule must return one value per row, shape ({len(X)},).")
        if out.shape != (len(X),):
            raise ValueError(
                f"RuleExpert({name}) returned an array of shape {out.shape} for "
                f"{len(X)} rows; a rule must return one value per row, shape ({len(X)},).")
        if self.task == "regression":
            missing = _n_missing(out)
            if missing:
                # (pd.NA among numbers was "returned non-numeric values
                # (object)", which did not say that a value was missing.)
                raise ValueError(f"RuleExpert({name}) returned missing values (None, NaN or "
                                 f"pd.NA) for {missing} of {len(X)} rows; a rule must give "
                                 "every row a value.")
            if out.dtype.kind in "mM":
                # Dates and durations converted to their count of days (or
                # seconds, ...) since the epoch: a number in units the rule
                # never chose, silently.
                raise ValueError(f"RuleExpert({name}) returned {out.dtype} values for a "
                                 "regression rule; return numbers (e.g. a duration in days, "
                                 "computed by the rule).")
            if is_text(out):
                # numpy read '1.5' as 1.5 without a word: a rule that formats
                # its result (rounded: '%.1f') or says labels ('1', '2') was
                # a regression rule of numbers, where the mixtures refuse an
                # expert's text by name.
                example = next(v for v in out.tolist() if isinstance(v, (str, bytes)))
                raise ValueError(f"RuleExpert({name}) returned text (dtype {out.dtype}, e.g. "
                                 f"{example!r}) for a regression rule; return numbers (or "
                                 "use task='classification' for labels).")
            try:
                out = out.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"RuleExpert({name}) returned non-numeric values "
                                 f"({out.dtype}) for a regression rule.") from exc
        if out.dtype.kind == "f" and not np.all(np.isfinite(out)):
            # With the parameters: the search may reach values the rule fails on.
            raise ValueError(f"RuleExpert({name}) returned NaN or infinite values for "
                             f"{int(np.sum(~np.isfinite(out)))} of {len(X)} rows"
                             + (f" with params {({k: float(v) for k, v in params.items()})}."
                                if params else "."))
        return out

    def _check_outcomes(self, outcomes):
        """A classification rule's outcomes must be discrete (checked once, in fit,
        not in every call of the parameter search)."""
        try:
            np.unique(outcomes)
        except TypeError as exc:
            # (None, or labels of mixed types: numpy's "'<' not supported".)
            raise self._unsortable(exc, outcomes) from exc
        self._refuse_missing(outcomes)
        if outcomes.dtype.kind != "f" or not np.any(outcomes % 1):
            return
        n_distinct = len(np.unique(outcomes))
        if n_distinct > max(20, len(outcomes) // 2):
            # Every distinct number would be an outcome of its own, seen about
            # once: the calibration table would say the prior for every row.
            # (Rounded scores, 0.1, 0.2, ..., are outcomes.)
            raise ValueError(
                f"RuleExpert({_rule_name(self.func)}) returned continuous values "
                f"({n_distinct} distinct numbers for {len(outcomes)} rows) for a "
                "classification rule; it must return one outcome per row (a class "
                "label, a bool, a category), or use task='regression'.")

    def _refuse_missing(self, outcomes):
        """Refuse NaN among the numbers of an object array of outcomes.

        They sort (None and pd.NA do not: :meth:`_unsortable` names them), but
        NaN equals nothing: np.unique kept every NaN as an outcome of its own,
        outcomes_ came out unsorted, and searchsorted then gave rows other
        outcomes' probabilities, silently. (A float array's NaN is refused in
        ``_call``.)
        """
        missing = _n_missing(outcomes)
        if missing:
            raise ValueError(
                f"RuleExpert({_rule_name(self.func)}) returned outcomes of which {missing} "
                f"of {len(outcomes)} are missing (None, NaN or pd.NA); a rule must give "
                "every row an outcome (one of its own for rows it has no answer for).")

    def _unsortable(self, exc, outcomes):
        """The error for outcomes numpy cannot sort (None, labels of mixed types)."""
        missing = _n_missing(outcomes)
        if missing:
            # (None or pd.NA for rows without an answer: "return labels of one
            # type" did not say that values were missing.)
            return ValueError(
                f"RuleExpert({_rule_name(self.func)}) returned outcomes that cannot be "
                f"sorted ({exc}): {missing} of {len(outcomes)} are missing (None, NaN or "
                "pd.NA); a rule must give every row an outcome (one of its own for rows it "
                "has no answer for).")
        return ValueError(
            f"RuleExpert({_rule_name(self.func)}) returned outcomes that cannot be "
            f"sorted ({exc}); return labels of one type (numbers, strings or "
            "bools).")

    def _search(self, objective, start):
        """Derivative-free search over ``params``; returns the best found."""
        names = list(start)
        if not names:
            return {}
        x0 = np.array([float(start[k]) for k in names])
        result = minimize(lambda v: objective(dict(zip(names, v))), x0, method="Powell")
        best = result.x if result.fun <= objective(dict(zip(names, x0))) else x0
        return {k: float(v) for k, v in zip(names, best)}

    # -- fit -------------------------------------------------------------------
    # Fitted once ``params_`` is set, as predict checks: a first fit that
    # failed after n_features_in_ was set looked fitted to check_is_fitted, and
    # a refit that failed kept the previous params_ beside the failed fit's
    # feature names and width. The other task's attributes go too at a refit:
    # a regression refit of a rule fitted as a classifier kept its classes_
    # and probability table (and a classification refit the regression's
    # noise_std_).
    _fitted_marker = "params_"
    _forget_also = ("noise_std_", "classes_", "outcomes_", "proba_table_")

    def fit(self, X, y, sample_weight=None):
        """Fit the rule's parameters and calibrate its noise or probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : RuleExpert
        """
        self._forget_fit()
        self._validate_params()
        regression = self.task == "regression"
        if y is not None and not regression:
            # Before scikit-learn's check, which stopped on pd.NA (a "string"
            # column's missing value) with "boolean value of NA is ambiguous".
            check_label_values(y, "y")
        if regression:
            # (Dates were read as counts of their unit, silently: noise_std_ in
            # microseconds, as the mixtures, which refuse them, would not be.)
            refuse_time_target(y, self._who())
        X_given = X
        X, y = validate_numeric_data(self, X, y, y_numeric=regression, who=self._who())
        keep_column_labels(self, X_given)
        # (X as given: its row labels are checked against the weights'.)
        w = check_sample_weight(sample_weight, X_given)
        # (The mean of weights near 1e308 overflowed, and every weight became
        # 0: noise_std_ NaN, or "Weights sum to zero".)
        w = np.ones(len(y)) if w is None else normalised_weights(w)
        # A row of zero weight is a row left out: the average row, the unit of
        # ``smoothing``, and y's spread, which floors ``noise_std_``, are those
        # of the rows of positive weight (zero weights on half the rows halved
        # the smoothing, and a floor from the left-out rows' spread made
        # noise_std_ 34 times that of the fit without them).
        positive = w > 0
        if not positive.all():
            w = w / w[positive].mean()
        start = dict(self.params or {})
        for key, value in start.items():
            # (A NaN start was reported as the rule returning NaN.) math, not
            # numpy: a Python int beyond int64 (2**64) or a Fraction stopped in
            # np.isfinite with numpy's bare "ufunc 'isfinite' not supported".
            try:
                finite = isinstance(value, numbers.Real) and math.isfinite(value)
            except OverflowError:   # an int beyond float64, 10**400
                finite = False
            if not isinstance(key, str) or isinstance(value, bool) or not finite:
                raise ValueError(f"RuleExpert params must map names to numbers (the finite "
                                 f"starting values of the search); {key!r} is {value!r}.")
        if regression:
            try:
                y = y.astype(np.float64)
            except (TypeError, ValueError) as exc:
                # (numpy's bare "could not convert string to float: 'a'".)
                raise ValueError(f"RuleExpert(task='regression') needs a numeric y; it holds "
                                 f"{str(y.ravel()[0])!r}. For class labels use "
                                 "task='classification'.") from exc
            check_finite_target(y, "RuleExpert")   # (noise_std_ was NaN, silently)
            scale = mean_and_scale(y[positive])[1]

            root_share = np.sqrt(w / w.sum())

            def rms(params):
                # The weighted root mean squared residual by BLAS's scaled norm:
                # squared residuals of y of 1e200 overflowed (every objective
                # inf, so the search never moved, and noise_std_ was inf); of
                # 1e-200 underflowed.
                return float(linalg.norm((y - self._call(X, params)) * root_share,
                                         check_finite=False))

            self.params_ = self._search(rms, start)
            self.noise_std_ = max(rms(self.params_), NOISE_FLOOR * scale)
            return self
        # One class is allowed: a rule can be calibrated on a fold of one class.
        encoder, codes = encode_class_labels(y, min_classes=1)
        self.classes_ = encoder.classes_
        self._check_outcomes(self._call(X, start))

        def log_loss(params):
            said = self._call(X, params)
            outcomes, table = self._calibrate(said, codes, w)
            index = np.searchsorted(outcomes, said)
            return -np.average(np.log(np.maximum(table[index, codes], PROBA_FLOOR)),
                               weights=w)

        self.params_ = self._search(log_loss, start)
        self.outcomes_, self.proba_table_ = self._calibrate(
            self._call(X, self.params_), codes, w)
        return self

    def _calibrate(self, outcomes, codes, w):
        """Smoothed ``P(class | outcome)`` table; last row is the class prior."""
        n_classes = len(self.classes_)
        unique, index = np.unique(outcomes, return_inverse=True)
        counts = np.zeros((len(unique), n_classes))
        np.add.at(counts, (index, codes), w)
        prior = np.bincount(codes, weights=w, minlength=n_classes) / w.sum()
        total = counts.sum(1, keepdims=True) + self.smoothing
        # With smoothing=0, an outcome said only on rows of weight zero (rows a
        # hard EM routed elsewhere) has no counts: it gets the prior, as an
        # outcome not seen in fit does (0/0 made its probabilities NaN).
        table = np.where(total > 0, (counts + self.smoothing * prior)
                         / np.where(total > 0, total, 1.0), prior)
        return unique, np.vstack([table, prior])

    # -- predict ---------------------------------------------------------------
    def _check_X(self, X):
        check_is_fitted(self, "params_")
        # (X[[2, 1, 0]] of a frame labelled 0, 1, 2 swapped what the rule read.)
        refuse_reordered_columns(self, X, "the rule reads")
        return validate_numeric_data(self, X, reset=False, who=self._who())

    def _who(self):
        return f"RuleExpert({_rule_name(self.func)})"

    def predict(self, X):
        """The rule's prediction (regression) or most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        if self.task == "regression":
            return self._call(self._check_X(X), self.params_)
        # predict_proba validates X itself: a frame checked here first reached
        # it as a bare ndarray, and one fitted with column names warned "X does
        # not have valid feature names".
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def _is_classification(self):
        return self.task == "classification"

    @available_if(_is_classification)
    def predict_proba(self, X):
        """Calibrated class probabilities ``P(class | rule outcome)``.

        An outcome not seen in ``fit`` gets the class prior.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._check_X(X)
        outcomes = self._call(X, self.params_)
        fitted, now = _string_kinds(self.outcomes_), _string_kinds(outcomes)
        if fitted and not now <= fitted:
            # Strings never equal numbers: every row got the class prior,
            # silently (a rule that said 'high'/'low' in fit and 1/0 now).
            kinds = ("strings", "values that are not strings")
            then, new = kinds if True in fitted else kinds[::-1]
            example = next(v for v in outcomes.tolist() if _string_kinds([v]) - fitted)
            raise ValueError(
                f"RuleExpert({_rule_name(self.func)}) returned {new} (e.g. {example!r}) where "
                f"in fit it returned {then} (outcomes {self.outcomes_.tolist()[:5]!r}); no "
                "row would match an outcome of fit. Return outcomes of the type the rule "
                "returned in fit.")
        try:
            index = np.searchsorted(self.outcomes_, outcomes)
        except TypeError as exc:
            # None (or another type) said for new rows only: fit's check never
            # saw it, and numpy's "'<' not supported" named no rule.
            raise self._unsortable(exc, outcomes) from exc
        self._refuse_missing(outcomes)
        index = np.minimum(index, len(self.outcomes_) - 1)
        known = self.outcomes_[index] == outcomes
        return self.proba_table_[np.where(known, index, len(self.outcomes_))]

    def score(self, X, y, sample_weight=None):
        """R^2 (regression) or accuracy (classification).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, finite, not all zero.

        Returns
        -------
        score : float
        """
        return checked_score(self, X, y, sample_weight, self.task != "regression")

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, RegressorTags
        tags = super().__sklearn_tags__()
        if self.task == "classification":
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags(poor_score=True)
        else:
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags(poor_score=True)
        # fit needs y, as for scikit-learn's regressors and classifiers (their
        # mixins set this; RuleExpert has neither): fit(X, None) failed with a
        # bare "check_array() got an unexpected keyword argument 'y_numeric'".
        tags.target_tags.required = True
        tags.input_tags.sparse = False
        return tags

    # -- pickling ----------------------------------------------------------------
    def __deepcopy__(self, memo):
        # Copy without pickling, so clone()/deepcopy work for lambdas too.
        new = self.__class__.__new__(self.__class__)
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            new.__dict__[key] = value if key == "func" else copy.deepcopy(value, memo)
        return new

    def __getstate__(self):
        self._check_picklable()
        return super().__getstate__()   # a copy, with the skmoe version

    def _check_picklable(self, who="RuleExpert", or_copying=False):
        """Raise PicklingError, naming ``who``, when pickle cannot store the function.

        ``or_copying``: not while ``copy.deepcopy`` asks for the state (an
        estimator holding the rule; the rule itself copies without it).
        """
        try:
            pickle.dumps(self.func)
        except Exception as exc:
            if _cloudpickling(or_copying):
                # joblib's worker processes (n_jobs in cross_val_score, in a
                # tree's leaves) and Dask send it by value: "Could not pickle
                # the task" stopped every parallel fit of a lambda rule.
                return
            raise pickle.PicklingError(
                f"{who} cannot be pickled: its function {_rule_name(self.func)!r} "
                "cannot be found by name when loading (pickle stores functions by "
                "reference). Define the rule with `def` at the top level of an importable "
                "module (not a lambda, not inside another function) and import it from "
                "there.") from exc
