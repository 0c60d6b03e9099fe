"""MMoE vs OMoE vs shared-bottom on the synthetic study of Ma et al. (KDD 2018).

For each label correlation ``p`` in {0.5, 0.9, 1.0} and each seed, two
regression tasks come from :func:`skmoe.datasets.make_mmoe_tasks` (100
features, ``--n-train`` training rows, ``--n-test`` test rows); the three
architectures of :class:`skmoe.MultiGateMixtureOfExperts` are trained on the
same rows with the same settings (8 one-layer experts of 16 units, linear
gates, towers with 8 hidden units; shared-bottom 128 units wide; Adam,
batch 128, early stopping on 10 % of the training rows). The test loss is
the mean squared error on the raw labels, averaged over the two tasks.

Writes ``benchmarks/results/mmoe_synthetic.{md,rst,json}`` and the plot
``docs/_static/mmoe_synthetic.png``.

Run::

    python benchmarks/bench_mmoe_synthetic.py --seeds 10 --n-jobs 2
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
CORRELATIONS = (0.5, 0.9, 1.0)
ARCHITECTURES = ("mmoe", "omoe", "shared_bottom")
LABELS = {"mmoe": "MMoE", "omoe": "OMoE", "shared_bottom": "Shared-bottom"}


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
    for arch in ARCHITECTURES:
        model = MultiGateMixtureOfExperts(
            architecture=arch, max_iter=args.max_iter, early_stopping=True,
            learning_rate=1e-3, batch_size=128, random_state=seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, Y_train)
        seconds = time.perf_counter() - start
        loss = ((model.predict(X_test) - Y_test) ** 2).mean(axis=0)
        out[arch] = {"test_loss": float(loss.mean()), "task_losses": loss.tolist(),
                     "epochs": model.n_iter_, "fit_seconds": seconds}
    return out


def summarise(runs):
    table = {}
    for p in CORRELATIONS:
        rows = [r for r in runs if r["correlation"] == p]
        entry = {"label_correlation": float(np.mean([r["label_correlation"] for r in rows]))}
        for arch in ARCHITECTURES:
            losses = np.array([r[arch]["test_loss"] for r in rows])
            entry[arch] = {"mean": float(losses.mean()), "std": float(losses.std(ddof=1)),
                           "median": float(np.median(losses))}
        mmoe = np.array([r["mmoe"]["test_loss"] for r in rows])
        omoe = np.array([r["omoe"]["test_loss"] for r in rows])
        bottom = np.array([r["shared_bottom"]["test_loss"] for r in rows])
        entry["omoe_over_mmoe_median_ratio"] = float(np.median(omoe / mmoe))
        entry["mmoe_wins_vs_omoe"] = int((mmoe < omoe).sum())
        entry["mmoe_wins_vs_shared_bottom"] = int((mmoe < bottom).sum())
        entry["n_seeds"] = len(rows)
        table[p] = entry
    return table


def markdown(table, args, seconds):
    lines = [
        f"Test MSE (mean over the two tasks, raw labels), mean ± std over "
        f"{args.seeds} seeds; {args.n_train} training rows, {args.n_test} test rows, "
        "100 features.", "",
        "| p | label corr. | MMoE | OMoE | Shared-bottom | OMoE/MMoE (median) "
        "| MMoE < OMoE | MMoE < SB |",
        "|---|---|---|---|---|---|---|---|"]
    for p, e in table.items():
        cells = [f"{e[a]['mean']:.3f} ± {e[a]['std']:.3f}" for a in ARCHITECTURES]
        lines.append(f"| {p} | {e['label_correlation']:.2f} | " + " | ".join(cells)
                     + f" | {e['omoe_over_mmoe_median_ratio']:.2f} | "
                     f"{e['mmoe_wins_vs_omoe']}/{e['n_seeds']} | "
                     f"{e['mmoe_wins_vs_shared_bottom']}/{e['n_seeds']} |")
    lines += ["", f"Command: `python benchmarks/bench_mmoe_synthetic.py --seeds {args.seeds} "
              f"--n-train {args.n_train} --n-test {args.n_test} --max-iter {args.max_iter} "
              f"--n-jobs {args.n_jobs}` ({seconds:.0f} s wall clock)."]
    return "\n".join(lines) + "\n"


def rst_table(table, args):
    header = ["p", "label corr.", "MMoE", "OMoE", "Shared-bottom", "OMoE/MMoE (median)",
              "MMoE < OMoE", "MMoE < shared-bottom"]
    lines = [".. list-table:: Test MSE (mean of the two tasks), mean ± std over "
             f"{args.seeds} seeds", "   :header-rows: 1", ""]
    rows = [header] + [
        [str(p), f"{e['label_correlation']:.2f}"]
        + [f"{e[a]['mean']:.3f} ± {e[a]['std']:.3f}" for a in ARCHITECTURES]
        + [f"{e['omoe_over_mmoe_median_ratio']:.2f}",
           f"{e['mmoe_wins_vs_omoe']}/{e['n_seeds']}",
           f"{e['mmoe_wins_vs_shared_bottom']}/{e['n_seeds']}"]
        for p, e in table.items()]
    for row in rows:
        lines.append("   * - " + row[0])
        lines += [f"     - {cell}" for cell in row[1:]]
    return "\n".join(lines) + "\n"


def plot(runs, table, path):
    import matplotlib  # noqa: PLC0415
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(len(CORRELATIONS))
    for i, arch in enumerate(ARCHITECTURES):
        offset = (i - 1) * 0.22
        for j, p in enumerate(CORRELATIONS):
            seeds = [r[arch]["test_loss"] for r in runs if r["correlation"] == p]
            ax.scatter(np.full(len(seeds), x[j] + offset), seeds, s=12, alpha=0.5,
                       color=f"C{i}")
        ax.bar(x + offset, [table[p][arch]["mean"] for p in CORRELATIONS], width=0.2,
               color=f"C{i}", alpha=0.4, label=LABELS[arch])
    ax.set_xticks(x, [f"p = {p}" for p in CORRELATIONS])
    ax.set_ylabel("test MSE (mean of two tasks)")
    ax.set_title("Synthetic tasks of Ma et al. (2018): mean (bars) and seeds (dots)",
                 fontsize=10)
    ax.set_ylim(0, 1.25 * max(r[a]["test_loss"] for r in runs for a in ARCHITECTURES))
    ax.legend(loc="upper left", ncols=3, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-train", type=int, default=8000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    start = time.perf_counter()
    runs = Parallel(n_jobs=args.n_jobs)(
        delayed(run_one)(p, seed, args) for p in CORRELATIONS for seed in range(args.seeds))
    seconds = time.perf_counter() - start
    table = summarise(runs)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    text = markdown(table, args, seconds)
    (results / "mmoe_synthetic.md").write_text(text)
    (results / "mmoe_synthetic.rst").write_text(rst_table(table, args))
    (results / "mmoe_synthetic.json").write_text(json.dumps(
        {"settings": vars(args), "summary": {str(p): e for p, e in table.items()},
         "runs": runs, "seconds": seconds}, indent=1))
    static = ROOT / "docs" / "_static"
    static.mkdir(parents=True, exist_ok=True)
    plot(runs, table, static / "mmoe_synthetic.png")
    print(text)


if __name__ == "__main__":
    main()
