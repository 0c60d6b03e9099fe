"""Round 2 of bad input to ``python -m skmoe compare``: CSV files as users have them."""

import numpy as np

from skmoe._cli import load_csv, main

FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
        "--n-jobs", "1", "--quiet", "--no-greedy"]


def _rows(n=30, seed=0):
    rng = np.random.RandomState(seed)
    a, b = rng.uniform(0, 10, n).round(3), rng.uniform(0, 1, n).round(3)
    return a, b, (2 * a + b).round(3)


def _csv_text(header, columns, line="{},{},{}\n"):
    """``header``, then ``line`` formatted with each row of ``columns``."""
    return header + "".join(line.format(*row) for row in zip(*columns))


def test_cli_a_numeric_feature_with_a_stray_value_names_it(tmp_path, capsys):
    # A "-" among 30 numbers made the column text: "not numeric ... pass
    # --one-hot", and --one-hot then made a category of every number (30 rows,
    # 30 features from 2), silently.
    a, b, y = _rows()
    cells = [str(v) for v in a]
    cells[3] = "-"
    path = tmp_path / "stray.csv"
    path.write_text("a,b,y\n" + "".join(f"{c},{v},{t}\n" for c, v, t in zip(cells, b, y)))
    for extra in ([], ["--one-hot"]):
        assert main(["compare", str(path), *extra, *FAST]) == 2
        err = capsys.readouterr().err
        assert err.startswith("skmoe: error: Column 'a' holds numbers, but 1 of its 30 "
                              "values is not (e.g. '-'): correct them")
        assert "--one-hot" not in err
    # A column of text codes among which a few are numbers stays text.
    codes = tmp_path / "codes.csv"
    codes.write_text("k,b,y\n" + "".join(f"{['1', '2', 'other'][i % 3]},{v},{t}\n"
                                         for i, (v, t) in enumerate(zip(b, y))))
    X = load_csv(str(codes), one_hot=True)[0]
    assert list(X.columns) == ["b", "k_2", "k_other"]


def test_cli_numbers_with_a_decimal_comma_are_named(tmp_path, capsys):
    # A target of "11,24", "15,08" ... was read as text: a classification of 30
    # one-row classes whose error said "use --task regression", which then
    # said "not numeric; use --task classification". As a feature it was
    # "not numeric: pass --one-hot" (a category of every number).
    a, b, y = _rows()
    comma = [str(v).replace(".", ",") for v in y.round(2)]
    assert comma[:2] == ["11,24", "15,08"]
    target = tmp_path / "target.csv"
    target.write_text("a,b,y\n" + "".join(f'{u},{v},"{t}"\n' for u, v, t in zip(a, b, comma)))
    for task in ("auto", "regression"):
        assert main(["compare", str(target), "--task", task, *FAST]) == 2
        assert capsys.readouterr().err == (
            "skmoe: error: The target column 'y' holds numbers written with a decimal comma "
            "(e.g. '11,24'). skmoe reads numbers with a decimal point: save the file with plain "
            "numbers (3.5 for 3,5).\n")
    feature = tmp_path / "feature.csv"
    feature.write_text("a,b,y\n" + "".join(f'"{t}",{v},{u}\n' for u, v, t in zip(a, b, comma)))
    for extra in ([], ["--one-hot"]):
        assert main(["compare", str(feature), *extra, *FAST]) == 2
        err = capsys.readouterr().err
        assert err.startswith("skmoe: error: Column(s) ['a'] of ")
        assert "hold numbers written with a decimal comma (e.g. '11,24')" in err


