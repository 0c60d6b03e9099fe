"""Where the default regression mixture's predict time goes, next to Stacking's.

``results/results.md`` has the default ``MixtureOfExpertsRegressor`` predict
4.5-5.6x as long as ``StackingRegressor(cv=5)`` on the same four experts,
and the default classifier 1.1-2.1x. The regressor deploys each expert as the
average of its ``cv`` fold fits (``refit_experts='auto'``, which is False for
the regressor: ``CrossFitAverage``), so one predict of the mixture is five
predicts of every expert; the classifier, EM and Stacking predict with one
refit per expert.

This script splits the mixture's predict into the experts' own work and the
rest, side by side in one process. Per dataset (75 / 25 % split, seed 0; the
suite's pool, ``run_benchmarks.make_experts``, LightGBM ``--lgbm-trees``) it
fits Stacking as the suite does (``run_benchmarks.stacking_regressor``), the
default mixture, and the mixture with ``refit_experts=True``, then times, in
turn within each of ``--repeats`` repetitions (so that each repetition's
calls share the machine's load):

* ``stacking``: ``predict`` of Stacking (its target scaling included);
* ``refits bare``: each of Stacking's four refitted experts' ``predict``, called
  directly, summed (what Stacking cannot avoid);
* ``mixture``: ``predict`` of the default mixture;
* ``fold fits bare``: each of the mixture's fold fits' ``predict`` (4 experts
  x 5 folds), called directly, summed (what the mixture cannot avoid without
  changing its predictions);
* ``mixture, refit``: ``predict`` of the mixture with ``refit_experts=True``.

Figures are the process's CPU time (``time.process_time``; every call runs
on one thread), which time spent waiting for a core shared with other jobs
does not inflate as it does wall time; wall-clock ratios are given too.
Medians over the repetitions (ms); ratios and differences are the medians
of the repetitions' paired ratios and differences. "Overhead" is the call
minus its experts' bare work: validation of X, the named checks around
every expert's call, the gate and the heads (the mixture), the final ridge
and the target scaling (Stacking).

Run (the figures in results/predict_cost.md)::

    OMP_NUM_THREADS=1 python benchmarks/bench_predict_cost.py --repeats 15 \\
        --out benchmarks/results/predict_cost.md
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

DATASETS = ["mcycle", "diabetes", "friedman1_20000"]


def _data(name):
    """(X, y) of a registry dataset, or of ``friedman1_<rows>``: scikit-learn's
    Friedman #1 (10 columns, noise 1, seed 0) with that many rows."""
    if name.startswith("friedman1_"):
        from sklearn.datasets import make_friedman1
        return make_friedman1(int(name.split("_")[1]), n_features=10, noise=1.0,
                              random_state=0)
    from run_benchmarks import load
    _, X, y, _ = load(name, max_rows=None)
    return X, y


def _fitted(X, y, lgbm_trees):
    from run_benchmarks import make_experts, stacking_regressor

    from skmoe import MixtureOfExpertsRegressor

    def pool():
        return make_experts("regression", lgbm_trees=lgbm_trees)

    return {"stacking": stacking_regressor(pool()).fit(X, y),
            "mixture": MixtureOfExpertsRegressor(pool(), random_state=0).fit(X, y),
            "mixture, refit": MixtureOfExpertsRegressor(pool(), random_state=0,
                                                        refit_experts=True).fit(X, y)}


def _bare(models):
    """The fitted models each call runs, by expert name, called directly."""
    refits = dict(models["stacking"].regressor_.named_estimators_)
    mixture = models["mixture"]
    folds = {name: list(expert.estimators)
             for name, expert in zip(mixture.expert_names_, mixture.experts_)}
    return refits, folds


