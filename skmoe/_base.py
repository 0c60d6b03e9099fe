"""Shared machinery of the meta-estimators: named experts, weighted fitting.

The mixtures and the ensembles take their experts the same way as
scikit-learn's ``VotingRegressor``: a list of ``(name, estimator)`` pairs
(``'drop'`` removes one), or one estimator plus ``n_experts=k`` for a
homogeneous mixture.  Parameter handling (``tree__max_depth`` in
``GridSearchCV``, name validation) comes from scikit-learn's
``_BaseComposition``.
"""

import contextlib
import difflib
import inspect
import numbers
import warnings
from collections.abc import ItemsView, Iterator
from copy import deepcopy

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import Bunch, _safe_indexing, check_random_state
from sklearn.utils.metadata_routing import (MetadataRouter, MethodMapping, _raise_for_params,
                                            _routing_enabled, get_routing_for_object,
                                            process_routing)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (_check_feature_names, _check_method_params,
                                      _check_n_features, _check_sample_weight, _check_y,
                                      _num_samples, check_consistent_length, check_is_fitted,
                                      column_or_1d, has_fit_parameter)

from ._compat import (SIMPLE_METHODS, _BaseComposition, _Scorer, _set_random_states,
                      get_tags, request_is_alias, validate_data)
from ._data import (AutoGateTransformer, FittedMarkerMixin, _numeric_array, as_float64,
                    check_X_for_experts, frame_as_array_hint, gate_matrix, huge_values_hint,
                    is_dataframe, keep_column_labels, listed_rows, missing_column_hint, n_samples,
                    nan_columns, nan_columns_hint,
                    nonfinite_y_rows_named, nonfinite_y_where, normalised_weights, own_frame,
                    pandas_na_hint, read_only_view, refuse_duplicate_columns,
                    refuse_misaligned_rows, refuse_reordered_columns, refuse_sparse_fill,
                    refuse_unreadable_tensor, resolve_gate_transformer, sequence_cells_hint,
                    take_rows, time_columns_hint, unequal_weights, warned_once, word_columns_hint)
from ._warnings import _recorded_expert_warnings, thread_filter

# Rows whose (normalised) weight is below this are left out of an expert's
# weighted fit: they change the fit by less than this fraction of an average
# row, and dropping them makes specialised experts much cheaper to refit.
# Under the user's sample_weight the threshold is on the responsibility part
# alone (:func:`_kept_rows`), and rows of a user weight below
# _NEGLIGIBLE_SAMPLE_WEIGHT times the mean are left out.
_PRUNE_WEIGHT = 1e-3
_NEGLIGIBLE_SAMPLE_WEIGHT = 1e-6


def _kept_rows(weight, sample_weight):
    """The rows of an expert's weighted fit that pruning keeps.

    ``weight`` is rescaled to mean one; ``sample_weight`` (the user's weights
    of the same rows, of which ``weight`` is a multiple row by row, or None)
    puts the threshold on the responsibility ``weight / sample_weight``
    relative to its mean under ``sample_weight``. On ``weight`` alone the
    threshold was relative to the mean over rows, so to the number of rows:
    a row of weight 3 was pruned where its three copies were not, and exact
    EM with integer weights drifted from its repeated rows (0.25 apart after
    5 iterations). Rows of negligible sample_weight (below
    ``_NEGLIGIBLE_SAMPLE_WEIGHT`` of the mean, zero included) are left out
    too, whatever their responsibility.
    """
    if unequal_weights(sample_weight) is None:
        # Equal user weights: the rule below reduces to this one (kept
        # verbatim so unweighted fits stay the same, bit for bit).
        return np.flatnonzero(weight >= _PRUNE_WEIGHT)
    share = np.divide(weight, sample_weight, out=np.zeros_like(weight),
                      where=sample_weight > 0)
    # sum(w * R) / sum(w): the responsibility's mean under the user's weights.
    keep = share >= _PRUNE_WEIGHT * (weight.sum() / sample_weight.sum())
    # Rows of weight 1e-9 act as absent rows, as they did (exact EM is not
    # continuous there: kept, five such rows far out moved its fit by 0.07).
    # A threshold far below what integer weights reach (their largest would
    # have to be a million times the mean), so they still fit as repeated rows.
    keep &= sample_weight >= _NEGLIGIBLE_SAMPLE_WEIGHT * sample_weight.mean()
    return np.flatnonzero(keep)


def is_missing_value(value):
    """None, NaN or pandas' NA (the missing value of its string columns)."""
    return (value is None or (isinstance(value, float) and value != value)
            or type(value).__name__ == "NAType")


def _float_target(y, not_numeric):
    """A regressor's target as float64: None and pandas' NA are NaN.

    Anything else that is no number (words) raises ``not_numeric(exc)``.
    """
    y = np.asarray(y)
    if y.dtype == object:
        y = np.array([np.nan if is_missing_value(v) else v for v in y.ravel()],
                     dtype=object).reshape(y.shape)
    try:
        # (Numbers beyond float64's range, a Python int of 10**400 or a
        # longdouble of 1e400, as infinity, which the checks of y then name:
        # numpy's bare OverflowError "int too large to convert to float",
        # or an expert's "Input y contains infinity" at fit.)
        return as_float64(y)
    except (TypeError, ValueError) as exc:
        raise not_numeric(exc) from exc


def _is_named_pair(item):
    """Whether an item of ``experts`` is a (string name, estimator) pair."""
    return isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)


def check_not_a_class(who, estimator):
    """Refuse an estimator class given where an instance belongs (``Ridge``
    for ``Ridge()``): scikit-learn's clone said "provide an instance of
    scikit-learn estimator instead of a class", naming no expert."""
    if isinstance(estimator, type):
        raise TypeError(f"{who} is the class {estimator.__name__}, not an estimator: "
                        f"pass an instance, e.g. {estimator.__name__}().")


def function_hint(estimator):
    """How to use a plain function as an expert, for an expert that is one.

    (A function of X given as an expert was told only that it is no
    estimator with fit, not that skmoe.RuleExpert makes one of it.)
    """
    if not callable(estimator) or isinstance(estimator, type) or hasattr(estimator, "fit"):
        return ""
    return ("; a plain function of X becomes an expert wrapped in RuleExpert (from "
            "skmoe import RuleExpert; RuleExpert(func), task='classification' for one "
            "that returns labels)")


def _will_have(estimator, method):
    """Whether ``estimator``, unfitted, will have ``method`` once fitted.

    scikit-learn's Stacking ensembles (and a Pipeline or a refitting search
    of one) show ``predict`` and ``predict_proba`` only where their
    ``final_estimator`` has them, and it is None, their default, until the
    fit makes it a RidgeCV or a LogisticRegression: such an expert was
    refused as "a transformer without predict" or as having "no
    predict_proba".
    """
    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from sklearn.model_selection._search import BaseSearchCV
    if hasattr(estimator, method):
        return True
    if isinstance(estimator, Pipeline) and estimator.steps:
        last = estimator.steps[-1][1]
        return last not in (None, "passthrough") and _will_have(last, method)
    if isinstance(estimator, BaseSearchCV):
        # (A search of refit=False has no model to predict with.)
        return bool(estimator.refit) and _will_have(estimator.estimator, method)
    if isinstance(estimator, (StackingClassifier, StackingRegressor)) and (
            estimator.final_estimator is None):
        from sklearn.linear_model import LogisticRegression, RidgeCV
        default = (LogisticRegression() if isinstance(estimator, StackingClassifier)
                   else RidgeCV())
        return hasattr(default, method)
    return False


def _check_not_a_transformer(name, estimator):
    """Refuse a transformer given as a regressor expert, before anything is fitted.

    A Pipeline ending with a transformer (``make_pipeline(StandardScaler())``)
    has ``fit``: it was fitted (cross-fitted, for the gradient trainer) and
    only then failed with "Expert 'pipe' failed in predict: This 'Pipeline'
    has no attribute 'predict'", which says nothing of the missing regressor.
    (Only transformers: an expert without predict whose fit fails says so.)
    """
    if hasattr(estimator, "transform") and not _will_have(estimator, "predict"):
        raise TypeError(
            f"Expert '{name}' ({type(estimator).__name__}) is a transformer without "
            "predict; an expert must be a regressor (a Pipeline must end with one).")


def _check_search_refits(name, estimator):
    """Refuse a search of ``refit=False`` (or a Pipeline ending with one), before any fit.

    It keeps no model to predict with: the mixtures fitted it and then
    failed, "Expert 'gs' (GridSearchCV) failed in predict: This
    'GridSearchCV' has no attribute 'predict'", and a plain average fitted
    without a word, to fail at its first predict.
    """
    from sklearn.model_selection._search import BaseSearchCV
    last = estimator
    while isinstance(last, Pipeline) and last.steps:
        last = last.steps[-1][1]
    if isinstance(last, BaseSearchCV) and last.refit is False:
        raise TypeError(
            f"Expert '{name}' ({type(estimator).__name__}) holds a "
            f"{type(last).__name__} of refit=False, which keeps no model to predict "
            "with; set refit=True (or the metric to choose the model by).")


def _check_has_tags(name, estimator):
    """Refuse an expert without scikit-learn's estimator tags, naming it.

    scikit-learn reads an estimator's kind (classifier, regressor) from its tags,
    which :class:`~sklearn.base.BaseEstimator` provides; a duck-typed expert
    without them failed in ``is_classifier`` with an error naming no expert.
    """
    try:
        get_tags(estimator)
    except AttributeError as exc:
        raise TypeError(
            f"Expert '{name}' ({type(estimator).__name__}) has no scikit-learn estimator "
            "tags (__sklearn_tags__), from which its kind is read: make it inherit from "
            "sklearn.base.BaseEstimator, with RegressorMixin or ClassifierMixin on its "
            "left (class MyExpert(RegressorMixin, BaseEstimator)).") from exc


def task_hint(estimator, task):
    """A hint for an expert of the wrong kind whose kind is its ``task`` parameter.

    A RuleExpert is a regressor or a classifier by its ``task``: one left at
    the default in a classifier was "not a classifier", which did not say
    that one parameter makes it one.
    """
    try:
        own = estimator.get_params(deep=False)
    except (TypeError, ValueError, AttributeError, RuntimeError):
        return ""
    if own.get("task", task) == task:
        return ""
    return f" (its task is {own['task']!r}: pass task={task!r})"


def _labels_not_codes(fitted, classes):
    """Whether a fitted model's ``classes_`` are labels of y (``classes``)
    other than their own codes 0 .. K-1; ``classes_`` that are not all
    labels of y are taken as codes (an expert of a fitted mixture, a
    CrossFitAverage), and unhashable ones are left to check_expert_classes."""
    values = np.asarray(fitted).ravel().tolist()
    try:
        labels = set(np.asarray(classes).tolist())
        if not all(v in labels for v in values):
            return False
        codes = _label_codes(classes)
        return not all(codes[v] == v for v in values)   # labels 0 .. K-1 are their own codes
    except TypeError:
        return False


def _calibrated_models(estimator):
    """The models (with their path) that a CalibratedClassifierCV in
    ``estimator`` (itself, or nested, but not inside a one-vs-rest classifier,
    whose models learn labels of their own) calibrates."""
    from sklearn.calibration import CalibratedClassifierCV
    try:
        params = estimator.get_params(deep=True)
    except (TypeError, ValueError, AttributeError, RuntimeError):
        params = {}   # not an estimator: fit names the expert
    found = [("", estimator)] + [(f"{key}__", value) for key, value in params.items()]
    return [(f"{path}estimator", cal.estimator) for path, cal in found
            if isinstance(cal, CalibratedClassifierCV) and cal.estimator is not None
            and not _learns_labels_of_its_own(estimator, params, f"{path}estimator__x")]


def _check_fitted_classes(name, estimator, classes):
    """Refuse an expert fitted before (a ``FrozenEstimator``) whose ``classes_``
    are labels of y other than their own codes, or one that calibrates such a
    model (``CalibratedClassifierCV(FrozenEstimator(model))``).

    The experts are fitted on y's classes encoded as 0 .. K-1 and their
    probability columns placed by ``classes_`` read as those codes. A copy
    that already has ``classes_`` is not refitted (clone returns a
    FrozenEstimator itself): ``classes_`` [1, 2], labels of y's classes
    [1, 2, 3], were read as the codes of 2 and 3, silently; labels
    ['a', 'b'] were refused as classes_ "after fitting", which named no
    cause. ``classes_`` that are not all labels of y are codes (an expert of
    a fitted mixture, a CrossFitAverage): taken as before. A calibrator reads
    its model's ``classes_`` as the codes it is fitted on too: it failed
    with "y contains previously unseen labels: [3]" (of y's labels 1, 2, 3),
    or, where they were codes too (classes_ [0, 1] of y's labels -1, 0, 1),
    gave the columns of 0 and 1 to -1 and 0, silently.
    """
    if classes is None:
        return
    held = [("", estimator)] + _calibrated_models(estimator)
    for path, model in held:
        fitted = getattr(model, "classes_", None)
        if fitted is None or not _labels_not_codes(fitted, classes):
            continue
        values = np.asarray(fitted).ravel().tolist()
        who = f"Expert '{name}' ({type(estimator).__name__})"
        fitted_already = (
            f"{who} is fitted already (it has classes_ {values} before the fit, as a "
            "FrozenEstimator has) and is not refitted; its classes_ are labels of y, but the "
            "experts' probability columns are placed by classes_" if not path else
            f"{who} calibrates a model fitted already (its {path}, a "
            f"{type(model).__name__}, has classes_ {values} before the fit), which is not "
            "refitted; its classes_ are labels of y, but the calibrator places its "
            "probability columns by classes_")
        raise ValueError(
            f"{fitted_already} read as y's classes {np.asarray(classes).tolist()} encoded as "
            f"0 .. {len(classes) - 1}. Fit it on the codes (LabelEncoder().fit_transform(y)) "
            "before freezing it, or give the expert unfitted.")


