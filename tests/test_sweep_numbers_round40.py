"""Wrong-number sweep, round 40: ``compare()`` with ``groups`` (and
``sample_weight``), ``EnsembleRegressor(weights="greedy")`` with
``sample_weight``, the multi-task models' ``score``, the hierarchical
mixtures' ``sample_weight``, ``RuleExpert``'s calibrated probabilities and
``predict_gate``/``expert_usage`` after a weighted fit, each recomputed by
hand.

Found: with ``groups`` and ``sample_weight``, ``compare()`` made a skmoe
model's inner folds of whole groups of all its training rows, zero-weight
rows and groups included, where the model's own
``fit(X, y, groups=groups, sample_weight=w)`` makes them of the rows of
positive weight and their groups. A group of zero weight then counted as one
(``cv='auto'`` took 5 folds for 4 groups of weight), and a fold of such
groups alone was dropped by the model, so the model ran on other folds than
fitting the split by hand (R^2 0.740 against 0.695 on a split), or failed
("Split 5 of 5 in cv has no training row of positive sample_weight") where
the fit by hand ran. compare now hands skmoe's models the folds their fit
makes.
"""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score
from sklearn.model_selection import GroupKFold, KFold
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, compare)
from skmoe._compare import _with_inner_group_folds
from skmoe.experts import RuleExpert


def _zero_weight_groups():
    """Four large groups of weight zero beside six small groups of weight."""
    g = np.repeat(np.arange(10), [50] * 4 + [10] * 6)
    rng = np.random.RandomState(0)
    X = rng.randn(len(g), 2)
    y = X[:, 0] + np.sin(2 * X[:, 1]) + 0.3 * rng.randn(len(g))
    w = np.where(g < 4, 0.0, 1.0 + np.arange(len(g)) % 3)
    splits = [(np.flatnonzero(~np.isin(g, t)), np.flatnonzero(np.isin(g, t)))
              for t in ([4, 5], [6, 7], [8, 9])]
    return X, y, g, w, splits


@pytest.mark.parametrize("cv", [3, "auto"])
def test_compare_weighted_groups_scores_equal_fitting_each_split_by_hand(cv):
    X, y, g, w, splits = _zero_weight_groups()
    ens = EnsembleRegressor([("lin", LinearRegression()),
                             ("tree", DecisionTreeRegressor(max_depth=2, random_state=0)),
                             ("ridge", Ridge(30.0))], weights="greedy", cv=cv)
    got = compare({"e": ens}, X, y, cv=splits, groups=g, sample_weight=w).scores["e"]["r2"]
    by_hand = [r2_score(y[te], clone(ens).fit(X[tr], y[tr], groups=g[tr], sample_weight=w[tr])
                        .predict(X[te]), sample_weight=w[te]) for tr, te in splits]
    np.testing.assert_allclose(got, by_hand, rtol=0, atol=1e-12)


def test_compare_inner_group_folds_are_the_folds_fit_makes_with_weights():
    X, y, g, w, splits = _zero_weight_groups()
    train = splits[0][0]           # 4 groups of weight 0 and 4 of weight
    X, y, g, w = X[train], y[train], g[train], w[train]
    for cv, n_folds in ((3, 3), ("auto", 4)):
        ens = EnsembleRegressor([("lin", LinearRegression()), ("ridge", Ridge(30.0))],
                                weights="greedy", cv=cv)
        given = _with_inner_group_folds("e", ens, g, None, w).cv
        own = ens._group_folds(X, y, g, w)
        # ('auto' took 5 folds of the 8 groups, 4 of them of weight 0 alone.)
        assert len(given) == len(own) == n_folds
        for (tr, te), (tr2, te2) in zip(given, own):
            np.testing.assert_array_equal(np.sort(te), np.sort(te2))
            np.testing.assert_array_equal(np.sort(tr), np.sort(tr2))
            assert np.all(w[te] > 0)


