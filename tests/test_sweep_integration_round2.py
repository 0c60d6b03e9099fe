"""scikit-learn integration sweep, round 2: the estimators inside the tools.

Probed (every public estimator where it applies: default, EM and top-k
mixtures, hierarchical, ensembles plain and greedy, MMoE and heterogeneous
MMoE, the torch experts, RuleExpert, AutoGateTransformer, CrossFitAverage,
select_n_experts); in these, no defect:

- ``cross_validate`` with ``return_estimator``/``return_train_score`` and
  multi-metric scoring (``neg_log_loss``, ``roc_auc_ovr``, ``accuracy``,
  ``neg_root_mean_squared_error``, ``r2``, ``log_likelihood_scorer``, custom
  ``make_scorer(..., response_method=...)``): the scores equal the metrics
  recomputed by hand on the returned estimators; ``n_jobs=2`` (loky) too.
- ``cross_val_predict(method="predict_proba"/"predict_log_proba")`` with a
  class missing from a fold's training rows (integer, string labels; a rare
  class of two rows under ``KFold`` and ``StratifiedKFold``); multi-task
  classification (a list of arrays, one per task).
- ``HalvingGridSearchCV``/``HalvingRandomSearchCV`` (resource ``n_samples``,
  grids over a nested ``gate__alpha``), ``TunedThresholdClassifierCV`` (with
  a ``pos_label`` scorer, boolean and string labels, over a
  ``FrozenEstimator``), ``FixedThresholdClassifier``,
  ``CalibratedClassifierCV`` (isotonic, sigmoid, ``cv=3``,
  ``ensemble=False``, ``FrozenEstimator``); a hard-voting ensemble has no
  ``predict_proba``, and those tools refuse it as they refuse
  ``VotingClassifier(voting='hard')``.
- ``BaggingRegressor``/``BaggingClassifier`` (``max_features``, a bootstrap
  without a class), ``StackingRegressor``/``StackingClassifier`` with a
  mixture as base and as ``final_estimator``, ``MultiOutputRegressor``,
  ``MultiOutputClassifier``, ``ClassifierChain`` (``chain_method=
  "predict_proba"``), ``RegressorChain``, ``TransformedTargetRegressor``.
- ``permutation_importance`` (multi-metric, ``sample_weight``, DataFrames
  with categorical columns), ``partial_dependence`` and
  ``PartialDependenceDisplay`` (kind "both", ``centered``, categorical
  features), ``DecisionBoundaryDisplay`` (predict, predict_proba with
  ``class_of_interest``, regressors), ``learning_curve`` (with routed-off
  ``params``), ``validation_curve`` over ``gate__alpha``,
  ``gate__hidden_layer_sizes``, ``tree__max_depth`` and ``experts__max_depth``.
- ``clone`` + ``pickle`` + ``joblib.dump`` of every meta-estimator above,
  fitted; ``repr`` and ``estimator_html_repr`` (also with
  ``print_changed_only=False``) of fitted nested models, 30 pipeline experts
  included (the HTML lists every nested parameter, as for
  ``VotingRegressor``); pickles hold no copy of the training data.
- ``set_config(transform_output="pandas")`` (predictions stay arrays;
  ``gate_transformer`` and expert pipelines with ``ColumnTransformer``),
  ``set_config(enable_metadata_routing=True)`` with a ``Pipeline`` routing
  ``sample_weight`` (fit, ``cross_validate`` with ``params``,
  ``GridSearchCV``) and ``groups``.

Found and fixed:

- ``log_likelihood_scorer`` (and ``bic``, ``aic``) of a fitted search:
  nested cross-validation, ``cross_val_score(GridSearchCV(mixture,
  scoring=log_likelihood_scorer), X, y, scoring=log_likelihood_scorer)``,
  scored every outer fold NaN ("GridSearchCV has no log_likelihood_samples(X,
  y) or score_samples(X, y); it does not define a likelihood", a warning);
  the search's refitted model is scored now, as a Pipeline's last step was
  (and a ``FrozenEstimator`` of a Pipeline or a search, refused alike).

The other tests pin the figures checked by hand, so that a change that
breaks them shows.
"""

import io
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
import sklearn.experimental.enable_halving_search_cv  # (HalvingGridSearchCV below)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import partial_dependence
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import log_loss, roc_auc_score, root_mean_squared_error
from sklearn.model_selection import (FixedThresholdClassifier, GridSearchCV,
                                     HalvingGridSearchCV, KFold, cross_val_predict,
                                     cross_validate)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (EnsembleRegressor, HierarchicalMixtureClassifier,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor, bic,
                   log_likelihood_scorer)
