"""EM over a tree of gates: the trainer of the hierarchical mixtures (``_hme.py``).

* E-step: the leaves' log-likelihoods go up the tree, the posterior of each
  branch comes down: ``h_leaf ∝ prior(path) p_leaf(y|x)`` in log space, and a
  node's posterior is the sum over the leaves below it.
* M-step: each leaf is refitted with its joint posterior as ``sample_weight``
  (the regression noise variance is the posterior-weighted mean squared
  residual, floored); each gate is fitted to the posterior of its branches
  given its node, weighted by the node's posterior.

Every M-step update is kept only if it does not lower its term of the
expected complete-data log-likelihood (the previous model stays otherwise),
so the exact log-likelihood in ``history_`` never decreases. Likelihoods are
in-sample (exact EM): right for linear-capacity leaves. With early stopping,
EM runs on part of the rows and the tree of the iteration with the best
log-likelihood on the others (held out) is kept.
"""

import copy
import math
import numbers
import time

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.utils import Bunch
from sklearn.utils.parallel import delayed

from ._base import fit_expert
from ._em import warn_if_weights_ignored
from ._data import (check_target_scale, kmeans_space, mean_and_scale, read_only_view,
                    standardisation, unequal_weights)
from ._likelihood import (categorical_log_likelihood, check_not_diverging,
                          classification_outputs, gaussian_log_likelihood, log_proba_at_labels,
                          mix_probabilities, noise_variances, regression_outputs)
from ._warnings import gathered_jobs

# Leaf noise variances are floored at this fraction of var(y) (plus a tiny
# absolute term for constant targets) so that no leaf's variance collapses.
VARIANCE_FLOOR = 1e-6
# EM maximises the likelihood; the default gates' L2 penalty is only there to
# keep their weights finite when branches separate, so it is tiny (with
# MLPGate's 1e-4 the gates stay too soft to draw a sharp regime boundary).
DEFAULT_GATE_ALPHA = 1e-6


def check_branching(branching):
    """``branching`` as a tuple of ints >= 2 (an int is a one-level tree)."""
    if isinstance(branching, numbers.Integral):
        branching = (branching,)
    try:
        branching = tuple(branching)
    except TypeError:
        branching = None
    if (not branching or not all(isinstance(b, numbers.Integral) and not isinstance(b, bool)
                                 and b >= 2 for b in branching)):
        raise ValueError("branching must be an int >= 2 or a non-empty tuple of ints "
                         f">= 2 (children per node at each level), got {branching!r}.")
    return tuple(int(b) for b in branching)


def check_leaves_fit_rows(branching, n_rows, who, n_left_out=0):
    """The number of leaves of ``branching`` (already checked), at most ``n_rows``.

    A tree with more leaves than training rows leaves some leaf without a row
    of its own; ``branching=(10**6,)`` on 80 rows cloned and fitted a million
    experts for every EM iteration (it ran for hours), and a product of large
    levels (``(10**6, 10**6)``) built arrays of a leaf per entry. Counted in
    Python integers, so no product overflows.
    """
    n_leaves = math.prod(branching)
    if n_leaves > n_rows:
        # (n_samples=: scikit-learn's check_fit2d_1sample looks for it.)
        left_out = (f" of positive sample_weight; the {n_left_out} rows of zero weight "
                    "are left out" if n_left_out else "")
        raise ValueError(
            f"{who}: branching={branching!r} has {n_leaves} leaves, more than its "
            f"training rows (n_samples={n_rows}{left_out}); every leaf is an expert "
            "fitted on the rows routed to it. Use a smaller branching (at most one leaf "
            "per row, far fewer in practice).")
    return n_leaves


class Tree:
    """Index arithmetic of a complete tree stored level by level, row-major.

    Node ``k`` at depth ``d`` has children ``k * b[d] + c``; so the leaves
    below a node are contiguous and a node's posterior is a reshape and a
    sum over the leaf axis.
    """

    def __init__(self, branching):
        self.branching = branching
        self.depth = len(branching)
        self.n_nodes = [int(np.prod(branching[:d])) for d in range(self.depth + 1)]
        self.n_leaves = self.n_nodes[-1]
        # ancestors[d][j]: the node at depth d above leaf j (d = 1..depth).
        self.ancestors = [np.arange(self.n_leaves) // (self.n_leaves // n)
                          for n in self.n_nodes]

    def leaf_log_prior(self, log_conditionals):
        """log prod_path g from each level's (n, n_nodes[d]) log g(node | parent)."""
        return sum(lc[:, self.ancestors[d + 1]] for d, lc in enumerate(log_conditionals))

    def node_log_posterior(self, log_h_leaf, d):
        """(n, n_nodes[d]): log of the summed posterior of the leaves below."""
        n = len(log_h_leaf)
        return logsumexp(log_h_leaf.reshape(n, self.n_nodes[d], -1), axis=2)


