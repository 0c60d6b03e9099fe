"""Docs audit, round 5: claims that the probabilities head on binary problems
(9117d8e, ``LEVERS["proba_head"] = True``) and the re-run of the suite's six
binary sets (7d5c8a4) could make stale: the user guide's count of candidates
against the candidates the code fits; no page or docstring tying
StackingClassifier's head to three or more classes; README's,
benchmarks/README.md's and docs/benchmarks.rst's rank, fit-time and EM
figures against benchmarks/results/results.md; the head lists of
``combiner_`` and ``predict_gate``. Each test checks the text against the
code or the results file it quotes."""

import os
import re
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBERS = {"four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def _text(*path):
    """A file of the repository with its whitespace collapsed (the docs wrap lines)."""
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return " ".join(f.read().split())


def _candidates(y):
    """The names of the stacked gate's candidates fitted on ``y`` (tiny fit)."""
    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(len(y), 3))
    if y.dtype.kind == "f":
        model = MixtureOfExpertsRegressor(
            [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
            max_epochs=2, random_state=0)
    else:
        model = MixtureOfExpertsClassifier(
            [("logit", LogisticRegression(max_iter=200)),
             ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))],
            max_epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the two-epoch fits' ConvergenceWarning
        return set(model.fit(X, y).out_of_fold_loss_)


def test_candidate_counts_of_the_user_guide_are_those_the_code_fits():
    """The user guide counts "Five candidates (seven for classification)":
    since 9117d8e two classes have the probabilities head too, so a binary
    classifier fits as many candidates as a multiclass one (before: "six for
    classification, seven for 3+ classes")."""
    rng = np.random.RandomState(1)
    regression = _candidates(rng.normal(size=120))
    binary = _candidates(np.tile([0, 1], 60))
    multiclass = _candidates(np.tile([0, 1, 2], 40))
    assert "linear_proba" in binary and binary == multiclass
    guide = _text("docs", "user_guide.rst")
    match = re.search(r"(\w+) candidates \(([^)]*)\) are fitted the same way", guide)
    assert match, "the user guide no longer counts the candidates"
    assert NUMBERS[match.group(1).lower()] == len(regression)
    word = {n: w for w, n in NUMBERS.items()}[len(binary)]
    assert match.group(2) == f"{word} for classification", match.group(2)


@pytest.mark.parametrize("path", ["README.md", "docs/user_guide.rst", "docs/architecture.rst",
                                  "docs/index.rst", "docs/benchmarks.rst",
                                  "benchmarks/README.md", "skmoe/_blend.py",
                                  "skmoe/_candidates.py", "skmoe/_moe.py"])
def test_no_page_says_the_probabilities_head_is_for_three_classes_only(path):
    """docs/architecture.rst's "How a fit flows" still listed the candidates as
    "... for 3+ classes also StackingClassifier's head on the probabilities"
    after 9117d8e made it a candidate of every classifier. No list of the
    candidates may tie that head to three or more classes."""
    text = _text(*path.split("/"))
    stale = re.findall(r"(?:3\+|three or more|more than two) classes,? also "
                       r"StackingClassifier's", text)
    assert stale == [], path


def _results_lines():
    """The summary lines of benchmarks/results/results.md by label ("ii", "iv",
    "v"; "em_time": EM's fit time), and its table rows."""
    with open(os.path.join(ROOT, "benchmarks", "results", "results.md"),
              encoding="utf-8") as f:
        lines = f.read().splitlines()
    labelled = {m.group(1): line for line in lines
                for m in [re.match(r"- \((\w+)\) ", line)] if m}
    labelled["em_time"] = next(line for line in lines if line.startswith("- Fit time of EM"))
    return labelled, [line for line in lines if line.startswith("| ")]


def test_readme_headline_figures_are_those_of_the_results_file():
    """README's "How it compares" and benchmarks/README.md quote the suite's
    rank, fit-time and EM figures; the re-run of the six binary sets
    (7d5c8a4) moved them (1.31x / 1.69x college_distance, EM +2.2 % and
    1.51x). Each figure is read from results.md's summary lines and must be
    the one both pages give."""
    lines, rows = _results_lines()
    # The score tables' "MoE rank" column (the regression and log-loss tables).
    ranks = [row.split("|")[-4].strip() for row in rows if row.count("|") == 19]
    ranks = [rank for rank in ranks if rank.isdigit()]
    first, n_sets = ranks.count("1"), len(ranks)
    share = re.search(r"on (\d+)% of the datasets", lines["ii"]).group(1)
    assert round(100 * first / n_sets) == int(share)
    fit = re.search(r"median ([\d.]+)x, worst ([\d.]+)x on (\w+)", lines["iv"]).groups()
    em_gap = re.search(r"median dataset: \+([\d.]+)%", lines["v"]).group(1)
    em_fit = re.search(r"median ([\d.]+)x, worst ([\d.]+)x on (\w+)",
                       lines["em_time"]).groups()
    readme = _text("README.md")
    assert (f"first against {{best expert, ensemble, stacking, Caruana}} on {first} of "
            f"{n_sets} ({share} %)") in readme
    assert f"fit time: median {fit[0]}x stacking's, {fit[1]}x at worst ({fit[2]}," in readme
    assert f"EM (`training=\"em\"`): {em_gap} % behind the default on the median" in readme
    assert (f"median {em_fit[0]}x stacking's fit time ({em_fit[1]}x at worst, "
            f"{em_fit[2]})") in readme
    bench = _text("benchmarks", "README.md")
    assert f"on {first} of {n_sets} ({share} %," in bench
    assert f"fit time median {fit[0]}x Stacking's, worst {fit[1]}x ({fit[2]})" in bench
    assert f"EM: {em_gap} % behind the default on the median dataset" in bench
    assert f"{em_fit[0]}x Stacking's, {em_fit[1]}x at worst ({em_fit[2]})" in bench
    page = _text("docs", "benchmarks.rst")
    assert (f"first on {first} of {n_sets} still; fit time median {fit[0]}x Stacking's, "
            f"the worst {fit[1]}x (``{fit[2]}``)") in page
    assert f"In the suite's run above it is {em_gap} % behind the default" in page
    assert f"at a median {em_fit[0]}x Stacking's fit time" in page



def test_the_head_lists_of_combiner_and_predict_gate_name_the_probabilities_head():
    """``combiner_`` and ``predict_gate`` list the heads a classifier's
    ``predict`` blends in: stacking's linear models, the best expert, the
    class frequencies -- not StackingClassifier's head on the probabilities,
    a candidate of every classifier since 9117d8e (of 3+ classes since round 18)."""
    from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor

    combiner = " ".join(MixtureOfExpertsRegressor.__doc__.split()).split("combiner_ :", 1)[1]
    combiner = combiner.split(" has a weight", 1)[0]
    gate = " ".join(MixtureOfExpertsClassifier.predict_gate.__doc__.split())
    gate = gate.split("the final blend's heads", 1)[1].split("so these weights", 1)[0]
    for text in (combiner, gate):
        assert "class frequencies" in text
        assert "StackingClassifier's head on the probabilities" in text, text