def _check_not_unsupervised(name, estimator):
    """Refuse a clusterer, density estimator or outlier detector as a regressor expert.

    Its predict is no prediction of y (KMeans' cluster numbers, IsolationForest's
    -1 or 1): it was fitted, weighed and averaged in as if it were, silently.
    (The classifiers refuse anything that is not a classifier.) After
    :func:`_check_has_tags`.
    """
    kind = get_tags(estimator).estimator_type
    if kind in ("clusterer", "density_estimator", "outlier_detector"):
        article = "an" if kind[0] == "o" else "a"
        raise TypeError(
            f"Expert '{name}' ({type(estimator).__name__}) is {article} "
            f"{kind.replace('_', ' ')}, whose predict is no prediction of y; an expert must "
            "be a regressor.")


class _BaseExpertComposition(FittedMarkerMixin, _BaseComposition):
    """Parameter handling and expert resolution shared by all estimators."""

    # Fitted once ``named_experts_`` is set, at the end of every fit: a first
    # fit that failed half-way left n_features_in_, training_ and
    # gate_transformer_, and predict failed with "object has no attribute
    # 'gate_'" instead of NotFittedError; a refit that failed half-way left the
    # previous fit's named_experts_ beside the failed fit's feature_names_in_.
    _fitted_marker = "named_experts_"
    # Set with it (_make_named_experts): which experts refused NaN at fit.
    _forget_also = ("_fitted_nan_refusers",)

    def __getstate__(self):
        # A rule that pickle cannot store stopped pickling with the rule's
        # message only: of two lambda rules, which one was not said. The
        # experts are named here, before pickle reaches them (not when
        # copy.deepcopy asks for the state: it copies a rule's function as is).
        from ._rules import RuleExpert
        experts = getattr(self, "experts", None)
        pairs = ([("experts", experts)] if hasattr(experts, "fit") else
                 [item for item in experts if isinstance(item, (list, tuple)) and len(item) == 2]
                 if isinstance(experts, (list, tuple)) else [])
        pairs += list(zip(getattr(self, "expert_names_", ()), getattr(self, "experts_", ())))
        for name, expert in pairs:
            if isinstance(expert, RuleExpert):
                expert._check_picklable(f"Expert {name!r} (RuleExpert) of "
                                        f"{type(self).__name__}", or_copying=True)
        return super().__getstate__()

    def get_params(self, deep=True):
        """Get parameters, including ``<expert name>__<param>`` ones.

        Parameters
        ----------
        deep : bool, default=True
            If True, also return the parameters of the experts.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        experts = getattr(self, "experts", None)
        if deep and not (isinstance(experts, (list, tuple))
                         and all(map(_is_named_pair, experts))):
            # Only (string name, estimator) pairs give parameters: a dict of
            # experts failed with "not enough values to unpack", and names that
            # are not strings became parameter names, so displaying the
            # estimator (its HTML repr) failed before fit could name the fault.
            # One estimator (copied to every expert) gives ``experts__<param>``
            # here: read as a list of pairs, a random forest or a boosting
            # model was iterated over its trees, and before fit raised
            # "object has no attribute 'estimators_'" (set_params and
            # GridSearchCV failed on a homogeneous forest mixture).
            return BaseEstimator.get_params(self, deep=deep)
        return self._get_params("experts", deep=deep)

    def set_params(self, **params):
        """Set parameters; experts are addressed by name, e.g. ``tree__max_depth``.

        Parameters
        ----------
        **params : keyword arguments
            Estimator parameters; an expert's name set to ``'drop'`` removes it.

        Returns
        -------
        self : object
        """
        own = self.get_params(deep=False)
        for key in params:
            head, nested, tail = key.partition("__")
            if not nested or head not in own:
                continue
            value = params.get(head, own[head])
            if value is None or (isinstance(value, str) and head == "gate_transformer"):
                # BaseEstimator would call None.set_params (or 'auto'.set_params:
                # a bare "'str' object has no attribute 'set_params'"): say what
                # to pass instead.
                example = {"gate": "MLPGate(...)",
                           "gate_transformer": "AutoGateTransformer(...)"}.get(head,
                                                                            "an estimator")
                raise ValueError(
                    f"Cannot set {key!r}: {head}={value!r} (the default) has no parameters. "
                    f"Pass {head}={example} to tune it, e.g. set_params({head}={example}) "
                    f"or {{'{head}': [{example}], '{key}': [...]}} in a parameter grid.")
            if head == "experts" and isinstance(value, (list, tuple)):
                # A list has no set_params ("'list' object has no attribute
                # 'set_params'"): its experts are addressed by name.
                names = [item[0] for item in value if _is_named_pair(item)]
                first, _, rest = tail.partition("__")
                # The first expert that has the parameter (experts__max_depth
                # over a Ridge and a tree was told "e.g. 'ridge__max_depth'",
                # a key that fails too), else the first expert.
                owners = [item[0] for item in value if _is_named_pair(item)
                          and hasattr(item[1], "get_params")
                          and first in item[1].get_params()]
                name = (owners or names or ["<name>"])[0]
                example = f"{name}__{tail}"
                if first in names:
                    # (experts__hgb__max_iter: the tail names an expert already;
                    # the hint put the first name in front of it, a key that fails.)
                    example = tail
                elif first.isdigit() and int(first) < len(value) and _is_named_pair(
                        value[int(first)]):
                    # An expert by its position (experts__0__alpha): the hint
                    # was 'ridge__0__alpha', a key that fails too.
                    example = value[int(first)][0] + (f"__{rest}" if rest else "")
                raise ValueError(
                    f"Cannot set {key!r}: experts is a list of (name, estimator) pairs; "
                    f"address an expert by its name, e.g. {example!r}.")
        params = dict(params)
        if "experts" in params:
            self.experts = params.pop("experts")
        experts = self.experts
        if isinstance(experts, tuple) and any(
                _is_named_pair(item) and item[0] in params for item in experts):
            # scikit-learn replaces an expert by name (set_params(tree=...)) only
            # in a list: in a tuple the new expert was set as a stray attribute
            # and silently ignored.
            self.experts = list(experts)
        self._set_params("experts", **params)
        return self

    def get_metadata_routing(self):
        """Metadata routing: ``fit`` metadata goes to each expert's ``fit``.

        Only used with ``sklearn.set_config(enable_metadata_routing=True)``.
        ``sample_weight`` is consumed by the estimator itself: each expert
        gets its weights (the user's weights, times its responsibilities in a
        mixture) as its own ``sample_weight`` where it accepts them (see
        ``fit_expert``), and the estimator's own request
        (``set_fit_request(sample_weight=...)``) alone says whether a parent
        passes the weights; other metadata is routed as requested by the
        experts, as in scikit-learn's ``VotingRegressor``.

        Returns
        -------
        routing : MetadataRouter
        """
        router = MetadataRouter(owner=type(self).__name__).add_self_request(self)
        for name, estimator in self._expert_list():
            if isinstance(estimator, str):  # 'drop'
                continue
            router.add(**{name: _without_own_weights(get_routing_for_object(estimator))},
                       method_mapping=MethodMapping().add(caller="fit", callee="fit"))
        return router

    def _route_fit_params(self, fit_params, groups=None):
        """Metadata for each expert's ``fit``, ``{name: dict}`` ({} without routing).

        ``groups``, which ``fit`` takes for its own folds, goes to the experts
        that request it too (as ``GridSearchCV`` gives its estimator the
        groups its splitter uses): a nested mixture's
        ``set_fit_request(groups=True)`` was ignored without a word.
        """
        if not _routing_enabled():
            _refuse_misnamed_fit_params(self, fit_params)
            _raise_for_params(fit_params, self, "fit")  # extra metadata needs routing
            return {}
        if groups is not None:
            fit_params = dict(fit_params, groups=groups)
        routed = process_routing(self, "fit", **fit_params)
        return {name: dict(routed[name].fit) for name, est in self._expert_list()
                if not isinstance(est, str)}

    def _validate_weighted_fit(self, X, y, sample_weight, fit_params, members, why,
                               check_experts=None, groups=None):
        """``fit``'s checks for the compositions that refit their experts on
        changing weights (the mixtures, HME): X, y and relative weights (ones
        where None). ``check_experts`` (callable) runs after the parameters'
        checks and before the data's.

        Those can route no metadata but the weights (``members``: 'experts'
        or 'leaves'; ``why``: the reason): an expert that asks for more is
        named with the keys it asked for (HME's fit took no metadata, a bare
        TypeError; the mixture's message listed the whole arrays).
        """
        self._forget_fit()
        self._validate_params()
        if check_experts is not None:
            check_experts()
        asked = {name: sorted(params)
                 for name, params in self._route_fit_params(fit_params, groups).items()
                 if params}
        aliased = sorted(name for name, params in asked.items() if "sample_weight" in params)
        if aliased:
            # An expert taking its sample_weight from a key of another name
            # (set_fit_request(sample_weight="w")): the message said the
            # estimator cannot route "metadata other than sample_weight" and
            # that the expert asked for ['sample_weight'].
            raise ValueError(
                f"{type(self).__name__} fits its {members} with its own sample_weight "
                f"(times their responsibilities), not with weights of their own: "
                f"{aliased} request sample_weight under another name; pass the weights as "
                "sample_weight and leave that request unset or True.")
        if asked:
            raise ValueError(
                f"{type(self).__name__} cannot route metadata other than sample_weight "
                f"to its {members} (asked for: {asked}); {why}.")
        X, y = self._check_raw_X_y(X, y)
        # (Of the rows of positive weight: fit leaves the others out without
        # rescaling the kept ones again.)
        sample_weight = check_relative_sample_weight(sample_weight, X, positive_only=True)
        return X, y, (np.ones(len(y)) if sample_weight is None else sample_weight)

    def _check_min_samples(self, y, n_splits, n_left_out=0):
        """Raise if ``n_splits`` cross-fitting folds leave an expert too few rows.

        Every fold must leave at least two training rows (many estimators,
        LightGBM among them, refuse one), and a classifier's stratified folds
        need a class with ``n_splits`` members. ``n_left_out``: rows of zero
        weight left out of ``y``, named in the message.
        """
        n = len(y)
        minimum = next(m for m in range(n_splits, 2 * n_splits + 3)
                       if m - -(-m // n_splits) >= 2)
        left_out = (f" of positive sample_weight (the {n_left_out} rows of zero weight "
                    "are left out)" if n_left_out else "")
        if n < minimum:
            raise ValueError(
                f"{type(self).__name__} needs at least {minimum} samples with "
                f"{n_splits} cross-fitting folds (cv): every fold must leave at least "
                f"two training rows for the experts; got {n}{left_out}. Lower cv or add "
                "rows.")
        if self._is_classifier:
            counts = np.unique(y, return_counts=True)[1]
            if counts.max() < n_splits:
                raise ValueError(
                    f"{type(self).__name__} uses {n_splits} stratified cross-fitting "
                    f"folds (cv), which needs a class with at least {n_splits} samples; "
                    f"the largest class has {counts.max()}{left_out}. Lower cv or add "
                    "rows.")

    # -- experts ---------------------------------------------------------
    def _expert_list(self):
        """Return the (name, estimator) pairs as given, 'drop' included."""
        experts = self.experts
        n_experts = getattr(self, "n_experts", None)
        if hasattr(experts, "fit"):
            if n_experts is None:
                raise ValueError(
                    "A single estimator was given as `experts`; pass "
                    "`n_experts=k` (k >= 2) for a homogeneous mixture, or a "
                    "list of (name, estimator) pairs."
                )
            if not isinstance(n_experts, numbers.Integral) or n_experts < 2:
                raise ValueError(f"n_experts must be an integer >= 2, got {n_experts!r}.")
            return [(f"expert{i}", experts) for i in range(n_experts)]
        # (Checked before n_experts: experts=None with n_experts=2 stopped
        # with a bare "object of type 'NoneType' has no len()", and
        # experts='ridge' was "a list of 5 experts".)
        if not isinstance(experts, (list, tuple)) or len(experts) == 0:
            # A dict of name -> estimator (as compare() takes) or a generator
            # of pairs got the same words as None, without the way to pass them.
            # (A dict's items() view and an array of pairs got no hint at all.)
            hint = ("; for a dict of name -> estimator pass list(experts.items())"
                    if (hasattr(experts, "items") and hasattr(experts, "keys"))
                    or isinstance(experts, ItemsView) else
                    "; pass the pairs as a list, list(experts) (an iterator would be "
                    "used up by the first fit)" if hasattr(experts, "__next__") else
                    "; pass the pairs as a list of tuples, e.g. [tuple(pair) for pair in "
                    "experts] (for a dict of name -> estimator pass list(experts.items()))"
                    if isinstance(experts, np.ndarray) else "")
            raise TypeError(
                "experts must be a non-empty list of (name, estimator) pairs "
                f"or a single estimator, got {type(experts).__name__}{hint}."
            )
        if n_experts is not None:
            raise ValueError(
                "n_experts is only used with a single estimator as `experts`; "
                f"got a list of {len(experts)} experts and n_experts={n_experts!r}."
            )
        for item in experts:
            if not (isinstance(item, (list, tuple)) and len(item) == 2):
                raise TypeError(
                    "Each expert must be a (name, estimator) pair, got " f"{item!r}."
                )
            if not isinstance(item[0], str):
                raise TypeError(f"Expert names must be strings, got {item[0]!r}.")
            check_expert_name(*item)
        return list(experts)

    def _resolve_experts(self, random_state=None):
        """Validate the experts and return unfitted clones, 'drop' removed.

        Returns
        -------
        names : list of str
        estimators : list of estimator
            Clones. Unset ``random_state`` parameters are seeded from
            ``random_state``; for a homogeneous mixture each clone gets its own
            seed so that the experts are not identical copies of each other.
        """
        pairs = self._expert_list()
        names = [name for name, _ in pairs]
        if getattr(self, "n_experts", None) is None:
            self._validate_names(names)
        kept = [(n, e) for n, e in pairs if not (isinstance(e, str) and e == "drop")]
        for name, est in kept:
            check_not_a_class("experts" if getattr(self, "n_experts", None) is not None
                              else f"Expert '{name}'", est)
            if not hasattr(est, "fit"):
                raise TypeError(
                    f"Expert '{name}' is {est!r}, which is neither an estimator "
                    f"with fit nor 'drop'{function_hint(est)}."
                )
        if len(kept) < 2:
            raise ValueError(
                f"A mixture or ensemble needs at least two experts; got {len(kept)} "
                f"(after removing 'drop'): {[n for n, _ in kept]}."
            )
        rng = check_random_state(random_state)
        homogeneous = getattr(self, "n_experts", None) is not None
        clones = []
        for name, est in kept:
            est = clone_expert(name, est)
            if homogeneous:
                # Copies of one estimator must differ: each gets its own seed.
                _set_random_states(est, rng)
            else:
                _seed_unset_random_states(est, rng)
            if self._is_classifier:   # (``classes_`` is set before the experts)
                encode_label_parameters(est, self.classes_, name)
            clones.append(est)
        return [n for n, _ in kept], clones

    def _check_expert_types(self, names, estimators, classifier, need_proba):
        for name, est in zip(names, estimators):
            kind = type(est).__name__
            _check_has_tags(name, est)
            _check_search_refits(name, est)
            if classifier and not is_classifier(est):
                raise TypeError(f"Expert '{name}' ({kind}) is not a classifier"
                                f"{task_hint(est, 'classification')}.")
            if not classifier and is_classifier(est):
                raise TypeError(f"Expert '{name}' ({kind}) is a classifier; a regression "
                                f"mixture or ensemble needs regressors"
                                f"{task_hint(est, 'regression')}.")
            if not classifier:
                _check_not_a_transformer(name, est)
                _check_not_unsupervised(name, est)
            if classifier:
                _check_fitted_classes(name, est, getattr(self, "classes_", None))
            if need_proba and not _will_have(est, "predict_proba"):
                # An ensemble with an SVC was told that "a classifier mixture"
                # needs probabilities, and nothing of the voting that does not.
                soft = getattr(self, "voting", None) == "soft" and not isinstance(
                    getattr(self, "weights", None), str)
                who = type(self).__name__ + (" (voting='soft')" if soft else "")
                raise TypeError(
                    f"Expert '{name}' ({kind}) has no predict_proba; {who} needs every "
                    "expert's class probabilities (for an SVC, wrap it: "
                    "CalibratedClassifierCV(SVC(), ensemble=False), as scikit-learn 1.9 "
                    "recommends over its deprecated SVC(probability=True); "
                    "for a classifier with decision_function only, such as "
                    "RidgeClassifier or Perceptron, wrap it in CalibratedClassifierCV)"
                    + (", or use voting='hard'." if soft else "."))

    # dtype of X at prediction (``_check_X``) when X is converted (``_raw_X`` False).
    _X_dtype = np.float64
    # Whether the experts get X as the user gave it (a DataFrame, a sparse
    # matrix, an array of any dtype), checked but not converted.
    _raw_X = False

    @property
    def _is_classifier(self):
        return isinstance(self, ClassifierMixin)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # NaN in X where every expert takes it (a gate imputes it), and a
        # gate_transformer set by the user too (fit with PCA() as the gate's
        # view failed on NaN that the tag allowed).
        gate_transformer = getattr(self, "gate_transformer", "auto")
        tags.input_tags.allow_nan = self._nan_refusers(given=True) == [] and (
            isinstance(gate_transformer, str) or _tag_allows_nan(gate_transformer))
        # Every expert is fitted on y and X as given: one that needs positive
        # y (PoissonRegressor, GammaRegressor) or positive X (MultinomialNB)
        # makes the whole composition need it, and the tags said it did not.
        tags.target_tags.positive_only = self._experts_need("target_tags")
        tags.input_tags.positive_only = self._experts_need("input_tags")
        # An expert on a precomputed kernel makes X one for the whole
        # composition: cross_val_score then slices its columns with its rows.
        # (is_pairwise: a MultiOutputRegressor or Pipeline around one too.)
        try:
            tags.input_tags.pairwise = any(
                is_pairwise(e) for _, e in self._expert_list() if not isinstance(e, str))
        except (TypeError, ValueError, AttributeError):   # not estimators: fit says so
            tags.input_tags.pairwise = False
        return tags

    def _experts_need(self, kind, tag="positive_only"):
        """Whether an expert's ``tag`` of ``kind`` (``'input_tags'`` or
        ``'target_tags'``) is set; False where the experts are no valid list."""
        try:
            experts = [e for _, e in self._expert_list() if not isinstance(e, str)]
            return any(getattr(getattr(get_tags(e), kind), tag) for e in experts)
        except (TypeError, ValueError, AttributeError):   # not estimators: fit says so
            return False

    def _nan_policy(self):
        """``ensure_all_finite`` for X: NaN allowed when every expert allows it."""
        return "allow-nan" if self._experts_allow_nan() else True

    def _check_X(self, X):
        """X at prediction: fitted, the features seen in fit, NaN as the experts allow.

        With ``_raw_X`` X is checked (:func:`skmoe._data.check_X_for_experts`)
        and returned as given.
        """
        check_is_fitted(self)
        refuse_duplicate_columns(X, type(self).__name__)
        if not self._raw_X:
            refuse_sparse_fill(X, type(self).__name__)
            with self._nan_refusers_named(X):
                return validate_data(self, X, reset=False,
                                     ensure_all_finite=self._nan_policy(), dtype=self._X_dtype)
        _check_feature_names(self, X, reset=False)
        self._check_column_order(X)
        with self._nan_refusers_named(X):
            X = check_X_for_experts(X, allow_nan=self._experts_allow_nan(), estimator=self)
        _check_n_features(self, X, reset=False)
        return X

    def _check_column_order(self, X):
        """Refuse a DataFrame with the columns seen in fit in another order.

        Column labels that are not all strings (``0, 1, 2``) are no feature
        names to scikit-learn, which checks nothing; the experts and the gate
        read columns by position, so ``X[[2, 1, 0]]`` gave predictions from
        swapped features without a word.
        """
        refuse_reordered_columns(self, X, "the experts and the gate read")

    def _fit_gate_view(self, X, y):
        """Fit ``gate_transformer_`` on X and y; the gate's view of X (dense float64)."""
        check_not_a_class("gate_transformer", self.gate_transformer)
        self.gate_transformer_ = resolve_gate_transformer(self.gate_transformer)
        try:
            if hasattr(self.gate_transformer_, "fit_transform"):
                Z = _transform_read_only(self.gate_transformer_, "fit_transform", X, y)
            else:
                # fit and transform are what the parameter asks for, as in scikit-learn's
                # Pipeline (without TransformerMixin: "has no attribute 'fit_transform'").
                _transform_read_only(self.gate_transformer_, "fit", X, y)
                Z = _transform_read_only(self.gate_transformer_, "transform", X)
        except (TypeError, ValueError):
            self._refuse_named_text_columns(X)
            raise
        Z = gate_matrix(Z, n_samples(X), self.gate_transformer_,
                        allow_nan=self._experts_allow_nan(), X=X)
        if Z.shape[1] == 0:
            # (A selector that matched no column, say: the gate then gave every
            # row the same weights, without a word.)
            warnings.warn(f"gate_transformer ({type(self.gate_transformer_).__name__}) "
                          "returned no columns: the gate sees nothing of X and gives every "
                          "row the same weights (a constant blend of the experts). Check "
                          "the transformer if the gate should depend on X.", UserWarning,
                          stacklevel=4)
        self._n_gate_columns = Z.shape[1]
        return Z

    def _refuse_named_text_columns(self, X):
        """Refuse, by name, the columns 'auto' cannot read as numbers in an
        object array that came from a polars frame (``feature_names_in_``).

        Such a frame reaches the gate's view as an array (check_X_for_experts),
        whose error named a string column by position ("column(s) [2]"), where
        a pandas frame's is named. Called only once the gate's transformer has
        failed: an object array it reads (a fitted 'auto' encodes text columns
        by position) is no error, and the experts' own message about missing
        column names then comes first.
        """
        names = getattr(self, "feature_names_in_", None)
        if (names is not None and isinstance(X, np.ndarray) and X.dtype == object
                and isinstance(self.gate_transformer_, AutoGateTransformer)):
            _numeric_array(X, names)

    def _gate_view(self, X):
        """The gate's numeric view of X (``gate_transformer_``)."""
        transformer = getattr(self, "gate_transformer_", None)
        if transformer is None:  # fitted before gate_transformer existed
            return np.asarray(X, dtype=np.float64)
        try:
            Z = warned_once(_transform_read_only, transformer, "transform", X)
        except (TypeError, ValueError):
            self._refuse_named_text_columns(X)
            raise
        return gate_matrix(Z, n_samples(X), transformer, getattr(self, "_n_gate_columns", None),
                           allow_nan=self._experts_allow_nan())

    def _y_not_numeric(self, exc):
        """The error for a regressor's y that is no number (``exc``: the cast's)."""
        return ValueError(f"y must be numeric for {type(self).__name__} (a regressor): "
                          f"{exc}; use a classifier for class labels.")

    def _group_folds(self, X, y, groups, sample_weight):
        """The folds of whole groups ``fit(X, y, groups=groups)`` uses for ``cv``
        (:func:`~skmoe._crossfit.cv_of_groups`; ``_inner_fold_count`` says how
        many an int or 'auto' cv makes). Called from ``_fit``, called from
        ``fit``: its warning points at the caller of ``fit``."""
        from ._crossfit import cv_of_groups     # (_crossfit imports this module)
        return cv_of_groups(self.cv, self._inner_fold_count(y), X, y, groups,
                            classifier=self._is_classifier, auto=isinstance(self.cv, str),
                            classes=self.classes_ if self._is_classifier else None,
                            sample_weight=sample_weight, stacklevel=5)

    def _check_raw_X_y(self, X, y):
        """X and y at fit, X as given (:func:`skmoe._data.check_X_for_experts`).

        Sets ``n_features_in_`` and, for a DataFrame with string column
        names, ``feature_names_in_``. y is checked as ``validate_data`` does.
        """
        refuse_duplicate_columns(X, type(self).__name__)
        refuse_misaligned_rows(X, y, "y", type(self).__name__)
        _check_feature_names(self, X, reset=True)
        # Labels that are not feature names (integers): see _check_column_order.
        keep_column_labels(self, X)
        with self._nan_refusers_named(X):
            X = check_X_for_experts(X, ensure_min_samples=2,
                                    allow_nan=self._experts_allow_nan(), estimator=self)
        _check_n_features(self, X, reset=True)
        refuse_unreadable_tensor(y, type(self).__name__, "y")
        if self._is_classifier and y is not None:
            # (pd.NA among the labels: a bare "boolean value of NA is ambiguous"
            # from the check below.)
            check_label_values(y, "y")
        if not self._is_classifier:
            refuse_time_target(y, type(self).__name__)
        if (not self._is_classifier and y is not None and not issparse(y)
                and (np.asarray(y).dtype.kind in "USO" or np.asarray(y).dtype.kind == "f"
                     and np.asarray(y).dtype.itemsize > 8)):
            # Before the check of y, which names NaN: None in an object y passed
            # it (it looks for NaN among the objects) and became NaN after it, for
            # an expert to fail on (HME's k-means start: "Input X contains NaN");
            # pd.NA stopped it with a bare "boolean value of NA is ambiguous";
            # words in an object y (a pandas column of strings) failed in its
            # bare float cast; numbers as strings ("1.5") stayed strings, on which
            # the greedy ensemble's NaN check failed ("ufunc 'isnan' not supported").
            # (A sparse y, an object scalar to np.asarray, is left to that check,
            # which says dense data is required: "y must be numeric ... use a
            # classifier for class labels" sent a sparse column of numbers away.)
            y = _float_target(y, self._y_not_numeric)
        # (Not np.shape: it dispatches __array_function__, which array-likes
        # such as scikit-learn's _NotAnArray refuse; np.asarray reads them.)
        shape = (None if y is None or issparse(y)
                 else getattr(y, "shape", None) or np.asarray(y).shape)
        if shape is not None and len(shape) == 2 and shape[1] > 1:
            # (scikit-learn's "y should be a 1d array, got an array of shape
            # (60, 2) instead." did not say where several targets go.)
            raise ValueError(
                f"y should be a 1d array, got an array of shape {shape} instead: "
                f"{type(self).__name__} fits one target; for several, use "
                "MultiGateMixtureOfExperts or HeterogeneousMultiGateMixtureOfExperts (one "
                "task per column of y), or fit one model per column."
                f"{_one_hot_hint(y) if self._is_classifier else ''}")
        with nonfinite_y_rows_named(y):
            y = _check_y(y, y_numeric=not self._is_classifier, estimator=self)
        check_consistent_length(X, y)
        return X, y

    def _check_X_y_for_likelihood(self, X, y):
        """X and y for a per-sample likelihood: y as floats, or as encoded labels."""
        refuse_misaligned_rows(X, y, "y", type(self).__name__)
        X = self._check_X(X)
        y = column_or_1d(y)
        if len(y) != n_samples(X):
            raise ValueError(f"X has {n_samples(X)} samples but y has {len(y)}.")
        if not self._is_classifier:
            refuse_time_target(y, type(self).__name__)
            # (pd.NA and words were bare TypeError / ValueError of the float cast.)
            y = _float_target(y, self._y_not_numeric)
            if not np.all(np.isfinite(y)):
                # (A NaN target gave a NaN log-likelihood, and bic/aic NaN. The
                # rows were not named, where fit names them.)
                where = nonfinite_y_where(~np.isfinite(y))
                raise ValueError(f"y contains NaN or infinity: {where}; a log-likelihood "
                                 "needs finite targets: drop those rows or fill in their "
                                 "targets.")
            return X, y
        # (Sorting None, NaN or mixed labels failed with a bare TypeError.)
        check_label_values(y, "y")
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if len(unknown):
            raise ValueError(f"y contains labels not seen in fit: {unknown.tolist()}.")
        return X, self._label_encoder.transform(y)

    @contextlib.contextmanager
    def _nan_refusers_named(self, X=None):
        """Name the experts that refuse NaN in X when validation does.

        scikit-learn's own message suggests estimators that handle NaN; the
        user needs to know which of their experts does not, and (given X)
        which columns hold the NaN.
        """
        try:
            yield
        except ValueError as error:
            first_line = str(error).splitlines()[0] if str(error) else ""
            refusers = self._nan_refusers() if "contains NaN" in first_line else None
            if not refusers:
                raise
            named = ", ".join(f"'{name}' ({type(expert).__name__})" for name, expert in refusers)
            # (A raw frame with gaps was told only "Input X contains NaN".)
            where = nan_columns(X) if X is not None else ""
            where = f" (X's column(s) {where} hold them)" if where else ""
            raise ValueError(
                f"{first_line} Expert(s) {named} do not accept missing "
                f"values{where}: impute them (for example make_pipeline(SimpleImputer(), "
                "<expert>) as the expert) or use experts that handle NaN (LightGBM, "
                "HistGradientBoosting).") from error

    def _nan_refusers(self, given=False):
        """The ``(name, expert)`` pairs that refuse NaN in X; None when there
        are no experts to ask (none given, or a list fit will reject).

        Once fitted, those of the fit (unless ``given``: those of ``experts``
        as it is now): predict calls the fitted experts, and after
        ``set_params(experts=...)`` a fit of experts that take NaN refused it
        at predict (Ridge given now), and a fit of Ridge experts let it reach
        them (HistGradientBoosting given now).

        An expert allows NaN through its tags (scikit-learn's ``allow_nan``).
        With raw X (``_raw_X``) a ``Pipeline`` expert decides itself: its tags
        describe only its first step (a ColumnTransformer that imputes says
        no), so it gets NaN, and its own fit refuses them if it must. So does
        an expert that wraps a Pipeline (GridSearchCV, CalibratedClassifierCV,
        TransformedTargetRegressor of one), whose tags say no for the same
        reason: it was refused, told to impute, though its pipeline imputes.
        """
        def allows(estimator):
            return ((self._raw_X and _holds_pipeline(estimator))
                    or get_tags(estimator).input_tags.allow_nan)

        if not given and self.__sklearn_is_fitted__() and "_fitted_nan_refusers" in vars(self):
            return self._fitted_nan_refusers
        try:
            pairs = [(n, e) for n, e in self._expert_list() if not isinstance(e, str)]
            return [(n, e) for n, e in pairs if not allows(e)] if pairs else None
        except (TypeError, ValueError, AttributeError):   # not estimators: fit says so
            return None

    def _copies_of_one_estimator(self):
        """Whether the experts are copies of one estimator: ``n_experts`` of it,
        or a list whose experts ('drop' aside) have one type and the same
        parameters but for ``random_state``. Such experts differ only where
        they are fitted on different rows (EM), and EM starts them on k-means
        regions."""
        if getattr(self, "n_experts", None) is not None:
            return True
        try:
            experts = [e for _, e in self._expert_list() if not isinstance(e, str)]
        except (TypeError, ValueError):   # not a valid list: fit says so
            return False
        return len(experts) >= 2 and all(_same_estimator(experts[0], e) for e in experts[1:])

    def _experts_allow_nan(self):
        """Whether NaN in X may reach the experts: each allows it, or decides itself."""
        return self._nan_refusers() == []

    def _experts_accept_sparse(self):
        """Whether every expert takes sparse X (its tags), for the estimator's own tags.

        A ``gate_transformer`` set by the user gets X too: it must take sparse X
        as well (a StandardScaler() refuses it; the tag said sparse X would fit).
        """
        try:
            experts = [e for _, e in self._expert_list() if not isinstance(e, str)]
            gate_transformer = getattr(self, "gate_transformer", "auto")
            views = [] if isinstance(gate_transformer, str) else [gate_transformer]
            return bool(experts) and all(get_tags(e).input_tags.sparse
                                         for e in experts + views)
        except (TypeError, ValueError, AttributeError):
            # AttributeError: get_tags of a non-estimator expert (None, a number),
            # which made get_tags, is_classifier (cross_val_score) and the HTML
            # display of the estimator fail before fit could name the expert.
            return False

    def _make_named_experts(self, names, fitted):
        """The fitted experts by name (``named_experts_``, set last in fit, with
        which experts refused NaN: what predict lets into the fitted experts)."""
        self._fitted_nan_refusers = self._nan_refusers(given=True)
        return Bunch(**dict(zip(names, fitted)))


