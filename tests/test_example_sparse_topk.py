"""The sparse top-k example routes rows to several experts.

``examples/plot_sparse_topk.py`` showcases top-1 routing; its settings must
make the top-1 gate spread the rows over the experts, not send them all to
one (which is what cross-fitted EM from the uniform start does on its data).
The test reads the example's ``experts`` and ``options`` from its source, so
that it follows the example if it changes, and fits them on fewer rows.
"""

import ast
import os
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import root_mean_squared_error

from skmoe import EnsembleRegressor, MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes

pytest.importorskip("lightgbm")

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "examples", "plot_sparse_topk.py")


def example_settings():
    """The example's ``experts`` list and ``options`` dict, built from its source.

    Runs only the example's top-level imports and those two assignments.
    """
    with open(EXAMPLE, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    wanted = {"experts", "options"}
    body = [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))
            or (isinstance(node, ast.Assign)
                and {getattr(t, "id", None) for t in node.targets} & wanted)]
    assigned = {t.id for node in body if isinstance(node, ast.Assign) for t in node.targets}
    assert assigned == wanted, f"the example no longer assigns {wanted - assigned}"
    namespace = {}
    exec(compile(ast.Module(body=body, type_ignores=[]), EXAMPLE, "exec"), namespace)
    return namespace["experts"], namespace["options"]


def test_example_settings_route_top1_to_several_experts():
    experts, options = example_settings()
    X, y = make_regimes(n_samples=1000, random_state=0)
    X_test, y_test = make_regimes(n_samples=1000, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        top1 = MixtureOfExpertsRegressor(experts, top_k=1, **options).fit(X, y)
        dense = MixtureOfExpertsRegressor(experts, **options).fit(X, y)
    ensemble = EnsembleRegressor(experts).fit(X, y)

    usage = top1.expert_usage(X)
    np.testing.assert_allclose(usage.sum(), 1.0)
    # Rows are routed: at least two experts each get 10 % of them (measured:
    # all four get 19-33 % on five seeds of 500 and 1,000 rows).
    assert np.sum(usage >= 0.1) >= 2, dict(zip(top1.expert_names_, usage))
    assert usage.max() <= 0.9, dict(zip(top1.expert_names_, usage))

    # ... at about the dense mixture's accuracy, far better than the ensemble.
    rmse = {name: root_mean_squared_error(y_test, model.predict(X_test))
            for name, model in [("top1", top1), ("dense", dense), ("ensemble", ensemble)]}
    assert rmse["top1"] <= 1.15 * rmse["dense"], rmse
    assert rmse["top1"] < 0.5 * rmse["ensemble"], rmse
