"""MixtureOfExpertsRegressor / MixtureOfExpertsClassifier trained by EM."""

import pickle
import warnings
from functools import partial

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import norm
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs
from sklearn.dummy import DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, MLPGate
from skmoe._candidates import with_class_prior
from skmoe.datasets import make_regimes

# These tests exercise EM; the estimators default to training="auto" (EM only
# for copies of one estimator).
EMRegressor = partial(MixtureOfExpertsRegressor, training="em")
EMClassifier = partial(MixtureOfExpertsClassifier, training="em")

LINEAR_GATE = MLPGate(hidden_layer_sizes=())


def regime_experts():
    return [("line", LinearRegression()),
            ("quadratic", make_pipeline(PolynomialFeatures(2), LinearRegression()))]


@pytest.fixture(scope="module")
def regimes():
    return make_regimes(n_samples=1500, noise=1.0, return_regime=True, random_state=0)


# ------------------------------------------------- which trainer 'auto' runs
def _two_lines(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n, 1))
    y = np.where(X[:, 0] < 0, 2 * X[:, 0], 1 - 3 * X[:, 0]) + 0.3 * rng.normal(size=n)
    return X, y


def test_auto_training_lets_copies_of_one_estimator_specialise():
    # Two copies of LinearRegression on a two-piece line (noise 0.3): the
    # stacked gate never refits its experts, so its copies stay one line
    # (RMSE 0.6-0.7); EM refits each copy on its own piece. 'auto' is EM here.
    X, y = _two_lines(600, 0)
    X_test, y_test = _two_lines(2000, 1)

    def rmse(**params):
        moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, random_state=0,
                                        **params).fit(X, y)
        return moe, np.sqrt(np.mean((moe.predict(X_test) - y_test) ** 2))

    moe, auto = rmse()
    assert moe.training == "auto" and moe.training_ == "em"
    assert auto < 0.4
    stacked, gradient = rmse(training="gradient")
    assert stacked.training_ == "gradient"
    assert gradient > 1.5 * auto
    # The same copies given as a list: EM again, from k-means regions (from
    # equal responsibilities, identical copies would stay identical).
    listed = MixtureOfExpertsRegressor([("a", LinearRegression()), ("b", LinearRegression())],
                                       random_state=0).fit(X, y)
    assert listed.training_ == "em"
    assert np.sqrt(np.mean((listed.predict(X_test) - y_test) ** 2)) < 0.4


def test_auto_training_lets_copies_of_a_classifier_specialise():
    # XOR: no single logistic regression separates it; four copies refitted
    # by EM on their quadrants do.
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(600, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    moe = MixtureOfExpertsClassifier(LogisticRegression(), n_experts=4,
                                     random_state=0).fit(X[:400], y[:400])
    assert moe.training_ == "em"
    proba = moe.predict_proba(X[400:])[np.arange(200), y[400:]]
    assert -np.mean(np.log(proba)) < 0.25


@pytest.mark.parametrize("params, expected", [
    (dict(experts=[("line", LinearRegression()), ("tree", DecisionTreeRegressor())]),
     "gradient"),
    (dict(experts=LinearRegression(), n_experts=2), "em"),
    (dict(experts=[("a", DecisionTreeRegressor(max_depth=2, random_state=0)),
                   ("b", DecisionTreeRegressor(max_depth=2, random_state=1)), ("c", "drop")]),
     "em"),
    (dict(experts=[("a", make_pipeline(StandardScaler(), Ridge())),
                   ("b", make_pipeline(StandardScaler(), Ridge()))]), "em"),
    (dict(experts=[("a", make_pipeline(SimpleImputer(), LinearRegression())),
                   ("b", make_pipeline(SimpleImputer(), LinearRegression()))]), "em"),
    (dict(experts=[("a", Ridge(alpha=1.0)), ("b", Ridge(alpha=2.0))]), "gradient"),
    (dict(experts=[("a", make_pipeline(StandardScaler(), Ridge())),
                   ("b", make_pipeline(StandardScaler(), Ridge(alpha=3.0)))]), "gradient"),
    (dict(experts=LinearRegression(), n_experts=2, training="gradient"), "gradient"),
    (dict(experts=[("line", LinearRegression()), ("tree", DecisionTreeRegressor())],
          training="em"), "em"),
])
def test_auto_training_resolves_from_the_experts(params, expected):
    from skmoe._trainers import resolve_training
    assert resolve_training(MixtureOfExpertsRegressor(**params)) == expected


def test_auto_training_is_gradient_for_copies_of_a_torch_expert():
    # Torch experts specialise by training jointly with the gate.
    from skmoe._trainers import resolve_training
    from skmoe.experts import TorchMLPRegressor
    moe = MixtureOfExpertsRegressor(TorchMLPRegressor(), n_experts=3)
    assert resolve_training(moe) == "gradient"


def test_an_option_of_the_trainer_auto_did_not_pick_warns_with_both_names():
    X, y = _two_lines(200, 0)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, max_epochs=5,
                                    max_iter=3, random_state=0)
    with pytest.warns(UserWarning, match=r"training='auto' \(here 'em'\)"):
        moe.fit(X, y)


