"""EM's levers, switched one at a time on the same splits (``training="em"``).

Each variant sets module constants of :mod:`skmoe._em` (every constant that
any variant touches is reset to its default first) and fits the benchmark
suite's EM mixture on the same splits as ``run_benchmarks.py``; the script
prints, per dataset and variant, the mean test score, the median fit time,
the mean number of iterations and the share of fits without a
ConvergenceWarning. Variants whose switch has since been removed from
``skmoe._em`` fail with an AttributeError: run them from the commit named in
``benchmarks/results/em_levers.md``. A variant may also pass constructor
parameters (``_params``) or patch a function for the run (``_patch``: a
function that installs the patch and returns one that removes it); the
round-6 variants (``benchmarks/results/gate_levers_round6.md``) do.

Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_em_levers.py --splits 5 \\
        --datasets regimes mcycle --variants default "floor 0" --reference moe

The column "vs" pairs each row with the first variant split by split;
``--reference`` fits other methods of the suite on the same splits;
``--pool pair`` fits EM over round 4's linear model and depth-4 tree
instead of the suite's pool; ``--datasets`` also takes the ``UNSEEN`` and
``GENERATED`` sets below; ``--jsonl`` keeps every split's figures.
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run_benchmarks import _scores, _splits, build_method, load  # noqa: E402

VARIANTS = {
    "default": {},
    "equal-weights start": {"CONSTANT_BLEND_START": False},
    "patience 2": {"PATIENCE": 2},
    "floor 0": {"WEIGHT_FLOOR": 0.0},
    "floor 0.03": {"WEIGHT_FLOOR": 0.03},
    "3 gate-only steps per M-step": {"GATE_INNER_STEPS": 3},
    "gate reads X only": {"GATE_READS_EXPERTS": False},
    "keep by squared error": {"KEEP_BY": "squared_error"},
    "start from matched regions": {"_params": {"init_params": "matched"}},
    "start from k-means regions": {"_params": {"init_params": "kmeans"}},
    "start from matched regions, floor 0.1": {"_params": {"init_params": "matched"},
                                               "REGION_START_FLOOR": 0.1},
    "start from k-means regions, floor 0.1": {"_params": {"init_params": "kmeans"},
                                              "REGION_START_FLOOR": 0.1},
    "relative floor 0.4": {"_patch": lambda: _relative_floor(0.4)},
    "gate inputs clipped at 3 sd": {"_patch": lambda: _gate_clip(3.0)},
    "gate inputs clipped at 2 sd": {"_patch": lambda: _gate_clip(2.0)},
    "gate inputs winsorised at 1 %": {"_patch": lambda: _gate_winsorised(0.01)},
    "5 folds": {"_params": {"cv": 5}},
    "5 folds, floor 0.03": {"_params": {"cv": 5}, "WEIGHT_FLOOR": 0.03},
    "revive dead experts": {"REVIVE_DEAD_EXPERTS": True},
    "start from matched regions, patience 4, 30 iterations": {
        "_params": {"init_params": "matched", "max_iter": 30}, "PATIENCE": 4},
    "local noise scales (k-NN, k = 20)": {"_patch": lambda: _local_noise(20)},
    "local noise scales (k-NN, k = 40)": {"_patch": lambda: _local_noise(40)},
    "one noise scale shared by the experts": {"_patch": lambda: _local_noise(None,
                                                                             shared=True)},
    "one local noise scale shared by the experts (k = 20)": {
        "_patch": lambda: _local_noise(20, shared=True)},
    "tempered E-step (likelihoods x 0.5)": {"_patch": lambda: _tempered(0.5)},
    "tempered E-step (likelihoods x 0.25)": {"_patch": lambda: _tempered(0.25)},
    "stacked gate over EM's experts": {"_patch": lambda: _stacked_after_em(False)},
    "stacked gate over EM's and the full-data experts": {
        "_patch": lambda: _stacked_after_em(True)},
    "matched start, stacked gate over EM's and the full-data experts": {
        "_params": {"init_params": "matched"}, "_patch": lambda: _stacked_after_em(True)},
    "matched start, stacked gate over EM's (no floor) and the full-data experts": {
        "_params": {"init_params": "matched"},
        "_patch": lambda: _stacked_after_em(True, floor=0.0)},
    # Round 2 (benchmarks/results/em_levers_round2.md; LEVEL2_SE is in the
    # patch given there, not in skmoe._em; LEVEL2_SHARE is, on since round 6,
    # em_levers_round6.md).
    "level-2 share": {"LEVEL2_SHARE": True},
    "no level-2 share": {"LEVEL2_SHARE": False},
    "level-2 share if it beats EM's gate by 1 SE": {"LEVEL2_SHARE": True, "LEVEL2_SE": True},
    "floor 0.25": {"WEIGHT_FLOOR": 0.25},
    "floor 0.5": {"WEIGHT_FLOOR": 0.5},
    "floor 1": {"WEIGHT_FLOOR": 1.0},
    "3 restarts": {"_params": {"n_init": 3}},
    "noise z 0": {"NOISE_Z": 0.0},
    "noise z 2": {"NOISE_Z": 2.0},
    "gate alpha 0.01": {"_params": {"gate": "alpha=0.01"}},
    "gate alpha 0.1": {"_params": {"gate": "alpha=0.1"}},
    "gate alpha 1": {"_params": {"gate": "alpha=1.0"}},
    "k-means start, stacked gate over EM's (no floor) and the full-data experts": {
        "_params": {"init_params": "kmeans"},
        "_patch": lambda: _stacked_after_em(True, floor=0.0)},
    # Round 3 (benchmarks/results/em_levers_round3.md): its three levers ...
    "weightless experts on a thinned sample": {"_patch": lambda: _thinned_resample()},
    "experts refitted with the gate's prior": {"_patch": lambda: _prior_weighted_experts()},
    "warm gate fits to 50 iterations": {"_params": {"gate": "warm_max_iter=50"}},
    "warm gate fits to 100 iterations": {"_params": {"gate": "warm_max_iter=100"}},
    "warm gate fits to 300 iterations": {"_params": {"gate": "warm_max_iter=300"}},
    # ... and the checks of its diagnosis (evidence from more folds, experts
    # kept at their full-data fits, EM run past the first dip).
    "10 folds": {"_params": {"cv": 10}},
    "fixed experts (floor 1e6)": {"WEIGHT_FLOOR": 1e6},
    "fixed experts (floor 1e6), 10 folds": {"WEIGHT_FLOOR": 1e6, "_params": {"cv": 10}},
    "warm gate fits to 100 iterations, 5 folds": {"_params": {"gate": "warm_max_iter=100",
                                                              "cv": 5}},
    "warm gate fits to 100 iterations, 10 folds": {"_params": {"gate": "warm_max_iter=100",
                                                               "cv": 10}},
    "warm gate fits to 100 iterations, patience 2": {
        "_params": {"gate": "warm_max_iter=100"}, "PATIENCE": 2},
    # Round 5 (benchmarks/results/em_levers_round5.md; its switches were
    # removed after it, run them from the commit it names): EM from each
    # start, on the same folds, and the run with the best held-out
    # log-likelihood kept (a region start must beat the constant blend's by
    # START_NOISE_Z paired standard errors).
    "best of constant-blend and matched starts": {
        "CROSS_FITTED_STARTS": ("uniform", "matched")},
    "best of constant-blend and k-means starts": {
        "CROSS_FITTED_STARTS": ("uniform", "kmeans")},
    "best of constant-blend, matched and k-means starts": {
        "CROSS_FITTED_STARTS": ("uniform", "matched", "kmeans")},
    "best of constant-blend and matched starts, by 1 SE": {
        "CROSS_FITTED_STARTS": ("uniform", "matched"), "START_NOISE_Z": 1.0},
    "best of constant-blend and k-means starts, by 1 SE": {
        "CROSS_FITTED_STARTS": ("uniform", "kmeans"), "START_NOISE_Z": 1.0},
}

# Regression sets of the unseen rounds with regimes (round 6's loader; entries
# as in bench_accuracy_unseen_round9.py and _round20.py): two eruption
# regimes (geyser), mcycle-like curves with changing noise (GAGurine, attenu),
# growth curves by variety and year (Soybean).
UNSEEN = {
    "geyser": ("MASS", "geyser", "duration", "regression", ()),
    "GAGurine": ("MASS", "GAGurine", "GAG", "regression", ()),
    "attenu": ("datasets", "attenu", "accel", "regression", ("event", "station")),
    "Soybean": ("nlme", "Soybean", "weight", "regression", ("Plot",)),
}

# Round 4's generators with known regimes (diagnose_em_round4._generated).
GENERATED = ("moons", "line_then_steps", "linear_then_xor")

# Other methods of run_benchmarks.build_method fitted on the same splits
# (--reference), whose per-split scores the variants are paired with.
REFERENCES = ("moe", "stacking", "caruana")


def _thinned_resample():
    """Experts without ``sample_weight`` (k-NN) get each row at most once: row n
    is kept with probability ``w_n / max(w)`` (systematic sampling of the
    inclusion probabilities), instead of ``n`` draws in proportion to ``w``,
    whose duplicates leave a 15-NN fewer than 15 distinct neighbours."""
    import skmoe._base as base
    original = base._systematic_resample

    def thinned(weight, rng):
        p = weight / weight.max()
        cumulative = np.cumsum(p) + rng.uniform()
        counts = np.diff(np.floor(np.concatenate([[cumulative[0] - p[0]], cumulative])))
        rows = np.flatnonzero(counts > 0)
        return rows if len(rows) >= 2 else original(weight, rng)
    base._systematic_resample = thinned
    return lambda: setattr(base, "_systematic_resample", original)


def _prior_weighted_experts():
    """The experts are refitted with the gate's held-out prior ``g(x)`` (the
    logits the E-step used) instead of the posterior responsibilities, which
    select rows by their noise (y near the expert's own prediction); the gate
    and the noise variances still fit the posterior."""
    import skmoe._em as em
    from scipy.special import softmax
    original_e, original_floored = em.e_step, em.floored

    class WithPrior(np.ndarray):
        prior = None

    def e_step(problem, logits, noise, log_lik, options, generator):
        R, per_sample = original_e(problem, logits, noise, log_lik, options, generator)
        R = R.view(WithPrior)
        R.prior = softmax(np.asarray(logits, dtype=np.float64), axis=1)
        return R, per_sample

    def floored(R, floor=0.0, sample_weight=None):
        prior = getattr(R, "prior", None)
        return original_floored(np.asarray(R) if prior is None else prior, floor,
                                sample_weight)
    em.e_step, em.floored = e_step, floored

    def undo():
        em.e_step, em.floored = original_e, original_floored
    return undo


def _stacked_after_em(with_full_data, floor=None):
    """EM specialises the experts (its responsibilities, floored as EM refits
    with), then the default's stacked gate is trained over them -- over them
    and the full-data experts with ``with_full_data`` -- instead of EM's gate."""
    import copy
    from inspect import signature

    import skmoe._em as em
    import skmoe._trainers as trainers
    from sklearn.utils import Bunch
    from skmoe import MixtureOfExpertsClassifier
    from skmoe._blend import fit_stacked_gate
    from skmoe._routing import is_dense
    original = trainers.fit_em
    defaults = {k: p.default for k, p in
                signature(MixtureOfExpertsClassifier.__init__).parameters.items()}

    def fit_em(problem, gate_template, **kwargs):
        result = original(problem, gate_template, **kwargs)
        if not is_dense(kwargs["routing"]):
            return result
        keep = [problem.names.index(n) for n in result.names]
        sub = problem.subset(keep)
        w = problem.sample_weight
        R = em.floored(result.responsibilities,
                       em.WEIGHT_FLOOR if floor is None else floor, w)
        pool = copy.copy(sub)
        if with_full_data:
            pool.names = list(sub.names) + [f"{n} (EM)" for n in sub.names]
            pool.templates = list(sub.templates) * 2
            weights = np.hstack([np.ones_like(R), R])
        else:
            pool.names = [f"{n} (EM)" for n in sub.names]
            weights = R
        base_cross_fit = type(pool).cross_fit

        def cross_fit(self, R_, folds, parallel, seed, refit=False, keep_fold_fits=False):
            return base_cross_fit(self, weights if R_ is None else R_, folds, parallel, seed,
                                  refit=refit, keep_fold_fits=keep_fold_fits)
        pool.cross_fit = cross_fit.__get__(pool)
        settings = Bunch(max_epochs=defaults["max_epochs"],
                         learning_rate=defaults["learning_rate"],
                         batch_size=defaults["batch_size"],
                         loss="nll" if problem.is_classifier else "squared_error",
                         validation_fraction=defaults["validation_fraction"],
                         n_iter_no_change=defaults["n_iter_no_change"], tol=defaults["tol"],
                         verbose=0, routing=kwargs["routing"])
        stacked = fit_stacked_gate(pool, gate_template, cv=5, settings=settings, n_init=1,
                                   device="cpu", n_jobs=1,
                                   random_state=kwargs["random_state"],
                                   refit_experts=problem.is_classifier)
        stacked.names = pool.names
        stacked.history, stacked.n_iter = result.history, result.n_iter
        stacked.converged = result.converged
        return stacked

    trainers.fit_em = fit_em
    return lambda: setattr(trainers, "fit_em", original)


def _tempered(beta):
    """Deterministic-annealing E-step (Ueda & Nakano, 1998) at a fixed
    temperature: the experts' log-likelihoods times ``beta`` in the
    responsibilities (softer ones for beta < 1); the gate prior, the M-step
    and the held-out likelihood EM stops on are unchanged."""
    import skmoe._em as em
    original = em.e_step

    def e_step(problem, logits, noise, log_lik, options, generator):
        R, per_sample = original(problem, logits, noise, beta * log_lik, options, generator)
        _, untempered = original(problem, logits, noise, log_lik, options, generator)
        return R, untempered
    em.e_step = e_step
    return lambda: setattr(em, "e_step", original)


def _local_noise(k, shared=False):
    """Each expert's noise variance at a row: the responsibility-weighted mean
    squared residual over the row's ``k`` nearest neighbours in the gate's
    standardised view, shrunk toward the expert's global variance (a prior
    weight of ``k / 4`` rows). Training-time likelihoods only (the fitted
    ``noise_variance_`` keeps each expert's global variance)."""
    from sklearn.neighbors import NearestNeighbors

    import skmoe._em as em
    import skmoe._problem as problem_module
    from skmoe._likelihood import LOG_2PI, noise_variances
    original_variances = problem_module.EMProblem.variances
    original_loglik = problem_module.gaussian_log_likelihood
    original_finish = em._finish
    cache = {}

    def neighbours(X):
        key = id(X)
        if key not in cache:
            Z = np.asarray(X, dtype=np.float64)
            Z = (Z - Z.mean(axis=0)) / np.where(Z.std(axis=0) > 0, Z.std(axis=0), 1.0)
            n_neighbors = min(k, len(Z))
            cache.clear()
            cache[key] = NearestNeighbors(n_neighbors=n_neighbors).fit(Z).kneighbors(
                Z, return_distance=False)
        return cache[key]

    def variances(self, outputs, weights, residual2=None):
        if self.is_classifier:
            return None
        if residual2 is None:
            residual2 = (self.y_standardised[:, None] - outputs) ** 2
        global_ = noise_variances(self.y_standardised, outputs, weights,
                                  problem_module.VARIANCE_FLOOR, residual2)
        if shared:
            # One variance for every expert: the responsibilities then rank the
            # experts by their residuals alone.
            total = (weights * residual2).sum() / max(weights.sum(), 1e-300)
            global_ = np.full_like(global_, max(total, problem_module.VARIANCE_FLOOR))
            if k is None:
                return global_
            pooled = (weights * residual2).sum(axis=1, keepdims=True)
            weights = np.broadcast_to(weights.sum(axis=1, keepdims=True), weights.shape)
            residual2 = np.broadcast_to(pooled / np.maximum(weights, 1e-300), weights.shape)
        elif k is None:
            return global_
        nbrs = neighbours(self.X)
        prior = k / 4.0 * weights.mean(axis=0)
        numerator = (weights * residual2)[nbrs].sum(axis=1) + prior * global_
        denominator = weights[nbrs].sum(axis=1) + prior
        return np.maximum(numerator / denominator, problem_module.VARIANCE_FLOOR)

    def loglik(y, predictions, variances, residual2=None):
        if np.ndim(variances) == 1:
            return original_loglik(y, predictions, variances, residual2)
        if residual2 is None:
            residual2 = (y[:, None] - predictions) ** 2
        return -0.5 * (residual2 / variances + LOG_2PI + np.log(variances))

    def finish(run, parallel):
        result = original_finish(run, parallel)
        if result.variances is not None and np.ndim(result.variances) == 2:
            result.variances = result.variances.mean(axis=0)
        return result

    problem_module.EMProblem.variances = variances
    problem_module.gaussian_log_likelihood = loglik
    em._finish = finish

    def undo():
        problem_module.EMProblem.variances = original_variances
        problem_module.gaussian_log_likelihood = original_loglik
        em._finish = original_finish
    return undo


def _relative_floor(f):
    """Refit weights ``(R_i + f mean R_i) / ((1 + f) mean R_i)``: mean one per
    expert and a floor relative to its own share, instead of ``R + WEIGHT_FLOOR``."""
    import skmoe._em as em
    original = em.floored

    def floored(R, floor=0.0):
        if floor == 0.0:
            return original(R, floor)
        mean = R.mean(axis=0)
        return (R + f * mean) / ((1 + f) * np.maximum(mean, 1e-300))
    em.floored = floored
    return lambda: setattr(em, "floored", original)


def _gate_clip(limit):
    """The MLP gate's standardised inputs clipped at ``limit`` sd instead of 5."""
    import skmoe.gates as gates
    original = gates.INPUT_CLIP
    gates.INPUT_CLIP = limit
    return lambda: setattr(gates, "INPUT_CLIP", original)


def _gate_winsorised(q):
    """The MLP gate's inputs clipped to the [q, 1 - q] quantiles of the rows it
    was initialised on (and to 5 sd), so it never extrapolates past the bulk."""
    import torch
    from skmoe.gates import INPUT_CLIP, MLPGate
    init, clip = MLPGate.init, MLPGate.clip

    def quantile_init(self, X, *args, **kwargs):
        init(self, X, *args, **kwargs)
        low, high = np.nanquantile(np.asarray(X, dtype=np.float64), [q, 1 - q], axis=0)
        self.input_low_ = np.maximum(np.nan_to_num((low - self.mean_) / self.scale_,
                                                   nan=-INPUT_CLIP), -INPUT_CLIP)
        self.input_high_ = np.minimum(np.nan_to_num((high - self.mean_) / self.scale_,
                                                    nan=INPUT_CLIP), INPUT_CLIP)
        return self

    def quantile_clip(self, Z):
        low = torch.as_tensor(self.input_low_, dtype=Z.dtype, device=Z.device)
        high = torch.as_tensor(self.input_high_, dtype=Z.dtype, device=Z.device)
        return torch.clamp(Z, low, high)
    MLPGate.init, MLPGate.clip = quantile_init, quantile_clip
    return lambda: (setattr(MLPGate, "init", init), setattr(MLPGate, "clip", clip))


def _params(variant):
    """The variant's constructor parameters; a gate given as "alpha=0.1" is an
    MLPGate with that setting (the default gate's others; "warm_max_iter=100",
    a whole number, is passed as an int)."""
    params = dict(VARIANTS[variant].get("_params") or {})
    if isinstance(params.get("gate"), str):
        from skmoe import MLPGate
        key, value = params["gate"].split("=")
        number = float(value)
        params["gate"] = MLPGate(**{key: int(number) if number.is_integer() and "." not in value
                                    else number})
    return params or None


def _constants(variant):
    """The variant's module constants of ``skmoe._em`` (not its ``_params``/``_patch``)."""
    return {k: v for k, v in VARIANTS[variant].items() if not k.startswith("_")}


def apply(variant, defaults):
    """Set the variant's constants; returns its patch's undo (or None)."""
    import skmoe._em as em
    for name, value in {**defaults, **_constants(variant)}.items():
        if not hasattr(em, name):
            raise AttributeError(f"skmoe._em has no {name} (variant {variant!r}): run it from "
                                 "the commit named in benchmarks/results/em_levers.md, "
                                 "gate_levers_round6.md or em_levers_round5.md, or apply "
                                 "the patch in em_levers_round2.md")
        setattr(em, name, value)
    patch = VARIANTS[variant].get("_patch")
    return patch() if patch else None


def _recording_fit_em():
    """Patch the EM trainer's ``fit_em`` to note the start each fit kept
    (``fit_em``'s ``start``, set by round 5's switch only: "-" without it);
    returns the notes and the undo."""
    import skmoe._trainers as trainers
    original, notes = trainers.fit_em, []

    def fit_em(*args, **kwargs):
        result = original(*args, **kwargs)
        notes.append((result.get("start"), result.get("start_log_likelihoods")))
        return result
    trainers.fit_em = fit_em
    return notes, lambda: setattr(trainers, "fit_em", original)


def _paired(scores, baseline):
    """Mean of ``scores - baseline`` over the splits and its standard error."""
    diff = np.asarray(scores) - np.asarray(baseline)
    se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
    return f"{diff.mean():+.4f} ± {se:.4f}"


_START_LETTER = {"uniform": "c", "matched": "m", "kmeans": "k", None: "-"}


def _pair_mixture(task, seed, params):
    """EM over round 4's weak, complementary pool (a linear model and a
    depth-4 tree: ``diagnose_em_round4._pair``), the gallery example's."""
    from diagnose_em_round4 import _pair
    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
    cls = MixtureOfExpertsRegressor if task == "regression" else MixtureOfExpertsClassifier
    return cls(_pair(task, seed), training="em", random_state=seed, **(params or {}))


def run(name, variants, splits, lgbm_trees, references=(), jsonl=None, pool="suite"):
    import skmoe._em as em
    touched = {k for v in variants for k in _constants(v)}
    defaults = {k: getattr(em, k) for k in touched if hasattr(em, k)}
    if name in UNSEEN:
        import bench_accuracy_unseen_round6 as round6
        task, X, y = round6.load(name, UNSEEN)
    elif name in GENERATED:
        from diagnose_em_round4 import _generated
        task, X, y = _generated(name)
    else:
        task, X, y, _ = load(name, 20000)
    rows = {v: [] for v in [*variants, *(f"reference: {m}" for m in references)]}
    lls = {}   # variant: each split's held-out log-likelihood per start
    for split, (train, test) in enumerate(_splits(task, X, y, splits, 0.25, 0)):
        for variant in rows:
            reference = variant.startswith("reference: ")
            undo = None if reference else apply(variant, defaults)
            notes, unrecord = _recording_fit_em()
            try:
                model = (build_method(variant[len("reference: "):], task, seed=split,
                                      lgbm_trees=lgbm_trees, n_jobs=1) if reference else
                         build_method("moe_em", task, seed=split, lgbm_trees=lgbm_trees,
                                      n_jobs=1, moe_params=_params(variant)) if pool == "suite"
                         else _pair_mixture(task, split, _params(variant)))
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    start = time.perf_counter()
                    model.fit(X[train], y[train])
                    seconds = time.perf_counter() - start
                converged = not any("did not converge" in str(w.message) for w in caught)
                score = next(iter(_scores(task, model, X[test], y[test])[0].values()))
            finally:
                unrecord()
                if undo is not None:
                    undo()
            kept, start_ll = notes[0] if notes else (None, None)
            if start_ll and len(start_ll) > 1:
                lls.setdefault(variant, []).append(start_ll)
            rows[variant].append((score, seconds, getattr(model, "n_iter_", 0), converged,
                                  _START_LETTER[kept]))
    apply("default", defaults)
    first = [s for s, *_ in rows[variants[0]]]
    for variant, r in rows.items():
        scores = [s for s, *_ in r]
        em_fit = not variant.startswith("reference: ")   # (iterations, starts: EM's)
        iterations = f"{np.mean([i for _, _, i, *_ in r]):.1f}" if em_fit else ""
        print(f"| {name} | {variant} | {np.mean(scores):.4f} | "
              f"{_paired(scores, first) if variant != variants[0] else ''} | "
              f"{statistics.median(t for _, t, *_ in r):.2f} | {iterations} | "
              f"{np.mean([c for *_, c, _ in r]):.0%} | "
              f"{''.join(x[-1] for x in r) if em_fit else ''} | "
              f"{' '.join(f'{s:.4f}' for s in scores)} |", flush=True)
        if jsonl:
            import json
            with open(jsonl, "a") as f:
                f.write(json.dumps({"dataset": name, "variant": variant, "scores": scores,
                                    "seconds": [t for _, t, *_ in r],
                                    "n_iter": [int(i) for _, _, i, *_ in r],
                                    "converged": [bool(c) for *_, c, _ in r],
                                    "starts": "".join(x[-1] for x in r),
                                    "start_log_likelihoods": lls.get(variant)}) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--variants", nargs="+", default=["default"], choices=list(VARIANTS))
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--lgbm-trees", type=int, default=300)
    parser.add_argument("--reference", nargs="*", default=[], choices=REFERENCES,
                        help="other methods fitted on the same splits (paired with the "
                             "first variant)")
    parser.add_argument("--jsonl", help="append each row's per-split figures to this file")
    parser.add_argument("--pool", choices=["suite", "pair"], default="suite",
                        help="the suite's experts, or a linear model and a depth-4 tree "
                             "(round 4's weak pool; references keep the suite's)")
    args = parser.parse_args()
    print(f"| dataset | variant | mean score | vs {args.variants[0]} (paired SE) "
          "| median fit s | mean iterations | converged "
          "| start kept per split (c: constant blend, m: matched, k: k-means) | per split |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.datasets:
        run(name, args.variants, args.splits, args.lgbm_trees, args.reference, args.jsonl,
            args.pool)


if __name__ == "__main__":
    main()
