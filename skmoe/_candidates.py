"""The candidates of the stacked gate besides the gate itself, and their blend.

The experts' best constant convex blend (:func:`constant_blend_logits`) is
where the gate starts and the first candidate. A convex gate cannot scale
its experts up, weigh one negatively or add an intercept, which stacking's
linear model can (on small data this matters),
nor let those unconstrained weights vary with the input, which
feature-weighted linear stacking (Sill et al., 2009) does.
:class:`LinearHead` fits both, and (classification) StackingClassifier's head,
a logistic regression on the experts' probabilities. :class:`ExpertHead`
is the best single expert alone, :class:`PriorHead` the class frequencies (classification: "no
signal"). Every candidate -- the experts' constant blend, the gate,
the heads -- predicts held-out folds it did not see
(:mod:`skmoe._blend`), and :func:`choose_candidates` fits the final
predictor on those honest predictions: the best convex blend of the
candidates, the experts' constant blend one level up. :class:`CandidateBlend`
applies it.
"""

import contextlib
import math

import numpy as np
from scipy.optimize import minimize
from scipy.special import softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold

from ._crossfit import _FOLD_CLASSES_WARNING
from ._data import standardisation, unequal_weights
from ._likelihood import PROBA_FLOOR as LIKELIHOOD_FLOOR
from ._likelihood import floored_renormalised, logsumexp_rows
from ._warnings import thread_filters
from ._routing import route_numpy

# Constant-blend logits are kept in [-LOGIT_BOUND, LOGIT_BOUND]: weights down
# to exp(-2 * LOGIT_BOUND) relative, i.e. an expert can be switched off.
LOGIT_BOUND = 15.0
# Probabilities are floored at this value before a log (the stacked gate's
# inputs, the heads' log-odds or log-probabilities).
PROBA_FLOOR = 1e-4
# A routed mixture's probabilities are floored at this (predict_proba), so
# routed_task_loss floors them the same way.
ROUTED_PROBA_FLOOR = LIKELIHOOD_FLOOR

# Ridge penalties searched (by leave-one-out, in standardised units) by LinearHead.
HEAD_ALPHAS = np.logspace(-3, 3, 13)
# The least share of the constant blend in the candidates' blend
# (benchmarks/results/gate_levers_round10.md).
CONSTANT_FLOOR = 0.02
# A regression head predicts at most this many times the experts' spread
# (their highest prediction minus their lowest, per row) beyond their highest
# or below their lowest, unless the training targets went further: a ridge
# over the experts' outputs extrapolates on rows unlike its training rows
# (AER::ArgentinaCPI, 80 rows of an exponential price index: the mixture's
# RMSE 1.13e9 against the best expert's 2.7e8; bounded, 1.09e8;
# benchmarks/results/gate_levers_round14.md).
REGRESSION_HEAD_BOUNDS = 1.0
# A feature-weighted classification head's features (standardised) may go this
# far beyond their training range before they are clipped: mild
# extrapolation helps it (wine: clipped at the range, +2.9 % log-loss over 10
# splits; with this margin -0.3 %), a column 552 sd out does not (MASS::oils).
FW_CLASSIFICATION_MARGIN = 1.0
# Feature-weighted head: at most this many meta-features (principal components
# beyond), at most this many product columns; its penalty grids.
FW_MAX_META = 20
FW_MAX_COLUMNS = 240
FW_ALPHAS = np.logspace(-3, 4, 15)
FW_CS = np.logspace(-3, 2, 6)
# The heads are fitted on at most this many rows (a fixed random subset; the
# public suite stays under it) and predict this many rows at a time: their
# memory stops growing with n.
HEAD_MAX_ROWS = 20_000
# The plain classification head is solved by Newton's method (scikit-learn's
# 'newton-cholesky') when it has at most this many coefficients: its Hessian
# is then tiny, and L-BFGS needed 800-1,000 iterations on nearly separable
# log-odds (a deep tree's), stopping at max_iter short of the optimum.
NEWTON_MAX_COEFFICIENTS = 256
# The constant blend is re-solved over the weights themselves when the
# softmax's answer could be improved by more than this share of its loss
# (its Frank-Wolfe gap), and that answer kept if it is better by as much
# (see constant_blend_logits).
BLEND_GAP_TOL = 1e-4


def _blend_loss(logits, out, y, w, regression):
    """Loss of the constant blend softmax(logits) and its gradient."""
    g = softmax(logits)
    if regression:
        residual = out @ g - y                                          # (n,)
        loss = (w * residual ** 2).sum()
        d_g = 2.0 * (w * residual) @ out                                # (M,)
        grad = g * (d_g - g @ d_g)
    else:
        # out: log p_i(y_n | x_n), (n, M)
        joint = out + np.log(np.maximum(g, 1e-300))
        # Not scipy's logsumexp: the level-2 blend on a small classification
        # set calls this ~1,000 times, and its checks were half the fit on iris.
        mix = logsumexp_rows(joint)[0]
        loss = -(w * mix).sum()
        posterior = np.exp(joint - mix[:, None])
        grad = -(w[:, None] * (posterior - g)).sum(axis=0)
    return loss, grad


def _blend_loss_in_weights(g, out, y, w, regression):
    """Loss of the constant blend with weights ``g`` and its gradient in ``g``."""
    if regression:
        residual = out @ g - y
        return (w * residual ** 2).sum(), 2.0 * (w * residual) @ out
    top = out.max(axis=1)
    e = np.exp(out - top[:, None])                                      # (n, M)
    mix = np.maximum(e @ g, 1e-300)
    return -(w * (np.log(mix) + top)).sum(), -(w / mix) @ e


def _simplex_blend_logits(out, y, w, regression):
    """Logits of the best constant blend solved over the weights on the simplex
    (SLSQP; the loss is convex there), within the logits' bounds."""
    M = out.shape[1]
    result = minimize(_blend_loss_in_weights, np.full(M, 1.0 / M),
                      args=(out, y, w, regression), jac=True, method="SLSQP",
                      bounds=[(0.0, 1.0)] * M,
                      constraints=[{"type": "eq", "fun": lambda g: g.sum() - 1.0,
                                    "jac": lambda g: np.ones(M)}],
                      options={"ftol": 1e-15, "maxiter": 1000})
    g = np.clip(result.x, 0.0, None)
    g = g / g.max() if g.max() > 0 else np.ones(M)
    # Weights under 1e-6 of the largest are dropped: only an expert far off
    # the target's scale moves the loss with one (a million sds off: a weight
    # of 4e-8 fitted its sign to a few hundred rows), and it must get no say
    # (the softmax's bounded logits give it none). The rest relative to the
    # largest, floored as the bounded logits floor them.
    g[g < 1e-6] = 0.0
    return np.log(np.maximum(g, math.exp(-2 * LOGIT_BOUND))) + LOGIT_BOUND


def picked_log_likelihood(fixed_out, y):
    """log p_i(y_n | x_n) (n, M) from the trainer's (n, M, C) log-probabilities."""
    return fixed_out[np.arange(len(y)), :, y]


