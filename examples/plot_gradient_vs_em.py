"""
EM or gradient training?
========================

The same mixture can be trained two ways. ``training="em"`` alternates
responsibilities and weighted refits of every expert; ``training="gradient"``
trains the gate -- and differentiable experts such as
:class:`~skmoe.TorchMLPRegressor` -- end to end with minibatch Adam on
the mixture's negative log-likelihood, after fitting the experts that have no
gradient (here the ridge and the tree) once on honest out-of-fold predictions.
"""

# %%
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.metrics import root_mean_squared_error
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes
from skmoe.experts import TorchMLPRegressor
from skmoe.plotting import ConvergenceDisplay, GateDisplay

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_regimes(n_samples=3000, random_state=0)
X_test, y_test = make_regimes(n_samples=2000, random_state=1)

def experts(**mlp_settings):
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=5)),
            ("mlp", TorchMLPRegressor(hidden_layer_sizes=(32,), random_state=0,
                                      **mlp_settings))]


# EM refits the MLP with its own settings (50 epochs at each M-step); the
# gradient trainer trains it jointly with the gate, with the mixture's
# max_epochs and learning_rate (an MLP's own would be ignored, with a warning).
models = {
    "EM": MixtureOfExpertsRegressor(experts(max_epochs=50), training="em", max_iter=15,
                                    random_state=0),
    "gradient": MixtureOfExpertsRegressor(experts(), training="gradient", max_epochs=60,
                                          learning_rate=1e-2, random_state=0),
}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    rmse = root_mean_squared_error(y_test, model.predict(X_test))
    print(f"{name:>8}: test RMSE {rmse:.3f}, fit {seconds:.1f} s")

# %%
# The training histories: EM iterations and gradient epochs
# ---------------------------------------------------------
# The expert shares are the thing to watch. EM's responsibilities go to the
# expert that explains each row best; when one expert is good almost
# everywhere (a depth-5 tree on this data), it gets nearly every row, and so
# it does here under both trainers -- the collapse that load-balancing losses
# and top-k routing tricks are designed against. The history shows whether it
# happened.
ConvergenceDisplay.from_estimator(models["EM"])

# %%
ConvergenceDisplay.from_estimator(models["gradient"])

# %%
# Do both gates agree on who counts where?
# ----------------------------------------
# EM first, then gradient training.
for model in models.values():
    GateDisplay.from_estimator(model, X, kind="line")

# %%
# Copies of one estimator: what ``training="auto"`` picks
# --------------------------------------------------------
# With a pool of different experts the default ``training="auto"`` is the
# gradient trainer. With copies of one fixed estimator (``n_experts`` of it)
# it is EM: the copies become different experts only by being refitted on
# different rows, which EM does and a gate over their out-of-fold
# predictions, which never refits them, does not. Four lines on this data:
from sklearn.linear_model import LinearRegression

for training in ("auto", "gradient"):
    lines = MixtureOfExpertsRegressor(LinearRegression(), n_experts=4, training=training,
                                      random_state=0).fit(X, y)
    rmse = root_mean_squared_error(y_test, lines.predict(X_test))
    print(f"training={training!r} ran {lines.training_!r}: test RMSE {rmse:.3f}")
