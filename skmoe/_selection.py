"""How many experts? Information criteria and held-out log-likelihood.

* :func:`bic` / :func:`aic` of a fitted mixture (flat or hierarchical, any
  trainer), where its number of free parameters is defined: linear and GLM
  experts (``coef_`` and ``intercept_``, also as the last step of a
  ``Pipeline``), torch experts (their module's parameters), the gate
  networks, the stacked gate's final blend, and one noise scale per expert
  for regression.
* :data:`log_likelihood_scorer`: the mean held-out log-likelihood, for
  ``GridSearchCV(scoring=...)`` over any pool.
* :func:`select_n_experts`: try several numbers of experts, pick one by
  BIC, AIC or cross-validated log-likelihood.
"""

import math
import numbers
import warnings
from inspect import signature

import numpy as np
import torch
from scipy import sparse
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import (_check_method_params, _check_y, check_is_fitted,
                                      column_or_1d)

from ._base import (_float_target, _seed_unset_random_states, check_not_a_class, clone_model,
                    encode_class_labels, encode_label_parameters)
from ._blend import ConstantLogits, MixedLogits, class_prior
from ._candidates import with_class_prior
from ._crossfit import (CrossFitAverage, check_fold_count, check_splits,
                        check_stratified_fold_count, make_folds, splitter_needs_groups)
from ._data import (check_target_scale, is_dataframe, mean_and_scale, n_samples,
                    nonfinite_y_rows_named, refuse_misaligned_rows, take_rows)
from ._likelihood import (aligned_proba, gaussian_log_likelihood, log_proba_at_labels,
                          regression_outputs)
from ._nn import BatchedMLP
from ._problem import VARIANCE_FLOOR


def fitted_model(estimator, X=None):
    """The fitted model that ``estimator`` predicts with, and X as it reaches it.

    A ``Pipeline``'s last step (X through the steps before it), a refitted
    search's ``best_estimator_`` and a ``FrozenEstimator``'s estimator, nested
    in any order. (A nested cross-validation scores the fitted search:
    ``cross_val_score(GridSearchCV(mixture, scoring=log_likelihood_scorer),
    scoring=log_likelihood_scorer)`` was NaN on every outer fold,
    "GridSearchCV has no log_likelihood_samples"; a frozen Pipeline was
    refused alike, its attributes being the Pipeline's.)

    Parameters
    ----------
    estimator : fitted estimator
    X : array-like of shape (n_samples, n_features), default=None

    Returns
    -------
    model : fitted estimator
    X : array-like or None
    """
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection._search import BaseSearchCV
    while True:
        if isinstance(estimator, Pipeline):
            if X is not None:
                for _, step in estimator.steps[:-1]:
                    if step is not None and step != "passthrough":
                        X = step.transform(X)
            estimator = estimator.steps[-1][1]
        elif isinstance(estimator, FrozenEstimator):
            estimator = estimator.estimator
        elif isinstance(estimator, BaseSearchCV):
            if estimator.refit is False:
                raise TypeError(f"{type(estimator).__name__} of refit=False keeps no fitted "
                                "model to score; set refit=True (or the metric to choose "
                                "the model by).")
            check_is_fitted(estimator)
            estimator = estimator.best_estimator_
        else:
            return estimator, X


def log_likelihood_samples(estimator, X, y):
    """Per-sample log p(y | x) of a fitted mixture (or a Pipeline or a refitted
    search ending in one).

    Parameters
    ----------
    estimator : fitted estimator
        Has ``log_likelihood_samples(X, y)`` or ``score_samples(X, y)``, or
        is a ``Pipeline``, a refitted search (``GridSearchCV``, the Halving
        searches, ...) or a ``FrozenEstimator`` of one: the model they
        predict with is scored.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)

    Returns
    -------
    log_likelihood : ndarray of shape (n_samples,)
    """
    # (A class was told "ABCMeta.log_likelihood_samples takes no y: it is a
    # density of X", as its unbound method does not bind (X, y).)
    check_not_a_class("estimator", estimator)
    # (Before a Pipeline's steps make X an array, whose rows have no labels.)
    refuse_misaligned_rows(X, y, "y", type(estimator).__name__)
    estimator, X = fitted_model(estimator, X)
    for method in ("log_likelihood_samples", "score_samples"):
        if hasattr(estimator, method):
            function = getattr(estimator, method)
            try:
                signature(function).bind(X, y)
            except TypeError:
                # A density of X alone (GaussianMixture, KernelDensity): the
                # call failed with "takes 2 positional arguments but 3 were given".
                raise TypeError(
                    f"{type(estimator).__name__}.{method} takes no y: it is a density of "
                    "X, not a likelihood of y given X.") from None
            except ValueError:  # no signature to read (a builtin): call it
                pass
            return np.asarray(function(X, y), dtype=np.float64)
    raise TypeError(f"{type(estimator).__name__} has no log_likelihood_samples(X, y) or "
                    "score_samples(X, y); it does not define a likelihood.")