def _nested_order(centres, branching):
    """Order regions so that each consecutive block of leaves is compact in X.

    The regions are sorted along their first principal direction and cut
    into ``branching[0]`` equal blocks, recursively. Padding rows (fewer
    regions than leaves) go last.
    """
    n_leaves = int(np.prod(branching))
    index = np.arange(len(centres))

    def split(rows, levels):
        # A gate view without columns (a gate_transformer that keeps none)
        # has no direction to sort along: its SVD was empty, an IndexError.
        if not levels or len(rows) <= 1 or centres.shape[1] == 0:
            return list(rows)
        pts = centres[rows] - centres[rows].mean(axis=0)
        direction = np.linalg.svd(pts, full_matrices=False)[2][0]
        rows = rows[np.argsort(pts @ direction, kind="stable")]
        per_block = int(np.prod(levels[1:]))
        out = []
        for block in range(levels[0]):
            out += split(rows[block * per_block:(block + 1) * per_block], levels[1:])
        return out

    order = np.array(split(index, list(branching)), dtype=int)
    return np.concatenate([order, np.setdiff1d(np.arange(n_leaves), order)])[:n_leaves]


def _gate_objective(gate, X, targets, weight):
    """A gate's term of the expected complete-data log-likelihood."""
    return float(np.sum(weight * np.sum(targets * gate.predict_log_proba(X), axis=1)))


def m_step_gate(gate, X, targets, weight, warm, scaling=None):
    """Fit one gate; after the first iteration keep it only if Q does not drop.

    ``scaling``: the gates' input scaling (of the user's weights), for the
    cold first fit; ``weight`` is a posterior times those weights, which must
    weigh the gate's loss but not its view of X.
    """
    # MLPGate normalises by the weight total: a dead branch must not divide by 0.
    fit_weight = weight + 1e-12 * (weight.sum() + 1.0)
    if not warm:
        return (gate.fit(X, targets, fit_weight) if scaling is None
                else gate.fit(X, targets, fit_weight, scaling=scaling))
    before = _gate_objective(gate, X, targets, weight)
    previous = copy.deepcopy(gate)
    gate.fit(X, targets, fit_weight, warm_start=True)
    return gate if _gate_objective(gate, X, targets, weight) >= before else previous


class TreeProblem:
    """What EM needs to know: the tree, the leaves and the data.

    ``y`` is encoded as 0..C-1 for classification (``n_classes`` set). ``X``
    is the gates' numeric view; ``expert_X`` the X the leaves get (the
    user's, untouched; ``X`` when None).
    """

    def __init__(self, tree, names, templates, X, y, sample_weight, n_classes=None,
                 expert_X=None):
        self.tree, self.names, self.templates = tree, names, templates
        # y and the weights read-only: every leaf is fitted on this y (one
        # that centred it in place changed what the others learnt).
        self.X, self.y = X, read_only_view(y)
        self.sample_weight = read_only_view(sample_weight)
        self.expert_X = X if expert_X is None else expert_X
        self.n_classes = n_classes
        y_var = 0.0
        if not n_classes:
            # (Kept for the M-steps' check of diverging leaves.)
            # Weighted by the user's weights, as the leaves' fits weigh the rows
            # (unweighted, the variance floor counted a row of weight 3 once).
            self.y_mean, self.y_scale = mean_and_scale(y, sample_weight)
            check_target_scale(self.y_scale)
            y_var = (float(np.var(y)) if unequal_weights(sample_weight) is None
                     else float(np.average((y - self.y_mean) ** 2, weights=sample_weight)))
        # The tiny term shrinks with a target of variance below one: a fixed 1e-12
        # outweighed every leaf's noise variance for y of order 1e-6 (flat
        # posteriors: other predictions than for y * 1e6). 1e-12 for constant y.
        self.variance_floor = (VARIANCE_FLOOR * y_var + 1e-12 * min(y_var, 1.0)
                               if y_var > 0 else 1e-12)


