"""Saving and loading with skops.io (trusted types only) and pickle."""

import importlib
import pickle

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts, _blend,
                   _persistence)
from skmoe.experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor
from skmoe.persistence import trusted_types, untrusted_types

sio = pytest.importorskip("skops.io")
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)
MLP = dict(hidden_layer_sizes=(8,), max_epochs=5, random_state=0)
TREE = "sklearn.tree._tree.Tree"
# Methods whose outputs must be the same after loading, where an estimator has them.
METHODS = ("predict", "predict_proba", "predict_gate", "predict_log_proba")


# Module level, so that skops and pickle find them by name.
def first_column(X):
    return X[:, 0]


def scaled_column(X, scale):
    return scale * X[:, 1]


def half_first_column(X):
    return 0.5 * X[:, 0]


def zeros(X):
    return np.zeros(len(X))


class TinyExpert(torch.nn.Module):
    """A user module for MultiGateMixtureOfExperts(expert_module=...)."""

    def __init__(self, n_in=3, units=4):
        super().__init__()
        self.linear = torch.nn.Linear(n_in, units)

    def forward(self, x):
        return torch.tanh(self.linear(x))


RULE = f"{__name__}.first_column"
RULE_PARAMS = f"{__name__}.scaled_column"
TINY = f"{__name__}.TinyExpert"


def _regressors():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]


def _classifiers():
    return [("logit", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))]


# name -> (factory, target kind, the types beyond trusted_types() the file holds)
CASES = {
    "moe_gradient_stacked": (lambda: MixtureOfExpertsRegressor(
        _regressors(), max_epochs=20, random_state=0), "reg", {TREE}),
    "moe_gradient_stacked_classifier": (lambda: MixtureOfExpertsClassifier(
        _classifiers(), max_epochs=20, random_state=0), "clf", {TREE}),
    "moe_gradient_torch": (lambda: MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("mlp", TorchMLPRegressor((8,)))], max_epochs=5,
        random_state=0), "reg", set()),
    "moe_gradient_torch_classifier": (lambda: MixtureOfExpertsClassifier(
        [("logit", LogisticRegression()), ("mlp", TorchMLPClassifier((8,)))], max_epochs=5,
        random_state=0), "clf3", set()),
    "moe_em": (lambda: MixtureOfExpertsRegressor(
        _regressors(), training="em", gate=FAST_GATE, max_iter=3, random_state=0),
        "reg", {TREE}),
    "moe_em_classifier": (lambda: MixtureOfExpertsClassifier(
        _classifiers(), training="em", gate=FAST_GATE, max_iter=3, random_state=0),
        "clf", {TREE}),
    "moe_topk_noisy": (lambda: MixtureOfExpertsRegressor(
        Ridge(), n_experts=3, training="gradient", top_k=1, noisy_gating=True,
        balance_coef=0.01, max_epochs=5, random_state=0), "reg", set()),
    "moe_em_topk_capacity": (lambda: MixtureOfExpertsRegressor(
        _regressors(), training="em", gate=FAST_GATE, max_iter=3, top_k=1,
        capacity_factor=2.0, random_state=0), "reg", {TREE}),
    "ensemble": (lambda: EnsembleRegressor(_regressors(), weights="greedy", cv=3,
                                           n_rounds=5), "reg", {TREE}),
    "ensemble_classifier": (lambda: EnsembleClassifier(_classifiers()), "clf", {TREE}),
    "hme": (lambda: HierarchicalMixtureRegressor(
        Ridge(), branching=(2, 2), gate=FAST_GATE, max_iter=3, random_state=0),
        "reg", set()),
    "hme_classifier": (lambda: HierarchicalMixtureClassifier(
        LogisticRegression(), branching=(2, 2), gate=FAST_GATE, max_iter=3,
        random_state=0), "clf", set()),
    "mmoe": (lambda: MultiGateMixtureOfExperts(
        n_experts=2, expert_units=4, max_iter=5, random_state=0), "multi", set()),
    "mmoe_ple": (lambda: MultiGateMixtureOfExperts(
        architecture="ple", expert_units=4, max_iter=5, random_state=0), "multi", set()),
    "mmoe_user_module": (lambda: MultiGateMixtureOfExperts(
        n_experts=2, expert_module=TinyExpert, max_iter=5, random_state=0),
        "multi", {TINY}),
    "hetero_mmoe": (lambda: HeterogeneousMultiGateMixtureOfExperts(
        _regressors(), max_iter=10, random_state=0), "multi", {TREE}),
    "torch_mlp": (lambda: TorchMLPRegressor(**MLP), "reg", set()),
    "torch_mlp_classifier": (lambda: TorchMLPClassifier(**MLP), "clf3", set()),
    "rule": (lambda: RuleExpert(first_column), "reg", {RULE}),
    "rule_with_params": (lambda: RuleExpert(scaled_column, params={"scale": 1.0}),
                         "reg", {RULE_PARAMS}),
}


