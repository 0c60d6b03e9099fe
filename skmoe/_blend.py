"""The gradient trainer's gate over out-of-fold predictions ("stacked gate").

A constant blend -- one weight per expert, the same on every row, as in
Caruana's ensemble selection or a convex stacking -- is the special case of a
gate with no input dependence. This module makes the gate start from the
best constant blend and leave it only where held-out rows say that an
input-dependent choice is better, so the mixture is never worse than the
constant blend out of fold:

1. The experts' out-of-fold predictions (``cv`` folds) are computed once; the
   experts are refitted on all rows for prediction (as in stacking).
2. :func:`constant_blend_logits` fits the best constant convex weights on the
   out-of-fold predictions (softmax over one logit per expert).
3. The gate sees X *and* what the experts say (:class:`GateInputs`: their
   standardised predictions and spread, or log-probabilities and
   disagreement), so it can learn "trust LightGBM unless k-NN disagrees".
4. One gate per fold of the out-of-fold rows, each starting exactly at the
   constant blend of its training rows (zero output weights, the constant
   logits as bias) and early-stopped on an inner validation split; its fold
   is then an honest test. The deployed gate averages the gates' logits.
5. If the averaged gates do not beat the constant blend on those honest
   out-of-fold losses, the constant blend (fitted on all rows) is used.

Regression trains on the squared error of the blended mean by default (the
loss a user scores); the mixture density's noise scales are fitted after the
gate (gate-weighted mean squared residuals).
"""

import copy
import math

import numpy as np
import torch
from joblib import Parallel
from scipy.optimize import minimize
from scipy.special import log_softmax, logsumexp, softmax
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils import Bunch

from ._gradient import (TrainingData, _fixed_outputs, _gate_weighted_variances, _run_once,
                        evaluate)
from ._torch_utils import resolve_device, to_numpy, to_tensor

# Constant-blend logits are kept in [-LOGIT_BOUND, LOGIT_BOUND]: weights down
# to exp(-2 * LOGIT_BOUND) relative, i.e. an expert can be switched off.
LOGIT_BOUND = 15.0
# Probabilities are floored at this value before the log in the gate's inputs.
INPUT_PROBA_FLOOR = 1e-4
# Folds over the out-of-fold rows: one gate per fold.
GATE_FOLDS = 5

# Switches for the ablation benchmark (benchmarks/bench_gate_levers.py); the
# library always runs with all of them on.
LEVERS = {"experts_as_inputs": True, "start_at_constant": True, "fallback": True,
          "bagged": True, "gate_folds": GATE_FOLDS}


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
    """

    def __init__(self, regression, y_mean=0.0, y_scale=1.0):
        self.regression, self.y_mean, self.y_scale = regression, y_mean, y_scale

    def transform(self, X, outputs):
        """Gate input ``[X, expert features]`` from raw expert outputs."""
        if self.regression:
            F = (outputs - self.y_mean) / self.y_scale                    # (n, M)
            features = [F, F.std(axis=1, keepdims=True)]
        else:
            log_p = np.log(np.clip(outputs, INPUT_PROBA_FLOOR, 1.0))      # (n, M, C)
            n, M, C = outputs.shape
            if C == 2:
                scores = log_p[..., 1] - log_p[..., 0]
            else:
                scores = log_p.reshape(n, M * C)
            features = [scores, outputs.std(axis=1).sum(axis=1, keepdims=True)]
        return np.hstack([X] + features)


def _blend_loss(logits, out, y, w, regression):
    """Loss of the constant blend softmax(logits) and its gradient."""
    g = softmax(logits)
    if regression:
        residual = out @ g - y                                          # (n,)
        loss = (w * residual ** 2).sum()
        d_g = 2.0 * (w * residual) @ out                                # (M,)
        grad = g * (d_g - g @ d_g)
    else:
        # out: log p_i(y_n | x_n), (n, M)
        joint = out + np.log(np.maximum(g, 1e-300))
        mix = logsumexp(joint, axis=1)
        loss = -(w * mix).sum()
        posterior = np.exp(joint - mix[:, None])
        grad = -(w[:, None] * (posterior - g)).sum(axis=0)
    return loss, grad


def picked_log_likelihood(fixed_out, y):
    """log p_i(y_n | x_n) (n, M) from the trainer's (n, M, C) log-probabilities."""
    return fixed_out[np.arange(len(y)), :, y]


