"""Leftovers of earlier sessions, round 9: a task of weight 0 in the
multi-task mixtures, PairedTest._replace and the weighted flag, the numbering
of splits and folds in messages, the CLI's notes under --quiet and on a
target column without a header, exact EM with a memorising classifier, and
the heterogeneous MMoE's int cv with several classification tasks.

Each test failed before the fix it names, but for
test_task_weights_all_zero_negative_or_nan_are_still_refused, a guard (those
weights were refused already; it failed on the message's new wording alone).
--quiet leaving the notes was no defect (documented as hiding the progress):
test_quiet_hides_the_progress_not_the_notes checks that --help and the docs
now say so."""

import re

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts
from skmoe._cli import load_csv
from skmoe._compare import compare
from test_sweep_inputs_round40 import _folds_of_fit


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- 1. task_weights with a task of weight 0 ------------------------------------
def _mmoe(weights):
    return MultiGateMixtureOfExperts(task_weights=weights, max_iter=2, random_state=0)


def _hetero(weights):
    return HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))],
        task_weights=weights, max_iter=5, random_state=0)


@pytest.mark.parametrize("make, part", [(_mmoe, "their gate and tower would"),
                                        (_hetero, "their gate would")])
def test_a_task_of_weight_zero_is_refused(make, part):
    # Its loss counted for nothing: the task's gate (and MMoE's tower) kept
    # their random initial weights and predict gave that task's outputs from
    # them, silently (MMoE, [1, 0]: correlation 0.05 with the second target).
    X, y = _regression()
    Y = np.column_stack([y, X[:, 1] ** 2])
    with pytest.raises(ValueError, match=re.escape(
            "task_weights gives task(s) [1] (by position in y's columns) weight 0")) as info:
        make([1.0, 0.0]).fit(X, Y)
    assert part in str(info.value) and "Fit without those columns of y" in str(info.value)


def test_a_task_of_weight_zero_names_the_tower_where_the_gate_is_shared():
    X, y = _regression()
    with pytest.raises(ValueError, match="so their tower would keep"):
        _mmoe([0.0, 1.0]).set_params(architecture="omoe").fit(X, np.column_stack([y, y]))


@pytest.mark.parametrize("make", [_mmoe, _hetero])
@pytest.mark.parametrize("weights", [[0.0, 0.0], [1.0, -1.0], [1.0, np.nan]])
def test_task_weights_all_zero_negative_or_nan_are_still_refused(make, weights):
    X, y = _regression()
    with pytest.raises(ValueError, match="task_weights must be 2 finite positive numbers"):
        make(weights).fit(X, np.column_stack([y, y]))


# -- 2. PairedTest._replace keeps the weighted flag ----------------------------
def test_a_paired_test_replaced_stays_weighted():
    X, y = _regression()
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=2, random_state=0)}
    result = compare(models, X, y, cv=KFold(3), sample_weight=np.linspace(0.5, 2.0, 60))
    test = result.paired_test("ridge", "tree")
    assert test.weighted is True
    # namedtuple's _replace made the copy through _make: weighted=False.
    swapped = test._replace(a=test.b, b=test.a, mean_difference=-test.mean_difference)
    assert swapped.weighted is True and swapped.a == "tree"
    assert test._replace().weighted is True


# -- 3. splits and folds numbered from 1 in every message ----------------------
def test_split_errors_number_the_splits_from_one_as_compare_does():
    # check_splits said "Split 1 of cv" of the second split, compare's own
    # messages "split 2 of 2" of it.
    X, y = _regression()
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=2, random_state=0)}
    rows = np.arange(60)
    good, shared = (rows[30:], rows[:30]), (rows, rows[30:])
    with pytest.raises(ValueError, match=r"^Split 2 of 2 in cv has 30 rows in both its "
                                         r"train and test parts"):
        compare(models, X, y, cv=[good, shared])
    from skmoe import MixtureOfExpertsRegressor
    with pytest.raises(ValueError, match=r"^Split 1 of 2 in cv has an empty train part"):
        MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())],
                                  cv=[(rows[:0], rows), good]).fit(X, y)


def test_a_fold_without_a_class_is_numbered_from_one():
    from skmoe import MixtureOfExpertsClassifier
    from sklearn.linear_model import LogisticRegression
    X, _ = _regression(n=60)
    y = np.repeat([0, 1, 2], 20)        # sorted: KFold(3)'s first fold trains on 1, 2
    with pytest.raises(ValueError, match=r"leaves 1 of the 3 classes out of the training "
                                         r"rows of fold 1 of 3:"):
        MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                    ("lr2", LogisticRegression(C=0.1))],
                                   cv=KFold(3)).fit(X, y)


