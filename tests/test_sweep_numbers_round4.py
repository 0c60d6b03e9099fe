"""Round 4 of the sweep for wrong numbers: outputs computed wrongly although
they look fine. Each test fails without its fix."""

import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression

from skmoe import MixtureOfExpertsRegressor
from skmoe._routing import ExpertCollapseWarning
from skmoe.datasets import make_regimes


def _collapsing_em(cv, experts, random_state, threshold):
    X, y = make_regimes(n_samples=300, random_state=0)
    moe = MixtureOfExpertsRegressor(
        experts, training="em", cv=cv, collapse_threshold=threshold, collapse_patience=1,
        collapse_action="drop", max_iter=30, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExpertCollapseWarning)
        return moe.fit(X, y), X, y


def test_exact_em_after_a_drop_reports_the_likelihood_of_the_experts_kept():
    # Exact EM (cv=None): log_likelihood_ is the mean log-likelihood of the
    # training rows under the fitted mixture. An iteration that dropped an
    # expert kept the likelihood of the mixture before the drop (-2.351 per
    # row, with 'd'), reported it for the mixture without it (-3.840), and
    # made it the bar the next iterations had to beat (EM stopped there).
    experts = [("lin", LinearRegression()), ("d", DummyRegressor()),
               ("d2", DummyRegressor(strategy="median"))]
    moe, X, y = _collapsing_em(None, experts, random_state=3, threshold=0.3)
    assert len(moe.expert_names_) < 3           # an expert was dropped
    assert moe.log_likelihood_ == pytest.approx(
        moe.log_likelihood_samples(X, y).mean(), abs=1e-9)
    # The shares and the likelihood the history shows are of one mixture.
    last_drop = max(i for i, h in enumerate(moe.history_) if h["collapsed"])
    assert len(moe.history_[last_drop]["expert_share"]) == len(moe.expert_names_)


def test_cross_fitted_em_dropping_at_the_constant_start_fits():
    # Cross-fitted EM starts from the experts' constant blend; an expert
    # dropped at that iteration left the blend's weights for every expert,
    # and the final gate was set from them: "The size of tensor a (2) must
    # match the size of tensor b (4)" after the whole fit.
    experts = [("lin", LinearRegression()), ("lin2", LinearRegression()),
               ("d", DummyRegressor()), ("d2", DummyRegressor(strategy="median"))]
    moe, X, y = _collapsing_em("auto", experts, random_state=0, threshold=0.1)
    assert len(moe.expert_names_) < 4
    gate = moe.predict_gate(X)
    assert gate.shape == (len(X), len(moe.expert_names_))
    np.testing.assert_allclose(gate.sum(axis=1), 1.0)
    assert np.all(np.isfinite(moe.log_likelihood_samples(X, y)))


def test_multi_task_early_stopping_validates_on_rows_of_weight():
    # Rows of zero weight are kept in the multi-task network's minibatches;
    # with early_stopping the validation rows were drawn from all rows, and
    # here every one of them had weight zero: a validation loss of exactly
    # 0.0 at every epoch, and training stopped after n_iter_no_change + 1
    # epochs with the first epoch's network. The rows of positive weight
    # are split instead, as the torch MLP expert splits them.
    from skmoe import MultiGateMixtureOfExperts
    from skmoe.datasets import make_mmoe_tasks
    X, Y = make_mmoe_tasks(n_samples=400, n_features=5, random_state=0)
    sample_weight = np.zeros(len(X))
    sample_weight[np.random.RandomState(9).choice(len(X), 15, replace=False)] = 1.0
    mmoe = MultiGateMixtureOfExperts(early_stopping=True, max_iter=15, n_iter_no_change=3,
                                     random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (stopped at max_iter)
        mmoe.fit(X, Y, sample_weight=sample_weight)
    assert min(mmoe.validation_loss_curve_) > 0.1


def _frozen_curves(make, X, y, sample_weight):
    """Training-loss curves of a network that does not move (learning rate
    1e-30), fitted in minibatches of 16 rows and in one batch."""
    curves = []
    for batch_size in (16, 10_000):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            curves.append(make(batch_size).fit(X, y, sample_weight=sample_weight))
    return curves


def test_multi_task_loss_curve_is_the_weighted_training_loss():
    # loss_curve_ is documented as the weighted training loss per epoch. It
    # averaged the minibatches' weighted means by their numbers of rows: with
    # a network that does not move, minibatches of 16 rows reported 2.085,
    # 2.461 and 2.428 over three epochs, where the one-batch (exact) weighted
    # loss is 2.242 at every epoch. Without early stopping it is the curve
    # training stops on.
    from skmoe import MultiGateMixtureOfExperts
    from skmoe.datasets import make_mmoe_tasks
    X, Y = make_mmoe_tasks(n_samples=200, n_features=5, random_state=0)
    sample_weight = np.random.RandomState(0).exponential(size=len(X)) ** 3
    small, whole = _frozen_curves(
        lambda b: MultiGateMixtureOfExperts(learning_rate=1e-30, batch_size=b, max_iter=3,
                                            n_iter_no_change=5, random_state=0),
        X, Y, sample_weight)
    np.testing.assert_allclose(small.loss_curve_, whole.loss_curve_, rtol=1e-5)


def test_torch_mlp_history_train_loss_is_the_weighted_training_loss():
    # The same for the torch MLP expert's history_ (its monitored loss
    # without early stopping): 0.351, 0.474, 0.395 against 0.331.
    from skmoe.experts import TorchMLPRegressor
    X, y = make_regimes(n_samples=200, random_state=0)
    sample_weight = np.random.RandomState(0).exponential(size=len(X)) ** 3
    small, whole = _frozen_curves(
        lambda b: TorchMLPRegressor(learning_rate=1e-30, batch_size=b, max_epochs=3,
                                    early_stopping=False, random_state=0),
        X, y, sample_weight)
    np.testing.assert_allclose([h["train_loss"] for h in small.history_],
                               [h["train_loss"] for h in whole.history_], rtol=1e-5)


def test_stacked_gate_history_train_loss_is_the_weighted_training_loss():
    # The stacked gate's history_ (train_loss: the mean over the fold gates
    # of each one's weighted training loss) counted each minibatch by its rows:
    # 0.0223, 0.0208, 0.0217 over three epochs of a gate that does not move,
    # whose weighted loss is 0.0189 at every epoch.
    from sklearn.tree import DecisionTreeRegressor
    X, y = make_regimes(n_samples=200, random_state=0)
    sample_weight = np.random.RandomState(0).exponential(size=len(X)) ** 3
    experts = [("lin", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    small, whole = _frozen_curves(
        lambda b: MixtureOfExpertsRegressor(experts, learning_rate=1e-30, batch_size=b,
                                            max_epochs=3, random_state=0),
        X, y, sample_weight)
    np.testing.assert_allclose([h["train_loss"] for h in small.history_],
                               [h["train_loss"] for h in whole.history_], rtol=1e-5)
