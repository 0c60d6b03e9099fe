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
        ``c``, the norm of the weight vectors.
    n_sines : int, default=10
        ``m``, the number of sinusoids.
    alpha, beta : array-like of shape (n_sines,), default=None
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
    if n_features < 2:
        raise ValueError(f"n_features must be at least 2 (two orthogonal directions), "
                         f"got {n_features!r}.")
    alpha = np.linspace(0.5, 1.5, n_sines) if alpha is None else np.asarray(alpha, float)
    beta = np.arange(n_sines) * np.pi / n_sines if beta is None else np.asarray(beta, float)
    if alpha.shape != (n_sines,) or beta.shape != (n_sines,):
        raise ValueError(f"alpha and beta must have shape ({n_sines},), got "
                         f"{alpha.shape} and {beta.shape}.")
    rng = check_random_state(random_state)
    # Two orthonormal directions: QR of a random Gaussian (n_features, 2) matrix.
    basis, _ = np.linalg.qr(rng.standard_normal((n_features, 2)))
    u1, u2 = basis.T
    W = scale * np.stack([u1, correlation * u1 + np.sqrt(1.0 - correlation ** 2) * u2])
    X = rng.standard_normal((n_samples, n_features))
    Z = X @ W.T                                       # (n_samples, 2)
    waves = np.sin(Z[:, :, None] * alpha + beta).sum(axis=2)
    Y = Z + waves + noise * rng.standard_normal(Z.shape)
    return (X, Y, W) if return_weights else (X, Y)
