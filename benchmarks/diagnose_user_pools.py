"""Diagnose the two rows of ``results/user_pools.md`` where the default mixture
trails the best baseline by more than 1 % and more than one paired SE.

``seatbelts`` / ``two`` (ridge pipeline + HistGradientBoosting): more splits
(same 800-row frame, test 25 %) of Caruana's ensemble, the default mixture,
and the mixture without its feature-weighted head (``skmoe._blend.LEVERS``),
with each mixture's gap to Caruana and its paired SE.

``hawks`` / ``pipelines``: on the 5 splits of the benchmark, Stacking's and
the mixture's per-row log-loss on the test rows; how much of the mixture's
deficit the few rows it loses most on account for, and their classes::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_user_pools.py seatbelts --splits 20
    OMP_NUM_THREADS=1 python benchmarks/diagnose_user_pools.py hawks
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_user_pools import load_set, make_pool  # noqa: E402


def seatbelts(n_splits):
    from sklearn.model_selection import ShuffleSplit

    import skmoe._blend as blend
    from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor

    _, X, y, _ = load_set("seatbelts", 800)
    scores = {"caruana": [], "moe": [], "moe_no_fw_head": []}
    for split, (train, test) in enumerate(ShuffleSplit(
            n_splits=n_splits, test_size=0.25, random_state=0).split(X, y)):
        pool = make_pool("two", "regression", X, split)
        models = {"caruana": EnsembleRegressor(pool, weights="greedy", cv=5,
                                               random_state=split),
                  "moe": MixtureOfExpertsRegressor(pool, random_state=split),
                  "moe_no_fw_head": MixtureOfExpertsRegressor(pool, random_state=split)}
        for name, model in models.items():
            changes = {"feature_weighted_head": False} if name == "moe_no_fw_head" else {}
            with warnings.catch_warnings(), blend.levers_set(**changes):
                warnings.simplefilter("ignore")
                model.fit(X.iloc[train], y[train])
            rmse = float(np.sqrt(np.mean((model.predict(X.iloc[test]) - y[test]) ** 2)))
            scores[name].append(rmse)
        print(split, {k: round(v[-1], 6) for k, v in scores.items()}, flush=True)
    base = np.array(scores["caruana"])
    for name in ("moe", "moe_no_fw_head"):
        gap = np.array(scores[name]) / base - 1
        se = gap.std(ddof=1) / np.sqrt(len(gap))
        print(f"{name}: mean RMSE {np.mean(scores[name]):.6f} vs Caruana {base.mean():.6f}: "
              f"gap {100 * gap.mean():+.2f} % (SE {100 * se:.2f}),"
              f" worse on {int((gap > 0).sum())} of {len(gap)} splits")


def hawks():
    from sklearn.ensemble import StackingClassifier
    from sklearn.model_selection import StratifiedShuffleSplit

    from skmoe import MixtureOfExpertsClassifier

    _, X, y, _ = load_set("hawks", 800)
    print("class counts", dict(zip(*np.unique(y, return_counts=True))))
    for split, (train, test) in enumerate(StratifiedShuffleSplit(
            n_splits=5, test_size=0.25, random_state=0).split(X, y)):
        pool = make_pool("pipelines", "classification", X, split)
        losses = {}
        for name, model in {"stacking": StackingClassifier(pool, cv=5),
                            "moe": MixtureOfExpertsClassifier(pool, random_state=split)}.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X.iloc[train], y[train])
            proba = np.clip(model.predict_proba(X.iloc[test]), 1e-15, 1.0)
            proba /= proba.sum(axis=1, keepdims=True)
            at = np.searchsorted(model.classes_, y[test])
            losses[name] = -np.log(proba[np.arange(len(test)), at])
        diff = losses["moe"] - losses["stacking"]
        worst = np.argsort(diff)[::-1][:3]
        print(f"split {split}: log-loss Stacking {losses['stacking'].mean():.5f} MoE "
              f"{losses['moe'].mean():.5f}; MoE - Stacking summed {diff.sum():+.3f} nats over "
              f"{len(test)} rows, of which the 3 worst rows {diff[worst].sum():+.3f} "
              f"(classes {list(y[test][worst])}, MoE loss {losses['moe'][worst].round(2)}, "
              f"Stacking {losses['stacking'][worst].round(2)})", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=["seatbelts", "hawks"])
    parser.add_argument("--splits", type=int, default=20)
    args = parser.parse_args()
    seatbelts(args.splits) if args.which == "seatbelts" else hawks()


if __name__ == "__main__":
    main()
