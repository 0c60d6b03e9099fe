"""Why the mixture trails Stacking on small deduplicated factor-only sets: per split,
the candidate it picked, the held-out losses that led there, every candidate's test
score and Stacking's final estimator next to them.

The sets are loaded and split as ``bench_accuracy_unseen_distinct.py`` does (each
round's loader, then its distinct rows; round 6's 5 splits and seeds); the fits are
``diagnose_candidates.py``'s. Per split it records (JSON lines):

* ``weights``, ``held_out``: the mixture's candidate weights and held-out losses;
* ``test``: the test log-loss of Stacking, Caruana, the mixture, each candidate
  alone (``diagnose_candidates.candidates_alone``), ``linear_unbounded`` (the
  linear head without its "lower" bound) and ``stack_lr_on_moe_experts``
  (Stacking's fitted final LogisticRegression on the mixture's refit experts'
  test probabilities);
* ``oof``: on Stacking's own out-of-fold expert outputs (re-made with its
  ``StratifiedKFold(5)``), a LogisticRegression on the probabilities (Stacking's
  final model) and one on the log-probabilities (the mixture's linear head's
  inputs, unbounded), each scored 5-fold on those rows (``held_out``) and,
  fitted on all of them, on the test rows (``test``).

``--by-x`` holds out whole X values instead (a control); ``--exclusion`` prints,
without fitting a model, how often a test row's X is in the training rows and the
log-loss of a rule that only down-weights the labels the training rows have there::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_small_sets.py --out small.jsonl 20:CNES
    OMP_NUM_THREADS=1 python benchmarks/diagnose_small_sets.py --out small.jsonl --report
    OMP_NUM_THREADS=1 python benchmarks/diagnose_small_sets.py --out unused --exclusion 20:CNES

Results: ``benchmarks/results/small_sets_diagnosis.md``.
"""

import argparse
import json
import os
import sys
import warnings

import copy

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GroupShuffleSplit, StratifiedKFold, cross_val_predict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_accuracy_unseen_round6 as round6  # noqa: E402
from bench_accuracy_unseen_distinct import distinct_sets  # noqa: E402
from diagnose_candidates import candidates_alone  # noqa: E402
from run_benchmarks import _splits, build_method  # noqa: E402
from skmoe._candidates import PROBA_FLOOR, LinearHead  # noqa: E402

def _meta(proba, log):
    """Stacking's meta-features of (n, M, C) probabilities: the first class
    dropped for two classes; on the log scale, floored at ``log``, if set."""
    if log:
        proba = np.log(np.clip(proba, log, 1.0))
    if proba.shape[2] == 2:
        proba = proba[:, :, 1:]
    return proba.reshape(len(proba), -1)


def _stacked_oof(stack, X, y):
    """(n, M, C): each of Stacking's experts' out-of-fold probabilities on its
    training rows, with its own split (cv=5 on a classifier: StratifiedKFold(5))."""
    return np.stack([cross_val_predict(clone(est), X, y, cv=StratifiedKFold(5),
                                       method="predict_proba")
                     for _, est in stack.estimators], axis=1)


def run_split(X, y, train, test, seed):
    fitted = {name: build_method(name, "classification", seed=seed, lgbm_trees=300,
                                 n_jobs=1).fit(X[train], y[train])
              for name in ("stacking", "caruana", "moe")}
    moe, stack = fitted["moe"], fitted["stacking"]
    labels = moe.classes_

    def score(p):
        return float(log_loss(y[test], p, labels=labels))

    X_test = moe._check_X(X[test])
    combiner, view = moe._combiner_and_view(X_test)
    weights, outputs = moe._weights_and_outputs(X_test, view)
    tests = {name: score(model.predict_proba(X[test])) for name, model in fitted.items()}
    tests["stack_lr_on_moe_experts"] = score(
        stack.final_estimator_.predict_proba(_meta(outputs, log=None)))
    tests.update(candidates_alone(moe, combiner, view, weights, outputs, score))
    for _, head in ([] if combiner is None else combiner.heads):
        if isinstance(head, LinearHead) and not head.feature_weighted:
            # The linear head without its "lower" bound.
            free = copy.copy(head)
            free.bounds = None
            tests["linear_unbounded"] = score(free.predict_proba(view, outputs, len(labels)))
    # Stacking's final model and a log-input one, as if they were candidates.
    oof = _stacked_oof(stack, X[train], y[train])
    test_out = np.stack([est.predict_proba(X[test]) for est in stack.estimators_], axis=1)
    extra = {}
    # (Floors: 1e-15, about sklearn's log_loss clip; PROBA_FLOOR, the linear head's.)
    for name, log in (("lr_proba", None), ("lr_log", 1e-15), ("lr_log_head_floor", PROBA_FLOOR)):
        lr = LogisticRegression(max_iter=1000)
        held = cross_val_predict(lr, _meta(oof, log), y[train],
                                 cv=StratifiedKFold(5, shuffle=True, random_state=seed),
                                 method="predict_proba")
        extra[name] = {"held_out": float(log_loss(y[train], held, labels=labels)),
                       "test": score(lr.fit(_meta(oof, log), y[train])
                                     .predict_proba(_meta(test_out, log)))}
    return {"weights": {k: round(float(v), 3) for k, v in moe.candidate_weights_.items()},
            "held_out": {k: float(v) for k, v in moe.out_of_fold_loss_.items()},
            "test": tests, "oof": extra}


