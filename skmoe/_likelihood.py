"""Per-expert likelihoods p_i(y | x) for the E-step and for scoring.

Regression: each expert is a Gaussian centred on its prediction with its own
noise variance. Classification: each expert's ``predict_proba``, aligned to
the mixture's ``classes_`` (an expert whose weighted fit saw only some
classes gives the missing ones probability zero).
"""

import numpy as np
from scipy.sparse import issparse
from scipy.special import logsumexp
from sklearn.utils.metaestimators import available_if

from ._base import category_dtype_hint, read_only_hint, rebuilt_error, unknown_category_hint
from ._data import (column_names_hint, huge_values_hint, listed_rows, n_samples,
                    nan_columns_hint, own_frame, pandas_na_hint, sequence_cells_hint,
                    time_columns_hint, warned_once, word_columns_hint)
from ._warnings import _recorded_expert_warnings, named_call_warnings

# The Gaussian's constant, for the numpy likelihoods here and the torch ones
# of the gradient trainers.
LOG_2PI = float(np.log(2.0 * np.pi))

# Training only: one expert's probabilities are floored before the log, so
# that a confident mistake by one expert costs a large but finite penalty
# (E-step, the gradient trainer's fixed experts, rule fitting). Scoring never
# floors an expert: the mixture's probability is what is scored.
PROBA_FLOOR = 1e-6
# The mixture's probability is floored only here, so that a class that every
# routed expert rules out scores about -690 instead of -inf.
MIXTURE_PROBA_FLOOR = 1e-300


# An expert's probabilities may be off a distribution by rounding (a float32
# softmax: about 1e-7), not by more than this.
PROBA_TOLERANCE = 1e-3


def _check_finite(values, name, X=None):
    """A clear error for an expert's NaN or infinite outputs on ``X``.

    With ``X``, the error says where X has a value too large for the
    expert's arithmetic: a linear model fitted on a sparse X with a value of
    1e308 predicted NaN, reported as "returned NaN or infinite predictions"
    alone (on a dense X it fails in fit, with the hint).
    """
    finite = np.isfinite(values)
    if not np.all(finite):
        # The rows, as for a non-finite y: without them the user re-predicted
        # with the expert alone to find which rows of X it failed on.
        bad = np.flatnonzero(~finite.reshape(len(finite), -1).all(axis=1))
        message = (f"Expert '{name}' returned NaN or infinite predictions on {bad.size} of "
                   f"{len(finite)} rows (first: {listed_rows(bad)}; positions counted "
                   "from 0).")
        hint = "" if X is None else huge_values_hint(message, X)
        raise ValueError(message[:-1] + hint + "." if hint else message)


# An expert's prediction this many standard deviations of y from its mean is a
# diverging expert, not a prediction: its square nears float32's largest
# number (the gradient trainers and the gate compute in float32), and any
# weight a gate can give it (a switched-off expert keeps exp(-30)) leaves it
# in the blended mean. 1e15 squared still sums over 10^8 rows in float32.
MAX_STANDARDISED_PREDICTION = 1e15


def check_not_diverging(standardised, names):
    """A clear error for an expert whose standardised predictions (n, M) lie
    more than :data:`MAX_STANDARDISED_PREDICTION` from 0."""
    if not standardised.size:
        return
    largest = np.abs(standardised.reshape(len(standardised), -1)).max(axis=0)
    for j in np.flatnonzero(largest > MAX_STANDARDISED_PREDICTION):
        raise ValueError(
            f"Expert '{names[j]}' returned predictions {largest[j]:.3g} standard "
            f"deviations of y from its mean (at most {MAX_STANDARDISED_PREDICTION:.0e} "
            "can be weighed): the expert diverges on some rows; fix or remove it.")


def _check_probabilities(proba, name, X=None):
    """A clear error when an expert's ``predict_proba`` is not a distribution per row.

    Probabilities that sum to 1.5 would otherwise be averaged into the
    ensemble's output, and give the expert an inflated likelihood in EM and
    in the gate's loss (the mixture's own output is renormalised, which hid it).
    """
    _check_finite(proba, name, X)
    if not proba.size:
        return
    low, high = proba.min(), proba.max()
    if low < -PROBA_TOLERANCE or high > 1 + PROBA_TOLERANCE:
        raise ValueError(f"Expert '{name}' returned class probabilities outside [0, 1] "
                         f"(from {low:.6g} to {high:.6g}).")
    sums = proba.sum(axis=1)
    if np.abs(sums - 1.0).max() > PROBA_TOLERANCE:
        raise ValueError(f"Expert '{name}' returned class probabilities whose rows do not "
                         f"sum to one (row sums from {sums.min():.6g} to {sums.max():.6g}); "
                         "predict_proba must give a distribution over the expert's classes_.")


