"""Why cross-fitted EM stops with a constant gate (round 4 diagnosis).

Instruments one ``training="em"`` fit: per iteration the held-out
log-likelihood, its gain over the best so far and the gain's paired SE (the
stopping rule's), the sd of the held-out gate probabilities, and the
iteration's gain split into the gate's part (new gate logits on the previous
iteration's expert likelihoods) and the experts' part (the previous gate on
the new experts' likelihoods). At the end: the fitted gate's sd on X.

Run (results: ``benchmarks/results/em_levers_round4.md``)::

    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round4.py moons
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round4.py moons_variants 5
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round4.py gate_ceiling regimes
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round4.py table 5
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round4.py table_pair 5
    OMP_NUM_THREADS=1 python benchmarks/diagnose_em_round4.py levers_pair 5
"""

import sys
import warnings

import numpy as np
from scipy.special import logsumexp

import skmoe._em as em
from skmoe import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor


_ORIGINAL_E_STEP = em.e_step


def _ll(logits, log_lik, w):
    joint = logits - logsumexp(logits, axis=1, keepdims=True) + log_lik
    return np.average(logsumexp(joint, axis=1), weights=w)


def instrument():
    """Patch e_step to log each iteration; returns the log (a list)."""
    log, original = [], _ORIGINAL_E_STEP

    def e_step(problem, logits, noise, log_lik, options, generator):
        R, per_sample = original(problem, logits, noise, log_lik, options, generator)
        w = problem.sample_weight
        gate = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
        row = dict(ll=float(np.average(per_sample, weights=w)),
                   gate_sd=float(gate.std(axis=0).mean()),
                   share=np.average(gate, axis=0, weights=w))
        if log:
            prev = log[-1]
            best = max(log, key=lambda r: r["ll"])
            row["gain"] = row["ll"] - best["ll"]
            row["se"] = em._gain_standard_error(per_sample, best["per_sample"], w)
            row["gate_part"] = _ll(logits, prev["log_lik"], w) - prev["ll"]
            row["expert_part"] = _ll(prev["logits"], log_lik, w) - prev["ll"]
        row.update(per_sample=per_sample, logits=logits, log_lik=log_lik)
        log.append(row)
        return R, per_sample

    em.e_step = e_step
    return log


def show(log):
    for i, r in enumerate(log, 1):
        extra = ("" if i == 1 else
                 f" gain {r['gain']:+.4f} se {r['se']:.4f} gate-part {r['gate_part']:+.4f}"
                 f" expert-part {r['expert_part']:+.4f}")
        print(f"  iter {i}: held-out ll {r['ll']:+.4f} gate sd {r['gate_sd']:.3f} "
              f"shares {np.round(r['share'], 3)}{extra}")


def fitted_gate_sd(model, X):
    """Mean over experts of the sd over rows of the fitted gate's weights."""
    return float(np.asarray(model.predict_gate(X)).std(axis=0).mean())


