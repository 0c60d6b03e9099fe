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
        --datasets regimes mcycle --variants default "floor 0"
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
}


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


def _constants(variant):
    """The variant's module constants of ``skmoe._em`` (not its ``_params``/``_patch``)."""
    return {k: v for k, v in VARIANTS[variant].items() if not k.startswith("_")}


def apply(variant, defaults):
    """Set the variant's constants; returns its patch's undo (or None)."""
    import skmoe._em as em
    for name, value in {**defaults, **_constants(variant)}.items():
        if not hasattr(em, name):
            raise AttributeError(f"skmoe._em has no {name} (variant {variant!r}): run it from "
                                 "the commit named in benchmarks/results/em_levers.md or "
                                 "gate_levers_round6.md")
        setattr(em, name, value)
    patch = VARIANTS[variant].get("_patch")
    return patch() if patch else None


def run(name, variants, splits, lgbm_trees):
    import skmoe._em as em
    touched = {k for v in variants for k in _constants(v)}
    defaults = {k: getattr(em, k) for k in touched if hasattr(em, k)}
    task, X, y, _ = load(name, 20000)
    rows = {v: [] for v in variants}
    for split, (train, test) in enumerate(_splits(task, X, y, splits, 0.25, 0)):
        for variant in variants:
            undo = apply(variant, defaults)
            try:
                model = build_method("moe_em", task, seed=split, lgbm_trees=lgbm_trees,
                                     n_jobs=1, moe_params=VARIANTS[variant].get("_params"))
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    start = time.perf_counter()
                    model.fit(X[train], y[train])
                    seconds = time.perf_counter() - start
                converged = not any("did not converge" in str(w.message) for w in caught)
                score = next(iter(_scores(task, model, X[test], y[test])[0].values()))
            finally:
                if undo is not None:
                    undo()
            rows[variant].append((score, seconds, model.n_iter_, converged))
    apply("default", defaults)
    for variant, r in rows.items():
        scores = [s for s, *_ in r]
        print(f"| {name} | {variant} | {np.mean(scores):.4f} | "
              f"{statistics.median(t for _, t, _, _ in r):.2f} | "
              f"{np.mean([i for _, _, i, _ in r]):.1f} | "
              f"{np.mean([c for *_, c in r]):.0%} | "
              f"{' '.join(f'{s:.4f}' for s in scores)} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--variants", nargs="+", default=["default"], choices=list(VARIANTS))
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--lgbm-trees", type=int, default=300)
    args = parser.parse_args()
    print("| dataset | variant | mean score | median fit s | mean iterations | converged "
          "| per split |")
    print("|---|---|---|---|---|---|---|")
    for name in args.datasets:
        run(name, args.variants, args.splits, args.lgbm_trees)


if __name__ == "__main__":
    main()
