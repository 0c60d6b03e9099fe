"""Bad input beyond the earlier sweeps (tests/test_bad_input.py,
tests/test_sweep_*.py, tests/test_raw_data.py): user folds that leave a
class out of training, rules written for DataFrames, weights that leave one
class, predict after a failed fit, ensemble weights that overflow, CSV files
the CLI cannot split; flags given as numbers, experts that return text, change
the caller's DataFrame or y, or cannot be cloned; rows of zero weight in the
greedy ensembles and the heterogeneous multi-task mixture; repeated splits in
compare(); one feature-names warning per predict.

Each test fails without the fix it names.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   HeterogeneousMultiGateMixtureOfExperts, MixtureOfExpertsRegressor,
                   RuleExpert)
from skmoe._cli import main


def _sorted_classes(n=90, seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat([0, 1, 2], n // 3)                 # sorted by class, as iris is
    X = rng.normal(size=(n, 2)) + y[:, None] * 2.0
    return X, y


def _experts():
    return [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))]


@pytest.mark.parametrize("make", [
    lambda cv: MixtureOfExpertsClassifier(_experts(), cv=cv, max_epochs=5, random_state=0),
    lambda cv: MixtureOfExpertsClassifier(_experts(), cv=cv, training="em", max_iter=2,
                                          random_state=0),
    lambda cv: EnsembleClassifier(_experts(), weights="greedy", cv=cv, n_rounds=3),
])
@pytest.mark.parametrize("as_list", [False, True])
def test_folds_that_leave_a_class_out_of_training_are_named(make, as_list):
    # KFold(3) without shuffling on rows sorted by class trains every fold on
    # two classes: the stacked gate learned from out-of-fold probabilities
    # that never named the true class, without a warning, and the mixture
    # scored 0.39 on iris's own training rows (its experts 0.97).
    X, y = _sorted_classes()
    cv = list(KFold(3).split(X)) if as_list else KFold(3)
    with pytest.raises(ValueError, match=r"leaves 1 of the 3 classes out of the training "
                                         r"rows of fold 1 of 3.*[Ss]huffle or stratify"):
        make(cv).fit(X, y)


def test_shuffled_folds_of_sorted_classes_fit_well():
    X, y = _sorted_classes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsClassifier(_experts(), cv=KFold(3, shuffle=True, random_state=0),
                                         max_epochs=5, random_state=0).fit(X, y)
    assert moe.score(X, y) >= min(e.score(X, y) for e in moe.experts_) - 0.05


def _frame(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"income": rng.uniform(0, 100_000, n), "age": rng.uniform(18, 80, n)})
    return X, (X["income"] > 50_000).astype(int).to_numpy()


@pytest.mark.parametrize("rule", [lambda X: X["income"] > 50_000,
                                  lambda X: X.income > 50_000,
                                  lambda X: X.loc[:, "income"] > 50_000])
@pytest.mark.parametrize("in_mixture", [False, True])
def test_a_rule_reading_dataframe_columns_is_told_x_is_an_array(rule, in_mixture):
    # Numpy's bare "only integers, slices (`:`) ... are valid indices" (or
    # "'numpy.ndarray' object has no attribute 'income'") said nothing of
    # why the DataFrame given to fit had no columns inside the rule.
    X, y = _frame()
    expert = RuleExpert(rule, task="classification")
    model = (MixtureOfExpertsClassifier([("rule", expert), ("lr", LogisticRegression())],
                                        max_epochs=2, random_state=0)
             if in_mixture else expert)
    with pytest.raises(ValueError, match=r"numpy array .*X\[:, 0\] for 'income'; the columns "
                                         r"are 0: 'income', 1: 'age'"):
        model.fit(X, y)


def test_a_rule_reading_columns_by_position_fits_a_dataframe():
    X, y = _frame()
    expert = RuleExpert(lambda X: X[:, 0] > 50_000, task="classification").fit(X, y)
    assert expert.score(X, y) == 1.0


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsClassifier(_experts(), max_epochs=2, random_state=0),
    lambda: MixtureOfExpertsClassifier(_experts(), training="em", max_iter=2, random_state=0),
    lambda: HierarchicalMixtureClassifier(LogisticRegression(), branching=2, max_iter=2,
                                          random_state=0),
])
def test_weights_of_one_class_only_are_named(make):
    # The rows of zero weight are left out, which left one class: an expert
    # failed with "a class with very few rows, e.g. one, is missing from the
    # training rows of the cross-fitting fold that holds it out; remove or
    # merge that class" -- about folds and rare classes, not the weights.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.repeat(["a", "b", "c"], 20)
    with pytest.raises(ValueError, match=r"Only class 'a' has rows of positive sample_weight "
                                         r"\(y has 3 classes"):
        make().fit(X, y, sample_weight=(y == "a").astype(float))
    # Two classes of positive weight still fit.
    model = make().fit(X, y, sample_weight=(y != "c").astype(float))
    assert np.allclose(model.predict_proba(X).sum(axis=1), 1.0)


class Picky(RegressorMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        raise ValueError("cannot fit these rows")

    def predict(self, X):
        return np.zeros(len(X))


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("ridge", Ridge()), ("picky", Picky())], random_state=0),
    lambda: MixtureOfExpertsRegressor([("ridge", Ridge()), ("picky", Picky())], training="em",
                                      random_state=0),
    lambda: HierarchicalMixtureRegressor(Picky(), branching=2, random_state=0),
    lambda: EnsembleRegressor([("ridge", Ridge()), ("picky", Picky())]),
])
def test_predict_after_a_failed_first_fit_is_not_fitted(make):
    # fit set n_features_in_ (and training_, gate_transformer_) before the
    # expert failed, so check_is_fitted passed and predict stopped with
    # "'MixtureOfExpertsRegressor' object has no attribute 'gate_'".
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    model = make()
    with pytest.raises(ValueError, match="Picky"):
        model.fit(X, X[:, 0])
    with pytest.raises(NotFittedError):
        model.predict(X)


@pytest.mark.parametrize("classifier", [False, True])
def test_weights_whose_sum_overflows_are_their_ratio(classifier):
    # weights_ = w / w.sum() was [0, 0] for w = [1e308, 1e308]: the regressor
    # predicted 0.0 everywhere, silently; the classifier failed with numpy's
    # "need at least one array to stack".
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    if classifier:
        y = (X[:, 0] > 0).astype(int)
        make = lambda w: EnsembleClassifier([("lr", LogisticRegression()),
                                             ("tree", DecisionTreeClassifier())], weights=w)
        out = lambda m: m.predict_proba(X)
    else:
        y = 5 + X[:, 0]
        make = lambda w: EnsembleRegressor([("ridge", Ridge()),
                                            ("tree", DecisionTreeRegressor())], weights=w)
        out = lambda m: m.predict(X)
    huge, plain = make([1e308, 1e308]).fit(X, y), make([1, 1]).fit(X, y)
    assert_allclose(huge.weights_, [0.5, 0.5])
    assert_allclose(out(huge), out(plain))


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_csv_separated_otherwise_than_by_commas_is_named(tmp_path, capsys, sep):
    # Read as one column named "a;b;y": "has 1 column(s); need features and
    # a target", which did not say why a file of three columns had one.
    path = tmp_path / "semi.csv"
    path.write_text(sep.join("aby") + "\n" + "".join(
        sep.join(str(v) for v in (i, i % 7, 2 * i)) + "\n" for i in range(30)))
    assert main(["compare", str(path)]) == 2
    err = capsys.readouterr().err
    assert "has 1 column(s)" in err
    assert f"looks separated by {sep!r}, not by commas" in err


def test_classification_of_a_continuous_target_is_named(tmp_path, capsys):
    # "The rarest class has 1 rows, fewer than --cv 5 folds; lower --cv".
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    path = tmp_path / "cont.csv"
    path.write_text("a,b,price\n" + "".join(f"{a},{b},{100 + 10 * a}\n" for a, b in X))
    assert main(["compare", str(path), "--task", "classification"]) == 2
    err = capsys.readouterr().err
    assert "fractional values" in err and "--task regression" in err
    assert "--cv" not in err


@pytest.mark.parametrize("make", [
    lambda cv: MixtureOfExpertsRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())],
                                         cv=cv, max_epochs=2, random_state=0),
    lambda cv: EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())],
                                 weights="greedy", cv=cv),
])
def test_a_stratified_splitter_for_a_regressor_is_named(make):
    # scikit-learn's bare "Supported target types are: ('binary', 'multiclass')".
    from sklearn.model_selection import StratifiedKFold
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    with pytest.raises(ValueError, match=r"stratifies by class, and a regressor's y is "
                                         r"continuous"):
        make(StratifiedKFold(3)).fit(X, X[:, 0] + 0.1 * rng.normal(size=40))


def test_more_folds_than_rows_names_the_cv_option(tmp_path, capsys):
    # scikit-learn's "Cannot have number of splits n_splits=50 greater than
    # the number of samples: n_samples=30", which named no option.
    path = tmp_path / "small.csv"
    path.write_text("a,y\n" + "".join(f"{i},{0.5 * i + (i % 3)}\n" for i in range(30)))
    assert main(["compare", str(path), "--cv", "50"]) == 2
    err = capsys.readouterr().err
    assert "--cv 50 folds need at least 50 rows; the data has 30" in err


def test_cli_feature_names_lightgbm_refuses_are_made_plain(tmp_path, capsys):
    # "--one-hot" on a text column holding "2,600 to 5,200" (or a numeric
    # column named "weight[kg]") stopped every fit: LightGBM's "Do not support
    # special JSON characters in feature name" (the default pool's gbm).
    rng = np.random.RandomState(0)
    band = rng.choice(["under 2,600", "2,600 to 5,200", "above 5,200"], 120)
    weight = rng.normal(70, 10, 120)
    label = np.where(rng.rand(120) < 0.3 + 0.3 * (band == "under 2,600"), "yes", "no")
    path = tmp_path / "bands.csv"
    pd.DataFrame({"weight[kg]": weight, "income": band, "y": label}).to_csv(path, index=False)
    assert main(["compare", str(path), "--one-hot", "--repeats", "1", "--cv", "3",
                 "--n-jobs", "1", "--quiet"]) == 0
    assert "gbm" in capsys.readouterr().out


def test_cli_plain_column_names_stay_distinct():
    from skmoe._cli import _plain_column_names
    frame = pd.DataFrame(np.zeros((1, 4)), columns=["a,b", "a:b", "a_b", "c"])
    assert list(_plain_column_names(frame).columns) == ["a_b", "a_b_1", "a_b_2", "c"]


@pytest.mark.parametrize("nested", ["pipeline", "transformed_target"])
def test_weights_reach_a_regressor_nested_in_pipelines(nested):
    # Fix in _base._weight_keyword: only a Pipeline's last step was asked for
    # sample_weight, so make_pipeline(ColumnTransformer, make_pipeline(
    # StandardScaler(), Ridge())) -- preprocessing put in front of a pool --
    # was judged unable to take weights: the ensembles refused them, the
    # mixtures fitted a weighted resample (other predictions than the same
    # Ridge written flat). A TransformedTargetRegressor over a Pipeline too.
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 2))
    y = X[:, 0] + np.where(X[:, 1] > 0, 3.0, 0.0) + 0.1 * rng.normal(size=80)
    w = np.where(X[:, 1] > 0, 5.0, 1.0)
    inner = make_pipeline(StandardScaler(), Ridge())
    expert = (make_pipeline(StandardScaler(), inner) if nested == "pipeline"
              else TransformedTargetRegressor(regressor=inner))
    ensemble = EnsembleRegressor([("ridge", expert), ("tree", DecisionTreeRegressor())])
    ensemble.fit(X, y, sample_weight=w)
    by_hand = make_pipeline(StandardScaler(), Ridge()).fit(X, y, ridge__sample_weight=w)
    assert_allclose(ensemble.named_experts_["ridge"].predict(X), by_hand.predict(X),
                    rtol=1e-6)


def test_a_two_column_object_target_is_named_two_dimensional():
    # An object y of a string and a number column was reported as "y mixes
    # string and numeric class labels", not as a y of the wrong shape.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = np.array([["a", 1]] * 20 + [["b", 2]] * 20, dtype=object)
    model = MixtureOfExpertsClassifier([("lr", LogisticRegression()),
                                        ("tree", DecisionTreeClassifier())], random_state=0)
    with pytest.raises(ValueError, match=r"y should be a 1d array, got an array of shape "
                                         r"\(40, 2\)"):
        model.fit(X, y)


@pytest.mark.filterwarnings("ignore")
def test_bic_and_aic_take_a_pipeline_ending_in_a_mixture():
    # log_likelihood_scorer took such a pipeline; bic, aic and
    # select_n_experts(criterion="bic") refused it: "need a fitted skmoe
    # mixture (an estimator with experts_), got Pipeline".
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skmoe import aic, bic, select_n_experts
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (120, 2))
    y = np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.1 * rng.randn(120)
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                    cv=None, random_state=0)
    pipe = make_pipeline(StandardScaler(), moe).fit(X, y)
    Xt = pipe[0].transform(X)
    assert_allclose(bic(pipe, X, y), bic(pipe[-1], Xt, y))
    assert_allclose(aic(pipe, X, y), aic(pipe[-1], Xt, y))
    _, scores = select_n_experts(make_pipeline(StandardScaler(), moe), X, y,
                                 candidates=(2, 3),
                                 param="mixtureofexpertsregressor__n_experts")
    assert set(scores) == {2, 3}


def test_compare_refuses_scorer_objects_in_a_list_before_fitting():
    # A scorer object in a list failed when the table was printed, after
    # every fit: "'_Scorer' object has no attribute 'startswith'".
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import make_scorer, mean_absolute_error

    from skmoe import compare
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 2), rng.randn(30)
    fitted = []

    class Spy(LinearRegression):
        def fit(self, X, y):
            fitted.append(1)
            return super().fit(X, y)

    mae = make_scorer(mean_absolute_error, greater_is_better=False)
    with pytest.raises(TypeError, match="for scorer objects pass a dict"):
        str(compare({"a": Spy(), "b": Ridge()}, X, y, cv=2, scoring=[mae]))
    assert not fitted


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(_reg_experts(), top_k=True),
    lambda: MixtureOfExpertsRegressor(_reg_experts(), top_k=1, capacity_factor=True),
    lambda: MixtureOfExpertsRegressor(_reg_experts(), n_init=True, training="em"),
    lambda: EnsembleRegressor(_reg_experts(), weights="greedy", n_rounds=True),
    lambda: HierarchicalMixtureRegressor(_reg_experts(), max_iter=True),
], ids=["top_k", "capacity_factor", "n_init", "n_rounds", "max_iter"])
def test_a_flag_where_a_number_belongs_is_refused(make):
    # bool is an int to Python, so scikit-learn's Interval took top_k=True as 1.
    X, y = _regression_rows()
    with pytest.raises(ValueError, match="Got (True|False) instead"):
        make().fit(X, y)


def test_numpy_integers_still_count_as_numbers():
    X, y = _regression_rows()
    model = MixtureOfExpertsRegressor(_reg_experts(), top_k=np.int64(1), random_state=0).fit(X, y)
    assert model.predict(X).shape == (len(X),)


def _reg_experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]


def _regression_rows(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


class _MeanAsText(RegressorMixin, BaseEstimator):
    """A regression expert that returns its numbers formatted as strings."""

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.array([f"{self.mean_:.3f}"] * len(X))


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("ridge", Ridge()), ("text", _MeanAsText())],
                                      random_state=0),
    lambda: EnsembleRegressor([("ridge", Ridge()), ("text", _MeanAsText())]),
], ids=["mixture", "ensemble"])
def test_an_expert_returning_numbers_as_text_is_named(make):
    # numpy reads '0.512' as 0.512 without a word; the expert is not what its
    # place expects, so it is named rather than converted.
    X, y = _regression_rows()
    with pytest.raises(ValueError, match=r"Expert 'text' \(_MeanAsText\).*returned text"):
        make().fit(X, y).predict(X)


def _two_tasks(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 2)
    return X, np.c_[X[:, 0] + 0.05 * rng.normal(size=n), X[:, 1]]


def test_heterogeneous_multitask_rows_of_zero_weight_are_rows_left_out():
    # They moved the cross-fitting folds and the targets' scaling: predictions
    # 4.2 apart from the fit without them (a helper's sweep).
    X, Y = _two_tasks()
    weight = np.ones(len(X))
    weight[::3] = 0.0
    kept = weight > 0
    make = lambda: HeterogeneousMultiGateMixtureOfExperts(  # noqa: E731
        _reg_experts(), max_iter=20, random_state=0)
    weighted = make().fit(X, Y, sample_weight=weight)
    dropped = make().fit(X[kept], Y[kept])
    assert_allclose(weighted.predict(X), dropped.predict(X), rtol=1e-5, atol=1e-6)


def test_heterogeneous_multitask_refuses_folds_of_zero_weight_rows():
    # Two rows of positive weight in 60 went through three cross-fitting folds.
    X, Y = _two_tasks()
    weight = np.zeros(len(X))
    weight[:2] = 1.0
    with pytest.raises(ValueError, match=r"cv=3 folds need at least 3 samples, got 2 .*zero "
                                         "sample_weight"):
        HeterogeneousMultiGateMixtureOfExperts(_reg_experts()).fit(X, Y, sample_weight=weight)


def test_compare_warns_that_repeated_splits_are_copies():
    # The same split three times gave t = inf and "significant": the copies
    # of one split's scores were taken as three pieces of evidence.
    from sklearn.dummy import DummyRegressor

    from skmoe import compare
    X, y = _regression_rows()
    split = (np.arange(40), np.arange(40, 60))
    models = {"ridge": Ridge(), "mean": DummyRegressor()}
    with pytest.warns(UserWarning, match="2 of the 3 splits of cv repeat an earlier one"):
        compare(models, X, y, cv=[split, split, split], pair=("ridge", "mean"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        compare(models, X, y, cv=3, pair=("ridge", "mean"))


@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_greedy_ensemble_rows_of_zero_weight_are_rows_left_out(classifier):
    # They still moved the other rows' cross-fitting folds: weights_ [0, 0.06,
    # 0.94] against [0.02, 0, 0.98] with the rows dropped (a helper's sweep).
    X, y = _regression_rows(n=240)
    if classifier:
        y = (y > np.median(y)).astype(int)
        experts = [("lr", LogisticRegression()),
                   ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
        make = lambda: EnsembleClassifier(experts, weights="greedy", random_state=0)  # noqa: E731
    else:
        experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
                   ("deep", DecisionTreeRegressor(max_depth=6, random_state=0))]
        make = lambda: EnsembleRegressor(experts, weights="greedy", random_state=0)  # noqa: E731
    weight = np.random.RandomState(0).randint(0, 4, size=len(y)).astype(float)
    kept = weight > 0
    weighted = make().fit(X, y, sample_weight=weight)
    dropped = make().fit(X[kept], y[kept], sample_weight=weight[kept])
    assert_allclose(weighted.weights_, dropped.weights_)
    assert_allclose(weighted.predict(X), dropped.predict(X))


class _AddsASquaredColumn(RegressorMixin, BaseEstimator):
    """An expert that engineers a feature in its DataFrame, in place."""

    def fit(self, X, y, sample_weight=None):
        X["a_sq"] = X["a"] ** 2
        X.loc[:, "b"] = 0.0
        self.ridge_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        X["a_sq"] = X["a"] ** 2
        X.loc[:, "b"] = 0.0
        return self.ridge_.predict(X)


@pytest.mark.parametrize("make", [
    lambda e: EnsembleRegressor(e),
    lambda e: MixtureOfExpertsRegressor(e, max_epochs=3, random_state=0),
    lambda e: MixtureOfExpertsRegressor(e, training="em", max_iter=2, random_state=0),
    lambda e: HierarchicalMixtureRegressor(e, branching=(2,), max_iter=2, random_state=0),
], ids=["ensemble", "mixture", "em", "hierarchical"])
def test_an_expert_cannot_change_the_callers_dataframe(make):
    # The added column reached the caller's frame (its next predict failed on
    # "Feature names unseen at fit time") and the next expert's X.
    X, y = _regression_rows()
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    before = frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make([("engineer", _AddsASquaredColumn()), ("ridge", Ridge())]).fit(frame, y)
        model.predict(frame)
    pd.testing.assert_frame_equal(frame, before)
    ridge = model.named_experts_["ridge"] if hasattr(model, "named_experts_") else None
    if ridge is not None and hasattr(ridge, "n_features_in_"):
        assert ridge.n_features_in_ == 2         # not a_sq from the other expert


class _CentresY(RegressorMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        y -= y.mean()
        self.ridge_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        return self.ridge_.predict(X)


def test_an_ensemble_expert_cannot_change_the_callers_y():
    # It centred the caller's y, and the experts fitted after it learnt the
    # centred target (a Ridge's intercept -0.15 instead of about 5).
    X, y = _regression_rows()
    y = y + 5.0
    before = y.copy()
    with pytest.raises(ValueError, match=r"Expert 'centre' \(_CentresY\).*read-only.*y or "
                                         "sample_weight"):
        EnsembleRegressor([("centre", _CentresY()), ("ridge", Ridge())]).fit(X, y)
    assert_allclose(y, before)


def test_heterogeneous_multitask_gives_one_task_a_1d_y_and_hints_at_multi_output():
    from sklearn.exceptions import DataConversionWarning
    from sklearn.svm import SVR
    X, Y = _two_tasks()
    experts = [("svr", SVR()), ("ridge", Ridge())]
    # One regression task: scikit-learn warned about a "column-vector y" the
    # user had passed 1-D.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataConversionWarning)
        HeterogeneousMultiGateMixtureOfExperts(experts, max_iter=5, random_state=0).fit(
            X, Y[:, 0])
    # One binary task is two indicator columns: a single-output expert's
    # "y should be a 1d array" now says why and what to do.
    with pytest.raises(ValueError, match=r"Expert 'svr' \(SVR\) failed to fit.*2 columns.*"
                                         "MultiOutputRegressor"):
        HeterogeneousMultiGateMixtureOfExperts(experts, tasks="binary").fit(
            X, (Y[:, 0] > np.median(Y[:, 0])).astype(int))


def test_untrusted_types_names_a_zip_that_is_not_a_model(tmp_path):
    # An .xlsx or .docx is a zip archive too: skops' bare KeyError ("There is
    # no item named 'schema.json' in the archive").
    import zipfile

    pytest.importorskip("skops")
    from skmoe.persistence import untrusted_types
    path = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match="file is not a model saved by skops"):
        untrusted_types(file=str(path))
    with pytest.raises(ValueError, match="data is not a model saved by skops"):
        untrusted_types(path.read_bytes())


class _OneColumnShort(LogisticRegression):
    def predict_proba(self, X):
        return super().predict_proba(X)[:, :-1]


def test_a_missing_probability_column_is_named_as_such():
    # It was reported as rows that do not sum to one.
    X, y = _regression_rows()
    y = (y > 0).astype(int)
    with pytest.raises(ValueError, match=r"Expert 'short' \(_OneColumnShort\) returned "
                                         "predict_proba with 1 columns but has 2 classes_"):
        EnsembleClassifier([("short", _OneColumnShort()), ("lr", LogisticRegression())]).fit(
            X, y).predict_proba(X)


class _RenamesItsParameter(RegressorMixin, BaseEstimator):
    def __init__(self, alpha=1.0):
        self.a = alpha                     # not self.alpha: clone cannot rebuild it

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.zeros(len(X))


@pytest.mark.parametrize("make", [EnsembleRegressor, MixtureOfExpertsRegressor])
def test_an_expert_that_cannot_be_cloned_is_named(make):
    X, y = _regression_rows()
    with pytest.raises(ValueError, match=r"Expert 'mine' \(_RenamesItsParameter\) cannot be "
                                         r"cloned: .*self.alpha = alpha"):
        make([("ridge", Ridge()), ("mine", _RenamesItsParameter())]).fit(X, y)


@pytest.mark.parametrize("options", [dict(cv=3), dict(n_rounds=10)], ids=["cv", "n_rounds"])
def test_ensemble_warns_that_greedy_options_are_unused(options):
    X, y = _regression_rows()
    with pytest.warns(UserWarning, match="has no effect with weights=None; it is only used "
                                         "with weights='greedy'"):
        EnsembleRegressor(_reg_experts(), **options).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        EnsembleRegressor(_reg_experts(), weights="greedy", random_state=0, **options).fit(X, y)


def test_a_regression_rule_names_a_target_of_labels():
    # numpy's bare "could not convert string to float: np.str_('a')".
    X, _ = _regression_rows()
    y = np.array(["a", "b"] * (len(X) // 2))
    with pytest.raises(ValueError, match=r"RuleExpert\(task='regression'\) needs a numeric y; "
                                         r"it holds 'a'.*task='classification'"):
        RuleExpert(lambda X: X[:, 0]).fit(X, y)


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(_reg_experts(), random_state=0),
    lambda: EnsembleRegressor(_reg_experts()),
    lambda: HierarchicalMixtureRegressor(_reg_experts(), branching=(2,), max_iter=2,
                                         random_state=0),
], ids=["mixture", "ensemble", "hierarchical"])
def test_predict_warns_once_about_missing_feature_names(make):
    # Fitted on a DataFrame, given an array: the gate's transformer and every
    # expert (and each of its fold fits) repeated scikit-learn's warning, 12 in all.
    X, y = _regression_rows()
    frame = pd.DataFrame(X, columns=["a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(frame, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict(X)
    messages = [str(w.message) for w in caught if "valid feature names" in str(w.message)]
    assert len(messages) == 1 and type(model).__name__ in messages[0]


def test_predict_warns_once_about_unexpected_feature_names():
    # Fitted on an array, given a DataFrame: 12 copies of "X has feature
    # names, but ... was fitted without feature names" (a helper's sweep).
    X, y = _regression_rows()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixtureOfExpertsRegressor(_reg_experts(), random_state=0).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict(pd.DataFrame(X, columns=["a", "b"]))
    assert len([w for w in caught if "feature names" in str(w.message)]) == 1


def test_cli_refuses_task_for_a_bundled_dataset(capsys):
    # `compare iris --task regression` ran a classification and exited 0.
    assert main(["compare", "iris", "--task", "regression", "--quiet"]) == 2
    assert "--task/--groups apply to CSV files only" in capsys.readouterr().err


def test_cli_refuses_a_plot_path_that_is_a_folder_before_fitting(tmp_path, capsys):
    # It ran every fit, then stopped with IsADirectoryError's traceback.
    folder = tmp_path / "cmp.png"
    folder.mkdir()
    assert main(["compare", "iris", "--plot", str(folder), "--quiet"]) == 2
    assert "is a folder" in capsys.readouterr().err