def moons():
    from sklearn.datasets import make_moons
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier
    X, y = make_moons(n_samples=600, noise=0.25, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    for cv in ("default", None):
        log = instrument()
        kw = {} if cv == "default" else {"cv": None}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for data, label in (((X, y), "all 600 rows"), ((Xtr, ytr), "75 % train")):
                del log[:]
                clf = MixtureOfExpertsClassifier(
                    [("logistic", LogisticRegression()),
                     ("tree", DecisionTreeClassifier(max_depth=4))],
                    training="em", max_iter=15, random_state=0, **kw).fit(*data)
                print(f"cv={cv}, {label}: n_iter {clf.n_iter_}, fitted gate sd "
                      f"{fitted_gate_sd(clf, X):.3f}, mean gate {np.round(clf.predict_gate(X).mean(0), 3)}, "
                      f"test acc {clf.score(Xte, yte):.3f}" if label != "all 600 rows" else
                      f"cv={cv}, {label}: n_iter {clf.n_iter_}, fitted gate sd "
                      f"{fitted_gate_sd(clf, X):.3f}, mean gate {np.round(clf.predict_gate(X).mean(0), 3)}")
                show(log)
        em.e_step = _ORIGINAL_E_STEP


MOONS_VARIANTS = {
    "EM now (cv=2)": ({}, {}),
    "cv=None (exact EM)": ({"cv": None}, {}),
    "PATIENCE=5": ({}, {"PATIENCE": 5}),
    "NOISE_Z=0": ({}, {"NOISE_Z": 0.0}),
    "warm_max_iter=100": ({"gate__warm_max_iter": 100}, {}),
    "PATIENCE=5, warm_max_iter=100": ({"gate__warm_max_iter": 100}, {"PATIENCE": 5}),
    "init matched": ({"init_params": "matched"}, {}),
    "cv=None, init uniform": ({"cv": None, "init_params": "uniform"}, {}),
    "init kmeans": ({"init_params": "kmeans"}, {}),
    "equal-weights start": ({}, {"CONSTANT_BLEND_START": False}),
    "floor 0": ({}, {"WEIGHT_FLOOR": 0.0}),
}


def moons_variants(n_splits="5"):
    """Test accuracy, n_iter and fitted gate sd per variant, paired over splits."""
    from sklearn.datasets import make_moons
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier
    from skmoe.gates import MLPGate
    X, y = make_moons(n_samples=600, noise=0.25, random_state=0)
    defaults = {k: getattr(em, k) for k in ("PATIENCE", "NOISE_Z", "CONSTANT_BLEND_START",
                                            "WEIGHT_FLOOR")}
    acc = {}
    for name, (params, constants) in MOONS_VARIANTS.items():
        for k, v in {**defaults, **constants}.items():
            setattr(em, k, v)
        rows = []
        for split in range(int(n_splits)):
            Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=split)
            kw = dict(params)
            gate_kw = {k.split("__")[1]: kw.pop(k) for k in list(kw) if k.startswith("gate__")}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf = MixtureOfExpertsClassifier(
                    [("logistic", LogisticRegression()),
                     ("tree", DecisionTreeClassifier(max_depth=4))],
                    gate=MLPGate(**gate_kw) if gate_kw else None,
                    training="em", max_iter=15, random_state=0, **kw).fit(Xtr, ytr)
            rows.append((clf.score(Xte, yte), clf.n_iter_, fitted_gate_sd(clf, Xte)))
        rows = np.array(rows)
        acc[name] = rows[:, 0]
        d = rows[:, 0] - acc["EM now (cv=2)"]
        print(f"{name:32s} acc {rows[:, 0].mean():.4f} (vs EM now {d.mean():+.4f} "
              f"± {d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else 0:.4f}) "
              f"n_iter {' '.join(str(int(i)) for i in rows[:, 1])} "
              f"gate sd {' '.join(f'{s:.2f}' for s in rows[:, 2])}")
    for k, v in defaults.items():
        setattr(em, k, v)


