"""Each candidate of the stacked gate on the test rows, next to the best constant blends.

The default mixture's final predictor is a convex blend of candidates (the
experts' constant blend, the gate, the linear and feature-weighted heads, the
best single expert), weighted on their held-out predictions. This script
fits the default mixture, ``Stacking(cv=5)`` and Caruana's ensemble selection
on the suite's splits of one dataset and prints, per split, the candidates'
weights, their held-out losses (standardised squared error, or log-loss) and
the test score (RMSE or log-loss) of the mixture, of each weighted candidate
alone and of the two constant blends; for regression also of Stacking's final
ridge applied to the mixture's own experts::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_candidates.py boston --splits 10
    OMP_NUM_THREADS=1 python benchmarks/diagnose_candidates.py breast_cancer --splits 10
"""

import os
import sys

import numpy as np
from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method, diagnostic_arguments, load  # noqa: E402


def candidates_alone(moe, combiner, view, weights, outputs, score):
    """The score of each of a fitted mixture's candidates alone on the rows of
    ``outputs`` (its experts' outputs there): the gate, the constant blend and
    each head of ``combiner`` (by name: linear, feature_weighted, best_expert,
    prior)."""
    from skmoe._candidates import ExpertHead, PriorHead
    from skmoe._likelihood import mix_probabilities
    regression = not hasattr(moe, "classes_")
    if regression:
        scores = {"gate": score((weights * outputs).sum(axis=1)),
                  "constant": score(outputs @ moe.blend_weights_)}
    else:
        scores = {"gate": score(mix_probabilities(weights, outputs)),
                  "constant": score(mix_probabilities(
                      np.broadcast_to(moe.blend_weights_, weights.shape), outputs))}
    for _, head in ([] if combiner is None else combiner.heads):
        name = ("best_expert" if isinstance(head, ExpertHead) else
                "prior" if isinstance(head, PriorHead) else
                "feature_weighted" if head.feature_weighted else "linear")
        scores[name] = score(head.predict(view, outputs) if regression else
                             head.predict_proba(view, outputs, len(moe.classes_)))
    return scores


def main(argv=None):
    _, args = diagnostic_arguments(__doc__, argv)
    task, X, y, _ = load(args.dataset, args.max_rows)
    regression = task == "regression"
    metric = "RMSE" if regression else "log-loss"
    totals = {}
    for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
        fitted = {name: build_method(name, task, seed=split, lgbm_trees=300, n_jobs=1)
                  .fit(X[train], y[train]) for name in ("stacking", "caruana", "moe")}
        moe = fitted["moe"]

        def score(prediction):
            if regression:
                return float(np.sqrt(np.mean((prediction - y[test]) ** 2)))
            return float(log_loss(y[test], prediction, labels=moe.classes_))

        def predict(model):
            return model.predict(X[test]) if regression else model.predict_proba(X[test])

        X_test = moe._check_X(X[test])
        combiner, view = moe._combiner_and_view(X_test)
        weights, outputs = moe._weights_and_outputs(X_test, view)
        scores = {"stacking": score(predict(fitted["stacking"])),
                  "caruana": score(predict(fitted["caruana"])),
                  "mixture": score(predict(moe))}
        if regression:
            # The suite's Stacking is fitted on the standardised target
            # (run_benchmarks.stacking_regressor): its ridge reads outputs on that scale.
            stack = fitted["stacking"]
            mean, sd = stack.transformer_.mean_[0], stack.transformer_.scale_[0]
            scores["stacking's ridge on the mixture's experts"] = score(
                stack.regressor_.final_estimator_.predict((outputs - mean) / sd) * sd + mean)
        scores.update(candidates_alone(moe, combiner, view, weights, outputs, score))
        for name, value in scores.items():
            totals.setdefault(name, []).append(value)
        print(f"split {split}: weights "
              + ", ".join(f"{k} {v:.2f}" for k, v in moe.candidate_weights_.items()))
        print("  held-out loss " + ", ".join(
            f"{k} {np.sqrt(v) if regression else v:.4f}"
            for k, v in moe.out_of_fold_loss_.items()))
        print(f"  test {metric} " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()),
              flush=True)
    print(f"mean test {metric} over the splits where each was weighted: "
          + ", ".join(f"{k} {np.mean(v):.4f} ({len(v)})" for k, v in totals.items()))


if __name__ == "__main__":
    main()
