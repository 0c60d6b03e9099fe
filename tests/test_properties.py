"""Properties over small random datasets (hypothesis).

Any dataset of 5-300 rows and 1-20 features, at scales from 1e-6 to 1e6,
with duplicate rows and constant columns, under either trainer, dense or
top-1 routing, with a homogeneous or heterogeneous pool: the mixture fits or
raises the documented ``ValueError`` (too few rows for its folds), its
predictions are finite, its probabilities are probabilities, the same
``random_state`` gives the same model, and it survives a pickle round trip.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, MLPGate

hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")
given, settings = hypothesis.given, hypothesis.settings

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)
# The errors a fit may raise on valid data: too few rows for the folds.
DOCUMENTED = re.compile("needs at least .* samples|needs a class with at least")
# Bounded so the file runs in well under two minutes on two cores.
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(hypothesis.HealthCheck))


@st.composite
def datasets(draw):
    """X, a standardised signal, and the scale of the data."""
    n = draw(st.integers(5, 300))
    n_features = draw(st.integers(1, 20))
    seed = draw(st.integers(0, 2**31 - 1))
    scale = 10.0 ** draw(st.integers(-6, 6))
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    if draw(st.booleans()):  # duplicate rows
        X[n // 2:] = X[: n - n // 2]
    if n_features > 1 and draw(st.booleans()):  # a constant column
        X[:, -1] = 3.0
    signal = np.where(X[:, 0] > 0, X[:, 0], -2 * X[:, 0]) + 0.1 * rng.normal(size=n)
    return X * scale, signal, scale


def _mixture(cls, training, top_k, homogeneous):
    if cls is MixtureOfExpertsRegressor:
        line, tree = LinearRegression(), DecisionTreeRegressor(max_depth=3)
    else:
        line, tree = LogisticRegression(), DecisionTreeClassifier(max_depth=3)
    experts = dict(experts=tree, n_experts=2) if homogeneous else dict(
        experts=[("line", line), ("tree", tree)])
    fast = dict(max_iter=3) if training == "em" else dict(max_epochs=10)
    return cls(**experts, training=training, top_k=top_k, gate=FAST_GATE, random_state=0,
               **fast)


def _fit(model, X, y):
    """Fit, or return None on the documented error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence of the tiny fits
            return model.fit(X, y)
    except ValueError as exc:
        if not DOCUMENTED.search(str(exc)):
            raise
        return None


configurations = pytest.mark.parametrize("training, top_k, homogeneous", [
    ("em", None, False), ("em", 1, True), ("gradient", None, True),
    ("gradient", 1, False)])


@configurations
@SETTINGS
@given(data=datasets())
def test_regressor_properties(data, training, top_k, homogeneous):
    X, signal, scale = data
    y = signal * scale
    model = _fit(_mixture(MixtureOfExpertsRegressor, training, top_k, homogeneous), X, y)
    if model is None:
        return
    pred = model.predict(X)
    assert np.all(np.isfinite(pred))
    gate = model.predict_gate(X)
    assert_allclose(gate.sum(axis=1), 1, rtol=1e-6)
    again = _fit(_mixture(MixtureOfExpertsRegressor, training, top_k, homogeneous), X, y)
    assert_array_equal(again.predict(X), pred)
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), pred)


@configurations
@SETTINGS
@given(data=datasets(), n_classes=st.integers(2, 3))
def test_classifier_properties(data, n_classes, training, top_k, homogeneous):
    X, signal, _ = data
    y = np.digitize(signal, np.quantile(signal, np.linspace(0, 1, n_classes + 1)[1:-1]))
    if len(np.unique(y)) < 2:
        return
    model = _fit(_mixture(MixtureOfExpertsClassifier, training, top_k, homogeneous), X, y)
    if model is None:
        return
    proba = model.predict_proba(X)
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-9)
    assert set(model.predict(X)) <= set(np.unique(y))
    again = _fit(_mixture(MixtureOfExpertsClassifier, training, top_k, homogeneous), X, y)
    assert_array_equal(again.predict_proba(X), proba)
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict_proba(X), proba)


@pytest.mark.parametrize("a, b", [(10.0, 0.0), (1e6, 0.0), (1e-6, 0.0), (1.0, 1e6)])
def test_gradient_predictions_follow_the_scale_of_y(a, b):
    # Experts whose predictions are linear in y (least squares, k-NN), and the
    # trainer standardises y: y * c gives predictions * c. (A decision tree is
    # not such an expert on tiny data: impurity ties between splits are broken
    # by rounding, which y * 10 changes -- on this 5-row counterexample found
    # by hypothesis, a 4-row tree chose another split.)
    X = np.array([[1.764, 0.400], [0.979, 2.241], [1.868, -0.977], [0.950, -0.151],
                  [-0.103, 0.411]])
    y = np.array([1.778, 1.124, 1.944, 0.962, 0.251])
    experts = [("line", LinearRegression()), ("knn", KNeighborsRegressor(2))]
    model = MixtureOfExpertsRegressor(experts, max_epochs=10, random_state=0)
    small = model.fit(X, y).predict(X)
    large = model.fit(X, a * y + b).predict(X)
    assert np.max(np.abs((large - b) / a - small)) / np.std(y) <= 1e-4


