"""Metadata routing (``enable_metadata_routing=True``) to the experts."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, HierarchicalMixtureRegressor, MixtureOfExpertsRegressor
from skmoe.gates import MLPGate

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


class RecordingRidge(Ridge):
    """Ridge that keeps the weights and the ``tag`` metadata its fit received."""

    def fit(self, X, y, sample_weight=None, tag=None):
        self.seen_weight_ = None if sample_weight is None else np.array(sample_weight)
        self.seen_tag_ = tag
        return super().fit(X, y, sample_weight=sample_weight)


def _data(n=120):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] > 0, 3 * X[:, 1], -X[:, 2]) + 0.1 * rng.normal(size=n)
    return X, y


def _pipeline_moe(training):
    experts = [("linear", make_pipeline(StandardScaler(), RecordingRidge())),
               ("tree", DecisionTreeRegressor(max_depth=3))]
    fast = dict(max_iter=3) if training == "em" else dict(max_epochs=5)
    return MixtureOfExpertsRegressor(experts, training=training, gate=FAST_GATE,
                                     random_state=0, **fast)


def _first_fit(expert):
    return getattr(expert, "estimators_", [expert])[0]


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_pipeline_expert_gets_its_weights_under_routing(training):
    X, y = _data()
    # (Unequal on the rows kept: the mixture leaves rows of zero weight out,
    # and equal weights reach no expert, as no weights.)
    weight = np.r_[np.zeros(60), np.linspace(1.0, 2.0, 60)]
    with sklearn.config_context(enable_metadata_routing=True):
        routed = _pipeline_moe(training).fit(X, y, sample_weight=weight)
        unweighted = _pipeline_moe(training).fit(X, y)
    # (The regressor's stacked gate predicts with a CrossFitAverage: check its first fit.)
    ridge = _first_fit(routed.named_experts_["linear"])[-1]
    # The weights reach the Ridge step: zero-weight rows are left out of its fit.
    assert ridge.seen_weight_ is not None
    assert len(ridge.seen_weight_) <= 60
    assert not np.allclose(ridge.coef_, _first_fit(unweighted.named_experts_["linear"])[-1].coef_)
    # The same fit as without routing, where the weights go to the last step.
    plain = _pipeline_moe(training).fit(X, y, sample_weight=weight)
    assert_allclose(routed.predict(X), plain.predict(X))


def test_explicit_requests_are_respected():
    # The user asked for the weights in the scaler only: the Ridge gets none.
    X, y = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        expert = make_pipeline(StandardScaler().set_fit_request(sample_weight=True),
                               RecordingRidge().set_fit_request(sample_weight=False))
        ens = EnsembleRegressor([("linear", expert), ("tree", DecisionTreeRegressor())])
        ens.fit(X, y, sample_weight=np.linspace(1, 2, len(y)))
    assert ens.named_experts_["linear"][-1].seen_weight_ is None


def test_ensemble_routes_other_metadata_to_the_requesting_expert():
    X, y = _data()
    tag = np.arange(len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        experts = [("ridge", RecordingRidge().set_fit_request(tag=True)),
                   ("tree", DecisionTreeRegressor(max_depth=3))]
        ens = EnsembleRegressor(experts, weights="greedy", cv=3, random_state=0)
        ens.fit(X, y, tag=tag)
    np.testing.assert_array_equal(ens.named_experts_["ridge"].seen_tag_, tag)


def test_metadata_needs_routing_or_a_request():
    X, y = _data()
    experts = [("ridge", RecordingRidge()), ("tree", DecisionTreeRegressor())]
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        EnsembleRegressor(experts).fit(X, y, tag=np.arange(len(y)))
    with sklearn.config_context(enable_metadata_routing=True):
        # 'tag' is requested by no expert.
        with pytest.raises(ValueError, match="tag"):
            EnsembleRegressor(experts).fit(X, y, tag=np.arange(len(y)))
        # A mixture refits its experts on row subsets and routes only weights.
        experts[0] = ("ridge", RecordingRidge().set_fit_request(tag=True))
        # (Its keys only: the message printed the whole metadata arrays.)
        with pytest.raises(ValueError, match=r"cannot route metadata other than sample_weight "
                                             r"to its experts \(asked for: \{'ridge': "
                                             r"\['tag'\]\}\)"):
            _pipeline_moe("em").set_params(experts=experts).fit(X, y, tag=np.arange(len(y)))


def test_get_metadata_routing_lists_the_experts():
    moe = _pipeline_moe("em").set_params(tree="drop")
    routing = moe.get_metadata_routing()
    assert "linear" in str(routing) and "tree" not in str(routing)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_hierarchical_mixture_refuses_metadata_its_leaves_request_by_name():
    # get_metadata_routing lists the leaves, so a Pipeline routes what they
    # request to fit, which took no metadata: a bare TypeError.
    X, y = _data()
    tag = np.arange(len(y))
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        HierarchicalMixtureRegressor(Ridge(), branching=2).fit(X, y, tag=tag)
    with sklearn.config_context(enable_metadata_routing=True):
        hme = HierarchicalMixtureRegressor(
            [("a", RecordingRidge().set_fit_request(tag=True)), ("b", Ridge())],
            branching=2, gate=FAST_GATE, max_iter=2, random_state=0)
        with pytest.raises(ValueError, match=r"cannot route metadata .*'a': \['tag'\]"):
            make_pipeline(StandardScaler(), hme).fit(X, y, tag=tag)
        # sample_weight is the tree's own: still taken under routing.
        weight = np.linspace(0.5, 2, len(y))
        routed = clone(hme).set_params(a=Ridge()).fit(X, y, sample_weight=weight)
    plain = clone(hme).set_params(a=Ridge()).fit(X, y, sample_weight=weight)
    assert_allclose(routed.predict(X), plain.predict(X))
