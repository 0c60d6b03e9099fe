"""Round 7 of ``python -m skmoe compare``: the command line and files as users
produce them. Each test fails without its fix.

Probed (no defect found unless a test below names it): CSVs with a UTF-8
BOM, Latin-1 bytes, UTF-16 with and without its mark, NUL bytes, ';', tab
and '|' delimiters (refused, the separator named; there is no --sep, and a
.tsv is refused the same), a 'sep=;' line, quoted fields with embedded
newlines and commas, a header cell on two lines (with the gbm expert),
thousands separators, decimal commas, 'NA', 'N/A', 'n/a', 'NaN', 'null',
'None', '#N/A', '' (read as missing) and '?', '-', '.', 'na', 'missing',
'#DIV/0!' (named as stray values), the header repeated below the data,
trailing empty columns, repeated and 'a.1' column names, names with spaces,
unicode (in either normal form), a no-break or zero-width space, an
all-missing target and a target constant after --dropna, empty,
header-only, one-row, blank-line, empty-cell-row, CRLF and CR-only files,
.csv.gz, .csv.zip, .zip, .txt and extension-less files, an .xlsx, .xls,
zip, gzip or web page named .csv, a folder, a missing path, a path with
spaces, '-', a FIFO, /dev/null, 1,000 columns, identifiers as the first
column (text refused, numbers noted), codes with leading zeros (read as
numbers), TRUE/FALSE, True/False, true/false, yes/no, Y/N and T/F features
and targets (with gaps too), dates in ISO, 1/15/2020, 15.01.2020,
20200115 (read as a number), 15-Jan-2020, 'Jan 15, 2020' and with times;
--cv 1, 0, -3, 2.5, 16 and 31 of 30 rows; --repeats 0; --seed -1 and 2**32;
--max-iter 1e3; --experts unknown, repeated, in capitals, empty,
';'- or space-separated; --n-jobs 0 and -100; --target, --drop or
--groups '' or ' y'; --drop a name twice or a saved index; --target y
--drop y; --groups naming the target, or fewer groups than --cv;
--na-values '-' and ''; --one-hot twice; --training em with --max-epochs;
--quiet with --verbose.
"""

import gzip
import os
import unicodedata
import zipfile

import pytest

from skmoe._cli import load_csv, main
from test_sweep_cli_round2 import FAST, _rows


def _lines():
    a, b, y = _rows()
    return [f"{u},{v},{t}\n" for u, v, t in zip(a, b, y)]


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_cli_a_header_repeated_below_the_data_is_named(tmp_path, capsys, bom):
    # Two files joined (cat a.csv b.csv; two spreadsheet exports, a BOM
    # before each header) repeat the header as a row: every column was text
    # and the target's refusal said "pass --na-values y if it marks a
    # missing value", of its own column name, with or without --dropna.
    lines = _lines()
    path = tmp_path / "joined.csv"
    path.write_text(f"{bom}a,b,y\n" + "".join(lines[:15]) + f"{bom}a,b,y\n"
                    + "".join(lines[15:]), encoding="utf-8")
    for extra in ([], ["--dropna"], ["--one-hot"]):
        assert main(["compare", str(path), *extra, *FAST]) == 2
        assert capsys.readouterr().err == (
            f"skmoe: error: {path} repeats its header ('a,b,y') as a row of data in 1 row(s) "
            "(first in data row 16), as files joined one after another leave it: delete "
            "those lines (to join files, keep the first's header alone: tail -n +2 b.csv "
            ">> a.csv).\n")
    # A value that is its column's name in one column alone is data.
    path.write_text("k,b,y\n" + "".join(f"{'k' if i == 3 else 'm'}{line[line.index(','):]}"
                                        for i, line in enumerate(lines)))
    assert list(load_csv(str(path), one_hot=True)[0].columns) == ["b", "k_m"]


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)


