"""Wrong-numbers sweep, round 20: equivalences and invariances across the
estimators (the same data given another way, the same parameters set another
way, the same model fitted again).

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
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
