"""
Classification with a rule-based expert
=======================================

Domain knowledge often comes as a rule: *"a loan with a debt-to-income ratio
above some threshold defaults"*. :class:`~skmoe.RuleExpert` turns a
plain Python function into an expert; its threshold is fitted, and its
``predict_proba`` is calibrated (a rule that is right 80% of the time says
0.8). In a mixture the gate learns *where* the rule holds -- here, for
salaried applicants -- and hands the rest to a logistic regression, which cannot draw the
rule's sharp threshold but models the other segment well.
"""

# %%
# Data: the rule holds in one segment only
# ----------------------------------------
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from skmoe import EnsembleClassifier, MixtureOfExpertsClassifier, compare
from skmoe.experts import RuleExpert
from skmoe.plotting import ExpertUsageDisplay, GateRegionDisplay

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.RandomState(0)
n = 1500
debt_ratio = rng.uniform(0, 1, n)
self_employed = rng.uniform(0, 1, n)  # share of income from self-employment
income_var = rng.uniform(0, 1, n)     # income volatility
X = pd.DataFrame({"debt_ratio": debt_ratio, "self_employed": self_employed,
                  "income_volatility": income_var})
# Salaried applicants (self_employed < 0.5) default when debt_ratio > 0.6;
# for the self-employed, debt and income volatility add up smoothly.
salaried = self_employed < 0.5
p = np.where(salaried, np.where(debt_ratio > 0.6, 0.9, 0.05),
             1 / (1 + np.exp(-8 * (debt_ratio + income_var - 1.0))))
y = rng.uniform(size=n) < p


# %%
# The rule, as a function of X with one fitted parameter
# ------------------------------------------------------
def high_debt(X, threshold):
    """Default predicted when the debt-to-income ratio (column 0) is above the threshold."""
    return np.asarray(X)[:, 0] > threshold


rule = RuleExpert(high_debt, params={"threshold": 0.5}, task="classification")
experts = [("rule", rule), ("logistic", LogisticRegression())]
moe = MixtureOfExpertsClassifier(experts, training="em", max_iter=15, random_state=0).fit(X, y)
print("fitted threshold of the rule alone:",
      RuleExpert(high_debt, params={"threshold": 0.5},
                 task="classification").fit(X, y).params_)

# %%
# Where does the gate trust the rule?
# -----------------------------------
# The map over self-employment and debt ratio (income volatility held at its
# median) shows which rows the gate hands to the rule and which to the
# logistic regression; paler areas are where it hedges between the two.
GateRegionDisplay.from_estimator(moe, X, features=("self_employed", "debt_ratio"))

# %%
ExpertUsageDisplay.from_estimator(moe, X)

# %%
# Mixture vs ensemble vs each expert
# ----------------------------------
result = compare({"mixture": moe, "ensemble": EnsembleClassifier(experts), **dict(experts)},
                 X.to_numpy(), y, cv=5)
print(result)
