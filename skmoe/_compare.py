"""Compare a mixture with the ensemble and each expert alone, on the same folds.

:func:`compare` cross-validates a dict of estimators on one fixed list of
splits and returns a :class:`ComparisonResult`: per-fold scores, mean and
standard deviation of each metric, fit and predict times, a text table and a
paired test of the mixture against the ensemble.

The paired test is the *corrected resampled t-test* of Nadeau & Bengio
(2003). Cross-validation folds share training rows, so the per-fold score
differences are positively correlated and the ordinary paired t-test is far
too confident; the correction inflates the variance by
``1/J + n_test/n_train`` instead of ``1/J`` (J splits).
"""

import numbers
import difflib
import time
import warnings
from collections import namedtuple
from inspect import signature

import numpy as np
from scipy import sparse, stats
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.metrics import (accuracy_score, brier_score_loss, d2_absolute_error_score,
                             d2_pinball_score, explained_variance_score, get_scorer,
                             get_scorer_names, log_loss, r2_score)
from sklearn.model_selection import (GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold,
                                     check_cv)
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils._param_validation import validate_parameter_constraints

from ._compat import check_flag, get_tags
from ._crossfit import (check_fold_count, check_splits, check_splits_keep_groups,
                        check_stratified_fold_count, class_left_out, folds_of_groups,
                        splitter_needs_groups)
from ._crossfit import group_codes as check_group_codes
from ._data import (HUGE_HINT_END, MAX_TARGET_SCALE, huge_values_hint, pandas_na_hint,
                    read_only_view, refuse_misaligned_rows, refuse_structured_array,
                    time_columns_hint)
from ._progress import progress_bar
from ._warnings import Tally, recorded, thread_filter, thread_filters, varied_note

class PairedTest(namedtuple(
        "PairedTest", "a b metric mean_difference std_difference t_statistic df p_value")):
    """Corrected resampled t-test of ``a`` against ``b`` on one metric.

    ``mean_difference`` is the mean over splits of ``score(a) - score(b)`` in the
    metric's display orientation (for scorers of an error, which scikit-learn
    negates, the error itself, so a negative difference means ``a`` has the lower
    error), 0 where the two models' mean scores are equal up to their rounding;
    ``std_difference`` the differences' sample std (ddof=1), as the test
    takes it. ``weighted`` (an attribute, not one of the tuple's fields, which
    callers slice and unpack): whether the scores are weighted
    (``compare(sample_weight=...)``).
    """

    weighted = False

    def _replace(self, **fields):
        # namedtuple's _replace makes the copy through _make, which knows the
        # tuple's fields alone: test._replace(...) said weighted=False of
        # weighted scores.
        test = super()._replace(**fields)
        test.weighted = self.weighted
        return test

    def __repr__(self):
        # The tuple's repr knows its fields alone: a test of weighted scores
        # printed as one of unweighted scores.
        text = super().__repr__()
        return text[:-1] + ", weighted=True)" if self.weighted else text


# Short display names for scikit-learn's negated error scorers.
_SHORT_NAMES = {
    "neg_root_mean_squared_error": "rmse",
    "neg_mean_squared_error": "mse",
    "neg_mean_absolute_error": "mae",
    "neg_median_absolute_error": "median_ae",
    "neg_log_loss": "log_loss",
    "neg_brier_score": "brier",
}


def display_metric(metric, sign=None):
    """Readable name of a scorer key and the sign that turns scores into it.

    ``sign`` is the scorer's own: -1 for an error that scikit-learn negates
    (its scorers' ``_sign``), whatever the key is called; None reads it from
    a ``neg_*`` key, for a callable that does not say.
    """
    if sign is None:
        sign = -1.0 if metric.startswith("neg_") else 1.0
    if sign < 0:
        return _SHORT_NAMES.get(metric, metric[4:] if metric.startswith("neg_") else metric), -1.0
    return metric, 1.0


def _scorer_sign(scorer):
    """-1 or 1 from a scikit-learn scorer (``make_scorer``'s ``greater_is_better``),
    None for a callable that does not say."""
    sign = getattr(scorer, "_sign", None)
    return float(sign) if sign in (1, -1) else None


def _display_signs(metrics, signs=None):
    """Every metric's display sign (from ``signs``, else its name); an error
    when two metrics would be shown under one label.

    The summary keeps one value per label (``rmse_mean``): a second metric
    of the same label overwrote the first, silently.
    """
    signs = {m: display_metric(m, (signs or {}).get(m))[1] for m in metrics}
    shown = {}
    for metric in metrics:
        label = display_metric(metric, signs[metric])[0]
        if label in shown:
            raise ValueError(f"The metrics {shown[label]!r} and {metric!r} are both shown as "
                             f"{label!r} (errors lose their 'neg_'); rename one of the "
                             "scoring keys.")
        shown[label] = metric
    return signs


class ComparisonResult:
    """Scores of several estimators cross-validated on the same splits.

    Built by :func:`compare`. Scores are stored as scikit-learn's scorers
    return them (greater is better, so errors are negated, e.g.
    ``neg_root_mean_squared_error``); the table and :meth:`summary` show
    errors as positive numbers (``rmse``). Every parameter is kept as the
    attribute of the same name (``names`` and ``metrics`` as lists,
    ``n_train`` and ``n_test`` as arrays, ``signs`` as a dict with every
    metric's sign, those read from the names included).

    Parameters
    ----------
    names : list of str
        The estimators, in the order given.
    metrics : list of str
        The scorer keys; the first is the primary metric.
    scores : dict
        ``scores[name][metric]``: ndarray of shape (n_splits,).
    fit_time, predict_time : dict
        ``fit_time[name]``: seconds per split, ndarray of shape (n_splits,).
    n_train, n_test : ndarray of shape (n_splits,)
        Rows used to fit and to score in each split (with ``sample_weight``,
        those of positive weight: a row of weight 0 is a row left out).
    pair : tuple of str or None, default=None
        The two estimators of the default paired test (mixture, ensemble).
    task : {'regression', 'classification'}, default='regression'
    title : str or None, default=None
        First line of the text table (``compare``'s ``title``).
    signs : dict, default=None
        ``signs[metric]``: -1 where the scores are negated errors (lower is
        better once shown), 1 otherwise, as the scorers say (their
        ``_sign``); None, or a metric left out, reads it from a ``neg_*``
        name.
    grouped_by : str or None, default=None
        Where the splits keep groups whole, what the groups are (e.g.
        ``"column 'school'"``): the table's header then says "15 splits of
        whole groups (column 'school'), ..."; ``""`` says "of whole groups"
        alone. None: splits of rows.
    weighted : bool, default=False
        Whether the models were fitted and scored with ``sample_weight``:
        the table's header then says the scores are weighted.

    Attributes
    ----------
    n_splits : int
        The number of splits, ``len(n_train)`` (besides the parameters, each
        kept under its own name).
    """

    def __init__(self, names, metrics, scores, fit_time, predict_time, n_train, n_test,
                 pair=None, task="regression", title=None, signs=None, grouped_by=None,
                 weighted=False):
        self.names, self.metrics = list(names), list(metrics)
        self.signs = _display_signs(self.metrics, signs)
        self.scores, self.fit_time, self.predict_time = scores, fit_time, predict_time
        self.n_train, self.n_test = np.asarray(n_train), np.asarray(n_test)
        self.pair, self.task, self.title = pair, task, title
        if grouped_by is not None and not isinstance(grouped_by, str):
            raise TypeError(f"grouped_by must be a string or None, got "
                            f"{type(grouped_by).__name__}.")
        self.grouped_by = grouped_by
        self.weighted = bool(weighted)

    @property
    def n_splits(self):
        """The number of splits every model was scored on."""
        return len(self.n_train)

    def _display_metric(self, metric):
        """The label of ``metric`` and the sign that turns its scores into it."""
        # (getattr: a result pickled before signs existed reads the names.)
        return display_metric(metric, getattr(self, "signs", {}).get(metric))

    def _check_names(self, names, metric):
        for name in names:
            if not isinstance(name, str):
                # (A list of names was a bare "unhashable type: 'list'".)
                raise TypeError(f"Estimators are named by one string each, got {name!r}; "
                                f"choose from {self.names}.")
            if name not in self.scores:
                raise ValueError(f"Unknown estimator {name!r}; choose from {self.names}.")
        if metric not in self.metrics:
            raise ValueError(self._unknown_metric(metric))

    def _unknown_metric(self, metric):
        """The error for ``metric``, with the key of a label the table shows
        ('rmse' was refused with the keys alone, though the table names it so)."""
        keys = [m for m in self.metrics if self._display_metric(m)[0] == metric]
        hint = (f" ({metric!r} is the table's label of {keys[0]!r}: pass that)" if keys
                else "")
        return f"Unknown metric {metric!r}; choose from {self.metrics}{hint}."

    def display_scores(self, name, metric=None):
        """Per-split scores in display orientation (errors positive).

        Parameters
        ----------
        name : str
            An estimator's name, as given to :func:`compare`.
        metric : str, default=None
            Scorer key; None means the primary (first) metric.

        Returns
        -------
        scores : ndarray of shape (n_splits,)
            The scorer's values, negated for an error (``neg_*``) metric.
        """
        metric = self.metrics[0] if metric is None else metric
        self._check_names([name], metric)  # (a bare KeyError before)
        return self._display_metric(metric)[1] * self.scores[name][metric]

    def paired_test(self, a=None, b=None, metric=None):
        """Corrected resampled t-test (Nadeau & Bengio, 2003) of ``a`` vs ``b``.

        Parameters
        ----------
        a, b : str, default=None
            Estimator names; None means the default pair (the mixture and the
            ensemble).
        metric : str, default=None
            Scorer key; None means the primary (first) metric.

        Returns
        -------
        test : PairedTest
            With a two-sided ``p_value``; small values mean the difference is
            unlikely to be noise from the choice of folds. On one split there
            is no test: ``std_difference``, ``t_statistic`` and ``p_value``
            are NaN. Two models whose mean scores are equal up to their
            rounding (a relative 1e-12: the table marks both best) differ by
            nothing: ``mean_difference`` 0, ``t_statistic`` 0 and ``p_value``
            1 (on more than one split).
        """
        if a is None and b is None:
            if self.pair is None:
                raise ValueError("No default pair (a mixture and an ensemble) in this "
                                 "comparison; pass a= and b= by name.")
            a, b = self.pair
        elif a is None or b is None:
            raise ValueError("Pass both a and b by name, or neither for the default pair.")
        metric = self.metrics[0] if metric is None else metric
        self._check_names((a, b), metric)
        if a == b:
            # (A model against itself was "tested": t = 0, p = 1, as if the
            # comparison had found no difference; compare's pair refuses it.)
            raise ValueError(f"a and b are the same estimator ({a!r}); a paired test needs "
                             "two different ones.")
        diff = self.display_scores(a, metric) - self.display_scores(b, metric)
        J = len(diff)
        mean = float(diff.mean())
        # (One split has no spread: NaN, not the 0 of a difference that never varies.)
        with np.errstate(invalid="ignore"):   # (inf - inf: no test, which the line says)
            std = float(diff.std(ddof=1)) if J > 1 else np.nan
        # Differences constant but for the rounding of the subtraction are
        # constant: 0.3 on every split (scores 0.2 vs 0.5, ...) kept a std of
        # 6e-17 and gave t = -9.4e15, p = 2.7e-48, not the -inf, 0 of an exact 0.3.
        scale = max(np.abs(self.scores[a][metric]).max(), np.abs(self.scores[b][metric]).max())
        if J > 1 and std <= 8 * np.finfo(float).eps * scale:
            std = 0.0
        with np.errstate(invalid="ignore"):   # (inf - inf: NaN, not a tie)
            means = self.scores[a][metric].mean(), self.scores[b][metric].mean()
        if np.all(np.isfinite(means)) and _tied(*means):
            # Means the table ties (both marked best) differ by their rounding
            # alone, which is no difference: Ridge(solver='cholesky') against
            # Ridge(solver='lsqr', tol=1e-12), whose R^2 differed by 2e-17 on
            # every split, got t = inf, p = 0, "significant: a is better".
            mean = 0.0
        ratio = float(np.mean(self.n_test / self.n_train))
        se = np.sqrt((1.0 / J + ratio) * std ** 2)
        if J < 2:
            t, p = np.nan, np.nan
        elif se == 0:
            t, p = (0.0, 1.0) if mean == 0 else (np.copysign(np.inf, mean), 0.0)
        else:
            t = mean / se
            p = float(2 * stats.t.sf(abs(t), df=J - 1))
        test = PairedTest(a, b, metric, mean, std, float(t), J - 1, float(p))
        # (getattr: a result pickled before it.) The table's header says the
        # scores are weighted; the test alone said nothing.
        test.weighted = bool(getattr(self, "weighted", False))
        return test

    def summary(self):
        """One dict per estimator: mean and std of each metric and the times.

        Returns
        -------
        rows : list of dict
            One per estimator, in order: ``'model'`` (its name),
            ``'<label>_mean'`` and ``'<label>_std'`` over the splits for each
            metric (numpy's std, ddof=0, as the table and the plot show it;
            the paired test's std of the differences has ddof=1), under its display name and errors positive as in the
            table (``rmse_mean``, not ``neg_root_mean_squared_error``),
            ``'fit_time'`` and ``'predict_time'`` (mean seconds per split),
            and ``'weighted'``: whether the scores are weighted
            (``compare(sample_weight=...)``), as the table's header says.
        """
        rows = []
        weighted = bool(getattr(self, "weighted", False))   # (a result pickled before it)
        for name in self.names:
            row = {"model": name}
            for metric in self.metrics:
                label = self._display_metric(metric)[0]
                values = self.display_scores(name, metric)
                # (Python floats, as the times: numpy's were np.float64.)
                row[f"{label}_mean"], row[f"{label}_std"] = (float(values.mean()),
                                                             float(values.std()))
            row["fit_time"] = float(np.mean(self.fit_time[name]))
            row["predict_time"] = float(np.mean(self.predict_time[name]))
            row["weighted"] = weighted
            rows.append(row)
        return rows

    def to_frame(self):
        """The :meth:`summary` as a pandas DataFrame indexed by model.

        Returns
        -------
        frame : pandas.DataFrame
            One row per estimator, indexed by its name; its ``'weighted'``
            column says whether the scores are weighted.
        """
        import pandas as pd
        return pd.DataFrame(self.summary()).set_index("model")

    def _best(self, metric):
        # A NaN mean is never the best (max() kept a first NaN, marked '*').
        with np.errstate(invalid="ignore"):   # (inf and -inf: nan, warned of by compare)
            means = {n: self.scores[n][metric].mean() for n in self.names}
        means = {n: v for n, v in means.items() if not np.isnan(v)}
        if not means:
            return set()
        # Every model tied with the best is marked, ties up to the rounding of
        # the means: two models of 104 of 120 right (0.8667 each) had only the
        # first marked, as if it were better.
        top = max(means.values())
        return {n for n, v in means.items() if _tied(v, top)}

    def table(self, significance=0.05):
        """The comparison as a readable text table (what ``print`` shows).

        Parameters
        ----------
        significance : float, default=0.05
            Level, in (0, 1), at which the paired tests below the table are
            called significant.

        Returns
        -------
        table : str
        """
        if (isinstance(significance, bool) or not isinstance(significance, numbers.Real)
                or not 0 < significance < 1):
            # (2 printed "significant at 2" for p = 0.8; 'x' a bare TypeError.)
            raise ValueError(f"significance must be a number in (0, 1), got {significance!r}.")
        labels = [self._display_metric(m)[0]
                  + (" (lower better)" if self._display_metric(m)[1] < 0 else "")
                  for m in self.metrics]
        header = ["model", *labels, "fit s", "predict s"]
        best = {m: self._best(m) for m in self.metrics}
        body = []
        for name in self.names:
            cells = [name]
            for metric in self.metrics:
                values = self.display_scores(name, metric)
                mark = " *" if name in best[metric] else "  "
                text = _mean_std(values)
                if len(values) == 1:   # ("± 0.00" read as a spread measured as none)
                    text = text.split(" ± ")[0]
                cells.append(f"{text}{mark}")
            cells += [_seconds(np.mean(self.fit_time[name]), 3),
                      _seconds(np.mean(self.predict_time[name]), 4)]
            body.append(cells)
        widths = [max(len(r[j]) for r in [header, *body]) for j in range(len(header))]
        fmt_row = lambda r: "  ".join(  # noqa: E731
            c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths)))
        lines = []
        if self.title:
            lines.append(self.title)
        # (getattr: a result pickled before grouped_by existed.)
        grouped_by = getattr(self, "grouped_by", None)
        whole = "" if grouped_by is None else " of whole groups" + (
            f" ({grouped_by})" if grouped_by else "")
        lines.append(f"{self.n_splits} splits{whole}, the same for every model; mean ± std "
                     "over splits; * best; times are seconds per split" if self.n_splits > 1
                     else f"1 split{whole}, the same for every model: its scores (no spread); "
                     "* best; times are seconds")
        if getattr(self, "weighted", False):   # (getattr: a result pickled before it)
            lines.append("models fitted and scored with sample_weight")
        lines += [fmt_row(header), "  ".join("-" * w for w in widths)]
        lines += [fmt_row(r) for r in body]
        if self.pair is not None and self.n_splits > 1:
            lines.append("")
            for metric in self.metrics:
                lines.append(_describe_test(
                    self.paired_test(metric=metric), significance,
                    self._display_metric(metric)[1],
                    _missing_score(self, *self.pair, metric)))
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def __repr__(self):
        return (f"<ComparisonResult: {len(self.names)} models x {self.n_splits} splits, "
                f"metrics {self.metrics}>")