def constant_blend_logits(out, y, w, regression):
    """Logits of the best constant convex blend of the experts.

    Parameters
    ----------
    out : ndarray
        Out-of-fold outputs: standardised predictions (n, M) for regression;
        each expert's log-likelihood of the true class (n, M) otherwise.
    y : ndarray of shape (n,)
        Standardised targets (regression; ignored otherwise).
    w : ndarray of shape (n,)
        Sample weights.
    regression : bool
        Squared error of the blended mean, or log-loss of the blend.

    Returns
    -------
    logits : ndarray of shape (M,)
        Centred logits; ``softmax(logits)`` are the weights.
    """
    w = w / max(w.sum(), 1e-300)
    M = out.shape[1]
    result = minimize(_blend_loss, np.zeros(M), args=(out, y, w, regression), jac=True,
                      method="L-BFGS-B", bounds=[(-LOGIT_BOUND, LOGIT_BOUND)] * M,
                      # Tight: a weight near zero sits where the gradient is tiny.
                      options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000})
    logits = result.x
    return logits - logits.mean()


def _blend_rows_loss(logits, out, y, w, regression):
    w_sum = max(w.sum(), 1e-300)
    return _blend_loss(logits, out, y, w, regression)[0] / w_sum


class AveragedLogits(torch.nn.Module):
    """Gates run side by side; their logits averaged."""

    def __init__(self, modules):
        super().__init__()
        self.members = torch.nn.ModuleList(modules)

    def forward(self, z):
        return torch.stack([m(z) for m in self.members]).mean(0)


class ConstantLogits(torch.nn.Module):
    """The constant blend as a gate: the same logits for every row."""

    def __init__(self, logits):
        super().__init__()
        self.register_buffer("logits", torch.as_tensor(logits, dtype=torch.float32))

    def forward(self, z):
        return self.logits.expand(z.shape[0], -1)


