"""Bad input, round 11: inputs that differ from fit, helpers and the CLI's CSVs."""

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts, RuleExpert, select_n_experts)
from skmoe._cli import load_csv, main
from skmoe.gates import MLPGate


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _gate():
    return MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _first_column(X):
    return X[:, 0]


@pytest.mark.parametrize("Ensemble", [EnsembleRegressor, EnsembleClassifier])
def test_ensemble_weights_labelled_by_the_experts_in_another_order_are_named(Ensemble):
    # A Series of weights by expert name was read by position: {'tree': 3,
    # 'linear': 1} for the experts ['linear', 'tree'] weighted 'linear' by 3.
    X, y = _data()
    if Ensemble is EnsembleClassifier:
        y = (y > 0).astype(int)
        experts = [("linear", LogisticRegression()), ("tree", DecisionTreeClassifier())]
    else:
        experts = [("linear", LinearRegression()), ("tree", DecisionTreeRegressor())]
    weights = pd.Series({"tree": 3.0, "linear": 1.0})
    with pytest.raises(ValueError, match=r"weights is labelled \['tree', 'linear'\] but the "
                                         r"experts are \['linear', 'tree'\].*weights\["):
        Ensemble(experts, weights=weights).fit(X, y)
    # In the experts' order (or unlabelled), the values are the experts' weights.
    fitted = Ensemble(experts, weights=weights[["linear", "tree"]]).fit(X, y)
    assert_allclose(fitted.weights_, [0.25, 0.75])
    for unlabelled in (pd.Series([1.0, 3.0]), [1.0, 3.0], (1.0, 3.0), np.array([1.0, 3.0])):
        assert_allclose(Ensemble(experts, weights=unlabelled).fit(X, y).weights_, [0.25, 0.75])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_select_n_experts_names_a_splitter_that_needs_groups():
    # scikit-learn's "The 'groups' parameter should not be None.", as if
    # select_n_experts took groups (compare() and the mixtures name it).
    X, y = _data()
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                    cv=None, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"cv=GroupKFold\(.*needs groups, which "
                                         r"select_n_experts does not take"):
        select_n_experts(moe, X, y, candidates=(1, 2), criterion="cv", cv=GroupKFold(2))
    # The splits themselves are taken.
    groups = np.arange(len(y)) % 4
    best, scores = select_n_experts(moe, X, y, candidates=(1, 2), criterion="cv",
                                    cv=list(GroupKFold(2).split(X, y, groups)))
    assert set(scores) == {1, 2} and best in scores


@pytest.mark.parametrize("split, message", [
    # A negative index was silently a row from the end; a row in both parts
    # was scored by the fit that saw it; no splits read "The cv score of
    # candidates [1] is NaN; check the data and the experts' predictions".
    ((np.r_[np.arange(29), -1], np.arange(30, 40)), r"indices other than the row numbers"),
    ((np.arange(35), np.arange(30, 40)), r"5 rows in both its train and test parts"),
    (None, r"gave no splits"),
])
def test_select_n_experts_checks_explicit_splits(split, message):
    X, y = _data()
    moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                    cv=None, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=message):
        select_n_experts(moe, X, y, candidates=(1,), criterion="cv",
                         cv=[] if split is None else [split])


CLI_FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
            "--n-jobs", "1", "--quiet"]


def test_cli_a_numeric_target_with_a_stray_word_names_it(tmp_path, capsys):
    # The "?" made the column text: a classification of 40 one-row classes,
    # whose error said "use --task regression if the target is a number", and
    # --task regression then said "not numeric; use --task classification".
    rng = np.random.RandomState(0)
    lines = [f"{a:.3f},{b:.3f},{a + b:.3f}" for a, b in rng.normal(size=(40, 2))]
    lines[5] = lines[5].rsplit(",", 1)[0] + ",?"
    path = tmp_path / "stray.csv"
    path.write_text("a,b,y\n" + "\n".join(lines) + "\n")
    for task in ("auto", "regression"):
        assert main(["compare", str(path), "--task", task, *CLI_FAST]) == 2
        err = capsys.readouterr().err
        assert "target column 'y' holds numbers, but 1 of its 40 values is not (e.g. '?')" in err
        assert "--task" not in err
    # Labels among which a few are numbers stay the classes they are.
    labels = tmp_path / "labels.csv"
    labels.write_text("a,y\n" + "".join(f"{i},{['0', '1', 'other'][i % 3]}\n"
                                        for i in range(30)))
    assert load_csv(str(labels))[2] == "classification"


