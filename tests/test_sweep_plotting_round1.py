"""skmoe.plotting displays with awkward inputs."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsRegressor
from skmoe.plotting import (ConvergenceDisplay, ExpertUsageDisplay, GateDisplay,
                            GateRegionDisplay)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Short fits are the point here; their ConvergenceWarning is expected.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

EXPERTS = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _data(n_features, n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    return X, 2.0 * X[:, 0] + (X[:, 0] > 0) + 0.1 * rng.normal(size=n)


def test_gate_region_display_of_a_one_feature_model_says_it_needs_two():
    # The default features=(0, 1) failed with "feature index 1 out of range
    # for 1 features", blaming an index the user never passed.
    X, y = _data(1)
    moe = MixtureOfExpertsRegressor(EXPERTS, max_epochs=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"two features.*fitted on 1 feature.*GateDisplay"):
        GateRegionDisplay.from_estimator(moe, X, grid_resolution=5)
    # The one-feature displays still draw it, the grid checked against predict_gate.
    display = GateDisplay.from_estimator(moe, X, grid_resolution=5)
    np.testing.assert_allclose(display.gate_weights[3],
                               moe.predict_gate(display.grid[3:4, None])[0])


@pytest.mark.parametrize("display", ["gate", "region", "usage", "convergence"])
def test_gate_displays_of_an_ensemble_say_it_has_no_gate(display):
    # The message named the ensemble only ("Expected a fitted mixture of
    # experts (with predict_gate), got EnsembleRegressor") without saying why
    # an ensemble, built of the same experts, has nothing to draw.
    X, y = _data(2)
    ensemble = EnsembleRegressor(EXPERTS).fit(X, y)
    draw = {"gate": lambda: GateDisplay.from_estimator(ensemble, X),
            "region": lambda: GateRegionDisplay.from_estimator(ensemble, X),
            "usage": lambda: ExpertUsageDisplay.from_estimator(ensemble, X),
            "convergence": lambda: ConvergenceDisplay.from_estimator(ensemble)}[display]
    with pytest.raises(TypeError, match=r"got EnsembleRegressor\. An ensemble .*weights_.*"
                                        r"no gate.*MixtureOfExpertsRegressor"):
        draw()


def test_classifier_ensemble_is_pointed_to_the_classifier_mixture():
    X, y = _data(2)
    ensemble = EnsembleClassifier([("logit", LogisticRegression()),
                                   ("tree", DecisionTreeClassifier(max_depth=2))]).fit(
        X, (y > 0).astype(int))
    with pytest.raises(TypeError, match=r"no gate.*MixtureOfExpertsClassifier"):
        GateDisplay.from_estimator(ensemble, X)
    # Unfitted too: the hint comes before the fitted check.
    with pytest.raises(TypeError, match=r"no gate.*MixtureOfExpertsClassifier"):
        GateDisplay.from_estimator(EnsembleClassifier(ensemble.experts), X)
