"""Warnings recorded while the library works, and given once: safely across threads.

The one way the library records warnings and changes the warning filters for
a block of its own work:

* :func:`recorded`: the warnings this thread gives in the block, recorded
  instead of shown;
* :func:`thread_filter`: a filter (``"ignore"``, ``"always"``) in force in
  this thread for the block;
* :func:`expert_warnings_once`, :func:`gathered_jobs`: a composition's
  record of its experts' warnings, given once per fit;
* :class:`Tally` and :func:`numbers_blanked`: warnings counted as one where
  their texts differ in their numbers alone.

Not ``warnings.catch_warnings``: it saves the process-wide hooks and filters
list on entry and puts them back on exit, so two blocks overlapping in
threads (joblib's threading backend: fold fits, a greedy ensemble's fits,
compare's splits) put back each other's. A finished block's recorder
stayed installed, and every later warning of the process went to its dead
list; or a block's filter ("always", "ignore") stayed in force for good.
Here the process-wide parts are installed once, counted, by the first block
in and taken out by the last one out, and they act only for the threads whose
blocks asked.
"""

import contextlib
import contextvars
import os
import re
import threading
import warnings

# Per thread: ``collectors``, the lists of the thread's recording blocks,
# innermost last; ``filters``, {matcher of a thread_filter: blocks using it}.
_THIS_THREAD = threading.local()
# Guards the process-wide state below and the changes to warnings.filters.
_LOCK = threading.Lock()
_RECORDERS = 0                 # recording blocks open, in every thread
_SHOWN_BEFORE = None           # warnings._showwarnmsg before the first of them
_FILTERS = {}                  # {(action, message, category): [entry, blocks using it]}


def _new_lock_in_child():
    # A process forked while another thread held the lock (a warning recorded
    # or a filter set in a fit in a thread) copied it held, by a thread the
    # child does not have: the child's first recording block waited for ever.
    global _LOCK
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):      # (not on Windows, which does not fork)
    os.register_at_fork(after_in_child=_new_lock_in_child)


def _registries_reset():
    """Forget which warnings were shown at each location, as a change of the
    filters does: a warning recorded in one block is recorded again in the
    next, and given again after the block (as ``catch_warnings`` did)."""
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()
        return
    mutated = getattr(warnings, "_filters_mutated_lock_held", None)   # Python >= 3.14
    acquire, release = (getattr(warnings, "_acquire_lock", None),
                        getattr(warnings, "_release_lock", None))
    if mutated is not None and acquire is not None and release is not None:
        acquire()
        try:
            mutated()
        finally:
            release()


def _show(msg):
    """``warnings._showwarnmsg`` while a block records: the warning goes to
    the innermost recording block of the thread that gave it, if any, else
    where it went before."""
    collectors = getattr(_THIS_THREAD, "collectors", None)
    if collectors:
        collectors[-1].append(msg)
    else:
        _SHOWN_BEFORE(msg)


@contextlib.contextmanager
def recorded(always=None):
    """Record the warnings this thread gives within the block.

    The filters apply as the warnings are given (an ignored one is not
    recorded, an error is raised); the other threads' warnings are shown as
    they would be.

    Parameters
    ----------
    always : warning class, default=None
        Record every warning of this class, whatever the filters say
        (a ``thread_filter("always", category=always)``).

    Yields
    ------
    records : list of warnings.WarningMessage
        Filled as the warnings are given.
    """
    global _RECORDERS, _SHOWN_BEFORE
    records = []
    # (warnings._showwarnmsg, not showwarning: catch_warnings elsewhere, in
    # scikit-learn's Parallel jobs or in the user's code, saves and puts back
    # showwarning and _showwarnmsg_impl, never this.)
    with _LOCK:
        if _RECORDERS == 0 and warnings._showwarnmsg is not _show:
            _SHOWN_BEFORE = warnings._showwarnmsg
            warnings._showwarnmsg = _show
        _RECORDERS += 1
    collectors = _THIS_THREAD.__dict__.setdefault("collectors", [])
    collectors.append(records)
    try:
        with (thread_filter("always", category=always) if always is not None
              else contextlib.nullcontext()):
            _registries_reset()
            yield records
    finally:
        # (By identity: two blocks' lists are equal while both are empty.)
        del collectors[max(i for i, c in enumerate(collectors) if c is records)]
        with _LOCK:
            _RECORDERS -= 1
            if _RECORDERS == 0 and warnings._showwarnmsg is _show:
                warnings._showwarnmsg = _SHOWN_BEFORE
        _registries_reset()


