"""Build skmoe's HTML documentation without writing into the source tree.

Usage, from anywhere::

    python docs/build.py [--no-gallery] [--out DIR] [SPHINX_OPTION ...]

``docs/`` is copied to ``DIR/src/docs``, beside links to the repository's
other top-level entries (so ``.. include:: ../benchmarks/results/...`` still
works), and Sphinx runs on that copy with the configuration in
``docs/conf.py`` (``-c docs``), warnings as errors (``-W --keep-going``). The
gallery pages (``auto_examples/``), autosummary's API pages (``generated/``)
and ``sg_execution_times.rst`` are written to the copy, the HTML to
``DIR/html``. DIR defaults to a new temporary directory.

``--no-gallery`` (what CI runs) makes the example pages without running the
examples (``-D plot_gallery=0``). Further options go to ``sphinx-build``
as they are, e.g. ``-j 2`` or ``-q``.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

DOCS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(DOCS)
# What a build makes in a source directory; never copied from docs/ (an
# in-tree build by hand may have left them there).
GENERATED = ("_build", "auto_examples", "generated", "sg_execution_times.rst",
             "__pycache__")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="output directory (default: a new temporary one)")
    parser.add_argument("--no-gallery", action="store_true",
                        help="make the example pages without running the examples")
    args, sphinx_args = parser.parse_known_args(argv)

    out = os.path.abspath(args.out or tempfile.mkdtemp(prefix="skmoe-docs-"))
    tree = os.path.join(out, "src")
    src = os.path.join(tree, os.path.basename(DOCS))
    os.makedirs(src, exist_ok=True)
    for entry in os.listdir(ROOT):
        link = os.path.join(tree, entry)
        if entry not in (os.path.basename(DOCS), ".git") and not os.path.lexists(link):
            os.symlink(os.path.join(ROOT, entry), link)
    # A second build into the same DIR keeps what the first generated, so
    # Sphinx rebuilds only what changed and the gallery reruns only the
    # examples that changed.
    for entry in os.listdir(src):
        if entry not in GENERATED:
            path = os.path.join(src, entry)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns(*GENERATED), dirs_exist_ok=True)
    if args.no_gallery:
        sphinx_args = ["-D", "plot_gallery=0", *sphinx_args]
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
           "-c", DOCS, "-d", os.path.join(out, "doctrees"), *sphinx_args,
           src, os.path.join(out, "html")]
    print("+", " ".join(cmd), flush=True)
    code = subprocess.call(cmd)
    if code == 0:
        print(f"HTML: {os.path.join(out, 'html', 'index.html')}")
    return code


if __name__ == "__main__":
    sys.exit(main())
