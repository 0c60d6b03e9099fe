"""A 2x2 hierarchical mixture against the flat 4-expert mixtures on the public suite.

The pool of ``run_benchmarks.py`` (ridge/logistic, depth-8 tree, LightGBM,
15-NN) as the four leaves of a 2x2 :class:`~skmoe.HierarchicalMixtureRegressor`
/ ``Classifier`` (exact EM over the tree), against the flat mixture trained
by EM and the default (stacked gate), on the same splits; test RMSE or
log-loss (mean over splits) and fit time relative to the flat EM mixture
(median over splits)::

    OMP_NUM_THREADS=1 python benchmarks/bench_hme_suite.py --splits 3 --max-rows 3000 \\
        --out benchmarks/results/hme_suite.md
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run_benchmarks import _splits, load, make_experts  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=3000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    from sklearn.metrics import log_loss, mean_squared_error

    import skmoe
    from skmoe.datasets import list_datasets

    names = args.datasets or list(list_datasets())
    lines = [f"2x2 hierarchical mixture vs flat mixtures: {args.splits} splits (test 25 %), "
             f"at most {args.max_rows} rows; test RMSE or log-loss (mean), fit time / "
             "flat EM (median).", "",
             "| dataset | HME 2x2 | flat EM | flat default | HME fit / flat EM |",
             "|---|---|---|---|---|"]
    for name in names:
        task, X, y, _ = load(name, args.max_rows)
        regression = task == "regression"
        hme_cls = (skmoe.HierarchicalMixtureRegressor if regression
                   else skmoe.HierarchicalMixtureClassifier)
        flat_cls = (skmoe.MixtureOfExpertsRegressor if regression
                    else skmoe.MixtureOfExpertsClassifier)
        scores, ratios = {"hme": [], "em": [], "default": []}, []
        for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25)):
            models = {"hme": hme_cls(make_experts(task, seed=split), branching=(2, 2),
                                     max_iter=20, random_state=split),
                      "em": flat_cls(make_experts(task, seed=split), training="em",
                                     random_state=split),
                      "default": flat_cls(make_experts(task, seed=split), random_state=split)}
            seconds = {}
            for key, model in models.items():
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
                seconds[key] = time.perf_counter() - start
                if regression:
                    score = mean_squared_error(y[test], model.predict(X[test])) ** 0.5
                else:
                    score = log_loss(y[test], model.predict_proba(X[test]),
                                     labels=model.classes_)
                scores[key].append(score)
            ratios.append(seconds["hme"] / seconds["em"])
            print(name, split, {k: round(v[-1], 4) for k, v in scores.items()},
                  round(ratios[-1], 2), flush=True)
        lines.append(f"| {name} | {np.mean(scores['hme']):.4f} | {np.mean(scores['em']):.4f} "
                     f"| {np.mean(scores['default']):.4f} | {np.median(ratios):.2f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(report)


if __name__ == "__main__":
    main()
