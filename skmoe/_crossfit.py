"""Cross-fitting: every expert's out-of-fold predictions on folds they all share.

One place for what EM, the stacked gate, the joint gradient trainer, the
heterogeneous multi-task mixture and the greedy ensemble all need, as
scikit-learn's ``cross_val_predict`` and ``StackingRegressor`` do it:

* :func:`make_folds`: the (train, test) pairs, made once and shared by every
  expert (an int: shuffled ``KFold``, stratified for classifiers), checked by
  :func:`check_splits` (which ``compare`` uses too);
* :func:`cross_fit`: every expert fitted on every fold in one joblib pool
  (per-row weights, one seed per expert), its predictions on the held-out
  rows assembled into out-of-fold outputs; with ``refit`` the fits on all rows
  join the same pool, so the workers stay busy;
* :func:`refit`: every expert fitted once on all rows.

An expert is fitted by ``fit(name, clone(template), X, y, weight, seed,
fit_params=...)`` -- :func:`skmoe._base.fit_expert` unless the caller has its
own -- and predicts through ``predict(name, expert, X)``.
"""

import contextlib
import numbers
import warnings
from copy import deepcopy
from functools import partial, reduce

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.model_selection import KFold, PredefinedSplit, StratifiedKFold, check_cv
from sklearn.utils import Bunch, ClassifierTags, RegressorTags, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.parallel import delayed
from sklearn.utils.validation import _check_feature_names, _check_method_params

from ._base import (_FOLD_CLASSES_WARNING, _REBUILDABLE_ERRORS, checked_score, fit_expert,
                    is_pairwise, rebuilt_error)
from ._data import (HUGE_HINT_END, NAN_HINT_END, huge_values_hint, n_samples, shown_head,
                    normalised_weights, read_only_view, refuse_duplicate_columns,
                    refuse_misaligned_rows, refuse_structured_array, refuse_unreadable_tensor,
                    take_rows)
from ._likelihood import (LogProbaMixin, aligned_proba, classification_outputs, mix_probabilities,
                          regression_outputs)
from ._progress import run_jobs
from ._versioning import VersionedStateMixin
from ._warnings import (_EXPERT_WARNINGS, Tally, gathered_jobs, recorded, thread_filter,
                        varied_note)


@contextlib.contextmanager
def _fold_warnings_once(name, n_fits):
    """Give each warning of the fits' predictions once per prediction of the average.

    The k fits are copies of one expert: a warning of its predict came k
    times at every predict of a mixture (5 with the default cv), the
    library's own recording around each call having reset Python's
    once-per-location registry. Texts that differ in their numbers alone
    are one warning (the first's text). The user's filters apply as they are
    raised: an ignored one is not recorded, an error still stops.
    """
    with recorded() as caught:
        yield
    tally = Tally()
    for w in caught:
        tally.add((w.category,), str(w.message), w)
    for _, w, count, varied in tally:
        text = str(w.message)
        if count > 1:
            # (Said, as expert_warnings_once says it: "column x0 is constant"
            # stood for the x1 and x2 of the other fits, silently.)
            text += (f"\n(The {n_fits} fits of expert '{name}' gave this warning {count} "
                     f"times{varied_note('the fits') if varied else ''}; shown once.)")
        warnings.warn_explicit(text, w.category, w.filename, w.lineno)


def make_folds(cv, X, y=None, *, seed=None, classifier=False, check_partition=False,
               fit_takes_groups=False):
    """(train, test) index pairs shared by every expert; None when ``cv`` is None.

    Parameters
    ----------
    cv : int, cross-validation generator, iterable of splits or None
        An int means shuffled ``KFold`` (``StratifiedKFold`` for a
        classifier) seeded by ``seed``.
    X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or None
        Passed to ``split`` (the labels a stratified splitter needs).
    seed : int, default=None
    classifier : bool, default=False
    check_partition : bool, default=False
        Raise unless every row is in exactly one test fold, so that each row
        gets one out-of-fold prediction.
    fit_takes_groups : bool, default=False
        The caller's ``fit`` takes ``groups`` (the mixtures, the ensembles):
        a group splitter given without them is then told to pass them there.

    Returns
    -------
    folds : list of (train, test) or None
    """
    if cv is None:
        return None
    if isinstance(cv, numbers.Integral):
        splitter = (StratifiedKFold if classifier else KFold)(
            n_splits=cv, shuffle=True, random_state=seed)
    else:
        splitter = check_cv(cv, y, classifier=classifier)
    try:
        # scikit-learn's "The least populated class in y has only 2 members,
        # which is less than n_splits=5", at every fit on data with a small
        # class (a 14-class set of 4 rows a class): stratified folds still
        # keep every class of two rows or more in every training fold, the one
        # guarantee the experts need (_check_every_class_trains), and a class
        # of one row cannot be kept by any folds.
        with (thread_filter("ignore", "The least populated class in y", UserWarning)
              if isinstance(cv, numbers.Integral) and classifier else contextlib.nullcontext()):
            folds = list(splitter.split(X, y))
    except ValueError as error:
        if not classifier and "Supported target types" in str(error):
            # StratifiedKFold for a regressor: scikit-learn's bare "Supported
            # target types are: ('binary', 'multiclass')".
            raise ValueError(
                f"cv={splitter!r} stratifies by class, and a regressor's y is continuous: "
                "use KFold(n_splits, shuffle=True) or an int.") from error
        # GroupKFold & co. without groups given to fit. (The example
        # is the splitter given: it was GroupKFold(5) whatever that was, and
        # a classifier told so of its StratifiedGroupKFold lost the
        # stratification that kept a rare class in every training fold.)
        if "groups" not in str(error):
            raise
        # (Said to every model, "pass them to fit" sent the heterogeneous
        # MMoE's users to a fit(groups=...) that raises TypeError.)
        first = (": pass them to fit, fit(X, y, groups=groups), or" if fit_takes_groups else
                 ", which this model's fit does not take:")
        raise ValueError(
            f"cv={splitter!r} needs groups{first} pass the folds themselves instead, e.g. "
            f"cv=list({splitter!r}.split(X, y, groups)) for the rows given to fit."
        ) from error
    if not isinstance(cv, numbers.Integral):   # (the shuffled KFold made above is sound)
        folds = check_splits(folds, n_samples(X), cv)
    if classifier and y is not None and not isinstance(cv, numbers.Integral):
        _check_every_class_trains(folds, y, cv)
    if check_partition:
        check_folds_partition(folds, n_samples(X), cv)
    return folds


def check_folds_partition(folds, n_rows, cv):
    """Refuse ``folds`` unless every one of the ``n_rows`` rows is in exactly
    one test fold, so that each row gets one out-of-fold prediction
    (:func:`cross_fit` leaves a row in no test fold unset, and keeps the last
    of a row's several predictions)."""
    tested = np.bincount(np.concatenate([test for _, test in folds]).astype(int),
                         minlength=n_rows)
    if len(tested) != n_rows or np.any(tested != 1):
        # (It said neither what cv did nor which splitter: TimeSeriesSplit,
        # ShuffleSplit and a PredefinedSplit with test_fold -1 leave rows out.)
        given = f"cv ({type(cv).__name__})" if hasattr(cv, "split") else "cv"
        what = [f"{n} of the {len(tested)} rows in {where}" for n, where in (
            (int(np.sum(tested == 0)), "no test fold"),
            (int(np.sum(tested > 1)), "several")) if n]
        raise ValueError("cv must put every row in exactly one test fold (as KFold "
                         "does), so that each row gets one out-of-fold prediction; "
                         f"{given} puts {' and '.join(what)}.")


