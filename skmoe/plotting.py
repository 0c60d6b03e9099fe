"""Displays for mixtures of experts, in scikit-learn's Display style.

Every display is built with ``XDisplay.from_estimator(...)`` (or
``from_result``), which computes what to draw and calls ``plot``; ``plot(ax=...)``
draws on given axes and sets ``ax_`` (the main axes), ``axes_`` and
``figure_``. matplotlib is an optional dependency, imported only here and only
when a display is drawn: ``pip install "skmoe[plots]"``.

Expert ``i`` is drawn in colour ``C{i}`` of the ``tab10`` cycle in every display,
so the same expert has the same colour in all of them.
"""

import numbers
import warnings

import numpy as np
from scipy import sparse

from ._data import _float_column, _numeric_array, is_dataframe
from ._warnings import thread_filter

__all__ = ["ComparisonDisplay", "ConvergenceDisplay", "ExpertUsageDisplay",
           "GateDisplay", "GateRegionDisplay", "check_matplotlib"]


def check_matplotlib():
    """Import ``matplotlib.pyplot``, or raise an ImportError saying how to get it.

    Returns
    -------
    plt : module
        ``matplotlib.pyplot``.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skmoe's plots need matplotlib, which is not installed: "
            'python -m pip install matplotlib (or "skmoe[plots]").') from exc
    return plt


def _colors(n):
    plt = check_matplotlib()
    cmap = plt.get_cmap("tab10")
    return [cmap(i % 10) for i in range(n)]


def _new_axes(ax, n_panels=1, figsize=None, width_ratios=None, max_axes=None):
    """Return (figure, list of axes): the given axes (at most ``max_axes``,
    default ``n_panels``), or a new figure."""
    plt = check_matplotlib()
    if ax is None:
        fig, axes = plt.subplots(1, n_panels, figsize=figsize, squeeze=False,
                                 gridspec_kw=None if width_ratios is None
                                 else {"width_ratios": width_ratios},
                                 layout="constrained")
        return fig, list(axes[0])
    axes = list(np.ravel(ax)) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    # (A string, a Figure or an empty list failed with a bare AttributeError or
    # IndexError, two Axes for a one-panel display with "too many values to
    # unpack (expected 1)".)
    from matplotlib.axes import Axes
    if not axes or not all(isinstance(a, Axes) for a in axes):
        raise TypeError("ax must be a matplotlib Axes" + (" or a pair of Axes" if max_axes
                                                          else "")
                        + f" (e.g. from plt.subplots()), got {ax!r}.")
    if len(axes) > (max_axes or n_panels):
        raise ValueError(f"ax has {len(axes)} Axes; this display draws "
                         + ("one: pass a single Axes." if (max_axes or n_panels) == 1
                            else "one or two: pass one Axes or a pair."))
    return axes[0].figure, axes


def _check_fitted_mixture(estimator):
    from sklearn.utils.validation import check_is_fitted
    if not hasattr(estimator, "predict_gate"):
        hint = ""
        from sklearn.base import is_classifier

        from ._ensemble import _BaseEnsemble
        if isinstance(estimator, _BaseEnsemble):
            # (The message named the ensemble alone, as if any estimator would
            # do but this one: an ensemble has no gate, one weight per expert.)
            hint = (" An ensemble weights its experts the same for every row (its "
                    "weights_), so it has no gate to draw: fit a MixtureOfExperts"
                    + ("Classifier" if is_classifier(estimator) else "Regressor")
                    + " on the same experts to see who counts where.")
        steps = getattr(estimator, "steps", None)
        if isinstance(steps, list) and steps and hasattr(steps[-1][1], "predict_gate"):
            # (The message named only "Pipeline", though the mixture is in it.)
            hint = (f" This Pipeline ends with a {type(steps[-1][1]).__name__}: pass "
                    "pipe[-1] and pipe[:-1].transform(X), the features its gate sees.")
        raise TypeError("Expected a fitted mixture of experts (with predict_gate), got "
                        f"{type(estimator).__name__}.{hint}")
    check_is_fitted(estimator)
    if hasattr(estimator, "n_tasks_"):
        # (A bare AttributeError on expert_names_, "object too deep" or an
        # IndexError from the (n_samples, n_tasks, n_experts) gates.)
        raise TypeError(
            f"{type(estimator).__name__} is a multi-task mixture: its predict_gate gives "
            "one gate per task, shape (n_samples, n_tasks, n_experts), and these "
            "displays draw a single-task mixture's one gate and history_. Plot "
            "predict_gate(X)[:, t, :] for task t yourself.")


def _check_X_shape(estimator, X):
    """X must be 2-D with rows and the estimator's number of features: a 1-D X
    or one with fewer columns failed with a bare IndexError, an empty one in a
    numpy reduction."""
    shape = X.shape if hasattr(X, "shape") else np.shape(np.asarray(X, dtype=object))
    if len(shape) != 2:
        raise ValueError(f"Expected a 2D X of shape (n_samples, n_features), got shape "
                         f"{shape}.")
    n = estimator.n_features_in_
    if shape[1] != n:
        raise ValueError(f"X has {shape[1]} features, but {type(estimator).__name__} is "
                         f"expecting {n} features as input.")
    if shape[0] == 0:
        raise ValueError("X has no rows; a gate display takes the range of the features "
                         "from X.")


def _check_grid_resolution(grid_resolution):
    if not isinstance(grid_resolution, numbers.Integral) or grid_resolution < 2:
        raise ValueError(f"grid_resolution must be an integer >= 2, got {grid_resolution!r}.")


def _grid(estimator, values, j, grid_resolution):
    """``grid_resolution`` points over the range of feature ``j`` (``values``)."""
    if np.isinf(values).any() or np.isnan(values).all():
        why = "infinite values" if np.isinf(values).any() else "only missing values"
        raise ValueError(f"Feature {_feature_name(estimator, j)!r} of X has no finite range "
                         f"({why}); a gate display varies it over its range in X.")
    low, high = np.nanmin(values), np.nanmax(values)
    if low == high:
        # (A blank plot of zero width, with matplotlib's "Attempting to set
        # identical low and high xlims".)
        raise ValueError(f"Feature {_feature_name(estimator, j)!r} is constant in X (every "
                         f"value is {low:g}); a gate display varies it over its range in X. "
                         "Choose a feature that varies, or pass an X in which it does.")
    return np.linspace(low, high, grid_resolution)


def _feature_index(estimator, feature, argument="feature"):
    names = getattr(estimator, "feature_names_in_", None)
    # (feature=True was read as column 1: a bool is an int to Python.)
    if (isinstance(feature, (bool, np.bool_))
            or not isinstance(feature, (str, numbers.Integral))):
        raise TypeError(f"{argument} must be a column index (int) or a feature name (str), "
                        f"got {feature!r}.")
    n = estimator.n_features_in_
    if isinstance(feature, str):
        # Without feature names the displays call column j "x{j}" (_feature_name):
        # that label, read off a plot, was refused ("the estimator's features are None").
        own = [f"x{j}" for j in range(n)] if names is None else list(names)
        if feature not in own:
            raise ValueError(f"Unknown feature {feature!r}; the estimator's features are "
                             f"{own if names is not None or n <= 10 else own[:10] + ['...']}"
                             + (" (fitted without feature names: x0, x1, ... by position)"
                                if names is None else "") + ".")
        return own.index(feature)
    if not -n <= int(feature) < n:
        raise ValueError(f"feature index {feature} out of range for {n} features.")
    return int(feature) % n


def _feature_name(estimator, j):
    names = getattr(estimator, "feature_names_in_", None)
    return str(names[j]) if names is not None else f"x{j}"


def _numeric_column(estimator, X, j):
    """Column ``j`` of X (array, DataFrame or sparse matrix) as floats.

    A display varies a feature over a numeric range: a categorical or text
    column is an error that names it.
    """
    if is_dataframe(X):
        from pandas.api.types import is_bool_dtype
        column = X.iloc[:, j]
        # Numbers as the gate's view reads them (booleans, nullable ones
        # included, cannot be varied).
        values = None if is_bool_dtype(column.dtype) else _float_column(column)
        if values is None:
            raise ValueError(
                f"Feature {_feature_name(estimator, j)!r} has dtype {column.dtype}; a gate "
                "display varies a numeric feature over its range. Choose a numeric one.")
        return values
    if sparse.issparse(X):
        return np.asarray(X.tocsc()[:, j].toarray(), dtype=float).ravel()
    # As the gate reads an array: one of strings (or dates) is refused, not
    # parsed (the display drew the gate of X.astype(str) that predict refuses).
    return _numeric_array(X)[:, j]


def _grid_input(estimator, X, columns, grids):
    """Rows varying ``columns`` over ``grids``, the other features at a typical value.

    The typical value is the median of a numeric feature (dates and time
    spans included) and the most frequent value of a categorical or text one
    (a DataFrame keeps its dtypes, integers as floats, so per-expert
    pipelines see the columns they were fitted on); a sparse X gives sparse
    rows.
    """
    n_rows = len(grids[0])
    if is_dataframe(X):
        import pandas as pd
        from pandas.api.types import (is_bool_dtype, is_datetime64_any_dtype,
                                      is_integer_dtype, is_numeric_dtype,
                                      is_timedelta64_dtype)
        typical, dtypes = {}, {}
        for name in X.columns:
            column = X[name]
            # Integer columns as floats: a median of 1.5 failed ("Trying to
            # coerce float values to integers"), and a varied column's grid
            # points were truncated (the gate drawn at 0.5 was the gate at 0).
            dtypes[name] = np.float64 if is_integer_dtype(column.dtype) else column.dtype
            # (A nullable boolean column, half True, had the median 0.5:
            # "Need to pass bool-like values".)
            # Dates and time spans too, which the gate reads as seconds: the
            # most frequent of distinct dates was the earliest, and the display
            # showed the gate of the first day only.
            if (is_numeric_dtype(column.dtype) and not is_bool_dtype(column.dtype)
                    or is_datetime64_any_dtype(column.dtype)
                    or is_timedelta64_dtype(column.dtype)):
                typical[name] = column.median()
            else:
                mode = column.mode(dropna=True)
                typical[name] = mode.iloc[0] if len(mode) else column.iloc[0]
        rows = pd.DataFrame({name: pd.Series([typical[name]] * n_rows, dtype=dtypes[name])
                             for name in X.columns})
        for j, values in zip(columns, grids):
            # By pandas: numpy cannot cast to a nullable dtype (Float64 of
            # convert_dtypes(): "Cannot interpret 'Float64Dtype()' as a data type").
            rows[X.columns[j]] = pd.Series(np.asarray(values, dtype=float)).astype(
                dtypes[X.columns[j]])
        return rows
    is_sparse = sparse.issparse(X)
    dense = _numeric_array(X.toarray() if is_sparse else X)
    # A column missing (NaN) in every row has a missing typical value, as a
    # DataFrame's median gives it: numpy warned "All-NaN slice encountered"
    # at every display of such an X.
    with thread_filter("ignore", category=RuntimeWarning):
        typical = np.nanmedian(dense, axis=0)
    rows = np.tile(typical, (n_rows, 1))
    for j, values in zip(columns, grids):
        rows[:, j] = values
    if is_sparse:
        return sparse.csr_matrix(rows)
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        import pandas as pd
        return pd.DataFrame(rows, columns=names)
    return rows


class GateDisplay:
    """Gate weights along one feature (the others at their median, or their
    most frequent value where categorical).

    Parameters
    ----------
    grid : ndarray of shape (n_points,)
        Values of the feature.
    gate_weights : ndarray of shape (n_points, n_experts)
    expert_names : list of str
    feature_name : str
    data_values : ndarray, default=None
        The feature's values in the data, drawn as a rug.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on (set by ``plot``, as are the two below).
    axes_ : list of matplotlib Axes
        ``[ax_]``.
    figure_ : matplotlib Figure
    """

    def __init__(self, grid, gate_weights, expert_names, feature_name, data_values=None):
        self.grid, self.gate_weights = grid, gate_weights
        self.expert_names, self.feature_name = list(expert_names), feature_name
        self.data_values = data_values

    @classmethod
    def from_estimator(cls, estimator, X, feature=0, *, grid_resolution=200,
                       kind="area", ax=None):
        """Compute the gate along ``feature`` over the range of ``X`` and plot it.

        Parameters
        ----------
        estimator : fitted mixture of experts
            A flat or a hierarchical mixture (its leaves' weights).
        X : array-like of shape (n_samples, n_features)
            Sets the feature's range and the values of the other features
            (their medians; the most frequent value of a categorical or text
            column).
        feature : int or str, default=0
            Column index, or name when the estimator saw feature names.
        grid_resolution : int, default=200
        kind : {'area', 'line'}, default='area'
            Stacked areas (weights sum to one) or one line per expert.
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : GateDisplay
        """
        _check_fitted_mixture(estimator)
        _check_X_shape(estimator, X)
        _check_grid_resolution(grid_resolution)
        j = _feature_index(estimator, feature)
        values = _numeric_column(estimator, X, j)
        grid = _grid(estimator, values, j, grid_resolution)
        weights = np.asarray(estimator.predict_gate(_grid_input(estimator, X, [j], [grid])))
        return cls(grid, weights, estimator.expert_names_, _feature_name(estimator, j),
                   values).plot(ax=ax, kind=kind)

    def plot(self, ax=None, *, kind="area"):
        """Draw the gate weights; returns self with ``ax_``, ``axes_`` and ``figure_``.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            None makes a new figure.
        kind : {'area', 'line'}, default='area'
            Stacked areas (weights sum to one) or one line per expert.

        Returns
        -------
        display : GateDisplay
        """
        if kind not in ("area", "line"):
            raise ValueError(f"kind must be 'area' or 'line', got {kind!r}.")
        fig, (ax,) = _new_axes(ax, figsize=(6.4, 3.6))
        colors = _colors(len(self.expert_names))
        if kind == "area":
            ax.stackplot(self.grid, self.gate_weights.T, labels=self.expert_names,
                         colors=colors, alpha=0.8)
        else:
            for i, name in enumerate(self.expert_names):
                ax.plot(self.grid, self.gate_weights[:, i], color=colors[i], label=name, lw=2)
        if self.data_values is not None:
            ax.plot(self.data_values, np.full(len(self.data_values), -0.03), "|",
                    color="0.3", alpha=0.4, markersize=6)
        ax.set(xlim=(self.grid[0], self.grid[-1]), ylim=(-0.06, 1.02),
               xlabel=self.feature_name, ylabel="gate weight g(x)",
               title=f"Who counts where along {self.feature_name}")
        ax.legend(title="expert", loc="center left", bbox_to_anchor=(1.01, 0.5),
                  frameon=False)
        self.ax_, self.axes_, self.figure_ = ax, [ax], fig
        return self


class GateRegionDisplay:
    """Map of the winning expert over two features (the others at their median,
    or their most frequent value where categorical).

    Colour is the expert with the largest gate weight; paler means the gate
    is less sure (the weight is closer to uniform).

    Parameters
    ----------
    xx0, xx1 : ndarray of shape (n_points,)
        Grid values of the two features.
    gate_weights : ndarray of shape (n_points, n_points, n_experts)
    expert_names : list of str
    feature_names : tuple of str
    data : ndarray of shape (n_samples, 2), default=None
        The data's values of the two features, drawn as points.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on (set by ``plot``, as are the two below).
    axes_ : list of matplotlib Axes
        ``[ax_]``.
    figure_ : matplotlib Figure
    """

    def __init__(self, xx0, xx1, gate_weights, expert_names, feature_names, data=None):
        self.xx0, self.xx1, self.gate_weights = xx0, xx1, gate_weights
        self.expert_names, self.feature_names = list(expert_names), tuple(feature_names)
        self.data = data

    @classmethod
    def from_estimator(cls, estimator, X, features=(0, 1), *, grid_resolution=100,
                       ax=None):
        """Compute the gate over a grid of two features and plot the map.

        Parameters
        ----------
        estimator : fitted mixture of experts
        X : array-like of shape (n_samples, n_features)
        features : pair of int or str, default=(0, 1)
            Two different features; an estimator fitted on one feature has
            no map (draw its gate with :class:`GateDisplay`).
        grid_resolution : int, default=100
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : GateRegionDisplay
        """
        _check_fitted_mixture(estimator)
        _check_X_shape(estimator, X)
        _check_grid_resolution(grid_resolution)
        if estimator.n_features_in_ < 2:
            # (The default features=(0, 1) failed with "feature index 1 out of
            # range for 1 features", as if the index were the mistake.)
            raise ValueError(
                "GateRegionDisplay maps the gate over two features, but "
                f"{type(estimator).__name__} was fitted on {estimator.n_features_in_} "
                "feature: use GateDisplay to draw the gate along it.")
        if isinstance(features, str) or np.ndim(features) != 1 or len(features) != 2:
            raise ValueError(f"features must name two features, got {features!r}.")
        j0, j1 = (_feature_index(estimator, f, f"features[{i}]")
                  for i, f in enumerate(features))
        if j0 == j1:
            raise ValueError("features must be two different features.")
        v0, v1 = _numeric_column(estimator, X, j0), _numeric_column(estimator, X, j1)
        xx0 = _grid(estimator, v0, j0, grid_resolution)
        xx1 = _grid(estimator, v1, j1, grid_resolution)
        g0, g1 = np.meshgrid(xx0, xx1)
        weights = np.asarray(estimator.predict_gate(
            _grid_input(estimator, X, [j0, j1], [g0.ravel(), g1.ravel()])))
        weights = weights.reshape(grid_resolution, grid_resolution, -1)
        names = (_feature_name(estimator, j0), _feature_name(estimator, j1))
        return cls(xx0, xx1, weights, estimator.expert_names_, names,
                   np.column_stack([v0, v1])).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the map; returns self with ``ax_``, ``axes_`` and ``figure_``.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            None makes a new figure.

        Returns
        -------
        display : GateRegionDisplay
        """
        from matplotlib.patches import Patch
        fig, (ax,) = _new_axes(ax, figsize=(6.4, 4.8))
        M = len(self.expert_names)
        colors = np.array(_colors(M))[:, :3]
        winner = self.gate_weights.argmax(axis=-1)
        top = self.gate_weights.max(axis=-1)
        # Certainty 0 at a uniform gate, 1 when one expert takes everything.
        certainty = np.clip((top - 1.0 / M) / (1.0 - 1.0 / M), 0, 1)[..., None]
        rgb = 1.0 - (1.0 - colors[winner]) * (0.25 + 0.75 * certainty)
        # Each pixel centred on its grid point: an extent from the first to the
        # last point drew pixel i of n at (i + 1/2) / n of the range, not at
        # i / (n - 1), the last point on the image's edge.
        h0, h1 = (np.ptp(v) / (2 * (len(v) - 1)) if len(v) > 1 else 0.5
                  for v in (self.xx0, self.xx1))
        ax.imshow(rgb, origin="lower", aspect="auto", interpolation="nearest",
                  extent=(self.xx0[0] - h0, self.xx0[-1] + h0,
                          self.xx1[0] - h1, self.xx1[-1] + h1))
        if self.data is not None:
            ax.scatter(self.data[:, 0], self.data[:, 1], s=6, c="k", alpha=0.35,
                       linewidths=0, label="data")
        ax.set(xlabel=self.feature_names[0], ylabel=self.feature_names[1],
               title="Winning expert (paler: gate less sure)")
        handles = [Patch(color=colors[i], label=n) for i, n in enumerate(self.expert_names)]
        ax.legend(handles=handles, title="expert", loc="center left",
                  bbox_to_anchor=(1.01, 0.5), frameon=False)
        self.ax_, self.axes_, self.figure_ = ax, [ax], fig
        return self


class ExpertUsageDisplay:
    """How much each expert is used: mean gate weight and share of top-1 rows.

    Parameters
    ----------
    soft_usage : ndarray of shape (n_experts,)
        Mean gate weight of each expert.
    top1_share : ndarray of shape (n_experts,)
        Fraction of rows where the expert has the largest gate weight.
    expert_names : list of str

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on (set by ``plot``, as are the two below).
    axes_ : list of matplotlib Axes
        ``[ax_]``.
    figure_ : matplotlib Figure
    """

    def __init__(self, soft_usage, top1_share, expert_names):
        self.soft_usage, self.top1_share = np.asarray(soft_usage), np.asarray(top1_share)
        self.expert_names = list(expert_names)

    @classmethod
    def from_estimator(cls, estimator, X, *, ax=None):
        """Compute the usage of each expert on ``X`` and plot it.

        Parameters
        ----------
        estimator : fitted mixture of experts
        X : array-like of shape (n_samples, n_features)
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : ExpertUsageDisplay
        """
        _check_fitted_mixture(estimator)
        gate = np.asarray(estimator.predict_gate(X))
        top1 = np.bincount(gate.argmax(axis=1), minlength=gate.shape[1]) / len(gate)
        return cls(gate.mean(axis=0), top1, estimator.expert_names_).plot(ax=ax)

    def plot(self, ax=None):
        """Draw grouped horizontal bars; returns self with ``ax_``, ``axes_`` and ``figure_``.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            None makes a new figure.

        Returns
        -------
        display : ExpertUsageDisplay
        """
        M = len(self.expert_names)
        fig, (ax,) = _new_axes(ax, figsize=(6.4, 1.2 + 0.5 * M))
        colors = _colors(M)
        pos = np.arange(M)
        ax.barh(pos - 0.2, self.soft_usage, height=0.4, color=colors)
        ax.barh(pos + 0.2, self.top1_share, height=0.4, color=colors, alpha=0.45,
                hatch="//", edgecolor="white")
        for p, v in zip(pos, self.soft_usage):
            ax.text(v + 0.01, p - 0.2, f"{v:.2f}", va="center", fontsize=8)
        for p, v in zip(pos, self.top1_share):
            ax.text(v + 0.01, p + 0.2, f"{v:.2f}", va="center", fontsize=8)
        ax.set(yticks=pos, yticklabels=self.expert_names, xlim=(0, 1.1),
               xlabel="fraction", title="Expert usage")
        ax.invert_yaxis()
        from matplotlib.patches import Patch
        ax.legend(handles=[Patch(color="0.35", label="mean gate weight"),
                           Patch(facecolor="0.35", alpha=0.45, hatch="//", edgecolor="white",
                                 label="share of rows where top-1")],
                  loc="lower right", fontsize=8)
        self.ax_, self.axes_, self.figure_ = ax, [ax], fig
        return self


def _shares_by_expert(history, share_key, names):
    """The shares of each iteration as columns of every expert that had one.

    An iteration that names its experts (EM's ``history_['experts']``) puts
    its shares in their columns, NaN (a gap in the line) for the others:
    experts dropped by ``collapse_action='drop'`` have shares up to their
    drop, and the kept experts' columns are not shifted.
    """
    if not all("experts" in h for h in history):
        return list(names), np.array([h[share_key] for h in history], dtype=float)
    every = list(dict.fromkeys(name for h in history for name in h["experts"]))
    shares = np.full((len(history), len(every)), np.nan)
    for row, h in enumerate(history):
        shares[row, [every.index(name) for name in h["experts"]]] = h[share_key]
    return every, shares


class ConvergenceDisplay:
    """Training history: the objective and each expert's share per iteration.

    Parameters
    ----------
    iterations : ndarray of shape (n_iter,)
    objective : ndarray of shape (n_iter,)
    objective_name : str
        E.g. 'log_likelihood' (EM) or 'train_loss' (gradient training).
    shares : ndarray of shape (n_iter, n_experts) or None
    expert_names : list of str
    step_name : str, default='iteration'
        'iteration' (EM) or 'epoch' (gradient training).
    validation : ndarray of shape (n_iter,), default=None
        Validation loss per step, drawn beside a training loss (or the
        held-out log-likelihood beside the log-likelihood: a hierarchical
        mixture with early stopping, joint training with ``loss='nll'``).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The first axes drawn on, the objective's (set by ``plot``, as are
        the two below).
    axes_ : list of matplotlib Axes
        Every axes drawn on: the objective's and, with ``shares``, the
        expert shares' (one Axes given to ``plot`` draws the objective
        only).
    figure_ : matplotlib Figure
    """

    def __init__(self, iterations, objective, objective_name, shares, expert_names,
                 step_name="iteration", validation=None):
        self.iterations, self.objective = iterations, objective
        self.objective_name, self.shares = objective_name, shares
        self.expert_names = list(expert_names)
        self.step_name, self.validation = step_name, validation

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Read ``estimator.history_`` and plot it.

        Parameters
        ----------
        estimator : fitted mixture of experts
        ax : matplotlib Axes or pair of Axes, default=None
            One Axes draws the objective only; two draw the objective and
            the expert shares; None makes a figure with both.

        Returns
        -------
        display : ConvergenceDisplay
        """
        _check_fitted_mixture(estimator)
        history = list(getattr(estimator, "history_", []))
        if not history:
            raise ValueError("The estimator has an empty history_; nothing to plot.")
        key = next((k for k in ("log_likelihood", "loss", "train_loss") if k in history[0]),
                   None)
        if key is None:
            raise ValueError(f"history_ has no objective to plot: keys {list(history[0])}.")
        step = next((k for k in ("iteration", "epoch") if k in history[0]), None)
        iterations = (np.array([h[step] for h in history]) if step
                      else np.arange(1, len(history) + 1))
        # (A hierarchical mixture logs its leaves' shares as 'leaf_share': its
        # display drew the objective alone.)
        share_key = next((k for k in ("expert_share", "expert_usage", "leaf_share")
                          if k in history[0]), None)
        names, shares = estimator.expert_names_, None
        if share_key:
            names, shares = _shares_by_expert(history, share_key, names)
        # (A hierarchical mixture with early stopping logs the held-out
        # log-likelihood that chose its tree: the display drew the in-sample
        # one alone, which rises at every iteration.)
        validation_key = ("validation_log_likelihood" if key == "log_likelihood"
                          else "validation_loss")
        validation = None
        if validation_key in history[0]:
            validation = np.array([h[validation_key] for h in history], dtype=float)
        elif key == "log_likelihood" and {"validation_loss", "train_loss"} <= set(history[0]):
            # Joint training with loss='nll' (torch experts, top_k) logs the
            # held-out NLL of the standardised target beside the in-sample
            # log-likelihood, -train_loss - log(y_scale): the display drew the
            # latter alone, which rises while the held-out one that chose the
            # epoch may fall. On the same scale: -validation_loss - log(y_scale).
            validation = np.array([h["log_likelihood"] + h["train_loss"]
                                   - h["validation_loss"] for h in history], dtype=float)
        return cls(iterations, np.array([h[key] for h in history], dtype=float), key,
                   shares, names, step_name=step or "iteration",
                   validation=validation).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the history; returns self with ``ax_``, ``axes_`` and ``figure_``.

        Parameters
        ----------
        ax : matplotlib Axes or pair of Axes, default=None
            One Axes draws the objective only; two draw the objective and
            the expert shares; None makes a figure with both (the objective
            only when there are no shares).

        Returns
        -------
        display : ConvergenceDisplay
        """
        panels = 1 if self.shares is None else 2
        fig, axes = _new_axes(ax, n_panels=panels, figsize=(9.6, 3.6), max_axes=2)
        label = self.objective_name.replace("_", " ")
        axes[0].plot(self.iterations, self.objective, "o-", color="0.2", label=label)
        if self.validation is not None:
            held_out = ("validation log likelihood" if self.objective_name == "log_likelihood"
                        else "validation loss")
            axes[0].plot(self.iterations, self.validation, "s--", color="C3",
                         label=held_out)
            axes[0].legend(fontsize=8)
        axes[0].set(xlabel=self.step_name, ylabel=f"{label} (mean per sample)",
                    title=f"Convergence: {label}")
        if len(axes) > 1 and self.shares is not None:
            colors = _colors(len(self.expert_names))
            for i, name in enumerate(self.expert_names):
                axes[1].plot(self.iterations, self.shares[:, i], "o-", color=colors[i],
                             label=name)
            axes[1].set(xlabel=self.step_name, ylabel="share of responsibility",
                        ylim=(-0.02, 1.02), title="Expert shares")
            axes[1].legend(title="expert", fontsize=8, loc="best")
        for a in axes:
            a.xaxis.get_major_locator().set_params(integer=True)
        self.ax_, self.axes_, self.figure_ = axes[0], axes, fig
        return self


def _check_metric_of_scoring(metric, scoring):
    """Refuse, before compare() fits anything, a ``metric`` that ``scoring``
    cannot give (a typo was found only after every fit)."""
    if metric is None:
        return
    from ._compare import DEFAULT_CLASSIFICATION_SCORING, DEFAULT_REGRESSION_SCORING
    if scoring is None:    # compare's defaults, regression or classification
        keys = [*DEFAULT_REGRESSION_SCORING, *DEFAULT_CLASSIFICATION_SCORING, "score"]
    elif isinstance(scoring, str):
        keys = [scoring]
    elif isinstance(scoring, (list, tuple, dict)):
        keys = list(scoring)
    else:                  # a callable: its key is "score"; compare checks the rest
        keys = ["score"]
    if metric not in keys:
        made = (keys if scoring is not None else
                "'r2' and 'neg_root_mean_squared_error' (regression), 'accuracy' and "
                "'neg_log_loss' (classification)")
        raise ValueError(f"Unknown metric {metric!r}; the scoring makes {made}.")


class ComparisonDisplay:
    """Per-split scores of each model in a comparison, with mean ± std.

    Parameters
    ----------
    result : ComparisonResult
    metric : str, default=None
        Scorer key; None means the primary metric.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The first axes drawn on, the scores' (set by ``plot``, as are the
        two below).
    axes_ : list of matplotlib Axes
        Every axes drawn on: the scores' and the fit times' (one Axes given
        to ``plot`` draws the scores only).
    figure_ : matplotlib Figure
    """

    def __init__(self, result, metric=None):
        if not hasattr(result, "metrics"):
            raise TypeError("Expected a ComparisonResult (what skmoe.compare returns), got "
                            f"{type(result).__name__}.")
        self.result = result
        self.metric = result.metrics[0] if metric is None else metric
        if self.metric not in result.metrics:
            raise ValueError(result._unknown_metric(self.metric)
                             if hasattr(result, "_unknown_metric") else
                             f"Unknown metric {self.metric!r}; choose from {result.metrics}.")

    @classmethod
    def from_result(cls, result, *, metric=None, ax=None):
        """Plot a :class:`~skmoe.ComparisonResult`.

        Parameters
        ----------
        result : ComparisonResult
        metric : str, default=None
        ax : matplotlib Axes or pair of Axes, default=None
            One Axes draws the scores; two draw the scores and the fit times.

        Returns
        -------
        display : ComparisonDisplay
        """
        return cls(result, metric).plot(ax=ax)

    @classmethod
    def from_estimators(cls, estimators, X, y, *, metric=None, ax=None, **kwargs):
        """Run :func:`skmoe.compare` (``kwargs`` go to it) and plot the result.

        Parameters
        ----------
        estimators : dict of str -> estimator
            As for :func:`~skmoe.compare`.
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        metric : str, default=None
            Scorer key to plot; None means the primary (first) metric.
        ax : matplotlib Axes or pair of Axes, default=None
            One Axes draws the scores; two draw the scores and the fit times.
        **kwargs : dict
            Passed to :func:`~skmoe.compare` (``cv``, ``scoring``, ...).

        Returns
        -------
        display : ComparisonDisplay
        """
        from ._compare import compare
        _check_metric_of_scoring(metric, kwargs.get("scoring"))
        return cls.from_result(compare(estimators, X, y, **kwargs), metric=metric, ax=ax)

    def plot(self, ax=None):
        """Draw the scores (and fit times); returns self with ``ax_``, ``axes_``
        and ``figure_``.

        Parameters
        ----------
        ax : matplotlib Axes or pair of Axes, default=None
            One Axes draws the scores; two draw the scores and the fit times;
            None makes a figure with both.

        Returns
        -------
        display : ComparisonDisplay
        """
        r = self.result
        names = r.names
        fig, axes = _new_axes(ax, n_panels=2, figsize=(9.6, 1.4 + 0.45 * len(names)),
                              width_ratios=[3, 1.3], max_axes=2)
        rng = np.random.default_rng(0)
        label, sign = r._display_metric(self.metric)
        pos = np.arange(len(names))
        for p, name in zip(pos, names):
            values = r.display_scores(name, self.metric)
            bad = ~np.isfinite(values)
            if bad.any():
                # matplotlib skips NaN and inf without a word: the model was
                # drawn with fewer points and no mean, as if that were all.
                shown = "/".join(sorted({str(v) for v in values[bad]}))
                warnings.warn(f"{name} scored {shown} on {int(bad.sum())} of {len(values)} "
                              f"splits by {label}: those points, and its mean and spread, are "
                              "not drawn.", RuntimeWarning, stacklevel=2)
            jitter = rng.uniform(-0.15, 0.15, len(values))
            axes[0].scatter(values, p + jitter, s=12, color="0.55", alpha=0.7, linewidths=0)
            with np.errstate(invalid="ignore"):   # (inf - inf: warned of above)
                mean, spread = values.mean(), values.std()
            axes[0].errorbar(mean, p, xerr=spread, fmt="D", color="C3", capsize=4,
                             markersize=6)
        better = "lower is better" if sign < 0 else "higher is better"
        # The table's header says the splits are of whole groups and the
        # scores weighted; a saved plot, shown apart from it, said neither.
        # (getattr: a result pickled before they existed.)
        grouped = getattr(r, "grouped_by", None) is not None
        weighted = "weighted " if getattr(r, "weighted", False) else ""
        title = (f"{weighted}{label} over {r.n_splits} splits"
                 f"{' of whole groups' if grouped else ''} ({better})")
        if r.pair is not None and r.n_splits > 1:
            test = r.paired_test(metric=self.metric)
            title += f"\n{test.a} vs {test.b}: corrected t-test p = {test.p_value:.3g}"
        axes[0].set(yticks=pos, yticklabels=names, xlabel=label, title=title)
        axes[0].invert_yaxis()
        axes[0].grid(axis="x", alpha=0.3)
        if len(axes) > 1:
            times = [np.mean(r.fit_time[n]) for n in names]
            axes[1].barh(pos, times, color="0.6")
            axes[1].set(xscale="log", yticks=pos, yticklabels=[], xlabel="fit time per split (s)",
                        title="Cost")
            axes[1].invert_yaxis()
            axes[1].grid(axis="x", alpha=0.3)
        self.ax_, self.axes_, self.figure_ = axes[0], axes, fig
        return self
