"""Leftovers of earlier sessions, round 14: exact top-k EM's stopping rule
and its docs, capacity_factor under cross-fitted EM, a polars frame's string
column named by name, kernel="precomputed" experts, pyarrow null and time64
columns, hidden_layer_sizes.

Each test failed before the change it names."""

import re

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes


def _doc(obj):
    return " ".join(obj.__doc__.split())


def _three_experts(k=20):
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0)),
            ("knn", KNeighborsRegressor(k))]


# ------------------- 1. exact top-k EM stops at its first fall; the docs say so
def test_exact_topk_em_stops_at_its_first_fall_and_the_docs_say_so():
    # The docs said only that top-k EM "can lower" its log-likelihood and
    # keeps its best iteration, which read as if it waited for a rise; it
    # stops at the first iteration without a gain (patience 1), as dense EM
    # does: waiting (patience 2 to 5) was measured no better on held-out rows.
    X, y = make_regimes(n_samples=200, noise=2.0, random_state=9)
    model = MixtureOfExpertsRegressor(_three_experts(), training="em", cv=None, top_k=1,
                                      random_state=9).fit(X, y)
    ll = [h["log_likelihood"] for h in model.history_]
    assert ll[-1] < ll[-2] - 0.05          # it fell ...
    assert model.n_iter_ == len(ll) == 3   # ... and EM stopped there
    assert model.log_likelihood_ == pytest.approx(max(ll))
    doc = _doc(MixtureOfExpertsRegressor)
    assert "so does top-k EM, whose log-likelihood can fall and then rise again" in doc
    import skmoe._em as em
    assert "EM still stops at the first iteration without an improvement" in _doc(em)


# -------- 2. capacity_factor under cross-fitted EM: the first iteration is kept
def test_capacity_factor_leaves_cross_fitted_topk_em_at_its_first_iteration():
    # Cross-fitted top-1 EM from the full-data fits: a tight cap (1 / top_k) lowers the honest
    # likelihood of the next iteration, the first (the constant blend, which
    # the cap does not touch) is kept, and capacity_factor changed nothing in
    # the fitted mixture without a word in its docs.
    X, y = make_regimes(n_samples=400, noise=2.0, random_state=1)
    preds, histories = [], []
    for cf in (None, 1.0):
        model = MixtureOfExpertsRegressor(_three_experts(), training="em", cv=5, top_k=1,
                                          capacity_factor=cf, random_state=1).fit(X, y)
        preds.append(model.predict(X))
        histories.append([h["log_likelihood"] for h in model.history_])
    for history in histories:
        assert int(np.argmax(history)) == 0
    assert histories[0][1] != histories[1][1]      # the cap did act in training ...
    np.testing.assert_array_equal(preds[0], preds[1])  # ... not on the kept model
    assert ("capacity_factor`` has no effect on the fitted mixture"
            in _doc(MixtureOfExpertsRegressor))


# ----------------------------- 3. a polars frame's string column, by its name
def test_polars_string_column_is_named_by_name_at_fit_and_predict():
    # "could not convert string to float: 'x' (column(s) [2])": the mixture
    # turns a polars frame into an array before the gate's view, whose error
    # then named the column by position (a pandas frame's is named).
    pl = pytest.importorskip("polars")
    rng = np.random.RandomState(0)
    a, b = rng.normal(size=40), rng.normal(size=40)
    y = rng.normal(size=40)
    experts = [("r", Ridge()), ("r10", Ridge(10.0))]
    words = pl.DataFrame({"a": a, "b": b, "city": ["x", "y"] * 20})
    for training in ("auto", "em"):
        with pytest.raises(ValueError, match=re.escape("(column(s) 'city')")):
            MixtureOfExpertsRegressor(experts, training=training, random_state=0).fit(words, y)
    model = MixtureOfExpertsRegressor(experts, random_state=0).fit(
        pl.DataFrame({"a": a, "b": b, "city": y}), y)
    with pytest.raises(ValueError, match=re.escape("(column(s) 'city')")):
        model.predict(words)


# ------------------------ 4. experts on a precomputed kernel (pairwise tag)
def _kernel_problem():
    from sklearn.metrics.pairwise import rbf_kernel
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    return rbf_kernel(X), X[:, 0] + 0.1 * rng.normal(size=60)


@pytest.mark.parametrize("make", [
    lambda e: MixtureOfExpertsRegressor(e, random_state=0),
    lambda e: MixtureOfExpertsRegressor(e, training="em", cv=2, random_state=0),
    lambda e: EnsembleRegressor(e, weights="greedy"),
])
@pytest.mark.parametrize("expert", [SVR(kernel="precomputed"),
                                    KNeighborsRegressor(metric="precomputed")])
def test_cross_fitting_refuses_an_expert_on_a_precomputed_kernel(make, expert):
    # The folds take rows, not the kernel's columns: "Precomputed matrix must
    # be a square matrix. Input is a 48x60 matrix", under a hint that blamed
    # too few rows ("pass more folds").
    K, y = _kernel_problem()
    name = type(expert).__name__
    with pytest.raises(ValueError, match=re.escape(f"Expert 'pre' ({name}) takes a "
                                                   "precomputed kernel")):
        make([("pre", expert), ("ridge", Ridge())]).fit(K, y)


