"""Leftovers of earlier sessions, round 11: a capacity_factor below 1/top_k,
the warnings of an expert whose fit fails, the CLI's missing-value markers,
a soft vote's near-tie.

Each test failed before the change it names, but the guards, which say so."""

import pickle
import re
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from numpy.testing import assert_array_equal
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsRegressor
from skmoe._cli import UserError, load_csv, main
from skmoe.gates import MLPGate
from skmoe._base import fit_expert
from skmoe._warnings import _GatheredCall, _taken_warnings, expert_warnings_once
from skmoe._routing import expert_capacity, route
from test_leftovers_round10 import _regression, _text

REGRESSORS = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20)
CLI_FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
            "--n-jobs", "1", "--quiet", "--no-greedy"]



# ------------------------------------------------ 1. capacity_factor < 1/top_k
def test_a_capacity_below_one_over_top_k_cannot_hold():
    # Why it warns: 100 rows, 4 experts, top-2 at 0.25 caps each expert at
    # 13 rows, 52 slots for 100 rows; the rows left over keep their first
    # choice, over the cap.
    torch.manual_seed(0)
    routing = route(torch.randn(100, 4), 2, capacity_factor=0.25)
    counts = torch.bincount(routing.indices[routing.indices >= 0], minlength=4)
    assert expert_capacity(0.25, 2, 100, 4) == 13
    assert counts.max() > 13


@pytest.mark.parametrize("top_k, factor", [(1, 0.5), (2, 0.3)])
def test_a_capacity_factor_below_one_over_top_k_warns_naming_both(top_k, factor):
    # It was taken without a word.
    X, y = _regression()
    model = MixtureOfExpertsRegressor(REGRESSORS, top_k=top_k, capacity_factor=factor,
                                      training="em", gate=FAST_GATE, max_iter=2,
                                      random_state=0)
    with pytest.warns(UserWarning, match=rf"capacity_factor={factor} is below 1/top_k "
                                         rf"\(top_k={top_k}, ") as record:
        model.fit(X, y)
    # At the caller of fit, as the other warnings of settings.
    hit = [w for w in record if "is below 1/top_k" in str(w.message)]
    assert hit[0].filename == __file__


@pytest.mark.parametrize("top_k, factor", [(1, 1.0), (2, 0.5), (2, 2.0)])
def test_a_capacity_factor_of_a_slot_per_row_does_not_warn(top_k, factor):
    X, y = _regression()
    model = MixtureOfExpertsRegressor(REGRESSORS, top_k=top_k, capacity_factor=factor,
                                      training="em", gate=FAST_GATE, max_iter=2,
                                      random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(X, y)
    assert not [w for w in record if "1/top_k" in str(w.message)]


def test_the_docs_say_a_capacity_below_one_over_top_k_warns():
    assert ("Below ``1 / top_k`` the experts have fewer slots than there are rows, the "
            "cap cannot hold and fit warns." in _text("docs", "user_guide.rst"))


# ------------------------------------- 2. warnings of an expert whose fit fails
class WarnsThenFails(RegressorMixin, BaseEstimator):
    """Warns (the cause), then fails; fits only on more than ``min_rows`` and
    fewer than ``max_rows`` rows."""

    def __init__(self, min_rows=np.inf, max_rows=np.inf):
        self.min_rows = min_rows
        self.max_rows = max_rows

    def fit(self, X, y, sample_weight=None):
        warnings.warn("column 2 is constant: the solver will fail", UserWarning)
        if not self.min_rows < len(y) < self.max_rows:
            raise ValueError("singular matrix")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def _em(experts, **params):
    return MixtureOfExpertsRegressor(experts, training="em", gate=FAST_GATE, max_iter=2,
                                     random_state=0, **params)


def _given(model):
    """The warnings that the failing fit of ``model`` gave, with its error's text."""
    X, y = _regression()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="singular matrix") as error:
            model.fit(X, y)
    return [str(w.message) for w in record if "column 2" in str(w.message)], str(error.value)