def gate_ceiling(name="moons"):
    """How far the best gate could move from the constant start (``name``:
    moons, line_then_steps or regimes; the example's pool of two).

    Captures the first E-step (the full-data fits' honest likelihoods under
    the constant blend) and fits, per fold, a cold gate to convergence
    (max_iter=1000) and the warm 15-step gate EM fits, to that iteration's
    responsibilities; prints the held-out log-likelihood each gives with the
    iteration-1 experts, and how much the responsibilities vary over rows.
    """
    import copy
    from sklearn.base import clone
    if name == "regimes":
        sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
        from run_benchmarks import load
        task, X, y, _ = load(name, 20000)
    else:
        task, X, y = _generated(name)
    captured = {}
    original_start = em._start

    def start(problem, gate_template, cv, rng):
        gate, folds = original_start(problem, gate_template, cv, rng)
        captured.update(problem=problem, folds=folds, gate=copy.deepcopy(gate))
        return gate, folds

    em._start = start
    log = instrument()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (MixtureOfExpertsRegressor if task == "regression" else MixtureOfExpertsClassifier)(
            _pair(task, 0), training="em", max_iter=15, random_state=0).fit(X, y)
    em._start, em.e_step = original_start, _ORIGINAL_E_STEP
    problem, folds, first = captured["problem"], captured["folds"], log[0]
    w, Xg = problem.sample_weight, problem.X
    joint = first["logits"] - logsumexp(first["logits"], axis=1, keepdims=True) + first["log_lik"]
    R = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
    print(f"iteration 1: held-out ll {first['ll']:+.4f}; posterior R[:, linear] "
          f"sd over rows {R[:, 0].std():.3f}, quantiles 5/25/50/75/95 % "
          f"{np.round(np.quantile(R[:, 0], [.05, .25, .5, .75, .95]), 3)}")
    agree = (first["log_lik"].argmax(1) == 0).mean()
    print(f"  rows where the linear model's honest likelihood of the label is higher: {agree:.3f}")
    oracle = np.where(first["log_lik"][:, 0] > first["log_lik"][:, 1], 0.0, 1.0)
    for label, mode in (("warm 15 steps (EM's)", "warm"), ("cold, max_iter 1000", "cold"),
                        ("warm 1000 steps", "warm1000")):
        logits = np.empty(R.shape)
        for train, test in folds:
            gate = copy.deepcopy(captured["gate"])
            gate.fit_constant(np.average(R, axis=0, weights=w))
            if mode == "cold":
                gate = clone(captured["gate"]).set_params(max_iter=1000).init(
                    Xg, 2, 0, dtype=captured["gate"].dtype if hasattr(captured["gate"], "dtype")
                    else __import__("torch").float64, sample_weight=w)
                gate.fit(Xg[train], R[train], w[train])
            else:
                if mode == "warm1000":
                    gate.set_params(warm_max_iter=1000)
                gate.fit(Xg[train], R[train], w[train], warm_start=True)
            logits[test] = gate.logits_and_noise(Xg[test])[0]
        g = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
        print(f"  gate {label:22s}: held-out ll {_ll(logits, first['log_lik'], w):+.4f} "
              f"(gain {_ll(logits, first['log_lik'], w) - first['ll']:+.4f}), gate sd {g.std(0).mean():.3f}")
    hard = np.log(np.clip(np.stack([1 - oracle, oracle], 1), 0.05, 0.95))
    print(f"  oracle hard gate (0.95 to the expert with the higher likelihood of the label, "
          f"not attainable): ll {_ll(hard, first['log_lik'], w):+.4f}")


def _generated(name, seed=0):
    """Sets with known regimes, built here (no download)."""
    rng = np.random.RandomState(seed)
    if name == "moons":
        from sklearn.datasets import make_moons
        X, y = make_moons(n_samples=600, noise=0.25, random_state=0)
        return "classification", X, y
    if name == "line_then_steps":
        # x < 0: a line (ridge is exact); x >= 0: a step function (a tree is).
        x = rng.uniform(-3, 3, 1500)
        y = np.where(x < 0, 2 * x, 3.0 * np.floor(2 * x) % 4) + rng.normal(0, 0.3, 1500)
        return "regression", np.c_[x, rng.normal(size=1500)], y
    if name == "linear_then_xor":
        # x0 < 0: a linear boundary in x1; x0 >= 0: XOR of x1 and x2 (trees).
        X = rng.uniform(-1, 1, (1500, 3))
        linear = X[:, 1] + 0.5 * X[:, 2] > 0
        xor = (X[:, 1] > 0) ^ (X[:, 2] > 0)
        y = np.where(X[:, 0] < 0, linear, xor).astype(int)
        flip = rng.rand(1500) < 0.05
        return "classification", X, np.where(flip, 1 - y, y)
    raise ValueError(name)


