"""End-to-end gradient training of a mixture of experts (``training="gradient"``).

The gate and every differentiable expert (torch MLP experts, see
:mod:`skmoe.experts`) are trained jointly by minibatch Adam on the mixture's
negative log-likelihood

    -log p(y | x) = -log sum_i g_i(x) p_i(y | x)

(or, ``loss="squared_error"``, on the squared error of the mixed prediction
``sum_i g_i(x) f_i(x)``), with early stopping on a validation split.

Experts that are not differentiable (trees, LightGBM, rules) are fitted
first. Their predictions on the training rows come from K-fold
cross-fitting (each row predicted by a model that did not see it), so the
gate learns how good they are on rows they have *not* memorised -- stacking,
but with a per-sample choice. For prediction they are refitted on all rows.

Torch MLP experts of one architecture are stacked into a
:class:`~skmoe._nn.BatchedMLP`: one ``baddbmm`` per layer for all of them.
The model (:class:`~skmoe._joint.JointMixture`), its loss and the tensors it
trains on are in :mod:`skmoe._joint`; this module trains it.

Regression works in standardised units (``(y - mean) / std``), with one
learnable log noise variance per expert.
"""

import math
import time
import warnings

import numpy as np
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Bunch
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.parallel import Parallel
from sklearn.utils.validation import _check_feature_names

from ._candidates import picked_log_likelihood, rival_check, rival_routing, routed_task_loss
from ._data import dense_numeric
from ._joint import (EVAL_CHUNK, JointMixture, TrainingData, _ExpertGroup, evaluate,
                     mixture_loss)
from ._likelihood import (fitted_noise_variances, floored_renormalised, log_proba_at_labels,
                          mix_probabilities)
from ._problem import fixed_outputs
from ._progress import epoch_done, progress_bar
from ._routing import straight_through
from ._torch_utils import (adam, device_array, device_standardisation, matmul_precision,
                           resolve_device, seeded_torch, standardisation, to_numpy)
from ._training import (EarlyStopping, diverged, minibatches, n_validation_rows,
                        not_converged_reason)
from .experts import constant_target, is_differentiable_expert, rule_out_classes_without_rows

# Replay training steps as CUDA graphs on a GPU (see Stepper).
CUDA_GRAPHS = True

# A top-k gate over fixed experts (or a top-1 gate beside torch experts) gives
# way to the best constant routing (the best expert alone for top-1) where
# that beats it by one standard error on the validation rows, or where the
# gate is no better on every row (_rival_if_better); the second switch is for
# the ablation benchmark (benchmarks/bench_topk_rival.py --all-rows).
TOPK_RIVAL = True
TOPK_RIVAL_ALL_ROWS = True


def _build(problem, gate_template, differentiable, fixed, fixed_out, device, seed,
           routing=None, scaling=None):
    """The joint model for one run, initialised from ``seed``.

    ``scaling``: the gate's input ``(mean, scale)``, when already computed.
    """
    gate = clone(gate_template).init(problem.X, problem.n_experts, seed, scaling=scaling,
                                     device=device)
    if routing is not None and routing.noisy_gating:
        gate.add_noise()
    groups = {}
    n_out = problem.n_classes or 1
    for i in differentiable:
        template = problem.templates[i]
        # One batched network per architecture (and weight decay, a per-group
        # optimiser setting, and matmul precision).
        key = (template._architecture(n_out), float(template.weight_decay),
               template._precision())
        groups.setdefault(key, []).append(i)
    expert_groups = []
    for (architecture, _, precision), positions in groups.items():
        # Each expert starts from the weights its own fit would start from.
        mlps = [problem.templates[i]._new_module(problem.torch_X.shape[1], n_out,
                                                 problem.templates[i]._seed())
                for i in positions]
        expert_groups.append(_ExpertGroup(positions, mlps, architecture, precision))
    log_variance = None
    if not problem.is_classifier:
        start = np.zeros(problem.n_experts)
        if fixed:
            # (Weighted: unweighted, integer weights trained another mixture
            # than their repeated rows.)
            start[fixed] = np.log(np.maximum(np.average(
                (problem.y_standardised[:, None] - fixed_out) ** 2, axis=0,
                weights=problem.sample_weight), 1e-6))
        log_variance = torch.as_tensor(start, dtype=torch.float32)
    model = JointMixture(gate.module_, expert_groups, fixed, problem.n_experts,
                         not problem.is_classifier, log_variance, routing,
                         gate.noise_module_).to(device)
    return gate, model


