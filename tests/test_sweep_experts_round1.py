"""Experts that misbehave, first round: rules and estimators given as experts
that return odd outputs, write into their inputs, are fitted already or have
no ``get_params``.

Each test fails without its fix.
"""

import numpy as np
import pytest

from skmoe import RuleExpert


# -------------------------------- a classification rule's NaN in an object array
def _sign_or_nan_objects(X):
    # A rule that says 0 or 1, and NaN (as objects: pandas' object columns
    # hold them so) where it has no answer.
    out = (X[:, 0] > 0).astype(float).astype(object)
    out[X[:, 1] > 0.5] = np.nan
    return out


def test_a_classification_rule_returning_nan_among_objects_is_told_they_are_missing():
    # NaN among numbers in an object array sorts, so fit took it; but NaN
    # equals nothing: np.unique kept each NaN as an outcome of its own
    # (outcomes_ of 142 entries for 3 outcomes, unsorted), and predict gave
    # the rows of the NaN outcome the class prior, 0.59, where fit had
    # calibrated 0.79 for them.
    X = np.random.RandomState(0).normal(size=(300, 2))
    y = np.where(X[:, 1] > 0.5, 1, (X[:, 0] > 0).astype(int))
    n_missing = int(np.sum(X[:, 1] > 0.5))
    with pytest.raises(ValueError, match=rf"RuleExpert\(_sign_or_nan_objects\) returned "
                                         rf"outcomes of which {n_missing} of 300 are missing "
                                         r"\(None, NaN or pd\.NA\); a rule must give every "
                                         "row an outcome"):
        RuleExpert(_sign_or_nan_objects, task="classification").fit(X, y)
    # At predict too, for rows fit never saw the rule leave without an answer.
    rows = X[:, 1] <= 0.5
    rule = RuleExpert(_sign_or_nan_objects, task="classification").fit(X[rows], y[rows])
    with pytest.raises(ValueError, match=f"{n_missing} of 300 are missing"):
        rule.predict_proba(X)