@pytest.mark.parametrize("model, who", [
    (_em([("ridge", Ridge()), ("bad", WarnsThenFails())]),
     "Expert 'bad' (WarnsThenFails) of MixtureOfExpertsRegressor"),
    (EnsembleRegressor([("ridge", Ridge()), ("bad", WarnsThenFails(min_rows=59))],
                       weights="greedy"),
     "Expert 'bad' (WarnsThenFails) of EnsembleRegressor"),
    # A mixture as an expert hands them up: once, as its enclosing expert's.
    (_em([("ridge", Ridge()), ("inner", _em([("r", Ridge()), ("bad", WarnsThenFails())]))]),
     "Expert 'inner' (MixtureOfExpertsRegressor) of MixtureOfExpertsRegressor")])
def test_the_warnings_of_a_fit_that_fails_are_given_once_before_its_error(model, who):
    # They were dropped with the composition's record: the error alone.
    given, error = _given(model)
    # Counted in the fits the expert was given: the refit on all the rows that
    # says whether a fold's rows are the cause ("(It was fitted on 30 of the
    # 60 rows") is none of them ("in 1 of its 2 fits").
    assert given == [f"column 2 is constant: the solver will fail\n({who} gave this "
                     "warning in 1 of its 1 fit; shown once.)"]
    assert "fitted on" in error


def _fails_in_a_job():
    fit_expert("bad", WarnsThenFails(), *_regression(), None, 0)


def test_a_jobs_error_carries_its_warnings_through_a_process_backend():
    # A process backend sends back the job's error alone, pickled, without
    # its __cause__ (where the failing call left its warnings): the job
    # puts them on the error itself. (What n_jobs=2 does, without the 10 s
    # of starting processes.)
    with expert_warnings_once("Owner"):
        with pytest.raises(ValueError) as error:
            _GatheredCall(_fails_in_a_job)()
    sent = pickle.loads(pickle.dumps(error.value))
    # (Python's pickle drops __cause__; where tblib's pickling support is
    # installed -- dask's distributed installs it -- it keeps it: drop it
    # here as a process backend without it does.)
    sent.__cause__ = None
    parts = _taken_warnings(sent)
    assert [fits for _, fits, _ in parts if fits] == [{"bad": 1}]
    assert [key[2] for part, _, _ in parts for key in part] == [
        "column 2 is constant: the solver will fail"]


def test_the_warnings_of_a_fit_that_fails_and_of_the_fits_before_it_are_given():
    # The fits before the failing one warned too: dropped with it.
    given, _ = _given(_em([("ridge", Ridge()), ("bad", WarnsThenFails(min_rows=0,
                                                                      max_rows=60))]))
    assert len(given) == 1
    # Every fit warned (the folds', then the failing one on all the rows).
    count = re.search(r"gave this warning in (\d+) of its (\d+) fits", given[0])
    assert count[1] == count[2] and int(count[1]) > 1


# ---------------------------------------------- 3. the CLI's missing markers
def _marked_csv(path, n_columns, markers=("?",)):
    """A CSV of ``n_columns`` numeric features, each with a marker in one row."""
    rng = np.random.RandomState(0)
    values = rng.normal(size=(30, n_columns + 1)).round(3).astype(str).astype(object)
    for i in range(n_columns):
        values[i + 2, i] = markers[i % len(markers)]
    header = ",".join([f"x{i}" for i in range(n_columns)] + ["y"])
    path.write_text(header + "\n" + "".join(",".join(row) + "\n" for row in values))
    return str(path)


def test_every_column_with_a_stray_marker_is_named(tmp_path):
    # It named 'x0' alone: the next run named 'x1', and so on.
    path = _marked_csv(tmp_path / "marked.csv", 5, markers=("?", "?", "-"))
    with pytest.raises(UserError) as error:
        load_csv(path)
    text = str(error.value)
    assert text.startswith("Columns 'x0', 'x1', 'x2' and 2 more hold numbers, but some of "
                           "their 30 values are not ('x0': 1 (e.g. '?'); 'x1': 1 (e.g. '?'); "
                           "'x2': 1 (e.g. '-'); and 2 more)")
    assert "pass --na-values '?,-' if they mark a missing value" in text
    # Two: both, no "more".
    with pytest.raises(UserError, match=r"^Columns 'x0', 'x1' hold numbers, .*'x1': 1 "
                                        r"\(e\.g\. '\?'\)\): correct them"):
        load_csv(_marked_csv(tmp_path / "two.csv", 2))