@pytest.mark.parametrize("content, what", [
    # An .xlsx saved or renamed .csv: "not UTF-8 text: save it as UTF-8".
    (lambda p: _zip(p, {"[Content_Types].xml": "<Types/>" * 40, "xl/workbook.xml": "<w/>"}),
     "an Excel workbook (.xlsx), not CSV text: save it as CSV from the spreadsheet (with "
     "pandas: pd.read_excel(path).to_csv('data.csv', index=False))"),
    (lambda p: _zip(p, {"data.csv": "a,b,y\n" + "".join(_lines())}),
     "a zip archive, not CSV text: name it .zip (pandas reads a zip of one CSV file) or "
     "unzip it"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
     "an Excel workbook (.xls), not CSV text: save it as CSV from the spreadsheet"),
    (lambda p: p.write_bytes(gzip.compress(("a,b,y\n" + "".join(_lines())).encode())),
     "gzip-compressed, not CSV text: name it .csv.gz (pandas decompresses by the ending) or "
     "decompress it (gunzip)"),
    # A GitHub page saved in place of the file: "Expected 1 fields in line 4,
    # saw 3. A comma inside a value splits it in two ...".
    (lambda p: p.write_text('\ufeff<!DOCTYPE html>\n<html lang="en">\n<head>\n<script>'
                            'var a = [1, 2, 3];</script></head>\n<body>a, b</body></html>\n'),
     "a web page (HTML), not CSV text: the page showing the file was saved, not the file "
     "(on GitHub, download the address of its 'Raw' button)"),
], ids=["xlsx", "zip", "xls", "gzip", "html"])
def test_cli_a_file_that_is_no_csv_text_is_named(tmp_path, capsys, content, what):
    path = tmp_path / "data.csv"
    content(path)
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == f"skmoe: error: {path} is {what}.\n"
    # Named by its ending, the zip and the gzip file are read.
    for ending in (".zip", ".gz"):
        named = tmp_path / f"data.csv{ending}"
        (_zip(named, {"data.csv": "a,b,y\n" + "".join(_lines())}) if ending == ".zip" else
         named.write_bytes(gzip.compress(("a,b,y\n" + "".join(_lines())).encode())))
        assert load_csv(str(named))[0].shape == (30, 2)


@pytest.mark.parametrize("flags", [["--quiet", "-v"], ["--verbose", "--quiet"]])
def test_cli_quiet_and_verbose_together_are_refused(tmp_path, capsys, flags):
    # --quiet ("no progress output") with -v printed the progress inside
    # every fit, [EM] lines and bars, without a word.
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n" + "".join(_lines()))
    argv = ["compare", str(path), *FAST]
    argv.remove("--quiet")
    with pytest.raises(SystemExit) as exited:
        main([*argv, *flags])
    assert exited.value.code == 2
    first, second = ("--quiet", "-v/--verbose") if flags[0] == "--quiet" else (
        "-v/--verbose", "--quiet")
    assert capsys.readouterr().err.endswith(
        f"python -m skmoe compare: error: argument {second}: not allowed with argument "
        f"{first}\n")


def test_cli_standard_input_and_pipes_are_said_to_be_no_file(tmp_path, capsys):
    # "-" was "Unknown dataset '-'" with the list of the bundled ones; a pipe
    # (a shell's <(zcat data.csv.gz), /dev/stdin) "No such file", of a path
    # that is there.
    fix = ("; compare reads CSV files: save the data to a file first (e.g. zcat "
           "data.csv.gz > data.csv) and pass that (a .csv.gz is read as it is).\n")
    assert main(["compare", "-", *FAST]) == 2
    assert capsys.readouterr().err == "skmoe: error: '-' (standard input) is not read" + fix
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)      # (never opened: that would wait for a writer)
    assert main(["compare", str(pipe), *FAST]) == 2
    assert capsys.readouterr().err == (f"skmoe: error: {pipe} is a pipe or a device, not a "
                                       "file" + fix)
    assert main(["compare", str(tmp_path / "none.csv"), *FAST]) == 2
    assert capsys.readouterr().err.startswith("skmoe: error: No such file: ")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_cli_a_file_of_nul_bytes_is_named(tmp_path, capsys, encoding):
    # UTF-16 without its byte-order mark was read as UTF-8: a target named
    # '\x00y\x00' "has missing values in 1 of the 31 rows; pass --dropna".
    path = tmp_path / "data.csv"
    path.write_bytes(("a,b,y\n" + "".join(_lines())).encode(encoding))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: {path} holds NUL bytes, which CSV text has none of (UTF-16 text "
        "without its byte-order mark, or binary data): save it as UTF-8 text (a "
        "spreadsheet's \"CSV UTF-8\").\n")
    # With the mark, it is named as UTF-16 (round 5).
    path.write_bytes(("a,b,y\n" + "".join(_lines())).encode("utf-16"))
    assert main(["compare", str(path), *FAST]) == 2
    assert "(it is UTF-16 text, as Excel's" in capsys.readouterr().err


