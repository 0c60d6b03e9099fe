"""Targets of the multi-task estimators: task types, encoding, decoding.

Shared by :class:`~skmoe.MultiGateMixtureOfExperts` (``_mmoe.py``) and
:class:`~skmoe.HeterogeneousMultiGateMixtureOfExperts` (``_mmoe_hetero.py``).
Each column of ``y`` is a task: 'regression' (standardised for training),
'binary' or 'multiclass' (labels encoded as 0..C-1).
"""

import contextlib
import numbers
import warnings

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, MultiOutputMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import RegressorTags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._base import (_BaseExpertComposition, check_label_values, check_relative_sample_weight,
                    check_sample_weight, object_labels_error, refuse_time_target,
                    rows_of_positive_weight, scaled_r2_score, scoring_weights)
from ._data import (FittedMarkerMixin, huge_values_hint, is_dataframe, is_polars_frame,
                    is_sparse_frame, keep_column_labels, listed_rows, mean_and_scale,
                    normalised_weights,
                    refuse_duplicate_columns, refuse_misaligned_rows,
                    refuse_other_frame_time_columns, refuse_sparse_fill,
                    refuse_unreadable_tensor, validate_numeric_data)
from ._training import MAX_WEIGHT_DECAY

TASK_TYPES = ("regression", "binary", "multiclass")


def _has_classification_task(estimator):
    tasks = estimator.tasks
    if isinstance(tasks, str):
        return tasks != "regression"
    return tasks is not None and any(t != "regression" for t in tasks)


def _missing(column, none=True):
    """Where a column of y is missing: NaN, and in an object column ``pd.NA``
    (a string column's missing value; ``NA != NA`` is no bool, and comparing
    the column with itself stopped with a bare TypeError) and, with ``none``,
    None (in a regression column it was reported as infinity; a classification
    task's labels name it themselves)."""
    if column.dtype != object:
        return np.asarray(column != column, dtype=bool)     # NaN != NaN

    def missing(value):
        if value is None:
            return none
        try:
            return bool(value != value)
        except TypeError:                                   # pd.NA
            return True

    return np.array([missing(value) for value in column], dtype=bool)


def _sparse_columns_dense(y):
    """y, where it is a pandas frame mixing sparse and dense columns, with its
    sparse columns dense (the same values and dtypes); else y itself.

    pandas 3.0 failed to find such a frame's common dtype in ``np.asarray``:
    a ``Sparse[bool]`` label column beside a float regression column stopped
    the fit with pandas' "fill_value must be a valid value for the
    SparseDtype.subtype" (pandas 3.1 reads it).
    """
    if not is_dataframe(y):
        return y
    import pandas as pd

    sparse = [j for j, dtype in enumerate(y.dtypes) if isinstance(dtype, pd.SparseDtype)]
    if not sparse:
        return y
    dense = y.copy(deep=False)
    for j in sparse:
        dense.isetitem(j, y.iloc[:, j].sparse.to_dense())
    return dense


def _target_array(y):
    """y as an array; a DataFrame's integer columns beyond 2**53 keep their values.

    Beside a float column they became float64: labels such as 2**62 and
    2**62 - 1 merged into one class, silently. A sparse y is refused as
    scikit-learn refuses it (np.asarray made it a 0-d object array: "y must
    have shape ... got shape ()" for a y of shape (n_samples, n_tasks)).
    """
    refuse_unreadable_tensor(y, name="y")
    if issparse(y):
        raise TypeError(f"Sparse data was passed for y (shape {y.shape}), but dense data "
                        "is required. Use '.toarray()' to convert to a dense numpy array.")
    if isinstance(y, dict):
        # np.asarray of a dict is a 0-d object array: "y must have shape
        # (n_samples,) or (n_samples, n_tasks) ...; got shape ()".
        raise TypeError(f"y is a dict (keys {list(y)[:10]!r}); pass one column per task as "
                        "an array of shape (n_samples, n_tasks) or a DataFrame, e.g. "
                        "pd.DataFrame(y).")
    Y = np.asarray(_sparse_columns_dense(y))
    if Y.dtype.kind in "biuf":
        # np.asarray gives a polars frame's dates and time spans beside numbers
        # as counts of their unit: a task of dates was fitted and predicted as
        # days since 1970 (a pandas frame's are refused, as dates or as not
        # numeric; alone, they stay dates).
        refuse_other_frame_time_columns(y, name="y")
    if is_dataframe(y) and Y.dtype.kind == "f" and any(
            dtype.kind in "iu" and np.any(np.abs(y.iloc[:, j].to_numpy(np.float64)) >= 2.0 ** 53)
            for j, dtype in enumerate(y.dtypes)):
        return y.astype(object).to_numpy()
    columns = _other_frame_columns(y) if Y.dtype.kind == "f" else None
    if columns and any(column.dtype.kind in "iu"
                       and np.any(np.abs(column.astype(np.float64)) >= 2.0 ** 53)
                       for column in columns):
        # A polars frame's too: np.asarray merged its labels 2**62 + 1 and
        # 2**62 + 3 into one float, and a task of three classes fitted two.
        return np.column_stack([column.astype(object) for column in columns])
    return Y


