"""Leftovers, round 20: top_k set after fit above the number of experts, the
CLI's class labels as the file writes them, multi-task networks that diverged
without becoming NaN, and compare's group folds for a multi-task model's 1-D
y; a gate's torch.device and predict_experts' probabilities (guards: not
defects).

Each test failed before the change it names, but those marked a guard."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

import skmoe._compare
from skmoe import (HeterogeneousMultiGateMixtureOfExperts, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts, compare)
from skmoe.gates import MLPGate


def _data(n=200):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + 0.1 * rng.normal(size=n)
    return X, y


# --------- 1. top_k set after fit above the number of experts
def test_top_k_set_after_fit_above_the_experts_is_refused():
    # fit refuses top_k=3 for 2 experts; set after fit it was capped at 2
    # without a word (every expert on every row: the dense mixture), where
    # the message for 0 or 1.5 says "an integer from 1 to 2".
    X, y = _data()
    model = MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge(alpha=30.0))],
                                      training="em", max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    every_expert = model.set_params(top_k=2).predict(X)
    model.set_params(top_k=3)
    with pytest.raises(ValueError, match=r"top_k=3 was set after fit: .* from 1 to 2"):
        model.predict(X)
    with pytest.raises(ValueError, match=r"top_k=3 was set after fit"):
        model.expert_usage(X)
    np.testing.assert_array_equal(model.set_params(top_k=2).predict(X), every_expert)


# --------- 2. a gate's device given as a torch.device (a guard)
def test_gate_device_given_as_a_torch_device_fits_pickles_and_clones():
    # Not a defect: the gate reads a torch.device as it reads its name, in
    # fit, predict, pickle, clone and get_params (the mixtures and experts
    # refuse one, naming the parameter, by their parameter constraints).
    X, y = _data()
    gate = MLPGate(hidden_layer_sizes=(4,), max_iter=5, device=torch.device("cpu"))
    model = MixtureOfExpertsRegressor([("ridge", Ridge()),
                                       ("tree", DecisionTreeRegressor(max_depth=2))],
                                      gate=gate, training="em", max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted = model.fit(X, y).predict(X)
        assert model.gate_.device_ == torch.device("cpu")
        assert model.get_params()["gate__device"] == torch.device("cpu")
        np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), predicted)
        np.testing.assert_array_equal(clone(model).fit(X, y).predict(X), predicted)
    with pytest.raises(ValueError, match=r"'device' parameter of MixtureOfExpertsRegressor"):
        clone(model).set_params(device=torch.device("cpu")).fit(X, y)


# --------- 3. predict_experts of a classifier mixture (a guard)
def test_predict_experts_gives_each_experts_own_probabilities_in_float64():
    # Not a defect: an expert's float32 probabilities (rows summing to one
    # within 4.5e-8) come back in float64 as the expert gives them, the
    # expert's own prediction; the mixture's predict_proba sums to one.
    class Float32Logistic(LogisticRegression):
        def predict_proba(self, X):
            return super().predict_proba(X).astype(np.float32)

    X, y = _data(300)
    labels = np.digitize(y, [-1.0, 1.0])
    model = MixtureOfExpertsClassifier([("a", Float32Logistic()),
                                        ("b", Float32Logistic(C=0.01))],
                                       training="em", max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, labels)
    each = model.predict_experts(X)
    assert each.dtype == np.float64 and each.shape == (300, 2, 3)
    for i, expert in enumerate(model.experts_):
        np.testing.assert_array_equal(each[:, i], expert.predict_proba(X).astype(np.float64))
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=0, atol=1e-12)


# --------- 4. the CLI's class labels as the file writes them
def _labels_csv(path, written, missing):
    rng = np.random.RandomState(0)
    rows = ["x1,x2,y"]
    for i in range(40):
        label = "" if i == 7 and missing else written[0 if i == 5 else 1 + i % 2]
        rows.append(f"{rng.rand():.3f},{rng.rand():.3f},{label}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_cli_class_labels_read_as_floats_for_a_missing_value_are_as_written(tmp_path,
                                                                            capsys):
    # A target of whole numbers with one missing value is floats to pandas:
    # with --dropna its one-row class was named "e.g. 5.0", where the file
    # writes 5 (and is 5 without the missing row).
    from skmoe._cli import load_csv, main

    csv = _labels_csv(tmp_path / "d.csv", ["5", "3", "8"], missing=True)
    _, y, task, _ = load_csv(str(csv), target="y", dropna=True)
    assert task == "classification" and y.dtype.kind == "i"
    assert sorted(set(y.tolist())) == [3, 5, 8]
    argv = ["compare", str(csv), "--target", "y", "--experts", "linear,tree", "--cv", "2",
            "--repeats", "1", "--quiet", "--dropna"]
    assert main(argv) == 2
    assert "a single row (e.g. 5);" in capsys.readouterr().err
    # Labels the file writes as "5.0" stay as written.
    csv = _labels_csv(tmp_path / "f.csv", ["5.0", "3.0", "8.0"], missing=True)
    argv[1] = str(csv)
    assert main(argv) == 2
    assert "a single row (e.g. 5.0);" in capsys.readouterr().err


# --------- 6. multi-task networks that diverged without becoming NaN
def _tasks_data():
    X, y = _data(300)
    Y = np.column_stack([y, X[:, 1] > 0, np.digitize(X[:, 2], [-0.5, 0.5])]).astype(float)
    return X, Y


@pytest.mark.parametrize("architecture, learning_rate, n_experts", [
    ("mmoe", 10.0, 2), ("ple", 10.0, 2),
    # Blown up to a loss of 4.8e3, then about a constant: mean squared error
    # 5.1 on the regression task (variance 4.5), accuracies 0.53 and 0.36.
    ("mmoe", 1.0, 8)])
def test_diverged_multi_task_network_raises(architecture, learning_rate, n_experts):
    # Only a NaN loss was an error: at learning_rate=10 the network predicted
    # the regression task (variance 4.5) with a mean squared error of 1.3e4
    # (PLE 8.9e3), the binary and 3-class tasks at accuracies 0.47 and 0.50
    # (PLE 0.53 and 0.36; their majority classes 0.53 and 0.42), silently.
    # (At learning_rate=1e-2: 0.53, and accuracies 0.99 and 0.94.)
    X, Y = _tasks_data()
    model = MultiGateMixtureOfExperts(["regression", "binary", "multiclass"],
                                      architecture=architecture, n_experts=n_experts,
                                      learning_rate=learning_rate, max_iter=15,
                                      random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"MultiGateMixtureOfExperts diverged: the training "
                                             r"loss reached .* where a network that learnt "
                                             r"nothing costs 2\.79 .*lower learning_rate "
                                             rf"\(now {learning_rate}\)"):
            model.fit(X, Y)
    # Not also told to train longer.
    assert not [w for w in record if "Increase max_iter" in str(w.message)]


def test_ordinary_multi_task_fits_are_not_diverged():
    # A guard: the check must not refuse ordinary fits, early stopping,
    # task weights and rows of zero weight included.
    X, Y = _tasks_data()
    weight = np.ones(len(X))
    weight[::4] = 0.0
    for architecture in ("mmoe", "ple"):
        for options in ({}, {"early_stopping": True, "task_weights": [1.0, 5.0, 0.2]}):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = MultiGateMixtureOfExperts(
                    ["regression", "binary", "multiclass"], architecture=architecture,
                    n_experts=2, learning_rate=1e-2, max_iter=15, random_state=0,
                    **options).fit(X, Y, sample_weight=weight)
            assert model.loss_curve_[-1] < model.loss_curve_[0]


# --------- 7. compare's group folds for a multi-task model's 1-D y
@pytest.mark.parametrize("tasks", [["binary"], "binary"])
def test_compare_groups_stratify_a_multi_task_models_1d_classification_task(tasks, monkeypatch):
    # Its 2-D twin (y[:, None]) had stratified group folds; the 1-D y had
    # plain GroupKFold, outer and inner: an inner fold without the class of
    # three groups failed every fit, with advice to "stratify the folds"
    # that compare's replaced cv leaves the user no way to follow.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    groups = np.repeat(np.arange(12), 5)
    y = np.zeros(60, dtype=int)
    y[[0, 1, 5, 6, 10, 11]] = 1            # the rare class, in 3 groups
    seen = []
    check_splits = skmoe._compare.check_splits
    monkeypatch.setattr(skmoe._compare, "check_splits",
                        lambda splits, *a: seen.append(splits) or check_splits(splits, *a))
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))], tasks=tasks, cv=2,
        alpha=1.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare({"a": model, "b": clone(model)}, X, y, cv=3, groups=groups,
                         random_state=1)
    assert len(seen[0]) == 3
    for train, _ in seen[0]:
        assert set(y[train]) == {0, 1}
    assert result is not None
