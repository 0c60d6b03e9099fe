"""The gradient trainer's gate over out-of-fold predictions ("stacked gate").

A constant blend -- one weight per expert, the same on every row, as in
Caruana's ensemble selection or a convex stacking -- is the special case of a
gate with no input dependence. This module makes the gate start from the
best constant blend and leave it only where held-out rows say that an
input-dependent choice is better, so the mixture is never worse than the
constant blend out of fold:

1. The experts' out-of-fold predictions (``cv`` folds) are computed once.
   The experts that predict are either refitted on all rows (as in
   stacking) or, by default for regression, each expert's fold fits
   averaged: the very models whose predictions the gate learned from,
   bagged (``refit_experts``; see ``benchmarks/results/refit_experts.md``).
2. :func:`constant_blend_logits` fits the best constant convex weights on the
   out-of-fold predictions (softmax over one logit per expert).
3. The gate sees X *and* what the experts say (:class:`GateInputs`: their
   standardised predictions and spread, or log-probabilities and
   disagreement), so it can learn "trust LightGBM unless k-NN disagrees".
4. One gate per fold of the out-of-fold rows, each starting exactly at the
   constant blend of its training rows (zero output weights, the constant
   logits as bias) and keeping its best epoch (the last that beat its best
   by more than ``tol``) on an inner validation split;
   its fold is then an honest test. Training stops when the gates' mean
   validation loss has not improved for ``n_iter_no_change`` epochs
   (waiting for every gate to stop on its own few hundred validation rows
   let one noisy gate keep all of them training:
   ``benchmarks/results/gate_training_settings.md``). The deployed gate
   averages the gates' logits. The gates are trained together as one batched network
   (:class:`~skmoe._nn.BatchedMLP`): one optimiser step for all of them.
5. A convex blend cannot scale its experts up, weigh one negatively or add
   an intercept, which stacking's linear model can (on small data this
   matters), nor let those unconstrained weights vary with the input, which
   feature-weighted linear stacking (Sill et al., 2009) does.
   :class:`LinearHead` fits both ("linear", "feature_weighted"), fold by
   fold like the gates, so every candidate -- constant blend, gate, heads
   -- has honest held-out predictions on every row; for classification also
   StackingClassifier's head on the probabilities ("linear_proba").
6. The final predictor is the best convex blend of the candidates on those
   held-out predictions (:func:`~skmoe._candidates.choose_candidates`): the experts' constant blend one
   level up, a handful of weights fitted on n rows. The constant blend and
   the gate blend into one gate (:class:`MixedLogits`), so the mixture part
   stays a mixture; the heads' share is added by :class:`CandidateBlend`.
   The constant blend keeps at least ``CONSTANT_FLOOR`` (2 %) of it: on a
   few hundred rows a head can be right with near-certainty on every
   held-out row and take all the weight, and one confident mistake on new
   rows then costs a log-loss of 10 or more; 2 % of the constant blend's
   probability bounds it.
   (Picking one candidate instead -- the constant blend unless another beat
   it by one standard error -- was measured too: see
   ``benchmarks/results/gate_levers.md``.)

Regression trains on the squared error of the blended mean by default, the
loss a user scores. (``loss='nll'`` was 2.7 % better on ``regimes``, 0.7 %
worse on ``ames`` and equal on the other regression sets of the benchmark
suite, but its noise scales keep the validation loss improving for about 100
epochs: median fit time 1.78x Stacking's against 1.43x.) The mixture
density's noise scales are fitted after the gate, by maximum likelihood with
the gate and the experts' means held fixed
(``_likelihood.fitted_noise_variances``).
"""

import contextlib
import copy
import math
import numbers
import time
import warnings

import numpy as np
import torch
from scipy.special import logsumexp, softmax
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils import Bunch
from sklearn.utils.parallel import Parallel

from ._crossfit import rows_of_whole_folds, united_folds
from ._likelihood import (LOG_2PI, fitted_noise_variances, log_proba_at_labels,
                          mix_probabilities, moved_to_mean)
from ._nn import PREDICT_CHUNK, BatchedMLP, forward_in_chunks
from ._problem import VARIANCE_FLOOR, fixed_outputs
from ._progress import epoch_done, progress_bar
# (LinearHead, constant_blend_logits, picked_log_likelihood: also imported from here.)
from ._candidates import (CONSTANT_FLOOR, PROBA_FLOOR, REGRESSION_HEAD_BOUNDS,  # noqa: F401
                          CandidateBlend, ExpertHead, LinearHead, PriorHead, best_expert,
                          blend_prediction, candidate_loss, choose_candidates,
                          class_frequencies, constant_blend_logits, head_prediction,
                          head_rows, level2_checked, level2_floor, make_head,
                          picked_log_likelihood, prior_floor, target_range, with_class_prior)
from ._torch_utils import (STANDARDISE_CHUNK, map_row_blocks, resolve_device, seeded_torch,
                           standardisation, to_numpy, to_tensor)
from ._training import (Adam, check_training_rows, diverged, n_validation_rows,
                        not_converged_reason)
# The gate's standardised inputs (X and the experts' features) are clipped
# like an MLPGate's.
from .gates import INPUT_CLIP