def _optimizer(model, gate, problem, learning_rate, graphs=False):
    gate_params = list(model.gate.parameters())
    if model.noise is not None:
        gate_params += list(model.noise.parameters())
    groups = [{"params": gate_params, "weight_decay": gate.alpha}]
    for group in model.groups:
        decay = problem.templates[int(group.positions[0])].weight_decay
        groups.append({"params": list(group.net.parameters()), "weight_decay": decay})
    if model.log_variance is not None:
        groups.append({"params": [model.log_variance], "weight_decay": 0.0})
    # The fused CUDA kernel updates every parameter in one launch.
    return adam(groups, lr=learning_rate, fused=next(model.parameters()).is_cuda or None,
                capturable=graphs)


class Stepper:
    """Minibatch Adam steps; on CUDA, full batches replay one captured CUDA graph.

    A step launches ~100 small kernels (gather, forward, backward, Adam), so
    for batches of a few thousand rows the CPU's launch overhead, not the GPU,
    sets the pace. With ``graphs=True`` the step of a full batch is captured
    once (after three ordinary warm-up steps, as CUDA graphs require) and then
    replayed with one launch; a last, smaller batch runs eagerly. Every step
    still runs exactly once on its own rows.

    ``total`` and ``share`` accumulate the weighted loss and gate weights on
    the device (no host synchronisation per minibatch).
    """

    WARMUP_STEPS = 3

    def __init__(self, model, optimizer, data, batch_size, loss, graphs=False):
        self.model, self.optimizer, self.data = model, optimizer, data
        self.batch_size, self.loss, self.graphs = batch_size, loss, graphs
        device = data.y.device
        self.total = torch.zeros((), device=device)
        self.share = torch.zeros(model.n_experts, device=device)
        self.graph, self.index, self.warm = None, None, 0
        self.step_precision = ("tf32" if any(g.precision == "tf32" for g in model.groups)
                               else "float32")

    def _step(self, rows):
        # TF32 experts: the backward pass's matmuls too (a process-wide switch).
        with matmul_precision(self.step_precision, self.data.y.device):
            self._step_in_precision(rows)

    def _step_in_precision(self, rows):
        zg, ze, fo, y, w = self.data.rows(rows)
        log_g, out, (penalty, dense_log_g) = self.model.forward_with_routing_terms(zg, ze, fo,
                                                                                  w)
        value, _ = mixture_loss(self.model, log_g, out, y, w, self.loss)
        objective = value
        if dense_log_g is not None:  # top-k: the gate learns from every expert
            dense, _ = mixture_loss(self.model, dense_log_g, out.detach(), y, w, self.loss)
            objective = straight_through(value, dense)
        (objective if penalty is None else objective + penalty).backward()
        self.optimizer.step()
        self.total += value.detach() * w.sum()
        self.share += (torch.exp(log_g.detach()) * w[:, None]).sum(0)

    def __call__(self, rows):
        if not self.graphs or len(rows) != self.batch_size:
            # After a capture the gradients live in the graph's memory: zero
            # them in place instead of dropping them.
            self.optimizer.zero_grad(set_to_none=self.graph is None)
            return self._step(rows)
        if self.graph is not None:
            self.index.copy_(rows)
            return self.graph.replay()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            self.optimizer.zero_grad(set_to_none=True)
            if self.warm < self.WARMUP_STEPS:
                self.warm += 1
                self._step(rows)
            else:
                self.index = rows.clone()
                graph = torch.cuda.CUDAGraph()
                try:
                    with torch.cuda.graph(graph):
                        self._step(self.index)
                    self.graph = graph
                except RuntimeError as exc:  # capture unsupported: stay eager
                    warnings.warn(f"CUDA graph capture failed ({exc}); training "
                                  "continues without graphs.", RuntimeWarning)
                    self.graphs = False
        torch.cuda.current_stream().wait_stream(side)
        if self.graph is not None:
            self.graph.replay()  # capturing ran nothing: this batch runs now
        elif not self.graphs:
            self.optimizer.zero_grad(set_to_none=True)
            self._step(rows)

    def epoch(self, train, generator):
        """One pass over the rows ``train`` in a random order."""
        self.model.train()
        self.total.zero_()
        self.share.zero_()
        for rows in minibatches(train, self.batch_size, generator):
            self(rows)
        return self.total, self.share


