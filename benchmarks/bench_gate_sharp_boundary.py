"""A regime boundary in one feature that only the gate reads: does the default
stacked gate learn it?

y = 2a before t = 160 and -2a from there on (400 rows, noise 0.1), two rule
experts that read only ``a`` (2a and -2a); the gate reads ``a`` and ``t``.
Every fourth row is a test row. Test R^2 of the default mixture, of the
default with ``learning_rate=1e-2`` or ``max_epochs=500``, and of EM, for
seeds 0-4::

    OMP_NUM_THREADS=1 python benchmarks/bench_gate_sharp_boundary.py

Results: ``benchmarks/results/gate_max_epochs.md``.
"""

import warnings

import numpy as np

VARIANTS = {"default": {}, "learning_rate=1e-2": {"learning_rate": 1e-2},
            "max_epochs=500": {"max_epochs": 500}, "training='em'": {"training": "em"}}


def up(X):
    return 2 * X[:, 0]


def down(X):
    return -2 * X[:, 0]


def data(seed, n=400, boundary=160):
    import pandas as pd
    rng = np.random.RandomState(seed)
    t = np.arange(n, dtype=float)
    X = pd.DataFrame({"a": rng.normal(size=n), "t": t})
    y = np.where(t >= boundary, -2.0, 2.0) * X["a"].to_numpy() + 0.1 * rng.normal(size=n)
    test = np.zeros(n, dtype=bool)
    test[::4] = True
    return X, y, test


def experts():
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from skmoe.experts import RuleExpert

    def only_a():
        return make_column_transformer(("passthrough", ["a"]))
    return [("up", make_pipeline(only_a(), RuleExpert(up))),
            ("down", make_pipeline(only_a(), RuleExpert(down)))]


def main():
    from skmoe import MixtureOfExpertsRegressor
    warnings.simplefilter("ignore")
    scores = {name: [] for name in VARIANTS}
    for seed in range(5):
        X, y, test = data(seed)
        for name, params in VARIANTS.items():
            moe = MixtureOfExpertsRegressor(experts(), random_state=seed, **params)
            moe.fit(X[~test], y[~test])
            scores[name].append(moe.score(X[test], y[test]))
    print("| variant | test R^2, seeds 0-4 | mean |")
    print("|---|---|---|")
    for name, values in scores.items():
        print(f"| {name} | {' '.join(f'{v:.3f}' for v in values)} | {np.mean(values):.3f} |")


if __name__ == "__main__":
    main()
