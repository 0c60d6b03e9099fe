"""Wrong-numbers sweep, round 23: options that should change nothing, and
fitted figures against what happened, each against an independent computation.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

from skmoe import ExpertCollapseWarning, MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes


def _regimes_experts(n_experts=3):
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0)),
               ("knn", KNeighborsRegressor(5))]
    return experts[:n_experts]


def _fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


@pytest.mark.parametrize("n_experts, action", [(3, "warn"), (2, "drop")])
def test_a_collapse_that_is_only_warned_of_fits_what_no_collapse_check_fits(n_experts, action):
    # collapse_action='warn' "only warns" (so does 'drop' where it would leave
    # fewer than two experts), but every warning also threw away EM's best
    # iteration as if the experts had been re-initialised: cross-fitted EM
    # never met its stopping rule, ran to max_iter (30 iterations, not 2) and
    # kept its last iteration, not its best (log_likelihood_ -1.6117 against
    # -1.6372, predictions up to 5.2 apart on make_regimes' 300 rows).
    X, y = make_regimes(n_samples=300, random_state=0)
    settings = dict(training="em", max_iter=30, random_state=0)
    plain = _fit_quietly(MixtureOfExpertsRegressor(_regimes_experts(n_experts), **settings),
                         X, y)
    # A threshold above 1/n_experts makes the check fire at every iteration,
    # the point here; fit now also says so (round 6 of the leftovers; under
    # 'drop', of the smallest pool it keeps: round 7).
    with pytest.warns(ExpertCollapseWarning, match=r"action: warn"), \
            pytest.warns(UserWarning, match=r"at or above 1/(n_experts|the smallest pool)"):
        warned = MixtureOfExpertsRegressor(
            _regimes_experts(n_experts), collapse_threshold=0.6 if n_experts == 2 else 0.34,
            collapse_action=action, collapse_patience=1, **settings).fit(X, y)
    # The check ran: some expert was below the threshold at every iteration.
    assert all(h["collapsed"] for h in warned.history_)
    assert warned.expert_names_ == plain.expert_names_
    assert warned.n_iter_ == plain.n_iter_ < settings["max_iter"]
    assert warned.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=0, abs=1e-12)
    assert_allclose(warned.predict(X), plain.predict(X), rtol=0, atol=1e-9)


@pytest.mark.parametrize("share, flag", [(1.0, True), (0, False)])
def test_guard_refit_experts_shares_one_and_zero_are_true_and_false(share, flag):
    # refit_experts: "a share s between 0 and 1 ... (0 is False, 1 is True)":
    # the same deployed experts (the refit alone, or the fold fits equally
    # weighted), hence the same predictions and figures.
    from skmoe import CrossFitAverage
    X, y = make_regimes(n_samples=200, random_state=0)
    fits = [_fit_quietly(MixtureOfExpertsRegressor(_regimes_experts(2), refit_experts=value,
                                                   max_epochs=20, random_state=0), X, y)
            for value in (share, flag)]
    for expert in fits[0].experts_:
        assert isinstance(expert, CrossFitAverage) is (not flag)
        assert getattr(expert, "weights", None) is None
    assert_allclose(fits[0].predict(X), fits[1].predict(X), rtol=0, atol=0)
    assert fits[0].log_likelihood_ == fits[1].log_likelihood_