def test_cli_a_column_name_given_twice_is_named(tmp_path, capsys):
    # pandas renamed the second "y" to "y.1" without a word: --target y took
    # the first, and its copy "y.1" stayed a feature (r2 1.0, leaked).
    rng = np.random.RandomState(0)
    a = rng.normal(size=40)
    y = np.sin(3 * a) + rng.normal(size=40)
    path = tmp_path / "twice.csv"
    path.write_text("a,y,y\n" + "".join(f"{u:.4f},{v:.4f},{v:.4f}\n" for u, v in zip(a, y)))
    assert main(["compare", str(path), "--target", "y", *CLI_FAST]) == 2
    err = capsys.readouterr().err
    assert "Column name(s) ['y'] appear more than once in the header" in err
    assert "'y.1'" in err
    # Columns without a header (pandas' "Unnamed: 1", "Unnamed: 2") are not names given twice.
    unnamed = tmp_path / "unnamed.csv"
    unnamed.write_text("a,,,y\n" + "".join(f"{u:.4f},{u + 1:.4f},{u - 1:.4f},{v:.4f}\n"
                                           for u, v in zip(a, y)))
    assert load_csv(str(unnamed))[0].shape == (40, 3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", [
    lambda w: MultiGateMixtureOfExperts(task_weights=w, max_iter=2, random_state=0),
    lambda w: HeterogeneousMultiGateMixtureOfExperts(
        [("lr", LinearRegression()), ("ridge", Ridge())], task_weights=w, max_iter=2,
        random_state=0),
])
@pytest.mark.parametrize("weights", [[1.0, 3.0], (1.0, 3.0)])
def test_task_weights_as_a_list_take_a_dataframe_y(make, weights):
    # The check of a Series labelled by y's columns read a list's index
    # method as its labels: "'builtin_function_or_method' object is not
    # iterable", for the documented array-like with a DataFrame y.
    X, y = _data()
    Y = pd.DataFrame({"price": y, "sold": X[:, 1]})
    model = make(weights).fit(X, Y)
    assert_allclose(model.task_weights_, make(np.array(weights)).fit(X, Y).task_weights_)
    assert model.predict(X).shape == (len(X), 2)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(max_iter=2, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("lr", LinearRegression()), ("ridge", Ridge())], max_iter=2, random_state=0),
])
def test_multitask_score_refuses_the_columns_of_y_in_another_order(make):
    # score read a DataFrame y by position: y[['sold', 'price']] was scored
    # against the predictions of the tasks ['price', 'sold'] without a word.
    X, y = _data()
    Y = pd.DataFrame({"price": y, "sold": X[:, 1]})
    model = make().fit(X, Y)
    with pytest.raises(ValueError, match=r"y has the columns seen in fit in another order "
                                         r"\(\['sold', 'price'\]; in fit: \['price', 'sold'\]\)"):
        model.score(X, Y[["sold", "price"]])
    assert model.score(X, Y) == model.score(X, Y.to_numpy())
    # Other labels than fit's are read by position, as arrays are.
    assert model.score(X, Y.set_axis(["a", "b"], axis=1)) == model.score(X, Y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", [
    lambda: MultiGateMixtureOfExperts(max_iter=2, random_state=0),
    lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("lr", LinearRegression()), ("ridge", Ridge())], max_iter=2, random_state=0),
])
def test_multitask_mixtures_refuse_integer_labelled_columns_in_another_order(make):
    # Integer labels are no feature names that scikit-learn checks: X[[2, 1, 0]]
    # was predicted from swapped features without a word (the heterogeneous
    # mixture: 1.006 instead of 1.778 for the first row), as the single-task
    # mixtures refuse it.
    X, y = _data()
    frame = pd.DataFrame(X, columns=[0, 1, 2])
    model = make().fit(frame, np.column_stack([y, X[:, 1]]))
    with pytest.raises(ValueError, match=r"X has the columns seen in fit in another order "
                                         r"\(\[2, 1, 0\]; in fit: \[0, 1, 2\]\)"):
        model.predict(frame[[2, 1, 0]])
    assert_allclose(model.predict(frame), model.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make, two_tasks", [
    (lambda: MixtureOfExpertsRegressor([("lr", LinearRegression()), ("ridge", Ridge())],
                                       gate=_gate(), training="em", max_iter=2,
                                       random_state=0), False),
    (lambda: EnsembleRegressor([("lr", LinearRegression()), ("ridge", Ridge())]), False),
    (lambda: MultiGateMixtureOfExperts(max_iter=1, random_state=0), True),
    (lambda: RuleExpert(_first_column), False),
])
@pytest.mark.parametrize("bad, shown", [("a", r"'a'\."), (pd.NA, r"<NA> \(a missing weight\)")])
def test_sample_weight_that_is_not_numbers_is_named(make, two_tasks, bad, shown):
    # A word failed with numpy's "could not convert string to float: 'a'",
    # pd.NA (an object column with a gap) with "float() argument must be a
    # string or a real number, not 'NAType'": neither named sample_weight.
    X, y = _data()
    Y = np.column_stack([y, X[:, 1]]) if two_tasks else y
    weight = pd.Series([bad] + [1.0] * (len(y) - 1), dtype=object)
    with pytest.raises(ValueError, match=rf"sample_weight must hold numbers, one weight per "
                                         rf"row; it holds {shown}"):
        make().fit(X, Y, sample_weight=weight)
    # Numbers written as text are numbers, as in scikit-learn.
    assert_allclose(make().fit(X, Y, sample_weight=np.full(len(y), "2")).predict(X),
                    make().fit(X, Y, sample_weight=np.full(len(y), 2.0)).predict(X))


