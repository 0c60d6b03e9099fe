"""Bad input beyond the earlier sweeps (tests/test_bad_input.py,
tests/test_sweep_*.py, tests/test_raw_data.py): user folds that leave a
class out of training, rules written for DataFrames, weights that leave one
class, predict after a failed fit, ensemble weights that overflow, CSV files
the CLI cannot split.

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
                   MixtureOfExpertsRegressor, RuleExpert)
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
                                         r"rows of fold 0.*[Ss]huffle or stratify"):
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
