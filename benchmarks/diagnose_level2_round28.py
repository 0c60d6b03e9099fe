"""Round 28's tips_day: what the level-2 weight on the linear head costs.

The mixture trails Caruana on tips_day (4 days from the bill, tip, party and
time) although its constant-blend candidate alone is level with Caruana on the
test rows; out of fold the linear head is the worst candidate but the class
shares, yet takes 0.17 to 0.50 of the level-2 weight. On round 28's splits
this refits the default mixture and scores on the test rows its own blend of
the candidates (checked against ``predict_proba``), the same blend without the
linear head (the other weights rescaled to sum to one) and the constant
candidate alone::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_level2_round28.py
"""

import os
import sys

import numpy as np
from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round28 as round28  # noqa: E402
from diagnose_candidates import candidates_alone  # noqa: E402
from run_benchmarks import _splits, build_method  # noqa: E402


def main(name="tips_day", n_splits=5):
    task, X, y = round28.load(name)
    totals = {}
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        moe = build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1).fit(
            X[train], y[train])
        X_test = moe._check_X(X[test])
        combiner, view = moe._combiner_and_view(X_test)
        weights, outputs = moe._weights_and_outputs(X_test, view)
        probas = {}
        candidates_alone(moe, combiner, view, weights, outputs,
                         lambda p: probas.setdefault(len(probas), p))
        names = ["gate", "constant", *("best_expert" if type(h).__name__ == "ExpertHead"
                                       else "prior" if type(h).__name__ == "PriorHead"
                                       else "feature_weighted" if h.feature_weighted
                                       else "linear" for _, h in combiner.heads)]
        probas = dict(zip(names, probas.values()))
        w = dict(moe.candidate_weights_)
        blend = sum(w[k] * probas[k] for k in w)
        own = moe.predict_proba(X[test])
        without = {k: v for k, v in w.items() if k != "linear"}
        rest = sum(without[k] * probas[k] for k in without) / sum(without.values())
        row = {"mixture": log_loss(y[test], own, labels=moe.classes_),
               "its blend of the candidates": log_loss(y[test], blend, labels=moe.classes_),
               "without the linear head": log_loss(y[test], rest, labels=moe.classes_),
               "constant alone": log_loss(y[test], probas["constant"], labels=moe.classes_)}
        for k, v in row.items():
            totals.setdefault(k, []).append(v)
        print(f"split {split}: linear weight {w['linear']:.2f}; "
              + ", ".join(f"{k} {v:.4f}" for k, v in row.items()), flush=True)
    mixture = np.array(totals["mixture"])
    for k, v in totals.items():
        diff = np.array(v) / mixture - 1
        print(f"{k}: mean {np.mean(v):.4f}, against the mixture {100 * diff.mean():+.2f} % "
              f"± {100 * diff.std(ddof=1) / np.sqrt(len(v)):.2f} (paired SE)")


if __name__ == "__main__":
    main()
