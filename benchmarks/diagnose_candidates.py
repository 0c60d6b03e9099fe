"""Each candidate of the stacked gate on the test rows, next to Stacking.

The default mixture's final predictor is a convex blend of candidates (the
experts' constant blend, the gate, the linear and feature-weighted heads, the
best single expert), weighted on their held-out predictions. This script
fits the default mixture and ``StackingRegressor(cv=5)`` on the suite's
splits of one regression dataset and prints, per split, the candidates'
weights, their held-out losses (standardised units) and the test RMSE of the
mixture, of each weighted candidate alone, and of Stacking's final ridge
applied to the mixture's own experts::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_candidates.py boston --splits 10
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method, diagnostic_arguments, load  # noqa: E402


def main(argv=None):
    parser, args = diagnostic_arguments(__doc__, argv)
    from skmoe._candidates import ExpertHead

    task, X, y, _ = load(args.dataset, args.max_rows)
    if task != "regression":
        parser.error("a regression dataset")
    totals = {}
    for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
        stacking = build_method("stacking", task, seed=split, lgbm_trees=300, n_jobs=1)
        stacking.fit(X[train], y[train])
        moe = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1)
        moe.fit(X[train], y[train])

        def rmse(prediction):
            return float(np.sqrt(np.mean((prediction - y[test]) ** 2)))

        X_test = moe._check_X(X[test])
        combiner, view = moe._combiner_and_view(X_test)
        weights, outputs = moe._weights_and_outputs(X_test, view)
        scores = {"stacking": rmse(stacking.predict(X[test])),
                  "stacking's ridge on the mixture's experts":
                      rmse(stacking.final_estimator_.predict(outputs)),
                  "mixture": rmse(moe.predict(X[test])),
                  "gate": rmse((weights * outputs).sum(axis=1)),
                  "constant": rmse(outputs @ moe.blend_weights_)}
        for _, head in ([] if combiner is None else combiner.heads):
            name = ("best_expert" if isinstance(head, ExpertHead) else
                    "feature_weighted" if head.feature_weighted else "linear")
            scores[name] = rmse(head.predict(view, outputs))
        for name, value in scores.items():
            totals.setdefault(name, []).append(value)
        print(f"split {split}: weights "
              + ", ".join(f"{k} {v:.2f}" for k, v in moe.candidate_weights_.items()))
        print("  held-out loss " + ", ".join(f"{k} {np.sqrt(v):.3f}"
                                             for k, v in moe.out_of_fold_loss_.items()))
        print("  test RMSE " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()),
              flush=True)
    print("mean test RMSE over the splits where each was weighted: "
          + ", ".join(f"{k} {np.mean(v):.4f} ({len(v)})" for k, v in totals.items()))


if __name__ == "__main__":
    main()