def clone_model(estimator, who=None):
    """``clone(estimator)``; a parameter that is an iterator is named.

    A generator such as ``cv=KFold(5).split(X)`` cannot be copied: clone
    failed with a bare "cannot pickle 'generator' object", naming neither
    the model nor the parameter.
    """
    try:
        return clone(estimator)
    except TypeError as exc:
        try:
            params = estimator.get_params(deep=True)
        except Exception:
            raise exc from None
        used = [(key, value) for key, value in params.items() if isinstance(value, Iterator)]
        if not used:
            raise
        key, value = used[0]
        raise TypeError(
            f"{who or type(estimator).__name__} cannot be copied for a new fit: its "
            f"parameter {key} is an iterator ({type(value).__name__}, such as "
            "KFold(5).split(X)), which one fit uses up and sklearn.base.clone cannot copy. "
            f"Pass a splitter (e.g. {key}=KFold(5)) or an int instead.") from exc


def clone_expert(name, estimator):
    """``clone(estimator)``; an expert that clone cannot copy is named.

    (scikit-learn's bare "'MyExpert' object has no attribute 'alpha'" named
    no expert and no rule.)
    """
    try:
        return clone_model(estimator, f"Expert '{name}' ({type(estimator).__name__})")
    except Exception as exc:
        if "is an iterator" in str(exc):
            raise
        raise rebuilt_error(exc, (
            f"Expert '{name}' ({type(estimator).__name__}) cannot be cloned: "
            f"{str(exc).rstrip('.')}. Each expert is copied with sklearn.base.clone, which "
            "rebuilds it from get_params(): its __init__ must store every argument under "
            "the argument's own name (self.alpha = alpha), unchanged.")) from exc


