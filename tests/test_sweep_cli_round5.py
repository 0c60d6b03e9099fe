"""Round 5 of ``python -m skmoe compare FILE.csv``: CSV files as users have them
(European exports, files without a header, identifiers, commas in numbers).
Each test fails without its fix."""

import pytest

from skmoe._cli import load_csv, main
from test_sweep_cli_round2 import FAST, _rows


@pytest.mark.parametrize("line, first", [
    # Whole numbers (counts, codes): taken for names as pandas writes them.
    (lambda u, v, t: f"{int(u * 10)},{int(v * 100)},{int(t)}", "54,26,11"),
    # A text column, or a text target, beside numbers.
    (lambda u, v, t: f"{u},{'xy'[int(v > 0.5)]},{t}", "5.488,x,11.241"),
    (lambda u, v, t: f"{u},{v},{'yes' if u > 5 else 'no'}", "5.488,0.265,yes"),
])
def test_cli_a_csv_without_a_header_is_named_whatever_its_first_row(tmp_path, capsys,
                                                                     line, first):
    # Only a first line of numbers alone, some not whole, was told: these
    # lost their first row to the names ("regression on data.csv (11)", 29
    # rows of 30, features '54' and '26'), without a word.
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text("".join(line(u, v, t) + "\n" for u, v, t in zip(a, b, y)))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: The first line of {path} ({first!r}) holds numbers, not column "
        "names: the file seems to have no header, and its first row would be taken for one. "
        "Add a first line of column names.\n")


@pytest.mark.parametrize("header", ["0,1,2", "1990,2000,y", "x,0.5,0.9", "2020,id,y"])
def test_cli_headers_that_hold_numbers_still_read(tmp_path, header):
    # Whole numbers in increasing order (pandas' own names, years) and a
    # name of text over numbers are headers.
    a, b, y = _rows()
    path = tmp_path / "named.csv"
    rows = ([a, b, y] if header != "2020,id,y" else
            [a, [f"c{i % 3}" for i in range(30)], y])
    path.write_text(header + "\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(*rows)))
    X, target, _, _ = load_csv(str(path), one_hot=True)
    assert len(X) == 30 and len(target) == 30


def test_cli_one_hot_of_an_identifier_with_a_few_repeats_is_refused(tmp_path, capsys):
    # A customer code seen twice among 30 rows passed the check of "a
    # different value in every row": --one-hot made 28 columns, each 1 in a
    # single row, without a word.
    a, b, y = _rows()
    ids = [f"C{1000 + i}" for i in range(30)]
    ids[1] = ids[0]
    path = tmp_path / "ids.csv"
    path.write_text("id,a,y\n" + "".join(f"{i},{u},{t}\n" for i, u, t in zip(ids, a, y)))
    for extra in ([], ["--one-hot"]):
        assert main(["compare", str(path), *extra, *FAST]) == 2
        assert capsys.readouterr().err == (
            f"skmoe: error: Column(s) ['id'] of {path} have in most rows a value found in no "
            "other row (identifiers?): in 'id', 28 of the 30 rows; --one-hot would make 28 "
            "columns of it, most 1 in a single row, which no other row can learn from; "
            "--drop them.\n")
    # A category of 20 values among 30 rows, most seen twice, is encoded.
    names = tmp_path / "names.csv"
    names.write_text("nm,a,y\n" + "".join(f"n{i % 20},{u},{t}\n"
                                          for i, (u, t) in enumerate(zip(a, y))))
    X = load_csv(str(names), one_hot=True)[0]
    assert X.shape == (30, 20)


def test_cli_numbers_with_point_thousands_and_a_decimal_comma_are_named(tmp_path, capsys):
    # "5.488,0" (German, Spanish, Italian exports), quoted in a comma-
    # separated file, was called an identifier: "a different value in every
    # row (identifiers?) ... --drop them", of a column of numbers.
    a, b, y = _rows()
    cells = [f"{u * 1000:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
             for u in a]
    path = tmp_path / "de.csv"
    path.write_text("a,b,y\n" + "".join(f'"{c}",{v},{t}\n' for c, v, t in zip(cells, b, y)))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Column(s) ['a'] of {path} hold numbers written with a decimal comma "
        "(e.g. '5.488,0'). skmoe reads numbers with a decimal point: save the file with plain "
        "numbers (3.5 for 3,5).\n")
    # The target too.
    target = tmp_path / "de_target.csv"
    target.write_text("b,y\n" + "".join(f'{v},"{c}"\n' for c, v in zip(cells, b)))
    assert main(["compare", str(target), *FAST]) == 2
    assert "holds numbers written with a decimal comma (e.g. '5.488,0')" in (
        capsys.readouterr().err)


