"""skmoe: heterogeneous mixtures of experts for scikit-learn."""

from ._compare import ComparisonResult, compare
from ._ensemble import EnsembleClassifier, EnsembleRegressor
from ._hme import HierarchicalMixtureClassifier, HierarchicalMixtureRegressor
from ._mmoe import MultiGateMixtureOfExperts
from ._mmoe_hetero import HeterogeneousMultiGateMixtureOfExperts
from ._moe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from ._routing import ExpertCollapseWarning
from ._selection import aic, bic, log_likelihood_scorer, select_n_experts
from .experts import RuleExpert, TorchMLPClassifier, TorchMLPRegressor
from .gates import MLPGate

__version__ = "0.1.0.dev0"

__all__ = [
    "ComparisonResult",
    "EnsembleClassifier",
    "EnsembleRegressor",
    "ExpertCollapseWarning",
    "HeterogeneousMultiGateMixtureOfExperts",
    "HierarchicalMixtureClassifier",
    "HierarchicalMixtureRegressor",
    "MLPGate",
    "MixtureOfExpertsClassifier",
    "MixtureOfExpertsRegressor",
    "MultiGateMixtureOfExperts",
    "RuleExpert",
    "TorchMLPClassifier",
    "TorchMLPRegressor",
    "__version__",
    "aic",
    "bic",
    "compare",
    "log_likelihood_scorer",
    "select_n_experts",
]
