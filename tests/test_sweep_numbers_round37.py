"""Wrong-number sweep, round 37: sparse top-k routing and the tree mixtures
recomputed by hand -- the experts' capacity against its formula in exact
arithmetic, top-k predictions and ``expert_usage`` from ``predict_gate``'s
softmax and ``predict_experts``, capacity and random routing against a
row-by-row reading of the documented rules, the hierarchical mixtures'
outputs as the product of their path's gates, EM's exact log-likelihood
history and compare()'s per-split scores.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, compare)
from skmoe._routing import expert_capacity, route, to_dense
from test_sweep_numbers_round12 import _path_weights

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _regression(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 2]) + 0.3 * rng.normal(size=n)
    return X, y


def _classification(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    return X, y


def _top_k_by_hand(full, k):
    """Each row's k largest softmax weights (ties to the lower index), renormalised."""
    order = np.argsort(-full, axis=1, kind="stable")[:, :k]
    w = np.zeros_like(full)
    np.put_along_axis(w, order, np.take_along_axis(full, order, 1), 1)
    return w / w.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ capacity
def test_capacity_is_the_ceiling_of_the_product_not_of_its_rounding():
    # Fix: 1.1 * 100 / 2 is 55.00000000000001 in floats; ceil gave every
    # expert 56 rows, where the documented ceil(capacity_factor * top_k *
    # n_rows / n_experts) is 55 (553 such cases over a small grid).
    assert expert_capacity(1.1, 1, 100, 2) == 55
    assert expert_capacity(2.2, 1, 100, 4) == 55
    assert expert_capacity(0.1, 3, 20, 2) == 3
    for cf in (0.1, 0.3, 0.7, 1.1, 1.3, 2.2):
        for k in (1, 2, 3):
            for n, e in ((10, 3), (20, 2), (50, 5), (100, 4), (120, 7)):
                exact = math.ceil(Fraction(str(cf)) * k * n / e)
                assert expert_capacity(cf, k, n, e) == max(1, min(n, exact)), (cf, k, n, e)
    # What the cap lets through: every row prefers expert 0.
    logits = torch.zeros((100, 2), dtype=torch.float64)
    logits[:, 0] = 1.0
    routing = route(logits, 1, capacity_factor=1.1)
    assert np.bincount(routing.indices[:, 0].numpy()).tolist() == [55, 45]


def test_capacity_factor_whose_product_overflows_is_no_cap():
    # Fix: 1e308 * top_k=2 is inf in floats, and math.ceil(inf) failed the
    # fit with "OverflowError: cannot convert float infinity to integer"
    # (the helper meant to take any factor beyond the rows as no cap).
    assert expert_capacity(1e308, 2, 100, 4) == 100
    X, y = _regression(60)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]
    capped = MixtureOfExpertsRegressor(experts, top_k=2, capacity_factor=1e308,
                                       training="em", max_iter=3, random_state=0).fit(X, y)
    plain = MixtureOfExpertsRegressor(experts, top_k=2, training="em", max_iter=3,
                                      random_state=0).fit(X, y)
    assert_allclose(capped.predict(X), plain.predict(X), rtol=1e-12, atol=1e-12)


def _documented_routing(logits, k, capacity_factor, keep=None):
    """Capacity routing row by row, as _routing's Conventions describe it."""
    b, e = logits.shape
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    order = np.argsort(-logits, axis=1, kind="stable")
    keep = np.ones((b, k), bool) if keep is None else keep
    # After random routing a row claims the experts it kept first.
    pref = []
    for r in range(b):
        kept = [order[r, j] for j in range(k) if keep[r, j]]
        pref.append(kept + [x for x in order[r] if x not in kept])
    demand = keep.sum(1)
    left = [expert_capacity(capacity_factor, k, b, e)] * e
    chosen, tried = [[] for _ in range(b)], [0] * b
    for slot in range(k):   # every row's first slot before any second
        while True:
            rows = [r for r in range(b)
                    if len(chosen[r]) == slot and demand[r] > slot and tried[r] < e]
            if not rows:
                break
            claims = {}
            for r in rows:  # one preference rank at a time
                claims.setdefault(pref[r][tried[r]], []).append(r)
                tried[r] += 1
            for j, claimants in claims.items():   # largest weight, then lower row
                claimants.sort(key=lambda r: (-p[r, j], r))
                for r in claimants[:left[j]]:
                    chosen[r].append(j)
                left[j] -= min(left[j], len(claimants))
    W = np.zeros((b, e))
    for r in range(b):
        c = chosen[r] or [pref[r][0]]   # no row is dropped
        W[r, c] = p[r, c] / p[r, c].sum()
    return W


