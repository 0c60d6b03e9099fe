"""Round 6 of the compare / ensembles / selection sweep.

Probed: compare's paired test, summary and table against numpy and scipy by
hand (custom scorers of greater_is_better=False, sample_weight, string labels,
NaN scores, ties), the greedy ensembles against a by-hand Caruana selection
with replacement, and select_n_experts.
"""

import re
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import make_scorer, mean_absolute_error
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, aic, bic, compare, select_n_experts)


def regression_data(n=40, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    return X, np.sin(2 * X[:, 0]) + 0.3 * X[:, 1] + 0.2 * rng.normal(size=n), rng


def test_the_one_expert_candidate_is_seeded_by_the_templates_random_state():
    # The k = 1 candidate fitted its expert unseeded, where the mixtures seed
    # every copy from their random_state: a forest scored k = 1 -0.74, -0.55
    # and -0.59 on three identical calls of a template of random_state=0.
    X, y, _ = regression_data(n=60, seed=0)
    moe = MixtureOfExpertsRegressor(ExtraTreesRegressor(n_estimators=3, max_depth=3),
                                    n_experts=2, training="em", max_iter=2, random_state=0)
    scores = [select_n_experts(moe, X, y, candidates=(1,), criterion="cv", cv=3)[1][1]
              for _ in range(3)]
    assert scores[0] == scores[1] == scores[2]


def test_the_greedy_twin_of_a_hard_voting_ensemble_without_probabilities_is_refused():
    # Hard voting needs no predict_proba, the greedy copy compare adds does:
    # it failed after the other models' fits, "Model 'e (greedy)' failed to
    # fit ...: EnsembleClassifier needs every expert's class probabilities",
    # naming neither greedy_ensemble nor weights='greedy'.
    X, _, _ = regression_data()
    y = (X[:, 0] > 0).astype(int)

    class NeverFitted(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fitted before the twin was refused")

    ensemble = EnsembleClassifier([("svc", SVC()), ("lin", LinearSVC())], voting="hard")
    with pytest.raises(TypeError, match=re.escape(
            "greedy_ensemble=True adds 'e (greedy)', a copy of 'e' with weights='greedy', "
            "which chooses its weights by the log-loss of the experts' probabilities; its "
            "expert 'svc' (SVC) has no predict_proba")):
        compare({"lr": NeverFitted(), "e": ensemble}, X, y, cv=3, greedy_ensemble=True)
    # Without the twin, the hard-voting ensemble is compared.
    result = compare({"lr": LogisticRegression(), "e": ensemble}, X, y, cv=3)
    assert result.names == ["lr", "e"]


@pytest.mark.parametrize("wrap", [lambda e: e, lambda e: make_pipeline(StandardScaler(), e)])
def test_an_ensemble_with_an_expert_without_sample_weight_is_refused_before_any_fit(wrap):
    # compare(sample_weight=...) refuses before any fit a model that cannot
    # take the weights; an EnsembleRegressor, whose fit has sample_weight,
    # passed, and failed after the other models' fits: "Model 'ens' failed to
    # fit ...: Expert 'knn' (KNeighborsRegressor) does not accept sample_weight".
    X, y, rng = regression_data()
    w = rng.uniform(0.5, 2.0, size=len(y))

    class NeverFitted(Ridge):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fitted before the ensemble was refused")

    ensemble = wrap(EnsembleRegressor([("lin", LinearRegression()),
                                       ("knn", KNeighborsRegressor(3))]))
    with pytest.raises(TypeError, match=re.escape(
            "Model 'ens' cannot take sample_weight: KNeighborsRegressor (inside "
            "EnsembleRegressor, expert 'knn') has no sample_weight in its fit")):
        compare({"r": NeverFitted(), "ens": ensemble}, X, y, cv=3, sample_weight=w)
    # Experts that all take them (one 'drop'ped): compared, weighted.
    ensemble = EnsembleRegressor([("lin", LinearRegression()), ("knn", "drop"),
                                  ("ridge", Ridge())])
    result = compare({"r": Ridge(), "ens": ensemble}, X, y, cv=3, sample_weight=w)
    assert result.weighted and np.all(np.isfinite(result.scores["ens"]["r2"]))


@pytest.mark.parametrize("criterion", [bic, aic])
def test_bic_of_an_ensemble_of_a_tree_says_the_ensemble_has_no_likelihood(criterion):
    # The ensemble's tree was blamed: "expert 'tree' (DecisionTreeRegressor)
    # has no defined number of free parameters; use held-out log-likelihood
    # instead (skmoe.log_likelihood_scorer ...)", which fails on an ensemble
    # too; the docstring promises a TypeError for an ensemble.
    X, y, _ = regression_data()
    ensemble = EnsembleRegressor([("lin", LinearRegression()),
                                  ("tree", DecisionTreeRegressor(max_depth=2))]).fit(X, y)
    with pytest.raises(TypeError, match=re.escape(
            "EnsembleRegressor does not define a likelihood of y given X (an ensemble "
            "averages its experts' predictions), which bic and aic need")):
        criterion(ensemble, X, y)


def _caruana(predictions, loss, n_rounds):
    """Caruana et al.'s selection with replacement, by hand: each round adds
    the expert whose addition gives the running average the least loss
    (ties to the first)."""
    counts, total = np.zeros(predictions.shape[1]), np.zeros(len(predictions))
    for r in range(1, n_rounds + 1):
        losses = [loss((total + predictions[:, m]) / r) for m in range(predictions.shape[1])]
        best = int(np.argmin(losses))
        counts[best] += 1
        total += predictions[:, best]
    return counts / n_rounds


def test_guard_greedy_regression_weights_are_caruanas_selection_by_hand():
    X, y, rng = regression_data()
    w = rng.uniform(0.2, 3.0, size=len(y))
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0)),
               ("lin", LinearRegression())]
    splits = list(KFold(4, shuffle=True, random_state=0).split(X))
    oof = np.empty((len(y), len(experts)))
    for train, test in splits:
        for m, (_, expert) in enumerate(experts):
            oof[test, m] = clone(expert).fit(X[train], y[train],
                                             sample_weight=w[train]).predict(X[test])
    expected = _caruana(oof, lambda p: np.average((p - y) ** 2, weights=w), 7)
    ensemble = EnsembleRegressor(experts, weights="greedy", cv=splits, n_rounds=7)
    ensemble.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ensemble.weights_, expected, rtol=0, atol=1e-15)
    assert ensemble.weights_.sum() == pytest.approx(1.0, abs=1e-15)
    assert len(set(expected.tolist())) > 1      # (a blend, not one expert)