def is_text(arr):
    """Whether the array holds text: strings or bytes, or objects among which
    are some (searched element by element: rare, and only then)."""
    return arr.dtype.kind in "USa" or (arr.dtype.kind == "O" and any(
        isinstance(v, (str, bytes)) for v in arr.ravel()))


def _refuse_text(arr):
    """Refuse outputs given as text: numpy would read '1.5' as 1.5 without a word.

    Numbers as strings mean the expert is not the kind its place expects (a
    classifier of string labels given as a regression expert, a rule that
    formats its result), so its numbers are not to be trusted as they are.
    """
    if is_text(arr):
        example = arr.ravel()[0] if arr.size else ""
        raise ValueError(f"it returned text (dtype {arr.dtype}, e.g. {str(example)!r}); "
                         "expected numbers")


def _refuse_times(raw):
    """Refuse outputs of dates or time spans (numpy, or pandas' columns).

    numpy and pandas cast them to float64 as counts of their unit
    (microseconds or nanoseconds since 1970), which were mixed in as
    predictions of y, silently; a y of dates is refused at fit, and so is a
    RuleExpert's regression rule returning them.
    """
    dtypes = getattr(raw, "dtypes", None)
    dtypes = ([getattr(raw, "dtype", None)] if dtypes is None or not hasattr(dtypes, "tolist")
              else dtypes.tolist())
    for dtype in dtypes:
        if getattr(dtype, "kind", None) in ("M", "m"):
            what, since = (("dates", " since 1970") if dtype.kind == "M"
                           else ("time spans", ""))
            raise ValueError(f"it returned {what} (dtype {dtype}), which would be read as "
                             f"counts of their unit{since}; expected numbers")


def _refuse_reordered_classes(raw, expert, method):
    """Refuse a DataFrame of probabilities whose columns are the expert's
    ``classes_`` in another order.

    Its columns are read by position, in ``classes_``'s order, as
    scikit-learn reads them: an expert returning a frame labelled by class
    (as AutoGluon's predict_proba does) in another order gave every class
    another class's probability, silently (an ensemble's training accuracy
    0.14 where the columns in order give 0.85).
    """
    columns, classes = getattr(raw, "columns", None), getattr(expert, "classes_", None)
    if method != "predict_proba" or columns is None or classes is None:
        return
    columns, classes = list(columns), np.asarray(classes).tolist()
    try:
        reordered = (len(columns) == len(classes) and columns != classes
                     and sorted(columns) == sorted(classes))
    except TypeError:     # labels of types that do not sort together
        return
    if reordered:
        raise ValueError(f"it returned a {type(raw).__name__} whose columns are its classes_ "
                         f"in another order (columns {columns[:5]!r}, classes_ "
                         f"{classes[:5]!r}); predict_proba columns are read by position, "
                         "in classes_'s order: return proba[list(classes_)] (or a plain "
                         "array)")


def _default_range(index):
    """Whether ``index`` is pandas' default index, a RangeIndex 0 .. n-1."""
    return (type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1)