SPLIT = ("A comma inside a value splits it in two where the value is not quoted: write "
         "numbers without commas (1234.5 for 1,234.5; 3.5 for 3,5) and put text that holds "
         "commas in double quotes.\n")


def test_cli_numbers_split_by_an_unquoted_comma_are_named(tmp_path, capsys):
    # Thousands separators not quoted ("5,488.0") in some rows: those rows
    # have a value more. Where the first data row has it: "give every column
    # a name in the header", of a header that names every column; where a
    # later row has it: pandas' "Expected 3 fields in line 3, saw 4" alone.
    a, b, y = _rows()
    big = (a * 1000).round(1)
    path = tmp_path / "sales.csv"
    path.write_text("a,b,y\n" + "".join(f"{u:,.1f},{v},{t}\n" for u, v, t in zip(big, b, y)))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Some rows of {path} have more values than its header ('a,b,y') has "
        "names, others not (e.g. line 2: '5,488.0,0.265,11.241'). " + SPLIT)
    # The line is counted as in the file, blank lines above the header too.
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n" + path.read_text())
    assert main(["compare", str(blank), *FAST]) == 2
    assert "others not (e.g. line 4: '5,488.0,0.265,11.241')" in capsys.readouterr().err
    big[0] = 5.5
    later = tmp_path / "later.csv"
    later.write_text("a,b,y\n" + "".join(f"{u:,.1f},{v},{t}\n" for u, v, t in zip(big, b, y)))
    assert main(["compare", str(later), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Cannot read {later} as CSV: Error tokenizing data. C error: Expected "
        "3 fields in line 3, saw 4. " + SPLIT)


@pytest.mark.parametrize("name", ["id", "customer_id", "PassengerId", "ID"])
def test_cli_a_numbered_identifier_kept_as_a_feature_is_said(tmp_path, capsys, name):
    # A column of whole numbers, one per row, named as an identifier was kept
    # as a feature without a word (a text one is refused): its numbers tell
    # the order the rows were numbered in, a leak where it follows the target.
    a, b, y = _rows()
    path = tmp_path / "numbered.csv"
    path.write_text(f"{name},a,y\n" + "".join(f"{1000 + 7 * i},{u},{t}\n"
                                              for i, (u, t) in enumerate(zip(a, y))))
    X = load_csv(str(path))[0]
    assert list(X.columns) == [name, "a"]
    assert capsys.readouterr().err == (
        f"note: the column(s) [{name!r}] of {path} hold a different whole number in every "
        "row and are named as identifiers: kept as feature(s), though such numbers tell only "
        f"the order the rows were numbered in (--drop {name} to leave them out).\n")
    # Not for a name without the word "id" (paid, idle) or repeated numbers.
    for other, values in [("paid", range(30)), ("idle", range(30)),
                          ("id", [i % 10 for i in range(30)])]:
        path.write_text(f"{other},a,y\n" + "".join(f"{k},{u},{t}\n"
                                                   for k, u, t in zip(values, a, y)))
        load_csv(str(path))
        assert capsys.readouterr().err == ""


def test_cli_a_csv_that_is_not_utf8_names_the_line(tmp_path, capsys):
    # The codec's "can't decode byte 0xfc in position 1" counts in a block
    # that pandas read, not in the file: the line with the odd byte went
    # unnamed (here line 3), and a UTF-16 file (Excel's "Unicode Text") was
    # not called one.
    path = tmp_path / "latin1.csv"
    path.write_bytes("a,city,y\n1,Bern,2\n3,Zürich,4\n5,Köln,6\n".encode("latin-1"))
    assert main(["compare", str(path), *FAST]) == 2
    err = capsys.readouterr().err
    assert "(on line 3, which reads '3,Zürich,4' as Windows-1252); the file is not UTF-8" in err
    wide = tmp_path / "unicode.txt"
    wide.write_bytes("a\tb\ty\n1\t2\t3\n".encode("utf-16"))
    assert main(["compare", str(wide), *FAST]) == 2
    assert "(it is UTF-16 text, as Excel's \"Unicode Text\" saves it); the file is not UTF-8" in (
        capsys.readouterr().err)