def _seconds(value, decimals):
    """A time in seconds to ``decimals`` decimals, or to two significant
    digits where those round it to zero.

    (A DummyRegressor's fit of 0.0003 s printed "0.000", a time of none, as
    scores below 1e-3 once did: those have their significant digits, see
    :func:`_mean_std`.)
    """
    if value > 0 and round(value, decimals) == 0:
        return f"{value:.2g}"
    return f"{value:.{decimals}f}"


def _tied(u, v):
    """Whether two mean scores are equal up to their rounding: the table marks
    both best, and the paired test finds no difference between them."""
    return bool(np.isclose(u, v, rtol=1e-12, atol=1e-15))


def _mean_std(values):
    """'mean ± std' with the std to two significant digits, whatever its size,
    and the mean to as many decimals (values all below 1e-3 in significant
    digits, trailing zeros kept: the std's two, the mean's at least three);
    without a spread (or one at the rounding of the scores), the mean to four
    significant digits, whatever its size."""
    with np.errstate(invalid="ignore"):   # (inf - inf in the std: compare() warns of it)
        mean, std = float(np.mean(values)), float(np.std(values))
    if not np.isfinite(mean):
        return f"{mean} ± {std}"
    # Scores constant but for their rounding (0.1 + 0.2 beside 0.3) have no
    # spread, as paired_test reads them: without the cap of four decimals
    # below, a std of 5e-17 would print seventeen of them.
    if 0 < std <= 8 * np.finfo(float).eps * float(np.max(np.abs(values))):
        std = 0.0
    if max(abs(mean), std) >= 1e10:
        # Fixed point printed every digit: a log-likelihood of -4e59 took 60
        # characters, and the table's column 130. The mean to the std's second
        # significant digit, in scientific notation.
        # (No spread: four significant digits, as below.)
        digits = 0 if mean == 0 else 2 if std == 0 else int(
            np.floor(np.log10(abs(mean))) - np.floor(np.log10(std)))
        return f"{mean:.{int(np.clip(digits + 1, 1, 15))}e} ± {std:.1e}"
    if std > 0:
        # No cap of four decimals: R^2 of 0.99991 and 0.99994, each spread by
        # 2e-5, both read "0.9999 ± 0.0000", a spread shown as none and one
        # of the two marked best.
        decimals = max(0, int(1 - np.floor(np.log10(std))))
    else:
        # No spread (one split, or the same score on every split): the mean to
        # four significant digits. Two, as a std of its size would give, showed
        # one split's RMSE of 55.97 and 56.39 both as "56", one of them marked
        # best, and R^2 of 0.359 and 0.355 both as "0.36". No cap of four
        # decimals here either: R^2 of 0.05121 and 0.05124 both read
        # "0.0512", RMSEs of 0.001234 and 0.001237 "0.0012", one marked best.
        if mean == 0:
            decimals = 4
        elif abs(mean) < 1e-3:
            # (Three significant digits in the branch below: 1.234e-4 and
            # 1.2344e-4 both "0.000123".) '#' keeps the trailing zeros.
            return f"{mean:#.4g} ± 0"
        else:
            decimals = max(0, int(3 - np.floor(np.log10(abs(mean)))))
    if 0 < max(abs(mean), std) < 1e-3:
        # Scores below 1e-3 (the RMSE of a target in micro-units) printed as
        # "0.0000 ± 0.0000" for every model: significant digits instead, at
        # least three for the mean and down to the std's second (three only:
        # RMSEs of 1.2345e-4 and 1.2349e-4, spread by 2e-9, both "0.000123").
        # '#' keeps the trailing zeros of those digits, as the fixed-point
        # branch below does: 0.000500 ± 0.000010 read "0.0005 ± 1e-05", one
        # significant digit each.
        digits = 3 if mean == 0 else max(3, int(np.floor(np.log10(abs(mean)))
                                                - np.floor(np.log10(std))) + 2)
        return f"{mean:#.{digits}g} ± {std:#.2g}"
    return f"{_unsigned_zero(mean, decimals):.{decimals}f} ± {std:.{decimals}f}"


def _unsigned_zero(value, decimals):
    """``value``, or 0.0 where it rounds to zero at ``decimals`` decimals.

    (A mean R^2 of -4e-5 spread by 0.01 printed "-0.000 ± 0.010", beside
    another model's "0.000", as if below it; a t statistic of -0.004
    "-0.00".)
    """
    return 0.0 if round(value, decimals) == 0 else value


def _missing_score(result, a, b, metric):
    """What the score is that leaves models ``a`` and ``b`` of ``result`` no
    paired test on ``metric``: 'NaN' where one is NaN, else 'infinite' (the
    ``missing`` of :func:`_describe_test`)."""
    scores = np.r_[result.scores[a][metric], result.scores[b][metric]]
    return "NaN" if np.isnan(scores).any() else "infinite"


def _describe_test(test, significance, sign=None, missing="NaN"):
    """One line on ``test``; ``sign`` as in :func:`display_metric` (the result's
    ``signs[test.metric]``); ``missing`` says what a score is when there is no
    test ('NaN' or 'infinite')."""
    label, sign = display_metric(test.metric, sign)
    if sign < 0:
        better = test.a if test.mean_difference < 0 else test.b
    else:
        better = test.a if test.mean_difference > 0 else test.b
    if np.isnan(test.p_value):
        # A model's NaN score leaves no test: "not significant: no real
        # difference shown" was a verdict drawn from nothing.
        # (A score of -inf was called NaN.)
        verdict = f"no test: a score is {missing}"
    else:
        verdict = (f"significant at {significance:g}: {better} is better"
                   if test.p_value < significance else
                   f"not significant at {significance:g}: no real difference shown")
    # (+ 0.0 and _unsigned_zero: no negative zero, "-0" or "t(4) = -0.00".)
    return (f"{test.a} vs {test.b} on {label}: difference {test.mean_difference + 0.0:+.4g}, "
            f"corrected resampled t({test.df}) = {_unsigned_zero(test.t_statistic, 2):.2f}, "
            f"p = {test.p_value:.3g} ({verdict})")


# --------------------------------------------------------------------------
# scoring=None: these scorers (log-loss where every model has predict_proba).
DEFAULT_REGRESSION_SCORING = ("r2", "neg_root_mean_squared_error")
DEFAULT_CLASSIFICATION_SCORING = ("accuracy", "neg_log_loss")


# The metrics that sum squared errors (scikit-learn's, by name).
_SQUARED_METRICS = frozenset({
    "r2", "explained_variance", "neg_mean_squared_error", "neg_root_mean_squared_error",
    "neg_mean_squared_log_error", "neg_root_mean_squared_log_error"})


def _refuse_target_spread_the_squares_lose(y, scoring, scorers):
    """Refuse a regression target whose spread's square overflows or underflows
    float64, for the metrics that sum squared errors.

    Every model then scored R^2 NaN and RMSE inf (y of order 1e200), or R^2
    1.0 and RMSE 0 (y of order 1e-170: the squares are 0), a DummyRegressor
    too, with no word of why (the mixtures refuse such a y when they fit:
    check_target_scale).
    """
    named = set(scorers)
    if isinstance(scoring, dict):
        named |= {v for v in scoring.values() if isinstance(v, str)}
    squared = sorted(named & _SQUARED_METRICS)
    if not squared or not y.size or y.ndim > 2:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.ptp(y.reshape(len(y), -1), axis=0)
    for j, s in enumerate(spread):
        big = s > MAX_TARGET_SCALE
        if big or 0 < s < 1.0 / MAX_TARGET_SCALE:
            where = f" (column {j})" if len(spread) > 1 else ""
            raise ValueError(
                f"y{where} spans {s:.3g} from its smallest value to its largest: the squares "
                f"of errors of that size, which {' and '.join(squared)} "
                f"sum{'s' if len(squared) == 1 else ''}, "
                f"{'overflow' if big else 'underflow'} float64, and every model would score "
                f"{'NaN (R^2) or inf' if big else 'perfectly (R^2 1.0, RMSE 0)'}. "
                f"{'Divide' if big else 'Multiply'} y by a constant (a power of ten): R^2 "
                "is unchanged, and errors scale with it.")


# The regression metrics defined on part of the line only, by their function's
# name: the targets they take, in words, and the predictions they take (the
# Poisson deviance takes a target of 0, not a prediction of 0).
_TARGET_DOMAINS = {
    "mean_squared_log_error": (lambda y: y > -1, "greater than -1", "greater than -1"),
    "root_mean_squared_log_error": (lambda y: y > -1, "greater than -1", "greater than -1"),
    "mean_poisson_deviance": (lambda y: y >= 0, "of 0 or more", "greater than 0"),
    "mean_gamma_deviance": (lambda y: y > 0, "greater than 0", "greater than 0"),
}


def _metric_name(scorer):
    """The name of the metric function a scikit-learn scorer calls, or None."""
    return getattr(getattr(scorer, "_score_func", None), "__name__", None)


def _refuse_targets_outside_the_metrics(y, scorers):
    """Before any fit: a target outside the domain of a scorer's metric.

    ('neg_mean_squared_log_error' of a y with values below -1 failed when the
    first model was scored, after its fit, as that model's failure: "Model
    'ridge' failed to score ...: Mean Squared Logarithmic Error cannot be used
    when targets contain values less than or equal to -1".)
    """
    for key, scorer in scorers.items():
        function = _metric_name(scorer)
        if function not in _TARGET_DOMAINS:
            continue
        inside, words, _ = _TARGET_DOMAINS[function]
        rows = y.reshape(len(y), -1)
        outside = np.flatnonzero(~inside(rows).all(axis=1))
        if outside.size:
            value = rows[outside[0]]
            shown = f"{value[0]:g}" if value.size == 1 else value.tolist()
            raise ValueError(f"scoring {key!r} ({function}) takes targets {words}; y has "
                             f"{outside.size} row(s) that are not (e.g. row {outside[0]}: "
                             f"{shown}): choose another metric, or transform y.")


