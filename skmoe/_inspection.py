"""What a fitted mixture shows besides its predictions.

``predict_gate`` (the weights ``predict`` uses), ``expert_usage`` (the rows
each expert runs on), ``predict_experts`` (each expert's own prediction),
and ``set_output``, the container of the first and last: numpy arrays, or
DataFrames whose columns are the experts' names. ``set_output`` is its own
mixin, :class:`ExpertOutputMixin`, which the ensembles (``predict_experts``)
and the hierarchical mixtures (``predict_gate``, ``predict_experts``) share;
the multi-task mixtures' ``predict_gate`` (one gate per task) has its own
columns, (task, expert) pairs (:class:`TaskGateOutputMixin`).
"""

import numpy as np


class ExpertOutputMixin:
    """``set_output``: the container of the per-expert inspection methods.

    For the estimators with ``expert_names_`` (and, for a classifier,
    ``classes_``) whose ``predict_gate`` or ``predict_experts`` return one
    column per expert (per expert and class); they pass their arrays
    through ``_as_output``.
    """

    def set_output(self, *, transform=None):
        """Choose the container of ``predict_gate`` and ``predict_experts``.

        Parameters
        ----------
        transform : {"default", "pandas"} or None, default=None
            ``"pandas"``: DataFrames whose columns are the experts' names
            (with X's index when X is a DataFrame; for the multi-task
            mixtures' ``predict_gate``, (task, expert) pairs); ``"default"``: numpy
            arrays; None: unchanged. Predictions themselves stay arrays, as
            in scikit-learn (and so do the hierarchical mixtures'
            ``predict_path``, whose inner nodes have no names). The setting
            survives ``clone`` (scikit-learn copies
            ``_sklearn_output_config``), so it holds in a grid search.

        Returns
        -------
        self
        """
        if transform is None:
            return self
        if transform not in ("default", "pandas"):
            raise ValueError(f"transform must be 'default', 'pandas' or None; got {transform!r}.")
        self._sklearn_output_config = {"transform": transform}
        return self

    def _as_output(self, values, X):
        """``values`` (one column per expert) in the container ``set_output`` chose."""
        if not self._pandas_output():
            return values
        import pandas as pd
        names = list(self.expert_names_)
        columns = names if values.ndim == 2 else pd.MultiIndex.from_product(
            [names, list(self.classes_)], names=["expert", "class"])
        return _frame(values, columns, X)

    def _pandas_output(self):
        return getattr(self, "_sklearn_output_config", {}).get("transform") == "pandas"


class TaskGateOutputMixin(ExpertOutputMixin):
    """``set_output`` for the multi-task mixtures, whose ``predict_gate`` is of
    shape (n_samples, n_tasks, n_experts): a DataFrame of (task, expert)
    column pairs, tasks numbered as y's columns, experts named by
    ``_gate_expert_names()``.
    """

    def _gate_expert_names(self):
        return list(self.expert_names_)

    def _gates_as_output(self, values, X):
        if not self._pandas_output():
            return values
        import pandas as pd
        columns = pd.MultiIndex.from_product([range(values.shape[1]), self._gate_expert_names()],
                                             names=["task", "expert"])
        return _frame(values, columns, X)


def _frame(values, columns, X):
    """``values`` flattened to one row per sample, as a DataFrame of
    ``columns`` with X's index where X is a DataFrame."""
    import pandas as pd
    index = X.index if hasattr(X, "columns") and hasattr(X, "index") else None
    return pd.DataFrame(values.reshape(len(values), -1), columns=columns, index=index)


class ExpertInspectionMixin(ExpertOutputMixin):
    """``predict_gate``, ``expert_usage``, ``predict_experts`` and ``set_output``.

    For :class:`~skmoe.MixtureOfExpertsRegressor` and
    :class:`~skmoe.MixtureOfExpertsClassifier`, which provide ``_check_X``,
    ``_gate_weights(X)`` (the routed weights ``predict`` uses), ``_outputs(X)``,
    ``top_k``, ``experts_``, ``expert_names_`` and, for a classifier,
    ``classes_``.
    """

    def predict_gate(self, X):
        """Gate weights: how much each expert counts for each sample.

        With ``top_k`` these are the routed weights that ``predict`` uses:
        the k largest gate weights of each row, renormalised, zero elsewhere
        (``gate_.predict_proba`` gives the full softmax). With the default
        stacked gate these are the mixture's weights, the input-dependent
        gate blended with the constant blend (their shares in
        ``candidate_weights_``); where ``combiner_`` is fitted, ``predict``
        blends that mixture with the final blend's heads (the other
        ``candidate_weights_``: stacking's linear models, the best expert
        and, for a classifier, the class frequencies and StackingClassifier's
        head on the probabilities), so these weights are
        not the weight each expert's prediction gets in ``predict``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        weights : ndarray of shape (n_samples, n_experts)
            Rows sum to one; columns follow ``expert_names_``. A DataFrame
            (the experts' names as columns, X's index) after
            ``set_output(transform="pandas")``.
        """
        return self._as_output(self._gate_weights(self._check_X(X)), X)

    def expert_usage(self, X):
        """Share of the rows of ``X`` on which each expert is evaluated by predict.

        With ``top_k=None`` every expert sees every row (all ones); with
        ``top_k=k`` the shares sum to at most k: predict sends each row to
        its k experts of largest weight (random routing and capacity apply
        in training only), and skips one whose renormalised weight is
        exactly zero (a logit gap beyond float64's range), so no share is
        counted for an expert that is not called.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        usage : ndarray of shape (n_experts,)
            Columns follow ``expert_names_``.
        """
        X = self._check_X(X)
        if self.top_k is None:
            # The gate's view is checked as in predict_gate (an array of numbers
            # as text passed here, where predict and predict_gate refuse it).
            self._gate_view(X)
            return np.ones(len(self.experts_))
        return (self._gate_weights(X) > 0).mean(axis=0)

    def predict_experts(self, X):
        """Every expert's own prediction.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        predictions : ndarray
            (n_samples, n_experts) for the regressor; class probabilities of
            shape (n_samples, n_experts, n_classes) for the classifier. After
            ``set_output(transform="pandas")`` a DataFrame with X's index:
            the experts' names as columns, or (expert, class) pairs
            (a MultiIndex) for the classifier.
        """
        return self._as_output(self._outputs(self._check_X(X)), X)