@pytest.mark.parametrize("make", [
    lambda e: EnsembleRegressor(e),
    lambda e: MixtureOfExpertsRegressor(e, training="em", cv=None, max_iter=3,
                                        random_state=0),
])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pairwise_tag_is_propagated_so_cross_val_score_slices_the_kernel(make):
    # The compositions said pairwise=False: cross_val_score sliced the rows
    # of K only and the expert failed on a 40 x 60 "kernel".
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.utils import get_tags
    K, y = _kernel_problem()
    experts = [("svr", SVR(kernel="precomputed")), ("svr10", SVR(kernel="precomputed", C=10))]
    assert get_tags(make(experts)).input_tags.pairwise
    assert not get_tags(make([("ridge", Ridge()), ("r10", Ridge(10.0))])).input_tags.pairwise
    scores = cross_val_score(make(experts), K, y, cv=KFold(3))
    by_hand = [make(experts).fit(K[np.ix_(tr, tr)], y[tr]).score(K[np.ix_(te, tr)], y[te])
               for tr, te in KFold(3).split(K)]
    np.testing.assert_allclose(scores, by_hand)


def test_weighted_fit_on_a_subset_or_resample_of_kernel_rows_is_refused():
    # Exact EM fitted KNeighborsRegressor(metric='precomputed') on a weighted
    # resample of the rows against the matrix's original columns: predictions
    # other than on features, silently. HME's leaves were fitted on the rows
    # of non-negligible weight: "Precomputed matrix must be a square matrix.
    # Input is a 54x60 matrix".
    from sklearn.metrics.pairwise import euclidean_distances
    from skmoe import HierarchicalMixtureRegressor
    from skmoe._base import fit_expert
    K, y = _kernel_problem()
    D = euclidean_distances(K)
    rng = np.random.RandomState(0)
    with pytest.raises(ValueError, match=re.escape(
            "Expert 'p' (KNeighborsRegressor) takes a precomputed kernel")):
        fit_expert("p", KNeighborsRegressor(metric="precomputed"), D, y,
                   rng.uniform(0.1, 2.0, size=len(y)), 0)
    with pytest.raises(ValueError, match="weighted resample of its rows"):
        MixtureOfExpertsRegressor([("p", KNeighborsRegressor(metric="precomputed")),
                                   ("r", Ridge())], training="em", cv=None,
                                  random_state=0).fit(D, y)
    with pytest.raises(ValueError, match=re.escape(
            "Expert 'leaf0' (SVR) takes a precomputed kernel")):
        HierarchicalMixtureRegressor(experts=SVR(kernel="precomputed"), early_stopping=False,
                                     random_state=0).fit(K, y)
    # Every row kept (equal weights, or weights above the pruning threshold):
    # fitted as before.
    fit_expert("p", SVR(kernel="precomputed"), K, y, rng.uniform(0.5, 2.0, size=len(y)), 0)
    fit_expert("p", KNeighborsRegressor(metric="precomputed"), D, y, np.ones(len(y)), 0)


# ------------------------------- 5. pyarrow null and time64 (time-of-day) columns
def _clock_frame(n=40):
    import datetime
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    clock = pa.array([datetime.time(i % 24, 0) for i in range(n)], type=pa.time64("us"))
    nulls = pa.array([None] * n, type=pa.null())
    return pd.DataFrame({"a": rng.normal(size=n),
                         "clock": pd.Series(pd.arrays.ArrowExtensionArray(clock)),
                         "nulls": pd.Series(pd.arrays.ArrowExtensionArray(nulls))}), rng.normal(size=n)


def test_pyarrow_null_and_time64_columns_are_refused_by_name_and_dtype():
    # The mixtures named them already; the ensemble (no gate) passed the
    # time64 column to Ridge, whose "float() argument must be a string or a
    # real number, not 'datetime.time'" named no column.
    X, y = _clock_frame()
    experts = [("r", Ridge()), ("r10", Ridge(10.0))]
    for column, dtype in (("clock", "time64[us][pyarrow]"), ("nulls", "null[pyarrow]")):
        with pytest.raises(ValueError, match=re.escape(f"'{column}' of dtype ['{dtype}']")):
            MixtureOfExpertsRegressor(experts, random_state=0).fit(X[["a", column]], y)
    with pytest.raises(TypeError, match=re.escape(
            "X's column(s) 'clock' hold times of day (dtype time64[us][pyarrow])")):
        EnsembleRegressor(experts).fit(X[["a", "clock"]], y)
    with pytest.raises(ValueError, match=re.escape("X's column(s) 'nulls' (40 rows) hold")):
        EnsembleRegressor(experts).fit(X[["a", "nulls"]], y)


def test_polars_time_columns_are_refused_not_read_in_their_unit():
    # np.asarray read a polars Time (time64) column as nanoseconds since
    # midnight, Datetime as microseconds since 1970: fitted without a word,
    # and the same instants as Datetime('ns') at predict read 1000 times
    # larger (predictions 1.8e7 where they had been 0 to 2).
    import datetime
    pl = pytest.importorskip("polars")
    n = 40
    rng = np.random.RandomState(0)
    when = pl.Series([datetime.datetime(2020, 1, 1) + datetime.timedelta(days=i)
                      for i in range(n)])
    clock = pl.Series([datetime.time(i % 24, 0) for i in range(n)])
    experts = [("r", Ridge()), ("r10", Ridge(10.0))]
    for make in (lambda: MixtureOfExpertsRegressor(experts, random_state=0),
                 lambda: EnsembleRegressor(experts)):
        for name, column, dtype in (("when", when, "Datetime(time_unit='us'"),
                                    ("clock", clock, "Time")):
            X = pl.DataFrame({"a": rng.normal(size=n), name: column})
            with pytest.raises(ValueError, match=re.escape(f"'{name}' ({dtype}")):
                make().fit(X, rng.normal(size=n))
    model = MixtureOfExpertsRegressor(experts, random_state=0).fit(
        pl.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)}), rng.normal(size=n))
    with pytest.raises(ValueError, match=re.escape("'b' (Time)")):
        model.predict(pl.DataFrame({"a": rng.normal(size=n), "b": clock}))
