"""The feature-weighted classification head's penalty search stopping at the
first penalty past its best against stopping two past it (round 17's rule).

Two modes (``benchmarks/results/fw_search_speed.md``):

``paths``: fits the default mixture on the public suite's classification sets
(``run_benchmarks.py``'s splits), keeps every search's inputs, and fits each
search's full path (all 6 penalties, 3 folds) to compare the two rules' choices
with the full path's::

    OMP_NUM_THREADS=1 python benchmarks/bench_fw_search_speed.py paths --splits 2

``timing``: on round 22's sets, per split, the fit seconds of Stacking and of
the default mixture with each rule (interleaved, one process), their ratios,
the test log-losses, and the search's choice against the full path's::

    OMP_NUM_THREADS=1 python benchmarks/bench_fw_search_speed.py timing --splits 2 \\
        ebmt2 trump_tweets anes_partytherms

``unseen``: on sets of the unseen rounds (``roundN:set``), per split, the
default mixture's fit with each search captured; each search's full path and
both rules' choices, with the cross-validated loss per row at each choice; where
a split's choices differ, the mixture refitted with round 17's rule and with the
full path, and the test log-loss of each::

    OMP_NUM_THREADS=1 python benchmarks/bench_fw_search_speed.py unseen --splits 2 \\
        round10:HC round10:HELPrct round16:bacteria ...
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round22 as round22  # noqa: E402
import run_benchmarks  # noqa: E402
from run_benchmarks import _splits, build_method  # noqa: E402

from skmoe import _candidates  # noqa: E402

CURRENT = _candidates.LinearHead._search_C


def full_path(features, y, sample_weight):
    """The 3-fold log-loss of every penalty of ``FW_CS``, as the search fits them."""
    return _candidates.penalty_path(features, y, sample_weight)


def stopped(scores, past):
    """The rule's choice on a full path, and how many penalties it fits."""
    seen = np.full(len(scores), np.inf)
    for j, score in enumerate(scores):
        seen[j] = score
        if past == 2 and j >= 2 and seen[j] > seen[:j - 1].min() and \
                seen[j - 1] > seen[:j - 1].min():
            break
        if past == 1 and j >= 1 and seen[j] > seen[:j].min():
            break
    return float(_candidates.FW_CS[_candidates._most_regularised_best(seen)]), j + 1


def _two_past_the_best(scores, j):
    """Round 17's stop: two penalties past the best."""
    return j >= 2 and scores[j] > scores[:j - 1].min() and scores[j - 1] > scores[:j - 1].min()


def two_past_search(features, y, sample_weight):
    """Round 17's search as it ran (its fits stop where its rule does)."""
    scores = _candidates.penalty_path(features, y, sample_weight, stop=_two_past_the_best)
    return 1.0 if scores is None else float(
        _candidates.FW_CS[_candidates._most_regularised_best(scores)])


def full_search(features, y, sample_weight):
    """The full path's choice (all 6 penalties)."""
    scores = full_path(features, y, sample_weight)
    return 1.0 if scores is None else float(
        _candidates.FW_CS[_candidates._most_regularised_best(scores)])


def unseen(specs, n_splits):
    """``unseen`` mode: see the module's docstring."""
    import importlib
    totals = {"searches": 0, "new = full": 0, "old = full": 0, "new = old": 0}
    for spec in specs:
        module, name = spec.split(":")
        task, X, y = importlib.import_module(
            f"bench_accuracy_unseen_{module}").load(name)
        for k, (train, test) in enumerate(_splits(task, X, y, 5, 0.25, 0)):
            if k >= n_splits:
                break
            losses, searches = {}, []
            for label, search in (("new", None), ("old", two_past_search),
                                  ("full", full_search)):
                if label == "new":
                    _candidates.LinearHead._search_C = capture(
                        searches, lambda: f"search {len(searches)}")
                else:
                    _candidates.LinearHead._search_C = staticmethod(search)
                model = build_method("moe", task, seed=k, lgbm_trees=300, n_jobs=1)
                model.fit(X[train], y[train])
                _candidates.LinearHead._search_C = CURRENT
                losses[label] = log_loss(y[test], model.predict_proba(X[test]),
                                         labels=model.classes_)
                if label == "new":
                    differ = False
                    for tag, (features, yy, w) in searches:
                        scores = full_path(features, yy, w)
                        per_row = scores / w.sum()
                        best = _candidates._most_regularised_best(scores)
                        full = float(_candidates.FW_CS[best])
                        (c2, n2), (c1, n1) = stopped(scores, 2), stopped(scores, 1)
                        totals["searches"] += 1
                        totals["new = full"] += c1 == full
                        totals["old = full"] += c2 == full
                        totals["new = old"] += c1 == c2
                        differ |= not (c1 == c2 == full)
                        at = {c: per_row[list(_candidates.FW_CS).index(c)]
                              for c in (c1, c2, full)}
                        print(f"{spec} split {k} {tag}: {features.shape[0]} rows "
                              f"{features.shape[1]} columns {len(np.unique(yy))} classes; "
                              f"new C={c1:g} ({n1} penalties, CV loss {at[c1]:.4f}); "
                              f"old C={c2:g} ({n2}, {at[c2]:.4f}); full C={full:g} "
                              f"({at[full]:.4f}); loss per row "
                              f"{np.round(per_row, 4).tolist()}", flush=True)
                    if not differ:
                        break
            print(f"{spec} split {k}: test log-loss "
                  + ", ".join(f"{label} {v!r}" for label, v in losses.items()), flush=True)
    print(totals, flush=True)