def log_conditionals(gates, X):
    """Per level, (n, n_nodes) log g(node | parent), nodes in row-major order."""
    return [np.hstack([gate.predict_log_proba(X) for gate in level]) for level in gates]


def _centre(Z, w):
    """Mean row of ``Z``, weighted by ``w`` unless None (``Z`` may have no columns)."""
    return Z.mean(axis=0) if w is None else w @ Z / w.sum()


def initial_log_posterior(tree, X, y, n_classes, init_params, rng, sample_weight=None):
    """Starting leaf posteriors (log): one k-means region of (x, y) per leaf.

    ``sample_weight`` weighs the k-means fit and the regions' centres, so that
    a row of weight 2 draws the regions as two copies of it would.
    """
    n = len(y)
    if init_params == "random":
        return np.log(rng.dirichlet(np.ones(tree.n_leaves), size=n))
    if n_classes:
        target = np.eye(n_classes)[y]
    else:
        y_mean, y_scale = mean_and_scale(y, sample_weight)   # (weighted, as k-means is)
        target = ((y - y_mean) / y_scale)[:, None]
    Z, varying = kmeans_space(X, target, sample_weight)
    # One k-means region per leaf; then regions close in X become siblings,
    # so that every gate starts on a split it can draw.
    k = min(tree.n_leaves, len(np.unique(Z, axis=0)))
    # Weighted, as the flat mixture's k-means start is (_em._kmeans_regions):
    # unweighted, a region of ten rows of weight 10 drew the centres as ten
    # rows, not as their hundred copies.
    w = sample_weight
    if w is not None and np.all(w == w[0]):
        w = None      # (equal weights: the unweighted fit, bit for bit)
    labels = KMeans(k, n_init=1, random_state=rng.randint(2**31 - 1)).fit(
        Z, sample_weight=w).labels_
    centres = np.array([_centre(Z[labels == r, :X.shape[1]],
                                None if w is None else w[labels == r]) for r in range(k)])
    if not np.all(varying):
        # The regions are ordered along their centres' first principal
        # direction, whose sign is LAPACK's choice: with a column of ones
        # appended (a zero in the direction) it came out negated, and every
        # region went to the leaf at the other end. The constant columns are
        # left out, so that the same regions get the same leaves.
        centres = centres[:, varying]
    order = _nested_order(centres, tree.branching)
    leaf_of_region = np.empty(k, dtype=int)
    leaf_of_region[order[:k]] = np.arange(k)
    labels = leaf_of_region[labels]
    R = np.full((n, tree.n_leaves), 0.1 / tree.n_leaves)
    R[np.arange(n), labels] += 0.9
    return np.log(R / R.sum(axis=1, keepdims=True))


def leaf_outputs(names, experts, X, n_classes):
    """Every leaf's prediction (n, L), or class probabilities (n, L, C)."""
    if n_classes:
        return classification_outputs(names, experts, X, n_classes)
    return regression_outputs(names, experts, X)


def leaf_log_likelihood(y, outputs, variances):
    """log p_leaf(y | x), (n, L); ``variances`` is None for classification."""
    if variances is None:
        return categorical_log_likelihood(y, outputs)
    return gaussian_log_likelihood(y, outputs, variances)


def m_step_leaves(problem, W, seed, parallel, old):
    """Refit every leaf on its posterior; keep an old leaf whose Q would drop."""
    names, X, y, n_classes = problem.names, problem.expert_X, problem.y, problem.n_classes
    fit_W, few = W, np.count_nonzero(W > 0, axis=0) < 2
    if few.any():
        # A leaf whose posterior underflowed to exactly zero on all rows but one
        # (a few rows, a sharp fit) was fitted on that row alone: LightGBM refused
        # "1 sample(s)". A tiny weight on every row (all of positive
        # sample_weight: the mixture leaves the others out).
        fit_W = W.copy()
        fit_W[:, few] += 1e-12 * (W[:, few].max(axis=0) + 1e-12)
    # (gathered_jobs: with n_jobs, each leaf's warnings came from its process, once per fit.)
    experts = gathered_jobs(parallel, [delayed(fit_expert)(
        name, clone(template), X, y, fit_W[:, j], seed + j, classes_needed=bool(n_classes),
        n_classes=n_classes or None, sample_weight=problem.sample_weight)  # pruning by R alone
        for j, (name, template) in enumerate(zip(names, problem.templates))])
    outputs = leaf_outputs(names, experts, X, n_classes)
    if not n_classes:
        check_not_diverging((outputs - problem.y_mean) / problem.y_scale, names)
    variances = (None if n_classes else
                 noise_variances(y, outputs, W, problem.variance_floor))
    if old is None:
        return experts, outputs, variances
    old_experts, old_outputs = old
    old_variances = (None if n_classes else
                     noise_variances(y, old_outputs, W, problem.variance_floor))
    q_new = (W * leaf_log_likelihood(y, outputs, variances)).sum(axis=0)
    q_old = (W * leaf_log_likelihood(y, old_outputs, old_variances)).sum(axis=0)
    keep_old = q_new < q_old
    for j in np.flatnonzero(keep_old):
        experts[j] = old_experts[j]
        outputs[:, j] = old_outputs[:, j]
        if variances is not None:
            variances[j] = old_variances[j]
    return experts, outputs, variances


