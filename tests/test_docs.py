"""The documentation: every public name has an API page, and the pages build.

``test_every_public_name_is_in_the_api_reference`` needs nothing beyond the
package. The build (``docs/build.py --no-gallery``: warnings are errors, the
examples are not run) is skipped when the docs extra is not installed; CI
runs the same build in ``.ci/run`` after the tests.
"""

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys

import pytest

import skmoe

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")


def public_modules():
    """skmoe's public submodules: those ``skmoe`` exposes and every file not named ``_*``."""
    names = set(skmoe._SUBMODULES)
    names |= {m.name for m in pkgutil.iter_modules(skmoe.__path__)
              if not m.name.startswith("_")}
    return sorted(names)


def public_names():
    """(qualified name, object) for ``skmoe.__all__`` and each public submodule.

    A submodule's public names are its ``__all__`` or, without one, the
    classes and functions it defines whose names do not start with ``_``.
    """
    names = [(f"skmoe.{name}", getattr(skmoe, name))
             for name in skmoe.__all__ if not name.startswith("__")]
    for module_name in public_modules():
        module = importlib.import_module(f"skmoe.{module_name}")
        members = getattr(module, "__all__", None)
        if members is None:
            members = [name for name, obj in vars(module).items()
                       if not name.startswith("_")
                       and (inspect.isclass(obj) or inspect.isfunction(obj))
                       and obj.__module__ == module.__name__]
        names += [(f"{module.__name__}.{name}", getattr(module, name)) for name in members]
    return names


def api_reference_names(path=os.path.join(DOCS, "api.rst")):
    """Qualified names in the ``autosummary`` tables of ``api.rst``."""
    names, module, in_table = [], None, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            directive = re.match(r"\.\. (currentmodule|automodule|module):: (\S+)", line)
            if directive:
                module, in_table = directive.group(2), False
            elif line.startswith(".. autosummary::"):
                in_table = True
            elif in_table and line.strip() and not line.startswith(" "):
                in_table = False
            elif in_table and line.strip() and not line.strip().startswith(":"):
                name = line.strip()
                names.append(name if name.startswith("skmoe.") else f"{module}.{name}")
    return names


def _resolve(qualified_name):
    module, _, attr = qualified_name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def test_every_public_name_is_in_the_api_reference():
    listed = api_reference_names()
    assert len(listed) == len(set(listed)), "a name is listed twice in docs/api.rst"
    objects = [_resolve(name) for name in listed]  # a typo in api.rst fails here
    # A name is documented under its own path or as the same object elsewhere
    # (skmoe.experts.RuleExpert is listed as skmoe.RuleExpert).
    missing = sorted(name for name, obj in public_names()
                     if name not in listed and not any(obj is o for o in objects))
    assert not missing, (
        f"public names missing from docs/api.rst (add each to an autosummary table): {missing}")


def test_api_reference_parser_reads_modules_and_tables(tmp_path):
    api = tmp_path / "api.rst"
    api.write_text(".. currentmodule:: skmoe\n\n.. autosummary::\n   :toctree: generated/\n\n"
                   "   compare\n   skmoe.datasets.make_regimes\n\nText\n\n   not_a_name\n\n"
                   ".. currentmodule:: skmoe.plotting\n\n.. autosummary::\n\n   GateDisplay\n")
    assert api_reference_names(str(api)) == [
        "skmoe.compare", "skmoe.datasets.make_regimes", "skmoe.plotting.GateDisplay"]


def _tree(path):
    return sorted(os.path.join(d, f) for d, _, files in os.walk(path) for f in files
                  if "__pycache__" not in d)


def test_docs_build_without_warnings(tmp_path):
    for module in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme"):
        pytest.importorskip(module, reason="the docs extra is not installed")
    before = _tree(DOCS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [ROOT, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, os.path.join(DOCS, "build.py"), "--no-gallery", "--out",
         str(tmp_path), "-q"],
        capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _tree(DOCS) == before, "the build wrote into docs/"
    html = tmp_path / "html"
    api = (html / "api.html").read_text()
    for name in ("MixtureOfExpertsRegressor", "compare", "GateDisplay", "load_dataset"):
        assert name in api
    for name in api_reference_names():
        assert (html / "generated" / f"{name}.html").exists(), name
    index = (html / "index.html").read_text()
    assert "User guide" in index and "Command line" in index