# Folds over the out-of-fold rows: one gate per fold.
GATE_FOLDS = 5
# At most this many minibatches per gate epoch (larger data: rows sampled).
GATE_STEPS_PER_EPOCH = 64

# Switches for the ablation benchmark (benchmarks/bench_gate_levers.py),
# with the values the library runs with: the on/off ones are on except
# "level2_check" (None: off; a number of standard errors when on) and
# "constant_floor_grid" (None: off; the floors to choose among when on);
# "proba_head" is on (True: every classifier; "multiclass", 3+ classes
# only, and False are for the benchmarks); the others choose among variants
# ("choice", "stop", "head_inputs", "head_bounds", "products_beyond_range",
# "classification_beyond_range", "plain_head_C") or are numbers
# ("gate_folds", "constant_floor", "regression_head_bounds").
LEVERS = {"experts_as_inputs": True, "start_at_constant": True, "fallback": True,
          "bagged": True, "gate_folds": GATE_FOLDS, "linear_head": True,
          "feature_weighted_head": True, "choice": "blend",
          "stop": "mean", "head_inputs": "log", "best_expert": True,
          "centre_head_inputs": True, "constant_floor": CONSTANT_FLOOR,
          "head_bounds": "lower", "prior_candidate": True,
          "regression_head_bounds": REGRESSION_HEAD_BOUNDS, "products_beyond_range": "plain",
          "classification_beyond_range": "clip", "prior_floor": True,
          "gate_folds_follow_cv": True, "inner_split_follows_cv": True,
          # The plain classification head's C searched where its coefficients
          # outnumber its rows (None: always 1); StackingClassifier's head on
          # the probabilities as one more candidate ("linear_proba"), kept for
          # 3+ classes (57 unseen multiclass sets, mean -0.15 %:
          # benchmarks/results/gate_levers_round18.md) and for two (67 unseen
          # binary sets, mean -0.06 %: gate_levers_round20.md).
          "plain_head_C": "many", "proba_head": True,
          # The level-2 blend deployed only where its cross-fitted predictions
          # beat the constant blend's by more than this many paired standard
          # errors, else the constant blend alone (None: never checked;
          # measured, not kept: benchmarks/results/gate_levers_round19.md).
          "level2_check": None,
          # The constant candidate's floor chosen per fit, among
          # "constant_floor" and these, by the cross-fitted level-2 loss
          # (level2_floor; None: always "constant_floor"; measured, not kept:
          # benchmarks/results/gate_levers_round21.md).
          "constant_floor_grid": None}


@contextlib.contextmanager
def levers_set(**changes):
    """:data:`LEVERS` with ``changes`` while the block runs (the ablation
    benchmarks), restored after it."""
    unknown = set(changes) - set(LEVERS)
    if unknown:
        raise KeyError(f"unknown levers {sorted(unknown)}; choose from {sorted(LEVERS)}")
    saved = dict(LEVERS)
    LEVERS.update(changes)
    try:
        yield
    finally:
        LEVERS.clear()
        LEVERS.update(saved)


def class_prior(y, w, n_classes):
    """A classifier's share of the class frequencies, ``(1 / n^2, frequencies)``
    (:func:`~skmoe._candidates.prior_floor`), that the mixtures of experts
    (every trainer and routing), the hierarchical mixtures and the greedy
    ensemble mix into their final probabilities (``class_prior_``); None with
    ``LEVERS["prior_floor"]`` off (the ablation benchmark)."""
    return prior_floor(y, w, n_classes) if LEVERS["prior_floor"] else None


class GateInputs:
    """What the stacked gate sees: X and the experts' predictions.

    Regression: each expert's prediction standardised like y, and their
    spread (standard deviation across experts). Classification: each
    expert's log-probabilities (one log-odds column per expert for two
    classes), and the experts' disagreement (standard deviation of the
    probabilities across experts, summed over classes).

    Parameters
    ----------
    regression : bool
    y_mean, y_scale : float
        Standardisation of the regression predictions.
    columns : ndarray of int or None, default=None
        Classification: the classes read, those with rows of positive weight
        (None: all). A class of ``classes_`` whose rows all have weight zero
        is one every expert gives 0: read, it made two classes three
        (log-probabilities, not log-odds), another gate than the fit without
        those rows.
    """

    def __init__(self, regression, y_mean=0.0, y_scale=1.0, columns=None):
        self.regression, self.y_mean, self.y_scale = regression, y_mean, y_scale
        self.columns = columns

    def features(self, outputs):
        """The columns the gate reads besides X, from raw expert outputs."""
        columns = getattr(self, "columns", None)   # (None in gates pickled before it)
        if columns is not None and not self.regression:
            outputs = outputs[:, :, columns]
        if self.regression:
            F = (outputs - self.y_mean) / self.y_scale                    # (n, M)
            with np.errstate(over="ignore"):
                spread = F.std(axis=1, keepdims=True)
            # Outputs past 1e154 overflow the squares (numpy warned "overflow
            # encountered in square"): those rows' spread in units of their
            # largest output, then scaled back.
            huge = np.isinf(spread[:, 0]) & np.isfinite(F).all(axis=1)
            if huge.any():
                largest = np.abs(F[huge]).max(axis=1, keepdims=True)
                spread[huge] = largest * (F[huge] / largest).std(axis=1, keepdims=True)
            return np.hstack([F, spread])
        log_p = np.log(np.clip(outputs, PROBA_FLOOR, 1.0))          # (n, M, C)
        n, M, C = outputs.shape
        scores = log_p[..., 1] - log_p[..., 0] if C == 2 else log_p.reshape(n, M * C)
        return np.hstack([scores, outputs.std(axis=1).sum(axis=1, keepdims=True)])

    def transform(self, X, outputs):
        """Gate input ``[X, expert features]`` from raw expert outputs."""
        return np.hstack([X, self.features(outputs)])

    def scaling(self, X, outputs, sample_weight=None):
        """Column means and scales of ``transform(X, outputs)``
        (:func:`~skmoe._torch_utils.standardisation`, rows weighted by
        ``sample_weight``), without building it."""
        x_mean, x_scale = standardisation(X, sample_weight)
        f_mean, f_scale = standardisation(self.features(outputs), sample_weight)
        return np.concatenate([x_mean, f_mean]), np.concatenate([x_scale, f_scale])