def _refuse_reordered_rows(raw, X, method):
    """Refuse a pandas result whose index is X's row labels in another order.

    Its values are read by position, as scikit-learn reads them: an expert
    that fitted one model per segment and concatenated their predictions
    (``pd.concat`` of per-segment Series, indexed by X's labels) gave each
    row another row's prediction, silently (mean squared error 3.0 where the
    rows in X's order give 0.39). An index of other labels, or pandas'
    default RangeIndex where X's index is not one (the result's own), is read
    by position, as before.
    """
    index, rows = getattr(raw, "index", None), getattr(X, "index", None)
    if (index is None or rows is None or not hasattr(X, "columns") or len(index) != len(rows)
            or index.equals(rows) or not (index.is_unique and rows.is_unique)):
        return
    if _default_range(index) and not _default_range(rows):
        # Its own 0 .. n-1 (a Series built from an array), whatever X's labels:
        # X shuffled (df.sample(frac=1)) holds those labels in another order,
        # and the result in X's order was refused, told to reindex(X.index),
        # which would have put each row's prediction on another row.
        return
    try:
        same_labels = bool(index.isin(rows).all())
    except TypeError:
        return
    if same_labels:
        position = int(np.flatnonzero(index != rows)[0])
        raise ValueError(
            f"it returned a {type(raw).__name__} whose index holds X's row labels in another "
            f"order (row {position} of X is {rows[position:position + 1].tolist()[0]!r}, of "
            f"the result {index[position:position + 1].tolist()[0]!r}); {method} results are "
            "read by position, so each value "
            "must be in X's row order: return result.reindex(X.index) (or a plain array)")


def call_expert(name, expert, method, X):
    """``expert.<method>(X)`` as float64 with one row per row of X; errors name the expert.

    An expert that fails, or returns a number of rows other than X's (a
    reshape error later, naming nothing), gets an error that says which one.
    """
    n = n_samples(X)
    try:
        # (Its warnings recorded, within a composition's fit, to be given once;
        # named, outside one.)
        with _recorded_expert_warnings(name, expert, method), \
                named_call_warnings(name, expert, method):
            raw = warned_once(getattr(expert, method), own_frame(X))
        if raw is None:
            # (It was "returned predict of shape () for 20 rows": a method that
            # forgot its return statement, said as a shape.)
            raise ValueError(f"it returned None; expected an array (does its {method} "
                             "end with a return statement?)")
        if issparse(raw):
            # (numpy read it as one object: "setting an array element with a
            # sequence", which did not say what the expert returned.)
            raise ValueError(f"it returned a sparse matrix ({type(raw).__name__} of shape "
                             f"{raw.shape}); expected a dense array (e.g. "
                             f"{method}(X).toarray() in the expert)")
        if isinstance(raw, np.ma.MaskedArray) and np.ma.is_masked(raw):
            # (np.asarray drops the mask: the numbers under it, whatever they
            # were, were mixed in as predictions without a word.)
            raise ValueError(f"it returned a masked array with {np.ma.count_masked(raw)} "
                             "masked value(s), which are no predictions; return a plain "
                             "array with a value for every row")
        if np.iscomplexobj(raw):
            # (float64 would drop the imaginary parts with only a warning.)
            raise ValueError(f"it returned complex numbers (dtype {np.asarray(raw).dtype}); "
                             "expected real ones")
        _refuse_times(raw)
        _refuse_reordered_rows(raw, X, method)
        _refuse_reordered_classes(raw, expert, method)
        if hasattr(raw, "to_numpy") and not np.iscomplexobj(raw):
            # A pandas result of nullable columns: pd.NA becomes NaN, for the
            # finiteness check to name (numpy's cast stopped at it: "float()
            # argument must be a string or a real number, not 'NAType'").
            try:
                raw = raw.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError):
                pass    # text and the like: refused below, by name
        raw = np.asarray(raw)     # once: checked, then cast without a second copy
        _refuse_text(raw)
        _refuse_times(raw)        # (a list of np.datetime64 has no dtype before)
        values = raw.astype(np.float64, copy=False)
    except Exception as exc:
        if str(exc).startswith(f"Expert '{name}' "):
            raise  # already named (a CrossFitAverage's fold model): not twice
        # (An expert writing into its X at prediction said only "assignment
        # destination is read-only", although the caller's X was writeable.)
        raise rebuilt_error(exc, f"Expert '{name}' ({type(expert).__name__}) failed in "
                                 f"{method}: {exc}{read_only_hint(exc)}"
                                 f"{huge_values_hint(exc, X)}{unknown_category_hint(exc, expert)}"
                                 f"{pandas_na_hint(exc, X)}{category_dtype_hint(exc, X)}"
                                 f"{word_columns_hint(exc, X, at_predict=True)}"
                                 f"{sequence_cells_hint(exc, X)}{time_columns_hint(exc, X)}"
                                 f"{nan_columns_hint(exc, X)}{column_names_hint(expert, X)}"
                                 ) from exc
    if values.ndim == 0 or values.shape[0] != n:
        raise ValueError(f"Expert '{name}' ({type(expert).__name__}) returned "
                         f"{method} of shape {values.shape} for {n} rows of X; expected "
                         # ("one row per row" before: for predict_proba, a row
                         # of class probabilities.)
                         + ("a row of class probabilities" if method == "predict_proba"
                            else "one value") + " for each row of X.")
    return values


