"""The experts' deployment on sets outside the suite: fold fits averaged or refits.

``refit_experts='auto'`` predicts with each expert's fold fits averaged for
the regressor, chosen on the suite's ten regression sets
(``benchmarks/results/refit_experts.md``). This script checks that choice
on the regression sets of ``bench_more_datasets.py``, which chose nothing:
the default mixture fitted with ``refit_experts=False`` (the default) and
``True`` on the same seed (so the same folds, candidates and weights), on
the 5 splits of that script. Prints per set the two mean test RMSEs, the
change from refits, the change per split, and the mean RMSE of the two
mixtures' predictions averaged (half of each; no further fit)::

    OMP_NUM_THREADS=1 python benchmarks/bench_refit_unseen.py Auto cpus Hitters

Classification sets are scored the same way by test log-loss (the
columns keep their order: fold fits averaged, refits, half of each)::

    OMP_NUM_THREADS=1 python benchmarks/bench_refit_unseen.py Pima birthwt

``--share s`` fits only ``refit_experts=s`` (the refit with weight ``s``,
the fold fits with the rest; the classifier's default is 0.5) and prints its
mean score per set, to set beside the table above (same seeds, so the same
folds and, for ``s`` 0 and 1, the same models)::

    OMP_NUM_THREADS=1 python benchmarks/bench_refit_unseen.py --share 0.5 Pima birthwt
"""
import os
import sys
import warnings

import numpy as np
from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_more_datasets import load  # noqa: E402
from run_benchmarks import _splits, build_method  # noqa: E402


def _score(task, model, X, y):
    if task == "regression":
        return np.sqrt(np.mean((model.predict(X) - y) ** 2))
    return log_loss(y, model.predict_proba(X), labels=model.classes_)


def share_only(share, names):
    """The mean test score of ``refit_experts=share`` alone, per set."""
    warnings.simplefilter("ignore")
    print(f"| set | rows | refit_experts={share} |")
    print("|---|---|---|")
    for name in names:
        task, X, y = load(name)
        scores = []
        for split, (train, test) in enumerate(_splits(task, X, y, 5, 0.25, 0)):
            model = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
            model.set_params(refit_experts=share).fit(X[train], y[train])
            scores.append(_score(task, model, X[test], y[test]))
        print(f"| {name} | {len(y)} | {np.mean(scores):.4f} |", flush=True)


def main(names):
    warnings.simplefilter("ignore")
    print("| set | rows | fold fits averaged | refits | change | per split "
          "| half of each |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        task, X, y = load(name)
        rmse = {False: [], True: [], "half": []}
        for split, (train, test) in enumerate(_splits(task, X, y, 5, 0.25, 0)):
            predictions = {}
            for refit in (False, True):
                model = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
                model.set_params(refit_experts=refit).fit(X[train], y[train])
                predictions[refit] = (model.predict(X[test]) if task == "regression"
                                      else model.predict_proba(X[test]))
            predictions["half"] = 0.5 * (predictions[False] + predictions[True])
            for key, prediction in predictions.items():
                # (The name says RMSE; for a classification set it holds the log-loss.)
                rmse[key].append(np.sqrt(np.mean((prediction - y[test]) ** 2))
                                 if task == "regression"
                                 else log_loss(y[test], prediction, labels=model.classes_))
        averaged, refits = np.mean(rmse[False]), np.mean(rmse[True])
        per_split = " ".join(f"{r / a - 1:+.1%}" for a, r in zip(rmse[False], rmse[True]))
        print(f"| {name} | {len(y)} | {averaged:.4f} | {refits:.4f} | "
              f"{refits / averaged - 1:+.1%} | {per_split} | {np.mean(rmse['half']):.4f} |",
              flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--share"]:
        share_only(float(sys.argv[2]), sys.argv[3:])
    else:
        main(sys.argv[1:])
