"""EnsembleRegressor / EnsembleClassifier: the averaging baseline.

Same experts specification as the mixtures; the averaging itself is
scikit-learn's ``VotingRegressor`` / ``VotingClassifier`` (kept as
``voting_``), so the baseline is exactly the one people already know.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._base import _BaseExpertComposition, check_sample_weight
from ._compat import validate_data
from ._likelihood import classification_outputs, regression_outputs


class _BaseEnsemble(_BaseExpertComposition):
    _parameter_constraints = {
        "experts": "no_validation",
        "n_experts": [int, None],
        "weights": ["array-like", None],
        "n_jobs": [int, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _voting_estimators(self):
        """(name, clone) pairs for the voting estimator, 'drop' kept in place."""
        names, clones = self._resolve_experts(check_random_state(self.random_state))
        self._check_expert_types(names, clones, classifier=self._is_classifier,
                                 need_proba=getattr(self, "voting", None) == "soft")
        by_name = dict(zip(names, clones))
        return [(name, by_name.get(name, "drop")) for name, _ in self._expert_list()]

    def _fit_voting(self, voting, X, y, sample_weight):
        self._validate_params()
        X, y = validate_data(self, X, y, ensure_all_finite=self._nan_policy(),
                             y_numeric=not self._is_classifier, ensure_min_samples=2)
        sample_weight = check_sample_weight(sample_weight, X)
        if self._is_classifier:
            check_classification_targets(y)
            if len(np.unique(y)) < 2:
                raise ValueError(f"The target has only one class ({np.unique(y)[0]!r}); "
                                 "a classifier needs at least two.")
        fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        self.voting_ = voting.fit(X, y, **fit_params)
        self.experts_ = list(self.voting_.estimators_)
        self.expert_names_ = [n for n, e in self.voting_.estimators if e != "drop"]
        self.named_experts_ = self._make_named_experts(self.expert_names_, self.experts_)
        return self

    def _nan_policy(self):
        return "allow-nan" if self._experts_allow_nan() else True

    def _check_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, ensure_all_finite=self._nan_policy())

    @property
    def _is_classifier(self):
        return isinstance(self, ClassifierMixin)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self._experts_allow_nan()
        return tags


class EnsembleRegressor(RegressorMixin, _BaseEnsemble):
    """Average of the experts' predictions: the baseline a mixture must beat.

    Parameters
    ----------
    experts : list of (str, estimator) or estimator
        As for :class:`MixtureOfExpertsRegressor`.
    n_experts : int, default=None
        Copies of a single estimator, each with its own ``random_state``.
    weights : array-like of shape (n_experts,), default=None
        Weights of the average (uniform when None).
    n_jobs : int, default=None
        Experts are fitted in parallel.
    random_state : int, RandomState instance or None, default=None
        Seeds the copies of a homogeneous ensemble.
    verbose : bool, default=False

    Attributes
    ----------
    voting_ : VotingRegressor
        The fitted scikit-learn voting estimator that does the averaging.
    experts_, named_experts_, expert_names_, n_features_in_, feature_names_in_

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from skmoe import EnsembleRegressor
    >>> from skmoe.datasets import make_regimes
    >>> X, y = make_regimes(n_samples=200, random_state=0)
    >>> ens = EnsembleRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor())])
    >>> ens.fit(X, y).predict_experts(X[:3]).shape
    (3, 2)
    """

    def __init__(self, experts, *, n_experts=None, weights=None, n_jobs=None,
                 random_state=None, verbose=False):
        self.experts = experts
        self.n_experts = n_experts
        self.weights = weights
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Fit every expert on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every expert (each must accept it).

        Returns
        -------
        self : EnsembleRegressor
        """
        voting = VotingRegressor(self._voting_estimators(), weights=self.weights,
                                 n_jobs=self.n_jobs, verbose=self.verbose)
        return self._fit_voting(voting, X, y, sample_weight)

    def predict(self, X):
        """(Weighted) average of the experts' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        return self.voting_.predict(X)

    def predict_experts(self, X):
        """Every expert's prediction, shape (n_samples, n_experts).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        predictions : ndarray of shape (n_samples, n_experts)
        """
        X = self._check_X(X)
        return regression_outputs(self.expert_names_, self.experts_, X)


class EnsembleClassifier(ClassifierMixin, _BaseEnsemble):
    """Soft (or hard) voting over the experts: the classification baseline.

    Parameters
    ----------
    experts : list of (str, estimator) or estimator
        Classifiers, as for :class:`MixtureOfExpertsClassifier`.
    n_experts : int, default=None
    voting : {'soft', 'hard'}, default='soft'
        Average the probabilities, or take the majority of predicted labels.
    weights : array-like of shape (n_experts,), default=None
    n_jobs : int, default=None
    random_state : int, RandomState instance or None, default=None
    verbose : bool, default=False

    Attributes
    ----------
    voting_ : VotingClassifier
    classes_ : ndarray of shape (n_classes,)
    experts_, named_experts_, expert_names_, n_features_in_, feature_names_in_

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skmoe import EnsembleClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> ens = EnsembleClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())])
    >>> ens.fit(X, y).predict_experts(X[:2]).shape
    (2, 2, 3)
    """

    _parameter_constraints = {**_BaseEnsemble._parameter_constraints,
                              "voting": [StrOptions({"soft", "hard"})]}

    def __init__(self, experts, *, n_experts=None, voting="soft", weights=None,
                 n_jobs=None, random_state=None, verbose=False):
        self.experts = experts
        self.n_experts = n_experts
        self.voting = voting
        self.weights = weights
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Fit every expert on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : EnsembleClassifier
        """
        voting = VotingClassifier(self._voting_estimators(), voting=self.voting,
                                  weights=self.weights, n_jobs=self.n_jobs,
                                  verbose=self.verbose)
        self._fit_voting(voting, X, y, sample_weight)
        self.classes_ = self.voting_.classes_
        return self

    def predict(self, X):
        """Voted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        return self.voting_.predict(X)

    @available_if(lambda self: self.voting == "soft")
    def predict_proba(self, X):
        """(Weighted) average of the experts' class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._check_X(X)
        return self.voting_.predict_proba(X)

    def predict_experts(self, X):
        """Every expert's class probabilities, (n_samples, n_experts, n_classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        probabilities : ndarray of shape (n_samples, n_experts, n_classes)
        """
        X = self._check_X(X)
        return classification_outputs(self.expert_names_, self.experts_, X,
                                      len(self.classes_))