class _InThisThread:
    """The message test of a :func:`thread_filter`'s entry in ``warnings.filters``:
    the message matches where the thread has the filter on."""

    def __init__(self, pattern):
        # (``pattern``, as a compiled regex has: scikit-learn's Parallel copies
        # the filters of the thread that starts its jobs into each job, by it.)
        self.pattern = pattern
        self._regex = re.compile(pattern, re.I) if pattern else None

    def match(self, text):
        on = getattr(_THIS_THREAD, "filters", None)
        return bool(on) and self in on and (self._regex is None
                                            or self._regex.match(text) is not None)


@contextlib.contextmanager
def thread_filter(action, message="", category=Warning):
    """``warnings.filterwarnings(action, message, category)`` in this thread, for the block.

    Parameters
    ----------
    action : {"ignore", "always", "error", "default", "once", "module"}
    message : str, default=""
        A regular expression that the start of the warning's text must match.
    category : warning class, default=Warning
    """
    key = (action, message, category)
    with _LOCK:
        held = _FILTERS.get(key)
        if held is None:
            held = _FILTERS[key] = [(action, _InThisThread(message), category, None, 0), 0]
        entry = held[0]
        # (Also where another's catch_warnings put back a list without it.)
        if entry not in warnings.filters:
            warnings.filters.insert(0, entry)
        held[1] += 1
    on = _THIS_THREAD.__dict__.setdefault("filters", {})
    on[entry[1]] = on.get(entry[1], 0) + 1
    _registries_reset()
    try:
        yield
    finally:
        on[entry[1]] -= 1
        if not on[entry[1]]:
            del on[entry[1]]
        with _LOCK:
            held[1] -= 1
            if not held[1]:
                del _FILTERS[key]
                if entry in warnings.filters:
                    warnings.filters.remove(entry)
        _registries_reset()


@contextlib.contextmanager
def thread_filters(*filters):
    """:func:`thread_filter` of each ``(action, message, category)`` given."""
    with contextlib.ExitStack() as stack:
        for args in filters:
            stack.enter_context(thread_filter(*args))
        yield


# A number in a warning's text: an integer, a decimal, a float in e-notation.
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


def numbers_blanked(text):
    """``text`` with its numbers replaced by '#': warnings whose texts differ
    in their numbers alone (scipy's rcond of each fit) are one warning."""
    return _NUMBER.sub("#", text)


def varied_note(between):
    """The note that a warning given once stands for texts whose numbers differed."""
    return f", its numbers differing between {between} (those of the first)"


_UNSET = object()


class Tally:
    """Warnings counted by key and text, texts that differ in their numbers
    alone as one (kept as the first of them)."""

    def __init__(self):
        self._entries = {}

    def add(self, key, text, item=None, per=None):
        """Count the warning ``text`` under ``key`` (a tuple); ``item``: what
        to keep of its first (its text by default); ``per``: counted once
        per value (added one value after another)."""
        entry = self._entries.setdefault((*key, numbers_blanked(text)),
                                         [text if item is None else item, 0, set(), _UNSET])
        if per is not None and entry[3] == per:
            return
        entry[1] += 1
        entry[2].add(text)
        entry[3] = per

    def __iter__(self):
        """``(key, first, count, varied)`` of each warning, in the order first given."""
        for blanked, (first, count, texts, _) in self._entries.items():
            yield blanked[:-1], first, count, len(texts) > 1


# The warnings of the experts' own fits while a composition fits
# (:func:`expert_warnings_once`): {(type, category, text, file, line):
# {expert name: count}}, each expert's number of fits under "fits", and under
# "varied" the keys whose text differed between fits in its numbers alone.
_EXPERT_WARNINGS = contextvars.ContextVar("skmoe_expert_warnings", default=None)
# While one expert fits inside such a block: the (category, text, file, line)
# of warnings that a composition nested in it (a mixture or an ensemble as an
# expert) gathered, handed up to be counted as this expert's.
_NESTED_WARNINGS = contextvars.ContextVar("skmoe_nested_expert_warnings", default=None)


def _new_block():
    """An empty record of the experts' warnings (see ``_EXPERT_WARNINGS``)."""
    return {"fits": {}, "varied": set(), "firsts": {}}


def _closed_block(gathered):
    """``(fits, varied)`` of a finished record, which keeps only its warnings."""
    gathered.pop("firsts")
    return gathered.pop("fits"), gathered.pop("varied")