from skmoe.gates import MLPGate

# (Few EM iterations, to keep the tests fast.)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=120):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] > 0, 3 * X[:, 1], -X[:, 2]) + 0.1 * rng.normal(size=n)
    classes = np.digitize(X[:, 0] + 0.3 * rng.normal(size=n), [-0.5, 0.5])
    return X, y, classes


def _em_classifier():
    return MixtureOfExpertsClassifier(
        [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))],
        training="em", max_iter=3, random_state=0)


def _em_regressor():
    return MixtureOfExpertsRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
        training="em", max_iter=3, random_state=0)


def test_cross_validate_multi_metric_scores_are_the_metrics_of_the_returned_fits():
    X, y, classes = _data()
    folds = list(KFold(3).split(X))
    result = cross_validate(_em_classifier(), X, classes, cv=folds, return_estimator=True,
                            return_train_score=True, scoring=["neg_log_loss", "roc_auc_ovr"])
    for i, (model, (train, test)) in enumerate(zip(result["estimator"], folds)):
        proba = model.predict_proba(X[test])
        assert_allclose(result["test_neg_log_loss"][i],
                        -log_loss(classes[test], proba, labels=[0, 1, 2]))
        assert_allclose(result["test_roc_auc_ovr"][i],
                        roc_auc_score(classes[test], proba, multi_class="ovr"))
        assert_allclose(result["train_neg_log_loss"][i],
                        -log_loss(classes[train], model.predict_proba(X[train])))
    result = cross_validate(_em_regressor(), X, y, cv=folds, return_estimator=True,
                            scoring="neg_root_mean_squared_error")
    expected = [-root_mean_squared_error(y[test], model.predict(X[test]))
                for model, (_, test) in zip(result["estimator"], folds)]
    assert_allclose(result["test_score"], expected)


# (The point of the test: scikit-learn warns of it.)
@pytest.mark.filterwarnings("ignore:Number of classes in training fold:RuntimeWarning")
def test_cross_val_predict_proba_gives_a_class_missing_from_a_fold_probability_zero():
    X, _, classes = _data()
    labels = np.array(["a", "b", "c", "rare"], dtype=object)[classes]
    labels[:5] = "rare"     # only in the first test fold: its fit never saw it
    for model in (_em_classifier(),
                  HierarchicalMixtureClassifier(LogisticRegression(), max_iter=3,
                                                random_state=0)):
        proba = cross_val_predict(model, X, labels, cv=KFold(3), method="predict_proba")
        assert proba.shape == (len(X), 4)
        assert_allclose(proba.sum(axis=1), 1.0)
        assert_array_equal(proba[:40, 3], 0.0)   # columns follow the sorted labels
        assert np.all(proba[40:, 3] > 0)


@pytest.mark.parametrize("make", [_em_regressor,
                                  lambda: EnsembleRegressor(
                                      [("ridge", Ridge()),
                                       ("tree", DecisionTreeRegressor(max_depth=3))],
                                      weights="greedy", random_state=0)])
def test_routed_sample_weight_scores_as_the_weighted_fits_made_by_hand(make):
    X, y, _ = _data()
    weight = np.r_[np.ones(60), 3 * np.ones(60)]
    folds = list(KFold(3).split(X))
    with sklearn.config_context(enable_metadata_routing=True):
        pipeline = Pipeline([
            ("scale", StandardScaler().set_fit_request(sample_weight=False)),
            ("model", make().set_fit_request(sample_weight=True)
             .set_score_request(sample_weight=True))])
        scores = cross_validate(pipeline, X, y, cv=folds,
                                params={"sample_weight": weight})["test_score"]
    expected = []
    for train, test in folds:
        scale = StandardScaler().fit(X[train])
        model = make().fit(scale.transform(X[train]), y[train], sample_weight=weight[train])
        expected.append(model.score(scale.transform(X[test]), y[test],
                                    sample_weight=weight[test]))
    assert_allclose(scores, expected)


