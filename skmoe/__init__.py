"""skmoe: heterogeneous mixtures of experts for scikit-learn."""

from ._ensemble import EnsembleClassifier, EnsembleRegressor
from ._moe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from ._routing import ExpertCollapseWarning
from .gates import MLPGate

__version__ = "0.1.0.dev0"

__all__ = [
    "EnsembleClassifier",
    "EnsembleRegressor",
    "ExpertCollapseWarning",
    "MLPGate",
    "MixtureOfExpertsClassifier",
    "MixtureOfExpertsRegressor",
    "__version__",
]
