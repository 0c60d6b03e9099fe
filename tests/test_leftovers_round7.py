"""Leftovers of earlier sessions, round 7: the losses behind a top-k
mixture's rival check, a gate_transformer's NaN and infinity, a collapse
threshold under collapse_action='drop', a list in a cell of X, tiny
sample weights in the ensembles, and compare() with sample_weight."""

import re
import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import MLPGate, MixtureOfExpertsRegressor

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=10, warm_max_iter=3)


def _regression(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def _fit_quietly(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, **kwargs)


# -- 6. the losses behind rival_selected_ --------------------------------------
@pytest.mark.parametrize("settings", [dict(max_epochs=5),
                                      dict(training="em", max_iter=3, gate=FAST_GATE)])
def test_rival_loss_gives_the_losses_that_decided_the_rival_check(settings):
    # rival_selected_ said what was kept, not why: now the gate's and the
    # rival's losses and the standard error of their difference.
    X, y = _regression(n=120)
    experts = [("lin", LinearRegression()), ("dummy", DummyRegressor())]
    moe = _fit_quietly(MixtureOfExpertsRegressor(experts, top_k=1, random_state=0,
                                                 **settings), X, y)
    report = moe.rival_loss_
    assert moe.rival_selected_ in (True, False)
    assert {"gate", "rival", "standard_error"} <= set(report)
    assert all(np.isfinite(v) and v >= 0 for v in report.values())
    wins = report["gate"] - report["rival"] > report["standard_error"]
    if "gate_every_row" in report:      # gradient: also a gate no better on every row
        wins = wins or report["gate_every_row"] >= report["rival_every_row"]
    assert moe.rival_selected_ == wins


def test_rival_loss_is_none_where_no_rival_check_ran():
    X, y = _regression()
    moe = _fit_quietly(MixtureOfExpertsRegressor(
        [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
        max_epochs=5, random_state=0), X, y)
    assert moe.rival_selected_ is None and moe.rival_loss_ is None


# -- 2. a gate_transformer that returns NaN or infinity ------------------------
def _nan_rows(X):
    Z = np.array(X, dtype=float)
    Z[Z[:, 0] > 2.0, 1] = np.nan     # rows of large x0: NaN in the second column
    return Z


def _nan_column(X):
    Z = np.array(X, dtype=float)
    Z[:, 2] = np.nan
    return Z


def _inf_rows(X):
    Z = np.array(X, dtype=float)
    Z[[3, 7], 0] = np.inf
    return Z


def _mixture(transform, experts=None):
    from sklearn.preprocessing import FunctionTransformer
    experts = experts or [("lin", LinearRegression()), ("dummy", DummyRegressor())]
    return MixtureOfExpertsRegressor(experts, gate_transformer=FunctionTransformer(transform),
                                     training="em", gate=FAST_GATE, max_iter=2,
                                     random_state=0)


def test_nan_from_the_gate_transformer_is_refused_at_fit_where_the_experts_take_none():
    # The gate imputed it silently, although these experts take no NaN in X.
    X, y = _regression(n=80)
    rows = np.flatnonzero(X[:, 0] > 2.0)
    assert 0 < len(rows) <= 5
    with pytest.raises(ValueError, match=re.escape(
            f"gate_transformer (FunctionTransformer) returned NaN in {len(rows)} row(s) "
            f"(rows {', '.join(map(str, rows))}), column(s) 1 of its output")):
        _fit_quietly(_mixture(_nan_rows), X, y)


def test_nan_from_the_gate_transformer_is_refused_at_predict_too():
    X, y = _regression(n=80)
    X_fit = X[X[:, 0] <= 2.0]
    moe = _fit_quietly(_mixture(_nan_rows), X_fit, X_fit[:, 0])
    X_new = np.array([[0.0, 0.0, 0.0], [2.5, 0.0, 0.0]])
    with pytest.raises(ValueError, match=re.escape(
            "returned NaN in 1 row(s) (rows 1), column(s) 1")):
        moe.predict(X_new)
    moe.predict(X_new[:1])          # a row without NaN still predicts


def test_a_gate_transformer_column_of_nan_only_is_refused_even_where_nan_is_allowed():
    from sklearn.ensemble import HistGradientBoostingRegressor
    X, y = _regression(n=80)
    experts = [("hgb", HistGradientBoostingRegressor(max_iter=5)),
               ("hgb2", HistGradientBoostingRegressor(max_iter=2))]
    moe = _mixture(_nan_column, experts)
    assert moe._experts_allow_nan()
    with pytest.raises(ValueError, match=re.escape(
            "gate_transformer (FunctionTransformer) returned NaN in every row of "
            "column(s) 2 (of 3)")):
        _fit_quietly(moe, X, y)
    # NaN in some rows is the gate's to impute where the experts take NaN.
    _fit_quietly(_mixture(_nan_rows, experts), X, y).predict(X)


def test_infinity_from_the_gate_transformer_names_its_rows_and_columns():
    X, y = _regression(n=80)
    with pytest.raises(ValueError, match=re.escape(
            "returned infinity in 2 row(s) (rows 3, 7), column(s) 0 of its output")):
        _fit_quietly(_mixture(_inf_rows), X, y)


# -- 4. a list in a cell of X ---------------------------------------------------
def _frame_with_a_list():
    import pandas as pd
    X = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0)})
    X["b"] = X["b"].astype(object)
    X.at[3, "b"] = [1.0, 2.0]
    return X