def regression_outputs(names, experts, X):
    """Every expert's prediction, shape (n_samples, n_experts)."""
    columns = []
    for name, expert in zip(names, experts):
        pred = call_expert(name, expert, "predict", X).reshape(n_samples(X), -1)
        if pred.shape[1] != 1:
            raise ValueError(f"Expert '{name}' ({type(expert).__name__}) returned "
                             f"{pred.shape[1]} outputs per sample; a regression expert "
                             "must return one (a single target).")
        _check_finite(pred, name, X)
        columns.append(pred[:, 0])
    return np.column_stack(columns) if columns else np.empty((n_samples(X), 0))


def aligned_proba(name, expert, X, n_classes):
    """``expert.predict_proba(X)`` as columns 0..n_classes-1 (encoded labels)."""
    proba = call_expert(name, expert, "predict_proba", X)
    if proba.ndim != 2:
        raise ValueError(f"Expert '{name}' returned predict_proba of shape {proba.shape}; "
                         "expected (n_samples, n_classes).")
    expert_classes = getattr(expert, "classes_", None)
    if expert_classes is None:
        # (A bare "'X' object has no attribute 'classes_'" that named no expert.)
        raise TypeError(f"Expert '{name}' ({type(expert).__name__}) has predict_proba but "
                        "no classes_ after fitting; its probability columns are placed by "
                        "classes_, which a scikit-learn classifier sets in fit (the "
                        "labels it was fitted on, in the order of its columns).")
    expert_classes = np.asarray(expert_classes)
    if proba.shape[1] != len(expert_classes):
        # (The columns are placed by classes_: a bare broadcast error before.
        # Checked first: a missing column was reported as rows not summing to one.)
        raise ValueError(f"Expert '{name}' ({type(expert).__name__}) returned predict_proba "
                         f"with {proba.shape[1]} columns but has {len(expert_classes)} "
                         "classes_; expected one column per class in classes_.")
    _check_probabilities(proba, name, X)
    if proba.size and (proba.min() < 0 or proba.max() > 1):
        # Outside [0, 1] by rounding (within PROBA_TOLERANCE): clipped and
        # renormalised, or an ensemble's average kept it (-2.5e-4 for an
        # expert's -5e-4), which scikit-learn's log_loss refuses ("y_prob
        # contains values lower than 0"). (Rows inside it that sum to 1 +- 3e-8,
        # a float32 softmax's, are left as the expert gives them: the
        # compositions renormalise what they return.)
        proba = np.clip(proba, 0.0, None)
        proba = proba / proba.sum(axis=1, keepdims=True)
    if proba.shape[1] == n_classes and np.array_equal(expert_classes, np.arange(n_classes)):
        return proba
    out = np.zeros((n_samples(X), n_classes))
    out[:, expert_classes.astype(int)] = proba
    return out


def classification_outputs(names, experts, X, n_classes):
    """Every expert's class probabilities, shape (n_samples, n_experts, n_classes)."""
    return np.stack([aligned_proba(n, e, X, n_classes) for n, e in zip(names, experts)],
                    axis=1)


def logsumexp_rows(a, overwrite=False):
    """``logsumexp(a, axis=1)`` without scipy's per-call checks (~0.3 ms, paid
    by loops of hundreds of small calls: the level-2 blend's fit, EM's
    constant blend), with the shifted exponentials ``exp(a - max)`` and their
    row sums (a row's posterior is ``exp / total``). ``overwrite``: ``exp``
    is computed in ``a``'s memory (no (n, M) temporaries).

    Returns
    -------
    lse : ndarray of shape (n,)
    exp, total : ndarray of shape (n, M) and (n, 1)
    """
    top = a.max(axis=1, keepdims=True)
    if overwrite:
        exp = a
        exp -= top
        np.exp(exp, out=exp)
    else:
        exp = np.exp(a - top)
    total = exp.sum(axis=1, keepdims=True)
    return (top + np.log(total))[:, 0], exp, total