def _x_keys(X):
    """One integer per row: rows with the same X share it."""
    return np.unique(X, axis=0, return_inverse=True)[1].ravel()


def splits(X, y, n_splits, by_x=False):
    """The distinct script's splits, or (``by_x``) 25 % of the distinct X values
    held out with every row that has them (no X on both sides)."""
    if not by_x:
        return _splits("classification", X, y, n_splits, 0.25, 0)
    return list(GroupShuffleSplit(n_splits, test_size=0.25, random_state=0)
                .split(X, y, _x_keys(X)))


def run(rnd, name, n_splits, by_x=False):
    _, X, y = round6.load(name, distinct_sets(rnd))
    records = []
    for split, (train, test) in enumerate(splits(X, y, n_splits, by_x)):
        rec = run_split(X, y, train, test, split)
        rec.update(split=split)
        records.append(rec)
        print(name, split, json.dumps(rec), flush=True)
    return {"round": rnd, "set": name, "by_x": by_x, "n": len(y), "p": X.shape[1],
            "classes": int(len(np.unique(y))), "records": records}


def _mean_se(diffs):
    d = np.asarray(diffs)
    return d.mean(), (d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else np.nan)


def _pct(pair):
    return f"{100 * pair[0]:+.1f} ± {100 * pair[1]:.1f}"


def decompose(result):
    """Per split, relative to Stacking's test log-loss: the mixture's gap; (a) the
    mixture against the best of its candidates on the test rows (an oracle pick);
    (b) that best candidate against Stacking; and the candidate with the lowest
    held-out loss, alone, against that oracle pick."""
    rows = {k: [] for k in ("gap", "a", "b", "heldbest", "lin", "lin_free", "bound",
                            "lr_log", "lr_log4", "lr_proba", "on_moe")}
    for r in result["records"]:
        t, s = r["test"], r["test"]["stacking"]
        cands = {k: v for k, v in t.items() if k in r["held_out"]}
        oracle = min(cands.values())
        picked = min(r["held_out"], key=r["held_out"].get)
        rows["gap"].append(t["moe"] / s - 1)
        rows["a"].append((t["moe"] - oracle) / s)
        rows["b"].append(oracle / s - 1)
        rows["heldbest"].append((cands[picked] - oracle) / s)
        rows["lin"].append(t.get("linear", np.nan) / s - 1)
        rows["lin_free"].append(t.get("linear_unbounded", np.nan) / s - 1)
        rows["bound"].append((t.get("linear", np.nan) - t.get("linear_unbounded", np.nan)) / s)
        rows["lr_log4"].append(r["oof"]["lr_log_head_floor"]["test"] / s - 1)
        rows["lr_log"].append(r["oof"]["lr_log"]["test"] / s - 1)
        rows["lr_proba"].append(r["oof"]["lr_proba"]["test"] / s - 1)
        rows["on_moe"].append(t["stack_lr_on_moe_experts"] / s - 1)
    return {k: _mean_se(v) for k, v in rows.items()}


