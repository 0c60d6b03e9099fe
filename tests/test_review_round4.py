"""Review, round 4, of the code merged on 2026-12-07: false refusals and
warnings on valid input. Each test fails without its fix."""

import pytest

from skmoe._cli import load_csv


@pytest.mark.parametrize("years", ["2022,2021,2020", "2020,2015,2010"])
def test_cli_a_header_of_years_newest_first_is_read(tmp_path, years):
    # A wide table, years newest first: refused as "holds numbers, not
    # column names" (only increasing whole numbers counted as names).
    path = tmp_path / "wide.csv"
    rows = "".join(f"c{i % 3},{1 + i / 10},{2 + i / 10},{3 - i / 10}\n" for i in range(12))
    path.write_text(f"country,{years}\n" + rows)
    X, y, _, _ = load_csv(str(path), one_hot=True)
    assert len(X) == len(y) == 12
    assert list(X.columns)[:2] == years.split(",")[:2]
