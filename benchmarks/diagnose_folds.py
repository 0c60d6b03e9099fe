"""How much the cross-validation folds alone move Stacking and the mixture.

``StackingRegressor/Classifier(cv=5)`` cross-fits on an unshuffled
``KFold`` / ``StratifiedKFold`` (contiguous blocks of the rows as stored);
the mixture's ``cv=5`` shuffles. On the suite's splits of one dataset this
prints, per split and as means, the test score of Stacking as the suite runs
it, Stacking with shuffled folds, the default mixture, and the mixture with
unshuffled folds::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_folds.py boston --splits 10
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _scores, _splits, build_method, diagnostic_arguments, load  # noqa: E402


def main(argv=None):
    _, args = diagnostic_arguments(__doc__, argv)
    from sklearn.model_selection import KFold, StratifiedKFold

    task, X, y, _ = load(args.dataset, args.max_rows)
    regression = task == "regression"
    folds = KFold if regression else StratifiedKFold
    metric = "rmse" if regression else "log_loss"
    scores = {}

    def method(name, split, **params):
        return build_method(name, task, seed=split, lgbm_trees=300, n_jobs=1,
                            moe_params=params)

    for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
        models = {"stacking (unshuffled folds)": method("stacking", split),
                  "stacking, shuffled folds": method("stacking", split).set_params(
                      cv=folds(5, shuffle=True, random_state=split)),
                  "mixture (shuffled folds)": method("moe", split),
                  "mixture, unshuffled folds": method("moe", split, cv=folds(5))}
        for name, model in models.items():
            model.fit(X[train], y[train])
            scores.setdefault(name, []).append(
                _scores(task, model, X[test], y[test])[0][metric])
        print(f"split {split}: " + ", ".join(f"{name} {values[-1]:.4f}"
                                             for name, values in scores.items()), flush=True)
    print(f"{args.dataset}, mean {metric} over {args.splits} splits:")
    for name, values in scores.items():
        print(f"  {name:28s} {np.mean(values):.4f}")


if __name__ == "__main__":
    main()
