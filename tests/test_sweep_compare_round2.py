"""compare() sweep, round 2: bad input and wrong numbers with ``groups=``.

Each ``test_*`` that is not a ``test_guard_*`` failed before the fix named in
its comment; the ``test_guard_*`` tests pin properties found right.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.linear_model import LogisticRegression, Ridge, RidgeCV
from sklearn.model_selection import GridSearchCV, GroupKFold, PredefinedSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import MixtureOfExpertsClassifier, compare
from skmoe._compare import _with_inner_group_folds


def _grouped(n_groups=12, per=6, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_groups), per)
    X = rng.normal(size=(len(groups), 3))
    y = X[:, 0] + rng.normal(size=n_groups)[groups] + 0.1 * rng.normal(size=len(groups))
    return X, y, groups


def test_a_missing_date_among_date_groups_is_named():
    # Dates as groups (the day of a measurement) with a gap: NaT became a
    # group of its own, silently (the NaN of floats and None were refused).
    X, y, groups = _grouped()
    days = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(groups, "D"))
    days.iloc[5] = pd.NaT
    for given in (days, days.to_numpy()):
        with pytest.raises(ValueError, match=r"groups has 1 missing labels \(NaT"):
            compare({"r": Ridge()}, X, y, cv=3, groups=given)
    # Dates without gaps are groups as any others.
    days.iloc[5] = days.iloc[4]
    by_date = compare({"r": Ridge()}, X, y, cv=3, groups=days)
    by_code = compare({"r": Ridge()}, X, y, cv=3, groups=groups)
    assert_allclose(by_date.scores["r"]["r2"], by_code.scores["r"]["r2"])


def test_a_group_splitter_of_a_model_with_too_many_folds_names_the_model():
    # scikit-learn's bare "Cannot have number of splits n_splits=9 greater
    # than the number of groups: 8." named neither the model nor its cv.
    X, y, groups = _grouped()
    pipe = make_pipeline(StandardScaler(), RidgeCV(cv=GroupKFold(9)))
    with pytest.raises(ValueError, match=r"Estimator 'pipe': ridgecv__cv=GroupKFold\(.*\) "
                                         r"cannot split .* 8 groups.*n_splits=9"):
        compare({"pipe": pipe}, X, y, cv=3, groups=groups)


def test_ridgecv_leave_one_out_is_kept_with_groups():
    # RidgeCV's cv=None is leave-one-out in closed form, not 5 folds: given 5
    # folds of groups, RidgeCV(store_cv_results=True) (or alpha_per_target)
    # failed, "cv!=None and store_cv_results=True are incompatible".
    X, y, groups = _grouped()
    kept = RidgeCV(store_cv_results=True)
    assert _with_inner_group_folds("r", kept, groups) is kept
    result = compare({"r": kept, "per": RidgeCV(alpha_per_target=True)}, X, y, cv=3,
                     groups=groups)
    assert np.all(np.isfinite(result.scores["r"]["r2"]))
    # Its folds given as an int still become folds of whole groups.
    assert len(_with_inner_group_folds("r", RidgeCV(cv=3), groups).cv) == 3


def _patients(n_rare_groups=2):
    # Labels of whole groups (a patient's diagnosis): class 2 in few groups.
    rng = np.random.default_rng(0)
    classes = np.array([0] * 7 + [1] * 6 + [2] * n_rare_groups)
    groups = np.repeat(np.arange(len(classes)), 6)
    y = classes[groups]
    return rng.normal(size=(len(y), 3)) + 0.5 * y[:, None], y, groups


def test_a_class_in_too_few_groups_for_a_mixtures_inner_folds_is_named():
    # Class 2 in one group of a split's training rows: no folds of whole
    # groups keep it in every inner training part. The mixture's own refusal
    # spoke of "cv (the 5 splits given)" and advised the very
    # StratifiedGroupKFold compare had used, though the user gave cv='auto'.
    X, y, groups = _patients()
    experts = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))]
    with pytest.raises(ValueError, match=r"Estimator 'moe': class 2 is in 1 group of a "
                                         r"split's training rows.*cv='auto' makes.*two groups "
                                         r"or more in every split's training rows"):
        compare({"moe": MixtureOfExpertsClassifier(experts, random_state=0)}, X, y, cv=3,
                groups=groups)
    # scikit-learn's models are left to their own checks: this one runs.
    grid = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]})
    result = compare({"grid": grid}, X, y, cv=3, groups=groups)
    assert np.all(np.isfinite(result.scores["grid"]["accuracy"]))


def test_a_score_undefined_on_a_test_part_without_a_class_says_so():
    # Folds of whole groups often lack a class that lives in few groups:
    # roc_auc_ovr then failed with "Model 'lr' failed to score (roc_auc_ovr)
    # on a split of 60 training rows: Number of classes in y_true not equal
    # to the number of columns in 'y_score'", as if the model were at fault.
    X, y, groups = _patients()
    with pytest.raises(ValueError, match=r"Model 'lr' failed to score \(roc_auc_ovr\).*"
                                         r"this split's test rows hold 2 of y's 3 classes"):
        compare({"lr": LogisticRegression()}, X, y, cv=3, groups=groups,
                scoring=["accuracy", "roc_auc_ovr"])


def test_a_mixture_inside_a_target_transformer_gets_group_folds():
    # A TransformedTargetRegressor (or MultiOutputRegressor) fits its model on
    # all the rows it is given, as a Pipeline's last step: the mixture in it
    # kept cv='auto', folds of shuffled rows that split groups, silently.
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.multioutput import MultiOutputRegressor
    from skmoe import MixtureOfExpertsRegressor

    experts = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
    groups = np.repeat(np.arange(20), 4)
    wrapped = TransformedTargetRegressor(MixtureOfExpertsRegressor(experts),
                                         func=np.log1p, inverse_func=np.expm1)
    out = _with_inner_group_folds("t", wrapped, groups)
    assert len(out.regressor.cv) == 5
    assert all(not set(groups[tr]) & set(groups[te]) for tr, te in out.regressor.cv)
    multi = _with_inner_group_folds("m", MultiOutputRegressor(RidgeCV(cv=3)), groups)
    assert len(multi.estimator.cv) == 3
    assert wrapped.regressor.cv == "auto"   # a clone was changed


def test_a_splitter_that_takes_no_groups_is_not_said_to_ignore_them():
    # PredefinedSplit (or KFold) of whole groups is accepted with groups=,
    # which compare uses (the check that every group stays on one side, and
    # the models' inner folds); scikit-learn's "The groups parameter is
    # ignored by PredefinedSplit" went to the user, as if compare ignored them.
    X, y, groups = _grouped()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compare({"r": Ridge()}, X, y, cv=PredefinedSplit(groups % 3), groups=groups)
    assert result.n_splits == 3
    assert [str(w.message) for w in caught] == []


def test_guard_paired_test_and_summary_of_unequal_group_folds_by_hand():
    # Groups of unequal sizes give splits of unequal sizes: the correction
    # takes each split's n_test/n_train (their mean), not the first's.
    rng = np.random.default_rng(0)
    sizes = rng.integers(1, 15, size=14)
    groups = np.repeat(np.arange(14), sizes)
    X = rng.normal(size=(len(groups), 3))
    y = X[:, 0] + rng.normal(size=14)[groups] + 0.3 * rng.normal(size=len(groups))
    result = compare({"a": Ridge(), "b": DecisionTreeRegressor(max_depth=3, random_state=0),
                      "c": Ridge()}, X, y, cv=4, groups=groups)
    assert len(set(result.n_test)) > 1 and result.n_train.sum() == 3 * len(y)
    assert_allclose(result.n_train + result.n_test, len(y))
    for metric in result.metrics:
        test = result.paired_test("a", "b", metric)
        diff = result.display_scores("a", metric) - result.display_scores("b", metric)
        ratio = np.mean(result.n_test / result.n_train)
        t = diff.mean() / np.sqrt((1 / 4 + ratio) * diff.var(ddof=1))
        assert_allclose([test.t_statistic, test.p_value], [t, 2 * stats.t.sf(abs(t), 3)])
        assert result.paired_test("a", "c", metric)[5:] == (0.0, 3, 1.0)  # identical models
    frame = result.to_frame()
    shown = -result.scores["b"]["neg_root_mean_squared_error"]
    assert_allclose(frame.loc["b", ["rmse_mean", "rmse_std"]], [shown.mean(), shown.std()])
    assert "0.28 ± 0.26" in result.table()   # b's R^2, as to_frame has it
    assert_allclose(frame.loc["b", ["r2_mean", "r2_std"]], [0.284968, 0.262981], atol=1e-6)


def test_a_class_in_too_few_groups_for_a_mixtures_group_splitter_is_named():
    # The same for a group splitter given as the mixture's cv, which compare
    # splits on each split's training groups: the model's refusal spoke of
    # "cv (the 3 splits given)" and advised a StratifiedGroupKFold, the
    # splitter given.
    from sklearn.model_selection import StratifiedGroupKFold

    X, y, groups = _patients()
    experts = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))]
    moe = MixtureOfExpertsClassifier(experts, cv=StratifiedGroupKFold(3), random_state=0)
    with pytest.raises(ValueError, match=r"Estimator 'moe': class 2 is in 1 group of a "
                                         r"split's training rows.*StratifiedGroupKFold"):
        compare({"moe": moe}, X, y, cv=3, groups=groups)


def test_a_chains_true_earlier_outputs_are_kept_with_groups():
    # RegressorChain's (ClassifierChain's) cv=None fits each output on the
    # true values of the earlier ones, no folds: compare gave it 5 folds of
    # groups, a chain on cross-validated predictions, another model, silently.
    from sklearn.multioutput import RegressorChain

    X, y, groups = _grouped()
    chain = RegressorChain(Ridge())
    assert _with_inner_group_folds("c", chain, groups) is chain
    assert len(_with_inner_group_folds("c", RegressorChain(Ridge(), cv=3), groups).cv) == 3


def test_guard_log_loss_and_brier_on_group_folds_without_a_class_by_hand():
    # Labels of whole groups: every LeaveOneGroupOut test part holds one
    # class; each is scored over all three, as refitted by hand.
    from sklearn.metrics import brier_score_loss, log_loss
    from sklearn.model_selection import LeaveOneGroupOut

    rng = np.random.default_rng(0)
    classes = np.array([0] * 4 + [1] * 3 + [2] * 3)
    groups = np.repeat(np.arange(len(classes)), 6)
    labels = np.array(["a", "b", "c"])
    y = labels[classes[groups]]
    X = rng.normal(size=(len(y), 3)) + 0.5 * classes[groups][:, None]
    result = compare({"lr": LogisticRegression()}, X, y, cv=LeaveOneGroupOut(),
                     groups=groups, scoring=["neg_log_loss", "neg_brier_score"])
    by_hand = []
    for train, test in LeaveOneGroupOut().split(X, y, groups):
        model = LogisticRegression().fit(X[train], y[train])
        proba = model.predict_proba(X[test])
        by_hand.append([log_loss(y[test], proba, labels=labels),
                        brier_score_loss(y[test], proba, labels=labels)])
    assert_allclose(np.c_[result.display_scores("lr", "neg_log_loss"),
                          result.display_scores("lr", "neg_brier_score")], by_hand)


class _CoefficientOfVariation(Ridge):
    """A model whose ``cv`` is no number of folds (a variation cut-off)."""

    def __init__(self, alpha=1.0, cv=3):
        super().__init__(alpha=alpha)
        self.cv = cv

    def fit(self, X, y):
        if self.cv <= 0:
            raise ValueError("cv must be positive")
        return super().fit(X, y)


def test_a_model_failing_on_the_group_folds_compare_gave_its_cv_is_told_so():
    # A cv that means something else got folds of groups, and its fit failed
    # with its own words alone ("'<=' not supported between instances of
    # 'list' and 'int'"): nothing said compare had replaced it.
    X, y, groups = _grouped()
    with pytest.raises(TypeError, match=r"Model 'cov' failed to fit.*not supported.*"
                                        r"groups=.*replaced its cv=3 by 3 folds of whole "
                                        r"groups"):
        compare({"cov": _CoefficientOfVariation()}, X, y, cv=3, groups=groups)