@pytest.mark.parametrize("random_routing", [False, True])
def test_guard_capacity_routing_is_the_documented_rules_row_by_row(random_routing):
    rng = np.random.RandomState(1)
    for trial in range(60):
        b, e = rng.randint(1, 25), rng.randint(3, 6)
        k = rng.randint(2 if random_routing else 1, e + 1)
        cf = rng.choice([0.25, 0.5, 1.0, 1.5, 1.0 / k])
        logits = rng.normal(size=(b, e)) * rng.choice([0.3, 1.0, 3.0])
        if trial % 3 == 0:
            logits = np.round(logits)   # ties
        keep = None
        if random_routing:
            # route's draws: kept with probability min(1, k * w) of the
            # renormalised top-k weight w, the first always.
            u = torch.rand((b, k), generator=torch.Generator().manual_seed(trial)).double().numpy()
            top = _top_k_by_hand(np.exp(logits) / np.exp(logits).sum(1, keepdims=True), k)
            top = -np.sort(-top, axis=1)[:, :k]
            keep = u < np.minimum(1.0, k * top)
            keep[:, 0] = True
        routing = route(torch.tensor(logits), k, training=random_routing,
                        random_routing=random_routing, capacity_factor=cf,
                        generator=torch.Generator().manual_seed(trial))
        assert_allclose(to_dense(routing.weights, routing.indices, e).numpy(),
                        _documented_routing(logits, k, cf, keep), atol=1e-12)


