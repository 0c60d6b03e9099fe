"""Wrong-number sweep, round 28: predictive spread, likelihood and parameter
counts of the mixtures by hand; compare() with groups and its command line.

No defect was found in this round; these guard the identities checked.
"""

import contextlib
import io

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skmoe

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
from skmoe import (HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, compare)
from skmoe._blend import MixedLogits


def _regression_data(n=200):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 3)
    y = 2 * X[:, 0] + 10 * np.sin(2 * X[:, 1]) * (X[:, 2] > 0) + rng.randn(n)
    return X, y


_EXPERTS = [("lr", LinearRegression()), ("ridge", Ridge(1.0)),
            ("lr0", LinearRegression(fit_intercept=False))]


@pytest.mark.parametrize("params", [
    {"training": "em", "max_iter": 10},
    {"top_k": 1, "max_epochs": 5},
    {"top_k": 2, "max_epochs": 5},
    {},   # the stacked gate, whose candidate blend moves the mean
], ids=["em", "top1", "top2", "stacked"])
def test_guard_moe_spread_and_likelihood_are_the_gaussian_mixture_by_hand(params):
    X, y = _regression_data()
    model = MixtureOfExpertsRegressor(_EXPERTS, random_state=0, **params).fit(X, y)
    g = model.predict_gate(X)
    f = np.asarray(model.predict_experts(X))
    s2 = model.noise_variance_
    if params.get("top_k") is not None:
        assert ((g > 0).sum(axis=1) <= params["top_k"]).all()
    mean, std = model.predict(X, return_std=True)
    mu = (g * f).sum(axis=1)
    if getattr(model, "combiner_", None) is None:
        np.testing.assert_allclose(mean, mu, rtol=1e-10, atol=1e-10)
    # var = sum g (s^2 + f^2) - mu^2: the spread about the experts' own mean
    # (a candidate blend shifts every expert alike and keeps it).
    var = (g * (s2 + f ** 2)).sum(axis=1) - mu ** 2
    np.testing.assert_allclose(std, np.sqrt(var), rtol=1e-8)
    # log p(y|x): the density centred where predict says.
    shifted = f + (mean - mu)[:, None]
    with np.errstate(divide="ignore"):
        by_hand = logsumexp(np.log(g) + stats.norm.logpdf(y[:, None], shifted, np.sqrt(s2)),
                            axis=1)
    np.testing.assert_allclose(model.log_likelihood_samples(X, y), by_hand, rtol=1e-10)


