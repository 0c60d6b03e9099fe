"""Recording warnings while other threads record theirs (joblib's threading backend).

``warnings.catch_warnings`` saves and puts back process-wide state (the
``showwarning`` hooks, the filters list): two blocks overlapping in threads
put back each other's, and a finished block's recorder stayed installed (the
warnings of the rest of the process went to a dead list), or its filter
stayed in force. Each test runs two threads through the library's recording
in the order that did it: A in, B in, A out, B out.
"""

import contextlib
import threading
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression
from sklearn.metrics import get_scorer

WAIT = 10   # seconds: a step that does not come is a failure, not a hang

# Per test: the steps of the interleaving, set by the estimators in the threads.
STEPS = {}


class Interleaved(RegressorMixin, BaseEstimator):
    """Warns ``tag`` in fit, as thread ``role`` ("A" or "B") of the order A in,
    B in, A out, B out: A waits in its fit for B to be in its own; B waits
    for A to be out (``STEPS["A out"]``, set by the test's thread) and warns
    only then."""

    def __init__(self, role="A", tag="A"):
        self.role = role
        self.tag = tag

    def fit(self, X, y):
        if self.role == "A":
            warnings.warn(f"warning of {self.tag}", UserWarning)
            STEPS["A in"].set()
            assert STEPS["B in"].wait(WAIT)
        else:
            assert STEPS["A in"].wait(WAIT)
            STEPS["B in"].set()
            assert STEPS["A out"].wait(WAIT)
            warnings.warn(f"warning of {self.tag}", UserWarning)
        self.model_ = LinearRegression().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _run_interleaved(work):
    """``work("A")`` and ``work("B")`` in two threads, B's started once A is in
    its estimator's fit; ``STEPS["A out"]`` once A's is done. Returns their
    results by role; an error in either is raised."""
    STEPS.clear()
    STEPS.update({k: threading.Event() for k in ("A in", "B in", "A out")})
    results, errors = {}, []

    def run(role):
        try:
            if role == "B":   # (in the library's blocks only once A is in its own)
                assert STEPS["A in"].wait(WAIT)
            results[role] = work(role)
        except BaseException as exc:   # pragma: no cover - reported below
            errors.append(exc)
        finally:
            if role == "A":
                STEPS["A out"].set()

    threads = [threading.Thread(target=run, args=(role,)) for role in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(2 * WAIT)
    assert not errors, errors
    return results


class _Spy:
    """The user's ``showwarning``: what reaches the user."""

    def __init__(self):
        self.texts = []

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        self.texts.append(str(message))


def _filters():
    """The filters, their patterns as text: scikit-learn's Parallel rebuilds the
    filters in each of its jobs (compiling a module's name given as text), and
    of two jobs overlapping in threads the last one out puts back its copy:
    the same filters, other objects (scikit-learn's own doing)."""
    return [tuple(getattr(part, "pattern", part) for part in entry)
            for entry in warnings.filters]


@contextlib.contextmanager
def _as_the_user(monkeypatch, action="always"):
    """The user's filter ``action`` and a spy as the user's ``showwarning``;
    yields the spy and the state to find again after."""
    with warnings.catch_warnings():
        warnings.simplefilter(action)
        spy = _Spy()
        monkeypatch.setattr(warnings, "showwarning", spy)
        yield spy, (warnings._showwarnmsg_impl, warnings._showwarnmsg, _filters())


def _check_put_back(spy, state):
    """The process-wide state is the user's again, and a warning reaches the user."""
    assert warnings.showwarning is spy
    assert (warnings._showwarnmsg_impl, warnings._showwarnmsg, _filters()) == state
    spy.texts.clear()
    warnings.warn("a later warning of the user's", UserWarning)
    assert spy.texts == ["a later warning of the user's"]


def _shown_to_the_user(work, spy, state):
    """The texts shown to the user (sorted) by ``work`` run interleaved; the
    process-wide state checked put back after."""
    _run_interleaved(work)
    shown = sorted(spy.texts)
    _check_put_back(spy, state)
    return shown


def _xy():
    X = np.random.default_rng(0).normal(size=(20, 2))
    return X, X[:, 0] + 0.1 * X[:, 1]


def test_expert_warnings_of_two_threads_overlapping(monkeypatch):
    """Two ensembles fitted in threads (a greedy ensemble's fits in compare with
    joblib's threading backend): each gives its own expert's warning, once,
    and the user's hooks are put back."""
    from skmoe import EnsembleRegressor

    X, y = _xy()
    with _as_the_user(monkeypatch) as (spy, state):

        def work(role):
            return EnsembleRegressor([("e", Interleaved(role, role)),
                                      ("lr", LinearRegression())],
                                     weights="greedy", cv=2).fit(X, y)

        assert _shown_to_the_user(work, spy, state) == [
            f"warning of {role}\n(Expert 'e' (Interleaved) of EnsembleRegressor gave this "
            "warning in 3 of its 3 fits; shown once.)" for role in "AB"]


def test_fold_warnings_of_two_threads_overlapping(monkeypatch):
    """Two CrossFitAverage predictions overlapping in threads."""
    from skmoe._crossfit import _fold_warnings_once

    X, y = _xy()
    with _as_the_user(monkeypatch) as (spy, state):

        def work(role):
            with _fold_warnings_once(role, 2):
                if role == "A":
                    warnings.warn("warning of A", UserWarning)
                Interleaved(role, role).fit(X, y)
                if role == "B":
                    warnings.warn("warning of B", UserWarning)

        assert _shown_to_the_user(work, spy, state) == [
            f"warning of {r}\n(The 2 fits of expert '{r}' gave this warning 2 times; "
            "shown once.)" for r in "AB"]


def test_compare_fits_of_two_threads_overlapping(monkeypatch):
    """compare's fits on two splits in threads: each split's messages are its
    own model's, and its "always" filter does not stay in force."""
    from skmoe._compare import _fit_score

    X, y = _xy()
    train, test = np.arange(12), np.arange(12, 20)
    scorers = {"r2": get_scorer("r2")}
    # (The user's "ignore": compare records all the same.)
    with _as_the_user(monkeypatch, "ignore") as (spy, state):

        def work(role):
            return _fit_score(role, Interleaved(role, role), X, y, train, test, scorers)

        results = _run_interleaved(work)
        for role in "AB":
            assert results[role][3] == [(UserWarning, f"warning of {role}")]
        assert spy.texts == []
        warnings.simplefilter("always", UserWarning)   # (for the check's later warning)
        state = (*state[:2], _filters())
        _check_put_back(spy, state)


def test_fold_fits_of_two_threads_overlapping(monkeypatch):
    """Two fold fits in threads, each hiding scikit-learn's "greater than 50%"
    warning of a fold's classes: the filter does not stay in force after."""
    from skmoe._base import fit_expert
    from skmoe._crossfit import _FOLD_CLASSES_WARNING, fit_on_rows

    X, y = _xy()
    with _as_the_user(monkeypatch) as (spy, state):

        def work(role):
            fit_on_rows(fit_expert, role, Interleaved(role, role), X, y, np.arange(16), None, 0,
                        None)

        assert _shown_to_the_user(work, spy, state) == ["warning of A", "warning of B"]
        warnings.warn(f"{_FOLD_CLASSES_WARNING} of samples.", UserWarning)
        assert len(spy.texts) == 2
