"""Review of the changes since d7e74af, round 2: compare's sample_weight.

Each test failed before the fix named in its comment.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import StackingRegressor, VotingRegressor
from sklearn.feature_selection import RFECV
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmoe import (EnsembleRegressor, MixtureOfExpertsRegressor, compare,
                   log_likelihood_scorer)

# (The weighted data and folds of compare's own sample_weight tests.)
from test_leftovers_round7 import _splits, _weighted_data


@pytest.mark.parametrize("name, model, key", [
    ("search", GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=2), "sample_weight"),
    ("search_pipe", GridSearchCV(make_pipeline(StandardScaler(), Ridge()),
                                 {"ridge__alpha": [0.1, 10.0]}, cv=2), "ridge__sample_weight"),
    ("ttr", TransformedTargetRegressor(Ridge(), func=np.arcsinh, inverse_func=np.sinh),
     "sample_weight"),
    ("ttr_default", TransformedTargetRegressor(), "sample_weight"),
    ("pipe_ttr", make_pipeline(StandardScaler(), TransformedTargetRegressor(
        make_pipeline(StandardScaler(), Ridge()))),
     "transformedtargetregressor__ridge__sample_weight"),
])
def test_compare_passes_sample_weight_through_meta_estimators_that_forward_it(
        name, model, key):
    # Fix in _compare._weight_fit_key (_passes_fit_keywords_to): a model
    # whose fit takes **kwargs without a sample_weight parameter was refused
    # ("GridSearchCV has no sample_weight in its fit ... takes them with
    # metadata routing"), though GridSearchCV, TransformedTargetRegressor and
    # RFE pass their fit's keywords to the model inside without routing, and
    # scikit-learn's cross_validate(params={"sample_weight": w}) takes them.
    X, y, w = _weighted_data()
    splits = _splits(len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare({name: model}, X, y, cv=splits, sample_weight=w)
        for j, (train, test) in enumerate(splits):
            fitted = clone(model).fit(X[train], y[train], **{key: w[train]})
            assert result.scores[name]["r2"][j] == pytest.approx(
                r2_score(y[test], fitted.predict(X[test]), sample_weight=w[test]),
                rel=1e-12)
    # The weights reached the model inside: not the unweighted fit's scores.
    plain = clone(model).fit(X[splits[0][0]], y[splits[0][0]])
    assert result.scores[name]["r2"][0] != pytest.approx(r2_score(
        y[splits[0][1]], plain.predict(X[splits[0][1]]), sample_weight=w[splits[0][1]]),
        rel=1e-9)


def test_compare_still_refuses_meta_estimators_whose_model_cannot_take_sample_weight():
    X, y, w = _weighted_data()
    with pytest.raises(TypeError, match=re.escape(
            "Model 'knn' cannot take sample_weight: KNeighborsRegressor (inside "
            "GridSearchCV) has no sample_weight in its fit")):
        compare({"knn": GridSearchCV(KNeighborsRegressor(), {"n_neighbors": [3, 5]})},
                X, y, cv=3, sample_weight=w)
    # RFECV takes them only with metadata routing: refused before any fit.
    with pytest.raises(TypeError, match="Model 'rfecv' cannot take sample_weight: RFECV"):
        compare({"rfecv": RFECV(LinearRegression())}, X, y, cv=3, sample_weight=w)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_compare_takes_the_projects_log_likelihood_scorer_with_sample_weight():
    # Fix in _selection.log_likelihood_scorer (a sample_weight parameter):
    # compare(sample_weight=...) refused the project's own scorer, "scoring
    # 'll' takes no sample_weight", and the message's remedy (give it a
    # sample_weight parameter) was not the user's to apply.
    from skmoe._selection import log_likelihood_samples
    X, y, w = _weighted_data()
    splits = _splits(len(y))
    model = MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge(10.0))], training="em",
                                      max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare({"moe": model}, X, y, cv=splits, sample_weight=w,
                         scoring={"ll": log_likelihood_scorer})
    for j, (train, test) in enumerate(splits):
        fitted = clone(model).fit(X[train], y[train], sample_weight=w[train])
        expected = np.average(log_likelihood_samples(fitted, X[test], y[test]),
                              weights=w[test])
        assert result.scores["moe"]["ll"][j] == pytest.approx(expected, rel=1e-12)
    # Unweighted, as before.
    fitted = clone(model).fit(X, y)
    assert log_likelihood_scorer(fitted, X, y) == pytest.approx(
        np.mean(log_likelihood_samples(fitted, X, y)), rel=1e-15)


@pytest.mark.parametrize("make", [
    lambda: StackingRegressor([("a", Ridge()), ("b", Ridge(10.0)), ("c", "drop")]),
    lambda: VotingRegressor([("a", Ridge()), ("b", LinearRegression())]),
])
def test_compare_passes_sample_weight_to_stacking_and_voting(make):
    # Fix in _compare._weight_fit_key (_ensemble_members): scikit-learn's
    # Stacking and Voting ensembles (since 1.6) take sample_weight in
    # **fit_params, without metadata routing, and give it to each of their
    # models: compare refused them, "StackingRegressor has no sample_weight in
    # its fit" -- the stacking baseline a mixture is to be compared with.
    X, y, w = _weighted_data()
    splits = _splits(len(y))
    model = make()
    result = compare({"ens": model}, X, y, cv=splits, sample_weight=w)
    for j, (train, test) in enumerate(splits):
        fitted = clone(model).fit(X[train], y[train], sample_weight=w[train])
        assert result.scores["ens"]["r2"][j] == pytest.approx(
            r2_score(y[test], fitted.predict(X[test]), sample_weight=w[test]), rel=1e-12)
    # As the last step of a Pipeline too.
    piped = compare({"ens": make_pipeline(StandardScaler(), make())}, X, y, cv=splits,
                    sample_weight=w)
    assert np.all(np.isfinite(piped.scores["ens"]["r2"]))
    # A member that cannot take the weights is named, before any fit.
    with pytest.raises(TypeError, match=re.escape(
            "Model 'ens' cannot take sample_weight: KNeighborsRegressor (inside "
            f"{type(model).__name__}) has no sample_weight in its fit")):
        compare({"ens": clone(model).set_params(a=KNeighborsRegressor())}, X, y, cv=3,
                sample_weight=w)


@pytest.mark.parametrize("frame", [False, True])
def test_gate_transformer_passing_on_a_column_of_x_missing_everywhere_is_not_refused(frame):
    # Fix in _data.gate_matrix (its X, _has_empty_column): the refusal of a
    # gate_transformer's output column that is NaN in every row (aimed at a
    # transformer failing on its rows) also refused an X whose own column is
    # missing everywhere, with experts that take NaN, when the transformer
    # merely passed it on: "gate_transformer (StandardScaler) returned NaN in
    # every row of column(s) 2 (of 3) ... check the transformer", where the
    # same X fitted with gate_transformer='auto' (and before that refusal).
    import pandas as pd
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.tree import DecisionTreeRegressor
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    X[:, 2] = np.nan
    X = pd.DataFrame(X, columns=["a", "b", "c"]) if frame else X
    experts = [("deep", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("stump", DecisionTreeRegressor(max_depth=1, random_state=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixtureOfExpertsRegressor(experts, gate_transformer=StandardScaler(),
                                          max_epochs=3, random_state=0).fit(X, y)
    assert np.all(np.isfinite(model.predict(X)))
    # A transformer that makes a column of NaN from complete X is still refused.
    complete = np.nan_to_num(np.asarray(X, dtype=float))
    broken = FunctionTransformer(lambda Z: np.column_stack([Z, np.full(len(Z), np.nan)]))
    with pytest.raises(ValueError, match=re.escape(
            "gate_transformer (FunctionTransformer) returned NaN in every row of column(s) 3")):
        MixtureOfExpertsRegressor(experts, gate_transformer=broken, max_epochs=3,
                                  random_state=0).fit(complete, y)


@pytest.mark.parametrize("make, cross_fitted", [
    (lambda e: MixtureOfExpertsRegressor(e, max_epochs=2, random_state=0), True),
    (lambda e: EnsembleRegressor(e), False)], ids=["mixture", "ensemble"])
def test_nan_columns_hint_says_which_rows_it_counted(make, cross_fitted):
    # Fix in _data.nan_columns_hint: an expert failing on NaN in a
    # cross-fitting fold named the columns with the fold's counts, "X's
    # column(s) 'luggage' (3 rows), 'seats' (8 rows)" for an X with 4 and 10,
    # and the fold note ("It was fitted on 48 of the 60 rows") is left out
    # of that message: the counts were not X's, and nothing said whose.
    import pandas as pd
    from sklearn.tree import DecisionTreeRegressor
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"weight": rng.normal(size=60), "luggage": rng.normal(size=60)})
    X.loc[::6, "luggage"] = np.nan      # 10 of the 60 rows
    y = X["weight"].to_numpy()
    experts = [("linear", make_pipeline(StandardScaler(), Ridge())),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    with pytest.raises(ValueError, match=r"of the (\d+) rows this expert was given, X's "
                                         r"column\(s\) 'luggage' \((\d+) rows?\)") as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make(experts).fit(X, y)
    given, counted = map(int, re.search(r"of the (\d+) rows this expert was given, X's "
                                        r"column\(s\) 'luggage' \((\d+) rows?\)",
                                        str(info.value)).groups())
    if cross_fitted:
        assert given < 60 and counted < 10
    else:
        assert (given, counted) == (60, 10)


@pytest.mark.parametrize("container", ["sparse", "objects"])
def test_nan_refusal_names_the_columns_of_a_sparse_or_object_x(container):
    # Fix in _data.nan_columns: the columns holding NaN were named for a
    # frame or a float array only; a sparse X (its stored NaN) or an array
    # of numbers held as objects got "Input X contains NaN. Expert(s) 'ridge'
    # (Ridge) do not accept missing values" without them. (The last column
    # stores no value, which a count by column offsets must survive.)
    import scipy.sparse as sp
    from sklearn.tree import DecisionTreeRegressor
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(size=(40, 3)), np.zeros(40)])
    y = X[:, 0].copy()
    X[[2, 5, 9], 1] = np.nan
    X = sp.csr_matrix(X) if container == "sparse" else X.astype(object)
    with pytest.raises(ValueError, match=re.escape(
            "Expert(s) 'ridge' (Ridge) do not accept missing values (X's column(s) "
            "1 (3 rows) hold them)")):
        EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())]).fit(X, y)