def _pair(task, seed):
    """The gallery example's pool: a linear model and a depth-4 tree."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    if task == "regression":
        return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=seed))]
    return [("logistic", LogisticRegression()),
            ("tree", DecisionTreeClassifier(max_depth=4, random_state=seed))]


def table(n_splits="5", *names, pool="suite"):
    """Per set: EM's iterations, its fitted gate's sd (test rows) and score,
    cv default against cv=None (and cv default from matched regions), with
    the suite's pool and splits."""
    sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
    from run_benchmarks import _scores, _splits, build_method, load
    names = names or ("regimes", "mcycle", "moons", "line_then_steps", "linear_then_xor")
    variants = {"cv=2 (default)": {}, "cv=None": {"cv": None},
                "cv=2, init matched": {"init_params": "matched"}}
    for name in names:
        if name in ("moons", "line_then_steps", "linear_then_xor"):
            task, X, y = _generated(name)
        else:
            task, X, y, _ = load(name, 20000)
        out = {v: [] for v in variants}
        for split, (train, test) in enumerate(_splits(task, X, y, int(n_splits), 0.25, 0)):
            for v, params in variants.items():
                if pool == "suite":
                    model = build_method("moe_em", task, seed=split, lgbm_trees=300,
                                         n_jobs=1, moe_params=params)
                else:
                    cls = (MixtureOfExpertsRegressor if task == "regression"
                           else MixtureOfExpertsClassifier)
                    model = cls(_pair(task, split), training="em", random_state=split,
                                **params)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
                score = next(iter(_scores(task, model, X[test], y[test])[0].values()))
                out[v].append((score, model.n_iter_, fitted_gate_sd(model, X[test])))
        _print_rows(name, out)


def _print_rows(name, out):
    """One Markdown row per variant of ``out`` ({variant: [(score, n_iter, gate
    sd)] per split}): mean score, paired change against "cv=2 (default)" ±
    its SE, the iterations and gate sds of each split."""
    base = np.array([r[0] for r in out["cv=2 (default)"]])
    for v, rows in out.items():
        rows = np.array(rows)
        d = rows[:, 0] - base
        print(f"| {name} | {v} | {rows[:, 0].mean():.4f} | {d.mean():+.4f} ± "
              f"{d.std(ddof=1) / np.sqrt(len(d)):.4f} | "
              f"{' '.join(str(int(i)) for i in rows[:, 1])} | "
              f"{' '.join(f'{s:.2f}' for s in rows[:, 2])} |", flush=True)


def table_pair(n_splits="5", *names):
    """:func:`table` with the gallery example's pool (linear model, depth-4 tree)."""
    table(n_splits, *names, pool="pair")


PAIR_LEVERS = {"cv=2 (default)": {}, "equal-weights start": {"CONSTANT_BLEND_START": False},
               "PATIENCE=5": {"PATIENCE": 5},
               "equal-weights start, floor 0, PATIENCE=5": {
                   "CONSTANT_BLEND_START": False, "WEIGHT_FLOOR": 0.0, "PATIENCE": 5}}


def levers_pair(n_splits="5", *names):
    """The example's pool from the uniform start: does a start without the
    constant blend, no floor, or running longer leave the constant gate?"""
    sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
    from run_benchmarks import _scores, _splits, load
    defaults = {k: getattr(em, k) for v in PAIR_LEVERS.values() for k in v}
    for name in names or ("regimes", "moons", "line_then_steps"):
        if name in ("moons", "line_then_steps", "linear_then_xor"):
            task, X, y = _generated(name)
        else:
            task, X, y, _ = load(name, 20000)
        out = {v: [] for v in PAIR_LEVERS}
        for split, (train, test) in enumerate(_splits(task, X, y, int(n_splits), 0.25, 0)):
            for v, constants in PAIR_LEVERS.items():
                for k, value in {**defaults, **constants}.items():
                    setattr(em, k, value)
                cls = (MixtureOfExpertsRegressor if task == "regression"
                       else MixtureOfExpertsClassifier)
                model = cls(_pair(task, split), training="em", random_state=split)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
                score = next(iter(_scores(task, model, X[test], y[test])[0].values()))
                out[v].append((score, model.n_iter_, fitted_gate_sd(model, X[test])))
        for k, value in defaults.items():
            setattr(em, k, value)
        _print_rows(name, out)


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
