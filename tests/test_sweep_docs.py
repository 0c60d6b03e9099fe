"""The documentation tells the truth: each test pins a place where the docs
(README, docs/*.rst, docstrings) and the code disagreed, fixed on the side
that was wrong."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from skmoe import EnsembleClassifier, EnsembleRegressor


def _noisy_linear(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(200, 2))
    return X, X @ [1.0, 2.0] + rng.normal(size=200)


@pytest.mark.parametrize("cls", [EnsembleRegressor, EnsembleClassifier])
def test_greedy_ensemble_refuses_cv_none(cls):
    """The docstring's ``cv`` is an int, a splitter, an iterable or 'auto', the
    folds of *out-of-fold* predictions. ``cv=None`` (scikit-learn's spelling
    of "the default folds") was taken silently and chose the weights on
    in-sample predictions: on noisy linear data a 1-nearest-neighbour expert,
    exact on its own rows, got all the weight (1.0) where the default folds
    give the ridge 0.86."""
    X, y = _noisy_linear()
    if cls is EnsembleClassifier:
        y = (y > 0).astype(int)
        experts = [("linear", LogisticRegression()), ("1nn", KNeighborsClassifier(1))]
    else:
        experts = [("linear", Ridge()), ("1nn", KNeighborsRegressor(1))]
    with pytest.raises(ValueError, match=r"cv=None .*in-sample.*cv='auto'"):
        cls(experts, weights="greedy", cv=None).fit(X, y)
    # The default folds are out of fold: the memorising expert does not win.
    weights = cls(experts, weights="greedy", random_state=0).fit(X, y).weights_
    assert weights[0] > 0.5


def test_expert_usage_sums_to_top_k_and_says_so():
    """``expert_usage``'s docstring said the shares sum to k "or less when
    random routing or capacity left slots empty"; predict applies neither
    (both are training only): the shares sum to k even with both set."""
    import warnings

    from sklearn.tree import DecisionTreeRegressor

    from skmoe import MixtureOfExpertsRegressor
    from skmoe.datasets import make_regimes

    X, y = make_regimes(n_samples=150, random_state=0)
    experts = [("linear", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2)),
               ("knn", KNeighborsRegressor(5))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fit's ConvergenceWarning
        moe = MixtureOfExpertsRegressor(experts, top_k=2, random_routing=True,
                                        capacity_factor=0.5, max_epochs=3,
                                        random_state=0).fit(X, y)
    assert moe.expert_usage(X).sum() == 2.0
    doc = " ".join(MixtureOfExpertsRegressor.expert_usage.__doc__.split())
    assert "training only" in doc and "left slots empty" not in doc


def test_loss_auto_is_nll_with_top_k_and_the_docstring_says_so():
    """``loss='auto'`` trains a ``top_k`` mixture over fixed experts on the
    likelihood (its history has ``log_likelihood``, as with ``loss='nll'``;
    ``'squared_error'`` has none), but the docstring gave 'nll' only "when
    torch experts train with the gate"."""
    import warnings

    from sklearn.tree import DecisionTreeRegressor

    from skmoe import MixtureOfExpertsRegressor
    from skmoe.datasets import make_regimes

    X, y = make_regimes(n_samples=150, random_state=0)
    experts = [("linear", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]
    keys = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fits' ConvergenceWarning
        for loss in ("auto", "squared_error"):
            moe = MixtureOfExpertsRegressor(experts, top_k=1, loss=loss, max_epochs=2,
                                            random_state=0).fit(X, y)
            keys[loss] = set(moe.history_[0])
    assert "log_likelihood" in keys["auto"] and "log_likelihood" not in keys["squared_error"]
    doc = " ".join(MixtureOfExpertsRegressor.__doc__.split())
    assert ("'nll' for joint training (torch experts, ``top_k``, ``balance_coef`` or "
            "``router_z_coef``)") in doc


def test_persistence_module_points_to_the_page_that_has_its_guide():
    """skmoe.persistence's docstring sent readers to "the user guide's 'Saving
    and loading models'"; the user guide has no such section: it is a page of
    its own, docs/persistence.rst."""
    import os
    import re

    import skmoe.persistence

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    doc = skmoe.persistence.__doc__
    match = re.search(r'see "([^"]+)", (docs/\w+\.rst)', doc)
    assert match, doc[:600]
    with open(os.path.join(root, match.group(2)), encoding="utf-8") as f:
        assert f.readline().strip() == match.group(1)


def test_architecture_page_maps_every_module():
    """docs/architecture.rst maps "modules by concept"; five of skmoe's
    modules were not on it (_compat, _device_predict, _persistence,
    persistence, _torch_utils; and __main__)."""
    import os
    import re

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "docs", "architecture.rst"), encoding="utf-8") as f:
        mapped = set(re.findall(r"``(\w+\.py)``", f.read()))
    modules = {name for name in os.listdir(os.path.join(root, "skmoe"))
               if name.endswith(".py") and name != "__init__.py"}
    assert not modules - mapped, sorted(modules - mapped)


