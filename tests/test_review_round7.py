"""Review of the label re-keying, MMoE divergence check and EM warnings (round 7)."""

from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmoe._base import encode_label_parameters


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
