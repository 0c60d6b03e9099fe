"""Round 8 of ``python -m skmoe compare``: the command line and files as users
produce them. Each test fails without its fix.
"""

import gzip
import pickle
import sys

import pytest

from skmoe._cli import UserError, load_csv, main


@pytest.mark.parametrize("name, content, said", [
    # R's saveRDS writes gzip data: it was told "name it .csv.gz", which
    # then fails as a CSV of R's serialisation.
    ("data.rds", gzip.compress(b"X\n\x00\x00\x00\x03"),
     "is an R (saveRDS) file; compare reads CSV files: save it as CSV (in R: "
     "write.csv(readRDS(path), 'data.csv', row.names = FALSE))."),
    ("data.RData", gzip.compress(b"RDX3\nX\n"), "is an R (save) file"),
    # Stata, SPSS and pickle files: "holds NUL bytes ... save it as UTF-8 text".
    ("data.dta", b"<stata_dta><header>\x00\x01\x00", "is a Stata file; compare reads CSV "
     "files: save it as CSV (with pandas: pd.read_stata(path).to_csv('data.csv', "
     "index=False))."),
    ("data.sav", b"$FL2@(#) SPSS DATA FILE\x00\x00", "pd.read_spss(path)"),
    ("data.pickle", pickle.dumps({"a": [1.0, 2.0]}), "is a pickle file"),
    ("data.ods", b"PK\x03\x04\x14\x00mimetypeapplication/vnd.oasis",
     "is an OpenDocument spreadsheet file"),
    # JSON Lines: "Column(s) ['{"a":0.5', 'b:1.5'] ... (identifiers?) ...
    # --drop them".
    ("data.jsonl", "".join(f'{{"a":{k / 7},"b":{k / 3},"y":{k}}}\n'
                           for k in range(20)).encode(),
     "pd.read_json(path, lines=True).to_csv('data.csv', index=False))."),
], ids=["rds", "rdata", "dta", "sav", "pickle", "ods", "jsonl"])
def test_cli_a_file_of_another_format_is_named_with_its_conversion(tmp_path, capsys, name,
                                                                    content, said):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["compare", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"skmoe: error: {path} ") and said in err, err


@pytest.mark.parametrize("header", ["a b,a_b,y", "a_b,a b,y", "a  b,a__b,y"])
def test_cli_names_that_lightgbm_reads_as_one_are_kept_apart(tmp_path, header):
    # LightGBM writes a space in a feature name as "_": columns "a b" and
    # "a_b" failed every fit of the gbm expert, "Feature (a_b) appears more
    # than one time", naming neither column as the file does.
    from lightgbm import LGBMRegressor

    path = tmp_path / "data.csv"
    path.write_text(header + "\n" + "".join(f"{k % 7},{k % 5},{k % 3 + k / 10}\n"
                                            for k in range(30)))
    X, y, task, _ = load_csv(str(path))
    assert task == "regression" and X.shape == (30, 2)
    assert len({c.replace(" ", "_") for c in X.columns}) == 2, list(X.columns)
    LGBMRegressor(n_estimators=2, verbose=-1).fit(X, y)


def test_cli_whole_numbers_taken_for_classes_are_said_in_full(tmp_path, capsys):
    # The note said them with six digits: "holds 3 distinct whole numbers
    # (1.23457e+06, 2.34568e+06, 3.45679e+06)", numbers the file does not hold.
    path = tmp_path / "codes.csv"
    codes = [1234567, 2345678, 3456789]
    path.write_text("a,y\n" + "".join(f"{k / 10},{codes[k % 3]}\n" for k in range(30)))
    assert load_csv(str(path))[2] == "classification"
    err = capsys.readouterr().err
    assert "holds 3 distinct whole numbers (1234567, 2345678, 3456789)" in err, err
    # Labels that read as one number are said as that number, in full.
    path.write_text("a,y\n" + "".join(f"{k / 10},{['1234567', '1234567.0', '7'][k % 3]}\n"
                                      for k in range(30)))
    with pytest.raises(UserError, match=r"are both 1234567\)"):
        load_csv(str(path))


@pytest.mark.parametrize("form", ["2020-01-{:02d}", "1/{}/2020", "{:02d}.01.2020"])
def test_cli_a_target_of_dates_is_named(tmp_path, form):
    # The last column, the default target, a date: taken for class labels
    # under --task auto (5 dates, 5 classes), without a word; --task
    # regression said "not numeric; use --task classification".
    path = tmp_path / "dated.csv"
    path.write_text("a,b,when\n" + "".join(f"{k / 10},{k % 4},{form.format(k % 5 + 1)}\n"
                                           for k in range(30)))
    for task in ("auto", "regression"):
        with pytest.raises(UserError, match=r"The target 'when' holds dates \('"
                           r".*choose another target with --target.*--task classification "
                           r"if each date is a class\."):
            load_csv(str(path), task=task)
    # Asked for, they are classes.
    X, y, task, _ = load_csv(str(path), task="classification")
    assert task == "classification" and len(set(y)) == 5


def test_cli_group_labels_stay_as_written_with_dropna(tmp_path):
    # Read as written, "007", "07" and "7" are three groups (and "1.0" and
    # "1" two); --dropna read them as numbers again: 6 groups became 3
    # (1.0, 7.0, 8.0), without a word.
    labels = ["007", "07", "7", "1.0", "1", "8"]
    path = tmp_path / "pupils.csv"
    path.write_text("a,b,grp,y\n" + "".join(
        f"{k / 10},{'' if k == 29 else k % 4},{labels[k % 6]},{(k * 7) % 11 + k / 10}\n"
        for k in range(30)))
    *_, groups = load_csv(str(path), groups="grp", drop=["b"])
    assert sorted(set(groups)) == sorted(labels)
    *_, groups = load_csv(str(path), groups="grp", dropna=True)
    assert sorted(set(groups)) == sorted(labels) and len(groups) == 29


def test_cli_a_compressed_file_pandas_cannot_open_is_one_line(tmp_path, capsys, monkeypatch):
    # A .csv.zst without the zstandard package was an ImportError traceback;
    # a .csv.tar that is no tar archive a tarfile.ReadError traceback.
    monkeypatch.setitem(sys.modules, "zstandard", None)   # (not installed)
    path = tmp_path / "data.csv.zst"
    path.write_text("a,y\n1,2\n3,4\n")
    assert main(["compare", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Reading {path} needs the package 'zstandard', which is not installed: "
        "python -m pip install zstandard (or decompress the file first).\n")
    path = tmp_path / "data.csv.tar"
    path.write_text("a,y\n1,2\n3,4\n")
    assert main(["compare", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"skmoe: error: Cannot read {path} as CSV: it is no tar archive, or one cut short.\n")
