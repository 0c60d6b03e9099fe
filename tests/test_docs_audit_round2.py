"""Docs audit, round 2: claims of README.md, docs/*.rst and benchmarks/README.md
that the commits after round 1 (tests/test_docs_audit_round1.py) made false.
Each test checks the sentence against the code or the results file it cites."""

import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _text(*path):
    """A file of the repository with its whitespace collapsed (the docs wrap lines)."""
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return " ".join(f.read().split())


def test_a_gate_stops_early_on_as_many_user_test_folds_as_validation_fraction_takes():
    """docs/user_guide.rst said each gate "stops early on one of your test
    folds" under user splits; since 080a756 it draws whole test folds until
    they hold validation_fraction of its rows: one of five equal folds, two
    of twenty (each 5 % of the rows, for the default 10 %), never all."""
    from skmoe._crossfit import rows_of_whole_folds

    def n_folds_drawn(n_folds, n_rows=100):
        tests = np.array_split(np.arange(n_rows), n_folds)
        rows = rows_of_whole_folds(tests, 0.1, n_rows, np.random.RandomState(0))
        return sum(np.isin(test, rows).all() for test in tests), len(rows)

    assert n_folds_drawn(5) == (1, 20)
    assert n_folds_drawn(20) == (2, 10)
    assert n_folds_drawn(2) == (1, 50)   # never all
    guide = _text("docs", "user_guide.rst")
    assert "each gate stops early on one of your test folds" not in guide
    assert ("each gate stops early on whole test folds of yours inside its training rows "
            "(drawn until they hold ``validation_fraction`` of them: one of five folds, "
            "several small ones, never all)") in guide


def test_architecture_module_map_names_the_new_helpers_where_they_live():
    """docs/architecture.rst's module map named none of the helpers that
    cc514d6, 841eee9 and e76fcd1 added: _crossfit.united_folds (the
    second-level folds as unions of the user's test folds),
    _crossfit.rows_of_whole_folds (the gates' early-stopping rows) and
    _base.clone_expert. Every name the _base.py and _crossfit.py entries give
    is a function of that module, and every module of skmoe/ has an entry."""
    import importlib
    import re

    page = _text("docs", "architecture.rst")
    for module, names in [("_crossfit", ["united_folds", "rows_of_whole_folds"]),
                          ("_base", ["clone_expert", "fit_expert", "encode_class_labels",
                                     "check_relative_sample_weight"])]:
        entry = page.split(f"``{module}.py`` ", 1)[1].split(" ``_", 1)[0]
        quoted = [n for n in re.findall(r"``(\w+)``", entry) if "_" in n]
        assert sorted(quoted) == sorted(names), (module, quoted)
        for name in names:
            assert callable(getattr(importlib.import_module(f"skmoe.{module}"), name))
    modules = [f for f in os.listdir(os.path.join(ROOT, "skmoe"))
               if f.endswith(".py") and f != "__init__.py"]
    assert [m for m in modules if f"``{m}``" not in page] == []
