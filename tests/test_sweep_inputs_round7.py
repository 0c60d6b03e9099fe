"""Bad-input sweep, round 7: multi-task score, hierarchical mixtures,
persistence, inspection and the datasets module."""

import warnings

import numpy as np
import pandas as pd
import pytest

from skmoe import MultiGateMixtureOfExperts


def _tiny_mmoe(**kwargs):
    return MultiGateMixtureOfExperts(n_experts=2, expert_units=4, tower_hidden_layer_sizes=(4,),
                                     max_iter=3, random_state=0, **kwargs)


def _two_task_rows(n=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, pd.DataFrame({"price": X[:, 0], "sold": np.where(X[:, 1] > 0, "yes", "no")})


def test_multitask_score_names_missing_labels_and_labels_of_another_type():
    # A missing label, or 0/1 against the classes 'no'/'yes', counted as a
    # wrong prediction without a word; a classifier's score refuses both.
    X, Y = _two_task_rows()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _tiny_mmoe(tasks=["regression", "binary"]).fit(X, Y)
    clean = model.score(X, Y)
    assert clean == model.score(X, Y.astype({"sold": object}))
    with pytest.raises(ValueError, match="task 1 has 1 missing class label"):
        model.score(X, Y.assign(sold=Y["sold"].where(Y.index != 3, None)))
    with pytest.raises(ValueError, match="Task 1 is a classification task: Mix of label"):
        model.score(X, Y.assign(sold=(Y["sold"] == "yes").astype(int)))
    with pytest.raises(ValueError, match="Task 0 is a regression task but its column"):
        model.score(X, Y.assign(price="high"))


def test_make_mmoe_tasks_refuses_a_flag_as_correlation():
    # bool is a number to Python: correlation=True made the two tasks equal.
    from skmoe.datasets import make_mmoe_tasks
    with pytest.raises(ValueError, match="'correlation' parameter .* Got True"):
        make_mmoe_tasks(10, 3, correlation=True)
    with pytest.raises(ValueError, match="correlation must be in"):
        make_mmoe_tasks(10, 3, correlation=1.5)
    assert make_mmoe_tasks(10, 3, correlation=np.float32(0.5))[1].shape == (10, 2)


@pytest.mark.parametrize("alpha", [["a", "b"], [1j, 2.0]], ids=["words", "complex"])
def test_make_mmoe_tasks_names_alpha_that_is_not_numbers(alpha):
    # numpy's bare "could not convert string to float" or a TypeError about
    # complex, naming neither alpha nor beta (since round 1 of the datasets
    # sweep the message names the one at fault).
    from skmoe.datasets import make_mmoe_tasks
    with pytest.raises(ValueError, match="alpha must be an array of real numbers"):
        make_mmoe_tasks(10, 3, n_sines=2, alpha=alpha)


def test_task_weights_labelled_by_the_columns_of_y_in_another_order_are_named():
    # Read by position: the weight labelled 'sold' went to 'price', silently.
    X, Y = _two_task_rows()
    weights = pd.Series({"sold": 5.0, "price": 1.0})
    with pytest.raises(ValueError, match=r"task_weights is labelled \['sold', 'price'\]"):
        _tiny_mmoe(tasks=["regression", "binary"], task_weights=weights).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _tiny_mmoe(tasks=["regression", "binary"],
                           task_weights=weights[Y.columns]).fit(X, Y)
    np.testing.assert_array_equal(model.task_weights_, [1.0, 5.0])


def test_pickling_a_mixture_names_the_rule_expert_it_cannot_store():
    # Of two lambda rules, pickle's message named a '<lambda>', not which expert.
    import copy
    import pickle

    import cloudpickle

    from skmoe import MixtureOfExpertsRegressor, RuleExpert
    X, Y = _two_task_rows()
    y = Y["price"].to_numpy()
    model = MixtureOfExpertsRegressor(
        [("first", RuleExpert(lambda X: X[:, 0])), ("second", RuleExpert(lambda X: -X[:, 0]))],
        max_epochs=2, random_state=0).fit(X, y)
    with pytest.raises(pickle.PicklingError, match="Expert 'first' .* of MixtureOfExperts"):
        pickle.dumps(model)
    # A copy, and cloudpickle (parallel fits), still take the lambdas as they are.
    np.testing.assert_array_equal(copy.deepcopy(model).predict(X), model.predict(X))
    np.testing.assert_array_equal(cloudpickle.loads(cloudpickle.dumps(model)).predict(X),
                                  model.predict(X))


@pytest.mark.parametrize("schema", ["not json", "[1, 2]", '{"a": 1}'],
                         ids=["not-json", "a-list", "no-protocol"])
def test_untrusted_types_names_a_zip_whose_schema_is_not_skops(schema):
    # A zip archive with a schema.json of another tool stopped with a bare
    # JSONDecodeError, "'list' object has no attribute 'get'", or a TypeError.
    import io
    import zipfile

    pytest.importorskip("skops")
    from skmoe.persistence import untrusted_types
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", schema)
    with pytest.raises(ValueError, match="data is not a model saved by skops"):
        untrusted_types(buffer.getvalue())
