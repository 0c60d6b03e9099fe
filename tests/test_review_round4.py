"""Review, round 4, of the code merged on 2026-12-07: false refusals and
warnings on valid input, and a warning that could not fire. Each test fails
without its fix."""

import warnings

import numpy as np
import pytest

from skmoe._cli import load_csv


@pytest.mark.parametrize("years", ["2022,2021,2020", "2020,2015,2010"])
def test_cli_a_header_of_years_newest_first_is_read(tmp_path, years):
    # A wide table, years newest first: refused as "holds numbers, not
    # column names" (only increasing whole numbers counted as names).
    path = tmp_path / "wide.csv"
    rows = "".join(f"c{i % 3},{1 + i / 10},{2 + i / 10},{3 - i / 10}\n" for i in range(12))
    path.write_text(f"country,{years}\n" + rows)
    X, y, _, _ = load_csv(str(path), one_hot=True)
    assert len(X) == len(y) == 12
    assert list(X.columns)[:2] == years.split(",")[:2]


def test_compare_random_state_unread_warns_when_it_equals_an_ensembles_own():
    # The greedy twin keeps the ensemble's own random_state; compare's was
    # unread with a splitter. Said for random_state=5 beside an ensemble's 7,
    # not beside an ensemble's 5 (the same int object: "is" took it for read).
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold

    from skmoe import EnsembleRegressor, compare

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=40)
    experts = [("ridge", Ridge()), ("mean", DummyRegressor())]
    for seed in (5, 300):
        ensemble = EnsembleRegressor(experts, random_state=seed)
        with pytest.warns(UserWarning, match=f"random_state={seed} has no effect with cv=KFold"):
            compare({"ensemble": ensemble}, X, y, cv=KFold(2), random_state=seed,
                    greedy_ensemble=True)
    # An unseeded ensemble's twin takes it: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        compare({"ensemble": EnsembleRegressor(experts)}, X, y, cv=KFold(2), random_state=5,
                greedy_ensemble=True)