# ------------------------------------------- cv='auto' on data too small for it
@pytest.mark.parametrize("n", [4, 5, 6, 8])
@pytest.mark.parametrize("training", ["gradient", "em"])
def test_auto_cv_uses_the_folds_tiny_data_allow(n, training):
    # 5 folds (the gradient trainer's 'auto') need a class with 5 rows and
    # every fold to leave two training rows: cv='auto' uses fewer (before: an
    # error that asked to lower cv); a cv the user set is kept.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 2))
    classifier = MixtureOfExpertsClassifier(
        [("line", LogisticRegression()), ("tree", DecisionTreeClassifier())],
        training=training, random_state=0).fit(X, np.arange(n) % 2)
    assert_allclose(classifier.predict_proba(X).sum(axis=1), 1.0)
    regressor = MixtureOfExpertsRegressor(
        [("line", Ridge()), ("tree", DecisionTreeRegressor())], training=training,
        random_state=0).fit(X, X[:, 0])
    assert np.isfinite(regressor.predict(X)).all()


def test_auto_cv_folds_follow_the_largest_class_and_the_rows():
    from skmoe._trainers import _folds_the_data_allow as folds
    assert folds(5, np.arange(8) % 2, classifier=True) == 4       # 4 rows per class
    assert folds(5, np.r_[np.zeros(100), 1, 1], classifier=True) == 5
    assert folds(5, np.arange(4), classifier=False) == 4
    assert folds(5, np.arange(5), classifier=False) == 5
    assert folds(5, np.arange(3), classifier=False) == 3         # each fold trains on 2
    assert folds(5, np.arange(2), classifier=False) == 3         # too few: fit names 3
    assert folds(2, np.arange(100) % 3, classifier=True) == 2


def test_a_cv_set_by_the_user_is_kept_on_tiny_data():
    X = np.random.RandomState(0).normal(size=(8, 2))
    moe = MixtureOfExpertsClassifier(
        [("line", LogisticRegression()), ("tree", DecisionTreeClassifier())], cv=5)
    with pytest.raises(ValueError, match="largest class has 4. Lower cv"):
        moe.fit(X, np.arange(8) % 2)


# ----------------------------------------------------------------- EM itself
def test_recovers_the_two_regimes(regimes):
    X, y, regime = regimes
    # Low-capacity experts discover regimes from regions matched to them.
    moe = EMRegressor(regime_experts(), gate=LINEAR_GATE, n_init=3, init_params="matched",
                                    max_iter=30, random_state=0).fit(X, y)
    chosen = moe.predict_gate(X).argmax(axis=1)
    away = np.abs(X[:, 0] - 5.0) > 0.5
    # The line must own regime 0 and the parabola regime 1.
    assert (chosen == regime)[away].mean() >= 0.95
    # Each regime's noise is N(0, 1): both experts' variances near 1.
    assert_allclose(moe.noise_variance_, 1.0, rtol=0.2)