def _weight_scale_estimators():
    from lightgbm import LGBMClassifier, LGBMRegressor

    from skmoe import HierarchicalMixtureClassifier, HierarchicalMixtureRegressor
    regressors = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=3)),
                  ("lgbm", LGBMRegressor(n_estimators=10, verbose=-1))]
    classifiers = [("logit", LogisticRegression()),
                   ("tree", DecisionTreeClassifier(max_depth=3)),
                   ("lgbm", LGBMClassifier(n_estimators=10, verbose=-1))]
    return {
        "gradient": (MixtureOfExpertsRegressor(regressors, max_epochs=10, random_state=0),
                     MixtureOfExpertsClassifier(classifiers, max_epochs=10, random_state=0)),
        "em": (MixtureOfExpertsRegressor(regressors, training="em", max_iter=3, random_state=0),
               MixtureOfExpertsClassifier(classifiers, training="em", max_iter=3,
                                          random_state=0)),
        "tree mixture": (HierarchicalMixtureRegressor(regressors, branching=3, max_iter=3,
                                                      random_state=0),
                         HierarchicalMixtureClassifier(classifiers, branching=3, max_iter=3,
                                                       random_state=0)),
    }


def test_only_relative_sample_weights_matter_to_the_multi_task_mixture():
    # Weights of 1e-100 were zero in float32: the loss was zero, nothing trained.
    from skmoe import MultiGateMixtureOfExperts
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 3))
    Y = np.column_stack([X[:, 0] + np.abs(X[:, 1]), X[:, 1] > 0]).astype(float)
    weight = rng.uniform(0.5, 2.0, size=150)
    model = MultiGateMixtureOfExperts(tasks=["regression", "binary"], max_iter=5,
                                      random_state=0)
    reference = model.fit(X, Y, sample_weight=weight).predict(X)
    for scale in (1e3, 1e-100):
        model.fit(X, Y, sample_weight=weight * scale)
        assert_allclose(model.predict(X), reference, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", ["gradient", "em", "tree mixture"])
@pytest.mark.parametrize("task", ["regression", "classification"])
def test_only_relative_sample_weights_matter(name, task):
    # A mixture fits the same model for weights times 1,000 or 1e-100. Before
    # the weights were rescaled to mean one, the classifier's logistic head
    # saw their scale (its C): probabilities moved by up to 0.23, and the tree
    # mixture's by 0.26. (The ensembles pass weights to their experts as
    # given: integer weights are repetitions, scikit-learn's convention.)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=150)
    if task == "classification":
        y = np.digitize(y, [-0.5, 0.8])
    weight = rng.uniform(0.5, 2.0, size=150)
    model = _weight_scale_estimators()[name][task == "classification"]
    predict = model.predict if task == "regression" else model.predict_proba
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y, sample_weight=weight)
        reference = predict(X)
        # Powers of two (about 1e3 and 1e-100; the second is 0 in float32), so
        # that the weights rescaled to mean one are the same to the last bit:
        # with 1e3 and 1e-100 they were 4e-16 apart, and a depth-3 tree fitted
        # on half the rows chose another split in 41 of 200 random halves for
        # that alone, which moved EM's level-2 share (its cross-fitted outputs).
        for scale in (2.0 ** 10, 2.0 ** -332):
            model.fit(X, y, sample_weight=weight * scale)
            # (1e-6: the float32 gate rounds the rescaled weights differently.)
            assert_allclose(predict(X), reference, rtol=0, atol=1e-6)


@pytest.mark.parametrize("params", [{}, {"training": "em"}, {"top_k": 1}, "tree mixture"])
@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_predictions_follow_extreme_scales_of_X(params, scale):
    # Experts whose predictions do not change when X is rescaled (least squares
    # on x and on |x|): neither may the mixture's. Column scales of 1e-200 came
    # out as zero (squares underflow), of 1e200 as infinity, and both as one:
    # the gates, the k-means starts and the feature-weighted head saw a column
    # of zeros or of numbers beyond float32 (predictions moved by up to 2.8
    # standard deviations of y).
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skmoe import HierarchicalMixtureRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=120)
    experts = [("line", LinearRegression()),
               ("abs", make_pipeline(FunctionTransformer(np.abs), LinearRegression()))]
    if params == "tree mixture":
        model = HierarchicalMixtureRegressor(experts, branching=2, max_iter=5, random_state=0)
    else:
        model = MixtureOfExpertsRegressor(experts, max_epochs=20, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = model.fit(X, y).predict(X)
        scaled = model.fit(X * scale, y).predict(X * scale)
    assert np.max(np.abs(scaled - reference)) / np.std(y) < 1e-9