def test_guard_hme_spread_likelihood_and_bic_by_hand():
    X, y = _regression_data()
    model = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2), max_iter=10,
                                         random_state=0).fit(X, y)
    g, f, s2 = model.predict_gate(X), np.asarray(model.predict_experts(X)), model.noise_variance_
    np.testing.assert_allclose(g.sum(axis=1), 1.0)
    mean, std = model.predict(X, return_std=True)
    mu = (g * f).sum(axis=1)
    np.testing.assert_allclose(mean, mu, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(std, np.sqrt((g * (s2 + f ** 2)).sum(axis=1) - mu ** 2),
                               rtol=1e-8)
    log_l = logsumexp(np.log(g) + stats.norm.logpdf(y[:, None], f, np.sqrt(s2)), axis=1)
    np.testing.assert_allclose(model.log_likelihood_samples(X, y), log_l, rtol=1e-10)
    # Three node gates of two outputs (one output row fixed by the other),
    # four linear leaves and their four noise scales.
    d = X.shape[1]
    n_gates = sum(len(level) for level in model.gates_)
    gates = sum(sum(p.numel() for p in gate.module_.parameters()) - (d + 1)
                for level in model.gates_ for gate in level)
    assert n_gates == 3 and gates == 3 * (d + 1)
    k = gates + 4 * (d + 1) + 4
    assert skmoe.bic(model, X, y) == pytest.approx(-2 * log_l.sum() + k * np.log(len(y)),
                                                   rel=1e-12)


@pytest.mark.parametrize("top_k", [None, 2])
def test_guard_moe_bic_and_aic_count_the_gate_experts_and_noise_scales(top_k):
    X, y = _regression_data()
    model = MixtureOfExpertsRegressor(_EXPERTS, training="em", max_iter=5, top_k=top_k,
                                      noisy_gating=top_k is not None,
                                      random_state=0).fit(X, y)
    network = model.gate_.module_
    M, d = len(model.experts_), X.shape[1]
    # (round 6 of EM's levers) Dense cross-fitted EM's gate is blended with the
    # experts' constant blend: its M - 1 weights and the share count too.
    level2 = (M - 1) + 1 if isinstance(network, MixedLogits) else 0
    assert (top_k is None) == bool(level2)
    network = network.first if level2 else network
    hidden, first = network[0], network[-1]
    # Gate: every weight but one output row (a softmax is unchanged by a
    # common shift); the noisy gate's noise network is unused at predict time.
    gate = (hidden.weight.numel() + hidden.bias.numel() + (M - 1) * (first.in_features + 1)
            + level2)
    sizes = [d + 1, d + 1, d]             # lr, ridge, lr without intercept
    k = gate + sum(sizes) + M             # one noise scale per expert
    if model.rival_selected_:
        # (round 39) The rival's constant routing replaced the gate: output
        # weights zero, bias log(proba). The hidden layer no longer touches a
        # prediction: top_k weights, one fixed by the others, and only the
        # top_k experts it routes to, with their noise scales.
        assert not first.weight.any()
        chosen = np.argsort(-first.bias.detach().cpu().numpy())[:top_k]
        k = (top_k - 1) + sum(sizes[i] for i in chosen) + top_k
    log_l = model.log_likelihood_samples(X, y).sum()
    assert skmoe.bic(model, X, y) == pytest.approx(-2 * log_l + k * np.log(len(y)), rel=1e-12)
    assert model.aic(X, y) == pytest.approx(-2 * log_l + 2 * k, rel=1e-12)


def test_guard_multi_task_score_with_text_labels_and_weights_is_sklearns_metrics():
    rng = np.random.RandomState(0)
    X = rng.randn(160, 3)
    Y = np.empty((160, 3), dtype=object)
    Y[:, 0] = 3 * X[:, 0] + rng.randn(160)
    Y[:, 1] = np.where(X[:, 1] + 0.5 * rng.randn(160) > 0, "yes", "no")
    Y[:, 2] = X[:, 2] ** 2 + 100 + 0.1 * rng.randn(160)
    w = rng.rand(160) * 3
    w[:10] = 0
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
        ["regression", "binary", "regression"], max_iter=20, random_state=0).fit(X, Y)
    P = np.asarray(model.predict(X))
    for weights in (None, w):
        parts = [r2_score(Y[:, 0].astype(float), P[:, 0].astype(float), sample_weight=weights),
                 accuracy_score(Y[:, 1], P[:, 1], sample_weight=weights),
                 r2_score(Y[:, 2].astype(float), P[:, 2].astype(float), sample_weight=weights)]
        assert model.score(X, Y, sample_weight=weights) == pytest.approx(np.mean(parts),
                                                                         rel=1e-12)


def _grouped_regression():
    rng = np.random.RandomState(0)
    X = rng.randn(240, 3)
    groups = np.repeat(np.arange(24), 10)
    y = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.randn(240) + 0.3 * (groups % 5)
    return X, y, groups


def test_guard_compare_with_groups_scores_table_and_paired_test_by_hand():
    X, y, groups = _grouped_regression()
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=3, random_state=0),
              "tree5": DecisionTreeRegressor(max_depth=5, random_state=0)}
    splits = list(GroupKFold(4).split(X, y, groups))
    result = compare(models, X, y, cv=splits, groups=groups)
    np.testing.assert_array_equal(result.n_train, [len(tr) for tr, _ in splits])
    np.testing.assert_array_equal(result.n_test, [len(te) for _, te in splits])
    for name, model in models.items():
        fits = [clone(model).fit(X[tr], y[tr]) for tr, _ in splits]
        r2 = [r2_score(y[te], m.predict(X[te])) for m, (_, te) in zip(fits, splits)]
        rmse = [np.sqrt(np.mean((y[te] - m.predict(X[te])) ** 2))
                for m, (_, te) in zip(fits, splits)]
        np.testing.assert_allclose(result.scores[name]["r2"], r2, rtol=1e-12)
        np.testing.assert_allclose(result.display_scores(name, "neg_root_mean_squared_error"),
                                   rmse, rtol=1e-12)
        row = next(r for r in result.summary() if r["model"] == name)
        assert row["rmse_mean"] == pytest.approx(np.mean(rmse), rel=1e-12)
        assert row["rmse_std"] == pytest.approx(np.std(rmse), rel=1e-12)
    ratio = np.mean(result.n_test / result.n_train)
    for a, b in [("ridge", "tree"), ("tree", "tree5")]:
        for metric in result.metrics:
            diff = result.display_scores(a, metric) - result.display_scores(b, metric)
            t = diff.mean() / np.sqrt((1 / len(diff) + ratio) * diff.var(ddof=1))
            test = result.paired_test(a, b, metric)
            assert test.mean_difference == pytest.approx(diff.mean(), rel=1e-12)
            assert test.t_statistic == pytest.approx(t, rel=1e-10)
            assert test.p_value == pytest.approx(2 * stats.t.sf(abs(t), len(diff) - 1),
                                                 rel=1e-8)
            assert test.df == len(diff) - 1
    best = max(models, key=lambda n: result.scores[n]["r2"].mean())
    line = next(l for l in result.table().splitlines() if l.startswith(best + " "))
    assert line.split("  ")[0] == best and " *" in line


