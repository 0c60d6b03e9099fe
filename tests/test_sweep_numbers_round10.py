"""Round-10 numbers sweep: outputs checked against independent computations.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor


def _regression_data(n=150, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=n)
    return X, y, rng


def test_capacity_overflow_to_an_expert_of_underflowing_weight_gets_weight_one():
    # Fix in _routing.route: capacity sent a row to an expert whose softmax
    # weight underflows to 0 (EM's posterior of an expert 34,500 nats worse),
    # and the renormalised weights were 0 / 0 = NaN. Top-1 EM with
    # capacity_factor=1.0 and sample weights then failed: "Expert 't2' cannot
    # be fitted: every row it is to be fitted on has zero weight", with every
    # weight positive.
    from skmoe._routing import route_numpy
    logits = np.array([[0.0, -1000.0], [0.0, -1000.0]])
    # Capacity 1 row per expert: row 1 overflows to expert 1 (weight exp(-1000)).
    assert_array_equal(route_numpy(logits, 1, capacity_factor=1.0), [[1, 0], [0, 1]])
    X, y, rng = _regression_data()
    w = rng.uniform(0.5, 2.0, size=len(y))
    experts = [("line", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("t2", DecisionTreeRegressor(max_depth=2, random_state=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixtureOfExpertsRegressor(experts, training="em", top_k=1,
                                          capacity_factor=1.0, max_iter=3,
                                          random_state=0).fit(X, y, sample_weight=w)
    assert np.all(np.isfinite([h["log_likelihood"] for h in model.history_]))
    assert np.all(np.isfinite(model.predict(X)))


def test_convergence_display_of_a_tree_mixture_draws_its_leaf_shares():
    # Fix in plotting.ConvergenceDisplay: a hierarchical mixture's history_
    # holds each leaf's share as 'leaf_share', which the display did not
    # read: shares was None and only the log-likelihood was drawn.
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skmoe import HierarchicalMixtureRegressor
    from skmoe.plotting import ConvergenceDisplay
    X, y, _ = _regression_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hme = HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2), max_iter=4,
                                           random_state=0).fit(X, y)
    display = ConvergenceDisplay.from_estimator(hme)
    try:
        assert_array_equal(display.shares, [h["leaf_share"] for h in hme.history_])
        assert display.expert_names == hme.expert_names_
        assert_array_equal(display.objective, [h["log_likelihood"] for h in hme.history_])
        assert len(display.axes_) == 2
    finally:
        plt.close("all")


def test_comparison_table_shows_scores_below_a_thousandth():
    # Fix in _compare._mean_std: the table printed means and stds to at most
    # four decimals, so the RMSE of a target in micro-units (4.8e-07 ± 4.5e-08)
    # read "0.0000 ± 0.0000" for every model.
    from skmoe import ComparisonResult
    rmse = {"lr": np.array([4.0e-7, 5.0e-7, 6.0e-7]), "tree": np.array([0.1, 0.2, 0.3])}
    scores = {name: {"neg_root_mean_squared_error": -values} for name, values in rmse.items()}
    times = {name: np.full(3, 0.01) for name in rmse}
    result = ComparisonResult(list(rmse), ["neg_root_mean_squared_error"], scores, times,
                              times, [20, 20, 20], [10, 10, 10])
    lines = {line.split()[0]: line for line in result.table().splitlines()[3:5]}
    mean, std = np.mean(rmse["lr"]), np.std(rmse["lr"])
    assert f"{mean:#.3g} ± {std:#.2g} *" in lines["lr"]        # 5.00e-07 ± 8.2e-08 *
    assert "0.200 ± 0.082" in lines["tree"]                     # unchanged above 1e-3


def test_guard_weighted_exact_em_never_lowers_its_log_likelihood_and_reports_it():
    # Exact EM (cv=None) and the tree mixture with sample weights: history_'s
    # log-likelihood never decreases, and log_likelihood_ is the weighted mean
    # of log_likelihood_samples on the training rows.
    from sklearn.linear_model import LogisticRegression

    from skmoe import HierarchicalMixtureClassifier, HierarchicalMixtureRegressor
    rng = np.random.RandomState(3)
    X = rng.normal(size=(120, 3))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.3 * rng.normal(size=120)
    labels = np.digitize(y, [-0.5, 0.8])
    w = rng.uniform(0.1, 3.0, size=120)
    models = [
        (HierarchicalMixtureRegressor(LinearRegression(), branching=(2, 2), max_iter=12,
                                      tol=0, random_state=0), y),
        (HierarchicalMixtureClassifier(LogisticRegression(), branching=(2,), max_iter=12,
                                       tol=0, random_state=0), labels),
        (MixtureOfExpertsRegressor(LinearRegression(), n_experts=3, training="em", cv=None,
                                   max_iter=12, tol=0, random_state=0), y),
    ]
    for model, target in models:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, target, sample_weight=w)
        curve = np.array([h["log_likelihood"] for h in model.history_])
        assert np.all(np.diff(curve) >= -1e-12), type(model).__name__
        assert_allclose(model.log_likelihood_,
                        np.average(model.log_likelihood_samples(X, target), weights=w),
                        rtol=1e-10)


def test_guard_ensembles_are_scikit_learns_voting_with_a_dropped_expert_and_weights():
    # Weights given per listed expert, one of them dropped: the ensembles agree
    # with VotingClassifier / VotingRegressor on the same experts and weights.
    from sklearn.ensemble import VotingClassifier, VotingRegressor
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.tree import DecisionTreeClassifier

    from skmoe import EnsembleClassifier, EnsembleRegressor
    X, y, rng = _regression_data()
    labels = np.array(["x", "y", "z"])[np.digitize(y, [0.2, 1.2])]
    w = rng.randint(1, 4, size=len(y)).astype(float)
    classifiers = [("logit", LogisticRegression()),
                   ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
                   ("nb", GaussianNB())]
    for voting in ("soft", "hard"):
        ours = EnsembleClassifier(classifiers, voting=voting, weights=[1, 5, 2]).set_params(
            tree="drop").fit(X, labels, sample_weight=w)
        theirs = VotingClassifier(classifiers, voting=voting, weights=[1, 5, 2]).set_params(
            tree="drop").fit(X, labels, sample_weight=w)
        assert_array_equal(ours.predict(X), theirs.predict(X))
        if voting == "soft":
            assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-12)
    regressors = [("line", LinearRegression()),
                  ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
                  ("knn", KNeighborsRegressor())]
    ours = EnsembleRegressor(regressors, weights=[1, 5, 2]).set_params(tree="drop").fit(X, y)
    theirs = VotingRegressor(regressors, weights=[1, 5, 2]).set_params(tree="drop").fit(X, y)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12, atol=1e-12)
    assert_allclose(ours.weights_, [1 / 3, 2 / 3])


def test_guard_leave_one_out_ridge_head_is_ridgecv_then_ridge():
    # The stacked gate's regression head: its weighted leave-one-out errors,
    # penalty and coefficients are scikit-learn's RidgeCV(store_cv_results)
    # followed by Ridge(alpha_), with sample weights, on n > p and n < p.
    from sklearn.linear_model import Ridge, RidgeCV

    from skmoe._candidates import LeaveOneOutRidge
    rng = np.random.RandomState(0)
    alphas = np.array([1e-3, 0.1, 1.0, 10.0, 100.0])
    for n, p in [(50, 3), (6, 10)]:
        X = rng.normal(size=(n, p))
        y = X[:, 0] + rng.normal(size=n)
        w = rng.uniform(0.5, 3.0, size=n)
        ours = LeaveOneOutRidge().fit(X, y, w, alphas)
        cv = RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y, sample_weight=w)
        assert ours.alpha_ == cv.alpha_
        assert_allclose(ours.cv_errors_, cv.cv_results_.mean(axis=0), rtol=1e-8)
        ridge = Ridge(alpha=ours.alpha_).fit(X, y, sample_weight=w)
        assert_allclose(ours.coef_, ridge.coef_, rtol=1e-8, atol=1e-12)
        assert_allclose(ours.intercept_, ridge.intercept_, rtol=1e-8, atol=1e-12)


def _above(X, threshold):
    return X[:, 0] > threshold


def test_guard_rule_expert_calibration_table_is_the_smoothed_weighted_frequencies():
    # P(class | outcome) = (weighted count + smoothing * prior) / (weighted
    # outcome total + smoothing), weights in units of their mean; the last row
    # is the weighted class prior.
    from skmoe import RuleExpert
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=200) > 0.3).astype(int)
    w = rng.uniform(0.2, 3.0, size=200)
    rule = RuleExpert(_above, params={"threshold": 0.0}, task="classification",
                      smoothing=2.0).fit(X, y, sample_weight=w)
    said = X[:, 0] > rule.params_["threshold"]
    wn = w / w.mean()
    prior = np.array([wn[y == c].sum() for c in (0, 1)]) / wn.sum()
    table = [[(wn[(said == s) & (y == c)].sum() + 2.0 * prior[c]) / (wn[said == s].sum() + 2.0)
              for c in (0, 1)] for s in (False, True)]
    assert_allclose(rule.proba_table_, np.vstack([table, prior]), rtol=1e-12)
    assert_allclose(rule.predict_proba(X), np.vstack([table, prior])[said.astype(int)],
                    rtol=1e-12)


def test_early_stopping_keeps_the_network_of_the_lowest_validation_loss():
    # Fix in _training.EarlyStopping: the weights were kept only at an
    # improvement by more than tol, so the network restored was that of the
    # last such epoch, not the best one ("the best weights are kept"): with
    # tol=1000 the validation losses 1.108, 1.040, 0.977 restored epoch 1,
    # predictions 0.26 away from the epoch-3 network that tol=0 keeps.
    from skmoe.experts import TorchMLPRegressor
    X, y, _ = _regression_data(n=200)
    params = dict(hidden_layer_sizes=(8,), learning_rate=1e-2, early_stopping=True,
                  n_iter_no_change=2, max_epochs=3, random_state=0)
    strict = TorchMLPRegressor(tol=0.0, **params).fit(X, y)
    loose = TorchMLPRegressor(tol=1e3, **params).fit(X, y)
    curve = [h["validation_loss"] for h in loose.history_]
    assert loose.n_iter_ == strict.n_iter_ == 3
    assert curve[2] < curve[1] < curve[0]          # the last epoch is the best
    assert_array_equal(loose.predict(X), strict.predict(X))


def test_torch_classifier_probabilities_sum_to_one():
    # Fix in experts.TorchMLPClassifier (and the batched predict of the
    # mixtures, skmoe._device_predict): the softmax was taken in float32, so
    # rows summed to one only within ~1e-7 (1.6e-7 on these rows) and
    # scikit-learn's log_loss warned "The y_prob values do not sum to one".
    from sklearn.metrics import log_loss

    from skmoe.experts import TorchMLPClassifier
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 5))
    y = np.digitize(X[:, 0] + X[:, 1] * X[:, 2] + 0.3 * rng.normal(size=2000),
                    [-1, -0.3, 0.3, 1])
    model = TorchMLPClassifier((16,), max_epochs=3, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_loss(y, proba)


def test_multi_task_gate_weights_sum_to_one():
    # Fix in MultiGateMixtureOfExperts.predict_gate and the heterogeneous
    # mixture's gates: softmaxes taken in float32 summed to one only within
    # ~1e-7 per row ("Rows sum to one", their docstrings say).
    from sklearn.tree import DecisionTreeRegressor as Tree

    from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    Y = np.column_stack([X[:, 0] + np.abs(X[:, 1]), X[:, 2] > 0])
    tasks = ["regression", "binary"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gates = [MultiGateMixtureOfExperts(tasks=tasks, architecture=architecture, n_experts=4,
                                           max_iter=5, random_state=0).fit(X, Y).predict_gate(X)
                 for architecture in ("mmoe", "ple")]
        gates.append(HeterogeneousMultiGateMixtureOfExperts(
            [("line", LinearRegression()), ("tree", Tree(max_depth=3, random_state=0))],
            tasks=tasks, random_state=0).fit(X, Y).predict_gate(X))
    for weights in gates:
        assert_allclose(weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
