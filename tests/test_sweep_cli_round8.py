"""Round 8 of ``python -m skmoe compare``: the command line and files as users
produce them. Each test fails without its fix.
"""

import gzip
import pickle

import pytest

from skmoe._cli import main


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
