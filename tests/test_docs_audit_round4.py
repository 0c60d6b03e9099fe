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


def python_blocks():
    """(file, line, code) of every Python block of README.md and docs/*.rst:
    README's ```python fences and the pages' ``.. code-block:: python``."""
    blocks = []
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    for match in re.finditer(r"```python\n(.*?)```", text, re.S):
        blocks.append(("README.md", text[:match.start()].count("\n") + 1, match.group(1)))
    docs = os.path.join(ROOT, "docs")
    for name in sorted(os.listdir(docs)):
        if not name.endswith(".rst"):
            continue
        with open(os.path.join(docs, name), encoding="utf-8") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            if line.strip() != ".. code-block:: python":
                continue
            body = []
            for following in lines[i + 1:]:
                if following.strip() and not following.startswith(" "):
                    break
                body.append(following)
            blocks.append((f"docs/{name}", i + 1, textwrap.dedent("\n".join(body))))
    return blocks


def test_python_blocks_parse_and_their_imports_resolve():
    """No test read the Python blocks of README.md and docs/*.rst (test_docs.py
    checks the API tables and builds the pages without running them; the
    blocks need data, and the README's takes a minute). Round 4 ran all 12:
    11 ran (the six that continue a page's X, y with the page's data; the
    scaling page's needs a dask cluster and was not run). Each must at least
    parse, and its imports -- the names a rename would break -- resolve."""
    blocks = python_blocks()
    assert len(blocks) >= 12 and {f for f, _, _ in blocks} >= {
        "README.md", "docs/index.rst", "docs/user_guide.rst", "docs/hme.rst",
        "docs/mmoe.rst", "docs/persistence.rst"}
    for path, line, code in blocks:
        tree = ast.parse(code, filename=f"{path}:{line}")
        imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        if any(alias.name.split(".")[0] in ("dask", "distributed", "skops")
               for node in imports for alias in node.names) or any(
               (node.module or "").split(".")[0] in ("dask", "distributed", "skops")
               for node in imports if isinstance(node, ast.ImportFrom)):
            # Optional extras: only skmoe's names are checked.
            imports = [node for node in imports if isinstance(node, ast.ImportFrom)
                       and (node.module or "").startswith("skmoe")]
        exec(compile(ast.Module(body=imports, type_ignores=[]), f"{path}:{line}", "exec"), {})


def _free_names(code):
    """Names a block reads but neither imports, assigns nor defines."""
    import builtins

    tree = ast.parse(code)
    bound, read = set(dir(builtins)), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return read - bound


def test_blocks_that_make_their_own_data_run_as_written():
    """docs/mmoe.rst's first block makes its data (``make_mmoe_tasks``) and
    then fitted ``.fit(X, Y_mixed)``, a name it never defined (NameError when
    pasted). A block that makes or loads its own data must define every name
    it reads; the others continue their page's ``X, y``."""
    checked = 0
    for path, line, code in python_blocks():
        if re.search(r"^X\w*, .*= (make|load)_\w+\(", code, re.M):  # X, y = make_regimes(
            checked += 1
            assert not _free_names(code), (path, line, _free_names(code))
    assert checked >= 4  # README, index, mmoe, persistence
    assert _free_names("import numpy as np\nX = np.ones(3)\nf(X, Y)") == {"f", "Y"}