def _other_frame_columns(y):
    """A polars DataFrame's columns as numpy arrays; None for any other y.

    (Not a dask frame's, which would be computed once more for them.)
    """
    if not is_polars_frame(y):
        return None
    try:
        return [np.asarray(y[name]) for name in y.columns]
    except (TypeError, KeyError, IndexError, ValueError):
        return None


def _column_names(y):
    """A pandas or polars DataFrame's column names as a list; None for any other y."""
    return list(y.columns) if is_dataframe(y) or is_polars_frame(y) else None


def _column_dtypes(y):
    """The numpy or pandas dtype of each column of a data frame y; None for any other y."""
    if is_dataframe(y):
        return list(y.dtypes)
    columns = _other_frame_columns(y)
    return None if columns is None else [column.dtype for column in columns]


def _object_labels(column):
    """An object column of class labels as numpy reads its values (its numbers
    as numbers), whole numbers beyond int64 kept whole.

    A uint64 column beside a float one comes in y's array as Python ints, and
    numpy reads 2**63 + 1 beside 1 as floats: the task was refused as
    "Unknown label type: continuous" (and such labels 1 apart would merge).
    """
    labels = np.asarray(column.tolist())
    if labels.dtype.kind == "f" and all(
            isinstance(value, numbers.Integral) for value in column):
        try:
            return np.asarray(column.tolist(), dtype=np.uint64)
        except OverflowError:   # negative ones too, or beyond uint64: objects
            return column
    return labels


def _labels_in_column_dtype(classes, dtype):
    """``classes`` in the numeric or bool dtype of the DataFrame column they
    came from, where that dtype holds them exactly; as they are otherwise.

    A DataFrame y is one array of its columns' common dtype: integer labels
    beside a float column were read as floats (classes_ 1.0, 2.0, 3.0 for 1,
    2, 3), and integer or bool labels beside a string or bool column as
    Python objects (classes_ of dtype object), where a classifier fitted on
    the column alone has the column's dtype (int64, bool, int8, float32). A
    nullable column (Int64, boolean, a numeric Categorical) gives its numpy
    dtype, as a one-dimensional y of it does (exact: labels beyond 2**53
    beside a float column are read as objects, _target_array).
    """
    import pandas as pd

    if isinstance(dtype, pd.SparseDtype):
        # Its values' dtype, which it names subtype (pd.arrays.SparseArray of
        # int labels beside a float column gave classes_ 0.0 and 1.0, of bools
        # an object array).
        dtype = dtype.subtype
    if not isinstance(dtype, np.dtype):
        # pandas' nullable dtypes name their numpy dtype; a Categorical its
        # categories' dtype.
        categories = getattr(dtype, "categories", None)
        dtype = (getattr(dtype, "numpy_dtype", None) if categories is None
                 else categories.dtype)
    if not isinstance(dtype, np.dtype) or dtype.kind not in "biuf" or classes.dtype == dtype:
        return classes
    try:
        typed = classes.astype(dtype)
    except (TypeError, ValueError, OverflowError):
        return classes
    with np.errstate(invalid="ignore"):
        exact = typed.shape == classes.shape and bool(np.all(typed == classes))
    return typed if exact else classes


def _tiny_note(tiny, weights):
    """For tasks whose positive weight is 0 once rescaled to float32: why."""
    if not len(tiny):
        return ""
    return (f" (task(s) {tiny.tolist()} weigh {weights[tiny].tolist()}, below float32's "
            f"smallest number once divided by the largest weight, {float(weights.max())!r}: 0 in "
            "training)")