def test_log_likelihood_never_decreases_in_exact_em(regimes):
    X, y, _ = regimes
    moe = EMRegressor(regime_experts(), gate=LINEAR_GATE, cv=None,
                                    init_params="random", max_iter=25, tol=0,
                                    random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        moe.fit(X, y)
    log_likelihood = np.array([h["log_likelihood"] for h in moe.history_])
    # Runs to max_iter unless it reached a fixed point (no change at all).
    assert len(log_likelihood) == 25 or moe.converged_
    # float32 gate: allow rounding-level decreases only.
    assert np.all(np.diff(log_likelihood) >= -1e-5), np.diff(log_likelihood).min()
    assert log_likelihood[-1] > log_likelihood[0] + 0.1


def test_one_nearest_neighbour_does_not_capture_all_responsibility(regimes):
    X, y, _ = regimes
    experts = regime_experts() + [("1nn", KNeighborsRegressor(n_neighbors=1))]
    honest = EMRegressor(experts, init_params="matched", random_state=0).fit(X, y)
    share = honest.history_[-1]["expert_share"][2]
    assert share < 0.5
    # The in-sample likelihood is fooled: 1-NN's zero training error wins.
    fooled = EMRegressor(experts, cv=None, init_params="uniform",
                                       random_state=0).fit(X, y)
    assert fooled.history_[-1]["expert_share"][2] > 0.9


def test_history_and_fitted_attributes(regimes):
    X, y, _ = regimes
    moe = EMRegressor(regime_experts(), max_iter=4, tol=0,
                                    random_state=0)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        moe.fit(X, y)
    assert moe.n_iter_ == 4 and not moe.converged_
    assert [h["iteration"] for h in moe.history_] == [1, 2, 3, 4]
    for record in moe.history_:
        assert_allclose(record["expert_share"].sum(), 1.0)
        assert record["seconds"] >= 0
    # The best iteration is kept.
    assert moe.log_likelihood_ == max(h["log_likelihood"] for h in moe.history_)
    assert list(moe.named_experts_) == ["line", "quadratic"]
    assert moe.named_experts_["line"] is moe.experts_[0]
    assert moe.n_features_in_ == 1


def test_n_init_keeps_the_best_run(regimes):
    X, y, _ = regimes
    single = [EMRegressor(regime_experts(), n_init=1, random_state=seed)
              for seed in range(3)]
    best = EMRegressor(regime_experts(), n_init=3, random_state=0).fit(X, y)
    assert best.log_likelihood_ >= max(m.fit(X, y).log_likelihood_ for m in single) - 0.05


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_n_init_restarts_in_parallel_give_the_sequential_result(regimes, backend):
    # With n_jobs > 1 the restarts run in parallel (each from a generator of
    # its own), and the fit is the one the sequential restarts give. In
    # threads too: the gates are initialised (from torch's global generator)
    # before the restarts are dispatched. Equal up to rounding, not bit for
    # bit: loky's workers run torch and BLAS with one thread each, and the
    # parent with all cores, so sums over rows are reduced in another order
    # (CI measured a relative difference of 3e-13).
    X, y, _ = regimes
    sequential = EMRegressor(regime_experts(), n_init=3, n_jobs=1, random_state=0).fit(X, y)
    for _ in range(2):
        with joblib.parallel_config(backend=backend):
            parallel = EMRegressor(regime_experts(), n_init=3, n_jobs=2,
                                   random_state=0).fit(X, y)
        assert parallel.log_likelihood_ == pytest.approx(sequential.log_likelihood_, rel=1e-10)
        assert_allclose(parallel.predict(X), sequential.predict(X), rtol=1e-9)


# ----------------------------------------------------------- predictions
def test_predictions_are_the_gate_weighted_mixture(regimes):
    X, y, _ = regimes
    moe = EMRegressor(regime_experts(), random_state=0).fit(X, y)
    gate, experts = moe.predict_gate(X), moe.predict_experts(X)
    assert gate.shape == experts.shape == (len(X), 2)
    assert_allclose(gate.sum(axis=1), 1.0, rtol=1e-6)
    assert_allclose(moe.predict(X), (gate * experts).sum(axis=1))
    mean, std = moe.predict(X, return_std=True)
    variance = (gate * (moe.noise_variance_ + experts ** 2)).sum(1) - mean ** 2
    assert_allclose(std, np.sqrt(variance), rtol=1e-6)
    density = (gate * norm.pdf(y[:, None], experts, np.sqrt(moe.noise_variance_))).sum(1)
    assert_allclose(moe.log_likelihood_samples(X, y), np.log(density), rtol=1e-6)


def test_constant_experts_give_an_exact_toy_mixture():
    # Two constant experts (0 and 10); the data are an even split of both
    # values, so EM must find equal noise floors and route by x.
    X = np.r_[np.zeros(50), np.ones(50)][:, None]
    y = np.r_[np.zeros(50), np.full(50, 10.0)]
    experts = [("zero", DummyRegressor(strategy="constant", constant=0.0)),
               ("ten", DummyRegressor(strategy="constant", constant=10.0))]
    moe = EMRegressor(experts, gate=LINEAR_GATE, cv=None, random_state=0,
                                    max_iter=20).fit(X, y)
    # The gate's weight decay keeps it a hair short of 0/1.
    assert_allclose(moe.predict(np.array([[0.0], [1.0]])), [0.0, 10.0], atol=0.05)
    assert_allclose(moe.history_[-1]["expert_share"], [0.5, 0.5], atol=0.01)
    assert_array_equal(moe.predict_experts(np.array([[0.5]])), [[0.0, 10.0]])


@pytest.mark.parametrize("method", ["predict", "predict_gate", "predict_experts"])
def test_predictions_do_not_depend_on_batch_or_order(regimes, method):
    X, y, _ = regimes
    moe = EMRegressor(regime_experts(), random_state=0).fit(X, y)
    full = getattr(moe, method)(X)
    order = np.random.RandomState(0).permutation(len(X))
    assert_allclose(getattr(moe, method)(X[order]), full[order], rtol=1e-6, atol=1e-9)
    assert_allclose(getattr(moe, method)(X[:7]), full[:7], rtol=1e-6, atol=1e-9)


def test_homogeneous_mixture_of_linear_experts(regimes):
    X, y, _ = regimes
    moe = EMRegressor(LinearRegression(), n_experts=3, random_state=0)
    moe.fit(X, y)
    assert moe.expert_names_ == ["expert0", "expert1", "expert2"]
    assert moe.predict_gate(X).shape == (len(X), 3)
    # Piecewise-linear beats a single line on a line + parabola.
    single = LinearRegression().fit(X, y)
    assert moe.score(X, y) > single.score(X, y) + 0.05


def test_resampling_fallback_for_experts_without_sample_weight(regimes):
    X, y, _ = regimes
    experts = [("line", LinearRegression()), ("knn", KNeighborsRegressor(15))]
    moe = EMRegressor(experts, random_state=0).fit(X, y)
    assert moe.score(X, y) > 0.9


# ----------------------------------------------------------- classifier
def test_classifier_with_string_labels_and_multiclass():
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    experts = [("logit", LogisticRegression(max_iter=500)),
               ("tree", DecisionTreeClassifier(max_depth=3))]
    moe = EMClassifier(experts, random_state=0).fit(X, labels)
    assert_array_equal(moe.classes_, ["setosa", "versicolor", "virginica"])
    proba = moe.predict_proba(X)
    assert proba.shape == (150, 3)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert moe.predict_experts(X).shape == (150, 2, 3)
    # The mixture, with a 1/n^2 share of the class frequencies (class_prior_).
    assert moe.class_prior_[0] == 1 / 150 ** 2
    assert_allclose(proba, with_class_prior(np.einsum("ne,nec->nc", moe.predict_gate(X),
                                                      moe.predict_experts(X)),
                                            moe.class_prior_), rtol=1e-9)
    assert set(moe.predict(X)) <= set(labels)
    assert moe.score(X, labels) > 0.9
    assert_allclose(np.exp(moe.log_likelihood_samples(X[:5], labels[:5])),
                    proba[np.arange(5), y[:5]], rtol=1e-4)


def test_expert_that_saw_some_classes_is_aligned_to_classes():
    from skmoe._likelihood import aligned_proba

    X = np.arange(20, dtype=float)[:, None]
    y = np.r_[np.zeros(10, int), np.full(10, 2)]  # class 1 never seen
    tree = DecisionTreeClassifier().fit(X, y)
    proba = aligned_proba("tree", tree, X, n_classes=3)
    assert_array_equal(proba[:, 1], 0.0)
    assert_array_equal(proba[:10, 0], 1.0)
    assert_array_equal(proba[10:, 2], 1.0)


def test_classifier_regions_with_one_class_per_expert():
    # Three well-separated blobs: experts specialise to regions that hold one
    # class each, yet predict_proba keeps all three columns.
    X, y = make_blobs(n_samples=300, centers=[[-5, 0], [0, 5], [5, 0]], random_state=0)
    moe = EMClassifier(
        [("a", DecisionTreeClassifier(max_depth=2)), ("b", LogisticRegression())],
        random_state=0).fit(X, y)
    assert moe.predict_experts(X).shape == (300, 2, 3)
    assert moe.score(X, y) > 0.97


# ----------------------------------------------------------- integration
def test_pipeline_grid_search_over_expert_and_gate(regimes):
    X, y, _ = regimes
    moe = EMRegressor(
        [("line", LinearRegression()), ("tree", DecisionTreeRegressor())],
        gate=MLPGate(), max_iter=3, random_state=0)
    grid = GridSearchCV(make_pipeline(StandardScaler(), moe), cv=2, param_grid={
        "mixtureofexpertsregressor__tree__max_depth": [1, 4],
        "mixtureofexpertsregressor__gate__hidden_layer_sizes": [(), (8,)],
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert grid.best_params_["mixtureofexpertsregressor__tree__max_depth"] == 4
    assert len(grid.cv_results_["params"]) == 4


def test_drop_and_set_params(regimes):
    X, y, _ = regimes
    experts = regime_experts() + [("tree", DecisionTreeRegressor(max_depth=3))]
    moe = EMRegressor(experts, random_state=0)
    moe.set_params(tree="drop", line__fit_intercept=False)
    assert moe.get_params()["line__fit_intercept"] is False
    moe.fit(X, y)
    assert moe.expert_names_ == ["line", "quadratic"]


def test_clone_pickle_and_joblib_round_trip(regimes, tmp_path):
    X, y, _ = regimes
    moe = EMRegressor(regime_experts(), random_state=0).fit(X, y)
    assert not hasattr(clone(moe), "experts_")
    restored = pickle.loads(pickle.dumps(moe))
    # Exact on the CPU; a gate fitted on a GPU is restored to the CPU, where
    # float32 kernels may differ in the last digits.
    assert_allclose(restored.predict(X), moe.predict(X), rtol=1e-6, atol=1e-5)
    joblib.dump(moe, tmp_path / "moe.joblib")
    assert_allclose(joblib.load(tmp_path / "moe.joblib").predict_gate(X),
                    moe.predict_gate(X), rtol=1e-5, atol=1e-7)


def test_pandas_input_keeps_feature_names(regimes):
    pd = pytest.importorskip("pandas")
    X, y, _ = regimes
    frame = pd.DataFrame({"x": X[:, 0]})
    moe = EMRegressor(regime_experts(), random_state=0).fit(frame, y)
    assert_array_equal(moe.feature_names_in_, ["x"])
    assert_allclose(moe.predict(frame), moe.predict(X))
    with pytest.raises(ValueError, match="feature names"):
        moe.predict(pd.DataFrame({"z": X[:, 0]}))


def test_same_random_state_same_model(regimes):
    X, y, _ = regimes
    experts = regime_experts() + [("tree", DecisionTreeRegressor(max_features=0.5))]
    a = EMRegressor(experts, random_state=3).fit(X, y)
    b = EMRegressor(experts, random_state=3).fit(X, y)
    assert_array_equal(a.predict(X), b.predict(X))
    c = EMRegressor(experts, init_params="random", random_state=4).fit(X, y)
    assert not np.array_equal(a.predict_gate(X), c.predict_gate(X))


def test_sample_weight_moves_the_fit(regimes):
    X, y, regime = regimes
    experts = [("ridge", Ridge()), ("stump", DecisionTreeRegressor(max_depth=1))]
    weight = np.where(regime == 1, 1.0, 1e-3)
    weighted = EMRegressor(experts, random_state=0).fit(X, y, weight)
    plain = EMRegressor(experts, random_state=0).fit(X, y)
    error = lambda m: np.mean((m.predict(X) - y)[regime == 1] ** 2)  # noqa: E731
    assert error(weighted) < error(plain)


@pytest.mark.parametrize("training", ["gradient", "em"])
@pytest.mark.parametrize("classifier", [False, True])
def test_rows_of_zero_weight_are_rows_left_out(regimes, training, classifier):
    # Kept in, they still moved the cross-fitting folds and the gate's splits:
    # predictions differed from the fit without them by up to 2.1 (gradient)
    # and 7.0 (EM) for the regressor, 0.03 and 0.45 in probability.
    X, y, _ = regimes
    y = (y > 20).astype(int) if classifier else y
    weight = np.ones(len(y))
    weight[::3] = 0.0
    kept = weight > 0
    model, experts = ((MixtureOfExpertsClassifier, [("logit", LogisticRegression()),
                                                    ("tree", DecisionTreeClassifier(max_depth=3))])
                      if classifier else
                      (MixtureOfExpertsRegressor, [("ridge", Ridge()),
                                                   ("tree", DecisionTreeRegressor(max_depth=3))]))
    weighted = model(experts, training=training, random_state=0).fit(X, y, sample_weight=weight)
    dropped = model(experts, training=training, random_state=0).fit(X[kept], y[kept])
    predict = "predict_proba" if classifier else "predict"
    assert_allclose(getattr(weighted, predict)(X), getattr(dropped, predict)(X),
                    rtol=1e-9, atol=1e-9)


def test_rows_of_zero_weight_are_left_out_of_folds_given_as_splits(regimes):
    # Splits given as indices refer to every row given to fit: they are
    # renumbered to the rows kept (they were out of range before).
    from sklearn.model_selection import LeaveOneGroupOut
    X, y, _ = regimes
    groups = np.arange(len(y)) % 3
    weight = np.where(np.arange(len(y)) % 4 == 0, 0.0, 1.0)
    kept = weight > 0
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
    weighted = MixtureOfExpertsRegressor(
        experts, cv=list(LeaveOneGroupOut().split(X, groups=groups)),
        random_state=0).fit(X, y, sample_weight=weight)
    dropped = MixtureOfExpertsRegressor(
        experts, cv=list(LeaveOneGroupOut().split(X[kept], groups=groups[kept])),
        random_state=0).fit(X[kept], y[kept])
    assert_allclose(weighted.predict(X), dropped.predict(X), rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------- bad input
class Exploding(DecisionTreeRegressor):
    def fit(self, X, y, sample_weight=None):
        raise RuntimeError("boom")


@pytest.mark.parametrize("experts, n_experts, error, match", [
    ([("a", Ridge())], None, ValueError, "at least two experts"),
    ([("a", Ridge()), ("b", "drop")], None, ValueError, "at least two experts"),
    ([("a", Ridge()), ("a", Ridge())], None, ValueError, "not unique"),
    ([("a__b", Ridge()), ("c", Ridge())], None, ValueError, "__"),
    ([("a", Ridge()), ("b", 3)], None, TypeError, "Expert 'b'"),
    (Ridge(), None, ValueError, "n_experts"),
    ([("a", Ridge()), ("b", Ridge())], 2, ValueError, "n_experts"),
    ([("a", Ridge()), ("cls", LogisticRegression())], None, TypeError,
     "Expert 'cls'.*classifier"),
    ([("a", Ridge()), ("bad", Exploding())], None, RuntimeError,
     "Expert 'bad'.*failed to fit: boom"),
])
def test_bad_experts_are_named(regimes, experts, n_experts, error, match):
    X, y, _ = regimes
    with pytest.raises(error, match=match):
        EMRegressor(experts, n_experts=n_experts).fit(X, y)


def test_classifier_bad_input():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(TypeError, match="Expert 'svc'.*predict_proba"):
        EMClassifier([("lr", LogisticRegression()), ("svc", SVC())]).fit(X, y)
    with pytest.raises(ValueError, match="one class"):
        EMClassifier([("lr", LogisticRegression()),
                                    ("t", DecisionTreeClassifier())]).fit(X, np.zeros(150))


@pytest.mark.parametrize("mutate, match", [
    (lambda X, y, w: (np.where(np.arange(len(X))[:, None] == 3, np.nan, X), y, w),
     "NaN"),
    (lambda X, y, w: (np.where(np.arange(len(X))[:, None] == 3, np.inf, X), y, w),
     "infinity"),
    (lambda X, y, w: (X, np.where(np.arange(len(y)) == 3, np.nan, y), w), "NaN"),
    (lambda X, y, w: (X[:-1], y, w), "inconsistent numbers of samples"),
    (lambda X, y, w: (X, y, -w), "Negative values"),
    (lambda X, y, w: (X, y, 0 * w), "non-zero"),
])
def test_bad_data(regimes, mutate, match):
    X, y, _ = regimes
    X, y, w = mutate(X, y, np.ones(len(y)))
    with pytest.raises(ValueError, match=match):
        EMRegressor(regime_experts()).fit(X, y, sample_weight=w)


def test_nan_allowed_when_every_expert_accepts_it(regimes):
    X, y, _ = regimes
    X = X.copy()
    X[::10, 0] = np.nan
    experts = [("a", DecisionTreeRegressor(max_depth=3)),
               ("b", DecisionTreeRegressor(max_depth=6))]
    moe = EMRegressor(experts, random_state=0).fit(X, y)
    assert np.all(np.isfinite(moe.predict(X)))


def test_inputs_are_not_modified(regimes):
    X, y, _ = regimes
    X_before, y_before, w = X.copy(), y.copy(), np.ones(len(y))
    moe = EMRegressor(regime_experts(), random_state=0).fit(X, y, w)
    moe.predict(X)
    assert_array_equal(X, X_before)
    assert_array_equal(y, y_before)
    assert_array_equal(w, 1.0)


@pytest.mark.parametrize("params, match", [
    ({"max_iter": 0}, "max_iter"),
    ({"training": "magic"}, "training"),
    ({"cv": 1}, "cv"),
    ({"gate": MLPGate(hidden_layer_sizes=(0,))}, "hidden_layer_sizes"),
    ({"gate": MLPGate(solver="sgd")}, "solver"),
])
def test_bad_parameters(regimes, params, match):
    X, y, _ = regimes
    with pytest.raises(ValueError, match=match):
        EMRegressor(regime_experts(), **params).fit(X, y)


def test_parallel_refits_give_the_same_model(regimes):
    X, y, _ = regimes
    experts = regime_experts() + [("tree", DecisionTreeRegressor(max_depth=4))]
    serial = EMRegressor(experts, max_iter=3, random_state=0).fit(X, y)
    parallel = EMRegressor(experts, max_iter=3, n_jobs=2,
                                         random_state=0).fit(X, y)
    assert_allclose(parallel.predict(X), serial.predict(X))


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_probabilities_sum_to_one_in_float64(training):
    # The gate computes in float32; its weights and the mixture's class
    # probabilities must still be exact probability vectors for consumers
    # such as sklearn.metrics.log_loss.
    X, y = load_iris(return_X_y=True)
    clf = MixtureOfExpertsClassifier(
        [("logit", LogisticRegression(max_iter=500)),
         ("tree", DecisionTreeClassifier(max_depth=3))],
        training=training, max_epochs=5, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert_allclose(clf.predict_gate(X).sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_set_output_pandas_gives_frames_named_by_expert():
    pd = pytest.importorskip("pandas")
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(80, 2)), columns=["a", "b"],
                     index=pd.RangeIndex(100, 180))
    y = X["a"].to_numpy() + 0.1 * rng.normal(size=80)
    moe = MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor(
        max_depth=2))], max_epochs=3, random_state=0).fit(X, y)
    plain = moe.predict_gate(X)
    assert isinstance(plain, np.ndarray)
    configured = clone(clone(moe).set_output(transform="pandas"))   # survives clone
    frame = configured.fit(X, y).predict_gate(X)
    assert list(frame.columns) == ["ridge", "tree"]
    assert frame.index.equals(X.index)
    np.testing.assert_allclose(frame.to_numpy(), plain)
    experts = moe.set_output(transform="pandas").predict_experts(X)
    assert list(experts.columns) == ["ridge", "tree"]
    assert isinstance(moe.predict(X), np.ndarray)          # predictions stay arrays
    assert isinstance(moe.set_output(transform="default").predict_gate(X), np.ndarray)
    with pytest.raises(ValueError, match="'default', 'pandas'"):
        moe.set_output(transform="polars")

    labels = (y > 0).astype(int)
    clf = MixtureOfExpertsClassifier([("logit", LogisticRegression()), ("tree",
                                      DecisionTreeClassifier(max_depth=2))],
                                     max_epochs=3, random_state=0)
    clf.set_output(transform="pandas").fit(X, labels)
    proba = clf.predict_experts(X)
    assert list(proba.columns) == [("logit", 0), ("logit", 1), ("tree", 0), ("tree", 1)]
    np.testing.assert_allclose(proba.to_numpy().reshape(80, 2, 2).sum(axis=2), 1.0)