def gaussian_log_likelihood(y, predictions, variances, residual2=None):
    """log N(y | f_i(x), sigma_i^2) for every sample and expert, (n, M).

    ``residual2``: ``(y[:, None] - predictions) ** 2`` when the caller has it.
    """
    if residual2 is None:
        residual2 = (y[:, None] - predictions) ** 2
    # In place on one (n, M) array: the same numbers as the one-line formula.
    log_lik = residual2 / variances[None, :]
    log_lik += LOG_2PI + np.log(variances)[None, :]
    log_lik *= -0.5
    return log_lik


def noise_variances(y, predictions, weights, floor, residual2=None):
    """Weighted mean squared residual of each expert, floored (M-step for sigma^2).

    ``weights`` is (n, M): responsibilities times sample weights;
    ``residual2`` as in :func:`gaussian_log_likelihood`.
    """
    if residual2 is None:
        residual2 = (y[:, None] - predictions) ** 2
    totals = weights.sum(axis=0)
    variances = (weights * residual2).sum(axis=0) / np.maximum(totals, np.finfo(float).tiny)
    if np.any(totals <= 0):
        # An expert with no responsibility keeps the pooled variance, its rows
        # weighted as in the sums above (a row's weights add up to its sample
        # weight): unweighted, a row of weight 5 counted once, not as the five
        # copies of it that it stands for (52.6 against their 45.4).
        rows = weights.sum(axis=1)
        pooled = (np.average(residual2.mean(axis=1), weights=rows) if rows.sum() > 0
                  else residual2.mean())
        variances = np.where(totals > 0, variances, pooled)
    return np.maximum(variances, floor)


# EM on the noise scales alone converges in a few dozen steps; these bound it.
NOISE_EM_MAX_ITER = 100
NOISE_EM_TOL = 1e-6


def fitted_noise_variances(y, predictions, log_gate, sample_weight, floor, start=None):
    """Noise variances that maximise the mixture's likelihood, the gate and the
    experts' means held fixed: EM on the variances alone.

    Each expert's gate-weighted mean squared residual (the start) counts its
    disagreement with the other experts as its noise, and the predictive
    variance ``sum_i g_i (sigma_i^2 + (f_i - mean)^2)`` then counts that
    disagreement twice (the predictive sd came out up to a third too wide on
    the benchmark suite's regression sets). Weighting
    the residuals by the responsibilities instead -- the posterior share of
    each row, given the scales -- and iterating is the M-step for the scales;
    the likelihood never decreases.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    predictions : ndarray of shape (n_samples, n_experts)
        The experts' means (honest, held-out predictions).
    log_gate : ndarray of shape (n_samples, n_experts)
        The gate's log-weights (rows normalised).
    sample_weight : ndarray of shape (n_samples,)
    floor : float
    start : ndarray of shape (n_experts,), default=None
        Variances to start from (e.g. trained ones); by default the
        gate-weighted mean squared residuals.

    Returns
    -------
    variances : ndarray of shape (n_experts,)
    log_likelihood : float
        The mixture's weighted mean log-likelihood per row with them.
    """
    residual2 = (y[:, None] - predictions) ** 2
    w = sample_weight[:, None]
    variances = (noise_variances(y, predictions, np.exp(log_gate) * w, floor, residual2)
                 if start is None else np.maximum(start, floor))

    def e_step(variances):
        # log g_i + log N(y | f_i, sigma_i^2), exponentiated in place: one
        # (n, M) array per step (these passes over it are the cost).
        joint = gaussian_log_likelihood(y, predictions, variances, residual2)
        joint += log_gate
        per_row, exp, total = logsumexp_rows(joint, overwrite=True)
        exp *= w / total                             # responsibilities x weights
        return exp, float(np.average(per_row, weights=sample_weight))

    previous = -np.inf
    for _ in range(NOISE_EM_MAX_ITER):
        weights, log_likelihood = e_step(variances)
        if log_likelihood - previous <= NOISE_EM_TOL * max(1.0, abs(log_likelihood)):
            break
        previous = log_likelihood
        variances = noise_variances(y, predictions, weights, floor, residual2)
    else:
        log_likelihood = e_step(variances)[1]
    return variances, log_likelihood