@pytest.mark.parametrize("as_frame", [True, False])
def test_the_ensembles_name_the_column_of_a_list_in_a_cell_of_x(as_frame):
    # "Expert 'lin' (LinearRegression) failed to fit: setting an array element
    # with a sequence." named the expert, not the column.
    from skmoe import EnsembleRegressor
    X = _frame_with_a_list()
    X = X if as_frame else X.to_numpy()
    ens = EnsembleRegressor([("lin", LinearRegression()), ("tree", DecisionTreeRegressor())])
    column = "'b'" if as_frame else "1"
    with pytest.raises(ValueError, match=re.escape(
            f"Expert 'lin' (LinearRegression) failed to fit: setting an array element with "
            f"a sequence. (X's column(s) {column} hold lists or arrays in their cells")):
        ens.fit(X, np.arange(20.0))


def test_the_ensembles_name_the_column_of_a_list_in_a_cell_at_predict():
    from skmoe import EnsembleRegressor
    X = _frame_with_a_list()
    clean = X.assign(b=1.0)
    ens = EnsembleRegressor([("lin", LinearRegression()), ("tree", DecisionTreeRegressor())])
    ens.fit(clean, np.arange(20.0))
    with pytest.raises(ValueError, match=re.escape(
            "failed in predict: setting an array element with a sequence. (X's column(s) "
            "'b' hold lists")):
        ens.predict(X)


# -- 5. collapse_threshold under collapse_action='drop' ------------------------
def _five_experts():
    return [("lin", LinearRegression()), ("t1", DecisionTreeRegressor(max_depth=2)),
            ("d1", DummyRegressor()), ("d2", DummyRegressor(strategy="median")),
            ("t2", DecisionTreeRegressor(max_depth=1))]


def _regimes(n=200):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, np.where(X[:, 1] > 0, 3 * X[:, 0], -2 * X[:, 0]) + 0.1 * rng.normal(size=n)


def test_drop_with_a_threshold_above_one_over_n_experts_is_warned_of_as_a_pruning():
    # 0.3 >= 1/5 was warned of as flagging an expert "at every iteration,
    # whatever the fit"; but 'drop' shrinks the pool, and 1/n grows with it:
    # past two drops 0.3 < 1/2 and the fit went on, flagging nothing.
    X, y = _regimes()
    with pytest.warns(UserWarning, match=re.escape(
            "collapse_threshold=0.3 is at or above 1/n_experts (1/5 = 0.2): the experts' "
            "shares sum to 1, so collapse_action='drop' drops experts whatever the fit "
            "until at most 3 are left")) as record:
        moe = MixtureOfExpertsRegressor(
            _five_experts(), training="em", gate=FAST_GATE, max_iter=6,
            collapse_threshold=0.3, collapse_patience=1, collapse_action="drop",
            random_state=0).fit(X, y)
    ours = [w for w in record if "collapse_threshold=0.3" in str(w.message)]
    assert len(ours) == 1 and ours[0].filename == __file__   # at the caller of fit
    assert "every iteration" not in str(ours[0].message)
    assert 2 <= len(moe.experts_) <= 3


