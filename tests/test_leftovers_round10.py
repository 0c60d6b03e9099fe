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
    # It said "the library always runs with all of them on": "level2_check" is
    # off, and several levers are variants or numbers, not switches.
    from skmoe._blend import LEVERS
    source = open(os.path.join(ROOT, "skmoe", "_blend.py"), encoding="utf-8").read()
    comment = source[:source.index("\nLEVERS = {")].rsplit("\n\n", 1)[-1]
    assert "all of them on" not in comment
    not_on = [key for key, value in LEVERS.items() if value is not True]
    assert "level2_check" in not_on and "gate_folds" in not_on
    for key in not_on:
        assert f'"{key}"' in comment, key


# -- 4. the fold note only where the fold's rows may be the cause ---------------
class _NaNRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), np.nan)


class _TwoColumnRegressor(_NaNRegressor):
    def predict(self, X):
        return np.zeros((len(X), 2))


class _NaNOnFewRows(_NaNRegressor):
    """NaN after a fit on fewer than 50 rows (a fold's): the rows are the cause."""

    def fit(self, X, y):
        self.few_ = len(X) < 50
        return super().fit(X, y)

    def predict(self, X):
        return np.full(len(X), np.nan) if self.few_ else np.zeros(len(X))


class _ProbabilitiesOverOne(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_, self.n_features_in_ = np.unique(y), X.shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.7)


@pytest.mark.parametrize("training", ["gradient", "em"])
@pytest.mark.parametrize("expert, error", [
    (_NaNRegressor(), "returned NaN or infinite predictions"),
    (_TwoColumnRegressor(), "returned 2 outputs per sample"),
], ids=["nan", "shape"])
def test_outputs_refused_whatever_the_rows_get_no_fold_note(training, expert, error):
    # "(It was fitted on 30 of the 60 rows: one of the cross-fitting folds
    # (cv). If the error is about too few rows, pass more folds ...)" followed
    # errors that a fit on all the rows gives as well.
    X, y = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=re.escape(error)) as info:
            MixtureOfExpertsRegressor([("ridge", Ridge()), ("odd", expert)], training=training,
                                      cv=2, random_state=0).fit(X, y)
    message = str(info.value)
    assert "rows: one of the cross-fitting folds" not in message
    assert "too few rows" not in message and "more folds" not in message


def test_probabilities_refused_whatever_the_rows_get_no_fold_note():
    X, y = _regression()
    with pytest.raises(ValueError, match="do not sum to one") as info:
        MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                    ("odd", _ProbabilitiesOverOne())], cv=2,
                                   random_state=0).fit(X, (y > 0).astype(int))
    assert "cross-fitting folds" not in str(info.value)
    assert "too few rows" not in str(info.value)


def test_outputs_refused_only_on_a_folds_rows_keep_the_fold_note():
    # A guard: where the fit on all the rows gives outputs that pass, the
    # fold's rows may be the cause, and the note and its advice stay.
    X, y = _regression()
    with pytest.raises(ValueError, match="returned NaN or infinite") as info:
        MixtureOfExpertsRegressor([("ridge", Ridge()), ("odd", _NaNOnFewRows())],
                                  training="em", cv=2, random_state=0).fit(X, y)
    assert "fitted on 30 of the 60 rows" in str(info.value)
    assert "pass more folds" in str(info.value)


# -- 5. PairedTest's repr says weighted -----------------------------------------
def test_the_repr_of_a_weighted_paired_test_says_so():
    test = PairedTest("a", "b", "r2", 0.1, 0.2, 1.0, 4, 0.3)
    assert "weighted" not in repr(test)                  # (as before where False)
    test.weighted = True
    assert repr(test).endswith("p_value=0.3, weighted=True)")
    assert str(test) == repr(test)
    assert repr(test._replace(a="c")).endswith("weighted=True)")


# -- 6. a fitted expert through FrozenEstimator, documented ---------------------
def test_the_user_guide_says_how_to_pass_a_fitted_expert_and_its_caveat():
    guide = _text("docs", "user_guide.rst")
    experts = guide[guide.index("Choosing experts"):guide.index("When *not* to use a mixture")]
    assert "There is no ``prefit`` option" in experts
    assert ":class:`~sklearn.frozen.FrozenEstimator`" in experts
    assert "out of fold only on rows it was not fitted on" in experts


def test_a_frozen_expert_is_kept_as_fitted_as_the_guide_says():
    # What the guide says of it: fold fits and refits keep it as fitted.
    from sklearn.frozen import FrozenEstimator
    X, y = _regression(n=120)
    fitted = Ridge().fit(X[:60], y[:60] + 1.0)
    model = MixtureOfExpertsRegressor([("ridge", Ridge()), ("frozen", FrozenEstimator(fitted))],
                                      cv=2, random_state=0).fit(X[60:], y[60:])
    for fit in model.experts_[1].estimators_:
        np.testing.assert_array_equal(fit.predict(X), fitted.predict(X))
