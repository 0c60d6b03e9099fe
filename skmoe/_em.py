"""EM for a mixture of experts (Jordan & Jacobs, 1994), with honest likelihoods.

Latent variable: which expert generated each (x, y).

* E-step: responsibilities ``R[n, i] ∝ g_i(x_n) p_i(y_n | x_n)`` in log space.
* M-step: every expert is refitted with ``sample_weight = R[:, i]`` (times the
  user's weights), in parallel with joblib; the regression noise variances
  are the responsibility-weighted mean squared residuals (floored); the gate
  is fitted to ``R`` by cross-entropy, warm-started (plus the balance and
  z-loss penalty of :mod:`skmoe._routing` when asked for).
* Sparse routing (``top_k``): ``R`` is the renormalised top-k of the
  posterior (``top_k=1``: hard, "classification" EM); see :func:`e_step`.
  Collapsed experts are detected from their shares and re-initialised or
  dropped (:func:`_handle_collapse`). Cross-fitted top-k EM from the
  full-data fits gives way to its rival, the best expert alone for top-1,
  where that is better on the honest outputs (:func:`_rival_if_better`).
* Every expert keeps a small weight on every row when refitted (:func:`floored`),
  so an expert whose share collapsed is refitted on all rows, never on one.
* Regression likelihoods are computed on standardised targets (float64) and
  the gate is fitted in float64: rescaling y rescales the fit exactly.
* The run keeps its best iteration; cross-fitted EM stops after ``PATIENCE``
  iterations without an improvement of its (honest) log-likelihood by more
  than ``tol`` and ``NOISE_Z`` standard errors of the gain (paired over rows).
* Cross-fitted dense EM's final gate is blended with the experts' best
  constant blend by the task loss, the share chosen on the best iteration's
  honest outputs (:func:`_level2_share`; ``LEVEL2_SHARE``).
* Gate M-steps: from the uniform start (every expert's full-data fit) the
  first gate is the best constant blend of the experts' honest outputs
  (:func:`best_constant_blend`: EM on the mixing weights alone, no refit),
  set exactly (:meth:`MLPGate.fit_constant`, no optimisation);
  later M-steps are warm-started, and so is cross-fitted EM's final gate on
  all rows (from a fold's gate).

Honest likelihoods: with ``cv=K`` the experts' likelihoods in the E-step come
from K-fold cross-fitted predictions (each row is predicted by models that
did not see it), so an expert that interpolates its training data -- a
1-nearest-neighbour, an unpruned tree -- cannot claim every row.  The folds
are fixed for the whole run.  At the end each expert is refitted once on all
rows with its final responsibilities.  With ``cv=None`` the likelihoods are
in-sample: exact EM, right for low-capacity experts such as linear models.
With dense routing its log-likelihood never decreases: an expert's or the
gate's update is kept only if it does not lower its part of the expected
complete-data log-likelihood (the floor, the gate's L2 penalty and
early-stopped solvers optimise slightly different objectives). With
``top_k`` the responsibilities are the posterior's top k (hard EM for
``top_k=1``), not the posterior, so an iteration can lower it (and a later
one raise it again); EM still stops at the first iteration without an
improvement by ``tol`` and keeps the best one. Waiting longer (patience 2 to 5
on ``make_regimes``, 8 seeds, 3 experts) raised the training log-likelihood
but not the held-out accuracy (``top_k=2``: RMSE +0.1 % to +0.2 %; ``top_k=1``:
1 fit of 8 changed) at 1.2 to 6 times the fit time.
"""

import copy
import numbers
import time
import warnings

import numpy as np
import torch
from joblib import effective_n_jobs
from scipy.optimize import linear_sum_assignment
from scipy.special import logsumexp, softmax
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Bunch
from sklearn.utils.parallel import Parallel, delayed

from ._warnings import gathered_jobs
from ._candidates import (blend_prediction, choose_candidates, constant_blend_logits,
                          rival_check, rival_routing, routed_task_loss)
from ._data import kmeans_space, unequal_weights
from ._likelihood import (categorical_log_likelihood, floored_renormalised,
                          log_proba_at_labels, logsumexp_rows, mix_probabilities)
from ._problem import VARIANCE_FLOOR
from ._routing import (DENSE, ExpertCollapseWarning, gate_penalty, noisy_scores, route,
                       route_numpy, to_dense)

# K-means initialisation is fitted on at most this many rows.
KMEANS_MAX_ROWS = 10_000
# Every expert keeps a weight on every row when it is refitted: at least
# SHARE_FLOOR times its mean responsibility (twice fit_expert's pruning
# threshold, so no row is pruned), so an expert whose share collapsed onto one
# or two rows still gets all of them (LightGBM refuses to fit one row); and
# WEIGHT_FLOOR in cross-fitted EM started from the full-data fits, which keeps
# every expert close to its full-data fit (an expert refitted on "its" rows
# alone generalises worse: LightGBM on diamonds lost 10% RMSE that way).
SHARE_FLOOR = 2e-3
WEIGHT_FLOOR = 0.1
# Cross-fitted EM stops once its (honest) log-likelihood has not improved for
# this many iterations, and keeps the best iteration. An iteration improves
# when its gain over the best exceeds tol and NOISE_Z standard errors of that
# gain (paired over rows): a gain within the noise of a held-out likelihood
# on n rows is no evidence that EM is still going somewhere.
PATIENCE = 1
NOISE_Z = 1.0
# The uniform start's gate M-step sets the constant gate exactly instead of a
# cold fit (see MLPGate.fit_constant); the final gate of cross-fitted EM is
# warm-started from a fold's gate instead of fitted cold.
CONSTANT_GATE_START = True
FINAL_GATE_WARM = True
# From the uniform start, the first M-step's constant gate is the best
# constant blend of the (honest) outputs, found by EM on the mixing weights
# (and noise variances) alone, instead of uniform weights: outer EM moved the
# weights a few hundredths per iteration (13 iterations on wages_panel).
CONSTANT_BLEND_START = True
CONSTANT_BLEND_MAX_ITER = 500
CONSTANT_BLEND_TOL = 1e-10
# A top-k mixture by cross-fitted EM from the uniform start gives way to its
# rival (the best expert alone for top-1) where that beats it on the honest
# outputs of every row by one standard error (_rival_if_better).
TOPK_RIVAL = True
# Cross-fitted dense EM's final gate blended with the experts' best constant
# blend by the task loss (squared error of the mean, or log-loss), the share
# of each chosen on the best iteration's honest outputs (_level2_share), as the
# stacked gate blends its candidates: EM's responsibilities weigh the experts
# by their likelihood, not by the loss it is scored on. On 33 unseen
# regression tasks test RMSE -0.9 % on the mean task, none worse by 2 SE;
# ames -5.3 %, mcycle +2.1 % (benchmarks/results/em_levers_round6.md).
LEVEL2_SHARE = True
# Experts whose weights in an M-step (each column rescaled to mean one) differ
# by more than this on some row, and whose refits then predict the very same
# on every row, are taken to ignore their sample_weight (_weights_ignored).
IGNORED_WEIGHTS_GAP = 0.05


