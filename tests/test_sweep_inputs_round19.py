"""Bad-input sweep, round 19: the classifier's class-frequency share over
rows that repeat; CSV rows numbered 1, 2, 3, ... beyond the header, and
a separator line above semicolons and decimal commas."""

import numpy as np
import pytest

from skmoe._candidates import prior_floor
from skmoe._cli import main


def test_prior_floor_counts_a_row_of_weight_2_as_the_row_twice():
    # The share is 1/n^2 over the n rows fitted: a row repeated is the row
    # given weight 2, a row with a missing value too (np.unique(axis=0), as
    # the distinct rows were counted, held NaN unequal to itself).
    y = np.array([0, 0, 0, 1])
    share, frequencies = prior_floor(y, None, 2)
    assert share == 1 / 16
    np.testing.assert_array_equal(frequencies, [0.75, 0.25])
    weighted, _ = prior_floor(y[1:], np.array([2.0, 1.0, 1.0]), 2)
    assert weighted == share
    # Only relative weights matter.
    assert prior_floor(y[1:], np.array([2.0, 1.0, 1.0]) * 1e-3, 2)[0] == share


def test_prior_floor_counts_rows_not_distinct_rows():
    # 4,000 rows of one binary feature are 4 distinct rows of (X, y): counted
    # so, the class frequencies took 1/16 of every probability (P(y=1 | x=1)
    # 0.955 -> 0.927, test log-loss 0.1828 -> 0.1892), not the 1/4000^2 that
    # 4,000 rows allow.
    from sklearn.linear_model import LogisticRegression
    from skmoe import MixtureOfExpertsClassifier
    rng = np.random.RandomState(0)
    X = rng.randint(0, 2, size=(400, 1)).astype(float)
    y = np.where(rng.uniform(size=400) < 0.95, X[:, 0], 1 - X[:, 0]).astype(int)
    model = MixtureOfExpertsClassifier(
        [("a", LogisticRegression()), ("b", LogisticRegression(C=0.1))],
        random_state=0).fit(X, y)
    share, frequencies = model.class_prior_
    assert share == 1 / 400 ** 2
    np.testing.assert_array_equal(frequencies, np.bincount(y) / 400)
    # Weights of 1e-160 beside 1: the share is 0, not NaN or an overflow.
    assert prior_floor(np.array([0, 1]), np.array([1.0, 1e-160]), 2)[0] == 0.0


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
