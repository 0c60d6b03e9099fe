"""Sweep, round 2: scikit-learn conventions a user relies on inside the ecosystem."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import is_classifier, is_regressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer, log_loss, roc_auc_score

from skmoe import (CrossFitAverage, EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MixtureOfExpertsRegressor)
from skmoe.experts import RuleExpert, TorchMLPClassifier
from skmoe.gates import MLPGate


def test_cross_fit_average_is_a_regressor_or_a_classifier_for_scorers():
    # Before: its tags named no estimator type, so is_regressor and
    # is_classifier were False, and the roc_auc scorer on a classification
    # average (a mixture's deployed expert) failed with "y should be a 1d
    # array, got an array of shape (40, 2)".
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = (X[:, 0] + rng.randn(40) > 0).astype(int)
    fits = [LogisticRegression().fit(X[:20], y[:20]), LogisticRegression().fit(X[20:], y[20:])]
    average = CrossFitAverage(fits, n_classes=2)
    assert is_classifier(average) and not is_regressor(average)
    proba = (fits[0].predict_proba(X) + fits[1].predict_proba(X)) / 2
    assert_allclose(get_scorer("roc_auc")(average, X, y), roc_auc_score(y, proba[:, 1]))
    assert_allclose(get_scorer("neg_log_loss")(average, X, y), -log_loss(y, proba))
    regression = CrossFitAverage([Ridge().fit(X[:20], X[:20, 0]), Ridge().fit(X[20:], X[20:, 0])])
    assert is_regressor(regression) and not is_classifier(regression)


@pytest.mark.parametrize("make", [MixtureOfExpertsRegressor, EnsembleRegressor,
                                  HierarchicalMixtureRegressor,
                                  HeterogeneousMultiGateMixtureOfExperts])
@pytest.mark.parametrize("experts", [{"ridge": Ridge(), "other": Ridge()},
                                     [(1, Ridge()), (2, Ridge())]], ids=["dict", "int-names"])
def test_experts_that_are_no_named_pairs_display_and_fit_names_the_fault(make, experts):
    # Before: get_params(deep=True) of a dict failed with "not enough values
    # to unpack (expected 2, got 1)" (so did set_params and the HTML display),
    # and integer names became parameter names, on which the HTML display
    # failed with "'int' object has no attribute 'replace'".
    estimator = make(experts)
    assert estimator.get_params(deep=True) == estimator.get_params(deep=False)
    assert make.__name__ in estimator._repr_html_()
    estimator.set_params(n_jobs=1)
    X = np.random.RandomState(0).randn(12, 2)
    with pytest.raises(TypeError, match="experts must|names must be strings"):
        estimator.fit(X, X[:, 0])


def test_mlp_gate_checks_its_inputs_as_scikit_learn_estimators_do():
    # Before: X of the wrong width failed inside torch ("The size of tensor a
    # (2) must match the size of tensor b (3)"), a list or a DataFrame as X in
    # fit with "'list' object has no attribute 'mean'" or "The truth value of
    # a Series is ambiguous", targets of the wrong length inside torch, and
    # negative or NaN targets fitted a gate without a word.
    import pandas as pd

    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    targets = rng.dirichlet([1.0, 1.0], size=30)
    make = lambda: MLPGate(hidden_layer_sizes=(), max_iter=5, device="cpu")  # noqa: E731
    gate = make().fit(X, targets)
    with pytest.raises(ValueError, match="X has 2 features, but MLPGate is expecting 3"):
        gate.predict_proba(X[:, :2])
    assert_allclose(make().fit(X.tolist(), targets.tolist()).predict_proba(X),
                    gate.predict_proba(X))
    assert_allclose(make().fit(pd.DataFrame(X), targets).predict_proba(X), gate.predict_proba(X))
    with pytest.raises(ValueError, match=r"targets must have shape \(30, n_experts\)"):
        make().fit(X, targets[:5])
    with pytest.raises(ValueError, match=r"targets must have shape \(30, 2\)"):
        gate.fit(X, np.full((30, 3), 1 / 3), warm_start=True)
    with pytest.raises(ValueError, match="non-negative"):
        make().fit(X, targets - 0.5)
    with pytest.raises(ValueError, match="targets contains NaN"):
        make().fit(X, np.where(targets > 0.9, np.nan, targets))


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor([("ridge", Ridge()), ("other", Ridge(alpha=2.0))]),
    lambda: HierarchicalMixtureRegressor([("ridge", Ridge()), ("other", Ridge(alpha=2.0))]),
], ids=["mixture", "hierarchical"])
def test_nested_parameters_of_a_default_or_a_list_name_the_fix(make):
    # Before: a grid over gate_transformer__max_categories with the default
    # gate_transformer='auto' failed with "'str' object has no attribute
    # 'set_params'", and experts__alpha with experts given as a list with
    # "'list' object has no attribute 'set_params'".
    from sklearn.model_selection import GridSearchCV

    from skmoe import AutoGateTransformer
    X = np.random.RandomState(0).randn(20, 2)
    search = GridSearchCV(make(), {"gate_transformer__max_categories": [5, 20]}, cv=2)
    with pytest.raises(ValueError, match=r"gate_transformer='auto' \(the default\) has no "
                                         r"parameters. Pass gate_transformer=AutoGateTransformer"):
        search.fit(X, X[:, 0])
    with pytest.raises(ValueError, match="address an expert by its name, e.g. 'ridge__alpha'"):
        make().set_params(experts__alpha=3.0)
    # Passing the transformer along with its parameters works.
    model = make().set_params(gate_transformer=AutoGateTransformer(),
                              gate_transformer__max_categories=5, ridge__alpha=3.0)
    assert model.gate_transformer.max_categories == 5
    assert model.experts[0][1].alpha == 3.0


@pytest.mark.parametrize("method, args", [("add_noise", ()), ("drop_experts", ([0],)),
                                          ("fit_constant", ([0.5, 0.5],))])
def test_mlp_gate_network_methods_before_fit_raise_not_fitted(method, args):
    # Before: AttributeError "'MLPGate' object has no attribute
    # 'n_features_in_'" (add_noise), "'device_'" (drop_experts) or "'module_'"
    # (fit_constant), where the gate's outputs raise NotFittedError.
    from sklearn.exceptions import NotFittedError

    gate = MLPGate(hidden_layer_sizes=(), device="cpu")
    with pytest.raises(NotFittedError):
        getattr(gate, method)(*args)
    X = np.random.RandomState(0).randn(10, 2)
    gate.init(X, 2, seed=0)
    getattr(gate, method)(*args)
    assert gate.predict_proba(X).shape == (10, 1 if method == "drop_experts" else 2)


def _threshold_rule(X, threshold):
    return X[:, 0] > threshold


@pytest.mark.parametrize("make", [
    lambda: TorchMLPClassifier((4,), max_epochs=5, random_state=0, device="cpu"),
    lambda: RuleExpert(_threshold_rule, params={"threshold": 0.0}, task="classification"),
], ids=["torch-mlp", "rule"])
def test_expert_classifiers_give_log_probabilities(make):
    # Before: neither had predict_log_proba (scikit-learn's MLPClassifier and
    # the mixtures do), so cross_val_predict(method="predict_log_proba")
    # failed with "'TorchMLPClassifier' object has no attribute
    # 'predict_log_proba'".
    from sklearn.model_selection import KFold, cross_val_predict
    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    y = np.where(X[:, 0] + 0.5 * rng.randn(40) > 0, "yes", "no")
    cv = KFold(2, shuffle=True, random_state=0)
    log_proba = cross_val_predict(make(), X, y, cv=cv, method="predict_log_proba")
    assert_allclose(log_proba, np.log(cross_val_predict(make(), X, y, cv=cv,
                                                        method="predict_proba")))
    assert not hasattr(RuleExpert(_threshold_rule, params={"threshold": 0.0}),
                       "predict_log_proba")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_em_restarts_share_a_generator_of_splits():
    # Before: with n_init=2, cv=KFold(3).split(X) (an iterable of splits, as
    # scikit-learn's cv takes) was used up by the first restart, and the second
    # failed with "gave no splits (an iterator used up by an earlier fit?)".
    from sklearn.model_selection import KFold
    from sklearn.tree import DecisionTreeRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    y = X[:, 0] + 0.1 * rng.randn(40)
    make = lambda cv: MixtureOfExpertsRegressor(  # noqa: E731
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))],
        training="em", n_init=2, cv=cv, max_iter=2, random_state=0,
        gate=MLPGate(hidden_layer_sizes=(), max_iter=5, warm_max_iter=2, device="cpu"))
    expected = make(list(KFold(3).split(X))).fit(X, y).predict(X)
    assert_allclose(make(KFold(3).split(X)).fit(X, y).predict(X), expected)


@pytest.mark.parametrize("make", [
    lambda experts, n_jobs: EnsembleRegressor(experts, n_jobs=n_jobs),
    lambda experts, n_jobs: HierarchicalMixtureRegressor(
        experts, branching=(2,), max_iter=2, random_state=0, n_jobs=n_jobs,
        gate=MLPGate(hidden_layer_sizes=(), max_iter=5, warm_max_iter=2, device="cpu")),
], ids=["ensemble", "hierarchical"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_expert_fits_in_workers_see_the_scikit_learn_configuration(make):
    # Before: the experts were fitted through joblib's own Parallel, so with
    # n_jobs=2 the worker processes did not see enable_metadata_routing: the
    # scaler of a Pipeline expert that requested sample_weight was fitted
    # without it, and the predictions differed from n_jobs=1 (by up to 0.029
    # for the ensemble, 0.23 for the hierarchical mixture). scikit-learn's
    # meta-estimators use sklearn.utils.parallel, which passes the
    # configuration on.
    import sklearn
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3) * [1.0, 5.0, 1.0] + [0.0, 3.0, 0.0]
    y = X[:, 0] + np.abs(X[:, 1]) + 0.1 * rng.randn(80)
    weight = np.exp(2 * rng.rand(80))

    def experts():
        return [("scaled", make_pipeline(StandardScaler().set_fit_request(sample_weight=True),
                                         Ridge(alpha=30.0).set_fit_request(sample_weight=True))),
                ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)
                 .set_fit_request(sample_weight=True))]
    with sklearn.config_context(enable_metadata_routing=True):
        predictions = [make(experts(), n_jobs).set_fit_request(sample_weight=True)
                       .fit(X, y, sample_weight=weight).predict(X) for n_jobs in (1, 2)]
    assert_allclose(predictions[1], predictions[0], rtol=1e-12)
