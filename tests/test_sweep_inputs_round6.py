"""Bad input, round 6: inputs a user may pass that the earlier rounds did not try."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (AutoGateTransformer, CrossFitAverage, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureRegressor,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts, RuleExpert,
                   TorchMLPClassifier, TorchMLPRegressor, compare, select_n_experts)

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _regression(n=40, n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _em_template():
    return MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em", cv=None,
                                     max_iter=3, gate=FAST_GATE, random_state=0)


@pytest.mark.parametrize("to_sparse", [sparse.coo_matrix, sparse.coo_array, sparse.dia_matrix])
def test_compare_takes_a_sparse_x_without_row_indexing(to_sparse):
    # The estimators take a COO X (as CSR); compare() failed in every worker
    # with "'coo_matrix' object is not subscriptable".
    X, y = _regression()
    models = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=2, random_state=0)}
    dense = compare(models, X, y, cv=2)
    result = compare(models, to_sparse(X), y, cv=2)
    for name in models:
        for metric in dense.scores[name]:
            assert_allclose(result.scores[name][metric], dense.scores[name][metric])


def test_select_n_experts_by_cv_takes_a_sparse_x_without_row_indexing():
    X, y = _regression()
    with pytest.warns(Warning):  # EM's max_iter=3: not converged
        best, scores = select_n_experts(_em_template(), X, y, candidates=[1, 2],
                                        criterion="cv", cv=2)
    with pytest.warns(Warning):
        coo_best, coo_scores = select_n_experts(_em_template(), sparse.coo_matrix(X), y,
                                                candidates=[1, 2], criterion="cv", cv=2)
    assert coo_best == best
    assert_allclose([coo_scores[k] for k in (1, 2)], [scores[k] for k in (1, 2)])


@pytest.mark.parametrize("cv", [True, np.bool_(False)])
def test_a_flag_as_cv_is_refused_by_compare_and_select_n_experts(cv):
    # bool is an int to Python: cv=True was K-fold "n_splits=1", an error
    # about no parameter of these functions (the estimators refuse cv=True).
    X, y = _regression()
    refused = r"cv must be a number of folds .*got (np\.)?(True|False)"
    with pytest.raises(ValueError, match=refused):
        compare({"ridge": Ridge(), "tree": DecisionTreeRegressor()}, X, y, cv=cv)
    with pytest.raises(ValueError, match=refused):
        select_n_experts(_em_template(), X, y, candidates=[1, 2], criterion="cv", cv=cv)


def test_cli_an_empty_last_column_is_named_not_sent_to_dropna(tmp_path, capsys):
    # A comma at the end of every line makes an empty last column, the default
    # target: the CLI said "has missing values; pass --dropna", and --dropna
    # then dropped every row.
    from skmoe._cli import main
    X, y = _regression()
    path = tmp_path / "trailing.csv"
    path.write_text("x,y,\n" + "".join(f"{a:.4f},{b:.4f},\n" for a, b in zip(X[:, 0], y)))
    for extra in ([], ["--dropna"]):
        assert main(["compare", str(path), "--quiet", *extra]) == 2
        err = capsys.readouterr().err
        assert "'Unnamed: 2'" in err and "has no value in any row" in err, err
        assert "--target" in err and "comma at the end of every line" in err, err
        assert "pass --dropna" not in err and "--dropna left none" not in err, err


@pytest.mark.parametrize("experts, item", [
    ([Ridge(), Ridge()], r"Ridge\(\)"),
    ([(1, Ridge()), (2, Ridge())], r"\(1, Ridge\(\)\)"),
    ([("a", Ridge(), 1), ("b", Ridge(), 2)], r"\('a', Ridge\(\), 1\)"),
])
def test_hierarchical_mixture_names_the_expert_item_that_is_no_pair(experts, item):
    # Was "... or a list of (name, estimator) pairs, one per leaf; got list.",
    # as if a list were refused; the flat mixtures name the item.
    X, y = _regression()
    with pytest.raises(TypeError, match=rf"each name a string; got {item} in the list"):
        HierarchicalMixtureRegressor(experts, branching=(2,), max_iter=2).fit(X, y)


class _ZeroesXInPredict(RegressorMixin, BaseEstimator):
    """A regression expert that writes into its X at prediction (not in fit)."""

    def fit(self, X, y, sample_weight=None):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        X[:, 0] = 0.0
        return np.full(X.shape[0], self.mean_)


@pytest.mark.parametrize("make", [
    lambda experts: EnsembleRegressor(experts),
    lambda experts: MixtureOfExpertsRegressor(experts, training="em", gate=FAST_GATE,
                                              max_iter=2, random_state=0),
])
def test_an_expert_writing_into_x_at_prediction_is_told_why_x_is_read_only(make):
    # Its fit got the hint; at prediction the error was numpy's bare
    # "assignment destination is read-only", though the caller's X was writeable.
    X, y = _regression()
    X_before = X.copy()
    model = make([("zeroes", _ZeroesXInPredict()), ("ridge", Ridge())])
    with pytest.raises(ValueError, match=r"Expert 'zeroes' \(_ZeroesXInPredict\) failed in "
                                         r"predict: .*read-only.*writes into its X"):
        model.fit(X, y).predict(X)
    assert_allclose(X, X_before)


def test_cross_fit_average_weights_whose_sum_overflows_are_their_ratio():
    # weights / weights.sum() was [0, 0] for [1e308, 1e308]: every prediction
    # 0.0, silently (numpy's overflow warning aside).
    X, y = _regression()
    fits = [Ridge().fit(X[:30], y[:30]), Ridge().fit(X[10:], y[10:])]
    assert_allclose(CrossFitAverage(fits, weights=[1e308, 1e308]).predict(X),
                    CrossFitAverage(fits).predict(X))


@pytest.mark.parametrize("fits, weights, error, message", [
    ("ridges", ["a", "b"], ValueError, r"weights must be 2 finite, non-negative numbers"),
    ("ridges", {"fold0": 1.0}, ValueError, r"weights must be 2 finite, non-negative numbers"),
    ("with None", None, TypeError, r"fit 1 is None, not a fitted estimator with predict"),
])
def test_cross_fit_average_names_weights_and_fits_that_are_not_such(fits, weights, error,
                                                                    message):
    # Were numpy's "could not convert string to float: 'a'" and scikit-learn's
    # "'NoneType' object has no attribute '__sklearn_tags__'".
    X, y = _regression()
    ridge = Ridge().fit(X, y)
    fits = [ridge, ridge] if fits == "ridges" else [ridge, None]
    with pytest.raises(error, match=message):
        CrossFitAverage(fits, weights=weights).predict(X)


@pytest.mark.parametrize("make", [TorchMLPRegressor, TorchMLPClassifier])
def test_torch_experts_take_weights_whose_mean_overflows_as_their_ratio(make):
    # sample_weight / sample_weight.mean() was 0 for weights of 1e308: the
    # network kept its initial weights, with only numpy's overflow warning.
    X, y = _regression()
    if make is TorchMLPClassifier:
        y = y > 0
    model = lambda: make(hidden_layer_sizes=(4,), max_epochs=5, random_state=0)
    predict = (lambda m: m.predict_proba(X)) if make is TorchMLPClassifier else (
        lambda m: m.predict(X))
    assert_allclose(predict(model().fit(X, y, sample_weight=np.full(len(y), 1e308))),
                    predict(model().fit(X, y)), rtol=1e-6)


def _scaled_first_column(X, a):
    return a * X[:, 0]


def _first_column_above(X, threshold):
    return X[:, 0] > threshold


def test_rule_expert_takes_weights_whose_mean_overflows_as_their_ratio():
    # w / w.mean() was 0 for weights of 1e308: the regression rule's noise_std_
    # was NaN (its parameter never moved), the classification rule failed
    # with numpy's "Weights sum to zero, can't be normalized".
    X, y = _regression()
    huge = np.full(len(y), 1e308)
    plain = RuleExpert(_scaled_first_column, params={"a": 0.5}).fit(X, y)
    heavy = RuleExpert(_scaled_first_column, params={"a": 0.5}).fit(X, y, sample_weight=huge)
    assert heavy.params_ == pytest.approx(plain.params_)
    assert heavy.noise_std_ == pytest.approx(plain.noise_std_)
    labels = (y > 0.3).astype(int)
    rule = lambda: RuleExpert(_first_column_above, params={"threshold": 0.0},
                              task="classification")
    assert_allclose(rule().fit(X, labels, sample_weight=huge).predict_proba(X),
                    rule().fit(X, labels).predict_proba(X))


_GATED = [
    lambda transformer: MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))], training="em",
        gate=FAST_GATE, max_iter=2, gate_transformer=transformer, random_state=0),
    lambda transformer: MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))], max_epochs=3,
        top_k=1, gate_transformer=transformer, random_state=0),
    lambda transformer: HierarchicalMixtureRegressor(
        Ridge(), branching=(2,), max_iter=2, gate_transformer=transformer, random_state=0),
]


@pytest.mark.parametrize("make", _GATED)
@pytest.mark.parametrize("in_place", [StandardScaler, Normalizer])
def test_a_gate_transformer_scaling_in_place_cannot_change_x(make, in_place):
    # The gate's transformer got the caller's X itself: StandardScaler(copy=False)
    # standardised it at fit (the experts were then fitted on that) and again
    # at every predict.
    X, y = _regression()
    X_fit, X_predict = X.copy(), X.copy()
    model = make(in_place(copy=False)).fit(X_fit, y)
    prediction = model.predict(X_predict)
    assert_allclose(X_fit, X)
    assert_allclose(X_predict, X)
    assert_allclose(prediction, make(in_place()).fit(X, y).predict(X))


class _ZeroesFirstColumn(TransformerMixin, BaseEstimator):
    """A gate transformer that writes into its X."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X[:, 0] = 0.0
        return X


