"""Wrong-numbers sweep, round 20: equivalences and invariances across the
estimators (the same data given another way, the same parameters set another
way, the same model fitted again).

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.ensemble import (GradientBoostingRegressor, RandomForestClassifier,
                              RandomForestRegressor)

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("make", [
    lambda forest: EnsembleRegressor(forest, n_experts=2, random_state=0),
    lambda forest: MixtureOfExpertsRegressor(forest, n_experts=2, random_state=0),
    lambda forest: HierarchicalMixtureRegressor(forest, branching=2, random_state=0),
    lambda forest: HeterogeneousMultiGateMixtureOfExperts(forest, random_state=0),
])
def test_set_params_of_one_forest_copied_to_every_expert(make):
    # One estimator copied to every expert gives experts__<param>. A forest
    # (an iterable of its trees) was read as a list of (name, estimator)
    # pairs: get_params(deep=True), set_params and so GridSearchCV raised
    # "'RandomForestRegressor' object has no attribute 'estimators_'".
    model = make(RandomForestRegressor(n_estimators=3, max_depth=4))
    params = model.get_params()
    assert params["experts__max_depth"] == 4
    model.set_params(experts__max_depth=2)
    assert model.experts.max_depth == 2
    assert model.get_params()["experts__max_depth"] == 2


def test_set_params_then_fit_is_the_forest_mixture_constructed_so():
    # (As above: the set_params here raised AttributeError.)
    X, y = _data()
    set_later = EnsembleRegressor(RandomForestRegressor(n_estimators=3), n_experts=2,
                                  random_state=0).set_params(experts__max_depth=2)
    constructed = EnsembleRegressor(RandomForestRegressor(n_estimators=3, max_depth=2),
                                    n_experts=2, random_state=0)
    assert_array_equal(set_later.fit(X, y).predict(X), constructed.fit(X, y).predict(X))


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsClassifier(RandomForestClassifier(n_estimators=3), n_experts=2),
    lambda: HierarchicalMixtureRegressor(GradientBoostingRegressor(n_estimators=3)),
])
def test_get_params_of_other_ensembles_copied_to_every_expert(make):
    # (As above, for a forest classifier and gradient boosting.)
    assert make().get_params()["experts__n_estimators"] == 3


def _with_column_of_ones(X):
    return np.column_stack([X, np.ones(len(X))])


@pytest.mark.parametrize("start", ["mixture, 2 experts", "mixture, 3 experts",
                                   "tree (2, 2)"])
def test_kmeans_starts_do_not_count_a_constant_column(start):
    # The k-means starts give the target as much weight as all the features
    # together, and counted a constant column as a feature: a column of ones
    # (zero once standardised, no distance) raised the target's weight from
    # sqrt(3) to 2 and moved 15 and 30 of these 60 rows to another region
    # (EM's kmeans start), and 55 to another leaf (the tree's).
    from skmoe._em import _kmeans_regions
    from skmoe._hme_em import Tree, initial_log_posterior
    from skmoe._problem import EMProblem
    X, y = _data()

    def regions(X):
        if start == "tree (2, 2)":
            return initial_log_posterior(Tree((2, 2)), X, y, None, "kmeans",
                                         np.random.RandomState(0)).argmax(axis=1)
        M = int(start.split(", ")[1][0])
        problem = EMProblem([f"e{i}" for i in range(M)], [None] * M, X, y, np.ones(len(y)))
        return _kmeans_regions(problem, np.random.RandomState(0))

    assert_array_equal(regions(_with_column_of_ones(X)), regions(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # (max_iter=3)
def test_em_from_kmeans_regions_predicts_the_same_with_a_constant_column():
    # (As above, end to end: predictions moved by 0.33 of a target of sd 1.2.)
    from sklearn.linear_model import LinearRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skmoe import MLPGate
    X, y = _data(120)
    experts = [("line", LinearRegression()),
               ("abs", make_pipeline(FunctionTransformer(np.abs), LinearRegression())),
               ("ridge", Ridge(1.0))]
    model = MixtureOfExpertsRegressor(experts, gate=MLPGate(hidden_layer_sizes=()),
                                      training="em", init_params="kmeans", max_iter=3,
                                      random_state=0)
    reference = model.fit(X, y).predict(X)
    ones = _with_column_of_ones(X)
    # (The linear gates start from other weights with one more input; the
    # same optimum to L-BFGS's tolerance.)
    assert np.max(np.abs(model.fit(ones, y).predict(ones) - reference)) < 1e-4 * np.std(y)


def test_tree_start_orders_the_regions_the_same_with_a_constant_column():
    # The k-means regions are given to leaves in their order along the first
    # principal direction of their centres, whose sign was LAPACK's: with a
    # column of ones appended (a zero in the direction) it came out negated,
    # the three regions were given to the leaves in reverse order, and 27 of
    # these 60 rows started in another leaf.
    from skmoe._hme_em import Tree, initial_log_posterior
    X, y = _data()

    def leaves(X):
        return initial_log_posterior(Tree((3,)), X, y, None, "kmeans",
                                     np.random.RandomState(0)).argmax(axis=1)

    assert_array_equal(leaves(_with_column_of_ones(X)), leaves(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # (max_iter=5)
def test_tree_mixture_predicts_the_same_with_a_constant_column():
    # (As above, end to end: its predictions moved by 0.65 of a target of sd 1.24.)
    from sklearn.linear_model import LinearRegression, Ridge
    from sklearn.tree import DecisionTreeRegressor
    X, y = _data()
    experts = [("line", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=2, random_state=0)),
               ("ridge", Ridge(10.0))]
    model = HierarchicalMixtureRegressor(experts, branching=3, max_iter=5, random_state=0)
    reference = model.fit(X, y).predict(X)
    ones = _with_column_of_ones(X)
    # (The gates start from other weights with one input more.)
    assert np.max(np.abs(model.fit(ones, y).predict(ones) - reference)) < 0.01 * np.std(y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # (max_iter=4)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_early_stopping_tree_mixture_permutes_probabilities_of_renamed_classes(n_classes):
    # The held-out rows were drawn class by class in the order of the labels'
    # sort (train_test_split's stratification): with the classes renamed in
    # reverse order other rows were held out, and the probabilities (columns
    # permuted back) moved by up to 0.26 (two classes) and 0.16 (three).
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    from skmoe import HierarchicalMixtureClassifier
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    signal = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.normal(size=120)
    labels = np.digitize(signal, np.quantile(signal, np.linspace(0, 1, n_classes + 1)[1:-1]))
    names = np.array(["z", "y", "x"])[:n_classes]           # sorted the other way round
    experts = [("logit", LogisticRegression()),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    make = lambda: HierarchicalMixtureClassifier(  # noqa: E731
        experts, branching=2, early_stopping=True, max_iter=4, random_state=0)
    plain, renamed = make().fit(X, labels), make().fit(X, names[labels])
    column = np.searchsorted(renamed.classes_, names)        # of classes 0, 1, ...
    assert_allclose(renamed.predict_proba(X)[:, column], plain.predict_proba(X),
                    rtol=0, atol=1e-12)