def _gate_folds(problem, n_folds, seed):
    n = len(problem.y)
    n_folds = max(2, min(n_folds, n // 4))
    if problem.is_classifier:
        counts = np.bincount(problem.y, minlength=problem.n_classes)
        if counts[counts > 0].min() >= n_folds:
            splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
            return list(splitter.split(problem.X, problem.y))
    return list(KFold(n_folds, shuffle=True, random_state=seed).split(problem.X))


def _task_targets(problem, fixed_out):
    """(outputs the blend loss reads, targets) for :func:`constant_blend_logits`."""
    if problem.is_classifier:
        return picked_log_likelihood(fixed_out, problem.y), None
    return fixed_out, problem.y_standardised


def fit_stacked_gate(problem, gate_template, *, cv, settings, n_init, device, n_jobs,
                     random_state):
    """Fit the experts (out of fold, then on all rows) and the stacked gate.

    Returns a Bunch shaped like :func:`skmoe._gradient.fit_gradient`'s, plus
    ``gate_inputs`` (the :class:`GateInputs` the gate reads) and
    ``blend_weights`` (the constant blend's weights).
    """
    device = resolve_device(device)
    rng = random_state
    regression = not problem.is_classifier
    if regression:
        problem.y_mean, problem.y_scale = float(problem.y.mean()), float(problem.y.std()) or 1.0
        problem.y_standardised = (problem.y - problem.y_mean) / problem.y_scale
    everything = list(range(problem.n_experts))
    with Parallel(n_jobs=n_jobs) as parallel:
        fixed_out, models = _fixed_outputs(problem, everything, cv,
                                           rng.randint(2**31 - 1), parallel)
    raw = (fixed_out * problem.y_scale + problem.y_mean if regression
           else np.exp(fixed_out))
    gate_inputs = (GateInputs(regression, getattr(problem, "y_mean", 0.0),
                              getattr(problem, "y_scale", 1.0))
                   if LEVERS["experts_as_inputs"] else None)
    gate_X = problem.X if gate_inputs is None else gate_inputs.transform(problem.X, raw)
    blend_out, blend_y = _task_targets(problem, fixed_out)
    w = problem.sample_weight
    start_all = constant_blend_logits(blend_out, blend_y, w, regression)

    scaling = clone(gate_template).init(gate_X, problem.n_experts, 0)
    gate_problem = copy.copy(problem)  # X replaced by the gate's input
    gate_problem.X = gate_X
    data = TrainingData.from_problem(gate_problem, scaling, None, None, fixed_out, device)
    folds = _gate_folds(problem, LEVERS["gate_folds"], rng.randint(2**31 - 1))
    n = len(problem.y)
    held_out_logits = np.zeros((n, problem.n_experts))
    constant_held_out = np.zeros(n)
    runs = []
    for train, test in folds:
        start = constant_blend_logits(blend_out[train], None if blend_y is None
                                      else blend_y[train], w[train], regression)
        constant_held_out[test] = _per_row_loss(start[None, :], blend_out[test],
                                                None if blend_y is None else blend_y[test],
                                                regression)
        best = None
        for _ in range(n_init):
            seed = rng.randint(2**31 - 1)
            run = _run_once(gate_problem, gate_template, [], everything, fixed_out, data,
                            settings, seed, device, rows=train,
                            start_logits=start if LEVERS["start_at_constant"] else None)
            if best is None or run.score < best.score:
                best = run
        runs.append(best)
        with torch.no_grad():
            best.model.eval()
            z = data.z_gate[torch.as_tensor(test, device=data.z_gate.device)]
            held_out_logits[test] = to_numpy(best.model.gate(z))
    gate_held_out = _per_row_loss(held_out_logits, blend_out, blend_y, regression)
    gate_loss = float(np.average(gate_held_out, weights=w))
    constant_loss = float(np.average(constant_held_out, weights=w))
    use_gate = gate_loss < constant_loss or not LEVERS["fallback"]

    gate = scaling
    if use_gate:
        members = runs if LEVERS["bagged"] else runs[:1]
        gate.module_ = AveragedLogits([run.model.gate for run in members]).to(device).eval()
    else:
        gate.module_ = ConstantLogits(start_all).to(device)
    model = runs[0].model
    model.gate = gate.module_
    model.zero_grad(set_to_none=True)
    all_rows = torch.arange(n, device=device)
    _, per_row, weights = evaluate(model, data, all_rows, settings.loss)
    log_likelihood = None
    variances = None
    if regression:
        variances = _gate_weighted_variances(model, data, all_rows, problem)
        variances = np.maximum(variances, problem.variance_floor)
        G = to_numpy(weights)
        log_likelihood = float(np.average(
            logsumexp(np.log(np.maximum(G, 1e-300))
                      - 0.5 * (math.log(2 * math.pi) + np.log(variances)
                               + (problem.y[:, None] - raw) ** 2 / variances), axis=1),
            weights=w))
    else:
        log_likelihood = float(np.average(to_numpy(per_row), weights=w))
    history = []
    for k, run in enumerate(runs):
        for record in run.history:
            history.append({"fold": k, **record})
    return Bunch(experts=models, gate=gate, variances=variances, history=history,
                 n_iter=max(run.n_iter for run in runs),
                 converged=all(run.converged for run in runs),
                 log_likelihood=log_likelihood, expert_share=to_numpy(weights.mean(0)),
                 gate_inputs=gate_inputs, blend_weights=softmax(start_all),
                 gate_selected=use_gate,
                 out_of_fold_loss={"gate": gate_loss, "constant": constant_loss})


def _per_row_loss(logits, out, y, regression):
    """Per-row task loss of blends with (n, M) or (1, M) logits."""
    log_g = log_softmax(logits, axis=1)
    if regression:
        return ((np.exp(log_g) * out).sum(axis=1) - y) ** 2
    return -logsumexp(log_g + out, axis=1)
