"""The API reference: every public name's docstring documents its signature.

For each public class and function (``skmoe.__all__`` and the public
submodules, as ``test_docs.public_names`` lists them) the numpydoc
``Parameters`` section must name exactly the parameters of the signature, in
order (a class's those of ``__init__``). A public method's ``Parameters``
section, where it has one, must too. The sections are parsed by hand, so
numpydoc need not be installed.
"""

import inspect
import re

import pytest

from test_docs import public_names


def numpydoc_parameters(doc, section="Parameters"):
    """Names listed in a numpydoc section of ``doc``; None without that section.

    An entry is a line at the section's indentation: ``name : type``, a bare
    ``name`` or several names ``a, b : type``; ``*args`` and ``**kwargs``
    are read as ``args`` and ``kwargs``.
    """
    lines = inspect.cleandoc(doc or "").splitlines()
    names, inside = None, False
    for i, line in enumerate(lines):
        underline = i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip())
        if underline and line.strip() and not line.startswith(" "):
            inside = line.strip() == section
            if inside:
                names = []
            continue
        if not inside or re.fullmatch(r"-{3,}", line.strip()):
            continue
        if line.strip() and not line.startswith(" "):
            head = line.split(" : ")[0]
            names += [n.strip().lstrip("*") for n in head.split(",") if n.strip()]
    return names


def signature_parameters(func):
    names = list(inspect.signature(func).parameters)
    return names[1:] if names and names[0] in ("self", "cls") else names


def _documented():
    """(qualified name, docstring, signature's parameters, whether required)."""
    seen, items = set(), []
    for qualified, obj in public_names():
        if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        seen.add(id(obj))
        if inspect.isfunction(obj):
            items.append((qualified, obj.__doc__, signature_parameters(obj), True))
            continue
        if not issubclass(obj, BaseException):  # a warning's __init__ is Python's
            params = ([] if obj.__init__ is object.__init__
                      else signature_parameters(obj.__init__))
            items.append((qualified, obj.__doc__, params, True))
        for name, member in vars(obj).items():
            func = getattr(member, "__func__", member)  # classmethod, staticmethod
            if not name.startswith("_") and inspect.isfunction(func):
                items.append((f"{qualified}.{name}", func.__doc__,
                              signature_parameters(func), False))
    return items


def test_numpydoc_parameters_parser():
    doc = """Summary.

    Parameters
    ----------
    a : int
        Text, with a line that looks like one : but is indented.
    b, c : float
    **kwargs
        More.

    Returns
    -------
    d : int
    """
    assert numpydoc_parameters(doc) == ["a", "b", "c", "kwargs"]
    assert numpydoc_parameters(doc, "Returns") == ["d"]
    assert numpydoc_parameters("Summary.\n\n    Attributes\n    ----------\n    a : int\n") is None


@pytest.mark.parametrize("qualified, doc, params, required",
                         _documented(), ids=[item[0] for item in _documented()])
def test_parameters_section_matches_signature(qualified, doc, params, required):
    assert doc and doc.strip(), f"{qualified} has no docstring"
    documented = numpydoc_parameters(doc)
    if documented is None and (not params or not required):
        return  # nothing to document, or a method without the section
    assert documented == params, (
        f"{qualified}: the docstring's Parameters section lists {documented}, "
        f"the signature has {params}")
