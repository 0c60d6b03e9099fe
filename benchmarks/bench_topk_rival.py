"""The top-k mixture's rival, off and on: the suite's top-k mixture by either trainer.

Over fixed experts the gradient trainer's top-k gate is replaced by its rival
(the best expert alone for ``top_k=1``, the top k of the experts' best
constant blend otherwise) when the rival beats it on the validation rows by
more than one standard error (``skmoe._gradient.TOPK_RIVAL``);
cross-fitted EM's top-k mixture likewise, on the honest outputs of every row
(``skmoe._em.TOPK_RIVAL``; ``--training em``). ``--all-rows`` compares the
gradient trainer's rival checked on the validation rows only with the rival
checked on them or on every row (``skmoe._gradient.TOPK_RIVAL_ALL_ROWS``, the
library's). Both settings on the suite's
pool and splits (``run_benchmarks.py``); mean test RMSE or log-loss, and the
per-split scores with the rival::

    OMP_NUM_THREADS=1 python benchmarks/bench_topk_rival.py --splits 5 --top-k 1 iris mroz
    OMP_NUM_THREADS=1 python benchmarks/bench_topk_rival.py --splits 5 --training em mroz
    OMP_NUM_THREADS=1 python benchmarks/bench_topk_rival.py --training em --unseen Auto Titanic
    OMP_NUM_THREADS=1 python benchmarks/bench_topk_rival.py --all-rows --top-k 1 wine mcycle
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _scores, _splits, build_method, load  # noqa: E402


def _hard_em_gate(rounds=5):
    """Patch: before the rival check, refine the Adam-trained top-k gate by hard
    EM with the experts fixed -- targets the renormalised top k of each row's
    posterior ``gate prior x expert likelihood`` (EM's gate step), warm L-BFGS
    fits on the training rows -- keeping the round (the Adam gate included)
    with the lowest routed validation loss."""
    import copy

    import skmoe._gradient as gradient
    from skmoe._candidates import routed_task_loss
    from skmoe._routing import route_numpy
    original = gradient._rival_if_better

    def refined(problem, gate, fixed_out, train, val, top_k):
        regression = not problem.is_classifier
        y = problem.y_standardised if regression else problem.y
        w = problem.sample_weight
        if regression:
            residual2 = (y[:, None] - fixed_out) ** 2
            variance = np.average(residual2[train], axis=0, weights=w[train])
            log_lik = -0.5 * (np.log(2 * np.pi * variance) + residual2 / variance)
        else:
            log_lik = fixed_out[np.arange(len(y)), :, y]

        out = fixed_out[val] if regression else np.exp(fixed_out[val])

        def val_loss(g):
            return np.average(routed_task_loss(g.logits(problem.X[val]), out, y[val], top_k,
                                               regression), weights=w[val])
        best, best_loss = copy.deepcopy(gate), val_loss(gate)
        for _ in range(rounds):
            prior = gate.logits(problem.X)
            posterior = prior - prior.max(axis=1, keepdims=True) + log_lik
            R = route_numpy(posterior, top_k)
            gate.fit(problem.X[train], R[train], w[train], warm_start=True)
            loss = val_loss(gate)
            if loss < best_loss:
                best, best_loss = copy.deepcopy(gate), loss
        with __import__("torch").no_grad():
            for target, source in zip(gate.module_.parameters(), best.module_.parameters()):
                target.copy_(source)
        return original(problem, gate, fixed_out, train, val, top_k)
    gradient._rival_if_better = refined
    return lambda: setattr(gradient, "_rival_if_better", original)


def _rival_switch(training, on, all_rows=False):
    """Turn the trainer's rival on or off (module constants); with
    ``all_rows``, the gradient trainer's rival stays on and ``on`` says
    whether it is also checked on every row."""
    import skmoe._em as em
    import skmoe._gradient as gradient
    if all_rows:
        gradient.TOPK_RIVAL_ALL_ROWS = on
    elif training == "em":
        em.TOPK_RIVAL = on
    else:
        gradient.TOPK_RIVAL = on


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--top-k", type=int, default=1, choices=[1, 2])
    parser.add_argument("--training", default="gradient", choices=["gradient", "em"])
    parser.add_argument("--unseen", action="store_true",
                        help="the datasets are bench_more_datasets.py's sets (its loader)")
    parser.add_argument("--all-rows", action="store_true",
                        help="'without' checks the gradient trainer's rival on the "
                             "validation rows only, 'with' on them or on every row")
    parser.add_argument("--hard-em", action="store_true",
                        help="compare the rival alone with the rival after a hard-EM "
                             "refinement of the gate (a variant, not the library)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    method = f"moe_top{args.top_k}"
    print("| dataset | top-k | without the rival | with it | change | per split, with it |"
          if not args.all_rows else
          "| dataset | top-k | rival on validation rows | on them or every row | change "
          "| per split, every row |")
    print("|---|---|---|---|---|---|")
    for name in args.datasets:
        if args.unseen:
            from bench_more_datasets import load as load_unseen
            task, X, y = load_unseen(name)
        else:
            task, X, y, _ = load(name, 20000)
        scores = {False: [], True: []}
        for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
            for rival in scores:
                undo = None
                if args.hard_em:   # False: the library; True: hard EM, then the rival
                    undo = _hard_em_gate() if rival else None
                else:
                    _rival_switch(args.training, rival, args.all_rows)
                model = build_method(method, task, seed=split, lgbm_trees=300, n_jobs=1,
                                     moe_params={"training": args.training})
                model.fit(X[train], y[train])
                if undo is not None:
                    undo()
                scores[rival].append(next(iter(_scores(task, model, X[test], y[test])[0]
                                               .values())))
        _rival_switch(args.training, True, args.all_rows)
        before, after = np.mean(scores[False]), np.mean(scores[True])
        print(f"| {name} | {args.top_k} | {before:.4f} | {after:.4f} | "
              f"{100 * (after / before - 1):+.1f} % | "
              f"{' '.join(f'{s:.4f}' for s in scores[True])} |", flush=True)


if __name__ == "__main__":
    main()