def test_drop_with_a_threshold_the_smallest_pool_cannot_stay_above_says_so():
    # The pool never shrinks below max(2, top_k): at or above 1/2 an expert of
    # the last two is flagged at every iteration.
    X, y = _regimes()
    with pytest.warns(UserWarning, match=re.escape(
            "collapse_threshold=0.5 is at or above 1/the smallest pool "
            "collapse_action='drop' keeps (max(2, top_k) = 2) (1/2 = 0.5)")):
        _fit_quietly_but(MixtureOfExpertsRegressor(
            _five_experts(), training="em", gate=FAST_GATE, max_iter=2,
            collapse_threshold=0.5, collapse_action="drop", random_state=0), X, y)


def _fit_quietly_but(model, X, y):
    # Only the threshold's own warning is looked at.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Expert\\(s\\)")
        warnings.filterwarnings("ignore", category=UserWarning, message="(?!collapse)")
        return model.fit(X, y)


# -- 3. the ensembles' level-2 fit and the scale of sample_weight --------------
@pytest.mark.parametrize("c", [1e-300, 1e-6, 1e6])
def test_the_greedy_selection_sees_only_the_ratios_of_the_weights(c):
    # A guard, not a fix: on inspection the level-2 fit (ensemble_selection,
    # an argmin of the weighted losses; the weights divided by their sum)
    # and the class prior see only the weights' ratios, so c * w chooses what
    # w chooses; a regularised level-2 model given the weights as they are
    # would fail here. The experts take the weights as given (documented:
    # integer weights are repetitions); with scale-free experts the whole
    # fit is then the same.
    from skmoe import EnsembleClassifier, EnsembleRegressor
    from skmoe._ensemble import ensemble_selection
    from sklearn.linear_model import LogisticRegression
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=120)
    w = rng.uniform(0.2, 3.0, size=120)
    predictions = y[:, None] + rng.normal(size=(120, 3)) * [0.5, 1.0, 2.0]
    np.testing.assert_array_equal(ensemble_selection(predictions, y, 20, c * w),
                                  ensemble_selection(predictions, y, 20, w))
    experts = [("lin", LinearRegression()), ("sin", LinearRegression())]
    X2 = np.column_stack([X, np.sin(3 * X[:, 1])])
    reg = EnsembleRegressor(experts, weights="greedy", random_state=0)
    ref, scaled = (clone_fit(reg, X2, y, w), clone_fit(reg, X2, y, c * w))
    np.testing.assert_array_equal(scaled.weights_, ref.weights_)
    np.testing.assert_allclose(scaled.predict(X2), ref.predict(X2), rtol=0, atol=1e-10)
    clf = EnsembleClassifier([("a", LogisticRegression(C=1e6)),
                              ("b", LogisticRegression(C=1e6, fit_intercept=False))],
                             weights="greedy", random_state=0)
    labels = (y > 0).astype(int)
    ref, scaled = clone_fit(clf, X, labels, w), clone_fit(clf, X, labels, w * c)
    assert scaled.class_prior_[0] == pytest.approx(ref.class_prior_[0], rel=1e-12)
    np.testing.assert_allclose(scaled.class_prior_[1], ref.class_prior_[1], rtol=1e-12)


def clone_fit(model, X, y, sample_weight):
    from sklearn.base import clone
    return _fit_quietly(clone(model), X, y, sample_weight=sample_weight)


# -- 1. compare() with sample_weight -------------------------------------------
def _weighted_data(n=90):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    noisy = X[:, 1] <= 0
    y = X[:, 0] + rng.normal(size=n) * np.where(noisy, 3.0, 0.1)
    return X, y, np.where(noisy, 0.01, 1.0)


def _splits(n, k=3):
    from sklearn.model_selection import KFold
    return list(KFold(k, shuffle=True, random_state=0).split(np.zeros((n, 1))))