# ------------------------------------------------------------- top-k predict
@pytest.mark.parametrize("training", ["em", "gradient"])
@pytest.mark.parametrize("top_k", [1, 2])
def test_guard_top_k_regressor_by_hand(training, top_k):
    X, y = _regression()
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("ridge10", Ridge(alpha=10.0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MixtureOfExpertsRegressor(experts, top_k=top_k, capacity_factor=1.0,
                                      training=training, max_iter=5, random_state=0).fit(X, y)
    w = _top_k_by_hand(m.gate_.predict_proba(m._gate_view(X)), top_k)
    f, s2 = m.predict_experts(X), m.noise_variance_
    mean = (w * f).sum(1)
    std = np.sqrt((w * (s2 + (f - mean[:, None]) ** 2)).sum(1))
    with np.errstate(divide="ignore"):
        log_lik = np.logaddexp.reduce(np.log(w) - 0.5 * np.log(2 * np.pi * s2)
                                      - (y[:, None] - f) ** 2 / (2 * s2), axis=1)
    assert_allclose(m.predict_gate(X), w, atol=1e-12)
    assert_allclose(m.predict(X, return_std=True), (mean, std), rtol=1e-10, atol=1e-10)
    assert_allclose(m.log_likelihood_samples(X, y), log_lik, rtol=1e-10)
    assert_allclose(m.expert_usage(X), (w > 0).mean(0))
    # No capacity at predict: a row alone is predicted as in the batch.
    assert_allclose([m.predict(X[i:i + 1])[0] for i in range(0, len(X), 17)],
                    mean[::17], rtol=1e-10)


@pytest.mark.parametrize("top_k", [1, 2, 3])
def test_guard_top_k_classifier_by_hand(top_k):
    X, y = _classification()
    experts = [("lr", LogisticRegression()), ("nb", GaussianNB()),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    m = MixtureOfExpertsClassifier(experts, top_k=top_k, training="em", max_iter=5,
                                   random_state=0).fit(X, y)
    w = _top_k_by_hand(m.gate_.predict_proba(m._gate_view(X)), top_k)
    proba = np.einsum("ne,nec->nc", w, m.predict_experts(X))
    if top_k < 3:   # routed: floored at 1e-6 and renormalised; every expert: dense
        proba = np.maximum(proba, 1e-6)
        proba /= proba.sum(1, keepdims=True)
    share, frequencies = m.class_prior_
    proba = (1 - share) * proba + share * frequencies
    assert_allclose(m.predict_proba(X), proba, atol=1e-12)
    assert_allclose(m.expert_usage(X), (w > 0).mean(0))


# ------------------------------------------------------ hierarchical mixtures
@pytest.mark.parametrize("branching", [(2, 3), (3, 2)])
def test_guard_hme_regressor_is_the_product_of_its_path(branching):
    X, y = _regression()
    m = HierarchicalMixtureRegressor(Ridge(), branching=branching, max_iter=5,
                                     random_state=0).fit(X, y)
    w = _path_weights(m, X)
    f, s2 = m.predict_experts(X), m.noise_variance_
    mean = (w * f).sum(1)
    std = np.sqrt((w * (s2 + (f - mean[:, None]) ** 2)).sum(1))
    assert_allclose(m.predict_gate(X), w, atol=1e-12)
    assert_allclose(m.predict_path(X)[-1], w, atol=1e-12)
    assert_allclose(m.predict(X, return_std=True), (mean, std), rtol=1e-10)


def test_guard_hme_classifier_is_the_product_of_its_path():
    X, y = _classification()
    m = HierarchicalMixtureClassifier(LogisticRegression(), branching=(2, 3), max_iter=5,
                                      random_state=0).fit(X, y)
    w = _path_weights(m, X)
    share, frequencies = m.class_prior_
    proba = (1 - share) * np.einsum("nl,nlc->nc", w, m.predict_experts(X)) + share * frequencies
    assert_allclose(m.predict_proba(X), proba, atol=1e-12)
    assert_allclose(m.log_likelihood_samples(X, y), np.log(proba[np.arange(len(y)), y]),
                    rtol=1e-10)


# ------------------------------------------------------------ EM's history
@pytest.mark.parametrize("weighted", [False, True])
def test_guard_exact_em_history_never_decreases(weighted):
    X, y = _regression()
    w = np.random.RandomState(3).uniform(0.2, 3.0, len(y)) if weighted else None
    hme = HierarchicalMixtureRegressor(DecisionTreeRegressor(max_depth=2, random_state=0),
                                       branching=(2, 2), init_params="random", max_iter=15,
                                       tol=0, random_state=1).fit(X, y, sample_weight=w)
    flat = MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
        training="em", cv=None, init_params="random", max_iter=15, tol=0,
        random_state=1).fit(X, y, sample_weight=w)
    for model in (hme, flat):
        ll = np.array([h["log_likelihood"] for h in model.history_])
        assert len(ll) > 3
        assert np.diff(ll).min() >= -1e-8
    assert_allclose(flat.log_likelihood_,
                    np.average(flat.log_likelihood_samples(X, y), weights=w), rtol=1e-10)


# ----------------------------------------------------------------- compare
def test_guard_compare_scores_a_top_k_mixture_and_a_tree_as_by_hand():
    X, y = _regression(90)
    w = np.random.RandomState(4).uniform(0.5, 2.0, len(y))
    models = {
        "top1": MixtureOfExpertsRegressor(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
            top_k=1, training="em", max_iter=3, random_state=0),
        "hme": HierarchicalMixtureRegressor(Ridge(), branching=(2,), max_iter=3, random_state=0)}
    result = compare(models, X, y, cv=3, random_state=0, sample_weight=w)
    for name, model in models.items():
        for metric in ("r2", "neg_root_mean_squared_error"):
            by_hand = []
            for train, test in KFold(3, shuffle=True, random_state=0).split(X):
                fitted = clone(model).fit(X[train], y[train], sample_weight=w[train])
                by_hand.append(get_scorer(metric)(fitted, X[test], y[test],
                                                  sample_weight=w[test]))
            assert_allclose(result.scores[name][metric], by_hand, rtol=1e-12)


def test_capacity_factor_of_exactly_one_over_top_k_does_not_warn():
    # 1/top_k is the documented minimum, but (1/49)*49 is 0.9999999999999999
    # in floats, so the "below 1/top_k" warning fired for the minimum itself
    # at top_k = 49, 98, 103, ...; a factor truly below it still warns.
    from sklearn.dummy import DummyRegressor
    X = np.random.RandomState(0).normal(size=(60, 2))
    y = X[:, 0]
    experts = [(f"d{i}", DummyRegressor(constant=float(i), strategy="constant"))
               for i in range(50)]
    assert (1 / 49) * 49 < 1
    model = MixtureOfExpertsRegressor(experts, top_k=49, capacity_factor=1 / 49,
                                      training="em", cv=None, max_iter=1, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    assert not [w for w in caught if "below 1/top_k" in str(w.message)]
    with pytest.warns(UserWarning, match="below 1/top_k"):
        clone(model).set_params(capacity_factor=0.99 / 49).fit(X, y)


def test_compare_counts_only_rows_of_positive_weight_in_n_test_over_n_train():
    # A row of weight 0 is a row left out; the corrected t-test's n_test /
    # n_train counted it: with the second half of every test fold at weight 0
    # the ratio, and so the variance inflation, was that of the full folds.
    from scipy import stats
    from sklearn.datasets import load_diabetes
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:120], y[:120]
    w = np.ones(len(y))
    w[::3] = 0.0
    cv = KFold(4, shuffle=True, random_state=0)
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=3, random_state=0)}
    result = compare(models, X, y, cv=cv, pair=("ridge", "tree"), sample_weight=w)
    splits = list(cv.split(X))
    assert list(result.n_train) == [int((w[tr] > 0).sum()) for tr, _ in splits]
    assert list(result.n_test) == [int((w[te] > 0).sum()) for _, te in splits]
    assert list(result.n_test) != [len(te) for _, te in splits]
    d = result.scores["ridge"]["r2"] - result.scores["tree"]["r2"]
    ratio = np.mean(result.n_test / result.n_train)
    t = d.mean() / np.sqrt((1 / len(d) + ratio) * d.var(ddof=1))
    test = result.paired_test()
    assert_allclose([test.t_statistic, test.p_value],
                    [t, 2 * stats.t.sf(abs(t), len(d) - 1)], rtol=1e-10)
    # Unweighted, every row counts.
    plain = compare(models, X, y, cv=cv, pair=("ridge", "tree"))
    assert list(plain.n_test) == [len(te) for _, te in splits]
