"""Warnings recorded while the library works, and given once: safely across threads.

The one way the library records warnings and changes the warning filters for
a block of its own work:

* :func:`recorded`: the warnings this thread gives in the block, recorded
  instead of shown;
* :func:`thread_filter`: a filter (``"ignore"``, ``"always"``) in force in
  this thread for the block.

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
