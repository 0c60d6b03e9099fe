"""The API reference: every public name's docstring documents its signature.

For each public class and function (``skmoe.__all__`` and the public
submodules, as ``test_docs.public_names`` lists them) the numpydoc
``Parameters`` section must name exactly the parameters of the signature, in
order (a class's those of ``__init__``). So must each public method of those
classes that takes parameters -- defined on the class or inherited from one
of skmoe's own bases (mixins included; not scikit-learn's or torch's) -- and
every such method has a ``Returns`` section. The sections are parsed by
hand, so numpydoc need not be installed.
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


def public_methods(cls):
    """(name, function) of each public method of ``cls`` that skmoe defines.

    Looked up along the MRO, so inherited methods count where one of skmoe's
    own classes defines them; scikit-learn's, torch's and Python's do not.
    Classmethods, staticmethods and ``available_if`` methods are unwrapped.
    """
    methods = []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next((k for k in cls.__mro__ if name in vars(k)), None)
        if owner is None or not owner.__module__.split(".")[0] == "skmoe":
            continue
        member = vars(owner)[name]
        func = getattr(member, "__func__", getattr(member, "fn", member))
        if inspect.isfunction(func):
            methods.append((name, func))
    return methods


def _documented():
    """(qualified name, docstring, signature's parameters, kind, definer) of each
    public class, function and method; kind is 'class', 'function' or 'method',
    definer the ``__qualname__`` of a method's function (where it is defined)."""
    seen, items = set(), []
    for qualified, obj in public_names():
        if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        seen.add(id(obj))
        if inspect.isfunction(obj):
            items.append((qualified, obj.__doc__, signature_parameters(obj), "function",
                          obj.__qualname__))
            continue
        if not issubclass(obj, BaseException):  # a warning's __init__ is Python's
            params = ([] if obj.__init__ is object.__init__
                      else signature_parameters(obj.__init__))
            items.append((qualified, obj.__doc__, params, "class", obj.__qualname__))
        for name, func in public_methods(obj):
            if id(func) in seen:  # inherited by several public classes: once
                continue
            seen.add(id(func))
            items.append((f"{qualified}.{name}", func.__doc__, signature_parameters(func),
                          "method", func.__qualname__))
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


@pytest.mark.parametrize("qualified, doc, params, kind, definer",
                         [pytest.param(*item, id=item[0]) for item in _documented()])
def test_parameters_section_matches_signature(qualified, doc, params, kind, definer):
    assert doc and doc.strip(), f"{qualified} has no docstring"
    documented = numpydoc_parameters(doc)
    if documented is not None or params:  # (nothing to document otherwise)
        assert documented == params, (
            f"{qualified} ({definer}): the docstring's Parameters section lists "
            f"{documented}, the signature has {params}")
    if kind == "method":
        assert numpydoc_parameters(doc, "Returns") is not None, (
            f"{qualified} has no Returns section")


def test_public_methods_include_inherited_and_wrapped_ones():
    """The method walk sees skmoe's mixins and ``available_if`` methods, not sklearn's."""
    from skmoe import MixtureOfExpertsRegressor, RuleExpert
    names = dict(public_methods(MixtureOfExpertsRegressor))
    assert {"fit", "predict", "expert_usage", "predict_gate", "bic"} <= set(names)
    assert "get_params" in names  # skmoe's own override
    assert "score" not in names and "set_score_request" not in names  # scikit-learn's
    assert "predict_proba" in dict(public_methods(RuleExpert))  # available_if
