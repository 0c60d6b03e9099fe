"""Configuration sweep, round 25: combinations of parameters that each work
alone, on every public estimator.

Found: EM's ``ExpertCollapseWarning`` was given by every restart of
``n_init``, the restarts not kept included: ``n_init=2`` with
``collapse_action='drop'`` warned "Expert(s) ['expert2'] ...; action: drop"
of a restart whose fit was discarded, while the model returned kept all its
experts. With ``n_jobs`` above 1 as well (parallel restarts), the warnings
were given in joblib's worker processes: printed on stderr, out of reach of
the caller's ``catch_warnings`` and warning filters.

``validation_fraction=0`` with the joint trainer (``training='gradient'``
with ``top_k`` or torch experts) stopped on the training loss (a top-1
mixture of fixed experts after 14 of ``max_epochs=30``), where the docs say
that 0 trains for ``max_epochs`` on all rows and fit warned that
``n_iter_no_change`` had no effect there: ``tol=10`` with
``n_iter_no_change=1`` stopped after 2 epochs, another fit. And ``tol``,
which the gradient trainers read on held-out rows alone, was taken without a
word there (``tol=10`` gave the default's fit) where ``n_iter_no_change``
warned.
Where too few rows leave none held out (two rows: ``validation_fraction``
holds out one at least and leaves two), the joint trainer's
``ConvergenceWarning`` spoke of a "validation loss still improving" that no
row had.

``n_experts`` copies of a deterministic estimator (Ridge) under
``training='gradient'`` with ``top_k`` or ``cv=None`` (the joint trainer)
are identical fits: the mixture predicted as one Ridge to the last digit,
and the routing settings had no effect, without a word (``training='auto'``
picks EM for them, which fits each copy on rows of its own).

Probed without a defect: ``random_state`` as one ``RandomState`` reused by
two fits of every public estimator (the second fit differs, the first
equals a fresh instance's); ``cv`` as an int, ``KFold``, ``PredefinedSplit``,
a list of splits and a generator with ``n_init`` 1 and 2 under both
trainers, ``refit_experts`` True/False/0.5 with each, ``ShuffleSplit``
refused by name; ``GroupKFold``/``LeaveOneGroupOut`` with ``fit(groups=)``
with and without metadata routing, in ``GridSearchCV`` with
``set_fit_request(groups=True)``, splits that put a group on both sides
refused, ``cv=None`` warned; ``top_k`` equal to the pool, above it, with
experts set to 'drop' (counted out), with ``collapse_action='drop'``;
``max_iter=1``, ``tol=0``, tiny and huge ``validation_fraction`` with
``early_stopping`` on HME, MMoE (every architecture), TorchMLP and the
mixtures; nested gate ``set_params`` then refit, ``clone`` and pickling
between fits; HME ``n_init`` with ``early_stopping`` and ``n_jobs``, gate
solvers and options; MMoE/HMMoE ``task_weights`` with ``sample_weight``,
``predict_gate``/``predict_proba`` per architecture; ``CrossFitAverage``
weights and ``n_classes`` of every bad kind; ``select_n_experts`` over
``top_k``, branching, gate sizes, every ``cv`` kind; ``compare()`` with
``groups``, ``sample_weight``, ``greedy_ensemble``, a ``RandomState`` and
``RepeatedKFold``, models whose ``cv`` is a list of splits (refused by
name); the CLI's trainer-only flags, ``--groups`` with ``--drop`` and
``--target``, too few groups for ``--cv``.
"""

import warnings

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from skmoe import (ExpertCollapseWarning, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, TorchMLPRegressor)
from skmoe.datasets import make_regimes


def _collapse_fit(n_experts, max_iter, n_jobs):
    X, y = make_regimes(n_samples=60, random_state=0)
    model = MixtureOfExpertsClassifier(
        LogisticRegression(), n_experts=n_experts, training="em", cv=None, top_k=2,
        max_iter=max_iter, n_init=2, n_jobs=n_jobs, collapse_threshold=0.1,
        collapse_action="drop", collapse_patience=1, random_state=0)
    # (Threads: loky's worker processes take seconds to start. The restarts
    # of n_jobs=2 ran there, and their warnings never reached this block.)
    with warnings.catch_warnings(record=True) as caught, parallel_backend("threading"):
        warnings.simplefilter("always")
        model.fit(X, (y > np.median(y)).astype(int))
    return model, [str(w.message) for w in caught
                   if issubclass(w.category, ExpertCollapseWarning)]