def constant_blend_logits(out, y, w, regression):
    """Logits of the best constant convex blend of the experts.

    Parameters
    ----------
    out : ndarray
        Out-of-fold outputs: standardised predictions (n, M) for regression;
        each expert's log-likelihood of the true class (n, M) otherwise.
    y : ndarray of shape (n,)
        Standardised targets (regression; ignored otherwise).
    w : ndarray of shape (n,)
        Sample weights.
    regression : bool
        Squared error of the blended mean, or log-loss of the blend.

    Returns
    -------
    logits : ndarray of shape (M,)
        Centred logits; ``softmax(logits)`` are the weights.
    """
    w = w / max(w.sum(), 1e-300)
    M = out.shape[1]
    result = minimize(_blend_loss, np.zeros(M), args=(out, y, w, regression), jac=True,
                      method="L-BFGS-B", bounds=[(-LOGIT_BOUND, LOGIT_BOUND)] * M,
                      # Tight: a weight near zero sits where the gradient is tiny.
                      options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000})
    logits = result.x
    # The softmax saturates: a quasi-Newton step can land with one logit at
    # its bound, where every other weight's gradient is ~1e-9, and L-BFGS
    # stops there (plm::RiceFarms: all the weight on the ridge, loss 0.1390
    # against 0.1349 at the optimum). The loss is convex in the weights, so
    # their Frank-Wolfe gap bounds how much better the blend could be; where
    # it is not small, the blend is solved over the weights too, and kept if
    # it is better by as much. (The gap alone is loose: an expert a million
    # sds off scale makes it large at the optimum.)
    loss, d_g = _blend_loss_in_weights(softmax(logits), out, y, w, regression)
    margin = BLEND_GAP_TOL * max(abs(loss), 1e-12)
    if softmax(logits) @ d_g - d_g.min() > margin:
        other = _simplex_blend_logits(out, y, w, regression)
        if _blend_loss(other, out, y, w, regression)[0] < loss - margin:
            logits = other
    return logits - logits.mean()


@contextlib.contextmanager
def _head_fit_warnings_silenced():
    """Silence two scikit-learn warnings of a head's logistic fits, about
    nothing the user chose or can mend.

    ConvergenceWarning: a penalty search may stop short on a few of its grid
    points ("lbfgs failed to converge" reached the user 21 times in one
    cross-validated fit on modeldata::hpc_data, 4 classes). And "The number
    of unique classes is greater than 50% of the number of samples. `y` could
    represent a regression problem": about the rows of a cross-fitting fold
    or of a search's fold (30 classes in 70 rows gave it 10 times per fit),
    not the user's y; a y that earns it still gets it from the experts' fits
    on all rows.
    """
    with thread_filters(("ignore", "", ConvergenceWarning),
                        ("ignore", _FOLD_CLASSES_WARNING, UserWarning)):
        yield


