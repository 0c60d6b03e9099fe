"""Bad-input sweep, round 44: the methods after fit that take y or weights
(score, log_likelihood_samples, bic/aic, log_likelihood_scorer, compare)
and the hierarchical mixture's own parameters.

Probed (no defect found unless a test below names it): score's
sample_weight of the wrong length, 2-D, NaN, inf, negative, all zero,
a scalar, a list, bool, strings of numbers, complex, a dict, a DataFrame,
1e308 and 1e-320, a Series of other row labels (read by position, as
scikit-learn reads it) across the mixtures, the ensembles (mean and
greedy) and the hierarchical mixture; the same weights and a Series of X's
labels in another order given to log_likelihood_scorer and compare();
compare(groups=...) and fit(groups=...) of the wrong length, 2-D, a
scalar, NaN, None, one or two groups, strings, floats, dates, mixed types
and a reordered Series; predict_gate, predict_experts, expert_usage,
predict_path, log_likelihood_samples, bic and aic on 0 rows, one row, y
of the wrong length, NaN, 2-D, None, a scalar, unseen labels and a
reordered Series; HierarchicalMixture* branching (0, 1, -2, 2.0, 2.5,
(2,), (2, 0), (1, 2), (), '2', [2, 2], np.int64, True, (2, 2.0), None,
nested tuples, an array, more leaves than rows), max_iter, tol, n_init,
init_params, validation_fraction, n_iter_no_change, early_stopping,
verbose, gate_transformer and gate of bad values.

Each test here failed before the fix it names.
"""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HierarchicalMixtureRegressor, MixtureOfExpertsRegressor,
                   RuleExpert)


def _data(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + np.where(X[:, 1] > 0, 1.0, -1.0) + 0.1 * rng.normal(size=n)


def _experts():
    return [("lin", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]


REGRESSORS = {
    "mixture": lambda: MixtureOfExpertsRegressor(_experts(), random_state=0),
    "ensemble": lambda: EnsembleRegressor(_experts()),
    "greedy": lambda: EnsembleRegressor(_experts(), weights="greedy"),
    "hierarchical": lambda: HierarchicalMixtureRegressor(Ridge(), branching=2, max_iter=2,
                                                         random_state=0),
    "rule": lambda: RuleExpert(lambda X: X[:, 0]),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", REGRESSORS)
def test_regressor_score_of_no_rows_names_the_input_as_scikit_learn_does(name):
    # Fixed in skmoe/_base.py (_target_to_score): an empty y failed in
    # numpy's reshape(len(y), -1), "cannot reshape array of size 0 into
    # shape (0,newaxis)", naming neither X nor y; Ridge says what is empty.
    X, y = _data()
    model = REGRESSORS[name]().fit(X, y)
    with pytest.raises(ValueError, match=r"0 sample\(s\) \(shape=\(0, 3\)\)"):
        model.score(X[:0], y[:0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples: \\[0, 40\\]"):
        model.score(X, y[:0])


@pytest.mark.parametrize("where", ["mixture", "ensemble", "compare"])
def test_weights_for_no_rows_name_x(where):
    # Fixed in skmoe/_base.py (check_sample_weight): score and compare check
    # the weights before X, and X of 0 rows with 0 weights said only
    # "Found array with 0 sample(s) (shape=(0,))", naming neither input.
    from skmoe import compare
    X, y = _data()
    weights = np.ones(0)
    with pytest.raises(ValueError, match=r"X has 0 rows \(shape \(0, 3\)\)"):
        if where == "compare":
            compare({"ridge": Ridge()}, X[:0], y[:0], sample_weight=weights)
        else:
            REGRESSORS[where]().fit(X, y).score(X[:0], y[:0], sample_weight=weights)
