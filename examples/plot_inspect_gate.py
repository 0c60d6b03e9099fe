"""
Inspecting the gate in two dimensions
=====================================

On the two-moons data neither a logistic regression nor a shallow tree is
right everywhere. The gate's map shows which expert wins where (paler: the
gate hedges) -- here it splits the plane, the logistic regression on the
left and top, the tree on the lower right -- and the usage plot how much
each expert is used overall (about half each).
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
# Exact EM (``cv=None``): neither expert can memorise its rows, so in-sample
# likelihoods are honest. Cross-fitted EM (the default ``cv``) from the
# uniform start gives every row the same gate weights on this data: the tree
# everywhere, and nothing to map.
clf = MixtureOfExpertsClassifier(
    [("logistic", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=4))],
    training="em", cv=None, max_iter=15, random_state=0).fit(X, y)
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
