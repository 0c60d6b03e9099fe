"""User pools on raw DataFrames (benchmarks/bench_user_pools.py): the defects it found."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skmoe import EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsRegressor

pd = pytest.importorskip("pandas")


def _frame(n=80, seed=0):
    """A number with missing values and a category; y depends on both."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"a": rng.normal(size=n),
                      "b": pd.Categorical(rng.choice(["x", "y", "z"], n))})
    y = X["a"].to_numpy() + (X["b"] == "x").to_numpy() + 0.1 * rng.normal(size=n)
    X.loc[::7, "a"] = np.nan
    return X, y


def _imputing(model):
    return make_pipeline(ColumnTransformer([
        ("num", SimpleImputer(), ["a"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["b"])]), model)


@pytest.mark.filterwarnings("ignore:The gate did not converge")
@pytest.mark.parametrize("wrap", [
    lambda pipe: GridSearchCV(pipe, {"ridge__alpha": [1.0]}, cv=2),
    lambda pipe: TransformedTargetRegressor(pipe, func=np.negative, inverse_func=np.negative),
], ids=["GridSearchCV", "TransformedTargetRegressor"])
def test_a_wrapped_imputing_pipeline_takes_missing_values(wrap):
    # Before: a Pipeline expert decided itself whether it takes NaN, but one
    # wrapped in GridSearchCV / TransformedTargetRegressor (or, as
    # scikit-learn 1.9 tells SVC(probability=True) users, in
    # CalibratedClassifierCV) was refused up front by its tag: "Input X
    # contains NaN. Expert(s) 'w' (GridSearchCV) do not accept missing
    # values: impute them (for example make_pipeline(SimpleImputer(),
    # <expert>) ...)", though it imputes; StackingRegressor fitted it.
    X, y = _frame()
    wrapped = wrap(_imputing(Ridge()))
    ensemble = EnsembleRegressor([("w", wrapped), ("other", _imputing(Ridge(alpha=3.0)))])
    ensemble.fit(X, y)
    alone = [clone(e).fit(X, y).predict(X) for e in (wrapped, _imputing(Ridge(alpha=3.0)))]
    assert_allclose(ensemble.predict(X), np.mean(alone, axis=0))

    # The mixture's experts are refits on all rows: the wrapped one as alone.
    moe = MixtureOfExpertsRegressor(
        [("w", wrapped), ("other", _imputing(Ridge(alpha=3.0)))], refit_experts=1.0,
        max_epochs=5, random_state=0).fit(X, y)
    assert_allclose(moe.predict_experts(X), np.column_stack(alone))


def test_a_calibrated_imputing_pipeline_takes_missing_values():
    # As above, with CalibratedClassifierCV(ensemble=False) around the pipeline.
    X, y = _frame()
    y = np.where(y > 0.5, "hi", "lo")
    experts = [("cal", CalibratedClassifierCV(_imputing(LogisticRegression()), ensemble=False)),
               ("log", _imputing(LogisticRegression(C=0.1)))]
    ensemble = EnsembleClassifier(experts).fit(X, y)
    alone = [clone(e).fit(X, y).predict_proba(X) for _, e in experts]
    assert_allclose(ensemble.predict_proba(X), np.mean(alone, axis=0))


def test_experts_prefix_hint_names_the_key_that_works():
    # Before: set_params(experts__hgb__max_iter=...) (the Pipeline habit of
    # prefixing the step, as a user tuning their pool in a grid writes it) was
    # told "address an expert by its name, e.g. 'ridge__hgb__max_iter'": the
    # first expert's name put in front of a key that already names one, a key
    # that fails in turn. The hint is now 'hgb__max_iter', which works.
    from sklearn.ensemble import HistGradientBoostingRegressor

    moe = MixtureOfExpertsRegressor([("ridge", Ridge()),
                                     ("hgb", HistGradientBoostingRegressor())])
    with pytest.raises(ValueError, match=r"e\.g\. 'hgb__max_iter'\.$"):
        moe.set_params(experts__hgb__max_iter=20)
    assert moe.set_params(hgb__max_iter=20).get_params()["hgb__max_iter"] == 20
    # A key whose tail names no expert keeps the hint of the first name.
    with pytest.raises(ValueError, match=r"e\.g\. 'ridge__alpha'\.$"):
        moe.set_params(experts__alpha=2.0)


def test_no_predict_proba_hint_avoids_the_deprecated_svc_probability():
    # Before: an SVC() expert of a classifier mixture was told "for an SVC,
    # set probability=True", which scikit-learn 1.9 deprecates (a
    # FutureWarning on every fit, removal in 1.11, "Use
    # CalibratedClassifierCV(SVC(), ensemble=False) instead"). The hint now
    # names that wrapper, and following it fits without a warning.
    import warnings

    from sklearn.svm import SVC

    X, y = _frame()
    X = X.assign(a=X["a"].fillna(0.0))
    y = np.where(y > 0.5, "hi", "lo")
    svc = _imputing(SVC())
    with pytest.raises(TypeError, match=r"CalibratedClassifierCV\(SVC\(\), ensemble=False\)"):
        EnsembleClassifier([("svc", svc), ("log", _imputing(LogisticRegression()))]).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EnsembleClassifier([("svc", CalibratedClassifierCV(svc, ensemble=False)),
                            ("log", _imputing(LogisticRegression()))]).fit(X, y)
