"""Bad and unusual input to the less-used estimators and tools: the CLI,
the multi-task mixtures, the hierarchical mixtures, the torch and rule experts;
experts' class weights keyed by the wrong labels; the ensemble's probabilities
from float32 experts."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skmoe._cli import main

FAST = ["--experts", "linear,tree", "--cv", "2", "--repeats", "1", "--max-iter", "1",
        "--n-jobs", "1", "--quiet"]


def test_cli_missing_text_values_are_not_one_hot_encoded_as_a_category(tmp_path, capsys):
    # get_dummies gives a missing text value no column: with --one-hot its rows
    # became the first (dropped) category, silently, while a missing number
    # asked for --dropna.
    rng = np.random.RandomState(0)
    city = np.array(["north", "south", ""], dtype=object)[rng.randint(0, 3, 40)]
    path = tmp_path / "cities.csv"
    path.write_text("x,city,price\n" + "\n".join(
        f"{x:.3f},{c},{p:.3f}" for x, c, p in zip(rng.randn(40), city, rng.randn(40))) + "\n")
    assert main(["compare", str(path), "--one-hot", *FAST]) == 2
    err = capsys.readouterr().err
    assert "['city'] have missing values" in err and "--dropna" in err


def test_hetero_mmoe_single_estimator_error_names_no_n_experts():
    # The mixtures' message asked for n_experts=k, a parameter this model lacks.
    from sklearn.linear_model import Ridge

    from skmoe import HeterogeneousMultiGateMixtureOfExperts
    X = np.random.RandomState(0).randn(20, 2)
    model = HeterogeneousMultiGateMixtureOfExperts(Ridge(), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"list of \(name, estimator\) pairs") as info:
        model.fit(X, X)
    assert "n_experts" not in str(info.value)


@pytest.mark.parametrize("labels, match", [
    (["a", None] * 15, "missing class label"),
    (["a", 1] * 15, "mixes string and numeric"),
])
def test_compare_names_missing_or_mixed_class_labels(labels, match):
    # np.unique(y) stopped with a bare "'<' not supported between instances of
    # 'NoneType' and 'str'", naming neither y nor the problem.
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    from skmoe import compare
    X = np.random.RandomState(0).randn(30, 2)
    models = {"logit": LogisticRegression(), "tree": DecisionTreeClassifier()}
    with pytest.raises(ValueError, match=match):
        compare(models, X, np.array(labels, dtype=object), cv=2)


def _above_zero(X):
    return X[:, 0] > 0


def test_rule_without_smoothing_gives_weightless_outcomes_the_prior():
    # smoothing=0 and an outcome said only on rows of weight zero: its row of
    # P(class | outcome) was 0/0, and predict_proba NaN for those rows.
    from skmoe.experts import RuleExpert
    X = np.random.RandomState(0).randn(40, 2)
    y = (X[:, 1] > 0).astype(int)
    weight = np.where(X[:, 0] > 0, 0.0, 1.0)
    rule = RuleExpert(_above_zero, task="classification", smoothing=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rule.fit(X, y, sample_weight=weight)
    proba = rule.predict_proba(X)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
    prior = np.bincount(y, weights=weight) / weight.sum()
    np.testing.assert_allclose(proba[X[:, 0] > 0], np.tile(prior, ((X[:, 0] > 0).sum(), 1)))


def _outcome_or_none(X):
    # "hi"/"lo", and no outcome (None) far to the left, where fit saw no rows.
    return np.array(["hi" if v > 0 else "lo" if v > -2 else None for v in X[:, 0]],
                    dtype=object)


def test_rule_outcome_none_at_predict_names_the_rule():
    # Fit saw strings only; None for a new row stopped predict_proba with a
    # bare "'<' not supported between instances of 'NoneType' and ...".
    from skmoe.experts import RuleExpert
    X = np.c_[np.linspace(-1.5, 1.5, 30), np.zeros(30)]
    rule = RuleExpert(_outcome_or_none, task="classification").fit(X, X[:, 0] > 0.5)
    with pytest.raises(ValueError, match=r"RuleExpert\(_outcome_or_none\) returned outcomes "
                                         "that cannot be sorted"):
        rule.predict(np.array([[-3.0, 0.0], [1.0, 0.0]]))


@pytest.mark.parametrize("weight, match", [
    (np.ones(4), r"sample_weight.shape == \(4,\), expected \(40,\)"),
    (np.zeros(40), "at least one non-zero"),
])
def test_multitask_score_checks_sample_weight(weight, match):
    # A classification task's accuracy stopped with numpy's "Axis must be
    # specified when shapes of a and weights differ" (all zero: "Weights sum
    # to zero").
    from skmoe import MultiGateMixtureOfExperts
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = np.where(X[:, 0] > 0, "a", "b")
    model = MultiGateMixtureOfExperts("binary", n_experts=2, expert_units=4, max_iter=2,
                                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    with pytest.raises(ValueError, match=match):
        model.score(X, y, sample_weight=weight)


def test_lambda_rule_pickles_by_value_for_parallel_fits():
    # The pickling guard ran under cloudpickle too (joblib's worker processes,
    # Dask), which sends a lambda by value: every parallel fit of a lambda
    # rule (cross_val_score(n_jobs=2), a tree's leaves with n_jobs) stopped
    # with "Could not pickle the task to send it to the workers". Plain pickle
    # still explains itself (test_experts.py).
    cloudpickle = pytest.importorskip("cloudpickle")
    from skmoe.experts import RuleExpert
    X = np.random.RandomState(0).randn(20, 2)
    rule = RuleExpert(lambda X, a: a * X[:, 0], params={"a": 1.0}).fit(X, 2 * X[:, 0])
    copy = cloudpickle.loads(cloudpickle.dumps(rule))
    np.testing.assert_array_equal(copy.predict(X), rule.predict(X))


def test_hetero_mmoe_stratified_cv_without_classification_task_is_named():
    # The splitter gets y=None when every task is a regression: a stratified
    # one stopped with scikit-learn's "Input should have at least 1 dimension".
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import StratifiedKFold

    from skmoe import HeterogeneousMultiGateMixtureOfExperts
    X = np.random.RandomState(0).randn(30, 2)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("a", Ridge()), ("b", Ridge(alpha=10.0))], cv=StratifiedKFold(3), max_iter=2)
    with pytest.raises(ValueError, match=r"cv=StratifiedKFold.*every task is a regression"):
        model.fit(X, X)


def test_untrusted_types_names_empty_data_and_a_path_given_as_data(tmp_path):
    # Empty bytes: skops' "Exactly one of data or file should be passed", when
    # data was. A file name as data: no word of file=.
    pytest.importorskip("skops")
    from skmoe.persistence import untrusted_types
    with pytest.raises(ValueError, match="data is not a model saved by skops.io.dumps: it "
                                         "is empty"):
        untrusted_types(b"")
    with pytest.raises(TypeError, match="for a file, pass file=path"):
        untrusted_types(str(tmp_path / "model.skops"))


def _first_column(X, a=1.0):
    return a * X[:, 0]


@pytest.mark.parametrize("make", ["mlp", "rule"])
def test_regression_experts_refuse_none_in_y(make):
    # scikit-learn checks an object y for NaN before turning it into floats,
    # None into NaN: TorchMLPRegressor predicted NaN everywhere, RuleExpert's
    # noise_std_ was NaN, silently.
    from skmoe.experts import RuleExpert, TorchMLPRegressor
    X = np.random.RandomState(0).randn(20, 2)
    model = (TorchMLPRegressor((4,), max_epochs=2, random_state=0) if make == "mlp"
             else RuleExpert(_first_column, params={"a": 1.0}))
    with pytest.raises(ValueError, match=r"y contains NaN, infinity or None \(10 of its "
                                         r"values\)"):
        model.fit(X, [1.5, None] * 10)


@pytest.mark.parametrize("make", ["mlp", "rule"])
def test_classification_experts_name_pd_na_labels(make):
    # pd.NA, a "string" column's missing value: scikit-learn's bare "boolean
    # value of NA is ambiguous".
    pd = pytest.importorskip("pandas")
    from skmoe.experts import RuleExpert, TorchMLPClassifier
    X = np.random.RandomState(0).randn(20, 2)
    model = (TorchMLPClassifier((4,), max_epochs=2, random_state=0) if make == "mlp"
             else RuleExpert(_above_zero, task="classification"))
    with pytest.raises(ValueError, match=r"y has 10 missing class label\(s\)"):
        model.fit(X, pd.Series(["a", None] * 10, dtype="string"))


def test_multitask_predict_keeps_integer_labels_beyond_2_53():
    # An int64 y with a regression task and labels 2**62 + 1, 2**62 + 3: the
    # predictions were stacked in float64, both labels 2**62, and score
    # counted either as right.
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import HeterogeneousMultiGateMixtureOfExperts
    X = np.random.RandomState(0).randn(40, 2)
    labels = np.where(X[:, 0] > 0, 2 ** 62 + 1, 2 ** 62 + 3)
    Y = np.column_stack([np.arange(40), labels])
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
        ["regression", "binary"], max_iter=5, random_state=0).fit(X, Y)
    predicted = model.predict(X)[:, 1]
    assert set(predicted.tolist()) <= {2 ** 62 + 1, 2 ** 62 + 3}
    np.testing.assert_array_equal(predicted.astype(np.int64),
                                  model.predict_proba(X)[1].argmax(axis=1) * 2 + 2 ** 62 + 1)


@pytest.mark.parametrize("make", ["mixture", "hierarchical"])
def test_class_weight_keys_that_are_not_labels_are_an_error_naming_the_expert(make):
    # {0: 1000} with the labels 'a' and 'b' weighted 'a' (encoded as 0),
    # silently; scikit-learn's own estimators refuse such a dict.
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    from skmoe import HierarchicalMixtureClassifier, MixtureOfExpertsClassifier
    X = np.random.RandomState(0).randn(60, 2)
    y = np.where(X[:, 0] > 0, "a", "b")
    weighted = LogisticRegression(class_weight={0: 1000})
    model = (MixtureOfExpertsClassifier([("logit", weighted),
                                         ("tree", DecisionTreeClassifier(max_depth=2))])
             if make == "mixture" else HierarchicalMixtureClassifier(weighted, branching=2))
    name = "logit" if make == "mixture" else "leaf0"
    with pytest.raises(ValueError, match=rf"Expert '{name}': class_weight has key\(s\) "
                                         r"\[0\] that are not labels of y \(the labels "
                                         r"are \['a', 'b'\]\)"):
        model.fit(X, y)


def test_class_weight_keys_beside_every_label_are_dropped_as_scikit_learn_does():
    # A key for a label y lacks (a fold without it), beside every label y has:
    # scikit-learn ignores it; the expert failed with "The classes, [0, 1], are
    # not in class_weight" (the encoded labels, not the user's).
    from sklearn.linear_model import LogisticRegression

    from skmoe._base import encode_class_weights
    expert = encode_class_weights(LogisticRegression(class_weight={"a": 2, "b": 1, "z": 3}),
                                  np.array(["a", "b"]))
    assert expert.class_weight == {0: 2, 1: 1}


class _Float32Probabilities(LogisticRegression):
    """A classifier whose probabilities are float32 (as a torch model's are)."""

    def predict_proba(self, X):
        return super().predict_proba(X).astype(np.float32)


def test_ensemble_probabilities_of_float32_experts_sum_to_one():
    # Float32 probabilities sum to 1 only to float32's rounding: their
    # weighted average summed to 1 +- 1.5e-8.
    from skmoe import EnsembleClassifier
    rng = np.random.RandomState(0)
    X = rng.randn(300, 4)
    y = (X[:, 0] + rng.randn(300) > 0).astype(int) + (X[:, 1] > 1)
    model = EnsembleClassifier([("a", _Float32Probabilities()),
                                ("b", _Float32Probabilities(C=0.01))],
                               weights=[0.3, 0.7]).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=0, atol=1e-13)
