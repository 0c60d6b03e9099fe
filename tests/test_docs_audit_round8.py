"""Docs audit, round 8: parameters, defaults and attributes, mechanically.

Rounds 1-7 (tests/test_docs_audit_round*.py) and tests/test_docs_api.py pin
the names of the parameters and attributes and the literal defaults. Here,
for every public class: the values a documented option set (``{'a', 'b'}``)
names against those ``_parameter_constraints`` lets ``fit`` take; the
shapes that the ``Attributes`` and the predict methods' ``Returns`` sections
write (``ndarray of shape (n_samples, n_experts)``) against small fits; and
that every cross-reference and ``See Also`` entry of the public docstrings
names an object that exists (without building the docs). Each failure names
the place and both sides.
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


SHAPE = re.compile(r"of shape \(([^)]*)\)")


def _shape_matches(kind, value, dims):
    """None where the type line has no shape of known symbols; else whether
    ``value``'s shape is one the line allows (``[, n_classes]`` optional,
    ``or None`` a None)."""
    shape = SHAPE.search(kind)
    if shape is None:
        return None
    if value is None:
        return "or None" in kind
    if kind.startswith("(") and isinstance(value, tuple):  # ``(float, ndarray of shape ...)``
        value = value[-1]
    text = shape.group(1)
    variants = ([text.replace("[", "").replace("]", ""), re.sub(r"\[[^]]*\]", "", text)]
                if "[" in text else [text])
    expected = []
    for variant in variants:
        items = [item.strip() for item in variant.split(",") if item.strip()]
        try:
            expected.append(tuple(int(eval(item, {}, dims)) for item in items))
        except NameError:
            return None  # a symbol this test does not know (n_points, n_splits)
    return np.shape(value) in expected


@pytest.fixture(scope="module")
def fitted():
    """(estimator, X, y, dims): one small fit of each public estimator, its
    sizes all different (4 features, 3 experts; 4 features, 2 experts, 3
    classes; 7 features, 2 tasks, 3 experts), so a shape that names the wrong
    one fails."""
    import pandas as pd
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    import skmoe
    from skmoe.datasets import make_mmoe_tasks, make_regimes

    rng = np.random.RandomState(0)
    X, y = make_regimes(n_samples=60, n_noise_features=3, random_state=0)
    Xc = rng.normal(size=(60, 4))
    yc = np.repeat([0, 1, 2], 20)
    Xc[:, 0] += yc
    Xm, Ym = make_mmoe_tasks(n_samples=60, n_features=7, random_state=0)
    regs = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2)),
            ("ridge", Ridge())]
    clfs = [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))]
    items = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (short fits: convergence warnings)
        for options in ({"training": "em", "max_iter": 1}, {"max_epochs": 1},
                        {"top_k": 1, "max_epochs": 1}):
            items += [
                skmoe.MixtureOfExpertsRegressor(regs, random_state=0, **options).fit(X, y),
                skmoe.MixtureOfExpertsClassifier(clfs, random_state=0, **options).fit(Xc, yc)]
        items += [
            skmoe.EnsembleRegressor(regs, weights="greedy", n_rounds=2).fit(X, y),
            skmoe.EnsembleClassifier(clfs, weights="greedy", n_rounds=2).fit(Xc, yc),
            skmoe.HierarchicalMixtureRegressor(LinearRegression(), branching=(3, 2),
                                               max_iter=1, random_state=0).fit(X, y),
            skmoe.HierarchicalMixtureClassifier(LogisticRegression(), branching=(2, 3),
                                                max_iter=1, random_state=0).fit(Xc, yc),
            skmoe.TorchMLPRegressor(max_epochs=1).fit(X, y),
            skmoe.TorchMLPClassifier(max_epochs=1).fit(Xc, yc),
            skmoe.RuleExpert(lambda X: X[:, 0] > 1, task="classification").fit(Xc, yc),
            skmoe.CrossFitAverage([Ridge().fit(X, y)]),
        ]
        multi = [skmoe.MultiGateMixtureOfExperts(n_experts=3, max_iter=1, random_state=0),
                 skmoe.MultiGateMixtureOfExperts(architecture="ple", n_experts=2, max_iter=1,
                                                 random_state=0),
                 skmoe.HeterogeneousMultiGateMixtureOfExperts(regs, alpha=1e-2,
                                                              max_iter=2, random_state=0)]
        items += [m.fit(Xm, Ym) for m in multi]
        gate_target = np.full((60, 2), 0.5)
        items.append(skmoe.MLPGate(max_iter=1).fit(pd.DataFrame(Xm), gate_target))
    data = {False: (X, y), True: (Xc, yc)}
    out = []
    for estimator in items:
        if hasattr(estimator, "n_tasks_"):
            XX, yy = Xm, Ym
        elif isinstance(estimator, skmoe.MLPGate):
            XX, yy = Xm, gate_target
        else:
            XX, yy = data[hasattr(estimator, "classes_")]
        dims = {"n_samples": 9, "n_features": XX.shape[1]}
        names = getattr(estimator, "expert_names_", None)
        dims["n_experts"] = (len(names) if names is not None
                             else getattr(estimator, "n_experts_", None))
        if hasattr(estimator, "n_tasks_"):
            dims["n_tasks"] = estimator.n_tasks_
            if getattr(estimator, "architecture", None) == "ple":
                # (the last layer's gates: own experts, then the shared ones)
                dims["n_experts"] = 2 + estimator.n_experts
            elif names is None:
                dims["n_experts"] = estimator.n_experts
        if getattr(estimator, "classes_", None) is not None and not hasattr(estimator,
                                                                            "n_tasks_"):
            dims["n_classes"] = len(estimator.classes_)
        for name in ("n_leaves_", "outcomes_"):
            if hasattr(estimator, name):
                value = getattr(estimator, name)
                dims[name.replace("outcomes_", "n_outcomes").rstrip("_")] = (
                    value if name == "n_leaves_" else len(value))
        dims = {key: value for key, value in dims.items() if value is not None}
        out.append((estimator, XX, yy, dims))
    return out


def test_documented_attribute_shapes(fitted):
    """Each ``Attributes`` entry written ``of shape (...)`` has that shape."""
    wrong, checked = [], 0
    for estimator, _, _, dims in fitted:
        cls = type(estimator)
        for name, kind in numpydoc_entries(cls.__doc__, "Attributes").items():
            if not hasattr(estimator, name):
                continue
            ok = _shape_matches(kind, getattr(estimator, name), dims)
            checked += ok is not None
            if ok is False:
                wrong.append(f"{cls.__name__}.{name}: documented {kind!r}, "
                             f"has shape {np.shape(getattr(estimator, name))}")
    assert checked >= 25, checked  # (the shapes were read, not all skipped)
    assert not wrong, "; ".join(wrong)


PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "predict_gate",
                   "predict_experts", "expert_usage", "transform", "logits",
                   "log_likelihood_samples", "decision_function")


def test_documented_return_shapes(fitted):
    """Each predict method's ``Returns`` entries written ``of shape (...)``
    have that shape on 9 rows (``return_std=True`` for the second entry)."""
    wrong, checked = [], 0
    for estimator, X, y, dims in fitted:
        for method in PREDICT_METHODS:
            if not hasattr(estimator, method):
                continue
            func = getattr(estimator, method)
            returns = list(numpydoc_entries(func.__doc__, "Returns").items())
            parameters = inspect.signature(func).parameters
            args = (X[:9], y[:9]) if "y" in parameters else (X[:9],)
            values = [func(*args)]
            if "return_std" in parameters:
                values = list(func(*args, return_std=True))
            for (name, kind), value in zip(returns, values):
                ok = _shape_matches(kind, value, dims)
                checked += ok is not None
                if ok is False:
                    wrong.append(f"{type(estimator).__name__}.{method} -> {name}: "
                                 f"documented {kind!r}, returned shape {np.shape(value)}")
    assert checked >= 40, checked
    assert not wrong, "; ".join(wrong)


ROLE = re.compile(r":(?:class|meth|func|attr|exc|obj):`~?([^`<>]+?)(?:\s*<~?([^>]+)>)?`")
THIRD_PARTY = ("sklearn", "numpy", "np", "torch", "scipy", "pandas", "matplotlib", "joblib")


def _resolves(target, module, cls):
    """Whether ``target`` names an object, looked up as Sphinx does: in the
    class, in the documented name's module, then from the top."""
    import importlib

    target = target.lstrip(".")
    starts = ([cls] if cls is not None else []) + [importlib.import_module(module)]
    for start in starts:
        obj = start
        for part in target.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return True
    head, _, rest = target.partition(".")
    try:
        obj = importlib.import_module(head)
    except ImportError:
        return False
    for part in rest.split(".") if rest else ():
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return True


