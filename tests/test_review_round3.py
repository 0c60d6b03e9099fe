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


# -- EM restarts: what each restart returns (e855298) --------------------------
def _spy_on_finish(monkeypatch):
    import pickle

    import skmoe._em as em
    runs, finish = [], em._finish

    def spy(run, *args):
        runs.append((run, len(pickle.dumps(run))))
        return finish(run, *args)

    monkeypatch.setattr(em, "_finish", spy)
    return runs


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # max_iter=3
def test_an_em_restart_returns_no_copy_of_x(monkeypatch):
    # Each restart returned its EMProblem for the refit left to _finish, and
    # with it X (the gate's view and the experts'): every parallel restart
    # sent X back to the parent whole, twice (8.3 MB for a 5,000 x 100 X
    # where the rest is 0.2 MB; the parent's peak memory 616 MB against 453
    # MB with n_init=3, n_jobs=2 on a 20,000 x 100 X).
    from sklearn.linear_model import Ridge

    from skmoe import MixtureOfExpertsRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 100))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + 0.1 * rng.normal(size=len(X))
    runs = _spy_on_finish(monkeypatch)
    moe = MixtureOfExpertsRegressor(Ridge(), n_experts=3, training="em", max_iter=3,
                                    tol=1e-2, random_state=0).fit(X, y)
    sizes = [size for _, size in runs]
    assert sizes and max(sizes) < X.nbytes / 4, (sizes, X.nbytes)
    assert np.isfinite(moe.predict(X)).all()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_em_finishes_with_the_experts_left_after_a_drop(monkeypatch):
    # _finish takes the caller's problem and the names of the experts kept:
    # after collapse_action='drop' those of the smaller pool.
    from test_leftovers_round7 import FAST_GATE, _five_experts, _regimes

    from skmoe import MixtureOfExpertsRegressor

    X, y = _regimes()
    runs = _spy_on_finish(monkeypatch)
    moe = MixtureOfExpertsRegressor(
        _five_experts(), training="em", gate=FAST_GATE, max_iter=6,
        collapse_threshold=0.3, collapse_patience=1, collapse_action="drop",
        random_state=0).fit(X, y)
    (run, _), = runs
    assert 2 <= len(run.names) < 5
    assert list(moe.named_experts_) == run.names
    assert [type(e) for e in moe.experts_] == [
        type(dict(_five_experts())[name]) for name in run.names]
    assert np.isfinite(moe.predict(X)).all()


# -- compare's default scoring and a search of a default stacker (1490f89) ----
def test_the_default_scoring_keeps_log_loss_for_a_search_of_a_default_stacker():
    # _has_method counted a StackingClassifier() as having predict_proba (its
    # final LogisticRegression is made at fit), but not a GridSearchCV of one,
    # which asks its unfitted template: the default classification scoring
    # dropped 'neg_log_loss' for the search, though both predict probabilities.
    from sklearn.ensemble import StackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    from skmoe._compare import _scorers

    stacker = StackingClassifier([("lr", LogisticRegression())])
    for search in (GridSearchCV(stacker, {"cv": [2, 3]}),
                   make_pipeline(StandardScaler(), GridSearchCV(stacker, {"cv": [2, 3]})),
                   GridSearchCV(make_pipeline(StandardScaler(), stacker),
                                {"stackingclassifier__cv": [2, 3]})):
        assert "neg_log_loss" in _scorers(None, [search, LogisticRegression()], True)
    # A search of a model without probabilities still drops it.
    assert "neg_log_loss" not in _scorers(
        None, [GridSearchCV(LinearSVC(), {"C": [1.0]}), LogisticRegression()], True)
