"""Wrong-number sweep, round 44: what the docs promise about ``sample_weight``
and the classifiers' labels, recomputed by hand (numpy, scikit-learn) for the
default stacked mixtures, EM (cross-fitted and exact), top-k, the
hierarchical mixtures and the ensembles (mean and ``weights="greedy"``).

Found (the docs fixed, each with its test below):

* the user guide said weights times 1,000 "fit the same model"; they fit it
  to rounding only: rescaled to mean one, ``w * 1000`` and ``w`` are up to an
  ulp apart (4.4e-16), and EM's iterations turned that into predictions
  1.5e-4 apart (EM's default fit of ``Ridge`` and a depth-3 tree, a target
  spanning 42), where weights times 1,024 (a power of two) fit the same
  model to the last bit. The guide (and ``check_relative_sample_weight``'s
  docstring) now say so; the code cannot do better, since ``w * 1000`` is
  itself rounded;
* the guide promised integer weights as repeated rows for exact EM from the
  uniform start "with experts whose fit has no penalty", without a word of
  the experts whose fit counts rows, not weights: ``GaussianNB`` smooths its
  variances by 1e-9 of X's largest variance over the rows, and EM turned
  that into probabilities 0.0099 apart (the gate 0.024) on iris with a
  depth-2 tree and weights 1-3 (9e-14 with ``var_smoothing=0``). The guide
  now names it, and the gate's optimiser tolerance (the regressor's
  predictions below: 8e-12 apart after 5 iterations, 1.0e-6 after 20).
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from skmoe.datasets import make_regimes

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "user_guide.rst"


def _quietly(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence of the short fits
        return model.fit(X, y, sample_weight=sample_weight)


def _iris():
    X, y = load_iris(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(y))
    return X[order], y[order]


def test_em_weights_times_1000_fit_to_rounding_and_the_guide_says_so():
    # The guide read "weights times 1,000 fit the same model". Rescaled to
    # mean one, w * 1000 is an ulp from w, and EM amplifies it; times 1,024
    # the rescaled weights, and so the fit, are the same to the last bit.
    X, y = make_regimes(n_samples=120, random_state=0)
    rng = np.random.RandomState(1)
    rng.randint(1, 4, len(y)), rng.rand(len(y))
    w = rng.rand(len(y)) + 0.1
    experts = [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3, random_state=0))]

    def em(weight):
        return _quietly(MixtureOfExpertsRegressor(experts, training="em", random_state=0),
                        X, y, weight).predict(X)

    reference = em(w)
    assert_array_equal(em(w * 1024.0), reference)
    apart = np.abs(em(w * 1000.0) - reference).max()
    assert 1e-6 < apart < 1e-3      # 1.5e-4 measured: rounding, amplified
    guide = " ".join(GUIDE.read_text().split())
    assert ("weights times a power of two fit the same model to the last bit, and weights "
            "times 1,000 the same model to rounding") in guide


def test_exact_em_integer_weights_are_repeated_rows_where_the_guide_now_says():
    # The guide: integer weights are repetitions "only for exact EM, cv=None,
    # from the uniform start, with experts whose fit has no penalty" -- and
    # whose fit weighs rows as repetitions, and to the gate's tolerance.
    X, y = make_regimes(n_samples=120, random_state=0)
    count = np.random.RandomState(1).randint(1, 4, len(y))
    experts = [("line", LinearRegression()),
               ("quad", make_pipeline(PolynomialFeatures(2), LinearRegression())),
               ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]

    def exact(X_fit, y_fit, weight=None):
        return _quietly(MixtureOfExpertsRegressor(experts, training="em", cv=None,
                                                  init_params="uniform", max_iter=5,
                                                  random_state=0),
                        X_fit, y_fit, weight)

    weighted = exact(X, y, count.astype(float))
    repeated = exact(np.repeat(X, count, 0), np.repeat(y, count))
    # 8e-12 apart (1.0e-6 after EM's default 20 iterations: the gate's tolerance).
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=1e-9)
    assert_allclose(weighted.noise_variance_, repeated.noise_variance_, rtol=1e-9)

    Xc, yc = _iris()
    count = np.random.RandomState(2).randint(1, 4, len(yc))
    apart = []
    for smoothing in (1e-9, 0.0):   # GaussianNB's default, and none
        classifiers = [("nb", GaussianNB(var_smoothing=smoothing)),
                       ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
        fits = [_quietly(MixtureOfExpertsClassifier(classifiers, training="em", cv=None,
                                                    init_params="uniform", random_state=0),
                         *data)
                for data in ((Xc, yc, count.astype(float)),
                             (np.repeat(Xc, count, 0), np.repeat(yc, count)))]
        apart.append(np.abs(fits[0].predict_proba(Xc) - fits[1].predict_proba(Xc)).max())
        # n: the weights' sum over the smallest, the count of the repeated rows.
        assert fits[0].class_prior_[0] == pytest.approx(1.0 / count.sum() ** 2, rel=1e-12)
        assert fits[0].class_prior_[0] == pytest.approx(fits[1].class_prior_[0], rel=1e-12)
    # GaussianNB's smoothing is 1e-9 of X's largest variance over the rows,
    # not the weights: EM made it 0.0099 (the gate 0.024); without it 9e-14.
    assert 1e-3 < apart[0] < 0.05
    assert apart[1] < 1e-10
    guide = " ".join(GUIDE.read_text().split())
    assert ("``LinearRegression``, and there to the gate's optimiser tolerance (not "
            "``GaussianNB``, whose variance smoothing") in guide