def _data(kind, n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.1 * rng.normal(size=n)
    if kind == "reg":
        return X, y
    if kind == "clf":
        return X, np.where(y > np.median(y), "yes", "no")
    if kind == "clf3":
        return X, np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    return X, np.column_stack([y, X[:, 2] ** 2])


_FITTED = {}


def fitted(name):
    """The fitted estimator of case ``name`` and its X (fitted once per session)."""
    if name not in _FITTED:
        factory, kind, _ = CASES[name]
        X, y = _data(kind)
        _FITTED[name] = factory().fit(X, y), X
    return _FITTED[name]


def _outputs(estimator, X):
    return {method: np.asarray(getattr(estimator, method)(X)) for method in METHODS
            if hasattr(estimator, method)}


def assert_same_predictions(loaded, original, X, other_device=False):
    """Equal outputs; to float32 rounding where ``loaded`` runs on another
    device than ``original`` (a GPU-fitted model restored on the CPU)."""
    expected = _outputs(original, X)
    assert expected, "nothing to compare"
    got = _outputs(loaded, X)
    assert got.keys() == expected.keys()
    tolerance = 1e-5 if other_device else 1e-12
    for method, values in expected.items():
        if values.dtype.kind in "fc":
            assert_allclose(got[method], values, rtol=tolerance, atol=tolerance,
                            err_msg=method)
        else:
            np.testing.assert_array_equal(got[method], values, err_msg=method)


def _no_torch_inside(value, seen=None):
    """True when no torch module, tensor, device or dtype is reachable from ``value``."""
    seen = set() if seen is None else seen
    if id(value) in seen or isinstance(value, (str, bytes, int, float, np.ndarray, type)):
        return True
    seen.add(id(value))
    if isinstance(value, (torch.nn.Module, torch.Tensor, torch.device, torch.dtype)):
        return False
    if isinstance(value, dict):
        return all(_no_torch_inside(v, seen) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return all(_no_torch_inside(v, seen) for v in value)
    # What pickle and skops store: __getstate__ (estimators encode their torch objects).
    state = value.__getstate__() if hasattr(value, "__dict__") else None
    return _no_torch_inside(state, seen) if state is not None else True


# ----------------------------------------------------------------- round trips
@pytest.mark.parametrize("name", CASES)
def test_skops_round_trip_with_explicit_trusted_types(name):
    estimator, X = fitted(name)
    data = sio.dumps(estimator)
    expected_extra = CASES[name][2]
    # Beyond skmoe's own types, only the user's experts need reviewing.
    assert set(untrusted_types(data)) == expected_extra
    loaded = sio.loads(data, trusted=trusted_types(expected_extra))
    assert type(loaded) is type(estimator)
    assert_same_predictions(loaded, estimator, X)


@pytest.mark.parametrize("name", ["moe_gradient_torch", "mmoe_user_module", "rule"])
def test_untrusted_types_are_refused(name):
    estimator, _ = fitted(name)
    data = sio.dumps(estimator)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(data)                                  # nothing trusted
    needed = trusted_types(CASES[name][2])
    sio.loads(data, trusted=needed)
    # Each type in the file that skops does not trust by default is needed.
    in_file = sio.get_untrusted_types(data=data)
    assert "skmoe._rules.RuleExpert" in in_file or "skmoe._persistence.TorchTensor" in in_file
    for left_out in in_file:
        with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match=left_out):
            sio.loads(data, trusted=[t for t in needed if t != left_out])


def test_trusted_types_takes_one_name_as_a_string():
    # A string was iterated: its characters ('p', 'k', 'g', ...) were trusted.
    assert trusted_types("pkg.Type") == trusted_types(["pkg.Type"])
    assert "pkg.Type" in trusted_types("pkg.Type") and "p" not in trusted_types("pkg.Type")
    with pytest.raises(TypeError, match="type names"):
        trusted_types([Ridge])


@pytest.mark.parametrize("name", CASES)
def test_pickle_round_trip_stores_no_torch_objects(name):
    estimator, X = fitted(name)
    state = estimator.__getstate__()
    assert _no_torch_inside(state)
    data = pickle.dumps(estimator)
    assert b"_rebuild_" not in data            # no torch storage in the stream
    assert_same_predictions(pickle.loads(data), estimator, X)


def test_saving_leaves_the_fitted_model_as_it_was():
    estimator, X = fitted("moe_gradient_torch")
    before = _outputs(estimator, X)
    gate_module, mlp = estimator.gate_.module_, estimator.named_experts_.mlp.module_
    sio.dumps(estimator)
    pickle.dumps(estimator)
    assert estimator.gate_.module_ is gate_module
    assert estimator.named_experts_.mlp.module_ is mlp
    assert isinstance(estimator.gate_.device_, torch.device)
    for method, values in _outputs(estimator, X).items():
        np.testing.assert_array_equal(values, before[method])


def test_stacked_gate_network_and_linear_head_round_trip(monkeypatch):
    # The stacked gate as a network (BaggedLogits), whichever candidate the
    # held-out losses would pick, the linear head, and blends of candidates.
    monkeypatch.setitem(_blend.LEVERS, "fallback", False)
    X, y = _data("reg")
    moe = MixtureOfExpertsRegressor(_regressors(), max_epochs=20, random_state=0).fit(X, y)
    assert isinstance(moe.gate_.module_, _blend.BaggedLogits)
    loaded = sio.loads(sio.dumps(moe), trusted=trusted_types([TREE]))
    assert isinstance(loaded.gate_.module_, _blend.BaggedLogits)
    assert_same_predictions(loaded, moe, X)

    # Both experts predict half of the truth or less: stacking's linear model wins.
    monkeypatch.undo()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    y = X[:, 0] + 0.01 * rng.normal(size=400)
    moe = MixtureOfExpertsRegressor([("half", RuleExpert(half_first_column)),
                                     ("zero", RuleExpert(zeros))], random_state=0).fit(X, y)
    assert moe.combiner_ is not None
    data = sio.dumps(moe)
    rules = {f"{__name__}.half_first_column", f"{__name__}.zeros"}
    assert set(untrusted_types(data)) == rules
    loaded = sio.loads(data, trusted=trusted_types(rules))
    assert loaded.combiner_ is not None
    assert_same_predictions(loaded, moe, X)

    # A blend of the gate, the constant blend (MixedLogits) and the
    # feature-weighted head (CandidateBlend).
    monkeypatch.setattr(_blend, "choose_candidates", lambda *args, **kwargs: {
        "constant": 0.4, "gate": 0.3, "feature_weighted": 0.3, "linear": 0.0})
    X, y = _data("reg")
    moe = MixtureOfExpertsRegressor(_regressors(), max_epochs=20, random_state=0).fit(X, y)
    assert isinstance(moe.gate_.module_, _blend.MixedLogits)
    assert moe.combiner_ is not None
    loaded = sio.loads(sio.dumps(moe), trusted=trusted_types([TREE]))
    assert isinstance(loaded.gate_.module_, _blend.MixedLogits)
    assert_same_predictions(loaded, moe, X)


# ------------------------------------------------------------------- devices
@pytest.mark.parametrize("name", ["moe_gradient_torch", "torch_mlp", "mmoe", "hetero_mmoe",
                                  "hme"])
@pytest.mark.parametrize("fmt", ["skops", "pickle"])
def test_model_saved_on_cuda_loads_on_cpu(name, fmt, monkeypatch):
    # Simulated on CPU: every tensor and device is recorded as 'cuda:0', as
    # when the model was fitted on a GPU; this machine has no CUDA.
    estimator, X = fitted(name)
    monkeypatch.setattr(_persistence, "_device_name", lambda device: "cuda:0")
    if fmt == "skops":
        data = sio.dumps(estimator)
        assert b"cuda:0" in _schema(data)
    else:
        data = pickle.dumps(estimator)
        assert b"cuda:0" in data
    monkeypatch.undo()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = (sio.loads(data, trusted=trusted_types(CASES[name][2])) if fmt == "skops"
              else pickle.loads(data))
    devices = _torch_devices(loaded)
    assert devices and devices == {"cpu"}
    # On a machine with a GPU the original really ran there.
    assert_same_predictions(loaded, estimator, X,
                            other_device=_torch_devices(estimator) != {"cpu"})


def _schema(data):
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("schema.json")


def _torch_devices(value, seen=None, found=None):
    """Device types of every tensor and ``torch.device`` reachable from ``value``."""
    seen, found = (set(), set()) if seen is None else (seen, found)
    if id(value) in seen or isinstance(value, (str, bytes, int, float, np.ndarray, type)):
        return found
    seen.add(id(value))
    if isinstance(value, torch.device):
        found.add(value.type)
    elif isinstance(value, torch.Tensor):
        found.add(value.device.type)
    elif isinstance(value, torch.nn.Module):
        for tensor in [*value.parameters(), *value.buffers()]:
            found.add(tensor.device.type)
    elif isinstance(value, dict):
        for v in value.values():
            _torch_devices(v, seen, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _torch_devices(v, seen, found)
    else:
        for v in getattr(value, "__dict__", {}).values():
            _torch_devices(v, seen, found)
    return found


def test_device_mapping(monkeypatch):
    map_device = _persistence.map_device
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert map_device("cuda:1") == torch.device("cpu")
    assert map_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert map_device("cuda:0") == torch.device("cuda:0")
    assert map_device("cuda:3") == torch.device("cuda")     # that GPU is not here
    assert map_device("cuda:0", restore="cpu") == torch.device("cpu")


# ------------------------------------------------------------------ encoding
def test_encoding_keeps_dtypes_sharing_and_lazy_parameters():
    shared = torch.nn.Linear(3, 3)
    net = torch.nn.Sequential(shared, torch.nn.ReLU(), shared, torch.nn.LazyLinear(4))
    net.register_buffer("steps", torch.arange(3))
    net.register_buffer("scratch", torch.ones(2), persistent=False)
    state = {"net": net, "half": torch.ones(2, dtype=torch.bfloat16),
             "dtype": torch.float64, "device": torch.device("cpu")}
    assert not _no_torch_inside(state)
    encoded = _persistence.encode(state)
    assert _no_torch_inside(encoded)
    decoded = _persistence.decode(pickle.loads(pickle.dumps(encoded)))
    restored = decoded["net"]
    assert restored[0] is restored[2]                    # tied weights stay tied
    assert isinstance(restored[3].weight, torch.nn.UninitializedParameter)
    assert restored.steps.dtype == torch.int64 and "scratch" not in restored.state_dict()
    assert decoded["half"].dtype == torch.bfloat16
    assert decoded["dtype"] is torch.float64 and decoded["device"] == torch.device("cpu")
    x = torch.randn(5, 3)
    with torch.no_grad():
        assert torch.equal(restored[:3](x), net[:3](x))


def test_trusted_types_name_real_classes():
    for name in trusted_types():
        module, _, attribute = name.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), attribute), type), name
    assert trusted_types(["a.b"]) == sorted({*trusted_types(), "a.b"})