@pytest.mark.parametrize("n_jobs", [None, 2])
@pytest.mark.parametrize("n_experts, max_iter", [(4, 3), (6, 5)])
def test_collapse_warnings_are_those_of_the_restart_kept(n_experts, max_iter, n_jobs):
    # (4, 3): the restart kept dropped no expert, the other dropped expert2
    # and said so; (6, 5): the kept one dropped expert3, the other expert0,
    # and both were warned of (none, with n_jobs=2).
    model, messages = _collapse_fit(n_experts, max_iter, n_jobs)
    events = [step["collapsed"] for step in model.history_ if step["collapsed"]]
    assert len(messages) == len(events)
    for message, names in zip(messages, events):
        assert message.startswith(f"Expert(s) {names} ")
        assert not set(names) & set(model.expert_names_)   # dropped, as it says
    assert len(model.expert_names_) == n_experts - sum(map(len, events))


@pytest.mark.parametrize("experts, top_k", [
    ([("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3))], 1),
    ([("a", TorchMLPRegressor(hidden_layer_sizes=(8,))),
      ("b", TorchMLPRegressor(hidden_layer_sizes=(4,)))], None)])
def test_joint_training_without_held_out_rows_runs_max_epochs(experts, top_k):
    X, y = make_regimes(n_samples=120, random_state=0)
    params = dict(training="gradient", top_k=top_k, validation_fraction=0.0,
                  max_epochs=30, random_state=0)
    model = MixtureOfExpertsRegressor(experts, **params).fit(X, y)
    assert model.n_iter_ == 30 and len(model.history_) == 30
    # The stopping rule reads held-out rows only: with none, tol and
    # n_iter_no_change (which fit says has no effect) leave the fit as it is.
    with pytest.warns(UserWarning, match="n_iter_no_change=1 has no effect"):
        other = MixtureOfExpertsRegressor(experts, tol=10.0, n_iter_no_change=1,
                                          **params).fit(X, y)
    assert other.n_iter_ == 30
    np.testing.assert_array_equal(other.predict(X), model.predict(X))


def test_tol_without_held_out_rows_warns_under_gradient_training():
    X, y = make_regimes(n_samples=80, random_state=0)
    experts = [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3))]
    params = dict(training="gradient", validation_fraction=0.0, max_epochs=5,
                  random_state=0)
    with pytest.warns(UserWarning, match=r"^tol=10\.0 has no effect with "
                      r"validation_fraction=0\.0 and training='gradient'"):
        model = MixtureOfExpertsRegressor(experts, tol=10.0, **params).fit(X, y)
    default = MixtureOfExpertsRegressor(experts, **params).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), default.predict(X))
    # Not where it is read: EM's threshold, or early stopping on held-out rows.
    for other in (dict(params, training="em", validation_fraction=0.1),
                  dict(params, validation_fraction=0.2)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            MixtureOfExpertsRegressor(experts, tol=10.0, **other).fit(X, y)
        assert not [w for w in caught if str(w.message).startswith("tol=")]


def test_no_validation_convergence_warning_without_held_out_rows():
    X, y = np.array([[0.0], [1.0]]), np.array([0.0, 1.0])
    experts = [("a", TorchMLPRegressor(hidden_layer_sizes=(4,))),
               ("b", TorchMLPRegressor(hidden_layer_sizes=(3,)))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MixtureOfExpertsRegressor(experts, training="gradient", max_epochs=5,
                                          random_state=0).fit(X, y)
    assert "validation_loss" not in model.history_[-1] and model.n_iter_ == 5
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("params", [dict(top_k=1), dict(cv=None)])
def test_identical_experts_under_joint_training_warn(params):
    X, y = make_regimes(n_samples=80, random_state=0)
    with pytest.warns(UserWarning, match=r"^The experts \['expert0', 'expert1', "
                      r"'expert2'\] gave the same predictions on every row") as record:
        model = MixtureOfExpertsRegressor(Ridge(), n_experts=3, training="gradient",
                                          max_epochs=5, random_state=0, **params).fit(X, y)
    assert any(w.filename == __file__ for w in record
               if str(w.message).startswith("The experts"))
    np.testing.assert_allclose(model.predict(X), Ridge().fit(X, y).predict(X), atol=1e-9)
    # Experts that differ: no such warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MixtureOfExpertsRegressor([("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3))],
                                  training="gradient", max_epochs=5, random_state=0,
                                  **params).fit(X, y)
    assert not [w for w in caught if str(w.message).startswith("The experts")]
