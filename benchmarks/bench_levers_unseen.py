"""One switch of the stacked gate (``skmoe._blend.LEVERS``) on the unseen sets.

The default mixture against the same mixture with ``--set key=value`` switches
(JSON values), on the sets of ``bench_more_datasets.py`` (or, with
``--collection``, of another benchmark of unseen sets) with its loader, the
suite's splits and seeds; the experts' out-of-fold outputs are computed once
per split and shared by the two (as in ``bench_gate_levers.py``). Prints, per
set, the mean test RMSE or log-loss over 5 splits of each, the change and its
paired standard error over the splits::

    OMP_NUM_THREADS=1 python benchmarks/bench_levers_unseen.py \\
        --set best_expert=false -- Affairs CASchools Pima
    OMP_NUM_THREADS=1 python benchmarks/bench_levers_unseen.py --collection trainers \\
        --set products_beyond_range=null -- k401k engel
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_gate_levers  # noqa: E402
from run_benchmarks import _paired_gap_se, _scores, _splits, make_experts  # noqa: E402

import skmoe._blend as blend  # noqa: E402

# Each collection: the module whose SETS and load(name) it reads.
COLLECTIONS = {"more_datasets": "bench_more_datasets",
               "round6": "bench_accuracy_unseen_round6",
               "round7": "bench_accuracy_unseen_round7",
               "round8": "bench_accuracy_unseen_round8",
               "round9": "bench_accuracy_unseen_round9",
               "trainers": "bench_trainers_unseen"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--collection", choices=list(COLLECTIONS), default="more_datasets")
    parser.add_argument("--task", choices=["regression", "classification"], default=None,
                        help="only the sets of this task")
    parser.add_argument("sets", nargs="*", default=None)
    args = parser.parse_args(argv)
    switches = bench_gate_levers.lever_switches(parser, args.set)
    import importlib
    collection = importlib.import_module(COLLECTIONS[args.collection])
    load = collection.load
    names = args.sets or [name for name, spec in collection.SETS.items()
                          if args.task is None or spec[3] == args.task]

    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
    blend.fixed_outputs = bench_gate_levers._cached(blend.fixed_outputs)
    defaults = dict(blend.LEVERS)
    for name in names:
        task, X, y = load(name)
        cls = MixtureOfExpertsRegressor if task == "regression" else MixtureOfExpertsClassifier
        scores = {"default": [], "switched": []}
        for split, (train, test) in enumerate(_splits(task, X, y, 5, 0.25, 0)):
            for variant, levers in (("default", {}), ("switched", switches)):
                blend.LEVERS.clear()
                blend.LEVERS.update(defaults, **levers)
                model = cls(make_experts(task, seed=split), random_state=split)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
                scores[variant].append(
                    next(iter(_scores(task, model, X[test], y[test])[0].values())))
        blend.LEVERS.clear()
        blend.LEVERS.update(defaults)
        a, b = np.mean(scores["default"]), np.mean(scores["switched"])
        records = [{"split": k, "method": variant, "score": value}
                   for variant, values in scores.items() for k, value in enumerate(values)]
        se = 100 * _paired_gap_se(records, "switched", "default", "score")
        print(f"{name} {task} default {a:.4f} switched {b:.4f} change {100 * (b / a - 1):+.2f}%"
              f" (SE {se:.2f}); per split default "
              + " ".join(f"{v:.4f}" for v in scores["default"]) + " switched "
              + " ".join(f"{v:.4f}" for v in scores["switched"]), flush=True)


if __name__ == "__main__":
    main()