def _warn_zero_targets_of_percentage_error(y, scorers, sample_weight=None):
    """Before any fit: warn where a percentage error is scored on targets of 0.

    scikit-learn's ``mean_absolute_percentage_error`` divides each error by
    ``max(|y|, eps)``, eps = 2.2e-16: on datasets::esoph's case counts (a
    third of them 0) every model's 'neg_mean_absolute_percentage_error' was
    of order 1e15 and the table ranked the models by the rows of target 0
    alone, without a word.
    """
    rows = y.reshape(len(y), -1)
    zero = np.any(rows == 0, axis=1)
    if sample_weight is not None:
        zero &= np.asarray(sample_weight) > 0
    if not zero.any():
        return
    keys = [key for key, scorer in scorers.items()
            if _metric_name(scorer) == "mean_absolute_percentage_error"]
    if keys:
        warnings.warn(f"y is 0 in {int(zero.sum())} of the {len(y)} rows (e.g. row "
                      f"{np.flatnonzero(zero)[0]}): {' and '.join(map(repr, keys))} divides "
                      "each error by |y|, floored at 2.2e-16, so an error of 1 there counts "
                      "4.5e15 and those rows alone decide the scores. Use an error metric "
                      "such as 'neg_mean_absolute_error', or leave out the rows of y 0.",
                      UserWarning, stacklevel=3)


def _has_method(estimator, method):
    """``hasattr(estimator, method)``, once fitted (:func:`skmoe._base._will_have`).

    (StackingClassifier(), of final_estimator=None, lacks predict_proba until
    fit makes its final estimator a LogisticRegression; the default scoring
    dropped 'neg_log_loss' for it, and for a GridSearchCV of it.)
    """
    from ._base import _will_have
    return _will_have(estimator, method)


def _scorers(scoring, estimators, classifier):
    if scoring is None:
        tasks = _declared_tasks(estimators)
        if tasks is not None:
            return {"score": _TaskMeanScore(tasks)}
        if classifier:
            scoring = list(DEFAULT_CLASSIFICATION_SCORING)
            if not all(_has_method(e, "predict_proba") for e in estimators):
                scoring.remove("neg_log_loss")
        else:
            scoring = list(DEFAULT_REGRESSION_SCORING)
    if isinstance(scoring, str):
        scoring = [scoring]
    if not classifier:
        _refuse_classification_metrics(scoring, estimators)
    if callable(scoring):
        return {"score": _check_scorer(scoring, "scoring")}
    if isinstance(scoring, dict):
        # ({} gave a table without metrics; a key 1 failed when printed, after the run.)
        if not scoring or not all(isinstance(k, str) for k in scoring):
            raise ValueError("scoring as a dict must map at least one metric name (a "
                             f"string) to a scorer, got keys {list(scoring)!r}.")
        return {k: _check_scorer(v, f"scoring[{k!r}]") for k, v in scoring.items()}
    if isinstance(scoring, (list, tuple)):
        if not all(isinstance(name, str) for name in scoring):
            # (A scorer object in a list failed when the table was printed,
            # after every fit: "'_Scorer' object has no attribute 'startswith'".)
            raise TypeError("scoring as a list must hold metric names (strings); for "
                            "scorer objects pass a dict of name -> scorer, got "
                            f"{scoring!r}.")
        if len(set(scoring)) != len(scoring) or not scoring:
            raise ValueError(f"scoring must list distinct metrics, got {scoring!r}.")
        return {name: _named_scorer(name, "scoring") for name in scoring}
    raise TypeError("scoring must be None, a string, a list of strings, a dict of "
                    f"scorers or a callable; got {type(scoring).__name__}.")


def _last_step(estimator):
    """A Pipeline's last step, or ``estimator`` itself."""
    from sklearn.pipeline import Pipeline
    if isinstance(estimator, Pipeline) and estimator.steps:
        return estimator.steps[-1][1]
    return estimator


def _weight_fit_key(name, estimator):
    """The keyword ``estimator.fit`` takes compare's ``sample_weight`` under
    (None for a ``FrozenEstimator``, which is not fitted again).

    ``'sample_weight'`` where its ``fit`` has that parameter; for a Pipeline,
    its last step's, routed by step name (``'model__sample_weight'``, nested
    Pipelines too): the step being compared gets the weights, the
    transformers before it fit unweighted. A scikit-learn meta-estimator
    that passes its fit's keyword arguments on without metadata routing
    (``GridSearchCV``, ``TransformedTargetRegressor``, ``RFE``) gets the key
    of the model inside it, as ``cross_validate`` gives it them, and a
    Stacking or Voting ensemble ``'sample_weight'`` where each of its models
    takes it. (Not
    metadata routing, which needs a global setting and each consumer's
    request: compare would have to change the user's models or
    configuration.) With metadata routing enabled, ``'sample_weight'`` for
    every model whose ``fit`` takes it or other metadata, routed as the
    models request. A model that cannot take the weights is refused before
    any fit: fitted unweighted beside weighted models, its scores would not
    compare.
    """
    from sklearn import get_config
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import has_fit_parameter

    from ._base import _ensemble_members, _passes_fit_keywords_to, fitted_as_given

    if fitted_as_given(estimator):
        # None: fitted already, its fit fits nothing, with weights or without
        # (refused as having "no sample_weight in its fit", with a hint at
        # metadata routing); the weights weigh its scores as the others'.
        return None

    def takes_metadata(est):
        try:
            return any(p.kind == p.VAR_KEYWORD for p in signature(est.fit).parameters.values())
        except (TypeError, ValueError):
            return False
    routing = get_config().get("enable_metadata_routing", False)
    if routing and (has_fit_parameter(estimator, "sample_weight") or takes_metadata(estimator)):
        return "sample_weight"
    key, step, inside = "", estimator, None
    while not routing:
        if isinstance(step, Pipeline) and step.steps:
            key, step = key + step.steps[-1][0] + "__", step.steps[-1][1]
        elif (not isinstance(step, str) and step is not None
              and not has_fit_parameter(step, "sample_weight")
              and _passes_fit_keywords_to(step) is not None):
            # (Were refused as "has no sample_weight in its fit", though they
            # pass it on: scikit-learn's cross_validate takes them.)
            inside, step = type(step).__name__, _passes_fit_keywords_to(step)
        else:
            break
    if not isinstance(step, str) and step is not None and has_fit_parameter(
            step, "sample_weight"):
        unweighted = None if routing else _experts_without_weights(step)
        if not unweighted:
            return key + "sample_weight"
        # skmoe's ensembles hand the weights to every expert and refuse one
        # that takes none: that failed after the other models' fits.
        expert_name, expert = unweighted[0]
        key, inside, step = "", f"{type(step).__name__}, expert {expert_name!r}", expert
    members = None if routing else _ensemble_members(step)
    if members is not None:
        # (StackingRegressor, the baseline a mixture is compared with, was
        # refused as having "no sample_weight in its fit".)
        unweighted = [m for m in members if not has_fit_parameter(m, "sample_weight")]
        if not unweighted:
            return key + "sample_weight"
        inside, step = type(step).__name__, unweighted[0]
    what = (f"its last step {type(step).__name__}" if key else type(step).__name__)
    if inside is not None:
        what += f" (inside {inside})"
    hint = (" (a model that passes its fit's **kwargs on only with metadata routing, as "
            "RFECV or OneVsRestClassifier do, takes them with it: "
            "sklearn.set_config(enable_metadata_routing=True) and "
            "set_fit_request(sample_weight=True) on the models inside)"
            if takes_metadata(step) and not routing else "")
    raise TypeError(f"Model {name!r} cannot take sample_weight: {what} has no "
                    f"sample_weight in its fit{hint}. compare(sample_weight=...) fits every "
                    "model weighted; fitted unweighted, its scores would not compare with "
                    "the others'. Drop it, or compare without sample_weight.")


def _experts_without_weights(estimator):
    """(name, expert) of each expert of a skmoe ensemble that takes no
    ``sample_weight``, which its fit refuses (the mixtures fit such an expert
    on a weighted resample); None for any other model."""
    from ._base import _supports_sample_weight, fitted_as_given
    from ._ensemble import _BaseEnsemble

    if not isinstance(estimator, _BaseEnsemble):
        return None
    # (A FrozenEstimator expert is fitted without the weights by the ensemble,
    # which takes it: refused here, compare failed on an ensemble that fits.)
    return [(name, expert) for name, expert in _listed_experts(estimator)
            if not fitted_as_given(expert) and not _supports_sample_weight(expert)]


def _listed_experts(ensemble):
    """An ensemble's (name, expert) pairs, its 'drop'ped ones left out; none
    where its experts are malformed (its own fit says so)."""
    try:
        experts = ensemble._expert_list()
    except (TypeError, ValueError):
        return []
    return [(name, expert) for name, expert in experts if not isinstance(expert, str)]


def _refuse_unweighted_scorers(scorers):
    """Before any fit, with ``sample_weight``: a callable scorer without a
    ``sample_weight`` parameter would report an unweighted score beside
    weighted ones."""
    from sklearn.metrics._scorer import _BaseScorer
    for key, scorer in scorers.items():
        if isinstance(scorer, (_AllClassesLogLoss, _TaskMeanScore)):
            continue
        if isinstance(scorer, _BaseScorer):
            # A scorer passes sample_weight on to its metric, which may have
            # none: 'neg_max_error', the clustering scorers and make_scorer of
            # a plain f(y_true, y_pred) failed on the first model's first
            # split, after its fit ("got an unexpected keyword argument").
            function = getattr(scorer, "_score_func", None)
            try:
                parameters = signature(function).parameters.values()
            except (TypeError, ValueError):
                continue   # (no signature to read: left to the metric)
            if not any(p.name == "sample_weight" or p.kind == p.VAR_KEYWORD
                       for p in parameters):
                raise TypeError(
                    f"scoring {key!r} takes no sample_weight: its metric "
                    f"{getattr(function, '__name__', function)!r} has no sample_weight "
                    "parameter, and compare(sample_weight=...) scores every model "
                    "weighted. Choose a metric that takes weights, or give yours a "
                    "sample_weight=None parameter and make_scorer it.")
            continue
        try:
            parameters = signature(scorer).parameters.values()
        except (TypeError, ValueError):
            parameters = ()
        if not any(p.name == "sample_weight" or p.kind == p.VAR_KEYWORD for p in parameters):
            raise TypeError(f"scoring {key!r} takes no sample_weight: compare(sample_weight=...) "
                            "scores every model weighted, and this scorer would report an "
                            "unweighted score. Give it a sample_weight=None parameter "
                            "(scorer(estimator, X, y, sample_weight=None)), or use "
                            "make_scorer(metric) of a metric that takes sample_weight.")


def _rows_counted(rows, sample_weight):
    """The rows of a split that count in the corrected t-test's ``n_test /
    n_train``: all of them, or with ``sample_weight`` those of positive weight
    (a row of weight 0 is a row left out, so 40 of 80 test rows at weight 0
    halved the ratio the variance is inflated by)."""
    if sample_weight is None:
        return len(rows)
    return int(np.count_nonzero(sample_weight[rows] > 0))


def _refuse_splits_without_weight(splits, sample_weight):
    """A split whose training or test rows all weigh zero: nothing to fit, or
    a weighted score of 0/0."""
    for k, (train, test) in enumerate(splits):
        for part, rows in (("training", train), ("test", test)):
            if not np.any(sample_weight[rows] > 0):
                raise ValueError(f"sample_weight is zero on every {part} row of split {k + 1} "
                                 f"of {len(splits)} ({len(rows)} rows): nothing to "
                                 f"{'fit' if part == 'training' else 'score'} there. Give "
                                 "more rows a positive weight, or use other splits.")


def _refuse_scorers_the_models_cannot_feed(scorers, estimators):
    """Before any fit: a scorer that reads ``predict_proba`` (or
    ``decision_function``) of a model that has neither.

    (A scorer object, make_scorer(..., response_method="predict_proba") on
    regressors, or 'neg_log_loss' for a LinearSVC, failed when the first
    model was scored, after its fit: "Ridge has none of the following
    attributes: predict_proba.") Scorers named by string for regressors are
    refused earlier, as classification metrics. A search (GridSearchCV and
    the like, or a Pipeline ending in one) is not asked: its methods are
    those of the parameters it picks at fit (``{'loss': ['log_loss']}`` of
    an SGDClassifier gives it a predict_proba its unfitted template lacks),
    nor a ``StackingClassifier()``, whose default final estimator (a
    LogisticRegression) is made at fit.
    """
    from sklearn.model_selection._search import BaseSearchCV

    for key, scorer in scorers.items():
        methods = getattr(scorer, "_response_method", None)
        methods = (methods,) if isinstance(methods, str) else tuple(methods or ())
        if not methods or "predict" in methods:
            continue
        lacking = [name for name, est in estimators.items()
                   if not isinstance(_last_step(est), BaseSearchCV)
                   and not any(_has_method(est, m) for m in methods)]
        if lacking:
            named = ", ".join(f"{n!r} ({type(estimators[n]).__name__})" for n in lacking)
            raise ValueError(f"scoring {key!r} needs the models' {' or '.join(methods)}; "
                             f"{named} {'has' if len(lacking) == 1 else 'have'} none: choose "
                             "a metric on predictions (e.g. 'accuracy' for classifiers, 'r2' "
                             "for regressors), or models that have it.")


def _refuse_classification_metrics(scoring, estimators):
    """Before any fit: a classification metric named for regressors.

    ('accuracy' failed at the first score, after a fit, with "continuous is
    not supported"; 'roc_auc' or 'neg_log_loss' with "Ridge has none of the
    following attributes: predict_proba".) Multi-task estimators, which may
    hold classification tasks, are left to their own scoring.
    """
    from ._multitask import _BaseMultiTask
    if any(isinstance(e, _BaseMultiTask) for e in estimators):
        return
    names = (list(scoring.values()) if isinstance(scoring, dict)
             else list(scoring) if isinstance(scoring, (list, tuple)) else [])
    for name in names:
        if not isinstance(name, str) or name not in get_scorer_names():
            continue
        module = getattr(get_scorer(name)._score_func, "__module__", "")
        if module.startswith(("sklearn.metrics._classification", "sklearn.metrics._ranking")
                             ) or name in _CLASSIFICATION_ONLY:
            raise ValueError(f"scoring {name!r} is a classification metric, but the "
                             "estimators are regressors; for regression use e.g. 'r2', "
                             "'neg_root_mean_squared_error' or 'neg_mean_absolute_error'.")