@pytest.mark.parametrize("make", _GATED)
def test_a_gate_transformer_writing_into_x_is_named(make):
    X, y = _regression()
    X_fit = X.copy()
    with pytest.raises(ValueError, match=r"gate_transformer \(_ZeroesFirstColumn\) failed in "
                                         r"fit_transform: .*read-only.*make it copy X"):
        make(_ZeroesFirstColumn()).fit(X_fit, y)
    assert_allclose(X_fit, X)


@pytest.mark.parametrize("part", ["bottom_module", "expert_module", "tower_module"])
def test_a_user_module_returning_float64_is_named(part):
    # A module computing in float64 (its input cast with .double()) passed its
    # own dry run and failed later in the gates' einsum or the heads' matmul:
    # "expected scalar type Float but found Double", naming no module.
    torch = pytest.importorskip("torch")
    X, y = _regression()
    Y = np.column_stack([y, X[:, 1]])
    width = {"bottom_module": (3, 3), "expert_module": (3, 4), "tower_module": (4, 4)}[part]

    class InFloat64(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(*width).double()

        def forward(self, x):
            return self.linear(x.double())

    model = MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=2, random_state=0,
                                      **{part: InFloat64})
    with pytest.raises(TypeError, match=rf"{part} .*returned a tensor of dtype torch\.float64 "
                                        r"for an input of dtype torch\.float32"):
        model.fit(X, Y)


