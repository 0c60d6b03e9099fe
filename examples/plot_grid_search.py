"""
Tuning a mixture with GridSearchCV
==================================

A mixture is an ordinary scikit-learn estimator: its experts are addressed
by name (``tree__max_depth``) and its gate by ``gate__...`` when a
:class:`~skmoe.MLPGate` is passed, so :class:`~sklearn.model_selection.GridSearchCV`
tunes both at once.
"""

# %%
import warnings

import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor, MLPGate
from skmoe.datasets import make_regimes

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_regimes(n_samples=600, random_state=0)
moe = MixtureOfExpertsRegressor(
    [("line", LinearRegression()), ("tree", DecisionTreeRegressor())],
    training="em", gate=MLPGate(), max_iter=8, random_state=0)

param_grid = {
    "tree__max_depth": [1, 3, 6],
    "gate__hidden_layer_sizes": [(), (16,)],
}
search = GridSearchCV(moe, param_grid, cv=KFold(3, shuffle=True, random_state=0),
                      scoring="neg_root_mean_squared_error")
search.fit(X, y)

# %%
# The results
# -----------
# ``gate__hidden_layer_sizes=()`` is the classic multinomial-logit gate of
# Jordan & Jacobs; it suffices here, since the regimes are split by one
# threshold on ``x``.
results = pd.DataFrame(search.cv_results_)
table = results[["param_tree__max_depth", "param_gate__hidden_layer_sizes",
                 "mean_test_score", "std_test_score", "mean_fit_time"]]
print(table.sort_values("mean_test_score", ascending=False).to_string(index=False))
print("best:", search.best_params_)

# %%
# The refitted best model is an ordinary fitted mixture:
import matplotlib.pyplot as plt

from skmoe.plotting import GateDisplay

fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
GateDisplay.from_estimator(search.best_estimator_, X, ax=ax)
