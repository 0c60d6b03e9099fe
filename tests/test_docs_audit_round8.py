"""Docs audit, round 8: parameters, defaults and attributes, mechanically.

Rounds 1-7 (tests/test_docs_audit_round*.py) and tests/test_docs_api.py pin
the names of the parameters and attributes and the literal defaults. Here,
for every public class: the values a documented option set (``{'a', 'b'}``)
names against those ``_parameter_constraints`` lets ``fit`` take. Each
failure names the class, the parameter and both sides.
"""

import inspect
import re
import warnings

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError, StrOptions

from test_docs import public_names


def numpydoc_entries(doc, section):
    """``{name: type line}`` of a numpydoc section (``a, b : t`` gives both)."""
    lines = inspect.cleandoc(doc or "").splitlines()
    entries, inside = {}, False
    for i, line in enumerate(lines):
        underline = i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip())
        if underline and line.strip() and not line.startswith(" "):
            inside = line.strip() == section
            continue
        if (inside and line.strip() and not line.startswith(" ")
                and not re.fullmatch(r"-{3,}", line.strip())):
            head, _, kind = line.partition(" : ")
            for name in head.split(","):
                entries[name.strip().lstrip("*")] = kind.strip()
    return entries


def test_numpydoc_entries_parser():
    doc = """Summary.

    Parameters
    ----------
    a : {'x', 'y'}, default='x'
        Text : not an entry.
    b, c : ndarray of shape (n_samples,)

    Attributes
    ----------
    d_ : int
    """
    assert numpydoc_entries(doc, "Parameters") == {
        "a": "{'x', 'y'}, default='x'", "b": "ndarray of shape (n_samples,)",
        "c": "ndarray of shape (n_samples,)"}
    assert numpydoc_entries(doc, "Attributes") == {"d_": "int"}


def _classes_with_constraints():
    seen, classes = set(), []
    for qualified, obj in public_names():
        if (inspect.isclass(obj) and id(obj) not in seen
                and getattr(obj, "_parameter_constraints", None)):
            seen.add(id(obj))
            classes.append((qualified, obj))
    return classes


@pytest.mark.parametrize("qualified, cls", [pytest.param(*item, id=item[0])
                                            for item in _classes_with_constraints()])
def test_documented_option_sets_are_the_constraints(qualified, cls):
    """A parameter documented as ``{'a', 'b'}`` takes exactly those strings.

    The mixtures' ``loss`` held both tasks' losses: the regressor took
    ``loss='log_loss'`` (documented ``{'auto', 'nll', 'squared_error'}``) and
    the classifier ``'squared_error'``.
    """
    wrong = []
    for name, kind in numpydoc_entries(cls.__doc__, "Parameters").items():
        documented = re.match(r"(?:list of )?\{([^}]*)\}", kind)
        constraints = cls._parameter_constraints.get(name)
        if not documented or not isinstance(constraints, list):
            continue
        allowed = set().union(*(c.options for c in constraints if isinstance(c, StrOptions)))
        allowed -= set().union(*(c.deprecated for c in constraints
                                 if isinstance(c, StrOptions)))
        named = set(re.findall(r"'([^']*)'", documented.group(1)))
        if named != allowed:
            wrong.append(f"{name}: documented {sorted(named)}, constraints {sorted(allowed)}")
    assert not wrong, f"{qualified}: {wrong}"


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_the_other_tasks_loss_is_refused_whatever_the_trainer(training):
    """Under EM the other task's loss was taken with a warning that it is
    unread (as if it were a valid value); the gradient trainer refused it."""
    from sklearn.linear_model import LinearRegression, LogisticRegression

    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

    X = np.linspace(0, 1, 40).reshape(-1, 1)
    y = np.arange(40) % 2
    for cls, expert, loss in [(MixtureOfExpertsRegressor, LinearRegression(), "log_loss"),
                              (MixtureOfExpertsClassifier, LogisticRegression(),
                               "squared_error")]:
        mixture = cls([("a", expert), ("b", expert)], training=training, loss=loss,
                      max_iter=1, max_epochs=1, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(InvalidParameterError, match=f"'loss' parameter of {cls.__name__}"):
                mixture.fit(X, y)