def test_an_expert_short_of_rows_in_its_folds_is_told_to_use_more_folds():
    """A 15-NN expert in EM's 2 folds of 22 rows (11 rows each) was told "pass
    fewer folds or cv=None"; fewer folds give each fit fewer rows (k folds fit
    on (k - 1)/k of them): cv=5 fits, cv=2 and cv=3 do not. And the greedy
    ensemble, told the same, refuses cv=None."""
    import warnings

    from skmoe import MixtureOfExpertsRegressor
    from skmoe.datasets import make_regimes

    X, y = make_regimes(n_samples=22, random_state=0)
    experts = [("linear", Ridge()), ("knn", KNeighborsRegressor(15))]
    model = MixtureOfExpertsRegressor(experts, training="em", max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"fitted on 11 of the 22 rows") as error:
        model.fit(X, y)
    assert "pass more folds" in str(error.value) and "fewer folds" not in str(error.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fit's ConvergenceWarning
        model.set_params(cv=5).fit(X, y)  # the advice works

    experts = [("linear", Ridge()), ("knn", KNeighborsRegressor(19))]
    with pytest.raises(ValueError, match=r"fitted on 17 of the 22 rows") as error:
        EnsembleRegressor(experts, weights="greedy").fit(X, y)
    assert "cv=None" not in str(error.value) and "pass more folds" in str(error.value)
    EnsembleRegressor(experts, weights="greedy", cv=11).fit(X, y)


def _docstring_examples():
    """Every docstring of skmoe's modules that has a ``>>>`` example."""
    import doctest
    import importlib
    import pkgutil

    import skmoe

    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = {}
    for info in pkgutil.iter_modules(skmoe.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"skmoe.{info.name}")
        for test in finder.find(module):
            if test.examples and test.name.split(".")[1] == info.name:
                tests[test.name] = test
    return [tests[name] for name in sorted(tests)]


@pytest.mark.parametrize("test", [pytest.param(t, id=t.name) for t in _docstring_examples()])
def test_docstring_examples_run_as_written(test):
    """The ``Examples`` sections print what they say (no doctest ran them)."""
    import doctest
    import warnings

    runner, failures = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a ConvergenceWarning is no output)
        result = runner.run(test, out=lambda text: failures.append(text))
    assert result.failed == 0, "".join(failures)


def test_readme_says_how_to_install_a_cpu_build_of_torch():
    """The README said a CPU build of torch avoids the CUDA packages and that
    "CI does this with `pip install torch==2.13.0`", a pin that is the CPU
    build only where the machine's pip finds a local ``+cpu`` wheel (CI's
    does); from PyPI it is the CUDA build on Linux. The README now gives
    the command that installs a CPU build anywhere."""
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
        readme = " ".join(f.read().split())
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in readme
    assert "CI does this with `pip install torch==2.13.0`" not in readme


