"""Bad-input sweep, round 46: sample weights at fit, the experts' containers and
outputs, and cv objects given to the estimators, compare() and select_n_experts.

Probed (no defect found unless a test below names it): fit's sample_weight
negative, all zero, NaN, inf, a list, a scalar, 2-D, of the wrong length, a
Series in another row order (read by position), 1e300, one row or few rows
of positive weight, a class whose rows all weigh zero (probability 0, as
LogisticRegression gives it) and rows of zero weight against the rows left
out (the same predictions) across the mixtures (gradient, EM, top_k=1), the
ensembles (mean and greedy), the hierarchical and multi-task mixtures;
experts as a tuple, a dict, a generator, an empty list, None, with
duplicate, '__' or integer names, a class instead of an instance, None and
'drop' entries, triples, an already fitted expert, a fit that returns None
or writes into X, a predict that writes into X, returns a list, a Series of
other row labels, ints, two columns, NaN on some rows (at fit, or at predict
only on rows far from the training rows), a classifier among regressors and
a regressor among classifiers, classifier experts whose classes_ lack a
class, hold an extra one, come in another order or as strings, or are
missing, and whose predict_proba is missing, NaN on some rows, a DataFrame,
ints or a list; the ensembles' weights as a dict, a Series by expert name
in another order, strings, a generator or 2-D; cv as LeaveOneOut,
LeavePOut, TimeSeriesSplit, RepeatedKFold, ShuffleSplit, PredefinedSplit,
GroupKFold and LeaveOneGroupOut without groups, KFold given groups, lists of
splits with an empty test part, overlapping or missing test rows, float or
boolean indices, a tuple or generator of splits, 1, 3.0, '3', True and
np.int64(3); CrossFitAverage given a tuple, generator, dict, pairs, None, a
class, unfitted or differently sized fits, classifiers without or with a
wrong n_classes, odd weights, and frames of permuted, renamed or missing
columns at predict; select_n_experts' candidates as a generator, set,
array, floats, strings, bools, 0 or empty, its criterion and cv of odd
values, a fitted template, a Pipeline, a list of experts and ensembles.

Each test here failed before the fix it names.
"""

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor, compare


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# -- a model's own group splitter, in compare() without groups ------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make, key", [
    (lambda cv: MixtureOfExpertsRegressor([("ridge", Ridge()),
                                           ("tree", DecisionTreeRegressor(max_depth=2))],
                                          training="em", max_iter=2, cv=cv, random_state=0),
     "cv"),
    (lambda cv: make_pipeline(StandardScaler(), MixtureOfExpertsRegressor(
        Ridge(), n_experts=2, training="em", max_iter=2, cv=cv, random_state=0)),
     "mixtureofexpertsregressor__cv"),
    (lambda cv: RidgeCV(cv=cv), "cv"),
])
@pytest.mark.parametrize("splitter", [GroupKFold(3), LeaveOneGroupOut()])
def test_compare_without_groups_names_a_models_group_splitter(make, key, splitter):
    # Each split's fit failed with the mixture's "needs groups: pass them to
    # fit, fit(X, y, groups=groups), or pass the folds themselves instead",
    # neither of which compare lets the user do (compare calls fit; folds of
    # all the rows do not number a split's training rows), and RidgeCV's with
    # scikit-learn's "The 'groups' parameter should not be None.".
    X, y = _data()
    with pytest.raises(ValueError, match=rf"Model 'm': {key}=.*needs groups, and compare "
                                         r"was given none: pass them, compare\(\.\.\., "
                                         r"groups=groups\)"):
        compare({"m": make(splitter), "ridge": Ridge()}, X, y, cv=3)
    # Given the groups, compare splits it on each split's training rows.
    result = compare({"m": make(splitter), "ridge": Ridge()}, X, y, cv=3,
                     groups=np.arange(len(y)) % 6)
    assert np.all(np.isfinite(result.scores["m"]["r2"]))
