"""Bad-input sweep, round 50: the multi-task mixtures' y, and the inputs
rounds 40-49 named least.

Probed (no defect found unless a test below names it): y as a Categorical
with unused or ordered categories, a Series of it, a one-column DataFrame,
(n, 1) labels, labels of True/False/None, uint64 near 2**64, int64 at
-2**63 and 2**63 - 1, labels 1 apart beyond 2**53, Python ints beyond
int64, Decimals and Fractions, SparseArray labels (int, int8, bool,
strings), across the mixtures (gradient, EM), the ensembles, the
hierarchical mixtures and the torch experts (classes_ as
LogisticRegression gives them), and in score, log_likelihood_samples,
bic, log_likelihood_scorer and select_n_experts (bic and cv);
sample_weight as Decimals (finite, NaN, inf, 1e400), Python ints of 1e20
and 1e400, int64 at 2**40, uint64 beyond 2**63, Fractions, 5e-324, 1e300
beside 1e-300, object with None, Int64 with pd.NA and a Series of other
row labels; X as an object array mixing numbers and numeric strings (a
DataFrame column of them: refused by the gate's one-hot view, named), a
memmap (read and write modes) and read-only X, y and sample_weight under
n_jobs=2, and 1.4 MB of X under n_jobs=2 (joblib's read-only memmaps)
with StandardScaler(copy=False) experts, the caller's X untouched; predict
on one row, zero rows (refused as scikit-learn does), reordered and extra
columns; set_output(transform='pandas') on a Pipeline around every
estimator and under sklearn.config_context(transform_output='pandas');
AutoGateTransformer's pandas and polars output (row labels kept) for
MultiIndex, integer, sparse, pyarrow-string, category and bool columns;
the gate displays on pyarrow, sparse, MultiIndex, integer-named, uint8,
float32, Int64 (pd.NA), category, period and interval columns; compare()
on those y, on the sample weights above, on read-only and memmap X under
n_jobs=2, on csr_array, dia_array and bsr_array X, and with groups as a
Categorical (unused, ordered), string[pyarrow], SparseArray, intervals and
bools with None (refused, named), as fit(groups=) of the mixture, the
greedy ensemble and the heterogeneous multi-task mixture; select_n_experts,
bic and log_likelihood_scorer on a set_output('pandas') Pipeline;
CrossFitAverage on frames (MultiIndex columns, fits on arrays) and
read-only X; skops and pickle round trips of models fitted on category,
pyarrow-string and boolean columns, uint64 and ordered-Categorical labels;
EM on constant y, y of 1e150 (1e-150: refused, named), repeated rows, 6
rows, constant X, a perfect expert, separable classes and weights of
1e-12 and 1e-200; ``python -m skmoe compare`` on CSV files of a text
column (with and without --one-hot), text targets, --groups, a column of
numbers and words, dates, a 0/1 target with --task regression. The
multi-task mixtures (MMoE and heterogeneous) given y frames with
Categorical (unused, ordered), pyarrow, bool, MultiIndex-named,
integer-named and duplicate-named columns, a 1-D Series, a list of lists,
SparseArray, interval, period, Decimal, huge-int, uint64, Int8, boolean,
category-of-bool and pyarrow-bool label columns, polars frames (Int8,
UInt8, Boolean, Categorical, Enum, String, nulls, Date, Datetime,
Duration, Time), tasks as a dict, a Series, a tuple, an array and
'Binary', and task_weights as a dict or a Series by column name.

Left as they are: weights 1e300 beside 1e-300 leave the small ones out as
zero (their ratio is below float64's range); the ensembles pass integer
weights to their experts as given (Ridge at 2**40 fits differently, as
scikit-learn's does), the mixtures use only their ratios; a multi-task
classes_ of a pyarrow dictionary label column is an object array (the
column alone gives int64); SparseArray bool labels give classes_ of
float64 to LogisticRegression and the single-task mixtures alike, and
bool to the multi-task mixtures (as their dense bool column does); a 1-D y
of pandas' UInt64 or pyarrow's uint64 labels beyond int64 is refused by the
single-task classifiers as "Unknown label type: continuous", as
LogisticRegression refuses it (pandas gives scikit-learn float64; a numpy
uint64 y of the same labels fits).

Each test here failed before the fix it names.
"""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeRegressor

from skmoe import HeterogeneousMultiGateMixtureOfExperts, MultiGateMixtureOfExperts

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Small and quick: two epochs, a fixed gate penalty (no search), a short gate fit.
_MULTI_TASK = {
    "mmoe": lambda: MultiGateMixtureOfExperts(["regression", "binary"], n_experts=2,
                                              expert_units=4, max_iter=2, random_state=0),
    "heterogeneous": lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        tasks=["regression", "binary"], alpha=1.0, cv=2, max_iter=20, random_state=0),
}


def _data(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


# Fix: skmoe._multitask._check_labels names class labels held as Python
# objects that are not strings (skmoe._base.object_labels_error, shared with
# the single-task classifiers).
@pytest.mark.parametrize("make", _MULTI_TASK.values(), ids=_MULTI_TASK.keys())
@pytest.mark.parametrize("labels", [
    lambda b: [Decimal(int(v)) for v in b],         # a SQL NUMERIC column
    lambda b: [10**30 + int(v) for v in b],         # whole numbers beyond int64
], ids=["decimal", "huge int"])
def test_multi_task_labels_held_as_python_objects_are_named(make, labels):
    # They were told "Task 1 is a classification task: Unknown label type:
    # unknown. Maybe you are trying to fit a classifier, which expects discrete
    # classes on a regression target with continuous values" -- continuous
    # values, for the labels 0 and 1 -- where MixtureOfExpertsClassifier names
    # the labels' type and how to convert them.
    X, y = _data()
    Y = pd.DataFrame({"value": y, "label": labels(X[:, 1] > 0)})
    with pytest.raises(ValueError, match=r"Classification task 1 holds its class labels as "
                                         r"Python objects that are not strings \(e\.g\. .* of "
                                         r"type (Decimal|int); dtype object\).*convert them"):
        make().fit(X, Y)


# Fix: skmoe._multitask._labels_in_column_dtype reads a SparseDtype's subtype.
@pytest.mark.parametrize("make", _MULTI_TASK.values(), ids=_MULTI_TASK.keys())
@pytest.mark.parametrize("labels", [
    lambda b: b.astype(int), lambda b: b.astype(np.int8), lambda b: b,
], ids=["int64", "int8", "bool"])
def test_multi_task_sparse_labels_keep_their_dtype(make, labels):
    # A pd.arrays.SparseArray of int labels beside a float column gave
    # classes_ [0.0, 1.0] (float64), of bools an object array, where the same
    # column dense (and a single-task classifier) gives the labels' dtype.
    X, y = _data()
    dense = labels(X[:, 1] > 0)
    fitted = {kind: make().fit(X, pd.DataFrame({"value": y, "label": column}))
              for kind, column in [("dense", dense), ("sparse", pd.arrays.SparseArray(dense))]}
    classes = fitted["sparse"].classes_[1]
    assert classes.dtype == fitted["dense"].classes_[1].dtype == dense.dtype
    np.testing.assert_array_equal(classes, np.unique(dense))


# Fix: skmoe._multitask._object_labels keeps whole numbers beyond int64 whole
# (fit's label check and score read the column through it).
@pytest.mark.parametrize("make", _MULTI_TASK.values(), ids=_MULTI_TASK.keys())
def test_multi_task_uint64_labels_beyond_int64_beside_a_float_column(make):
    # y's uint64 column came in y's array as Python ints (to keep them beside
    # the float column), which numpy read as floats: the task was refused as
    # "Unknown label type: continuous", where a classifier of the column alone
    # (and the column alone as y) fits. score read them the same way.
    X, y = _data()
    labels = np.where(X[:, 1] > 0, np.uint64(2**63 + 1), np.uint64(1))
    Y = pd.DataFrame({"value": y, "label": labels})
    model = make().fit(X, Y)
    assert model.classes_[1].dtype == np.uint64
    np.testing.assert_array_equal(model.classes_[1], [1, 2**63 + 1])
    predicted = model.predict(X)
    assert {int(v) for v in predicted[:, 1]} <= {1, 2**63 + 1}
    accuracy = np.mean([int(p) == int(t) for p, t in zip(predicted[:, 1], labels)])
    r2 = r2_score(y, predicted[:, 0].astype(float))
    assert model.score(X, Y) == pytest.approx((r2 + accuracy) / 2)


# Fix: skmoe._multitask._target_array and _column_dtypes read a polars frame's
# columns one by one, as a pandas frame's.
@pytest.mark.parametrize("make", _MULTI_TASK.values(), ids=_MULTI_TASK.keys())
def test_multi_task_polars_label_columns_beside_a_float_column(make):
    # np.asarray of the frame made every column float64: labels 2**62 + 1 and
    # 2**62 + 3 became one float, and a task of three classes fitted two
    # (classes_ [5.0, 4.6e18]) without a word; Int8 labels came back as
    # classes_ 0.0 and 1.0. The same frame in pandas keeps both.
    pl = pytest.importorskip("polars")
    X, y = _data()
    big = np.array([2**62 + 1, 2**62 + 3, 5])[np.arange(len(y)) % 3]
    small = (X[:, 1] > 0).astype(np.int8)
    make_multiclass = lambda: make().set_params(tasks=["regression", "multiclass"])
    for labels, expected, dtype in [(big, [5, 2**62 + 1, 2**62 + 3], np.int64),
                                    (small, [0, 1], np.int8)]:
        classes = make_multiclass().fit(X, pl.DataFrame({"value": y, "label": labels})).classes_[1]
        assert classes.dtype == dtype
        assert classes.tolist() == expected


# Fix: skmoe._multitask._column_names gives a polars frame's column names to
# score's and fit's checks of their order, as a pandas frame's.
@pytest.mark.parametrize("make", _MULTI_TASK.values(), ids=_MULTI_TASK.keys())
def test_multi_task_polars_y_in_another_column_order_is_refused(make):
    # score read a polars y's columns by position: fitted on ['sold', 'price'],
    # y.select(['price', 'sold']) was scored against the other task's
    # predictions (1.00, then -2.63), and task_weights=pd.Series labelled in
    # another order weighted the other task, without a word; the same pandas
    # frames are refused.
    pl = pytest.importorskip("polars")
    X, y = _data()
    Y = pl.DataFrame({"sold": y, "price": -3 * X[:, 1]})
    model = make().set_params(tasks=None).fit(X, Y)
    assert np.isfinite(model.score(X, Y))
    with pytest.raises(ValueError, match=r"y has the columns seen in fit in another order "
                                         r"\(\['price', 'sold'\]; in fit: \['sold', 'price'\]\)"):
        model.score(X, Y.select(["price", "sold"]))
    with pytest.raises(ValueError, match=r"task_weights is labelled \['price', 'sold'\] but "
                                         r"y's columns are \['sold', 'price'\]"):
        make().set_params(tasks=None, task_weights=pd.Series({"price": 1.0, "sold": 5.0})
                          ).fit(X, Y)


# Fix: skmoe._multitask._target_array refuses a polars y's date, time and
# time-span columns beside numbers (skmoe._data.refuse_other_frame_time_columns,
# which refuses them in X).
@pytest.mark.parametrize("make", _MULTI_TASK.values(), ids=_MULTI_TASK.keys())
@pytest.mark.parametrize("values", [
    lambda n: [date(2020, 1, 1) + timedelta(days=i) for i in range(n)],
    lambda n: [timedelta(hours=i) for i in range(n)],
], ids=["dates", "time spans"])
def test_multi_task_polars_time_columns_beside_numbers_are_refused(make, values):
    # np.asarray of the frame gave them as counts of their unit: a task of
    # dates was fitted and predicted as days since 1970 (18282, 18283, ...),
    # time spans as microseconds, without a word; a pandas y's are refused.
    pl = pytest.importorskip("polars")
    X, y = _data()
    Y = pl.DataFrame({"value": y, "when": pl.Series(values(len(y)))})
    with pytest.raises(ValueError, match=r"y's column\(s\) 'when' \((Date|Duration).*\) hold "
                                         r"dates, times or time spans"):
        make().set_params(tasks=None).fit(X, Y)
