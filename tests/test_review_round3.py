"""Review of the changes merged in d7e74af..52d00ff, round 3.

Each test failed before the fix named in its comment.
"""

import numpy as np
import pytest

from skmoe._cli import UserError, load_csv


# -- the CLI's note on a column without a header (ac39fcc) ---------------------
def _write(path, labels):
    rng = np.random.RandomState(0)
    a, y = rng.normal(size=(2, len(labels)))
    path.write_text("a,,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, labels, y)))
    return str(path)


def test_the_note_on_a_blank_header_names_the_features_one_hot_made(tmp_path, capsys):
    # The note was printed before the encoding: "kept as feature(s)
    # ['Unnamed_ 1']", where --one-hot made the feature 'Unnamed_ 1_b' and no
    # feature 'Unnamed_ 1' exists.
    path = _write(tmp_path / "data.csv", ["a", "b", "c"] * 10)
    X, *_ = load_csv(path, one_hot=True)
    assert list(X.columns) == ["a", "Unnamed_ 1_b", "Unnamed_ 1_c"]
    err = capsys.readouterr().err
    assert "kept as feature(s) ['Unnamed_ 1_b', 'Unnamed_ 1_c']" in err
    # A text column of one value gives --one-hot no column: not said to be kept.
    path = _write(tmp_path / "one.csv", ["a"] * 30)
    X, *_ = load_csv(path, one_hot=True)
    assert list(X.columns) == ["a"]
    err = capsys.readouterr().err
    assert "kept as feature(s) []; ['Unnamed: 1'] gave no column" in err


def test_a_blank_header_column_refused_as_text_is_not_said_to_be_kept(tmp_path, capsys):
    # Without --one-hot the text column is refused, "not numeric", and the
    # note before the refusal had said it was "kept as feature(s)".
    path = _write(tmp_path / "data.csv", ["a", "b", "c"] * 10)
    with pytest.raises(UserError, match="not numeric"):
        load_csv(path)
    assert "kept as feature" not in capsys.readouterr().err
