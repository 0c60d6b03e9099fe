"""PLE vs CGC vs MMoE across task correlations (the seesaw study of Tang et al.).

Progressive Layered Extraction (Tang et al., RecSys 2020) claims to beat
MMoE on *every* task when the tasks are weakly related, where MMoE gains on
one task at the other's expense (the "seesaw"). For each correlation ``p``
in {0, 0.25, 0.5, 0.75, 1} and each seed, two regression tasks come from
:func:`skmoe.datasets.make_mmoe_tasks` (100 features, ``--n-train``
training rows, ``--n-test`` test rows); three settings of
:class:`skmoe.MultiGateMixtureOfExperts` are trained on the same rows with
the same optimiser (Adam, lr 1e-3, batch 128, early stopping on 10 % of
the training rows, at most ``--max-iter`` epochs), at nearly equal
parameter counts (one-layer experts of 16 units, linear gates, towers with
8 hidden units):

- MMoE: 8 shared experts, one gate per task (14,834 parameters);
- CGC: PLE with one extraction layer, 2 shared + 3 per task (14,228);
- PLE: two extraction layers, 1 shared + 3 per task each (15,157).

The test loss is each task's mean squared error on the raw labels.

Writes ``benchmarks/results/ple_synthetic.{md,json}``; the gallery example
``examples/plot_ple_seesaw.py`` draws the JSON.

Run::

    python benchmarks/bench_ple_synthetic.py --seeds 10 --n-jobs 16
"""

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

ROOT = Path(__file__).resolve().parent.parent
CORRELATIONS = (0.0, 0.25, 0.5, 0.75, 1.0)
MODELS = {
    "mmoe": dict(architecture="mmoe", n_experts=8),
    "cgc": dict(architecture="ple", n_levels=1, n_experts=2, n_task_experts=3),
    "ple": dict(architecture="ple", n_levels=2, n_experts=1, n_task_experts=3),
}
LABELS = {"mmoe": "MMoE", "cgc": "CGC (PLE, 1 layer)", "ple": "PLE (2 layers)"}


def run_one(correlation, seed, args):
    import torch  # noqa: PLC0415 -- inside the worker, after the thread setting
    from sklearn.exceptions import ConvergenceWarning  # noqa: PLC0415

    from skmoe import MultiGateMixtureOfExperts  # noqa: PLC0415
    from skmoe.datasets import make_mmoe_tasks  # noqa: PLC0415

    torch.set_num_threads(1)   # small matrices: one thread per worker is fastest
    X, Y = make_mmoe_tasks(args.n_train + args.n_test, 100, correlation=correlation,
                           random_state=seed)
    X_train, Y_train, X_test, Y_test = (X[:args.n_train], Y[:args.n_train],
                                        X[args.n_train:], Y[args.n_train:])
    out = {"correlation": correlation, "seed": seed,
           "label_correlation": float(np.corrcoef(Y.T)[0, 1])}
    for name, params in MODELS.items():
        model = MultiGateMixtureOfExperts(
            **params, max_iter=args.max_iter, early_stopping=True, learning_rate=1e-3,
            batch_size=128, device="cpu", random_state=seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, Y_train)
        loss = ((model.predict(X_test) - Y_test) ** 2).mean(axis=0)
        out[name] = {"task_losses": loss.tolist(), "epochs": model.n_iter_,
                     "fit_seconds": time.perf_counter() - start,
                     "n_parameters": sum(p.numel() for p in model.module_.parameters())}
    return out


def summarise(runs):
    table = {}
    for p in CORRELATIONS:
        rows = [r for r in runs if r["correlation"] == p]
        entry = {"label_correlation": float(np.mean([r["label_correlation"] for r in rows])),
                 "n_seeds": len(rows)}
        mmoe = np.array([r["mmoe"]["task_losses"] for r in rows])        # (seeds, 2)
        for name in MODELS:
            losses = np.array([r[name]["task_losses"] for r in rows])
            entry[name] = {"mean": losses.mean(0).tolist(),
                           "std": losses.std(0, ddof=1).tolist(),
                           "n_parameters": rows[0][name]["n_parameters"]}
            if name != "mmoe":
                # Paired over seeds: same rows, same seed for both models.
                entry[name]["wins_vs_mmoe"] = (losses < mmoe).sum(0).tolist()
                entry[name]["wins_vs_mmoe_both_tasks"] = int(
                    (losses < mmoe).all(1).sum())
        table[p] = entry
    return table


def markdown(table, args, seconds):
    lines = [
        f"Test MSE per task (raw labels), mean ± std over {args.seeds} seeds; "
        f"{args.n_train} training rows, {args.n_test} test rows, 100 features. "
        "'wins' counts the seeds where the model beats MMoE on that task "
        "(task 1 / task 2 / both).", "",
        "| p | label corr. | " + " | ".join(
            f"{LABELS[n]} task 1 | {LABELS[n]} task 2" for n in MODELS)
        + " | CGC wins | PLE wins |",
        "|---" * (4 + 2 * len(MODELS)) + "|"]
    for p, e in table.items():
        cells = [f"{e[n]['mean'][k]:.3f} ± {e[n]['std'][k]:.3f}"
                 for n in MODELS for k in (0, 1)]
        wins = [f"{e[n]['wins_vs_mmoe'][0]}/{e[n]['wins_vs_mmoe'][1]}/"
                f"{e[n]['wins_vs_mmoe_both_tasks']} of {e['n_seeds']}"
                for n in ("cgc", "ple")]
        lines.append(f"| {p} | {e['label_correlation']:.2f} | " + " | ".join(cells + wins)
                     + " |")
    params = ", ".join(f"{LABELS[n]} {table[CORRELATIONS[0]][n]['n_parameters']:,}"
                       for n in MODELS)
    lines += ["", f"Parameters: {params}.", "",
              f"Command: `python benchmarks/bench_ple_synthetic.py --seeds {args.seeds} "
              f"--n-train {args.n_train} --n-test {args.n_test} --max-iter {args.max_iter} "
              f"--n-jobs {args.n_jobs}` ({seconds:.0f} s wall clock)."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-train", type=int, default=8000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--max-iter", type=int, default=250)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    start = time.perf_counter()
    runs = Parallel(n_jobs=args.n_jobs)(
        delayed(run_one)(p, seed, args) for p in CORRELATIONS for seed in range(args.seeds))
    seconds = time.perf_counter() - start
    table = summarise(runs)
    results = Path(args.output)
    results.mkdir(parents=True, exist_ok=True)
    text = markdown(table, args, seconds)
    (results / "ple_synthetic.md").write_text(text)
    settings = {k: v for k, v in vars(args).items() if k != "output"}
    (results / "ple_synthetic.json").write_text(json.dumps(
        {"settings": settings, "models": MODELS, "summary": {str(p): e for p, e in
                                                              table.items()},
         "runs": runs, "seconds": seconds}, indent=1))
    print(text)


if __name__ == "__main__":
    main()