def _seconds(call):
    """(CPU, wall) seconds of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure(name, repeats, lgbm_trees):
    """One dataset's timings (seconds per repetition) and its sizes."""
    X, y = _data(name)
    order = np.random.RandomState(0).permutation(len(y))
    cut = int(round(0.75 * len(y)))
    train, test = order[:cut], order[cut:]
    models = _fitted(X[train], y[train], lgbm_trees)
    X_test = X[test]
    refits, folds = _bare(models)
    calls = {
        "stacking": lambda: models["stacking"].predict(X_test),
        "refits bare": lambda: [e.predict(X_test) for e in refits.values()],
        "mixture": lambda: models["mixture"].predict(X_test),
        "fold fits bare": lambda: [f.predict(X_test) for fs in folds.values() for f in fs],
        "mixture, refit": lambda: models["mixture, refit"].predict(X_test),
    }
    per_expert = {f"{expert} refit": (lambda e=e: e.predict(X_test))
                  for expert, e in refits.items()}
    per_expert.update({f"{expert} folds": (lambda fs=fs: [f.predict(X_test) for f in fs])
                       for expert, fs in folds.items()})
    for call in {**calls, **per_expert}.values():  # warm-up (imports, caches)
        call()
    times = {key: [] for key in [*calls, *per_expert]}
    wall = {key: [] for key in calls}
    for _ in range(repeats):
        for key, call in {**calls, **per_expert}.items():
            cpu_s, wall_s = _seconds(call)
            times[key].append(cpu_s)
            if key in wall:
                wall[key].append(wall_s)
    return {"name": name, "train": len(train), "test": len(test),
            "fits": {expert: len(fs) for expert, fs in folds.items()}, "times": times,
            "wall": wall}


def _median_ms(values):
    return 1e3 * statistics.median(values)


def _ratio(times, top, bottom):
    return statistics.median(a / b for a, b in zip(times[top], times[bottom]))


def report(results, repeats, lgbm_trees, command):
    lines = [
        "Where the default regression mixture's predict time goes (`bench_predict_cost.py`). "
        f"The suite's pool (ridge, depth-8 tree, LightGBM {lgbm_trees} trees, 15-NN), "
        "75 / 25 % split (seed 0), one thread; "
        f"medians over {repeats} repetitions, each timing every call in turn; ratios are "
        "the medians of the repetitions' paired ratios. "
        "Times are CPU times of the process (every call runs on one thread), not "
        "inflated by waits for the cores, which other jobs shared; the last column is "
        f"the ratio in wall time. {platform.machine()}, {os.cpu_count()} CPUs.",
        "",
        f"    {command}",
        "",
        "| dataset | train / test rows | Stacking (ms) | its refits bare | mixture (ms) "
        "| its fold fits bare | mixture / Stacking | fold fits bare / refits bare "
        "| mixture overhead (ms) | Stacking overhead (ms) | mixture, refit / Stacking "
        "| mixture / Stacking, wall |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = {k: _median_ms(v) for k, v in r["times"].items()}
        overhead = [a - b for a, b in zip(r["times"]["mixture"], r["times"]["fold fits bare"])]
        stack_overhead = [a - b for a, b in zip(r["times"]["stacking"],
                                                r["times"]["refits bare"])]
        lines.append(
            f"| {r['name']} | {r['train']} / {r['test']} | {t['stacking']:.2f} "
            f"| {t['refits bare']:.2f} | {t['mixture']:.2f} | {t['fold fits bare']:.2f} "
            f"| {_ratio(r['times'], 'mixture', 'stacking'):.2f} "
            f"| {_ratio(r['times'], 'fold fits bare', 'refits bare'):.2f} "
            f"| {_median_ms(overhead):.2f} | {_median_ms(stack_overhead):.2f} "
            f"| {_ratio(r['times'], 'mixture, refit', 'stacking'):.2f} "
            f"| {_ratio(r['wall'], 'mixture', 'stacking'):.2f} |")
    lines += ["", "Each expert: its fold fits' predicts (bare, summed) against its refit's "
              "(ms, medians; ratio: median of paired ratios).", "",
              "| dataset | expert | fold fits | refit (ms) | fold fits (ms) | ratio |",
              "|---|---|---|---|---|---|"]
    for r in results:
        for expert, n_fits in r["fits"].items():
            lines.append(
                f"| {r['name']} | {expert} | {n_fits} "
                f"| {_median_ms(r['times'][f'{expert} refit']):.2f} "
                f"| {_median_ms(r['times'][f'{expert} folds']):.2f} "
                f"| {_ratio(r['times'], f'{expert} folds', f'{expert} refit'):.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=DATASETS)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--lgbm-trees", type=int, default=300)
    parser.add_argument("--out", default=None, help="write the Markdown report here")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    results = []
    for name in args.datasets:
        results.append(measure(name, args.repeats, args.lgbm_trees))
        print(f"{name} done", file=sys.stderr, flush=True)
    command = " ".join(["OMP_NUM_THREADS=1 python benchmarks/bench_predict_cost.py",
                        *(sys.argv[1:] if argv is None else argv)])
    text = report(results, args.repeats, args.lgbm_trees, command)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text)
    print(text)
    return results


if __name__ == "__main__":
    main()
