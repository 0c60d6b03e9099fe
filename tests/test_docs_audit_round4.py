"""Docs audit, round 4: what the user reads still runs and says what the code
does. The gallery (``examples/*.py``) is not run by CI (the docs build with
``--no-gallery``), nor are the code blocks of README.md and docs/*.rst; each
test pins a place where they and the code disagreed, without running the
slow examples."""

import ast
import os
import re
import textwrap
import warnings

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _example_assignments(name, wanted):
    """Run an example's top-level imports and its assignments to ``wanted``.

    Returns the namespace; the rest of the example (plots, slow fits) is skipped.
    """
    path = os.path.join(ROOT, "examples", name)
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    body = [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))
            or (isinstance(node, ast.Assign)
                and {getattr(t, "id", None) for t in ast.walk(node.targets[0])} & wanted)]
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(ast.Module(body=body, type_ignores=[]), path, "exec"), namespace)
    missing = wanted - set(namespace)
    assert not missing, f"{name} no longer assigns {missing}"
    return namespace


def test_inspect_gate_example_has_a_gate_to_inspect():
    """examples/plot_inspect_gate.py draws "which expert wins where" on the
    two moons, but its mixture (cross-fitted EM, the default ``cv``) stopped
    after 2 iterations with the same gate weights on every row (0.283 to the
    logistic regression, 0.717 to the tree, std 0): a one-colour map, and
    the tree "winning" all 600 rows. With exact EM (``cv=None``; a depth-4
    tree and a logistic regression cannot memorise their rows) the gate
    splits the plane, about half the rows to each expert."""
    ns = _example_assignments("plot_inspect_gate.py", {"X", "y", "clf"})
    gate = ns["clf"].predict_gate(ns["X"])
    assert gate.std(axis=0).min() > 0.2
    wins = np.bincount(gate.argmax(axis=1), minlength=2) / len(gate)
    assert wins.min() > 0.3, wins
    text = " ".join(open(os.path.join(ROOT, "examples", "plot_inspect_gate.py"),
                         encoding="utf-8").read().split())
    assert "right far from the boundary and a tree captures the curved middle" not in text


def test_every_parameter_with_a_default_documents_it():
    """tests/test_docs_api.py checks a documented ``default=`` against the
    signature, but not that one is documented: MixtureOfExpertsClassifier's
    18 gradient and routing parameters and all 14 of TorchMLPClassifier's
    were listed as bare names ("see MixtureOfExpertsRegressor"), with no
    type and no default in the API page. Every parameter of every public
    class, function and method that has a default now says ``default=``
    (then checked against the signature there); only ``y : None`` (Ignored),
    scikit-learn's spelling for a transformer's unused ``y``, is exempt."""
    import inspect

    from test_docs_api import _signatures, numpydoc_defaults

    missing = []
    for qualified, doc, func in _signatures():
        documented = numpydoc_defaults(doc)
        lines = inspect.cleandoc(doc or "").splitlines()
        for name, parameter in inspect.signature(func).parameters.items():
            if (name in ("self", "cls") or parameter.default is inspect.Parameter.empty
                    or name in documented):
                continue
            if parameter.default is None and f"{name} : None" in lines:
                continue
            missing.append(f"{qualified}({name}={parameter.default!r})")
    assert not missing, f"no default= documented: {missing}"