def test_one_column_with_a_stray_marker_keeps_its_message_and_says_na_values(tmp_path):
    with pytest.raises(UserError) as error:
        load_csv(_marked_csv(tmp_path / "one.csv", 1))
    assert str(error.value) == (
        "Column 'x0' holds numbers, but 1 of its 30 values is not (e.g. '?'): correct them, "
        "or leave those cells empty (pass --na-values '?' if it marks a missing value) and "
        "pass --dropna.")
    # A stray value with digits ('1,5') is no marker: not offered as one.
    path = tmp_path / "typo.csv"
    path.write_text("a,y\n" + "".join(f"{'1;5' if i == 3 else i},{i % 4}.5\n"
                                     for i in range(30)))
    with pytest.raises(UserError) as error:
        load_csv(str(path))
    assert "--na-values" not in str(error.value)


def test_na_values_reads_the_markers_as_missing(tmp_path, capsys):
    # There was no such option: a '?' had to be edited out of the file.
    path = _marked_csv(tmp_path / "marked.csv", 3, markers=("?", "-"))
    assert load_csv(path, na_values=["?", "-"], dropna=True)[0].shape == (27, 3)
    with pytest.raises(UserError, match=r"Column\(s\) \['x0', 'x2'\] have missing values; "
                                        r"pass --dropna\.$"):
        # (The user's marker is a gap, not "a word pandas reads as missing".)
        load_csv(path, na_values=["?"])
    assert main(["compare", path, "--na-values", "?, -", "--dropna", *CLI_FAST]) == 0
    assert "27 rows, 3 features" in capsys.readouterr().out
    # The target's markers too.
    target = tmp_path / "target.csv"
    target.write_text("a,y\n" + "".join(f"{i},{'?' if i == 4 else i / 3}\n"
                                        for i in range(30)))
    assert len(load_csv(str(target), na_values=["?"], dropna=True)[1]) == 29


@pytest.mark.parametrize("args, message", [
    (["--na-values", ","], "--na-values ',' names no marker"),
    (["iris", "--na-values", "?"], "--na-values/--task/--groups apply to CSV files only")])
def test_na_values_refused_where_it_cannot_apply(args, message, capsys):
    assert main(["compare", *args, *CLI_FAST]) == 2
    assert message in capsys.readouterr().err


def test_the_cli_docs_describe_na_values():
    text = _text("docs", "cli.rst")
    assert "``--na-values`` takes comma-separated markers of a missing value" in text
    assert "every such column" in text


# ------------------------------------- 5. a soft vote's near-tie, 1e-16 apart
class FixedProba(ClassifierMixin, BaseEstimator):
    """Gives every row the probabilities ``proba``."""

    def __init__(self, proba=(0.5, 0.5)):
        self.proba = proba

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.tile(np.asarray(self.proba, dtype=float), (len(X), 1))

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def test_a_soft_vote_is_the_argmax_of_its_probabilities_near_a_tie():
    # 0.45 and the next float above it, which no weights can tie: predict gave
    # the first class (1e-12 of tolerance), predict_proba's argmax the second.
    low = 0.45
    high = np.nextafter(low, 1)
    X, y = np.zeros((6, 1)), np.array([0, 1, 2] * 2)
    experts = [("a", FixedProba((low, high, 1 - low - high))),
               ("b", FixedProba((low, high, 1 - low - high)))]
    model = EnsembleClassifier(experts).fit(X, y)
    proba = model.predict_proba(X)
    assert proba[0, 1] > proba[0, 0]
    assert_array_equal(model.predict(X), np.argmax(proba, axis=1))
    assert_array_equal(model.predict(X), 1)


def test_guard_a_tie_of_the_given_weights_still_goes_to_the_first_class():
    # Weights [5, 18, 12, 13] voting 2, 1, 0, 2 by one-hot probabilities:
    # classes 1 and 2 tie (18 each), exactly.
    X, y = np.zeros((3, 1)), np.array([0, 1, 2])
    one_hot = [(0, 0, 1), (0, 1, 0), (1, 0, 0), (0, 0, 1)]
    experts = [(f"e{i}", FixedProba(p)) for i, p in enumerate(one_hot)]
    for voting in ("soft", "hard"):
        model = EnsembleClassifier(experts, voting=voting, weights=[5, 18, 12, 13]).fit(X, y)
        assert_array_equal(model.predict(X), 1)