def report(results):
    cols = [("gap", "mixture"), ("a", "(a) mixture − oracle candidate"),
            ("heldbest", "lowest-held-out candidate − oracle candidate"),
            ("b", "(b) oracle candidate"), ("lin", "linear head alone"),
            ("lin_free", "linear head, unbounded"), ("bound", "the bound's cost"),
            ("lr_log", "LR on log-probs (floor 1e-15)"),
            ("lr_log4", "LR on log-probs (floor 1e-4)"),
            ("lr_proba", "LR on probs (Stacking re-fit)"),
            ("on_moe", "Stacking's LR on the mixture's experts")]
    lines = ["All relative to Stacking's test log-loss, % (mean ± paired SE over the splits)",
             "", "| set | rows × columns, classes | " + " | ".join(c for _, c in cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for res in results:
        d = decompose(res)
        lines.append(f"| {res['set']} | {res['n']} × {res['p']}, {res['classes']} | "
                     + " | ".join(_pct(d[k]) for k, _ in cols) + " |")
    lines += ["", "Per split (test log-loss; held-out loss in brackets; weight > 0 "
              "starred):", ""]
    for res in results:
        for r in res["records"]:
            cands = " ".join(
                f"{k}{'*' if r['weights'].get(k, 0) > 0 else ''} {r['test'][k]:.3f} "
                f"({r['held_out'][k]:.3f})" for k in r["held_out"])
            lines.append(f"- {res['set']} {r['split']}: Stacking {r['test']['stacking']:.3f}"
                         f" ({r['oof']['lr_proba']['held_out']:.3f}), LR log-probs "
                         f"{r['oof']['lr_log']['test']:.3f} "
                         f"({r['oof']['lr_log']['held_out']:.3f}), Caruana "
                         f"{r['test']['caruana']:.3f}, mixture {r['test']['moe']:.3f}; "
                         + cands)
    return "\n".join(lines)


def exclusion(rnd, name, n_splits, by_x=False):
    """On the set's splits: the share of test rows whose X is in the training rows,
    the share of those with a label it has there, and the test log-loss of the
    class frequencies and of the class frequencies with the labels the training
    rows have at the row's X down-weighted 20-fold (no model: a rule that only
    reads which labels a distinct-row sample has already used at an X)."""
    _, X, y = round6.load(name, distinct_sets(rnd))
    keys, K = _x_keys(X), int(y.max()) + 1
    out = []
    for train, test in splits(X, y, n_splits, by_x):
        seen = {}
        for k, c in zip(keys[train], y[train]):
            seen.setdefault(k, set()).add(c)
        prior = np.bincount(y[train], minlength=K) / len(train)
        P = np.tile(prior, (len(test), 1))
        for i, k in enumerate(keys[test]):
            P[i, list(seen.get(k, ()))] *= 0.05
        P /= P.sum(axis=1, keepdims=True)
        out.append((np.mean([k in seen for k in keys[test]]),
                    np.mean([c in seen.get(k, ()) for k, c in zip(keys[test], y[test])]),
                    log_loss(y[test], np.tile(prior, (len(test), 1)), labels=range(K)),
                    log_loss(y[test], P, labels=range(K))))
    return {"set": name, "n": len(y), "distinct_x": int(keys.max()) + 1,
            "per_split": [list(map(float, o)) for o in out]}


def stacking_coefficients(rnd, name):
    """Stacking's final LogisticRegression on the set's first split: per expert, the
    coefficient of its probability of class c on the logit of c (mean over c; two
    classes: of class 1). Negative: the expert's vote is turned against its class."""
    _, X, y = round6.load(name, distinct_sets(rnd))
    train, _ = splits(X, y, 1)[0]
    stack = build_method("stacking", "classification", seed=0, lgbm_trees=300,
                         n_jobs=1).fit(X[train], y[train])
    coef, names = stack.final_estimator_.coef_, [n for n, _ in stack.estimators]
    if len(coef) == 1:
        own = coef[0]
    else:
        K = len(coef)
        own = np.mean([coef.reshape(K, len(names), K)[c, :, c] for c in range(K)], axis=0)
    return {n: round(float(v), 2) for n, v in zip(names, own)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="ROUND:SET, e.g. 20:CNES")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", required=True)
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--by-x", action="store_true",
                        help="hold out whole X values (GroupShuffleSplit on X) instead")
    parser.add_argument("--coefficients", action="store_true",
                        help="print stacking_coefficients() for the sets instead")
    parser.add_argument("--exclusion", action="store_true",
                        help="print exclusion()'s figures for the sets instead")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.report:
        with open(args.out) as f:
            print(report([json.loads(line) for line in f]))
        return
    if args.exclusion:
        # Stacking's test log-loss per split, where --out holds the set's run.
        stacking = {}
        if os.path.exists(args.out):
            with open(args.out) as f:
                for line in f:
                    res = json.loads(line)
                    stacking[res["set"]] = [r["test"]["stacking"] for r in res["records"]]
        for item in args.sets:
            rnd, name = item.split(":")
            r = exclusion(int(rnd), name, args.splits, args.by_x)
            m = np.mean(r["per_split"], axis=0)
            versus = ""
            if name in stacking:
                rule = np.array([s[3] for s in r["per_split"]])
                versus = (f"{np.mean(stacking[name]):.3f} (rule "
                          f"{_pct(_mean_se(rule / np.array(stacking[name]) - 1))} %) |")
            print(f"| {name} | {r['n']} | {r['distinct_x']} | {m[0]:.2f} | {m[1]:.2f} | "
                  f"{m[2]:.3f} | {m[3]:.3f} | {versus}")
        return
    if args.coefficients:
        for item in args.sets:
            rnd, name = item.split(":")
            print(name, stacking_coefficients(int(rnd), name))
        return
    for item in args.sets:
        rnd, name = item.split(":")
        result = run(int(rnd), name, args.splits, args.by_x)
        with open(args.out, "a") as f:
            f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