# Scorers of scikit-learn's _scorer module that score classifiers.
_CLASSIFICATION_ONLY = ("positive_likelihood_ratio", "neg_negative_likelihood_ratio")


def _class_columns(estimators, n_columns, classifier):
    """The columns of a 2-D y that hold class labels: all of them for
    classifiers; for multi-task estimators, those that the ``tasks`` of one
    of them declares a classification task."""
    if classifier:
        return list(range(n_columns))
    from ._multitask import _BaseMultiTask
    columns = set()
    for estimator in estimators:
        tasks = getattr(estimator, "tasks", None) if isinstance(estimator, _BaseMultiTask) \
            else None
        if isinstance(tasks, str):
            tasks = [tasks] * n_columns
        if tasks is not None and len(tasks) == n_columns:    # (else fit says so)
            columns.update(t for t, kind in enumerate(tasks) if kind != "regression")
    return sorted(columns)


# How to compare classification tasks of several columns with models of one.
_SEVERAL_COLUMNS_FIX = ("For one classification task per column use MultiGateMixtureOfExperts "
                        "or HeterogeneousMultiGateMixtureOfExperts with tasks (e.g. "
                        "tasks=['binary', 'binary']), or compare on one column of y at a time.")


def _refuse_single_target_classifiers(estimators, shape):
    """Classifiers and a y of several columns: name skmoe's own that fit one
    target, before any fit.

    scikit-learn's stratified folds stopped first, with "Supported target
    types are: ('binary', 'multiclass'). Got 'multilabel-indicator'
    instead.", which named neither the models nor y's columns. Only skmoe's
    classifiers (a Pipeline's last step included) are named here: their tags
    say what they fit. Other models' tags do not (MLPClassifier,
    RidgeClassifier and a GridSearchCV of a forest fit several columns, and
    say multi_output=False): a fit that fails gets the same advice
    (:func:`_several_columns_hint`).
    """
    single = [f"'{name}' ({type(est).__name__})" for name, est in estimators.items()
              if type(_last_step(est)).__module__.startswith("skmoe.")
              and not get_tags(est).target_tags.multi_output]
    if single:
        raise ValueError(f"y has {shape[1]} columns (shape {shape}), but model(s) "
                         f"{', '.join(single)} fit one target. {_SEVERAL_COLUMNS_FIX}")


def _several_columns_hint(step, estimator, y):
    """Where a classifier failed to fit a y of several columns, a note that it
    may fit one target (see :func:`_refuse_single_target_classifiers`)."""
    shape = np.shape(y)
    if step != "fit" or not is_classifier(estimator) or len(shape) != 2 or shape[1] < 2:
        return ""
    return (f" (y has {shape[1]} columns, shape {shape}: this model may fit one target. "
            f"{_SEVERAL_COLUMNS_FIX})")


def _combined_labels(y, columns):
    """One code per row for its labels in ``columns`` of a 2-D ``y`` together,
    or None where there is no such column (or its labels do not sort)."""
    if not columns:
        return None
    try:
        codes = np.column_stack([np.unique(y[:, t], return_inverse=True)[1].reshape(-1)
                                 for t in columns])
    except TypeError:
        return None       # mixed label types: the estimators' checks name them
    return np.unique(codes, axis=0, return_inverse=True)[1].reshape(-1)


def _declared_tasks(estimators):
    """The ``tasks`` the multi-task estimators declare (all the same) where one
    declares a classification task (None otherwise): the default score is
    then theirs.

    Their regression default, R^2 and RMSE over every column of y, scored
    class labels as numbers (a binary task's 0/1 labels averaged into R^2).
    """
    from ._multitask import _BaseMultiTask, _has_classification_task
    multi_task = [e for e in estimators if isinstance(e, _BaseMultiTask)]
    if not any(_has_classification_task(e) for e in multi_task):
        return None
    declared = [e.tasks if isinstance(e.tasks, str) else
                "regression" if e.tasks is None else list(e.tasks) for e in multi_task]
    # A string is that task for every column: tasks='binary' beside
    # ['binary', 'binary'] (or ['binary'] on a 1-D y) was refused as
    # "different tasks".
    reference = next((tasks for tasks in declared if not isinstance(tasks, str)),
                     declared[0])

    def same(tasks):
        if isinstance(tasks, str) and isinstance(reference, str):
            return tasks == reference
        if isinstance(tasks, str):
            return all(kind == tasks for kind in reference)
        return tasks == reference

    if not all(same(tasks) for tasks in declared):
        raise ValueError("The multi-task estimators declare different tasks "
                         f"({declared}); pass scoring to say how to score them.")
    return reference


class _TaskMeanScore:
    """Mean over tasks of R^2 (regression) and accuracy (classification), as the
    multi-task estimators' ``score``, with the ``tasks`` they declare, for
    every model of the comparison."""

    def __init__(self, tasks):
        self.tasks = tasks

    def __call__(self, model, X, y, sample_weight=None):
        from ._multitask import _target_array, task_mean_score
        Y = _target_array(y)
        Y = Y.reshape(len(Y), -1)
        Y_pred = np.asarray(model.predict(X)).reshape(len(Y), -1)
        tasks = ([self.tasks] * Y.shape[1] if isinstance(self.tasks, str)
                 else list(self.tasks))
        if len(tasks) != Y.shape[1] or Y_pred.shape[1] != Y.shape[1]:
            raise ValueError(f"y has {Y.shape[1]} column(s) and the predictions "
                             f"{Y_pred.shape[1]}, but the tasks are {self.tasks!r}.")
        return task_mean_score(Y, Y_pred, tasks, sample_weight=sample_weight, y=y)


def _named_scorer(name, what):
    """scikit-learn's scorer of that name; an unknown name gets the close ones.

    (scikit-learn's "'neg_mean_squared_eror' is not a valid scoring value.
    Use sklearn.metrics.get_scorer_names() to get valid options." left the
    typo to be found in a list of some 50 names.)
    """
    try:
        return get_scorer(name)
    except ValueError:
        # The table's short names ("rmse") are what a user reads off it.
        short = [key for key, shown in _SHORT_NAMES.items() if shown == name]
        close = short or difflib.get_close_matches(name, get_scorer_names(), n=3,
                                                   cutoff=0.6)
        hint = (f" Did you mean {' or '.join(map(repr, close))}?" if close else
                " sklearn.metrics.get_scorer_names() lists them.")
        raise ValueError(f"{what} {name!r} is not a scikit-learn scorer name.{hint}") from None


def _check_scorer(scorer, what):
    """A scorer name as its scorer; an error, before any fit, for what is no scorer.

    (None, a number or a metric function such as ``r2_score`` failed when
    the first model was scored, after its fit.)
    """
    if isinstance(scorer, str):
        return _named_scorer(scorer, what)
    if not callable(scorer):
        raise TypeError(f"{what} must be a scorer name (e.g. 'r2') or a callable "
                        f"scorer(estimator, X, y), got {scorer!r}.")
    try:
        first = next(iter(signature(scorer).parameters), None)
    except (TypeError, ValueError):   # no signature to read (a builtin)
        first = None
    if first == "y_true":
        name = getattr(scorer, "__name__", "metric")
        raise TypeError(f"{what} is the metric {name}(y_true, y_pred, ...), not a scorer "
                        f"(estimator, X, y): wrap it, make_scorer({name}) (with "
                        "greater_is_better=False for an error).")
    return scorer


class _AllClassesLogLoss:
    """``neg_log_loss`` (or ``neg_brier_score``) over every class of y, not
    only those of the test fold.

    scikit-learn's scorer takes the classes from the test fold's labels: a
    fold that misses a class (one rarer than the folds) stopped compare() with
    "y_true and y_prob contain different number of classes: 2 vs 3" (or
    "y_true contains only one label"). Such a fold is scored over all
    classes, each model's columns placed by its ``classes_``; other folds
    by scikit-learn's own scorer. So is every fold of the Brier score of two
    classes labelled by text, which scikit-learn's scorer refuses without a
    ``pos_label`` ("y_true takes value in {'n', 'p'} and pos_label is not
    specified"), although the folds of one class were scored.
    """

    def __init__(self, scorer, classes):
        self.scorer, self.classes = scorer, classes

    def __call__(self, model, X, y, sample_weight=None):
        own = getattr(model, "classes_", None)
        text_brier = (self.scorer._score_func is brier_score_loss
                      and np.asarray(self.classes).dtype.kind in "OUS")
        if own is None or (np.array_equal(np.unique(y), own) and not text_brier):
            return self.scorer(model, X, y, sample_weight=sample_weight)
        own = np.asarray(own)
        if own.ndim != 1 or not np.all(np.isin(own, self.classes)):
            return self.scorer(model, X, y, sample_weight=sample_weight)
        given = model.predict_proba(X)
        proba = np.zeros((len(given), len(self.classes)))
        proba[:, np.searchsorted(self.classes, own)] = given
        return -self.scorer._score_func(y, proba, labels=self.classes,
                                        sample_weight=sample_weight)


class _RowAccuracy:
    """``accuracy`` of a y of several columns: the share of rows (weighted by
    ``sample_weight``) whose labels are all right.

    scikit-learn's accuracy computes it for columns of two classes
    (multilabel-indicator) but refuses columns of more: a tree on a y of a
    3-class and a 2-class column failed after its first fit, "Model 't'
    failed to score (accuracy) ...: multiclass-multioutput is not
    supported", though accuracy is compare's default for such a y.
    """

    def __init__(self, scorer):
        self.scorer = scorer

    def __call__(self, model, X, y, sample_weight=None):
        Y = np.asarray(y)
        Y = Y.reshape(len(Y), -1)
        right = np.all(np.asarray(model.predict(X)).reshape(Y.shape) == Y, axis=1)
        return float(np.average(right, weights=sample_weight))


def _is_accuracy(scorer):
    """Whether ``scorer`` is scikit-learn's plain ``accuracy``."""
    return (getattr(scorer, "_score_func", None) is accuracy_score
            and not getattr(scorer, "_kwargs", None))


class _PerfectClassifier(ClassifierMixin, BaseEstimator):
    """A fitted stand-in that predicts ``labels`` exactly (X: row numbers), to
    try compare()'s scikit-learn scorers on the classes of y before any fit."""

    def __init__(self, labels=None):
        self.labels = labels

    @property
    def classes_(self):
        return np.unique(self.labels)

    def predict(self, X):
        return self.labels[np.asarray(X, dtype=np.int64)[:, 0]]

    def predict_proba(self, X):
        codes = np.searchsorted(self.classes_, self.predict(X))
        return np.eye(len(self.classes_))[codes]


def _refuse_scorers_for_the_classes(scorers, classes):
    """Before any fit: a scikit-learn scorer that cannot score these classes.

    ('roc_auc' or 'f1' on three classes, 'precision' on labels 'no'/'yes'
    without a pos_label failed at the first score, after a fit, blamed on the
    first model: "Model 'lr' failed to score (roc_auc) on a split of 26
    training rows: multi_class must be in ('ovo', 'ovr')".) Each is tried on
    one row of each class, predicted exactly; a callable of the user's is
    left alone, as are more classes than such a trial should hold in memory.
    """
    if len(classes) > 1000:
        return
    perfect = _PerfectClassifier(classes)
    rows = np.arange(len(classes))[:, None]
    for key, given in scorers.items():
        scorer = getattr(given, "scorer", given)   # (inside _AllClassesLogLoss)
        if not hasattr(scorer, "_score_func") or not hasattr(scorer, "_response_method"):
            continue
        try:
            with thread_filter("ignore"):
                given(perfect, rows, classes)
        except ValueError as exc:
            names = get_scorer_names()
            better = ([f"{key}_{a}" for a in ("macro", "weighted") if f"{key}_{a}" in names]
                      or [f"{key}_{a}" for a in ("ovr", "ovo") if f"{key}_{a}" in names])
            hint = (f" Use {' or '.join(map(repr, better))} for more than two classes."
                    if better and len(classes) > 2 else "")
            if "pos_label" in str(exc):
                method = scorer._response_method
                hint = (" Pass a scorer that names the positive class, e.g. scoring={"
                        f"{key!r}: make_scorer({scorer._score_func.__name__}, "
                        f"pos_label={classes.tolist()[-1]!r}"
                        + (f", response_method={method!r}" if method != "predict" else "")
                        + (", greater_is_better=False" if scorer._sign < 0 else "") + ")}.")
            text = str(exc).strip()
            shown = classes.tolist()
            raise ValueError(f"scoring {key!r} cannot score y's classes "
                             f"{shown[:10]}{' ...' if len(shown) > 10 else ''}: {text}"
                             f"{'' if text.endswith('.') else '.'}{hint}") from None


def _is_log_loss(scorer):
    """Whether ``scorer`` is scikit-learn's plain ``neg_log_loss``, or its
    ``neg_brier_score`` where that takes ``labels`` (multi-class Brier,
    scikit-learn >= 1.7): a 3-class fold without one class failed with "y_true
    and y_prob contain different number of classes: 2 vs 3", blamed on the
    first model."""
    func = getattr(scorer, "_score_func", None)
    takes_labels = func is log_loss or (func is brier_score_loss and "labels" in
                                        signature(brier_score_loss).parameters)
    return (takes_labels and getattr(scorer, "_sign", None) == -1
            and not getattr(scorer, "_kwargs", None))


def _default_pair(estimators):
    from ._ensemble import _BaseEnsemble
    from ._hme import _BaseHierarchicalMixture
    from ._moe import _BaseMixtureOfExperts

    def first(cls):
        # (A mixture or an ensemble at the end of a Pipeline, scaled as the
        # user guide scales them, was none: no paired test, without a word.)
        return next((n for n, e in estimators.items() if isinstance(_last_step(e), cls)),
                    None)
    # (A hierarchical mixture is a mixture: against an ensemble it had no test.)
    mixture = first((_BaseMixtureOfExperts, _BaseHierarchicalMixture))
    ensemble = first(_BaseEnsemble)
    return (mixture, ensemble) if mixture and ensemble else None


