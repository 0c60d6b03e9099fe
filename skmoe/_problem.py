"""The problem a mixture's trainer solves: the data, the experts, the weights.

:class:`EMProblem` is built once per fit (``_moe``) and read by every
trainer -- EM (``_em``), the stacked gate (``_blend``), the joint gradient
trainer (``_gradient``): X as the experts get it and the gate's numeric
view, y (standardised for regression, so that rescaling y rescales the fit),
the sample weights, and the experts' cross-fitting
(:mod:`skmoe._crossfit`) with their likelihoods. :func:`fixed_outputs` gives
the experts' honest (out-of-fold) outputs and the models that predict.
"""

import copy
from functools import partial

import numpy as np
from sklearn.utils.validation import _get_feature_names

from ._base import fit_expert
from ._crossfit import (CrossFitAverage, cross_fit, expert_outputs, fit_predict, make_folds,
                        refit)
from ._data import check_target_scale, mean_and_scale, read_only_view
from ._likelihood import (PROBA_FLOOR, categorical_log_likelihood, check_not_diverging,
                          classification_outputs, gaussian_log_likelihood, noise_variances,
                          regression_outputs)

# Noise variances are floored at this fraction of var(y) (of one for constant
# targets) so no expert's variance collapses; relative, so EM is
# scale-equivariant in y.
VARIANCE_FLOOR = 1e-6


class EMProblem:
    """What EM needs to know about the data and the experts.

    Parameters
    ----------
    names, templates : list
        Expert names and unfitted estimators.
    X : ndarray of shape (n_samples, n_features)
        The gate's numeric view of the data (also what k-means starts from).
    y : ndarray of shape (n_samples,)
        Targets; encoded as 0..C-1 for classification.
    sample_weight : ndarray of shape (n_samples,)
    n_classes : int or None
        None for regression.
    homogeneous : bool
        Whether the experts are copies of one estimator.
    expert_X : array-like, DataFrame or sparse matrix, default=None
        X as the experts get it (the user's X, untouched); None: ``X``.
    """

    def __init__(self, names, templates, X, y, sample_weight, n_classes=None,
                 homogeneous=False, expert_X=None):
        self.names, self.templates = names, templates
        self.expert_X = X if expert_X is None else expert_X
        self.homogeneous = homogeneous
        # y and the weights read-only: the experts are fitted on them (an
        # expert that centred y in place changed what the others and the gate
        # learnt), and nothing else may change them during a fit.
        self.X, self.y = X, read_only_view(y)
        self.sample_weight = read_only_view(sample_weight)
        self.n_classes = n_classes
        self.is_classifier = n_classes is not None
        # The rows of the data given to fit that these are, where rows of zero
        # weight were left out (None: all), of how many; cv given as splits
        # refers to those.
        self.kept_rows, self.n_rows_given = None, len(y)
        if not self.is_classifier:
            # EM computes its likelihoods on standardised targets (float64), so
            # that rescaling y rescales the fit exactly (scale-equivariance).
            # Weighted by the user's weights, as the experts' fits weigh the
            # rows (unweighted, a row of weight 3 counted once in the scale,
            # and so in the variance floor and the gate's view of y).
            y = np.asarray(y, dtype=np.float64)
            self.y_mean, self.y_scale = mean_and_scale(y, sample_weight)
            check_target_scale(self.y_scale)
            self.y_standardised = read_only_view((y - self.y_mean) / self.y_scale)
        # In the units of y; EM floors standardised variances at VARIANCE_FLOOR.
        self.variance_floor = 0.0 if self.is_classifier else VARIANCE_FLOOR * self.y_scale ** 2

    @property
    def n_experts(self):
        return len(self.names)

    def subset(self, keep):
        """The same problem with only the experts ``keep`` (after a drop)."""
        sub = copy.copy(self)
        sub.names = [self.names[i] for i in keep]
        sub.templates = [self.templates[i] for i in keep]
        return sub

    def folds(self, cv, seed):
        """The cross-fitting folds, fixed for a whole run (None: in-sample).

        Every row must be in exactly one test fold: a splitter that leaves
        rows out (``ShuffleSplit``) would leave them without an out-of-fold
        prediction, and the gate would learn from uninitialised memory.
        """
        # (The mixtures' fit takes groups: a group splitter is told so.)
        return make_folds(cv, self.X, self.y, seed=seed, classifier=self.is_classifier,
                          check_partition=True, fit_takes_groups=True)

    def _fit(self):
        return partial(fit_expert, classes_needed=self.is_classifier,
                       n_classes=self.n_classes)

    def _predict(self):
        return partial(expert_outputs, n_classes=self.n_classes)

    def cross_fit(self, R, folds, parallel, seed, refit=False, keep_fold_fits=False):
        """Every expert fitted with weights ``R`` (times the user's), expert i seeded ``seed + i``.

        ``R=None``: the user's weights alone (no (n, M) array of ones and its
        product: 0.3x the size of a 20-column X at the peak of a 10^6-row fit).

        Returns a Bunch: ``outputs``, each row predicted by the fits that did
        not see it (in-sample when ``folds`` is None), and ``experts``, the
        fits on all rows (when ``refit`` or ``folds`` is None).
        """
        weights = self.sample_weight if R is None else R * self.sample_weight[:, None]
        return cross_fit(parallel, self.names, self.templates, self.expert_X, self.y,
                         folds, self._predict(), weights=weights,
                         seeds=[seed + i for i in range(self.n_experts)], fit=self._fit(),
                         refit=refit, keep_fold_fits=keep_fold_fits,
                         sample_weight=self.sample_weight)   # pruning by R alone

    def refit(self, R, parallel, seed):
        """Every expert fitted once on all rows with weights ``R`` (times the user's)."""
        return refit(parallel, self.names, self.templates, self.expert_X, self.y,
                     weights=R * self.sample_weight[:, None],
                     seeds=[seed + i for i in range(self.n_experts)], fit=self._fit(),
                     sample_weight=self.sample_weight)

    def fit_predict(self, i, train, test, weight, seed):
        """Fit expert i on rows ``train`` with ``weight`` (all rows, a multiple of the
        user's weights row by row); predict rows ``test``."""
        return fit_predict(self._fit(), self.names[i], self.templates[i], self.expert_X,
                           self.y,
                           train, test, weight, seed, {}, self._predict(),
                           sample_weight=self.sample_weight)

    def outputs(self, experts, X, names=None):
        names = self.names if names is None else names
        if self.is_classifier:
            return classification_outputs(names, experts, X, self.n_classes)
        return regression_outputs(names, experts, X)

    def standardise(self, outputs, names=None):
        """Regression predictions (n, M) in the units of ``y_standardised``;
        a diverging expert (``names``, default the problem's) is named."""
        if self.is_classifier:
            return outputs
        standardised = (outputs - self.y_mean) / self.y_scale
        check_not_diverging(standardised, self.names if names is None else names)
        return standardised

    def squared_residuals(self, outputs):
        """Regression: (n, M) squared residuals of standardised outputs, for
        :meth:`log_likelihood` and :meth:`variances` called many times on the
        same outputs; None for classification."""
        if self.is_classifier:
            return None
        return (self.y_standardised[:, None] - outputs) ** 2

    def log_likelihood(self, outputs, variances, residual2=None):
        """(n, M) log-likelihoods; regression: of standardised outputs and variances
        (``residual2``: :meth:`squared_residuals` of ``outputs``, if at hand)."""
        if self.is_classifier:
            return categorical_log_likelihood(self.y, outputs)
        return gaussian_log_likelihood(self.y_standardised, outputs, variances, residual2)

    def variances(self, outputs, weights, residual2=None):
        """Standardised noise variances (M-step), or None for classification."""
        if self.is_classifier:
            return None
        return noise_variances(self.y_standardised, outputs, weights, VARIANCE_FLOOR,
                               residual2)

    def unstandardise(self, log_likelihood, variances):
        """Log-likelihood and noise variances back in the units of y."""
        if self.is_classifier:
            return log_likelihood, variances
        return (log_likelihood - np.log(self.y_scale),
                None if variances is None else variances * self.y_scale ** 2)


