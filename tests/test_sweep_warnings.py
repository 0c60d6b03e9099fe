"""Warnings a user sees on stderr in normal use of skmoe.

Each test turns warnings into errors and runs a normal workflow on clean,
well-posed data: the warning it once raised was wrong, or one the user could
not act on.
"""

import warnings

import numpy as np
import pandas as pd

from skmoe.experts import RuleExpert


def _above(X, threshold):
    return X[:, 1] > threshold


def test_rule_expert_predict_on_a_frame_does_not_warn_about_feature_names():
    # predict validated the frame, then handed predict_proba a bare ndarray:
    # "X does not have valid feature names, but RuleExpert was fitted with
    # feature names".
    X = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0) % 4})
    y = (X["b"] > 1.5).astype(int)
    rule = RuleExpert(_above, params={"threshold": 1.5}, task="classification")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rule.fit(X, y)
        pred = rule.predict(X)
    np.testing.assert_array_equal(pred, y.to_numpy())


def test_cli_convergence_note_names_the_flag_that_acts_on_it(capsys):
    # The note repeated the mixture's Python advice, "Increase max_epochs.",
    # which a command-line user sets by --max-epochs.
    from skmoe._cli import main

    argv = ["compare", "mcycle", "--experts", "linear,tree", "--cv", "2", "--repeats", "1",
            "--max-epochs", "1", "--no-greedy", "--quiet", "--n-jobs", "1"]
    assert main(argv) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("note: mixture")]
    assert notes
    assert all(ln.endswith("Increase max_epochs: pass --max-epochs N.") for ln in notes), notes