def log_likelihood_scorer(estimator, X, y, sample_weight=None):
    """Mean per-sample held-out log-likelihood; higher is better.

    Use as ``scoring=log_likelihood_scorer`` in ``GridSearchCV`` or
    ``cross_val_score`` to choose e.g. ``n_experts`` by how well the fitted
    mixture predicts the density of held-out targets.

    Parameters
    ----------
    estimator : fitted estimator
        A mixture, or a ``Pipeline``, a refitted search (``GridSearchCV``,
        ...) or a ``FrozenEstimator`` ending in one (so that a nested
        cross-validation can score the search).
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the rows' log-likelihoods (their weighted mean). (Without
        it, ``compare(sample_weight=...)`` refused this scorer, which would
        have reported an unweighted score.)

    Returns
    -------
    score : float
    """
    values = log_likelihood_samples(estimator, X, y)
    if sample_weight is None:
        return float(np.mean(values))
    from ._base import check_sample_weight
    return float(np.average(values, weights=check_sample_weight(sample_weight, X)))


def _expert_parameters(name, expert):
    """Free parameters of one fitted expert, or a ValueError naming it."""
    if isinstance(expert, CrossFitAverage):
        # The average of k fits of one linear model is one such model: as
        # many parameters as any of the fits.
        expert = expert.estimators_[0]
    model = expert.steps[-1][1] if isinstance(expert, Pipeline) else expert
    module = getattr(model, "module_", None)
    if isinstance(module, torch.nn.Module):
        # A torch classifier's softmax over one logit per class has an output
        # row fixed by the others, as a multinomial LogisticRegression and
        # the gates have (all rows were counted: 43 for a 4 -> 5 -> 3 MLP
        # whose free parameters are 37). A regressor has no softmax.
        n_classes = np.size(getattr(model, "classes_", ()))
        return _softmax_network_parameters(module, n_classes if n_classes > 1 else None)
    if hasattr(model, "coef_"):
        intercept = np.size(getattr(model, "intercept_", 0))
        if not getattr(model, "fit_intercept", True):
            intercept = 0
        count = int(np.size(model.coef_) + intercept)
        if (isinstance(model, LogisticRegression) and np.ndim(model.coef_) == 2
                and model.coef_.shape[0] > 1 and model.solver != "liblinear"):
            # Multinomial: a softmax over one row per class, one row fixed by
            # the others (as a gate's; liblinear's one-vs-rest rows are not).
            count -= model.coef_.shape[1] + (intercept > 0)
        return count
    raise ValueError(f"expert '{name}' ({type(model).__name__}) has no defined number of "
                     "free parameters; use held-out log-likelihood instead "
                     "(skmoe.log_likelihood_scorer or select_n_experts(criterion='cv')).")


def _softmax_network_parameters(module, n_outputs):
    """A torch module's free parameters when its ``n_outputs`` logits go
    through a softmax.

    A softmax is unchanged when the same number is added to every logit, so
    one output row (its weights and bias) of the last layer is fixed by the
    others: a linear layer from d inputs to M logits has (M - 1)(d + 1) free
    parameters. A :class:`~skmoe._nn.BatchedMLP` whose networks' logits are
    averaged (the stacked gate) has such a row in each network: the same
    number added to every logit of one network moves the average by a
    constant. (Its layers are not ``torch.nn.Linear``, and were counted in
    full: 5 x 33 parameters too many for five gates of 32 hidden units.)
    ``n_outputs=None``: no softmax, every parameter counts.
    """
    count = sum(p.numel() for p in module.parameters())
    if n_outputs is None:
        return count
    layers = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
    if layers and layers[-1].out_features == n_outputs:
        count -= layers[-1].in_features + (layers[-1].bias is not None)
    for net in module.modules():
        if isinstance(net, BatchedMLP):
            networks, n_in, n_out = net.layers[-1].weight.shape
            if n_out == n_outputs:
                count -= networks * (n_in + 1)
    return count


def _constant_gate_support(gate, top_k=None):
    """Which experts a constant gate routes to, or None for a gate that
    depends on x.

    ``MLPGate.fit_constant`` (a top-k mixture's rival routing replacing the
    trained gate, EM's constant final gate) zeroes the output layer's weights
    and sets its bias to ``log(proba)``: every row gets ``proba``, whatever
    the hidden layers hold. An expert of weight 0 (bias ``-inf``) is never
    used, nor, with ``top_k``, one outside the ``top_k`` largest weights.
    """
    module = gate.module_
    last = module[-1] if isinstance(module, torch.nn.Sequential) else module
    if (not isinstance(last, torch.nn.Linear) or last.bias is None
            or torch.any(last.weight != 0)):
        return None
    bias = last.bias.detach().cpu().numpy().astype(np.float64)
    support = np.isfinite(bias)
    if top_k is not None and top_k < support.sum():
        support[:] = False
        support[np.argsort(-np.where(np.isfinite(bias), bias, -np.inf),
                           kind="stable")[:top_k]] = True
    return support