def test_cli_a_column_name_on_two_lines_is_a_name_gbm_takes(tmp_path):
    # A header cell typed on two lines (quoted, "price\n(USD)") failed every
    # fit of the gbm expert: "Expert 'gbm' (LGBMRegressor) failed to fit:
    # Wrong size of feature_names"; a text value on two lines did the same
    # as a --one-hot column.
    lightgbm = pytest.importorskip("lightgbm")
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    kinds = ["one", "two\nlines"] * 15
    path.write_text('"price\n(USD)","kind\r\nof",y\n' + "".join(
        f'{u},"{k}",{t}\n' for u, k, t in zip(a, kinds, y)))
    X, target, _, _ = load_csv(str(path), one_hot=True)
    assert list(X.columns) == ["price_(USD)", "kind__of_two_lines"]
    model = lightgbm.LGBMRegressor(n_estimators=2, min_child_samples=2, verbose=-1)
    assert model.fit(X, target).booster_.feature_name() == list(X.columns)


@pytest.mark.parametrize("form", ["{d:02d}-{b}-2020", "{d}-{b}-20", "{d} {b} 2020",
                                  "{d} {B} 2020", "{b} {d}, 2020", "{B} {d}, 2020"])
def test_cli_dates_with_the_name_of_the_month_are_named(tmp_path, capsys, form):
    # 15-Jan-2020 (a spreadsheet's d-mmm-yyyy), "Jan 15, 2020" or "15 January
    # 2020" were "not numeric ... pass --one-hot", which made a column of each
    # date, where 1/15/2020 is named as dates (round 3).
    a, b, y = _rows()
    months = [("Jan", "January"), ("Feb", "February"), ("Mar", "March")]
    cells = [form.format(d=1 + i % 10, b=months[i % 10 % 3][0], B=months[i % 10 % 3][1])
             for i in range(30)]     # (10 dates, 3 rows each: no identifiers)
    path = tmp_path / "dates.csv"
    path.write_text("d,b,y\n" + "".join(f'"{c}",{v},{t}\n' for c, v, t in zip(cells, b, y)))
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Column(s) ['d'] of {path} hold dates, which the experts cannot read "
        "as numbers: write them as numbers (e.g. days since the first, a day of the week), "
        "or --drop them; --one-hot would make a column of each date.\n")
    # A month's name alone is a category.
    path.write_text("d,b,y\n" + "".join(f"{months[i % 3][0]},{v},{t}\n"
                                        for i, (v, t) in enumerate(zip(b, y))))
    assert list(load_csv(str(path), one_hot=True)[0].columns) == ["b", "d_Jan", "d_Mar"]


@pytest.mark.parametrize("rows", [",,\n", ",,\n,,\n\n,,\n"])
def test_cli_a_file_of_empty_cells_below_its_header_has_no_rows(tmp_path, capsys, rows):
    # A spreadsheet's export of its header and blank (formatted) lines below
    # it: "The target column 'y' ... has no value in any row; choose the
    # target with --target", of a file without data.
    path = tmp_path / "blank.csv"
    path.write_text("a,b,y\n" + rows)
    assert main(["compare", str(path), *FAST]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: {path} has a header but no rows: its {rows.count(',,')} line(s) below "
        "the header hold empty cells alone.\n")


@pytest.mark.parametrize("form", ["NFD", "NFC"])
def test_cli_a_name_with_an_accent_in_the_other_unicode_form_is_found(tmp_path, capsys, form):
    # A header saved in decomposed form ("o" and a combining diaeresis, as
    # macOS writes it) against a name typed composed, or the other way:
    # --target größe said "has no column 'größe'; its columns are ['a',
    # 'größe', 'y']", the two alike on screen; --drop and --groups the same.
    other = "NFC" if form == "NFD" else "NFD"
    written, typed = (unicodedata.normalize(f, "größe") for f in (form, other))
    assert written != typed
    a, b, y = _rows()
    path = tmp_path / "data.csv"
    path.write_text(f"a,{written},grp,y\n" + "".join(
        f"{u},{v},g{i % 5},{t}\n" for i, (u, v, t) in enumerate(zip(a, b, y))),
        encoding="utf-8")
    X, target, _, _ = load_csv(str(path), target=typed, drop=["grp"])
    assert list(X.columns) == ["a", "y"] and list(target) == list(b)
    X, _, _, _, groups = load_csv(str(path), drop=[typed], groups="grp")
    assert list(X.columns) == ["a"] and groups.nunique() == 5
    X, _, _, _, groups = load_csv(str(path), drop=["grp"], groups=typed)
    assert list(X.columns) == ["a"] and groups.name == written
    assert list(groups.astype(float)) == list(b)
