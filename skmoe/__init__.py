"""skmoe: heterogeneous mixtures of experts for scikit-learn."""

from ._compare import ComparisonResult, compare
from ._ensemble import EnsembleClassifier, EnsembleRegressor
from ._moe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from .gates import MLPGate

__version__ = "0.1.0.dev0"

__all__ = [
    "ComparisonResult",
    "EnsembleClassifier",
    "EnsembleRegressor",
    "MLPGate",
    "MixtureOfExpertsClassifier",
    "MixtureOfExpertsRegressor",
    "__version__",
    "compare",
]
