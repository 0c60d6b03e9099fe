"""Defects found by the configuration sweep, round 12
(benchmarks/bench_sweep_configs_unseen_round12.py)."""
import pickle

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.linear_model import LogisticRegression, Ridge

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

lightgbm = pytest.importorskip("lightgbm")


def _frame_with_spaces():
    # nlme::Phenobarb's ApgarInd ('< 5', '>= 5') one-hot encoded by a
    # pandas-output ColumnTransformer: column names with spaces
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"apgar_< 5": rng.integers(0, 2, 60).astype(float),
                      "birth weight": rng.normal(size=60)})
    return X, 2 * X["birth weight"].to_numpy() + X["apgar_< 5"].to_numpy()


@pytest.mark.parametrize("refit_experts", ["auto", False, 0.5])
def test_averaged_fold_fits_of_lightgbm_predict_the_frame_they_were_fitted_on(refit_experts):
    # The regressor deploys each expert as its fold fits averaged by default.
    # LightGBM keeps the column names with '_' for ' ', the average checked X's
    # names against that copy, and predict refused the very frame of fit:
    # "Expert 'gbm' (CrossFitAverage) failed in predict: The feature names
    # should match those that were passed during fit."
    X, y = _frame_with_spaces()
    model = MixtureOfExpertsRegressor(
        [("linear", Ridge()),
         ("gbm", lightgbm.LGBMRegressor(n_estimators=10, min_child_samples=5, verbose=-1,
                                        random_state=0))],
        refit_experts=refit_experts, random_state=0).fit(X, y)
    pred = model.predict(X)
    assert np.all(np.isfinite(pred))
    assert list(model.named_experts_["gbm"].feature_names_in_) == list(X.columns)
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), pred)
    # other names are still refused, by the mixture's own check
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(X.rename(columns={"birth weight": "weight"}))


def test_averaged_fold_fits_of_lightgbm_classifier_predict_the_frame_of_fit():
    X, y = _frame_with_spaces()
    labels = np.where(y > np.median(y), "high", "low")
    model = MixtureOfExpertsClassifier(
        [("linear", LogisticRegression()),
         ("gbm", lightgbm.LGBMClassifier(n_estimators=10, min_child_samples=5, verbose=-1,
                                         random_state=0))],
        refit_experts=False, random_state=0).fit(X, labels)
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    assert set(model.predict(X)) <= {"high", "low"}
