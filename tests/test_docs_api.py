"""The API reference: every public name's docstring documents its signature.

For each public class and function (``skmoe.__all__`` and the public
submodules, as ``test_docs.public_names`` lists them) the numpydoc
``Parameters`` section must name exactly the parameters of the signature, in
order (a class's those of ``__init__``). So must each public method of those
classes that takes parameters -- defined on the class or inherited from one
of skmoe's own bases (mixins included; not scikit-learn's or torch's) -- and
every such method has a ``Returns`` section. A ``default=`` written as a
Python literal must be the signature's default, and every public fitted
attribute (a name ending in ``_``) of the estimators, fitted on small data,
must be in the ``Attributes`` section, as must be nothing they never set.
The sections are parsed by hand, so numpydoc need not be installed.
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
    assert "set_score_request" not in names  # scikit-learn's
    assert "predict_proba" in dict(public_methods(RuleExpert))  # available_if


def numpydoc_defaults(doc, section="Parameters"):
    """``{name: default text}`` of the entries of a numpydoc section whose type
    line ends in ``default=...`` (``a, b : int, default=0`` gives both)."""
    lines = inspect.cleandoc(doc or "").splitlines()
    defaults, inside = {}, False
    for i, line in enumerate(lines):
        underline = i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip())
        if underline and line.strip() and not line.startswith(" "):
            inside = line.strip() == section
            continue
        if inside and line.strip() and not line.startswith(" ") and " : " in line:
            head, _, kind = line.partition(" : ")
            default = re.search(r"default=(.+)$", kind)
            if default:
                for name in head.split(","):
                    defaults[name.strip().lstrip("*")] = default.group(1).strip()
    return defaults


def _signatures():
    """(qualified name, docstring, function) of each public function, class
    (its ``__init__``) and public method, each once."""
    seen, items = set(), []
    for qualified, obj in public_names():
        if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        seen.add(id(obj))
        if inspect.isfunction(obj):
            items.append((qualified, obj.__doc__, obj))
            continue
        if obj.__init__ is not object.__init__ and not issubclass(obj, BaseException):
            items.append((qualified, obj.__doc__, obj.__init__))
        for name, func in public_methods(obj):
            if id(func) not in seen:
                seen.add(id(func))
                items.append((f"{qualified}.{name}", func.__doc__, func))
    return items


def test_numpydoc_defaults_parser():
    doc = """Summary.

    Parameters
    ----------
    a : int, default=3
        Text : not an entry, default=9.
    b, c : {'x', 'y'}, default='x'
    d : float
    """
    assert numpydoc_defaults(doc) == {"a": "3", "b": "'x'", "c": "'x'"}


@pytest.mark.parametrize("qualified, doc, func",
                         [pytest.param(*item, id=item[0]) for item in _signatures()])
def test_documented_defaults_match_signature(qualified, doc, func):
    """A ``default=`` written as a Python literal is the signature's default."""
    import ast

    parameters = inspect.signature(func).parameters
    wrong = []
    for name, text in numpydoc_defaults(doc).items():
        if name not in parameters:
            continue  # (a name the docstring has and the signature has not: tested above)
        try:
            documented = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue  # not a literal (``MLPGate()``, ``torch.float32``): not checked
        actual = parameters[name].default
        if (actual is inspect.Parameter.empty or documented != actual
                or isinstance(documented, bool) != isinstance(actual, bool)):
            wrong.append(f"{name}: documented {text}, signature "
                         f"{'none' if actual is inspect.Parameter.empty else repr(actual)}")
    assert not wrong, f"{qualified}: {wrong}"


def _above(X, threshold):
    return X[:, 0] > threshold


def _scaled(X, a):
    return a * X[:, 0]