def test_compare_fits_and_scores_every_model_with_sample_weight():
    # compare() had no sample_weight: a user with weighted data could only
    # compare unweighted fits by unweighted scores.
    from sklearn.base import clone
    from sklearn.linear_model import Ridge
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from skmoe import compare
    X, y, w = _weighted_data()
    splits = _splits(len(y))
    models = {"line": LinearRegression(), "pipe": make_pipeline(StandardScaler(), Ridge(10.0))}
    result = compare(models, X, y, cv=splits, sample_weight=w)
    assert "models fitted and scored with sample_weight" in str(result)
    for name, model in models.items():
        # The Pipeline's last step gets the weights by name; its scaler none.
        key = "ridge__sample_weight" if name == "pipe" else "sample_weight"
        for j, (train, test) in enumerate(splits):
            fitted = clone(model).fit(X[train], y[train], **{key: w[train]})
            pred = fitted.predict(X[test])
            assert result.scores[name]["r2"][j] == pytest.approx(
                r2_score(y[test], pred, sample_weight=w[test]), rel=1e-12)
            assert result.scores[name]["neg_root_mean_squared_error"][j] == pytest.approx(
                -np.sqrt(mean_squared_error(y[test], pred, sample_weight=w[test])), rel=1e-12)
    # The weighted scores differ from the unweighted ones: the weights count.
    plain = compare(models, X, y, cv=splits)
    assert abs(plain.scores["line"]["r2"].mean() - result.scores["line"]["r2"].mean()) > 0.1


def test_compare_weighs_the_classifiers_log_loss_too():
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from skmoe import compare
    X, y, w = _weighted_data()
    labels = (y > 0).astype(int)
    splits = _splits(len(y))
    result = compare({"logit": LogisticRegression()}, X, labels, cv=splits, sample_weight=w)
    for j, (train, test) in enumerate(splits):
        fitted = clone(LogisticRegression()).fit(X[train], labels[train], sample_weight=w[train])
        assert result.scores["logit"]["neg_log_loss"][j] == pytest.approx(
            -log_loss(labels[test], fitted.predict_proba(X[test]), sample_weight=w[test]),
            rel=1e-12)


def test_compare_refuses_a_model_or_scorer_that_cannot_take_sample_weight():
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from skmoe import compare
    X, y, w = _weighted_data()
    with pytest.raises(TypeError, match=re.escape(
            "Model 'knn' cannot take sample_weight: KNeighborsRegressor has no "
            "sample_weight in its fit")):
        compare({"line": LinearRegression(), "knn": KNeighborsRegressor()}, X, y, cv=3,
                sample_weight=w)
    with pytest.raises(TypeError, match=re.escape(
            "Model 'knn' cannot take sample_weight: its last step KNeighborsRegressor")):
        compare({"knn": make_pipeline(StandardScaler(), KNeighborsRegressor())}, X, y,
                cv=3, sample_weight=w)

    def unweighted(model, X, y):
        return 0.0
    with pytest.raises(TypeError, match=re.escape("scoring 'mine' takes no sample_weight")):
        compare({"line": LinearRegression()}, X, y, cv=3, scoring={"mine": unweighted},
                sample_weight=w)


def test_compare_refuses_a_split_whose_test_rows_all_weigh_zero():
    from skmoe import compare
    X, y, w = _weighted_data()
    splits = _splits(len(y))
    w = w.copy()
    w[splits[1][1]] = 0.0
    with pytest.raises(ValueError, match=re.escape(
            "sample_weight is zero on every test row of split 2 of 3")):
        compare({"line": LinearRegression()}, X, y, cv=splits, sample_weight=w)


def test_compare_with_metadata_routing_passes_sample_weight_as_the_models_request():
    import sklearn
    from sklearn.base import clone
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.metrics import r2_score
    from skmoe import compare
    X, y, w = _weighted_data()
    splits = _splits(len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        model = TransformedTargetRegressor(LinearRegression().set_fit_request(
            sample_weight=True), func=np.arcsinh, inverse_func=np.sinh)
        result = compare({"ttr": model}, X, y, cv=splits, sample_weight=w)
        train, test = splits[0]
        fitted = clone(model).fit(X[train], y[train], sample_weight=w[train])
        assert result.scores["ttr"]["r2"][0] == pytest.approx(
            r2_score(y[test], fitted.predict(X[test]), sample_weight=w[test]), rel=1e-12)