def _gate_parameters(gate, top_k=None):
    """A gate network's free parameters: all but one row of each network's
    output layer (:func:`_softmax_network_parameters`).

    The stacked gate's constant blend (alone, or blended with the network)
    holds its M logits as a buffer, not a parameter: its M - 1 free weights
    were not counted.

    A constant gate (:func:`_constant_gate_support`) has as many free
    parameters as the weights it gives, less one: its network was counted
    (130 for 32 hidden units and 3 experts, where a top-1 rival routes every
    row to one expert, none free).
    """
    support = _constant_gate_support(gate, top_k)
    if support is not None:
        return int(support.sum()) - 1
    count = _softmax_network_parameters(gate.module_, getattr(gate, "n_experts_", None))
    return count + sum(m.logits.numel() - 1 for m in gate.module_.modules()
                       if isinstance(m, ConstantLogits))


def _gates(estimator):
    gates = getattr(estimator, "gates_", None)
    if gates is not None:  # a hierarchical mixture: one gate per internal node
        return [gate for level in gates for gate in level]
    return [estimator.gate_] if hasattr(estimator, "gate_") else []


def n_free_parameters(estimator):
    """Number of free parameters of a fitted mixture.

    Experts (see :func:`bic`), plus every gate's network (``gate.module_``:
    each of the stacked gate's bagged networks, and its constant blend's
    weights), plus, for the stacked gate, the heads and weights of its final
    blend (``combiner_``), plus one noise scale per expert for a regressor.
    Cross-fitted EM's final gate, blended with the experts' constant blend,
    counts its network, the constant blend's weights less one and the share.
    A constant gate (a top-k mixture's rival routing) counts its weights less
    one, and the experts it never routes to are left out with their noise
    scales.

    Parameters
    ----------
    estimator : fitted mixture
        Or a ``Pipeline``, a refitted search or a ``FrozenEstimator`` ending
        in one.

    Returns
    -------
    n_parameters : int
    """
    # A pipeline or a refitted search ending in a mixture, as
    # log_likelihood_scorer takes it: the mixture's parameters (the
    # transformers' are not counted).
    estimator, _ = fitted_model(estimator)
    check_is_fitted(estimator)
    if hasattr(estimator, "tasks_"):
        # A multi-task mixture: its gates_ (one network per task) were read as
        # a hierarchical mixture's levels, "'BatchedMLP' object is not iterable".
        # (Checked first: MultiGateMixtureOfExperts, which has no experts_, was
        # told it is no "fitted skmoe mixture".)
        raise TypeError(f"{type(estimator).__name__} is a multi-task model: it does not "
                        "define a likelihood of y given X, which bic and aic need, nor a "
                        "free-parameter count; compare multi-task models by score() or "
                        "compare().")
    if not hasattr(estimator, "experts_"):
        # (A fitted LinearRegression got AttributeError: 'experts_'.)
        raise TypeError(f"bic, aic and n_free_parameters need a fitted skmoe mixture "
                        f"(an estimator with experts_), got {type(estimator).__name__}.")
    if not any(hasattr(estimator, m) for m in ("log_likelihood_samples", "score_samples")):
        # An ensemble has experts_ but no likelihood: one of a tree was told
        # the tree "has no defined number of free parameters; use held-out
        # log-likelihood instead (skmoe.log_likelihood_scorer ...)", which an
        # ensemble has none of either.
        raise TypeError(f"{type(estimator).__name__} does not define a likelihood of y "
                        "given X (an ensemble averages its experts' predictions), which bic "
                        "and aic need; compare it with the mixtures by a score, with "
                        "compare().")
    names = getattr(estimator, "expert_names_", None)
    experts = estimator.experts_
    names = names if names is not None else [f"expert{i}" for i in range(len(experts))]
    combiner = getattr(estimator, "combiner_", None)
    used = np.ones(len(experts), dtype=bool)
    # (The routing's top_k: the hierarchical mixtures have none.)
    top_k = getattr(estimator, "top_k", None) if hasattr(estimator, "gate_") else None
    if hasattr(estimator, "gate_") and combiner is None:
        # A constant gate of a flat mixture that gives an expert weight 0 on
        # every row (a top-1 rival: one expert): that expert, and its noise
        # scale, take no part in the model. (The stacked gate's final blend
        # reads every expert's outputs.)
        support = _constant_gate_support(estimator.gate_, top_k)
        if support is not None and len(support) == len(experts):
            used = support
    count = sum(_expert_parameters(n, e) for n, e, u in zip(names, experts, used) if u)
    count += sum(_gate_parameters(gate, top_k) for gate in _gates(estimator))
    if combiner is not None:
        # The stacked gate's final blend: its heads (linear models over the
        # experts' outputs) and the candidates' weights (summing to one).
        count += sum(head.n_parameters for _, head in combiner.heads)
        count += len(estimator.candidate_weights_) - 1
    elif hasattr(estimator, "gate_"):
        # EM's final gate blended with the constant blend (its level-2 share,
        # skmoe._em): the share, as the stacked gate's candidate weights count
        # theirs (the constant blend's weights are counted with the gate).
        count += sum(isinstance(m, MixedLogits) for m in estimator.gate_.module_.modules())
    if hasattr(estimator, "noise_variance_"):
        noise = np.size(estimator.noise_variance_)
        count += int(used.sum()) if noise == len(used) else noise
    return int(count)


