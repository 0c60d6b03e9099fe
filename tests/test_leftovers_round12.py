"""Leftovers of earlier sessions, round 12: first choices' priority under a
top-k capacity, the PLE example's seed counts, a 1-D X in compare.

Each test failed before the change it names, but the two guards that say so
(a capacity that binds nothing, a 1-D X of documents)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

from skmoe import compare
from skmoe._routing import capacity_assign, expert_capacity, route, sort_experts

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------- 1. first choices before second choices
@pytest.mark.parametrize("n_rows, n_experts, k", [(100, 4, 2), (100, 4, 3), (37, 5, 2),
                                                   (64, 8, 2)])
def test_capacity_of_one_over_top_k_holds(n_rows, n_experts, k):
    # 100 rows, 4 experts, top-2 at 0.5: a cap of 25 and 100 slots, one per
    # row, yet counts were [25, 28, 25, 27]: rank by rank, a row's second
    # choice took the slot another row needed for its first, and that row
    # kept its first choice over the cap.
    for seed in range(10):
        logits = torch.randn(n_rows, n_experts, generator=torch.Generator().manual_seed(seed))
        routing = route(logits, k, capacity_factor=1 / k)
        cap = expert_capacity(1 / k, k, n_rows, n_experts)
        assert n_experts * cap >= n_rows
        idx = routing.indices
        counts = torch.bincount(idx[idx >= 0], minlength=n_experts)
        assert counts.max() <= cap, (seed, counts.tolist(), cap)
        assert (idx[:, 0] >= 0).all()                      # every row routed
        for row in idx.tolist():                           # no expert twice
            kept = [j for j in row if j >= 0]
            assert len(kept) == len(set(kept))
        assert torch.isfinite(routing.weights).all()


def test_a_row_without_a_slot_outranks_a_second_choice():
    # Three rows, three experts, top-2, one row per expert: a slot per row.
    # Row 2 takes expert 2 from row 1 (0.65 > 0.50) and row 1's next choice,
    # expert 1, is row 0's. Rank by rank, row 0's second choice (expert 0,
    # 0.25) then beat row 2's (0.20) and row 1 found every expert full: it
    # kept expert 2, two rows over a cap of one ([[1, 0], [2, -1], [2, -1]]).
    # A row's first slot now comes before anyone's second.
    probs = torch.tensor([[0.25, 0.70, 0.05],
                          [0.15, 0.35, 0.50],
                          [0.20, 0.15, 0.65]])
    indices = capacity_assign(probs, sort_experts(probs), torch.tensor([2, 2, 2]), capacity=1)
    assert indices.tolist() == [[1, -1], [0, -1], [2, -1]]


def test_capacity_that_binds_nothing_keeps_top_k():
    # A guard: with room to spare the slot-by-slot fill is plain top-k.
    logits = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
    routing = route(logits, 2, capacity_factor=10.0)
    assert torch.equal(routing.indices, sort_experts(logits)[:, :2])


def test_capacity_with_random_routing_holds_and_keeps_first_choices():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(200, 4, generator=g)
    routing = route(logits, 2, training=True, random_routing=True, capacity_factor=0.5,
                    generator=g)
    idx = routing.indices
    assert torch.bincount(idx[idx >= 0], minlength=4).max() <= expert_capacity(0.5, 2, 200, 4)
    assert (idx[:, 0] >= 0).all()


def test_the_docs_say_first_choices_come_first():
    text = " ".join((ROOT / "docs" / "user_guide.rst").read_text().split())
    assert "every row gets its first expert before any row gets a second" in text


# ------------------------------------------------ 2. the PLE example's counts
def test_the_ple_example_quotes_the_seed_counts_of_its_results_file():
    results = json.loads((ROOT / "benchmarks" / "results" / "ple_synthetic.json").read_text())
    both, each = [], []
    for summary in results["summary"].values():
        for model in ("cgc", "ple"):
            both.append(summary[model]["wins_vs_mmoe_both_tasks"])
            each.extend(summary[model]["wins_vs_mmoe"])
    n = results["settings"]["seeds"]
    text = " ".join(line.lstrip("# ") for line in
                    (ROOT / "examples" / "plot_ple_seesaw.py").read_text().splitlines())
    text = " ".join(text.split())
    assert f"win on both tasks in {min(both)} to {max(both)} of the {n} seeds" in text
    assert f"on each task, in {min(each)} to {max(each)}" in text


# ---------------------------------------------------------- 3. 1-D X in compare
def test_compare_refuses_a_one_dimensional_x_before_any_fit():
    X = np.linspace(0, 1, 40)
    y = np.sin(6 * X)

    class Spy(Ridge):
        def fit(self, X, y):
            raise AssertionError("fitted")

    with pytest.raises(ValueError, match=re.escape("X has shape (40,)")) as info:
        compare({"spy": Spy(), "tree": DecisionTreeRegressor()}, X, y, cv=3)
    assert "reshape(-1, 1)" in str(info.value)
    assert "split" not in str(info.value)
    # The same as a list.
    with pytest.raises(ValueError, match=re.escape("X has shape (40,)")):
        compare({"spy": Spy(), "tree": DecisionTreeRegressor()}, X.tolist(), y, cv=3)


def test_compare_still_takes_a_one_dimensional_x_of_documents():
    # A guard: a text pipeline takes one document a row.
    docs = ["good movie", "bad film", "great plot", "awful acting"] * 6
    y = [1, 0, 1, 0] * 6
    result = compare({"nb": make_pipeline(TfidfVectorizer(), MultinomialNB()),
                      "lr": make_pipeline(TfidfVectorizer(), LogisticRegression())},
                     docs, y, cv=3)
    assert "nb" in str(result)
