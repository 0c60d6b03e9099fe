"""Round 6 of ``python -m skmoe compare``: the options and their edge values
(out of range, empty, given twice), ``--help``, and ``--n-jobs`` larger than
the work. Each test fails without its fix."""

import argparse

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import _compare, compare
from skmoe._cli import build_parser, main
from test_sweep_cli_round2 import FAST, _rows


@pytest.fixture
def csv_path(tmp_path):
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b, y)))
    return path


@pytest.mark.parametrize("flag", ["--repeats", "--max-iter", "--max-epochs"])
@pytest.mark.parametrize("value", ["0", "-2"])
def test_cli_a_count_out_of_range_is_named(csv_path, capsys, flag, value):
    # One message for all three ("--repeats, --max-iter and --max-epochs must
    # be positive.") left the user to find which was at fault.
    assert main(["compare", str(csv_path), *FAST, flag, value]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"skmoe: error: {flag} must be at least 1, got {value}.\n"


@pytest.mark.parametrize("plot", ["", " "])
def test_cli_an_empty_plot_name_is_refused(csv_path, capsys, plot):
    # --plot "" (an unset shell variable) ran every fit and saved no plot,
    # without a word, exit status 0.
    assert main(["compare", str(csv_path), *FAST, "--plot", plot]) == 2
    assert capsys.readouterr().err == (
        "skmoe: error: --plot needs a file name (.png, .pdf or .svg), got an empty one.\n")


def test_cli_experts_given_twice_suggests_each_expert_once(csv_path, capsys):
    # The hint was "--experts linear,tree,tree,linear", which the command
    # then refuses: it names 'tree' and 'linear' more than once.
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(csv_path), *FAST, "--experts", "linear,tree",
              "--experts", "tree,knn"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "separated by commas: --experts linear,tree,knn)" in err


def test_cli_help_gives_the_default_of_every_option_with_a_value():
    # --drop and --plot said none: every other option that takes a value does.
    parser = build_parser()
    subparsers = next(a for a in parser._actions
                      if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            if action.option_strings and action.nargs != 0:
                assert "(default:" in action.help, (name, action.option_strings)


def test_compare_starts_no_more_workers_than_fits(monkeypatch):
    # loky starts every worker it is given (n_jobs=50 for 4 fits started 50
    # processes); the command's --n-jobs 1000 for 20 fits ran past 2 minutes.
    seen = []
    real = _compare._parallel

    def spy(n_jobs):
        seen.append(n_jobs)
        return real(1)      # (serial: the test asks what was asked for)

    monkeypatch.setattr(_compare, "_parallel", spy)
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(20, 2))
    y = X @ [1.0, 2.0]
    compare({"linear": LinearRegression(), "tree": DecisionTreeRegressor(random_state=0)},
            X, y, cv=2, n_jobs=1000)
    assert seen == [4]


def test_cli_a_csv_option_with_a_bundled_dataset_names_the_option(capsys):
    # The error listed all six CSV options, not the one given.
    assert main(["compare", "mcycle", *FAST, "--one-hot", "--task", "regression"]) == 2
    assert capsys.readouterr().err.endswith(
        "a bundled dataset has its own target and task (given: --one-hot, --task with "
        "'mcycle').\n")


def test_cli_drop_of_every_feature_says_so(csv_path, capsys):
    # "has no feature columns left besides the target." named no cause.
    assert main(["compare", str(csv_path), *FAST, "--drop", "a", "b"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: {csv_path} has no feature columns left besides the target "
        "(--drop left out ['a', 'b']).\n")