def _use_graphs(model, device, n_train, batch_size):
    """CUDA graphs pay off with enough full batches; dropout stays eager."""
    no_dropout = all(group.architecture[2] == 0 for group in model.groups)
    # Sparse routing has data-dependent shapes (capacity, random routing).
    return (CUDA_GRAPHS and device.type == "cuda" and no_dropout and model.routing is None
            and n_train // batch_size >= 8)


def _split(sample_weight, validation_fraction, seed, device):
    """Validation rows and training rows (every weight is positive: the
    mixture leaves rows of zero weight out)."""
    rng = np.random.RandomState(seed)
    n = len(sample_weight)
    shuffled = rng.permutation(n)
    n_val = n_validation_rows(validation_fraction, n)
    is_val = np.zeros(n, dtype=bool)
    is_val[shuffled[:n_val]] = True
    train = rng.permutation(np.flatnonzero(~is_val))
    return (torch.as_tensor(shuffled[:n_val], device=device),
            torch.as_tensor(train, device=device))


def _run_once(problem, gate_template, differentiable, fixed, fixed_out, data, settings,
              seed, device, scaling=None):
    with seeded_torch(seed):  # initial weights of the gate and experts, dropout
        gate, model = _build(problem, gate_template, differentiable, fixed, fixed_out, device,
                             seed, settings.routing, scaling)
        val, train = _split(problem.sample_weight, settings.validation_fraction, seed, device)
        graphs = _use_graphs(model, device, len(train), settings.batch_size)
        optimizer = _optimizer(model, gate, problem, settings.learning_rate, graphs)
        stepper = Stepper(model, optimizer, data, settings.batch_size, settings.loss, graphs)
        generator = torch.Generator().manual_seed(int(seed))
        log_y_scale = 0.0 if problem.is_classifier else math.log(problem.y_scale)
        stopping = EarlyStopping(settings.tol, settings.n_iter_no_change)
        history, converged = [], False
        bar = progress_bar(settings.max_epochs, "gradient", enabled=settings.verbose,
                           unit="epoch")
        for epoch in range(1, settings.max_epochs + 1):
            start_time = time.perf_counter()
            total, share = stepper.epoch(train, generator)
            train_w = data.w[train].sum().clamp_min(1e-12)
            record = {"epoch": epoch, "train_loss": (total / train_w).item(),
                      "expert_share": to_numpy(share / train_w)}
            if settings.loss == "nll":
                record["log_likelihood"] = -record["train_loss"] - log_y_scale
            if len(val):
                record["validation_loss"] = evaluate(model, data, val, settings.loss)[0]
            record["seconds"] = time.perf_counter() - start_time
            history.append(record)
            if settings.verbose:
                epoch_done(bar, "gradient", epoch, record)
            score = record.get("validation_loss", record["train_loss"])
            if not np.isfinite(score):
                raise diverged("The mixture's gradient training", settings.learning_rate,
                               f"its loss became {score} at epoch {epoch}",
                               scale_of="X, y and sample_weight")
            # Without held-out rows (validation_fraction=0) the mixture trains
            # for max_epochs, as documented and as the stacked gate does: this
            # loop stopped on the training loss (14 of 30 epochs for a top-1
            # mixture of fixed experts) while fit warned that n_iter_no_change
            # had no effect there, and tol and n_iter_no_change changed the fit.
            if len(val) and stopping.update(score, model):
                converged = True
                break
        bar.close()
        stopping.restore(model)
        if not len(val):
            # (The restarts of n_init are compared by the loss of the model kept.)
            stopping.best = score
        routing = settings.routing
        # (Not where the user asked for balanced routing: a constant routing
        # sends every row to the same experts. With torch experts, top-1 only,
        # the rival one of the fixed experts: a torch expert trained on the rows
        # routed to it is no expert for every row, and a constant blend with
        # it would need the torch experts' out-of-fold outputs.)
        if (TOPK_RIVAL and fixed and len(val)
                and routing is not None and routing.top_k is not None
                and routing.top_k < problem.n_experts and not routing.balance_coef
                and (not differentiable or routing.top_k == 1)):
            outputs = (fixed_out if not differentiable else _forward(
                model, data, torch.arange(len(problem.y), device=data.y.device))[1])
            rival, rival_loss = _rival_if_better(problem, gate, outputs, train.cpu().numpy(),
                                                 val.cpu().numpy(), routing.top_k, among=fixed)
        else:
            rival = rival_loss = None    # (no rival check: rival_selected_ is None)
    return Bunch(gate=gate, model=model, history=history, n_iter=epoch,
                 converged=converged, score=stopping.best, rival=rival,
                 rival_loss=rival_loss, held_out=bool(len(val)))


def _forward(model, data, index):
    """The trained model on the rows ``index``, in chunks, as numpy: log gate
    weights (n, M), the experts' outputs (n, M[, C]) (the fixed experts'
    out-of-fold ones), y and the weights."""
    columns = ([], [], [], [])
    model.eval()
    with torch.no_grad():
        for first in range(0, len(index), EVAL_CHUNK):
            zg, ze, fo, y, w = data.rows(index[first:first + EVAL_CHUNK])
            log_g, out = model(zg, ze, fo)
            for column, value in zip(columns, (log_g, out, y, w)):
                column.append(to_numpy(value))
    return tuple(np.concatenate(column) for column in columns)


def _scored_per_sample(problem, log_g, out, fixed, below_floor, routing):
    """Each row's log of the mixture's probability of its label, as
    ``predict_proba`` gives it (``class_prior_`` aside; the fixed experts'
    outputs out of fold).

    Training floors each fixed expert's probability at ``PROBA_FLOOR`` (its
    log is in the loss); reported so, ``log_likelihood_`` was above the mean
    log of ``predict_proba`` wherever an expert gave the label less. Here the
    fixed experts' probabilities are unfloored (``below_floor``, from
    :func:`~skmoe._problem.fixed_outputs`), mixed as ``predict_proba`` mixes
    them, and a routed mixture floored on every class and renormalised, as
    EM's and the stacked gate's figures are.
    """
    proba = np.exp(out.astype(np.float64))                        # (n, M, C)
    if below_floor is not None:
        (rows, columns, classes), values = below_floor
        proba[rows, np.asarray(fixed, dtype=int)[columns], classes] = values
    mixed = mix_probabilities(np.exp(log_g.astype(np.float64)), proba)
    if routing is not None and routing.top_k is not None and routing.top_k < problem.n_experts:
        mixed = floored_renormalised(mixed)
    return log_proba_at_labels(mixed, problem.y)


def _rival_if_better(problem, gate, fixed_out, train, val, top_k, among=None):
    """Set ``gate`` to its rival's constant routing if that beats it: ``(True,
    report)``, else ``(False, report)``; ``report`` (``rival_loss_``): the
    losses that decided (:func:`~skmoe._candidates.rival_check` on the
    validation rows, and the weighted mean losses on every row).

    A top-k gate learns from the dense mixture's loss, straight through
    (:func:`~skmoe._routing.straight_through`), and the top-k of a gate that
    is good for the dense mixture need not route a row to a good expert:
    with a line, a tree and k-NN on ``make_regimes`` a top-1 gate sent half
    of the rows to the line (RMSE 4.2 there, 1.5 for k-NN). Its rival
    (:func:`~skmoe._candidates.rival_routing`: the best expert on the
    training rows for top-1) and the gate are scored with the routed
    prediction that ``predict`` makes, on the experts' out-of-fold outputs.
    The rival replaces the gate if it is better by more than one standard
    error of the paired difference on the validation rows ``val``, or if
    the gate is no better on every row. The validation rows alone are too
    few on small data (13 on ``wine``), and the gate was early-stopped on
    them; every row is mostly rows the gate was trained on, which favours
    it, so a gate that does not win there would not win on new rows (on
    ``Pima`` the top-1 gate's routed log-loss on its own training rows was
    1.55, the best expert's 0.48; the gate scored 0.78 on new rows, the
    best expert 0.47). ``fixed_out``: every expert's outputs; ``among``: the
    experts the rival is chosen from (the fixed ones, where torch experts
    trained with the gate: their outputs on the training rows are not
    honest, and they learned from the rows routed to them only).
    """
    regression = not problem.is_classifier
    y = problem.y_standardised if regression else problem.y
    w = problem.sample_weight
    picked = fixed_out if regression else picked_log_likelihood(fixed_out, problem.y)
    proba = rival_routing(picked[train], y[train], w[train], regression, top_k, among)
    out = fixed_out if regression else np.exp(fixed_out)
    gate_loss = routed_task_loss(gate.logits(problem.X), out, y, top_k, regression)
    rival_loss = routed_task_loss(np.log(proba), out, y, top_k, regression)
    # On every row the gate is scored mostly on rows it was trained on, which
    # favours it: a gate that is not better there is not better.
    not_better_in_sample = TOPK_RIVAL_ALL_ROWS and (np.average(gate_loss, weights=w)
                                                    >= np.average(rival_loss, weights=w))
    wins, report = rival_check(gate_loss[val], rival_loss[val], w[val])
    report.update(gate_every_row=float(np.average(gate_loss, weights=w)),
                  rival_every_row=float(np.average(rival_loss, weights=w)))
    if not_better_in_sample or wins:
        gate.fit_constant(proba)
        return True, report
    return False, report


def _export_experts(problem, model, differentiable, x_mean, x_scale, device, n_iter,
                    history):
    """Unstack the batched networks into fitted TorchMLP estimators."""
    experts = {}
    # A constant target is its constant, as a TorchMLPRegressor fitted alone
    # predicts it.
    constant = (None if problem.is_classifier
                else constant_target(problem.y, problem.sample_weight))
    for group in model.groups:
        _, activation, dropout, _ = group.architecture
        for position, mlp in zip(group.positions.tolist(),
                                 group.net.to_mlps(activation, dropout)):
            expert = clone(problem.templates[position])
            if problem.is_classifier:
                expert.classes_ = np.arange(problem.n_classes)
            else:
                expert.y_mean_, expert.y_scale_ = ((constant, 0.0) if constant is not None
                                                   else (problem.y_mean, problem.y_scale))
            expert.n_features_in_ = problem.torch_X.shape[1]
            # The names of a DataFrame's columns, as its own fit would keep them.
            _check_feature_names(expert, problem.expert_X, reset=True)
            experts[position] = expert._set_fitted(mlp, x_mean, x_scale, device, n_iter,
                                                   history)
            if problem.is_classifier:
                # (A class of rows of zero weight only, left out, as a
                # TorchMLPClassifier fitted alone rules it out.)
                rule_out_classes_without_rows(mlp, problem.y, problem.sample_weight,
                                              problem.n_classes)
    return experts


def _fitted_variances(forward, problem, start):
    """The noise variances that fit the trained mixture's density best, its gate
    and experts held fixed (``_likelihood.fitted_noise_variances``), from
    ``start`` (standardised units) or, if None, the gate-weighted residuals,
    and the mean log-likelihood per row they give (in y's units); ``forward``:
    :func:`_forward`'s output on every row."""
    log_g, out, y, w = forward
    floor = problem.variance_floor / problem.y_scale ** 2      # (standardised units)
    variances, log_likelihood = fitted_noise_variances(y, out, log_g, w, floor, start)
    return variances * problem.y_scale ** 2, log_likelihood - math.log(problem.y_scale)


def _check_trained_experts(problem, log_g, out, differentiable, learning_rate, loss):
    """Raise where the mixture trained with torch experts kept diverged
    without becoming NaN, as :meth:`~skmoe.experts.TorchMLPRegressor.fit`
    refuses a network fitted alone; warn of a diverged torch expert that the
    gate routes around.

    Only a NaN loss was an error: with two torch experts and
    learning_rate=10 a mixture predicted with a mean squared error of 1e5 on
    a target of variance 4.3 (1.7e13 at 30), silently. As in
    ``_check_kept_loss``, a loss over 10 times that of a fit that learnt
    nothing (the mean: 1 in standardised units; equal probabilities:
    log(n_classes)) is diverged: the mixture's prediction's (the mixed mean,
    or the mixed probability of the label) is an error, naming the torch
    experts at fault. A torch expert's own loss, weighted by its gate weights
    (the rows it is trained on: a specialist may be poor elsewhere), is only
    a warning: beside a ridge expert one with a mean squared error of 6e4 was
    kept in ``experts_`` while the gate predicted with the ridge alone; the
    mixture was right, the expert dead. (Not with ``loss="squared_error"``:
    the experts are trained to be right together, and one alone may be far
    off, 20 times the mean's loss at learning_rate=0.03 on ``diabetes``
    with the mixture at 1.5.) ``log_g`` and ``out``: :func:`_forward`'s, on
    every row.
    """
    y, w = problem.y, problem.sample_weight
    if problem.is_classifier:
        reference = math.log(len(np.unique(y)))
        words = f"equal probabilities for the classes cost {reference:.3g}"
    else:
        reference = 0.0 if constant_target(y, w) is not None else 1.0
        words = "predicting the mean costs 1 (the loss is on the standardised target)"
    if not reference or not differentiable:
        return
    gate = np.exp(log_g.astype(np.float64))
    out = out.astype(np.float64)
    if problem.is_classifier:
        own = -out[np.arange(len(y)), :, y.astype(np.int64)]                 # (n, M)
        mixed = -np.log(np.maximum((gate * np.exp(-own)).sum(1), 1e-300))
    else:
        own = (out - problem.y_standardised[:, None]) ** 2
        mixed = ((gate * out).sum(1) - problem.y_standardised) ** 2
    at_fault = []
    for i in differentiable if loss != "squared_error" else ():
        # (An expert the gate never uses is scored on every row: it is in experts_.)
        weight = w * gate[:, i]
        kept = float(np.average(own[:, i], weights=weight if weight.sum() > 0 else w))
        if not kept <= 10 * reference:
            at_fault.append((problem.names[i], kept))
    mixed_loss = float(np.average(mixed, weights=w))
    advice = (f"lower learning_rate (now {learning_rate!r}) or check the scale of X, y "
              "and sample_weight")
    experts = ", ".join(f"{name!r} ({value:.3g} on the rows the gate gives it)"
                        for name, value in at_fault)
    if not mixed_loss <= 10 * reference:
        named = experts or ", ".join(repr(problem.names[i]) for i in differentiable)
        raise diverged(f"The mixture's gradient training (torch experts: {named})",
                       learning_rate, f"the mixture's loss is {mixed_loss:.3g}, "
                       f"where {words}", scale_of="X, y and sample_weight")
    if at_fault:
        warnings.warn(f"Torch expert(s) {experts} diverged, where {words}; the gate routes "
                      f"around them (the mixture's loss is {mixed_loss:.3g}), and they are "
                      f"kept in experts_ as they are: {advice}.", UserWarning, stacklevel=7)


def _check_torch_expert(name, template):
    """A torch expert's parameters, as its own fit checks them.

    Trained with the gate, it is never fitted itself: activation='xx' failed
    as a bare KeyError, dropout=2.0 inside torch, naming no expert, and
    weight_decay=-1.0 was used as it was.
    """
    try:
        template._validate_params()
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"Expert {name!r}: {exc}") from None


