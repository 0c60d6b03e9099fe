"""Leftovers of earlier sessions, round 10: CrossFitAverage's
predict_log_proba, the CLI's note on numbered identifiers (camel-case names,
the ten rows it needs), the comment on the gate's LEVERS, the fold note on
outputs refused whatever the rows, PairedTest's repr of weighted scores, and
a fitted expert through FrozenEstimator in the user guide.

Each test failed before the change it names, but the guards, which say so
(names that were identifiers already or never were, the note's ten rows in
the code, outputs refused only on a fold's rows, a frozen expert kept as
fitted)."""

import os
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import CrossFitAverage, MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from skmoe._cli import _is_numbered_identifier, load_csv
from skmoe._compare import PairedTest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _text(*path):
    """A file of the repository with its whitespace collapsed (the docs wrap lines)."""
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return " ".join(f.read().split())


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- 1. CrossFitAverage.predict_log_proba, as the other classifiers have it -----
def test_a_classification_average_has_predict_log_proba():
    # A public classifier (docs/api.rst) with predict_proba but no
    # predict_log_proba, which the mixtures, ensembles and rules have.
    X, y = _regression()
    codes = (y > 0).astype(int)
    fits = [LogisticRegression().fit(X[:40], codes[:40]),
            LogisticRegression().fit(X[20:], codes[20:])]
    average = CrossFitAverage(fits, n_classes=2)
    np.testing.assert_allclose(average.predict_log_proba(X), np.log(average.predict_proba(X)))
    # Only where predict_proba is: a regression average has neither.
    regression = CrossFitAverage([Ridge().fit(X, y)])
    assert not hasattr(regression, "predict_proba")
    assert not hasattr(regression, "predict_log_proba")


# -- 2. numbered identifiers: camel-case and suffix names, and ten rows --------
@pytest.mark.parametrize("name", ["IDnumber", "IdNo", "record_ID", "recordID", "UserIDs",
                                  "ID_number", "PassengerId"])
def test_identifier_names_in_camel_case_and_as_suffixes_are_identifiers(name):
    # "IDnumber" was split as "I" + "Dnumber" (no note), while "IdNo" had one.
    assert _is_numbered_identifier(name, pd.Series(np.arange(100, 130)))


@pytest.mark.parametrize("name", ["idea", "Identity", "video", "paid", "Width", "Idx"])
def test_words_that_only_contain_id_are_no_identifiers(name):
    # A guard: the word "id" is needed, not the letters.
    assert not _is_numbered_identifier(name, pd.Series(np.arange(100, 130)))


def test_the_note_needs_more_than_ten_rows_as_the_docs_say(tmp_path, capsys):
    def note(n_rows):
        path = tmp_path / f"rows{n_rows}.csv"
        path.write_text("IDnumber,a,y\n" + "".join(f"{1000 + 7 * i},{i % 3},{i * 0.5}\n"
                                                   for i in range(n_rows)))
        load_csv(str(path))
        return "named as identifiers" in capsys.readouterr().err

    assert note(11) and not note(10)
    # docs/cli.rst did not say that the note needs more than ten rows.
    assert "with a note where it has a value in more than ten rows" in _text("docs",
                                                                             "cli.rst")


# -- 3. the comment on LEVERS says which are off and which are no switches -----
def test_the_levers_comment_names_every_lever_not_simply_on():
    # It said "the library always runs with all of them on": "proba_head" is
    # off, and several levers are variants or numbers, not switches.
    from skmoe._blend import LEVERS
    source = open(os.path.join(ROOT, "skmoe", "_blend.py"), encoding="utf-8").read()
    comment = source[:source.index("\nLEVERS = {")].rsplit("\n\n", 1)[-1]
    assert "all of them on" not in comment
    not_on = [key for key, value in LEVERS.items() if value is not True]
    assert "proba_head" in not_on and "gate_folds" in not_on
    for key in not_on:
        assert f'"{key}"' in comment, key
