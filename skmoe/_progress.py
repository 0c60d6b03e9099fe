"""Progress on stderr, through tqdm.

:func:`progress_bar` returns a ``tqdm`` bar. On a terminal it is tqdm's usual
redrawn bar; elsewhere (a log file, CI, a pipe, pytest's captured streams) and
whenever the environment variable ``SKMOE_PROGRESS`` is ``lines`` (the
command line sets it for ``--verbose``, so that fits running side by side in
worker processes do not draw over one another), the same bar is written as
plain lines, at most one every :data:`PLAIN_INTERVAL` seconds, plus a last one
when it closes.

tqdm is imported only when a bar is enabled, so importing skmoe (and
``python -m skmoe --help``) does not pay for it.

:func:`verbose_fits` / :func:`fit_verbosity` carry an estimator's ``verbose``
down to helpers that do not take it as an argument (the out-of-fold fits of
:func:`skmoe._crossfit.cross_fit`).
"""

import contextlib
import contextvars
import os
import re
import sys

#: Seconds between two plain progress lines (the first comes after as long).
PLAIN_INTERVAL = 10.0

_PLAIN_FORMAT = "{desc}: {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]"
_CURSOR_MOVES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_VERBOSITY = contextvars.ContextVar("skmoe_fit_verbosity", default=0)


class _LineWriter:
    """A file for tqdm that turns its redraws into plain lines.

    tqdm draws with ``'\\r' + text + padding`` and ends with ``'\\n'``; each
    non-blank draw becomes one line here; blank ones (clears) and repeats (the
    last state drawn again on close) are dropped.
    """

    def __init__(self, stream):
        self.stream, self.last = stream, None

    def write(self, text):
        line = _CURSOR_MOVES.sub("", text).replace("\r", "").strip()
        if line and line != self.last:
            self.stream.write(line + "\n")
            self.flush()
            self.last = line

    def flush(self):
        getattr(self.stream, "flush", lambda: None)()


def _plain(stream):
    if os.environ.get("SKMOE_PROGRESS", "").lower() == "lines":
        return True
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return True


def progress_bar(total, desc, *, enabled=True, file=None, unit="it", leave=None,
                 delay=None):
    """A tqdm bar over ``total`` steps on ``file`` (default: ``sys.stderr``).

    Parameters
    ----------
    total : int
    desc : str
        Text before the counts.
    enabled : bool, default=True
        False gives a disabled bar: every method is a no-op.
    file : file-like, default=None
        None means ``sys.stderr`` when the bar is made.
    unit : str, default='it'
    leave : bool, default=None
        Keep the last state once closed (a last plain line, for plain lines).
        None: keep it unless the bar is drawn under another of the process.
    delay : float, default=None
        Seconds before anything is shown; None means none on a terminal and
        :data:`PLAIN_INTERVAL` for plain lines, so short loops print nothing.

    Returns
    -------
    bar : tqdm.tqdm
        Use ``update``, ``set_postfix_str``, ``write`` (a line above the bars,
        to stdout by default) and ``close``, or ``with``.
    """
    from tqdm import tqdm

    if not enabled:
        return tqdm(total=total, disable=True)
    stream = sys.stderr if file is None else file
    if not _plain(stream):
        return tqdm(total=total, desc=desc, file=stream, unit=unit, leave=leave,
                    delay=delay or 0, dynamic_ncols=True)
    return tqdm(total=total, desc=desc, file=_LineWriter(stream), unit=unit, leave=leave,
                delay=PLAIN_INTERVAL if delay is None else delay, position=0,
                mininterval=PLAIN_INTERVAL, miniters=1, bar_format=_PLAIN_FORMAT)


def epoch_done(bar, tag, epoch, record):
    """One epoch on ``bar``, and its line above the bars: ``[tag] epoch N  train
    L  validation V`` (``record``: the epoch's history entry; NaN for a
    validation loss it lacks). The gradient trainers' verbose output."""
    bar.set_postfix_str(f"train {record['train_loss']:+.5f}", refresh=False)
    bar.update()
    bar.write(f"[{tag}] epoch {epoch:3d}  train {record['train_loss']:+.5f}  "
              f"validation {record.get('validation_loss', float('nan')):+.5f}")


@contextlib.contextmanager
def verbose_fits(verbose):
    """Within the block, :func:`fit_verbosity` returns ``verbose``."""
    token = _VERBOSITY.set(int(verbose or 0))
    try:
        yield
    finally:
        _VERBOSITY.reset(token)


def fit_verbosity():
    """The ``verbose`` of the estimator being fitted (0 outside any fit)."""
    return _VERBOSITY.get()


def _yields_as_it_goes(parallel):
    """Whether ``parallel`` can be switched to yield its results in order.

    joblib's Parallel keeps ``return_as`` in ``return_generator``; its own
    check accepts generators on the sequential backend (n_jobs=1, run in
    process) and on backends that say ``supports_return_generator``.
    """
    try:
        from joblib._parallel_backends import SequentialBackend
    except ImportError:  # pragma: no cover - a joblib without that module
        return False
    backend = getattr(parallel, "_backend", None)
    return hasattr(parallel, "return_generator") and (
        isinstance(backend, SequentialBackend)
        or getattr(backend, "supports_return_generator", False))


def run_jobs(parallel, jobs, desc):
    """``parallel(jobs)``, with a bar that advances as each job finishes.

    The bar is shown only within :func:`verbose_fits` of a verbose fit. It
    needs the Parallel to yield results as they come (joblib >= 1.3); a
    Parallel that cannot returns its list as usual, without a bar.
    """
    jobs = list(jobs)
    if not (fit_verbosity() and _yields_as_it_goes(parallel)):
        return parallel(jobs)
    saved = parallel.return_generator
    parallel.return_generator = True  # the results in order, as they come
    try:
        with progress_bar(len(jobs), desc, unit="fit") as bar:
            done = []
            for result in parallel(jobs):
                done.append(result)
                bar.update()
    finally:
        parallel.return_generator = saved
    return done