def test_cli_rows_longer_than_the_header_are_named(tmp_path, capsys):
    # A comma at the end of every data line (not of the header) made pandas
    # take column 'a' for row labels and put 'a' over column b's values, 'b'
    # over y's: --target a --drop y ran "30 rows, 1 feature", fitting b from
    # y, without a word. A header short of a name lost the first column.
    a, b, y = _rows()
    trailing = tmp_path / "trailing.csv"
    trailing.write_text(_csv_text("a,b,y\n", (a, b, y), "{},{},{},\n"))
    assert main(["compare", str(trailing), "--target", "a", "--drop", "y", *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The rows of {trailing} have 1 value(s) more than its header ('a,b,y') "
        "has names, so every name would stand over the wrong column: every row ends with a "
        "comma the header lacks: remove the commas at the ends of the lines.\n")
    short = tmp_path / "short.csv"
    short.write_text(_csv_text("b,y\n", (a, b, y)))
    assert main(["compare", str(short), *FAST]) == 2
    assert capsys.readouterr().err.endswith(
        "so every name would stand over the wrong column: give every column a name in the "
        "header.\n")


def test_cli_a_repeated_column_name_is_named_in_a_gzipped_csv(tmp_path, capsys):
    # pandas reads data.csv.gz, but the check of repeated names read its
    # compressed bytes: the copy of the target, renamed 'y.1', stayed a feature
    # (a leaked, perfect score).
    import gzip
    a, b, y = _rows()
    path = tmp_path / "data.csv.gz"
    with gzip.open(path, "wt") as file:
        file.write("a,y,y\n" + "".join(f"{u},{t},{t}\n" for u, t in zip(a, y)))
    assert main(["compare", str(path), "--target", "y", *FAST]) == 2
    assert "Column name(s) ['y'] appear more than once in the header" in capsys.readouterr().err


def test_cli_a_compressed_csv_that_cannot_be_read_is_named(tmp_path, capsys):
    # Both were tracebacks: gzip.BadGzipFile (plain text named .csv.gz) and
    # EOFError (a download cut short).
    import gzip
    plain = tmp_path / "plain.csv.gz"
    plain.write_text("a,y\n1,2\n3,4\n")
    data = gzip.compress(b"a,b,y\n" + b"1,2,3\n" * 1000)
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(data[:len(data) // 2])
    for path, message in [(plain, "Not a gzipped file"),
                          (cut, "Compressed file ended before the end-of-stream marker")]:
        assert main(["compare", str(path), *FAST]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"skmoe: error: Cannot read {path} as CSV: {message}")
        assert err.count("\n") == 1


def test_cli_a_true_false_column_with_a_gap_is_taken_after_dropna(tmp_path, capsys):
    # TRUE/FALSE is read as a bool column and taken as 0/1; with one empty
    # cell it is read as objects, and after --dropna it was "not numeric ...
    # pass --one-hot".
    a, b, y = _rows()
    flags = ["" if i == 0 else ("TRUE" if u > 5 else "FALSE") for i, u in enumerate(a)]
    path = tmp_path / "flags.csv"
    path.write_text("f,b,y\n" + "".join(f"{f},{v},{t}\n" for f, v, t in zip(flags, b, y)))
    X, target, task, _ = load_csv(str(path), dropna=True)
    assert task == "regression" and list(X.columns) == ["f", "b"]
    np.testing.assert_array_equal(X["f"].to_numpy(), (a[1:] > 5).astype(float))
    np.testing.assert_array_equal(target, y[1:])


def test_cli_a_csv_that_is_not_utf8_is_told_how_to_save_it(tmp_path, capsys):
    # Was the codec's words alone: "'utf-8' codec can't decode byte 0xe9 in
    # position 3: unexpected end of data".
    path = tmp_path / "latin1.csv"
    path.write_bytes("café,b,y\n1,2,3\n4,5,6\n".encode("latin-1"))
    assert main(["compare", str(path), *FAST]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"skmoe: error: Cannot read {path} as CSV: 'utf-8' codec can't "
                          "decode byte 0xe9")
    assert err.endswith('the file is not UTF-8 text: save it as UTF-8 (a spreadsheet\'s '
                        '"CSV UTF-8").\n')


def test_cli_a_column_named_but_for_case_or_spaces_is_suggested(tmp_path, capsys):
    # "a, b, Price" (a space after each comma) gives the columns ' b' and
    # ' Price': --target price listed them, the spaces unseen, naming no match.
    a, b, y = _rows()
    path = tmp_path / "spaced.csv"
    path.write_text(_csv_text("a, b, Price\n", (a, b, y), "{}, {}, {}\n"))
    assert main(["compare", str(path), "--target", "price", *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: {path} has no column 'price' (did you mean ' Price'?); its columns are "
        "['a', ' b', ' Price']. Choose one with --target.\n")
    assert main(["compare", str(path), "--drop", "b", *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: --drop names columns not in {path}: ['b'] (did you mean ' b'?).\n")


def test_cli_the_drop_it_suggests_is_quoted_for_the_shell(tmp_path, capsys):
    # A comma at the end of every line, header included, makes an empty column
    # 'Unnamed: 3': the hint "--drop Unnamed: 3" is two names in a shell.
    import shlex
    a, b, y = _rows()
    path = tmp_path / "ends.csv"
    path.write_text(_csv_text("a,b,y,\n", (a, b, y), "{},{},{},\n"))
    assert main(["compare", str(path), "--target", "y", *FAST]) == 2
    err = capsys.readouterr().err
    assert err.endswith("have no value in any row; leave them out with --drop 'Unnamed: 3'.\n")
    hint = shlex.split(err.rsplit("with ", 1)[1].rstrip(".\n"))
    assert hint == ["--drop", "Unnamed: 3"]
    assert main(["compare", str(path), "--target", "y", *hint, *FAST]) == 0


def test_cli_a_csv_without_a_header_line_is_named(tmp_path, capsys):
    # Its first row was read as the column names and left out of the data:
    # "regression on data.csv (11.241)", 29 rows of 30, without a word.
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text(_csv_text("", (a, b, y)))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The first line of {path} ('5.488,0.265,11.241') holds numbers, not "
        "column names: the file seems to have no header, and its first row would be taken "
        "for one. Add a first line of column names.\n")
    # Whole numbers are names pandas writes itself (DataFrame(array).to_csv()).
    named = tmp_path / "named.csv"
    named.write_text(_csv_text("0,1,2\n", (a, b, y)))
    X, target, task, _ = load_csv(str(named))
    assert list(X.columns) == ["0", "1"] and len(target) == 30


def test_cli_numbers_with_spaces_in_them_are_named(tmp_path, capsys):
    # "1 234" (French thousands), "1'234" (Swiss) and "5.488\xa0" (a no-break
    # space) were read as text: "not numeric: pass --one-hot", which made a
    # category of every number.
    a, b, y = _rows()
    cells = [f"{int(u * 1000):,}".replace(",", sep) for u, sep in
             zip(a, [" ", "'", "\u202f"] * 10)]
    cells[0] = f"{a[0]}\u00a0"
    path = tmp_path / "spaces.csv"
    path.write_text("a,b,y\n" + "".join(f"{c},{v},{t}\n" for c, v, t in zip(cells, b, y)),
                    encoding="utf-8")
    for extra in ([], ["--one-hot"]):
        assert main(["compare", str(path), *extra, *FAST]) == 2
        assert capsys.readouterr().err == (
            f"skmoe: error: Column(s) ['a'] of {path} hold numbers written with spaces or "
            "apostrophes in them (e.g. '5.488\\xa0'). Save the file with plain numbers (1234 "
            "for 1 234).\n")
    target = tmp_path / "target.csv"
    target.write_text("b,y\n" + "".join(f"{v},{c}\n" for c, v in zip(cells, b)),
                      encoding="utf-8")
    assert main(["compare", str(target), *FAST]) == 2
    assert capsys.readouterr().err.startswith(
        "skmoe: error: The target column 'y' holds numbers written with spaces or apostrophes")


def test_cli_a_named_target_of_missing_values_is_not_blamed_on_a_comma(tmp_path, capsys):
    # A last column "y" of "NA" was said to come from "a comma at the end of
    # every line", which the file does not have.
    a, b, _ = _rows()
    path = tmp_path / "na.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},NA\n" for u, v in zip(a, b)))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The target column 'y' of {path} has no value in any row; choose the "
        "target with --target.\n")


def test_cli_a_title_line_above_the_header_is_named(tmp_path, capsys):
    # "Exported from ... on 2020-01-01" above the column names was read as a
    # header of one name: "has 1 column(s); need features and a target".
    a, b, y = _rows()
    path = tmp_path / "export.csv"
    path.write_text(_csv_text("Exported on 2020-01-01\na,b,y\n", (a, b, y)))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The rows of {path} have 2 value(s) more than its header ('Exported on "
        "2020-01-01') has names, so every name would stand over the wrong column: if that "
        "first line is a title or a note above the column names, delete it.\n")


def test_cli_rows_left_out_by_dropna_are_said(tmp_path, capsys):
    # --dropna left 20 of 30 rows without a word (said only where they left a
    # constant target).
    a, b, y = _rows()
    cells = ["" if i % 3 == 0 else str(v) for i, v in enumerate(b)]
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, cells, y)))
    X, target, task, _ = load_csv(str(path), dropna=True)
    assert len(X) == len(target) == 20
    assert capsys.readouterr().err == (
        "note: --dropna left 20 of the 30 rows; the column(s) ['b'] miss the most values: "
        "--drop them to keep more rows.\n")


def test_cli_one_hot_of_an_identifier_column_is_refused(tmp_path, capsys):
    # A column of customer codes, one per row, became 29 one-hot columns of
    # 30 rows, each 1 in a single row, without a word.
    a, b, y = _rows()
    path = tmp_path / "ids.csv"
    path.write_text("id,b,y\n" + "".join(f"c{i:03d},{v},{t}\n"
                                         for i, (v, t) in enumerate(zip(b, y))))
    assert main(["compare", str(path), "--one-hot", *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Column(s) ['id'] of {path} have a different value in every row "
        "(identifiers?): --one-hot would make 29 columns of each, every one 1 in a single "
        "row; --drop them.\n")
    X = load_csv(str(path), drop=["id"])[0]
    assert list(X.columns) == ["b"]