def _set_for_this_thread(var, value):
    """Set ``var`` to ``value`` for this thread's reads (see :func:`_this_threads`)."""
    return var.set((threading.get_ident(), value))


def _this_threads(var):
    """What this thread set ``var`` to, or None.

    Dask's worker threads run a task in a copy of the context of the thread
    that started it, so a task could read another thread's warnings block,
    closed since: compare() on a cluster failed with KeyError 'fits' when
    an expert's predict was recorded into it. Another thread's block is not
    this one's to record into.
    """
    value = var.get()
    if value is None or value[0] != threading.get_ident():
        return None
    return value[1]


@contextlib.contextmanager
def expert_warnings_once(owner):
    """Give each warning of the experts' own fits once per fit of ``owner``.

    EM refits every expert at every iteration (and on every fold), the
    stacked gate on every fold: a LogisticRegression that does not converge
    on unscaled X (breast_cancer) repeated scikit-learn's ConvergenceWarning
    5 to 12 times in one fit (each recording block in between resets
    Python's once-per-location registry). Within this block ``fit_expert``
    (:mod:`skmoe._base`) records its expert's warnings (the user's filters
    apply as they are raised: an ignored one is not recorded, an error still
    stops the fit);
    on leaving it each distinct warning is given once, its text first (so
    that filters on the message still match), then the experts that gave it
    and in how many of their fits. A composition that is itself an expert
    of one (a mixture of mixtures) hands its warnings up: they are given
    once, as its enclosing expert's. Fits in joblib jobs (``n_jobs``) keep
    their records in the job and hand them back (:func:`gathered_jobs`).
    When the block fails, its warnings and those of the expert call that
    failed (carried by the error) are given, once, before the error goes
    on; those of jobs that ended before a job of the same batch failed are
    lost with their results.
    """
    gathered = _new_block()
    token = _set_for_this_thread(_EXPERT_WARNINGS, gathered)
    try:
        yield
    except Exception as exc:
        # The warnings of a fit that failed, often its cause ("column 2 is
        # constant"), were dropped with the block: given here, before the error
        # goes on (or handed up, as below), with those of the fits before it.
        _EXPERT_WARNINGS.reset(token)
        for part in _taken_warnings(exc):
            _merge_block(gathered, *part)
        _give_block(owner, gathered)
        raise
    _EXPERT_WARNINGS.reset(token)
    _give_block(owner, gathered)


def _give_block(owner, gathered):
    """Give each warning of a finished block once (see :func:`expert_warnings_once`)."""
    fits, varied = _closed_block(gathered)
    enclosing = _this_threads(_NESTED_WARNINGS)
    if enclosing is not None:
        # An expert of an enclosing composition: its warnings are that expert's,
        # counted once per enclosing fit. Given here with our counts, each of
        # its fits gave a text of its own ("in 4 of its 5 fits", "in 1 of its
        # 5 fits"), which the enclosing one counted as two warnings.
        enclosing.update(dict.fromkeys((category, text, filename, lineno)
                                       for _, category, text, filename, lineno in gathered))
        return
    for (kind, category, text, filename, lineno), by_name in gathered.items():
        names = list(by_name)
        shown = ", ".join(repr(n) for n in names[:5]) + (
            f" and {len(names) - 5} more" if len(names) > 5 else "")
        # A warning of the experts' predictions (out-of-fold, EM's E-steps):
        # kind is (type, method), and they are counted by calls of method.
        kind, method = kind if isinstance(kind, tuple) else (kind, None)
        count = sum(by_name.values())
        total = sum(fits.get(n if method is None else (n, method), 1) for n in names)
        calls = (f"fit{'s' if total > 1 else ''}" if method is None else
                 f"call{'s' if total > 1 else ''} of {method}")
        who = f"Expert {shown}" if len(names) == 1 else f"Experts {shown}"
        numbers = (varied_note("fits" if method is None else "calls")
                   if (*key_of(kind, method), category, text, filename, lineno) in varied
                   else "")
        warnings.warn_explicit(
            f"{text}\n({who} ({kind}) of {owner} gave this warning in {count} of "
            f"{'its' if len(names) == 1 else 'their'} {total} {calls}"
            f"{numbers}; shown once.)", category, filename, lineno)


