"""``python -m skmoe compare FILE.csv --groups COLUMN``: splits of whole groups.

The column is read from the CSV, taken out of the features and passed to
:func:`skmoe.compare` as ``groups``; ``--repeats`` becomes runs of shuffled
(Stratified)GroupKFold seeded ``--seed + r``.
"""

import numpy as np
import pytest

import skmoe._compare
from skmoe._cli import build_parser, load_csv, main

# (EM of one iteration: the cheapest mixture; the splits are what is tested.)
QUICK = ["--experts", "linear,tree", "--training", "em", "--max-iter", "1", "--n-jobs", "1",
         "--quiet", "--no-greedy"]


def _write(path, n_groups=8, per=5, classes=False, seed=0):
    """A CSV of columns x, school (text group labels) and y, rows by school."""
    rng = np.random.default_rng(seed)
    school = np.repeat(np.arange(n_groups), per)
    x = rng.normal(size=len(school))
    y = x + rng.normal(size=n_groups)[school] + 0.3 * rng.normal(size=len(school))
    target = np.where(y > 0, "high", "low") if classes else [f"{v:.4f}" for v in y]
    lines = ["x,school,y"] + [f"{a:.4f},s{g},{t}" for a, g, t in zip(x, school, target)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def spy(monkeypatch):
    """Records what the command passed to compare(), and calls it."""
    calls = []
    real = skmoe._compare.compare

    def recording(estimators, X, y, **kwargs):
        calls.append({"X": X, "y": y, **kwargs})
        return real(estimators, X, y, **kwargs)

    monkeypatch.setattr(skmoe._compare, "compare", recording)
    return calls


def test_every_split_holds_whole_groups_and_the_column_is_no_feature(tmp_path, spy,
                                                                     capsys):
    path = _write(tmp_path / "pupils.csv")
    assert main(["compare", str(path), "--target", "y", "--groups", "school", "--cv", "3",
                 "--repeats", "2", *QUICK]) == 0
    out = capsys.readouterr().out
    (call,) = spy
    assert list(call["X"].columns) == ["x"]            # the group id is not a feature
    groups = np.asarray(call["groups"])
    np.testing.assert_array_equal(groups, [f"s{g}" for g in np.repeat(np.arange(8), 5)])
    splits = call["cv"]
    assert len(splits) == 6                            # --cv 3 x --repeats 2
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
        assert len(train) + len(test) == 40
    # Each repeat is a partition of the rows, and the two repeats differ (seed + r).
    for first in (0, 3):
        rows = np.sort(np.concatenate([te for _, te in splits[first:first + 3]]))
        np.testing.assert_array_equal(rows, np.arange(40))
    assert ({np.sort(te).tobytes() for _, te in splits[:3]}
            != {np.sort(te).tobytes() for _, te in splits[3:]})
    assert "6 splits of whole groups (column 'school'), the same for every model" in out
    assert "40 rows, 1 feature;" in out
    assert "3-fold cross-validation of whole groups (column 'school', 8 groups) x 2 " \
           "repeats" in out


def test_classification_uses_stratified_group_folds(tmp_path, spy, capsys):
    path = _write(tmp_path / "pupils.csv", n_groups=10, per=6, classes=True)
    assert main(["compare", str(path), "--target", "y", "--groups", "school", "--cv", "2",
                 "--repeats", "2", *QUICK]) == 0
    assert "classification on pupils.csv (y)" in capsys.readouterr().out
    (call,) = spy
    groups = np.asarray(call["groups"])
    for train, test in call["cv"]:
        assert not set(groups[train]) & set(groups[test])
        assert set(call["y"][test]) == {"high", "low"}


def test_without_groups_the_command_is_unchanged(tmp_path, spy, capsys):
    path = _write(tmp_path / "pupils.csv")
    assert main(["compare", str(path), "--target", "y", "--drop", "school", "--cv", "2",
                 "--repeats", "1", *QUICK]) == 0
    out = capsys.readouterr().out
    assert spy[0]["groups"] is None and "2 splits, the same for every model" in out
    assert "whole groups" not in out


def test_repeats_that_fold_the_same_groups_are_left_out(tmp_path, spy, capsys):
    # 3 groups in 3 folds: every repeat is the same leave-one-group-out; the
    # copies would be counted by the paired test as new evidence.
    path = _write(tmp_path / "pupils.csv", n_groups=3, per=8)
    assert main(["compare", str(path), "--target", "y", "--groups", "school", "--cv", "3",
                 "--repeats", "3", *QUICK]) == 0
    captured = capsys.readouterr()
    assert len(spy[0]["cv"]) == 3
    assert "6 of the 9 splits of --cv 3 x --repeats 3 test the same groups" in captured.err
    assert "3 splits of whole groups (column 'school')" in captured.out
    assert "repeat an earlier one" not in captured.err     # compare's own warning


def _error(argv, capsys):
    assert main(argv) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("extra, message", [
    (["--groups", "Schol"], r"has no column 'Schol' for --groups \(did you mean 'school'\?\)"),
    (["--groups", "y"], "--groups names the target column 'y'; the groups are a column"),
    (["--groups", "school", "--drop", "school"], "--groups and --drop both name 'school'"),
    (["--groups", "school", "--cv", "9"],
     "--cv 9 folds of whole groups need at least 9 groups; the column 'school' "
     r"\(--groups\) has 8. Use --cv 8 or fewer."),
])
def test_bad_group_column_is_named(tmp_path, capsys, extra, message):
    path = _write(tmp_path / "pupils.csv")
    err = _error(["compare", str(path), "--target", "y", *extra, *QUICK], capsys)
    assert err.startswith("skmoe: error: ") and __import__("re").search(message, err), err


def test_groups_default_target_and_bundled_dataset(tmp_path, capsys):
    path = _write(tmp_path / "pupils.csv")
    err = _error(["compare", str(path), "--groups", "y", *QUICK], capsys)
    assert "the last column, the default target: choose the target with --target" in err
    err = _error(["compare", "regimes", "--groups", "g", *QUICK], capsys)
    assert "--groups apply to CSV files only" in err


def test_a_single_group(tmp_path, capsys):
    path = _write(tmp_path / "pupils.csv", n_groups=1, per=12)
    err = _error(["compare", str(path), "--target", "y", "--groups", "school", "--cv", "2",
                  *QUICK], capsys)
    assert "holds a single group" in err


def test_missing_group_labels_are_refused_or_dropped_with_their_rows(tmp_path, capsys):
    path = _write(tmp_path / "pupils.csv")
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",s0,", ",,")        # data rows 3 and 7 lose their group
    lines[7] = lines[7].replace(",s1,", ",,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(Exception, match=r"group column 'school' \(--groups\) of .* has no "
                                        r"value in 2 row\(s\) \(first in data row 3\).*"
                                        "--dropna"):
        load_csv(str(path), target="y", groups="school")
    lines[10] = lines[10].rsplit(",", 1)[0] + ","     # and data row 10 its target
    path.write_text("\n".join(lines) + "\n")
    X, y, task, _, groups = load_csv(str(path), target="y", groups="school", dropna=True)
    assert len(X) == len(y) == len(groups) == 37 and list(X.columns) == ["x"]
    assert groups.name == "school" and not groups.isna().any()
    # The rows kept are the same rows in X, y and groups (by the file's order).
    np.testing.assert_array_equal(groups.index, X.index)
    assert capsys.readouterr().err.count("the group column 'school' has no value in 2") == 1