def categorical_log_likelihood(y_encoded, probas):
    """log p_i(y | x) for every sample and expert from (n, M, C) probabilities."""
    picked = probas[np.arange(len(y_encoded)), :, y_encoded]
    return np.log(np.maximum(picked, PROBA_FLOOR))


def floored_renormalised(proba, floor=PROBA_FLOOR):
    """A routed mixture's class probabilities (n, C) as ``predict_proba`` gives
    them: each floored at ``floor``, then renormalised (a new array).

    Routed, a row's probabilities are one expert's (or k experts'), zeros
    included, and every expert's likelihood is floored so in training.
    """
    proba = np.maximum(proba, floor)
    proba /= proba.sum(axis=1, keepdims=True)
    return proba


def mix_probabilities(weights, probas):
    """Mixture class probabilities ``sum_i w_i p_i``, a valid distribution per row.

    Parameters
    ----------
    weights : ndarray of shape (n_samples, n_experts)
        Gate (or routed) weights; rows sum to one.
    probas : ndarray of shape (n_samples, n_experts, n_classes)
        Every expert's class probabilities (zeros where an expert was not run).

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Every entry in [0, 1], rows summing to one.
    """
    # Rounding in the gate and in the experts leaves entries at 1 + 2e-16,
    # which log_loss rejects; clipping then dividing by a sum that is at least
    # every entry keeps them in [0, 1].
    proba = np.einsum("ne,nec->nc", np.asarray(weights, dtype=np.float64),
                      np.asarray(probas, dtype=np.float64))
    proba = np.clip(proba, 0.0, 1.0)
    return proba / proba.sum(axis=1, keepdims=True)


def log_proba_at_labels(proba, y_encoded):
    """``log proba[n, y_n]``, floored only at ``MIXTURE_PROBA_FLOOR``: the log of
    a classifier's ``predict_proba`` at the labels (no per-expert floor).

    Returns
    -------
    log_proba : ndarray of shape (n_samples,)
    """
    picked = proba[np.arange(len(y_encoded)), y_encoded]
    return np.log(np.maximum(picked, MIXTURE_PROBA_FLOOR))


def gaussian_mixture_moments(gate, predictions, variances):
    """Mean and standard deviation of the mixture's predictive distribution.

    The variance is ``sum_i g_i (sigma_i^2 + (f_i - mean)^2)``: the textbook
    ``E[y^2] - mean^2`` cancels catastrophically when y has a large offset.
    """
    mean = (gate * predictions).sum(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):    # (redone below)
        spread = (predictions - mean[:, None]) ** 2
        std = np.sqrt((gate * (variances[None, :] + spread)).sum(axis=1))
    bad = np.flatnonzero(~np.isfinite(std) & np.isfinite(mean))
    if bad.size:
        # Finite predictions over ~1e154 apart: their squared spread overflowed
        # (inf, and 0 * inf = NaN for an expert off the route). The same sum in
        # units of each row's largest weighted deviation.
        deviation = np.sqrt(gate[bad]) * np.abs(predictions[bad] - mean[bad, None])
        unit = np.maximum(deviation.max(axis=1), np.sqrt(np.max(variances)))[:, None]
        std[bad] = unit[:, 0] * np.sqrt(
            (gate[bad] * (variances[None, :] / unit / unit) + (deviation / unit) ** 2).sum(axis=1))
    return mean, std


def moved_to_mean(gate, predictions, final_mean):
    """The experts' predictions moved, row by row, so that the mixture's mean is
    ``final_mean(mixture_mean)`` (the candidate blend's, which ``predict``
    returns): the regressor's density keeps its spread but is centred where
    ``predict`` says, so that ``log_likelihood_samples``, ``predict`` and
    ``predict(return_std=True)`` describe one distribution."""
    mean = (gate * predictions).sum(axis=1)
    return predictions + (final_mean(mean) - mean)[:, None]