def united_folds(folds, n_folds, seed, n_rows):
    """``min(n_folds, len(folds))`` (at least 2) folds, each test fold the union
    of whole test folds of ``folds`` (drawn at random by ``seed``).

    Second-level folds (those that score the gates and heads on the experts'
    out-of-fold rows) built so from the user's splits hold out together the
    rows the user keeps together, such as a group. Each trains on the rows
    that all its splits train on: the other rows where the splits' train
    parts are the rest of the rows (``GroupKFold``'s), fewer where they
    leave rows out (a gap around each test fold).
    """
    n_folds = max(2, min(n_folds, len(folds)))
    order = np.random.RandomState(seed).permutation(len(folds))
    united = []
    for k in range(n_folds):
        members = order[k::n_folds]
        test = np.sort(np.concatenate([folds[i][1] for i in members]))
        # (Every other row was taken: the rows a user's purged splits kept
        # out of training, next to their test rows, trained the gates and
        # heads scored on those test rows.)
        train = reduce(np.intersect1d, [folds[i][0] for i in members])
        if not len(train):   # no row they all train on: the others, as before
            train = np.setdiff1d(np.arange(n_rows), test)
        united.append((train, test))
    return united


def rows_of_whole_folds(tests, fraction, n_rows, rng):
    """Whole test folds of ``tests``, drawn at random by ``rng`` until they
    hold ``fraction`` of ``n_rows`` (at least one, and never all): a
    hold-out that keeps together the rows the user's splits keep together.
    """
    order = rng.permutation(len(tests))
    sizes = np.cumsum([len(tests[i]) for i in order])
    # (One fold or more: with LeaveOneGroupOut's folds one group alone was a
    # few rows to stop on.)
    n_folds = min(int(np.searchsorted(sizes, fraction * n_rows)) + 1, len(tests) - 1)
    return np.sort(np.concatenate([tests[i] for i in order[:n_folds]]))


def check_fold_count(cv, n_rows, splits="a splitter or an iterable of (train, test) splits"):
    """Refuse a flag as ``cv``, or a number of folds that ``n_rows`` rows cannot make.

    The mixtures refuse these through their parameter constraints and their
    row counts; ``compare`` and ``select_n_experts`` passed them on to
    scikit-learn's ``KFold``, whose "requires at least one train/test split
    by setting n_splits=2 or more, got n_splits=1" and "Cannot have number
    of splits n_splits=100 greater than the number of samples" named a
    parameter the caller never set.
    """
    if isinstance(cv, (bool, np.bool_)) or (isinstance(cv, numbers.Integral) and cv < 2):
        # (bool is an int to Python: cv=True was K-fold with "n_splits=1".)
        raise ValueError(f"cv must be a number of folds (2 or more), {splits}, got {cv!r}.")
    if isinstance(cv, numbers.Integral) and cv > n_rows:
        raise ValueError(f"cv={cv} folds need at least {cv} rows; the data has {n_rows}. "
                         "Lower cv or add rows.")


def check_stratified_fold_count(cv, y):
    """Refuse an int ``cv`` that no class of the labels ``y`` can fill.

    An int ``cv`` is stratified folds for a classifier, which need a class
    with ``cv`` rows: scikit-learn's "n_splits=5 cannot be greater than the
    number of members in each class" named neither ``cv`` nor a way out (33
    classes of 3 rows each, or 5 rows with ``cv=5``). The mixtures refuse
    so in their own words.
    """
    if not isinstance(cv, numbers.Integral) or isinstance(cv, (bool, np.bool_)):
        return
    largest = np.unique(np.asarray(y), return_counts=True)[1].max(initial=0)
    if largest < cv:
        raise ValueError(f"cv={cv} stratified folds need a class with at least {cv} rows; "
                         f"the largest class of y has {largest}. Lower cv or add rows.")


def splitter_needs_groups(cv, y):
    """Whether ``cv``, a splitter, refuses to split the ``len(y)`` rows without
    groups (``GroupKFold`` and the like); False for anything else, or where
    it fails for another reason (left to the fit that uses it to say)."""
    if not hasattr(cv, "split"):
        return False
    try:
        next(iter(cv.split(np.zeros((len(y), 1)), y)), None)
    except ValueError as exc:
        return "groups" in str(exc)
    except Exception:
        return False
    return False


def check_splits(splits, n_rows, cv):
    """The (train, test) pairs of ``cv`` as index arrays, checked against ``n_rows`` rows.

    Splits given by the user (a list of pairs, an iterator) were taken as
    they came: a negative train index was silently a row from the end (the
    same fold's test row, whose "out-of-fold" prediction then came from a fit
    on it), an index past the end a bare IndexError blamed on an expert, and
    no splits at all (``[]``, an iterator used up by an earlier fit) numpy's
    "need at least one array to concatenate". Refused here, before any
    expert is fitted: no splits, parts that are not arrays of row numbers
    ``0 .. n_rows - 1``, an empty train or test part, and a row in both
    parts of one split. The errors number the splits from 1, as compare's
    messages do ("Split 1 of 3 in cv"; they said "Split 0 of cv").

    Parameters
    ----------
    splits : list
        The splits ``cv`` gave, listed.
    n_rows : int
        The number of rows they index.
    cv : object
        The ``cv`` they came from (named in the errors).

    Returns
    -------
    splits : list of (ndarray, ndarray)
    """
    if not splits:
        raise ValueError(f"cv={cv!r} gave no splits (an iterator used up by an earlier "
                         "fit? Pass a list of (train, test) pairs, or a splitter).")
    checked = []
    for k, split in enumerate(splits):
        try:
            train, test = (np.asarray(part) for part in split)
        except (TypeError, ValueError):
            raise ValueError(f"Split {k + 1} of {len(splits)} in cv is not a pair (train, "
                             "test) of arrays of row numbers.") from None
        for part, rows in (("train", train), ("test", test)):
            if rows.ndim != 1 or (rows.size and (rows.dtype.kind not in "iu" or rows.min() < 0
                                                 or rows.max() >= n_rows)):
                why = " (a boolean mask? pass np.flatnonzero(mask))" if rows.dtype == bool else ""
                if rows.ndim == 1 and rows.dtype.kind in "iu" and rows.min() >= 0:
                    # Past the end only: splits made for all the rows, given to
                    # a mixture that cross_val_score fits on a part of them.
                    why = (f" (row {rows.max()} is past the end: splits made for more rows "
                           f"than the {n_rows} given to fit? Inside cross_val_score, "
                           "GridSearchCV or compare, fit gets a part of the rows, which "
                           "such splits do not number: give cv a splitter or an int there)")
                raise ValueError(f"Split {k + 1} of {len(splits)} in cv holds indices other "
                                 f"than the row numbers 0 .. {n_rows - 1} in its {part} "
                                 f"part{why}.")
            if not rows.size:
                raise ValueError(f"Split {k + 1} of {len(splits)} in cv has an empty {part} "
                                 "part: every split needs training rows to fit on and test "
                                 "rows to predict.")
        in_train = np.zeros(n_rows, dtype=bool)
        in_train[train] = True
        both = np.unique(test[in_train[test]])
        if len(both):
            # (The rows' "out-of-fold" predictions come from fits that saw them.)
            raise ValueError(f"Split {k + 1} of {len(splits)} in cv has {len(both)} rows in "
                             f"both its train and test parts (row {both[0]} first): their "
                             "held-out predictions would come from a fit on them.")
        # As np.intp: the gate folds and their tensors are cut from these
        # rows, and torch takes uint8 row numbers (np.uint8 splits of 200
        # rows) for a mask ("The shape of the mask [50] at index 0 does not
        # match") and refuses int8 and int16 ones.
        checked.append((train.astype(np.intp, copy=False), test.astype(np.intp, copy=False)))
    return checked


