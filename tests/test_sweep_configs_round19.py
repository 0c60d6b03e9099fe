"""Defects found by the configuration sweep, round 19 (parameters and
meta-estimator integration: nested expert parameters through set_params and
GridSearchCV, 'drop' and duplicate names, clone, set_output, Pipeline memory,
CalibratedClassifierCV, OneVsRestClassifier, MultiOutputRegressor,
TransformedTargetRegressor, BaggingRegressor, metadata routing, parameters of
the wrong type, n_jobs)."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MixtureOfExpertsRegressor)
from skmoe.gates import MLPGate

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def _experts():
    return [("a", Ridge()), ("b", Ridge(alpha=30.0))]


MAKERS = {
    "ensemble": lambda: EnsembleRegressor(_experts()),
    "moe": lambda: MixtureOfExpertsRegressor(_experts(), gate=FAST_GATE, training="em",
                                             max_iter=2, random_state=0),
    "hme": lambda: HierarchicalMixtureRegressor(_experts(), branching=2, gate=FAST_GATE,
                                                max_iter=2, random_state=0),
}


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    return X, X[:, 0] + (X[:, 1] > 0) + 0.1 * rng.normal(size=60)


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS.keys())
def test_declined_sample_weight_is_not_passed_by_a_parent(make):
    # scikit-learn's "weighted scoring, unweighted fitting":
    # set_fit_request(sample_weight=False) with set_score_request(True). A
    # parent router passes a child router every key its children name, and
    # the experts named sample_weight: the mixture got the weights and was
    # fitted weighted, silently.
    X, y = _data()
    weight = np.r_[np.zeros(10), np.linspace(0.5, 3.0, 50)]
    unweighted = make().fit(X, y).predict(X)
    weighted = make().fit(X, y, sample_weight=weight).predict(X)
    assert not np.allclose(unweighted, weighted)
    with sklearn.config_context(enable_metadata_routing=True):
        est = make().set_fit_request(sample_weight=False).set_score_request(sample_weight=True)
        search = GridSearchCV(est, {"a__alpha": [1.0]}, cv=3).fit(X, y, sample_weight=weight)
        assert_allclose(search.best_estimator_.predict(X), unweighted)
        # Requested, the weights still reach the fit.
        est = make().set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        search = GridSearchCV(est, {"a__alpha": [1.0]}, cv=3).fit(X, y, sample_weight=weight)
        assert_allclose(search.best_estimator_.predict(X), weighted)


@pytest.mark.parametrize("n_jobs", [0, True, False])
@pytest.mark.parametrize("make", [
    *MAKERS.values(),
    lambda: HeterogeneousMultiGateMixtureOfExperts(_experts(), max_iter=2, random_state=0),
], ids=[*MAKERS, "hetero-mmoe"])
def test_n_jobs_that_is_no_count_is_refused(make, n_jobs):
    # n_jobs=0 failed inside joblib ("n_jobs == 0 in Parallel has no
    # meaning", naming no estimator) and True ran as one job; compare()
    # refuses both.
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter"):
        make().set_params(n_jobs=n_jobs).fit(X, y)


def test_hme_names_a_dropped_expert_in_its_count_of_leaves():
    # 'drop' (taken by the flat mixtures and scikit-learn's Stacking) was
    # counted as a leaf's expert: "3 experts were given ... or a branching
    # with 3 leaves", and that branching was then refused for the 'drop'.
    X, y = _data()
    experts = [*_experts(), ("c", "drop")]
    with pytest.raises(ValueError, match=r"\['c'\] set to 'drop', which a tree does not take"):
        HierarchicalMixtureRegressor(experts, branching=2).fit(X, y)


def test_ensemble_says_how_a_meta_estimator_expert_takes_weights_under_routing():
    # Under metadata routing an inner ensemble (or GridSearchCV) that has not
    # requested sample_weight was refused with "drop it from the ensemble or
    # fit without sample_weight", not naming set_fit_request, all it lacked.
    X, y = _data()
    weight = np.linspace(0.5, 3.0, len(y))
    inner = EnsembleRegressor(_experts())
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(TypeError, match=r"set_fit_request\(sample_weight=True\)"):
            EnsembleRegressor([("inner", inner), ("c", Ridge())]).fit(X, y, sample_weight=weight)
        inner.set_fit_request(sample_weight=True)
        EnsembleRegressor([("inner", inner), ("c", Ridge())]).fit(X, y, sample_weight=weight)
