"""Bad-input sweep, round 29: inputs at prediction and data shapes at the
edges, across the single-target mixtures and ensembles, the hierarchical and
multi-task mixtures, CrossFitAverage and the torch experts.

Each test fails without the fix it names.
"""

import numpy as np
import pandas as pd
import pytest

from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor


# -- the torch experts read a frame's columns by position -----------------------------
@pytest.mark.parametrize("Model", [TorchMLPRegressor, TorchMLPClassifier])
def test_torch_experts_refuse_integer_labelled_columns_in_another_order(Model):
    # Labels 0, 1, 2 are no feature names that scikit-learn checks: X[[2, 1, 0]]
    # was predicted from swapped features without a word (the mixtures, the
    # multi-task mixtures and RuleExpert refuse it).
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(20, 3))
    y = X[0].to_numpy() if Model is TorchMLPRegressor else (X[0] > 0).astype(int)
    model = Model((4,), max_epochs=2, device="cpu", random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"another order \(\[2, 1, 0\]; in fit: \[0, 1, 2\]\)"
                                         r".*the network reads the columns by position"):
        model.predict(X[[2, 1, 0]])
    # The same columns in their order, an array, and another frame's own labels pass.
    assert model.predict(X).shape == (20,)
    assert model.predict(X.to_numpy()).shape == (20,)
    assert model.predict(X.set_axis([5, 6, 7], axis=1)).shape == (20,)
