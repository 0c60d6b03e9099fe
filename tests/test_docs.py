"""The documentation builds without warnings (skipped when sphinx is missing).

The gallery examples are not run here (``plot_gallery=0``); building them is
the documented command in docs/README.md.
"""

import os
import subprocess
import sys

import pytest

for module in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme"):
    pytest.importorskip(module, reason="the docs extra is not installed")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_docs_build_without_warnings(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [ROOT, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-D", "plot_gallery=0", "-d", str(tmp_path / "doctrees"),
         os.path.join(ROOT, "docs"), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (tmp_path / "html" / "api.html").read_text()
    for name in ("MixtureOfExpertsRegressor", "compare", "GateDisplay", "load_dataset"):
        assert name in html
    index = (tmp_path / "html" / "index.html").read_text()
    assert "User guide" in index and "Command line" in index
