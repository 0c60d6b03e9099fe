"""Leftovers of earlier sessions, round 8: the hierarchical mixture's leaf
fits with restarts, the cross-fitting folds' "too few rows" advice, weighted
scores in compare's summary, frame and paired test, the CLI's --n-jobs and
columns without a header, and a column name as compare's sample_weight."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeRegressor

from skmoe import HierarchicalMixtureRegressor, MixtureOfExpertsRegressor
from skmoe._cli import load_csv, main
from skmoe._compare import compare


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- 1. the tree mixture's leaf fits with n_init (no defect: a guard) ----------
class _CountingRidge(Ridge):
    calls = []

    def fit(self, X, y, sample_weight=None):
        type(self).calls.append(len(X))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("n_init", [1, 3])
def test_every_leaf_fit_of_the_tree_mixture_is_an_m_step(n_init):
    # n_init=3 made 12 leaf fits on all rows against 4 for n_init=1: each
    # restart's EM fits the 4 leaves once per iteration, and its fits decide
    # its log-likelihood, which picks the restart kept. Unlike the flat EM
    # (cross-fitted, then refitted on all rows), no fit follows the EM:
    # the count is n_init x n_iter x leaves, none wasted.
    X, y = _regression(n=80)
    _CountingRidge.calls = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = HierarchicalMixtureRegressor(_CountingRidge(), branching=(2, 2), max_iter=2,
                                             tol=0.0, n_init=n_init, random_state=0).fit(X, y)
    assert model.n_iter_ == 2
    assert len(_CountingRidge.calls) == n_init * 2 * 4


# -- 2. "If the error is about too few rows" only where it may be --------------
class _RefusesAnyRows(RegressorMixin, BaseEstimator):
    """Refuses every X, whatever its rows (as a dtype check does)."""

    def fit(self, X, y, sample_weight=None):
        raise ValueError("needs numeric X; the column(s) 'k' are not numbers")

    def predict(self, X):
        raise AssertionError("never fitted")


def test_an_expert_that_fails_on_all_rows_is_not_told_to_pass_more_folds():
    # Every failure on a fold's rows was told "If the error is about too few
    # rows, pass more folds": a failure that more folds cannot mend too.
    # (The greedy ensemble fits on all rows first: its failures name no fold.)
    X, y = _regression()
    with pytest.raises(ValueError, match="needs numeric X") as info:
        MixtureOfExpertsRegressor([("ridge", Ridge()), ("odd", _RefusesAnyRows())],
                                  training="em", max_iter=1, cv=2, random_state=0).fit(X, y)
    message = str(info.value)
    assert "fitted on 30 of the 60 rows" in message          # (the fact stays)
    assert "too few rows" not in message and "more folds" not in message


def test_an_expert_short_of_rows_on_a_fold_is_still_told_to_pass_more_folds():
    from sklearn.neighbors import KNeighborsRegressor
    X, y = _regression(n=22)
    with pytest.raises(ValueError, match="fitted on 11 of the 22 rows") as info:
        MixtureOfExpertsRegressor([("ridge", Ridge()), ("knn", KNeighborsRegressor(15))],
                                  training="em", max_iter=1, cv=2, random_state=0).fit(X, y)
    assert "pass more folds" in str(info.value)


# -- 3. weighted scores said by summary(), to_frame() and paired_test() --------
def _compared(**kwargs):
    X, y = _regression()
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=2, random_state=0)}
    return compare(models, X, y, cv=KFold(3), pair=("ridge", "tree"), **kwargs)


def test_summary_frame_and_paired_test_say_that_the_scores_are_weighted():
    weights = np.linspace(0.5, 2.0, 60)
    weighted, plain = _compared(sample_weight=weights), _compared()
    assert all(row["weighted"] is True for row in weighted.summary())
    assert all(row["weighted"] is False for row in plain.summary())
    assert weighted.to_frame()["weighted"].tolist() == [True, True]
    assert not plain.to_frame()["weighted"].any()
    test = weighted.paired_test()
    assert test.weighted is True and plain.paired_test().weighted is False
    # The tuple's fields as before: sliced and unpacked by callers.
    assert len(test) == 8 and test[5:] == (test.t_statistic, test.df, test.p_value)
    assert pickle.loads(pickle.dumps(test)).weighted is True


# -- 4. the CLI's --n-jobs: message and accepted values agree -------------------
def test_n_jobs_zero_error_says_what_negative_values_mean(tmp_path, capsys):
    path = tmp_path / "data.csv"
    X, y = _regression(n=20)
    pd.DataFrame({"a": X[:, 0], "y": y}).to_csv(path, index=False)
    assert main(["compare", str(path), "--n-jobs", "0"]) == 2
    err = capsys.readouterr().err
    # (It said "1 or more, or -1 for every core", yet -3 is taken.)
    assert "-2 all but one" in err and "joblib" in err


# -- 5. a column name as compare's sample_weight -------------------------------
def test_a_column_name_as_sample_weight_says_how_to_pass_the_column():
    X, y = _regression(n=20)
    X = pd.DataFrame(X, columns=["a", "b", "w"])
    with pytest.raises(ValueError, match=r"a column name is not accepted \(X has a column "
                                         r"'w'\).*sample_weight=X\['w'\].*drop"):
        compare({"ridge": Ridge(), "ridge2": Ridge(alpha=2)}, X, y, cv=2, sample_weight="w")
    with pytest.raises(ValueError, match=r"a column name is not accepted"):
        MixtureOfExpertsRegressor([("r", Ridge()), ("s", Ridge(alpha=2))]).fit(
            X, y, sample_weight="w")


# -- 6. the CLI: a column of data without a header -----------------------------
def test_a_data_column_without_a_header_is_kept_with_a_note(tmp_path, capsys):
    rng = np.random.RandomState(0)
    a, b, y = rng.normal(size=(3, 30))
    path = tmp_path / "data.csv"
    path.write_text("a,,y\n" + "".join(f"{u},{v},{t}\n" for u, v, t in zip(a, b, y)))
    X, target, task, _ = load_csv(str(path))
    assert list(X.columns) == ["a", "Unnamed_ 1"]    # (LightGBM-safe names)
    err = capsys.readouterr().err
    assert "note: the column(s) ['Unnamed: 1']" in err and "no header" in err
    assert "kept as feature(s) ['Unnamed_ 1']" in err
    assert "--drop 'Unnamed: 1'" in err
    # --drop leaves it out, without the note.
    X, *_ = load_csv(str(path), drop=["Unnamed: 1"])
    assert list(X.columns) == ["a"] and "no header" not in capsys.readouterr().err
