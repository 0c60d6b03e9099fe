"""Torch MLP experts and rule experts (skmoe.experts)."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from skmoe import MixtureOfExpertsRegressor, MLPGate
from skmoe.datasets import make_regimes
from skmoe._persistence import TorchModule
from skmoe.experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
FAST = dict(hidden_layer_sizes=(16,), learning_rate=1e-2, max_epochs=60, random_state=0)


# Rules used below; defined at module level so that they pickle.
def linear_rule(X, slope, intercept):
    return slope * X[:, 0] + intercept


def above(X, threshold):
    return X[:, 0] > threshold


def parabola_rule(X):
    return 40.0 - (X[:, 0] - 5.0) ** 2


def wrong_shape_rule(X):
    return np.zeros((len(X), 2))


def nan_rule(X):
    out = X[:, 0].copy()
    out[0] = np.nan
    return out


def floor_rule(X):
    return np.floor(X[:, 0])


def failing_rule(X):
    raise KeyError("income")


# ------------------------------------------------------------ torch MLPs
def test_mlp_regressor_fits_a_curve():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(400, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2
    model = TorchMLPRegressor(**FAST).fit(X, y)
    assert model.score(X, y) > 0.9
    assert model.history_[-1]["train_loss"] < model.history_[0]["train_loss"]


def test_mlp_sample_weight_sets_the_weighted_mean():
    # Same x, two targets: the weighted least-squares answer is the weighted mean.
    X = np.zeros((200, 1))
    y = np.r_[np.zeros(100), np.full(100, 10.0)]
    weight = np.r_[np.ones(100), np.full(100, 9.0)]
    model = TorchMLPRegressor(hidden_layer_sizes=(), learning_rate=5e-2, max_epochs=300,
                              batch_size=200, early_stopping=False, n_iter_no_change=300,
                              random_state=0)
    assert_allclose(model.fit(X, y, sample_weight=weight).predict(X[:1]), 9.0, atol=0.05)


def test_mlp_early_stopping_keeps_the_best_epoch():
    X, y = make_regimes(n_samples=300, random_state=0)
    model = TorchMLPRegressor(hidden_layer_sizes=(16,), learning_rate=5e-2, max_epochs=500,
                              n_iter_no_change=5, random_state=0).fit(X, y)
    assert model.n_iter_ < 500
    validation = [h["validation_loss"] for h in model.history_]
    assert min(validation) < validation[-1] or len(validation) == model.n_iter_


def test_mlp_is_deterministic_and_clone_refits_the_same():
    X, y = make_regimes(n_samples=200, random_state=1)
    a = TorchMLPRegressor(**FAST).fit(X, y)
    b = clone(a).fit(X, y)
    assert_allclose(a.predict(X), b.predict(X))


def test_mlp_classifier_string_labels_and_probabilities():
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = TorchMLPClassifier(**FAST).fit(X, labels)
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert model.score(X, labels) > 0.9
    assert set(model.predict(X)) <= set(labels)


def test_mlp_pickles_on_cpu_storage():
    X, y = make_regimes(n_samples=100, random_state=0)
    model = TorchMLPRegressor(**FAST).fit(X, y)
    # The network is pickled as numpy arrays (skmoe._persistence), not torch storages.
    assert isinstance(model.__getstate__()["module_"], TorchModule)
    assert b"_rebuild_" not in pickle.dumps(model)
    # Equal up to float32 rounding (a GPU-fitted model predicts on the CPU after loading).
    assert_allclose(pickle.loads(pickle.dumps(model)).predict(X), model.predict(X),
                    rtol=1e-5, atol=1e-5)


def test_mlp_regressor_rejects_string_targets():
    X = np.zeros((20, 1))
    with pytest.raises(ValueError, match="y must be numeric for TorchMLPRegressor"):
        TorchMLPRegressor(max_epochs=1).fit(X, np.array(["a", "b"] * 10))


@pytest.mark.parametrize("Model", [TorchMLPRegressor, TorchMLPClassifier])
def test_mlp_zero_weight_minibatches_and_split_stay_finite(Model):
    # Rows of weight zero (a mixture's expert routed elsewhere): a minibatch of
    # only such rows had loss 0/0, and every weight of the network became NaN.
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    y = X[:, 0] > 0 if Model is TorchMLPClassifier else 2 * X[:, 0]
    weight = np.zeros(200)
    weight[::10] = 1.0
    model = Model(batch_size=4, max_epochs=5, random_state=0, device="cpu")
    model.fit(X, y, sample_weight=weight)
    assert np.isfinite([r["train_loss"] for r in model.history_]).all()
    assert np.isfinite([r["validation_loss"] for r in model.history_]).all()
    assert np.isfinite(model._forward_numpy(X[:5])).all()


def test_mlp_validation_split_of_weightless_rows_is_redrawn():
    # All the weight on 3 rows of the drawn validation split: the training
    # rows weighed nothing, and the network's predictions were NaN.
    from sklearn.utils import check_random_state
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    seed = check_random_state(0).randint(np.iinfo(np.int32).max)
    validation = np.random.RandomState(seed).permutation(200)[:20]   # as _fit_torch draws it
    weight = np.zeros(200)
    weight[validation[:3]] = 1.0
    model = TorchMLPRegressor(max_epochs=20, random_state=0, device="cpu")
    model.fit(X, 2 * X[:, 0], sample_weight=weight)
    # The 3 weighted rows are split again: one held out (none before, 0.1 of
    # 3 rounding to 0), two to train on; stopped at NaN before the redraw.
    assert np.isfinite([r["validation_loss"] for r in model.history_]).all()
    assert np.isfinite(model.predict(X[:5])).all()


def _pickling_leaves_the_object_unchanged(model):
    before = dict(model.__dict__)
    devices = [p.device for p in model.module_.parameters()]
    pickle.dumps(model)
    assert model.__dict__.keys() == before.keys()  # e.g. no stray '_fitted_on'
    for key, value in before.items():
        assert model.__dict__[key] is value, key  # module_, device_ untouched
    assert [p.device for p in model.module_.parameters()] == devices


def test_pickling_does_not_change_the_fitted_model():
    X, y = make_regimes(n_samples=60, random_state=0)
    regressor = TorchMLPRegressor(max_epochs=2, random_state=0).fit(X, y)
    _pickling_leaves_the_object_unchanged(regressor)
    _pickling_leaves_the_object_unchanged(
        TorchMLPClassifier(max_epochs=2, random_state=0).fit(X, y > np.median(y)))
    targets = np.eye(2)[(X[:, 0] > 0).astype(int)]
    _pickling_leaves_the_object_unchanged(MLPGate(max_iter=5).fit(X, targets))
    assert_allclose(pickle.loads(pickle.dumps(regressor)).predict(X), regressor.predict(X))


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present")
def test_cuda_without_cuda_is_a_clear_error():
    X, y = make_regimes(n_samples=50, random_state=0)
    with pytest.raises(ValueError, match="CUDA is not available"):
        TorchMLPRegressor(device="cuda").fit(X, y)
    # 'auto' falls back to the CPU.
    assert TorchMLPRegressor(max_epochs=2).fit(X, y).device_.type == "cpu"


@needs_cuda
def test_gpu_fitted_model_loads_on_cpu(monkeypatch):
    X, y = make_regimes(n_samples=200, random_state=0)
    model = TorchMLPRegressor(**FAST, device="cuda").fit(X, y)
    assert model.device_.type == "cuda"
    data = pickle.dumps(model)
    # Pickling leaves the fitted model on the GPU.
    assert model.device_.type == "cuda" and "_fitted_on" not in model.__dict__
    assert next(model.module_.parameters()).device.type == "cuda"
    # Where CUDA exists it goes back on the GPU and predicts exactly the same.
    assert_allclose(pickle.loads(data).predict(X), model.predict(X))
    # On a machine without CUDA it loads on the CPU.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = pickle.loads(data)
    assert loaded.device_.type == "cpu"
    assert next(loaded.module_.parameters()).device.type == "cpu"
    assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-4, atol=1e-4)


def test_mlp_serves_as_an_em_expert():
    X, y, regime = make_regimes(n_samples=400, return_regime=True, random_state=0)
    moe = MixtureOfExpertsRegressor(
        [("line", LinearRegression()), ("mlp", TorchMLPRegressor(**FAST))],
        training="em", gate=MLPGate(hidden_layer_sizes=()), max_iter=3, random_state=0)
    with warnings.catch_warnings():  # EM may stop at max_iter=3
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe.fit(X, y)
    assert moe.score(X, y) > 0.9


# ------------------------------------------------------------ rules
def test_rule_regression_fits_its_parameters_and_noise():
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 10, size=(500, 1))
    y = 3 * X[:, 0] + 1 + 0.5 * rng.standard_normal(500)
    rule = RuleExpert(linear_rule, params={"slope": 0.0, "intercept": 0.0}).fit(X, y)
    assert_allclose([rule.params_["slope"], rule.params_["intercept"]], [3, 1], atol=0.1)
    assert_allclose(rule.noise_std_, 0.5, rtol=0.1)


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_rule_noise_scale_in_the_units_of_any_target(factor):
    # The squared residuals of y of 1e200 overflowed: noise_std_ was inf (and
    # every objective inf); those of y of 1e-200 underflowed to the floor.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 1))
    y = (2.5 * X[:, 0] + 0.1 * rng.standard_normal(60)) * factor
    rule = RuleExpert(linear_rule, params={"slope": 1.0, "intercept": 0.0}).fit(X, y)
    r = y - rule.predict(X)
    residual = np.abs(r).max() * np.sqrt(np.mean((r / np.abs(r).max()) ** 2))
    assert np.isfinite(rule.noise_std_) and residual > 0
    assert_allclose(rule.noise_std_, residual, rtol=1e-9)


def test_rule_without_parameters_calibrates_noise_only():
    X = np.linspace(0, 10, 50)[:, None]
    rule = RuleExpert(parabola_rule).fit(X, parabola_rule(X) + 2.0)
    assert rule.params_ == {}
    assert_allclose(rule.noise_std_, 2.0)


def test_rule_classification_probabilities_are_calibrated():
    # The rule says "1" for x > 0.5; among those rows it is right 8 times out of 10.
    X = np.r_[np.zeros(10), np.ones(10)][:, None]
    y = np.r_[np.zeros(10, int), np.ones(8, int), np.zeros(2, int)]
    rule = RuleExpert(above, params={"threshold": 0.5}, task="classification",
                      smoothing=0.0).fit(X, y)
    assert_allclose(rule.predict_proba(np.array([[0.0], [1.0]])), [[1, 0], [0.2, 0.8]])
    assert rule.predict(np.array([[1.0]])).tolist() == [1]


def test_rule_classification_fits_a_threshold():
    X = np.random.RandomState(0).uniform(0, 10, size=(300, 1))
    y = (X[:, 0] > 6.3).astype(int)
    rule = RuleExpert(above, params={"threshold": 2.0}, task="classification").fit(X, y)
    assert abs(rule.params_["threshold"] - 6.3) < 0.2
    assert rule.score(X, y) > 0.98


def test_rule_tags_and_proba_follow_the_task():
    assert not hasattr(RuleExpert(parabola_rule), "predict_proba")
    assert hasattr(RuleExpert(above, task="classification"), "predict_proba")
    from sklearn.base import is_classifier, is_regressor
    assert is_regressor(RuleExpert(parabola_rule))
    assert is_classifier(RuleExpert(above, task="classification"))


@pytest.mark.parametrize("func, match", [
    (wrong_shape_rule, r"wrong_shape_rule\) returned an array of shape \(20, 2\)"),
    (nan_rule, r"nan_rule\) returned NaN"),
    (failing_rule, r"failing_rule\) raised KeyError"),
])
def test_bad_rules_raise_errors_naming_the_rule(func, match):
    X = np.linspace(0, 1, 20)[:, None]
    with pytest.raises(ValueError, match=match):
        RuleExpert(func).fit(X, X[:, 0])
    moe = MixtureOfExpertsRegressor([("line", LinearRegression()), ("my_rule", RuleExpert(func))],
                                    training="gradient", max_epochs=2)
    with pytest.raises(ValueError, match=r"Expert 'my_rule' \(RuleExpert\)"):
        moe.fit(X, X[:, 0])


def test_a_continuous_classification_rule_is_named():
    # Each distinct number was an outcome of its own, seen once: the table gave
    # every row the same probabilities, with no error.
    X = np.linspace(-1, 1, 100)[:, None]
    rule = RuleExpert(lambda X: X[:, 0], task="classification")
    with pytest.raises(ValueError, match="returned continuous values .* task='regression'"):
        rule.fit(X, (X[:, 0] > 0).astype(int))
    # Whole numbers (and bools) are outcomes, and so are rounded scores.
    y = (X[:, 0] > 0).astype(int)
    whole = RuleExpert(lambda X: (X[:, 0] > 0).astype(float), task="classification")
    assert whole.fit(X, y).score(X, y) == 1.0
    rounded = RuleExpert(lambda X: np.round(X[:, 0], 1), task="classification")
    assert rounded.fit(X, y).score(X, y) >= 0.95   # (the outcome 0.0 holds both classes)


@pytest.mark.parametrize("value", ["a", None, True])
def test_rule_params_must_be_numbers(value):
    X = np.linspace(0, 1, 20)[:, None]
    with pytest.raises(ValueError, match=f"params must map names to numbers.*'t' is {value!r}"):
        RuleExpert(lambda X, t: X[:, 0] * t, params={"t": value}).fit(X, X[:, 0])


def test_rule_pickles_when_importable_and_explains_when_not():
    X = np.linspace(0, 10, 30)[:, None]
    rule = RuleExpert(linear_rule, params={"slope": 1.0, "intercept": 0.0}).fit(X, 2 * X[:, 0])
    assert_allclose(pickle.loads(pickle.dumps(rule)).predict(X), rule.predict(X))
    local = RuleExpert(lambda X: X[:, 0]).fit(X, X[:, 0])
    clone(local)  # clone and deepcopy do not need pickling
    with pytest.raises(pickle.PicklingError, match="top level of an importable module"):
        pickle.dumps(local)


def test_rule_unseen_outcome_gets_the_class_prior():
    X = np.r_[np.zeros(30), np.ones(10)][:, None]
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    rule = RuleExpert(floor_rule, task="classification").fit(X, y)
    # Outcome 7 never occurred in fit: the class prior (weighted frequencies).
    assert_allclose(rule.predict_proba(np.array([[7.0]])), [[0.75, 0.25]])


def test_rules_and_mlps_serve_in_the_ensemble():
    from skmoe import EnsembleClassifier, EnsembleRegressor
    X, y = make_regimes(n_samples=200, random_state=0)
    ensemble = EnsembleRegressor([("rule", RuleExpert(parabola_rule)),
                                  ("mlp", TorchMLPRegressor(**FAST))]).fit(X, y)
    assert ensemble.predict(X).shape == (200,)
    Xc, yc = load_iris(return_X_y=True)
    clf = EnsembleClassifier([("rule", RuleExpert(above, params={"threshold": 2.5},
                                                  task="classification")),
                              ("mlp", TorchMLPClassifier(**FAST))]).fit(Xc, yc)
    assert_allclose(clf.predict_proba(Xc).sum(axis=1), 1.0)


def test_torch_experts_stay_finite_on_huge_values():
    # A cell of 1e300 overflowed its column's standard deviation, whose scale
    # then fell back to one: the standardised value was infinite in float32 and
    # every prediction NaN, with no error. Targets of order 1e200 had an
    # infinite scale: predictions inf.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=80)
    huge = X.copy()
    huge[0, 2] = 1e300
    regressor = TorchMLPRegressor(max_epochs=3, random_state=0)
    assert np.all(np.isfinite(regressor.fit(huge, y).predict(X)))
    assert np.all(np.isfinite(regressor.fit(X, y).predict(huge)))
    classifier = TorchMLPClassifier(max_epochs=3, random_state=0)
    assert np.all(np.isfinite(classifier.fit(huge, y > 0).predict_proba(huge)))
    small = regressor.fit(X, y).predict(X)
    for scale in (1e200, 1e-200):     # (1e-200: a scale of one, targets all zero)
        assert_allclose(regressor.fit(X, y * scale).predict(X) / scale, small,
                        rtol=1e-5, atol=1e-6)
    assert_allclose(regressor.fit(X * 1e-200, y).predict(X * 1e-200), small, atol=1e-6)


def test_standardisation_measures_columns_whose_squares_overflow():
    from skmoe._data import mean_and_scale
    from skmoe._torch_utils import standardisation
    column = np.array([1e300, -1e300, 0.0, 5e299])
    mean, scale = standardisation(np.column_stack([column, [1.0, 2.0, 3.0, 4.0]]))
    assert_allclose(mean, [np.mean(column / 1e300) * 1e300, 2.5])
    assert_allclose(scale, [np.std(column / 1e300) * 1e300, np.std([1.0, 2.0, 3.0, 4.0])])
    assert_allclose(mean_and_scale(column), (mean[0], scale[0]))
    # The device path (here a CPU tensor) falls back to it for such a column.
    from skmoe._torch_utils import device_standardisation
    X = np.column_stack([column, [1.0, 2.0, 3.0, 4.0]])
    assert_allclose(device_standardisation(torch.as_tensor(X), X), (mean, scale))
    # A spread of 1e-300 (squares underflow) too.
    tiny = np.column_stack([column / 1e300 * 1e-300, [1.0, 2.0, 3.0, 4.0]])
    assert_allclose(standardisation(tiny)[1][0], np.std(column / 1e300) * 1e-300)
    # A constant column whose sum overflows keeps its value as its mean.
    mean, scale = standardisation(np.column_stack([np.full(4, 1e307), np.arange(4.0)]))
    assert mean[0] == 1e307 and scale[0] == 1.0
    assert mean_and_scale(np.full(4, 1e307)) == (1e307, 1.0)
    # Constant, all-NaN and ordinary columns as before.
    assert standardisation(np.array([[np.nan, 1.0], [np.nan, 1.0]]))[1].tolist() == [1.0, 1.0]
    assert mean_and_scale(np.ones(3)) == (1.0, 1.0)


def zeroing_rule(X):
    X[:, 0] = 0.0  # writes into its argument
    return X[:, 1]


def test_a_rule_cannot_modify_the_callers_X():
    # X was passed as it came (float64 is not copied): the rule zeroed the
    # caller's column, and changed what the next call of the search saw.
    X = np.random.RandomState(0).uniform(1, 2, size=(20, 2))
    original = X.copy()
    with pytest.raises(ValueError, match=r"zeroing_rule\) raised ValueError: assignment "
                                         r"destination is read-only \(a rule must not "
                                         r"modify X in place; work on X.copy\(\)\)"):
        RuleExpert(zeroing_rule).fit(X, X[:, 1])
    np.testing.assert_array_equal(X, original)


@pytest.mark.parametrize("func, task, match", [
    # Regression dropped the imaginary part (a ComplexWarning); classification
    # failed in numpy ("ufunc 'remainder' not supported").
    (lambda X: X[:, 0] + 1j, "regression", "returned complex values"),
    (lambda X: (X[:, 0] > 0.5) + 1j, "classification", "returned complex values"),
    # "'<' not supported between instances of 'NoneType' and 'NoneType'" from np.unique.
    (lambda X: np.array([None] * len(X)), "classification",
     r"returned outcomes that cannot be sorted \('<' not supported"),
])
def test_rule_outputs_of_the_wrong_kind_are_named(func, task, match):
    X = np.linspace(0, 1, 20)[:, None]
    with pytest.raises(ValueError, match=match):
        RuleExpert(func, task=task).fit(X, (X[:, 0] > 0.5).astype(int))


@pytest.mark.parametrize("params, match", [
    # Reported as "RuleExpert(...) returned NaN or infinite values": the rule blamed.
    ({"t": np.nan}, "'t' is nan"), ({"t": np.inf}, "'t' is inf"),
    ({1: 1.0}, "1 is 1.0"),  # was "raised TypeError: keywords must be strings"
])
def test_rule_params_must_be_finite_and_named_by_strings(params, match):
    X = np.linspace(0, 1, 20)[:, None]
    with pytest.raises(ValueError, match="params must map names to numbers .*" + match):
        RuleExpert(lambda X, t=1.0: X[:, 0] * t, params=params).fit(X, X[:, 0])


def nan_above_rule(X, a):
    return a * X[:, 0] if a < 1.5 else np.full(len(X), np.nan)


def test_a_rule_failing_during_the_search_names_the_parameters():
    # Fine at the starting value a=1: the error named no parameter values.
    X = np.linspace(0, 1, 20)[:, None]
    with pytest.raises(ValueError, match=r"nan_above_rule\) returned NaN or infinite values "
                                         r"for 20 of 20 rows with params \{'a': \d"):
        RuleExpert(nan_above_rule, params={"a": 1.0}).fit(X, 3 * X[:, 0])