def tree_log_likelihood_samples(tree, gates, X_gate, outputs, y, n_classes, variances):
    """log p(y | x) per row of a tree with these gates (on their view ``X_gate``)
    and these leaf ``outputs``.

    For the classifier the log of its class probability at the label, as the
    flat mixture's: each leaf's floor at ``PROBA_FLOOR`` is for EM only (it
    capped the cost of a leaf that rules the label out, and scored a label
    every leaf rules out at log(1e-6), not at the log of its probability 0).
    """
    return _log_likelihood_given_prior(tree.leaf_log_prior(log_conditionals(gates, X_gate)),
                                       outputs, y, n_classes, variances)


def _log_likelihood_given_prior(log_weights, outputs, y, n_classes, variances):
    """:func:`tree_log_likelihood_samples` from the leaves' log prior weights."""
    if n_classes:
        return log_proba_at_labels(mix_probabilities(np.exp(log_weights), outputs), y)
    return logsumexp(log_weights + leaf_log_likelihood(y, outputs, variances), axis=1)


def held_out_log_likelihood_samples(problem, validation, experts, gates, variances):
    """log p(y | x) of the tree on each held-out row of ``validation``."""
    outputs = leaf_outputs(problem.names, experts, validation.expert_X, problem.n_classes)
    return tree_log_likelihood_samples(problem.tree, gates, validation.X, outputs,
                                       validation.y, problem.n_classes, variances)


def _scored(problem, log_prior, outputs):
    """A classifier tree's log of its class probability at each label, as
    ``predict_proba`` gives it (no leaf floor: EM's ``per_sample`` floors each
    leaf at ``PROBA_FLOOR``), from the iteration's leaf outputs; None for
    regression, whose ``per_sample`` has no floor."""
    if not problem.n_classes:
        return None
    return _log_likelihood_given_prior(log_prior, outputs, problem.y, problem.n_classes, None)