def test_guard_greedy_classifier_weights_and_probabilities_by_hand():
    X, _, rng = regression_data(n=45, seed=3)
    y = np.array(["hi", "lo", "mid"], dtype=object)[
        np.digitize(X[:, 0] + 0.7 * rng.normal(size=45), [-0.5, 0.5])]
    w = rng.uniform(0.2, 2.0, size=45)
    experts = [("lr", LogisticRegression()), ("nb", GaussianNB()),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    codes = np.searchsorted(np.unique(y), y)
    true_class = np.empty((45, 3))
    for train, test in splits:
        for m, (_, expert) in enumerate(experts):
            fit = clone(expert).fit(X[train], codes[train], sample_weight=w[train])
            true_class[test, m] = fit.predict_proba(X[test])[np.arange(len(test)),
                                                            codes[test]]
    expected = _caruana(true_class, lambda p: -np.average(np.log(np.clip(p, 1e-15, None)),
                                                          weights=w), 9)
    ensemble = EnsembleClassifier(experts, weights="greedy", cv=splits, n_rounds=9)
    ensemble.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ensemble.weights_, expected, rtol=0, atol=1e-15)
    assert len(set(expected.tolist())) > 1      # (a blend, not one expert)
    # predict_proba: the weighted average of the refitted experts' probabilities,
    # with the class frequencies mixed in at 1/n^2 (n: weights over the least).
    fits = [clone(e).fit(X, codes, sample_weight=w) for _, e in experts]
    average = sum(weight * f.predict_proba(X) for weight, f in zip(expected, fits))
    share = 1.0 / (w.sum() / w.min()) ** 2
    frequencies = np.bincount(codes, weights=w) / w.sum()
    np.testing.assert_allclose(ensemble.predict_proba(X),
                               (1 - share) * average + share * frequencies, atol=1e-12)
    assert list(ensemble.classes_) == ["hi", "lo", "mid"]