def gate_input_tensor(gate, X, outputs, gate_inputs):
    """The fitted-scaling gate's standardised, clipped inputs for every row.

    Built ``STANDARDISE_CHUNK`` rows at a time: the float64 ``[X, expert
    features]`` matrix is never held whole (on 10^6 rows it and its
    standardised copy were the stacked gate's largest arrays).
    """
    return map_row_blocks(lambda rows: _gate_inputs_of_rows(gate, X, outputs, gate_inputs, rows),
                          len(X), STANDARDISE_CHUNK)


def _gate_inputs_of_rows(gate, X, outputs, gate_inputs, rows):
    """The gate's standardised, clipped inputs for the rows ``rows`` (a slice)."""
    view = X[rows] if gate_inputs is None else gate_inputs.transform(X[rows], outputs[rows])
    return gate._inputs(view)     # clipped by the gate (MLPGate.clip)


def gate_logits_in_blocks(gate, X, outputs, gate_inputs, networks=1):
    """The fitted gate's logits for every row, without its inputs for every row
    at once (:func:`gate_input_tensor` a block at a time; no gradients)."""
    rows = max(1, min(STANDARDISE_CHUNK, PREDICT_CHUNK // max(networks, 1)))

    def block(part):
        with torch.no_grad():
            return gate.module_(_gate_inputs_of_rows(gate, X, outputs, gate_inputs, part))

    return map_row_blocks(block, len(X), rows)


class BaggedLogits(torch.nn.Module):
    """Gates run as one batched network; their logits averaged."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, z):
        return self.net(z.clamp(-INPUT_CLIP, INPUT_CLIP)).mean(0)


class ConstantLogits(torch.nn.Module):
    """The constant blend as a gate: the same logits for every row."""

    def __init__(self, logits):
        super().__init__()
        self.register_buffer("logits", torch.as_tensor(logits, dtype=torch.float32))

    def forward(self, z):
        return self.logits.expand(z.shape[0], -1)


class MixedLogits(torch.nn.Module):
    """Log of a convex blend of two gates' weights: ``share`` of the first."""

    def __init__(self, first, second, share):
        super().__init__()
        self.first, self.second, self.share = first, second, float(share)

    def forward(self, z):
        return torch.logaddexp(torch.log_softmax(self.first(z), -1) + math.log(self.share),
                               torch.log_softmax(self.second(z), -1)
                               + math.log1p(-self.share))


def _gate_folds(problem, n_folds, seed, user_folds=None):
    """The gate folds over the out-of-fold rows: (train, test) index pairs.

    ``user_folds``: the splits the user gave as ``cv`` (None for an int).
    Each gate fold is then a union of their test folds, so that rows the
    user keeps together (a group) are held out together here too: with rows
    shuffled into folds, a candidate that learnt something true of a group
    alone (an expert's edge on it) was scored on rows of that group, and the
    final blend trusted it on groups it had never seen.
    """
    n = len(problem.y)
    n_folds = max(2, min(n_folds, n // 4))
    if user_folds is not None:
        return united_folds(user_folds, n_folds, seed, n)
    if problem.is_classifier:
        counts = np.bincount(problem.y, minlength=problem.n_classes)
        if counts[counts > 0].min() >= n_folds:
            splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
            return list(splitter.split(problem.X, problem.y))
    return list(KFold(n_folds, shuffle=True, random_state=seed).split(problem.X))


def _padded(row_sets, device):
    """Ragged row sets as an (e, L) index and a 0/1 mask (padding has weight 0)."""
    length = max(1, max(len(rows) for rows in row_sets))
    index = np.zeros((len(row_sets), length), dtype=np.int64)
    mask = np.zeros((len(row_sets), length))
    for k, rows in enumerate(row_sets):
        index[k, :len(rows)], mask[k, :len(rows)] = rows, 1.0
    return torch.as_tensor(index, device=device), to_tensor(mask, device)


class _GateLoss:
    """Per-gate weighted mean loss of batched gates on their own rows.

    ``out`` is (n, M): standardised predictions (regression) or each
    expert's log-likelihood of the true class (classification).
    """

    def __init__(self, Z, out, y, w, regression, loss):
        self.Z, self.out, self.y, self.w = Z, out, y, w
        self.regression, self.loss = regression, loss

    def __call__(self, net, log_variance, index, mask):
        total, weight = self.totals(net, log_variance, index, mask)
        return total / weight.clamp_min(1e-12)                         # (e,)

    def in_chunks(self, net, log_variance, index, mask):
        """:meth:`__call__` over a few rows of every gate at a time (no
        gradients): the validation rows of five gates at once were the fit's
        largest temporaries on 10^6 rows."""
        rows = max(1, PREDICT_CHUNK // len(index))
        total, weight = 0.0, 0.0
        for start in range(0, index.shape[1], rows):
            part = self.totals(net, log_variance, index[:, start:start + rows],
                               mask[:, start:start + rows])
            total, weight = total + part[0], weight + part[1]
        return total / weight.clamp_min(1e-12)

    def totals(self, net, log_variance, index, mask):
        """Per gate: the weighted sum of the loss over its rows, and of the weights."""
        # e gates, b rows (padded), M experts
        logits = net(self.Z[index])                                     # (e, b, M)
        log_g = torch.log_softmax(logits, dim=-1)
        out = self.out[index]                                           # (e, b, M)
        w = self.w[index] * mask                                        # (e, b)
        if self.regression and self.loss == "squared_error":
            value = ((torch.exp(log_g) * out).sum(-1) - self.y[index]) ** 2
        elif self.regression:
            log_lik = -0.5 * (LOG_2PI + log_variance[:, None, :] + (
                self.y[index][..., None] - out) ** 2 * torch.exp(-log_variance)[:, None, :])
            value = -torch.logsumexp(log_g + log_lik, dim=-1)
        else:
            value = -torch.logsumexp(log_g + out, dim=-1)
        self.share = (w[..., None] * torch.exp(log_g.detach())).sum((0, 1))  # (M,)
        return (w * value).sum(1), w.sum(1)


def _epoch_rows(train, batch_size, rng):
    """One epoch's rows of a gate, in order: all of them, shuffled, or on large
    data ``GATE_STEPS_PER_EPOCH`` batches drawn at random (with replacement).

    The gate is small: on 10^5 rows and more, full passes made its training
    grow with n and dominate the fit (100 epochs of 280 steps at 10^5 rows,
    a third of the fit) without a better gate.
    """
    n_rows = GATE_STEPS_PER_EPOCH * batch_size
    if len(train) <= n_rows:
        return rng.permutation(train)
    return train[rng.randint(0, len(train), n_rows)]


def _train_gates(gate, Z, loss_fn, members, settings, seed, device):
    """Train one gate per member ``(train, validation, start_logits)`` together.

    Minibatch Adam on every gate at once; each gate is early-stopped on its
    own validation rows and keeps its best state (the starting point, the
    constant blend, included).

    Returns the batched network (best states), the per-epoch history and
    whether training stopped early (``converged``; never without validation
    rows).
    """
    E, M = len(members), loss_fn.out.shape[1]
    sizes = gate._validate()
    with seeded_torch(seed):
        net = BatchedMLP(E, Z.shape[1], sizes, M, gate.activation).to(device)
    last = net.layers[-1]
    with torch.no_grad():
        for k, (_, _, start) in enumerate(members):
            if start is not None:
                last.weight[k].zero_()
                last.bias[k, 0] = torch.as_tensor(start, dtype=last.bias.dtype)
    log_variance = None
    params = [{"params": list(net.parameters()), "weight_decay": gate.alpha}]
    if loss_fn.regression and loss_fn.loss == "nll":
        # Each expert's weighted mean squared residual (unweighted, integer
        # weights started elsewhere than their repeated rows).
        residual2 = (loss_fn.y[:, None] - loss_fn.out) ** 2
        start = torch.log(((loss_fn.w[:, None] * residual2).sum(0) / loss_fn.w.sum())
                          .clamp_min(1e-6))
        log_variance = torch.nn.Parameter(start.expand(E, -1).clone())
        params.append({"params": [log_variance], "weight_decay": 0.0})
    optimizer = Adam(params, lr=settings.learning_rate)
    rng = np.random.RandomState(seed)
    val_index, val_mask = _padded([val for _, val, _ in members], device)
    has_val = bool(val_mask.sum() > 0) and all(len(val) for _, val, _ in members)

    def validation():
        with torch.no_grad():
            return loss_fn.in_chunks(net, log_variance, val_index, val_mask)

    best = validation() if has_val else torch.full((E,), np.inf, device=device)
    best_state = copy.deepcopy(net.state_dict())
    stale = np.zeros(E, dtype=int)
    best_mean, stale_mean = float(best.mean()), 0
    history, converged = [], False
    bar = progress_bar(settings.max_epochs, "gate", enabled=settings.verbose, unit="epoch")
    for epoch in range(1, settings.max_epochs + 1):
        started = time.perf_counter()
        order = [_epoch_rows(train, settings.batch_size, rng) for train, _, _ in members]
        index, mask = _padded(order, device)
        total = torch.zeros(E, device=device)
        share = torch.zeros(M, device=device)
        for begin in range(0, index.shape[1], settings.batch_size):
            batch = slice(begin, begin + settings.batch_size)
            optimizer.zero_grad()
            value = loss_fn(net, log_variance, index[:, batch], mask[:, batch])
            value.sum().backward()   # the gates share no parameter
            optimizer.step()
            # Each minibatch's weighted mean times its weight (times its rows,
            # the epoch's loss was not the weighted mean under sample weights).
            total += value.detach() * (loss_fn.w[index[:, batch]] * mask[:, batch]).sum(1)
            share += loss_fn.share
        epoch_weight = (loss_fn.w[index] * mask).sum(1).clamp_min(1e-12)
        record = {"epoch": epoch,
                  "train_loss": float((total / epoch_weight).mean()),
                  "expert_share": to_numpy(share / share.sum().clamp_min(1e-12))}
        if has_val:
            score = validation()
            record["validation_loss"] = float(score.mean())
            if not torch.isfinite(score).all():
                raise diverged("The stacked gate", settings.learning_rate,
                               f"its validation loss became {score.tolist()} at epoch "
                               f"{epoch}", scale_of="X, y and sample_weight")
            improved = to_numpy(score < best - settings.tol).astype(bool)
            if improved.any():
                state = net.state_dict()
                keep = torch.as_tensor(improved, device=device)
                for name, value in state.items():
                    best_state[name][keep] = value[keep]
                best = torch.where(keep, score, best)
            stale = np.where(improved, 0, stale + 1)
            if record["validation_loss"] < best_mean - settings.tol:
                best_mean, stale_mean = record["validation_loss"], 0
            else:
                stale_mean += 1
        record["seconds"] = time.perf_counter() - started
        history.append(record)
        if settings.verbose:
            epoch_done(bar, "gate", epoch, record)
        if has_val and ((stale >= settings.n_iter_no_change).all() or (
                LEVERS["stop"] == "mean" and stale_mean >= settings.n_iter_no_change)):
            converged = True
            break
    bar.close()
    if has_val:
        net.load_state_dict(best_state)
    return net.eval(), history, converged


def _proba_head_on(problem, columns):
    """Whether StackingClassifier's probabilities head is a candidate
    (``LEVERS["proba_head"]``): ``True`` (the default) for every classifier,
    ``"multiclass"`` only where the heads read 3+ classes (the classes with
    weighted rows; the library before round 20), ``False`` never
    (``benchmarks/results/gate_levers_round18.md``, ``gate_levers_round20.md``)."""
    setting = LEVERS["proba_head"]
    if not problem.is_classifier or setting is False or setting is None:
        return False
    if setting == "multiclass":
        return (problem.n_classes if columns is None else len(columns)) >= 3
    if setting is True:
        return True
    raise ValueError(f'LEVERS["proba_head"] must be True, False or "multiclass", '
                     f"got {setting!r}.")


def _beyond_range(regression):
    """The feature-weighted head's rule beyond its training range (LinearHead)."""
    return LEVERS["products_beyond_range" if regression else "classification_beyond_range"]


def _task_targets(problem, fixed_out):
    """(outputs the blend loss reads, targets) for :func:`constant_blend_logits`."""
    if problem.is_classifier:
        return picked_log_likelihood(fixed_out, problem.y), None
    return fixed_out, problem.y_standardised


def _head_can_fit(problem, train):
    """Whether a logistic head can be fitted on ``train`` (two classes at least)."""
    return not problem.is_classifier or len(np.unique(problem.y[train])) >= 2


def _inner_split(train, w, fraction, rng, user_tests=(), who="The stacked gate",
                 n_classes=None):
    """Early-stopping rows and training rows (every weight is positive: the
    mixture leaves rows of zero weight out).

    ``user_tests``: test folds of the user's splits that lie in ``train``;
    with two or more, the early-stopping rows are whole ones of them, drawn
    at random until they hold ``fraction`` of the rows (at least one, and
    never all; none when ``fraction`` is 0). Rows shuffled into a
    split let a gate that learnt the training groups keep improving on rows
    of those groups (Ecdat::Wages in groups of a person's 7 years: "did not
    converge" on 8 of 10 fits, whose advice to raise max_epochs only let it
    learn them longer; on none of 5 with the user's folds;
    benchmarks/results/grouped_gate_folds.md). ``who`` and ``n_classes``
    name the estimator and its classes in :func:`check_training_rows`'s error.
    """
    if fraction and len(user_tests) > 1:
        val = rows_of_whole_folds(user_tests, fraction, len(train), rng)
    else:
        shuffled = rng.permutation(train)
        n_val = n_validation_rows(fraction, len(train))
        check_training_rows(fraction, len(train), n_val, who,
                            "validation_fraction=0 to train without held-out rows",
                            n_classes, of="training rows of a cross-fitting fold")
        val = np.sort(shuffled[:n_val])
    # Kept as int32 where the rows allow (every gate holds its rows through its
    # training: a sixth of the stacked gate's memory on 10^6 rows).
    index_type = np.int32 if len(w) < np.iinfo(np.int32).max else np.int64
    return np.setdiff1d(train, val).astype(index_type), val.astype(index_type)


def fit_stacked_gate(problem, gate_template, *, cv, settings, n_init, device, n_jobs,
                     random_state, refit_experts=True):
    """Fit the experts (out of fold; then on all rows, or averaged) and the stacked gate.

    ``refit_experts``: the experts that predict are refits on all rows (1),
    each expert's ``cv`` fold fits averaged
    (:class:`~skmoe._crossfit.CrossFitAverage`; 0), or the refit with this
    share of the weight and the fold fits with the rest.

    Returns a Bunch shaped like :func:`skmoe._gradient.fit_gradient`'s, plus
    ``gate_inputs`` (the :class:`GateInputs` the gate reads),
    ``blend_weights`` (the constant blend's weights), ``gate_selected``
    (whether the input-dependent gate has a share), ``candidate_weights``,
    ``combiner`` (:class:`CandidateBlend` or None) and ``out_of_fold_loss``
    (each candidate's held-out loss).
    """
    device = resolve_device(device)
    rng = random_state
    regression = not problem.is_classifier
    y_mean, y_scale = 0.0, 1.0   # classification: outputs are probabilities
    if regression:   # the problem's standardisation of y
        y_mean, y_scale = problem.y_mean, problem.y_scale
    everything = list(range(problem.n_experts))
    user_folds = None
    if (LEVERS["gate_folds_follow_cv"] and cv is not None
            and not isinstance(cv, numbers.Integral)):
        # The user's splits, drawn once: the experts' out-of-fold fits and the
        # gate folds (_gate_folds) both follow them.
        cv = user_folds = problem.folds(cv, None)
    with Parallel(n_jobs=n_jobs) as parallel:
        fixed_out, models, below_floor = fixed_outputs(problem, everything, cv,
                                                       rng.randint(2**31 - 1), parallel,
                                                       refit=refit_experts)
    raw = fixed_out * y_scale + y_mean if regression else np.exp(fixed_out)
    # The classes the gate's inputs and the heads read: a class whose rows all
    # have weight zero (left out) has no row here, and every expert gives it 0.
    columns = None
    if not regression and len(np.unique(problem.y)) < problem.n_classes:
        columns = np.unique(problem.y)
    gate_inputs = (GateInputs(regression, y_mean, y_scale, columns)
                   if LEVERS["experts_as_inputs"] else None)
    blend_out, blend_y = _task_targets(problem, fixed_out)
    w = problem.sample_weight
    constant = constant_blend_logits(blend_out, blend_y, w, regression)

    # Gates: n_init per fold of the out-of-fold rows. Every candidate (the
    # constant blend, the gates, the heads) is fitted on the other folds and
    # predicts its fold: honest held-out predictions to choose from.
    # The gate runs where the mixture was asked to run (its own ``device``
    # parameter is the template's default).
    # Weighted by the user's weights, as the gate's loss weighs the rows
    # (unweighted, rows of weight 1e-9 far out set the scaling: predictions
    # moved by 1.2 from the fit without them).
    scaling = (standardisation(problem.X, w) if gate_inputs is None
               else gate_inputs.scaling(problem.X, raw, w))
    gate = clone(gate_template).init(np.empty((0, len(scaling[0]))), problem.n_experts, 0,
                                     device=device, scaling=scaling)
    folds = _gate_folds(problem, LEVERS["gate_folds"], rng.randint(2**31 - 1), user_folds)
    n = len(problem.y)
    proba = None if regression else raw                                  # (n, M, C)
    head_y = problem.y_standardised if regression else problem.y
    head_kinds = [kind for kind, on in (("linear", LEVERS["linear_head"]),
                                        ("feature_weighted", LEVERS["feature_weighted_head"]),
                                        ("linear_proba", _proba_head_on(problem, columns)))
                  if on]
    log_inputs = LEVERS["head_inputs"] == "log"
    centre = LEVERS["centre_head_inputs"]
    full_heads = {}
    for kind in head_kinds:
        # Fitted on all rows first: a feature-weighted logistic head picks its
        # penalty here, and the fold heads reuse it.
        if _head_can_fit(problem, np.arange(n)):
            full_heads[kind] = make_head(
                kind, regression, y_mean, y_scale, log_inputs=log_inputs, centre=centre,
                bounds=LEVERS["head_bounds"],
                regression_bounds=LEVERS["regression_head_bounds"],
                beyond_range=_beyond_range(regression), columns=columns,
                plain_C=LEVERS["plain_head_C"]).fit(
                problem.X, raw, head_y, w)
    # The best single expert is a candidate too; like the heads, it enters the
    # final blend as an extra term (CandidateBlend).
    fixed_heads = ({"best_expert": ExpertHead(best_expert(blend_out, blend_y, w, regression))}
                   if LEVERS["best_expert"] else {})
    # Classification: the class frequencies too ("no signal"; PriorHead).
    if LEVERS["prior_candidate"] and not regression:
        fixed_heads["prior"] = PriorHead(class_frequencies(problem.y, w, problem.n_classes))
    shape = (n,) if regression else (n, problem.n_classes)
    predictions = {name: np.full(shape, np.nan)
                   for name in ["constant", "gate", *full_heads, *fixed_heads]}
    members, member_fold = [], []
    groups_split = False
    for k, (train, test) in enumerate(folds):
        y_train = None if blend_y is None else blend_y[train]
        start = constant_blend_logits(blend_out[train], y_train, w[train], regression)
        predictions["constant"][test] = blend_prediction(
            start[None, :], blend_out[test], None if proba is None else proba[test],
            regression)
        # (The rows a head is fitted on, taken before indexing X: on large data
        # a few of them, and no copy of the fold's X.)
        subset = head_rows(len(train))
        head_train = train if subset is None else train[subset]
        if "best_expert" in fixed_heads:  # (the prior may be there without it)
            # Chosen on the fold's training rows, like every other candidate.
            j = best_expert(blend_out[train], y_train, w[train], regression)
            predictions["best_expert"][test] = (blend_out[test, j] if regression
                                                else proba[test, j])
        if "prior" in fixed_heads:
            predictions["prior"][test] = class_frequencies(
                problem.y[train], w[train], problem.n_classes)
        # (The fold's targets' range, which a head fitted on a subset of its
        # rows on large data still bounds by.)
        y_range = target_range(head_y[train], w[train]) if regression and full_heads else None
        for kind, full in full_heads.items():
            if _head_can_fit(problem, train):
                head = make_head(kind, regression, y_mean, y_scale, C=full.C,
                                 log_inputs=log_inputs, centre=centre,
                                 bounds=LEVERS["head_bounds"],
                                 regression_bounds=LEVERS["regression_head_bounds"],
                                 beyond_range=_beyond_range(regression), columns=columns,
                                 plain_C=LEVERS["plain_head_C"]).fit(
                    problem.X[head_train], raw[head_train], head_y[head_train],
                    w[head_train], warm_from=full, y_range=y_range)
                predictions[kind][test] = head_prediction(head, problem.X[test], raw[test],
                                                           regression, problem.n_classes)
        # The user's test folds inside this fold's training rows: a gate's
        # early-stopping rows are one of them (see _inner_split).
        inside = ([] if user_folds is None or not LEVERS["inner_split_follows_cv"] else
                  [test_rows for _, test_rows in user_folds if np.isin(test_rows, train).all()])
        # (Fewer than two: the early-stopping rows are drawn at random, and
        # split the groups fit was given; said below.)
        groups_split = groups_split or (settings.get("groups", False) and user_folds is not None
                                        and len(inside) < 2
                                        and bool(settings.validation_fraction))
        for _ in range(n_init):
            fit_rows, val_rows = _inner_split(train, w, settings.validation_fraction, rng,
                                              inside, settings.get("who", "The stacked gate"),
                                              problem.n_classes)
            members.append((fit_rows, val_rows,
                            start if LEVERS["start_at_constant"] else None))
            member_fold.append(k)
    if groups_split:
        # The docs promise a group held out whole by the gates' early stopping
        # too: with two folds of groups (cv=2, GroupKFold(2)) a gate fold's
        # training rows are one fold, and its early-stopping rows were drawn
        # from it at random, rows of one group on both sides, without a word.
        warnings.warn(
            "A fold of the stacked gate trains on one fold of whole groups (of the "
            f"{len(user_folds)} that cv makes with fit's groups), so its gates' "
            "early-stopping rows (validation_fraction) are drawn from that fold at "
            "random and split its groups. "
            "Pass cv=3 or more (with three groups or more) to hold out whole groups "
            "there too, or validation_fraction=0.", UserWarning, stacklevel=6)
    Z = gate_input_tensor(gate, problem.X, raw, gate_inputs)
    loss_fn = _GateLoss(Z, to_tensor(blend_out, device),
                        None if blend_y is None else to_tensor(blend_y, device),
                        to_tensor(w / w.mean(), device), regression, settings.loss)
    net, history, converged = _train_gates(gate, Z, loss_fn, members, settings,
                                           rng.randint(2**31 - 1), device)
    if not converged and settings.validation_fraction:
        warnings.warn(
            f"The gate did not converge in max_epochs={settings.max_epochs} epochs "
            + not_converged_reason(
                "validation loss", "max_epochs", settings.max_epochs, settings.n_iter_no_change,
                # (the loss before the first epoch is the one to beat here)
                could_stop=settings.n_iter_no_change <= settings.max_epochs),
            ConvergenceWarning)
    del loss_fn
    member_fold = np.asarray(member_fold)
    for k, (_, test) in enumerate(folds):
        # The fold's own gates on the fold's rows only: every gate on every
        # row, in float64, was the largest array of a 10^6-row fit.
        own = torch.as_tensor(np.flatnonzero(member_fold == k), device=Z.device)
        logits = forward_in_chunks(net.select(own), Z[torch.as_tensor(test, device=Z.device)],
                                   dim=1, networks=len(own))             # (n_init, n_k, M)
        predictions["gate"][test] = blend_prediction(
            to_numpy(logits).mean(0), blend_out[test],
            None if proba is None else proba[test], regression)
    # The gates' inputs are rebuilt a block at a time for the final pass below:
    # held through the choice of candidates, they set a 10^6-row fit's peak.
    del Z
    losses = {name: float(np.average(candidate_loss(p, head_y, regression), weights=w))
              for name, p in predictions.items() if np.all(np.isfinite(p))}
    if LEVERS["fallback"]:
        floor = LEVERS["constant_floor"]
        if LEVERS["constant_floor_grid"] is not None:
            floor = level2_floor(predictions, head_y, w, regression,
                                 (floor, *LEVERS["constant_floor_grid"]),
                                 mode=LEVERS["choice"])
        candidate_weights = choose_candidates(predictions, head_y, w, regression,
                                              mode=LEVERS["choice"], constant_floor=floor)
        if LEVERS["level2_check"] is not None:
            candidate_weights = level2_checked(candidate_weights, predictions, head_y, w,
                                               regression, LEVERS["level2_check"],
                                               mode=LEVERS["choice"], constant_floor=floor)
    else:
        candidate_weights = {"gate": 1.0}
    share_gate = candidate_weights.get("gate", 0.0)
    share_constant = candidate_weights.get("constant", 0.0)
    # (A Python bool, as gate_selected_ is documented: the weights are numpy
    # floats, and np.bool_ is not ``True``.)
    use_gate = bool(share_gate > 0)
    if use_gate and not LEVERS["bagged"]:
        net = BatchedMLP.from_mlps(net.to_mlps(gate.activation)[:1], gate.activation)
    if use_gate and share_constant > 0:
        module = MixedLogits(BaggedLogits(net), ConstantLogits(constant),
                             share_gate / (share_gate + share_constant))
    else:
        module = BaggedLogits(net) if use_gate else ConstantLogits(constant)
    # Trained in float32, predicting in float64: float32's batched products
    # round by how many rows they hold, so a row's gate weights depended on
    # the other rows predicted with it (5.6e-8 in two chunks against one
    # call, the prediction 6.6e-9; tests/test_sweep_numbers_round34.py).
    gate.use_module(module, dtype=torch.float64)
    final_heads = {**full_heads, **fixed_heads}
    heads = [(weight, final_heads[name]) for name, weight in candidate_weights.items()
             if name in final_heads and weight > 0]
    combiner = CandidateBlend(share_gate + share_constant, heads) if heads else None

    del predictions
    if below_floor is not None:
        # Training is over: from here raw is what predict_proba reads, the
        # experts' probabilities unfloored, so that log_likelihood_ is the log
        # of its probabilities on the out-of-fold outputs (the floor at 1e-6
        # raised a row whose experts all gave its label 0 to about 1e-6).
        raw[below_floor[0]] = below_floor[1]
    # gate.predict_log_proba on [X, expert features], a block of rows at a time.
    logits = to_numpy(gate_logits_in_blocks(gate, problem.X, raw, gate_inputs,
                                            networks=len(members)))           # float64
    log_g = logits                       # normalised in place: one (n, M) array fewer
    log_g -= logsumexp(logits, axis=1, keepdims=True)
    G = np.exp(log_g)
    # (Below, arrays of (n, M) are updated in place where the old values are
    # not read again: on 10^6 rows this tail was a fit's peak memory.)
    variances = None
    if regression:
        centres = fixed_out               # (standardised: raw's means in y's units)
        if combiner is not None:
            # The density is the mixture moved to the candidate blend's mean
            # (see _likelihood.moved_to_mean), and its noise scales are fitted there.
            centres = moved_to_mean(G, raw, lambda mean: combiner.predict(problem.X, raw, mean))
            centres -= y_mean
            centres /= y_scale
        del G
        # The noise scales that fit the density best given the gate and the
        # means, fitted in standardised units as the gradient trainer fits
        # them: the EM's stopping rule is relative to the log-likelihood,
        # which in y's units moves by -log(c) when y is multiplied by c, so
        # it stopped at another step (y times 1,000: the predictive sd
        # 0.14 % off, log_likelihood_samples 0.044 per row off).
        variances, log_likelihood = fitted_noise_variances(
            problem.y_standardised, centres, log_g, w, VARIANCE_FLOOR)
        log_likelihood, variances = problem.unstandardise(log_likelihood, variances)
    else:
        # The log of the final predictor's probability at the label (the
        # candidate blend's, as predict_proba and log_likelihood_samples give
        # it), from the experts' out-of-fold outputs: an honest figure, not
        # what the deployed experts give the rows they were fitted on.
        mixture = mix_probabilities(G, raw)
        del G
        if combiner is not None:
            mixture = combiner.predict_proba(problem.X, raw, mixture, problem.n_classes)
        mixture = with_class_prior(mixture, class_prior(problem.y, w, problem.n_classes))
        log_likelihood = float(np.average(log_proba_at_labels(mixture, problem.y),
                                          weights=w))
    return Bunch(experts=models, gate=gate, variances=variances, history=history,
                 n_iter=len(history), converged=converged,
                 log_likelihood=log_likelihood,
                 gate_inputs=gate_inputs, blend_weights=softmax(constant),
                 gate_selected=use_gate, combiner=combiner,
                 candidate_weights=candidate_weights, out_of_fold_loss=losses)