def test_guard_compare_with_groups_scores_a_fold_missing_a_class_over_every_class():
    rng = np.random.RandomState(0)
    X = rng.randn(240, 3)
    groups = np.repeat(np.arange(24), 10)
    # A class of one group, labelled first: the split that tests that group
    # fits without it (its columns shift), the others test without it.
    y = 1 + (X[:, 1] > 0)
    y[:5] = 0
    splits = list(GroupKFold(4).split(X, y, groups))
    assert sum(0 not in y[tr] for tr, _ in splits) == 1
    models = {"lr": LogisticRegression(max_iter=500),
              "tree": DecisionTreeClassifier(max_depth=3, random_state=0)}
    result = compare(models, X, y, cv=splits, groups=groups)
    for name, model in models.items():
        losses, accuracies = [], []
        for tr, te in splits:
            fit = clone(model).fit(X[tr], y[tr])
            proba = np.zeros((len(te), 3))
            proba[:, fit.classes_] = fit.predict_proba(X[te])
            losses.append(log_loss(y[te], proba, labels=[0, 1, 2]))
            accuracies.append(accuracy_score(y[te], fit.predict(X[te])))
        np.testing.assert_allclose(result.display_scores(name, "neg_log_loss"), losses,
                                   rtol=1e-12)
        np.testing.assert_allclose(result.scores[name]["accuracy"], accuracies, rtol=1e-12)


def test_guard_compare_with_groups_fits_a_multi_task_model_on_stratified_group_folds():
    rng = np.random.RandomState(0)
    X = rng.randn(180, 3)
    groups = np.repeat(np.arange(18), 10)
    labels = (X[:, 1] + 0.5 * rng.randn(180) > 0).astype(int)
    Y = np.c_[3 * X[:, 0] + rng.randn(180), labels]
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))],
        ["regression", "binary"], max_iter=20, random_state=0)
    splits = list(GroupKFold(3).split(X, Y, groups))
    result = compare({"a": model, "b": clone(model).set_params(gate_hidden_layer_sizes=(4,))},
                     X, Y, cv=splits, groups=groups)
    # Its cv=3 becomes 3 folds of whole groups of each split's training rows,
    # stratified on the classification task's labels; the score is its score().
    by_hand = []
    for tr, te in splits:
        folds = list(StratifiedGroupKFold(3).split(np.zeros((len(tr), 1)), labels[tr],
                                                   groups[tr]))
        by_hand.append(clone(model).set_params(cv=folds).fit(X[tr], Y[tr]).score(X[te], Y[te]))
    np.testing.assert_allclose(result.scores["a"]["score"], by_hand, rtol=1e-10)


def test_guard_cli_table_with_groups_is_compares(tmp_path):
    pd = pytest.importorskip("pandas")
    from skmoe._cli import _group_splits, main, make_estimators
    rng = np.random.RandomState(0)
    n = 120
    frame = pd.DataFrame({"a": rng.randn(n), "b": rng.randn(n),
                          "school": np.repeat([f"s{i}" for i in range(12)], 10)})
    frame["y"] = 2 * frame.a + np.sin(3 * frame.b) + 0.3 * rng.randn(n)
    path = tmp_path / "g.csv"
    frame.to_csv(path, index=False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["compare", str(path), "--experts", "linear,tree", "--cv", "3", "--repeats", "2",
              "--groups", "school", "--quiet", "--seed", "3", "--n-jobs", "1",
              "--training", "em", "--max-iter", "3", "--no-greedy"])
    models = make_estimators("linear,tree", "regression", 3, training="em", max_iter=3)
    splits, _ = _group_splits(frame.school, frame.y, 3, 2, 3, False)
    result = compare(models, frame[["a", "b"]], frame.y, cv=splits,
                     groups=frame.school)

    def numbers(text):
        # Every row's scores (not the times, which differ between runs), and
        # the paired tests' lines.
        rows = [line.split()[:-2] for line in text.splitlines()
                if line.split(" ")[0] in result.names]
        tests = [line for line in text.splitlines() if " vs " in line]
        return rows, tests

    printed, expected = numbers(out.getvalue()), numbers(result.table())
    assert printed[0] and printed[1]
    assert printed == expected
