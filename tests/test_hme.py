"""HierarchicalMixtureRegressor / HierarchicalMixtureClassifier (EM over a tree)."""

import copy
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import linear_sum_assignment
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor

from skmoe import HierarchicalMixtureClassifier, HierarchicalMixtureRegressor, MLPGate
from skmoe.datasets import make_hierarchical_regimes
from skmoe._hme_em import m_step_gate


def regime_agreement(weights, regime, X, margin=0.1):
    """Share of rows (away from the boundaries) whose argmax leaf is their regime,
    under the best matching of leaves to regimes."""
    away = (np.abs(X) > margin).all(axis=1)
    confusion = np.zeros((regime.max() + 1, weights.shape[1]))
    np.add.at(confusion, (regime[away], weights[away].argmax(axis=1)), 1)
    rows, cols = linear_sum_assignment(-confusion)
    return confusion[rows, cols].sum() / away.sum()


@pytest.fixture(scope="module")
def quadrants():
    X, y, regime = make_hierarchical_regimes(n_samples=600, random_state=0,
                                             return_regime=True)
    hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2),
                                       random_state=0).fit(X, y)
    return X, y, regime, hme


def test_recovers_the_four_regimes(quadrants):
    X, y, regime, hme = quadrants
    assert hme.converged_
    assert regime_agreement(hme.predict_gate(X), regime, X) >= 0.95
    # Away from the boundaries (where the soft gates blend) the fit is at the
    # noise level (0.1): each leaf has found its regime's plane.
    away = (np.abs(X) > 0.2).all(axis=1)
    assert np.sqrt(np.mean((hme.predict(X[away]) - y[away]) ** 2)) < 0.15


def test_log_likelihood_never_decreases_and_is_exact(quadrants):
    X, y, _, hme = quadrants
    history = np.array([h["log_likelihood"] for h in hme.history_])
    assert len(history) == hme.n_iter_ >= 3
    assert np.all(np.diff(history) >= -1e-8)
    # The last entry is the exact log-likelihood of the fitted model.
    assert_allclose(history[-1], hme.log_likelihood_samples(X, y).mean(), rtol=1e-10)
    assert_allclose(hme.log_likelihood_, history[-1])


@pytest.mark.parametrize("seed", [1, 2])
def test_monotone_from_a_random_start(seed):
    X, y = make_hierarchical_regimes(n_samples=300, random_state=seed)
    hme = HierarchicalMixtureRegressor(Ridge(alpha=1e-3), branching=(2, 2), max_iter=15,
                                       init_params="random", random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        hme.fit(X, y)
    history = np.array([h["log_likelihood"] for h in hme.history_])
    assert np.all(np.diff(history) >= -1e-8)


def test_paths_gates_and_prediction_agree(quadrants):
    X, _, _, hme = quadrants
    X = X[:50]
    weights = hme.predict_gate(X)
    assert weights.shape == (50, 4)
    assert_allclose(weights.sum(axis=1), 1.0)
    root, branch = hme.predict_path(X, conditional=True)
    assert root.shape == (50, 2) and branch.shape == (50, 4)
    # A leaf's weight is the product of the gate probabilities on its path.
    assert_allclose(weights, np.repeat(root, 2, axis=1) * branch)
    levels = hme.predict_path(X)
    assert_allclose(levels[0], root)
    assert_allclose(levels[-1], weights)
    assert_allclose(hme.predict(X), (weights * hme.predict_experts(X)).sum(axis=1))
    mean, std = hme.predict(X, return_std=True)
    assert np.all(std > 0)


def test_methods_do_not_depend_on_the_batch(quadrants):
    X, _, _, hme = quadrants
    order = np.arange(40)[::-1]
    assert_allclose(hme.predict(X[:40])[order], hme.predict(X[order]))
    assert_allclose(hme.predict_gate(X[:20]), hme.predict_gate(X[:40])[:20])
    assert_allclose(hme.predict_path(X[:20])[0], hme.predict_path(X[:40])[0][:20])


def test_named_leaves_deeper_trees_and_bad_specs():
    X, y = make_hierarchical_regimes(n_samples=200, random_state=0)
    leaves = [(f"l{i}", Ridge()) for i in range(6)]
    hme = HierarchicalMixtureRegressor(leaves, branching=(2, 3), max_iter=3,
                                       random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        hme.fit(X, y)
    assert hme.expert_names_ == [f"l{i}" for i in range(6)]
    assert [len(level) for level in hme.gates_] == [1, 2]
    assert [p.shape[1] for p in hme.predict_path(X)] == [2, 6]
    assert hme.get_params()["l3"] is leaves[3][1]
    with pytest.raises(ValueError, match="has 4 leaves but 6 experts"):
        HierarchicalMixtureRegressor(leaves, branching=(2, 2)).fit(X, y)
    with pytest.raises(ValueError, match="branching must be"):
        HierarchicalMixtureRegressor(Ridge(), branching=(2, 1)).fit(X, y)
    with pytest.raises(TypeError, match="is a classifier"):
        HierarchicalMixtureRegressor(LogisticRegression(), branching=2).fit(X, y > 0)


def test_same_seed_same_model_and_pickle(quadrants):
    X, y, _, hme = quadrants
    again = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2),
                                         random_state=0).fit(X, y)
    assert_allclose(again.predict(X), hme.predict(X))
    assert_allclose(pickle.loads(pickle.dumps(hme)).predict_gate(X), hme.predict_gate(X))


def test_leaves_without_sample_weight_and_convergence_warning():
    X, y = make_hierarchical_regimes(n_samples=200, random_state=0)
    hme = HierarchicalMixtureRegressor(KNeighborsRegressor(10), branching=2, max_iter=2,
                                       random_state=0)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        hme.fit(X, y)
    assert hme.predict(X).shape == (200,)