def group_codes(groups, n_rows):
    """``groups`` (one label per row) as integer codes, checked against ``n_rows``."""
    if issparse(groups):
        # (np.asarray of a sparse matrix is a 0-d object array: "groups must
        # be one label per row: 60 rows, got an array of shape ()" for a
        # (1, 60) matrix of 60 labels. sample_weight's check names it so.)
        raise ValueError(f"groups is a sparse matrix (shape {groups.shape}); pass the labels "
                         "as a dense 1-D array, one per row, e.g. groups.toarray().ravel().")
    try:
        values = np.asarray(groups)
    except Exception as exc:   # ragged lists and the like
        raise ValueError(f"groups must be one label per row, got {type(groups).__name__}: "
                         f"{exc}") from None
    if values.ndim != 1 or len(values) != n_rows:
        raise ValueError(f"groups must be one label per row: {n_rows} rows, got an array of "
                         f"shape {values.shape}.")
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise ValueError(f"groups has {int(np.isnan(values).sum())} missing labels (NaN); "
                         "every row needs its group.")
    if values.dtype.kind in "mM" and np.isnat(values).any():
        # (Dates as groups: a missing one, NaT, was a group of its own.)
        raise ValueError(f"groups has {int(np.isnat(values).sum())} missing labels (NaT; "
                         f"row {int(np.flatnonzero(np.isnat(values))[0])} first); every row "
                         "needs its group.")
    if values.dtype.kind == "O":
        import pandas as pd
        missing = np.asarray(pd.isna(values), dtype=bool)
        if missing.any():
            raise ValueError(f"groups has {int(missing.sum())} missing labels (None, NaN or "
                             f"pd.NA; row {int(np.flatnonzero(missing)[0])} first); every "
                             "row needs its group.")
    try:
        return np.unique(values, return_inverse=True)[1].reshape(-1)
    except TypeError:
        # Mixed types (1 and "1") cannot be sorted; refused rather than told
        # apart by their text. (Refused whenever two types met, it turned
        # away str with numpy's str_, int with int64, Timestamp with
        # datetime: labels that compare and sort as one kind.)
        kinds = {type(v) for v in values}
        raise ValueError("groups mixes label types that cannot be sorted together ("
                         + ", ".join(sorted(k.__name__ for k in kinds))
                         + "): give one type.") from None


def check_splits_keep_groups(splits, codes):
    """Refuse splits that put one group on both sides of a split."""
    for k, (train, test) in enumerate(splits):
        shared = np.intersect1d(codes[train], codes[test])
        if len(shared):
            raise ValueError(f"Split {k + 1} of {len(splits)} in cv has {len(shared)} "
                             "group(s) on both its train and test sides: with groups, each "
                             "split's test rows must be whole groups (make the splits with "
                             "GroupKFold, or pass an int cv).")


def folds_of_groups(n_folds, codes, y=None):
    """``n_folds`` (train, test) folds of whole groups; stratified on ``y`` if given.

    Unstratified, ``GroupKFold`` puts groups in folds by size alone: two
    groups of a class could share one fold, whose training rows then lack
    the class (which the classifiers refuse). Where the classes are too small
    to stratify, or a stratified fold comes out empty (rare, on a few small
    groups), ``GroupKFold``.
    """
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    zeros = np.zeros((len(codes), 1))
    if y is not None:
        try:
            # ("The least populated class in y has only 1 members": the
            # callers' own checks speak of the classes.)
            with thread_filter("ignore", category=UserWarning):
                folds = list(StratifiedGroupKFold(n_folds).split(zeros, y, codes))
            if all(len(test) for _, test in folds):
                return folds
        except ValueError:
            pass
    return list(GroupKFold(n_folds).split(zeros, groups=codes))


def class_left_out(folds, labels, codes):
    """The first (fold, label, groups holding it) whose training rows lack a
    class of two rows or more, or None.

    (A class of one row cannot be kept in every fold, and is allowed, as
    :func:`_check_every_class_trains` allows it.)
    """
    values, counts = np.unique(labels, return_counts=True)
    kept = values[counts >= 2]
    for k, (train, _) in enumerate(folds):
        missing = np.setdiff1d(kept, np.unique(labels[train]))
        if len(missing):
            return k, missing[0], len(np.unique(codes[labels == missing[0]]))
    return None


def _check_group_folds_keep_classes(folds, labels, codes, cv, classes=None):
    """Refuse group folds whose training rows leave a class out, naming the groups.

    (The classifiers' own check spoke of "cv (the 5 splits given)" and
    advised splits the user had not given: fit had made them from groups.)
    """
    found = class_left_out(folds, labels, codes)
    if found is None:
        return
    k, label, n_in = found
    # (The heterogeneous multi-task mixture's labels are its float targets'
    # columns of class indices: classes[2.0] was numpy's bare IndexError "only
    # integers, slices ... are valid indices", in place of this message.)
    shown = (classes[int(label)] if classes is not None else label)
    shown = shown.item() if hasattr(shown, "item") else shown
    raise ValueError(
        f"Class {shown!r} is in {n_in} group{'' if n_in == 1 else 's'}, and the "
        f"{len(folds)} folds of whole groups that cv={cv!r} makes leave it out of "
        f"the training rows of fold {k + 1}: the experts fitted there would never "
        "predict it. Each class needs rows in two groups or more (three or more "
        "to be kept in every fold's training rows): merge rare classes, or use "
        "fewer folds.")


