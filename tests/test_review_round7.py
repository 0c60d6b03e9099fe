"""Review of today's change (round 7): the label re-keying, the CLI's file checks."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from skmoe._base import encode_label_parameters
from skmoe._cli import UserError, load_csv


def test_search_candidates_for_a_one_vs_rest_model_keep_their_keys():
    # The one-vs-rest model's binary estimators learn 0/1 (is it this class?),
    # not y's labels: {1: 5} re-keyed to {0: 5} moved its weight to the negatives,
    # as the estimator's own class_weight did before it was left alone.
    search = GridSearchCV(OneVsRestClassifier(LogisticRegression()),
                          {"estimator__class_weight": [{1: 5}, None]})
    assert encode_label_parameters(search, [1, 2, 3]).param_grid == {
        "estimator__class_weight": [{1: 5}, None]}
    nested = GridSearchCV(
        make_pipeline(StandardScaler(), OneVsRestClassifier(LogisticRegression())),
        [{"onevsrestclassifier__estimator__class_weight": [{1: 5}]}])
    assert encode_label_parameters(nested, [1, 2, 3]).param_grid == [
        {"onevsrestclassifier__estimator__class_weight": [{1: 5}]}]


def test_search_candidates_for_a_model_of_y_are_still_re_keyed():
    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                          {"logisticregression__class_weight": [{1: 5}, None]})
    assert encode_label_parameters(search, [1, 2, 3]).param_grid == {
        "logisticregression__class_weight": [{0: 5}, None]}


def test_a_header_of_numbers_is_no_repeated_header(tmp_path):
    # pd.DataFrame(array).to_csv(index=False) writes the header 0,1,2, which
    # a data row of small whole numbers can equal: it was refused as a header
    # repeated below the data, of an ordinary file.
    path = tmp_path / "numbered.csv"
    rows = "\n".join(["0,1,2", "1,0,0", "0,1,1", "1,1,2", "0,0,0", "1,0,1"] * 3)
    path.write_text("0,1,2\n" + rows + "\n")
    X, y = load_csv(str(path))[:2]
    assert X.shape == (18, 2) and len(y) == 18


def test_a_repeated_header_with_a_number_among_its_names_is_still_refused(tmp_path):
    path = tmp_path / "joined.csv"
    path.write_text("a,2020,y\n1,2,3\n4,5,6\n2,3,4\na,2020,y\n7,8,9\n")
    with pytest.raises(UserError, match="repeats its header"):
        load_csv(str(path))


def test_weights_ignored_warning_names_a_tree_that_reproduces_its_rows():
    # Copies of a tree grown to pure leaves, fitted and predicting the same
    # rows (cv=None), predict every row alike whatever their weights: the
    # warning sent users to "experts whose fit uses sample_weight", which a
    # tree's does.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = (np.abs(X[:, 0]) + 0.3 * rng.normal(size=120) > 0.8).astype(int)
    tree = DecisionTreeClassifier()
    with pytest.warns(UserWarning, match="same on every row") as record:
        MixtureOfExpertsClassifier([("a", tree), ("b", tree)], cv=None, training="em",
                                   max_iter=5, random_state=0).fit(X, y)
    told = [str(w.message) for w in record if "same on every row" in str(w.message)]
    assert "tree grown to pure leaves" in told[0]


class _DropsItsWeights(RegressorMixin, BaseEstimator):
    """A wrapper whose fit takes sample_weight and does not use it."""

    def fit(self, X, y, sample_weight=None):
        self.model_ = LinearRegression().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _weights_ignored_warnings(**params):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = np.abs(X[:, 0])
    mixture = MixtureOfExpertsRegressor([("a", _DropsItsWeights()), ("b", _DropsItsWeights())],
                                        training="em", max_iter=5, random_state=0, **params)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mixture.fit(X, y)
    return [w for w in record if "as if their fit ignored sample_weight" in str(w.message)]


def test_weights_ignored_warning_once_per_fit_at_the_callers_line():
    # Each EM restart warned in its own run: twice for n_init=2, and a
    # parallel restart's (n_jobs=2) in its worker process, where the
    # caller's filters and catch_warnings never saw it.
    for n_init in (1, 2):
        told = _weights_ignored_warnings(n_init=n_init)
        assert len(told) == 1
        assert told[0].filename == __file__
