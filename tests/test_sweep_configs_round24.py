"""Configuration sweep, round 24: combinations of parameters that each work
alone (on every public estimator).

Found: ``voting='soft'`` set after a hard-voting fit of an expert without
``predict_proba`` (an SVC) failed in ``predict`` with "Expert 'b' (SVC)
failed in predict_proba", and ``hasattr(model, 'predict_proba')`` was
True. ``CrossFitAverage`` with ``n_classes`` over fits of a regressor told
it that it "has classes_ None" and to encode its labels, and over fits
without ``predict_proba`` (an SVC) failed at predict with "failed in
predict_proba".

Probed without a defect: ``top_k`` with ``training='em'`` (and
the joint trainer) and ``sample_weight`` (rows of zero weight are the rows
left out, doubled weights are no weights, to the last digit, with and
without ``cv``); every ``refit_experts`` value (True, False, 0, 1, 0.5 and
their numpy types) with classifiers lacking ``predict_proba`` (SVC,
RidgeClassifier, LinearSVC: refused with the expert named, under every
trainer) and with ones having it; ``n_jobs=2`` against 1 (equal with a
seed) and with ``random_state=None`` (repeated fits finite, and different);
``set_params`` after fit then ``fit`` with another trainer, number of
experts, branching, architecture, tasks, classes and features (the fitted
attributes, public and private, are a fresh fit's: the guard below);
``clone`` of a fitted model then fit on other data; ``get_params(deep=True)``
fed back to ``set_params`` and nested expert and gate parameters through a
``Pipeline`` in ``GridSearchCV`` (``experts__r__alpha`` is refused with the
spelling ``r__alpha`` named, as scikit-learn's VotingClassifier addresses
its estimators); every parameter set to another valid value after fit
(only ``top_k`` of routing fits, ``voting`` and the torch MLPs' documented
``precision`` reach ``predict``; ``top_k`` on the stacked gate is refused);
``device`` set after fit (``predict`` uses ``device_``) and at fit
('cpu:0', 'CPU', 'mps', a ``torch.device``); verbose True, 0-3, 100,
numpy ints, with ``n_jobs``; the templates given (experts, gate,
gate_transformer, splitter) left untouched by fit; classes of zero
``sample_weight``; ``task_weights``/``tasks``/``weights`` sized for
other data; ``select_n_experts`` over ``top_k``, ``branching``, in a
Pipeline, with ``collapse_action='drop'``.

Noticed and left alone: with ``n_jobs`` above 1, EM restarts print their
``verbose`` lines from joblib's worker processes, so ``contextlib``'s
redirection (and a notebook's cell) does not receive them;
``MLPGate(device=torch.device('cpu'))`` is taken where every other
estimator refuses a ``torch.device`` (its ``device`` has no type
constraint).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (CrossFitAverage, EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor,
                   MixtureOfExpertsClassifier, MixtureOfExpertsRegressor,
                   MultiGateMixtureOfExperts, TorchMLPClassifier, TorchMLPRegressor)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning",
                                        "ignore::sklearn.exceptions.ConvergenceWarning")


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 4))
    y = X[:, 0] + (X[:, 1] > 0) + 0.1 * rng.normal(size=90)
    return X, y, np.digitize(y, np.quantile(y, [0.33, 0.66]))


def _fitted_attributes(model):
    # Private ones too: a stale _vote_weights or _column_labels_in acts as
    # surely as a public attribute.
    return {name for name in vars(model) if name.endswith("_") and not name.startswith("__")}


R = [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3, random_state=0))]
C = [("l", LogisticRegression()), ("t", DecisionTreeClassifier(max_depth=3, random_state=0))]
TORCH = [("a", TorchMLPRegressor((3,))), ("b", TorchMLPRegressor((3,)))]


@pytest.mark.parametrize("make, first, then", [
    (lambda: MixtureOfExpertsRegressor(R, training="em", max_iter=2, random_state=0),
     {}, {"training": "gradient", "experts": TORCH, "max_epochs": 2}),
    (lambda: MixtureOfExpertsRegressor(R, random_state=0),
     {}, {"training": "em", "top_k": 1, "max_iter": 2}),
    (lambda: MixtureOfExpertsClassifier(C, training="em", max_iter=2, random_state=0),
     {"classes": 3}, {"training": "auto"}),
    (lambda: EnsembleClassifier(C, weights="greedy", random_state=0),
     {"classes": 3}, {"weights": None, "voting": "hard"}),
    (lambda: EnsembleRegressor(R, random_state=0), {}, {"weights": "greedy"}),
    (lambda: HierarchicalMixtureRegressor(R + [("q", Ridge(alpha=3.0)), ("s", Ridge(alpha=9.0))],
                                          branching=(2, 2), early_stopping=True,
                                          max_iter=2, random_state=0),
     {}, {"branching": 2, "experts": R, "early_stopping": False}),
    (lambda: HierarchicalMixtureClassifier(C, branching=2, max_iter=2, random_state=0),
     {"classes": 3}, {}),
    (lambda: HeterogeneousMultiGateMixtureOfExperts(R, tasks=["regression", "binary"],
                                                    max_iter=3, random_state=0),
     {"tasks": 2}, {"tasks": None}),
    (lambda: MultiGateMixtureOfExperts(architecture="ple", n_levels=2, early_stopping=True,
                                       max_iter=3, random_state=0),
     {"tasks": 2}, {"architecture": "mmoe", "n_levels": None, "early_stopping": False}),
    (lambda: TorchMLPRegressor((3,), max_epochs=3, random_state=0),
     {}, {"early_stopping": False}),
    (lambda: TorchMLPClassifier((3,), max_epochs=3, random_state=0),
     {"classes": 3}, {"early_stopping": False}),
], ids=["moe-em-to-torch", "moe-stacked-to-topk-em", "moe-clf", "ensemble-clf",
        "ensemble-reg", "hme-reg", "hme-clf", "hetero-mmoe", "mmoe", "torch-reg", "torch-clf"])
def test_guard_a_refit_after_set_params_keeps_only_what_a_fresh_fit_has(make, first, then):
    # Refitted with other settings on data with another number of features
    # (and of classes, or of tasks), a model has exactly the fitted
    # attributes of a fresh fit with those settings: nothing of the first fit.
    X, y, y3 = _data()
    if "classes" in first:
        targets = (y3, (y3 > 0).astype(int))
    elif "tasks" in first:
        targets = (np.column_stack([y, y3 > 0]), y)
    else:
        targets = (y, y)
    fresh = make().set_params(**then).fit(X[:, :3], targets[1])
    model = make().fit(X, targets[0]).set_params(**then).fit(X[:, :3], targets[1])
    assert _fitted_attributes(model) == _fitted_attributes(fresh)
    assert model.n_features_in_ == 3
    if hasattr(fresh, "classes_"):
        np.testing.assert_array_equal(model.classes_, fresh.classes_)
    assert_allclose(model.predict(X[:, :3]), fresh.predict(X[:, :3]))


@pytest.mark.parametrize("make", [
    lambda: MixtureOfExpertsRegressor(R + [("s", Ridge(alpha=50.0))], training="em", top_k=2,
                                      max_iter=3, random_state=0),
    lambda: MixtureOfExpertsRegressor(R + [("s", Ridge(alpha=50.0))], training="em", top_k=1,
                                      cv=None, max_iter=3, random_state=0),
    lambda: MixtureOfExpertsClassifier(C + [("s", LogisticRegression(C=0.01))], training="em",
                                       top_k=2, max_iter=3, random_state=0),
    lambda: MixtureOfExpertsRegressor(R + [("s", Ridge(alpha=50.0))], training="gradient",
                                      top_k=1, max_epochs=3, random_state=0),
], ids=["em-top2", "exact-em-top1", "em-top2-clf", "joint-top1"])
def test_guard_top_k_fits_read_sample_weight_as_rows(make):
    # Routing and sample_weight together: a row of zero weight is a row left
    # out (its folds and k-means start included), and weights scaled by a
    # constant are the same weights.
    X, y, y3 = _data()
    target = y3 if make()._is_classifier else y
    method = "predict_proba" if make()._is_classifier else "predict"
    weight = np.ones(len(target))
    weight[::4] = 0
    kept = weight > 0
    assert_allclose(getattr(make().fit(X, target, sample_weight=weight), method)(X),
                    getattr(make().fit(X[kept], target[kept]), method)(X), atol=1e-12)
    assert_allclose(getattr(make().fit(X, target, sample_weight=np.full(len(target), 2.5)),
                            method)(X),
                    getattr(make().fit(X, target), method)(X), atol=1e-12)


def test_soft_voting_set_after_a_hard_fit_of_experts_without_probabilities_is_named():
    # predict reads voting (round 20); set to 'soft' after a hard-voting fit
    # of an SVC, predict failed with "Expert 'b' (SVC) failed in
    # predict_proba: This 'SVC' has no attribute 'predict_proba'", and
    # hasattr(model, 'predict_proba') was True, so a caller that picks
    # predict_proba where it exists (scikit-learn's scorers) failed too.
    X, _, y3 = _data()
    y = (y3 > 0).astype(int)
    ensemble = EnsembleClassifier([("l", LogisticRegression()), ("b", SVC())],
                                  voting="hard").fit(X, y)
    hard = ensemble.predict(X)
    ensemble.set_params(voting="soft")
    message = r"voting='soft' was set after fit, and the fitted expert\(s\) 'b' \(SVC\) have"
    with pytest.raises(ValueError, match=message):
        ensemble.predict(X)
    assert not hasattr(ensemble, "predict_proba")
    with pytest.raises(AttributeError) as info:
        ensemble.predict_proba(X)
    chain, error = [], info.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__
    assert any("voting='soft' was set after fit" in text for text in chain), chain
    np.testing.assert_array_equal(ensemble.set_params(voting="hard").predict(X), hard)
    # An expert without probabilities that has no weight is not averaged.
    unweighted = EnsembleClassifier([("l", LogisticRegression()), ("b", SVC())],
                                    voting="hard", weights=[1, 0]).fit(X, y)
    unweighted.set_params(voting="soft")
    assert hasattr(unweighted, "predict_proba")
    np.testing.assert_array_equal(unweighted.predict(X), np.argmax(
        unweighted.predict_proba(X), axis=1))


def test_cross_fit_average_of_classes_names_fits_that_give_no_probabilities():
    # n_classes and fits that cannot average probabilities: a regressor's
    # fits were told "fit 0 (Ridge) has classes_ None; with n_classes=3 they
    # must be encoded labels" (it has no labels), and an SVC's failed at
    # predict with "Expert 'expert' (SVC) failed in predict_proba".
    X, y, y3 = _data()
    ridge = CrossFitAverage([Ridge().fit(X, y3)], n_classes=3)
    with pytest.raises(ValueError, match=r"fit 0 \(Ridge\) is not a classifier; n_classes=3 .*"
                                         r"Leave n_classes=None"):
        ridge.fit(X, y3)
    svc = CrossFitAverage([SVC().fit(X, y3), SVC(C=0.1).fit(X, y3)], n_classes=3)
    for method in ("fit", "predict", "predict_proba"):
        with pytest.raises(ValueError, match=r"fit 0 \(SVC\) has no predict_proba; with "
                                             "n_classes the fits' class probabilities"):
            getattr(svc, method)(X, y3) if method == "fit" else getattr(svc, method)(X)
    # Fits that have them are averaged as before.
    fits = [LogisticRegression().fit(X, y3), LogisticRegression(C=0.1).fit(X, y3)]
    assert_allclose(CrossFitAverage(fits, n_classes=3).predict_proba(X),
                    (fits[0].predict_proba(X) + fits[1].predict_proba(X)) / 2)
