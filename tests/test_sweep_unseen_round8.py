"""Round 8 of unseen real data (benchmarks/results/accuracy_unseen_round8.md):
the defects its sets showed."""

import numpy as np
import pandas as pd

from skmoe._cli import load_csv, main

FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
        "--n-jobs", "1", "--quiet", "--no-greedy"]


def test_cli_a_date_column_is_not_sent_to_one_hot(tmp_path, capsys):
    # modeldata::Chicago as a CSV (a date a row): "not numeric ... pass
    # --one-hot to encode them, or --drop them", and --one-hot then refused
    # the column ("a different value in every row ... --drop them"): advice
    # that led to an error. A column unique in every row is now named so
    # with or without --one-hot, a date with the way to keep it.
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({
        "date": pd.date_range("2001-01-22", periods=30).strftime("%Y-%m-%d"),
        "temp": rng.uniform(0, 30, 30).round(2),
        "code": [f"c{i:03d}" for i in range(30)],
        "ridership": rng.uniform(10, 20, 30).round(3)})
    path = tmp_path / "daily.csv"
    frame.to_csv(path, index=False)
    for extra in ([], ["--one-hot"]):
        assert main(["compare", str(path), *extra, *FAST]) == 2
        assert capsys.readouterr().err == (
            f"skmoe: error: Column(s) ['date', 'code'] of {path} have a different value in "
            "every row (identifiers?): --one-hot would make 29 columns of each, every one 1 "
            "in a single row; --drop them. ['date'] hold dates: to keep them, write them as "
            "numbers (e.g. days since the first, a day of the week).\n")
    # Without them the file reads.
    X = load_csv(str(path), drop=["date", "code"])[0]
    assert list(X.columns) == ["temp"]
