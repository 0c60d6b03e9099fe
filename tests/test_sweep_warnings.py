"""Warnings a user sees on stderr in normal use of skmoe.

Each test turns warnings into errors and runs a normal workflow on clean,
well-posed data: the warning it once raised was wrong, or one the user could
not act on.
"""

import warnings

import numpy as np
import pandas as pd

from skmoe.experts import RuleExpert


def _above(X, threshold):
    return X[:, 1] > threshold


def test_rule_expert_predict_on_a_frame_does_not_warn_about_feature_names():
    # predict validated the frame, then handed predict_proba a bare ndarray:
    # "X does not have valid feature names, but RuleExpert was fitted with
    # feature names".
    X = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0) % 4})
    y = (X["b"] > 1.5).astype(int)
    rule = RuleExpert(_above, params={"threshold": 1.5}, task="classification")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rule.fit(X, y)
        pred = rule.predict(X)
    np.testing.assert_array_equal(pred, y.to_numpy())