def compare(searches):
    """One line per captured search: the full path's choice and each rule's."""
    for name, (features, y, w) in searches:
        scores = full_path(features, y, w)
        full = float(_candidates.FW_CS[_candidates._most_regularised_best(scores)])
        (c2, n2), (c1, n1) = stopped(scores, 2), stopped(scores, 1)
        print(f"{name}: {features.shape[0]} rows {features.shape[1]} columns "
              f"{len(np.unique(y))} classes; full path C={full:g}; two past C={c2:g} "
              f"({n2} penalties); first past C={c1:g} ({n1}); loss per row "
              f"{np.round(scores / w.sum(), 4).tolist()}", flush=True)


def capture(into, label):
    def search(features, y, sample_weight):
        into.append((label(), (features.copy(), y.copy(), sample_weight.copy())))
        return CURRENT(features, y, sample_weight)
    return staticmethod(search)


def timed(search, seconds):
    """``search``, its seconds added to ``seconds[0]``."""
    def run(features, y, sample_weight):
        start = time.perf_counter()
        try:
            return search(features, y, sample_weight)
        finally:
            seconds[0] += time.perf_counter() - start
    return staticmethod(run)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["paths", "timing", "unseen"])
    parser.add_argument("sets", nargs="*")
    parser.add_argument("--splits", type=int, default=2)
    args = parser.parse_intermixed_args(argv)
    warnings.simplefilter("ignore")
    searches = []
    if args.mode == "unseen":
        unseen(args.sets, args.splits)
        return
    if args.mode == "paths":
        _candidates.LinearHead._search_C = capture(searches, lambda: f"search {len(searches)}")
        run_benchmarks.main(["--splits", str(args.splits), "--methods", "moe", "--out",
                             os.path.join("/tmp", "fw_search_speed_paths"), "--datasets",
                             *(args.sets or ["iris", "wine", "breast_cancer", "digits", "mroz",
                                             "spam7", "hmda", "college_distance", "default"])])
        _candidates.LinearHead._search_C = CURRENT
        compare(searches)
        return
    for name in args.sets:
        task, X, y = round22.load(name)
        ratios = {"before": [], "after": []}
        cpu_ratios = {"before": [], "after": []}
        for k, (train, test) in enumerate(_splits(task, X, y, 5, 0.25, 0)):
            if k >= args.splits:
                break
            row = {}
            # Alternating which rule goes first: the machine's load drifts.
            for label in ("stacking",) + (("before", "after") if k % 2 == 0
                                          else ("after", "before")):
                seconds = [0.0]
                _candidates.LinearHead._search_C = (
                    timed(two_past_search, seconds) if label == "before" else
                    timed(capture(searches, lambda: f"{name} split {k}").__func__, seconds)
                    if label == "after" else CURRENT)
                model = build_method("stacking" if label == "stacking" else "moe", task,
                                     seed=0, lgbm_trees=300, n_jobs=1)
                start, cpu = time.perf_counter(), time.process_time()
                model.fit(X[train], y[train])
                row[label] = time.perf_counter() - start
                # CPU seconds too (one thread, one process): far less moved by
                # other jobs on a shared machine than the wall clock.
                row[label + " cpu"] = time.process_time() - cpu
                row[label + " search"] = seconds[0]
                row[label + " log-loss"] = log_loss(y[test], model.predict_proba(X[test]),
                                                    labels=model.classes_)
            _candidates.LinearHead._search_C = CURRENT
            for label in ratios:
                ratios[label].append(row[label] / row["stacking"])
                cpu_ratios[label].append(row[label + " cpu"] / row["stacking cpu"])
            print(f"{name} split {k}: fit Stacking {row['stacking']:.1f} s, mixture before "
                  f"{row['before']:.1f} s ({ratios['before'][-1]:.2f}x), after "
                  f"{row['after']:.1f} s ({ratios['after'][-1]:.2f}x); CPU Stacking "
                  f"{row['stacking cpu']:.1f} s, before {row['before cpu']:.1f} s "
                  f"({cpu_ratios['before'][-1]:.2f}x), after {row['after cpu']:.1f} s "
                  f"({cpu_ratios['after'][-1]:.2f}x); penalty search before "
                  f"{row['before search']:.1f} s, after {row['after search']:.1f} s; "
                  f"test log-loss before "
                  f"{row['before log-loss']!r} after {row['after log-loss']!r}", flush=True)
        print(f"{name}: median ratio to Stacking before {statistics.median(ratios['before']):.2f}x"
              f", after {statistics.median(ratios['after']):.2f}x; in CPU seconds before "
              f"{statistics.median(cpu_ratios['before']):.2f}x, after "
              f"{statistics.median(cpu_ratios['after']):.2f}x", flush=True)
    compare(searches)


if __name__ == "__main__":
    main()
