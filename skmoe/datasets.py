"""Generators with known structure, for tests, examples and benchmarks."""

import numpy as np
from sklearn.utils import check_random_state


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
    y = y + noise * rng.standard_normal(n_samples)
    X = np.column_stack([x, rng.uniform(0.0, 10.0, size=(n_samples, n_noise_features))])
    return (X, y, regime) if return_regime else (X, y)