def fixed_outputs(problem, fixed, cv, seed, parallel, refit=True):
    """Honest outputs of the experts ``fixed`` (positions), their final models,
    and the probabilities the floor raised.

    Out-of-fold outputs (``cv`` folds): standardised predictions (regression)
    or log-probabilities floored at ``PROBA_FLOOR`` (classification). The
    third value (classification; None for regression) is ``(index, values)``
    of the probabilities below the floor, ``index`` a tuple of arrays into
    the outputs: ``predict_proba`` reads the experts unfloored, and a figure
    of it from these outputs needs them.

    The final models are refits on all rows (``refit`` True or 1), each
    expert's fold fits averaged (False or 0;
    :class:`~skmoe._crossfit.CrossFitAverage`), or, for a share ``refit``
    strictly between 0 and 1, the refit with that weight and the fold fits
    with the rest.
    """
    n = len(problem.y)
    shape = (n, 0) + ((problem.n_classes,) if problem.is_classifier else ())
    if not fixed:
        return np.empty(shape), [], None
    sub = problem.subset(fixed)
    folds = sub.folds(cv, seed)
    share = float(refit) if folds is not None else 1.0
    fits = sub.cross_fit(None, folds, parallel, seed,
                         refit=share > 0, keep_fold_fits=share < 1)
    outputs, models = fits.outputs, fits.experts
    if share < 1:
        k = len(folds)
        models = [CrossFitAverage(fold_fits, problem.n_classes, name) if share == 0
                  else CrossFitAverage([model, *fold_fits], problem.n_classes, name,
                                       weights=np.r_[share, np.full(k, (1.0 - share) / k)])
                  for name, model, fold_fits in zip(sub.names, models or [None] * len(sub.names),
                                                    fits.fold_experts)]
        names = _get_feature_names(sub.expert_X)
        for model in models:
            # X's own column names, which the fits may not keep as given
            # (LightGBM's 'a b' is 'a_b'): predict checks X against them.
            model._feature_names_given = names
    if problem.is_classifier:
        index = np.nonzero(outputs < PROBA_FLOOR)
        return np.log(np.maximum(outputs, PROBA_FLOOR)), models, (index, outputs[index])
    return problem.standardise(outputs, sub.names), models, None