def _total_log_likelihood(estimator, X, y):
    return float(np.sum(log_likelihood_samples(estimator, X, y)))


def bic(estimator, X, y):
    """Bayesian information criterion of a fitted mixture on (X, y); lower is better.

    ``-2 log L + k log n`` with ``log L`` the total log-likelihood of ``y``
    given ``X`` and ``k`` the number of free parameters: ``coef_`` plus
    ``intercept_`` of linear and GLM experts (``LinearRegression``,
    ``Ridge``, ``LogisticRegression``..., also as the last step of a
    ``Pipeline``), the parameters of torch experts' and gates' modules, one
    noise scale per expert (regression) and, for the default stacked gate,
    the heads and candidate weights of its final blend (``combiner_``).
    The stacked gate's module holds one network per gate fold (five by
    default), all counted however small the gate's weight in the blend:
    they dominate ``k`` (1286 of 1316 for two logistic experts on three
    features), so BIC and AIC favour EM and few experts; size a
    stacked-gate mixture by held-out log-likelihood
    (``select_n_experts(criterion='cv')``). An EM mixture's default gate
    (``MLPGate``, one hidden layer of 32) counts its weights too,
    ``32 * (n_features + 1)`` and 33 per expert but one, which outweigh the
    likelihood on a few hundred rows: on ``make_piecewise_linear`` with two
    regimes and 150 rows BIC picks one linear expert, where a linear gate
    (``MLPGate(hidden_layer_sizes=())``) or ``criterion='cv'`` picks two
    (from 300 rows all three pick two). See ``docs/hme.rst``.

    Parameters
    ----------
    estimator : fitted mixture
        A fitted mixture of experts, flat or hierarchical, whatever its
        training (EM or the stacked gate), or a ``Pipeline`` ending in one,
        or a refitted search or a ``FrozenEstimator`` of either.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)

    Returns
    -------
    bic : float

    Raises
    ------
    ValueError
        If an expert (a tree, k-NN, LightGBM...) has no defined number of
        free parameters; select by held-out log-likelihood instead.
    TypeError
        If ``estimator`` is not a skmoe mixture (an estimator without
        ``experts_``, or an ensemble, which defines no likelihood).
    """
    k = n_free_parameters(estimator)
    # A Python float, as aic's and the docstring's: np.log made it np.float64,
    # and select_n_experts' scores read {1: np.float64(1519.4), ...} for 'bic'.
    return float(-2.0 * _total_log_likelihood(estimator, X, y) + k * np.log(n_samples(X)))


def aic(estimator, X, y):
    """Akaike information criterion ``-2 log L + 2 k``; lower is better.

    Parameters
    ----------
    estimator : fitted mixture
        See :func:`bic`.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)

    Returns
    -------
    aic : float
    """
    k = n_free_parameters(estimator)
    return -2.0 * _total_log_likelihood(estimator, X, y) + 2.0 * k


