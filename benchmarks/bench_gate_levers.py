"""What each lever of the stacked gate buys: an ablation over the public suite.

The default gradient mixture (``skmoe._blend``) combines five levers. Each
variant below switches one off (or changes one setting) and is fitted on the
same splits and the same pool as ``run_benchmarks.py``. The experts'
out-of-fold predictions are computed once per split and shared by the
variants with the same ``cv`` (they do not depend on the gate), so the
ablation costs little more than the gates.

    OMP_NUM_THREADS=1 python benchmarks/bench_gate_levers.py --splits 5 \\
        --out benchmarks/results/gate_levers.md

Reported: the mean test RMSE / log-loss per dataset and variant, and per
variant the mean relative change against the full default (negative is
better) and on how many datasets it is worse by more than 0.5 %.
"""

import argparse
import hashlib
import json
import os
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run_benchmarks import _splits, load, make_experts  # noqa: E402

import skmoe._blend as blend  # noqa: E402

VARIANTS = {
    "default": ({}, {}),
    "heads within the experts' probabilities (classification)": ({"head_bounds": "experts"}, {}),
    "heads unbounded (classification)": ({"head_bounds": None}, {}),
    "heads unbounded (regression)": ({"regression_head_bounds": None}, {}),
    "heads within the experts' predictions (regression)": ({"regression_head_bounds": 0.0}, {}),
    "heads within the experts' predictions +- half their range (regression)": (
        {"regression_head_bounds": 0.5}, {}),
    "heads within 3x the experts' probabilities (classification)": ({"head_bounds": 3.0}, {}),
    "X only (no expert inputs)": ({"experts_as_inputs": False}, {}),
    "random start (not the blend)": ({"start_at_constant": False}, {}),
    "always the gate (no choice)": ({"fallback": False}, {}),
    "no linear head": ({"linear_head": False}, {}),
    "no feature-weighted head": ({"feature_weighted_head": False}, {}),
    "no heads": ({"linear_head": False, "feature_weighted_head": False}, {}),
    "no best-expert candidate": ({"best_expert": False}, {}),
    "pick one (1 SE rule), not a blend": ({"choice": "se"}, {}),
    "pick the lowest held-out loss": ({"choice": "argmin"}, {}),
    "level-2 blend by ensemble selection": ({"choice": "greedy"}, {}),
    "blend of those beating the constant by 1 SE": ({"choice": "se_blend"}, {}),
    "one gate (no averaging)": ({"bagged": False}, {}),
    "cv=2": ({}, {"cv": 2}),
    "refit the experts (as stacking)": ({}, {"refit_experts": True}),
    "fold fits averaged (no refit)": ({}, {"refit_experts": False}),
    "half refit, half fold fits": ({}, {"refit_experts": 0.5}),
    "loss=nll (regression)": ({}, {"loss": "nll"}),
    "stop when every fold gate stops (not their mean)": ({"stop": "each"}, {}),
    "learning_rate=3e-3": ({}, {"learning_rate": 3e-3}),
    "learning_rate=1e-2": ({}, {"learning_rate": 1e-2}),
    "batch_size=1024": ({}, {"batch_size": 1024}),
    "max_epochs=300": ({}, {"max_epochs": 300}),
    "plain head's inputs uncentred (classification)": ({"centre_head_inputs": False}, {}),
    "10 gate folds": ({"gate_folds": 10}, {}),
    "3 gate folds": ({"gate_folds": 3}, {}),
    "linear head on probabilities, not log-odds (classification)": (
        {"head_inputs": "proba"}, {}),
    "no floor on the constant blend's share": ({"constant_floor": 0.0}, {}),
    "constant blend keeps 5 % of the level-2 blend": ({"constant_floor": 0.05}, {}),
    "no class-prior candidate (classification)": ({"prior_candidate": False}, {}),
    "feature-weighted head's products unclipped": ({"products_beyond_range": None}, {}),
    "feature-weighted head's products clipped (no plain head beyond)": (
        {"products_beyond_range": "clip"}, {}),
    "classification: feature-weighted head unclipped": (
        {"classification_beyond_range": None}, {}),
    "classification: feature-weighted head's products clipped only": (
        {"classification_beyond_range": "products"}, {}),
    "classification: no class-frequency floor": ({"prior_floor": False}, {}),
}