def test_compare_groups_scores_folds_and_corrected_t_by_hand():
    rng = np.random.RandomState(0)
    n = 160
    g = rng.randint(0, 16, n)
    X = rng.randn(n, 3)
    y = X[:, 0] + np.sin(X[:, 1]) + 0.5 * rng.randn(16)[g] + 0.2 * rng.randn(n)
    w = rng.choice([0.0, 1.0, 2.0], n)
    models = {"tree": DecisionTreeRegressor(max_depth=3, random_state=0),
              "line": LinearRegression()}
    result = compare(models, X, y, cv=4, groups=g, random_state=3, sample_weight=w)
    splits = list(GroupKFold(4, shuffle=True, random_state=3).split(X, y, g))
    for name, model in models.items():
        r2, rmse = [], []
        for tr, te in splits:
            assert not set(g[tr]) & set(g[te])
            pred = clone(model).fit(X[tr], y[tr], sample_weight=w[tr]).predict(X[te])
            r2.append(r2_score(y[te], pred, sample_weight=w[te]))
            rmse.append(-np.sqrt(mean_squared_error(y[te], pred, sample_weight=w[te])))
        np.testing.assert_allclose(result.scores[name]["r2"], r2, atol=1e-12)
        np.testing.assert_allclose(result.scores[name]["neg_root_mean_squared_error"], rmse,
                                   atol=1e-12)
    n_train = [np.count_nonzero(w[tr] > 0) for tr, _ in splits]
    n_test = [np.count_nonzero(w[te] > 0) for _, te in splits]
    np.testing.assert_array_equal(result.n_train, n_train)
    np.testing.assert_array_equal(result.n_test, n_test)
    d = result.scores["tree"]["r2"] - result.scores["line"]["r2"]
    t = d.mean() / np.sqrt((1 / 4 + np.mean(np.divide(n_test, n_train))) * d.var(ddof=1))
    test = result.paired_test("tree", "line")
    assert test.t_statistic == pytest.approx(t, rel=1e-12)
    assert test.p_value == pytest.approx(2 * stats.t.sf(abs(t), 3), rel=1e-10)


def test_greedy_weights_are_caruana_selection_on_the_weighted_loss():
    rng = np.random.RandomState(1)
    n = 150
    X = rng.uniform(-2, 2, (n, 3))
    y = np.sin(2 * X[:, 0]) + X[:, 1] + 0.3 * rng.randn(n)
    w = rng.choice([0.0, 1.0, 2.0, 5.0], n)
    experts = [("lin", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("ridge", Ridge(alpha=50.0))]
    splits = list(KFold(4, shuffle=True, random_state=0).split(X))
    ens = EnsembleRegressor(experts, weights="greedy", cv=splits, n_rounds=20)
    ens.fit(X, y, sample_weight=w)
    oof = np.empty((n, 3))
    for tr, te in splits:
        tr = tr[w[tr] > 0]
        for j, (_, est) in enumerate(experts):
            oof[te, j] = clone(est).fit(X[tr], y[tr], sample_weight=w[tr]).predict(X[te])
    keep = w > 0
    P, t, share = oof[keep], y[keep], w[keep] / w[keep].sum()
    counts, total = np.zeros(3), np.zeros(len(t))
    for r in range(1, 21):
        best = int(np.argmin([share @ ((total + P[:, j]) / r - t) ** 2 for j in range(3)]))
        counts[best] += 1
        total += P[:, best]
    np.testing.assert_allclose(ens.weights_, counts / 20, rtol=0, atol=1e-15)
    unweighted = EnsembleRegressor(experts, weights="greedy", cv=splits, n_rounds=20).fit(X, y)
    assert not np.array_equal(unweighted.weights_, ens.weights_)   # the weights matter here


def test_multitask_score_is_the_plain_mean_of_sklearn_metrics_whatever_task_weights():
    rng = np.random.RandomState(0)
    n = 200
    X = rng.randn(n, 3)
    Y = np.column_stack([X[:, 0] + 0.3 * rng.randn(n),
                         (X[:, 1] + 0.5 * rng.randn(n) > 0),
                         np.digitize(X[:, 2], [-0.5, 0.5])]).astype(float)
    w = rng.choice([0.0, 1.0, 3.0], n)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("r", Ridge()), ("r2", Ridge(alpha=100.0))], ["regression", "binary", "multiclass"],
        task_weights=[5.0, 1.0, 0.2], alpha=1e-2, random_state=0).fit(X, Y)
    P = np.asarray(model.predict(X)).reshape(n, -1)
    for sw in (None, w):
        by_hand = np.mean([r2_score(Y[:, 0], P[:, 0], sample_weight=sw),
                           accuracy_score(Y[:, 1], P[:, 1], sample_weight=sw),
                           accuracy_score(Y[:, 2], P[:, 2], sample_weight=sw)])
        assert model.score(X, Y, sample_weight=sw) == pytest.approx(by_hand, abs=1e-12)