def cv_of_groups(cv, n_folds, X, y, groups, *, classifier, auto=False, classes=None,
                 sample_weight=None, stacklevel=4):
    """The folds that ``fit(X, y, groups=groups)`` uses for ``cv``: whole groups.

    Parameters
    ----------
    cv : int, 'auto', splitter, iterable of splits or None
        The estimator's ``cv``.
    n_folds : int or None
        The folds an int or 'auto' ``cv`` makes for this estimator.
    X, y : the rows given to fit (``y`` labels for a classifier's stratification).
    groups : array-like of shape (n_samples,)
    classifier : bool
    auto : bool, default=False
        ``cv`` is 'auto': fewer folds where there are fewer groups.
    classes : array-like, default=None
        The labels ``y`` encodes (named in the errors).
    sample_weight : ndarray of shape (n_samples,), default=None
        The folds an int, 'auto' or a splitter ``cv`` makes are of the rows of
        positive weight (those fitted on) and their groups; rows of zero
        weight are in no fold. Splits given as a list (or a
        ``PredefinedSplit``) number all the rows given: the trainers drop
        their rows of zero weight.
    stacklevel : int, default=4
        Of the warning that ``groups`` has no effect with ``cv=None``: the
        frames from here up to the caller of ``fit``.

    Returns
    -------
    splits : list of (train, test), or None where ``cv`` makes no folds.
    """
    n_rows = n_samples(X)
    refuse_misaligned_rows(X, groups, "groups")
    codes = group_codes(groups, n_rows)
    if cv is None:
        warnings.warn("groups has no effect with cv=None (the experts' in-sample "
                      "predictions, no folds).", UserWarning, stacklevel=stacklevel)
        return None
    labels = np.asarray(y) if classifier and np.ndim(y) == 1 else None
    # Folds of the rows fitted on: made of all rows, a group or a class whose
    # rows all had zero weight still counted, and the folds the trainers kept
    # (those with a test row of positive weight) were fewer than cv asked
    # for, or left a class out of one's training rows -- blamed on "cv (the 3
    # splits given)", which the user never gave.
    rows = (None if sample_weight is None or np.all(np.asarray(sample_weight) > 0)
            else np.flatnonzero(np.asarray(sample_weight) > 0))
    splitter = hasattr(cv, "split")
    if n_folds is None and (not splitter or isinstance(cv, PredefinedSplit)):
        rows = None          # listed splits number every row given
    if rows is not None:
        codes, labels = codes[rows], None if labels is None else labels[rows]
    if n_folds is not None:
        n_groups = len(np.unique(codes))
        if auto and n_folds > n_groups >= 2:
            n_folds = n_groups
        if n_folds > n_groups:
            of = "" if rows is None else " among the rows of positive sample_weight"
            # (One group was told to "Lower cv", which cannot go below 2.)
            fix = ("Lower cv." if n_groups >= 2 else
                   "Folds of whole groups need two groups or more: fit without groups.")
            raise ValueError(f"cv={cv!r} asks for {n_folds} folds of whole groups, but "
                             f"groups has {n_groups}{of}. {fix}")
        splits = folds_of_groups(n_folds, codes, labels)
    elif rows is not None:
        # A splitter splits the rows of positive weight and their groups, as
        # an int cv does: GroupKFold(3) put a group of zero weight alone in a
        # fold, which the trainers dropped, and ran on 2 folds, silently.
        try:
            splits = _group_splits(cv, take_rows(X, rows), labels, codes)
        except ValueError as exc:
            raise ValueError(f"{exc} (cv={cv!r} splits the {len(rows)} rows of positive "
                             f"sample_weight and their groups; the {n_rows - len(rows)} rows "
                             "of zero weight are left out)") from exc
    else:
        splits = _group_splits(cv, X, labels, codes) if splitter else list(cv)
    if n_folds is None:      # the user's splitter or splits
        splits = check_splits(splits, len(codes), cv)
        check_splits_keep_groups(splits, codes)
    if labels is not None and (n_folds is not None or splitter):
        # (A class in one group, which LeaveOneGroupOut leaves out of a fold's
        # training rows, was blamed on "cv (the 15 splits given)", with advice
        # to shuffle or stratify them: the splitter made them of the groups.)
        _check_group_folds_keep_classes(splits, labels, codes, cv, classes)
    # (Numbered among all the rows given, as the trainers expect.)
    return splits if rows is None else [(rows[train], rows[test]) for train, test in splits]


def _group_splits(cv, X, labels, codes):
    """``cv.split(X, labels, codes)`` listed; a stratified splitter given no
    labels (``labels`` None: a regression) is told so.

    (Without groups make_folds says it; with them it was scikit-learn's bare
    "Supported target types are: ('binary', 'multiclass'). Got 'unknown'
    instead." or "Input should have at least 1 dimension", naming neither cv
    nor why.)
    """
    try:
        # (Not scikit-learn's "The groups parameter is ignored by KFold" (or
        # PredefinedSplit): the folds are checked against the groups here, as
        # compare() checks them.)
        with thread_filter("ignore", "The groups parameter is ignored by", UserWarning):
            return list(cv.split(X, labels, codes))
    except (TypeError, ValueError) as exc:
        # (StratifiedGroupKFold's "Supported target types ..."; StratifiedKFold's
        # TypeError "Input should have at least 1 dimension", of labels None.)
        if labels is not None or not any(text in str(exc) for text in (
                "Supported target types", "at least 1 dimension")):
            raise
        raise ValueError(f"cv={cv!r} stratifies by class, and a regression has no class "
                         "labels to stratify on: use GroupKFold(n_splits, shuffle=True) or "
                         "an int (folds of whole groups).") from exc


def _check_every_class_trains(folds, y, cv):
    """Refuse folds whose training rows leave out a class that has two rows or more.

    A fold fitted without a class gives each of its held-out rows of that
    class probability 0: the stacked gate and the linear heads then learn from
    out-of-fold probabilities that never name the true class (``KFold(3)`` on
    iris, sorted by class: a mixture of 39 % training accuracy from two
    experts of 97 %). Stratified folds keep every class of two rows or more in
    every training fold; a class of one row cannot be kept and is allowed.
    (``y`` may hold encoded labels: the message counts classes, naming none.)
    """
    y = np.asarray(y)
    labels, counts = np.unique(y, return_counts=True)
    if hasattr(cv, "split"):
        given, hint = f"cv={cv!r}", ""
    else:
        # Splits given as a list: their repr (or scikit-learn's wrapper's,
        # "cv=_CVIterableWrapper(cv=[(array([ 40,  41, ...") was the row
        # numbers of every split, 733 characters on 200 rows. Such splits
        # are often groups' (GroupKFold): a class in few groups needs them
        # stratified too.
        given = f"cv (the {len(folds)} splits given)"
        hint = (" For rows in groups, "
                "cv=list(StratifiedGroupKFold(5, shuffle=True, random_state=0)"
                ".split(X, y, groups)).")
    for k, (train, _) in enumerate(folds):
        missing = np.setdiff1d(labels[counts >= 2], np.unique(y[train]))
        if len(missing):
            raise ValueError(
                f"{given} leaves {len(missing)} of the {len(labels)} classes out "
                f"of the training rows of fold {k + 1} of {len(folds)}: the experts fitted "
                "there never predict them, so their out-of-fold probabilities are wrong for every "
                "row of those classes. Shuffle or stratify the folds (e.g. "
                "cv=StratifiedKFold(5, shuffle=True, random_state=0), or an int); is y "
                f"sorted by class?{hint}")


def splits_of_rows(cv, rows, n_rows):
    """``cv`` for the rows ``rows`` of the ``n_rows`` it was given for (rows of
    zero weight left out): splits given as indices, an iterable of (train,
    test), are checked against the ``n_rows`` (:func:`check_splits`), then
    restricted to ``rows`` and renumbered; folds left with no test row are
    dropped. So are a ``PredefinedSplit``'s, whose test folds are given for
    the ``n_rows``. Any other ``cv`` (None, an int, a splitter) is returned as is.
    """
    if isinstance(cv, PredefinedSplit):
        # Its splits number the rows given to fit whatever X it is handed:
        # split on the kept rows, they were refused as "indices other than
        # the row numbers 0 .. 170" (200 rows, 29 of zero weight).
        splits = list(cv.split())
    elif cv is None or isinstance(cv, (numbers.Integral, str)) or hasattr(cv, "split"):
        return cv
    else:
        splits = list(cv)
    # Checked before the renumbering, which took a negative index as a row
    # from the end and dropped one past the end silently.
    folds = check_splits(splits, n_rows, cv)      # (as np.intp)
    largest = max((int(part.max()) for fold in folds for part in fold if len(part)),
                  default=-1)
    position = np.full(max(largest, int(rows.max())) + 1, -1)
    position[rows] = np.arange(len(rows))
    kept = []
    for k, (train, test) in enumerate(folds):
        train, test = position[train], position[test]
        if np.any(test >= 0):
            if not np.any(train >= 0):
                # (Said as "Split 0 of cv has an empty train part", of a split
                # given with training rows and numbered among those kept.)
                raise ValueError(
                    f"Split {k + 1} of {len(folds)} in cv has no training row of positive "
                    "sample_weight (rows of zero weight are left out), but test rows that "
                    "have: nothing would be fitted to predict them. Give some of its training "
                    "rows weight, or pass splits of the rows of positive weight only.")
            kept.append((train[train >= 0], test[test >= 0]))
    return kept


