"""scikit-learn's common estimator checks over every public estimator."""

from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmoe import (EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts)
from skmoe.experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)
# The torch experts are checked on the CPU wherever the tests run: on a GPU,
# cuBLAS picks float32 GEMM kernels by matrix shape, so a subset's predictions
# differ from the full batch's in the 7th digit (check_methods_subset_invariance
# asks rtol 1e-7), for the regressor always and for the classifier on some
# shapes only -- an expected failure that flips with the card. The GPU paths
# have their own tests (test_gpu_paths.py).
FAST_MLP = dict(hidden_layer_sizes=(16,), learning_rate=1e-2, max_epochs=50, random_state=0,
                device="cpu")


# Rules for RuleExpert, at module level so that fitted rules pickle.
def linear_rule(X, slope, intercept):
    return slope * X[:, 0] + intercept


def threshold_rule(X, threshold):
    return X[:, 0] > threshold


def _instances():
    regressors = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
    classifiers = [("logit", LogisticRegression()),
                   ("tree", DecisionTreeClassifier(max_depth=3))]
    return [
        # The default: the stacked gate over the experts' out-of-fold predictions.
        MixtureOfExpertsRegressor(regressors, max_epochs=20, random_state=0),
        MixtureOfExpertsClassifier(classifiers, max_epochs=20, random_state=0),
        MixtureOfExpertsRegressor(regressors, training="em", gate=FAST_GATE, max_iter=3,
                                  random_state=0),
        MixtureOfExpertsClassifier(classifiers, training="em", gate=FAST_GATE, max_iter=3,
                                   random_state=0),
        # Sparse routing: hard EM, capacity, and each expert predicting its rows only.
        MixtureOfExpertsRegressor(regressors, training="em", gate=FAST_GATE, max_iter=3,
                                  random_state=0, top_k=1, capacity_factor=2.0, balance_coef=0.01),
        EnsembleRegressor(regressors),
        EnsembleClassifier(classifiers),
        EnsembleRegressor(regressors, weights="greedy", cv=3, n_rounds=10),
        EnsembleClassifier(classifiers, weights="greedy", cv=3, n_rounds=10),
        TorchMLPRegressor(**FAST_MLP),
        TorchMLPClassifier(**FAST_MLP),
        RuleExpert(linear_rule, params={"slope": 1.0, "intercept": 0.0}),
        RuleExpert(threshold_rule, params={"threshold": 0.0}, task="classification"),
        MixtureOfExpertsRegressor([("ridge", Ridge()), ("mlp", TorchMLPRegressor((8,)))],
                                  training="gradient", learning_rate=1e-2, max_epochs=30,
                                  random_state=0),
        MixtureOfExpertsClassifier(
            [("logit", LogisticRegression()), ("mlp", TorchMLPClassifier((8,)))],
            training="gradient", learning_rate=1e-2, max_epochs=30, random_state=0),
        MultiGateMixtureOfExperts(n_experts=2, expert_units=4, max_iter=5, random_state=0),
        HeterogeneousMultiGateMixtureOfExperts(regressors, max_iter=10, random_state=0),
        HierarchicalMixtureRegressor(Ridge(), branching=(2, 2), gate=FAST_GATE, max_iter=3,
                                     random_state=0),
        HierarchicalMixtureClassifier(LogisticRegression(), branching=(2, 2), gate=FAST_GATE,
                                      max_iter=3, random_state=0),
        # Early stopping on held-out rows; 'auto' fits without it where the checks'
        # few rows of several classes cannot be split (True raises there).
        HierarchicalMixtureRegressor(Ridge(), branching=(2, 2), gate=FAST_GATE, max_iter=3,
                                     early_stopping=True, random_state=0),
        HierarchicalMixtureClassifier(LogisticRegression(), branching=(2, 2), gate=FAST_GATE,
                                      max_iter=3, early_stopping="auto", random_state=0),
    ]


