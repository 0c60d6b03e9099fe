"""The class frequencies' 1/n^2 share (``class_prior_``) in the classifiers
besides the default mixture: top-1, top-2 and EM mixtures, Caruana's
selection (``EnsembleClassifier(weights="greedy")``) and the hierarchical
mixture (the pool's four experts as the leaves of its default 2 x 2 tree),
on tiny training sets.

``bench_tiny_data.py``'s sets, draws and pool (five draws of ``n_train`` rows,
stratified, tested on up to 1,000 other rows). Each model is fitted once with
the share switched off (``levers_set(prior_floor=False)``); its probabilities
with the share are those mixed with the training rows' class frequencies at
1/n^2, exactly what the library's ``predict_proba`` gives
(``tests/test_class_prior.py``). Mean and worst test log-loss over the draws,
and the lowest probability any draw gave a true class::

    OMP_NUM_THREADS=1 python benchmarks/bench_class_prior_variants.py \
        --sets iris wine breast_cancer mroz fgl Womenlf NeuroCog digits --n-train 30 80

Results: ``benchmarks/results/class_prior_variants.md``.
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_tiny_data as tiny  # noqa: E402
from run_benchmarks import build_method, make_experts  # noqa: E402

METHODS = ("moe_em", "moe_top1", "moe_top2", "caruana", "hme")
# bench_tiny_data's classification sets.
CLASSIFICATION_SETS = ("iris", "wine", "breast_cancer", "mroz", "fgl", "Womenlf", "NeuroCog",
                       "digits")


def log_losses(P, classes, y_test, y_train):
    """Test log-loss without and with the 1/n^2 share, and the lowest
    probability of a true class (without)."""
    rows = np.arange(len(y_test)), np.searchsorted(classes, y_test)
    n = len(y_train)
    frequencies = np.bincount(np.searchsorted(classes, y_train),
                              minlength=len(classes)) / n
    with_share = (1 - 1 / n ** 2) * P + frequencies / n ** 2
    p = P[rows]
    return (float(-np.mean(np.log(np.maximum(p, 1e-300)))),
            float(-np.mean(np.log(with_share[rows]))), float(p.min()))


def main(argv=None):
    from skmoe import HierarchicalMixtureClassifier
    from skmoe._blend import levers_set
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(CLASSIFICATION_SETS))
    parser.add_argument("--n-train", type=int, nargs="+", default=[30, 80])
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print("| set | rows | method | without: mean | worst | with: mean | worst "
          "| lowest p(true) without |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.sets:
        task, X, y = tiny.load(name)
        for n in args.n_train:
            scores = {m: [] for m in args.methods}
            for d in range(tiny.DRAWS):
                train, test = tiny.draw(task, y, n, seed=1000 * n + d)
                for method in args.methods:
                    model = (HierarchicalMixtureClassifier(make_experts(task, seed=d),
                                                           random_state=d)
                             if method == "hme" else
                             build_method(method, task, seed=d, lgbm_trees=300, n_jobs=1))
                    try:
                        with levers_set(prior_floor=False):
                            model.fit(X[train], y[train])
                    except ValueError as exc:   # Caruana's 5 folds on 3 rows of a class
                        print(f"<!-- {name} {n} {method} draw {d}: {str(exc)[:90]} -->")
                        continue
                    scores[method].append(log_losses(model.predict_proba(X[test]),
                                                     model.classes_, y[test], y[train]))
            for method, s in scores.items():
                if s:
                    s = np.array(s)
                    print(f"| {name} | {n} | {method} | {s[:, 0].mean():.3f} | "
                          f"{s[:, 0].max():.3f} | {s[:, 1].mean():.3f} | {s[:, 1].max():.3f} "
                          f"| {s[:, 2].min():.1e} |", flush=True)


if __name__ == "__main__":
    main()