class InformationCriteriaMixin:
    """``bic(X, y)`` and ``aic(X, y)`` of a fitted mixture, flat or
    hierarchical: :func:`skmoe.bic` and :func:`skmoe.aic` as methods; and
    the error that points ``score_samples`` to its new name,
    ``log_likelihood_samples``.
    """

    def __getattr__(self, name):
        # Only reached for missing attributes. No score_samples attribute (so
        # hasattr is False, as tools expect of score_samples(X)), but the old
        # name gets an error that says where it went. (Here, not only on the
        # flat mixtures: the hierarchical ones had score_samples(X, y) too,
        # and said only "object has no attribute 'score_samples'".)
        if name == "score_samples":
            raise AttributeError(
                "score_samples(X, y) has been renamed log_likelihood_samples(X, y); "
                f"{type(self).__name__} has no score_samples.")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def bic(self, X, y):
        """Bayesian information criterion on (X, y); lower is better.

        ``-2 log L + k log n``, with ``log L`` the sum of
        :meth:`log_likelihood_samples` and ``k`` counted by
        :func:`skmoe.bic`: every expert's (a hierarchical mixture's every
        leaf's) parameters, every gate's network (one gate per internal
        node of a tree) less one output row (its softmax is unchanged by a
        shift of the logits), one noise variance per expert (regressors)
        and the stacked gate's final blend. A classifier's ``class_prior``
        share of the class frequencies is not counted. Defined when every
        expert has a countable number of free parameters (linear and GLM
        experts, torch MLP experts).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        bic : float
        """
        from ._selection import bic
        return bic(self, X, y)

    def aic(self, X, y):
        """Akaike information criterion ``-2 log L + 2 k`` on (X, y); lower is
        better. ``k`` is counted as for :meth:`bic`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        aic : float
        """
        from ._selection import aic
        return aic(self, X, y)


class MixtureLikelihoodMixin(InformationCriteriaMixin):
    """The likelihood API of a fitted mixture of experts.

    ``log_likelihood_samples(X, y)`` (log p(y | x) per row), ``bic`` and
    ``aic``, and the error that points ``score_samples`` to its new name. For
    :class:`~skmoe.MixtureOfExpertsRegressor` and
    :class:`~skmoe.MixtureOfExpertsClassifier`, which provide
    ``_check_X_y_for_likelihood``, ``_outputs(X)``, ``_gate_input(X, outputs)``,
    ``_weights_and_outputs(X)``, ``_proba(X)`` (classifier), ``gate_``,
    ``top_k``, ``noise_variance_`` (regressor) and ``combiner_``.
    """

    def _log_joint(self, X, y_for_likelihood):
        """log g_i(x) + log p_i(y|x): (n_samples, n_experts); -inf off-route."""
        view = None
        if self.top_k is None:
            # Dense: the gate's log-softmax directly (one gate pass, exact in the tails).
            outputs = self._outputs(X)
            view = self._gate_view(X)    # the gate's view of X, built once
            log_weights = self.gate_.predict_log_proba(self._gate_input(X, outputs, view))
        else:
            weights, outputs = self._weights_and_outputs(X)
            with np.errstate(divide="ignore"):
                log_weights = np.log(weights)
        if self._is_classifier:
            log_lik = categorical_log_likelihood(y_for_likelihood, outputs)
        else:
            combiner = getattr(self, "combiner_", None)
            if combiner is not None:   # (only a dense stacked gate has one)
                outputs = moved_to_mean(np.exp(log_weights), outputs,
                                        lambda mean: combiner.predict(view, outputs, mean))
            log_lik = gaussian_log_likelihood(y_for_likelihood, outputs, self.noise_variance_)
        return log_weights + log_lik

    def log_likelihood_samples(self, X, y):
        """Log-likelihood of each sample under the mixture, log p(y | x).

        Formerly ``score_samples(X, y)``: renamed because scikit-learn's
        ``score_samples(X)`` takes no ``y`` (a density of X, as in
        ``GaussianMixture``), and tools that call it that way must not find
        a method that needs ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        X, y = self._check_X_y_for_likelihood(X, y)
        if self._is_classifier:
            # The log of predict_proba at the label (the candidate blend, a
            # routed mixture's floor and all): no per-expert floor.
            return log_proba_at_labels(self._proba(X), y)
        return logsumexp(self._log_joint(X, y), axis=1)


class LogProbaMixin:
    """``predict_log_proba``, as scikit-learn's classifiers have it, for any
    estimator with ``predict_proba``, and only where that is available (an
    ensemble's with soft voting, a rule's for classification).
    """

    def _has_predict_proba(self):
        # predict_proba's own AttributeError, which may say why it is missing
        # (hard voting); hasattr's False dropped it.
        self.predict_proba
        return True

    @available_if(_has_predict_proba)
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``; ``-inf`` where a probability is 0.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))