# Checks that cannot hold for these estimators, with the reason beside each.
# The marks are strict: a check that starts passing must lose its entry.
_EM_WEIGHTS_NOT_REPETITIONS = (
    "EM's cross-fitting folds, k-means start and soft responsibilities see a "
    "repeated row as two rows, so integer weights are close to, but not exactly, "
    "repetitions (hard EM, top_k=1, passes; a weighted fit is tested in test_moe.py)")
_GRADIENT_WEIGHTS_NOT_REPETITIONS = (
    "gradient training cross-fits the experts, trains its gates on minibatches and "
    "holds out validation rows: a row of weight 2 and two copies of it land in "
    "different folds, batches and splits, so the fits differ (as for "
    "scikit-learn's MLPRegressor)")


def _moe_failures(estimator):
    if estimator.top_k is not None:
        return {}
    if estimator.training == "auto" and isinstance(estimator, MixtureOfExpertsClassifier):
        # Passes on the check's data, but not because weights are repetitions:
        # the level-2 weights differ (best expert 0.55 weighted, 0.48 repeated),
        # yet every candidate gives the tree's probabilities there (the
        # constant blend has it at 1 - 2e-10), so predict_proba agrees to 1e-10.
        return {}
    if estimator.training == "em" and isinstance(estimator, MixtureOfExpertsClassifier):
        # Passes on the check's data with EM's final gate blended with the
        # constant blend (the level-2 share, benchmarks/results/
        # em_levers_round6.md; fails without it), though EM's folds still see
        # a row of weight 2 as one row: the strict xfails failed as passes.
        return {}
    reason = (_EM_WEIGHTS_NOT_REPETITIONS if estimator.training == "em"
              else _GRADIENT_WEIGHTS_NOT_REPETITIONS)
    # The experts take sparse X (it reaches them untouched): the same holds there.
    return {"check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason}


_MINIBATCH_WEIGHTS = (
    "minibatch SGD with shuffling and a validation split: a row of weight 2 and two "
    "copies of it land in different batches and splits, so the fits differ (as for "
    "scikit-learn's own MLPRegressor)")
_TORCH_MLP_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": _MINIBATCH_WEIGHTS,
}
_HETERO_WEIGHTS = (
    "the check's cv splits are honoured and the gates' input and target "
    "standardisation weighted, but float32 L-BFGS amplifies the rounding, so "
    "integer weights are close to, not exactly, repetitions (predictions agree "
    "to ~1e-3)")
_HME_WEIGHTS = (
    "both starts draw among rows, not weights (k-means++ seeds its centres from "
    "rows, a repeated row being two candidates; 'random' draws responsibilities "
    "row by row), so a weighted fit and the fit on repeated rows start apart and "
    "EM may end in different optima (the gates' standardisation is weighted) "
    "(with early_stopping, the validation split also draws rows, not weights)")
_HME_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": _HME_WEIGHTS,
    # The leaves take sparse X (it reaches them untouched): the same holds there.
    "check_sample_weight_equivalence_on_sparse_data": _HME_WEIGHTS,
}
EXPECTED_FAILURES = {
    "HierarchicalMixtureRegressor": _HME_FAILURES,
    "HierarchicalMixtureClassifier": _HME_FAILURES,
    "MultiGateMixtureOfExperts": {
        # (check_sample_weight_equivalence_on_dense_data passes: its fits are
        # one full batch, and the input and target scaling are weighted.)
        # (A regressor now that its tasks are regressions: the check asks
        # R² > 0.5 on its training rows, which 5 epochs of the fast settings
        # above do not reach.)
        "check_regressors_train": "5 epochs (the fast settings) do not reach R² > 0.5"},
    "HeterogeneousMultiGateMixtureOfExperts": {
        "check_sample_weight_equivalence_on_dense_data": _HETERO_WEIGHTS},
    "TorchMLPRegressor": _TORCH_MLP_FAILURES,
    "TorchMLPClassifier": _TORCH_MLP_FAILURES,
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, (MixtureOfExpertsRegressor, MixtureOfExpertsClassifier)):
        return _moe_failures(estimator)
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed_checks,
                         xfail_strict=True)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