def lever_switches(parser, items):
    """``--set key=value`` items (JSON values) as a dict of :data:`skmoe._blend.LEVERS`
    changes; an unknown key is a command-line error."""
    switches = {key: json.loads(value) for key, value in
                (item.split("=", 1) for item in items)}
    unknown = set(switches) - set(blend.LEVERS)
    if unknown:
        parser.error(f"unknown switches {sorted(unknown)}; choose from {list(blend.LEVERS)}")
    return switches


# Seconds spent in the experts' (cached) cross-fitting: not counted in a
# variant's fit time, which the first variant to need it would otherwise pay.
EXPERT_SECONDS = [0.0]


def _cached(function):
    """Memoise the experts' out-of-fold outputs per (data, experts, cv, seed)."""
    cache = {}

    def wrapper(problem, fixed, cv, seed, parallel, refit=True):
        key = (hashlib.sha1(problem.X.tobytes()).hexdigest(), tuple(problem.names), str(cv),
               seed, refit)
        if key not in cache:
            started = time.perf_counter()
            cache[key] = function(problem, fixed, cv, seed, parallel, refit=refit)
            EXPERT_SECONDS[0] += time.perf_counter() - started
        return cache[key]

    return wrapper


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--max-rows", type=int, default=20000)
    parser.add_argument("--out", default=None)
    parser.add_argument("--variants", nargs="+", default=None,
                        help="a subset of the variants (the default is always run)")
    args = parser.parse_args(argv)
    if args.variants:
        unknown = set(args.variants) - set(VARIANTS)
        if unknown:
            parser.error(f"unknown variants {sorted(unknown)}; choose from {list(VARIANTS)}")
        for name in list(VARIANTS):
            if name != "default" and name not in args.variants:
                del VARIANTS[name]

    from sklearn.metrics import log_loss, mean_squared_error

    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
    from skmoe.datasets import list_datasets

    blend.fixed_outputs = _cached(blend.fixed_outputs)
    names = args.datasets or list(list_datasets())
    rows = []
    for name in names:
        task, X, y, _ = load(name, args.max_rows)
        scores = {v: [] for v in VARIANTS}
        seconds = {v: [] for v in VARIANTS}
        for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25)):
            for variant, (levers, params) in VARIANTS.items():
                if "(regression)" in variant and task != "regression":
                    continue
                if "(classification)" in variant and task == "regression":
                    continue
                cls = (MixtureOfExpertsRegressor if task == "regression"
                       else MixtureOfExpertsClassifier)
                model = cls(make_experts(task, seed=split), random_state=split, **params)
                started, experts_before = time.perf_counter(), EXPERT_SECONDS[0]
                with warnings.catch_warnings(), blend.levers_set(**levers):
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
                seconds[variant].append(time.perf_counter() - started
                                        - (EXPERT_SECONDS[0] - experts_before))
                if task == "regression":
                    score = mean_squared_error(y[test], model.predict(X[test])) ** 0.5
                else:
                    score = log_loss(y[test], model.predict_proba(X[test]),
                                     labels=model.classes_)
                scores[variant].append(score)
                print(f"{name} split {split} {variant:32s} {score:.5f} "
                      f"{seconds[variant][-1]:.2f}s", flush=True)
        rows.append((name, task, {v: np.mean(s) for v, s in scores.items() if s},
                     {v: np.median(s) for v, s in seconds.items() if s}))
    report = _report(rows, args)
    print(report)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(report)


def _report(rows, args):
    variants = list(VARIANTS)
    lines = [f"Gate levers: {args.splits} random splits (test 25 %), at most "
             f"{args.max_rows} rows, the pool of run_benchmarks.py. Test RMSE "
             "(regression) or log-loss (classification), mean over splits.", "",
             "| dataset | " + " | ".join(variants) + " |",
             "|---|" + "---|" * len(variants)]
    for name, _, means, _ in rows:
        cells = [f"{means[v]:.4f}" if v in means else "" for v in variants]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| variant | mean change vs default | datasets worse by > 0.5 % | "
              "fit time without the experts' fits / default's (median over datasets) |", "|---|---|---|---|"]
    for v in variants[1:]:
        changes = [means[v] / means["default"] - 1 for _, _, means, _ in rows if v in means]
        times = [fit[v] / fit["default"] for _, _, _, fit in rows if v in fit]
        if changes:
            lines.append(f"| {v} | {100 * np.mean(changes):+.2f} % | "
                         f"{sum(c > 0.005 for c in changes)} of {len(changes)} | "
                         f"{np.median(times):.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