def test_a_group_column_of_no_value_or_of_spaced_labels(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,g,y\n" + "".join(f"{i},,{i % 3}.5\n" for i in range(12)))
    with pytest.raises(Exception, match="group column 'g' .* has no value in any row"):
        load_csv(str(path), target="y", groups="g")
    path.write_text("x,g,y\n" + "".join(f"{i},{'a ' if i % 2 else 'a'},{i % 3}.5\n"
                                        for i in range(12)))
    with pytest.raises(Exception, match="differ only by spaces at their ends"):
        load_csv(str(path), target="y", groups="g")


def test_load_csv_without_groups_returns_four_values(tmp_path):
    path = _write(tmp_path / "pupils.csv")
    assert len(load_csv(str(path), target="y", drop=["school"])) == 4
    # A text group column of a label per row would be refused as a feature
    # (an identifier); as the groups it is taken.
    X, _, _, _, groups = load_csv(str(path), target="y", groups="school")
    assert list(X.columns) == ["x"] and groups.nunique() == 8


def test_help_names_the_option():
    text = build_parser()._subparsers._group_actions[0].choices["compare"].format_help()
    assert "--groups COLUMN" in text and "seed + r" in " ".join(text.split())


@pytest.mark.parametrize("n_rare", [1, 2])
def test_a_class_of_one_or_two_groups_is_named(tmp_path, capsys, n_rare):
    # The mixture failed on it with advice about its own cv= ("Shuffle or
    # stratify the folds"), which no flag of the command sets.
    path = _write(tmp_path / "pupils.csv", n_groups=10, per=6, classes=True)
    lines = path.read_text().splitlines()
    rows = slice(1, 1 + 6 * n_rare)                                    # schools s0 (, s1)
    lines[rows] = [line.rsplit(",", 1)[0] + ",rare" for line in lines[rows]]
    path.write_text("\n".join(lines) + "\n")
    err = _error(["compare", str(path), "--target", "y", "--groups", "school", "--cv", "2",
                  *QUICK], capsys)
    assert f"The class(es) ['rare'] of the target have their rows in {n_rare} group(s) of " \
           "the column 'school'" in err and "at least 3 groups" in err
