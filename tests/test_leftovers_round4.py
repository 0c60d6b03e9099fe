"""Leftovers of earlier sessions, round 4a: data and trainers."""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, ExpertCollapseWarning, MixtureOfExpertsRegressor


def _line(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, 2 * X[:, 0] + 0.3 * rng.normal(size=n)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_em_reinit_keeps_the_best_iteration_of_the_whole_run():
    # The dummy's share collapses at every iteration; each re-initialisation
    # made EM drop its best iteration so far and keep the last start's best:
    # -0.51 per row where the first iteration had -0.22.
    X, y = _line()
    experts = [("ridge", Ridge()), ("dummy", DummyRegressor()),
               ("tree", DecisionTreeRegressor(max_depth=2))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MixtureOfExpertsRegressor(
            experts, training="em", cv=3, max_iter=30, collapse_threshold=0.1,
            collapse_patience=1, collapse_action="reinit", random_state=0).fit(X, y)
    assert any(issubclass(w.category, ExpertCollapseWarning) for w in caught)
    history = [h["log_likelihood"] for h in model.history_]
    assert any(h["collapsed"] for h in model.history_)
    assert model.log_likelihood_ == pytest.approx(max(history), abs=1e-9)


class _KeepsItsX(RegressorMixin, BaseEstimator):
    """Ridge that keeps the frame of its fit, as its own (``self.X_ = X``)."""

    def fit(self, X, y, sample_weight=None):
        self.X_ = X
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _frame(n=40):
    X, y = _line(n)
    return pd.DataFrame(X, columns=["a", "b"]), y


@pytest.mark.parametrize("protocol", [4, 5])
def test_an_experts_kept_frame_is_writeable_after_a_pickle(protocol):
    # The frame each expert gets shares the caller's memory behind a
    # read-only buffer; pickled with protocol 5 (as joblib's workers send
    # their fits back with n_jobs=2, or by the user) it came back read-only,
    # with nothing left to tell pandas to copy it first: "assignment
    # destination is read-only", where with n_jobs=1 the write worked.
    X, y = _frame()
    given = X.copy()
    model = EnsembleRegressor([("keeps", _KeepsItsX()), ("ridge", Ridge())]).fit(X, y)
    for fitted in (model, pickle.loads(pickle.dumps(model, protocol=protocol))):
        kept = fitted.experts_[0].X_
        kept.iloc[0, 0] = 1e6
        kept.loc[1, "b"] = -1e6
        kept["a"] *= 2
        assert kept.iloc[0, 0] == 2e6 and kept.loc[1, "b"] == -1e6
        np.testing.assert_allclose(fitted.predict(X), model.predict(X))
    pd.testing.assert_frame_equal(X, given)
    # A model loaded from a pickle refits, and its expert's new frame is its own.
    loaded = pickle.loads(pickle.dumps(model, protocol=protocol)).fit(X, y)
    loaded.experts_[0].X_.iloc[0, 0] = 1e6
    pd.testing.assert_frame_equal(X, given)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("name", ["TorchMLPRegressor", "TorchMLPClassifier"])
def test_torch_mlp_warns_of_validation_fraction_without_early_stopping(name):
    # validation_fraction was read only with early stopping, and ignored
    # without a word otherwise (HME's and MMoE's warn).
    from skmoe import experts
    X, y = _line(30)
    y = y if name.endswith("Regressor") else y > 0
    make = getattr(experts, name)
    with pytest.warns(UserWarning, match=r"validation_fraction=0\.3 has no effect with "
                                         r"early_stopping=False"):
        make((4,), early_stopping=False, validation_fraction=0.3, max_epochs=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make((4,), early_stopping=False, max_epochs=2).fit(X, y)
        make((4,), validation_fraction=0.3, max_epochs=2).fit(X, y)


def test_an_experts_warning_from_both_of_fit_experts_calls_is_given_once():
    # A warning that points at the caller of the expert's fit came from two
    # lines of fit_expert (equal weights, other weights) and was given twice:
    # "in 3 of its 7 fits" and "in 4 of its 7 fits".
    from skmoe.experts import TorchMLPRegressor
    X, y = _line(60)
    mlp = TorchMLPRegressor((4,), early_stopping=False, validation_fraction=0.3, max_epochs=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MixtureOfExpertsRegressor([("mlp", mlp), ("ridge", Ridge())], training="em",
                                  cv=3, max_iter=3, random_state=0).fit(X, y)
    given = [str(w.message) for w in caught if "validation_fraction" in str(w.message)]
    assert len(given) == 1, given
    # Every fit gave it (the folds at each iteration, and the refit).
    assert re.search(r"in (\d+) of its \1 fits; shown once", given[0]), given[0]


def _weighted_groups(n_positive_groups=4):
    # One large group of zero weight beside small groups of positive weight.
    groups = np.r_[np.zeros(100), np.repeat(np.arange(1, n_positive_groups + 1), 10)]
    rng = np.random.RandomState(0)
    X = rng.normal(size=(len(groups), 2))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + 0.1 * rng.normal(size=len(groups))
    return X, y, (groups > 0).astype(float), groups.astype(int)


@pytest.mark.parametrize("model", ["stacked", "greedy"])
def test_a_group_splitter_splits_the_rows_of_positive_weight(model):
    # GroupKFold(3) was given every row: the group of zero weight made a fold
    # of its own, which the trainers dropped, and the fit ran on 2 folds,
    # silently (predictions 0.60 away from the fit on the kept rows).
    from sklearn.model_selection import GroupKFold
    X, y, weight, groups = _weighted_groups()
    kept = weight > 0
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]

    def make():
        return (MixtureOfExpertsRegressor(experts, cv=GroupKFold(3), random_state=0)
                if model == "stacked" else
                EnsembleRegressor(experts, weights="greedy", cv=GroupKFold(3)))

    weighted = make().fit(X, y, sample_weight=weight, groups=groups)
    on_kept = make().fit(X[kept], y[kept], groups=groups[kept])
    np.testing.assert_allclose(weighted.predict(X), on_kept.predict(X), atol=1e-12)


def test_a_group_splitter_asking_more_folds_than_weighted_groups_says_why():
    from sklearn.model_selection import GroupKFold
    X, y, weight, groups = _weighted_groups(2)
    with pytest.raises(ValueError, match=r"greater than the number of groups: 2.*splits the "
                                         r"20 rows of positive sample_weight"):
        EnsembleRegressor([("ridge", Ridge()), ("dummy", DummyRegressor())], weights="greedy",
                          cv=GroupKFold(3)).fit(X, y, sample_weight=weight, groups=groups)


@pytest.mark.parametrize("n_distinct, n_copies", [(3, 1), (2, 6)])
def test_em_matched_start_with_more_experts_than_distinct_rows_warns_nothing(n_distinct,
                                                                            n_copies):
    # More experts than rows (3 rows), or than distinct rows (12 rows, 2
    # distinct): k-means made fewer regions than experts, an empty region
    # scored -inf times 0 = NaN, and numpy's "invalid value encountered in
    # multiply" reached the user from a fit that went well.
    rng = np.random.RandomState(0)
    X = np.repeat(rng.normal(size=(n_distinct, 2)), n_copies, axis=0)
    y = X[:, 0] + 1.0
    experts = [("ridge", Ridge()), ("ols", Ridge(alpha=1e-6)),
               ("tree", DecisionTreeRegressor(max_depth=2)), ("dummy", DummyRegressor())]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MixtureOfExpertsRegressor(experts, training="em", cv=None,
                                          random_state=0).fit(X, y)
    assert not [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert np.all(np.isfinite(model.predict(X)))
