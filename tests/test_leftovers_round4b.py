"""Known leftovers, round 4b: API surfaces (set_output, groups, duplicate
column names, the CLI's groups column, compare's multi-task group folds)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (AutoGateTransformer, EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MultiGateMixtureOfExperts)
from skmoe.experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor


def _data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, X[:, 0] + 0.1 * rng.randn(n), (X[:, 0] > 0).astype(int)


def _pair(est):
    return [("a", est), ("b", DecisionTreeRegressor(max_depth=2, random_state=0)
                         if not hasattr(est, "predict_proba") else LogisticRegression(C=0.1))]


# ------------------------------------------------------ duplicate column names
_ESTIMATORS = [
    (lambda: MixtureOfExpertsRegressor(_pair(Ridge()), random_state=0), "r"),
    (lambda: MixtureOfExpertsClassifier(_pair(LogisticRegression()), random_state=0), "c"),
    (lambda: EnsembleRegressor(_pair(Ridge())), "r"),
    (lambda: EnsembleClassifier(_pair(LogisticRegression())), "c"),
    (lambda: HierarchicalMixtureRegressor(Ridge(), branching=2, max_iter=3, random_state=0), "r"),
    (lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, max_iter=3,
                                           random_state=0), "c"),
    (lambda: HeterogeneousMultiGateMixtureOfExperts(_pair(Ridge()), max_iter=5,
                                                    random_state=0), "r"),
    (lambda: MultiGateMixtureOfExperts(max_iter=2, random_state=0), "r"),
    (lambda: TorchMLPRegressor(max_epochs=2, random_state=0), "r"),
    (lambda: TorchMLPClassifier(max_epochs=2, random_state=0), "c"),
    (lambda: RuleExpert(lambda X, a: a * X[:, 0], params={"a": 1.0}), "r"),
    (lambda: AutoGateTransformer(), "r"),
]


@pytest.mark.parametrize("make, task", _ESTIMATORS)
def test_duplicate_column_names_named_at_fit_and_predict(make, task):
    # Was narwhals' DuplicateError "Expected unique column names, got: - 'a'
    # 2 times" from scikit-learn's check of the names, naming no estimator.
    X, y, labels = _data()
    target = labels if task == "c" else y
    est = make()
    name = type(est).__name__
    duplicated = pd.DataFrame(X, columns=["a", "a", "b"])
    with pytest.raises(ValueError, match=rf"^{name}.*duplicate column names: 'a' \(2 times\)"):
        est.fit(duplicated, target)
    est.fit(pd.DataFrame(X, columns=["a", "b", "c"]), target)
    method = est.transform if hasattr(est, "transform") else est.predict
    with pytest.raises(ValueError, match=rf"^{name}.*duplicate column names: 'a' \(2 times\)"):
        method(duplicated)


# ------------------------------------------------------------- set_output
@pytest.mark.parametrize("make, task, methods", [
    (lambda: EnsembleRegressor(_pair(Ridge())), "r", ["predict_experts"]),
    (lambda: EnsembleClassifier(_pair(LogisticRegression())), "c", ["predict_experts"]),
    (lambda: HierarchicalMixtureRegressor(Ridge(), branching=2, max_iter=3, random_state=0),
     "r", ["predict_gate", "predict_experts"]),
    (lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, max_iter=3,
                                           random_state=0), "c",
     ["predict_gate", "predict_experts"]),
])
def test_set_output_on_ensembles_and_hme_as_on_the_mixtures(make, task, methods):
    # The mixtures had set_output for their per-expert methods; the ensembles'
    # predict_experts and HME's predict_gate/predict_experts had none.
    from sklearn.base import clone
    X, y, labels = _data()
    frame = pd.DataFrame(X, columns=["u", "v", "w"], index=np.arange(100, 160))
    est = clone(make().set_output(transform="pandas"))      # survives clone
    est.fit(frame, labels if task == "c" else y)
    for method in methods:
        out = getattr(est, method)(frame)
        plain = getattr(clone(est).set_output(transform="default").fit(
            frame, labels if task == "c" else y), method)(frame)
        assert isinstance(out, pd.DataFrame), method
        assert isinstance(plain, np.ndarray), method
        assert list(out.index) == list(frame.index)
        if plain.ndim == 2:
            assert list(out.columns) == list(est.expert_names_)
        else:     # (expert, class) pairs
            assert list(out.columns) == [(e, c) for e in est.expert_names_
                                         for c in est.classes_]
        np.testing.assert_allclose(out.to_numpy(), plain.reshape(len(plain), -1))
    assert isinstance(est.predict(frame), np.ndarray)      # predictions stay arrays
    with pytest.raises(ValueError, match="transform must be"):
        est.set_output(transform="polars")


# ----------------------------------------------------------- fit(groups=)
_GROUPS = np.repeat(np.arange(12), 5)


@pytest.mark.parametrize("make, task", [
    (lambda: HierarchicalMixtureRegressor(Ridge(), branching=2, max_iter=3), "r"),
    (lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, max_iter=3), "c"),
    (lambda: MultiGateMixtureOfExperts(max_iter=2), "r"),
])
def test_fit_groups_refused_by_the_estimators_without_folds(make, task):
    # HME was told "Passing extra keyword arguments ... is only supported if
    # enable_metadata_routing=True", the MMoE Python's "unexpected keyword
    # argument 'groups'": neither said why, nor what to do instead.
    X, y, labels = _data()
    est = make()
    with pytest.raises(TypeError, match=rf"^{type(est).__name__}\.fit has no groups parameter: .*"
                                        r"no folds.*compare\(\.\.\., groups=groups\)"):
        est.fit(X, labels if task == "c" else y, groups=_GROUPS)


def test_heterogeneous_mmoe_fit_groups_makes_folds_of_whole_groups():
    # Its cross-fitting folds are what groups are for (as the mixtures'
    # fit(groups=)); fit took no groups at all.
    from sklearn.model_selection import GroupKFold
    X, y, labels = _data()
    model = HeterogeneousMultiGateMixtureOfExperts(_pair(Ridge()), max_iter=10, random_state=0)
    grouped = model.fit(X, y, groups=_GROUPS).predict(X)
    folds = list(GroupKFold(3).split(X, y, _GROUPS))
    given = model.set_params(cv=folds).fit(X, y).predict(X)
    np.testing.assert_allclose(grouped, given)
    # Rows of zero weight are in no fold; the groups are of the rows given.
    weight = np.ones(len(y))
    weight[:3] = 0.0
    model.set_params(cv=3).fit(X, y, sample_weight=weight, groups=_GROUPS)
    with pytest.raises(ValueError, match="asks for 5 folds of whole groups, but groups has 3"):
        model.set_params(cv=5).fit(X, y, groups=np.repeat([0, 1, 2], 20))
    # A classification task: every training part holds both classes.
    Y = np.c_[y, labels]
    multi = HeterogeneousMultiGateMixtureOfExperts(_pair(Ridge()), tasks=["regression", "binary"],
                                                   max_iter=10, random_state=0)
    assert multi.fit(X, Y, groups=_GROUPS).predict(X).shape == Y.shape


# ------------------------------------------------------ the CLI's --groups
def test_cli_reads_group_ids_as_written(tmp_path):
    # pandas read the column as numbers: "007", "07" and "7" were one group.
    from skmoe._cli import load_csv
    path = tmp_path / "ids.csv"
    path.write_text("x,g,y,kind\n1.5,007,1.25,a\n2.5,07,2.5,b\n3.5,7,3.75,a\n"
                    "4.5,008,4.0,b\n5.5,08,5.5,a\n6.5,8,6.25,b\n7.5,1.0,7.0,a\n8.5,1,8.5,b\n")
    X, y, task, _, groups = load_csv(str(path), target="y", groups="g", one_hot=True)
    assert groups.tolist() == ["007", "07", "7", "008", "08", "8", "1.0", "1"]
    assert groups.name == "g"
    # The other columns are read as before: y and x numbers, kind one-hot.
    assert task == "regression"
    assert y.tolist() == [1.25, 2.5, 3.75, 4.0, 5.5, 6.25, 7.0, 8.5]
    assert "g" not in X.columns and X["x"].tolist() == [1.5 + k for k in range(8)]
    assert X.shape == (8, 2)


# ----------------------------------------- compare(groups=) with a 2-D y
def _two_task_labels(groups, first, second):
    return np.c_[np.isin(groups, first).astype(int), np.isin(groups, second).astype(int)]


@pytest.mark.parametrize("seed", [1, 2])
def test_compare_group_folds_keep_each_tasks_classes_in_training(seed, monkeypatch):
    # Multi-output labels got plain GroupKFold: a task's class held by two
    # groups that landed in one test fold was missing from that split's
    # training rows (6 of 10 seeds here; the tree then gave one column of
    # probabilities for that task, and scoring failed).
    import skmoe._compare as compare_module
    from sklearn.tree import DecisionTreeClassifier
    groups = np.repeat(np.arange(12), 5)
    Y = _two_task_labels(groups, [0, 1], [2, 3])
    X = np.random.RandomState(0).randn(len(groups), 3)
    trains, real = [], compare_module._indexed_fit_score

    def spy(k, name, est, X, y, train, *args):
        trains.append(train)
        return real(k, name, est, X, y, train, *args)

    monkeypatch.setattr(compare_module, "_indexed_fit_score", spy)
    compare_module.compare({"tree": DecisionTreeClassifier(max_depth=2, random_state=0)},
                           X, Y, groups=groups, cv=4, random_state=seed)
    assert len(trains) == 4
    for train in trains:
        for t in range(2):
            assert set(Y[train, t]) == {0, 1}


def test_compare_inner_group_folds_of_a_multitask_model_keep_its_classes():
    # The inner folds (compare's replacement of the model's cv) were plain
    # GroupKFold too: its fit refused them ("leaves 1 of the 2 classes out").
    from skmoe import compare
    groups = np.repeat(np.arange(12), 5)
    Y = _two_task_labels(groups, [0, 1, 2], [3, 4, 5])
    X = np.random.RandomState(0).randn(len(groups), 3)
    model = HeterogeneousMultiGateMixtureOfExperts(_pair(Ridge()), tasks=["binary", "binary"],
                                                   max_iter=5, random_state=0)
    result = compare({"het": model}, X, Y, groups=groups, cv=4, random_state=0)
    assert np.all(np.isfinite(result.scores["het"]["score"]))
