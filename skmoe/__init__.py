"""skmoe: heterogeneous mixtures of experts for scikit-learn."""

import importlib

__version__ = "0.1.0.dev0"

# Public names are imported on first use (PEP 562): the estimators pull in
# torch and scipy, which would make ``python -m skmoe --help`` take seconds.
_LAZY = {
    "ComparisonResult": "._compare",
    "compare": "._compare",
    "EnsembleClassifier": "._ensemble",
    "EnsembleRegressor": "._ensemble",
    "MultiGateMixtureOfExperts": "._mmoe",
    "HeterogeneousMultiGateMixtureOfExperts": "._mmoe_hetero",
    "MixtureOfExpertsClassifier": "._moe",
    "MixtureOfExpertsRegressor": "._moe",
    "ExpertCollapseWarning": "._routing",
    "InconsistentSkmoeVersionWarning": "._versioning",
    "HierarchicalMixtureClassifier": "._hme",
    "HierarchicalMixtureRegressor": "._hme",
    "aic": "._selection",
    "bic": "._selection",
    "log_likelihood_scorer": "._selection",
    "select_n_experts": "._selection",
    "RuleExpert": ".experts",
    "TorchMLPClassifier": ".experts",
    "TorchMLPRegressor": ".experts",
    "MLPGate": ".gates",
    "AutoGateTransformer": "._data",
    "CrossFitAverage": "._crossfit",
}
_SUBMODULES = {"datasets", "experts", "gates", "persistence", "plotting"}

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
