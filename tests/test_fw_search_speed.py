"""The feature-weighted classification head's penalty search: its cost and its choice."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as Logistic
from sklearn.model_selection import StratifiedKFold

from skmoe import _candidates


def _full_path(features, y):
    """3-fold log-loss of every penalty of the grid, as the search fits them."""
    full = np.zeros(len(_candidates.FW_CS))
    for train, test in StratifiedKFold(3, shuffle=True, random_state=0).split(features, y):
        model = Logistic(max_iter=300, warm_start=True)
        for j, C in enumerate(_candidates.FW_CS):
            model.set_params(C=C).fit(features[train], y[train])
            full[j] -= np.log(model.predict_proba(features[test])[np.arange(len(test)),
                                                                  y[test]]).sum()
    return full


@pytest.mark.parametrize("signal", [0.3, 1.0])
def test_penalty_search_stops_at_the_first_penalty_past_its_best(monkeypatch, signal):
    # The search walks the penalties from the most regularised and stops at
    # the first one worse than its best: the lighter penalties take the
    # solver longest, and stopping two past the best (as before) spent the
    # path's costliest fits on a penalty never chosen (round 22: the search
    # was 26 s of anes_partytherms' 81 s fit). Its choice is the full path's.
    rng = np.random.RandomState(0)
    n = 300
    features = rng.normal(size=(n, 60))                  # mostly noise: heavy penalties win
    y = (signal * features[:, 0] + rng.normal(size=n) > 0).astype(int)
    full = _full_path(features, y)
    best = int(np.argmin(full))
    assert best + 2 < len(_candidates.FW_CS)             # the old rule fitted one more
    fitted = []
    fit = Logistic.fit
    monkeypatch.setattr(Logistic, "fit", lambda self, *a, **k: (fitted.append(self.C),
                                                                 fit(self, *a, **k))[1])
    C = _candidates.LinearHead._search_C(features, y, np.ones(n))
    assert C == _candidates.FW_CS[best]
    assert sorted(set(fitted)) == list(_candidates.FW_CS[:best + 2])
    assert len(fitted) == 3 * (best + 2)