def refuse_groups(estimator, fit_params, why):
    """Refuse ``fit(X, y, groups=g)`` for an estimator that makes no folds
    (HME, the neural MMoE), saying why and what to do instead.

    scikit-learn's "Passing extra keyword arguments ... is only supported if
    enable_metadata_routing=True" (HME) or Python's "unexpected keyword
    argument 'groups'" (the neural MMoE) said neither why nor what to do.
    ``why``: what the estimator does instead of folds.
    """
    if "groups" in fit_params and not _routing_enabled():
        name = type(estimator).__name__
        raise TypeError(
            f"{name}.fit has no groups parameter: {why}, so there are no folds for groups "
            "to keep whole. To score it on groups it did not learn from, split outside it: "
            "compare(..., groups=groups), or cross_validate(..., groups=groups, "
            "cv=GroupKFold()).")


def _refuse_misnamed_fit_params(estimator, fit_params):
    """Name fit keywords that are sample_weight misspelt (without metadata routing).

    scikit-learn's "Passing extra keyword arguments to ... fit is only
    supported if enable_metadata_routing=True" sent ``sample_weights=w`` to
    metadata routing, under which it fails again. (A branch here refused
    ``groups=g`` for models with ``cv``, telling them to pass folds: since
    d6ce715 the mixtures and the ensembles take ``groups`` by name, so it
    could no longer be reached.)
    """
    name = type(estimator).__name__
    for key in fit_params:
        if key in ("weights", "weight") or difflib.get_close_matches(
                key, ["sample_weight"], n=1, cutoff=0.8):
            own = (f" (the experts' weights are the parameter weights: {name}(..., "
                   "weights=[...]))" if "weights" in estimator.get_params(deep=False) else "")
            raise TypeError(f"{name}.fit got the keyword {key}=, which it does not take: "
                            f"the rows' weights are its sample_weight{own}.")
        if (key != "groups" and "groups" in inspect.signature(estimator.fit).parameters
                and (key in ("group_labels", "grouping", "clusters", "cluster")
                     or difflib.get_close_matches(key, ["groups"], n=1, cutoff=0.8))):
            # ("Passing extra keyword arguments ... is only supported if
            # enable_metadata_routing=True" sent fit(X, y, group=g) to routing,
            # where it fails again: "not routed to any object".)
            raise TypeError(f"{name}.fit got the keyword {key}=, which it does not take: "
                            "the rows' groups are its groups, fit(X, y, groups=groups).")


def _holds_pipeline(estimator):
    """Whether ``estimator`` is a Pipeline or has one among its (nested) parameters."""
    return _holds_a(estimator, Pipeline)


def _tag_allows_nan(estimator):
    """``estimator``'s allow_nan tag; False where it has no tags."""
    try:
        return get_tags(estimator).input_tags.allow_nan
    except (TypeError, ValueError, AttributeError):
        return False


def _seed_unset_random_states(estimator, rng):
    """Give every ``random_state=None`` inside ``estimator`` a seed from ``rng``.

    Experts are refitted many times on changing weights; without this, the
    same ``random_state`` of the mixture would not give the same model.
    Seeds the user set explicitly are kept.
    """
    seeds = {key: rng.randint(np.iinfo(np.int32).max)
             for key, value in sorted(estimator.get_params(deep=True).items())
             if key.endswith("random_state") and value is None}
    if seeds:
        estimator.set_params(**seeds)


def _first_non_number(values):
    """The first of ``values`` that ``float`` refuses (a word, pd.NA), or None."""
    for value in np.asarray(values, dtype=object).ravel():
        try:
            float(value)
        except (TypeError, ValueError):
            return value
    return None


def _one_hot_hint(y):
    """A hint for a classifier's y of several columns whose rows are one-hot.

    One-hot labels (a Keras habit) were sent to the multi-task mixtures, as
    if each column were a task of its own.
    """
    try:
        Y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return ""
    if Y.ndim != 2 or not np.all((Y == 0) | (Y == 1)) or not np.all(Y.sum(axis=1) == 1):
        return ""
    return (" Its rows are one-hot (a single 1 each): if they encode one label per row, "
            "pass that label instead (y.argmax(axis=1), or the class names).")


def _rows_of(X):
    """X's number of rows, or None where it has none to count."""
    try:
        return _num_samples(X)
    except TypeError:
        return None


