"""Wrong-numbers sweep, round 22: weights and invariances -- integer sample
weights against repeated rows, weights times a constant, relabelled classes
and rescaled targets, each against an independent computation.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skmoe import MixtureOfExpertsRegressor


def _weighted_and_repeated(m=60):
    """Rows of weight 1 and 3, the same rows repeated, and folds that keep a
    row's copies together.

    The second half of the rows has the first half's X and a permutation of
    its y: X's and y's unweighted means and scales (the gate's input scaling,
    y's standardisation) are then those of the repeated rows, and only the
    weights tell the two fits apart.
    """
    rng = np.random.RandomState(0)
    X_half = rng.normal(size=(m, 2))
    y_half = X_half[:, 0] + np.abs(X_half[:, 1]) + 0.3 * rng.normal(size=m)
    X, y = np.vstack([X_half, X_half]), np.r_[y_half, y_half[rng.permutation(m)]]
    weight = np.r_[np.ones(m, dtype=int), np.full(m, 3)]
    rows = np.repeat(np.arange(2 * m), weight)
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    repeated_folds = [(np.flatnonzero(np.isin(rows, train)), np.flatnonzero(np.isin(rows, test)))
                      for train, test in folds]
    return X, y, weight, rows, folds, repeated_folds


def _linear_experts():
    return [("line", LinearRegression()),
            ("abs", make_pipeline(FunctionTransformer(np.abs), LinearRegression()))]


def test_joint_training_weights_the_start_of_the_noise_scales():
    # The joint trainer's learned noise scales started from each fixed
    # expert's mean squared residual over the rows, unweighted: integer
    # weights fitted another mixture than their repeated rows (predictions
    # 0.024 apart on a target of sd 1.3, noise variances 1.325 against
    # 1.349). Full batches on every row: nothing else is drawn.
    X, y, weight, rows, folds, repeated_folds = _weighted_and_repeated()
    settings = dict(top_k=2, validation_fraction=0, batch_size=1000, max_epochs=15,
                    random_state=0)
    weighted = MixtureOfExpertsRegressor(_linear_experts(), cv=folds, **settings).fit(
        X, y, sample_weight=weight)
    repeated = MixtureOfExpertsRegressor(_linear_experts(), cv=repeated_folds,
                                         **settings).fit(X[rows], y[rows])
    # (1e-6: the gate trains in float32, summing 120 rows or 240.)
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=1e-6)
    assert_allclose(weighted.noise_variance_, repeated.noise_variance_, rtol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # (one epoch)
def test_stacked_gate_weights_the_start_of_the_noise_scales(monkeypatch):
    # (As above, for the stacked gate with loss='nll': its gates' noise scales
    # started at the unweighted mean squared residuals, up to 0.15 apart in
    # log variance from those of the repeated rows. Its gates train on folds of
    # the rows drawn by position, so the starts are compared, not the fits.)
    from skmoe import _blend
    starts = []

    def recording_adam(params, **kwargs):
        starts.append(params[1]["params"][0].detach()[0].cpu().numpy().copy())
        return Adam(params, **kwargs)

    Adam = _blend.Adam
    monkeypatch.setattr(_blend, "Adam", recording_adam)
    X, y, weight, rows, folds, repeated_folds = _weighted_and_repeated()
    settings = dict(loss="nll", max_epochs=1, random_state=0)
    MixtureOfExpertsRegressor(_linear_experts(), cv=folds, **settings).fit(
        X, y, sample_weight=weight)
    MixtureOfExpertsRegressor(_linear_experts(), cv=repeated_folds, **settings).fit(
        X[rows], y[rows])
    assert_allclose(starts[0], starts[1], rtol=0, atol=1e-6)


# ---------------------------------------------------------------- guards
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # (max_iter=4)
@pytest.mark.parametrize("classifier", [False, True])
def test_guard_cross_fitted_em_fits_integer_weights_as_repeated_rows(classifier):
    # EM's M-steps (the experts' weighted refits, the noise scales, the
    # gate's cross-entropy) and its reported figures weigh a row of weight 3
    # as its three copies: on the rows above, with the copies in one fold,
    # the same model. (Unpenalised experts: the weights reach them rescaled
    # to mean one, which a penalty such as LogisticRegression's C would see.)
    from sklearn.linear_model import LogisticRegression

    from skmoe import MixtureOfExpertsClassifier
    X, y, weight, rows, folds, repeated_folds = _weighted_and_repeated()
    if classifier:
        y = np.digitize(y, [0.5, 1.5])
        logit = LogisticRegression(C=1e6, tol=1e-12, max_iter=10_000)
        experts = [("logit", logit),
                   ("abs", make_pipeline(FunctionTransformer(np.abs), logit))]
        make = MixtureOfExpertsClassifier
    else:
        experts, make = _linear_experts(), MixtureOfExpertsRegressor
    settings = dict(training="em", init_params="uniform", max_iter=4, random_state=0)
    weighted = make(experts, cv=folds, **settings).fit(X, y, sample_weight=weight)
    repeated = make(experts, cv=repeated_folds, **settings).fit(X[rows], y[rows])
    predict = "predict_proba" if classifier else "predict"
    assert_allclose(getattr(weighted, predict)(X), getattr(repeated, predict)(X),
                    rtol=0, atol=1e-7)
    assert weighted.log_likelihood_ == pytest.approx(repeated.log_likelihood_, abs=1e-8)
    if classifier:
        assert weighted.class_prior_[0] == pytest.approx(repeated.class_prior_[0], rel=1e-12)
        assert_allclose(weighted.class_prior_[1], repeated.class_prior_[1], rtol=1e-12)
    else:
        assert_allclose(weighted.noise_variance_, repeated.noise_variance_, rtol=1e-8)
