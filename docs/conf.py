"""Sphinx configuration for skmoe's documentation.

Build (from the repository root)::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

Add ``-D plot_gallery=0`` to skip running the examples (fast).
"""

import inspect
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import skmoe  # noqa: E402

project = "skmoe"
author = "The skmoe developers"
copyright = "The skmoe developers, BSD-3-Clause"
release = version = skmoe.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "README.md", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]
html_theme = "pydata_sphinx_theme"
html_title = f"skmoe {version}"
html_static_path = ["_static"] if os.path.isdir(os.path.join(HERE, "_static")) else []
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}

autodoc_default_options = {"members": True, "inherited-members": False}
autosummary_generate = False
numpydoc_show_class_members = False  # members are listed by autodoc itself
numpydoc_validation_checks = set()
default_role = "py:obj"
nitpicky = False

intersphinx_mapping = {}  # offline builds: nothing is fetched

# --------------------------------------------------------------------------
# Gallery. Examples that need a capability this version does not have yet
# (a rule expert, sparse routing, gradient training) are left out instead of
# failing the build; they join automatically once the feature exists.


def _has_param(name):
    return name in inspect.signature(skmoe.MixtureOfExpertsRegressor).parameters


def _examples_to_skip():
    skip = []
    try:
        from skmoe.experts import RuleExpert  # noqa: F401
    except ImportError:
        skip.append("plot_rule_expert")
    if not _has_param("top_k") or not hasattr(skmoe.MixtureOfExpertsRegressor,
                                               "expert_usage"):
        skip.append("plot_sparse_topk")
    training = skmoe.MixtureOfExpertsRegressor._parameter_constraints["training"]
    if not any("gradient" in getattr(c, "options", ()) for c in training):
        skip.append("plot_gradient")
    if not hasattr(skmoe, "MultiGateMixtureOfExperts"):
        skip.append("plot_mmoe")
    return skip


_SKIPPED = _examples_to_skip()
sphinx_gallery_conf = {
    "examples_dirs": os.path.join(HERE, "..", "examples"),
    "gallery_dirs": os.path.join(HERE, "auto_examples"),
    "filename_pattern": r"/plot_",
    "ignore_pattern": "|".join([r"__init__\.py"] + [rf"{name}\w*\.py" for name in _SKIPPED]),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "min_reported_time": 5,
    "plot_gallery": os.environ.get("SKMOE_DOCS_PLOT_GALLERY", "True"),
}

# Tiny gates train far faster on one torch thread than on several (and the
# examples then time the same on any machine).
try:
    import torch
    torch.set_num_threads(1)
except ImportError:  # pragma: no cover
    pass
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")

# --------------------------------------------------------------------------
# Pages other parts of the project add (benchmarks, MMoE) join the table of
# contents when their file exists, so the build has no warning without them.
# Public names that api.rst does not list yet get a section of their own, so
# a new estimator is never missing from the reference.
OPTIONAL_PAGES = ["benchmarks", "mmoe"]


def _unlisted_api(source):
    import re

    listed = set(re.findall(r"\.\. auto\w+:: ([\w.]+)", source))
    extra = []
    modules = [("skmoe", skmoe)]
    try:
        import skmoe.experts as experts
        modules.append(("skmoe.experts", experts))
    except ImportError:
        pass
    seen = set()
    for module_name, module in modules:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if name.startswith("_") or obj is None or id(obj) in seen:
                continue
            seen.add(id(obj))
            if f"skmoe.{name}" in listed or f"{module_name}.{name}" in listed:
                continue
            kind = "autoclass" if inspect.isclass(obj) else "autofunction"
            extra.append(f".. {kind}:: {module_name}.{name}\n")
    if not extra:
        return ""
    return "\nMore estimators and experts\n---------------------------\n\n" + "\n".join(extra)


def _optional_sections(app, docname, source):
    import re

    # A link to an example left out of the gallery becomes the script's path.
    for name in _SKIPPED:
        source[0] = re.sub(rf":ref:`sphx_glr_auto_examples_({name}\w*)\.py`",
                           r"``examples/\1.py``", source[0])
    if docname == "index":
        pages = [p for p in OPTIONAL_PAGES
                 if os.path.exists(os.path.join(app.srcdir, p + ".rst"))]
        source[0] = source[0].replace(
            "   .. optional pages\n", "".join(f"   {p}\n" for p in pages))
    elif docname == "api":
        source[0] = source[0].replace(".. unlisted api\n", _unlisted_api(source[0]))


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn's generated metadata-routing setters (set_fit_request, ...)
    # carry docstrings that point into scikit-learn's own docs.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("source-read", _optional_sections)
    app.connect("autodoc-skip-member", _skip_member)