def initial_responsibilities(problem, init_params, rng, folds, parallel):
    """Starting responsibilities (n_samples, n_experts)."""
    n, M = len(problem.y), problem.n_experts
    if init_params == "auto":
        # Cross-fitted EM starts a heterogeneous pool from every expert's
        # full-data fit: on real data, regions matched to experts gave 5-25%
        # worse RMSE than the full-data start (benchmarks/bench_em.py).
        init_params = ("kmeans" if problem.homogeneous else
                       "matched" if folds is None else "uniform")
    if init_params == "uniform":
        return np.full((n, M), 1.0 / M)
    if init_params == "random":
        return rng.dirichlet(np.ones(M), size=n)
    labels = _kmeans_regions(problem, rng)
    if init_params == "matched":
        labels = _match_regions_to_experts(problem, labels, folds, parallel, rng)
    R = np.full((n, M), 0.1 / M)
    R[np.arange(n), labels] += 0.9
    return R / R.sum(axis=1, keepdims=True)


def _kmeans_regions(problem, rng):
    """Cluster the joint (x, y) space into one region per expert."""
    M, w = problem.n_experts, problem.sample_weight
    # The weights weigh the k-means fit (rows of zero weight never reach it:
    # the mixture leaves them out, rows_of_positive_weight).
    if problem.is_classifier:
        target = np.eye(problem.n_classes)[problem.y]
    else:
        target = problem.y_standardised[:, None]
    Z, _ = kmeans_space(problem.X, target, w)
    sample = rng.choice(len(Z), size=min(len(Z), KMEANS_MAX_ROWS), replace=False)
    kmeans = KMeans(n_clusters=min(M, len(np.unique(Z[sample], axis=0))), n_init=1,
                    random_state=rng.randint(2**31 - 1))
    positive = w[sample]
    kmeans.fit(Z[sample], sample_weight=None if np.all(positive == positive[0]) else positive)
    return kmeans.predict(Z)


def _region_score(problem, i, region_rows, folds, seed):
    """Honest mean log-likelihood of expert i fitted on one region only (the
    rows' mean under their sample weights, as the expert's fit weighs them)."""
    splits = ([(region_rows, region_rows)] if folds is None else
              [(np.intersect1d(train, region_rows), np.intersect1d(test, region_rows))
               for train, test in folds])
    scores, rows = [], []
    for train, test in splits:
        try:
            _, out = problem.fit_predict(i, train, test, problem.sample_weight, seed)
        except Exception:  # a region too small or too pure for this expert
            return -np.inf
        if problem.is_classifier:
            scores.append(categorical_log_likelihood(problem.y[test], out[:, None])[:, 0])
        else:
            scores.append(-((problem.y_standardised[test] - problem.standardise(out)) ** 2))
        rows.append(test)
    rows = np.concatenate(rows)
    if not len(rows):   # (an empty region: no score, as an expert that cannot fit it)
        return -np.inf
    mean = float(np.average(np.concatenate(scores), weights=problem.sample_weight[rows]))
    if problem.is_classifier:
        return mean
    # Gaussian log-likelihood at the maximum-likelihood variance.
    return -0.5 * np.log(max(-mean, VARIANCE_FLOOR))


def _match_regions_to_experts(problem, labels, folds, parallel, rng):
    """Give each k-means region to the expert that models it best (Hungarian).

    k-means finds the regions but not which expert suits which; a wrong pairing
    (a line on the curved region) is a local optimum EM rarely leaves. Each
    expert is cross-fitted on each region -- about the cost of one M-step --
    and the pairing with the best total honest likelihood is kept.
    """
    M = problem.n_experts
    regions = [np.flatnonzero(labels == j) for j in range(M)]
    seed = rng.randint(2**31 - 1)
    scores = gathered_jobs(parallel, [delayed(_region_score)(problem, i, regions[j], folds,
                                                             seed + i)
                                      for i in range(M) for j in range(M)])
    # Each region counts by its rows' total weight, not their number: a region
    # of 6 rows of weight 20 outweighs 30 rows of weight 1, as their
    # duplicates would (by their count the line went to the light region, and
    # EM stayed there: log-likelihood -2.03 per row against the duplicates' -0.45).
    sizes = np.array([problem.sample_weight[r].sum() for r in regions])
    # An empty region (k-means made fewer regions than experts: fewer distinct
    # rows than experts) weighs nothing for any expert: its score, -inf times
    # 0, was NaN, and numpy's "invalid value encountered in multiply" reached
    # the user from a fit that went well.
    scores, filled = np.array(scores).reshape(M, M), sizes > 0
    weighted = np.zeros((M, M))
    weighted[:, filled] = scores[:, filled] * sizes[filled]
    weighted = np.where(np.isfinite(weighted), weighted, -1e300)
    experts, region_of_expert = linear_sum_assignment(weighted, maximize=True)
    expert_of_region = np.empty(M, dtype=int)
    expert_of_region[region_of_expert] = experts
    return expert_of_region[labels]


