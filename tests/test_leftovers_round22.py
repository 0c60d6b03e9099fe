"""Leftovers, round 22: the multi-task gate's column names from the fitted
network, a gate_transformer of no columns, the gradient trainer's message
where early stopping could not fire, plain numbers from select_n_experts
and compare, hard voting's ties, wrong-shape predict_proba messages, NaN
predictions in compare, and Period / Interval columns in the ensembles.

Each test failed before the change it names, but those marked a guard."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from skmoe import MultiGateMixtureOfExperts


def _two_tasks(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, np.column_stack([X[:, 0], X[:, 1]])


# --------- 1. predict_gate's pandas columns come from the fitted network
def test_ple_gate_columns_come_from_the_fitted_network():
    # Fix in _mmoe._gate_expert_names: after set_params(n_task_experts=None)
    # on a fitted PLE of 3 own experts, pandas refused "Shape of passed values
    # is (2, 10), indices imply (2, 8)".
    pytest.importorskip("pandas")
    X, Y = _two_tasks()
    model = MultiGateMixtureOfExperts(architecture="ple", n_experts=2, n_task_experts=3,
                                      max_iter=2, random_state=0).fit(X, Y)
    model.set_output(transform="pandas").set_params(n_task_experts=None, n_experts=5)
    gates = model.predict_gate(X[:2])
    assert gates.shape == (2, 10)
    assert list(gates.columns.get_level_values("expert")[:5]) == [
        "own0", "own1", "own2", "shared0", "shared1"]


def test_mmoe_gate_columns_count_the_fitted_experts():
    pytest.importorskip("pandas")
    X, Y = _two_tasks()
    model = MultiGateMixtureOfExperts(n_experts=3, max_iter=2, random_state=0).fit(X, Y)
    model.set_output(transform="pandas").set_params(n_experts=4, architecture="ple")
    assert list(model.predict_gate(X[:2]).columns.get_level_values("expert")[:3]) == [
        "expert0", "expert1", "expert2"]


def test_gate_of_a_fitted_shared_bottom_is_refused_by_name():
    X, Y = _two_tasks()
    model = MultiGateMixtureOfExperts(architecture="shared_bottom", max_iter=2,
                                      random_state=0).fit(X, Y)
    model.set_params(architecture="mmoe")
    with pytest.raises(ValueError, match="fitted with architecture='shared_bottom', which "
                                         "has no gate"):
        model.predict_gate(X[:2])


# --------- 2. a gate_transformer that returns no columns
@pytest.mark.parametrize("make", ["moe", "hme"])
def test_gate_transformer_of_no_columns_warns_by_name(make):
    # Fix in _base._fit_gate_view: the gate gave every row the same weights
    # (0.979, 0.021) without a word.
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import HierarchicalMixtureRegressor, MixtureOfExpertsRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] + (X[:, 1] > 0)
    nothing = FunctionTransformer(lambda Z: Z[:, :0])
    if make == "moe":
        model = MixtureOfExpertsRegressor(
            [("linear", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
            gate_transformer=nothing, max_epochs=5, cv=2, random_state=0)
    else:
        model = HierarchicalMixtureRegressor(LinearRegression(), branching=(2,),
                                             gate_transformer=nothing, max_iter=3,
                                             random_state=0)
    with pytest.warns(UserWarning, match=r"gate_transformer \(FunctionTransformer\) returned "
                                         "no columns"):
        model.fit(X, y)
    gates = model.predict_gate(X[:5])
    assert np.allclose(gates, gates[0])


# --------- 3. "did not converge" where early stopping could not fire
def _moe_data(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + (X[:, 1] > 0)


def _moe(**params):
    from sklearn.linear_model import LinearRegression
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import MixtureOfExpertsRegressor
    return MixtureOfExpertsRegressor(
        [("linear", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        training="gradient", random_state=0, **params)


@pytest.mark.parametrize("params, who", [
    (dict(cv=2), "The gate"),                           # the stacked gate
    (dict(cv=None), "Gradient training"),               # the joint trainer
])
def test_convergence_warning_says_early_stopping_could_not_fire(params, who):
    # Fix in _training.not_converged_reason (_blend, _gradient, _mmoe): with
    # max_epochs=3 below n_iter_no_change=10 the warning spoke of a
    # "validation loss still improving", which no stopping rule had checked.
    from sklearn.exceptions import ConvergenceWarning
    X, y = _moe_data()
    with pytest.warns(ConvergenceWarning, match=(
            rf"^{who} did not converge in max_epochs=3 epochs \(early stopping could not "
            r"stop it: n_iter_no_change=10 epochs without improvement of the validation "
            r"loss need more than max_epochs=3\)\. Increase max_epochs or lower "
            r"n_iter_no_change\.$")):
        _moe(max_epochs=3, n_iter_no_change=10, **params).fit(X, y)


def test_convergence_reason_where_stopping_could_fire_is_unchanged():
    # A guard: max_epochs above n_iter_no_change keeps "still improving".
    from skmoe._training import not_converged_reason
    assert not_converged_reason("validation loss", "max_epochs", 11, 10) == (
        "(validation loss still improving). Increase max_epochs.")
    assert not_converged_reason("validation loss", "max_epochs", 10, 10).startswith(
        "(early stopping could not stop it")


def test_mmoe_convergence_warning_names_the_loss_it_stops_on():
    from sklearn.exceptions import ConvergenceWarning
    X, Y = _two_tasks()
    with pytest.warns(ConvergenceWarning, match=r"^MultiGateMixtureOfExperts did not converge "
                      r"in max_iter=2 epochs \(early stopping could not stop it: "
                      r"n_iter_no_change=10 epochs without improvement of the training loss"):
        MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0).fit(X, Y)


# --------- 4. plain Python numbers from select_n_experts and summary()
@pytest.mark.parametrize("criterion", ["bic", "cv"])
def test_select_n_experts_gives_python_ints_for_numpy_candidates(criterion):
    # Fix in _selection._key: candidates=np.array([1, 2]) returned np.int64
    # keys and best.
    import warnings

    from sklearn.linear_model import LinearRegression

    from skmoe import MixtureOfExpertsRegressor, select_n_experts
    from skmoe.datasets import make_piecewise_linear
    X, y = make_piecewise_linear(n_samples=60, n_regimes=2, random_state=0)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em", cv=None,
                                    max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # (EM stopped at max_iter)
        best, scores = select_n_experts(moe, X, y, candidates=np.array([1, 2]),
                                        criterion=criterion, cv=2 if criterion == "cv" else 5)
    assert type(best) is int and best in (1, 2)
    assert [type(key) for key in scores] == [int, int]
    assert all(type(value) is float for value in scores.values())


def test_compare_summary_gives_python_floats():
    # Fix in ComparisonResult.summary: the metrics' means and stds were
    # np.float64 beside the times' Python floats.
    from skmoe import ComparisonResult
    scores = {"a": {"r2": np.array([0.5, 0.7])}}
    times = {"a": np.full(2, 0.01)}
    result = ComparisonResult(["a"], ["r2"], scores, times, times, [20, 20], [10, 10])
    row = result.summary()[0]
    assert {key: type(value) for key, value in row.items()} == {
        "model": str, "r2_mean": float, "r2_std": float, "fit_time": float,
        "predict_time": float, "weighted": bool}
    assert row["r2_mean"] == pytest.approx(0.6) and row["r2_std"] == pytest.approx(0.1)


# --------- 5. hard voting's ties: VotingClassifier's, without a tolerance
class _Says(ClassifierMixin, BaseEstimator):
    """Predicts class ``label`` for every row."""

    def __init__(self, label=0):
        self.label = label

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.label)

    def predict_proba(self, X):
        proba = np.zeros((len(X), len(self.classes_)))
        proba[:, self.label] = 1.0
        return proba


@pytest.mark.parametrize("weights, labels, expected", [
    ([2, 2, 1e-13], [0, 1, 1], 1),           # 1e-13 decides, as in VotingClassifier
    ([0.3, 0.1, 0.2], [0, 1, 1], 1),         # 0.1 + 0.2 rounds above 0.3 there too
    ([5, 18, 12, 1], [1, 0, 1, 1], 0),       # guard: a tie of the weights (18 each)...
    ([1, 1], [1, 0], 0),                     # guard: ...goes to the first class
])
def test_hard_vote_agrees_with_voting_classifier(weights, labels, expected):
    # Fix in _ensemble._first_of_the_best: votes within 1e-12 were a tie, so
    # weights [2, 2, 1e-13] voting 0, 1, 1 predicted class 0 where
    # VotingClassifier predicts 1.
    from sklearn.ensemble import VotingClassifier

    from skmoe import EnsembleClassifier
    X, y = np.zeros((4, 1)), np.array([0, 1, 0, 1])
    experts = [(f"e{i}", _Says(label)) for i, label in enumerate(labels)]
    ours = EnsembleClassifier(experts, voting="hard", weights=weights).fit(X, y).predict(X)
    theirs = VotingClassifier(experts, voting="hard", weights=weights).fit(X, y).predict(X)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.tolist() == [expected] * 4


# --------- 6. wording of the wrong-shape and multi-output messages
class _FewRows(_Says):
    """predict_proba and predict return one row fewer than X has."""

    def predict(self, X):
        return super().predict(X)[1:]

    def predict_proba(self, X):
        return super().predict_proba(X)[1:]


@pytest.mark.parametrize("method, expected", [
    ("predict_proba", "a row of class probabilities for each row of X."),
    ("predict", "one value for each row of X."),
])
def test_wrong_shape_message_says_what_was_expected(method, expected):
    # Fix in _likelihood.call_expert: "expected one row per row."
    from skmoe._likelihood import call_expert
    X, y = np.zeros((4, 1)), np.array([0, 1, 0, 1])
    expert = _FewRows().fit(X, y)
    with pytest.raises(ValueError) as info:
        call_expert("few", expert, method, X)
    assert str(info.value).startswith(f"Expert 'few' (_FewRows) returned {method} of shape ")
    assert str(info.value).endswith(f" for 4 rows of X; expected {expected}")


class _FirstColumn(RegressorMixin, BaseEstimator):
    """A single-output regressor that fits y's first column alone."""

    def fit(self, X, y, sample_weight=None):
        from sklearn.linear_model import Ridge
        y = np.asarray(y)
        self.model_ = Ridge().fit(X, y[:, 0] if y.ndim == 2 else y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_hetero_multi_output_hint_is_a_sentence():
    # Fix in _mmoe_hetero._with_multi_output_hint: "... 2 columns (is it a
    # multi-output regressor?). (the experts are fitted ... wrap it in
    # sklearn.multioutput.MultiOutputRegressor)", without a full stop.
    from sklearn.linear_model import Ridge

    from skmoe import HeterogeneousMultiGateMixtureOfExperts
    X, Y = _two_tasks(60)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("first", _FirstColumn()), ("ridge", Ridge())], cv=2, alpha=1.0, random_state=0)
    with pytest.raises(ValueError) as info:
        model.fit(X, Y)
    assert str(info.value) == (
        "Expert 'first' returned 1 outputs per sample; the encoded targets have 2 columns. "
        "The experts are fitted on all the encoded targets at once, 2 columns: one per "
        "regression task and one per class of a classification task; 'first' predicts one "
        "output, so wrap it in sklearn.multioutput.MultiOutputRegressor.")