def expert_outputs(name, expert, X, n_classes=None):
    """One expert's checked outputs: (n,) predictions, or (n, C) probabilities."""
    if n_classes is None:
        return regression_outputs([name], [expert], X)[:, 0]
    return classification_outputs([name], [expert], X, n_classes)[:, 0]


def fit_on_rows(fit, name, template, X, y, rows, weight, seed, fit_params, sample_weight=None):
    """Fit a clone of ``template`` on ``rows`` (all when None) with ``weight``.

    ``sample_weight`` (the user's weights, of which ``weight`` is a multiple)
    goes to ``fit`` only when given (its pruning, :func:`fit_expert`): a
    caller's own ``fit`` need not take it.

    ``y`` and ``weight`` reach the expert read-only (:func:`read_only_view`,
    as X does): all rows' y is the one array every expert and the gate learn
    from, so an expert that centred it in place (``y -= y.mean()``) changed
    what the others learnt, silently; now its fit fails, naming it.
    """
    if sample_weight is not None:
        fit = partial(fit, sample_weight=sample_weight if rows is None
                      else sample_weight[rows])
    if rows is None:
        return fit(name, clone(template), X, read_only_view(y), read_only_view(weight), seed,
                   fit_params=fit_params)
    fit_params = _check_method_params(X, fit_params, rows) if fit_params else fit_params
    X, y = take_rows(X, rows), y[rows]
    weight = None if weight is None else weight[rows]
    # scikit-learn's "The number of unique classes is greater than 50% of the
    # number of samples. `y` could represent a regression problem" from a
    # classifier fitted on a fold: carData::Soils by its 12 groups (32 rows,
    # 2 or 3 a class) gave it at every fit, from the experts' fits on 21
    # rows, where the user's y had too few classes for it. A y that earns it
    # still gets it from the fits on all rows.
    with thread_filter("ignore", _FOLD_CLASSES_WARNING, UserWarning):
        return fit(name, clone(template), X, read_only_view(y), read_only_view(weight), seed,
                   fit_params=fit_params)


def fit_predict(fit, name, template, X, y, train, test, weight, seed, fit_params, predict,
                sample_weight=None):
    """Fit on ``train`` (all rows when None); return the expert and its outputs on ``test``.

    An expert that fails on a fold's rows is named with how many rows the
    fold gave it: ``KNeighborsRegressor(15)`` in EM's two folds of 22 rows
    failed with "n_neighbors = 15, n_samples_fit = 11" and nothing said
    where the 11 came from. Outputs refused by ``predict``'s checks get that
    note only where a fit on all the rows gives outputs that pass them.
    """
    fitted = False
    try:
        expert = fit_on_rows(fit, name, template, X, y, train, weight, seed, fit_params,
                             sample_weight)
        fitted = True
        return expert, predict(name, expert, X if test is None else take_rows(X, test))
    except Exception as exc:
        # (Only errors about the data: a MemoryError or an interrupt stays itself.)
        if train is None or len(train) >= len(y) or type(exc) not in _REBUILDABLE_ERRORS:
            raise
        # (Conditional: LightGBM's "pandas dtypes must be int, float or bool"
        # for an object column was told "With this few rows, pass fewer
        # folds", which sent the user after the wrong cause.)
        # The rows it was fitted on may hold a value too large for its
        # arithmetic that the rows it predicted do not: a linear model fitted
        # on a sparse X with 1e308 predicted NaN everywhere, said without why.
        hint = "" if HUGE_HINT_END in str(exc) else huge_values_hint(exc, X)
        if NAN_HINT_END in str(exc):
            # (Gaps in X, named already: "If the error is about too few rows"
            # after "Input X contains NaN" sent the user after the folds.)
            raise
        # The advice only where the fold's rows may be the cause, that is where
        # the expert fits all the rows and its outputs pass the checks: it
        # followed every failure, "needs numeric X" and LightGBM's "pandas
        # dtypes must be int, float or bool" too, which no number of folds
        # mends. (A second fit, on the error's path only.)
        rows_may_matter = _works_on_all_rows(fit, name, template, X, y, weight, seed,
                                             fit_params, sample_weight, predict, test)
        if fitted and not rows_may_matter:
            # Its outputs refused ("returned NaN", "returned 2 outputs per
            # sample", "rows do not sum to one") as they are after a fit on all
            # the rows: the fold's rows are not the cause, and "(It was fitted
            # on 96 of the 120 rows ... If the error is about too few rows"
            # sent the user after the folds.
            if hint:
                raise rebuilt_error(exc, f"{exc}{hint}") from exc
            raise
        advice = (" If the error is about too few rows, pass more folds (k folds fit each "
                  "expert on (k - 1)/k of the rows), or give the expert settings that fit "
                  "on fewer rows." if rows_may_matter else "")
        raise rebuilt_error(exc, (
            f"{exc}{hint} (It was fitted on {len(train)} of the {len(y)} rows: one of the "
            f"cross-fitting folds (cv).{advice})")) from exc


def _works_on_all_rows(fit, name, template, X, y, weight, seed, fit_params, sample_weight,
                       predict, test):
    """Whether a clone of ``template`` fits all the rows and its outputs on the
    ``test`` rows (all when None) pass ``predict``'s checks (warnings silenced)."""
    # Outside the composition's record of its experts' warnings: this fit is
    # a diagnosis, not one of the expert's fits ("in 1 of its 2 fits" counted
    # it, for an expert that warned in the one fit it was given).
    token = _EXPERT_WARNINGS.set(None)
    try:
        with thread_filter("ignore"):
            expert = fit_on_rows(fit, name, template, X, y, None, weight, seed, fit_params,
                                 sample_weight)
            predict(name, expert, X if test is None else take_rows(X, test))
    except Exception:
        return False
    finally:
        _EXPERT_WARNINGS.reset(token)
    return True


def _expert_args(names, weights, seeds, fit_params):
    """Per expert: its weight column (or None), seed and metadata."""
    n = len(names)
    weights = [None if weights is None else weights if weights.ndim == 1 else weights[:, i]
               for i in range(n)]
    seeds = [None] * n if seeds is None else list(seeds)
    fit_params = [{}] * n if fit_params is None else list(fit_params)
    return weights, seeds, fit_params


def refuse_pairwise_experts(names, templates):
    """Refuse, by name, an expert that takes a precomputed kernel or distance
    matrix, before it is fitted on folds.

    A fold's fit needs the kernel among its training rows, its rows and its
    columns sliced (as scikit-learn's ``cross_val_score`` does for an
    estimator with the ``pairwise`` tag); the folds take rows only, and
    SVR(kernel='precomputed') failed with "Precomputed matrix must be a
    square matrix. Input is a 48x60 matrix", under a hint that blamed too
    few rows.
    """
    for name, template in zip(names, templates):
        if is_pairwise(template):
            raise ValueError(
                f"Expert '{name}' ({type(template).__name__}) takes a precomputed kernel "
                "or distance matrix as X (its pairwise tag: kernel='precomputed' or "
                "metric='precomputed'), and cross-fitting fits it on each fold's rows, "
                "which would need the matrix's rows and columns of those rows; the folds "
                "take rows only. Give it features instead (e.g. SVR(kernel='rbf')), or "
                "fit without folds: a mixture with training='em' and cv=None, an "
                "ensemble with weights other than 'greedy'.")