class _GatheredCall:
    """``function(*args, **kwargs)`` and the warnings its expert fits gave.

    A joblib job of a fit within :func:`expert_warnings_once`: in another
    process (``n_jobs``) the block's records are not there, and each fit's
    warnings were given there, once per fit (5 from one EM fit with
    ``n_jobs=2``, none of them seen by a recording around it). It
    carries ``function``'s name: Dask's joblib backend names its tasks after
    the function, and under one wrapper's name a cluster's task stream no
    longer said which fits and restarts ran there. A class at module level,
    so that it pickles for any backend.
    """

    def __init__(self, function):
        # (Not "function": that is how scikit-learn's delayed wrapper holds
        # its function, and callers unwrap it by that name.)
        self.wrapped = function
        self.__name__ = getattr(function, "__name__", type(function).__name__)

    def __call__(self, *args, **kwargs):
        gathered = _new_block()
        token = _set_for_this_thread(_EXPERT_WARNINGS, gathered)
        try:
            return self.wrapped(*args, **kwargs), gathered
        except Exception as exc:
            # The job's records go with its error, on the error itself: a
            # process backend sends back the error alone, not its causes.
            parts = _taken_warnings(exc)
            fits, varied = _closed_block(gathered)
            _attach_warnings(exc, [*parts, (gathered, fits, varied)])
            raise
        finally:
            _EXPERT_WARNINGS.reset(token)


def gathered_jobs(parallel, jobs, run=None):
    """``run(parallel, jobs)``, each job's expert warnings added to the block's.

    ``jobs``: ``(function, args, kwargs)`` of scikit-learn's ``delayed``;
    ``run``: how to run them, ``parallel(jobs)`` by default. Outside
    :func:`expert_warnings_once`, ``run(parallel, jobs)`` as it is.
    """
    if run is None:
        def run(parallel, jobs):
            return parallel(jobs)
    gathered = _this_threads(_EXPERT_WARNINGS)
    if gathered is None:
        return run(parallel, jobs)
    from sklearn.utils.parallel import delayed
    wrapped = [delayed(_GatheredCall(getattr(function, "function", function)))(*args, **kwargs)
               for function, args, kwargs in jobs]
    results = []
    for result, part in run(parallel, wrapped):
        fits, varied = _closed_block(part)
        _merge_block(gathered, part, fits, varied)
        results.append(result)
    return results


def _merge_block(gathered, part, fits, varied):
    """Add a closed record ``part`` (its ``fits`` and ``varied``) to ``gathered``."""
    for name, count in fits.items():
        gathered["fits"][name] = gathered["fits"].get(name, 0) + count
    for key, by_name in part.items():
        known = _first_location(gathered, key)
        if key in varied or known in varied:
            gathered["varied"].add(known)
        into = gathered.setdefault(known, {})
        for name, count in by_name.items():
            into[name] = into.get(name, 0) + count


# The attribute of an error that carries the warnings of the expert calls
# that failed with it: a list of closed records ``(part, fits, varied)``.
_FAILED_WARNINGS = "_skmoe_expert_warnings"


def _attach_warnings(exc, parts):
    """Carry ``parts`` (closed records) with the error ``exc``."""
    if parts:
        setattr(exc, _FAILED_WARNINGS, [*getattr(exc, _FAILED_WARNINGS, ()), *parts])


def _taken_warnings(exc):
    """The records carried by ``exc`` and the errors it was raised from
    (``__cause__``), taken off them (so that no enclosing block gives them
    again).

    Not ``__context__``: a fit that fails while an error is handled (the
    refit on all the rows that says whether a fold's rows are the cause)
    would take the records of the error handled, and drop them with its own.
    """
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts.extend(exc.__dict__.pop(_FAILED_WARNINGS, ()))
        exc = exc.__cause__
    return parts


def key_of(kind, method):
    """The first item of a gathered warning's key: ``(kind,)`` for a fit, or
    ``((kind, method),)`` for a call of ``method``, as a 1-tuple to splice."""
    return (kind,) if method is None else ((kind, method),)


# Set while an expert's prediction is recorded: the calls it makes of other
# experts (a CrossFitAverage's fold fits, a nested mixture's experts) are
# recorded as its own, not counted again.
_RECORDING_PREDICTION = contextvars.ContextVar("skmoe_recording_prediction", default=False)


