"""Wrong-numbers sweep, round 24: what the frames over the caller's memory,
the warnings given once, the collapse handling, the joint trainer's
classification likelihood and ``fit(groups=...)`` changed.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skmoe import EnsembleRegressor, HierarchicalMixtureRegressor, MixtureOfExpertsRegressor
from skmoe._data import read_only_view
from skmoe.datasets import make_regimes


def _fit_quietly(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y, **fit_params)


class _FlagSetter(RegressorMixin, BaseEstimator):
    """An expert that sets its X writeable again and writes into it."""

    def fit(self, X, y, sample_weight=None):
        data = X.data if sp.issparse(X) else X
        data.flags.writeable = True
        data[...] = 0
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _lockable_inputs():
    X = np.random.default_rng(0).normal(size=(40, 3))
    return {"dense": X, "fortran": np.asfortranarray(X), "strided": X[::2, ::2],
            "csr": sp.csr_matrix(X), "csc": sp.csc_array(X)}


@pytest.mark.parametrize("kind", ["dense", "fortran", "strided", "csr", "csc"])
def test_read_only_view_is_the_same_memory_and_its_flag_cannot_be_set_back(kind):
    # read_only_view gave X.view() with the writeable flag off (sparse: its
    # data, indices and indptr likewise); an expert could set the flag back
    # (X.flags.writeable = True) and write into the caller's X.
    X = _lockable_inputs()[kind]
    view = read_only_view(X)
    arrays = ([(view.data, X.data), (view.indices, X.indices), (view.indptr, X.indptr)]
              if sp.issparse(X) else [(view, X)])
    assert type(view) is type(X)
    for locked, original in arrays:
        assert np.shares_memory(locked, original)        # no copy
        assert locked.dtype == original.dtype and locked.strides == original.strides
        with pytest.raises(ValueError, match="WRITEABLE"):
            locked.flags.writeable = True
        assert original.flags.writeable                  # the caller's own flag untouched


@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_an_expert_cannot_write_into_the_callers_X_by_setting_the_flag(kind):
    X = _lockable_inputs()[kind]
    y = np.arange(40.0)
    before = X.copy()
    model = EnsembleRegressor([("writer", _FlagSetter()), ("ridge", Ridge())])
    with pytest.raises(ValueError, match=r"'writer'.*WRITEABLE"):
        model.fit(X, y)
    changed = (X != before).nnz if sp.issparse(X) else np.sum(X != before)
    assert changed == 0


def test_a_float_arrays_predictions_are_its_dataframes_to_the_last_bit():
    # A float array's predict took the batched device path, whose gate weights
    # were torch's exp(logits - logsumexp(logits)); a DataFrame's took the
    # gate's predict_proba (numpy's): the same fitted EM mixture predicted
    # up to 1.8e-14 apart on make_regimes' array and its frame (and a
    # classifier's probabilities 1.1e-16 apart).
    X, y = make_regimes(n_samples=200, random_state=0)
    X = np.asarray(X, dtype=float)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("knn", make_pipeline(StandardScaler(), KNeighborsRegressor(7)))]
    mixture = _fit_quietly(MixtureOfExpertsRegressor(experts, training="em", max_iter=5,
                                                     random_state=0), frame, y)
    on_array = _fit_quietly(clone(mixture), X, y)
    assert on_array.log_likelihood_ == mixture.log_likelihood_
    assert np.array_equal(on_array.predict(X), mixture.predict(frame))
    weights, _ = on_array._weights_and_outputs(X)
    assert np.array_equal(weights, on_array.gate_.predict_proba(on_array._gate_view(X)))


class _TwiceNoisy(RegressorMixin, BaseEstimator):
    """A Ridge whose fit gives the same warning twice."""

    def fit(self, X, y, sample_weight=None):
        for _ in range(2):
            warnings.warn("twice noisy", RuntimeWarning)
        self.model_ = Ridge().fit(X, y, sample_weight)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_in_k_of_its_n_fits_counts_fits_not_warnings():
    # An expert that gave one warning twice in each of its fits (seen under
    # simplefilter('always')) was said to give it "in 10 of its 5 fits".
    X, y = make_regimes(n_samples=120, random_state=0)
    mixture = MixtureOfExpertsRegressor([("noisy", _TwiceNoisy()), ("ridge", Ridge())],
                                        training="em", max_iter=3, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mixture.fit(X, y)
    texts = [str(w.message) for w in caught if "twice noisy" in str(w.message)]
    assert len(texts) == 1
    n_fits = int(re.search(r"in (\d+) of its (\d+) fits", texts[0]).group(2))
    assert f"in {n_fits} of its {n_fits} fits" in texts[0]


class _WarnsOnLargeFits(RegressorMixin, BaseEstimator):
    """A Ridge whose fit warns on more than ``above`` rows."""

    def __init__(self, above=40):
        self.above = above

    def fit(self, X, y, sample_weight=None):
        if len(y) > self.above:
            warnings.warn("a large fit", RuntimeWarning)
        self.model_ = Ridge().fit(X, y, sample_weight)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_a_nested_mixtures_warning_is_given_once_with_the_enclosing_count():
    # A mixture as an expert of a mixture gave its warning once per inner fit,
    # each with its own "in k of its n fits", which the outer one counted as
    # distinct warnings: one outer fit gave two, its inner expert "in 4 of its
    # 5 fits" and "in 1 of its 5 fits", where it gave it in all 5.
    X, y = make_regimes(n_samples=150, random_state=0)

    def inner():
        return MixtureOfExpertsRegressor([("large", _WarnsOnLargeFits()), ("ridge", Ridge())],
                                         training="em", max_iter=3, random_state=0)

    outer = MixtureOfExpertsRegressor([("inner", inner()), ("ridge", Ridge())],
                                      training="em", max_iter=3, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        outer.fit(X, y)
    texts = [str(w.message) for w in caught if "a large fit" in str(w.message)]
    assert len(texts) == 1
    assert "Expert 'inner' (MixtureOfExpertsRegressor)" in texts[0]
    k, n = map(int, re.search(r"in (\d+) of its (\d+) fits", texts[0]).groups())
    assert k == n > 1


@pytest.mark.parametrize("model", ["em", "hme", "em_n_init"])
def test_n_jobs_gives_an_experts_warning_once_as_one_job_does(model):
    # With n_jobs=2 the experts' fits ran in other processes, where no record
    # was kept: each fit gave its warning there (5 from one EM fit, 10 with
    # n_init=2), and a catch_warnings(record=True) around fit saw none.
    X, y = make_regimes(n_samples=120, random_state=0)

    def make(n_jobs):
        experts = [("noisy", _TwiceNoisy()), ("ridge", Ridge())]
        if model == "hme":
            return HierarchicalMixtureRegressor(experts, branching=(2,), max_iter=3,
                                                random_state=0, n_jobs=n_jobs)
        return MixtureOfExpertsRegressor(experts, training="em", max_iter=3, random_state=0,
                                         n_init=2 if model == "em_n_init" else 1,
                                         n_jobs=n_jobs)

    texts = {}
    for n_jobs in (None, 2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            make(n_jobs).fit(X, y)
        texts[n_jobs] = [str(w.message) for w in caught if "twice noisy" in str(w.message)]
    assert len(texts[None]) == 1
    assert texts[2] == texts[None]