def _fit_score(name, estimator, X, y, train, test, scorers, note="", where="",
               sample_weight=None, weight_key=None):
    """Fit a clone on ``train``; time fit and predict; score on ``test``.

    ``note`` ends the message of a failed fit (what compare changed), and
    ``where`` (which split) that of any failure. ``sample_weight``: the
    training rows' weights go to ``fit`` as ``weight_key``, the test rows'
    to every scorer.
    """
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
    fit_weight, score_weight = {}, {}
    if sample_weight is not None:
        fit_weight = ({} if weight_key is None else
                      {weight_key: read_only_view(sample_weight[train])})
        score_weight = {"sample_weight": sample_weight[test]}
    with recorded(always=Warning) as caught:
        step, model = "fit", None
        try:
            start = time.perf_counter()
            # The clone is the fitted model, whatever fit returns (as in
            # scikit-learn's cross_validate; one without ``return self`` was a
            # 'NoneType' error).
            from ._base import clone_model
            model = clone_model(estimator)
            model.fit(X_train, y_train, **fit_weight)
            fit_time = time.perf_counter() - start
            step = "predict"
            # The test rows are predicted once for the time and once per
            # scorer: read-only (a frame of its own each call), so that a
            # model writing into its X (X[:, 0] = 0 in predict) cannot change
            # the rows its scores are computed on (StandardScaler(copy=False)
            # scaled them again at every predict: R^2 0.869 for a pipeline of
            # 0.997, silently).
            start = time.perf_counter()
            model.predict(read_only_view(X_test))
            predict_time = time.perf_counter() - start
            scores = {}
            for k, scorer in scorers.items():
                step = f"score ({k})"
                scores[k] = float(scorer(model, read_only_view(X_test), y_test, **score_weight))
        except Exception as exc:
            # Which model failed, and where: with several models the error
            # itself ("Input contains NaN.") named none of them.
            from ._base import rebuilt_error, unknown_category_hint
            written = (" (compare gives the models their test rows read-only: this model "
                       "writes into its X; make it copy X first)"
                       if step != "fit" and "read-only" in str(exc) else "")
            if step == "fit" and fit_weight and "read-only" in str(exc) \
                    and "make it copy" not in str(exc):
                # (Only the weights are read-only at fit: the bare "assignment
                # destination is read-only" named no array, and the model's
                # training X and y, copies, are writeable.)
                written = (" (compare gives the models their training rows' sample_weight "
                           "read-only: this model writes into its sample_weight; make it "
                           "copy them first)")
            # pd.NA among a frame's strings: the mixtures' experts are told
            # which columns and what to do; a plain model was not. (Not twice
            # for a mixture, whose message has it already.)
            na = pandas_na_hint(exc, X_train if step == "fit" else X_test)
            na = "" if na in str(exc) else na
            # A column too large for the model's arithmetic (a mixture's
            # message has it already): Ridge on a float32 X of 1e30 said only
            # "array must not contain infs or NaNs".
            huge = ("" if HUGE_HINT_END in str(exc) else
                    huge_values_hint(exc, X_train if step == "fit" else X_test))
            # (An array of dates: Ridge fitted them, then failed in predict
            # with numpy's "ufunc 'matmul' did not contain a loop".)
            times = time_columns_hint(exc, X_train if step == "fit" else X_test)
            times = "" if times in str(exc) else times
            part = y_train if step == "fit" else y_test
            raise rebuilt_error(exc, f"Model {name!r} failed to {step} on a split of "
                                     f"{len(train)} training rows: {exc}"
                                     f"{unknown_category_hint(exc, estimator)}{written}{na}{huge}{times}"
                                     f"{_missing_classes_hint(step, estimator, y, part)}"
                                     f"{_several_columns_hint(step, estimator, y)}"
                                     f"{_predictions_outside_hint(step, scorers)}"
                                     f"{_nan_predictions_hint(step, exc, model, X_test)}"
                                     f"{note if step == 'fit' else ''}{where}") from exc
    messages = sorted({(w.category, str(w.message)) for w in caught}, key=str)
    return scores, fit_time, predict_time, messages


def _nan_predictions_hint(step, exc, model, X_test):
    """Where a metric failed on NaN or infinity, which of the model's outputs
    on the test rows held it. (It said "failed to score (r2) ...: Input
    contains NaN.", as if the data held it: y's gaps are refused before any
    fit, so they are the model's predictions.)"""
    if not step.startswith("score") or not any(word in str(exc) for word in ("NaN", "inf")):
        return ""
    for method in ("predict", "predict_proba", "decision_function"):
        if not hasattr(model, method):
            continue
        try:
            with np.errstate(all="ignore"):
                values = np.asarray(getattr(model, method)(read_only_view(X_test)),
                                    dtype=np.float64)
        except Exception:
            continue        # (not this method's output: nothing to say of it)
        bad = ~np.isfinite(values.reshape(len(values), -1)).all(axis=1)
        if bad.any():
            what = "NaN" if np.isnan(values).any() else "infinity"
            return (f" (the {what} came from this model's {method} on the test rows: "
                    f"{int(bad.sum())} of {len(bad)} rows, e.g. test row "
                    f"{int(np.flatnonzero(bad)[0])}; the model must predict finite "
                    "numbers)")
    return ""


def _predictions_outside_hint(step, scorers):
    """Where a metric defined on part of the line failed to score, a note that
    the model's predictions are outside it: compare refused a y outside it
    before fitting. (Of a Ridge predicting below -1 on a positive y,
    scikit-learn's "cannot be used when targets contain values less than or
    equal to -1" read as a fault of the data.)"""
    key = step[len("score ("):-1] if step.startswith("score (") else None
    function = _metric_name(scorers.get(key))
    if function not in _TARGET_DOMAINS:
        return ""
    return (f" (y is within the domain of {function}: it is this model's predictions that "
            f"are not {_TARGET_DOMAINS[function][2]}; choose another metric, or a model "
            "whose predictions stay within it)")


def _missing_classes_hint(step, estimator, y, part):
    """Where a classifier failed to score a test part that lacks some of y's
    classes, a note saying so: the score may be undefined there (roc_auc_ovr's
    "Number of classes in y_true not equal to the number of columns in
    'y_score'" read as the model's fault). Where it failed to fit a training
    part that lacks some, a note naming them and their counts in y: a class
    of one row left "This solver needs samples of at least 2 classes",
    which named neither the class nor the folds (a mixture blamed its own
    cross-fitting folds). ``part``: the labels of the rows of ``step``."""
    if not (step.startswith("score") or step == "fit") or not is_classifier(estimator):
        return ""
    y, part = np.asarray(y), np.asarray(part)
    if y.ndim != 1:
        return ""
    classes, counts = np.unique(y, return_counts=True)
    here = np.isin(classes, part)
    if here.all():
        return ""
    if step == "fit":
        missing = ", ".join(f"{c.item() if isinstance(c, np.generic) else c!r} ({n} row"
                            f"{'s' if n > 1 else ''})"
                            for c, n in zip(classes[~here][:5], counts[~here][:5]))
        return (f" (this split's training rows hold {here.sum()} of y's {len(classes)} "
                f"classes; missing: {missing} in y: drop or merge so rare a class, or "
                "pass cv splits that keep it in every training part)")
    return (f" (this split's test rows hold {here.sum()} of y's {len(classes)} classes, "
            "where a score that needs every class is undefined: use a metric that is not, "
            "or folds that keep every class, e.g. fewer of them)")


def _warn_test_classes_missing_from_training(splits, y, sample_weight=None):
    """Warn where a split's test rows hold a class that its training rows lack.

    (A list of splits, unshuffled KFold of rows sorted by class, or a class
    of one group: no classifier can predict that class there, and every
    model scored 0 on its rows, without a word.) With ``sample_weight``, only
    rows of positive weight count: a class whose training rows all weigh
    zero is not learnt, and test rows of zero weight are not scored.
    """
    labels, codes = np.unique(y, return_inverse=True)
    codes = codes.reshape(-1)
    weighs = (np.ones(len(codes), dtype=bool) if sample_weight is None
              else sample_weight > 0)
    found = []
    for j, (train, test) in enumerate(splits):
        test = test[weighs[test]]
        absent = np.setdiff1d(codes[test], codes[train[weighs[train]]])
        if absent.size:
            found.append((j, labels[absent].tolist(), int(np.isin(codes[test], absent).sum())))
    if found:
        j, absent, n_rows = found[0]
        weighted = ("" if sample_weight is None else
                    "; rows of positive sample_weight, as the models are fitted and scored")
        # (Split j + 1, as compare's other messages count them: "split 0".)
        warnings.warn(f"{len(found)} of the {len(splits)} splits train without a class that "
                      f"their test rows hold (split {j + 1}: class(es) {absent}, {n_rows} "
                      f"test row(s){weighted}): no classifier can predict those rows there, "
                      "and every model's scores on such a split count them as errors. Use "
                      "folds that keep every class in each training part (an int cv, "
                      "stratified).",
                      UserWarning, stacklevel=3)


# The metrics undefined, as R^2 is, on a constant target or one row: a share of
# a baseline's error explained. D^2 (d2_absolute_error_score, d2_pinball_score)
# scored 0 on a constant test target without the warning that R^2 got there,
# and NaN on a test part of one row, after every fit.
_R2_LIKE = (r2_score, explained_variance_score, d2_absolute_error_score, d2_pinball_score)


def _columns_scored_by_r2(scorers, n_columns):
    """The columns of y each scorer scores by R^2 (or explained variance, or
    D^2), by key; scorers that score none by it are left out."""
    columns = {}
    for key, scorer in scorers.items():
        if getattr(scorer, "_score_func", None) in _R2_LIKE:
            columns[key] = list(range(n_columns))
        elif isinstance(scorer, _TaskMeanScore):
            tasks = ([scorer.tasks] * n_columns if isinstance(scorer.tasks, str)
                     else list(scorer.tasks))
            if len(tasks) == n_columns:   # (else the scorer itself says so)
                columns[key] = [t for t, kind in enumerate(tasks) if kind == "regression"]
    return {key: cols for key, cols in columns.items() if cols}


def _refuse_r2_on_single_test_rows(scorers, splits, y, scoring):
    """Refuse, before fitting, R^2 (or explained variance) on splits whose
    test part is a single row, where it is undefined.

    ``cv=LeaveOneOut()`` with ``scoring='r2'`` fitted every model on every
    split, then reported NaN for each with a warning per model (the CLI
    refuses the same case, ``--cv`` folds of one row, before fitting).
    """
    keys = list(_columns_scored_by_r2(scorers, 1 if y.ndim == 1 else y.shape[1]))
    single = [j + 1 for j, (_, test) in enumerate(splits) if len(test) == 1]
    if not keys or not single:
        return
    shown = ", ".join(map(str, single[:5])) + (", ..." if len(single) > 5 else "")
    default = " (in the default scoring)" if scoring is None else ""
    raise ValueError(
        f"{len(single)} of the {len(splits)} splits of cv test a single row (split "
        f"{shown}), on which {' and '.join(map(repr, keys))}{default} is undefined: every "
        "model would score NaN there. Use folds of at least 2 test rows (cv=k with k at "
        f"most {len(y) // 2}), or scoring='neg_root_mean_squared_error' (an error metric "
        "is defined on one row).")


def _warn_constant_test_targets(scorers, splits, y, sample_weight=None):
    """Warn where R^2 (or explained variance, or D^2) is scored on a constant
    test target.

    Undefined there, scikit-learn scores it 0 (1 for an exact prediction):
    a model of R^2 0.87 elsewhere showed a mean of 0.44, the 0 of a split
    whose test rows all had the same target counted as a measurement. With
    several columns of y, a column constant on a split's test rows is scored
    so (and averaged with the others), as is a regression task's in the
    multi-task mean score. With ``sample_weight``, the test rows of positive
    weight are those scored: constant there (or one such row), weighted R^2
    was 0 without a word.
    """
    Y = y.reshape(len(y), -1)
    columns = _columns_scored_by_r2(scorers, Y.shape[1])
    scored = [test if sample_weight is None else test[sample_weight[test] > 0]
              for _, test in splits]
    # (A single test row is refused before fitting: _refuse_r2_on_single_test_rows.)
    constant = {key: [j + 1 for j, (_, test) in enumerate(splits) if len(test) > 1
                      and any(len(np.unique(Y[scored[j], t])) == 1 for t in cols)]
                for key, cols in columns.items()}
    keys = [key for key in constant if constant[key]]
    constant = sorted(set().union(*(constant[key] for key in keys)))
    if constant:
        where = "target" if Y.shape[1] == 1 else "target (a column of y)"
        if sample_weight is not None:
            where += " of the rows of positive sample_weight"
        d2 = {getattr(scorers[key], "_score_func", None) in _R2_LIKE[2:] for key in keys}
        what = {frozenset({False}): "R^2 is", frozenset({True}): "D^2 is"}.get(
            frozenset(d2), "R^2 and D^2 are")
        it = "them" if what.endswith("are") else "it"
        warnings.warn(f"The test {where} is constant on {len(constant)} of the "
                      f"{len(splits)} splits (split {', '.join(map(str, constant))}): {what} "
                      f"undefined there, and scikit-learn scores {it} 0 (1 for an exact "
                      f"prediction), which the means of {' and '.join(keys)} count. Use "
                      "fewer, larger folds, or an error metric such as "
                      "'neg_root_mean_squared_error'.", UserWarning, stacklevel=3)


def _indexed_fit_score(k, *args):
    return k, _fit_score(*args)


def _parallel(n_jobs):
    """A (scikit-learn) Parallel that yields results as they finish, where the backend can.

    ``generator_unordered`` needs joblib >= 1.4 and a backend that supports
    it; otherwise results come in order, or (Ray's backend, for one, refuses
    generators) as one list, and the progress bar then advances only once
    every fit is done.
    """
    for return_as in ("generator_unordered", "generator"):
        try:
            return Parallel(n_jobs=n_jobs, return_as=return_as)
        except ValueError:
            pass
    return Parallel(n_jobs=n_jobs)


