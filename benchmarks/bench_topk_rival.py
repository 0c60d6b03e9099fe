"""The top-k gate's rival, off and on: the suite's top-k mixture by the gradient trainer.

Over fixed experts the gradient trainer's top-k gate is replaced by its rival
(the best expert alone for ``top_k=1``, the top k of the experts' best
constant blend otherwise) when the rival beats it on the validation rows by
more than one standard error (``skmoe._gradient.CONSTANT_ROUTING_FALLBACK``).
Both settings on the suite's pool and splits (``run_benchmarks.py``); mean
test RMSE or log-loss, and the per-split scores with the rival::

    OMP_NUM_THREADS=1 python benchmarks/bench_topk_rival.py --splits 5 --top-k 1 iris mroz
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _scores, _splits, build_method, load  # noqa: E402


def main(argv=None):
    import skmoe._gradient as gradient
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--top-k", type=int, default=1, choices=[1, 2])
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    method = f"moe_top{args.top_k}"
    print("| dataset | top-k | without the rival | with it | change | per split, with it |")
    print("|---|---|---|---|---|---|")
    for name in args.datasets:
        task, X, y, _ = load(name, 20000)
        scores = {False: [], True: []}
        for split, (train, test) in enumerate(_splits(task, X, y, args.splits, 0.25, 0)):
            for rival in scores:
                gradient.CONSTANT_ROUTING_FALLBACK = rival
                model = build_method(method, task, seed=split, lgbm_trees=300, n_jobs=1)
                model.fit(X[train], y[train])
                scores[rival].append(next(iter(_scores(task, model, X[test], y[test])[0]
                                               .values())))
        gradient.CONSTANT_ROUTING_FALLBACK = True
        before, after = np.mean(scores[False]), np.mean(scores[True])
        print(f"| {name} | {args.top_k} | {before:.4f} | {after:.4f} | "
              f"{100 * (after / before - 1):+.1f} % | "
              f"{' '.join(f'{s:.4f}' for s in scores[True])} |", flush=True)


if __name__ == "__main__":
    main()