def test_guard_paired_test_summary_and_table_of_an_error_scorer_by_hand():
    # make_scorer(greater_is_better=False) under a key without 'neg_': shown
    # as an error (lower better), its difference and t-test in that orientation.
    X, y, _ = regression_data(n=60, seed=0)
    scoring = {"mae": make_scorer(mean_absolute_error, greater_is_better=False), "r2": "r2"}
    models = {"ridge": Ridge(1.0), "tree": DecisionTreeRegressor(max_depth=2, random_state=0)}
    result = compare(models, X, y, cv=4, scoring=scoring, pair=("ridge", "tree"))
    splits = list(KFold(4, shuffle=True, random_state=0).split(X))
    mae = {name: np.array([mean_absolute_error(y[te], clone(m).fit(X[tr], y[tr]).predict(X[te]))
                           for tr, te in splits]) for name, m in models.items()}
    for name in models:
        np.testing.assert_allclose(result.display_scores(name, "mae"), mae[name], rtol=1e-12)
    diff = mae["ridge"] - mae["tree"]
    ratio = np.mean([len(te) / len(tr) for tr, te in splits])
    t = diff.mean() / np.sqrt((1 / 4 + ratio) * diff.var(ddof=1))
    test = result.paired_test(metric="mae")
    assert test.mean_difference == pytest.approx(diff.mean(), rel=1e-12)
    assert test.std_difference == pytest.approx(diff.std(ddof=1), rel=1e-12)
    assert test.t_statistic == pytest.approx(t, rel=1e-10)
    assert test.p_value == pytest.approx(2 * stats.t.sf(abs(t), df=3), rel=1e-10)
    row = {r["model"]: r for r in result.summary()}
    assert row["tree"]["mae_mean"] == pytest.approx(mae["tree"].mean(), rel=1e-12)
    assert row["tree"]["mae_std"] == pytest.approx(mae["tree"].std(), rel=1e-12)
    table = result.table()
    best = min(models, key=lambda n: mae[n].mean())
    assert re.search(rf"^{best} .* \*", table, flags=re.M)
    assert "mae (lower better)" in table
    assert (f"ridge vs tree on mae: difference {diff.mean():+.4g}, corrected resampled "
            f"t(3) = {t:.2f}, p = {test.p_value:.3g}") in table


def test_a_mixture_and_an_ensemble_at_the_end_of_pipelines_are_the_default_pair():
    # compare's default paired test is the mixture against the ensemble; each
    # scaled in a Pipeline, neither was found: no test, without a word.
    X, y, _ = regression_data()
    experts = [("lin", LinearRegression()), ("ridge", Ridge(10.0))]
    models = {"tree": DecisionTreeRegressor(max_depth=2, random_state=0),
              "mixture": make_pipeline(StandardScaler(), MixtureOfExpertsRegressor(
                  experts, training="em", max_iter=2, random_state=0)),
              "ensemble": make_pipeline(StandardScaler(), EnsembleRegressor(experts))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(models, X, y, cv=3, scoring="r2")
    assert result.pair == ("mixture", "ensemble")
    assert "mixture vs ensemble on r2: difference" in result.table()


def test_greedy_ensemble_copies_an_ensemble_at_the_end_of_a_pipeline():
    # A scaled ensemble got no greedy copy, only "greedy_ensemble=True has no
    # effect: no estimator is a plain-averaging EnsembleRegressor".
    X, y, _ = regression_data()
    experts = [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    pipe = make_pipeline(StandardScaler(), EnsembleRegressor(experts))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        result = compare({"ens": pipe}, X, y, cv=3, scoring="r2", greedy_ensemble=True,
                         random_state=4)
    assert result.names == ["ens", "ens (greedy)"]
    # The copy is the Pipeline with weights='greedy', seeded by compare's random_state.
    by_hand = make_pipeline(StandardScaler(), EnsembleRegressor(
        experts, weights="greedy", random_state=4))
    splits = list(KFold(3, shuffle=True, random_state=4).split(X))
    expected = [clone(by_hand).fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in splits]
    np.testing.assert_allclose(result.scores["ens (greedy)"]["r2"], expected, rtol=1e-12)


def test_a_hierarchical_mixture_and_an_ensemble_are_the_default_pair():
    # A hierarchical mixture of experts is a mixture: beside an ensemble it
    # got no paired test (only the flat mixtures were looked for).
    X, y, _ = regression_data()
    hme = HierarchicalMixtureRegressor(LinearRegression(), branching=2, max_iter=2,
                                       random_state=0)
    ensemble = EnsembleRegressor([("lin", LinearRegression()), ("ridge", Ridge(10.0))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare({"ens": ensemble, "hme": hme}, X, y, cv=3, scoring="r2")
    assert result.pair == ("hme", "ens")
    assert "hme vs ens on r2: difference" in result.table()