def _readme_and_docs():
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    texts = {}
    for path in ("README.md", os.path.join("docs", "cli.rst"), os.path.join(".ci", "run")):
        with open(os.path.join(root, path), encoding="utf-8") as f:
            texts[path.replace(os.sep, "/")] = f.read()
    return texts


def test_readme_test_and_docs_commands_are_the_ones_ci_runs():
    """The README's test command and main command are ones .ci/run runs,
    verbatim, and its docs build is the one CI runs (CI adds quiet options
    and ``--out``)."""
    import re

    texts = _readme_and_docs()
    blocks = re.findall(r"```bash\n(.*?)```", texts["README.md"], re.S)
    test = next(b.strip() for b in blocks if "pytest" in b)
    assert test in texts[".ci/run"].splitlines()
    main = next(b.strip() for b in blocks if "skmoe compare" in b)
    assert main in texts[".ci/run"].splitlines()
    docs = next(b.strip() for b in blocks if "docs/build.py" in b)
    install, build = docs.split(" && ")
    assert install.startswith("python -m pip install ") and re.search(
        r"-m pip install .*" + re.escape(install.split()[-1]) + "$", texts[".ci/run"], re.M)
    assert re.search(re.escape(build.replace("python ", "")) + r" --out \S+ -q$",
                     texts[".ci/run"], re.M)


def test_every_cli_flag_the_docs_name_exists():
    """Each ``--flag`` that README.md or docs/cli.rst names is an option of
    ``python -m skmoe`` itself, ``compare`` or ``datasets``; each default docs/cli.rst
    gives is the parser's."""
    import re

    from skmoe._cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.choices and "compare" in a.choices)
    flags = {}
    # (The subcommands' options, and the program's own: --version.)
    for command in [parser, *subparsers.choices.values()]:
        for action in command._actions:
            for option in action.option_strings:
                flags[option] = action
    texts = _readme_and_docs()
    named = set()
    for path in ("README.md", "docs/cli.rst"):
        text = texts[path]
        if path == "README.md":  # (its other commands: pip, pytest, docs/build.py)
            text = "\n".join(re.findall(r"python -m skmoe[^`\n]*|`--[\w-]+[^`]*`", text))
            text = text.replace("`--no-gallery`", "")
        named |= set(re.findall(r"(?<![\w-])--[a-z][\w-]*", text))
    assert named and not named - set(flags), sorted(named - set(flags))
    assert flags["--cv"].default == 5 and flags["--repeats"].default == 3
    assert flags["--seed"].default == 0 and flags["--target"].default is None


