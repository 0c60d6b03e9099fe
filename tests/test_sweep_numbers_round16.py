"""Sweep round 16 for wrong numbers: figures and docstrings checked by hand."""

import numpy as np
import pytest


def test_heterogeneous_mmoe_probabilities_are_the_smoothed_indicator_predictions():
    # The Notes said a tree's predictions of a task's class indicators give
    # "exact class frequencies"; every column is given 1e-4 before they are
    # renormalised (INDICATOR_SMOOTHING), so a class a leaf never saw has
    # about 1e-4 / (1 + C 1e-4), not 0. By hand from the gates and the experts.
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor

    from skmoe import HeterogeneousMultiGateMixtureOfExperts

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    Y = np.column_stack([X[:, 0] + 0.1 * rng.normal(size=120),
                         np.digitize(X[:, 1], [-0.5, 0.5])])        # 3 classes
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))],
        tasks=["regression", "multiclass"], max_iter=20, random_state=0).fit(X, Y)
    G = model.predict_gate(X)[:, 1]                                  # (n, experts)
    each = []
    for expert in model.experts_:
        indicators = np.maximum(expert.predict(X)[:, 1:4], 0.0) + 1e-4
        each.append(indicators / indicators.sum(axis=1, keepdims=True))
    by_hand = np.einsum("ne,enc->nc", G, np.stack(each))
    np.testing.assert_allclose(model.predict_proba(X)[1], by_hand, rtol=0, atol=1e-12)
    tree = each[1]
    assert tree.min() == pytest.approx(1e-4 / (1 + 3e-4), rel=1e-9)   # a leaf without it
    doc = " ".join(HeterogeneousMultiGateMixtureOfExperts.__doc__.split())
    assert ("clipped at zero, given ``1e-4`` each (additive smoothing, so that no class an "
            "expert has not seen gets probability 0) and renormalised into probabilities: "
            "trees, forests and k-NN give their class frequencies so smoothed") in doc


def test_unseen_category_of_a_column_without_an_infrequent_one_is_all_zeros():
    # The docstring said categories first seen at prediction share the
    # "infrequent" column; a column of fewer categories than max_categories
    # has none, and OneHotEncoder gives such a category 0 in every column.
    import pandas as pd
    from numpy.testing import assert_array_equal

    from skmoe import AutoGateTransformer

    X = pd.DataFrame({"c": list("aabbbcd")})                # 4 categories
    new = pd.DataFrame({"c": ["new", "d"]})
    few = AutoGateTransformer(max_categories=5).fit(X)
    assert_array_equal(few.get_feature_names_out(), ["c_a", "c_b", "c_c", "c_d"])
    assert_array_equal(few.transform(new), [[0, 0, 0, 0], [0, 0, 0, 1]])
    many = AutoGateTransformer(max_categories=4).fit(X)     # 4 or more: 3 + infrequent
    assert_array_equal(many.transform(new)[:, -1], [1, 0])
    assert many.get_feature_names_out()[-1] == "c_infrequent_sklearn"
    doc = " ".join(AutoGateTransformer.__doc__.split())
    assert ("a column of ``max_categories`` categories or more gives its ``max_categories - "
            "1`` most frequent ones a column each and the rarer ones (and categories first "
            "seen at prediction) one \"infrequent\" column; in a column of fewer, every "
            "category has its own column and a category first seen at prediction is 0 in "
            "all of them.") in doc
