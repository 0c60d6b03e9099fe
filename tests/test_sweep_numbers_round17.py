"""Wrong-numbers sweep, round 17: the command line's figures, the plotting
displays' arrays and the selection criteria, each against an independent
computation."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge

from skmoe import MixtureOfExpertsRegressor

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skmoe.plotting import ConvergenceDisplay  # noqa: E402

# Short runs are the point here; their ConvergenceWarning is expected.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_convergence_display_draws_held_out_log_likelihood_of_joint_training():
    # Joint training with loss='nll' (here top_k) logs the in-sample
    # log-likelihood and the held-out NLL of the standardised target: the
    # display drew the first alone. Held out, on the log-likelihood's scale:
    # -validation_loss - log(std(y)).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = 5 * np.where(X[:, 0] > 0, 2 * X[:, 1], -X[:, 1]) + 0.5 * rng.normal(size=120)
    moe = MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge(alpha=10.0))], top_k=1,
                                    training="gradient", max_epochs=5,
                                    random_state=0).fit(X, y)
    display = ConvergenceDisplay.from_estimator(moe)
    expected = -np.array([h["validation_loss"] for h in moe.history_]) - np.log(np.std(y))
    assert display.objective_name == "log_likelihood"
    assert_allclose(display.validation, expected, rtol=1e-12)
    labels = [t.get_text() for t in display.axes_[0].get_legend().get_texts()]
    assert labels == ["log likelihood", "validation log likelihood"]
    plt.close(display.figure_)
