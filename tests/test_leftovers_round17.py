"""Leftovers, round 17: a plain-average ensemble's expert warnings named at
fit, the CLI's advice on training splits too small for the mixture's own
folds, a branching given both as an int and as its one-level tuple, and a
TorchMLPRegressor that diverged without becoming NaN.

Each test failed before the change it names, but the one marked a guard."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import EnsembleClassifier, HierarchicalMixtureRegressor, select_n_experts
from skmoe._cli import main
from skmoe.datasets import make_piecewise_linear
from skmoe.experts import TorchMLPRegressor


# ------------------- 1. a plain average names its experts' warnings at fit
@pytest.mark.parametrize("weights", [None, [1.0, 2.0]])
def test_plain_average_names_expert_warnings_at_fit(weights):
    # They came bare (lbfgs's ConvergenceWarning, no expert named), where
    # weights='greedy' and the mixtures name the expert.
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3) * 1e3
    y = (X[:, 0] + rng.randn(60) * 500 > 0).astype(int)
    model = EnsembleClassifier([("lr", LogisticRegression(max_iter=1)),
                                ("tree", DecisionTreeClassifier(random_state=0))],
                               weights=weights)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    texts = [str(w.message) for w in caught if "failed to converge" in str(w.message)]
    assert len(texts) == 1, texts
    assert "Expert 'lr' (LogisticRegression) of EnsembleClassifier gave this warning" \
        in texts[0]


# ------------------- 2. the CLI's advice fits the CLI
def _csv(tmp_path, per_class, classes="abc"):
    rng = np.random.RandomState(0)
    lines = ["x1,x2,y"] + [f"{rng.randn():.4f},{rng.randn():.4f},{c}"
                           for c in classes for _ in range(per_class)]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


FAST = ["--experts", "linear,tree", "--repeats", "1", "--n-jobs", "1", "--quiet"]


def test_cli_refuses_training_splits_too_small_for_the_mixture(tmp_path, capsys):
    # Two rows a class, --cv 2: training splits of one row a class. The run
    # failed mid-way advising "Lower cv or add rows", a cv no flag sets.
    assert main(["compare", _csv(tmp_path, 2), "--target", "y", "--cv", "2", *FAST]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert "--cv 2 leaves training splits of 3 of the 6 rows" in err
    assert "Lower cv" not in err and "Add rows, or drop or merge the rare classes" in err
    assert "compare:" not in captured.out + err     # refused before any fit


def test_cli_advises_a_larger_cv_where_one_helps(tmp_path, capsys):
    # Three rows a class: --cv 3 leaves two a class, enough.
    assert main(["compare", _csv(tmp_path, 3, "ab"), "--target", "y", "--cv", "2",
                 *FAST]) == 2
    err = capsys.readouterr().err
    assert "Raise --cv to 3" in err and "Lower cv" not in err


# ------------------- 3. branching 2 and (2,) are one candidate
@pytest.mark.parametrize("candidates", [[2, (2,)], [(2, 2), 3, (3,)], [np.int64(2), (2,)]])
def test_select_n_experts_refuses_one_tree_under_two_keys(candidates):
    # The same one-level tree was fitted and scored twice, under 2 and (2,).
    X, y = make_piecewise_linear(n_samples=60, n_regimes=2, random_state=0)
    model = HierarchicalMixtureRegressor(LinearRegression(), branching=(2,), random_state=0)
    with pytest.raises(ValueError, match="more than once"):
        select_n_experts(model, X, y, candidates=candidates, param="branching")


# ------------------- 4. a TorchMLPRegressor that diverged to finite numbers
@pytest.mark.parametrize("learning_rate", [10.0, 1e3])
def test_torch_mlp_regressor_diverged_without_nan_raises(learning_rate):
    # 1e3 kept a network whose predictions spread 1e5 wide (y spreads 3),
    # 10 one that predicted a constant; only NaN weights were an error.
    X, y = make_piecewise_linear(n_samples=300, n_regimes=2, random_state=0)
    with pytest.raises(ValueError, match=r"diverged: .*lower learning_rate \(now"):
        TorchMLPRegressor(learning_rate=learning_rate, max_epochs=60,
                          random_state=0).fit(X, y)


def test_torch_mlp_regressor_normal_fit_is_not_diverged():
    # A guard: the check of item 4 must not refuse ordinary fits.
    X, y = make_piecewise_linear(n_samples=300, n_regimes=2, random_state=0)
    for learning_rate in (1e-3, 1e-1):
        TorchMLPRegressor(learning_rate=learning_rate, max_epochs=30,
                          random_state=0).fit(X, y)