def check_sample_weight(sample_weight, X):
    """Validate sample weights: finite, non-negative, not all zero."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, str):
        # (compare(..., sample_weight="w") was told "it holds 'w'", which did
        # not say that a column's name is not taken.)
        column = ("" if not hasattr(X, "columns") or sample_weight not in X.columns else
                  f" (X has a column {sample_weight!r})")
        raise ValueError(f"sample_weight is a string, {sample_weight!r}: a column name is not "
                         f"accepted{column}. Pass the weights themselves, one per row: "
                         f"sample_weight=X[{sample_weight!r}], with X.drop(columns="
                         f"{sample_weight!r}) as X so that they are not also a feature.")
    refuse_unreadable_tensor(sample_weight, name="sample_weight")
    refuse_misaligned_rows(X, sample_weight, "sample_weight")
    if _rows_of(X) == 0:
        # (score and compare check the weights before X: 0 rows of X with
        # 0 weights said only "Found array with 0 sample(s) (shape=(0,))",
        # naming neither; scikit-learn's score names X.)
        raise ValueError(f"X has 0 rows (shape {getattr(X, 'shape', (0,))}): there is nothing "
                         "to weigh with sample_weight; at least one row is required.")
    if issparse(sample_weight):
        # ("sample_weight must hold numbers, one weight per row; it holds
        # <Compressed Sparse Row sparse matrix ...>": numbers, said not to be.)
        raise ValueError(f"sample_weight is a sparse matrix (shape {sample_weight.shape}); "
                         "pass the weights as a dense 1-D array, one per row, e.g. "
                         "sample_weight.toarray().ravel().")
    kind = getattr(getattr(sample_weight, "dtype", None), "kind", None)
    if kind in ("M", "m"):
        # (Read as numbers in their unit, silently: days since 1970 in
        # microseconds weighed the rows of a date column.)
        raise ValueError(f"sample_weight holds {'dates' if kind == 'M' else 'time spans'} "
                         f"(dtype {sample_weight.dtype}), not weights: pass numbers, one "
                         "weight per row.")
    try:
        # float64 whatever the dtype given: scikit-learn keeps float32 weights,
        # which were then rescaled in float32, and the same weights fitted
        # another model as float32 (probabilities moved by 0.16).
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                             ensure_non_negative=True)
    except OverflowError as exc:
        # A Python int beyond float64 (10**400): numpy's bare "int too large
        # to convert to float" named no sample_weight.
        raise ValueError("sample_weight holds a number beyond float64's range (about "
                         "1.8e308), which no weight can be: divide the weights by a "
                         "constant.") from exc
    except (TypeError, ValueError) as exc:
        # (A word failed with numpy's "could not convert string to float: 'a'",
        # pd.NA in an object column with "float() argument must be a string or
        # a real number, not 'NAType'": neither named sample_weight.)
        bad = _first_non_number(sample_weight)
        if bad is None:
            raise
        missing = type(bad).__name__ == "NAType"
        raise ValueError(f"sample_weight must hold numbers, one weight per row; it holds "
                         f"{bad!r}" + (" (a missing weight): give every row a weight, or "
                                       "drop the rows without one." if missing else ".")
                         ) from exc
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight is zero for every sample; nothing to fit.")
    return sample_weight


class CheckedScoreMixin:
    """``score`` with its sample_weight checked as ``fit``'s is.

    Before the mixin of scikit-learn (RegressorMixin, ClassifierMixin) in the
    bases: theirs took negative weights, which gave a number that meant
    nothing, or a ZeroDivisionError "Weights sum to zero" where they summed
    to zero (the multi-task mixtures' score refused them).
    """

    def score(self, X, y, sample_weight=None):
        """R^2 of ``predict`` (regressors) or its accuracy (classifiers).

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
        return checked_score(self, X, y, sample_weight, is_classifier(self))


def scaled_r2_score(y_true, y_pred, sample_weight=None):
    """scikit-learn's ``r2_score`` of ``y_true`` and ``y_pred`` divided by one
    power of two per column, the one near the range of ``y_true``'s column.

    R^2 does not depend on the scale, and dividing by a power of two is exact,
    so the score is unchanged, but squared deviations no longer underflow or
    overflow: for y of order 1e-200 they were all 0 and any model scored 1.0
    (0.189 measured at y's own scale), for y of order 1e200 NaN.
    """
    from sklearn.metrics import r2_score
    if np.iscomplexobj(y_true):
        # (The cast below dropped the imaginary parts with numpy's
        # ComplexWarning only, and scored the real parts; fit refuses them.)
        raise ValueError("y contains complex numbers; R^2 needs real targets (complex data "
                         "is not supported, as in fit).")
    try:
        true = np.asarray(y_true, dtype=np.float64)
        pred = np.asarray(y_pred, dtype=np.float64)
    except (TypeError, ValueError):   # scikit-learn names what it refuses
        return r2_score(y_true, y_pred, sample_weight=sample_weight)
    if true.size and true.ndim in (1, 2):
        with np.errstate(invalid="ignore", over="ignore"):
            spread = np.ptp(true, axis=0)
        exponent = np.where(np.isfinite(spread), np.frexp(spread)[1], 0)
        if true.shape != pred.shape:
            exponent = np.max(exponent)
        y_true, y_pred = np.ldexp(true, -exponent), np.ldexp(pred, -exponent)
    return r2_score(y_true, y_pred, sample_weight=sample_weight)


def refuse_time_target(y, who=None, subject="y"):
    """Refuse a regression target of dates or time spans, which numpy reads as
    numbers in their unit.

    ``who``: the estimator that would read them (None: not named);
    ``subject``: what holds them, for the message (a multi-task estimator's
    "Task 0 is a regression task but its column of y").

    Dates are microseconds for pandas 3, nanoseconds for pandas 2: the
    mixtures and the plain ensemble predicted those numbers, silently; the
    greedy ensemble failed with numpy's "ufunc 'add' cannot use operands with
    types dtype('<M8[us]')". So did a fitted regressor's log-likelihood and R^2
    of such a y (-8.6e32 a row and -1.1e8 for six days).
    """
    dtype = None if y is None or issparse(y) else getattr(y, "dtype", None)
    if dtype is None or getattr(dtype, "kind", None) not in ("M", "m"):
        # (pandas' time-zone aware dates are an object array to numpy, of
        # Timestamps: their dtype says what they are. They failed in the
        # float cast, "not 'Timestamp'", told to use a classifier.)
        dtype = None if y is None or issparse(y) else np.asarray(y).dtype
    if dtype is None or dtype.kind not in "Mm":
        return
    what, example = (("dates", "days since a date: (y - y.min()) / "
                      "np.timedelta64(1, 'D')") if dtype.kind == "M" else
                     ("time spans", "seconds: y / np.timedelta64(1, 's')"))
    reader = "would be read" if who is None else f"{who} would read"
    raise ValueError(
        f"{subject} holds {what} (dtype {dtype}), which {reader} as "
        f"numbers in their unit: convert {'y' if subject == 'y' else 'them'} to numbers "
        f"first, e.g. {example}.")


def _target_to_score(y, who):
    """A regression target for R^2 as floats, its missing or infinite values
    named as ``fit`` names them.

    r2_score said only "Input contains NaN." (None, NaN or pd.NA: which input,
    which rows?) or "could not convert string to float: 'a'"; the multi-task
    mixtures' score names the task and the first row. Complex, sparse and
    0-d targets are left to the checks after this one.
    """
    if y is None or issparse(y) or np.iscomplexobj(y) or np.ndim(y) not in (1, 2):
        return y
    y = _float_target(y, lambda exc: ValueError(
        f"y must be numeric to score {who} (a regressor): {exc}; use a classifier for "
        "class labels."))
    # (Not reshape(len(y), -1): for a y of no values, e.g. y[:0], numpy cannot
    # infer the -1 and said only "cannot reshape array of size 0 into shape
    # (0,newaxis)"; an empty y now reaches scikit-learn's checks, which name it.)
    finite = np.isfinite(y)
    bad = np.flatnonzero(~(finite.all(axis=1) if finite.ndim == 2 else finite))
    if bad.size:
        raise ValueError(f"y has {bad.size} row(s) of missing or infinite values (None, "
                         f"NaN, pd.NA or inf; the first at row {bad[0]}): drop those rows "
                         f"to score {who}.")
    return y


def checked_score(model, X, y, sample_weight, classification):
    """R^2 of ``model.predict`` (regression) or its accuracy, with
    ``sample_weight`` checked as ``fit`` checks it: scikit-learn's metrics took
    negative weights (all -1 scored as all +1), a number that meant nothing.
    The mixtures' and ensembles' ``score`` (:class:`CheckedScoreMixin`), and
    skmoe's own experts', which take neither of scikit-learn's score mixins
    (one class serves both tasks)."""
    from sklearn.metrics import accuracy_score
    # Rescaled (only their ratios matter): weights of 5e-324 made every squared
    # residual 0 and R^2 1.0, weights of 1e308 overflowed their sum.
    refuse_misaligned_rows(X, y, "y", type(model).__name__)
    sample_weight = scoring_weights(check_sample_weight(sample_weight, X))
    if not classification:
        refuse_time_target(y, type(model).__name__)
        y = _target_to_score(y, type(model).__name__)
    if classification and y is not None:
        # A missing label was a bare TypeError from accuracy_score ("'<' not
        # supported between instances of 'NoneType' and 'str'"), a NaN one
        # "Input y_true contains NaN." and a cast warning.
        check_label_values(y, "y")
    metric = accuracy_score if classification else scaled_r2_score
    return metric(y, model.predict(X), sample_weight=sample_weight)


def scoring_weights(sample_weight):
    """Non-negative weights scaled by a power of two, the largest into [0.5, 1).

    Only their ratios matter to a score, and a power of two changes no ratio
    (nor a score) by a single rounding, where dividing by the mean moved
    R^2 and accuracy in their last digit; weights near 1e-323 or 1e308
    scored as 1.0 or overflowed before.
    """
    if sample_weight is None:
        return None
    largest = float(np.max(sample_weight, initial=0.0))
    if not largest > 0:
        return sample_weight
    return np.ldexp(np.asarray(sample_weight, dtype=np.float64), -np.frexp(largest)[1])


def check_relative_sample_weight(sample_weight, X, positive_only=False):
    """:func:`check_sample_weight`, then rescaled to mean one.

    For the mixtures, whose experts are fitted with weights rescaled to mean
    one (responsibilities times these), so that integer weights are not
    repetitions anyway: only relative weights matter, and weights times 1,000
    (or 1e-100) fit the same model to rounding (times a power of two, to the
    last bit: the rescaled weights of other factors can be an ulp apart, which
    EM's iterations can amplify). Before, the parts that took the user's
    weights as given saw their scale (the classifier's logistic head, its C:
    probabilities moved by up to 0.23 for weights times 1,000). The ensembles
    pass the weights to their experts as given (integer weights are repetitions).

    ``positive_only``: rescale the rows of positive weight alone, to mean one
    among themselves (rows of zero weight stay 0), for the callers that then
    leave the rows of zero weight out (:func:`rows_of_positive_weight` with
    ``rescale=False``): the weights kept are then, bit for bit, those of the
    same rows passed alone. (Rescaled over every row, then again over the
    rows kept, they were an ulp off on a third of the rows, and exact EM of a
    classifier with a tree expert, which such a difference can tip into
    another split, gave probabilities 0.97 off the fit without those rows.)
    """
    sample_weight = check_sample_weight(sample_weight, X)
    if sample_weight is None:
        return None
    positive = sample_weight > 0
    if not positive_only or positive.all():
        return normalised_weights(sample_weight)
    rescaled = np.zeros(len(sample_weight))
    rescaled[positive] = normalised_weights(sample_weight[positive])
    return rescaled


def check_weighted_classes(y, sample_weight, classes):
    """Raise if the rows of positive ``sample_weight`` hold one class only.

    ``y``: codes 0 .. len(classes) - 1. (With one class left, an expert failed
    to fit and the error blamed a rare class and the folds, or fitted it and
    predicted it everywhere.)
    """
    if sample_weight is None:
        return
    weighted = np.unique(y[np.asarray(sample_weight) > 0])
    if len(weighted) == 1:
        only = np.asarray(classes)[weighted[0]].tolist()
        raise ValueError(
            f"Only class {only!r} has rows of positive sample_weight "
            f"(y has {len(classes)} classes; rows of zero weight are left out): a "
            "classifier needs rows of two classes or more. Check sample_weight.")


def rows_of_positive_weight(X, y, sample_weight, classes=None, rescale=True):
    """Leave out the rows of zero weight: ``(X, y, sample_weight, kept_rows)``.

    A row of zero weight is a row left out: kept, it still moved a mixture's
    cross-fitting folds, its gate's splits and minibatches, its view of X and
    EM's start, so the fit differed from the one without it. ``kept_rows``
    is None where every weight is positive (nothing is copied); otherwise the
    positions of the rows kept, whose weights are rescaled to mean one again
    (``rescale=False``: kept as given, for the ensembles, whose integer
    weights are repetitions, and for weights already of mean one over the
    rows of positive weight, ``check_relative_sample_weight(...,
    positive_only=True)``).
    """
    if np.all(sample_weight > 0):
        return X, y, sample_weight, None
    kept_rows = np.flatnonzero(sample_weight > 0)
    if classes is not None:
        check_weighted_classes(y, sample_weight, classes)
    weight = sample_weight[kept_rows]
    if rescale:
        # By the largest first, as check_relative_sample_weight does: the kept
        # weights of a 0/1 mask (1/0.75 each after that check, for a quarter
        # of zeros) are then exactly ones, as for the rows passed alone.
        # Divided by their mean only they were 1 - 1e-16, and EM's fit of the
        # mixture moved by 2.5e-4 from the fit without the rows.
        weight = weight / weight.max()
        weight = weight / weight.mean()
    return _safe_indexing(X, kept_rows), y[kept_rows], weight, kept_rows


def check_finite_target(y, who):
    """Raise if a regression target (float, after scikit-learn's checks) is not
    finite: None in a list with gaps passes scikit-learn's NaN check as an
    object and becomes NaN in the conversion to float after it."""
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        # (The rows were not named: a user had to search y for them.)
        raise ValueError(f"y contains NaN, infinity or None ({bad.size} of its values) at "
                         f"row(s) {listed_rows(bad)} (positions counted from 0); "
                         f"{who} needs finite targets.")


def check_label_values(labels, what="The target"):
    """Name missing (None or NaN) and mixed string/numeric labels in an object array.

    scikit-learn stops on them with a bare ``TypeError`` from sorting, or
    "Unknown label type"; ``what`` names the labels in the message.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind == "f" and labels.ndim <= 2 and np.isnan(labels).any():
        # Float labels with NaN (a nullable Int64 column's pd.NA reads as NaN):
        # scikit-learn's "Input y contains NaN." named neither row nor fix.
        missing = np.flatnonzero(np.isnan(labels.ravel()))
        raise ValueError(
            f"{what} has {missing.size} missing class label(s) (None or NaN; the "
            f"first at row {missing[0]}): drop those rows or give them a class.")
    if labels.dtype != object:
        return
    if labels.ndim > 1 and labels.shape[1] != 1:
        # scikit-learn's "y should be a 1d array" (an object y of a string and
        # a number column was reported as labels mixing strings and numbers).
        column_or_1d(labels)
    flat = labels.ravel()
    missing = np.flatnonzero([is_missing_value(v) for v in flat])
    if missing.size:
        raise ValueError(
            f"{what} has {missing.size} missing class label(s) (None or NaN; the "
            f"first at row {missing[0]}): drop those rows or give them a class.")
    encoded = next((v for v in flat if isinstance(v, (bytes, np.bytes_))), None)
    if encoded is not None and len({isinstance(v, (bytes, np.bytes_)) for v in flat}) > 1:
        # Beside strings, bytes were called numbers ("mixes string and numeric
        # class labels (e.g. 'b' and b'a')"); beside numbers, sorting them
        # failed. Bytes alone get scikit-learn's own refusal of bytes.
        raise TypeError(f"{what} holds some class labels as bytes (e.g. {encoded!r}) and "
                        f"others not (e.g. {next(v for v in flat if v is not encoded)!r}); "
                        "labels represented as bytes are not supported: decode them to "
                        "strings, e.g. y.str.decode('utf-8') for a pandas Series.")
    if len({isinstance(v, str) for v in flat}) > 1:
        raise ValueError(f"{what} mixes string and numeric class labels (e.g. "
                         f"{next(v for v in flat if isinstance(v, str))!r} and "
                         f"{next(v for v in flat if not isinstance(v, str))!r}): "
                         "make them all strings or all numbers.")


def encode_class_labels(y, min_classes=2, what="The target"):
    """Check classification targets; return the fitted LabelEncoder and y as 0..C-1.

    Missing or mixed labels, and labels held as objects that are not strings,
    are named (:func:`check_classification_labels`); fewer than
    ``min_classes`` classes is an error too.
    """
    labels = check_classification_labels(y, what)
    encoder = LabelEncoder().fit(labels)
    if len(encoder.classes_) < min_classes:
        raise ValueError(f"{what} has only one class ({encoder.classes_[0]!r}); a "
                         f"classifier needs at least {min_classes}.")
    return encoder, encoder.transform(labels)


def object_labels_error(labels, exc, what):
    """The error naming labels held as Python objects that are not strings, or None.

    ``exc`` is scikit-learn's ``check_classification_targets`` error on
    ``labels``; None where it is about anything else.
    """
    first = labels.ravel()[0] if labels.dtype == object and labels.size else None
    if first is None or isinstance(first, str) or "unknown" not in str(exc):
        return None
    # Labels held as objects that are not strings (pd.Series([1, 0, ...],
    # dtype=object), SQL's Decimal('1')): scikit-learn's "Unknown label type:
    # unknown. Maybe you are trying to fit a classifier, which expects
    # discrete classes on a regression target with continuous values."
    # spoke of continuous values for the labels 0 and 1.
    # ("Unknown label type" stays in the message, as scikit-learn's checks ask.)
    return ValueError(
        f"{what} holds its class labels as Python objects that are not strings (e.g. "
        f"{first!r} of type {type(first).__name__}; dtype object), whose kind "
        "scikit-learn cannot tell (Unknown label type): convert them, e.g. "
        "y.astype(int) for whole numbers or y.astype(str).")


def check_classification_labels(y, what="The target"):
    """Class labels checked as scikit-learn checks them (``y`` as an array).

    Missing or mixed labels are named (:func:`check_label_values`), and so
    are labels held as Python objects that are not strings.
    """
    labels = np.asarray(y)
    check_label_values(labels, what)
    try:
        check_classification_targets(labels)
    except ValueError as exc:
        named = object_labels_error(labels, exc, what)
        if named is None:
            raise
        raise named from exc
    return labels


def _label_codes(classes):
    """``{label: code}`` of the labels of y (``classes``, sorted) to the
    encoded labels 0 .. C-1 the experts are fitted on."""
    return {label: code for code, label in enumerate(np.asarray(classes).tolist())}


def check_expert_name(name, estimator):
    """Refuse a blank or unprintable expert name (a string).

    A blank name was taken: errors said "Expert '' (Ridge)", predict_gate's
    frame had a column '' and get_params keys '__alpha'; compare() already
    refuses such names. (The flat mixtures' and the tree's experts alike.)
    """
    if not name.strip() or not name.isprintable():
        raise ValueError("Expert names must be printable and not blank (they name the "
                         "expert in errors, get_params and predict_gate's columns), got "
                         f"{name!r} for {type(estimator).__name__}.")


def _expert_prefix(name):
    """"Expert 'name': " to open an error about that expert; "" without one."""
    return f"Expert '{name}': " if name is not None else ""


def _is_class_weight(key):
    return key == "class_weight" or key.endswith("__class_weight")


def _encoded_class_weight(value, codes, key, name):
    """``value``, a ``class_weight`` dict keyed by the labels of y, keyed by
    their codes instead; None where it needs no change (not a dict, empty,
    or keyed by the codes already)."""
    if not (isinstance(value, dict) and value):
        return None
    try:
        stray = [k for k in value if k not in codes]
    except TypeError:    # an unhashable key: not a label
        stray = list(value)
    if stray and len(value) - len(stray) < len(codes):
        shown = _expert_prefix(name)
        raise ValueError(
            f"{shown}{key} has key(s) {stray} that are not labels of y (the labels "
            f"are {list(codes)}); key it by the labels of y.")
    if stray or any(codes[k] != k for k in value):
        return {codes[k]: w for k, w in value.items() if k not in stray}
    return None


def _encoded_search_space(space, codes, key, name, learns_own_labels):
    """A search's ``param_grid`` or ``param_distributions`` (a dict, or a list
    of dicts) with its ``class_weight`` candidates re-keyed as
    :func:`_encoded_class_weight` re-keys one; None where none changes.
    ``learns_own_labels(param)``: whether the candidates of ``param`` set a
    model fitted on labels of its own (:func:`_learns_labels_of_its_own`),
    left as they are."""
    spaces = space if isinstance(space, (list, tuple)) else [space]
    if not all(isinstance(one, dict) for one in spaces):
        return None
    changed, encoded_spaces = False, []
    for one in spaces:
        one = dict(one)
        for param, candidates in one.items():
            # (Lists of candidates only: a distribution's draws are its own.)
            if not (isinstance(param, str) and _is_class_weight(param)
                    and isinstance(candidates, (list, tuple))) or learns_own_labels(param):
                continue
            encoded = [_encoded_class_weight(value, codes, f"{key}[{param!r}]", name)
                       for value in candidates]
            if any(value is not None for value in encoded):
                one[param] = [old if value is None else value
                              for old, value in zip(candidates, encoded)]
                changed = True
        encoded_spaces.append(one)
    if not changed:
        return None
    return encoded_spaces if isinstance(space, (list, tuple)) else encoded_spaces[0]


def encode_class_weights(estimator, classes, name=None):
    """Re-key ``class_weight`` dicts in ``estimator`` (nested ones too) from the
    labels of y (``classes``) to the encoded labels 0 .. C-1 the experts are
    fitted on; in place. Returns ``estimator``.

    The experts learn encoded labels, so an expert's ``class_weight={'a': 20}``
    failed ("The classes, [0, 1], are not in class_weight"), and ``{1: 20}``
    with the labels 1 and 2 silently weighted the label 2 (encoded as 1).
    Keys that are not labels of y are an error where a label has no key (as
    in scikit-learn's ``compute_class_weight``, but naming the user's labels
    and ``name``, the expert); where every label has one, they are dropped
    (scikit-learn ignores them). ``{0: 1000}`` with the labels 'a' and 'b'
    silently weighted 'a' (encoded as 0) before. The ``class_weight``
    candidates of a search's ``param_grid`` or ``param_distributions``
    (``GridSearchCV(LogisticRegression(), {'class_weight': [{1: 10}]})``)
    are re-keyed too: they set the estimator's ``class_weight`` on the
    encoded labels just the same (``{1: 10}`` weighted the label 2 there),
    except those of a model inside a one-vs-rest classifier, as its own
    ``class_weight`` (:func:`_learns_labels_of_its_own`).
    """
    codes = _label_codes(classes)
    encoded = {}
    params = estimator.get_params(deep=True)
    for key, value in params.items():
        if _learns_labels_of_its_own(estimator, params, key):
            # OneVsRestClassifier(LogisticRegression(class_weight={1: 5})) with
            # the labels 1, 2, 3 had its positives' weight moved to the
            # negatives (re-keyed to {0: 5}): 0.34 off scikit-learn's probabilities.
            continue
        if _is_class_weight(key):
            value = _encoded_class_weight(value, codes, key, name)
        elif key.rsplit("__", 1)[-1] in ("param_grid", "param_distributions"):
            # (A candidate's parameter, seen from the search's estimator: as
            # deep as get_params names it, so a one-vs-rest classifier on its
            # way is found as for the estimator's own class_weight.)
            search = key[:-len(key.rsplit("__", 1)[-1])]
            value = _encoded_search_space(
                value, codes, key, name,
                lambda param, search=search: _learns_labels_of_its_own(
                    estimator, params, f"{search}estimator__{param}"))
        else:
            continue
        if value is not None:
            encoded[key] = value
    if encoded:
        estimator.set_params(**encoded)
    return estimator


def _learns_labels_of_its_own(estimator, params, key):
    """Whether the parameter ``key`` of ``estimator`` (``params``: its deep
    ``get_params``) is inside a one-vs-rest, one-vs-one or output-code
    classifier, whose models are fitted on labels of their own (0/1: is it
    this class?, or code bits), not on y's."""
    from sklearn.multiclass import (OneVsOneClassifier, OneVsRestClassifier,
                                    OutputCodeClassifier)
    parts = key.split("__")
    ancestors = [estimator, *(params.get("__".join(parts[:i])) for i in range(1, len(parts) - 1))]
    return any(isinstance(a, (OneVsOneClassifier, OneVsRestClassifier, OutputCodeClassifier))
               for a in ancestors)


