"""Defects left over by the earlier sweeps, second round: learning rates and
weight decays that overflow float32 training, HME branchings, bool-like flags,
huge feature values, and the stacked gate's parameter count.

Each test fails without its fix.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts,
                   TorchMLPClassifier, TorchMLPRegressor)


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, X[:, 0] + 0.1 * rng.randn(n)


FIXED = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]


def _torch_pair():
    return [("a", TorchMLPRegressor((4,), max_epochs=3, random_state=0)),
            ("b", TorchMLPRegressor((4,), max_epochs=3, random_state=1))]


# ------------------------------------------------ 1. learning rates and decays
# learning_rate=1e38 passed the (0, inf) check and stopped inside torch's Adam:
# "RuntimeError: value cannot be converted to type float without overflow"
# (its first step is 10 x learning_rate, beyond float32). So did weight_decay
# or alpha=1e300.
@pytest.mark.parametrize("make, name, owner", [
    (lambda v: TorchMLPRegressor((4,), learning_rate=v, max_epochs=2),
     "learning_rate", "TorchMLPRegressor"),
    (lambda v: TorchMLPClassifier((4,), learning_rate=v, max_epochs=2),
     "learning_rate", "TorchMLPClassifier"),
    (lambda v: TorchMLPRegressor((4,), weight_decay=v, max_epochs=2),
     "weight_decay", "TorchMLPRegressor"),
    (lambda v: MultiGateMixtureOfExperts(n_experts=2, learning_rate=v, max_iter=2),
     "learning_rate", "MultiGateMixtureOfExperts"),
    (lambda v: MultiGateMixtureOfExperts(n_experts=2, alpha=v, max_iter=2),
     "alpha", "MultiGateMixtureOfExperts"),
    (lambda v: MixtureOfExpertsRegressor(_torch_pair(), training="gradient",
                                         learning_rate=v, max_epochs=2),
     "learning_rate", "MixtureOfExpertsRegressor"),
])
@pytest.mark.parametrize("value", [1e38, 1e300])
def test_learning_rate_or_decay_beyond_float32_is_named(make, name, owner, value):
    X, y = _regression()
    target = (y > 0).astype(int) if owner == "TorchMLPClassifier" else y
    if owner == "MultiGateMixtureOfExperts":
        target = np.c_[y, X[:, 1]]
    with pytest.raises(ValueError, match=f"'{name}' parameter of {owner} must be a float "
                                         r"in the range .*1e\+37\)"):
        make(value).fit(X, target)


@pytest.mark.parametrize("gate, message", [
    (MLPGate((4,), solver="adam", learning_rate=1e300), "gate learning_rate must be"),
    (MLPGate((4,), alpha=1e300), "gate alpha must be"),
    (MLPGate((4,), learning_rate=True), "gate learning_rate must be"),
])
@pytest.mark.parametrize("training", ["em", "gradient"])
def test_gate_rates_beyond_float32_are_named(gate, message, training):
    # EM: learning_rate=1e300 gave the adam gate NaN weights and the mixture
    # NaN predictions, silently. Gradient training with torch experts:
    # alpha=1e300 stopped inside torch's Adam (an overflow RuntimeError).
    X, y = _regression()
    experts = FIXED if training == "em" else _torch_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # gate options the gradient trainer ignores
        with pytest.raises(ValueError, match=message + r".*below 1e\+37"):
            MixtureOfExpertsRegressor(experts, gate=gate, training=training, max_iter=2,
                                      max_epochs=2, random_state=0).fit(X, y)


@pytest.mark.parametrize("make, who", [
    (lambda: MultiGateMixtureOfExperts(n_experts=2, learning_rate=1e30, max_iter=3,
                                       random_state=0), "MultiGateMixtureOfExperts"),
    (lambda: MixtureOfExpertsRegressor(_torch_pair(), training="gradient",
                                       learning_rate=1e30, max_epochs=3, random_state=0),
     "The mixture's gradient training"),
    (lambda: MixtureOfExpertsRegressor(FIXED, training="gradient", learning_rate=1e30,
                                       max_epochs=3, random_state=0), "The stacked gate"),
])
def test_a_diverging_network_names_itself_and_its_learning_rate(make, who):
    # The MMoE said "The training loss became NaN or infinite; lower
    # learning_rate", the mixtures "... lower learning_rate.": neither named
    # what diverged nor the value; now one message, the torch MLP expert's.
    X, y = _regression()
    target = np.c_[y, X[:, 1]] if who == "MultiGateMixtureOfExperts" else y
    with pytest.raises(ValueError, match=rf"^{who} diverged: .*; lower learning_rate "
                                         r"\(now 1e\+30\)"):
        make().fit(X, target)


# ----------------------------------------------------------- 2. HME branching
@pytest.mark.parametrize("Estimator", [HierarchicalMixtureRegressor,
                                       HierarchicalMixtureClassifier])
@pytest.mark.parametrize("branching, n_leaves", [
    ((81,), 81), ((9, 9), 81), (10 ** 6, 10 ** 6),
    # A million leaves at each of two levels: arrays of a leaf per entry.
    ((10 ** 6, 10 ** 6), 10 ** 12)])
def test_hme_with_more_leaves_than_rows_is_refused_before_any_leaf_fits(
        Estimator, branching, n_leaves, monkeypatch):
    # branching=(10**6,) on 80 rows cloned and fitted a million leaves per EM
    # iteration (still running after 20 s; (100, 100) took 16 s), and (81,)
    # gave 81 leaves to 80 rows without a word.
    X, y = _regression(n=80)
    fitted = []
    for Expert in (Ridge, LogisticRegression):
        monkeypatch.setattr(Expert, "fit", lambda self, *a, **k: fitted.append(1) or self)
    target = (y > 0).astype(int) if Estimator is HierarchicalMixtureClassifier else y
    expert = LogisticRegression() if Estimator is HierarchicalMixtureClassifier else Ridge()
    with pytest.raises(ValueError, match=rf"^{Estimator.__name__}: branching=.* has "
                                         rf"{n_leaves} leaves, more than its training rows "
                                         r"\(n_samples=80\)"):
        Estimator(expert, branching=branching, max_iter=2, random_state=0).fit(X, target)
    assert not fitted


def test_hme_leaves_are_counted_against_the_rows_of_positive_weight():
    X, y = _regression(n=80)
    weight = np.r_[np.ones(30), np.zeros(50)]
    with pytest.raises(ValueError, match=r"31 leaves, more than its training rows "
                                         r"\(n_samples=30 of positive sample_weight; the 50 "
                                         r"rows of zero weight are left out\)"):
        HierarchicalMixtureRegressor(Ridge(), branching=31, max_iter=2,
                                     random_state=0).fit(X, y, sample_weight=weight)
    # As many leaves as rows is allowed.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # EM stopped at max_iter
        HierarchicalMixtureRegressor(Ridge(), branching=30, max_iter=1,
                                     random_state=0).fit(X, y, sample_weight=weight)


# ------------------------------------------------------ 3. bool-like arguments
@pytest.fixture(scope="module")
def fitted_pair():
    X, y = _regression(n=80)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(FIXED, random_state=0).fit(X, y)
        hme = HierarchicalMixtureRegressor(Ridge(), branching=2, max_iter=2,
                                           random_state=0).fit(X, y)
    return moe, hme, X, y


@pytest.mark.parametrize("call, argument, caller", [
    (lambda moe, hme, X, v: moe.predict(X, return_std=v), "return_std",
     "MixtureOfExpertsRegressor.predict"),
    (lambda moe, hme, X, v: hme.predict(X, return_std=v), "return_std",
     "HierarchicalMixtureRegressor.predict"),
    (lambda moe, hme, X, v: hme.predict_path(X, conditional=v), "conditional",
     "HierarchicalMixtureRegressor.predict_path"),
])
def test_predict_flags_must_be_bools(fitted_pair, call, argument, caller):
    # return_std="no" returned (mean, std): any non-empty string is true.
    moe, hme, X, _ = fitted_pair
    for bad in ("no", "False", 1):
        with pytest.raises(ValueError, match=f"The '{argument}' parameter of {caller} must "
                                             "be an instance of 'bool'"):
            call(moe, hme, X, bad)
    # numpy's bools are bools, and read as such.
    if argument == "return_std":
        mean, std = call(moe, hme, X, np.True_)
        assert std.shape == mean.shape == (len(X),)
        assert call(moe, hme, X, np.False_).shape == (len(X),)
    else:
        assert_allclose(call(moe, hme, X, np.True_)[0], hme.predict_path(X, True)[0])


@pytest.mark.parametrize("argument", ["progress", "greedy_ensemble"])
def test_compare_flags_must_be_bools(argument):
    # progress="no" showed the progress bar, greedy_ensemble="no" added the
    # greedy twins of the ensembles.
    from skmoe import compare

    X, y = _regression()
    with pytest.raises(ValueError, match=f"The '{argument}' parameter of compare must be "
                                         "an instance of 'bool'"):
        compare({"ridge": Ridge(), "tree": DecisionTreeRegressor()}, X, y, cv=2,
                **{argument: "no"})


def test_display_feature_must_not_be_a_bool(fitted_pair):
    # feature=True was read as column 1, and a (0, True) pair as columns 0 and 1.
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skmoe.plotting import GateDisplay, GateRegionDisplay

    moe, _, X, _ = fitted_pair
    try:
        for bad in (True, np.True_):
            with pytest.raises(TypeError, match="^feature must be a column index"):
                GateDisplay.from_estimator(moe, X, feature=bad)
        with pytest.raises(TypeError, match=r"^features\[1\] must be a column index .* "
                                            "got True"):
            GateRegionDisplay.from_estimator(moe, X, features=(0, True))
        assert GateDisplay.from_estimator(moe, X, feature=1).feature_name == "x1"
    finally:
        plt.close("all")


# ------------------------------------------------- 4. a column of huge values
def _scaled_ridge():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), Ridge())


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("scaled", _scaled_ridge()),
                                       ("tree", DecisionTreeRegressor(random_state=0))],
                                      random_state=0),
    lambda: EnsembleRegressor([("scaled", _scaled_ridge()),
                               ("tree", DecisionTreeRegressor(random_state=0))]),
])
@pytest.mark.parametrize("frame", [False, True])
def test_a_column_of_huge_values_is_named_not_reported_as_nan(make, frame):
    # X[:, 0] *= 1e306: StandardScaler's variance overflowed and the expert
    # said "Input X contains NaN" (X holds none); nothing named the column.
    X, y = _regression(n=80)
    X[:, 0] *= 1e306
    column = "column 0"
    if frame:
        pd = pytest.importorskip("pandas")
        X = pd.DataFrame(X, columns=["big", "b", "c"])
        column = "column 'big'"
    with pytest.raises(ValueError) as info:
        make().fit(X, y)
    message = str(info.value)
    # (The expert's own message stays: "Input X contains NaN", or Ridge's
    # "array must not contain infs or NaNs".)
    assert message.startswith("Expert 'scaled' (Pipeline) failed to fit: ")
    assert f"X holds no NaN or infinity, but its {column} reaches 2.38e+306" in message
    assert "its square overflows float64" in message


def test_an_expert_failing_on_huge_values_in_predict_names_the_column():
    X, y = _regression(n=80)
    model = EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())]).fit(X, y)
    X[:, 2] *= 1e40     # beyond float32 (3.4e38); its square still fits float64
    with pytest.raises(ValueError, match=r"Expert 'tree' \(DecisionTreeRegressor\) failed in "
                                         r"predict: .*float32.* \(X holds no NaN or infinity, "
                                         r"but its column 2 reaches .*e\+40: beyond float32"):
        model.predict(X)
    X[:, 2] /= 1e10     # 1e30, within float32: the tree predicts
    assert np.isfinite(model.predict(X)).all()


# ------------------------------------- 5. the stacked gate's parameter count
def test_bic_counts_the_constant_blends_free_weights():
    # The constant blend's M logits are a buffer of the gate's module, not a
    # parameter: with a share of the final predictor (2 % at least), its
    # M - 1 free weights were missing from bic/aic's count.
    import copy

    from skmoe._blend import ConstantLogits, MixedLogits
    from skmoe._selection import n_free_parameters

    rng = np.random.RandomState(0)
    X = rng.randn(120, 2)
    y = X[:, 0] + 0.3 * rng.randn(120)
    experts = [("ols", LinearRegression()), ("ridge", Ridge(alpha=10.0)),
               ("stiff", Ridge(alpha=100.0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixtureOfExpertsRegressor(experts, gate=MLPGate(hidden_layer_sizes=()),
                                          random_state=0).fit(X, y)
    assert model.candidate_weights_["constant"] > 0
    assert isinstance(model.gate_.module_, MixedLogits)
    # The blend of the gate network and the constant counts M - 1 = 2 more
    # than the gate network alone.
    alone = copy.deepcopy(model)
    alone.gate_.use_module(model.gate_.module_.first)
    assert n_free_parameters(model) - n_free_parameters(alone) == 2
    # The constant blend alone, counted in full: 3 experts of 3 coefficients,
    # 2 free blend weights, the heads, the candidates' weights (summing to
    # one), 3 noise scales.
    alone.gate_.use_module(ConstantLogits(np.zeros(3)))
    heads = sum(head.n_parameters for _, head in model.combiner_.heads)
    assert n_free_parameters(alone) == 9 + 2 + heads + len(model.candidate_weights_) - 1 + 3