def test_hierarchical_mixture_weights_zero_rows_left_out_and_scale_free():
    rng = np.random.RandomState(0)
    n = 120
    X = rng.uniform(-2, 2, (n, 2))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.1 * rng.randn(n)
    w = rng.randint(0, 4, n).astype(float)
    keep, Xt = w > 0, rng.uniform(-2, 2, (20, 2))
    kw = dict(branching=(2,), max_iter=20, random_state=0)
    a = HierarchicalMixtureRegressor(LinearRegression(), **kw).fit(X, y, sample_weight=w)
    b = HierarchicalMixtureRegressor(LinearRegression(), **kw).fit(X, y, sample_weight=7.3 * w)
    c = HierarchicalMixtureRegressor(LinearRegression(), **kw).fit(X[keep], y[keep],
                                                                   sample_weight=w[keep])
    np.testing.assert_array_equal(a.predict(Xt), c.predict(Xt))
    np.testing.assert_allclose(a.predict(Xt), b.predict(Xt), atol=1e-10)
    assert a.log_likelihood_ == pytest.approx(np.average(
        a.log_likelihood_samples(X[keep], y[keep]), weights=w[keep]), rel=1e-12)
    yc = (y > 0).astype(int)
    kw["max_iter"] = 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (EM stops at max_iter: fast, the same for both)
        a = HierarchicalMixtureClassifier(LogisticRegression(), **kw).fit(
            X, yc, sample_weight=w)
        c = HierarchicalMixtureClassifier(LogisticRegression(), **kw).fit(
            X[keep], yc[keep], sample_weight=w[keep])
    np.testing.assert_array_equal(a.predict_proba(Xt), c.predict_proba(Xt))


def _band(X):
    return np.where(X[:, 1] > 0.5, "hi", np.where(X[:, 1] < -0.5, "lo", "mid"))


@pytest.mark.parametrize("smoothing", [0.0, 1.0, 2.5])
def test_rule_probabilities_are_the_smoothed_weighted_table_by_hand(smoothing):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 2)
    y = np.where(X[:, 0] + 0.5 * rng.randn(60) > 0, "b", "a")
    y[:5] = "c"
    w = rng.randint(0, 4, 60).astype(float)
    rule = RuleExpert(_band, task="classification", smoothing=smoothing)
    rule.fit(X, y, sample_weight=w)
    classes, said = np.unique(y), _band(X)
    unit = w / w[w > 0].mean()       # smoothing counts average rows of positive weight
    prior = np.array([unit[y == k].sum() for k in classes]) / unit.sum()
    Xt = rng.randn(30, 2)
    expected = []
    for outcome in _band(Xt):
        counts = np.array([unit[(said == outcome) & (y == k)].sum() for k in classes])
        total = counts.sum() + smoothing
        expected.append((counts + smoothing * prior) / total if total > 0 else prior)
    np.testing.assert_allclose(rule.predict_proba(Xt), expected, atol=1e-12)
    np.testing.assert_array_equal(rule.predict(Xt), classes[np.argmax(expected, axis=1)])
    np.testing.assert_allclose(rule.proba_table_[-1], prior, atol=1e-12)


def test_weighted_gate_and_usage_by_hand():
    rng = np.random.RandomState(0)
    n = 200
    X = rng.uniform(-2, 2, (n, 2))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.1 * rng.randn(n)
    w = rng.choice([0.0, 1.0, 3.0], n)
    keep, Xt = w > 0, rng.uniform(-2, 2, (50, 2))
    experts = [("a", LinearRegression()), ("b", Ridge(10.0)),
               ("t", DecisionTreeRegressor(max_depth=2, random_state=0))]
    kw = dict(training="em", top_k=2, max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (EM may stop at max_iter: fast, the same for both)
        a = MixtureOfExpertsRegressor(experts, **kw).fit(X, y, sample_weight=w)
        c = MixtureOfExpertsRegressor(experts, **kw).fit(X[keep], y[keep],
                                                         sample_weight=w[keep])
    gate = a.predict_gate(Xt)
    np.testing.assert_array_equal(gate, c.predict_gate(Xt))
    np.testing.assert_allclose(gate.sum(axis=1), 1.0, atol=1e-12)
    # expert_usage is the unweighted share of X's rows routed to each expert.
    np.testing.assert_array_equal(a.expert_usage(Xt), (gate > 0).mean(axis=0))