def _with_greedy_ensembles(estimators, random_state):
    """Each plain-averaging ensemble followed by its greedy-weighted twin.

    A twin whose ensemble has no ``random_state`` gets compare's: its
    weights are chosen on shuffled folds, which a plain average never needed
    seeding for (unseeded, two identical calls of compare gave the twin other
    scores, a log-loss of 1.80 or 0.16 on the same split).
    """
    from ._ensemble import _BaseEnsemble

    out = {}
    for name, est in estimators.items():
        out[name] = est
        twin = f"{name} (greedy)"
        # (And at the end of a Pipeline: a scaled ensemble had no twin.)
        ensemble = _last_step(est)
        prefix = "" if ensemble is est else f"{est.steps[-1][0]}__"
        if (isinstance(ensemble, _BaseEnsemble) and ensemble.weights is None
                and twin not in estimators):
            out[twin] = clone(est).set_params(**{prefix + "weights": "greedy"})
            if ensemble.random_state is None:
                out[twin].set_params(**{prefix + "random_state": random_state})
    return out


def _refuse_greedy_twins_without_probabilities(estimators, twins):
    """Before any fit: a greedy twin of a classifier ensemble with an expert that
    has no ``predict_proba``, which hard voting does without but the greedy
    weights (chosen by log-loss) need.

    (The twin failed after the other models' fits, "Model 'e (greedy)'
    failed to fit on a split of 26 training rows: Expert 'svc' (SVC) has no
    predict_proba; EnsembleClassifier needs every expert's class
    probabilities", of a copy the user never made.)
    """
    from ._base import _will_have

    for twin in twins:
        ensemble = _last_step(estimators[twin])
        if not is_classifier(ensemble) or getattr(ensemble, "voting", None) != "hard":
            continue   # (soft voting needs them too: the ensemble itself says so)
        lacking = [(n, e) for n, e in _listed_experts(ensemble)
                   if not _will_have(e, "predict_proba")]
        if lacking:
            name, expert = lacking[0]
            raise TypeError(
                f"greedy_ensemble=True adds {twin!r}, a copy of {twin[:-len(' (greedy)')]!r} "
                "with weights='greedy', which chooses its weights by the log-loss of the "
                f"experts' probabilities; its expert '{name}' ({type(expert).__name__}) "
                "has no predict_proba (voting='hard' does without it). Wrap that expert "
                "in CalibratedClassifierCV, or compare without greedy_ensemble.")


def _cv_parameters(estimator, prefix=""):
    """(key, value, owner) of the ``cv`` parameters fitted on the estimator's own
    rows: its own, and (through Pipelines) its final step's, and the model
    that a TransformedTargetRegressor or a MultiOutput wrapper fits on all
    its rows (a mixture in one kept folds of shuffled rows).

    Not those of estimators nested elsewhere (a Stacking's base models, a
    mixture's experts): they are fitted on parts of the rows, which folds of
    these rows do not number.
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.multioutput import MultiOutputClassifier, MultiOutputRegressor
    from sklearn.pipeline import Pipeline

    found = []
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    if "cv" in params:
        found.append((prefix + "cv", params["cv"], estimator))
    inner = None
    if isinstance(estimator, Pipeline) and estimator.steps:
        inner = estimator.steps[-1]
    elif isinstance(estimator, TransformedTargetRegressor):
        inner = ("regressor", estimator.regressor)
    elif isinstance(estimator, (MultiOutputRegressor, MultiOutputClassifier)):
        inner = ("estimator", estimator.estimator)
    if inner is not None and inner[1] is not None and not isinstance(inner[1], str):
        found += _cv_parameters(inner[1], f"{prefix}{inner[0]}__")
    return found


def _cv_unused(owner):
    """Whether ``owner`` ignores its ``cv``: a plain-averaging ensemble (only
    ``weights='greedy'`` makes folds; its greedy twin, when compare adds one,
    is checked on its own)."""
    from ._ensemble import _BaseEnsemble

    return isinstance(owner, _BaseEnsemble) and not (
        isinstance(owner.weights, str) and owner.weights == "greedy")


def _refuse_inner_splitters_without_groups(estimators, y):
    """Refuse, before any fit, a model whose own ``cv`` is a group splitter
    while compare was given no groups.

    Each fit failed with the model's "needs groups: pass them to fit,
    fit(X, y, groups=groups), or pass the folds themselves", neither of
    which compare lets the user do: compare calls fit, and folds made for
    all the rows do not number a split's training rows. compare splits such
    a splitter on each split's training rows when it has the groups.
    """
    for name, estimator in estimators.items():
        for key, value, owner in _cv_parameters(estimator):
            if _cv_unused(owner):
                continue
            if splitter_needs_groups(value, y):
                raise ValueError(f"Estimator {name!r}: {key}={value!r} needs groups, and compare "
                                 "was given none: pass them, compare(..., groups=groups), "
                                 "and compare splits it on each split's training rows and "
                                 "their groups.")


def _inner_fold_count(value, owner, train_y=None):
    """The folds ``cv=value`` makes for ``owner``, or None where it makes none
    (or is a splitter): skmoe's models say (for them None is in-sample and
    'auto' their own count, fewer for a classifier's small classes),
    scikit-learn's take None as 5 folds (but RidgeCV's, leave-one-out in
    closed form, and a chain's, the true values of the earlier outputs)."""
    from sklearn.linear_model import RidgeClassifierCV, RidgeCV
    from sklearn.multioutput import ClassifierChain, RegressorChain

    if hasattr(owner, "_inner_fold_count"):
        return owner._inner_fold_count(train_y)
    if value is None and isinstance(owner, (RidgeCV, RidgeClassifierCV)):
        # Their None is leave-one-out in closed form, no folds: given folds,
        # store_cv_results or alpha_per_target failed ("cv!=None and
        # store_cv_results=True are incompatible").
        return None
    if value is None and isinstance(owner, (ClassifierChain, RegressorChain)):
        # Their None chains the true values of the earlier outputs, no folds
        # (given folds, a chain of other predictions, silently).
        return None
    if value is None:
        return 5
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    return None


# More outer folds leave more groups in each split's training rows (k folds
# train on (k - 1)/k of the groups).
_MORE_OUTER = ("use more outer folds (compare's cv, the command line's --cv), whose "
               "training rows hold more groups, or data of more groups")


def _groups(n):
    return f"{n} group{'' if n == 1 else 's'}"


def _with_inner_group_folds(name, estimator, train_groups, train_y=None, train_weight=None):
    """A clone of ``estimator`` whose ``cv`` folds (or group splitter) are folds of
    whole groups of its training rows, or ``estimator`` itself where it has none.

    ``train_y``: a classifier's labels, for folds stratified on them.
    ``train_weight``: the training rows' ``sample_weight``; skmoe's models get
    folds of their rows of positive weight and those rows' groups, as their
    ``fit(X, y, groups=groups, sample_weight=w)`` makes them
    (:func:`~skmoe._crossfit.cv_of_groups`). Made of all the rows, a group
    of zero weight counted as one: 'auto' took more folds, and a fold of
    such groups alone was dropped by the model (no test row of positive
    weight), so it ran on fewer folds than it asked for and its per-split
    score was not that of fitting the split by hand.
    """
    changes = {}
    every_row = (train_groups, np.zeros(len(train_groups)) if train_y is None else train_y)
    positive = (None if train_weight is None or np.all(train_weight > 0)
                else np.flatnonzero(train_weight > 0))
    for key, value, owner in _cv_parameters(estimator):
        # (scikit-learn's models split every row given: kept as they are.)
        rows = positive if hasattr(owner, "_inner_fold_count") else None
        train_groups, labels = every_row if rows is None else (
            every_row[0][rows], every_row[1][rows])
        y_here = None if train_y is None else labels
        n_groups = len(np.unique(train_groups))
        zeros = np.zeros((len(train_groups), 1))
        if hasattr(value, "split") and "Group" in type(value).__name__:
            try:
                changes[key] = list(value.split(zeros, labels, train_groups))
            except ValueError as exc:
                # (scikit-learn's "Cannot have number of splits n_splits=9
                # greater than the number of groups: 8." named no model.)
                raise ValueError(f"Estimator {name!r}: {key}={value!r} cannot split a "
                                 f"split's training rows, which hold {_groups(n_groups)}: "
                                 f"{exc} Lower its number of splits or {_MORE_OUTER}."
                                 ) from exc
        else:
            n_folds = _inner_fold_count(value, owner, train_y)
            if n_folds is None:
                if hasattr(value, "split") and not _cv_unused(owner):
                    _refuse_row_splitter_mixing_groups(name, key, value, zeros, labels,
                                                       train_groups)
                continue
            if isinstance(value, str) and n_folds > n_groups >= 2:
                n_folds = n_groups   # 'auto' takes fewer folds on small data
            if n_folds > n_groups:
                # (Both said "or use fewer, larger outer folds", which leave fewer
                # groups to train on; and a single group was told to lower a cv
                # that cannot go below 2, or that was 'auto'.)
                if n_groups >= 2 and not isinstance(value, str):
                    asks, fix = f"asks for {n_folds}", f"Lower its {key} or {_MORE_OUTER}"
                else:   # ('auto' takes as few as 2)
                    asks, fix = "needs two or more", _MORE_OUTER[0].upper() + _MORE_OUTER[1:]
                raise ValueError(f"Estimator {name!r}: {key}={value!r} {asks} folds of whole "
                                 f"groups, but a split's training rows hold "
                                 f"{_groups(n_groups)}. {fix}.")
            changes[key] = folds_of_groups(n_folds, train_groups, y_here)
        if train_y is not None and hasattr(owner, "_inner_fold_count") and is_classifier(owner):
            _check_inner_folds_keep_classes(name, key, value, changes[key], y_here,
                                            train_groups)
        if rows is not None:   # numbered among all the training rows, as fit expects
            changes[key] = [(rows[train], rows[test]) for train, test in changes[key]]
    return clone(estimator).set_params(**changes) if changes else estimator


def _refuse_row_splitter_mixing_groups(name, key, value, zeros, labels, train_groups):
    """Refuse a model's own splitter of rows (``KFold``, ``LeaveOneOut``...) whose
    folds of a split's training rows put a group on both sides.

    compare(groups=...) keeps a splitter that is no group splitter: the
    model then chose its blend (or its hyper-parameters) on folds whose test
    rows shared groups with their training rows, silently, though compare
    refuses such splits of its own and the mixtures' fit(groups=...) refuses
    them too. (Where the splitter fails on these rows, the model's fit says so.)
    """
    try:
        # (Its own "The groups parameter is ignored by KFold": the check reads them.)
        with thread_filter("ignore", "The groups parameter is ignored by", UserWarning):
            splits = list(value.split(zeros, labels, train_groups))
    except Exception:
        return
    for k, (train, test) in enumerate(splits):
        shared = np.intersect1d(train_groups[np.asarray(train, dtype=np.intp)],
                                train_groups[np.asarray(test, dtype=np.intp)])
        if len(shared):
            raise ValueError(
                f"Estimator {name!r}: {key}={value!r} splits rows, not groups: on a "
                f"split's training rows its fold {k + 1} has {_groups(len(shared))} on both "
                "its train and test sides, so the model would choose on rows of groups it "
                "was fitted on. With groups=, give it an int (compare makes that many folds "
                "of whole groups) or a group splitter such as GroupKFold.")


def _check_inner_folds_keep_classes(name, key, value, folds, train_y, train_groups):
    """Refuse, for skmoe's classifiers, inner folds of whole groups that leave a
    class (of two rows or more) out of a training part, as they would.

    (Their own refusal spoke of "cv (the 5 splits given)" and advised the
    StratifiedGroupKFold compare had used, for a cv='auto' the user gave: the
    cause is a class in too few groups of the split's training rows.)
    """
    found = class_left_out(folds, np.asarray(train_y), train_groups)
    if found is not None:
        _, label, n_in = found
        raise ValueError(
            f"Estimator {name!r}: class {np.asarray(label).tolist()!r} is in {n_in} group"
            f"{'' if n_in == 1 else 's'} of a split's training rows, so the "
            f"{len(folds)} folds of whole groups that {key}={value!r} makes of them "
            "leave it out of one fold's training rows, which the "
            "model refuses (its out-of-fold probabilities would never name it). Each "
            "class needs two groups or more in every split's training rows (three or "
            "more in all): use fewer outer folds (a smaller cv), or data with more "
            "groups of that class.")


def _refuse_one_dimensional_numbers(X):
    """Refuse a 1-D X of numbers before any fit, naming its shape.

    It failed in split 1 with scikit-learn's "Expected 2D array, got 1D array
    instead", printed X and blamed the first model.  A 1-D X of strings is
    left alone: a text pipeline (TfidfVectorizer first) takes one document a
    row.
    """
    if sparse.issparse(X) or hasattr(X, "columns"):
        return
    shape = X.shape if hasattr(X, "shape") else None
    if shape is None:
        try:
            values = np.asarray(X)
        except (TypeError, ValueError):
            return   # ragged rows: left to the estimators
        shape = values.shape
    else:
        values = X
    kind = getattr(getattr(values, "dtype", None), "kind", None)
    if len(shape) == 1 and kind in tuple("biuf"):
        raise ValueError(f"compare: X has shape {tuple(shape)}, one value a row; the "
                         "estimators take a 2-D X of shape (n_samples, n_features). For "
                         "a single feature pass X.reshape(-1, 1) (a column).")


