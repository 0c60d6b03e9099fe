"""Bad-input sweep, round 42: class labels and targets.

Probed (no defect found unless a test below names it): labels of mixed
types (a list of 1, "1" and 2.0, read as the strings '1' and '2.0' as
scikit-learn reads it; the same as an object array, refused as mixing
strings and numbers), True beside 1 (one class, refused as scikit-learn
does), strings that differ by whitespace or case (distinct classes, as in
scikit-learn), None among strings, NaN among object labels, bytes alone,
tuples and lists as labels (single-task: scikit-learn's legacy multi-label
refusal), 5,000-character strings, 110 classes of 2 or 3 rows, a class only
in a split's test rows in compare() (warned), y of shape (n, 1) (scikit-learn's
DataConversionWarning, then fitted), (n, 2) for a single-task model (refused
naming the multi-task models), continuous y and 0.1/0.2 labels for a
classifier ("Unknown label type: continuous"), integer y of 35 values for a
regressor and a classifier, -0.0 beside 0.0, huge Python ints, a constant y
and one of a single non-constant row, y as a list of numpy scalars, numeric
strings and bools as a regression target, a Categorical, a named Series and
a one-column DataFrame in compare(). Across the mixtures (default, EM,
top_k=1), the ensembles (mean and greedy), the hierarchical and multi-task
mixtures, with LogisticRegression and Ridge as the reference.

Each test here failed before the fix it names.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier

from skmoe import (EnsembleClassifier, HeterogeneousMultiGateMixtureOfExperts,
                   MixtureOfExpertsClassifier, MultiGateMixtureOfExperts)

CLASSES_WARNING = "The number of unique classes is greater than 50%"


def _classifiers():
    return [("lr", LogisticRegression(max_iter=200)),
            ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]


def test_the_stacked_gates_fold_heads_do_not_call_a_class_target_a_regression():
    # 30 classes in 70 rows (43 %, under scikit-learn's 50 %: LogisticRegression
    # on the same y gives no warning). The default mixture warned "The number
    # of unique classes is greater than 50% of the number of samples. `y`
    # could represent a regression problem" 10 times per fit: its stacked
    # gate's head is a LogisticRegression fitted on the cross-fitting folds'
    # rows and, for its penalty, on halves of them (two-fold where a class
    # has two rows). The experts' fold fits were already spared it (round 5
    # of the real-data sweeps).
    counts = [2] * 20 + [3] * 10
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(len(y), 2)) + 0.3 * y[:, None]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LogisticRegression(max_iter=200).fit(X, y)
        MixtureOfExpertsClassifier(_classifiers(), random_state=0).fit(X, y)
    assert [str(w.message) for w in caught if CLASSES_WARNING in str(w.message)] == []


def test_a_y_with_more_classes_than_half_its_rows_still_warns_with_the_stacked_gate():
    # The guard of the fix above: the warning is right where the user's own y
    # earns it, and the experts' fits on all rows still give it.
    rng = np.random.RandomState(0)
    y = np.concatenate([np.repeat(np.arange(20), 2), np.arange(20, 24)])  # 24 in 44 rows
    X = rng.normal(size=(len(y), 2)) + 0.3 * y[:, None]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MixtureOfExpertsClassifier(_classifiers(), random_state=0).fit(X, y)
    assert any(CLASSES_WARNING in str(w.message) for w in caught)


MULTITASK = {
    "mmoe": lambda: MultiGateMixtureOfExperts(tasks=["multiclass"], max_iter=2,
                                              random_state=0),
    "hetero": lambda: HeterogeneousMultiGateMixtureOfExperts(
        [("ridge", Ridge())], tasks=["multiclass"], max_iter=2, random_state=0),
}


@pytest.mark.parametrize("labels, shown", [
    ([("a", 1), ("b", 2)], r"\('a', 1\) of type tuple"),
    ([("a", 1), ("b", 2, 3)], r"\('a', 1\) of type tuple"),
    ([["a"], ["b"]], r"\['a'\] of type list"),
], ids=["tuples", "tuples-of-two-lengths", "lists"])
@pytest.mark.parametrize("model", list(MULTITASK), ids=list(MULTITASK))
def test_sequences_as_a_tasks_class_labels_are_refused_naming_the_task(model, labels, shown):
    # The multi-task mixtures read an object column through tolist(): tuples
    # became a second axis, passed as multi-output labels, and the fit ended
    # in "TypeError: unhashable type: 'numpy.ndarray'" (lists: "Encoders
    # require their input argument must be uniformly strings or numbers";
    # tuples of two lengths: numpy's "inhomogeneous shape"). The single-task
    # models give scikit-learn's legacy multi-label refusal.
    X = np.arange(40.0).reshape(20, 2)
    y = np.empty(20, dtype=object)
    y[:] = [labels[i % 2] for i in range(20)]
    with pytest.raises(ValueError, match=r"Classification task 0 has sequences as class "
                                         rf"labels \(e\.g\. {shown}\): a class label is one "
                                         r"string or number"):
        MULTITASK[model]().fit(X, y)


@pytest.mark.parametrize("other", ["b", 1], ids=["string", "int"])
@pytest.mark.parametrize("model", [
    lambda: MixtureOfExpertsClassifier(_classifiers(), random_state=0),
    lambda: EnsembleClassifier(_classifiers()),
    MULTITASK["mmoe"],
], ids=["mixture", "ensemble", "mmoe"])
def test_bytes_among_other_labels_are_named_as_bytes(model, other):
    # Bytes beside strings were called numbers: "y mixes string and numeric
    # class labels (e.g. 'b' and b'a')"; beside ints, the labels were said to
    # be Python objects to convert with y.astype(int). scikit-learn's own
    # refusal of labels held as bytes names them.
    X = np.arange(40.0).reshape(20, 2)
    y = np.array([b"a", other] * 10, dtype=object)
    with pytest.raises(TypeError, match=r"holds some class labels as bytes \(e\.g\. b'a'\) "
                                        rf"and others not \(e\.g\. {other!r}\); labels "
                                        r"represented as bytes are not supported: decode"):
        model().fit(X, y)