def _warn_identical_experts(problem):
    """Warn that the joint trainer's fixed experts gave the same predictions
    on every row, so that no routing can tell them apart.

    Copies of one estimator that no seed varies (``n_experts`` copies of
    Ridge, ``training='gradient'`` with ``top_k`` or ``cv=None``) are one
    fitted model: the mixture predicted as that estimator alone (to the last
    digit), and top_k, the routing options and the gate's training had no
    effect, without a word. (Called from :func:`fit_gradient`, called from
    the trainer's ``fit``: ``stacklevel=7`` points at the caller of the
    estimator's ``fit``.)
    """
    warnings.warn(
        f"The experts {problem.names} gave the same predictions on every row, so the "
        "gate has nothing to choose between: the mixture predicts as one of them alone. "
        "Copies of one estimator that no seed varies are one model unless each is fitted "
        "on rows of its own, as training='em' does (what training='auto' picks for "
        "them); or give experts that differ.", UserWarning, stacklevel=7)


def fit_gradient(problem, gate_template, *, cv, max_epochs, learning_rate, batch_size,
                 loss, validation_fraction, n_iter_no_change, tol, n_init, device, n_jobs,
                 random_state, verbose=0, routing=None):
    """Train the gate and the differentiable experts jointly by minibatch Adam.

    Returns
    -------
    result : Bunch
        Shaped like :func:`skmoe._em.fit_em`'s: ``experts``, ``gate``,
        ``variances`` (regression), ``history`` (one dict per epoch),
        ``n_iter``, ``converged``, ``log_likelihood``.
    """
    device = resolve_device(device)
    rng = random_state
    differentiable = [i for i, t in enumerate(problem.templates)
                      if is_differentiable_expert(t)]
    for i in differentiable:
        _check_torch_expert(problem.names[i], problem.templates[i])
    fixed = [i for i in range(problem.n_experts) if i not in set(differentiable)]
    x_mean = x_scale = None
    if differentiable:
        # The torch experts' inputs: X as the experts get it, as numbers.
        # (Which experts, and the way out, named: "torch MLP experts (trained
        # with the gate) need numeric X; the column(s) 'c' are not numbers."
        # named neither, where the same expert fitted alone, in EM or an
        # ensemble, says how to encode them.)
        torch_names = [problem.names[i] for i in differentiable]
        try:
            problem.torch_X = dense_numeric(problem.expert_X, "torch MLP experts "
                                            "(trained with the gate)")
        except ValueError as exc:
            if "sparse input is not supported" in str(exc):
                # (Named neither the experts nor a way to keep X sparse for
                # the others.)
                raise ValueError(
                    f"{exc} Expert(s) {torch_names}: pass X dense, or make each a Pipeline "
                    "that makes X dense (e.g. FunctionTransformer(lambda X: X.toarray(), "
                    "accept_sparse=True)) before the network; it is then fitted on its own, "
                    "before the gate, as the other experts are.") from exc
            if "are not numbers" not in str(exc):
                raise
            raise ValueError(
                f"{exc} Expert(s) {torch_names}: encode them first, or make each a Pipeline "
                "with an encoder (e.g. a ColumnTransformer with a OneHotEncoder) before the "
                "network; it is then fitted on its own, before the gate, as the other "
                "experts are.") from exc
        if np.isnan(problem.torch_X).any():
            raise ValueError("X contains NaN; torch MLP experts do not accept missing values.")
        # Usually the same numbers as the gate's view: then one device copy.
        problem.torch_X_is_gate_X = (problem.torch_X.shape == problem.X.shape
                                     and np.array_equal(problem.torch_X, problem.X))
    with Parallel(n_jobs=n_jobs) as parallel:
        fixed_out, fixed_models, below_floor = fixed_outputs(
            problem, fixed, cv, rng.randint(2**31 - 1), parallel)
    if not differentiable and np.all(fixed_out == fixed_out[:, :1]):
        _warn_identical_experts(problem)
    # X goes to the device once. The gate's input scaling depends on X only,
    # and the torch experts use the same: computed there once, for every run.
    # Weighted by the user's weights (a row of weight 3 as its three copies;
    # unweighted, rows of weight 1e-9 far out set the scaling), as the torch
    # experts fitted alone weigh theirs.
    X_device = device_array(problem.X, device)
    scaling = device_standardisation(X_device, problem.X, problem.sample_weight)
    if differentiable:
        x_mean, x_scale = (scaling if problem.torch_X_is_gate_X
                           else standardisation(problem.torch_X, problem.sample_weight))
    settings = Bunch(max_epochs=max_epochs, learning_rate=learning_rate,
                     batch_size=batch_size, loss=loss, validation_fraction=validation_fraction,
                     n_iter_no_change=n_iter_no_change, tol=tol, verbose=verbose,
                     routing=routing)
    scaled = clone(gate_template).init(problem.X, problem.n_experts, 0, scaling=scaling,
                                       device=device)
    data = TrainingData.from_problem(problem, scaled, x_mean, x_scale, fixed_out, device,
                                     X_device)
    del X_device
    best = None
    for _ in range(n_init):
        seed = rng.randint(2**31 - 1)
        run = _run_once(problem, gate_template, differentiable, fixed, fixed_out, data,
                        settings, seed, device, scaling)
        if best is None or run.score < best.score:
            best = run
    gate, model = best.gate, best.model
    model.zero_grad(set_to_none=True)  # frees the gradients (and a CUDA graph's pool)
    everything = torch.arange(len(problem.y), device=device)
    forward = _forward(model, data, everything)
    log_g, out = forward[:2]
    _check_trained_experts(problem, log_g, out, differentiable, learning_rate, loss)
    if problem.is_classifier:
        per_sample = _scored_per_sample(problem, log_g, out, fixed, below_floor, routing)
        log_likelihood = float(np.average(per_sample, weights=problem.sample_weight))
        variances = None
    else:
        per_sample = None
        # The noise scales that fit the trained gate and experts best: the task
        # loss does not train them, and the likelihood's minibatch steps leave
        # them short of it (6.1 against 0.24 and 2.4 after 100 epochs on
        # tests/test_likelihood.py's two-component data).
        trained = (None if loss == "squared_error" else
                   np.exp(to_numpy(model.log_variance)))
        variances, log_likelihood = _fitted_variances(forward, problem, trained)
    # Predicting in float64, as the stacked gate (_blend.py): in float32 a
    # row's gate weights moved by 3e-8 with the rows predicted with it.
    gate.use_module(model.gate, dtype=torch.float64)
    exported = _export_experts(problem, model, differentiable, x_mean, x_scale, device,
                               best.n_iter, best.history)
    experts = [exported[i] if i in exported else fixed_models[fixed.index(i)]
               for i in range(problem.n_experts)]
    # (Not where the rival's constant routing replaced the trained gate: the
    # advice to train it longer was given for a gate that predict never uses.)
    # (Not where no row was held out: a validation_fraction of fewer than
    # three rows holds out none, and the warning spoke of a validation loss
    # that no row had.)
    if not best.converged and best.held_out and not best.rival:
        warnings.warn(
            f"Gradient training did not converge in max_epochs={max_epochs} epochs "
            + not_converged_reason("validation loss", "max_epochs", max_epochs,
                                   n_iter_no_change), ConvergenceWarning)
    return Bunch(experts=experts, gate=gate, variances=variances, history=best.history,
                 n_iter=best.n_iter, converged=best.converged,
                 log_likelihood=log_likelihood, per_sample=per_sample,
                 rival=best.rival, rival_loss=best.rival_loss)
