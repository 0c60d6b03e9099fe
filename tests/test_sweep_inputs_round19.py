"""Bad-input sweep, round 19: the classifier's class-frequency share over
rows with missing values; CSV rows numbered 1, 2, 3, ... beyond the header, and
a separator line above semicolons and decimal commas."""

import numpy as np
import pytest

from skmoe._candidates import prior_floor
from skmoe._cli import main


def test_prior_floor_counts_a_repeated_row_with_a_missing_value_once():
    # The share is 1/n^2 over distinct rows of (X, y): a row repeated is the
    # row given weight 2. np.unique(axis=0) held NaN unequal to itself, so a
    # row with a missing value and its repetition were two rows (share 1/16
    # here, not 1/9). A missing value stays distinct from a 0.
    X = np.array([[np.nan, 1.0], [np.nan, 1.0], [0.0, 1.0], [2.0, 3.0]])
    y = np.array([0, 0, 0, 1])
    share, frequencies = prior_floor(X, y, None, 2)
    assert share == 1 / 9
    np.testing.assert_array_equal(frequencies, [0.75, 0.25])
    weighted, _ = prior_floor(X[1:], y[1:], np.array([2.0, 1.0, 1.0]), 2)
    assert weighted == share
    # The input is not modified.
    assert np.isnan(X[:2, 0]).all() and X[2, 0] == 0.0


@pytest.mark.parametrize("header, line, fix", [
    # A comma at the end of every data line whose first column counts 1, 2,
    # 3, ...: "Column(s) ['y'] ... have no value in any row; leave them out
    # with --drop y", which then fitted column b from column y.
    ("a,b,y", "{i},{u},{t},", "every row ends with a comma the header lacks: remove the "
                              "commas at the ends of the lines."),
    # Row numbers 1, 2, 3, ... with no name in the header: read silently, the
    # name 'a' over the second column and 'y' over the third.
    ("a,y", "{i},{u},{t}", "give every column a name in the header."),
])
def test_cli_rows_longer_than_the_header_are_named_when_they_start_with_1_2_3(
        tmp_path, capsys, header, line, fix):
    # pandas 3 makes the row labels it takes from a first column 1, 2, 3, ...
    # a RangeIndex, which the check took for pandas' own row numbers.
    path = tmp_path / "numbered.csv"
    path.write_text(header + "\n" + "".join(
        line.format(i=i + 1, u=0.5 * (i % 3), t=i % 2) + "\n" for i in range(8)))
    assert main(["compare", str(path), "--target", "a", "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The rows of {path} have 1 value(s) more than its header "
        f"({header!r}) has names, so every name would stand over the wrong column: {fix}\n")


@pytest.mark.parametrize("rows", [
    "a;b;y\n1;2;3\n2;3;4\n3;1,5;2\n",        # decimal commas in a later row only
    "a;b;y\n1,5;2;3\n2,5;3;4\n",             # in every row
])
def test_cli_a_separator_line_above_semicolons_and_decimal_commas_is_named(
        tmp_path, capsys, rows):
    # A spreadsheet's CSV of a semicolon locale: a separator line "sep=;",
    # semicolons between values and decimal commas. pandas' "Expected 1 fields
    # in line 5, saw 2" got "Its header 'sep=;' looks separated by ';', not by
    # commas", the separator line called the header.
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\n" + rows)
    assert main(["compare", str(path), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The first line of {path} ('sep=;') tells a spreadsheet which "
        "separator the file uses; it is not the column names and pandas does not read it: "
        "delete that line and save the file comma-separated.\n")
