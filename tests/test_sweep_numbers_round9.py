"""Round 9 of the sweep for wrong numbers: the ensembles' voting and the
paired test and table of compare(). Each ``test_`` below fails without its
fix, except those named ``test_guard_...``, which pin a property found right,
against an independent computation."""

from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

from skmoe import ComparisonResult, EnsembleClassifier


class _Says(ClassifierMixin, BaseEstimator):
    """Predicts the ``label``-th of its classes on every row."""

    def __init__(self, label=0):
        self.label = label

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[self.label])

    def predict_proba(self, X):
        proba = np.zeros((len(X), len(self.classes_)))
        proba[:, self.label] = 1.0
        return proba


def _result(a, b, metric="r2", n_train=80, n_test=20):
    J = len(a)
    zeros = {"a": np.zeros(J), "b": np.zeros(J)}
    return ComparisonResult(["a", "b"], [metric],
                            {"a": {metric: np.asarray(a, float)},
                             "b": {metric: np.asarray(b, float)}},
                            zeros, zeros, [n_train] * J, [n_test] * J, pair=("a", "b"))


@pytest.mark.parametrize("voting", ["hard", "soft"])
@pytest.mark.parametrize("classes", [[0, 1, 2], ["z", "a", "m"]])
def test_vote_ties_of_the_given_weights_go_to_the_first_class(classes, voting):
    # Experts voting the classes 2, 1, 0, 2 with weights 5, 18, 12, 13:
    # class 1 has 18, class 2 has 5 + 13 = 18 -- a tie, which goes to the
    # first class (1), as in VotingClassifier, by hard voting and by soft
    # voting of one-hot probabilities. Before, the normalised weights
    # 5/48 + 13/48 rounded above 18/48, and class 2 won.
    y = np.array(classes * 2)
    X = np.zeros((len(y), 1))
    experts = [(f"e{i}", _Says(label)) for i, label in enumerate([2, 1, 0, 2])]
    weights = [5, 18, 12, 13]
    votes = [Fraction(0)] * 3
    for w, label in zip(weights, [2, 1, 0, 2]):
        votes[label] += w
    assert votes[1] == votes[2] == max(votes)
    expected = np.unique(y)[1]
    ens = EnsembleClassifier(experts, voting=voting, weights=weights).fit(X, y)
    assert ens.predict(X[:1])[0] == expected
    sk = VotingClassifier(experts, voting=voting, weights=weights).fit(X, y)
    assert sk.predict(X[:1])[0] == expected


def test_paired_test_of_differences_constant_but_for_rounding_is_infinite():
    # Log-losses 0.2, 0.3, 0.25, 0.22 vs 0.5, 0.6, 0.55, 0.52: the difference
    # is exactly -0.3 on every split, so t = -inf and p = 0, as for an exact
    # constant; before, the subtraction's rounding left a std of 4.5e-17 and
    # t = -9.4e15, p = 2.7e-48.
    a, b = [-0.2, -0.3, -0.25, -0.22], [-0.5, -0.6, -0.55, -0.52]
    exact = {-(Fraction(x) - Fraction(y)) for x, y in zip(["-0.2", "-0.3", "-0.25", "-0.22"],
                                                          ["-0.5", "-0.6", "-0.55", "-0.52"])}
    assert exact == {Fraction(-3, 10)}
    test = _result(a, b, metric="neg_log_loss").paired_test()
    assert test.std_difference == 0.0
    assert test.t_statistic == -np.inf and test.p_value == 0.0
    assert test.mean_difference == pytest.approx(-0.3)
    assert "a is better" in _result(a, b, metric="neg_log_loss").table()


def test_table_marks_every_model_tied_for_best():
    # 104 of 120 rows right for both (19, 21, 21, 22, 21 vs 20, 21, 21, 22,
    # 20 of 24 a split): the same accuracy, both best; before, only the first
    # listed was marked.
    a = np.array([19, 21, 21, 22, 21]) / 24
    b = np.array([20, 21, 21, 22, 20]) / 24
    assert Fraction(int(a.sum() * 24 + 0.5)) == Fraction(int(b.sum() * 24 + 0.5)) == 104
    for first, second in [(a, b), (b, a)]:
        rows = _result(first, second, metric="accuracy").table().splitlines()
        marked = [row.split()[0] for row in rows if row.startswith(("a ", "b ")) and "*" in row]
        assert marked == ["a", "b"]
    rows = _result(a, b - 1 / 24, metric="accuracy").table().splitlines()
    assert [r.split()[0] for r in rows if r.startswith(("a ", "b ")) and "*" in r] == ["a"]


def test_guard_soft_voting_with_weights_is_voting_classifiers_average():
    X, y = make_classification(60, 4, n_classes=3, n_informative=3, n_redundant=0,
                               random_state=0)
    y = np.array(["z", "a", "m"])[y]
    experts = [("tree", DecisionTreeClassifier(max_depth=2, random_state=0)),
               ("lr", LogisticRegression()), ("nb", GaussianNB())]
    ens = EnsembleClassifier(experts, weights=[1, 3, 2]).fit(X, y)
    each = ens.predict_experts(X)
    for i, name in enumerate(ens.expert_names_):
        assert_allclose(each[:, i], ens.named_experts_[name].predict_proba(X))
    by_hand = (each[:, 0] + 3 * each[:, 1] + 2 * each[:, 2]) / 6
    assert_allclose(ens.predict_proba(X), by_hand, atol=1e-12)
    assert_array_equal(ens.predict(X), ens.classes_[by_hand.argmax(axis=1)])
    sk = VotingClassifier(experts, voting="soft", weights=[1, 3, 2]).fit(X, y)
    assert_allclose(ens.predict_proba(X), sk.predict_proba(X), atol=1e-12)


def test_guard_paired_test_of_repeated_folds_by_hand():
    # 3 x 2 repeated folds of 60 train / 30 test rows: J = 6, df = 5 and the
    # variance factor 1/6 + 30/60 (Bouckaert & Frank's use of Nadeau-Bengio).
    a = np.array([0.81, 0.78, 0.85, 0.80, 0.79, 0.83])
    b = np.array([0.75, 0.77, 0.80, 0.74, 0.79, 0.78])
    test = _result(a, b, n_train=60, n_test=30).paired_test()
    d = a - b
    t = d.mean() / np.sqrt((1 / 6 + 0.5) * d.var(ddof=1))
    assert test.df == 5
    assert test.t_statistic == pytest.approx(t)
    assert test.p_value == pytest.approx(2 * stats.t.sf(abs(t), 5))
