"""Bad-input sweep, round 47: the estimators other rounds covered least.

Probed (no defect found unless a test below names it): the hierarchical
mixtures' branching, gate, init and early-stopping arguments; the multi-task
mixtures' and PLE settings; RuleExpert's params, functions and smoothing;
TorchMLPRegressor/Classifier's arguments and degenerate fits; MLPGate's
arguments through both mixtures; AutoGateTransformer; CrossFitAverage's fits,
weights and n_classes; select_n_experts, bic/aic and log_likelihood_scorer;
skmoe.datasets' generators and loaders; skmoe.persistence on files that are
no model, truncated or of another class; skmoe.plotting's displays on
unfitted models and estimators of the wrong kind; ``python -m skmoe compare``
on odd CSV files. The report of the round lists every probe and its outcome.

Each test here failed before the fix it names.
"""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skmoe import (HierarchicalMixtureRegressor, MixtureOfExpertsRegressor,
                   log_likelihood_scorer, select_n_experts)
from skmoe.datasets import make_regimes


@pytest.mark.parametrize("estimator, param, candidates", [
    (MixtureOfExpertsRegressor, "n_experts", (1, 2)),
    (HierarchicalMixtureRegressor, "branching", ((2,),)),
])
def test_select_n_experts_refuses_a_class_by_name(estimator, param, candidates):
    # A class, not an instance, failed with "get_params() missing 1 required
    # positional argument: 'self'", naming neither the argument nor the fix.
    X, y = make_regimes(20, random_state=0)
    with pytest.raises(TypeError, match=rf"estimator is the class {estimator.__name__}, "
                                        rf"not an estimator: pass an instance"):
        select_n_experts(estimator, X, y, candidates=candidates, param=param)


def test_log_likelihood_scorer_refuses_a_class_by_name():
    # A class was told "ABCMeta.log_likelihood_samples takes no y: it is a
    # density of X, not a likelihood of y given X": a wrong diagnosis, naming
    # the metaclass.
    X, y = make_regimes(20, random_state=0)
    with pytest.raises(TypeError, match="estimator is the class MixtureOfExpertsRegressor, "
                                        "not an estimator"):
        log_likelihood_scorer(MixtureOfExpertsRegressor, X, y)
    with pytest.raises(TypeError, match="the class LinearRegression"):
        log_likelihood_scorer(LinearRegression, X, y)