def _not_numeric(t, column, y=None):
    """The message for regression task ``t`` whose ``column`` (of the array
    made from ``y``) is not numeric: names y's column where y is a DataFrame,
    and the column's own dtype (the array's is the columns' common one)."""
    if is_dataframe(y):
        what = f"{y.columns[t]!r}, dtype {y.dtypes.iloc[t]}"
    else:
        what = f"dtype {column.dtype}"
    return f"Task {t} is a regression task but its column of y ({what}) is not numeric."


def _refuse_time_task(column, t):
    """Refuse a regression task of dates or time spans (a datetime64 or
    timedelta64 y): astype(float64) reads them as counts of their unit, and a
    task of dates was fitted, predicted and scored as days, silently."""
    refuse_time_target(column, subject=f"Task {t} is a regression task but its column of y")


def task_mean_score(Y, Y_pred, tasks, sample_weight=None, y=None):
    """Mean over tasks of R^2 (regression) and accuracy (classification).

    ``Y``, ``Y_pred``: arrays of shape (n_samples, n_tasks); ``tasks``: each
    column's kind ('regression' or a classification kind); ``y``: the target
    ``Y`` was made from, to name its columns in errors. The multi-task
    estimators' ``score``, and ``compare()``'s default score for them.
    """
    # Rescaled (only their ratios matter): weights of 5e-324 made every
    # squared residual 0 and R^2 1.0, weights of 1e308 overflowed the
    # accuracy's sum (a score of NaN).
    sample_weight = scoring_weights(sample_weight)
    scores = []
    for t, kind in enumerate(tasks):
        true, pred = Y[:, t], Y_pred[:, t]
        if kind == "regression":
            missing = np.flatnonzero(_missing(true))
            if missing.size:
                # (r2_score's "Input contains NaN." named no task, and pd.NA
                # was reported as a column that "is not numeric".)
                raise ValueError(f"Regression task {t} has {missing.size} missing value(s) "
                                 f"(the first at row {missing[0]}): drop those rows to "
                                 "score it.")
            _refuse_time_task(true, t)
            if np.iscomplexobj(true):
                # (astype dropped the imaginary parts with numpy's ComplexWarning
                # only; fit refuses them.)
                raise ValueError(f"y contains complex numbers in column {t} (task {t}, "
                                 "regression); complex data is not supported.")
            try:
                true = true.astype(np.float64)
            except (TypeError, ValueError) as exc:     # (numpy's bare message)
                raise ValueError(_not_numeric(t, Y[:, t], y)) from exc
            scores.append(scaled_r2_score(true, pred.astype(np.float64), sample_weight))
            continue
        # Checked as a classifier's score (accuracy_score) checks them: a
        # missing label, or labels of another type than the classes (0/1
        # against 'no'/'yes'), counted as wrong predictions without a word.
        check_label_values(true, f"Classification task {t}")
        true, pred = (_object_labels(c) if c.dtype == object else c for c in (true, pred))
        try:
            scores.append(accuracy_score(true, pred, sample_weight=sample_weight))
        except ValueError as exc:
            raise ValueError(f"Task {t} is a classification task: {exc}") from exc
    return float(np.mean(scores))


def _refuse_overflow(values, standardised, task, X):
    """A clear error where a regression task's predictions ``values`` overflowed
    to infinity in the scale of y, its ``standardised`` ones being finite.

    An X of 1e308 (finite, checked) gave experts' standardised predictions
    near 1e308, which times y's scale were inf: predict returned inf without
    a word, where the single-task mixtures name the rows and the column.
    """
    overflowed = ~np.isfinite(values) & np.isfinite(standardised)
    if overflowed.any():
        rows = np.flatnonzero(overflowed)
        message = (f"The predictions of task {task} overflow to infinity on {rows.size} of "
                   f"{len(values)} rows (first: {listed_rows(rows)}; positions counted "
                   "from 0).")
        hint = huge_values_hint(message, X)
        raise ValueError(message[:-1] + hint + "." if hint else message)


