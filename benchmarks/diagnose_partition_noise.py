"""How much of a gap to Stacking is the luck of the cross-fitting folds?

The mixture and Stacking each learn their final blend from out-of-fold
predictions, and the rows' partition into folds is random. On a few hundred
rows another partition moves the result. This script measures that noise on
one regression set of the suite, on its splits:

* Stacking's final model (``RidgeCV``, scikit-learn's default, and the
  mixture's leave-one-out ridge head) fitted on the pool's out-of-fold
  predictions under several partitions: ``KFold(5)`` as
  ``StackingRegressor(cv=5)`` uses it, and shuffled ``KFold(5)`` with other
  seeds; each applied to the experts refitted on all training rows;
* the default mixture with several ``random_state`` offsets (its folds, and
  its gates' seeds, change with it).

Prints the mean test RMSE of each over the splits::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_partition_noise.py boston --splits 10
"""

import os
import sys

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold, cross_val_predict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method, diagnostic_arguments, load, make_experts  # noqa: E402

# Partitions of Stacking's out-of-fold rows: None is KFold(5) unshuffled (what
# StackingRegressor(cv=5) does); an int seeds a shuffled KFold(5) (plus the split).
PARTITIONS = (None, 0, 100, 200)
# random_state offsets of the mixture (the suite's is 0: random_state=split).
MIXTURE_OFFSETS = (0, 100, 200)


def main(argv=None):
    parser, args = diagnostic_arguments(__doc__, argv)
    from skmoe._candidates import HEAD_ALPHAS, LeaveOneOutRidge

    task, X, y, _ = load(args.dataset, args.max_rows)
    if task != "regression":
        parser.error(f"{args.dataset} is a {task} set; this diagnostic is for regression")
    results = {}
    for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
        experts = make_experts(task, seed=split)
        X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]

        def rmse(prediction):
            return float(np.sqrt(np.mean((prediction - y_test) ** 2)))

        refits = np.column_stack([clone(e).fit(X_train, y_train).predict(X_test)
                                  for _, e in experts])
        mean, scale = y_train.mean(), y_train.std()
        row = {}
        for seed in PARTITIONS:
            cv = (KFold(5) if seed is None
                  else KFold(5, shuffle=True, random_state=seed + split))
            oof = np.column_stack([cross_val_predict(clone(e), X_train, y_train, cv=cv)
                                   for _, e in experts])
            label = "KFold(5)" if seed is None else f"shuffled KFold(5), seed {seed}+split"
            row[f"RidgeCV on {label}"] = rmse(RidgeCV().fit(oof, y_train).predict(refits))
            head = LeaveOneOutRidge().fit((oof - mean) / scale, (y_train - mean) / scale,
                                          np.ones(len(y_train)), HEAD_ALPHAS)
            row[f"leave-one-out ridge head on {label}"] = rmse(
                head.predict((refits - mean) / scale) * scale + mean)
        for offset in MIXTURE_OFFSETS:
            model = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
            model.set_params(random_state=split + offset).fit(X_train, y_train)
            row[f"mixture, random_state=split+{offset}"] = rmse(model.predict(X_test))
        for name, value in row.items():
            results.setdefault(name, []).append(value)
        print(f"split {split}: " + ", ".join(f"{k} {v:.4f}" for k, v in row.items()),
              flush=True)
    print(f"\nmean test RMSE over {args.splits} splits of {args.dataset}:")
    for name, values in results.items():
        print(f"  {name}: {np.mean(values):.4f}")


if __name__ == "__main__":
    main()