def _fitted_estimators():
    """(class, fitted estimator) pairs that between them set every attribute
    each class documents: both trainers, sparse routing, DataFrame input."""
    import warnings

    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    import skmoe
    from skmoe.datasets import make_mmoe_tasks, make_regimes

    X, y = make_regimes(n_samples=120, random_state=0)
    X = pd.DataFrame(X, columns=["x"])
    Xc, yc = load_iris(return_X_y=True, as_frame=True)
    regs = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    clfs = [("logit", LogisticRegression(max_iter=200)),
            ("tree", DecisionTreeClassifier(max_depth=2))]
    fitted = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the short fits
        for options in ({"max_epochs": 2}, {"training": "em", "max_iter": 1},
                        {"top_k": 1, "max_epochs": 2}):
            moe = skmoe.MixtureOfExpertsRegressor(regs, random_state=0, **options).fit(X, y)
            fitted += [(skmoe.MixtureOfExpertsRegressor, moe), (skmoe.MLPGate, moe.gate_)]
            fitted.append((skmoe.MixtureOfExpertsClassifier, skmoe.MixtureOfExpertsClassifier(
                clfs, random_state=0, **options).fit(Xc, yc)))
        for cls, experts, XX, yy in [(skmoe.EnsembleRegressor, regs, X, y),
                                     (skmoe.EnsembleClassifier, clfs, Xc, yc)]:
            fitted.append((cls, cls(experts).fit(XX, yy)))
        for cls, leaf, XX, yy in [(skmoe.HierarchicalMixtureRegressor, LinearRegression(), X, y),
                                  (skmoe.HierarchicalMixtureClassifier,
                                   LogisticRegression(max_iter=200), Xc, yc)]:
            fitted.append((cls, cls(leaf, max_iter=1, random_state=0).fit(XX, yy)))
        Xm, Ym = make_mmoe_tasks(n_samples=60, n_features=3, random_state=0)
        Xm = pd.DataFrame(Xm, columns=["a", "b", "c"])
        fitted.append((skmoe.MultiGateMixtureOfExperts, skmoe.MultiGateMixtureOfExperts(
            n_experts=2, max_iter=2, early_stopping=True, random_state=0).fit(Xm, Ym)))
        fitted.append((skmoe.HeterogeneousMultiGateMixtureOfExperts,
                       skmoe.HeterogeneousMultiGateMixtureOfExperts(
                           [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
                           max_iter=2, random_state=0).fit(Xm, Ym)))
        fitted += [(skmoe.TorchMLPRegressor, skmoe.TorchMLPRegressor(max_epochs=1).fit(X, y)),
                   (skmoe.TorchMLPClassifier, skmoe.TorchMLPClassifier(max_epochs=1).fit(Xc, yc))]
        # (A DataFrame: the rule sets feature_names_in_, which its docstring lacked.)
        fitted += [(skmoe.RuleExpert, skmoe.RuleExpert(_scaled, params={"a": 1.0}).fit(X, y)),
                   (skmoe.RuleExpert, skmoe.RuleExpert(
                       _above, params={"threshold": 5.0}, task="classification").fit(
                       Xc.to_numpy(), yc))]
        # (A DataFrame: the gate alone sets feature_names_in_; in a mixture it gets arrays.)
        fitted.append((skmoe.MLPGate, skmoe.MLPGate(max_iter=2).fit(Xm, np.full((60, 2), 0.5))))
        frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]})
        fitted.append((skmoe.AutoGateTransformer, skmoe.AutoGateTransformer().fit(frame)))
        ridge = Ridge().fit(X, y)
        logit = LogisticRegression(max_iter=200).fit(Xc.to_numpy(), yc)
        fitted += [(skmoe.CrossFitAverage, skmoe.CrossFitAverage([ridge])),
                   (skmoe.CrossFitAverage, skmoe.CrossFitAverage([logit], n_classes=3))]
    return fitted


def _public_fitted_attributes(estimator):
    names = {name for name in vars(estimator) if name.endswith("_") and not name.startswith("_")}
    for name, member in inspect.getmembers(type(estimator)):
        if (name.endswith("_") and not name.startswith("_") and isinstance(member, property)
                and hasattr(estimator, name)):
            names.add(name)
    return names


def test_fitted_attributes_are_documented():
    """Each estimator's ``Attributes`` section names exactly the public
    attributes that fitting sets (over the configurations above)."""
    seen = {}
    for cls, estimator in _fitted_estimators():
        seen.setdefault(cls, set()).update(_public_fitted_attributes(estimator))
    wrong = []
    for cls, attributes in seen.items():
        documented = set(numpydoc_parameters(cls.__doc__, "Attributes") or [])
        if attributes - documented:
            wrong.append(f"{cls.__name__} sets {sorted(attributes - documented)}, undocumented")
        if documented - attributes:
            wrong.append(f"{cls.__name__} documents {sorted(documented - attributes)}, never set")
    assert not wrong, "; ".join(wrong)
