"""Review of the changes landed since d50d025: false positives of new
refusals and merged code that said or did something wrong."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import RidgeClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier

from skmoe import compare


def _two_label_columns(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)


@pytest.mark.parametrize("model", [MLPClassifier((4,), solver="lbfgs", max_iter=500,
                                                 random_state=0),
                                   RidgeClassifier()])
def test_compare_takes_classifiers_of_several_columns_whose_tags_say_one(model):
    # compare refused them before any fit ("fit one target", by their
    # multi_output tag, False), though scikit-learn fits them on a y of
    # several columns: a valid comparison refused.
    X, Y = _two_label_columns()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (the MLP's ConvergenceWarning)
        result = compare({"model": model, "tree": DecisionTreeClassifier(max_depth=2)},
                         X, Y, cv=3, progress=False)
    assert result.metrics == ["accuracy"]
    assert np.all(result.scores["model"]["accuracy"] > 0.5)


def test_compare_asks_no_search_for_the_methods_its_parameters_give():
    # compare refused 'neg_log_loss' before any fit: the unfitted
    # SGDClassifier() of the search (hinge loss) has no predict_proba, the
    # one it fits with loss='log_loss' has.
    from sklearn.linear_model import SGDClassifier
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    search = GridSearchCV(SGDClassifier(random_state=0), {"loss": ["log_loss"]}, cv=2)
    result = compare({"sgd": search, "tree": DecisionTreeClassifier(max_depth=2)}, X, y,
                     cv=3, scoring="neg_log_loss", progress=False)
    assert np.all(np.isfinite(result.scores["sgd"]["neg_log_loss"]))
    # A model that cannot have it is still refused before any fit.
    with pytest.raises(ValueError, match="needs the models' predict_proba; 'svc' \\(SVC\\)"):
        compare({"svc": SVC(), "tree": DecisionTreeClassifier(max_depth=2)}, X, y,
                cv=3, scoring="neg_log_loss", progress=False)


def _sorted_frame():
    from sklearn.datasets import load_diabetes
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X, y = X.iloc[:80], y.iloc[:80]
    order = np.argsort(X["bmi"].to_numpy(), kind="stable")   # rows sorted, as by a date
    return X.iloc[order], y.iloc[order]


def _moe():
    from sklearn.linear_model import Ridge

    from skmoe import MixtureOfExpertsRegressor
    return MixtureOfExpertsRegressor([("a", Ridge()), ("b", Ridge(alpha=10.0))],
                                     training="em", max_iter=2, random_state=0)


def test_a_pipeline_step_that_rebuilds_x_is_not_refused():
    # A step that returns pd.DataFrame(values, columns=...) gives X a new
    # RangeIndex; y keeps the labels of the rows sorted (by a date, here by
    # bmi), in X's order. refuse_misaligned_rows stopped the fit ("y ... holds
    # X's row labels in another order"): so did a GridSearchCV of it at its
    # refit, after the whole search. It warns instead.
    import pandas as pd
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = _sorted_frame()
    rebuild = FunctionTransformer(lambda d: pd.DataFrame(d.to_numpy(), columns=d.columns))
    expected = make_pipeline(rebuild, _moe()).fit(X, y.to_numpy()).predict(X)
    with pytest.warns(UserWarning, match="X's index is a new RangeIndex"):
        got = make_pipeline(rebuild, _moe()).fit(X, y).predict(X)
    np.testing.assert_allclose(got, expected)


def test_a_new_series_beside_sorted_rows_is_not_refused():
    # pd.Series(values) (a new RangeIndex) of targets or weights in X's order,
    # X's rows sorted: refused too.
    import pandas as pd

    X, y = _sorted_frame()
    with pytest.warns(UserWarning, match="y's index is a new RangeIndex") as record:
        _moe().fit(X, pd.Series(np.log(y.to_numpy())))
    # (At the line that called fit, not inside skmoe.)
    assert {w.filename for w in record if "RangeIndex" in str(w.message)} == {__file__}
    with pytest.warns(UserWarning, match="sample_weight's index is a new RangeIndex"):
        _moe().fit(X, y, sample_weight=pd.Series(np.ones(len(y))))


def test_a_poisson_prediction_of_zero_is_said_to_be_outside_the_deviance():
    # A tree predicts 0 on rows whose counts are all 0: the Poisson deviance
    # takes a target of 0 but not a prediction of 0. compare's note said the
    # predictions "are not of 0 or more" (the targets' domain), which they are.
    from sklearn.tree import DecisionTreeRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] < 0, 0.0, 3.0 + rng.poisson(2.0, size=60))
    with pytest.raises(ValueError, match=r"predictions that are not greater than 0;"):
        compare({"tree": DecisionTreeRegressor(max_depth=1)}, X, y, cv=3,
                scoring="neg_mean_poisson_deviance", progress=False)
