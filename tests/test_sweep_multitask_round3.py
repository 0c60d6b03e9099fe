"""Multi-task models sweep, round 3 (MultiGateMixtureOfExperts, its PLE
architecture, and HeterogeneousMultiGateMixtureOfExperts): what a user of
several targets meets around fitting, refitting and reading the results."""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import PoissonRegressor, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.multioutput import MultiOutputRegressor, RegressorChain
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts


def _tasks(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    Y = np.column_stack([X[:, 0] + 0.1 * rng.randn(n), X[:, 1] > 0,
                         np.digitize(X[:, 2], [-0.5, 0.5])]).astype(float)
    return X, Y


@pytest.mark.parametrize("architecture", ["mmoe", "ple"])
def test_a_fit_refused_as_diverged_leaves_the_model_unfitted(architecture):
    # n_iter_, which marks the model fitted, was set before the check of the
    # kept network's loss: a fit that raised "diverged" left a model whose
    # predict gave the diverged network's outputs (-115.3 for a target of
    # mean 0), without a word.
    X, Y = _tasks()
    model = MultiGateMixtureOfExperts(["regression", "binary", "multiclass"],
                                      architecture=architecture, n_experts=2,
                                      learning_rate=10.0, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="MultiGateMixtureOfExperts diverged"):
            model.fit(X, Y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(NotFittedError):
        model.predict(X)


@pytest.mark.parametrize("wrap", [MultiOutputRegressor,
                                  lambda e: RegressorChain(e, random_state=0),
                                  lambda e: make_pipeline(StandardScaler(with_mean=False,
                                                                         with_std=False),
                                                          MultiOutputRegressor(e)),
                                  lambda e: GridSearchCV(MultiOutputRegressor(e),
                                                         {"estimator__alpha": [3.0]}, cv=2)],
                         ids=["MultiOutputRegressor", "RegressorChain", "pipeline", "search"])
@pytest.mark.parametrize("shape", ["1-D", "one column"])
def test_hetero_one_regression_task_takes_a_multi_output_only_expert(wrap, shape):
    # One regression task is one encoded column, which the experts get as a
    # 1-D y: MultiOutputRegressor (the docstring's
    # MultiOutputRegressor(LGBMRegressor()) expert) failed with scikit-learn's
    # "y must have at least two dimensions for multi-output regression", even
    # for a y of shape (n, 1), and RegressorChain with "tuple index out of range".
    X, Y = _tasks(40)
    y = Y[:, 0] if shape == "1-D" else Y[:, :1]

    def fitted(expert):
        return HeterogeneousMultiGateMixtureOfExperts(
            [("ridge", Ridge()), ("other", expert)], max_iter=5, random_state=0).fit(X, y)

    # (Seeds set: unset ones are drawn from random_state, one per parameter.)
    model = fitted(wrap(Ridge(alpha=3.0, random_state=0)))
    # The same numbers as the wrapped Ridge in its place.
    np.testing.assert_allclose(model.predict(X),
                               fitted(Ridge(alpha=3.0, random_state=0)).predict(X),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("expert", [PoissonRegressor(),
                                    HistGradientBoostingRegressor(loss="poisson", max_iter=5)],
                         ids=["PoissonRegressor", "HistGradientBoosting-poisson"])
def test_hetero_expert_of_non_negative_targets_is_told_the_task_is_standardised(expert):
    # Counts, no value below 0: the expert failed with scikit-learn's "Some
    # value(s) of y are out of the valid range of the loss 'HalfPoissonLoss'"
    # (HistGradientBoosting's "requires non-negative y"), naming a y the user never
    # gave: the standardised task, which the single-task mixtures do not make.
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    y = rng.poisson(3, 30).astype(float)
    model = HeterogeneousMultiGateMixtureOfExperts([("ridge", Ridge()), ("counts", expert)],
                                                   max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=r"Expert 'counts' .*failed to fit: .*\(the experts "
                                         r"are fitted on the encoded targets, in which each "
                                         r"regression task is standardised to mean 0.*"
                                         r"'counts' needs non-negative targets"):
        model.fit(X, y)


def test_hetero_no_standardisation_hint_where_y_itself_is_negative():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    y = rng.poisson(3, 30) - 1.0
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("counts", PoissonRegressor())], max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="out of the valid range") as info:
        model.fit(X, y)
    assert "standardised" not in str(info.value)


@pytest.mark.parametrize("one_d", [True, False], ids=["1-D y", "two columns"])
def test_compare_takes_a_string_of_tasks_beside_the_same_tasks_as_a_list(one_d):
    # tasks='binary' is 'binary' for every column: beside ['binary'] (1-D y)
    # or ['binary', 'binary'], compare refused them as "declare different
    # tasks (['binary', ['binary', 'binary']])".
    from skmoe import compare
    from skmoe._compare import _declared_tasks
    X, Y = _tasks(40)
    y = Y[:, 1].astype(int)
    y = y if one_d else np.column_stack([y, 1 - y])
    listed = ["binary"] if one_d else ["binary", "binary"]
    models = {"string": MultiGateMixtureOfExperts("binary", max_iter=2, random_state=0),
              "list": MultiGateMixtureOfExperts(listed, max_iter=2, random_state=0)}
    assert _declared_tasks(list(models.values())) == listed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(models, X, y, cv=2)
    # The models are the same: so are their scores, each the multi-task score.
    np.testing.assert_array_equal(result.scores["string"]["score"],
                                  result.scores["list"]["score"])


def test_compare_still_refuses_tasks_that_differ():
    from skmoe._compare import _declared_tasks
    with pytest.raises(ValueError, match="declare different tasks"):
        _declared_tasks([MultiGateMixtureOfExperts("binary"),
                         MultiGateMixtureOfExperts(["binary", "regression"])])
    with pytest.raises(ValueError, match="declare different tasks"):
        _declared_tasks([MultiGateMixtureOfExperts("binary"),
                         MultiGateMixtureOfExperts("multiclass")])
