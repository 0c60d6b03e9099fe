"""
Inspecting the gate in two dimensions
=====================================

On the two-moons data a logistic regression is right far from the
boundary and a tree captures the curved middle. The gate's map shows which
expert wins where (paler: the gate hedges), and the usage plot how much each
expert is used overall.
"""

# %%
import warnings

from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier
from skmoe.plotting import ExpertUsageDisplay, GateRegionDisplay

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_moons(n_samples=600, noise=0.25, random_state=0)
clf = MixtureOfExpertsClassifier(
    [("logistic", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=4))],
    training="em", max_iter=15, random_state=0).fit(X, y)
print(f"training accuracy {clf.score(X, y):.3f}")

# %%
# Which expert wins where
# -----------------------
GateRegionDisplay.from_estimator(clf, X)

# %%
# How much each expert is used
# ----------------------------
# The mean gate weight (soft usage) and the share of rows where an expert
# has the largest weight (what top-1 routing would send it).
ExpertUsageDisplay.from_estimator(clf, X)