class _SingleExpert(BaseEstimator):
    """One expert as a one-component "mixture": its own noise scale, no gate.

    The mixtures need at least two experts; this gives ``select_n_experts``
    the likelihood and parameter count of k = 1 (a classifier's with the
    mixtures' ``class_prior_`` share, which, as for them, is not counted).
    """

    def __init__(self, expert, cv=None, random_state=None):
        self.expert = expert
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        # X as given, as the mixtures' experts get it; y 1-D (a column y
        # broadcast against the predictions to (n, n)).
        y = column_or_1d(y)
        if is_classifier(self.expert):
            # Fitted on labels 0..C-1, as the mixtures' experts are (aligned_proba
            # reads the expert's classes_ as encoded labels).
            self._label_encoder, y = encode_class_labels(y)
            self.classes_ = self._label_encoder.classes_
        else:
            # The mixtures' checks and relative noise floor: y of order 1e200
            # scored NaN here, and y of order 1e-200 scored against a floor of 1e-12.
            _, scale = mean_and_scale(y)
            check_target_scale(scale)
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        template = clone(self.expert)
        if self.random_state is not None:
            # Its unset random_state parameters seeded, as the mixtures seed a
            # list's experts (_resolve_experts): unseeded, a randomised expert
            # (a forest, a torch MLP) scored k = 1 differently on every call of
            # select_n_experts(random_state=0 template), -0.74, -0.55, -0.59.
            # One the user set is kept: the expert alone is the one they gave
            # (overriding it changed a random_state=0 tree's ties on iris).
            _seed_unset_random_states(template, check_random_state(self.random_state))
        expert = clone(template)
        if is_classifier(expert):   # fitted on encoded labels, as in the mixtures
            encode_label_parameters(expert, self.classes_)
        self.experts_ = [expert.fit(X, y, **kwargs)]
        self.expert_names_ = ["expert0"]
        if hasattr(self, "classes_"):
            # The 1/n^2 share of the class frequencies that every mixture
            # candidate mixes into its probabilities (class_prior_): without
            # it, a label the expert rules out scored log(1e-300) = -690.8
            # here against about log(1 / n^2) in the mixtures, and k = 1 was
            # disfavoured (iris, an unpruned tree, 5 folds: -46.05 per row
            # against -0.71 with the share).
            self.class_prior_ = class_prior(y, sample_weight, len(self.classes_))
        if not is_classifier(self.expert):
            residual2 = (y - self._honest_predictions(X, y, kwargs, template)) ** 2
            self.noise_variance_ = np.array([max(np.mean(residual2),
                                                  VARIANCE_FLOOR * scale ** 2)])
        return self

    def _honest_predictions(self, X, y, kwargs, template):
        """Predictions the noise scale is measured on: out-of-fold with ``cv``,
        as the cross-fitting mixtures measure theirs. In-sample residuals of
        an expert that interpolates (an unpruned tree, 1-NN) are zero: its
        noise scale sat at the floor and k = 1 scored about -1e4 per held-out
        row against the mixtures' honest scales.

        The predictions are read as the mixtures read them
        (:func:`regression_outputs`): cross_val_predict's own, a column of
        shape (n, 1) broadcast against y to (n, n) residuals (k = 1 scored
        -1.23 per held-out row for 0.85), and dates, text or too few rows
        failed in numpy's words, naming no expert."""
        if self.cv is None:
            return regression_outputs(self.expert_names_, self.experts_, X)[:, 0]
        from ._trainers import _folds_the_data_allow
        cv = self.cv
        if isinstance(cv, numbers.Integral):   # fewer folds on tiny data, as 'auto' has
            cv = _folds_the_data_allow(int(cv), y, False)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        # The folds as the mixtures draw them; each fitted as cross_val_predict
        # fits them (the fold's rows of every fit parameter).
        predictions = np.empty(len(y))
        for train, test in make_folds(cv, X, y, seed=seed, check_partition=True):
            expert = clone(template)
            expert.fit(take_rows(X, train), y[train],
                       **(_check_method_params(X, kwargs, train) if kwargs else {}))
            predictions[test] = regression_outputs(self.expert_names_, [expert],
                                                   take_rows(X, test))[:, 0]
        return predictions

    def log_likelihood_samples(self, X, y):
        y = column_or_1d(y)
        if hasattr(self, "classes_"):
            unknown = np.setdiff1d(np.unique(y), self.classes_)
            if len(unknown):
                raise ValueError(f"y contains labels not seen in fit: {unknown.tolist()}.")
            encoded = self._label_encoder.transform(y)
            proba = aligned_proba("expert0", self.experts_[0], X, len(self.classes_))
            # As the mixtures score (log of predict_proba at the label, the
            # class_prior_ share mixed in): the per-expert training floor of
            # 1e-6 scored a label the expert rules out at log(1e-6), in k = 1's
            # favour.
            proba = with_class_prior(proba, getattr(self, "class_prior_", None))
            return log_proba_at_labels(proba, encoded)
        pred = regression_outputs(self.expert_names_, self.experts_, X)
        return gaussian_log_likelihood(y.astype(np.float64), pred, self.noise_variance_)[:, 0]


def _candidate(estimator, param, value):
    if isinstance(estimator, Pipeline) and param.startswith(f"{estimator.steps[-1][0]}__"):
        # A pipeline ending in a mixture: its last step becomes the candidate
        # (for n_experts=1 the single expert, which set_params cannot make).
        name, mixture = estimator.steps[-1]
        return clone_model(estimator).set_params(
            **{name: _candidate(mixture, param[len(name) + 2:], value)})
    if param == "n_experts" and value == 1:
        if not hasattr(estimator.experts, "fit"):
            raise ValueError("n_experts=1 needs a homogeneous pool (one estimator as "
                             "`experts`); leave 1 out of the candidates.")
        cv = None
        if hasattr(estimator, "training") and not is_classifier(estimator):
            # The folds the mixture template cross-fits its experts on (None
            # for exact EM and torch experts): k = 1's noise scale is then
            # measured out of fold too.
            from ._trainers import TRAINERS, resolve_training
            trainer = TRAINERS[resolve_training(estimator)]
            if trainer.cross_fitting_splits(estimator, [estimator.experts]) is not None:
                cv = trainer.cv(estimator)
        return _SingleExpert(estimator.experts, cv=cv,
                             random_state=getattr(estimator, "random_state", None))
    return clone_model(estimator).set_params(**{param: value})


