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


def _bodyweight_like():
    # nlme::BodyWeight's shape: weight over time, two diets
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(1, 64, 80), rng.integers(1, 3, 80)])
    return X, 250 + 2 * X[:, 0] * X[:, 1] + rng.normal(size=80)


@pytest.mark.parametrize("option", [{"validation_fraction": 0.3}, {"n_iter_no_change": 2}])
def test_hme_early_stopping_options_without_early_stopping_warn(option):
    # A parameter sweep of HierarchicalMixtureRegressor(Ridge()) on BodyWeight:
    # validation_fraction=0.3 and n_iter_no_change=1 with the default
    # early_stopping=False gave the default's predictions to the last bit,
    # without a word, where the mixtures' options read only when another is
    # on (balance_loss, collapse_patience, n_iter_no_change) warn.
    from skmoe import HierarchicalMixtureRegressor
    X, y = _bodyweight_like()
    default = HierarchicalMixtureRegressor(Ridge(), max_iter=5, random_state=0).fit(X, y)
    model = HierarchicalMixtureRegressor(Ridge(), max_iter=5, random_state=0, **option)
    (name, value), = option.items()
    with pytest.warns(UserWarning, match=rf"^{name}={value} has no effect with "
                      r"early_stopping=False; it is only used with early_stopping on\.$"):
        model.fit(X, y)
    assert_array_equal(model.predict(X), default.predict(X))   # unread, as it says
    # read with early stopping on ('auto' too): no such warning there
    import warnings
    for early_stopping in (True, "auto"):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*has no effect", category=UserWarning)
            HierarchicalMixtureRegressor(Ridge(), max_iter=5, random_state=0,
                                         early_stopping=early_stopping, **option).fit(X, y)


def test_mmoe_validation_fraction_without_early_stopping_warns():
    # MultiGateMixtureOfExperts(validation_fraction=0.3) with the default
    # early_stopping=False: the same network as the default's, silently.
    # (n_iter_no_change is read without early stopping: on the training loss.)
    import warnings
    from skmoe import MultiGateMixtureOfExperts
    X, y = _bodyweight_like()
    Y = np.column_stack([y, X[:, 0]])
    kw = dict(n_experts=2, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (3 epochs: a ConvergenceWarning)
        default = MultiGateMixtureOfExperts(**kw).fit(X, Y)
    with pytest.warns(UserWarning, match=r"^validation_fraction=0\.3 has no effect with "
                      r"early_stopping=False"):
        model = MultiGateMixtureOfExperts(validation_fraction=0.3, **kw).fit(X, Y)
    assert_array_equal(model.predict(X), default.predict(X))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*has no effect", category=UserWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")
        MultiGateMixtureOfExperts(validation_fraction=0.3, early_stopping=True,
                                  **kw).fit(X, Y)
        MultiGateMixtureOfExperts(n_iter_no_change=2, **kw).fit(X, Y)