def cross_fit(parallel, names, templates, X, y, folds, predict, *, weights=None, seeds=None,
              fit_params=None, fit=fit_expert, refit=False, keep_fold_fits=False,
              sample_weight=None):
    """Fit every expert on every fold in one pool; their out-of-fold outputs.

    Parameters
    ----------
    parallel : joblib.Parallel
    names, templates : list
        Expert names and unfitted estimators (cloned for every fit).
    X : array-like, DataFrame or sparse matrix
        As the experts get it; rows are taken with ``_safe_indexing``.
    y : ndarray
    folds : list of (train, test) or None
        From :func:`make_folds`. None: in-sample, every expert fitted once on
        all rows and predicting them.
    predict : callable
        ``predict(name, expert, X)``: one expert's outputs, such as
        :func:`expert_outputs`.
    weights : ndarray of shape (n_samples,) or (n_samples, n_experts), default=None
        Per-row weights, the same for every expert or one column each.
    seeds : list of int, default=None
        One seed per expert, handed to ``fit``.
    fit_params : list of dict, default=None
        Other metadata for each expert's ``fit`` (rows of X).
    fit : callable, default=fit_expert
    refit : bool, default=False
        Also fit every expert on all rows, in the same pool (with folds).
    keep_fold_fits : bool, default=False
        Also return the per-fold fits.
    sample_weight : ndarray of shape (n_samples,), default=None
        The user's weights, of which every column of ``weights`` is a
        multiple: passed on to ``fit`` (:func:`fit_expert`'s pruning).

    Returns
    -------
    result : Bunch
        ``outputs`` (n_samples, n_experts, ...): row ``n`` of expert ``i``
        predicted by the fit that did not see it (in-sample when ``folds`` is
        None); ``experts``: the fits on all rows (None unless ``refit`` or
        ``folds`` is None); ``fold_experts``: per expert, its fit on each
        fold (with ``keep_fold_fits``).
    """
    if folds is not None:
        refuse_pairwise_experts(names, templates)
    weights, seeds, fit_params = _expert_args(names, weights, seeds, fit_params)
    experts = range(len(names))
    splits = [(None, None)] if folds is None else folds
    jobs = []
    if refit and folds is not None:
        jobs += [delayed(fit_on_rows)(fit, names[i], templates[i], X, y, None, weights[i],
                                      seeds[i], fit_params[i], sample_weight)
                 for i in experts]
    n_full = len(jobs)
    fold_jobs = [(i, test) for i in experts for _, test in splits]
    jobs += [delayed(fit_predict)(fit, names[i], templates[i], X, y, train, test, weights[i],
                                  seeds[i], fit_params[i], predict, sample_weight)
             for i in experts for train, test in splits]
    done = gathered_jobs(parallel, jobs,
                         lambda parallel, jobs: run_jobs(parallel, jobs, "out-of-fold fits"))
    first = done[n_full][1]
    outputs = np.empty((n_samples(X), len(names)) + first.shape[1:])
    for (i, test), (_, out) in zip(fold_jobs, done[n_full:]):
        outputs[slice(None) if test is None else test, i] = out
    if folds is None:
        fitted = [expert for expert, _ in done]
    else:
        fitted = list(done[:n_full]) if refit else None
    fold_experts = None
    if keep_fold_fits:
        fold_experts = [[] for _ in experts]
        for (i, _), (expert, _) in zip(fold_jobs, done[n_full:]):
            fold_experts[i].append(expert)
    return Bunch(outputs=outputs, experts=fitted, fold_experts=fold_experts)


def refit(parallel, names, templates, X, y, *, weights=None, seeds=None, fit_params=None,
          fit=fit_expert, sample_weight=None):
    """Every expert fitted once on all rows (arguments as in :func:`cross_fit`)."""
    weights, seeds, fit_params = _expert_args(names, weights, seeds, fit_params)
    jobs = [delayed(fit_on_rows)(fit, names[i], templates[i], X, y, None, weights[i], seeds[i],
                                 fit_params[i], sample_weight) for i in range(len(names))]
    return gathered_jobs(parallel, jobs,
                         lambda parallel, jobs: run_jobs(parallel, jobs, "expert fits"))


def _shown_names(names):
    """Column names for a message: the first 8 of them, then '...'."""
    return shown_head([str(name) for name in names], 8)


class _InvalidFitsValueError(ValueError, AttributeError):
    """A CrossFitAverage's fits (or ``n_classes``) are not valid: a ValueError
    that ``hasattr`` also takes for a missing attribute."""


class _InvalidFitsTypeError(TypeError, AttributeError):
    """As :class:`_InvalidFitsValueError`, for what is not a fit at all."""