def run_em(problem, gate_template, *, max_iter, tol, init_params, rng, parallel, verbose,
           validation=None, n_iter_no_change=None):
    """One EM run over the whole tree from one start; returns a Bunch.

    With ``validation`` (a Bunch of held-out ``X``, ``expert_X``, ``y``,
    ``sample_weight``), the held-out log-likelihood is scored after every
    iteration, EM stops once ``n_iter_no_change`` iterations in a row did not
    beat the best by more than ``tol``, and the tree of the best iteration is
    returned (``best_iteration``); ``n_iter`` counts the iterations run.
    ``score`` ranks restarts: the log-likelihood, or the held-out one (NaN
    as -inf).
    """
    tree, X, y, w = problem.tree, problem.X, problem.y, problem.sample_weight
    seed = rng.randint(2**31 - 1)
    # Every gate's input scaling, weighted by the user's weights (a row of
    # weight 3 as its three copies; unweighted, rows of weight 1e-9 far out
    # set it) and not by the posteriors its fits are weighted with (equal
    # weights: the unweighted scaling, bit for bit).
    scaling = standardisation(np.asarray(X, dtype=np.float64), w)
    # float64 gates, as the flat mixture's EM gate: in float32 a row's gate
    # weights depended on the other rows predicted with it (the matrix
    # product's blocking; predict_proba in two chunks differed from one call
    # by 7e-8, and rounding compounded over the EM iterations).
    gates = [[clone(gate_template).init(X, b, seed + 7919 * d + node, scaling=scaling,
                                        dtype=torch.float64)
              for node in range(tree.n_nodes[d])] for d, b in enumerate(tree.branching)]
    log_h = initial_log_posterior(tree, X, y, problem.n_classes, init_params, rng, w)
    history, previous, converged, old = [], -np.inf, False, None
    best, no_change = None, 0
    warned_same = False
    for iteration in range(1, max_iter + 1):
        start = time.perf_counter()
        warm = iteration > 1
        W = np.exp(log_h) * w[:, None]
        experts, outputs, variances = m_step_leaves(problem, W, seed, parallel, old)
        if not warned_same:   # (leaves whose fit drops their weights: once per run)
            warned_same = warn_if_weights_ignored(problem.names, W, outputs, stacklevel=4)
        for d, b in enumerate(tree.branching):
            parent = tree.node_log_posterior(log_h, d)
            child = tree.node_log_posterior(log_h, d + 1).reshape(len(y), -1, b)
            # Branch posterior given the parent: well defined even where the
            # parent's own posterior underflows (its weight is then ~0).
            targets = np.exp(child - logsumexp(child, axis=2, keepdims=True))
            gates[d] = [m_step_gate(gate, X, targets[:, node], w * np.exp(parent[:, node]),
                                     warm, scaling) for node, gate in enumerate(gates[d])]
        log_prior = tree.leaf_log_prior(log_conditionals(gates, X))
        log_joint = log_prior + leaf_log_likelihood(y, outputs, variances)
        per_sample = logsumexp(log_joint, axis=1)
        log_h = log_joint - per_sample[:, None]
        log_likelihood = float(np.average(per_sample, weights=w))
        old = (experts, outputs)
        history.append({"iteration": iteration, "log_likelihood": log_likelihood,
                        "leaf_share": np.average(np.exp(log_h), axis=0, weights=w),
                        "seconds": time.perf_counter() - start})
        if verbose:
            print(f"[HME] iter {iteration:3d}  log-likelihood {log_likelihood:+.6f}")
        stop = abs(log_likelihood - previous) < tol
        previous = log_likelihood
        if validation is None:
            if stop:
                converged = True
                break
            continue
        held_out_samples = held_out_log_likelihood_samples(problem, validation, experts,
                                                           gates, variances)
        # (The log-likelihood the fitted tree reports, log_likelihood_samples.)
        held_out = float(np.average(held_out_samples, weights=validation.sample_weight))
        history[-1]["validation_log_likelihood"] = held_out
        if verbose:
            print(f"[HME]           held-out log-likelihood {held_out:+.6f}")
        # (A NaN score, a leaf that extrapolates to inf, is no gain.)
        score = -np.inf if np.isnan(held_out) else held_out
        # As MLPClassifier's early stopping: a gain of at most tol is no gain,
        # but the best iteration is the best, however small its lead.
        no_change = 0 if best is None or score > best.score + tol else no_change + 1
        if best is None or score > best.score:
            # The gates are refitted in place (warm start) in later iterations:
            # copied; the leaves are fitted anew (an old leaf is kept as it is)
            # and the variances a new array each iteration.
            best = Bunch(experts=list(experts), gates=copy.deepcopy(gates),
                         variances=variances, iteration=iteration, per_sample=per_sample,
                         scored_per_sample=_scored(problem, log_prior, outputs),
                         log_likelihood=log_likelihood, held_out=held_out,
                         held_out_samples=held_out_samples, score=score)
        if stop or no_change >= n_iter_no_change:
            converged = True
            break
    if validation is None:
        return Bunch(experts=experts, gates=gates, variances=variances, history=history,
                     n_iter=iteration, converged=converged, log_likelihood=log_likelihood,
                     per_sample=per_sample, best_iteration=iteration,
                     scored_per_sample=_scored(problem, log_prior, outputs),
                     validation_log_likelihood=None, validation_samples=None,
                     score=log_likelihood)
    return Bunch(experts=best.experts, gates=best.gates, variances=best.variances,
                 history=history, n_iter=iteration, converged=converged,
                 log_likelihood=best.log_likelihood, per_sample=best.per_sample,
                 scored_per_sample=best.scored_per_sample,
                 best_iteration=best.iteration, validation_log_likelihood=best.held_out,
                 validation_samples=best.held_out_samples, score=best.score)
