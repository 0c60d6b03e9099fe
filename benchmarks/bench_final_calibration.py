"""A power calibration of the classifier's final blend, measured (not kept).

Linear pools of probabilities are under-confident (Ranjan & Gneiting,
2010), so the default classifier's final blend of candidates might gain from
one more parameter: ``p ** a`` renormalised, with ``a`` fitted by log-loss on
the same held-out candidate predictions the blend's weights were fitted on.
This script fits the default mixture on the suite's splits, captures those
held-out predictions (by wrapping ``skmoe._blend.choose_candidates``), fits
``a`` and prints the mean test log-loss without and with it. Results:
``benchmarks/results/gate_levers_round3.md`` (round 4).

Run (one dataset per process)::

    for d in digits iris wine mroz breast_cancer college_distance default spam7 hmda; do
        OMP_NUM_THREADS=1 python benchmarks/bench_final_calibration.py $d
    done
"""
import os
import sys
import warnings

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method, load  # noqa: E402

import skmoe._blend as blend  # noqa: E402

captured = {}
_choose = blend.choose_candidates


def _capturing_choice(predictions, y, w, regression, mode="blend"):
    """The library's choice, keeping the blended held-out predictions it was fitted on."""
    weights = _choose(predictions, y, w, regression, mode)
    captured.update(blend=sum(weights[k] * predictions[k] for k in weights), y=y, w=w)
    return weights


def powered(proba, a):
    """``proba ** a``, renormalised per row."""
    log_p = a * np.log(np.clip(proba, 1e-300, None))
    log_p -= log_p.max(axis=1, keepdims=True)
    p = np.exp(log_p)
    return p / p.sum(axis=1, keepdims=True)


def fit_power(proba, y, w):
    """The exponent in [e^-2, e^2] with the lowest weighted log-loss."""
    def loss(log_a):
        picked = powered(proba, np.exp(log_a))[np.arange(len(y)), y]
        return -(w * np.log(np.clip(picked, 1e-300, None))).sum()
    return float(np.exp(minimize_scalar(loss, bounds=(-2, 2), method="bounded").x))


def main(name):
    blend.choose_candidates = _capturing_choice
    warnings.simplefilter("ignore")
    task, X, y, _ = load(name, 20000)
    raw, calibrated, powers = [], [], []
    for split, (train, test) in enumerate(_splits(task, X, y, 5, 0.25)):
        model = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
        model.fit(X[train], y[train])
        a = fit_power(captured["blend"], captured["y"], captured["w"])
        proba = model.predict_proba(X[test])
        raw.append(log_loss(y[test], proba, labels=model.classes_))
        calibrated.append(log_loss(y[test], powered(proba, a), labels=model.classes_))
        powers.append(a)
    print(f"| {name} | {np.mean(raw):.4f} | {np.mean(calibrated):.4f} | "
          f"{np.mean(calibrated) / np.mean(raw) - 1:+.1%} | "
          f"{' '.join(f'{a:.2f}' for a in powers)} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