class LinearHead:
    """Stacking's final model over the experts' outputs, optionally feature-weighted.

    Plain (``feature_weighted=False``): regression is a ridge regression
    (penalty by leave-one-out) on the experts' standardised predictions, with
    an intercept; classification a logistic regression on the experts'
    log-odds (two classes) or log-probabilities (``log_inputs``, the
    default), or on their probabilities (the first class dropped for two
    classes) as :class:`~sklearn.ensemble.StackingClassifier` does. On
    log-odds the head is a log-linear pool: it can sharpen experts that are
    right but under-confident (an expert's log-odds times 3 is one
    coefficient), which no blend of probabilities can. Measured on the
    public suite (``benchmarks/results/head_inputs.md``): wine's log-loss
    0.0345 -> 0.0217, the other eight classification sets within 2 %.

    Feature-weighted (Sill et al., 2009, "feature-weighted linear stacking"):
    each expert's weight is an affine function of the input, so the model is
    linear in the products of the experts' outputs with ``[1, m(x)]``, where
    ``m(x)`` are the standardised columns of X (or their first principal
    components where there are many; clipped at 3 sd). For classification the
    outputs are log-odds (two classes) or log-probabilities. The products are
    standardised; the penalty is chosen by leave-one-out (ridge) or by a
    3-fold search on the rows it is first fitted on (logistic; ``C`` then
    reused for the per-fold fits).

    Parameters
    ----------
    regression : bool
    y_mean, y_scale : float
        Standardisation of the regression predictions and targets.
    feature_weighted : bool
    C : float or None
        Logistic penalty of a classification head. None: a feature-weighted
        head's is searched at fit; a plain head's is 1, or searched as
        ``plain_C`` says.
    log_inputs : bool
        Plain classification head: log-odds (True) or probabilities.
    centre : bool
        Plain classification head: its inputs centred (the same optimum,
        reached in fewer iterations; False only for the ablation benchmark).
    bounds : {"lower", "experts"}, float or None
        Classification: what the head may say against the experts. "lower"
        (the library's): each class gets at least the lowest probability any
        expert gives it, then the row is renormalised -- the head may sharpen
        what the experts agree on, but not rule out a class more firmly than
        every one of them does. A logistic model over log-probabilities
        (times the inputs, feature-weighted) extrapolates: on rows unlike its
        training rows it gave 0.99 to a class no expert gave more than 0.27
        (palmerpenguins, scikit-learn's unshuffled 3-fold split: log-loss
        0.351, the experts' best 0.053; with the bound 0.107).
        ``benchmarks/results/head_bounds.md``. "experts": within the experts'
        lowest and highest probability; a float ``f``: within ``f`` times
        that range; None: unbounded (these three for the ablation benchmark).
    regression_bounds : float or None
        Regression: the prediction is kept within the experts' lowest and
        highest prediction for the row, widened on each side by this many
        times their difference, or within the training targets' range where
        that is wider (the library's: ``REGRESSION_HEAD_BOUNDS``; None:
        unbounded, for the ablation benchmark).
    beyond_range : {"plain", "clip"} or None
        Feature-weighted head, on rows unlike its training rows. Each product
        of an expert's output with a meta-feature is kept within the range it
        had on the head's training rows, and a row whose products lie outside
        that range gets a share of the plain head's prediction (a plain head
        fitted on the same rows): the distance outside, in units of the
        range's width, at most 1 ("plain", the library's). The head's weights
        vary with the input as far as they were fitted to, and no further:
        where one expert extrapolates wildly its products leave their range,
        and the head would amplify it (wooldridge::k401k, a participation
        rate in [0, 100]: the ridge expert predicted -162 on a row with
        89,000 employees, the head -239, the mixture -147; true 3.0); where
        the experts' trend goes on (AER::ArgentinaCPI's index), the plain
        head follows it as Stacking's would. "clip": the products clipped
        only; None: neither (these two for the ablation benchmark).
        ``benchmarks/results/gate_levers_round16.md``.

        A classification head clips every feature, the experts' own columns
        too, ``FW_CLASSIFICATION_MARGIN`` (1 sd) beyond its training range,
        for any value but None ("products": the products only, for the
        ablation benchmark); it has no plain head (its probabilities are
        bounded, ``bounds``). Its inputs are floored log-probabilities, but
        standardised they can run off: on 48 rows of 7 classes
        (MASS::oils) LightGBM's out-of-fold probabilities were its folds'
        class frequencies (it cannot split 38 rows), its refit's were not,
        and a column of spread 0.0126 came out 552 sd from its mean; the
        head gave 0.999 to a class every expert gave under 0.03.
        ``benchmarks/results/gate_levers_round17.md``.
    plain_C : {"many"} or None, default=None
        Plain classification head with ``C=None``: "many" (the library's,
        ``LEVERS["plain_head_C"]``) searches its penalty where its
        coefficients (features x classes) outnumber its rows, C=1 elsewhere;
        None: always C=1. On USRegionalMortality's 10 causes of death (300
        rows, 400 coefficients) C=1 overfit, the search chose 0.01: the
        mixture's log-loss 1.4505 -> 1.3561 (Stacking 1.3711); no other set
        of 55 measured moved. ``benchmarks/results/gate_levers_round18.md``.
    columns : ndarray of int or None, default=None
        Classification: the classes whose outputs it reads, those with rows
        of positive weight (None: all). A class of weight zero everywhere is
        one every expert gives 0: read, three classes with one empty were
        not the two of the fit without its rows (log-probabilities, not
        log-odds; the floor's products with X gave the feature-weighted head
        X itself). Its probability stays 0 (``predict_proba``).
    """

    def __init__(self, regression, y_mean=0.0, y_scale=1.0, feature_weighted=False, C=None,
                 log_inputs=True, centre=True, bounds=None, regression_bounds=None,
                 beyond_range="plain", columns=None, plain_C=None):
        self.regression, self.y_mean, self.y_scale = regression, y_mean, y_scale
        self.plain_C = plain_C
        self.columns = columns
        self.feature_weighted, self.C, self.log_inputs = feature_weighted, C, log_inputs
        self.centre, self.bounds = centre, bounds
        self.regression_bounds = regression_bounds
        self.beyond_range = beyond_range

    def _base(self, outputs):
        if self.regression:
            return (outputs - self.y_mean) / self.y_scale
        columns = getattr(self, "columns", None)   # (None in heads pickled before it)
        if columns is not None:
            outputs = outputs[:, :, columns]
        # (Heads pickled before log_inputs existed read probabilities.)
        if not (self.feature_weighted or getattr(self, "log_inputs", False)):
            if outputs.shape[2] == 2:
                return outputs[:, :, 1]
            return outputs.reshape(len(outputs), -1)
        log_p = np.log(np.clip(outputs, PROBA_FLOOR, 1.0))
        if outputs.shape[2] == 2:
            return log_p[..., 1] - log_p[..., 0]
        return log_p.reshape(len(outputs), -1)

    def _meta(self, X):
        Z = np.clip(np.nan_to_num((X - self.meta_mean_) / self.meta_scale_), -3.0, 3.0)
        if self.meta_components_ is not None:
            Z = np.clip(Z @ self.meta_components_, -3.0, 3.0)
        return Z

    def _fit_meta(self, X, n_base, sample_weight=None):
        # (NaN ignored; safe for columns of 1e-200 or 1e200.) Weighted by the
        # user's weights, as the head's fit weighs the rows (None: equal).
        self.meta_mean_, self.meta_scale_ = standardisation(X, sample_weight)
        n_meta = min(FW_MAX_META, X.shape[1], max(0, FW_MAX_COLUMNS // n_base - 1))
        self.meta_components_ = None
        if n_meta < X.shape[1]:
            Z = np.clip(np.nan_to_num((X - self.meta_mean_) / self.meta_scale_), -3.0, 3.0)
            # Whitened principal directions (an SVD of the centred rows; each
            # row scaled by the root of its weight relative to the mean, so
            # that a row of weight 3 counts as its three copies).
            if sample_weight is None:
                Zc = Z - Z.mean(axis=0)
            else:
                Zc = ((Z - np.average(Z, axis=0, weights=sample_weight))
                      * np.sqrt(sample_weight / sample_weight.mean())[:, None])
            _, s, vt = np.linalg.svd(Zc, full_matrices=False)
            s = np.maximum(s[:n_meta], 1e-12) / math.sqrt(max(len(Z) - 1, 1))
            self.meta_components_ = vt[:n_meta].T / s
        return self

    def _products(self, B, X):
        """``[B, B * m(x)]``: the base outputs and their products with the meta-features."""
        m = self._meta(X)
        return np.hstack([B, (B[:, :, None] * m[:, None, :]).reshape(len(B), -1)])

    def _unclipped_features(self, X, outputs):
        B = self._base(outputs)
        if not self.feature_weighted:
            # (Heads pickled before base_mean_ existed read uncentred outputs.)
            return B - getattr(self, "base_mean_", 0.0)
        return (self._products(B, X) - self.feature_mean_) / self.feature_scale_

    def _clipped(self, features):
        # (None in heads pickled before products were clipped.)
        product_range = getattr(self, "product_range_", None)
        return features if product_range is None else np.clip(features, *product_range)

    def _features(self, X, outputs):
        return self._clipped(self._unclipped_features(X, outputs))

    def fit(self, X, outputs, y, sample_weight, warm_from=None, y_range=None):
        """Fit on the gate's X, raw expert outputs and targets (standardised for
        regression).

        ``y_range``: regression, the (lowest, highest) target of the rows of
        positive weight that the rows given were taken from (a fold's head is
        given a subset of its rows on large data); by default, of the rows given.

        ``warm_from``: a classification head of the same kind already fitted
        on these rows' superset (the head on all rows, for a fold's head): its
        coefficients start the solver. The objective is the same (and
        strictly convex), so is its optimum. (On few rows the log-odds of a
        tree or k-NN are nearly separable: from zero, L-BFGS took 800 to
        1,000 iterations per fold, 60 % of a 214-row, 6-class fit; a head
        of at most ``NEWTON_MAX_COEFFICIENTS`` coefficients is now solved
        by Newton's method instead.)

        On more than ``HEAD_MAX_ROWS`` rows, on a fixed random subset of that
        many: a few hundred coefficients need no more, and the products of
        the feature-weighted head would otherwise hold n x (M (d + 1))
        floats, several times over (a 10^6-row fit peaked at 18x the data).
        """
        if self.regression:
            # (Before the subset below: the targets' range is that of every row.)
            self.y_range_ = target_range(y, sample_weight) if y_range is None else y_range
        rows = head_rows(len(y))
        if rows is not None:
            X, outputs, y, sample_weight = X[rows], outputs[rows], y[rows], sample_weight[rows]
        from sklearn.linear_model import LogisticRegression
        B = self._base(outputs)
        if self.feature_weighted:
            # The standardisations weighted by the user's weights (unweighted,
            # rows of weight 1e-9 far out set them); equal weights: unweighted,
            # bit for bit.
            weight = unequal_weights(sample_weight)
            self._fit_meta(X, B.shape[1], weight)
            products = self._products(B, X)
            if weight is None:
                self.feature_mean_ = products.mean(axis=0)
                scale = products.std(axis=0)
            else:
                self.feature_mean_ = np.average(products, axis=0, weights=weight)
                scale = np.sqrt(np.average((products - self.feature_mean_) ** 2, axis=0,
                                           weights=weight))
            self.feature_scale_ = np.where(scale > 0, scale, 1.0)
            features = (products - self.feature_mean_) / self.feature_scale_
        else:
            # Centred (classification): the intercept is not penalised, so the
            # optimum and the predictions are the same. On log-probabilities
            # (means near -5) L-BFGS stopped at max_iter=1000 short of it (15
            # classes: objective 0.7 % above; 26 classes on 6,000 rows: a
            # third of the fit).
            self.base_mean_ = (B.mean(axis=0) if self.centre and not self.regression
                               else np.zeros(B.shape[1]))
            features = B - self.base_mean_
        self.product_range_, self.plain_ = None, None
        if self.feature_weighted and self.beyond_range is not None:
            # The features' range on these rows. Regression: the products only
            # (the experts' own columns unbounded: a plain head follows them
            # too). Classification: the experts' columns too -- standardised,
            # a floored log-probability runs off where an expert's
            # out-of-fold outputs barely varied and its refit's do not.
            lo, hi = features.min(axis=0), features.max(axis=0)
            if not self.regression:
                lo, hi = lo - FW_CLASSIFICATION_MARGIN, hi + FW_CLASSIFICATION_MARGIN
            if self.regression or self.beyond_range == "products":
                lo[:B.shape[1]], hi[:B.shape[1]] = -np.inf, np.inf
            self.product_range_ = (lo, hi)
            if self.regression and self.beyond_range == "plain":
                self.plain_ = LinearHead(
                    self.regression, self.y_mean, self.y_scale, log_inputs=self.log_inputs,
                    centre=self.centre, bounds=self.bounds,
                    regression_bounds=self.regression_bounds).fit(
                    X, outputs, y, sample_weight, y_range=getattr(self, "y_range_", None),
                    warm_from=getattr(warm_from, "plain_", None))
        if self.regression:
            alphas = FW_ALPHAS if self.feature_weighted else HEAD_ALPHAS
            self.model_ = LeaveOneOutRidge().fit(features, y, sample_weight, alphas)
            return self
        if not self.feature_weighted:
            classes = np.unique(y)
            n_coefficients = features.shape[1] * (len(classes) if len(classes) > 2 else 1)
            C = 1.0 if self.C is None else self.C
            if getattr(self, "plain_C", None) == "many" and self.C is None:
                # More coefficients than rows: unpenalised, the head is not
                # identified, and C=1 overfits (10 classes of 300 rows: 400
                # coefficients, out-of-fold log-loss near the class
                # frequencies'). Its C is searched there, as the
                # feature-weighted head's; the fold heads reuse the choice.
                if n_coefficients > len(y):
                    C = self._search_C(features, y, sample_weight)
                self.C = C
            self.model_ = LogisticRegression(
                C=C, max_iter=1000, solver=("newton-cholesky" if n_coefficients
                                       <= NEWTON_MAX_COEFFICIENTS else "lbfgs"))
            start = getattr(warm_from, "model_", None)
            if start is not None and np.array_equal(classes, start.classes_):
                self.model_.set_params(warm_start=True)
                self.model_.coef_ = start.coef_.copy()
                # The same logits as the start's on every row: its intercept
                # moved from its centring to this one.
                self.model_.intercept_ = start.intercept_ + start.coef_ @ (
                    self.base_mean_ - warm_from.base_mean_)
        else:
            C = self._search_C(features, y, sample_weight) if self.C is None else self.C
            self.C = C
            self.model_ = LogisticRegression(C=C, max_iter=300)
            start = getattr(warm_from, "model_", None)
            # (On fewer rows than features the fold's rows span fewer meta
            # directions than all rows do: its products have fewer columns.)
            if (start is not None and np.array_equal(np.unique(y), start.classes_)
                    and start.coef_.shape[1] == features.shape[1]):
                # The full head's coefficients, as they are: a fold's products
                # are standardised on nine tenths of the same rows, so they are
                # nearly the same columns in nearly the same units. Only the
                # start moves; the (strictly convex) objective does not.
                self.model_.set_params(warm_start=True)
                self.model_.coef_ = start.coef_.copy()
                self.model_.intercept_ = start.intercept_.copy()
        with _head_fit_warnings_silenced():
            self.model_.fit(features, y, sample_weight=sample_weight)
        return self

    @staticmethod
    def _search_C(features, y, sample_weight):
        """The logistic penalty with the lowest 3-fold log-loss on these rows."""
        scores = penalty_path(features, y, sample_weight, stop=first_past_the_best)
        return 1.0 if scores is None else float(FW_CS[_most_regularised_best(scores)])

    @property
    def n_parameters(self):
        """Fitted coefficients and intercepts (for ``bic``/``aic``).

        A multinomial head (more than two classes) is a softmax over one row
        of coefficients per class, one row fixed by the others: ``(C - 1)(p
        + 1)`` free parameters, as ``bic`` counts a multinomial
        ``LogisticRegression`` expert's (``_selection._expert_parameters``;
        all ``C (p + 1)`` were counted, 7 more on 3 classes of 6 inputs).
        """
        coef = np.atleast_2d(self.model_.coef_)
        count = int(np.size(coef) + np.size(self.model_.intercept_))
        if not self.regression and coef.shape[0] > 1:
            count -= coef.shape[1] + 1
        plain = getattr(self, "plain_", None)          # (beyond the products' range)
        return count + (0 if plain is None else plain.n_parameters)

    def _in_chunks(self, method, X, outputs):
        """``model_.<method>`` on the features, built ``HEAD_MAX_ROWS`` rows at a time."""
        call = getattr(self.model_, method)
        parts = [call(self._features(X[start:start + HEAD_MAX_ROWS],
                                     outputs[start:start + HEAD_MAX_ROWS]))
                 for start in range(0, len(outputs), HEAD_MAX_ROWS)]
        return np.concatenate(parts) if parts else call(self._features(X, outputs))

    def _plain_share(self, X, outputs):
        """Per row, the plain head's share of the prediction (None: none anywhere).

        How far the row's products lie outside their training range, in
        units of that range's width (its farthest product), at most 1: a row
        inside the range is the feature-weighted head's, a row a range's
        width or more beyond it the plain head's, and the change between is
        continuous.
        """
        if getattr(self, "plain_", None) is None:
            return None
        share = np.concatenate(
            [self._share_of(self._unclipped_features(X[start:start + HEAD_MAX_ROWS],
                                                     outputs[start:start + HEAD_MAX_ROWS]))
             for start in range(0, len(outputs), HEAD_MAX_ROWS)] or [np.zeros(0)])
        return share if share.any() else None

    def _share_of(self, features):
        """:meth:`_plain_share` of rows whose unclipped features are ``features``."""
        lo, hi = self.product_range_
        width = hi - lo
        columns = np.isfinite(width) & (width > 0)     # (constant products: coefficient ~0)
        if not columns.any():
            return np.zeros(len(features))
        products = features[:, columns]
        beyond = np.maximum(products - hi[columns], lo[columns] - products)
        return np.clip((beyond / width[columns]).max(axis=1), 0.0, 1.0)

    def predict_standardised(self, X, outputs):
        """Regression: the prediction in standardised units."""
        if getattr(self, "plain_", None) is None:
            return self._bounded_standardised(X, outputs)
        # The products once a block of rows: the feature-weighted head reads
        # them clipped, the plain head's share how far they are out.
        prediction, share = np.empty(len(outputs)), np.empty(len(outputs))
        for start in range(0, len(outputs), HEAD_MAX_ROWS):
            rows = slice(start, start + HEAD_MAX_ROWS)
            features = self._unclipped_features(X[rows], outputs[rows])
            prediction[rows] = self.model_.predict(self._clipped(features))
            share[rows] = self._share_of(features)
        prediction = self._bounded(prediction, outputs)
        if share.any():
            prediction = ((1.0 - share) * prediction
                          + share * self.plain_.predict_standardised(X, outputs))
        return prediction

    def _bounded_standardised(self, X, outputs):
        return self._bounded(self._in_chunks("predict", X, outputs), outputs)

    def _bounded(self, prediction, outputs):
        """The regression bound (``regression_bounds``) on standardised predictions."""
        widen = getattr(self, "regression_bounds", None)
        if widen is None:
            return prediction
        base = self._base(outputs)                                        # (n, M)
        lo, hi = base.min(axis=1), base.max(axis=1)
        margin = widen * (hi - lo)
        lo, hi = lo - margin, hi + margin
        y_range = getattr(self, "y_range_", None)
        if y_range is not None:
            # What the training targets reached stays allowed: a head may
            # weigh an expert far outside [0, 1] where y goes that far
            # (y = x0 (1.5 + x1) from the experts x0 and 0).
            lo, hi = np.minimum(lo, y_range[0]), np.maximum(hi, y_range[1])
        return np.clip(prediction, lo, hi)

    def predict(self, X, outputs):
        """Regression: the prediction in y's units."""
        return self.predict_standardised(X, outputs) * self.y_scale + self.y_mean

    def predict_proba(self, X, outputs, n_classes):
        """Classification: probabilities over all ``n_classes`` encoded classes."""
        proba = np.zeros((len(outputs), n_classes))
        proba[:, self.model_.classes_] = self._in_chunks("predict_proba", X, outputs)
        bounds = getattr(self, "bounds", None)      # (None in heads pickled before it)
        if bounds is None:
            return proba
        lo = outputs.min(axis=1)                                          # (n, C)
        columns = getattr(self, "columns", None)
        if columns is not None:
            # A class of no row stays at 0: in training the experts' outputs
            # are floored (at 1e-6), and that floor was its lower bound.
            lo = np.where(np.isin(np.arange(n_classes), columns), lo, 0.0)
        if bounds == "lower":
            proba = np.maximum(proba, lo)
        else:
            hi = outputs.max(axis=1)
            if bounds != "experts":                                       # a factor
                lo, hi = lo / bounds, np.minimum(1.0, hi * bounds)
            proba = np.clip(proba, lo, hi)
        total = proba.sum(axis=1, keepdims=True)
        return proba / np.where(total > 0, total, 1.0)


def target_range(y, sample_weight):
    """(lowest, highest) of the targets of positive weight, or None if none."""
    seen = np.asarray(y)[np.asarray(sample_weight) > 0]
    return (float(seen.min()), float(seen.max())) if len(seen) else None


def head_rows(n):
    """The fixed random subset of ``HEAD_MAX_ROWS`` of ``n`` rows a head is fitted
    on (sorted), or None when ``n`` is not larger. Index the rows with it
    before handing them to :meth:`LinearHead.fit` to spare a copy of all of them."""
    if n <= HEAD_MAX_ROWS:
        return None
    return np.sort(np.random.RandomState(0).choice(n, HEAD_MAX_ROWS, replace=False))


def first_past_the_best(scores, j):
    """:func:`penalty_path`'s stop at the first penalty worse than its best.

    The lighter penalties take the solver longest (on lme4::VerbAgg, 240
    products of 3,750 rows, the search was half the mixture's fit), and a
    cross-validated loss over a penalty path rises once past its minimum.
    Stopping two past it (round 17) made the same choice on all 26 searches
    instrumented (the suite's sets and round 22's multiclass ones) but spent
    the path's costliest fits on a penalty never chosen
    (benchmarks/results/fw_search_speed.md).
    """
    return j >= 1 and scores[j] > scores[:j].min()


def penalty_path(features, y, sample_weight, stop=None):
    """The 3-fold weighted log-loss of a logistic regression at each penalty
    of ``FW_CS``, from the most regularised, until ``stop(scores, j)`` says
    to stop after penalty ``j`` (the penalties not fitted stay inf); None
    where a class has a single row (no stratified folds).
    """
    from sklearn.linear_model import LogisticRegression

    counts = np.bincount(y)
    n_folds = int(min(3, counts[counts > 0].min()))
    if n_folds < 2:
        return None
    folds = [(train, test) for train, test in
             StratifiedKFold(n_folds, shuffle=True, random_state=0).split(features, y)
             if len(np.unique(y[train])) >= 2]
    # Along the path, from the most regularised penalty, each fold's fit
    # starting from its previous one's coefficients (warm_start): the same
    # optima up to the solver's tolerance, and on iris a fifth less time (the
    # search was a quarter of a small classification fit).
    models = [LogisticRegression(max_iter=300, warm_start=True) for _ in folds]
    scores = np.full(len(FW_CS), np.inf)
    for j, C in enumerate(FW_CS):
        scores[j] = 0.0
        for (train, test), model in zip(folds, models):
            with _head_fit_warnings_silenced():
                model.set_params(C=C).fit(features[train], y[train],
                                          sample_weight=sample_weight[train])
            proba = np.full((len(test), counts.size), 1e-300)
            proba[:, model.classes_] = model.predict_proba(features[test])
            scores[j] -= sample_weight[test] @ np.log(np.maximum(
                proba[np.arange(len(test)), y[test]], 1e-300))
        if stop is not None and stop(scores, j):
            break
    return scores


def _most_regularised_best(errors):
    """Index of the first (most regularised) penalty whose error is the best
    up to rounding: a tie must not be broken by the last digit (rescaling y
    would change the choice)."""
    errors = np.asarray(errors, dtype=float)
    # A penalty whose leave-one-out error is undefined (on three rows a
    # barely penalised ridge predicts each left-out row from a fit that
    # interpolates the others: 0/0) is never the best; with none defined,
    # the most regularised.
    errors = np.where(np.isfinite(errors), errors, np.inf)
    best = errors.min()
    if not np.isfinite(best):
        return 0
    return int(np.flatnonzero(errors <= best + 1e-9 * abs(best) + 1e-12)[0])


class LeaveOneOutRidge:
    """Ridge regression with an unpenalised intercept, its penalty chosen by
    the weighted leave-one-out error.

    The penalty is the one of ``alphas`` with the lowest weighted mean
    squared leave-one-out residual, ties going to the largest
    (:func:`_most_regularised_best`). The criterion and the fit are
    scikit-learn's ``RidgeCV(alphas, store_cv_results=True)`` followed by
    ``Ridge(alpha)`` (its "efficient leave-one-out": the hat matrix's
    diagonal from one decomposition of the weighted, centred design), computed
    here in closed form from that one decomposition: sklearn's two estimators
    took 3-5 ms per fit on a few hundred rows (a fifth of a small mixture's
    heads, which are fitted once per gate fold) and a second on 15,000 rows
    of 240 columns.

    Attributes
    ----------
    alpha_ : float
    cv_errors_ : ndarray of shape (len(alphas),)
        Weighted mean squared leave-one-out residual of each penalty:
        ``mean(w_i * (y_i - f_{-i}(x_i)) ** 2)``, ``f_{-i}`` fitted without row i.
    coef_ : ndarray of shape (p,)
    intercept_ : float
    """

    def fit(self, X, y, sample_weight, alphas):
        w = np.asarray(sample_weight, dtype=float)
        total = w.sum()
        x_mean = (w @ X) / total
        y_mean = float(w @ y) / total
        root_w = np.sqrt(w)
        Xs = (X - x_mean) * root_w[:, None]
        ys = (y - y_mean) * root_w
        n, p = Xs.shape
        if n > p:
            # Eigenvectors of the Gram matrix: Xs = Q V^T with Q = Xs V.
            eigenvalues, V = np.linalg.eigh(Xs.T @ Xs)
            eigenvalues = np.maximum(eigenvalues, 0.0)
            Q = Xs @ V
            squares = eigenvalues
        else:
            U, s, Vt = np.linalg.svd(Xs, full_matrices=False)
            Q, V, squares = U * s, Vt.T, s ** 2
        projected = Q.T @ ys
        Q2 = Q ** 2
        # The intercept's direction (sqrt(w), orthogonal to the centred
        # columns) is unpenalised: its share of the hat matrix's diagonal.
        intercept_leverage = w / total
        errors = np.empty(len(alphas))
        with np.errstate(divide="ignore", invalid="ignore"):
            for j, alpha in enumerate(alphas):
                shrink = 1.0 / (squares + alpha)
                fitted = Q @ (shrink * projected)
                leverage = Q2 @ shrink + intercept_leverage
                errors[j] = np.mean(((ys - fitted) / (1.0 - leverage)) ** 2)
        self.cv_errors_ = errors
        best = len(alphas) - 1 - _most_regularised_best(errors[::-1])
        self.alpha_ = float(alphas[best])
        self.coef_ = V @ (projected / (squares + self.alpha_))
        self.intercept_ = y_mean - float(x_mean @ self.coef_)
        return self

    def predict(self, X):
        return X @ self.coef_ + self.intercept_


class ExpertHead:
    """One expert alone, as a candidate of the final blend.

    The expert with the lowest held-out loss (:func:`best_expert`): the
    first pick of Caruana's selection, and what a user would fall back to. It
    is a candidate of its own because the level-2 blend can then give it the
    share it earns on the held-out rows; the experts' constant blend only
    reaches it with every other weight at zero. Measured on the suite's
    pool (5 splits): breast_cancer 0.0981 -> 0.0942 log-loss, boston
    3.713 -> 3.675 RMSE; wine 0.0206 -> 0.0219, iris 0.0772 -> 0.0787
    (``benchmarks/results/gate_levers_round4.md``).

    Parameters
    ----------
    index : int
        The expert's position.
    """

    n_parameters = 0      # (for ``bic``/``aic``: the expert's are counted as the expert's)

    def __init__(self, index):
        self.index = index

    def predict(self, X, outputs):
        """Regression: the expert's prediction in y's units."""
        return outputs[:, self.index]

    def predict_proba(self, X, outputs, n_classes):
        """Classification: the expert's probabilities, clipped to [0, 1] and
        renormalised as the mixture's are (:func:`~skmoe._likelihood.mix_probabilities`).

        An expert's float32 probabilities (a LogisticRegression fitted on
        float32 X) sum to one only to float32's rounding; given its share as
        they were, the final blend's rows summed to 1 +- 2.9e-8 and
        scikit-learn's log_loss warned "The y_prob values do not sum to one".
        """
        proba = np.clip(outputs[:, self.index], 0.0, 1.0)
        return proba / proba.sum(axis=1, keepdims=True)


class PriorHead:
    """The class frequencies of the training rows, on every row: a candidate
    of the final blend that says "no signal".

    Where every expert is confidently wrong on a few held-out rows, or the
    inputs carry little about the class, the level-2 blend can move weight
    to the marginal distribution, which the other candidates reach only
    approximately (a heavily penalised logistic head) or not at all. On 37
    small classification sets outside the suite: -0.3 % log-loss on the mean,
    up to -3.4 % (``benchmarks/results/gate_levers_round11.md``).

    Parameters
    ----------
    frequencies : ndarray of shape (n_classes,)
        The (weighted) class frequencies, summing to 1.
    """

    def __init__(self, frequencies):
        self.frequencies = frequencies

    @property
    def n_parameters(self):
        """The frequencies' free parameters (they sum to 1)."""
        return len(self.frequencies) - 1

    def predict_proba(self, X, outputs, n_classes):
        """The frequencies on each row of ``outputs``."""
        return np.broadcast_to(self.frequencies, (len(outputs), n_classes)).copy()


def prior_floor(y, w, n_classes):
    """The class frequencies' share of a classifier's final probabilities:
    ``1 / n^2`` for ``n`` rows, with the frequencies.

    No candidate can tell a model that was never wrong on ``n`` held-out
    rows from one that is certain: on 30 rows a depth-8 tree was right on
    every out-of-fold row, every candidate but the heads became that tree,
    and where it was wrong on the test rows the mixture gave the true class
    5e-14 (iris, log-loss 1.21 over five draws; logistic regression 0.15).
    Mixed in at ``1 / n^2`` the class frequencies keep every class above
    what ``n`` rows can rule out: 0.39 there, and at most ``-log(1 - 1/n^2)``
    (1e-4 at 100 rows) added to any row's log-loss elsewhere
    (``benchmarks/results/tiny_data.md``).

    ``n`` is the weights' sum over the smallest positive weight: the rows
    where every weight is 1, and a row given weight 2 counts as the same row
    twice (only relative weights matter, and integer weights are
    repetitions). Never fewer than the rows: distinct rows of ``(X, y)``,
    counted before, were 4 on 4,000 rows of one binary feature, a share of
    1/16 (log-loss 0.1828 -> 0.1892).
    """
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    positive = w[w > 0]
    n = float(positive.sum() / positive.min())
    # (n above 1e154, weights of 1 and 1e-160: n ** 2 overflows, the share is 0.)
    return (1.0 / n ** 2 if n < 1e150 else 0.0), class_frequencies(y, w, n_classes)


def with_class_prior(proba, prior):
    """``(1 - share) * proba + share * frequencies`` for ``prior = (share,
    frequencies)`` (:func:`prior_floor`); ``proba`` as it is for None."""
    if prior is None:
        return proba
    share, frequencies = prior
    return (1.0 - share) * proba + share * frequencies


def log_likelihood_with_class_prior(log_likelihood, y, prior):
    """Per-row ``log p(y | x)`` at the labels ``y`` once :func:`with_class_prior`
    mixes ``prior`` into the probabilities, from the rows' ``log p(y | x)``
    without it: ``log((1 - share) p + share f_y)``."""
    if prior is None or prior[0] == 0:
        return log_likelihood
    share, frequencies = prior
    return np.logaddexp(np.log1p(-share) + log_likelihood, np.log(share * frequencies[y]))


def class_frequencies(y, w, n_classes):
    """Weighted class frequencies of integer labels ``y``."""
    counts = np.bincount(y, weights=w, minlength=n_classes)
    return counts / counts.sum()


def best_expert(out, y, w, regression):
    """Position of the expert with the lowest weighted loss on these rows.

    ``out`` and ``y`` as :func:`constant_blend_logits` takes them: standardised
    predictions and targets (regression), or each expert's log-likelihood of
    the true class (classification; ``y`` unused).
    """
    if regression:
        losses = w @ (out - y[:, None]) ** 2
    else:
        losses = -(w @ out)
    return int(np.argmin(losses))


def routed_task_loss(logits, out, y, k, regression):
    """Per-row task loss of top-k routed predictions, as ``predict`` routes (no
    capacity): squared error of the routed mean of standardised predictions
    ``out`` (n, M), or log-loss of the routed probabilities ``out`` (n, M, C),
    floored and renormalised as ``predict_proba`` floors them (an expert's
    probability of exactly zero for the true class cost 690 here, where a
    prediction costs 13.8: a few such rows drowned every other difference
    in the rival checks). ``logits`` (n, M), or (M,) for a constant gate
    (the same on every row)."""
    logits = np.asarray(logits)
    if logits.ndim == 1:
        logits = np.tile(logits, (len(y), 1))
    G = route_numpy(logits, k)
    if regression:
        return (y - (G * out).sum(axis=1)) ** 2
    proba = floored_renormalised(np.einsum("nm,nmc->nc", G, out), ROUTED_PROBA_FLOOR)
    return -np.log(proba[np.arange(len(y)), y])


def rival_routing(picked, y, w, regression, top_k, among=None):
    """Gate weights of the best constant routing: the rival of a top-k gate.

    What a user would deploy instead of a sparse mixture: for ``top_k=1``
    the expert with the lowest loss (weights with their maximum on it), for
    larger k the experts' best constant blend (its top k are routed).
    ``picked`` and ``y`` as :func:`constant_blend_logits` takes them;
    ``among``: for ``top_k=1``, the positions of the experts the rival is
    chosen from (default: all).
    """
    M = picked.shape[1]
    if top_k == 1:
        among = np.arange(M) if among is None else np.asarray(among)
        proba = np.full(M, 0.25 / (M - 1))
        proba[among[best_expert(picked[:, among], y, w, regression)]] = 0.75
        return proba
    return softmax(constant_blend_logits(picked, y if regression else None, w, regression))


def rival_check(gate_loss, rival_loss, w):
    """Whether the rival's per-row losses beat the gate's by more than one
    standard error of the paired difference (``w``: the rows' weights), and
    the losses that decided (``rival_loss_``): the weighted mean per-row loss
    of the gate and of the rival on the rows scored, and that standard error.

    A gate early-stopped or selected on these rows, or a win on a few rows of
    small data, is noise: the gate keeps ties and near-ties. (One paired
    difference for both: the report and the decision each computed it.)
    """
    w = w / w.sum()
    gain, se = paired_gain(rival_loss, gate_loss, w)
    return gain > se, {"gate": float(w @ gate_loss), "rival": float(w @ rival_loss),
                       "standard_error": se}


class CandidateBlend:
    """The final predictor: a convex blend of the mixture and stacking heads.

    ``mixture_share`` of the prediction comes from the mixture (its gate is
    the constant blend, the input-dependent gate, or a blend of the two), the
    rest from the fitted heads (:class:`LinearHead`), each with its weight.
    Probabilities (classification) or predictions in y's units (regression)
    are blended, so the blend is again a distribution / a prediction.

    Parameters
    ----------
    mixture_share : float
    heads : list of (weight, LinearHead, ExpertHead or PriorHead)

    The classifier's share of the class frequencies (:func:`prior_floor`) is
    the estimator's (``class_prior_``), mixed in after this blend.
    """

    def __init__(self, mixture_share, heads):
        self.mixture_share, self.heads = mixture_share, heads

    def predict(self, X, outputs, mixture_mean):
        """Regression: blended prediction in y's units."""
        mean = self.mixture_share * mixture_mean
        for weight, head in self.heads:
            mean = mean + weight * head.predict(X, outputs)
        return mean

    def predict_proba(self, X, outputs, mixture_proba, n_classes):
        """Classification: blended probabilities."""
        proba = self.mixture_share * mixture_proba
        for weight, head in self.heads:
            proba = proba + weight * head.predict_proba(X, outputs, n_classes)
        return proba


def blend_prediction(logits, out, proba, regression):
    """What blends with (n, M) or (1, M) logits predict on the rows of ``out``.

    Regression: the blended standardised mean (n,). Classification: the
    blended class probabilities (n, C), from the experts' ``proba`` (n, M, C).
    """
    g = softmax(logits, axis=1)
    if regression:
        return (g * out).sum(axis=1)
    return np.einsum("nm,nmc->nc", np.broadcast_to(g, proba.shape[:2]), proba)


def candidate_loss(prediction, y, regression):
    """Per-row squared error (standardised) or log-loss of a candidate."""
    if regression:
        return (prediction - y) ** 2
    return -np.log(np.maximum(prediction[np.arange(len(y)), y], 1e-300))


def paired_gain(rows, base, w):
    """The weighted mean of ``base - rows`` (per-row losses, paired) and its
    standard error (``w`` normalised weights)."""
    gain = base - rows
    mean = float(w @ gain)
    n_eff = 1.0 / float(w @ w)       # Kish's effective sample size
    se = math.sqrt(max(float(w @ (gain - mean) ** 2), 0.0) / max(n_eff - 1.0, 1.0))
    return mean, se


def beats_by_one_standard_error(rows, base, w):
    """Whether per-row losses ``rows`` beat ``base`` by more than one standard
    error of the paired difference (``w`` normalised weights)."""
    mean, se = paired_gain(rows, base, w)
    return mean > se


def _se_passes(held_out, w):
    """Which candidates beat the constant blend by more than one standard error."""
    w = w / w.sum()
    return {name: beats_by_one_standard_error(rows, held_out["constant"], w)
            for name, rows in held_out.items()
            if name != "constant" and np.all(np.isfinite(rows))}


def _se_choice(held_out, w):
    """One candidate: the constant blend unless another beats it by > 1 SE.

    A candidate replaces the constant blend only if it beats it by more than
    one standard error of the paired per-row difference (a gate that barely
    moved, or a win on a few rows of small data, is noise); then the one with
    the lowest loss wins.
    """
    passed = {name: float(np.average(held_out[name], weights=w))
              for name, on in _se_passes(held_out, w).items() if on}
    best = min(passed, key=passed.get) if passed else "constant"
    return {name: float(name == best) for name in held_out}


def choose_candidates(predictions, y, w, regression, mode="blend", constant_floor=CONSTANT_FLOOR):
    """Weights of the candidates (constant blend, gate, heads), summing to 1.

    ``mode``: ``'blend'`` fits the best convex blend of the
    candidates' held-out predictions (the level-2 counterpart of the
    experts' constant blend: a handful of weights fitted on n held-out rows);
    ``'se'`` picks one (:func:`_se_choice`); ``'se_blend'`` blends the
    constant blend with the candidates that beat it by one standard error;
    ``'argmin'`` the lowest loss; ``'greedy'`` Caruana's ensemble selection
    over the candidates (50 rounds). (The alternatives are for the ablation
    benchmark, ``benchmarks/bench_gate_levers.py``.) Every weight is
    positive: there is no cut-off (see below). In ``'blend'`` and
    ``'se_blend'`` modes the constant blend keeps at least ``constant_floor``
    of the weight (the other weights fitted under that constraint); in
    ``'greedy'`` mode too, the selection's shares scaled to make room for it.
    """
    names = [name for name, p in predictions.items() if np.all(np.isfinite(p))]
    # Per-row losses only where a mode reads them (five columns of n: a tenth
    # of a 10^6-row fit's peak memory).
    losses = ({name: candidate_loss(predictions[name], y, regression) for name in names}
              if mode != "blend" else None)
    if mode == "se":
        return _se_choice(losses, w)
    if mode == "se_blend":
        passed = {name for name, on in _se_passes(losses, w).items() if on}
        names = [name for name in names if name == "constant" or name in passed]
    if mode == "argmin":
        best = min(names, key=lambda name: float(np.average(losses[name], weights=w)))
        return {name: float(name == best) for name in names}
    if regression:
        out = np.column_stack([predictions[name] for name in names])
    else:
        out = np.column_stack([predictions[name][np.arange(len(y)), y] for name in names])
    floor = constant_floor if "constant" in names else 0.0
    constant = names.index("constant") if floor > 0 else None
    if mode == "greedy":
        from ._ensemble import ensemble_selection   # (a module-level import is circular)
        shares = ensemble_selection(out, y if regression else None, 50, w,
                                    classifier=not regression)
    else:
        if floor > 0:
            # The blend keeps at least ``floor`` on the constant blend: fitting
            # the other weights on the candidates mixed with it gives the
            # optimum under that constraint (the blend is linear in them).
            out = (1.0 - floor) * out + floor * out[:, [constant]]
        if regression:
            logits = constant_blend_logits(out, y, w, True)
        else:
            logits = constant_blend_logits(np.log(np.maximum(out, 1e-300)), None, w, False)
        # No cut-off for small weights: the predictions must move continuously
        # with the data (rescaling y must rescale them, to rounding), and a
        # threshold makes a candidate jump in or out on the last digit.
        shares = softmax(logits)
    weights = (1.0 - floor) * shares
    if floor > 0:
        weights[constant] += floor
    return dict(zip(names, weights))


def level2_gain(predictions, y, w, regression, mode="blend", constant_floor=CONSTANT_FLOOR,
                n_folds=5):
    """Cross-fitted level-2 blend against the constant blend: the mean per-row
    gain (constant's loss less the blend's) and its paired standard error.

    The held-out rows are cut into ``n_folds`` interleaved folds; each fold's
    blend weights are fitted on the other folds by :func:`choose_candidates`
    (same ``mode`` and ``constant_floor``) and judged on the fold's rows. The
    in-sample level-2 fit picks its favourite on the same rows it is judged on,
    so a head that wins there by noise looks better than it is; this figure
    does not. Returns ``(mean, se)``; ``(inf, 0)`` where there are too few
    rows to cut (fewer than two per fold) or no constant candidate.
    """
    names = [name for name, p in predictions.items() if np.all(np.isfinite(p))]
    n = len(y)
    if "constant" not in names or n < 2 * n_folds:
        return math.inf, 0.0
    honest = _cross_fitted_level2_losses(predictions, names, y, w, regression, mode,
                                         constant_floor, n_folds)
    base = candidate_loss(predictions["constant"], y, regression)
    return paired_gain(honest, base, w / w.sum())


def _cross_fitted_level2_losses(predictions, names, y, w, regression, mode, constant_floor,
                                n_folds):
    """Per-row losses of the level-2 blend of the candidates ``names``,
    cross-fitted: the rows are cut into ``n_folds`` interleaved folds (row i
    in fold i mod ``n_folds``), each fold's weights fitted by
    :func:`choose_candidates` (``mode``, ``constant_floor``) on the other
    folds and judged on the fold's rows."""
    fold = np.arange(len(y)) % n_folds
    honest = np.empty(len(y))
    for k in range(n_folds):
        test = fold == k
        if constant_floor >= 1.0:
            weights = {"constant": 1.0}   # (the constant candidate alone: nothing to fit)
        else:
            train = ~test
            weights = choose_candidates({name: predictions[name][train] for name in names},
                                        y[train], w[train], regression, mode=mode,
                                        constant_floor=constant_floor)
        # (The blend is linear in the candidates' means / probabilities.)
        blended = sum(weight * predictions[name][test] for name, weight in weights.items())
        honest[test] = candidate_loss(blended, y[test], regression)
    return honest


def level2_floor(predictions, y, w, regression, floors, mode="blend", n_folds=5):
    """The constant candidate's floor, of ``floors``, with the lowest
    cross-fitted level-2 loss.

    The folds are :func:`level2_gain`'s: for each floor, each fold's blend
    weights are fitted by :func:`choose_candidates` (that floor) on the other
    folds and judged on the fold's rows. A larger floor is chosen only where
    its weighted mean loss is lower than every smaller floor's (beyond
    rounding): ties go to the smallest, the library's floor. The smallest is
    returned too where there are too few rows to cut (fewer than two per fold)
    or no constant candidate.
    """
    floors = sorted(float(f) for f in floors)
    names = [name for name, p in predictions.items() if np.all(np.isfinite(p))]
    n = len(y)
    if "constant" not in names or n < 2 * n_folds or len(floors) == 1:
        return floors[0]
    w = w / w.sum()
    losses = [float(w @ _cross_fitted_level2_losses(predictions, names, y, w, regression, mode,
                                                    floor, n_folds))
              for floor in floors]
    best = floors[0]
    for floor, loss in zip(floors, losses):
        # Strictly lower than the best so far by more than rounding.
        if loss < losses[floors.index(best)] - 1e-9 * max(abs(loss), 1e-12):
            best = floor
    return best


def level2_checked(weights, predictions, y, w, regression, k, mode="blend",
                   constant_floor=CONSTANT_FLOOR):
    """``weights`` if the cross-fitted level-2 blend (:func:`level2_gain`) beats
    the constant blend by more than ``k`` paired standard errors, else the
    constant blend alone (every other candidate at 0)."""
    if all(name == "constant" or weight == 0 for name, weight in weights.items()):
        return weights
    mean, se = level2_gain(predictions, y, w, regression, mode=mode,
                           constant_floor=constant_floor)
    if mean > k * se:
        return weights
    return {name: float(name == "constant") for name in weights}


def make_head(kind, regression, y_mean, y_scale, C=None, log_inputs=True, centre=True,
              bounds=None, regression_bounds=None, beyond_range="plain", columns=None,
              plain_C=None):
    return LinearHead(regression, y_mean, y_scale,
                      feature_weighted=kind == "feature_weighted", C=C,
                      log_inputs=log_inputs and kind != "linear_proba",
                      centre=centre, bounds=bounds, regression_bounds=regression_bounds,
                      beyond_range=beyond_range, columns=columns, plain_C=plain_C)


def head_prediction(head, X, outputs, regression, n_classes):
    if regression:
        return head.predict_standardised(X, outputs)
    return head.predict_proba(X, outputs, n_classes)
