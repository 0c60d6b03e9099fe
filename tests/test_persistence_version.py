"""Saved models carry the skmoe version; loading one saved by another warns."""

import inspect
import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression, Ridge

import skmoe
from skmoe import (AutoGateTransformer, CrossFitAverage, EnsembleClassifier,
                   EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureClassifier, HierarchicalMixtureRegressor,
                   InconsistentSkmoeVersionWarning, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts, RuleExpert,
                   TorchMLPClassifier, TorchMLPRegressor, _versioning)

OTHER = "0.0.1"


def first_column(X):   # module level: pickle finds it by name
    return X[:, 0]


# One instance of every public estimator (unfitted: the state is what counts).
INSTANCES = {
    AutoGateTransformer: lambda: AutoGateTransformer(),
    CrossFitAverage: lambda: CrossFitAverage([Ridge()]),
    EnsembleClassifier: lambda: EnsembleClassifier([("logit", LogisticRegression())]),
    EnsembleRegressor: lambda: EnsembleRegressor([("ridge", Ridge())]),
    HeterogeneousMultiGateMixtureOfExperts:
        lambda: HeterogeneousMultiGateMixtureOfExperts([("ridge", Ridge())]),
    HierarchicalMixtureClassifier: lambda: HierarchicalMixtureClassifier(LogisticRegression()),
    HierarchicalMixtureRegressor: lambda: HierarchicalMixtureRegressor(Ridge()),
    MLPGate: lambda: MLPGate(),
    MixtureOfExpertsClassifier: lambda: MixtureOfExpertsClassifier([("logit",
                                                                     LogisticRegression())]),
    MixtureOfExpertsRegressor: lambda: MixtureOfExpertsRegressor([("ridge", Ridge())]),
    MultiGateMixtureOfExperts: lambda: MultiGateMixtureOfExperts(),
    RuleExpert: lambda: RuleExpert(first_column),
    TorchMLPClassifier: lambda: TorchMLPClassifier(),
    TorchMLPRegressor: lambda: TorchMLPRegressor(),
}


def _fitted(name):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    models = {
        "mlp": TorchMLPRegressor((4,), max_epochs=3, random_state=0, device="cpu"),
        "moe": MixtureOfExpertsRegressor([("ridge", Ridge()), ("rule", RuleExpert(first_column))],
                                         max_epochs=3, random_state=0),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # too few epochs to converge: not the point
        return models[name].fit(X, y), X


def _saved_with(version, save, monkeypatch):
    """``save()`` run as if skmoe ``version`` were installed."""
    with monkeypatch.context() as m:
        m.setattr(_versioning, "__version__", version)
        return save()


def test_every_public_estimator_is_listed():
    # A new public estimator must be added to INSTANCES (and so checked below).
    public = {getattr(skmoe, n) for n in skmoe.__all__}
    estimators = {o for o in public if inspect.isclass(o) and issubclass(o, BaseEstimator)}
    assert estimators == set(INSTANCES)


@pytest.mark.parametrize("cls", INSTANCES, ids=lambda c: c.__name__)
def test_pickle_stamps_and_checks_the_version(cls, monkeypatch):
    estimator = INSTANCES[cls]()
    assert estimator.__getstate__()["_skmoe_version"] == skmoe.__version__
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentSkmoeVersionWarning)
        same = pickle.loads(pickle.dumps(estimator))      # same version: silent
    # The stamp is in the state only: not an attribute (of the saved model or the
    # loaded one), a parameter or in the repr.
    assert "_skmoe_version" not in vars(estimator) and "_skmoe_version" not in vars(same)
    assert same.get_params().keys() == estimator.get_params().keys()
    assert repr(same) == repr(estimator) and "_skmoe_version" not in repr(clone(same))

    data = _saved_with(OTHER, lambda: pickle.dumps(estimator), monkeypatch)
    with pytest.warns(InconsistentSkmoeVersionWarning) as record:
        pickle.loads(data)
    message = str(record[0].message)
    assert (f"{cls.__name__} was saved with skmoe {OTHER} and is loaded with skmoe "
            f"{skmoe.__version__}") in message


@pytest.mark.parametrize("cls", [MixtureOfExpertsRegressor, TorchMLPRegressor, RuleExpert],
                         ids=lambda c: c.__name__)
def test_state_without_a_stamp_warns_of_an_unknown_version(cls):
    # Saved before models carried their version.
    estimator = INSTANCES[cls]()
    state = estimator.__getstate__()
    del state["_skmoe_version"]
    loaded = cls.__new__(cls)
    with pytest.warns(InconsistentSkmoeVersionWarning,
                      match=f"{cls.__name__} was saved with an unknown skmoe version"):
        loaded.__setstate__(state)
    assert loaded.get_params().keys() == estimator.get_params().keys()


def test_loading_leaves_the_state_given_as_it_was():
    state = RuleExpert(first_column).__getstate__()
    state["_skmoe_version"] = OTHER
    with pytest.warns(InconsistentSkmoeVersionWarning, match=f"skmoe {OTHER} and"):
        RuleExpert.__new__(RuleExpert).__setstate__(state)
    assert state["_skmoe_version"] == OTHER


@pytest.mark.parametrize("name", ["mlp", "moe"])
def test_joblib_round_trip_of_a_fitted_model(name, monkeypatch):
    model, X = _fitted(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentSkmoeVersionWarning)
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        loaded = joblib.load(io.BytesIO(buffer.getvalue()))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

    other = io.BytesIO()
    _saved_with(OTHER, lambda: joblib.dump(model, other), monkeypatch)
    with pytest.warns(InconsistentSkmoeVersionWarning) as record:
        joblib.load(io.BytesIO(other.getvalue()))
    # The model and, in a mixture, each skmoe estimator inside it (its experts,
    # gate, ...), as scikit-learn warns for each of its own.
    warned = {str(w.message).split(" was saved")[0] for w in record}
    assert warned == {"TorchMLPRegressor"} if name == "mlp" else (
        {"MixtureOfExpertsRegressor", "RuleExpert", "MLPGate"} <= warned <= set(skmoe.__all__))
    assert all(OTHER in str(w.message) and skmoe.__version__ in str(w.message) for w in record)


@pytest.mark.parametrize("name", ["mlp", "moe"])
def test_skops_round_trip_of_a_fitted_model(name, monkeypatch):
    sio = pytest.importorskip("skops.io")
    from skmoe.persistence import trusted_types, untrusted_types

    model, X = _fitted(name)
    data = sio.dumps(model)
    trusted = trusted_types(untrusted_types(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentSkmoeVersionWarning)
        loaded = sio.loads(data, trusted=trusted)
    assert "_skmoe_version" not in vars(loaded)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

    data = _saved_with(OTHER, lambda: sio.dumps(model), monkeypatch)
    with pytest.warns(InconsistentSkmoeVersionWarning) as record:
        sio.loads(data, trusted=trusted)
    assert (f"{type(model).__name__} was saved with skmoe {OTHER} and is loaded with skmoe "
            f"{skmoe.__version__}") in [str(w.message).split(":")[0] for w in record]