def _encode_label_parameter(estimator, classes, name, kind, parameter, names_a_label,
                            what_it_needs):
    """Re-key ``parameter`` of every ``kind`` in ``estimator`` (itself, or nested)
    from a label of y (``classes``) to its encoded label 0 .. C-1; in place.

    ``names_a_label(model, value)``: whether the value is meant as a label
    (one that is no label of y is then an error naming the expert, and
    ``what_it_needs`` says why it must be one); other values are re-keyed
    where they are labels of y and left alone where not. Not inside a
    FrozenEstimator, which get_params does not open (fitted already, on the
    encoded labels), nor inside a one-vs-rest classifier
    (:func:`_learns_labels_of_its_own`).
    """
    codes = _label_codes(classes)
    params = estimator.get_params(deep=True)
    found = [(key[:-len(parameter)], estimator if key == parameter
              else params.get(key[:-len(parameter) - 2])) for key in params
             if (key == parameter or key.endswith(f"__{parameter}"))
             and not _learns_labels_of_its_own(estimator, params, key)]
    encoded = {}
    for prefix, model in found:
        value = getattr(model, parameter, None)
        if not isinstance(model, kind) or value is None:
            continue
        try:
            code = codes.get(value)
        except TypeError:    # an array (multi-output): not one label of y
            continue
        if code is None:
            if names_a_label(model, value):
                shown = _expert_prefix(name)
                raise ValueError(
                    f"{shown}{prefix}{parameter}={value!r} is not a label of y (the "
                    f"labels are {list(codes)}); {what_it_needs}.")
            continue
        if not (code == value and type(code) is type(value)):
            encoded[f"{prefix}{parameter}"] = code
    if encoded:
        estimator.set_params(**encoded)
    return estimator


def encode_constant_labels(estimator, classes, name=None):
    """Re-key the ``constant`` of every ``DummyClassifier`` in ``estimator``
    (itself, or nested) from a label of y (``classes``) to its encoded label
    0 .. C-1; in place. Returns ``estimator``.

    The experts learn encoded labels, so ``DummyClassifier(strategy='constant',
    constant=1)`` with the labels 1 and 2 predicted the label 2 (encoded as 1)
    with probability 1, silently, and ``constant='a'`` with the labels 'a'
    and 'b' failed ("The constant target value must be present in the
    training data ... Possible values are: [0, 1]"). A constant that is not a
    label of y, with ``strategy='constant'``, is an error naming the expert.
    """
    from sklearn.dummy import DummyClassifier   # (only where an expert is one)
    return _encode_label_parameter(
        estimator, classes, name, DummyClassifier, "constant",
        lambda dummy, _: dummy.strategy == "constant",
        "DummyClassifier(strategy='constant') must predict one of them")


def encode_outlier_labels(estimator, classes, name=None):
    """Re-key the ``outlier_label`` of every ``RadiusNeighborsClassifier`` in
    ``estimator`` (itself, or nested) from a label of y to its encoded label;
    in place. Returns ``estimator``.

    ``outlier_label=1`` with the labels 1, 2, 3 gave the rows without a
    training row within the radius the label 2 (encoded as 1), silently, and
    ``outlier_label='a'`` with the labels 'a', 'b', 'c' failed ("The dtype of
    outlier_label a is inconsistent with classes [0 1 2] in y"). One that is
    no label of y (nor 'most_frequent') is an error naming the expert: its
    rows without a neighbour get no probability anywhere.
    """
    from sklearn.neighbors import RadiusNeighborsClassifier
    return _encode_label_parameter(
        estimator, classes, name, RadiusNeighborsClassifier, "outlier_label",
        lambda _, value: not (isinstance(value, str) and value == "most_frequent"),
        "give one of them or 'most_frequent'")


def encode_threshold_labels(estimator, classes, name=None):
    """Re-key the ``pos_label`` of every ``FixedThresholdClassifier`` and
    ``TunedThresholdClassifierCV`` in ``estimator`` from a label of y to its
    encoded label; in place. Returns ``estimator``.

    ``FixedThresholdClassifier(pos_label=1)`` with the labels 1 and 2
    thresholded the probability of the label 2 (encoded as 1), silently. One
    that is no label of y is an error naming the expert.
    """
    from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV
    return _encode_label_parameter(
        estimator, classes, name, (FixedThresholdClassifier, TunedThresholdClassifierCV),
        "pos_label", lambda _, value: True, "it names the positive class")


def _encoded_scorer(scoring, codes, where, name):
    """``scoring`` (a scorer's name, or a ``make_scorer`` scorer) with its
    ``pos_label`` re-keyed from a label of y to its code; None where there is
    nothing to re-key (no positive class, or a label that is its own code) or
    nothing that can be (a callable of yours: it gets the encoded labels)."""
    from sklearn.metrics import get_scorer
    try:
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    except ValueError:    # no scorer's name: the search refuses it, naming it
        return None
    if (not isinstance(scorer, _Scorer) or not hasattr(scorer, "_get_pos_label")
            or not isinstance(getattr(scorer, "_kwargs", None), dict)):
        # (Read through scikit-learn's private scorer API, there since 1.4:
        # where a later release moves it, the scorer is left as it is.)
        return None
    if scorer._kwargs.get("average", "binary") != "binary":
        return None       # (an average over the classes has no positive one)
    label = scorer._get_pos_label()
    try:
        code = None if label is None else codes.get(label)
    except TypeError:     # an unhashable pos_label: the metric refuses it
        return None
    shown = _expert_prefix(name)
    if code is None and label is not None:
        if "pos_label" in scorer._kwargs:
            raise ValueError(f"{shown}{where}'s pos_label={label!r} is not a label of y (the "
                             f"labels are {list(codes)}); it names the positive class.")
        # Its default (1, of f1_score and the like), which alone would be
        # refused: the encoded label 1 is scored as positive.
        positive = list(codes)[1] if len(codes) > 1 else None
        warnings.warn(
            f"{shown}{where} scores pos_label={label!r} as the positive class, which is no "
            f"label of y (the labels are {list(codes)}); the experts are fitted on the labels "
            f"encoded as 0 .. {len(codes) - 1}, so it scores y's label {positive!r} (encoded as "
            f"1). Pass make_scorer(..., pos_label=<a label of y>) to choose.", UserWarning,
            stacklevel=5)
        return None
    if code is None or (code == label and type(code) is type(label)):
        return None
    encoded = deepcopy(scorer)
    encoded._kwargs = {**scorer._kwargs, "pos_label": code}
    return encoded


