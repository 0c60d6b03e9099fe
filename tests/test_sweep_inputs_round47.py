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


def _scaled_by_positive(X, s=2.0):
    if s <= 0:
        raise ValueError("s must be positive")
    return s * X[:, 0]


def test_rule_expert_error_names_the_params_the_search_tried():
    # The best s for y = -x is below 0: fit's search tries s < 0, which the
    # rule refuses. The error said only "raised ValueError: s must be
    # positive", though the user had started at s=2.0; a rule returning NaN
    # there was already told the params.
    from skmoe import RuleExpert
    X = np.linspace(1.0, 10.0, 30)[:, None]
    rule = RuleExpert(_scaled_by_positive, params={"s": 2.0})
    with pytest.raises(ValueError, match=r"raised ValueError with params \{'s': -[0-9.]+\}: "
                                         r"s must be positive"):
        rule.fit(X, -X[:, 0])


@pytest.mark.parametrize("columns", [["b", "a"], ["a", "x"]])
def test_cross_fit_average_refuses_fits_on_other_column_names(columns):
    # Fits of one expert on frames whose columns differ in name or order were
    # taken; predict then failed inside the second fit with scikit-learn's
    # "Feature names must be in the same order as they were in fit" (or
    # "unseen at fit time"), naming no fit. Their widths were already checked.
    import pandas as pd
    from sklearn.linear_model import Ridge

    from skmoe import CrossFitAverage
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.rand(20, 2), columns=["a", "b"])
    y = X["a"].to_numpy() - X["b"].to_numpy()
    fits = [Ridge().fit(X, y), Ridge().fit(X.set_axis(columns, axis=1), y)]
    with pytest.raises(ValueError, match=rf"fit 1 \(Ridge\) was fitted on the columns "
                                         rf"\{columns!r}\, fit 0 on \['a', 'b'\]; the fits "
                                         rf"of one expert must be fitted on the same columns"):
        CrossFitAverage(fits).predict(X)


@pytest.mark.parametrize("scaling", [
    (np.full(2, np.nan), np.ones(2)),      # a NaN mean
    (np.zeros(2), np.zeros(2)),            # a zero scale
    (0.0, 1.0),                            # scalars, broadcast over the columns
    (np.zeros(3), np.ones(3)),             # of another width than X
])
def test_mlp_gate_fit_refuses_a_scaling_that_is_not_one(scaling):
    # MLPGate.fit(scaling=...) took any pair: a NaN mean or a zero scale made
    # every standardised input NaN or infinite, and the fitted gate gave the
    # same weights to every row, without a word.
    from skmoe.gates import MLPGate
    rng = np.random.RandomState(0)
    X = rng.rand(30, 2)
    targets = np.c_[X[:, 0] > 0.5, X[:, 0] <= 0.5].astype(float)
    with pytest.raises(ValueError, match=r"MLPGate: scaling must be a pair \(mean, scale\) "
                                         r"of arrays of shape \(2,\)"):
        MLPGate(max_iter=3).fit(X, targets, scaling=scaling)


@pytest.mark.parametrize("name", ["iris", "mcycle", "friedman1", "mroz"])
@pytest.mark.parametrize("as_frame", [False, True])
def test_load_dataset_returns_arrays_the_caller_can_write(name, as_frame):
    # pandas' copy-on-write made the arrays from to_numpy() read-only views:
    # y[y < 0] = 0 or X[:, 0] /= 10 failed with "assignment destination is
    # read-only" for iris, mcycle or friedman1 (and worked for boston), where
    # scikit-learn's own loaders give writable arrays.
    from skmoe.datasets import load_dataset
    data = load_dataset(name, as_frame=as_frame)
    first_y, first_x = data.y[0], np.asarray(data.X)[0, 0]
    assert data.y.flags.writeable
    data.y[0] = data.y[1] if data.y[1] != first_y else data.y[-1]
    if not as_frame:
        assert data.X.flags.writeable
        data.X[0, 0] = first_x + 1.0
    # Each call loads afresh: the writes above are not seen by the next one.
    again = load_dataset(name, as_frame=as_frame)
    assert again.y[0] == first_y and np.asarray(again.X)[0, 0] == first_x


def test_hierarchical_early_stopping_advice_fits_a_class_of_one_row():
    # A class of one row cannot be split (stratified) between the EM rows
    # and the held-out ones. The error named it, but advised "another
    # validation_fraction, a smaller branching", neither of which gives the
    # class a second row.
    from sklearn.linear_model import LogisticRegression

    from skmoe import HierarchicalMixtureClassifier
    rng = np.random.RandomState(0)
    X = rng.rand(60, 2)
    y = (X[:, 0] > 0.5).astype(int)
    y[3] = 2
    model = HierarchicalMixtureClassifier(LogisticRegression(), max_iter=2,
                                          early_stopping=True, random_state=0)
    with pytest.raises(ValueError, match=r"class 2 has a single row .*\. Drop the row of "
                                         r"class 2 or add rows of it, or set "
                                         r"early_stopping=False") as raised:
        model.fit(X, y)
    assert "smaller branching" not in str(raised.value)
