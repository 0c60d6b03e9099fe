"""How much the cross-validation folds alone move Stacking and the mixture.

``StackingRegressor/Classifier(cv=5)`` cross-fits on an unshuffled
``KFold`` / ``StratifiedKFold`` (contiguous blocks of the rows as stored);
the mixture's ``cv=5`` shuffles. On the suite's splits of one dataset this
prints, per split and as means, the test score of Stacking as the suite runs
it, Stacking with shuffled folds, the default mixture, and the mixture with
unshuffled folds::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_folds.py boston --splits 10
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _scores, _splits, build_method, load, make_experts  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--max-rows", type=int, default=20000)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from sklearn.model_selection import KFold, StratifiedKFold

    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

    task, X, y, _ = load(args.dataset, args.max_rows)
    regression = task == "regression"
    folds = KFold if regression else StratifiedKFold
    stacking = StackingRegressor if regression else StackingClassifier
    mixture = MixtureOfExpertsRegressor if regression else MixtureOfExpertsClassifier
    metric = "rmse" if regression else "log_loss"
    scores = {name: [] for name in ("stacking (unshuffled folds)", "stacking, shuffled folds",
                                    "mixture (shuffled folds)", "mixture, unshuffled folds")}
    for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
        models = {
            "stacking (unshuffled folds)": build_method("stacking", task, seed=split,
                                                        lgbm_trees=300, n_jobs=1),
            "stacking, shuffled folds": stacking(
                make_experts(task, seed=split),
                cv=folds(5, shuffle=True, random_state=split)),
            "mixture (shuffled folds)": build_method("moe", task, seed=split, lgbm_trees=300,
                                                     n_jobs=1),
            "mixture, unshuffled folds": mixture(make_experts(task, seed=split), cv=folds(5),
                                                 random_state=split)}
        for name, model in models.items():
            model.fit(X[train], y[train])
            scores[name].append(_scores(task, model, X[test], y[test])[0][metric])
        print(f"split {split}: " + ", ".join(f"{name} {values[-1]:.4f}"
                                             for name, values in scores.items()), flush=True)
    print(f"{args.dataset}, mean {metric} over {args.splits} splits:")
    for name, values in scores.items():
        print(f"  {name:28s} {np.mean(values):.4f}")


if __name__ == "__main__":
    main()