def encode_scoring_labels(estimator, classes, name=None):
    """Re-key the positive class of every ``scoring`` in ``estimator`` (a
    search's, a ``TunedThresholdClassifierCV``'s, an early stopping's...) from
    a label of y to its encoded label; in place. Returns ``estimator``.

    ``GridSearchCV(..., scoring='f1')`` scores ``pos_label=1``: with the labels
    1 and 2 it chose its candidate by the F1 of the label 2 (encoded as 1)
    inside a mixture, and by the F1 of the label 1 alone (C=0.1 against 1.0,
    silently). A scorer's name or ``make_scorer`` scorer (alone, or in a list
    or dict of them) is given the code of its ``pos_label``; a ``pos_label``
    that is no label of y is an error where given, and warns where it is the
    metric's default. Not inside a one-vs-rest classifier
    (:func:`_learns_labels_of_its_own`).
    """
    codes = _label_codes(classes)
    params = estimator.get_params(deep=True)
    encoded = {}
    for key, value in params.items():
        if (not (key == "scoring" or key.endswith("__scoring"))
                or _learns_labels_of_its_own(estimator, params, key)):
            continue
        if isinstance(value, dict):
            each = {metric: _encoded_scorer(s, codes, f"{key}[{metric!r}]", name)
                    for metric, s in value.items()}
        elif isinstance(value, (list, tuple)) and all(isinstance(s, str) for s in value):
            # (A list holds scorers' names only: as a dict of the same names.)
            each = {metric: _encoded_scorer(metric, codes, f"{key}[{metric!r}]", name)
                    for metric in value}
            value = {metric: metric for metric in value}
        else:
            each = _encoded_scorer(value, codes, f"{key}={value!r}", name)
            if each is not None:
                encoded[key] = each
            continue
        if any(s is not None for s in each.values()):
            encoded[key] = {metric: value[metric] if s is None else s
                            for metric, s in each.items()}
    if encoded:
        estimator.set_params(**encoded)
    return estimator


def encode_label_parameters(estimator, classes, name=None):
    """The parameters of ``estimator`` that name labels of y (``class_weight``
    dicts, :func:`encode_class_weights`; a ``DummyClassifier``'s ``constant``,
    :func:`encode_constant_labels`; a ``RadiusNeighborsClassifier``'s
    ``outlier_label``, :func:`encode_outlier_labels`; a threshold
    classifier's ``pos_label``, :func:`encode_threshold_labels`; a scorer's
    ``pos_label``, :func:`encode_scoring_labels`) re-keyed to the encoded
    labels 0 .. C-1 the experts are fitted on; in place. Returns ``estimator``."""
    encode_class_weights(estimator, classes, name)
    encode_constant_labels(estimator, classes, name)
    encode_threshold_labels(estimator, classes, name)
    encode_scoring_labels(estimator, classes, name)
    return encode_outlier_labels(estimator, classes, name)


def _without_own_weights(routing):
    """An expert's routing (a copy) less its ``sample_weight`` entries, whatever
    their request, except a request under another name.

    The estimator consumes ``sample_weight`` itself and gives each expert its
    own weights (``fit_expert``): its own ``set_fit_request(sample_weight=...)``
    alone says whether a parent passes the weights. A parent router passes
    every key a child of the router names, requested or not: with the
    experts' ``sample_weight`` listed, ``set_fit_request(sample_weight=False)``
    (GridSearchCV with weighted scoring only) still gave the mixture the
    weights, and it was fitted weighted, silently. A request under another
    name (``sample_weight="w"``) stays: it routes ``w`` to that expert.
    """
    if isinstance(routing, MetadataRouter):
        if routing._self_request is not None:
            _without_own_weights(routing._self_request)
        for pair in routing._route_mappings.values():
            _without_own_weights(pair.router)
        return routing
    for method in SIMPLE_METHODS:
        requests = getattr(routing, method).requests
        if "sample_weight" in requests and not request_is_alias(requests["sample_weight"]):
            del requests["sample_weight"]
    return routing


def _routes_metadata(estimator):
    """Whether ``estimator`` is a meta-estimator under metadata routing."""
    return _routing_enabled() and isinstance(get_routing_for_object(estimator),
                                             MetadataRouter)


def _request_weights_in_last_step(pipeline):
    """Route ``sample_weight`` to a Pipeline's last step where nothing is set.

    Under metadata routing a Pipeline passes ``sample_weight`` only to the
    steps that request it, and refuses it while a step that could take it
    has no request. A Pipeline expert whose steps set no request gets the
    weights in its last step only, as without routing; any explicit request
    (True or False on a step) is left as the user set it.
    """
    steps = [step for _, step in pipeline.steps
             if not (isinstance(step, str) or step is None)
             and not isinstance(get_routing_for_object(step), MetadataRouter)]
    requests = [get_routing_for_object(step).fit.requests for step in steps]
    if not steps or any(r.get("sample_weight") is not None for r in requests):
        return
    for step, request in zip(steps[:-1], requests[:-1]):
        if "sample_weight" in request:
            step.set_fit_request(sample_weight=False)
    if "sample_weight" in requests[-1] and steps[-1] is pipeline.steps[-1][1]:
        steps[-1].set_fit_request(sample_weight=True)


def _passes_fit_keywords_to(estimator):
    """The estimator a scikit-learn meta-estimator hands its fit's keyword
    arguments to without metadata routing, or None.

    A search (``GridSearchCV`` and the like) passes them to each candidate's
    fit and to the refit, ``TransformedTargetRegressor`` to its regressor,
    ``RFE`` to its estimator. (Others, as ``RFECV`` or
    ``OneVsRestClassifier``, take them only with metadata routing.)
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.feature_selection import RFE, RFECV
    from sklearn.model_selection._search import BaseSearchCV
    if isinstance(estimator, BaseSearchCV) or (isinstance(estimator, RFE)
                                               and not isinstance(estimator, RFECV)):
        return estimator.estimator
    if isinstance(estimator, TransformedTargetRegressor):
        if estimator.regressor is None:   # (its default)
            from sklearn.linear_model import LinearRegression
            return LinearRegression()
        return estimator.regressor
    return None


def _ensemble_members(estimator):
    """The models a scikit-learn Stacking or Voting ensemble fits with its
    fit's ``sample_weight`` (each of its estimators, and a stacking's final
    estimator), or None for any other model.

    Since scikit-learn 1.6 their ``fit`` takes it in ``**fit_params``
    without metadata routing (before, as a parameter of its own).
    """
    from sklearn.ensemble import (StackingClassifier, StackingRegressor, VotingClassifier,
                                  VotingRegressor)
    if not isinstance(estimator, (StackingClassifier, StackingRegressor, VotingClassifier,
                                  VotingRegressor)):
        return None
    members = [model for _, model in estimator.estimators
               if model is not None and not isinstance(model, str)]   # ('drop')
    final = getattr(estimator, "final_estimator", None)
    return members + ([final] if final is not None else [])


def _weight_keyword(estimator):
    """The keyword under which ``estimator.fit`` takes per-row weights without
    metadata routing, or None where it takes none.

    ``sample_weight``; for a Pipeline ``<last step>__<its keyword>``, down
    nested Pipelines (a ColumnTransformer put in front of
    ``make_pipeline(StandardScaler(), Ridge())``: the expert was judged unable
    to take weights, so the ensembles refused them and the mixtures fitted a
    resample); a meta-estimator that hands its fit's keywords on as they are
    (a search, ``TransformedTargetRegressor``, ``RFE``: a signature
    has_fit_parameter cannot see) the keyword of the model inside; a
    Stacking or Voting ensemble ``sample_weight`` where each of its models
    takes it. (A GridSearchCV or StackingRegressor expert was fitted on a
    resample at every EM step and refused by the ensembles as not accepting
    sample_weight, though compare() and scikit-learn give it the weights.)
    """
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        inner = None if last in (None, "passthrough") else _weight_keyword(last)
        return None if inner is None else f"{name}__{inner}"
    if has_fit_parameter(estimator, "sample_weight"):
        return "sample_weight"
    inside = _passes_fit_keywords_to(estimator)
    if inside is not None:
        return _weight_keyword(inside)
    members = _ensemble_members(estimator)
    if members:
        # Each member gets ``sample_weight`` by that name.
        return ("sample_weight" if all(has_fit_parameter(m, "sample_weight") for m in members)
                else None)
    return None


def fitted_as_given(estimator):
    """Whether ``estimator`` is a ``FrozenEstimator``: fitted already, its
    ``fit`` fits nothing, so ``sample_weight`` neither reaches nor changes it
    (an ensemble fits it without the weights; ``compare`` scores it with them)."""
    from sklearn.frozen import FrozenEstimator
    return isinstance(estimator, FrozenEstimator)


def _supports_sample_weight(estimator):
    if _routes_metadata(estimator):
        if isinstance(estimator, Pipeline):
            _request_weights_in_last_step(estimator)
        return bool(get_routing_for_object(estimator).consumes("fit", ["sample_weight"]))
    return _weight_keyword(estimator) is not None


def _weight_kwargs(estimator, weight):
    if _routing_enabled():
        # With metadata routing a Pipeline takes ``sample_weight`` for the
        # steps that request it.
        return {"sample_weight": weight}
    return {_weight_keyword(estimator): weight}


def _systematic_resample(weight, rng):
    """Indices of len(weight) draws in proportion to weight (low variance)."""
    n = len(weight)
    cumulative = np.cumsum(weight)
    cumulative /= cumulative[-1]
    positions = (rng.uniform() + np.arange(n)) / n
    return np.minimum(np.searchsorted(cumulative, positions), n - 1)


def is_pairwise(estimator):
    """Whether ``estimator`` takes a precomputed kernel or distance matrix as X
    (scikit-learn's ``pairwise`` tag: ``SVR(kernel='precomputed')``,
    ``KNeighborsRegressor(metric='precomputed')``); False where it has no tags.

    Meta-estimators whose tag does not say it are looked into: a
    ``MultiOutputRegressor``'s or ``TransformedTargetRegressor``'s estimator,
    a ``Pipeline``'s last step (its tag follows its first step only), a
    ``VotingRegressor``'s or ``StackingRegressor``'s estimators. Unseen, they
    failed with scikit-learn's "Precomputed matrix must be a square matrix"
    where the pairwise checks name the expert and say why.
    """
    try:
        if get_tags(estimator).input_tags.pairwise:
            return True
    except (TypeError, ValueError, AttributeError):
        return False
    params = getattr(estimator, "__dict__", {})
    inner = [params.get(key) for key in ("estimator", "regressor", "base_estimator")]
    steps = params.get("steps")
    if isinstance(steps, (list, tuple)) and steps and isinstance(steps[-1], tuple):
        inner.append(steps[-1][-1])
    estimators = params.get("estimators")
    if isinstance(estimators, (list, tuple)):
        inner += [e[-1] if isinstance(e, tuple) else e for e in estimators]
    # (Strings and None: 'passthrough', 'drop', 'deprecated'.)
    return any(is_pairwise(e) for e in inner
               if e is not None and not isinstance(e, str) and e is not estimator)


def refuse_pairwise_row_subset(name, estimator, weight, sample_weight=None):
    """Refuse a weighted fit of an expert on a precomputed kernel or distance
    matrix that :func:`fit_expert` would make on a subset or a resample of its
    rows (rows of negligible weight left out; the weighted resample of an
    expert without ``sample_weight``): the matrix's columns would need the
    same rows. KNeighborsRegressor(metric='precomputed') in exact EM was
    fitted on resampled rows against the original columns and predicted
    other numbers than on features, silently; SVR(kernel='precomputed')
    failed on a "57x60 matrix".
    """
    if (weight is None or not is_pairwise(estimator)
            or (len(weight) and weight[0] > 0 and np.all(weight == weight[0]))):
        return
    how = None
    if not _supports_sample_weight(estimator):
        how = "a weighted resample of its rows (it takes no sample_weight)"
    elif weight.sum() > 0 and len(_kept_rows(weight * (len(weight) / weight.sum()),
                                             sample_weight)) < len(weight):
        how = "its rows of non-negligible weight only"
    if how is not None:
        raise ValueError(
            f"Expert '{name}' ({type(estimator).__name__}) takes a precomputed kernel or "
            "distance matrix as X (its pairwise tag: kernel='precomputed' or "
            f"metric='precomputed'), and its weighted fit here would be on {how}, which "
            "would need the matrix's columns of the same rows; only its rows are taken. "
            "Give it features instead, or fit it where every row keeps a weight: an "
            "ensemble without 'greedy' weights, or (with an expert that takes "
            "sample_weight) a mixture with training='em' and cv=None, without rows of "
            "zero sample_weight.")


def refuse_pairwise_rows_left_out(names, templates, n_left_out):
    """Refuse, by name, an expert on a precomputed kernel or distance matrix
    where ``n_left_out`` rows of zero ``sample_weight`` are left out of the fit.

    Only the matrix's rows are left out, not its columns: SVR(kernel=
    'precomputed') failed with "Precomputed matrix must be a square matrix.
    Input is a 55x60 matrix", which did not say why.
    """
    if not n_left_out:
        return
    for name, template in zip(names, templates):
        if is_pairwise(template):
            raise ValueError(
                f"Expert '{name}' ({type(template).__name__}) takes a precomputed kernel "
                "or distance matrix as X (its pairwise tag: kernel='precomputed' or "
                f"metric='precomputed'), and the {n_left_out} row(s) of zero sample_weight "
                "are left out of the fit: a precomputed matrix cannot be fitted on a "
                "subset of its rows (its columns would need the same rows left out). Drop "
                "those rows from both the matrix's rows and its columns (and from the "
                "columns of the matrices predicted on), or give the expert features.")


# The start of the warning scikit-learn's classifiers give on a y with more
# classes than half its rows (check_classification_targets).
_FOLD_CLASSES_WARNING = "The number of unique classes is greater than 50% of the number"


def _earns_many_classes_warning(y):
    """Whether scikit-learn's classifiers warn of ``y`` itself that it "could
    represent a regression problem" (check_classification_targets' rule)."""
    return len(y) > 20 and len(np.unique(y)) > round(0.5 * len(y))