def e_step(problem, logits, noise, log_lik, options, generator):
    """Responsibilities and the observed-data log-likelihood of every row.

    Dense (``top_k=None``): ``R ∝ g_i p_i``. Top-k: ``R`` is the renormalised
    top-k of the posterior ``g_i p_i`` (noisy gate, random routing and
    capacity in training), so ``top_k=1`` is hard, "classification" EM; the
    log-likelihood is that of the routed model used by ``predict``, whose
    prior is the gate's own renormalised top-k. ``logits`` and ``noise`` (or
    None) are the gate's on every row: in-sample or cross-fitted.

    Returns
    -------
    R : ndarray (n, M)
    per_sample : ndarray (n,)
    """
    if options.top_k is None:
        joint = logits - logsumexp(logits, axis=1, keepdims=True) + log_lik
        per_sample = logsumexp(joint, axis=1)
        return np.exp(joint - per_sample[:, None]), per_sample
    k = min(options.top_k, problem.n_experts)
    prior = route_numpy(logits, k)   # predict's routing: no capacity
    with np.errstate(divide="ignore"):
        per_sample = logsumexp(np.log(prior) + log_lik, axis=1)
    scores = torch.as_tensor(logits)
    if noise is not None:
        scores = noisy_scores(scores, torch.as_tensor(noise), generator)
    scores = torch.log_softmax(scores, dim=1) + torch.as_tensor(log_lik)
    routing = route(scores, k, training=True, random_routing=options.random_routing,
                    capacity_factor=options.capacity_factor, generator=generator)
    return to_dense(routing.weights, routing.indices, problem.n_experts).numpy(), per_sample


def scored_per_sample(problem, logits, outputs, options):
    """Each row's log-likelihood as ``log_likelihood_samples`` scores the
    mixture: a classifier's log of ``predict_proba`` at the label.

    EM's objective (``e_step``) floors each expert's probability of the label
    at ``PROBA_FLOOR``, a training device; reported as ``log_likelihood_`` it
    was too high wherever an expert gave the label less (breast cancer, two
    GaussianNB experts, exact EM: -0.1714018 against the mean log of
    ``predict_proba``, -0.1714106). ``predict_proba`` mixes the probabilities
    (a routed mixture's floored on every class and renormalised, as in
    ``MixtureOfExpertsClassifier._proba``). Regression's per-row figures
    have no such floor: None.
    """
    if not problem.is_classifier:
        return None
    M = problem.n_experts
    if options.top_k is None or options.top_k >= M:
        proba = mix_probabilities(np.exp(logits - logsumexp(logits, axis=1, keepdims=True)),
                                  outputs)
    else:
        proba = floored_renormalised(mix_probabilities(route_numpy(logits, options.top_k),
                                                       outputs))
    return log_proba_at_labels(proba, problem.y)


def _check_collapse(problem, R, low_counts, options):
    """Experts whose share stayed below the threshold for ``patience`` iterations."""
    if options.collapse_threshold is None:
        return []
    share = np.average(R, axis=0, weights=problem.sample_weight)
    low_counts[:] = np.where(share < options.collapse_threshold, low_counts + 1, 0)
    return list(np.flatnonzero(low_counts >= options.collapse_patience))


