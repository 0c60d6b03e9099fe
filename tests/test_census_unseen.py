"""benchmarks/census_unseen.py: it reads every unseen-data round's results and its
tallies are README.md's running tallies, so a round that adds its files but
forgets to update the README (or the reverse) fails here."""

import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")


@pytest.fixture(scope="module")
def census():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import census_unseen
    finally:
        sys.path.pop(0)
    return census_unseen


def test_census_reads_every_round_file(census):
    """Every ``accuracy_unseen_roundNN.jsonl`` or ``.md`` is a round of the census,
    each jsonl's every set is a row, and the page-only rounds give their page's
    twelve sets."""
    rows = census.census()
    files = {int(m.group(1)) for m in (re.fullmatch(r"accuracy_unseen_round(\d+)\.(jsonl|md)", f)
                                       for f in os.listdir(RESULTS)) if m}
    assert {r["round"] for r in rows} == files == set(census.rounds())
    for rnd in files - set(census.PAGE_ONLY):
        sets = [r["set"] for r in census._records(
            os.path.join(RESULTS, f"accuracy_unseen_round{rnd}.jsonl"))]
        assert sorted(r["set"] for r in rows if r["round"] == rnd) == sorted(sets), rnd
    for rnd in census.PAGE_ONLY:
        assert sum(r["round"] == rnd for r in rows) == 12
    assert all(r["se"] is not None and r["se"] >= 0 for r in rows)


def test_census_tallies_are_the_readmes(census):
    """Sets, firsts and within 0.5 % (new sets; new targets of data used before
    counted apart; without the simulated Credit) and the number of rounds are
    the ones README.md states (244, 143, 199; 17, 11, 12; 243, 142, 198 over
    twenty-four rounds when this test was written)."""
    mine, readme = census.counted(census.census()), census.readme_tallies()
    assert mine == readme
    # The page-only rounds and the jsonl rounds are both counted.
    assert readme["rounds"] == len(census.rounds())


def test_behind_sorts_by_gap_over_se_and_skips_the_level():
    """``behind`` keeps gaps above k SE only, furthest in SE first."""
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        from census_unseen import behind
    finally:
        sys.path.pop(0)
    rows = [{"gap": 0.02, "se": 0.01}, {"gap": 0.01, "se": 0.01}, {"gap": 0.03, "se": 0.005},
            {"gap": -0.02, "se": 0.01}]
    assert behind(rows) == [rows[2], rows[0]]
    assert behind(rows, 3) == [rows[2]]


def test_candidates_table_splits_the_gap_into_its_three_factors(census):
    """On a made-up ``--candidates`` output of two splits, the table's factors are
    the ratios of the means, the most-weighted candidate is counted best out of
    fold (a tie counts) but not on the test rows."""
    text = "\n".join([
        "== round 99 toy",
        "split 0: weights constant 0.02, gate 0.00, linear 0.98",
        "  held-out loss constant 0.5000, gate 0.5000, linear 0.4000",
        "  test RMSE stacking 1.0000, caruana 1.1000, mixture 1.3000, gate 1.2000, "
        "constant 1.2000, linear 1.3000",
        "split 1: weights constant 0.50, gate 0.50, linear 0.00",
        "  held-out loss constant 0.3000, gate 0.3000, linear 0.4000",
        "  test RMSE stacking 1.0000, caruana 1.1000, mixture 1.1000, gate 1.0000, "
        "constant 1.0000, linear 1.2000",
        "mean test RMSE over the splits where each was weighted: ..."])
    assert census.parse_candidates(text)[(99, "toy")][1]["weights"]["gate"] == 0.5
    row = census.candidates_table(text).splitlines()[2].split(" | ")
    # Means: stacking 1.0, caruana 1.1, mixture 1.2, constant 1.1, linear 1.25.
    assert row[2:7] == ["stacking 1", "+20.00 %", "+9.09 %", "+0.00 %", "+10.00 %"]
    assert row[8] == "2 / 1 of 2"       # split 1: constant and gate tie on both
