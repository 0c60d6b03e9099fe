"""How the default classifier's experts are deployed: refits, fold fits averaged, or both.

The stacked gate and its heads learn from out-of-fold outputs of 80 % fits
(5 folds); the classifier then predicts with each expert refitted on all
rows (``refit_experts='auto'``), the regressor with its fold fits averaged.
This script fits the default mixture twice on the suite's splits of one
classification set -- ``refit_experts=True`` and ``False``, the same seed,
so the same folds, out-of-fold outputs, candidates and heads (checked:
``same``) -- and prints the test log-loss of four deployments: the refits
everywhere, the fold fits averaged everywhere, and the mixture part on the
refits with the heads of the candidate blend fed the fold fits' arithmetic
or geometric mean probabilities, and the mean of the two mixtures'
probabilities (half each: both deployments' models at predict time)::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_deployment.py breast_cancer 10
"""
import os
import sys
import warnings

import numpy as np
from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method, load  # noqa: E402

from skmoe._likelihood import aligned_proba, mix_probabilities  # noqa: E402

warnings.simplefilter("ignore")
name, n_splits = sys.argv[1], int(sys.argv[2])
task, X, y, _ = load(name, 20000)
tot = {}
for s, (tr, te) in enumerate(_splits(task, X, y, n_splits, 0.25)):
    A = build_method("moe", task, seed=s, lgbm_trees=300, n_jobs=1).fit(X[tr], y[tr])
    B = build_method("moe", task, seed=s, lgbm_trees=300, n_jobs=1)
    B.set_params(refit_experts=False).fit(X[tr], y[tr])
    same = A.candidate_weights_ == B.candidate_weights_
    Xt = A._check_X(X[te]); C = len(A.classes_)
    comb, view = A._combiner_and_view(Xt)
    wA, oA = A._weights_and_outputs(Xt, view)
    wB, oB = B._weights_and_outputs(Xt, view)
    # The geometric mean of the fold fits' probabilities, renormalised.
    geo = []
    for e in B.experts_:
        logs = np.mean([np.log(np.clip(aligned_proba("e", f, Xt, C), 1e-12, 1))
                        for f in e.estimators], axis=0)
        p = np.exp(logs)
        geo.append(p / p.sum(1, keepdims=True))
    oG = np.stack(geo, axis=1)

    def sc(p):
        p = np.clip(p, 1e-15, 1)
        return log_loss(y[te], p / p.sum(1, keepdims=True), labels=A.classes_)

    pA, pB = A.predict_proba(X[te]), B.predict_proba(X[te])
    res = {"refit": sc(pA), "bagged": sc(pB), "half each": sc(0.5 * (pA + pB))}
    if comb is not None:
        mixA = mix_probabilities(wA, oA)
        res["hybrid arith"] = sc(comb.predict_proba(view, oB, mixA, C))
        res["hybrid geo"] = sc(comb.predict_proba(view, oG, mixA, C))
    else:
        res["hybrid arith"] = res["hybrid geo"] = res["refit"]
    for k, v in res.items():
        tot.setdefault(k, []).append(v)
    print(s, same, {k: round(v, 4) for k, v in res.items()}, flush=True)
print(name, {k: round(np.mean(v), 4) for k, v in tot.items()})