def _handle_collapse(collapsed, problem, gates, R, per_sample, low_counts, options,
                     collapse_warnings):
    """Re-initialise collapsed experts on the worst-fitted rows, or drop them;
    the :class:`ExpertCollapseWarning` that says so is added to
    ``collapse_warnings`` (a list), which :func:`fit_em` gives for the restart
    it keeps only.

    Re-initialising gives the expert the ``n / M`` rows the mixture explains
    worst (lowest log-likelihood). Dropping removes it from the pool and from
    the gate's outputs; the pool never shrinks below ``max(2, top_k)``.

    Returns ``(problem, R, keep, action)``; ``keep`` is None unless experts
    were dropped; ``action`` is the one taken ('warn' where a drop would leave
    too few experts).
    """
    names = [problem.names[i] for i in collapsed]
    action, why = options.collapse_action, ""
    least = max(2, options.top_k or 1)
    if action == "drop" and problem.n_experts - len(collapsed) < least:
        # (It said "action: warn" to a user who asked for 'drop', without why.)
        action = "warn"
        why = (f" (collapse_action='drop' would leave {problem.n_experts - len(collapsed)} "
               f"of the {problem.n_experts} experts; the pool never shrinks below {least})")
    collapse_warnings.append(
        f"Expert(s) {names} kept less than {options.collapse_threshold} of the "
        f"responsibility for {options.collapse_patience} EM iterations; action: "
        f"{action}{why}.")
    if action == "reinit":
        n, M = R.shape
        worst = np.argsort(per_sample, kind="stable")[: max(1, n // M)]
        R = R.copy()
        for j, i in enumerate(collapsed):
            rows = worst[j::len(collapsed)]
            R[rows] = 0.0
            R[rows, i] = 1.0
        low_counts[collapsed] = 0
        return problem, R, None, action
    if action == "drop":
        keep = [i for i in range(problem.n_experts) if i not in set(collapsed)]
        for gate in gates:
            gate.drop_experts(keep)
        return problem.subset(keep), R, keep, action
    low_counts[collapsed] = 0
    return problem, R, None, action


def _gain_standard_error(per_sample, before, weights):
    """Standard error of the weighted mean of ``per_sample - before`` (paired rows)."""
    diff = per_sample - before
    mean = np.average(diff, weights=weights)
    variance = np.average((diff - mean) ** 2, weights=weights)
    n_effective = weights.sum() ** 2 / np.sum(weights ** 2)
    return float(np.sqrt(variance / n_effective))


def floored(R, floor=0.0, sample_weight=None):
    """Weights to refit the experts with: R plus a floor on every row."""
    # The tiny absolute term refits an expert with no responsibility at all
    # (top-k routing) uniformly on every row. The mean share over the user's
    # weights: rows of zero weight, dropped in effect, moved the floor.
    share = (R.mean(axis=0) if unequal_weights(sample_weight) is None
             else np.average(R, axis=0, weights=sample_weight))
    return R + np.maximum(SHARE_FLOOR * share, max(floor, 1e-9))


def _expected_log_likelihood(problem, outputs, variances, weights):
    """Each expert's part of EM's objective, sum_n W[n, i] log p_i(y_n | x_n)."""
    return (weights * problem.log_likelihood(outputs, variances)).sum(axis=0)


def best_constant_blend(problem, outputs, variances):
    """Mixing weights (and noise variances) that maximise the likelihood of fixed outputs.

    EM over the weights of a mixture whose components are fixed: cheap (no
    expert is refitted) and monotone. Returns ``(proba, variances)``.

    It may run hundreds of iterations: each one is a few array operations
    on (n, M), with the squared residuals computed once and no scipy
    logsumexp (with it this was an eighth of EM's fit on wages_panel).
    """
    w = problem.sample_weight / problem.sample_weight.sum()
    residual2 = problem.squared_residuals(outputs)
    log_lik = problem.log_likelihood(outputs, variances, residual2)
    proba = np.full(problem.n_experts, 1.0 / problem.n_experts)
    before = -np.inf
    for _ in range(CONSTANT_BLEND_MAX_ITER):
        joint = np.log(np.maximum(proba, 1e-300)) + log_lik
        per_sample, exp, total = logsumexp_rows(joint)
        current = float(w @ per_sample)
        if current - before <= CONSTANT_BLEND_TOL:
            break
        before = current
        R = exp / total
        proba = w @ R
        if variances is not None:
            variances = problem.variances(outputs, R * w[:, None], residual2)
            log_lik = problem.log_likelihood(outputs, variances, residual2)
    # Every expert keeps a share, so the gate's logits stay finite.
    proba = np.maximum(proba, 1e-6)
    return proba / proba.sum(), variances


def _uniform_targets(R, gates, penalty):
    """Whether the gate's targets are one row repeated, with nothing else to fit."""
    return (penalty is None and all(getattr(g, "noise_module_", None) is None for g in gates)
            and bool(np.all(R == R[:1])) and bool(np.all(R[0] > 0)))


def _m_step(problem, gates, R, state, folds, parallel, seed, floor, penalty):
    """One M-step: experts, noise variances, gate(s). Returns the new state.

    With exact EM (``folds=None``) an expert or gate update is kept only if it
    does not lower its part of the expected complete-data log-likelihood
    (weights, the floor, the gate's L2 penalty optimise a slightly different
    objective), so the log-likelihood never decreases (generalised EM).
    Cross-fitted EM fits one gate per fold, and each row's gate logits come
    from the gate that did not see it: an in-sample gate memorises the
    responsibilities and its likelihood keeps rising with no gain on new rows.
    """
    w = problem.sample_weight
    W = R * w[:, None]
    fits = problem.cross_fit(floored(R, floor, w), folds, parallel, seed)
    outputs, models = problem.standardise(fits.outputs), fits.experts
    variances = problem.variances(outputs, W)
    X = problem.X
    warm = state.gate_fitted
    # Every row has the same responsibilities (the uniform start): the best
    # gate is that constant, set exactly with no optimisation (a cold L-BFGS
    # fit per fold before); later M-steps warm-start from it.
    constant = CONSTANT_GATE_START and not warm and _uniform_targets(R, gates, penalty)
    target = R[0]
    if constant and CONSTANT_BLEND_START:
        target, variances = best_constant_blend(problem, outputs, variances)
    if folds is not None:
        logits, noise = np.empty(R.shape), None
        for gate, (train, test) in zip(gates, folds):
            if constant:
                gate.fit_constant(target)
            else:
                gate.fit(X[train], R[train], w[train], warm_start=warm, penalty=penalty)
            logits[test], fold_noise = gate.logits_and_noise(X[test])
            if fold_noise is not None:
                noise = np.empty(R.shape) if noise is None else noise
                noise[test] = fold_noise
        return Bunch(outputs=outputs, models=models, variances=variances, gates=gates,
                     logits=logits, noise=noise, gate_fitted=True,
                     constant_target=target if constant else None)
    if state.outputs is not None:
        worse = (_expected_log_likelihood(problem, outputs, variances, W)
                 < _expected_log_likelihood(problem, state.outputs, state.variances, W))
        outputs[:, worse] = state.outputs[:, worse]
        if variances is not None:
            variances[worse] = state.variances[worse]
        models = [old if bad else new for old, new, bad in zip(state.models, models, worse)]
    gate = gates[0]
    previous = copy.deepcopy(gate) if penalty is None and warm else None
    if constant:
        gate.fit_constant(target)
    else:
        gate.fit(X, R, w, warm_start=warm, penalty=penalty)
    if previous is not None and (np.sum(W * gate.predict_log_proba(X))
                                 < np.sum(W * previous.predict_log_proba(X))):
        gate = previous
    logits, noise = gate.logits_and_noise(X)
    return Bunch(outputs=outputs, models=models, variances=variances, gates=[gate],
                 logits=logits, noise=noise, gate_fitted=True,
                 constant_target=target if constant else None)


def weights_ignored_message(names, R, outputs):
    """The warning where experts refitted on different weights (``R``'s columns)
    give identical ``outputs`` on every row, naming them; None where none do.

    An expert whose ``fit`` takes ``sample_weight`` and does not use it (a
    wrapper that drops it) is the same model for every responsibility: EM
    cannot make copies of it specialise, and the mixture of two such copies of
    LinearRegression on ``|x|`` scored R^2 0.0 without a word (the
    hierarchical mixture's leaves: 0.28). (An expert without
    ``sample_weight`` is fitted on a weighted resample, which differs.) The
    copies of an expert that reproduces its training rows whatever their
    weights (a DecisionTreeClassifier grown to pure leaves, predicting the
    rows it was fitted on, ``cv=None``) are told apart from those: their
    weights are used, but cannot change those predictions.
    """
    groups = {}
    for i in range(outputs.shape[1]):
        groups.setdefault(np.ascontiguousarray(outputs[:, i]).tobytes(), []).append(i)
    for same in groups.values():
        if len(same) < 2:
            continue
        weights = R[:, same] / np.maximum(R[:, same].mean(axis=0), np.finfo(float).tiny)
        if np.ptp(weights, axis=1).max() > IGNORED_WEIGHTS_GAP:
            return (
                f"Experts {[names[i] for i in same]} were refitted with different weights "
                "(their responsibilities) and predict the same on every row, as if their "
                "fit ignored sample_weight (one that takes it without using it; a rule; a "
                "model the weights cannot change, such as a tree grown to pure leaves, "
                "which gives its training rows their labels whatever their weights): EM "
                "cannot make them specialise, and they act as one model. Use experts whose "
                "fit uses sample_weight (one without the parameter is fitted on a weighted "
                "resample), and limit the size of those that reproduce their training rows.")
    return None


def warn_if_weights_ignored(names, R, outputs, stacklevel):
    """Warn as :func:`weights_ignored_message` says; whether it warned.
    ``stacklevel`` counts from the caller."""
    message = weights_ignored_message(names, R, outputs)
    if message is not None:
        warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)
    return message is not None


def _run_once(problem, gate, folds, max_iter, tol, init_params, rng, parallel, verbose,
              options=DENSE, restart=""):
    """One EM run: its best iteration (by log-likelihood) and what :func:`_finish`
    needs to refit its experts and gate on all rows, as a Bunch (``sort_key``:
    the log-likelihood restarts are compared by). ``restart``: the verbose
    lines' label of this run ('restart 2/3 ', or '' for n_init=1)."""
    seed = rng.randint(2**31 - 1)
    R = initial_responsibilities(problem, init_params, rng, folds, parallel)
    w = problem.sample_weight
    exact = folds is None
    uniform_start = not exact and np.ptp(R) == 0
    # From the full-data fits (a uniform start), cross-fitted EM keeps every
    # expert close to them; from matched regions, experts specialise fully.
    floor = WEIGHT_FLOOR if uniform_start else 0.0
    # The top-k rival (_rival_if_better) reads the full-data fits' honest
    # outputs (the uniform start's first M-step) and the best iteration's;
    # they are kept only where it can apply.
    check_rival = (TOPK_RIVAL and uniform_start and options.top_k is not None
                   and options.top_k < problem.n_experts)
    # Dense exact EM never decreases its log-likelihood: stop at the first small
    # step. Top-k EM can lower it and then raise it past its best; it stops at
    # the first step without a gain too and keeps its best iteration (waiting
    # longer was measured no better on held-out rows: module docstring).
    patience = 1 if exact else PATIENCE
    # (A top_k of every expert is the dense mixture too: it went without the
    # share, its predictions a little off top_k=None's, without a word.)
    level2 = (LEVEL2_SHARE and not exact
              and (options.top_k is None or options.top_k >= problem.n_experts))
    keep_outputs = check_rival or level2
    if options.noisy_gating:
        gate.add_noise()
    penalty = gate_penalty(options, seed)
    generator = torch.Generator().manual_seed(seed)
    low_counts = np.zeros(problem.n_experts, dtype=int)
    # The collapse warnings of this run, given by fit_em if it keeps the run:
    # every restart's were given (n_init=2: "Expert(s) ['expert3'] ...; action:
    # drop" of a restart not kept, whose model had expert3), and those of
    # parallel restarts (n_jobs > 1) in joblib's worker processes, out of reach
    # of the caller's warning filters and catch_warnings.
    collapse_warnings = []
    gates = [gate] if exact else [copy.deepcopy(gate) for _ in folds]
    state = Bunch(outputs=None, models=None, variances=None, gates=gates, gate_fitted=False)
    history, best, kept, since_best, converged = [], None, None, 0, False
    # (Given by fit_em, as the collapse warnings: a parallel restart's was
    # given in its worker process, out of reach of the caller's filters.)
    weights_ignored = None
    start_problem, start_outputs = problem, None
    from ._progress import progress_bar
    # (Named by its restart too: n_init bars of "EM" could not be told apart.)
    bar = progress_bar(max_iter, f"EM {restart}".strip(), enabled=verbose, unit="iter")
    for iteration in range(1, max_iter + 1):
        start = time.perf_counter()
        state = _m_step(problem, state.gates, R, state, folds, parallel, seed, floor,
                        penalty)
        if weights_ignored is None:
            weights_ignored = weights_ignored_message(problem.names, R, state.outputs)
        if iteration == 1 and check_rival:
            start_outputs = state.outputs
        log_lik = problem.log_likelihood(state.outputs, state.variances)
        R_used, (R, per_sample) = R, e_step(problem, state.logits, state.noise, log_lik,
                                             options, generator)
        log_likelihood = float(np.average(per_sample, weights=w))
        collapsed = _check_collapse(problem, R, low_counts, options)
        collapsed_names = [problem.names[i] for i in collapsed]
        action = None
        if collapsed:
            problem, R, keep, action = _handle_collapse(collapsed, problem, state.gates, R,
                                                        per_sample, low_counts, options,
                                                        collapse_warnings)
            if keep is not None:
                low_counts, R_used = low_counts[keep], R_used[:, keep]
                state.outputs = state.outputs[:, keep]
                state.logits = state.logits[:, keep]
                if state.noise is not None:
                    state.noise = state.noise[:, keep]
                if state.variances is not None:
                    state.variances = state.variances[keep]
                if state.models is not None:
                    state.models = [state.models[i] for i in keep]
                if state.constant_target is not None:
                    # (Its weights of the dropped experts were handed to the
                    # smaller gate at the end: a size mismatch in fit_constant.)
                    state.constant_target = state.constant_target[keep]
                R, per_sample = e_step(problem, state.logits, state.noise, log_lik[:, keep],
                                       options, generator)
                # The likelihood of the mixture without the dropped experts, the
                # one kept as this iteration's state: the one before the drop was
                # reported as log_likelihood_ of the smaller mixture (-2.35
                # against its -3.84 per row) and set the bar later iterations
                # had to beat.
                log_likelihood = float(np.average(per_sample, weights=w))
        shown, _ = problem.unstandardise(log_likelihood, None)
        history.append({
            "iteration": iteration,
            "log_likelihood": shown,
            "expert_share": np.average(R, axis=0, weights=w),
            # The experts the shares are of: fewer after collapse_action='drop'.
            "experts": list(problem.names),
            "seconds": time.perf_counter() - start,
            "collapsed": collapsed_names,
        })
        if verbose:
            shares = " ".join(f"{s:.2f}" for s in history[-1]["expert_share"])
            bar.set_postfix_str(f"log-likelihood {shown:+.5f}", refresh=False)
            bar.update()
            bar.write(f"[EM] {restart}iter {iteration:3d}  log-likelihood {shown:+.5f}  "
                      f"shares {shares}  ({history[-1]['seconds']:.2f}s)")  # above the bar
        if action in ("reinit", "drop"):
            # Re-initialised or dropped experts: a new start, which gets its
            # own PATIENCE to improve. Not after a mere warning, which changes
            # nothing: collapse_action='warn' (or a drop that would leave too
            # few experts) discarded the best iteration at every warning, so EM
            # ran to max_iter and kept its last one (cross-fitted EM: 30
            # iterations, not 2; predictions 5.2 apart).
            best = None
            if action == "drop":
                kept = None     # the dropped experts are gone, as asked
        improved = best is None or log_likelihood > best.log_likelihood + max(
            tol, 0.0 if exact else NOISE_Z * _gain_standard_error(per_sample,
                                                                    best.per_sample, w))
        if best is None or log_likelihood > best.log_likelihood:
            # The state to return if nothing better comes: the final experts
            # (and gate) are fitted to the responsibilities used here.
            best = Bunch(problem=problem, R_used=R_used, variances=state.variances,
                         constant_target=state.constant_target,
                         models=state.models, log_likelihood=log_likelihood,
                         per_sample=per_sample,
                         scored_per_sample=scored_per_sample(problem, state.logits,
                                                             state.outputs, options),
                         logits=state.logits if keep_outputs else None,
                         outputs=state.outputs if keep_outputs else None,
                         gate=copy.deepcopy(state.gates[0]) if exact else None)
        if kept is None or best.log_likelihood > kept.log_likelihood:
            # The iteration returned: the best by EM's log-likelihood (held-out
            # with cv) over the re-initialisations too, as fit_em picks among
            # restarts. Kept the last start's best before, however worse:
            # cross-fitted EM that re-initialised an expert at every iteration
            # returned -0.51 per row where its first iteration had -0.22.
            kept = best
        since_best = 0 if improved else since_best + 1
        if since_best >= patience:
            converged = True
            break
    bar.close()
    best = kept
    checked = check_rival and problem is best.problem is start_problem
    rival, rival_loss = (_rival_if_better(problem, best, start_outputs, folds, options,
                                          generator) if checked else (None, None))
    # The experts' full-data refits and the final gate fit are left to
    # _finish, done for the restart fit_em keeps only: every restart refitted
    # every expert on all rows, and n_init=3 fitted each three times for one
    # kept fit (the costliest fit of a run for an expert that scales worse
    # than linearly).
    kept_ll = rival.log_likelihood if rival is not None else best.log_likelihood
    # The experts kept are named, not their problem returned: a problem holds
    # X (the gate's view and the experts'), which every parallel restart sent
    # back to the parent whole (8.3 MB for one restart on a 5,000 x 100 X,
    # against 0.1 MB for the rest). _finish takes them from the caller's.
    names = list(best.problem.names)
    best = Bunch(**{key: value for key, value in best.items() if key != "problem"})
    return Bunch(names=names, best=best, rival=rival, checked=checked,
                 exact=exact, floor=floor, seed=seed, penalty=penalty, gate=gate,
                 level2_folds=folds if level2 else None,
                 first_gate=state.gates[0], gate_fitted=state.gate_fitted,
                 history=history, n_iter=iteration, converged=converged,
                 rival_loss=rival_loss, sort_key=kept_ll,
                 collapse_warnings=collapse_warnings, weights_ignored=weights_ignored)


def _finish(run, problem, parallel):
    """The kept restart's result: its experts refitted on all rows and its final
    gate (the rival's, where the rival beat EM's best iteration). ``problem``:
    the one the restarts were run on; the run's experts (``run.names``) are
    those of its best iteration, fewer where collapse_action='drop' dropped
    some."""
    if run.names != problem.names:
        problem = problem.subset([problem.names.index(name) for name in run.names])
    best, w = run.best, problem.sample_weight
    if run.rival is not None:
        rival = run.rival
        # Every expert fitted on all rows: the rival's experts.
        experts = problem.refit(np.ones((len(w), problem.n_experts)), parallel, run.seed)
        gate = run.first_gate
        gate.fit_constant(rival.proba)
        log_likelihood, variances = problem.unstandardise(rival.log_likelihood,
                                                          rival.variances)
        return Bunch(experts=experts, names=list(problem.names), gate=gate,
                     variances=variances, history=run.history, n_iter=run.n_iter,
                     converged=run.converged, log_likelihood=log_likelihood,
                     per_sample=rival.scored_per_sample,
                     responsibilities=rival.responsibilities, rival=True,
                     rival_loss=run.rival_loss)
    if run.exact:
        experts, gate = best.models, best.gate
    else:
        experts = problem.refit(floored(best.R_used, run.floor, w), parallel, run.seed)
        if best.constant_target is not None:
            # The best iteration was the constant start: its gate is the
            # constant blend, not a fit to the (uniform) responsibilities
            # its experts were fitted with.
            gate = run.first_gate
            gate.fit_constant(best.constant_target)
        elif FINAL_GATE_WARM and run.gate_fitted:
            # From a fold's gate (fitted on half the rows to nearly the same
            # targets): a warm M-step instead of a cold fit, the costliest
            # gate fit of the run.
            gate = run.first_gate
            gate.fit(problem.X, best.R_used, w, warm_start=True, penalty=run.penalty)
        else:
            gate = run.gate
            gate.fit(problem.X, best.R_used, w, penalty=run.penalty)
        if run.level2_folds is not None:
            gate = _with_level2_share(problem, gate, best, run.level2_folds)
    log_likelihood, variances = problem.unstandardise(best.log_likelihood, best.variances)
    return Bunch(experts=experts, names=list(problem.names), gate=gate,
                 variances=variances, history=run.history, n_iter=run.n_iter,
                 converged=run.converged, log_likelihood=log_likelihood,
                 per_sample=best.scored_per_sample, responsibilities=best.R_used,
                 rival=False if run.checked else None, rival_loss=run.rival_loss)


def _level2_share(problem, outputs, logits, folds):
    """Constant-blend logits and the share of EM's gate, chosen on honest outputs.

    EM's gate is fitted to responsibilities, which weigh the experts by their
    likelihood (one noise scale per expert), not by the loss the mixture is
    scored on. The experts' best constant blend by the task loss (squared
    error of the standardised mean; log-loss) is the other candidate, as in
    the stacked gate (:func:`~skmoe._candidates.choose_candidates`, which
    keeps the constant at least ``CONSTANT_FLOOR``): both are scored on the
    best iteration's cross-fitted outputs -- EM's gate by its held-out logits,
    the constant blend fitted on one fold's rows and applied to the other's.

    Returns ``(constant_logits, gate_share)``; the constant's logits are
    fitted on all rows.
    """
    regression = not problem.is_classifier
    w = problem.sample_weight
    if regression:
        y, blend_out, proba = problem.y_standardised, outputs, None
    else:
        y, proba = problem.y, outputs
        blend_out = categorical_log_likelihood(y, outputs)
    target = y if regression else None
    constant = np.empty(len(y)) if regression else np.empty((len(y), outputs.shape[2]))
    for train, test in folds:
        fold_logits = constant_blend_logits(blend_out[train],
                                            None if target is None else target[train],
                                            w[train], regression)
        constant[test] = blend_prediction(fold_logits[None, :], blend_out[test],
                                          None if regression else proba[test], regression)
    gate = blend_prediction(logits, blend_out, proba, regression)
    shares = choose_candidates({"constant": constant, "gate": gate}, y, w, regression)
    return constant_blend_logits(blend_out, target, w, regression), shares.get("gate", 0.0)


def _with_level2_share(problem, gate, best, folds):
    """EM's final gate blended with the experts' constant blend (:func:`_level2_share`)."""
    from ._blend import ConstantLogits, MixedLogits   # (_blend imports this module's kin)
    logits, share = _level2_share(problem, best.outputs, best.logits, folds)
    if share >= 1.0:
        return gate
    if best.constant_target is not None or share <= 0.0:
        # EM's gate is the constant start's: the blend of two constants is
        # one, set exactly, so the gate stays a constant one (its M - 1 free
        # weights in n_free_parameters, not a network's). So is the constant
        # blend alone (no share of EM's gate: its logits non-finite, or the
        # share below float64's range), which MixedLogits cannot weigh by 0.
        target = (0.0 if best.constant_target is None else
                  best.constant_target / best.constant_target.sum())
        gate.fit_constant(share * target + (1.0 - share) * softmax(logits))
        return gate
    constant = ConstantLogits(logits).to(gate._dtype())
    return gate.use_module(MixedLogits(gate.module_, constant, share))


def _rival_if_better(problem, best, start_outputs, folds, options, generator):
    """The top-k mixture's rival, if it beats EM's best iteration; else None.

    The rival is what a user would deploy instead
    (:func:`~skmoe._candidates.rival_routing`: the best expert alone for
    top-1), on the full-data fits' honest outputs (the uniform start's),
    chosen on each cross-fitting fold's other rows so that its losses are
    honest too (as EM's gate logits are). EM's best iteration is scored on
    its own honest outputs and held-out gate logits, with the routed
    prediction ``predict`` makes; the rival wins if it is better by more
    than one standard error of the paired per-row difference. Measured
    before: top-1 EM scored 0.98 log-loss on ``mroz``, far behind the best
    expert alone (0.61).

    Returns ``(rival, report)``: a Bunch (``proba``: the constant gate's
    weights, ``variances``, ``log_likelihood`` and ``responsibilities`` of
    the routed rival) or None, and the losses that decided
    (:func:`~skmoe._candidates.rival_check`: ``rival_loss_``).
    """
    regression = not problem.is_classifier
    y = problem.y_standardised if regression else problem.y
    w = problem.sample_weight
    k = options.top_k
    picked = start_outputs if regression else categorical_log_likelihood(y, start_outputs)
    rival_loss = np.empty(len(y))
    for train, test in folds:
        fold_proba = rival_routing(picked[train], y[train], w[train], regression, k)
        rival_loss[test] = routed_task_loss(np.log(fold_proba), start_outputs[test], y[test],
                                            k, regression)
    em_loss = routed_task_loss(best.logits, best.outputs, y, k, regression)
    wins, report = rival_check(em_loss, rival_loss, w)
    if not wins:
        return None, report
    proba = rival_routing(picked, y, w, regression, k)
    constant = np.tile(np.log(proba), (len(y), 1))
    routed = route_numpy(constant, k)
    variances = problem.variances(start_outputs, routed * w[:, None])
    log_lik = problem.log_likelihood(start_outputs, variances)
    R, per_sample = e_step(problem, constant, None, log_lik, options, generator)
    return Bunch(proba=proba, variances=variances, responsibilities=R, per_sample=per_sample,
                 scored_per_sample=scored_per_sample(problem, constant, start_outputs, options),
                 log_likelihood=float(np.average(per_sample, weights=w))), report


def _start(problem, gate_template, cv, rng):
    """A restart's folds and initialised gate, drawn from its generator ``rng``.

    Done in the caller, one restart after another, even when the restarts
    then run in parallel: the gate's initial weights come from torch's global
    generator (seeded in a block), which restarts in threads would share.
    """
    seed = rng.randint(2**31 - 1)
    folds = problem.folds(cv, seed)
    # A float64 gate: rounding in its fits would otherwise compound over
    # EM's iterations (float32 vs float64 X gave different mixtures).
    gate = clone(gate_template).init(problem.X, problem.n_experts, seed, dtype=torch.float64,
                                     sample_weight=problem.sample_weight)
    return gate, folds


def _sequential_run(problem, gate, folds, max_iter, tol, init_params, rng, verbose, routing,
                    restart=""):
    """:func:`_run_once` with sequential M-steps (inside a parallel restart).

    The sequential backend by name: in a dask task the nested backend is
    dask's, where even ``n_jobs=1`` sends each fit (and X) to the scheduler.
    """
    with Parallel(n_jobs=1, backend="sequential") as parallel:
        return _run_once(problem, gate, folds, max_iter, tol, init_params, rng, parallel,
                         verbose, routing, restart)


def _same_run(a, b):
    """Whether two EM restarts (:func:`_run_once`) had the same log-likelihood
    at every iteration and kept the same one."""
    return (a.sort_key == b.sort_key and len(a.history) == len(b.history)
            and all(x["log_likelihood"] == y["log_likelihood"]
                    for x, y in zip(a.history, b.history)))


def fit_em(problem, gate_template, *, cv, max_iter, tol, n_init, init_params,
           n_jobs, random_state, verbose=0, routing=DENSE):
    """Run EM ``n_init`` times and keep the run with the best log-likelihood.

    The first restart is the run of ``n_init=1``; every other draws from a
    generator of its own (seeded from ``random_state``), so the restarts give
    the same runs whether they run one after another or, with ``n_jobs``
    above one, in parallel (each with sequential M-steps: the restarts are the coarser,
    independent work).

    Returns
    -------
    result : Bunch
        ``experts`` (fitted on all rows), ``names`` (the experts kept),
        ``gate``, ``variances`` (regression), ``history``, ``n_iter``,
        ``converged``, ``log_likelihood`` (EM's objective, mean per row: in
        y's units for regression, an expert's probability floored for
        classification) and ``per_sample`` (classification: each row's
        log-likelihood without the floor, :func:`scored_per_sample`; None
        for regression).
    """
    if cv is not None and not isinstance(cv, numbers.Integral) and not hasattr(cv, "split"):
        # An iterable of splits (a generator) is read once and shared by the
        # restarts, as check_cv does: the second restart found it used up
        # ("gave no splits (an iterator used up by an earlier fit?)"). One
        # that is used up already stays as it was, for the error to name it.
        cv = list(cv) or cv
    rng = random_state
    # The first restart is the run of n_init=1 (its generator's state before any
    # other draw), so that more restarts never keep a worse run than one: each
    # restart had a generator of its own, and n_init=3 kept a lower
    # log-likelihood than n_init=1 on the same data and random_state.
    rngs = [rng if n_init == 1 else copy.deepcopy(rng)]
    rngs += [np.random.RandomState(rng.randint(2**31 - 1)) for _ in range(n_init - 1)]
    starts = [_start(problem, gate_template, cv, r) for r in rngs]
    settings = (max_iter, tol, init_params)
    jobs = effective_n_jobs(n_jobs)
    parallel_restarts = n_init > 1 and jobs > 1
    # The verbose lines of n_init > 1 name their restart (interleaved ones,
    # run in parallel, could not be told apart); n_init=1's are unchanged.
    labels = [f"restart {i + 1}/{n_init} " if n_init > 1 else "" for i in range(n_init)]
    if parallel_restarts:
        # (gathered_jobs: the runs' expert warnings were given in their processes,
        # once per fit, and not once per fit of the mixture.)
        results = gathered_jobs(
            Parallel(n_jobs=min(n_init, jobs)),
            [delayed(_sequential_run)(problem, gate, folds, *settings, r, verbose, routing,
                                      label)
             for (gate, folds), r, label in zip(starts, rngs, labels)])
    else:
        with Parallel(n_jobs=n_jobs) as parallel:
            results = [_run_once(problem, gate, folds, *settings, r, parallel, verbose,
                                 routing, label)
                       for (gate, folds), r, label in zip(starts, rngs, labels)]
    if n_init > 1 and all(_same_run(result, results[0]) for result in results[1:]):
        # (Restarts that cannot differ ran n_init times for the fit of one,
        # without a word: a linear gate from init_params='uniform' with cv=None.)
        warnings.warn(
            f"n_init={n_init} had no effect: its {n_init} EM restarts gave the same "
            "log-likelihood at every iteration. A restart differs from the first only "
            "by the folds an int cv shuffles, a 'kmeans', 'matched' or 'random' start "
            "and its gate's initial weights, and none of them changed this fit; "
            "n_init=1 gives it in 1/n_init of the time.", UserWarning, stacklevel=6)
    kept = None
    for result in results:  # the first of equal log-likelihoods, as before
        if kept is None or result.sort_key > kept.sort_key:
            kept = result
    for message in kept.collapse_warnings:   # of the run whose model is returned
        warnings.warn(message, ExpertCollapseWarning)
    # Once, where any restart found it (its experts are every restart's).
    ignored = next((r.weights_ignored for r in results if r.weights_ignored), None)
    if ignored is not None:
        warnings.warn(ignored, UserWarning, stacklevel=6)   # (as n_init's, above)
    # After parallel restarts, the kept one finishes here one expert after
    # another, as each restart's finish ran on its worker: a parallel refit
    # sent X to the workers (a dask cluster's) a second time.
    with (Parallel(n_jobs=1, backend="sequential") if parallel_restarts
          else Parallel(n_jobs=n_jobs)) as parallel:
        best = _finish(kept, problem, parallel)
    # (Not where the rival's constant routing replaced EM's gate and experts:
    # the advice to iterate longer was for a fit that predict never uses.)
    if not best.converged and not best.get("rival", False):
        warnings.warn(
            f"EM did not converge in max_iter={max_iter} iterations (log-likelihood "
            f"still improving by more than tol={tol}"
            f"{'' if cv is None else ' and its standard error'}). Increase max_iter "
            f"or tol.",
            ConvergenceWarning)
    return best
