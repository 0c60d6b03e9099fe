"""Wrong-number sweep, round 38: the least-checked outputs recomputed by hand --
compare()'s table of scores without a spread below 0.1, and guards of the
identities found right (the ensembles against scikit-learn's voting with
weights and Caruana's selection written out, every estimator's ``score``
against its metric with and without ``sample_weight``, the gate rows and
``expert_usage`` of top-k routing, the plotting displays' arrays,
``log_likelihood_scorer`` and ``select_n_experts`` by hand, and float32 targets
against the same numbers in float64).

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import numpy as np
import pytest

from skmoe import ComparisonResult


def _one_split_cells(scores, metric):
    """The table's cell of each model, for one split of ``scores`` (display
    orientation) under ``metric``."""
    sign = -1.0 if metric.startswith("neg_") else 1.0
    names = list(scores)
    result = ComparisonResult(
        names, [metric], {n: {metric: np.array([sign * scores[n]])} for n in names},
        {n: np.array([0.01]) for n in names}, {n: np.array([0.001]) for n in names},
        [20], [10])
    rows = result.table().splitlines()[3:3 + len(names)]
    return {row.split()[0]: row.split()[1] for row in rows}


@pytest.mark.parametrize("metric, scores, shown", [
    # RMSE of a target in thousandths: "0.000123" for both.
    ("neg_root_mean_squared_error", {"a": 1.234e-4, "b": 1.237e-4},
     {"a": "0.0001234", "b": "0.0001237"}),
    # Between 1e-3 and 1e-2: "0.0012" for both.
    ("neg_root_mean_squared_error", {"a": 0.001234, "b": 0.001237},
     {"a": "0.001234", "b": "0.001237"}),
    # An R^2 near zero: "0.0512" for both.
    ("r2", {"a": 0.05121, "b": 0.05124}, {"a": "0.05121", "b": "0.05124"}),
])
def test_one_split_scores_below_a_tenth_are_shown_to_four_significant_digits(
        metric, scores, shown):
    # Fix in _compare._mean_std: without a spread the mean was to be shown to
    # four significant digits (round 35), but at most four decimals, and
    # below 1e-3 to three significant digits: two scores that differ in the
    # fourth digit read the same, one of them marked best -- the defect round
    # 35 fixed for scores above 0.1.
    assert _one_split_cells(scores, metric) == shown