@pytest.mark.parametrize("unsupervised, kind", [
    (lambda: KMeans(n_clusters=2, n_init=1, random_state=0), "a clusterer"),
    (lambda: make_pipeline(StandardScaler(), KMeans(n_clusters=2, n_init=1)), "a clusterer"),
    (lambda: IsolationForest(n_estimators=5, random_state=0), "an outlier detector"),
])
@pytest.mark.parametrize("make, multi", [
    (lambda experts: EnsembleRegressor(experts), False),
    (lambda experts: MixtureOfExpertsRegressor(experts, training="em", gate=FAST_GATE,
                                               max_iter=2, random_state=0), False),
    (lambda experts: HierarchicalMixtureRegressor(experts, branching=(2,), max_iter=2), False),
    (lambda experts: HeterogeneousMultiGateMixtureOfExperts(experts, max_iter=2, cv=2), True),
])
def test_an_unsupervised_model_as_a_regression_expert_is_refused(unsupervised, kind, make,
                                                                  multi):
    # Its predict (cluster numbers, -1 or 1) was averaged in as a prediction
    # of y, silently; the classifiers refuse anything that is not a classifier.
    X, y = _regression()
    Y = np.column_stack([y, X[:, 1]]) if multi else y
    with pytest.raises(TypeError, match=rf"Expert 'odd' \(\w+\) is {kind}, whose predict "
                                        r"is no prediction of y"):
        make([("odd", unsupervised()), ("ridge", Ridge())]).fit(X, Y)


def test_a_column_of_lists_for_the_gate_is_named():
    # A column of lists (tags read from JSON) stopped the gate's one-hot
    # encoder with "Encoders require their input argument must be uniformly
    # strings or numbers. Got ['list']", naming no column.
    pd = pytest.importorskip("pandas")
    X, y = _regression()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["tags"] = [["red", "big"] if v > 0 else ["blue"] for v in X[:, 0]]
    named = (r"one-hot encodes the column\(s\) 'tags' for the gate, but they hold values "
             r"that are neither strings nor numbers \(e\.g\. \[.*\], a list\)")
    with pytest.raises(TypeError, match=named):
        AutoGateTransformer().fit(frame)
    with pytest.raises(TypeError, match=named):
        MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())],
                                  training="em", gate=FAST_GATE, max_iter=2).fit(frame, y)
