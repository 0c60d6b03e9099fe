"""Bad-input sweep, round 52: inputs at predict time.

Probed (no defect found unless a test below names it): each public estimator
(the mixtures with gradient, EM and top_k=1 training, the ensembles (mean and
greedy), the hierarchical mixtures, the torch experts, the multi-task mixtures
(MMoE and heterogeneous) and CrossFitAverage), fitted on float64 X, then given
at predict, predict_proba, predict_log_proba, predict_gate, predict_experts,
log_likelihood_samples, score, predict(..., return_std=True) and bic/aic:
float32, int, bool and object-of-numbers X (the same predictions where the
values are the same); a DataFrame after an array fit and an array after a
DataFrame fit (scikit-learn's feature-name warnings, the same predictions); a
frame with renamed, reordered, missing or extra columns (scikit-learn's
feature-name errors); a polars frame (the same predictions, a reordered one
refused); a category unseen at fit, None and NaN in a category, object or
string column, with OneHotEncoder(handle_unknown='ignore') experts (the
other rows' predictions unchanged) and without (the expert named, the unseen
category named); NaN where fit had none (HistGradientBoosting experts alone:
predicted, no NaN out; beside Ridge: refused naming Ridge and the columns);
inf (refused); 1e300 (predictions as Ridge gives them, bic/aic inf); a
sparse matrix after a dense fit (the expert that refuses it named); zero
rows (refused as scikit-learn does), one row, a 1-D X (scikit-learn's
reshape error), a list of lists, torch tensors (float64; one requiring grad
refused by name), a read-only array and non-contiguous views (X[:, ::-1],
X.T.copy().T): the same predictions, the caller's X never modified.

Left as they are: a polars frame reaches the experts as a numpy array (the
design of check_X_for_experts, which round 45 pinned), so an expert that
selects columns by name cannot read it, at fit or at predict, where a plain
scikit-learn Pipeline reads it; handing the experts X.to_pandas() instead
would change the gate's view of polars text columns, a decision for the
maintainers. Its error is now named (below).

Rows of 1e300, -1e300, 1e308 and 3e38 at predict: trees refuse them (float32,
named), Ridge experts' inf is refused naming the expert, the rows and the
column, the torch experts and MMoE stay finite; the heterogeneous multi-task
mixture returned inf (fixed, below).

Each test here failed before the fix it names, but for
test_the_hetero_mixture_does_not_advise_to_pandas_which_cures_nothing_there:
a guard on that fix (the heterogeneous mixture's own hint stays alone).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from skmoe import (EnsembleRegressor, HeterogeneousMultiGateMixtureOfExperts,
                   HierarchicalMixtureRegressor, MixtureOfExpertsRegressor)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning",
                                        "ignore:The gate did not converge")

MODELS = [
    lambda e: MixtureOfExpertsRegressor(e, training="em", max_iter=2, random_state=0),
    lambda e: MixtureOfExpertsRegressor(e, max_epochs=2, random_state=0),
    lambda e: EnsembleRegressor(e),
    lambda e: HierarchicalMixtureRegressor(e, branching=2, max_iter=2, random_state=0),
]
IDS = ["em", "gradient", "ensemble", "hierarchical"]


def _frame_and_experts():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    y = 2 * X["a"].to_numpy() + rng.normal(0, 0.1, 40)
    # An expert that reads column 'b' by name, as a ColumnTransformer does.
    by_name = make_pipeline(make_column_transformer(("passthrough", ["b"])), Ridge())
    return X, y, [("by_name", by_name), ("ridge", Ridge())]


@pytest.mark.parametrize("make", MODELS, ids=IDS)
def test_a_polars_frame_at_predict_is_named_for_an_expert_reading_columns_by_name(make):
    # Fitted on a pandas frame, given the same columns as a polars frame: the
    # experts get it as an array, and the error told the user "X here is a
    # ndarray without column names: pass a DataFrame ..., e.g.
    # pd.DataFrame(X, columns=model.feature_names_in_)", although X was a data
    # frame with the very columns of fit. (A plain Pipeline reads it.)
    pl = pytest.importorskip("polars")
    X, y, experts = _frame_and_experts()
    model = make(experts).fit(X, y)
    with pytest.raises(ValueError, match=r"Expert 'by_name' \(Pipeline\) failed in predict: "
                                         r".*a polars frame reaches the experts too.*"
                                         r"X\.to_pandas\(\) for a polars frame"):
        model.predict(pl.from_pandas(X))
    # What the message advises works.
    np.testing.assert_allclose(model.predict(pl.from_pandas(X).to_pandas()), model.predict(X))


@pytest.mark.parametrize("make", MODELS, ids=IDS)
def test_a_polars_frame_at_fit_is_named_for_an_expert_reading_columns_by_name(make):
    # At fit the error was scikit-learn's bare "Specifying the columns using
    # strings is only supported for dataframes", though X was a data frame.
    pl = pytest.importorskip("polars")
    X, y, experts = _frame_and_experts()
    with pytest.raises(ValueError, match=r"Expert 'by_name' \(Pipeline\) failed to fit: "
                                         r"Specifying the columns using strings is only "
                                         r"supported for dataframes\. \(the experts get X as a "
                                         r"numpy array .* a polars frame too\. Pass "
                                         r"X\.to_pandas\(\)"):
        make(experts).fit(pl.from_pandas(X), y)


def test_the_hetero_mixture_does_not_advise_to_pandas_which_cures_nothing_there():
    # Its experts get every X as an array, a pandas frame too: the single-task
    # hint (X.to_pandas()) must not join its own (guards the fix above).
    X, y, experts = _frame_and_experts()
    with pytest.raises(ValueError) as info:
        HeterogeneousMultiGateMixtureOfExperts(experts, max_iter=2, random_state=0).fit(
            X, np.c_[y, y])
    assert "to_pandas" not in str(info.value)
    assert "select columns by position" in str(info.value)


def test_hetero_multitask_prediction_overflowing_to_inf_is_refused_by_name():
    # The experts predict the standardised targets: at X = 1e308 (finite,
    # checked) theirs were near 1e308, and y's scale made them inf, which
    # predict returned without a word (the single-task mixtures refuse an
    # expert's inf, naming the rows and the column of huge values).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = 10 * X[:, 0] + rng.normal(0, 0.1, 40)
    model = HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge()), ("ridge30", Ridge(alpha=30.0))], max_iter=2,
        random_state=0).fit(X, np.c_[y, y])
    huge = np.array([[1e300, 0.0, 0.0], [1e308, -1e308, 1e308]])
    with pytest.raises(ValueError, match=r"task 0 overflow to infinity on 1 of 2 rows "
                                         r"\(first: 1;.*column 0 reaches 1e\+308"):
        model.predict(huge)
    with pytest.raises(ValueError, match="overflow to infinity"):
        model.score(huge, np.zeros((2, 2)))
    # A finite prediction of 1e300 is still given (as Ridge gives it).
    assert np.all(np.isfinite(model.predict(huge[:1])))