@contextlib.contextmanager
def _recorded_expert_warnings(name, estimator, method=None):
    """Record the warnings of one expert fit (``method`` None) or one call of
    its ``method`` (``"predict"``, ``"predict_proba"``) where
    :func:`expert_warnings_once` asks.

    Predictions too: an expert that warned in predict gave its warning once
    per out-of-fold prediction, 5 times in the stacked gate's fit, 12 in an
    EM fit of 10 iterations (cv=None), 10 in a hierarchical mixture's.
    """
    gathered = _this_threads(_EXPERT_WARNINGS)
    if gathered is None or (method is not None and _RECORDING_PREDICTION.get()):
        yield
        return
    fits = gathered["fits"]
    counter = name if method is None else (name, method)
    fits[counter] = fits.get(counter, 0) + 1
    nested = {}
    token = _set_for_this_thread(_NESTED_WARNINGS, nested)
    predicting = _RECORDING_PREDICTION.set(method is not None)
    try:
        with recorded() as caught:
            yield
    except Exception as exc:
        # A call that failed: its warnings go with the error (given where the
        # error leaves the block), not into the block, whose warnings a fit
        # that catches the error and goes on gives as they were.
        part = {key: {name: 1} for key in _caught_keys(caught, nested, estimator, method)}
        _attach_warnings(exc, [(part, {}, set())])
        raise
    finally:
        _RECORDING_PREDICTION.reset(predicting)
        _NESTED_WARNINGS.reset(token)
    # Counted once per fit that gave it: "in k of its n fits" said 10 of 5
    # for an expert that warned twice in each of its 5 fits.
    for key in dict.fromkeys(_first_location(gathered, key)
                             for key in _caught_keys(caught, nested, estimator, method)):
        by_name = gathered.setdefault(key, {})
        by_name[name] = by_name.get(name, 0) + 1


# Set while one expert call's warnings are named (:func:`named_call_warnings`):
# the calls it makes of other experts (a nested mixture's) are not named again.
_NAMING_CALL = contextvars.ContextVar("skmoe_naming_expert_call", default=False)


@contextlib.contextmanager
def named_call_warnings(name, estimator, method):
    """Give the warnings of one call of an expert's ``method`` with the
    expert's name, where no composition's fit records them.

    Fit names its experts' warnings (:func:`expert_warnings_once`); at
    prediction they came bare: SimpleImputer's "Skipping features without any
    observed values" at predict_proba did not say which expert gave it. The
    outermost expert is named, as a fit names the expert of a nested
    composition. The user's filters apply as the warnings are raised; those
    of a call that fails are given before its error goes on.
    """
    if _this_threads(_EXPERT_WARNINGS) is not None or _NAMING_CALL.get():
        yield
        return
    naming = _NAMING_CALL.set(True)
    try:
        with recorded() as caught:
            yield
    finally:
        _NAMING_CALL.reset(naming)
        for w in caught:
            text = str(w.message)
            # (A CrossFitAverage names its expert where its fold fits repeat a
            # warning: "(The 5 fits of expert 'a' gave this warning ...)".)
            if f"expert '{name}' gave this warning" not in text:
                text += (f"\n(Expert '{name}' ({type(estimator).__name__}) gave this "
                         f"warning in {method}.)")
            warnings.warn_explicit(text, w.category, w.filename, w.lineno)


def _caught_keys(caught, nested, estimator, method):
    """The record keys (kind, category, text, file, line) of one expert call's
    warnings: those ``caught`` and those a nested composition handed up."""
    kind = key_of(type(estimator).__name__, method)
    given = [(w.category, str(w.message), w.filename, w.lineno) for w in caught]
    return [(*kind, *warning) for warning in [*given, *nested]]


def _first_location(gathered, key):
    """``key`` (type, category, text, file, line) at the file and line where
    ``gathered`` already holds that warning, if it does.

    A warning that points at the caller of the expert's ``fit`` (a
    ``stacklevel``) comes from the line of :func:`fit_expert` that called it,
    one for equal weights and one for others: the same text was given twice,
    "in 3 of its 7 fits" and "in 4 of its 7 fits". Texts that differ in
    their numbers alone are one warning (the key of the first, added to
    ``gathered["varied"]``): scipy's "An ill-conditioned matrix detected:
    slice 0 has rcond = 8.97e-21." of a Ridge(solver='cholesky'), a number of
    its own in every fit, was given 22 times by one EM fit.
    """
    # Found through gathered["firsts"], {(type, category, text with its
    # numbers blanked): the first key}: a scan of every key held, blanking
    # each, took 4.8 s (0.3 s for 250) in a greedy ensemble's fit of two
    # experts giving 1,000 distinct warnings a fit.
    blanked = (*key[:2], numbers_blanked(key[2]))
    known = gathered["firsts"].setdefault(blanked, key)
    if known[2] != key[2]:
        gathered["varied"].add(known)
    return known

