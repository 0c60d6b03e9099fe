"""Leftovers, round 19: torch experts trained with the gate that diverged
without becoming NaN, compare's folds for multi-task models with
classification tasks, the CLI's --n-jobs above the CPU cores, and predict
under the caller's torch.autocast; multi-task predict_proba as
MultiOutputClassifier's (a guard: not a defect).

Each test failed before the change it names, but those marked a guard."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

import skmoe._compare
from skmoe import (HeterogeneousMultiGateMixtureOfExperts, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, compare)
from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor


# --------- 1. torch experts trained with the gate that diverged to finite numbers
def _regression_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + 0.1 * rng.normal(size=400)
    return X, y


def _two_mlps(learning_rate, loss="auto"):
    return MixtureOfExpertsRegressor(
        [("a", TorchMLPRegressor((16,), random_state=0)),
         ("b", TorchMLPRegressor((8, 8), random_state=1))],
        training="gradient", learning_rate=learning_rate, loss=loss, max_epochs=30,
        random_state=0)


@pytest.mark.parametrize("loss", ["nll", "squared_error"])
def test_mixture_of_diverged_torch_experts_raises(loss):
    # Only a NaN loss was an error: at learning_rate=10 the mixture predicted
    # with a mean squared error of 1e5 (nll) or 8e4 (squared_error) on a
    # target of variance 4.3, silently.
    X, y = _regression_data()
    with pytest.raises(ValueError, match=r"torch experts: 'a'.*diverged: the mixture's loss "
                                         r"is .*lower learning_rate \(now 10"):
        _two_mlps(10.0, loss).fit(X, y)


def test_mixture_of_diverged_torch_classifiers_raises():
    X, y = _regression_data()
    model = MixtureOfExpertsClassifier(
        [("a", TorchMLPClassifier((16,), random_state=0)),
         ("b", TorchMLPClassifier((8, 8), random_state=1))],
        training="gradient", learning_rate=10.0, max_epochs=30, random_state=0)
    with pytest.raises(ValueError, match=r"diverged: .*equal probabilities for the classes "
                                         r"cost 0\.693"):
        model.fit(X, (y > 0).astype(int))


def test_diverged_torch_expert_the_gate_routes_around_warns():
    # Beside a ridge the diverged network (mean squared error 6e4) was kept
    # in experts_ without a word while the gate predicted with the ridge.
    X, y = _regression_data()
    model = MixtureOfExpertsRegressor(
        [("mlp", TorchMLPRegressor((16,), random_state=0)), ("ridge", Ridge())],
        training="gradient", learning_rate=1.0, max_epochs=30, random_state=0)
    with pytest.warns(UserWarning, match=r"Torch expert\(s\) 'mlp' \(.* on the rows the gate "
                                         r"gives it\) diverged.*lower learning_rate") as record:
        model.fit(X, y)
    assert np.mean((model.predict(X) - y) ** 2) < 1.0      # the ridge's
    # It points at the caller's fit, as the mixtures' other fit warnings do.
    assert [w.filename for w in record if "diverged" in str(w.message)] == [__file__]


def test_ordinary_gradient_mixture_is_not_diverged():
    # A guard: the check must not refuse or warn of ordinary fits.
    X, y = _regression_data()
    for learning_rate in (1e-3, 3e-2):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*diverged")
            _two_mlps(learning_rate).fit(X, y)


# --------- 3. compare's folds for multi-task models with a classification task
def test_compare_stratifies_multi_task_classification_tasks(monkeypatch):
    # Plain KFold put both rows of class 2 in one test fold (random_state=2):
    # the split's model never saw the class, and its accuracy counted them
    # wrong, where a single-task classifier's folds are stratified.
    rng = np.random.RandomState(0)
    n = 40
    X = rng.normal(size=(n, 2))
    labels = np.arange(n) % 2
    labels[[3, 20]] = 2
    Y = np.column_stack([X[:, 0], labels]).astype(float)
    seen = []
    check_splits = skmoe._compare.check_splits
    monkeypatch.setattr(skmoe._compare, "check_splits",
                        lambda splits, *a: seen.append(splits) or check_splits(splits, *a))
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        tasks=["regression", "multiclass"], cv=2, alpha=1.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare({"a": model, "b": model}, X, Y, cv=5, random_state=2)
    assert len(seen[0]) == 5
    for train, _ in seen[0]:
        assert set(labels[train]) == {0, 1, 2}


# --------- 4. the CLI's --n-jobs above the CPU cores
def test_cli_n_jobs_above_the_cores_is_lowered_with_a_note(tmp_path, capsys, monkeypatch):
    # --n-jobs 12 on 2 cores started 12 processes (5.5 GB where 2 took 1.3
    # GB, and 3.8 times as long), without a word.
    import joblib

    from skmoe._cli import main

    rng = np.random.RandomState(0)
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n" + "\n".join(f"{a:.3f},{2 * a + b:.3f}" for a, b in
                                       zip(rng.rand(40), rng.rand(40))))
    monkeypatch.setattr(joblib, "cpu_count", lambda *a, **k: 2)
    asked = []

    def fake_compare(*args, n_jobs=None, **kwargs):
        asked.append(n_jobs)
        raise KeyboardInterrupt        # stop before fitting anything (main says so)

    monkeypatch.setattr(skmoe._compare, "compare", fake_compare)
    main(["compare", str(csv), "--target", "y", "--experts", "linear,tree", "--cv", "2",
          "--repeats", "1", "--quiet", "--n-jobs", "64"])
    assert asked == [2]
    assert "note: --n-jobs 64 is more than the 2 CPU cores; running 2" \
        in capsys.readouterr().err


# --------- 5. predict under the caller's torch.autocast
def test_predict_ignores_the_callers_autocast():
    # fit turned the caller's autocast off, predict did not: a float32
    # network's predictions moved by 1.5e-3 of their largest on diabetes
    # (every one of 200 here), its probabilities by 2.7e-3 on wine, a multi-task model's
    # by 3.5e-3 (bfloat16 keeps 8 bits of mantissa).
    import torch

    from skmoe import MultiGateMixtureOfExperts

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = X @ rng.normal(size=5) + 10.0
    Y = np.column_stack([y, y > 10])
    models = [TorchMLPRegressor((32,), max_epochs=20, random_state=0).fit(X, y),
              TorchMLPClassifier((32,), max_epochs=20, random_state=0).fit(X, y > 10),
              MultiGateMixtureOfExperts(["regression", "binary"], max_iter=20,
                                        random_state=0).fit(X, Y)]
    for model in models:
        method = model.predict_proba if hasattr(model, "classes_") and not hasattr(
            model, "tasks_") else model.predict
        expected = np.asarray(method(X), dtype=float)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            got = np.asarray(method(X), dtype=float)
        np.testing.assert_array_equal(got, expected)


# --------- 2. multi-task predict_proba as MultiOutputClassifier's (a guard)
def test_multi_task_predict_proba_is_shaped_as_multi_output_classifiers():
    # Not a defect: a list of one (n_samples, n_classes) array per task, as
    # MultiOutputClassifier's, now said in the docstring and docs/mmoe.rst.
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    Y = np.column_stack([X[:, 0] > 0, np.digitize(X[:, 1], [-0.5, 0.5])]).astype(int)
    reference = MultiOutputClassifier(LogisticRegression()).fit(X, Y).predict_proba(X)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        tasks=["binary", "multiclass"], cv=2, alpha=1.0, random_state=0).fit(X, Y)
    proba = model.predict_proba(X)
    assert type(proba) is type(reference) is list
    assert [p.shape for p in proba] == [p.shape for p in reference] == [(120, 2), (120, 3)]