def compare(estimators, X, y, *, cv=5, scoring=None, n_jobs=None, pair=None,
            random_state=0, progress=False, title=None, greedy_ensemble=False,
            groups=None, sample_weight=None):
    """Cross-validate several estimators on the same folds and compare them.

    Parameters
    ----------
    estimators : dict of str -> estimator
        E.g. ``{"mixture": moe, "ensemble": ens, "tree": tree}``. Each is
        cloned and fitted on every training fold.
    X : array-like of shape (n_samples, n_features)
        A 1-D X of numbers is refused (``X.reshape(-1, 1)`` for one
        feature); one of strings goes to the estimators as it is (documents
        for a text pipeline).
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Several columns for multi-task estimators, or for classifiers that
        fit several columns (a tree, a forest, k-NN, MLPClassifier): their
        folds are stratified on each row's labels together, and their
        default score is accuracy alone (all of a row's labels right, as
        ``'accuracy'`` scores such a y, columns of more than two classes
        too).
    cv : int, cross-validation generator or iterable, default=5
        An int means shuffled K-fold (stratified for classifiers, and for
        multi-task estimators on each row's labels of the classification
        tasks they declare) seeded by ``random_state`` -- shuffled because many tables are sorted by time
        or by the target. A classifier's 1-D y needs a class of ``cv`` rows
        at least. Anything else goes through
        :func:`~sklearn.model_selection.check_cv`; repeated K-fold gives the
        paired test more splits.
    scoring : str, list of str, dict or callable, default=None
        scikit-learn scorers; the first is the primary metric. None means
        ``['r2', 'neg_root_mean_squared_error']`` for regression and
        ``['accuracy', 'neg_log_loss']`` for classification; where a multi-task
        estimator declares a classification task, ``'score'``: the mean over
        its tasks of R^2 (regression) and accuracy (classification), as its
        ``score`` (every model scored on those tasks). R^2 (and explained
        variance, and D^2: ``'d2_absolute_error_score'``) is undefined on a
        test part of one row: a ``cv`` with such parts (``LeaveOneOut()``) is
        refused with them, before any fit; on a constant test target it
        warns. A percentage error (``'neg_mean_absolute_percentage_error'``)
        of a y with rows of 0 warns: scikit-learn divides by
        ``max(|y|, 2.2e-16)`` there, and those rows decide its scores.
    n_jobs : int, default=None
        (estimator, split) fits run in parallel with joblib, on at most as
        many workers as there are fits.
    pair : tuple of (str, str), default=None
        The two estimators of the paired test; None means the first mixture
        (flat or hierarchical) and the first ensemble in ``estimators`` (or
        Pipelines ending in them), if both are there.
    random_state : int, RandomState instance or None, default=0
        Shuffles the folds when ``cv`` is an int (and seeds the greedy copies
        of ``greedy_ensemble``); set with any other ``cv``, where nothing
        reads it, it warns.
    progress : bool, default=False
        Show progress on stderr: a tqdm bar on a terminal, a plain line every
        few seconds elsewhere (and always with ``SKMOE_PROGRESS=lines``).
    title : str, default=None
        First line of the text table.
    greedy_ensemble : bool, default=False
        Add, right after every plain-averaging :class:`EnsembleRegressor` /
        :class:`EnsembleClassifier` named ``name`` (or Pipeline ending in
        one), a copy with ``weights="greedy"`` named ``"name (greedy)"``: the best constant
        blend of the same experts (Caruana et al., 2004), which a mixture
        must beat to be worth its gate. The copy of an ensemble without a
        ``random_state`` takes ``random_state`` (its weights are chosen on
        shuffled folds). With no such ensemble to copy, it warns; a
        hard-voting ensemble with an expert that has no ``predict_proba``
        is refused before any fit (the copy chooses its weights by log-loss).
    groups : array-like of shape (n_samples,), default=None
        The group of each row (the school of a pupil, the person of repeated
        measures), for data whose rows are not independent. Given, the test
        rows of every split are whole groups (an int ``cv`` is shuffled
        :class:`~sklearn.model_selection.GroupKFold`, stratified for
        classifiers; for a 2-D y (or a multi-task model's 1-D y), stratified
        on each row's combination of class labels -- every column for
        classifiers, the classification tasks the multi-task models
        declare -- so that each task's classes
        are in every training part where the groups allow it, and plain
        GroupKFold where y has no such column; a splitter gets ``groups``),
        and so are the inner folds:
        each model whose ``cv`` (or the ``cv`` of the model its Pipeline
        ends in, or its TransformedTargetRegressor or MultiOutput wrapper
        fits) makes folds gets, on every split, as many folds of whole groups of
        its training rows (stratified for classifiers): scikit-learn's int or
        None (5; RidgeCV's None, leave-one-out in closed form, and a
        Classifier/RegressorChain's, the true earlier outputs, are kept),
        skmoe's int or 'auto' (as many as it would make; its None,
        in-sample predictions, and a plain average's unused ``cv`` are kept);
        a group splitter there is split on the training rows' groups, and a
        splitter of rows (``KFold``, ``LeaveOneOut``) whose folds put a group
        on both sides is refused. A
        mixture then chooses its blend on new groups, as it will be used;
        without them, a model that learnt a training group's noise looks
        better than it is. A ``cv`` of splits
        given as a list must keep each group on one side: one that does not
        is refused. The table's header says the splits are of whole groups
        (naming the column of a named pandas Series).
    sample_weight : array-like of shape (n_samples,), default=None
        The weight of each row. Given, every model is fitted on its training
        rows' weights and scored with its test rows' (the table's header says
        the scores are weighted); the folds are made as without them (but
        with ``groups``, a skmoe model's inner folds are of its training
        rows of positive weight and their groups, as its
        ``fit(X, y, groups=groups, sample_weight=w)`` makes them). A
        model's ``fit`` must take them: a Pipeline's last step gets them by
        name (``<step>__sample_weight``; its transformers fit unweighted), a
        ``GridSearchCV``, ``TransformedTargetRegressor`` or ``RFE`` passes
        them to the model inside (as without compare; a search's own scoring
        stays unweighted), a Stacking or Voting ensemble to each of its
        models, and with metadata routing enabled every model gets
        ``sample_weight`` and routes it as its parts request (a
        ``FrozenEstimator``, not fitted again, is scored with them). A model that
        cannot take them (an ensemble of skmoe's with an expert that takes
        none, which the ensemble refuses), a callable scorer without a ``sample_weight``
        parameter, a scorer whose metric has none (``'neg_max_error'``, the
        clustering scorers), and a split whose training or test rows all weigh
        zero are refused before any fit. Only rows of positive weight count in
        the warnings of a constant test target (R^2) and of a class missing
        from training.

    Returns
    -------
    result : ComparisonResult
        ``print(result)`` shows the table and the paired test.

    Notes
    -----
    Warnings raised while fitting (e.g. EM's ``ConvergenceWarning``) are
    collected per estimator and re-issued once each, naming the estimator and
    the number of splits where they occurred (texts that differ in their
    numbers alone as one, with the first split's text).

    A model that fails to fit, predict or score on any split stops the
    comparison (every model is compared on the same splits): the error names
    the model, the step, the split (``split 2 of 15``) and the cause.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from skmoe import compare
    >>> from skmoe.datasets import make_regimes
    >>> X, y = make_regimes(n_samples=300, random_state=0)
    >>> result = compare({"line": LinearRegression(),
    ...                   "tree": DecisionTreeRegressor(max_depth=3)}, X, y, cv=3)
    >>> sorted(result.scores["tree"])
    ['neg_root_mean_squared_error', 'r2']
    """
    if not isinstance(estimators, dict) or not estimators:
        # (A list of (name, estimator) pairs, as the mixtures take their
        # experts, got the same words as None, without the way to pass it.)
        pairs = isinstance(estimators, (list, tuple)) and len(estimators) and all(
            isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
            for item in estimators)
        raise TypeError("estimators must be a non-empty dict of name -> estimator, got "
                        f"{type(estimators).__name__}"
                        + ("; for a list of (name, estimator) pairs pass dict(estimators)."
                           if pairs else "."))
    for name, est in estimators.items():
        if not isinstance(name, str):
            # (Failed when the table was printed, after every fit.)
            raise TypeError(f"Estimator names must be strings, got {name!r} "
                            f"({type(name).__name__}).")
        if not name.strip() or not name.isprintable():
            # (An empty name, or one with a newline or a tab, garbled the
            # printed table's rows and columns.)
            raise ValueError(f"Estimator names must be printable and not blank (they "
                             f"label the table's rows), got {name!r}.")
        # A class for an instance (Ridge for Ridge()) has fit and predict: it
        # failed in is_classifier with scikit-learn's "Expected an estimator
        # instance (Ridge()), got estimator class instead", naming no model.
        from ._base import check_not_a_class
        check_not_a_class(f"Estimator {name!r}", est)
        # Looked up on the class: scikit-learn's meta-estimators show predict
        # only once fitted (an unfitted StackingRegressor of scikit-learn
        # 1.9, or a Pipeline ending in one, has no predict yet), and were
        # refused as "has no fit/predict". (And on the instance: a
        # FrozenEstimator hands predict on from the model it holds, and was
        # refused so.)
        if not hasattr(type(est), "fit") or not (hasattr(type(est), "predict")
                                                 or hasattr(est, "predict")):
            raise TypeError(f"Estimator {name!r} has no fit/predict: {est!r}.")
        try:
            get_tags(est)
        except AttributeError as exc:
            # (A duck-typed model, fit and predict only, failed in is_classifier
            # with scikit-learn's "'Plain' object has no attribute
            # '__sklearn_tags__'", naming no model.)
            raise TypeError(
                f"Estimator {name!r} ({type(est).__name__}) has no scikit-learn estimator "
                "tags (__sklearn_tags__), from which compare reads whether it is a "
                "classifier or a regressor: make it inherit from sklearn.base.BaseEstimator, "
                "with RegressorMixin or ClassifierMixin on its left (class "
                "MyModel(RegressorMixin, BaseEstimator)), which also gives it the get_params "
                "that copying it for every split needs.") from exc
    # (progress="no" showed the bar, greedy_ensemble="no" added the twins.)
    progress = check_flag(progress, "progress", "compare")
    # As the estimators check it: a numpy Generator (or -1, 1.5) failed in
    # KFold with "cannot be used to seed a numpy.random.RandomState
    # instance" or "Seed must be between 0 and 2**32 - 1", naming no parameter.
    validate_parameter_constraints({"random_state": ["random_state"]},
                                   {"random_state": random_state}, caller_name="compare")
    seeded = False   # whether a greedy twin took random_state
    if check_flag(greedy_ensemble, "greedy_ensemble", "compare"):
        given = estimators
        estimators = _with_greedy_ensembles(estimators, random_state)
        twins = [name for name in estimators if name not in given]
        # Those of unseeded ensembles take it. (Not "the twin's random_state is
        # compare's": an ensemble's own random_state=5 with compare's 5 is the
        # same int object, and the warning below was skipped, though the twin
        # keeps its own seed.)
        seeded = any(_last_step(given[name[:-len(" (greedy)")]]).random_state is None
                     for name in twins)
        _refuse_greedy_twins_without_probabilities(estimators, twins)
        if not twins:
            # (Nothing was added, without a word: the table had no greedy row.)
            warnings.warn(
                "greedy_ensemble=True has no effect: no estimator is a plain-averaging "
                "EnsembleRegressor or EnsembleClassifier (weights=None; or a Pipeline "
                "ending in one) without a "
                "'<name> (greedy)' beside it, the ensemble it copies with "
                "weights='greedy'. Add one, e.g. {'ensemble': EnsembleRegressor(experts)}.",
                UserWarning, stacklevel=2)
    if (not isinstance(cv, numbers.Integral) and not seeded
            and not (isinstance(random_state, numbers.Integral) and random_state == 0)):
        # Read only to shuffle an int cv's folds and to seed greedy twins: with
        # cv=KFold(3) (or None) random_state=5 gave the table of random_state=0.
        shown = repr(cv) if cv is None or hasattr(cv, "split") else "splits of yours"
        warnings.warn(
            f"random_state={random_state!r} has no effect with cv={shown}: it shuffles "
            "the folds of an int cv (and seeds the greedy copies of unseeded "
            "ensembles); a splitter or splits of yours are used as they are (give the "
            "splitter its own random_state).", UserWarning, stacklevel=2)
    kinds = {is_classifier(e) for e in estimators.values()}
    if len(kinds) > 1:
        raise ValueError("Mixing classifiers and regressors: "
                         + ", ".join(f"{n} ({'classifier' if is_classifier(e) else 'regressor'})"
                                     for n, e in estimators.items()) + ".")
    classifier = kinds.pop()
    if pair is None:
        pair = _default_pair(estimators)
    elif (not isinstance(pair, (tuple, list)) or len(pair) != 2
          or not all(isinstance(p, str) and p in estimators for p in pair)
          or pair[0] == pair[1]):
        # (pair=3 was a bare TypeError; ('a', 'a') tested a model against itself.)
        raise ValueError(f"pair must name two different estimators of {list(estimators)}, "
                         f"got {pair!r}.")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}.")
    if n_jobs is not None and (isinstance(n_jobs, bool)
                               or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0):
        # (n_jobs=1.5 ran, as joblib reads it; 0 failed in joblib after the
        # checks, "n_jobs == 0 in Parallel has no meaning".)
        raise ValueError(f"n_jobs must be a non-zero integer or None, got {n_jobs!r}.")
    if sparse.issparse(y):
        # (np.asarray of a sparse y is a 0-d object array: compare stopped
        # with a bare "len() of unsized object"; the estimators refuse it so.)
        raise TypeError(f"Sparse data was passed for y (shape {y.shape}), but dense data "
                        "is required. Use '.toarray()' to convert to a dense numpy array.")
    scorers = _scorers(scoring, list(estimators.values()), classifier)
    y_shape = np.shape(np.asarray(y)) if classifier else ()
    if len(y_shape) == 2 and y_shape[1] > 1:
        _refuse_single_target_classifiers(estimators, y_shape)
        if scoring is None:
            # scikit-learn's log-loss of several columns renormalises their
            # probabilities together (0.32 where the columns' mean is 0.40):
            # the default is accuracy alone (all of a row's labels right).
            scorers.pop("neg_log_loss", None)
    _refuse_scorers_the_models_cannot_feed(scorers, estimators)
    # Lower or higher is better as the scorers say, not as their keys read (a
    # key "my_err" for neg_mean_squared_error showed the negated error as a
    # score); colliding labels are refused here, before any fit.
    signs = _display_signs(list(scorers), {k: _scorer_sign(s) for k, s in scorers.items()})
    # Said once, before the folds: each fold's fit would refuse them after the
    # folds were made, and a scikit-learn model would fit y to the wrong rows.
    refuse_structured_array(X, "compare")
    _refuse_one_dimensional_numbers(X)
    for name, values in (("y", y), ("groups", groups), ("sample_weight", sample_weight)):
        refuse_misaligned_rows(X, values, name, "compare")
    weight_keys = {}
    if sample_weight is not None:
        from ._base import check_sample_weight
        # (Its rows' order was just checked, and warned of, above: a Series
        # in another order than X was warned of twice.)
        with thread_filter("ignore", "sample_weight is a pandas", UserWarning):
            sample_weight = check_sample_weight(sample_weight, X)
        _refuse_unweighted_scorers(scorers)
        weight_keys = {name: _weight_fit_key(name, est) for name, est in estimators.items()}
    # (Folds are made from y alone: a shorter y would silently drop rows of X.)
    # indexable also turns a sparse X without row indexing (COO, DIA) into
    # CSR, as cross_validate does: a COO X was "'coo_matrix' object is not
    # subscriptable" in every worker, although the estimators take it.
    X, y = indexable(X, y)
    y_arr = np.asarray(y)
    if classifier:
        # Missing or mixed labels (None beside strings) stopped np.unique below
        # with a bare "'<' not supported between 'NoneType' and 'str'"; labels
        # held as objects that are not strings (pd.Series([1, 0], dtype=object))
        # failed in the stratified folds: "Supported target types are:
        # ('binary', 'multiclass'). Got 'unknown' instead."
        from ._base import check_classification_labels
        check_classification_labels(y_arr, "y")
        scorers = {k: _AllClassesLogLoss(s, np.unique(y_arr)) if _is_log_loss(s) else s
                   for k, s in scorers.items()}
        if y_arr.ndim == 2 and y_arr.shape[1] > 1:
            scorers = {k: _RowAccuracy(s) if _is_accuracy(s) else s
                       for k, s in scorers.items()}
    if classifier and len(np.unique(y_arr)) < 2:
        # (Was a scorer's "Got predict_proba of shape (20, 1)" after fitting.)
        raise ValueError(f"y has the classes {np.unique(y_arr).tolist()}; the classifiers "
                         "need at least two.")
    if classifier and y_arr.ndim == 1:
        _refuse_scorers_for_the_classes(scorers, np.unique(y_arr))
    if not classifier:
        try:
            y_float = np.asarray(y_arr, dtype=np.float64)
        except (TypeError, ValueError):
            y_float = None   # words, pd.NA: left to the estimators' own messages
        if y_float is not None and not np.all(np.isfinite(y_float)):
            # A gap was blamed on the first model: "Model 'ridge' failed to fit
            # on a split of 26 training rows: Input y contains NaN." (in a test
            # fold: "failed to score (r2) ...: Input contains NaN.").
            bad = np.flatnonzero(~np.isfinite(y_float).reshape(len(y_float), -1).all(axis=1))
            raise ValueError(f"y contains NaN or infinity ({len(bad)} row(s), e.g. row "
                             f"{bad[0]}); the regressors need finite targets: drop those "
                             "rows or fill them in.")
        if y_float is not None:
            _refuse_target_spread_the_squares_lose(y_float, scoring, scorers)
            _refuse_targets_outside_the_metrics(y_float, scorers)
            _warn_zero_targets_of_percentage_error(y_float, scorers, sample_weight)
    if not classifier and len(y_arr) and np.all(y_arr == y_arr.ravel()[0]):
        # Every model predicts a constant target up to rounding, and the
        # paired test called a difference of 4e-16 significant (t = -inf).
        raise ValueError(f"y is constant ({y_arr.ravel()[:1].tolist()[0]!r}): there is "
                         "nothing to compare the models on.")
    # A flag, cv=1 or more folds than rows: named here, not by KFold's n_splits.
    check_fold_count(cv, len(y_arr))
    group_codes = None if groups is None else check_group_codes(groups, len(y_arr))
    if group_codes is None:
        _refuse_inner_splitters_without_groups(estimators, y_arr)
    stratify = classifier and y_arr.ndim == 1
    # The labels group folds are stratified on: a classifier's; for a 2-D y,
    # the combination of each row's labels in the columns of classes (a
    # task's class in two groups that GroupKFold put in one test fold was
    # missing from that split's training rows).
    strata = y_arr if stratify else None
    if group_codes is not None and not stratify and y_arr.ndim <= 2:
        # A 1-D y is one column: a multi-task model's classification task
        # given as one had plain GroupKFold, outer and inner, where its 2-D
        # twin had stratified folds; a class in few groups left out of an
        # inner fold failed every fit with advice to "stratify the folds".
        columns = y_arr.reshape(len(y_arr), -1)
        strata = _combined_labels(columns, _class_columns(estimators.values(),
                                                          columns.shape[1], classifier))
    # The classification tasks the multi-task models declare.
    task_columns = ([] if classifier or y_arr.ndim > 2 else
                    _class_columns(estimators.values(), y_arr.reshape(len(y_arr), -1).shape[1],
                                   False))
    # Any integer (a numpy one from a grid or a config, too) is the documented
    # shuffled K-fold: np.int64(5) went to check_cv, unshuffled folds.
    if isinstance(cv, numbers.Integral) and group_codes is not None:
        n_groups = len(np.unique(group_codes))
        if cv > n_groups:
            raise ValueError(f"cv={cv} folds of whole groups need at least {cv} groups; "
                             f"groups has {n_groups}. Lower cv.")
        splitter = (StratifiedGroupKFold if strata is not None else GroupKFold)(
            n_splits=cv, shuffle=True, random_state=random_state)
    elif isinstance(cv, numbers.Integral) and (classifier and y_arr.ndim == 2
                                               or task_columns):
        # Classifiers of several outputs: stratified on each row's labels
        # together, as the group folds are (StratifiedKFold refused the 2-D
        # labels: "Got 'multilabel-indicator' instead"); multi-task models on
        # the labels of the classification tasks they declare (plain KFold
        # left a class of two rows out of a split's training rows, where a
        # classifier's stratified folds keep it, and scored it wrong).
        strata = _combined_labels(y_arr.reshape(len(y_arr), -1),
                                  list(range(y_arr.shape[1])) if classifier else task_columns)
        splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
        if strata is None or np.bincount(strata).max() < cv:
            strata, splitter = None, KFold(n_splits=cv, shuffle=True,
                                           random_state=random_state)
    elif isinstance(cv, numbers.Integral):
        if classifier:
            check_stratified_fold_count(cv, y_arr)
        splitter = (StratifiedKFold if classifier else KFold)(
            n_splits=cv, shuffle=True, random_state=random_state)
    else:
        splitter = check_cv(cv, y_arr, classifier=classifier)
    try:
        # compare uses groups whatever the splitter does with them (the check
        # below, the models' inner folds): scikit-learn's "The groups
        # parameter is ignored by PredefinedSplit" said otherwise.
        combined = (strata is not None and not stratify
                    and isinstance(splitter, (StratifiedGroupKFold, StratifiedKFold)))
        ignored = [("ignore", "The groups parameter is ignored by", UserWarning)]
        if combined:
            # (Of labels the user never gave: a rare combination is no news.)
            ignored.append(("ignore", "The least populated class", UserWarning))
        with thread_filters(*ignored):
            splits = list(splitter.split(np.zeros((len(y_arr), 1)),
                                         strata if combined else y_arr, group_codes))
            if (combined and isinstance(cv, numbers.Integral)
                    and not all(len(test) for _, test in splits)):
                # (Rare, on a few small groups: as folds_of_groups does.)
                splits = list(GroupKFold(n_splits=cv, shuffle=True, random_state=random_state)
                              .split(np.zeros((len(y_arr), 1)), None, group_codes))
    except ValueError as exc:
        if "groups" not in str(exc) or group_codes is not None:
            raise
        raise ValueError(f"cv={splitter!r} needs groups: pass them, "
                         "compare(..., groups=groups).") from exc
    # No splits was a table of NaN, with numpy's "Mean of empty slice"
    # warnings; an index out of range a bare IndexError in a worker, a
    # negative one silently a row from the end. Checked as the estimators do.
    splits = check_splits(splits, len(y_arr), cv)
    if group_codes is not None:
        check_splits_keep_groups(splits, group_codes)
    if sample_weight is not None:
        _refuse_splits_without_weight(splits, sample_weight)
    if classifier and y_arr.ndim == 1:
        _warn_test_classes_missing_from_training(splits, y_arr, sample_weight)
    if not classifier:
        _refuse_r2_on_single_test_rows(scorers, splits, y_arr, scoring)
    distinct = {tuple(np.sort(np.asarray(rows, dtype=np.int64)).tobytes() for rows in split)
                for split in splits}
    if len(distinct) < len(splits):
        # A repeated split repeats its scores: the paired test took the copies
        # as evidence (the same split five times: t = inf, "significant").
        warnings.warn(f"{len(splits) - len(distinct)} of the {len(splits)} splits of cv "
                      "repeat an earlier one (the same training and test rows): their "
                      "scores are copies, and the paired tests count them as independent "
                      "evidence, so their p-values are too small.", UserWarning, stacklevel=2)

    jobs = [(name, est, train, test) for name, est in estimators.items()
            for train, test in splits]
    notes = [""] * len(jobs)
    if group_codes is not None:
        for k, (name, est, train, test) in enumerate(jobs):
            given = _with_inner_group_folds(name, est, group_codes[train],
                                            None if strata is None else strata[train],
                                            None if sample_weight is None
                                            else sample_weight[train])
            jobs[k] = (name, given, train, test)
            if given is not est:
                # A fit failing on them said nothing of compare's change (a
                # cv that is no number of folds failed in its own words).
                now = given.get_params()
                notes[k] = " (groups=: compare replaced its " + ", ".join(
                    f"{key}={value!r} by {len(now[key])} folds of whole groups"
                    for key, value, _ in _cv_parameters(est)
                    if isinstance(now[key], list) and not isinstance(value, list)
                ) + " of these rows)"
    out = [None] * len(jobs)
    if n_jobs is not None and n_jobs > len(jobs):
        # No more workers than fits: loky starts every worker it is given
        # (n_jobs=50 for 4 fits started 50 processes), and the command's
        # --n-jobs 1000 for 20 fits ran past 2 minutes on 2 cores.
        n_jobs = len(jobs)
    # On a terminal a bar, elsewhere a plain line now and then; shown at once,
    # so a long first fit does not look like a hang.
    with progress_bar(len(jobs), "compare", enabled=progress, unit="fit", delay=0) as bar:
        results = _parallel(n_jobs)(
            # (Which split failed was unsaid: every split of K-fold has about
            # as many training rows, so "a split of 40 training rows" named none.)
            delayed(_indexed_fit_score)(k, name, est, X, y, train, test, scorers, notes[k],
                                        f" (split {k % len(splits) + 1} of {len(splits)})",
                                        sample_weight, weight_keys.get(name))
            for k, (name, est, train, test) in enumerate(jobs))
        for k, res in results:
            out[k] = res
            bar.set_postfix_str(f"{jobs[k][0]} done", refresh=False)
            bar.update()

    names, J = list(estimators), len(splits)
    scores = {n: {m: np.empty(J) for m in scorers} for n in names}
    fit_time = {n: np.empty(J) for n in names}
    predict_time = {n: np.empty(J) for n in names}
    seen = Tally()
    for k, ((name, _, _, _), (s, ft, pt, messages)) in enumerate(zip(jobs, out)):
        j = k % J
        for m in scorers:
            scores[name][m][j] = s[m]
        fit_time[name][j], predict_time[name][j] = ft, pt
        # Texts that differ in their numbers alone are one warning, counted
        # once per split and given with the first split's text: scipy's
        # "An ill-conditioned matrix detected: slice 0 has rcond = 1.2e-20."
        # of a Ridge(solver='cholesky'), a number of its own in every split,
        # was given 20 times, "(1 of 20 splits)" each, for 20 splits.
        for category, message in messages:
            seen.add((name, category), message, per=k)
    for (name, category), message, count, varied in seen:
        varied = varied_note("splits") if varied else ""
        warnings.warn(f"{name} ({count} of {J} splits{varied}): {message}", category,
                      stacklevel=2)
    for name in names:
        for m in scorers:
            if np.isnan(scores[name][m]).any():
                # The table shows 'nan ± nan'; say where it comes from.
                warnings.warn(f"{name} scored NaN on {int(np.isnan(scores[name][m]).sum())} "
                              f"of {J} splits by {m}; its mean is NaN.", RuntimeWarning,
                              stacklevel=2)
            infinite = np.isinf(scores[name][m])
            if infinite.any():
                # The table showed 'inf ± nan' (or '-inf'), and the only
                # warning was numpy's "invalid value encountered in subtract".
                values = "/".join(sorted({str(v) for v in scores[name][m][infinite]}))
                with np.errstate(invalid="ignore"):   # (inf + -inf is nan, said here)
                    mean = float(np.sum(scores[name][m])) / J
                warnings.warn(f"{name} scored {values} on {int(infinite.sum())} of {J} "
                              f"splits by {m}; its mean is {mean} and its spread "
                              "undefined.", RuntimeWarning, stacklevel=2)
    if not classifier:
        _warn_constant_test_targets(scorers, splits, y_arr, sample_weight)
    return ComparisonResult(names, list(scorers), scores, fit_time, predict_time,
                            [_rows_counted(tr, sample_weight) for tr, _ in splits],
                            [_rows_counted(te, sample_weight) for _, te in splits],
                            pair=pair, task="classification" if classifier else "regression",
                            title=title, signs=signs, grouped_by=_grouped_by(groups),
                            weighted=sample_weight is not None)


def _grouped_by(groups):
    """What the table's header says the groups are: "column 'school'" for a
    named pandas Series, "" for other groups, None for none."""
    if groups is None:
        return None
    name = getattr(groups, "name", None)
    return f"column {name!r}" if isinstance(name, str) and name else ""
