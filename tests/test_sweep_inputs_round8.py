"""Bad-input sweep, round 8: options (constructor parameters and their
combinations) rather than data."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe.gates import MLPGate


def _fast_gate(**params):
    return MLPGate(**{"hidden_layer_sizes": (), "max_iter": 20, "warm_max_iter": 5, **params})


def _regression_rows(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _fixed_experts():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))]


@pytest.mark.parametrize("name", ["max_iter", "warm_max_iter", "batch_size"])
def test_gate_counts_refuse_a_flag(name):
    # bool is an int to Python: MLPGate(max_iter=True) ran one L-BFGS
    # iteration without a word, where the mixture refuses max_iter=True.
    X, y = _regression_rows()
    moe = MixtureOfExpertsRegressor(_fixed_experts(), gate=_fast_gate(**{name: True}),
                                    training="em", max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=f"gate {name} must be a positive integer, got True"):
        moe.fit(X, y)
    moe.set_params(**{f"gate__{name}": np.int64(2)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert moe.fit(X, y).predict(X).shape == (len(X),)


@pytest.mark.parametrize("params, message", [
    ({"activation": "xx"}, "'activation' parameter of TorchMLPRegressor"),
    ({"dropout": 2.0}, "'dropout' parameter of TorchMLPRegressor"),
    ({"weight_decay": -1.0}, "'weight_decay' parameter of TorchMLPRegressor"),
], ids=["activation", "dropout", "weight_decay"])
def test_torch_experts_trained_with_the_gate_have_their_parameters_checked(params, message):
    # Trained with the gate, a torch expert is never fitted itself, and its
    # parameters went unchecked: activation='xx' failed as a bare KeyError,
    # dropout=2.0 inside torch (naming no expert), and weight_decay=-1.0 was
    # used as it was, without a word.
    from skmoe import TorchMLPRegressor

    def torch_expert(**extra):
        return TorchMLPRegressor(hidden_layer_sizes=(4,), max_epochs=2, random_state=0,
                                 **extra)

    X, y = _regression_rows()
    moe = MixtureOfExpertsRegressor([("a", torch_expert(**params)), ("b", torch_expert())],
                                    gate=MLPGate(hidden_layer_sizes=()), training="gradient",
                                    max_epochs=2, random_state=0)
    with pytest.raises(ValueError, match=f"Expert 'a': The {message}"):
        moe.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe.set_params(a=torch_expert()).fit(X, y)
    assert np.isfinite(moe.predict(X)).all()


def test_heterogeneous_multitask_gate_alpha_beyond_float32_is_named():
    # The penalty is computed in float32: alpha=1e300 made it infinite, so
    # L-BFGS stopped at once and the gates kept their random initial weights
    # without a word (alpha=1e30 drives them to zero). The other gates and
    # MultiGateMixtureOfExperts refuse a weight decay from 1e37 on.
    from skmoe import HeterogeneousMultiGateMixtureOfExperts
    X, y = _regression_rows()
    Y = np.c_[y, -y]

    def model(alpha):
        return HeterogeneousMultiGateMixtureOfExperts(
            _fixed_experts(), tasks=["regression", "regression"], alpha=alpha,
            gate_hidden_layer_sizes=(), max_iter=20, cv=2, random_state=0)

    with pytest.raises(ValueError, match=r"'alpha' parameter .* range \[0.0, 1e\+37\)"):
        model(1e300).fit(X, Y)
    gates = model(1e30).fit(X, Y).gates_
    assert all(float((layer.weight.detach() ** 2).sum()) < 1e-12 for layer in gates.layers)


class _CentreOnly:
    """A gate transformer with fit and transform only (no TransformerMixin)."""

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y=None):
        self.mean_ = np.asarray(X).mean(axis=0)
        return self

    def transform(self, X):
        return np.asarray(X) - self.mean_


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_a_gate_transformer_with_fit_and_transform_only_is_taken(training):
    # The parameter asks for fit and transform (as scikit-learn's Pipeline
    # does of its steps), but the mixture called fit_transform: a bare
    # "'_CentreOnly' object has no attribute 'fit_transform'".
    X, y = _regression_rows()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(_fixed_experts(), gate=_fast_gate(),
                                        gate_transformer=_CentreOnly(), training=training,
                                        max_iter=2, max_epochs=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(moe.gate_transformer_.mean_, X.mean(axis=0))
    assert moe.predict_gate(X).shape == (len(X), 2)


@pytest.mark.parametrize("training", ["em", "gradient"])
def test_random_routing_with_top_1_is_named(training):
    # random_routing keeps the experts after a row's first at random: with
    # top_k=1 there is none, and the option did nothing without a word (as
    # random_routing without top_k is refused).
    X, y = _regression_rows()
    moe = MixtureOfExpertsRegressor(_fixed_experts(), gate=_fast_gate(), top_k=1,
                                    random_routing=True, training=training, max_iter=2,
                                    max_epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="random_routing applies to top_k >= 2 only"):
            moe.fit(X, y)
        assert moe.set_params(top_k=2).fit(X, y).predict(X).shape == (len(X),)


@pytest.mark.parametrize("weights", [None, "greedy"])
def test_ensemble_routes_weights_an_expert_requests_under_another_name(weights):
    # Under metadata routing an expert may take its sample_weight from a key
    # of another name, as scikit-learn's VotingRegressor routes it. The
    # ensemble dropped the routed sample_weight with its own (None here), and
    # the expert was fitted without weights, silently.
    import sklearn

    from skmoe import EnsembleRegressor
    X, y = _regression_rows()
    w = np.linspace(0.1, 3.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        experts = [("ridge", Ridge().set_fit_request(sample_weight="w")),
                   ("tree", DecisionTreeRegressor(max_depth=2))]
        ens = EnsembleRegressor(experts, weights=weights, random_state=0)
        ens.fit(X, y, w=w)
    np.testing.assert_allclose(ens.named_experts_["ridge"].coef_,
                               Ridge().fit(X, y, sample_weight=w).coef_)


@pytest.mark.parametrize("make", ["mixture", "hierarchical"])
def test_a_mixture_names_an_expert_asking_for_its_weights_under_another_name(make):
    # The message said the mixture "cannot route metadata other than
    # sample_weight" and that the expert asked for ['sample_weight'].
    import sklearn

    from skmoe import HierarchicalMixtureRegressor
    X, y = _regression_rows()
    w = np.linspace(0.1, 3.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        experts = [("ridge", Ridge().set_fit_request(sample_weight="w")),
                   ("tree", DecisionTreeRegressor(max_depth=2))]
        model = (MixtureOfExpertsRegressor(experts, gate=_fast_gate(), training="em",
                                           max_iter=2, random_state=0)
                 if make == "mixture" else
                 HierarchicalMixtureRegressor(experts, branching=2, gate=_fast_gate(),
                                              max_iter=2, random_state=0))
        with pytest.raises(ValueError, match=r"\['ridge'\] request sample_weight under "
                                             r"another name; pass the weights as "
                                             r"sample_weight"):
            model.fit(X, y, w=w)


@pytest.mark.parametrize("params, reason", [
    ({"top_k": 1}, "top_k=1"),
    ({"balance_coef": 0.1}, "balance_coef or router_z_coef"),
    ({"cv": None}, "cv=None"),
])
def test_refit_experts_outside_the_stacked_gate_warns(params, reason):
    # Only the stacked gate reads refit_experts (as its docstring says): with
    # top_k, a balance loss or no folds it was ignored without a word, where
    # an option of the other trainer warns.
    X, y = _regression_rows()
    moe = MixtureOfExpertsRegressor(_fixed_experts(), gate=MLPGate(hidden_layer_sizes=()),
                                    training="gradient", max_epochs=2, refit_experts=0.5,
                                    random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", message="refit_experts")
        with pytest.raises(UserWarning, match=f"refit_experts=0.5 has no effect with {reason}"):
            moe.fit(X, y)
        # Its default, and the stacked gate, say nothing.
        moe.set_params(refit_experts="auto").fit(X, y)
        moe.set_params(refit_experts=0.5, top_k=None, balance_coef=0.0, cv=2).fit(X, y)


@pytest.mark.parametrize("params, message", [
    ({"top_k": 1, "balance_loss": "load", "training": "gradient"},
     "balance_loss='load' has no effect with balance_coef=0.0; it is only used with "
     "balance_coef above 0"),
    ({"collapse_patience": 5, "training": "em"},
     "collapse_patience=5 has no effect with collapse_threshold=None"),
    ({"collapse_action": "drop", "training": "em"},
     "collapse_action='drop' has no effect with collapse_threshold=None"),
], ids=["balance_loss", "collapse_patience", "collapse_action"])
def test_options_that_need_another_option_warn_without_it(params, message):
    # A balance loss without its weight, a collapse patience or action
    # without a threshold: ignored without a word.
    X, y = _regression_rows()
    moe = MixtureOfExpertsRegressor(_fixed_experts(), gate=MLPGate(hidden_layer_sizes=()),
                                    max_iter=2, max_epochs=2, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", message=".*has no effect with (balance_coef|collapse_)")
        with pytest.raises(UserWarning, match=message):
            moe.fit(X, y)
        # With the option they need, they are used and say nothing.
        moe.set_params(balance_coef=0.1, collapse_threshold=0.01).fit(X, y)


def test_early_stopping_patience_without_validation_rows_warns():
    # validation_fraction=0 trains for max_epochs on every row, without early
    # stopping: n_iter_no_change was ignored without a word.
    X, y = _regression_rows()
    moe = MixtureOfExpertsRegressor(_fixed_experts(), gate=MLPGate(hidden_layer_sizes=()),
                                    training="gradient", max_epochs=2, validation_fraction=0.0,
                                    n_iter_no_change=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", message="n_iter_no_change")
        with pytest.raises(UserWarning, match="n_iter_no_change=3 has no effect with "
                                              "validation_fraction=0.0"):
            moe.fit(X, y)
        moe.set_params(validation_fraction=0.2).fit(X, y)