def test_cli_numbers_with_a_currency_or_percent_sign_are_named(tmp_path, capsys):
    # Read as text, they were "not numeric: pass --one-hot", and --one-hot
    # made a category of every number (40 prices and 40 shares: 78 one-hot columns).
    rng = np.random.RandomState(0)
    a, b = rng.uniform(1, 100, 40), rng.uniform(0, 1, 40)
    y = a + 10 * b
    path = tmp_path / "shop.csv"
    path.write_text("price,share,y\n" + "".join(
        f'"${u:,.2f}",{100 * v:.1f}%,{w:.3f}\n' for u, v, w in zip(a, b, y)))
    assert main(["compare", str(path), "--one-hot", *CLI_FAST]) == 2
    err = capsys.readouterr().err
    assert ("Column(s) ['price', 'share'] of" in err and "currency or percent sign (e.g. '$"
            in err and "plain numbers" in err)
    # A target of prices is named too (it was guessed a classification of
    # one-row classes).
    prices = tmp_path / "prices.csv"
    prices.write_text("b,price\n" + "".join(f'{v:.3f},"-${u:.2f}"\n' for u, v in zip(a, b)))
    assert main(["compare", str(prices), *CLI_FAST]) == 2
    assert "target column 'price' holds numbers written with a currency or percent sign" in (
        capsys.readouterr().err)
    # Text that merely holds such signs stays text.
    labels = tmp_path / "labels.csv"
    labels.write_text("a,tier,y\n" + "".join(f"{i},{['$ plan', 'free'][i % 2]},{i}\n"
                                             for i in range(20)))
    assert load_csv(str(labels), one_hot=True)[0].shape == (20, 2)


def _flattening_bottom():
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(15, 4))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_user_module_failing_at_prediction_is_named_with_the_steps_of_fit():
    # A bottom module that flattens 5 steps, given X of 2 steps at prediction,
    # failed in torch with "mat1 and mat2 shapes cannot be multiplied (40x6
    # and 15x4)", naming neither the network nor the steps (fit names them).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5, 3))
    Y = np.column_stack([X[:, :, 0].mean(axis=1), X[:, -1, 1]])
    model = MultiGateMixtureOfExperts(bottom_module=_flattening_bottom, n_experts=2,
                                      max_iter=2, random_state=0).fit(X, Y)
    message = (r"The network of MultiGateMixtureOfExperts failed on X of shape \(40, 2, 3\): "
               r"mat1 and mat2 .*fitted on X of 5 steps per row")
    with pytest.raises(ValueError, match=message):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match=message):
        model.predict_gate(X[:, :2])
    assert model.predict(X).shape == (40, 2)