def select_n_experts(estimator, X, y, *, candidates=(1, 2, 3, 4, 5, 6), criterion="bic",
                     cv=5, param="n_experts"):
    """Choose the number of experts of a mixture by BIC, AIC or held-out likelihood.

    Parameters
    ----------
    estimator : mixture estimator (unfitted)
        A template, e.g. ``MixtureOfExpertsRegressor(LinearRegression(),
        n_experts=2, training="em")``; it is cloned for every candidate. A
        ``Pipeline`` ending in a mixture is taken too: ``param`` is then the
        mixture's (``'n_experts'`` means ``'<last step>__n_experts'``).
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    candidates : iterable, default=(1, 2, 3, 4, 5, 6)
        Values of ``param`` to try, each once (a repeated one is refused:
        ``scores`` holds one entry per value). With ``param='n_experts'``,
        integers of 1 or more (0 or less is refused before any fit);
        1 is one expert alone with its own noise scale (no gate), its unset
        ``random_state`` parameters seeded by the template's ``random_state``
        (one the expert was given is kept); a classifier's
        probabilities then get the 1/n^2 share of the class frequencies that
        the mixtures mix into theirs (``class_prior_``), so every candidate
        is scored alike.
    criterion : {'bic', 'aic', 'cv'}, default='bic'
        'bic'/'aic' fit every candidate on all rows (lower is better); 'cv'
        is the mean held-out log-likelihood over ``cv`` folds (higher is
        better) and works for any pool, trees and k-NN included. With the
        stacked gate (``training='gradient'``) use 'cv': its bagged gate
        networks, about 330 parameters more per expert, dominate BIC and AIC
        (see :func:`bic`). On a few hundred rows the default gate's hidden
        layer tilts BIC to fewer experts too: use a linear gate
        (``MLPGate(hidden_layer_sizes=())``) or 'cv' there.
    cv : int, cross-validation generator or iterable, default=5
        Folds for ``criterion='cv'`` (set away from 5 with 'bic' or 'aic',
        it warns that it has no effect). An int is stratified folds for a
        classifier, which need a class of ``cv`` rows at least.
    param : str, default='n_experts'
        The parameter that sets the size, e.g. ``'branching'`` for a
        hierarchical mixture (candidates then ``(2,), (2, 2), ...``; a tree
        given a list of experts, one per leaf, takes only branchings of
        that many leaves, e.g. ``(4,)`` and ``(2, 2)``).

    Returns
    -------
    best : object
        The chosen candidate.
    scores : dict
        Candidate -> criterion value.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from skmoe import MixtureOfExpertsRegressor, select_n_experts
    >>> from skmoe.datasets import make_piecewise_linear
    >>> X, y = make_piecewise_linear(n_samples=300, n_regimes=2, random_state=0)
    >>> moe = MixtureOfExpertsRegressor(LinearRegression(), n_experts=2,
    ...                                 training="em", cv=None, random_state=0)
    >>> best, scores = select_n_experts(moe, X, y, candidates=(1, 2, 3))
    >>> best
    2
    """
    # (A class failed with "get_params() missing 1 required positional
    # argument: 'self'".)
    check_not_a_class("estimator", estimator)
    if criterion not in ("bic", "aic", "cv"):
        raise ValueError(f"criterion must be 'bic', 'aic' or 'cv', got {criterion!r}.")
    if criterion != "cv" and not (isinstance(cv, numbers.Integral)
                                  and not isinstance(cv, (bool, np.bool_)) and cv == 5):
        # (Unread without a word, as the mixtures' options read only when
        # another is on warn: cv=10 with the default criterion='bic', or even
        # cv=0, ran BIC as if no folds had been asked for.)
        warnings.warn(f"cv={cv!r} has no effect with criterion={criterion!r}; it is only "
                      "used with criterion='cv'.", UserWarning, stacklevel=2)
    if (isinstance(estimator, Pipeline) and param not in estimator.get_params()
            and f"{estimator.steps[-1][0]}__{param}" in estimator.get_params()):
        # A pipeline ending in a mixture (which bic and log_likelihood_scorer
        # take): the mixture's parameter. ("Pipeline has none" before.)
        param = f"{estimator.steps[-1][0]}__{param}"
    if not hasattr(estimator, "get_params") or param not in estimator.get_params():
        # (A LinearRegression failed with AttributeError: 'experts'.)
        # (A hierarchical mixture, sized by branching, was told only that it
        # has no n_experts, though param='branching' takes it.)
        params = estimator.get_params() if hasattr(estimator, "get_params") else {}
        branching = any(key.split("__")[-1] == "branching" for key in params)
        raise ValueError(f"select_n_experts needs a mixture with a parameter {param!r}; "
                         f"{type(estimator).__name__} has none"
                         + (": a hierarchical mixture's size is its branching, so pass "
                            "param='branching' (candidates such as (2,), (2, 2))."
                            if branching and param != "branching" else "."))
    if isinstance(candidates, (str, bytes)) or not hasattr(candidates, "__iter__"):
        # (None or 3 was "'int' object is not iterable".)
        raise TypeError(f"candidates must be an iterable of values of {param}, e.g. "
                        f"(1, 2, 3); got {candidates!r}.")
    candidates = list(candidates)
    if not candidates:
        raise ValueError("candidates is empty.")
    flags = [value for value in candidates if isinstance(value, (bool, np.bool_))
             or not isinstance(value, numbers.Integral)]
    if param.split("__")[-1] == "n_experts" and flags:
        # (True was taken as n_experts=1, one expert alone, and returned as the
        # best candidate; beside 1 it was the same dict key. So was 1.0, though
        # the mixtures refuse 2.0: the float, and only it, was a candidate.)
        raise TypeError(f"candidates of n_experts must be integers, got {flags[0]!r} in "
                        f"{candidates!r}.")
    below_one = [value for value in candidates if param.split("__")[-1] == "n_experts"
                 and isinstance(value, numbers.Integral) and value < 1]
    if below_one:
        # (0 or -1 was fitted after the candidates before it and refused by the
        # mixture's "must be an int in the range [2, inf)", which hides that
        # 1, one expert alone, is a candidate here.)
        raise ValueError(f"candidates of n_experts must be 1 or more (1 is one expert "
                         f"alone, without a gate), got {below_one[0]!r} in {candidates!r}.")
    # A branching of an int is the one-level tree of that tuple: 2 and (2,)
    # fitted and scored the same tree twice, under two keys of scores.
    # Refused, not merged: scores is keyed by the values as given, and a
    # merged one would lose a key the caller passed.
    one_level = param.split("__")[-1] == "branching"
    try:
        by_key = {}
        for value in candidates:
            key = _key(value)
            if one_level and isinstance(key, numbers.Integral) and not isinstance(key, bool):
                key = (key,)
            by_key.setdefault(key, []).append(value)
    except TypeError:          # unhashable values: refused where scores takes them
        by_key = {}
    repeated = [values for values in by_key.values() if len(values) > 1]
    if repeated:
        # scores is keyed by candidate: (2, 2) fitted 2 twice and returned one
        # entry, silently. (A param grid would fit both; one dict key can't
        # report two results.)
        same = [values for values in repeated if one_level
                and any(isinstance(v, numbers.Integral) for v in values)
                and not all(isinstance(v, numbers.Integral) for v in values)]
        raise ValueError(
            f"candidates holds {[_key(values[0]) for values in repeated]} more than once "
            f"(in {candidates!r}); each value of scores is one candidate: pass each once"
            + (f" ({' and '.join(repr(v) for v in same[0])} are the same tree: an int "
               "branching is a one-level tree)" if same else "") + ".")
    mixture = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    if not any(hasattr(mixture, name) for name in ("log_likelihood_samples", "score_samples")):
        # Checked before any fit: MultiGateMixtureOfExperts, which has
        # n_experts but no experts, failed with "AttributeError: ... has no
        # attribute 'experts'" (n_experts=1), or after fitting every candidate.
        raise TypeError(f"select_n_experts needs a mixture that defines a likelihood of y "
                        f"given X; {type(mixture).__name__} does not define a likelihood"
                        + (" (a multi-task model: compare its n_experts by score() or "
                           "compare())" if hasattr(mixture, "tasks") else "") + ".")
    if (param.split("__")[-1] == "n_experts" and hasattr(mixture, "experts")
            and not hasattr(mixture.experts, "fit")):
        # (A list of experts failed every candidate's fit: "n_experts is only
        # used with a single estimator as `experts`".)
        raise ValueError("select_n_experts varies n_experts, the number of copies of one "
                         "expert: it needs a homogeneous pool (one estimator as "
                         f"`experts`), got {type(mixture.experts).__name__}"
                         ". For a list of experts, compare sub-lists with compare().")
    if (param.split("__")[-1] == "branching" and hasattr(mixture, "experts")
            and isinstance(mixture.experts, (list, tuple))):
        # A tree given one (name, estimator) pair per leaf fits only the
        # branchings of that many leaves: the others failed after the
        # candidates before them were fitted, with the tree's own advice to
        # give "a branching with 2 leaves", the very parameter being varied.
        from ._hme_em import check_branching
        n_leaves = len(mixture.experts)
        other = [value for value in candidates
                 if math.prod(check_branching(value)) != n_leaves]
        if other:
            raise ValueError(
                f"select_n_experts varies branching, but the tree's experts are a list of "
                f"{n_leaves} (name, estimator) pairs, one per leaf: candidate "
                f"{other[0]!r} has {math.prod(check_branching(other[0]))} leaves. Give one "
                "estimator as `experts` (cloned to every leaf), or only branchings of "
                f"{n_leaves} leaves.")
    refuse_misaligned_rows(X, y, "y", "select_n_experts")
    X = X if sparse.issparse(X) or is_dataframe(X) else np.asarray(X)
    if sparse.issparse(X) and X.format not in ("csr", "csc"):
        # The folds take rows, which COO and DIA have no indexing for ("'coo_matrix'
        # object is not subscriptable" on every fold); the mixtures take them as CSR.
        X = X.tocsr()
    # As the mixtures check it: a column y is raveled (DataConversionWarning).
    with nonfinite_y_rows_named(y):
        y = _check_y(y, estimator=estimator)
    if not is_classifier(estimator):
        # As the mixtures read a regressor's y: numbers written as text are
        # numbers, words an error that says so. (The one-expert candidate failed
        # on text with numpy's "ufunc 'subtract' did not contain a loop with
        # signature matching types", on words with "could not convert string
        # to float", naming neither y nor the regressor.)
        def not_numeric(exc):
            return ValueError(f"y must be numeric for {type(mixture).__name__} (a regressor): "
                              f"{exc}; use a classifier for class labels.")
        y = _float_target(y, not_numeric)
        with nonfinite_y_rows_named(y):
            y = _check_y(y, y_numeric=True, estimator=estimator)
    from ._compare import _cv_parameters
    for key, value, _ in _cv_parameters(estimator):
        if splitter_needs_groups(value, y):
            # (Every candidate's fit failed with the mixture's "needs groups: pass
            # them to fit, fit(X, y, groups=groups)", which select_n_experts
            # calls without them, or for n_experts=1 with "which this model's
            # fit does not take", of the one expert it fits in the mixture's
            # place.)
            fix = ("an int (folds of the rows): with criterion='cv' each candidate is "
                   "fitted on a fold's training rows, which folds made for all the rows "
                   "do not number" if criterion == "cv" else
                   f"an int (folds of the rows) or the folds themselves, {key}="
                   f"list({value!r}.split(X, y, groups)) for the rows given here")
            raise ValueError(f"select_n_experts: the mixture's {key}={value!r} needs groups, "
                             f"which select_n_experts does not take: set its {key} to {fix}.")
    scores = {}
    if criterion == "cv":
        # A flag, cv=1 or more folds than rows: named here, not by KFold's n_splits.
        check_fold_count(cv, len(y), "a cross-validation generator or an iterable of "
                                     "(train, test) splits")
        if is_classifier(estimator):
            check_stratified_fold_count(cv, y)
        splitter = check_cv(cv, y, classifier=is_classifier(estimator))
        try:
            folds = list(splitter.split(X, y))
        except ValueError as exc:
            if "groups" not in str(exc):
                raise
            # (scikit-learn's "The 'groups' parameter should not be None.", as
            # if select_n_experts took groups.)
            raise ValueError(f"cv={splitter!r} needs groups, which select_n_experts does "
                             "not take: pass the splits instead, e.g. "
                             "cv=list(cv.split(X, y, groups)).") from exc
        # Explicit splits are checked as the estimators and compare() check them:
        # a negative index was silently a row from the end, a row in both parts
        # scored on the fit that saw it, and no splits a "score is NaN" error.
        folds = check_splits(folds, n_samples(X), cv)
        if is_classifier(estimator):
            _check_fold_classes(folds, y)
        for value in candidates:
            scores[_key(value)] = float(np.mean([
                _fold_score(estimator, param, value, X, y, k, len(folds), train, test)
                for k, (train, test) in enumerate(folds)]))
        best = max(scores, key=scores.get)
    else:
        score = bic if criterion == "bic" else aic
        for value in candidates:
            scores[_key(value)] = score(_candidate(estimator, param, value).fit(X, y), X, y)
        best = min(scores, key=scores.get)
    undefined = [value for value in scores if np.isnan(scores[value])]
    if undefined:
        # min/max over NaN picks an arbitrary candidate: say so instead.
        raise ValueError(f"The {criterion} score of candidates {undefined} is NaN; "
                         "check the data and the experts' predictions.")
    return best, scores


