"""The hierarchical mixture's early stopping on held-out rows (early_stopping=True)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import InvalidParameterError

import skmoe._hme
from skmoe import HierarchicalMixtureClassifier, HierarchicalMixtureRegressor, MLPGate
from skmoe.datasets import make_hierarchical_regimes

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def regression(n_samples=150, **params):
    X, y = make_hierarchical_regimes(n_samples=n_samples, random_state=0)
    params = {"gate": FAST_GATE, "early_stopping": True, "random_state": 0, **params}
    return X, y, HierarchicalMixtureRegressor(Ridge(), **params)


def noisy_classes(n_samples, random_state):
    """A logistic class of the first of 8 columns: the 7 others are noise that
    in-sample EM, with nearly unpenalised leaves, learns to route on."""
    rng = np.random.RandomState(random_state)
    X = rng.randn(n_samples, 8)
    return X, (rng.rand(n_samples) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)


@pytest.fixture
def spy_split(monkeypatch):
    """The held-out rows each fit draws (and whether the draw was stratified)."""
    calls = []

    def split(*arrays, **kwargs):
        train, val = train_test_split(*arrays, **kwargs)
        calls.append({"val": np.sort(val), "stratify": kwargs.get("stratify")})
        return train, val

    monkeypatch.setattr(skmoe._hme, "train_test_split", split)
    return calls


def test_the_kept_tree_is_the_one_of_the_best_held_out_iteration(spy_split):
    X, y, hme = regression(max_iter=30, n_iter_no_change=3)
    hme.fit(X, y)
    curve = np.array([h["validation_log_likelihood"] for h in hme.history_])
    assert len(curve) == hme.n_iter_ and hme.converged_
    # The held-out score fell after its best iteration: EM stopped
    # n_iter_no_change iterations later and kept the best tree.
    assert hme.best_iteration_ == np.argmax(curve) + 1 == hme.n_iter_ - 3
    assert hme.validation_log_likelihood_ == curve.max()
    assert hme.log_likelihood_ == hme.history_[hme.best_iteration_ - 1]["log_likelihood"]
    # The score is the tree's own log-likelihood on the held-out rows.
    val = spy_split[0]["val"]
    assert len(val) == 15
    assert_allclose(hme.log_likelihood_samples(X[val], y[val]).mean(),
                    hme.validation_log_likelihood_, rtol=1e-12)
    # The same fit stopped at that iteration (same split, same seeds) is the same tree.
    _, _, short = regression(max_iter=hme.best_iteration_, n_iter_no_change=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short.fit(X, y)
    assert short.n_iter_ == short.best_iteration_ == hme.best_iteration_
    assert_array_equal(hme.predict(X), short.predict(X))
    assert_array_equal(hme.predict_gate(X), short.predict_gate(X))
    assert_array_equal(hme.noise_variance_, short.noise_variance_)


def test_early_stopping_false_is_the_fit_without_it():
    # Pinned from the fit before early stopping existed (same data, seeds, leaves;
    # origin b6343d9, whose MLPGate rescales its weights to mean one), on
    # torch 2.13 (CPU). The gates train in float32: torch 2.11 on another
    # machine gave these to 7e-4 relative, hence the tolerance.
    X, y = make_hierarchical_regimes(n_samples=120, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = HierarchicalMixtureRegressor(Ridge(), max_iter=4, early_stopping=False,
                                           random_state=0).fit(X, y)
        clf = HierarchicalMixtureClassifier(LogisticRegression(), max_iter=4,
                                            early_stopping=False, random_state=0).fit(
            X, (y > np.median(y)).astype(int))
    assert_allclose([h["log_likelihood"] for h in reg.history_],
                    [-0.9063942685900147, -0.2848665618882908, 0.03287989478167499,
                     0.21936936940607682], rtol=2e-3)
    assert_allclose(reg.predict(X[:3]), [0.7040677791559683, 0.22037037359159165,
                                         0.7090788574744563], rtol=2e-3)
    assert_allclose([h["log_likelihood"] for h in clf.history_],
                    [-0.4220386045516935, -0.373293038368868, -0.3386248195438989,
                     -0.31401441037699745], rtol=2e-3)
    assert_allclose(clf.predict_proba(X[:2])[:, 1], [0.7276584532640722, 0.4854058968395667],
                    rtol=2e-3)
    for model in (reg, clf):
        assert model.best_iteration_ == model.n_iter_ == 4
        assert model.validation_log_likelihood_ is None
        assert "validation_log_likelihood" not in model.history_[0]


def test_early_stopping_beats_in_sample_em_where_it_overfits():
    X, y = noisy_classes(150, 0)
    X_test, y_test = noisy_classes(2000, 99)
    scores = {}
    for early_stopping in (False, True):
        clf = HierarchicalMixtureClassifier(
            LogisticRegression(C=100), gate=FAST_GATE, max_iter=8, n_iter_no_change=3,
            validation_fraction=0.2, early_stopping=early_stopping, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        scores[early_stopping] = log_loss(y_test, clf.predict_proba(X_test))
    # In-sample EM: test log-loss 1.21 after 8 iterations (the training class
    # frequencies': 0.70); stopped on held-out rows: 0.74 (iteration 1's tree).
    assert scores[True] < scores[False] - 0.3


def test_the_classifier_holds_out_a_stratified_split(spy_split):
    X, y = noisy_classes(100, 0)
    y = (np.arange(100) % 5 == 0).astype(int)   # 80 / 20
    clf = HierarchicalMixtureClassifier(LogisticRegression(), gate=FAST_GATE, max_iter=3,
                                        early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, np.array(["a", "b"])[y])
    val = spy_split[0]["val"]
    assert_array_equal(np.bincount(y[val]), [8, 2])
    assert spy_split[0]["stratify"] is not None
    assert_allclose(clf.log_likelihood_samples(X[val], np.array(["a", "b"])[y[val]]).mean(),
                    clf.validation_log_likelihood_, rtol=1e-12)


def test_sample_weight_in_the_split_and_the_held_out_score(spy_split):
    X, y, hme = regression(max_iter=3)
    weight = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        hme.fit(X, y, sample_weight=weight)
    val = spy_split[0]["val"]
    assert_allclose(np.average(hme.log_likelihood_samples(X[val], y[val]), weights=weight[val]),
                    hme.validation_log_likelihood_, rtol=1e-12)


def test_rows_of_zero_weight_are_never_held_out(spy_split):
    X, y, hme = regression(max_iter=3)
    # Rows of weight zero, and wild: held out, they would ruin the score.
    X_all = np.vstack([X, np.full((30, 2), 50.0)])
    y_all = np.concatenate([y, np.full(30, 1e6)])
    weight = np.concatenate([np.ones(len(y)), np.zeros(30)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = hme.fit(X_all, y_all, sample_weight=weight)
        weighted = (weighted.predict(X), weighted.validation_log_likelihood_)
        alone = regression(max_iter=3)[2].fit(X, y)
    assert spy_split[0]["val"].max() < len(y)
    assert_array_equal(spy_split[0]["val"], spy_split[1]["val"])
    assert_array_equal(weighted[0], alone.predict(X))
    assert weighted[1] == alone.validation_log_likelihood_


def test_random_state_reproducible_and_restarts_chosen_on_held_out_rows(monkeypatch):
    X, y, _ = regression()
    runs = []
    run_em = skmoe._hme.run_em

    def spy_run_em(*args, **kwargs):
        runs.append(run_em(*args, **kwargs))
        return runs[-1]

    monkeypatch.setattr(skmoe._hme, "run_em", spy_run_em)
    fits = []
    for seed in (0, 0, 1):
        _, _, hme = regression(max_iter=4, n_iter_no_change=2, n_init=2, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits.append(hme.fit(X, y))
    assert_array_equal(fits[0].predict(X), fits[1].predict(X))
    assert fits[0].validation_log_likelihood_ != fits[2].validation_log_likelihood_
    # Of each fit's two restarts, the one of the best held-out score.
    assert len(runs) == 6
    for fit, restarts in zip(fits, (runs[:2], runs[2:4], runs[4:])):
        best = max(restarts, key=lambda run: run.validation_log_likelihood)
        assert fit.validation_log_likelihood_ == best.validation_log_likelihood
        assert all(a is b for a, b in zip(fit.experts_, best.experts))


def test_no_convergence_warning_when_stopped_on_held_out_rows():
    X, y, hme = regression(max_iter=30, n_iter_no_change=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        hme.fit(X, y)
    assert hme.converged_ and hme.n_iter_ < 30
    # Still gaining at max_iter: said so, and the best tree is kept.
    _, _, hme = regression(max_iter=2)
    with pytest.warns(ConvergenceWarning, match="held-out log-likelihood still gained"):
        hme.fit(X, y)
    assert not hme.converged_ and hme.n_iter_ == 2


@pytest.mark.parametrize("params, match", [
    ({"early_stopping": "yes"}, "early_stopping"),
    ({"early_stopping": 1}, "early_stopping"),
    ({"validation_fraction": 0.0}, "validation_fraction"),
    ({"validation_fraction": 1.0}, "validation_fraction"),
    ({"validation_fraction": True}, "validation_fraction"),
    ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ({"n_iter_no_change": 2.5}, "n_iter_no_change"),
])
def test_bad_parameters(params, match):
    X, y, hme = regression()
    with pytest.raises(InvalidParameterError, match=match):
        hme.set_params(**params).fit(X, y)


def test_too_few_rows_to_hold_out_is_an_error_or_auto_falls_back():
    X, y = make_hierarchical_regimes(n_samples=8, random_state=0)
    hme = HierarchicalMixtureRegressor(Ridge(), branching=(2, 2), gate=FAST_GATE, max_iter=2,
                                       early_stopping=True, validation_fraction=0.6,
                                       random_state=0)
    with pytest.raises(ValueError, match="3 rows are left for EM, fewer than the 4 leaves"):
        hme.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto = hme.set_params(early_stopping="auto").fit(X, y)
        off = hme.set_params(early_stopping=False).fit(X, y).predict(X)
    assert auto.validation_log_likelihood_ is None
    assert_array_equal(auto.predict(X), off)
    # A class of one row cannot be stratified.
    y = np.array([0] * 10 + [1] * 9 + [2])
    clf = HierarchicalMixtureClassifier(LogisticRegression(), branching=2, gate=FAST_GATE,
                                        early_stopping=True, random_state=0)
    with pytest.raises(ValueError, match="class 2 has a single row"):
        clf.fit(np.random.RandomState(0).randn(20, 2), y)
    with pytest.raises(ValueError, match="2 held-out and 10 training rows cannot each hold "
                                         "the 3 classes"):
        clf.fit(np.random.RandomState(0).randn(12, 2), np.arange(12) % 3)
