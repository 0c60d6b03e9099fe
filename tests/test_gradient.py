"""End-to-end gradient training (training="gradient") and batched MLP experts."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from lightgbm import LGBMClassifier, LGBMRegressor
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, MLPGate
from skmoe._joint import JointMixture, _ExpertGroup, mixture_loss
from skmoe._nn import make_mlp
from skmoe.datasets import make_regimes
from skmoe.experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
LINEAR_GATE = MLPGate(hidden_layer_sizes=())


def parabola_rule(X, centre):
    return 40.0 - (X[:, 0] - centre) ** 2


def nan_rule(X):
    return np.where(X[:, 0] > 5, np.nan, X[:, 0])


def quadratic_regimes(n_samples=1500, random_state=0):
    """make_regimes with features (x, x^2): each regime is linear in them."""
    X, y, regime = make_regimes(n_samples=n_samples, noise=1.0, return_regime=True,
                                random_state=random_state)
    return np.column_stack([X[:, 0], X[:, 0] ** 2]), y, regime


@pytest.fixture(scope="module")
def linear_mixture():
    X, y, regime = quadratic_regimes()
    moe = MixtureOfExpertsRegressor(
        TorchMLPRegressor(hidden_layer_sizes=()), n_experts=2, training="gradient",
        gate=LINEAR_GATE, learning_rate=3e-2, batch_size=128, max_epochs=300,
        random_state=0).fit(X, y)
    return moe, X, y, regime


def test_recovers_the_two_regimes(linear_mixture):
    moe, X, y, regime = linear_mixture
    chosen = moe.predict_gate(X).argmax(axis=1)
    away = np.abs(X[:, 0] - 5.0) > 0.5
    agreement = (chosen == regime)[away].mean()
    # Copies of one expert: the labels may come out swapped.
    assert max(agreement, 1 - agreement) >= 0.97
    # Each regime's noise is N(0, 1).
    assert_allclose(moe.noise_variance_, 1.0, rtol=0.25)
    # The line y = 5x is one expert: the expert owning regime 0 predicts it.
    owner = np.bincount(chosen[regime == 0]).argmax()
    line = moe.predict_experts(np.array([[2.0, 4.0]]))[0, owner]
    assert_allclose(line, 10.0, atol=0.5)


def test_negative_log_likelihood_decreases(linear_mixture):
    moe = linear_mixture[0]
    train = np.array([h["train_loss"] for h in moe.history_])
    validation = np.array([h["validation_loss"] for h in moe.history_])
    assert train[-1] < train[0] - 0.5
    assert validation.min() < validation[0] - 0.5
    # Mostly downhill: per-epoch noise from minibatches, but no drift upwards.
    assert np.mean(np.diff(train[:20]) < 0) > 0.7
    assert moe.converged_ and moe.n_iter_ == len(moe.history_)
    assert {"epoch", "train_loss", "validation_loss", "log_likelihood", "expert_share",
            "seconds"} <= set(moe.history_[0])
    assert_allclose(moe.history_[-1]["expert_share"].sum(), 1.0, rtol=1e-5)
    # The reported log-likelihood is the mean of log_likelihood_samples.
    _, X, y, _ = linear_mixture
    assert_allclose(moe.log_likelihood_, moe.log_likelihood_samples(X, y).mean(), rtol=1e-3)


def test_batched_experts_match_a_loop_over_experts():
    torch.manual_seed(0)
    mlps = [make_mlp(3, (8, 8), 1, "tanh") for _ in range(4)]
    architecture = ((8, 8), "tanh", 0.0, 1)
    # Experts 1, 2, 3, 4 batched; expert 0 is a fixed (cached) one.
    group = _ExpertGroup([1, 2, 3, 4], mlps, architecture)
    gate = make_mlp(3, (), 5)
    model = JointMixture(gate, [group], [0], 5, regression=True,
                         log_variance=torch.zeros(5))
    x, fixed = torch.randn(7, 3), torch.randn(7, 1)
    y, w = torch.randn(7), torch.ones(7)
    log_g, out = model(x, x, fixed)
    looped = torch.cat([fixed] + [m(x) for m in mlps], dim=1)
    assert_allclose(out.detach(), looped.detach(), atol=1e-6)
    # Gradients of the mixture loss agree with the looped computation.
    mixture_loss(model, log_g, out, y, w, "nll")[0].backward()
    log_g2 = torch.log_softmax(gate(x), dim=1)
    reference = -torch.logsumexp(log_g2 - 0.5 * (np.log(2 * np.pi) + (y[:, None] - looped) ** 2),
                                 dim=1).mean()
    gate.zero_grad()
    reference.backward()
    batched_grad = group.net.layers[0].weight.grad
    looped_grad = torch.stack([m[0].weight.grad.T for m in mlps])
    assert_allclose(batched_grad, looped_grad, atol=1e-5)
    # Unstacking gives back the same networks.
    for original, copy in zip(mlps, group.net.to_mlps("tanh")):
        assert_allclose(copy(x).detach(), original(x).detach(), atol=1e-6)


def test_exported_experts_predict_what_was_trained(linear_mixture):
    moe, X, _, _ = linear_mixture
    experts = moe.predict_experts(X[:50])
    for i, expert in enumerate(moe.experts_):
        assert isinstance(expert, TorchMLPRegressor)
        assert_allclose(expert.predict(X[:50]), experts[:, i])


@pytest.fixture(scope="module")
def hybrid():
    X, y = make_regimes(n_samples=600, random_state=0)
    experts = [("gbm", LGBMRegressor(n_estimators=30, num_leaves=7, n_jobs=1, verbose=-1)),
               ("mlp", TorchMLPRegressor(hidden_layer_sizes=(16,))),
               ("rule", RuleExpert(parabola_rule, params={"centre": 4.0}))]
    moe = MixtureOfExpertsRegressor(experts, training="gradient", learning_rate=1e-2,
                                    max_epochs=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe.fit(X, y)
    return moe, X, y


def test_hybrid_mixture_fits_predicts_and_pickles(hybrid):
    moe, X, y = hybrid
    assert moe.score(X, y) > 0.9
    assert isinstance(moe.named_experts_.gbm, LGBMRegressor)
    assert isinstance(moe.named_experts_.mlp, TorchMLPRegressor)
    assert moe.named_experts_.rule.params_["centre"] != 4.0
    mean, std = moe.predict(X, return_std=True)
    assert np.all(std > 0) and mean.shape == (len(X),)
    loaded = pickle.loads(pickle.dumps(moe))
    # Equal up to float32 rounding (fitted on a GPU, the loaded copy runs on the CPU).
    assert_allclose(loaded.predict(X), moe.predict(X), rtol=1e-5, atol=1e-5)
    assert_allclose(loaded.predict_gate(X), moe.predict_gate(X), atol=1e-6)


def test_fixed_experts_are_judged_on_honest_predictions():
    # An unpruned tree memorises its rows; on out-of-fold predictions its noise
    # is the noise of the data, not zero, so it cannot claim every row.
    from sklearn.tree import DecisionTreeRegressor
    X, y = make_regimes(n_samples=400, random_state=0)
    moe = MixtureOfExpertsRegressor(
        [("tree", DecisionTreeRegressor()), ("line", LinearRegression())],
        training="gradient", gate=LINEAR_GATE, learning_rate=3e-2, random_state=0)
    moe.fit(X, y)
    assert moe.noise_variance_[0] > 0.5


def test_classifier_hybrid_on_iris():
    X, y = load_iris(return_X_y=True)
    moe = MixtureOfExpertsClassifier(
        [("gbm", LGBMClassifier(n_estimators=20, n_jobs=1, verbose=-1)),
         ("logit", LogisticRegression(max_iter=500)),
         ("mlp", TorchMLPClassifier(hidden_layer_sizes=(16,))),
         ("mlp2", TorchMLPClassifier(hidden_layer_sizes=(16,)))],
        training="gradient", learning_rate=1e-2, random_state=0).fit(X, y)
    assert moe.score(X, y) > 0.93
    assert_allclose(moe.predict_proba(X).sum(axis=1), 1.0, rtol=1e-6)
    assert moe.log_likelihood_ > -0.3
    assert isinstance(moe.named_experts_.mlp, TorchMLPClassifier)


def test_task_loss_option():
    X, y, _ = quadratic_regimes(n_samples=400)
    moe = MixtureOfExpertsRegressor(
        TorchMLPRegressor(hidden_layer_sizes=(8,)), n_experts=2, training="gradient",
        loss="squared_error", learning_rate=1e-2, random_state=0).fit(X, y)
    assert moe.score(X, y) > 0.9
    assert "log_likelihood" not in moe.history_[0]
    assert np.all(moe.noise_variance_ > 0.1)
    classifier = MixtureOfExpertsClassifier(
        [("a", LogisticRegression()), ("b", LogisticRegression())], training="gradient",
        loss="squared_error")
    with pytest.raises(ValueError, match="'loss' parameter of MixtureOfExpertsClassifier"):
        classifier.fit(*load_iris(return_X_y=True))


def test_same_seed_same_predictions_and_no_validation_runs_all_epochs():
    X, y, _ = quadratic_regimes(n_samples=300)
    params = dict(experts=[("line", LinearRegression()),
                           ("mlp", TorchMLPRegressor(hidden_layer_sizes=(8,)))],
                  training="gradient", validation_fraction=0.0, max_epochs=7,
                  n_iter_no_change=50, random_state=3)
    a = MixtureOfExpertsRegressor(**params).fit(X, y)
    b = MixtureOfExpertsRegressor(**params).fit(X, y)
    assert a.n_iter_ == 7 and len(a.history_) == 7
    assert_allclose(a.predict(X), b.predict(X))


def test_rule_returning_nan_names_the_expert():
    X, y = make_regimes(n_samples=100, random_state=0)
    moe = MixtureOfExpertsRegressor([("line", LinearRegression()),
                                     ("bad", RuleExpert(nan_rule))], training="gradient")
    with pytest.raises(ValueError, match=r"Expert 'bad'.*nan_rule\) returned NaN"):
        moe.fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present")
def test_cuda_requested_without_cuda():
    X, y = make_regimes(n_samples=50, random_state=0)
    moe = MixtureOfExpertsRegressor([("a", LinearRegression()),
                                     ("b", TorchMLPRegressor(max_epochs=2))],
                                    training="gradient", device="cuda")
    with pytest.raises(ValueError, match="device='cuda' was requested but CUDA"):
        moe.fit(X, y)


def test_wrong_n_features_at_predict(hybrid):
    moe, X, _ = hybrid
    with pytest.raises(ValueError, match="features"):
        moe.predict(np.hstack([X, X]))


@needs_cuda
def test_cpu_and_gpu_give_the_same_predictions(monkeypatch):
    X, y, _ = quadratic_regimes(n_samples=400)
    params = dict(experts=[("line", LinearRegression()),
                           ("mlp", TorchMLPRegressor(hidden_layer_sizes=(16,)))],
                  training="gradient", validation_fraction=0.0, max_epochs=5,
                  random_state=0)
    cpu = MixtureOfExpertsRegressor(**params, device="cpu").fit(X, y)
    gpu = MixtureOfExpertsRegressor(**params, device="cuda").fit(X, y)
    assert gpu.gate_.device_.type == "cuda"
    assert gpu.named_experts_.mlp.device_.type == "cuda"
    assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-3, atol=1e-3 * y.std())
    assert_allclose(gpu.predict_gate(X), cpu.predict_gate(X), atol=1e-3)
    # Pickled on the GPU, loads and predicts on a machine without CUDA.
    data = pickle.dumps(gpu)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = pickle.loads(data)
    assert next(loaded.named_experts_.mlp.module_.parameters()).device.type == "cpu"
    assert_allclose(loaded.predict(X), gpu.predict(X), rtol=1e-4, atol=1e-4 * y.std())


@needs_cuda
def test_auto_device_uses_cuda_for_gate_and_experts():
    X, y, _ = quadratic_regimes(n_samples=200)
    moe = MixtureOfExpertsRegressor(TorchMLPRegressor(hidden_layer_sizes=(8,)), n_experts=3,
                                    training="gradient", max_epochs=3,
                                    validation_fraction=0.0).fit(X, y)
    assert next(moe.gate_.module_.parameters()).device.type == "cuda"
    assert all(e.device_.type == "cuda" for e in moe.experts_)


def test_mixed_architectures_keep_the_expert_order():
    # Two batched groups ((8,) twice, (4,) once) around a fixed expert.
    X, y, _ = quadratic_regimes(n_samples=300)
    experts = [("a", TorchMLPRegressor(hidden_layer_sizes=(8,))), ("line", LinearRegression()),
               ("b", TorchMLPRegressor(hidden_layer_sizes=(4,))),
               ("c", TorchMLPRegressor(hidden_layer_sizes=(8,)))]
    moe = MixtureOfExpertsRegressor(experts, training="gradient", max_epochs=3,
                                    validation_fraction=0.0, random_state=0).fit(X, y)
    widths = [e.module_[0].out_features if hasattr(e, "module_") else None
              for e in moe.experts_]
    assert widths == [8, None, 4, 8]
    assert isinstance(moe.experts_[1], LinearRegression)
    assert_allclose(moe.predict_experts(X[:5])[:, 1], moe.experts_[1].predict(X[:5]))


@needs_cuda
def test_cuda_graph_steps_match_eager_steps(monkeypatch):
    # 5000 rows, batches of 256: 19 graphed steps and one eager step per epoch.
    from skmoe import _gradient
    X, y, _ = quadratic_regimes(n_samples=5000)
    params = dict(experts=[("line", LinearRegression())] + [
                      (f"mlp{i}", TorchMLPRegressor(hidden_layer_sizes=(16,))) for i in range(3)],
                  training="gradient", validation_fraction=0.0, max_epochs=3,
                  device="cuda", random_state=0)
    captured = []
    original = _gradient.Stepper.epoch

    def spy(self, train, generator):
        out = original(self, train, generator)
        captured.append(self.graph is not None)
        return out

    monkeypatch.setattr(_gradient.Stepper, "epoch", spy)
    graphed = MixtureOfExpertsRegressor(**params).fit(X, y)
    assert all(captured)
    monkeypatch.setattr(_gradient, "CUDA_GRAPHS", False)
    eager = MixtureOfExpertsRegressor(**params).fit(X, y)
    assert not any(captured[3:])
    assert_allclose(graphed.predict(X), eager.predict(X), rtol=1e-3, atol=1e-3 * y.std())
    assert_allclose([h["train_loss"] for h in graphed.history_],
                    [h["train_loss"] for h in eager.history_], rtol=1e-3)


def test_joint_trainer_clips_the_gates_inputs_not_the_experts(monkeypatch):
    # The gate reads its inputs clipped (MLPGate.clip); torch experts that
    # share the standardised X with it must still read the real values.
    import skmoe._joint as joint
    from skmoe.gates import INPUT_CLIP
    built = []
    from_problem = joint.TrainingData.from_problem.__func__

    def recorded(cls, *args, **kwargs):
        built.append(from_problem(cls, *args, **kwargs))
        return built[-1]

    monkeypatch.setattr(joint.TrainingData, "from_problem", classmethod(recorded))
    X, y, _ = quadratic_regimes(n_samples=300)
    X[0, 0] = X[:, 0].mean() + 50 * X[:, 0].std()     # one outlying training row
    MixtureOfExpertsRegressor(
        TorchMLPRegressor(hidden_layer_sizes=(), max_epochs=2), n_experts=2,
        training="gradient", gate=LINEAR_GATE, max_epochs=2, random_state=0).fit(X, y)
    data = built[0]
    assert float(data.z_gate.abs().max()) <= INPUT_CLIP
    assert float(data.z_expert.abs().max()) > 10