def _cross_references():
    """(where, target, module, class) of each role and ``See Also`` entry of
    the public docstrings (classes, functions, their public methods)."""
    from test_docs_api import public_methods

    refs, seen = [], set()
    for qualified, obj in public_names():
        if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        seen.add(id(obj))
        module = qualified.rpartition(".")[0]
        cls = obj if inspect.isclass(obj) else None
        docs = [(qualified, obj.__doc__)]
        if cls is not None:
            docs += [(f"{qualified}.{name}", func.__doc__) for name, func in public_methods(cls)]
        for where, doc in docs:
            for text, alias in ROLE.findall(doc or ""):
                refs.append((where, alias or text, module, cls))
            for name in numpydoc_entries(doc, "See Also"):
                refs.append((where, name.strip("`").split("`")[-1].lstrip("~"), module, cls))
    return [ref for ref in refs if ref[1].split(".")[0] not in THIRD_PARTY]


def test_cross_references_resolve():
    """Every ``:class:``/``:meth:``/``:func:``/``:attr:`` target and ``See
    Also`` entry of the public docstrings names an object that exists."""
    refs = _cross_references()
    assert len(refs) > 50, len(refs)  # (the roles were found)
    wrong = sorted({f"{where}: {target}" for where, target, module, cls in refs
                    if not _resolves(target, module, cls)})
    assert not wrong, wrong