class _BaseMultiTask(FittedMarkerMixin, MultiOutputMixin, BaseEstimator):
    """Task types, target validation/encoding and prediction decoding.

    Subclasses implement ``_fit_encoded(X, Y, sample_weight)`` and
    ``_task_outputs(X)``, which returns per task the standardised regression
    prediction, shape (n,), or the class probabilities, shape (n, n_classes).
    """

    # Rows of zero sample_weight are left out before fitting where they would
    # still move cross-fitting folds (the heterogeneous mixture). The neural
    # mixtures train by minibatches, where such a row adds nothing to the
    # loss: leaving it out would only cut the optimiser's steps per epoch.
    _zero_weight_rows_left_out = False

    # ------------------------------------------------------------ targets
    def _validate_tasks(self, Y, sample_weight=None, dtypes=None, y=None):
        """Check ``y`` against ``tasks``; set ``tasks_``, ``classes_``, scaling.

        ``classes_`` come from every row, as in scikit-learn; the targets'
        scaling from the rows of positive weight, which are the rows fitted,
        weighted as the loss weighs them.
        ``dtypes``: a DataFrame y's column dtypes, or None; ``y``: the target
        as given, to name its columns in errors.
        """
        n_tasks = Y.shape[1]
        tasks = self.tasks
        if tasks is None or isinstance(tasks, str):
            tasks = [tasks or "regression"] * n_tasks
        tasks = list(tasks)
        for t, kind in enumerate(tasks):
            if kind not in TASK_TYPES:
                raise ValueError(f"Unknown task type {kind!r} for task {t}; expected one "
                                 f"of {list(TASK_TYPES)}.")
        if len(tasks) != n_tasks:
            raise ValueError(f"y has {n_tasks} column(s) but {len(tasks)} task(s) were "
                             f"declared in tasks={self.tasks!r}.")
        # (A nested list such as [[1, 1]] is not one weight per task: no reshape.
        # A copy: a float64 array given was task_weights_ itself, which changed
        # when the caller changed the array after fit.)
        try:
            weights = np.ones(n_tasks) if self.task_weights is None else np.array(
                self.task_weights, dtype=np.float64)
        except (TypeError, ValueError):
            # A dict ({'price': 2, ...}) or words failed in numpy's float(),
            # naming no parameter: the message below says what is expected.
            weights = None
        # Below 1e37, as weight decays are (_training): [1e38, 1] overflowed
        # float32 and MMoE's training "diverged ... lower learning_rate".
        if weights is None or weights.shape != (n_tasks,) or not np.all(
                weights < MAX_WEIGHT_DECAY) or np.any(weights < 0) or not np.any(weights > 0):
            raise ValueError(f"task_weights must be {n_tasks} finite positive numbers "
                             f"(below {MAX_WEIGHT_DECAY:.0e}); got "
                             f"{self.task_weights!r}.")
        # Zero where training reads them: rescaled, in float32 (task_weights=
        # [1e-300, 1] was accepted and trained task 0 with weight 0.0, the
        # untrained tower that weight 0 is refused for, without a word).
        zero = np.flatnonzero(normalised_weights(weights).astype(np.float32) == 0)
        tiny = np.setdiff1d(zero, np.flatnonzero(weights == 0))
        if len(zero):
            # A task of weight 0 adds nothing to the loss: its gate (and the
            # MMoE's tower) kept their random initial weights, and predict
            # gave that task's outputs from them, silently (task_weights=
            # [1, 0]: correlation 0.05 with the second target, against 0.82
            # at [1, 1]); score averaged them in.
            # (MMoE's 'omoe' and 'shared_bottom' have no gate of a task's own.)
            architecture = getattr(self, "architecture", None)
            own = ("gate" if architecture is None else "gate and tower"
                   if architecture in ("mmoe", "ple") else "tower")
            raise ValueError(
                f"task_weights gives task(s) {zero.tolist()} (by position in y's columns) "
                f"weight 0{_tiny_note(tiny, weights)}: their loss would not count in "
                f"training, so their {own} would "
                "keep its random initial weights and predict would give those tasks "
                "untrained outputs. Fit without those columns of y, or give them a small "
                "positive weight.")
        if self.task_weights is not None and n_tasks == 1:
            # Only their ratios matter: one task's weight was rescaled to one,
            # without a word (at the caller of fit, through _validate_fit_data).
            warnings.warn(f"task_weights={self.task_weights!r} has no effect with one task: "
                          "only the weights' ratios matter (they are rescaled to mean one).",
                          UserWarning, stacklevel=4)
        encoded = np.empty(Y.shape, dtype=np.float64)
        self.classes_, self._y_mean, self._y_scale = [], np.zeros(n_tasks), np.ones(n_tasks)
        # Per task, the encoded classes no row of positive weight has (None:
        # every class has such rows): they are in classes_, but left out.
        self._classes_without_rows = [None] * n_tasks
        for t, kind in enumerate(tasks):
            column = Y[:, t]
            missing = np.flatnonzero(_missing(column, none=kind == "regression"))
            if missing.size:
                # (The rows were not named: a user had to search the column.)
                raise ValueError(f"y contains NaN in column {t} (task {t}, {kind}): "
                                 f"{missing.size} value(s), at row(s) "
                                 f"{listed_rows(missing)} (positions counted "
                                 "from 0); None and pd.NA count as missing too. Drop those "
                                 "rows or fill them in.")
            if kind == "regression":
                if np.iscomplexobj(column):
                    # astype(float64) dropped the imaginary parts, with only
                    # numpy's ComplexWarning, as scikit-learn refuses them.
                    raise ValueError(f"y contains complex numbers in column {t} (task {t}, "
                                     "regression); complex data is not supported.")
                _refuse_time_task(column, t)
                try:
                    column = column.astype(np.float64)
                except (TypeError, ValueError) as exc:
                    # (With tasks=None, the default, a y of class labels got only
                    # "Task 0 is a regression task ...", never saying that the
                    # default made it one, nor how to declare classes.)
                    hint = (" tasks=None (the default) makes every column a regression "
                            "task; for a column of classes pass tasks=['binary'] or "
                            "['multiclass'], one type per column of y."
                            if self.tasks is None else "")
                    raise ValueError(_not_numeric(t, Y[:, t], y) + hint) from exc
                if not np.all(np.isfinite(column)):
                    raise ValueError(f"y contains infinity in column {t} (regression).")
                kept = column if sample_weight is None else column[sample_weight > 0]
                # Weighted as the loss weighs the rows (a row of weight 3 as its
                # three copies, one of weight 1e-9 nearly as none).
                self._y_mean[t], self._y_scale[t] = mean_and_scale(
                    kept, None if sample_weight is None else sample_weight[sample_weight > 0])
                encoded[:, t] = (column - self._y_mean[t]) / self._y_scale[t]
                if len(kept) and kept.min() == kept.max():
                    # A constant task is its constant: scaled by one, the
                    # network's leftover outputs (0.35 after 2 epochs) were
                    # added to it, a prediction of -0.35 for y = 0 or 3e-12.
                    self._y_scale[t] = 0.0
                self.classes_.append(None)
                continue
            self._check_labels(column, t)
            encoder = LabelEncoder().fit(column)
            n_classes = len(encoder.classes_)
            if n_classes < 2:
                raise ValueError(f"Classification task {t} has only one class "
                                 f"({encoder.classes_[0]!r}); it needs at least two.")
            if kind == "binary" and n_classes > 2:
                raise ValueError(f"Task {t} is declared 'binary' but has {n_classes} "
                                 "classes; declare it 'multiclass'.")
            encoded[:, t] = encoder.transform(column)
            if sample_weight is not None:
                # As the single-task classifiers refuse it: a task whose rows of
                # positive weight hold one class learnt that class for every row
                # (its other classes' probabilities near 0), without a word.
                weighted = np.unique(encoded[sample_weight > 0, t]).astype(int)
                if len(weighted) < 2:
                    raise ValueError(
                        f"Classification task {t}: only class "
                        f"{encoder.classes_[weighted[:1]].tolist()[0]!r} has rows of positive "
                        f"sample_weight (the column has {n_classes} classes; rows of zero "
                        "weight do not count): a task needs rows of two classes or more. "
                        "Check sample_weight.")
                absent = np.setdiff1d(np.arange(n_classes), weighted)
                self._classes_without_rows[t] = absent if absent.size else None
            classes = encoder.classes_
            if dtypes is not None:
                classes = _labels_in_column_dtype(classes, dtypes[t])
            self.classes_.append(classes)
        self.tasks_ = tasks
        self.n_tasks_ = n_tasks
        self.task_weights_ = weights
        return encoded

    @staticmethod
    def _check_labels(column, t):
        """Reject what scikit-learn classifiers reject: missing, mixed, infinite or
        continuous labels."""
        # An object column (mixed task types in one y) hides its labels' kind
        # from type_of_target; its elements' own dtype tells it.
        check_label_values(column, f"Classification task {t}")
        if column.dtype == object:
            sequence = next((v for v in column if isinstance(v, (tuple, list, np.ndarray))),
                            None)
            if sequence is not None:
                # Read through tolist() below, tuples became a second axis that
                # passed as multi-output labels, and the fit ended in
                # "unhashable type: 'numpy.ndarray'" (lists: "Encoders require
                # ... uniformly strings or numbers"; tuples of unequal length:
                # "inhomogeneous shape"), none naming the task or the labels.
                raise ValueError(
                    f"Classification task {t} has sequences as class labels (e.g. "
                    f"{sequence!r} of type {type(sequence).__name__}): a class label is "
                    "one string or number; join the parts into one, e.g. "
                    "y[column].map(str).")
        labels = _object_labels(column) if column.dtype == object else column
        if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
            raise ValueError(f"y contains infinity in column {t} (classification task).")
        try:
            check_classification_targets(labels)
        except ValueError as exc:
            # Decimals (a SQL column) were told only "Unknown label type:
            # unknown ... a regression target with continuous values", where
            # the single-task classifiers name their type and the conversion.
            named = object_labels_error(labels, exc, f"Classification task {t}")
            if named is not None:
                raise named from exc
            raise ValueError(f"Task {t} is a classification task: {exc}") from exc

    # Fitted once ``n_iter_`` is set, at the end of fit: a fit that failed
    # half-way (X or y refused after feature_names_in_ was set, training after
    # module_ was built) looked fitted, and predict failed with "object has no
    # attribute 'module_'".
    _fitted_marker = "n_iter_"

    def _validate_fit_data(self, X, y, sample_weight):
        """X, Y and sample_weight checked, rows of zero weight left out where the
        class does so; and ``kept``: None where every row is kept, otherwise
        ``(kept_rows, n_given)``, the positions of the rows kept among the
        ``n_given`` given, to which splits given as ``cv`` are renumbered.
        """
        self._forget_fit()
        self._validate_params()
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the "
                             "target y is None.")
        # (Before X becomes an array, whose rows have no labels to compare.)
        for name, values in (("y", y), ("sample_weight", sample_weight)):
            refuse_misaligned_rows(X, values, name, type(self).__name__)
        X = self._validate_X(X, reset=True)
        self._check_task_weight_order(y)
        # y's column labels, for score to refuse them in another order.
        # (A polars frame's too: its columns in another order were scored
        # against the other task's predictions, 1.00 for y, -2.63 reordered.)
        self._target_columns_in = _column_names(y)
        Y = _target_array(y)
        if Y.ndim not in (1, 2) or len(Y) != len(X):
            raise ValueError(f"y must have shape (n_samples,) or (n_samples, n_tasks) with "
                             f"n_samples={len(X)}; got shape {Y.shape}.")
        self._y_1d = Y.ndim == 1
        Y = Y.reshape(len(Y), -1)
        if Y.shape[1] == 0:
            raise ValueError("y has no columns; at least one task is needed.")
        # (np.asarray, not np.ndim: an array-like without __array_function__,
        # scikit-learn's _NotAnArray, refuses np.ndim.)
        if sample_weight is not None and np.asarray(sample_weight).ndim == 2:
            # (scikit-learn's "Sample weights must be 1D array or scalar" said
            # nothing of what a (n_samples, n_tasks) matrix meant to a user:
            # weights per task and row, which no loss here takes.)
            raise ValueError(
                f"sample_weight has shape {np.shape(sample_weight)}, but "
                f"{type(self).__name__} takes one weight per row, shape (n_samples,), "
                "shared by every task: weights per task and row are not supported. "
                "task_weights weighs whole tasks; to weigh a task's rows apart, fit that "
                "task in a model of its own.")
        # (Where the rows of zero weight are left out, the others rescaled
        # among themselves: bit for bit the weights of those rows alone.)
        sample_weight = check_relative_sample_weight(
            sample_weight, X, positive_only=self._zero_weight_rows_left_out)
        Y = self._validate_tasks(Y, sample_weight, _column_dtypes(y), y=y)
        if sample_weight is not None and self._zero_weight_rows_left_out:
            # A row of zero weight is a row left out, as in the single-task
            # mixtures: kept, it still moved the cross-fitting folds (a fit on
            # 2 weighted rows of 60 went through 3 folds without a word).
            n_given = len(X)
            X, Y, sample_weight, kept_rows = rows_of_positive_weight(X, Y, sample_weight,
                                                                     rescale=False)
            return X, Y, sample_weight, None if kept_rows is None else (kept_rows, n_given)
        return X, Y, sample_weight, None

    def _check_task_weight_order(self, y):
        """A Series of task weights labelled by y's columns in another order.

        Its values are read by position, one per column of y: task_weights=
        pd.Series({'sold': 5, 'price': 1}) for y's columns ['price', 'sold']
        weighted 'price' by 5, without a word.
        """
        index = getattr(self.task_weights, "index", None)
        # (A list's or a tuple's index is a method: task_weights=[1, 2] with a
        # DataFrame y failed with "'builtin_function_or_method' object is not
        # iterable".)
        if index is None or callable(index) or _column_names(y) is None:
            return
        index, columns = list(index), _column_names(y)
        if index != columns and len(index) == len(columns) and set(index) == set(columns):
            raise ValueError(f"task_weights is labelled {index} but y's columns are "
                             f"{columns}; its values are read by position, one per column "
                             "of y: pass task_weights[y.columns].")
        # Labels that are not y's columns (a list's Series, labelled 0, 1, ...,
        # is read by position as the list): pd.Series({'price': 1, 'stock': 5})
        # for y's ['price', 'sold'] weighted 'sold' by 5, without a word.
        unknown = [label for label in index if label not in columns]
        if unknown and len(index) == len(columns) and index != list(range(len(index))):
            raise ValueError(f"task_weights is labelled {index} but y's columns are "
                             f"{columns}: {unknown} name no column of y. Label the weights "
                             "by y's columns, or pass them as a list, by position.")

    # ---------------------------------------------------------- prediction
    # Integer column labels are no feature names that scikit-learn checks:
    # X[[2, 1, 0]] was predicted from swapped features without a word, as the
    # single-task mixtures refuse it.
    _check_column_order = _BaseExpertComposition._check_column_order

    def _validate_X(self, X, reset):
        if issparse(X):
            # scikit-learn's "Use '.toarray()'" is no fix in a Pipeline, where a
            # ColumnTransformer that one-hot encodes many values makes X sparse
            # (it did on epa2021, which the single-task mixtures take sparse).
            raise TypeError(
                f"Sparse data was passed for X, but {type(self).__name__} needs dense "
                "data (its gates read X). Use X.toarray(); in a Pipeline, pass "
                "sparse_threshold=0 to the ColumnTransformer (or sparse_output=False to "
                "its OneHotEncoder), which gives a sparse matrix when most of its output "
                "is zeros.")
        # (A fill value other than 0 first: its own message, as every model gives it.)
        refuse_sparse_fill(X, type(self).__name__)
        if is_sparse_frame(X):
            # scikit-learn reads it as a sparse matrix and said "Use
            # '.toarray()'", which a DataFrame does not have.
            raise TypeError(
                f"X is a DataFrame of sparse columns, which scikit-learn reads as a sparse "
                f"matrix, but {type(self).__name__} needs dense data (its gates read X). "
                "Make it dense with X.sparse.to_dense().")
        # (Before the column order, which reads the names.)
        refuse_duplicate_columns(X, type(self).__name__)
        if not reset:
            self._check_column_order(X)
        # A composition of experts takes NaN where every expert does (its
        # gates impute it), and names those that refuse it.
        nan_policy = getattr(self, "_nan_policy", lambda: True)()
        with (self._nan_refusers_named(X) if hasattr(self, "_nan_refusers_named")
              else contextlib.nullcontext()):
            # (A DataFrame with category or string columns stopped with pandas'
            # "Cannot cast str dtype to float64", naming no column.)
            checked = validate_numeric_data(self, X, reset=reset,
                                            ensure_min_samples=2 if reset else 1,
                                            ensure_all_finite=nan_policy,
                                            who=type(self).__name__)
        if reset:
            keep_column_labels(self, X)
        return checked

    def _check_X(self, X):
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    def predict(self, X):
        """Predict every task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks)
            Regression values and class labels, one column per task (an
            object array when some task has non-numeric labels); shape
            (n_samples,) when the model was fitted on a one-dimensional ``y``.
        """
        X = self._check_X(X)
        outputs = self._task_outputs(X)
        columns = []
        for t, (kind, classes, out, mean, scale) in enumerate(zip(
                self.tasks_, self.classes_, outputs, self._y_mean, self._y_scale)):
            if kind == "regression":
                with np.errstate(over="ignore"):
                    values = out * scale + mean
                names = getattr(self, "_target_columns_in", None)
                _refuse_overflow(values, out, f"{t}" if names is None else f"{t} ({names[t]!r})", X)
                columns.append(values)
            else:
                columns.append(classes[np.argmax(out, axis=1)])
        if self._y_1d:
            # One task: its labels as classes_ holds them, as a classifier's
            # predict does (string labels came back as an object array).
            return columns[0]
        numeric = all(np.issubdtype(c.dtype, np.number) or c.dtype == bool for c in columns)
        if numeric:
            Y = np.column_stack(columns)
            # Integer labels beyond 2**53 beside a float column lost their last
            # digits in float64: 2**62 + 1 and 2**62 + 3 both came back 2**62.
            if all(np.array_equal(Y[:, t].astype(c.dtype), c) for t, c in enumerate(columns)):
                return Y
        return np.column_stack([c.astype(object) for c in columns])

    @available_if(_has_classification_task)
    def predict_proba(self, X):
        """Class probabilities of every classification task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : list of length n_tasks
            For a classification task, an ndarray of shape (n_samples,
            n_classes) whose columns follow ``classes_[t]``; None for a
            regression task. A list even for one task fitted on a 1-D ``y``.
            Where every task is a classification task, the same type and
            shapes as :class:`~sklearn.multioutput.MultiOutputClassifier`'s
            ``predict_proba`` (a list of one array per column of ``y``, a
            binary task's of two columns).

        Notes
        -----
        A multi-task model is not a scikit-learn classifier, and this list is
        not one classifier's array: scorers that read probabilities
        (``scoring='neg_log_loss'``, ``'roc_auc'``) fail on it ("Found array
        with dim 3"), even for one task; score ``predict_proba(X)[t]`` against
        the task's column yourself. ``cross_val_predict(method='predict_proba')``
        label-encodes every column of ``y`` before fitting, a regression
        task's too: use it only where every task is a classification task.
        """
        outputs = self._task_outputs(self._check_X(X))
        return [None if kind == "regression" else out
                for kind, out in zip(self.tasks_, outputs)]

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of R^2 (regression) and accuracy (classification).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        for name, values in (("y", y), ("sample_weight", sample_weight)):
            refuse_misaligned_rows(X, values, name, type(self).__name__)
        Y_pred = np.asarray(self.predict(X)).reshape(len(X), -1)
        fitted = getattr(self, "_target_columns_in", None)
        if fitted is not None and _column_names(y) is not None:
            columns = _column_names(y)
            if columns != fitted and len(columns) == len(fitted) and set(columns) == set(fitted):
                # Read by position, the columns were scored against the other
                # task's predictions: 0.997 for y, -0.986 for y[['sold', 'price']].
                raise ValueError(f"y has the columns seen in fit in another order ({columns}; "
                                 f"in fit: {fitted}); they are read by position, one per "
                                 "task: pass y[fit_columns].")
        Y = _target_array(y)
        if Y.ndim not in (1, 2) or len(Y) != len(Y_pred) or (
                Y.reshape(len(Y), -1).shape[1] != self.n_tasks_):
            # (An IndexError or a failed reshape before.)
            raise ValueError(f"y must have shape ({len(Y_pred)}, {self.n_tasks_}) (one column "
                             f"per task{', or 1-D' if self.n_tasks_ == 1 else ''}); "
                             f"got shape {Y.shape}.")
        Y = Y.reshape(len(Y_pred), -1)
        # (Of the wrong length, numpy's bare "Axis must be specified when shapes
        # of a and weights differ" for a classification task.)
        sample_weight = check_sample_weight(sample_weight, Y_pred)
        return task_mean_score(Y, Y_pred, self.tasks_, sample_weight, y=y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        # Every task a regression (the default): a regressor, as scikit-learn's
        # tools ask (partial_dependence refused it: "'estimator' must be a
        # fitted regressor or classifier"). With a classification task it is
        # neither: its classes_ are one array per task.
        tasks = self.tasks
        if tasks is None or isinstance(tasks, str):
            tasks = [tasks or "regression"]
        if isinstance(tasks, (list, tuple)) and all(t == "regression" for t in tasks):
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        return tags