def fit_expert(name, estimator, X, y, weight, seed, classes_needed=False, fit_params=None,
               n_classes=None, sample_weight=None):
    """Fit one expert with per-sample weights; errors name the expert.

    Experts whose ``fit`` takes ``sample_weight`` get the weights directly
    (rescaled to mean one, rows with negligible weight left out). Experts
    that cannot take weights -- e.g. ``KNeighborsRegressor`` -- are fitted on
    a weighted systematic resample of the rows: the documented fallback.
    Without metadata routing a ``Pipeline`` gets the weights in its last
    step; with routing (``sklearn.set_config(enable_metadata_routing=True)``)
    a meta-estimator gets them as ``sample_weight`` where it requests them
    (a Pipeline whose steps request nothing: in its last step).

    Parameters
    ----------
    name : str
        The expert's name, for error messages.
    estimator : estimator
        An unfitted estimator; it is fitted in place and returned.
    X : array-like, DataFrame or sparse matrix
        Training data, as the expert gets it (rows taken with ``_safe_indexing``).
    y : ndarray
    weight : ndarray of shape (n_samples,) or None
        Non-negative weights (responsibilities times user weights).
    seed : int
        Seed for the resampling fallback.
    classes_needed : bool
        For classifiers: keep at least two classes among the rows used.
    fit_params : dict, default=None
        Other metadata routed to this expert's ``fit`` (rows of X).
    n_classes : int, default=None
        For classifiers: the number of encoded classes; the fitted expert's
        ``classes_`` must be among ``0 .. n_classes - 1``
        (:func:`check_expert_classes`).
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        The user's weights of these rows, when ``weight`` is a multiple of
        them: rows are then pruned by their responsibility alone, and by a
        negligible sample_weight (:func:`_kept_rows`), so integer weights fit
        as repeated rows.

    Returns
    -------
    estimator : fitted estimator
        ``estimator`` itself, fitted in place (whatever its ``fit`` returns).
    """
    fit_params = {} if fit_params is None else dict(fit_params)
    fit_params.pop("sample_weight", None)  # the expert's weights are ``weight``
    refuse_pairwise_row_subset(name, estimator, weight, sample_weight)
    # (Rescaling by the weights' sum, below, would leave no rows; the expert's
    # own message would be about an empty array.)
    check_some_weight(name, estimator, weight)
    X = own_frame(X)    # columns it adds to a DataFrame stay with it
    try:
        # (Its warnings recorded where a composition gives each once.)
        with _recorded_expert_warnings(name, estimator):
            # Equal weights are no weights: the same fit, without the copies of X
            # that weights cost (Ridge rescales X by them; an expert without
            # sample_weight got a resample of every row).
            if weight is None or (len(weight) and weight[0] > 0 and np.all(weight == weight[0])):
                estimator.fit(X, y, **fit_params)
            elif _supports_sample_weight(estimator):
                weight = weight * (len(weight) / weight.sum())
                rows = _kept_rows(weight, sample_weight)
                if len(rows) < 2 or (classes_needed and len(np.unique(y[rows])) < 2):
                    # A few rows of very large weight (1e5 times the others) left
                    # one row above the threshold, which estimators refuse: keep
                    # every row of positive weight instead.
                    rows = np.flatnonzero(weight > 0)
                if classes_needed and len(np.unique(y[rows])) < 2:
                    rows = np.arange(len(y))
                # scikit-learn's "The number of unique classes is greater than
                # 50% of the number of samples. `y` could represent a regression
                # problem" of the rows pruning keeps, not of the user's y: an
                # HME leaf given 33 classes of 3 rows each warned so. A y that
                # earns it still gets it.
                quiet = len(rows) < len(y) and not _earns_many_classes_warning(y)
                if len(rows) < len(y):
                    fit_params = _check_method_params(X, fit_params, rows)
                    X, y, weight = take_rows(X, rows), y[rows], weight[rows]
                with (thread_filter("ignore", _FOLD_CLASSES_WARNING, UserWarning) if quiet
                      else contextlib.nullcontext()):
                    estimator.fit(X, y, **_weight_kwargs(estimator, weight), **fit_params)
            else:
                weight = weight * (len(weight) / weight.sum())
                rows = _systematic_resample(weight, np.random.RandomState(seed))
                if classes_needed and len(np.unique(y[rows])) < 2:
                    rows = np.arange(len(y))
                estimator.fit(take_rows(X, rows), y[rows],
                              **_check_method_params(X, fit_params, rows))
    except Exception as exc:
        raise failed_fit_error(name, estimator, exc, X, y, classes_needed, weight) from exc
    # The estimator fitted in place is the expert, whatever its fit returns
    # (one that forgot ``return self`` failed later as a 'NoneType' expert).
    return check_expert_classes(name, estimator, n_classes)


def check_expert_classes(name, estimator, n_classes):
    """``estimator``, when its ``classes_`` are among the encoded labels 0 .. n_classes - 1.

    The experts are fitted on encoded labels and their probability columns
    are placed by ``classes_``: an expert whose ``classes_`` hold other
    values (labels of its own, a class it was not given) failed at
    prediction with a bare IndexError or "invalid literal for int()".
    ``n_classes`` None (regression) checks nothing.
    """
    classes = None if n_classes is None else getattr(estimator, "classes_", None)
    if classes is None:
        return estimator
    try:
        values = np.asarray(classes, dtype=np.float64).ravel()
        # Distinct, too: classes_ [0, 0, 1] put two probability columns on
        # class 0 (the second overwrote the first) and none on class 2,
        # whose probability was then 0, silently.
        valid = bool(np.all((values >= 0) & (values < n_classes) & (values == np.round(values)))
                     and len(np.unique(values)) == len(values))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise ValueError(
            f"Expert '{name}' ({type(estimator).__name__}) has classes_ "
            f"{np.asarray(classes).tolist()} after fitting; the experts are fitted on the "
            f"encoded labels 0 .. {n_classes - 1} and must keep them as classes_, each "
            "once (its probability columns are placed by classes_).")
    return estimator


def check_some_weight(name, estimator, weight):
    """Refuse to fit an expert on rows that all have zero weight, saying why.

    Only cross-fitting can get there (the user's weights are checked): a
    fold's training rows may hold no row of positive sample_weight.
    """
    if weight is not None and not np.any(np.asarray(weight) > 0):
        raise ValueError(
            f"Expert '{name}' ({type(estimator).__name__}) cannot be fitted: every row "
            "it is to be fitted on has zero weight (in cross-fitting: a fold's training "
            "rows hold no row of positive sample_weight; give more rows a positive "
            "sample_weight, or use more folds with cv: each fold then trains on more "
            "of the rows).")


def one_class_hint(y, classifier):
    """A hint for a classifier expert that failed on training rows of one class."""
    if not classifier or len(np.unique(y)) >= 2:
        return ""
    # A class of one row is missing from the training rows of the fold that
    # holds it out; the expert's own message does not say why.
    return (" (its training rows hold one class only: a class with very few "
            "rows, e.g. one, is missing from the training rows of the "
            "cross-fitting fold that holds it out; remove or merge that class)")


def failed_fit_error(name, estimator, exc, X, y, classes_needed, weight=None):
    """The error for an expert whose fit raised ``exc``: it names the expert and
    adds the hints that explain the usual causes (one class, a read-only X, a
    single row of positive ``weight``, a column of huge values, a column
    missing in every row, columns of dates or of words)."""
    return rebuilt_error(exc, (
        f"Expert '{name}' ({type(estimator).__name__}) failed to fit: {exc}"
        f"{one_class_hint(y, classes_needed)}{read_only_hint(exc)}"
        f"{one_weighted_row_hint(weight)}{huge_values_hint(exc, X)}"
        f"{missing_column_hint(X)}{time_columns_hint(exc, X)}{word_columns_hint(exc, X)}"
        f"{pandas_na_hint(exc, X)}{sequence_cells_hint(exc, X)}{nan_columns_hint(exc, X)}"
        f"{frame_as_array_hint(exc, X)}"))


def one_weighted_row_hint(weight):
    """A hint for an expert that failed on the one row of positive weight it had."""
    if weight is None or np.count_nonzero(np.asarray(weight) > 0) != 1:
        return ""
    # Rows of zero weight are left out of its fit: with a single row of positive
    # sample_weight, LightGBM said "Found array with 1 sample(s)" of 60 rows.
    return (" (only one of its rows has positive weight -- sample_weight times the "
            "mixture's share of each row -- and it is fitted on that row alone: give "
            "more rows a positive sample_weight, or add rows)")


def _transform_read_only(transformer, method, X, *args):
    """``transformer.<method>(X, *args)`` on X read-only (:func:`read_only_view`).

    The gate's transformer got the caller's X itself: one that scales in place
    (StandardScaler(copy=False), Normalizer(copy=False)) changed the caller's
    array at fit and at every predict, and the X the experts were then fitted
    on. scikit-learn's transformers copy a read-only X where they write; one
    that writes into it anyway gets an error that says why. A user's
    transformer that fails is named (PCA(n_components=5) on 3 columns was
    scikit-learn's bare "n_components=5 must be between 0 and
    min(n_samples, n_features)=3", naming neither PCA nor the gate).
    """
    try:
        return getattr(transformer, method)(read_only_view(X), *args)
    except Exception as exc:
        if "read-only" in str(exc) or "WRITEABLE flag" in str(exc):
            raise rebuilt_error(exc, (
                f"gate_transformer ({type(transformer).__name__}) failed in {method}: {exc} "
                "(it gets X read-only, so that it cannot change your data or the experts' "
                "X: it writes into its X; make it copy X first)")) from exc
        if isinstance(transformer, AutoGateTransformer):
            raise   # (its messages say gate_transformer='auto' already)
        raise rebuilt_error(exc, f"gate_transformer ({type(transformer).__name__}) failed in "
                                 f"{method}: {exc}") from exc


def read_only_hint(exc):
    """A hint for an expert that failed writing into its read-only input X."""
    # (numpy's "cannot set WRITEABLE flag to True of this array": an expert
    # that tried to make its read-only X writeable again.)
    if "read-only" not in str(exc) and "WRITEABLE flag" not in str(exc):
        return ""
    return (" (the experts get their inputs read-only, so that no expert can change "
            "your data: this expert writes into its X, y or sample_weight; make it "
            "copy them first)")


def unknown_category_hint(exc, model=None):
    """A hint for an encoder, or a ``CategoricalNB`` in ``model``, that meets a
    category the rows it was fitted on lack.

    A model inside a mixture or a comparison is fitted on some of the rows (a
    fold's training rows, a tree leaf's rows of weight), so a rare category
    can reach its ``OneHotEncoder`` first at prediction: scikit-learn's
    "Found unknown categories ['w'] in column 0 during transform" came with
    the folds' "If the error is about too few rows, pass fewer folds" at
    best, and a tree mixture failed so predicting its own training rows.
    CategoricalNB said only numpy's "index 4 is out of bounds for axis 1
    with size 4".
    """
    if "unknown categor" in str(exc):
        return (" (a category absent from the rows this model was fitted on, as a rare "
                "one can be from a cross-fitting fold's training rows or a tree mixture "
                "leaf's rows of weight; make its encoder take unknown categories: "
                "OneHotEncoder(handle_unknown='ignore') or "
                "OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1))")
    from sklearn.naive_bayes import CategoricalNB
    if isinstance(exc, IndexError) and model is not None and _holds_a(model, CategoricalNB):
        return (" (CategoricalNB met a category above those of the rows it was fitted "
                "on, as a rare one can be missing from a cross-fitting fold's training "
                "rows or a tree mixture leaf's rows of weight; set its min_categories to "
                "the number of categories of each column, e.g. X.max(axis=0) + 1)")
    return ""


def _holds_a(estimator, kind):
    """Whether ``estimator`` is a ``kind`` or has one among its (nested) parameters."""
    if isinstance(estimator, kind):
        return True
    try:
        params = estimator.get_params(deep=True)
    except (TypeError, ValueError, AttributeError, RuntimeError):
        # Not an estimator, or one clone cannot copy (RuntimeError: an __init__
        # with *args): fit names the expert. (The RuntimeError stopped fit here,
        # in the check of X, with scikit-learn's message, naming no expert.)
        return False
    return any(isinstance(value, kind) for value in params.values())


def category_dtype_hint(exc, X):
    """A hint for LightGBM's "train and valid dataset categorical_feature do not
    match", which it says when a column of pandas' category dtype in fit is of
    another dtype at prediction (strings, read again from a file), or the
    reverse; it names no column, and "valid dataset" is no term of the user's.
    """
    if "categorical_feature do not match" not in str(exc):
        return ""
    hint = (" (a column of X was of pandas' category dtype when this expert was fitted "
            "and is not now, or the reverse")
    if is_dataframe(X):
        # (By name: pandas need not be installed for the arrays' paths.)
        text = [str(c) for c, dtype in X.dtypes.items()
                if dtype == object or type(dtype).__name__ == "StringDtype"]
        if text:
            hint += (f"; X's column(s) {', '.join(map(repr, text[:5]))} hold strings or "
                     "objects, not category")
    return hint + ": give X the dtypes of fit, e.g. X[column] = X[column].astype(" \
        "fit_X[column].dtype))"


# The error types an expert's own failure (fit, predict) is re-raised as, with
# the expert's name; others become ValueError (but MemoryError: rebuilt_error).
_REBUILDABLE_ERRORS = (ValueError, TypeError, RuntimeError, ZeroDivisionError,
                       FloatingPointError, IndexError)


def rebuilt_error(exc, message):
    """``exc`` as an error of its own type with ``message`` (which names the
    expert, model or fit at fault), where the type can be rebuilt from a
    message; a MemoryError (numpy's "Unable to allocate ...") as a
    MemoryError; a ValueError otherwise. Raise it ``from exc``.

    (An expert out of memory was a ValueError, which no ``except
    MemoryError`` caught, and the cross-fitted mixtures, reading it as a
    failure on the fold's rows, fitted the expert again on all the rows, for
    more memory, before saying so.)
    """
    if isinstance(exc, MemoryError):
        return MemoryError(message)
    return (type(exc) if type(exc) in _REBUILDABLE_ERRORS else ValueError)(message)


def _same_estimator(a, b):
    """Same type and parameters (``random_state`` aside; nested estimators alike)."""
    if type(a) is not type(b) or not hasattr(a, "get_params"):
        return False
    pa, pb = a.get_params(deep=False), b.get_params(deep=False)
    pa.pop("random_state", None)
    pb.pop("random_state", None)
    return pa.keys() == pb.keys() and all(_same_value(pa[k], pb[k]) for k in pa)


def _same_value(a, b):
    if hasattr(a, "get_params") or hasattr(b, "get_params"):
        return _same_estimator(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True       # e.g. SimpleImputer(missing_values=np.nan) in both
    try:
        return bool(np.array_equal(a, b)) if isinstance(a, np.ndarray) else bool(a == b)
    except (TypeError, ValueError):
        return a is b