# --------- 7. compare names the model's NaN predictions
class _NaNAtFirstRow(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        from sklearn.linear_model import Ridge
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        pred = self.model_.predict(X)
        pred[0] = np.nan
        return pred


def test_compare_says_the_nan_came_from_the_models_predictions():
    # Fix in _compare (_nan_predictions_hint): "Model 'nan' failed to score
    # (r2) on a split of 20 training rows: Input contains NaN.", as if the
    # data held it.
    from sklearn.linear_model import Ridge

    from skmoe import compare
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] + rng.normal(size=40)
    with pytest.raises(ValueError, match=r"^Model 'nan' failed to score \(r2\) on a split of "
                                         r"20 training rows: Input contains NaN\. \(the NaN "
                                         r"came from this model's predict on the test rows: "
                                         r"1 of 20 rows, e\.g\. test row 0; the model must "
                                         r"predict finite numbers\) \(split 1 of 2\)$"):
        compare({"ridge": Ridge(), "nan": _NaNAtFirstRow()}, X, y, cv=2, scoring="r2")


# --------- 8. Period and Interval columns named for an ensemble's expert
@pytest.mark.parametrize("column, kind, dtype, example", [
    ("period", "periods", "period[M]", "a period column's .dt.start_time in days"),
    ("interval", "intervals", "interval[int64, right]", "an interval column's .array.mid"),
])
def test_ensemble_names_a_period_or_interval_column(column, kind, dtype, example):
    # Fix in _data.word_columns_hint: "Expert 'ridge' (Ridge) failed to fit:
    # float() argument must be a string or a real number, not 'Period'",
    # naming no column.
    pd = pytest.importorskip("pandas")
    from sklearn.linear_model import Ridge

    from skmoe import EnsembleRegressor
    n = 12
    values = (pd.period_range("2020-01", periods=n, freq="M") if column == "period"
              else pd.arrays.IntervalArray.from_breaks(np.arange(n + 1)))
    X = pd.DataFrame({"a": np.arange(n, dtype=float), column: values})
    y = np.arange(n, dtype=float)
    with pytest.raises(TypeError) as info:
        EnsembleRegressor([("ridge", Ridge()), ("ridge2", Ridge(alpha=2.0))]).fit(X, y)
    assert str(info.value).endswith(
        f" (X's column(s) '{column}' hold {kind} (dtype {dtype}), which this expert cannot "
        f"read as numbers: the experts get X as it is. Convert them to numbers first, e.g. "
        f"{example})")