def test_classifier():
    X, y = make_blobs(n_samples=200, centers=4, cluster_std=1.0, random_state=0)
    labels = np.array(["a", "b", "c", "d"])[y]
    clf = HierarchicalMixtureClassifier(LogisticRegression(), branching=(2, 2),
                                        max_iter=8, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, labels)
    proba = clf.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, labels) > 0.9
    history = np.array([h["log_likelihood"] for h in clf.history_])
    assert np.all(np.diff(history) >= -1e-8)
    assert_allclose(clf.log_likelihood_samples(X, labels),
                    np.log(proba[np.arange(len(y)), y]), rtol=1e-6)


class _WorseningGate(MLPGate):
    """A gate whose warm refit scrambles its weights."""

    def fit(self, X, targets, sample_weight=None, warm_start=False, penalty=None):
        super().fit(X, targets, sample_weight, warm_start, penalty)
        if warm_start:
            with np.errstate(all="ignore"):
                for p in self.module_.parameters():
                    p.data.mul_(-5.0)
        return self


def test_gate_update_that_lowers_q_is_rejected():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    targets = np.column_stack([X[:, 0] > 0, X[:, 0] <= 0]).astype(float)
    gate = _WorseningGate(hidden_layer_sizes=()).init(X, 2, 0)
    gate = m_step_gate(gate, X, targets, np.ones(200), warm=False)
    before = copy.deepcopy(gate).predict_proba(X)
    kept = m_step_gate(gate, X, targets, np.ones(200), warm=True)
    assert_allclose(kept.predict_proba(X), before)


def test_classifier_probabilities_are_exact_distributions():
    # Two confident tree leaves used to mix to 1 + 2e-16, which log_loss rejects.
    from sklearn.datasets import load_breast_cancer
    from sklearn.metrics import log_loss
    from sklearn.tree import DecisionTreeClassifier

    from skmoe import HierarchicalMixtureClassifier
    X, y = load_breast_cancer(return_X_y=True)
    clf = HierarchicalMixtureClassifier(DecisionTreeClassifier(max_depth=8, random_state=0),
                                        branching=(2, 2), max_iter=3, random_state=0)
    proba = clf.fit(X[:300], y[:300]).predict_proba(X[300:])
    assert proba.min() >= 0.0 and proba.max() <= 1.0
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    log_loss(y[300:], proba)   # raises on entries above 1


def test_string_target_for_the_regressor_is_named():
    # numpy's bare "could not convert string to float: np.str_('a')" before.
    X = np.random.RandomState(0).randn(30, 2)
    with pytest.raises(ValueError, match=r"y must be numeric for HierarchicalMixtureRegressor "
                                         r"\(a regressor\): could not convert string"):
        HierarchicalMixtureRegressor(Ridge(), max_iter=2).fit(X, np.array(["a", "b"] * 15))


def test_wrong_number_of_leaves_is_named_before_missing_values():
    # With NaN in X and experts that take it, a list of the wrong length was
    # reported as "HierarchicalMixtureRegressor does not accept missing values".
    from sklearn.ensemble import HistGradientBoostingRegressor
    X = np.random.RandomState(0).randn(30, 2)
    X[0, 0] = np.nan
    leaves = [("a", HistGradientBoostingRegressor()), ("b", HistGradientBoostingRegressor())]
    with pytest.raises(ValueError, match="has 4 leaves but 2 experts"):
        HierarchicalMixtureRegressor(leaves, branching=(2, 2)).fit(X, np.arange(30.0))


@pytest.mark.parametrize("classifier", [False, True])
def test_rows_of_zero_weight_are_rows_left_out(classifier):
    # Kept in, they still drew k-means centres for EM's start: the fit
    # differed from the one without them.
    X, y = make_hierarchical_regimes(n_samples=300, random_state=0)
    y = (y > np.median(y)).astype(int) if classifier else y
    weight = np.where(np.arange(len(y)) % 3 == 0, 0.0, 1.0)
    kept = weight > 0
    make = ((lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=(2, 2),
                                                   max_iter=5, random_state=0))
            if classifier else
            (lambda: HierarchicalMixtureRegressor(Ridge(), branching=(2, 2), max_iter=5,
                                                  random_state=0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = make().fit(X, y, sample_weight=weight)
        dropped = make().fit(X[kept], y[kept])
    predict = "predict_proba" if classifier else "predict"
    assert_allclose(getattr(weighted, predict)(X), getattr(dropped, predict)(X),
                    rtol=1e-9, atol=1e-9)


def test_integer_weights_draw_the_start_as_repeated_rows():
    # Three groups on a line, at 0, 4 and 10; the first two of weight 10. Two
    # leaves: as repeated rows, k-means cuts {0} from {4, 10}; the unweighted
    # start cut {0, 4} from {10}, and EM kept that split (gates 0.84 apart).
    rng = np.random.RandomState(0)
    x = np.r_[rng.normal(0, 0.3, 20), rng.normal(4, 0.3, 20), rng.normal(10, 0.3, 20)]
    X, y = x[:, None], x + rng.normal(0, 0.01, 60)
    weight = np.repeat([10, 10, 1], 20)
    rows = np.repeat(np.arange(60), weight)
    make = lambda: HierarchicalMixtureRegressor(LinearRegression(), branching=(2,),
                                                max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = make().fit(X, y, sample_weight=weight)
        repeated = make().fit(X[rows], y[rows])
    leaf = weighted.predict_gate(X).argmax(axis=1)
    assert leaf[0] != leaf[20] == leaf[40]
    # (Not bit for bit: the gate standardises its inputs unweighted.)
    assert_allclose(weighted.predict_gate(X), repeated.predict_gate(X), atol=1e-3)