def test_partial_dependence_of_a_categorical_column_is_the_mean_prediction():
    X, y, _ = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["colour"] = pd.Categorical(np.array(["x", "y", "z"])[np.arange(len(X)) % 3])
    y = y + np.where(frame["colour"] == "x", 3.0, 0.0)
    linear = make_pipeline(make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["colour"]), remainder="passthrough"), Ridge())
    tree = make_pipeline(make_column_transformer(("drop", ["colour"]), remainder="passthrough"),
                         DecisionTreeRegressor(max_depth=3))
    model = EnsembleRegressor([("linear", linear), ("tree", tree)], weights="greedy",
                              random_state=0).fit(frame, y)
    result = partial_dependence(model, frame, ["colour"], categorical_features=["colour"])
    categories = frame["colour"].cat.categories
    expected = [model.predict(frame.assign(colour=pd.Categorical([value] * len(frame),
                                                                 categories=categories))).mean()
                for value in result["grid_values"][0]]
    assert list(result["grid_values"][0]) == ["x", "y", "z"]
    assert_allclose(result["average"][0], expected)
    assert result["average"][0][0] > result["average"][0][1] + 1   # colour 'x' adds 3


def test_threshold_and_halving_search_round_trip_with_string_labels():
    X, _, classes = _data()
    labels = np.array(["neg", "pos"])[(classes == 2).astype(int)]
    fixed = FixedThresholdClassifier(_em_classifier(), threshold=0.3,
                                     pos_label="pos").fit(X, labels)
    inner = fixed.estimator_
    positive = inner.predict_proba(X)[:, list(inner.classes_).index("pos")]
    assert_array_equal(fixed.predict(X), np.where(positive >= 0.3, "pos", "neg"))
    search = HalvingGridSearchCV(_em_classifier(), {"max_iter": [1, 2, 3]}, cv=3,
                                 min_resources=40, random_state=0).fit(X, labels)
    assert search.n_resources_ == [40, 120]
    best = search.best_estimator_
    buffer = io.BytesIO()
    joblib.dump(best, buffer)
    buffer.seek(0)
    for copy in (pickle.loads(pickle.dumps(best)), joblib.load(buffer)):
        assert_allclose(copy.predict_proba(X), best.predict_proba(X))


def test_nested_cross_validation_scores_the_search_by_log_likelihood():
    X, y, _ = _data()
    mixture = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2, training="em",
                                        gate=MLPGate(hidden_layer_sizes=(), max_iter=20,
                                                     warm_max_iter=5),
                                        max_iter=2, random_state=0)
    search = GridSearchCV(mixture, {"max_iter": [2]}, cv=2, scoring=log_likelihood_scorer)
    outer = list(KFold(2).split(X))
    # Every outer fold was NaN: the scorer was given the fitted search.
    result = cross_validate(search, X, y, cv=outer, scoring=log_likelihood_scorer,
                            return_estimator=True, error_score="raise")
    expected = [log_likelihood_scorer(fitted.best_estimator_, X[test], y[test])
                for fitted, (_, test) in zip(result["estimator"], outer)]
    assert np.all(np.isfinite(result["test_score"]))
    assert_allclose(result["test_score"], expected)
    fitted = clone(search).fit(X, y)
    best = fitted.best_estimator_
    assert log_likelihood_scorer(fitted, X, y) == log_likelihood_scorer(best, X, y)
    assert bic(fitted, X, y) == bic(best, X, y)
    # A search inside a Pipeline, and a Pipeline inside a search.
    scaled = make_pipeline(StandardScaler(), clone(search)).fit(X, y)
    Z = StandardScaler().fit(X).transform(X)
    assert_allclose(log_likelihood_scorer(scaled, X, y),
                    log_likelihood_scorer(scaled[-1].best_estimator_, Z, y))
    piped = GridSearchCV(make_pipeline(StandardScaler(), mixture),
                         {"mixtureofexpertsregressor__max_iter": [2]}, cv=2).fit(X, y)
    assert_allclose(log_likelihood_scorer(piped, X, y),
                    log_likelihood_scorer(piped.best_estimator_[-1], Z, y))
    # Frozen: a fitted Pipeline (whose attributes a FrozenEstimator shows) or search.
    assert_allclose(log_likelihood_scorer(FrozenEstimator(scaled), X, y),
                    log_likelihood_scorer(scaled, X, y))
    assert bic(FrozenEstimator(fitted), X, y) == bic(best, X, y)
    with pytest.raises(TypeError, match="refit=False keeps no fitted model"):
        log_likelihood_scorer(clone(search).set_params(refit=False).fit(X, y), X, y)
