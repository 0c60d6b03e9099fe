"""Bad-input sweep, round 18: CSV files as spreadsheets save them (the
separators of other locales, a separator line above the column names), and
the greedy ensemble's weights of one class."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import EnsembleClassifier
from skmoe._cli import main

SEMICOLON_HINT = ("Its header 'a;b;y' looks separated by ';', not by commas: save it "
                  "comma-separated")


@pytest.mark.parametrize("rows, message", [
    # Every row has decimal commas: more values than the header of one name,
    # which was called a title line to delete.
    ("1,5;2,25;3,5\n2,5;3,75;4,5\n3,5;1,25;2,5\n",
     "The rows of {path} have 3 value(s) more than its header has names: the commas in "
     "its numbers were read as separators. " + SEMICOLON_HINT + ", with decimal points "
     "(3.5 for 3,5).\n"),
    # Decimal commas in a later row only: pandas' "Expected 1 fields in line
    # 4, saw 3" alone.
    ("1;2;3\n2;3;4\n3;1,5;2,25\n4;2;3\n",
     "Cannot read {path} as CSV: Error tokenizing data. C error: Expected 1 fields in "
     "line 4, saw 3. " + SEMICOLON_HINT + ".\n"),
])
def test_cli_a_semicolon_csv_with_decimal_commas_is_named(tmp_path, capsys, rows, message):
    # The CSV of spreadsheets in many locales: ';' between values and a
    # decimal comma ("1,5;2,25"). Its header 'a;b;y' is one name, and the
    # rows' commas split them: "if that first line is a title or a note above
    # the column names, delete it", which would delete the column names.
    path = tmp_path / "excel.csv"
    path.write_text("a;b;y\n" + rows)
    assert main(["compare", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == "skmoe: error: " + message.format(path=path)
    assert "title" not in err


def test_cli_a_title_line_with_a_semicolon_is_still_called_a_title(tmp_path, capsys):
    # Only a header whose separator the values hold too is called separated
    # otherwise than by commas: this one is a note above comma-separated columns.
    path = tmp_path / "export.csv"
    path.write_text("Report; Q1\na,b,y\n1,2,3\n2,3,4\n3,1,2\n")
    assert main(["compare", str(path), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The rows of {path} have 2 value(s) more than its header ('Report; "
        "Q1') has names, so every name would stand over the wrong column: if that first line "
        "is a title or a note above the column names, delete it.\n")


@pytest.mark.parametrize("line, rows, resave", [
    ("sep=,", "a,b,y\n1,2,3\n2,3,4\n3,1,2\n", ""),
    ("sep=;", "a;b;y\n1;2;3\n2;3;4\n3;1;2\n", " and save the file comma-separated"),
])
def test_cli_a_spreadsheets_separator_line_is_named(tmp_path, capsys, line, rows, resave):
    # Excel's "sep=," line above the column names was read as the header:
    # "The rows of PATH have 1 value(s) more than its header ('sep=,Unnamed: 1')
    # has names ...: give every column a name in the header", though every
    # column has one.
    path = tmp_path / "excel.csv"
    path.write_text(f"{line}\n{rows}")
    assert main(["compare", str(path), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The first line of {path} ({line!r}) tells a spreadsheet which "
        "separator the file uses; it is not the column names and pandas does not read it: "
        f"delete that line{resave}.\n")


@pytest.mark.parametrize("expert", [LogisticRegression, DecisionTreeClassifier])
def test_greedy_ensemble_names_weights_of_one_class_only(expert):
    # Its rows of zero weight are left out, as the mixtures leave them, which
    # left one class: logistic experts failed with "a class with very few
    # rows, e.g. one, is missing from the training rows of the cross-fitting
    # fold that holds it out; remove or merge that class" (about folds, not
    # the weights), and trees fitted it and predicted class 'a' everywhere.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.repeat(["a", "b", "c"], 20)
    ensemble = EnsembleClassifier([("one", expert()), ("two", expert())], weights="greedy",
                                  random_state=0)
    with pytest.raises(ValueError, match=r"Only class 'a' has rows of positive sample_weight "
                                         r"\(y has 3 classes"):
        ensemble.fit(X, y, sample_weight=(y == "a").astype(float))
    # Two classes of positive weight still fit.
    ensemble.fit(X, y, sample_weight=(y != "c").astype(float))
    assert_allclose(ensemble.predict_proba(X).sum(axis=1), 1.0)