class CrossFitAverage(LogProbaMixin, VersionedStateMixin, BaseEstimator):
    """One expert as the average of its cross-fitting fits ("cross-validation bagging").

    The stacked gate learns from out-of-fold predictions made by fits on
    ``(k - 1) / k`` of the rows. Predicting with the average of those same
    fits, instead of a refit on all rows, keeps the deployed experts what
    the gate and the heads were trained on (a refit is a different, usually
    more confident model), bags each expert over k fits (less variance for
    trees and boosting on small data), and saves the refit.

    A wrapper of fits already made: it is fitted from the start, its ``fit``
    does nothing, and ``sklearn.base.clone`` returns a copy holding the same
    fits (as for ``FrozenEstimator``), not unfitted clones of them.

    Parameters
    ----------
    estimators : list of fitted estimators
        The expert's fits, one per fold (at least one).
    n_classes : int or None, default=None
        Classification: the number of (encoded) classes; probabilities are
        aligned to ``0 .. n_classes - 1`` before averaging (a fold may miss
        a class). The fits must be classifiers fitted on those encoded labels
        (integers from 0 to ``n_classes - 1``, as ``LabelEncoder`` makes
        them). None for regression: the fits must be regressors.
    name : str, default='expert'
        The expert's name (in error messages).
    weights : array-like of shape (len(estimators),) or None, default=None
        Non-negative weights of the fits in the average (normalised to sum
        to 1); None weighs them equally. A mixture with
        ``refit_experts=0.5`` deploys each expert as its refit on all rows
        with half the weight and its fold fits with the other half.

    Attributes
    ----------
    estimators_ : list of fitted estimators
        The fold fits (the same list as ``estimators``).
    classes_ : ndarray of shape (n_classes,)
        Classification: the encoded classes ``0 .. n_classes - 1``.
    n_features_in_ : int
        As the fits have it.
    feature_names_in_ : ndarray of str
        The column names of the X the fits were given, as the mixture that
        built the average recorded them, else as the fits have it, where
        they have it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skmoe import CrossFitAverage
    >>> X, y = np.arange(8.0).reshape(4, 2), np.arange(4.0)
    >>> fits = [Ridge().fit(X[:3], y[:3]), Ridge().fit(X[1:], y[1:])]
    >>> CrossFitAverage(fits).predict(X[:1]).shape
    (1,)
    """

    def __init__(self, estimators, n_classes=None, name="expert", weights=None):
        self.estimators = estimators
        self.n_classes = n_classes
        self.name = name
        self.weights = weights

    @property
    def estimators_(self):
        """The fold fits."""
        return self.estimators

    def __sklearn_is_fitted__(self):
        # Built from fitted estimators: fitted from the start (check_is_fitted
        # would otherwise look for attributes it sets in fit, which it has not).
        return True

    def __sklearn_tags__(self):
        # A regressor, or with n_classes a classifier, as its fits are: the
        # tags said neither, so is_regressor and is_classifier were False and
        # scikit-learn's scorers took a mixture's deployed expert for neither
        # (roc_auc on a classification average: "y should be a 1d array, got
        # an array of shape (n, 2)").
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        # What X (and y) may hold is what every fit takes: the defaults (no
        # NaN, no sparse X) made a mixture given the average as an expert
        # refuse NaN that its LightGBM or HistGradientBoosting fits take.
        fits = getattr(self, "estimators", None)
        if isinstance(fits, (list, tuple)) and fits:
            try:
                each = [get_tags(fit) for fit in fits]
            except (TypeError, ValueError, AttributeError):   # not estimators: predict says so
                each = None
            if each is not None:
                tags.input_tags.allow_nan = all(t.input_tags.allow_nan for t in each)
                tags.input_tags.sparse = all(t.input_tags.sparse for t in each)
                tags.input_tags.positive_only = any(t.input_tags.positive_only for t in each)
                tags.target_tags.positive_only = any(t.target_tags.positive_only
                                                     for t in each)
        if self.n_classes is None:
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        else:
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags()
        return tags

    def __sklearn_clone__(self):
        # clone() of the parameters would make unfitted copies of the fits,
        # and its fit (a no-op) would not fit them again: keep the fits.
        # The weights copied as clone copies a parameter (deepcopy): converted
        # to floats here, weights that are not numbers failed inside clone
        # with numpy's "could not convert string to float", where predict
        # names the problem (_weights).
        weights = getattr(self, "weights", None)   # (None in averages pickled before it)
        cloned = type(self)(list(self.estimators), self.n_classes, self.name, deepcopy(weights))
        # And the names of the X the fits were given, where the mixture
        # recorded them (feature_names_in_): without them the copy checked X
        # against LightGBM's cleaned names ('a_b' for 'a b') and refused the
        # very frame the mixture was fitted on.
        names = getattr(self, "_feature_names_given", None)
        if names is not None:
            cloned._feature_names_given = names
        return cloned

    def _weights(self, n_fits):
        """The fits' weights, normalised; a clear error for weights that are not."""
        weights = getattr(self, "weights", None)
        if weights is None:
            return np.full(n_fits, 1.0 / n_fits)
        try:
            weights = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            weights = None   # words or a dict: numpy's message named no parameter
        if (weights is None or weights.shape != (n_fits,) or not np.all(np.isfinite(weights))
                or np.any(weights < 0) or not np.any(weights > 0)):
            raise ValueError(
                f"CrossFitAverage of expert '{self.name}': weights must be {n_fits} finite, "
                f"non-negative numbers (one per fit), not all zero; got {self.weights!r}.")
        # (The sum of [1e308, 1e308] overflowed to inf, the weights became
        # [0, 0] and every prediction 0.0, silently.)
        return normalised_weights(weights, to="sum")

    def _fits(self):
        """The fold fits, checked against ``n_classes``; a clear error otherwise.

        (An empty list predicted NaN silently; string class labels, or labels
        beyond ``n_classes``, failed inside the alignment; a classifier given
        no ``n_classes`` had its labels averaged as numbers.)
        """
        fits = self.estimators
        if not isinstance(fits, (list, tuple)) or not fits:
            raise ValueError(f"CrossFitAverage of expert '{self.name}' needs a non-empty "
                             f"list of fitted estimators; got {fits!r}.")
        for i, fit in enumerate(fits):
            if isinstance(fit, type):
                # (A class has predict, as a function: it failed in is_classifier
                # with scikit-learn's "Expected an estimator instance (Ridge()),
                # got estimator class instead", naming neither this wrapper nor
                # the fit.)
                raise TypeError(f"CrossFitAverage of expert '{self.name}': fit {i} is the "
                                f"class {fit.__name__}, not a fitted estimator: pass the "
                                f"fitted instances, e.g. {fit.__name__}().fit(X, y).")
            if not hasattr(fit, "predict"):
                # (None or a number failed in is_classifier with an error about
                # __sklearn_tags__.)
                raise TypeError(f"CrossFitAverage of expert '{self.name}': fit {i} is "
                                f"{fit!r}, not a fitted estimator with predict.")
        # Fits of different widths failed at predict, as the later fit's own
        # "X has 2 features, but Ridge is expecting 3", naming no position.
        widths = [getattr(fit, "n_features_in_", None) for fit in fits]
        first = next((i for i, width in enumerate(widths) if width is not None), None)
        for i, width in enumerate(widths):
            if width is not None and width != widths[first]:
                raise ValueError(
                    f"CrossFitAverage of expert '{self.name}': fit {i} "
                    f"({type(fits[i]).__name__}) was fitted on {width} features, fit "
                    f"{first} on {widths[first]}; the fits of one expert must be fitted on "
                    "the same columns of X.")
        # Fits on frames of other column names, or of the same in another
        # order, were taken: the average checked X against the first fit's
        # names, and a later fit failed at predict with scikit-learn's "Feature
        # names must be in the same order as they were in fit", naming no fit.
        names = [getattr(fit, "feature_names_in_", None) for fit in fits]
        first = next((i for i, given in enumerate(names) if given is not None), None)
        for i, given in enumerate(names):
            if given is not None and not np.array_equal(np.asarray(given, dtype=object),
                                                        np.asarray(names[first], dtype=object)):
                raise ValueError(
                    f"CrossFitAverage of expert '{self.name}': fit {i} "
                    f"({type(fits[i]).__name__}) was fitted on the columns "
                    f"{_shown_names(given)}, fit {first} on {_shown_names(names[first])}; "
                    "the fits of one expert must be fitted on the same columns of X, in "
                    "the same order.")
        n_classes = self.n_classes
        if n_classes is None:
            for i, fit in enumerate(fits):
                if is_classifier(fit):
                    raise ValueError(
                        f"CrossFitAverage of expert '{self.name}': fit {i} "
                        f"({type(fit).__name__}) is a classifier; give n_classes (its "
                        "labels are averaged as probabilities, not as numbers).")
            return fits
        if not (isinstance(n_classes, numbers.Integral) and not isinstance(n_classes, bool)
                and n_classes >= 1):
            raise ValueError(f"CrossFitAverage of expert '{self.name}': n_classes must be "
                             f"None or an integer >= 1; got {n_classes!r}.")
        for i, fit in enumerate(fits):
            # (A regressor given n_classes was told it "has classes_ None" and
            # to encode its labels; an SVC failed at predict with "failed in
            # predict_proba: This 'SVC' has no attribute 'predict_proba'".)
            if not is_classifier(fit) and getattr(fit, "classes_", None) is None:
                raise ValueError(
                    f"CrossFitAverage of expert '{self.name}': fit {i} "
                    f"({type(fit).__name__}) is not a classifier; n_classes={n_classes} "
                    "averages the class probabilities of a classifier's fits. Leave "
                    "n_classes=None to average a regressor's predictions.")
            if not hasattr(fit, "predict_proba"):
                raise ValueError(
                    f"CrossFitAverage of expert '{self.name}': fit {i} "
                    f"({type(fit).__name__}) has no predict_proba; with n_classes the "
                    "fits' class probabilities are averaged (for an SVC, or a classifier "
                    "with decision_function only, fit CalibratedClassifierCV(..., "
                    "ensemble=False) on each fold).")
            classes = np.asarray(getattr(fit, "classes_", None))
            if (classes.ndim != 1 or classes.dtype.kind not in "biuf"
                    or not np.all((classes >= 0) & (classes < n_classes)
                                  & (classes == np.round(classes)))):
                raise ValueError(
                    f"CrossFitAverage of expert '{self.name}': fit {i} "
                    f"({type(fit).__name__}) has classes_ "
                    f"{getattr(fit, 'classes_', None)!r}; with n_classes={n_classes} "
                    f"they must be encoded labels, integers from 0 to {n_classes - 1} "
                    "(fit the folds on LabelEncoder().fit_transform(y)).")
            if len(np.unique(classes)) != len(classes):
                # (Its columns were placed by classes_, the repeated class's
                # last column over the others, and the rows renormalised.)
                raise ValueError(
                    f"CrossFitAverage of expert '{self.name}': fit {i} "
                    f"({type(fit).__name__}) has classes_ {classes.tolist()!r}, which "
                    "repeat a class; its probability columns cannot be aligned.")
        return fits

    def _checked_X(self, X):
        """``X`` checked as the fits will read it, as a read-only view."""
        who = f"CrossFitAverage of expert '{self.name}'"
        refuse_unreadable_tensor(X, who)
        refuse_structured_array(X, who)
        refuse_duplicate_columns(X, who)
        # scikit-learn's check of X's names against the fits', once: the fits
        # predict without their feature-names warnings (one per fit would be a
        # storm), and an array given to an average of fits on a DataFrame, or
        # the reverse, was predicted without a word.
        _check_feature_names(self, X, reset=False)
        # Read-only, as a mixture gives it: a fit that wrote into its X changed
        # the caller's array, and what the next fits predicted from, silently.
        return read_only_view(X)

    @property
    def classes_(self):
        if self.n_classes is None:
            raise AttributeError("a regression expert has no classes_")
        n_classes = self.n_classes
        if not (isinstance(n_classes, numbers.Integral) and not isinstance(n_classes, bool)
                and n_classes >= 1):
            # (numpy's TypeError from arange failed a notebook's display.)
            raise _InvalidFitsValueError(f"CrossFitAverage of expert '{self.name}': n_classes must "
                                 f"be None or an integer >= 1; got {n_classes!r}.")
        return np.arange(n_classes)

    def _first_fit(self):
        """The first fit, for the attributes read from it; where the fits are
        not valid, ``_fits``' error that is also an AttributeError (as
        scikit-learn's NotFittedError is), so that ``hasattr`` is False: a
        notebook's display (``dir``, then ``hasattr`` of every attribute)
        failed with the TypeError of an average holding something that is no
        fit."""
        try:
            return self._fits()[0]
        except ValueError as error:
            raise _InvalidFitsValueError(str(error)) from error
        except TypeError as error:
            raise _InvalidFitsTypeError(str(error)) from error

    @property
    def n_features_in_(self):
        return self._first_fit().n_features_in_

    @property
    def feature_names_in_(self):
        # The names of the X the fits were given, where the mixture that made
        # them recorded them (``_feature_names_given``): LightGBM keeps its
        # own cleaned copy ('a b' as 'a_b'), and the check of X's names
        # against it refused the very frame fitted on at predict time.
        names = getattr(self, "_feature_names_given", None)
        return names if names is not None else self._first_fit().feature_names_in_

    def fit(self, X=None, y=None, **fit_params):
        """Check the fits and do nothing else: they are made (as ``FrozenEstimator.fit``).

        (scikit-learn's inspection tools, such as ``partial_dependence`` and
        ``permutation_importance``, take only estimators with ``fit``: they
        refused a mixture's deployed expert.)

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Ignored.
        y : array-like of shape (n_samples,), default=None
            Ignored.
        **fit_params : dict
            Ignored.

        Returns
        -------
        self : CrossFitAverage
        """
        # The fits checked here too: fits of different widths or classes that
        # cannot be aligned were accepted, and failed only at predict.
        self._fits()
        return self

    def score(self, X, y, sample_weight=None):
        """R² of :meth:`predict` (regression), or its accuracy on the encoded
        labels ``0 .. n_classes - 1`` (classification).

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
        if issparse(y):
            # (np.asarray of a sparse y is a 0-d object array: the check of
            # the encoded labels below stopped with numpy's bare "setting an
            # array element with a sequence".)
            raise TypeError(f"CrossFitAverage of expert '{self.name}': sparse data was passed "
                            f"for y (shape {y.shape}), but dense data is required. Use "
                            "'.toarray()' to convert to a dense numpy array.")
        if self.n_classes is not None and y is not None:
            # predict gives encoded labels: labels of y itself ('a', 'b') were
            # scikit-learn's "Mix of label input types (string and number)",
            # and labels beyond n_classes scored as errors, silently.
            labels = np.asarray(y)
            if labels.dtype.kind not in "biuf" or not np.all(
                    (labels >= 0) & (labels < self.n_classes) & (labels == np.round(labels))):
                shown = np.unique(labels.astype(str)).tolist()
                raise ValueError(
                    f"CrossFitAverage of expert '{self.name}' predicts encoded labels, "
                    f"integers from 0 to {self.n_classes - 1}; y holds "
                    f"{shown[:5] + ['...'] if len(shown) > 5 else shown}. Score it on "
                    "the encoded labels (the LabelEncoder's transform of y).")
        return checked_score(self, X, y, sample_weight, self.n_classes is not None)

    def predict(self, X):
        """Regression: the fits' mean prediction; classification: the argmax of
        :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Classification: the encoded class (``0 .. n_classes - 1``).
        """
        if self.n_classes is not None:
            return np.argmax(self.predict_proba(X), axis=1)
        fits = self._fits()
        X = self._checked_X(X)
        with _fold_warnings_once(self.name, len(fits)):
            outputs = regression_outputs([self.name] * len(fits), fits, X)
        return outputs @ self._weights(len(fits))

    # Only with n_classes, so that hasattr tells the truth: a regression
    # average had predict_proba for hasattr (the method raised when called),
    # as scikit-learn's estimators and skmoe's others do not.
    @available_if(lambda self: self.n_classes is not None)
    def predict_proba(self, X):
        """Classification: the fits' mean class probabilities (encoded classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns are the encoded classes ``0 .. n_classes - 1``; entries
            in [0, 1], rows summing to one.
        """
        fits = self._fits()
        X = self._checked_X(X)
        with _fold_warnings_once(self.name, len(fits)):
            each = np.stack([aligned_proba(self.name, e, X, self.n_classes) for e in fits],
                            axis=1)
        # Clipped and renormalised as a mixture's probabilities are: weights
        # that sum to one only to rounding gave certain fits 1.0000000000000002
        # (refit_experts=0.5 with cv=3), which scikit-learn's log_loss refuses
        # ("y_prob contains values greater than 1"), and float32 fits rows
        # that sum to 1 +- 1.5e-6 ("The y_prob values do not sum to one").
        return mix_probabilities(np.broadcast_to(self._weights(len(fits)), each.shape[:2]),
                                 each)