def _check_fold_classes(folds, y):
    """Refuse, before any fit, a fold whose test rows hold a class its training
    rows lack: a candidate fitted there gives that class no probability, so the
    held-out log-likelihood is undefined. (The candidate fitted there failed
    when scored, with "y contains labels not seen in fit".)"""
    for k, (train, test) in enumerate(folds):
        seen = np.unique(y[train])
        unseen = np.setdiff1d(np.unique(y[test]), seen)
        # (Training rows of one class fail in fit, which _fold_score names.)
        if unseen.size and seen.size > 1:
            counts = [int(np.sum(y == label)) for label in unseen.tolist()]
            rows = ", ".join(f"{label!r} has {count} row(s) in y"
                             for label, count in zip(unseen.tolist(), counts))
            # (It said "pass fewer folds": larger test parts, which hold a rare
            # class whole more often. Stratified folds keep a class of two rows
            # or more in every training part; a class of one row, no folds.)
            stratify = ("" if min(counts) < 2 else
                        ", pass stratified folds (an int cv, or StratifiedKFold: every "
                        "class of two or more rows then has training rows in every fold)")
            raise ValueError(
                f"select_n_experts: fold {k + 1} of {len(folds)} has class(es) "
                f"{unseen.tolist()} in its test rows but none in its training rows "
                f"({rows}), so the held-out likelihood of a candidate fitted there is "
                f"undefined. Drop or merge the rare class{stratify}, or use "
                "criterion='bic'.")


def _fold_score(estimator, param, value, X, y, k, n_folds, train, test):
    """Held-out log-likelihood of one candidate on one fold; errors say which."""
    try:
        model = _candidate(estimator, param, value).fit(take_rows(X, train), y[train])
        return log_likelihood_scorer(model, take_rows(X, test), y[test])
    except Exception as exc:
        # (A class missing from a fold's training rows read "The target has
        # only one class", although y has two.)
        from ._base import rebuilt_error
        raise rebuilt_error(exc, f"select_n_experts: candidate {param}={value!r} failed on "
                                 f"fold {k + 1} of {n_folds} ({len(train)} training rows, "
                                 f"classes or values as in those rows only): {exc}") from exc


def _key(value):
    """A candidate as a key of ``scores`` and as ``best``: a list as a tuple,
    numpy numbers as Python's (``candidates=np.array([1, 2])`` returned
    ``np.int64`` keys and best, where the docs promise the values given)."""
    if isinstance(value, (list, tuple)):
        return tuple(_key(item) for item in value)
    return value.item() if isinstance(value, np.generic) else value
