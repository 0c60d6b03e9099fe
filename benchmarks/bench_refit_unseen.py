"""The regressor's deployment on sets outside the suite: fold fits averaged or refits.

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
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_more_datasets import load  # noqa: E402
from run_benchmarks import _splits, build_method  # noqa: E402


def main(names):
    warnings.simplefilter("ignore")
    print("| set | rows | fold fits averaged (default) | refits | change | per split "
          "| half of each |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        task, X, y = load(name)
        if task != "regression":
            raise SystemExit(f"{name} is a {task} set; the choice is the regressor's")
        rmse = {False: [], True: [], "half": []}
        for split, (train, test) in enumerate(_splits(task, X, y, 5, 0.25, 0)):
            predictions = {}
            for refit in (False, True):
                model = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
                model.set_params(refit_experts=refit).fit(X[train], y[train])
                predictions[refit] = model.predict(X[test])
            predictions["half"] = 0.5 * (predictions[False] + predictions[True])
            for key, prediction in predictions.items():
                rmse[key].append(np.sqrt(np.mean((prediction - y[test]) ** 2)))
        averaged, refits = np.mean(rmse[False]), np.mean(rmse[True])
        per_split = " ".join(f"{r / a - 1:+.1%}" for a, r in zip(rmse[False], rmse[True]))
        print(f"| {name} | {len(y)} | {averaged:.4f} | {refits:.4f} | "
              f"{refits / averaged - 1:+.1%} | {per_split} | {np.mean(rmse['half']):.4f} |",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