def test_select_n_experts_rare_class_hint_names_folds_that_work():
    """A class of 2 rows in 40, both in one test fold of KFold(2): the error
    said "pass fewer folds", which makes test parts larger (KFold(2), (4) and
    (10) all fail here); stratified folds fit, and the hint now says so. A
    class of one row is told only to drop or merge it (no folds help)."""
    import warnings

    from sklearn.model_selection import KFold, StratifiedKFold

    from skmoe import MixtureOfExpertsClassifier, select_n_experts

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    y[:2] = 2
    moe = MixtureOfExpertsClassifier(LogisticRegression(), n_experts=2, training="em",
                                     cv=None, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match="has 2 row") as error:
        select_n_experts(moe, X, y, candidates=(2,), criterion="cv", cv=KFold(2))
    assert "fewer folds" not in str(error.value)
    assert "pass stratified folds (an int cv, or StratifiedKFold" in str(error.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fits' ConvergenceWarning
        select_n_experts(moe, X, y, candidates=(2,), criterion="cv", cv=StratifiedKFold(2))
    y[1] = 0  # class 2 has one row now
    with pytest.raises(ValueError, match="has 1 row") as error, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's "least populated class" warning
        select_n_experts(moe, X, y, candidates=(2,), criterion="cv", cv=StratifiedKFold(2))
    assert "Drop or merge the rare class, or use criterion='bic'" in str(error.value)


def test_an_expert_with_no_weighted_rows_is_told_to_use_more_folds():
    """check_some_weight told an expert whose fold's training rows all had
    zero weight to "use fewer folds with cv"; k folds train on (k - 1)/k of
    the rows, so fewer folds leave fewer rows, more likely all of weight 0."""
    from skmoe._base import check_some_weight

    with pytest.raises(ValueError, match="zero weight") as error:
        check_some_weight("ridge", Ridge(), np.zeros(5))
    assert "use more folds with cv" in str(error.value)
    assert "fewer folds" not in str(error.value)
    check_some_weight("ridge", Ridge(), np.array([0.0, 1.0]))  # one weighted row: fine


# How the docs name each candidate of the stacked gate's final blend
# (the keys of ``candidate_weights_``).
_CANDIDATE_WORDS = {"constant": "constant blend", "gate": "gate", "linear": "linear heads",
                    "feature_weighted": "linear heads", "best_expert": "best single expert",
                    "prior": "class frequencies",
                    # (Classification: StackingClassifier's head on the experts'
                    # probabilities, gate_levers_round18.md and round20.md.)
                    "linear_proba": "head on the probabilities"}


def test_readme_and_architecture_list_every_candidate_of_the_final_blend():
    """README's "How it is trained" and docs/architecture.rst listed the final
    blend's candidates as the constant blend, the gate and the two linear
    heads; the blend has the best single expert too (and, for a classifier,
    the class frequencies): ``candidate_weights_`` has their keys."""
    import os
    import re
    import warnings

    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
    from skmoe.datasets import make_regimes

    X, y = make_regimes(n_samples=100, random_state=0)
    Xc, yc = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fits' ConvergenceWarning
        keys = set(MixtureOfExpertsRegressor(
            [("linear", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
            max_epochs=2, random_state=0).fit(X, y).candidate_weights_)
        keys |= set(MixtureOfExpertsClassifier(
            [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))],
            max_epochs=2, random_state=0).fit(Xc, yc).candidate_weights_)
    assert keys == set(_CANDIDATE_WORDS)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for path, pattern in [("README.md", r"best convex blend of these candidates \(([^)]*)\)"),
                          (os.path.join("docs", "architecture.rst"),
                           r"best convex blend of the candidates \(([^)]*)\)")]:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            listed = " ".join(re.search(pattern, " ".join(f.read().split())).group(1).split())
        missing = sorted(k for k in keys if _CANDIDATE_WORDS[k].split()[-1] not in listed)
        assert not missing, f"{path} leaves out {missing}: ({listed})"


def test_defaults_the_docs_name_are_the_signatures():
    """Where README.md or docs/*.rst write ``name=value`` "(the default)" or
    "the default ``name=value``", the value is that parameter's default in the
    mixtures' signature ("(the default for ...)", what 'auto' resolves to, is
    not checked). docs/user_guide.rst called ``cv=2`` EM's default twice (the
    default is ``cv='auto'``: 2 folds for EM, 5 for gradient), and
    docs/benchmarks.rst ``training="gradient"`` the default (it is 'auto')."""
    import ast
    import glob
    import inspect
    import os
    import re

    from skmoe import MixtureOfExpertsRegressor

    defaults = {name: p.default for name, p in
                inspect.signature(MixtureOfExpertsRegressor).parameters.items()}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pattern = re.compile(r"`{1,2}(\w+)=([^`]+)`{1,2} \(the default(?:\)|:)"
                         r"|the default (?:honest )?`{1,2}(\w+)=([^`]+)`{1,2}")
    checked, wrong = 0, []
    for path in [os.path.join(root, "README.md")] + glob.glob(os.path.join(root, "docs", "*.rst")):
        with open(path, encoding="utf-8") as f:
            text = " ".join(f.read().split())
        for match in pattern.finditer(text):
            name, value = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
            if name in defaults:
                checked += 1
                if ast.literal_eval(value) != defaults[name]:
                    wrong.append(f"{os.path.basename(path)}: {match.group(0)}")
    assert checked >= 2 and not wrong, wrong