# -- 4. and 5. the CLI's notes: under --quiet, and of a target without a header --
def _csv(path, header, n=30):
    X, y = _regression(n=n)
    lines = [header] + [f"{a},{b},{t}" for (a, b, _), t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_a_default_target_without_a_header_is_noted(tmp_path, capsys):
    # Feature columns without a header got a note; the last column, the
    # default target, was taken without a word.
    path = _csv(tmp_path / "data.csv", "a,b,")
    X, y, task, title = load_csv(path)
    assert title.endswith("(Unnamed: 2)") and list(X.columns) == ["a", "b"]
    err = capsys.readouterr().err
    assert (f"note: the target, the last column of {path}, has no header (pandas names it "
            "'Unnamed: 2' by position); choose another with --target") in err
    # Named with --target, it is the user's choice: no note.
    load_csv(path, target="Unnamed: 2")
    assert "note" not in capsys.readouterr().err
    # A target with a header and a feature column without one: the feature's
    # note alone.
    load_csv(_csv(tmp_path / "feature.csv", "a,,y"))
    err = capsys.readouterr().err
    assert "have no header" in err and "the target" not in err


def test_quiet_hides_the_progress_not_the_notes(capsys):
    # --quiet is "no progress output"; the notes, which say what the command
    # decided (a column left out, a target taken as classes), stay on
    # stderr, and its help and docs now say so.
    from skmoe._cli import build_parser
    import skmoe
    import os
    help_text = " ".join(build_parser()._subparsers._group_actions[0]
                         .choices["compare"].format_help().split())
    assert "--quiet no progress output (the 'note:' lines on stderr stay)" in help_text
    docs = os.path.join(os.path.dirname(skmoe.__file__), os.pardir, "docs", "cli.rst")
    with open(docs) as f:
        text = " ".join(f.read().split())
    assert "``--quiet`` hides the progress, not the ``note:`` lines (below)" in text
    assert "the last column, the default target, is taken as the target without a header" \
        in text


# -- 6. exact EM warns of a 1-nearest-neighbour classifier ---------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=5
def test_exact_em_warns_of_a_one_nearest_neighbour_classifier():
    # It takes no sample_weight and is fitted on a resample of its rows; the
    # rows left out of it (responsibility ~1e-10) each put log(1e-300) in the
    # mean log-probability the check read over every row (-1.4e-5 against its
    # -1e-6), so it was not warned of, though it memorises the rows it was
    # fitted on as the regressor (warned of) does.
    import warnings
    from sklearn.datasets import load_iris
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from skmoe import MixtureOfExpertsClassifier
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)

    def fit(k):
        return MixtureOfExpertsClassifier(
            [("linear", LogisticRegression()), ("knn", KNeighborsClassifier(k))],
            training="em", cv=None, max_iter=5, random_state=0).fit(X, y)

    with pytest.warns(UserWarning, match=r"Expert\(s\) \['knn'\] fit their training rows "
                                         r"exactly .* exact EM \(cv=None\)"):
        fit(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)     # ten neighbours: no warning
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(10)


# -- 7. the heterogeneous MMoE's int cv keeps every class of every task --------


def _hetero_on(tasks, cv=3, random_state=0):
    return HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], tasks, cv=cv,
        max_iter=5, random_state=random_state)


@pytest.mark.parametrize("random_state", [2, 4, 5])
def test_int_cv_keeps_a_small_class_of_the_second_classification_task(monkeypatch,
                                                                       random_state):
    # Stratified on the first classification task alone, the folds put both
    # rows of a 2-row class of the second in one test fold for 6 of 20 seeds
    # (these among them): that fold's experts never saw the class, silently.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    first = np.array(["a"] * 15 + ["b"] * 15)
    second = np.array(["u"] * 14 + ["v"] * 14 + ["rare"] * 2)[rng.permutation(30)]
    Y = np.empty((30, 3), dtype=object)
    Y[:, 0], Y[:, 1], Y[:, 2] = X[:, 0], first, second
    model = _hetero_on(["regression", "binary", "multiclass"], random_state=random_state)
    folds = _folds_of_fit(monkeypatch, model, X, Y)
    assert len(folds) == 3
    for train, _ in folds:
        assert set(first[train]) == {"a", "b"} and set(second[train]) == {"u", "v", "rare"}


def test_int_cv_that_cannot_keep_every_class_is_refused():
    # Rows 0, 1, 2 pairwise share a 2-row class of one of three tasks: two
    # folds cannot keep all three classes in both training parts.
    X = np.random.RandomState(0).normal(size=(20, 2))
    Y = np.zeros((20, 3), dtype=int)
    for t, rows in enumerate([[0, 1], [1, 2], [0, 2]]):
        Y[10:, t] = 1
        Y[rows, t] = 2
    with pytest.raises(ValueError, match=re.escape(
            "the 2 stratified folds of cv=2 leave 1 of its 3 classes out of the training "
            "rows of fold")) as info:
        _hetero_on("multiclass", cv=2).fit(X, Y)
    assert re.match(r"Classification task \d:", str(info.value))
    assert "pass cv as (train, test) splits" in str(info.value)
