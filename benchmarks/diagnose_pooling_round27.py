"""Round 27's USRegionalMortality_Cause: where Stacking's lead over the mixture
comes from. On the round's splits, the pool's experts' out-of-fold class
probabilities on the training rows (Stacking's own ``cv=5`` folds) are blended in
three ways, each fitted on those rows and scored (log-loss) on the test rows:

* ``stacking_final``: Stacking's final step, a multinomial logistic regression on
  all experts' probabilities (4 experts x 10 classes = 40 inputs);
* ``linear_pool``: the best convex blend of the probabilities (one weight an
  expert, as the mixture's constant blend and Caruana's selection);
* ``log_pool``: the best log-linear blend, ``p`` proportional to
  ``prod_k p_k ** a_k`` (one free weight ``a_k >= 0`` an expert, so it can sharpen
  what the experts agree on), with the probabilities clipped at 1e-6.

Results: ``benchmarks/results/accuracy_unseen_round27.md``.

::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_pooling_round27.py
"""

import os
import sys

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round27 as round27  # noqa: E402
from run_benchmarks import _splits, build_method  # noqa: E402

EPS = 1e-6


def _fit_pool(logs, y, log_pool):
    """Weights (one an expert) minimising the training log-loss of the pool."""
    k = len(logs)

    def loss(a):
        a = np.abs(a)
        if log_pool:
            out = log_softmax(sum(w * lp for w, lp in zip(a, logs)), axis=1)
        else:
            out = np.log(_pool(logs, a, False))
        return -out[np.arange(len(y)), y].mean()

    return np.abs(minimize(loss, np.full(k, 1 / k), method="Powell").x)


def _pool(logs, a, log_pool):
    if log_pool:
        return softmax(sum(w * lp for w, lp in zip(a, logs)), axis=1)
    # The clipped probabilities sum to a little over one: renormalised.
    out = sum(w * np.exp(lp) for w, lp in zip(a / a.sum(), logs))
    return out / out.sum(axis=1, keepdims=True)


def main(name="USRegionalMortality_Cause", n_splits=5):
    task, X, y = round27.load(name)
    labels = np.unique(y)
    rows = []
    for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
        stacking = build_method("stacking", task, seed=split, lgbm_trees=300, n_jobs=1)
        experts = stacking.estimators
        cv = StratifiedKFold(5)  # StackingClassifier's cv=5 for a classifier
        oof = [cross_val_predict(clone(e), X[train], y[train], cv=cv, method="predict_proba")
               for _, e in experts]
        fitted = [clone(e).fit(X[train], y[train]) for _, e in experts]
        test_p = [f.predict_proba(X[test]) for f in fitted]
        final = LogisticRegression().fit(np.hstack(oof), y[train])
        logs_tr = [np.log(np.clip(p, EPS, 1)) for p in oof]
        logs_te = [np.log(np.clip(p, EPS, 1)) for p in test_p]
        row = {"stacking_final": log_loss(y[test], final.predict_proba(np.hstack(test_p)),
                                          labels=labels)}
        for pool, is_log in (("linear_pool", False), ("log_pool", True)):
            a = _fit_pool(logs_tr, y[train], is_log)
            row[pool] = log_loss(y[test], _pool(logs_te, a, is_log), labels=labels)
            row[pool + "_weights"] = np.round(a, 2).tolist()
        rows.append(row)
        print(f"split {split}: " + ", ".join(
            f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()),
            flush=True)
    print("experts: " + ", ".join(n for n, _ in experts))
    print("mean: " + ", ".join(f"{k} {np.mean([r[k] for r in rows]):.4f}"
                               for k in ("stacking_final", "linear_pool", "log_pool")))


if __name__ == "__main__":
    main()
